//! End-to-end tests of the actor runtime: real contracts on cw-multi-test chains, IBC through
//! relayer actors, everything in virtual time.

use cosmwasm_std::{Coin, Uint128};
use mesh_actors::chain::RecvRefused;
use mesh_actors::testnet::{ConsumerSpec, ContractId, Delay, Testnet, TopologySpec};
use mesh_actors::time::run_simulation;
use mesh_actors::trace::{TraceEvent, TraceKind};
use mesh_actors::Error;
use mesh_apis::external_staking::ValidatorState;
use mesh_apis::ValueRange;
use std::collections::BTreeSet;
use std::time::Duration;

const DAY: Duration = Duration::from_secs(86_400);

/// A provider with `alice` (1,000,000,000 uosmo) and the default consumers `consumers`.
fn spec(consumers: &[&str]) -> TopologySpec {
    let mut spec = TopologySpec {
        seed: 7,
        ..Default::default()
    };
    spec.provider.accounts = vec![("alice".into(), vec![Coin::new(1_000_000_000u128, "uosmo")])];
    for id in consumers {
        spec.consumers.push(ConsumerSpec::new(id));
    }
    spec
}

fn v(n: u128) -> Uint128 {
    Uint128::new(n)
}

/// No packet is ever received twice on any link.
fn assert_received_at_most_once(events: &[TraceEvent]) {
    let mut seen = BTreeSet::new();
    for e in events {
        if let TraceKind::PacketReceived {
            link, from, seq, ..
        } = &e.kind
        {
            assert!(
                seen.insert((link.clone(), from.clone(), *seq)),
                "packet {seq} from {from} on {link} received twice"
            );
        }
    }
}

fn count(events: &[TraceEvent], pred: impl Fn(&TraceKind) -> bool) -> usize {
    events.iter().filter(|e| pred(&e.kind)).count()
}

/// Cross-stake: bond → stake_remote → packet → converter → virtual staking → epoch → the consumer
/// chain delegates 36,000,000 (80,000,000 at price 0.5, discount 0.1) → ack → lien committed.
#[test]
fn cross_stake_reaches_the_consumer_and_commits_the_lien() -> Result<(), Error> {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await?;
        net.bond("alice", 100_000_000).await?;
        net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
            .await?;
        // In flight: free is a range.
        let account = net.vault_account("alice").await?;
        assert_eq!(account.free, ValueRange::new(v(20_000_000), v(100_000_000)));
        net.settle(DAY).await?;
        let account = net.vault_account("alice").await?;
        assert_eq!(account.max_lien, ValueRange::new_val(v(80_000_000)));
        assert_eq!(account.free, ValueRange::new_val(v(20_000_000)));
        let stake = net.remote_stake("alice", "juno", "juno-val1").await?;
        assert_eq!(stake.stake, ValueRange::new_val(v(80_000_000)));
        assert_eq!(stake.owner, "alice");
        net.epoch("juno").await?;
        assert_eq!(
            net.virtual_delegation("juno", "juno-val1").await?,
            v(36_000_000)
        );
        // The report says the same, by name.
        let report = net.report().await?;
        report.expect(
            "consumers.juno.virtual_staking.delegated.juno-val1",
            "36000000",
        )?;
        report.expect("provider.vault.accounts.alice.liens.juno", "80000000")?;
        assert_received_at_most_once(&net.trace().events());
        Ok(())
    })
}

/// Unstake → ack → 21 days → withdraw_unbonded frees the lien; a second earlier it frees nothing.
#[test]
fn unstake_frees_the_lien_only_after_the_unbonding_period() -> Result<(), Error> {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await?;
        net.bond("alice", 100_000_000).await?;
        net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
            .await?;
        net.settle(DAY).await?;
        net.unstake_remote("alice", "juno", "juno-val1", 80_000_000)
            .await?;
        net.settle(DAY).await?;
        let stake = net.remote_stake("alice", "juno", "juno-val1").await?;
        assert_eq!(stake.stake, ValueRange::zero());
        assert_eq!(stake.pending_unbonds.len(), 1);
        let release_at = stake.pending_unbonds[0].release_at;
        // The period runs from the ack, which came one relay delay after the unstake.
        let until_release = Duration::from_nanos(release_at.nanos() - net.now().nanos());
        assert!(until_release >= 21 * DAY - Duration::from_secs(60));

        net.wait(until_release - Duration::from_secs(1)).await;
        net.withdraw_unbonded_remote("alice", "juno").await?;
        assert_eq!(
            net.vault_account("alice").await?.max_lien,
            ValueRange::new_val(v(80_000_000))
        );

        net.wait(Duration::from_secs(1)).await;
        net.withdraw_unbonded_remote("alice", "juno").await?;
        let account = net.vault_account("alice").await?;
        assert_eq!(account.max_lien, ValueRange::zero());
        assert_eq!(account.free, ValueRange::new_val(v(100_000_000)));
        Ok(())
    })
}

async fn assert_rolled_back(net: &Testnet) -> Result<(), Error> {
    let account = net.vault_account("alice").await?;
    assert_eq!(account.max_lien, ValueRange::zero());
    assert_eq!(account.total_slashable, ValueRange::zero());
    assert_eq!(account.free, ValueRange::new_val(v(100_000_000)));
    let stake = net.remote_stake("alice", "juno", "juno-val1").await?;
    assert_eq!(stake.stake, ValueRange::zero());
    assert_eq!(net.pending_txs().await?, 0);
    Ok(())
}

/// An error ack (the converter fails its next receive) rolls back vault and external staking;
/// a later stake works.
#[test]
fn error_ack_rolls_back_completely() -> Result<(), Error> {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await?;
        net.bond("alice", 100_000_000).await?;
        net.fail_next(&ContractId::converter("juno"), 1).await?;
        net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
            .await?;
        net.settle(DAY).await?;
        assert_rolled_back(&net).await?;
        assert_eq!(net.link_stats("juno").await?.acked_error, 1);
        net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
            .await?;
        net.settle(DAY).await?;
        assert_eq!(
            net.vault_account("alice").await?.max_lien,
            ValueRange::new_val(v(80_000_000))
        );
        Ok(())
    })
}

/// An outage longer than the packet timeout times the stake out: full rollback; a later stake works.
#[test]
fn timeout_after_an_outage_rolls_back_completely() -> Result<(), Error> {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await?;
        net.bond("alice", 100_000_000).await?;
        net.outage("juno", Duration::from_secs(2 * 3600)).await?;
        net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
            .await?;
        net.settle(DAY).await?;
        assert_rolled_back(&net).await?;
        let events = net.trace().events();
        let stake_received = count(
            &events,
            |k| matches!(k, TraceKind::PacketReceived { packet, .. } if packet == "stake"),
        );
        assert_eq!(stake_received, 0);
        assert_eq!(net.link_stats("juno").await?.timed_out, 1);
        net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
            .await?;
        net.settle(DAY).await?;
        assert_eq!(
            net.vault_account("alice").await?.max_lien,
            ValueRange::new_val(v(80_000_000))
        );
        Ok(())
    })
}

/// A packet delayed past its timeout is timed out and never received; `drop_next` too.
#[test]
fn late_and_dropped_packets_time_out_and_are_never_received() -> Result<(), Error> {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await?;
        net.bond("alice", 100_000_000).await?;
        net.set_delay("juno", Delay::Fixed(11 * 60 * 1000)).await?;
        net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
            .await?;
        net.settle(DAY).await?;
        assert_rolled_back(&net).await?;

        net.set_delay("juno", Delay::Fixed(5_000)).await?;
        net.drop_next("juno", 1).await?;
        net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
            .await?;
        net.settle(DAY).await?;
        assert_rolled_back(&net).await?;

        let events = net.trace().events();
        assert_eq!(
            count(
                &events,
                |k| matches!(k, TraceKind::PacketReceived { packet, .. } if packet == "stake")
            ),
            0
        );
        assert_eq!(
            count(
                &events,
                |k| matches!(k, TraceKind::TimeoutDelivered { packet, .. } if packet == "stake")
            ),
            2
        );
        assert_received_at_most_once(&events);
        Ok(())
    })
}

/// Two consumers with different block times keep their own heights; a chain halted for an hour
/// receives nothing in that hour (the stake times out and rolls back).
#[test]
fn block_times_differ_and_a_halted_chain_receives_nothing() -> Result<(), Error> {
    run_simulation(async {
        let mut s = spec(&["juno", "stars"]);
        s.consumers[1].chain.block_time_ms = 2_000;
        s.consumers[1].chain.denom = "ustars".into();
        let net = Testnet::start(&s).await?;
        net.wait(Duration::from_secs(600)).await;
        net.bond("alice", 100_000_000).await?;
        net.stake_remote("alice", "stars", "stars-val1", 10_000_000)
            .await?;
        net.settle(DAY).await?;
        let juno = net.block("juno").await?.height;
        let stars = net.block("stars").await?.height;
        assert!(
            stars > 2 * juno,
            "stars {stars} should be ~2.5× juno {juno}"
        );

        let halt_start = net.now_ms();
        net.halt("juno", Duration::from_secs(3600)).await?;
        // A transaction on the halted chain is refused until the halt ends.
        let refused = net.set_price("juno", "0.6".parse().unwrap()).await;
        assert_eq!(
            refused,
            Err(Error::Halted {
                chain: "juno".into(),
                until_ms: halt_start + 3_600_000
            })
        );
        net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
            .await?;
        net.settle(DAY).await?;
        let events = net.trace().events();
        let received_in_halt = events.iter().any(|e| {
            matches!(&e.kind, TraceKind::PacketReceived { to, .. } if to == "juno")
                && e.t_ms >= halt_start
                && e.t_ms < halt_start + 3_600_000
        });
        assert!(!received_in_halt);
        assert_eq!(
            net.vault_account("alice").await?.max_lien,
            ValueRange::new_val(v(10_000_000))
        );
        assert_received_at_most_once(&events);
        Ok(())
    })
}

fn traced_run(seed: u64) -> Result<String, Error> {
    run_simulation(async move {
        let mut s = spec(&["juno"]);
        s.seed = seed;
        s.consumers[0].link.delay = Delay::Range {
            min: 1_000,
            max: 30_000,
        };
        let net = Testnet::start(&s).await?;
        net.bond("alice", 100_000_000).await?;
        for _ in 0..3 {
            net.stake_remote("alice", "juno", "juno-val1", 10_000_000)
                .await?;
        }
        net.settle(DAY).await?;
        net.epoch("juno").await?;
        Ok(serde_json::to_string(&net.trace().events()).expect("events serialise"))
    })
}

/// The same run twice gives byte-identical traces.
#[test]
fn runs_are_deterministic() -> Result<(), Error> {
    let a = traced_run(11)?;
    let b = traced_run(11)?;
    assert_eq!(a, b);
    assert!(a.contains("packet_received"));
    Ok(())
}

/// Jailing a provider validator: the chain slashes the delegation by its downtime fraction
/// (10 %), then native staking's `jailing` hook reports what it took, and the vault cuts the
/// user's collateral and local lien by exactly that.
#[test]
fn provider_jailing_reports_the_chains_slash_to_the_vault() -> Result<(), Error> {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await?;
        net.bond("alice", 100_000_000).await?;
        net.stake_local("alice", "val1", 50_000_000).await?;
        net.jail("provider", "val1").await?;
        let account = net.vault_account("alice").await?;
        assert_eq!(account.bonded, v(95_000_000));
        assert_eq!(account.max_lien, ValueRange::new_val(v(45_000_000)));
        // Self-bond 1,000,000 and the proxy's 50,000,000, both cut by 10 %.
        assert_eq!(
            net.validator("provider", "val1").await?.tokens,
            v(45_900_000)
        );
        let local = net.local_stake("alice").await?;
        assert_eq!(local.delegations["val1"], v(45_000_000));
        // The user's proxy is a contract like any other, by its owner's name.
        let proxy: mesh_apis::native_staking_proxy::ConfigResponse = net
            .query(
                &ContractId::native_staking_proxy("alice"),
                &mesh_apis::native_staking_proxy::QueryMsg::Config {},
            )
            .await?;
        assert_eq!(proxy.owner, net.addr("provider", "alice").to_string());
        Ok(())
    })
}

/// Jailing a consumer validator reaches the provider as a validator-set update.
#[test]
fn consumer_jailing_reaches_the_provider() -> Result<(), Error> {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await?;
        net.jail("juno", "juno-val1").await?;
        net.settle(DAY).await?;
        let list: mesh_apis::external_staking::ListValidatorsResponse = net
            .query(
                &ContractId::external_staking("juno"),
                &mesh_apis::external_staking::QueryMsg::ListValidators {
                    start_after: None,
                    limit: None,
                },
            )
            .await?;
        assert_eq!(list.validators[0].state, ValidatorState::Jailed);
        net.report()
            .await?
            .expect("provider.external.juno.validators.juno-val1", "jailed")?;
        net.bond("alice", 100).await?;
        let err = net
            .stake_remote("alice", "juno", "juno-val1", 10)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            Error::Contract {
                contract: ContractId::Vault,
                message: "validator juno-val1 is not active".into()
            },
            "{err}"
        );
        Ok(())
    })
}

/// Receipts: the destination chain takes a packet once; a second delivery is refused, even when
/// a (misbehaving) relayer tries it.
#[test]
fn a_packet_is_never_received_twice() -> Result<(), Error> {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await?;
        net.bond("alice", 100_000_000).await?;
        net.outage("juno", Duration::from_secs(60)).await?;
        net.stake_remote("alice", "juno", "juno-val1", 10_000_000)
            .await?;
        // Play the misbehaving relayer on the chains themselves.
        let packet = net
            .with_chain("provider", |c, _| {
                c.ibc().commitments.values().next().cloned()
            })
            .await?
            .expect("the stake packet is committed");
        let p = packet.clone();
        let first = net
            .with_chain("juno", move |c, now| c.receive(now, &p, None))
            .await?;
        assert!(mesh_actors::actor::relayer::ack_error(&first.unwrap()).is_none());
        let second = net
            .with_chain("juno", move |c, now| c.receive(now, &packet, None))
            .await?;
        assert_eq!(second, Err(RecvRefused::AlreadyReceived));
        let requests = net.virtual_requests("juno").await?;
        assert_eq!(requests["juno-val1"].provider_amount, v(10_000_000));
        Ok(())
    })
}

/// A refused validator event changes nothing: tombstoning a tombstoned validator (or jailing
/// it) fails before native staking reports any slash to the vault.
#[test]
fn a_refused_validator_event_changes_nothing() -> Result<(), Error> {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await?;
        net.bond("alice", 100_000_000).await?;
        net.stake_local("alice", "val1", 50_000_000).await?;
        net.tombstone("provider", "val1", None).await?;
        let after_first = net.vault_account("alice").await?;
        assert_eq!(after_first.bonded, v(90_000_000));
        let err = net.tombstone("provider", "val1", None).await.unwrap_err();
        assert!(err.to_string().contains("it is tombstoned"), "{err}");
        let err = net.jail("provider", "val1").await.unwrap_err();
        assert!(matches!(&err, Error::Chain { chain, .. } if chain == "provider"));
        assert!(err.to_string().contains("it is tombstoned"), "{err}");
        assert_eq!(net.vault_account("alice").await?, after_first);
        Ok(())
    })
}

/// Names the testnet does not have are refused with the names it has.
#[test]
fn unknown_names_are_refused_with_the_known_ones() -> Result<(), Error> {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await?;
        assert_eq!(
            net.bond("alcie", 1).await,
            Err(Error::UnknownName {
                kind: "user",
                name: "alcie".into(),
                known: vec!["alice".into()]
            })
        );
        let err = net.stake_remote("alice", "osmo", "v", 1).await.unwrap_err();
        assert_eq!(err.to_string(), "unknown consumer \"osmo\" (known: juno)");
        let err = net
            .fail_next(&ContractId::converter("osmo"), 1)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::UnknownName {
                    kind: "contract",
                    ..
                }
            ),
            "{err}"
        );
        // A contract's message names accounts, not addresses.
        let err = net.unstake_local("alice", "val1", 1).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "native: alice has no native staking proxy (nothing staked locally)"
        );
        Ok(())
    })
}
