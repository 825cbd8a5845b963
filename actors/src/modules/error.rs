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

    /// The validator holds shares but no tokens (slashed to nothing): a delegation would buy
    /// shares worth nothing (the SDK's invalid exchange rate).
    #[error("validator {validator} has no tokens left for its delegator shares: cannot delegate")]
    InvalidExchangeRate {
        /// The validator.
        validator: String,
    },

    /// A delegator already has the most unbonding (or redelegation) entries allowed with a
    /// validator (pair).
    #[error("too many {kind} entries from {delegator} on {validator}: at most {max} at a time")]
    MaxEntries {
        /// "unbonding" or "redelegation".
        kind: String,
        /// The delegator.
        delegator: String,
        /// The validator (or "src -> dst").
        validator: String,
        /// The limit.
        max: usize,
    },

    /// A redelegation from a validator the delegator is still redelegating into.
    #[error("redelegation from {validator} refused: a redelegation into it has not completed (transitive redelegation)")]
    TransitiveRedelegation {
        /// The source validator.
        validator: String,
    },

    /// A redelegation too small to move a single token.
    #[error("redelegation of {amount} moves no token: too small")]
    TinyRedelegation {
        /// The amount asked for.
        amount: Uint128,
    },

    /// A validator whose self-delegation is below the minimum cannot be unjailed.
    #[error("validator {validator} cannot be unjailed: its self-delegation {self_delegation} is below the minimum {min}")]
    SelfDelegationTooLow {
        /// The validator.
        validator: String,
        /// Its operator's delegation now.
        self_delegation: Uint128,
        /// The minimum.
        min: Uint128,
    },

    /// A validator without an operator self-bond cannot have one removed.
    #[error("validator {validator} has no self-bond to unbond")]
    NoSelfBond {
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
