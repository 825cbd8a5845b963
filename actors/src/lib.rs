//! The actor runtime: chains, contracts and relayers in virtual time.
//!
//! - [`modules`]: the chain components the contracts need (staking with jailing and slashing,
//!   distribution, the consumer mesh module).

pub mod modules;
