//! `fuzz --shard auto`: which shard of a campaign this machine runs, read from the environment
//! a CI system gives each of its parallel jobs.
//!
//! The sources, in the order they are tried (the first whose index variable is set wins):
//!
//! | index variable | count variable | index counts from | set by |
//! |---|---|---|---|
//! | `MESH_HARNESS_SHARD_INDEX` | `MESH_HARNESS_SHARD_COUNT` | 1 | you (a GitHub Actions matrix passes them in) |
//! | `JOB_COMPLETION_INDEX` | `MESH_HARNESS_SHARD_COUNT` | 0 | Kubernetes (Indexed Job); the count is yours: the Job's `completions` |
//! | `CI_NODE_INDEX` | `CI_NODE_TOTAL` | 1 | GitLab CI (`parallel: N`) |
//! | `CIRCLE_NODE_INDEX` | `CIRCLE_NODE_TOTAL` | 0 | CircleCI (`parallelism: N`) |
//! | `BUILDKITE_PARALLEL_JOB` | `BUILDKITE_PARALLEL_JOB_COUNT` | 0 | Buildkite (`parallelism: N`) |

use std::str::FromStr;

use super::campaign::Shard;

/// `--shard`: a fixed `I/N`, or `auto` (from the environment, see [`SOURCES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardArg {
    /// `I/N` as given.
    Fixed(Shard),
    /// Read from the CI's environment when the campaign starts.
    Auto,
}

impl Default for ShardArg {
    fn default() -> Self {
        ShardArg::Fixed(Shard::default())
    }
}

impl FromStr for ShardArg {
    type Err = String;

    /// Parses `auto` or `I/N` with `1 <= I <= N`.
    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim() == "auto" {
            return Ok(ShardArg::Auto);
        }
        s.parse().map(ShardArg::Fixed).map_err(|_| {
            format!(
                "expected a shard like 2/4 (index from 1 to count) or auto (from the CI's \
                 environment), got {s:?}"
            )
        })
    }
}

/// One place a CI system says which of its parallel jobs this is.
#[derive(Clone, Copy, Debug)]
pub struct Source {
    /// The variable holding this job's index.
    pub index: &'static str,
    /// The variable holding the number of jobs.
    pub count: &'static str,
    /// The index of the first job (0 or 1).
    pub first: u64,
    /// Who sets the variables.
    pub set_by: &'static str,
}

/// Where `--shard auto` looks, in order.
pub const SOURCES: &[Source] = &[
    Source {
        index: "MESH_HARNESS_SHARD_INDEX",
        count: "MESH_HARNESS_SHARD_COUNT",
        first: 1,
        set_by: "you, for example from a GitHub Actions matrix",
    },
    Source {
        index: "JOB_COMPLETION_INDEX",
        count: "MESH_HARNESS_SHARD_COUNT",
        first: 0,
        set_by: "a Kubernetes Indexed Job (set MESH_HARNESS_SHARD_COUNT to its completions)",
    },
    Source {
        index: "CI_NODE_INDEX",
        count: "CI_NODE_TOTAL",
        first: 1,
        set_by: "GitLab CI parallel jobs",
    },
    Source {
        index: "CIRCLE_NODE_INDEX",
        count: "CIRCLE_NODE_TOTAL",
        first: 0,
        set_by: "CircleCI parallelism",
    },
    Source {
        index: "BUILDKITE_PARALLEL_JOB",
        count: "BUILDKITE_PARALLEL_JOB_COUNT",
        first: 0,
        set_by: "Buildkite parallelism",
    },
];

/// A shard found in the environment, and the variables it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FromEnv {
    /// The shard (1-based, as `--shard I/N`).
    pub shard: Shard,
    /// The variables that gave it.
    pub source: &'static str,
}

fn number(var: &str, value: &str) -> Result<u64, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("--shard auto: {var}={value:?} is not a whole number"))
}

/// The shard the environment gives (`get` reads a variable), or one line saying why there is
/// none: no source set, a count missing, a value that is not a number or out of range.
pub fn shard_from_env(get: impl Fn(&str) -> Option<String>) -> Result<FromEnv, String> {
    let set = |var: &str| get(var).filter(|v| !v.trim().is_empty());
    for source in SOURCES {
        let Some(index) = set(source.index) else {
            continue;
        };
        let Some(count) = set(source.count) else {
            return Err(format!(
                "--shard auto: {} is set (by {}) but {} is not: set it to the number of shards",
                source.index, source.set_by, source.count
            ));
        };
        let (i, n) = (number(source.index, &index)?, number(source.count, &count)?);
        if n == 0 {
            return Err(format!(
                "--shard auto: {}=0: there must be at least one shard",
                source.count
            ));
        }
        let last = source.first + n - 1;
        if i < source.first || i > last {
            return Err(format!(
                "--shard auto: {}={i} is out of range for {}={n} (it counts from {} to {last})",
                source.index, source.count, source.first
            ));
        }
        return Ok(FromEnv {
            shard: Shard {
                index: i - source.first + 1,
                count: n,
            },
            source: source.index,
        });
    }
    let tried: Vec<String> = SOURCES
        .iter()
        .map(|s| format!("{} and {}", s.index, s.count))
        .collect();
    Err(format!(
        "--shard auto: no shard in the environment: set MESH_HARNESS_SHARD_INDEX (1 to N) and \
         MESH_HARNESS_SHARD_COUNT (N), or run where a CI sets one of: {}",
        tried[1..].join("; ")
    ))
}

/// The shard of `arg`: as given, or from the process environment for `auto`.
pub fn resolve(arg: ShardArg) -> Result<(Shard, Option<&'static str>), String> {
    match arg {
        ShardArg::Fixed(shard) => Ok((shard, None)),
        ShardArg::Auto => shard_from_env(|var| std::env::var(var).ok())
            .map(|found| (found.shard, Some(found.source))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env(vars: &[(&str, &str)]) -> Result<FromEnv, String> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        shard_from_env(|k| vars.get(k).cloned())
    }

    /// Environment variables, name and value.
    type Vars<'a> = &'a [(&'a str, &'a str)];

    fn shard(index: u64, count: u64) -> Shard {
        Shard { index, count }
    }

    /// Each source maps to the 1-based shard of `--shard I/N`, whatever its own base.
    #[test]
    fn every_source_gives_a_one_based_shard() {
        let cases: [(Vars, Shard, &str); 6] = [
            (
                &[
                    ("MESH_HARNESS_SHARD_INDEX", "3"),
                    ("MESH_HARNESS_SHARD_COUNT", "8"),
                ],
                shard(3, 8),
                "MESH_HARNESS_SHARD_INDEX",
            ),
            (
                &[
                    ("JOB_COMPLETION_INDEX", "0"),
                    ("MESH_HARNESS_SHARD_COUNT", "8"),
                ],
                shard(1, 8),
                "JOB_COMPLETION_INDEX",
            ),
            (
                &[
                    ("JOB_COMPLETION_INDEX", "7"),
                    ("MESH_HARNESS_SHARD_COUNT", "8"),
                ],
                shard(8, 8),
                "JOB_COMPLETION_INDEX",
            ),
            (
                &[("CI_NODE_INDEX", "2"), ("CI_NODE_TOTAL", "4")],
                shard(2, 4),
                "CI_NODE_INDEX",
            ),
            (
                &[("CIRCLE_NODE_INDEX", "0"), ("CIRCLE_NODE_TOTAL", "2")],
                shard(1, 2),
                "CIRCLE_NODE_INDEX",
            ),
            (
                &[
                    ("BUILDKITE_PARALLEL_JOB", "4"),
                    ("BUILDKITE_PARALLEL_JOB_COUNT", "5"),
                ],
                shard(5, 5),
                "BUILDKITE_PARALLEL_JOB",
            ),
        ];
        for (vars, expected, source) in cases {
            assert_eq!(
                env(vars),
                Ok(FromEnv {
                    shard: expected,
                    source
                }),
                "{vars:?}"
            );
        }
    }

    /// Our own pair wins over a CI's variables; empty variables count as unset.
    #[test]
    fn the_first_source_set_wins() {
        let found = env(&[
            ("CI_NODE_INDEX", "1"),
            ("CI_NODE_TOTAL", "2"),
            ("MESH_HARNESS_SHARD_INDEX", "2"),
            ("MESH_HARNESS_SHARD_COUNT", "2"),
        ]);
        assert_eq!(found.unwrap().source, "MESH_HARNESS_SHARD_INDEX");
        let found = env(&[
            ("MESH_HARNESS_SHARD_INDEX", ""),
            ("CI_NODE_INDEX", "1"),
            ("CI_NODE_TOTAL", "2"),
        ]);
        assert_eq!(found.unwrap().shard, shard(1, 2));
    }

    /// Nothing set, a missing count, a non-number or an index out of range: one line each.
    #[test]
    fn bad_environments_say_what_is_wrong() {
        let none = env(&[("MESH_HARNESS_SHARD_COUNT", "8")]).unwrap_err();
        assert!(
            none.starts_with(
                "--shard auto: no shard in the environment: set MESH_HARNESS_SHARD_INDEX"
            ),
            "{none}"
        );
        assert!(
            none.contains("JOB_COMPLETION_INDEX and MESH_HARNESS_SHARD_COUNT"),
            "{none}"
        );
        assert_eq!(
            env(&[("JOB_COMPLETION_INDEX", "3")]).unwrap_err(),
            "--shard auto: JOB_COMPLETION_INDEX is set (by a Kubernetes Indexed Job (set \
             MESH_HARNESS_SHARD_COUNT to its completions)) but MESH_HARNESS_SHARD_COUNT is not: \
             set it to the number of shards"
        );
        assert_eq!(
            env(&[
                ("MESH_HARNESS_SHARD_INDEX", "three"),
                ("MESH_HARNESS_SHARD_COUNT", "8")
            ])
            .unwrap_err(),
            "--shard auto: MESH_HARNESS_SHARD_INDEX=\"three\" is not a whole number"
        );
        assert_eq!(
            env(&[("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "0")]).unwrap_err(),
            "--shard auto: CI_NODE_TOTAL=0: there must be at least one shard"
        );
        for (i, n, first, last) in [("9", "8", 1, 8), ("0", "8", 1, 8)] {
            assert_eq!(
                env(&[
                    ("MESH_HARNESS_SHARD_INDEX", i),
                    ("MESH_HARNESS_SHARD_COUNT", n)
                ])
                .unwrap_err(),
                format!(
                    "--shard auto: MESH_HARNESS_SHARD_INDEX={i} is out of range for \
                     MESH_HARNESS_SHARD_COUNT={n} (it counts from {first} to {last})"
                )
            );
        }
        assert!(env(&[
            ("JOB_COMPLETION_INDEX", "8"),
            ("MESH_HARNESS_SHARD_COUNT", "8")
        ])
        .unwrap_err()
        .contains("(it counts from 0 to 7)"));
    }

    /// `--shard` takes `auto` or `I/N`.
    #[test]
    fn shard_arguments_parse() {
        assert_eq!("auto".parse(), Ok(ShardArg::Auto));
        assert_eq!("2/4".parse(), Ok(ShardArg::Fixed(shard(2, 4))));
        assert!("5/4".parse::<ShardArg>().unwrap_err().contains("or auto"));
    }
}
