//! Messages of the vault contract (docs/system.md ("The provider's contracts")).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, Coin, Decimal, Uint128};

use crate::value_range::ValueRange;

/// How the vault creates its canonical local staking contract.
#[cw_serde]
pub struct LocalStakingInfo {
    /// Code id of the local staking contract.
    pub code_id: u64,
    /// Its instantiate message (JSON, base64 in the vault's message).
    pub msg: Binary,
    /// Label; the vault chooses one when absent.
    pub label: Option<String>,
}

/// Instantiate the vault.
#[cw_serde]
pub struct InstantiateMsg {
    /// The collateral denom.
    pub denom: String,
    /// The local staking contract to create, or `None` to disable local staking.
    pub local_staking: Option<LocalStakingInfo>,
}

/// One user's share of a slash (`local_slash` / `cross_slash`).
#[cw_serde]
pub struct SlashInfo {
    /// The slashed user.
    pub user: String,
    /// Amount slashed from their lien, in the collateral denom.
    pub slash: Uint128,
}

/// Vault execute messages.
#[cw_serde]
pub enum ExecuteMsg {
    /// Deposit the attached funds as collateral.
    Bond {},
    /// Withdraw free collateral.
    Unbond {
        /// Amount to withdraw (collateral denom).
        amount: Coin,
    },
    /// Put a lien on the local staker and delegate the tokens through it.
    StakeLocal {
        /// Amount to stake.
        amount: Coin,
        /// Base64 JSON forwarded to the local staker (`{"validator": "..."}`).
        msg: Binary,
    },
    /// Put a lien on an external staker (cross-chain stake, pending until the lienholder commits).
    StakeRemote {
        /// The lienholder contract.
        contract: String,
        /// Amount to stake.
        amount: Coin,
        /// Base64 JSON forwarded to the lienholder (`{"validator": "..."}`).
        msg: Binary,
    },
    /// Lienholder only: a remote stake succeeded.
    CommitTx {
        /// The vault's tx id.
        tx_id: u64,
    },
    /// Lienholder only: a remote stake failed.
    RollbackTx {
        /// The vault's tx id.
        tx_id: u64,
    },
    /// Local staker only: release a local lien; the unbonded tokens come back attached.
    ReleaseLocalStake {
        /// The user whose lien is released.
        owner: String,
    },
    /// External staker only: release a cross lien.
    ReleaseCrossStake {
        /// The user whose lien is released.
        owner: String,
        /// Amount released.
        amount: Coin,
    },
    /// Local staker only: slashes on a provider validator.
    LocalSlash {
        /// Per-user slashes.
        slashes: Vec<SlashInfo>,
        /// The slashed validator.
        validator: String,
    },
    /// External staker only: slashes on a consumer validator.
    CrossSlash {
        /// Per-user slashes.
        slashes: Vec<SlashInfo>,
        /// The slashed validator.
        validator: String,
    },
}

/// Vault queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// A user's collateral and free amount.
    #[returns(AccountResponse)]
    Account {
        /// The user.
        account: String,
    },
    /// A user's collateral, free amount, max lien and slashable total.
    #[returns(AccountDetailsResponse)]
    AccountDetails {
        /// The user.
        account: String,
    },
    /// Vault configuration.
    #[returns(ConfigResponse)]
    Config {},
    /// One lien.
    #[returns(LienResponse)]
    Claim {
        /// The user.
        account: String,
        /// The lienholder.
        lienholder: String,
    },
    /// A user's liens, by lienholder address.
    #[returns(AccountClaimsResponse)]
    AccountClaims {
        /// The user.
        account: String,
        /// Pagination: lienholder after which to start.
        start_after: Option<String>,
        /// Pagination: default 10, maximum 30.
        limit: Option<u32>,
    },
    /// All users, by address.
    #[returns(AllAccountsResponse)]
    AllAccounts {
        /// Only users with non-zero collateral.
        #[serde(default)]
        with_collateral: bool,
        /// Pagination: user after which to start.
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
    /// Every external staker ever used.
    #[returns(AllActiveExternalStakingResponse)]
    ActiveExternalStaking {},
}

/// Response of `account`.
#[cw_serde]
pub struct AccountResponse {
    /// Collateral denom.
    pub denom: String,
    /// Collateral.
    pub bonded: Uint128,
    /// Free collateral (a range while stakes are in flight).
    pub free: ValueRange,
}

/// Response of `account_details`.
#[cw_serde]
pub struct AccountDetailsResponse {
    /// Collateral denom.
    pub denom: String,
    /// Collateral.
    pub bonded: Uint128,
    /// Free collateral.
    pub free: ValueRange,
    /// Largest lien.
    pub max_lien: ValueRange,
    /// Σ lien × slash ratio.
    pub total_slashable: ValueRange,
}

/// Response of `config`.
#[cw_serde]
pub struct ConfigResponse {
    /// Collateral denom.
    pub denom: String,
    /// Address of the local staking contract, if any.
    pub local_staking: Option<String>,
}

/// One lien.
#[cw_serde]
pub struct LienResponse {
    /// The lienholder.
    pub lienholder: String,
    /// The lien's amount.
    pub amount: ValueRange,
    /// The lien's slash ratio, fixed when it was created (absent from the reference vault's
    /// answer, read as 0).
    #[serde(default)]
    pub slashable: Decimal,
}

/// Response of `account_claims`.
#[cw_serde]
pub struct AccountClaimsResponse {
    /// The user's liens.
    pub claims: Vec<LienResponse>,
}

/// One entry of `all_accounts`.
#[cw_serde]
pub struct AllAccountsResponseItem {
    /// The user.
    pub user: String,
    /// Their account.
    pub account: AccountResponse,
}

/// Response of `all_accounts`.
#[cw_serde]
pub struct AllAccountsResponse {
    /// Users in address order.
    pub accounts: Vec<AllAccountsResponseItem>,
}

/// Response of `active_external_staking`.
#[cw_serde]
pub struct AllActiveExternalStakingResponse {
    /// External staking contracts ever used, in address order.
    pub contracts: Vec<String>,
}

/// Page size when a query names none.
pub const DEFAULT_PAGE_LIMIT: u32 = 10;
/// Largest page a query returns.
pub const MAX_PAGE_LIMIT: u32 = 30;

/// The page size for a requested `limit`: default 10, at most 30.
pub fn page_limit(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_PAGE_LIMIT).min(MAX_PAGE_LIMIT) as usize
}

/// Event the vault emits per slashed user, with attributes `user`, `lienholder`, `requested`,
/// `slashed` (what the collateral lost), `collateral`, `propagation`, `saturated`.
pub const EVENT_SLASH: &str = "vault_slash";
