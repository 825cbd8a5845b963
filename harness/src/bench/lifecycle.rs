//! The lifecycle benchmark: the built-in demo's lifecycle for one consumer, driven through the
//! actors by a Rust driver on [`Testnet`] — what a `#[test]` using the library pays.
//!
//! The steps (the demo's, on its first consumer `juno`): deploy the topology (genesis, actors,
//! channel handshake, first validator-set update), bond, stake locally and remotely, settle, run
//! an epoch, unstake both, settle, let the unbonding period pass, withdraw the remote unbonding,
//! release the local one, unbond everything. The driver checks the user got every token back.
//!
//! [`LIFECYCLE_SCENARIO`] is the same lifecycle as a scenario file: run by the scenario runner it
//! also pays the per-step invariant checks and reports (what `mesh-harness run` users pay); the
//! bench prints that figure beside the others.

use cosmwasm_std::{to_json_binary, Binary, Coin, Uint256};
use mesh_actors::testnet::{Testnet, TopologySpec};
use mesh_actors::time::run_simulation;
use mesh_apis::lienholder;
use std::time::{Duration, Instant};

use crate::runner::{self, RunOptions};
use crate::scenario::{self, Scenario};
use crate::topology;

/// The user of the lifecycle.
pub const USER: &str = "alice";
/// The consumer of the lifecycle.
pub const CONSUMER: &str = "juno";
/// The user's genesis balance.
pub const GENESIS_BALANCE: u128 = 1_000_000_000;
/// Bonded in the vault.
pub const BOND: u128 = 300_000_000;
/// Staked locally on `val1`.
pub const LOCAL: u128 = 100_000_000;
/// Staked remotely on `juno-val1`.
pub const REMOTE: u128 = 80_000_000;
/// The provider validator of the local stake.
pub const LOCAL_VALIDATOR: &str = "val1";
/// The consumer validator of the remote stake.
pub const REMOTE_VALIDATOR: &str = "juno-val1";
/// One day, seconds.
pub const DAY_SECS: u64 = 86_400;

/// The lifecycle as a scenario file: the demo's topology restricted to its first consumer
/// (same validators, accounts, seed, link), and the demo's steps for that consumer.
pub const LIFECYCLE_SCENARIO: &str = r#"{
  "name": "bench: the demo's lifecycle for one consumer",
  "seed": 42,
  "provider": { "validators": [{ "name": "val1" }, { "name": "val2" }] },
  "consumers": [{ "chain_id": "juno" }],
  "accounts": { "alice": "1000000000", "bob": "500000000" },
  "steps": [
    { "bond": { "user": "alice", "amount": "300000000" } },
    { "stake_local": { "user": "alice", "validator": "val1", "amount": "100000000" } },
    { "stake_remote": { "user": "alice", "consumer": "juno", "validator": "juno-val1", "amount": "80000000" } },
    { "settle": {} },
    { "epoch": { "consumer": "juno" } },
    { "unstake_remote": { "user": "alice", "consumer": "juno", "validator": "juno-val1", "amount": "80000000" } },
    { "unstake_local": { "user": "alice", "validator": "val1", "amount": "100000000" } },
    { "settle": {} },
    { "wait": "21d" },
    { "withdraw_unbonded_remote": { "user": "alice", "consumer": "juno" } },
    { "release_local": { "user": "alice" } },
    { "unbond": { "user": "alice", "amount": "300000000" } },
    { "expect": { "provider.balances.alice.uosmo": "1000000000" } }
  ]
}"#;

/// Wall times of one lifecycle, ms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LifecycleTimes {
    /// The whole lifecycle, topology set-up included.
    pub total_ms: f64,
    /// From the unstakes to the release of both unbondings (the part that spans the period).
    pub unbonding_ms: f64,
}

/// [`LIFECYCLE_SCENARIO`], parsed.
pub fn scenario() -> Scenario {
    scenario::parse_str(LIFECYCLE_SCENARIO, "bench lifecycle").expect("the bench scenario is valid")
}

/// The topology of the lifecycle with both unbonding periods (the provider's staking module and
/// external staking) set to `unbonding_secs`.
pub fn spec(unbonding_secs: u64) -> TopologySpec {
    let mut spec = topology::topology(&scenario(), None);
    spec.provider.chain.unbonding_secs = unbonding_secs;
    for c in &mut spec.consumers {
        c.ext_unbonding_secs = unbonding_secs;
    }
    spec
}

/// The stake message of a lienholder.
pub fn stake_msg(validator: &str) -> Result<Binary, String> {
    to_json_binary(&lienholder::StakeMsg {
        validator: validator.to_string(),
    })
    .map_err(|e| e.to_string())
}

/// `amount` of the provider's denom of `spec`.
pub fn coin(spec: &TopologySpec, amount: u128) -> Coin {
    Coin::new(amount, spec.provider.chain.denom.clone())
}

/// Milliseconds since `start`.
pub fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

/// Run the lifecycle once through the actors on `spec` (see [`spec`]), waiting
/// `unbonding_secs` after the unstakes settle.
pub fn through_actors(spec: &TopologySpec, unbonding_secs: u64) -> Result<LifecycleTimes, String> {
    let spec = spec.clone();
    run_simulation(async move { drive(&spec, unbonding_secs).await })
}

async fn drive(spec: &TopologySpec, unbonding_secs: u64) -> Result<LifecycleTimes, String> {
    let start = Instant::now();
    let day = Duration::from_secs(DAY_SECS);
    let net = Testnet::start(spec).await?;
    net.bond(USER, BOND).await?;
    net.stake_local(USER, LOCAL_VALIDATOR, LOCAL).await?;
    net.stake_remote(USER, CONSUMER, REMOTE_VALIDATOR, REMOTE)
        .await?;
    net.settle(day).await?;
    net.epoch(CONSUMER).await?;

    let unbonding = Instant::now();
    net.unstake_remote(USER, CONSUMER, REMOTE_VALIDATOR, REMOTE)
        .await?;
    net.unstake_local(USER, LOCAL_VALIDATOR, LOCAL).await?;
    net.settle(day).await?;
    net.wait(Duration::from_secs(unbonding_secs)).await;
    net.withdraw_unbonded_remote(USER, CONSUMER).await?;
    net.release_local(USER).await?;
    let unbonding_ms = ms_since(unbonding);

    net.unbond(USER, BOND).await?;
    let total_ms = ms_since(start);

    let provider = net.provider_id().to_string();
    let balance = net
        .balance(&provider, USER, &spec.provider.chain.denom)
        .await?;
    check_balance(balance.into())?;
    Ok(LifecycleTimes {
        total_ms,
        unbonding_ms,
    })
}

/// The lifecycle returns every token: the user ends with the genesis balance.
pub fn check_balance(amount: Uint256) -> Result<(), String> {
    if amount != Uint256::from(GENESIS_BALANCE) {
        return Err(format!(
            "the lifecycle did not return every token: {USER} has {amount}, expected {GENESIS_BALANCE}"
        ));
    }
    Ok(())
}

/// Run [`LIFECYCLE_SCENARIO`] once through the scenario runner (invariants after every step,
/// reports, trace); returns the wall time in ms.
pub fn through_runner(scenario: &Scenario) -> Result<f64, String> {
    let start = Instant::now();
    let outcome = runner::run(scenario, &RunOptions::default());
    let ms = ms_since(start);
    match outcome.failure {
        None => Ok(ms),
        Some(f) => Err(format!("the bench scenario failed: {f}")),
    }
}
