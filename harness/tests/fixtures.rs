//! Every scenario under `fixtures/` (and `fixtures/regressions/`) must pass, and its final report
//! and trace must match the snapshots in `snapshots/` (review changes with `cargo insta review`).

use mesh_harness::cli::collect_files;
use mesh_harness::runner::{run, RunOptions};
use mesh_harness::scenario::load_file;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn snapshot_name(file: &Path) -> String {
    let rel = file.strip_prefix(fixtures_dir()).unwrap_or(file);
    rel.with_extension("")
        .to_string_lossy()
        .replace(['/', '\\'], "__")
}

#[test]
fn every_fixture_passes_and_matches_its_snapshots() {
    let files = collect_files(&[fixtures_dir()]).unwrap_or_else(|e| panic!("{}", e.message));
    assert!(!files.is_empty(), "no fixtures found");
    let mut failures = vec![];
    for file in &files {
        let scenario = load_file(file).unwrap_or_else(|e| panic!("{e}"));
        let outcome = run(&scenario, &RunOptions::default());
        if let Some(f) = &outcome.failure {
            failures.push(format!("{}: {f}", file.display()));
            continue;
        }
        let name = snapshot_name(file);
        let trace: Vec<String> = outcome
            .trace
            .iter()
            .map(|e| serde_json::to_string(e).unwrap())
            .collect();
        insta::with_settings!({
            snapshot_path => "../../snapshots",
            prepend_module_to_snapshot => false,
            description => format!("{} ({})", scenario.name, file.display()),
        }, {
            insta::assert_json_snapshot!(format!("{name}__report"), outcome.report);
            insta::assert_snapshot!(format!("{name}__trace"), trace.join("\n"));
        });
    }
    assert!(
        failures.is_empty(),
        "fixtures failed:\n{}",
        failures.join("\n")
    );
}
