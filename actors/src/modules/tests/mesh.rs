//! MeshModule: max cap, bond (mint + real delegation), unbond (instant + burn), queries,
//! and the contract's share of a chain slash.

use cosmwasm_std::{coin, Addr, Coin, CosmosMsg, Decimal, DelegationResponse, StakingQuery};
use cw_multi_test::Executor;
use mesh_apis::virtual_stake::{
    AllDelegationsResponse, BondStatusResponse, Delegation, TotalDelegationResponse,
    VirtualStakeCustomMsg, VirtualStakeCustomQuery, VirtualStakeMsg, VirtualStakeQuery,
};

use super::*;
use crate::modules::{supply_ledger, MeshChainExt};

fn msg(msg: VirtualStakeMsg) -> CosmosMsg<VirtualStakeCustomMsg> {
    CosmosMsg::Custom(VirtualStakeCustomMsg::VirtualStake(msg))
}

fn bond(
    app: &mut TestApp,
    contract: &Addr,
    validator: &str,
    amount: u128,
) -> StdResult<AppResponse> {
    app.execute(
        contract.clone(),
        msg(VirtualStakeMsg::Bond {
            amount: coin(amount, DENOM),
            validator: validator.to_string(),
        }),
    )
}

fn unbond(
    app: &mut TestApp,
    contract: &Addr,
    validator: &str,
    amount: u128,
) -> StdResult<AppResponse> {
    app.execute(
        contract.clone(),
        msg(VirtualStakeMsg::Unbond {
            amount: coin(amount, DENOM),
            validator: validator.to_string(),
        }),
    )
}

fn set_cap(app: &mut TestApp, contract: &Addr, cap: u128) {
    app.init_modules(|router, _, storage| {
        router
            .custom
            .set_max_cap(storage, contract, coin(cap, DENOM))
    })
    .unwrap();
}

fn query<T: serde::de::DeserializeOwned>(app: &TestApp, query: VirtualStakeQuery) -> T {
    app.wrap()
        .query(&cosmwasm_std::QueryRequest::Custom(
            VirtualStakeCustomQuery::VirtualStake(query),
        ))
        .unwrap()
}

fn bond_status(app: &TestApp, contract: &Addr) -> BondStatusResponse {
    query(
        app,
        VirtualStakeQuery::BondStatus {
            contract: contract.to_string(),
        },
    )
}

/// Without a max cap entry a contract may not use any mesh message.
#[test]
fn contract_without_cap_is_refused() {
    let mut app = app();
    let contract = addr(&app, "virtual-staking");
    let text = err_text(bond(&mut app, &contract, "val1", 10));
    assert!(text.contains("has no max cap: not allowed to use the mesh module"));
    assert!(err_text(unbond(&mut app, &contract, "val1", 10)).contains("has no max cap"));
    let err = app.execute(
        contract.clone(),
        msg(VirtualStakeMsg::DeleteAllScheduledTasks {}),
    );
    assert!(err_text(err).contains("has no max cap"));

    let status = bond_status(&app, &contract);
    assert_eq!(status.cap, coin(0, DENOM));
    assert_eq!(status.delegated, coin(0, DENOM));
}

/// A zero cap counts as an entry: the contract may send messages but cannot bond anything.
#[test]
fn zero_cap_allows_messages_but_no_bond() {
    let mut app = app();
    let contract = addr(&app, "virtual-staking");
    set_cap(&mut app, &contract, 0);

    app.execute(
        contract.clone(),
        msg(VirtualStakeMsg::DeleteAllScheduledTasks {}),
    )
    .unwrap();
    unbond(&mut app, &contract, "val1", 10).unwrap();
    assert!(err_text(bond(&mut app, &contract, "val1", 1))
        .contains("max cap exceeded: 0 delegated + 1 requested > 0 cap"));
}

/// Bond above the cap fails with numbers and mints nothing.
#[test]
fn bond_above_cap_fails() {
    let mut app = app();
    let contract = addr(&app, "virtual-staking");
    set_cap(&mut app, &contract, 1_000);
    bond(&mut app, &contract, "val1", 900).unwrap();

    let text = err_text(bond(&mut app, &contract, "val2", 101));
    assert!(text.contains("max cap exceeded: 900 delegated + 101 requested > 1000 cap"));
    assert_eq!(supply(&app), 900);
    bond(&mut app, &contract, "val2", 100).unwrap();
    assert_eq!(supply(&app), 1_000);
}

/// Bond mints and makes a real delegation from the contract, visible in staking queries and
/// in the mesh queries.
#[test]
fn bond_creates_a_real_delegation() {
    let mut app = app();
    let contract = addr(&app, "virtual-staking");
    set_cap(&mut app, &contract, 1_000);

    bond(&mut app, &contract, "val1", 300).unwrap();
    bond(&mut app, &contract, "val2", 200).unwrap();

    assert_eq!(balance(&app, &contract), 0);
    assert_eq!(module_balance(&app), 500);
    assert_eq!(supply(&app), 500);
    assert_eq!(tokens(&app, "val1"), 300);
    let response: DelegationResponse = app
        .wrap()
        .query(
            &StakingQuery::Delegation {
                delegator: contract.to_string(),
                validator: "val1".to_string(),
            }
            .into(),
        )
        .unwrap();
    assert_eq!(response.delegation.unwrap().amount, coin(300, DENOM));

    let status = bond_status(&app, &contract);
    assert_eq!(status.cap, coin(1_000, DENOM));
    assert_eq!(status.delegated, coin(500, DENOM));
    let total: TotalDelegationResponse = query(
        &app,
        VirtualStakeQuery::TotalDelegation {
            contract: contract.to_string(),
            validator: "val2".to_string(),
        },
    );
    assert_eq!(total.delegation, coin(200, DENOM));
    let all: AllDelegationsResponse = query(
        &app,
        VirtualStakeQuery::AllDelegations {
            contract: contract.to_string(),
            max_retrieve: 1,
        },
    );
    assert_eq!(
        all.delegations,
        vec![Delegation {
            delegator: String::new(),
            validator: "val1".to_string(),
            amount: Uint128::new(300),
        }]
    );
    let ledger = app
        .read_module(|_, _, storage| supply_ledger(storage))
        .unwrap();
    assert_eq!(ledger.mesh_minted.u128(), 500);
}

/// Bond errors: wrong denom, unknown validator; nothing is minted.
#[test]
fn bond_errors() {
    let mut app = app();
    let contract = addr(&app, "virtual-staking");
    set_cap(&mut app, &contract, 1_000);

    let err = app.execute(
        contract.clone(),
        msg(VirtualStakeMsg::Bond {
            amount: coin(10, "uosmo"),
            validator: "val1".to_string(),
        }),
    );
    assert!(err_text(err).contains("invalid denom: expected ujuno, got uosmo"));
    assert!(err_text(bond(&mut app, &contract, "val9", 10)).contains("validator val9 not found"));
    assert_eq!(supply(&app), 0);
    let minted = app
        .read_module(|router, _, storage| router.custom.total_minted(storage))
        .unwrap();
    assert_eq!(minted.u128(), 0);
}

/// Unbond undelegates at once and burns; more than delegated is clamped; nothing is a no-op.
#[test]
fn unbond_is_instant_and_burns() {
    let mut app = app();
    let contract = addr(&app, "virtual-staking");
    set_cap(&mut app, &contract, 1_000);
    bond(&mut app, &contract, "val1", 300).unwrap();

    unbond(&mut app, &contract, "val1", 120).unwrap();
    assert_eq!(delegation(&app, &contract, "val1"), 180);
    assert_eq!(balance(&app, &contract), 0);
    assert_eq!(supply(&app), 180);
    assert_eq!(module_balance(&app), 180);
    let pending = app
        .read_module(|router, _, storage| router.staking.unbonding_total(storage, &contract))
        .unwrap();
    assert_eq!(pending.u128(), 0);

    // More than delegated: clamped to the 180 left.
    let res = unbond(&mut app, &contract, "val1", 500).unwrap();
    let attr = |key: &str| {
        res.events
            .iter()
            .flat_map(|e| e.attributes.iter())
            .find(|a| a.key == key)
            .unwrap()
            .value
            .clone()
    };
    assert_eq!(attr("requested"), "500");
    assert_eq!(attr("amount"), "180");
    assert_eq!(delegation(&app, &contract, "val1"), 0);
    assert_eq!(supply(&app), 0);

    // Nothing delegated: succeeds silently.
    unbond(&mut app, &contract, "val2", 50).unwrap();
    let (minted, burned) = app.read_module(|router, _, storage| {
        (
            router.custom.total_minted(storage).unwrap(),
            router.custom.total_burned(storage).unwrap(),
        )
    });
    assert_eq!((minted.u128(), burned.u128()), (300, 300));
}

/// A chain slash reduces the contract's delegation through the exchange rate; slash_share
/// reports what its balance lost, and the freed cap room can be bonded again.
#[test]
fn slash_reaches_mesh_delegation() {
    let mut app = app();
    let contract = addr(&app, "virtual-staking");
    let alice = addr(&app, "alice");
    set_cap(&mut app, &contract, 1_000_000);
    fund(&mut app, &alice, 3_000_000);
    bond(&mut app, &contract, "val1", 1_000_000).unwrap();
    delegate(&mut app, &alice, "val1", 3_000_000).unwrap();

    let report = app.jail_validator("val1", Decimal::percent(10)).unwrap();
    let share = app.read_module(|router, _, _| router.custom.slash_share(&contract, &report));

    // Power 4: 400,000 burned, a quarter of it from the contract's delegation.
    assert_eq!(report.total_burned().u128(), 400_000);
    assert_eq!(share.u128(), 100_000);
    assert_eq!(delegation(&app, &contract, "val1"), 900_000);
    assert_eq!(
        bond_status(&app, &contract).delegated,
        Coin::new(900_000u128, DENOM)
    );
    bond(&mut app, &contract, "val2", 100_000).unwrap();
    assert!(err_text(bond(&mut app, &contract, "val2", 1))
        .contains("max cap exceeded: 1000000 delegated + 1 requested > 1000000 cap"));
}

/// After a slash, unbonding an amount removes the shares it is worth and pays their tokens
/// truncated: the contract gets (and burns) a unit less than it asked for, as on the SDK.
#[test]
fn unbond_after_a_slash_pays_the_truncated_worth() {
    let mut app = app();
    let contract = addr(&app, "virtual-staking");
    let operator = addr(&app, "operator");
    set_cap(&mut app, &contract, 200_000_000);
    app.add_validator("val3", Some((operator, Uint128::new(1_000_000))))
        .unwrap();
    bond(&mut app, &contract, "val3", 100_000_000).unwrap();
    app.jail_validator("val3", Decimal::percent(10)).unwrap();
    assert_eq!(tokens(&app, "val3"), 90_900_000);
    assert_eq!(delegation(&app, &contract, "val3"), 90_000_000);

    let res = unbond(&mut app, &contract, "val3", 10_000_000).unwrap();
    let paid = res
        .events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "paid")
        .unwrap()
        .value
        .clone();
    assert_eq!(paid, "9999999");
    assert_eq!(balance(&app, &contract), 0);
    let burned = app.read_module(|router, _, storage| router.custom.total_burned(storage));
    assert_eq!(burned.unwrap().u128(), 9_999_999);
}

/// update_delegation is bookkeeping only (saturating on deduct); delete_all_scheduled_tasks is ok.
#[test]
fn update_delegation_bookkeeping() {
    let mut app = app();
    let contract = addr(&app, "virtual-staking");
    set_cap(&mut app, &contract, 1_000);
    let update = |amount: u128, is_deduct: bool| {
        msg(VirtualStakeMsg::UpdateDelegation {
            amount: coin(amount, DENOM),
            is_deduct,
            delegator: "osmo1user".to_string(),
            validator: "val1".to_string(),
        })
    };
    app.execute(contract.clone(), update(70, false)).unwrap();
    app.execute(contract.clone(), update(20, true)).unwrap();
    let share = |app: &TestApp| {
        app.read_module(|router, _, storage| {
            router
                .custom
                .delegator_share(storage, &contract, "val1", "osmo1user")
        })
        .unwrap()
        .u128()
    };
    assert_eq!(share(&app), 50);
    app.execute(contract.clone(), update(80, true)).unwrap();
    assert_eq!(share(&app), 0);
    assert_eq!(supply(&app), 0);
    app.execute(
        contract.clone(),
        msg(VirtualStakeMsg::DeleteAllScheduledTasks {}),
    )
    .unwrap();
    let caps = app
        .read_module(|router, _, storage| router.custom.contracts_with_cap(storage))
        .unwrap();
    assert_eq!(caps, vec![(contract.clone(), coin(1_000, DENOM))]);
}

/// The SDK's `all_delegations` lists the `update_delegation` records (delegator, validator,
/// amount) once the chain uses them; `slash_ratio` answers the chain's slash fractions.
#[test]
fn delegation_records_and_slash_ratio_answer_as_the_sdk() {
    let mut app = app();
    let contract = addr(&app, "virtual-staking");
    set_cap(&mut app, &contract, 1_000);
    app.init_modules(|router, _, storage| {
        router.custom.set_delegation_records(storage, true)?;
        router
            .custom
            .set_slash_ratio(storage, Decimal::percent(10), Decimal::percent(5))
    })
    .unwrap();
    bond(&mut app, &contract, "val1", 300).unwrap();
    app.execute(
        contract.clone(),
        msg(VirtualStakeMsg::UpdateDelegation {
            amount: coin(120, DENOM),
            is_deduct: false,
            delegator: "alice".to_string(),
            validator: "val1".to_string(),
        }),
    )
    .unwrap();
    let all: AllDelegationsResponse = query(
        &app,
        VirtualStakeQuery::AllDelegations {
            contract: contract.to_string(),
            max_retrieve: u32::MAX,
        },
    );
    assert_eq!(
        all.delegations,
        vec![Delegation {
            delegator: "alice".to_string(),
            validator: "val1".to_string(),
            amount: Uint128::new(120),
        }]
    );
    let ratio: mesh_apis::virtual_stake::SlashRatioResponse =
        query(&app, VirtualStakeQuery::SlashRatio {});
    assert_eq!(ratio.slash_fraction_downtime, "0.1");
    assert_eq!(ratio.slash_fraction_double_sign, "0.05");
}
