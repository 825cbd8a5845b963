//! Delegator shares: the Cosmos SDK's exchange between a validator's tokens and the shares its
//! delegators hold, with the SDK's 18-decimal arithmetic and its rounding, so that every amount
//! comes out to the unit as on a real chain.
//!
//! Shares are `Decimal256` (18 decimals, like the SDK's `LegacyDec`). The SDK's operations used
//! here, on atomics `a`, `b` (value × 10^18) and integers `i`:
//! - `MulInt(a, i) = a × i` (exact);
//! - `QuoInt(a, i) = a / i` (truncated);
//! - `Quo(a, b) = round_half_even((a × 10^36 / b) / 10^18)` (the inner division truncates);
//! - `QuoTruncate(a, b) = a × 10^18 / b` (truncated);
//! - `TruncateInt(a) = a / 10^18`.
//!
//! On a validator with tokens `T` and shares `S`:
//! - tokens of `s` shares: `Quo(MulInt(s, T), S)`; a delegation's balance is its `TruncateInt`;
//! - shares for `n` tokens: `QuoInt(MulInt(S, n), T)` (a first delegation, `S = 0`, issues `n`
//!   shares: exchange rate one);
//! - removing `s` shares pays `TruncateInt(tokens of s)` (the last shares take every token left).
//!
//! Intermediate products run in `Uint512`, so no realistic amount overflows; results that do not
//! fit return an error instead of panicking.

use cosmwasm_std::{Decimal256, StdError, StdResult, Uint128, Uint256, Uint512};

use crate::modules::error::ModuleError;

/// 10^18: atomics per whole unit.
const ONE: u128 = 1_000_000_000_000_000_000;

fn one() -> Uint512 {
    Uint512::from(ONE)
}

fn wide(d: Decimal256) -> Uint512 {
    Uint512::from(d.atomics())
}

fn narrow(x: Uint512) -> StdResult<Decimal256> {
    let atomics = Uint256::try_from(x).map_err(|_| overflow())?;
    Ok(Decimal256::new(atomics))
}

fn overflow() -> StdError {
    ModuleError::AmountTooLarge {
        amount: "a share computation".to_string(),
    }
    .into()
}

/// `x / 10^18`, rounded half to even (the SDK's `chopPrecisionAndRound`).
fn chop_round(x: Uint512) -> Uint512 {
    let quo = x / one();
    let rem = x % one();
    let half = one() / Uint512::from(2u8);
    if rem < half || (rem == half && quo % Uint512::from(2u8) == Uint512::zero()) {
        quo
    } else {
        quo + Uint512::one()
    }
}

/// Whole shares of `n` tokens as a decimal (`NewDecFromInt`).
pub fn from_int(n: Uint128) -> Decimal256 {
    Decimal256::new(Uint256::from(n) * Uint256::from(ONE))
}

/// The integer part of `d` (`TruncateInt`).
pub fn truncate_int(d: Decimal256) -> StdResult<Uint128> {
    Uint128::try_from(d.atomics() / Uint256::from(ONE)).map_err(|_| overflow())
}

/// `Quo(MulInt(shares, tokens), total_shares)`: the tokens worth `shares` on a validator with
/// `tokens` and `total_shares` (a decimal; 0 when the validator has no shares).
pub fn tokens_from_shares(
    shares: Decimal256,
    tokens: Uint128,
    total_shares: Decimal256,
) -> StdResult<Decimal256> {
    if total_shares.is_zero() {
        return Ok(Decimal256::zero());
    }
    let product = wide(shares) * Uint512::from(tokens);
    let quo = product * one() * one() / wide(total_shares);
    narrow(chop_round(quo))
}

/// `TruncateInt(tokens_from_shares(..))`: what a delegation of `shares` is worth in whole tokens.
pub fn balance_of_shares(
    shares: Decimal256,
    tokens: Uint128,
    total_shares: Decimal256,
) -> StdResult<Uint128> {
    truncate_int(tokens_from_shares(shares, tokens, total_shares)?)
}

/// `QuoInt(MulInt(total_shares, amount), tokens)`: the shares `amount` tokens are worth, or
/// `None` when the validator has shares but no tokens (its exchange rate is invalid).
/// With no shares yet, `amount` tokens are `amount` shares.
pub fn shares_from_tokens(
    amount: Uint128,
    tokens: Uint128,
    total_shares: Decimal256,
) -> StdResult<Option<Decimal256>> {
    if total_shares.is_zero() {
        return Ok(Some(from_int(amount)));
    }
    if tokens.is_zero() {
        return Ok(None);
    }
    let product = wide(total_shares) * Uint512::from(amount);
    narrow(product / Uint512::from(tokens)).map(Some)
}

/// `Mul(a, b)`: the product rounded half to even at 18 decimals.
pub fn mul_round(a: Decimal256, b: Decimal256) -> StdResult<Decimal256> {
    narrow(chop_round(wide(a) * wide(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal256 {
        Decimal256::from_str(s).unwrap()
    }

    #[test]
    fn rounding_is_half_to_even() {
        assert_eq!(chop_round(Uint512::from(ONE / 2)), Uint512::zero());
        assert_eq!(chop_round(Uint512::from(ONE + ONE / 2)), Uint512::from(2u8));
        assert_eq!(chop_round(Uint512::from(ONE / 2 + 1)), Uint512::one());
        assert_eq!(chop_round(Uint512::from(ONE / 2 - 1)), Uint512::zero());
    }

    /// TestSlasingImmediateUnbond: 100,000,000 delegated (100 shares) to a validator of
    /// 101,000,000 tokens and 101 shares, slashed to 90,900,000; undelegating 10,000,000 removes
    /// 11.111111111111111111 shares and pays 9,999,999.
    #[test]
    fn unbonding_from_a_slashed_validator_truncates_like_the_sdk() {
        let (tokens, total) = (Uint128::new(90_900_000), dec("101"));
        let shares = shares_from_tokens(Uint128::new(10_000_000), tokens, total)
            .unwrap()
            .unwrap();
        assert_eq!(shares, dec("11.111111111111111111"));
        assert_eq!(
            balance_of_shares(shares, tokens, total).unwrap(),
            Uint128::new(9_999_999)
        );
        assert_eq!(
            balance_of_shares(dec("100"), tokens, total).unwrap(),
            Uint128::new(90_000_000)
        );
    }

    /// TestValidatorTombstone: 45 shares of a validator with 46 shares and 36,000,000 tokens are
    /// worth 35,217,391; undelegating that leaves 0.000000388888888889 shares.
    #[test]
    fn full_unbond_after_a_slash_leaves_the_reference_dust() {
        let (tokens, total) = (Uint128::new(36_000_000), dec("46"));
        let held = dec("45");
        let balance = balance_of_shares(held, tokens, total).unwrap();
        assert_eq!(balance, Uint128::new(35_217_391));
        let removed = shares_from_tokens(balance, tokens, total).unwrap().unwrap();
        assert_eq!(held - removed, dec("0.000000388888888889"));
    }

    #[test]
    fn first_delegation_sets_the_rate_to_one_and_zero_tokens_is_invalid() {
        assert_eq!(
            shares_from_tokens(Uint128::new(5), Uint128::zero(), Decimal256::zero()).unwrap(),
            Some(dec("5"))
        );
        assert_eq!(
            shares_from_tokens(Uint128::new(5), Uint128::zero(), dec("1")).unwrap(),
            None
        );
        assert_eq!(
            tokens_from_shares(dec("1"), Uint128::new(7), Decimal256::zero()).unwrap(),
            Decimal256::zero()
        );
    }

    #[test]
    fn products_round_half_to_even() {
        assert_eq!(
            mul_round(dec("0.1"), dec("0.000000000000000005")).unwrap(),
            dec("0")
        );
        assert_eq!(
            mul_round(dec("0.1"), dec("0.000000000000000015")).unwrap(),
            dec("0.000000000000000002")
        );
        assert_eq!(mul_round(dec("0.1"), dec("45")).unwrap(), dec("4.5"));
    }
}
