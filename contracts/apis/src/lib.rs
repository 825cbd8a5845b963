//! Types shared by the Mesh Security contracts: every contract's messages, the lienholder
//! interfaces, the IBC packets and channel version, the mesh module's custom messages, pending
//! transactions and [`ValueRange`].
//!
//! Contracts re-export their own messages from here, so the harness and the other contracts
//! speak to them through one definition.

#![warn(missing_docs)]

pub mod converter;
pub mod external_staking;
pub mod ibc;
pub mod lienholder;
pub mod native_staking;
pub mod native_staking_proxy;
pub mod price_feed;
pub mod tx;
pub mod value_range;
pub mod vault;
pub mod virtual_stake;
pub mod virtual_staking;

pub use tx::Tx;
pub use value_range::{RangeError, ValueRange};
