//! Errors of the price feed.

use cosmwasm_std::{Decimal, StdError};
use thiserror::Error;

/// Everything the price feed can refuse.
#[derive(Error, Debug)]
pub enum ContractError {
    /// A standard library error (storage, serialisation, address validation).
    #[error("{0}")]
    Std(StdError),

    /// `update_price` from someone other than the owner.
    #[error("unauthorized: only the owner {owner} may update the price, not {sender}")]
    Unauthorized {
        /// The owner.
        owner: String,
        /// Who tried.
        sender: String,
    },

    /// A price of zero would make every conversion zero and the inverse undefined.
    #[error("invalid price {price}: native_per_foreign must be greater than zero")]
    ZeroPrice {
        /// The refused price.
        price: Decimal,
    },
}

impl From<StdError> for ContractError {
    fn from(err: StdError) -> Self {
        ContractError::Std(err)
    }
}
