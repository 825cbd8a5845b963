//! mesh-converter: the consumer end of the Mesh Security IBC channel (docs/system.md, "The consumer's contracts and chain" and "The channel").
//!
//! - It instantiates its virtual staking contract and is that contract's only caller.
//! - It opens the channel (OpenInit only) and, on connect, announces every validator of the
//!   consumer chain with a `valset_update` packet.
//! - Provider packets (`stake`, `unstake`, `burn`) are forwarded to virtual staking unchanged,
//!   in provider units (virtual staking converts at every epoch); `transfer_rewards` pays a
//!   consumer account from the converter's balance. A packet that cannot be applied makes
//!   `ibc_packet_receive` return an error, which reverts it and produces an error ack.
//! - Virtual staking calls it to send `valset_update`, `distribute_batch` and `internal_unstake`
//!   packets to the provider. A packet of its own that times out is sent again.
//! - Conversions: provider → consumer `floor(floor(amount × price) × (1 − discount))`, and the
//!   inverse with the 18-decimal inverses, flooring after each step ([`conversion`]).

pub mod contract;
pub mod conversion;
pub mod error;
pub mod ibc;
pub mod msg;
pub mod state;

#[cfg(test)]
mod tests;

pub use crate::error::ContractError;
