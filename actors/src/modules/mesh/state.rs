//! Storage of the mesh module (namespaces prefixed `mesh_module_`).

use cosmwasm_std::{Addr, Coin, Decimal, Uint128};
use cw_storage_plus::{Item, Map};

/// Max cap per contract, set by governance. A contract without an entry may not use the module.
pub(crate) const MAX_CAPS: Map<&Addr, Coin> = Map::new("mesh_module_max_caps");

/// `update_delegation` bookkeeping: (contract, validator, delegator) → amount.
pub(crate) const DELEGATOR_SHARES: Map<(&Addr, &str, &str), Uint128> =
    Map::new("mesh_module_delegator_shares");

/// The chain's slash fractions (downtime, double sign), answered by `slash_ratio`.
pub(crate) const SLASH_RATIO: Item<(Decimal, Decimal)> = Item::new("mesh_module_slash_ratio");

/// True when `all_delegations` answers from the `update_delegation` records, as the SDK's
/// `x/meshsecurity` does (set for the reference contracts); otherwise it lists the contract's
/// delegations in the staking module.
pub(crate) const DELEGATION_RECORDS: Item<bool> = Item::new("mesh_module_delegation_records");
