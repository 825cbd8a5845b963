//! JUnit XML reports, which CI systems show in their test views: `run --junit FILE` (one test
//! case per scenario) and `fuzz --junit FILE` / `fuzz merge --junit FILE` (one test case per
//! failing seed, one per harness error, and one for the seeds that passed).

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

use crate::fuzz::merge::{HarnessErrorRecord, Merged, SummaryFile, ViolationRecord};
use crate::runner::RunOutcome;
use crate::scenario::Scenario;

/// One scenario that ran: where it came from, what it was, what happened, how long it took.
pub struct ScenarioRun<'a> {
    /// The file (or "built-in demo").
    pub origin: &'a str,
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Its outcome.
    pub outcome: &'a RunOutcome,
    /// Wall time of the run.
    pub time: Duration,
}

/// The failure text of a scenario: the failure line, then the failing step as written in the
/// file.
fn scenario_failure(run: &ScenarioRun) -> String {
    let failure = run.outcome.failure.clone().unwrap_or_default();
    let step = run.outcome.failed_step.and_then(|i| {
        let step = run.scenario.steps.get(i)?;
        let json = serde_json::to_string(step).ok()?;
        Some(format!("\nstep {i}: {json}"))
    });
    format!(
        "{failure}{}\nfile: {}",
        step.unwrap_or_default(),
        run.origin
    )
}

/// The report of `mesh-harness run`: a suite `mesh-harness run` with one test case per
/// scenario (named after the scenario, class the file); a failed one carries the failure line as
/// message, the broken invariant (or `step failed`) as type, and the step as written.
pub fn run_report(runs: &[ScenarioRun]) -> String {
    let mut suite = TestSuite::new("mesh-harness run");
    let mut total = Duration::ZERO;
    for run in runs {
        let status = match &run.outcome.failure {
            None => TestCaseStatus::success(),
            Some(failure) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(failure.as_str())
                    .set_type(match &run.outcome.violation {
                        Some(v) => format!("invariant {}", v.invariant),
                        None => "step failed".to_owned(),
                    })
                    .set_description(scenario_failure(run));
                status
            }
        };
        let mut case = TestCase::new(run.outcome.name.as_str(), status);
        case.set_classname(run.origin).set_time(run.time);
        suite.add_test_case(case);
        total += run.time;
    }
    suite.set_time(total);
    to_xml("mesh-harness", suite, total)
}

/// What a fuzz campaign (or a merge of its shards) reports to JUnit.
pub struct FuzzResults<'a> {
    /// Properties of the suite: seeds, steps, shard(s).
    pub properties: Vec<(&'static str, String)>,
    /// Scenarios run.
    pub runs: u64,
    /// Seeds that broke an invariant.
    pub violations: &'a [ViolationRecord],
    /// Seeds whose run failed without an invariant.
    pub harness_errors: &'a [HarnessErrorRecord],
    /// Wall time.
    pub time: Duration,
    /// The summary for humans (the passing case's output).
    pub text: String,
}

impl<'a> FuzzResults<'a> {
    /// One shard's (or a whole unsharded campaign's) results: its summary, wall time and text.
    pub fn shard(file: &'a SummaryFile, time: Duration, text: String) -> Self {
        FuzzResults {
            properties: vec![
                ("seeds", file.campaign.seeds.clone()),
                ("steps", file.campaign.steps.to_string()),
                ("shard", file.campaign.shard.clone()),
            ],
            runs: file.runs,
            violations: &file.violations,
            harness_errors: &file.harness_errors,
            time,
            text,
        }
    }

    /// A merged campaign's results (its time is the shards' machine time).
    pub fn merged(merged: &'a Merged) -> Self {
        FuzzResults {
            properties: vec![
                ("seeds", merged.campaign.seeds.clone()),
                ("steps", merged.campaign.steps.to_string()),
                ("shards", merged.campaign.shards.to_string()),
            ],
            runs: merged.runs,
            violations: &merged.violations,
            harness_errors: &merged.harness_errors,
            time: Duration::try_from_secs_f64(merged.seconds).unwrap_or_default(),
            text: merged.text(),
        }
    }
}

/// The report of `mesh-harness fuzz`: a suite `mesh-harness fuzz` with one failed test case per
/// seed that broke an invariant (`seed S`, class `fuzz.<invariant>`; message: the invariant,
/// step and values; text: the regression fixture and how to replay it), one errored case per
/// harness error, and a passing case `seeds without a violation` for the rest (so a clean
/// campaign is not an empty report).
pub fn fuzz_report(results: &FuzzResults) -> String {
    let mut suite = TestSuite::new("mesh-harness fuzz");
    for (name, value) in &results.properties {
        suite.add_property(Property::new(*name, value.as_str()));
    }
    for v in results.violations {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let mut text = format!(
            "seed {}: invariant {} broken at step {}: {}",
            v.seed, v.invariant, v.failed_step, v.detail
        );
        if let Some(file) = &v.file {
            text.push_str(&format!(
                "\nregression fixture: {file}\nreplay: mesh-harness replay {file}"
            ));
        }
        status
            .set_message(format!(
                "invariant {} broken at step {}: {}",
                v.invariant, v.failed_step, v.detail
            ))
            .set_type(format!("invariant {}", v.invariant))
            .set_description(text);
        let mut case = TestCase::new(format!("seed {}", v.seed), status);
        case.set_classname(format!("fuzz.{}", v.invariant));
        suite.add_test_case(case);
    }
    for e in results.harness_errors {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status
            .set_message(e.error.as_str())
            .set_type("harness error");
        let mut case = TestCase::new(format!("seed {}", e.seed), status);
        case.set_classname("fuzz.harness_error");
        suite.add_test_case(case);
    }
    let failing = (results.violations.len() + results.harness_errors.len()) as u64;
    let mut clean = TestCase::new("seeds without a violation", TestCaseStatus::success());
    clean
        .set_classname("fuzz")
        .set_time(results.time)
        .set_system_out(format!(
            "{} of {} runs\n{}",
            results.runs.saturating_sub(failing),
            results.runs,
            results.text
        ));
    suite.add_test_case(clean);
    suite.set_time(results.time);
    to_xml("mesh-harness", suite, results.time)
}

fn to_xml(name: &str, suite: TestSuite, time: Duration) -> String {
    let mut report = Report::new(name);
    report.set_time(time).add_test_suite(suite);
    report.to_string().expect("a JUnit report serialises")
}
