//! Every execute message: the success path with exact numbers, every error it can return, and
//! authorization of the restricted ones.

use cosmwasm_std::{coin, coins, Decimal};
use cw_multi_test::Executor;
use cw_utils::PaymentError;

use super::cross_staker;
use super::local_staker;
use super::suite::{assert_err, assert_err_text, range, stake_msg, u, val, Suite, DENOM};
use crate::error::ContractError;
use crate::msg::{ConfigResponse, ExecuteMsg, QueryMsg};

// ---------------------------------------------------------------- instantiate

/// The vault instantiates its local staker, stores the address and the double-sign ratio.
#[test]
fn instantiate_records_local_staking() {
    let mut suite = Suite::with_local(Some(Decimal::percent(7)));
    let cfg: ConfigResponse = suite.query(&QueryMsg::Config {});
    assert_eq!(cfg.denom, DENOM);
    let local = suite.local();
    assert_eq!(cfg.local_staking, Some(local.to_string()));
    // the local staker was instantiated by the vault, with no admin and the default label
    let info = suite.app.contract_data(&local).unwrap();
    assert_eq!(info.creator, suite.vault);
    assert_eq!(info.admin, None);
    assert_eq!(info.label, "mesh-native-staking");
    // local liens use the stored ratio: floor(100 × 0.07) = 7
    let alice = suite.user("alice", 100);
    suite.bond(&alice, 100).unwrap();
    suite.stake_local(&alice, 100, "val1").unwrap();
    let claim = suite.claim(&alice, &local).unwrap();
    assert_eq!(claim.slashable, Decimal::percent(7));
    assert_eq!(suite.details(&alice).total_slashable, val(7));
}

/// Without local staking the config says so and `stake_local` errors `NoLocalStaking`.
#[test]
fn instantiate_without_local_staking() {
    let mut suite = Suite::with_local(None);
    let cfg: ConfigResponse = suite.query(&QueryMsg::Config {});
    assert_eq!(cfg.local_staking, None);
    let alice = suite.user("alice", 100);
    suite.bond(&alice, 100).unwrap();
    assert_err(
        suite.stake_local(&alice, 50, "val1"),
        ContractError::NoLocalStaking,
    );
}

/// A label given in the instantiate message is used.
#[test]
fn instantiate_uses_given_label() {
    use cosmwasm_std::to_json_binary;
    use cw_multi_test::Executor;
    let mut suite = Suite::with_local(None);
    let code = suite.app.store_code(super::suite::vault_contract());
    let vault = suite
        .app
        .instantiate_contract(
            code,
            suite.deployer.clone(),
            &crate::msg::InstantiateMsg {
                denom: DENOM.to_string(),
                local_staking: Some(crate::msg::LocalStakingInfo {
                    code_id: suite.local_code,
                    msg: to_json_binary(&local_staker::InstantiateMsg {
                        slash_ratio_dsign: Decimal::percent(5),
                        slash_ratio_offline: Decimal::percent(1),
                    })
                    .unwrap(),
                    label: Some("my-local".to_string()),
                }),
            },
            &[],
            "vault2",
            None,
        )
        .unwrap();
    let cfg: ConfigResponse = suite
        .app
        .wrap()
        .query_wasm_smart(&vault, &QueryMsg::Config {})
        .unwrap();
    let local = cosmwasm_std::Addr::unchecked(cfg.local_staking.unwrap());
    assert_eq!(suite.app.contract_data(&local).unwrap().label, "my-local");
}

// ---------------------------------------------------------------- bond

/// Bonding adds the attached funds to the collateral; repeated bonds add up.
#[test]
fn bond_adds_collateral() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    suite.bond(&alice, 200).unwrap();
    suite.bond(&alice, 50).unwrap();
    let acc = suite.account(&alice);
    assert_eq!(
        (acc.denom.as_str(), acc.bonded, acc.free),
        (DENOM, u(250), val(250))
    );
    assert_eq!(suite.balance(&alice), 250);
    assert_eq!(suite.balance(&suite.vault.clone()), 250);
}

/// Bond needs exactly one coin, in the collateral denom.
#[test]
fn bond_errors() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let vault = suite.vault.clone();
    suite
        .app
        .sudo(cw_multi_test::SudoMsg::Bank(
            cw_multi_test::BankSudo::Mint {
                to_address: alice.to_string(),
                amount: coins(100, "ujuno"),
            },
        ))
        .unwrap();
    assert_err(
        suite.exec(&alice, &ExecuteMsg::Bond {}, &[]),
        ContractError::Payment(PaymentError::NoFunds {}),
    );
    assert_err(
        suite.exec(&alice, &ExecuteMsg::Bond {}, &coins(10, "ujuno")),
        ContractError::Payment(PaymentError::MissingDenom(DENOM.to_string())),
    );
    assert_err(
        suite.exec(
            &alice,
            &ExecuteMsg::Bond {},
            &[coin(10, "ujuno"), coin(10, DENOM)],
        ),
        ContractError::Payment(PaymentError::MultipleDenoms {}),
    );
    assert_eq!(suite.account(&alice).bonded, u(0));
    assert_eq!(suite.balance(&vault), 0);
}

// ---------------------------------------------------------------- unbond

/// Unbonding free collateral sends it back at once.
#[test]
fn unbond_returns_tokens() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    suite.bond(&alice, 300).unwrap();
    suite.stake_local(&alice, 100, "val1").unwrap();
    suite.unbond(&alice, 200).unwrap();
    let d = suite.details(&alice);
    assert_eq!((d.bonded, d.free, d.max_lien), (u(100), val(0), val(100)));
    assert_eq!(suite.balance(&alice), 400);
    assert_eq!(suite.balance(&suite.vault.clone()), 0);
    suite.check_invariants(&alice);
}

/// Unbond errors: more than free (lower end while pending), wrong denom, zero, funds attached.
#[test]
fn unbond_errors() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 300).unwrap();
    suite.stake_remote(&alice, &lh, 120, "v").unwrap();
    // free is 180..300 while pending: only 180 is certain
    assert_eq!(suite.account(&alice).free, range(180, 300));
    assert_err(
        suite.unbond(&alice, 181),
        ContractError::ClaimsLocked {
            free: u(180),
            requested: u(181),
        },
    );
    assert_err(
        suite.exec(
            &alice,
            &ExecuteMsg::Unbond {
                amount: coin(10, "ujuno"),
            },
            &[],
        ),
        ContractError::UnexpectedDenom {
            expected: DENOM.to_string(),
            got: "ujuno".to_string(),
        },
    );
    assert_err(suite.unbond(&alice, 0), ContractError::ZeroAmount);
    assert_err(
        suite.exec(
            &alice,
            &ExecuteMsg::Unbond {
                amount: coin(10, DENOM),
            },
            &coins(1, DENOM),
        ),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
    // a user who never bonded has nothing free
    let bob = suite.user("bob", 0);
    assert_err(
        suite.unbond(&bob, 1),
        ContractError::ClaimsLocked {
            free: u(0),
            requested: u(1),
        },
    );
    suite.unbond(&alice, 180).unwrap();
    assert_eq!(suite.account(&alice).bonded, u(120));
}

// ---------------------------------------------------------------- stake_local

/// A local stake is a settled lien; the tokens go to the local staker with `receive_stake`.
#[test]
fn stake_local_works() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    suite.bond(&alice, 300).unwrap();
    suite.stake_local(&alice, 100, "val1").unwrap();
    suite.stake_local(&alice, 55, "val2").unwrap();
    let d = suite.details(&alice);
    // 10 + floor(55 × 0.1) = 15
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(155), val(15), val(145))
    );
    let local = suite.local();
    let claim = suite.claim(&alice, &local).unwrap();
    assert_eq!(
        (claim.amount, claim.slashable),
        (val(155), Decimal::percent(10))
    );
    let stakes: Vec<local_staker::Stake> = suite
        .app
        .wrap()
        .query_wasm_smart(&local, &local_staker::QueryMsg::Stakes {})
        .unwrap();
    assert_eq!(
        stakes,
        vec![
            local_staker::Stake {
                owner: alice.to_string(),
                amount: u(100),
                validator: "val1".to_string()
            },
            local_staker::Stake {
                owner: alice.to_string(),
                amount: u(55),
                validator: "val2".to_string()
            },
        ]
    );
    assert_eq!(suite.balance(&local), 155);
    assert_eq!(suite.balance(&suite.vault.clone()), 145);
    assert!(suite.pending().is_empty(), "local stakes are not pending");
    suite.check_invariants(&alice);
}

/// stake_local errors: over collateral, wrong denom, zero, funds attached, no local staking.
#[test]
fn stake_local_errors() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    suite.bond(&alice, 100).unwrap();
    assert_err(
        suite.stake_local(&alice, 101, "val1"),
        ContractError::InsufficientBalance {
            collateral: u(100),
            required: u(101),
        },
    );
    assert_err(
        suite.exec(
            &alice,
            &ExecuteMsg::StakeLocal {
                amount: coin(10, "ujuno"),
                msg: stake_msg("val1"),
            },
            &[],
        ),
        ContractError::UnexpectedDenom {
            expected: DENOM.to_string(),
            got: "ujuno".to_string(),
        },
    );
    assert_err(
        suite.stake_local(&alice, 0, "val1"),
        ContractError::ZeroAmount,
    );
    assert_err(
        suite.exec(
            &alice,
            &ExecuteMsg::StakeLocal {
                amount: coin(10, DENOM),
                msg: stake_msg("val1"),
            },
            &coins(10, DENOM),
        ),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
    let bob = suite.user("bob", 0);
    assert_err(
        suite.stake_local(&bob, 1, "val1"),
        ContractError::InsufficientBalance {
            collateral: u(0),
            required: u(1),
        },
    );
    assert_eq!(suite.details(&alice).max_lien, val(0));
}

/// With a local ratio above the remote ones, Σ slashable is the binding limit for stake_local.
#[test]
fn stake_local_checks_slashable_total() {
    let mut suite = Suite::with_local(Some(Decimal::percent(60)));
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(60));
    suite.bond(&alice, 100).unwrap();
    suite.stake_remote(&alice, &lh, 100, "v").unwrap();
    suite.commit(&lh, 1).unwrap();
    // 60 + floor(70 × 0.6) = 102 > 100
    assert_err(
        suite.stake_local(&alice, 70, "val1"),
        ContractError::InsufficientBalance {
            collateral: u(100),
            required: u(102),
        },
    );
    suite.stake_local(&alice, 66, "val1").unwrap();
    assert_eq!(suite.details(&alice).total_slashable, val(99));
    suite.check_invariants(&alice);
}

// ---------------------------------------------------------------- stake_remote

/// A remote stake is pending; the lienholder receives `receive_virtual_stake` with the tx id.
#[test]
fn stake_remote_works() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(20));
    suite.bond(&alice, 300).unwrap();
    suite.stake_remote(&alice, &lh, 99, "juno-val1").unwrap();
    let d = suite.details(&alice);
    // floor(99 × 0.2) = 19
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (range(0, 99), range(0, 19), range(201, 300))
    );
    let claim = suite.claim(&alice, &lh).unwrap();
    assert_eq!(
        (claim.amount, claim.slashable),
        (range(0, 99), Decimal::percent(20))
    );
    let received: Vec<cross_staker::Received> = suite
        .app
        .wrap()
        .query_wasm_smart(&lh, &cross_staker::QueryMsg::Received {})
        .unwrap();
    assert_eq!(
        received,
        vec![cross_staker::Received {
            owner: alice.to_string(),
            amount: u(99),
            tx_id: 1,
            validator: "juno-val1".to_string()
        }]
    );
    let active: crate::msg::AllActiveExternalStakingResponse =
        suite.query(&QueryMsg::ActiveExternalStaking {});
    assert_eq!(active.contracts, vec![lh.to_string()]);
    // no tokens move for a remote stake
    assert_eq!(suite.balance(&suite.vault.clone()), 300);
    suite.check_invariants(&alice);
}

/// The lien's ratio is fixed when the lien is created, whatever the lienholder answers later.
#[test]
fn stake_remote_ratio_fixed_at_creation() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 300).unwrap();
    suite.stake_remote(&alice, &lh, 100, "v").unwrap();
    suite
        .lh_exec(
            &lh,
            &cross_staker::ExecuteMsg::SetRatio {
                slash_ratio: Decimal::percent(50),
            },
        )
        .unwrap();
    suite.stake_remote(&alice, &lh, 100, "v").unwrap();
    let claim = suite.claim(&alice, &lh).unwrap();
    assert_eq!(claim.slashable, Decimal::percent(10));
    assert_eq!(suite.details(&alice).total_slashable, range(0, 20));
    // a new lien (after the old one was rolled back and deleted) takes the new ratio
    suite.rollback(&lh, 1).unwrap();
    suite.rollback(&lh, 2).unwrap();
    assert!(suite.claim(&alice, &lh).is_none());
    suite.stake_remote(&alice, &lh, 100, "v").unwrap();
    assert_eq!(
        suite.claim(&alice, &lh).unwrap().slashable,
        Decimal::percent(50)
    );
    assert_eq!(suite.details(&alice).total_slashable, range(0, 50));
}

/// A lienholder that rejects the stake reverts the whole transaction: no lien, no tx, no id used.
#[test]
fn stake_remote_rejected_by_lienholder_reverts() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let bad = suite.lienholder(false, Decimal::percent(10));
    let good = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 300).unwrap();
    assert_err_text(
        suite.stake_remote(&alice, &bad, 100, "v"),
        "test lienholder rejects the stake",
    );
    let d = suite.details(&alice);
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(0), val(0), val(300))
    );
    assert!(suite.claim(&alice, &bad).is_none());
    assert!(suite.pending().is_empty());
    let active: crate::msg::AllActiveExternalStakingResponse =
        suite.query(&QueryMsg::ActiveExternalStaking {});
    assert!(active.contracts.is_empty());
    // the next stake still gets id 1
    suite.stake_remote(&alice, &good, 100, "v").unwrap();
    assert_eq!(suite.pending()[0].tx_id(), 1);
}

/// stake_remote errors: lien over collateral, slashable over collateral, local staker named,
/// a contract that is no lienholder, wrong denom, zero, funds attached.
#[test]
fn stake_remote_errors() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(50));
    let heavy = suite.lienholder(true, Decimal::percent(100));
    suite.bond(&alice, 100).unwrap();
    suite.stake_remote(&alice, &lh, 80, "v").unwrap();
    // pending lien counts at its high end: 80 + 21 > 100
    assert_err(
        suite.stake_remote(&alice, &lh, 21, "v"),
        ContractError::InsufficientBalance {
            collateral: u(100),
            required: u(101),
        },
    );
    // Σ slashable: 40 + 61 > 100 (the lien, 61, would fit)
    assert_err(
        suite.stake_remote(&alice, &heavy, 61, "v"),
        ContractError::InsufficientBalance {
            collateral: u(100),
            required: u(101),
        },
    );
    let local = suite.local();
    assert_err(
        suite.stake_remote(&alice, &local, 10, "v"),
        ContractError::InvalidLienholder {
            contract: local.to_string(),
        },
    );
    // a plain account does not answer max_slash
    let nobody = suite.user("nobody", 0);
    assert_err_text(
        suite.stake_remote(&alice, &nobody, 10, "v"),
        &format!("{nobody} did not answer max_slash"),
    );
    // an invalid contract address is refused by address validation
    assert!(suite
        .exec(
            &alice,
            &ExecuteMsg::StakeRemote {
                contract: "not-an-address".to_string(),
                amount: coin(10, DENOM),
                msg: stake_msg("v"),
            },
            &[],
        )
        .is_err());
    assert_err(
        suite.exec(
            &alice,
            &ExecuteMsg::StakeRemote {
                contract: lh.to_string(),
                amount: coin(10, "ujuno"),
                msg: stake_msg("v"),
            },
            &[],
        ),
        ContractError::UnexpectedDenom {
            expected: DENOM.to_string(),
            got: "ujuno".to_string(),
        },
    );
    assert_err(
        suite.stake_remote(&alice, &lh, 0, "v"),
        ContractError::ZeroAmount,
    );
    assert_err(
        suite.exec(
            &alice,
            &ExecuteMsg::StakeRemote {
                contract: lh.to_string(),
                amount: coin(10, DENOM),
                msg: stake_msg("v"),
            },
            &coins(10, DENOM),
        ),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
    let d = suite.details(&alice);
    assert_eq!(
        (d.max_lien, d.total_slashable),
        (range(0, 80), range(0, 40))
    );
    assert_eq!(suite.pending().len(), 1);
}

// ---------------------------------------------------------------- commit_tx

/// Commit moves the lower ends up and removes the tx.
#[test]
fn commit_tx_works() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 300).unwrap();
    suite.stake_remote(&alice, &lh, 100, "v").unwrap();
    suite.stake_remote(&alice, &lh, 50, "v").unwrap();
    assert_eq!(suite.lien(&alice, &lh), range(0, 150));
    suite.commit(&lh, 2).unwrap();
    assert_eq!(suite.lien(&alice, &lh), range(50, 150));
    let d = suite.details(&alice);
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (range(50, 150), range(5, 15), range(150, 250))
    );
    suite.commit(&lh, 1).unwrap();
    let d = suite.details(&alice);
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(150), val(15), val(150))
    );
    assert!(suite.pending().is_empty());
    suite.check_invariants(&alice);
}

/// Commit errors: unknown tx, a tx of another lienholder, a user calling it, a second commit.
#[test]
fn commit_tx_errors() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(10));
    let other = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 300).unwrap();
    suite.stake_remote(&alice, &lh, 100, "v").unwrap();
    assert_err(suite.commit(&lh, 7), ContractError::UnknownTx { tx_id: 7 });
    assert_err(
        suite.commit(&other, 1),
        ContractError::WrongContractTx {
            tx_id: 1,
            sender: other.to_string(),
        },
    );
    assert_err(
        suite.exec(&alice, &ExecuteMsg::CommitTx { tx_id: 1 }, &[]),
        ContractError::WrongContractTx {
            tx_id: 1,
            sender: alice.to_string(),
        },
    );
    assert_eq!(suite.lien(&alice, &lh), range(0, 100));
    suite.commit(&lh, 1).unwrap();
    assert_err(suite.commit(&lh, 1), ContractError::UnknownTx { tx_id: 1 });
    assert_err(
        suite.rollback(&lh, 1),
        ContractError::UnknownTx { tx_id: 1 },
    );
    assert_eq!(suite.lien(&alice, &lh), val(100));
}

// ---------------------------------------------------------------- rollback_tx

/// Rollback moves the upper ends down, recomputes max_lien and deletes an emptied lien.
#[test]
fn rollback_tx_works() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 300).unwrap();
    suite.stake_local(&alice, 80, "val1").unwrap();
    suite.stake_remote(&alice, &lh, 100, "v").unwrap();
    suite.stake_remote(&alice, &lh, 50, "v").unwrap();
    suite.commit(&lh, 2).unwrap();
    suite.rollback(&lh, 1).unwrap();
    assert_eq!(suite.lien(&alice, &lh), val(50));
    let d = suite.details(&alice);
    // max_lien is the local lien again
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(80), val(13), val(220))
    );
    // a lien whose only stake is rolled back disappears
    let lh2 = suite.lienholder(true, Decimal::percent(10));
    suite.stake_remote(&alice, &lh2, 120, "v").unwrap();
    assert_eq!(suite.details(&alice).max_lien, range(80, 120));
    suite.rollback(&lh2, 3).unwrap();
    assert!(suite.claim(&alice, &lh2).is_none());
    let d = suite.details(&alice);
    assert_eq!((d.max_lien, d.total_slashable), (val(80), val(13)));
    assert!(suite.pending().is_empty());
    suite.check_invariants(&alice);
}

/// Rollback errors: unknown tx, a tx of another lienholder, a user calling it.
#[test]
fn rollback_tx_errors() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(10));
    let other = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 300).unwrap();
    suite.stake_remote(&alice, &lh, 100, "v").unwrap();
    assert_err(
        suite.rollback(&lh, 2),
        ContractError::UnknownTx { tx_id: 2 },
    );
    assert_err(
        suite.rollback(&other, 1),
        ContractError::WrongContractTx {
            tx_id: 1,
            sender: other.to_string(),
        },
    );
    assert_err(
        suite.exec(&alice, &ExecuteMsg::RollbackTx { tx_id: 1 }, &[]),
        ContractError::WrongContractTx {
            tx_id: 1,
            sender: alice.to_string(),
        },
    );
    suite.mint(&lh, 1);
    assert_err(
        suite.exec(&lh, &ExecuteMsg::RollbackTx { tx_id: 1 }, &coins(1, DENOM)),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
    assert_eq!(suite.lien(&alice, &lh), range(0, 100));
}

// ---------------------------------------------------------------- release_local_stake

/// The local staker returns tokens: the lien shrinks, collateral stays, the tokens are back.
#[test]
fn release_local_stake_works() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    suite.bond(&alice, 300).unwrap();
    suite.stake_local(&alice, 155, "val1").unwrap();
    suite.release_local(&alice, 55).unwrap();
    let d = suite.details(&alice);
    // 15 − floor(55 × 0.1) = 10
    assert_eq!(
        (d.bonded, d.max_lien, d.total_slashable, d.free),
        (u(300), val(100), val(10), val(200))
    );
    assert_eq!(suite.balance(&suite.vault.clone()), 200);
    assert_eq!(suite.balance(&suite.local()), 100);
    // releasing the rest deletes the lien and frees everything
    suite.release_local(&alice, 100).unwrap();
    assert!(suite.claim(&alice, &suite.local()).is_none());
    let d = suite.details(&alice);
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(0), val(0), val(300))
    );
    suite.unbond(&alice, 300).unwrap();
    assert_eq!(suite.balance(&alice), 500);
    suite.check_invariants(&alice);
}

/// Local staking may bring back more than the lien (the chain's share arithmetic made the
/// delegation worth a unit more): the whole lien is released and the rest is the owner's
/// collateral.
#[test]
fn release_local_stake_above_the_lien_adds_the_rest_to_collateral() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    suite.bond(&alice, 300).unwrap();
    suite.stake_local(&alice, 100, "val1").unwrap();
    // The stand-in for local staking got a token more back than was staked.
    let local = suite.local();
    suite
        .app
        .send_tokens(alice.clone(), local, &coins(1, DENOM))
        .unwrap();
    suite.release_local(&alice, 101).unwrap();
    assert!(suite.claim(&alice, &suite.local()).is_none());
    let d = suite.details(&alice);
    assert_eq!(
        (d.bonded, d.max_lien, d.total_slashable, d.free),
        (u(301), val(0), val(0), val(301))
    );
    assert_eq!(suite.balance(&suite.vault.clone()), 301);
    assert_eq!(suite.balance(&alice), 199);
    suite.check_invariants(&alice);
}

/// release_local_stake errors: from a user, from a cross lienholder, no funds, a vault without
/// local staking.
#[test]
fn release_local_stake_errors() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let bob = suite.user("bob", 500);
    let lh = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 300).unwrap();
    suite.bond(&bob, 300).unwrap();
    suite.stake_local(&alice, 100, "val1").unwrap();
    suite.stake_local(&bob, 100, "val1").unwrap();
    let release = ExecuteMsg::ReleaseLocalStake {
        owner: alice.to_string(),
    };
    assert_err(
        suite.exec(&alice, &release, &coins(10, DENOM)),
        ContractError::not_local_staking(alice.to_string()),
    );
    assert_err(
        suite.exec(&lh, &release, &[]),
        ContractError::not_local_staking(lh.to_string()),
    );
    let local = suite.local();
    assert_err(
        suite.exec(&local, &release, &[]),
        ContractError::Payment(PaymentError::NoFunds {}),
    );
    assert_eq!(suite.lien(&alice, &local), val(100));

    let mut bare = Suite::with_local(None);
    let dave = bare.user("dave", 100);
    assert_err(
        bare.exec(
            &dave,
            &ExecuteMsg::ReleaseLocalStake {
                owner: dave.to_string(),
            },
            &coins(10, DENOM),
        ),
        ContractError::NoLocalStaking,
    );
}

// ---------------------------------------------------------------- release_cross_stake

/// An external staker releases part of a lien: collateral unchanged, that much is free again.
#[test]
fn release_cross_stake_works() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(20));
    suite.bond(&alice, 300).unwrap();
    suite.stake_remote(&alice, &lh, 200, "v").unwrap();
    suite.commit(&lh, 1).unwrap();
    suite.stake_remote(&alice, &lh, 50, "v").unwrap();
    // release works on the settled part while another stake is pending
    suite.release_cross(&lh, &alice, 75).unwrap();
    assert_eq!(suite.lien(&alice, &lh), range(125, 175));
    let d = suite.details(&alice);
    // 40..50 − floor(75 × 0.2) = 25..35
    assert_eq!(
        (d.bonded, d.max_lien, d.total_slashable, d.free),
        (u(300), range(125, 175), range(25, 35), range(125, 175))
    );
    suite.commit(&lh, 2).unwrap();
    suite.release_cross(&lh, &alice, 175).unwrap();
    assert!(suite.claim(&alice, &lh).is_none());
    let d = suite.details(&alice);
    assert_eq!(
        (d.max_lien, d.total_slashable, d.free),
        (val(0), val(0), val(300))
    );
    suite.check_invariants(&alice);
}

/// Releases that do not divide evenly never fail and leave no slashable residue.
#[test]
fn release_cross_stake_rounding() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 300).unwrap();
    // two stakes of 15: slashable 1 + 1 = 2
    suite.stake_remote(&alice, &lh, 15, "v").unwrap();
    suite.stake_remote(&alice, &lh, 15, "v").unwrap();
    suite.commit(&lh, 1).unwrap();
    suite.commit(&lh, 2).unwrap();
    assert_eq!(suite.details(&alice).total_slashable, val(2));
    // one release of 30: floor(3) > 2, saturates
    suite.release_cross(&lh, &alice, 30).unwrap();
    assert_eq!(suite.details(&alice).total_slashable, val(0));
    // one stake of 30 (3), two releases of 15 (1 + 1): no residue once the lien is gone
    suite.stake_remote(&alice, &lh, 30, "v").unwrap();
    suite.commit(&lh, 3).unwrap();
    suite.release_cross(&lh, &alice, 15).unwrap();
    assert_eq!(suite.details(&alice).total_slashable, val(2));
    suite.release_cross(&lh, &alice, 15).unwrap();
    let d = suite.details(&alice);
    assert_eq!((d.total_slashable, d.free), (val(0), val(300)));
}

/// release_cross_stake errors: a contract with no lien, more than the settled lien, a user,
/// wrong denom, zero, funds attached.
#[test]
fn release_cross_stake_errors() {
    let mut suite = Suite::new();
    let alice = suite.user("alice", 500);
    let lh = suite.lienholder(true, Decimal::percent(10));
    let stranger = suite.lienholder(true, Decimal::percent(10));
    suite.bond(&alice, 300).unwrap();
    suite.stake_remote(&alice, &lh, 100, "v").unwrap();
    suite.commit(&lh, 1).unwrap();
    suite.stake_remote(&alice, &lh, 50, "v").unwrap();
    assert_err(
        suite.release_cross(&stranger, &alice, 10),
        ContractError::UnknownLienholder {
            owner: alice.to_string(),
            lienholder: stranger.to_string(),
        },
    );
    // only the settled (low) part can be released
    assert_err(
        suite.release_cross(&lh, &alice, 101),
        ContractError::InsufficientLien {
            lien: u(100),
            requested: u(101),
        },
    );
    let release = |amount| ExecuteMsg::ReleaseCrossStake {
        owner: alice.to_string(),
        amount,
    };
    assert_err(
        suite.exec(&alice, &release(coin(10, DENOM)), &[]),
        ContractError::UnknownLienholder {
            owner: alice.to_string(),
            lienholder: alice.to_string(),
        },
    );
    assert_err(
        suite.exec(&lh, &release(coin(10, "ujuno")), &[]),
        ContractError::UnexpectedDenom {
            expected: DENOM.to_string(),
            got: "ujuno".to_string(),
        },
    );
    assert_err(
        suite.release_cross(&lh, &alice, 0),
        ContractError::ZeroAmount,
    );
    suite.mint(&lh, 10);
    assert_err(
        suite.exec(&lh, &release(coin(10, DENOM)), &coins(10, DENOM)),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
    assert_eq!(suite.lien(&alice, &lh), range(100, 150));
}
