//! Genesis: build every chain, store the codes, create validators and accounts, and instantiate
//! the contracts — all before any actor runs, so the topology is fixed when time starts.

use cosmwasm_std::{to_json_binary, Addr, Coin};
use cw_multi_test::Executor;
use mesh_apis::{converter, external_staking, native_staking, price_feed, vault};
use std::collections::BTreeMap;

use super::spec::{ConsumerSpec, TopologySpec, ValidatorSpec};
use crate::actor::relayer::CONNECTION_ID;
use crate::chain::{app, Chain};
use crate::contracts::{Codes, Role};

/// The account that instantiates contracts and acts as governance.
pub const GOVERNANCE: &str = "gov";

/// A deployed contract.
#[derive(Clone, Debug)]
pub struct Deployed {
    /// Its name in reports and traces.
    pub name: String,
    /// The chain it lives on.
    pub chain_id: String,
    /// Its address.
    pub addr: Addr,
}

/// The name of contract `contract` (`converter`, `virtual-staking`, `price-feed`) of
/// `consumer`: the display of its [`ContractId`](super::ContractId).
pub fn consumer_contract(consumer: &str, contract: &str) -> String {
    format!("{consumer}:{contract}")
}

/// Every chain after genesis, with the contracts deployed on it.
pub struct Genesis {
    /// The chains, provider first.
    pub chains: Vec<Chain>,
    /// Contracts by name.
    pub contracts: BTreeMap<String, Deployed>,
}

fn instantiate<T: serde::Serialize>(
    chain: &mut Chain,
    code_id: u64,
    msg: &T,
    label: &str,
) -> Result<Addr, String> {
    let gov = chain.addr(GOVERNANCE);
    chain
        .metered(|app| {
            app.instantiate_contract(code_id, gov.clone(), msg, &[], label, Some(gov.to_string()))
        })
        .map_err(|e| format!("instantiating {label}: {}", crate::chain::error_text(&e)))
}

fn add_validators(chain: &mut Chain, validators: &[ValidatorSpec]) -> Result<(), String> {
    for v in validators {
        app::genesis_validator(chain.app(), &v.name, v.stake)
            .map_err(|e| format!("validator {}: {e}", v.name))?;
    }
    Ok(())
}

fn deploy_consumer(
    spec: &ConsumerSpec,
    provider_denom: &str,
    codes: &Codes,
) -> Result<(Chain, Vec<Deployed>), String> {
    let mut chain = Chain::new(spec.chain.clone());
    add_validators(&mut chain, &spec.validators)?;
    let id = spec.chain.chain_id.clone();
    let feed_code = chain.store_code(&codes.price_feed, Role::PriceFeed);
    let converter_code = chain.store_code(&codes.converter, Role::Converter);
    let virtual_code = chain.store_code(&codes.virtual_staking, Role::VirtualStaking);
    let feed = instantiate(
        &mut chain,
        feed_code,
        &price_feed::InstantiateMsg {
            native_per_foreign: spec.price,
            owner: None,
        },
        "price-feed",
    )?;
    let conv = instantiate(
        &mut chain,
        converter_code,
        &converter::InstantiateMsg {
            price_feed: feed.to_string(),
            discount: spec.discount,
            remote_denom: provider_denom.to_string(),
            virtual_staking_code_id: virtual_code,
            admin: None,
            max_retrieve: 100,
        },
        "converter",
    )?;
    let cfg: converter::ConfigResponse =
        chain.query_json(&conv, &converter::QueryMsg::Config {})?;
    let virtual_staking = Addr::unchecked(cfg.virtual_staking);
    app::set_max_cap(chain.app(), &virtual_staking, spec.max_cap)?;
    chain.set_virtual_staking(virtual_staking.clone());
    chain.name_contract(&feed, &consumer_contract(&id, "price-feed"));
    chain.name_contract(&conv, &consumer_contract(&id, "converter"));
    chain.name_contract(&virtual_staking, &consumer_contract(&id, "virtual-staking"));
    let deployed = vec![
        Deployed {
            name: consumer_contract(&id, "price-feed"),
            chain_id: id.clone(),
            addr: feed,
        },
        Deployed {
            name: consumer_contract(&id, "converter"),
            chain_id: id.clone(),
            addr: conv,
        },
        Deployed {
            name: consumer_contract(&id, "virtual-staking"),
            chain_id: id,
            addr: virtual_staking,
        },
    ];
    Ok((chain, deployed))
}

/// Build every chain of `spec` at genesis.
pub fn genesis(spec: &TopologySpec) -> Result<Genesis, String> {
    let p = &spec.provider;
    let codes = &spec.codes;
    let mut provider = Chain::new(p.chain.clone());
    add_validators(&mut provider, &p.validators)?;
    for (name, coins) in &p.accounts {
        let addr = provider.addr(name);
        app::mint(provider.app(), &addr, coins.clone())?;
    }
    let vault_code = provider.store_code(&codes.vault, Role::Vault);
    let native_code = provider.store_code(&codes.native_staking, Role::NativeStaking);
    let proxy_code = provider.store_code(&codes.native_staking_proxy, Role::NativeStakingProxy);
    let external_code = provider.store_code(&codes.external_staking, Role::ExternalStaking);
    let denom = p.chain.denom.clone();
    let native_msg = native_staking::InstantiateMsg {
        denom: denom.clone(),
        proxy_code_id: proxy_code,
        slash_ratio_dsign: p.native_slash_dsign,
        slash_ratio_offline: p.native_slash_offline,
    };
    let vault_addr = instantiate(
        &mut provider,
        vault_code,
        &vault::InstantiateMsg {
            denom: denom.clone(),
            local_staking: Some(vault::LocalStakingInfo {
                code_id: native_code,
                msg: to_json_binary(&native_msg).map_err(|e| e.to_string())?,
                label: Some("native-staking".into()),
            }),
        },
        "vault",
    )?;
    let vault_cfg: vault::ConfigResponse =
        provider.query_json(&vault_addr, &vault::QueryMsg::Config {})?;
    let native = Addr::unchecked(
        vault_cfg
            .local_staking
            .ok_or("the vault did not record its local staking contract")?,
    );
    provider.set_native_staking(native.clone());
    let provider_id = p.chain.chain_id.clone();
    let mut contracts = BTreeMap::new();
    for (name, addr) in [("vault", vault_addr.clone()), ("native", native)] {
        provider.name_contract(&addr, name);
        contracts.insert(
            name.to_string(),
            Deployed {
                name: name.to_string(),
                chain_id: provider_id.clone(),
                addr,
            },
        );
    }
    let mut chains = vec![];
    for c in &spec.consumers {
        let (chain, deployed) = deploy_consumer(c, &denom, &spec.codes)?;
        let converter = deployed
            .iter()
            .find(|d| d.name.ends_with(":converter"))
            .expect("deployed")
            .addr
            .clone();
        let ext = instantiate(
            &mut provider,
            external_code,
            &external_staking::InstantiateMsg {
                denom: denom.clone(),
                rewards_denom: c.chain.denom.clone(),
                vault: vault_addr.to_string(),
                unbonding_period: c.ext_unbonding_secs,
                remote_contact: external_staking::AuthorizedEndpoint {
                    connection_id: CONNECTION_ID.to_string(),
                    port_id: format!("wasm.{converter}"),
                },
                slash_ratio: external_staking::SlashRatio {
                    double_sign: c.ext_slash_dsign,
                    offline: c.ext_slash_offline,
                },
                packet_timeout: Some(c.link.packet_timeout_secs),
            },
            &format!("external-staking-{}", c.chain.chain_id),
        )?;
        provider.name_contract(&ext, &c.chain.chain_id);
        contracts.insert(
            c.chain.chain_id.clone(),
            Deployed {
                name: c.chain.chain_id.clone(),
                chain_id: provider_id.clone(),
                addr: ext,
            },
        );
        for d in deployed {
            contracts.insert(d.name.clone(), d);
        }
        chains.push(chain);
    }
    chains.insert(0, provider);
    Ok(Genesis { chains, contracts })
}

/// Coins helper: `amount` of `denom`.
pub fn coins(amount: u128, denom: &str) -> Vec<Coin> {
    vec![Coin::new(amount, denom)]
}
