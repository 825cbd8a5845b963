//! Rewards: withdrawn at each epoch and passed to the converter as one `distribute_rewards`
//! batch (exactly the withdrawn amounts, per validator), reported to the provider as
//! `distribute_batch`, paid out by `transfer_rewards`.

use cosmwasm_std::{Coin, Uint128};
use cw_multi_test::{BankSudo, SudoMsg as AppSudo};
use mesh_apis::ibc::{ConsumerPacket, ProviderPacket, RewardInfo, CONSUMER_PACKET_TIMEOUT_SECS};

use super::mesh_module::DENOM;
use super::suite::{Suite, YEAR};

/// Half a year at 10 % on 36,000,000 (val1) and 18,000,000 (val2), commission 0: 1,800,000
/// and 900,000, sent in one batch; tokens that reached virtual staking otherwise (500) are not
/// counted. The recipient of `transfer_rewards` is paid from the converter's balance.
#[test]
fn epoch_withdraws_and_reports_one_batch() {
    let mut suite = Suite::new();
    suite.stake("alice", "val1", 80_000_000).unwrap();
    suite.stake("alice", "val2", 40_000_000).unwrap();
    suite.epoch().unwrap();
    suite.advance(YEAR / 2);
    suite
        .app
        .sudo(AppSudo::Bank(BankSudo::Mint {
            to_address: suite.virtual_staking.to_string(),
            amount: vec![Coin::new(500u128, DENOM)],
        }))
        .unwrap();
    let before = suite.sent().len();

    suite.epoch().unwrap();

    assert_eq!(suite.balance(&suite.converter.clone()), 2_700_000);
    assert_eq!(suite.balance(&suite.virtual_staking.clone()), 500);
    let sent = suite.sent();
    assert_eq!(sent.len(), before + 1);
    let now = suite.app.block_info().time.seconds();
    assert_eq!(sent[before].timeout, now + CONSUMER_PACKET_TIMEOUT_SECS);
    assert_eq!(
        sent[before].packet,
        ConsumerPacket::DistributeBatch {
            rewards: vec![
                RewardInfo {
                    validator: "val1".to_string(),
                    reward: Uint128::new(1_800_000),
                },
                RewardInfo {
                    validator: "val2".to_string(),
                    reward: Uint128::new(900_000),
                },
            ],
            denom: DENOM.to_string(),
        }
    );

    let bob = suite.app.api().addr_make("bob");
    suite
        .receive(&ProviderPacket::TransferRewards {
            rewards: Coin::new(1_000_000u128, DENOM),
            recipient: bob.to_string(),
            tx_id: 3,
        })
        .unwrap();
    assert_eq!(suite.balance(&bob), 1_000_000);
    assert_eq!(suite.balance(&suite.converter.clone()), 1_700_000);

    // More than the converter holds: the receive fails.
    let err = suite
        .receive(&ProviderPacket::TransferRewards {
            rewards: Coin::new(1_700_001u128, DENOM),
            recipient: bob.to_string(),
            tx_id: 4,
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("not enough rewards: 1700000 ujuno held, 1700001 requested"),
        "{err}"
    );
}

/// With nothing accrued the withdrawals fail (the chain refuses to mint zero); that counts as
/// zero rewards, the epoch succeeds and no batch is sent.
#[test]
fn failed_withdrawal_counts_as_zero() {
    let mut suite = Suite::new();
    suite.stake("alice", "val1", 80_000_000).unwrap();
    suite.epoch().unwrap();
    let before = suite.sent().len();
    let res = suite.epoch().unwrap();
    assert_eq!(suite.sent().len(), before);
    assert!(res
        .events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .any(|a| a.key == "withdraw_error"));
    assert_eq!(suite.delegations(), vec![("val1".to_string(), 36_000_000)]);
}
