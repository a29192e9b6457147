//! The command line: subcommands and their flags. Every flag also reads an `AUTHLAB_*` variable.

use authlab_web::Settings;
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "authlab",
    version,
    about = "Stateful sessions and stateless JWTs, side by side: a classroom demo and a benchmark."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the demo: /session, /memory and /jwt (the default when no subcommand is given).
    Serve(ServeArgs),
    /// Serve the demo under a supervisor that starts the server again when the restart lab asks
    /// (takes the same flags as `serve`).
    Demo(ServeArgs),
    /// Measure the trade-offs with real server processes and a private redis-server, and write
    /// report.md, results.json and SVG charts.
    Bench(BenchArgs),
    /// Serve a second service that trusts the issuer's tokens without its secret: EdDSA JWTs
    /// checked locally with the issuer's JWKS, other tokens through its /introspect.
    Resource(ResourceArgs),
}

impl Command {
    /// `authlab` with no subcommand means `authlab serve`, configured from the environment.
    pub fn serve_from_env() -> Command {
        #[derive(Parser)]
        struct ServeOnly {
            #[command(flatten)]
            args: ServeArgs,
        }
        Command::Serve(ServeOnly::parse_from(["authlab"]).args)
    }
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub settings: Settings,

    /// When nothing answers at the Redis URL, fail over to nothing: do not start a private
    /// redis-server even if one is installed.
    #[arg(long, env = "AUTHLAB_NO_PRIVATE_REDIS", action = clap::ArgAction::SetTrue, value_parser = clap::builder::BoolishValueParser::new())]
    pub no_private_redis: bool,
}

#[derive(Args)]
pub struct ResourceArgs {
    #[command(flatten)]
    pub settings: authlab_resource::ResourceSettings,
}

#[derive(Args)]
pub struct BenchArgs {
    /// Scenarios to run (default: all): restart, memory, throughput, scale-out, fault.
    #[arg(value_name = "SCENARIO")]
    pub scenarios: Vec<authlab_bench::Scenario>,

    /// Small sizes and short runs (under a minute): a smoke test, not figures to quote.
    #[arg(long)]
    pub quick: bool,

    /// Where report.md, results.json and the charts go.
    #[arg(long, default_value = "docs/benchmarks")]
    pub out: std::path::PathBuf,
}
