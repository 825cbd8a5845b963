//! Running a scenario: the director actor deploys the topology, runs every step at its
//! simulated time, checks `expect` / `expect_error` and the invariants after every step, and
//! collects snapshots, the final report and the trace.

use actix::prelude::*;
use cosmwasm_std::{Decimal, Uint128};
use mesh_actors::contracts::Codes;
use mesh_actors::testnet::{ContractId, Report, ReportNames, Testnet};
use mesh_actors::time::run_simulation;
use mesh_actors::trace::{TraceEvent, TraceKind};
use mesh_actors::Error;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use crate::invariants::{self, Violation};
use crate::names::{amounts, AddressBook};
use crate::report;
use crate::scenario::{Action, Fault, FaultContract, Scenario, Step};
use crate::topology;

mod drain;

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Use this seed instead of the scenario's.
    pub seed: Option<u64>,
    /// Fuzzing: an action that fails (without `expect_error`) is recorded in
    /// [`RunOutcome::step_errors`] instead of ending the run; only invariants fail it.
    pub tolerate_action_errors: bool,
    /// The contract codes (the real contracts, linked natively, by default). Roles the
    /// scenario's `contracts` section names run what it says instead.
    pub codes: Codes,
    /// Where the scenario's relative `.wasm` paths start (its file's directory; default: the
    /// current directory).
    pub base_dir: Option<PathBuf>,
    /// The run's work budget: it stops, failed, once its trace holds more events than this
    /// (none: no limit; the CLI uses [`DEFAULT_MAX_EVENTS`]).
    pub max_events: Option<usize>,
    /// Read every user and every balance after every step, instead of only what the step
    /// touched (every `settle` and the end read everything anyway). Slower, and finds nothing
    /// more: for checking the checker.
    pub full_invariants: bool,
    /// Leave out what only a reader of the whole outcome needs: the final report (`null`) and
    /// the trace (empty). Violations, failures and step errors are as always. Fuzzing runs
    /// every seed this way and re-runs a finding in full.
    pub lean: bool,
}

/// The CLI's work budget: a million traced events, thousands of times what the largest
/// fixture needs, so a scenario that would run practically forever (epochs shorter than a
/// packet's round trip over years) stops with a clear failure.
pub const DEFAULT_MAX_EVENTS: usize = 1_000_000;

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// The scenario's name.
    pub name: String,
    /// Every `expect` held and no invariant broke.
    pub passed: bool,
    /// The one-line reason when it did not pass.
    pub failure: Option<String>,
    /// Why it failed, when an invariant broke.
    pub violation: Option<Violation>,
    /// Index of the failing step, if a step failed.
    pub failed_step: Option<usize>,
    /// Reports taken by `snapshot` steps, by label.
    pub snapshots: BTreeMap<String, Value>,
    /// The final report (`null` if the topology could not start).
    pub report: Report,
    /// Every traced event.
    pub trace: Vec<TraceEvent>,
    /// Actions that failed without ending the run (fuzzing), by step index.
    pub step_errors: Vec<(usize, String)>,
}

impl RunOutcome {
    /// The `--json` line of docs/scenario.md.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "name": self.name,
            "passed": self.passed,
            "failure": self.failure,
            "snapshots": self.snapshots,
            "report": self.report,
        })
    }
}

/// Run `scenario` to the end (or its first failure) in a fresh simulation.
pub fn run(scenario: &Scenario, opts: &RunOptions) -> RunOutcome {
    let scenario = Rc::new(scenario.clone());
    let opts = opts.clone();
    run_simulation(async move {
        let director = Director { scenario, opts }.start();
        director
            .send(RunScenario)
            .await
            .expect("the director answers")
    })
}

/// The director: runs one scenario's steps in simulated time.
pub struct Director {
    scenario: Rc<Scenario>,
    opts: RunOptions,
}

/// Run the director's scenario.
#[derive(Message)]
#[rtype(result = "RunOutcome")]
pub struct RunScenario;

impl Actor for Director {
    type Context = Context<Self>;
}

impl Handler<RunScenario> for Director {
    type Result = ResponseActFuture<Self, RunOutcome>;

    fn handle(&mut self, _msg: RunScenario, _ctx: &mut Context<Self>) -> Self::Result {
        let scenario = self.scenario.clone();
        let opts = self.opts.clone();
        Box::pin(actix::fut::wrap_future::<_, Self>(async move {
            run_steps(&scenario, &opts).await
        }))
    }
}

/// A step's failure.
struct StepFailure {
    message: String,
    violation: Option<Violation>,
}

impl From<String> for StepFailure {
    fn from(message: String) -> Self {
        StepFailure {
            message,
            violation: None,
        }
    }
}

impl From<Error> for StepFailure {
    fn from(e: Error) -> Self {
        StepFailure::from(e.to_string())
    }
}

struct Run<'a> {
    scenario: &'a Scenario,
    net: Testnet,
    /// Invariants 1 and 2 (see [`invariants::Checker`]).
    checker: invariants::Checker,
    full_invariants: bool,
    snapshots: BTreeMap<String, Value>,
    tolerate: bool,
    step_errors: Vec<(usize, String)>,
    conversion: ConversionTruth,
    /// When the last outage or halt injected so far ends (ms).
    faults_until: u64,
    /// What the "no escaped slash" oracle found (see [`crate::slash_oracle`]).
    escaped_slash: crate::slash_oracle::Findings,
}

/// What the consumers' conversion must be, known from the scenario alone (not from the
/// contracts): price, discount, max cap, the validators whose delegations a chain event
/// changed (their delegations are not predictable from requests alone), and the tombstoned ones
/// (nothing is delegated to them, so the cap is shared by the others).
struct ConversionTruth {
    price: BTreeMap<String, Decimal>,
    discount: BTreeMap<String, Decimal>,
    cap: BTreeMap<String, Uint128>,
    disturbed: BTreeSet<(String, String)>,
    tombstoned: BTreeSet<(String, String)>,
}

impl ConversionTruth {
    fn new(scenario: &Scenario) -> Self {
        let by = |f: &dyn Fn(&crate::scenario::Consumer) -> Decimal| {
            scenario
                .consumers
                .iter()
                .map(|c| (c.chain_id.clone(), f(c)))
                .collect::<BTreeMap<_, _>>()
        };
        ConversionTruth {
            price: by(&|c| c.price.0),
            discount: by(&|c| c.discount.0),
            cap: scenario
                .consumers
                .iter()
                .map(|c| (c.chain_id.clone(), Uint128::new(c.max_cap.0)))
                .collect(),
            disturbed: BTreeSet::new(),
            tombstoned: BTreeSet::new(),
        }
    }

    /// A chain event on a validator changes that validator's delegations in ways requests
    /// alone cannot predict: the check leaves it out from now on.
    fn disturb(&mut self, chain: &str, validator: &str) {
        let key = (chain.to_string(), validator.to_string());
        self.disturbed.insert(key);
    }

    /// What virtual staking should delegate per validator right after an epoch, for
    /// provider-unit `requests`: `floor(floor(x × price) × (1 − discount))`, nothing for a
    /// tombstoned validator, scaled down proportionally (floor each) when the sum exceeds the cap.
    fn expected(
        &self,
        consumer: &str,
        requests: &BTreeMap<String, Uint128>,
    ) -> BTreeMap<String, Uint128> {
        let price = self.price[consumer];
        let keep = Decimal::one() - self.discount[consumer];
        let converted: BTreeMap<String, Uint128> = requests
            .iter()
            .filter(|(v, _)| {
                !self
                    .tombstoned
                    .contains(&(consumer.to_string(), v.to_string()))
            })
            .map(|(v, x)| (v.clone(), x.mul_floor(price).mul_floor(keep)))
            .collect();
        let total: Uint128 = converted.values().copied().sum();
        let cap = self.cap[consumer];
        converted
            .into_iter()
            .map(|(v, x)| {
                let scaled = if total > cap {
                    x.multiply_ratio(cap, total)
                } else {
                    x
                };
                (v, scaled)
            })
            .filter(|(_, x)| !x.is_zero())
            .collect()
    }
}

async fn run_steps(scenario: &Scenario, opts: &RunOptions) -> RunOutcome {
    let mut spec = topology::topology(scenario, opts.seed);
    let base = opts.base_dir.as_deref().unwrap_or(Path::new("."));
    let codes = topology::codes(scenario, base, &opts.codes);
    let mut outcome = RunOutcome {
        name: scenario.name.clone(),
        passed: false,
        failure: None,
        violation: None,
        failed_step: None,
        snapshots: BTreeMap::new(),
        report: Report::new(Value::Null),
        trace: vec![],
        step_errors: vec![],
    };
    match codes {
        Ok(codes) => spec.codes = codes,
        Err(e) => {
            outcome.failure = Some(format!("the topology did not start: {e}"));
            return outcome;
        }
    }
    let trace = mesh_actors::trace::Trace::default();
    trace.set_limit(opts.max_events);
    let net = match Testnet::start_traced(&spec, trace).await {
        Ok(net) => net,
        Err(e) => {
            outcome.failure = Some(format!("the topology did not start: {e}"));
            return outcome;
        }
    };
    // The report's names come from the topology, and grow as steps add validators and name
    // reward recipients; the checker follows the topology's users.
    let checker = match invariants::genesis_supplies(&net).await {
        Ok(genesis) => invariants::Checker::new(&net, &net.names(), &genesis).await,
        Err(e) => Err(e),
    };
    let checker = match checker {
        Ok(c) => c,
        Err(e) => {
            outcome.failure = Some(e);
            return outcome;
        }
    };
    let mut run = Run {
        scenario,
        net,
        checker,
        full_invariants: opts.full_invariants,
        snapshots: BTreeMap::new(),
        tolerate: opts.tolerate_action_errors,
        step_errors: vec![],
        conversion: ConversionTruth::new(scenario),
        faults_until: 0,
        escaped_slash: Default::default(),
    };
    if let Err(e) = run.watch_slashes().await {
        outcome.failure = Some(e);
        return outcome;
    }
    let mut failure = None;
    for (index, step) in scenario.steps.iter().enumerate() {
        let action = step.action.name();
        run.net.trace().record(
            run.net.now_ms(),
            TraceKind::Step {
                index,
                action: action.to_string(),
            },
        );
        let result = match run.step(step).await {
            Err(e) if run.tolerate && e.violation.is_none() && step.expect_error.is_none() => {
                run.step_errors.push((index, e.message));
                Ok(())
            }
            other => other,
        };
        let result = match (result, run.net.trace().exceeded()) {
            (_, Some(max)) => Err(StepFailure::from(format!(
                "the run's work budget of {max} traced events ran out (raise it with \
                 --max-events)"
            ))),
            (Ok(()), None) => run.check_invariants(&step.action).await,
            (Err(e), None) => Err(e),
        };
        if let Err(f) = result {
            let when = report::format_duration_ms(run.net.now_ms());
            failure = Some((
                index,
                StepFailure {
                    message: format!("step {index} ({action}) at t={when}: {}", f.message),
                    violation: f.violation,
                },
            ));
            break;
        }
    }
    if failure.is_none() {
        if let Err(f) = run.check_end().await {
            let when = report::format_duration_ms(run.net.now_ms());
            failure = Some((
                scenario.steps.len(),
                StepFailure {
                    message: format!("at the end (t={when}): {}", f.message),
                    violation: f.violation,
                },
            ));
        }
    }
    if !opts.lean {
        outcome.report = run
            .net
            .report()
            .await
            .unwrap_or_else(|e| Report::new(Value::String(format!("report failed: {e}"))));
    }
    // Contracts and chains speak in addresses; the user wrote names.
    let book = AddressBook::of(&run.net, &run.names()).await;
    outcome.snapshots = std::mem::take(&mut run.snapshots);
    outcome.step_errors = std::mem::take(&mut run.step_errors)
        .into_iter()
        .map(|(i, e)| (i, book.humanize(&e)))
        .collect();
    if !opts.lean {
        outcome.trace = run
            .net
            .trace()
            .events()
            .iter()
            .map(|e| book.humanize_event(e))
            .collect();
    }
    match failure {
        None => outcome.passed = true,
        Some((index, f)) => {
            outcome.failed_step = Some(index);
            outcome.failure = Some(book.humanize(&f.message));
            outcome.violation = f.violation.map(|v| Violation {
                detail: book.humanize(&v.detail),
                ..v
            });
        }
    }
    outcome
}

/// Remove what changes by itself (times and heights, and the gas a failed action burned)
/// before comparing two reports.
fn without_clock(mut report: Value) -> Value {
    if let Some(map) = report.as_object_mut() {
        map.remove("time");
        map.remove("time_ms");
        map.remove("gas");
        for part in ["provider"] {
            if let Some(p) = map.get_mut(part).and_then(Value::as_object_mut) {
                p.remove("height");
                p.remove("time");
            }
        }
        if let Some(consumers) = map.get_mut("consumers").and_then(Value::as_object_mut) {
            for c in consumers.values_mut() {
                if let Some(c) = c.as_object_mut() {
                    c.remove("height");
                    c.remove("time");
                }
            }
        }
    }
    report
}

/// The first path where two JSON values differ.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => first_difference(u, v, &p),
                    (u, v) => Some(format!("{p}: {} -> {}", show(u), show(v))),
                }
            })
        }
        _ if a != b => Some(format!("{path}: {a} -> {b}")),
        _ => None,
    }
}

fn show(v: Option<&Value>) -> String {
    v.map(Value::to_string).unwrap_or_else(|| "(absent)".into())
}

/// The chains an action's transaction or event acts on (it brings them to the current block
/// first). One place to extend for a new action.
fn action_chains(scenario: &Scenario, action: &Action) -> Vec<String> {
    let provider = || vec![scenario.provider.chain_id.clone()];
    match action {
        Action::Bond(_)
        | Action::Unbond(_)
        | Action::StakeLocal(_)
        | Action::UnstakeLocal(_)
        | Action::RestakeLocal(_)
        | Action::ReleaseLocal(_)
        | Action::StakeRemote(_)
        | Action::UnstakeRemote(_)
        | Action::WithdrawUnbondedRemote(_)
        | Action::WithdrawRewards(_) => provider(),
        Action::SetPrice(a) => vec![a.consumer.clone()],
        Action::SetMaxCap(a) => vec![a.consumer.clone()],
        Action::Jail(v) | Action::Unjail(v) | Action::RemoveValidator(v) => vec![v.chain.clone()],
        Action::Tombstone(v) => vec![v.chain.clone()],
        Action::AddValidator(v) => vec![v.chain.clone()],
        Action::CloseChannel(c) => vec![scenario.provider.chain_id.clone(), c.consumer.clone()],
        Action::Wait(_)
        | Action::Settle(_)
        | Action::Epoch(_)
        | Action::Drain(_)
        | Action::Fault(_)
        | Action::Expect(_)
        | Action::Snapshot(_) => vec![],
    }
}

impl Run<'_> {
    /// The names the report and the invariants use (the testnet's).
    fn names(&self) -> ReportNames {
        self.net.names()
    }

    async fn step(&mut self, step: &Step) -> Result<(), StepFailure> {
        if let Action::Drain(_) = step.action {
            return self.drain().await;
        }
        // An action that can be refused first brings the chains it acts on to the current block
        // (as its transaction would), in every mode: then reading the report around an
        // `expect_error` step (at rest, see `report::build_at_rest`) changes nothing, and a
        // fuzz run replays exactly once its refused steps carry `expect_error`.
        if step.action.accepts_expect_error() {
            for chain in action_chains(self.scenario, &step.action) {
                let _ = self.net.with_chain(&chain, |c, now| c.advance(now)).await?;
            }
        }
        match &step.expect_error {
            None => self
                .act(&step.action)
                .await
                .map_err(|e| format!("failed: {e}").into()),
            Some(expected) => {
                let before = self.net.report_at_rest().await?.into_json();
                match self.act(&step.action).await {
                    Ok(()) => Err(format!(
                        "expected an error containing {expected:?}, but it succeeded"
                    )
                    .into()),
                    Err(e) if !e.contains(expected.as_str()) => {
                        Err(format!("expected an error containing {expected:?}, got: {e}").into())
                    }
                    Err(_) => {
                        let after = self.net.report_at_rest().await?.into_json();
                        match first_difference(&without_clock(before), &without_clock(after), "") {
                            None => Ok(()),
                            Some(d) => {
                                Err(format!("the failed action changed the state: {d}").into())
                            }
                        }
                    }
                }
            }
        }
    }

    async fn report(&self) -> Result<Value, String> {
        Ok(self.net.report().await?.into_json())
    }

    /// Run one action: the testnet's method of the same name (contract and chain refusals
    /// read as the contract or chain said them), plus what the conversion check must know.
    async fn act(&mut self, action: &Action) -> Result<(), String> {
        let net = &self.net;
        match action {
            Action::Bond(a) => net.bond(&a.user, a.amount.0).await.map_err(said)?,
            Action::Unbond(a) => net.unbond(&a.user, a.amount.0).await.map_err(said)?,
            Action::StakeLocal(a) => net
                .stake_local(&a.user, &a.validator, a.amount.0)
                .await
                .map_err(said)?,
            Action::UnstakeLocal(a) => net
                .unstake_local(&a.user, &a.validator, a.amount.0)
                .await
                .map_err(said)?,
            Action::RestakeLocal(a) => net
                .restake_local(&a.user, &a.from, &a.to, a.amount.0)
                .await
                .map_err(said)?,
            Action::ReleaseLocal(a) => net.release_local(&a.user).await.map_err(said)?,
            Action::StakeRemote(a) => net
                .stake_remote(&a.user, &a.consumer, &a.validator, a.amount.0)
                .await
                .map_err(said)?,
            Action::UnstakeRemote(a) => net
                .unstake_remote(&a.user, &a.consumer, &a.validator, a.amount.0)
                .await
                .map_err(said)?,
            Action::WithdrawUnbondedRemote(a) => net
                .withdraw_unbonded_remote(&a.user, &a.consumer)
                .await
                .map_err(said)?,
            Action::WithdrawRewards(a) => net
                .withdraw_rewards(&a.user, &a.consumer, &a.validator, &a.recipient)
                .await
                .map_err(said)?,
            Action::Wait(d) => {
                let until = net.now_ms() + d.millis();
                net.wait(Duration::from_millis(d.0)).await;
                // The runtime's timers have limits of their own; a wait must never end early
                // without saying so (the scenario limits keep it far from them).
                if net.now_ms() != until {
                    return Err(format!(
                        "the simulated clock stopped at t={} instead of t={}",
                        report::format_duration_ms(net.now_ms()),
                        report::format_duration_ms(until)
                    ));
                }
            }
            Action::Settle(s) => net
                .settle(Duration::from_millis(s.within_or_default().0))
                .await
                .map_err(said)?,
            Action::Epoch(c) => {
                // The conversion check reads the books as the epoch leaves them.
                net.with_chain(&c.consumer, |chain, _| chain.want_epoch_books())
                    .await
                    .map_err(said)?;
                net.epoch(&c.consumer).await.map_err(said)?
            }
            Action::SetPrice(p) => {
                net.set_price(&p.consumer, p.price.0).await.map_err(said)?;
                self.conversion.price.insert(p.consumer.clone(), p.price.0);
            }
            Action::SetMaxCap(m) => {
                net.set_max_cap(&m.consumer, m.amount.0)
                    .await
                    .map_err(said)?;
                let cap = Uint128::new(m.amount.0);
                self.conversion.cap.insert(m.consumer.clone(), cap);
            }
            Action::Jail(v) | Action::Unjail(v) | Action::RemoveValidator(v) => {
                self.conversion.disturb(&v.chain, &v.validator);
                let (chain, validator) = (&v.chain, &v.validator);
                match action {
                    Action::Jail(_) => net.jail(chain, validator).await,
                    Action::Unjail(_) => net.unjail(chain, validator).await,
                    _ => net.remove_validator(chain, validator).await,
                }
                .map_err(said)?
            }
            Action::Tombstone(t) => {
                self.conversion.disturb(&t.chain, &t.validator);
                net.tombstone(&t.chain, &t.validator, t.power)
                    .await
                    .map_err(said)?;
                let key = (t.chain.clone(), t.validator.clone());
                self.conversion.tombstoned.insert(key);
            }
            Action::AddValidator(a) => {
                self.conversion.disturb(&a.chain, &a.validator);
                net.add_validator(&a.chain, &a.validator, a.stake.0)
                    .await
                    .map_err(said)?
            }
            Action::CloseChannel(c) => net.close_channel(&c.consumer).await.map_err(said)?,
            Action::Fault(f) => self.fault(f).await?,
            Action::Drain(_) => return Err("drain runs as a step of its own".into()),
            Action::Expect(expectations) => {
                let report = self.report().await?;
                let mismatches: Vec<String> = expectations
                    .iter()
                    .filter_map(|(path, expected)| {
                        let got = report::lookup(&report, path);
                        (!report::matches(expected, got))
                            .then(|| format!("{path}: expected {expected}, got {}", show(got)))
                    })
                    .collect();
                if !mismatches.is_empty() {
                    let total = expectations.0.len();
                    let head = if total == 1 {
                        "expect".to_owned()
                    } else {
                        format!("expect ({} of {total} paths differ)", mismatches.len())
                    };
                    return Err(format!("{head} {}", mismatches.join("; ")));
                }
            }
            Action::Snapshot(label) => {
                let report = self.report().await?;
                self.snapshots.insert(label.clone(), report);
            }
        }
        Ok(())
    }

    async fn fault(&mut self, fault: &Fault) -> Result<(), String> {
        let net = &self.net;
        let now = net.now_ms();
        match fault {
            Fault::LinkOutage { outage: d, .. } | Fault::ChainHalt { halt: d, .. } => {
                self.faults_until = self.faults_until.max(now.saturating_add(d.0));
            }
            _ => {}
        }
        let result = match fault {
            Fault::LinkDelay { link, delay } => net.set_delay(link, topology::delay(delay)).await,
            Fault::LinkDrop { link, drop_next } => net.drop_next(link, *drop_next).await,
            Fault::LinkOutage { link, outage } => {
                net.outage(link, Duration::from_millis(outage.0)).await
            }
            Fault::ChainHalt { chain, halt } => {
                net.halt(chain, Duration::from_millis(halt.0)).await
            }
            Fault::ContractFail {
                contract,
                consumer,
                fail_next,
            } => {
                let id = match contract {
                    FaultContract::Converter => ContractId::converter(consumer),
                    FaultContract::ExternalStaking => ContractId::external_staking(consumer),
                };
                net.fail_next(&id, *fail_next).await
            }
        };
        result.map_err(said)
    }

    /// Install the "no escaped slash" oracle on the provider chain.
    async fn watch_slashes(&self) -> Result<(), String> {
        let provider = self.net.provider_id().to_string();
        let names = self.names();
        let vault = self.net.contract(&ContractId::Vault)?.deployed.addr;
        let mut externals = BTreeMap::new();
        for c in &names.consumers {
            externals.insert(
                self.net
                    .contract(&ContractId::external_staking(&c.id))?
                    .deployed
                    .addr,
                c.id.clone(),
            );
        }
        let users = names
            .users
            .iter()
            .map(|u| (u.clone(), self.net.addr(&provider, u)))
            .collect();
        let native = self.net.contract(&ContractId::NativeStaking)?.deployed.addr;
        let oracle = crate::slash_oracle::SlashOracle::new(
            vault,
            native,
            externals,
            users,
            self.escaped_slash.clone(),
        );
        self.net
            .with_chain(&provider, move |chain, _| {
                chain.set_receive_observer(Box::new(oracle))
            })
            .await
            .map_err(String::from)
    }

    async fn check_invariants(&mut self, action: &Action) -> Result<(), StepFailure> {
        let found = self.escaped_slash.lock().expect("oracle lock").take();
        if let Some(v) = found {
            return Err(StepFailure {
                message: v.to_string(),
                violation: Some(v),
            });
        }
        // Only what the step touched, except at a settle (and at the end): everything.
        let full = self.full_invariants || matches!(action, Action::Settle(_));
        let scope = if full {
            invariants::Scope::Full
        } else {
            invariants::Scope::Touched
        };
        let broken = self.checker.check(&self.net, scope).await?;
        if let Err(v) = broken {
            return Err(StepFailure {
                message: v.to_string(),
                violation: Some(v),
            });
        }
        if let Action::Epoch(c) = action {
            if let Err(v) = self.check_conversion(&c.consumer).await? {
                return Err(StepFailure {
                    message: v.to_string(),
                    violation: Some(v),
                });
            }
        }
        if matches!(action, Action::Settle(_)) {
            if let Err(v) = invariants::check_settled(&self.net, &self.names()).await? {
                return Err(StepFailure {
                    message: v.to_string(),
                    violation: Some(v),
                });
            }
        }
        Ok(())
    }

    /// After an epoch: every undisturbed validator's virtual delegation, as the epoch left it, is
    /// the spec's conversion of the provider's request then (see [`ConversionTruth::expected`]).
    async fn check_conversion(&self, consumer: &str) -> Result<Result<(), Violation>, String> {
        let books = self
            .net
            .with_chain(consumer, |chain, _| {
                let height = chain.app_ref().block_info().height;
                chain
                    .last_epoch_books()
                    .filter(|b| b.height == height)
                    .cloned()
            })
            .await?;
        // No epoch in the current block (the step could not run one, e.g. on a halted chain):
        // nothing to check.
        let Some(books) = books else {
            return Ok(Ok(()));
        };
        // The books as the epoch left them: packets and slashes later in the same block come
        // after the epoch (it runs when the block begins).
        let (requests, delegated) = (books.requests, books.delegated);
        let expected = self.conversion.expected(consumer, &requests);
        let keep = |m: &BTreeMap<String, Uint128>| -> BTreeMap<String, Uint128> {
            m.iter()
                .filter(|(v, _)| {
                    !self
                        .conversion
                        .disturbed
                        .contains(&(consumer.to_string(), v.to_string()))
                })
                .map(|(v, a)| (v.clone(), *a))
                .collect()
        };
        // What the chain's dust took of the cap: a disturbed validator's delegation above its
        // target (an undelegation of slashed shares paid a unit less and left it delegated).
        let dust: Uint128 = delegated
            .iter()
            .filter(|(v, _)| {
                self.conversion
                    .disturbed
                    .contains(&(consumer.to_string(), v.to_string()))
            })
            .map(|(v, d)| d.saturating_sub(expected.get(v).copied().unwrap_or_default()))
            .sum();
        let (expected, delegated) = (keep(&expected), keep(&delegated));
        // Each delegation is its target; under a cap the dust fills, the others may fall short
        // of their targets by that dust in all.
        let below = |v: &String, e: &Uint128| {
            e.saturating_sub(delegated.get(v).copied().unwrap_or_default())
        };
        let short: Uint128 = expected.iter().map(|(v, e)| below(v, e)).sum();
        let over = delegated
            .iter()
            .any(|(v, d)| *d > expected.get(v).copied().unwrap_or_default());
        let same_keys = expected
            .keys()
            .all(|v| delegated.contains_key(v) || expected[v] <= dust);
        if (expected != delegated) && (over || !same_keys || short > dust) {
            return Ok(Err(Violation {
                invariant: "conversion",
                detail: format!(
                    "{consumer}: after the epoch, virtual delegations {} != requests {} converted at price {} discount {} under cap {} = {}",
                    amounts(&delegated),
                    amounts(&requests),
                    self.conversion.price[consumer],
                    self.conversion.discount[consumer],
                    self.conversion.cap[consumer],
                    amounts(&expected)
                ),
            }));
        }
        Ok(Ok(()))
    }

    async fn check_end(&mut self) -> Result<(), StepFailure> {
        self.full_invariants = true;
        self.check_invariants(&Action::Wait(crate::scenario::DurationValue(0)))
            .await?;
        if self.net.is_settled().await? {
            if let Err(v) = invariants::check_settled(&self.net, &self.names()).await? {
                return Err(StepFailure {
                    message: v.to_string(),
                    violation: Some(v),
                });
            }
        }
        Ok(())
    }
}

/// A library error as the contract or chain said it (the runner's failure lines and
/// `expect_error` read the refusal itself, without the contract's name in front).
fn said(e: Error) -> String {
    e.reason()
}
