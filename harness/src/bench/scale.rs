//! The scale benchmark: `consumers` consumer chains and `users` users, through the actors.
//!
//! One case: deploy the topology (every user funded at genesis); every user bonds and stakes
//! remotely on every consumer; settle; an epoch on every consumer (the consumers delegate);
//! every user unstakes from every consumer; settle; an epoch on every consumer (they undelegate).
//! That is `consumers × users` stakes and as many unstakes, each a provider transaction, a packet,
//! a receive on the consumer and an ack. Wall time includes the set-up; the peak resident set is
//! the process's, reset before the case.

use mesh_actors::testnet::{ConsumerSpec, Testnet, TopologySpec};
use mesh_actors::time::run_simulation;
use serde::Serialize;
use std::time::{Duration, Instant};

use super::lifecycle::{coin, ms_since, DAY_SECS};
use super::rss;

/// Staked by each user on each consumer.
pub const STAKE: u128 = 1_000_000;

/// One measured case.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ScaleCase {
    /// Consumer chains.
    pub consumers: usize,
    /// Users.
    pub users: usize,
    /// Wall time, ms.
    pub ms: f64,
    /// Peak resident set of the process during the case, MiB (`null` where unknown).
    pub peak_rss_mb: Option<f64>,
}

/// The name of user `i`.
pub fn user(i: usize) -> String {
    format!("user{i:04}")
}

/// The name of consumer `i`.
pub fn consumer(i: usize) -> String {
    format!("consumer{i:02}")
}

/// The topology of a case: the default provider, `consumers` default consumers, and `users`
/// users with exactly enough to stake [`STAKE`] on every consumer.
pub fn spec(consumers: usize, users: usize) -> TopologySpec {
    let mut spec = TopologySpec {
        seed: 1,
        ..Default::default()
    };
    let funds = STAKE * consumers as u128;
    spec.provider.accounts = (0..users)
        .map(|i| (user(i), vec![coin(&spec, funds)]))
        .collect();
    spec.consumers = (0..consumers)
        .map(|i| ConsumerSpec::new(&consumer(i)))
        .collect();
    spec
}

/// Run one case once.
pub fn run_case(consumers: usize, users: usize) -> Result<ScaleCase, String> {
    let spec = spec(consumers, users);
    rss::reset_peak();
    let start = Instant::now();
    run_simulation(async { drive(&spec, users).await })?;
    let ms = ms_since(start);
    Ok(ScaleCase {
        consumers,
        users,
        ms,
        peak_rss_mb: rss::peak_mb(),
    })
}

async fn drive(spec: &TopologySpec, users: usize) -> Result<(), String> {
    let net = Testnet::start(spec).await?;
    let ids: Vec<String> = net.consumer_ids().to_vec();
    let within = Duration::from_secs(DAY_SECS);
    for i in 0..users {
        let name = user(i);
        net.bond(&name, STAKE * ids.len() as u128).await?;
        for id in &ids {
            net.stake_remote(&name, id, &format!("{id}-val1"), STAKE)
                .await?;
        }
    }
    net.settle(within).await?;
    epoch_all(&net, &ids).await?;
    net.settle(within).await?;
    for i in 0..users {
        let name = user(i);
        for id in &ids {
            net.unstake_remote(&name, id, &format!("{id}-val1"), STAKE)
                .await?;
        }
    }
    net.settle(within).await?;
    epoch_all(&net, &ids).await?;
    net.settle(within).await?;
    for id in &ids {
        let stats = net.link_stats(id).await?;
        let expected = 2 * users as u64;
        if stats.acked_error > 0 || stats.timed_out > 0 || stats.acked_ok < expected {
            return Err(format!(
                "{id}: {} ok acks (at least {expected} expected), {} error acks, {} timeouts",
                stats.acked_ok, stats.acked_error, stats.timed_out
            ));
        }
    }
    Ok(())
}

/// Run the next epoch of every consumer: wait for the latest of their next epoch times, then
/// bring each chain to it (the others' epochs have run by their own wake-ups by then).
async fn epoch_all(net: &Testnet, ids: &[String]) -> Result<(), String> {
    let mut at = 0;
    for id in ids {
        let next = net
            .with_chain(id, |c, _| c.next_epoch_time())
            .await?
            .ok_or_else(|| format!("{id} has no epochs"))?;
        at = at.max(next);
    }
    net.wait(Duration::from_millis(at.saturating_sub(net.now_ms())))
        .await;
    for id in ids {
        net.with_chain(id, |c, now| c.advance(now))
            .await?
            .map_err(|until| {
                format!(
                    "{id} is halted until t={}",
                    mesh_actors::time::human_ms(until)
                )
            })?;
    }
    Ok(())
}
