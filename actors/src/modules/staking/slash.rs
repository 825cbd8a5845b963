//! Slashing as the Cosmos SDK does it (x/staking `Keeper.Slash`, x/slashing downtime, x/evidence
//! double sign), with a per-delegator report of what the chain took.
//!
//! # The rule (the contracts that must match the chain read this)
//!
//! A slash of validator `V` by `fraction` for an infraction at height `H`, with consensus power
//! `P` (tokens / 1,000,000, truncated), in the block at height `h`:
//!
//! 1. The slash amount is `floor(P × 1,000,000 × fraction)`.
//! 2. If `H < h`, every unbonding entry from `V` whose `creation_height >= H` and that has not
//!    matured (`completion_time > now`) loses `min(floor(fraction × initial_balance), balance)`;
//!    every redelegation from `V` with `creation_height >= H` that has not matured loses
//!    `fraction × shares_dst` (rounded half to even, at most the delegation's shares) of its
//!    destination delegation, whose tokens are burned (truncated, the remainder stays with the
//!    destination); the delegator's loss there is that delegation's `balance before − balance
//!    after`. Each entry counts its *nominal*
//!    `floor(fraction × initial_balance)` against the slash amount, even when it held less.
//!    Entries created before `H`, and matured ones, are never touched. If `H == h` nothing but
//!    the validator is slashed.
//! 3. The rest of the slash amount (never below zero) is burned from `V`'s tokens, at most all of
//!    them. Delegations keep their shares; each delegation's balance (its shares' worth,
//!    truncated) drops with the exchange rate, so a delegator's bonded loss is
//!    `balance before − balance after`.
//!
//! Infraction heights: downtime (jail) `H = h − 2` (`ValidatorUpdateDelay` + 1); double sign
//! (tombstone) `H = evidence height − 1`, the evidence height being `h`, or the height of the
//! jailing for a validator already jailed (a jailed validator signs nothing). `H` is never
//! earlier than the block at which `V` last entered the active set (the SDK's signing window
//! guarantees that; the harness may jail one block after an unjail). The power is `V`'s power
//! now for downtime, and the evidence's power for a double sign (default: `V`'s power now).

use std::collections::BTreeMap;

use cosmwasm_std::{
    Addr, Api, BankMsg, BlockInfo, Coin, Decimal, Decimal256, Order, StdResult, Storage, Uint128,
};
use cw_multi_test::CosmosRouter;
use serde::{Deserialize, Serialize};

use super::rewards::{rebase, settle};
use super::shares::{balance_of_shares, mul_round};
use super::state::{
    BlockRef, BondStatus, ValidatorInfo, DELEGATIONS, POWER_REDUCTION, REDELEGATIONS, UNBONDING,
    UNBONDING_INDEX, VALIDATORS, VALIDATOR_DELEGATORS, VALIDATOR_UPDATE_DELAY,
};
use super::MeshStaking;
use crate::modules::error::ModuleError;
use crate::modules::ledger;

/// What one slash did, per delegator.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SlashReport {
    /// The slashed validator.
    pub validator: String,
    /// The slash fraction.
    pub fraction: Decimal,
    /// The consensus power the slash is measured on.
    pub power: u64,
    /// `floor(power × 1,000,000 × fraction)`: what the slash asks for.
    pub slash_amount: Uint128,
    /// The infraction height `H` (entries created before it were not touched).
    pub infraction_height: u64,
    /// The time of the block at `H` (the latest block the chain ran at or before it).
    pub infraction_time: cosmwasm_std::Timestamp,
    /// The block in which the slash happened.
    pub height: u64,
    /// Its time.
    pub time: cosmwasm_std::Timestamp,
    /// The validator's tokens just before the slash.
    pub tokens_before: Uint128,
    /// Burned from the validator's tokens.
    pub burned_bonded: Uint128,
    /// Burned from unbonding entries.
    pub burned_unbonding: Uint128,
    /// Burned from redelegations' destination delegations.
    pub burned_redelegations: Uint128,
    /// What each delegator lost, in address order (delegators who lost nothing left out).
    pub per_delegator: Vec<DelegatorSlash>,
}

/// What one delegator lost in a slash.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct DelegatorSlash {
    /// The delegator.
    pub delegator: Addr,
    /// Its delegation to the slashed validator: balance before − balance after.
    pub bonded: Uint128,
    /// Taken from its unbonding entries from the slashed validator.
    pub unbonding: Uint128,
    /// Its delegations to the destinations of its redelegations from the slashed validator:
    /// balance before − balance after (the tokens burned there, and the truncated remainder
    /// the unbonded shares leave with the destination).
    pub redelegation: Uint128,
    /// The entries the slash reached.
    pub entries: Vec<EntrySlash>,
}

impl DelegatorSlash {
    /// An empty line for `delegator`.
    pub fn new(delegator: Addr) -> Self {
        DelegatorSlash {
            delegator,
            bonded: Uint128::zero(),
            unbonding: Uint128::zero(),
            redelegation: Uint128::zero(),
            entries: vec![],
        }
    }

    /// Everything it lost.
    pub fn total(&self) -> Uint128 {
        self.bonded + self.unbonding + self.redelegation
    }
}

/// An unbonding or redelegation entry a slash reached.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct EntrySlash {
    /// The entry's id (unbonding and redelegation entries share one sequence).
    pub id: u64,
    /// `None` for an unbonding entry; the destination validator for a redelegation.
    pub redelegated_to: Option<String>,
    /// The entry's creation height.
    pub creation_height: u64,
    /// The entry's initial balance.
    pub initial_balance: Uint128,
    /// Tokens taken from it (from a redelegation: its destination delegation's balance before −
    /// after).
    pub slashed: Uint128,
}

impl SlashReport {
    /// Everything burned.
    pub fn total_burned(&self) -> Uint128 {
        self.burned_bonded + self.burned_unbonding + self.burned_redelegations
    }

    /// What `delegator` lost in this slash, everything together (0 if it is not listed).
    pub fn slashed_from(&self, delegator: &Addr) -> Uint128 {
        self.of(delegator)
            .map(DelegatorSlash::total)
            .unwrap_or_default()
    }

    /// `delegator`'s line, if it lost anything.
    pub fn of(&self, delegator: &Addr) -> Option<&DelegatorSlash> {
        self.per_delegator
            .iter()
            .find(|d| d.delegator == *delegator)
    }
}

impl MeshStaking {
    /// Downtime: slashes `fraction` of the validator's power now for an infraction two blocks
    /// back (see the module doc), then jails it. Only a bonded validator can be jailed.
    #[allow(clippy::too_many_arguments)]
    pub fn jail<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        validator: &str,
        fraction: Decimal,
    ) -> StdResult<SlashReport> {
        Self::check_fraction(fraction)?;
        let val = Self::load_validator(storage, validator)?;
        if val.status != BondStatus::Bonded || val.jailed || val.tombstoned {
            return Err(Self::refused(&val, "jail"));
        }
        let height = block
            .height
            .saturating_sub(VALIDATOR_UPDATE_DELAY + 1)
            .max(val.bonded_since.height);
        let infraction = Self::infraction_block(storage, &val, height, block)?;
        let report = self.slash(
            api,
            storage,
            router,
            block,
            validator,
            infraction,
            val.power(),
            fraction,
        )?;
        Self::jail_validator(storage, block, validator)?;
        Ok(report)
    }

    /// Double sign: slashes `fraction` of the evidence's `power` (default: the validator's power
    /// now) for an infraction before the evidence height (see the module doc), jails it and
    /// tombstones it for good. Refused for a tombstoned validator and for an unbonded one (the
    /// chain ignores evidence against those).
    #[allow(clippy::too_many_arguments)]
    pub fn tombstone<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        validator: &str,
        fraction: Decimal,
        power: Option<u64>,
    ) -> StdResult<SlashReport> {
        Self::check_fraction(fraction)?;
        let val = Self::load_validator(storage, validator)?;
        if val.tombstoned || val.status == BondStatus::Unbonded {
            return Err(Self::refused(&val, "tombstone"));
        }
        let evidence = val.jailed_at.map_or(block.height, |at| at.height);
        let height = evidence
            .saturating_sub(VALIDATOR_UPDATE_DELAY)
            .max(val.bonded_since.height)
            .min(block.height);
        let infraction = Self::infraction_block(storage, &val, height, block)?;
        let power = power.unwrap_or_else(|| val.power());
        let report = self.slash(
            api, storage, router, block, validator, infraction, power, fraction,
        )?;
        Self::jail_validator(storage, block, validator)?;
        let mut val = Self::load_validator(storage, validator)?;
        val.tombstoned = true;
        VALIDATORS.save(storage, validator, &val)?;
        Ok(report)
    }

    /// The block at `height` for `val`'s infraction: its entry into the active set when that is
    /// the height, else the latest block the chain ran at or before it.
    fn infraction_block(
        storage: &dyn Storage,
        val: &ValidatorInfo,
        height: u64,
        block: &BlockInfo,
    ) -> StdResult<BlockRef> {
        if height == val.bonded_since.height {
            return Ok(val.bonded_since);
        }
        let time = Self::time_of_height(storage, height, val.bonded_since.time)?;
        Ok(BlockRef {
            height,
            time: time.min(block.time),
        })
    }

    /// The SDK's `Keeper.Slash`: slashes `fraction` of `power` for an infraction at
    /// `infraction`, from the unbonding entries and redelegations that started at or after it,
    /// then from the validator's tokens (the rule in the module doc). Burns everything taken
    /// from the module account and records it in the supply ledger. The status does not change.
    /// Refused for an unbonded validator.
    #[allow(clippy::too_many_arguments)]
    pub fn slash<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        validator: &str,
        infraction: BlockRef,
        power: u64,
        fraction: Decimal,
    ) -> StdResult<SlashReport> {
        Self::check_fraction(fraction)?;
        let config = Self::load_config(storage)?;
        let val = Self::load_validator(storage, validator)?;
        if val.status == BondStatus::Unbonded {
            return Err(Self::refused(&val, "slash"));
        }
        if infraction.height > block.height {
            return Err(ModuleError::Unsupported {
                module: "staking".to_string(),
                what: format!(
                    "slash for a future infraction at height {} (now {})",
                    infraction.height, block.height
                ),
            }
            .into());
        }
        let slash_amount =
            (Uint128::from(power) * Uint128::new(POWER_REDUCTION)).mul_floor(fraction);
        let mut remaining = slash_amount;
        let mut lines: BTreeMap<Addr, DelegatorSlash> = BTreeMap::new();
        let mut burned_unbonding = Uint128::zero();
        let mut burned_redelegations = Uint128::zero();
        if infraction.height < block.height {
            let (nominal, burned) = Self::slash_unbonding_entries(
                storage, block, validator, infraction, fraction, &mut lines,
            )?;
            remaining = remaining.saturating_sub(nominal);
            burned_unbonding = burned;
            let (nominal, burned) = self
                .slash_redelegations(storage, block, validator, infraction, fraction, &mut lines)?;
            remaining = remaining.saturating_sub(nominal);
            burned_redelegations = burned;
        }

        let mut val = Self::load_validator(storage, validator)?;
        let tokens_before = val.tokens;
        let burned_bonded = remaining.min(val.tokens);
        let delegators = VALIDATOR_DELEGATORS
            .prefix(validator)
            .keys(storage, None, None, Order::Ascending)
            .collect::<StdResult<Vec<Addr>>>()?;
        let mut delegations = Vec::with_capacity(delegators.len());
        for delegator in delegators {
            let mut delegation = DELEGATIONS.load(storage, (&delegator, validator))?;
            settle(&mut delegation, &val, block.time, config.apr);
            let before = balance_of_shares(delegation.shares, val.tokens, val.delegator_shares)?;
            delegations.push((delegator, delegation, before));
        }
        val.tokens -= burned_bonded;
        VALIDATORS.save(storage, validator, &val)?;
        for (delegator, mut delegation, before) in delegations {
            rebase(&mut delegation, &val)?;
            let lost = before.saturating_sub(delegation.reward_basis);
            Self::save_delegation(storage, &delegator, validator, &delegation)?;
            if !lost.is_zero() {
                line_of(&mut lines, &delegator).bonded += lost;
            }
        }

        let total = burned_bonded + burned_unbonding + burned_redelegations;
        if !total.is_zero() {
            router.execute(
                api,
                storage,
                block,
                Self::module_address(api)?,
                BankMsg::Burn {
                    amount: vec![Coin::new(total, &config.bonded_denom)],
                }
                .into(),
            )?;
            ledger::record(storage, |l| l.slash_burned += total)?;
        }
        Ok(SlashReport {
            validator: validator.to_string(),
            fraction,
            power,
            slash_amount,
            infraction_height: infraction.height,
            infraction_time: infraction.time,
            height: block.height,
            time: block.time,
            tokens_before,
            burned_bonded,
            burned_unbonding,
            burned_redelegations,
            per_delegator: lines
                .into_values()
                .filter(|l| !l.total().is_zero())
                .collect(),
        })
    }

    /// Step 2 for unbonding entries: returns (nominal total, burned).
    fn slash_unbonding_entries(
        storage: &mut dyn Storage,
        block: &BlockInfo,
        validator: &str,
        infraction: BlockRef,
        fraction: Decimal,
        lines: &mut BTreeMap<Addr, DelegatorSlash>,
    ) -> StdResult<(Uint128, Uint128)> {
        let keys: Vec<(u64, u64)> = UNBONDING_INDEX
            .sub_prefix(validator)
            .range(storage, None, None, Order::Ascending)
            .map(|item| item.map(|((_, id), nanos)| (nanos, id)))
            .collect::<StdResult<_>>()?;
        let (mut nominal, mut burned) = (Uint128::zero(), Uint128::zero());
        for key in keys {
            let mut entry = UNBONDING.load(storage, key)?;
            if entry.creation_height < infraction.height || entry.completion_time <= block.time {
                continue;
            }
            let asked = entry.initial_balance.mul_floor(fraction);
            nominal += asked;
            let cut = asked.min(entry.amount);
            if cut.is_zero() {
                continue;
            }
            entry.amount -= cut;
            burned += cut;
            UNBONDING.save(storage, key, &entry)?;
            let line = line_of(lines, &entry.delegator);
            line.unbonding += cut;
            line.entries.push(EntrySlash {
                id: entry.id,
                redelegated_to: None,
                creation_height: entry.creation_height,
                initial_balance: entry.initial_balance,
                slashed: cut,
            });
        }
        Ok((nominal, burned))
    }

    /// Step 2 for redelegations: returns (nominal total, burned).
    fn slash_redelegations(
        &self,
        storage: &mut dyn Storage,
        block: &BlockInfo,
        validator: &str,
        infraction: BlockRef,
        fraction: Decimal,
        lines: &mut BTreeMap<Addr, DelegatorSlash>,
    ) -> StdResult<(Uint128, Uint128)> {
        let entries: Vec<_> = self
            .redelegation_entries(storage)?
            .into_iter()
            .filter(|e| e.src == validator)
            .collect();
        let fraction256 = Decimal256::from(fraction);
        let (mut nominal, mut burned) = (Uint128::zero(), Uint128::zero());
        for entry in entries {
            if entry.creation_height < infraction.height || entry.completion_time <= block.time {
                continue;
            }
            nominal += entry.initial_balance.mul_floor(fraction);
            let mut shares = mul_round(fraction256, entry.shares_dst)?;
            if shares.is_zero() {
                continue;
            }
            let held = DELEGATIONS
                .may_load(storage, (&entry.delegator, &entry.dst))?
                .map(|d| d.shares)
                .unwrap_or_default();
            if held.is_zero() {
                continue;
            }
            shares = shares.min(held);
            // The delegator loses the shares' worth: the tokens burned, and the truncated
            // remainder, which stays with the validator (its other delegators' shares gain it).
            let before = self.delegation(storage, &entry.delegator, &entry.dst)?;
            let tokens = self.unbond(storage, block, &entry.delegator, &entry.dst, shares)?;
            let lost =
                before.saturating_sub(self.delegation(storage, &entry.delegator, &entry.dst)?);
            burned += tokens;
            let line = line_of(lines, &entry.delegator);
            line.redelegation += lost;
            line.entries.push(EntrySlash {
                id: entry.id,
                redelegated_to: Some(entry.dst.clone()),
                creation_height: entry.creation_height,
                initial_balance: entry.initial_balance,
                slashed: lost,
            });
        }
        Ok((nominal, burned))
    }

    fn check_fraction(fraction: Decimal) -> StdResult<()> {
        if fraction > Decimal::one() {
            return Err(ModuleError::InvalidFraction { fraction }.into());
        }
        Ok(())
    }

    /// The redelegation entries, in (completion time, id) order.
    pub fn redelegation_entries(
        &self,
        storage: &dyn Storage,
    ) -> StdResult<Vec<super::state::RedelegationEntry>> {
        REDELEGATIONS
            .range(storage, None, None, Order::Ascending)
            .map(|item| item.map(|(_, e)| e))
            .collect()
    }
}

/// `delegator`'s line of a report being built.
fn line_of<'a>(
    lines: &'a mut BTreeMap<Addr, DelegatorSlash>,
    delegator: &Addr,
) -> &'a mut DelegatorSlash {
    lines
        .entry(delegator.clone())
        .or_insert_with(|| DelegatorSlash::new(delegator.clone()))
}
