//! Issue 17's malformed and extreme inputs, each through the binary as a user runs it: one clear
//! line naming the file and the JSON path with exit 2, or a correct run; never a panic, a hang,
//! a silent clamp or a vacuous pass.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mesh-harness"))
}

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mesh-harness-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn file(name: &str, text: &[u8]) -> String {
    let path = dir().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Runs `mesh-harness run <file> <extra>` with a wall-clock guard (a hang fails the test).
fn run_file(path: &str, extra: &[&str]) -> Output {
    let mut child = bin()
        .arg("run")
        .arg(path)
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("{path}: still running after 120 s (a hang)");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Exit 2, one line on stderr naming the file, the JSON path and `expected`; nothing ran.
fn assert_bad(name: &str, text: &str, path: &str, expected: &str) {
    let file = file(name, text.as_bytes());
    let out = run_file(&file, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let prefix = format!("error: {file}: {path}: ");
    assert!(
        stderr.starts_with(&prefix),
        "{name}: {prefix:?} in {stderr}"
    );
    assert!(
        stderr.contains(expected),
        "{name}: {expected:?} in {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing ran: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A scenario with one consumer `juno`, user alice, and `steps`.
fn with_steps(config: &str, steps: &str) -> String {
    format!(
        r#"{{"name": "t", "consumers": [{{"chain_id": "juno"{config}}}],
            "accounts": {{"alice": "1000000"}}, "steps": [{steps}]}}"#
    )
}

const HORIZON: &str = "beyond the simulation horizon: at most 10000d (about 27 years)";

/// Durations that overflowed the chains' timestamps (a panic, then "Mailbox has closed") or
/// the runtime's timers (a hang) are refused at load against the stated horizon.
#[test]
fn durations_beyond_the_horizon_are_bad_input() {
    assert_bad(
        "unbonding.json",
        r#"{"name": "u", "provider": {"unbonding_period": "200000d"}, "accounts": {"alice": "1000"},
            "steps": [{"bond": {"user": "alice", "amount": "100"}},
                      {"stake_local": {"user": "alice", "validator": "val1", "amount": "100"}},
                      {"unstake_local": {"user": "alice", "validator": "val1", "amount": "10"}}]}"#,
        "provider.unbonding_period",
        HORIZON,
    );
    assert_bad(
        "timeout.json",
        &with_steps(r#", "link": {"packet_timeout": "200000d"}"#, ""),
        "consumers[0].link.packet_timeout",
        HORIZON,
    );
    assert_bad(
        "settle.json",
        &with_steps(
            "",
            r#"{"fault": {"link": "juno", "outage": "2h"}}, {"settle": {"within": "999999999d"}}"#,
        ),
        "steps[1].settle.within",
        HORIZON,
    );
    // The hang: a dropped packet whose timeout lies beyond the runtime's timers.
    assert_bad(
        "hang.json",
        &with_steps(
            r#", "link": {"packet_timeout": "12000d"}"#,
            r#"{"bond": {"user": "alice", "amount": "100"}},
               {"fault": {"link": "juno", "drop_next": 1}},
               {"stake_remote": {"user": "alice", "consumer": "juno", "validator": "juno-val1", "amount": "100"}},
               {"settle": {"within": "40000d"}}"#,
        ),
        "consumers[0].link.packet_timeout",
        HORIZON,
    );
    // Integer seconds too.
    assert_bad(
        "seconds.json",
        &with_steps("", r#"{"wait": 864000001}"#),
        "steps[0].wait",
        HORIZON,
    );
}

/// `wait "20000d"` stopped at 10,950 days and passed; an epoch beyond the horizon returned
/// without running one. Both are refused at load, and the steps' time added up is bounded.
#[test]
fn no_silent_clamp_of_time() {
    assert_bad(
        "wait.json",
        &with_steps("", r#"{"wait": "20000d"}"#),
        "steps[0].wait",
        HORIZON,
    );
    assert_bad(
        "epoch.json",
        &with_steps(
            r#", "epoch_blocks": 200000000"#,
            r#"{"epoch": {"consumer": "juno"}}"#,
        ),
        "consumers[0].epoch_blocks",
        "an epoch every 200000000 blocks of 5s is beyond the simulation horizon",
    );
    assert_bad(
        "sum.json",
        &with_steps(
            "",
            r#"{"wait": "6000d"}, {"wait": "3000d"}, {"wait": "1000d"}"#,
        ),
        "steps[2].wait",
        "the steps up to here can take 10001d of simulated time",
    );
    // Up to the horizon, time is exact: 9,999 days after the start's day.
    let f = file(
        "long.json",
        with_steps("", r#"{"wait": "9998d"}, {"expect": {"time": "9998d11s"}}"#).as_bytes(),
    );
    let out = run_file(&f, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Amounts whose sums overflowed 128 bits (two accounts of u128::MAX, a validator stake of
/// u128::MAX) are refused: amounts and each chain's genesis supply are at most 10^30.
#[test]
fn amounts_and_supplies_beyond_the_limit_are_bad_input() {
    let max = u128::MAX.to_string();
    assert_bad(
        "accounts.json",
        &format!(r#"{{"name": "m", "accounts": {{"alice": "{max}", "bob": "{max}"}}}}"#),
        "accounts.alice",
        "is too large: at most 10^30",
    );
    assert_bad(
        "stake.json",
        &format!(
            r#"{{"name": "v", "provider": {{"validators": [{{"name": "val1", "stake": "{max}"}}]}}}}"#
        ),
        "provider.validators[0].stake",
        "is too large: at most 10^30",
    );
    let big = "600000000000000000000000000000";
    assert_bad(
        "supply.json",
        &format!(r#"{{"name": "s", "accounts": {{"alice": "{big}", "bob": "{big}"}}}}"#),
        "accounts.bob",
        "the genesis supply of uosmo on provider (accounts and validator stakes) adds up to \
         more than 10^30 base units",
    );
}

/// A price at which a conversion overflows committed the stake, then broke an invariant with a
/// raw message; now every conversion the scenario can make is checked at load.
#[test]
fn conversions_that_overflow_are_bad_input() {
    assert_bad(
        "price.json",
        r#"{"name": "p", "consumers": [{"chain_id": "juno", "price": "100000000000000000"}],
            "accounts": {"alice": "1000000000000000000000000"},
            "steps": [{"bond": {"user": "alice", "amount": "1000000000000000000000000"}}]}"#,
        "consumers[0].price",
        "converts to more than 2^128 - 1 ujuno; use a smaller price",
    );
    assert_bad(
        "set-price.json",
        r#"{"name": "p", "consumers": [{"chain_id": "juno"}],
            "accounts": {"alice": "1000000000000000000000000"},
            "steps": [{"set_price": {"consumer": "juno", "price": "100000000000000000"}}]}"#,
        "steps[0].set_price.price",
        "converts to more than 2^128 - 1 ujuno",
    );
}

/// A consumer named `native` made a false conservation violation and showed its lien under an
/// address: the name is reserved (the report's local lienholder), as are the harness's own
/// accounts.
#[test]
fn reserved_names_are_bad_input() {
    assert_bad(
        "native.json",
        r#"{"name": "n", "consumers": [{"chain_id": "native"}]}"#,
        "consumers[0].chain_id",
        "\"native\" is reserved",
    );
    assert_bad(
        "gov.json",
        r#"{"name": "n", "accounts": {"gov": "5"}}"#,
        "accounts.gov",
        "\"gov\" is reserved",
    );
}

/// A misspelt path, or one past a leaf, passed whenever the value was "0": now bad input naming
/// the closest valid path. A step's every mismatch is listed.
#[test]
fn expect_paths_are_checked() {
    assert_bad(
        "misspelt.json",
        &with_steps(
            "",
            r#"{"expect": {"provider.vault.acounts.alice.colateral": "0"}}"#,
        ),
        "steps[0].expect",
        "did you mean \"provider.vault.accounts.alice.collateral\"?",
    );
    assert_bad(
        "leaf.json",
        &with_steps("", r#"{"expect": {"ibc.juno.sent.total": "0"}}"#),
        "steps[0].expect",
        "\"ibc.juno.sent\" is a number, nothing lies below it",
    );
    assert_bad(
        "user.json",
        &with_steps(
            "",
            r#"{"expect": {"provider.vault.accounts.bob.collateral": "0"}}"#,
        ),
        "steps[0].expect",
        "no \"bob\" under \"provider.vault.accounts\" (expected a user: alice)",
    );
    let f = file(
        "mismatch.json",
        with_steps(
            "",
            r#"{"bond": {"user": "alice", "amount": "100"}},
               {"expect": {"provider.vault.accounts.alice.collateral": "7",
                           "provider.vault.accounts.alice.free": "100",
                           "ibc.juno.sent": 9}}"#,
        )
        .as_bytes(),
    );
    let out = run_file(&f, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "expect (2 of 3 paths differ) provider.vault.accounts.alice.collateral: expected \
             \"7\", got \"100\"; ibc.juno.sent: expected 9, got 1"
        ),
        "{stdout}"
    );
}

/// `--trace` to a directory that does not exist ran everything, printed "passed", then exited
/// 2: the output is now checked first.
#[test]
fn output_paths_are_checked_before_running() {
    let f = file("ok.json", with_steps("", r#"{"wait": "1s"}"#).as_bytes());
    for flag in ["--trace", "--timeline"] {
        let out = run_file(&f, &[flag, "/nonexistent/t.jsonl", "--json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty(), "nothing ran");
        assert_eq!(
            stderr.trim(),
            "error: /nonexistent/t.jsonl: cannot write: No such file or directory"
        );
    }
    // fuzz --out into a place that cannot hold a directory.
    let out = bin()
        .args(["fuzz", "--seeds", "0..2", "--steps", "3", "--out"])
        .arg(format!("{f}/regressions"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(out.stdout.is_empty());
}

/// Raw texts: a seed beyond u64 (a float), a UTF-8 byte order mark, bonding more than the
/// balance, duplicate account keys.
#[test]
fn texts_say_what_was_wrong() {
    assert_bad(
        "seed.json",
        r#"{"name": "s", "seed": 18446744073709551616}"#,
        "seed",
        "the seed must be an integer from 0 to 9007199254740991, got 18446744073709551616",
    );
    assert_bad(
        "dup.json",
        r#"{"name": "d", "accounts": {"alice": "1000", "alice": "5"}}"#,
        "accounts.alice",
        "\"alice\" appears twice",
    );
    // A byte order mark is not JSON, but editors write it: the file runs.
    let bom = file("bom.json", b"\xef\xbb\xbf{\"name\": \"bom\"}");
    assert_eq!(run_file(&bom, &[]).status.code(), Some(0));
    // Bonding more than the balance: the bank's words, with the user's name and units.
    let f = file(
        "bond.json",
        with_steps("", r#"{"bond": {"user": "alice", "amount": "2000000"}}"#).as_bytes(),
    );
    let out = run_file(&f, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("failed: insufficient funds: alice has 1000000uosmo, 2000000uosmo needed"),
        "{stdout}"
    );
}

/// Times in the trace and the timeline read as durations, never raw milliseconds; no trace line
/// carries a bech32 address or a `Uint128(..)`.
#[test]
fn traces_and_timelines_use_names_and_units() {
    let demo = format!("{}/../fixtures/demo.json", env!("CARGO_MANIFEST_DIR"));
    let trace = dir().join("demo.jsonl");
    let timeline = dir().join("demo.mmd");
    let out = run_file(
        &demo,
        &[
            "--trace",
            &trace.display().to_string(),
            "--timeline",
            &timeline.display().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let trace = std::fs::read_to_string(trace).unwrap();
    let timeline = std::fs::read_to_string(timeline).unwrap();
    assert!(timeline.contains("outage until t=2h8m26s"), "{timeline}");
    for text in [&trace, &timeline] {
        assert!(!text.contains("Uint128("), "{text}");
        let raw_ms = text.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            w.len() > 3
                && w.ends_with("ms")
                && w[..w.len() - 2].parse::<u64>().is_ok_and(|n| n >= 1000)
        });
        assert!(!raw_ms, "raw milliseconds in {text}");
        for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            let bech32 = ["provider1", "juno1", "stars1"]
                .iter()
                .any(|p| word.starts_with(p) && word.len() > 30);
            assert!(!bech32, "an address in {word}");
        }
    }
}

/// `fuzz --print` scenarios stopped at their first refused action when run; refused steps now
/// carry `expect_error`, so each replays to a pass.
#[test]
fn fuzz_print_replays() {
    let out = bin()
        .args(["fuzz", "--seeds", "0..12", "--steps", "40", "--print"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut marked = 0;
    for (i, line) in text.lines().enumerate() {
        marked += line.matches("\"expect_error\"").count();
        let f = file(&format!("fuzz-{i}.json"), line.as_bytes());
        let run = run_file(&f, &[]);
        assert_eq!(
            run.status.code(),
            Some(0),
            "seed {i}: {}",
            String::from_utf8_lossy(&run.stdout)
        );
    }
    assert!(marked > 0, "some generated actions are refused and marked");
}
