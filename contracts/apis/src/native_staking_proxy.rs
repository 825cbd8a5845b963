//! Messages of the per-user native staking proxy (docs/system.md ("The provider's contracts")).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Coin, Uint128, VoteOption, WeightedVoteOption};

/// Instantiate a proxy (by native staking, with the first stake attached).
#[cw_serde]
pub struct InstantiateMsg {
    /// The staking denom.
    pub denom: String,
    /// The user owning this proxy.
    pub owner: String,
    /// The validator to delegate the attached funds to.
    pub validator: String,
}

/// The data a proxy returns from instantiate, so its parent learns the owner in the reply.
#[cw_serde]
pub struct OwnerMsg {
    /// The user owning the proxy.
    pub owner: String,
}

/// Proxy execute messages.
#[cw_serde]
pub enum ExecuteMsg {
    /// Parent only, with funds: delegate them to `validator`.
    Stake {
        /// The validator.
        validator: String,
    },
    /// Parent only: undelegate `amount` and count it as burned (never returned).
    Burn {
        /// Validator to burn from first; otherwise spread over delegations.
        validator: Option<String>,
        /// Amount to burn.
        amount: Coin,
    },
    /// Owner only: start the chain's unbonding.
    Unstake {
        /// The validator.
        validator: String,
        /// Amount to unbond.
        amount: Coin,
    },
    /// Owner only: redelegate.
    Restake {
        /// From this validator.
        src_validator: String,
        /// To this validator.
        dst_validator: String,
        /// Amount to move.
        amount: Coin,
    },
    /// Owner only: vote on a governance proposal.
    Vote {
        /// The proposal.
        proposal_id: u64,
        /// The vote.
        vote: VoteOption,
    },
    /// Owner only: weighted vote on a governance proposal.
    VoteWeighted {
        /// The proposal.
        proposal_id: u64,
        /// The weighted options.
        vote: Vec<WeightedVoteOption>,
    },
    /// Owner only: withdraw staking rewards (they go to the owner).
    WithdrawRewards {},
    /// Owner only: send the unbonded balance (minus burned) back through native staking to the vault.
    ReleaseUnbonded {},
}

/// Proxy queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Configuration.
    #[returns(ConfigResponse)]
    Config {},
}

/// Response of `config`.
#[cw_serde]
pub struct ConfigResponse {
    /// The staking denom.
    pub denom: String,
    /// Native staking (the parent).
    pub parent: String,
    /// The user.
    pub owner: String,
    /// Tokens burned after slashes and not yet accounted for.
    pub burned: Uint128,
}
