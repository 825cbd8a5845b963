//! The chain's privileged staking calls on an `App` whose staking module is [`MeshStaking`].
//! Each call runs at the App's current block; they check everything that can fail before
//! writing (they run outside a transaction).

use cosmwasm_std::{Addr, Api, CustomMsg, CustomQuery, Decimal, StdResult, Storage, Uint128};
use cw_multi_test::{App, Bank, Distribution, Gov, Ibc, Module, Stargate, Wasm};
use serde::de::DeserializeOwned;

use super::staking::{MeshStaking, SlashReport, StakingConfig};

/// Genesis and governance/evidence calls into [`MeshStaking`] at the App's current block.
pub trait MeshChainExt {
    /// Stores the staking configuration (genesis).
    fn setup_staking(&mut self, config: StakingConfig) -> StdResult<()>;
    /// Adds a bonded validator, optionally minting and delegating a self-bond.
    fn add_validator(&mut self, name: &str, self_bond: Option<(Addr, Uint128)>) -> StdResult<()>;
    /// Jails a bonded validator and slashes it by `fraction`.
    fn jail_validator(&mut self, name: &str, fraction: Decimal) -> StdResult<SlashReport>;
    /// Tombstones a validator (final) and slashes it by `fraction`.
    fn tombstone_validator(&mut self, name: &str, fraction: Decimal) -> StdResult<SlashReport>;
    /// Slashes a validator by `fraction` without changing its status.
    fn slash_validator(&mut self, name: &str, fraction: Decimal) -> StdResult<SlashReport>;
    /// Unjails a jailed validator.
    fn unjail_validator(&mut self, name: &str) -> StdResult<()>;
    /// Takes a validator out of the set (status unbonded).
    fn remove_validator(&mut self, name: &str) -> StdResult<()>;
    /// Brings an unbonded validator back into the set (status bonded).
    fn rebond_validator(&mut self, name: &str) -> StdResult<()>;
}

impl<BankT, ApiT, StorageT, CustomT, WasmT, DistrT, IbcT, GovT, StargateT> MeshChainExt
    for App<BankT, ApiT, StorageT, CustomT, WasmT, MeshStaking, DistrT, IbcT, GovT, StargateT>
where
    CustomT::ExecT: CustomMsg + DeserializeOwned + 'static,
    CustomT::QueryT: CustomQuery + DeserializeOwned + 'static,
    WasmT: Wasm<CustomT::ExecT, CustomT::QueryT>,
    BankT: Bank,
    ApiT: Api,
    StorageT: Storage,
    CustomT: Module,
    DistrT: Distribution,
    IbcT: Ibc,
    GovT: Gov,
    StargateT: Stargate,
{
    fn setup_staking(&mut self, config: StakingConfig) -> StdResult<()> {
        self.init_modules(|router, _, storage| router.staking.setup(storage, config))
    }

    fn add_validator(&mut self, name: &str, self_bond: Option<(Addr, Uint128)>) -> StdResult<()> {
        let block = self.block_info();
        self.init_modules(|router, api, storage| {
            let router = &*router;
            router
                .staking
                .add_validator(api, storage, router, &block, name, self_bond)
        })
    }

    fn jail_validator(&mut self, name: &str, fraction: Decimal) -> StdResult<SlashReport> {
        let block = self.block_info();
        self.init_modules(|router, api, storage| {
            let router = &*router;
            router
                .staking
                .jail(api, storage, router, &block, name, fraction)
        })
    }

    fn tombstone_validator(&mut self, name: &str, fraction: Decimal) -> StdResult<SlashReport> {
        let block = self.block_info();
        self.init_modules(|router, api, storage| {
            let router = &*router;
            router
                .staking
                .tombstone(api, storage, router, &block, name, fraction)
        })
    }

    fn slash_validator(&mut self, name: &str, fraction: Decimal) -> StdResult<SlashReport> {
        let block = self.block_info();
        self.init_modules(|router, api, storage| {
            let router = &*router;
            router
                .staking
                .slash(api, storage, router, &block, name, fraction)
        })
    }

    fn unjail_validator(&mut self, name: &str) -> StdResult<()> {
        let block = self.block_info();
        self.init_modules(|router, _, storage| router.staking.unjail(storage, &block, name))
    }

    fn remove_validator(&mut self, name: &str) -> StdResult<()> {
        let block = self.block_info();
        self.init_modules(|router, _, storage| {
            router.staking.remove_validator(storage, &block, name)
        })
    }

    fn rebond_validator(&mut self, name: &str) -> StdResult<()> {
        let block = self.block_info();
        self.init_modules(|router, _, storage| {
            router.staking.rebond_validator(storage, &block, name)
        })
    }
}
