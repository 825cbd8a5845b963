//! Errors of the proxy.

use cosmwasm_std::{ConversionOverflowError, StdError, Uint128};
use cw_utils::PaymentError;
use thiserror::Error;

/// Everything that can go wrong in the proxy.
#[derive(Error, Debug)]
pub enum ContractError {
    /// A standard library error (storage, serialisation, query).
    #[error("{0}")]
    Std(StdError),

    /// Wrong or missing funds.
    #[error("{0}")]
    Payment(#[from] PaymentError),

    /// The sender is not the one allowed to call this message.
    #[error("unauthorized: only the {role} ({expected}) may call this, not {sender}")]
    Unauthorized {
        /// Which role may call (`parent` or `owner`).
        role: String,
        /// The address holding that role.
        expected: String,
        /// Who called.
        sender: String,
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

    /// Unstaking or restaking more than is delegated to a validator.
    #[error("not enough delegated to {validator}: {delegated} delegated, {requested} requested")]
    InsufficientDelegation {
        /// The validator.
        validator: String,
        /// What the proxy delegates to it.
        delegated: Uint128,
        /// What was asked for.
        requested: Uint128,
    },

    /// Restaking to the validator it comes from.
    #[error("cannot restake from {validator} to itself")]
    SameValidator {
        /// The validator.
        validator: String,
    },

    /// A reply this contract never asked for.
    #[error("unknown reply id {id}")]
    UnknownReplyId {
        /// The id.
        id: u64,
    },
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
