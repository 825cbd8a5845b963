//! `Module` implementation of the mesh module: `virtual_stake` messages and queries.

use cosmwasm_std::{
    to_json_binary, Addr, Api, BankMsg, Binary, BlockInfo, Coin, CustomMsg, CustomQuery, Empty,
    Event, Order, Querier, StakingMsg, StdResult, Storage, Uint128,
};
use cw_multi_test::{AppResponse, BankSudo, CosmosRouter, Module};
use mesh_apis::virtual_stake::{
    AllDelegationsResponse, BondStatusResponse, Delegation, SlashRatioResponse,
    TotalDelegationResponse, VirtualStakeCustomMsg, VirtualStakeCustomQuery, VirtualStakeMsg,
    VirtualStakeQuery,
};
use serde::de::DeserializeOwned;

use super::state::{DELEGATION_RECORDS, DELEGATOR_SHARES, SLASH_RATIO};
use super::MeshModule;
use crate::modules::error::ModuleError;
use crate::modules::ledger;
use crate::modules::staking::{to_uint128, MeshStaking};

impl MeshModule {
    #[allow(clippy::too_many_arguments)]
    fn bond<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        contract: &Addr,
        cap: &Coin,
        amount: Coin,
        validator: String,
    ) -> StdResult<Event> {
        check_denom(cap, &amount)?;
        let amount = to_uint128(amount.amount)?;
        let event = Event::new("mesh_bond")
            .add_attribute("contract", contract.as_str())
            .add_attribute("validator", &validator)
            .add_attribute("amount", amount.to_string());
        if amount.is_zero() {
            return Ok(event);
        }
        let cap_amount = to_uint128(cap.amount)?;
        let delegated = self.delegated(storage, contract)?;
        if delegated + amount > cap_amount {
            return Err(ModuleError::MaxCapExceeded {
                cap: cap_amount,
                delegated,
                requested: amount,
            }
            .into());
        }
        if MeshStaking.validator(storage, &validator)?.is_none() {
            return Err(ModuleError::ValidatorNotFound { validator }.into());
        }
        let coin = Coin::new(amount, &cap.denom);
        router.sudo(
            api,
            storage,
            block,
            BankSudo::Mint {
                to_address: contract.to_string(),
                amount: vec![coin.clone()],
            }
            .into(),
        )?;
        ledger::record(storage, |l| l.mesh_minted += amount)?;
        router.execute(
            api,
            storage,
            block,
            contract.clone(),
            StakingMsg::Delegate {
                validator,
                amount: coin,
            }
            .into(),
        )?;
        Ok(event)
    }

    #[allow(clippy::too_many_arguments)]
    fn unbond<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        contract: &Addr,
        cap: &Coin,
        amount: Coin,
        validator: String,
    ) -> StdResult<Event> {
        check_denom(cap, &amount)?;
        let requested = to_uint128(amount.amount)?;
        let delegated = MeshStaking.delegation(storage, contract, &validator)?;
        let amount = requested.min(delegated);
        let event = Event::new("mesh_unbond")
            .add_attribute("contract", contract.as_str())
            .add_attribute("validator", &validator)
            .add_attribute("requested", requested.to_string())
            .add_attribute("amount", amount.to_string());
        if amount.is_zero() {
            return Ok(event);
        }
        // The shares `amount` is worth pay their tokens truncated: after a slash that can be a
        // unit less, and only what came back is burned.
        let paid = MeshStaking
            .instant_undelegate(api, storage, router, block, contract, &validator, amount)?;
        if !paid.is_zero() {
            router.execute(
                api,
                storage,
                block,
                contract.clone(),
                BankMsg::Burn {
                    amount: vec![Coin::new(paid, &cap.denom)],
                }
                .into(),
            )?;
            ledger::record(storage, |l| l.mesh_burned += paid)?;
        }
        Ok(event.add_attribute("paid", paid.to_string()))
    }
}

/// `amount` must be in the cap's denom.
fn check_denom(cap: &Coin, amount: &Coin) -> StdResult<()> {
    if amount.denom != cap.denom {
        return Err(ModuleError::InvalidDenom {
            expected: cap.denom.clone(),
            got: amount.denom.clone(),
        }
        .into());
    }
    Ok(())
}

impl Module for MeshModule {
    type ExecT = VirtualStakeCustomMsg;
    type QueryT = VirtualStakeCustomQuery;
    type SudoT = Empty;

    fn execute<ExecC, QueryC>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
        sender: Addr,
        msg: VirtualStakeCustomMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        let VirtualStakeCustomMsg::VirtualStake(msg) = msg;
        let cap = self
            .max_cap(storage, &sender)?
            .ok_or_else(|| ModuleError::NoMaxCap {
                contract: sender.to_string(),
            })?;
        let event = match msg {
            VirtualStakeMsg::Bond { amount, validator } => self.bond(
                api, storage, router, block, &sender, &cap, amount, validator,
            )?,
            VirtualStakeMsg::Unbond { amount, validator } => self.unbond(
                api, storage, router, block, &sender, &cap, amount, validator,
            )?,
            VirtualStakeMsg::UpdateDelegation {
                amount,
                is_deduct,
                delegator,
                validator,
            } => {
                let change = to_uint128(amount.amount)?;
                let key = (&sender, validator.as_str(), delegator.as_str());
                let current = DELEGATOR_SHARES.may_load(storage, key)?.unwrap_or_default();
                let updated = if is_deduct {
                    current.saturating_sub(change)
                } else {
                    current + change
                };
                if updated.is_zero() {
                    DELEGATOR_SHARES.remove(storage, key);
                } else {
                    DELEGATOR_SHARES.save(storage, key, &updated)?;
                }
                Event::new("mesh_update_delegation")
                    .add_attribute("contract", sender.as_str())
                    .add_attribute("delegator", delegator)
                    .add_attribute("validator", validator)
                    .add_attribute("amount", updated.to_string())
            }
            VirtualStakeMsg::DeleteAllScheduledTasks {} => {
                Event::new("mesh_delete_all_scheduled_tasks")
                    .add_attribute("contract", sender.as_str())
            }
        };
        Ok(AppResponse {
            events: vec![event],
            ..Default::default()
        })
    }

    fn query(
        &self,
        api: &dyn Api,
        storage: &dyn Storage,
        _querier: &dyn Querier,
        _block: &BlockInfo,
        request: VirtualStakeCustomQuery,
    ) -> StdResult<Binary> {
        let VirtualStakeCustomQuery::VirtualStake(query) = request;
        let denom = MeshStaking.config(storage)?.bonded_denom;
        match query {
            VirtualStakeQuery::BondStatus { contract } => {
                let contract = api.addr_validate(&contract)?;
                let cap = self
                    .max_cap(storage, &contract)?
                    .unwrap_or_else(|| Coin::new(Uint128::zero(), &denom));
                let delegated = Coin::new(self.delegated(storage, &contract)?, &cap.denom);
                to_json_binary(&BondStatusResponse { cap, delegated })
            }
            VirtualStakeQuery::SlashRatio {} => {
                let (downtime, double_sign) = SLASH_RATIO.may_load(storage)?.unwrap_or_default();
                to_json_binary(&SlashRatioResponse {
                    slash_fraction_downtime: downtime.to_string(),
                    slash_fraction_double_sign: double_sign.to_string(),
                })
            }
            VirtualStakeQuery::TotalDelegation {
                contract,
                validator,
            } => {
                let contract = api.addr_validate(&contract)?;
                let amount = MeshStaking.delegation(storage, &contract, &validator)?;
                to_json_binary(&TotalDelegationResponse {
                    delegation: Coin::new(amount, &denom),
                })
            }
            VirtualStakeQuery::AllDelegations {
                contract,
                max_retrieve,
            } => {
                let contract = api.addr_validate(&contract)?;
                let take = usize::try_from(max_retrieve).unwrap_or(usize::MAX);
                let delegations = if DELEGATION_RECORDS.may_load(storage)?.unwrap_or(false) {
                    DELEGATOR_SHARES
                        .sub_prefix(&contract)
                        .range(storage, None, None, Order::Ascending)
                        .take(take)
                        .map(|r| {
                            r.map(|((validator, delegator), amount)| Delegation {
                                delegator,
                                validator,
                                amount,
                            })
                        })
                        .collect::<StdResult<Vec<_>>>()?
                } else {
                    MeshStaking
                        .delegations_of(storage, &contract)?
                        .into_iter()
                        .take(take)
                        .map(|(validator, amount)| Delegation {
                            delegator: String::new(),
                            validator,
                            amount,
                        })
                        .collect()
                };
                to_json_binary(&AllDelegationsResponse { delegations })
            }
        }
    }

    fn sudo<ExecC, QueryC>(
        &self,
        _api: &dyn Api,
        _storage: &mut dyn Storage,
        _router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        _block: &BlockInfo,
        _msg: Empty,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        Err(ModuleError::NoSudo {
            module: "mesh".to_string(),
        }
        .into())
    }
}
