//! Authorization: converter-only paths of virtual staking, virtual-staking-only paths of the
//! converter, owner-only price updates; plus the unknown reply id.

use std::marker::PhantomData;

use cosmwasm_std::testing::{mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_std::{Binary, Coin, Decimal, OwnedDeps, Reply, SubMsgResult};
use cw_multi_test::Executor;
use mesh_apis::converter::ExecuteMsg as ConverterMsg;
use mesh_apis::price_feed::ExecuteMsg as PriceMsg;

use super::suite::{Suite, REMOTE};
use crate::contract::reply;
use crate::msg::{ExecuteMsg, VirtualStakeCustomQuery};

/// Every execute message of virtual staking is refused from anyone but the converter.
#[test]
fn virtual_staking_is_converter_only() {
    let mut suite = Suite::new();
    let intruder = suite.app.api().addr_make("intruder");
    let coin = Coin::new(1u128, REMOTE);
    let msgs = [
        ExecuteMsg::Bond {
            delegator: "alice".to_string(),
            validator: "val1".to_string(),
            amount: coin.clone(),
        },
        ExecuteMsg::Unbond {
            delegator: "alice".to_string(),
            validator: "val1".to_string(),
            amount: coin.clone(),
        },
        ExecuteMsg::Burn {
            validators: vec!["val1".to_string()],
            amount: coin.clone(),
        },
        ExecuteMsg::InternalUnbond {
            delegator: "alice".to_string(),
            validator: "val1".to_string(),
            amount: coin,
        },
        ExecuteMsg::HandleCloseChannel {},
    ];
    for msg in msgs {
        let err = suite
            .app
            .execute_contract(intruder.clone(), suite.virtual_staking.clone(), &msg, &[])
            .unwrap_err();
        assert!(
            err.to_string().contains(&format!(
                "unauthorized: only the converter {} may call this, not {intruder}",
                suite.converter
            )),
            "{err}"
        );
    }
    assert_eq!(suite.requests(), vec![]);
}

/// The converter's execute messages are refused from anyone but virtual staking.
#[test]
fn converter_is_virtual_staking_only() {
    let mut suite = Suite::new();
    let intruder = suite.app.api().addr_make("intruder");
    let msg = ConverterMsg::InternalUnstake {
        delegator: "alice".to_string(),
        validator: "val1".to_string(),
        amount: Coin::new(1u128, REMOTE),
    };
    let err = suite
        .app
        .execute_contract(intruder, suite.converter.clone(), &msg, &[])
        .unwrap_err();
    assert!(err.to_string().contains("only virtual staking"), "{err}");
    // Virtual staking itself may.
    let before = suite.sent().len();
    suite.converter_as_vs(&msg, &[]).unwrap();
    assert_eq!(suite.sent().len(), before + 1);
}

/// Only the price feed's owner may update the price.
#[test]
fn price_feed_is_owner_only() {
    let mut suite = Suite::new();
    let intruder = suite.app.api().addr_make("intruder");
    let err = suite
        .app
        .execute_contract(
            intruder,
            suite.price_feed.clone(),
            &PriceMsg::UpdatePrice {
                native_per_foreign: Decimal::one(),
            },
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("only the owner"), "{err}");
}

/// A reply with an id virtual staking never used is an error.
#[test]
fn unknown_reply_id_is_an_error() {
    let mut deps: OwnedDeps<
        MockStorage,
        MockApi,
        MockQuerier<VirtualStakeCustomQuery>,
        VirtualStakeCustomQuery,
    > = OwnedDeps {
        storage: MockStorage::default(),
        api: MockApi::default(),
        querier: MockQuerier::new(&[]),
        custom_query_type: PhantomData,
    };
    let err = reply(
        deps.as_mut(),
        mock_env(),
        Reply {
            id: 77,
            payload: Binary::default(),
            gas_used: 0,
            result: SubMsgResult::Err("x".to_string()),
        },
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "unknown reply id 77");
}

/// Virtual staking takes no funds, even from the converter.
#[test]
fn virtual_staking_refuses_funds() {
    let mut suite = Suite::new();
    suite
        .app
        .sudo(cw_multi_test::SudoMsg::Bank(
            cw_multi_test::BankSudo::Mint {
                to_address: suite.converter.to_string(),
                amount: vec![Coin::new(10u128, "ujuno")],
            },
        ))
        .unwrap();
    let err = suite
        .app
        .execute_contract(
            suite.converter.clone(),
            suite.virtual_staking.clone(),
            &ExecuteMsg::HandleCloseChannel {},
            &[Coin::new(10u128, "ujuno")],
        )
        .unwrap_err();
    assert!(err.to_string().contains("does no accept funds"), "{err}");
}
