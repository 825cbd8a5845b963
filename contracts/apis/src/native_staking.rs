//! Messages of the native staking contract, the local lienholder (system.md §3.2).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, Coin, Decimal};

use crate::lienholder::MaxSlashResponse;

/// Instantiate native staking (the instantiator is the vault).
#[cw_serde]
pub struct InstantiateMsg {
    /// The staking denom.
    pub denom: String,
    /// Code id of the per-user proxy.
    pub proxy_code_id: u64,
    /// Slash ratio for double signing (≤ 1).
    pub slash_ratio_dsign: Decimal,
    /// Slash ratio for downtime (≤ 1).
    pub slash_ratio_offline: Decimal,
}

/// Native staking execute messages.
#[cw_serde]
pub enum ExecuteMsg {
    /// Vault only, with funds: stake for `owner` (creating their proxy the first time).
    ReceiveStake {
        /// The user.
        owner: String,
        /// Base64 JSON `{"validator": "..."}`.
        msg: Binary,
    },
    /// A proxy only, with funds: unbonded tokens going back to the vault.
    ReleaseProxyStake {},
    /// Vault only: burn part of `owner`'s stake.
    BurnStake {
        /// The user.
        owner: String,
        /// Amount to burn.
        amount: Coin,
        /// Validator to burn from first.
        validator: Option<String>,
    },
}

/// Native staking sudo messages (sent by the provider chain).
#[cw_serde]
pub enum SudoMsg {
    /// Validators about to be slashed by the chain.
    Jailing {
        /// Jailed for downtime (offline ratio).
        jailed: Option<Vec<String>>,
        /// Tombstoned for double signing (double-sign ratio).
        tombstoned: Option<Vec<String>>,
    },
}

/// Native staking queries.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// Configuration.
    #[returns(ConfigResponse)]
    Config {},
    /// The proxy of an owner.
    #[returns(ProxyByOwnerResponse)]
    ProxyByOwner {
        /// The user.
        owner: String,
    },
    /// The owner of a proxy.
    #[returns(OwnerByProxyResponse)]
    OwnerByProxy {
        /// The proxy contract.
        proxy: String,
    },
    /// The slash ratios.
    #[returns(MaxSlashResponse)]
    MaxSlash {},
}

/// Response of `config`.
#[cw_serde]
pub struct ConfigResponse {
    /// The staking denom.
    pub denom: String,
    /// Code id of the proxies.
    pub proxy_code_id: u64,
    /// The vault.
    pub vault: String,
    /// Double-sign ratio.
    pub slash_ratio_dsign: Decimal,
    /// Offline ratio.
    pub slash_ratio_offline: Decimal,
}

/// Response of `proxy_by_owner`.
#[cw_serde]
pub struct ProxyByOwnerResponse {
    /// The proxy contract.
    pub proxy: String,
}

/// Response of `owner_by_proxy`.
#[cw_serde]
pub struct OwnerByProxyResponse {
    /// The user.
    pub owner: String,
}
