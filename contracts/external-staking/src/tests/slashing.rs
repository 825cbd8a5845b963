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
                release_at: Timestamp::from_seconds(START + UNBONDING)
            },
            PendingUnbond {
                amount: u(18),
                release_at: Timestamp::from_seconds(START + 100 + UNBONDING)
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
            release_at: Timestamp::from_seconds(START + UNBONDING)
        }]
    );
    // Nothing matured yet.
    let resp = s.exec(&alice, ExecuteMsg::WithdrawUnbonded {}).unwrap();
    assert!(resp.messages.is_empty());
}
