//! Storage of the vault (docs/system.md ("The provider's contracts")).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, Empty, Uint128};
use cw_storage_plus::{Item, Map};
use mesh_apis::{Tx, ValueRange};

/// General configuration.
#[cw_serde]
pub struct Config {
    /// The collateral denom.
    pub denom: String,
}

/// The canonical local staking contract.
#[cw_serde]
pub struct LocalStaking {
    /// Its address (never changes).
    pub contract: Addr,
    /// Its double-sign slash ratio: the ratio of every local lien.
    pub slash_ratio: Decimal,
}

/// A lien of one user held by one lienholder.
#[cw_serde]
pub struct Lien {
    /// The lien's amount (a range while stakes are in flight).
    pub amount: ValueRange,
    /// The slash ratio, fixed when the lien was created.
    pub slashable: Decimal,
}

/// Per-user accounting.
#[cw_serde]
#[derive(Default)]
pub struct UserInfo {
    /// Collateral bonded.
    pub collateral: Uint128,
    /// The largest lien.
    pub max_lien: ValueRange,
    /// Σ floor(stake × ratio) over the user's liens.
    pub total_slashable: ValueRange,
}

impl UserInfo {
    /// Collateral in use: componentwise `max(max_lien, total_slashable)`.
    pub fn used(&self) -> ValueRange {
        self.max_lien.max(self.total_slashable)
    }

    /// Free collateral: `(collateral − used.high, collateral − used.low)`, saturating at zero.
    pub fn free(&self) -> ValueRange {
        let used = self.used();
        ValueRange::new(
            self.collateral.saturating_sub(used.high),
            self.collateral.saturating_sub(used.low),
        )
    }
}

/// General configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// The local staking contract; absent while it is being created or when disabled.
pub const LOCAL_STAKING: Item<LocalStaking> = Item::new("local_staking");
/// Liens by (user, lienholder).
pub const LIENS: Map<(&Addr, &Addr), Lien> = Map::new("liens");
/// Users by address.
pub const USERS: Map<&Addr, UserInfo> = Map::new("users");
/// The last tx id handed out (ids start at 1).
pub const TX_COUNT: Item<u64> = Item::new("tx_count");
/// Pending txs by id.
pub const PENDING_TXS: Map<u64, Tx> = Map::new("pending_txs");
/// Every external staker ever used with `stake_remote`.
pub const EXTERNAL_STAKERS: Map<&Addr, Empty> = Map::new("external_stakers");
