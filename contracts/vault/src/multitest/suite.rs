//! Test harness around cw-multi-test: a vault, an optional local staking stand-in and any number
//! of test cross lienholders.

use cosmwasm_std::{
    coin, coins, to_json_binary, Addr, Decimal, Empty, StdResult, Uint128, Uint256,
};
use cw_multi_test::{App, AppResponse, BankSudo, Contract, ContractWrapper, Executor, SudoMsg};
use mesh_apis::lienholder::StakeMsg;
use mesh_apis::{Tx, ValueRange};

use super::{cross_staker, local_staker};
use crate::contract::{execute, instantiate, query, reply};
use crate::error::ContractError;
use crate::msg::{
    AccountClaimsResponse, AccountDetailsResponse, AccountResponse, AllTxsResponse, ExecuteMsg,
    InstantiateMsg, LienResponse, LocalStakingInfo, QueryMsg, SlashInfo,
};

/// The collateral denom.
pub const DENOM: &str = "uosmo";

/// The vault as a multi-test contract.
pub fn vault_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query).with_reply(reply))
}

/// `n` tokens of the collateral denom.
pub fn u(n: u128) -> Uint128 {
    Uint128::new(n)
}

/// A settled range.
pub fn val(n: u128) -> ValueRange {
    ValueRange::new_val(u(n))
}

/// A range.
pub fn range(low: u128, high: u128) -> ValueRange {
    ValueRange::new(u(low), u(high))
}

/// Asserts that `res` failed with an error whose text contains `expected`'s text.
#[track_caller]
pub fn assert_err<T: std::fmt::Debug>(res: StdResult<T>, expected: ContractError) {
    let err = res.expect_err("expected an error").to_string();
    let want = expected.to_string();
    assert!(
        err.contains(&want),
        "error `{err}` does not contain `{want}`"
    );
}

/// Asserts that `res` failed with an error whose text contains `expected`.
#[track_caller]
pub fn assert_err_text<T: std::fmt::Debug>(res: StdResult<T>, expected: &str) {
    let err = res.expect_err("expected an error").to_string();
    assert!(
        err.contains(expected),
        "error `{err}` does not contain `{expected}`"
    );
}

/// The test world.
pub struct Suite {
    /// The chain.
    pub app: App,
    /// The vault.
    pub vault: Addr,
    /// The local staking stand-in, if the vault has one.
    pub local: Option<Addr>,
    /// Code id of the test cross lienholder.
    pub cross_code: u64,
    /// Code id of the local staking stand-in.
    pub local_code: u64,
    /// Who deploys contracts.
    pub deployer: Addr,
}

impl Suite {
    /// A vault with a local staking stand-in (double-sign ratio 10 %).
    pub fn new() -> Self {
        Self::with_local(Some(Decimal::percent(10)))
    }

    /// A vault with a local staker of the given double-sign ratio, or none.
    pub fn with_local(local_ratio: Option<Decimal>) -> Self {
        let mut app = App::default();
        let deployer = app.api().addr_make("deployer");
        let vault_code = app.store_code(vault_contract());
        let local_code = app.store_code(local_staker::contract());
        let cross_code = app.store_code(cross_staker::contract());
        let local_staking = local_ratio.map(|ratio| LocalStakingInfo {
            code_id: local_code,
            msg: to_json_binary(&local_staker::InstantiateMsg {
                slash_ratio_dsign: ratio,
                slash_ratio_offline: Decimal::percent(1),
            })
            .unwrap(),
            label: None,
        });
        let vault = app
            .instantiate_contract(
                vault_code,
                deployer.clone(),
                &InstantiateMsg {
                    denom: DENOM.to_string(),
                    local_staking,
                },
                &[],
                "vault",
                None,
            )
            .unwrap();
        let cfg: crate::msg::ConfigResponse = app
            .wrap()
            .query_wasm_smart(&vault, &QueryMsg::Config {})
            .unwrap();
        let local = cfg.local_staking.map(Addr::unchecked);
        Suite {
            app,
            vault,
            local,
            cross_code,
            local_code,
            deployer,
        }
    }

    /// A user address holding `balance` tokens.
    pub fn user(&mut self, name: &str, balance: u128) -> Addr {
        let addr = self.app.api().addr_make(name);
        if balance > 0 {
            self.mint(&addr, balance);
        }
        addr
    }

    /// Mints tokens of the collateral denom.
    pub fn mint(&mut self, to: &Addr, amount: u128) {
        self.app
            .sudo(SudoMsg::Bank(BankSudo::Mint {
                to_address: to.to_string(),
                amount: coins(amount, DENOM),
            }))
            .unwrap();
    }

    /// A new test cross lienholder.
    pub fn lienholder(&mut self, accept: bool, ratio: Decimal) -> Addr {
        self.app
            .instantiate_contract(
                self.cross_code,
                self.deployer.clone(),
                &cross_staker::InstantiateMsg {
                    vault: self.vault.to_string(),
                    accept,
                    slash_ratio: ratio,
                },
                &[],
                "cross",
                None,
            )
            .unwrap()
    }

    /// The local staking stand-in (panics if the vault has none).
    pub fn local(&self) -> Addr {
        self.local.clone().expect("vault without local staking")
    }

    /// Collateral balance of an address.
    pub fn balance(&self, addr: &Addr) -> u128 {
        let amount: Uint256 = self.app.wrap().query_balance(addr, DENOM).unwrap().amount;
        Uint128::try_from(amount).unwrap().u128()
    }

    /// Executes a vault message as `sender` with `funds`.
    pub fn exec(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[cosmwasm_std::Coin],
    ) -> StdResult<AppResponse> {
        let vault = self.vault.clone();
        self.app.execute_contract(sender.clone(), vault, msg, funds)
    }

    /// `bond {}` with `amount` tokens.
    pub fn bond(&mut self, user: &Addr, amount: u128) -> StdResult<AppResponse> {
        self.exec(user, &ExecuteMsg::Bond {}, &coins(amount, DENOM))
    }

    /// `unbond {amount}`.
    pub fn unbond(&mut self, user: &Addr, amount: u128) -> StdResult<AppResponse> {
        self.exec(
            user,
            &ExecuteMsg::Unbond {
                amount: coin(amount, DENOM),
            },
            &[],
        )
    }

    /// `stake_local {amount, msg: {validator}}`.
    pub fn stake_local(
        &mut self,
        user: &Addr,
        amount: u128,
        validator: &str,
    ) -> StdResult<AppResponse> {
        self.exec(
            user,
            &ExecuteMsg::StakeLocal {
                amount: coin(amount, DENOM),
                msg: stake_msg(validator),
            },
            &[],
        )
    }

    /// `stake_remote {contract, amount, msg: {validator}}`.
    pub fn stake_remote(
        &mut self,
        user: &Addr,
        contract: &Addr,
        amount: u128,
        validator: &str,
    ) -> StdResult<AppResponse> {
        self.exec(
            user,
            &ExecuteMsg::StakeRemote {
                contract: contract.to_string(),
                amount: coin(amount, DENOM),
                msg: stake_msg(validator),
            },
            &[],
        )
    }

    /// Tells a test lienholder to do something.
    pub fn lh_exec(
        &mut self,
        lienholder: &Addr,
        msg: &cross_staker::ExecuteMsg,
    ) -> StdResult<AppResponse> {
        let sender = self.deployer.clone();
        self.app
            .execute_contract(sender, lienholder.clone(), msg, &[])
    }

    /// The lienholder calls `commit_tx`.
    pub fn commit(&mut self, lienholder: &Addr, tx_id: u64) -> StdResult<AppResponse> {
        self.lh_exec(lienholder, &cross_staker::ExecuteMsg::Commit { tx_id })
    }

    /// The lienholder calls `rollback_tx`.
    pub fn rollback(&mut self, lienholder: &Addr, tx_id: u64) -> StdResult<AppResponse> {
        self.lh_exec(lienholder, &cross_staker::ExecuteMsg::Rollback { tx_id })
    }

    /// The lienholder calls `release_cross_stake`.
    pub fn release_cross(
        &mut self,
        lienholder: &Addr,
        owner: &Addr,
        amount: u128,
    ) -> StdResult<AppResponse> {
        self.lh_exec(
            lienholder,
            &cross_staker::ExecuteMsg::Release {
                owner: owner.to_string(),
                amount,
            },
        )
    }

    /// The lienholder calls `cross_slash` for one user.
    pub fn cross_slash(
        &mut self,
        lienholder: &Addr,
        owner: &Addr,
        slash: u128,
        validator: &str,
    ) -> StdResult<AppResponse> {
        self.lh_exec(
            lienholder,
            &cross_staker::ExecuteMsg::Slash {
                slashes: vec![SlashInfo {
                    user: owner.to_string(),
                    slash: u(slash),
                }],
                validator: validator.to_string(),
            },
        )
    }

    /// Tells the local staking stand-in to do something.
    pub fn local_exec(&mut self, msg: &local_staker::ExecuteMsg) -> StdResult<AppResponse> {
        let sender = self.deployer.clone();
        let local = self.local();
        self.app.execute_contract(sender, local, msg, &[])
    }

    /// The local staker returns `amount` tokens with `release_local_stake`.
    pub fn release_local(&mut self, owner: &Addr, amount: u128) -> StdResult<AppResponse> {
        self.local_exec(&local_staker::ExecuteMsg::Release {
            owner: owner.to_string(),
            amount,
        })
    }

    /// The local staker calls `local_slash` for one user.
    pub fn local_slash(
        &mut self,
        owner: &Addr,
        slash: u128,
        validator: &str,
    ) -> StdResult<AppResponse> {
        self.local_exec(&local_staker::ExecuteMsg::Slash {
            slashes: vec![SlashInfo {
                user: owner.to_string(),
                slash: u(slash),
            }],
            validator: validator.to_string(),
        })
    }

    /// `account {account}`.
    pub fn account(&self, user: &Addr) -> AccountResponse {
        self.query(&QueryMsg::Account {
            account: user.to_string(),
        })
    }

    /// `account_details {account}`.
    pub fn details(&self, user: &Addr) -> AccountDetailsResponse {
        self.query(&QueryMsg::AccountDetails {
            account: user.to_string(),
        })
    }

    /// `claim {account, lienholder}`, `None` when there is no lien.
    pub fn claim(&self, user: &Addr, lienholder: &Addr) -> Option<LienResponse> {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.vault,
                &QueryMsg::Claim {
                    account: user.to_string(),
                    lienholder: lienholder.to_string(),
                },
            )
            .ok()
    }

    /// A lien's amount, zero when there is no lien.
    pub fn lien(&self, user: &Addr, lienholder: &Addr) -> ValueRange {
        self.claim(user, lienholder)
            .map(|c| c.amount)
            .unwrap_or_default()
    }

    /// Every lien of a user (one page of 30).
    pub fn claims(&self, user: &Addr) -> Vec<LienResponse> {
        let resp: AccountClaimsResponse = self.query(&QueryMsg::AccountClaims {
            account: user.to_string(),
            start_after: None,
            limit: Some(30),
        });
        resp.claims
    }

    /// Pending txs, newest first (one page of 30).
    pub fn pending(&self) -> Vec<Tx> {
        let resp: AllTxsResponse = self.query(&QueryMsg::AllPendingTxsDesc {
            start_after: None,
            limit: Some(30),
        });
        resp.txs
    }

    /// Queries the vault.
    pub fn query<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app.wrap().query_wasm_smart(&self.vault, msg).unwrap()
    }

    /// Burns recorded by a test lienholder.
    pub fn cross_burns(&self, lienholder: &Addr) -> Vec<cross_staker::Burn> {
        self.app
            .wrap()
            .query_wasm_smart(lienholder, &cross_staker::QueryMsg::Burns {})
            .unwrap()
    }

    /// Burns recorded by the local staking stand-in.
    pub fn local_burns(&self) -> Vec<local_staker::Burn> {
        self.app
            .wrap()
            .query_wasm_smart(self.local(), &local_staker::QueryMsg::Burns {})
            .unwrap()
    }

    /// Checks the seed's invariants and the derived figures for `user`:
    /// `max_lien <= collateral`, `total_slashable <= collateral`, `max_lien` is the largest lien,
    /// ranges ordered, and `free = collateral − max(max_lien, total_slashable)`.
    #[track_caller]
    pub fn check_invariants(&self, user: &Addr) {
        let d = self.details(user);
        assert!(d.max_lien.low <= d.max_lien.high, "{d:?}");
        assert!(d.total_slashable.low <= d.total_slashable.high, "{d:?}");
        assert!(d.max_lien.high <= d.bonded, "max_lien > collateral: {d:?}");
        assert!(
            d.total_slashable.high <= d.bonded,
            "total_slashable > collateral: {d:?}"
        );
        let claims = self.claims(user);
        let max = claims
            .iter()
            .fold(ValueRange::zero(), |m, c| m.max(c.amount));
        assert_eq!(d.max_lien, max, "max_lien is not the largest lien");
        let used = d.max_lien.max(d.total_slashable);
        assert_eq!(
            d.free,
            ValueRange::new(d.bonded - used.high, d.bonded - used.low),
            "free is not collateral − used"
        );
        let mut holders: Vec<_> = claims.iter().map(|c| c.lienholder.clone()).collect();
        holders.dedup();
        assert_eq!(holders.len(), claims.len(), "one lien per lienholder");
    }
}

/// The `{"validator": ...}` stake message.
pub fn stake_msg(validator: &str) -> cosmwasm_std::Binary {
    to_json_binary(&StakeMsg {
        validator: validator.to_string(),
    })
    .unwrap()
}
