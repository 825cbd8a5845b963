//! `MeshStaking`: the chain's staking module (plugged in with `AppBuilder::with_staking`).
//!
//! It behaves like the Cosmos SDK's x/staking with x/slashing and x/evidence, to the unit:
//! - **Shares.** A validator holds tokens and delegator shares (18 decimals); delegating buys
//!   shares at the current exchange rate, undelegating an amount removes the shares it is worth
//!   and pays their tokens truncated, and a delegation's balance is its shares' worth truncated
//!   ([`shares`]). Genesis validators follow the reference test chains (one share per
//!   1,000,000 tokens of self-bond); `create_validator` starts at one share per token.
//! - **Slashing by consensus power** (power = tokens / 1,000,000), reaching unbonding entries
//!   and redelegations that started at or after the infraction height: the rule is documented
//!   once, in [`slash`], and every slash returns a per-delegator [`SlashReport`].
//! - **Status.** Bonded, unbonding (left the active set: jailed, or self-bond withdrawn) and
//!   unbonded (the unbonding time after it left); jailed and tombstoned flags. Undelegations
//!   wait the unbonding time while the validator is bonded and are paid at once otherwise (the
//!   reference provider's instant unbonding from a validator out of the set).
//! - Unbonding entries (at most 7 per delegator and validator; entries of one block merged),
//!   redelegation entries (no transitive redelegation), instant undelegation for the mesh
//!   module, and rewards that do not depend on how often blocks happen.
//!
//! Validators are plain names ("val1"); no bech32 validation. Delegated tokens sit in a module
//! account (see [`MeshStaking::module_address`]) and move through the bank.
//!
//! Rewards: each validator counts the seconds it was bonded (`reward_seconds`, brought up to date
//! on every status change). A delegation keeps a snapshot of that count, the token balance it
//! had when last settled (`reward_basis`), and an exact integer accumulator
//! `reward_units += reward_basis × apr_atomics × (seconds − snapshot)`, settled whenever the
//! delegation changes (delegate, undelegate, redelegate), the validator is slashed, or rewards
//! are withdrawn. Withdrawing pays `floor(reward_units / (YEAR_SECONDS × 10^18))` and keeps the
//! remainder, so the total paid is exactly `floor(Σ balance × apr × seconds / year)` whatever the
//! block times. Rewards are not withdrawn automatically when a delegation changes (unlike the
//! SDK): they stay pending until `WithdrawDelegatorReward`.

mod keeper;
mod module;
mod read;
mod rewards;
pub mod shares;
pub mod slash;
mod state;

pub use keeper::SelfBondShares;
pub use rewards::YEAR_SECONDS;
pub use slash::{DelegatorSlash, EntrySlash, SlashReport};
pub use state::{
    BlockRef, BondStatus, DelegationInfo, RedelegationEntry, StakingConfig, UnbondingEntry,
    ValidatorInfo, MAX_ENTRIES, POWER_REDUCTION,
};

pub(crate) use keeper::to_uint128;
pub(crate) use rewards::take_rewards;

/// The staking module. Stateless: everything lives in the App's storage (set up with
/// [`MeshStaking::setup`]), so other modules can call its functions too.
#[derive(Clone, Copy, Debug, Default)]
pub struct MeshStaking;
