//! mesh-vault: the Mesh Security vault (docs/system.md, docs/slashing.md).
//!
//! Users bond collateral in the native denom and put liens on it: one canonical local staker
//! (`stake_local`, settled at once, tokens leave the vault) and any number of external stakers
//! (`stake_remote`, pending until the lienholder commits or rolls back). The vault keeps, per
//! user, `max_lien <= collateral` and `Σ floor(stake × ratio) <= collateral`, and only frees a
//! lien when its lienholder releases it. Slashes reported by lienholders cut collateral and
//! propagate to the other liens when the user's free collateral does not cover them.

pub mod contract;
pub mod error;
pub mod msg;
pub mod query;
pub mod slash;
pub mod state;

#[cfg(test)]
mod multitest;

pub use crate::error::ContractError;
