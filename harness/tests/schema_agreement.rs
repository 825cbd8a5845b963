//! The published JSON Schema and the loader agree: a document is valid for the schema exactly
//! when the loader parses it (shape and the rules on single values). Checked on every fixture,
//! on `fuzz --print` outputs, on a corpus of invalid and borderline documents, and on thousands
//! of mutations of the fixtures. Rules that relate several values (references, uniqueness,
//! report paths, sums) are the loader's alone and are checked separately.

use proptest::prelude::*;
use serde_json::{json, Value};

use mesh_harness::scenario::{parse_str, parse_unvalidated, schema_json};

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&schema_json()).unwrap();
    jsonschema::draft7::new(&schema).expect("the schema compiles")
}

/// Both verdicts on `doc`, and the loader's error (for messages).
fn verdicts(v: &jsonschema::Validator, doc: &Value) -> (bool, bool, String) {
    let text = doc.to_string();
    let loaded = parse_unvalidated(&text, "t.json");
    let err = loaded
        .as_ref()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    (v.is_valid(doc), loaded.is_ok(), err)
}

fn assert_agree(v: &jsonschema::Validator, doc: &Value) {
    let (schema_ok, loader_ok, err) = verdicts(v, doc);
    let schema_errors: Vec<String> = v.iter_errors(doc).map(|e| e.to_string()).collect();
    assert_eq!(
        schema_ok, loader_ok,
        "schema {schema_ok} ({schema_errors:?}), loader {loader_ok} ({err}) on {doc}"
    );
}

fn fixtures() -> Vec<(String, Value)> {
    let dir = format!("{}/../fixtures", env!("CARGO_MANIFEST_DIR"));
    let files =
        mesh_harness::cli::collect_files(&[dir.into()]).unwrap_or_else(|e| panic!("{}", e.message));
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            (
                f.display().to_string(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect()
}

/// Every fixture is valid for both.
#[test]
fn fixtures_are_valid_for_both() {
    let v = validator();
    for (file, doc) in fixtures() {
        let (schema_ok, loader_ok, err) = verdicts(&v, &doc);
        assert!(
            schema_ok && loader_ok,
            "{file}: schema {schema_ok}, loader {err}"
        );
    }
}

/// What `fuzz --print` writes (generated scenarios, refused steps marked) is valid for both,
/// and for the full loader.
#[test]
fn fuzz_outputs_are_valid_for_both() {
    let v = validator();
    for seed in 0..200 {
        let case = mesh_harness::fuzz::generate(seed, 60);
        let scenario = if seed < 15 {
            mesh_harness::fuzz::replayable(&case.scenario(), &Default::default())
        } else {
            case.scenario()
        };
        let text = serde_json::to_string(&scenario).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "seed {seed}: {errors:?}");
        parse_str(&text, "fuzz").unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

fn base() -> Value {
    json!({
        "name": "t",
        "seed": 1,
        "provider": {"block_time": "5s", "validators": [{"name": "val1", "stake": "10"}]},
        "consumers": [{"chain_id": "juno", "price": "0.5", "discount": "0.1", "epoch_blocks": 10,
                       "link": {"delay": {"min": "1s", "max": "2s"}, "packet_timeout": "10m"}}],
        "accounts": {"alice": "1000", "bob": {"uosmo": "5", "ibc/ABC": "7"}},
        "steps": [
            {"bond": {"user": "alice", "amount": "10"}},
            {"wait": "1s"},
            {"settle": {"within": "1h"}},
            {"fault": {"link": "juno", "drop_next": 1}},
            {"fault": {"link": "juno", "outage": "1h"}},
            {"fault": {"chain": "juno", "halt": "1h"}},
            {"fault": {"contract": "converter", "consumer": "juno", "fail_next": 1}},
            {"set_price": {"consumer": "juno", "price": "2"}},
            {"withdraw_rewards": {"user": "alice", "consumer": "juno", "validator": "juno-val1", "recipient": "r"}},
            {"snapshot": "s"},
            {"expect": {"time": "1s"}}
        ]
    })
}

/// Sets the value at a JSON pointer of the base document.
fn with(pointer: &str, value: Value) -> Value {
    let mut doc = base();
    *doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer}")) = value;
    doc
}

/// Adds a member to the object at `pointer`.
fn with_member(pointer: &str, key: &str, value: Value) -> Value {
    let mut doc = base();
    doc.pointer_mut(pointer)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert(key.into(), value);
    doc
}

/// A corpus of documents, each with one value wrong (or at its limit): both say the same.
#[test]
fn a_corpus_of_invalid_and_borderline_documents_agrees() {
    let v = validator();
    let amounts = [
        "0",
        "007",
        "1000000000000000000000000000000",
        "1000000000000000000000000000001",
        "340282366920938463463374607431768211456",
        "-1",
        "1.5",
        "",
        "1e3",
    ];
    let durations = [
        json!("10000d"),
        json!("10001d"),
        json!("240000h"),
        json!("240001h"),
        json!("14400000m"),
        json!("864000000s"),
        json!("864000001s"),
        json!("864000000000ms"),
        json!("864000000001ms"),
        json!(864000000),
        json!(864000001),
        json!(5.0),
        json!(5.5),
        json!(-1),
        json!("0s"),
        json!("0ms"),
        json!(0),
        json!("5"),
        json!("5 s"),
        json!("00005s"),
        json!(1e3),
    ];
    let ratios = [
        "0",
        "1",
        "1.0",
        "1.000000000000000000",
        "1.0000000000000000001",
        "0.000000000000000001",
        "0.0000000000000000001",
        "2",
        "1000000000000000000",
        "1000000000000000000.1",
        "999999999999999999.999999999999999999",
        ".5",
        "1.",
        "abc",
    ];
    let mut docs = vec![base()];
    for a in amounts {
        docs.push(with("/accounts/alice", json!(a)));
        docs.push(with("/steps/0/bond/amount", json!(a)));
        docs.push(with("/provider/validators/0/stake", json!(a)));
    }
    docs.push(with("/accounts/alice", json!(1000)));
    for d in &durations {
        docs.push(with("/provider/block_time", d.clone()));
        docs.push(with("/steps/1/wait", d.clone()));
        docs.push(with("/steps/2/settle/within", d.clone()));
        docs.push(with("/steps/4/fault/outage", d.clone()));
        docs.push(with("/consumers/0/link/packet_timeout", d.clone()));
        docs.push(with("/consumers/0/link/delay/min", d.clone()));
    }
    for r in ratios {
        docs.push(with("/consumers/0/price", json!(r)));
        docs.push(with("/consumers/0/discount", json!(r)));
        docs.push(with("/steps/7/set_price/price", json!(r)));
        docs.push(with_member(
            "/provider",
            "slash_fractions",
            json!({"downtime": r}),
        ));
        docs.push(with_member(
            "/provider",
            "native_staking",
            json!({"slash_ratio_dsign": r}),
        ));
    }
    for n in [
        json!(0),
        json!(1),
        json!(4294967295u64),
        json!(4294967296u64),
        json!(-1),
        json!(1.0),
        json!("1"),
    ] {
        docs.push(with("/steps/3/fault/drop_next", n.clone()));
        docs.push(with("/steps/6/fault/fail_next", n.clone()));
    }
    for n in [
        json!(0),
        json!(1),
        json!(864000000000u64),
        json!(864000000001u64),
        json!(10.0),
        json!(2.5),
    ] {
        docs.push(with("/consumers/0/epoch_blocks", n));
    }
    for s in [
        json!(0),
        json!(9007199254740991u64),
        json!(9007199254740992u64),
        json!(18446744073709551615u64),
        json!(-3),
        json!(1.5),
        json!("1"),
    ] {
        docs.push(with("/seed", s));
    }
    for name in [
        "", " ", "a.b", "juno:1", "native", "vault", "gov", "relayer", "ok-name",
    ] {
        docs.push(with("/consumers/0/chain_id", json!(name)));
        docs.push(with("/provider/validators/0/name", json!(name)));
        docs.push(with("/steps/8/withdraw_rewards/recipient", json!(name)));
        docs.push(with("/steps/9/snapshot", json!(name)));
        docs.push(with("/name", json!(name)));
        let mut d = base();
        d["accounts"]
            .as_object_mut()
            .unwrap()
            .insert(name.into(), json!("1"));
        docs.push(d);
    }
    for denom in [
        "u",
        "uosmo",
        "1abc",
        "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2",
        "a b",
    ] {
        docs.push(with_member("/provider", "denom", json!(denom)));
        docs.push(with("/accounts/bob", json!({denom: "1"})));
    }
    docs.push(with("/provider/validators", json!([])));
    docs.push(with_member("/consumers/0", "validators", json!([])));
    docs.push(with_member("", "colour", json!("red")));
    docs.push(with_member("", "$schema", json!("./scenario.schema.json")));
    docs.push(with_member("", "$schema", json!(7)));
    docs.push(with_member("", "$schema", json!(null)));
    docs.push(with_member("/steps/0", "expect_error", json!("x")));
    docs.push(with_member("/steps/1", "expect_error", json!("x")));
    docs.push(with_member("/steps/0", "wait", json!("1s")));
    docs.push(with("/steps/3/fault", json!({"link": "juno"})));
    docs.push(with(
        "/steps/3/fault",
        json!({"link": "juno", "drop_next": 1, "outage": "1s"}),
    ));
    docs.push(with("/steps/0", json!({})));
    docs.push(with("/steps/0", json!("bond")));
    docs.push(with("/consumers/0/link/delay", json!([1, 2])));
    docs.push(with("/consumers/0/link/delay", json!({"min": "1s"})));
    docs.push(with("/provider", json!(null)));
    docs.push(with("/steps", json!({})));
    docs.push(json!([]));
    docs.push(json!({}));
    for doc in &docs {
        assert_agree(&v, doc);
    }
    let rejected = docs.iter().filter(|d| !v.is_valid(d)).count();
    assert!(
        rejected > docs.len() / 2,
        "the corpus is mostly invalid ({rejected} of {})",
        docs.len()
    );
}

/// Documents the schema accepts but the loader refuses: the rules relating several values.
#[test]
fn cross_references_are_the_loaders_alone() {
    let v = validator();
    let docs = [
        with("/steps/0/bond/user", json!("zed")),
        with("/consumers/0/link/delay", json!({"min": "2s", "max": "1s"})),
        with("/steps/10/expect", json!({"provider.vault.acounts": "0"})),
        with("/steps/1/wait", json!("10000d")),
    ];
    for doc in docs {
        let text = doc.to_string();
        assert!(v.is_valid(&doc), "{doc}");
        assert!(parse_unvalidated(&text, "t.json").is_ok(), "{doc}");
        assert!(parse_str(&text, "t.json").is_err(), "{doc}");
    }
}

/// A mutation of a fixture: a value replaced, a type changed, a key renamed or removed.
fn mutate(doc: &mut Value, choices: &[u32]) {
    let replacements = [
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(1e30),
        json!(""),
        json!("0"),
        json!("1.5"),
        json!("10001d"),
        json!("0s"),
        json!("x.y"),
        json!([]),
        json!({}),
        json!("1000000000000000000000000000001"),
        json!(4294967296u64),
        json!("native"),
        json!("1000000000000000000"),
        json!(9007199254740992u64),
        json!("999999999999ms"),
    ];
    mutate_at(doc, choices, &replacements);
}

fn mutate_at(node: &mut Value, choices: &[u32], replacements: &[Value]) {
    let c = choices.first().copied().unwrap_or(0);
    let descend = choices.len() > 1 && !choices[1].is_multiple_of(3);
    match node {
        Value::Object(map) if !map.is_empty() && descend => {
            let key = map.keys().nth(c as usize % map.len()).unwrap().clone();
            mutate_at(map.get_mut(&key).unwrap(), &choices[1..], replacements);
        }
        Value::Array(list) if !list.is_empty() && descend => {
            let n = list.len();
            mutate_at(&mut list[c as usize % n], &choices[1..], replacements);
        }
        Value::Object(map) if !map.is_empty() && c.is_multiple_of(4) => {
            let key = map.keys().nth(c as usize / 4 % map.len()).unwrap().clone();
            let value = map.remove(&key).unwrap();
            if c.is_multiple_of(8) {
                map.insert(format!("{key}x"), value);
            }
        }
        _ => *node = replacements[c as usize % replacements.len()].clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// On mutated fixtures, the schema and the loader still agree.
    #[test]
    fn mutations_of_fixtures_agree(
        which in any::<prop::sample::Index>(),
        choices in prop::collection::vec(0u32..64, 1..12),
    ) {
        thread_local! {
            static STATE: (jsonschema::Validator, Vec<(String, Value)>) = (validator(), fixtures());
        }
        STATE.with(|(v, docs)| {
            let (_, doc) = which.get(docs);
            let mut doc = doc.clone();
            mutate(&mut doc, &choices);
            assert_agree(v, &doc);
        });
    }
}
