//! Storage of virtual staking.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Uint128};
use cw_storage_plus::{Item, Map};
use mesh_apis::ibc::RewardInfo;

/// Fixed configuration, set at instantiation.
#[cw_serde]
pub struct Config {
    /// The consumer chain's bonded denom.
    pub denom: String,
    /// The converter: the instantiator and the only caller of the execute messages.
    pub converter: Addr,
    /// Most items read from the chain in one query.
    pub max_retrieve: u16,
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");

/// Stake requests keyed (validator, delegator), in provider units. Never holds zeros.
pub const REQUESTS: Map<(&str, &str), Uint128> = Map::new("requests");

/// Sum of [`REQUESTS`] per validator, in provider units. Never holds zeros.
pub const VALIDATOR_TOTALS: Map<&str, Uint128> = Map::new("validator_totals");

/// Per validator, everything slashes took from its requests (provider units): an `unstake` may
/// exceed the validator's total by up to this much, as the provider can ask for stake a slash
/// took before it learned of the slash. Never holds zeros.
pub const SLASHED: Map<&str, Uint128> = Map::new("slashed");

/// Validators the chain tombstoned: epochs delegate nothing to them (their delegation is
/// unbonded at the first epoch after the tombstone), while their requests stay as the
/// provider's stakes on them until their owners unstake.
pub const TOMBSTONED: Map<&str, ()> = Map::new("tombstoned");

/// The rewards withdrawal of the current epoch, while its replies come in.
#[cw_serde]
pub struct RewardsBatch {
    /// Withdrawals whose reply has not arrived yet.
    pub pending: u32,
    /// The contract's balance (bonded denom) at the previous reading.
    pub last_balance: Uint128,
    /// Rewards per validator so far (non-zero only).
    pub payments: Vec<RewardInfo>,
}

/// The batch in progress (only exists inside an epoch's transaction).
pub const REWARDS_BATCH: Item<RewardsBatch> = Item::new("rewards_batch");
