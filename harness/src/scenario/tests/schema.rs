//! The published JSON Schema.

use serde_json::Value;

use crate::scenario::{actions_accepting_expect_error, schema_json, ACTION_NAMES};

fn schema() -> Value {
    serde_json::from_str(&schema_json()).expect("the schema is valid JSON")
}

/// The schema is a draft-07 object schema of the top level, closed to unknown fields.
#[test]
fn schema_describes_the_top_level() {
    let s = schema();
    assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(s["type"], "object");
    assert_eq!(s["required"], serde_json::json!(["name"]));
    assert_eq!(s["additionalProperties"], false);
    let props: Vec<&str> = s["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        props,
        [
            "$schema",
            "accounts",
            "consumers",
            "contracts",
            "description",
            "implementation",
            "name",
            "provider",
            "seed",
            "steps"
        ]
    );
    assert_eq!(s["properties"]["provider"]["default"]["denom"], "uosmo");
    assert_eq!(
        s["definitions"]["Consumer"]["required"],
        serde_json::json!(["chain_id"])
    );
    assert_eq!(
        s["definitions"]["Consumer"]["properties"]["price"]["default"],
        "0.5"
    );
    assert_eq!(
        s["definitions"]["Amount"]["pattern"],
        "^(?:0*(?:0|[1-9][0-9]{0,29}|1000000000000000000000000000000))$"
    );
}

/// Every action has its own alternative in `Step`, closed to other keys, and `expect_error` is
/// offered exactly on the actions that accept it.
#[test]
fn schema_mentions_every_action() {
    let s = schema();
    let text = schema_json();
    let one_of = s["definitions"]["Step"]["oneOf"].as_array().unwrap();
    assert_eq!(one_of.len(), ACTION_NAMES.len());
    let accepting = actions_accepting_expect_error();
    for (alt, name) in one_of.iter().zip(ACTION_NAMES) {
        assert!(text.contains(&format!("\"{name}\"")), "{name}");
        assert_eq!(alt["title"], *name);
        assert_eq!(alt["required"], serde_json::json!([name]));
        assert_eq!(alt["additionalProperties"], false);
        assert!(alt["properties"][name].is_object(), "{name}");
        assert_eq!(
            alt["properties"]["expect_error"].is_object(),
            accepting.contains(name),
            "{name}"
        );
    }
    assert_eq!(accepting.len(), 18);
}

/// Each fault shape is an alternative with its required keys.
#[test]
fn schema_lists_fault_shapes() {
    let s = schema();
    let shapes: Vec<Value> = s["definitions"]["Fault"]["anyOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|alt| alt["required"].clone())
        .collect();
    assert_eq!(
        shapes,
        [
            serde_json::json!(["delay", "link"]),
            serde_json::json!(["drop_next", "link"]),
            serde_json::json!(["link", "outage"]),
            serde_json::json!(["chain", "halt"]),
            serde_json::json!(["consumer", "contract", "fail_next"]),
        ]
    );
}

/// The `contracts` section lists the seven roles, each `"native"` or a `.wasm` path, and no
/// other key.
#[test]
fn schema_describes_the_contracts_section() {
    let s: serde_json::Value = serde_json::from_str(&crate::scenario::schema_json()).unwrap();
    let contracts = &s["properties"]["contracts"];
    assert_eq!(contracts["additionalProperties"], false);
    let roles: Vec<&str> = contracts["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        roles,
        [
            "converter",
            "external_staking",
            "native_staking",
            "native_staking_proxy",
            "price_feed",
            "vault",
            "virtual_staking"
        ]
    );
    let source = &s["definitions"]["ContractSource"]["oneOf"];
    assert_eq!(source[0]["const"], "native");
    assert_eq!(source[1]["pattern"], "[\\s\\S]\\.wasm$");
}

/// `docs/scenario.schema.json`, which editors in this repository use (`.vscode/settings.json`
/// and the fixtures' `"$schema"`), is what `mesh-harness schema` prints.
#[test]
fn committed_schema_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/scenario.schema.json");
    let committed = std::fs::read_to_string(path).expect("docs/scenario.schema.json exists");
    assert!(
        committed == format!("{}\n", schema_json()),
        "docs/scenario.schema.json is out of date: regenerate it with \
         `cargo run -p mesh-harness -- schema > docs/scenario.schema.json`"
    );
}

/// A fixture carrying `"$schema"` loads, and its path leads to the schema from the fixture's
/// directory, as an editor resolves it.
#[test]
fn a_fixture_with_dollar_schema_loads() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");
    let demo =
        crate::scenario::load_file(format!("{dir}/demo.json")).unwrap_or_else(|e| panic!("{e}"));
    let reference = demo.schema.expect("fixtures/demo.json carries \"$schema\"");
    let schema =
        std::fs::read_to_string(format!("{dir}/{reference}")).expect("the schema is there");
    assert_eq!(schema, format!("{}\n", schema_json()));
}
