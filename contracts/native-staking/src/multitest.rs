//! Tests of native staking on cw-multi-test with the real proxy contract, the real staking
//! module and a vault stand-in that records every message it receives.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env, MockApi};
use cosmwasm_std::{
    coin, coins, from_json, to_json_binary, Addr, Binary, Coin, Decimal, Decimal256, Deps, DepsMut,
    Empty, Env, FullDelegation, MessageInfo, MsgResponse, Reply, Response, StdResult,
    SubMsgResponse, SubMsgResult, Uint128, Validator,
};
use cw_multi_test::{App, Contract, ContractWrapper, Executor, StakingInfo};
use cw_storage_plus::Item;
use cw_utils::PaymentError;

use mesh_apis::native_staking_proxy::{
    AccountedResponse, ConfigResponse as ProxyConfigResponse, ExecuteMsg as ProxyExecuteMsg,
    OwnerMsg, QueryMsg as ProxyQueryMsg,
};
use mesh_apis::vault::{ExecuteMsg as VaultExecuteMsg, SlashInfo};

use crate::contract::{self, INSTANTIATE_RESPONSE_TYPE_URL, REPLY_ID_INSTANTIATE_PROXY};
use crate::error::ContractError;
use crate::msg::{
    ConfigResponse, DelegatorSlash, ExecuteMsg, InstantiateMsg, MaxSlashResponse,
    OwnerByProxyResponse, ProxyByOwnerResponse, QueryMsg, StakeMsg, SudoMsg,
};

const DENOM: &str = "uosmo";
const UNBONDING: u64 = 1000;
const VAL1: &str = "val1";
const VAL2: &str = "val2";
const VAL3: &str = "val3";

// ---- vault stand-in: records (message, funds) of everything it receives ----

const RECEIVED: Item<Vec<(VaultExecuteMsg, Vec<Coin>)>> = Item::new("received");

fn vault_instantiate(deps: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    RECEIVED.save(deps.storage, &vec![])?;
    Ok(Response::new())
}

fn vault_execute(
    deps: DepsMut,
    _: Env,
    info: MessageInfo,
    msg: VaultExecuteMsg,
) -> StdResult<Response> {
    RECEIVED.update(deps.storage, |mut r| -> StdResult<_> {
        r.push((msg, info.funds));
        Ok(r)
    })?;
    Ok(Response::new())
}

/// `{}`: everything received; `{"claim": {..}}`: a local lien of 3 (for `proxy_closed`).
fn vault_query(deps: Deps, env: Env, msg: serde_json::Value) -> StdResult<Binary> {
    if msg.get("claim").is_some() {
        return to_json_binary(&mesh_apis::vault::LienResponse {
            lienholder: env.contract.address.to_string(),
            amount: mesh_apis::ValueRange::new_val(Uint128::new(3)),
            slashable: Decimal::percent(10),
        });
    }
    to_json_binary(&RECEIVED.load(deps.storage)?)
}

fn vault_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        vault_execute,
        vault_instantiate,
        vault_query,
    ))
}

fn native_staking_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(contract::execute, contract::instantiate, contract::query)
            .with_reply(contract::reply)
            .with_sudo(contract::sudo),
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

/// A chain with three validators, a vault stand-in holding 10_000, and native staking
/// instantiated by it (double-sign 15 %, offline 7 %).
struct Suite {
    app: App,
    vault: Addr,
    staking: Addr,
    proxy_code_id: u64,
}

impl Suite {
    fn new() -> Self {
        let mut app = App::default();
        let block = app.block_info();
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
            for val in [VAL1, VAL2, VAL3] {
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
        });
        let admin = app.api().addr_make("admin");
        let vault_code = app.store_code(vault_contract());
        let staking_code = app.store_code(native_staking_contract());
        let proxy_code_id = app.store_code(proxy_contract());
        let vault = app
            .instantiate_contract(vault_code, admin, &Empty {}, &[], "vault", None)
            .unwrap();
        app.init_modules(|router, _, storage| {
            router
                .bank
                .init_balance(storage, &vault, coins(10_000, DENOM))
        })
        .unwrap();
        let staking = app
            .instantiate_contract(
                staking_code,
                vault.clone(),
                &InstantiateMsg {
                    denom: DENOM.to_string(),
                    proxy_code_id,
                    slash_ratio_dsign: Decimal::percent(15),
                    slash_ratio_offline: Decimal::percent(7),
                },
                &[],
                "native-staking",
                None,
            )
            .unwrap();
        Suite {
            app,
            vault,
            staking,
            proxy_code_id,
        }
    }

    fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg, funds: &[Coin]) -> StdResult<()> {
        self.app
            .execute_contract(sender.clone(), self.staking.clone(), msg, funds)
            .map(|_| ())
    }

    /// The vault stakes `amount` for `owner` on `validator`.
    fn receive_stake(&mut self, owner: &Addr, validator: &str, amount: u128) -> StdResult<()> {
        let vault = self.vault.clone();
        self.exec(
            &vault,
            &receive_stake_msg(owner, validator),
            &coins(amount, DENOM),
        )
    }

    fn proxy_of(&self, owner: &Addr) -> Addr {
        let r: ProxyByOwnerResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.staking,
                &QueryMsg::ProxyByOwner {
                    owner: owner.to_string(),
                },
            )
            .unwrap();
        Addr::unchecked(r.proxy)
    }

    fn delegation(&self, delegator: &Addr, validator: &str) -> u128 {
        let d: Option<FullDelegation> = self
            .app
            .wrap()
            .query_delegation(delegator.to_string(), validator)
            .unwrap();
        d.map(|d| Uint128::try_from(d.amount.amount).unwrap().u128())
            .unwrap_or(0)
    }

    fn balance(&self, addr: &Addr) -> u128 {
        let c = self.app.wrap().query_balance(addr, DENOM).unwrap();
        Uint128::try_from(c.amount).unwrap().u128()
    }

    fn vault_received(&self) -> Vec<(VaultExecuteMsg, Vec<Coin>)> {
        self.app
            .wrap()
            .query_wasm_smart(&self.vault, &Empty {})
            .unwrap()
    }

    /// What `proxy`'s owner's lien counts on, per validator.
    fn accounted(&self, proxy: &Addr) -> Vec<(String, u128)> {
        let r: AccountedResponse = self
            .app
            .wrap()
            .query_wasm_smart(proxy, &ProxyQueryMsg::Accounted {})
            .unwrap();
        r.delegations
            .into_iter()
            .map(|d| (d.validator, d.amount.u128()))
            .collect()
    }

    fn proxy_config(&self, proxy: &Addr) -> ProxyConfigResponse {
        self.app
            .wrap()
            .query_wasm_smart(proxy, &ProxyQueryMsg::Config {})
            .unwrap()
    }

    fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds / 5;
        });
    }
}

fn receive_stake_msg(owner: &Addr, validator: &str) -> ExecuteMsg {
    ExecuteMsg::ReceiveStake {
        owner: owner.to_string(),
        msg: to_json_binary(&StakeMsg {
            validator: validator.to_string(),
        })
        .unwrap(),
    }
}

/// Assert that `res` failed with exactly the text of `expected`.
fn assert_err<T: std::fmt::Debug>(res: StdResult<T>, expected: ContractError) {
    let err = res.unwrap_err().to_string();
    let want = expected.to_string();
    assert!(err.contains(&want), "expected error `{want}`, got `{err}`");
}

fn not_vault(vault: &Addr, sender: &Addr) -> ContractError {
    ContractError::NotVault {
        vault: vault.to_string(),
        sender: sender.to_string(),
    }
}

// ---- instantiate and queries ----

/// The instantiator is recorded as the vault; config and max_slash report the ratios.
#[test]
fn instantiate_records_vault_and_ratios() {
    let suite = Suite::new();
    let cfg: ConfigResponse = suite
        .app
        .wrap()
        .query_wasm_smart(&suite.staking, &QueryMsg::Config {})
        .unwrap();
    assert_eq!(
        cfg,
        ConfigResponse {
            denom: DENOM.to_string(),
            proxy_code_id: suite.proxy_code_id,
            vault: suite.vault.to_string(),
            slash_ratio_dsign: Decimal::percent(15),
            slash_ratio_offline: Decimal::percent(7),
        }
    );
    let max: MaxSlashResponse = suite
        .app
        .wrap()
        .query_wasm_smart(&suite.staking, &QueryMsg::MaxSlash {})
        .unwrap();
    assert_eq!(
        max,
        MaxSlashResponse {
            slash_ratio_dsign: Decimal::percent(15),
            slash_ratio_offline: Decimal::percent(7),
        }
    );
}

/// Ratios above 1 are refused; exactly 1 is fine.
#[test]
fn instantiate_rejects_ratios_above_one() {
    let mut deps = mock_dependencies();
    let vault = MockApi::default().addr_make("vault");
    let msg = |dsign: Decimal, offline: Decimal| InstantiateMsg {
        denom: DENOM.to_string(),
        proxy_code_id: 2,
        slash_ratio_dsign: dsign,
        slash_ratio_offline: offline,
    };
    let above = Decimal::percent(101);
    let err = contract::instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&vault, &[]),
        msg(above, Decimal::percent(10)),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid double-sign slash ratio 1.01: must be at most 1"
    );
    let err = contract::instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&vault, &[]),
        msg(Decimal::percent(10), Decimal::percent(150)),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid offline slash ratio 1.5: must be at most 1"
    );
    contract::instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&vault, &[]),
        msg(Decimal::one(), Decimal::one()),
    )
    .unwrap();
}

/// Lookups of unknown owners and proxies fail with a clear message.
#[test]
fn queries_of_unknown_owner_and_proxy() {
    let suite = Suite::new();
    let nobody = suite.addr("nobody");
    let err = suite
        .app
        .wrap()
        .query_wasm_smart::<ProxyByOwnerResponse>(
            &suite.staking,
            &QueryMsg::ProxyByOwner {
                owner: nobody.to_string(),
            },
        )
        .unwrap_err();
    assert!(err
        .to_string()
        .contains(&format!("no proxy for owner {nobody}")));
    let err = suite
        .app
        .wrap()
        .query_wasm_smart::<OwnerByProxyResponse>(
            &suite.staking,
            &QueryMsg::OwnerByProxy {
                proxy: nobody.to_string(),
            },
        )
        .unwrap_err();
    assert!(err
        .to_string()
        .contains(&format!("{nobody} is not a native staking proxy")));
}

// ---- receive_stake (vault only) ----

/// The first stake creates the owner's proxy with the funds delegated and maps both ways.
#[test]
fn receive_stake_first_time_creates_proxy() {
    let mut suite = Suite::new();
    let alice = suite.addr("alice");
    suite.receive_stake(&alice, VAL1, 100).unwrap();

    let proxy = suite.proxy_of(&alice);
    let owner: OwnerByProxyResponse = suite
        .app
        .wrap()
        .query_wasm_smart(
            &suite.staking,
            &QueryMsg::OwnerByProxy {
                proxy: proxy.to_string(),
            },
        )
        .unwrap();
    assert_eq!(owner.owner, alice.to_string());
    assert_eq!(suite.delegation(&proxy, VAL1), 100);
    assert_eq!(suite.balance(&suite.vault), 9_900);
    assert_eq!(suite.balance(&suite.staking), 0);
    assert_eq!(suite.balance(&proxy), 0);
    let cfg = suite.proxy_config(&proxy);
    assert_eq!(cfg.parent, suite.staking.to_string());
    assert_eq!(cfg.owner, alice.to_string());
    let withdraw = suite
        .app
        .wrap()
        .query_delegator_withdraw_address(proxy.to_string())
        .unwrap();
    assert_eq!(withdraw, alice);
}

/// Later stakes go to the same proxy; another owner gets their own proxy.
#[test]
fn receive_stake_later_uses_same_proxy() {
    let mut suite = Suite::new();
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));
    suite.receive_stake(&alice, VAL1, 100).unwrap();
    let proxy = suite.proxy_of(&alice);
    suite.receive_stake(&alice, VAL2, 50).unwrap();
    suite.receive_stake(&alice, VAL1, 25).unwrap();
    assert_eq!(suite.proxy_of(&alice), proxy);
    assert_eq!(suite.delegation(&proxy, VAL1), 125);
    assert_eq!(suite.delegation(&proxy, VAL2), 50);

    suite.receive_stake(&bob, VAL1, 200).unwrap();
    let bob_proxy = suite.proxy_of(&bob);
    assert_ne!(bob_proxy, proxy);
    assert_eq!(suite.delegation(&bob_proxy, VAL1), 200);
    assert_eq!(suite.delegation(&proxy, VAL1), 125);
    assert_eq!(suite.balance(&suite.vault), 10_000 - 375);
}

/// Only the vault may stake, with funds in the denom, a valid stake msg and owner address.
#[test]
fn receive_stake_errors() {
    let mut suite = Suite::new();
    let (alice, stranger, vault) = (
        suite.addr("alice"),
        suite.addr("stranger"),
        suite.vault.clone(),
    );
    suite
        .app
        .init_modules(|router, _, storage| {
            router
                .bank
                .init_balance(storage, &stranger, coins(100, DENOM))
        })
        .unwrap();
    assert_err(
        suite.exec(
            &stranger,
            &receive_stake_msg(&alice, VAL1),
            &coins(100, DENOM),
        ),
        not_vault(&vault, &stranger),
    );
    assert_err(
        suite.exec(&vault, &receive_stake_msg(&alice, VAL1), &[]),
        ContractError::Payment(PaymentError::NoFunds {}),
    );
    assert_err(
        suite.exec(
            &vault,
            &ExecuteMsg::ReceiveStake {
                owner: alice.to_string(),
                msg: Binary::from(b"{\"validatorr\":\"val1\"}".to_vec()),
            },
            &coins(100, DENOM),
        ),
        ContractError::InvalidStakeMsg {
            reason: "kind: Serialization, error: missing field `validator`".to_string(),
        },
    );
    let err = suite
        .exec(
            &vault,
            &ExecuteMsg::ReceiveStake {
                owner: "not an address".to_string(),
                msg: to_json_binary(&StakeMsg {
                    validator: VAL1.to_string(),
                })
                .unwrap(),
            },
            &coins(100, DENOM),
        )
        .unwrap_err();
    assert!(err.to_string().contains("not an address"), "{err}");
    // An unknown validator fails in the staking module and nothing is recorded.
    assert!(suite
        .exec(
            &vault,
            &receive_stake_msg(&alice, "nope"),
            &coins(100, DENOM)
        )
        .is_err());
    assert_eq!(suite.balance(&vault), 10_000);
    let err = suite
        .app
        .wrap()
        .query_wasm_smart::<ProxyByOwnerResponse>(
            &suite.staking,
            &QueryMsg::ProxyByOwner {
                owner: alice.to_string(),
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("no proxy for owner"));
}

/// Funds in another denom are refused.
#[test]
fn receive_stake_wrong_denom() {
    let mut suite = Suite::new();
    let (alice, vault) = (suite.addr("alice"), suite.vault.clone());
    suite
        .app
        .init_modules(|router, _, storage| {
            router
                .bank
                .init_balance(storage, &vault, coins(100, "other"))
        })
        .unwrap();
    assert_err(
        suite.exec(
            &vault,
            &receive_stake_msg(&alice, VAL1),
            &coins(100, "other"),
        ),
        ContractError::Payment(PaymentError::MissingDenom(DENOM.to_string())),
    );
}

// ---- release_proxy_stake (proxies only) ----

/// Unstake on the proxy, wait out the unbonding period, release: the vault receives
/// `release_local_stake {owner}` with exactly the unbonded 40.
#[test]
fn release_proxy_stake_forwards_to_vault() {
    let mut suite = Suite::new();
    let alice = suite.addr("alice");
    suite.receive_stake(&alice, VAL1, 100).unwrap();
    let proxy = suite.proxy_of(&alice);
    suite
        .app
        .execute_contract(
            alice.clone(),
            proxy.clone(),
            &ProxyExecuteMsg::Unstake {
                validator: VAL1.to_string(),
                amount: coin(40, DENOM),
            },
            &[],
        )
        .unwrap();
    // Before the unbonding period: nothing reaches the vault.
    suite
        .app
        .execute_contract(
            alice.clone(),
            proxy.clone(),
            &ProxyExecuteMsg::ReleaseUnbonded {},
            &[],
        )
        .unwrap();
    assert_eq!(suite.vault_received(), vec![]);

    suite.advance(UNBONDING);
    suite
        .app
        .execute_contract(
            alice.clone(),
            proxy.clone(),
            &ProxyExecuteMsg::ReleaseUnbonded {},
            &[],
        )
        .unwrap();
    assert_eq!(
        suite.vault_received(),
        vec![(
            VaultExecuteMsg::ReleaseLocalStake {
                owner: alice.to_string()
            },
            coins(40, DENOM)
        )]
    );
    assert_eq!(suite.balance(&suite.vault), 9_940);
    assert_eq!(suite.balance(&suite.staking), 0);
    assert_eq!(suite.delegation(&proxy, VAL1), 60);
}

/// Only a registered proxy may call, and only with funds in the denom.
#[test]
fn release_proxy_stake_errors() {
    let mut suite = Suite::new();
    let (alice, stranger, vault) = (
        suite.addr("alice"),
        suite.addr("stranger"),
        suite.vault.clone(),
    );
    suite.receive_stake(&alice, VAL1, 100).unwrap();
    let proxy = suite.proxy_of(&alice);
    suite
        .app
        .init_modules(|router, _, storage| {
            router
                .bank
                .init_balance(storage, &stranger, coins(10, DENOM))
        })
        .unwrap();
    assert_err(
        suite.exec(
            &stranger,
            &ExecuteMsg::ReleaseProxyStake {},
            &coins(10, DENOM),
        ),
        ContractError::NotProxy {
            sender: stranger.to_string(),
        },
    );
    assert_err(
        suite.exec(&vault, &ExecuteMsg::ReleaseProxyStake {}, &coins(10, DENOM)),
        ContractError::NotProxy {
            sender: vault.to_string(),
        },
    );
    assert_err(
        suite.exec(&alice, &ExecuteMsg::ReleaseProxyStake {}, &[]),
        ContractError::NotProxy {
            sender: alice.to_string(),
        },
    );
    assert_err(
        suite.exec(&proxy, &ExecuteMsg::ReleaseProxyStake {}, &[]),
        ContractError::Payment(PaymentError::NoFunds {}),
    );
    assert_eq!(suite.vault_received(), vec![]);
}

// ---- burn_stake (vault only) ----

/// The vault's burn goes to the owner's proxy: 30 undelegated from val1 and counted burned.
#[test]
fn burn_stake_forwards_to_proxy() {
    let mut suite = Suite::new();
    let (alice, vault) = (suite.addr("alice"), suite.vault.clone());
    suite.receive_stake(&alice, VAL1, 100).unwrap();
    let proxy = suite.proxy_of(&alice);
    suite
        .exec(
            &vault,
            &ExecuteMsg::BurnStake {
                owner: alice.to_string(),
                amount: coin(30, DENOM),
                validator: Some(VAL1.to_string()),
            },
            &[],
        )
        .unwrap();
    assert_eq!(suite.delegation(&proxy, VAL1), 70);
    assert_eq!(suite.proxy_config(&proxy).burned, Uint128::new(30));
    // Burned tokens never come back to the vault.
    suite.advance(UNBONDING);
    suite
        .app
        .execute_contract(
            alice,
            proxy.clone(),
            &ProxyExecuteMsg::ReleaseUnbonded {},
            &[],
        )
        .unwrap();
    assert_eq!(suite.vault_received(), vec![]);
    assert_eq!(suite.balance(&proxy), 0);
    assert_eq!(suite.proxy_config(&proxy).burned, Uint128::zero());
}

/// Only the vault may burn, without funds, in the denom, non-zero, for an owner with a proxy.
#[test]
fn burn_stake_errors() {
    let mut suite = Suite::new();
    let (alice, bob, stranger, vault) = (
        suite.addr("alice"),
        suite.addr("bob"),
        suite.addr("stranger"),
        suite.vault.clone(),
    );
    suite.receive_stake(&alice, VAL1, 100).unwrap();
    let burn = |owner: &Addr, amount: Coin| ExecuteMsg::BurnStake {
        owner: owner.to_string(),
        amount,
        validator: None,
    };
    assert_err(
        suite.exec(&stranger, &burn(&alice, coin(10, DENOM)), &[]),
        not_vault(&vault, &stranger),
    );
    assert_err(
        suite.exec(&alice, &burn(&alice, coin(10, DENOM)), &[]),
        not_vault(&vault, &alice),
    );
    assert_err(
        suite.exec(&vault, &burn(&alice, coin(10, DENOM)), &coins(1, DENOM)),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
    assert_err(
        suite.exec(&vault, &burn(&alice, coin(10, "other")), &[]),
        ContractError::InvalidDenom {
            expected: DENOM.to_string(),
            got: "other".to_string(),
        },
    );
    assert_err(
        suite.exec(&vault, &burn(&alice, coin(0, DENOM)), &[]),
        ContractError::ZeroAmount {},
    );
    assert_err(
        suite.exec(&vault, &burn(&bob, coin(10, DENOM)), &[]),
        ContractError::NoProxy {
            owner: bob.to_string(),
        },
    );
    let proxy = suite.proxy_of(&alice);
    assert_eq!(suite.delegation(&proxy, VAL1), 100);
}

// ---- sudo jailing ----

/// Tombstoned val1 (15 %) and jailed val2 (7 %): alice 100@val1 + 50@val2, bob 200@val1,
/// carol 5@val2 (7 % of 5 floors to 0). One local_slash per validator, slashes in proxy
/// address order; val3 (no delegations) and the duplicate val1 in `jailed` add nothing.
#[test]
fn jailing_reports_slashes_per_validator() {
    let mut suite = Suite::new();
    let (alice, bob, carol) = (suite.addr("alice"), suite.addr("bob"), suite.addr("carol"));
    suite.receive_stake(&alice, VAL1, 100).unwrap();
    suite.receive_stake(&alice, VAL2, 50).unwrap();
    suite.receive_stake(&bob, VAL1, 200).unwrap();
    suite.receive_stake(&carol, VAL2, 5).unwrap();

    let mut val1_slashes = vec![
        (suite.proxy_of(&alice), alice.clone(), 15u128),
        (suite.proxy_of(&bob), bob.clone(), 30),
    ];
    val1_slashes.sort_by(|a, b| a.0.cmp(&b.0));
    let val1_slashes: Vec<SlashInfo> = val1_slashes
        .into_iter()
        .map(|(_, user, slash)| SlashInfo {
            user: user.to_string(),
            slash: Uint128::new(slash),
        })
        .collect();

    let staking = suite.staking.clone();
    suite
        .app
        .wasm_sudo(
            staking,
            &SudoMsg::Jailing {
                jailed: Some(vec![VAL2.to_string(), VAL1.to_string(), VAL3.to_string()]),
                tombstoned: Some(vec![VAL1.to_string()]),
                slashed: None,
            },
        )
        .unwrap();
    assert_eq!(
        suite.vault_received(),
        vec![
            (
                VaultExecuteMsg::LocalSlash {
                    slashes: val1_slashes,
                    validator: VAL1.to_string(),
                },
                vec![]
            ),
            (
                VaultExecuteMsg::LocalSlash {
                    slashes: vec![SlashInfo {
                        user: alice.to_string(),
                        slash: Uint128::new(3),
                    }],
                    validator: VAL2.to_string(),
                },
                vec![]
            ),
        ]
    );
    // Each proxy no longer counts on what its owner was slashed.
    assert_eq!(
        suite.accounted(&suite.proxy_of(&alice)),
        vec![(VAL1.to_string(), 85), (VAL2.to_string(), 47)]
    );
    assert_eq!(
        suite.accounted(&suite.proxy_of(&bob)),
        vec![(VAL1.to_string(), 170)]
    );
}

/// Nothing to report (no lists, or no delegations) sends nothing to the vault.
#[test]
fn jailing_without_slashes_sends_nothing() {
    let mut suite = Suite::new();
    let alice = suite.addr("alice");
    suite.receive_stake(&alice, VAL1, 100).unwrap();
    let staking = suite.staking.clone();
    suite
        .app
        .wasm_sudo(
            staking.clone(),
            &SudoMsg::Jailing {
                jailed: None,
                tombstoned: None,
                slashed: None,
            },
        )
        .unwrap();
    suite
        .app
        .wasm_sudo(
            staking,
            &SudoMsg::Jailing {
                jailed: Some(vec![VAL3.to_string()]),
                tombstoned: Some(vec![VAL2.to_string()]),
                slashed: None,
            },
        )
        .unwrap();
    assert_eq!(suite.vault_received(), vec![]);
}

/// With the chain's own figures (`slashed`), each proxy's owner is slashed exactly what the
/// chain took from it, unbonding entries included, summed per validator; delegators that are
/// not our proxies and zero amounts are ignored; the delegation is not consulted.
#[test]
fn jailing_with_slashed_reports_what_the_chain_took() {
    let mut suite = Suite::new();
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));
    suite.receive_stake(&alice, VAL1, 100).unwrap();
    suite.receive_stake(&bob, VAL1, 200).unwrap();
    let (pa, pb) = (suite.proxy_of(&alice), suite.proxy_of(&bob));
    let stranger = suite.addr("stranger");
    let slash = |delegator: &Addr, amount: u128, unbonding: u128| DelegatorSlash {
        validator: VAL1.to_string(),
        delegator: delegator.to_string(),
        amount: Uint128::new(amount),
        unbonding: Uint128::new(unbonding),
        redelegated: vec![],
    };
    let staking = suite.staking.clone();
    suite
        .app
        .wasm_sudo(
            staking,
            &SudoMsg::Jailing {
                jailed: Some(vec![VAL1.to_string()]),
                tombstoned: None,
                // alice: 10 from the delegation and 7 from an unbonding entry.
                slashed: Some(vec![
                    slash(&pa, 10, 0),
                    slash(&stranger, 99, 0),
                    slash(&pb, 0, 0),
                    slash(&pa, 7, 7),
                ]),
            },
        )
        .unwrap();
    assert_eq!(
        suite.vault_received(),
        vec![(
            VaultExecuteMsg::LocalSlash {
                slashes: vec![SlashInfo {
                    user: alice.to_string(),
                    slash: Uint128::new(17),
                }],
                validator: VAL1.to_string(),
            },
            vec![]
        )]
    );
    // The proxy no longer counts on the 10 taken from its delegation.
    assert_eq!(suite.accounted(&pa), vec![(VAL1.to_string(), 90)]);
    assert_eq!(suite.accounted(&pb), vec![(VAL1.to_string(), 200)]);
}

// ---- rounding ----

/// A proxy's rounding loss becomes a local_slash of its owner; an unknown sender is refused.
#[test]
fn rounding_loss_is_slashed_for_the_proxy_owner() {
    let mut suite = Suite::new();
    let alice = suite.addr("alice");
    suite.receive_stake(&alice, VAL1, 100).unwrap();
    let proxy = suite.proxy_of(&alice);
    let loss = ExecuteMsg::RoundingLoss {
        validator: VAL1.to_string(),
        amount: Uint128::new(1),
    };
    let staking = suite.staking.clone();
    suite
        .app
        .execute_contract(proxy, staking.clone(), &loss, &[])
        .unwrap();
    assert_eq!(
        suite.vault_received().last().unwrap().0,
        VaultExecuteMsg::LocalSlash {
            slashes: vec![SlashInfo {
                user: alice.to_string(),
                slash: Uint128::new(1),
            }],
            validator: VAL1.to_string(),
        }
    );
    let stranger = suite.addr("stranger");
    assert!(suite
        .app
        .execute_contract(stranger, staking, &loss, &[])
        .is_err());
}

/// A closed proxy's owner has the rest of their local lien (the chain's rounding) slashed.
#[test]
fn proxy_closed_writes_off_the_rest_of_the_lien() {
    let mut suite = Suite::new();
    let alice = suite.addr("alice");
    suite.receive_stake(&alice, VAL1, 100).unwrap();
    let proxy = suite.proxy_of(&alice);
    let staking = suite.staking.clone();
    suite
        .app
        .execute_contract(proxy, staking, &ExecuteMsg::ProxyClosed {}, &[])
        .unwrap();
    assert_eq!(
        suite.vault_received().last().unwrap().0,
        VaultExecuteMsg::LocalSlash {
            slashes: vec![SlashInfo {
                user: alice.to_string(),
                slash: Uint128::new(3),
            }],
            validator: String::new(),
        }
    );
}

// ---- reply ----

/// Protobuf `MsgInstantiateContractResponse { contract_address, data }`.
fn instantiate_response_bytes(addr: &str, data: Option<&[u8]>) -> Binary {
    let mut out = vec![0x0a, addr.len() as u8];
    out.extend_from_slice(addr.as_bytes());
    if let Some(data) = data {
        out.push(0x12);
        out.push(data.len() as u8);
        out.extend_from_slice(data);
    }
    Binary::from(out)
}

#[allow(deprecated)]
fn reply_with(id: u64, msg_responses: Vec<MsgResponse>, data: Option<Binary>) -> Reply {
    Reply {
        id,
        payload: Binary::default(),
        gas_used: 0,
        result: SubMsgResult::Ok(SubMsgResponse {
            events: vec![],
            data,
            msg_responses,
        }),
    }
}

/// The reply reads the proxy address and owner from `msg_responses`, or from the legacy
/// `data` field, and rejects unknown ids and missing owner data.
#[test]
fn reply_parses_instantiate_response() {
    let api = MockApi::default();
    let (vault, alice, proxy) = (
        api.addr_make("vault"),
        api.addr_make("alice"),
        api.addr_make("proxy"),
    );
    let mut deps = mock_dependencies();
    contract::instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&vault, &[]),
        InstantiateMsg {
            denom: DENOM.to_string(),
            proxy_code_id: 2,
            slash_ratio_dsign: Decimal::percent(10),
            slash_ratio_offline: Decimal::percent(5),
        },
    )
    .unwrap();
    let owner_data = to_json_binary(&OwnerMsg {
        owner: alice.to_string(),
    })
    .unwrap();
    let bytes = instantiate_response_bytes(proxy.as_str(), Some(owner_data.as_slice()));

    // CosmWasm 2+: msg_responses.
    let reply = reply_with(
        REPLY_ID_INSTANTIATE_PROXY,
        vec![MsgResponse {
            type_url: INSTANTIATE_RESPONSE_TYPE_URL.to_string(),
            value: bytes.clone(),
        }],
        None,
    );
    contract::reply(deps.as_mut(), mock_env(), reply).unwrap();
    let res: ProxyByOwnerResponse = from_json(
        contract::query(
            deps.as_ref(),
            mock_env(),
            QueryMsg::ProxyByOwner {
                owner: alice.to_string(),
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(res.proxy, proxy.to_string());

    // Legacy: data only.
    let bob = api.addr_make("bob");
    let bob_proxy = api.addr_make("bob_proxy");
    let bob_data = to_json_binary(&OwnerMsg {
        owner: bob.to_string(),
    })
    .unwrap();
    let reply = reply_with(
        REPLY_ID_INSTANTIATE_PROXY,
        vec![],
        Some(instantiate_response_bytes(
            bob_proxy.as_str(),
            Some(bob_data.as_slice()),
        )),
    );
    contract::reply(deps.as_mut(), mock_env(), reply).unwrap();
    let res: OwnerByProxyResponse = from_json(
        contract::query(
            deps.as_ref(),
            mock_env(),
            QueryMsg::OwnerByProxy {
                proxy: bob_proxy.to_string(),
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(res.owner, bob.to_string());

    // Unknown id.
    let reply = reply_with(7, vec![], None);
    let err = contract::reply(deps.as_mut(), mock_env(), reply).unwrap_err();
    assert_eq!(err.to_string(), "unknown reply id 7");

    // No owner data.
    let reply = reply_with(
        REPLY_ID_INSTANTIATE_PROXY,
        vec![MsgResponse {
            type_url: INSTANTIATE_RESPONSE_TYPE_URL.to_string(),
            value: instantiate_response_bytes(proxy.as_str(), None),
        }],
        None,
    );
    let err = contract::reply(deps.as_mut(), mock_env(), reply).unwrap_err();
    assert_eq!(
        err.to_string(),
        "proxy instantiation returned no owner data"
    );
    let reply = reply_with(REPLY_ID_INSTANTIATE_PROXY, vec![], None);
    let err = contract::reply(deps.as_mut(), mock_env(), reply).unwrap_err();
    assert_eq!(
        err.to_string(),
        "proxy instantiation returned no owner data"
    );
}
