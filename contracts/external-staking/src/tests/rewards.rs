//! Rewards: points per stake (later stakers do not earn earlier rewards), withdraw_rewards with
//! the amount reserved while the transfer is in flight.

use cosmwasm_std::{coin, Addr};
use mesh_apis::external_staking::{
    AllPendingRewardsResponse, ExecuteMsg, PendingRewardsResponse, QueryMsg,
    ValidatorPendingRewards,
};
use mesh_apis::ibc::{ConsumerPacket, ProviderPacket, RewardInfo};
use mesh_apis::Tx;

use super::setup::*;
use crate::error::ContractError;
use cosmwasm_std::Uint128;

fn distribute(s: &mut Suite, rewards: &[(&str, u128)]) {
    s.recv(&ConsumerPacket::DistributeBatch {
        rewards: rewards
            .iter()
            .map(|(v, r)| RewardInfo {
                validator: v.to_string(),
                reward: u(*r),
            })
            .collect(),
        denom: REWARDS.to_string(),
    })
    .unwrap();
}

fn pending(s: &Suite, user: &Addr, validator: &str) -> u128 {
    let r: PendingRewardsResponse = s.query(QueryMsg::PendingRewards {
        user: user.to_string(),
        validator: validator.to_string(),
    });
    Uint128::try_from(r.rewards.amount).unwrap().u128()
}

fn withdraw(s: &mut Suite, user: &Addr, validator: &str) -> Result<ProviderPacket, ContractError> {
    s.exec(
        user,
        ExecuteMsg::WithdrawRewards {
            validator: validator.to_string(),
            remote_recipient: "juno1recipient".to_string(),
        },
    )
    .map(|r| sent_packet(&r))
}

/// A later staker earns nothing of earlier rewards; shares follow weights exactly.
#[test]
fn later_stakers_do_not_earn_earlier_rewards() {
    let mut s = Suite::connected();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.staked(&alice, "val1", 100, 1);
    distribute(&mut s, &[("val1", 50)]);
    s.staked(&bob, "val1", 300, 2);
    assert_eq!(pending(&s, &alice, "val1"), 50);
    assert_eq!(pending(&s, &bob, "val1"), 0);
    distribute(&mut s, &[("val1", 40)]);
    assert_eq!(pending(&s, &alice, "val1"), 60);
    assert_eq!(pending(&s, &bob, "val1"), 30);
}

/// A stake still in flight earns nothing; an unstaked amount stops earning at the ack.
#[test]
fn only_committed_stake_earns() {
    let mut s = Suite::connected();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.staked(&alice, "val1", 100, 1);
    let in_flight = sent_packet(&s.receive_stake(&bob, "val1", 100, 2).unwrap());
    distribute(&mut s, &[("val1", 30)]);
    assert_eq!(pending(&s, &alice, "val1"), 30);
    s.ack_ok(&in_flight);
    let un = sent_packet(&s.unstake(&alice, "val1", 100).unwrap());
    // Until the ack, alice still counts.
    distribute(&mut s, &[("val1", 20)]);
    assert_eq!(pending(&s, &alice, "val1"), 40);
    assert_eq!(pending(&s, &bob, "val1"), 10);
    s.ack_ok(&un);
    distribute(&mut s, &[("val1", 20)]);
    assert_eq!(pending(&s, &alice, "val1"), 40);
    assert_eq!(pending(&s, &bob, "val1"), 30);
}

/// withdraw_rewards sends transfer_rewards with the whole amount and reserves it: a second
/// withdrawal before the ack has nothing to pay; the ack makes it final.
#[test]
fn two_withdrawals_before_the_ack_do_not_pay_twice() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    distribute(&mut s, &[("val1", 70)]);
    let resp = s
        .exec(
            &alice,
            ExecuteMsg::WithdrawRewards {
                validator: "val1".to_string(),
                remote_recipient: "juno1recipient".to_string(),
            },
        )
        .unwrap();
    let packet = ProviderPacket::TransferRewards {
        rewards: coin(70, REWARDS),
        recipient: "juno1recipient".to_string(),
        tx_id: OWN,
    };
    assert_eq!(
        sent_packets_full(&resp.messages),
        vec![(CHANNEL.to_string(), packet.clone(), s.expected_timeout())]
    );
    let tx: Tx = s.query(QueryMsg::PendingTx { tx_id: OWN });
    assert_eq!(
        tx,
        Tx::InFlightTransferFunds {
            id: OWN,
            amount: coin(70, REWARDS),
            staker: alice.clone(),
            validator: "val1".to_string()
        }
    );
    assert_eq!(pending(&s, &alice, "val1"), 0);
    let err = withdraw(&mut s, &alice, "val1").unwrap_err();
    assert_eq!(err.to_string(), "no rewards to withdraw on val1");

    // New rewards meanwhile: only those can be withdrawn.
    distribute(&mut s, &[("val1", 5)]);
    let second = withdraw(&mut s, &alice, "val1").unwrap();
    assert!(
        matches!(&second, ProviderPacket::TransferRewards { rewards, .. } if rewards.amount == cosmwasm_std::Uint256::from(5u128))
    );

    let resp = s.ack_ok(&packet);
    assert!(resp.messages.is_empty());
    assert_eq!(attr(&resp.attributes, "amount").unwrap(), "70");
    let txs: mesh_apis::tx::AllTxsResponse = s.query(QueryMsg::AllPendingTxsDesc {
        start_after: None,
        limit: None,
    });
    assert_eq!(txs.txs.len(), 1);
    assert_eq!(txs.txs[0].tx_id(), OWN + 1);
    s.ack_ok(&second);
    assert_eq!(pending(&s, &alice, "val1"), 0);
    assert!(withdraw(&mut s, &alice, "val1").is_err());
}

/// An error ack releases the reservation: the rewards can be withdrawn again.
#[test]
fn error_ack_releases_the_reservation() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    distribute(&mut s, &[("val1", 70)]);
    let p = withdraw(&mut s, &alice, "val1").unwrap();
    assert_eq!(pending(&s, &alice, "val1"), 0);
    s.ack_err(&p);
    assert_eq!(pending(&s, &alice, "val1"), 70);
    let p2 = withdraw(&mut s, &alice, "val1").unwrap();
    s.timeout(&p2);
    assert_eq!(pending(&s, &alice, "val1"), 70);
}

/// Rewards stay withdrawable after a full unstake and withdraw_unbonded.
#[test]
fn rewards_survive_full_unstake() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    distribute(&mut s, &[("val1", 9)]);
    let un = sent_packet(&s.unstake(&alice, "val1", 100).unwrap());
    s.ack_ok(&un);
    s.advance(UNBONDING);
    s.exec(&alice, ExecuteMsg::WithdrawUnbonded {}).unwrap();
    assert_eq!(pending(&s, &alice, "val1"), 9);
    let p = withdraw(&mut s, &alice, "val1").unwrap();
    s.ack_ok(&p);
    assert_eq!(pending(&s, &alice, "val1"), 0);
}

/// all_pending_rewards lists every validator of the user, paginated.
#[test]
fn all_pending_rewards_lists_per_validator() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    s.staked(&alice, "val2", 100, 2);
    distribute(&mut s, &[("val1", 3), ("val2", 4)]);
    let r: AllPendingRewardsResponse = s.query(QueryMsg::AllPendingRewards {
        user: alice.to_string(),
        start_after: None,
        limit: None,
    });
    assert_eq!(
        r.rewards,
        vec![
            ValidatorPendingRewards {
                validator: "val1".to_string(),
                rewards: coin(3, REWARDS)
            },
            ValidatorPendingRewards {
                validator: "val2".to_string(),
                rewards: coin(4, REWARDS)
            }
        ]
    );
    let r: AllPendingRewardsResponse = s.query(QueryMsg::AllPendingRewards {
        user: alice.to_string(),
        start_after: Some("val1".to_string()),
        limit: Some(1),
    });
    assert_eq!(r.rewards.len(), 1);
    assert_eq!(r.rewards[0].validator, "val2");
}

/// No rewards, an empty recipient and a closed channel are refused.
#[test]
fn withdraw_rewards_errors() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    let err = withdraw(&mut s, &alice, "val1").unwrap_err();
    assert!(matches!(err, ContractError::NoRewards { .. }));
    s.staked(&alice, "val1", 100, 1);
    distribute(&mut s, &[("val1", 10)]);
    let err = s
        .exec(
            &alice,
            ExecuteMsg::WithdrawRewards {
                validator: "val1".to_string(),
                remote_recipient: " ".to_string(),
            },
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "remote recipient must not be empty");
    let close = cosmwasm_std::testing::mock_ibc_channel_close_confirm(
        CHANNEL,
        cosmwasm_std::IbcOrder::Unordered,
        &version(),
    );
    crate::ibc::ibc_channel_close(s.deps.as_mut(), s.env.clone(), close).unwrap();
    let err = withdraw(&mut s, &alice, "val1").unwrap_err();
    assert!(matches!(err, ContractError::ChannelClosed { .. }));
}
