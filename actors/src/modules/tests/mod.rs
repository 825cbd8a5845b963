//! Tests of the chain modules on a bare App built with them (no contracts: module messages are
//! executed directly with the contract's address as sender, as the router would).

mod conservation;
mod distribution;
mod mesh;
mod provider;
mod rewards;
mod slashing;
mod staking;

use cosmwasm_std::testing::{MockApi, MockStorage};
use cosmwasm_std::{coin, Addr, BlockInfo, Decimal, StakingMsg, StdResult, Timestamp, Uint128};
use cw_multi_test::{
    App, AppBuilder, AppResponse, BankSudo, Executor, GovFailingModule, IbcFailingModule,
    WasmKeeper,
};
use mesh_apis::virtual_stake::{VirtualStakeCustomMsg, VirtualStakeCustomQuery};

use super::{
    MeshBank, MeshChainExt, MeshDistribution, MeshModule, MeshStaking, ProviderModule,
    StakingConfig,
};

/// The App of these tests: our modules, everything else stock.
pub(super) type TestApp = App<
    MeshBank,
    MockApi,
    MockStorage,
    MeshModule,
    WasmKeeper<VirtualStakeCustomMsg, VirtualStakeCustomQuery>,
    MeshStaking,
    MeshDistribution,
    IbcFailingModule,
    GovFailingModule,
    ProviderModule,
>;

/// Bonded denom.
pub(super) const DENOM: &str = "ujuno";
/// 21 days.
pub(super) const UNBONDING_TIME: u64 = 21 * 86_400;
/// Genesis time (whole seconds).
pub(super) const GENESIS_SECONDS: u64 = 1_700_000_000;

/// An App at genesis with the staking module configured (`apr` per year).
pub(super) fn app_with_apr(apr: Decimal) -> TestApp {
    let mut app: TestApp = AppBuilder::new_custom()
        .with_bank(MeshBank::default())
        .with_custom(MeshModule)
        .with_staking(MeshStaking)
        .with_distribution(MeshDistribution)
        .with_stargate(ProviderModule)
        .with_block(BlockInfo {
            height: 1,
            time: Timestamp::from_seconds(GENESIS_SECONDS),
            chain_id: "juno-1".to_string(),
        })
        .build(|_, _, _| {});
    app.setup_staking(StakingConfig {
        bonded_denom: DENOM.to_string(),
        unbonding_time: UNBONDING_TIME,
        apr,
    })
    .unwrap();
    app
}

/// An App without rewards, with validators "val1" and "val2" (no self-bond).
pub(super) fn app() -> TestApp {
    let mut app = app_with_apr(Decimal::zero());
    app.add_validator("val1", None).unwrap();
    app.add_validator("val2", None).unwrap();
    app
}

/// A user or contract address.
pub(super) fn addr(app: &TestApp, name: &str) -> Addr {
    app.api().addr_make(name)
}

/// Mints `amount` to `who` (test funding, outside the supply ledger).
pub(super) fn fund(app: &mut TestApp, who: &Addr, amount: u128) {
    app.sudo(
        BankSudo::Mint {
            to_address: who.to_string(),
            amount: vec![coin(amount, DENOM)],
        }
        .into(),
    )
    .unwrap();
}

/// `who`'s balance in the bonded denom.
pub(super) fn balance(app: &TestApp, who: &Addr) -> u128 {
    let amount = app.wrap().query_balance(who, DENOM).unwrap().amount;
    Uint128::try_from(amount).unwrap().u128()
}

/// Total supply of the bonded denom.
pub(super) fn supply(app: &TestApp) -> u128 {
    let amount = app.wrap().query_supply(DENOM).unwrap().amount;
    Uint128::try_from(amount).unwrap().u128()
}

/// Tokens held by the staking module account.
pub(super) fn module_balance(app: &TestApp) -> u128 {
    let module = MeshStaking::module_address(app.api()).unwrap();
    balance(app, &module)
}

/// Moves the chain `seconds` forward in one block (runs the unbonding queue).
pub(super) fn advance(app: &mut TestApp, seconds: u64) {
    app.update_block(|block| {
        block.time = block.time.plus_seconds(seconds);
        block.height += 1;
    });
}

/// `who` delegates `amount` to `validator`.
pub(super) fn delegate(
    app: &mut TestApp,
    who: &Addr,
    validator: &str,
    amount: u128,
) -> StdResult<AppResponse> {
    app.execute(
        who.clone(),
        StakingMsg::Delegate {
            validator: validator.to_string(),
            amount: coin(amount, DENOM),
        }
        .into(),
    )
}

/// `who` undelegates `amount` from `validator`.
pub(super) fn undelegate(
    app: &mut TestApp,
    who: &Addr,
    validator: &str,
    amount: u128,
) -> StdResult<AppResponse> {
    app.execute(
        who.clone(),
        StakingMsg::Undelegate {
            validator: validator.to_string(),
            amount: coin(amount, DENOM),
        }
        .into(),
    )
}

/// `who`'s delegation to `validator`.
pub(super) fn delegation(app: &TestApp, who: &Addr, validator: &str) -> u128 {
    app.read_module(|router, _, storage| router.staking.delegation(storage, who, validator))
        .unwrap()
        .u128()
}

/// `validator`'s bonded tokens.
pub(super) fn tokens(app: &TestApp, validator: &str) -> u128 {
    app.read_module(|router, _, storage| router.staking.validator_tokens(storage, validator))
        .unwrap()
        .u128()
}

/// The text of an error, for substring asserts.
pub(super) fn err_text<T: std::fmt::Debug>(result: StdResult<T>) -> String {
    result.unwrap_err().to_string()
}
