//! Typed errors of the chain modules. They convert into `StdError` (the modules' result type)
//! through cosmwasm-std's blanket `From<E: Error>`, so their text reaches callers unchanged.

use cosmwasm_std::{Decimal, Uint128};
use thiserror::Error;

/// Everything a chain module can refuse.
#[derive(Error, Debug, PartialEq, Eq)]
pub enum ModuleError {
    /// The staking module was never given its genesis configuration.
    #[error("staking module not configured: call MeshStaking::setup at genesis")]
    NotConfigured,

    /// No validator by that name.
    #[error("validator {validator} not found")]
    ValidatorNotFound {
        /// The name asked for.
        validator: String,
    },

    /// A validator by that name already exists.
    #[error("validator {validator} already exists")]
    ValidatorExists {
        /// The name given.
        validator: String,
    },

    /// The coin is not in the expected denom.
    #[error("invalid denom: expected {expected}, got {got}")]
    InvalidDenom {
        /// The denom the module accepts.
        expected: String,
        /// The denom sent.
        got: String,
    },

    /// A zero amount where a positive one is needed.
    #[error("invalid amount: must be greater than zero")]
    ZeroAmount,

    /// An amount does not fit in a `Uint128`.
    #[error("amount too large: {amount}")]
    AmountTooLarge {
        /// The amount as given.
        amount: String,
    },

    /// Undelegating or redelegating more than is delegated.
    #[error("not enough delegation: {delegated} delegated, {requested} requested")]
    NotEnoughDelegation {
        /// Delegated now.
        delegated: Uint128,
        /// Asked for.
        requested: Uint128,
    },

    /// No delegation of that delegator to that validator.
    #[error("no delegation from {delegator} to {validator}")]
    NoDelegation {
        /// The delegator.
        delegator: String,
        /// The validator.
        validator: String,
    },

    /// Source and destination of a redelegation are the same.
    #[error("cannot redelegate to the same validator {validator}")]
    SelfRedelegation {
        /// The validator.
        validator: String,
    },

    /// The validator's status does not allow the action.
    #[error("validator {validator} is {status}: cannot {action}")]
    InvalidStatus {
        /// The validator.
        validator: String,
        /// Its status.
        status: String,
        /// What was refused.
        action: String,
    },

    /// A slash fraction above 1.
    #[error("invalid slash fraction {fraction}: must be at most 1")]
    InvalidFraction {
        /// The fraction given.
        fraction: Decimal,
    },

    /// A mesh `bond` would take the contract's delegations above its max cap.
    #[error("max cap exceeded: {delegated} delegated + {requested} requested > {cap} cap")]
    MaxCapExceeded {
        /// The contract's max cap.
        cap: Uint128,
        /// Delegated now.
        delegated: Uint128,
        /// Asked for.
        requested: Uint128,
    },

    /// The contract has no max cap entry, so governance never allowed it to use the mesh module.
    #[error("contract {contract} has no max cap: not allowed to use the mesh module")]
    NoMaxCap {
        /// The contract.
        contract: String,
    },

    /// The module has no privileged (sudo) messages.
    #[error("{module} has no sudo messages")]
    NoSudo {
        /// The module.
        module: String,
    },

    /// A message or query variant the module does not support.
    #[error("{module}: unsupported {what}")]
    Unsupported {
        /// The module.
        module: String,
        /// The message or query, debug-printed.
        what: String,
    },
}
