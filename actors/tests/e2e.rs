//! End-to-end tests of the actor runtime: real contracts on cw-multi-test chains, IBC through
//! relayer actors, everything in virtual time.

use cosmwasm_std::{to_json_binary, Coin, Uint128};
use mesh_actors::actor::Delay;
use mesh_actors::testnet::{ConsumerSpec, Testnet, TopologySpec};
use mesh_actors::time::run_simulation;
use mesh_actors::trace::{TraceEvent, TraceKind};
use mesh_apis::external_staking::{self as ext, StakeResponse};
use mesh_apis::vault::{self, AccountDetailsResponse};
use mesh_apis::ValueRange;
use std::collections::BTreeSet;
use std::time::Duration;

const DAY: u64 = 86_400;

fn uosmo(amount: u128) -> Vec<Coin> {
    vec![Coin::new(amount, "uosmo")]
}

fn spec(consumers: &[&str]) -> TopologySpec {
    let mut spec = TopologySpec {
        seed: 7,
        ..Default::default()
    };
    spec.provider.accounts = vec![("alice".into(), uosmo(1_000_000_000))];
    for id in consumers {
        spec.consumers.push(ConsumerSpec::new(id));
    }
    spec
}

async fn bond(net: &Testnet, amount: u128) {
    net.exec("alice", "vault", &vault::ExecuteMsg::Bond {}, uosmo(amount))
        .await
        .unwrap();
}

async fn stake_remote(net: &Testnet, consumer: &str, amount: u128) -> Result<(), String> {
    let contract = net.contract(consumer)?.deployed.addr.to_string();
    let msg = vault::ExecuteMsg::StakeRemote {
        contract,
        amount: Coin::new(amount, "uosmo"),
        msg: to_json_binary(&mesh_apis::lienholder::StakeMsg {
            validator: format!("{consumer}-val1"),
        })
        .unwrap(),
    };
    net.exec("alice", "vault", &msg, vec![]).await.map(|_| ())
}

async fn details(net: &Testnet) -> AccountDetailsResponse {
    let account = net.addr(net.provider_id(), "alice").to_string();
    net.query("vault", &vault::QueryMsg::AccountDetails { account })
        .await
        .unwrap()
}

async fn ext_stake(net: &Testnet, consumer: &str) -> StakeResponse {
    let user = net.addr(net.provider_id(), "alice").to_string();
    let validator = format!("{consumer}-val1");
    net.query(consumer, &ext::QueryMsg::Stake { user, validator })
        .await
        .unwrap()
}

async fn virtual_delegation(net: &Testnet, consumer: &str) -> Uint128 {
    let vs = net
        .contract(&format!("{consumer}:virtual-staking"))
        .unwrap()
        .deployed
        .addr
        .clone();
    let validator = format!("{consumer}-val1");
    net.with_chain(consumer, move |c, _| {
        c.app_ref()
            .wrap()
            .query_delegation(vs, validator)
            .unwrap()
            .map(|d| Uint128::try_from(d.amount.amount).unwrap())
            .unwrap_or_default()
    })
    .await
    .unwrap()
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
fn cross_stake_reaches_the_consumer_and_commits_the_lien() {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await.unwrap();
        bond(&net, 100_000_000).await;
        stake_remote(&net, "juno", 80_000_000).await.unwrap();
        // In flight: free is a range.
        let d = details(&net).await;
        assert_eq!(d.free, ValueRange::new(v(20_000_000), v(100_000_000)));
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        let d = details(&net).await;
        assert_eq!(d.max_lien, ValueRange::new_val(v(80_000_000)));
        assert_eq!(d.free, ValueRange::new_val(v(20_000_000)));
        assert_eq!(
            ext_stake(&net, "juno").await.stake,
            ValueRange::new_val(v(80_000_000))
        );
        net.epoch("juno").await.unwrap();
        assert_eq!(virtual_delegation(&net, "juno").await, v(36_000_000));
        assert_received_at_most_once(&net.trace().events());
    });
}

/// Unstake → ack → 21 days → withdraw_unbonded frees the lien; a second earlier it frees nothing.
#[test]
fn unstake_frees_the_lien_only_after_the_unbonding_period() {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await.unwrap();
        bond(&net, 100_000_000).await;
        stake_remote(&net, "juno", 80_000_000).await.unwrap();
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        let unstake = ext::ExecuteMsg::Unstake {
            validator: "juno-val1".into(),
            amount: Coin::new(80_000_000u128, "uosmo"),
        };
        net.exec("alice", "juno", &unstake, vec![]).await.unwrap();
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        let stake = ext_stake(&net, "juno").await;
        assert_eq!(stake.stake, ValueRange::zero());
        assert_eq!(stake.pending_unbonds.len(), 1);
        let release_at = stake.pending_unbonds[0].release_at;
        let release_ms =
            (release_at.nanos() - mesh_actors::chain::GENESIS_TIME.nanos()) / 1_000_000;
        // The period runs from the ack, which came one relay delay after the unstake.
        assert!(release_ms >= net.now_ms() + 21 * DAY * 1000 - 60_000);

        net.wait(Duration::from_millis(release_ms - net.now_ms() - 1_000))
            .await;
        let withdraw = ext::ExecuteMsg::WithdrawUnbonded {};
        net.exec("alice", "juno", &withdraw, vec![]).await.unwrap();
        assert_eq!(
            details(&net).await.max_lien,
            ValueRange::new_val(v(80_000_000))
        );

        net.wait(Duration::from_millis(1_000)).await;
        net.exec("alice", "juno", &withdraw, vec![]).await.unwrap();
        let d = details(&net).await;
        assert_eq!(d.max_lien, ValueRange::zero());
        assert_eq!(d.free, ValueRange::new_val(v(100_000_000)));
    });
}

async fn assert_rolled_back(net: &Testnet) {
    let d = details(net).await;
    assert_eq!(d.max_lien, ValueRange::zero());
    assert_eq!(d.total_slashable, ValueRange::zero());
    assert_eq!(d.free, ValueRange::new_val(v(100_000_000)));
    assert_eq!(ext_stake(net, "juno").await.stake, ValueRange::zero());
    assert_eq!(net.pending_txs().await.unwrap(), 0);
}

/// An error ack (the converter fails its next receive) rolls back vault and external staking;
/// a later stake works.
#[test]
fn error_ack_rolls_back_completely() {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await.unwrap();
        bond(&net, 100_000_000).await;
        net.fail_next("juno:converter", 1).await.unwrap();
        stake_remote(&net, "juno", 80_000_000).await.unwrap();
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        assert_rolled_back(&net).await;
        let stats = net.link_stats("juno").await.unwrap();
        assert_eq!(stats.acked_error, 1);
        stake_remote(&net, "juno", 80_000_000).await.unwrap();
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        assert_eq!(
            details(&net).await.max_lien,
            ValueRange::new_val(v(80_000_000))
        );
    });
}

/// An outage longer than the packet timeout times the stake out: full rollback; a later stake works.
#[test]
fn timeout_after_an_outage_rolls_back_completely() {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await.unwrap();
        bond(&net, 100_000_000).await;
        net.outage("juno", Duration::from_secs(2 * 3600))
            .await
            .unwrap();
        stake_remote(&net, "juno", 80_000_000).await.unwrap();
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        assert_rolled_back(&net).await;
        let events = net.trace().events();
        let stake_received = count(
            &events,
            |k| matches!(k, TraceKind::PacketReceived { packet, .. } if packet == "stake"),
        );
        assert_eq!(stake_received, 0);
        assert_eq!(net.link_stats("juno").await.unwrap().timed_out, 1);
        stake_remote(&net, "juno", 80_000_000).await.unwrap();
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        assert_eq!(
            details(&net).await.max_lien,
            ValueRange::new_val(v(80_000_000))
        );
    });
}

/// A packet delayed past its timeout is timed out and never received; `drop_next` too.
#[test]
fn late_and_dropped_packets_time_out_and_are_never_received() {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await.unwrap();
        bond(&net, 100_000_000).await;
        net.set_delay("juno", Delay::Fixed(11 * 60 * 1000))
            .await
            .unwrap();
        stake_remote(&net, "juno", 80_000_000).await.unwrap();
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        assert_rolled_back(&net).await;

        net.set_delay("juno", Delay::Fixed(5_000)).await.unwrap();
        net.drop_next("juno", 1).await.unwrap();
        stake_remote(&net, "juno", 80_000_000).await.unwrap();
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        assert_rolled_back(&net).await;

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
    });
}

/// Two consumers with different block times keep their own heights; a chain halted for an hour
/// receives nothing in that hour (the stake times out and rolls back).
#[test]
fn block_times_differ_and_a_halted_chain_receives_nothing() {
    run_simulation(async {
        let mut s = spec(&["juno", "stars"]);
        s.consumers[1].chain.block_time_ms = 2_000;
        s.consumers[1].chain.denom = "ustars".into();
        let net = Testnet::start(&s).await.unwrap();
        net.wait(Duration::from_secs(600)).await;
        bond(&net, 100_000_000).await;
        stake_remote(&net, "stars", 10_000_000).await.unwrap();
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        let h = |id: &'static str| net.with_chain(id, move |c, now| c.block_at(now).height);
        let (juno, stars) = (h("juno").await.unwrap(), h("stars").await.unwrap());
        assert!(
            stars > 2 * juno,
            "stars {stars} should be ~2.5× juno {juno}"
        );

        let halt_start = net.now_ms();
        net.halt("juno", Duration::from_secs(3600)).await.unwrap();
        stake_remote(&net, "juno", 80_000_000).await.unwrap();
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        let events = net.trace().events();
        let received_in_halt = events.iter().any(|e| {
            matches!(&e.kind, TraceKind::PacketReceived { to, .. } if to == "juno")
                && e.t_ms >= halt_start
                && e.t_ms < halt_start + 3_600_000
        });
        assert!(!received_in_halt);
        let d = details(&net).await;
        assert_eq!(d.max_lien, ValueRange::new_val(v(10_000_000)));
        assert_received_at_most_once(&events);
    });
}

fn traced_run(seed: u64) -> String {
    run_simulation(async move {
        let mut s = spec(&["juno"]);
        s.seed = seed;
        s.consumers[0].link.delay = Delay::Range {
            min: 1_000,
            max: 30_000,
        };
        let net = Testnet::start(&s).await.unwrap();
        bond(&net, 100_000_000).await;
        for _ in 0..3 {
            stake_remote(&net, "juno", 10_000_000).await.unwrap();
        }
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        net.epoch("juno").await.unwrap();
        serde_json::to_string(&net.trace().events()).unwrap()
    })
}

/// The same run twice gives byte-identical traces.
#[test]
fn runs_are_deterministic() {
    let a = traced_run(11);
    let b = traced_run(11);
    assert_eq!(a, b);
    assert!(a.contains("packet_received"));
}

/// Jailing a provider validator calls native staking's `jailing` before the chain slashes: the
/// vault cuts the user's collateral and local lien by the offline ratio (10 %), and the chain
/// slashes the delegation by its downtime fraction (10 %).
#[test]
fn provider_jailing_reports_to_the_vault_before_the_chain_slashes() {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await.unwrap();
        bond(&net, 100_000_000).await;
        let stake = vault::ExecuteMsg::StakeLocal {
            amount: Coin::new(50_000_000u128, "uosmo"),
            msg: to_json_binary(&mesh_apis::lienholder::StakeMsg {
                validator: "val1".into(),
            })
            .unwrap(),
        };
        net.exec("alice", "vault", &stake, vec![]).await.unwrap();
        net.validator_event("provider", "val1", mesh_actors::chain::ValidatorEvent::Jail)
            .await
            .unwrap();
        let d = details(&net).await;
        assert_eq!(d.bonded, v(95_000_000));
        assert_eq!(d.max_lien, ValueRange::new_val(v(45_000_000)));
        let tokens = net
            .with_chain("provider", |c, _| {
                c.app_ref()
                    .read_module(|r, _, s| r.staking.validator_tokens(s, "val1"))
                    .unwrap()
            })
            .await
            .unwrap();
        // Self-bond 1,000,000 and the proxy's 50,000,000, both cut by 10 %.
        assert_eq!(tokens, v(45_900_000));
    });
}

/// Jailing a consumer validator reaches the provider as a validator-set update.
#[test]
fn consumer_jailing_reaches_the_provider() {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await.unwrap();
        net.validator_event(
            "juno",
            "juno-val1",
            mesh_actors::chain::ValidatorEvent::Jail,
        )
        .await
        .unwrap();
        net.settle(Duration::from_secs(DAY)).await.unwrap();
        let list: ext::ListValidatorsResponse = net
            .query(
                "juno",
                &ext::QueryMsg::ListValidators {
                    start_after: None,
                    limit: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(list.validators[0].state, ext::ValidatorState::Jailed);
        bond(&net, 100).await;
        let err = stake_remote(&net, "juno", 10).await;
        assert!(err.unwrap_err().contains("not active"));
    });
}

/// Receipts: the destination chain takes a packet once; a second delivery is refused, even when
/// a (misbehaving) relayer tries it.
#[test]
fn a_packet_is_never_received_twice() {
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await.unwrap();
        bond(&net, 100_000_000).await;
        net.outage("juno", Duration::from_secs(60)).await.unwrap();
        stake_remote(&net, "juno", 10_000_000).await.unwrap();
        let packet = net
            .with_chain("provider", |c, _| {
                c.ibc().commitments.values().next().cloned().unwrap()
            })
            .await
            .unwrap();
        let p = packet.clone();
        let first = net
            .with_chain("juno", move |c, now| c.receive(now, &p, None))
            .await
            .unwrap();
        assert!(mesh_actors::actor::relayer::ack_error(&first.unwrap()).is_none());
        let second = net
            .with_chain("juno", move |c, now| c.receive(now, &packet, None))
            .await
            .unwrap();
        assert_eq!(
            second,
            Err(mesh_actors::chain::RecvRefused::AlreadyReceived)
        );
        assert_eq!(virtual_requests_total(&net, "juno").await, v(10_000_000));
    });
}

async fn virtual_requests_total(net: &Testnet, consumer: &str) -> Uint128 {
    let r: mesh_apis::virtual_staking::RequestsResponse = net
        .query(
            &format!("{consumer}:virtual-staking"),
            &mesh_apis::virtual_staking::QueryMsg::Requests {
                start_after: None,
                limit: None,
            },
        )
        .await
        .unwrap();
    r.requests.iter().map(|r| r.provider_amount).sum()
}

/// A refused validator event changes nothing: tombstoning a tombstoned validator (or jailing
/// it) fails before native staking reports any slash to the vault.
#[test]
fn a_refused_validator_event_changes_nothing() {
    use mesh_actors::chain::ValidatorEvent;
    run_simulation(async {
        let net = Testnet::start(&spec(&["juno"])).await.unwrap();
        bond(&net, 100_000_000).await;
        let stake = vault::ExecuteMsg::StakeLocal {
            amount: Coin::new(50_000_000u128, "uosmo"),
            msg: to_json_binary(&mesh_apis::lienholder::StakeMsg {
                validator: "val1".into(),
            })
            .unwrap(),
        };
        net.exec("alice", "vault", &stake, vec![]).await.unwrap();
        net.validator_event(
            "provider",
            "val1",
            ValidatorEvent::Tombstone { power: None },
        )
        .await
        .unwrap();
        let after_first = details(&net).await;
        assert_eq!(after_first.bonded, v(90_000_000));
        let err = net
            .validator_event(
                "provider",
                "val1",
                ValidatorEvent::Tombstone { power: None },
            )
            .await
            .unwrap_err();
        assert!(err.contains("it is tombstoned"), "{err}");
        let err = net
            .validator_event("provider", "val1", ValidatorEvent::Jail)
            .await
            .unwrap_err();
        assert!(err.contains("it is tombstoned"), "{err}");
        assert_eq!(details(&net).await, after_first);
    });
}
