//! From a scenario to the actors' topology: chains, validators, contracts, links.

use cosmwasm_std::{Coin, Decimal, Uint128};
use mesh_actors::actor::Delay;
use mesh_actors::chain::{ChainConfig, SlashFractions};
use mesh_actors::testnet::{
    bech32_prefix, ConsumerSpec, LinkSpec, ProviderSpec, TopologySpec, ValidatorSpec,
};

use crate::scenario as values;
use crate::scenario::{self as model, Scenario};

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

/// `Decimal` of a ratio (convenience for the runner).
pub fn ratio(r: &values::Ratio) -> Decimal {
    r.0
}
