//! Slashes reported by the consumer: proportional cuts, pending unbonds cut by the nominal
//! ratio, vault cross_slash, and only for validators active at the infraction height.

use cosmwasm_std::{Addr, Timestamp};
use mesh_apis::external_staking::{ExecuteMsg, PendingUnbond};
use mesh_apis::ibc::{ConsumerPacket, RewardInfo};
use mesh_apis::vault::{ExecuteMsg as VaultExecuteMsg, SlashInfo};
use mesh_apis::ValueRange;

use super::setup::*;
use cosmwasm_std::Uint128;

fn acked_unstake(s: &mut Suite, user: &Addr, validator: &str, amount: u128) {
    let p = sent_packet(&s.unstake(user, validator, amount).unwrap());
    s.ack_ok(&p);
}

fn sorted(mut v: Vec<SlashInfo>) -> Vec<SlashInfo> {
    v.sort_by(|a, b| a.user.cmp(&b.user));
    v
}

/// Stakes are cut by stake × slash / total, unreleased unbonds (whenever they started) by
/// the nominal ratio, and the vault gets one cross_slash with the per-user totals; the
/// validator's reward distribution follows the cut weights.
#[test]
fn slash_cuts_stakes_and_unbonds_and_calls_vault() {
    let mut s = Suite::connected();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.staked(&alice, "val1", 300, 1);
    s.staked(&bob, "val1", 150, 2);
    acked_unstake(&mut s, &bob, "val1", 50); // started at START, before the infraction: cut too
    s.advance(100);
    acked_unstake(&mut s, &bob, "val1", 20); // started at START + 100 = infraction time
    let resp = s
        .recv(
            &Valset::at(130)
                .jail(&["val1"])
                .slash("val1", 120, 38, "0.1")
                .packet(),
        )
        .unwrap();
    assert_eq!(resp.messages.len(), 1);
    let expected = sorted(vec![
        SlashInfo {
            user: alice.to_string(),
            slash: u(30),
        },
        SlashInfo {
            user: bob.to_string(),
            slash: u(15),
        },
    ]);
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::CrossSlash {
            slashes: expected,
            validator: "val1".to_string()
        })
    );
    assert_eq!(attr(&resp.attributes, "slashed").unwrap(), "val1");
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(270)));
    let b = s.stake(&bob, "val1");
    assert_eq!(b.stake, ValueRange::new_val(u(72)));
    assert_eq!(
        b.pending_unbonds,
        vec![
            PendingUnbond {
                amount: u(45),
                release_at: Timestamp::from_seconds(START + UNBONDING),
                consumer_height: None,
            },
            PendingUnbond {
                amount: u(18),
                release_at: Timestamp::from_seconds(START + 100 + UNBONDING),
                consumer_height: None,
            }
        ]
    );
    // Rewards now split 270 : 72.
    s.recv(&ConsumerPacket::DistributeBatch {
        rewards: vec![RewardInfo {
            validator: "val1".to_string(),
            reward: u(342),
        }],
        denom: REWARDS.to_string(),
    })
    .unwrap();
    let r: mesh_apis::external_staking::PendingRewardsResponse =
        s.query(mesh_apis::external_staking::QueryMsg::PendingRewards {
            user: bob.to_string(),
            validator: "val1".to_string(),
        });
    assert_eq!(Uint128::try_from(r.rewards.amount).unwrap().u128(), 72);
}

/// A slash for an infraction the history does not show active (jailed then, or an unknown
/// validator) waits: the unordered channel may still deliver an update that overtook it. It is
/// applied once such an update shows the validator active at the infraction height; a slash of
/// a validator tombstoned before the infraction is ignored.
#[test]
fn slash_waits_unless_active_at_infraction_height() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    s.recv(&Valset::at(110).jail(&["val1"]).packet()).unwrap();
    let resp = s
        .recv(
            &Valset::at(130)
                .slash("val1", 120, 10, "0.1")
                .slash("ghost", 120, 10, "0.1")
                .packet(),
        )
        .unwrap();
    assert!(resp.messages.is_empty());
    assert_eq!(
        attrs(&resp.attributes, "slash_pending"),
        vec!["val1", "ghost"]
    );
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(100)));
    // An infraction from before the jailing is slashed at once.
    let resp = s
        .recv(&Valset::at(131).slash("val1", 105, 10, "0.1").packet())
        .unwrap();
    let cross_slash = |s: &Suite, slash: u128| {
        s.to_vault(&VaultExecuteMsg::CrossSlash {
            slashes: vec![SlashInfo {
                user: alice.to_string(),
                slash: u(slash),
            }],
            validator: "val1".to_string(),
        })
    };
    assert_eq!(resp.messages[0].msg, cross_slash(&s, 10));
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(90)));
    // The unjailing at 115, overtaken by the slash, arrives: the slash at 120 applies now.
    let resp = s.recv(&Valset::at(115).unjail(&["val1"]).packet()).unwrap();
    assert_eq!(attrs(&resp.attributes, "slashed"), vec!["val1"]);
    assert_eq!(resp.messages[0].msg, cross_slash(&s, 10));
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(80)));
    // Tombstoned at 140: an infraction after that is ignored.
    s.recv(&Valset::at(140).tombstone(&["val1"]).packet())
        .unwrap();
    let resp = s
        .recv(&Valset::at(151).slash("val1", 150, 10, "0.1").packet())
        .unwrap();
    assert!(resp.messages.is_empty());
    assert_eq!(attrs(&resp.attributes, "slash_ignored"), vec!["val1"]);
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(80)));
}

/// A slash while a stake is in flight cuts the high end; the ack then only clamps.
#[test]
fn slash_during_in_flight_stake_then_ack() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let p = sent_packet(&s.receive_stake(&alice, "val1", 50, 2).unwrap());
    s.recv(
        &Valset::at(130)
            .tombstone(&["val1"])
            .slash("val1", 120, 15, "0.2")
            .packet(),
    )
    .unwrap();
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(85), u(135)));
    let resp = s.ack_ok(&p);
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::CommitTx { tx_id: 2 })
    );
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(135)));
}

/// A slash never cuts more than the settled stake (`low`): an amount in flight may never
/// arrive, and the vault cuts its lien by what is reported. The later unstake ack moves the rest.
#[test]
fn slash_is_capped_at_the_settled_stake() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let p = sent_packet(&s.unstake(&alice, "val1", 60).unwrap());
    let resp = s
        .recv(&Valset::at(130).slash("val1", 120, 500, "1").packet())
        .unwrap();
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::CrossSlash {
            slashes: vec![SlashInfo {
                user: alice.to_string(),
                slash: u(40)
            }],
            validator: "val1".to_string()
        })
    );
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(0), u(60)));
    let resp = s.ack_ok(&p);
    assert_eq!(attr(&resp.attributes, "unbonded").unwrap(), "60");
    let st = s.stake(&alice, "val1");
    assert_eq!(st.stake, ValueRange::zero());
    assert_eq!(
        st.pending_unbonds,
        vec![PendingUnbond {
            amount: u(60),
            release_at: Timestamp::from_seconds(START + UNBONDING),
            consumer_height: None,
        }]
    );
    // Nothing matured yet.
    let resp = s.exec(&alice, ExecuteMsg::WithdrawUnbonded {}).unwrap();
    assert!(resp.messages.is_empty());
}

/// The consumer slashed val1 (10 % of 100) before alice's full unstake reached it: it unbonded
/// only 90 and says so in the ack (applied at consumer height 140). alice pays the 10 at once;
/// the slash, arriving later, finds it prepaid and takes nothing from bob's new stake, and
/// alice's pending unbond (applied after the slash) is not cut again.
#[test]
fn shortfall_before_the_slash_is_credited_against_it() {
    let mut s = Suite::connected();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.staked(&alice, "val1", 100, 1);
    let p = sent_packet(&s.unstake(&alice, "val1", 100).unwrap());
    let resp = s.ack(&p, unstake_ack(Some(90), 140));
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::CrossSlash {
            slashes: vec![SlashInfo {
                user: alice.to_string(),
                slash: u(10)
            }],
            validator: "val1".to_string()
        })
    );
    s.staked(&bob, "val1", 50, 2);
    let resp = s
        .recv(
            &Valset::at(135)
                .jail(&["val1"])
                .slash("val1", 130, 10, "0.1")
                .packet(),
        )
        .unwrap();
    assert!(resp.messages.is_empty(), "nothing more to slash");
    let applied = resp
        .events
        .iter()
        .find(|e| e.ty == mesh_apis::external_staking::EVENT_SLASH_APPLIED)
        .unwrap();
    assert_eq!(attr(&applied.attributes, "amount").unwrap(), "0");
    assert_eq!(attr(&applied.attributes, "prepaid").unwrap(), "10");
    assert_eq!(s.range(&bob, "val1"), ValueRange::new_val(u(50)));
    assert_eq!(
        s.stake(&alice, "val1").pending_unbonds,
        vec![PendingUnbond {
            amount: u(90),
            release_at: Timestamp::from_seconds(START + UNBONDING),
            consumer_height: Some(140),
        }]
    );
}

/// A pending unbond whose unstake the consumer applied before the slash's update height is cut
/// by the ratio; one applied at or after it is not (the consumer's slash covered it).
#[test]
fn pending_unbonds_are_cut_only_when_applied_before_the_slash() {
    let mut s = Suite::connected();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    for (user, height, tx) in [(&alice, 120u64, 1u64), (&bob, 135, 2)] {
        s.staked(user, "val1", 100, tx);
        let p = sent_packet(&s.unstake(user, "val1", 100).unwrap());
        s.ack(&p, unstake_ack(None, height));
    }
    let resp = s
        .recv(
            &Valset::at(130)
                .jail(&["val1"])
                .slash("val1", 129, 0, "0.1")
                .packet(),
        )
        .unwrap();
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::CrossSlash {
            slashes: vec![SlashInfo {
                user: alice.to_string(),
                slash: u(10)
            }],
            validator: "val1".to_string()
        })
    );
    assert_eq!(s.stake(&alice, "val1").pending_unbonds[0].amount, u(90));
    assert_eq!(s.stake(&bob, "val1").pending_unbonds[0].amount, u(100));
}

/// A consumer slash of 95 crossed a burn of 10 on the same stake: the provider finds 90 settled,
/// sets the 5 beyond aside while the burn is in flight (no slash debt on bob's stake in flight),
/// and the burn's ack (the consumer had only 5 left to take) covers it: bob keeps 50.
#[test]
fn a_slash_crossing_a_burn_waits_for_the_burns_ack() {
    let mut s = Suite::connected();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.staked(&alice, "val1", 100, 1);
    let vault = s.vault.clone();
    let burned = s
        .exec(
            &vault,
            ExecuteMsg::BurnVirtualStake {
                owner: alice.to_string(),
                amount: osmo(10),
                validator: Some("val1".to_string()),
            },
        )
        .unwrap();
    let burn = sent_packet(&burned);
    let stake = sent_packet(&s.receive_stake(&bob, "val1", 50, 2).unwrap());
    let resp = s
        .recv(
            &Valset::at(130)
                .jail(&["val1"])
                .slash("val1", 120, 95, "0.1")
                .packet(),
        )
        .unwrap();
    assert_eq!(
        attr(&resp.attributes, "slash_crossed_burn").as_deref(),
        Some("val1:5")
    );
    assert_eq!(attr(&resp.attributes, "slash_owed"), None);
    let ack = mesh_apis::ibc::ack_success(&mesh_apis::ibc::BurnAck { burned: Some(u(5)) }).unwrap();
    let acked = s.ack(&burn, ack);
    assert_eq!(
        attr(&acked.attributes, "crossed_covered").as_deref(),
        Some("5")
    );
    s.ack_ok(&stake);
    assert_eq!(s.range(&bob, "val1"), ValueRange::new_val(u(50)));
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(0)));
}
