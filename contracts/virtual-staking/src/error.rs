//! Errors of virtual staking.

use cosmwasm_std::{StdError, Uint128};
use cw_utils::PaymentError;
use thiserror::Error;

/// Everything virtual staking can refuse.
#[derive(Error, Debug)]
pub enum ContractError {
    /// A standard library error (storage, serialisation, queries, overflow).
    #[error("{0}")]
    Std(StdError),

    /// Funds attached where none are expected.
    #[error("{0}")]
    Payment(#[from] PaymentError),

    /// A converter-only message from someone else.
    #[error("unauthorized: only the converter {expected} may call this, not {sender}")]
    Unauthorized {
        /// The converter.
        expected: String,
        /// Who tried.
        sender: String,
    },

    /// Unbonding more than the delegator's request on that validator.
    #[error(
        "cannot unbond {requested} for {delegator} from {validator}: only {available} requested"
    )]
    UnbondTooMuch {
        /// The provider user.
        delegator: String,
        /// The validator.
        validator: String,
        /// The amount asked for (provider units).
        requested: Uint128,
        /// The delegator's request on that validator (provider units).
        available: Uint128,
    },

    /// A reply this contract did not ask for.
    #[error("unknown reply id {id}")]
    UnknownReplyId {
        /// The reply id.
        id: u64,
    },
}

impl From<StdError> for ContractError {
    fn from(err: StdError) -> Self {
        ContractError::Std(err)
    }
}
