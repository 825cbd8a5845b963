//! The seeded scenario generator: a random topology (1–4 consumers, block times, delays,
//! prices, caps), users with balances, and a body of steps mixing every user action, chain
//! event and fault kind; then the fixed tail of [`tail`].
//!
//! The generator keeps a rough model of what each user holds (collateral, liens, stakes) so that
//! most actions are valid and exercise the system; about one in eight is deliberately invalid
//! (too large, nothing to release, a jailed validator...) to exercise the errors. Generated
//! steps carry no `expect_error`: the fuzzer runs them with
//! [`RunOptions::tolerate_action_errors`](crate::runner::RunOptions).
//!
//! Steps that cannot carry `expect_error` (wait, settle, epoch, fault) must never fail, so a
//! written regression case replays exactly: the generator never asks for an epoch while the
//! consumer may still be halted (it tracks a lower bound of simulated time, the sum of waits).

use cosmwasm_std::Decimal;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

use crate::scenario::limits;
use crate::scenario::{
    AccountBalance, Action, AddValidatorArgs, Amount, ChainValidator, Consumer, ConsumerOnly,
    Delay, DrainArgs, DurationValue, Fault, FaultContract, LocalRestake, LocalStake, Ratio,
    RemoteStake, Scenario, SetMaxCapArgs, SetPriceArgs, SettleArgs, Step, TombstoneArgs,
    UserAmount, UserConsumer, UserOnly, ValidatorSpec, WithdrawRewardsArgs,
};

/// Chain ids and denoms of the (up to four) generated consumers, in order.
pub const CONSUMERS: [(&str, &str); 4] = [
    ("juno", "ujuno"),
    ("stars", "ustars"),
    ("akash", "uakt"),
    ("evmos", "aevmos"),
];

/// Names of the (up to three) generated users.
pub const USERS: [&str; 3] = ["alice", "bob", "carol"];

/// How long the tail's settle may take once every fault has ended: the pending-tx invariant (docs/system.md)
/// ("every pending tx ends within its packet timeout plus relay delay once faults end") with
/// the longest generated packet timeout (30 min) and relay delays (30 s each way), rounded up.
pub const SETTLE_WITHIN: DurationValue = DurationValue::from_secs(3_600);

/// How long a settle in the body may take: faults may still be active then, but none lasts
/// beyond 3 h (no settle follows a drop), so 6 h is invariant 4's bound plus the longest fault.
pub const BODY_SETTLE_WITHIN: DurationValue = DurationValue::from_secs(6 * 3_600);

/// The shortest time between two epochs of a generated consumer: longer than a packet's round
/// trip (two relay delays of at most 30 s). With shorter epochs a consumer never settles: each
/// reward batch's ack lands after the next epoch boundary, so the block it makes runs that
/// epoch, which sends the rewards accrued since as a new batch, forever.
pub const MIN_EPOCH_PERIOD: u64 = 90_000;

const SEC: u64 = 1_000;
const MIN: u64 = 60 * SEC;
const HOUR: u64 = 60 * MIN;
const DAY: u64 = 24 * HOUR;

/// A generated case: the topology (a scenario without steps) and the body of steps. The full
/// scenario is the body followed by the [`tail`], which is regenerated from the body, so a
/// shrunk body keeps a correct tail.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// Chains, users, seed; `steps` is empty.
    pub topology: Scenario,
    /// The random steps.
    pub body: Vec<Step>,
}

impl Case {
    /// The scenario to run: the body, then the tail.
    pub fn scenario(&self) -> Scenario {
        let mut s = self.topology.clone();
        s.steps = self.body.clone();
        s.steps.extend(tail(&self.topology, &self.body));
        s
    }
}

/// The end of every generated scenario: lift the faults the body injected (each link's delay
/// back to its configured delay, no more drops, no more failing receives), wait until every
/// outage and halt is over (and, after drops, until dropped packets have timed out), settle
/// (the runner then checks the settled invariants), run one epoch per consumer (the runner
/// checks the conversion after each), and drain: unstake, withdraw and release everything, so a
/// lien that can never be released is found. Faults the body never injected need no lifting.
pub fn tail(topology: &Scenario, body: &[Step]) -> Vec<Step> {
    let injected = |pred: &dyn Fn(&Fault) -> bool| {
        body.iter()
            .any(|s| matches!(&s.action, Action::Fault(f) if pred(f)))
    };
    let mut steps = vec![];
    for c in &topology.consumers {
        let id = c.chain_id.as_str();
        if injected(&|f| matches!(f, Fault::LinkDelay { link, .. } if link == id)) {
            steps.push(fault(Fault::LinkDelay {
                link: id.to_string(),
                delay: c.link.delay,
            }));
        }
        if injected(&|f| matches!(f, Fault::LinkDrop { link, .. } if link == id)) {
            steps.push(fault(Fault::LinkDrop {
                link: id.to_string(),
                drop_next: 0,
            }));
        }
        for contract in [FaultContract::Converter, FaultContract::ExternalStaking] {
            let armed = injected(&|f| {
                matches!(f, Fault::ContractFail { contract: k, consumer, .. }
                    if *k == contract && consumer == id)
            });
            if armed {
                steps.push(fault(Fault::ContractFail {
                    contract,
                    consumer: id.to_string(),
                    fail_next: 0,
                }));
            }
        }
    }
    let wait = tail_wait(body);
    if wait > 0 {
        steps.push(Step::new(Action::Wait(DurationValue(wait))));
    }
    steps.push(Step::new(Action::Settle(SettleArgs {
        within: Some(SETTLE_WITHIN),
    })));
    for c in &topology.consumers {
        steps.push(Step::new(Action::Epoch(ConsumerOnly {
            consumer: c.chain_id.clone(),
        })));
    }
    steps.push(Step::new(Action::Drain(DrainArgs {})));
    steps
}

/// How long the tail waits before settling: past the longest outage or halt of the body (each
/// started before the tail, so it is over by then), plus two minutes of relaying; after a drop,
/// past the longest packet timeout (24 h), so the settle does not poll through it.
fn tail_wait(body: &[Step]) -> u64 {
    let mut longest = 0;
    let mut dropped = false;
    for step in body {
        match &step.action {
            Action::Fault(Fault::LinkOutage { outage, .. }) => longest = longest.max(outage.0),
            Action::Fault(Fault::ChainHalt { halt, .. }) => longest = longest.max(halt.0),
            Action::Fault(Fault::LinkDrop { drop_next, .. }) if *drop_next > 0 => dropped = true,
            _ => {}
        }
    }
    let mut wait = if longest > 0 { longest + 2 * MIN } else { 0 };
    if dropped {
        wait = wait.max(DAY + 10 * MIN);
    }
    wait
}

/// Whether a (shrunk) case keeps the generator's guarantees, so that a failure is the
/// contracts' and not the generator's: epochs further apart than [`MIN_EPOCH_PERIOD`], no
/// settle in the body after a `drop_next`, no epoch while its consumer may be halted.
pub fn well_formed(case: &Case) -> bool {
    let epochs_ok = case
        .topology
        .consumers
        .iter()
        .all(|c| c.epoch_blocks * c.block_time.0 >= MIN_EPOCH_PERIOD);
    let mut dropped = false;
    let mut t = 0;
    let mut halted_until: BTreeMap<&str, u64> = BTreeMap::new();
    for step in &case.body {
        match &step.action {
            Action::Fault(Fault::LinkDrop { drop_next, .. }) if *drop_next > 0 => dropped = true,
            Action::Settle(_) if dropped => return false,
            Action::Wait(d) => t += d.0,
            Action::Fault(Fault::ChainHalt { chain, halt }) => {
                let until = halted_until.entry(chain).or_default();
                *until = (*until).max(t + halt.0);
            }
            Action::Epoch(e)
                if halted_until
                    .get(e.consumer.as_str())
                    .is_some_and(|u| *u > t) =>
            {
                return false
            }
            _ => {}
        }
    }
    epochs_ok
}

fn fault(f: Fault) -> Step {
    Step::new(Action::Fault(f))
}

/// The most body steps `fuzz --steps` accepts: fifty times a long campaign's 200. (A case's
/// steps must also fit the simulation horizon, see [`generate`].)
pub const MAX_STEPS: usize = 10_000;

/// Generate the case of `seed` with `steps` body steps, or fewer when the time its steps can
/// take (waits, settle bounds, epochs, halts and the tail's drain) would pass the simulation
/// horizon: then the body is the longest prefix that fits, so the case still loads as a
/// scenario file. Waits average about a tenth of a day per step, so this shortens only cases
/// of many thousand steps (never one of 400 steps or fewer: no step can take more than 22
/// days).
pub fn generate(seed: u64, steps: usize) -> Case {
    generate_within(seed, steps, limits::HORIZON.millis())
}

/// [`generate`] with `horizon` (ms) in place of the simulation horizon.
fn generate_within(seed: u64, steps: usize, horizon: u64) -> Case {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let topology = topology(&mut rng, seed);
    let mut model = Model::new(&topology);
    let mut body: Vec<Step> = vec![];
    // The body's own bound grows with every step: once it alone passes the horizon, no longer
    // body fits (this also ends the loop for any `steps`).
    let mut bound = limits::START_TIME.millis();
    while body.len() < steps && bound <= horizon {
        for step in model.steps(&mut rng) {
            bound = bound.saturating_add(limits::step_time(&topology, &step.action));
            body.push(step);
        }
    }
    body.truncate(steps);
    let case = |len: usize| Case {
        topology: topology.clone(),
        body: body[..len].to_vec(),
    };
    let fits = |len: usize| limits::time_bound(&case(len).scenario()) <= horizon;
    if fits(body.len()) {
        return case(body.len());
    }
    // The longest prefix whose scenario (body and tail) fits: the bound only grows with the
    // prefix (every step adds its time, and the tail waits out the longest fault so far).
    let (mut lo, mut hi) = (0, body.len());
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    case(lo)
}

fn secs(s: u64) -> DurationValue {
    DurationValue::from_secs(s)
}

fn percent(p: u64) -> Ratio {
    Ratio(Decimal::percent(p))
}

/// A random duration in `[lo, hi]` ms, rounded to whole seconds (whole minutes above an hour).
fn duration(rng: &mut ChaCha8Rng, lo: u64, hi: u64) -> DurationValue {
    let ms = rng.gen_range(lo..=hi);
    let unit = if ms >= HOUR { MIN } else { SEC };
    DurationValue((ms / unit).max(1) * unit)
}

/// Keep three significant digits (amounts read better and shrink to round numbers).
fn round3(x: u128) -> u128 {
    let mut scale = 1;
    while x / scale >= 1_000 {
        scale *= 10;
    }
    (x / scale) * scale
}

/// A random amount in `[lo, hi]` (three significant digits, at least `lo` when possible).
fn amount(rng: &mut ChaCha8Rng, lo: u128, hi: u128) -> u128 {
    if hi <= lo {
        return hi;
    }
    round3(rng.gen_range(lo..=hi)).max(lo.min(hi))
}

fn random_delay(rng: &mut ChaCha8Rng) -> Delay {
    if rng.gen_bool(0.7) {
        Delay::Fixed(secs(rng.gen_range(1..=30)))
    } else {
        let min = rng.gen_range(1..=10);
        Delay::Range {
            min: secs(min),
            max: secs(rng.gen_range(min..=30)),
        }
    }
}

fn random_price(rng: &mut ChaCha8Rng) -> Ratio {
    percent(rng.gen_range(5..=400))
}

fn topology(rng: &mut ChaCha8Rng, seed: u64) -> Scenario {
    let mut s = Scenario::new(format!("fuzz seed {seed}"));
    s.seed = seed;
    s.provider.block_time = secs(rng.gen_range(1..=10));
    if rng.gen_bool(0.3) {
        s.provider.unbonding_period = duration(rng, HOUR, 3 * DAY);
    }
    s.provider.validators = (1..=rng.gen_range(1..=3))
        .map(|i| ValidatorSpec::new(format!("val{i}")))
        .collect();
    for &(id, denom) in &CONSUMERS[..rng.gen_range(1..=4)] {
        let mut c = Consumer::new(id);
        c.denom = denom.to_string();
        c.block_time = secs(rng.gen_range(1..=10));
        c.validators = (1..=rng.gen_range(1..=3))
            .map(|i| ValidatorSpec::new(format!("{id}-val{i}")))
            .collect();
        if rng.gen_bool(0.3) {
            c.price = random_price(rng);
        }
        if rng.gen_bool(0.3) {
            c.discount = percent(rng.gen_range(0..=50));
        }
        match rng.gen_range(0..10) {
            0..=5 => {}
            6..=8 => c.max_cap = Amount(amount(rng, 10_000_000, 1_000_000_000)),
            _ => c.max_cap = Amount(amount(rng, 100_000, 10_000_000)),
        }
        // Epochs further apart than a packet's round trip (see [`MIN_EPOCH_PERIOD`]).
        let fewest = MIN_EPOCH_PERIOD.div_ceil(c.block_time.0).max(5);
        c.epoch_blocks = rng.gen_range(fewest..=fewest.max(100));
        if rng.gen_bool(0.3) {
            c.external_staking.unbonding_period = duration(rng, HOUR, 3 * DAY);
        }
        c.link.delay = random_delay(rng);
        if rng.gen_bool(0.3) {
            c.link.packet_timeout = secs(60 * rng.gen_range(1..=30));
        }
        s.consumers.push(c);
    }
    for user in &USERS[..rng.gen_range(1..=3)] {
        let balance = amount(rng, 1_000_000_000, 10_000_000_000);
        s.accounts
            .insert(user.to_string(), AccountBalance::Amount(Amount(balance)));
    }
    s
}

/// What the generator believes the system holds, to pick mostly valid actions. It assumes every
/// action succeeds; faults make it drift, which only makes some later actions invalid.
struct Model {
    users: Vec<String>,
    provider: String,
    provider_validators: Vec<String>,
    /// (chain id, validators, packet timeout ms, slash ratio dsign) of each consumer.
    consumers: Vec<(String, Vec<String>, u64, Decimal)>,
    native_ratio: Decimal,
    wallet: BTreeMap<String, u128>,
    collateral: BTreeMap<String, u128>,
    /// (user, lienholder: "native" or a consumer) → lien.
    liens: BTreeMap<(String, String), u128>,
    local: BTreeMap<(String, String), u128>,
    remote: BTreeMap<(String, String, String), u128>,
    jailed: BTreeSet<(String, String)>,
    tombstoned: BTreeSet<(String, String)>,
    /// Validators whose self-bond was removed (never active again).
    removed: BTreeSet<(String, String)>,
    /// Validators created so far (their names are numbered).
    added: usize,
    /// Chain → lower bound of the end of its latest halt (ms of [`Model::t`]).
    halted_until: BTreeMap<String, u64>,
    /// A lower bound of simulated time: the sum of the waits so far.
    t: u64,
    /// A `drop_next` fault was injected (it may still be armed).
    dropped: bool,
}

/// The kinds of body steps and their weights.
const KINDS: &[(Kind, u32)] = &[
    (Kind::Bond, 12),
    (Kind::Unbond, 4),
    (Kind::StakeLocal, 7),
    (Kind::UnstakeLocal, 4),
    (Kind::RestakeLocal, 2),
    (Kind::ReleaseLocal, 2),
    (Kind::StakeRemote, 16),
    (Kind::UnstakeRemote, 8),
    (Kind::WithdrawUnbondedRemote, 3),
    (Kind::WithdrawRewards, 3),
    (Kind::Wait, 9),
    (Kind::Settle, 3),
    (Kind::Epoch, 5),
    (Kind::SetPrice, 2),
    (Kind::SetMaxCap, 2),
    (Kind::Jail, 2),
    (Kind::Unjail, 2),
    (Kind::Tombstone, 1),
    (Kind::AddValidator, 1),
    (Kind::RemoveValidator, 1),
    (Kind::Delay, 3),
    (Kind::DropNext, 3),
    (Kind::Outage, 3),
    (Kind::Halt, 2),
    (Kind::FailConverter, 3),
    (Kind::FailExternal, 2),
    (Kind::Pattern, 5),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Bond,
    Unbond,
    StakeLocal,
    UnstakeLocal,
    RestakeLocal,
    ReleaseLocal,
    StakeRemote,
    UnstakeRemote,
    WithdrawUnbondedRemote,
    WithdrawRewards,
    Wait,
    Settle,
    Epoch,
    SetPrice,
    SetMaxCap,
    Jail,
    Unjail,
    Tombstone,
    AddValidator,
    RemoveValidator,
    Delay,
    DropNext,
    Outage,
    Halt,
    FailConverter,
    FailExternal,
    /// A few steps together that set up a known slashing race (see [`Model::pattern`]).
    Pattern,
}

/// Share of user actions made deliberately invalid.
const INVALID: f64 = 0.12;

impl Model {
    fn new(s: &Scenario) -> Self {
        let users: Vec<String> = s.accounts.keys().cloned().collect();
        let wallet = s
            .genesis_balances()
            .into_iter()
            .map(|(u, b)| {
                let a = b.get(&s.provider.denom).map(|a| a.0).unwrap_or(0);
                (u, a)
            })
            .collect();
        Model {
            users,
            provider: s.provider.chain_id.clone(),
            provider_validators: s
                .provider
                .validators
                .iter()
                .map(|v| v.name.clone())
                .collect(),
            consumers: s
                .consumers
                .iter()
                .map(|c| {
                    (
                        c.chain_id.clone(),
                        c.validators.iter().map(|v| v.name.clone()).collect(),
                        c.link.packet_timeout.0,
                        c.external_staking.slash_ratio_dsign.0,
                    )
                })
                .collect(),
            native_ratio: s.provider.native_staking.slash_ratio_dsign.0,
            wallet,
            collateral: BTreeMap::new(),
            liens: BTreeMap::new(),
            local: BTreeMap::new(),
            remote: BTreeMap::new(),
            jailed: BTreeSet::new(),
            tombstoned: BTreeSet::new(),
            removed: BTreeSet::new(),
            added: 0,
            halted_until: BTreeMap::new(),
            t: 0,
            dropped: false,
        }
    }

    /// The next steps: one action, or the few of a pattern.
    fn steps(&mut self, rng: &mut ChaCha8Rng) -> Vec<Step> {
        let total: u32 = KINDS.iter().map(|(_, w)| w).sum();
        let mut pick = rng.gen_range(0..total);
        let kind = KINDS
            .iter()
            .find(|(_, w)| {
                if pick < *w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .map(|(k, _)| *k)
            .expect("weights cover the range");
        if kind == Kind::Pattern {
            return self.pattern(rng).into_iter().map(Step::new).collect();
        }
        vec![Step::new(self.action(rng, kind))]
    }

    /// A known slashing race, as a few steps:
    /// - a dropped validator-set update (a jail) re-sent after an unjail, maybe then a tombstone;
    /// - an unstake just before a consumer slash (after the epoch that unbonds it);
    /// - a local unstake and a provider slash in the same block;
    /// - a zero max cap racing a stake, an unstake and a slash;
    /// - a jail, an unjail and then a tombstone of the same validator;
    /// - a zero max cap's internal unstakes racing a stake and a provider slash whose burns reach
    ///   the cross stakes they drop (fuzz seed 19578).
    fn pattern(&mut self, rng: &mut ChaCha8Rng) -> Vec<Action> {
        let c = self.consumer(rng);
        let (id, vals, ..) = self.consumers[c].clone();
        let validator = self.validator(rng, &id, &vals);
        let on = |v: &str, chain: &str| ChainValidator {
            chain: chain.to_string(),
            validator: v.to_string(),
        };
        let wait = |model: &mut Model, rng: &mut ChaCha8Rng, lo: u64, hi: u64| {
            let d = duration(rng, lo, hi);
            model.t += d.0;
            Action::Wait(d)
        };
        let tombstone = |v: &str, chain: &str| TombstoneArgs {
            chain: chain.to_string(),
            validator: v.to_string(),
            power: None,
        };
        let key = (id.clone(), validator.clone());
        match rng.gen_range(0..7) {
            0 => {
                self.dropped = true;
                self.jailed.remove(&key);
                let mut steps = vec![
                    Action::Fault(Fault::LinkDrop {
                        link: id.clone(),
                        drop_next: 1,
                    }),
                    Action::Jail(on(&validator, &id)),
                    wait(self, rng, 6 * SEC, MIN),
                    Action::Unjail(on(&validator, &id)),
                    wait(self, rng, 6 * SEC, 2 * MIN),
                ];
                if rng.gen_bool(0.5) {
                    self.tombstoned.insert(key);
                    steps.push(Action::Tombstone(tombstone(&validator, &id)));
                }
                steps
            }
            1 => {
                let unstake = self.remote_unstake(rng, c);
                let (validator, id) = match &unstake {
                    Action::UnstakeRemote(a) => (a.validator.clone(), a.consumer.clone()),
                    _ => (validator, id),
                };
                let mut steps = vec![unstake];
                steps.push(self.epoch_of(&id));
                steps.push(self.slash_event(rng, &id, &validator));
                steps
            }
            2 => self.local_move_then_slash(rng, Kind::UnstakeLocal),
            // An infraction before a redelegation reaches the stake at its destination.
            5 => self.local_move_then_slash(rng, Kind::RestakeLocal),
            6 => {
                let cap = Action::SetMaxCap(SetMaxCapArgs {
                    consumer: id.clone(),
                    amount: Amount(0),
                });
                let epoch = self.epoch_of(&id);
                let stake = self.action(rng, Kind::StakeRemote);
                let staked: Vec<String> = self
                    .local
                    .iter()
                    .filter(|(_, a)| **a > 0)
                    .map(|((_, v), _)| v.clone())
                    .collect();
                let target = match staked.choose(rng) {
                    Some(v) => v.clone(),
                    None => self.validator(rng, &self.provider, &self.provider_validators),
                };
                let provider = self.provider.clone();
                let slash = self.slash_event(rng, &provider, &target);
                vec![cap, epoch, stake, slash]
            }
            3 => {
                let stake = self.action(rng, Kind::StakeRemote);
                let unstake = self.remote_unstake(rng, c);
                vec![
                    stake,
                    unstake,
                    Action::SetMaxCap(SetMaxCapArgs {
                        consumer: id.clone(),
                        amount: Amount(0),
                    }),
                    self.slash_event(rng, &id, &validator),
                    self.epoch_of(&id),
                ]
            }
            _ => {
                self.jailed.remove(&key);
                self.tombstoned.insert(key);
                vec![
                    Action::Jail(on(&validator, &id)),
                    wait(self, rng, 6 * SEC, MIN),
                    Action::Unjail(on(&validator, &id)),
                    wait(self, rng, 6 * SEC, MIN),
                    Action::Tombstone(tombstone(&validator, &id)),
                ]
            }
        }
    }

    /// A local unstake or restake (`kind`), then a slash of the validator the stake left.
    fn local_move_then_slash(&mut self, rng: &mut ChaCha8Rng, kind: Kind) -> Vec<Action> {
        let action = self.action(rng, kind);
        let left = match &action {
            Action::UnstakeLocal(a) => a.validator.clone(),
            Action::RestakeLocal(a) => a.from.clone(),
            _ => return vec![action],
        };
        let provider = self.provider.clone();
        let slash = self.slash_event(rng, &provider, &left);
        vec![action, slash]
    }

    /// An unstake on consumer `c`, of a stake the user holds there when there is one.
    fn remote_unstake(&mut self, rng: &mut ChaCha8Rng, c: usize) -> Action {
        let id = self.consumers[c].0.clone();
        let held: Vec<(String, String, u128)> = self
            .remote
            .iter()
            .filter(|((_, consumer, _), a)| *consumer == id && **a > 0)
            .map(|((u, _, v), a)| (u.clone(), v.clone(), *a))
            .collect();
        let Some((user, validator, staked)) = held.choose(rng).cloned() else {
            return self.action(rng, Kind::UnstakeRemote);
        };
        let amt = if rng.gen_bool(0.5) {
            staked
        } else {
            amount(rng, 1, staked)
        };
        *self
            .remote
            .entry((user.clone(), id.clone(), validator.clone()))
            .or_default() -= amt;
        Action::UnstakeRemote(RemoteStake {
            user,
            consumer: id,
            validator,
            amount: Amount(amt),
        })
    }

    /// An epoch of consumer `id`, or a wait past its halt if it may still be halted.
    fn epoch_of(&mut self, id: &str) -> Action {
        let until = self.halted_until.get(id).copied().unwrap_or(0);
        if until > self.t {
            let d = DurationValue(until - self.t + SEC);
            self.t += d.0;
            return Action::Wait(d);
        }
        Action::Epoch(ConsumerOnly {
            consumer: id.to_string(),
        })
    }

    /// A jail (two times in three) or a tombstone of `validator` on `chain`.
    fn slash_event(&mut self, rng: &mut ChaCha8Rng, chain: &str, validator: &str) -> Action {
        let key = (chain.to_string(), validator.to_string());
        let cv = ChainValidator {
            chain: chain.to_string(),
            validator: validator.to_string(),
        };
        if rng.gen_bool(2.0 / 3.0) {
            self.jailed.insert(key);
            Action::Jail(cv)
        } else {
            self.tombstoned.insert(key);
            Action::Tombstone(TombstoneArgs {
                chain: cv.chain,
                validator: cv.validator,
                power: None,
            })
        }
    }

    fn user(&self, rng: &mut ChaCha8Rng) -> String {
        self.users.choose(rng).expect("at least one user").clone()
    }

    fn consumer(&self, rng: &mut ChaCha8Rng) -> usize {
        rng.gen_range(0..self.consumers.len())
    }

    fn collateral(&self, user: &str) -> u128 {
        self.collateral.get(user).copied().unwrap_or(0)
    }

    fn lien(&self, user: &str, holder: &str) -> u128 {
        self.liens
            .get(&(user.to_string(), holder.to_string()))
            .copied()
            .unwrap_or(0)
    }

    fn ratio_of(&self, holder: &str) -> Decimal {
        self.consumers
            .iter()
            .find(|c| c.0 == holder)
            .map(|c| c.3)
            .unwrap_or(self.native_ratio)
    }

    /// Collateral the user can still unbond: collateral − max(max lien, slashable).
    fn free(&self, user: &str) -> u128 {
        let mut max_lien = 0;
        let mut slashable = 0u128;
        for ((u, holder), lien) in &self.liens {
            if u == user {
                max_lien = max_lien.max(*lien);
                slashable += cosmwasm_std::Uint128::new(*lien)
                    .mul_floor(self.ratio_of(holder))
                    .u128();
            }
        }
        self.collateral(user)
            .saturating_sub(max_lien.max(slashable))
    }

    /// The most the user can add to its lien on `holder`.
    fn stakeable(&self, user: &str, holder: &str) -> u128 {
        let c = self.collateral(user);
        let by_lien = c.saturating_sub(self.lien(user, holder));
        let mut slashable = 0u128;
        for ((u, h), lien) in &self.liens {
            if u == user {
                slashable += cosmwasm_std::Uint128::new(*lien)
                    .mul_floor(self.ratio_of(h))
                    .u128();
            }
        }
        let ratio = self.ratio_of(holder);
        let by_slash = if ratio.is_zero() {
            u128::MAX
        } else {
            cosmwasm_std::Uint128::new(c.saturating_sub(slashable))
                .mul_floor(Decimal::one() / ratio)
                .u128()
        };
        by_lien.min(by_slash)
    }

    /// What the model has `user` staking locally on `validator`.
    fn local_stake(&self, user: &str, validator: &str) -> u128 {
        self.local
            .get(&(user.to_string(), validator.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// A valid amount up to `max` (in the 10^6.. range when possible), or an invalid one above.
    fn amount_within(&self, rng: &mut ChaCha8Rng, max: u128) -> (u128, bool) {
        if max == 0 || rng.gen_bool(INVALID) {
            let over = max.saturating_add(amount(rng, 1, 1_000_000_000));
            return (over, false);
        }
        (amount(rng, 1_000_000.min(max), max), true)
    }

    fn validator(&self, rng: &mut ChaCha8Rng, chain: &str, list: &[String]) -> String {
        // Mostly a validator that is still active.
        let active: Vec<&String> = list
            .iter()
            .filter(|v| {
                let key = (chain.to_string(), v.to_string());
                !self.jailed.contains(&key)
                    && !self.tombstoned.contains(&key)
                    && !self.removed.contains(&key)
            })
            .collect();
        if !active.is_empty() && !rng.gen_bool(INVALID) {
            return active
                .choose(rng)
                .map(|v| v.to_string())
                .expect("not empty");
        }
        list.choose(rng).expect("a chain has validators").clone()
    }

    fn action(&mut self, rng: &mut ChaCha8Rng, kind: Kind) -> Action {
        match kind {
            Kind::Bond => {
                let user = self.user(rng);
                let wallet = self.wallet.get(&user).copied().unwrap_or(0);
                let (amt, valid) = self.amount_within(rng, wallet.min(1_000_000_000));
                if valid {
                    *self.wallet.entry(user.clone()).or_default() -= amt;
                    *self.collateral.entry(user.clone()).or_default() += amt;
                }
                Action::Bond(UserAmount {
                    user,
                    amount: Amount(amt),
                })
            }
            Kind::Unbond => {
                let user = self.user(rng);
                let (amt, valid) = self.amount_within(rng, self.free(&user));
                if valid {
                    *self.wallet.entry(user.clone()).or_default() += amt;
                    *self.collateral.entry(user.clone()).or_default() -= amt;
                }
                Action::Unbond(UserAmount {
                    user,
                    amount: Amount(amt),
                })
            }
            Kind::StakeLocal => {
                let user = self.user(rng);
                let validator = self.validator(
                    rng,
                    &self.provider.clone(),
                    &self.provider_validators.clone(),
                );
                let (amt, valid) = self.amount_within(rng, self.stakeable(&user, "native"));
                if valid {
                    *self
                        .liens
                        .entry((user.clone(), "native".into()))
                        .or_default() += amt;
                    *self
                        .local
                        .entry((user.clone(), validator.clone()))
                        .or_default() += amt;
                }
                Action::StakeLocal(LocalStake {
                    user,
                    validator,
                    amount: Amount(amt),
                })
            }
            Kind::UnstakeLocal => {
                let user = self.user(rng);
                let validator = self
                    .provider_validators
                    .choose(rng)
                    .expect("validators")
                    .clone();
                let (amt, valid) = self.amount_within(rng, self.local_stake(&user, &validator));
                if valid {
                    *self
                        .local
                        .entry((user.clone(), validator.clone()))
                        .or_default() -= amt;
                }
                Action::UnstakeLocal(LocalStake {
                    user,
                    validator,
                    amount: Amount(amt),
                })
            }
            Kind::RestakeLocal => {
                let user = self.user(rng);
                // Mostly from a validator the user has stake on.
                let staked: Vec<String> = self
                    .provider_validators
                    .iter()
                    .filter(|v| self.local_stake(&user, v) > 0)
                    .cloned()
                    .collect();
                let from = staked
                    .choose(rng)
                    .or_else(|| self.provider_validators.choose(rng))
                    .expect("validators")
                    .clone();
                let (provider, validators) =
                    (self.provider.clone(), self.provider_validators.clone());
                let to = self.validator(rng, &provider, &validators);
                let (amt, valid) = self.amount_within(rng, self.local_stake(&user, &from));
                if valid && from != to {
                    *self.local.entry((user.clone(), from.clone())).or_default() -= amt;
                    *self.local.entry((user.clone(), to.clone())).or_default() += amt;
                }
                Action::RestakeLocal(LocalRestake {
                    user,
                    from,
                    to,
                    amount: Amount(amt),
                })
            }
            Kind::ReleaseLocal => Action::ReleaseLocal(UserOnly {
                user: self.user(rng),
            }),
            Kind::StakeRemote => {
                let user = self.user(rng);
                let (id, vals, _, _) = self.consumers[self.consumer(rng)].clone();
                let validator = self.validator(rng, &id, &vals);
                let (amt, valid) = self.amount_within(rng, self.stakeable(&user, &id));
                if valid {
                    *self.liens.entry((user.clone(), id.clone())).or_default() += amt;
                    *self
                        .remote
                        .entry((user.clone(), id.clone(), validator.clone()))
                        .or_default() += amt;
                }
                Action::StakeRemote(RemoteStake {
                    user,
                    consumer: id,
                    validator,
                    amount: Amount(amt),
                })
            }
            Kind::UnstakeRemote => {
                let user = self.user(rng);
                let (id, vals, _, _) = self.consumers[self.consumer(rng)].clone();
                // Prefer a validator the user staked on.
                let staked: Vec<String> = vals
                    .iter()
                    .filter(|v| {
                        self.remote
                            .get(&(user.clone(), id.clone(), v.to_string()))
                            .is_some_and(|a| *a > 0)
                    })
                    .cloned()
                    .collect();
                let validator = staked
                    .choose(rng)
                    .or_else(|| vals.choose(rng))
                    .expect("validators")
                    .clone();
                let key = (user.clone(), id.clone(), validator.clone());
                let (amt, valid) =
                    self.amount_within(rng, self.remote.get(&key).copied().unwrap_or(0));
                if valid {
                    *self.remote.entry(key).or_default() -= amt;
                }
                Action::UnstakeRemote(RemoteStake {
                    user,
                    consumer: id,
                    validator,
                    amount: Amount(amt),
                })
            }
            Kind::WithdrawUnbondedRemote => {
                let (id, ..) = self.consumers[self.consumer(rng)].clone();
                Action::WithdrawUnbondedRemote(UserConsumer {
                    user: self.user(rng),
                    consumer: id,
                })
            }
            Kind::WithdrawRewards => {
                let user = self.user(rng);
                let (id, vals, ..) = self.consumers[self.consumer(rng)].clone();
                Action::WithdrawRewards(WithdrawRewardsArgs {
                    recipient: user.clone(),
                    user,
                    consumer: id,
                    validator: vals.choose(rng).expect("validators").clone(),
                })
            }
            Kind::Wait => {
                let d = match rng.gen_range(0..20) {
                    0..=7 => duration(rng, SEC, MIN),
                    8..=14 => duration(rng, MIN, HOUR),
                    15..=17 => duration(rng, HOUR, DAY),
                    _ => duration(rng, DAY, 22 * DAY),
                };
                self.t += d.0;
                Action::Wait(d)
            }
            Kind::Settle if self.dropped => {
                // Dropped packets of the consumer time out only after 24 h, and the converter
                // re-sends them (into the drops still armed): a settle could take days, so wait.
                let d = duration(rng, HOUR, DAY);
                self.t += d.0;
                Action::Wait(d)
            }
            Kind::Settle => Action::Settle(SettleArgs {
                within: Some(BODY_SETTLE_WITHIN),
            }),
            Kind::Epoch => {
                let (id, ..) = self.consumers[self.consumer(rng)].clone();
                let until = self.halted_until.get(&id).copied().unwrap_or(0);
                if until > self.t {
                    // The chain may still be halted: wait until it surely is not.
                    let d = DurationValue(until - self.t + SEC);
                    self.t += d.0;
                    return Action::Wait(d);
                }
                Action::Epoch(ConsumerOnly { consumer: id })
            }
            Kind::SetPrice => {
                let (id, ..) = self.consumers[self.consumer(rng)].clone();
                Action::SetPrice(SetPriceArgs {
                    consumer: id,
                    price: random_price(rng),
                })
            }
            Kind::SetMaxCap => {
                let (id, ..) = self.consumers[self.consumer(rng)].clone();
                let cap = match rng.gen_range(0..10) {
                    0..=4 => amount(rng, 100_000_000, 10_000_000_000),
                    5..=8 => amount(rng, 100_000, 100_000_000),
                    _ => 0,
                };
                Action::SetMaxCap(SetMaxCapArgs {
                    consumer: id,
                    amount: Amount(cap),
                })
            }
            Kind::Jail | Kind::Unjail | Kind::Tombstone => {
                let (chain, vals) = if rng.gen_bool(0.3) {
                    (self.provider.clone(), self.provider_validators.clone())
                } else {
                    let (id, vals, ..) = self.consumers[self.consumer(rng)].clone();
                    (id, vals)
                };
                let validator = match kind {
                    Kind::Unjail => {
                        let jailed: Vec<String> = vals
                            .iter()
                            .filter(|v| self.jailed.contains(&(chain.clone(), v.to_string())))
                            .cloned()
                            .collect();
                        match jailed.choose(rng) {
                            Some(v) if !rng.gen_bool(INVALID) => v.clone(),
                            _ => vals.choose(rng).expect("validators").clone(),
                        }
                    }
                    _ => self.validator(rng, &chain, &vals),
                };
                let key = (chain.clone(), validator.clone());
                let cv = ChainValidator { chain, validator };
                match kind {
                    Kind::Jail => {
                        self.jailed.insert(key);
                        Action::Jail(cv)
                    }
                    Kind::Unjail => {
                        self.jailed.remove(&key);
                        Action::Unjail(cv)
                    }
                    _ => {
                        self.tombstoned.insert(key);
                        // Sometimes the evidence names a power of its own.
                        let power = rng.gen_bool(0.25).then(|| rng.gen_range(1..=200));
                        Action::Tombstone(TombstoneArgs {
                            chain: cv.chain,
                            validator: cv.validator,
                            power,
                        })
                    }
                }
            }
            Kind::AddValidator => {
                let on_provider = rng.gen_bool(0.3);
                let chain = if on_provider {
                    self.provider.clone()
                } else {
                    self.consumers[self.consumer(rng)].0.clone()
                };
                self.added += 1;
                let validator = format!("{chain}-new{}", self.added);
                if on_provider {
                    self.provider_validators.push(validator.clone());
                } else if let Some(c) = self.consumers.iter_mut().find(|c| c.0 == chain) {
                    c.1.push(validator.clone());
                }
                Action::AddValidator(AddValidatorArgs {
                    chain,
                    validator,
                    stake: Amount(amount(rng, 1_000_000, 50_000_000)),
                })
            }
            Kind::RemoveValidator => {
                let (chain, vals) = if rng.gen_bool(0.3) {
                    (self.provider.clone(), self.provider_validators.clone())
                } else {
                    let (id, vals, ..) = self.consumers[self.consumer(rng)].clone();
                    (id, vals)
                };
                let validator = self.validator(rng, &chain, &vals);
                self.removed.insert((chain.clone(), validator.clone()));
                Action::RemoveValidator(ChainValidator { chain, validator })
            }
            Kind::Delay => {
                let (id, ..) = self.consumers[self.consumer(rng)].clone();
                Action::Fault(Fault::LinkDelay {
                    link: id,
                    delay: random_delay(rng),
                })
            }
            Kind::DropNext => {
                self.dropped = true;
                let (id, ..) = self.consumers[self.consumer(rng)].clone();
                Action::Fault(Fault::LinkDrop {
                    link: id,
                    drop_next: rng.gen_range(1..=3),
                })
            }
            Kind::Outage => {
                let (id, _, timeout, _) = self.consumers[self.consumer(rng)].clone();
                // Half shorter than the packet timeout, half longer.
                let outage = if rng.gen_bool(0.5) {
                    duration(rng, 30 * SEC, timeout.max(31 * SEC) - SEC)
                } else {
                    duration(rng, timeout + SEC, 3 * HOUR)
                };
                Action::Fault(Fault::LinkOutage { link: id, outage })
            }
            Kind::Halt => {
                let chain = if rng.gen_bool(0.3) {
                    self.provider.clone()
                } else {
                    self.consumers[self.consumer(rng)].0.clone()
                };
                let halt = duration(rng, MIN, 2 * HOUR);
                let until = self.halted_until.entry(chain.clone()).or_default();
                *until = (*until).max(self.t + halt.0);
                Action::Fault(Fault::ChainHalt { chain, halt })
            }
            Kind::Pattern => unreachable!("patterns are expanded by Model::steps"),
            Kind::FailConverter | Kind::FailExternal => {
                let (id, ..) = self.consumers[self.consumer(rng)].clone();
                Action::Fault(Fault::ContractFail {
                    contract: if kind == Kind::FailConverter {
                        FaultContract::Converter
                    } else {
                        FaultContract::ExternalStaking
                    },
                    consumer: id,
                    fail_next: rng.gen_range(1..=3),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same seed gives the same case; every generated scenario is valid.
    #[test]
    fn generation_is_deterministic_and_valid() {
        for seed in 0..50 {
            let a = generate(seed, 50);
            assert_eq!(a, generate(seed, 50));
            assert_eq!(a.body.len(), 50);
            assert!(well_formed(&a), "seed {seed}");
            let s = a.scenario();
            s.validate().unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            let text = crate::scenario::to_json_pretty(&s);
            assert_eq!(crate::scenario::parse_str(&text, "generated").unwrap(), s);
        }
    }

    /// A case whose steps could take more simulated time than the horizon keeps the longest
    /// prefix of its body that fits (tail included), drawn exactly as without the limit.
    #[test]
    fn a_case_keeps_to_the_horizon() {
        let horizon = 200 * DAY;
        for seed in 0..5 {
            let free = generate(seed, 5_000);
            let kept = generate_within(seed, 5_000, horizon);
            let len = kept.body.len();
            assert!(len < 5_000, "seed {seed}: 5,000 steps do not fit 200 days");
            assert!(len > 100, "seed {seed}: a hundred steps fit 200 days");
            assert_eq!(
                kept.body[..],
                free.body[..len],
                "seed {seed}: the same draws"
            );
            assert!(
                limits::time_bound(&kept.scenario()) <= horizon,
                "seed {seed}"
            );
            let one_more = Case {
                topology: free.topology.clone(),
                body: free.body[..=len].to_vec(),
            };
            assert!(
                limits::time_bound(&one_more.scenario()) > horizon,
                "seed {seed}: the longest prefix that fits"
            );
        }
    }

    /// Cases of the most steps `fuzz --steps` takes load as scenario files (within the
    /// horizon); a 200-step case is never shortened.
    #[test]
    fn the_longest_cases_are_valid_scenarios() {
        for seed in 0..2 {
            let case = generate(seed, MAX_STEPS);
            assert!(case.body.len() > MAX_STEPS / 2, "seed {seed}");
            case.scenario()
                .validate()
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        }
        for seed in 0..20 {
            assert_eq!(generate(seed, 200).body.len(), 200);
        }
    }

    /// The tail lifts the faults the body injected, waits out the longest outage or halt,
    /// settles within an hour, runs one epoch per consumer and drains.
    #[test]
    fn tail_lifts_faults_waits_settles_and_runs_epochs() {
        let mut topology = Scenario::new("t");
        topology.consumers = vec![Consumer::new("juno"), Consumer::new("stars")];
        let body = vec![
            fault(Fault::LinkOutage {
                link: "juno".into(),
                outage: DurationValue::from_secs(3_600),
            }),
            fault(Fault::ChainHalt {
                chain: "stars".into(),
                halt: DurationValue::from_secs(600),
            }),
            fault(Fault::LinkDelay {
                link: "stars".into(),
                delay: Delay::Fixed(DurationValue::from_secs(20)),
            }),
            fault(Fault::ContractFail {
                contract: FaultContract::ExternalStaking,
                consumer: "juno".into(),
                fail_next: 2,
            }),
        ];
        let tail = tail(&topology, &body);
        assert_eq!(
            tail,
            [
                fault(Fault::ContractFail {
                    contract: FaultContract::ExternalStaking,
                    consumer: "juno".into(),
                    fail_next: 0,
                }),
                fault(Fault::LinkDelay {
                    link: "stars".into(),
                    delay: Delay::Fixed(DurationValue::from_secs(5)),
                }),
                Step::new(Action::Wait(DurationValue(3_600_000 + 120_000))),
                Step::new(Action::Settle(SettleArgs {
                    within: Some(SETTLE_WITHIN)
                })),
                Step::new(Action::Epoch(ConsumerOnly {
                    consumer: "juno".into()
                })),
                Step::new(Action::Epoch(ConsumerOnly {
                    consumer: "stars".into()
                })),
                Step::new(Action::Drain(DrainArgs {})),
            ]
        );
        // After a drop, the wait covers the 24 h timeout of a consumer's packets.
        let dropped = [fault(Fault::LinkDrop {
            link: "juno".into(),
            drop_next: 1,
        })];
        let tail = super::tail(&topology, &dropped);
        assert_eq!(
            tail[0],
            fault(Fault::LinkDrop {
                link: "juno".into(),
                drop_next: 0
            })
        );
        assert_eq!(tail[1].action, Action::Wait(DurationValue(DAY + 10 * MIN)));
    }

    /// Over many seeds, every action and fault kind appears.
    #[test]
    fn every_kind_appears() {
        let mut seen = BTreeSet::new();
        for seed in 0..40 {
            for step in generate(seed, 50).body {
                let name = match &step.action {
                    Action::Fault(f) => match f {
                        Fault::LinkDelay { .. } => "fault:delay",
                        Fault::LinkDrop { .. } => "fault:drop_next",
                        Fault::LinkOutage { .. } => "fault:outage",
                        Fault::ChainHalt { .. } => "fault:halt",
                        Fault::ContractFail { .. } => "fault:fail_next",
                    },
                    a => a.name(),
                };
                seen.insert(name);
            }
        }
        for name in crate::scenario::ACTION_NAMES {
            if !["fault", "expect", "snapshot", "close_channel", "drain"].contains(name) {
                assert!(seen.contains(name), "{name} never generated");
            }
        }
        for f in ["delay", "drop_next", "outage", "halt", "fail_next"] {
            assert!(
                seen.contains(format!("fault:{f}").as_str()),
                "{f} never generated"
            );
        }
    }
}
