//! The JSON Schema of scenario files (`mesh-harness schema`).

use super::model::Scenario;

/// The JSON Schema (draft-07) of a scenario file, pretty-printed.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_string_pretty(&schema).expect("a schema always serializes")
}
