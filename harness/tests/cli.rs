//! The `mesh-harness` binary as a user runs it: exit codes, one-line errors for bad input,
//! `--json` output, the demo, `check-determinism`, `schema`.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mesh-harness"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mesh-harness-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn fixture(name: &str) -> String {
    format!("{}/../fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Bad input: exit 2, exactly one line on stderr naming the file (and the JSON path), no panic.
fn assert_bad_input(file: &str, text: Option<&str>, expected: &str) {
    let path = match text {
        Some(text) => temp_file(file, text).display().to_string(),
        None => file.to_string(),
    };
    let out = run(&["run", &path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{path}: stderr {stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line expected, got: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(&path), "names the file: {stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in {stderr}"
    );
}

const OK: &str = r#"{"name": "t", "consumers": [{"chain_id": "juno"}], "accounts": {"alice": "1000"}, "steps": [STEP]}"#;

fn with_step(step: &str) -> String {
    OK.replace("STEP", step)
}

#[test]
fn missing_file_is_bad_input() {
    assert_bad_input("/nonexistent/scenario.json", None, "cannot read");
}

#[test]
fn bad_json_is_bad_input_with_line_and_column() {
    assert_bad_input(
        "bad.json",
        Some("{\"name\": \"t\",\n  \"steps\": [}"),
        "line 2 column",
    );
}

#[test]
fn unknown_fields_are_bad_input_with_their_path() {
    assert_bad_input("top.json", Some(r#"{"name": "t", "colour": 1}"#), "colour");
    assert_bad_input(
        "field.json",
        Some(&with_step(
            r#"{"bond": {"user": "alice", "amount": "1", "memo": "x"}}"#,
        )),
        "steps[0].bond",
    );
}

#[test]
fn unknown_names_are_bad_input_with_their_path() {
    assert_bad_input(
        "user.json",
        Some(&with_step(
            r#"{"bond": {"user": "mallory", "amount": "1"}}"#,
        )),
        "steps[0].bond.user",
    );
    assert_bad_input(
        "validator.json",
        Some(&with_step(
            r#"{"stake_remote": {"user": "alice", "consumer": "juno", "validator": "nobody", "amount": "1"}}"#,
        )),
        "steps[0].stake_remote.validator",
    );
    assert_bad_input(
        "consumer.json",
        Some(&with_step(r#"{"epoch": {"consumer": "osmo"}}"#)),
        "steps[0].epoch.consumer",
    );
}

#[test]
fn bad_amounts_and_durations_are_bad_input_with_their_path() {
    assert_bad_input(
        "negative.json",
        Some(&with_step(r#"{"bond": {"user": "alice", "amount": "-5"}}"#)),
        "steps[0].bond.amount",
    );
    assert_bad_input(
        "word.json",
        Some(&with_step(
            r#"{"bond": {"user": "alice", "amount": "ten"}}"#,
        )),
        "steps[0].bond.amount",
    );
    assert_bad_input(
        "duration.json",
        Some(&with_step(r#"{"wait": "3 weeks"}"#)),
        "steps[0].wait",
    );
}

#[test]
fn a_passing_fixture_exits_0_and_a_failing_expect_exits_1_naming_step_path_expected_and_got() {
    let out = run(&["run", &fixture("rewards.json")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("PASS "));

    let failing = with_step(
        r#"{"bond": {"user": "alice", "amount": "100"}}, {"expect": {"provider.vault.accounts.alice.collateral": "99"}}"#,
    );
    let path = temp_file("failing.json", &failing);
    let out = run(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("step 1 (expect)")
            && stdout.contains("provider.vault.accounts.alice.collateral")
            && stdout.contains("expected \"99\", got \"100\""),
        "{stdout}"
    );
}

#[test]
fn json_output_is_one_object_per_scenario() {
    let out = run(&[
        "run",
        &fixture("rewards.json"),
        &fixture("zero-max-cap.json"),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    for v in &lines {
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["failure", "name", "passed", "report", "snapshots"]);
        assert_eq!(v["passed"], true);
        assert!(v["failure"].is_null());
    }
    assert!(lines[0]["snapshots"]["rewards-paid"].is_object());
}

#[test]
fn the_demo_runs_with_no_argument_and_prints_report_and_timeline() {
    // `mesh-harness` alone (the README's first command) and `mesh-harness run` both run it.
    for args in [&[][..], &["run"][..]] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("Report:") && stdout.contains("sequenceDiagram"));
        assert!(stdout.contains("PASS demo"));
    }
}

#[test]
fn trace_and_timeline_files_are_written() {
    let dir = std::env::temp_dir().join(format!("mesh-harness-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (trace, timeline) = (dir.join("t.jsonl"), dir.join("t.mmd"));
    let out = run(&[
        "run",
        &fixture("rollback-error-ack.json"),
        "--trace",
        trace.to_str().unwrap(),
        "--timeline",
        timeline.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&trace).unwrap();
    assert!(text
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    assert!(text.contains("\"event\":\"packet_received\""));
    let mmd = std::fs::read_to_string(&timeline).unwrap();
    assert!(mmd.starts_with("sequenceDiagram") && mmd.contains("ack error"));
}

#[test]
fn check_determinism_and_schema() {
    let out = run(&["check-determinism", &fixture("delay-reordering.json")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("deterministic"));
    let out = run(&["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(schema.to_string().contains("stake_remote"));
}

#[test]
fn unknown_flags_are_usage_errors_with_exit_2() {
    let out = run(&["run", "--colour"]);
    assert_eq!(out.status.code(), Some(2));
}
