//! `handle_epoch`: conversion at the current price, max-cap scaling, bond/unbond differences,
//! zero max cap.

use cosmwasm_std::{Coin, Decimal};
use mesh_apis::ibc::{ConsumerPacket, CONSUMER_PACKET_TIMEOUT_SECS};

use super::mesh_module::DENOM;
use super::suite::{Suite, REMOTE};

/// A stake is recorded in provider units and bonded at the next epoch at the current price:
/// 80,000,000 at price 0.5 and discount 0.1 → 36,000,000.
#[test]
fn stake_is_bonded_at_epoch_in_consumer_units() {
    let mut suite = Suite::new();
    suite.stake("alice", "val1", 80_000_000).unwrap();
    assert_eq!(
        suite.requests(),
        vec![("val1".to_string(), 80_000_000, 36_000_000)]
    );
    assert_eq!(suite.delegations(), vec![]);
    suite.epoch().unwrap();
    assert_eq!(suite.delegations(), vec![("val1".to_string(), 36_000_000)]);
    // A second epoch changes nothing.
    suite.epoch().unwrap();
    assert_eq!(suite.delegations(), vec![("val1".to_string(), 36_000_000)]);
}

/// The Decision of §4.2: bond 100 at price 0.5, the price moves to 0.8, the unstake of the full
/// 100 still succeeds (requests are in provider units), and the next epoch unbonds everything.
#[test]
fn unstake_succeeds_after_price_moves() {
    let mut suite = Suite::new();
    suite.stake("alice", "val1", 100).unwrap();
    suite.epoch().unwrap();
    assert_eq!(suite.delegations(), vec![("val1".to_string(), 45)]);

    suite.set_price(Decimal::percent(80));
    assert_eq!(suite.requests(), vec![("val1".to_string(), 100, 72)]);
    suite.epoch().unwrap();
    assert_eq!(suite.delegations(), vec![("val1".to_string(), 72)]);

    suite.unstake("alice", "val1", 100).unwrap();
    assert_eq!(suite.requests(), vec![]);
    suite.epoch().unwrap();
    assert_eq!(suite.delegations(), vec![]);
}

/// Requests above the max cap are scaled down proportionally, each floored: 10 and 40 under a
/// cap of 5 → 1 and 4. Raising the cap bonds the rest.
#[test]
fn requests_are_scaled_to_the_max_cap() {
    let mut suite = Suite::with(Decimal::one(), Decimal::zero(), 5);
    suite.stake("alice", "val1", 10).unwrap();
    suite.stake("alice", "val2", 40).unwrap();
    suite.epoch().unwrap();
    assert_eq!(
        suite.delegations(),
        vec![("val1".to_string(), 1), ("val2".to_string(), 4)]
    );
    suite.set_cap(100);
    suite.epoch().unwrap();
    assert_eq!(
        suite.delegations(),
        vec![("val1".to_string(), 10), ("val2".to_string(), 40)]
    );
}

/// Unbonds are issued before bonds, so moving stake between validators under a full cap works
/// (bonding val2 first would exceed the cap of 10).
#[test]
fn unbonds_come_before_bonds() {
    let mut suite = Suite::with(Decimal::one(), Decimal::zero(), 10);
    suite.stake("alice", "val2", 10).unwrap();
    suite.epoch().unwrap();
    suite.unstake("alice", "val2", 10).unwrap();
    suite.stake("alice", "val1", 10).unwrap();
    suite.epoch().unwrap();
    assert_eq!(suite.delegations(), vec![("val1".to_string(), 10)]);
}

/// When `all_delegations` may be truncated (max_retrieve 1), the missing validators are read
/// with `total_delegation`, so a second epoch does not bond them again.
#[test]
fn truncated_delegation_list_is_completed() {
    let mut suite = Suite::build(Decimal::one(), Decimal::zero(), 1_000, 1);
    suite.stake("alice", "val1", 10).unwrap();
    suite.stake("alice", "val2", 20).unwrap();
    suite.epoch().unwrap();
    suite.epoch().unwrap();
    assert_eq!(
        suite.delegations(),
        vec![("val1".to_string(), 10), ("val2".to_string(), 20)]
    );
}

/// A max cap of 0: the next epoch sends the converter `internal_unstake` for every
/// (delegator, validator) request — provider amount and its consumer value — drops the requests
/// and unbonds every delegation.
#[test]
fn zero_cap_unstakes_everything() {
    let mut suite = Suite::new();
    suite.stake("alice", "val1", 80_000_000).unwrap();
    suite.stake("bob", "val1", 20_000_000).unwrap();
    suite.stake("alice", "val2", 40_000_000).unwrap();
    suite.epoch().unwrap();
    assert_eq!(
        suite.delegations(),
        vec![
            ("val1".to_string(), 45_000_000),
            ("val2".to_string(), 18_000_000)
        ]
    );
    let before = suite.sent().len();

    suite.set_cap(0);
    suite.epoch().unwrap();
    assert_eq!(suite.delegations(), vec![]);
    assert_eq!(suite.requests(), vec![]);

    let now = suite.app.block_info().time.seconds();
    let sent = suite.sent()[before..].to_vec();
    let unstake = |delegator: &str, validator: &str, provider: u128, consumer: u128| {
        ConsumerPacket::InternalUnstake {
            delegator: delegator.to_string(),
            validator: validator.to_string(),
            normalize_amount: Coin::new(provider, REMOTE),
            inverted_amount: Coin::new(consumer, DENOM),
        }
    };
    assert_eq!(
        sent.iter().map(|s| s.packet.clone()).collect::<Vec<_>>(),
        vec![
            unstake("alice", "val1", 80_000_000, 36_000_000),
            unstake("bob", "val1", 20_000_000, 9_000_000),
            unstake("alice", "val2", 40_000_000, 18_000_000),
        ]
    );
    assert!(sent
        .iter()
        .all(|s| s.timeout == now + CONSUMER_PACKET_TIMEOUT_SECS));

    // Nothing left: the next epoch sends nothing.
    suite.epoch().unwrap();
    assert_eq!(suite.sent().len(), before + 3);
}

/// A bond the chain refuses (a validator it does not know) does not block the epoch: the other
/// bonds go through, the failure is recorded, and it is retried at the next epoch.
#[test]
fn refused_bond_does_not_block_the_epoch() {
    let mut suite = Suite::new();
    suite.stake("alice", "val1", 100).unwrap();
    suite
        .as_converter(&crate::msg::ExecuteMsg::Bond {
            delegator: "alice".to_string(),
            validator: "ghost".to_string(),
            amount: Coin::new(100u128, REMOTE),
        })
        .unwrap();
    let res = suite.epoch().unwrap();
    assert_eq!(suite.delegations(), vec![("val1".to_string(), 45)]);
    let failed: Vec<_> = res
        .events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .filter(|a| a.key == "action" && a.value == "bond_failed")
        .collect();
    assert_eq!(failed.len(), 1);
    let res = suite.epoch().unwrap();
    assert!(res
        .events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .any(|a| a.key == "bond_error"));
}
