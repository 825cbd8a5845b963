//! Read helpers for the chain (through `App::read_module`) and the other modules.

use cosmwasm_std::{Addr, Decimal256, Order, StdResult, Storage, Timestamp, Uint128, Uint512};

use super::rewards::{settle, units_to_tokens};
use super::shares::{balance_of_shares, tokens_from_shares};
use super::state::{
    StakingConfig, UnbondingEntry, ValidatorInfo, CONFIG, DELEGATIONS, REDELEGATIONS, UNBONDING,
    UNBONDING_INDEX, VALIDATORS, VALIDATOR_DELEGATORS,
};
use super::MeshStaking;

impl MeshStaking {
    /// The genesis configuration (`NotConfigured` before `setup`).
    pub fn config(&self, storage: &dyn Storage) -> StdResult<StakingConfig> {
        Self::load_config(storage)
    }

    /// Whether `setup` was called.
    pub fn is_configured(&self, storage: &dyn Storage) -> bool {
        CONFIG.exists(storage)
    }

    /// One validator, if it exists (any status).
    pub fn validator(&self, storage: &dyn Storage, name: &str) -> StdResult<Option<ValidatorInfo>> {
        VALIDATORS.may_load(storage, name)
    }

    /// Every validator (any status), sorted by name.
    pub fn validators(&self, storage: &dyn Storage) -> StdResult<Vec<ValidatorInfo>> {
        VALIDATORS
            .range(storage, None, None, Order::Ascending)
            .map(|item| item.map(|(_, info)| info))
            .collect()
    }

    /// A validator's bonded tokens (`ValidatorNotFound` if unknown).
    pub fn validator_tokens(&self, storage: &dyn Storage, name: &str) -> StdResult<Uint128> {
        Ok(Self::load_validator(storage, name)?.tokens)
    }

    /// The balance of `delegator`'s delegation to `validator`: its shares' worth in tokens,
    /// truncated (0 if none).
    pub fn delegation(
        &self,
        storage: &dyn Storage,
        delegator: &Addr,
        validator: &str,
    ) -> StdResult<Uint128> {
        let Some(d) = DELEGATIONS.may_load(storage, (delegator, validator))? else {
            return Ok(Uint128::zero());
        };
        let val = Self::load_validator(storage, validator)?;
        balance_of_shares(d.shares, val.tokens, val.delegator_shares)
    }

    /// The shares of `delegator`'s delegation to `validator` (0 if none).
    pub fn delegation_shares(
        &self,
        storage: &dyn Storage,
        delegator: &Addr,
        validator: &str,
    ) -> StdResult<Decimal256> {
        Ok(DELEGATIONS
            .may_load(storage, (delegator, validator))?
            .map(|d| d.shares)
            .unwrap_or_default())
    }

    /// What all of `delegator`'s delegations are worth, exactly (their shares' worth before the
    /// truncation to whole tokens that balances and undelegations apply).
    pub fn delegated_worth(
        &self,
        storage: &dyn Storage,
        delegator: &Addr,
    ) -> StdResult<Decimal256> {
        let mut worth = Decimal256::zero();
        for validator in self.delegator_validators(storage, delegator)? {
            let shares = self.delegation_shares(storage, delegator, &validator)?;
            let val = Self::load_validator(storage, &validator)?;
            worth += tokens_from_shares(shares, val.tokens, val.delegator_shares)?;
        }
        Ok(worth)
    }

    /// Delegations of `delegator` with a non-zero balance as (validator, balance), sorted by
    /// validator.
    pub fn delegations_of(
        &self,
        storage: &dyn Storage,
        delegator: &Addr,
    ) -> StdResult<Vec<(String, Uint128)>> {
        let validators = self.delegator_validators(storage, delegator)?;
        let mut out = vec![];
        for validator in validators {
            let amount = self.delegation(storage, delegator, &validator)?;
            if !amount.is_zero() {
                out.push((validator, amount));
            }
        }
        Ok(out)
    }

    /// Delegations to `validator` with a non-zero balance as (delegator, balance), sorted by
    /// delegator.
    pub fn delegators_of(
        &self,
        storage: &dyn Storage,
        validator: &str,
    ) -> StdResult<Vec<(Addr, Uint128)>> {
        let delegators = VALIDATOR_DELEGATORS
            .prefix(validator)
            .keys(storage, None, None, Order::Ascending)
            .collect::<StdResult<Vec<Addr>>>()?;
        let mut out = vec![];
        for delegator in delegators {
            let amount = self.delegation(storage, &delegator, validator)?;
            if !amount.is_zero() {
                out.push((delegator, amount));
            }
        }
        Ok(out)
    }

    /// Tokens of `delegator` still waiting in the unbonding queue (through the queue's index by
    /// validator and delegator: the cost is the delegator's entries, not the queue's).
    pub fn unbonding_total(&self, storage: &dyn Storage, delegator: &Addr) -> StdResult<Uint128> {
        let mut total = Uint128::zero();
        for validator in VALIDATORS.keys(storage, None, None, Order::Ascending) {
            let validator = validator?;
            for entry in self.unbonding_entries_of(storage, delegator, &validator)? {
                total += entry.amount;
            }
        }
        Ok(total)
    }

    /// The unbonding queue in payout order.
    pub fn unbonding_entries(&self, storage: &dyn Storage) -> StdResult<Vec<UnbondingEntry>> {
        UNBONDING
            .range(storage, None, None, Order::Ascending)
            .map(|item| item.map(|(_, entry)| entry))
            .collect()
    }

    /// `delegator`'s unbonding entries from `validator`, oldest first.
    pub fn unbonding_entries_of(
        &self,
        storage: &dyn Storage,
        delegator: &Addr,
        validator: &str,
    ) -> StdResult<Vec<UnbondingEntry>> {
        UNBONDING_INDEX
            .prefix((validator, delegator))
            .range(storage, None, None, Order::Ascending)
            .map(|item| item.and_then(|(id, nanos)| UNBONDING.load(storage, (nanos, id))))
            .collect()
    }

    /// True when `delegator` has a redelegation into `validator` that has not completed (the
    /// SDK's `can_redelegate` is then 0).
    pub fn has_receiving_redelegation(
        &self,
        storage: &dyn Storage,
        delegator: &Addr,
        validator: &str,
    ) -> StdResult<bool> {
        for item in REDELEGATIONS.range(storage, None, None, Order::Ascending) {
            let (_, e) = item?;
            if e.delegator == *delegator && e.dst == validator {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// When the next unbonding matures (the chain schedules a block then), if any is pending.
    pub fn next_unbonding_completion(&self, storage: &dyn Storage) -> StdResult<Option<Timestamp>> {
        Ok(UNBONDING
            .range(storage, None, None, Order::Ascending)
            .next()
            .transpose()?
            .map(|(_, entry)| entry.completion_time))
    }

    /// Whole tokens of reward `delegator` could withdraw from `validator` at `now`.
    pub fn pending_rewards(
        &self,
        storage: &dyn Storage,
        now: Timestamp,
        delegator: &Addr,
        validator: &str,
    ) -> StdResult<Uint128> {
        let Some(mut delegation) = DELEGATIONS.may_load(storage, (delegator, validator))? else {
            return Ok(Uint128::zero());
        };
        let config = Self::load_config(storage)?;
        let val = Self::load_validator(storage, validator)?;
        settle(&mut delegation, &val, now, config.apr);
        units_to_tokens(delegation.reward_units)
    }

    /// The prefix of every key of the unbonding queue in the App's storage: a write under it
    /// may change [`next_unbonding_completion`](Self::next_unbonding_completion).
    pub fn unbonding_queue_prefix() -> Vec<u8> {
        cosmwasm_std::storage_keys::to_length_prefixed(UNBONDING.namespace_bytes())
    }

    /// If `key` (a key of the App's storage) holds a validator's record, its name.
    pub fn validator_of_key(key: &[u8]) -> Option<String> {
        let prefix = VALIDATORS.key("");
        let name = key.strip_prefix(&*prefix)?;
        String::from_utf8(name.to_vec()).ok()
    }

    /// Whether a validator's exchange rate (tokens per share) fell between two of its stored
    /// records (`None`: no record): only then is any delegation to it worth less than before.
    /// A delegation never lowers it (its rounding favours the validator); slashes do, and so can
    /// the rounding of an undelegation, by a hair. Unreadable records count as a fall.
    pub fn exchange_rate_fell(old: Option<&[u8]>, new: Option<&[u8]>) -> bool {
        let read = |r: Option<&[u8]>| r.map(cosmwasm_std::from_json::<ValidatorInfo>);
        match (read(old), read(new)) {
            (None, _) => false,
            (Some(Ok(old)), Some(Ok(new))) => {
                if old.delegator_shares.is_zero() {
                    return false;
                }
                if new.delegator_shares.is_zero() {
                    return true;
                }
                // new.tokens / new.shares < old.tokens / old.shares, cross-multiplied.
                let side =
                    |t: Uint128, s: Decimal256| Uint512::from(t) * Uint512::from(s.atomics());
                side(new.tokens, old.delegator_shares) < side(old.tokens, new.delegator_shares)
            }
            _ => true,
        }
    }

    /// Validators `delegator` has a delegation entry with (including ones holding only
    /// unwithdrawn rewards or dust shares), sorted.
    pub fn delegator_validators(
        &self,
        storage: &dyn Storage,
        delegator: &Addr,
    ) -> StdResult<Vec<String>> {
        DELEGATIONS
            .prefix(delegator)
            .keys(storage, None, None, Order::Ascending)
            .collect()
    }
}
