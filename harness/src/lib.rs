//! mesh-harness: an in-process testnet for Mesh Security, driven from Rust or from scenario
//! files.
//!
//! A test builds a [`Testnet`] from a [`Topology`] (or a scenario file), drives it by name
//! (users, consumers, validators), injects faults, lets simulated time pass and asserts on
//! typed getters or on the state [`Report`] the CLI prints. Everything runs inside
//! [`run_simulation`], on a paused clock: 21 days of unbonding cost milliseconds.
//!
//! ```no_run
//! use mesh_harness::{run_simulation, Error, Topology};
//! use std::time::Duration;
//!
//! #[test]
//! fn cross_stake_reaches_the_consumer() -> Result<(), Error> {
//!     run_simulation(async {
//!         let net = Topology::new()
//!             .account("alice", 1_000_000_000)
//!             .consumer("juno", |c| c)
//!             .start()
//!             .await?;
//!         net.bond("alice", 100_000_000).await?;
//!         net.stake_remote("alice", "juno", "juno-val1", 80_000_000).await?;
//!         net.settle(Duration::from_secs(86_400)).await?;
//!         net.epoch("juno").await?;
//!         // 80,000,000 at price 0.5 and discount 0.1.
//!         assert_eq!(net.virtual_delegation("juno", "juno-val1").await?.u128(), 36_000_000);
//!         Ok(())
//!     })
//! }
//! ```
//!
//! The repository's README ("Using it from Rust") and `docs/` describe the scenario format,
//! the report's paths, the CLI and the system's rules.
//!
//! Modules:
//! - [`scenario`]: the scenario file format, loading, validation, schema.
//! - [`builder`]: [`Topology`], a topology written in Rust.
//! - [`topology`]: a scenario's chains, contracts and links for the actor runtime.
//! - [`runner`]: the director that runs a scenario's steps in simulated time.
//! - [`report`]: the state report; [`invariants`]: the system's invariants, and
//!   [`slash_oracle`]: no slash escaped.
//! - [`touched`]: which users a chain's storage changes touched (incremental invariants).
//! - [`names`]: names instead of addresses in messages and traces.
//! - [`cli`]: the `mesh-harness` command line.
//! - [`equivalence`]: a native run against a wasm run of the same scenario.
//! - [`timeline`]: the Mermaid diagram of a run.
//! - [`junit`]: JUnit XML reports of runs and fuzz campaigns, for CI test views.
//! - [`fuzz`]: seeded random scenarios with faults, shrinking, campaigns.
//! - [`mod@bench`]: the benchmarks of `mesh-harness bench`.

pub mod bench;
pub mod builder;
pub mod cli;
pub mod equivalence;
pub mod fuzz;
pub mod invariants;
pub mod junit;
pub mod runner;
pub mod scenario;
pub mod slash_oracle;
pub mod timeline;
pub mod topology;
pub mod touched;
pub use mesh_actors::testnet::{names, report};

pub use builder::{ConsumerBuilder, ProviderBuilder, Topology};
pub use mesh_actors::testnet::{
    ContractId, Delay, LinkStats, LocalStake, Report, Testnet, ValidatorRequest,
};
pub use mesh_actors::time::run_simulation;
pub use mesh_actors::{Error, Result};
pub use runner::RunOutcome;
pub use scenario::Scenario;

/// The crates a test needs beside this one, at the versions this one uses: the contracts'
/// messages and responses, and CosmWasm's types (`Uint128`, `Decimal`, `Coin`).
pub use cosmwasm_std;
pub use mesh_actors;
pub use mesh_apis;

impl From<scenario::ScenarioError> for Error {
    /// A scenario that cannot be read or breaks the format: the one-line message with the
    /// file and the JSON path.
    fn from(e: scenario::ScenarioError) -> Error {
        Error::InvalidInput(e.to_string())
    }
}

impl Scenario {
    /// Run every step in a fresh simulation, as `mesh-harness run` does: invariants after
    /// every step, `expect` steps checked. Call it from a plain `#[test]`, not inside
    /// [`run_simulation`] (it runs its own). The outcome says whether it passed, why not, and
    /// carries the final [`Report`] and the trace.
    pub fn run(&self) -> RunOutcome {
        runner::run(self, &runner::RunOptions::default())
    }

    /// The scenario's topology (its steps left out), to start a [`Testnet`] from and drive by
    /// hand.
    pub fn topology(&self) -> Topology {
        Topology::from_scenario(self)
    }
}

/// Load the scenario file at `path` and [`run`](Scenario::run) it. Fails only when the file
/// cannot be read or is not a valid scenario ([`Error::InvalidInput`], naming the file and the
/// JSON path); a scenario that fails says so in [`RunOutcome::failure`].
///
/// ```no_run
/// let outcome = mesh_harness::run_file("tests/cross-stake.json")?;
/// assert!(outcome.passed, "{:?}", outcome.failure);
/// assert_eq!(
///     outcome.report.amount("consumers.juno.virtual_staking.delegated.juno-val1"),
///     Some(36_000_000)
/// );
/// # Ok::<(), mesh_harness::Error>(())
/// ```
pub fn run_file(path: impl AsRef<std::path::Path>) -> Result<RunOutcome> {
    Ok(scenario::load_file(path)?.run())
}
