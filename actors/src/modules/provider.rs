//! `ProviderModule`: the provider chain's mesh security provider module, as the reference
//! chain's `x/meshsecurityprovider` behaves (mesh-security-sdk). A reference vault keeps no
//! funds of its own making: it asks this module to move the user's tokens.
//!
//! Governance names the vault and the native staking contract ([`ProviderModule::set_params`]).
//! Messages (custom `{"provider": {...}}`, reaching the module as described in
//! [`crate::wasm::custom`]):
//! - `bond {delegator, amount}`: only the vault; moves `amount` from the delegator's account to
//!   the vault.
//! - `unbond {delegator, amount}`: only the vault; moves `amount` from the vault back to the
//!   delegator.
//! - `unstake {delegator, validator, amount}`: from anyone (the SDK checks no sender); finds the
//!   delegator's proxy by asking native staking `proxy_by_owner`, then undelegates `amount` of
//!   the proxy's delegation: with the unbonding period if the validator is bonded, at once
//!   (tokens paid to the proxy) if not. No delegation there: nothing happens, successfully.
//! - `restake {delegator, validator, amount}`: only the vault; the SDK validates the amount
//!   against the *vault's* delegation to the validator, which a vault never has, so it fails
//!   with "no delegation" (kept as the reference behaves).
//!
//! The module has no sudo and answers no queries.

use cosmwasm_std::{
    from_json, to_json_binary, Addr, AnyMsg, Api, BankMsg, Binary, BlockInfo, Coin, CustomMsg,
    CustomQuery, Event, GrpcQuery, Querier, QueryRequest, StakingMsg, StdError, StdResult, Storage,
    WasmQuery,
};
use cw_multi_test::{AppResponse, CosmosRouter, Stargate};
use cw_storage_plus::Item;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::staking::{to_uint128, BondStatus, MeshStaking};
use crate::wasm::{ProviderEnvelope, PROVIDER_MSG_TYPE_URL};

/// The module's parameters: the contracts it serves.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ProviderParams {
    /// The vault, the only contract that may bond, unbond and restake.
    pub vault: Addr,
    /// Native staking, asked for a delegator's proxy.
    pub native_staking: Addr,
}

const PARAMS: Item<ProviderParams> = Item::new("mesh_provider_params");

/// A provider message (the inside of `{"provider": ...}`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
enum ProviderMsg {
    Bond {
        delegator: String,
        amount: Coin,
    },
    Unbond {
        delegator: String,
        amount: Coin,
    },
    Unstake {
        delegator: String,
        validator: String,
        amount: Coin,
    },
    Restake {
        delegator: String,
        validator: String,
        amount: Coin,
    },
}

#[derive(Deserialize)]
struct ProxyByOwner {
    proxy: String,
}

/// The provider module (stateless; its parameters live in the App's storage).
#[derive(Clone, Copy, Debug, Default)]
pub struct ProviderModule;

fn unauthorized() -> StdError {
    StdError::msg("unauthorized: contract has no permission for mesh security operations")
}

impl ProviderModule {
    /// Governance: the vault and native staking contracts this module serves.
    pub fn set_params(&self, storage: &mut dyn Storage, params: &ProviderParams) -> StdResult<()> {
        PARAMS.save(storage, params)
    }

    /// The parameters, if governance set them.
    pub fn params(&self, storage: &dyn Storage) -> StdResult<Option<ProviderParams>> {
        PARAMS.may_load(storage)
    }

    fn vault_only(&self, storage: &dyn Storage, sender: &Addr) -> StdResult<ProviderParams> {
        let params = self.params(storage)?.ok_or_else(unauthorized)?;
        if params.vault != *sender {
            return Err(unauthorized());
        }
        Ok(params)
    }

    fn bond_denom(storage: &dyn Storage, amount: &Coin) -> StdResult<()> {
        let denom = MeshStaking.config(storage)?.bonded_denom;
        if amount.denom != denom {
            return Err(StdError::msg(format!(
                "invalid coin denomination: got {}, expected {denom}",
                amount.denom
            )));
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn handle<ExecC, QueryC>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
        sender: Addr,
        msg: ProviderMsg,
    ) -> StdResult<Event>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        match msg {
            ProviderMsg::Bond { delegator, amount } => {
                let params = self.vault_only(storage, &sender)?;
                let delegator = api.addr_validate(&delegator)?;
                let send = BankMsg::Send {
                    to_address: params.vault.to_string(),
                    amount: vec![amount.clone()],
                };
                router
                    .execute(api, storage, block, delegator.clone(), send.into())
                    .map_err(|e| StdError::msg(format!("provider bond: {e}")))?;
                Ok(Event::new("provider_bond")
                    .add_attribute("delegator", delegator)
                    .add_attribute("amount", amount.to_string()))
            }
            ProviderMsg::Unbond { delegator, amount } => {
                let params = self.vault_only(storage, &sender)?;
                let delegator = api.addr_validate(&delegator)?;
                let send = BankMsg::Send {
                    to_address: delegator.to_string(),
                    amount: vec![amount.clone()],
                };
                router
                    .execute(api, storage, block, params.vault, send.into())
                    .map_err(|e| StdError::msg(format!("provider unbond: {e}")))?;
                Ok(Event::new("provider_unbond")
                    .add_attribute("delegator", delegator)
                    .add_attribute("amount", amount.to_string()))
            }
            ProviderMsg::Unstake {
                delegator,
                validator,
                amount,
            } => {
                let params = self.params(storage)?.ok_or_else(unauthorized)?;
                let proxy = {
                    let q = serde_json::json!({"proxy_by_owner": {"owner": delegator}});
                    let request = WasmQuery::Smart {
                        contract_addr: params.native_staking.to_string(),
                        msg: to_json_binary(&q)?,
                    };
                    let res: ProxyByOwner = router
                        .query(api, storage, block, QueryRequest::Wasm(request))
                        .and_then(|bin| from_json(&bin))
                        .map_err(|_| unauthorized())?;
                    api.addr_validate(&res.proxy).map_err(|_| unauthorized())?
                };
                if amount.amount.is_zero() {
                    return Err(StdError::msg("invalid request: amount"));
                }
                Self::bond_denom(storage, &amount)?;
                let info = MeshStaking.validator(storage, &validator)?.ok_or_else(|| {
                    StdError::msg(format!("can not found validator with address: {validator}"))
                })?;
                let event = Event::new("provider_unstake")
                    .add_attribute("proxy", proxy.as_str())
                    .add_attribute("validator", &validator)
                    .add_attribute("amount", amount.to_string());
                if MeshStaking
                    .delegation_shares(storage, &proxy, &validator)?
                    .is_zero()
                {
                    return Ok(event.add_attribute("delegation", "none"));
                }
                let amount_u = to_uint128(amount.amount)?;
                if info.status == BondStatus::Bonded {
                    let undelegate = StakingMsg::Undelegate { validator, amount };
                    router
                        .execute(api, storage, block, proxy, undelegate.into())
                        .map_err(|e| StdError::msg(format!("provider unstake: {e}")))?;
                    Ok(event.add_attribute("mode", "unbonding"))
                } else {
                    let paid = MeshStaking.instant_undelegate(
                        api, storage, router, block, &proxy, &validator, amount_u,
                    )?;
                    Ok(event
                        .add_attribute("mode", "instant")
                        .add_attribute("paid", paid.to_string()))
                }
            }
            ProviderMsg::Restake {
                delegator,
                validator,
                amount,
            } => {
                let params = self.vault_only(storage, &sender)?;
                Self::bond_denom(storage, &amount)?;
                MeshStaking.validator(storage, &validator)?.ok_or_else(|| {
                    StdError::msg(format!("can not found validator with address: {validator}"))
                })?;
                if MeshStaking
                    .delegation_shares(storage, &params.vault, &validator)?
                    .is_zero()
                {
                    return Err(StdError::msg(format!(
                        "can not found delegation with address: {delegator}"
                    )));
                }
                Err(StdError::msg(
                    "restake of a vault delegation is not modelled (a vault never delegates)",
                ))
            }
        }
    }
}

impl Stargate for ProviderModule {
    fn execute_any<ExecC, QueryC>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
        sender: Addr,
        msg: AnyMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        if msg.type_url != PROVIDER_MSG_TYPE_URL {
            return Err(StdError::msg(format!(
                "unknown message type {} from {sender}",
                msg.type_url
            )));
        }
        let envelope: ProviderEnvelope = from_json(&msg.value)?;
        let provider: ProviderMsg = serde_json::from_value(envelope.provider)
            .map_err(|e| StdError::msg(format!("provider message: {e}")))?;
        let event = self.handle(api, storage, router, block, sender, provider)?;
        Ok(AppResponse {
            events: vec![event],
            ..Default::default()
        })
    }

    fn query_grpc(
        &self,
        _api: &dyn Api,
        _storage: &dyn Storage,
        _querier: &dyn Querier,
        _block: &BlockInfo,
        request: GrpcQuery,
    ) -> StdResult<Binary> {
        Err(StdError::msg(format!(
            "unsupported grpc query {}",
            request.path
        )))
    }
}
