//! Scenario files: the format of `docs/scenario.md` (values, chains, accounts, steps), loading with
//! one-line errors that name the file and the JSON path, validation of references, and the JSON
//! Schema.
//!
//! ```no_run
//! let scenario = mesh_harness::scenario::load_file("fixtures/demo.json")?;
//! for step in &scenario.steps {
//!     println!("{}", step.action.name());
//! }
//! # Ok::<(), mesh_harness::scenario::ScenarioError>(())
//! ```

/// Implements `Deserialize` and `Serialize` for a struct whose serde derive carries
/// `#[serde(remote = "Self")]` (`deserialize Type` for a Deserialize-only struct), accepting only a JSON object (serde's derive would also accept an
/// array of the fields in order, which is not part of the file format).
macro_rules! object_only {
    ($ty:ty, $expecting:literal) => {
        object_only!(deserialize $ty, $expecting);

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                <$ty>::serialize(self, serializer)
            }
        }
    };
    (deserialize $ty:ty, $expecting:literal) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        map: A,
                    ) -> Result<$ty, A::Error> {
                        <$ty>::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    }
                }
                deserializer.deserialize_map(ObjectVisitor)
            }
        }
    };
}

mod contracts;
pub mod limits;
mod load;
mod model;
pub mod paths;
mod rules;
mod schema;
mod step;
mod validate;
mod values;

#[cfg(test)]
mod tests;

pub use contracts::{ContractRole, ContractSource, ImplementationName};
pub use load::{load_file, parse_str, parse_unvalidated, to_json_pretty, ErrorKind, ScenarioError};
pub use model::{
    AccountBalance, Consumer, ExternalStakingConfig, LinkConfig, NativeStakingConfig, Provider,
    Scenario, SlashFractions, ValidatorSpec,
};
pub use schema::schema_json;
pub use step::{
    actions_accepting_expect_error, Action, AddValidatorArgs, ChainValidator, ConsumerOnly,
    DrainArgs, Expectations, Fault, FaultContract, LocalRestake, LocalStake, RemoteStake,
    SetMaxCapArgs, SetPriceArgs, SettleArgs, Step, TombstoneArgs, UserAmount, UserConsumer,
    UserOnly, WithdrawRewardsArgs, ACTION_NAMES, DEFAULT_SETTLE_WITHIN, DRAIN_SETTLES,
    DRAIN_SETTLE_WITHIN, DRAIN_UNSTAKE_ROUNDS,
};
pub use validate::ValidationError;
pub use values::{Amount, Delay, DurationValue, Ratio};
