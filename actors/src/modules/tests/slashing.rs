//! Jailing, tombstoning and slashing in MeshStaking.

use cosmwasm_std::{Decimal, Timestamp};

use super::*;
use crate::modules::{supply_ledger, MeshChainExt, ValidatorStatus};

fn status(app: &TestApp, validator: &str) -> ValidatorStatus {
    app.read_module(|router, _, storage| router.staking.validator(storage, validator))
        .unwrap()
        .unwrap()
        .status
}

/// Jailing slashes every delegation by the fraction (floor each), burns the total from the
/// module account and reports who lost what.
#[test]
fn jail_slashes_every_delegation_and_burns() {
    let mut app = app();
    let alice = addr(&app, "alice");
    let bob = addr(&app, "bob");
    fund(&mut app, &alice, 1_000);
    fund(&mut app, &bob, 1_000);
    delegate(&mut app, &alice, "val1", 333).unwrap();
    delegate(&mut app, &bob, "val1", 777).unwrap();
    delegate(&mut app, &bob, "val2", 100).unwrap();
    advance(&mut app, 30);

    let report = app.jail_validator("val1", Decimal::percent(10)).unwrap();

    assert_eq!(report.validator, "val1");
    assert_eq!(report.fraction, Decimal::percent(10));
    assert_eq!(report.tokens_before.u128(), 1_110);
    assert_eq!(report.total_slashed.u128(), 33 + 77);
    assert_eq!(report.bonded_slashed.u128(), 110);
    assert_eq!(report.unbonding_slashed.u128(), 0);
    let mut expected = vec![
        (alice.clone(), Uint128::new(33)),
        (bob.clone(), Uint128::new(77)),
    ];
    expected.sort();
    assert_eq!(report.per_delegator, expected);
    assert_eq!(report.infraction_height, 2);
    assert_eq!(report.time, Timestamp::from_seconds(GENESIS_SECONDS + 30));

    assert_eq!(status(&app, "val1"), ValidatorStatus::Jailed);
    assert_eq!(delegation(&app, &alice, "val1"), 300);
    assert_eq!(delegation(&app, &bob, "val1"), 700);
    assert_eq!(delegation(&app, &bob, "val2"), 100);
    assert_eq!(tokens(&app, "val1"), 1_000);
    assert_eq!(module_balance(&app), 1_100);
    assert_eq!(supply(&app), 2_000 - 110);
    let ledger = app
        .read_module(|_, _, storage| supply_ledger(storage))
        .unwrap();
    assert_eq!(ledger.slash_burned.u128(), 110);
}

/// A slash also cuts the validator's pending unbonding entries, and the payout is the rest.
#[test]
fn slash_reaches_pending_unbondings() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 1_000);
    delegate(&mut app, &alice, "val1", 333).unwrap();
    undelegate(&mut app, &alice, "val1", 100).unwrap();

    let report = app.jail_validator("val1", Decimal::percent(10)).unwrap();

    assert_eq!(report.bonded_slashed.u128(), 23);
    assert_eq!(report.unbonding_slashed.u128(), 10);
    assert_eq!(report.total_slashed.u128(), 33);
    assert_eq!(
        report.per_delegator,
        vec![(alice.clone(), Uint128::new(33))]
    );
    assert_eq!(delegation(&app, &alice, "val1"), 210);
    let pending = app
        .read_module(|router, _, storage| router.staking.unbonding_total(storage, &alice))
        .unwrap();
    assert_eq!(pending.u128(), 90);

    advance(&mut app, UNBONDING_TIME);
    assert_eq!(balance(&app, &alice), 667 + 90);
    assert_eq!(module_balance(&app), 210);
}

/// Tombstoning is final: no unjail, no second tombstone, no jail; it still slashes.
#[test]
fn tombstone_is_final() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 1_000);
    delegate(&mut app, &alice, "val1", 1_000).unwrap();

    let report = app
        .tombstone_validator("val1", Decimal::percent(20))
        .unwrap();
    assert_eq!(report.total_slashed.u128(), 200);
    assert_eq!(status(&app, "val1"), ValidatorStatus::Tombstoned);

    assert!(err_text(app.unjail_validator("val1"))
        .contains("validator val1 is tombstoned: cannot unjail"));
    assert!(
        err_text(app.tombstone_validator("val1", Decimal::percent(20)))
            .contains("validator val1 is tombstoned: cannot tombstone")
    );
    assert!(err_text(app.jail_validator("val1", Decimal::percent(10)))
        .contains("validator val1 is tombstoned: cannot jail"));
    assert!(err_text(app.remove_validator("val1"))
        .contains("validator val1 is tombstoned: cannot remove"));
    assert_eq!(status(&app, "val1"), ValidatorStatus::Tombstoned);
    assert_eq!(delegation(&app, &alice, "val1"), 800);
}

/// A jailed validator can be tombstoned (slashed again) and can be unjailed back to bonded.
#[test]
fn jail_unjail_and_tombstone_after_jail() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 1_000);
    delegate(&mut app, &alice, "val1", 500).unwrap();
    delegate(&mut app, &alice, "val2", 500).unwrap();

    app.jail_validator("val1", Decimal::percent(10)).unwrap();
    assert!(err_text(app.jail_validator("val1", Decimal::percent(10)))
        .contains("validator val1 is jailed: cannot jail"));
    app.unjail_validator("val1").unwrap();
    assert_eq!(status(&app, "val1"), ValidatorStatus::Bonded);
    assert!(
        err_text(app.unjail_validator("val1")).contains("validator val1 is bonded: cannot unjail")
    );

    app.jail_validator("val2", Decimal::percent(10)).unwrap();
    let report = app
        .tombstone_validator("val2", Decimal::percent(20))
        .unwrap();
    assert_eq!(report.total_slashed.u128(), 90);
    assert_eq!(delegation(&app, &alice, "val2"), 360);
    assert_eq!(status(&app, "val2"), ValidatorStatus::Tombstoned);
}

/// Bad inputs change nothing: a fraction above 1, an unknown validator.
#[test]
fn slash_errors_leave_state_alone() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 1_000);
    delegate(&mut app, &alice, "val1", 1_000).unwrap();

    let err = app.jail_validator("val1", Decimal::percent(101));
    assert!(err_text(err).contains("invalid slash fraction 1.01: must be at most 1"));
    assert_eq!(status(&app, "val1"), ValidatorStatus::Bonded);
    assert_eq!(delegation(&app, &alice, "val1"), 1_000);
    assert!(err_text(app.jail_validator("val9", Decimal::percent(10)))
        .contains("validator val9 not found"));
    assert!(err_text(app.unjail_validator("val9")).contains("validator val9 not found"));
}

/// A full slash (fraction 1) empties the delegations; the validator keeps existing.
#[test]
fn full_slash_empties_delegations() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 1_000);
    delegate(&mut app, &alice, "val1", 400).unwrap();

    let report = app.slash_validator("val1", Decimal::one()).unwrap();
    assert_eq!(report.total_slashed.u128(), 400);
    assert_eq!(delegation(&app, &alice, "val1"), 0);
    assert_eq!(tokens(&app, "val1"), 0);
    assert_eq!(module_balance(&app), 0);
    assert_eq!(supply(&app), 600);
    assert_eq!(status(&app, "val1"), ValidatorStatus::Bonded);
}

/// A removed validator earns nothing and can be brought back; only an unbonded one.
#[test]
fn remove_and_rebond_validator() {
    let mut app = app();
    assert!(
        err_text(app.rebond_validator("val1")).contains("validator val1 is bonded: cannot rebond")
    );
    app.remove_validator("val1").unwrap();
    assert_eq!(status(&app, "val1"), ValidatorStatus::Unbonded);
    assert!(err_text(app.remove_validator("val1"))
        .contains("validator val1 is unbonded: cannot remove"));
    app.rebond_validator("val1").unwrap();
    assert_eq!(status(&app, "val1"), ValidatorStatus::Bonded);
}
