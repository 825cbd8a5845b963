//! Errors of the converter.

use cosmwasm_std::{Decimal, StdError, Uint128};
use cw_utils::PaymentError;
use mesh_apis::ibc::VersionError;
use thiserror::Error;

/// Everything the converter can refuse.
#[derive(Error, Debug)]
pub enum ContractError {
    /// A standard library error (storage, serialisation, queries, overflow).
    #[error("{0}")]
    Std(StdError),

    /// Wrong funds attached.
    #[error("{0}")]
    Payment(#[from] PaymentError),

    /// The channel version or order was refused.
    #[error("{0}")]
    Version(#[from] VersionError),

    /// The discount must be below 1.
    #[error("invalid discount {discount}: it must be less than 1")]
    DiscountTooHigh {
        /// The refused discount.
        discount: Decimal,
    },

    /// A virtual-staking-only message from someone else.
    #[error("unauthorized: only virtual staking {expected} may call this, not {sender}")]
    Unauthorized {
        /// The virtual staking contract.
        expected: String,
        /// Who tried.
        sender: String,
    },

    /// A coin in an unexpected denom.
    #[error("wrong denom: expected {expected}, got {got}")]
    WrongDenom {
        /// The denom this converter accepts there.
        expected: String,
        /// The denom it got.
        got: String,
    },

    /// A stake on a validator the consumer chain does not know.
    #[error("unknown validator {validator}: not in the consumer's validator set")]
    UnknownValidator {
        /// The validator named in the packet.
        validator: String,
    },

    /// `transfer_rewards` to an address that does not validate.
    #[error("invalid rewards recipient {recipient:?}: {reason}")]
    InvalidRecipient {
        /// The recipient named in the packet.
        recipient: String,
        /// Why it was refused.
        reason: String,
    },

    /// `transfer_rewards` for more than the converter holds.
    #[error("not enough rewards: {balance} {denom} held, {requested} requested")]
    InsufficientRewards {
        /// The converter's balance.
        balance: Uint128,
        /// The requested payment.
        requested: Uint128,
        /// The rewards denom.
        denom: String,
    },

    /// `distribute_rewards` whose payments do not add up to the attached funds.
    #[error("rewards batch mismatch: {sent} sent, payments sum to {payments}")]
    RewardsMismatch {
        /// Attached funds.
        sent: Uint128,
        /// Sum of the payments.
        payments: Uint128,
    },

    /// The inverse conversion needs a non-zero price.
    #[error("price is zero: cannot convert consumer units to provider units")]
    ZeroPrice,

    /// A second channel while one exists.
    #[error("a channel is already open: {channel_id}")]
    ChannelAlreadyOpen {
        /// The existing channel.
        channel_id: String,
    },

    /// The converter opens the channel itself; it never accepts OpenTry.
    #[error("the converter opens the channel itself (OpenInit); OpenTry is refused")]
    OpenTryRefused,

    /// A packet on a channel other than ours (or before the channel is connected).
    #[error("unknown channel {channel_id}: expected {expected}")]
    UnknownChannel {
        /// The packet's channel.
        channel_id: String,
        /// Our channel, or "none".
        expected: String,
    },

    /// A reply this contract did not ask for.
    #[error("unknown reply id {id}")]
    UnknownReplyId {
        /// The reply id.
        id: u64,
    },

    /// The instantiate reply carried no contract address.
    #[error("no virtual staking address in the instantiate reply: {reason}")]
    NoVirtualStakingAddress {
        /// What was missing.
        reason: String,
    },
}

impl From<StdError> for ContractError {
    fn from(err: StdError) -> Self {
        ContractError::Std(err)
    }
}
