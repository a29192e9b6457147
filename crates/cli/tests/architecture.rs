//! The architecture's promises, checked on the source itself: no crate has an import circle
//! between its modules, and the released binary links no test tooling.
//!
//! A module here is what sits directly under a crate's `src/` (a file, or a folder with its
//! submodules): `labs` may import `render`, but then nothing `render` imports may lead back to
//! `labs`. The check reads `crate::…` paths in the source, grouped imports included; comments
//! and a file's `#[cfg(test)]` module (which may reach anything it tests) are not imports.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// The top-level module a file belongs to (`labs` for `src/labs/tamper.rs`), `None` for the
/// crate root.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_owned();
    (!matches!(name.as_str(), "lib" | "main")).then_some(name)
}

/// A file's code without its comments and its test module.
fn code_of(source: &str) -> String {
    let before_tests = source.split("#[cfg(test)]").next().unwrap_or_default();
    before_tests
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of source names through `crate::`.
fn modules_named(source: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        // `$crate::` in macros and `authlab_crate::` are other paths.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        named.extend(first_ident(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 || c != '{' {
                    item.push(c);
                }
            }
            named.extend(first_ident(&item));
        } else {
            named.extend(first_ident(rest));
        }
    }
    named
}

fn first_ident(text: &str) -> Option<String> {
    let ident: String = text
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!ident.is_empty() && ident.chars().next().is_some_and(char::is_lowercase)).then_some(ident)
}

/// A circle in `edges`, as the modules along it, if there is one.
fn find_circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut circle = path[start..].to_vec();
            circle.push(node.to_owned());
            return Some(circle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, edges, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

#[test]
fn no_crate_has_an_import_circle_between_its_modules() {
    let crates = workspace().join("crates");
    let mut circles = Vec::new();
    let mut checked = 0;
    for entry in fs::read_dir(&crates).expect("crates/").flatten() {
        let src = entry.path().join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in &files {
            let Some(module) = module_of(&src, file) else {
                continue;
            };
            let source = fs::read_to_string(file).expect("source");
            let named = modules_named(&code_of(&source));
            let entry = edges.entry(module.clone()).or_default();
            entry.extend(named.into_iter().filter(|m| *m != module));
            checked += 1;
        }
        if let Some(circle) = find_circle(&edges) {
            circles.push(format!(
                "{}: {}",
                entry.path().display(),
                circle.join(" -> ")
            ));
        }
    }

    assert!(
        checked > 50,
        "read only {checked} files: is the layout what this test expects?"
    );
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_circle_finder_finds_a_circle_through_a_grouped_import() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.insert(
        "forms".into(),
        modules_named("use crate::{app::MAX, render};"),
    );
    edges.insert("app".into(), modules_named("crate::forms::parse(x)"));

    let circle = find_circle(&edges);

    assert_eq!(
        circle,
        Some(vec!["app".to_owned(), "forms".to_owned(), "app".to_owned()])
    );
}

#[test]
fn the_released_binary_links_no_webdriver_client() {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "authlab",
            "-e",
            "normal",
            "--offline",
            "--prefix",
            "none",
        ])
        .current_dir(workspace())
        .output()
        .expect("cargo tree");
    let tree = String::from_utf8_lossy(&output.stdout);

    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(tree.contains("authlab-web"), "unexpected tree:\n{tree}");
    assert!(
        !tree.contains("fantoccini"),
        "the binary links fantoccini:\n{tree}"
    );
    assert!(
        !tree.contains("authlab-testkit"),
        "the binary links the test kit:\n{tree}"
    );
}
