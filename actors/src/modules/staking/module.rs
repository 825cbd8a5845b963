//! `Module` and `Staking` implementations: `StakingMsg`, `StakingQuery`, `StakingSudo`, and the
//! end-of-block unbonding queue.

use cosmwasm_std::{
    to_json_binary, Addr, AllDelegationsResponse, AllValidatorsResponse, Api, Binary, BlockInfo,
    BondedDenomResponse, Coin, CustomMsg, CustomQuery, Decimal, Delegation, DelegationResponse,
    Event, FullDelegation, Querier, StakingMsg, StakingQuery, StdError, StdResult, Storage,
    Uint128, Validator, ValidatorMetadata, ValidatorResponse,
};
use cw_multi_test::{AppResponse, CosmosRouter, Module, Staking, StakingSudo};
use serde::de::DeserializeOwned;

use super::state::{BlockRef, BondStatus, ValidatorInfo};
use super::MeshStaking;
use crate::modules::error::ModuleError;

impl Module for MeshStaking {
    type ExecT = StakingMsg;
    type QueryT = StakingQuery;
    type SudoT = StakingSudo;

    fn execute<ExecC, QueryC>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
        sender: Addr,
        msg: StakingMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        let config = Self::load_config(storage)?;
        let event = match msg {
            StakingMsg::Delegate { validator, amount } => {
                let amount = Self::check_coin(&config, &amount)?;
                self.delegate_tokens(api, storage, router, block, &sender, &validator, amount)?;
                Event::new("delegate")
                    .add_attribute("delegator", sender.as_str())
                    .add_attribute("validator", validator)
                    .add_attribute("amount", format!("{amount}{}", config.bonded_denom))
            }
            StakingMsg::Undelegate { validator, amount } => {
                let amount = Self::check_coin(&config, &amount)?;
                // As the SDK's event: the amount is what the shares paid (truncated), which can
                // be a unit below the amount asked for once the validator was slashed.
                let (completion, returned) =
                    self.undelegate(api, storage, router, block, &sender, &validator, amount)?;
                Event::new("unbond")
                    .add_attribute("delegator", sender.as_str())
                    .add_attribute("validator", validator)
                    .add_attribute("amount", format!("{returned}{}", config.bonded_denom))
                    .add_attribute("completion_time", completion.seconds().to_string())
            }
            StakingMsg::Redelegate {
                src_validator,
                dst_validator,
                amount,
            } => {
                let amount = Self::check_coin(&config, &amount)?;
                self.redelegate(
                    storage,
                    block,
                    &sender,
                    &src_validator,
                    &dst_validator,
                    amount,
                )?;
                Event::new("redelegate")
                    .add_attribute("delegator", sender.as_str())
                    .add_attribute("source_validator", src_validator)
                    .add_attribute("destination_validator", dst_validator)
                    .add_attribute("amount", format!("{amount}{}", config.bonded_denom))
            }
            other => {
                return Err(ModuleError::Unsupported {
                    module: "staking".to_string(),
                    what: format!("message {other:?}"),
                }
                .into())
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
        block: &BlockInfo,
        request: StakingQuery,
    ) -> StdResult<Binary> {
        let config = Self::load_config(storage)?;
        match request {
            StakingQuery::BondedDenom {} => {
                to_json_binary(&BondedDenomResponse::new(config.bonded_denom))
            }
            StakingQuery::AllDelegations { delegator } => {
                let delegator = api.addr_validate(&delegator)?;
                let delegations = self
                    .delegations_of(storage, &delegator)?
                    .into_iter()
                    .map(|(validator, amount)| {
                        Delegation::new(
                            delegator.clone(),
                            validator,
                            Coin::new(amount, &config.bonded_denom),
                        )
                    })
                    .collect();
                to_json_binary(&AllDelegationsResponse::new(delegations))
            }
            StakingQuery::Delegation {
                delegator,
                validator,
            } => {
                let delegator = api.addr_validate(&delegator)?;
                let amount = self.delegation(storage, &delegator, &validator)?;
                let delegation = if amount.is_zero() {
                    None
                } else {
                    let rewards =
                        self.pending_rewards(storage, block.time, &delegator, &validator)?;
                    let accumulated_rewards = if rewards.is_zero() {
                        vec![]
                    } else {
                        vec![Coin::new(rewards, &config.bonded_denom)]
                    };
                    // Nothing can be redelegated while a redelegation into it is in progress.
                    let can_redelegate =
                        if self.has_receiving_redelegation(storage, &delegator, &validator)? {
                            Uint128::zero()
                        } else {
                            amount
                        };
                    Some(FullDelegation::create(
                        delegator,
                        validator,
                        Coin::new(amount, &config.bonded_denom),
                        Coin::new(can_redelegate, &config.bonded_denom),
                        accumulated_rewards,
                    ))
                };
                to_json_binary(&DelegationResponse::new(delegation))
            }
            StakingQuery::AllValidators {} => {
                let validators = self
                    .validators(storage)?
                    .into_iter()
                    .filter(|v| v.status == BondStatus::Bonded)
                    .map(|v| ValidatorMetadata::from(to_validator(v)))
                    .collect();
                to_json_binary(&AllValidatorsResponse::new(validators))
            }
            StakingQuery::Validator { address } => {
                let validator = self
                    .validator(storage, &address)?
                    .filter(|v| v.status == BondStatus::Bonded)
                    .map(to_validator);
                to_json_binary(&ValidatorResponse::new(validator))
            }
            other => Err(ModuleError::Unsupported {
                module: "staking".to_string(),
                what: format!("query {other:?}"),
            }
            .into()),
        }
    }

    fn sudo<ExecC, QueryC>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
        msg: StakingSudo,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        match msg {
            StakingSudo::Slash {
                validator,
                percentage,
            } => {
                // A slash for an infraction in this block, on the validator's power now.
                let fraction = Decimal::try_from(percentage).map_err(StdError::from)?;
                let power = Self::load_validator(storage, &validator)?.power();
                let here = BlockRef {
                    height: block.height,
                    time: block.time,
                };
                let report = self.slash(
                    api, storage, router, block, &validator, here, power, fraction,
                )?;
                Ok(AppResponse {
                    events: vec![Event::new("slash")
                        .add_attribute("validator", validator)
                        .add_attribute("fraction", fraction.to_string())
                        .add_attribute("burned", report.total_burned().to_string())],
                    ..Default::default()
                })
            }
        }
    }
}

impl Staking for MeshStaking {
    fn process_queue<ExecC: CustomMsg, QueryC: CustomQuery>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
    ) -> StdResult<AppResponse> {
        self.process_unbondings(api, storage, router, block)
    }
}

/// The cosmwasm-std view of a validator (commission 0, no limits).
fn to_validator(info: ValidatorInfo) -> Validator {
    Validator::create(info.name, info.commission, Decimal::zero(), Decimal::zero())
}
