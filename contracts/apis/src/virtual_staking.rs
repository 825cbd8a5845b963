//! Messages of virtual staking (docs/system.md ("The consumer's contracts and chain")).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Coin, Uint128};

use crate::ibc::{AddValidator, ValidatorSlashInfo};

/// Instantiate virtual staking (by the converter, which becomes its only caller).
#[cw_serde]
pub struct InstantiateMsg {
    /// Most items read from the chain in one query.
    pub max_retrieve: u16,
}

/// Virtual staking execute messages (converter only). Amounts are in provider units: virtual
/// staking keeps its requests in provider units and converts them at every epoch, so a price
/// change never makes an `unbond` fail.
#[cw_serde]
pub enum ExecuteMsg {
    /// Record a stake request (applied at the next epoch).
    Bond {
        /// The provider user.
        delegator: String,
        /// The validator.
        validator: String,
        /// Provider units.
        amount: Coin,
    },
    /// Remove a stake request (applied at the next epoch).
    Unbond {
        /// The provider user.
        delegator: String,
        /// The validator.
        validator: String,
        /// Provider units.
        amount: Coin,
    },
    /// Reduce requests after a slash on the provider (`burn` packet).
    Burn {
        /// Validators to burn from (split by the proportion of their requests, the flooring
        /// remainder to the first with room; inside a validator over its delegators alike).
        validators: Vec<String>,
        /// Provider units.
        amount: Coin,
    },
    /// Remove a request and undelegate it on the chain at once.
    InternalUnbond {
        /// The provider user.
        delegator: String,
        /// The validator.
        validator: String,
        /// Provider units.
        amount: Coin,
    },
    /// The channel closed: unbond everything.
    HandleCloseChannel {},
}

/// Virtual staking sudo messages (from the consumer chain's mesh module).
#[cw_serde]
pub enum SudoMsg {
    /// Every `epoch_blocks`: rebalance delegations, withdraw rewards, apply queued slashes.
    HandleEpoch {},
    /// Validator-set changes in this block.
    HandleValsetUpdate {
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
        /// Slashes (amounts: this contract's share, consumer units).
        slashed: Option<Vec<ValidatorSlashInfo>>,
    },
}

/// Virtual staking queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Configuration.
    #[returns(ConfigResponse)]
    Config {},
    /// Stake requests per validator.
    #[returns(RequestsResponse)]
    Requests {
        /// Pagination: validator after which to start.
        start_after: Option<String>,
        /// Pagination: default 10, maximum 30.
        limit: Option<u32>,
    },
    /// What an `unbond` of `amount` from `validator` would unbond now: all of it, or everything
    /// left when a slash took the difference (the converter puts this in the `unstake` ack).
    #[returns(UnbondableResponse)]
    Unbondable {
        /// The validator.
        validator: String,
        /// The amount asked for (provider units).
        amount: Uint128,
    },
    /// What a `burn` of `amount` from `validators` would take now: all of it, or the
    /// validators' whole requests when they hold less (the converter puts this in the `burn`
    /// ack).
    #[returns(BurnableResponse)]
    Burnable {
        /// The validators (as in the `burn` packet).
        validators: Vec<String>,
        /// The amount asked for (provider units).
        amount: Uint128,
    },
}

/// Response of `burnable`.
#[cw_serde]
pub struct BurnableResponse {
    /// What would be burned (provider units).
    pub burned: Uint128,
}

/// Response of `unbondable`.
#[cw_serde]
pub struct UnbondableResponse {
    /// What would be unbonded (provider units).
    pub unbonded: Uint128,
}

/// Response of `config`.
#[cw_serde]
pub struct ConfigResponse {
    /// The consumer's staking denom.
    pub denom: String,
    /// The converter.
    pub converter: String,
    /// Most items read from the chain in one query.
    pub max_retrieve: u16,
}

/// One validator's request.
#[cw_serde]
pub struct ValidatorRequest {
    /// The validator.
    pub validator: String,
    /// Requested stake in provider units.
    pub provider_amount: Uint128,
    /// The same at the current price, in consumer units (before max-cap scaling).
    pub consumer_amount: Uint128,
}

/// Response of `requests`.
#[cw_serde]
pub struct RequestsResponse {
    /// Requests in validator order.
    pub requests: Vec<ValidatorRequest>,
}
