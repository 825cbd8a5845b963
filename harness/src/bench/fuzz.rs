//! Fuzz throughput: 50-step fuzz scenarios with faults per minute, on one core or side by side
//! on several (`fuzz --jobs`).
//!
//! A batch is what a fuzzing campaign does per seed when nothing breaks, for seeds
//! `0..scenarios`: generate the case (50 body steps, plus the tail that lifts the faults, settles
//! and runs epochs) and run it as the fuzzer does ([`crate::fuzz::run_scenario`]: the scenario
//! runner with failing actions tolerated, invariants after every step). Confirming and shrinking
//! a finding is not throughput and is left out; the note counts the findings. Every batch runs
//! the same seeds, so batches differ only in timing.

use std::time::Instant;

use mesh_actors::contracts::Codes;

use crate::fuzz::campaign::fault_kind;
use crate::fuzz::{generate, harness_error, parallel, run_scenario};
use std::ops::ControlFlow;

/// Body steps of a bench fuzz scenario.
pub const STEPS: usize = 50;

/// A throughput measurement.
#[derive(Clone, Debug, PartialEq)]
pub struct FuzzMeasure {
    /// Scenarios per minute (median of the batches), `None` when not measured.
    pub per_min: Option<f64>,
    /// What was measured, one line.
    pub note: String,
}

/// Measure `reps` rounds of batches of `scenarios` fuzz scenarios; each round runs one batch on
/// each thread count of `jobs` in turn (as `fuzz --jobs` runs them), so a change of the
/// machine's load hits every count alike, and `between` before each round (the bench runs bare
/// lifecycles there, so the fuzz cost ratio compares figures taken under the same load). One
/// measurement per count, in the order of `jobs`.
pub fn per_minute(
    scenarios: usize,
    reps: usize,
    jobs: &[usize],
    mut between: impl FnMut() -> Result<(), String>,
) -> Result<Vec<FuzzMeasure>, String> {
    let mut rates: Vec<Vec<f64>> = vec![vec![]; jobs.len()];
    let mut counts = (0, 0, 0);
    for _ in 0..reps {
        between()?;
        for (i, &n) in jobs.iter().enumerate() {
            let (secs, batch) = batch(scenarios, n)?;
            rates[i].push(scenarios as f64 * 60.0 / secs);
            counts = batch;
        }
    }
    let (steps, faults, findings) = counts;
    Ok(jobs
        .iter()
        .zip(rates)
        .map(|(n, rates)| FuzzMeasure {
            per_min: super::median(rates),
            note: format!(
                "{reps} batches of seeds 0..{scenarios} on {n} thread(s), {STEPS} body steps \
                 each: {steps} steps run and {faults} faults or chain events per batch; \
                 {findings} seeds broke an invariant"
            ),
        })
        .collect())
}

/// One batch on `jobs` threads: its wall time in seconds, and the steps run, faults injected
/// and seeds that broke an invariant.
fn batch(scenarios: usize, jobs: usize) -> Result<(f64, (usize, usize, usize)), String> {
    let (mut steps, mut faults, mut findings) = (0, 0, 0);
    let start = Instant::now();
    let mut failed = None;
    let work = |seed: u64| {
        let scenario = generate(seed, STEPS).scenario();
        run_scenario(&scenario, &Codes::default())
    };
    // One job runs on a thread of its own too, as `fuzz --jobs 1` runs in a fresh process: the
    // bench's thread still holds the heap of the cases measured before (10,000 users), which
    // slows a simulation that allocates next to it.
    let each = |seed: u64, run: crate::fuzz::CaseRun| {
        if let Some(e) = harness_error(&run.outcome) {
            failed = Some(format!("fuzz seed {seed} failed in the harness: {e}"));
            return ControlFlow::Break(());
        }
        let scenario = &run.scenario;
        findings += usize::from(run.violation.is_some());
        steps += run
            .outcome
            .failed_step
            .map(|i| i + 1)
            .unwrap_or(scenario.steps.len());
        faults += scenario
            .steps
            .iter()
            .filter(|s| fault_kind(scenario, &s.action).is_some())
            .count();
        ControlFlow::Continue(())
    };
    std::thread::scope(|scope| {
        scope
            .spawn(|| parallel::in_order(0..scenarios as u64, jobs, work, each))
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    if let Some(e) = failed {
        return Err(e);
    }
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    Ok((secs, (steps, faults, findings)))
}
