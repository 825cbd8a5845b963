//! mesh-native-staking-proxy: one per user, owned by native staking (docs/system.md ("The provider's contracts")).
//!
//! The proxy holds the user's locally staked tokens as real delegations on the chain's staking
//! module. The parent (native staking) stakes and burns through it; the owner unstakes, restakes,
//! votes, withdraws rewards and, once the chain's unbonding period has passed, releases the
//! unbonded tokens back to the vault (through native staking), which frees the vault lien.

pub mod contract;
pub mod error;
pub mod msg;
pub mod rounding;
pub mod state;

#[cfg(test)]
mod multitest;
