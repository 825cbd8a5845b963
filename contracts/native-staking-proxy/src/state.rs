//! Storage of the proxy.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Uint128};
use cw_storage_plus::{Item, Map};

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

/// Per validator, what the proxy's delegation to it is worth as far as the owner's lien counts
/// on it: its worth after the proxy's last staking message there, less what slashes took since
/// (the lien was cut by those). Other delegators' messages move the chain's exchange rate, so
/// the delegation's worth can drift from this between the proxy's own messages; the next
/// message reports a drop as a rounding loss (see `crate::rounding`).
pub const ACCOUNTED: Map<&str, Uint128> = Map::new("accounted");
