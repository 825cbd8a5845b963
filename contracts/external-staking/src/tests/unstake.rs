//! unstake, its ack / error ack / timeout, and withdraw_unbonded.

use cosmwasm_std::{coin, Timestamp};
use mesh_apis::external_staking::{ExecuteMsg, PendingUnbond};
use mesh_apis::ibc::ProviderPacket;
use mesh_apis::vault::ExecuteMsg as VaultExecuteMsg;
use mesh_apis::{Tx, ValueRange};

use super::setup::*;
use crate::error::ContractError;

fn withdraw(s: &mut Suite, user: &cosmwasm_std::Addr) -> cosmwasm_std::Response {
    s.exec(user, ExecuteMsg::WithdrawUnbonded {}).unwrap()
}

/// Unstaking more than the settled stake fails, with the numbers.
#[test]
fn unstake_more_than_bonded_fails() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let err = s.unstake(&alice, "val1", 101).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not enough stake on val1: 100 available, 101 requested"
    );
    let err = s.unstake(&alice, "val2", 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not enough stake on val2: 0 available, 1 requested"
    );
}

/// Only the settled stake (low) counts: a stake still in flight cannot be unstaked.
#[test]
fn unstake_counts_only_settled_stake() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    s.receive_stake(&alice, "val1", 50, 2).unwrap();
    let err = s.unstake(&alice, "val1", 101).unwrap_err();
    assert!(matches!(
        err,
        ContractError::NotEnoughStake { available, requested, .. } if available == u(100) && requested == u(101)
    ));
}

/// Unstaking the full amount succeeds: the packet carries an own tx id (2^63), the range
/// becomes (0, 100) and the tx is pending.
#[test]
fn unstake_full_amount_sends_packet() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let resp = s.unstake(&alice, "val1", 100).unwrap();
    assert_eq!(
        sent_packets_full(&resp.messages),
        vec![(
            CHANNEL.to_string(),
            ProviderPacket::Unstake {
                delegator: alice.to_string(),
                validator: "val1".to_string(),
                unstake: osmo(100),
                tx_id: OWN
            },
            s.expected_timeout()
        )]
    );
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(0), u(100)));
    let tx: Tx = s.query(mesh_apis::external_staking::QueryMsg::PendingTx { tx_id: OWN });
    assert_eq!(
        tx,
        Tx::InFlightRemoteUnstaking {
            id: OWN,
            amount: u(100),
            user: alice.clone(),
            validator: "val1".to_string()
        }
    );
    // The next own id follows.
    s.staked(&alice, "val1", 10, 2);
    let p = sent_packet(&s.unstake(&alice, "val1", 10).unwrap());
    assert!(matches!(p, ProviderPacket::Unstake { tx_id, .. } if tx_id == OWN + 1));
}

/// A success ack commits and schedules the unbond at ack time + unbonding period; no vault message.
#[test]
fn unstake_ack_commits_and_schedules_unbond() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let packet = sent_packet(&s.unstake(&alice, "val1", 60).unwrap());
    s.advance(30);
    let resp = s.ack_ok(&packet);
    assert!(resp.messages.is_empty());
    let st = s.stake(&alice, "val1");
    assert_eq!(st.stake, ValueRange::new_val(u(40)));
    assert_eq!(
        st.pending_unbonds,
        vec![PendingUnbond {
            amount: u(60),
            release_at: Timestamp::from_seconds(START + 30 + UNBONDING),
            consumer_height: None,
        }]
    );
    assert_eq!(attr(&resp.attributes, "unbonded").unwrap(), "60");
}

/// An error ack or a timeout restores the stake and schedules nothing.
#[test]
fn unstake_error_ack_and_timeout_roll_back() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let p1 = sent_packet(&s.unstake(&alice, "val1", 60).unwrap());
    let p2 = sent_packet(&s.unstake(&alice, "val1", 40).unwrap());
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(0), u(100)));
    let resp = s.ack_err(&p1);
    assert!(resp.messages.is_empty());
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(60), u(100)));
    s.timeout(&p2);
    let st = s.stake(&alice, "val1");
    assert_eq!(st.stake, ValueRange::new_val(u(100)));
    assert!(st.pending_unbonds.is_empty());
}

/// withdraw_unbonded one second before release_at releases nothing; at release_at exactly the amount.
#[test]
fn withdraw_unbonded_at_release_time_exactly() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    s.staked(&alice, "val2", 50, 2);
    let p1 = sent_packet(&s.unstake(&alice, "val1", 70).unwrap());
    let p2 = sent_packet(&s.unstake(&alice, "val2", 50).unwrap());
    s.ack_ok(&p1);
    s.ack_ok(&p2);
    s.advance(UNBONDING - 1);
    let resp = withdraw(&mut s, &alice);
    assert!(resp.messages.is_empty());
    assert_eq!(attr(&resp.attributes, "amount").unwrap(), "0");
    s.advance(1);
    let resp = withdraw(&mut s, &alice);
    assert_eq!(resp.messages.len(), 1);
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::ReleaseCrossStake {
            owner: alice.to_string(),
            amount: osmo(120)
        })
    );
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(30)));
    assert!(s.stake(&alice, "val1").pending_unbonds.is_empty());
    // Nothing left: a second withdrawal releases nothing.
    assert!(withdraw(&mut s, &alice).messages.is_empty());
}

/// Unbonds of an unbonded or tombstoned validator are released at once.
#[test]
fn unstake_from_unbonded_or_tombstoned_validator_releases_now() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    s.staked(&alice, "val2", 100, 2);
    s.recv(
        &Valset::at(110)
            .remove(&["val1"])
            .tombstone(&["val2"])
            .packet(),
    )
    .unwrap();
    let p1 = sent_packet(&s.unstake(&alice, "val1", 100).unwrap());
    let p2 = sent_packet(&s.unstake(&alice, "val2", 100).unwrap());
    s.ack_ok(&p1);
    s.ack_ok(&p2);
    let now = s.env.block.time;
    assert_eq!(s.stake(&alice, "val1").pending_unbonds[0].release_at, now);
    assert_eq!(s.stake(&alice, "val2").pending_unbonds[0].release_at, now);
    let resp = withdraw(&mut s, &alice);
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::ReleaseCrossStake {
            owner: alice.to_string(),
            amount: osmo(200)
        })
    );
}

/// Unstaking from a jailed validator is allowed (and waits the unbonding period).
#[test]
fn unstake_from_jailed_validator_is_allowed() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    s.recv(&Valset::at(110).jail(&["val1"]).packet()).unwrap();
    let p = sent_packet(&s.unstake(&alice, "val1", 100).unwrap());
    s.ack_ok(&p);
    assert_eq!(
        s.stake(&alice, "val1").pending_unbonds[0].release_at,
        Timestamp::from_seconds(START + UNBONDING)
    );
}

/// Wrong denom, zero, no channel and attached funds are refused.
#[test]
fn unstake_errors() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let err = s
        .exec(
            &alice,
            ExecuteMsg::Unstake {
                validator: "val1".to_string(),
                amount: coin(10, REWARDS),
            },
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "invalid denom: expected uosmo, got ujuno");
    let err = s.unstake(&alice, "val1", 0).unwrap_err();
    assert!(matches!(err, ContractError::ZeroAmount));
    let err = crate::contract::execute(
        s.deps.as_mut(),
        s.env.clone(),
        cosmwasm_std::testing::message_info(&alice, &[osmo(1)]),
        ExecuteMsg::WithdrawUnbonded {},
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "This message does no accept funds");
}
