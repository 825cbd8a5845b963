//! Reward accrual: exact integer bookkeeping, independent of block frequency.

use cosmwasm_std::{Addr, Decimal, StdResult, Storage, Timestamp, Uint128, Uint256};

use super::shares::balance_of_shares;
use super::state::{DelegationInfo, ValidatorInfo, DELEGATIONS};
use super::MeshStaking;
use crate::modules::error::ModuleError;

/// Seconds in the reward year (365 days).
pub const YEAR_SECONDS: u64 = 31_536_000;

/// Reward units per whole token: `YEAR_SECONDS × 10^18` (the atomics of `Decimal::one()`).
fn units_per_token() -> Uint256 {
    Uint256::from(YEAR_SECONDS) * Uint256::from(Decimal::one().atomics())
}

/// Brings `delegation`'s reward accumulator up to `now` against `validator`, on the token value
/// it had at its last settlement (`reward_basis`). Call [`rebase`] once the change that made
/// this settlement necessary is applied.
pub(crate) fn settle(
    delegation: &mut DelegationInfo,
    validator: &ValidatorInfo,
    now: Timestamp,
    apr: Decimal,
) {
    let current = validator.reward_seconds_at(now);
    let elapsed = current.saturating_sub(delegation.reward_seconds_snapshot);
    delegation.reward_units += Uint256::from(delegation.reward_basis)
        * Uint256::from(apr.atomics())
        * Uint256::from(elapsed);
    delegation.reward_seconds_snapshot = current;
}

/// Sets the token value rewards accrue on from now: the delegation's balance at `validator`'s
/// exchange rate.
pub(crate) fn rebase(delegation: &mut DelegationInfo, validator: &ValidatorInfo) -> StdResult<()> {
    delegation.reward_basis = balance_of_shares(
        delegation.shares,
        validator.tokens,
        validator.delegator_shares,
    )?;
    Ok(())
}

/// Whole tokens in `units` (floor).
pub(crate) fn units_to_tokens(units: Uint256) -> StdResult<Uint128> {
    Ok(Uint128::try_from(units / units_per_token())?)
}

/// Settles and removes the whole-token part of the rewards of (`delegator`, `validator`),
/// keeping the fraction. A delegation with no tokens left is deleted (its fraction dropped).
pub(crate) fn take_rewards(
    storage: &mut dyn Storage,
    now: Timestamp,
    delegator: &Addr,
    validator: &str,
) -> StdResult<Uint128> {
    let config = MeshStaking::load_config(storage)?;
    let val = MeshStaking::load_validator(storage, validator)?;
    let mut delegation = DELEGATIONS
        .may_load(storage, (delegator, validator))?
        .ok_or_else(|| ModuleError::NoDelegation {
            delegator: delegator.to_string(),
            validator: validator.to_string(),
        })?;
    settle(&mut delegation, &val, now, config.apr);
    rebase(&mut delegation, &val)?;
    let paid = units_to_tokens(delegation.reward_units)?;
    delegation.reward_units -= Uint256::from(paid) * units_per_token();
    if delegation.shares.is_zero() {
        delegation.reward_units = Uint256::zero();
    }
    MeshStaking::save_delegation(storage, delegator, validator, &delegation)?;
    Ok(paid)
}
