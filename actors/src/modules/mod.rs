//! Chain modules plugged into each cw-multi-test `App`.
//!
//! - [`MeshStaking`] (`AppBuilder::with_staking`): the SDK's staking, slashing and evidence
//!   rules to the unit: delegator shares, slashing by consensus power that reaches unbonding
//!   entries and redelegations after the infraction, bond status (bonded, unbonding, unbonded)
//!   with jailed and tombstoned flags, instant undelegation, and deterministic APR rewards.
//! - [`MeshDistribution`] (`AppBuilder::with_distribution`): withdraw addresses and reward
//!   withdrawal (minted), community pool deposits.
//! - [`MeshModule`] (`AppBuilder::with_custom`): the consumer chain's mesh module (docs/system.md ("The consumer's contracts and chain")).
//! - [`ProviderModule`] (`AppBuilder::with_stargate`, the `Any` slot): the provider chain's
//!   `x/meshsecurityprovider` (the reference vault's `provider` custom messages).
//! - [`MeshBank`] (`AppBuilder::with_bank`): cw-multi-test's bank, recording every burn.
//! - [`SupplyLedger`]: every mint and burn these modules do, for the conservation invariant.
//! - [`MeshChainExt`]: the chain's privileged calls (genesis, jail, slash, ...) on an `App`.
//!
//! All three modules are stateless unit structs; their state lives in the App's storage under
//! their own namespaces (`mesh_staking_*`, `mesh_distribution_*`, `mesh_module_*`,
//! `mesh_supply_ledger`), so each can call the others' functions.

mod app_ext;
mod bank;
mod distribution;
mod error;
mod ledger;
mod mesh;
mod provider;
mod staking;

#[cfg(test)]
mod tests;

pub use app_ext::MeshChainExt;
pub use bank::MeshBank;
pub use distribution::MeshDistribution;
pub use error::ModuleError;
pub use ledger::{is_ledger_key, supply_ledger, SupplyLedger};
pub use mesh::MeshModule;
pub use provider::{ProviderModule, ProviderParams};
pub use staking::{
    shares, slash, BlockRef, BondStatus, DelegationInfo, DelegatorSlash, EntrySlash, MeshStaking,
    RedelegationEntry, SelfBondShares, SlashReport, StakingConfig, UnbondingEntry, ValidatorInfo,
    MAX_ENTRIES, POWER_REDUCTION, YEAR_SECONDS,
};
