//! The wasm commands as a user runs them: `run --wasm`, `--compare-native`, a scenario's
//! `contracts` section, `check-wasm`, and one-line errors (exit 2) for every bad wasm input.
//! The cases that need the built modules read `$MESH_WASM_DIR` (default `artifacts/`) and say
//! so when they are absent (`MESH_REQUIRE_WASM=1` makes that a failure, as in CI).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mesh-harness"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mesh-wasm-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fixture(name: &str) -> String {
    format!("{}/../fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn artefacts(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("MESH_WASM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts"));
    if dir.join("mesh_vault.wasm").is_file() {
        return Some(dir);
    }
    let msg = format!("{test}: SKIPPED: no wasm artefacts in {}", dir.display());
    if std::env::var("MESH_REQUIRE_WASM").is_ok_and(|v| v == "1") {
        panic!("{msg}, and MESH_REQUIRE_WASM=1 requires them");
    }
    // Straight to stderr, past the test harness's capture, so the skip shows in `cargo test`.
    let _ = writeln!(
        std::io::stderr(),
        "{msg} (build them with scripts/build-wasm.sh)"
    );
    None
}

/// Exit 2 with exactly one line on stderr containing every `expected` part, no panic.
fn assert_bad_input(out: &Output, expected: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line expected, got: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for part in expected {
        assert!(stderr.contains(part), "expected {part:?} in {stderr}");
    }
}

const SCENARIO: &str = r#"{"name": "t", "contracts": CONTRACTS, "accounts": {"alice": "1000"},
    "steps": [{"bond": {"user": "alice", "amount": "100"}}]}"#;

fn scenario_with(dir: &Path, contracts: &str) -> String {
    let path = dir.join("scenario.json");
    std::fs::write(&path, SCENARIO.replace("CONTRACTS", contracts)).unwrap();
    path.display().to_string()
}

#[test]
fn a_missing_wasm_directory_is_one_line_naming_the_file() {
    let out = run(&["run", &fixture("demo.json"), "--wasm", "/nonexistent/wasm"]);
    assert_bad_input(&out, &["/nonexistent/wasm/mesh_vault.wasm", "cannot read"]);
    let out = run(&["fuzz", "--seeds", "0..1", "--wasm", "/nonexistent/wasm"]);
    assert_bad_input(&out, &["/nonexistent/wasm/mesh_vault.wasm"]);
}

/// `--implementation`: an unknown name is refused by the option parser (exit 2, the names in
/// its first line); the reference without its `.wasm` files is one line (exit 2).
#[test]
fn implementation_errors_are_one_line() {
    let out = run(&["run", &fixture("demo.json"), "--implementation", "other"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first
            .contains("unknown implementation \"other\", expected one of: mesh-harness, reference"),
        "{stderr}"
    );
    let out = run(&[
        "run",
        &fixture("demo.json"),
        "--implementation",
        "reference",
    ]);
    assert_bad_input(&out, &["--implementation reference", "--wasm DIR"]);
    let out = run(&["fuzz", "--seeds", "0..1", "--implementation", "reference"]);
    assert_bad_input(&out, &["--implementation reference", "--wasm DIR"]);
}

#[test]
fn bad_contracts_sections_are_one_line_naming_file_and_role() {
    let dir = temp_dir("contracts");
    let garbage = dir.join("garbage.wasm");
    std::fs::write(&garbage, b"this is not wasm").unwrap();
    let cases: [(&str, &[&str]); 4] = [
        (
            r#"{"vault": "missing.wasm"}"#,
            &["contracts.vault", "missing.wasm", "cannot read"],
        ),
        (
            r#"{"vault": "garbage.wasm"}"#,
            &[
                "contracts.vault",
                "garbage.wasm",
                "not a valid CosmWasm contract",
            ],
        ),
        (
            r#"{"vault": "vault.so"}"#,
            &[
                "contracts",
                "expected \"native\" or the path of a .wasm file",
            ],
        ),
        (r#"{"treasury": "native"}"#, &["contracts", "treasury"]),
    ];
    for (contracts, expected) in cases {
        let file = scenario_with(&dir, contracts);
        let out = run(&["run", &file]);
        let mut parts = expected.to_vec();
        parts.push(&file);
        assert_bad_input(&out, &parts);
    }
    let zero = dir.join("zero-gas.json");
    std::fs::write(
        &zero,
        r#"{"name": "t", "provider": {"gas_limit": 0}, "steps": []}"#,
    )
    .unwrap();
    assert_bad_input(
        &run(&["run", zero.to_str().unwrap()]),
        &[
            "provider.gas_limit",
            "an integer from 1 to 9007199254740991",
        ],
    );
}

#[test]
fn check_wasm_refuses_what_is_not_a_contract() {
    let dir = temp_dir("check");
    let garbage = dir.join("garbage.wasm");
    std::fs::write(&garbage, b"\0asm\x01\0\0\0").unwrap();
    let out = run(&[
        "check-wasm",
        garbage.to_str().unwrap(),
        "/nonexistent/x.wasm",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("garbage.wasm: not a valid CosmWasm contract"),
        "{stderr}"
    );
    assert!(
        stderr.contains("/nonexistent/x.wasm: cannot read"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 passed, 2 failed"));
}

#[test]
fn the_artefacts_pass_check_wasm_and_run_the_demo_like_native() {
    let Some(dir) = artefacts("the_artefacts_pass_check_wasm_and_run_the_demo_like_native") else {
        return;
    };
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert_eq!(files.len(), 7, "{files:?}");
    let mut args = vec!["check-wasm"];
    args.extend(files.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let wasm = dir.display().to_string();
    let out = run(&[
        "run",
        &fixture("demo.json"),
        "--wasm",
        &wasm,
        "--compare-native",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("SAME AS NATIVE"), "{stdout}");

    let out = run(&["run", &fixture("demo.json"), "--wasm", &wasm, "--json"]);
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gas = &line["report"]["gas"]["vault"]["execute:stake_remote"];
    assert!(gas["count"].as_u64().unwrap() >= 1, "{gas}");
    assert!(gas["max"].as_u64().unwrap() > 0 && gas["total"].as_u64() >= gas["max"].as_u64());
    let out = run(&["run", &fixture("demo.json"), "--json"]);
    let native: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        native["report"].get("gas").is_none(),
        "no gas section natively"
    );
}

#[test]
fn a_scenario_runs_one_role_from_a_wasm_file_beside_it() {
    let Some(dir) = artefacts("a_scenario_runs_one_role_from_a_wasm_file_beside_it") else {
        return;
    };
    let here = temp_dir("one-role");
    std::fs::copy(dir.join("mesh_vault.wasm"), here.join("my_vault.wasm")).unwrap();
    let file = scenario_with(
        &here,
        r#"{"vault": "my_vault.wasm", "converter": "native"}"#,
    );
    let out = run(&[
        "run",
        &file,
        "--json",
        "--trace",
        here.join("t.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gas = line["report"]["gas"].as_object().unwrap();
    assert_eq!(
        gas.keys().collect::<Vec<_>>(),
        ["vault"],
        "only the vault runs as wasm"
    );
    let trace = std::fs::read_to_string(here.join("t.jsonl")).unwrap();
    let bond = trace
        .lines()
        .find(|l| l.contains(r#""event":"tx""#) && l.contains(r#""action":"bond""#))
        .unwrap();
    assert!(bond.contains(r#""gas":"#), "{bond}");
}

/// Without `--implementation`, `--wasm DIR` takes the implementation whose file names DIR holds:
/// a directory named as the reference's release (`mesh_simple_price_feed.wasm`) loads as the
/// reference's, where an explicit `--implementation mesh-harness` is refused with the hint.
#[test]
fn wasm_dir_names_its_implementation() {
    let Some(dir) = artefacts("wasm_dir_names_its_implementation") else {
        return;
    };
    let renamed = temp_dir("reference-names");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.ends_with(".wasm") {
            let name = name.replace("mesh_price_feed", "mesh_simple_price_feed");
            std::fs::copy(&path, renamed.join(name)).unwrap();
        }
    }
    let dir_arg = renamed.to_str().unwrap();
    let out = run(&[
        "check-determinism",
        &fixture("demo.json"),
        "--wasm",
        dir_arg,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("cannot read") && !stderr.contains("--implementation"),
        "the directory's names were not taken as the reference's: {stderr}"
    );
    let out = run(&[
        "check-determinism",
        &fixture("demo.json"),
        "--wasm",
        dir_arg,
        "--implementation",
        "mesh-harness",
    ]);
    assert_bad_input(
        &out,
        &["mesh_price_feed.wasm", "use --implementation reference"],
    );
}
