//! Contract-level tests through the real entry points.

mod burn;
mod close;
mod handshake;
mod props;
mod queries;
mod receive;
mod rewards;
mod setup;
mod slashing;
mod stake;
mod unstake;
