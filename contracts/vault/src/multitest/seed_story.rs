//! The seed's story with numbers: bond, stake locally, stake remotely (pending), commit, a stake
//! that would break an invariant, a rollback, and an unbond beyond the free collateral.

use cosmwasm_std::Decimal;

use super::suite::{assert_err, range, u, val, Suite};
use crate::error::ContractError;
use crate::msg::Tx;

/// Walks the seed's story and checks every figure after each step.
#[test]
fn seed_story() {
    let mut suite = Suite::new(); // local double-sign ratio 10 %
    let alice = suite.user("alice", 1000);
    let lh1 = suite.lienholder(true, Decimal::percent(50));
    let lh2 = suite.lienholder(true, Decimal::percent(90));

    // bond 300
    suite.bond(&alice, 300).unwrap();
    let d = suite.details(&alice);
    assert_eq!((d.bonded, d.free), (u(300), val(300)));
    assert_eq!(suite.balance(&suite.vault.clone()), 300);
    suite.check_invariants(&alice);

    // stake_local 100 on val1: settled at once, 10 slashable, tokens leave the vault
    suite.stake_local(&alice, 100, "val1").unwrap();
    let d = suite.details(&alice);
    assert_eq!(d.max_lien, val(100));
    assert_eq!(d.total_slashable, val(10));
    assert_eq!(d.free, val(200));
    assert_eq!(suite.lien(&alice, &suite.local()), val(100));
    assert_eq!(suite.balance(&suite.vault.clone()), 200);
    assert_eq!(suite.balance(&suite.local()), 100);
    suite.check_invariants(&alice);

    // stake_remote 150 at 50 %: pending, so free is a range
    suite.stake_remote(&alice, &lh1, 150, "juno-val1").unwrap();
    let d = suite.details(&alice);
    assert_eq!(d.max_lien, range(100, 150));
    assert_eq!(d.total_slashable, range(10, 85));
    assert_eq!(d.free, range(150, 200));
    assert_eq!(suite.lien(&alice, &lh1), range(0, 150));
    assert_eq!(
        suite.pending(),
        vec![Tx::InFlightStaking {
            id: 1,
            amount: u(150),
            slashable: u(75),
            user: alice.clone(),
            lienholder: lh1.clone(),
        }]
    );
    suite.check_invariants(&alice);

    // commit: free is one value again
    suite.commit(&lh1, 1).unwrap();
    let d = suite.details(&alice);
    assert_eq!(d.max_lien, val(150));
    assert_eq!(d.total_slashable, val(85));
    assert_eq!(d.free, val(150));
    assert_eq!(suite.lien(&alice, &lh1), val(150));
    assert!(suite.pending().is_empty());
    suite.check_invariants(&alice);

    // a second stake that would break max_lien <= collateral (150 + 160 > 300)
    assert_err(
        suite.stake_remote(&alice, &lh1, 160, "juno-val1"),
        ContractError::InsufficientBalance {
            collateral: u(300),
            required: u(310),
        },
    );
    // one that would break Σ slashable <= collateral (85 + floor(250 × 0.9) = 310 > 300)
    assert_err(
        suite.stake_remote(&alice, &lh2, 250, "juno-val1"),
        ContractError::InsufficientBalance {
            collateral: u(300),
            required: u(310),
        },
    );
    let committed = suite.details(&alice);
    let committed_claims = suite.claims(&alice);

    // a pending stake of 100 at 90 %, then rolled back: every figure comes back
    suite.stake_remote(&alice, &lh2, 100, "juno-val2").unwrap();
    let d = suite.details(&alice);
    assert_eq!(d.total_slashable, range(85, 175));
    assert_eq!(d.free, range(125, 150));
    assert_eq!(suite.pending()[0].tx_id(), 2);
    suite.check_invariants(&alice);
    suite.rollback(&lh2, 2).unwrap();
    assert_eq!(suite.details(&alice), committed);
    assert_eq!(suite.claims(&alice), committed_claims);
    assert!(suite.claim(&alice, &lh2).is_none(), "emptied lien deleted");
    assert!(suite.pending().is_empty());
    suite.check_invariants(&alice);

    // unbond more than free fails with the free amount in the message
    assert_err(
        suite.unbond(&alice, 200),
        ContractError::ClaimsLocked {
            free: u(150),
            requested: u(200),
        },
    );
    let err = suite.unbond(&alice, 200).unwrap_err().to_string();
    assert!(err.contains("150 free, 200 requested"), "{err}");
    // the free amount itself can be withdrawn
    suite.unbond(&alice, 150).unwrap();
    assert_eq!(suite.balance(&alice), 850);
    let d = suite.details(&alice);
    assert_eq!((d.bonded, d.free), (u(150), val(0)));
    suite.check_invariants(&alice);
}
