//! Cutting stakes: consumer slashes (system.md §6) and burns asked by the vault after a slash
//! elsewhere. Both reduce both ends of the stake ranges (saturating), so acks of packets still
//! in flight only clamp afterwards.

use cosmwasm_std::{Addr, Decimal, Order, StdResult, Storage, Timestamp, Uint128};
use mesh_apis::ibc::ValidatorSlashInfo;
use mesh_apis::vault::SlashInfo;

use crate::state::{load_stake, update_stake, STAKERS, STAKES};

/// Slash the stakers of `info.validator`: each stake loses `high × slash_amount / Σ high`
/// (floor), and each pending unbond that is not released yet and started at or after the
/// infraction loses `floor(amount × slash_ratio)`. Returns the per-user totals (non-zero only),
/// in address order.
pub fn slash_stakers(
    storage: &mut dyn Storage,
    now: Timestamp,
    unbonding_period: u64,
    info: &ValidatorSlashInfo,
) -> StdResult<Vec<SlashInfo>> {
    let validator = info.validator.as_str();
    let users: Vec<Addr> = STAKERS
        .prefix(validator)
        .keys(storage, None, None, Order::Ascending)
        .collect::<StdResult<_>>()?;
    let mut total = Uint128::zero();
    for user in &users {
        total = total.saturating_add(load_stake(storage, user, validator)?.stake.high);
    }
    let mut slashes = vec![];
    for user in users {
        let cut = update_stake(storage, &user, validator, |stake, dist| {
            let high = stake.stake.high;
            let stake_cut = if total.is_zero() {
                Uint128::zero()
            } else {
                high.checked_multiply_ratio(info.slash_amount, total)
                    .unwrap_or(high)
                    .min(high)
            };
            stake.stake.sub_settled(stake_cut);
            dist.sub_weight(stake, stake_cut);
            let mut pending_cut = Uint128::zero();
            for unbond in stake.pending_unbonds.iter_mut() {
                let started = unbond.release_at.seconds().saturating_sub(unbonding_period);
                if unbond.release_at > now && started >= info.infraction_time {
                    let c = unbond.amount.mul_floor(info.slash_ratio);
                    unbond.amount -= c;
                    pending_cut = pending_cut.saturating_add(c);
                }
            }
            stake.pending_unbonds.retain(|u| !u.amount.is_zero());
            stake_cut.saturating_add(pending_cut)
        })?;
        if !cut.is_zero() {
            slashes.push(SlashInfo {
                user: user.to_string(),
                slash: cut,
            });
        }
    }
    Ok(slashes)
}

/// Split `amount` over `(key, capacity)` entries proportionally to capacity: floor shares, then
/// the rest one unit at a time in entry order. Takes everything when `amount >= Σ capacity`.
pub fn split_proportionally(entries: &[(String, Uint128)], amount: Uint128) -> Vec<Uint128> {
    let total = entries
        .iter()
        .fold(Uint128::zero(), |acc, (_, c)| acc.saturating_add(*c));
    if amount >= total {
        return entries.iter().map(|(_, c)| *c).collect();
    }
    let mut shares: Vec<Uint128> = entries
        .iter()
        .map(|(_, c)| c.multiply_ratio(amount, total))
        .collect();
    let mut rest = amount - shares.iter().fold(Uint128::zero(), |acc, s| acc + *s);
    for (share, (_, cap)) in shares.iter_mut().zip(entries) {
        if rest.is_zero() {
            break;
        }
        if *share < *cap {
            *share += Uint128::one();
            rest -= Uint128::one();
        }
    }
    shares
}

/// What a burn took from a user's stakes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BurnOutcome {
    /// Per validator (in burn order), the amount taken from the stake itself.
    pub from_stakes: Vec<(String, Uint128)>,
    /// Taken from pending unbonds (still liened in the vault, so they count).
    pub from_unbonds: Uint128,
    /// What could not be burned: the user had less than `amount`.
    pub unburned: Uint128,
}

/// Burn `amount` of `owner`'s stakes: from `validator` first if given, then proportionally
/// (by `stake.high`) from the other validators, then from pending unbonds (newest first).
pub fn burn_stakes(
    storage: &mut dyn Storage,
    owner: &Addr,
    amount: Uint128,
    validator: Option<&str>,
) -> StdResult<BurnOutcome> {
    let mut out = BurnOutcome::default();
    let mut left = amount;
    let all: Vec<(String, Uint128)> = STAKES
        .prefix(owner)
        .range(storage, None, None, Order::Ascending)
        .map(|item| item.map(|(v, s)| (v, s.stake.high)))
        .collect::<StdResult<_>>()?;

    let mut plan: Vec<(String, Uint128)> = vec![];
    if let Some(first) = validator {
        let high = all
            .iter()
            .find(|(v, _)| v == first)
            .map(|(_, h)| *h)
            .unwrap_or_default();
        let take = left.min(high);
        if !take.is_zero() {
            plan.push((first.to_string(), take));
            left -= take;
        }
    }
    let others: Vec<(String, Uint128)> = all
        .iter()
        .filter(|(v, h)| Some(v.as_str()) != validator && !h.is_zero())
        .cloned()
        .collect();
    for ((v, _), take) in others.iter().zip(split_proportionally(&others, left)) {
        if !take.is_zero() {
            plan.push((v.clone(), take));
            left -= take;
        }
    }
    for (v, take) in &plan {
        update_stake(storage, owner, v, |stake, dist| {
            stake.stake.sub_settled(*take);
            dist.sub_weight(stake, *take);
        })?;
    }
    out.from_stakes = plan;

    // Then the pending unbonds, newest first, validators in order.
    for (v, _) in &all {
        if left.is_zero() {
            break;
        }
        let taken = update_stake(storage, owner, v, |stake, _| {
            let mut taken = Uint128::zero();
            for unbond in stake.pending_unbonds.iter_mut().rev() {
                let c = unbond.amount.min(left - taken);
                unbond.amount -= c;
                taken += c;
            }
            stake.pending_unbonds.retain(|u| !u.amount.is_zero());
            taken
        })?;
        left -= taken;
        out.from_unbonds += taken;
    }
    out.unburned = left;
    Ok(out)
}

/// Check a slash ratio from a packet (at most 1).
pub fn valid_ratio(ratio: Decimal) -> bool {
    ratio <= Decimal::one()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(v: &[(&str, u128)]) -> Vec<(String, Uint128)> {
        v.iter()
            .map(|(k, c)| (k.to_string(), Uint128::new(*c)))
            .collect()
    }

    /// Floor shares plus the rest in entry order; everything when the amount covers all.
    #[test]
    fn proportional_split_is_exact_and_deterministic() {
        let u = Uint128::new;
        assert_eq!(
            split_proportionally(&e(&[("a", 100), ("b", 100), ("c", 100)]), u(100)),
            vec![u(34), u(33), u(33)]
        );
        assert_eq!(
            split_proportionally(&e(&[("a", 200), ("b", 100)]), u(50)),
            vec![u(34), u(16)]
        );
        assert_eq!(
            split_proportionally(&e(&[("a", 5), ("b", 7)]), u(100)),
            vec![u(5), u(7)]
        );
        assert_eq!(split_proportionally(&[], u(10)), Vec::<Uint128>::new());
    }
}
