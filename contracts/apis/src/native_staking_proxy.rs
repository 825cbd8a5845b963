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
    /// Parent only: a slash of `validator` took `bonded` from this proxy's delegation to it and
    /// burned `redelegated` from its redelegations' destinations, and the owner's lien was cut
    /// by as much; the proxy stops counting on those tokens (see `rounding_loss`).
    Slashed {
        /// The slashed validator.
        validator: String,
        /// Taken from the delegation to it.
        bonded: Uint128,
        /// Burned from the delegations its redelegations went to.
        #[serde(default)]
        redelegated: Vec<crate::native_staking::RedelegationSlash>,
    },
}

/// Proxy queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Configuration.
    #[returns(ConfigResponse)]
    Config {},
    /// Per validator, what the owner's lien counts on of the delegation to it: its worth after
    /// the proxy's last staking message there, less what slashes took since.
    #[returns(AccountedResponse)]
    Accounted {},
}

/// Response of `accounted`.
#[cw_serde]
pub struct AccountedResponse {
    /// One entry per validator the proxy ever delegated to, by validator name.
    pub delegations: Vec<AccountedDelegation>,
}

/// What the lien counts on of one delegation.
#[cw_serde]
pub struct AccountedDelegation {
    /// The validator.
    pub validator: String,
    /// Tokens.
    pub amount: Uint128,
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
