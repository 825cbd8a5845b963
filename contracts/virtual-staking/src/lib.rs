//! mesh-virtual-staking: the consumer chain's virtual staking contract (docs/system.md ("The consumer's contracts and chain")).
//!
//! - Only its converter (the contract that instantiated it) may change the stake requests.
//!   Requests are kept per (delegator, validator) **in provider units**, with a per-validator
//!   total; they are converted to consumer units at every epoch with the converter's
//!   `convert_to_consumer`. An `unbond` therefore never fails because the price moved since
//!   the `bond`.
//! - Sudo `handle_epoch {}`: withdraw rewards and pass them to the converter as one
//!   `distribute_rewards` batch; convert the requests, scale them down proportionally if their
//!   sum exceeds the max cap, and issue the chain's `virtual_stake` `bond`/`unbond` messages for
//!   the differences with what is delegated (unbonds first, then bonds, each by validator).
//!   A max cap of 0 unstakes everything with `internal_unstake`.
//! - Sudo `handle_valset_update {...}`: forward the changes to the converter and reduce the
//!   requests of slashed validators.
//!
//! Rewards batch: every `WithdrawDelegatorReward` is a `reply_always` submessage; its reply reads
//! the contract's balance, attributes the growth since the previous reading to that validator,
//! and the last reply sends the batch (exactly the withdrawn amounts) to the converter, in the
//! same epoch. See [`rewards`].

pub mod contract;
pub mod error;
pub mod msg;
pub mod requests;
pub mod rewards;
pub mod state;

#[cfg(test)]
mod multitest;

pub use crate::error::ContractError;
