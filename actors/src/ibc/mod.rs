//! IBC on cw-multi-test: the outbox module, the contract wrapper with IBC entry points, and the
//! per-chain channel state (sequences, commitments, receipts).

pub mod contract;
pub mod outbox;
pub mod state;

pub use contract::{IbcContract, IbcEntryPoints, IbcEnvelope};
pub use outbox::{IbcOutbox, OutboxEntry};
pub use state::{ChannelEnd, ChannelState, IbcState};
