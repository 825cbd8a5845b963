//! Errors of native staking.

use cosmwasm_std::{ConversionOverflowError, Decimal, StdError};
use cw_utils::{ParseReplyError, PaymentError};
use thiserror::Error;

/// Everything that can go wrong in native staking.
#[derive(Error, Debug)]
pub enum ContractError {
    /// A standard library error (storage, serialisation, query).
    #[error("{0}")]
    Std(StdError),

    /// Wrong or missing funds.
    #[error("{0}")]
    Payment(#[from] PaymentError),

    /// The proxy's instantiate reply could not be parsed.
    #[error("{0}")]
    ParseReply(#[from] ParseReplyError),

    /// A slash ratio above 1.
    #[error("invalid {name} slash ratio {ratio}: must be at most 1")]
    InvalidSlashRatio {
        /// `double-sign` or `offline`.
        name: String,
        /// The ratio given.
        ratio: Decimal,
    },

    /// Only the vault may call this message.
    #[error("unauthorized: only the vault ({vault}) may call this, not {sender}")]
    NotVault {
        /// The vault.
        vault: String,
        /// Who called.
        sender: String,
    },

    /// Only a proxy created by this contract may call this message.
    #[error("unauthorized: {sender} is not a native staking proxy")]
    NotProxy {
        /// Who called.
        sender: String,
    },

    /// The owner has no proxy yet.
    #[error("no proxy for owner {owner}")]
    NoProxy {
        /// The owner.
        owner: String,
    },

    /// The address is not a proxy of this contract.
    #[error("{proxy} is not a native staking proxy")]
    UnknownProxy {
        /// The address asked about.
        proxy: String,
    },

    /// The `msg` of `receive_stake` is not a valid `{"validator": "..."}`.
    #[error("invalid stake msg: {reason}")]
    InvalidStakeMsg {
        /// Why it did not parse.
        reason: String,
    },

    /// An amount in the wrong denom.
    #[error("invalid denom: expected {expected}, got {got}")]
    InvalidDenom {
        /// The staking denom.
        expected: String,
        /// The denom given.
        got: String,
    },

    /// An amount of zero where something must move.
    #[error("amount must be greater than zero")]
    ZeroAmount {},

    /// A reply this contract never asked for.
    #[error("unknown reply id {id}")]
    UnknownReplyId {
        /// The id received.
        id: u64,
    },

    /// The proxy's instantiate response carried no data (it must return the owner).
    #[error("proxy instantiation returned no owner data")]
    NoInstantiateData {},
}

impl From<StdError> for ContractError {
    fn from(err: StdError) -> Self {
        ContractError::Std(err)
    }
}

impl From<ConversionOverflowError> for ContractError {
    fn from(err: ConversionOverflowError) -> Self {
        ContractError::Std(StdError::from(err))
    }
}
