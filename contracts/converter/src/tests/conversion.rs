//! Conversions with the numbers of docs/system.md ("The consumer's contracts and chain"), through the pure functions and the queries.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
use cosmwasm_std::{from_json, Decimal, Uint128};

use super::{setup, setup_with};
use crate::contract::{instantiate, query};
use crate::conversion::{to_consumer, to_provider};
use crate::error::ContractError;
use crate::msg::{ConversionResponse, InstantiateMsg, QueryMsg};

fn ask(s: &super::Setup, msg: QueryMsg) -> Uint128 {
    let res: ConversionResponse =
        from_json(query(s.deps.as_ref(), mock_env(), msg).unwrap()).unwrap();
    res.amount
}

/// 80,000,000 provider units at price 0.5 and discount 0.1 are 36,000,000 consumer units.
#[test]
fn provider_to_consumer_spec_numbers() {
    let half = Decimal::percent(50);
    let tenth = Decimal::percent(10);
    assert_eq!(
        to_consumer(Uint128::new(80_000_000), half, tenth).unwrap(),
        Uint128::new(36_000_000)
    );
    // Flooring after each step: 3 × 0.5 = 1.5 → 1; 1 × 0.9 = 0.9 → 0.
    assert_eq!(
        to_consumer(Uint128::new(3), half, tenth).unwrap(),
        Uint128::zero()
    );
    assert_eq!(
        to_consumer(Uint128::new(45), half, tenth).unwrap(),
        Uint128::new(19) // floor(22 × 0.9) = floor(19.8)
    );
}

/// The inverse uses the 18-decimal inverses and floors after each step, so 36,000,000 consumer
/// units come back as 79,999,999 (inv(0.9) = 1.111111111111111111 loses a unit).
#[test]
fn consumer_to_provider_loses_a_unit_to_rounding() {
    let half = Decimal::percent(50);
    let tenth = Decimal::percent(10);
    assert_eq!(
        to_provider(Uint128::new(36_000_000), half, tenth).unwrap(),
        Uint128::new(79_999_999)
    );
    // Without a discount the inverse is exact.
    assert_eq!(
        to_provider(Uint128::new(36_000_000), half, Decimal::zero()).unwrap(),
        Uint128::new(72_000_000)
    );
    assert!(matches!(
        to_provider(Uint128::new(1), Decimal::zero(), tenth).unwrap_err(),
        ContractError::ZeroPrice
    ));
}

/// Overflow is an error, not a panic.
#[test]
fn conversion_overflow_is_an_error() {
    let err = to_consumer(Uint128::MAX, Decimal::percent(200), Decimal::zero()).unwrap_err();
    assert!(matches!(err, ContractError::Std(_)));
}

/// The queries use the price feed's current price.
#[test]
fn conversion_queries_follow_the_price_feed() {
    let s = setup();
    let to_consumer = |s: &super::Setup, amount: u128| {
        ask(
            s,
            QueryMsg::ConvertToConsumer {
                amount: Uint128::new(amount),
            },
        )
    };
    assert_eq!(to_consumer(&s, 80_000_000), Uint128::new(36_000_000));
    assert_eq!(
        ask(
            &s,
            QueryMsg::ConvertToProvider {
                amount: Uint128::new(36_000_000)
            }
        ),
        Uint128::new(79_999_999)
    );
    s.price.set(Decimal::percent(80));
    assert_eq!(to_consumer(&s, 80_000_000), Uint128::new(57_600_000));
    assert_eq!(to_consumer(&s, 0), Uint128::zero());

    let identity = setup_with(Decimal::one(), Decimal::zero());
    assert_eq!(to_consumer(&identity, 40), Uint128::new(40));
}

/// A discount of 1 or more is refused at instantiation.
#[test]
fn discount_of_one_is_refused() {
    let mut deps = mock_dependencies();
    let creator = deps.api.addr_make("creator");
    let msg = InstantiateMsg {
        price_feed: deps.api.addr_make("feed").to_string(),
        discount: Decimal::one(),
        remote_denom: "uosmo".to_string(),
        virtual_staking_code_id: 1,
        admin: None,
        max_retrieve: 10,
    };
    let err = instantiate(deps.as_mut(), mock_env(), message_info(&creator, &[]), msg).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid discount 1: it must be less than 1"
    );
}
