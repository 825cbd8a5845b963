//! A fuzzing campaign: one generated scenario per seed, each in a fresh simulation; a seed that
//! breaks an invariant is re-run once to confirm it is deterministic, shrunk, and written as a
//! regression fixture (`<out>/seed-<S>-<invariant>.json`) whose replay breaks the same invariant.

use mesh_actors::contracts::Codes;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::ops::{ControlFlow, Range};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::generate::MAX_STEPS;
use super::parallel;
use super::shrink::shrink;
use super::{
    classify, generate, harness_error, run_scenario, run_scenario_whole, Case, CaseRun, PENDING,
};
use crate::invariants::Violation;
use crate::runner::{self, RunOptions};
use crate::scenario::limits::SEED_MAX;
use crate::scenario::{to_json_pretty, Action, Fault, FaultContract, Scenario};

/// Which part of a seed range this machine runs: seeds whose offset from the range start is
/// `index - 1` modulo `count` (`1/1` is everything).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index of this shard.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Default for Shard {
    fn default() -> Self {
        Shard { index: 1, count: 1 }
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// Parses `I/N` with `1 <= I <= N`.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("expected a shard like 2/4 (index from 1 to count), got {s:?}");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Parses a seed range `A..B` (B excluded) or a single seed `A`; seeds are at most
/// [`SEED_MAX`] (a scenario file's limit, so every case can be written and replayed).
pub fn parse_seeds(s: &str) -> Result<Range<u64>, String> {
    let range = parse_seed_range(s)?;
    if range.end > SEED_MAX.saturating_add(1) {
        return Err(format!(
            "seeds go up to {SEED_MAX} (2^53 - 1, the largest a scenario file keeps exact), got {s:?}"
        ));
    }
    Ok(range)
}

/// Parses `fuzz --steps`: body steps per case, from 0 to [`MAX_STEPS`].
pub fn parse_steps(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n <= MAX_STEPS => Ok(n),
        _ => Err(format!(
            "expected a number of steps from 0 to {MAX_STEPS}, got {s:?}"
        )),
    }
}

fn parse_seed_range(s: &str) -> Result<Range<u64>, String> {
    let bad = || format!("expected seeds like 0..1000 (end excluded) or 42, got {s:?}");
    match s.split_once("..") {
        Some((a, b)) => {
            let a: u64 = a.trim().parse().map_err(|_| bad())?;
            let b: u64 = b.trim().parse().map_err(|_| bad())?;
            if b < a {
                return Err(bad());
            }
            Ok(a..b)
        }
        None => {
            let a: u64 = s.trim().parse().map_err(|_| bad())?;
            Ok(a..a.saturating_add(1))
        }
    }
}

/// What to fuzz and how.
#[derive(Clone, Debug)]
pub struct Campaign {
    /// Seeds to run (end excluded).
    pub seeds: Range<u64>,
    /// Body steps per scenario (the tail comes on top).
    pub steps: usize,
    /// This machine's share of the seeds.
    pub shard: Shard,
    /// Where to write regression fixtures (none: do not write).
    pub out: Option<PathBuf>,
    /// The contract codes (tests swap in broken ones).
    pub codes: Codes,
    /// Most candidate runs spent shrinking one finding.
    pub shrink_budget: usize,
    /// Stop after this many findings.
    pub stop_after: Option<usize>,
    /// Seeds run side by side, each simulation on one thread (see [`super::parallel`]); the
    /// summary and the files written are the same for any number.
    pub jobs: usize,
}

impl Default for Campaign {
    fn default() -> Self {
        Campaign {
            seeds: 0..100,
            steps: 50,
            shard: Shard::default(),
            out: None,
            codes: Codes::default(),
            shrink_budget: 400,
            stop_after: None,
            jobs: 1,
        }
    }
}

impl Campaign {
    /// The seeds this shard runs, in order.
    pub fn shard_seeds(&self) -> impl Iterator<Item = u64> + '_ {
        let start = self.seeds.start;
        self.seeds
            .clone()
            .filter(move |s| (s - start) % self.shard.count == self.shard.index - 1)
    }
}

/// A seed that broke an invariant.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The seed.
    pub seed: u64,
    /// Body steps of the generated case.
    pub steps: usize,
    /// What broke in the generated case.
    pub violation: Violation,
    /// Index of the step after which it broke.
    pub failed_step: usize,
    /// A second run of the same seed broke the same way with the same trace.
    pub deterministic: bool,
    /// The shrunk case.
    pub shrunk: Case,
    /// What broke in the shrunk case (same invariant; the values may differ).
    pub shrunk_violation: Violation,
    /// Candidate runs spent shrinking.
    pub shrink_runs: usize,
    /// The regression fixture: the shrunk scenario with its failing actions marked.
    pub fixture: Scenario,
    /// Where it was written.
    pub file: Option<PathBuf>,
    /// Why it could not be written (`<file>: cannot write: <reason>`).
    pub write_error: Option<String>,
    /// Replaying the fixture (normal mode) broke the same invariant.
    pub replays: bool,
}

impl Finding {
    /// One line for humans.
    pub fn line(&self) -> String {
        let file = match (&self.file, &self.write_error) {
            (Some(f), _) => format!(" -> {}", f.display()),
            (None, Some(e)) => format!(" (NOT written: {e})"),
            (None, None) => String::new(),
        };
        format!(
            "seed {}: invariant {} broken at step {}: {}; shrunk to {} steps{}{}{}",
            self.seed,
            self.violation.invariant,
            self.failed_step,
            self.violation.detail,
            self.shrunk.body.len(),
            file,
            if self.deterministic {
                ""
            } else {
                " (NOT deterministic: a re-run differed)"
            },
            if self.replays {
                ""
            } else {
                " (the written case does not replay the same way)"
            },
        )
    }

    /// The finding for `--json`.
    pub fn to_json(&self) -> Value {
        json!({
            "seed": self.seed,
            "invariant": self.violation.invariant,
            "detail": self.violation.detail,
            "failed_step": self.failed_step,
            "steps": self.steps,
            "shrunk_steps": self.shrunk.body.len(),
            "shrunk_detail": self.shrunk_violation.detail,
            "shrink_runs": self.shrink_runs,
            "deterministic": self.deterministic,
            "replays": self.replays,
            "file": self.file.as_ref().map(|f| f.display().to_string()),
        })
    }
}

/// What a campaign did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Scenarios run (one per seed; shrinking runs not counted).
    pub runs: u64,
    /// Steps executed (body and tail, up to a failure).
    pub steps: u64,
    /// Actions that failed (tolerated; the contracts refused them).
    pub failed_actions: u64,
    /// Faults and chain events injected, by kind.
    pub faults: BTreeMap<&'static str, u64>,
    /// Seeds that broke an invariant.
    pub findings: Vec<Finding>,
    /// Seeds whose run failed without an invariant (a harness or generator problem).
    pub harness_errors: Vec<(u64, String)>,
    /// Wall time of the campaign (for the rate; not part of any trace).
    pub elapsed: Duration,
}

impl Summary {
    /// True when nothing broke.
    pub fn passed(&self) -> bool {
        self.findings.is_empty() && self.harness_errors.is_empty()
    }

    /// Scenarios per second of wall time.
    pub fn rate(&self) -> f64 {
        self.runs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The summary for humans.
    pub fn text(&self) -> String {
        let faults: Vec<String> = self
            .faults
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let mut out = format!(
            "{} runs, {} steps ({} actions refused), {} violations, {} harness errors in {:.1}s ({:.0} runs/s)\nfaults injected: {}\n",
            self.runs,
            self.steps,
            self.failed_actions,
            self.findings.len(),
            self.harness_errors.len(),
            self.elapsed.as_secs_f64(),
            self.rate(),
            if faults.is_empty() { "none".into() } else { faults.join(", ") },
        );
        for f in &self.findings {
            out.push_str(&format!("VIOLATION {}\n", f.line()));
        }
        for (seed, e) in &self.harness_errors {
            out.push_str(&format!("HARNESS ERROR seed {seed}: {e}\n"));
        }
        out
    }

    /// The summary for `--json` (one object).
    pub fn to_json(&self) -> Value {
        json!({
            "runs": self.runs,
            "steps": self.steps,
            "failed_actions": self.failed_actions,
            "faults": self.faults,
            "violations": self.findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
            "harness_errors": self.harness_errors.iter().map(|(s, e)| json!({"seed": s, "error": e})).collect::<Vec<_>>(),
            "seconds": self.elapsed.as_secs_f64(),
            "runs_per_second": self.rate(),
        })
    }
}

/// What a campaign reports while it runs.
#[derive(Clone, Debug)]
pub enum Event {
    /// A seed ran.
    Ran {
        /// The seed.
        seed: u64,
        /// The invariant it broke, if any.
        broke: Option<&'static str>,
    },
    /// A finding is being confirmed and shrunk.
    Shrinking {
        /// The seed.
        seed: u64,
    },
    /// A finding is ready.
    Found(Box<Finding>),
}

/// The kind of fault or chain event a body step injects, if it is one.
pub fn fault_kind(scenario: &Scenario, action: &Action) -> Option<&'static str> {
    Some(match action {
        Action::Fault(f) => match f {
            Fault::LinkDelay { .. } => "delay",
            Fault::LinkDrop { drop_next: 0, .. } => return None,
            Fault::LinkDrop { .. } => "drop_next",
            Fault::LinkOutage { link, outage } => {
                let timeout = scenario
                    .consumer(link)
                    .map(|c| c.link.packet_timeout)
                    .unwrap_or_default();
                if *outage < timeout {
                    "outage<timeout"
                } else {
                    "outage>=timeout"
                }
            }
            Fault::ChainHalt { .. } => "halt",
            Fault::ContractFail { fail_next: 0, .. } => return None,
            Fault::ContractFail {
                contract: FaultContract::Converter,
                ..
            } => "fail_next:converter",
            Fault::ContractFail { .. } => "fail_next:external_staking",
        },
        Action::SetPrice(_) => "set_price",
        Action::SetMaxCap(_) => "set_max_cap",
        Action::Jail(_) => "jail",
        Action::Unjail(_) => "unjail",
        Action::Tombstone(_) => "tombstone",
        Action::AddValidator(_) => "add_validator",
        Action::RemoveValidator(_) => "remove_validator",
        Action::CloseChannel(_) => "close_channel",
        _ => return None,
    })
}

/// The regression fixture of a shrunk failing run: its scenario, with `"expect_error": ""` on
/// every action that failed in it (so a normal replay is the same execution), named and
/// described with the seed and the broken invariant.
pub fn regression_fixture(seed: u64, steps: usize, run: &CaseRun) -> Scenario {
    let v = run.violation.as_ref().expect("a failing run");
    let mut s = run.scenario.clone();
    for (i, _) in &run.outcome.step_errors {
        if s.steps[*i].action.accepts_expect_error() {
            s.steps[*i].expect_error = Some(String::new());
        }
    }
    s.name = format!("fuzz seed {seed}: invariant {} broken", v.invariant);
    s.description = Some(format!(
        "found by mesh-harness fuzz, seed {seed}, steps {steps}: invariant {} broken: {}",
        v.invariant, v.detail
    ));
    s
}

/// Replay a fixture as `mesh-harness replay` does (normal mode) and return what broke. In
/// normal mode a settle that does not settle ends the run without checking the settled
/// invariants: that is [`PENDING`].
pub fn replay(fixture: &Scenario, codes: &Codes) -> Option<Violation> {
    let outcome = runner::run(
        fixture,
        &RunOptions {
            codes: codes.clone(),
            ..Default::default()
        },
    );
    if outcome.violation.is_none() {
        let step = outcome.failed_step?;
        let failure = outcome.failure.clone()?;
        let settle = matches!(
            fixture.steps.get(step).map(|s| &s.action),
            Some(Action::Settle(_))
        );
        return (settle && failure.contains("not settled within")).then_some(Violation {
            invariant: PENDING,
            detail: failure,
        });
    }
    classify(fixture, &outcome)
}

/// Whether the regression fixture of a failing run, replayed in normal mode, breaks
/// `invariant` (it should: reading the report around an `expect_error` step changes nothing).
pub fn replays_as(run: &CaseRun, codes: &Codes, invariant: &str) -> bool {
    let fixture = regression_fixture(0, 0, run);
    replay(&fixture, codes).is_some_and(|v| v.invariant == invariant)
}

fn same_run(a: &CaseRun, b: &CaseRun) -> bool {
    a.violation == b.violation
        && a.outcome.failed_step == b.outcome.failed_step
        && a.outcome.step_errors == b.outcome.step_errors
        && a.outcome.trace == b.outcome.trace
        && a.outcome.report == b.outcome.report
}

/// Confirm, shrink and write the finding of `seed`, whose run is `first`.
fn investigate(c: &Campaign, seed: u64, case: Case, first: CaseRun) -> Finding {
    let violation = first.violation.clone().expect("a failing run");
    let failed_step = first.outcome.failed_step.unwrap_or(0);
    // Two whole runs (report and trace) must agree, and with the campaign's lean run.
    let whole = run_scenario_whole(&first.scenario, &c.codes);
    let again = run_scenario_whole(&first.scenario, &c.codes);
    let deterministic = same_run(&whole, &again)
        && whole.violation == first.violation
        && whole.outcome.failed_step == first.outcome.failed_step
        && whole.outcome.step_errors == first.outcome.step_errors;
    let shrunk = shrink(case, first, &c.codes, c.shrink_budget);
    let mut fixture = regression_fixture(seed, c.steps, &shrunk.run);
    if c.codes.implementation == mesh_actors::dialect::Implementation::Reference {
        // It replays on the same implementation's contracts (`--wasm DIR`).
        fixture.implementation = Some(crate::scenario::ImplementationName::Reference);
    }
    let replays = replay(&fixture, &c.codes).map(|v| v.invariant) == Some(violation.invariant);
    let mut write_error = None;
    let file = c.out.as_ref().and_then(|dir| {
        let path = dir.join(format!("seed-{seed}-{}.json", violation.invariant));
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&path, to_json_pretty(&fixture)));
        match written {
            Ok(()) => Some(path),
            Err(e) => {
                write_error = Some(format!("{}: cannot write: {e}", path.display()));
                None
            }
        }
    });
    Finding {
        seed,
        steps: c.steps,
        violation,
        failed_step,
        deterministic,
        shrunk_violation: shrunk.run.violation.clone().expect("shrunk runs fail"),
        shrink_runs: shrunk.runs,
        shrunk: shrunk.case,
        fixture,
        file,
        write_error,
        replays,
    }
}

/// Run the campaign, reporting each seed to `progress`, in seed order. With several
/// [`jobs`](Campaign::jobs) the seeds' runs go side by side; confirming and shrinking a
/// finding, the summary and the files follow seed order as with one.
pub fn run(c: &Campaign, mut progress: impl FnMut(&Event)) -> Summary {
    let started = Instant::now();
    let mut summary = Summary::default();
    let first_run = |seed: u64| {
        let case = generate(seed, c.steps);
        let run = run_scenario(&case.scenario(), &c.codes);
        (case, run)
    };
    parallel::in_order(c.shard_seeds(), c.jobs, first_run, |seed, (case, run)| {
        let scenario = &run.scenario;
        summary.runs += 1;
        let executed = run
            .outcome
            .failed_step
            .map(|i| i + 1)
            .unwrap_or(scenario.steps.len());
        summary.steps += executed as u64;
        summary.failed_actions += run.outcome.step_errors.len() as u64;
        for step in scenario.steps.iter().take(executed.min(case.body.len())) {
            if let Some(kind) = fault_kind(scenario, &step.action) {
                *summary.faults.entry(kind).or_default() += 1;
            }
        }
        let broke = run.violation.as_ref().map(|v| v.invariant);
        progress(&Event::Ran { seed, broke });
        if run.violation.is_some() {
            progress(&Event::Shrinking { seed });
            let finding = investigate(c, seed, case, run);
            progress(&Event::Found(Box::new(finding.clone())));
            summary.findings.push(finding);
            if c.stop_after.is_some_and(|n| summary.findings.len() >= n) {
                return ControlFlow::Break(());
            }
        } else if let Some(e) = harness_error(&run.outcome) {
            summary.harness_errors.push((seed, e));
        }
        ControlFlow::Continue(())
    });
    summary.elapsed = started.elapsed();
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `I/N` shards split a range into disjoint parts covering it.
    #[test]
    fn shards_partition_the_seeds() {
        let all: Vec<u64> = (1..=3)
            .flat_map(|i| {
                Campaign {
                    seeds: 10..20,
                    shard: Shard { index: i, count: 3 },
                    ..Campaign::default()
                }
                .shard_seeds()
                .collect::<Vec<_>>()
            })
            .collect();
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(sorted, (10..20).collect::<Vec<_>>());
        let first: Vec<u64> = Campaign {
            seeds: 10..20,
            shard: "1/3".parse().unwrap(),
            ..Campaign::default()
        }
        .shard_seeds()
        .collect();
        assert_eq!(first, [10, 13, 16, 19]);
    }

    /// Seeds and shards parse, and bad ones say what was expected.
    #[test]
    fn seeds_and_shards_parse() {
        assert_eq!(parse_seeds("0..1000"), Ok(0..1000));
        assert_eq!(parse_seeds("42"), Ok(42..43));
        assert!(parse_seeds("5..1").unwrap_err().contains("expected seeds"));
        assert!(parse_seeds("x").is_err());
        assert!(parse_seeds("9007199254740992")
            .unwrap_err()
            .contains("seeds go up to"));
        assert_eq!(parse_seeds("9007199254740991"), Ok(SEED_MAX..SEED_MAX + 1));
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert!("0/4".parse::<Shard>().is_err());
        assert!("5/4".parse::<Shard>().is_err());
        assert!("4".parse::<Shard>().is_err());
    }

    /// With the real contracts, a handful of seeds run clean and the summary counts them.
    #[test]
    fn real_contracts_pass_a_few_seeds() {
        let summary = run(
            &Campaign {
                seeds: 0..5,
                steps: 30,
                ..Campaign::default()
            },
            |_| {},
        );
        assert_eq!(summary.runs, 5);
        assert!(summary.passed(), "{}", summary.text());
        assert!(summary.steps >= 5 * 30);
    }
}
