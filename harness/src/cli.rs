//! The `mesh-harness` command line: `run`, `fuzz`, `list`, `replay`, `check-determinism`,
//! `check-wasm`, `schema`, `bench`.
//! Exit codes: 0 everything passed, 1 a scenario failed, 2 bad input (one line naming the file
//! and the JSON path).

use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};

use mesh_actors::contracts::Codes;
use mesh_actors::dialect::Implementation;

use crate::fuzz::merge::{self, SummaryFile};
use crate::fuzz::shard_env::{self, ShardArg};
use crate::junit;
use crate::report::format_duration_ms;
use crate::runner::{self, RunOptions, RunOutcome};
use crate::scenario::{self, Scenario, ScenarioError};
use crate::timeline;

/// The built-in demo: a provider and two consumers through the whole lifecycle.
pub const DEMO: &str = include_str!("../../fixtures/demo.json");

const EXAMPLES: &str = "Examples:
  mesh-harness run                         run the built-in demo and print its report and timeline
  mesh-harness run fixtures/               run every scenario under fixtures/
  mesh-harness run a.json --json           one JSON object per scenario on stdout
  mesh-harness run a.json --trace t.jsonl --timeline t.md   the timeline as Markdown (a mermaid block)
  mesh-harness run fixtures/ --junit junit.xml             a JUnit report for the CI's test view
  mesh-harness check-determinism a.json    run twice and compare the traces
  scripts/build-wasm.sh                    build the contracts to artifacts/*.wasm
  mesh-harness check-wasm artifacts/*.wasm                 cosmwasm-vm's static checks
  mesh-harness run fixtures/ --wasm artifacts/             every contract as wasm, with gas
  mesh-harness run fixtures/ --wasm artifacts/ --compare-native   and the same as native?
  mesh-harness fuzz --seeds 0..100 --wasm artifacts/       fuzz the wasm build
  mesh-harness fuzz --seeds 0..1000 --steps 50             fuzz; failures go to fixtures/regressions/
  mesh-harness fuzz --seeds 0..10000 --shard 2/4 --json    this machine's quarter of a campaign
  mesh-harness fuzz --seeds 0..10000 --shard auto --json --junit j.xml > s.json   shard from CI env
  mesh-harness fuzz merge shard-*.json --junit fuzz.xml   combine the shards' summaries
  mesh-harness replay fixtures/regressions/seed-93-settled.json
  mesh-harness schema > scenario.schema.json
  mesh-harness bench --json                measure the harness (release build, about a minute)
  RUST_LOG=mesh_actors=debug mesh-harness run a.json";

/// An in-process testnet for Mesh Security: chains, contracts and relayers as actors in
/// virtual time.
#[derive(Parser, Debug)]
#[command(name = "mesh-harness", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do (without one: `run`, which runs the built-in demo).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run scenario files or directories (the built-in demo when none is given).
    Run(RunArgs),
    /// Fuzz: one seeded random scenario of actions and faults per seed, invariants after every
    /// step; a seed that breaks one is confirmed, shrunk and written as a regression fixture.
    /// Exit 1 if any did. `fuzz merge` combines the shards' summaries.
    #[command(args_conflicts_with_subcommands = true)]
    Fuzz(FuzzArgs),
    /// List the scenarios in files or directories (default: fixtures/).
    List {
        /// Files or directories.
        paths: Vec<PathBuf>,
    },
    /// Re-run one written case (for example a fuzzer's regression) and report it.
    Replay {
        /// The scenario file.
        file: PathBuf,
        /// Run every contract from `DIR/<crate>.wasm`.
        #[arg(long, value_name = "DIR")]
        wasm: Option<PathBuf>,
        /// Whose contracts DIR holds: `mesh-harness` or `reference` (default: the one whose file
        /// names DIR holds; this project's without --wasm).
        #[arg(long, value_name = "NAME", value_parser = parse_implementation)]
        implementation: Option<Implementation>,
        /// Output options.
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Run a scenario twice with the same seed and compare traces and reports byte for byte.
    CheckDeterminism {
        /// The scenario file.
        file: PathBuf,
        /// Use this seed instead of the scenario's.
        #[arg(long)]
        seed: Option<u64>,
        /// Run every contract from `DIR/<crate>.wasm`.
        #[arg(long, value_name = "DIR")]
        wasm: Option<PathBuf>,
        /// Whose contracts DIR holds: `mesh-harness` or `reference` (default: the one whose file
        /// names DIR holds; this project's without --wasm).
        #[arg(long, value_name = "NAME", value_parser = parse_implementation)]
        implementation: Option<Implementation>,
    },
    /// Run cosmwasm-vm's static checks on `.wasm` files with the capabilities the chains grant
    /// (exports, imports, memory, limits) and compile them: what a chain does when the code is
    /// stored.
    CheckWasm {
        /// The `.wasm` files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the JSON Schema of scenario files.
    Schema,
    /// Measure the harness (use a release build): lifecycle, overhead over bare chains, time
    /// scaling, fuzz throughput, consumers × users scaling. Takes about a minute.
    Bench {
        /// Print one JSON object with the figures on stdout.
        #[arg(long)]
        json: bool,
        /// Only one part, for profiling: lifecycle, bare, unbonding, fuzz, users, scale or
        /// `scale:<consumers>x<users>` (the other figures are null).
        #[arg(long, hide = true, value_name = "PART")]
        only: Option<crate::bench::Part>,
        /// Run the lifecycle on the `.wasm` builds in DIR too (default: artifacts/ when it has
        /// them) and print the wasm/native ratio.
        #[arg(long, value_name = "DIR")]
        wasm: Option<PathBuf>,
    },
}

/// Arguments of `run`.
#[derive(Args, Debug, Default)]
pub struct RunArgs {
    /// Scenario files or directories (searched recursively for *.json).
    pub paths: Vec<PathBuf>,
    /// Use this seed instead of each scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run every contract from `DIR/<crate>.wasm` (as scripts/build-wasm.sh writes them) through
    /// cosmwasm-vm, with gas in the trace and the report; roles a scenario's `contracts`
    /// section sets keep what it says.
    #[arg(long, value_name = "DIR")]
    pub wasm: Option<PathBuf>,
    /// Whose contracts the `.wasm` files are: `mesh-harness` (this project's) or `reference`
    /// (osmosis-labs/mesh-security release binaries; needs --wasm). Default: the one whose file
    /// names --wasm DIR holds (this project's without --wasm). A scenario's `"implementation"`
    /// field wins over this.
    #[arg(long, value_name = "NAME", value_parser = parse_implementation)]
    pub implementation: Option<Implementation>,
    /// Run each scenario a second time with every contract native and show any difference
    /// from it apart from gas (exit 1 if there is one).
    #[arg(long)]
    pub compare_native: bool,
    /// The work budget of each run: it fails once its trace holds more events than this
    /// (default 1000000).
    #[arg(long, value_name = "N")]
    pub max_events: Option<usize>,
    /// Output options.
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Arguments of `fuzz`.
#[derive(Args, Debug)]
pub struct FuzzArgs {
    /// Seeds to run: `A..B` (B excluded) or one seed.
    #[arg(long, default_value = "0..100", value_parser = crate::fuzz::campaign::parse_seeds)]
    pub seeds: std::ops::Range<u64>,
    /// Random steps per scenario, at most 10000 (a tail that lifts the faults, settles and runs
    /// epochs comes on top; a case whose steps could take more simulated time than the 10000-day
    /// horizon gets fewer).
    #[arg(long, default_value = "50", value_parser = crate::fuzz::campaign::parse_steps)]
    pub steps: usize,
    /// Run only shard I of N (1-based): the seeds whose offset from A is I-1 modulo N, so a CI
    /// matrix can split one campaign. `auto` reads it from the environment:
    /// MESH_HARNESS_SHARD_INDEX (1 to N) and MESH_HARNESS_SHARD_COUNT, JOB_COMPLETION_INDEX
    /// (Kubernetes Indexed Job, from 0) with MESH_HARNESS_SHARD_COUNT, or GitLab's, CircleCI's
    /// or Buildkite's parallel-job variables.
    #[arg(long, default_value = "1/1", value_name = "I/N|auto")]
    pub shard: ShardArg,
    /// Where to write the shrunk failing cases.
    #[arg(long, default_value = "fixtures/regressions", value_name = "DIR")]
    pub out: PathBuf,
    /// Print one JSON object (the summary) on stdout, and no progress bar.
    #[arg(long)]
    pub json: bool,
    /// Write a JUnit XML report to this file: a failed test case per seed that broke an
    /// invariant.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// `merge`: combine shards' summaries.
    #[command(subcommand)]
    pub action: Option<FuzzAction>,
    /// Most runs spent shrinking one failing case.
    #[arg(long, default_value_t = 400, value_name = "RUNS")]
    pub shrink_budget: usize,
    /// Print the generated scenarios (JSON, one per line) instead of running them.
    #[arg(long)]
    pub print: bool,
    /// Fuzz the contracts in `DIR/<crate>.wasm` (each module is compiled once for the campaign).
    #[arg(long, value_name = "DIR")]
    pub wasm: Option<PathBuf>,
    /// Whose contracts the `.wasm` files are: `mesh-harness` (this project's) or `reference`
    /// (osmosis-labs/mesh-security release binaries; needs --wasm). Default: the one whose file
    /// names --wasm DIR holds (this project's without --wasm). A scenario's `"implementation"`
    /// field wins over this.
    #[arg(long, value_name = "NAME", value_parser = parse_implementation)]
    pub implementation: Option<Implementation>,
    /// Seeds run side by side (default: the machine's cores), each simulation on one thread;
    /// the summary, the regression files and their order are the same for any number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub jobs: Option<u32>,
}

/// Subcommands of `fuzz`.
#[derive(Subcommand, Debug)]
pub enum FuzzAction {
    /// Combine the `--json` summaries of a campaign's shards (every shard, once) into one:
    /// runs, steps, faults by kind, violations. Exit 1 if any shard found a violation, 2 if a
    /// summary is unreadable, malformed or missing.
    Merge(MergeArgs),
}

/// Arguments of `fuzz merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shards' summaries (`fuzz --shard I/N --json > FILE`).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print the merged summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Write a JUnit XML report of the whole campaign to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// Output options shared by `run` and `replay`.
#[derive(Args, Debug, Default)]
pub struct OutputArgs {
    /// Print one JSON object per scenario on stdout.
    #[arg(long)]
    pub json: bool,
    /// Write the trace (JSON lines) to this file.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Write a Mermaid sequence diagram of the cross-chain traffic to this file; a `.md` file
    /// (or several scenarios) gets Markdown with one `mermaid` fence per scenario.
    #[arg(long, value_name = "FILE")]
    pub timeline: Option<PathBuf>,
    /// Write a JUnit XML report to this file: one test case per scenario, a failed one with
    /// its failure line and step.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// A command's failure: exit code and message.
pub struct Exit {
    /// Process exit code.
    pub code: i32,
    /// One line for stderr (may be empty).
    pub message: String,
}

fn bad_input(message: impl Into<String>) -> Exit {
    Exit {
        code: 2,
        message: message.into(),
    }
}

/// Every `*.json` under `paths` (files as given, directories recursively, sorted).
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Exit> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out)?;
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = vec![];
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files)
                .map_err(|e| bad_input(format!("{}: cannot read: {e}", p.display())))?;
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

fn load_all(files: &[PathBuf]) -> Result<Vec<(String, Scenario)>, Exit> {
    files
        .iter()
        .map(|f| {
            scenario::load_file(f)
                .map(|s| (f.display().to_string(), s))
                .map_err(|e: ScenarioError| bad_input(e.to_string()))
        })
        .collect()
}

/// An I/O error's text without the " (os error N)" suffix.
fn io_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    match e.raw_os_error() {
        Some(code) => text
            .strip_suffix(&format!(" (os error {code})"))
            .unwrap_or(&text)
            .to_owned(),
        None => text,
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), Exit> {
    std::fs::write(path, text)
        .map_err(|e| bad_input(format!("{}: cannot write: {}", path.display(), io_text(&e))))
}

/// Makes sure an output file can be written, before anything runs (it is created empty).
fn check_output_file(path: &Path) -> Result<(), Exit> {
    std::fs::File::create(path)
        .map(|_| ())
        .map_err(|e| bad_input(format!("{}: cannot write: {}", path.display(), io_text(&e))))
}

/// Makes sure files can be written into an output directory, before anything runs, without
/// leaving anything behind: the directory, or its nearest existing ancestor, takes a probe.
pub fn check_output_dir(dir: &Path) -> Result<(), Exit> {
    let fail =
        |e: std::io::Error| bad_input(format!("{}: cannot write: {}", dir.display(), io_text(&e)));
    let mut existing = dir;
    while !existing.exists() {
        match existing.parent() {
            Some(p) if !p.as_os_str().is_empty() => existing = p,
            _ => {
                existing = Path::new(".");
                break;
            }
        }
    }
    if !existing.is_dir() {
        return Err(bad_input(format!(
            "{}: cannot write: {} is not a directory",
            dir.display(),
            existing.display()
        )));
    }
    let probe = existing.join(format!(".mesh-harness-write-check-{}", std::process::id()));
    std::fs::create_dir(&probe).map_err(fail)?;
    std::fs::remove_dir(&probe).map_err(fail)
}

fn trace_lines(outcome: &RunOutcome, with_name: bool) -> String {
    let mut out = String::new();
    for e in &outcome.trace {
        let mut v = serde_json::to_value(e).expect("events serialise");
        if with_name {
            if let Some(m) = v.as_object_mut() {
                m.insert("scenario".into(), outcome.name.clone().into());
            }
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

fn diagram(outcome: &RunOutcome, scenario: &Scenario) -> String {
    let consumers: Vec<String> = scenario
        .consumers
        .iter()
        .map(|c| c.chain_id.clone())
        .collect();
    timeline::mermaid(&outcome.trace, &scenario.provider.chain_id, &consumers)
}

/// The codes of `implementation` in `--wasm DIR` (its own file names); only this project's
/// contracts exist natively, so another implementation needs a directory. Without
/// `--implementation`, the directory's file names say whose contracts it holds (this project's
/// when both or neither fit).
fn codes_of(wasm: Option<&Path>, implementation: Option<Implementation>) -> Result<Codes, Exit> {
    let chosen = implementation.unwrap_or(Implementation::MeshHarness);
    match wasm {
        Some(dir) => Codes::from_wasm_dir_of(dir, chosen).or_else(|e| {
            let other = Implementation::ALL
                .into_iter()
                .filter(|i| *i != chosen)
                .find_map(|i| Codes::from_wasm_dir_of(dir, i).ok().map(|c| (i, c)));
            match (implementation, other) {
                (None, Some((_, codes))) => Ok(codes),
                (Some(_), Some((i, _))) => Err(bad_input(format!(
                    "{e} (the directory holds the {} contracts: use --implementation {})",
                    i.name(),
                    i.name()
                ))),
                (_, None) => Err(bad_input(e.to_string())),
            }
        }),
        None if chosen == Implementation::MeshHarness => Ok(Codes::default()),
        None => Err(bad_input(format!(
            "--implementation {}: its contracts run as wasm only; give --wasm DIR with its \
             .wasm files",
            chosen.name()
        ))),
    }
}

/// `--implementation NAME`.
fn parse_implementation(name: &str) -> Result<Implementation, String> {
    Implementation::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Implementation::ALL.iter().map(|i| i.name()).collect();
        format!(
            "unknown implementation {name:?}, expected one of: {}",
            names.join(", ")
        )
    })
}

/// The options for the scenario read from `origin`: its directory is where its `.wasm` paths
/// start; they are checked here, so a bad one is bad input (exit 2) naming the file.
fn options_for(origin: &str, scenario: &Scenario, opts: &RunOptions) -> Result<RunOptions, Exit> {
    let base = Path::new(origin)
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty() && Path::new(origin).is_file());
    let opts = RunOptions {
        base_dir: base,
        ..opts.clone()
    };
    let dir = opts.base_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    crate::topology::codes(scenario, &dir, &opts.codes)
        .map_err(|e| bad_input(format!("{origin}: {e}")))?;
    Ok(opts)
}

/// Whether an output file is Markdown (`.md` or `.markdown`): the timeline is then written as
/// a `mermaid` fenced block, which GitHub renders.
fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

fn run_and_print(
    runs: &[(String, Scenario)],
    opts: &RunOptions,
    out: &OutputArgs,
    demo: bool,
    compare_native: bool,
) -> Result<(), Exit> {
    for path in [&out.trace, &out.timeline, &out.junit]
        .into_iter()
        .flatten()
    {
        check_output_file(path)?;
    }
    let per_file: Vec<RunOptions> = runs
        .iter()
        .map(|(origin, scenario)| options_for(origin, scenario, opts))
        .collect::<Result<_, _>>()?;
    let mut outcomes = vec![];
    let mut times = vec![];
    let mut differing = 0;
    let stdout = std::io::stdout();
    for ((origin, scenario), opts) in runs.iter().zip(&per_file) {
        let started = std::time::Instant::now();
        let outcome = runner::run(scenario, opts);
        times.push(started.elapsed());
        let differences = compare_native.then(|| {
            let native = Scenario {
                contracts: Default::default(),
                ..scenario.clone()
            };
            let native_opts = RunOptions {
                codes: Codes::default(),
                ..opts.clone()
            };
            crate::equivalence::differences(&runner::run(&native, &native_opts), &outcome)
        });
        if differences.as_ref().is_some_and(|d| !d.is_empty()) {
            differing += 1;
        }
        let mut lock = stdout.lock();
        if out.json {
            let mut line = outcome.to_json();
            if let Some(d) = &differences {
                line["native_differences"] = serde_json::json!(d);
            }
            let _ = writeln!(lock, "{line}");
        } else if demo {
            let _ = writeln!(
                lock,
                "{}\n\nReport:\n{}\n\nTimeline (Mermaid):\n{}",
                scenario.name,
                serde_json::to_string_pretty(&outcome.report).unwrap_or_default(),
                diagram(&outcome, scenario)
            );
        }
        if !out.json {
            let simulated = outcome.trace.last().map(|e| e.t_ms).unwrap_or(0);
            let _ = match &outcome.failure {
                None => writeln!(
                    lock,
                    "PASS {} ({origin}; {} steps, {} simulated)",
                    outcome.name,
                    scenario.steps.len(),
                    format_duration_ms(simulated)
                ),
                Some(f) => writeln!(lock, "FAIL {} ({origin}): {f}", outcome.name),
            };
            match &differences {
                Some(d) if d.is_empty() => {
                    let _ = writeln!(
                        lock,
                        "SAME AS NATIVE {} (report, snapshots and trace identical apart from gas)",
                        outcome.name
                    );
                }
                Some(d) => {
                    let _ = writeln!(lock, "DIFFERS FROM NATIVE {}:", outcome.name);
                    for line in d {
                        let _ = writeln!(lock, "  {line}");
                    }
                }
                None => {}
            }
        }
        outcomes.push((outcome, scenario));
    }
    let many = outcomes.len() > 1;
    if let Some(path) = &out.trace {
        let text: String = outcomes.iter().map(|(o, _)| trace_lines(o, many)).collect();
        write_file(path, &text)?;
    }
    if let Some(path) = &out.timeline {
        let text = if many || is_markdown(path) {
            outcomes
                .iter()
                .map(|(o, s)| timeline::markdown(&o.name, &diagram(o, s)))
                .collect()
        } else {
            outcomes
                .first()
                .map(|(o, s)| diagram(o, s))
                .unwrap_or_default()
        };
        write_file(path, &text)?;
    }
    if let Some(path) = &out.junit {
        let results: Vec<junit::ScenarioRun> = runs
            .iter()
            .zip(&outcomes)
            .zip(&times)
            .map(
                |(((origin, scenario), (outcome, _)), time)| junit::ScenarioRun {
                    origin,
                    scenario,
                    outcome,
                    time: *time,
                },
            )
            .collect();
        write_file(path, &junit::run_report(&results))?;
    }
    let failed = outcomes.iter().filter(|(o, _)| !o.passed).count();
    if !out.json && many {
        println!("{} passed, {} failed", outcomes.len() - failed, failed);
    }
    if !out.json && compare_native {
        println!(
            "native comparison: {} same, {} different",
            outcomes.len() - differing,
            differing
        );
    }
    if failed > 0 || differing > 0 {
        return Err(Exit {
            code: 1,
            message: String::new(),
        });
    }
    Ok(())
}

/// `mesh-harness fuzz`: run the campaign with a progress bar on a terminal, print the summary.
fn fuzz(args: FuzzArgs) -> Result<(), Exit> {
    use crate::fuzz::campaign::{self, Campaign, Event};
    use std::io::IsTerminal;
    if let Some(FuzzAction::Merge(merge_args)) = args.action {
        return fuzz_merge(merge_args);
    }
    let codes = codes_of(args.wasm.as_deref(), args.implementation)?;
    let (shard, shard_source) = shard_env::resolve(args.shard).map_err(bad_input)?;
    if let Some(var) = shard_source {
        eprintln!("fuzz: shard {shard} (from {var})");
    }
    let c = Campaign {
        seeds: args.seeds,
        steps: args.steps,
        shard,
        out: Some(args.out),
        shrink_budget: args.shrink_budget,
        codes,
        jobs: args
            .jobs
            .map_or_else(crate::fuzz::parallel::default_jobs, |n| n as usize),
        ..Campaign::default()
    };
    if args.print {
        for seed in c.shard_seeds() {
            let case = crate::fuzz::generate(seed, c.steps);
            let scenario = crate::fuzz::replayable(&case.scenario(), &c.codes);
            println!(
                "{}",
                serde_json::to_string(&scenario).expect("scenarios serialise")
            );
        }
        return Ok(());
    }
    if let Some(dir) = &c.out {
        check_output_dir(dir)?;
    }
    if let Some(path) = &args.junit {
        check_output_file(path)?;
    }
    let total = c.shard_seeds().count() as u64;
    let bar = (!args.json && std::io::stdout().is_terminal() && std::io::stderr().is_terminal())
        .then(|| {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} seeds {per_sec} eta {eta} {msg}",
                )
                .expect("a valid template"),
            );
            bar
        });
    let mut found = 0;
    let summary = campaign::run(&c, |event| match event {
        Event::Ran { .. } => {
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        }
        Event::Shrinking { seed } => {
            if let Some(bar) = &bar {
                bar.set_message(format!("shrinking seed {seed}"));
            }
        }
        Event::Found(f) => {
            found += 1;
            let line = format!("VIOLATION {}", f.line());
            match &bar {
                Some(bar) => {
                    bar.println(line);
                    bar.set_message(format!("{found} violations"));
                }
                None if !args.json => eprintln!("{line}"),
                None => {}
            }
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let file = SummaryFile::new(&c, &summary);
    if let Some(path) = &args.junit {
        let results = junit::FuzzResults::shard(&file, summary.elapsed, summary.text());
        write_file(path, &junit::fuzz_report(&results))?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&file).expect("a summary serialises")
        );
    } else {
        println!(
            "fuzz: seeds {}..{} shard {}, {} steps each",
            c.seeds.start, c.seeds.end, c.shard, c.steps
        );
        print!("{}", summary.text());
    }
    if let Some(e) = summary.findings.iter().find_map(|f| f.write_error.clone()) {
        return Err(bad_input(e));
    }
    if summary.passed() {
        Ok(())
    } else {
        Err(Exit {
            code: 1,
            message: String::new(),
        })
    }
}

/// `mesh-harness fuzz merge`: read every shard's summary, check they make one campaign, print
/// the merged summary.
fn fuzz_merge(args: MergeArgs) -> Result<(), Exit> {
    if let Some(path) = &args.junit {
        check_output_file(path)?;
    }
    let mut inputs = vec![];
    for file in &args.files {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(file)
            .map_err(|e| bad_input(format!("{name}: cannot read: {}", io_text(&e))))?;
        inputs.push((name.clone(), merge::read(&name, &text).map_err(bad_input)?));
    }
    let merged = merge::merge(&inputs).map_err(bad_input)?;
    if let Some(path) = &args.junit {
        write_file(
            path,
            &junit::fuzz_report(&junit::FuzzResults::merged(&merged)),
        )?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&merged).expect("a summary serialises")
        );
    } else {
        print!("{}", merged.text());
    }
    if merged.passed() {
        Ok(())
    } else {
        Err(Exit {
            code: 1,
            message: String::new(),
        })
    }
}

/// Run a parsed command line.
pub fn execute(cli: Cli) -> Result<(), Exit> {
    let command = cli
        .command
        .unwrap_or_else(|| Command::Run(RunArgs::default()));
    match command {
        Command::Run(args) => {
            let opts = RunOptions {
                seed: args.seed,
                codes: codes_of(args.wasm.as_deref(), args.implementation)?,
                max_events: Some(args.max_events.unwrap_or(runner::DEFAULT_MAX_EVENTS)),
                ..Default::default()
            };
            let compare = args.compare_native;
            if args.paths.is_empty() {
                let demo = scenario::parse_str(DEMO, "built-in demo")
                    .map_err(|e| bad_input(e.to_string()))?;
                let runs = [("built-in demo".into(), demo)];
                return run_and_print(&runs, &opts, &args.out, true, compare);
            }
            let files = collect_files(&args.paths)?;
            if files.is_empty() {
                return Err(bad_input(
                    "no scenario files (*.json) found in the given paths",
                ));
            }
            let runs = load_all(&files)?;
            run_and_print(&runs, &opts, &args.out, false, compare)
        }
        Command::Fuzz(args) => fuzz(args),
        Command::Replay {
            file,
            wasm,
            implementation,
            out,
        } => {
            let runs = load_all(&[file])?;
            let opts = RunOptions {
                codes: codes_of(wasm.as_deref(), implementation)?,
                max_events: Some(runner::DEFAULT_MAX_EVENTS),
                ..Default::default()
            };
            run_and_print(&runs, &opts, &out, false, false)
        }
        Command::List { paths } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from("fixtures")]
            } else {
                paths
            };
            let runs = load_all(&collect_files(&paths)?)?;
            for (origin, s) in runs {
                println!("{origin}\t{}\t{} steps", s.name, s.steps.len());
            }
            Ok(())
        }
        Command::CheckDeterminism {
            file,
            seed,
            wasm,
            implementation,
        } => {
            let runs = load_all(&[file])?;
            let (origin, scenario) = &runs[0];
            let opts = RunOptions {
                seed,
                codes: codes_of(wasm.as_deref(), implementation)?,
                max_events: Some(runner::DEFAULT_MAX_EVENTS),
                ..Default::default()
            };
            let opts = options_for(origin, scenario, &opts)?;
            let a = runner::run(scenario, &opts);
            let b = runner::run(scenario, &opts);
            let (ta, tb) = (trace_lines(&a, false), trace_lines(&b, false));
            if ta != tb {
                let line = ta
                    .lines()
                    .zip(tb.lines())
                    .position(|(x, y)| x != y)
                    .unwrap_or(ta.lines().count().min(tb.lines().count()));
                return Err(Exit {
                    code: 1,
                    message: format!(
                        "{origin}: NOT deterministic: the traces differ at event {line}"
                    ),
                });
            }
            if a.report != b.report {
                return Err(Exit {
                    code: 1,
                    message: format!("{origin}: NOT deterministic: the final reports differ"),
                });
            }
            println!(
                "{origin}: deterministic ({} events, identical traces and reports)",
                a.trace.len()
            );
            Ok(())
        }
        Command::CheckWasm { files } => check_wasm(&files),
        Command::Schema => {
            println!("{}", scenario::schema_json());
            Ok(())
        }
        Command::Bench { json, only, wasm } => {
            let default_dir = PathBuf::from("artifacts");
            let wasm = wasm.or_else(|| {
                mesh_actors::wasm::artefact_path(&default_dir, "mesh-vault")
                    .is_file()
                    .then_some(default_dir)
            });
            let cfg = crate::bench::BenchConfig {
                only,
                wasm,
                ..crate::bench::BenchConfig::full()
            };
            if let Some(warning) = crate::bench::backtrace_warning() {
                eprintln!("bench: warning: {warning}");
            }
            let report =
                crate::bench::run(&cfg, &mut |part| eprintln!("bench: {part}")).map_err(|e| {
                    Exit {
                        code: 1,
                        message: format!("bench failed: {e}"),
                    }
                })?;
            if json {
                println!("{}", crate::bench::to_json(&report));
            } else {
                print!("{}", crate::bench::table(&report));
            }
            Ok(())
        }
    }
}

/// `mesh-harness check-wasm`: cosmwasm-vm's static checks and a compilation of each file; one
/// line per file.
fn check_wasm(files: &[PathBuf]) -> Result<(), Exit> {
    let mut bad = 0;
    for file in files {
        let name = file.display();
        match std::fs::read(file) {
            Err(e) => {
                bad += 1;
                eprintln!("{name}: cannot read: {e}");
            }
            // The static checks, then a compilation, as cosmwasm-check does.
            Ok(wasm) => match mesh_actors::wasm::WasmCode::from_bytes(&name.to_string(), &wasm) {
                Ok(code) => println!(
                    "{name}: ok ({} bytes, checksum {})",
                    code.size(),
                    code.checksum()
                ),
                Err(e) => {
                    bad += 1;
                    eprintln!("{e}");
                }
            },
        }
    }
    println!(
        "check-wasm: {} passed, {bad} failed (capabilities: {})",
        files.len() - bad,
        mesh_actors::wasm::CAPABILITIES
    );
    if bad > 0 {
        Err(Exit {
            code: 2,
            message: String::new(),
        })
    } else {
        Ok(())
    }
}
