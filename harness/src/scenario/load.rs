//! Reading scenario files: JSON parsing with the path of every error, then validation.

use std::fmt;
use std::path::Path;

use serde_json::error::Category;

use super::model::Scenario;
use super::validate::ValidationError;

/// What went wrong with a scenario file; renders as one line naming the file and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file (or the origin given to [`parse_str`]).
    pub origin: String,
    /// Which kind of error, and where.
    pub kind: ErrorKind,
    /// What was wrong.
    pub message: String,
}

/// The kind of a [`ScenarioError`], with its location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file could not be read: `<file>: cannot read: <reason>`.
    Read,
    /// The text is not JSON: `<file>: line L column C: <reason>`.
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The JSON is not a valid scenario: `<file>: <json path>: <reason>` (`<file>: <reason>` at
    /// the top level, where the path is empty).
    Invalid {
        /// Like `steps[3].bond.amount`; empty for the whole document.
        path: String,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Read => write!(f, "{}: cannot read: {}", self.origin, self.message),
            ErrorKind::Syntax { line, column } => write!(
                f,
                "{}: line {line} column {column}: {}",
                self.origin, self.message
            ),
            ErrorKind::Invalid { path } if path.is_empty() => {
                write!(f, "{}: {}", self.origin, self.message)
            }
            ErrorKind::Invalid { path } => {
                write!(f, "{}: {path}: {}", self.origin, self.message)
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

impl ScenarioError {
    /// A validation error of the scenario read from `origin`.
    pub fn invalid(origin: impl Into<String>, error: ValidationError) -> Self {
        ScenarioError {
            origin: origin.into(),
            kind: ErrorKind::Invalid { path: error.path },
            message: error.message,
        }
    }

    /// The error as `<json path>: <message>` (or the message alone), without the origin.
    pub fn without_origin(&self) -> String {
        let full = self.to_string();
        full[self.origin.len() + 2..].to_owned()
    }
}

/// The message of a serde_json error without serde_json's " at line L column C" suffix.
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

/// An I/O error's text without the " (os error N)" suffix.
fn io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    match e.raw_os_error() {
        Some(code) => text
            .strip_suffix(&format!(" (os error {code})"))
            .unwrap_or(&text)
            .to_owned(),
        None => text,
    }
}

fn syntax_error(origin: &str, e: &serde_json::Error) -> ScenarioError {
    ScenarioError {
        origin: origin.to_owned(),
        kind: ErrorKind::Syntax {
            line: e.line(),
            column: e.column(),
        },
        message: json_message(e),
    }
}

/// Parses and validates a scenario from JSON text; `origin` names it in errors (a file name).
pub fn parse_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    let scenario = parse_unvalidated(text, origin)?;
    scenario
        .validate()
        .map_err(|e| ScenarioError::invalid(origin, e))?;
    Ok(scenario)
}

/// Parses a scenario from JSON text without checking its references (see [`Scenario::validate`]).
pub fn parse_unvalidated(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    // Editors on some systems start UTF-8 files with a byte order mark; it is not JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let scenario: Scenario = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            Category::Data => ScenarioError {
                origin: origin.to_owned(),
                kind: ErrorKind::Invalid {
                    path: if path == "." { String::new() } else { path },
                },
                message: json_message(&inner),
            },
            Category::Syntax | Category::Eof | Category::Io => syntax_error(origin, &inner),
        }
    })?;
    de.end().map_err(|e| syntax_error(origin, &e))?;
    Ok(scenario)
}

/// Reads, parses and validates a scenario file.
pub fn load_file(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
    let path = path.as_ref();
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        origin: origin.clone(),
        kind: ErrorKind::Read,
        message: io_message(&e),
    })?;
    parse_str(&text, &origin)
}

/// The scenario as pretty-printed JSON (with a final newline), every default written out; it
/// parses back to an equal scenario.
pub fn to_json_pretty(scenario: &Scenario) -> String {
    let mut text = serde_json::to_string_pretty(scenario).expect("a scenario always serializes");
    text.push('\n');
    text
}
