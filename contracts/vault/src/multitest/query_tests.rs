//! Queries: accounts, claims, pending txs and external stakers, with pagination (default 10,
//! maximum 30).

use cosmwasm_std::Decimal;

use super::suite::{assert_err, range, u, val, Suite, DENOM};
use crate::error::ContractError;
use crate::msg::{
    AccountClaimsResponse, AccountResponse, AllAccountsResponse, AllActiveExternalStakingResponse,
    AllTxsResponse, QueryMsg, Tx,
};

/// An unknown user has an empty account; invalid addresses and missing liens are errors.
#[test]
fn account_and_claim_queries() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(10));
    assert_eq!(
        suite.account(&alice),
        AccountResponse {
            denom: DENOM.to_string(),
            bonded: u(0),
            free: val(0)
        }
    );
    suite.bond(&alice, 300).unwrap();
    suite.stake_remote(&alice, &lh, 100, "v").unwrap();
    let d = suite.details(&alice);
    assert_eq!(
        (d.bonded, d.free, d.max_lien, d.total_slashable),
        (u(300), range(200, 300), range(0, 100), range(0, 10))
    );
    let claim = suite.claim(&alice, &lh).unwrap();
    assert_eq!(claim.lienholder, lh.to_string());
    let err = suite.app.wrap().query_wasm_smart::<AccountResponse>(
        &suite.vault,
        &QueryMsg::Account {
            account: "not-an-address".to_string(),
        },
    );
    assert!(err.is_err());
    let missing = suite
        .app
        .wrap()
        .query_wasm_smart::<crate::msg::LienResponse>(
            &suite.vault,
            &QueryMsg::Claim {
                account: alice.to_string(),
                lienholder: suite.local().to_string(),
            },
        );
    assert_err(
        missing,
        ContractError::UnknownLienholder {
            owner: alice.to_string(),
            lienholder: suite.local().to_string(),
        },
    );
}

/// account_claims pages through a user's liens by lienholder address.
#[test]
fn account_claims_pagination() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 1000);
    suite.bond(&alice, 1000).unwrap();
    suite.stake_local(&alice, 10, "val1").unwrap();
    let mut holders = vec![suite.local().to_string()];
    for i in 0..3 {
        let lh = suite.lienholder(true, Decimal::percent(10));
        suite.stake_remote(&alice, &lh, 20 + i, "v").unwrap();
        holders.push(lh.to_string());
    }
    holders.sort();
    let page = |start_after: Option<String>, limit| -> Vec<String> {
        let resp: AccountClaimsResponse = suite.query(&QueryMsg::AccountClaims {
            account: alice.to_string(),
            start_after,
            limit,
        });
        resp.claims.into_iter().map(|c| c.lienholder).collect()
    };
    assert_eq!(page(None, None), holders);
    assert_eq!(page(None, Some(2)), holders[..2].to_vec());
    assert_eq!(
        page(Some(holders[1].clone()), Some(2)),
        holders[2..].to_vec()
    );
    assert_eq!(page(Some(holders[3].clone()), None), Vec::<String>::new());
}

/// all_accounts: default page 10, at most 30, `with_collateral` skips emptied accounts.
#[test]
fn all_accounts_pagination() {
    let mut suite = Suite::new();
    let mut users = vec![];
    for i in 0..35 {
        let user = suite.user(&format!("user{i}"), 100);
        suite.bond(&user, 10 + i).unwrap();
        users.push(user);
    }
    // two users withdraw everything
    suite.unbond(&users[0], 10).unwrap();
    suite.unbond(&users[1], 11).unwrap();
    let mut all: Vec<String> = users.iter().map(|u| u.to_string()).collect();
    all.sort();
    let page = |with_collateral, start_after: Option<String>, limit| -> AllAccountsResponse {
        suite.query(&QueryMsg::AllAccounts {
            with_collateral,
            start_after,
            limit,
        })
    };
    let names = |r: AllAccountsResponse| -> Vec<String> {
        r.accounts.into_iter().map(|a| a.user).collect()
    };
    assert_eq!(names(page(false, None, None)), all[..10].to_vec());
    assert_eq!(names(page(false, None, Some(100))), all[..30].to_vec());
    assert_eq!(
        names(page(false, Some(all[29].clone()), Some(30))),
        all[30..].to_vec()
    );
    let with: Vec<String> = all
        .iter()
        .filter(|a| **a != users[0].to_string() && **a != users[1].to_string())
        .cloned()
        .collect();
    assert_eq!(names(page(true, None, Some(30))), with[..30].to_vec());
    assert_eq!(
        names(page(true, Some(with[29].clone()), Some(30))),
        with[30..].to_vec()
    );
    // the items carry the account
    let first = page(false, Some(users[5].to_string()), Some(1)).accounts;
    let expected_user = all.iter().find(|a| **a > users[5].to_string()).unwrap();
    assert_eq!(&first[0].user, expected_user);
    let idx = users
        .iter()
        .position(|u| u.as_str() == expected_user)
        .unwrap();
    let bonded = if idx < 2 { 0 } else { 10 + idx as u128 };
    assert_eq!(first[0].account.bonded, u(bonded));
    assert_eq!(first[0].account.free, val(bonded));
}

/// pending_tx by id; all_pending_txs_desc newest first, pages of 10 by default, at most 30.
#[test]
fn pending_txs_pagination() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 1000);
    let lh = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 1000).unwrap();
    for _ in 0..32 {
        suite.stake_remote(&alice, &lh, 1, "v").unwrap();
    }
    let ids = |start_after, limit| -> Vec<u64> {
        let resp: AllTxsResponse = suite.query(&QueryMsg::AllPendingTxsDesc { start_after, limit });
        resp.txs.iter().map(Tx::tx_id).collect()
    };
    assert_eq!(ids(None, None), (23..=32).rev().collect::<Vec<_>>());
    assert_eq!(ids(None, Some(100)), (3..=32).rev().collect::<Vec<_>>());
    assert_eq!(ids(Some(3), None), vec![2, 1]);
    assert_eq!(ids(Some(20), Some(3)), vec![19, 18, 17]);
    let tx: Tx = suite.query(&QueryMsg::PendingTx { tx_id: 7 });
    assert_eq!(
        tx,
        Tx::InFlightStaking {
            id: 7,
            amount: u(1),
            slashable: u(0),
            user: alice.clone(),
            lienholder: lh.clone(),
        }
    );
    let missing = suite
        .app
        .wrap()
        .query_wasm_smart::<Tx>(&suite.vault, &QueryMsg::PendingTx { tx_id: 33 });
    assert_err(missing, ContractError::UnknownTx { tx_id: 33 });
}

/// active_external_staking lists each external staker once, in address order.
#[test]
fn active_external_staking_lists_used_contracts() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 1000);
    let lh1 = suite.lienholder(true, Decimal::percent(10));
    let lh2 = suite.lienholder(true, Decimal::percent(10));
    let _unused = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 1000).unwrap();
    suite.stake_remote(&alice, &lh2, 10, "v").unwrap();
    suite.stake_remote(&alice, &lh1, 10, "v").unwrap();
    suite.stake_remote(&alice, &lh2, 10, "v").unwrap();
    // still listed after its lien is gone ("ever used")
    suite.rollback(&lh1, 2).unwrap();
    let resp: AllActiveExternalStakingResponse = suite.query(&QueryMsg::ActiveExternalStaking {});
    let mut expected = vec![lh1.to_string(), lh2.to_string()];
    expected.sort();
    assert_eq!(resp.contracts, expected);
}
