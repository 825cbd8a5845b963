//! Storage of the staking module (its own namespaces, prefixed `mesh_staking_`).

use std::fmt;

use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128, Uint256};
use cw_storage_plus::{Item, Map};
use serde::{Deserialize, Serialize};

/// Genesis parameters of the staking module.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StakingConfig {
    /// The only denom that can be delegated.
    pub bonded_denom: String,
    /// Seconds between an undelegation and the payout.
    pub unbonding_time: u64,
    /// Annual reward rate per delegated token (simple interest, no compounding).
    pub apr: Decimal,
}

/// Where a validator stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ValidatorStatus {
    /// In the active set: earns rewards, undelegations wait the unbonding time.
    Bonded,
    /// Jailed (downtime): earns nothing, undelegations complete at once; can be unjailed.
    Jailed,
    /// Tombstoned (double sign): final; earns nothing, undelegations complete at once.
    Tombstoned,
    /// Removed from the set: earns nothing, undelegations complete at once.
    Unbonded,
}

impl fmt::Display for ValidatorStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValidatorStatus::Bonded => "bonded",
            ValidatorStatus::Jailed => "jailed",
            ValidatorStatus::Tombstoned => "tombstoned",
            ValidatorStatus::Unbonded => "unbonded",
        })
    }
}

/// A validator as the staking module stores it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ValidatorInfo {
    /// Plain name ("val1"); also its "operator address" in staking queries.
    pub name: String,
    /// Current status.
    pub status: ValidatorStatus,
    /// Sum of all delegations to it (unbonding entries not included).
    pub tokens: Uint128,
    /// Always 0.
    pub commission: Decimal,
    /// The account that made the genesis self-bond, if any.
    pub operator: Option<Addr>,
    /// Seconds during which it was bonded (earning), up to `last_reward_update`.
    pub reward_seconds: u64,
    /// When `reward_seconds` was last brought up to date (on every status change).
    pub last_reward_update: Timestamp,
}

impl ValidatorInfo {
    /// Earning seconds up to `now`: the stored count plus the time since the last update
    /// if the validator is bonded.
    pub fn reward_seconds_at(&self, now: Timestamp) -> u64 {
        if self.status == ValidatorStatus::Bonded {
            self.reward_seconds
                + now
                    .seconds()
                    .saturating_sub(self.last_reward_update.seconds())
        } else {
            self.reward_seconds
        }
    }
}

/// One (delegator, validator) delegation.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct DelegationInfo {
    /// Tokens delegated.
    pub amount: Uint128,
    /// The validator's `reward_seconds_at` when rewards were last settled.
    pub reward_seconds_snapshot: u64,
    /// Unpaid rewards in units of token × apr-atomics × second (divide by
    /// `YEAR_SECONDS × 10^18` for tokens); exact, so no rounding depends on block frequency.
    pub reward_units: Uint256,
}

/// A pending undelegation.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct UnbondingEntry {
    /// Order of creation (ties on completion time pay out in this order).
    pub id: u64,
    /// Who gets the tokens.
    pub delegator: Addr,
    /// The validator undelegated from.
    pub validator: String,
    /// Tokens still to pay (slashes reduce it).
    pub amount: Uint128,
    /// Height at which the undelegation happened.
    pub creation_height: u64,
    /// Paid out in the first block whose time is at or after this.
    pub completion_time: Timestamp,
}

/// Genesis configuration.
pub(crate) const CONFIG: Item<StakingConfig> = Item::new("mesh_staking_config");
/// Validators by name.
pub(crate) const VALIDATORS: Map<&str, ValidatorInfo> = Map::new("mesh_staking_validators");
/// Delegations by (delegator, validator).
pub(crate) const DELEGATIONS: Map<(&Addr, &str), DelegationInfo> =
    Map::new("mesh_staking_delegations");
/// Index (validator, delegator) of `DELEGATIONS`, for slashing in delegator order.
pub(crate) const VALIDATOR_DELEGATORS: Map<(&str, &Addr), ()> =
    Map::new("mesh_staking_validator_delegators");
/// Unbonding queue keyed by (completion time in nanoseconds, id): iteration is payout order.
pub(crate) const UNBONDING: Map<(u64, u64), UnbondingEntry> = Map::new("mesh_staking_unbonding");
/// Next unbonding id.
pub(crate) const NEXT_UNBONDING_ID: Item<u64> = Item::new("mesh_staking_next_unbonding_id");
