//! The actor runtime of mesh-harness: chains, contracts and relayers in virtual time.
//!
//! Most users want [`testnet::Testnet`]: deploy a topology and drive it by name (the
//! `mesh-harness` crate adds scenario files, a topology builder and re-exports everything
//! a test needs). The modules below it:
//!
//! - [`chain`]: one chain (a cw-multi-test App, its block clock, its IBC state), no actor code.
//! - [`ibc`]: IBC on cw-multi-test: the outbox module, the entry-point wrapper, channel state.
//! - [`modules`]: the chain components the contracts need (staking with jailing and slashing,
//!   distribution, the consumer mesh module).
//! - [`actor`]: the chain, contract and relayer actors.
//! - [`contracts`]: the contract codes; [`testnet`]: deploy a topology and drive it.
//! - [`time`]: simulated time on a paused tokio clock; [`trace`]: the event trace.
//! - [`wasm`]: contracts as `.wasm` codes run by cosmwasm-vm, with gas.
//! - [`Error`]: the one error type of every fallible method.

pub mod actor;
pub mod chain;
pub mod contracts;
pub mod error;
pub mod ibc;
pub mod modules;
pub mod testnet;
pub mod time;
pub mod trace;
pub mod wasm;

pub use error::{Error, Result};
