//! The limits of a scenario: the largest values the harness runs exactly. Every value that could
//! overflow later (a timestamp, a sum of balances, a conversion) is checked against these at
//! load, with its JSON path, so a run never panics, wraps around or stops short silently.
//!
//! | what | limit | why |
//! |---|---|---|
//! | simulated time of a run | [`HORIZON`] (10,000 days, about 27 years) | every duration, and the time the steps can take added up, fits the runtime's timers and the chains' timestamps |
//! | an amount | [`AMOUNT_MAX`] (10^30 base units) | sums of amounts and a chain's growth by rewards stay far inside 128 bits |
//! | one denom's genesis supply on one chain | [`SUPPLY_MAX`] (10^30 base units) | accounts plus validator self-bonds |
//! | a ratio or price | [`RATIO_MAX`] (10^18) | |
//! | a conversion | the provider's supply (with rewards) × price, and a consumer's max cap ÷ (price × (1 − discount)), fit in 128 bits | [`CONVERSION_GROWTH`] |
//! | the seed | [`SEED_MAX`] (2^53 − 1) | every JSON tool reads it exactly |
//! | a gas limit | [`GAS_LIMIT_MAX`] (2^53 − 1) | every JSON tool reads it exactly |

use std::collections::BTreeMap;

use cosmwasm_std::{Decimal, Uint256};

use super::model::Scenario;
use super::step::{Action, Fault, DRAIN_SETTLES, DRAIN_SETTLE_WITHIN, DRAIN_UNSTAKE_ROUNDS};
use super::validate::{fail, Check};
use super::values::DurationValue;

/// Milliseconds in a day.
const DAY_MS: u64 = 86_400_000;

/// The simulation horizon: a run covers at most this much simulated time. Every duration is at
/// most this long, and the time the steps can take (waits, settle bounds, epoch periods, plus
/// the day the topology may take to start) adds up to at most this.
pub const HORIZON: DurationValue = DurationValue::from_millis(10_000 * DAY_MS);

/// The largest amount a scenario may write: 10^30 base units (a trillion tokens of 18
/// decimals).
pub const AMOUNT_MAX: u128 = 1_000_000_000_000_000_000_000_000_000_000;

/// The largest genesis supply of one denom on one chain (accounts and validator self-bonds
/// added up).
pub const SUPPLY_MAX: u128 = AMOUNT_MAX;

/// The largest integer part of a ratio or price.
pub const RATIO_MAX: u128 = 1_000_000_000_000_000_000;

/// The largest seed: 2^53 − 1, the largest integer every JSON reader keeps exact.
pub const SEED_MAX: u64 = (1 << 53) - 1;

/// The largest per-transaction gas limit a chain may be given: 2^53 − 1, like the seed.
pub const GAS_LIMIT_MAX: u64 = SEED_MAX;

/// How much a chain's staked supply can grow over the horizon: staking rewards (10 % a year)
/// for 27 years add 2.74 times the stake; 4 rounds that up.
pub const CONVERSION_GROWTH: u128 = 4;

/// The time the topology may take to start (opening channels, the first validator-set update),
/// counted against the horizon.
pub const START_TIME: DurationValue = DurationValue::from_millis(DAY_MS);

/// `10000d (about 27 years)`: the horizon as the error messages state it.
pub fn horizon_text() -> String {
    format!(
        "{HORIZON} (about {} years)",
        HORIZON.millis() / DAY_MS / 365
    )
}

/// An amount in the error messages' form: `10^30` for powers of ten, else the digits.
pub fn amount_text(v: u128) -> String {
    let digits = v.to_string();
    if digits.len() > 4 && digits[1..].bytes().all(|b| b == b'0') && digits.starts_with('1') {
        format!("10^{}", digits.len() - 1)
    } else {
        digits
    }
}

// ---------------------------------------------------------------------------------------------
// The checks that relate several values (called by `Scenario::validate`)
// ---------------------------------------------------------------------------------------------

/// The longest simulated time `action` can take (one place to extend for a new step).
pub fn step_time(scenario: &Scenario, action: &Action) -> u64 {
    match action {
        Action::Wait(d) => d.millis(),
        // Settling polls on a one-second grid, so it may overrun its bound by under a second.
        Action::Settle(s) => s.within_or_default().millis() + 1_000,
        // A halt shifts the chain's blocks, so an epoch may come that much later.
        Action::Fault(Fault::ChainHalt { halt, .. }) => halt.millis(),
        Action::Epoch(e) => scenario
            .consumer(&e.consumer)
            .map_or(Some(0), |c| {
                epoch_period(c.epoch_blocks, c.block_time.millis())
            })
            .unwrap_or(u64::MAX),
        // The longest outage still to end, every settle to its bound, one epoch per consumer,
        // the longest unbonding period once per round and once more.
        Action::Drain(_) => {
            let outage = scenario
                .steps
                .iter()
                .filter_map(|s| match &s.action {
                    Action::Fault(Fault::LinkOutage { outage, .. }) => Some(outage.millis()),
                    _ => None,
                })
                .max()
                .unwrap_or_default();
            let epochs = scenario.consumers.iter().fold(0u64, |sum, c| {
                let period = epoch_period(c.epoch_blocks, c.block_time.millis());
                sum.saturating_add(period.unwrap_or(u64::MAX))
            });
            let unbonding = scenario
                .consumers
                .iter()
                .map(|c| c.external_staking.unbonding_period.millis())
                .chain([scenario.provider.unbonding_period.millis()])
                .max()
                .unwrap_or_default();
            let slowest_block = scenario
                .consumers
                .iter()
                .map(|c| c.block_time.millis())
                .chain([scenario.provider.block_time.millis()])
                .max()
                .unwrap_or_default();
            let waits =
                (unbonding + slowest_block + 1_000).saturating_mul(DRAIN_UNSTAKE_ROUNDS as u64 + 1);
            (DRAIN_SETTLE_WITHIN.millis() + 1_000)
                .saturating_mul(DRAIN_SETTLES)
                .saturating_add(epochs)
                .saturating_add(waits)
                .saturating_add(outage)
                .saturating_add(1_000)
        }
        Action::Bond(_)
        | Action::Unbond(_)
        | Action::StakeLocal(_)
        | Action::UnstakeLocal(_)
        | Action::RestakeLocal(_)
        | Action::ReleaseLocal(_)
        | Action::StakeRemote(_)
        | Action::UnstakeRemote(_)
        | Action::WithdrawUnbondedRemote(_)
        | Action::WithdrawRewards(_)
        | Action::SetPrice(_)
        | Action::SetMaxCap(_)
        | Action::Jail(_)
        | Action::Unjail(_)
        | Action::Tombstone(_)
        | Action::AddValidator(_)
        | Action::RemoveValidator(_)
        | Action::CloseChannel(_)
        | Action::Fault(_)
        | Action::Expect(_)
        | Action::Snapshot(_) => 0,
    }
}

/// `blocks × block_time` in ms, if it fits.
fn epoch_period(blocks: u64, block_ms: u64) -> Option<u64> {
    blocks.checked_mul(block_ms)
}

/// The checks of this module, first failure first.
pub(super) fn check(s: &Scenario) -> Check {
    check_epochs(s)?;
    check_supplies(s)?;
    check_conversions(s)?;
    check_time(s)
}

fn check_epochs(s: &Scenario) -> Check {
    for (i, c) in s.consumers.iter().enumerate() {
        let period = epoch_period(c.epoch_blocks, c.block_time.millis());
        if period.is_none_or(|p| p > HORIZON.millis()) {
            return fail(
                format!("consumers[{i}].epoch_blocks"),
                format!(
                    "an epoch every {} blocks of {} is beyond the simulation horizon of {}",
                    c.epoch_blocks,
                    c.block_time,
                    horizon_text()
                ),
            );
        }
    }
    Ok(())
}

/// The most simulated time `s`'s steps up to each one can take, [`START_TIME`] included
/// (saturating), step by step.
fn running_time(s: &Scenario) -> impl Iterator<Item = u64> + '_ {
    s.steps
        .iter()
        .scan(START_TIME.millis(), move |total, step| {
            *total = total.saturating_add(step_time(s, &step.action));
            Some(*total)
        })
}

/// The most simulated time `s`'s steps can take, [`START_TIME`] included (saturating): what
/// the loader requires to be at most the [`HORIZON`].
pub fn time_bound(s: &Scenario) -> u64 {
    running_time(s).last().unwrap_or(START_TIME.millis())
}

fn check_time(s: &Scenario) -> Check {
    let beyond = running_time(s)
        .enumerate()
        .find(|(_, total)| *total > HORIZON.millis());
    match beyond {
        None => Ok(()),
        Some((i, total)) => fail(
            format!("steps[{i}].{}", s.steps[i].action.name()),
            format!(
                "the steps up to here can take {} of simulated time (waits, settle bounds, \
                 epoch periods and {START_TIME} to start), beyond the simulation horizon of {}",
                DurationValue::from_millis(total),
                horizon_text()
            ),
        ),
    }
}

/// Adds `amount` to `sum`, or says where the supply of `denom` on `chain` passed the limit.
fn add_supply(
    sum: &mut BTreeMap<String, u128>,
    denom: &str,
    amount: u128,
    path: &str,
    chain: &str,
) -> Check {
    let total = sum.entry(denom.to_owned()).or_default();
    *total = total.saturating_add(amount);
    if *total > SUPPLY_MAX {
        return fail(
            path,
            format!(
                "the genesis supply of {denom} on {chain} (accounts and validator stakes) adds \
                 up to more than {} base units, the limit",
                amount_text(SUPPLY_MAX)
            ),
        );
    }
    Ok(())
}

fn check_supplies(s: &Scenario) -> Check {
    let p = &s.provider;
    let mut provider: BTreeMap<String, u128> = BTreeMap::new();
    for (i, v) in p.validators.iter().enumerate() {
        let path = format!("provider.validators[{i}].stake");
        add_supply(&mut provider, &p.denom, v.stake.u128(), &path, &p.chain_id)?;
    }
    for (user, balances) in s.genesis_balances() {
        for (denom, amount) in balances {
            let path = format!("accounts.{user}");
            add_supply(&mut provider, &denom, amount.u128(), &path, &p.chain_id)?;
        }
    }
    for (i, c) in s.consumers.iter().enumerate() {
        let mut consumer: BTreeMap<String, u128> = BTreeMap::new();
        for (j, v) in c.validators.iter().enumerate() {
            let path = format!("consumers[{i}].validators[{j}].stake");
            add_supply(&mut consumer, &c.denom, v.stake.u128(), &path, &c.chain_id)?;
        }
    }
    Ok(())
}

/// Whether a 256-bit value fits in 128 bits.
fn fits(value: Uint256) -> bool {
    value <= Uint256::from(u128::MAX)
}

fn check_conversions(s: &Scenario) -> Check {
    let provider_denom = &s.provider.denom;
    let supply: u128 = s
        .provider
        .validators
        .iter()
        .map(|v| v.stake.u128())
        .chain(
            s.genesis_balances()
                .values()
                .filter_map(|b| b.get(provider_denom).map(|a| a.u128())),
        )
        .sum();
    let ceiling = Uint256::from(supply) * Uint256::from(CONVERSION_GROWTH);
    let one = Uint256::from(Decimal::one().atomics());
    for (i, c) in s.consumers.iter().enumerate() {
        // Every price the consumer will have, and where it is set; every max cap.
        let mut prices = vec![(format!("consumers[{i}].price"), c.price.decimal())];
        let mut caps = vec![c.max_cap.u128()];
        for (j, step) in s.steps.iter().enumerate() {
            match &step.action {
                Action::SetPrice(a) if a.consumer == c.chain_id => {
                    prices.push((format!("steps[{j}].set_price.price"), a.price.decimal()))
                }
                Action::SetMaxCap(a) if a.consumer == c.chain_id => caps.push(a.amount.u128()),
                _ => {}
            }
        }
        let cap = Uint256::from(caps.into_iter().max().unwrap_or(0));
        let keep = Uint256::from((Decimal::one() - c.discount.decimal()).atomics());
        for (path, price) in prices {
            let atomics = Uint256::from(price.atomics());
            // Provider → consumer: the provider's whole supply, grown by rewards.
            if !fits(ceiling * atomics / one) {
                return fail(
                    path,
                    format!(
                        "at price \"{price}\" the provider's supply of {supply} {provider_denom} \
                         (x{CONVERSION_GROWTH} for staking rewards over the horizon) converts to \
                         more than 2^128 - 1 {}; use a smaller price",
                        c.denom
                    ),
                );
            }
            // Consumer → provider (slashes): the max cap, at this price and discount.
            if !atomics.is_zero() && !keep.is_zero() && !fits(cap * one / atomics * one / keep) {
                return fail(
                    path,
                    format!(
                        "at price \"{price}\" and discount \"{}\" a max cap of {cap} {} converts \
                         back to more than 2^128 - 1 {provider_denom}; use a larger price or a \
                         smaller max cap",
                        c.discount, c.denom
                    ),
                );
            }
        }
    }
    Ok(())
}
