//! Closing the channel: every stake becomes an immediate unbond; in-flight packets time out and
//! what they give back is released the same way.

use cosmwasm_std::testing::{mock_ibc_channel_close_confirm, mock_ibc_channel_close_init};
use cosmwasm_std::{IbcOrder, Timestamp};
use mesh_apis::external_staking::{ExecuteMsg, PendingUnbond};
use mesh_apis::vault::ExecuteMsg as VaultExecuteMsg;
use mesh_apis::ValueRange;

use super::setup::*;
use crate::error::ContractError;
use crate::ibc::ibc_channel_close;

/// Close: settled stakes are released now; an unstake that times out afterwards and a stake
/// that times out afterwards end settled at zero; withdraw_unbonded returns everything.
#[test]
fn close_turns_every_stake_into_an_immediate_unbond() {
    let mut s = Suite::connected();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.staked(&alice, "val1", 100, 1);
    s.staked(&alice, "val2", 100, 2);
    let unstake = sent_packet(&s.unstake(&alice, "val2", 40).unwrap());
    let stake = sent_packet(&s.receive_stake(&alice, "val3", 50, 3).unwrap());
    s.staked(&bob, "val1", 25, 4);
    s.advance(10);
    let now = Timestamp::from_seconds(START + 10);

    let close = mock_ibc_channel_close_confirm(CHANNEL, IbcOrder::Unordered, &version());
    let resp = ibc_channel_close(s.deps.as_mut(), s.env.clone(), close).unwrap();
    assert_eq!(attr(&resp.attributes, "unbonded").unwrap(), "185");

    let a1 = s.stake(&alice, "val1");
    assert_eq!(a1.stake, ValueRange::zero());
    assert_eq!(
        a1.pending_unbonds,
        vec![PendingUnbond {
            amount: u(100),
            release_at: now,
            consumer_height: None,
        }]
    );
    assert_eq!(s.range(&alice, "val2"), ValueRange::new(u(0), u(40)));
    assert_eq!(s.range(&alice, "val3"), ValueRange::new(u(0), u(50)));

    s.timeout(&unstake);
    let a2 = s.stake(&alice, "val2");
    assert_eq!(a2.stake, ValueRange::zero());
    assert_eq!(
        a2.pending_unbonds,
        vec![
            PendingUnbond {
                amount: u(60),
                release_at: now,
                consumer_height: None,
            },
            PendingUnbond {
                amount: u(40),
                release_at: now,
                consumer_height: None,
            }
        ]
    );
    let resp = s.timeout(&stake);
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::RollbackTx { tx_id: 3 })
    );
    assert_eq!(s.range(&alice, "val3"), ValueRange::zero());

    let resp = s.exec(&alice, ExecuteMsg::WithdrawUnbonded {}).unwrap();
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::ReleaseCrossStake {
            owner: alice.to_string(),
            amount: osmo(200)
        })
    );
    let resp = s.exec(&bob, ExecuteMsg::WithdrawUnbonded {}).unwrap();
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&VaultExecuteMsg::ReleaseCrossStake {
            owner: bob.to_string(),
            amount: osmo(25)
        })
    );
}

/// After the close nothing can be sent; unstaking finds no settled stake.
#[test]
fn nothing_is_sent_after_close() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let close = mock_ibc_channel_close_init(CHANNEL, IbcOrder::Unordered, &version());
    ibc_channel_close(s.deps.as_mut(), s.env.clone(), close).unwrap();
    let err = s.receive_stake(&alice, "val1", 10, 2).unwrap_err();
    assert_eq!(err.to_string(), "the IBC channel channel-0 is closed");
    let err = s.unstake(&alice, "val1", 10).unwrap_err();
    assert!(matches!(err, ContractError::NotEnoughStake { .. }));
}

/// Closing another channel is an error; closing before any channel changes nothing.
#[test]
fn close_of_other_channel() {
    let mut s = Suite::new();
    let close = mock_ibc_channel_close_confirm("channel-5", IbcOrder::Unordered, &version());
    let resp = ibc_channel_close(s.deps.as_mut(), s.env.clone(), close.clone()).unwrap();
    assert_eq!(
        attr(&resp.attributes, "ignored").unwrap(),
        "no channel connected"
    );
    s.handshake();
    let err = ibc_channel_close(s.deps.as_mut(), s.env.clone(), close).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown channel channel-5: expected channel-0"
    );
}
