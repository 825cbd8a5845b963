//! Storage of the staking module (its own namespaces, prefixed `mesh_staking_`).

use std::fmt;

use cosmwasm_std::{Addr, Decimal, Decimal256, Timestamp, Uint128, Uint256};
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

/// Tokens per unit of consensus power (the SDK's default power reduction).
pub const POWER_REDUCTION: u128 = 1_000_000;

/// Unbonding (and redelegation) entries one delegator may have per validator (pair) at a time:
/// the SDK's default `MaxEntries`.
pub const MAX_ENTRIES: usize = 7;

/// Blocks between a change of the validator set and its effect on consensus (the SDK's
/// `ValidatorUpdateDelay`).
pub const VALIDATOR_UPDATE_DELAY: u64 = 1;

/// The smallest self-delegation a validator needs to be unjailed (the reference's validators use
/// a minimum self-delegation of 1).
pub const MIN_SELF_DELEGATION: u128 = 1;

/// Where a validator stands in the set, as the SDK's bond status.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum BondStatus {
    /// In the active set: earns rewards, undelegations wait the unbonding time.
    Bonded,
    /// Left the active set (jailed, or its self-bond withdrawn) less than the unbonding time ago.
    Unbonding,
    /// Left the active set at least the unbonding time ago.
    Unbonded,
}

impl fmt::Display for BondStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BondStatus::Bonded => "bonded",
            BondStatus::Unbonding => "unbonding",
            BondStatus::Unbonded => "unbonded",
        })
    }
}

/// A block: its height and time.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRef {
    /// Height.
    pub height: u64,
    /// Time.
    pub time: Timestamp,
}

/// A validator as the staking module stores it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ValidatorInfo {
    /// Plain name ("val1"); also its "operator address" in staking queries.
    pub name: String,
    /// Bond status.
    pub status: BondStatus,
    /// Jailed (downtime, double sign, or a self-delegation below the minimum).
    pub jailed: bool,
    /// Tombstoned (double sign): final, it can never be unjailed.
    pub tombstoned: bool,
    /// Tokens bonded to it (delegations; unbonding entries are not included).
    pub tokens: Uint128,
    /// Shares its delegators hold (18 decimals).
    pub delegator_shares: Decimal256,
    /// Always 0.
    pub commission: Decimal,
    /// The account whose delegation is the self-bond, if any.
    pub operator: Option<Addr>,
    /// The block at which it last entered the active set (creation or unjail).
    pub bonded_since: BlockRef,
    /// While jailed: the block that jailed it.
    pub jailed_at: Option<BlockRef>,
    /// While unbonding or unbonded: the block at which it left the active set, and when its
    /// unbonding completes (that block's time plus the unbonding time).
    pub unbonding: Option<(BlockRef, Timestamp)>,
    /// Seconds during which it was bonded (earning), up to `last_reward_update`.
    pub reward_seconds: u64,
    /// When `reward_seconds` was last brought up to date (on every status change).
    pub last_reward_update: Timestamp,
}

impl ValidatorInfo {
    /// Earning seconds up to `now`: the stored count plus the time since the last update
    /// if the validator is bonded.
    pub fn reward_seconds_at(&self, now: Timestamp) -> u64 {
        if self.status == BondStatus::Bonded {
            self.reward_seconds
                + now
                    .seconds()
                    .saturating_sub(self.last_reward_update.seconds())
        } else {
            self.reward_seconds
        }
    }

    /// Consensus power: tokens / 1,000,000, truncated (what a slash by power is measured in).
    pub fn power(&self) -> u64 {
        u64::try_from(self.tokens.u128() / POWER_REDUCTION).unwrap_or(u64::MAX)
    }

    /// How it reads in messages: tombstoned, jailed, or its bond status.
    pub fn describe(&self) -> String {
        if self.tombstoned {
            "tombstoned".to_string()
        } else if self.jailed {
            format!("jailed ({})", self.status)
        } else {
            self.status.to_string()
        }
    }
}

/// One (delegator, validator) delegation.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct DelegationInfo {
    /// Shares of the validator (18 decimals); its tokens are the validator's exchange rate.
    pub shares: Decimal256,
    /// The delegation's tokens when rewards were last settled: rewards accrue on this.
    pub reward_basis: Uint128,
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
    /// Tokens it started with (a slash takes its fraction of this).
    pub initial_balance: Uint128,
    /// Tokens still to pay (slashes reduce it).
    pub amount: Uint128,
    /// Height at which the undelegation happened.
    pub creation_height: u64,
    /// Paid out in the first block whose time is at or after this.
    pub completion_time: Timestamp,
}

/// A redelegation still within its source validator's unbonding time: a slash of the source for
/// an infraction before it takes its fraction from the destination delegation.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RedelegationEntry {
    /// Order of creation.
    pub id: u64,
    /// The delegator.
    pub delegator: Addr,
    /// Source validator.
    pub src: String,
    /// Destination validator.
    pub dst: String,
    /// Tokens moved.
    pub initial_balance: Uint128,
    /// Shares of the destination it created.
    pub shares_dst: Decimal256,
    /// Height at which it happened.
    pub creation_height: u64,
    /// When it stops counting for slashes of the source.
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
/// Redelegations keyed by (completion time in nanoseconds, id).
pub(crate) const REDELEGATIONS: Map<(u64, u64), RedelegationEntry> =
    Map::new("mesh_staking_redelegations");
/// Next unbonding or redelegation id.
pub(crate) const NEXT_UNBONDING_ID: Item<u64> = Item::new("mesh_staking_next_unbonding_id");
/// Validators leaving the active set, keyed by (completion time of their unbonding in
/// nanoseconds, name): the block at or after that time makes them unbonded.
pub(crate) const VALIDATOR_QUEUE: Map<(u64, &str), ()> = Map::new("mesh_staking_validator_queue");
/// Index of `UNBONDING` by (validator, delegator, id) → completion time in nanoseconds.
pub(crate) const UNBONDING_INDEX: Map<(&str, &Addr, u64), u64> =
    Map::new("mesh_staking_unbonding_index");
/// Times of the blocks the module saw in the last unbonding period, by height: an infraction a
/// few blocks back is dated with them.
pub(crate) const BLOCK_TIMES: Map<u64, Timestamp> = Map::new("mesh_staking_block_times");
