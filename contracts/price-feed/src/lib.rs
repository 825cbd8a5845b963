//! mesh-price-feed: the simple price feed of a consumer chain (docs/system.md ("The consumer's contracts and chain")).
//!
//! It stores one price, `native_per_foreign` (consumer tokens per provider token), that its
//! owner may update. The converter queries it with `price {}` on every conversion.

pub mod contract;
pub mod error;
pub mod msg;
pub mod state;

#[cfg(test)]
mod tests;

pub use crate::error::ContractError;
