//! The converter-only execute messages: bond, unbond, burn, internal_unbond,
//! handle_close_channel; and the queries.

use cosmwasm_std::{Coin, Decimal, Uint128};

use super::suite::{IbcEnvelope, Suite, CHANNEL, REMOTE};
use crate::msg::{ConfigResponse, ExecuteMsg, ValidatorRequest};
use mesh_apis::converter::{ConfigResponse as ConverterConfig, QueryMsg as ConverterQuery};

/// Instantiated by the converter, which it records, with the chain's bonded denom.
#[test]
fn config_names_the_converter() {
    let suite = Suite::new();
    assert_eq!(
        suite.config(),
        ConfigResponse {
            denom: "ujuno".to_string(),
            converter: suite.converter.to_string(),
            max_retrieve: 50,
        }
    );
}

/// `unbond` subtracts exactly; more than the validator's requested total is an error with the
/// numbers, which makes the whole `unstake` receive fail (nothing changes).
#[test]
fn unbond_more_than_requested_fails_the_receive() {
    let mut suite = Suite::new();
    suite.stake("alice", "val1", 100).unwrap();
    let err = suite.unstake("alice", "val1", 150).unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot unbond 150 for alice from val1: only 100 requested"),
        "{err}"
    );
    let err = suite.unstake("bob", "val1", 101).unwrap_err();
    assert!(err.to_string().contains("only 100 requested"), "{err}");
    assert_eq!(suite.requests(), vec![("val1".to_string(), 100, 45)]);

    suite.unstake("alice", "val1", 40).unwrap();
    assert_eq!(suite.requests(), vec![("val1".to_string(), 60, 27)]);
}

/// `burn` spreads over the validators by the proportion of their requests, and inside a
/// validator over its delegators the same way: 30 over val1 (100) and val2 (50) → 20 and 10;
/// inside val1 alice 60 → 48, bob 40 → 32.
#[test]
fn burn_is_proportional() {
    let mut suite = Suite::with(Decimal::one(), Decimal::zero(), 1_000);
    suite.stake("alice", "val1", 60).unwrap();
    suite.stake("bob", "val1", 40).unwrap();
    suite.stake("alice", "val2", 50).unwrap();
    suite.burn(&["val1", "val2"], 30).unwrap();
    assert_eq!(
        suite.requests(),
        vec![("val1".to_string(), 80, 80), ("val2".to_string(), 40, 40)]
    );
    let err = suite.unstake("alice", "val1", 81).unwrap_err();
    assert!(err.to_string().contains("only 80 requested"), "{err}");
    suite.unstake("bob", "val1", 32).unwrap();
    suite.unstake("alice", "val1", 48).unwrap();
    assert_eq!(suite.requests(), vec![("val2".to_string(), 40, 40)]);
}

/// The flooring remainder goes to the first validators with room: 2 over three requests of 1
/// takes val1 and val2.
#[test]
fn burn_remainder_goes_to_the_first() {
    let mut suite = Suite::with(Decimal::one(), Decimal::zero(), 1_000);
    for v in ["val1", "val2", "val3"] {
        suite.stake("alice", v, 1).unwrap();
    }
    suite.burn(&["val1", "val2", "val3"], 2).unwrap();
    assert_eq!(suite.requests(), vec![("val3".to_string(), 1, 1)]);
}

/// A burn larger than the requests saturates (reported as `unburned`); duplicate and unknown
/// validators are harmless.
#[test]
fn burn_saturates() {
    let mut suite = Suite::with(Decimal::one(), Decimal::zero(), 1_000);
    suite.stake("alice", "val1", 100).unwrap();
    let res = suite.burn(&["val1", "val1", "nobody"], 1_000).unwrap();
    assert_eq!(suite.requests(), vec![]);
    let attr = |key: &str| {
        res.events
            .iter()
            .flat_map(|e| e.attributes.iter())
            .find(|a| a.key == key)
            .map(|a| a.value.clone())
    };
    assert_eq!(attr("burned").as_deref(), Some("100"));
    assert_eq!(attr("unburned").as_deref(), Some("900"));
}

/// `internal_unbond` removes the request and undelegates its consumer value at once
/// (40,000,000 provider → 18,000,000 consumer); more than requested is an error.
#[test]
fn internal_unbond_undelegates_at_once() {
    let mut suite = Suite::new();
    suite.stake("alice", "val1", 80_000_000).unwrap();
    suite.epoch().unwrap();
    suite
        .as_converter(&ExecuteMsg::InternalUnbond {
            delegator: "alice".to_string(),
            validator: "val1".to_string(),
            amount: Coin::new(40_000_000u128, REMOTE),
        })
        .unwrap();
    assert_eq!(
        suite.requests(),
        vec![("val1".to_string(), 40_000_000, 18_000_000)]
    );
    assert_eq!(suite.delegations(), vec![("val1".to_string(), 18_000_000)]);
    let err = suite
        .as_converter(&ExecuteMsg::InternalUnbond {
            delegator: "alice".to_string(),
            validator: "val1".to_string(),
            amount: Coin::new(40_000_001u128, REMOTE),
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot unbond 40000001 for alice from val1: only 40000000 requested"),
        "{err}"
    );
}

/// Closing the channel (through the converter) drops every request and undelegates everything.
#[test]
fn channel_close_unbonds_everything() {
    let mut suite = Suite::new();
    suite.stake("alice", "val1", 80_000_000).unwrap();
    suite.stake("bob", "val2", 20_000_000).unwrap();
    suite.epoch().unwrap();
    assert_eq!(suite.delegations().len(), 2);
    let version = mesh_apis::ibc::ProtocolVersion::supported().to_channel_version();
    suite
        .app
        .wasm_sudo(
            suite.converter.clone(),
            &IbcEnvelope::Close {
                channel: cosmwasm_std::testing::mock_ibc_channel(
                    CHANNEL,
                    cosmwasm_std::IbcOrder::Unordered,
                    &version,
                ),
            },
        )
        .unwrap();
    assert_eq!(suite.requests(), vec![]);
    assert_eq!(suite.delegations(), vec![]);
    let config: ConverterConfig = suite
        .app
        .wrap()
        .query_wasm_smart(&suite.converter, &ConverterQuery::Config {})
        .unwrap();
    assert_eq!(config.channel_id, None);
}

/// `requests` pages by validator (start_after exclusive) and shows both units.
#[test]
fn requests_query_pages() {
    let mut suite = Suite::new();
    suite.stake("alice", "val1", 10).unwrap();
    suite.stake("alice", "val2", 20).unwrap();
    suite.stake("bob", "val3", 30).unwrap();
    let req = |v: &str, p: u128, c: u128| ValidatorRequest {
        validator: v.to_string(),
        provider_amount: Uint128::new(p),
        consumer_amount: Uint128::new(c),
    };
    assert_eq!(
        suite.requests_page(None, Some(2)),
        vec![req("val1", 10, 4), req("val2", 20, 9)]
    );
    assert_eq!(
        suite.requests_page(Some("val2"), None),
        vec![req("val3", 30, 13)]
    );
}
