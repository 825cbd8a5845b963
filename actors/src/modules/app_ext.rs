//! The chain's privileged staking calls on an `App` whose staking module is [`MeshStaking`].
//! Each call runs at the App's current block; they check everything that can fail before
//! writing (they run outside a transaction).

use cosmwasm_std::{Addr, Api, CustomMsg, CustomQuery, Decimal, StdResult, Storage, Uint128};
use cw_multi_test::{App, Bank, Distribution, Gov, Ibc, Module, Stargate, Wasm};
use serde::de::DeserializeOwned;

use super::staking::{BlockRef, MeshStaking, SelfBondShares, SlashReport, StakingConfig};

/// Genesis and governance/evidence calls into [`MeshStaking`] at the App's current block.
pub trait MeshChainExt {
    /// Stores the staking configuration (genesis).
    fn setup_staking(&mut self, config: StakingConfig) -> StdResult<()>;
    /// Adds a bonded genesis validator, optionally minting and delegating a self-bond (one
    /// share per 1,000,000 tokens, as the reference test chains' genesis).
    fn add_validator(&mut self, name: &str, self_bond: Option<(Addr, Uint128)>) -> StdResult<()>;
    /// Creates a bonded validator mid-run (`MsgCreateValidator`): mints the self-bond to the
    /// operator and delegates it at one share per token.
    fn create_validator(&mut self, name: &str, operator: Addr, stake: Uint128) -> StdResult<()>;
    /// Downtime: slashes `fraction` of the validator's power and jails it.
    fn jail_validator(&mut self, name: &str, fraction: Decimal) -> StdResult<SlashReport>;
    /// Double sign: slashes `fraction` of `power` (default: the validator's power now), jails
    /// and tombstones it (final).
    fn tombstone_validator(
        &mut self,
        name: &str,
        fraction: Decimal,
        power: Option<u64>,
    ) -> StdResult<SlashReport>;
    /// Slashes a validator by `fraction` of its power now, for an infraction in this block,
    /// without changing its status.
    fn slash_validator(&mut self, name: &str, fraction: Decimal) -> StdResult<SlashReport>;
    /// Unjails a jailed validator.
    fn unjail_validator(&mut self, name: &str) -> StdResult<()>;
    /// The operator unbonds its whole self-bond: the validator leaves the set for good.
    fn remove_validator(&mut self, name: &str) -> StdResult<()>;
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
            router.staking.add_validator(
                api,
                storage,
                router,
                &block,
                name,
                self_bond,
                SelfBondShares::Genesis,
            )
        })
    }

    fn create_validator(&mut self, name: &str, operator: Addr, stake: Uint128) -> StdResult<()> {
        let block = self.block_info();
        self.init_modules(|router, api, storage| {
            let router = &*router;
            router.staking.add_validator(
                api,
                storage,
                router,
                &block,
                name,
                Some((operator, stake)),
                SelfBondShares::CreateValidator,
            )
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

    fn tombstone_validator(
        &mut self,
        name: &str,
        fraction: Decimal,
        power: Option<u64>,
    ) -> StdResult<SlashReport> {
        let block = self.block_info();
        self.init_modules(|router, api, storage| {
            let router = &*router;
            router
                .staking
                .tombstone(api, storage, router, &block, name, fraction, power)
        })
    }

    fn slash_validator(&mut self, name: &str, fraction: Decimal) -> StdResult<SlashReport> {
        let block = self.block_info();
        self.init_modules(|router, api, storage| {
            let router = &*router;
            let power = router
                .staking
                .validator(storage, name)?
                .map(|v| v.power())
                .unwrap_or_default();
            let here = BlockRef {
                height: block.height,
                time: block.time,
            };
            router
                .staking
                .slash(api, storage, router, &block, name, here, power, fraction)
        })
    }

    fn unjail_validator(&mut self, name: &str) -> StdResult<()> {
        let block = self.block_info();
        self.init_modules(|router, _, storage| router.staking.unjail(storage, &block, name))
    }

    fn remove_validator(&mut self, name: &str) -> StdResult<()> {
        let block = self.block_info();
        self.init_modules(|router, api, storage| {
            let router = &*router;
            router
                .staking
                .remove_validator(api, storage, router, &block, name)
        })
    }
}
