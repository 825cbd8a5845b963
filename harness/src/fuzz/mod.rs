//! Fuzzed failure injection with shrinking.
//!
//! - [`mod@generate`]: a seeded generator of scenarios (topology, users, a body of actions, chain
//!   events and faults, then a tail that lifts the faults, settles and runs epochs).
//! - [`shrink`]: reduces a failing case (consumers, users, steps, amounts, settings) while it
//!   still breaks the same invariant.
//! - [`campaign`]: runs seeds, shrinks and writes what fails as regression fixtures, and
//!   summarises (runs, steps, faults by kind, violations).
//! - [`merge`]: the summary as a file (`fuzz --json`), and `fuzz merge` of a campaign's shards.
//! - [`shard_env`]: `fuzz --shard auto`, the shard from a CI's environment.
//! - [`parallel`]: `fuzz --jobs N`, seeds side by side, results in seed order.
//!
//! A generated scenario runs with [`RunOptions::tolerate_action_errors`]: an action that fails
//! is recorded and the run goes on; only a broken invariant is a finding.
//!
//! ```no_run
//! use mesh_harness::fuzz::{campaign, Campaign};
//! let summary = campaign::run(&Campaign { seeds: 0..100, ..Campaign::default() }, |_| {});
//! assert!(summary.findings.is_empty());
//! ```

pub mod campaign;
pub mod generate;
pub mod merge;
pub mod parallel;
pub mod shard_env;
pub mod shrink;

use mesh_actors::contracts::Codes;

use crate::invariants::Violation;
use crate::runner::{self, RunOptions, RunOutcome};
use crate::scenario::{Action, Scenario};

pub use campaign::{Campaign, Finding, Summary};
pub use generate::{generate, tail, Case};

/// The name of the pending-tx invariant (docs/system.md) ("every pending tx ends within its packet timeout
/// plus relay delay once faults end"), given to a settle that did not settle.
pub const PENDING: &str = "pending";

/// One run of a case and what it found.
#[derive(Clone, Debug)]
pub struct CaseRun {
    /// The scenario that ran (body and tail).
    pub scenario: Scenario,
    /// The runner's outcome.
    pub outcome: RunOutcome,
    /// The broken invariant, if any (see [`classify`]).
    pub violation: Option<Violation>,
}

impl CaseRun {
    /// True when every action that failed is one that may carry `expect_error`, so the case
    /// replays exactly once those steps are marked (see [`campaign::regression_fixture`]).
    /// A settle that did not settle is the finding itself and is allowed.
    pub fn replayable(&self) -> bool {
        self.outcome.step_errors.iter().all(|(i, _)| {
            let action = &self.scenario.steps[*i].action;
            action.accepts_expect_error() || matches!(action, Action::Settle(_))
        })
    }
}

/// `scenario` as it replays: run as the fuzzer runs it, every action the contracts refused
/// marked with `"expect_error": ""`, so `mesh-harness run` goes through the same execution
/// instead of stopping at the first refusal (what `fuzz --print` writes).
pub fn replayable(scenario: &Scenario, codes: &Codes) -> Scenario {
    let run = run_scenario(scenario, codes);
    let mut out = scenario.clone();
    for (i, _) in &run.outcome.step_errors {
        if out.steps[*i].action.accepts_expect_error() {
            out.steps[*i].expect_error = Some(String::new());
        }
    }
    out
}

/// Run `scenario` as the fuzzer does (failing actions tolerated) with `codes`, without the
/// final report and the trace (see [`RunOptions::lean`]).
pub fn run_scenario(scenario: &Scenario, codes: &Codes) -> CaseRun {
    run_as_fuzzer(scenario, codes, true)
}

/// [`run_scenario`] with the final report and the trace, for comparing two runs whole.
pub fn run_scenario_whole(scenario: &Scenario, codes: &Codes) -> CaseRun {
    run_as_fuzzer(scenario, codes, false)
}

fn run_as_fuzzer(scenario: &Scenario, codes: &Codes, lean: bool) -> CaseRun {
    let outcome = runner::run(
        scenario,
        &RunOptions {
            seed: None,
            tolerate_action_errors: true,
            codes: codes.clone(),
            base_dir: None,
            max_events: Some(runner::DEFAULT_MAX_EVENTS),
            lean,
            ..Default::default()
        },
    );
    let violation = classify(scenario, &outcome);
    CaseRun {
        scenario: scenario.clone(),
        outcome,
        violation,
    }
}

/// The broken invariant of a fuzz run, if any. A settle step that failed to settle and then
/// broke the settled invariant is invariant 4 ([`PENDING`]): something was still pending or in
/// flight long after every fault had ended. A failure without a violation (the topology did not
/// start, a query failed) is not a finding; [`harness_error`] reports it.
pub fn classify(scenario: &Scenario, outcome: &RunOutcome) -> Option<Violation> {
    let v = outcome.violation.clone()?;
    let step = outcome.failed_step?;
    let settle_failed = matches!(
        scenario.steps.get(step).map(|s| &s.action),
        Some(Action::Settle(_))
    ) && outcome.step_errors.iter().any(|(i, _)| *i == step);
    if settle_failed && v.invariant == "settled" {
        let within = match &scenario.steps[step].action {
            Action::Settle(s) => s.within_or_default(),
            _ => unreachable!("checked above"),
        };
        return Some(Violation {
            invariant: PENDING,
            detail: format!("step {step}: not settled within {within}: {}", v.detail),
        });
    }
    Some(v)
}

/// A failure of the run that is not an invariant (a harness or generator problem), if any.
pub fn harness_error(outcome: &RunOutcome) -> Option<String> {
    match (&outcome.failure, &outcome.violation) {
        (Some(f), None) => Some(f.clone()),
        _ => None,
    }
}
