//! Benchmarks (`mesh-harness bench`): wall-clock figures of the harness in one run, each the
//! median of several repetitions (see `BENCHMARKS.md` for a recorded run and its profile).
//!
//! - [`lifecycle`]: the demo's lifecycle for one consumer through the actors (`lifecycle_ms`),
//!   and the part spanning the unbonding period with 1 and 21 days (`unbonding_1d_ms`,
//!   `unbonding_21d_ms`, `time_scaling_ratio`).
//! - [`bare`]: the same contract calls on bare chains with packets handed over by hand
//!   (`bare_ms`, `overhead_ratio`).
//! - [`fuzz`]: fuzz scenarios of 50 steps with faults per minute on one core (`fuzz_per_min`),
//!   what one costs in bare lifecycles (`fuzz_cost_ratio`), and per minute on every core
//!   (`fuzz_per_min_jobs`, `fuzz_jobs_ratio`).
//! - [`scale`]: consumers × users, every user staking on every consumer and unstaking.
//! - [`users`]: one consumer and 100 to 10,000 users through the scenario runner
//!   (`users_scale`).
//! - The lifecycle again with every contract as wasm (`wasm_lifecycle_ms`, `wasm_ratio` =
//!   wasm / native), when a directory of `.wasm` builds is given.
//!
//! Wall time is measured with `std::time::Instant` here only; the harness itself never reads the
//! clock.

pub mod bare;
pub mod fuzz;
pub mod lifecycle;
pub mod rss;
pub mod scale;
pub mod users;

use serde::Serialize;
use std::collections::BTreeMap;

pub use scale::ScaleCase;
pub use users::UsersCase;

/// Goals of the issue (release build, 2-core machine).
pub mod goals {
    /// `lifecycle_ms` at most.
    pub const LIFECYCLE_MS: f64 = 5.0;
    /// `overhead_ratio` at most.
    pub const OVERHEAD_RATIO: f64 = 1.3;
    /// `time_scaling_ratio` at most.
    pub const TIME_SCALING_RATIO: f64 = 1.2;
    /// `fuzz_per_min` at least.
    pub const FUZZ_PER_MIN: f64 = 10_000.0;
    /// The largest scale case (20 consumers × 1000 users) under this many ms.
    pub const LARGEST_SCALE_MS: f64 = 10_000.0;
    /// `wasm_ratio` (the lifecycle on wasm over the native one) at most.
    pub const WASM_RATIO: f64 = 15.0;
    /// The cost per user with the most users of `users_scale` over that with the fewest, at
    /// most.
    pub const USERS_PER_USER_RATIO: f64 = 1.5;
    /// `fuzz_cost_ratio` (a 50-step fuzz scenario in bare lifecycles) at most.
    pub const FUZZ_COST_RATIO: f64 = 4.0;
    /// `fuzz_jobs_ratio` (fuzz scenarios per minute on every core over one) at least.
    pub const FUZZ_JOBS_RATIO: f64 = 1.8;
    /// The cost per (consumer, user) pair of 20 × 1000 over that of 20 × 100, at most.
    pub const SCALE_PAIR_RATIO: f64 = 1.3;
}

/// The parts of the bench.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Lifecycle through the actors (and the scenario runner's figure).
    Lifecycle,
    /// The same calls on bare chains.
    Bare,
    /// The unbonding part with 1 and 21 days.
    Unbonding,
    /// Fuzz scenarios per minute (one core and every core).
    Fuzz,
    /// One consumer and many users through the runner (`users_scale`), or only that many.
    Users(Option<usize>),
    /// Every scale case, or only `consumers × users`.
    Scale(Option<(usize, usize)>),
}

impl std::str::FromStr for Part {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "lifecycle" => Ok(Part::Lifecycle),
            "bare" => Ok(Part::Bare),
            "unbonding" => Ok(Part::Unbonding),
            "fuzz" => Ok(Part::Fuzz),
            "users" => Ok(Part::Users(None)),
            "scale" => Ok(Part::Scale(None)),
            _ => {
                // Counts of at least one (a case without users or consumers measures nothing).
                let count = |n: &str| n.parse::<usize>().ok().filter(|&n| n > 0);
                let case = s.strip_prefix("scale:").and_then(|c| {
                    let (a, b) = c.split_once('x')?;
                    Some(Part::Scale(Some((count(a)?, count(b)?))))
                });
                let users = s
                    .strip_prefix("users:")
                    .and_then(|n| Some(Part::Users(Some(count(n)?))));
                case.or(users).ok_or_else(|| {
                    format!(
                        "unknown part {s:?}: lifecycle, bare, unbonding, fuzz, users, users:<users>, scale or scale:<consumers>x<users> (counts of 1 or more)"
                    )
                })
            }
        }
    }
}

/// What to measure and how often.
#[derive(Clone, Debug)]
pub struct BenchConfig {
    /// Repetitions of the lifecycle, bare and unbonding runs (after one warm-up run each).
    pub reps: usize,
    /// Repetitions of the lifecycle through the scenario runner (0: skip it).
    pub runner_reps: usize,
    /// Fuzz: scenarios (seeds) per measured batch.
    pub fuzz_scenarios: usize,
    /// Fuzz: measured batches.
    pub fuzz_reps: usize,
    /// Scale cases (consumers, users), run from small to large.
    pub scale: Vec<(usize, usize)>,
    /// Repetitions of each scale case.
    pub scale_reps: usize,
    /// Only this part (profiling); every part when `None`.
    pub only: Option<Part>,
    /// The `.wasm` builds to run the lifecycle on too (`wasm_lifecycle_ms`); none: not measured.
    pub wasm: Option<std::path::PathBuf>,
    /// `users_scale`: the user counts, run from few to many.
    pub users: Vec<usize>,
    /// Repetitions of each user count below [`USERS_ONE_REP_FROM`] (one above).
    pub users_reps: usize,
    /// Threads for `fuzz_per_min_jobs` (the machine's cores by default).
    pub jobs: usize,
}

/// User counts from which `users_scale` runs once (they take seconds each).
pub const USERS_ONE_REP_FROM: usize = 5_000;

impl BenchConfig {
    /// The issue's bench: a few minutes in release on a 2-core machine.
    pub fn full() -> Self {
        let mut scale = vec![];
        for consumers in [1, 5, 20] {
            for users in [10, 100, 1000] {
                scale.push((consumers, users));
            }
        }
        scale.sort_by_key(|&(c, u)| c * u);
        BenchConfig {
            reps: 21,
            runner_reps: 11,
            fuzz_scenarios: 200,
            fuzz_reps: 5,
            scale,
            scale_reps: 5,
            only: None,
            wasm: None,
            users: vec![100, 1_000, 10_000],
            users_reps: 7,
            jobs: crate::fuzz::parallel::default_jobs(),
        }
    }

    /// A tiny configuration for tests: every part once, the smallest scale case.
    pub fn tiny() -> Self {
        BenchConfig {
            reps: 1,
            runner_reps: 1,
            fuzz_scenarios: 2,
            fuzz_reps: 1,
            scale: vec![(1, 10)],
            scale_reps: 1,
            only: None,
            wasm: None,
            users: vec![3],
            users_reps: 1,
            jobs: 2,
        }
    }

    fn wants(&self, part: Part) -> bool {
        match (self.only, part) {
            (None, _) => true,
            (Some(Part::Scale(_)), Part::Scale(_)) => true,
            (Some(Part::Users(_)), Part::Users(_)) => true,
            (Some(only), part) => only == part,
        }
    }

    fn scale_cases(&self) -> Vec<(usize, usize)> {
        match self.only {
            Some(Part::Scale(Some(case))) => vec![case],
            _ => self.scale.clone(),
        }
    }

    fn user_counts(&self) -> Vec<usize> {
        match self.only {
            Some(Part::Users(Some(users))) => vec![users],
            _ => self.users.clone(),
        }
    }
}

/// The `--json` object: exactly the issue's keys (`null` for a part not measured).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BenchReport {
    /// The demo's lifecycle for one consumer through the actors, ms.
    pub lifecycle_ms: Option<f64>,
    /// The same calls on bare chains, ms.
    pub bare_ms: Option<f64>,
    /// `lifecycle_ms / bare_ms`.
    pub overhead_ratio: Option<f64>,
    /// The unbonding part of the lifecycle with 1-day periods, ms.
    pub unbonding_1d_ms: Option<f64>,
    /// The unbonding part of the lifecycle with 21-day periods, ms.
    pub unbonding_21d_ms: Option<f64>,
    /// `unbonding_21d_ms / unbonding_1d_ms`.
    pub time_scaling_ratio: Option<f64>,
    /// 50-step fuzz scenarios with faults per minute on one core.
    pub fuzz_per_min: Option<f64>,
    /// Consumers × users cases.
    pub scale: Vec<ScaleCase>,
    /// The lifecycle with every contract as wasm (cosmwasm-vm), ms.
    pub wasm_lifecycle_ms: Option<f64>,
    /// `wasm_lifecycle_ms` over the native lifecycle measured interleaved with it.
    pub wasm_ratio: Option<f64>,
    /// One consumer and N users through the scenario runner, every invariant checked.
    pub users_scale: Vec<UsersCase>,
    /// What a 50-step fuzz scenario costs in bare lifecycles: `60,000 / fuzz_per_min / bare`,
    /// with `bare` the bare lifecycle measured between the fuzz rounds (same load).
    pub fuzz_cost_ratio: Option<f64>,
    /// 50-step fuzz scenarios per minute with `fuzz --jobs` on every core.
    pub fuzz_per_min_jobs: Option<f64>,
    /// `fuzz_per_min_jobs / fuzz_per_min`.
    pub fuzz_jobs_ratio: Option<f64>,
    /// Figures printed in the table but not part of the JSON object.
    #[serde(skip)]
    pub extra: Extra,
}

/// Figures beside the issue's (human output only).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extra {
    /// Repetitions behind the lifecycle figures.
    pub reps: usize,
    /// Repetitions of each scale case.
    pub scale_reps: usize,
    /// Fuzz batches.
    pub fuzz_reps: usize,
    /// The lifecycle through the scenario runner (invariants and reports after every step), ms.
    pub runner_ms: Option<f64>,
    /// The unbonding part on bare chains (21 days), ms.
    pub bare_unbonding_ms: Option<f64>,
    /// Fuzz scenarios behind `fuzz_per_min`, and whether the fuzzer ran on this build.
    pub fuzz_note: Option<String>,
    /// Where the wasm figures come from, or why they are missing.
    pub wasm_note: Option<String>,
    /// Threads behind `fuzz_per_min_jobs`.
    pub jobs: usize,
    /// The bare lifecycle (median, ms) run between the fuzz rounds: `fuzz_cost_ratio`'s unit.
    pub fuzz_bare_ms: Option<f64>,
}

/// Bare lifecycles run before each round of fuzz batches (see [`Extra::fuzz_bare_ms`]).
const BARE_BETWEEN_FUZZ_ROUNDS: usize = 11;

/// The median (the mean of the two middle values for an even count); `None` when empty.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Round to 3 decimals (µs resolution for ms figures).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(round3(a / b)),
        _ => None,
    }
}

fn med(values: Vec<f64>) -> Option<f64> {
    median(values).map(round3)
}

/// Run `case` on a thread of its own and wait for it: every simulation of the scale, users and
/// fuzz parts starts on a fresh thread (as a test or a `fuzz --jobs 1` process would), not next
/// to the heap the cases before it left on the bench's thread (the 10,000-user case's slowed
/// what ran after it by up to three fifths).
fn on_fresh_thread<T: Send>(case: impl FnOnce() -> Result<T, String> + Send) -> Result<T, String> {
    std::thread::scope(|s| {
        s.spawn(case)
            .join()
            .unwrap_or_else(|_| Err("a measured case panicked".to_string()))
    })
}

/// Run the bench; `progress` gets one line per part (for stderr).
pub fn run(cfg: &BenchConfig, progress: &mut dyn FnMut(&str)) -> Result<BenchReport, String> {
    let mut report = BenchReport::default();
    report.extra.reps = cfg.reps;
    report.extra.scale_reps = cfg.scale_reps;
    report.extra.fuzz_reps = cfg.fuzz_reps;
    let day = lifecycle::DAY_SECS;
    let (spec21, spec1) = (lifecycle::spec(21 * day), lifecycle::spec(day));
    let (lc, bare, unb) = (
        cfg.wants(Part::Lifecycle),
        cfg.wants(Part::Bare),
        cfg.wants(Part::Unbonding),
    );
    if lc || bare || unb {
        progress("lifecycle, bare chains and unbonding");
        // Warm-up (caches, allocator), not counted.
        lifecycle::through_actors(&spec21, 21 * day)?;
        bare::run(&spec21, 21 * day)?;
        let (mut actors21, mut actors1, mut bare21) = (vec![], vec![], vec![]);
        // Interleaved, so a slow phase of the machine hits every figure alike.
        for _ in 0..cfg.reps {
            if lc || unb {
                actors21.push(lifecycle::through_actors(&spec21, 21 * day)?);
            }
            if unb {
                actors1.push(lifecycle::through_actors(&spec1, day)?);
            }
            if bare {
                bare21.push(bare::run(&spec21, 21 * day)?);
            }
        }
        let total = |v: &[lifecycle::LifecycleTimes]| med(v.iter().map(|t| t.total_ms).collect());
        let unbonding =
            |v: &[lifecycle::LifecycleTimes]| med(v.iter().map(|t| t.unbonding_ms).collect());
        if lc {
            report.lifecycle_ms = total(&actors21);
        }
        if bare {
            report.bare_ms = total(&bare21);
            report.extra.bare_unbonding_ms = unbonding(&bare21);
        }
        report.overhead_ratio = ratio(report.lifecycle_ms, report.bare_ms);
        if unb {
            report.unbonding_21d_ms = unbonding(&actors21);
            report.unbonding_1d_ms = unbonding(&actors1);
            report.time_scaling_ratio = ratio(report.unbonding_21d_ms, report.unbonding_1d_ms);
        }
    }
    if lc && cfg.runner_reps > 0 {
        progress("lifecycle through the scenario runner");
        let scenario = lifecycle::scenario();
        let mut times = vec![];
        for _ in 0..cfg.runner_reps {
            times.push(lifecycle::through_runner(&scenario)?);
        }
        report.extra.runner_ms = med(times);
    }
    if cfg.wants(Part::Fuzz) {
        let jobs = cfg.jobs.max(1);
        progress(&format!(
            "fuzz scenarios per minute (one thread and {jobs}, batches interleaved)"
        ));
        // Bare lifecycles between the fuzz rounds: the cost ratio divides figures taken under
        // the same load (the machine's speed moves by a third within a minute on a shared host).
        // They run on a fresh thread, as the fuzz batches do, and this part runs before the
        // scale and users parts: after those (hundreds of MB allocated and given back) the
        // bare lifecycles between the rounds ran up to two thirds slower than at the start,
        // even on a fresh thread, which made the ratio look better than it is.
        let mut bare_between = vec![];
        let between = || -> Result<(), String> {
            let spec = &spec21;
            let runs = on_fresh_thread(|| {
                (0..BARE_BETWEEN_FUZZ_ROUNDS)
                    .map(|_| bare::run(spec, 21 * day).map(|t| t.total_ms))
                    .collect::<Result<Vec<f64>, String>>()
            })?;
            bare_between.extend(runs);
            Ok(())
        };
        let mut measured =
            fuzz::per_minute(cfg.fuzz_scenarios, cfg.fuzz_reps, &[1, jobs], between)?;
        let on_jobs = measured.pop().expect("two measurements");
        let one = measured.pop().expect("two measurements");
        report.fuzz_per_min = one.per_min.map(|x| x.round());
        report.extra.fuzz_note = Some(one.note);
        report.extra.fuzz_bare_ms = median(bare_between).map(round3);
        report.fuzz_cost_ratio = match (report.fuzz_per_min, report.extra.fuzz_bare_ms) {
            (Some(per_min), Some(bare)) if per_min > 0.0 && bare > 0.0 => {
                Some(round3(60_000.0 / per_min / bare))
            }
            _ => None,
        };
        report.fuzz_per_min_jobs = on_jobs.per_min.map(|x| x.round());
        report.fuzz_jobs_ratio = ratio(report.fuzz_per_min_jobs, report.fuzz_per_min);
        report.extra.jobs = jobs;
    }
    if cfg.wants(Part::Scale(None)) {
        let cases = cfg.scale_cases();
        let mut runs: Vec<Vec<ScaleCase>> = vec![vec![]; cases.len()];
        // Round after round of every case, so a slow phase of the machine hits every case alike
        // (the pair ratio divides the largest case by a small one).
        for rep in 0..cfg.scale_reps {
            progress(&format!(
                "scale: round {} of {} over {} cases",
                rep + 1,
                cfg.scale_reps,
                cases.len()
            ));
            for (i, &(consumers, users)) in cases.iter().enumerate() {
                runs[i].push(on_fresh_thread(|| scale::run_case(consumers, users))?);
            }
        }
        for (&(consumers, users), runs) in cases.iter().zip(runs) {
            // Peak memory from the first round only: it runs the cases from small to large, so
            // memory the allocator kept from a larger case does not count for a smaller one.
            let rss = runs.first().and_then(|r| r.peak_rss_mb);
            report.scale.push(ScaleCase {
                consumers,
                users,
                ms: med(runs.iter().map(|r| r.ms).collect()).unwrap_or_default(),
                peak_rss_mb: rss.map(|m| (m * 10.0).round() / 10.0),
            });
        }
    }
    if cfg.wants(Part::Users(None)) {
        let counts = cfg.user_counts();
        let (big, small): (Vec<usize>, Vec<usize>) =
            counts.iter().partition(|&&u| u >= USERS_ONE_REP_FROM);
        let reps = cfg.users_reps.max(1);
        let mut runs: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
        // The small counts' runs surround the large ones' single run (half before, half
        // after), so the per-user ratio divides figures taken under the same load.
        for rep in 0..reps {
            if rep == reps / 2 {
                for &users in &big {
                    progress(&format!(
                        "users: one consumer × {users} users through the runner"
                    ));
                    let ms = on_fresh_thread(|| users::run_case(users))?.ms;
                    runs.entry(users).or_default().push(ms);
                }
            }
            if !small.is_empty() {
                progress(&format!(
                    "users: {small:?} users through the runner, round {} of {reps}",
                    rep + 1
                ));
            }
            for &users in &small {
                let ms = on_fresh_thread(|| users::run_case(users))?.ms;
                runs.entry(users).or_default().push(ms);
            }
        }
        for users in counts {
            let ms = med(runs.remove(&users).unwrap_or_default()).unwrap_or_default();
            report.users_scale.push(UsersCase {
                users,
                ms,
                us_per_user: round3(ms * 1000.0 / users as f64),
            });
        }
    }
    if lc {
        wasm_lifecycle(cfg, &spec21, &mut report, progress)?;
    }
    Ok(report)
}

/// The lifecycle with every contract as wasm, interleaved with native runs for the ratio. It
/// runs last: the compiled modules stay resident, which would inflate the scale cases' memory.
fn wasm_lifecycle(
    cfg: &BenchConfig,
    spec21: &mesh_actors::testnet::TopologySpec,
    report: &mut BenchReport,
    progress: &mut dyn FnMut(&str),
) -> Result<(), String> {
    let Some(dir) = &cfg.wasm else {
        report.extra.wasm_note = Some(
            "wasm: not measured (no artefacts: scripts/build-wasm.sh, or bench --wasm DIR)".into(),
        );
        return Ok(());
    };
    progress("the lifecycle with every contract as wasm");
    let codes = mesh_actors::contracts::Codes::from_wasm_dir(dir).map_err(|e| e.to_string())?;
    let wasm = mesh_actors::testnet::TopologySpec {
        codes,
        ..spec21.clone()
    };
    let secs = 21 * lifecycle::DAY_SECS;
    lifecycle::through_actors(&wasm, secs)?;
    let (mut native_runs, mut wasm_runs) = (vec![], vec![]);
    for _ in 0..cfg.reps {
        // A native run right after a wasm one starts on caches the wasm run filled (compiled
        // modules, linear memories) and ran about 1.6 times slower than alone, which made the
        // ratio look better than it is: one native run to warm them again, not counted.
        lifecycle::through_actors(spec21, secs)?;
        native_runs.push(lifecycle::through_actors(spec21, secs)?.total_ms);
        wasm_runs.push(lifecycle::through_actors(&wasm, secs)?.total_ms);
    }
    report.wasm_lifecycle_ms = med(wasm_runs);
    report.wasm_ratio = ratio(report.wasm_lifecycle_ms, med(native_runs));
    report.extra.wasm_note = Some(format!(
        "wasm: the modules in {} (the ratio is over native runs interleaved with them, each after an uncounted native run)",
        dir.display()
    ));
    Ok(())
}

fn show(x: Option<f64>, unit: &str) -> String {
    match x {
        Some(x) if x >= 100.0 => format!("{x:.0}{unit}"),
        Some(x) => format!("{x:.2}{unit}"),
        None => "-".into(),
    }
}

fn verdict(x: Option<f64>, ok: impl Fn(f64) -> bool) -> &'static str {
    match x {
        Some(x) if ok(x) => "met",
        Some(_) => "MISSED",
        None => "",
    }
}

/// The human-readable table.
pub fn table(r: &BenchReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let build = if cfg!(debug_assertions) {
        "DEBUG build: not representative, use --release"
    } else {
        "release build"
    };
    let _ = writeln!(
        out,
        "mesh-harness bench ({build}; medians of {} lifecycle runs, {} fuzz batches, {} runs \
         of each scale case)\n",
        r.extra.reps, r.extra.fuzz_reps, r.extra.scale_reps
    );
    let _ = writeln!(
        out,
        "{:<20} {:>12}  {:<12} verdict",
        "figure", "value", "goal"
    );
    let rows: Vec<(&str, Option<f64>, &str, String, &str)> = vec![
        (
            "lifecycle_ms",
            r.lifecycle_ms,
            " ms",
            format!("≤ {}", goals::LIFECYCLE_MS),
            verdict(r.lifecycle_ms, |x| x <= goals::LIFECYCLE_MS),
        ),
        ("bare_ms", r.bare_ms, " ms", String::new(), ""),
        (
            "overhead_ratio",
            r.overhead_ratio,
            "",
            format!("≤ {}", goals::OVERHEAD_RATIO),
            verdict(r.overhead_ratio, |x| x <= goals::OVERHEAD_RATIO),
        ),
        (
            "unbonding_1d_ms",
            r.unbonding_1d_ms,
            " ms",
            String::new(),
            "",
        ),
        (
            "unbonding_21d_ms",
            r.unbonding_21d_ms,
            " ms",
            String::new(),
            "",
        ),
        (
            "time_scaling_ratio",
            r.time_scaling_ratio,
            "",
            format!("≤ {}", goals::TIME_SCALING_RATIO),
            verdict(r.time_scaling_ratio, |x| x <= goals::TIME_SCALING_RATIO),
        ),
        (
            "fuzz_per_min",
            r.fuzz_per_min,
            "",
            format!("≥ {}", goals::FUZZ_PER_MIN),
            verdict(r.fuzz_per_min, |x| x >= goals::FUZZ_PER_MIN),
        ),
        (
            "fuzz_cost_ratio",
            r.fuzz_cost_ratio,
            "",
            format!("≤ {}", goals::FUZZ_COST_RATIO),
            verdict(r.fuzz_cost_ratio, |x| x <= goals::FUZZ_COST_RATIO),
        ),
        (
            "fuzz_per_min_jobs",
            r.fuzz_per_min_jobs,
            "",
            String::new(),
            "",
        ),
        (
            "fuzz_jobs_ratio",
            r.fuzz_jobs_ratio,
            "",
            format!("≥ {}", goals::FUZZ_JOBS_RATIO),
            verdict(r.fuzz_jobs_ratio, |x| x >= goals::FUZZ_JOBS_RATIO),
        ),
        (
            "wasm_lifecycle_ms",
            r.wasm_lifecycle_ms,
            " ms",
            String::new(),
            "",
        ),
        (
            "wasm_ratio",
            r.wasm_ratio,
            "",
            format!("≤ {}", goals::WASM_RATIO),
            verdict(r.wasm_ratio, |x| x <= goals::WASM_RATIO),
        ),
    ];
    for (name, value, unit, goal, v) in rows {
        let _ = writeln!(out, "{name:<20} {:>12}  {goal:<12} {v}", show(value, unit));
    }
    if let Some(ms) = r.extra.runner_ms {
        let _ = writeln!(
            out,
            "\nthe lifecycle through the scenario runner (invariants and reports after every step): {}",
            show(Some(ms), " ms")
        );
    }
    if let Some(ms) = r.extra.bare_unbonding_ms {
        let _ = writeln!(
            out,
            "the unbonding part (21 days) on bare chains: {}",
            show(Some(ms), " ms")
        );
    }
    if let Some(note) = &r.extra.fuzz_note {
        let _ = writeln!(out, "fuzz: {note}");
    }
    if let Some(bare) = r.extra.fuzz_bare_ms {
        let _ = writeln!(
            out,
            "fuzz_cost_ratio: over the bare lifecycle run between the fuzz rounds, {bare:.2} ms \
             (median of {} runs)",
            BARE_BETWEEN_FUZZ_ROUNDS * r.extra.fuzz_reps
        );
    }
    if r.fuzz_per_min_jobs.is_some() {
        let _ = writeln!(
            out,
            "fuzz_per_min_jobs: the same batches with --jobs {}, interleaved with the one-thread ones",
            r.extra.jobs
        );
    }
    if let Some(note) = &r.extra.wasm_note {
        let _ = writeln!(out, "{note}");
    }
    if !r.scale.is_empty() {
        let _ = writeln!(
            out,
            "\nscale: every user stakes on every consumer and unstakes\n{:>9} {:>6} {:>7} {:>10} {:>12} {:>12}",
            "consumers", "users", "pairs", "ms", "µs per pair", "peak_rss_mb"
        );
        for c in &r.scale {
            let pairs = c.consumers * c.users;
            let _ = writeln!(
                out,
                "{:>9} {:>6} {:>7} {:>10.1} {:>12.1} {:>12}",
                c.consumers,
                c.users,
                pairs,
                c.ms,
                c.ms * 1000.0 / pairs as f64,
                c.peak_rss_mb
                    .map(|m| format!("{m:.1}"))
                    .unwrap_or_else(|| "-".into())
            );
        }
        if let Some(c) = r
            .scale
            .iter()
            .find(|c| c.consumers == 20 && c.users == 1000)
        {
            let ok = c.ms < goals::LARGEST_SCALE_MS;
            let _ = writeln!(
                out,
                "20 × 1000 goal: under {} s — {}",
                goals::LARGEST_SCALE_MS / 1000.0,
                if ok { "met" } else { "MISSED" }
            );
        }
        if let Some(x) = scale_pair_ratio(r) {
            let _ = writeln!(
                out,
                "20 × 1000 per pair over 20 × 100 per pair: {x:.3} (goal ≤ {}) — {}",
                goals::SCALE_PAIR_RATIO,
                verdict(Some(x), |x| x <= goals::SCALE_PAIR_RATIO)
            );
        }
    }
    if !r.users_scale.is_empty() {
        let _ = writeln!(
            out,
            "\nusers_scale: one consumer, every user bonds, stakes locally and remotely, unstakes, \
             waits out 21 days, withdraws, releases and unbonds, through the runner (invariants \
             after every step)\n{:>6} {:>10} {:>12}",
            "users", "ms", "µs per user"
        );
        for c in &r.users_scale {
            let _ = writeln!(out, "{:>6} {:>10.1} {:>12.1}", c.users, c.ms, c.us_per_user);
        }
        if let Some((few, many, x)) = users_per_user_ratio(r) {
            let _ = writeln!(
                out,
                "per user at {many} over per user at {few}: {x:.3} (goal ≤ {}) — {}",
                goals::USERS_PER_USER_RATIO,
                verdict(Some(x), |x| x <= goals::USERS_PER_USER_RATIO)
            );
        }
    }
    out
}

/// The cost per pair of 20 × 1000 over that of 20 × 100, when both were measured.
pub fn scale_pair_ratio(r: &BenchReport) -> Option<f64> {
    let per_pair = |users: usize| {
        r.scale
            .iter()
            .find(|c| c.consumers == 20 && c.users == users)
            .map(|c| c.ms / (20 * users) as f64)
    };
    ratio(per_pair(1000), per_pair(100))
}

/// `users_scale`'s fewest and most users and the cost per user of the most over the fewest.
pub fn users_per_user_ratio(r: &BenchReport) -> Option<(usize, usize, f64)> {
    let few = r.users_scale.iter().min_by_key(|c| c.users)?;
    let many = r.users_scale.iter().max_by_key(|c| c.users)?;
    if few.users == many.users {
        return None;
    }
    let x = ratio(Some(many.us_per_user), Some(few.us_per_user))?;
    Some((few.users, many.users, x))
}

/// The `--json` object, keys in the issue's order.
pub fn to_json(r: &BenchReport) -> String {
    serde_json::to_string(r).expect("the bench report serialises")
}

/// A warning when the environment makes every `StdError` capture a backtrace
/// (`RUST_BACKTRACE` set and `RUST_LIB_BACKTRACE` not `0`), which slows set-up down.
pub fn backtrace_warning() -> Option<String> {
    let lib = std::env::var("RUST_LIB_BACKTRACE").ok();
    let any = std::env::var("RUST_BACKTRACE").ok();
    let on = |v: &Option<String>| v.as_deref().is_some_and(|v| v != "0");
    let capturing = match lib {
        Some(_) => on(&lib),
        None => on(&any),
    };
    capturing.then(|| {
        "backtraces are on (RUST_BACKTRACE): every cosmwasm StdError captures one, which costs \
         set-up time; RUST_LIB_BACKTRACE=0 keeps panic backtraces and turns these off"
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Odd counts take the middle value, even counts the mean of the two middle ones.
    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
    }

    /// Parts parse by name, scale cases as `scale:<consumers>x<users>`; others are refused.
    #[test]
    fn parts_parse() {
        assert_eq!("bare".parse::<Part>(), Ok(Part::Bare));
        assert_eq!("scale".parse::<Part>(), Ok(Part::Scale(None)));
        assert_eq!(
            "scale:20x1000".parse::<Part>(),
            Ok(Part::Scale(Some((20, 1000))))
        );
        assert_eq!("users:500".parse::<Part>(), Ok(Part::Users(Some(500))));
        for empty in ["users:0", "scale:0x10", "scale:20x0", "users:"] {
            let err = empty.parse::<Part>().unwrap_err();
            assert!(err.contains("unknown part"), "{empty}: {err}");
        }
        let err = "scale:20".parse::<Part>().unwrap_err();
        assert!(err.contains("unknown part \"scale:20\""), "{err}");
    }

    /// The full configuration runs the issue's nine scale cases from small to large.
    #[test]
    fn full_config_has_the_nine_cases_in_size_order() {
        let cfg = BenchConfig::full();
        assert_eq!(cfg.scale.len(), 9);
        let sizes: Vec<usize> = cfg.scale.iter().map(|(c, u)| c * u).collect();
        let mut sorted = sizes.clone();
        sorted.sort();
        assert_eq!(sizes, sorted);
        assert_eq!(cfg.scale.last(), Some(&(20, 1000)));
    }

    /// The JSON object has exactly the issue's keys, in its order, with null for parts not run.
    #[test]
    fn json_keys_are_exactly_the_issues() {
        let report = BenchReport {
            lifecycle_ms: Some(1.5),
            scale: vec![ScaleCase {
                consumers: 1,
                users: 10,
                ms: 4.0,
                peak_rss_mb: Some(8.5),
            }],
            ..Default::default()
        };
        assert_eq!(
            to_json(&report),
            "{\"lifecycle_ms\":1.5,\"bare_ms\":null,\"overhead_ratio\":null,\"unbonding_1d_ms\":null,\
             \"unbonding_21d_ms\":null,\"time_scaling_ratio\":null,\"fuzz_per_min\":null,\
             \"scale\":[{\"consumers\":1,\"users\":10,\"ms\":4.0,\"peak_rss_mb\":8.5}],\
             \"wasm_lifecycle_ms\":null,\"wasm_ratio\":null,\"users_scale\":[],\
             \"fuzz_cost_ratio\":null,\"fuzz_per_min_jobs\":null,\"fuzz_jobs_ratio\":null}"
        );
    }

    /// The table names every figure and marks a missed goal.
    #[test]
    fn table_shows_figures_and_verdicts() {
        let report = BenchReport {
            lifecycle_ms: Some(7.0),
            overhead_ratio: Some(1.2),
            ..Default::default()
        };
        let text = table(&report);
        for key in [
            "lifecycle_ms",
            "bare_ms",
            "overhead_ratio",
            "time_scaling_ratio",
            "fuzz_per_min",
        ] {
            assert!(text.contains(key), "{key} missing in:\n{text}");
        }
        assert!(text.contains("7.00 ms  ≤ 5          MISSED"), "{text}");
        assert!(text.contains("1.20  ≤ 1.3        met"), "{text}");
    }
}
