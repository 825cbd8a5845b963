//! Messages of the converter, the consumer end of the channel (docs/system.md ("The consumer's contracts and chain")).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Coin, Decimal, Uint128};

use crate::ibc::{AddValidator, RewardInfo, ValidatorSlashInfo};

/// Instantiate the converter (it instantiates its virtual staking contract).
#[cw_serde]
pub struct InstantiateMsg {
    /// The price feed contract.
    pub price_feed: String,
    /// Discount applied to converted stake (< 1).
    pub discount: Decimal,
    /// The provider's staking denom.
    pub remote_denom: String,
    /// Code id of virtual staking.
    pub virtual_staking_code_id: u64,
    /// Admin of the virtual staking contract.
    pub admin: Option<String>,
    /// Most items virtual staking reads from the chain in one query.
    pub max_retrieve: u16,
}

/// Converter execute messages (virtual staking only).
#[cw_serde]
pub enum ExecuteMsg {
    /// Forward validator-set changes to the provider.
    ValsetUpdate {
        /// New validators.
        additions: Option<Vec<AddValidator>>,
        /// Removed validators.
        removals: Option<Vec<String>>,
        /// Changed validators.
        updated: Option<Vec<AddValidator>>,
        /// Jailed validators.
        jailed: Option<Vec<String>>,
        /// Unjailed validators.
        unjailed: Option<Vec<String>>,
        /// Tombstoned validators.
        tombstoned: Option<Vec<String>>,
        /// Slashes, amounts in consumer units (the converter converts them).
        slashed: Option<Vec<ValidatorSlashInfo>>,
    },
    /// With funds: one epoch's rewards, to report to the provider as `distribute_batch`.
    DistributeRewards {
        /// Rewards per validator (consumer denom).
        payments: Vec<RewardInfo>,
    },
    /// Zero max cap: tell the provider this delegation is gone.
    InternalUnstake {
        /// The provider user.
        delegator: String,
        /// The validator.
        validator: String,
        /// Amount in provider units.
        amount: Coin,
    },
}

/// Converter queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Configuration.
    #[returns(ConfigResponse)]
    Config {},
    /// Provider units → consumer units at the current price: `floor(floor(amount × price) × (1 − discount))`.
    #[returns(ConversionResponse)]
    ConvertToConsumer {
        /// Provider amount.
        amount: Uint128,
    },
    /// Consumer units → provider units: `floor(floor(amount × inv(price)) × inv(1 − discount))`.
    #[returns(ConversionResponse)]
    ConvertToProvider {
        /// Consumer amount.
        amount: Uint128,
    },
}

/// Response of `config`.
#[cw_serde]
pub struct ConfigResponse {
    /// The price feed.
    pub price_feed: String,
    /// Discount.
    pub discount: Decimal,
    /// Provider denom.
    pub remote_denom: String,
    /// The virtual staking contract.
    pub virtual_staking: String,
    /// The IBC channel id, once connected.
    pub channel_id: Option<String>,
}

/// A converted amount.
#[cw_serde]
pub struct ConversionResponse {
    /// The amount in the other chain's units.
    pub amount: Uint128,
}
