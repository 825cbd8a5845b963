//! The rules on single values, each written once and used twice: by the loader (a serde
//! `deserialize_with` function that refuses the value with its message) and by the JSON Schema
//! (a `schema_with` function that publishes the same rule). Patterns are generated from the
//! same limits the checks use ([`super::limits`]), so the two cannot drift apart; the schema
//! tests check them against each other on every fixture, fuzzer output and a corpus of invalid
//! files.
//!
//! Rules that relate several values (references to users and validators, unique names, sums,
//! report paths) are not expressible in a JSON Schema; they live in `validate.rs`.
//!
//! To add a rule: a checking function `fn(&mut D) -> Result<T, D::Error>` and its schema
//! function here, then `#[serde(deserialize_with = "...")]` and `#[schemars(schema_with =
//! "...")]` on the field.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use cosmwasm_std::Decimal;
use schemars::gen::SchemaGenerator;
use schemars::schema::{
    InstanceType, Metadata, NumberValidation, ObjectValidation, Schema, SchemaObject,
    StringValidation, SubschemaValidation,
};
use schemars::JsonSchema;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

use super::limits::{HORIZON, RATIO_MAX};
use super::values::{DurationValue, Ratio};

// ---------------------------------------------------------------------------------------------
// Regular expressions for bounded decimal numbers
// ---------------------------------------------------------------------------------------------

/// `[a-b]`, or the digit alone.
fn digit_class(a: u8, b: u8) -> String {
    if a == b {
        (a as char).to_string()
    } else {
        format!("[{}-{}]", a as char, b as char)
    }
}

/// `[0-9]{n}`, or nothing.
fn any_digits(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => "[0-9]".to_owned(),
        n => format!("[0-9]{{{n}}}"),
    }
}

/// A regular expression (unanchored, no leading zeros) of the integers from 1 to `n`.
fn positive_up_to(n: u128) -> String {
    assert!(n >= 1, "a range of positive integers needs n >= 1");
    let digits = n.to_string().into_bytes();
    let k = digits.len();
    let mut alternatives = vec![];
    if k >= 2 {
        alternatives.push(if k == 2 {
            "[1-9]".to_owned()
        } else {
            format!("[1-9][0-9]{{0,{}}}", k - 2)
        });
    }
    for i in 0..k {
        let low = if i == 0 { b'1' } else { b'0' };
        if digits[i] > low {
            alternatives.push(format!(
                "{}{}{}",
                String::from_utf8_lossy(&digits[..i]),
                digit_class(low, digits[i] - 1),
                any_digits(k - i - 1)
            ));
        }
    }
    alternatives.push(String::from_utf8_lossy(&digits).into_owned());
    alternatives.join("|")
}

/// A regular expression (unanchored, leading zeros allowed) of the integers from 0 to `n`.
pub(crate) fn integer_up_to(n: u128) -> String {
    if n == 0 {
        "0+".to_owned()
    } else {
        format!("0*(?:0|{})", positive_up_to(n))
    }
}

/// An optional fraction of 1 to 18 digits (a cosmwasm `Decimal`'s precision).
const FRACTION: &str = "(?:\\.[0-9]{1,18})?";

/// A regular expression (unanchored) of the decimals from 0 to `n` (at most 18 decimals).
fn decimal_up_to(n: u128) -> String {
    if n == 0 {
        return "0+(?:\\.0{1,18})?".to_owned();
    }
    format!("{}{FRACTION}|0*{n}(?:\\.0{{1,18}})?", integer_up_to(n - 1))
}

/// A regular expression (unanchored) of the decimals below `n` (at most 18 decimals).
fn decimal_below(n: u128) -> String {
    assert!(n >= 1);
    format!("{}{FRACTION}", integer_up_to(n - 1))
}

/// `^(?:re)$`.
fn anchored(re: &str) -> String {
    format!("^(?:{re})$")
}

// ---------------------------------------------------------------------------------------------
// Schema helpers
// ---------------------------------------------------------------------------------------------

/// A string schema with a pattern and a description.
pub(crate) fn string_schema(pattern: &str, description: &str) -> SchemaObject {
    SchemaObject {
        metadata: Some(Box::new(Metadata {
            description: Some(description.to_owned()),
            ..Default::default()
        })),
        instance_type: Some(InstanceType::String.into()),
        string: Some(Box::new(StringValidation {
            pattern: Some(pattern.to_owned()),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// An integer schema from `min` to `max`.
pub(crate) fn integer_schema(min: u64, max: u64, description: &str) -> SchemaObject {
    SchemaObject {
        metadata: Some(Box::new(Metadata {
            description: Some(description.to_owned()),
            ..Default::default()
        })),
        instance_type: Some(InstanceType::Integer.into()),
        number: Some(Box::new(NumberValidation {
            minimum: Some(min as f64),
            maximum: Some(max as f64),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// `base` (a reference to a definition) further restricted by `extra`.
fn refined(base: Schema, extra: SchemaObject) -> Schema {
    SchemaObject {
        subschemas: Some(Box::new(SubschemaValidation {
            all_of: Some(vec![base, extra.into()]),
            ..Default::default()
        })),
        ..Default::default()
    }
    .into()
}

/// A schema that only restricts strings by `pattern` (no type of its own).
fn pattern_only(pattern: &str) -> SchemaObject {
    SchemaObject {
        string: Some(Box::new(StringValidation {
            pattern: Some(pattern.to_owned()),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// A schema that only restricts integers by a minimum.
fn minimum_only(min: f64) -> SchemaObject {
    SchemaObject {
        number: Some(Box::new(NumberValidation {
            minimum: Some(min),
            ..Default::default()
        })),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------------------------

/// Reads a JSON integer from `min` to `max` (a number with a zero fraction, like `5.0` or
/// `1e3`, counts as an integer, as in JSON Schema); `what` names it in the error.
pub(crate) fn integer<'de, D: Deserializer<'de>>(
    deserializer: D,
    min: u64,
    max: u64,
    what: &'static str,
) -> Result<u64, D::Error> {
    struct IntVisitor {
        min: u64,
        max: u64,
        what: &'static str,
    }
    impl IntVisitor {
        fn range(&self) -> String {
            format!(
                "{} must be an integer from {} to {}",
                self.what, self.min, self.max
            )
        }
        fn check<E: de::Error>(&self, v: u64) -> Result<u64, E> {
            if v < self.min || v > self.max {
                return Err(E::custom(format!("{}, got {v}", self.range())));
            }
            Ok(v)
        }
    }
    impl Visitor<'_> for IntVisitor {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "an integer from {} to {}", self.min, self.max)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            self.check(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            match u64::try_from(v) {
                Ok(v) => self.check(v),
                Err(_) => Err(E::custom(format!("{}, got {v}", self.range()))),
            }
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            if v.fract() == 0.0 && v >= 0.0 && v <= self.max as f64 && v < u64::MAX as f64 {
                return self.check(v as u64);
            }
            let got = if v.fract() != 0.0 {
                format!("{v}, which is not a whole number")
            } else if v < 0.0 {
                format!("{v}")
            } else {
                amount_text_f64(v)
            };
            Err(E::custom(format!("{}, got {got}", self.range())))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            Err(E::custom(format!(
                "{}, got the string {} (write it as a number)",
                self.range(),
                serde_json::Value::String(v.to_owned())
            )))
        }
    }
    deserializer.deserialize_any(IntVisitor { min, max, what })
}

/// A large whole float as the user wrote it (approximately): `18446744073709551616` rather
/// than `1.8446744073709552e19`.
fn amount_text_f64(v: f64) -> String {
    if v < 1e30 {
        format!("{v:.0}")
    } else {
        format!("{v:e}")
    }
}

/// The seed: an integer from 0 to [`super::limits::SEED_MAX`].
pub(crate) fn seed<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    integer(deserializer, 0, super::limits::SEED_MAX, "the seed")
}

/// The schema of [`seed`].
pub(crate) fn seed_schema(_: &mut SchemaGenerator) -> Schema {
    integer_schema(
        0,
        super::limits::SEED_MAX,
        "Seed of every random choice of the run (seeded link delays, fuzzing); 0 to 2^53 - 1.",
    )
    .into()
}

/// `epoch_blocks`: at least 1, and at most the horizon in milliseconds (the epoch period, with
/// the block time, is checked against the horizon in `validate.rs`).
pub(crate) fn epoch_blocks<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    integer(deserializer, 1, HORIZON.millis(), "epoch_blocks")
}

/// The schema of [`epoch_blocks`].
pub(crate) fn epoch_blocks_schema(_: &mut SchemaGenerator) -> Schema {
    integer_schema(
        1,
        HORIZON.millis(),
        "Blocks between virtual staking epochs.",
    )
    .into()
}

/// `gas_limit` (provider or consumer): at least 1, since a limit of 0 would fail every wasm call,
/// and at most 2^53 − 1, which every JSON reader keeps exact.
pub(crate) fn gas_limit<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    integer(deserializer, 1, super::limits::GAS_LIMIT_MAX, "gas_limit").map(Some)
}

/// The schema of [`gas_limit`].
pub(crate) fn gas_limit_schema(_: &mut SchemaGenerator) -> Schema {
    integer_schema(
        1,
        super::limits::GAS_LIMIT_MAX,
        "Most gas one transaction may use when contracts run as wasm, in CosmWasm gas (default \
         420000000000, that is 3,000,000 Cosmos SDK gas); 1 to 2^53 - 1.",
    )
    .into()
}

/// A count of packets or receives (`drop_next`, `fail_next`): 0 (lifts the fault) to 2^32 − 1.
pub(crate) fn count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    integer(deserializer, 0, u32::MAX.into(), "a count").map(|v| v as u32)
}

/// [`count`] for an optional field.
pub(crate) fn count_opt<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u32>, D::Error> {
    count(deserializer).map(Some)
}

/// The schema of [`count`].
pub(crate) fn count_schema(_: &mut SchemaGenerator) -> Schema {
    integer_schema(
        0,
        u32::MAX.into(),
        "How many (0 lifts the fault; at most 4294967295).",
    )
    .into()
}

// ---------------------------------------------------------------------------------------------
// Limits of the value types (used by values.rs)
// ---------------------------------------------------------------------------------------------

/// The pattern of an amount: a decimal integer string up to [`super::limits::AMOUNT_MAX`].
pub(crate) fn amount_pattern() -> String {
    anchored(&integer_up_to(super::limits::AMOUNT_MAX))
}

/// The pattern of a ratio: a decimal string up to [`RATIO_MAX`] with at most 18 decimals.
pub(crate) fn ratio_pattern() -> String {
    anchored(&decimal_up_to(RATIO_MAX))
}

/// The pattern of a duration with a unit, up to the horizon.
pub(crate) fn duration_pattern() -> String {
    let alternatives: Vec<String> = super::values::UNITS
        .iter()
        .map(|(unit, size)| {
            format!(
                "{}{unit}",
                integer_up_to(u128::from(HORIZON.millis() / size))
            )
        })
        .collect();
    anchored(&alternatives.join("|"))
}

/// The largest duration in whole seconds (the integer form).
pub(crate) fn duration_max_secs() -> u64 {
    HORIZON.millis() / 1_000
}

// ---------------------------------------------------------------------------------------------
// Ratios with a narrower range
// ---------------------------------------------------------------------------------------------

fn ratio_rule<'de, D: Deserializer<'de>>(
    deserializer: D,
    ok: fn(Decimal) -> bool,
    rule: &str,
) -> Result<Ratio, D::Error> {
    let r = Ratio::deserialize(deserializer)?;
    if !ok(r.0) {
        return Err(de::Error::custom(format!("must be {rule}, got \"{r}\"")));
    }
    Ok(r)
}

/// A slash ratio or fraction: at most 1.
pub(crate) fn unit_ratio<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Ratio, D::Error> {
    ratio_rule(deserializer, |d| d <= Decimal::one(), "at most 1")
}

/// The schema of [`unit_ratio`].
pub(crate) fn unit_ratio_schema(gen: &mut SchemaGenerator) -> Schema {
    refined(
        gen.subschema_for::<Ratio>(),
        pattern_only(&anchored(&decimal_up_to(1))),
    )
}

/// A discount: below 1.
pub(crate) fn discount<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Ratio, D::Error> {
    ratio_rule(deserializer, |d| d < Decimal::one(), "less than 1")
}

/// The schema of [`discount`].
pub(crate) fn discount_schema(gen: &mut SchemaGenerator) -> Schema {
    refined(
        gen.subschema_for::<Ratio>(),
        pattern_only(&anchored(&decimal_below(1))),
    )
}

/// A price: above 0.
pub(crate) fn price<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Ratio, D::Error> {
    ratio_rule(deserializer, |d| !d.is_zero(), "greater than 0")
}

/// The schema of [`price`]: a ratio with a non-zero digit.
pub(crate) fn price_schema(gen: &mut SchemaGenerator) -> Schema {
    refined(gen.subschema_for::<Ratio>(), pattern_only("[1-9]"))
}

// ---------------------------------------------------------------------------------------------
// Durations above zero
// ---------------------------------------------------------------------------------------------

/// A duration above 0 (block times, packet timeouts, settle bounds, outages, halts).
pub(crate) fn positive_duration<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DurationValue, D::Error> {
    let d = DurationValue::deserialize(deserializer)?;
    if d.is_zero() {
        return Err(de::Error::custom("must be greater than 0"));
    }
    Ok(d)
}

/// [`positive_duration`] for an optional field.
pub(crate) fn positive_duration_opt<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DurationValue>, D::Error> {
    positive_duration(deserializer).map(Some)
}

/// The schema of [`positive_duration`]: a duration with a non-zero digit, or at least 1 second.
pub(crate) fn positive_duration_schema(gen: &mut SchemaGenerator) -> Schema {
    let mut extra = pattern_only("[1-9]");
    extra.number = minimum_only(1.0).number;
    refined(gen.subschema_for::<DurationValue>(), extra)
}

// ---------------------------------------------------------------------------------------------
// Names and denoms
// ---------------------------------------------------------------------------------------------

/// What a name may not be: empty, or contain `.` (report paths use it as separator).
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if name.contains('.') {
        return Err(format!(
            "{name:?} contains \".\", which report paths use as separator"
        ));
    }
    Ok(())
}

const NAME_PATTERN: &str = "^[^.]+$";

fn string_rule<'de, D: Deserializer<'de>>(
    deserializer: D,
    check: fn(&str) -> Result<(), String>,
) -> Result<String, D::Error> {
    let s = String::deserialize(deserializer)?;
    check(&s).map_err(de::Error::custom)?;
    Ok(s)
}

/// A name of an account or validator (non-empty, no `.`).
pub(crate) fn name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    string_rule(deserializer, check_name)
}

/// The schema of [`name`].
pub(crate) fn name_schema(_: &mut SchemaGenerator) -> Schema {
    string_schema(NAME_PATTERN, "A name: not empty, no \".\".").into()
}

/// Names a user may not take: the harness's own accounts on the provider.
pub const RESERVED_USERS: &[&str] = &["gov", "relayer"];

/// What a user name may not be: a [`check_name`] failure or a reserved account.
pub(crate) fn check_user(name: &str) -> Result<(), String> {
    check_name(name)?;
    if RESERVED_USERS.contains(&name) {
        return Err(format!(
            "{name:?} is reserved (the harness's own account on every chain); reserved: {}",
            RESERVED_USERS.join(", ")
        ));
    }
    Ok(())
}

/// Chain ids a consumer may not take: the report calls the local lienholder `native`, and the
/// contracts of the provider are `vault` and `native`.
pub const RESERVED_CONSUMERS: &[&str] = &["native", "vault"];

/// What a chain id may not be: empty, or contain `.` or `:` (contract names use `:` as
/// separator).
pub(crate) fn check_chain_id(id: &str) -> Result<(), String> {
    check_name(id)?;
    if id.contains(':') {
        return Err(format!(
            "{id:?} contains \":\", which the harness's contract names use as separator"
        ));
    }
    Ok(())
}

/// A chain id (non-empty, no `.` or `:`).
pub(crate) fn chain_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    string_rule(deserializer, check_chain_id)
}

/// The schema of [`chain_id`].
pub(crate) fn chain_id_schema(_: &mut SchemaGenerator) -> Schema {
    string_schema("^[^.:]+$", "A chain id: not empty, no \".\" or \":\".").into()
}

/// A consumer's chain id: a [`chain_id`] other than the reserved names.
pub(crate) fn consumer_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    string_rule(deserializer, |id| {
        check_chain_id(id)?;
        if RESERVED_CONSUMERS.contains(&id) {
            return Err(format!(
                "{id:?} is reserved: the report calls the local lienholder \"native\" and the \
                 provider's contracts \"vault\" and \"native\" (reserved: {})",
                RESERVED_CONSUMERS.join(", ")
            ));
        }
        Ok(())
    })
}

/// The schema of [`consumer_id`].
pub(crate) fn consumer_id_schema(gen: &mut SchemaGenerator) -> Schema {
    let mut s = chain_id_schema(gen).into_object();
    s.subschemas = Some(Box::new(SubschemaValidation {
        not: Some(Box::new(
            SchemaObject {
                enum_values: Some(
                    RESERVED_CONSUMERS
                        .iter()
                        .map(|n| serde_json::Value::String((*n).to_owned()))
                        .collect(),
                ),
                ..Default::default()
            }
            .into(),
        )),
        ..Default::default()
    }));
    s.into()
}

/// A scenario's `name`: not blank.
pub(crate) fn title<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    string_rule(deserializer, |s| {
        if s.trim().is_empty() {
            return Err("must not be empty".to_owned());
        }
        Ok(())
    })
}

/// The schema of [`title`].
pub(crate) fn title_schema(_: &mut SchemaGenerator) -> Schema {
    string_schema("\\S", "What the scenario shows, one line.").into()
}

/// A snapshot label: not empty.
pub(crate) fn label<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    string_rule(deserializer, |s| {
        if s.is_empty() {
            return Err("must not be empty".to_owned());
        }
        Ok(())
    })
}

/// The schema of [`label`].
pub(crate) fn label_schema(_: &mut SchemaGenerator) -> Schema {
    SchemaObject {
        metadata: Some(Box::new(Metadata {
            description: Some("The label of the report in the run's output.".to_owned()),
            ..Default::default()
        })),
        instance_type: Some(InstanceType::String.into()),
        string: Some(Box::new(StringValidation {
            min_length: Some(1),
            ..Default::default()
        })),
        ..Default::default()
    }
    .into()
}

const DENOM_PATTERN: &str = "^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$";

/// What a denom may not be (the Cosmos SDK's rule).
pub(crate) fn check_denom(denom: &str) -> Result<(), String> {
    let mut chars = denom.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c));
    if first_ok && rest_ok && (3..=128).contains(&denom.len()) {
        Ok(())
    } else {
        Err(format!(
            "invalid denom {denom:?}: expected 3 to 128 characters, a letter then letters, \
             digits, \"/\", \":\", \".\", \"_\" or \"-\""
        ))
    }
}

/// A denom.
pub(crate) fn denom<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    string_rule(deserializer, check_denom)
}

/// The schema of [`denom`].
pub(crate) fn denom_schema(_: &mut SchemaGenerator) -> Schema {
    string_schema(
        DENOM_PATTERN,
        "A denom: a letter, then 2 to 127 letters, digits or /:._-",
    )
    .into()
}

/// A list of validators: at least one.
pub(crate) fn validators<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    let list = Vec::<T>::deserialize(deserializer)?;
    if list.is_empty() {
        return Err(de::Error::custom("a chain needs at least one validator"));
    }
    Ok(list)
}

/// [`validators`] for an optional field.
pub(crate) fn validators_opt<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Vec<T>>, D::Error> {
    validators(deserializer).map(Some)
}

/// The schema of [`validators`].
pub(crate) fn validators_schema<T: JsonSchema>(gen: &mut SchemaGenerator) -> Schema {
    let mut s = gen.subschema_for::<Vec<T>>().into_object();
    s.array().min_items = Some(1);
    s.into()
}

// ---------------------------------------------------------------------------------------------
// Maps with unique, checked keys
// ---------------------------------------------------------------------------------------------

/// Reads a JSON object into a map, refusing a key that appears twice (JSON parsers keep one of
/// them silently) and checking every key with `check`.
pub(crate) fn unique_map<'de, D, V>(
    deserializer: D,
    check: fn(&str) -> Result<(), String>,
) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct MapVisitor<V> {
        check: fn(&str) -> Result<(), String>,
        marker: PhantomData<V>,
    }
    impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                let problem = if out.contains_key(&key) {
                    Some(format!("{key:?} appears twice"))
                } else {
                    (self.check)(&key).err()
                };
                // Read the value through a seed that reports the key's problem, so the error's
                // path ends in the key.
                let value = map.next_value_seed(KeyChecked {
                    problem,
                    marker: PhantomData,
                })?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    struct KeyChecked<V> {
        problem: Option<String>,
        marker: PhantomData<V>,
    }
    impl<'de, V: Deserialize<'de>> de::DeserializeSeed<'de> for KeyChecked<V> {
        type Value = V;
        fn deserialize<D2: Deserializer<'de>>(self, deserializer: D2) -> Result<V, D2::Error> {
            if let Some(problem) = self.problem {
                return Err(de::Error::custom(problem));
            }
            V::deserialize(deserializer)
        }
    }
    deserializer.deserialize_map(MapVisitor {
        check,
        marker: PhantomData,
    })
}

/// The schema of an object whose keys follow `key_pattern` and whose values are `V`.
pub(crate) fn map_schema<V: JsonSchema>(
    gen: &mut SchemaGenerator,
    key_pattern: &str,
    description: &str,
) -> SchemaObject {
    SchemaObject {
        metadata: Some(Box::new(Metadata {
            description: Some(description.to_owned()),
            ..Default::default()
        })),
        instance_type: Some(InstanceType::Object.into()),
        object: Some(Box::new(ObjectValidation {
            additional_properties: Some(Box::new(gen.subschema_for::<V>())),
            property_names: Some(Box::new(string_schema(key_pattern, "A key.").into())),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// The accounts map: user names (see [`check_user`]) to balances.
pub(crate) fn accounts<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    unique_map(deserializer, check_user)
}

/// The schema of [`accounts`].
pub(crate) fn accounts_schema<V: JsonSchema>(gen: &mut SchemaGenerator) -> Schema {
    let mut s = map_schema::<V>(
        gen,
        NAME_PATTERN,
        "Genesis balance of each user on the provider chain: an amount of the provider denom, or \
         {\"<denom>\": \"<amount>\"}. The users of the steps are the names given here.",
    );
    if let Some(names) = s.object.as_mut().and_then(|o| o.property_names.as_mut()) {
        let mut names_obj = names.clone().into_object();
        names_obj.subschemas = Some(Box::new(SubschemaValidation {
            not: Some(Box::new(
                SchemaObject {
                    enum_values: Some(
                        RESERVED_USERS
                            .iter()
                            .map(|n| serde_json::Value::String((*n).to_owned()))
                            .collect(),
                    ),
                    ..Default::default()
                }
                .into(),
            )),
            ..Default::default()
        }));
        **names = names_obj.into();
    }
    s.into()
}

/// A map of denoms to values (keys checked with [`check_denom`]).
pub(crate) fn denom_map<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    unique_map(deserializer, check_denom)
}

/// The schema of [`denom_map`].
pub(crate) fn denom_map_schema<V: JsonSchema>(gen: &mut SchemaGenerator) -> SchemaObject {
    map_schema::<V>(gen, DENOM_PATTERN, "Amounts per denom.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(re: &str, s: &str) -> bool {
        // The patterns only use what both regex engines (ECMA 262 and Rust's) read alike.
        regex_lite_match(&anchored(re), s)
    }

    /// A tiny matcher through the jsonschema crate (the same engine the schema tests use).
    fn regex_lite_match(pattern: &str, s: &str) -> bool {
        let schema = serde_json::json!({"type": "string", "pattern": pattern});
        jsonschema::is_valid(&schema, &serde_json::Value::String(s.to_owned()))
    }

    /// The generated integer ranges hold exactly the numbers up to their bound.
    #[test]
    fn integer_ranges_are_exact() {
        for n in [1u128, 9, 10, 99, 100, 101, 864, 1000, 86_400_000, 240_000] {
            let re = integer_up_to(n);
            for v in [0, 1, n / 2, n.saturating_sub(1), n, n + 1, n * 10, n + 10] {
                assert_eq!(matches(&re, &v.to_string()), v <= n, "{v} <= {n} ({re})");
                assert_eq!(matches(&re, &format!("00{v}")), v <= n, "00{v} <= {n}");
            }
        }
        let re = integer_up_to(super::super::limits::AMOUNT_MAX);
        assert!(matches(&re, "1000000000000000000000000000000"));
        assert!(!matches(&re, "1000000000000000000000000000001"));
        assert!(matches(&re, "999999999999999999999999999999"));
    }

    /// Decimal ranges: at most 1, below 1, and the type's own limit.
    #[test]
    fn decimal_ranges_are_exact() {
        let le1 = decimal_up_to(1);
        for (s, ok) in [
            ("0", true),
            ("1", true),
            ("1.0", true),
            ("1.000000000000000000", true),
            ("1.0000000000000000001", false),
            ("1.01", false),
            ("0.999", true),
            ("00.5", true),
            ("2", false),
            ("10", false),
        ] {
            assert_eq!(matches(&le1, s), ok, "{s} <= 1");
        }
        let lt1 = decimal_below(1);
        for (s, ok) in [("0", true), ("0.99", true), ("1", false), ("1.0", false)] {
            assert_eq!(matches(&lt1, s), ok, "{s} < 1");
        }
    }
}
