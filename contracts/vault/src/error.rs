//! Errors of the vault contract.

use cosmwasm_std::{StdError, Uint128};
use cw_utils::PaymentError;
use thiserror::Error;

/// Everything a vault message can fail with.
#[derive(Error, Debug)]
pub enum ContractError {
    /// An error from cosmwasm-std (storage, serialisation, address validation, queries).
    #[error("{0}")]
    Std(StdError),

    /// Wrong, missing or unexpected funds.
    #[error("{0}")]
    Payment(#[from] PaymentError),

    /// A coin in a message is not in the collateral denom.
    #[error("unexpected denom: expected {expected}, got {got}")]
    UnexpectedDenom {
        /// The collateral denom.
        expected: String,
        /// The denom received.
        got: String,
    },

    /// An amount of zero where a positive amount is required.
    #[error("amount must be positive")]
    ZeroAmount,

    /// An amount does not fit in 128 bits.
    #[error("amount {amount} does not fit in 128 bits")]
    AmountOverflow {
        /// The amount, as received.
        amount: String,
    },

    /// `unbond` asked for more than the user's free collateral (its lower end).
    #[error("not enough free collateral: {free} free, {requested} requested")]
    ClaimsLocked {
        /// Free collateral available for certain (`free.low`).
        free: Uint128,
        /// Amount requested.
        requested: Uint128,
    },

    /// A new lien would break `max_lien <= collateral` or `Σ slashable <= collateral`.
    #[error("insufficient collateral: {collateral} bonded, {required} required")]
    InsufficientBalance {
        /// The user's collateral.
        collateral: Uint128,
        /// What the new lien or slashable total would need.
        required: Uint128,
    },

    /// `stake_local` on a vault created without local staking.
    #[error("local staking is disabled on this vault")]
    NoLocalStaking,

    /// `stake_remote` named the local staking contract.
    #[error("{contract} is the local staking contract: use stake_local")]
    InvalidLienholder {
        /// The contract named.
        contract: String,
    },

    /// The lienholder did not answer `max_slash`.
    #[error("{contract} did not answer max_slash: {reason}")]
    LienholderQuery {
        /// The contract queried.
        contract: String,
        /// Why the query failed.
        reason: String,
    },

    /// No pending tx has this id.
    #[error("unknown tx {tx_id}")]
    UnknownTx {
        /// The tx id.
        tx_id: u64,
    },

    /// The tx is not a staking tx.
    #[error("tx {tx_id} is not a staking tx")]
    WrongTypeTx {
        /// The tx id.
        tx_id: u64,
    },

    /// The sender is not the lienholder named in the tx.
    #[error("tx {tx_id} does not belong to {sender}")]
    WrongContractTx {
        /// The tx id.
        tx_id: u64,
        /// The sender of the commit or rollback.
        sender: String,
    },

    /// The sender holds no lien of this user.
    #[error("{lienholder} holds no lien of {owner}")]
    UnknownLienholder {
        /// The user.
        owner: String,
        /// The (supposed) lienholder.
        lienholder: String,
    },

    /// A release asked for more than the (settled) lien.
    #[error("insufficient lien: {lien} held, {requested} requested")]
    InsufficientLien {
        /// The lien's lower end.
        lien: Uint128,
        /// Amount requested.
        requested: Uint128,
    },

    /// A restricted message from the wrong sender.
    #[error("unauthorized: {sender} is not {role}")]
    Unauthorized {
        /// The sender.
        sender: String,
        /// Who may send this message.
        role: String,
    },

    /// A reply with an id the vault never used.
    #[error("invalid reply id {id}")]
    InvalidReplyId {
        /// The reply id.
        id: u64,
    },

    /// The local staking contract's address could not be read from the instantiate reply.
    #[error("cannot read the local staking address from the instantiate reply: {reason}")]
    ReplyParse {
        /// What was wrong.
        reason: String,
    },
}

impl From<StdError> for ContractError {
    fn from(err: StdError) -> Self {
        ContractError::Std(err)
    }
}

impl ContractError {
    /// `Unauthorized` for a message only the local staking contract may send.
    pub fn not_local_staking(sender: impl Into<String>) -> Self {
        ContractError::Unauthorized {
            sender: sender.into(),
            role: "the local staking contract".to_string(),
        }
    }

    /// `Unauthorized` for a message only an external staker the vault has used may send.
    pub fn not_external_staking(sender: impl Into<String>) -> Self {
        ContractError::Unauthorized {
            sender: sender.into(),
            role: "an external staking contract of this vault".to_string(),
        }
    }
}
