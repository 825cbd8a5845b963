//! The scenario's `contracts` section: which code each contract role runs, natively linked or a
//! `.wasm` file (`"contracts": {"vault": "artifacts/mesh_vault.wasm", "converter": "native"}`).

use std::fmt;

use schemars::gen::SchemaGenerator;
use schemars::schema::{Metadata, Schema, SchemaObject, SubschemaValidation};
use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A contract role: the part a code plays in the topology.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ContractRole {
    /// The vault (provider).
    Vault,
    /// Native staking, the local lienholder (provider).
    NativeStaking,
    /// The per-user native staking proxy (provider).
    NativeStakingProxy,
    /// External staking, one per consumer (provider).
    ExternalStaking,
    /// The converter (consumer).
    Converter,
    /// Virtual staking (consumer).
    VirtualStaking,
    /// The price feed (consumer).
    PriceFeed,
}

impl ContractRole {
    /// Every role.
    pub const ALL: [ContractRole; 7] = [
        ContractRole::Vault,
        ContractRole::NativeStaking,
        ContractRole::NativeStakingProxy,
        ContractRole::ExternalStaking,
        ContractRole::Converter,
        ContractRole::VirtualStaking,
        ContractRole::PriceFeed,
    ];

    /// Its name in the file.
    pub fn name(self) -> &'static str {
        match self {
            ContractRole::Vault => "vault",
            ContractRole::NativeStaking => "native_staking",
            ContractRole::NativeStakingProxy => "native_staking_proxy",
            ContractRole::ExternalStaking => "external_staking",
            ContractRole::Converter => "converter",
            ContractRole::VirtualStaking => "virtual_staking",
            ContractRole::PriceFeed => "price_feed",
        }
    }
}

/// Read the `contracts` section: a role named twice or an unknown role is refused, the error
/// naming it.
pub fn deserialize_contracts<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<std::collections::BTreeMap<ContractRole, ContractSource>, D::Error> {
    let raw = super::rules::unique_map::<D, ContractSource>(deserializer, check_role)?;
    Ok(raw
        .into_iter()
        .filter_map(|(name, source)| Some((role_named(&name)?, source)))
        .collect())
}

/// The role called `name` in the file.
fn role_named(name: &str) -> Option<ContractRole> {
    ContractRole::ALL.into_iter().find(|r| r.name() == name)
}

/// Whether `name` is a role.
fn check_role(name: &str) -> Result<(), String> {
    match role_named(name) {
        Some(_) => Ok(()),
        None => {
            let roles: Vec<&str> = ContractRole::ALL.iter().map(|r| r.name()).collect();
            Err(format!(
                "unknown contract role {}, expected one of: {}",
                serde_json::Value::String(name.to_owned()),
                roles.join(", ")
            ))
        }
    }
}

/// The schema of the `contracts` section: an object with one optional key per role.
pub fn contracts_schema(gen: &mut SchemaGenerator) -> Schema {
    let mut object = SchemaObject {
        metadata: Some(Box::new(Metadata {
            description: Some(
                "Which code each contract role runs: \"native\" (the default) or the path of a \
                 .wasm file, relative to the scenario file's directory."
                    .to_owned(),
            ),
            ..Default::default()
        })),
        instance_type: Some(schemars::schema::InstanceType::Object.into()),
        ..Default::default()
    };
    let source = gen.subschema_for::<ContractSource>();
    for role in ContractRole::ALL {
        object
            .object()
            .properties
            .insert(role.name().to_owned(), source.clone());
    }
    object.object().additional_properties = Some(Box::new(Schema::Bool(false)));
    object.into()
}

/// Where a role's code comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContractSource {
    /// The contract linked into the harness (the default).
    Native,
    /// A `.wasm` file, relative to the scenario file's directory unless absolute.
    Wasm(String),
}

/// What a contract source must look like.
pub const SOURCE_EXPECTED: &str = "expected \"native\" or the path of a .wasm file";

impl Serialize for ContractSource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ContractSource::Native => serializer.serialize_str("native"),
            ContractSource::Wasm(path) => serializer.serialize_str(path),
        }
    }
}

struct SourceVisitor;

impl Visitor<'_> for SourceVisitor {
    type Value = ContractSource;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SOURCE_EXPECTED.trim_start_matches("expected "))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ContractSource, E> {
        if v == "native" {
            Ok(ContractSource::Native)
        } else if v.ends_with(".wasm") && v.len() > ".wasm".len() {
            Ok(ContractSource::Wasm(v.to_owned()))
        } else {
            Err(E::custom(format!(
                "{SOURCE_EXPECTED}, got {}",
                serde_json::Value::String(v.to_owned())
            )))
        }
    }
}

impl<'de> Deserialize<'de> for ContractSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(SourceVisitor)
    }
}

impl JsonSchema for ContractSource {
    fn schema_name() -> String {
        "ContractSource".to_owned()
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        let native = SchemaObject {
            const_value: Some("native".into()),
            ..Default::default()
        };
        let mut wasm = match String::json_schema(gen) {
            Schema::Object(o) => o,
            other => return other,
        };
        // At least one character before `.wasm`, as the loader requires (`[\s\S]`: any
        // character, newlines included, in every regex dialect).
        wasm.string().pattern = Some(r"[\s\S]\.wasm$".to_owned());
        SchemaObject {
            metadata: Some(Box::new(Metadata {
                description: Some(
                    "\"native\" (the contract linked into the harness) or the path of a .wasm \
                     file, relative to the scenario file's directory"
                        .to_owned(),
                ),
                ..Default::default()
            })),
            subschemas: Some(Box::new(SubschemaValidation {
                one_of: Some(vec![native.into(), wasm.into()]),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
