//! Cutting stakes: consumer slashes (docs/slashing.md) and burns asked by the vault after a slash
//! elsewhere. Both reduce both ends of the stake ranges (saturating), so acks of packets still
//! in flight only clamp afterwards; what a slash could not take from settled stake is owed by
//! the packets in flight ([`Debt`]).

use cosmwasm_std::{Addr, Decimal, Order, StdResult, Storage, Timestamp, Uint128};
use cw_storage_plus::Map;
use mesh_apis::ibc::ValidatorSlashInfo;
use mesh_apis::vault::SlashInfo;

use mesh_apis::Tx;

use crate::burns::{cover_shortfall, take_unburned, Removal};

use crate::state::{
    load_stake, update_stake, user_adding, Debt, Stake, BURN_DEBT, PENDING_TXS, SLASH_DEBT,
    STAKERS, STAKES, UNSTAKE_DEBT,
};

/// What a consumer slash did here.
#[derive(Debug, Default, PartialEq)]
pub struct SlashOutcome {
    /// Per-user cuts taken now (non-zero only), in address order: report them to the vault.
    pub slashes: Vec<SlashInfo>,
    /// The part beyond the settled stakes that burns in flight account for (see
    /// [`crate::burns`]).
    pub crossed: Uint128,
    /// The rest beyond the settled stakes, owed by the packets in flight (see [`Debt`]).
    pub owed: Uint128,
    /// The rest beyond the settled stakes with nothing in flight to owe it (the consumer held
    /// more than this contract knows of): dropped.
    pub dropped: Uint128,
}

/// Slash the stakers of `info.validator`: up to `slash_amount` in total is taken from the settled
/// parts (`low`) of the stakes, in proportion to them (floor shares, the rest one unit at a time
/// in address order), and each pending unbond that is not released yet and whose unstake the
/// consumer applied before this slash (at a height below `slash_height`, the consumer height of
/// the update that carried it, or unknown) loses `floor(amount × slash_ratio)`, whenever it
/// started (docs/slashing.md: the collateral stays slashable until it is released, so unstaking
/// just before a slash does not escape it; an unstake applied after the slash was covered by it).
///
/// Only settled stake is cut at once: a cut on an in-flight add that later rolls back would
/// leave this contract holding more than the vault's lien. The consumer, though, cut exactly
/// `slash_amount` from its requests on the validator, and those may include stake still in
/// flight here (a stake it applied whose ack is not back, an unstake that has not reached it).
/// The part beyond the settled stakes is therefore recorded as the validator's slash [`Debt`],
/// paid by those packets' outcomes ([`pay_debt`]), so both sides end up agreeing per
/// validator.
pub fn slash_stakers(
    storage: &mut dyn Storage,
    now: Timestamp,
    info: &ValidatorSlashInfo,
    slash_height: u64,
) -> StdResult<SlashOutcome> {
    let validator = info.validator.as_str();
    let settled = settled_stakes(storage, validator)?;
    let cuts = split_proportionally(&settled, info.slash_amount);
    let cut_total = cuts.iter().fold(Uint128::zero(), |a, c| a + *c);
    let mut outcome = SlashOutcome::default();
    for ((user, _), stake_cut) in settled.into_iter().zip(cuts) {
        let user = Addr::unchecked(user);
        let cut = update_stake(storage, &user, validator, |stake, dist| {
            stake.stake.sub_settled(stake_cut);
            dist.sub_weight(stake, stake_cut);
            let mut pending_cut = Uint128::zero();
            for unbond in stake.pending_unbonds.iter_mut() {
                let before_slash = unbond.consumer_height.is_none_or(|h| h < slash_height);
                if unbond.release_at > now && before_slash {
                    let c = unbond.amount.mul_floor(info.slash_ratio);
                    unbond.amount -= c;
                    pending_cut = pending_cut.saturating_add(c);
                }
            }
            stake.pending_unbonds.retain(|u| !u.amount.is_zero());
            stake_cut.saturating_add(pending_cut)
        })?;
        if !cut.is_zero() {
            outcome.slashes.push(SlashInfo {
                user: user.to_string(),
                slash: cut,
            });
        }
    }
    let mut beyond = info.slash_amount.saturating_sub(cut_total);
    outcome.crossed = cover_shortfall(storage, validator, beyond, Removal::Slash)?;
    beyond -= outcome.crossed;
    (outcome.owed, outcome.dropped) = owe(Removal::Slash, storage, validator, beyond)?;
    Ok(outcome)
}

/// Every staker of `validator` (the address as stored) with its settled stake (`low`), in
/// address order.
fn settled_stakes(storage: &dyn Storage, validator: &str) -> StdResult<Vec<(String, Uint128)>> {
    stakers(storage, validator)?
        .into_iter()
        .map(|user| {
            let low = load_stake(storage, &user, validator)?.stake.low;
            Ok((user.into_string(), low))
        })
        .collect()
}

/// Take `amount` from `validator`'s stakes as a slash the consumer already applied: the part
/// of a slash's shortfall that the burns it crossed turned out not to explain (the consumer
/// took them in full, so it slashed tokens this contract did not count as settled: see
/// [`crate::burns`]). Cut from the settled stakes in proportion, the rest owed by the packets in
/// flight ([`SLASH_DEBT`]) or dropped; pending unbonds were cut when the slash arrived.
pub fn slash_from_validator(
    storage: &mut dyn Storage,
    validator: &str,
    amount: Uint128,
) -> StdResult<SlashOutcome> {
    let settled = settled_stakes(storage, validator)?;
    let cuts = split_proportionally(&settled, amount);
    let mut outcome = SlashOutcome::default();
    let mut left = amount;
    for ((user, _), cut) in settled.into_iter().zip(cuts) {
        if cut.is_zero() {
            continue;
        }
        let user = Addr::unchecked(user);
        update_stake(storage, &user, validator, |stake, dist| {
            stake.stake.sub_settled(cut);
            dist.sub_weight(stake, cut);
        })?;
        left -= cut;
        outcome.slashes.push(SlashInfo {
            user: user.into_string(),
            slash: cut,
        });
    }
    (outcome.owed, outcome.dropped) = owe(Removal::Slash, storage, validator, left)?;
    Ok(outcome)
}

/// The debts of removals of `kind` ([`SLASH_DEBT`] or [`UNSTAKE_DEBT`]).
fn debts_of(kind: Removal) -> Map<&'static str, Debt> {
    match kind {
        Removal::Slash => SLASH_DEBT,
        Removal::Unstake => UNSTAKE_DEBT,
    }
}

/// Record `amount` beyond the settled stakes of `validator` as the `kind` debt of the stake and
/// unstake txs in flight on it. Returns `(owed, dropped)`: all of it owed, or all of it dropped
/// when none is in flight.
fn owe(
    kind: Removal,
    storage: &mut dyn Storage,
    validator: &str,
    amount: Uint128,
) -> StdResult<(Uint128, Uint128)> {
    if amount.is_zero() {
        return Ok((amount, amount));
    }
    if add_debt(&debts_of(kind), storage, validator, amount)? {
        Ok((amount, Uint128::zero()))
    } else {
        Ok((Uint128::zero(), amount))
    }
}

/// Record `amount` in `debts` as owed by the stake and unstake txs in flight on `validator`;
/// false (nothing recorded) when there are none.
fn add_debt(
    debts: &Map<&str, Debt>,
    storage: &mut dyn Storage,
    validator: &str,
    amount: Uint128,
) -> StdResult<bool> {
    let mut in_flight: Vec<u64> = vec![];
    for item in PENDING_TXS.range(storage, None, None, Order::Ascending) {
        let (id, tx) = item?;
        let on_validator = match &tx {
            Tx::InFlightRemoteStaking { validator: v, .. }
            | Tx::InFlightRemoteUnstaking { validator: v, .. } => v == validator,
            _ => false,
        };
        if on_validator {
            in_flight.push(id);
        }
    }
    if in_flight.is_empty() {
        return Ok(false);
    }
    let mut debt = debts.may_load(storage, validator)?.unwrap_or(Debt {
        amount: Uint128::zero(),
        txs: vec![],
    });
    debt.amount = debt.amount.saturating_add(amount);
    for id in in_flight {
        if !debt.txs.contains(&id) {
            debt.txs.push(id);
        }
    }
    debt.txs.sort_unstable();
    debts.save(storage, validator, &debt)?;
    Ok(true)
}

/// Tx `tx_id` on `validator` resolved, and `available` of its stake can pay toward the
/// validator's debt in `debts` (a committed stake's amount, a rolled-back unstake's amount, both
/// at most the settled stake; or, for a slash, what the consumer could not unbond of a committed
/// unstake). Returns what it pays, at most `available` and the debt; a tx the debt does not name
/// pays nothing. The tx leaves the debt, which is dropped once paid or once all its txs resolved;
/// what is left unpaid then is matched with the burns in flight ([`crate::burns`]): a burn the
/// consumer found nothing for explains it.
pub fn pay_debt(
    kind: Removal,
    storage: &mut dyn Storage,
    validator: &str,
    tx_id: u64,
    available: Uint128,
) -> StdResult<Uint128> {
    let debts = debts_of(kind);
    let Some(mut debt) = debts.may_load(storage, validator)? else {
        return Ok(Uint128::zero());
    };
    let Some(pos) = debt.txs.iter().position(|id| *id == tx_id) else {
        return Ok(Uint128::zero());
    };
    debt.txs.remove(pos);
    let paid = available.min(debt.amount);
    debt.amount -= paid;
    if debt.amount.is_zero() || debt.txs.is_empty() {
        debts.remove(storage, validator);
        cover_shortfall(storage, validator, debt.amount, kind)?;
    } else {
        debts.save(storage, validator, &debt)?;
    }
    Ok(paid)
}

/// What an `internal_unstake` did here.
#[derive(Debug, Default, PartialEq)]
pub struct InternalUnstakeOutcome {
    /// Per user, the settled stake moved to an immediate unbond (non-zero only).
    pub moved: Vec<(Addr, Uint128)>,
    /// The part beyond the settled stakes that burns in flight account for (see
    /// [`crate::burns`]).
    pub crossed: Uint128,
    /// The rest beyond the settled stakes, owed by the packets in flight (see [`UNSTAKE_DEBT`]).
    pub owed: Uint128,
    /// The rest beyond the settled stakes with nothing in flight to owe it: dropped.
    pub dropped: Uint128,
}

/// A zero max cap made the consumer drop `amount` of `validator`'s requests, booked under
/// `named`. The consumer's per-delegator figures are only an attribution (a burn names no
/// delegator, so it is spread over everyone there), while its per-validator total is exact.
/// What acked burns could not take there ([`crate::burns`]) was cut here already and dropped
/// there before the burn came, so it is part of `amount` and is matched first (a stake
/// committed since may hide the shortfall it would leave: fuzz seed 110395). The rest is taken
/// from `named`'s settled stake, each part moved to an unbond released at `now`; what that
/// cannot cover is matched with the burns in flight before anyone else's stake is touched (a
/// burn may have cut `named`'s stake before the consumer dropped it), then taken from the
/// others' settled stakes in address order, and what is still left is owed by the stake and
/// unstake packets in flight on the validator ([`UNSTAKE_DEBT`]).
pub fn internal_unstake(
    storage: &mut dyn Storage,
    now: Timestamp,
    validator: &str,
    named: &Addr,
    amount: Uint128,
) -> StdResult<InternalUnstakeOutcome> {
    let mut out = InternalUnstakeOutcome::default();
    let unburned = take_unburned(storage, validator, amount)?;
    let own = amount - unburned;
    let left = unbond_from(storage, now, validator, [named.clone()], own, &mut out)?;
    let crossed = cover_shortfall(storage, validator, left, Removal::Unstake)?;
    out.crossed = unburned + crossed;
    let others = stakers(storage, validator)?
        .into_iter()
        .filter(|user| user != named);
    let left = unbond_from(storage, now, validator, others, left - crossed, &mut out)?;
    (out.owed, out.dropped) = owe(Removal::Unstake, storage, validator, left)?;
    Ok(out)
}

/// Take `amount` from `validator`'s stakes as the consumer already did (a crossed burn took it
/// from requests there, see [`crate::burns`]): settled stakes first, in address order, moved to
/// an unbond released at `now`; the rest is owed by the packets in flight ([`UNSTAKE_DEBT`]).
pub fn take_from_validator(
    storage: &mut dyn Storage,
    now: Timestamp,
    validator: &str,
    amount: Uint128,
) -> StdResult<InternalUnstakeOutcome> {
    let mut out = InternalUnstakeOutcome::default();
    let everyone = stakers(storage, validator)?;
    let left = unbond_from(storage, now, validator, everyone, amount, &mut out)?;
    (out.owed, out.dropped) = owe(Removal::Unstake, storage, validator, left)?;
    Ok(out)
}

/// Every staker of `validator`, in address order.
fn stakers(storage: &dyn Storage, validator: &str) -> StdResult<Vec<Addr>> {
    STAKERS
        .prefix(validator)
        .keys(storage, None, None, Order::Ascending)
        .collect()
}

/// Move up to `amount` of `users`' settled stakes on `validator` to unbonds released at `now`,
/// in the order given (recorded in `out.moved`). Returns what is left.
fn unbond_from(
    storage: &mut dyn Storage,
    now: Timestamp,
    validator: &str,
    users: impl IntoIterator<Item = Addr>,
    amount: Uint128,
    out: &mut InternalUnstakeOutcome,
) -> StdResult<Uint128> {
    let mut left = amount;
    for user in users {
        if left.is_zero() {
            break;
        }
        if !STAKES.has(storage, (&user, validator)) {
            continue;
        }
        let moved = update_stake(storage, &user, validator, |stake, dist| {
            stake.unbond_settled(dist, left, now)
        })?;
        if !moved.is_zero() {
            left -= moved;
            out.moved.push((user, moved));
        }
    }
    Ok(left)
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

/// What a burn took from a user's holdings.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BurnOutcome {
    /// Per validator (named validator first, then by name), the amount taken from the settled
    /// stake: the consumer still holds it, so each needs a `burn` packet.
    pub from_stakes: Vec<(String, Uint128)>,
    /// Taken from stake being unstaked (per validator, by name). No packet now: the consumer
    /// unbonds the whole unstake when it applies it, the burned part included; only a rolled-back
    /// unstake sends the burn (see [`Stake::unstaking_burned`](crate::state::Stake)).
    pub from_unstaking: Vec<(String, Uint128)>,
    /// Taken from pending unbonds (still liened in the vault, so they count).
    pub from_unbonds: Uint128,
    /// Charged as debt against the user's stakes in flight (see [`BURN_DEBT`]).
    pub debt: Uint128,
    /// What could not be burned: the user had less than `amount`.
    pub unburned: Uint128,
}

/// Take `amount` from `entries` (`(validator, capacity)`): from `named` first, then
/// proportionally from the others. Returns the amounts aligned with `entries`.
fn take_named_first(
    entries: &[(String, Uint128)],
    named: Option<&str>,
    amount: Uint128,
) -> Vec<Uint128> {
    let mut takes = vec![Uint128::zero(); entries.len()];
    let mut left = amount;
    if let Some(i) = entries.iter().position(|(v, _)| Some(v.as_str()) == named) {
        takes[i] = left.min(entries[i].1);
        left -= takes[i];
    }
    let others: Vec<(usize, (String, Uint128))> = entries
        .iter()
        .cloned()
        .enumerate()
        .filter(|(_, (v, c))| Some(v.as_str()) != named && !c.is_zero())
        .collect();
    let caps: Vec<(String, Uint128)> = others.iter().map(|(_, e)| e.clone()).collect();
    for ((i, _), take) in others.iter().zip(split_proportionally(&caps, left)) {
        takes[*i] = take;
    }
    takes
}

/// Burn `amount` of `owner`'s holdings in the order the vault's lien range sees them:
/// 1. the settled stake (`low`): of `validator` first if given, then proportionally;
/// 2. pending unbonds, newest first;
/// 3. stake being unstaked (in flight, still in the vault's lower end), same order as 1; the
///    consumer hears of it only if that unstake is rolled back;
/// 4. the rest is a debt against the user's stakes in flight ([`BURN_DEBT`]), as the vault cuts
///    only the upper end of its range there: a later commit pays it, a rollback forgives it.
///
/// Whatever the in-flight packets do, this contract then holds exactly what the vault's lien
/// says, so `release_cross_stake` never asks for more than the lien.
pub fn burn_stakes(
    storage: &mut dyn Storage,
    owner: &Addr,
    amount: Uint128,
    validator: Option<&str>,
) -> StdResult<BurnOutcome> {
    let names: Vec<String> = STAKES
        .prefix(owner)
        .keys(storage, None, None, Order::Ascending)
        .collect::<StdResult<_>>()?;
    let mut left = amount;
    // Per pass: what the settled stake gave, what the stake being unstaked gave.
    let mut burned = [
        vec![Uint128::zero(); names.len()],
        vec![Uint128::zero(); names.len()],
    ];

    // 1. Settled stake; 3. stake being unstaked (the part of the range that is no add).
    let passes: [fn(&Stake) -> Uint128; 2] = [
        |s| s.stake.low,
        |s| (s.stake.high - s.stake.low).saturating_sub(s.adding),
    ];
    for (pass, capacity) in passes.iter().enumerate() {
        if pass == 1 {
            // 2. Pending unbonds, newest first, validators in order.
            for v in &names {
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
            }
        }
        let mut entries = vec![];
        for v in &names {
            entries.push((v.clone(), capacity(&load_stake(storage, owner, v)?)));
        }
        for (i, take) in take_named_first(&entries, validator, left)
            .into_iter()
            .enumerate()
        {
            if take.is_zero() {
                continue;
            }
            update_stake(storage, owner, &names[i], |stake, dist| {
                if pass == 0 {
                    stake.stake.sub_settled(take);
                    dist.sub_weight(stake, take);
                } else {
                    stake.stake.high -= take;
                    stake.unstaking_burned += take;
                    dist.clamp_weight(stake);
                }
            })?;
            burned[pass][i] += take;
            left -= take;
        }
    }
    let from_unbonds = amount - left - burned.iter().flatten().copied().sum::<Uint128>();

    // 4. Debt against the stakes in flight.
    let debt_before = BURN_DEBT.may_load(storage, owner)?.unwrap_or_default();
    let room = user_adding(storage, owner)?.saturating_sub(debt_before);
    let debt = left.min(room);
    if !debt.is_zero() {
        BURN_DEBT.save(storage, owner, &(debt_before + debt))?;
        left -= debt;
    }

    let mut from_stakes: Vec<(String, Uint128)> = vec![];
    if let Some(i) = names.iter().position(|v| Some(v.as_str()) == validator) {
        from_stakes.push((names[i].clone(), burned[0][i]));
    }
    for (i, v) in names.iter().enumerate() {
        if Some(v.as_str()) != validator {
            from_stakes.push((v.clone(), burned[0][i]));
        }
    }
    from_stakes.retain(|(_, b)| !b.is_zero());
    let from_unstaking = names
        .iter()
        .cloned()
        .zip(burned[1].iter().copied())
        .filter(|(_, b)| !b.is_zero())
        .collect();
    Ok(BurnOutcome {
        from_stakes,
        from_unstaking,
        from_unbonds,
        debt,
        unburned: left,
    })
}

/// A stake packet of `owner` is acked successfully for `amount`: the part of it beyond the
/// in-flight adds that the burn debt leaves free pays the debt (the vault's commit clamps its
/// lower end the same way). Call before the stake's `adding` is decreased. Returns the payment.
pub fn debt_payment(storage: &dyn Storage, owner: &Addr, amount: Uint128) -> StdResult<Uint128> {
    let debt = BURN_DEBT.may_load(storage, owner)?.unwrap_or_default();
    if debt.is_zero() {
        return Ok(debt);
    }
    let free = user_adding(storage, owner)?.saturating_sub(debt);
    Ok(amount.saturating_sub(free).min(debt))
}

/// Record a debt payment, or after a rollback cap the debt at the remaining in-flight adds
/// (the vault's rollback clamps its upper end the same way).
pub fn settle_debt(storage: &mut dyn Storage, owner: &Addr, paid: Uint128) -> StdResult<()> {
    let debt = BURN_DEBT.may_load(storage, owner)?.unwrap_or_default();
    if debt.is_zero() {
        return Ok(());
    }
    let debt = debt.saturating_sub(paid).min(user_adding(storage, owner)?);
    if debt.is_zero() {
        BURN_DEBT.remove(storage, owner);
    } else {
        BURN_DEBT.save(storage, owner, &debt)?;
    }
    Ok(())
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
