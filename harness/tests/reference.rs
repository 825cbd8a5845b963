//! The reference implementation (osmosis-labs/mesh-security) as its release binaries: the
//! reference e2e fixtures under `fixtures-reference/` pass on them with the reference's own
//! figures, and the reference bugs the harness found still show (each is a fixture that passes on
//! our contracts, under `fixtures/`).
//!
//! The binaries are not part of this repository: `$MESH_REFERENCE_WASM` names a directory with
//! the mesh-security-sdk release files (`tests/testdata/*.wasm.gz`, gunzipped). Without it the
//! tests that need them say they were skipped and pass.

use mesh_actors::contracts::Codes;
use mesh_actors::dialect::Implementation;
use mesh_harness::cli::collect_files;
use mesh_harness::runner::{run, RunOptions, RunOutcome};
use mesh_harness::scenario::{load_file, ImplementationName};
use std::io::Write;
use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// The reference codes from `$MESH_REFERENCE_WASM`, or `None` after saying the test is skipped.
fn reference_codes(test: &str) -> Option<Codes> {
    let Some(dir) = std::env::var_os("MESH_REFERENCE_WASM").map(PathBuf::from) else {
        // Straight to stderr, past the test harness's capture, so the skip shows.
        let _ = writeln!(
            std::io::stderr(),
            "{test}: SKIPPED: MESH_REFERENCE_WASM is not set (a directory with the \
             mesh-security-sdk release binaries, tests/testdata/*.wasm.gz gunzipped)"
        );
        return None;
    };
    Some(
        Codes::from_wasm_dir_of(&dir, Implementation::Reference)
            .unwrap_or_else(|e| panic!("MESH_REFERENCE_WASM: {e}")),
    )
}

fn run_file(file: &Path, codes: &Codes) -> RunOutcome {
    let scenario = load_file(file).unwrap_or_else(|e| panic!("{e}"));
    let opts = RunOptions {
        codes: codes.clone(),
        ..Default::default()
    };
    run(&scenario, &opts)
}

fn reference_fixtures() -> Vec<PathBuf> {
    let files =
        collect_files(&[repo("fixtures-reference")]).unwrap_or_else(|e| panic!("{}", e.message));
    assert!(files.len() >= 8, "the reference e2e fixtures are missing");
    files
}

/// Every file under `fixtures-reference/` declares the reference implementation, and without
/// its `.wasm` files a run says so instead of running our contracts under its name.
#[test]
fn reference_fixtures_declare_the_reference_and_need_its_wasm() {
    for file in reference_fixtures() {
        let scenario = load_file(&file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            scenario.implementation,
            Some(ImplementationName::Reference),
            "{}",
            file.display()
        );
        let outcome = run(&scenario, &RunOptions::default());
        let failure = outcome.failure.unwrap_or_default();
        assert!(
            failure.contains("implementation reference") && failure.contains("--wasm DIR"),
            "{}: {failure}",
            file.display()
        );
    }
}

/// The reference e2e suite's scenarios (MVP, slashing 1-3, provider chain, tombstone, zero max
/// cap, valset transitions) pass on the reference release binaries with the reference's figures.
#[test]
fn reference_e2e_fixtures_pass_on_the_reference_binaries() {
    let Some(codes) = reference_codes("reference_e2e_fixtures_pass_on_the_reference_binaries")
    else {
        return;
    };
    let mut failures = vec![];
    let files = reference_fixtures();
    for file in &files {
        let outcome = run_file(file, &codes);
        if let Some(f) = outcome.failure {
            failures.push(format!("{}: {f}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!(
        "{} reference fixtures pass on the reference binaries",
        files.len()
    );
}

/// `trace` holds the consumer's refusal to unbond: `what`, "not enough staked".
fn assert_consumer_refused(trace: &[mesh_actors::trace::TraceEvent], what: &str) {
    let refusal = format!("{what}, not enough staked");
    let refused = trace.iter().any(|e| {
        serde_json::to_string(e)
            .unwrap_or_default()
            .contains(&refusal)
    });
    assert!(
        refused,
        "the consumer's refusal is not in the trace: {refusal}"
    );
}

/// Finding: a stake on a consumer validator that was tombstoned (and whose delegation the next
/// epoch unbonded, `tombstoned_unbond_enable`) can never be unstaked on the reference: virtual
/// staking refuses the unbond ("not enough staked"), the packet is acked with an error, and the
/// user's 78,260,869 stay staked and liened for good. `fixtures/reference/tombstone.json` frees
/// them on our contracts.
#[test]
fn finding_a_stake_on_a_tombstoned_validator_is_stuck_on_the_reference() {
    let Some(codes) = reference_codes("finding_a_stake_on_a_tombstoned_validator_is_stuck") else {
        return;
    };
    let outcome = run_file(&repo("fixtures/reference/tombstone.json"), &codes);
    let failure = outcome.failure.unwrap_or_default();
    assert_eq!(outcome.failed_step, Some(19), "{failure}");
    assert!(
        failure.contains(
            "provider.external.juno.stakes.alice.juno-val1.stake: expected \"0\", got \"78260869\""
        ),
        "{failure}"
    );
    assert_consumer_refused(
        &outcome.trace,
        "Cannot unbond 35217390 tokens from validator juno-val1",
    );
}

/// Finding: on the reference, unstaking from a jailed (slashed) provider validator pays out a
/// unit less than the vault releases (shares truncate), and the vault never hears of it: the
/// user's collateral counts 190,000,000 while 189,999,999.98… tokens stand behind it (invariant
/// `backing`). Our proxy reports its rounding loss (`fixtures/reference/immediate-unbond.json`
/// passes).
#[test]
fn finding_a_rounding_unit_is_counted_as_collateral_on_the_reference() {
    let Some(codes) = reference_codes("finding_a_rounding_unit_is_counted_as_collateral") else {
        return;
    };
    let outcome = run_file(&repo("fixtures/reference/immediate-unbond.json"), &codes);
    let violation = outcome.violation.expect("the backing invariant breaks");
    assert_eq!(violation.invariant, "backing");
    assert!(
        violation
            .detail
            .contains("collateral 190000000 > tokens behind it 189999999.98"),
        "{}",
        violation.detail
    );
    assert_eq!(outcome.failed_step, Some(7));
}

/// Finding: on the reference, a price rise between a stake and its unstake locks the stake: the
/// converter converts the unstake at the new price (72,000,000) against a delegation made at the
/// old one (45,000,000), virtual staking refuses, the packet is acked with an error and the
/// stake stays. `fixtures/findings/price-moves-between-stake-and-unstake.json` passes on ours.
#[test]
fn finding_a_price_rise_locks_a_stake_on_the_reference() {
    let Some(codes) = reference_codes("finding_a_price_rise_locks_a_stake") else {
        return;
    };
    let file = repo("fixtures/findings/price-moves-between-stake-and-unstake.json");
    let outcome = run_file(&file, &codes);
    let failure = outcome.failure.unwrap_or_default();
    assert_eq!(outcome.failed_step, Some(9), "{failure}");
    assert!(
        failure.contains("ibc.juno.acked_error: expected 0, got 1")
            && failure.contains(
                "provider.external.juno.stakes.alice.juno-val1.stake: expected \"0\", got \"100000000\""
            ),
        "{failure}"
    );
    assert_consumer_refused(
        &outcome.trace,
        "Cannot unbond 72000000 tokens from validator juno-val1",
    );
}

/// Finding (fuzz seed 0, shrunk): on the reference, a provider jail leaves a user's local stake
/// unreleasable: native staking cuts the lien by its own ratio (to 4,500) while the chain's
/// slash by consensus power leaves the delegation more (4,502); the vault refuses the release.
/// `fixtures/findings/provider-jail-then-release.json` drains on ours.
#[test]
fn finding_a_provider_jail_locks_a_local_stake_on_the_reference() {
    let Some(codes) = reference_codes("finding_a_provider_jail_locks_a_local_stake") else {
        return;
    };
    let file = repo("fixtures/findings/provider-jail-then-release.json");
    let outcome = run_file(&file, &codes);
    let violation = outcome.violation.expect("the drain invariant breaks");
    assert_eq!(violation.invariant, "drain");
    assert!(
        violation
            .detail
            .contains("The lienholder doesn't have enough claims for the action"),
        "{}",
        violation.detail
    );
    assert_eq!(
        outcome
            .report
            .amount("provider.vault.accounts.alice.liens.native"),
        Some(4_500)
    );
}

/// Finding (fuzz seed 10, shrunk): on the reference, a zero max cap set while the provider is
/// halted sends the same internal unstake at every epoch until an ack returns; the second ack's
/// `internal_unbond` fails. `fixtures/findings/zero-cap-during-provider-halt.json` settles on
/// ours.
#[test]
fn finding_a_zero_cap_during_a_halt_unstakes_twice_on_the_reference() {
    let Some(codes) = reference_codes("finding_a_zero_cap_during_a_halt_unstakes_twice") else {
        return;
    };
    let file = repo("fixtures/findings/zero-cap-during-provider-halt.json");
    let outcome = run_file(&file, &codes);
    let violation = outcome.violation.expect("the settled invariant breaks");
    assert_eq!(violation.invariant, "settled");
    assert!(
        violation
            .detail
            .contains("ack/timeout handlers failed on juno"),
        "{}",
        violation.detail
    );
    let failed_handler = outcome.trace.iter().any(|e| {
        serde_json::to_string(e).unwrap_or_default().contains(
            "\"handler_error\":\"Cannot unbond 1 tokens from validator juno-val1, not enough staked\"",
        )
    });
    assert!(
        failed_handler,
        "the failed internal_unbond is not in the trace"
    );
}

/// Finding (fuzz seed 71, shrunk): on the reference, a provider jail while the user's remote
/// stakes are in flight makes external staking's `burn_virtual_stake` panic (u128 overflow); the
/// jailing hook fails as a whole and the vault never cuts the collateral by the 138,000,000 the
/// chain took. `fixtures/findings/provider-jail-with-remote-stakes-in-flight.json` drains on
/// ours.
#[test]
fn finding_a_provider_jail_with_stakes_in_flight_is_lost_on_the_reference() {
    let Some(codes) = reference_codes("finding_a_provider_jail_with_stakes_in_flight_is_lost")
    else {
        return;
    };
    let file = repo("fixtures/findings/provider-jail-with-remote-stakes-in-flight.json");
    let outcome = run_file(&file, &codes);
    let violation = outcome.violation.expect("the backing invariant breaks");
    assert_eq!(violation.invariant, "backing");
    assert!(
        violation
            .detail
            .contains("collateral 1719000000 > tokens behind it 1581000000"),
        "{}",
        violation.detail
    );
    let panicked = outcome.trace.iter().any(|e| {
        let line = serde_json::to_string(e).unwrap_or_default();
        line.contains("native staking jailing failed") && line.contains("subtract with overflow")
    });
    assert!(panicked, "the failed jailing hook is not in the trace");
}
