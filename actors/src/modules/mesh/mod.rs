//! `MeshModule`: the consumer chain's mesh module (docs/system.md ("The consumer's contracts and chain")), plugged in with
//! `AppBuilder::with_custom`. It handles virtual staking's `virtual_stake` custom messages and
//! queries.
//!
//! - Governance gives a contract a max cap with [`MeshModule::set_max_cap`]; only contracts with
//!   an entry (0 counts) may send the messages.
//! - `bond {amount, validator}` mints `amount` to the contract and delegates it from the contract
//!   through the chain's staking module ([`MeshStaking`]): a real delegation, so chain slashes
//!   reach it. It fails if the contract's delegations would exceed the cap.
//! - `unbond {amount, validator}` undelegates at once (no unbonding period) and burns what the
//!   shares paid (after a slash, a unit less than `amount` can come back, as on the SDK). It is
//!   clamped to what the contract has delegated to that validator (a slash may have reduced it
//!   before the contract heard of it), so unbonding nothing, or more than is left, succeeds.
//! - `update_delegation` is bookkeeping only; `delete_all_scheduled_tasks` does nothing.
//!
//! "Delegated" is always read live from the staking module (the sum of the contract's
//! delegations), so a slash lowers it.

mod module;
mod state;

use cosmwasm_std::{Addr, Coin, Order, StdResult, Storage, Uint128};

use super::ledger::supply_ledger;
use super::staking::{MeshStaking, SlashReport};
use state::{DELEGATOR_SHARES, MAX_CAPS};

/// The mesh module. Stateless; state lives in the App's storage.
#[derive(Clone, Copy, Debug, Default)]
pub struct MeshModule;

impl MeshModule {
    /// Sets (or replaces) `contract`'s max cap: the chain's governance call.
    pub fn set_max_cap(
        &self,
        storage: &mut dyn Storage,
        contract: &Addr,
        cap: Coin,
    ) -> StdResult<()> {
        MAX_CAPS.save(storage, contract, &cap)
    }

    /// `contract`'s max cap, if governance gave it one.
    pub fn max_cap(&self, storage: &dyn Storage, contract: &Addr) -> StdResult<Option<Coin>> {
        MAX_CAPS.may_load(storage, contract)
    }

    /// Every contract with a max cap, sorted by address (the chain sends these its epochs).
    pub fn contracts_with_cap(&self, storage: &dyn Storage) -> StdResult<Vec<(Addr, Coin)>> {
        MAX_CAPS
            .range(storage, None, None, Order::Ascending)
            .collect()
    }

    /// What `contract` has delegated now, over all validators (after slashes).
    pub fn delegated(&self, storage: &dyn Storage, contract: &Addr) -> StdResult<Uint128> {
        Ok(MeshStaking
            .delegations_of(storage, contract)?
            .iter()
            .map(|(_, amount)| *amount)
            .sum())
    }

    /// Tokens minted by `bond` so far.
    pub fn total_minted(&self, storage: &dyn Storage) -> StdResult<Uint128> {
        Ok(supply_ledger(storage)?.mesh_minted)
    }

    /// Tokens burned by `unbond` so far.
    pub fn total_burned(&self, storage: &dyn Storage) -> StdResult<Uint128> {
        Ok(supply_ledger(storage)?.mesh_burned)
    }

    /// `contract`'s share of a chain slash: what the slash took from its delegation's balance
    /// (balance before − balance after, both truncated; the reference computes its shares /
    /// the validator's shares × the tokens burned, rounded, which differs by at most a unit).
    /// 0 if it had nothing there.
    pub fn slash_share(&self, contract: &Addr, report: &SlashReport) -> Uint128 {
        report.slashed_from(contract)
    }

    /// `update_delegation` bookkeeping for (contract, validator, delegator).
    pub fn delegator_share(
        &self,
        storage: &dyn Storage,
        contract: &Addr,
        validator: &str,
        delegator: &str,
    ) -> StdResult<Uint128> {
        Ok(DELEGATOR_SHARES
            .may_load(storage, (contract, validator, delegator))?
            .unwrap_or_default())
    }
}
