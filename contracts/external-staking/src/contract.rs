//! Entry points and execute / query handlers of external staking.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    coin, from_json, to_json_binary, Addr, Binary, Coin, Decimal, Deps, DepsMut, Env, MessageInfo,
    Order, Response, StdError, StdResult, Uint128, WasmMsg,
};
use cw_storage_plus::Bound;
use cw_utils::nonpayable;
use mesh_apis::ibc::ProviderPacket;
use mesh_apis::vault::{page_limit, ExecuteMsg as VaultExecuteMsg};
use mesh_apis::Tx;

use crate::error::ContractError;
use crate::ibc::{open_channel, packet_msg};
use crate::msg::{
    AllPendingRewardsResponse, AllTxsResponse, BurnLedgerResponse, ConfigResponse, ExecuteMsg,
    InstantiateMsg, ListActiveValidatorsResponse, ListValidatorsResponse, MaxSlashResponse,
    PendingRewardsResponse, QueryMsg, StakeMsg, StakeResponse, StakesResponse, ValidatorEntry,
    ValidatorPendingRewards, ValidatorState, DEFAULT_PACKET_TIMEOUT_SECS,
};
use crate::slashing::burn_stakes;
use crate::state::{
    load_distribution, load_stake, next_tx_id, save_stake, update_stake, Config, AUTH_ENDPOINT,
    CONFIG, DISTRIBUTION, IBC_CHANNEL, PENDING_TXS, STAKES, VALIDATORS,
};
use crate::valset;

/// Instantiate: store the configuration and the endpoint allowed to open the channel.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    for ratio in [msg.slash_ratio.double_sign, msg.slash_ratio.offline] {
        if ratio > Decimal::one() {
            return Err(ContractError::InvalidSlashRatio {
                ratio: ratio.to_string(),
            });
        }
    }
    let packet_timeout = msg.packet_timeout.unwrap_or(DEFAULT_PACKET_TIMEOUT_SECS);
    if packet_timeout == 0 {
        return Err(ContractError::ZeroPacketTimeout);
    }
    let vault = deps.api.addr_validate(&msg.vault)?;
    CONFIG.save(
        deps.storage,
        &Config {
            denom: msg.denom,
            rewards_denom: msg.rewards_denom,
            vault: vault.clone(),
            unbonding_period: msg.unbonding_period,
            slash_ratio: msg.slash_ratio,
            packet_timeout,
        },
    )?;
    AUTH_ENDPOINT.save(deps.storage, &msg.remote_contact)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("vault", vault))
}

/// Execute messages.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    match msg {
        ExecuteMsg::ReceiveVirtualStake {
            owner,
            amount,
            tx_id,
            msg,
        } => receive_virtual_stake(deps, env, info, owner, amount, tx_id, msg),
        ExecuteMsg::BurnVirtualStake {
            owner,
            amount,
            validator,
        } => burn_virtual_stake(deps, env, info, owner, amount, validator),
        ExecuteMsg::Unstake { validator, amount } => unstake(deps, env, info, validator, amount),
        ExecuteMsg::WithdrawUnbonded {} => withdraw_unbonded(deps, env, info),
        ExecuteMsg::WithdrawRewards {
            validator,
            remote_recipient,
        } => withdraw_rewards(deps, env, info, validator, remote_recipient),
    }
}

fn ensure_vault(cfg: &Config, info: &MessageInfo) -> Result<(), ContractError> {
    if info.sender != cfg.vault {
        return Err(ContractError::Unauthorized {
            vault: cfg.vault.to_string(),
            sender: info.sender.to_string(),
        });
    }
    Ok(())
}

/// The amount of `coin` if it is in `expected` denom and fits in a `Uint128`.
pub fn checked_amount(expected: &str, coin: &Coin) -> Result<Uint128, ContractError> {
    if coin.denom != expected {
        return Err(ContractError::InvalidDenom {
            expected: expected.to_string(),
            got: coin.denom.clone(),
        });
    }
    Ok(Uint128::try_from(coin.amount).map_err(StdError::from)?)
}

/// A message to the vault.
pub fn vault_msg(cfg: &Config, msg: &VaultExecuteMsg) -> StdResult<WasmMsg> {
    Ok(WasmMsg::Execute {
        contract_addr: cfg.vault.to_string(),
        msg: to_json_binary(msg)?,
        funds: vec![],
    })
}

/// Vault only: a pending lien to stake on a consumer validator. Prepares the stake, records the
/// tx under the vault's id and sends the `stake` packet.
fn receive_virtual_stake(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    owner: String,
    amount: Coin,
    tx_id: u64,
    msg: Binary,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    ensure_vault(&cfg, &info)?;
    open_channel(deps.storage)?;
    let value = checked_amount(&cfg.denom, &amount)?;
    if value.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let owner = deps.api.addr_validate(&owner)?;
    let StakeMsg { validator } = from_json(&msg)?;
    if !valset::is_active(deps.storage, &validator)? {
        return Err(ContractError::ValidatorNotActive { validator });
    }
    if PENDING_TXS.has(deps.storage, tx_id) {
        return Err(ContractError::TxIdInUse { tx_id });
    }
    let packet = ProviderPacket::Stake {
        delegator: owner.to_string(),
        validator: validator.clone(),
        stake: amount.clone(),
        tx_id,
    };
    let send = packet_msg(deps.storage, &env, &cfg, &packet)?;

    let mut stake = load_stake(deps.storage, &owner, &validator)?;
    stake.stake.prepare_add(value, Uint128::MAX)?;
    stake.adding = stake.adding.saturating_add(value);
    let dist = load_distribution(deps.storage, &validator)?;
    save_stake(deps.storage, &owner, &validator, &stake, &dist)?;
    PENDING_TXS.save(
        deps.storage,
        tx_id,
        &Tx::InFlightRemoteStaking {
            id: tx_id,
            amount: value,
            user: owner.clone(),
            validator: validator.clone(),
        },
    )?;
    Ok(Response::new()
        .add_message(send)
        .add_attribute("action", "receive_virtual_stake")
        .add_attribute("owner", owner)
        .add_attribute("validator", validator)
        .add_attribute("amount", value)
        .add_attribute("tx_id", tx_id.to_string()))
}

/// Unstake from a consumer validator: needs `stake.low >= amount`; prepares the subtraction,
/// records an own tx and sends the `unstake` packet. Never refused because of prices: only the
/// provider-side stake is checked.
fn unstake(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    validator: String,
    amount: Coin,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let value = checked_amount(&cfg.denom, &amount)?;
    if value.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let user = info.sender;
    let mut stake = load_stake(deps.storage, &user, &validator)?;
    if stake.stake.low < value {
        return Err(ContractError::NotEnoughStake {
            validator,
            available: stake.stake.low,
            requested: value,
        });
    }
    stake.stake.prepare_sub(value, Uint128::zero())?;
    let tx_id = next_tx_id(deps.storage)?;
    let packet = ProviderPacket::Unstake {
        delegator: user.to_string(),
        validator: validator.clone(),
        unstake: amount.clone(),
        tx_id,
    };
    let send = packet_msg(deps.storage, &env, &cfg, &packet)?;
    let dist = load_distribution(deps.storage, &validator)?;
    save_stake(deps.storage, &user, &validator, &stake, &dist)?;
    PENDING_TXS.save(
        deps.storage,
        tx_id,
        &Tx::InFlightRemoteUnstaking {
            id: tx_id,
            amount: value,
            user: user.clone(),
            validator: validator.clone(),
        },
    )?;
    Ok(Response::new()
        .add_message(send)
        .add_attribute("action", "unstake")
        .add_attribute("owner", user)
        .add_attribute("validator", validator)
        .add_attribute("amount", value)
        .add_attribute("tx_id", tx_id.to_string()))
}

/// Release every matured pending unbond of the sender to the vault (one `release_cross_stake`
/// with the total; no message when nothing matured).
fn withdraw_unbonded(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    let user = info.sender;
    let validators: Vec<String> = STAKES
        .prefix(&user)
        .keys(deps.storage, None, None, Order::Ascending)
        .collect::<StdResult<_>>()?;
    let mut released = Uint128::zero();
    for validator in validators {
        let r = update_stake(deps.storage, &user, &validator, |stake, _| {
            stake.release_matured(env.block.time)
        })?;
        released = released.saturating_add(r);
    }
    let mut resp = Response::new()
        .add_attribute("action", "withdraw_unbonded")
        .add_attribute("owner", &user)
        .add_attribute("amount", released);
    if !released.is_zero() {
        resp = resp.add_message(vault_msg(
            &cfg,
            &VaultExecuteMsg::ReleaseCrossStake {
                owner: user.to_string(),
                amount: coin(released.u128(), &cfg.denom),
            },
        )?);
    }
    Ok(resp)
}

/// Pay the sender's rewards on `validator` to a consumer account: the amount is reserved until
/// the ack (an error ack or a timeout releases it), so two withdrawals cannot pay twice.
fn withdraw_rewards(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    validator: String,
    remote_recipient: String,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    if remote_recipient.trim().is_empty() {
        return Err(ContractError::EmptyRecipient);
    }
    let user = info.sender;
    let mut stake = load_stake(deps.storage, &user, &validator)?;
    let dist = load_distribution(deps.storage, &validator)?;
    let amount = dist.available_rewards(&stake);
    if amount.is_zero() {
        return Err(ContractError::NoRewards { validator });
    }
    let tx_id = next_tx_id(deps.storage)?;
    let rewards = coin(amount.u128(), &cfg.rewards_denom);
    let packet = ProviderPacket::TransferRewards {
        rewards: rewards.clone(),
        recipient: remote_recipient.clone(),
        tx_id,
    };
    let send = packet_msg(deps.storage, &env, &cfg, &packet)?;
    stake.reserved = stake.reserved.saturating_add(amount);
    save_stake(deps.storage, &user, &validator, &stake, &dist)?;
    PENDING_TXS.save(
        deps.storage,
        tx_id,
        &Tx::InFlightTransferFunds {
            id: tx_id,
            amount: rewards,
            staker: user.clone(),
            validator: validator.clone(),
        },
    )?;
    Ok(Response::new()
        .add_message(send)
        .add_attribute("action", "withdraw_rewards")
        .add_attribute("owner", user)
        .add_attribute("validator", validator)
        .add_attribute("recipient", remote_recipient)
        .add_attribute("amount", amount)
        .add_attribute("tx_id", tx_id.to_string()))
}

/// Vault only: burn `amount` of `owner`'s stake after a slash elsewhere. Takes from `validator`
/// first (if given), then proportionally from the other validators, then from pending unbonds,
/// then from stake being unstaked; sends one `burn` packet per validator whose settled stake was
/// cut (none once the channel is closed).
/// A burn larger than what the user has burns everything and reports the rest as `unburned`.
fn burn_virtual_stake(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    owner: String,
    amount: Coin,
    validator: Option<String>,
) -> Result<Response, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    ensure_vault(&cfg, &info)?;
    let value = checked_amount(&cfg.denom, &amount)?;
    let owner = deps.api.addr_validate(&owner)?;
    let out = burn_stakes(deps.storage, &owner, value, validator.as_deref())?;
    let channel_usable = crate::ibc::usable_channel(deps.storage)?.is_some();
    let mut resp = Response::new()
        .add_attribute("action", "burn_virtual_stake")
        .add_attribute("owner", &owner)
        .add_attribute("amount", value);
    for (validator, burned) in &out.from_stakes {
        resp = resp.add_attribute("burned", format!("{validator}:{burned}"));
        if channel_usable {
            resp = resp.add_message(crate::ibc::burn_msg(
                deps.storage,
                &env,
                &cfg,
                validator,
                *burned,
            )?);
        }
    }
    for (validator, burned) in &out.from_unstaking {
        resp = resp.add_attribute("burned_unstaking", format!("{validator}:{burned}"));
    }
    resp = resp.add_attribute("burned_unbonding", out.from_unbonds);
    if !out.debt.is_zero() {
        resp = resp.add_attribute("burned_in_flight", out.debt);
    }
    if !out.unburned.is_zero() {
        resp = resp.add_attribute("unburned", out.unburned);
    }
    Ok(resp)
}

/// Queries.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    let bin = match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?)?,
        QueryMsg::IbcChannel {} => match IBC_CHANNEL.may_load(deps.storage)? {
            Some(ch) => to_json_binary(&ch)?,
            None => return Err(ContractError::NoChannel),
        },
        QueryMsg::ListActiveValidators { start_after, limit } => {
            let validators = list_validators(deps, start_after, limit, true)?
                .into_iter()
                .map(|v| v.validator)
                .collect();
            to_json_binary(&ListActiveValidatorsResponse { validators })?
        }
        QueryMsg::ListValidators { start_after, limit } => {
            to_json_binary(&ListValidatorsResponse {
                validators: list_validators(deps, start_after, limit, false)?,
            })?
        }
        QueryMsg::Stake { user, validator } => {
            let user = deps.api.addr_validate(&user)?;
            to_json_binary(&stake_response(deps, &user, &validator)?)?
        }
        QueryMsg::Stakes {
            user,
            start_after,
            limit,
        } => to_json_binary(&query_stakes(deps, user, start_after, limit)?)?,
        QueryMsg::PendingTx { tx_id } => match PENDING_TXS.may_load(deps.storage, tx_id)? {
            Some(tx) => to_json_binary(&tx)?,
            None => return Err(ContractError::UnknownTx { tx_id }),
        },
        QueryMsg::AllPendingTxsDesc { start_after, limit } => {
            let txs = PENDING_TXS
                .range(
                    deps.storage,
                    None,
                    start_after.map(Bound::exclusive),
                    Order::Descending,
                )
                .take(page_limit(limit))
                .map(|item| item.map(|(_, tx)| tx))
                .collect::<StdResult<_>>()?;
            to_json_binary(&AllTxsResponse { txs })?
        }
        QueryMsg::PendingRewards { user, validator } => {
            let cfg = CONFIG.load(deps.storage)?;
            let user = deps.api.addr_validate(&user)?;
            let stake = load_stake(deps.storage, &user, &validator)?;
            let amount = load_distribution(deps.storage, &validator)?.available_rewards(&stake);
            to_json_binary(&PendingRewardsResponse {
                rewards: coin(amount.u128(), cfg.rewards_denom),
            })?
        }
        QueryMsg::AllPendingRewards {
            user,
            start_after,
            limit,
        } => to_json_binary(&query_all_rewards(deps, user, start_after, limit)?)?,
        QueryMsg::BurnLedger { start_after, limit } => to_json_binary(&BurnLedgerResponse {
            entries: crate::burns::ledger(
                deps.storage,
                start_after.as_deref(),
                mesh_apis::vault::page_limit(limit),
            )?,
        })?,
        QueryMsg::Outstanding { limit } => to_json_binary(&crate::outstanding::outstanding(
            deps.storage,
            mesh_apis::vault::page_limit(limit),
        )?)?,
        QueryMsg::MaxSlash {} => {
            let cfg = CONFIG.load(deps.storage)?;
            to_json_binary(&MaxSlashResponse {
                slash_ratio_dsign: cfg.slash_ratio.double_sign,
                slash_ratio_offline: cfg.slash_ratio.offline,
            })?
        }
    };
    Ok(bin)
}

fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let cfg = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        denom: cfg.denom,
        rewards_denom: cfg.rewards_denom,
        vault: cfg.vault.to_string(),
        unbonding_period: cfg.unbonding_period,
        slash_ratio: cfg.slash_ratio,
        packet_timeout: cfg.packet_timeout,
    })
}

fn list_validators(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
    active_only: bool,
) -> StdResult<Vec<ValidatorEntry>> {
    VALIDATORS
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .filter(|item| {
            !active_only
                || item
                    .as_ref()
                    .map_or(true, |(_, v)| v.state == ValidatorState::Active)
        })
        .take(page_limit(limit))
        .map(|item| {
            item.map(|(validator, v)| ValidatorEntry {
                validator,
                state: v.state,
                since_height: v.since_height,
            })
        })
        .collect()
}

fn stake_response(deps: Deps, user: &Addr, validator: &str) -> StdResult<StakeResponse> {
    let stake = load_stake(deps.storage, user, validator)?;
    Ok(StakeResponse {
        owner: user.to_string(),
        validator: validator.to_string(),
        stake: stake.stake,
        pending_unbonds: stake.pending_unbonds,
    })
}

fn query_stakes(
    deps: Deps,
    user: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<StakesResponse> {
    let user = deps.api.addr_validate(&user)?;
    let stakes = STAKES
        .prefix(&user)
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|item| {
            item.map(|(validator, s)| StakeResponse {
                owner: user.to_string(),
                validator,
                stake: s.stake,
                pending_unbonds: s.pending_unbonds,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(StakesResponse { stakes })
}

fn query_all_rewards(
    deps: Deps,
    user: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<AllPendingRewardsResponse> {
    let cfg = CONFIG.load(deps.storage)?;
    let user = deps.api.addr_validate(&user)?;
    let stakes: Vec<_> = STAKES
        .prefix(&user)
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .collect::<StdResult<_>>()?;
    let mut rewards = vec![];
    for (validator, stake) in stakes {
        let dist = DISTRIBUTION
            .may_load(deps.storage, &validator)?
            .unwrap_or_default();
        rewards.push(ValidatorPendingRewards {
            rewards: coin(dist.available_rewards(&stake).u128(), &cfg.rewards_denom),
            validator,
        });
    }
    Ok(AllPendingRewardsResponse { rewards })
}
