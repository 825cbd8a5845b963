//! Native against wasm: the same scenario run on the natively linked contracts and on their
//! `.wasm` builds must end the same way, with identical reports, snapshots and traces apart
//! from gas (which only wasm has).

use mesh_actors::trace::{TraceEvent, TraceKind};
use serde_json::Value;
use std::collections::BTreeSet;

use crate::report::without_gas;
use crate::runner::RunOutcome;

/// How many differing report paths a comparison lists at most.
const MAX_LISTED: usize = 20;

/// Every path where two JSON values differ (`a` → `b`), at most `limit`.
pub fn json_differences(a: &Value, b: &Value, limit: usize) -> Vec<String> {
    fn walk(a: &Value, b: &Value, path: &str, out: &mut Vec<String>, limit: usize) {
        if out.len() >= limit {
            return;
        }
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    match (x.get(k), y.get(k)) {
                        (Some(u), Some(v)) => walk(u, v, &p, out, limit),
                        (u, v) => out.push(format!("{p}: {} -> {}", show(u), show(v))),
                    }
                    if out.len() >= limit {
                        return;
                    }
                }
            }
            _ if a != b => out.push(format!("{path}: {a} -> {b}")),
            _ => {}
        }
    }
    let mut out = vec![];
    walk(a, b, "", &mut out, limit);
    out
}

fn show(v: Option<&Value>) -> String {
    v.map(Value::to_string).unwrap_or_else(|| "(absent)".into())
}

/// The trace without gas: no `contract_call` events, no `gas` on transactions.
pub fn trace_without_gas(trace: &[TraceEvent]) -> Vec<TraceEvent> {
    trace
        .iter()
        .filter(|e| !matches!(e.kind, TraceKind::ContractCall { .. }))
        .cloned()
        .map(|mut e| {
            if let TraceKind::Tx { gas, .. } = &mut e.kind {
                *gas = None;
            }
            e
        })
        .collect()
}

/// What differs between a native run and a wasm run of one scenario, gas aside (empty when
/// they are equivalent).
pub fn differences(native: &RunOutcome, wasm: &RunOutcome) -> Vec<String> {
    let mut out = vec![];
    if native.failure != wasm.failure {
        out.push(format!(
            "outcome: {} -> {}",
            native.failure.as_deref().unwrap_or("passed"),
            wasm.failure.as_deref().unwrap_or("passed")
        ));
    }
    let report = |o: &RunOutcome| without_gas(o.report.clone().into_json());
    for d in json_differences(&report(native), &report(wasm), MAX_LISTED) {
        out.push(format!("report {d}"));
    }
    let labels: BTreeSet<&String> = native
        .snapshots
        .keys()
        .chain(wasm.snapshots.keys())
        .collect();
    for label in labels {
        let get = |o: &RunOutcome| {
            o.snapshots
                .get(label)
                .cloned()
                .map(without_gas)
                .unwrap_or(Value::Null)
        };
        for d in json_differences(&get(native), &get(wasm), MAX_LISTED) {
            out.push(format!("snapshot {label:?} {d}"));
        }
    }
    let (a, b) = (
        trace_without_gas(&native.trace),
        trace_without_gas(&wasm.trace),
    );
    if a != b {
        let i = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        let event = |t: &[TraceEvent]| {
            t.get(i)
                .map(|e| serde_json::to_string(e).unwrap_or_default())
                .unwrap_or_else(|| "(end of trace)".into())
        };
        out.push(format!("trace event {i}: {} -> {}", event(&a), event(&b)));
    }
    out
}
