//! A topology written in Rust: [`Topology`] builds the top of a scenario file (provider,
//! consumers, accounts, seed) and starts a [`Testnet`] from it, with exactly the defaults,
//! derived names (bech32 prefixes, default validators) and checks of a scenario file.
//!
//! ```no_run
//! use mesh_harness::{run_simulation, Topology};
//!
//! run_simulation(async {
//!     let net = Topology::new()
//!         .seed(7)
//!         .account("alice", 1_000_000_000)
//!         .consumer("juno", |c| c.price("0.6").max_cap(500_000_000))
//!         .consumer("stars", |c| c.denom("ustars").block_time_ms(2_000))
//!         .start()
//!         .await?;
//!     net.bond("alice", 100_000_000).await?;
//!     Ok::<(), mesh_harness::Error>(())
//! })
//! .unwrap();
//! ```

use serde_json::{json, Map, Value};
use std::path::Path;
use std::time::Duration;

use crate::scenario::{self, Scenario};
use crate::topology;
use mesh_actors::contracts::Codes;
use mesh_actors::testnet::{Testnet, TopologySpec};
use mesh_actors::Error;

/// A provider, its consumers, the users' genesis balances and the seed; by default the
/// provider of a scenario file (`provider`, `uosmo`, validator `val1`), no consumer and no
/// user. Every value follows the scenario format (the repository's `docs/scenario.md`): the
/// same defaults, and the same checks when the topology is built
/// ([`spec`](Topology::spec), [`start`](Topology::start)), which fail with
/// [`Error::InvalidInput`] naming the field (`consumers[0].price: ...`).
#[derive(Clone, Debug)]
pub struct Topology {
    doc: Map<String, Value>,
    codes: Codes,
}

impl Default for Topology {
    fn default() -> Self {
        Topology::new()
    }
}

fn duration(d: Duration) -> Value {
    Value::String(format!("{}ms", d.as_millis()))
}

fn amount(a: u128) -> Value {
    Value::String(a.to_string())
}

fn validator(name: &str, stake: u128) -> Value {
    json!({"name": name, "stake": amount(stake)})
}

impl Topology {
    /// The default provider, no consumer, no user, seed 0.
    pub fn new() -> Self {
        let mut doc = Map::new();
        doc.insert("name".into(), "topology".into());
        Topology {
            doc,
            codes: Codes::default(),
        }
    }

    /// The topology of a scenario (its steps left out): the same chains, accounts and seed.
    pub fn from_scenario(scenario: &Scenario) -> Self {
        let mut doc = match serde_json::to_value(scenario) {
            Ok(Value::Object(doc)) => doc,
            _ => Map::new(),
        };
        doc.remove("steps");
        doc.remove("$schema");
        Topology {
            doc,
            codes: Codes::default(),
        }
    }

    /// The seed of every random choice (seeded link delays).
    pub fn seed(mut self, seed: u64) -> Self {
        self.doc.insert("seed".into(), seed.into());
        self
    }

    /// A user with a genesis balance of `amount` of the provider's denom.
    pub fn account(self, user: &str, amount: u128) -> Self {
        self.account_value(user, self::amount(amount))
    }

    /// A user with genesis balances in several denoms: `[("uosmo", 1_000), ("uatom", 5)]`.
    pub fn account_coins(self, user: &str, coins: &[(&str, u128)]) -> Self {
        let denoms: Map<String, Value> = coins
            .iter()
            .map(|(denom, a)| ((*denom).to_string(), amount(*a)))
            .collect();
        self.account_value(user, Value::Object(denoms))
    }

    fn account_value(mut self, user: &str, balance: Value) -> Self {
        let accounts = self
            .doc
            .entry("accounts")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(a) = accounts {
            a.insert(user.to_string(), balance);
        }
        self
    }

    /// Set the provider's fields.
    pub fn provider(mut self, f: impl FnOnce(ProviderBuilder) -> ProviderBuilder) -> Self {
        let current = match self.doc.remove("provider") {
            Some(Value::Object(p)) => p,
            _ => Map::new(),
        };
        let built = f(ProviderBuilder { doc: current });
        self.doc.insert("provider".into(), Value::Object(built.doc));
        self
    }

    /// Add the consumer chain `chain_id` (its defaults: denom `ujuno`, validator
    /// `<chain_id>-val1`, price 0.5, discount 0.1, ...), set up by `f`; `|c| c` keeps every
    /// default. A second call with the same chain id changes that consumer.
    pub fn consumer(
        mut self,
        chain_id: &str,
        f: impl FnOnce(ConsumerBuilder) -> ConsumerBuilder,
    ) -> Self {
        let consumers = self
            .doc
            .entry("consumers")
            .or_insert_with(|| Value::Array(vec![]));
        let Value::Array(list) = consumers else {
            return self;
        };
        let index = list
            .iter()
            .position(|c| c["chain_id"] == chain_id)
            .unwrap_or_else(|| {
                list.push(json!({"chain_id": chain_id}));
                list.len() - 1
            });
        let current = match list[index].take() {
            Value::Object(c) => c,
            _ => Map::new(),
        };
        list[index] = Value::Object(f(ConsumerBuilder { doc: current }).doc);
        self
    }

    /// Run `role` (`vault`, `native_staking`, `native_staking_proxy`, `external_staking`,
    /// `converter`, `virtual_staking`, `price_feed`) from `source`: `"native"` or the path of a
    /// `.wasm` file (relative to the current directory), as a scenario's `contracts` section
    /// says it. The file is read and checked when the topology is built.
    pub fn contract(mut self, role: &str, source: &str) -> Self {
        let contracts = self
            .doc
            .entry("contracts")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(c) = contracts {
            c.insert(role.to_string(), Value::String(source.to_string()));
        }
        self
    }

    /// Run every role from `dir/<crate>.wasm` (`mesh_vault.wasm`, ...), as `--wasm DIR` does;
    /// roles named by [`contract`](Topology::contract) keep their choice.
    pub fn wasm_dir(self, dir: &Path) -> Result<Self, Error> {
        let codes = Codes::from_wasm_dir(dir).map_err(|e| Error::InvalidInput(e.to_string()))?;
        Ok(self.codes(codes))
    }

    /// The codes of the roles [`contract`](Topology::contract) does not name (the natively
    /// linked contracts by default).
    pub fn codes(mut self, codes: Codes) -> Self {
        self.codes = codes;
        self
    }

    /// The topology as a scenario without steps, checked like a scenario file.
    pub fn scenario(&self) -> Result<Scenario, Error> {
        let text = Value::Object(self.doc.clone()).to_string();
        scenario::parse_str(&text, "topology").map_err(Error::from)
    }

    /// The runtime's topology: the chains, contracts and links to deploy.
    pub fn spec(&self) -> Result<TopologySpec, Error> {
        let scenario = self.scenario()?;
        let mut spec = topology::topology(&scenario, None);
        spec.codes =
            topology::codes(&scenario, Path::new("."), &self.codes).map_err(Error::InvalidInput)?;
        Ok(spec)
    }

    /// Deploy the topology and start its testnet (inside
    /// [`run_simulation`](crate::run_simulation)): genesis, every actor, every channel opened
    /// and the first validator-set update relayed.
    pub async fn start(&self) -> Result<Testnet, Error> {
        Testnet::start(&self.spec()?).await
    }
}

/// The provider chain's fields (see [`Topology::provider`]).
#[derive(Clone, Debug)]
pub struct ProviderBuilder {
    doc: Map<String, Value>,
}

impl ProviderBuilder {
    fn set(mut self, key: &str, value: Value) -> Self {
        self.doc.insert(key.into(), value);
        self
    }

    /// Its chain id (default `provider`); its addresses' prefix is derived from it.
    pub fn chain_id(self, chain_id: &str) -> Self {
        self.set("chain_id", chain_id.into())
    }

    /// Its staking and collateral denom (default `uosmo`).
    pub fn denom(self, denom: &str) -> Self {
        self.set("denom", denom.into())
    }

    /// Time between blocks, ms (default 5,000).
    pub fn block_time_ms(self, ms: u64) -> Self {
        self.set("block_time", duration(Duration::from_millis(ms)))
    }

    /// The staking module's unbonding period (default 21 days).
    pub fn unbonding_period(self, period: Duration) -> Self {
        self.set("unbonding_period", duration(period))
    }

    /// A genesis validator whose operator self-bonds `stake`. The first call replaces the
    /// default validator `val1`.
    pub fn validator(mut self, name: &str, stake: u128) -> Self {
        push_validator(&mut self.doc, name, stake);
        self
    }

    /// Native staking's slash ratios: double sign and offline (defaults "0.2" and "0.1").
    pub fn native_slash_ratios(self, double_sign: &str, offline: &str) -> Self {
        self.set(
            "native_staking",
            json!({"slash_ratio_dsign": double_sign, "slash_ratio_offline": offline}),
        )
    }

    /// What the chain itself slashes: on double sign and on downtime (defaults "0.2", "0.1").
    pub fn slash_fractions(self, double_sign: &str, downtime: &str) -> Self {
        self.set(
            "slash_fractions",
            json!({"double_sign": double_sign, "downtime": downtime}),
        )
    }
}

/// A consumer chain's fields (see [`Topology::consumer`]).
#[derive(Clone, Debug)]
pub struct ConsumerBuilder {
    doc: Map<String, Value>,
}

impl ConsumerBuilder {
    fn set(mut self, key: &str, value: Value) -> Self {
        self.doc.insert(key.into(), value);
        self
    }

    fn set_in(mut self, section: &str, key: &str, value: Value) -> Self {
        let entry = self
            .doc
            .entry(section)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(key.into(), value);
        }
        self
    }

    /// Its staking denom (default `ujuno`).
    pub fn denom(self, denom: &str) -> Self {
        self.set("denom", denom.into())
    }

    /// Time between blocks, ms (default 5,000).
    pub fn block_time_ms(self, ms: u64) -> Self {
        self.set("block_time", duration(Duration::from_millis(ms)))
    }

    /// A genesis validator whose operator self-bonds `stake`. The first call replaces the
    /// default validator `<chain_id>-val1`.
    pub fn validator(mut self, name: &str, stake: u128) -> Self {
        push_validator(&mut self.doc, name, stake);
        self
    }

    /// Consumer tokens per provider token, a decimal like `"0.5"` (the default).
    pub fn price(self, price: &str) -> Self {
        self.set("price", price.into())
    }

    /// The converter's discount, a decimal below 1 (default `"0.1"`).
    pub fn discount(self, discount: &str) -> Self {
        self.set("discount", discount.into())
    }

    /// Virtual staking's max cap at genesis, consumer units (default 1,000,000,000).
    pub fn max_cap(self, cap: u128) -> Self {
        self.set("max_cap", amount(cap))
    }

    /// Blocks between virtual staking epochs (default 100).
    pub fn epoch_blocks(self, blocks: u64) -> Self {
        self.set("epoch_blocks", blocks.into())
    }

    /// What the chain itself slashes: on double sign and on downtime (defaults "0.2", "0.1").
    pub fn slash_fractions(self, double_sign: &str, downtime: &str) -> Self {
        self.set(
            "slash_fractions",
            json!({"double_sign": double_sign, "downtime": downtime}),
        )
    }

    /// External staking's unbonding period for this consumer (default 21 days; the consumer
    /// chain unbonds in the same period).
    pub fn unbonding_period(self, period: Duration) -> Self {
        self.set_in("external_staking", "unbonding_period", duration(period))
    }

    /// External staking's slash ratios: double sign and offline (defaults "0.2" and "0.1").
    pub fn external_slash_ratios(self, double_sign: &str, offline: &str) -> Self {
        self.set_in("external_staking", "slash_ratio_dsign", double_sign.into())
            .set_in("external_staking", "slash_ratio_offline", offline.into())
    }

    /// The link's relay delay of each packet and ack (default 5 s).
    pub fn link_delay(self, delay: Duration) -> Self {
        self.set_in("link", "delay", duration(delay))
    }

    /// A seeded random relay delay between `min` and `max`.
    pub fn link_delay_range(self, min: Duration, max: Duration) -> Self {
        self.set_in(
            "link",
            "delay",
            json!({"min": duration(min), "max": duration(max)}),
        )
    }

    /// The timeout of the provider's packets (default 10 minutes).
    pub fn packet_timeout(self, timeout: Duration) -> Self {
        self.set_in("link", "packet_timeout", duration(timeout))
    }
}

/// Add a validator to a chain's list; the first call replaces the default list.
fn push_validator(doc: &mut Map<String, Value>, name: &str, stake: u128) {
    let list = doc
        .entry("validators")
        .or_insert_with(|| Value::Array(vec![]));
    if let Value::Array(list) = list {
        list.push(validator(name, stake));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_str;

    /// The builder and a scenario file give the same topology: chain ids, derived prefixes,
    /// default denoms and validators.
    #[test]
    fn builder_and_file_agree() {
        let built = Topology::new()
            .seed(7)
            .account("alice", 1_000)
            .consumer("juno", |c| c.price("0.6"))
            .consumer("stars", |c| {
                c.validator("s1", 2_000_000).block_time_ms(2_000)
            })
            .spec()
            .unwrap();
        let file = parse_str(
            r#"{"name": "t", "seed": 7, "accounts": {"alice": "1000"},
                "consumers": [{"chain_id": "juno", "price": "0.6"},
                              {"chain_id": "stars", "block_time": "2s",
                               "validators": [{"name": "s1", "stake": "2000000"}]}]}"#,
            "t",
        )
        .unwrap();
        let from_file = topology::topology(&file, None);
        assert_eq!(format!("{built:?}"), format!("{from_file:?}"));
        assert_eq!(built.consumers[1].chain.bech32_prefix, "stars");
        assert_eq!(built.consumers[1].chain.denom, "ujuno");
        assert_eq!(built.provider.chain.bech32_prefix, "provider");
        // The runtime's own constructor derives the same prefix.
        let plain = mesh_actors::testnet::ConsumerSpec::new("stars");
        assert_eq!(plain.chain.bech32_prefix, "stars");
    }

    /// A value the scenario format refuses is refused here, naming the field.
    #[test]
    fn bad_values_name_the_field() {
        let err = Topology::new()
            .consumer("juno", |c| c.price("cheap"))
            .spec()
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("topology: consumers[0].price: "),
            "{err}"
        );
        let err = Topology::new().account("gov", 1).spec().unwrap_err();
        assert!(err.to_string().contains("accounts"), "{err}");
    }

    /// A scenario's topology round-trips through the builder.
    #[test]
    fn from_scenario_keeps_the_topology() {
        let file = parse_str(
            r#"{"name": "t", "seed": 3, "accounts": {"bob": "5"},
                "consumers": [{"chain_id": "osmo-test", "discount": "0.2"}],
                "steps": [{"bond": {"user": "bob", "amount": "1"}}]}"#,
            "t",
        )
        .unwrap();
        let spec = Topology::from_scenario(&file).spec().unwrap();
        assert_eq!(
            format!("{spec:?}"),
            format!("{:?}", topology::topology(&file, None))
        );
        assert_eq!(spec.consumers[0].chain.bech32_prefix, "osmotest");
    }
}
