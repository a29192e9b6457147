//! `authlab`: serve the demo (`authlab serve`, or no subcommand at all), measure it
//! (`authlab bench`), or run a second service trusting its tokens (`authlab resource`).

mod bench;
mod cli;
mod demo;
mod private_redis;
mod serve;

use clap::Parser;

fn main() -> std::process::ExitCode {
    init_tracing();
    let cli = cli::Cli::parse();
    let result = match cli.command.unwrap_or_else(cli::Command::serve_from_env) {
        cli::Command::Serve(args) => serve::run(args).map(|ended| match ended {
            serve::Ended::Stopped => std::process::ExitCode::SUCCESS,
            serve::Ended::RestartRequested => {
                std::process::ExitCode::from(authlab_classroom::RESTART_EXIT_CODE)
            }
        }),
        cli::Command::Demo(args) => demo::run(args, demo_flags()),
        cli::Command::Bench(args) => bench::run(args).map(|()| std::process::ExitCode::SUCCESS),
        cli::Command::Resource(args) => {
            authlab_resource::run(args.settings).map(|()| std::process::ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("authlab: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// What followed `demo` on the command line, passed on to `serve` unchanged.
fn demo_flags() -> Vec<std::ffi::OsString> {
    std::env::args_os()
        .skip(1)
        .skip_while(|arg| arg != "demo")
        .skip(1)
        .collect()
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("AUTHLAB_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
