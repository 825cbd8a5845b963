//! Entry points of the converter (instantiate, execute, query, reply) and their handlers.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Addr, Binary, Coin, Decimal, Deps, DepsMut, Env, IbcMsg, MessageInfo, Reply,
    Response, StdError, SubMsg, SubMsgResponse, Uint128, WasmMsg,
};
use cw_utils::{must_pay, nonpayable, parse_instantiate_response_data};
use mesh_apis::ibc::{AddValidator, ConsumerPacket, RewardInfo, ValidatorSlashInfo};
use mesh_apis::virtual_staking::InstantiateMsg as VirtualStakingInstantiateMsg;

use crate::conversion::{convert_to_consumer, convert_to_provider};
use crate::error::ContractError;
use crate::ibc::send_packet;
use crate::msg::{ConfigResponse, ConversionResponse, ExecuteMsg, InstantiateMsg, QueryMsg};
use crate::state::{Config, CONFIG, IBC_CHANNEL, VIRTUAL_STAKING};

/// Reply id of the virtual staking instantiation.
pub const REPLY_INSTANTIATE_VIRTUAL_STAKING: u64 = 1;

/// Validate and store the configuration, then instantiate the virtual staking contract
/// (its address is stored by [`reply`]).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    if msg.discount >= Decimal::one() {
        return Err(ContractError::DiscountTooHigh {
            discount: msg.discount,
        });
    }
    let price_feed = deps.api.addr_validate(&msg.price_feed)?;
    if let Some(admin) = &msg.admin {
        deps.api.addr_validate(admin)?;
    }
    let local_denom = deps.querier.query_bonded_denom()?;
    let config = Config {
        price_feed,
        discount: msg.discount,
        remote_denom: msg.remote_denom,
        local_denom,
    };
    CONFIG.save(deps.storage, &config)?;

    let init = WasmMsg::Instantiate {
        admin: msg.admin,
        code_id: msg.virtual_staking_code_id,
        msg: to_json_binary(&VirtualStakingInstantiateMsg {
            max_retrieve: msg.max_retrieve,
        })?,
        funds: vec![],
        label: format!("mesh virtual staking ({})", config.remote_denom),
    };
    Ok(Response::new()
        .add_submessage(SubMsg::reply_on_success(
            init,
            REPLY_INSTANTIATE_VIRTUAL_STAKING,
        ))
        .add_attribute("action", "instantiate")
        .add_attribute("price_feed", config.price_feed)
        .add_attribute("discount", config.discount.to_string())
        .add_attribute("remote_denom", config.remote_denom)
        .add_attribute("local_denom", config.local_denom))
}

/// Store the address of the instantiated virtual staking contract.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, reply: Reply) -> Result<Response, ContractError> {
    match reply.id {
        REPLY_INSTANTIATE_VIRTUAL_STAKING => {
            let response = reply
                .result
                .into_result()
                .map_err(|reason| ContractError::NoVirtualStakingAddress { reason })?;
            let address = instantiated_address(&response)?;
            let address = deps.api.addr_validate(&address)?;
            VIRTUAL_STAKING.save(deps.storage, &address)?;
            Ok(Response::new()
                .add_attribute("action", "virtual_staking_instantiated")
                .add_attribute("virtual_staking", address))
        }
        id => Err(ContractError::UnknownReplyId { id }),
    }
}

/// The new contract's address: from `msg_responses`, else the legacy `data`, else the
/// `instantiate` event.
fn instantiated_address(response: &SubMsgResponse) -> Result<String, ContractError> {
    for r in &response.msg_responses {
        if let Ok(parsed) = parse_instantiate_response_data(r.value.as_slice()) {
            if !parsed.contract_address.is_empty() {
                return Ok(parsed.contract_address);
            }
        }
    }
    #[allow(deprecated)]
    if let Some(data) = &response.data {
        if let Ok(parsed) = parse_instantiate_response_data(data.as_slice()) {
            if !parsed.contract_address.is_empty() {
                return Ok(parsed.contract_address);
            }
        }
    }
    response
        .events
        .iter()
        .filter(|e| e.ty == "instantiate")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "_contract_address")
        .map(|a| a.value.clone())
        .ok_or_else(|| ContractError::NoVirtualStakingAddress {
            reason: "neither msg_responses, data nor events name it".to_string(),
        })
}

/// Virtual staking only: `valset_update`, `distribute_rewards`, `internal_unstake`.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    let virtual_staking = VIRTUAL_STAKING.load(deps.storage)?;
    if info.sender != virtual_staking {
        return Err(ContractError::Unauthorized {
            expected: virtual_staking.into_string(),
            sender: info.sender.into_string(),
        });
    }
    match msg {
        ExecuteMsg::ValsetUpdate {
            additions,
            removals,
            updated,
            jailed,
            unjailed,
            tombstoned,
            slashed,
        } => {
            nonpayable(&info)?;
            let update = ValsetChanges {
                additions: additions.unwrap_or_default(),
                removals: removals.unwrap_or_default(),
                updated: updated.unwrap_or_default(),
                jailed: jailed.unwrap_or_default(),
                unjailed: unjailed.unwrap_or_default(),
                tombstoned: tombstoned.unwrap_or_default(),
                slashed: slashed.unwrap_or_default(),
            };
            execute_valset_update(deps, env, update)
        }
        ExecuteMsg::DistributeRewards { payments } => {
            execute_distribute_rewards(deps, env, info, payments)
        }
        ExecuteMsg::InternalUnstake {
            delegator,
            validator,
            amount,
        } => {
            nonpayable(&info)?;
            execute_internal_unstake(deps, env, delegator, validator, amount)
        }
    }
}

/// Validator-set changes as virtual staking reports them (slash amounts in consumer units).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ValsetChanges {
    /// New validators.
    pub additions: Vec<AddValidator>,
    /// Removed validators.
    pub removals: Vec<String>,
    /// Changed validators.
    pub updated: Vec<AddValidator>,
    /// Jailed validators.
    pub jailed: Vec<String>,
    /// Unjailed validators.
    pub unjailed: Vec<String>,
    /// Tombstoned validators.
    pub tombstoned: Vec<String>,
    /// Slashes, consumer units.
    pub slashed: Vec<ValidatorSlashInfo>,
}

impl ValsetChanges {
    fn is_empty(&self) -> bool {
        self.additions.is_empty()
            && self.removals.is_empty()
            && self.updated.is_empty()
            && self.jailed.is_empty()
            && self.unjailed.is_empty()
            && self.tombstoned.is_empty()
            && self.slashed.is_empty()
    }
}

/// Build the `valset_update` packet: slash amounts converted to provider units with the inverse
/// conversion, or what virtual staking cut from its requests for the slash when it says
/// (`provider_amount`, at most the conversion); height and time are the current block's.
pub fn valset_packet(
    deps: Deps,
    env: &Env,
    changes: ValsetChanges,
) -> Result<ConsumerPacket, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let slashed = changes
        .slashed
        .into_iter()
        .map(|mut slash| {
            let converted = convert_to_provider(deps, &config, slash.slash_amount)?;
            // What virtual staking cut from its requests, when it says: never more.
            slash.slash_amount = slash
                .provider_amount
                .take()
                .map_or(converted, |cut| cut.min(converted));
            Ok(slash)
        })
        .collect::<Result<Vec<_>, ContractError>>()?;
    Ok(ConsumerPacket::ValsetUpdate {
        height: env.block.height,
        time: env.block.time.seconds(),
        additions: changes.additions,
        removals: changes.removals,
        updated: changes.updated,
        jailed: changes.jailed,
        unjailed: changes.unjailed,
        tombstoned: changes.tombstoned,
        slashed,
    })
}

fn execute_valset_update(
    deps: DepsMut,
    env: Env,
    changes: ValsetChanges,
) -> Result<Response, ContractError> {
    let response = Response::new().add_attribute("action", "valset_update");
    if changes.is_empty() {
        return Ok(response.add_attribute("packet", "none: no changes"));
    }
    let packet = valset_packet(deps.as_ref(), &env, changes)?;
    add_packet(deps.as_ref(), &env, response, &packet)
}

fn execute_distribute_rewards(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    payments: Vec<RewardInfo>,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let sent = to_uint128(must_pay(&info, &config.local_denom)?)?;
    let total = payments
        .iter()
        .try_fold(Uint128::zero(), |acc, p| acc.checked_add(p.reward))
        .map_err(StdError::from)?;
    if total != sent {
        return Err(ContractError::RewardsMismatch {
            sent,
            payments: total,
        });
    }
    let response = Response::new()
        .add_attribute("action", "distribute_rewards")
        .add_attribute("amount", sent.to_string())
        .add_attribute("validators", payments.len().to_string());
    let packet = ConsumerPacket::DistributeBatch {
        rewards: payments,
        denom: config.local_denom,
    };
    add_packet(deps.as_ref(), &env, response, &packet)
}

fn execute_internal_unstake(
    deps: DepsMut,
    env: Env,
    delegator: String,
    validator: String,
    amount: Coin,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    check_denom(&config.remote_denom, &amount)?;
    let provider_amount = to_uint128(amount.amount)?;
    let consumer_amount = convert_to_consumer(deps.as_ref(), &config, provider_amount)?;
    let response = Response::new()
        .add_attribute("action", "internal_unstake")
        .add_attribute("delegator", &delegator)
        .add_attribute("validator", &validator)
        .add_attribute("normalize_amount", provider_amount.to_string())
        .add_attribute("inverted_amount", consumer_amount.to_string());
    let packet = ConsumerPacket::InternalUnstake {
        delegator,
        validator,
        normalize_amount: amount,
        inverted_amount: Coin::new(consumer_amount, config.local_denom),
    };
    add_packet(deps.as_ref(), &env, response, &packet)
}

/// Add the packet to the response if the channel is connected; otherwise note that nothing was
/// sent (before the channel exists there is no provider state to update, and on connect the
/// whole validator set is announced anyway).
fn add_packet(
    deps: Deps,
    env: &Env,
    response: Response,
    packet: &ConsumerPacket,
) -> Result<Response, ContractError> {
    Ok(match IBC_CHANNEL.may_load(deps.storage)? {
        Some(channel) => {
            let msg: IbcMsg = send_packet(&channel.endpoint.channel_id, packet, env)?;
            response
                .add_message(msg)
                .add_attribute("packet_channel", channel.endpoint.channel_id)
        }
        None => response.add_attribute("packet", "not sent: no channel"),
    })
}

/// `config`, `convert_to_consumer`, `convert_to_provider`.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    Ok(match msg {
        QueryMsg::Config {} => to_json_binary(&ConfigResponse {
            price_feed: config.price_feed.into_string(),
            discount: config.discount,
            remote_denom: config.remote_denom,
            virtual_staking: VIRTUAL_STAKING
                .may_load(deps.storage)?
                .map(Addr::into_string)
                .unwrap_or_default(),
            channel_id: IBC_CHANNEL
                .may_load(deps.storage)?
                .map(|c| c.endpoint.channel_id),
        })?,
        QueryMsg::ConvertToConsumer { amount } => to_json_binary(&ConversionResponse {
            amount: convert_to_consumer(deps, &config, amount)?,
        })?,
        QueryMsg::ConvertToProvider { amount } => to_json_binary(&ConversionResponse {
            amount: convert_to_provider(deps, &config, amount)?,
        })?,
    })
}

/// `coin` must be in `expected`.
pub fn check_denom(expected: &str, coin: &Coin) -> Result<(), ContractError> {
    if coin.denom != expected {
        return Err(ContractError::WrongDenom {
            expected: expected.to_string(),
            got: coin.denom.clone(),
        });
    }
    Ok(())
}

/// A coin amount (Uint256 in cosmwasm-std 3) as the Uint128 every mesh amount is.
pub fn to_uint128(amount: cosmwasm_std::Uint256) -> Result<Uint128, ContractError> {
    Ok(Uint128::try_from(amount).map_err(StdError::from)?)
}
