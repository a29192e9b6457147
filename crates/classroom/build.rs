//! Compiles the benchmark report (`docs/benchmarks/report.md` and its SVG charts) into the binary,
//! so `/report` works offline and from any directory. A checkout without a report still builds:
//! the page then says how to generate one.

use std::{env, fmt::Write as _, fs, path::PathBuf};

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("../../docs/benchmarks");
    println!("cargo:rerun-if-changed={}", dir.display());
    let report = dir.join("report.md");
    println!("cargo:rerun-if-changed={}", report.display());

    let mut code = String::new();
    if report.is_file() {
        let _ = writeln!(
            code,
            "pub const REPORT_MD: Option<&str> = Some(include_str!({:?}));",
            report.display().to_string()
        );
    } else {
        let _ = writeln!(code, "pub const REPORT_MD: Option<&str> = None;");
    }
    let mut charts: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|ext| ext == "svg"))
                .collect()
        })
        .unwrap_or_default();
    charts.sort();
    let _ = writeln!(code, "pub const CHARTS: &[(&str, &[u8])] = &[");
    for chart in &charts {
        let name = chart
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!("cargo:rerun-if-changed={}", chart.display());
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            chart.display().to_string()
        );
    }
    let _ = writeln!(code, "];");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default()).join("report_files.rs");
    if let Err(err) = fs::write(&out, code) {
        panic!("cannot write {}: {err}", out.display());
    }
}
