//! The CI side of `mesh-harness`, through the binary as a CI job runs it: JUnit reports of runs
//! and campaigns, `fuzz --shard auto` from the environment, `fuzz merge` of a campaign's shards
//! (and its errors), Markdown timelines, logs without colour codes.

use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mesh_harness::fuzz::shard_env::SOURCES;

/// The binary with no CI shard variables of the machine running the tests.
fn harness() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mesh-harness"));
    for s in SOURCES {
        c.env_remove(s.index).env_remove(s.count);
    }
    c
}

fn run(args: &[&str]) -> Output {
    harness().args(args).output().expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mesh-harness-ci-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn fixture(name: &str) -> String {
    format!("{}/../fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn junit(path: &Path) -> Report {
    let xml = std::fs::read_to_string(path).expect("the JUnit file is written");
    Report::deserialize_from_str(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"))
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `run --junit`: one test case per scenario, named after it, class its file; the failing one
/// carries the failure line as message and the failing step as written in the file.
#[test]
fn run_junit_has_a_case_per_scenario_with_failure_line_and_step() {
    let d = dir("run-junit");
    let failing = std::fs::read_to_string(fixture("rollback-timeout.json"))
        .unwrap()
        .replacen("\"ibc.juno.in_flight\": 1", "\"ibc.juno.in_flight\": 7", 1);
    let failing_path = d.join("failing.json");
    std::fs::write(&failing_path, failing).unwrap();
    let report = d.join("junit.xml");
    let o = run(&[
        "run",
        &fixture("rewards.json"),
        path(&failing_path),
        "--junit",
        path(&report),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = junit(&report);
    assert_eq!(r.tests, 2);
    assert_eq!(r.failures, 1);
    let suite = &r.test_suites[0];
    assert_eq!(suite.name.as_str(), "mesh-harness run");
    let [pass, fail] = &suite.test_cases[..] else {
        panic!("two cases: {:?}", suite.test_cases)
    };
    assert!(pass.name.as_str().starts_with("rewards"), "{:?}", pass.name);
    assert_eq!(
        pass.classname.as_ref().map(|c| c.as_str()),
        Some(fixture("rewards.json").as_str())
    );
    assert!(matches!(pass.status, TestCaseStatus::Success { .. }));
    assert!(fail.name.as_str().starts_with("timeouts roll back"));
    let TestCaseStatus::NonSuccess {
        kind: NonSuccessKind::Failure,
        message,
        ty,
        description,
        ..
    } = &fail.status
    else {
        panic!("a failure: {:?}", fail.status)
    };
    let message = message.as_ref().unwrap().as_str();
    assert!(
        message.starts_with("step 4 (expect) at t=1h11s:")
            && message.contains("ibc.juno.in_flight")
            && message.contains("expected 7"),
        "{message}"
    );
    assert_eq!(ty.as_ref().unwrap().as_str(), "step failed");
    let description = description.as_ref().unwrap().as_str();
    assert!(
        description.contains("\nstep 4: {\"expect\":{") && description.contains("failing.json"),
        "{description}"
    );
}

/// `--timeline x.md` is Markdown: a heading and a `mermaid` fence around the diagram.
#[test]
fn timeline_md_is_markdown_with_a_mermaid_fence() {
    let d = dir("timeline");
    let md = d.join("t.md");
    let o = run(&[
        "run",
        &fixture("rollback-error-ack.json"),
        "--timeline",
        path(&md),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("## "), "{text}");
    let fence = text.split("```mermaid\n").nth(1).expect("a mermaid fence");
    assert!(fence.starts_with("sequenceDiagram\n    participant P as provider\n"));
    assert!(fence.trim_end().ends_with("```"), "the fence is closed");
    assert!(fence.contains("P->>C1: stake #35;"), "{fence}");
}

/// Logs on stderr carry no colour codes when stderr is not a terminal (here a pipe).
#[test]
fn logs_have_no_colour_codes_in_a_pipe() {
    let o = harness()
        .args(["run", &fixture("rollback-error-ack.json")])
        .env("RUST_LOG", "mesh_actors=debug")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(err.contains("DEBUG"), "logs were written: {err:.200}");
    assert!(!err.contains('\x1b'), "no escape codes: {err:.200}");
}

fn fuzz_json(args: &[&str], env: &[(&str, &str)]) -> Value {
    let o = harness()
        .args(["fuzz", "--steps", "8", "--json"])
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// `--shard auto` takes the shard from our pair of variables or a Kubernetes Indexed Job's
/// index (from 0), and runs what `--shard I/N` runs.
#[test]
fn shard_auto_reads_the_ci_environment() {
    let fixed = fuzz_json(&["--seeds", "0..9", "--shard", "2/3"], &[]);
    assert_eq!(fixed["campaign"]["shard"], "2/3");
    assert_eq!(fixed["runs"], 3);
    let ours = fuzz_json(
        &["--seeds", "0..9", "--shard", "auto"],
        &[
            ("MESH_HARNESS_SHARD_INDEX", "2"),
            ("MESH_HARNESS_SHARD_COUNT", "3"),
        ],
    );
    let kubernetes = fuzz_json(
        &["--seeds", "0..9", "--shard", "auto"],
        &[
            ("JOB_COMPLETION_INDEX", "1"),
            ("MESH_HARNESS_SHARD_COUNT", "3"),
        ],
    );
    for v in [&ours, &kubernetes] {
        assert_eq!(v["campaign"], fixed["campaign"]);
        for key in ["runs", "steps", "failed_actions", "faults"] {
            assert_eq!(v[key], fixed[key], "{key}");
        }
    }
}

/// `--shard auto` with nothing in the environment, or a bad value: one line, exit 2.
#[test]
fn shard_auto_without_environment_is_bad_input() {
    for (env, expected) in [
        (vec![], "no shard in the environment"),
        (
            vec![("JOB_COMPLETION_INDEX", "2")],
            "MESH_HARNESS_SHARD_COUNT is not",
        ),
        (
            vec![
                ("MESH_HARNESS_SHARD_INDEX", "9"),
                ("MESH_HARNESS_SHARD_COUNT", "8"),
            ],
            "out of range",
        ),
    ] {
        let o = harness()
            .args(["fuzz", "--seeds", "0..4", "--shard", "auto"])
            .envs(env)
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("error: --shard auto: ") && err.contains(expected),
            "{err}"
        );
        assert!(o.stdout.is_empty());
    }
}

/// What the example workflow does: N shards from the environment, each `--json` and
/// `--junit`, then `fuzz merge`: the merged summary counts exactly what one unsharded campaign
/// counts, and the merged JUnit report has its one passing case.
#[test]
fn sharded_campaign_merges_to_the_whole_campaign() {
    let d = dir("shards");
    let whole = fuzz_json(&["--seeds", "0..10"], &[]);
    let mut files = vec![];
    for i in 1..=4 {
        let file = d.join(format!("summary-{i}.json"));
        let o = harness()
            .args([
                "fuzz", "--seeds", "0..10", "--steps", "8", "--shard", "auto", "--json",
            ])
            .args(["--junit", path(&d.join(format!("junit-{i}.xml")))])
            .env("MESH_HARNESS_SHARD_INDEX", i.to_string())
            .env("MESH_HARNESS_SHARD_COUNT", "4")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        std::fs::write(&file, &o.stdout).unwrap();
        files.push(path(&file).to_owned());
        let shard = junit(&d.join(format!("junit-{i}.xml")));
        assert_eq!((shard.tests, shard.failures), (1, 0));
    }
    let merged_junit = d.join("junit.xml");
    let o = harness()
        .args(["fuzz", "merge", "--json", "--junit", path(&merged_junit)])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let merged: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        merged["campaign"],
        json!({"seeds": "0..10", "steps": 8, "shards": 4})
    );
    for key in [
        "runs",
        "steps",
        "failed_actions",
        "faults",
        "violations",
        "harness_errors",
    ] {
        assert_eq!(merged[key], whole[key], "{key}");
    }
    let r = junit(&merged_junit);
    assert_eq!((r.tests, r.failures, r.errors), (1, 0, 0));
    let props: Vec<(String, String)> = r.test_suites[0]
        .properties
        .iter()
        .map(|p| (p.name.to_string(), p.value.to_string()))
        .collect();
    assert!(props.contains(&("shards".into(), "4".into())), "{props:?}");
    // The text form says the same for a person.
    let o = harness()
        .args(["fuzz", "merge"])
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "fuzz merge: 4 shards of seeds 0..10, 8 steps each\n{} runs, ",
            whole["runs"]
        )),
        "{text}"
    );
}

fn summary(shard: &str, violations: Value) -> Value {
    json!({
        "campaign": {"seeds": "0..100", "steps": 50, "shard": shard},
        "runs": 50, "steps": 2600, "failed_actions": 40, "faults": {"halt": 3},
        "violations": violations, "harness_errors": [], "seconds": 2.0, "runs_per_second": 25.0,
    })
}

/// A violation in any shard: the merge exits 1, lists it, and the JUnit report has a failed
/// case for its seed with the invariant, the step and the fixture to replay.
#[test]
fn merge_of_a_shard_with_a_violation_exits_1_with_a_failed_case() {
    let d = dir("merge-violation");
    let violation = json!([{
        "seed": 42, "invariant": "settled", "detail": "juno-val1: provider 10, consumer 9",
        "failed_step": 17, "file": "fixtures/regressions/seed-42-settled.json", "shrunk_steps": 4
    }]);
    let (a, b) = (d.join("a.json"), d.join("b.json"));
    std::fs::write(&a, summary("1/2", json!([])).to_string()).unwrap();
    std::fs::write(&b, summary("2/2", violation).to_string()).unwrap();
    let report = d.join("j.xml");
    let o = run(&[
        "fuzz",
        "merge",
        path(&a),
        path(&b),
        "--junit",
        path(&report),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("100 runs, 5200 steps (80 actions refused), 1 violations"));
    assert!(text.contains(
        "VIOLATION seed 42: invariant settled broken at step 17: juno-val1: provider 10, \
         consumer 9; shrunk to 4 steps -> fixtures/regressions/seed-42-settled.json"
    ));
    let r = junit(&report);
    assert_eq!((r.tests, r.failures), (2, 1));
    let case = &r.test_suites[0].test_cases[0];
    assert_eq!(case.name.as_str(), "seed 42");
    assert_eq!(
        case.classname.as_ref().map(|c| c.as_str()),
        Some("fuzz.settled")
    );
    let TestCaseStatus::NonSuccess {
        message,
        description,
        ..
    } = &case.status
    else {
        panic!("a failure")
    };
    assert_eq!(
        message.as_ref().unwrap().as_str(),
        "invariant settled broken at step 17: juno-val1: provider 10, consumer 9"
    );
    assert!(description
        .as_ref()
        .unwrap()
        .as_str()
        .contains("replay: mesh-harness replay fixtures/regressions/seed-42-settled.json"));
}

/// Unreadable, malformed or incomplete inputs: exit 2 with one line naming the file and the
/// JSON path (or the missing shard).
#[test]
fn merge_of_bad_inputs_is_bad_input() {
    let d = dir("merge-bad");
    let write = |name: &str, text: String| {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        path(&p).to_owned()
    };
    let good = write("good.json", summary("1/2", json!([])).to_string());
    let mut wrong = summary("2/2", json!([]));
    wrong["faults"]["halt"] = json!(-1);
    let cases = [
        (
            vec![good.clone(), format!("{}/absent.json", path(&d))],
            "absent.json: cannot read: No such file or directory".to_owned(),
        ),
        (
            vec![good.clone(), write("text.json", "12 runs, 195 steps".into())],
            "text.json: line 1 column 4: trailing characters (expected the JSON summary `fuzz --json` \
             prints)"
                .into(),
        ),
        (
            vec![good.clone(), write("wrong.json", wrong.to_string())],
            "wrong.json: faults.halt: invalid value: integer `-1`, expected u64".into(),
        ),
        (
            vec![good.clone()],
            "shard 2/2 of seeds 0..100 missing: merge the summaries of all 2 shards".into(),
        ),
    ];
    for (files, expected) in cases {
        let o = harness()
            .args(["fuzz", "merge"])
            .args(&files)
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(&expected), "expected {expected:?} in {err}");
        assert!(!err.contains("panicked"));
    }
    let o = run(&["fuzz", "merge"]);
    assert_eq!(o.status.code(), Some(2), "no file is a usage error");
}
