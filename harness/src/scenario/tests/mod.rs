//! Tests of the scenario file model.

mod errors;
mod parse;
mod schema;
mod values;

use super::{parse_str, Scenario};

/// Parses `text` as if read from `t.json`, panicking with the one-line error.
fn parse(text: &str) -> Scenario {
    parse_str(text, "t.json").unwrap_or_else(|e| panic!("{e}"))
}

/// The one-line error of parsing `text` as `t.json`.
fn parse_err(text: &str) -> String {
    match parse_str(text, "t.json") {
        Ok(s) => panic!("expected an error, parsed {s:?}"),
        Err(e) => e.to_string(),
    }
}
