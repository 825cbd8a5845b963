//! Storage of the converter.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, IbcChannel};
use cw_storage_plus::Item;

/// Fixed configuration, set at instantiation.
#[cw_serde]
pub struct Config {
    /// The price feed queried on every conversion.
    pub price_feed: Addr,
    /// Discount applied to converted stake (< 1).
    pub discount: Decimal,
    /// The provider's staking denom (what `stake`, `unstake` and `burn` packets carry).
    pub remote_denom: String,
    /// The consumer chain's bonded denom (rewards and converted amounts).
    pub local_denom: String,
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// The virtual staking contract this converter instantiated (set in the instantiate reply).
pub const VIRTUAL_STAKING: Item<Addr> = Item::new("virtual_staking");
/// The one IBC channel to the provider, once connected.
pub const IBC_CHANNEL: Item<IbcChannel> = Item::new("ibc_channel");
