//! Entry points of the price feed.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Decimal, Deps, DepsMut, Env, MessageInfo, Response};

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, PriceResponse, QueryMsg};
use crate::state::{Config, CONFIG};

/// Store the initial price and the owner (the sender unless `owner` is given).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    check_price(msg.native_per_foreign)?;
    let owner = match msg.owner {
        Some(owner) => deps.api.addr_validate(&owner)?,
        None => info.sender,
    };
    CONFIG.save(
        deps.storage,
        &Config {
            native_per_foreign: msg.native_per_foreign,
            owner: owner.clone(),
        },
    )?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("owner", owner)
        .add_attribute("native_per_foreign", msg.native_per_foreign.to_string()))
}

/// Owner only: `update_price`.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::UpdatePrice { native_per_foreign } => {
            let mut config = CONFIG.load(deps.storage)?;
            if info.sender != config.owner {
                return Err(ContractError::Unauthorized {
                    owner: config.owner.into_string(),
                    sender: info.sender.into_string(),
                });
            }
            check_price(native_per_foreign)?;
            config.native_per_foreign = native_per_foreign;
            CONFIG.save(deps.storage, &config)?;
            Ok(Response::new()
                .add_attribute("action", "update_price")
                .add_attribute("native_per_foreign", native_per_foreign.to_string()))
        }
    }
}

/// `price {}` → `{native_per_foreign}`.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    match msg {
        QueryMsg::Price {} => {
            let config = CONFIG.load(deps.storage)?;
            Ok(to_json_binary(&PriceResponse {
                native_per_foreign: config.native_per_foreign,
            })?)
        }
    }
}

fn check_price(price: Decimal) -> Result<(), ContractError> {
    if price.is_zero() {
        return Err(ContractError::ZeroPrice { price });
    }
    Ok(())
}
