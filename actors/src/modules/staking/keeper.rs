//! State changes of the staking module: genesis, delegations, unbonding queue, slashing.
//! Every function checks what can fail before it writes, because the chain may call them
//! outside a transaction (`App::init_modules`).

use std::collections::BTreeMap;

use cosmwasm_std::{
    Addr, Api, BankMsg, BlockInfo, CanonicalAddr, Coin, Decimal, Event, Order, StdResult, Storage,
    Timestamp, Uint128, Uint256,
};
use cw_multi_test::{AppResponse, BankSudo, CosmosRouter};
use cw_storage_plus::Bound;

use super::rewards::settle;
use super::state::{
    DelegationInfo, StakingConfig, UnbondingEntry, ValidatorInfo, ValidatorStatus, CONFIG,
    DELEGATIONS, NEXT_UNBONDING_ID, UNBONDING, VALIDATORS, VALIDATOR_DELEGATORS,
};
use super::{MeshStaking, SlashReport};
use crate::modules::error::ModuleError;
use crate::modules::ledger;

/// Raw bytes of the module account (turned into an address by the chain's `Api`).
const MODULE_ACCOUNT: &[u8] = b"mesh_staking_module";

impl MeshStaking {
    /// Stores the genesis configuration (bonded denom, unbonding time, APR).
    pub fn setup(&self, storage: &mut dyn Storage, config: StakingConfig) -> StdResult<()> {
        CONFIG.save(storage, &config)
    }

    /// The account holding all delegated and unbonding tokens (valid for the chain's `Api`).
    pub fn module_address(api: &dyn Api) -> StdResult<Addr> {
        api.addr_humanize(&CanonicalAddr::from(MODULE_ACCOUNT))
    }

    /// Adds a bonded validator. With `self_bond = Some((operator, amount))` the amount is minted
    /// to the operator (recorded as a genesis mint) and delegated to the new validator.
    #[allow(clippy::too_many_arguments)]
    pub fn add_validator<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        name: &str,
        self_bond: Option<(Addr, Uint128)>,
    ) -> StdResult<()> {
        let config = Self::load_config(storage)?;
        if VALIDATORS.has(storage, name) {
            return Err(ModuleError::ValidatorExists {
                validator: name.to_string(),
            }
            .into());
        }
        let info = ValidatorInfo {
            name: name.to_string(),
            status: ValidatorStatus::Bonded,
            tokens: Uint128::zero(),
            commission: Decimal::zero(),
            operator: self_bond.as_ref().map(|(operator, _)| operator.clone()),
            reward_seconds: 0,
            last_reward_update: block.time,
        };
        VALIDATORS.save(storage, name, &info)?;
        if let Some((operator, amount)) = self_bond.filter(|(_, amount)| !amount.is_zero()) {
            router.sudo(
                api,
                storage,
                block,
                BankSudo::Mint {
                    to_address: operator.to_string(),
                    amount: vec![Coin::new(amount, &config.bonded_denom)],
                }
                .into(),
            )?;
            ledger::record(storage, |l| l.genesis_minted += amount)?;
            self.delegate_tokens(api, storage, router, block, &operator, name, amount)?;
        }
        Ok(())
    }

    /// Jails a bonded validator (downtime) and slashes it by `fraction`.
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
        Self::require_status(&val, &[ValidatorStatus::Bonded], "jail")?;
        Self::set_status(storage, val, ValidatorStatus::Jailed, block.time)?;
        self.slash(api, storage, router, block, validator, fraction)
    }

    /// Tombstones a validator (double sign; final) and slashes it by `fraction`.
    /// Any status but tombstoned can be tombstoned.
    #[allow(clippy::too_many_arguments)]
    pub fn tombstone<R: CosmosRouter + ?Sized>(
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
        Self::require_status(
            &val,
            &[
                ValidatorStatus::Bonded,
                ValidatorStatus::Jailed,
                ValidatorStatus::Unbonded,
            ],
            "tombstone",
        )?;
        Self::set_status(storage, val, ValidatorStatus::Tombstoned, block.time)?;
        self.slash(api, storage, router, block, validator, fraction)
    }

    /// Puts a jailed validator back in the bonded set (a tombstoned one cannot be unjailed).
    pub fn unjail(
        &self,
        storage: &mut dyn Storage,
        block: &BlockInfo,
        validator: &str,
    ) -> StdResult<()> {
        let val = Self::load_validator(storage, validator)?;
        Self::require_status(&val, &[ValidatorStatus::Jailed], "unjail")?;
        Self::set_status(storage, val, ValidatorStatus::Bonded, block.time)
    }

    /// Takes a bonded or jailed validator out of the set (status unbonded): it earns nothing and
    /// undelegations from it complete at once. Delegations stay until undelegated.
    pub fn remove_validator(
        &self,
        storage: &mut dyn Storage,
        block: &BlockInfo,
        validator: &str,
    ) -> StdResult<()> {
        let val = Self::load_validator(storage, validator)?;
        Self::require_status(
            &val,
            &[ValidatorStatus::Bonded, ValidatorStatus::Jailed],
            "remove",
        )?;
        Self::set_status(storage, val, ValidatorStatus::Unbonded, block.time)
    }

    /// Brings an unbonded (removed) validator back into the bonded set.
    pub fn rebond_validator(
        &self,
        storage: &mut dyn Storage,
        block: &BlockInfo,
        validator: &str,
    ) -> StdResult<()> {
        let val = Self::load_validator(storage, validator)?;
        Self::require_status(&val, &[ValidatorStatus::Unbonded], "rebond")?;
        Self::set_status(storage, val, ValidatorStatus::Bonded, block.time)
    }

    /// Slashes `fraction` of every delegation to `validator` and of every pending unbonding
    /// entry from it (floor per delegation and per entry), burns the total from the module
    /// account and records it in the supply ledger. The status does not change.
    #[allow(clippy::too_many_arguments)]
    pub fn slash<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        validator: &str,
        fraction: Decimal,
    ) -> StdResult<SlashReport> {
        Self::check_fraction(fraction)?;
        let config = Self::load_config(storage)?;
        let mut val = Self::load_validator(storage, validator)?;
        let tokens_before = val.tokens;
        let mut per_delegator: BTreeMap<Addr, Uint128> = BTreeMap::new();

        let delegators = VALIDATOR_DELEGATORS
            .prefix(validator)
            .keys(storage, None, None, Order::Ascending)
            .collect::<StdResult<Vec<Addr>>>()?;
        let mut bonded_slashed = Uint128::zero();
        for delegator in delegators {
            let mut delegation = DELEGATIONS.load(storage, (&delegator, validator))?;
            settle(&mut delegation, &val, block.time, config.apr);
            let cut = delegation.amount.mul_floor(fraction);
            delegation.amount -= cut;
            bonded_slashed += cut;
            Self::save_delegation(storage, &delegator, validator, &delegation)?;
            if !cut.is_zero() {
                *per_delegator.entry(delegator).or_default() += cut;
            }
        }
        val.tokens -= bonded_slashed;
        VALIDATORS.save(storage, validator, &val)?;

        let entries = UNBONDING
            .range(storage, None, None, Order::Ascending)
            .collect::<StdResult<Vec<_>>>()?;
        let mut unbonding_slashed = Uint128::zero();
        for (key, mut entry) in entries {
            if entry.validator != validator {
                continue;
            }
            let cut = entry.amount.mul_floor(fraction);
            if cut.is_zero() {
                continue;
            }
            entry.amount -= cut;
            unbonding_slashed += cut;
            if entry.amount.is_zero() {
                UNBONDING.remove(storage, key);
            } else {
                UNBONDING.save(storage, key, &entry)?;
            }
            *per_delegator.entry(entry.delegator).or_default() += cut;
        }

        let total_slashed = bonded_slashed + unbonding_slashed;
        if !total_slashed.is_zero() {
            router.execute(
                api,
                storage,
                block,
                Self::module_address(api)?,
                BankMsg::Burn {
                    amount: vec![Coin::new(total_slashed, &config.bonded_denom)],
                }
                .into(),
            )?;
            ledger::record(storage, |l| l.slash_burned += total_slashed)?;
        }
        Ok(SlashReport {
            validator: validator.to_string(),
            fraction,
            tokens_before,
            total_slashed,
            bonded_slashed,
            unbonding_slashed,
            per_delegator: per_delegator.into_iter().collect(),
            infraction_height: block.height,
            time: block.time,
        })
    }

    /// Undelegates at once, whatever the validator's status: no unbonding entry, the tokens go
    /// back to the delegator in this call (the mesh module's `unbond`). Zero is a no-op.
    #[allow(clippy::too_many_arguments)]
    pub fn instant_undelegate<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        delegator: &Addr,
        validator: &str,
        amount: Uint128,
    ) -> StdResult<()> {
        if amount.is_zero() {
            return Ok(());
        }
        let config = Self::load_config(storage)?;
        Self::remove_delegation(storage, block.time, delegator, validator, amount)?;
        Self::send_from_module(api, storage, router, block, delegator, amount, &config)
    }

    /// Pays every unbonding entry with `completion_time <= block.time`, in queue order.
    pub fn process_unbondings<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
    ) -> StdResult<AppResponse> {
        let due = UNBONDING
            .range(
                storage,
                None,
                Some(Bound::inclusive((block.time.nanos(), u64::MAX))),
                Order::Ascending,
            )
            .collect::<StdResult<Vec<_>>>()?;
        if due.is_empty() {
            return Ok(AppResponse::default());
        }
        let config = Self::load_config(storage)?;
        let mut events = vec![];
        for (key, entry) in due {
            UNBONDING.remove(storage, key);
            if !entry.amount.is_zero() {
                Self::send_from_module(
                    api,
                    storage,
                    router,
                    block,
                    &entry.delegator,
                    entry.amount,
                    &config,
                )?;
            }
            events.push(
                Event::new("complete_unbonding")
                    .add_attribute("delegator", entry.delegator.as_str())
                    .add_attribute("validator", &entry.validator)
                    .add_attribute("amount", format!("{}{}", entry.amount, config.bonded_denom)),
            );
        }
        Ok(AppResponse {
            events,
            ..Default::default()
        })
    }

    /// Moves `amount` from `delegator` to the module account and delegates it to `validator`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn delegate_tokens<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        delegator: &Addr,
        validator: &str,
        amount: Uint128,
    ) -> StdResult<()> {
        let config = Self::load_config(storage)?;
        Self::load_validator(storage, validator)?;
        router.execute(
            api,
            storage,
            block,
            delegator.clone(),
            BankMsg::Send {
                to_address: Self::module_address(api)?.to_string(),
                amount: vec![Coin::new(amount, &config.bonded_denom)],
            }
            .into(),
        )?;
        Self::add_delegation(storage, block.time, delegator, validator, amount)
    }

    /// Undelegates: queued for `unbonding_time` if the validator is bonded, else paid at once.
    /// Returns when the tokens are (or were) paid.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn undelegate<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        delegator: &Addr,
        validator: &str,
        amount: Uint128,
    ) -> StdResult<Timestamp> {
        let config = Self::load_config(storage)?;
        let val = Self::remove_delegation(storage, block.time, delegator, validator, amount)?;
        if val.status != ValidatorStatus::Bonded {
            Self::send_from_module(api, storage, router, block, delegator, amount, &config)?;
            return Ok(block.time);
        }
        let id = NEXT_UNBONDING_ID.may_load(storage)?.unwrap_or_default();
        NEXT_UNBONDING_ID.save(storage, &(id + 1))?;
        let completion_time = block.time.plus_seconds(config.unbonding_time);
        let entry = UnbondingEntry {
            id,
            delegator: delegator.clone(),
            validator: validator.to_string(),
            amount,
            creation_height: block.height,
            completion_time,
        };
        UNBONDING.save(storage, (completion_time.nanos(), id), &entry)?;
        Ok(completion_time)
    }

    /// Moves `amount` of `delegator`'s delegation from `src` to `dst` at once.
    pub(crate) fn redelegate(
        &self,
        storage: &mut dyn Storage,
        block: &BlockInfo,
        delegator: &Addr,
        src: &str,
        dst: &str,
        amount: Uint128,
    ) -> StdResult<()> {
        if src == dst {
            return Err(ModuleError::SelfRedelegation {
                validator: src.to_string(),
            }
            .into());
        }
        Self::load_validator(storage, dst)?;
        Self::remove_delegation(storage, block.time, delegator, src, amount)?;
        Self::add_delegation(storage, block.time, delegator, dst, amount)
    }

    /// Checks a coin against the bonded denom and returns its non-zero amount.
    pub(crate) fn check_coin(config: &StakingConfig, coin: &Coin) -> StdResult<Uint128> {
        if coin.denom != config.bonded_denom {
            return Err(ModuleError::InvalidDenom {
                expected: config.bonded_denom.clone(),
                got: coin.denom.clone(),
            }
            .into());
        }
        let amount = to_uint128(coin.amount)?;
        if amount.is_zero() {
            return Err(ModuleError::ZeroAmount.into());
        }
        Ok(amount)
    }

    /// The genesis configuration, or `NotConfigured`.
    pub(crate) fn load_config(storage: &dyn Storage) -> StdResult<StakingConfig> {
        CONFIG
            .may_load(storage)?
            .ok_or_else(|| ModuleError::NotConfigured.into())
    }

    /// A validator, or `ValidatorNotFound`.
    pub(crate) fn load_validator(storage: &dyn Storage, name: &str) -> StdResult<ValidatorInfo> {
        VALIDATORS.may_load(storage, name)?.ok_or_else(|| {
            ModuleError::ValidatorNotFound {
                validator: name.to_string(),
            }
            .into()
        })
    }

    /// Saves a delegation, or deletes it (and its index entry) once it holds nothing.
    pub(crate) fn save_delegation(
        storage: &mut dyn Storage,
        delegator: &Addr,
        validator: &str,
        delegation: &DelegationInfo,
    ) -> StdResult<()> {
        if delegation.amount.is_zero() && delegation.reward_units.is_zero() {
            DELEGATIONS.remove(storage, (delegator, validator));
            VALIDATOR_DELEGATORS.remove(storage, (validator, delegator));
            Ok(())
        } else {
            DELEGATIONS.save(storage, (delegator, validator), delegation)?;
            VALIDATOR_DELEGATORS.save(storage, (validator, delegator), &())
        }
    }

    fn add_delegation(
        storage: &mut dyn Storage,
        now: Timestamp,
        delegator: &Addr,
        validator: &str,
        amount: Uint128,
    ) -> StdResult<()> {
        let config = Self::load_config(storage)?;
        let mut val = Self::load_validator(storage, validator)?;
        let mut delegation = DELEGATIONS
            .may_load(storage, (delegator, validator))?
            .unwrap_or_default();
        settle(&mut delegation, &val, now, config.apr);
        delegation.amount += amount;
        val.tokens += amount;
        VALIDATORS.save(storage, validator, &val)?;
        Self::save_delegation(storage, delegator, validator, &delegation)
    }

    /// Takes `amount` off a delegation; returns the validator.
    fn remove_delegation(
        storage: &mut dyn Storage,
        now: Timestamp,
        delegator: &Addr,
        validator: &str,
        amount: Uint128,
    ) -> StdResult<ValidatorInfo> {
        let config = Self::load_config(storage)?;
        let mut val = Self::load_validator(storage, validator)?;
        let mut delegation = DELEGATIONS
            .may_load(storage, (delegator, validator))?
            .filter(|d| !d.amount.is_zero())
            .ok_or_else(|| ModuleError::NoDelegation {
                delegator: delegator.to_string(),
                validator: validator.to_string(),
            })?;
        if amount > delegation.amount {
            return Err(ModuleError::NotEnoughDelegation {
                delegated: delegation.amount,
                requested: amount,
            }
            .into());
        }
        settle(&mut delegation, &val, now, config.apr);
        delegation.amount -= amount;
        val.tokens -= amount;
        VALIDATORS.save(storage, validator, &val)?;
        Self::save_delegation(storage, delegator, validator, &delegation)?;
        Ok(val)
    }

    #[allow(clippy::too_many_arguments)]
    fn send_from_module<R: CosmosRouter + ?Sized>(
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        to: &Addr,
        amount: Uint128,
        config: &StakingConfig,
    ) -> StdResult<()> {
        router.execute(
            api,
            storage,
            block,
            Self::module_address(api)?,
            BankMsg::Send {
                to_address: to.to_string(),
                amount: vec![Coin::new(amount, &config.bonded_denom)],
            }
            .into(),
        )?;
        Ok(())
    }

    fn check_fraction(fraction: Decimal) -> StdResult<()> {
        if fraction > Decimal::one() {
            return Err(ModuleError::InvalidFraction { fraction }.into());
        }
        Ok(())
    }

    fn require_status(
        val: &ValidatorInfo,
        allowed: &[ValidatorStatus],
        action: &str,
    ) -> StdResult<()> {
        if allowed.contains(&val.status) {
            Ok(())
        } else {
            Err(ModuleError::InvalidStatus {
                validator: val.name.clone(),
                status: val.status.to_string(),
                action: action.to_string(),
            }
            .into())
        }
    }

    /// Brings the validator's earning seconds up to `now`, then changes its status.
    fn set_status(
        storage: &mut dyn Storage,
        mut val: ValidatorInfo,
        status: ValidatorStatus,
        now: Timestamp,
    ) -> StdResult<()> {
        val.reward_seconds = val.reward_seconds_at(now);
        val.last_reward_update = now;
        val.status = status;
        VALIDATORS.save(storage, &val.name.clone(), &val)
    }
}

/// A coin amount as `Uint128`, or `AmountTooLarge`.
pub(crate) fn to_uint128(amount: Uint256) -> StdResult<Uint128> {
    Uint128::try_from(amount).map_err(|_| {
        ModuleError::AmountTooLarge {
            amount: amount.to_string(),
        }
        .into()
    })
}
