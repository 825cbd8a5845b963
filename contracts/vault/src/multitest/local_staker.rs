//! A local staking stand-in for tests: answers `max_slash`, accepts `receive_stake` (keeps the
//! tokens) and `burn_stake` (records it), and can be told (test-only messages of THIS test
//! contract) to call `release_local_stake` (returning tokens) and `local_slash` on the vault.
//! Its instantiator is the vault.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    coin, to_json_binary, Binary, Coin, Decimal, Deps, DepsMut, Env, MessageInfo, Response,
    StdError, StdResult, Uint128, WasmMsg,
};
use cw_multi_test::{Contract, ContractWrapper};
use cw_storage_plus::Item;
use mesh_apis::lienholder::{MaxSlashResponse, StakeMsg};
use mesh_apis::vault::{ExecuteMsg as VaultExecuteMsg, SlashInfo};

/// Instantiate the stand-in.
#[cw_serde]
pub struct InstantiateMsg {
    /// Double-sign ratio answered by `max_slash`.
    pub slash_ratio_dsign: Decimal,
    /// Offline ratio answered by `max_slash`.
    pub slash_ratio_offline: Decimal,
}

/// The local staking API plus test-only commands.
#[cw_serde]
pub enum ExecuteMsg {
    /// Local staking API: stake the attached funds.
    ReceiveStake { owner: String, msg: Binary },
    /// Local staking API: burn after a slash elsewhere.
    BurnStake {
        owner: String,
        amount: Coin,
        validator: Option<String>,
    },
    /// Test: return `amount` tokens to the vault with `release_local_stake`.
    Release { owner: String, amount: u128 },
    /// Test: call `local_slash` on the vault.
    Slash {
        slashes: Vec<SlashInfo>,
        validator: String,
    },
}

/// Queries.
#[cw_serde]
pub enum QueryMsg {
    /// Lienholder API.
    MaxSlash {},
    /// Test: stakes received.
    Stakes {},
    /// Test: burns received.
    Burns {},
}

/// A stake received from the vault.
#[cw_serde]
pub struct Stake {
    /// The user.
    pub owner: String,
    /// The amount.
    pub amount: Uint128,
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
    ratios: MaxSlashResponse,
}

const CONFIG: Item<Config> = Item::new("config");
const STAKES: Item<Vec<Stake>> = Item::new("stakes");
const BURNS: Item<Vec<Burn>> = Item::new("burns");

fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> StdResult<Response> {
    CONFIG.save(
        deps.storage,
        &Config {
            vault: info.sender.to_string(),
            ratios: MaxSlashResponse {
                slash_ratio_dsign: msg.slash_ratio_dsign,
                slash_ratio_offline: msg.slash_ratio_offline,
            },
        },
    )?;
    STAKES.save(deps.storage, &vec![])?;
    BURNS.save(deps.storage, &vec![])?;
    Ok(Response::new())
}

fn execute(deps: DepsMut, _env: Env, info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
    let cfg = CONFIG.load(deps.storage)?;
    match msg {
        ExecuteMsg::ReceiveStake { owner, msg } => {
            if info.sender.as_str() != cfg.vault {
                return Err(StdError::msg("only the vault may stake"));
            }
            let [funds] = info.funds.as_slice() else {
                return Err(StdError::msg("exactly one coin expected"));
            };
            let stake: StakeMsg = cosmwasm_std::from_json(&msg)?;
            let mut stakes = STAKES.load(deps.storage)?;
            stakes.push(Stake {
                owner,
                amount: Uint128::try_from(funds.amount)?,
                validator: stake.validator,
            });
            STAKES.save(deps.storage, &stakes)?;
            Ok(Response::new())
        }
        ExecuteMsg::BurnStake {
            owner,
            amount,
            validator,
        } => {
            let mut burns = BURNS.load(deps.storage)?;
            burns.push(Burn {
                owner,
                amount: Uint128::try_from(amount.amount)?,
                validator,
            });
            BURNS.save(deps.storage, &burns)?;
            Ok(Response::new())
        }
        ExecuteMsg::Release { owner, amount } => {
            let vault: mesh_apis::vault::ConfigResponse = deps
                .querier
                .query_wasm_smart(&cfg.vault, &mesh_apis::vault::QueryMsg::Config {})?;
            let denom = vault.denom;
            Ok(Response::new().add_message(WasmMsg::Execute {
                contract_addr: cfg.vault,
                msg: to_json_binary(&VaultExecuteMsg::ReleaseLocalStake { owner })?,
                funds: vec![coin(amount, denom)],
            }))
        }
        ExecuteMsg::Slash { slashes, validator } => {
            Ok(Response::new().add_message(WasmMsg::Execute {
                contract_addr: cfg.vault,
                msg: to_json_binary(&VaultExecuteMsg::LocalSlash { slashes, validator })?,
                funds: vec![],
            }))
        }
    }
}

fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::MaxSlash {} => to_json_binary(&CONFIG.load(deps.storage)?.ratios),
        QueryMsg::Stakes {} => to_json_binary(&STAKES.load(deps.storage)?),
        QueryMsg::Burns {} => to_json_binary(&BURNS.load(deps.storage)?),
    }
}

/// The contract for `App::store_code`.
pub fn contract() -> Box<dyn Contract<cosmwasm_std::Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query))
}
