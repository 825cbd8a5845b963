//! Scalar values of a scenario file: amounts, ratios, durations and link delays.
//!
//! Each type parses from the string form `docs/scenario.md` defines, serializes back to its canonical
//! string, and publishes a JSON Schema with a pattern and a description.

use std::fmt;
use std::str::FromStr;

use cosmwasm_std::{Decimal, Uint128};
use schemars::gen::SchemaGenerator;
use schemars::schema::{
    InstanceType, Metadata, NumberValidation, Schema, SchemaObject, SubschemaValidation,
};
use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::limits::{amount_text, horizon_text, AMOUNT_MAX, HORIZON, RATIO_MAX};
use super::rules::{self, string_schema};

/// What an amount must look like, used in every amount error.
pub const AMOUNT_EXPECTED: &str = "expected a decimal integer string like \"100000000\"";
/// What a ratio or price must look like, used in every ratio error.
pub const RATIO_EXPECTED: &str = "expected a decimal string like \"0.5\"";
/// What a duration must look like, used in every duration error.
pub const DURATION_EXPECTED: &str =
    "expected a duration like \"500ms\", \"30s\", \"10m\", \"2h\", \"21d\" or an integer number of seconds";

/// Quotes a string the way JSON does, for error messages.
fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

// ---------------------------------------------------------------------------------------------
// Amount
// ---------------------------------------------------------------------------------------------

/// An amount of a chain's base denom, written as a decimal integer string (`"100000000"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub u128);

impl Amount {
    /// An amount of `v` base units.
    pub const fn new(v: u128) -> Self {
        Amount(v)
    }

    /// The amount as a plain integer.
    pub const fn u128(self) -> u128 {
        self.0
    }

    /// The amount as a cosmwasm `Uint128`.
    pub const fn uint128(self) -> Uint128 {
        Uint128::new(self.0)
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl From<u128> for Amount {
    fn from(v: u128) -> Self {
        Amount(v)
    }
}

impl From<Uint128> for Amount {
    fn from(v: Uint128) -> Self {
        Amount(v.u128())
    }
}

impl From<Amount> for Uint128 {
    fn from(a: Amount) -> Self {
        a.uint128()
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Amount {
    type Err = String;

    /// Parses a decimal integer string; the error is the full message for the user.
    fn from_str(s: &str) -> Result<Self, String> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{AMOUNT_EXPECTED}, got {}", quoted(s)));
        }
        let too_large = || {
            format!(
                "amount {} is too large: at most {} ({AMOUNT_MAX}) base units",
                quoted(s),
                amount_text(AMOUNT_MAX)
            )
        };
        match s.parse::<u128>() {
            Ok(v) if v <= AMOUNT_MAX => Ok(Amount(v)),
            _ => Err(too_large()),
        }
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

struct AmountVisitor;

impl Visitor<'_> for AmountVisitor {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&AMOUNT_EXPECTED["expected ".len()..])
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
        Err(E::custom(format!(
            "{AMOUNT_EXPECTED}, got the number {v} (write it as a string: \"{v}\")"
        )))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
        Err(E::custom(format!("{AMOUNT_EXPECTED}, got the number {v}")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
        Err(E::custom(format!("{AMOUNT_EXPECTED}, got the number {v}")))
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AmountVisitor)
    }
}

impl JsonSchema for Amount {
    fn schema_name() -> String {
        "Amount".to_owned()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema(
            &rules::amount_pattern(),
            "An amount in the chain's base denom, as a decimal integer string, e.g. \"100000000\"; \
             at most 10^30.",
        )
        .into()
    }
}

// ---------------------------------------------------------------------------------------------
// Ratio
// ---------------------------------------------------------------------------------------------

/// A non-negative ratio or price, written as a decimal string (`"0.5"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ratio(pub Decimal);

impl Ratio {
    /// The ratio as a cosmwasm `Decimal`.
    pub const fn decimal(self) -> Decimal {
        self.0
    }

    /// Parses a ratio known to be valid; panics otherwise (for defaults and tests).
    pub fn lit(s: &str) -> Self {
        s.parse().expect("valid ratio literal")
    }
}

impl From<Decimal> for Ratio {
    fn from(d: Decimal) -> Self {
        Ratio(d)
    }
}

impl From<Ratio> for Decimal {
    fn from(r: Ratio) -> Self {
        r.0
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Ratio {
    type Err = String;

    /// Parses a decimal string; the error is the full message for the user.
    fn from_str(s: &str) -> Result<Self, String> {
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || !frac.is_none_or(digits) {
            return Err(format!("{RATIO_EXPECTED}, got {}", quoted(s)));
        }
        let too_large = || {
            format!(
                "{} is too large: at most {} with at most 18 decimals",
                quoted(s),
                amount_text(RATIO_MAX)
            )
        };
        if frac.is_some_and(|f| f.len() > 18) {
            return Err(format!(
                "{} has more than 18 decimals (the precision of a chain's decimals)",
                quoted(s)
            ));
        }
        let ratio = Decimal::from_str(s).map_err(|_| too_large())?;
        if ratio > Decimal::from_ratio(RATIO_MAX, 1u128) {
            return Err(too_large());
        }
        Ok(Ratio(ratio))
    }
}

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

struct RatioVisitor;

impl Visitor<'_> for RatioVisitor {
    type Value = Ratio;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&RATIO_EXPECTED["expected ".len()..])
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Ratio, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Ratio, E> {
        Err(E::custom(format!(
            "{RATIO_EXPECTED}, got the number {v} (write it as a string: \"{v}\")"
        )))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Ratio, E> {
        Err(E::custom(format!("{RATIO_EXPECTED}, got the number {v}")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Ratio, E> {
        Err(E::custom(format!(
            "{RATIO_EXPECTED}, got the number {v} (write it as a string: \"{v}\")"
        )))
    }
}

impl<'de> Deserialize<'de> for Ratio {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RatioVisitor)
    }
}

impl JsonSchema for Ratio {
    fn schema_name() -> String {
        "Ratio".to_owned()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        string_schema(
            &rules::ratio_pattern(),
            "A non-negative decimal number as a string, e.g. \"0.5\"; at most 10^18, at most 18 \
             decimals.",
        )
        .into()
    }
}

// ---------------------------------------------------------------------------------------------
// Duration
// ---------------------------------------------------------------------------------------------

/// A span of simulated time, in milliseconds. Written as a string with a unit (`"500ms"`,
/// `"30s"`, `"10m"`, `"2h"`, `"21d"`) or as an integer number of seconds (`30`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DurationValue(pub u64);

/// The units of a duration and their size in milliseconds.
pub(crate) const UNITS: [(&str, u64); 5] = [
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
];

impl DurationValue {
    /// A duration of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        DurationValue(ms)
    }

    /// A duration of `s` seconds.
    pub const fn from_secs(s: u64) -> Self {
        DurationValue(s * 1_000)
    }

    /// The duration in milliseconds.
    pub const fn millis(self) -> u64 {
        self.0
    }

    /// The duration in whole seconds (rounded down).
    pub const fn secs(self) -> u64 {
        self.0 / 1_000
    }

    /// The duration as a `std::time::Duration`.
    pub const fn as_std(self) -> std::time::Duration {
        std::time::Duration::from_millis(self.0)
    }

    /// Whether the duration is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Parses a duration known to be valid; panics otherwise (for defaults and tests).
    pub fn lit(s: &str) -> Self {
        s.parse().expect("valid duration literal")
    }

    fn from_secs_checked(secs: u64) -> Result<Self, String> {
        secs.checked_mul(1_000)
            .map(DurationValue)
            .filter(|d| *d <= HORIZON)
            .ok_or_else(|| beyond_horizon(&format!("{secs} seconds")))
    }
}

impl fmt::Display for DurationValue {
    /// The canonical form: the largest unit that divides the duration exactly.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let (unit, size) = UNITS
            .iter()
            .rev()
            .find(|(_, size)| self.0.checked_rem(*size) == Some(0))
            .copied()
            .unwrap_or(UNITS[0]);
        write!(f, "{}{unit}", self.0 / size)
    }
}

impl FromStr for DurationValue {
    type Err = String;

    /// Parses `<digits><unit>`; the error is the full message for the user.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{DURATION_EXPECTED}, got {}", quoted(s));
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (number, unit) = s.split_at(split);
        if number.is_empty() {
            return Err(bad());
        }
        let size = UNITS
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, size)| *size)
            .ok_or_else(bad)?;
        number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(size))
            .map(DurationValue)
            .filter(|d| *d <= HORIZON)
            .ok_or_else(|| beyond_horizon(&quoted(s)))
    }
}

/// The error of a duration longer than the horizon.
fn beyond_horizon(what: &str) -> String {
    format!(
        "duration {what} is beyond the simulation horizon: at most {}",
        horizon_text()
    )
}

impl Serialize for DurationValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = DurationValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&DURATION_EXPECTED["expected ".len()..])
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DurationValue, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<DurationValue, E> {
        DurationValue::from_secs_checked(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<DurationValue, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(format!("{DURATION_EXPECTED}, got {v}"))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<DurationValue, E> {
        // A whole number written with a fraction or exponent (`30.0`, `3e1`) is an integer, as
        // in JSON Schema.
        if v.fract() == 0.0 && v >= 0.0 && v < u64::MAX as f64 {
            return self.visit_u64(v as u64);
        }
        Err(E::custom(format!("{DURATION_EXPECTED}, got {v}")))
    }
}

impl<'de> Deserialize<'de> for DurationValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DurationVisitor)
    }
}

impl JsonSchema for DurationValue {
    fn schema_name() -> String {
        "Duration".to_owned()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let text = string_schema(
            &rules::duration_pattern(),
            "A duration with a unit: ms, s, m, h or d, e.g. \"500ms\", \"10m\", \"21d\"; at most \
             10000d.",
        );
        let seconds = SchemaObject {
            metadata: Some(Box::new(Metadata {
                description: Some("A duration as an integer number of seconds.".to_owned()),
                ..Default::default()
            })),
            instance_type: Some(InstanceType::Integer.into()),
            number: Some(Box::new(NumberValidation {
                minimum: Some(0.0),
                maximum: Some(rules::duration_max_secs() as f64),
                ..Default::default()
            })),
            ..Default::default()
        };
        SchemaObject {
            metadata: Some(Box::new(Metadata {
                description: Some(
                    "A span of simulated time: a string with a unit (ms, s, m, h, d) or an \
                     integer number of seconds."
                        .to_owned(),
                ),
                ..Default::default()
            })),
            subschemas: Some(Box::new(SubschemaValidation {
                one_of: Some(vec![text.into(), seconds.into()]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

// ---------------------------------------------------------------------------------------------
// Delay
// ---------------------------------------------------------------------------------------------

/// A relay delay: fixed (`"5s"`), or drawn from the scenario seed in a range
/// (`{"min": "1s", "max": "30s"}`, `min <= max`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delay {
    /// Always the same delay.
    Fixed(DurationValue),
    /// A seeded random delay in `[min, max]`.
    Range {
        /// Smallest delay.
        min: DurationValue,
        /// Largest delay.
        max: DurationValue,
    },
}

impl Delay {
    /// The smallest delay this can produce.
    pub const fn min(self) -> DurationValue {
        match self {
            Delay::Fixed(d) => d,
            Delay::Range { min, .. } => min,
        }
    }

    /// The largest delay this can produce.
    pub const fn max(self) -> DurationValue {
        match self {
            Delay::Fixed(d) => d,
            Delay::Range { max, .. } => max,
        }
    }
}

impl Default for Delay {
    /// The default link delay, 5 s.
    fn default() -> Self {
        Delay::Fixed(DurationValue::from_secs(5))
    }
}

impl fmt::Display for Delay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Delay::Fixed(d) => write!(f, "{d}"),
            Delay::Range { min, max } => write!(f, "{min}..{max}"),
        }
    }
}

/// The `{min, max}` form of a delay, as written in the file.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DelayRange {
    /// Smallest delay.
    min: DurationValue,
    /// Largest delay.
    max: DurationValue,
}

impl Serialize for Delay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Delay::Fixed(d) => d.serialize(serializer),
            Delay::Range { min, max } => DelayRange { min, max }.serialize(serializer),
        }
    }
}

struct DelayVisitor;

impl<'de> Visitor<'de> for DelayVisitor {
    type Value = Delay;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration like \"5s\" or a range like {\"min\": \"1s\", \"max\": \"30s\"}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Delay, E> {
        DurationVisitor.visit_str(v).map(Delay::Fixed)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Delay, E> {
        DurationVisitor.visit_u64(v).map(Delay::Fixed)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Delay, E> {
        DurationVisitor.visit_i64(v).map(Delay::Fixed)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Delay, E> {
        DurationVisitor.visit_f64(v).map(Delay::Fixed)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Delay, A::Error> {
        // `min <= max` relates two values: checked with the references (validate.rs), as the
        // JSON Schema cannot say it.
        let DelayRange { min, max } =
            DelayRange::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Delay::Range { min, max })
    }
}

impl<'de> Deserialize<'de> for Delay {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DelayVisitor)
    }
}

impl JsonSchema for Delay {
    fn schema_name() -> String {
        "Delay".to_owned()
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        SchemaObject {
            metadata: Some(Box::new(Metadata {
                description: Some(
                    "A relay delay: a fixed duration, or {\"min\", \"max\"} drawn from the \
                     scenario seed."
                        .to_owned(),
                ),
                ..Default::default()
            })),
            subschemas: Some(Box::new(SubschemaValidation {
                one_of: Some(vec![
                    gen.subschema_for::<DurationValue>(),
                    gen.subschema_for::<DelayRange>(),
                ]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
