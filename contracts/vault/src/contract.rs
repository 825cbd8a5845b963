//! Entry points and execute handlers of the vault (docs/system.md ("The provider's contracts")).

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Addr, BankMsg, Binary, Coin, Decimal, Deps, DepsMut, Empty, Env, MessageInfo,
    Order, Reply, Response, StdError, StdResult, Storage, SubMsg, SubMsgResponse, Uint128, WasmMsg,
};
use cw_utils::{must_pay, nonpayable, parse_instantiate_response_data};
use mesh_apis::{Tx, ValueRange};

use crate::error::ContractError;
use crate::msg::{
    CrossStakingApiExecMsg, ExecuteMsg, InstantiateMsg, LienholderQueryMsg, LocalStakingApiExecMsg,
    MaxSlashResponse, QueryMsg,
};
use crate::state::{
    Config, Lien, LocalStaking, UserInfo, CONFIG, EXTERNAL_STAKERS, LIENS, LOCAL_STAKING,
    PENDING_TXS, TX_COUNT, USERS,
};

/// Reply id of the local staking instantiation.
pub const REPLY_ID_INSTANTIATE: u64 = 1;
/// Label of the local staking contract when the instantiate message names none.
pub const DEFAULT_LOCAL_STAKING_LABEL: &str = "mesh-native-staking";

/// Creates the vault and, when asked, its canonical local staking contract.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    CONFIG.save(
        deps.storage,
        &Config {
            denom: msg.denom.clone(),
        },
    )?;
    TX_COUNT.save(deps.storage, &0)?;
    let mut resp = Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("denom", msg.denom);
    if let Some(local) = msg.local_staking {
        let label = local
            .label
            .unwrap_or_else(|| DEFAULT_LOCAL_STAKING_LABEL.to_string());
        let init = WasmMsg::Instantiate {
            admin: None,
            code_id: local.code_id,
            msg: local.msg,
            funds: vec![],
            label,
        };
        resp = resp.add_submessage(SubMsg::reply_on_success(init, REPLY_ID_INSTANTIATE));
    }
    Ok(resp)
}

/// Records the local staking contract's address and double-sign slash ratio; reports failed burns.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, reply: Reply) -> Result<Response, ContractError> {
    match reply.id {
        REPLY_ID_INSTANTIATE => {}
        crate::slash::REPLY_ID_BURN => return crate::slash::burn_failed(reply),
        id => return Err(ContractError::InvalidReplyId { id }),
    }
    let result = reply
        .result
        .into_result()
        .map_err(|reason| ContractError::ReplyParse { reason })?;
    let addr = instantiated_address(&result)?;
    let contract = deps.api.addr_validate(&addr)?;
    let max_slash: MaxSlashResponse = deps
        .querier
        .query_wasm_smart(&contract, &LienholderQueryMsg::MaxSlash {})
        .map_err(|e| ContractError::LienholderQuery {
            contract: contract.to_string(),
            reason: e.to_string(),
        })?;
    LOCAL_STAKING.save(
        deps.storage,
        &LocalStaking {
            contract: contract.clone(),
            slash_ratio: max_slash.slash_ratio_dsign,
        },
    )?;
    Ok(Response::new()
        .add_attribute("action", "register_local_staking")
        .add_attribute("local_staking", contract)
        .add_attribute("slash_ratio", max_slash.slash_ratio_dsign.to_string()))
}

/// The instantiated contract's address: from `msg_responses` (CosmWasm 2+), else the deprecated
/// `data`, else the `_contract_address` attribute of the `instantiate` event.
fn instantiated_address(result: &SubMsgResponse) -> Result<String, ContractError> {
    let from_proto = |data: &[u8]| {
        parse_instantiate_response_data(data)
            .map(|r| r.contract_address)
            .map_err(|e| ContractError::ReplyParse {
                reason: e.to_string(),
            })
    };
    if let Some(resp) = result
        .msg_responses
        .iter()
        .find(|r| r.type_url.ends_with("MsgInstantiateContractResponse"))
        .or(result.msg_responses.first())
    {
        return from_proto(resp.value.as_slice());
    }
    #[allow(deprecated)]
    if let Some(data) = &result.data {
        return from_proto(data.as_slice());
    }
    result
        .events
        .iter()
        .filter(|e| e.ty == "instantiate")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == "_contract_address")
        .map(|a| a.value.clone())
        .ok_or_else(|| ContractError::ReplyParse {
            reason: "no instantiate response".to_string(),
        })
}

/// Executes a vault message.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Bond {} => bond(deps, info),
        ExecuteMsg::Unbond { amount } => unbond(deps, info, amount),
        ExecuteMsg::StakeLocal { amount, msg } => stake_local(deps, info, amount, msg),
        ExecuteMsg::StakeRemote {
            contract,
            amount,
            msg,
        } => stake_remote(deps, info, contract, amount, msg),
        ExecuteMsg::CommitTx { tx_id } => commit_tx(deps, info, tx_id),
        ExecuteMsg::RollbackTx { tx_id } => rollback_tx(deps, info, tx_id),
        ExecuteMsg::ReleaseLocalStake { owner } => release_local_stake(deps, info, owner),
        ExecuteMsg::ReleaseCrossStake { owner, amount } => {
            release_cross_stake(deps, info, owner, amount)
        }
        ExecuteMsg::LocalSlash { slashes, validator } => {
            crate::slash::local_slash(deps, env, info, slashes, validator)
        }
        ExecuteMsg::CrossSlash { slashes, validator } => {
            crate::slash::cross_slash(deps, env, info, slashes, validator)
        }
    }
}

/// Answers a vault query.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    crate::query::query(deps, msg)
}

/// `bond {}`: the attached funds (collateral denom only) become collateral.
fn bond(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let denom = CONFIG.load(deps.storage)?.denom;
    let amount = to_uint128(must_pay(&info, &denom)?)?;
    let mut user = load_user(deps.storage, &info.sender)?;
    user.collateral = user
        .collateral
        .checked_add(amount)
        .map_err(|e| ContractError::Std(e.into()))?;
    USERS.save(deps.storage, &info.sender, &user)?;
    Ok(Response::new()
        .add_attribute("action", "bond")
        .add_attribute("sender", info.sender)
        .add_attribute("amount", amount))
}

/// `unbond {amount}`: withdraws free collateral (needs `free.low >= amount`).
fn unbond(deps: DepsMut, info: MessageInfo, amount: Coin) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let denom = CONFIG.load(deps.storage)?.denom;
    let value = checked_amount(&amount, &denom)?;
    let mut user = load_user(deps.storage, &info.sender)?;
    let free = user.free().low;
    if free < value {
        return Err(ContractError::ClaimsLocked {
            free,
            requested: value,
        });
    }
    user.collateral -= value;
    USERS.save(deps.storage, &info.sender, &user)?;
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: vec![amount],
        })
        .add_attribute("action", "unbond")
        .add_attribute("sender", info.sender)
        .add_attribute("amount", value))
}

/// `stake_local {amount, msg}`: a settled lien on the local staker; the tokens go with `receive_stake`.
fn stake_local(
    deps: DepsMut,
    info: MessageInfo,
    amount: Coin,
    msg: Binary,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let denom = CONFIG.load(deps.storage)?.denom;
    let local = LOCAL_STAKING
        .may_load(deps.storage)?
        .ok_or(ContractError::NoLocalStaking)?;
    let value = checked_amount(&amount, &denom)?;
    let (mut lien, mut user) = add_lien(
        deps.storage,
        &info.sender,
        &local.contract,
        local.slash_ratio,
        value,
    )?;
    // Local liens are settled at once.
    lien.amount.saturating_commit_add(value);
    user.total_slashable
        .saturating_commit_add(slash_part(value, lien.slashable));
    user.max_lien = user.max_lien.max(lien.amount);
    LIENS.save(deps.storage, (&info.sender, &local.contract), &lien)?;
    USERS.save(deps.storage, &info.sender, &user)?;

    let stake = WasmMsg::Execute {
        contract_addr: local.contract.to_string(),
        msg: to_json_binary(&LocalStakingApiExecMsg::ReceiveStake {
            owner: info.sender.to_string(),
            msg,
        })?,
        funds: vec![amount],
    };
    Ok(Response::new()
        .add_message(stake)
        .add_attribute("action", "stake_local")
        .add_attribute("sender", info.sender)
        .add_attribute("amount", value))
}

/// `stake_remote {contract, amount, msg}`: a pending lien on an external staker, which must
/// later `commit_tx` or `rollback_tx`.
fn stake_remote(
    deps: DepsMut,
    info: MessageInfo,
    contract: String,
    amount: Coin,
    msg: Binary,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let denom = CONFIG.load(deps.storage)?.denom;
    let value = checked_amount(&amount, &denom)?;
    let contract = deps.api.addr_validate(&contract)?;
    if let Some(local) = LOCAL_STAKING.may_load(deps.storage)? {
        if local.contract == contract {
            return Err(ContractError::InvalidLienholder {
                contract: contract.to_string(),
            });
        }
    }
    // The ratio is fixed when the lien is created: only a new lien asks the lienholder.
    let ratio = match LIENS.may_load(deps.storage, (&info.sender, &contract))? {
        Some(lien) => lien.slashable,
        None => {
            let resp: MaxSlashResponse = deps
                .querier
                .query_wasm_smart(&contract, &LienholderQueryMsg::MaxSlash {})
                .map_err(|e| ContractError::LienholderQuery {
                    contract: contract.to_string(),
                    reason: e.to_string(),
                })?;
            resp.slash_ratio_dsign
        }
    };
    let (lien, user) = add_lien(deps.storage, &info.sender, &contract, ratio, value)?;
    LIENS.save(deps.storage, (&info.sender, &contract), &lien)?;
    USERS.save(deps.storage, &info.sender, &user)?;

    let tx_id = TX_COUNT.may_load(deps.storage)?.unwrap_or_default() + 1;
    TX_COUNT.save(deps.storage, &tx_id)?;
    PENDING_TXS.save(
        deps.storage,
        tx_id,
        &Tx::InFlightStaking {
            id: tx_id,
            amount: value,
            slashable: slash_part(value, ratio),
            user: info.sender.clone(),
            lienholder: contract.clone(),
        },
    )?;
    EXTERNAL_STAKERS.save(deps.storage, &contract, &Empty {})?;

    let stake = WasmMsg::Execute {
        contract_addr: contract.to_string(),
        msg: to_json_binary(&CrossStakingApiExecMsg::ReceiveVirtualStake {
            owner: info.sender.to_string(),
            amount,
            tx_id,
            msg,
        })?,
        funds: vec![],
    };
    Ok(Response::new()
        .add_message(stake)
        .add_attribute("action", "stake_remote")
        .add_attribute("sender", info.sender)
        .add_attribute("lienholder", contract)
        .add_attribute("amount", value)
        .add_attribute("tx_id", tx_id.to_string()))
}

/// Prepares adding `value` to the lien of `user` held by `lienholder` (creating it with `ratio`)
/// and `floor(value × ratio)` to the user's slashable total, both bounded by the collateral.
/// Returns the updated lien and user, not yet saved.
fn add_lien(
    storage: &dyn Storage,
    owner: &Addr,
    lienholder: &Addr,
    ratio: Decimal,
    value: Uint128,
) -> Result<(Lien, UserInfo), ContractError> {
    let mut lien = LIENS
        .may_load(storage, (owner, lienholder))?
        .unwrap_or(Lien {
            amount: ValueRange::zero(),
            slashable: ratio,
        });
    let mut user = load_user(storage, owner)?;
    let collateral = user.collateral;
    lien.amount
        .prepare_add(value, collateral)
        .map_err(|_| ContractError::InsufficientBalance {
            collateral,
            required: lien.amount.high.saturating_add(value),
        })?;
    let slashable = slash_part(value, lien.slashable);
    user.total_slashable
        .prepare_add(slashable, collateral)
        .map_err(|_| ContractError::InsufficientBalance {
            collateral,
            required: user.total_slashable.high.saturating_add(slashable),
        })?;
    user.max_lien = user.max_lien.max(lien.amount);
    let used = user.used().high;
    if used > collateral {
        return Err(ContractError::InsufficientBalance {
            collateral,
            required: used,
        });
    }
    Ok((lien, user))
}

/// Loads a pending staking tx and checks that `sender` is its lienholder.
fn load_staking_tx(
    storage: &dyn Storage,
    sender: &Addr,
    tx_id: u64,
) -> Result<(Uint128, Uint128, Addr, Addr), ContractError> {
    let tx = PENDING_TXS
        .may_load(storage, tx_id)?
        .ok_or(ContractError::UnknownTx { tx_id })?;
    match tx {
        Tx::InFlightStaking {
            amount,
            slashable,
            user,
            lienholder,
            ..
        } => {
            if lienholder != sender {
                return Err(ContractError::WrongContractTx {
                    tx_id,
                    sender: sender.to_string(),
                });
            }
            Ok((amount, slashable, user, lienholder))
        }
        _ => Err(ContractError::WrongTypeTx { tx_id }),
    }
}

/// `commit_tx {tx_id}`: the remote stake succeeded; the lower ends move up.
fn commit_tx(deps: DepsMut, info: MessageInfo, tx_id: u64) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let (amount, slashable, owner, lienholder) =
        load_staking_tx(deps.storage, &info.sender, tx_id)?;
    // Saturating: a slash may have shrunk the ranges while the stake was in flight.
    if let Some(mut lien) = LIENS.may_load(deps.storage, (&owner, &lienholder))? {
        lien.amount.saturating_commit_add(amount);
        LIENS.save(deps.storage, (&owner, &lienholder), &lien)?;
    }
    let mut user = load_user(deps.storage, &owner)?;
    user.total_slashable.saturating_commit_add(slashable);
    refresh_user(deps.storage, &owner, &mut user)?;
    USERS.save(deps.storage, &owner, &user)?;
    PENDING_TXS.remove(deps.storage, tx_id);
    Ok(Response::new()
        .add_attribute("action", "commit_tx")
        .add_attribute("sender", info.sender)
        .add_attribute("tx_id", tx_id.to_string()))
}

/// `rollback_tx {tx_id}`: the remote stake failed; the upper ends move down.
fn rollback_tx(deps: DepsMut, info: MessageInfo, tx_id: u64) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let (amount, slashable, owner, lienholder) =
        load_staking_tx(deps.storage, &info.sender, tx_id)?;
    if let Some(mut lien) = LIENS.may_load(deps.storage, (&owner, &lienholder))? {
        lien.amount.saturating_rollback_add(amount);
        save_lien(deps.storage, &owner, &lienholder, &lien)?;
    }
    let mut user = load_user(deps.storage, &owner)?;
    user.total_slashable.saturating_rollback_add(slashable);
    refresh_user(deps.storage, &owner, &mut user)?;
    USERS.save(deps.storage, &owner, &user)?;
    PENDING_TXS.remove(deps.storage, tx_id);
    Ok(Response::new()
        .add_attribute("action", "rollback_tx")
        .add_attribute("sender", info.sender)
        .add_attribute("tx_id", tx_id.to_string()))
}

/// `release_local_stake {owner}`: the local staker returns unbonded tokens (attached) and frees
/// that much of the owner's local lien.
fn release_local_stake(
    deps: DepsMut,
    info: MessageInfo,
    owner: String,
) -> Result<Response, ContractError> {
    let local = LOCAL_STAKING
        .may_load(deps.storage)?
        .ok_or(ContractError::NoLocalStaking)?;
    if info.sender != local.contract {
        return Err(ContractError::not_local_staking(info.sender));
    }
    let denom = CONFIG.load(deps.storage)?.denom;
    let value = to_uint128(must_pay(&info, &denom)?)?;
    let owner = deps.api.addr_validate(&owner)?;
    // The tokens may exceed the lien: the chain's share arithmetic can make a delegation worth a
    // unit more than was staked (truncated remainders stay with the validator). The whole lien
    // is released and the rest, the owner's tokens, is added to their collateral.
    let held = LIENS
        .may_load(deps.storage, (&owner, &info.sender))?
        .map(|l| l.amount.low)
        .unwrap_or_default();
    let released = value.min(held);
    if !released.is_zero() {
        release_lien(deps.storage, &owner, &info.sender, released)?;
    }
    let gain = value - released;
    if !gain.is_zero() {
        let mut user = load_user(deps.storage, &owner)?;
        user.collateral = user.collateral.checked_add(gain).map_err(StdError::from)?;
        refresh_user(deps.storage, &owner, &mut user)?;
        USERS.save(deps.storage, &owner, &user)?;
    }
    Ok(Response::new()
        .add_attribute("action", "release_local_stake")
        .add_attribute("sender", info.sender)
        .add_attribute("owner", owner)
        .add_attribute("amount", value)
        .add_attribute("released", released)
        .add_attribute("rounding_gain", gain))
}

/// `release_cross_stake {owner, amount}`: an external staker frees part of the owner's lien.
fn release_cross_stake(
    deps: DepsMut,
    info: MessageInfo,
    owner: String,
    amount: Coin,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let denom = CONFIG.load(deps.storage)?.denom;
    let value = checked_amount(&amount, &denom)?;
    let owner = deps.api.addr_validate(&owner)?;
    release_lien(deps.storage, &owner, &info.sender, value)?;
    Ok(Response::new()
        .add_attribute("action", "release_cross_stake")
        .add_attribute("sender", info.sender)
        .add_attribute("owner", owner)
        .add_attribute("amount", value))
}

/// Reduces the lien of `owner` held by `lienholder` by `value` (settled), recomputes max_lien and
/// takes `floor(value × ratio)` off the slashable total. Collateral is unchanged.
fn release_lien(
    storage: &mut dyn Storage,
    owner: &Addr,
    lienholder: &Addr,
    value: Uint128,
) -> Result<(), ContractError> {
    let mut lien = LIENS
        .may_load(storage, (owner, lienholder))?
        .ok_or_else(|| ContractError::UnknownLienholder {
            owner: owner.to_string(),
            lienholder: lienholder.to_string(),
        })?;
    if lien.amount.low < value {
        return Err(ContractError::InsufficientLien {
            lien: lien.amount.low,
            requested: value,
        });
    }
    lien.amount.sub_settled(value);
    save_lien(storage, owner, lienholder, &lien)?;
    let mut user = load_user(storage, owner)?;
    user.total_slashable
        .sub_settled(slash_part(value, lien.slashable));
    refresh_user(storage, owner, &mut user)?;
    USERS.save(storage, owner, &user)?;
    Ok(())
}

/// Saves a lien, or deletes it when both ends are zero.
pub(crate) fn save_lien(
    storage: &mut dyn Storage,
    owner: &Addr,
    lienholder: &Addr,
    lien: &Lien,
) -> StdResult<()> {
    if lien.amount.is_zero() {
        LIENS.remove(storage, (owner, lienholder));
        Ok(())
    } else {
        LIENS.save(storage, (owner, lienholder), lien)
    }
}

/// Recomputes `max_lien` from the stored liens. A user left with no lien has nothing slashable:
/// `total_slashable` is reset to zero (it is a sum of floors, so releases can leave a residue).
pub(crate) fn refresh_user(
    storage: &dyn Storage,
    owner: &Addr,
    user: &mut UserInfo,
) -> StdResult<()> {
    let mut max_lien = ValueRange::zero();
    let mut any = false;
    for item in LIENS
        .prefix(owner)
        .range(storage, None, None, Order::Ascending)
    {
        let (_, lien) = item?;
        max_lien = max_lien.max(lien.amount);
        any = true;
    }
    user.max_lien = max_lien;
    if !any {
        user.total_slashable = ValueRange::zero();
    }
    Ok(())
}

/// A user's info, or an empty one.
pub(crate) fn load_user(storage: &dyn Storage, owner: &Addr) -> StdResult<UserInfo> {
    Ok(USERS.may_load(storage, owner)?.unwrap_or_default())
}

/// `floor(amount × ratio)`, saturating instead of overflowing.
pub(crate) fn slash_part(amount: Uint128, ratio: Decimal) -> Uint128 {
    amount.checked_mul_floor(ratio).unwrap_or(Uint128::MAX)
}

/// A coin's amount, checked to be positive and in the collateral denom.
fn checked_amount(coin: &Coin, denom: &str) -> Result<Uint128, ContractError> {
    if coin.denom != denom {
        return Err(ContractError::UnexpectedDenom {
            expected: denom.to_string(),
            got: coin.denom.clone(),
        });
    }
    let value = to_uint128(coin.amount)?;
    if value.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    Ok(value)
}

/// Narrows a coin amount to `Uint128`.
fn to_uint128(amount: cosmwasm_std::Uint256) -> Result<Uint128, ContractError> {
    Uint128::try_from(amount).map_err(|_| ContractError::AmountOverflow {
        amount: amount.to_string(),
    })
}
