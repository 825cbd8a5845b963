//! mesh-external-staking: the provider end of the Mesh Security IBC channel, one contract per
//! consumer chain (docs/system.md ("The provider's contracts"), §5, §6, §7).
//!
//! It is a cross lienholder of the vault: the vault's `stake_remote` reaches it as
//! `receive_virtual_stake`, it stakes remotely with a `stake` packet and commits or rolls back
//! the vault's pending tx when the ack (or timeout) comes back. Users unstake here, wait the
//! unbonding period and `withdraw_unbonded` to free their lien. It keeps the consumer's
//! validator-set history (to apply slashes only for infractions of active validators) and
//! distributes the consumer's rewards per validator with points-per-stake accounting.

#![warn(missing_docs)]

pub mod burns;
pub mod contract;
pub mod error;
pub mod ibc;
pub mod msg;
pub mod outstanding;
pub mod rewards;
pub mod slashing;
pub mod state;
pub mod valset;

pub use error::ContractError;

#[cfg(test)]
mod tests;
