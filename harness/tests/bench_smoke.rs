//! The bench runs end to end on a tiny configuration and produces sane numbers (no timing
//! assertions: wall time depends on the machine).

use mesh_harness::bench::{self, bare, lifecycle, scale, BenchConfig};

/// Every part of the tiny bench produces a positive figure, the ratios are the quotients of
/// the figures, and the one scale case is 1 consumer × 10 users.
#[test]
fn tiny_bench_produces_every_figure() {
    let report = bench::run(&BenchConfig::tiny(), &mut |_| {}).unwrap();
    for (name, value) in [
        ("lifecycle_ms", report.lifecycle_ms),
        ("bare_ms", report.bare_ms),
        ("unbonding_1d_ms", report.unbonding_1d_ms),
        ("unbonding_21d_ms", report.unbonding_21d_ms),
    ] {
        let v = value.unwrap_or_else(|| panic!("{name} missing"));
        assert!(v > 0.0 && v.is_finite(), "{name} = {v}");
    }
    let ratio = report.overhead_ratio.unwrap();
    let expected = report.lifecycle_ms.unwrap() / report.bare_ms.unwrap();
    assert!((ratio - expected).abs() < 0.01, "{ratio} vs {expected}");
    assert!(report.time_scaling_ratio.unwrap() > 0.0);
    assert!(report.extra.runner_ms.unwrap() > 0.0);
    assert!(report.fuzz_per_min.unwrap() > 0.0);
    assert_eq!(report.scale.len(), 1);
    let case = report.scale[0];
    assert_eq!((case.consumers, case.users), (1, 10));
    assert!(case.ms > 0.0);
    if let Some(mb) = case.peak_rss_mb {
        assert!(mb > 1.0, "peak rss {mb} MiB");
    }
    assert_eq!(report.users_scale.len(), 1);
    let users = report.users_scale[0];
    assert_eq!(users.users, 3);
    assert!(users.ms > 0.0);
    assert!((users.us_per_user - users.ms * 1000.0 / 3.0).abs() < 0.01);
    // Over the bare lifecycles run between the fuzz rounds (same load), not `bare_ms`.
    let cost = report.fuzz_cost_ratio.unwrap();
    let bare_between = report.extra.fuzz_bare_ms.unwrap();
    assert!(bare_between > 0.0 && bare_between.is_finite());
    let expected = 60_000.0 / report.fuzz_per_min.unwrap() / bare_between;
    assert!(
        (cost - expected).abs() / expected < 0.01,
        "{cost} vs {expected}"
    );
    let jobs = report.fuzz_jobs_ratio.unwrap();
    let expected = report.fuzz_per_min_jobs.unwrap() / report.fuzz_per_min.unwrap();
    assert!((jobs - expected).abs() < 0.01, "{jobs} vs {expected}");
    let json: serde_json::Value = serde_json::from_str(&bench::to_json(&report)).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let mut expected_keys = vec![
        "lifecycle_ms",
        "bare_ms",
        "overhead_ratio",
        "unbonding_1d_ms",
        "unbonding_21d_ms",
        "time_scaling_ratio",
        "fuzz_per_min",
        "scale",
        "wasm_lifecycle_ms",
        "wasm_ratio",
        "users_scale",
        "fuzz_cost_ratio",
        "fuzz_per_min_jobs",
        "fuzz_jobs_ratio",
    ];
    expected_keys.sort();
    assert_eq!(keys, expected_keys);
    assert!(bench::table(&report).contains("lifecycle_ms"));
}

/// The lifecycle through the actors and on bare chains both return every token (each run
/// checks the user's final balance and fails otherwise), with 1-day and 21-day periods.
#[test]
fn lifecycle_runs_through_actors_and_bare_chains() {
    for days in [1, 21] {
        let secs = days * lifecycle::DAY_SECS;
        let spec = lifecycle::spec(secs);
        let actors = lifecycle::through_actors(&spec, secs).unwrap();
        assert!(actors.unbonding_ms <= actors.total_ms);
        let bare = bare::run(&spec, secs).unwrap();
        assert!(bare.unbonding_ms <= bare.total_ms);
    }
}

/// Waiting less than the unbonding period leaves the lien in place, so the final unbond is
/// refused: the lifecycle really depends on the period passing.
#[test]
fn lifecycle_fails_when_the_period_has_not_passed() {
    let spec = lifecycle::spec(21 * lifecycle::DAY_SECS);
    let err = lifecycle::through_actors(&spec, lifecycle::DAY_SECS).unwrap_err();
    assert!(!err.is_empty());
    let err = bare::run(&spec, lifecycle::DAY_SECS).unwrap_err();
    assert!(!err.is_empty());
}

/// The lifecycle scenario passes through the scenario runner (invariants after every step).
#[test]
fn lifecycle_scenario_passes_the_runner() {
    let ms = lifecycle::through_runner(&lifecycle::scenario()).unwrap();
    assert!(ms > 0.0);
}

/// A scale case with several consumers: every stake and unstake is acked on every link.
#[test]
fn scale_case_with_two_consumers() {
    let case = scale::run_case(2, 3).unwrap();
    assert_eq!((case.consumers, case.users), (2, 3));
    assert!(case.ms > 0.0);
}
