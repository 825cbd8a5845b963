//! From a scenario to the actors' topology: chains, validators, contracts, links.

use cosmwasm_std::{Coin, Decimal, Uint128};
use mesh_actors::actor::Delay;
use mesh_actors::chain::{ChainConfig, SlashFractions};
use mesh_actors::testnet::{ConsumerSpec, LinkSpec, ProviderSpec, TopologySpec, ValidatorSpec};

use mesh_actors::contracts::{Code, Codes, Role};
use mesh_actors::wasm::WasmCode;
use std::path::Path;

use crate::report::{ConsumerNames, ReportNames};
use crate::scenario as values;
use crate::scenario::{self as model, Action, ContractSource, Scenario};

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

/// Bech32 prefix for a chain: its id's letters, so addresses read like their chain.
fn prefix(chain_id: &str) -> String {
    let p: String = chain_id
        .chars()
        .filter(|c| c.is_ascii_lowercase())
        .take(10)
        .collect();
    if p.is_empty() {
        "chain".into()
    } else {
        p
    }
}

/// The topology of `scenario` (with `seed` instead of the scenario's when given).
pub fn topology(scenario: &Scenario, seed: Option<u64>) -> TopologySpec {
    let p = &scenario.provider;
    let mut chain = ChainConfig::new(&p.chain_id, &p.denom, &prefix(&p.chain_id));
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
            let mut chain = ChainConfig::new(&c.chain_id, &c.denom, &prefix(&c.chain_id));
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

/// The names the report of `scenario` uses.
pub fn report_names(scenario: &Scenario) -> ReportNames {
    let mut consumers: Vec<ConsumerNames> = scenario
        .consumers
        .iter()
        .map(|c| ConsumerNames {
            id: c.chain_id.clone(),
            validators: c.validators.iter().map(|v| v.name.clone()).collect(),
            accounts: vec![],
            denoms: vec![c.denom.clone()],
        })
        .collect();
    let mut provider_validators: Vec<String> = scenario
        .provider
        .validators
        .iter()
        .map(|v| v.name.clone())
        .collect();
    for step in &scenario.steps {
        match &step.action {
            Action::WithdrawRewards(w) => {
                if let Some(c) = consumers.iter_mut().find(|c| c.id == w.consumer) {
                    if !c.accounts.contains(&w.recipient) {
                        c.accounts.push(w.recipient.clone());
                    }
                }
            }
            // Validators created mid-run are reported like the genesis ones.
            Action::AddValidator(a) => {
                let list = if a.chain == scenario.provider.chain_id {
                    Some(&mut provider_validators)
                } else {
                    consumers
                        .iter_mut()
                        .find(|c| c.id == a.chain)
                        .map(|c| &mut c.validators)
                };
                if let Some(list) = list.filter(|l| !l.contains(&a.validator)) {
                    list.push(a.validator.clone());
                }
            }
            _ => {}
        }
    }
    for c in &mut consumers {
        c.accounts.sort();
    }
    let mut provider_denoms: Vec<String> = scenario
        .genesis_balances()
        .values()
        .flat_map(|b| b.keys().cloned())
        .chain(std::iter::once(scenario.provider.denom.clone()))
        .collect();
    provider_denoms.sort();
    provider_denoms.dedup();
    ReportNames {
        provider_denoms,
        users: scenario.accounts.keys().cloned().collect(),
        provider_validators,
        consumers,
    }
}

/// `Decimal` of a ratio (convenience for the runner).
pub fn ratio(r: &values::Ratio) -> Decimal {
    r.0
}
