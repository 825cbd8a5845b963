//! Every fixture on the `.wasm` builds of the contracts: it passes, with a final report,
//! snapshots and trace identical to the native run's apart from gas, and the report has its gas
//! section, every path of which an `expect` step may name. (The native run itself is checked
//! against `snapshots/` by `fixtures.rs`.)
//!
//! The modules come from `$MESH_WASM_DIR` (default: `artifacts/`, built by
//! `scripts/build-wasm.sh`); without them the test says so and passes, unless
//! `MESH_REQUIRE_WASM=1` (CI) makes that a failure.

use mesh_actors::contracts::Codes;
use mesh_harness::cli::collect_files;
use mesh_harness::equivalence::differences;
use mesh_harness::runner::{run, RunOptions};
use mesh_harness::scenario::load_file;
use mesh_harness::scenario::paths::{check_path, report_shape};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

fn artefacts() -> Option<PathBuf> {
    let dir = std::env::var_os("MESH_WASM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts"));
    if dir.join("mesh_vault.wasm").is_file() {
        return Some(dir);
    }
    let msg = format!(
        "every_fixture_runs_the_same_on_wasm: SKIPPED: no wasm artefacts in {} (build them with \
         scripts/build-wasm.sh)",
        dir.display()
    );
    if std::env::var("MESH_REQUIRE_WASM").is_ok_and(|v| v == "1") {
        panic!("{msg}, and MESH_REQUIRE_WASM=1 requires them");
    }
    // Straight to stderr, past the test harness's capture, so the skip shows in `cargo test`.
    let _ = writeln!(std::io::stderr(), "{msg}");
    None
}

/// The path of every leaf under `value` (at `path`).
fn leaf_paths(value: &Value, path: &str) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| leaf_paths(v, &format!("{path}.{k}")))
            .collect(),
        _ => vec![path.to_owned()],
    }
}

#[test]
fn every_fixture_runs_the_same_on_wasm() {
    let Some(dir) = artefacts() else {
        return;
    };
    let wasm = RunOptions {
        codes: Codes::from_wasm_dir(&dir).unwrap_or_else(|e| panic!("{e}")),
        ..Default::default()
    };
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let files = collect_files(&[fixtures]).unwrap_or_else(|e| panic!("{}", e.message));
    assert!(!files.is_empty(), "no fixtures found");
    let mut failures = vec![];
    for file in &files {
        let scenario = load_file(file).unwrap_or_else(|e| panic!("{e}"));
        let on_wasm = run(&scenario, &wasm);
        let native = run(&scenario, &RunOptions::default());
        if let Some(f) = &on_wasm.failure {
            failures.push(format!("{}: fails on wasm: {f}", file.display()));
        }
        for d in differences(&native, &on_wasm) {
            failures.push(format!("{}: {d}", file.display()));
        }
        let gas = on_wasm.report.get("gas").and_then(|g| g.get("vault"));
        if gas.is_none() {
            failures.push(format!(
                "{}: the wasm report has no gas for the vault",
                file.display()
            ));
        }
        let shape = report_shape(&scenario);
        for path in leaf_paths(&on_wasm.report["gas"], "gas") {
            if let Err(e) = check_path(&shape, &path) {
                failures.push(format!("{}: {e}", file.display()));
            }
        }
        if native.report.get("gas").is_some() {
            failures.push(format!(
                "{}: the native report has a gas section",
                file.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ on wasm:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} fixtures: wasm and native agree apart from gas",
        files.len()
    );
}

/// The library's topology builder runs wasm codes too: the vault from its `.wasm` by
/// `contract`, every role by `wasm_dir`; the run has gas for the vault, and a missing file is
/// an input error naming the role.
#[test]
fn topology_builder_runs_wasm_codes() {
    use mesh_harness::{run_simulation, ContractId, Topology};
    let Some(dir) = artefacts() else {
        return;
    };
    let vault = dir.join("mesh_vault.wasm");
    let one = Topology::new()
        .account("alice", 1_000_000_000)
        .consumer("juno", |c| c)
        .contract("vault", vault.to_str().unwrap());
    let all = Topology::new()
        .account("alice", 1_000_000_000)
        .consumer("juno", |c| c)
        .wasm_dir(&dir)
        .unwrap();
    for topology in [one, all] {
        run_simulation(async {
            let net = topology.start().await.unwrap();
            net.bond("alice", 100_000_000).await.unwrap();
            net.stake_remote("alice", "juno", "juno-val1", 80_000_000)
                .await
                .unwrap();
            net.settle(std::time::Duration::from_secs(86_400))
                .await
                .unwrap();
            let report = net.report().await.unwrap();
            report
                .expect("provider.vault.accounts.alice.liens.juno", "80000000")
                .unwrap();
            let count = report.amount("gas.vault.execute:bond.count");
            assert_eq!(count, Some(1), "the vault's bond has its gas");
            let _ = net.contract(&ContractId::Vault).unwrap();
        });
    }
    let missing = Topology::new()
        .contract("vault", "/nonexistent/mesh_vault.wasm")
        .spec()
        .unwrap_err()
        .to_string();
    assert!(missing.contains("contracts.vault"), "{missing}");
}
