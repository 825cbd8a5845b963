//! Provider-side integration: the real vault, native staking and proxy contracts on
//! cw-multi-test's real staking module (docs/system.md, "The provider's contracts": the seed's
//! local part).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    coin, coins, to_json_binary, Addr, Binary, Coin, Decimal, Decimal256, Deps, DepsMut, Empty,
    Env, FullDelegation, MessageInfo, Response, StdResult, Uint128, Validator, WasmMsg,
};
use cw_multi_test::{App, Contract, ContractWrapper, Executor, StakingInfo, StakingSudo, SudoMsg};

use mesh_apis::lienholder::{LienholderQueryMsg, MaxSlashResponse, StakeMsg};
use mesh_apis::native_staking::{
    ExecuteMsg as NsExecuteMsg, InstantiateMsg as NsInstantiateMsg, ProxyByOwnerResponse,
    QueryMsg as NsQueryMsg, SudoMsg as NsSudoMsg,
};
use mesh_apis::native_staking_proxy::ExecuteMsg as ProxyExecuteMsg;
use mesh_apis::vault::{
    AccountDetailsResponse, AccountResponse, ConfigResponse as VaultConfigResponse,
    ExecuteMsg as VaultExecuteMsg, InstantiateMsg as VaultInstantiateMsg, LienResponse,
    LocalStakingInfo, QueryMsg as VaultQueryMsg, SlashInfo,
};
use mesh_apis::ValueRange;

const DENOM: &str = "uosmo";
/// The chain's unbonding period: 21 days.
const UNBONDING: u64 = 21 * 24 * 60 * 60;
const YEAR: u64 = 365 * 24 * 60 * 60;
const VAL1: &str = "val1";
const VAL2: &str = "val2";

fn vault_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            mesh_vault::contract::execute,
            mesh_vault::contract::instantiate,
            mesh_vault::contract::query,
        )
        .with_reply(mesh_vault::contract::reply),
    )
}

fn native_staking_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            mesh_native_staking::contract::execute,
            mesh_native_staking::contract::instantiate,
            mesh_native_staking::contract::query,
        )
        .with_reply(mesh_native_staking::contract::reply)
        .with_sudo(mesh_native_staking::contract::sudo),
    )
}

fn proxy_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            mesh_native_staking_proxy::contract::execute,
            mesh_native_staking_proxy::contract::instantiate,
            mesh_native_staking_proxy::contract::query,
        )
        .with_reply(mesh_native_staking_proxy::contract::reply),
    )
}

// ---- cross staker stand-in: commits every stake at once and reports a slash when told ----

/// What the stand-in accepts: the vault's cross-staking calls, plus the test's trigger.
#[cw_serde]
enum CrossStandInMsg {
    /// From the vault: commit the tx right away.
    ReceiveVirtualStake {
        owner: String,
        amount: Coin,
        tx_id: u64,
        msg: Binary,
    },
    /// From the vault after a slash elsewhere: accepted, nothing to do.
    BurnVirtualStake {
        owner: String,
        amount: Coin,
        validator: Option<String>,
    },
    /// From the test: report `slash` of `user` on `validator` to `vault`.
    ReportSlash {
        vault: String,
        user: String,
        slash: Uint128,
        validator: String,
    },
}

fn cross_instantiate(_: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    Ok(Response::new())
}

fn cross_execute(
    _: DepsMut,
    _: Env,
    info: MessageInfo,
    msg: CrossStandInMsg,
) -> StdResult<Response> {
    match msg {
        CrossStandInMsg::ReceiveVirtualStake { tx_id, .. } => {
            Ok(Response::new().add_message(WasmMsg::Execute {
                contract_addr: info.sender.to_string(),
                msg: to_json_binary(&VaultExecuteMsg::CommitTx { tx_id })?,
                funds: vec![],
            }))
        }
        CrossStandInMsg::BurnVirtualStake { .. } => Ok(Response::new()),
        CrossStandInMsg::ReportSlash {
            vault,
            user,
            slash,
            validator,
        } => Ok(Response::new().add_message(WasmMsg::Execute {
            contract_addr: vault,
            msg: to_json_binary(&VaultExecuteMsg::CrossSlash {
                slashes: vec![SlashInfo { user, slash }],
                validator,
            })?,
            funds: vec![],
        })),
    }
}

fn cross_query(_: Deps, _: Env, msg: LienholderQueryMsg) -> StdResult<Binary> {
    match msg {
        LienholderQueryMsg::MaxSlash {} => to_json_binary(&MaxSlashResponse {
            slash_ratio_dsign: Decimal::percent(10),
            slash_ratio_offline: Decimal::percent(10),
        }),
    }
}

fn cross_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        cross_execute,
        cross_instantiate,
        cross_query,
    ))
}

/// The provider chain: validators val1 and val2 (no commission, 10 % APR, 21-day unbonding),
/// the vault with its local staker (double-sign 20 %, offline 10 %), and a user holding 1000.
struct Provider {
    app: App,
    vault: Addr,
    native_staking: Addr,
    user: Addr,
}

impl Provider {
    fn new() -> Self {
        let mut app = App::default();
        let block = app.block_info();
        let user = app.api().addr_make("user");
        let admin = app.api().addr_make("admin");
        app.init_modules(|router, api, storage| {
            router
                .staking
                .setup(
                    storage,
                    StakingInfo {
                        bonded_denom: DENOM.to_string(),
                        unbonding_time: UNBONDING,
                        apr: Decimal256::percent(10),
                    },
                )
                .unwrap();
            for val in [VAL1, VAL2] {
                let v = Validator::create(
                    val.to_string(),
                    Decimal::zero(),
                    Decimal::one(),
                    Decimal::one(),
                );
                router
                    .staking
                    .add_validator(api, storage, &block, v)
                    .unwrap();
            }
            router
                .bank
                .init_balance(storage, &user, coins(1000, DENOM))
                .unwrap();
        });
        let vault_code = app.store_code(vault_contract());
        let ns_code = app.store_code(native_staking_contract());
        let proxy_code = app.store_code(proxy_contract());
        let vault = app
            .instantiate_contract(
                vault_code,
                admin,
                &VaultInstantiateMsg {
                    denom: DENOM.to_string(),
                    local_staking: Some(LocalStakingInfo {
                        code_id: ns_code,
                        msg: to_json_binary(&NsInstantiateMsg {
                            denom: DENOM.to_string(),
                            proxy_code_id: proxy_code,
                            slash_ratio_dsign: Decimal::percent(20),
                            slash_ratio_offline: Decimal::percent(10),
                        })
                        .unwrap(),
                        label: None,
                    }),
                },
                &[],
                "vault",
                None,
            )
            .unwrap();
        let cfg: VaultConfigResponse = app
            .wrap()
            .query_wasm_smart(&vault, &VaultQueryMsg::Config {})
            .unwrap();
        let native_staking = Addr::unchecked(cfg.local_staking.expect("local staking recorded"));
        Provider {
            app,
            vault,
            native_staking,
            user,
        }
    }

    fn bond(&mut self, amount: u128) {
        self.app
            .execute_contract(
                self.user.clone(),
                self.vault.clone(),
                &VaultExecuteMsg::Bond {},
                &coins(amount, DENOM),
            )
            .unwrap();
    }

    fn stake_local(&mut self, validator: &str, amount: u128) {
        self.app
            .execute_contract(
                self.user.clone(),
                self.vault.clone(),
                &VaultExecuteMsg::StakeLocal {
                    amount: coin(amount, DENOM),
                    msg: to_json_binary(&StakeMsg {
                        validator: validator.to_string(),
                    })
                    .unwrap(),
                },
                &[],
            )
            .unwrap();
    }

    fn proxy(&self) -> Addr {
        let r: ProxyByOwnerResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.native_staking,
                &NsQueryMsg::ProxyByOwner {
                    owner: self.user.to_string(),
                },
            )
            .unwrap();
        Addr::unchecked(r.proxy)
    }

    fn proxy_exec(&mut self, msg: &ProxyExecuteMsg) {
        let proxy = self.proxy();
        self.app
            .execute_contract(self.user.clone(), proxy, msg, &[])
            .unwrap();
    }

    fn delegation(&self, validator: &str) -> u128 {
        let d: Option<FullDelegation> = self
            .app
            .wrap()
            .query_delegation(self.proxy().to_string(), validator)
            .unwrap();
        d.map(|d| Uint128::try_from(d.amount.amount).unwrap().u128())
            .unwrap_or(0)
    }

    fn balance(&self, addr: &Addr) -> u128 {
        let c: Coin = self.app.wrap().query_balance(addr, DENOM).unwrap();
        Uint128::try_from(c.amount).unwrap().u128()
    }

    fn account(&self) -> AccountResponse {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.vault,
                &VaultQueryMsg::Account {
                    account: self.user.to_string(),
                },
            )
            .unwrap()
    }

    fn details(&self) -> AccountDetailsResponse {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.vault,
                &VaultQueryMsg::AccountDetails {
                    account: self.user.to_string(),
                },
            )
            .unwrap()
    }

    fn local_lien(&self) -> LienResponse {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.vault,
                &VaultQueryMsg::Claim {
                    account: self.user.to_string(),
                    lienholder: self.native_staking.to_string(),
                },
            )
            .unwrap()
    }

    fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds / 5;
        });
    }
}

fn val(v: u128) -> ValueRange {
    ValueRange::new_val(Uint128::new(v))
}

/// The seed's local part: bond 300, stake_local 100 on val1 → the chain holds a 100 delegation
/// from the user's proxy and the vault shows the lien (free 200, slashable 20 at 20 %).
#[test]
fn seed_local_stake_delegates_and_liens() {
    let mut p = Provider::new();
    p.bond(300);
    p.stake_local(VAL1, 100);

    assert_eq!(p.delegation(VAL1), 100);
    assert_eq!(p.balance(&p.user), 700);
    assert_eq!(p.balance(&p.vault), 200);
    assert_eq!(p.balance(&p.native_staking), 0);
    assert_eq!(p.balance(&p.proxy()), 0);

    let account = p.account();
    assert_eq!(account.bonded, Uint128::new(300));
    assert_eq!(account.free, val(200));
    let lien = p.local_lien();
    assert_eq!(lien.lienholder, p.native_staking.to_string());
    assert_eq!(lien.amount, val(100));
    assert_eq!(lien.slashable, Decimal::percent(20));
    let details = p.details();
    assert_eq!(details.max_lien, val(100));
    assert_eq!(details.total_slashable, val(20));
}

/// Local unstake: the lien stays until the chain's unbonding period has passed
/// (release_unbonded moves nothing before); after it exactly the 60 unbonded come back,
/// the lien drops to 40 and the collateral is free (260), and can be withdrawn.
#[test]
fn local_unstake_releases_lien_only_after_unbonding() {
    let mut p = Provider::new();
    p.bond(300);
    p.stake_local(VAL1, 100);
    p.proxy_exec(&ProxyExecuteMsg::Unstake {
        validator: VAL1.to_string(),
        amount: coin(60, DENOM),
    });
    assert_eq!(p.delegation(VAL1), 40);

    // Right away: nothing to release.
    p.proxy_exec(&ProxyExecuteMsg::ReleaseUnbonded {});
    assert_eq!(p.account().free, val(200));
    assert_eq!(p.local_lien().amount, val(100));
    assert_eq!(p.balance(&p.vault), 200);

    // One second before the end of the unbonding period: still nothing.
    p.advance(UNBONDING - 1);
    p.proxy_exec(&ProxyExecuteMsg::ReleaseUnbonded {});
    assert_eq!(p.account().free, val(200));
    assert_eq!(p.local_lien().amount, val(100));
    assert_eq!(p.balance(&p.proxy()), 0);

    // Unbonding done: exactly 60 go back to the vault and free the lien.
    p.advance(1);
    assert_eq!(p.balance(&p.proxy()), 60);
    p.proxy_exec(&ProxyExecuteMsg::ReleaseUnbonded {});
    assert_eq!(p.balance(&p.proxy()), 0);
    assert_eq!(p.balance(&p.vault), 260);
    let account = p.account();
    assert_eq!(account.bonded, Uint128::new(300));
    assert_eq!(account.free, val(260));
    assert_eq!(p.local_lien().amount, val(40));
    let details = p.details();
    assert_eq!(details.max_lien, val(40));
    assert_eq!(details.total_slashable, val(8));

    // The freed collateral can be withdrawn.
    p.app
        .execute_contract(
            p.user.clone(),
            p.vault.clone(),
            &VaultExecuteMsg::Unbond {
                amount: coin(260, DENOM),
            },
            &[],
        )
        .unwrap();
    assert_eq!(p.balance(&p.user), 960);
    assert_eq!(p.account().bonded, Uint128::new(40));
    assert_eq!(p.account().free, val(0));
}

/// Restake moves the delegation (the lien is unchanged); withdraw_rewards pays the owner:
/// a year at 10 % on 70 + 30 is 7 + 3 = 10.
#[test]
fn restake_moves_delegation_and_rewards_go_to_owner() {
    let mut p = Provider::new();
    p.bond(300);
    p.stake_local(VAL1, 100);
    p.proxy_exec(&ProxyExecuteMsg::Restake {
        src_validator: VAL1.to_string(),
        dst_validator: VAL2.to_string(),
        amount: coin(30, DENOM),
    });
    assert_eq!(p.delegation(VAL1), 70);
    assert_eq!(p.delegation(VAL2), 30);
    assert_eq!(p.local_lien().amount, val(100));
    assert_eq!(p.account().free, val(200));

    p.advance(YEAR);
    p.proxy_exec(&ProxyExecuteMsg::WithdrawRewards {});
    assert_eq!(p.balance(&p.user), 700 + 10);
    assert_eq!(p.balance(&p.proxy()), 0);
    assert_eq!(p.account().free, val(200));
}

/// A second stake_local reuses the user's proxy and adds to the same lien.
#[test]
fn second_local_stake_uses_same_proxy() {
    let mut p = Provider::new();
    p.bond(300);
    p.stake_local(VAL1, 100);
    let proxy = p.proxy();
    p.stake_local(VAL2, 50);
    assert_eq!(p.proxy(), proxy);
    assert_eq!(p.delegation(VAL1), 100);
    assert_eq!(p.delegation(VAL2), 50);
    assert_eq!(p.local_lien().amount, val(150));
    assert_eq!(p.account().free, val(150));
}

/// Tombstoning val1 reports 20 % of the 100 delegation to the vault as a local slash:
/// collateral 280, lien 80. After the chain's own 20 % slash (delegation 80), unstaking the
/// rest and releasing it after unbonding frees the whole 280.
#[test]
fn jailing_slashes_through_vault() {
    let mut p = Provider::new();
    p.bond(300);
    p.stake_local(VAL1, 100);
    let ns = p.native_staking.clone();
    p.app
        .wasm_sudo(
            ns,
            &NsSudoMsg::Jailing {
                jailed: None,
                tombstoned: Some(vec![VAL1.to_string()]),
                slashed: None,
            },
        )
        .unwrap();
    let account = p.account();
    assert_eq!(account.bonded, Uint128::new(280));
    assert_eq!(p.local_lien().amount, val(80));
    assert_eq!(account.free, val(200));

    p.app
        .sudo(SudoMsg::Staking(StakingSudo::Slash {
            validator: VAL1.to_string(),
            percentage: Decimal256::percent(20),
        }))
        .unwrap();
    assert_eq!(p.delegation(VAL1), 80);
    p.proxy_exec(&ProxyExecuteMsg::Unstake {
        validator: VAL1.to_string(),
        amount: coin(80, DENOM),
    });
    p.advance(UNBONDING);
    p.proxy_exec(&ProxyExecuteMsg::ReleaseUnbonded {});
    // The lien is fully released (the vault drops an emptied lien).
    let details = p.details();
    assert_eq!(details.max_lien, val(0));
    assert_eq!(details.total_slashable, val(0));
    let account = p.account();
    assert_eq!(account.bonded, Uint128::new(280));
    assert_eq!(account.free, val(280));
    assert_eq!(p.balance(&p.vault), 280);
}

/// Only the vault may call receive_stake: a user calling native staking directly is refused.
#[test]
fn user_cannot_bypass_vault() {
    let mut p = Provider::new();
    let err = p
        .app
        .execute_contract(
            p.user.clone(),
            p.native_staking.clone(),
            &NsExecuteMsg::ReceiveStake {
                owner: p.user.to_string(),
                msg: to_json_binary(&StakeMsg {
                    validator: VAL1.to_string(),
                })
                .unwrap(),
            },
            &coins(100, DENOM),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("unauthorized: only the vault"),
        "{err}"
    );
    assert_eq!(p.balance(&p.user), 1000);
}

/// Slash propagation (docs/slashing.md, worked example 2): collateral 200, local 200, cross 200,
/// free 0. A cross slash of 20 clamps the local lien to the new collateral 180, and the vault
/// burns 20 on native staking: the proxy undelegates 20 and counts them burned. When the user
/// later unstakes the remaining 180, release burns the 20 and returns exactly 180 to the vault.
#[test]
fn cross_slash_burns_local_stake_through_proxy() {
    let mut p = Provider::new();
    let cross_code = p.app.store_code(cross_contract());
    let admin = p.app.api().addr_make("admin");
    let cross = p
        .app
        .instantiate_contract(cross_code, admin, &Empty {}, &[], "cross", None)
        .unwrap();
    p.bond(200);
    p.stake_local(VAL1, 200);
    p.app
        .execute_contract(
            p.user.clone(),
            p.vault.clone(),
            &VaultExecuteMsg::StakeRemote {
                contract: cross.to_string(),
                amount: coin(200, DENOM),
                msg: to_json_binary(&StakeMsg {
                    validator: "juno-val1".to_string(),
                })
                .unwrap(),
            },
            &[],
        )
        .unwrap();
    assert_eq!(p.account().free, val(0));

    p.app
        .execute_contract(
            p.user.clone(),
            cross.clone(),
            &CrossStandInMsg::ReportSlash {
                vault: p.vault.to_string(),
                user: p.user.to_string(),
                slash: Uint128::new(20),
                validator: "juno-val1".to_string(),
            },
            &[],
        )
        .unwrap();
    let account = p.account();
    assert_eq!(account.bonded, Uint128::new(180));
    assert_eq!(account.free, val(0));
    assert_eq!(p.local_lien().amount, val(180));
    assert_eq!(p.delegation(VAL1), 180);
    let proxy_cfg: mesh_apis::native_staking_proxy::ConfigResponse = p
        .app
        .wrap()
        .query_wasm_smart(
            p.proxy(),
            &mesh_apis::native_staking_proxy::QueryMsg::Config {},
        )
        .unwrap();
    assert_eq!(proxy_cfg.burned, Uint128::new(20));

    p.proxy_exec(&ProxyExecuteMsg::Unstake {
        validator: VAL1.to_string(),
        amount: coin(180, DENOM),
    });
    p.advance(UNBONDING);
    assert_eq!(p.balance(&p.proxy()), 200);
    let supply_before = p.app.wrap().query_supply(DENOM).unwrap().amount;
    p.proxy_exec(&ProxyExecuteMsg::ReleaseUnbonded {});
    let supply_after = p.app.wrap().query_supply(DENOM).unwrap().amount;
    assert_eq!(
        Uint128::try_from(supply_before - supply_after).unwrap(),
        Uint128::new(20)
    );
    assert_eq!(p.balance(&p.proxy()), 0);
    assert_eq!(p.balance(&p.vault), 180);
    let details = p.details();
    assert_eq!(details.bonded, Uint128::new(180));
    // Only the cross lien (180 at 10 %) is left.
    assert_eq!(details.max_lien, val(180));
    assert_eq!(details.total_slashable, val(18));
    assert_eq!(details.free, val(0));
}
