//! Rounding losses: a delegation is shares of a validator, worth `shares × tokens / total
//! shares` truncated to whole tokens. Once a validator was slashed, delegating, undelegating or
//! redelegating can lose part of a token that the proxy's owner still owes the vault a lien for,
//! and so can other delegators' messages, which move the exchange rate by a few 1e-18 and can
//! tip a delegation's worth below a whole token.
//! The proxy remembers, per validator, what its delegation is worth as far as the lien counts
//! on it ([`ACCOUNTED`]). Every staking message the proxy sends is tracked: its reply compares
//! the delegations (and what an undelegation paid) with what the accounted worth and the message
//! should have left, and reports any loss to the parent (`rounding_loss`), which has the vault
//! slash it; a drop since the proxy's last message is part of it. Slashes lower the accounted
//! worth by what they took ([`on_slashed`]), since the vault cut the lien by as much. So the
//! owner's lien is always what the tokens behind it are, and it can all be released.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    from_json, to_json_binary, Deps, DepsMut, Env, Event, Reply, Response, StakingMsg, Storage,
    SubMsg, SubMsgResult, Uint128, WasmMsg,
};
use mesh_apis::native_staking::{ExecuteMsg as ParentExecuteMsg, RedelegationSlash};

use crate::error::ContractError;
use crate::state::{ACCOUNTED, CONFIG, UNBONDING_UNTIL};

/// Reply id of every tracked staking message.
pub const REPLY_ID_STAKING: u64 = 1;

/// What a tracked staking message should leave, carried in its payload.
#[cw_serde]
struct Expected {
    /// The validators whose delegations the message changes.
    validators: Vec<String>,
    /// Their delegations' accounted worth before it.
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

/// What the lien counts on of the delegation to `validator`: its accounted worth, or (never
/// accounted yet) what it is worth now.
fn accounted(deps: Deps, env: &Env, validator: &str) -> Result<Uint128, ContractError> {
    match ACCOUNTED.may_load(deps.storage, validator)? {
        Some(worth) => Ok(worth),
        None => delegated_to(deps, env, validator),
    }
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
    let before = validators.iter().try_fold(Uint128::zero(), |sum, v| {
        Ok::<_, ContractError>(sum + accounted(deps, env, v)?)
    })?;
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
    let afters = expected
        .validators
        .iter()
        .map(|v| delegated_to(deps.as_ref(), env, v))
        .collect::<Result<Vec<_>, _>>()?;
    let after: Uint128 = afters.iter().sum();
    let paid = paid(&events);
    let owed = expected.before + expected.added;
    let loss = owed.saturating_sub(after.saturating_add(paid));
    // From now on the lien counts on what is left, but not on a gain: tokens the message (or
    // the exchange rate) added beyond what was owed are the owner's, returned on release.
    let gain = after.saturating_sub(owed.saturating_sub(paid));
    account(deps.storage, &expected.validators, &afters, gain)?;
    let mut res = Response::new()
        .add_attribute("action", "staking_reply")
        .add_attribute("rounding_loss", loss);
    if let (false, Some(validator)) = (loss.is_zero(), expected.validators.first()) {
        res = res.add_message(rounding_loss_msg(deps.storage, validator.clone(), loss)?);
    }
    Ok(res)
}

/// The parent's `rounding_loss`: the owner lost `amount` on `validator`.
fn rounding_loss_msg(
    storage: &dyn Storage,
    validator: String,
    amount: Uint128,
) -> Result<WasmMsg, ContractError> {
    Ok(WasmMsg::Execute {
        contract_addr: CONFIG.load(storage)?.parent.to_string(),
        msg: to_json_binary(&ParentExecuteMsg::RoundingLoss { validator, amount })?,
        funds: vec![],
    })
}

/// Record the delegations' worth `afters` as accounted, less `gain` in total (taken from the
/// last validators first: a redelegation's destination).
fn account(
    storage: &mut dyn Storage,
    validators: &[String],
    afters: &[Uint128],
    gain: Uint128,
) -> Result<(), ContractError> {
    let mut excess = gain;
    for (validator, after) in validators.iter().zip(afters).rev() {
        let cut = excess.min(*after);
        excess -= cut;
        ACCOUNTED.save(storage, validator, &(*after - cut))?;
    }
    Ok(())
}

/// Parent only (after a slash): the vault cut the owner's lien by what the slash took, `bonded`
/// from the delegation to `validator` and `redelegated` from its redelegations' destinations;
/// the accounted worth of those delegations drops by as much. The chain measured those losses
/// from the delegations' worth just before the slash, so a unit other delegators had already
/// tipped away (see the module doc) is not in them: what a delegation is still short of its
/// accounted worth is reported as a rounding loss now.
pub fn on_slashed(
    deps: DepsMut,
    env: &Env,
    validator: String,
    bonded: Uint128,
    redelegated: Vec<RedelegationSlash>,
) -> Result<Response, ContractError> {
    let takes = std::iter::once((validator, bonded))
        .chain(redelegated.into_iter().map(|r| (r.validator, r.amount)));
    let mut res = Response::new()
        .add_attribute("action", "slashed")
        .add_attribute("bonded", bonded);
    for (validator, taken) in takes {
        let Some(accounted) = ACCOUNTED.may_load(deps.storage, &validator)? else {
            continue;
        };
        let accounted = accounted.saturating_sub(taken);
        let worth = delegated_to(deps.as_ref(), env, &validator)?;
        let short = accounted.saturating_sub(worth);
        ACCOUNTED.save(deps.storage, &validator, &(accounted - short))?;
        if !short.is_zero() {
            res = res
                .add_attribute("rounding_loss", short)
                .add_message(rounding_loss_msg(deps.storage, validator, short)?);
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    fn accounted_after(afters: &[u128], counted: u128) -> Vec<u128> {
        let mut storage = MockStorage::new();
        let validators: Vec<String> = (0..afters.len()).map(|i| format!("v{i}")).collect();
        let afters: Vec<Uint128> = afters.iter().map(|a| Uint128::new(*a)).collect();
        let total: Uint128 = afters.iter().sum();
        let gain = total.saturating_sub(Uint128::new(counted));
        account(&mut storage, &validators, &afters, gain).unwrap();
        validators
            .iter()
            .map(|v| ACCOUNTED.load(&storage, v).unwrap().u128())
            .collect()
    }

    /// What is accounted is what the delegations are worth, unless that exceeds what the lien
    /// counts on: the gain comes off the last validator (a redelegation's destination) first.
    #[test]
    fn a_gain_is_not_accounted() {
        assert_eq!(accounted_after(&[70, 30], 100), vec![70, 30]);
        assert_eq!(accounted_after(&[70, 31], 100), vec![70, 30]);
        assert_eq!(accounted_after(&[70, 31], 60), vec![60, 0]);
        assert_eq!(accounted_after(&[5], 0), vec![0]);
        assert_eq!(accounted_after(&[69, 30], 100), vec![69, 30]);
    }
}
