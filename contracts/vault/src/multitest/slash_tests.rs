//! Slashing (docs/slashing.md): the worked scenarios 1, 2, 3 and 5, local slashes, saturation,
//! slashes while stakes are in flight, failed burns and authorization.

use cosmwasm_std::{coins, Addr, Decimal};
use cw_multi_test::AppResponse;
use cw_utils::PaymentError;

use super::cross_staker;
use super::suite::{assert_err, range, u, val, Suite, DENOM};
use crate::error::ContractError;
use crate::msg::{ExecuteMsg, SlashInfo};

/// The value of `key` in the first event of type `ty` (custom events get the `wasm-` prefix).
fn event_attr(resp: &AppResponse, ty: &str, key: &str) -> Option<String> {
    let ty = format!("wasm-{ty}");
    resp.events
        .iter()
        .filter(|e| e.ty == ty)
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

/// A cross burn as recorded by the test lienholder.
fn cburn(owner: &Addr, amount: u128, validator: Option<&str>) -> cross_staker::Burn {
    cross_staker::Burn {
        owner: owner.to_string(),
        amount: u(amount),
        validator: validator.map(str::to_string),
    }
}

/// A local burn as recorded by the stand-in.
fn lburn(owner: &Addr, amount: u128, validator: Option<&str>) -> super::local_staker::Burn {
    super::local_staker::Burn {
        owner: owner.to_string(),
        amount: u(amount),
        validator: validator.map(str::to_string),
    }
}

/// Collateral 200, local and cross liens at 10 %, all committed.
fn setup(local: u128, cross: u128) -> (Suite, Addr, Addr) {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 1000);
    let lh = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 200).unwrap();
    suite.stake_local(&alice, local, "val1").unwrap();
    suite.stake_remote(&alice, &lh, cross, "juno-val1").unwrap();
    suite.commit(&lh, 1).unwrap();
    (suite, alice, lh)
}

/// Scenario 1: local 190, cross 150, free 10; a slash of 10 is covered by the free collateral.
#[test]
fn scenario_1_slash_within_free() {
    let (mut suite, alice, lh) = setup(190, 150);
    assert_eq!(suite.account(&alice).free, val(10));
    let resp = suite.cross_slash(&lh, &alice, 10, "juno-val1").unwrap();
    let d = suite.details(&alice);
    assert_eq!(d.bonded, u(190));
    assert_eq!(suite.lien(&alice, &lh), val(140));
    assert_eq!(suite.lien(&alice, &suite.local()), val(190));
    // 19 + 15 − floor(10 × 0.1)
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(190), val(33), val(0))
    );
    assert!(suite.cross_burns(&lh).is_empty());
    assert!(suite.local_burns().is_empty());
    assert_eq!(
        event_attr(&resp, "vault_slash", "propagation").unwrap(),
        "none"
    );
    assert_eq!(event_attr(&resp, "vault_slash", "slashed").unwrap(), "10");
    suite.check_invariants(&alice);
}

/// Scenario 2: local 200, cross 200, free 0; a slash of 20 clamps the local lien to 180.
#[test]
fn scenario_2_clamp() {
    let (mut suite, alice, lh) = setup(200, 200);
    assert_eq!(suite.account(&alice).free, val(0));
    let resp = suite.cross_slash(&lh, &alice, 20, "juno-val1").unwrap();
    let d = suite.details(&alice);
    assert_eq!(d.bonded, u(180));
    assert_eq!(suite.lien(&alice, &lh), val(180));
    assert_eq!(suite.lien(&alice, &suite.local()), val(180));
    // 40 − 2 (slash) − 2 (clamp)
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(180), val(36), val(0))
    );
    // 20 burned locally, without the validator hint (the local staker did not report)
    assert_eq!(suite.local_burns(), vec![lburn(&alice, 20, None)]);
    assert!(suite.cross_burns(&lh).is_empty());
    assert_eq!(
        event_attr(&resp, "vault_slash", "propagation").unwrap(),
        "clamp"
    );
    suite.check_invariants(&alice);
}

/// Scenario 3: local 190, cross 150; a slash of 15 exceeds free (10) by 5: local clamped to 185.
#[test]
fn scenario_3_clamp_partial() {
    let (mut suite, alice, lh) = setup(190, 150);
    suite.cross_slash(&lh, &alice, 15, "juno-val1").unwrap();
    let d = suite.details(&alice);
    assert_eq!(d.bonded, u(185));
    assert_eq!(suite.lien(&alice, &suite.local()), val(185));
    assert_eq!(suite.lien(&alice, &lh), val(135));
    // 34 − floor(1.5) − floor(0.5)
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(185), val(33), val(0))
    );
    assert_eq!(suite.local_burns(), vec![lburn(&alice, 5, None)]);
    assert!(suite.cross_burns(&lh).is_empty());
    suite.check_invariants(&alice);
}

/// Scenario 5: native 10 %, three cross liens at 50 %; a slash of 90 on LH1 leaves a shortfall
/// of 35 with Σ ratios 1.6, so every lien is cut by 22 and the cut burned on its lienholder.
#[test]
fn scenario_5_proportional() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 1000);
    let lh1 = suite.lienholder(true, Decimal::percent(50));
    let lh2 = suite.lienholder(true, Decimal::percent(50));
    let lh3 = suite.lienholder(true, Decimal::percent(50));
    suite.bond(&alice, 200).unwrap();
    suite.stake_local(&alice, 100, "val1").unwrap();
    for (i, (lh, amount)) in [(&lh1, 180), (&lh2, 80), (&lh3, 100)]
        .into_iter()
        .enumerate()
    {
        suite.stake_remote(&alice, lh, amount, "juno-val1").unwrap();
        suite.commit(lh, i as u64 + 1).unwrap();
    }
    let d = suite.details(&alice);
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(180), val(190), val(10))
    );

    let resp = suite.cross_slash(&lh1, &alice, 90, "juno-val1").unwrap();
    let d = suite.details(&alice);
    assert_eq!(d.bonded, u(110));
    let local = suite.local();
    assert_eq!(suite.lien(&alice, &local), val(78));
    assert_eq!(suite.lien(&alice, &lh1), val(68));
    assert_eq!(suite.lien(&alice, &lh2), val(58));
    assert_eq!(suite.lien(&alice, &lh3), val(78));
    // 190 − 45 (slash) − (2 + 11 + 11 + 11) (cuts)
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(78), val(110), val(0))
    );
    assert_eq!(
        event_attr(&resp, "vault_slash", "propagation").unwrap(),
        "proportional"
    );
    // each cut burned; only the reporter gets the validator hint
    assert_eq!(suite.local_burns(), vec![lburn(&alice, 22, None)]);
    assert_eq!(
        suite.cross_burns(&lh1),
        vec![cburn(&alice, 22, Some("juno-val1"))]
    );
    assert_eq!(suite.cross_burns(&lh2), vec![cburn(&alice, 22, None)]);
    assert_eq!(suite.cross_burns(&lh3), vec![cburn(&alice, 22, None)]);
    suite.check_invariants(&alice);
}

/// A local slash (from the local staker) cuts the local lien and clamps the cross lien.
#[test]
fn local_slash_clamps_cross_lien() {
    let (mut suite, alice, lh) = setup(200, 200);
    let resp = suite.local_slash(&alice, 20, "val1").unwrap();
    let d = suite.details(&alice);
    assert_eq!(d.bonded, u(180));
    assert_eq!(suite.lien(&alice, &suite.local()), val(180));
    assert_eq!(suite.lien(&alice, &lh), val(180));
    assert_eq!((d.max_lien, d.total_slashable), (val(180), val(36)));
    assert_eq!(suite.cross_burns(&lh), vec![cburn(&alice, 20, None)]);
    assert!(suite.local_burns().is_empty());
    assert_eq!(
        event_attr(&resp, "vault_slash", "validator").unwrap(),
        "val1"
    );
    // the returned tokens after a slash: the stand-in still holds 200, releases 180
    suite.release_local(&alice, 180).unwrap();
    assert_eq!(suite.details(&alice).max_lien, val(180));
    suite.check_invariants(&alice);
}

/// A local slash with Σ slashable binding: every lien is cut by ceil(shortfall / Σ ratios); the
/// reporter (the local staker) gets its burn with the validator hint, the others without.
#[test]
fn local_slash_proportional_hint_to_reporter() {
    let mut suite = Suite::with_local(Some(Decimal::percent(50)));
    let alice = suite.user("alice", 1000);
    let lh1 = suite.lienholder(true, Decimal::percent(50));
    let lh2 = suite.lienholder(true, Decimal::percent(50));
    suite.bond(&alice, 200).unwrap();
    suite.stake_local(&alice, 100, "val1").unwrap();
    suite.stake_remote(&alice, &lh1, 150, "juno-val1").unwrap();
    suite.stake_remote(&alice, &lh2, 150, "juno-val1").unwrap();
    suite.commit(&lh1, 1).unwrap();
    suite.commit(&lh2, 2).unwrap();
    let d = suite.details(&alice);
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(150), val(200), val(0))
    );
    // local 100 → 60, slashable 200 → 180, free 200 − 180 = 20 < 40: shortfall 20,
    // Σ ratios 1.5, cut ceil(13.33) = 14 each
    suite.local_slash(&alice, 40, "val1").unwrap();
    let d = suite.details(&alice);
    assert_eq!(d.bonded, u(160));
    assert_eq!(suite.lien(&alice, &suite.local()), val(46));
    assert_eq!(suite.lien(&alice, &lh1), val(136));
    assert_eq!(suite.lien(&alice, &lh2), val(136));
    // 180 − 3 × floor(14 × 0.5)
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(136), val(159), val(1))
    );
    assert_eq!(suite.local_burns(), vec![lburn(&alice, 14, Some("val1"))]);
    assert_eq!(suite.cross_burns(&lh1), vec![cburn(&alice, 14, None)]);
    assert_eq!(suite.cross_burns(&lh2), vec![cburn(&alice, 14, None)]);
    suite.check_invariants(&alice);
}

/// Users without a lien with the reporter are reported in an event and skipped.
#[test]
fn slash_user_without_lien_is_skipped() {
    let (mut suite, alice, lh) = setup(100, 100);
    let bob = suite.user("bob", 100);
    suite.bond(&bob, 100).unwrap();
    let resp = suite
        .lh_exec(
            &lh,
            &cross_staker::ExecuteMsg::Slash {
                slashes: vec![
                    SlashInfo {
                        user: bob.to_string(),
                        slash: u(10),
                    },
                    SlashInfo {
                        user: "garbage".to_string(),
                        slash: u(10),
                    },
                    SlashInfo {
                        user: alice.to_string(),
                        slash: u(10),
                    },
                ],
                validator: "juno-val1".to_string(),
            },
        )
        .unwrap();
    let skipped: Vec<_> = resp
        .events
        .iter()
        .filter(|e| e.ty == "wasm-vault_slash_skipped")
        .collect();
    assert_eq!(skipped.len(), 2);
    assert_eq!(
        event_attr(&resp, "vault_slash_skipped", "user").unwrap(),
        bob.to_string()
    );
    assert_eq!(
        event_attr(&resp, "vault_slash_skipped", "reason").unwrap(),
        "no_lien"
    );
    assert_eq!(suite.details(&bob).bonded, u(100));
    assert_eq!(suite.details(&alice).bonded, u(190));
    assert_eq!(suite.lien(&alice, &lh), val(90));
    suite.check_invariants(&alice);
}

/// A slash larger than the collateral saturates at the collateral and is flagged.
#[test]
fn slash_larger_than_collateral_saturates() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 1000);
    let lh = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 100).unwrap();
    suite.stake_local(&alice, 60, "val1").unwrap();
    suite.stake_remote(&alice, &lh, 100, "juno-val1").unwrap();
    suite.commit(&lh, 1).unwrap();
    let resp = suite.cross_slash(&lh, &alice, 150, "juno-val1").unwrap();
    assert_eq!(
        event_attr(&resp, "vault_slash", "requested").unwrap(),
        "150"
    );
    assert_eq!(event_attr(&resp, "vault_slash", "slashed").unwrap(), "100");
    assert_eq!(
        event_attr(&resp, "vault_slash", "saturated").unwrap(),
        "true"
    );
    let d = suite.details(&alice);
    assert_eq!(
        (d.bonded, d.max_lien, d.total_slashable, d.free),
        (u(0), val(0), val(0), val(0))
    );
    assert!(suite.claim(&alice, &lh).is_none());
    assert!(suite.claim(&alice, &suite.local()).is_none());
    assert_eq!(suite.local_burns(), vec![lburn(&alice, 60, None)]);
    suite.check_invariants(&alice);
}

/// A slash while a stake is in flight shrinks the ranges; the later commit or rollback never
/// fails and leaves consistent figures.
#[test]
fn slash_while_pending_then_commit_or_rollback() {
    for commit in [true, false] {
        let mut suite = Suite::new();
        let alice = suite.user("alice", 1000);
        let lh = suite.lienholder(true, Decimal::percent(10));
        suite.bond(&alice, 200).unwrap();
        suite.stake_local(&alice, 200, "val1").unwrap();
        suite.stake_remote(&alice, &lh, 150, "juno-val1").unwrap();
        suite.local_slash(&alice, 100, "val1").unwrap();
        let d = suite.details(&alice);
        assert_eq!(d.bonded, u(100));
        assert_eq!(suite.lien(&alice, &suite.local()), val(100));
        // the pending cross lien is clamped to the new collateral
        assert_eq!(suite.lien(&alice, &lh), range(0, 100));
        assert_eq!(
            (d.max_lien, d.total_slashable),
            (range(100, 100), range(10, 20))
        );
        assert_eq!(suite.cross_burns(&lh), vec![cburn(&alice, 50, None)]);
        suite.check_invariants(&alice);
        if commit {
            suite.commit(&lh, 1).unwrap();
            assert_eq!(suite.lien(&alice, &lh), val(100));
            let d = suite.details(&alice);
            assert_eq!(
                (d.max_lien, d.total_slashable, d.free),
                (val(100), val(20), val(0))
            );
        } else {
            suite.rollback(&lh, 1).unwrap();
            assert!(suite.claim(&alice, &lh).is_none());
            let d = suite.details(&alice);
            assert_eq!(
                (d.max_lien, d.total_slashable, d.free),
                (val(100), val(10), val(0))
            );
        }
        assert!(suite.pending().is_empty());
        suite.check_invariants(&alice);
    }
}

/// A clamp of a lien with a settled part and a stake in flight cuts both ends by the burned
/// amount: the lienholder takes a burn from its settled stake first, so after a rollback the
/// lien still matches what it holds (cutting only the high end would leave 50 that can never be
/// released).
#[test]
fn clamp_cuts_both_ends_of_a_lien_in_flight() {
    for commit in [true, false] {
        let mut suite = Suite::new();
        let alice = suite.user("alice", 1000);
        let lh = suite.lienholder(true, Decimal::percent(10));
        suite.bond(&alice, 200).unwrap();
        suite.stake_local(&alice, 200, "val1").unwrap();
        suite.stake_remote(&alice, &lh, 150, "juno-val1").unwrap();
        suite.commit(&lh, 1).unwrap();
        suite.stake_remote(&alice, &lh, 50, "juno-val1").unwrap();
        assert_eq!(suite.lien(&alice, &lh), range(150, 200));
        suite.local_slash(&alice, 100, "val1").unwrap();
        assert_eq!(suite.details(&alice).bonded, u(100));
        assert_eq!(suite.lien(&alice, &lh), range(50, 100));
        assert_eq!(suite.cross_burns(&lh), vec![cburn(&alice, 100, None)]);
        suite.check_invariants(&alice);
        if commit {
            suite.commit(&lh, 2).unwrap();
            assert_eq!(suite.lien(&alice, &lh), val(100));
        } else {
            suite.rollback(&lh, 2).unwrap();
            assert_eq!(suite.lien(&alice, &lh), val(50));
        }
        suite.check_invariants(&alice);
    }
}

/// A burn that fails on its lienholder is reported; the slash stands.
#[test]
fn failed_burn_does_not_revert_slash() {
    let (mut suite, alice, lh) = setup(200, 200);
    suite
        .lh_exec(&lh, &cross_staker::ExecuteMsg::SetFailBurns { fail: true })
        .unwrap();
    let resp = suite.local_slash(&alice, 20, "val1").unwrap();
    assert!(event_attr(&resp, "vault_burn_failed", "error")
        .unwrap()
        .contains("test lienholder cannot burn"));
    assert_eq!(suite.details(&alice).bonded, u(180));
    assert_eq!(suite.lien(&alice, &lh), val(180));
    suite.check_invariants(&alice);
}

/// Slash messages from anyone but the right lienholder are refused.
#[test]
fn slash_authorization() {
    let (mut suite, alice, lh) = setup(100, 100);
    let unused = suite.lienholder(true, Decimal::percent(10));
    let local = suite.local();
    let slashes = vec![SlashInfo {
        user: alice.to_string(),
        slash: u(10),
    }];
    let local_slash = ExecuteMsg::LocalSlash {
        slashes: slashes.clone(),
        validator: "val1".to_string(),
    };
    let cross_slash = ExecuteMsg::CrossSlash {
        slashes,
        validator: "juno-val1".to_string(),
    };
    assert_err(
        suite.exec(&alice, &local_slash, &[]),
        ContractError::not_local_staking(alice.to_string()),
    );
    assert_err(
        suite.exec(&lh, &local_slash, &[]),
        ContractError::not_local_staking(lh.to_string()),
    );
    assert_err(
        suite.exec(&alice, &cross_slash, &[]),
        ContractError::not_external_staking(alice.to_string()),
    );
    assert_err(
        suite.exec(&unused, &cross_slash, &[]),
        ContractError::not_external_staking(unused.to_string()),
    );
    assert_err(
        suite.exec(&local, &cross_slash, &[]),
        ContractError::not_external_staking(local.to_string()),
    );
    suite.mint(&local, 5);
    assert_err(
        suite.exec(&local, &local_slash, &coins(5, DENOM)),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
    // nothing changed
    assert_eq!(suite.details(&alice).bonded, u(200));

    let mut bare = Suite::with_local(None);
    let bob = bare.user("bob", 0);
    assert_err(
        bare.exec(&bob, &local_slash, &[]),
        ContractError::not_local_staking(bob.to_string()),
    );
}
