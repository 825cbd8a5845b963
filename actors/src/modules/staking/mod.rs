//! `MeshStaking`: the chain's staking module (plugged in with `AppBuilder::with_staking`).
//!
//! What cw-multi-test's own `StakeKeeper` lacks: validator status (bonded, jailed, tombstoned,
//! unbonded), jailing and tombstoning with a slash, undelegations that complete at once when the
//! validator is not bonded, instant undelegation for the mesh module, and rewards that do not
//! depend on how often blocks happen.
//!
//! Validators are plain names ("val1"); no bech32 validation. Delegated tokens sit in a module
//! account (see [`MeshStaking::module_address`]) and move through the bank.
//!
//! Rewards: each validator counts the seconds it was bonded (`reward_seconds`, brought up to date
//! on every status change). A delegation keeps a snapshot of that count and an exact integer
//! accumulator `reward_units += amount × apr_atomics × (seconds − snapshot)`, settled whenever
//! the delegation changes (delegate, undelegate, redelegate, slash) or rewards are withdrawn.
//! Withdrawing pays `floor(reward_units / (YEAR_SECONDS × 10^18))` and keeps the remainder, so the
//! total paid is exactly `floor(Σ amount × apr × seconds / year)` whatever the block times.
//! Rewards are not withdrawn automatically when a delegation changes (unlike the SDK): they stay
//! pending until `WithdrawDelegatorReward`.

mod keeper;
mod module;
mod read;
mod rewards;
mod state;

use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};
use serde::{Deserialize, Serialize};

pub use rewards::YEAR_SECONDS;
pub use state::{DelegationInfo, StakingConfig, UnbondingEntry, ValidatorInfo, ValidatorStatus};

pub(crate) use keeper::to_uint128;
pub(crate) use rewards::take_rewards;

/// The staking module. Stateless: everything lives in the App's storage (set up with
/// [`MeshStaking::setup`]), so other modules can call its functions too.
#[derive(Clone, Copy, Debug, Default)]
pub struct MeshStaking;

/// What one slash did (from `jail`, `tombstone` or `slash`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SlashReport {
    /// The slashed validator.
    pub validator: String,
    /// The fraction applied to every delegation and pending unbonding (floor each).
    pub fraction: Decimal,
    /// The validator's bonded tokens just before the slash.
    pub tokens_before: Uint128,
    /// Everything burned: `bonded_slashed + unbonding_slashed`.
    pub total_slashed: Uint128,
    /// Burned from delegations.
    pub bonded_slashed: Uint128,
    /// Burned from pending unbonding entries.
    pub unbonding_slashed: Uint128,
    /// What each delegator lost (delegation and unbondings together), in address order;
    /// delegators who lost nothing are left out.
    pub per_delegator: Vec<(Addr, Uint128)>,
    /// Height of the block in which the slash happened.
    pub infraction_height: u64,
    /// Time of that block.
    pub time: Timestamp,
}

impl SlashReport {
    /// What `delegator` lost in this slash (0 if it is not listed).
    pub fn slashed_from(&self, delegator: &Addr) -> Uint128 {
        self.per_delegator
            .iter()
            .find(|(addr, _)| addr == delegator)
            .map(|(_, amount)| *amount)
            .unwrap_or_default()
    }
}
