//! `handle_valset_update`: forwarded to the converter (slashes converted to provider units),
//! requests of slashed validators reduced per delegator.

use cosmwasm_std::{Decimal, Uint128};
use mesh_apis::ibc::{
    AddValidator, ConsumerPacket, ValidatorSlashInfo, VALSET_PACKET_TIMEOUT_SECS,
};

use super::suite::{Suite, CHANNEL};
use crate::msg::SudoMsg;

fn slash(validator: &str, amount: u128) -> ValidatorSlashInfo {
    ValidatorSlashInfo {
        validator: validator.to_string(),
        infraction_height: 12_345,
        infraction_time: 1_571_797_000,
        power: Uint128::new(45_000_000),
        slash_amount: Uint128::new(amount),
        slash_ratio: Decimal::percent(10),
        tombstoned: false,
        provider_amount: None,
    }
}

fn valset(slashed: Vec<ValidatorSlashInfo>) -> SudoMsg {
    SudoMsg::HandleValsetUpdate {
        additions: Some(vec![AddValidator {
            valoper: "val4".to_string(),
            start_height: 7,
            start_time: 8,
        }]),
        removals: None,
        updated: None,
        jailed: Some(vec!["val1".to_string()]),
        unjailed: None,
        tombstoned: None,
        slashed: Some(slashed),
    }
}

/// A slash of 3,600,000 consumer units on val1 is 7,999,999 provider units (inverse
/// conversion); the converter sends it in a `valset_update` (24 h timeout) and virtual staking
/// cuts every delegator by `floor(request × slash / total)`: alice 60,000,000 → 54,000,001,
/// bob 20,000,000 → 18,000,001. Unstakes larger than what is left are accepted up to the
/// slashed amount, and unbond everything left.
#[test]
fn slash_reduces_requests_and_is_forwarded() {
    let mut suite = Suite::new();
    suite.stake("alice", "val1", 60_000_000).unwrap();
    suite.stake("bob", "val1", 20_000_000).unwrap();
    suite.stake("alice", "val2", 10_000_000).unwrap();
    suite.epoch().unwrap();
    let before = suite.sent().len();

    suite
        .app
        .wasm_sudo(
            suite.virtual_staking.clone(),
            &valset(vec![slash("val1", 3_600_000)]),
        )
        .unwrap();

    assert_eq!(
        suite.requests(),
        vec![
            ("val1".to_string(), 72_000_001, 32_400_000),
            ("val2".to_string(), 10_000_000, 4_500_000)
        ]
    );
    // An unstake may exceed what is left by at most what the slash took (7,999,999).
    let err = suite.unstake("alice", "val1", 80_000_001).unwrap_err();
    assert!(err.to_string().contains("only 72000001 requested"), "{err}");
    suite.unstake("bob", "val1", 18_000_001).unwrap();
    // Alice's provider stake is 60,000,000 (the provider sent it before it learned of the
    // slash): everything left, 54,000,000, is unbonded.
    suite.unstake("alice", "val1", 60_000_000).unwrap();
    assert_eq!(
        suite.requests(),
        vec![("val2".to_string(), 10_000_000, 4_500_000)]
    );

    let sent = suite.sent();
    assert_eq!(sent.len(), before + 1);
    let block = suite.app.block_info();
    assert_eq!(sent[before].channel_id, CHANNEL);
    assert_eq!(
        sent[before].timeout,
        block.time.seconds() + VALSET_PACKET_TIMEOUT_SECS
    );
    assert_eq!(
        sent[before].packet,
        ConsumerPacket::ValsetUpdate {
            height: block.height,
            time: block.time.seconds(),
            additions: vec![AddValidator {
                valoper: "val4".to_string(),
                start_height: 7,
                start_time: 8,
            }],
            removals: vec![],
            updated: vec![],
            jailed: vec!["val1".to_string()],
            unjailed: vec![],
            tombstoned: vec![],
            slashed: vec![slash("val1", 7_999_999)],
        }
    );
}

/// A slash on a validator without requests reduces nothing but is still forwarded, as a slash
/// of 0 (what the requests lost); one larger than the requests (1,000 consumer units, 2,222
/// provider units, against 100) takes them all and goes out as 100, so the provider cuts no
/// more than the consumer did.
#[test]
fn slash_without_requests_is_only_forwarded() {
    let mut suite = Suite::new();
    suite.stake("alice", "val2", 100).unwrap();
    let before = suite.sent().len();
    suite
        .app
        .wasm_sudo(
            suite.virtual_staking.clone(),
            &valset(vec![slash("val1", 10), slash("val2", 1_000)]),
        )
        .unwrap();
    assert_eq!(suite.requests(), vec![]);
    let sent = suite.sent();
    assert_eq!(sent.len(), before + 1);
    let ConsumerPacket::ValsetUpdate { slashed, .. } = &sent[before].packet else {
        panic!("a valset_update packet");
    };
    assert_eq!(slashed, &vec![slash("val1", 0), slash("val2", 100)]);
}

/// A tombstoned validator gets nothing at the next epochs: its delegation is unbonded and the
/// max cap is shared by the others, while its requests stay (they mirror the provider's stakes,
/// which their owners unstake).
#[test]
fn tombstoned_validator_is_unbonded_at_the_next_epoch() {
    let mut suite = Suite::with(Decimal::one(), Decimal::zero(), 100);
    suite.stake("alice", "val1", 60).unwrap();
    suite.stake("alice", "val2", 60).unwrap();
    suite.epoch().unwrap();
    assert_eq!(
        suite.delegations(),
        vec![("val1".to_string(), 50), ("val2".to_string(), 50)]
    );

    let tombstone = SudoMsg::HandleValsetUpdate {
        additions: None,
        removals: None,
        updated: None,
        jailed: None,
        unjailed: None,
        tombstoned: Some(vec!["val1".to_string()]),
        slashed: None,
    };
    suite
        .app
        .wasm_sudo(suite.virtual_staking.clone(), &tombstone)
        .unwrap();
    suite.epoch().unwrap();
    assert_eq!(suite.delegations(), vec![("val2".to_string(), 60)]);
    assert_eq!(
        suite.requests(),
        vec![("val1".to_string(), 60, 60), ("val2".to_string(), 60, 60)]
    );
    // Unstaking from it lowers the request; nothing is left to unbond on the chain.
    suite.unstake("alice", "val1", 60).unwrap();
    suite.epoch().unwrap();
    assert_eq!(suite.requests(), vec![("val2".to_string(), 60, 60)]);
    assert_eq!(suite.delegations(), vec![("val2".to_string(), 60)]);
}
