//! `ValueRange`: an amount with cross-chain operations in flight (docs/system.md ("Value ranges")).
//!
//! `low` is the value if every in-flight operation fails, `high` the value if every one
//! succeeds. Checks happen when an operation is *prepared*; committing or rolling back only
//! moves one end of the range, so processing an ack or a timeout never has to fail.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::Uint128;
use thiserror::Error;

/// An amount whose true value lies in `[low, high]` while operations are in flight.
///
/// JSON form: `{"l": "<low>", "h": "<high>"}`.
#[cw_serde]
#[derive(Copy, Default, Eq)]
pub struct ValueRange {
    /// Value if every in-flight operation fails.
    #[serde(rename = "l")]
    pub low: Uint128,
    /// Value if every in-flight operation succeeds.
    #[serde(rename = "h")]
    pub high: Uint128,
}

/// Why a range operation was refused.
#[derive(Error, Debug, PartialEq, Eq)]
pub enum RangeError {
    /// `prepare_add` would push `high` above the allowed maximum.
    #[error("range overflow: {high} + {value} exceeds the maximum {max}")]
    Overflow {
        /// The current upper end.
        high: Uint128,
        /// The amount to add.
        value: Uint128,
        /// The allowed maximum.
        max: Uint128,
    },
    /// `prepare_sub` would take `low` below the allowed minimum.
    #[error("range underflow: {low} - {value} is below the minimum {min}")]
    Underflow {
        /// The current lower end.
        low: Uint128,
        /// The amount to subtract.
        value: Uint128,
        /// The allowed minimum.
        min: Uint128,
    },
    /// A strict commit or rollback found the range inconsistent with the operation.
    #[error("range {low}..{high} cannot {op} {value}")]
    Inconsistent {
        /// Lower end.
        low: Uint128,
        /// Upper end.
        high: Uint128,
        /// The operation attempted.
        op: &'static str,
        /// The amount.
        value: Uint128,
    },
}

impl ValueRange {
    /// A settled range holding exactly `value`.
    pub const fn new_val(value: Uint128) -> Self {
        ValueRange {
            low: value,
            high: value,
        }
    }

    /// A range from explicit ends (callers keep `low <= high`).
    pub const fn new(low: Uint128, high: Uint128) -> Self {
        ValueRange { low, high }
    }

    /// The zero range.
    pub const fn zero() -> Self {
        Self::new_val(Uint128::zero())
    }

    /// True when nothing is in flight (`low == high`).
    pub fn is_settled(&self) -> bool {
        self.low == self.high
    }

    /// True when both ends are zero.
    pub fn is_zero(&self) -> bool {
        self.low.is_zero() && self.high.is_zero()
    }

    /// The value if nothing is in flight, else `None`.
    pub fn settled(&self) -> Option<Uint128> {
        self.is_settled().then_some(self.low)
    }

    /// True when `value` lies within `[low, high]`.
    pub fn contains(&self, value: Uint128) -> bool {
        self.low <= value && value <= self.high
    }

    /// Prepare adding `value`: fails if `high + value > max`, else raises `high`.
    pub fn prepare_add(&mut self, value: Uint128, max: Uint128) -> Result<(), RangeError> {
        let new_high = self.high.checked_add(value).ok().filter(|h| *h <= max);
        match new_high {
            Some(h) => {
                self.high = h;
                Ok(())
            }
            None => Err(RangeError::Overflow {
                high: self.high,
                value,
                max,
            }),
        }
    }

    /// Commit a prepared add: raises `low` by `value`.
    pub fn commit_add(&mut self, value: Uint128) -> Result<(), RangeError> {
        let low = self.low.checked_add(value).ok().filter(|l| *l <= self.high);
        self.low = low.ok_or(self.inconsistent("commit_add", value))?;
        Ok(())
    }

    /// Roll back a prepared add: lowers `high` by `value`.
    pub fn rollback_add(&mut self, value: Uint128) -> Result<(), RangeError> {
        let high = self.high.checked_sub(value).ok().filter(|h| *h >= self.low);
        self.high = high.ok_or(self.inconsistent("rollback_add", value))?;
        Ok(())
    }

    /// Prepare subtracting `value`: fails if `low < min + value`, else lowers `low`.
    pub fn prepare_sub(&mut self, value: Uint128, min: Uint128) -> Result<(), RangeError> {
        let new_low = self.low.checked_sub(value).ok().filter(|l| *l >= min);
        match new_low {
            Some(l) => {
                self.low = l;
                Ok(())
            }
            None => Err(RangeError::Underflow {
                low: self.low,
                value,
                min,
            }),
        }
    }

    /// Commit a prepared subtraction: lowers `high` by `value`.
    pub fn commit_sub(&mut self, value: Uint128) -> Result<(), RangeError> {
        let high = self.high.checked_sub(value).ok().filter(|h| *h >= self.low);
        self.high = high.ok_or(self.inconsistent("commit_sub", value))?;
        Ok(())
    }

    /// Roll back a prepared subtraction: raises `low` by `value`.
    pub fn rollback_sub(&mut self, value: Uint128) -> Result<(), RangeError> {
        let low = self.low.checked_add(value).ok().filter(|l| *l <= self.high);
        self.low = low.ok_or(self.inconsistent("rollback_sub", value))?;
        Ok(())
    }

    /// Like [`commit_add`](Self::commit_add), but clamps `low` to `high` instead of failing.
    pub fn saturating_commit_add(&mut self, value: Uint128) {
        self.low = self.low.saturating_add(value).min(self.high);
    }

    /// Like [`rollback_add`](Self::rollback_add), but clamps `high` to `low` instead of failing.
    pub fn saturating_rollback_add(&mut self, value: Uint128) {
        self.high = self.high.saturating_sub(value).max(self.low);
    }

    /// Like [`commit_sub`](Self::commit_sub), but clamps `high` to `low` instead of failing.
    pub fn saturating_commit_sub(&mut self, value: Uint128) {
        self.high = self.high.saturating_sub(value).max(self.low);
    }

    /// Like [`rollback_sub`](Self::rollback_sub), but clamps `low` to `high` instead of failing.
    pub fn saturating_rollback_sub(&mut self, value: Uint128) {
        self.low = self.low.saturating_add(value).min(self.high);
    }

    /// Add `value` to both ends at once (a change that is not in flight).
    pub fn add_settled(&mut self, value: Uint128) {
        self.low = self.low.saturating_add(value);
        self.high = self.high.saturating_add(value);
    }

    /// Subtract `value` from both ends at once, saturating at zero (for example a slash).
    pub fn sub_settled(&mut self, value: Uint128) {
        self.low = self.low.saturating_sub(value);
        self.high = self.high.saturating_sub(value);
    }

    /// Componentwise maximum of two ranges.
    pub fn max(self, other: ValueRange) -> ValueRange {
        ValueRange {
            low: self.low.max(other.low),
            high: self.high.max(other.high),
        }
    }

    /// Componentwise sum of two ranges (saturating).
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, other: ValueRange) -> ValueRange {
        ValueRange {
            low: self.low.saturating_add(other.low),
            high: self.high.saturating_add(other.high),
        }
    }

    fn inconsistent(&self, op: &'static str, value: Uint128) -> RangeError {
        RangeError::Inconsistent {
            low: self.low,
            high: self.high,
            op,
            value,
        }
    }
}

impl std::fmt::Display for ValueRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_settled() {
            write!(f, "{}", self.low)
        } else {
            write!(f, "{}..{}", self.low, self.high)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn u(v: u128) -> Uint128 {
        Uint128::new(v)
    }

    #[test]
    fn add_prepare_commit_rollback() {
        let mut r = ValueRange::new_val(u(100));
        r.prepare_add(u(50), u(200)).unwrap();
        assert_eq!(r, ValueRange::new(u(100), u(150)));
        r.prepare_add(u(30), u(200)).unwrap();
        assert_eq!(r, ValueRange::new(u(100), u(180)));
        assert_eq!(
            r.prepare_add(u(21), u(200)),
            Err(RangeError::Overflow {
                high: u(180),
                value: u(21),
                max: u(200)
            })
        );
        r.commit_add(u(50)).unwrap();
        assert_eq!(r, ValueRange::new(u(150), u(180)));
        r.rollback_add(u(30)).unwrap();
        assert_eq!(r, ValueRange::new_val(u(150)));
        assert!(r.is_settled());
    }

    #[test]
    fn sub_prepare_commit_rollback() {
        let mut r = ValueRange::new_val(u(100));
        r.prepare_sub(u(40), u(10)).unwrap();
        assert_eq!(r, ValueRange::new(u(60), u(100)));
        assert_eq!(
            r.prepare_sub(u(51), u(10)),
            Err(RangeError::Underflow {
                low: u(60),
                value: u(51),
                min: u(10)
            })
        );
        r.prepare_sub(u(50), u(10)).unwrap();
        assert_eq!(r, ValueRange::new(u(10), u(100)));
        r.commit_sub(u(40)).unwrap();
        assert_eq!(r, ValueRange::new(u(10), u(60)));
        r.rollback_sub(u(50)).unwrap();
        assert_eq!(r, ValueRange::new_val(u(60)));
    }

    #[test]
    fn strict_commit_rejects_inconsistent_values() {
        let mut r = ValueRange::new_val(u(10));
        assert!(r.commit_add(u(1)).is_err());
        assert!(r.rollback_add(u(1)).is_err());
        assert!(r.commit_sub(u(1)).is_err());
        assert!(r.rollback_sub(u(1)).is_err());
        assert_eq!(r, ValueRange::new_val(u(10)));
    }

    #[test]
    fn saturating_variants_clamp() {
        // A slash shrank the range while an add of 50 was in flight.
        let mut r = ValueRange::new(u(100), u(150));
        r.sub_settled(u(120));
        assert_eq!(r, ValueRange::new(u(0), u(30)));
        r.saturating_commit_add(u(50));
        assert_eq!(r, ValueRange::new_val(u(30)));

        let mut r = ValueRange::new(u(100), u(150));
        r.saturating_rollback_add(u(80));
        assert_eq!(r, ValueRange::new_val(u(100)));

        let mut r = ValueRange::new(u(20), u(50));
        r.saturating_commit_sub(u(40));
        assert_eq!(r, ValueRange::new_val(u(20)));

        let mut r = ValueRange::new(u(20), u(50));
        r.saturating_rollback_sub(u(40));
        assert_eq!(r, ValueRange::new_val(u(50)));
    }

    #[test]
    fn json_form() {
        let r = ValueRange::new(u(1), u(2));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"l":"1","h":"2"}"#);
        let back: ValueRange = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        assert_eq!(r.to_string(), "1..2");
        assert_eq!(ValueRange::new_val(u(7)).to_string(), "7");
    }

    #[test]
    fn max_and_add_are_componentwise() {
        let a = ValueRange::new(u(1), u(10));
        let b = ValueRange::new(u(5), u(6));
        assert_eq!(a.max(b), ValueRange::new(u(5), u(10)));
        assert_eq!(a.add(b), ValueRange::new(u(6), u(16)));
    }

    proptest! {
        /// Any sequence of prepares followed by commits or rollbacks of those same amounts keeps
        /// `low <= high` and ends settled at the sum of the committed operations.
        #[test]
        fn prepared_operations_always_settle(
            start in 0u128..1_000,
            ops in proptest::collection::vec((any::<bool>(), 1u128..100, any::<bool>()), 0..20),
        ) {
            let mut r = ValueRange::new_val(u(start));
            let max = u(10_000);
            let mut prepared = vec![];
            for (is_add, v, _) in &ops {
                let ok = if *is_add { r.prepare_add(u(*v), max).is_ok() } else { r.prepare_sub(u(*v), Uint128::zero()).is_ok() };
                if ok { prepared.push((*is_add, *v)); }
                prop_assert!(r.low <= r.high);
            }
            let mut expected = start as i128;
            for ((is_add, v), (_, _, commit)) in prepared.iter().zip(ops.iter()) {
                match (is_add, commit) {
                    (true, true) => { r.commit_add(u(*v)).unwrap(); expected += *v as i128; }
                    (true, false) => r.rollback_add(u(*v)).unwrap(),
                    (false, true) => { r.commit_sub(u(*v)).unwrap(); expected -= *v as i128; }
                    (false, false) => r.rollback_sub(u(*v)).unwrap(),
                }
                prop_assert!(r.low <= r.high);
            }
            prop_assert_eq!(r, ValueRange::new_val(u(expected as u128)));
        }
    }
}
