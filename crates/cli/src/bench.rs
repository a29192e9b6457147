//! `authlab bench`: the scenario harness of `authlab-bench`, with this very binary as the server
//! under test (so the figures are for the build that is running) and this binary's list of mounts
//! as what it measures (the harness cannot depend on this package for it: this package depends on
//! the harness).

use authlab_bench::{BenchConfig, MountList};

use crate::cli::BenchArgs;

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let mut command = vec!["authlab bench".to_owned()];
    command.extend(args.scenarios.iter().map(|s| s.to_string()));
    if args.quick {
        command.push("--quick".to_owned());
    }
    let config = BenchConfig {
        binary: std::env::current_exe()?,
        out_dir: args.out,
        quick: args.quick,
        scenarios: args.scenarios,
        command: command.join(" "),
        mounts: MountList::new(&authlab::CATALOG),
    };
    let results = authlab_bench::run(&config)?;
    println!(
        "authlab bench: {} scenarios in {:.0} s; report in {}",
        results.scenarios.len(),
        results.elapsed_secs,
        config.out_dir.join("report.md").display()
    );
    for target in &results.targets {
        println!(
            "  [{}] {}: {}",
            target.verdict, target.target, target.measured
        );
    }
    Ok(())
}
