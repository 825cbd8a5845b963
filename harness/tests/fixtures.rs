//! One test per scenario file under `fixtures/` (subdirectories included: `regressions/`,
//! `slashing/`, ...): the scenario must pass, and its final report and trace must match the
//! snapshots in `snapshots/` (review changes with `cargo insta review`).
//!
//! A test is named after its file, relative to `fixtures/` and without `.json`
//! (`demo`, `regressions/seed-93-settled`), so
//! `cargo test -p mesh-harness --test fixtures -- regressions/` runs the regressions and
//! `cargo nextest run` lists and runs every fixture on its own. This target has no libtest
//! harness (`harness = false`): libtest-mimic gives it the same command line.

use libtest_mimic::{Arguments, Failed, Trial};
use mesh_harness::cli::collect_files;
use mesh_harness::runner::{run, RunOptions};
use mesh_harness::scenario::load_file;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// The file relative to `fixtures/`, without `.json`, with `/` separators.
fn relative_name(file: &Path) -> String {
    let rel = file.strip_prefix(fixtures_dir()).unwrap_or(file);
    rel.with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The insta snapshot name of a fixture: its relative name with `__` for `/`
/// (`regressions__seed-93-settled`), to which `__report` and `__trace` are added.
fn snapshot_name(file: &Path) -> String {
    relative_name(file).replace('/', "__")
}

/// Runs one fixture and checks its snapshots.
fn check_fixture(file: &Path) -> Result<(), Failed> {
    let scenario = load_file(file).map_err(|e| e.to_string())?;
    let outcome = run(&scenario, &RunOptions::default());
    if let Some(f) = &outcome.failure {
        return Err(format!("{}: {f}", file.display()).into());
    }
    let name = snapshot_name(file);
    let trace: Vec<String> = outcome
        .trace
        .iter()
        .map(|e| serde_json::to_string(e).expect("events serialise"))
        .collect();
    insta::with_settings!({
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
        description => format!("{} ({})", scenario.name, file.display()),
    }, {
        insta::assert_json_snapshot!(format!("{name}__report"), outcome.report);
        insta::assert_snapshot!(format!("{name}__trace"), trace.join("\n"));
    });
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let files = collect_files(&[fixtures_dir()]).unwrap_or_else(|e| panic!("{}", e.message));
    assert!(
        !files.is_empty(),
        "no fixtures found in {}",
        fixtures_dir().display()
    );
    let trials = files
        .into_iter()
        .map(|file| Trial::test(relative_name(&file), move || check_fixture(&file)))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
