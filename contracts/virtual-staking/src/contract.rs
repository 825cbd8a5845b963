//! Entry points of virtual staking (instantiate, execute, sudo, reply, query) and their handlers.

use std::collections::{BTreeMap, BTreeSet};

use cosmwasm_schema::cw_serde;
#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, to_json_binary, Binary, Coin, CosmosMsg, Deps, DepsMut, Env, MessageInfo,
    QueryRequest, Reply, Response, StdError, SubMsg, SubMsgResult, Uint128, Uint256, WasmMsg,
};
use cw_storage_plus::Bound;
use cw_utils::nonpayable;
use mesh_apis::converter::{
    ConfigResponse as ConverterConfig, ConversionResponse, ExecuteMsg as ConverterMsg,
    QueryMsg as ConverterQuery,
};
use mesh_apis::ibc::{AddValidator, ValidatorSlashInfo};
use mesh_apis::vault::page_limit;
use mesh_apis::virtual_stake::{
    AllDelegationsResponse, BondStatusResponse, TotalDelegationResponse, VirtualStakeMsg,
    VirtualStakeQuery,
};

use crate::error::ContractError;
use crate::msg::{
    BurnableResponse, ConfigResponse, ExecuteMsg, InstantiateMsg, QueryMsg, RequestsResponse,
    SudoMsg, UnbondableResponse, ValidatorRequest, VirtualStakeCustomMsg, VirtualStakeCustomQuery,
};
use crate::requests::{
    add_request, all_requests, all_totals, clear_all, reduce_validator, slash_validator,
    split_proportionally, sub_request, unbond_request, unbondable,
};
use crate::rewards::{on_withdraw_reply, withdraw_submsgs, REPLY_WITHDRAW_REWARDS};
use crate::state::{Config, CONFIG, TOMBSTONED, VALIDATOR_TOTALS};

/// Response type of every entry point that may emit the chain's custom messages.
pub type VsResponse = Response<VirtualStakeCustomMsg>;
type VsDeps<'a> = Deps<'a, VirtualStakeCustomQuery>;
type VsDepsMut<'a> = DepsMut<'a, VirtualStakeCustomQuery>;

/// A coin amount (Uint256 in cosmwasm-std 3) as the Uint128 every mesh amount is.
pub fn to_uint128(amount: Uint256) -> Result<Uint128, ContractError> {
    Ok(Uint128::try_from(amount).map_err(StdError::from)?)
}

/// The instantiator is the converter; the denom is the chain's bonded denom.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: VsDepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<VsResponse, ContractError> {
    nonpayable(&info)?;
    let denom = deps.querier.query_bonded_denom()?;
    let config = Config {
        denom,
        converter: info.sender,
        max_retrieve: msg.max_retrieve,
    };
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("converter", config.converter)
        .add_attribute("denom", config.denom)
        .add_attribute("max_retrieve", config.max_retrieve.to_string()))
}

/// Converter only: `bond`, `unbond`, `burn`, `internal_unbond`, `handle_close_channel`.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: VsDepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<VsResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.converter {
        return Err(ContractError::Unauthorized {
            expected: config.converter.into_string(),
            sender: info.sender.into_string(),
        });
    }
    nonpayable(&info)?;
    match msg {
        ExecuteMsg::Bond {
            delegator,
            validator,
            amount,
        } => {
            let amount = to_uint128(amount.amount)?;
            add_request(deps.storage, &validator, &delegator, amount)?;
            Ok(Response::new()
                .add_attribute("action", "bond")
                .add_attribute("delegator", delegator)
                .add_attribute("validator", validator)
                .add_attribute("amount", amount.to_string()))
        }
        ExecuteMsg::Unbond {
            delegator,
            validator,
            amount,
        } => {
            let amount = to_uint128(amount.amount)?;
            let unbonded = unbond_request(deps.storage, &validator, &delegator, amount)?;
            Ok(Response::new()
                .add_attribute("action", "unbond")
                .add_attribute("delegator", delegator)
                .add_attribute("validator", validator)
                .add_attribute("amount", amount.to_string())
                .add_attribute("unbonded", unbonded.to_string()))
        }
        ExecuteMsg::Burn { validators, amount } => {
            execute_burn(deps, validators, to_uint128(amount.amount)?)
        }
        ExecuteMsg::InternalUnbond {
            delegator,
            validator,
            amount,
        } => execute_internal_unbond(deps, &config, delegator, validator, amount),
        ExecuteMsg::HandleCloseChannel {} => execute_close_channel(deps, &env, &config),
    }
}

/// Reduce the requests of `validators` by `amount` (provider units), spread by the proportion
/// of their requests (remainder to the first), and inside a validator over its delegators the
/// same way. Saturates at what is requested (the provider already cut its stakes; refusing
/// would only leave more behind), reporting the rest as `unburned`.
fn execute_burn(
    deps: VsDepsMut,
    validators: Vec<String>,
    amount: Uint128,
) -> Result<VsResponse, ContractError> {
    let (unique, weights) = burn_weights(deps.storage, validators)?;
    let shares = split_proportionally(amount, &weights);
    let mut response = Response::new().add_attribute("action", "burn");
    let mut burned = Uint128::zero();
    for (validator, share) in unique.iter().zip(shares) {
        if share.is_zero() {
            continue;
        }
        let taken = reduce_validator(deps.storage, validator, share)?;
        burned += taken;
        response = response.add_attribute(format!("burned_{validator}"), taken.to_string());
    }
    Ok(response
        .add_attribute("burned", burned.to_string())
        .add_attribute("unburned", (amount - burned).to_string()))
}

/// The distinct validators of a burn, in first-named order, and their request totals (the
/// burn is split by these).
fn burn_weights(
    storage: &dyn cosmwasm_std::Storage,
    validators: Vec<String>,
) -> Result<(Vec<String>, Vec<Uint128>), ContractError> {
    let mut unique: Vec<String> = Vec::with_capacity(validators.len());
    for v in validators {
        if !unique.contains(&v) {
            unique.push(v);
        }
    }
    let weights = unique
        .iter()
        .map(|v| crate::requests::validator_total(storage, v))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((unique, weights))
}

/// Remove the request and undelegate its consumer value on the chain at once.
fn execute_internal_unbond(
    deps: VsDepsMut,
    config: &Config,
    delegator: String,
    validator: String,
    amount: Coin,
) -> Result<VsResponse, ContractError> {
    let amount = to_uint128(amount.amount)?;
    sub_request(deps.storage, &validator, &delegator, amount)?;
    let consumer = convert_to_consumer(deps.as_ref(), config, amount)?;
    let mut response = Response::new()
        .add_attribute("action", "internal_unbond")
        .add_attribute("delegator", &delegator)
        .add_attribute("validator", &validator)
        .add_attribute("amount", amount.to_string())
        .add_attribute("consumer_amount", consumer.to_string());
    if !consumer.is_zero() {
        response = response.add_message(custom(VirtualStakeMsg::Unbond {
            amount: Coin::new(consumer, config.denom.clone()),
            validator,
        }));
    }
    Ok(response)
}

/// The channel closed: drop every request and undelegate everything.
fn execute_close_channel(
    deps: VsDepsMut,
    env: &Env,
    config: &Config,
) -> Result<VsResponse, ContractError> {
    clear_all(deps.storage);
    let delegated = current_delegations(deps.as_ref(), env, config, &[])?;
    let unbonds = unbond_all(config, &delegated);
    Ok(Response::new()
        .add_attribute("action", "handle_close_channel")
        .add_attribute("unbonds", unbonds.len().to_string())
        .add_messages(unbonds))
}

/// From the chain: `handle_epoch {}` and `handle_valset_update {...}`.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn sudo(deps: VsDepsMut, env: Env, msg: SudoMsg) -> Result<VsResponse, ContractError> {
    match msg {
        SudoMsg::HandleEpoch {} => handle_epoch(deps, env),
        SudoMsg::HandleValsetUpdate {
            additions,
            removals,
            updated,
            jailed,
            unjailed,
            tombstoned,
            slashed,
        } => handle_valset_update(
            deps,
            ValsetUpdate {
                additions,
                removals,
                updated,
                jailed,
                unjailed,
                tombstoned,
                slashed,
            },
        ),
    }
}

/// The epoch: withdraw rewards (one batch to the converter), then either unstake everything
/// (max cap 0) or rebalance the chain's delegations to the converted, capped requests (none
/// for a tombstoned validator: its delegation is unbonded, its requests stay).
fn handle_epoch(mut deps: VsDepsMut, env: Env) -> Result<VsResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let status: BondStatusResponse = deps.querier.query(&QueryRequest::Custom(
        VirtualStakeCustomQuery::VirtualStake(VirtualStakeQuery::BondStatus {
            contract: env.contract.address.to_string(),
        }),
    ))?;
    let cap = to_uint128(status.cap.amount)?;
    let totals = all_totals(deps.storage)?;
    let requested_validators: Vec<String> = totals.iter().map(|(v, _)| v.clone()).collect();
    let current = current_delegations(deps.as_ref(), &env, &config, &requested_validators)?;

    let with_delegation: Vec<String> = current.keys().cloned().collect();
    let withdrawals = withdraw_submsgs(deps.branch(), &env, &config, &with_delegation)?;
    let response = Response::new()
        .add_attribute("action", "handle_epoch")
        .add_attribute("cap", cap.to_string())
        .add_submessages(withdrawals);

    if cap.is_zero() {
        return unstake_everything(deps, &config, &current, response);
    }

    let mut desired: BTreeMap<String, Uint128> = BTreeMap::new();
    for (validator, total) in totals {
        // Nothing stays delegated to a tombstoned validator (its requests remain, see
        // `TOMBSTONED`).
        if TOMBSTONED.has(deps.storage, &validator) {
            continue;
        }
        let consumer = convert_to_consumer(deps.as_ref(), &config, total)?;
        if !consumer.is_zero() {
            desired.insert(validator, consumer);
        }
    }
    let requested: Uint128 = desired.values().copied().sum();
    if requested > cap {
        for amount in desired.values_mut() {
            *amount = amount.multiply_ratio(cap, requested);
        }
    }

    let validators: BTreeSet<&String> = current.keys().chain(desired.keys()).collect();
    let mut unbonds = vec![];
    let mut bonds = vec![];
    for validator in validators {
        let now = current.get(validator).copied().unwrap_or_default();
        let want = desired.get(validator).copied().unwrap_or_default();
        if want > now {
            // A bond the chain refuses (say, a validator it no longer knows) must not block the
            // epoch: it is retried at the next one.
            let bond = RefusedBond {
                validator: validator.clone(),
                amount: want - now,
            };
            bonds.push(
                SubMsg::reply_on_error(
                    custom(VirtualStakeMsg::Bond {
                        amount: Coin::new(bond.amount, config.denom.clone()),
                        validator: validator.clone(),
                    }),
                    REPLY_BOND,
                )
                .with_payload(to_json_binary(&bond)?),
            );
        } else if now > want {
            unbonds.push(custom(VirtualStakeMsg::Unbond {
                amount: Coin::new(now - want, config.denom.clone()),
                validator: validator.clone(),
            }));
        }
    }
    Ok(response
        .add_attribute("requested", requested.to_string())
        .add_attribute("bonds", bonds.len().to_string())
        .add_attribute("unbonds", unbonds.len().to_string())
        // Unbonds first, so the chain's delegations never exceed the cap in between.
        .add_messages(unbonds)
        .add_submessages(bonds))
}

/// Max cap 0: tell the converter about every request (`internal_unstake`, provider units),
/// drop them all and undelegate everything.
fn unstake_everything(
    deps: VsDepsMut,
    config: &Config,
    current: &BTreeMap<String, Uint128>,
    response: VsResponse,
) -> Result<VsResponse, ContractError> {
    let requests = all_requests(deps.storage)?;
    let mut response = response.add_messages(unbond_all(config, current));
    if !requests.is_empty() {
        let converter: ConverterConfig = deps
            .querier
            .query_wasm_smart(&config.converter, &ConverterQuery::Config {})?;
        for (validator, delegator, amount) in &requests {
            response = response.add_message(WasmMsg::Execute {
                contract_addr: config.converter.to_string(),
                msg: to_json_binary(&ConverterMsg::InternalUnstake {
                    delegator: delegator.clone(),
                    validator: validator.clone(),
                    amount: Coin::new(*amount, converter.remote_denom.clone()),
                })?,
                funds: vec![],
            });
        }
    }
    clear_all(deps.storage);
    Ok(response.add_attribute("internal_unstakes", requests.len().to_string()))
}

/// Validator-set changes as the chain reports them.
#[derive(Debug, Clone, Default)]
struct ValsetUpdate {
    additions: Option<Vec<AddValidator>>,
    removals: Option<Vec<String>>,
    updated: Option<Vec<AddValidator>>,
    jailed: Option<Vec<String>>,
    unjailed: Option<Vec<String>>,
    tombstoned: Option<Vec<String>>,
    slashed: Option<Vec<ValidatorSlashInfo>>,
}

/// Reduce the requests of slashed validators at once (slash converted to provider units with the
/// converter's `convert_to_provider`, in the same block and at the same price as the converter's
/// `valset_update` packet), then forward everything to the converter, each slash with what it
/// cut from the requests (`provider_amount`: less than the converted slash when the requests
/// held less, after a price drop), which the packet carries to the provider.
fn handle_valset_update(
    deps: VsDepsMut,
    update: ValsetUpdate,
) -> Result<VsResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut response = Response::new().add_attribute("action", "handle_valset_update");
    for validator in update.tombstoned.iter().flatten() {
        TOMBSTONED.save(deps.storage, validator, &())?;
    }
    let mut slashed = update.slashed;
    for slash in slashed.iter_mut().flatten() {
        let provider = convert_to_provider(deps.as_ref(), &config, slash.slash_amount)?;
        let taken = slash_validator(deps.storage, &slash.validator, provider)?;
        slash.provider_amount = Some(taken);
        response = response
            .add_attribute("slashed_validator", &slash.validator)
            .add_attribute("slash_amount", slash.slash_amount.to_string())
            .add_attribute("slash_provider_amount", provider.to_string())
            .add_attribute("requests_reduced", taken.to_string());
    }
    let forward = ConverterMsg::ValsetUpdate {
        additions: update.additions,
        removals: update.removals,
        updated: update.updated,
        jailed: update.jailed,
        unjailed: update.unjailed,
        tombstoned: update.tombstoned,
        slashed,
    };
    Ok(response.add_message(WasmMsg::Execute {
        contract_addr: config.converter.to_string(),
        msg: to_json_binary(&forward)?,
        funds: vec![],
    }))
}

/// Reply id of an epoch's `bond` (on error only).
pub const REPLY_BOND: u64 = 2;
/// Reply id of a refused bond retried within the cap (a failure only waits for the next epoch).
pub const REPLY_BOND_RETRY: u64 = 3;

/// Replies of the reward withdrawals and of failed epoch bonds.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: VsDepsMut, env: Env, reply: Reply) -> Result<VsResponse, ContractError> {
    match reply.id {
        REPLY_WITHDRAW_REWARDS => {
            let config = CONFIG.load(deps.storage)?;
            on_withdraw_reply(deps, &env, &config, reply.payload.as_slice(), reply.result)
        }
        REPLY_BOND => {
            let bond: RefusedBond = from_json(&reply.payload)?;
            let error = match reply.result {
                SubMsgResult::Err(error) => error,
                SubMsgResult::Ok(_) => String::new(),
            };
            let res = Response::new()
                .add_attribute("action", "bond_failed")
                .add_attribute("validator", &bond.validator)
                .add_attribute("bond_error", error);
            retry_within_cap(deps, &env, bond, res)
        }
        REPLY_BOND_RETRY => Ok(Response::new().add_attribute("action", "bond_retry_failed")),
        id => Err(ContractError::UnknownReplyId { id }),
    }
}

/// A bond of an epoch, carried to its reply in case the chain refuses it.
#[cw_serde]
struct RefusedBond {
    validator: String,
    amount: Uint128,
}

/// A bond the chain refused: if the max cap was the reason (undelegating a slashed validator's
/// shares can pay a unit less than asked and leave that unit delegated, so the epoch's bonds,
/// computed to fill the cap exactly, overshoot it), bond at once what the cap still allows.
/// Anything else is retried at the next epoch.
fn retry_within_cap(
    deps: VsDepsMut,
    env: &Env,
    bond: RefusedBond,
    res: VsResponse,
) -> Result<VsResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let status: BondStatusResponse = deps.querier.query(&QueryRequest::Custom(
        VirtualStakeCustomQuery::VirtualStake(VirtualStakeQuery::BondStatus {
            contract: env.contract.address.to_string(),
        }),
    ))?;
    let room = to_uint128(status.cap.amount)?.saturating_sub(to_uint128(status.delegated.amount)?);
    if room.is_zero() || room >= bond.amount {
        return Ok(res);
    }
    let retry = SubMsg::reply_on_error(
        custom(VirtualStakeMsg::Bond {
            amount: Coin::new(room, config.denom),
            validator: bond.validator,
        }),
        REPLY_BOND_RETRY,
    );
    Ok(res
        .add_attribute("bond_retry", room.to_string())
        .add_submessage(retry))
}

/// `config {}`, `requests {start_after, limit}` and `unbondable {validator, amount}`.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: VsDeps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    Ok(match msg {
        QueryMsg::Config {} => to_json_binary(&ConfigResponse {
            denom: config.denom,
            converter: config.converter.into_string(),
            max_retrieve: config.max_retrieve,
        })?,
        QueryMsg::Requests { start_after, limit } => {
            let start = start_after.as_deref().map(Bound::exclusive);
            let totals = VALIDATOR_TOTALS
                .range(deps.storage, start, None, cosmwasm_std::Order::Ascending)
                .take(page_limit(limit))
                .collect::<Result<Vec<_>, _>>()?;
            let requests = totals
                .into_iter()
                .map(|(validator, provider_amount)| {
                    Ok(ValidatorRequest {
                        consumer_amount: convert_to_consumer(deps, &config, provider_amount)?,
                        validator,
                        provider_amount,
                    })
                })
                .collect::<Result<Vec<_>, ContractError>>()?;
            to_json_binary(&RequestsResponse { requests })?
        }
        QueryMsg::Unbondable { validator, amount } => to_json_binary(&UnbondableResponse {
            unbonded: unbondable(deps.storage, &validator, amount)?,
        })?,
        QueryMsg::Burnable { validators, amount } => {
            let (_, weights) = burn_weights(deps.storage, validators)?;
            let total = weights.into_iter().sum::<Uint128>();
            to_json_binary(&BurnableResponse {
                burned: amount.min(total),
            })?
        }
    })
}

fn custom(msg: VirtualStakeMsg) -> CosmosMsg<VirtualStakeCustomMsg> {
    CosmosMsg::Custom(VirtualStakeCustomMsg::VirtualStake(msg))
}

fn unbond_all(
    config: &Config,
    delegated: &BTreeMap<String, Uint128>,
) -> Vec<CosmosMsg<VirtualStakeCustomMsg>> {
    delegated
        .iter()
        .map(|(validator, amount)| {
            custom(VirtualStakeMsg::Unbond {
                amount: Coin::new(*amount, config.denom.clone()),
                validator: validator.clone(),
            })
        })
        .collect()
}

/// The contract's non-zero delegations on the chain, by validator: `all_delegations`, and when
/// that list may be truncated (`max_retrieve` entries), `total_delegation` for each of `also`
/// that it does not name.
fn current_delegations(
    deps: VsDeps,
    env: &Env,
    config: &Config,
    also: &[String],
) -> Result<BTreeMap<String, Uint128>, ContractError> {
    let contract = env.contract.address.to_string();
    let all: AllDelegationsResponse = deps.querier.query(&QueryRequest::Custom(
        VirtualStakeCustomQuery::VirtualStake(VirtualStakeQuery::AllDelegations {
            contract: contract.clone(),
            max_retrieve: u32::from(config.max_retrieve),
        }),
    ))?;
    let truncated = all.delegations.len() >= usize::from(config.max_retrieve);
    let mut current: BTreeMap<String, Uint128> = all
        .delegations
        .into_iter()
        .filter(|d| !d.amount.is_zero())
        .map(|d| (d.validator, d.amount))
        .collect();
    if truncated {
        for validator in also {
            if current.contains_key(validator) {
                continue;
            }
            let one: TotalDelegationResponse = deps.querier.query(&QueryRequest::Custom(
                VirtualStakeCustomQuery::VirtualStake(VirtualStakeQuery::TotalDelegation {
                    contract: contract.clone(),
                    validator: validator.clone(),
                }),
            ))?;
            let amount = to_uint128(one.delegation.amount)?;
            if !amount.is_zero() {
                current.insert(validator.clone(), amount);
            }
        }
    }
    Ok(current)
}

/// Provider units → consumer units at the converter's current price.
pub fn convert_to_consumer(
    deps: VsDeps,
    config: &Config,
    amount: Uint128,
) -> Result<Uint128, ContractError> {
    if amount.is_zero() {
        return Ok(amount);
    }
    let res: ConversionResponse = deps.querier.query_wasm_smart(
        &config.converter,
        &ConverterQuery::ConvertToConsumer { amount },
    )?;
    Ok(res.amount)
}

/// Consumer units → provider units at the converter's current price (inverse conversion).
pub fn convert_to_provider(
    deps: VsDeps,
    config: &Config,
    amount: Uint128,
) -> Result<Uint128, ContractError> {
    if amount.is_zero() {
        return Ok(amount);
    }
    let res: ConversionResponse = deps.querier.query_wasm_smart(
        &config.converter,
        &ConverterQuery::ConvertToProvider { amount },
    )?;
    Ok(res.amount)
}
