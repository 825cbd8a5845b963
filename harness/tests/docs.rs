//! The documentation a clone has: every relative link of the README and of `docs/*.md` points
//! at a file of the repository (no link leaves it for a file a clone does not have), and the
//! README's "Using it from Rust" snippets are lines of the example CI runs.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The targets of the Markdown links `[text](target)` in `text`.
fn link_targets(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) => {
                out.push(after[..j].to_string());
                rest = &after[j..];
            }
            None => break,
        }
    }
    out
}

/// The repository's Markdown files users read.
fn user_docs() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md"), root().join("BENCHMARKS.md")];
    for entry in std::fs::read_dir(root().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Every relative link resolves inside the repository.
#[test]
fn every_relative_link_resolves_in_a_clone() {
    let root = root().canonicalize().unwrap();
    let mut checked = 0;
    for file in user_docs() {
        let text = std::fs::read_to_string(&file).unwrap();
        for target in link_targets(&text) {
            let target = target.split('#').next().unwrap_or_default().trim();
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let resolved = file.parent().unwrap().join(target);
            let resolved = resolved.canonicalize().unwrap_or_else(|_| {
                panic!("{}: link {target:?} resolves to nothing", file.display())
            });
            assert!(
                resolved.starts_with(&root),
                "{}: link {target:?} leaves the repository",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} links found");
}

/// Nothing a user reads points at the project's internal notes.
#[test]
fn no_doc_points_outside_the_repository() {
    for file in user_docs() {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("shared/spec"), "{}", file.display());
    }
}

/// Code without comments and whitespace.
fn squeeze(code: &str) -> String {
    code.lines()
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .flat_map(|line| line.chars().filter(|c| !c.is_whitespace()))
        .collect()
}

/// Every statement of the README's Rust snippets is code of `harness/examples/user_tests.rs`
/// (which `cargo test` compiles and runs), comments and layout aside; so the README's code
/// compiles and passes. Statements naming a file (`tests/cross-stake.json`, the example's path
/// differs) are left out.
#[test]
fn readme_snippets_are_the_examples_code() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let example =
        squeeze(&std::fs::read_to_string(root().join("harness/examples/user_tests.rs")).unwrap());
    let mut snippets = vec![];
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line) {
            (None, "```rust") => current = Some(String::new()),
            (Some(_), "```") => snippets.push(current.take().unwrap()),
            (Some(code), line) => {
                code.push_str(line);
                code.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(snippets.len() >= 5, "{} Rust snippets", snippets.len());
    let mut missing = vec![];
    let mut checked = 0;
    for snippet in &snippets {
        for statement in squeeze(snippet).split_inclusive([';', '{', '}']) {
            if statement.len() < 3 || statement.contains(".json") {
                continue;
            }
            checked += 1;
            if !example.contains(statement) {
                missing.push(statement.to_string());
            }
        }
    }
    assert!(checked > 40, "only {checked} statements checked");
    assert!(
        missing.is_empty(),
        "README statements not in harness/examples/user_tests.rs:\n{}",
        missing.join("\n")
    );
}
