//! `MeshDistribution`: the chain's distribution module (plugged in with
//! `AppBuilder::with_distribution`). Rewards accrue in [`MeshStaking`]; withdrawing mints them in
//! the bonded denom to the delegator's withdraw address and records the mint in the supply ledger.

use cosmwasm_std::{
    to_json_binary, Addr, Api, BankMsg, Binary, BlockInfo, CanonicalAddr, Coin, CustomMsg,
    CustomQuery, DecCoin, Decimal256, DelegationRewardsResponse, DelegationTotalRewardsResponse,
    DelegatorReward, DelegatorValidatorsResponse, DelegatorWithdrawAddressResponse,
    DistributionMsg, DistributionQuery, Empty, Event, Querier, StdResult, Storage, Uint128,
};
use cw_multi_test::{AppResponse, BankSudo, CosmosRouter, Distribution, Module};
use cw_storage_plus::Map;
use serde::de::DeserializeOwned;

use super::error::ModuleError;
use super::ledger::{self, supply_ledger};
use super::staking::{take_rewards, MeshStaking};

/// Raw bytes of the community pool account.
const COMMUNITY_POOL: &[u8] = b"mesh_community_pool";

/// Withdraw addresses that differ from the delegator.
const WITHDRAW_ADDRESS: Map<&Addr, Addr> = Map::new("mesh_distribution_withdraw_address");

/// The distribution module. Stateless; state lives in the App's storage.
#[derive(Clone, Copy, Debug, Default)]
pub struct MeshDistribution;

impl MeshDistribution {
    /// Where `delegator`'s rewards go (itself unless it set another address).
    pub fn withdraw_address(&self, storage: &dyn Storage, delegator: &Addr) -> StdResult<Addr> {
        Ok(WITHDRAW_ADDRESS
            .may_load(storage, delegator)?
            .unwrap_or_else(|| delegator.clone()))
    }

    /// All rewards minted so far (whole tokens, bonded denom).
    pub fn total_rewards_minted(&self, storage: &dyn Storage) -> StdResult<Uint128> {
        Ok(supply_ledger(storage)?.rewards_minted)
    }

    /// The account `FundCommunityPool` pays into.
    pub fn community_pool_address(api: &dyn Api) -> StdResult<Addr> {
        api.addr_humanize(&CanonicalAddr::from(COMMUNITY_POOL))
    }

    /// Withdraws `delegator`'s whole-token rewards from `validator`: mints them to its withdraw
    /// address (nothing minted when zero). Returns the amount.
    #[allow(clippy::too_many_arguments)]
    pub fn withdraw_rewards<R: CosmosRouter + ?Sized>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &R,
        block: &BlockInfo,
        delegator: &Addr,
        validator: &str,
    ) -> StdResult<Uint128> {
        let config = MeshStaking.config(storage)?;
        let paid = take_rewards(storage, block.time, delegator, validator)?;
        if !paid.is_zero() {
            let receiver = self.withdraw_address(storage, delegator)?;
            router.sudo(
                api,
                storage,
                block,
                BankSudo::Mint {
                    to_address: receiver.to_string(),
                    amount: vec![Coin::new(paid, &config.bonded_denom)],
                }
                .into(),
            )?;
            ledger::record(storage, |l| l.rewards_minted += paid)?;
        }
        Ok(paid)
    }

    fn rewards_dec_coins(
        storage: &dyn Storage,
        block: &BlockInfo,
        delegator: &Addr,
        validator: &str,
    ) -> StdResult<Vec<DecCoin>> {
        let config = MeshStaking.config(storage)?;
        let rewards = MeshStaking.pending_rewards(storage, block.time, delegator, validator)?;
        Ok(if rewards.is_zero() {
            vec![]
        } else {
            vec![DecCoin::new(
                Decimal256::from_atomics(rewards, 0)?,
                config.bonded_denom,
            )]
        })
    }
}

impl Distribution for MeshDistribution {}

impl Module for MeshDistribution {
    type ExecT = DistributionMsg;
    type QueryT = DistributionQuery;
    type SudoT = Empty;

    fn execute<ExecC, QueryC>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
        sender: Addr,
        msg: DistributionMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        let event = match msg {
            DistributionMsg::SetWithdrawAddress { address } => {
                let address = api.addr_validate(&address)?;
                if address == sender {
                    WITHDRAW_ADDRESS.remove(storage, &sender);
                } else {
                    WITHDRAW_ADDRESS.save(storage, &sender, &address)?;
                }
                Event::new("set_withdraw_address")
                    .add_attribute("delegator", sender.as_str())
                    .add_attribute("withdraw_address", address.as_str())
            }
            DistributionMsg::WithdrawDelegatorReward { validator } => {
                let paid =
                    self.withdraw_rewards(api, storage, router, block, &sender, &validator)?;
                Event::new("withdraw_rewards")
                    .add_attribute("delegator", sender.as_str())
                    .add_attribute("validator", validator)
                    .add_attribute("amount", paid.to_string())
            }
            DistributionMsg::FundCommunityPool { amount } => {
                router.execute(
                    api,
                    storage,
                    block,
                    sender.clone(),
                    BankMsg::Send {
                        to_address: Self::community_pool_address(api)?.to_string(),
                        amount,
                    }
                    .into(),
                )?;
                Event::new("fund_community_pool").add_attribute("depositor", sender.as_str())
            }
            other => {
                return Err(ModuleError::Unsupported {
                    module: "distribution".to_string(),
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
        request: DistributionQuery,
    ) -> StdResult<Binary> {
        match request {
            DistributionQuery::DelegatorWithdrawAddress { delegator_address } => {
                let delegator = api.addr_validate(&delegator_address)?;
                to_json_binary(&DelegatorWithdrawAddressResponse::new(
                    self.withdraw_address(storage, &delegator)?,
                ))
            }
            DistributionQuery::DelegationRewards {
                delegator_address,
                validator_address,
            } => {
                let delegator = api.addr_validate(&delegator_address)?;
                to_json_binary(&DelegationRewardsResponse::new(Self::rewards_dec_coins(
                    storage,
                    block,
                    &delegator,
                    &validator_address,
                )?))
            }
            DistributionQuery::DelegationTotalRewards { delegator_address } => {
                let delegator = api.addr_validate(&delegator_address)?;
                let config = MeshStaking.config(storage)?;
                let mut rewards = vec![];
                let mut total = Uint128::zero();
                for validator in MeshStaking.delegator_validators(storage, &delegator)? {
                    let amount =
                        MeshStaking.pending_rewards(storage, block.time, &delegator, &validator)?;
                    total += amount;
                    let coins = Self::rewards_dec_coins(storage, block, &delegator, &validator)?;
                    rewards.push(DelegatorReward::new(validator, coins));
                }
                let total = if total.is_zero() {
                    vec![]
                } else {
                    vec![DecCoin::new(
                        Decimal256::from_atomics(total, 0)?,
                        config.bonded_denom,
                    )]
                };
                to_json_binary(&DelegationTotalRewardsResponse::new(rewards, total))
            }
            DistributionQuery::DelegatorValidators { delegator_address } => {
                let delegator = api.addr_validate(&delegator_address)?;
                let validators = MeshStaking
                    .delegations_of(storage, &delegator)?
                    .into_iter()
                    .map(|(validator, _)| validator)
                    .collect();
                to_json_binary(&DelegatorValidatorsResponse::new(validators))
            }
            #[allow(unreachable_patterns)]
            other => Err(ModuleError::Unsupported {
                module: "distribution".to_string(),
                what: format!("query {other:?}"),
            }
            .into()),
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
            module: "distribution".to_string(),
        }
        .into())
    }
}
