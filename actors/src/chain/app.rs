//! The cw-multi-test App every chain runs, its configuration and construction.

use cosmwasm_std::testing::MockStorage;
use cosmwasm_std::{Decimal, Empty, Timestamp};
use cw_multi_test::{
    App, AppBuilder, BankKeeper, DistributionKeeper, FailingModule, GovAcceptingModule,
    MockApiBech32, StakeKeeper, StargateFailing, WasmKeeper,
};
use mesh_apis::virtual_stake::{VirtualStakeCustomMsg, VirtualStakeCustomQuery};

use crate::ibc::IbcOutbox;

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
}

impl ChainConfig {
    /// A chain with the defaults of system.md §8.
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
        }
    }
}

/// The chain modules: custom (mesh), staking, distribution.
pub type MeshCustom = FailingModule<VirtualStakeCustomMsg, VirtualStakeCustomQuery, Empty>;
/// Staking module of every chain.
pub type MeshStakingModule = StakeKeeper;
/// Distribution module of every chain.
pub type MeshDistributionModule = DistributionKeeper;

/// The App type of every chain.
pub type MeshApp = App<
    BankKeeper,
    MockApiBech32,
    MockStorage,
    MeshCustom,
    WasmKeeper<VirtualStakeCustomMsg, VirtualStakeCustomQuery>,
    MeshStakingModule,
    MeshDistributionModule,
    IbcOutbox,
    GovAcceptingModule,
    StargateFailing,
>;

/// Build a chain's App.
pub fn build_app(cfg: &ChainConfig) -> MeshApp {
    let prefix: &'static str = Box::leak(cfg.bech32_prefix.clone().into_boxed_str());
    AppBuilder::new_custom()
        .with_api(MockApiBech32::new(prefix))
        .with_custom(MeshCustom::default())
        .with_wasm(WasmKeeper::default())
        .with_staking(StakeKeeper::default())
        .with_distribution(DistributionKeeper::default())
        .with_ibc(IbcOutbox)
        .with_gov(GovAcceptingModule::default())
        .with_stargate(StargateFailing)
        .build(|_, _, _| {})
}

/// When the next unbonding in the staking module completes, if any.
pub fn next_unbonding_completion(_app: &MeshApp) -> Option<Timestamp> {
    None
}
