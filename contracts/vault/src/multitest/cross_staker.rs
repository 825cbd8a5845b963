//! A cross lienholder for tests: accepts or rejects `receive_virtual_stake`, answers `max_slash`,
//! records burns, and can be told (test-only messages of THIS test contract) to call
//! `commit_tx`, `rollback_tx`, `release_cross_stake` and `cross_slash` on the vault.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    coin, to_json_binary, Binary, Coin, Decimal, Deps, DepsMut, Env, MessageInfo, Response,
    StdError, StdResult, Uint128, WasmMsg,
};
use cw_multi_test::{Contract, ContractWrapper};
use cw_storage_plus::Item;
use mesh_apis::lienholder::{MaxSlashResponse, StakeMsg};
use mesh_apis::vault::{ExecuteMsg as VaultExecuteMsg, SlashInfo};

/// Instantiate the test lienholder.
#[cw_serde]
pub struct InstantiateMsg {
    /// The vault it answers to.
    pub vault: String,
    /// Whether `receive_virtual_stake` succeeds.
    pub accept: bool,
    /// Double-sign ratio answered by `max_slash`.
    pub slash_ratio: Decimal,
}

/// The lienholder API plus test-only commands.
#[cw_serde]
pub enum ExecuteMsg {
    /// Lienholder API: a new pending stake.
    ReceiveVirtualStake {
        owner: String,
        amount: Coin,
        tx_id: u64,
        msg: Binary,
    },
    /// Lienholder API: burn after a slash elsewhere.
    BurnVirtualStake {
        owner: String,
        amount: Coin,
        validator: Option<String>,
    },
    /// Test: call `commit_tx` on the vault.
    Commit { tx_id: u64 },
    /// Test: call `rollback_tx` on the vault.
    Rollback { tx_id: u64 },
    /// Test: call `release_cross_stake` on the vault.
    Release { owner: String, amount: u128 },
    /// Test: call `cross_slash` on the vault.
    Slash {
        slashes: Vec<SlashInfo>,
        validator: String,
    },
    /// Test: change the ratio answered by `max_slash`.
    SetRatio { slash_ratio: Decimal },
    /// Test: make `burn_virtual_stake` fail.
    SetFailBurns { fail: bool },
}

/// Queries.
#[cw_serde]
pub enum QueryMsg {
    /// Lienholder API.
    MaxSlash {},
    /// Test: stakes received.
    Received {},
    /// Test: burns received.
    Burns {},
}

/// A stake received from the vault.
#[cw_serde]
pub struct Received {
    /// The user.
    pub owner: String,
    /// The amount.
    pub amount: Uint128,
    /// The vault's tx id.
    pub tx_id: u64,
    /// The validator named.
    pub validator: String,
}

/// A burn received from the vault.
#[cw_serde]
pub struct Burn {
    /// The user.
    pub owner: String,
    /// The amount.
    pub amount: Uint128,
    /// The validator named.
    pub validator: Option<String>,
}

#[cw_serde]
struct Config {
    vault: String,
    accept: bool,
    slash_ratio: Decimal,
    fail_burns: bool,
}

const CONFIG: Item<Config> = Item::new("config");
const RECEIVED: Item<Vec<Received>> = Item::new("received");
const BURNS: Item<Vec<Burn>> = Item::new("burns");

fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: InstantiateMsg,
) -> StdResult<Response> {
    CONFIG.save(
        deps.storage,
        &Config {
            vault: msg.vault,
            accept: msg.accept,
            slash_ratio: msg.slash_ratio,
            fail_burns: false,
        },
    )?;
    RECEIVED.save(deps.storage, &vec![])?;
    BURNS.save(deps.storage, &vec![])?;
    Ok(Response::new())
}

fn call_vault(vault: String, msg: &VaultExecuteMsg) -> StdResult<Response> {
    Ok(Response::new().add_message(WasmMsg::Execute {
        contract_addr: vault,
        msg: to_json_binary(msg)?,
        funds: vec![],
    }))
}

fn execute(deps: DepsMut, _env: Env, info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
    let mut cfg = CONFIG.load(deps.storage)?;
    match msg {
        ExecuteMsg::ReceiveVirtualStake {
            owner,
            amount,
            tx_id,
            msg,
        } => {
            if info.sender.as_str() != cfg.vault {
                return Err(StdError::msg("only the vault may stake"));
            }
            if !cfg.accept {
                return Err(StdError::msg("test lienholder rejects the stake"));
            }
            let stake: StakeMsg = cosmwasm_std::from_json(&msg)?;
            let mut received = RECEIVED.load(deps.storage)?;
            received.push(Received {
                owner,
                amount: Uint128::try_from(amount.amount)?,
                tx_id,
                validator: stake.validator,
            });
            RECEIVED.save(deps.storage, &received)?;
            Ok(Response::new())
        }
        ExecuteMsg::BurnVirtualStake {
            owner,
            amount,
            validator,
        } => {
            if cfg.fail_burns {
                return Err(StdError::msg("test lienholder cannot burn"));
            }
            let mut burns = BURNS.load(deps.storage)?;
            burns.push(Burn {
                owner,
                amount: Uint128::try_from(amount.amount)?,
                validator,
            });
            BURNS.save(deps.storage, &burns)?;
            Ok(Response::new())
        }
        ExecuteMsg::Commit { tx_id } => call_vault(cfg.vault, &VaultExecuteMsg::CommitTx { tx_id }),
        ExecuteMsg::Rollback { tx_id } => {
            call_vault(cfg.vault, &VaultExecuteMsg::RollbackTx { tx_id })
        }
        ExecuteMsg::Release { owner, amount } => {
            let denom: mesh_apis::vault::ConfigResponse = deps
                .querier
                .query_wasm_smart(&cfg.vault, &mesh_apis::vault::QueryMsg::Config {})?;
            call_vault(
                cfg.vault,
                &VaultExecuteMsg::ReleaseCrossStake {
                    owner,
                    amount: coin(amount, denom.denom),
                },
            )
        }
        ExecuteMsg::Slash { slashes, validator } => call_vault(
            cfg.vault,
            &VaultExecuteMsg::CrossSlash { slashes, validator },
        ),
        ExecuteMsg::SetRatio { slash_ratio } => {
            cfg.slash_ratio = slash_ratio;
            CONFIG.save(deps.storage, &cfg)?;
            Ok(Response::new())
        }
        ExecuteMsg::SetFailBurns { fail } => {
            cfg.fail_burns = fail;
            CONFIG.save(deps.storage, &cfg)?;
            Ok(Response::new())
        }
    }
}

fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::MaxSlash {} => {
            let cfg = CONFIG.load(deps.storage)?;
            to_json_binary(&MaxSlashResponse {
                slash_ratio_dsign: cfg.slash_ratio,
                slash_ratio_offline: cfg.slash_ratio,
            })
        }
        QueryMsg::Received {} => to_json_binary(&RECEIVED.load(deps.storage)?),
        QueryMsg::Burns {} => to_json_binary(&BURNS.load(deps.storage)?),
    }
}

/// The contract for `App::store_code`.
pub fn contract() -> Box<dyn Contract<cosmwasm_std::Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query))
}
