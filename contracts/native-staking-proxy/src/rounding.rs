//! Rounding losses: a delegation is shares of a validator, worth `shares × tokens / total
//! shares` truncated to whole tokens. Once a validator was slashed, delegating, undelegating or
//! redelegating can lose part of a token that the proxy's owner still owes the vault a lien for.
//! Every staking message the proxy sends is tracked: its reply compares the delegations (and
//! what an undelegation paid) with what the message should have left, and reports any loss to
//! the parent (`rounding_loss`), which has the vault slash it. So the owner's lien is always
//! what the tokens behind it are, and it can all be released.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    from_json, to_json_binary, Deps, DepsMut, Env, Event, Reply, Response, StakingMsg, SubMsg,
    SubMsgResult, Uint128, WasmMsg,
};
use mesh_apis::native_staking::ExecuteMsg as ParentExecuteMsg;

use crate::error::ContractError;
use crate::state::{CONFIG, UNBONDING_UNTIL};

/// Reply id of every tracked staking message.
pub const REPLY_ID_STAKING: u64 = 1;

/// What a tracked staking message should leave, carried in its payload.
#[cw_serde]
struct Expected {
    /// The validators whose delegations the message changes.
    validators: Vec<String>,
    /// Their delegations' worth before it.
    before: Uint128,
    /// Tokens it adds (a delegation's amount).
    added: Uint128,
}

/// What this proxy's delegation to `validator` is worth (zero if none).
pub fn delegated_to(deps: Deps, env: &Env, validator: &str) -> Result<Uint128, ContractError> {
    let delegation = deps
        .querier
        .query_delegation(env.contract.address.as_str(), validator)?;
    Ok(match delegation {
        Some(d) => Uint128::try_from(d.amount.amount)?,
        None => Uint128::zero(),
    })
}

fn worth(deps: Deps, env: &Env, validators: &[String]) -> Result<Uint128, ContractError> {
    validators.iter().try_fold(Uint128::zero(), |sum, v| {
        Ok(sum + delegated_to(deps, env, v)?)
    })
}

/// `msg` as a sub-message whose reply checks it for a rounding loss.
pub fn tracked(deps: Deps, env: &Env, msg: StakingMsg) -> Result<SubMsg, ContractError> {
    let (validators, added) = match &msg {
        StakingMsg::Delegate { validator, amount } => {
            (vec![validator.clone()], Uint128::try_from(amount.amount)?)
        }
        StakingMsg::Undelegate { validator, .. } => (vec![validator.clone()], Uint128::zero()),
        StakingMsg::Redelegate {
            src_validator,
            dst_validator,
            ..
        } => (
            vec![src_validator.clone(), dst_validator.clone()],
            Uint128::zero(),
        ),
        _ => (vec![], Uint128::zero()),
    };
    let before = worth(deps, env, &validators)?;
    let expected = Expected {
        validators,
        before,
        added,
    };
    Ok(SubMsg::reply_on_success(msg, REPLY_ID_STAKING).with_payload(to_json_binary(&expected)?))
}

/// Tokens an undelegation paid, from the chain's `unbond` events (`amount` = `<n><denom>`).
fn paid(events: &[Event]) -> Uint128 {
    events
        .iter()
        .filter(|e| e.ty == "unbond")
        .flat_map(|e| e.attributes.iter().filter(|a| a.key == "amount"))
        .filter_map(|a| {
            let digits: String = a.value.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u128>().ok()
        })
        .fold(Uint128::zero(), |sum, n| {
            sum.saturating_add(Uint128::new(n))
        })
}

/// Completion times (seconds) of the undelegations in `events` that are still to complete.
fn completions(events: &[Event], now: u64) -> Vec<u64> {
    events
        .iter()
        .filter(|e| e.ty == "unbond")
        .flat_map(|e| e.attributes.iter().filter(|a| a.key == "completion_time"))
        .filter_map(|a| a.value.parse::<u64>().ok())
        .filter(|t| *t > now)
        .collect()
}

/// The reply of a tracked message: remember its undelegation's completion, and report what it
/// lost, if anything.
pub fn on_reply(deps: DepsMut, env: &Env, reply: Reply) -> Result<Response, ContractError> {
    let expected: Expected = from_json(&reply.payload)?;
    #[allow(deprecated)]
    let events = match reply.result {
        SubMsgResult::Ok(response) => response.events,
        SubMsgResult::Err(_) => vec![],
    };
    let pending = completions(&events, env.block.time.seconds());
    if !pending.is_empty() {
        let mut until = UNBONDING_UNTIL.may_load(deps.storage)?.unwrap_or_default();
        until.extend(pending);
        UNBONDING_UNTIL.save(deps.storage, &until)?;
    }
    let deps = deps.as_ref();
    let after = worth(deps, env, &expected.validators)?;
    let kept = after.saturating_add(paid(&events));
    let loss = (expected.before + expected.added).saturating_sub(kept);
    let mut res = Response::new()
        .add_attribute("action", "staking_reply")
        .add_attribute("rounding_loss", loss);
    if let (false, Some(validator)) = (loss.is_zero(), expected.validators.first()) {
        let cfg = CONFIG.load(deps.storage)?;
        res = res.add_message(WasmMsg::Execute {
            contract_addr: cfg.parent.to_string(),
            msg: to_json_binary(&ParentExecuteMsg::RoundingLoss {
                validator: validator.clone(),
                amount: loss,
            })?,
            funds: vec![],
        });
    }
    Ok(res)
}
