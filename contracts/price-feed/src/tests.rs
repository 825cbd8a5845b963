//! Unit tests of the price feed.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
use cosmwasm_std::{from_json, Decimal};

use crate::contract::{execute, instantiate, query};
use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, PriceResponse, QueryMsg};

fn price(deps: cosmwasm_std::Deps) -> Decimal {
    let res: PriceResponse =
        from_json(query(deps, mock_env(), QueryMsg::Price {}).unwrap()).unwrap();
    res.native_per_foreign
}

/// The instantiator owns the feed when no owner is given; the price is queryable.
#[test]
fn instantiate_defaults_owner_to_sender() {
    let mut deps = mock_dependencies();
    let creator = deps.api.addr_make("creator");
    let msg = InstantiateMsg {
        native_per_foreign: Decimal::percent(50),
        owner: None,
    };
    instantiate(deps.as_mut(), mock_env(), message_info(&creator, &[]), msg).unwrap();
    assert_eq!(price(deps.as_ref()), Decimal::percent(50));

    // The creator may update.
    let msg = ExecuteMsg::UpdatePrice {
        native_per_foreign: Decimal::percent(80),
    };
    execute(deps.as_mut(), mock_env(), message_info(&creator, &[]), msg).unwrap();
    assert_eq!(price(deps.as_ref()), Decimal::percent(80));
}

/// An explicit owner may update the price; the instantiator then may not.
#[test]
fn explicit_owner_updates_and_others_are_refused() {
    let mut deps = mock_dependencies();
    let creator = deps.api.addr_make("creator");
    let oracle = deps.api.addr_make("oracle");
    let msg = InstantiateMsg {
        native_per_foreign: Decimal::percent(50),
        owner: Some(oracle.to_string()),
    };
    instantiate(deps.as_mut(), mock_env(), message_info(&creator, &[]), msg).unwrap();

    let update = ExecuteMsg::UpdatePrice {
        native_per_foreign: Decimal::percent(125),
    };
    let err = execute(
        deps.as_mut(),
        mock_env(),
        message_info(&creator, &[]),
        update.clone(),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::Unauthorized { .. }));
    assert_eq!(
        err.to_string(),
        format!("unauthorized: only the owner {oracle} may update the price, not {creator}")
    );
    assert_eq!(price(deps.as_ref()), Decimal::percent(50));

    execute(
        deps.as_mut(),
        mock_env(),
        message_info(&oracle, &[]),
        update,
    )
    .unwrap();
    assert_eq!(price(deps.as_ref()), Decimal::percent(125));
}

/// A zero price is refused at instantiation and on update.
#[test]
fn zero_price_is_refused() {
    let mut deps = mock_dependencies();
    let creator = deps.api.addr_make("creator");
    let err = instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&creator, &[]),
        InstantiateMsg {
            native_per_foreign: Decimal::zero(),
            owner: None,
        },
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::ZeroPrice { .. }));

    instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&creator, &[]),
        InstantiateMsg {
            native_per_foreign: Decimal::one(),
            owner: None,
        },
    )
    .unwrap();
    let err = execute(
        deps.as_mut(),
        mock_env(),
        message_info(&creator, &[]),
        ExecuteMsg::UpdatePrice {
            native_per_foreign: Decimal::zero(),
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("must be greater than zero"));
    assert_eq!(price(deps.as_ref()), Decimal::one());
}

/// An invalid owner address is refused.
#[test]
fn invalid_owner_is_refused() {
    let mut deps = mock_dependencies();
    let creator = deps.api.addr_make("creator");
    let err = instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&creator, &[]),
        InstantiateMsg {
            native_per_foreign: Decimal::one(),
            owner: Some("not an address".to_string()),
        },
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)));
}
