//! Pending cross-chain transactions, shared by the vault and the external stakers.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Coin, Uint128};

/// A transaction whose outcome depends on an IBC ack that has not arrived yet.
#[cw_serde]
pub enum Tx {
    /// Vault: a `stake_remote` waiting for the lienholder's `commit_tx` / `rollback_tx`.
    InFlightStaking {
        /// Transaction id (vault ids start at 1).
        id: u64,
        /// Amount of the lien being added.
        amount: Uint128,
        /// Slashable amount added to `total_slashable` (`floor(amount × ratio)`).
        slashable: Uint128,
        /// The staker.
        user: Addr,
        /// The lienholder (external staking contract) that must answer.
        lienholder: Addr,
    },
    /// External staking: a stake packet in flight (keyed by the vault's tx id).
    InFlightRemoteStaking {
        /// Transaction id (the vault's id).
        id: u64,
        /// Amount being staked.
        amount: Uint128,
        /// The staker.
        user: Addr,
        /// The consumer validator.
        validator: String,
    },
    /// External staking: an unstake packet in flight.
    InFlightRemoteUnstaking {
        /// Transaction id (external staking ids start at 2^63).
        id: u64,
        /// Amount being unstaked.
        amount: Uint128,
        /// The staker.
        user: Addr,
        /// The consumer validator.
        validator: String,
    },
    /// External staking: a rewards transfer in flight (its amount is reserved meanwhile).
    InFlightTransferFunds {
        /// Transaction id (external staking ids start at 2^63).
        id: u64,
        /// Rewards being paid out.
        amount: Coin,
        /// The staker whose rewards are paid.
        staker: Addr,
        /// The consumer validator the rewards came from.
        validator: String,
    },
}

impl Tx {
    /// The transaction's id.
    pub fn tx_id(&self) -> u64 {
        match self {
            Tx::InFlightStaking { id, .. }
            | Tx::InFlightRemoteStaking { id, .. }
            | Tx::InFlightRemoteUnstaking { id, .. }
            | Tx::InFlightTransferFunds { id, .. } => *id,
        }
    }
}

/// Response of `all_pending_txs_desc`.
#[cw_serde]
pub struct AllTxsResponse {
    /// Pending transactions, newest first.
    pub txs: Vec<Tx>,
}
