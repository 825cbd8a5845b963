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

/// Run `fut` as a simulation: an actix System on a tokio current-thread runtime whose clock is
/// paused, so virtual time only moves when every actor is waiting.
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
