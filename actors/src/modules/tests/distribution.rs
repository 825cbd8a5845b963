//! MeshDistribution: withdraw addresses, reward withdrawal, community pool, queries.

use cosmwasm_std::{
    coin, DecCoin, Decimal, Decimal256, DelegationRewardsResponse, DelegationTotalRewardsResponse,
    DelegatorValidatorsResponse, DelegatorWithdrawAddressResponse, DistributionMsg,
    DistributionQuery,
};
use cw_multi_test::Executor;

use super::*;
use crate::modules::{supply_ledger, MeshChainExt};

/// Rewards go to the withdraw address once set, are minted, and are recorded in the ledger.
#[test]
fn withdraw_to_withdraw_address() {
    let mut app = app_with_apr(Decimal::percent(10));
    app.add_validator("val1", None).unwrap();
    let alice = addr(&app, "alice");
    let treasury = addr(&app, "treasury");
    fund(&mut app, &alice, 1_000_000);
    delegate(&mut app, &alice, "val1", 1_000_000).unwrap();
    app.execute(
        alice.clone(),
        DistributionMsg::SetWithdrawAddress {
            address: treasury.to_string(),
        }
        .into(),
    )
    .unwrap();
    let response: DelegatorWithdrawAddressResponse = app
        .wrap()
        .query(
            &DistributionQuery::DelegatorWithdrawAddress {
                delegator_address: alice.to_string(),
            }
            .into(),
        )
        .unwrap();
    assert_eq!(response.withdraw_address, treasury);

    advance(&mut app, 86_400);
    let supply_before = supply(&app);
    app.execute(
        alice.clone(),
        DistributionMsg::WithdrawDelegatorReward {
            validator: "val1".to_string(),
        }
        .into(),
    )
    .unwrap();

    assert_eq!(balance(&app, &treasury), 273);
    assert_eq!(balance(&app, &alice), 0);
    assert_eq!(supply(&app), supply_before + 273);
    let ledger = app
        .read_module(|_, _, storage| supply_ledger(storage))
        .unwrap();
    assert_eq!(ledger.rewards_minted.u128(), 273);

    // Setting the delegator itself resets the withdraw address.
    app.execute(
        alice.clone(),
        DistributionMsg::SetWithdrawAddress {
            address: alice.to_string(),
        }
        .into(),
    )
    .unwrap();
    advance(&mut app, 86_400);
    app.execute(
        alice.clone(),
        DistributionMsg::WithdrawDelegatorReward {
            validator: "val1".to_string(),
        }
        .into(),
    )
    .unwrap();
    assert_eq!(balance(&app, &alice), 274);
}

/// Withdrawing from a validator one never delegated to fails; a bad withdraw address too.
#[test]
fn withdraw_errors() {
    let mut app = app();
    let alice = addr(&app, "alice");
    let err = app.execute(
        alice.clone(),
        DistributionMsg::WithdrawDelegatorReward {
            validator: "val1".to_string(),
        }
        .into(),
    );
    assert!(err_text(err).contains("no delegation from"));
    let err = app.execute(
        alice,
        DistributionMsg::SetWithdrawAddress {
            address: "not-an-address".to_string(),
        }
        .into(),
    );
    err.unwrap_err();
}

/// Funding the community pool moves tokens to the pool account; the supply is unchanged.
#[test]
fn fund_community_pool_moves_tokens() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 100);
    app.execute(
        alice.clone(),
        DistributionMsg::FundCommunityPool {
            amount: vec![coin(40, DENOM)],
        }
        .into(),
    )
    .unwrap();
    let pool = MeshDistribution::community_pool_address(app.api()).unwrap();
    assert_eq!(balance(&app, &alice), 60);
    assert_eq!(balance(&app, &pool), 40);
    assert_eq!(supply(&app), 100);
}

/// Reward queries report whole tokens per validator and in total.
#[test]
fn reward_queries() {
    let mut app = app_with_apr(Decimal::percent(10));
    app.add_validator("val1", None).unwrap();
    app.add_validator("val2", None).unwrap();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 2_000_000);
    delegate(&mut app, &alice, "val1", 1_000_000).unwrap();
    delegate(&mut app, &alice, "val2", 1_000_000).unwrap();
    advance(&mut app, 86_400);

    let one: DelegationRewardsResponse = app
        .wrap()
        .query(
            &DistributionQuery::DelegationRewards {
                delegator_address: alice.to_string(),
                validator_address: "val1".to_string(),
            }
            .into(),
        )
        .unwrap();
    let dec = |n: u128| DecCoin::new(Decimal256::from_atomics(n, 0).unwrap(), DENOM);
    assert_eq!(one.rewards, vec![dec(273)]);

    let total: DelegationTotalRewardsResponse = app
        .wrap()
        .query(
            &DistributionQuery::DelegationTotalRewards {
                delegator_address: alice.to_string(),
            }
            .into(),
        )
        .unwrap();
    assert_eq!(total.rewards.len(), 2);
    assert_eq!(total.rewards[1].validator_address, "val2");
    assert_eq!(total.total, vec![dec(546)]);

    let validators: DelegatorValidatorsResponse = app
        .wrap()
        .query(
            &DistributionQuery::DelegatorValidators {
                delegator_address: alice.to_string(),
            }
            .into(),
        )
        .unwrap();
    assert_eq!(validators.validators, vec!["val1", "val2"]);
}
