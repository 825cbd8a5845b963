//! Steps of a scenario: an object with one key, the action, and (on actions that can fail) an
//! optional `expect_error`.
//!
//! `expect_error` is accepted on the actions that are transactions or chain events (bond, unbond,
//! stake_local, unstake_local, restake_local, release_local, stake_remote, unstake_remote,
//! withdraw_unbonded_remote, withdraw_rewards, set_price, set_max_cap, jail, unjail, tombstone,
//! add_validator, remove_validator, close_channel).
//! It is rejected (by validation, with the step's path) on wait, settle, epoch, drain, fault,
//! expect and snapshot, which drive the run rather than act on a chain.

use std::fmt;

use schemars::gen::SchemaGenerator;
use schemars::schema::{InstanceType, Metadata, ObjectValidation, Schema, SchemaObject};
use schemars::JsonSchema;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::rules;
use super::values::{Amount, Delay, DurationValue, Ratio};

/// How long `settle` may run when the step gives no `within`: one day.
pub const DEFAULT_SETTLE_WITHIN: DurationValue = DurationValue::from_secs(86_400);

/// How long each of `drain`'s settles may take: past the longest packet timeout there is (the
/// converter's validator-set updates, 24 h) plus relaying.
pub const DRAIN_SETTLE_WITHIN: DurationValue = DurationValue::from_secs(2 * 86_400);

/// How many times `drain` unstakes what is left (shares of a slashed validator can stay worth a
/// token after their worth was unstaked) before it calls a stake stuck; each round waits out the
/// longest unbonding period after unstaking.
pub const DRAIN_UNSTAKE_ROUNDS: usize = 6;

/// How many times `drain` settles at most (a bound with a margin): after lifting faults, twice per
/// round (unstaking, releasing), and after the epochs.
pub const DRAIN_SETTLES: u64 = 3 + 2 * DRAIN_UNSTAKE_ROUNDS as u64;

/// One step: an action, and optionally the error it must fail with.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// What to do.
    pub action: Action,
    /// When set, the action must fail with an error containing this text (`""` accepts any
    /// error), and nothing may change.
    pub expect_error: Option<String>,
}

impl Step {
    /// A step that must succeed.
    pub fn new(action: Action) -> Self {
        Step {
            action,
            expect_error: None,
        }
    }

    /// A step that must fail with an error containing `text`.
    pub fn failing(action: Action, text: impl Into<String>) -> Self {
        Step {
            action,
            expect_error: Some(text.into()),
        }
    }
}

/// The names of the actions that accept `expect_error`, in the order of `docs/scenario.md`.
pub fn actions_accepting_expect_error() -> Vec<&'static str> {
    EXPECT_ERROR_TABLE
        .iter()
        .filter(|(_, ee)| *ee)
        .map(|(n, _)| *n)
        .collect()
}

impl From<Action> for Step {
    fn from(action: Action) -> Self {
        Step::new(action)
    }
}

/// Reads an action's payload: with its type's own `Deserialize`, or with a rule of
/// [`super::rules`].
macro_rules! payload {
    ($ty:ty, $de:expr) => {
        <$ty as Deserialize>::deserialize($de)
    };
    ($ty:ty, $de:expr, $rule:path) => {
        $rule($de)
    };
}

/// The schema of an action's payload: its type's, or a rule's (see [`payload!`]).
macro_rules! payload_schema {
    ($ty:ty, $gen:expr) => {
        $gen.subschema_for::<$ty>()
    };
    ($ty:ty, $gen:expr, $rule_schema:path) => {
        $rule_schema($gen)
    };
}

/// Generates [`Action`] and its per-action tables from one list, so that parsing, printing,
/// the schema and `expect_error` rules cannot drift apart.
macro_rules! actions {
    ($(
        $(#[doc = $doc:literal])*
        $name:literal => $variant:ident($payload:ty), expect_error: $ee:literal
            $(, rule: ($rule:path, $rule_schema:path))?;
    )*) => {
        /// The action of a step, externally tagged by its snake_case name.
        #[derive(Clone, Debug, PartialEq, Serialize)]
        pub enum Action {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $name)]
                $variant($payload),
            )*
        }

        /// The name of every action, in the order of `docs/scenario.md`.
        pub const ACTION_NAMES: &[&str] = &[$($name),*];

        /// Each action's name and whether it accepts `expect_error`.
        const EXPECT_ERROR_TABLE: &[(&str, bool)] = &[$(($name, $ee)),*];

        impl Action {
            /// The action's key in the file (`"stake_remote"`).
            pub fn name(&self) -> &'static str {
                match self {
                    $(Action::$variant(_) => $name,)*
                }
            }

            /// Whether a step with this action may carry `expect_error`.
            pub fn accepts_expect_error(&self) -> bool {
                match self {
                    $(Action::$variant(_) => $ee,)*
                }
            }
        }

        /// Parses the payload of the action called `name` (one of [`ACTION_NAMES`]).
        fn deserialize_action<'de, D: Deserializer<'de>>(
            name: &str,
            deserializer: D,
        ) -> Result<Action, D::Error> {
            match name {
                $($name => payload!($payload, deserializer $(, $rule)?).map(Action::$variant),)*
                other => Err(de::Error::custom(format!("unknown action {other:?}"))),
            }
        }

        /// For each action: name, payload schema, whether it accepts `expect_error`, doc.
        pub(crate) fn action_schemas(
            gen: &mut SchemaGenerator,
        ) -> Vec<(&'static str, Schema, bool, &'static str)> {
            vec![$(
                ($name, payload_schema!($payload, gen $(, $rule_schema)?), $ee, concat!($($doc, "\n",)*)),
            )*]
        }
    };
}

actions! {
    /// Deposit collateral in the vault.
    "bond" => Bond(UserAmount), expect_error: true;
    /// Withdraw free collateral from the vault.
    "unbond" => Unbond(UserAmount), expect_error: true;
    /// Vault `stake_local`: stake collateral on a provider validator.
    "stake_local" => StakeLocal(LocalStake), expect_error: true;
    /// Native staking proxy `unstake`.
    "unstake_local" => UnstakeLocal(LocalStake), expect_error: true;
    /// Native staking proxy `restake`: redelegate on the provider from one validator to another.
    "restake_local" => RestakeLocal(LocalRestake), expect_error: true;
    /// Native staking proxy `release_unbonded`.
    "release_local" => ReleaseLocal(UserOnly), expect_error: true;
    /// Vault `stake_remote` to a consumer's external staking contract.
    "stake_remote" => StakeRemote(RemoteStake), expect_error: true;
    /// External staking `unstake`.
    "unstake_remote" => UnstakeRemote(RemoteStake), expect_error: true;
    /// External staking `withdraw_unbonded`.
    "withdraw_unbonded_remote" => WithdrawUnbondedRemote(UserConsumer), expect_error: true;
    /// Pay a user's external staking rewards to an account on the consumer chain.
    "withdraw_rewards" => WithdrawRewards(WithdrawRewardsArgs), expect_error: true;
    /// Advance simulated time.
    "wait" => Wait(DurationValue), expect_error: false;
    /// Run until nothing is in flight and no tx is pending; fail if not reached within the bound
    /// (default 1 day).
    "settle" => Settle(SettleArgs), expect_error: false;
    /// Run until that consumer's next epoch has executed.
    "epoch" => Epoch(ConsumerOnly), expect_error: false;
    /// Set a consumer's price (consumer tokens per provider token).
    "set_price" => SetPrice(SetPriceArgs), expect_error: true;
    /// Set a consumer's virtual staking max cap.
    "set_max_cap" => SetMaxCap(SetMaxCapArgs), expect_error: true;
    /// Jail a validator: the chain slashes the downtime fraction.
    "jail" => Jail(ChainValidator), expect_error: true;
    /// Unjail a validator.
    "unjail" => Unjail(ChainValidator), expect_error: true;
    /// Tombstone a validator (double-sign evidence): the chain slashes the double-sign fraction
    /// of the evidence's power (`power`, default the validator's power now), jails it for good.
    "tombstone" => Tombstone(TombstoneArgs), expect_error: true;
    /// Create a validator mid-run: its operator self-bonds `stake` (minted for it). On a
    /// consumer, the chain reports it in `additions`.
    "add_validator" => AddValidator(AddValidatorArgs), expect_error: true;
    /// The validator's operator unbonds its whole self-bond: the validator is jailed (if it was
    /// not), leaves the set and cannot be unjailed. On a consumer, the chain reports it in
    /// `removals`.
    "remove_validator" => RemoveValidator(ChainValidator), expect_error: true;
    /// Close a consumer's channel from the provider side (governance); every stake becomes an
    /// immediate unbond and packets in flight time out.
    "close_channel" => CloseChannel(ConsumerOnly), expect_error: true;
    /// Lift every fault, unstake everything (local and remote), wait out every unbonding
    /// period, withdraw and release everything, then require every user's collateral to be
    /// free and unbondable with no lien or in-flight work left (violation `drain`).
    "drain" => Drain(DrainArgs), expect_error: false;
    /// Inject a fault into a link, a chain or a contract.
    "fault" => Fault(Fault), expect_error: false;
    /// Compare report paths with values, now.
    "expect" => Expect(Expectations), expect_error: false;
    /// Put the report into the run's output under this label.
    "snapshot" => Snapshot(String), expect_error: false,
        rule: (rules::label, rules::label_schema);
}

// ---------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------

/// `{user, amount}`: bond, unbond.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct UserAmount {
    /// A user (a key of `accounts`).
    pub user: String,
    /// In the provider denom.
    pub amount: Amount,
}

object_only!(UserAmount, "an object {\"user\", \"amount\"}");

/// `{user, validator, amount}`: stake_local, unstake_local.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct LocalStake {
    /// A user (a key of `accounts`).
    pub user: String,
    /// A provider validator.
    pub validator: String,
    /// In the provider denom.
    pub amount: Amount,
}

object_only!(
    LocalStake,
    "an object {\"user\", \"validator\", \"amount\"}"
);

/// `{user, from, to, amount}`: restake_local.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct LocalRestake {
    /// A user (a key of `accounts`).
    pub user: String,
    /// The provider validator the stake leaves.
    pub from: String,
    /// The provider validator it moves to.
    pub to: String,
    /// In the provider denom.
    pub amount: Amount,
}

object_only!(
    LocalRestake,
    "an object {\"user\", \"from\", \"to\", \"amount\"}"
);

/// `{user}`: release_local.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct UserOnly {
    /// A user (a key of `accounts`).
    pub user: String,
}

object_only!(UserOnly, "an object {\"user\"}");

/// `{user, consumer, validator, amount}`: stake_remote, unstake_remote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RemoteStake {
    /// A user (a key of `accounts`).
    pub user: String,
    /// A consumer chain id.
    pub consumer: String,
    /// A validator of that consumer.
    pub validator: String,
    /// In the provider denom.
    pub amount: Amount,
}

object_only!(
    RemoteStake,
    "an object {\"user\", \"consumer\", \"validator\", \"amount\"}"
);

/// `{user, consumer}`: withdraw_unbonded_remote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct UserConsumer {
    /// A user (a key of `accounts`).
    pub user: String,
    /// A consumer chain id.
    pub consumer: String,
}

object_only!(UserConsumer, "an object {\"user\", \"consumer\"}");

/// `{user, consumer, validator, recipient}`: withdraw_rewards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct WithdrawRewardsArgs {
    /// A user (a key of `accounts`).
    pub user: String,
    /// A consumer chain id.
    pub consumer: String,
    /// A validator of that consumer.
    pub validator: String,
    /// An account name on the consumer chain (any name).
    #[serde(deserialize_with = "rules::name")]
    #[schemars(schema_with = "rules::name_schema")]
    pub recipient: String,
}

object_only!(
    WithdrawRewardsArgs,
    "an object {\"user\", \"consumer\", \"validator\", \"recipient\"}"
);

/// `{}` or `{within}`: settle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct SettleArgs {
    /// Fail if the system has not settled after this long (default 1 day).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "rules::positive_duration_opt"
    )]
    #[schemars(schema_with = "rules::positive_duration_schema")]
    pub within: Option<DurationValue>,
}

object_only!(SettleArgs, "an object {} or {\"within\"}");

impl SettleArgs {
    /// The bound: `within`, or [`DEFAULT_SETTLE_WITHIN`].
    pub fn within_or_default(&self) -> DurationValue {
        self.within.unwrap_or(DEFAULT_SETTLE_WITHIN)
    }
}

/// `{}`: drain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct DrainArgs {}

object_only!(DrainArgs, "an object {}");

/// `{consumer}`: epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct ConsumerOnly {
    /// A consumer chain id.
    pub consumer: String,
}

object_only!(ConsumerOnly, "an object {\"consumer\"}");

/// `{consumer, price}`: set_price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct SetPriceArgs {
    /// A consumer chain id.
    pub consumer: String,
    /// Consumer tokens per provider token (more than 0).
    #[serde(deserialize_with = "rules::price")]
    #[schemars(schema_with = "rules::price_schema")]
    pub price: Ratio,
}

object_only!(SetPriceArgs, "an object {\"consumer\", \"price\"}");

/// `{consumer, amount}`: set_max_cap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct SetMaxCapArgs {
    /// A consumer chain id.
    pub consumer: String,
    /// The new max cap, in the consumer denom.
    pub amount: Amount,
}

object_only!(SetMaxCapArgs, "an object {\"consumer\", \"amount\"}");

/// `{chain, validator}`: jail, unjail, tombstone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct ChainValidator {
    /// The provider's or a consumer's chain id.
    pub chain: String,
    /// A validator of that chain.
    pub validator: String,
}

object_only!(ChainValidator, "an object {\"chain\", \"validator\"}");

/// `{chain, validator, power?}`: tombstone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct TombstoneArgs {
    /// The provider's or a consumer's chain id.
    pub chain: String,
    /// A validator of that chain.
    pub validator: String,
    /// The consensus power the evidence names (tokens / 1,000,000); default: the validator's
    /// power now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<u64>,
}

object_only!(
    TombstoneArgs,
    "an object {\"chain\", \"validator\"} or {\"chain\", \"validator\", \"power\"}"
);

/// `{chain, validator, stake}`: add_validator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct AddValidatorArgs {
    /// The provider's or a consumer's chain id.
    pub chain: String,
    /// The new validator's name (unique on that chain).
    #[serde(deserialize_with = "rules::name")]
    #[schemars(schema_with = "rules::name_schema")]
    pub validator: String,
    /// Its operator's self-bond, in the chain's denom (more than 0).
    pub stake: Amount,
}

object_only!(
    AddValidatorArgs,
    "an object {\"chain\", \"validator\", \"stake\"}"
);

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

/// A contract whose IBC receives a `fail_next` fault makes fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FaultContract {
    /// The consumer's converter (receives the provider's packets).
    Converter,
    /// The provider's external staking contract of that consumer (receives the consumer's
    /// packets).
    ExternalStaking,
}

/// A fault, chosen by the keys present.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum Fault {
    /// `{link, delay}`: change the link's delay from now on.
    LinkDelay {
        /// A consumer chain id (the link's name).
        link: String,
        /// The new delay.
        delay: Delay,
    },
    /// `{link, drop_next}`: the next N packets on that link are never relayed.
    LinkDrop {
        /// A consumer chain id (the link's name).
        link: String,
        /// How many packets to drop (0 lifts the fault).
        #[schemars(schema_with = "rules::count_schema")]
        drop_next: u32,
    },
    /// `{link, outage}`: the relayer is down for that long, from now.
    LinkOutage {
        /// A consumer chain id (the link's name).
        link: String,
        /// How long (more than 0).
        #[schemars(schema_with = "rules::positive_duration_schema")]
        outage: DurationValue,
    },
    /// `{chain, halt}`: the chain produces no blocks for that long.
    ChainHalt {
        /// The provider's or a consumer's chain id.
        chain: String,
        /// How long (more than 0).
        #[schemars(schema_with = "rules::positive_duration_schema")]
        halt: DurationValue,
    },
    /// `{contract, consumer, fail_next}`: that contract's next N IBC receives fail.
    ContractFail {
        /// Which contract.
        contract: FaultContract,
        /// The consumer chain id the contract belongs to.
        consumer: String,
        /// How many receives fail (0 lifts the fault).
        #[schemars(schema_with = "rules::count_schema")]
        fail_next: u32,
    },
}

/// The accepted shapes of a fault, for error messages.
const FAULT_SHAPES: &str = "{link, delay}, {link, drop_next}, {link, outage}, {chain, halt} or \
                            {contract, consumer, fail_next}";

/// A fault as written: every key optional; [`Fault`] is chosen by which are present.
#[derive(Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
struct FaultFile {
    link: Option<String>,
    delay: Option<Delay>,
    #[serde(default, deserialize_with = "rules::count_opt")]
    drop_next: Option<u32>,
    #[serde(default, deserialize_with = "rules::positive_duration_opt")]
    outage: Option<DurationValue>,
    chain: Option<String>,
    #[serde(default, deserialize_with = "rules::positive_duration_opt")]
    halt: Option<DurationValue>,
    contract: Option<FaultContract>,
    consumer: Option<String>,
    #[serde(default, deserialize_with = "rules::count_opt")]
    fail_next: Option<u32>,
}

object_only!(deserialize FaultFile, "a fault object");

impl FaultFile {
    fn keys(&self) -> Vec<&'static str> {
        let present = [
            ("link", self.link.is_some()),
            ("delay", self.delay.is_some()),
            ("drop_next", self.drop_next.is_some()),
            ("outage", self.outage.is_some()),
            ("chain", self.chain.is_some()),
            ("halt", self.halt.is_some()),
            ("contract", self.contract.is_some()),
            ("consumer", self.consumer.is_some()),
            ("fail_next", self.fail_next.is_some()),
        ];
        present
            .iter()
            .filter(|(_, p)| *p)
            .map(|(k, _)| *k)
            .collect()
    }

    fn into_fault(self) -> Result<Fault, String> {
        let keys = self.keys();
        let fault = match self {
            FaultFile {
                link: Some(link),
                delay: Some(delay),
                drop_next: None,
                outage: None,
                chain: None,
                halt: None,
                contract: None,
                consumer: None,
                fail_next: None,
            } => Fault::LinkDelay { link, delay },
            FaultFile {
                link: Some(link),
                delay: None,
                drop_next: Some(drop_next),
                outage: None,
                chain: None,
                halt: None,
                contract: None,
                consumer: None,
                fail_next: None,
            } => Fault::LinkDrop { link, drop_next },
            FaultFile {
                link: Some(link),
                delay: None,
                drop_next: None,
                outage: Some(outage),
                chain: None,
                halt: None,
                contract: None,
                consumer: None,
                fail_next: None,
            } => Fault::LinkOutage { link, outage },
            FaultFile {
                link: None,
                delay: None,
                drop_next: None,
                outage: None,
                chain: Some(chain),
                halt: Some(halt),
                contract: None,
                consumer: None,
                fail_next: None,
            } => Fault::ChainHalt { chain, halt },
            FaultFile {
                link: None,
                delay: None,
                drop_next: None,
                outage: None,
                chain: None,
                halt: None,
                contract: Some(contract),
                consumer: Some(consumer),
                fail_next: Some(fail_next),
            } => Fault::ContractFail {
                contract,
                consumer,
                fail_next,
            },
            _ => {
                return Err(format!(
                    "a fault is one of {FAULT_SHAPES}; got {{{}}}",
                    keys.join(", ")
                ))
            }
        };
        Ok(fault)
    }
}

impl<'de> Deserialize<'de> for Fault {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <FaultFile as Deserialize>::deserialize(deserializer)?
            .into_fault()
            .map_err(de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------

/// `{"<report path>": <value>, ...}`, in file order. Paths are dot-separated keys into the state
/// report; amounts are strings, counts and heights numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expectations(pub Vec<(String, serde_json::Value)>);

impl Expectations {
    /// The (path, expected value) pairs in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &serde_json::Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The expected value of one path.
    pub fn get(&self, path: &str) -> Option<&serde_json::Value> {
        self.0.iter().find(|(k, _)| k == path).map(|(_, v)| v)
    }
}

impl<K: Into<String>> FromIterator<(K, serde_json::Value)> for Expectations {
    fn from_iter<I: IntoIterator<Item = (K, serde_json::Value)>>(iter: I) -> Self {
        Expectations(iter.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

impl Serialize for Expectations {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

struct ExpectationsVisitor;

impl<'de> Visitor<'de> for ExpectationsVisitor {
    type Value = Expectations;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of report paths and expected values")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Expectations, A::Error> {
        let mut entries: Vec<(String, serde_json::Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!(
                    "report path {key:?} appears twice"
                )));
            }
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Expectations(entries))
    }
}

impl<'de> Deserialize<'de> for Expectations {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ExpectationsVisitor)
    }
}

impl JsonSchema for Expectations {
    fn schema_name() -> String {
        "Expectations".to_owned()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        SchemaObject {
            metadata: Some(Box::new(Metadata {
                description: Some(
                    "Report paths (dot-separated keys into the state report) and their expected \
                     values. A value range is a string when low == high, else {\"low\", \
                     \"high\"}; \"0\" matches an omitted entry."
                        .to_owned(),
                ),
                ..Default::default()
            })),
            instance_type: Some(InstanceType::Object.into()),
            object: Some(Box::new(ObjectValidation {
                additional_properties: Some(Box::new(Schema::Bool(true))),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

// ---------------------------------------------------------------------------------------------
// Step (de)serialization
// ---------------------------------------------------------------------------------------------

/// The key `expect_error`.
const EXPECT_ERROR: &str = "expect_error";

/// A key of a step object.
enum StepKey {
    /// `expect_error`.
    ExpectError,
    /// An action name.
    Action(&'static str),
}

/// Reads a step key; an unknown key fails while the key is read, so its error path ends in it.
struct StepKeySeed;

impl<'de> DeserializeSeed<'de> for StepKeySeed {
    type Value = StepKey;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<StepKey, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for StepKeySeed {
    type Value = StepKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an action name or \"expect_error\"")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<StepKey, E> {
        if v == EXPECT_ERROR {
            return Ok(StepKey::ExpectError);
        }
        match ACTION_NAMES.iter().find(|n| **n == v) {
            Some(name) => Ok(StepKey::Action(name)),
            None => Err(E::custom(format!(
                "unknown action {v:?}, expected one of: {} (plus optionally \"expect_error\")",
                ACTION_NAMES.join(", ")
            ))),
        }
    }
}

/// Reads the payload of one action.
struct ActionSeed(&'static str);

impl<'de> DeserializeSeed<'de> for ActionSeed {
    type Value = Action;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Action, D::Error> {
        deserialize_action(self.0, deserializer)
    }
}

struct StepVisitor;

impl<'de> Visitor<'de> for StepVisitor {
    type Value = Step;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a step: an object with one action key, like {\"settle\": {}}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Step, A::Error> {
        let mut action: Option<Action> = None;
        let mut expect_error: Option<String> = None;
        while let Some(key) = map.next_key_seed(StepKeySeed)? {
            match key {
                StepKey::ExpectError => {
                    if expect_error.is_some() {
                        return Err(de::Error::custom("\"expect_error\" appears twice"));
                    }
                    expect_error = Some(map.next_value()?);
                }
                StepKey::Action(name) => {
                    if let Some(first) = &action {
                        return Err(de::Error::custom(format!(
                            "a step has exactly one action, found two: {:?} and {name:?}",
                            first.name()
                        )));
                    }
                    action = Some(map.next_value_seed(ActionSeed(name))?);
                }
            }
        }
        let action = action.ok_or_else(|| {
            de::Error::custom(format!(
                "a step needs an action, one of: {}",
                ACTION_NAMES.join(", ")
            ))
        })?;
        if expect_error.is_some() && !action.accepts_expect_error() {
            return Err(de::Error::custom(format!(
                "\"expect_error\" is not allowed on a {:?} step (only on actions that can fail: {})",
                action.name(),
                actions_accepting_expect_error().join(", ")
            )));
        }
        Ok(Step {
            action,
            expect_error,
        })
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(StepVisitor)
    }
}

/// A step as written: the action's key and payload, then `expect_error` when set.
#[derive(Serialize)]
struct StepOut<'a> {
    #[serde(flatten)]
    action: &'a Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    expect_error: &'a Option<String>,
}

impl Serialize for Step {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        StepOut {
            action: &self.action,
            expect_error: &self.expect_error,
        }
        .serialize(serializer)
    }
}

impl JsonSchema for Step {
    fn schema_name() -> String {
        "Step".to_owned()
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        let expect_error: Schema = SchemaObject {
            metadata: Some(Box::new(Metadata {
                description: Some(
                    "The action must fail with an error containing this text (\"\" accepts any \
                     error), and nothing may change."
                        .to_owned(),
                ),
                ..Default::default()
            })),
            instance_type: Some(InstanceType::String.into()),
            ..Default::default()
        }
        .into();
        let one_of = action_schemas(gen)
            .into_iter()
            .map(|(name, payload, accepts_expect_error, doc)| {
                let mut object = ObjectValidation {
                    additional_properties: Some(Box::new(Schema::Bool(false))),
                    ..Default::default()
                };
                object.required.insert(name.to_owned());
                object.properties.insert(name.to_owned(), payload);
                if accepts_expect_error {
                    object
                        .properties
                        .insert(EXPECT_ERROR.to_owned(), expect_error.clone());
                }
                SchemaObject {
                    metadata: Some(Box::new(Metadata {
                        title: Some(name.to_owned()),
                        description: Some(
                            doc.lines()
                                .map(str::trim)
                                .collect::<Vec<_>>()
                                .join(" ")
                                .trim()
                                .to_owned(),
                        ),
                        ..Default::default()
                    })),
                    instance_type: Some(InstanceType::Object.into()),
                    object: Some(Box::new(object)),
                    ..Default::default()
                }
                .into()
            })
            .collect();
        SchemaObject {
            metadata: Some(Box::new(Metadata {
                description: Some(
                    "A step: an object with one key, the action; actions that can fail may \
                     also carry \"expect_error\"."
                        .to_owned(),
                ),
                ..Default::default()
            })),
            subschemas: Some(Box::new(schemars::schema::SubschemaValidation {
                one_of: Some(one_of),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
