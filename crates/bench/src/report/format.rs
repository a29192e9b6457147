//! How the report writes a figure: a share, a float, a missing value, a list, a table header.

use authlab_core::MountInfo;

/// Mounts whose share is 1 (all kept), and the others with their share, as text.
pub(super) fn split_by_share(shares: &std::collections::BTreeMap<String, f64>) -> (String, String) {
    let (mut kept, mut lost) = (Vec::new(), Vec::new());
    for (mount, share) in shares {
        if *share >= 1.0 {
            kept.push(format!("/{mount}"));
        } else {
            lost.push(format!("/{mount} ({})", self::share(Some(*share))));
        }
    }
    let list = |v: Vec<String>| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.join(", ")
        }
    };
    (list(kept), list(lost))
}

pub(super) fn opt<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or("—".to_owned(), |v| v.to_string())
}

pub(super) fn share(value: Option<f64>) -> String {
    value.map_or("—".to_owned(), |v| format!("{:.0} %", v * 100.0))
}

pub(super) fn float(value: Option<f64>, digits: usize) -> String {
    value.map_or("—".to_owned(), |v| format!("{v:.digits$}"))
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn and_list(items: &[String]) -> String {
    match items {
        [] => "none".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A table's header row: the first column's `label` (none for the summary's corner), then a
/// column per mount, and the rule under it.
pub(super) fn header(label: &str, mounts: &[&MountInfo]) -> String {
    let first = if label.is_empty() {
        "| |".to_owned()
    } else {
        format!("| {label} |")
    };
    let names: Vec<String> = mounts.iter().map(|m| m.slug.prefix()).collect();
    format!(
        "{first} {} |\n|---|{}",
        names.join(" | "),
        "---|".repeat(names.len())
    )
}
