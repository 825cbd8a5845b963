//! Storage of native staking.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal};
use cw_storage_plus::{Item, Map};

/// Native staking's configuration, fixed at instantiation.
#[cw_serde]
pub struct Config {
    /// The staking denom.
    pub denom: String,
    /// Code id of the per-user proxy.
    pub proxy_code_id: u64,
    /// The vault (the instantiator).
    pub vault: Addr,
    /// Slash ratio for double signing.
    pub slash_ratio_dsign: Decimal,
    /// Slash ratio for downtime.
    pub slash_ratio_offline: Decimal,
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");

/// Proxy contract of each owner.
pub const PROXY_BY_OWNER: Map<&Addr, Addr> = Map::new("proxies");

/// Owner of each proxy contract (iterated in key order by `jailing`).
pub const OWNER_BY_PROXY: Map<&Addr, Addr> = Map::new("owners");
