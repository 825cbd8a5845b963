//! Storage of the proxy.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Uint128};
use cw_storage_plus::Item;

/// The proxy's configuration, fixed at instantiation.
#[cw_serde]
pub struct Config {
    /// The staking denom.
    pub denom: String,
    /// Native staking, which instantiated this proxy.
    pub parent: Addr,
    /// The user owning this proxy.
    pub owner: Addr,
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");

/// Tokens burned after slashes that have not yet been taken out of the liquid balance.
/// They are never returned to the vault: `release_unbonded` burns them first.
pub const BURNED: Item<Uint128> = Item::new("burned");
