//! Reward distribution (docs/system.md, "Rewards"): points per stake per validator, scale 1e9.
//!
//! Every distribution adds `reward × 1e9 / total_stake` points per staked token to the
//! validator (the division's rest is kept as leftover for the next batch). A stake's earned
//! rewards are `(points_per_stake × weight + credit − debt) / 1e9`: whenever its weight changes,
//! the points the change would retroactively add (or remove) are charged as debt (or credited),
//! so a later staker does not earn earlier rewards and an unstaker keeps what it earned.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Uint128, Uint256};

use crate::state::Stake;

/// Points are counted with this many units per reward unit.
pub const DISTRIBUTION_POINTS_SCALE: Uint256 = Uint256::new(1_000_000_000);

/// Reward distribution of one validator.
#[cw_serde]
#[derive(Default)]
pub struct Distribution {
    /// Sum of the weights of all stakes on the validator.
    pub total_stake: Uint128,
    /// Points earned so far by one staked token.
    pub points_per_stake: Uint256,
    /// Points not yet distributed (the rest of the last division).
    pub points_leftover: Uint256,
}

impl Distribution {
    /// Credit `amount` rewards to the validator's stakers. Returns false (and changes nothing)
    /// when nobody stakes on it: such rewards cannot be attributed and are not paid.
    pub fn distribute(&mut self, amount: Uint128) -> bool {
        if self.total_stake.is_zero() {
            return false;
        }
        let total = Uint256::from(self.total_stake);
        let points = Uint256::from(amount)
            .saturating_mul(DISTRIBUTION_POINTS_SCALE)
            .saturating_add(self.points_leftover);
        let per_stake = points / total;
        self.points_leftover = points - per_stake * total;
        self.points_per_stake = self.points_per_stake.saturating_add(per_stake);
        true
    }

    /// Rewards `stake` earned in total (withdrawn or not).
    pub fn earned(&self, stake: &Stake) -> Uint128 {
        let points = self
            .points_per_stake
            .saturating_mul(Uint256::from(stake.weight))
            .saturating_add(stake.points_credit)
            .saturating_sub(stake.points_debt);
        Uint128::try_from(points / DISTRIBUTION_POINTS_SCALE).unwrap_or(Uint128::MAX)
    }

    /// Rewards `stake` can withdraw now: earned minus withdrawn minus reserved.
    pub fn available_rewards(&self, stake: &Stake) -> Uint128 {
        self.earned(stake)
            .saturating_sub(stake.withdrawn)
            .saturating_sub(stake.reserved)
    }

    /// Change a stake's weight, keeping its earned rewards and the validator's total.
    pub fn set_weight(&mut self, stake: &mut Stake, weight: Uint128) {
        let old = stake.weight;
        if weight > old {
            let delta = weight - old;
            let points = Uint256::from(delta).saturating_mul(self.points_per_stake);
            stake.points_debt = stake.points_debt.saturating_add(points);
            self.total_stake = self.total_stake.saturating_add(delta);
        } else if weight < old {
            let delta = old - weight;
            let points = Uint256::from(delta).saturating_mul(self.points_per_stake);
            stake.points_credit = stake.points_credit.saturating_add(points);
            self.total_stake = self.total_stake.saturating_sub(delta);
        }
        stake.weight = weight;
    }

    /// Keep a stake's weight at most `stake.high` (after the range shrank).
    pub fn clamp_weight(&mut self, stake: &mut Stake) {
        self.sub_weight(stake, Uint128::zero());
    }

    /// Add to a stake's weight (never above `stake.high`).
    pub fn add_weight(&mut self, stake: &mut Stake, amount: Uint128) {
        let weight = stake.weight.saturating_add(amount).min(stake.stake.high);
        self.set_weight(stake, weight);
    }

    /// Subtract from a stake's weight (saturating, and never above `stake.high`).
    pub fn sub_weight(&mut self, stake: &mut Stake, amount: Uint128) {
        let weight = stake.weight.saturating_sub(amount).min(stake.stake.high);
        self.set_weight(stake, weight);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mesh_apis::ValueRange;

    fn staked(dist: &mut Distribution, amount: u128) -> Stake {
        let mut s = Stake {
            stake: ValueRange::new_val(Uint128::new(amount)),
            ..Default::default()
        };
        dist.add_weight(&mut s, Uint128::new(amount));
        s
    }

    /// Rewards split by weight; a later staker earns nothing of earlier rewards.
    #[test]
    fn later_stakers_do_not_earn_earlier_rewards() {
        let mut d = Distribution::default();
        let a = staked(&mut d, 100);
        assert!(d.distribute(Uint128::new(50)));
        let b = staked(&mut d, 300);
        assert_eq!(d.earned(&a), Uint128::new(50));
        assert_eq!(d.earned(&b), Uint128::zero());
        assert!(d.distribute(Uint128::new(40)));
        assert_eq!(d.earned(&a), Uint128::new(60));
        assert_eq!(d.earned(&b), Uint128::new(30));
        assert_eq!(d.total_stake, Uint128::new(400));
    }

    /// Reducing a weight keeps what was earned; the leftover carries the division's rest.
    #[test]
    fn unstaking_keeps_earned_rewards_and_leftover_carries() {
        let mut d = Distribution::default();
        let mut a = staked(&mut d, 3);
        assert!(d.distribute(Uint128::new(10)));
        // 10e9 / 3 = 3_333_333_333 per stake, leftover 1.
        assert_eq!(d.points_per_stake, Uint256::from(3_333_333_333u128));
        assert_eq!(d.points_leftover, Uint256::from(1u128));
        assert_eq!(d.earned(&a), Uint128::new(9));
        d.sub_weight(&mut a, Uint128::new(3));
        assert_eq!(d.earned(&a), Uint128::new(9));
        assert_eq!(d.total_stake, Uint128::zero());
        // Nobody staked: nothing distributed.
        assert!(!d.distribute(Uint128::new(10)));
        assert_eq!(d.earned(&a), Uint128::new(9));
    }
}
