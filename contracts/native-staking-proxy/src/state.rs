//! Storage of the proxy.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Uint128};
use cw_storage_plus::Item;

/// Completion times (seconds) of this proxy's undelegations still unbonding, as the chain
/// reported them: the proxy is closed once none is left and nothing is delegated.
pub const UNBONDING_UNTIL: Item<Vec<u64>> = Item::new("unbonding_until");

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
