//! Tests of the proxy on cw-multi-test with its real staking and distribution modules, an
//! accepting governance module and a parent stand-in contract that records what comes back.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env, MockApi};
use cosmwasm_std::{
    coin, coins, from_json, to_json_binary, Addr, Binary, Decimal, Decimal256, Deps, DepsMut,
    DistributionMsg, Empty, Env, FullDelegation, MessageInfo, Response, StakingMsg, StdError,
    StdResult, Uint128, Validator, VoteOption, WeightedVoteOption,
};
use cw_multi_test::{
    App, AppBuilder, BankKeeper, Contract, ContractWrapper, DistributionKeeper, Executor,
    FailingModule, GovAcceptingModule, IbcFailingModule, StakeKeeper, StakingInfo, StakingSudo,
    StargateFailing, WasmKeeper,
};
use cw_storage_plus::Item;
use cw_utils::PaymentError;
use proptest::prelude::*;

use mesh_apis::native_staking::{ExecuteMsg as ParentExecuteMsg, RedelegationSlash};

use crate::contract::{self, spread_burn};
use crate::error::ContractError;
use crate::msg::{
    AccountedResponse, ConfigResponse, ExecuteMsg, InstantiateMsg, OwnerMsg, QueryMsg,
};

/// The staking denom of the test chain.
const DENOM: &str = "uosmo";
/// The chain's unbonding period in seconds.
const UNBONDING: u64 = 1000;
/// One year in seconds (the staking module's reward year).
const YEAR: u64 = 60 * 60 * 24 * 365;
const VAL1: &str = "val1";
const VAL2: &str = "val2";

/// The app with an accepting governance module.
type MeshApp = App<
    BankKeeper,
    MockApi,
    cosmwasm_std::testing::MockStorage,
    FailingModule<Empty, Empty, Empty>,
    WasmKeeper<Empty, Empty>,
    StakeKeeper,
    DistributionKeeper,
    IbcFailingModule,
    GovAcceptingModule,
    StargateFailing,
>;

// ---- parent stand-in: records the total released to it through `release_proxy_stake` ----

const RELEASED: Item<Uint128> = Item::new("released");
/// How many `proxy_closed` the parent got.
const CLOSED: Item<u32> = Item::new("closed");
/// The rounding losses reported to the parent, in order.
const LOSSES: Item<Vec<(String, Uint128)>> = Item::new("losses");

fn parent_instantiate(deps: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    RELEASED.save(deps.storage, &Uint128::zero())?;
    Ok(Response::new())
}

fn parent_execute(
    deps: DepsMut,
    _: Env,
    info: MessageInfo,
    msg: ParentExecuteMsg,
) -> StdResult<Response> {
    match msg {
        ParentExecuteMsg::ReleaseProxyStake {} => {
            let amount: Uint128 = info
                .funds
                .iter()
                .map(|c| Uint128::try_from(c.amount).unwrap())
                .sum();
            RELEASED.update(deps.storage, |r| -> StdResult<_> { Ok(r + amount) })?;
            Ok(Response::new())
        }
        ParentExecuteMsg::RoundingLoss { validator, amount } => {
            let mut losses = LOSSES.may_load(deps.storage)?.unwrap_or_default();
            losses.push((validator, amount));
            LOSSES.save(deps.storage, &losses)?;
            Ok(Response::new())
        }
        ParentExecuteMsg::ProxyClosed {} => {
            let closed = CLOSED.may_load(deps.storage)?.unwrap_or_default();
            CLOSED.save(deps.storage, &(closed + 1))?;
            Ok(Response::new())
        }
        _ => Err(StdError::msg("parent stand-in: unexpected message")),
    }
}

/// `{}`: the total released; `{"closed": {}}`: how many `proxy_closed` arrived;
/// `{"losses": {}}`: the rounding losses reported.
fn parent_query(deps: Deps, _: Env, msg: serde_json::Value) -> StdResult<Binary> {
    if msg.get("losses").is_some() {
        return to_json_binary(&LOSSES.may_load(deps.storage)?.unwrap_or_default());
    }
    if msg.get("closed").is_some() {
        return to_json_binary(&CLOSED.may_load(deps.storage)?.unwrap_or_default());
    }
    to_json_binary(&RELEASED.load(deps.storage)?)
}

fn parent_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        parent_execute,
        parent_instantiate,
        parent_query,
    ))
}

fn proxy_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(contract::execute, contract::instantiate, contract::query)
            .with_reply(contract::reply),
    )
}

/// A chain with two validators (no commission, 10 % APR), a parent stand-in holding 1000,
/// and a proxy for `owner` created by the parent with 100 delegated to val1.
struct Suite {
    app: MeshApp,
    parent: Addr,
    owner: Addr,
    proxy: Addr,
}

impl Suite {
    fn new() -> Self {
        let mut app: MeshApp =
            AppBuilder::new()
                .with_gov(GovAcceptingModule::new())
                .build(|router, api, storage| {
                    let block = mock_env().block;
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
                });
        let owner = app.api().addr_make("owner");
        let admin = app.api().addr_make("admin");
        let parent_code = app.store_code(parent_contract());
        let proxy_code = app.store_code(proxy_contract());
        let parent = app
            .instantiate_contract(parent_code, admin, &Empty {}, &[], "parent", None)
            .unwrap();
        app.init_modules(|router, _, storage| {
            router
                .bank
                .init_balance(storage, &parent, coins(1000, DENOM))
        })
        .unwrap();
        let proxy = app
            .instantiate_contract(
                proxy_code,
                parent.clone(),
                &InstantiateMsg {
                    denom: DENOM.to_string(),
                    owner: owner.to_string(),
                    validator: VAL1.to_string(),
                },
                &coins(100, DENOM),
                "proxy",
                None,
            )
            .unwrap();
        Suite {
            app,
            parent,
            owner,
            proxy,
        }
    }

    fn stranger(&self) -> Addr {
        self.app.api().addr_make("stranger")
    }

    fn exec(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[cosmwasm_std::Coin],
    ) -> StdResult<()> {
        self.app
            .execute_contract(sender.clone(), self.proxy.clone(), msg, funds)
            .map(|_| ())
    }

    fn delegation(&self, validator: &str) -> u128 {
        let d: Option<FullDelegation> = self
            .app
            .wrap()
            .query_delegation(self.proxy.to_string(), validator)
            .unwrap();
        d.map(|d| Uint128::try_from(d.amount.amount).unwrap().u128())
            .unwrap_or(0)
    }

    fn balance(&self, addr: &Addr) -> u128 {
        let c = self.app.wrap().query_balance(addr, DENOM).unwrap();
        Uint128::try_from(c.amount).unwrap().u128()
    }

    fn released(&self) -> u128 {
        let r: Uint128 = self
            .app
            .wrap()
            .query_wasm_smart(&self.parent, &Empty {})
            .unwrap();
        r.u128()
    }

    fn losses(&self) -> Vec<(String, u128)> {
        let losses: Vec<(String, Uint128)> = self
            .app
            .wrap()
            .query_wasm_smart(&self.parent, &serde_json::json!({"losses": {}}))
            .unwrap();
        losses.into_iter().map(|(v, a)| (v, a.u128())).collect()
    }

    fn accounted(&self) -> Vec<(String, u128)> {
        let r: AccountedResponse = self
            .app
            .wrap()
            .query_wasm_smart(&self.proxy, &QueryMsg::Accounted {})
            .unwrap();
        r.delegations
            .into_iter()
            .map(|d| (d.validator, d.amount.u128()))
            .collect()
    }

    /// The chain slashes `validator` by `percent` without anyone telling the proxy.
    fn chain_slash(&mut self, validator: &str, percent: u64) {
        self.app
            .sudo(cw_multi_test::SudoMsg::Staking(StakingSudo::Slash {
                validator: validator.to_string(),
                percentage: Decimal256::percent(percent),
            }))
            .unwrap();
    }

    fn config(&self) -> ConfigResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.proxy, &QueryMsg::Config {})
            .unwrap()
    }

    fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds / 5;
        });
    }
}

/// Assert that `res` failed with exactly the text of `expected`.
fn assert_err(res: StdResult<()>, expected: ContractError) {
    let err = res.unwrap_err().to_string();
    let want = expected.to_string();
    assert!(err.contains(&want), "expected error `{want}`, got `{err}`");
}

fn unauthorized(role: &str, expected: &Addr, sender: &Addr) -> ContractError {
    ContractError::Unauthorized {
        role: role.to_string(),
        expected: expected.to_string(),
        sender: sender.to_string(),
    }
}

// ---- instantiate ----

/// Instantiation delegates the funds, sets the owner as reward recipient and returns the owner.
#[test]
fn instantiate_returns_delegate_withdraw_address_and_owner_data() {
    let mut deps = mock_dependencies();
    let api = MockApi::default();
    let parent = api.addr_make("parent");
    let owner = api.addr_make("owner");
    let res = contract::instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&parent, &coins(100, DENOM)),
        InstantiateMsg {
            denom: DENOM.to_string(),
            owner: owner.to_string(),
            validator: VAL1.to_string(),
        },
    )
    .unwrap();
    assert_eq!(res.messages.len(), 2);
    assert_eq!(
        res.messages[0].msg,
        StakingMsg::Delegate {
            validator: VAL1.to_string(),
            amount: coin(100, DENOM)
        }
        .into()
    );
    assert_eq!(
        res.messages[1].msg,
        DistributionMsg::SetWithdrawAddress {
            address: owner.to_string()
        }
        .into()
    );
    let data: OwnerMsg = from_json(res.data.unwrap()).unwrap();
    assert_eq!(data.owner, owner.to_string());
}

/// On the chain: 100 delegated to val1, rewards go to the owner, config is recorded.
#[test]
fn instantiate_on_chain() {
    let suite = Suite::new();
    assert_eq!(suite.delegation(VAL1), 100);
    assert_eq!(suite.delegation(VAL2), 0);
    assert_eq!(suite.balance(&suite.parent), 900);
    assert_eq!(suite.balance(&suite.proxy), 0);
    let withdraw = suite
        .app
        .wrap()
        .query_delegator_withdraw_address(suite.proxy.to_string())
        .unwrap();
    assert_eq!(withdraw, suite.owner);
    assert_eq!(
        suite.config(),
        ConfigResponse {
            denom: DENOM.to_string(),
            parent: suite.parent.to_string(),
            owner: suite.owner.to_string(),
            burned: Uint128::zero(),
        }
    );
}

/// Instantiation takes funds only in the staking denom (none: nothing is delegated yet, as
/// when native staking creates a proxy and stakes once it has registered it) and a valid owner
/// address.
#[test]
fn instantiate_errors() {
    let api = MockApi::default();
    let parent = api.addr_make("parent");
    let msg = InstantiateMsg {
        denom: DENOM.to_string(),
        owner: api.addr_make("owner").to_string(),
        validator: VAL1.to_string(),
    };
    let mut deps = mock_dependencies();
    let res = contract::instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&parent, &[]),
        msg.clone(),
    )
    .unwrap();
    assert_eq!(res.messages.len(), 1, "only the withdraw address: {res:?}");
    let err = contract::instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&parent, &coins(100, "other")),
        msg.clone(),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        ContractError::Payment(PaymentError::ExtraDenom(_))
    ));
    let err = contract::instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&parent, &coins(100, DENOM)),
        InstantiateMsg {
            owner: "not an address".to_string(),
            ..msg
        },
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)));
}

// ---- stake (parent only) ----

/// The parent's stake delegates the attached funds to the named validator.
#[test]
fn stake_by_parent_delegates() {
    let mut suite = Suite::new();
    let parent = suite.parent.clone();
    suite
        .exec(
            &parent,
            &ExecuteMsg::Stake {
                validator: VAL2.to_string(),
            },
            &coins(50, DENOM),
        )
        .unwrap();
    suite
        .exec(
            &parent,
            &ExecuteMsg::Stake {
                validator: VAL1.to_string(),
            },
            &coins(20, DENOM),
        )
        .unwrap();
    assert_eq!(suite.delegation(VAL1), 120);
    assert_eq!(suite.delegation(VAL2), 50);
    assert_eq!(suite.balance(&suite.parent), 830);
}

/// Only the parent may stake, and only with funds in the staking denom.
#[test]
fn stake_errors() {
    let mut suite = Suite::new();
    let (parent, owner, stranger) = (suite.parent.clone(), suite.owner.clone(), suite.stranger());
    suite
        .app
        .init_modules(|router, _, storage| {
            router.bank.init_balance(storage, &owner, coins(50, DENOM))
        })
        .unwrap();
    let msg = ExecuteMsg::Stake {
        validator: VAL1.to_string(),
    };
    assert_err(
        suite.exec(&owner, &msg, &coins(50, DENOM)),
        unauthorized("parent", &parent, &owner),
    );
    assert_err(
        suite.exec(&stranger, &msg, &[]),
        unauthorized("parent", &parent, &stranger),
    );
    assert_err(
        suite.exec(&parent, &msg, &[]),
        ContractError::Payment(PaymentError::NoFunds {}),
    );
    assert_eq!(suite.delegation(VAL1), 100);
}

// ---- burn (parent only) ----

/// Burning from a named validator undelegates from it and counts the amount as burned.
#[test]
fn burn_from_validator() {
    let mut suite = Suite::new();
    let parent = suite.parent.clone();
    suite
        .exec(
            &parent,
            &ExecuteMsg::Burn {
                validator: Some(VAL1.to_string()),
                amount: coin(30, DENOM),
            },
            &[],
        )
        .unwrap();
    assert_eq!(suite.delegation(VAL1), 70);
    assert_eq!(suite.config().burned, Uint128::new(30));
}

/// Without a validator the burn is spread over the delegations in proportion, remainder in
/// validator order: 31 over (100, 50) = (21, 10).
#[test]
fn burn_spread_over_delegations() {
    let mut suite = Suite::new();
    let parent = suite.parent.clone();
    suite
        .exec(
            &parent,
            &ExecuteMsg::Stake {
                validator: VAL2.to_string(),
            },
            &coins(50, DENOM),
        )
        .unwrap();
    suite
        .exec(
            &parent,
            &ExecuteMsg::Burn {
                validator: None,
                amount: coin(31, DENOM),
            },
            &[],
        )
        .unwrap();
    assert_eq!(suite.delegation(VAL1), 79);
    assert_eq!(suite.delegation(VAL2), 40);
    assert_eq!(suite.config().burned, Uint128::new(31));
}

/// A named validator is emptied first, the rest comes from the others: 120 from val2 with
/// (val1 100, val2 50) leaves (30, 0).
#[test]
fn burn_named_validator_first_then_others() {
    let mut suite = Suite::new();
    let parent = suite.parent.clone();
    suite
        .exec(
            &parent,
            &ExecuteMsg::Stake {
                validator: VAL2.to_string(),
            },
            &coins(50, DENOM),
        )
        .unwrap();
    suite
        .exec(
            &parent,
            &ExecuteMsg::Burn {
                validator: Some(VAL2.to_string()),
                amount: coin(120, DENOM),
            },
            &[],
        )
        .unwrap();
    assert_eq!(suite.delegation(VAL1), 30);
    assert_eq!(suite.delegation(VAL2), 0);
    assert_eq!(suite.config().burned, Uint128::new(120));
}

/// Burning more than is delegated undelegates everything and still counts the full amount.
#[test]
fn burn_more_than_delegated_counts_all() {
    let mut suite = Suite::new();
    let parent = suite.parent.clone();
    suite
        .exec(
            &parent,
            &ExecuteMsg::Burn {
                validator: None,
                amount: coin(150, DENOM),
            },
            &[],
        )
        .unwrap();
    assert_eq!(suite.delegation(VAL1), 0);
    assert_eq!(suite.config().burned, Uint128::new(150));
}

/// Only the parent may burn, without funds, in the staking denom, a non-zero amount.
#[test]
fn burn_errors() {
    let mut suite = Suite::new();
    let (parent, owner, stranger) = (suite.parent.clone(), suite.owner.clone(), suite.stranger());
    let msg = ExecuteMsg::Burn {
        validator: None,
        amount: coin(10, DENOM),
    };
    assert_err(
        suite.exec(&owner, &msg, &[]),
        unauthorized("parent", &parent, &owner),
    );
    assert_err(
        suite.exec(&stranger, &msg, &[]),
        unauthorized("parent", &parent, &stranger),
    );
    assert_err(
        suite.exec(&parent, &msg, &coins(1, DENOM)),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
    assert_err(
        suite.exec(
            &parent,
            &ExecuteMsg::Burn {
                validator: None,
                amount: coin(10, "other"),
            },
            &[],
        ),
        ContractError::InvalidDenom {
            expected: DENOM.to_string(),
            got: "other".to_string(),
        },
    );
    assert_err(
        suite.exec(
            &parent,
            &ExecuteMsg::Burn {
                validator: None,
                amount: coin(0, DENOM),
            },
            &[],
        ),
        ContractError::ZeroAmount {},
    );
    assert_eq!(suite.delegation(VAL1), 100);
    assert_eq!(suite.config().burned, Uint128::zero());
}

/// The spread is proportional with floors, the remainder in validator order, capped by size.
#[test]
fn spread_burn_examples() {
    let d = |v: &[(&str, u128)]| -> Vec<(String, Uint128)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), Uint128::new(*b)))
            .collect()
    };
    assert_eq!(
        spread_burn(&d(&[("a", 100), ("b", 50)]), Uint128::new(31)),
        d(&[("a", 21), ("b", 10)])
    );
    assert_eq!(
        spread_burn(&d(&[("a", 1), ("b", 1), ("c", 1)]), Uint128::new(2)),
        d(&[("a", 1), ("b", 1)])
    );
    assert_eq!(
        spread_burn(&d(&[("a", 10), ("b", 20)]), Uint128::new(30)),
        d(&[("a", 10), ("b", 20)])
    );
    assert_eq!(spread_burn(&d(&[("a", 10)]), Uint128::zero()), vec![]);
    assert_eq!(spread_burn(&[], Uint128::new(5)), vec![]);
}

proptest! {
    /// For any delegations and any amount up to their sum, the spread sums to the amount and
    /// never takes more than a delegation holds.
    #[test]
    fn spread_burn_is_exact_and_bounded(
        sizes in proptest::collection::vec(1u128..1_000_000, 1..6),
        frac in 0u128..=1000,
    ) {
        let delegations: Vec<(String, Uint128)> = sizes
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("val{i}"), Uint128::new(*s)))
            .collect();
        let total: u128 = sizes.iter().sum();
        let amount = Uint128::new(total * frac / 1000);
        let shares = spread_burn(&delegations, amount);
        let sum: Uint128 = shares.iter().map(|(_, s)| *s).sum();
        prop_assert_eq!(sum, amount);
        for (v, s) in &shares {
            let d = delegations.iter().find(|(dv, _)| dv == v).unwrap().1;
            prop_assert!(*s <= d);
        }
    }
}

// ---- unstake (owner only) ----

/// Unstake undelegates; tokens arrive in the proxy only after the unbonding period.
#[test]
fn unstake_starts_unbonding() {
    let mut suite = Suite::new();
    let owner = suite.owner.clone();
    suite
        .exec(
            &owner,
            &ExecuteMsg::Unstake {
                validator: VAL1.to_string(),
                amount: coin(40, DENOM),
            },
            &[],
        )
        .unwrap();
    assert_eq!(suite.delegation(VAL1), 60);
    assert_eq!(suite.balance(&suite.proxy), 0);
    suite.advance(UNBONDING - 1);
    assert_eq!(suite.balance(&suite.proxy), 0);
    suite.advance(1);
    assert_eq!(suite.balance(&suite.proxy), 40);
    assert_eq!(suite.delegation(VAL1), 60);
}

/// Only the owner may unstake, without funds, in the staking denom, non-zero, at most the delegation.
#[test]
fn unstake_errors() {
    let mut suite = Suite::new();
    let (parent, owner, stranger) = (suite.parent.clone(), suite.owner.clone(), suite.stranger());
    let msg = ExecuteMsg::Unstake {
        validator: VAL1.to_string(),
        amount: coin(40, DENOM),
    };
    assert_err(
        suite.exec(&parent, &msg, &[]),
        unauthorized("owner", &owner, &parent),
    );
    assert_err(
        suite.exec(&stranger, &msg, &[]),
        unauthorized("owner", &owner, &stranger),
    );
    suite
        .app
        .init_modules(|router, _, storage| {
            router.bank.init_balance(storage, &owner, coins(5, DENOM))
        })
        .unwrap();
    assert_err(
        suite.exec(&owner, &msg, &coins(5, DENOM)),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
    assert_err(
        suite.exec(
            &owner,
            &ExecuteMsg::Unstake {
                validator: VAL1.to_string(),
                amount: coin(40, "other"),
            },
            &[],
        ),
        ContractError::InvalidDenom {
            expected: DENOM.to_string(),
            got: "other".to_string(),
        },
    );
    assert_err(
        suite.exec(
            &owner,
            &ExecuteMsg::Unstake {
                validator: VAL1.to_string(),
                amount: coin(0, DENOM),
            },
            &[],
        ),
        ContractError::ZeroAmount {},
    );
    assert_err(
        suite.exec(
            &owner,
            &ExecuteMsg::Unstake {
                validator: VAL1.to_string(),
                amount: coin(150, DENOM),
            },
            &[],
        ),
        ContractError::InsufficientDelegation {
            validator: VAL1.to_string(),
            delegated: Uint128::new(100),
            requested: Uint128::new(150),
        },
    );
    assert_err(
        suite.exec(
            &owner,
            &ExecuteMsg::Unstake {
                validator: VAL2.to_string(),
                amount: coin(1, DENOM),
            },
            &[],
        ),
        ContractError::InsufficientDelegation {
            validator: VAL2.to_string(),
            delegated: Uint128::zero(),
            requested: Uint128::new(1),
        },
    );
    assert_eq!(suite.delegation(VAL1), 100);
}

// ---- release_unbonded (owner only) ----

/// Before the unbonding period nothing is released; after it exactly the unbonded amount goes
/// to the parent through `release_proxy_stake`.
#[test]
fn release_unbonded_only_after_unbonding() {
    let mut suite = Suite::new();
    let owner = suite.owner.clone();
    suite
        .exec(
            &owner,
            &ExecuteMsg::Unstake {
                validator: VAL1.to_string(),
                amount: coin(40, DENOM),
            },
            &[],
        )
        .unwrap();
    // Before: succeeds, moves nothing, says so.
    let res = suite
        .app
        .execute_contract(
            owner.clone(),
            suite.proxy.clone(),
            &ExecuteMsg::ReleaseUnbonded {},
            &[],
        )
        .unwrap();
    let wasm = res.events.iter().find(|e| e.ty == "wasm").unwrap();
    assert!(wasm
        .attributes
        .iter()
        .any(|a| a.key == "released" && a.value == "0"));
    assert!(wasm.attributes.iter().any(|a| a.key == "note"));
    assert_eq!(suite.released(), 0);
    assert_eq!(suite.balance(&suite.parent), 900);

    suite.advance(UNBONDING);
    suite
        .exec(&owner, &ExecuteMsg::ReleaseUnbonded {}, &[])
        .unwrap();
    assert_eq!(suite.released(), 40);
    assert_eq!(suite.balance(&suite.parent), 940);
    assert_eq!(suite.balance(&suite.proxy), 0);
    assert_eq!(suite.delegation(VAL1), 60);

    // A second release finds nothing.
    suite
        .exec(&owner, &ExecuteMsg::ReleaseUnbonded {}, &[])
        .unwrap();
    assert_eq!(suite.released(), 40);
}

/// Once everything was unstaked and released, the proxy tells the parent it is closed (so the
/// rest of the lien, the chain's rounding, can be written off); not before.
#[test]
fn release_of_everything_closes_the_proxy() {
    let mut suite = Suite::new();
    let owner = suite.owner.clone();
    let unstake = |amount: u128| ExecuteMsg::Unstake {
        validator: VAL1.to_string(),
        amount: coin(amount, DENOM),
    };
    let closed = |suite: &Suite| -> u32 {
        suite
            .app
            .wrap()
            .query_wasm_smart(&suite.parent, &serde_json::json!({"closed": {}}))
            .unwrap()
    };
    suite.exec(&owner, &unstake(40), &[]).unwrap();
    suite.advance(UNBONDING);
    suite
        .exec(&owner, &ExecuteMsg::ReleaseUnbonded {}, &[])
        .unwrap();
    assert_eq!(closed(&suite), 0, "60 still delegated");
    suite.exec(&owner, &unstake(60), &[]).unwrap();
    suite.advance(UNBONDING);
    suite
        .exec(&owner, &ExecuteMsg::ReleaseUnbonded {}, &[])
        .unwrap();
    assert_eq!(suite.released(), 100);
    assert_eq!(closed(&suite), 1);
}

/// Burned tokens are burned when they come back and never released: burn 30 + unstake 40
/// releases exactly 40 and burns 30.
#[test]
fn release_unbonded_burns_burned_first() {
    let mut suite = Suite::new();
    let (parent, owner) = (suite.parent.clone(), suite.owner.clone());
    suite
        .exec(
            &parent,
            &ExecuteMsg::Burn {
                validator: Some(VAL1.to_string()),
                amount: coin(30, DENOM),
            },
            &[],
        )
        .unwrap();
    suite
        .exec(
            &owner,
            &ExecuteMsg::Unstake {
                validator: VAL1.to_string(),
                amount: coin(40, DENOM),
            },
            &[],
        )
        .unwrap();
    assert_eq!(suite.delegation(VAL1), 30);
    suite.advance(UNBONDING);
    assert_eq!(suite.balance(&suite.proxy), 70);
    let supply_before = suite.app.wrap().query_supply(DENOM).unwrap().amount;
    suite
        .exec(&owner, &ExecuteMsg::ReleaseUnbonded {}, &[])
        .unwrap();
    assert_eq!(suite.released(), 40);
    assert_eq!(suite.balance(&suite.proxy), 0);
    assert_eq!(suite.config().burned, Uint128::zero());
    let supply_after = suite.app.wrap().query_supply(DENOM).unwrap().amount;
    assert_eq!(
        Uint128::try_from(supply_before - supply_after).unwrap(),
        Uint128::new(30)
    );
}

/// When less has come back than is burned, everything is burned, nothing released, and the
/// rest stays counted: burn 150 with 100 delegated burns 100 and keeps 50.
#[test]
fn release_unbonded_partial_burn() {
    let mut suite = Suite::new();
    let (parent, owner) = (suite.parent.clone(), suite.owner.clone());
    suite
        .exec(
            &parent,
            &ExecuteMsg::Burn {
                validator: None,
                amount: coin(150, DENOM),
            },
            &[],
        )
        .unwrap();
    suite.advance(UNBONDING);
    suite
        .exec(&owner, &ExecuteMsg::ReleaseUnbonded {}, &[])
        .unwrap();
    assert_eq!(suite.released(), 0);
    assert_eq!(suite.balance(&suite.proxy), 0);
    assert_eq!(suite.config().burned, Uint128::new(50));
}

/// Only the owner may release, without funds.
#[test]
fn release_unbonded_errors() {
    let mut suite = Suite::new();
    let (parent, owner, stranger) = (suite.parent.clone(), suite.owner.clone(), suite.stranger());
    assert_err(
        suite.exec(&parent, &ExecuteMsg::ReleaseUnbonded {}, &[]),
        unauthorized("owner", &owner, &parent),
    );
    assert_err(
        suite.exec(&stranger, &ExecuteMsg::ReleaseUnbonded {}, &[]),
        unauthorized("owner", &owner, &stranger),
    );
    suite
        .app
        .init_modules(|router, _, storage| {
            router.bank.init_balance(storage, &owner, coins(5, DENOM))
        })
        .unwrap();
    assert_err(
        suite.exec(&owner, &ExecuteMsg::ReleaseUnbonded {}, &coins(5, DENOM)),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
}

// ---- what the lien counts on (rounding losses between the proxy's messages) ----

fn unstake(validator: &str, amount: u128) -> ExecuteMsg {
    ExecuteMsg::Unstake {
        validator: validator.to_string(),
        amount: coin(amount, DENOM),
    }
}

fn slashed(validator: &str, bonded: u128, redelegated: &[(&str, u128)]) -> ExecuteMsg {
    ExecuteMsg::Slashed {
        validator: validator.to_string(),
        bonded: Uint128::new(bonded),
        redelegated: redelegated
            .iter()
            .map(|(v, a)| RedelegationSlash {
                validator: v.to_string(),
                amount: Uint128::new(*a),
            })
            .collect(),
    }
}

/// The accounted worth of each delegation follows the proxy's own stake, restake and unstake,
/// and nothing is reported lost on a chain without rounding.
#[test]
fn accounted_follows_the_proxys_own_messages() {
    let mut suite = Suite::new();
    let (parent, owner) = (suite.parent.clone(), suite.owner.clone());
    assert_eq!(suite.accounted(), vec![(VAL1.to_string(), 100)]);
    let stake = ExecuteMsg::Stake {
        validator: VAL2.to_string(),
    };
    suite.exec(&parent, &stake, &coins(50, DENOM)).unwrap();
    let restake = ExecuteMsg::Restake {
        src_validator: VAL1.to_string(),
        dst_validator: VAL2.to_string(),
        amount: coin(30, DENOM),
    };
    suite.exec(&owner, &restake, &[]).unwrap();
    suite.exec(&owner, &unstake(VAL1, 20), &[]).unwrap();
    assert_eq!(
        suite.accounted(),
        vec![(VAL1.to_string(), 50), (VAL2.to_string(), 80)]
    );
    assert_eq!(suite.losses(), vec![]);
}

/// A slash the chain took and the parent reported (`slashed`: 10 from val1's delegation, 5
/// from a redelegation's destination val2) lowers what is accounted by as much, so the next
/// message reports no loss for it. Only the parent may report.
#[test]
fn a_reported_slash_lowers_the_accounted_worth() {
    let mut suite = Suite::new();
    let (parent, owner, stranger) = (suite.parent.clone(), suite.owner.clone(), suite.stranger());
    let stake = ExecuteMsg::Stake {
        validator: VAL2.to_string(),
    };
    suite.exec(&parent, &stake, &coins(50, DENOM)).unwrap();
    suite.chain_slash(VAL1, 10);
    assert_eq!(suite.delegation(VAL1), 90);
    let report = slashed(VAL1, 10, &[(VAL2, 5)]);
    assert_err(
        suite.exec(&owner, &report, &[]),
        unauthorized("parent", &parent, &owner),
    );
    assert_err(
        suite.exec(&stranger, &report, &[]),
        unauthorized("parent", &parent, &stranger),
    );
    suite.exec(&parent, &report, &[]).unwrap();
    assert_eq!(
        suite.accounted(),
        vec![(VAL1.to_string(), 90), (VAL2.to_string(), 45)]
    );
    suite.exec(&owner, &unstake(VAL1, 10), &[]).unwrap();
    assert_eq!(suite.losses(), vec![]);
    assert_eq!(suite.accounted()[0], (VAL1.to_string(), 80));
}

/// A reported slash that took less than the delegation is short of its accounted worth (here
/// the chain took 10, the report says 9; on a real chain, a unit other delegators had tipped
/// away before the slash) has the proxy report the unit short as a rounding loss at once.
#[test]
fn a_slash_report_short_of_the_drop_is_made_up_at_once() {
    let mut suite = Suite::new();
    let parent = suite.parent.clone();
    suite.chain_slash(VAL1, 10);
    suite.exec(&parent, &slashed(VAL1, 9, &[]), &[]).unwrap();
    assert_eq!(suite.losses(), vec![(VAL1.to_string(), 1)]);
    assert_eq!(suite.accounted(), vec![(VAL1.to_string(), 90)]);
}

/// A drop in a delegation's worth that no message of the proxy caused and no slash report
/// explained (here a slash nobody reported; on a real chain, other delegators moving the
/// exchange rate) is reported as a rounding loss at the proxy's next message there, added to
/// whatever that message loses: the lien then counts on what the delegation is worth.
#[test]
fn a_drop_between_the_proxys_messages_is_reported_at_the_next_one() {
    let mut suite = Suite::new();
    let parent = suite.parent.clone();
    suite.chain_slash(VAL1, 10);
    assert_eq!(suite.accounted(), vec![(VAL1.to_string(), 100)]);
    assert_eq!(suite.losses(), vec![]);
    let stake = ExecuteMsg::Stake {
        validator: VAL1.to_string(),
    };
    suite.exec(&parent, &stake, &coins(10, DENOM)).unwrap();
    assert_eq!(suite.delegation(VAL1), 100);
    assert_eq!(suite.losses(), vec![(VAL1.to_string(), 10)]);
    assert_eq!(suite.accounted(), vec![(VAL1.to_string(), 100)]);
}

// ---- restake (owner only) ----

/// Restake moves the delegation between validators.
#[test]
fn restake_redelegates() {
    let mut suite = Suite::new();
    let owner = suite.owner.clone();
    suite
        .exec(
            &owner,
            &ExecuteMsg::Restake {
                src_validator: VAL1.to_string(),
                dst_validator: VAL2.to_string(),
                amount: coin(30, DENOM),
            },
            &[],
        )
        .unwrap();
    assert_eq!(suite.delegation(VAL1), 70);
    assert_eq!(suite.delegation(VAL2), 30);
    assert_eq!(suite.balance(&suite.proxy), 0);
}

/// Only the owner may restake, without funds, in the denom, non-zero, between two different
/// validators, at most the source delegation.
#[test]
fn restake_errors() {
    let mut suite = Suite::new();
    let (parent, owner, stranger) = (suite.parent.clone(), suite.owner.clone(), suite.stranger());
    let restake = |src: &str, dst: &str, amount: cosmwasm_std::Coin| ExecuteMsg::Restake {
        src_validator: src.to_string(),
        dst_validator: dst.to_string(),
        amount,
    };
    assert_err(
        suite.exec(&parent, &restake(VAL1, VAL2, coin(30, DENOM)), &[]),
        unauthorized("owner", &owner, &parent),
    );
    assert_err(
        suite.exec(&stranger, &restake(VAL1, VAL2, coin(30, DENOM)), &[]),
        unauthorized("owner", &owner, &stranger),
    );
    suite
        .app
        .init_modules(|router, _, storage| {
            router.bank.init_balance(storage, &owner, coins(5, DENOM))
        })
        .unwrap();
    assert_err(
        suite.exec(
            &owner,
            &restake(VAL1, VAL2, coin(30, DENOM)),
            &coins(5, DENOM),
        ),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
    assert_err(
        suite.exec(&owner, &restake(VAL1, VAL2, coin(30, "other")), &[]),
        ContractError::InvalidDenom {
            expected: DENOM.to_string(),
            got: "other".to_string(),
        },
    );
    assert_err(
        suite.exec(&owner, &restake(VAL1, VAL2, coin(0, DENOM)), &[]),
        ContractError::ZeroAmount {},
    );
    assert_err(
        suite.exec(&owner, &restake(VAL1, VAL1, coin(30, DENOM)), &[]),
        ContractError::SameValidator {
            validator: VAL1.to_string(),
        },
    );
    assert_err(
        suite.exec(&owner, &restake(VAL1, VAL2, coin(101, DENOM)), &[]),
        ContractError::InsufficientDelegation {
            validator: VAL1.to_string(),
            delegated: Uint128::new(100),
            requested: Uint128::new(101),
        },
    );
    assert_eq!(suite.delegation(VAL1), 100);
    assert_eq!(suite.delegation(VAL2), 0);
}

// ---- vote / vote_weighted (owner only) ----

/// The owner votes (plain and weighted) through the governance module.
#[test]
fn vote_and_vote_weighted() {
    let mut suite = Suite::new();
    let owner = suite.owner.clone();
    suite
        .exec(
            &owner,
            &ExecuteMsg::Vote {
                proposal_id: 1,
                vote: VoteOption::Yes,
            },
            &[],
        )
        .unwrap();
    suite
        .exec(
            &owner,
            &ExecuteMsg::VoteWeighted {
                proposal_id: 2,
                vote: vec![
                    WeightedVoteOption {
                        option: VoteOption::Yes,
                        weight: Decimal::percent(60),
                    },
                    WeightedVoteOption {
                        option: VoteOption::No,
                        weight: Decimal::percent(40),
                    },
                ],
            },
            &[],
        )
        .unwrap();
}

/// The vote messages carry the proposal and options unchanged.
#[test]
fn vote_messages() {
    let mut deps = mock_dependencies();
    let api = MockApi::default();
    let (parent, owner) = (api.addr_make("parent"), api.addr_make("owner"));
    contract::instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&parent, &coins(100, DENOM)),
        InstantiateMsg {
            denom: DENOM.to_string(),
            owner: owner.to_string(),
            validator: VAL1.to_string(),
        },
    )
    .unwrap();
    let res = contract::execute(
        deps.as_mut(),
        mock_env(),
        message_info(&owner, &[]),
        ExecuteMsg::Vote {
            proposal_id: 7,
            vote: VoteOption::NoWithVeto,
        },
    )
    .unwrap();
    assert_eq!(
        res.messages[0].msg,
        cosmwasm_std::GovMsg::Vote {
            proposal_id: 7,
            option: VoteOption::NoWithVeto
        }
        .into()
    );
    let options = vec![WeightedVoteOption {
        option: VoteOption::Abstain,
        weight: Decimal::one(),
    }];
    let res = contract::execute(
        deps.as_mut(),
        mock_env(),
        message_info(&owner, &[]),
        ExecuteMsg::VoteWeighted {
            proposal_id: 8,
            vote: options.clone(),
        },
    )
    .unwrap();
    assert_eq!(
        res.messages[0].msg,
        cosmwasm_std::GovMsg::VoteWeighted {
            proposal_id: 8,
            options
        }
        .into()
    );
}

/// Only the owner may vote, without funds.
#[test]
fn vote_errors() {
    let mut suite = Suite::new();
    let (parent, owner, stranger) = (suite.parent.clone(), suite.owner.clone(), suite.stranger());
    let vote = ExecuteMsg::Vote {
        proposal_id: 1,
        vote: VoteOption::Yes,
    };
    let weighted = ExecuteMsg::VoteWeighted {
        proposal_id: 1,
        vote: vec![WeightedVoteOption {
            option: VoteOption::Yes,
            weight: Decimal::one(),
        }],
    };
    for msg in [&vote, &weighted] {
        assert_err(
            suite.exec(&parent, msg, &[]),
            unauthorized("owner", &owner, &parent),
        );
        assert_err(
            suite.exec(&stranger, msg, &[]),
            unauthorized("owner", &owner, &stranger),
        );
    }
    suite
        .app
        .init_modules(|router, _, storage| {
            router.bank.init_balance(storage, &owner, coins(5, DENOM))
        })
        .unwrap();
    for msg in [&vote, &weighted] {
        assert_err(
            suite.exec(&owner, msg, &coins(1, DENOM)),
            ContractError::Payment(PaymentError::NonPayable {}),
        );
    }
}

// ---- withdraw_rewards (owner only) ----

/// After a year at 10 % APR, withdrawing pays the owner 10 on val1's 100 and 5 on val2's 50.
#[test]
fn withdraw_rewards_pays_owner() {
    let mut suite = Suite::new();
    let (parent, owner) = (suite.parent.clone(), suite.owner.clone());
    suite
        .exec(
            &parent,
            &ExecuteMsg::Stake {
                validator: VAL2.to_string(),
            },
            &coins(50, DENOM),
        )
        .unwrap();
    suite.advance(YEAR);
    suite
        .exec(&owner, &ExecuteMsg::WithdrawRewards {}, &[])
        .unwrap();
    assert_eq!(suite.balance(&owner), 15);
    assert_eq!(suite.balance(&suite.proxy), 0);
    // Another year pays another 15 (rewards restart from the withdrawal).
    suite.advance(YEAR);
    suite
        .exec(&owner, &ExecuteMsg::WithdrawRewards {}, &[])
        .unwrap();
    assert_eq!(suite.balance(&owner), 30);
}

/// Only the owner may withdraw rewards, without funds.
#[test]
fn withdraw_rewards_errors() {
    let mut suite = Suite::new();
    let (parent, owner, stranger) = (suite.parent.clone(), suite.owner.clone(), suite.stranger());
    assert_err(
        suite.exec(&parent, &ExecuteMsg::WithdrawRewards {}, &[]),
        unauthorized("owner", &owner, &parent),
    );
    assert_err(
        suite.exec(&stranger, &ExecuteMsg::WithdrawRewards {}, &[]),
        unauthorized("owner", &owner, &stranger),
    );
    suite
        .app
        .init_modules(|router, _, storage| {
            router.bank.init_balance(storage, &owner, coins(5, DENOM))
        })
        .unwrap();
    assert_err(
        suite.exec(&owner, &ExecuteMsg::WithdrawRewards {}, &coins(5, DENOM)),
        ContractError::Payment(PaymentError::NonPayable {}),
    );
}
