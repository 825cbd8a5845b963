//! From a scenario to the actors' topology: chains, validators, contracts, links.

use cosmwasm_std::{Coin, Decimal, Uint128};
use mesh_actors::actor::Delay;
use mesh_actors::chain::{ChainConfig, SlashFractions};
use mesh_actors::testnet::{
    bech32_prefix, ConsumerSpec, LinkSpec, ProviderSpec, TopologySpec, ValidatorSpec,
};

use mesh_actors::contracts::{Code, Codes, Role};
use mesh_actors::wasm::WasmCode;
use std::path::Path;

use crate::scenario as values;
use crate::scenario::{self as model, ContractSource, Scenario};

fn ms_to_secs(ms: u64) -> u64 {
    ms / 1000
}

fn validators(list: &[model::ValidatorSpec]) -> Vec<ValidatorSpec> {
    list.iter()
        .map(|v| ValidatorSpec {
            name: v.name.clone(),
            stake: Uint128::new(v.stake.0),
        })
        .collect()
}

fn fractions(f: &model::SlashFractions) -> SlashFractions {
    SlashFractions {
        double_sign: f.double_sign.0,
        downtime: f.downtime.0,
    }
}

/// The relayer delay of a scenario delay.
pub fn delay(d: &values::Delay) -> Delay {
    match *d {
        values::Delay::Fixed(v) => Delay::Fixed(v.0),
        values::Delay::Range { min, max } => Delay::Range {
            min: min.0,
            max: max.0,
        },
    }
}

/// The topology of `scenario` (with `seed` instead of the scenario's when given).
pub fn topology(scenario: &Scenario, seed: Option<u64>) -> TopologySpec {
    let p = &scenario.provider;
    let mut chain = ChainConfig::new(&p.chain_id, &p.denom, &bech32_prefix(&p.chain_id));
    chain.block_time_ms = p.block_time.0.max(1);
    chain.unbonding_secs = ms_to_secs(p.unbonding_period.0);
    chain.slash_fractions = fractions(&p.slash_fractions);
    if let Some(limit) = p.gas_limit {
        chain.gas_limit = limit;
    }
    let accounts = scenario
        .genesis_balances()
        .into_iter()
        .map(|(user, balances)| {
            let coins = balances
                .into_iter()
                .filter(|(_, a)| a.0 > 0)
                .map(|(denom, a)| Coin::new(a.0, denom))
                .collect();
            (user, coins)
        })
        .collect();
    let provider = ProviderSpec {
        chain,
        validators: validators(&p.validators),
        native_slash_dsign: p.native_staking.slash_ratio_dsign.0,
        native_slash_offline: p.native_staking.slash_ratio_offline.0,
        accounts,
    };
    let consumers = scenario
        .consumers
        .iter()
        .map(|c| {
            let mut chain = ChainConfig::new(&c.chain_id, &c.denom, &bech32_prefix(&c.chain_id));
            chain.block_time_ms = c.block_time.0.max(1);
            chain.slash_fractions = fractions(&c.slash_fractions);
            chain.epoch_blocks = Some(c.epoch_blocks.max(1));
            if let Some(limit) = c.gas_limit {
                chain.gas_limit = limit;
            }
            // The consumer chain unbonds in the period external staking mirrors on the provider:
            // a validator it jailed stays slashable (evidence accepted) exactly as long as the
            // provider keeps its history.
            chain.unbonding_secs = ms_to_secs(c.external_staking.unbonding_period.0);
            ConsumerSpec {
                chain,
                validators: validators(&c.validators),
                price: c.price.0,
                discount: c.discount.0,
                max_cap: Uint128::new(c.max_cap.0),
                ext_unbonding_secs: ms_to_secs(c.external_staking.unbonding_period.0),
                ext_slash_dsign: c.external_staking.slash_ratio_dsign.0,
                ext_slash_offline: c.external_staking.slash_ratio_offline.0,
                link: LinkSpec {
                    delay: delay(&c.link.delay),
                    packet_timeout_secs: ms_to_secs(c.link.packet_timeout.0).max(1),
                },
            }
        })
        .collect();
    TopologySpec {
        codes: Default::default(),
        seed: seed.unwrap_or(scenario.seed),
        provider,
        consumers,
    }
}

/// The codes of `scenario`: `defaults`, with every role its `contracts` section names replaced
/// (relative `.wasm` paths are taken from `base_dir`, the scenario file's directory). Errors
/// name the file and the role (`contracts.vault`).
pub fn codes(scenario: &Scenario, base_dir: &Path, defaults: &Codes) -> Result<Codes, String> {
    let mut codes = defaults.clone();
    for (role, source) in &scenario.contracts {
        let target = Role::from_name(role.name()).expect("scenario roles are the runtime's roles");
        let code = match source {
            ContractSource::Native => Codes::default().get(target).clone(),
            ContractSource::Wasm(path) => {
                let file = base_dir.join(path);
                let code =
                    WasmCode::load(&file).map_err(|e| format!("contracts.{}: {e}", role.name()))?;
                Code::Wasm(code)
            }
        };
        codes.set(target, code);
    }
    Ok(codes)
}

/// `Decimal` of a ratio (convenience for the runner).
pub fn ratio(r: &values::Ratio) -> Decimal {
    r.0
}
