//! mesh-harness: an in-process testnet for Mesh Security.
//!
//! - [`scenario`]: the scenario file format (scenario.md), loading, validation, schema.
//! - [`topology`]: a scenario's chains, contracts and links for the actor runtime.
//! - [`runner`]: the director that runs steps in simulated time.
//! - [`report`]: the state report; [`invariants`]: harness.md's invariants, and
//!   [`slash_oracle`]: no slash escaped.
//! - [`touched`]: which users a chain's storage changes touched (incremental invariants).
//! - [`names`]: names instead of addresses in messages and traces.
//! - [`cli`]: the `mesh-harness` command line.
//! - [`timeline`]: the Mermaid diagram of a run.
//! - [`junit`]: JUnit XML reports of runs and fuzz campaigns, for CI test views.
//! - [`fuzz`]: seeded random scenarios with faults, shrinking, campaigns.
//! - [`bench`]: the benchmarks of `mesh-harness bench`.

pub mod bench;
pub mod cli;
pub mod fuzz;
pub mod invariants;
pub mod junit;
pub mod names;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod slash_oracle;
pub mod timeline;
pub mod topology;
pub mod touched;
