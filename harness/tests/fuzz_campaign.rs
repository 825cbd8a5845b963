//! Fuzzing the real contracts: a short campaign runs clean in every `cargo test`. The full
//! campaign of the issue (1,000 seeds of 50 steps, about a minute in a debug build) is also in
//! CI in a release build (`.ci/run`: `cargo run --release -p mesh-harness -- fuzz --seeds 0..1000
//! --steps 50`); here it is `#[ignore]`d while it still finds open contract bugs: seeds 211, 399
//! and 423, a consumer slash that arrives while a stake or unstake of that validator is in
//! flight (the provider and the consumer then disagree once settled). Run it with
//! `cargo test -p mesh-harness --test fuzz_campaign -- --ignored`; remove the `#[ignore]` once it
//! passes.

use mesh_harness::fuzz::{campaign, Campaign};

fn clean(seeds: std::ops::Range<u64>) {
    let summary = campaign::run(
        &Campaign {
            seeds,
            steps: 50,
            shrink_budget: 100,
            ..Campaign::default()
        },
        |_| {},
    );
    assert!(summary.passed(), "{}", summary.text());
}

/// With the real contracts, 100 seeds of 50 steps find no violation (every fault kind is
/// injected many times over, see the summary's counts).
#[test]
fn real_contracts_survive_100_seeds() {
    clean(0..100);
}

/// With the real contracts, 1,000 seeds of 50 steps find no violation.
#[test]
#[ignore = "finds open contract bugs (seeds 211, 399, 423); remove once they are fixed"]
fn real_contracts_survive_1000_seeds() {
    clean(0..1000);
}
