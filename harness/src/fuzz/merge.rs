//! The `fuzz --json` summary as a file, and `mesh-harness fuzz merge`: the summaries of one
//! campaign's shards (each `fuzz --shard I/N --json`) combined into the campaign's summary.
//!
//! A summary says which campaign it belongs to (`campaign`: seeds, steps, shard), so a merge
//! can check that its inputs are the shards of one campaign, each once, none missing.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write;

use super::campaign::{parse_seeds, Campaign, Shard, Summary};

/// Which campaign, and which part of it, a summary covers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignInfo {
    /// The campaign's seeds, `A..B` (B excluded).
    #[serde(deserialize_with = "seeds_text")]
    pub seeds: String,
    /// Body steps per scenario.
    pub steps: u64,
    /// The shard this summary covers, `I/N`.
    #[serde(deserialize_with = "shard_text")]
    pub shard: String,
}

fn seeds_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    parse_seeds(&s).map_err(serde::de::Error::custom)?;
    Ok(s)
}

fn shard_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    s.parse::<Shard>().map_err(serde::de::Error::custom)?;
    Ok(s)
}

/// A seed that broke an invariant, as a summary lists it (the fields a merge needs; the
/// others are kept as they are).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ViolationRecord {
    /// The seed.
    pub seed: u64,
    /// The broken invariant.
    pub invariant: String,
    /// Its values.
    pub detail: String,
    /// Index of the step after which it broke.
    pub failed_step: u64,
    /// The regression fixture written for it, if any.
    #[serde(default)]
    pub file: Option<String>,
    /// Everything else the summary said about it (shrinking, determinism, ...).
    #[serde(flatten)]
    pub more: Map<String, Value>,
}

impl ViolationRecord {
    /// One line for humans, as the campaign prints it.
    pub fn line(&self) -> String {
        let shrunk = self
            .more
            .get("shrunk_steps")
            .and_then(Value::as_u64)
            .map(|n| format!("; shrunk to {n} steps"))
            .unwrap_or_default();
        let file = self
            .file
            .as_ref()
            .map(|f| format!(" -> {f}"))
            .unwrap_or_default();
        format!(
            "seed {}: invariant {} broken at step {}: {}{shrunk}{file}",
            self.seed, self.invariant, self.failed_step, self.detail
        )
    }
}

/// A seed whose run failed without breaking an invariant (a harness problem).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HarnessErrorRecord {
    /// The seed.
    pub seed: u64,
    /// What went wrong.
    pub error: String,
}

/// The `fuzz --json` summary of one shard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryFile {
    /// Which campaign and shard.
    pub campaign: CampaignInfo,
    /// Scenarios run.
    pub runs: u64,
    /// Steps executed.
    pub steps: u64,
    /// Actions the contracts refused.
    pub failed_actions: u64,
    /// Faults and chain events injected, by kind.
    pub faults: BTreeMap<String, u64>,
    /// Seeds that broke an invariant.
    pub violations: Vec<ViolationRecord>,
    /// Seeds whose run failed without an invariant.
    pub harness_errors: Vec<HarnessErrorRecord>,
    /// Wall time of the shard, in seconds.
    pub seconds: f64,
    /// Scenarios per second of wall time.
    pub runs_per_second: f64,
}

impl SummaryFile {
    /// The summary of campaign `c`.
    pub fn new(c: &Campaign, summary: &Summary) -> Self {
        let mut v = summary.to_json();
        v["campaign"] = serde_json::json!({
            "seeds": format!("{}..{}", c.seeds.start, c.seeds.end),
            "steps": c.steps,
            "shard": c.shard.to_string(),
        });
        serde_json::from_value(v).expect("a campaign's summary has the summary file's shape")
    }
}

/// The campaign a merge covers: its seeds and steps, and how many shards it was split into.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MergedCampaign {
    /// The campaign's seeds, `A..B`.
    pub seeds: String,
    /// Body steps per scenario.
    pub steps: u64,
    /// Number of shards merged (all of them).
    pub shards: u64,
}

/// Several shards' summaries combined.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Merged {
    /// The campaign.
    pub campaign: MergedCampaign,
    /// Scenarios run, over all shards.
    pub runs: u64,
    /// Steps executed.
    pub steps: u64,
    /// Actions refused.
    pub failed_actions: u64,
    /// Faults injected, by kind, summed.
    pub faults: BTreeMap<String, u64>,
    /// Every shard's violations, by seed.
    pub violations: Vec<ViolationRecord>,
    /// Every shard's harness errors, by seed.
    pub harness_errors: Vec<HarnessErrorRecord>,
    /// Wall time of all shards added up (machine time), in seconds.
    pub seconds: f64,
    /// Scenarios per second of one machine (runs / seconds).
    pub runs_per_second: f64,
}

impl Merged {
    /// True when no shard found anything.
    pub fn passed(&self) -> bool {
        self.violations.is_empty() && self.harness_errors.is_empty()
    }

    /// The merged summary for humans.
    pub fn text(&self) -> String {
        let faults: Vec<String> = self
            .faults
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let mut out = format!(
            "fuzz merge: {} shards of seeds {}, {} steps each\n{} runs, {} steps ({} actions \
             refused), {} violations, {} harness errors in {:.1}s of machine time\nfaults \
             injected: {}\n",
            self.campaign.shards,
            self.campaign.seeds,
            self.campaign.steps,
            self.runs,
            self.steps,
            self.failed_actions,
            self.violations.len(),
            self.harness_errors.len(),
            self.seconds,
            if faults.is_empty() {
                "none".into()
            } else {
                faults.join(", ")
            },
        );
        for v in &self.violations {
            let _ = writeln!(out, "VIOLATION {}", v.line());
        }
        for e in &self.harness_errors {
            let _ = writeln!(out, "HARNESS ERROR seed {}: {}", e.seed, e.error);
        }
        out
    }
}

/// Reads one summary file; errors name the file and the JSON path.
pub fn read(path: &str, text: &str) -> Result<SummaryFile, String> {
    const WHAT: &str = "the JSON summary `fuzz --json` prints";
    if text.trim().is_empty() {
        return Err(format!(
            "{path}: empty: expected {WHAT} (did that shard stop before printing it?)"
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let message = message
            .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
            .unwrap_or(&message)
            .to_owned();
        format!(
            "{path}: line {} column {}: {message} (expected {WHAT})",
            e.line(),
            e.column()
        )
    })?;
    if !value.is_object() {
        return Err(format!("{path}: expected {WHAT}, an object"));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let at = e.path().to_string();
        if at == "." {
            format!("{path}: {}", e.inner())
        } else {
            format!("{path}: {at}: {}", e.inner())
        }
    })
}

/// Combines the summaries of one campaign's shards, given as (file, summary): they must agree
/// on the seeds and steps, and cover every shard exactly once. Errors name the file and path.
pub fn merge(inputs: &[(String, SummaryFile)]) -> Result<Merged, String> {
    let (first_path, first) = inputs.first().ok_or("no summaries to merge")?;
    let count = first
        .campaign
        .shard
        .parse::<Shard>()
        .expect("checked when read")
        .count;
    let mut seen: BTreeMap<u64, &str> = BTreeMap::new();
    for (path, s) in inputs {
        for (what, mine, theirs) in [
            ("seeds", &s.campaign.seeds, &first.campaign.seeds),
            (
                "steps",
                &s.campaign.steps.to_string(),
                &first.campaign.steps.to_string(),
            ),
        ] {
            if mine != theirs {
                return Err(format!(
                    "{path}: campaign.{what}: {mine}, but {first_path} has {theirs} (the \
                     summaries of one campaign's shards are merged)"
                ));
            }
        }
        let shard: Shard = s.campaign.shard.parse().expect("checked when read");
        if shard.count != count {
            return Err(format!(
                "{path}: campaign.shard: {shard}, but {first_path} is one of {count} shards"
            ));
        }
        if let Some(other) = seen.insert(shard.index, path) {
            return Err(format!(
                "{path}: campaign.shard: shard {shard} is also {other}"
            ));
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "shard{} {} of seeds {} missing: merge the summaries of all {count} shards",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", "),
            first.campaign.seeds
        ));
    }
    let mut merged = Merged {
        campaign: MergedCampaign {
            seeds: first.campaign.seeds.clone(),
            steps: first.campaign.steps,
            shards: count,
        },
        runs: 0,
        steps: 0,
        failed_actions: 0,
        faults: BTreeMap::new(),
        violations: vec![],
        harness_errors: vec![],
        seconds: 0.0,
        runs_per_second: 0.0,
    };
    for (_, s) in inputs {
        merged.runs += s.runs;
        merged.steps += s.steps;
        merged.failed_actions += s.failed_actions;
        for (kind, n) in &s.faults {
            *merged.faults.entry(kind.clone()).or_default() += n;
        }
        merged.violations.extend(s.violations.iter().cloned());
        merged
            .harness_errors
            .extend(s.harness_errors.iter().cloned());
        merged.seconds += s.seconds;
    }
    merged.violations.sort_by_key(|v| v.seed);
    merged.harness_errors.sort_by_key(|e| e.seed);
    merged.runs_per_second = merged.runs as f64 / merged.seconds.max(1e-9);
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shard_json(shard: &str, runs: u64, faults: Value, violations: Value) -> Value {
        json!({
            "campaign": {"seeds": "0..10", "steps": 20, "shard": shard},
            "runs": runs, "steps": runs * 25, "failed_actions": 3,
            "faults": faults, "violations": violations, "harness_errors": [],
            "seconds": 0.5, "runs_per_second": runs as f64 / 0.5,
        })
    }

    fn input(name: &str, v: Value) -> (String, SummaryFile) {
        (name.into(), read(name, &v.to_string()).unwrap())
    }

    /// Counts add up, faults by kind are summed, violations come in seed order and keep their
    /// extra fields.
    #[test]
    fn shards_add_up() {
        let violation = json!([{"seed": 7, "invariant": "settled", "detail": "d", "failed_step": 4,
                                "file": "out/seed-7-settled.json", "shrunk_steps": 3, "replays": true}]);
        let merged = merge(&[
            input(
                "b.json",
                shard_json("2/2", 5, json!({"delay": 2, "halt": 1}), violation),
            ),
            input(
                "a.json",
                shard_json("1/2", 5, json!({"delay": 1}), json!([])),
            ),
        ])
        .unwrap();
        assert_eq!(merged.runs, 10);
        assert_eq!(merged.steps, 250);
        assert_eq!(merged.failed_actions, 6);
        assert_eq!(
            merged.faults,
            BTreeMap::from([("delay".into(), 3), ("halt".into(), 1)])
        );
        assert_eq!(
            merged.campaign,
            MergedCampaign {
                seeds: "0..10".into(),
                steps: 20,
                shards: 2
            }
        );
        assert_eq!(merged.seconds, 1.0);
        assert!(!merged.passed());
        let v = serde_json::to_value(&merged).unwrap();
        assert_eq!(v["violations"][0]["shrunk_steps"], 3);
        assert_eq!(v["violations"][0]["file"], "out/seed-7-settled.json");
        assert!(merged.text().contains(
            "VIOLATION seed 7: invariant settled broken at step 4: d; shrunk to 3 steps -> out/seed-7-settled.json"
        ));
    }

    /// A missing, repeated or foreign shard is an error naming it.
    #[test]
    fn shards_of_one_campaign_each_once() {
        let one = input("a.json", shard_json("1/3", 4, json!({}), json!([])));
        let three = input("c.json", shard_json("3/3", 3, json!({}), json!([])));
        assert_eq!(
            merge(&[one.clone(), three.clone()]).unwrap_err(),
            "shard 2/3 of seeds 0..10 missing: merge the summaries of all 3 shards"
        );
        assert_eq!(
            merge(&[one.clone(), one.clone()]).unwrap_err(),
            "a.json: campaign.shard: shard 1/3 is also a.json"
        );
        let mut other = shard_json("2/3", 3, json!({}), json!([]));
        other["campaign"]["seeds"] = json!("0..20");
        assert_eq!(
            merge(&[one.clone(), input("b.json", other)]).unwrap_err(),
            "b.json: campaign.seeds: 0..20, but a.json has 0..10 (the summaries of one \
             campaign's shards are merged)"
        );
        let halves = input("h.json", shard_json("2/2", 5, json!({}), json!([])));
        assert_eq!(
            merge(&[one, halves]).unwrap_err(),
            "h.json: campaign.shard: 2/2, but a.json is one of 3 shards"
        );
    }

    /// Malformed summaries: the file and the JSON path of what is wrong.
    #[test]
    fn malformed_summaries_name_file_and_path() {
        let mut v = shard_json("1/1", 1, json!({}), json!([{"seed": "x"}]));
        assert_eq!(
            read("s.json", &v.to_string()).unwrap_err(),
            "s.json: violations[0].seed: invalid type: string \"x\", expected u64"
        );
        v["violations"] = json!([]);
        v["campaign"]["shard"] = json!("9/8");
        assert!(read("s.json", &v.to_string())
            .unwrap_err()
            .starts_with("s.json: campaign.shard: expected a shard like 2/4"));
        v.as_object_mut().unwrap().remove("campaign");
        assert_eq!(
            read("s.json", &v.to_string()).unwrap_err(),
            "s.json: missing field `campaign`"
        );
        assert_eq!(
            read("s.json", "{\"runs\": ").unwrap_err(),
            "s.json: line 1 column 9: EOF while parsing a value (expected the JSON summary \
             `fuzz --json` prints)"
        );
        assert_eq!(
            read("s.json", "{} {}").unwrap_err(),
            "s.json: line 1 column 4: trailing characters (expected the JSON summary `fuzz \
             --json` prints)"
        );
        assert_eq!(
            read("s.json", "\n").unwrap_err(),
            "s.json: empty: expected the JSON summary `fuzz --json` prints (did that shard stop \
             before printing it?)"
        );
        assert_eq!(
            read("s.json", "[]").unwrap_err(),
            "s.json: expected the JSON summary `fuzz --json` prints, an object"
        );
    }
}
