//! Slashing (docs/slashing.md): `local_slash` from the local staker, `cross_slash` from an external
//! staker.
//!
//! Per slashed user: the reporter's lien and the collateral shrink by the slash. If the slash
//! exceeds the user's free collateral (measured after the reporter's lien is cut, before the
//! collateral is), the shortfall is taken from the other liens: when `max_lien` is the binding
//! limit every lien above the new collateral is clamped to it, otherwise every lien is cut by
//! `ceil(shortfall / Σ ratios)`. A final pass restores both seed invariants whatever rounding or
//! saturation did. Every cut is burned on its lienholder (`burn_stake` locally,
//! `burn_virtual_stake` remotely); only the reporter gets the validator hint.

use std::collections::BTreeMap;

use cosmwasm_std::{
    coin, to_json_binary, Addr, Decimal, DepsMut, Env, Event, MessageInfo, Order, Reply, Response,
    StdResult, Storage, SubMsg, Uint128, Uint256, WasmMsg,
};
use cw_utils::nonpayable;
use mesh_apis::ValueRange;

use crate::contract::{load_user, refresh_user, save_lien, slash_part};
use crate::error::ContractError;
use crate::msg::{CrossStakingApiExecMsg, LocalStakingApiExecMsg, SlashInfo};
use crate::state::{Lien, UserInfo, CONFIG, EXTERNAL_STAKERS, LIENS, LOCAL_STAKING, USERS};

/// Reply id of burn messages: a failed burn is reported in an event, it never reverts the slash.
pub const REPLY_ID_BURN: u64 = 2;
/// Event emitted per slashed user.
pub use mesh_apis::vault::EVENT_SLASH;
/// Event emitted per slash entry that was skipped (the user has no lien with the reporter).
pub const EVENT_SLASH_SKIPPED: &str = "vault_slash_skipped";
/// Event emitted when a burn message failed on its lienholder.
pub const EVENT_BURN_FAILED: &str = "vault_burn_failed";
/// Upper bound on proportional passes of the final invariant repair.
const MAX_REPAIR_PASSES: usize = 32;

/// `local_slash {slashes, validator}`: only from the local staking contract.
pub fn local_slash(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    slashes: Vec<SlashInfo>,
    validator: String,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    match LOCAL_STAKING.may_load(deps.storage)? {
        Some(local) if local.contract == info.sender => {}
        _ => return Err(ContractError::not_local_staking(info.sender)),
    }
    slash(deps, info.sender, "local_slash", slashes, validator)
}

/// `cross_slash {slashes, validator}`: only from an external staker the vault has used.
pub fn cross_slash(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    slashes: Vec<SlashInfo>,
    validator: String,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    if !EXTERNAL_STAKERS.has(deps.storage, &info.sender) {
        return Err(ContractError::not_external_staking(info.sender));
    }
    slash(deps, info.sender, "cross_slash", slashes, validator)
}

/// Handles the reply of a failed burn: the slash stands, the failure is reported.
pub fn burn_failed(reply: Reply) -> Result<Response, ContractError> {
    let error = match reply.result.into_result() {
        Ok(_) => String::new(),
        Err(e) => e,
    };
    Ok(Response::new().add_event(Event::new(EVENT_BURN_FAILED).add_attribute("error", error)))
}

/// What happened to one slashed user.
struct UserSlash {
    /// Burns per lienholder, in address order.
    burns: BTreeMap<Addr, Uint128>,
    /// The event describing the slash.
    event: Event,
}

/// Applies every slash entry reported by `reporter` for `validator`.
fn slash(
    deps: DepsMut,
    reporter: Addr,
    action: &str,
    slashes: Vec<SlashInfo>,
    validator: String,
) -> Result<Response, ContractError> {
    let denom = CONFIG.load(deps.storage)?.denom;
    let local = LOCAL_STAKING.may_load(deps.storage)?.map(|l| l.contract);
    let mut resp = Response::new()
        .add_attribute("action", action)
        .add_attribute("sender", reporter.as_str())
        .add_attribute("validator", validator.as_str())
        .add_attribute("users", slashes.len().to_string());
    for info in slashes {
        let owner = Addr::unchecked(&info.user);
        let Some(done) = slash_user(deps.storage, &owner, &reporter, info.slash)? else {
            resp = resp.add_event(
                Event::new(EVENT_SLASH_SKIPPED)
                    .add_attribute("user", info.user)
                    .add_attribute("lienholder", reporter.as_str())
                    .add_attribute("slash", info.slash)
                    .add_attribute("reason", "no_lien"),
            );
            continue;
        };
        resp = resp.add_event(done.event.add_attribute("validator", validator.as_str()));
        for (lienholder, amount) in done.burns {
            let hint = (lienholder == reporter).then(|| validator.clone());
            let amount = coin(amount.u128(), denom.as_str());
            let msg = if Some(&lienholder) == local.as_ref() {
                to_json_binary(&LocalStakingApiExecMsg::BurnStake {
                    owner: owner.to_string(),
                    amount,
                    validator: hint,
                })?
            } else {
                to_json_binary(&CrossStakingApiExecMsg::BurnVirtualStake {
                    owner: owner.to_string(),
                    amount,
                    validator: hint,
                })?
            };
            let exec = WasmMsg::Execute {
                contract_addr: lienholder.to_string(),
                msg,
                funds: vec![],
            };
            resp = resp.add_submessage(SubMsg::reply_on_error(exec, REPLY_ID_BURN));
        }
    }
    Ok(resp)
}

/// Slashes one user by `requested` on the lien held by `reporter`. `None` when there is no
/// such lien (nothing changes).
fn slash_user(
    storage: &mut dyn Storage,
    owner: &Addr,
    reporter: &Addr,
    requested: Uint128,
) -> Result<Option<UserSlash>, ContractError> {
    let Some(mut lien) = LIENS.may_load(storage, (owner, reporter))? else {
        return Ok(None);
    };
    let mut user = load_user(storage, owner)?;
    // Saturate: never take more than the collateral.
    let slashed = requested.min(user.collateral);
    let saturated = slashed < requested || lien.amount.high < slashed;

    // The reporter's lien shrinks by the slash (its stake was slashed already).
    lien.amount.sub_settled(slashed);
    save_lien(storage, owner, reporter, &lien)?;
    user.total_slashable
        .sub_settled(slash_part(slashed, lien.slashable));
    refresh_user(storage, owner, &mut user)?;

    let free = user.free().low;
    let new_collateral = user.collateral - slashed;
    let mut burns = BTreeMap::new();
    let mut propagation = "none";
    if free < slashed {
        let shortfall = slashed - free;
        if user.max_lien.high >= user.total_slashable.high {
            propagation = "clamp";
            clamp_liens(storage, owner, &mut user, new_collateral, &mut burns)?;
        } else {
            propagation = "proportional";
            cut_liens(storage, owner, &mut user, shortfall, &mut burns)?;
        }
    }
    user.collateral = new_collateral;
    let slashable_clamped = repair(storage, owner, &mut user, &mut burns)?;
    refresh_user(storage, owner, &mut user)?;
    USERS.save(storage, owner, &user)?;

    let event = Event::new(EVENT_SLASH)
        .add_attribute("user", owner.as_str())
        .add_attribute("lienholder", reporter.as_str())
        .add_attribute("requested", requested)
        .add_attribute("slashed", slashed)
        .add_attribute("collateral", user.collateral)
        .add_attribute("propagation", propagation)
        .add_attribute("saturated", saturated.to_string())
        .add_attribute("slashable_clamped", slashable_clamped.to_string());
    Ok(Some(UserSlash { burns, event }))
}

/// Restores `max_lien <= collateral` and `total_slashable <= collateral` after a slash: clamps
/// liens to the collateral, then cuts liens proportionally while the slashable total is too high.
/// Returns true if rounding left a residue that had to be clamped off `total_slashable` directly.
fn repair(
    storage: &mut dyn Storage,
    owner: &Addr,
    user: &mut UserInfo,
    burns: &mut BTreeMap<Addr, Uint128>,
) -> Result<bool, ContractError> {
    let cap = user.collateral;
    clamp_liens(storage, owner, user, cap, burns)?;
    for _ in 0..MAX_REPAIR_PASSES {
        if user.total_slashable.high <= cap {
            break;
        }
        let excess = user.total_slashable.high - cap;
        if cut_liens(storage, owner, user, excess, burns)?.is_zero() {
            break;
        }
    }
    refresh_user(storage, owner, user)?;
    if user.total_slashable.high > cap {
        user.total_slashable = ValueRange::new(user.total_slashable.low.min(cap), cap);
        return Ok(true);
    }
    Ok(false)
}

/// Clamps every lien above `cap` to it; the cut is burned and its slashable part released.
///
/// The cut comes off both ends of the lien's range (the low end saturating at zero): a burn is
/// one amount to the lienholder, which takes it from the settled stake first, so cutting only
/// the high end (what in-flight stakes would add) would leave the vault's low end above what the
/// lienholder still holds once those stakes roll back: a lien that can never be released.
fn clamp_liens(
    storage: &mut dyn Storage,
    owner: &Addr,
    user: &mut UserInfo,
    cap: Uint128,
    burns: &mut BTreeMap<Addr, Uint128>,
) -> StdResult<()> {
    for (lienholder, mut lien) in user_liens(storage, owner)? {
        if lien.amount.high <= cap {
            continue;
        }
        let cut_high = lien.amount.high - cap;
        let cut_low = cut_high.min(lien.amount.low);
        apply_cut(
            storage,
            owner,
            user,
            &lienholder,
            &mut lien,
            cut_low,
            cut_high,
            burns,
        )?;
    }
    refresh_user(storage, owner, user)
}

/// Cuts every lien by `ceil(shortfall / Σ ratios)` (saturating at zero). Returns how much the
/// upper end of `total_slashable` went down.
fn cut_liens(
    storage: &mut dyn Storage,
    owner: &Addr,
    user: &mut UserInfo,
    shortfall: Uint128,
    burns: &mut BTreeMap<Addr, Uint128>,
) -> StdResult<Uint128> {
    let liens = user_liens(storage, owner)?;
    let ratios = liens.iter().fold(Decimal::zero(), |sum, (_, l)| {
        sum.saturating_add(l.slashable)
    });
    if ratios.is_zero() || shortfall.is_zero() {
        return Ok(Uint128::zero());
    }
    let cut = ceil_div(shortfall, ratios);
    let before = user.total_slashable.high;
    for (lienholder, mut lien) in liens {
        let cut_low = cut.min(lien.amount.low);
        let cut_high = cut.min(lien.amount.high);
        apply_cut(
            storage,
            owner,
            user,
            &lienholder,
            &mut lien,
            cut_low,
            cut_high,
            burns,
        )?;
    }
    refresh_user(storage, owner, user)?;
    Ok(before.saturating_sub(user.total_slashable.high))
}

/// Lowers a lien's ends by `cut_low` / `cut_high`, releases `floor(cut × ratio)` of the slashable
/// total and records `cut_high` to burn.
#[allow(clippy::too_many_arguments)]
fn apply_cut(
    storage: &mut dyn Storage,
    owner: &Addr,
    user: &mut UserInfo,
    lienholder: &Addr,
    lien: &mut Lien,
    cut_low: Uint128,
    cut_high: Uint128,
    burns: &mut BTreeMap<Addr, Uint128>,
) -> StdResult<()> {
    lien.amount = sub_range(lien.amount, cut_low, cut_high);
    save_lien(storage, owner, lienholder, lien)?;
    user.total_slashable = sub_range(
        user.total_slashable,
        slash_part(cut_low, lien.slashable),
        slash_part(cut_high, lien.slashable),
    );
    if !cut_high.is_zero() {
        let burn = burns.entry(lienholder.clone()).or_default();
        *burn = burn.saturating_add(cut_high);
    }
    Ok(())
}

/// `(low − cut_low, high − cut_high)`, saturating at zero and keeping `low <= high`.
fn sub_range(range: ValueRange, cut_low: Uint128, cut_high: Uint128) -> ValueRange {
    let high = range.high.saturating_sub(cut_high);
    let low = range.low.saturating_sub(cut_low).min(high);
    ValueRange::new(low, high)
}

/// `ceil(amount / ratio)` for a positive ratio, exactly (saturating at `Uint128::MAX`).
fn ceil_div(amount: Uint128, ratio: Decimal) -> Uint128 {
    let num = Uint256::from(amount) * Uint256::from(Decimal::one().atomics());
    let den = Uint256::from(ratio.atomics());
    let q = (num + den - Uint256::one()) / den;
    Uint128::try_from(q).unwrap_or(Uint128::MAX)
}

/// All liens of a user, by lienholder address.
fn user_liens(storage: &dyn Storage, owner: &Addr) -> StdResult<Vec<(Addr, Lien)>> {
    LIENS
        .prefix(owner)
        .range(storage, None, None, Order::Ascending)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_div_is_exact() {
        // 35 / 1.6 = 21.875 → 22
        assert_eq!(
            ceil_div(Uint128::new(35), Decimal::percent(160)),
            Uint128::new(22)
        );
        // 30 / 0.3 = 100 exactly (an inverse would round 3.333… and overshoot)
        assert_eq!(
            ceil_div(Uint128::new(30), Decimal::percent(30)),
            Uint128::new(100)
        );
        assert_eq!(
            ceil_div(Uint128::new(1), Decimal::percent(20)),
            Uint128::new(5)
        );
    }

    #[test]
    fn sub_range_keeps_order() {
        let r = ValueRange::new(Uint128::new(10), Uint128::new(12));
        assert_eq!(
            sub_range(r, Uint128::new(1), Uint128::new(5)),
            ValueRange::new_val(Uint128::new(7))
        );
        assert_eq!(
            sub_range(r, Uint128::new(20), Uint128::new(20)),
            ValueRange::zero()
        );
    }
}
