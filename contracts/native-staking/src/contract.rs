//! Entry points and handlers of native staking.

use cosmwasm_schema::cw_serde;
#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, Coin, Decimal, Deps, DepsMut, Env, MessageInfo, Order,
    Reply, Response, StdError, StdResult, SubMsg, SubMsgResponse, SubMsgResult, Uint128, WasmMsg,
};
use cw_utils::{must_pay, nonpayable, parse_instantiate_response_data};
use std::collections::BTreeMap;

use mesh_apis::native_staking_proxy::{
    ExecuteMsg as ProxyExecuteMsg, InstantiateMsg as ProxyInstantiateMsg, OwnerMsg,
};
use mesh_apis::vault::{
    ExecuteMsg as VaultExecuteMsg, LienResponse, QueryMsg as VaultQueryMsg, SlashInfo,
};

use crate::error::ContractError;
use crate::msg::{
    ConfigResponse, DelegatorSlash, ExecuteMsg, InstantiateMsg, MaxSlashResponse,
    OwnerByProxyResponse, ProxyByOwnerResponse, QueryMsg, RedelegationSlash, StakeMsg, SudoMsg,
};
use crate::state::{Config, CONFIG, OWNER_BY_PROXY, PROXY_BY_OWNER};

/// Reply id of a proxy instantiation.
pub const REPLY_ID_INSTANTIATE_PROXY: u64 = 1;

/// Type URL of the instantiate response in `SubMsgResponse::msg_responses`.
pub const INSTANTIATE_RESPONSE_TYPE_URL: &str = "/cosmwasm.wasm.v1.MsgInstantiateContractResponse";

/// Instantiate (by the vault, which becomes the only caller of `receive_stake`/`burn_stake`).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    for (name, ratio) in [
        ("double-sign", msg.slash_ratio_dsign),
        ("offline", msg.slash_ratio_offline),
    ] {
        if ratio > Decimal::one() {
            return Err(ContractError::InvalidSlashRatio {
                name: name.to_string(),
                ratio,
            });
        }
    }
    let config = Config {
        denom: msg.denom,
        proxy_code_id: msg.proxy_code_id,
        vault: info.sender,
        slash_ratio_dsign: msg.slash_ratio_dsign,
        slash_ratio_offline: msg.slash_ratio_offline,
    };
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("vault", config.vault)
        .add_attribute("denom", config.denom))
}

/// Execute a native staking message.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::ReceiveStake { owner, msg } => {
            execute_receive_stake(deps, env, info, owner, msg)
        }
        ExecuteMsg::ReleaseProxyStake {} => execute_release_proxy_stake(deps, info),
        ExecuteMsg::RoundingLoss { validator, amount } => {
            execute_rounding_loss(deps, info, validator, amount)
        }
        ExecuteMsg::ProxyClosed {} => execute_proxy_closed(deps, env, info),
        ExecuteMsg::BurnStake {
            owner,
            amount,
            validator,
        } => execute_burn_stake(deps, info, owner, amount, validator),
    }
}

/// Load the config and check that the sender is the vault.
fn only_vault(deps: Deps, info: &MessageInfo) -> Result<Config, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    if info.sender != cfg.vault {
        return Err(ContractError::NotVault {
            vault: cfg.vault.to_string(),
            sender: info.sender.to_string(),
        });
    }
    Ok(cfg)
}

/// Vault only, with funds: stake them for `owner` on the validator named in `msg`, through the
/// proxy's `stake`. The first time, the owner's proxy is instantiated first (with no funds), and
/// the stake follows in the reply, once the proxy is registered (so it can report to us).
fn execute_receive_stake(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    owner: String,
    msg: Binary,
) -> Result<Response, ContractError> {
    let cfg = only_vault(deps.as_ref(), &info)?;
    let amount = must_pay(&info, &cfg.denom)?;
    let StakeMsg { validator } = from_json(&msg).map_err(|e| ContractError::InvalidStakeMsg {
        reason: e.to_string(),
    })?;
    let owner_addr = deps.api.addr_validate(&owner)?;
    let funds = vec![Coin::new(amount, &cfg.denom)];

    let res = Response::new()
        .add_attribute("action", "receive_stake")
        .add_attribute("owner", &owner_addr)
        .add_attribute("validator", &validator)
        .add_attribute("amount", amount.to_string());
    match PROXY_BY_OWNER.may_load(deps.storage, &owner_addr)? {
        Some(proxy) => {
            let stake = WasmMsg::Execute {
                contract_addr: proxy.to_string(),
                msg: to_json_binary(&ProxyExecuteMsg::Stake { validator })?,
                funds,
            };
            Ok(res.add_message(stake).add_attribute("proxy", proxy))
        }
        None => {
            let instantiate = WasmMsg::Instantiate {
                admin: Some(env.contract.address.to_string()),
                code_id: cfg.proxy_code_id,
                msg: to_json_binary(&ProxyInstantiateMsg {
                    denom: cfg.denom.clone(),
                    owner: owner_addr.to_string(),
                    validator: validator.clone(),
                })?,
                funds: vec![],
                label: format!("mesh-native-staking-proxy {owner_addr}"),
            };
            let first = FirstStake {
                validator,
                amount: Uint128::try_from(amount).map_err(StdError::from)?,
            };
            Ok(res.add_submessage(
                SubMsg::reply_on_success(instantiate, REPLY_ID_INSTANTIATE_PROXY)
                    .with_payload(to_json_binary(&first)?),
            ))
        }
    }
}

/// A registered proxy only, with funds: pass the unbonded tokens on to the vault with
/// `release_local_stake {owner}`, which releases the owner's lien.
fn execute_release_proxy_stake(
    deps: DepsMut,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let owner = OWNER_BY_PROXY
        .may_load(deps.storage, &info.sender)?
        .ok_or_else(|| ContractError::NotProxy {
            sender: info.sender.to_string(),
        })?;
    let amount = must_pay(&info, &cfg.denom)?;
    let release = WasmMsg::Execute {
        contract_addr: cfg.vault.to_string(),
        msg: to_json_binary(&VaultExecuteMsg::ReleaseLocalStake {
            owner: owner.to_string(),
        })?,
        funds: vec![Coin::new(amount, &cfg.denom)],
    };
    Ok(Response::new()
        .add_message(release)
        .add_attribute("action", "release_proxy_stake")
        .add_attribute("owner", owner)
        .add_attribute("amount", amount.to_string()))
}

/// A registered proxy only: its owner lost `amount` to the chain's share arithmetic on
/// `validator`; the vault slashes the owner by it (one `local_slash`).
fn execute_rounding_loss(
    deps: DepsMut,
    info: MessageInfo,
    validator: String,
    amount: Uint128,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let cfg = CONFIG.load(deps.storage)?;
    let owner = OWNER_BY_PROXY
        .may_load(deps.storage, &info.sender)?
        .ok_or_else(|| ContractError::NotProxy {
            sender: info.sender.to_string(),
        })?;
    let mut res = Response::new()
        .add_attribute("action", "rounding_loss")
        .add_attribute("owner", &owner)
        .add_attribute("validator", &validator)
        .add_attribute("amount", amount);
    if !amount.is_zero() {
        res = res.add_message(WasmMsg::Execute {
            contract_addr: cfg.vault.to_string(),
            msg: to_json_binary(&VaultExecuteMsg::LocalSlash {
                slashes: vec![SlashInfo {
                    user: owner.to_string(),
                    slash: amount,
                }],
                validator,
            })?,
            funds: vec![],
        });
    }
    Ok(res)
}

/// A registered proxy only: it holds nothing any more; the rest of its owner's local lien (the
/// chain's rounding) is slashed in the vault.
fn execute_proxy_closed(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let cfg = CONFIG.load(deps.storage)?;
    let owner = OWNER_BY_PROXY
        .may_load(deps.storage, &info.sender)?
        .ok_or_else(|| ContractError::NotProxy {
            sender: info.sender.to_string(),
        })?;
    let lien: Option<LienResponse> = deps
        .querier
        .query_wasm_smart(
            &cfg.vault,
            &VaultQueryMsg::Claim {
                account: owner.to_string(),
                lienholder: env.contract.address.to_string(),
            },
        )
        .ok();
    let left = lien.map(|l| l.amount.high).unwrap_or_default();
    let mut res = Response::new()
        .add_attribute("action", "proxy_closed")
        .add_attribute("owner", &owner)
        .add_attribute("written_off", left);
    if !left.is_zero() {
        res = res.add_message(WasmMsg::Execute {
            contract_addr: cfg.vault.to_string(),
            msg: to_json_binary(&VaultExecuteMsg::LocalSlash {
                slashes: vec![SlashInfo {
                    user: owner.to_string(),
                    slash: left,
                }],
                validator: String::new(),
            })?,
            funds: vec![],
        });
    }
    Ok(res)
}

/// Vault only: burn `amount` of `owner`'s stake through their proxy (after a slash elsewhere).
fn execute_burn_stake(
    deps: DepsMut,
    info: MessageInfo,
    owner: String,
    amount: Coin,
    validator: Option<String>,
) -> Result<Response, ContractError> {
    let cfg = only_vault(deps.as_ref(), &info)?;
    nonpayable(&info)?;
    if amount.denom != cfg.denom {
        return Err(ContractError::InvalidDenom {
            expected: cfg.denom,
            got: amount.denom,
        });
    }
    if amount.amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let owner_addr = deps.api.addr_validate(&owner)?;
    let proxy = PROXY_BY_OWNER
        .may_load(deps.storage, &owner_addr)?
        .ok_or(ContractError::NoProxy { owner })?;
    let burn = WasmMsg::Execute {
        contract_addr: proxy.to_string(),
        msg: to_json_binary(&ProxyExecuteMsg::Burn {
            validator: validator.clone(),
            amount: amount.clone(),
        })?,
        funds: vec![],
    };
    Ok(Response::new()
        .add_message(burn)
        .add_attribute("action", "burn_stake")
        .add_attribute("owner", owner_addr)
        .add_attribute("proxy", proxy)
        .add_attribute("validator", validator.unwrap_or_default())
        .add_attribute("amount", amount.amount.to_string()))
}

/// The first stake of a new proxy, carried to the reply of its instantiation.
#[cw_serde]
struct FirstStake {
    validator: String,
    amount: Uint128,
}

/// Reply of a proxy instantiation: record owner ↔ proxy from the instantiate response, then
/// send the first stake to the proxy.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, reply: Reply) -> Result<Response, ContractError> {
    if reply.id != REPLY_ID_INSTANTIATE_PROXY {
        return Err(ContractError::UnknownReplyId { id: reply.id });
    }
    let response = match reply.result {
        SubMsgResult::Ok(response) => response,
        SubMsgResult::Err(err) => {
            return Err(ContractError::ParseReply(
                cw_utils::ParseReplyError::SubMsgFailure(err),
            ))
        }
    };
    let (proxy, data) = instantiate_response(response)?;
    let proxy = deps.api.addr_validate(&proxy)?;
    let OwnerMsg { owner } = from_json(&data)?;
    let owner = deps.api.addr_validate(&owner)?;
    PROXY_BY_OWNER.save(deps.storage, &owner, &proxy)?;
    OWNER_BY_PROXY.save(deps.storage, &proxy, &owner)?;
    let mut res = Response::new()
        .add_attribute("action", "proxy_created")
        .add_attribute("owner", owner)
        .add_attribute("proxy", &proxy);
    if let Ok(first) = from_json::<FirstStake>(&reply.payload) {
        let cfg = CONFIG.load(deps.storage)?;
        res = res.add_message(WasmMsg::Execute {
            contract_addr: proxy.to_string(),
            msg: to_json_binary(&ProxyExecuteMsg::Stake {
                validator: first.validator,
            })?,
            funds: vec![Coin::new(first.amount, &cfg.denom)],
        });
    }
    Ok(res)
}

/// The new contract's address and its instantiate data: from the `MsgInstantiateContractResponse`
/// in `msg_responses` (CosmWasm 2+), or from the deprecated `data` field on older runtimes.
fn instantiate_response(response: SubMsgResponse) -> Result<(String, Binary), ContractError> {
    let raw = match response
        .msg_responses
        .iter()
        .find(|r| r.type_url == INSTANTIATE_RESPONSE_TYPE_URL)
    {
        Some(r) => r.value.clone(),
        #[allow(deprecated)]
        None => response.data.ok_or(ContractError::NoInstantiateData {})?,
    };
    let parsed = parse_instantiate_response_data(raw.as_slice())?;
    let data = parsed.data.ok_or(ContractError::NoInstantiateData {})?;
    Ok((parsed.contract_address, data))
}

/// Sudo from the chain about a slash: report each owner's loss to the vault.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn sudo(deps: DepsMut, _env: Env, msg: SudoMsg) -> Result<Response, ContractError> {
    match msg {
        SudoMsg::Jailing {
            jailed,
            tombstoned,
            slashed: Some(slashed),
        } => sudo_slashed(
            deps,
            jailed.unwrap_or_default(),
            tombstoned.unwrap_or_default(),
            slashed,
        ),
        SudoMsg::Jailing {
            jailed,
            tombstoned,
            slashed: None,
        } => sudo_jailing(
            deps,
            jailed.unwrap_or_default(),
            tombstoned.unwrap_or_default(),
        ),
    }
}

/// The chain slashed and says what it took from each delegator: every delegator that is one of
/// our proxies is reported for its owner, exactly that amount, in one vault `local_slash` per
/// validator (validators in the order given, owners in proxy address order), and is told what
/// the slash took from its delegations (`slashed`), so it stops counting on those tokens.
fn sudo_slashed(
    deps: DepsMut,
    jailed: Vec<String>,
    tombstoned: Vec<String>,
    slashed: Vec<DelegatorSlash>,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let mut res = Response::new().add_attribute("action", "jailing");
    for (kind, list) in [("tombstoned", &tombstoned), ("jailed", &jailed)] {
        if !list.is_empty() {
            res = res.add_attribute(kind, list.join(","));
        }
    }
    let mut by_validator: Vec<(String, BTreeMap<Addr, Uint128>)> = vec![];
    let mut to_proxies = vec![];
    for s in slashed.into_iter().filter(|s| !s.amount.is_zero()) {
        let Ok(proxy) = deps.api.addr_validate(&s.delegator) else {
            continue;
        };
        if !OWNER_BY_PROXY.has(deps.storage, &proxy) {
            continue;
        }
        let pos = match by_validator.iter().position(|(v, _)| *v == s.validator) {
            Some(pos) => pos,
            None => {
                by_validator.push((s.validator.clone(), BTreeMap::new()));
                by_validator.len() - 1
            }
        };
        let entry = by_validator[pos].1.entry(proxy.clone()).or_default();
        *entry = entry.checked_add(s.amount).map_err(StdError::from)?;
        to_proxies.push(slashed_msg(
            &proxy,
            s.validator,
            s.amount.saturating_sub(s.unbonding),
            s.redelegated,
        )?);
    }
    for (validator, per_proxy) in by_validator {
        let mut slashes = vec![];
        for (proxy, slash) in per_proxy {
            let owner = OWNER_BY_PROXY.load(deps.storage, &proxy)?;
            slashes.push(SlashInfo {
                user: owner.to_string(),
                slash,
            });
        }
        res = res.add_message(WasmMsg::Execute {
            contract_addr: cfg.vault.to_string(),
            msg: to_json_binary(&VaultExecuteMsg::LocalSlash { slashes, validator })?,
            funds: vec![],
        });
    }
    Ok(res.add_messages(to_proxies))
}

/// The proxy's `slashed`: what a slash of `validator` took from its delegations.
fn slashed_msg(
    proxy: &Addr,
    validator: String,
    bonded: Uint128,
    redelegated: Vec<RedelegationSlash>,
) -> StdResult<WasmMsg> {
    Ok(WasmMsg::Execute {
        contract_addr: proxy.to_string(),
        msg: to_json_binary(&ProxyExecuteMsg::Slashed {
            validator,
            bonded,
            redelegated,
        })?,
        funds: vec![],
    })
}

/// For each tombstoned validator (double-sign ratio), then each jailed one (offline ratio; a
/// validator also tombstoned is only slashed once, as tombstoned): every proxy delegating to it,
/// in proxy address order, is slashed `floor(delegation × ratio)`, one vault `local_slash`
/// per validator carries the non-zero slashes, and each proxy is told its own (`slashed`).
fn sudo_jailing(
    deps: DepsMut,
    jailed: Vec<String>,
    tombstoned: Vec<String>,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let mut seen: Vec<String> = vec![];
    let mut plan: Vec<(String, Decimal, &str)> = vec![];
    for (list, ratio, kind) in [
        (tombstoned, cfg.slash_ratio_dsign, "tombstoned"),
        (jailed, cfg.slash_ratio_offline, "jailed"),
    ] {
        for validator in list {
            if !seen.contains(&validator) {
                seen.push(validator.clone());
                plan.push((validator, ratio, kind));
            }
        }
    }

    let proxies: Vec<(Addr, Addr)> = OWNER_BY_PROXY
        .range(deps.storage, None, None, Order::Ascending)
        .collect::<StdResult<_>>()?;

    let mut res = Response::new().add_attribute("action", "jailing");
    let mut to_proxies = vec![];
    for (validator, ratio, kind) in plan {
        let mut slashes = vec![];
        for (proxy, owner) in &proxies {
            let delegation = deps
                .querier
                .query_delegation(proxy.as_str(), validator.as_str())?;
            let delegated = match delegation {
                Some(d) => Uint128::try_from(d.amount.amount)?,
                None => continue,
            };
            let slash = delegated.mul_floor(ratio);
            if !slash.is_zero() {
                slashes.push(SlashInfo {
                    user: owner.to_string(),
                    slash,
                });
                to_proxies.push(slashed_msg(proxy, validator.clone(), slash, vec![])?);
            }
        }
        res = res.add_attribute(kind, &validator);
        if slashes.is_empty() {
            continue;
        }
        res = res.add_message(WasmMsg::Execute {
            contract_addr: cfg.vault.to_string(),
            msg: to_json_binary(&VaultExecuteMsg::LocalSlash { slashes, validator })?,
            funds: vec![],
        });
    }
    Ok(res.add_messages(to_proxies))
}

/// Query native staking.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    match msg {
        QueryMsg::Config {} => {
            let cfg = CONFIG.load(deps.storage)?;
            Ok(to_json_binary(&ConfigResponse {
                denom: cfg.denom,
                proxy_code_id: cfg.proxy_code_id,
                vault: cfg.vault.to_string(),
                slash_ratio_dsign: cfg.slash_ratio_dsign,
                slash_ratio_offline: cfg.slash_ratio_offline,
            })?)
        }
        QueryMsg::ProxyByOwner { owner } => {
            let owner_addr = deps.api.addr_validate(&owner)?;
            let proxy = PROXY_BY_OWNER
                .may_load(deps.storage, &owner_addr)?
                .ok_or(ContractError::NoProxy { owner })?;
            Ok(to_json_binary(&ProxyByOwnerResponse {
                proxy: proxy.to_string(),
            })?)
        }
        QueryMsg::OwnerByProxy { proxy } => {
            let proxy_addr = deps.api.addr_validate(&proxy)?;
            let owner = OWNER_BY_PROXY
                .may_load(deps.storage, &proxy_addr)?
                .ok_or(ContractError::UnknownProxy { proxy })?;
            Ok(to_json_binary(&OwnerByProxyResponse {
                owner: owner.to_string(),
            })?)
        }
        QueryMsg::MaxSlash {} => {
            let cfg = CONFIG.load(deps.storage)?;
            Ok(to_json_binary(&MaxSlashResponse {
                slash_ratio_dsign: cfg.slash_ratio_dsign,
                slash_ratio_offline: cfg.slash_ratio_offline,
            })?)
        }
    }
}
