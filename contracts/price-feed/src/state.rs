//! Storage of the price feed.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal};
use cw_storage_plus::Item;

/// The price and who may change it.
#[cw_serde]
pub struct Config {
    /// Consumer tokens per provider token.
    pub native_per_foreign: Decimal,
    /// The only account allowed to call `update_price`.
    pub owner: Addr,
}

/// The stored configuration.
pub const CONFIG: Item<Config> = Item::new("config");
