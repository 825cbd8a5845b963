//! State changes of the staking module: validators, delegations by shares, the unbonding and
//! redelegation queues, and the validator-set events (jail, unjail, tombstone, removal).
//! Slashing lives in [`super::slash`]. Every function checks what can fail before it writes,
//! because the chain may call them outside a transaction (`App::init_modules`).

use cosmwasm_std::{
    Addr, Api, BankMsg, BlockInfo, CanonicalAddr, Coin, Decimal, Decimal256, Event, Order,
    StdResult, Storage, Timestamp, Uint128, Uint256,
};
use cw_multi_test::{AppResponse, BankSudo, CosmosRouter};
use cw_storage_plus::Bound;

use super::rewards::{rebase, settle};
use super::shares::{balance_of_shares, shares_from_tokens, tokens_from_shares, truncate_int};
use super::state::{
    BlockRef, BondStatus, DelegationInfo, RedelegationEntry, StakingConfig, UnbondingEntry,
    ValidatorInfo, BLOCK_TIMES, CONFIG, DELEGATIONS, MAX_ENTRIES, MIN_SELF_DELEGATION,
    NEXT_UNBONDING_ID, POWER_REDUCTION, REDELEGATIONS, UNBONDING, UNBONDING_INDEX, VALIDATORS,
    VALIDATOR_DELEGATORS, VALIDATOR_QUEUE,
};
use super::MeshStaking;
use crate::modules::error::ModuleError;
use crate::modules::ledger;

/// Raw bytes of the module account (turned into an address by the chain's `Api`).
const MODULE_ACCOUNT: &[u8] = b"mesh_staking_module";

/// How a new validator's self-bond buys its shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelfBondShares {
    /// Genesis of the reference's test chains: one share per 1,000,000 tokens (power 1 = 1 share).
    Genesis,
    /// `MsgCreateValidator`: the first delegation sets the exchange rate to one.
    CreateValidator,
}

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
    /// to the operator (recorded in the supply ledger) and delegated to the new validator, its
    /// shares priced as `shares` says.
    #[allow(clippy::too_many_arguments)]
    pub fn add_validator<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        name: &str,
        self_bond: Option<(Addr, Uint128)>,
        shares: SelfBondShares,
    ) -> StdResult<()> {
        let config = Self::load_config(storage)?;
        if VALIDATORS.has(storage, name) {
            return Err(ModuleError::ValidatorExists {
                validator: name.to_string(),
            }
            .into());
        }
        let here = BlockRef {
            height: block.height,
            time: block.time,
        };
        let info = ValidatorInfo {
            name: name.to_string(),
            status: BondStatus::Bonded,
            jailed: false,
            tombstoned: false,
            tokens: Uint128::zero(),
            delegator_shares: Decimal256::zero(),
            commission: Decimal::zero(),
            operator: self_bond.as_ref().map(|(operator, _)| operator.clone()),
            bonded_since: here,
            jailed_at: None,
            unbonding: None,
            reward_seconds: 0,
            last_reward_update: block.time,
        };
        VALIDATORS.save(storage, name, &info)?;
        let Some((operator, amount)) = self_bond.filter(|(_, amount)| !amount.is_zero()) else {
            return Ok(());
        };
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
        if shares == SelfBondShares::Genesis {
            // Re-price the only delegation: amount / 1,000,000 shares.
            let genesis_shares = Decimal256::from_ratio(amount, POWER_REDUCTION);
            let mut val = Self::load_validator(storage, name)?;
            let mut delegation = DELEGATIONS.load(storage, (&operator, name))?;
            val.delegator_shares = genesis_shares;
            delegation.shares = genesis_shares;
            VALIDATORS.save(storage, name, &val)?;
            Self::save_delegation(storage, &operator, name, &delegation)?;
        }
        Ok(())
    }

    /// Puts a jailed validator back into the active set. Refused for a tombstoned validator and
    /// for one whose operator's self-delegation is below the minimum (it withdrew its self-bond).
    pub fn unjail(
        &self,
        storage: &mut dyn Storage,
        block: &BlockInfo,
        validator: &str,
    ) -> StdResult<()> {
        let mut val = Self::load_validator(storage, validator)?;
        if val.tombstoned || !val.jailed {
            return Err(Self::refused(&val, "unjail"));
        }
        if let Some(operator) = &val.operator {
            let own = self.delegation(storage, operator, validator)?;
            if own < Uint128::new(MIN_SELF_DELEGATION) {
                return Err(ModuleError::SelfDelegationTooLow {
                    validator: validator.to_string(),
                    self_delegation: own,
                    min: Uint128::new(MIN_SELF_DELEGATION),
                }
                .into());
            }
        }
        Self::bring_rewards_up_to(&mut val, block.time);
        if let (BondStatus::Unbonding, Some((_, end))) = (val.status, val.unbonding) {
            VALIDATOR_QUEUE.remove(storage, (end.nanos(), validator));
        }
        val.jailed = false;
        val.jailed_at = None;
        val.status = BondStatus::Bonded;
        val.unbonding = None;
        val.bonded_since = BlockRef {
            height: block.height,
            time: block.time,
        };
        VALIDATORS.save(storage, validator, &val)
    }

    /// The operator unbonds its whole self-bond: with a self-delegation below the minimum the
    /// validator is jailed (if it was not) and leaves the active set; it cannot be unjailed
    /// again. Its other delegations stay. Refused for a tombstoned validator and one without a
    /// self-bond.
    pub fn remove_validator<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        validator: &str,
    ) -> StdResult<()> {
        let val = Self::load_validator(storage, validator)?;
        if val.tombstoned {
            return Err(Self::refused(&val, "remove"));
        }
        let no_self_bond = || ModuleError::NoSelfBond {
            validator: validator.to_string(),
        };
        let operator = val.operator.clone().ok_or_else(no_self_bond)?;
        let shares = DELEGATIONS
            .may_load(storage, (&operator, validator))?
            .map(|d| d.shares)
            .filter(|s| !s.is_zero())
            .ok_or_else(no_self_bond)?;
        let returned = self.unbond(storage, block, &operator, validator, shares)?;
        self.start_unbonding_entry_or_pay(
            api, storage, router, block, &operator, &val, validator, returned,
        )?;
        Ok(())
    }

    /// Jails a validator: it leaves the active set (bond status unbonding, completing after the
    /// unbonding time). Used by slashing (downtime, double sign) and by a self-delegation that
    /// fell below the minimum.
    pub(crate) fn jail_validator(
        storage: &mut dyn Storage,
        block: &BlockInfo,
        validator: &str,
    ) -> StdResult<()> {
        let config = Self::load_config(storage)?;
        let mut val = Self::load_validator(storage, validator)?;
        if val.jailed {
            return Ok(());
        }
        let here = BlockRef {
            height: block.height,
            time: block.time,
        };
        Self::bring_rewards_up_to(&mut val, block.time);
        val.jailed = true;
        val.jailed_at = Some(here);
        if val.status == BondStatus::Bonded {
            let end = block.time.plus_seconds(config.unbonding_time);
            val.status = BondStatus::Unbonding;
            val.unbonding = Some((here, end));
            VALIDATOR_QUEUE.save(storage, (end.nanos(), validator), &())?;
        }
        VALIDATORS.save(storage, validator, &val)
    }

    /// Undelegates `amount` tokens (at the exchange rate, the SDK's `ValidateUnbondAmount`) at
    /// once, whatever the validator's status: no unbonding entry, the tokens go back to the
    /// delegator in this call (the mesh module's `unbond`). Returns what was paid (it may be a
    /// unit less than `amount` after a slash, as on the SDK). Zero is a no-op.
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
    ) -> StdResult<Uint128> {
        if amount.is_zero() {
            return Ok(amount);
        }
        let config = Self::load_config(storage)?;
        let shares = self.unbond_shares(storage, delegator, validator, amount)?;
        let returned = self.unbond(storage, block, delegator, validator, shares)?;
        // Shares worth less than a token pay nothing (the bank refuses empty transfers).
        if !returned.is_zero() {
            Self::send_from_module(api, storage, router, block, delegator, returned, &config)?;
        }
        Ok(returned)
    }

    /// Begin-block work: pays every unbonding entry with `completion_time <= block.time` (queue
    /// order), drops matured redelegation entries, completes validators' unbonding, and records
    /// the block's time (for dating infractions).
    pub fn process_unbondings<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
    ) -> StdResult<AppResponse> {
        let Some(config) = CONFIG.may_load(storage)? else {
            return Ok(AppResponse::default());
        };
        Self::record_block(storage, block, &config)?;
        Self::complete_validator_unbonding(storage, block)?;
        let upto = Some(Bound::inclusive((block.time.nanos(), u64::MAX)));
        let matured_red: Vec<(u64, u64)> = REDELEGATIONS
            .keys(storage, None, upto.clone(), Order::Ascending)
            .collect::<StdResult<_>>()?;
        for key in matured_red {
            REDELEGATIONS.remove(storage, key);
        }
        let due = UNBONDING
            .range(storage, None, upto, Order::Ascending)
            .collect::<StdResult<Vec<_>>>()?;
        let mut events = vec![];
        for (key, entry) in due {
            Self::remove_unbonding_entry(storage, key, &entry);
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

    /// Validators whose unbonding time has passed become unbonded.
    fn complete_validator_unbonding(storage: &mut dyn Storage, block: &BlockInfo) -> StdResult<()> {
        let due: Vec<(u64, String)> = VALIDATOR_QUEUE
            .keys(
                storage,
                None,
                Some(Bound::exclusive((block.time.nanos() + 1, ""))),
                Order::Ascending,
            )
            .collect::<StdResult<_>>()?;
        for (nanos, name) in due {
            VALIDATOR_QUEUE.remove(storage, (nanos, &name));
            let mut val = Self::load_validator(storage, &name)?;
            if val.status == BondStatus::Unbonding {
                val.status = BondStatus::Unbonded;
                VALIDATORS.save(storage, &name, &val)?;
            }
        }
        Ok(())
    }

    /// Keeps the times of the blocks of the last unbonding period (older infractions cannot be
    /// slashed any more).
    fn record_block(
        storage: &mut dyn Storage,
        block: &BlockInfo,
        config: &StakingConfig,
    ) -> StdResult<()> {
        BLOCK_TIMES.save(storage, block.height, &block.time)?;
        let horizon = block.time.seconds().saturating_sub(config.unbonding_time);
        let old: Vec<u64> = BLOCK_TIMES
            .range(storage, None, None, Order::Ascending)
            .take_while(|item| matches!(item, Ok((_, t)) if t.seconds() < horizon))
            .map(|item| item.map(|(h, _)| h))
            .collect::<StdResult<_>>()?;
        // Keep the newest of the old ones: it still dates the blocks after it.
        if let Some((_, drop)) = old.split_last() {
            for h in drop {
                BLOCK_TIMES.remove(storage, *h);
            }
        }
        Ok(())
    }

    /// The time of the block at `height`: the latest block the module saw at or before it (no
    /// block ran in between, so nothing changed), else `fallback`.
    pub(crate) fn time_of_height(
        storage: &dyn Storage,
        height: u64,
        fallback: Timestamp,
    ) -> StdResult<Timestamp> {
        Ok(BLOCK_TIMES
            .range(
                storage,
                None,
                Some(Bound::inclusive(height)),
                Order::Descending,
            )
            .next()
            .transpose()?
            .map_or(fallback, |(_, t)| t))
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
        let val = Self::load_validator(storage, validator)?;
        Self::issue_shares(&val, amount)?;
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
        Self::add_delegation(storage, block.time, delegator, validator, amount)?;
        Ok(())
    }

    /// Undelegates `amount` tokens: the shares they are worth leave the delegation and the tokens
    /// those shares pay (truncated) are queued for `unbonding_time` if the validator is bonded
    /// (merged into an entry of the same block), else paid at once (the reference provider's
    /// instant unbonding from a validator out of the active set). Returns when the tokens are (or
    /// were) paid and how many tokens the shares paid.
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
    ) -> StdResult<(Timestamp, Uint128)> {
        let val = Self::load_validator(storage, validator)?;
        let shares = self.unbond_shares(storage, delegator, validator, amount)?;
        if val.status == BondStatus::Bonded {
            Self::check_unbonding_entries(storage, delegator, validator)?;
        }
        let returned = self.unbond(storage, block, delegator, validator, shares)?;
        let completion = self.start_unbonding_entry_or_pay(
            api, storage, router, block, delegator, &val, validator, returned,
        )?;
        Ok((completion, returned))
    }

    /// After an unbond from `val` (as it was before): queue `returned` for the unbonding time if
    /// it was bonded, else pay it now. Returns the payout time.
    #[allow(clippy::too_many_arguments)]
    fn start_unbonding_entry_or_pay<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        delegator: &Addr,
        val: &ValidatorInfo,
        validator: &str,
        returned: Uint128,
    ) -> StdResult<Timestamp> {
        let config = Self::load_config(storage)?;
        if val.status != BondStatus::Bonded {
            if !returned.is_zero() {
                Self::send_from_module(api, storage, router, block, delegator, returned, &config)?;
            }
            return Ok(block.time);
        }
        let completion_time = block.time.plus_seconds(config.unbonding_time);
        Self::add_unbonding_entry(
            storage,
            delegator,
            validator,
            block.height,
            completion_time,
            returned,
        )?;
        Ok(completion_time)
    }

    /// Moves `amount` tokens of `delegator`'s delegation from `src` to `dst` (the SDK's
    /// `BeginRedelegation`): the shares they are worth leave `src`, the tokens those shares pay
    /// buy shares of `dst`. Unless `src` is unbonded, a redelegation entry remembers the move
    /// until `src`'s unbonding would have completed, so a slash of `src` for an earlier
    /// infraction still reaches it.
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
        let config = Self::load_config(storage)?;
        let dst_val = Self::load_validator(storage, dst)?;
        let src_val = Self::load_validator(storage, src)?;
        let entries = self.redelegation_entries(storage)?;
        if entries
            .iter()
            .any(|e| e.delegator == *delegator && e.dst == src)
        {
            return Err(ModuleError::TransitiveRedelegation {
                validator: src.to_string(),
            }
            .into());
        }
        let same_pair = entries
            .iter()
            .filter(|e| e.delegator == *delegator && e.src == src && e.dst == dst)
            .count();
        if same_pair >= MAX_ENTRIES {
            return Err(ModuleError::MaxEntries {
                kind: "redelegation".to_string(),
                delegator: delegator.to_string(),
                validator: format!("{src} -> {dst}"),
                max: MAX_ENTRIES,
            }
            .into());
        }
        let shares = self.unbond_shares(storage, delegator, src, amount)?;
        // Check before any write: the tokens the shares pay, and that `dst` takes them.
        let returned = Self::paid_for_shares(&src_val, shares)?;
        if returned.is_zero() {
            return Err(ModuleError::TinyRedelegation { amount }.into());
        }
        Self::issue_shares(&dst_val, returned)?;
        let returned = self.unbond(storage, block, delegator, src, shares)?;
        let shares_dst = Self::add_delegation(storage, block.time, delegator, dst, returned)?;
        let (height, completion_time) = match (src_val.status, src_val.unbonding) {
            (BondStatus::Unbonded, _) => return Ok(()),
            (BondStatus::Unbonding, Some((start, end))) => (start.height, end),
            _ => (block.height, block.time.plus_seconds(config.unbonding_time)),
        };
        let id = Self::next_entry_id(storage)?;
        let entry = RedelegationEntry {
            id,
            delegator: delegator.clone(),
            src: src.to_string(),
            dst: dst.to_string(),
            initial_balance: returned,
            shares_dst,
            creation_height: height,
            completion_time,
        };
        REDELEGATIONS.save(storage, (completion_time.nanos(), id), &entry)
    }

    /// Removes `shares` from a delegation (the SDK's `Unbond`): the delegation keeps the rest
    /// (deleted when none are left and no reward is pending), the validator pays the tokens they
    /// are worth, truncated (the last shares take every token left). An operator whose
    /// self-delegation falls below the minimum gets its validator jailed. Returns the tokens.
    pub(crate) fn unbond(
        &self,
        storage: &mut dyn Storage,
        block: &BlockInfo,
        delegator: &Addr,
        validator: &str,
        shares: Decimal256,
    ) -> StdResult<Uint128> {
        let config = Self::load_config(storage)?;
        let mut val = Self::load_validator(storage, validator)?;
        let mut delegation = self.load_delegation(storage, delegator, validator)?;
        if delegation.shares < shares {
            return Err(ModuleError::NotEnoughDelegation {
                delegated: balance_of_shares(delegation.shares, val.tokens, val.delegator_shares)?,
                requested: balance_of_shares(shares, val.tokens, val.delegator_shares)?,
            }
            .into());
        }
        let returned = Self::paid_for_shares(&val, shares)?;
        settle(&mut delegation, &val, block.time, config.apr);
        delegation.shares -= shares;
        val.tokens -= returned;
        val.delegator_shares -= shares;
        VALIDATORS.save(storage, validator, &val)?;
        rebase(&mut delegation, &val)?;
        Self::save_delegation(storage, delegator, validator, &delegation)?;
        // What the delegation is worth now (rebase just computed it).
        let left = delegation.reward_basis;
        let is_operator = val.operator.as_ref() == Some(delegator);
        if is_operator && !val.jailed && left < Uint128::new(MIN_SELF_DELEGATION) {
            Self::jail_validator(storage, block, validator)?;
        }
        Ok(returned)
    }

    /// The tokens removing `shares` from `val` pays: all of them when they are the last shares,
    /// else their worth truncated (the SDK's `RemoveDelShares`).
    fn paid_for_shares(val: &ValidatorInfo, shares: Decimal256) -> StdResult<Uint128> {
        if shares >= val.delegator_shares {
            return Ok(val.tokens);
        }
        let paid = truncate_int(tokens_from_shares(
            shares,
            val.tokens,
            val.delegator_shares,
        )?)?;
        Ok(paid.min(val.tokens))
    }

    /// The shares `amount` tokens of a delegation are worth (the SDK's `ValidateUnbondAmount`):
    /// refused when more than the delegation holds; a rounding above it takes all of it.
    pub(crate) fn unbond_shares(
        &self,
        storage: &dyn Storage,
        delegator: &Addr,
        validator: &str,
        amount: Uint128,
    ) -> StdResult<Decimal256> {
        let val = Self::load_validator(storage, validator)?;
        let delegation = self.load_delegation(storage, delegator, validator)?;
        let delegated = balance_of_shares(delegation.shares, val.tokens, val.delegator_shares)?;
        let too_much = || ModuleError::NotEnoughDelegation {
            delegated,
            requested: amount,
        };
        let shares =
            shares_from_tokens(amount, val.tokens, val.delegator_shares)?.ok_or_else(too_much)?;
        if shares > delegation.shares {
            return Err(too_much().into());
        }
        Ok(shares)
    }

    /// The shares `amount` tokens buy on `val`, or `InvalidExchangeRate` when its shares are
    /// worth nothing.
    fn issue_shares(val: &ValidatorInfo, amount: Uint128) -> StdResult<Decimal256> {
        shares_from_tokens(amount, val.tokens, val.delegator_shares)?.ok_or_else(|| {
            ModuleError::InvalidExchangeRate {
                validator: val.name.clone(),
            }
            .into()
        })
    }

    /// Adds `amount` tokens to a delegation at the validator's exchange rate; returns the shares
    /// issued.
    fn add_delegation(
        storage: &mut dyn Storage,
        now: Timestamp,
        delegator: &Addr,
        validator: &str,
        amount: Uint128,
    ) -> StdResult<Decimal256> {
        let config = Self::load_config(storage)?;
        let mut val = Self::load_validator(storage, validator)?;
        let issued = Self::issue_shares(&val, amount)?;
        let mut delegation = DELEGATIONS
            .may_load(storage, (delegator, validator))?
            .unwrap_or_default();
        settle(&mut delegation, &val, now, config.apr);
        delegation.shares += issued;
        val.tokens += amount;
        val.delegator_shares += issued;
        VALIDATORS.save(storage, validator, &val)?;
        rebase(&mut delegation, &val)?;
        Self::save_delegation(storage, delegator, validator, &delegation)?;
        Ok(issued)
    }

    /// Refuses a new unbonding entry when the pair has [`MAX_ENTRIES`] already (an undelegation
    /// that merges into an entry of this block is still counted, as on the SDK).
    fn check_unbonding_entries(
        storage: &dyn Storage,
        delegator: &Addr,
        validator: &str,
    ) -> StdResult<()> {
        let count = UNBONDING_INDEX
            .prefix((validator, delegator))
            .keys(storage, None, None, Order::Ascending)
            .count();
        if count >= MAX_ENTRIES {
            return Err(ModuleError::MaxEntries {
                kind: "unbonding".to_string(),
                delegator: delegator.to_string(),
                validator: validator.to_string(),
                max: MAX_ENTRIES,
            }
            .into());
        }
        Ok(())
    }

    /// Queues `amount` for `delegator`, merged into its entry with the same creation height and
    /// completion time if there is one (the SDK merges those).
    fn add_unbonding_entry(
        storage: &mut dyn Storage,
        delegator: &Addr,
        validator: &str,
        height: u64,
        completion_time: Timestamp,
        amount: Uint128,
    ) -> StdResult<()> {
        let existing: Vec<(u64, u64)> = UNBONDING_INDEX
            .prefix((validator, delegator))
            .range(storage, None, None, Order::Ascending)
            .map(|item| item.map(|(id, nanos)| (nanos, id)))
            .collect::<StdResult<_>>()?;
        for key in existing {
            let mut entry = UNBONDING.load(storage, key)?;
            if entry.creation_height == height && entry.completion_time == completion_time {
                entry.amount += amount;
                entry.initial_balance += amount;
                return UNBONDING.save(storage, key, &entry);
            }
        }
        let id = Self::next_entry_id(storage)?;
        let entry = UnbondingEntry {
            id,
            delegator: delegator.clone(),
            validator: validator.to_string(),
            initial_balance: amount,
            amount,
            creation_height: height,
            completion_time,
        };
        UNBONDING.save(storage, (completion_time.nanos(), id), &entry)?;
        UNBONDING_INDEX.save(
            storage,
            (validator, delegator, id),
            &completion_time.nanos(),
        )
    }

    /// Deletes an unbonding entry and its index.
    pub(crate) fn remove_unbonding_entry(
        storage: &mut dyn Storage,
        key: (u64, u64),
        entry: &UnbondingEntry,
    ) {
        UNBONDING.remove(storage, key);
        UNBONDING_INDEX.remove(storage, (&entry.validator, &entry.delegator, entry.id));
    }

    fn next_entry_id(storage: &mut dyn Storage) -> StdResult<u64> {
        let id = NEXT_UNBONDING_ID.may_load(storage)?.unwrap_or_default();
        NEXT_UNBONDING_ID.save(storage, &(id + 1))?;
        Ok(id)
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

    /// A delegation holding shares, or `NoDelegation`.
    fn load_delegation(
        &self,
        storage: &dyn Storage,
        delegator: &Addr,
        validator: &str,
    ) -> StdResult<DelegationInfo> {
        DELEGATIONS
            .may_load(storage, (delegator, validator))?
            .filter(|d| !d.shares.is_zero())
            .ok_or_else(|| {
                ModuleError::NoDelegation {
                    delegator: delegator.to_string(),
                    validator: validator.to_string(),
                }
                .into()
            })
    }

    /// Saves a delegation, or deletes it (and its index entry) once it holds no share and no
    /// pending reward.
    pub(crate) fn save_delegation(
        storage: &mut dyn Storage,
        delegator: &Addr,
        validator: &str,
        delegation: &DelegationInfo,
    ) -> StdResult<()> {
        if delegation.shares.is_zero() && delegation.reward_units.is_zero() {
            DELEGATIONS.remove(storage, (delegator, validator));
            VALIDATOR_DELEGATORS.remove(storage, (validator, delegator));
            Ok(())
        } else {
            DELEGATIONS.save(storage, (delegator, validator), delegation)?;
            VALIDATOR_DELEGATORS.save(storage, (validator, delegator), &())
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn send_from_module<R: CosmosRouter + ?Sized>(
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

    /// The refusal of `action` on `val` because of where it stands.
    pub(crate) fn refused(val: &ValidatorInfo, action: &str) -> cosmwasm_std::StdError {
        ModuleError::InvalidStatus {
            validator: val.name.clone(),
            status: val.describe(),
            action: action.to_string(),
        }
        .into()
    }

    /// Brings the validator's earning seconds up to `now` (before its status changes).
    pub(crate) fn bring_rewards_up_to(val: &mut ValidatorInfo, now: Timestamp) {
        val.reward_seconds = val.reward_seconds_at(now);
        val.last_reward_update = now;
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
