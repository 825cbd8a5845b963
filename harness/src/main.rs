//! The `mesh-harness` binary: see `mesh-harness --help`.

use clap::Parser;
use mesh_harness::cli::{execute, Cli};
use tracing_subscriber::EnvFilter;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Err(exit) = execute(cli) {
        if !exit.message.is_empty() {
            eprintln!("error: {}", exit.message);
        }
        std::process::exit(exit.code);
    }
}
