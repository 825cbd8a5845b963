//! Robustness: fixtures mutated (values, types, keys, truncation) go through the loader and,
//! when they load, through a run with a work budget. Nothing may panic (a panic hook counts
//! them, including panics inside actors, which the runtime would otherwise absorb), every
//! refusal is one line naming the file, and every run ends within its budget.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use proptest::prelude::*;
use serde_json::{json, Value};

use mesh_harness::runner::{run, RunOptions};
use mesh_harness::scenario::parse_str;

static PANICS: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// Counts every panic of the process from now on (and still prints it).
fn count_panics() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

/// Events a mutated run may trace: a few times the largest fixture's.
const BUDGET: usize = 4_000;

fn fixtures() -> Vec<String> {
    let dir = format!("{}/../fixtures", env!("CARGO_MANIFEST_DIR"));
    let files =
        mesh_harness::cli::collect_files(&[dir.into()]).unwrap_or_else(|e| panic!("{}", e.message));
    files
        .iter()
        // The twenty-consumer fixture is slow in a debug build; the others cover its shapes.
        .filter(|f| !f.display().to_string().contains("twenty-consumers"))
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// Values a mutation puts in place of another: extremes of every kind the format has.
fn replacements() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(0),
        json!(1),
        json!(-1),
        json!(2.5),
        json!(""),
        json!("0"),
        json!("1"),
        json!("1000000000000000000000000000000"),
        json!("340282366920938463463374607431768211455"),
        json!("0.999999999999999999"),
        json!("1"),
        json!("1000000000000000000"),
        json!("0.000000000000000001"),
        json!("1ms"),
        json!("0s"),
        json!("9999d"),
        json!("10000d"),
        json!("30d"),
        json!(4294967295u64),
        json!(864000000000u64),
        json!("native"),
        json!("val1"),
        json!("juno"),
        json!("alice"),
        json!("nobody"),
        json!("a.b"),
        json!([]),
        json!({}),
        json!({"min": "1ms", "max": "9999d"}),
    ]
}

/// Mutates `node` along the path `choices` describes: descend, then replace, remove or rename.
fn mutate(node: &mut Value, choices: &[u32], replacements: &[Value], depth: usize) {
    let c = choices.first().copied().unwrap_or(0);
    // Down to a leaf mostly (the top level is never replaced whole), stopping early now and
    // then to replace or remove a whole object.
    let descend = depth == 0 || (choices.len() > 1 && !choices[1].is_multiple_of(7));
    match node {
        Value::Object(map) if !map.is_empty() && descend => {
            let key = map.keys().nth(c as usize % map.len()).unwrap().clone();
            mutate(
                map.get_mut(&key).unwrap(),
                &choices[1..],
                replacements,
                depth + 1,
            );
        }
        Value::Array(list) if !list.is_empty() && descend => {
            let n = list.len();
            mutate(
                &mut list[c as usize % n],
                &choices[1..],
                replacements,
                depth + 1,
            );
        }
        Value::Object(map) if !map.is_empty() && c.is_multiple_of(5) => {
            let key = map.keys().nth(c as usize / 5 % map.len()).unwrap().clone();
            let value = map.remove(&key).unwrap();
            if c.is_multiple_of(10) {
                map.insert(format!("{key}_"), value);
            }
        }
        Value::Array(list) if list.len() > 1 && c.is_multiple_of(5) => {
            // Duplicate an element (two steps alike, two validators alike).
            let item = list[c as usize / 5 % list.len()].clone();
            list.push(item);
        }
        _ if c.is_multiple_of(2) => *node = extreme_of_same_kind(node, c),
        _ => *node = replacements[c as usize % replacements.len()].clone(),
    }
}

/// An extreme value of the same kind as `v` (an amount, a duration, a ratio, a count), so most
/// mutants still load and run at the edges of what they accept.
fn extreme_of_same_kind(v: &Value, c: u32) -> Value {
    let pick = |options: &[Value]| options[(c as usize / 2) % options.len()].clone();
    match v {
        Value::String(s) if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() => pick(&[
            json!("0"),
            json!("1"),
            json!("999999999999999999999999999999"),
            json!("1000000000000000000000000000000"),
            json!("123456789"),
        ]),
        Value::String(s)
            if s.ends_with('s') || s.ends_with('m') || s.ends_with('h') || s.ends_with('d') =>
        {
            pick(&[
                json!("1ms"),
                json!("0s"),
                json!("9999d"),
                json!("3650d"),
                json!("1s"),
                json!("59m"),
            ])
        }
        Value::String(s) if s.contains('.') => pick(&[
            json!("0"),
            json!("1"),
            json!("0.999999999999999999"),
            json!("0.000000000000000001"),
            json!("1000000000000000000"),
        ]),
        Value::Number(_) => pick(&[
            json!(0),
            json!(1),
            json!(4294967295u64),
            json!(864000000000u64),
        ]),
        _ => pick(&[
            json!("nobody"),
            json!("val1"),
            json!("juno"),
            json!("alice"),
        ]),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1500,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Mutated fixtures load with one clear line or run to an end within the budget; never a
    /// panic.
    #[test]
    fn mutated_fixtures_never_panic_or_run_unbounded(
        which in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(prop::collection::vec(0u32..97, 2..10), 1..4),
        truncate in prop::option::weighted(0.1, any::<prop::sample::Index>()),
    ) {
        count_panics();
        thread_local! {
            static STATE: (Vec<String>, Vec<Value>) = (fixtures(), replacements());
        }
        let (text, loaded) = STATE.with(|(texts, repl)| {
            let mut doc: Value = serde_json::from_str(which.get::<String>(texts).as_str()).unwrap();
            for m in &mutations {
                mutate(&mut doc, m, repl, 0);
            }
            let mut text = serde_json::to_string_pretty(&doc).unwrap();
            if let Some(at) = truncate {
                let mut cut = at.index(text.len());
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
            }
            let loaded = parse_str(&text, "mutant.json");
            (text, loaded)
        });
        let before = PANICS.load(Ordering::SeqCst);
        match loaded {
            Err(e) => {
                let line = e.to_string();
                prop_assert!(line.starts_with("mutant.json: "), "{line}");
                prop_assert_eq!(line.lines().count(), 1, "{}", line);
            }
            Ok(scenario) => {
                let outcome = run(
                    &scenario,
                    &RunOptions {
                        max_events: Some(BUDGET),
                        ..RunOptions::default()
                    },
                );
                // The budget is checked after each step; a step's own work is bounded by it
                // (waits end when it runs out), so the trace ends close to it.
                prop_assert!(
                    outcome.trace.len() <= BUDGET + 2_000,
                    "{} events: {:?}",
                    outcome.trace.len(),
                    outcome.failure
                );
                if let Some(f) = &outcome.failure {
                    prop_assert_eq!(f.lines().count(), 1, "{}", f);
                    prop_assert!(!f.contains("Mailbox"), "{}\n{}", f, text);
                }
            }
        }
        prop_assert_eq!(PANICS.load(Ordering::SeqCst), before, "a panic on:\n{}", text);
    }
}
