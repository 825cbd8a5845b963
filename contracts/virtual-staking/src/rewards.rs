//! The rewards batch of an epoch.
//!
//! `handle_epoch` withdraws the rewards of every validator the contract delegates to, each as a
//! `reply_always` submessage carrying the validator as payload, after saving a
//! [`RewardsBatch`] with the contract's current balance. Submessages
//! run one after the other, each followed by its reply, so every reply sees exactly what its
//! withdrawal minted: the balance growth since the previous reading. A failed withdrawal counts
//! as zero. The last reply sends the whole batch to the converter's `distribute_rewards` with
//! the sum attached. Tokens that reach the contract any other way are never counted as rewards.

use cosmwasm_std::{
    from_json, to_json_binary, Addr, DepsMut, DistributionMsg, Env, QuerierWrapper, Response,
    SubMsg, SubMsgResult, Uint128, WasmMsg,
};
use mesh_apis::converter::ExecuteMsg as ConverterMsg;
use mesh_apis::ibc::RewardInfo;

use crate::contract::to_uint128;
use crate::error::ContractError;
use crate::msg::{VirtualStakeCustomMsg, VirtualStakeCustomQuery};
use crate::state::{Config, RewardsBatch, REWARDS_BATCH};

/// Reply id of a reward withdrawal.
pub const REPLY_WITHDRAW_REWARDS: u64 = 1;

fn balance(
    querier: &QuerierWrapper<VirtualStakeCustomQuery>,
    contract: &Addr,
    denom: &str,
) -> Result<Uint128, ContractError> {
    to_uint128(querier.query_balance(contract, denom)?.amount)
}

/// Start the batch: one withdrawal submessage per validator (in the given order).
pub fn withdraw_submsgs(
    deps: DepsMut<VirtualStakeCustomQuery>,
    env: &Env,
    config: &Config,
    validators: &[String],
) -> Result<Vec<SubMsg<VirtualStakeCustomMsg>>, ContractError> {
    if validators.is_empty() {
        return Ok(vec![]);
    }
    let batch = RewardsBatch {
        pending: validators.len() as u32,
        last_balance: balance(&deps.querier, &env.contract.address, &config.denom)?,
        payments: vec![],
    };
    REWARDS_BATCH.save(deps.storage, &batch)?;
    validators
        .iter()
        .map(|validator| {
            Ok(SubMsg::reply_always(
                DistributionMsg::WithdrawDelegatorReward {
                    validator: validator.clone(),
                },
                REPLY_WITHDRAW_REWARDS,
            )
            .with_payload(to_json_binary(validator)?))
        })
        .collect()
}

/// One withdrawal finished (or failed): attribute the balance growth to its validator; after
/// the last one, send the batch to the converter.
pub fn on_withdraw_reply(
    deps: DepsMut<VirtualStakeCustomQuery>,
    env: &Env,
    config: &Config,
    payload: &[u8],
    result: SubMsgResult,
) -> Result<Response<VirtualStakeCustomMsg>, ContractError> {
    let validator: String = from_json(payload).unwrap_or_default();
    let response = Response::new()
        .add_attribute("action", "withdraw_rewards_reply")
        .add_attribute("validator", &validator);
    let Some(mut batch) = REWARDS_BATCH.may_load(deps.storage)? else {
        return Ok(response.add_attribute("batch", "none"));
    };
    let response = match result {
        SubMsgResult::Ok(_) => {
            let now = balance(&deps.querier, &env.contract.address, &config.denom)?;
            let reward = now.saturating_sub(batch.last_balance);
            batch.last_balance = now;
            if !reward.is_zero() {
                batch.payments.push(RewardInfo {
                    validator: validator.clone(),
                    reward,
                });
            }
            response.add_attribute("reward", reward.to_string())
        }
        SubMsgResult::Err(error) => response.add_attribute("withdraw_error", error),
    };
    batch.pending = batch.pending.saturating_sub(1);
    if batch.pending > 0 {
        REWARDS_BATCH.save(deps.storage, &batch)?;
        return Ok(response);
    }
    REWARDS_BATCH.remove(deps.storage);
    if batch.payments.is_empty() {
        return Ok(response.add_attribute("rewards_batch", "0"));
    }
    let total: Uint128 = batch.payments.iter().map(|p| p.reward).sum();
    Ok(response
        .add_attribute("rewards_batch", total.to_string())
        .add_message(WasmMsg::Execute {
            contract_addr: config.converter.to_string(),
            msg: to_json_binary(&ConverterMsg::DistributeRewards {
                payments: batch.payments,
            })?,
            funds: vec![cosmwasm_std::Coin::new(total, config.denom.clone())],
        }))
}
