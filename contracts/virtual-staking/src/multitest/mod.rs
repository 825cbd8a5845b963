//! Multitests of virtual staking with the real converter and price feed on a cw-multi-test
//! consumer chain: a small test mesh module ([`mesh_module::TestMesh`]) for the `virtual_stake`
//! messages and queries, a recording IBC module for the converter's packets, the converter's
//! IBC entry points reached through a test sudo envelope (as the actor runtime does).

mod ibc_module;
mod mesh_module;
mod suite;

mod authorization;
mod epoch;
mod requests;
mod rewards;
mod valset;
