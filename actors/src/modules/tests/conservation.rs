//! Conservation: the bank supply changes by exactly the ledger's mints minus burns.

use cosmwasm_std::{coin, CosmosMsg, Decimal, DistributionMsg};
use cw_multi_test::Executor;
use mesh_apis::virtual_stake::{VirtualStakeCustomMsg, VirtualStakeMsg};

use super::*;
use crate::modules::{supply_ledger, MeshChainExt};

/// A mixed run (self-bonds, delegations, unbondings, a jail and a tombstone, mesh bonds and
/// unbonds, reward withdrawals): supply − initial supply == minted − burned at every step.
#[test]
fn supply_changes_equal_mints_minus_burns() {
    let mut app = app_with_apr(Decimal::percent(15));
    let alice = addr(&app, "alice");
    let contract = addr(&app, "virtual-staking");
    fund(&mut app, &alice, 50_000_000);
    let initial = supply(&app);
    let check = |app: &TestApp| {
        let ledger = app
            .read_module(|_, _, storage| supply_ledger(storage))
            .unwrap();
        assert_eq!(
            supply(app) as i128 - initial as i128,
            ledger.minted().u128() as i128 - ledger.burned().u128() as i128
        );
    };
    let operator = addr(&app, "operator");
    app.add_validator("val1", Some((operator.clone(), Uint128::new(10_000_000))))
        .unwrap();
    app.add_validator("val2", Some((operator.clone(), Uint128::new(7_000_000))))
        .unwrap();
    app.init_modules(|router, _, storage| {
        router
            .custom
            .set_max_cap(storage, &contract, coin(20_000_000, DENOM))
    })
    .unwrap();
    check(&app);

    let mesh = |msg: VirtualStakeMsg| -> CosmosMsg<VirtualStakeCustomMsg> {
        CosmosMsg::Custom(VirtualStakeCustomMsg::VirtualStake(msg))
    };
    delegate(&mut app, &alice, "val1", 20_000_000).unwrap();
    app.execute(
        contract.clone(),
        mesh(VirtualStakeMsg::Bond {
            amount: coin(12_345_000, DENOM),
            validator: "val1".to_string(),
        }),
    )
    .unwrap();
    advance(&mut app, 30 * 86_400);
    check(&app);

    undelegate(&mut app, &alice, "val1", 5_000_000).unwrap();
    app.jail_validator("val1", Decimal::percent(10)).unwrap();
    check(&app);
    app.execute(
        contract.clone(),
        mesh(VirtualStakeMsg::Unbond {
            amount: coin(5_000_000, DENOM),
            validator: "val1".to_string(),
        }),
    )
    .unwrap();
    app.execute(
        contract.clone(),
        DistributionMsg::WithdrawDelegatorReward {
            validator: "val1".to_string(),
        }
        .into(),
    )
    .unwrap();
    app.execute(
        alice.clone(),
        DistributionMsg::WithdrawDelegatorReward {
            validator: "val1".to_string(),
        }
        .into(),
    )
    .unwrap();
    check(&app);

    app.tombstone_validator("val2", Decimal::percent(20), None)
        .unwrap();
    advance(&mut app, UNBONDING_TIME);
    check(&app);

    let ledger = app
        .read_module(|_, _, storage| supply_ledger(storage))
        .unwrap();
    assert_eq!(ledger.genesis_minted.u128(), 17_000_000);
    assert_eq!(ledger.mesh_minted.u128(), 12_345_000);
    // val1 after the slash: 34,145,000 tokens for 37.345 shares; 5,000,000 tokens are
    // 5.468589837457900131 shares, which pay 4,999,999.
    assert_eq!(ledger.mesh_burned.u128(), 4_999_999);
    // val1: power 37 × 10 % = 3,700,000, of which 500,000 from alice's unbonding entry (created
    // after the infraction height); val2: power 7 × 20 % = 1,400,000.
    assert_eq!(ledger.slash_burned.u128(), 3_700_000 + 1_400_000);
    // 30 days at 15 %: alice 20,000,000 → 246,575.3, the contract 12,345,000 → 152,198.6.
    assert_eq!(ledger.rewards_minted.u128(), 246_575 + 152_198);
    // The unbonding matured after the slash: alice got 4,500,000 of her 5,000,000 back.
    assert_eq!(
        balance(&app, &alice),
        50_000_000 - 20_000_000 + 246_575 + 4_500_000
    );
    assert_eq!(balance(&app, &contract), 152_198);
}

/// A contract burning its own tokens (native staking's proxy after a slash elsewhere) lowers the
/// supply by exactly what the ledger's bank record adds to `burned`; other denoms are not tracked.
#[test]
fn contract_burns_are_recorded() {
    let mut app = app();
    let proxy = addr(&app, "proxy");
    fund(&mut app, &proxy, 1_000);
    app.sudo(
        BankSudo::Mint {
            to_address: proxy.to_string(),
            amount: vec![coin(50, "uother")],
        }
        .into(),
    )
    .unwrap();
    let before = supply(&app);
    for amount in [coin(300, DENOM), coin(50, "uother")] {
        app.execute(
            proxy.clone(),
            cosmwasm_std::BankMsg::Burn {
                amount: vec![amount],
            }
            .into(),
        )
        .unwrap();
    }
    let ledger = app
        .read_module(|_, _, storage| supply_ledger(storage))
        .unwrap();
    assert_eq!(supply(&app), before - 300);
    assert_eq!(ledger.bank_burned.u128(), 300);
    assert_eq!(ledger.contract_burned().u128(), 300);
    assert_eq!(ledger.burned().u128(), 300);
}
