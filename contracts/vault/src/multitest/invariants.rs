//! Property test: random sequences of vault messages never break the seed's invariants, and
//! `free` always equals `collateral − max(max_lien, total_slashable)`.

use cosmwasm_std::{Addr, Decimal};
use proptest::prelude::*;

use super::suite::Suite;
use crate::msg::{AllAccountsResponse, QueryMsg, Tx};

/// One random step.
#[derive(Debug, Clone)]
enum Op {
    Bond(usize, u128),
    Unbond(usize, u128),
    StakeLocal(usize, u128),
    StakeRemote(usize, usize, u128),
    Commit(usize),
    Rollback(usize),
    /// Releases this percentage of the settled lien (at most all of it).
    ReleaseLocal(usize, u128),
    /// Releases this percentage of the settled lien (above 100 % must fail).
    ReleaseCross(usize, usize, u128),
    LocalSlash(usize, u128),
    CrossSlash(usize, usize, u128),
}

fn op() -> impl Strategy<Value = Op> {
    let user = 0..2usize;
    let lh = 0..3usize;
    let amount = 1..150u128;
    let small = 1..80u128;
    prop_oneof![
        3 => (user.clone(), 50..400u128).prop_map(|(u, a)| Op::Bond(u, a)),
        1 => (user.clone(), amount.clone()).prop_map(|(u, a)| Op::Unbond(u, a)),
        2 => (user.clone(), amount.clone()).prop_map(|(u, a)| Op::StakeLocal(u, a)),
        4 => (user.clone(), lh.clone(), amount.clone()).prop_map(|(u, l, a)| Op::StakeRemote(u, l, a)),
        6 => (0..8usize).prop_map(Op::Commit),
        2 => (0..8usize).prop_map(Op::Rollback),
        2 => (user.clone(), 1..=110u128).prop_map(|(u, p)| Op::ReleaseLocal(u, p)),
        3 => (user.clone(), lh.clone(), 1..=110u128).prop_map(|(u, l, p)| Op::ReleaseCross(u, l, p)),
        1 => (user.clone(), small.clone()).prop_map(|(u, a)| Op::LocalSlash(u, a)),
        1 => (user, lh, small).prop_map(|(u, l, a)| Op::CrossSlash(u, l, a)),
    ]
}

/// Runs one step; failures are allowed (the vault refuses what would break an invariant).
fn apply(suite: &mut Suite, users: &[Addr], lhs: &[Addr], op: &Op) -> bool {
    let pick_tx = |suite: &Suite, k: usize| -> Option<(u64, Addr)> {
        let txs = suite.pending();
        if txs.is_empty() {
            return None;
        }
        match &txs[k % txs.len()] {
            Tx::InFlightStaking { id, lienholder, .. } => Some((*id, lienholder.clone())),
            _ => None,
        }
    };
    let res = match op {
        Op::Bond(u, a) => suite.bond(&users[*u], *a),
        Op::Unbond(u, a) => suite.unbond(&users[*u], *a),
        Op::StakeLocal(u, a) => suite.stake_local(&users[*u], *a, "val1"),
        Op::StakeRemote(u, l, a) => suite.stake_remote(&users[*u], &lhs[*l], *a, "juno-val1"),
        Op::Commit(k) => match pick_tx(suite, *k) {
            Some((id, lh)) => suite.commit(&lh, id),
            None => return false,
        },
        Op::Rollback(k) => match pick_tx(suite, *k) {
            Some((id, lh)) => suite.rollback(&lh, id),
            None => return false,
        },
        Op::ReleaseLocal(u, p) => {
            // Native staking releases what its proxies got back: at most the lien (more would be
            // a rounding gain, which these test tokens cannot make).
            let low = suite.lien(&users[*u], &suite.local()).low.u128();
            if low == 0 {
                return false;
            }
            suite.release_local(&users[*u], (low * p.min(&100) / 100).max(1))
        }
        Op::ReleaseCross(u, l, p) => {
            // the first lienholder from `l` on that holds a settled lien of this user
            let lh = (0..lhs.len())
                .map(|i| &lhs[(l + i) % lhs.len()])
                .find(|lh| !suite.lien(&users[*u], lh).low.is_zero())
                .unwrap_or(&lhs[*l]);
            let low = suite.lien(&users[*u], lh).low.u128();
            suite.release_cross(lh, &users[*u], (low * p / 100).max(1))
        }
        Op::LocalSlash(u, a) => suite.local_slash(&users[*u], *a, "val1"),
        Op::CrossSlash(u, l, a) => suite.cross_slash(&lhs[*l], &users[*u], *a, "juno-val1"),
    };
    res.is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// After every message: per user `max_lien <= collateral`, `total_slashable <= collateral`,
    /// one lien per lienholder, `max_lien` = the largest lien, `free = collateral − used`; and,
    /// until a slash happens, the vault holds exactly Σ collateral − Σ local liens.
    #[test]
    fn random_messages_keep_invariants(ops in proptest::collection::vec(op(), 10..50)) {
        let mut suite = Suite::with_local(Some(Decimal::percent(20)));
        let users = vec![suite.user("alice", 100_000), suite.user("bob", 100_000)];
        let lhs = vec![
            suite.lienholder(true, Decimal::percent(10)),
            suite.lienholder(true, Decimal::percent(35)),
            suite.lienholder(true, Decimal::percent(50)),
        ];
        let mut slashed = false;
        for op in &ops {
            let ok = apply(&mut suite, &users, &lhs, op);
            if ok && matches!(op, Op::LocalSlash(..) | Op::CrossSlash(..)) {
                slashed = true;
            }
            for user in &users {
                suite.check_invariants(user);
            }
            if !slashed {
                let accounts: AllAccountsResponse = suite.query(&QueryMsg::AllAccounts {
                    with_collateral: false,
                    start_after: None,
                    limit: None,
                });
                let collateral: u128 = accounts.accounts.iter().map(|a| a.account.bonded.u128()).sum();
                let local = suite.local();
                let local_liens: u128 = users.iter().map(|u| suite.lien(u, &local).high.u128()).sum();
                prop_assert_eq!(suite.balance(&suite.vault), collateral - local_liens);
                prop_assert_eq!(suite.balance(&local), local_liens);
            }
        }
        // every pending tx still resolves without error
        for tx in suite.pending() {
            if let Tx::InFlightStaking { id, lienholder, .. } = tx {
                suite.commit(&lienholder, id).unwrap();
            }
        }
        for user in &users {
            suite.check_invariants(user);
            let d = suite.details(user);
            prop_assert!(d.max_lien.is_settled() && d.total_slashable.is_settled());
        }
    }
}
