//! Storage of the mesh module (namespaces prefixed `mesh_module_`).

use cosmwasm_std::{Addr, Coin, Uint128};
use cw_storage_plus::Map;

/// Max cap per contract, set by governance. A contract without an entry may not use the module.
pub(crate) const MAX_CAPS: Map<&Addr, Coin> = Map::new("mesh_module_max_caps");

/// `update_delegation` bookkeeping: (contract, validator, delegator) → amount.
pub(crate) const DELEGATOR_SHARES: Map<(&Addr, &str, &str), Uint128> =
    Map::new("mesh_module_delegator_shares");
