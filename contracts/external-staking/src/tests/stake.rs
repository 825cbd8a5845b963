//! receive_virtual_stake and its ack / error ack / timeout.

use cosmwasm_std::testing::mock_ibc_packet_ack;
use cosmwasm_std::{coin, to_json_binary, Binary, IbcAcknowledgement};
use mesh_apis::external_staking::{ExecuteMsg, QueryMsg};
use mesh_apis::ibc::ProviderPacket;
use mesh_apis::tx::AllTxsResponse;
use mesh_apis::vault::ExecuteMsg as VaultExecuteMsg;
use mesh_apis::{Tx, ValueRange};

use super::setup::*;
use crate::error::ContractError;
use crate::ibc::ibc_packet_ack;

fn pending_txs(s: &Suite) -> Vec<Tx> {
    let r: AllTxsResponse = s.query(QueryMsg::AllPendingTxsDesc {
        start_after: None,
        limit: None,
    });
    r.txs
}

/// The stake packet carries delegator, validator, amount and the vault's tx id; the range opens
/// to (0, 100) and the tx is pending under the vault's id.
#[test]
fn receive_virtual_stake_sends_stake_packet() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    let resp = s.receive_stake(&alice, "val1", 100, 5).unwrap();
    let sent = sent_packets_full(&resp.messages);
    assert_eq!(
        sent,
        vec![(
            CHANNEL.to_string(),
            ProviderPacket::Stake {
                delegator: alice.to_string(),
                validator: "val1".to_string(),
                stake: osmo(100),
                tx_id: 5
            },
            s.expected_timeout()
        )]
    );
    assert_eq!(attr(&resp.attributes, "tx_id").unwrap(), "5");
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(0), u(100)));
    let tx = Tx::InFlightRemoteStaking {
        id: 5,
        amount: u(100),
        user: alice.clone(),
        validator: "val1".to_string(),
    };
    assert_eq!(pending_txs(&s), vec![tx.clone()]);
    let one: Tx = s.query(QueryMsg::PendingTx { tx_id: 5 });
    assert_eq!(one, tx);
}

/// A success ack commits the stake and sends the vault commit_tx with the vault's id.
#[test]
fn stake_ack_commits_and_calls_vault_commit() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    let packet = sent_packet(&s.receive_stake(&alice, "val1", 100, 5).unwrap());
    let resp = s.ack_ok(&packet);
    assert_eq!(resp.messages.len(), 1);
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::CommitTx { tx_id: 5 })
    );
    assert_eq!(attr(&resp.attributes, "success").unwrap(), "true");
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(100)));
    assert!(pending_txs(&s).is_empty());
    assert!(matches!(
        s.query_err(QueryMsg::PendingTx { tx_id: 5 }),
        ContractError::UnknownTx { tx_id: 5 }
    ));
}

/// An error ack rolls the stake back and sends the vault rollback_tx with the vault's id.
#[test]
fn stake_error_ack_rolls_back_and_calls_vault_rollback() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 40, 4);
    let packet = sent_packet(&s.receive_stake(&alice, "val1", 100, 5).unwrap());
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(40), u(140)));
    let resp = s.ack_err(&packet);
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::RollbackTx { tx_id: 5 })
    );
    assert_eq!(attr(&resp.attributes, "error").unwrap(), "consumer refused");
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(40)));
    assert!(pending_txs(&s).is_empty());
}

/// A timeout rolls the stake back like an error ack; the emptied stake disappears.
#[test]
fn stake_timeout_rolls_back() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    let packet = sent_packet(&s.receive_stake(&alice, "val1", 100, 5).unwrap());
    let resp = s.timeout(&packet);
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::RollbackTx { tx_id: 5 })
    );
    assert_eq!(attr(&resp.attributes, "error").unwrap(), "timeout");
    assert_eq!(s.range(&alice, "val1"), ValueRange::zero());
    let stakes: mesh_apis::external_staking::StakesResponse = s.query(QueryMsg::Stakes {
        user: alice.to_string(),
        start_after: None,
        limit: None,
    });
    assert!(stakes.stakes.is_empty());
}

/// Two stakes in flight resolve independently: one committed, one rolled back.
#[test]
fn concurrent_stakes_resolve_independently() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    let p1 = sent_packet(&s.receive_stake(&alice, "val1", 100, 1).unwrap());
    let p2 = sent_packet(&s.receive_stake(&alice, "val1", 50, 2).unwrap());
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(0), u(150)));
    s.ack_err(&p2);
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(0), u(100)));
    s.ack_ok(&p1);
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(100)));
}

/// An unreadable ack counts as an error ack (rollback), and never fails.
#[test]
fn unreadable_ack_rolls_back() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    let packet = sent_packet(&s.receive_stake(&alice, "val1", 100, 5).unwrap());
    let msg = mock_ibc_packet_ack(
        CHANNEL,
        &packet,
        IbcAcknowledgement::new(Binary::from(b"\x01".as_slice())),
    )
    .unwrap();
    let resp = ibc_packet_ack(s.deps.as_mut(), s.env.clone(), msg).unwrap();
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::RollbackTx { tx_id: 5 })
    );
    assert_eq!(s.range(&alice, "val1"), ValueRange::zero());
}

/// An ack for a tx that is not pending (delivered twice, or garbage) changes nothing and does not fail.
#[test]
fn ack_of_unknown_tx_is_ignored() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    let packet = sent_packet(&s.receive_stake(&alice, "val1", 100, 5).unwrap());
    s.ack_ok(&packet);
    let resp = s.ack_ok(&packet);
    assert!(resp.messages.is_empty());
    assert_eq!(attr(&resp.attributes, "ignored").unwrap(), "unknown tx");
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(100)));
    // A packet we cannot decode.
    let msg = mock_ibc_packet_ack(
        CHANNEL,
        &serde_json::json!({"nonsense": 1}),
        IbcAcknowledgement::new(to_json_binary(&cosmwasm_std::StdAck::error("x")).unwrap()),
    )
    .unwrap();
    let resp = ibc_packet_ack(s.deps.as_mut(), s.env.clone(), msg).unwrap();
    assert!(resp.messages.is_empty());
}

/// Only the vault may call receive_virtual_stake.
#[test]
fn receive_virtual_stake_only_from_vault() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    let err = s
        .exec(
            &alice,
            ExecuteMsg::ReceiveVirtualStake {
                owner: alice.to_string(),
                amount: osmo(100),
                tx_id: 1,
                msg: to_json_binary(&mesh_apis::lienholder::StakeMsg {
                    validator: "val1".to_string(),
                })
                .unwrap(),
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "unauthorized: only the vault {} may call this, not {}",
            s.vault, alice
        )
    );
}

/// Without a connected channel nothing can be staked.
#[test]
fn receive_virtual_stake_needs_a_channel() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let err = s.receive_stake(&alice, "val1", 100, 1).unwrap_err();
    assert_eq!(err.to_string(), "no IBC channel connected yet");
    s.handshake();
    s.recv(&Valset::at(100).add(&["val1"]).packet()).unwrap();
    // Simulate a connected channel that was then closed: sending is refused.
    let close = cosmwasm_std::testing::mock_ibc_channel_close_init(
        CHANNEL,
        cosmwasm_std::IbcOrder::Unordered,
        &version(),
    );
    crate::ibc::ibc_channel_close(s.deps.as_mut(), s.env.clone(), close).unwrap();
    let err = s.receive_stake(&alice, "val1", 100, 1).unwrap_err();
    assert_eq!(err.to_string(), "the IBC channel channel-0 is closed");
}

/// Wrong denom, zero amount, a bad msg, a reused pending tx id and attached funds are refused.
#[test]
fn receive_virtual_stake_errors() {
    let mut s = Suite::connected();
    let (alice, vault) = (s.alice.clone(), s.vault.clone());
    let stake = |amount, tx_id, msg: Binary| ExecuteMsg::ReceiveVirtualStake {
        owner: alice.to_string(),
        amount,
        tx_id,
        msg,
    };
    let good_msg = to_json_binary(&mesh_apis::lienholder::StakeMsg {
        validator: "val1".to_string(),
    })
    .unwrap();
    let err = s
        .exec(&vault, stake(coin(100, REWARDS), 1, good_msg.clone()))
        .unwrap_err();
    assert_eq!(err.to_string(), "invalid denom: expected uosmo, got ujuno");
    let err = s
        .exec(&vault, stake(osmo(0), 1, good_msg.clone()))
        .unwrap_err();
    assert_eq!(err.to_string(), "amount must not be zero");
    let err = s
        .exec(&vault, stake(osmo(10), 1, Binary::from(b"{}".as_slice())))
        .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)));
    s.receive_stake(&alice, "val1", 10, 1).unwrap();
    let err = s
        .exec(&vault, stake(osmo(10), 1, good_msg.clone()))
        .unwrap_err();
    assert_eq!(err.to_string(), "tx id 1 is already pending");
    let err = crate::contract::execute(
        s.deps.as_mut(),
        s.env.clone(),
        cosmwasm_std::testing::message_info(&vault, &[osmo(1)]),
        stake(osmo(10), 2, good_msg),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::Payment(_)));
}
