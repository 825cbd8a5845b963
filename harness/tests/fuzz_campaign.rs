//! Fuzzing the real contracts: 1,000 seeds of 50 steps and 300 seeds of 200 steps (the slashing
//! races need long runs) run clean in every `cargo test` (a few minutes in a debug build). The
//! same campaigns from the CLI: `mesh-harness fuzz --seeds 0..1000 --steps 50` and
//! `mesh-harness fuzz --seeds 0..300 --steps 200`.

use mesh_harness::fuzz::{campaign, Campaign};

fn clean(seeds: std::ops::Range<u64>, steps: usize) {
    let summary = campaign::run(
        &Campaign {
            seeds,
            steps,
            shrink_budget: 100,
            ..Campaign::default()
        },
        |_| {},
    );
    assert!(summary.passed(), "{}", summary.text());
}

/// With the real contracts, 1,000 seeds of 50 steps find no violation (every fault kind is
/// injected many times over, see the summary's counts). Split in two so both cores work.
#[test]
fn real_contracts_survive_seeds_0_to_500() {
    clean(0..500, 50);
}

/// The second half of the 1,000 seeds.
#[test]
fn real_contracts_survive_seeds_500_to_1000() {
    clean(500..1000, 50);
}

/// 300 seeds of 200 steps, with every oracle (drain included): the first half.
#[test]
fn real_contracts_survive_long_runs_0_to_150() {
    clean(0..150, 200);
}

/// The second half of the 300 long runs.
#[test]
fn real_contracts_survive_long_runs_150_to_300() {
    clean(150..300, 200);
}
