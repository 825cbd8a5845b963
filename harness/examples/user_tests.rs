//! A user's own integration tests of Mesh Security, written against mesh-harness as a library
//! exactly as a crate outside this repository writes them (the README's "Using it from Rust"):
//! a testnet from the topology builder, driven step by step by name, faults, simulated time,
//! and assertions on typed getters and on the state report; then a scenario file run from Rust.
//!
//! `cargo test -p mesh-harness --example user_tests` runs them (CI does, in `cargo test`);
//! `cargo run -p mesh-harness --example user_tests` runs the scenario file and prints its report.

use mesh_harness::Error;

/// Run the scenario file and print its final report.
fn main() -> Result<(), Error> {
    let outcome = mesh_harness::run_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/cross-stake.json"
    ))?;
    println!("{}: passed {}", outcome.name, outcome.passed);
    println!("{}", outcome.report);
    Ok(())
}

/// The tests, as they stand in a user's `tests/cross_stake.rs` (an example needs a `main`, so
/// they sit in a module here).
#[cfg(test)]
mod tests {
    use mesh_harness::cosmwasm_std::Uint128;
    use mesh_harness::mesh_apis::ValueRange;
    use mesh_harness::Testnet;
    use mesh_harness::{run_simulation, ContractId, Error, Topology};
    use std::time::Duration;

    const DAY: Duration = Duration::from_secs(86_400);

    /// bond → stake_remote → settle → epoch: the consumer delegates the converted amount; the next
    /// epoch's rewards batch is in flight until `settle`, then paid to a consumer account.
    #[test]
    fn cross_stake_and_epoch() -> Result<(), Error> {
        run_simulation(async {
            let net = Topology::new()
                .seed(7)
                .account("alice", 1_000_000_000)
                .consumer("juno", |c| c) // every default: ujuno, validator juno-val1, price 0.5
                .start()
                .await?;
            net.bond("alice", 100_000_000).await?;
            net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
                .await?;
            // The stake packet is in flight: the lien may still roll back, so `free` is a range.
            let free = net.vault_account("alice").await?.free;
            assert_eq!(
                free,
                ValueRange::new(Uint128::new(20_000_000), Uint128::new(100_000_000))
            );
            net.settle(DAY).await?;
            net.epoch("juno").await?;
            assert_eq!(
                net.virtual_delegation("juno", "juno-val1").await?,
                Uint128::new(36_000_000)
            );
            let report = net.report().await?;
            report.expect("provider.vault.accounts.alice.liens.juno", "80000000")?;

            // The next epoch pays the first one's rewards: a `distribute_batch` packet, in flight
            // until settled.
            net.epoch("juno").await?;
            assert_eq!(net.link_stats("juno").await?.in_flight, 1);
            assert!(!net.is_settled().await?);
            net.settle(DAY).await?;
            let report = net.report().await?;
            assert_eq!(
                report.amount("ibc.juno.sent_by_kind.distribute_batch"),
                Some(1)
            );
            let rewards = report
                .amount("provider.external.juno.rewards.alice.juno-val1")
                .unwrap();
            assert!(rewards > 0);
            net.withdraw_rewards("alice", "juno", "juno-val1", "alice-on-juno")
                .await?;
            net.settle(DAY).await?;
            assert_eq!(
                net.balance("juno", "alice-on-juno", "ujuno").await?,
                Uint128::new(rewards)
            );
            net.report().await?.expect(
                "consumers.juno.balances.alice-on-juno.ujuno",
                rewards.to_string(),
            )?;
            Ok(())
        })
    }

    /// A failed receive (an error ack) and a timeout (an outage longer than the packet timeout)
    /// both roll the stake back completely; the next stake commits.
    #[test]
    fn failed_receive_and_timeout_roll_back() -> Result<(), Error> {
        run_simulation(async {
            let net = alice_on_juno().await?;
            net.bond("alice", 100_000_000).await?;

            net.fail_next(&ContractId::converter("juno"), 1).await?;
            net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
                .await?;
            net.settle(DAY).await?;
            assert_eq!(net.link_stats("juno").await?.acked_error, 1);
            assert_eq!(
                net.vault_account("alice").await?.max_lien,
                ValueRange::zero()
            );
            assert_rolled_back(&net).await?;

            net.outage("juno", Duration::from_secs(2 * 3600)).await?;
            net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
                .await?;
            net.settle(DAY).await?;
            assert_eq!(net.link_stats("juno").await?.timed_out, 1);
            assert_rolled_back(&net).await?;

            net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
                .await?;
            net.settle(DAY).await?;
            assert_eq!(
                net.remote_stake("alice", "juno", "juno-val1").await?.stake,
                ValueRange::new_val(Uint128::new(80_000_000))
            );
            Ok(())
        })
    }

    /// The topology of most tests: alice with 1,000,000,000 uosmo, one default consumer.
    async fn alice_on_juno() -> Result<Testnet, Error> {
        Topology::new()
            .seed(7)
            .account("alice", 1_000_000_000)
            .consumer("juno", |c| c)
            .start()
            .await
    }

    async fn assert_rolled_back(net: &Testnet) -> Result<(), Error> {
        let account = net.vault_account("alice").await?;
        assert_eq!(account.max_lien, ValueRange::zero());
        assert_eq!(account.free, ValueRange::new_val(Uint128::new(100_000_000)));
        assert_eq!(
            net.remote_stake("alice", "juno", "juno-val1").await?.stake,
            ValueRange::zero()
        );
        assert_eq!(net.pending_txs().await?, 0);
        Ok(())
    }

    /// An unstake frees the collateral only after the 21-day unbonding period.
    #[test]
    fn unbonding_takes_21_days() -> Result<(), Error> {
        run_simulation(async {
            let net = alice_on_juno().await?;
            net.bond("alice", 100_000_000).await?;
            net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
                .await?;
            net.settle(DAY).await?;
            net.unstake_remote("alice", "juno", "juno-val1", 80_000_000)
                .await?;
            net.settle(DAY).await?;
            net.report().await?.expect(
                "provider.external.juno.stakes.alice.juno-val1.pending_unbonds",
                "80000000",
            )?;

            // A day early, withdrawing frees nothing.
            net.wait(20 * DAY).await;
            net.withdraw_unbonded_remote("alice", "juno").await?;
            assert_eq!(
                net.vault_account("alice").await?.free,
                ValueRange::new_val(Uint128::new(20_000_000))
            );

            net.wait(DAY).await;
            net.withdraw_unbonded_remote("alice", "juno").await?;
            assert_eq!(
                net.vault_account("alice").await?.max_lien,
                ValueRange::zero()
            );
            net.unbond("alice", 100_000_000).await?;
            assert_eq!(
                net.balance("provider", "alice", "uosmo").await?,
                Uint128::new(1_000_000_000)
            );

            // The whole unbonding again, in one go, on a fresh stake.
            net.bond("alice", 100_000_000).await?;
            net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
                .await?;
            net.settle(DAY).await?;
            net.unstake_remote("alice", "juno", "juno-val1", 80_000_000)
                .await?;
            net.settle(DAY).await?;
            net.wait(21 * DAY).await;
            net.withdraw_unbonded_remote("alice", "juno").await?;
            assert_eq!(
                net.vault_account("alice").await?.max_lien,
                ValueRange::zero()
            );
            Ok(())
        })
    }

    /// A scenario file run from Rust, with assertions on its final report; then the same file's
    /// topology driven by hand.
    #[test]
    fn scenario_file_from_rust() -> Result<(), Error> {
        let file = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cross-stake.json");
        let outcome = mesh_harness::run_file(file)?;
        assert!(outcome.passed, "{:?}", outcome.failure);
        assert_eq!(
            outcome
                .report
                .amount("consumers.juno.virtual_staking.delegated.juno-val1"),
            Some(36_000_000)
        );
        outcome
            .report
            .expect("provider.vault.accounts.alice.free", "20000000")?;

        let scenario = mesh_harness::scenario::load_file(file)?;
        run_simulation(async {
            let net = scenario.topology().start().await?;
            net.bond("alice", 100_000_000).await?;
            net.halt("juno", Duration::from_secs(3600)).await?;
            net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
                .await?;
            // The consumer is halted past the packet's 10-minute timeout: the stake times out.
            assert!(matches!(net.epoch("juno").await, Err(Error::Halted { .. })));
            net.settle(DAY).await?;
            net.report()
                .await?
                .expect("provider.vault.accounts.alice.free", "100000000")?;
            Ok(())
        })
    }
}
