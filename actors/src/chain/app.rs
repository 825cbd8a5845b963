//! The cw-multi-test App every chain runs, its configuration and construction.

use cosmwasm_std::{Addr, Coin, Decimal, Timestamp, Uint128};
use cw_multi_test::{App, AppBuilder, GovAcceptingModule, WasmKeeper};
use mesh_apis::virtual_stake::{VirtualStakeCustomMsg, VirtualStakeCustomQuery};

use super::addresses::CountingAddresses;
use super::api::CachedApi;
use super::storage::TrackedStorage;
use crate::ibc::IbcOutbox;
use crate::modules::{
    MeshBank, MeshChainExt, MeshDistribution, MeshModule, MeshStaking, ProviderModule,
    ProviderParams, StakingConfig,
};

/// Time of block 1 on every chain: 2026-01-01T00:00:00Z.
pub const GENESIS_TIME: Timestamp = Timestamp::from_seconds(1_767_225_600);

/// What a chain slashes for each kind of fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlashFractions {
    /// Double signing (tombstone).
    pub double_sign: Decimal,
    /// Downtime (jail).
    pub downtime: Decimal,
}

impl Default for SlashFractions {
    fn default() -> Self {
        SlashFractions {
            double_sign: Decimal::percent(20),
            downtime: Decimal::percent(10),
        }
    }
}

/// Static configuration of a chain.
#[derive(Clone, Debug)]
pub struct ChainConfig {
    /// Chain id (also its name in reports).
    pub chain_id: String,
    /// Staking denom.
    pub denom: String,
    /// Bech32 prefix of its addresses.
    pub bech32_prefix: String,
    /// Time between blocks, ms.
    pub block_time_ms: u64,
    /// Unbonding period of the staking module, seconds.
    pub unbonding_secs: u64,
    /// Slash fractions.
    pub slash_fractions: SlashFractions,
    /// Blocks between epochs (consumer chains).
    pub epoch_blocks: Option<u64>,
    /// Annual staking reward rate.
    pub apr: Decimal,
    /// Time of block 1.
    pub genesis_time: Timestamp,
    /// Most gas one transaction may use when contracts run as wasm (CosmWasm gas; see
    /// [`crate::wasm::gas`]).
    pub gas_limit: u64,
}

impl ChainConfig {
    /// A chain with the defaults of docs/system.md ("Defaults").
    pub fn new(chain_id: &str, denom: &str, bech32_prefix: &str) -> Self {
        ChainConfig {
            chain_id: chain_id.to_string(),
            denom: denom.to_string(),
            bech32_prefix: bech32_prefix.to_string(),
            block_time_ms: 5_000,
            unbonding_secs: 21 * 86_400,
            slash_fractions: SlashFractions::default(),
            epoch_blocks: None,
            apr: Decimal::percent(10),
            genesis_time: GENESIS_TIME,
            gas_limit: crate::wasm::DEFAULT_TX_GAS_LIMIT,
        }
    }
}

/// The App type of every chain (provider and consumers alike; the provider simply gives no
/// contract a max cap in its mesh module).
pub type MeshApp = App<
    MeshBank,
    CachedApi,
    TrackedStorage,
    MeshModule,
    WasmKeeper<VirtualStakeCustomMsg, VirtualStakeCustomQuery>,
    MeshStaking,
    MeshDistribution,
    IbcOutbox,
    GovAcceptingModule,
    ProviderModule,
>;

/// Build a chain's App with its staking configuration.
pub fn build_app(cfg: &ChainConfig) -> MeshApp {
    let prefix: &'static str = Box::leak(cfg.bech32_prefix.clone().into_boxed_str());
    let mut app = AppBuilder::new_custom()
        .with_bank(MeshBank::default())
        .with_api(CachedApi::new(prefix))
        .with_storage(TrackedStorage::default())
        .with_custom(MeshModule)
        .with_wasm(WasmKeeper::default().with_address_generator(CountingAddresses))
        .with_staking(MeshStaking)
        .with_distribution(MeshDistribution)
        .with_ibc(IbcOutbox)
        .with_gov(GovAcceptingModule::default())
        .with_stargate(ProviderModule)
        .build(|_, _, _| {});
    app.setup_staking(StakingConfig {
        bonded_denom: cfg.denom.clone(),
        unbonding_time: cfg.unbonding_secs,
        apr: cfg.apr,
    })
    .expect("a fresh staking module accepts its configuration");
    let fractions = &cfg.slash_fractions;
    app.init_modules(|router, _, storage| {
        router
            .custom
            .set_slash_ratio(storage, fractions.downtime, fractions.double_sign)
    })
    .expect("the mesh module stores its slash ratio");
    app.storage_mut()
        .watch(MeshStaking::unbonding_queue_prefix());
    app
}

/// When the next unbonding in the staking module completes, if any.
pub fn next_unbonding_completion(app: &MeshApp) -> Option<Timestamp> {
    app.read_module(|router, _, storage| router.staking.next_unbonding_completion(storage))
        .ok()
        .flatten()
}

/// Genesis: mint `coins` to `addr`.
pub fn mint(app: &mut MeshApp, addr: &Addr, coins: Vec<Coin>) -> Result<(), String> {
    app.init_modules(|router, _, storage| router.bank.init_balance(storage, addr, coins))
        .map_err(|e| super::error_text(&e))
}

/// Genesis: create validator `name` with a self-bond of `stake` from its operator account.
pub fn genesis_validator(app: &mut MeshApp, name: &str, stake: Uint128) -> Result<(), String> {
    let operator = app.api().addr_make(&format!("{name}-operator"));
    let self_bond = (!stake.is_zero()).then_some((operator, stake));
    app.add_validator(name, self_bond)
        .map_err(|e| super::error_text(&e))
}

/// Governance: set the max cap of a contract in the mesh module.
pub fn set_max_cap(app: &mut MeshApp, contract: &Addr, cap: Uint128) -> Result<(), String> {
    let denom = app
        .read_module(|router, _, storage| router.staking.config(storage))
        .map_err(|e| super::error_text(&e))?
        .bonded_denom;
    app.init_modules(|router, _, storage| {
        router
            .custom
            .set_max_cap(storage, contract, Coin::new(cap, denom))
    })
    .map_err(|e| super::error_text(&e))
}

/// Governance: the vault and native staking contracts the provider module serves.
pub fn set_provider_params(app: &mut MeshApp, params: &ProviderParams) -> Result<(), String> {
    app.init_modules(|router, _, storage| router.stargate.set_params(storage, params))
        .map_err(|e| super::error_text(&e))
}

/// Genesis: the mesh module answers `all_delegations` from `update_delegation` records, as the
/// SDK's `x/meshsecurity` does.
pub fn use_delegation_records(app: &mut MeshApp) -> Result<(), String> {
    app.init_modules(|router, _, storage| router.custom.set_delegation_records(storage, true))
        .map_err(|e| super::error_text(&e))
}
