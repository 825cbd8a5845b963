//! Jailing, tombstoning and slashing in MeshStaking, as the Cosmos SDK does them: by consensus
//! power, through the exchange rate, and reaching only the entries created at or after the
//! infraction height.

use cosmwasm_std::{Decimal, Decimal256, StakingMsg, Timestamp};
use cw_multi_test::Executor;
use std::str::FromStr;

use super::*;
use crate::modules::{supply_ledger, BondStatus, MeshChainExt, ValidatorInfo};

fn info(app: &TestApp, validator: &str) -> ValidatorInfo {
    app.read_module(|router, _, storage| router.staking.validator(storage, validator))
        .unwrap()
        .unwrap()
}

fn unbonding_of(app: &TestApp, who: &Addr, validator: &str) -> Vec<(u64, u128, u128)> {
    app.read_module(|router, _, storage| {
        router.staking.unbonding_entries_of(storage, who, validator)
    })
    .unwrap()
    .into_iter()
    .map(|e| (e.creation_height, e.initial_balance.u128(), e.amount.u128()))
    .collect()
}

fn redelegate(app: &mut TestApp, who: &Addr, src: &str, dst: &str, amount: u128) -> StdResult<()> {
    app.execute(
        who.clone(),
        StakingMsg::Redelegate {
            src_validator: src.to_string(),
            dst_validator: dst.to_string(),
            amount: coin(amount, DENOM),
        }
        .into(),
    )
    .map(|_| ())
}

/// 68,500,000 tokens are power 68: a 10 % downtime slash burns 6,800,000 (not 6,850,000). The
/// delegations keep their shares and lose through the exchange rate, each truncated, so the
/// delegators' losses add up to a unit more than was burned.
#[test]
fn jail_slashes_by_consensus_power() {
    let mut app = app();
    let alice = addr(&app, "alice");
    let bob = addr(&app, "bob");
    fund(&mut app, &alice, 33_300_000);
    fund(&mut app, &bob, 35_200_000);
    delegate(&mut app, &alice, "val1", 33_300_000).unwrap();
    delegate(&mut app, &bob, "val1", 35_200_000).unwrap();
    advance(&mut app, 30);

    let report = app.jail_validator("val1", Decimal::percent(10)).unwrap();

    assert_eq!(report.validator, "val1");
    assert_eq!(report.power, 68);
    assert_eq!(report.slash_amount.u128(), 6_800_000);
    assert_eq!(report.tokens_before.u128(), 68_500_000);
    assert_eq!(report.burned_bonded.u128(), 6_800_000);
    assert_eq!(report.burned_unbonding.u128(), 0);
    assert_eq!(report.total_burned().u128(), 6_800_000);
    // Height 2 − 2 = 0, but never before the validator joined the set (height 1).
    assert_eq!(report.infraction_height, 1);
    assert_eq!(
        report.infraction_time,
        Timestamp::from_seconds(GENESIS_SECONDS)
    );
    assert_eq!(report.height, 2);
    assert_eq!(report.time, Timestamp::from_seconds(GENESIS_SECONDS + 30));
    assert_eq!(report.of(&alice).unwrap().bonded.u128(), 3_305_694);
    assert_eq!(report.of(&bob).unwrap().bonded.u128(), 3_494_307);
    assert_eq!(report.per_delegator.len(), 2);

    let val = info(&app, "val1");
    assert!(val.jailed && !val.tombstoned);
    assert_eq!(val.status, BondStatus::Unbonding);
    assert_eq!(val.tokens.u128(), 61_700_000);
    assert_eq!(
        val.delegator_shares,
        Decimal256::from_str("68500000").unwrap()
    );
    assert_eq!(delegation(&app, &alice, "val1"), 29_994_306);
    assert_eq!(delegation(&app, &bob, "val1"), 31_705_693);
    assert_eq!(module_balance(&app), 61_700_000);
    assert_eq!(supply(&app), 68_500_000 - 6_800_000);
    let ledger = app
        .read_module(|_, _, storage| supply_ledger(storage))
        .unwrap();
    assert_eq!(ledger.slash_burned.u128(), 6_800_000);
}

/// A downtime slash at height 6 is for an infraction at height 4: the unbonding entry created at
/// height 2 is untouched, the one created at height 5 loses 10 % of its initial balance, and that
/// part of the slash is not taken from the validator again.
#[test]
fn slash_reaches_only_entries_created_at_or_after_the_infraction() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 100_000_000);
    delegate(&mut app, &alice, "val1", 100_000_000).unwrap();
    advance(&mut app, 5);
    undelegate(&mut app, &alice, "val1", 10_000_000).unwrap(); // height 2
    advance(&mut app, 5);
    advance(&mut app, 5);
    advance(&mut app, 5);
    undelegate(&mut app, &alice, "val1", 20_000_000).unwrap(); // height 5
    advance(&mut app, 5);

    let report = app.jail_validator("val1", Decimal::percent(10)).unwrap();

    assert_eq!(report.infraction_height, 4);
    assert_eq!(report.power, 70);
    assert_eq!(report.slash_amount.u128(), 7_000_000);
    assert_eq!(report.burned_unbonding.u128(), 2_000_000);
    assert_eq!(report.burned_bonded.u128(), 5_000_000);
    let line = report.of(&alice).unwrap();
    assert_eq!(
        (line.bonded.u128(), line.unbonding.u128()),
        (5_000_000, 2_000_000)
    );
    assert_eq!(line.entries.len(), 1);
    assert_eq!(line.entries[0].creation_height, 5);
    assert_eq!(line.entries[0].slashed.u128(), 2_000_000);
    assert_eq!(
        unbonding_of(&app, &alice, "val1"),
        vec![(2, 10_000_000, 10_000_000), (5, 20_000_000, 18_000_000)]
    );
    assert_eq!(delegation(&app, &alice, "val1"), 65_000_000);

    // A double sign found now is dated at the jailing (height 6), so its infraction is at 5:
    // the entry of height 5 counts its nominal 95 % of 20,000,000 = 19,000,000 against the
    // slash, though only 18,000,000 are left to take.
    let report = app
        .tombstone_validator("val1", Decimal::percent(95), None)
        .unwrap();
    assert_eq!(report.infraction_height, 5);
    assert_eq!(report.power, 65);
    assert_eq!(report.slash_amount.u128(), 61_750_000);
    assert_eq!(report.burned_unbonding.u128(), 18_000_000);
    assert_eq!(report.burned_bonded.u128(), 61_750_000 - 19_000_000);
    assert_eq!(
        unbonding_of(&app, &alice, "val1"),
        vec![(2, 10_000_000, 10_000_000), (5, 20_000_000, 0)]
    );
    assert_eq!(delegation(&app, &alice, "val1"), 65_000_000 - 42_750_000);

    advance(&mut app, UNBONDING_TIME);
    assert_eq!(balance(&app, &alice), 10_000_000);
}

/// A redelegation away from the slashed validator after the infraction is slashed at its
/// destination: fraction × the shares it created are unbonded there and burned.
#[test]
fn slash_reaches_redelegations_after_the_infraction() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 50_000_000);
    delegate(&mut app, &alice, "val1", 50_000_000).unwrap();
    advance(&mut app, 5);
    redelegate(&mut app, &alice, "val1", "val2", 20_000_000).unwrap(); // height 2
    advance(&mut app, 5);
    advance(&mut app, 5);

    let report = app.jail_validator("val1", Decimal::percent(10)).unwrap();

    assert_eq!(report.infraction_height, 2);
    assert_eq!(report.slash_amount.u128(), 3_000_000);
    assert_eq!(report.burned_redelegations.u128(), 2_000_000);
    assert_eq!(report.burned_bonded.u128(), 1_000_000);
    let line = report.of(&alice).unwrap();
    assert_eq!(
        (line.bonded.u128(), line.redelegation.u128()),
        (1_000_000, 2_000_000)
    );
    assert_eq!(line.entries[0].redelegated_to.as_deref(), Some("val2"));
    assert_eq!(delegation(&app, &alice, "val1"), 29_000_000);
    assert_eq!(delegation(&app, &alice, "val2"), 18_000_000);
    assert_eq!(tokens(&app, "val2"), 18_000_000);
    assert_eq!(module_balance(&app), 47_000_000);
}

/// A redelegation's slash unbonds shares of its destination worth a fraction of a token more
/// than the whole tokens burned; the remainder stays with the destination, and the delegator's
/// loss there (balance before − after) is what the report says. By hand: alice's 20,000,000
/// (20,000,000 shares) on val1, jailed for 10 % of power 20 (18,000,000 tokens left); restaking
/// 7,000,000 removes 7,777,777.777777777777777777 shares worth 6,999,999.99…, paying 6,999,999
/// into val2 (bob's 1,000,000 there). The tombstone of the jailed val1 unbonds 20 % of those
/// 6,999,999 shares, worth 1,399,999.8: 1,399,999 are burned, alice's val2 balance falls from
/// 6,999,999 to 5,599,999 (5,599,999.83 exactly), a loss of 1,400,000.
#[test]
fn a_redelegation_slash_reports_the_delegators_loss() {
    let mut app = app();
    let (alice, bob) = (addr(&app, "alice"), addr(&app, "bob"));
    fund(&mut app, &alice, 20_000_000);
    fund(&mut app, &bob, 1_000_000);
    delegate(&mut app, &alice, "val1", 20_000_000).unwrap();
    delegate(&mut app, &bob, "val2", 1_000_000).unwrap();
    advance(&mut app, 5);
    app.jail_validator("val1", Decimal::percent(10)).unwrap();
    assert_eq!(tokens(&app, "val1"), 18_000_000);
    advance(&mut app, 5);
    redelegate(&mut app, &alice, "val1", "val2", 7_000_000).unwrap();
    assert_eq!(delegation(&app, &alice, "val2"), 6_999_999);
    advance(&mut app, 5);

    let report = app
        .tombstone_validator("val1", Decimal::percent(20), None)
        .unwrap();

    assert_eq!(report.burned_redelegations.u128(), 1_399_999);
    let line = report.of(&alice).unwrap();
    assert_eq!(line.redelegation.u128(), 1_400_000);
    assert_eq!(line.entries[0].slashed.u128(), 1_400_000);
    assert_eq!(delegation(&app, &alice, "val2"), 5_599_999);
    assert_eq!(tokens(&app, "val2"), 6_600_000);
    assert_eq!(delegation(&app, &bob, "val2"), 1_000_000);
}

/// While a redelegation into a validator matures, nothing can be redelegated away from it
/// (no transitive redelegation), and its delegation query says so.
#[test]
fn no_transitive_redelegation_until_it_matures() {
    let mut app = app();
    app.add_validator("val3", None).unwrap();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 30_000_000);
    delegate(&mut app, &alice, "val1", 30_000_000).unwrap();
    redelegate(&mut app, &alice, "val1", "val2", 10_000_000).unwrap();

    let err = redelegate(&mut app, &alice, "val2", "val3", 1_000_000);
    assert!(err_text(err).contains("transitive redelegation"));
    let full: cosmwasm_std::DelegationResponse = app
        .wrap()
        .query(
            &cosmwasm_std::StakingQuery::Delegation {
                delegator: alice.to_string(),
                validator: "val2".to_string(),
            }
            .into(),
        )
        .unwrap();
    let full = full.delegation.unwrap();
    assert_eq!(full.amount, coin(10_000_000, DENOM));
    assert_eq!(full.can_redelegate, coin(0, DENOM));

    advance(&mut app, UNBONDING_TIME);
    redelegate(&mut app, &alice, "val2", "val3", 1_000_000).unwrap();
    assert_eq!(delegation(&app, &alice, "val3"), 1_000_000);
}

/// Tombstoning is final and uses the evidence's power: power 100 on a validator of 46,000,000
/// tokens slashes 10,000,000 (the reference's tombstone test).
#[test]
fn tombstone_uses_the_evidence_power_and_is_final() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 46_000_000);
    delegate(&mut app, &alice, "val1", 46_000_000).unwrap();
    advance(&mut app, 5);

    let report = app
        .tombstone_validator("val1", Decimal::percent(10), Some(100))
        .unwrap();
    assert_eq!(report.power, 100);
    assert_eq!(report.slash_amount.u128(), 10_000_000);
    assert_eq!(report.infraction_height, 1);
    assert_eq!(tokens(&app, "val1"), 36_000_000);
    let val = info(&app, "val1");
    assert!(val.tombstoned && val.jailed);

    assert!(err_text(app.unjail_validator("val1"))
        .contains("validator val1 is tombstoned: cannot unjail"));
    assert!(
        err_text(app.tombstone_validator("val1", Decimal::percent(20), None))
            .contains("validator val1 is tombstoned: cannot tombstone")
    );
    assert!(err_text(app.jail_validator("val1", Decimal::percent(10)))
        .contains("validator val1 is tombstoned: cannot jail"));
    assert!(err_text(app.remove_validator("val1"))
        .contains("validator val1 is tombstoned: cannot remove"));
    assert_eq!(delegation(&app, &alice, "val1"), 36_000_000);
}

/// A jailed validator can be unjailed back into the set; once its unbonding completes it is
/// unbonded, and evidence against it is refused (the chain ignores it).
#[test]
fn jail_unjail_and_unbonding_completion() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 10_000_000);
    delegate(&mut app, &alice, "val1", 5_000_000).unwrap();
    delegate(&mut app, &alice, "val2", 5_000_000).unwrap();

    app.jail_validator("val1", Decimal::percent(10)).unwrap();
    assert!(err_text(app.jail_validator("val1", Decimal::percent(10)))
        .contains("validator val1 is jailed (unbonding): cannot jail"));
    app.unjail_validator("val1").unwrap();
    let val = info(&app, "val1");
    assert_eq!((val.status, val.jailed), (BondStatus::Bonded, false));
    assert!(
        err_text(app.unjail_validator("val1")).contains("validator val1 is bonded: cannot unjail")
    );

    app.jail_validator("val2", Decimal::percent(10)).unwrap();
    advance(&mut app, UNBONDING_TIME - 1);
    assert_eq!(info(&app, "val2").status, BondStatus::Unbonding);
    advance(&mut app, 1);
    assert_eq!(info(&app, "val2").status, BondStatus::Unbonded);
    assert!(
        err_text(app.tombstone_validator("val2", Decimal::percent(10), None))
            .contains("validator val2 is jailed (unbonded): cannot tombstone")
    );
    app.unjail_validator("val2").unwrap();
    assert_eq!(info(&app, "val2").status, BondStatus::Bonded);
}

/// Bad inputs change nothing: a fraction above 1, an unknown validator.
#[test]
fn slash_errors_leave_state_alone() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 10_000_000);
    delegate(&mut app, &alice, "val1", 10_000_000).unwrap();

    let err = app.jail_validator("val1", Decimal::percent(101));
    assert!(err_text(err).contains("invalid slash fraction 1.01: must be at most 1"));
    assert_eq!(info(&app, "val1").status, BondStatus::Bonded);
    assert_eq!(delegation(&app, &alice, "val1"), 10_000_000);
    assert!(err_text(app.jail_validator("val9", Decimal::percent(10)))
        .contains("validator val9 not found"));
    assert!(err_text(app.unjail_validator("val9")).contains("validator val9 not found"));
}

/// A full slash leaves shares worth nothing: the delegations are empty and a new delegation is
/// refused (the SDK's invalid exchange rate); the validator keeps existing.
#[test]
fn full_slash_empties_delegations_and_refuses_new_ones() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 6_000_000);
    delegate(&mut app, &alice, "val1", 4_000_000).unwrap();

    let report = app.slash_validator("val1", Decimal::one()).unwrap();
    assert_eq!(report.total_burned().u128(), 4_000_000);
    assert_eq!(delegation(&app, &alice, "val1"), 0);
    assert_eq!(tokens(&app, "val1"), 0);
    assert_eq!(module_balance(&app), 0);
    assert_eq!(supply(&app), 2_000_000);
    assert_eq!(info(&app, "val1").status, BondStatus::Bonded);
    assert!(err_text(delegate(&mut app, &alice, "val1", 1_000_000))
        .contains("has no tokens left for its delegator shares"));
}

/// Removing a validator: its operator unbonds the whole self-bond (queued, as the validator was
/// bonded), the validator is jailed and leaves the set, and cannot be unjailed; other delegators
/// get their tokens at once from then on.
#[test]
fn remove_validator_withdraws_the_self_bond() {
    let mut app = app();
    let operator = addr(&app, "operator");
    app.create_validator("val3", operator.clone(), Uint128::new(2_000_000))
        .unwrap();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 3_000_000);
    delegate(&mut app, &alice, "val3", 3_000_000).unwrap();

    app.remove_validator("val3").unwrap();
    let val = info(&app, "val3");
    assert!(val.jailed);
    assert_eq!(val.status, BondStatus::Unbonding);
    assert_eq!(val.tokens.u128(), 3_000_000);
    assert_eq!(
        unbonding_of(&app, &operator, "val3"),
        vec![(1, 2_000_000, 2_000_000)]
    );
    assert!(err_text(app.unjail_validator("val3"))
        .contains("its self-delegation 0 is below the minimum 1"));
    assert!(err_text(app.remove_validator("val3")).contains("has no self-bond"));
    assert!(err_text(app.remove_validator("val1")).contains("has no self-bond"));

    undelegate(&mut app, &alice, "val3", 3_000_000).unwrap();
    assert_eq!(balance(&app, &alice), 3_000_000);
    advance(&mut app, UNBONDING_TIME);
    assert_eq!(balance(&app, &operator), 2_000_000);
    assert_eq!(info(&app, "val3").status, BondStatus::Unbonded);
}

/// At most 7 unbonding entries per delegator and validator; undelegations in one block merge
/// into one entry.
#[test]
fn unbonding_entries_are_limited_and_merged() {
    let mut app = app();
    let alice = addr(&app, "alice");
    fund(&mut app, &alice, 10_000_000);
    delegate(&mut app, &alice, "val1", 10_000_000).unwrap();
    undelegate(&mut app, &alice, "val1", 100).unwrap();
    undelegate(&mut app, &alice, "val1", 200).unwrap();
    assert_eq!(unbonding_of(&app, &alice, "val1"), vec![(1, 300, 300)]);
    for _ in 0..6 {
        advance(&mut app, 5);
        undelegate(&mut app, &alice, "val1", 100).unwrap();
    }
    advance(&mut app, 5);
    let err = undelegate(&mut app, &alice, "val1", 100);
    assert!(err_text(err).contains("too many unbonding entries"));
    assert_eq!(unbonding_of(&app, &alice, "val1").len(), 7);
    assert_eq!(delegation(&app, &alice, "val1"), 10_000_000 - 900);
}

/// The exchange rate (tokens per share) never falls through a delegation, whatever its
/// rounding, and falls with a slash: the harness's incremental backing check re-reads a
/// validator's delegators only when it fell.
#[test]
fn delegations_never_lower_the_exchange_rate_slashes_do() {
    let mut app = app();
    let (alice, bob) = (addr(&app, "alice"), addr(&app, "bob"));
    fund(&mut app, &alice, 10_000_000);
    fund(&mut app, &bob, 10_000_000);
    let record = |app: &TestApp| {
        use cosmwasm_std::{Order, Storage};
        app.storage()
            .range(None, None, Order::Ascending)
            .find(|(k, _)| MeshStaking::validator_of_key(k).as_deref() == Some("val1"))
            .map(|(_, v)| v)
    };
    let fell = |a: &Option<Vec<u8>>, b: &Option<Vec<u8>>| {
        MeshStaking::exchange_rate_fell(a.as_deref(), b.as_deref())
    };
    let mut last = record(&app);
    delegate(&mut app, &alice, "val1", 3_000_001).unwrap();
    assert!(!fell(&last, &record(&app)), "a first delegation");
    last = record(&app);
    app.slash_validator("val1", Decimal::percent(7)).unwrap();
    let slashed = record(&app);
    assert!(fell(&last, &slashed), "a slash lowers the rate");
    assert!(!fell(&slashed, &last), "the rate rose back");
    last = slashed;
    // Odd amounts on an odd exchange rate: every share computation rounds.
    for (who, amount) in [(&bob, 1_234_567), (&alice, 999_999), (&bob, 3)] {
        delegate(&mut app, who, "val1", amount).unwrap();
        let now = record(&app);
        assert!(!fell(&last, &now), "a delegation of {amount}");
        undelegate(&mut app, who, "val1", amount / 3 + 1).unwrap();
        last = record(&app);
    }
    assert!(!fell(&None, &last), "a new validator");
}
