//! The `mesh-harness` binary: see `mesh-harness --help`.

use clap::Parser;
use mesh_harness::cli::{execute, Cli};
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc: a simulation allocates small objects by the million
/// (JSON, storage keys and values), and glibc's bins slow down as a large run's heap fragments
/// (see BENCHMARKS.md, "Where the time goes").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Contract errors (cosmwasm `StdError`) capture a backtrace whenever RUST_BACKTRACE is set,
    // which costs a refused action dearly; keep panic backtraces, drop the error ones, unless
    // the user asked for them.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal (not in CI logs, files or pipes), and
        // never when NO_COLOR is set.
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();
    let cli = Cli::parse();
    if let Err(exit) = execute(cli) {
        if !exit.message.is_empty() {
            eprintln!("error: {}", exit.message);
        }
        std::process::exit(exit.code);
    }
}
