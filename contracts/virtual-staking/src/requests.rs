//! Bookkeeping of the stake requests (provider units): per (validator, delegator) and the
//! per-validator totals, always kept equal to the sum of their delegators' requests.

use cosmwasm_std::{Order, StdResult, Storage, Uint128};

use crate::error::ContractError;
use crate::state::{REQUESTS, SLASHED, VALIDATOR_TOTALS};

/// The delegator's request on `validator` (0 if none).
pub fn request(storage: &dyn Storage, validator: &str, delegator: &str) -> StdResult<Uint128> {
    Ok(REQUESTS
        .may_load(storage, (validator, delegator))?
        .unwrap_or_default())
}

/// The total request on `validator` (0 if none).
pub fn validator_total(storage: &dyn Storage, validator: &str) -> StdResult<Uint128> {
    Ok(VALIDATOR_TOTALS
        .may_load(storage, validator)?
        .unwrap_or_default())
}

fn save_or_remove_request(
    storage: &mut dyn Storage,
    validator: &str,
    delegator: &str,
    amount: Uint128,
) -> StdResult<()> {
    if amount.is_zero() {
        REQUESTS.remove(storage, (validator, delegator));
        Ok(())
    } else {
        REQUESTS.save(storage, (validator, delegator), &amount)
    }
}

fn save_or_remove_total(
    storage: &mut dyn Storage,
    validator: &str,
    amount: Uint128,
) -> StdResult<()> {
    if amount.is_zero() {
        VALIDATOR_TOTALS.remove(storage, validator);
        Ok(())
    } else {
        VALIDATOR_TOTALS.save(storage, validator, &amount)
    }
}

/// Add `amount` to the delegator's request on `validator`.
pub fn add_request(
    storage: &mut dyn Storage,
    validator: &str,
    delegator: &str,
    amount: Uint128,
) -> Result<(), ContractError> {
    let mine = request(storage, validator, delegator)?
        .checked_add(amount)
        .map_err(cosmwasm_std::StdError::from)?;
    let total = validator_total(storage, validator)?
        .checked_add(amount)
        .map_err(cosmwasm_std::StdError::from)?;
    save_or_remove_request(storage, validator, delegator, mine)?;
    save_or_remove_total(storage, validator, total)?;
    Ok(())
}

/// Subtract `amount` from the delegator's request on `validator`.
///
/// The per-validator total is what matches the provider (it sends one `burn` per validator
/// without naming delegators, and a burn is spread over every request on that validator), so a
/// delegator the provider did not slash can hold less here than its provider stake. The bound is
/// therefore the validator's total: a shortfall in the delegator's own request is taken from the
/// other requests on that validator, in delegator order. More than the total is
/// [`ContractError::UnbondTooMuch`].
pub fn sub_request(
    storage: &mut dyn Storage,
    validator: &str,
    delegator: &str,
    amount: Uint128,
) -> Result<(), ContractError> {
    let mine = request(storage, validator, delegator)?;
    let total = validator_total(storage, validator)?;
    if amount > total {
        return Err(ContractError::UnbondTooMuch {
            delegator: delegator.to_string(),
            validator: validator.to_string(),
            requested: amount,
            available: total,
        });
    }
    let from_mine = amount.min(mine);
    save_or_remove_request(storage, validator, delegator, mine - from_mine)?;
    let mut shortfall = amount - from_mine;
    if !shortfall.is_zero() {
        for (other, held) in delegators_of(storage, validator)? {
            if shortfall.is_zero() {
                break;
            }
            if other == delegator {
                continue;
            }
            let take = held.min(shortfall);
            save_or_remove_request(storage, validator, &other, held - take)?;
            shortfall -= take;
        }
    }
    save_or_remove_total(storage, validator, total - amount)?;
    Ok(())
}

/// Unbond for a provider `unstake`: [`sub_request`], except that an unstake exceeding the
/// validator's total by no more than what slashes took from that validator unbonds everything
/// left (the provider sent it before it learned of the slash; it reads what was unbonded from
/// the ack and takes the rest as slashed). Returns what was unbonded.
pub fn unbond_request(
    storage: &mut dyn Storage,
    validator: &str,
    delegator: &str,
    amount: Uint128,
) -> Result<Uint128, ContractError> {
    let unbond = unbondable(storage, validator, amount)?;
    sub_request(storage, validator, delegator, unbond)?;
    Ok(unbond)
}

/// What [`unbond_request`] would unbond now for `amount` (the same rule, no change).
pub fn unbondable(storage: &dyn Storage, validator: &str, amount: Uint128) -> StdResult<Uint128> {
    let total = validator_total(storage, validator)?;
    let slashed = SLASHED.may_load(storage, validator)?.unwrap_or_default();
    Ok(if amount > total && amount - total <= slashed {
        total
    } else {
        amount
    })
}

/// Every delegator's request on `validator`, in delegator order.
pub fn delegators_of(storage: &dyn Storage, validator: &str) -> StdResult<Vec<(String, Uint128)>> {
    REQUESTS
        .prefix(validator)
        .range(storage, None, None, Order::Ascending)
        .collect()
}

/// Every validator's total, in validator order.
pub fn all_totals(storage: &dyn Storage) -> StdResult<Vec<(String, Uint128)>> {
    VALIDATOR_TOTALS
        .range(storage, None, None, Order::Ascending)
        .collect()
}

/// Every request as (validator, delegator, amount), in that order.
pub fn all_requests(storage: &dyn Storage) -> StdResult<Vec<(String, String, Uint128)>> {
    REQUESTS
        .range(storage, None, None, Order::Ascending)
        .map(|item| item.map(|((validator, delegator), amount)| (validator, delegator, amount)))
        .collect()
}

/// Drop every request and total, and the slash record.
pub fn clear_all(storage: &mut dyn Storage) {
    REQUESTS.clear(storage);
    VALIDATOR_TOTALS.clear(storage);
    SLASHED.clear(storage);
}

/// Split `amount` (capped at the sum of `weights`) over `weights` in proportion, flooring each
/// share; the remainder goes to the first entries that still have room (a share never exceeds
/// its weight). Deterministic.
pub fn split_proportionally(amount: Uint128, weights: &[Uint128]) -> Vec<Uint128> {
    let total: Uint128 = weights.iter().copied().sum();
    if total.is_zero() {
        return vec![Uint128::zero(); weights.len()];
    }
    let amount = amount.min(total);
    let mut shares: Vec<Uint128> = weights
        .iter()
        .map(|w| w.multiply_ratio(amount, total))
        .collect();
    let mut rest = amount - shares.iter().copied().sum::<Uint128>();
    for (share, weight) in shares.iter_mut().zip(weights) {
        if rest.is_zero() {
            break;
        }
        let take = rest.min(*weight - *share);
        *share += take;
        rest -= take;
    }
    shares
}

/// Reduce `validator`'s requests by `amount` (capped at its total), spread over its delegators
/// by [`split_proportionally`]. Returns what was taken.
pub fn reduce_validator(
    storage: &mut dyn Storage,
    validator: &str,
    amount: Uint128,
) -> StdResult<Uint128> {
    let delegators = delegators_of(storage, validator)?;
    let weights: Vec<Uint128> = delegators.iter().map(|(_, a)| *a).collect();
    let shares = split_proportionally(amount, &weights);
    apply_cuts(storage, validator, &delegators, &shares)
}

/// Reduce `validator`'s requests after a slash of `slash` (provider units): every delegator
/// loses `floor(request × slash / total)`, as the provider cuts its stakes
/// (`stake × slash / total`). Returns what was taken.
pub fn slash_validator(
    storage: &mut dyn Storage,
    validator: &str,
    slash: Uint128,
) -> StdResult<Uint128> {
    let total = validator_total(storage, validator)?;
    if total.is_zero() {
        return Ok(Uint128::zero());
    }
    // Exactly `slash` in total (capped at the total): the provider cuts the same total from
    // this validator, so both sides keep agreeing per validator.
    let delegators = delegators_of(storage, validator)?;
    let weights: Vec<Uint128> = delegators.iter().map(|(_, a)| *a).collect();
    let cuts = split_proportionally(slash, &weights);
    let taken = apply_cuts(storage, validator, &delegators, &cuts)?;
    if !taken.is_zero() {
        let before = SLASHED.may_load(storage, validator)?.unwrap_or_default();
        SLASHED.save(storage, validator, &before.saturating_add(taken))?;
    }
    Ok(taken)
}

fn apply_cuts(
    storage: &mut dyn Storage,
    validator: &str,
    delegators: &[(String, Uint128)],
    cuts: &[Uint128],
) -> StdResult<Uint128> {
    let mut taken = Uint128::zero();
    for ((delegator, amount), cut) in delegators.iter().zip(cuts) {
        if cut.is_zero() {
            continue;
        }
        save_or_remove_request(storage, validator, delegator, *amount - *cut)?;
        taken += *cut;
    }
    let total = validator_total(storage, validator)?.saturating_sub(taken);
    save_or_remove_total(storage, validator, total)?;
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(v: &[u128]) -> Vec<Uint128> {
        v.iter().map(|x| Uint128::new(*x)).collect()
    }

    /// Proportional split with the remainder to the first entries with room.
    #[test]
    fn split_is_proportional_with_remainder_first() {
        assert_eq!(
            split_proportionally(Uint128::new(10), &u(&[1, 1, 1])),
            u(&[1, 1, 1])
        );
        assert_eq!(
            split_proportionally(Uint128::new(2), &u(&[1, 1, 1])),
            u(&[1, 1, 0])
        );
        assert_eq!(
            split_proportionally(Uint128::new(5), &u(&[10, 40])),
            u(&[1, 4])
        );
        assert_eq!(
            split_proportionally(Uint128::new(7), &u(&[3, 3, 3])),
            u(&[3, 2, 2])
        );
        assert_eq!(
            split_proportionally(Uint128::new(7), &u(&[0, 0])),
            u(&[0, 0])
        );
        assert_eq!(split_proportionally(Uint128::new(0), &u(&[5])), u(&[0]));
    }
}

#[cfg(test)]
mod sub_request_tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    fn u(v: u128) -> Uint128 {
        Uint128::new(v)
    }

    /// After a proportional burn took part of bob's request although only alice was slashed on
    /// the provider, bob can still unstake his whole provider stake: the shortfall comes from the
    /// other requests on the validator, and the total stays equal to the provider's.
    #[test]
    fn unbond_is_bounded_by_the_validator_total_not_the_delegator_share() {
        let mut s = MockStorage::new();
        add_request(&mut s, "val1", "alice", u(60)).unwrap();
        add_request(&mut s, "val1", "bob", u(40)).unwrap();
        // A burn of 10 (for alice on the provider) spread by proportion: alice -6, bob -4.
        save_or_remove_request(&mut s, "val1", "alice", u(54)).unwrap();
        save_or_remove_request(&mut s, "val1", "bob", u(36)).unwrap();
        save_or_remove_total(&mut s, "val1", u(90)).unwrap();
        // Provider: alice 50, bob 40. Bob unstakes 40.
        sub_request(&mut s, "val1", "bob", u(40)).unwrap();
        assert_eq!(request(&s, "val1", "bob").unwrap(), u(0));
        assert_eq!(request(&s, "val1", "alice").unwrap(), u(50));
        assert_eq!(validator_total(&s, "val1").unwrap(), u(50));
        // More than the validator's total is refused, with the total in the error.
        let err = sub_request(&mut s, "val1", "alice", u(51)).unwrap_err();
        assert!(
            matches!(err, ContractError::UnbondTooMuch { available, .. } if available == u(50))
        );
        sub_request(&mut s, "val1", "alice", u(50)).unwrap();
        assert_eq!(validator_total(&s, "val1").unwrap(), u(0));
    }
}
