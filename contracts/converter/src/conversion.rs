//! Price conversions between provider and consumer units.
//!
//! - provider → consumer: `floor(floor(amount × price) × (1 − discount))`;
//! - consumer → provider: `floor(floor(amount × inv(price)) × inv(1 − discount))`, with the
//!   18-decimal inverses (themselves floored), as the reference chains do. The round trip can
//!   therefore lose a unit.

use cosmwasm_std::{Decimal, Deps, Fraction, StdError, Uint128};
use mesh_apis::price_feed::{PriceResponse, QueryMsg as PriceQuery};

use crate::error::ContractError;
use crate::state::Config;

/// Provider units → consumer units.
pub fn to_consumer(
    amount: Uint128,
    price: Decimal,
    discount: Decimal,
) -> Result<Uint128, ContractError> {
    let adjustment = Decimal::one()
        .checked_sub(discount)
        .map_err(StdError::from)?;
    let priced = amount.checked_mul_floor(price).map_err(StdError::from)?;
    Ok(priced
        .checked_mul_floor(adjustment)
        .map_err(StdError::from)?)
}

/// Consumer units → provider units (inverse conversion, flooring after each step).
pub fn to_provider(
    amount: Uint128,
    price: Decimal,
    discount: Decimal,
) -> Result<Uint128, ContractError> {
    let inv_price = price.inv().ok_or(ContractError::ZeroPrice)?;
    let adjustment = Decimal::one()
        .checked_sub(discount)
        .map_err(StdError::from)?;
    let inv_adjustment = adjustment
        .inv()
        .ok_or(ContractError::DiscountTooHigh { discount })?;
    let unpriced = amount
        .checked_mul_floor(inv_price)
        .map_err(StdError::from)?;
    Ok(unpriced
        .checked_mul_floor(inv_adjustment)
        .map_err(StdError::from)?)
}

/// The current price from the price feed (consumer tokens per provider token).
pub fn query_price(deps: Deps, config: &Config) -> Result<Decimal, ContractError> {
    let res: PriceResponse = deps
        .querier
        .query_wasm_smart(&config.price_feed, &PriceQuery::Price {})?;
    Ok(res.native_per_foreign)
}

/// Provider units → consumer units at the current price.
pub fn convert_to_consumer(
    deps: Deps,
    config: &Config,
    amount: Uint128,
) -> Result<Uint128, ContractError> {
    if amount.is_zero() {
        return Ok(amount);
    }
    to_consumer(amount, query_price(deps, config)?, config.discount)
}

/// Consumer units → provider units at the current price.
pub fn convert_to_provider(
    deps: Deps,
    config: &Config,
    amount: Uint128,
) -> Result<Uint128, ContractError> {
    if amount.is_zero() {
        return Ok(amount);
    }
    to_provider(amount, query_price(deps, config)?, config.discount)
}
