//! mesh-native-staking: the vault's local lienholder (docs/system.md ("The provider's contracts")).
//!
//! The vault sends each user's local stake here (`receive_stake`); the contract keeps one
//! `mesh-native-staking-proxy` per user, which holds the real delegations. Unbonded tokens come
//! back from a proxy (`release_proxy_stake`) and go on to the vault (`release_local_stake`). When
//! the chain jails or tombstones a validator, the `jailing` sudo reports every owner's share of the
//! slash to the vault (`local_slash`).

pub mod contract;
pub mod error;
pub mod msg;
pub mod state;

#[cfg(test)]
mod multitest;
