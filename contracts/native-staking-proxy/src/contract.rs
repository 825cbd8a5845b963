//! Entry points and handlers of the proxy.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, BankMsg, Binary, Coin, Deps, DepsMut, DistributionMsg, Env, GovMsg,
    MessageInfo, Order, Reply, Response, StakingMsg, StdError, StdResult, Uint128, VoteOption,
    WasmMsg, WeightedVoteOption,
};
use cw_utils::{may_pay, must_pay, nonpayable};

use mesh_apis::native_staking::ExecuteMsg as ParentExecuteMsg;

use crate::error::ContractError;
use crate::msg::{
    AccountedDelegation, AccountedResponse, ConfigResponse, ExecuteMsg, InstantiateMsg, OwnerMsg,
    QueryMsg,
};
use crate::rounding::{delegated_to, on_reply, on_slashed, tracked, REPLY_ID_STAKING};
use crate::state::{Config, ACCOUNTED, BURNED, CONFIG, UNBONDING_UNTIL};

/// Instantiate (by native staking): send future rewards to the owner, delegate any funds
/// attached to `validator` (native staking attaches none: it sends the first stake once it has
/// registered the proxy), and return [`OwnerMsg`] as data.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let owner = deps.api.addr_validate(&msg.owner)?;
    let amount = may_pay(&info, &msg.denom)?;
    let config = Config {
        denom: msg.denom,
        parent: info.sender,
        owner,
    };
    CONFIG.save(deps.storage, &config)?;
    BURNED.save(deps.storage, &Uint128::zero())?;

    let set_withdraw = DistributionMsg::SetWithdrawAddress {
        address: config.owner.to_string(),
    };
    let mut res = Response::new();
    if !amount.is_zero() {
        let delegate = StakingMsg::Delegate {
            validator: msg.validator.clone(),
            amount: Coin::new(amount, &config.denom),
        };
        res = res.add_submessage(tracked(deps.as_ref(), &env, delegate)?);
    }
    Ok(res
        .add_message(set_withdraw)
        .set_data(to_json_binary(&OwnerMsg {
            owner: config.owner.to_string(),
        })?)
        .add_attribute("action", "instantiate")
        .add_attribute("owner", config.owner)
        .add_attribute("validator", msg.validator)
        .add_attribute("amount", amount.to_string()))
}

/// Execute a proxy message.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Stake { validator } => execute_stake(deps, env, info, validator),
        ExecuteMsg::Burn { validator, amount } => execute_burn(deps, env, info, validator, amount),
        ExecuteMsg::Unstake { validator, amount } => {
            execute_unstake(deps, env, info, validator, amount)
        }
        ExecuteMsg::Restake {
            src_validator,
            dst_validator,
            amount,
        } => execute_restake(deps, env, info, src_validator, dst_validator, amount),
        ExecuteMsg::Vote { proposal_id, vote } => execute_vote(deps, info, proposal_id, vote),
        ExecuteMsg::VoteWeighted { proposal_id, vote } => {
            execute_vote_weighted(deps, info, proposal_id, vote)
        }
        ExecuteMsg::WithdrawRewards {} => execute_withdraw_rewards(deps, env, info),
        ExecuteMsg::ReleaseUnbonded {} => execute_release_unbonded(deps, env, info),
        ExecuteMsg::Slashed {
            validator,
            bonded,
            redelegated,
        } => {
            only_parent(deps.as_ref(), &info)?;
            nonpayable(&info)?;
            on_slashed(deps, &env, validator, bonded, redelegated)
        }
    }
}

/// Load the config and check that the sender is the parent.
fn only_parent(deps: Deps, info: &MessageInfo) -> Result<Config, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    if info.sender != cfg.parent {
        return Err(ContractError::Unauthorized {
            role: "parent".to_string(),
            expected: cfg.parent.to_string(),
            sender: info.sender.to_string(),
        });
    }
    Ok(cfg)
}

/// Load the config and check that the sender is the owner.
fn only_owner(deps: Deps, info: &MessageInfo) -> Result<Config, ContractError> {
    let cfg = CONFIG.load(deps.storage)?;
    if info.sender != cfg.owner {
        return Err(ContractError::Unauthorized {
            role: "owner".to_string(),
            expected: cfg.owner.to_string(),
            sender: info.sender.to_string(),
        });
    }
    Ok(cfg)
}

/// Check a requested amount: staking denom and non-zero. Returns it as `Uint128`.
fn checked_amount(cfg: &Config, amount: &Coin) -> Result<Uint128, ContractError> {
    if amount.denom != cfg.denom {
        return Err(ContractError::InvalidDenom {
            expected: cfg.denom.clone(),
            got: amount.denom.clone(),
        });
    }
    let amount = Uint128::try_from(amount.amount)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    Ok(amount)
}

/// All delegations of this proxy as `(validator, amount)`, sorted by validator address.
fn all_delegations(deps: Deps, env: &Env) -> Result<Vec<(String, Uint128)>, ContractError> {
    let mut delegations = deps
        .querier
        .query_all_delegations(env.contract.address.as_str())?
        .into_iter()
        .map(|d| Ok((d.validator, Uint128::try_from(d.amount.amount)?)))
        .collect::<Result<Vec<_>, ContractError>>()?;
    delegations.retain(|(_, amount)| !amount.is_zero());
    delegations.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(delegations)
}

/// Parent only, with funds: delegate them to `validator`.
fn execute_stake(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    validator: String,
) -> Result<Response, ContractError> {
    let cfg = only_parent(deps.as_ref(), &info)?;
    let amount = must_pay(&info, &cfg.denom)?;
    let delegate = StakingMsg::Delegate {
        validator: validator.clone(),
        amount: Coin::new(amount, &cfg.denom),
    };
    Ok(Response::new()
        .add_submessage(tracked(deps.as_ref(), &env, delegate)?)
        .add_attribute("action", "stake")
        .add_attribute("validator", validator)
        .add_attribute("amount", amount.to_string()))
}

/// Split `amount` over `delegations` (sorted by validator) in proportion to their size,
/// flooring each share; the remainder goes one unit at a time, in validator order, to the
/// delegations that still have room. Requires `amount <= Σ delegations`.
pub fn spread_burn(delegations: &[(String, Uint128)], amount: Uint128) -> Vec<(String, Uint128)> {
    let total: Uint128 = delegations.iter().map(|(_, d)| *d).sum();
    if total.is_zero() || amount.is_zero() {
        return vec![];
    }
    let mut shares: Vec<(String, Uint128)> = delegations
        .iter()
        .map(|(v, d)| (v.clone(), d.multiply_ratio(amount, total)))
        .collect();
    let assigned: Uint128 = shares.iter().map(|(_, s)| *s).sum();
    let mut remainder = amount - assigned;
    for ((_, share), (_, delegated)) in shares.iter_mut().zip(delegations) {
        if remainder.is_zero() {
            break;
        }
        if *share < *delegated {
            *share += Uint128::one();
            remainder -= Uint128::one();
        }
    }
    shares.retain(|(_, s)| !s.is_zero());
    shares
}

/// Parent only: undelegate `amount` (from `validator` first, the rest spread over the other
/// delegations) and count all of it as burned. If less is delegated than `amount`, everything
/// delegated is undelegated and the whole amount is still counted: the rest is taken from tokens
/// already unbonding when they come back (`release_unbonded` burns before it releases).
fn execute_burn(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    validator: Option<String>,
    amount: Coin,
) -> Result<Response, ContractError> {
    let cfg = only_parent(deps.as_ref(), &info)?;
    nonpayable(&info)?;
    let amount = checked_amount(&cfg, &amount)?;

    let delegations = all_delegations(deps.as_ref(), &env)?;
    let mut undelegations: Vec<(String, Uint128)> = vec![];
    let mut rest = amount;
    let mut others = delegations.clone();
    if let Some(validator) = &validator {
        if let Some(pos) = others.iter().position(|(v, _)| v == validator) {
            let (v, delegated) = others.remove(pos);
            let take = delegated.min(rest);
            if !take.is_zero() {
                undelegations.push((v, take));
                rest -= take;
            }
        }
    }
    let available: Uint128 = others.iter().map(|(_, d)| *d).sum();
    undelegations.extend(spread_burn(&others, rest.min(available)));

    let undelegated: Uint128 = undelegations.iter().map(|(_, a)| *a).sum();
    BURNED.update(deps.storage, |b| -> Result<_, ContractError> {
        Ok(b.checked_add(amount).map_err(StdError::from)?)
    })?;

    let msgs = undelegations
        .into_iter()
        .map(|(validator, amount)| {
            let undelegate = StakingMsg::Undelegate {
                validator,
                amount: Coin::new(amount, &cfg.denom),
            };
            tracked(deps.as_ref(), &env, undelegate)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Response::new()
        .add_submessages(msgs)
        .add_attribute("action", "burn")
        .add_attribute("validator", validator.unwrap_or_default())
        .add_attribute("amount", amount)
        .add_attribute("undelegated", undelegated))
}

/// Owner only: undelegate `amount` from `validator`; the chain's unbonding period starts.
fn execute_unstake(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    validator: String,
    amount: Coin,
) -> Result<Response, ContractError> {
    let cfg = only_owner(deps.as_ref(), &info)?;
    nonpayable(&info)?;
    let requested = checked_amount(&cfg, &amount)?;
    let delegated = delegated_to(deps.as_ref(), &env, &validator)?;
    if delegated < requested {
        return Err(ContractError::InsufficientDelegation {
            validator,
            delegated,
            requested,
        });
    }
    let undelegate = StakingMsg::Undelegate {
        validator: validator.clone(),
        amount: Coin::new(requested, &cfg.denom),
    };
    Ok(Response::new()
        .add_submessage(tracked(deps.as_ref(), &env, undelegate)?)
        .add_attribute("action", "unstake")
        .add_attribute("validator", validator)
        .add_attribute("amount", requested))
}

/// Owner only: redelegate `amount` from `src_validator` to `dst_validator`.
fn execute_restake(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    src_validator: String,
    dst_validator: String,
    amount: Coin,
) -> Result<Response, ContractError> {
    let cfg = only_owner(deps.as_ref(), &info)?;
    nonpayable(&info)?;
    let requested = checked_amount(&cfg, &amount)?;
    if src_validator == dst_validator {
        return Err(ContractError::SameValidator {
            validator: src_validator,
        });
    }
    let delegated = delegated_to(deps.as_ref(), &env, &src_validator)?;
    if delegated < requested {
        return Err(ContractError::InsufficientDelegation {
            validator: src_validator,
            delegated,
            requested,
        });
    }
    let redelegate = StakingMsg::Redelegate {
        src_validator: src_validator.clone(),
        dst_validator: dst_validator.clone(),
        amount: Coin::new(requested, &cfg.denom),
    };
    Ok(Response::new()
        .add_submessage(tracked(deps.as_ref(), &env, redelegate)?)
        .add_attribute("action", "restake")
        .add_attribute("src_validator", src_validator)
        .add_attribute("dst_validator", dst_validator)
        .add_attribute("amount", requested))
}

/// Owner only: vote on a governance proposal with the proxy's stake.
fn execute_vote(
    deps: DepsMut,
    info: MessageInfo,
    proposal_id: u64,
    vote: VoteOption,
) -> Result<Response, ContractError> {
    only_owner(deps.as_ref(), &info)?;
    nonpayable(&info)?;
    Ok(Response::new()
        .add_message(GovMsg::Vote {
            proposal_id,
            option: vote,
        })
        .add_attribute("action", "vote")
        .add_attribute("proposal_id", proposal_id.to_string()))
}

/// Owner only: weighted vote on a governance proposal with the proxy's stake.
fn execute_vote_weighted(
    deps: DepsMut,
    info: MessageInfo,
    proposal_id: u64,
    vote: Vec<WeightedVoteOption>,
) -> Result<Response, ContractError> {
    only_owner(deps.as_ref(), &info)?;
    nonpayable(&info)?;
    Ok(Response::new()
        .add_message(GovMsg::VoteWeighted {
            proposal_id,
            options: vote,
        })
        .add_attribute("action", "vote_weighted")
        .add_attribute("proposal_id", proposal_id.to_string()))
}

/// Owner only: withdraw the rewards of every delegation (in validator order); the chain pays
/// them to the owner, the withdraw address set at instantiation.
fn execute_withdraw_rewards(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    only_owner(deps.as_ref(), &info)?;
    nonpayable(&info)?;
    let delegations = all_delegations(deps.as_ref(), &env)?;
    let count = delegations.len();
    let msgs = delegations
        .into_iter()
        .map(|(validator, _)| DistributionMsg::WithdrawDelegatorReward { validator });
    Ok(Response::new()
        .add_messages(msgs)
        .add_attribute("action", "withdraw_rewards")
        .add_attribute("validators", count.to_string()))
}

/// Owner only: the liquid balance in the staking denom is what finished unbonding. Burned tokens
/// come out of it first (`BankMsg::Burn`); the rest goes to the parent with
/// `release_proxy_stake`, which releases the vault lien. Before the unbonding period has passed
/// the balance is zero and nothing moves (the response says so in `released = 0`).
fn execute_release_unbonded(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let cfg = only_owner(deps.as_ref(), &info)?;
    nonpayable(&info)?;
    let balance = deps
        .querier
        .query_balance(env.contract.address.as_str(), &cfg.denom)?;
    let balance = Uint128::try_from(balance.amount)?;
    let burned = BURNED.load(deps.storage)?;
    let to_burn = balance.min(burned);
    let to_release = balance - to_burn;

    let mut res = Response::new().add_attribute("action", "release_unbonded");
    if !to_burn.is_zero() {
        BURNED.save(deps.storage, &(burned - to_burn))?;
        res = res.add_message(BankMsg::Burn {
            amount: vec![Coin::new(to_burn, &cfg.denom)],
        });
    }
    if !to_release.is_zero() {
        res = res.add_message(WasmMsg::Execute {
            contract_addr: cfg.parent.to_string(),
            msg: to_json_binary(&ParentExecuteMsg::ReleaseProxyStake {})?,
            funds: vec![Coin::new(to_release, &cfg.denom)],
        });
    }
    if balance.is_zero() {
        res = res.add_attribute("note", "nothing unbonded yet: liquid balance is 0");
    }
    // Nothing delegated, nothing unbonding, everything released: what is left of the lien is
    // the chain's rounding, and the parent writes it off.
    let mut until = UNBONDING_UNTIL.may_load(deps.storage)?.unwrap_or_default();
    until.retain(|t| *t > env.block.time.seconds());
    UNBONDING_UNTIL.save(deps.storage, &until)?;
    let closed = until.is_empty()
        && all_delegations(deps.as_ref(), &env)?.is_empty()
        && BURNED.load(deps.storage)?.is_zero();
    if closed {
        res = res.add_message(WasmMsg::Execute {
            contract_addr: cfg.parent.to_string(),
            msg: to_json_binary(&ParentExecuteMsg::ProxyClosed {})?,
            funds: vec![],
        });
    }
    Ok(res
        .add_attribute("burned", to_burn)
        .add_attribute("released", to_release)
        .add_attribute("closed", closed.to_string()))
}

/// The reply of a staking message: report a rounding loss (see [`crate::rounding`]).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, env: Env, reply: Reply) -> Result<Response, ContractError> {
    if reply.id != REPLY_ID_STAKING {
        return Err(ContractError::UnknownReplyId { id: reply.id });
    }
    on_reply(deps, &env, reply)
}

/// Query the proxy.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    match msg {
        QueryMsg::Config {} => {
            let cfg = CONFIG.load(deps.storage)?;
            let burned = BURNED.load(deps.storage)?;
            Ok(to_json_binary(&ConfigResponse {
                denom: cfg.denom,
                parent: cfg.parent.to_string(),
                owner: cfg.owner.to_string(),
                burned,
            })?)
        }
        QueryMsg::Accounted {} => {
            let delegations = ACCOUNTED
                .range(deps.storage, None, None, Order::Ascending)
                .map(|entry| {
                    entry.map(|(validator, amount)| AccountedDelegation { validator, amount })
                })
                .collect::<StdResult<_>>()?;
            Ok(to_json_binary(&AccountedResponse { delegations })?)
        }
    }
}
