//! Messages of the native staking contract, the local lienholder (docs/system.md ("The provider's contracts")).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, Coin, Decimal, Uint128};

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
    /// A proxy only: it holds nothing any more (no delegation worth a token, nothing unbonding,
    /// everything released). What is left of its owner's local lien is the chain's rounding
    /// (other delegators' undelegations can move what a delegation is worth by a unit): the
    /// vault slashes it, so the lien can be gone.
    ProxyClosed {},
    /// A proxy only: the chain's share arithmetic took `amount` of its owner's tokens when it
    /// (un/re)delegated on `validator` (what the shares are worth is truncated): the vault
    /// slashes it, so the owner's lien stays what the tokens behind it are.
    RoundingLoss {
        /// The validator the loss happened on.
        validator: String,
        /// Tokens lost.
        amount: Uint128,
    },
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
    /// Validators jailed (downtime) or tombstoned (double sign) and slashed by the chain.
    ///
    /// With `slashed`, the chain calls this right after it slashed and says what it took from
    /// each delegator, delegation and unbonding entries together: each proxy's owner is
    /// slashed exactly that in the vault. Without it (a chain that calls this before it
    /// slashes, as the reference chain does), each proxy's slash is estimated as
    /// `floor(delegation × ratio)` with the contract's ratio, which misses unbonding entries.
    Jailing {
        /// Jailed for downtime (offline ratio).
        jailed: Option<Vec<String>>,
        /// Tombstoned for double signing (double-sign ratio).
        tombstoned: Option<Vec<String>>,
        /// What the chain took from each delegator of these validators.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        slashed: Option<Vec<DelegatorSlash>>,
    },
}

/// What one slash took from one delegator of one validator (delegation and unbonding entries).
#[cw_serde]
pub struct DelegatorSlash {
    /// The slashed validator.
    pub validator: String,
    /// The delegator (a proxy, for native staking's users; others are ignored).
    pub delegator: String,
    /// Tokens taken.
    pub amount: Uint128,
    /// Of `amount`, what came from unbonding entries (and redelegated stake) rather than the
    /// delegation itself.
    #[serde(default)]
    pub unbonding: Uint128,
    /// Of `unbonding`, what was burned from the destinations of redelegations, per destination
    /// validator (those delegations are worth that much less).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redelegated: Vec<RedelegationSlash>,
}

/// What a slash burned from one redelegation destination's delegation.
#[cw_serde]
pub struct RedelegationSlash {
    /// The destination validator.
    pub validator: String,
    /// Tokens burned from the delegation to it.
    pub amount: Uint128,
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
    #[returns(crate::lienholder::MaxSlashResponse)]
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
