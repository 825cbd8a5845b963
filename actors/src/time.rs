//! Simulated time. The runtime runs on a tokio current-thread runtime with the clock paused,
//! so sleeps take no wall time and the runtime jumps straight to the next timer.

use std::time::Duration;
use tokio::time::Instant;

/// The simulation's clock: elapsed virtual time since the start.
#[derive(Clone, Copy, Debug)]
pub struct SimClock {
    start: Instant,
}

impl SimClock {
    /// A clock starting now.
    pub fn start() -> Self {
        SimClock {
            start: Instant::now(),
        }
    }

    /// Milliseconds since the start.
    pub fn now_ms(&self) -> u64 {
        Instant::now().duration_since(self.start).as_millis() as u64
    }

    /// The duration until `at_ms` (zero if it has passed).
    pub fn until(&self, at_ms: u64) -> Duration {
        Duration::from_millis(at_ms.saturating_sub(self.now_ms()))
    }
}

/// Simulated time (ms) as people read it: `1d2h3m4s`, `500ms`, `0s`. Traces, timelines and
/// messages write times and durations this way, never as raw milliseconds.
pub fn human_ms(ms: u64) -> String {
    let (mut secs, millis) = (ms / 1000, ms % 1000);
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    if secs > 0 || (out.is_empty() && millis == 0) {
        out.push_str(&format!("{secs}s"));
    }
    if millis > 0 {
        out.push_str(&format!("{millis}ms"));
    }
    out
}

/// Reads back what [`human_ms`] wrote (`1d2h3m4s500ms` → milliseconds).
pub fn parse_human_ms(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let (number, after) = rest.split_at(digits);
        let number: u64 = number.parse().ok()?;
        let (size, after) = if let Some(a) = after.strip_prefix("ms") {
            (1, a)
        } else if let Some(a) = after.strip_prefix('s') {
            (1_000, a)
        } else if let Some(a) = after.strip_prefix('m') {
            (60_000, a)
        } else if let Some(a) = after.strip_prefix('h') {
            (3_600_000, a)
        } else if let Some(a) = after.strip_prefix('d') {
            (86_400_000, a)
        } else {
            return None;
        };
        total = total.checked_add(number.checked_mul(size)?)?;
        rest = after;
    }
    Some(total)
}

/// Run `fut` as a simulation and return its output: an actix System on a tokio current-thread
/// runtime whose clock is paused, so virtual time only moves when every actor is waiting (a
/// `wait` of 21 days returns at once). Call it from a plain `#[test]` (or `main`); a
/// [`Testnet`](crate::testnet::Testnet) is started and used inside it and cannot outlive it.
/// Each call is a fresh simulation whose clock starts at 0; calls may not be nested.
///
/// ```
/// use mesh_actors::testnet::{Testnet, TopologySpec};
/// use mesh_actors::time::run_simulation;
/// use std::time::Duration;
///
/// let waited = run_simulation(async {
///     let net = Testnet::start(&TopologySpec::default()).await?;
///     let before = net.now_ms();
///     net.wait(Duration::from_secs(21 * 86_400)).await;
///     Ok::<u64, mesh_actors::Error>(net.now_ms() - before)
/// })
/// .unwrap();
/// assert_eq!(waited, 21 * 86_400_000);
/// ```
pub fn run_simulation<F, R>(fut: F) -> R
where
    F: std::future::Future<Output = R>,
{
    let system = actix_rt::System::with_tokio_rt(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a current-thread runtime")
    });
    system.block_on(fut)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Times read like durations and read back exactly.
    #[test]
    fn human_times_round_trip() {
        for (ms, text) in [
            (0, "0s"),
            (500, "500ms"),
            (7_706_000, "2h8m26s"),
            (90_061_500, "1d1h1m1s500ms"),
            (21 * 86_400_000, "21d"),
        ] {
            assert_eq!(human_ms(ms), text);
            assert_eq!(parse_human_ms(text), Some(ms));
        }
        assert_eq!(parse_human_ms("5x"), None);
        assert_eq!(parse_human_ms(""), None);
    }
}
