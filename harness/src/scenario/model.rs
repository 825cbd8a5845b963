//! The scenario file: top level, provider and consumer chains, accounts (format in `docs/scenario.md`).
//!
//! Every struct rejects unknown fields, and every optional field has the default of the tables in
//! `docs/scenario.md` (which are those of docs/system.md ("Defaults")). Serializing writes every field out, so a
//! scenario round-trips through JSON unchanged.

use std::collections::BTreeMap;
use std::fmt;

use schemars::gen::SchemaGenerator;
use schemars::schema::{Schema, SchemaObject};
use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::contracts::{ContractRole, ContractSource};
use super::rules;
use super::step::Step;
use super::values::{Amount, Delay, DurationValue, Ratio};

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
#[schemars(title = "Mesh Security harness scenario")]
pub struct Scenario {
    /// The JSON Schema editors check and complete this file with, for example
    /// `"./scenario.schema.json"` written by `mesh-harness schema`; the harness ignores it.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// What the scenario shows, one line.
    #[serde(deserialize_with = "rules::title")]
    #[schemars(schema_with = "rules::title_schema")]
    pub name: String,
    /// Longer free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Seed of every random choice of the run (seeded link delays, fuzzing).
    #[serde(default, deserialize_with = "rules::seed")]
    #[schemars(schema_with = "rules::seed_schema")]
    pub seed: u64,
    /// The provider chain (every field optional).
    #[serde(default)]
    pub provider: Provider,
    /// The consumer chains, each linked to the provider.
    #[serde(default)]
    pub consumers: Vec<Consumer>,
    /// Genesis balance of each user on the provider chain: an amount of the provider denom, or
    /// `{"<denom>": "<amount>"}`. The users of the steps are the names given here.
    #[serde(default, deserialize_with = "rules::accounts")]
    #[schemars(schema_with = "rules::accounts_schema::<AccountBalance>")]
    pub accounts: BTreeMap<String, AccountBalance>,
    /// What happens, in order.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Which code each contract role runs: `"native"` (the default) or the path of a `.wasm`
    /// file, relative to this file's directory.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "super::contracts::deserialize_contracts"
    )]
    #[schemars(schema_with = "super::contracts::contracts_schema")]
    pub contracts: BTreeMap<ContractRole, ContractSource>,
}

object_only!(Scenario, "a scenario object");

impl Scenario {
    /// An empty scenario with every default (default provider, no consumer, no account, no step).
    pub fn new(name: impl Into<String>) -> Self {
        Scenario {
            schema: None,
            name: name.into(),
            description: None,
            seed: 0,
            provider: Provider::default(),
            consumers: Vec::new(),
            accounts: BTreeMap::new(),
            steps: Vec::new(),
            contracts: BTreeMap::new(),
        }
    }

    /// The consumer with this chain id.
    pub fn consumer(&self, chain_id: &str) -> Option<&Consumer> {
        self.consumers.iter().find(|c| c.chain_id == chain_id)
    }

    /// Genesis balances on the provider: user → denom → amount.
    pub fn genesis_balances(&self) -> BTreeMap<String, BTreeMap<String, Amount>> {
        self.accounts
            .iter()
            .map(|(user, b)| (user.clone(), b.balances(&self.provider.denom)))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

/// One user's genesis balance on the provider chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AccountBalance {
    /// An amount of the provider denom.
    Amount(Amount),
    /// Amounts per denom.
    Denoms(BTreeMap<String, Amount>),
}

impl AccountBalance {
    /// The balance per denom; a plain amount is in `default_denom`.
    pub fn balances(&self, default_denom: &str) -> BTreeMap<String, Amount> {
        match self {
            AccountBalance::Amount(a) => BTreeMap::from([(default_denom.to_owned(), *a)]),
            AccountBalance::Denoms(m) => m.clone(),
        }
    }
}

struct AccountBalanceVisitor;

impl<'de> Visitor<'de> for AccountBalanceVisitor {
    type Value = AccountBalance;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "an amount of the provider denom like \"1000000000\" or {\"<denom>\": \"<amount>\"}",
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<AccountBalance, E> {
        v.parse().map(AccountBalance::Amount).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<AccountBalance, E> {
        Amount::deserialize(de::value::U64Deserializer::<E>::new(v)).map(AccountBalance::Amount)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<AccountBalance, E> {
        Amount::deserialize(de::value::I64Deserializer::<E>::new(v)).map(AccountBalance::Amount)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<AccountBalance, E> {
        Amount::deserialize(de::value::F64Deserializer::<E>::new(v)).map(AccountBalance::Amount)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AccountBalance, A::Error> {
        rules::denom_map(de::value::MapAccessDeserializer::new(map)).map(AccountBalance::Denoms)
    }
}

impl<'de> Deserialize<'de> for AccountBalance {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AccountBalanceVisitor)
    }
}

impl JsonSchema for AccountBalance {
    fn schema_name() -> String {
        "AccountBalance".to_owned()
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        SchemaObject {
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some(
                    "One user's genesis balance on the provider chain: an amount of the provider \
                     denom, or amounts per denom."
                        .to_owned(),
                ),
                ..Default::default()
            })),
            subschemas: Some(Box::new(schemars::schema::SubschemaValidation {
                any_of: Some(vec![
                    gen.subschema_for::<Amount>(),
                    rules::denom_map_schema::<Amount>(gen).into(),
                ]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

// ---------------------------------------------------------------------------------------------
// Chains
// ---------------------------------------------------------------------------------------------

/// A validator of a chain, with its self-bond.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct ValidatorSpec {
    /// The validator's name, used everywhere in steps and the report.
    #[serde(deserialize_with = "rules::name")]
    #[schemars(schema_with = "rules::name_schema")]
    pub name: String,
    /// Self-bond at genesis, in the chain's denom.
    #[serde(default = "default_stake")]
    pub stake: Amount,
}

object_only!(
    ValidatorSpec,
    "a validator object like {\"name\": \"val1\"}"
);

impl ValidatorSpec {
    /// A validator with the default self-bond.
    pub fn new(name: impl Into<String>) -> Self {
        ValidatorSpec {
            name: name.into(),
            stake: default_stake(),
        }
    }
}

/// Slash ratios of a staking contract (native or external staking).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct NativeStakingConfig {
    /// Share of the stake slashed on double sign.
    #[serde(deserialize_with = "rules::unit_ratio")]
    #[schemars(schema_with = "rules::unit_ratio_schema")]
    pub slash_ratio_dsign: Ratio,
    /// Share of the stake slashed when offline.
    #[serde(deserialize_with = "rules::unit_ratio")]
    #[schemars(schema_with = "rules::unit_ratio_schema")]
    pub slash_ratio_offline: Ratio,
}

object_only!(NativeStakingConfig, "a native_staking object");

impl Default for NativeStakingConfig {
    fn default() -> Self {
        NativeStakingConfig {
            slash_ratio_dsign: Ratio::lit("0.2"),
            slash_ratio_offline: Ratio::lit("0.1"),
        }
    }
}

/// What a chain itself slashes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct SlashFractions {
    /// Fraction slashed on tombstone (double sign).
    #[serde(deserialize_with = "rules::unit_ratio")]
    #[schemars(schema_with = "rules::unit_ratio_schema")]
    pub double_sign: Ratio,
    /// Fraction slashed on jail (downtime).
    #[serde(deserialize_with = "rules::unit_ratio")]
    #[schemars(schema_with = "rules::unit_ratio_schema")]
    pub downtime: Ratio,
}

object_only!(SlashFractions, "a slash_fractions object");

impl Default for SlashFractions {
    fn default() -> Self {
        SlashFractions {
            double_sign: Ratio::lit("0.2"),
            downtime: Ratio::lit("0.1"),
        }
    }
}

/// The provider chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct Provider {
    /// Chain id, also its name in steps and the report.
    #[serde(deserialize_with = "rules::chain_id")]
    #[schemars(schema_with = "rules::chain_id_schema")]
    pub chain_id: String,
    /// Staking and collateral denom.
    #[serde(deserialize_with = "rules::denom")]
    #[schemars(schema_with = "rules::denom_schema")]
    pub denom: String,
    /// Time between blocks.
    #[serde(deserialize_with = "rules::positive_duration")]
    #[schemars(schema_with = "rules::positive_duration_schema")]
    pub block_time: DurationValue,
    /// Unbonding period of the native staking module.
    pub unbonding_period: DurationValue,
    /// Validators, each `{name, stake?}`.
    #[serde(deserialize_with = "rules::validators")]
    #[schemars(schema_with = "rules::validators_schema::<ValidatorSpec>")]
    pub validators: Vec<ValidatorSpec>,
    /// The local staking contract.
    pub native_staking: NativeStakingConfig,
    /// What the chain itself slashes.
    pub slash_fractions: SlashFractions,
    /// Most gas one transaction may use when contracts run as wasm (CosmWasm gas; default
    /// 420000000000, that is 3,000,000 Cosmos SDK gas).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "rules::gas_limit"
    )]
    #[schemars(schema_with = "rules::gas_limit_schema")]
    pub gas_limit: Option<u64>,
}

object_only!(Provider, "a provider object");

impl Default for Provider {
    fn default() -> Self {
        Provider {
            chain_id: "provider".to_owned(),
            denom: "uosmo".to_owned(),
            block_time: default_block_time(),
            unbonding_period: default_unbonding_period(),
            validators: vec![ValidatorSpec::new("val1")],
            native_staking: NativeStakingConfig::default(),
            slash_fractions: SlashFractions::default(),
            gas_limit: None,
        }
    }
}

/// The provider-side external staking contract of one consumer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct ExternalStakingConfig {
    /// How long an unstake waits before it can be withdrawn.
    pub unbonding_period: DurationValue,
    /// Share of the stake slashed on double sign.
    #[serde(deserialize_with = "rules::unit_ratio")]
    #[schemars(schema_with = "rules::unit_ratio_schema")]
    pub slash_ratio_dsign: Ratio,
    /// Share of the stake slashed when offline.
    #[serde(deserialize_with = "rules::unit_ratio")]
    #[schemars(schema_with = "rules::unit_ratio_schema")]
    pub slash_ratio_offline: Ratio,
}

object_only!(ExternalStakingConfig, "an external_staking object");

impl Default for ExternalStakingConfig {
    fn default() -> Self {
        ExternalStakingConfig {
            unbonding_period: default_unbonding_period(),
            slash_ratio_dsign: Ratio::lit("0.2"),
            slash_ratio_offline: Ratio::lit("0.1"),
        }
    }
}

/// The relayer between the provider and one consumer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", default, deny_unknown_fields)]
pub struct LinkConfig {
    /// Relay delay of each packet and ack: fixed, or `{"min", "max"}` (seeded).
    pub delay: Delay,
    /// Timeout of the provider's packets.
    #[serde(deserialize_with = "rules::positive_duration")]
    #[schemars(schema_with = "rules::positive_duration_schema")]
    pub packet_timeout: DurationValue,
}

object_only!(LinkConfig, "a link object");

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            delay: Delay::default(),
            packet_timeout: DurationValue::from_secs(600),
        }
    }
}

/// A consumer chain. Its `chain_id` is also the name of its link and of its external staking
/// contract on the provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Consumer {
    /// Chain id (required, unique).
    pub chain_id: String,
    /// Staking denom of the consumer chain.
    pub denom: String,
    /// Time between blocks.
    pub block_time: DurationValue,
    /// Validators; the default is one validator named `<chain_id>-val1`.
    pub validators: Vec<ValidatorSpec>,
    /// Consumer tokens per provider token.
    pub price: Ratio,
    /// Discount applied to the converted value.
    pub discount: Ratio,
    /// Virtual staking max cap set at genesis, in the consumer denom.
    pub max_cap: Amount,
    /// Blocks between virtual staking epochs.
    pub epoch_blocks: u64,
    /// What the chain itself slashes.
    pub slash_fractions: SlashFractions,
    /// The provider-side external staking contract for this consumer.
    pub external_staking: ExternalStakingConfig,
    /// The relayer.
    pub link: LinkConfig,
    /// Most gas one transaction may use when contracts run as wasm (CosmWasm gas).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gas_limit: Option<u64>,
}

impl Consumer {
    /// A consumer with every default, including its default validator `<chain_id>-val1`.
    pub fn new(chain_id: impl Into<String>) -> Self {
        ConsumerFile {
            chain_id: chain_id.into(),
            denom: default_consumer_denom(),
            block_time: default_block_time(),
            validators: None,
            price: default_price(),
            discount: default_discount(),
            max_cap: default_max_cap(),
            epoch_blocks: default_epoch_blocks(),
            slash_fractions: SlashFractions::default(),
            external_staking: ExternalStakingConfig::default(),
            link: LinkConfig::default(),
            gas_limit: None,
        }
        .resolve()
    }

    /// The default validator list of a consumer: `[{"name": "<chain_id>-val1"}]`.
    pub fn default_validators(chain_id: &str) -> Vec<ValidatorSpec> {
        vec![ValidatorSpec::new(format!("{chain_id}-val1"))]
    }
}

/// A consumer as written in the file, before the default validators (which depend on the chain
/// id) are filled in.
#[derive(Deserialize, JsonSchema)]
#[schemars(
    description = "A consumer chain. Its chain_id also names its link and its external \
                          staking contract on the provider."
)]
#[serde(remote = "Self", deny_unknown_fields)]
#[schemars(rename = "Consumer")]
struct ConsumerFile {
    /// Chain id (required, unique); also the name of its link and of its external staking
    /// contract.
    #[serde(deserialize_with = "rules::consumer_id")]
    #[schemars(schema_with = "rules::consumer_id_schema")]
    chain_id: String,
    /// Staking denom of the consumer chain.
    #[serde(default = "default_consumer_denom", deserialize_with = "rules::denom")]
    #[schemars(schema_with = "rules::denom_schema")]
    denom: String,
    /// Time between blocks.
    #[serde(
        default = "default_block_time",
        deserialize_with = "rules::positive_duration"
    )]
    #[schemars(schema_with = "rules::positive_duration_schema")]
    block_time: DurationValue,
    /// Validators, each `{name, stake?}`; default `[{"name": "<chain_id>-val1"}]`.
    #[serde(default, deserialize_with = "rules::validators_opt")]
    #[schemars(schema_with = "rules::validators_schema::<ValidatorSpec>")]
    validators: Option<Vec<ValidatorSpec>>,
    /// Consumer tokens per provider token.
    #[serde(default = "default_price", deserialize_with = "rules::price")]
    #[schemars(schema_with = "rules::price_schema")]
    price: Ratio,
    /// Discount applied to the converted value (less than 1).
    #[serde(default = "default_discount", deserialize_with = "rules::discount")]
    #[schemars(schema_with = "rules::discount_schema")]
    discount: Ratio,
    /// Virtual staking max cap set at genesis, in the consumer denom.
    #[serde(default = "default_max_cap")]
    max_cap: Amount,
    /// Blocks between virtual staking epochs.
    #[serde(
        default = "default_epoch_blocks",
        deserialize_with = "rules::epoch_blocks"
    )]
    #[schemars(schema_with = "rules::epoch_blocks_schema")]
    epoch_blocks: u64,
    /// What the chain itself slashes.
    #[serde(default)]
    slash_fractions: SlashFractions,
    /// The provider-side external staking contract for this consumer.
    #[serde(default)]
    external_staking: ExternalStakingConfig,
    /// The relayer between the provider and this consumer.
    #[serde(default)]
    link: LinkConfig,
    /// Most gas one transaction may use when contracts run as wasm (CosmWasm gas; default
    /// 420000000000, that is 3,000,000 Cosmos SDK gas).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "rules::gas_limit"
    )]
    #[schemars(schema_with = "rules::gas_limit_schema")]
    gas_limit: Option<u64>,
}

object_only!(deserialize ConsumerFile, "a consumer object like {\"chain_id\": \"juno\"}");

impl ConsumerFile {
    fn resolve(self) -> Consumer {
        let validators = self
            .validators
            .unwrap_or_else(|| Consumer::default_validators(&self.chain_id));
        Consumer {
            chain_id: self.chain_id,
            denom: self.denom,
            block_time: self.block_time,
            validators,
            price: self.price,
            discount: self.discount,
            max_cap: self.max_cap,
            epoch_blocks: self.epoch_blocks,
            slash_fractions: self.slash_fractions,
            external_staking: self.external_staking,
            link: self.link,
            gas_limit: self.gas_limit,
        }
    }
}

impl<'de> Deserialize<'de> for Consumer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <ConsumerFile as Deserialize>::deserialize(deserializer).map(ConsumerFile::resolve)
    }
}

impl JsonSchema for Consumer {
    fn schema_name() -> String {
        ConsumerFile::schema_name()
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        ConsumerFile::json_schema(gen)
    }
}

fn default_stake() -> Amount {
    Amount(1_000_000)
}

fn default_block_time() -> DurationValue {
    DurationValue::from_secs(5)
}

fn default_unbonding_period() -> DurationValue {
    DurationValue::from_secs(21 * 86_400)
}

fn default_consumer_denom() -> String {
    "ujuno".to_owned()
}

fn default_price() -> Ratio {
    Ratio::lit("0.5")
}

fn default_discount() -> Ratio {
    Ratio::lit("0.1")
}

fn default_max_cap() -> Amount {
    Amount(1_000_000_000)
}

fn default_epoch_blocks() -> u64 {
    100
}
