//! Messages of the external staking contract, one per consumer chain (docs/system.md ("The provider's contracts")).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, Coin, Decimal, Timestamp, Uint128};

use crate::value_range::ValueRange;

/// The only IBC endpoint external staking accepts a channel from.
#[cw_serde]
pub struct AuthorizedEndpoint {
    /// Connection id on the provider side.
    pub connection_id: String,
    /// The converter's port on the consumer side.
    pub port_id: String,
}

/// Slash ratios of the consumer chain, as promised to the vault.
#[cw_serde]
pub struct SlashRatio {
    /// Double signing (the lien's ratio).
    pub double_sign: Decimal,
    /// Downtime.
    pub offline: Decimal,
}

/// Default timeout of the packets external staking sends (10 minutes).
pub const DEFAULT_PACKET_TIMEOUT_SECS: u64 = 600;

/// Instantiate external staking.
#[cw_serde]
pub struct InstantiateMsg {
    /// The provider's staking denom.
    pub denom: String,
    /// The denom rewards are reported in (the consumer's).
    pub rewards_denom: String,
    /// The vault.
    pub vault: String,
    /// Unbonding period, seconds.
    pub unbonding_period: u64,
    /// The counterparty allowed to open the channel.
    pub remote_contact: AuthorizedEndpoint,
    /// Slash ratios.
    pub slash_ratio: SlashRatio,
    /// Timeout of outgoing packets in seconds (default 600).
    #[serde(default)]
    pub packet_timeout: Option<u64>,
}

/// External staking execute messages.
#[cw_serde]
pub enum ExecuteMsg {
    /// Vault only: a new pending lien to stake remotely.
    ReceiveVirtualStake {
        /// The user.
        owner: String,
        /// Amount.
        amount: Coin,
        /// The vault's tx id.
        tx_id: u64,
        /// Base64 JSON `{"validator": "..."}`.
        msg: Binary,
    },
    /// Vault only: burn stake after a slash elsewhere.
    BurnVirtualStake {
        /// The user.
        owner: String,
        /// Amount.
        amount: Coin,
        /// Validator to burn from, if known.
        validator: Option<String>,
    },
    /// Unstake from a consumer validator (sends an `unstake` packet).
    Unstake {
        /// The validator.
        validator: String,
        /// Amount.
        amount: Coin,
    },
    /// Release every matured pending unbond back to the vault.
    WithdrawUnbonded {},
    /// Pay this user's rewards on `validator` to a consumer account.
    WithdrawRewards {
        /// The validator.
        validator: String,
        /// The consumer address to pay.
        remote_recipient: String,
    },
}

/// External staking queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Configuration.
    #[returns(ConfigResponse)]
    Config {},
    /// The IBC channel, once connected.
    #[returns(cosmwasm_std::IbcChannel)]
    IbcChannel {},
    /// Validators active now.
    #[returns(ListActiveValidatorsResponse)]
    ListActiveValidators {
        /// Pagination: validator after which to start.
        start_after: Option<String>,
        /// Pagination: default 10, maximum 30.
        limit: Option<u32>,
    },
    /// All known validators with their current state.
    #[returns(ListValidatorsResponse)]
    ListValidators {
        /// Pagination: validator after which to start.
        start_after: Option<String>,
        /// Pagination: default 10, maximum 30.
        limit: Option<u32>,
    },
    /// One stake.
    #[returns(StakeResponse)]
    Stake {
        /// The user.
        user: String,
        /// The validator.
        validator: String,
    },
    /// All stakes of a user.
    #[returns(StakesResponse)]
    Stakes {
        /// The user.
        user: String,
        /// Pagination: validator after which to start.
        start_after: Option<String>,
        /// Pagination: default 10, maximum 30.
        limit: Option<u32>,
    },
    /// One pending transaction.
    #[returns(crate::tx::Tx)]
    PendingTx {
        /// The tx id.
        tx_id: u64,
    },
    /// Pending transactions, newest first.
    #[returns(crate::tx::AllTxsResponse)]
    AllPendingTxsDesc {
        /// Pagination: id below which to start.
        start_after: Option<u64>,
        /// Pagination: default 10, maximum 30.
        limit: Option<u32>,
    },
    /// Rewards a user can withdraw from a validator.
    #[returns(PendingRewardsResponse)]
    PendingRewards {
        /// The user.
        user: String,
        /// The validator.
        validator: String,
    },
    /// Rewards a user can withdraw, per validator.
    #[returns(AllPendingRewardsResponse)]
    AllPendingRewards {
        /// The user.
        user: String,
        /// Pagination: validator after which to start.
        start_after: Option<String>,
        /// Pagination: default 10, maximum 30.
        limit: Option<u32>,
    },
    /// Slash ratios.
    #[returns(crate::lienholder::MaxSlashResponse)]
    MaxSlash {},
    /// Per validator, the burns in flight and what they settle with the consumer removals they
    /// crossed (docs/slashing.md); only validators with something recorded. Empty once nothing
    /// is in flight.
    #[returns(BurnLedgerResponse)]
    BurnLedger {
        /// Pagination: validator after which to start.
        start_after: Option<String>,
        /// Pagination: default 10, maximum 30.
        limit: Option<u32>,
    },
    /// What waits for packets in flight besides the burn ledger (docs/slashing.md): debts of
    /// removals that reached beyond the settled stakes, slash credits, burn debts and slashes
    /// waiting for the validator history. Each list holds its first `limit` entries; all are
    /// empty once nothing is in flight.
    #[returns(OutstandingResponse)]
    Outstanding {
        /// Entries per list: default 10, maximum 30.
        limit: Option<u32>,
    },
}

/// A debt on one validator, paid by the outcomes of the txs in flight when it arose.
#[cw_serde]
pub struct ValidatorDebt {
    /// The validator.
    pub validator: String,
    /// Still to take (provider units).
    pub amount: Uint128,
    /// The stake and unstake txs whose outcomes pay it, in id order.
    pub txs: Vec<u64>,
}

/// An amount recorded for one validator (provider units).
#[cw_serde]
pub struct ValidatorAmount {
    /// The validator.
    pub validator: String,
    /// The amount.
    pub amount: Uint128,
}

/// An amount recorded for one user (provider units).
#[cw_serde]
pub struct UserAmount {
    /// The user's address.
    pub user: String,
    /// The amount.
    pub amount: Uint128,
}

/// A consumer slash waiting for the validator history to show the validator at its infraction.
#[cw_serde]
pub struct WaitingSlash {
    /// The validator.
    pub validator: String,
    /// Consumer height of the infraction.
    pub infraction_height: u64,
    /// The slashed amount (provider units).
    pub amount: Uint128,
}

/// Response of `outstanding`: each list in key order, at most `limit` entries.
#[cw_serde]
pub struct OutstandingResponse {
    /// A consumer slash took more than the settled stakes here: the rest is cut from the stake
    /// packets in flight on the validator as they commit.
    pub slash_debts: Vec<ValidatorDebt>,
    /// An internal unstake (zero max cap) dropped more than the settled stakes here: the rest
    /// is unbonded from the stake packets in flight on the validator as they commit.
    pub unstake_debts: Vec<ValidatorDebt>,
    /// Slash the consumer took before this contract learned of it (an unstake's ack), to be
    /// deducted from the slash when it arrives.
    pub slash_credits: Vec<ValidatorAmount>,
    /// Vault burns beyond a user's settled stakes, charged to their stakes in flight.
    pub burn_debts: Vec<UserAmount>,
    /// Slashes waiting for the validator history.
    pub waiting_slashes: Vec<WaitingSlash>,
}

impl OutstandingResponse {
    /// True when every list is empty.
    pub fn is_empty(&self) -> bool {
        self.slash_debts.is_empty()
            && self.unstake_debts.is_empty()
            && self.slash_credits.is_empty()
            && self.burn_debts.is_empty()
            && self.waiting_slashes.is_empty()
    }
}

/// One validator's line of the burn ledger (provider units).
#[cw_serde]
pub struct BurnLedgerEntry {
    /// The validator.
    pub validator: String,
    /// `burn` packets sent and not acked yet.
    pub in_flight: Uint128,
    /// Shortfall of consumer removals set aside until those burns' acks.
    pub crossed: Uint128,
    /// What acked burns could not take, waiting for the removal still on its way.
    pub unburned: Uint128,
}

/// Response of `burn_ledger`.
#[cw_serde]
pub struct BurnLedgerResponse {
    /// The entries, in validator order.
    pub entries: Vec<BurnLedgerEntry>,
}

/// Response of `config`.
#[cw_serde]
pub struct ConfigResponse {
    /// Provider staking denom.
    pub denom: String,
    /// Rewards denom.
    pub rewards_denom: String,
    /// The vault.
    pub vault: String,
    /// Unbonding period, seconds.
    pub unbonding_period: u64,
    /// Slash ratios.
    pub slash_ratio: SlashRatio,
    /// Packet timeout, seconds.
    pub packet_timeout: u64,
}

/// State of a consumer validator as the provider knows it.
#[cw_serde]
#[derive(Copy, Eq, PartialOrd, Ord)]
pub enum ValidatorState {
    /// Can be staked to.
    Active,
    /// Jailed (downtime); may be unjailed.
    Jailed,
    /// Removed from the set.
    Unbonded,
    /// Double signed; final.
    Tombstoned,
}

/// Response of `list_active_validators`.
#[cw_serde]
pub struct ListActiveValidatorsResponse {
    /// Validator operator addresses.
    pub validators: Vec<String>,
}

/// A validator with its state.
#[cw_serde]
pub struct ValidatorEntry {
    /// Validator operator address.
    pub validator: String,
    /// Current state.
    pub state: ValidatorState,
    /// Consumer height at which it entered this state.
    pub since_height: u64,
}

/// Response of `list_validators`.
#[cw_serde]
pub struct ListValidatorsResponse {
    /// Validators in name order.
    pub validators: Vec<ValidatorEntry>,
}

/// Tokens leaving a stake, released at `release_at`.
#[cw_serde]
pub struct PendingUnbond {
    /// Amount.
    pub amount: Uint128,
    /// When it can be withdrawn.
    pub release_at: Timestamp,
    /// Consumer height at which the consumer applied the unstake (from its ack); unknown for
    /// unbonds the consumer did not report (a closed channel, an internal unstake). A consumer
    /// slash applied at a later height did not cover these tokens, so it cuts them by its ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_height: Option<u64>,
}

/// Response of `stake`.
#[cw_serde]
pub struct StakeResponse {
    /// The user.
    pub owner: String,
    /// The validator.
    pub validator: String,
    /// The stake (a range while packets are in flight).
    pub stake: ValueRange,
    /// Unbonds not yet withdrawn.
    pub pending_unbonds: Vec<PendingUnbond>,
}

/// Response of `stakes`.
#[cw_serde]
pub struct StakesResponse {
    /// Stakes in validator order.
    pub stakes: Vec<StakeResponse>,
}

/// Response of `pending_rewards`.
#[cw_serde]
pub struct PendingRewardsResponse {
    /// Withdrawable rewards.
    pub rewards: Coin,
}

/// Rewards on one validator.
#[cw_serde]
pub struct ValidatorPendingRewards {
    /// The validator.
    pub validator: String,
    /// Withdrawable rewards.
    pub rewards: Coin,
}

/// Response of `all_pending_rewards`.
#[cw_serde]
pub struct AllPendingRewardsResponse {
    /// Rewards per validator.
    pub rewards: Vec<ValidatorPendingRewards>,
}

/// Event external staking emits for every consumer slash it applies, in the order applied, with
/// attributes `validator`, `amount` (provider units), `ratio` and `infraction_height`.
pub const EVENT_SLASH_APPLIED: &str = "slash_applied";
