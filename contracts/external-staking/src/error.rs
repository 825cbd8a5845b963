//! Errors of external staking.

use cosmwasm_std::{StdError, Uint128};
use cw_utils::PaymentError;
use mesh_apis::ibc::VersionError;
use mesh_apis::RangeError;
use thiserror::Error;

/// Everything external staking can refuse.
#[derive(Error, Debug)]
pub enum ContractError {
    /// A storage, serialisation or address error.
    #[error("{0}")]
    Std(StdError),

    /// Funds were attached where none are accepted.
    #[error("{0}")]
    Payment(#[from] PaymentError),

    /// A range operation was refused.
    #[error("{0}")]
    Range(#[from] RangeError),

    /// The channel version or order was refused.
    #[error("{0}")]
    Version(#[from] VersionError),

    /// Only the vault may call this.
    #[error("unauthorized: only the vault {vault} may call this, not {sender}")]
    Unauthorized {
        /// The vault.
        vault: String,
        /// Who called.
        sender: String,
    },

    /// A slash ratio above 1.
    #[error("invalid slash ratio {ratio}: must be at most 1")]
    InvalidSlashRatio {
        /// The ratio given.
        ratio: String,
    },

    /// A packet timeout of zero seconds.
    #[error("packet timeout must be at least one second")]
    ZeroPacketTimeout,

    /// An amount in the wrong denom.
    #[error("invalid denom: expected {expected}, got {got}")]
    InvalidDenom {
        /// The denom this contract uses here.
        expected: String,
        /// The denom given.
        got: String,
    },

    /// An amount of zero.
    #[error("amount must not be zero")]
    ZeroAmount,

    /// The validator is unknown or not active on the consumer.
    #[error("validator {validator} is not active")]
    ValidatorNotActive {
        /// The validator.
        validator: String,
    },

    /// Unstaking more than the settled stake.
    #[error("not enough stake on {validator}: {available} available, {requested} requested")]
    NotEnoughStake {
        /// The validator.
        validator: String,
        /// The settled stake (`stake.low`).
        available: Uint128,
        /// The amount asked for.
        requested: Uint128,
    },

    /// The vault reused a tx id that is still pending here.
    #[error("tx id {tx_id} is already pending")]
    TxIdInUse {
        /// The tx id.
        tx_id: u64,
    },

    /// No pending tx with this id.
    #[error("no pending tx with id {tx_id}")]
    UnknownTx {
        /// The tx id.
        tx_id: u64,
    },

    /// Nothing to withdraw.
    #[error("no rewards to withdraw on {validator}")]
    NoRewards {
        /// The validator.
        validator: String,
    },

    /// An empty consumer recipient.
    #[error("remote recipient must not be empty")]
    EmptyRecipient,

    /// No channel was connected yet.
    #[error("no IBC channel connected yet")]
    NoChannel,

    /// The channel was closed; nothing can be sent any more.
    #[error("the IBC channel {channel_id} is closed")]
    ChannelClosed {
        /// The closed channel.
        channel_id: String,
    },

    /// A second channel (only one is allowed).
    #[error("an IBC channel is already open: {channel_id}")]
    ChannelAlreadyOpen {
        /// The existing channel.
        channel_id: String,
    },

    /// The provider never opens the channel (the consumer does).
    #[error("external staking does not initiate channels: only OpenTry is accepted")]
    OpenInitRefused,

    /// The channel comes over another connection.
    #[error("unauthorized connection {got}: expected {expected}")]
    WrongConnection {
        /// The configured connection.
        expected: String,
        /// The channel's connection.
        got: String,
    },

    /// The counterparty port is not the configured converter.
    #[error("unauthorized counterparty port {got}: expected {expected}")]
    WrongPort {
        /// The configured port.
        expected: String,
        /// The counterparty port.
        got: String,
    },

    /// A packet or close for a channel that is not ours.
    #[error("unknown channel {got}: expected {expected}")]
    UnknownChannel {
        /// Our channel (empty when none).
        expected: String,
        /// The channel given.
        got: String,
    },
}

impl From<StdError> for ContractError {
    fn from(err: StdError) -> Self {
        ContractError::Std(err)
    }
}
