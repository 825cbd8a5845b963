//! Shrinking: reduce a failing case while it still fails the same way: the same invariant
//! breaks, every failing action may carry `expect_error`, and the regression fixture written
//! from it, replayed in normal mode, breaks the same invariant.
//!
//! Passes, repeated until a whole round changes nothing or the run budget is spent:
//! 1. drop a consumer (with every step that names it), then a user (likewise);
//! 2. drop body steps, in halves, quarters... down to single steps (delta debugging);
//! 3. simplify each step: smaller amounts (a power of ten, one significant digit, half),
//!    shorter waits, outages and halts, one dropped packet or failing receive instead of many;
//! 4. simplify the topology: each consumer's settings back to the defaults of docs/scenario.md,
//!    validators no step names removed, smaller balances.
//!
//! The tail (lift faults, wait, settle, epochs) is regenerated for what remains.

use mesh_actors::contracts::Codes;

use super::campaign::replays_as;
use super::generate::well_formed;
use super::{run_scenario, Case, CaseRun};
use crate::scenario::{
    AccountBalance, Action, Amount, Consumer, Delay, DurationValue, Fault, Provider, Step,
};

/// A shrunk case and its failing run.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The smallest case found that still fails the same way.
    pub case: Case,
    /// Its run.
    pub run: CaseRun,
    /// How many candidate runs the shrinking took.
    pub runs: usize,
}

struct Shrinker<'a> {
    codes: &'a Codes,
    keep: &'a dyn Fn(&CaseRun) -> bool,
    invariant: &'static str,
    budget: usize,
    runs: usize,
    best: Case,
    best_run: CaseRun,
}

impl Shrinker<'_> {
    /// Run `candidate`; keep it if it fails the same way.
    fn try_case(&mut self, candidate: Case) -> bool {
        if self.runs >= self.budget || candidate == self.best || !well_formed(&candidate) {
            return false;
        }
        self.runs += 1;
        let run = run_scenario(&candidate.scenario(), self.codes);
        let same = run
            .violation
            .as_ref()
            .is_some_and(|v| v.invariant == self.invariant)
            && run.replayable()
            && replays_as(&run, self.codes, self.invariant)
            && (self.keep)(&run);
        if same {
            self.best = candidate;
            self.best_run = run;
        }
        same
    }

    fn spent(&self) -> bool {
        self.runs >= self.budget
    }

    fn drop_consumers(&mut self) -> bool {
        let mut changed = false;
        let mut i = self.best.topology.consumers.len();
        while i > 0 && self.best.topology.consumers.len() > 1 && !self.spent() {
            i -= 1;
            if i >= self.best.topology.consumers.len() {
                continue;
            }
            let mut c = self.best.clone();
            let id = c.topology.consumers.remove(i).chain_id;
            c.body.retain(|s| !names_consumer(&s.action, &id));
            changed |= self.try_case(c);
        }
        changed
    }

    fn drop_users(&mut self) -> bool {
        let mut changed = false;
        let users: Vec<String> = self.best.topology.accounts.keys().cloned().collect();
        for user in users.into_iter().rev() {
            if self.best.topology.accounts.len() <= 1 || self.spent() {
                break;
            }
            let mut c = self.best.clone();
            c.topology.accounts.remove(&user);
            c.body.retain(|s| !names_user(&s.action, &user));
            changed |= self.try_case(c);
        }
        changed
    }

    fn drop_steps(&mut self) -> bool {
        let mut changed = false;
        let mut chunk = self.best.body.len().div_ceil(2).max(1);
        loop {
            let mut start = 0;
            while start < self.best.body.len() && !self.spent() {
                let end = (start + chunk).min(self.best.body.len());
                let mut c = self.best.clone();
                c.body.drain(start..end);
                if self.try_case(c) {
                    changed = true;
                } else {
                    start += chunk;
                }
            }
            if chunk == 1 || self.spent() {
                return changed;
            }
            chunk = chunk.div_ceil(2);
        }
    }

    fn simplify_steps(&mut self) -> bool {
        let mut changed = false;
        for i in 0..self.best.body.len() {
            for simpler in simpler_actions(&self.best.body[i].action) {
                if self.spent() || i >= self.best.body.len() {
                    return changed;
                }
                let mut c = self.best.clone();
                c.body[i] = Step::new(simpler);
                if self.try_case(c) {
                    changed = true;
                    break;
                }
            }
        }
        changed
    }

    fn simplify_topology(&mut self) -> bool {
        let mut changed = false;
        for i in 0..self.best.topology.consumers.len() {
            for simpler in simpler_consumers(&self.best, i) {
                if self.spent() {
                    return changed;
                }
                let mut c = self.best.clone();
                c.topology.consumers[i] = simpler;
                changed |= self.try_case(c);
            }
        }
        for simpler in simpler_providers(&self.best) {
            if self.spent() {
                return changed;
            }
            let mut c = self.best.clone();
            c.topology.provider = simpler;
            changed |= self.try_case(c);
        }
        let users: Vec<String> = self.best.topology.accounts.keys().cloned().collect();
        for user in users {
            let Some(AccountBalance::Amount(a)) = self.best.topology.accounts.get(&user).cloned()
            else {
                continue;
            };
            for smaller in smaller_amounts(a) {
                if self.spent() {
                    return changed;
                }
                let mut c = self.best.clone();
                c.topology
                    .accounts
                    .insert(user.clone(), AccountBalance::Amount(smaller));
                if self.try_case(c) {
                    changed = true;
                    break;
                }
            }
        }
        changed
    }
}

/// Shrink `case`, whose run `first` broke an invariant, with at most `budget` candidate runs.
pub fn shrink(case: Case, first: CaseRun, codes: &Codes, budget: usize) -> Shrunk {
    shrink_where(case, first, codes, budget, &|_| true)
}

/// [`shrink`], keeping only candidates that also satisfy `keep` (for example: the real
/// contracts pass them, so the failure stays the broken contract's).
pub fn shrink_where(
    case: Case,
    first: CaseRun,
    codes: &Codes,
    budget: usize,
    keep: &dyn Fn(&CaseRun) -> bool,
) -> Shrunk {
    let invariant = first
        .violation
        .as_ref()
        .map(|v| v.invariant)
        .expect("shrink a case that broke an invariant");
    let mut s = Shrinker {
        codes,
        keep,
        invariant,
        budget,
        runs: 0,
        best: case,
        best_run: first,
    };
    loop {
        let mut changed = s.drop_consumers();
        changed |= s.drop_users();
        changed |= s.drop_steps();
        changed |= s.simplify_steps();
        changed |= s.simplify_topology();
        if !changed || s.spent() {
            break;
        }
    }
    Shrunk {
        case: s.best,
        run: s.best_run,
        runs: s.runs,
    }
}

/// Whether a step names consumer `id` (as consumer, link, or chain).
fn names_consumer(action: &Action, id: &str) -> bool {
    match action {
        Action::StakeRemote(a) | Action::UnstakeRemote(a) => a.consumer == id,
        Action::WithdrawUnbondedRemote(a) => a.consumer == id,
        Action::WithdrawRewards(a) => a.consumer == id,
        Action::Epoch(a) | Action::CloseChannel(a) => a.consumer == id,
        Action::SetPrice(a) => a.consumer == id,
        Action::SetMaxCap(a) => a.consumer == id,
        Action::Jail(a) | Action::Unjail(a) | Action::RemoveValidator(a) => a.chain == id,
        Action::Tombstone(a) => a.chain == id,
        Action::AddValidator(a) => a.chain == id,
        Action::Fault(f) => match f {
            Fault::LinkDelay { link, .. }
            | Fault::LinkDrop { link, .. }
            | Fault::LinkOutage { link, .. } => link == id,
            Fault::ChainHalt { chain, .. } => chain == id,
            Fault::ContractFail { consumer, .. } => consumer == id,
        },
        _ => false,
    }
}

/// Whether a step is an action of `user`.
fn names_user(action: &Action, user: &str) -> bool {
    match action {
        Action::Bond(a) | Action::Unbond(a) => a.user == user,
        Action::StakeLocal(a) | Action::UnstakeLocal(a) => a.user == user,
        Action::RestakeLocal(a) => a.user == user,
        Action::ReleaseLocal(a) => a.user == user,
        Action::StakeRemote(a) | Action::UnstakeRemote(a) => a.user == user,
        Action::WithdrawUnbondedRemote(a) => a.user == user,
        Action::WithdrawRewards(a) => a.user == user,
        _ => false,
    }
}

/// Smaller amounts to try, most aggressive first: the power of ten below, one significant
/// digit, half.
fn smaller_amounts(a: Amount) -> Vec<Amount> {
    let x = a.0;
    let mut pow = 1u128;
    while pow.saturating_mul(10) <= x {
        pow *= 10;
    }
    let one_digit = (x / pow) * pow;
    let mut out: Vec<Amount> = [pow, one_digit, x / 2]
        .into_iter()
        .filter(|v| *v < x && *v > 0)
        .map(Amount)
        .collect();
    out.dedup();
    out
}

/// Shorter durations to try: a round value of the unit below, then half.
fn shorter(d: DurationValue) -> Vec<DurationValue> {
    let unit = [86_400_000u64, 3_600_000, 60_000, 1_000]
        .into_iter()
        .find(|u| d.0 >= *u)
        .unwrap_or(1_000);
    let round = (d.0 / unit) * unit;
    let half = (d.0 / 2 / 1_000) * 1_000;
    let mut out: Vec<DurationValue> = [unit, round, half]
        .into_iter()
        .filter(|v| *v < d.0 && *v >= 1_000)
        .map(DurationValue)
        .collect();
    out.dedup();
    out
}

/// Simpler versions of one step, most aggressive first.
fn simpler_actions(action: &Action) -> Vec<Action> {
    let with_amount = |a: Amount, set: &dyn Fn(Amount) -> Action| -> Vec<Action> {
        smaller_amounts(a).into_iter().map(set).collect()
    };
    match action {
        Action::Bond(x) => with_amount(x.amount, &|amount| {
            Action::Bond(crate::scenario::UserAmount {
                amount,
                ..x.clone()
            })
        }),
        Action::Unbond(x) => with_amount(x.amount, &|amount| {
            Action::Unbond(crate::scenario::UserAmount {
                amount,
                ..x.clone()
            })
        }),
        Action::StakeLocal(x) => with_amount(x.amount, &|amount| {
            Action::StakeLocal(crate::scenario::LocalStake {
                amount,
                ..x.clone()
            })
        }),
        Action::UnstakeLocal(x) => with_amount(x.amount, &|amount| {
            Action::UnstakeLocal(crate::scenario::LocalStake {
                amount,
                ..x.clone()
            })
        }),
        Action::RestakeLocal(x) => with_amount(x.amount, &|amount| {
            Action::RestakeLocal(crate::scenario::LocalRestake {
                amount,
                ..x.clone()
            })
        }),
        Action::StakeRemote(x) => with_amount(x.amount, &|amount| {
            Action::StakeRemote(crate::scenario::RemoteStake {
                amount,
                ..x.clone()
            })
        }),
        Action::UnstakeRemote(x) => with_amount(x.amount, &|amount| {
            Action::UnstakeRemote(crate::scenario::RemoteStake {
                amount,
                ..x.clone()
            })
        }),
        Action::SetMaxCap(x) => with_amount(x.amount, &|amount| {
            Action::SetMaxCap(crate::scenario::SetMaxCapArgs {
                amount,
                ..x.clone()
            })
        }),
        Action::Wait(d) => shorter(*d).into_iter().map(Action::Wait).collect(),
        Action::Fault(f) => match f {
            Fault::LinkOutage { link, outage } => shorter(*outage)
                .into_iter()
                .map(|outage| {
                    Action::Fault(Fault::LinkOutage {
                        link: link.clone(),
                        outage,
                    })
                })
                .collect(),
            Fault::ChainHalt { chain, halt } => shorter(*halt)
                .into_iter()
                .map(|halt| {
                    Action::Fault(Fault::ChainHalt {
                        chain: chain.clone(),
                        halt,
                    })
                })
                .collect(),
            Fault::LinkDrop { link, drop_next } if *drop_next > 1 => {
                vec![Action::Fault(Fault::LinkDrop {
                    link: link.clone(),
                    drop_next: 1,
                })]
            }
            Fault::ContractFail {
                contract,
                consumer,
                fail_next,
            } if *fail_next > 1 => vec![Action::Fault(Fault::ContractFail {
                contract: *contract,
                consumer: consumer.clone(),
                fail_next: 1,
            })],
            Fault::LinkDelay { link, delay } if *delay != Delay::default() => {
                vec![Action::Fault(Fault::LinkDelay {
                    link: link.clone(),
                    delay: Delay::default(),
                })]
            }
            _ => vec![],
        },
        _ => vec![],
    }
}

/// Whether any step names `validator` on `chain`.
fn validator_named(case: &Case, chain: &str, validator: &str) -> bool {
    case.body.iter().any(|s| match &s.action {
        Action::StakeLocal(a) | Action::UnstakeLocal(a) => {
            chain == case.topology.provider.chain_id && a.validator == validator
        }
        Action::RestakeLocal(a) => {
            chain == case.topology.provider.chain_id && (a.from == validator || a.to == validator)
        }
        Action::StakeRemote(a) | Action::UnstakeRemote(a) => {
            a.consumer == chain && a.validator == validator
        }
        Action::WithdrawRewards(a) => a.consumer == chain && a.validator == validator,
        Action::Jail(a) | Action::Unjail(a) | Action::RemoveValidator(a) => {
            a.chain == chain && a.validator == validator
        }
        Action::Tombstone(a) => a.chain == chain && a.validator == validator,
        Action::AddValidator(a) => a.chain == chain && a.validator == validator,
        _ => false,
    })
}

/// Simpler versions of consumer `i`: each setting back to its default, one at a time, and
/// without validators no step names.
fn simpler_consumers(case: &Case, i: usize) -> Vec<Consumer> {
    let c = &case.topology.consumers[i];
    let d = Consumer::new(&c.chain_id);
    let mut out = vec![];
    let mut push = |f: &dyn Fn(&mut Consumer)| {
        let mut x = c.clone();
        f(&mut x);
        if x != *c {
            out.push(x);
        }
    };
    push(&|x| x.price = d.price);
    push(&|x| x.discount = d.discount);
    push(&|x| x.max_cap = d.max_cap);
    push(&|x| x.block_time = d.block_time);
    push(&|x| x.epoch_blocks = d.epoch_blocks);
    push(&|x| x.link = d.link.clone());
    push(&|x| x.external_staking = d.external_staking.clone());
    push(&|x| x.denom = d.denom.clone());
    let used: Vec<_> = c
        .validators
        .iter()
        .filter(|v| validator_named(case, &c.chain_id, &v.name))
        .cloned()
        .collect();
    let fewer = if used.is_empty() {
        c.validators[..1].to_vec()
    } else {
        used
    };
    push(&|x| x.validators = fewer.clone());
    out
}

/// Simpler versions of the provider: defaults one at a time, unnamed validators removed.
fn simpler_providers(case: &Case) -> Vec<Provider> {
    let p = &case.topology.provider;
    let d = Provider::default();
    let mut out = vec![];
    let mut push = |f: &dyn Fn(&mut Provider)| {
        let mut x = p.clone();
        f(&mut x);
        if x != *p {
            out.push(x);
        }
    };
    push(&|x| x.block_time = d.block_time);
    push(&|x| x.unbonding_period = d.unbonding_period);
    let used: Vec<_> = p
        .validators
        .iter()
        .filter(|v| validator_named(case, &p.chain_id, &v.name))
        .cloned()
        .collect();
    let fewer = if used.is_empty() {
        p.validators[..1].to_vec()
    } else {
        used
    };
    push(&|x| x.validators = fewer.clone());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Amounts shrink to the power of ten below, one significant digit, then half.
    #[test]
    fn smaller_amounts_are_round() {
        assert_eq!(
            smaller_amounts(Amount(734_000_000)),
            [
                Amount(100_000_000),
                Amount(700_000_000),
                Amount(367_000_000)
            ]
        );
        assert_eq!(smaller_amounts(Amount(100)), [Amount(50)]);
        assert_eq!(smaller_amounts(Amount(1)), []);
    }

    /// Durations shrink to one unit, the rounded value, then half (never below 1 s).
    #[test]
    fn shorter_durations_are_round() {
        assert_eq!(
            shorter(DurationValue(5_400_000)),
            [DurationValue(3_600_000), DurationValue(2_700_000)]
        );
        assert_eq!(shorter(DurationValue(1_000)), []);
    }
}
