//! `mesh-harness fuzz` through the binary: the JSON summary, shards, bad arguments, printing
//! the generated scenarios.

use std::process::Command;

fn harness() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mesh-harness"))
}

fn out_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "mesh-harness-fuzz-cli-{}-{name}",
        std::process::id()
    ))
}

/// A clean campaign exits 0 and prints one JSON object: runs, steps, faults by kind, no
/// violation, nothing written.
#[test]
fn fuzz_json_summary() {
    let out = out_dir("json");
    let o = harness()
        .args([
            "fuzz", "--seeds", "0..4", "--steps", "20", "--json", "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["runs"], 4);
    assert!(v["steps"].as_u64().unwrap() >= 4 * 20);
    assert_eq!(v["violations"], serde_json::json!([]));
    assert_eq!(v["harness_errors"], serde_json::json!([]));
    let faults = v["faults"].as_object().unwrap();
    assert!(faults.values().map(|n| n.as_u64().unwrap()).sum::<u64>() > 0);
    assert!(!out.exists(), "nothing to write");
}

/// `--shard 2/3` runs the seeds whose offset is 1 modulo 3; the text summary says so.
#[test]
fn fuzz_shard_runs_its_share() {
    let o = harness()
        .args([
            "fuzz", "--seeds", "10..17", "--steps", "5", "--shard", "2/3",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(
        stdout.starts_with("fuzz: seeds 10..17 shard 2/3, 5 steps each\n2 runs,"),
        "{stdout}"
    );
}

/// Bad seeds, shards or step counts are bad input (exit 2) with a line saying what was
/// expected (more than 10,000 steps would generate practically forever).
#[test]
fn fuzz_bad_arguments() {
    for args in [
        ["--seeds", "9..1"],
        ["--shard", "4/3"],
        ["--shard", "x"],
        ["--steps", "10001"],
        ["--steps", "99999999999"],
        ["--steps", "-1"],
    ] {
        let o = harness().arg("fuzz").args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(o.stderr).unwrap();
        assert!(stderr.contains("expected"), "{stderr}");
    }
}

/// `--print` prints each seed's scenario, one JSON object per line, which `replay` accepts.
#[test]
fn fuzz_print_gives_replayable_scenarios() {
    let o = harness()
        .args(["fuzz", "--seeds", "3..5", "--steps", "8", "--print"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let stdout = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    for (line, seed) in lines.iter().zip(3..) {
        let s = mesh_harness::scenario::parse_str(line, "printed").unwrap();
        assert_eq!(s.seed, seed);
        assert_eq!(s.name, format!("fuzz seed {seed}"));
    }
}

/// `--jobs 2` prints the same JSON summary as `--jobs 1` (the wall time aside): same runs,
/// steps, faults, in the same campaign.
#[test]
fn fuzz_jobs_two_summary_is_jobs_one() {
    let summary = |jobs: &str| {
        let o = harness()
            .args([
                "fuzz", "--seeds", "0..6", "--steps", "20", "--json", "--jobs", jobs,
            ])
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let map = v.as_object_mut().unwrap();
        assert!(map.remove("seconds").is_some());
        assert!(map.remove("runs_per_second").is_some());
        v
    };
    let one = summary("1");
    assert_eq!(one["runs"], 6);
    assert_eq!(summary("2"), one);
}

/// `--jobs 0` is refused with a one-line error and exit code 2.
#[test]
fn fuzz_jobs_zero_is_refused() {
    let o = harness()
        .args(["fuzz", "--seeds", "0..2", "--jobs", "0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("--jobs"), "{stderr}");
}
