//! `TestMesh`: a test stand-in for the consumer chain's mesh module (docs/system.md ("The consumer's contracts and chain")).
//!
//! - `bond` fails above the contract's max cap, mints and delegates through the chain's
//!   staking module (so rewards accrue and can be withdrawn);
//! - `unbond` is clamped to what is delegated and undelegates (the test chain's unbonding time
//!   is ten years, so the tokens never come back: as good as burned);
//! - queries `bond_status`, `total_delegation`, `all_delegations` (validator order).

use cosmwasm_std::{
    to_json_binary, Addr, Api, Binary, BlockInfo, Coin, CustomMsg, CustomQuery, Empty, Event,
    Order, Querier, StakingMsg, StdError, StdResult, Storage, Uint128,
};
use cw_multi_test::{AppResponse, BankSudo, CosmosRouter, Module};
use cw_storage_plus::Map;
use mesh_apis::virtual_stake::{
    AllDelegationsResponse, BondStatusResponse, Delegation, TotalDelegationResponse,
    VirtualStakeCustomMsg, VirtualStakeCustomQuery, VirtualStakeMsg, VirtualStakeQuery,
};
use serde::de::DeserializeOwned;

/// The test chain's bonded denom.
pub const DENOM: &str = "ujuno";

const CAPS: Map<&Addr, Uint128> = Map::new("test_mesh_caps");
const DELEGATED: Map<(&Addr, &str), Uint128> = Map::new("test_mesh_delegated");

/// The test mesh module (state in the App's storage).
#[derive(Default)]
pub struct TestMesh;

impl TestMesh {
    /// Governance: give `contract` a max cap.
    pub fn set_cap(&self, storage: &mut dyn Storage, contract: &Addr, cap: u128) {
        CAPS.save(storage, contract, &Uint128::new(cap)).unwrap();
    }

    /// What `contract` has delegated to `validator`.
    pub fn delegated(&self, storage: &dyn Storage, contract: &Addr, validator: &str) -> Uint128 {
        DELEGATED
            .may_load(storage, (contract, validator))
            .unwrap()
            .unwrap_or_default()
    }

    /// All of `contract`'s non-zero delegations, by validator.
    pub fn delegations(&self, storage: &dyn Storage, contract: &Addr) -> Vec<(String, u128)> {
        DELEGATED
            .prefix(contract)
            .range(storage, None, None, Order::Ascending)
            .map(|r| r.map(|(v, a)| (v, a.u128())))
            .collect::<StdResult<_>>()
            .unwrap()
    }

    fn total(&self, storage: &dyn Storage, contract: &Addr) -> Uint128 {
        self.delegations(storage, contract)
            .iter()
            .map(|(_, a)| Uint128::new(*a))
            .sum()
    }
}

impl Module for TestMesh {
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
        let cap = CAPS
            .may_load(storage, &sender)?
            .ok_or_else(|| StdError::msg(format!("{sender} has no max cap")))?;
        let event = match msg {
            VirtualStakeMsg::Bond { amount, validator } => {
                let amount = Uint128::try_from(amount.amount)?;
                let delegated = self.total(storage, &sender);
                if delegated + amount > cap {
                    return Err(StdError::msg(format!(
                        "max cap exceeded: cap {cap}, delegated {delegated}, bond {amount}"
                    )));
                }
                let coin = Coin::new(amount, DENOM);
                router.sudo(
                    api,
                    storage,
                    block,
                    BankSudo::Mint {
                        to_address: sender.to_string(),
                        amount: vec![coin.clone()],
                    }
                    .into(),
                )?;
                router.execute(
                    api,
                    storage,
                    block,
                    sender.clone(),
                    StakingMsg::Delegate {
                        validator: validator.clone(),
                        amount: coin,
                    }
                    .into(),
                )?;
                let now = self.delegated(storage, &sender, &validator) + amount;
                DELEGATED.save(storage, (&sender, &validator), &now)?;
                Event::new("test_mesh_bond")
                    .add_attribute("validator", validator)
                    .add_attribute("amount", amount.to_string())
            }
            VirtualStakeMsg::Unbond { amount, validator } => {
                let have = self.delegated(storage, &sender, &validator);
                let amount = Uint128::try_from(amount.amount)?.min(have);
                if !amount.is_zero() {
                    router.execute(
                        api,
                        storage,
                        block,
                        sender.clone(),
                        StakingMsg::Undelegate {
                            validator: validator.clone(),
                            amount: Coin::new(amount, DENOM),
                        }
                        .into(),
                    )?;
                    if have == amount {
                        DELEGATED.remove(storage, (&sender, &validator));
                    } else {
                        DELEGATED.save(storage, (&sender, &validator), &(have - amount))?;
                    }
                }
                Event::new("test_mesh_unbond")
                    .add_attribute("validator", validator)
                    .add_attribute("amount", amount.to_string())
            }
            other => return Err(StdError::msg(format!("unsupported in tests: {other:?}"))),
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
        match query {
            VirtualStakeQuery::BondStatus { contract } => {
                let contract = api.addr_validate(&contract)?;
                let cap = CAPS.may_load(storage, &contract)?.unwrap_or_default();
                to_json_binary(&BondStatusResponse {
                    cap: Coin::new(cap, DENOM),
                    delegated: Coin::new(self.total(storage, &contract), DENOM),
                })
            }
            VirtualStakeQuery::TotalDelegation {
                contract,
                validator,
            } => {
                let contract = api.addr_validate(&contract)?;
                to_json_binary(&TotalDelegationResponse {
                    delegation: Coin::new(self.delegated(storage, &contract, &validator), DENOM),
                })
            }
            VirtualStakeQuery::AllDelegations {
                contract,
                max_retrieve,
            } => {
                let contract = api.addr_validate(&contract)?;
                let delegations = self
                    .delegations(storage, &contract)
                    .into_iter()
                    .take(usize::from(max_retrieve))
                    .map(|(validator, amount)| Delegation {
                        validator,
                        amount: Uint128::new(amount),
                    })
                    .collect();
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
        Err(StdError::msg("no sudo"))
    }
}
