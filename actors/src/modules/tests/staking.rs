//! MeshStaking: delegations, the unbonding queue, instant completion when not bonded, queries.

use cosmwasm_std::{
    coin, AllDelegationsResponse, AllValidatorsResponse, BondedDenomResponse, Decimal, Decimal256,
    DelegationResponse, StakingMsg, StakingQuery, Timestamp, ValidatorResponse,
};
use cw_multi_test::{Executor, StakingSudo};

use super::*;
use crate::modules::{BondStatus, MeshChainExt};

/// Delegating moves the tokens to the module account and counts them on the validator.
#[test]
fn delegate_moves_tokens_to_module() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 1_000);

    delegate(&mut app, &alice, "val1", 400).unwrap();

    assert_eq!(balance(&app, &alice), 600);
    assert_eq!(module_balance(&app), 400);
    assert_eq!(delegation(&app, &alice, "val1"), 400);
    assert_eq!(tokens(&app, "val1"), 400);
    assert_eq!(tokens(&app, "val2"), 0);
}

/// Delegation errors: wrong denom, zero, unknown validator, not enough funds; nothing changes.
#[test]
fn delegate_errors() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 100);

    let err = app.execute(
        alice.clone(),
        StakingMsg::Delegate {
            validator: "val1".to_string(),
            amount: coin(10, "uatom"),
        }
        .into(),
    );
    assert!(err_text(err).contains("invalid denom: expected ujuno, got uatom"));
    assert!(err_text(delegate(&mut app, &alice, "val1", 0)).contains("must be greater than zero"));
    assert!(err_text(delegate(&mut app, &alice, "val9", 10)).contains("validator val9 not found"));
    delegate(&mut app, &alice, "val1", 101).unwrap_err();

    assert_eq!(balance(&app, &alice), 100);
    assert_eq!(tokens(&app, "val1"), 0);
}

/// An undelegation from a bonded validator pays out exactly at completion time, not a second before.
#[test]
fn undelegation_matures_exactly_at_completion_time() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 1_000);
    delegate(&mut app, &alice, "val1", 400).unwrap();

    let res = undelegate(&mut app, &alice, "val1", 150).unwrap();
    let completion = GENESIS_SECONDS + UNBONDING_TIME;
    let attr = res
        .events
        .iter()
        .filter(|e| e.ty == "unbond")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "completion_time")
        .unwrap();
    assert_eq!(attr.value, completion.to_string());
    assert_eq!(delegation(&app, &alice, "val1"), 250);
    assert_eq!(tokens(&app, "val1"), 250);
    let (pending, next) = app.read_module(|router, _, storage| {
        (
            router.staking.unbonding_total(storage, &alice).unwrap(),
            router.staking.next_unbonding_completion(storage).unwrap(),
        )
    });
    assert_eq!(pending.u128(), 150);
    assert_eq!(next, Some(Timestamp::from_seconds(completion)));

    // One second before completion: nothing paid.
    advance(&mut app, UNBONDING_TIME - 1);
    assert_eq!(balance(&app, &alice), 600);
    assert_eq!(module_balance(&app), 400);

    // At completion: paid, queue empty.
    advance(&mut app, 1);
    assert_eq!(balance(&app, &alice), 750);
    assert_eq!(module_balance(&app), 250);
    let (pending, next) = app.read_module(|router, _, storage| {
        (
            router.staking.unbonding_total(storage, &alice).unwrap(),
            router.staking.next_unbonding_completion(storage).unwrap(),
        )
    });
    assert_eq!(pending.u128(), 0);
    assert_eq!(next, None);
}

/// Several entries mature in completion order, each in the first block at or after its time.
#[test]
fn unbonding_queue_pays_in_order() {
    let mut app = app();
    let alice = addr(&app, "alice");
    let bob = addr(&app, "bob");
    fund(&mut app, &alice, 1_000);
    fund(&mut app, &bob, 1_000);
    delegate(&mut app, &alice, "val1", 500).unwrap();
    delegate(&mut app, &bob, "val2", 500).unwrap();

    undelegate(&mut app, &alice, "val1", 100).unwrap();
    advance(&mut app, 10);
    undelegate(&mut app, &bob, "val2", 200).unwrap();
    undelegate(&mut app, &alice, "val1", 50).unwrap();

    advance(&mut app, UNBONDING_TIME - 10);
    assert_eq!(balance(&app, &alice), 600);
    assert_eq!(balance(&app, &bob), 500);
    advance(&mut app, 9);
    assert_eq!(balance(&app, &alice), 600);
    advance(&mut app, 100);
    assert_eq!(balance(&app, &alice), 650);
    assert_eq!(balance(&app, &bob), 700);
    assert_eq!(module_balance(&app), 650);
}

/// Undelegation errors: more than delegated (with numbers), nothing delegated.
#[test]
fn undelegate_errors() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 1_000);
    delegate(&mut app, &alice, "val1", 50).unwrap();

    assert!(err_text(undelegate(&mut app, &alice, "val1", 60))
        .contains("not enough delegation: 50 delegated, 60 requested"));
    assert!(err_text(undelegate(&mut app, &alice, "val2", 1)).contains("no delegation from"));
    assert!(err_text(undelegate(&mut app, &alice, "val9", 1)).contains("validator val9 not found"));
    assert_eq!(delegation(&app, &alice, "val1"), 50);
}

/// Undelegating from a validator out of the active set (jailed, tombstoned, self-bond removed)
/// completes at once: no unbonding entry.
#[test]
fn undelegate_from_non_bonded_validator_is_immediate() {
    let mut app = app();
    let operator = addr(&app, "operator");
    app.create_validator("val3", operator.clone(), Uint128::new(1_000_000))
        .unwrap();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 300);
    delegate(&mut app, &alice, "val1", 100).unwrap();
    delegate(&mut app, &alice, "val2", 100).unwrap();
    delegate(&mut app, &alice, "val3", 100).unwrap();

    app.jail_validator("val1", Decimal::zero()).unwrap();
    app.tombstone_validator("val2", Decimal::zero(), None)
        .unwrap();
    app.remove_validator("val3").unwrap();

    undelegate(&mut app, &alice, "val1", 40).unwrap();
    assert_eq!(balance(&app, &alice), 40);
    undelegate(&mut app, &alice, "val2", 30).unwrap();
    assert_eq!(balance(&app, &alice), 70);
    undelegate(&mut app, &alice, "val3", 100).unwrap();
    assert_eq!(balance(&app, &alice), 170);

    let entries = app
        .read_module(|router, _, storage| router.staking.unbonding_entries(storage))
        .unwrap();
    // Only the operator's self-bond, withdrawn while val3 was still bonded, waits.
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].delegator, operator);
    assert_eq!(module_balance(&app), 130 + 1_000_000);
}

/// Redelegation moves stake at once (a redelegation entry remembers it for slashes); same
/// validator, unknown target and too much are refused.
#[test]
fn redelegate_moves_stake_instantly() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 1_000);
    delegate(&mut app, &alice, "val1", 300).unwrap();

    let redelegate = |src: &str, dst: &str, amount: u128| StakingMsg::Redelegate {
        src_validator: src.to_string(),
        dst_validator: dst.to_string(),
        amount: coin(amount, DENOM),
    };
    app.execute(alice.clone(), redelegate("val1", "val2", 120).into())
        .unwrap();
    assert_eq!(delegation(&app, &alice, "val1"), 180);
    assert_eq!(delegation(&app, &alice, "val2"), 120);
    assert_eq!(tokens(&app, "val1"), 180);
    assert_eq!(tokens(&app, "val2"), 120);
    assert_eq!(module_balance(&app), 300);
    let entries = app
        .read_module(|router, _, storage| router.staking.redelegation_entries(storage))
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (
            entries[0].initial_balance.u128(),
            entries[0].creation_height
        ),
        (120, 1)
    );
    assert_eq!(
        entries[0].completion_time,
        Timestamp::from_seconds(GENESIS_SECONDS + UNBONDING_TIME)
    );

    let err = app.execute(alice.clone(), redelegate("val1", "val1", 1).into());
    assert!(err_text(err).contains("cannot redelegate to the same validator val1"));
    let err = app.execute(alice.clone(), redelegate("val1", "val9", 1).into());
    assert!(err_text(err).contains("validator val9 not found"));
    let err = app.execute(alice.clone(), redelegate("val1", "val2", 181).into());
    assert!(err_text(err).contains("not enough delegation: 180 delegated, 181 requested"));

    // Matured entries are dropped.
    advance(&mut app, UNBONDING_TIME);
    let entries = app
        .read_module(|router, _, storage| router.staking.redelegation_entries(storage))
        .unwrap();
    assert!(entries.is_empty());
}

/// Staking queries: bonded denom, delegations, and only bonded validators in the active set.
#[test]
fn staking_queries() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 1_000);
    delegate(&mut app, &alice, "val1", 300).unwrap();
    delegate(&mut app, &alice, "val2", 200).unwrap();
    app.jail_validator("val2", Decimal::zero()).unwrap();

    let denom: BondedDenomResponse = app
        .wrap()
        .query(&StakingQuery::BondedDenom {}.into())
        .unwrap();
    assert_eq!(denom.denom, DENOM);

    let all: AllDelegationsResponse = app
        .wrap()
        .query(
            &StakingQuery::AllDelegations {
                delegator: alice.to_string(),
            }
            .into(),
        )
        .unwrap();
    let listed: Vec<(String, u128)> = all
        .delegations
        .iter()
        .map(|d| {
            (
                d.validator.clone(),
                Uint128::try_from(d.amount.amount).unwrap().u128(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![("val1".to_string(), 300), ("val2".to_string(), 200)]
    );

    let one: DelegationResponse = app
        .wrap()
        .query(
            &StakingQuery::Delegation {
                delegator: alice.to_string(),
                validator: "val1".to_string(),
            }
            .into(),
        )
        .unwrap();
    let full = one.delegation.unwrap();
    assert_eq!(full.amount, coin(300, DENOM));
    assert_eq!(full.can_redelegate, coin(300, DENOM));
    assert!(full.accumulated_rewards.is_empty());

    let none: DelegationResponse = app
        .wrap()
        .query(
            &StakingQuery::Delegation {
                delegator: alice.to_string(),
                validator: "val9".to_string(),
            }
            .into(),
        )
        .unwrap();
    assert_eq!(none.delegation, None);

    let validators: AllValidatorsResponse = app
        .wrap()
        .query(&StakingQuery::AllValidators {}.into())
        .unwrap();
    let names: Vec<&str> = validators
        .validators
        .iter()
        .map(|v| v.address.as_str())
        .collect();
    assert_eq!(names, vec!["val1"]);

    let jailed: ValidatorResponse = app
        .wrap()
        .query(
            &StakingQuery::Validator {
                address: "val2".to_string(),
            }
            .into(),
        )
        .unwrap();
    assert_eq!(jailed.validator, None);
    let bonded: ValidatorResponse = app
        .wrap()
        .query(
            &StakingQuery::Validator {
                address: "val1".to_string(),
            }
            .into(),
        )
        .unwrap();
    assert_eq!(bonded.validator.unwrap().address, "val1");
}

/// A genesis self-bond is minted to the operator and delegated at one share per 1,000,000
/// tokens (the reference test chains' genesis); names are unique.
#[test]
fn add_validator_with_self_bond() {
    let mut app = app_with_apr(Decimal::zero());
    let operator = addr(&app, "operator");
    app.add_validator("juno-val1", Some((operator.clone(), Uint128::new(5_000))))
        .unwrap();

    assert_eq!(delegation(&app, &operator, "juno-val1"), 5_000);
    let shares = app
        .read_module(|router, _, storage| {
            router
                .staking
                .delegation_shares(storage, &operator, "juno-val1")
        })
        .unwrap();
    assert_eq!(shares, Decimal256::permille(5));
    assert_eq!(balance(&app, &operator), 0);
    assert_eq!(supply(&app), 5_000);
    let info = app
        .read_module(|router, _, storage| router.staking.validator(storage, "juno-val1"))
        .unwrap()
        .unwrap();
    assert_eq!(info.status, BondStatus::Bonded);
    assert_eq!(info.delegator_shares, Decimal256::permille(5));
    assert_eq!(info.tokens.u128(), 5_000);
    assert_eq!(info.operator, Some(operator));
    let ledger = app.read_module(|_, _, storage| crate::modules::supply_ledger(storage));
    assert_eq!(ledger.unwrap().genesis_minted.u128(), 5_000);

    let err = app.add_validator("juno-val1", None);
    assert!(err_text(err).contains("validator juno-val1 already exists"));
    let names: Vec<String> = app
        .read_module(|router, _, storage| router.staking.validators(storage))
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names, vec!["juno-val1"]);
}

/// cw-multi-test's `StakingSudo::Slash` slashes the validator's power now, for an infraction in
/// this block, without changing the status.
#[test]
fn sudo_slash() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 10_500_000);
    delegate(&mut app, &alice, "val1", 10_500_000).unwrap();

    app.sudo(
        StakingSudo::Slash {
            validator: "val1".to_string(),
            percentage: Decimal256::percent(25),
        }
        .into(),
    )
    .unwrap();
    // Power 10: 2,500,000 burned.
    assert_eq!(delegation(&app, &alice, "val1"), 8_000_000);
    assert_eq!(supply(&app), 8_000_000);
    let status = app
        .read_module(|router, _, storage| router.staking.validator(storage, "val1"))
        .unwrap()
        .unwrap()
        .status;
    assert_eq!(status, BondStatus::Bonded);
}
