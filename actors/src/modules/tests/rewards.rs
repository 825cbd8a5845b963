//! Deterministic APR rewards: independent of block frequency and of withdrawal frequency.

use cosmwasm_std::{
    coin, Addr, Decimal, DelegationResponse, DistributionMsg, StakingQuery, StdResult,
};
use cw_multi_test::Executor;

use super::*;
use crate::modules::{MeshChainExt, YEAR_SECONDS};

const DAY: u64 = 86_400;

fn rewards_app(apr_percent: u64) -> (TestApp, Addr) {
    let mut app = app_with_apr(Decimal::percent(apr_percent));
    app.add_validator("val1", None).unwrap();
    app.add_validator("val2", None).unwrap();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 10_000_000);
    (app, alice)
}

fn withdraw(app: &mut TestApp, who: &Addr, validator: &str) -> StdResult<AppResponse> {
    app.execute(
        who.clone(),
        DistributionMsg::WithdrawDelegatorReward {
            validator: validator.to_string(),
        }
        .into(),
    )
}

fn pending(app: &TestApp, who: &Addr, validator: &str) -> u128 {
    let now = app.block_info().time;
    app.read_module(|router, _, storage| {
        router.staking.pending_rewards(storage, now, who, validator)
    })
    .unwrap()
    .u128()
}

/// floor(amount × apr × seconds / year), the closed form every run must match.
fn expected(amount: u128, apr_percent: u128, seconds: u128) -> u128 {
    amount * apr_percent * seconds / (100 * u128::from(YEAR_SECONDS))
}

/// One day of 5-second blocks with hourly withdrawals pays exactly what one day-long block with a
/// single withdrawal pays, including a delegation change half-way.
#[test]
fn rewards_do_not_depend_on_block_or_withdrawal_frequency() {
    let (mut fast, alice) = rewards_app(10);
    let (mut slow, _) = rewards_app(10);
    delegate(&mut fast, &alice, "val1", 1_000_000).unwrap();
    delegate(&mut slow, &alice, "val1", 1_000_000).unwrap();

    // Fast chain: 5 s blocks, withdraw every hour, delegate 333_333 more after 12 h.
    for block in 1..=(DAY / 5) {
        advance(&mut fast, 5);
        if block * 5 == DAY / 2 {
            delegate(&mut fast, &alice, "val1", 333_333).unwrap();
        }
        if block % 720 == 0 {
            withdraw(&mut fast, &alice, "val1").unwrap();
        }
    }
    // Slow chain: two blocks, one withdrawal at the end.
    advance(&mut slow, DAY / 2);
    delegate(&mut slow, &alice, "val1", 333_333).unwrap();
    advance(&mut slow, DAY / 2);
    withdraw(&mut slow, &alice, "val1").unwrap();

    let total =
        expected(1_000_000, 10, u128::from(DAY)) + expected(333_333, 10, u128::from(DAY / 2)) + 1; // the two fractions (0.97 + 0.66) add up to one more whole token
    assert_eq!(total, 273 + 45 + 1);
    let minted = |app: &TestApp| {
        app.read_module(|router, _, storage| router.distribution.total_rewards_minted(storage))
            .unwrap()
            .u128()
    };
    assert_eq!(minted(&fast), total);
    assert_eq!(minted(&slow), total);
    assert_eq!(balance(&fast, &alice), balance(&slow, &alice));
    assert_eq!(balance(&slow, &alice), 10_000_000 - 1_333_333 + total);
}

/// A validator earns nothing while jailed; earning resumes after unjail.
#[test]
fn jailed_validator_earns_nothing() {
    let (mut app, alice) = rewards_app(10);
    delegate(&mut app, &alice, "val1", 1_000_000).unwrap();

    advance(&mut app, DAY);
    app.jail_validator("val1", Decimal::zero()).unwrap();
    assert_eq!(pending(&app, &alice, "val1"), 273);
    advance(&mut app, 10 * DAY);
    assert_eq!(pending(&app, &alice, "val1"), 273);
    app.unjail_validator("val1").unwrap();
    advance(&mut app, DAY);

    assert_eq!(
        pending(&app, &alice, "val1"),
        expected(1_000_000, 10, u128::from(2 * DAY))
    );
    assert_eq!(pending(&app, &alice, "val1"), 547);
}

/// Rewards accrue on the slashed amount after a slash; the delegation query reports them.
#[test]
fn rewards_follow_slashes_and_show_in_delegation_query() {
    let (mut app, alice) = rewards_app(20);
    delegate(&mut app, &alice, "val1", 1_000_000).unwrap();
    advance(&mut app, DAY);
    app.slash_validator("val1", Decimal::percent(50)).unwrap();
    advance(&mut app, DAY);

    // 1_000_000 × 0.2 / 365 = 547.9 for day one, 500_000 × 0.2 / 365 = 273.9 for day two.
    assert_eq!(pending(&app, &alice, "val1"), 821);
    let response: DelegationResponse = app
        .wrap()
        .query(
            &StakingQuery::Delegation {
                delegator: alice.to_string(),
                validator: "val1".to_string(),
            }
            .into(),
        )
        .unwrap();
    let full = response.delegation.unwrap();
    assert_eq!(full.amount, coin(500_000, DENOM));
    assert_eq!(full.accumulated_rewards, vec![coin(821, DENOM)]);
}

/// Rewards left after undelegating everything can still be withdrawn, once.
#[test]
fn rewards_survive_full_undelegation() {
    let (mut app, alice) = rewards_app(10);
    delegate(&mut app, &alice, "val2", 1_000_000).unwrap();
    advance(&mut app, DAY);
    undelegate(&mut app, &alice, "val2", 1_000_000).unwrap();
    advance(&mut app, DAY);

    assert_eq!(pending(&app, &alice, "val2"), 273);
    let before = balance(&app, &alice);
    withdraw(&mut app, &alice, "val2").unwrap();
    assert_eq!(balance(&app, &alice), before + 273);
    let err = withdraw(&mut app, &alice, "val2");
    assert!(err_text(err).contains("no delegation from"));
}
