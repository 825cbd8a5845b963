//! The consumer chain's mesh module interface (docs/system.md ("The consumer's contracts and chain")): custom messages and queries
//! that virtual staking uses. The module itself is part of the chain (simulated by the actors).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Coin, CustomMsg, CustomQuery, Uint128};

/// Custom message envelope: `{"virtual_stake": {...}}`.
#[cw_serde]
pub enum VirtualStakeCustomMsg {
    /// A mesh module message.
    VirtualStake(VirtualStakeMsg),
}

impl CustomMsg for VirtualStakeCustomMsg {}

/// Mesh module messages.
#[cw_serde]
pub enum VirtualStakeMsg {
    /// Mint and delegate `amount` to `validator` (fails above the max cap).
    Bond {
        /// Consumer denom and amount.
        amount: Coin,
        /// The validator.
        validator: String,
    },
    /// Undelegate instantly and burn (unbonding nothing succeeds silently).
    Unbond {
        /// Consumer denom and amount.
        amount: Coin,
        /// The validator.
        validator: String,
    },
    /// Record a delegator's share change (bookkeeping only).
    UpdateDelegation {
        /// Consumer denom and amount.
        amount: Coin,
        /// True to reduce.
        is_deduct: bool,
        /// The provider user.
        delegator: String,
        /// The validator.
        validator: String,
    },
    /// Drop every scheduled task of the calling contract.
    DeleteAllScheduledTasks {},
}

/// Custom query envelope: `{"virtual_stake": {...}}`.
#[cw_serde]
#[derive(QueryResponses)]
pub enum VirtualStakeCustomQuery {
    /// A mesh module query.
    #[returns(BondStatusResponse)]
    VirtualStake(VirtualStakeQuery),
}

impl CustomQuery for VirtualStakeCustomQuery {}

/// Mesh module queries.
#[cw_serde]
pub enum VirtualStakeQuery {
    /// Cap and delegated total of a contract.
    BondStatus {
        /// The contract.
        contract: String,
    },
    /// A contract's delegation to one validator.
    TotalDelegation {
        /// The contract.
        contract: String,
        /// The validator.
        validator: String,
    },
    /// All of a contract's delegations.
    AllDelegations {
        /// The contract.
        contract: String,
        /// Most entries to return.
        max_retrieve: u16,
    },
}

/// Response of `bond_status`.
#[cw_serde]
pub struct BondStatusResponse {
    /// The max cap.
    pub cap: Coin,
    /// Delegated now.
    pub delegated: Coin,
}

/// Response of `total_delegation`.
#[cw_serde]
pub struct TotalDelegationResponse {
    /// Delegated to that validator.
    pub delegation: Coin,
}

/// One virtual delegation.
#[cw_serde]
pub struct Delegation {
    /// The validator.
    pub validator: String,
    /// Amount delegated.
    pub amount: Uint128,
}

/// Response of `all_delegations`.
#[cw_serde]
pub struct AllDelegationsResponse {
    /// Delegations in validator order.
    pub delegations: Vec<Delegation>,
}
