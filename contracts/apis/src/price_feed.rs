//! Messages of the simple price feed (docs/system.md ("The consumer's contracts and chain")).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::Decimal;

/// Instantiate the price feed.
#[cw_serde]
pub struct InstantiateMsg {
    /// Consumer tokens per provider token.
    pub native_per_foreign: Decimal,
    /// Who may update the price (default: the instantiator).
    pub owner: Option<String>,
}

/// Price feed execute messages.
#[cw_serde]
pub enum ExecuteMsg {
    /// Owner only: set the price.
    UpdatePrice {
        /// Consumer tokens per provider token.
        native_per_foreign: Decimal,
    },
}

/// Price feed queries (the price feed API the converter uses).
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The current price.
    #[returns(PriceResponse)]
    Price {},
}

/// Response of `price`.
#[cw_serde]
pub struct PriceResponse {
    /// Consumer tokens per provider token.
    pub native_per_foreign: Decimal,
}
