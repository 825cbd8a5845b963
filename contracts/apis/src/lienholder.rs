//! What the vault calls on its lienholders: the local staker and the external (cross) stakers.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Binary, Coin, Decimal, Uint128};

/// The message the vault sends with `stake_local` / `stake_remote` (`msg` field, base64 JSON).
#[cw_serde]
pub struct StakeMsg {
    /// The validator to stake on.
    pub validator: String,
}

/// Execute messages every local staker accepts from the vault.
#[cw_serde]
pub enum LocalStakingApiExecMsg {
    /// Stake the attached funds for `owner`.
    ReceiveStake {
        /// The user.
        owner: String,
        /// Base64 JSON [`StakeMsg`].
        msg: Binary,
    },
    /// Burn part of `owner`'s stake after a slash elsewhere.
    BurnStake {
        /// The user.
        owner: String,
        /// Amount to burn.
        amount: Coin,
        /// Validator to burn from first, if known.
        validator: Option<String>,
    },
}

/// Execute messages every cross staker accepts from the vault.
#[cw_serde]
pub enum CrossStakingApiExecMsg {
    /// A new (pending) lien: stake it remotely and later `commit_tx` / `rollback_tx` on the vault.
    ReceiveVirtualStake {
        /// The user.
        owner: String,
        /// Amount staked.
        amount: Coin,
        /// The vault's tx id to commit or roll back.
        tx_id: u64,
        /// Base64 JSON [`StakeMsg`].
        msg: Binary,
    },
    /// Burn part of `owner`'s stake after a slash elsewhere.
    BurnVirtualStake {
        /// The user.
        owner: String,
        /// Amount to burn.
        amount: Coin,
        /// Validator to burn from (the reporter's slashed validator), if known.
        validator: Option<String>,
    },
}

/// Query every lienholder answers.
#[cw_serde]
pub enum LienholderQueryMsg {
    /// The slash ratios the lienholder may apply.
    MaxSlash {},
}

/// Response of `max_slash`.
#[cw_serde]
pub struct MaxSlashResponse {
    /// Double-sign slash ratio (the lien's ratio).
    pub slash_ratio_dsign: Decimal,
    /// Offline slash ratio.
    pub slash_ratio_offline: Decimal,
}

/// Amount helper: `floor(amount × ratio)`, the slashable part of a lien.
pub fn slashable(amount: Uint128, ratio: Decimal) -> Uint128 {
    amount.mul_floor(ratio)
}
