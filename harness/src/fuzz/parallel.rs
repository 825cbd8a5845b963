//! Whole simulations side by side: a campaign's seeds on several threads, each seed's run on
//! one thread from start to end (a simulation never spans threads), the results handed back in
//! seed order, so a campaign's output does not depend on how many threads ran it.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

/// How many results a worker may run ahead of the one the caller is waiting for, per thread:
/// enough to keep every thread busy past a seed that runs many times longer than most (with 4,
/// two jobs stalled behind such seeds: 1.82 times one job on average in `bench`, 1.88 with 64)
/// and while the caller shrinks a finding; little enough that the waiting results stay small
/// (campaign runs are lean: no trace, no report).
const AHEAD_PER_JOB: usize = 64;

/// The number of threads `fuzz --jobs` uses by default: the machine's cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The seeds still to hand out and how far the caller has got.
struct Queue<I> {
    seeds: I,
    /// Index of the next seed to hand out.
    next: usize,
    /// Index of the next result the caller will take.
    taken: usize,
    /// The caller stopped: hand out nothing more.
    stopped: bool,
}

/// Run `work` on every seed of `seeds` with `jobs` threads (1: on this thread, one after the
/// other) and give each seed with its result to `each` in the order of `seeds`; `each` may stop
/// the run (results already computed past that point are dropped). A `work` that panics panics
/// here once the seeds before it were handed to `each`, as it would on one thread.
pub fn in_order<I, T, W, E>(seeds: I, jobs: usize, work: W, mut each: E)
where
    I: Iterator<Item = u64> + Send,
    T: Send,
    W: Fn(u64) -> T + Sync,
    E: FnMut(u64, T) -> ControlFlow<()>,
{
    if jobs <= 1 {
        for seed in seeds {
            if each(seed, work(seed)).is_break() {
                return;
            }
        }
        return;
    }
    let ahead = jobs * AHEAD_PER_JOB;
    let queue = Mutex::new(Queue {
        seeds,
        next: 0,
        taken: 0,
        stopped: false,
    });
    let moved = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, u64, std::thread::Result<T>)>();
    let mut panicked = None;
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (queue, moved, work) = (&queue, &moved, &work);
            scope.spawn(move || loop {
                let (index, seed) = {
                    let mut q = queue.lock().expect("the seed queue");
                    while !q.stopped && q.next >= q.taken + ahead {
                        q = moved.wait(q).expect("the seed queue");
                    }
                    if q.stopped {
                        return;
                    }
                    let Some(seed) = q.seeds.next() else {
                        return;
                    };
                    q.next += 1;
                    (q.next - 1, seed)
                };
                let result = std::panic::catch_unwind(AssertUnwindSafe(|| work(seed)));
                if tx.send((index, seed, result)).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        // However this thread leaves (a stop, the end, or a panic in `each`), the workers stop
        // waiting for it, so the scope can join them.
        let _stop = StopOnDrop {
            queue: &queue,
            moved: &moved,
        };
        let mut waiting = BTreeMap::new();
        let mut expected = 0;
        // Ends when every worker is done (the channel closes) or `each` stops.
        'results: while let Ok((index, seed, result)) = rx.recv() {
            waiting.insert(index, (seed, result));
            while let Some((seed, result)) = waiting.remove(&expected) {
                expected += 1;
                queue.lock().expect("the seed queue").taken = expected;
                moved.notify_all();
                let result = match result {
                    Ok(result) => result,
                    Err(payload) => {
                        panicked = Some(payload);
                        break 'results;
                    }
                };
                if each(seed, result).is_break() {
                    break 'results;
                }
            }
        }
    });
    if let Some(payload) = panicked {
        std::panic::resume_unwind(payload);
    }
}

/// Stops the workers when dropped.
struct StopOnDrop<'a, I> {
    queue: &'a Mutex<Queue<I>>,
    moved: &'a Condvar,
}

impl<I> Drop for StopOnDrop<'_, I> {
    fn drop(&mut self) {
        // A poisoned lock still holds the queue: stop it all the same.
        let mut q = self
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        q.stopped = true;
        drop(q);
        self.moved.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Results come back in seed order whatever the thread count, even when later seeds finish
    /// first; a stop drops everything after it.
    #[test]
    fn results_in_seed_order_and_stop() {
        // Seed s takes (20 - s) ms: the last seeds finish first.
        let work = |s: u64| {
            std::thread::sleep(std::time::Duration::from_millis(20 - s));
            s * s
        };
        for jobs in [1, 2, 3, 8] {
            let mut got = vec![];
            in_order(0..20, jobs, work, |s, r| {
                got.push((s, r));
                ControlFlow::Continue(())
            });
            let expected: Vec<(u64, u64)> = (0..20).map(|s| (s, s * s)).collect();
            assert_eq!(got, expected, "jobs {jobs}");
            let mut got = vec![];
            in_order(0..20, jobs, work, |s, _| {
                got.push(s);
                if s == 5 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            });
            assert_eq!(got, vec![0, 1, 2, 3, 4, 5], "jobs {jobs}");
        }
    }

    /// A seed whose work panics panics the caller after the seeds before it were handed over,
    /// with its own message, instead of leaving the other threads waiting.
    #[test]
    fn a_panicking_seed_panics_in_order() {
        for jobs in [1, 2, 4] {
            let mut got = vec![];
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                in_order(
                    0..100,
                    jobs,
                    |s| {
                        assert!(s != 7, "seed seven");
                        s
                    },
                    |s, _| {
                        got.push(s);
                        ControlFlow::Continue(())
                    },
                )
            }));
            let payload = result.expect_err("the panic reaches the caller");
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()));
            assert_eq!(message.as_deref(), Some("seed seven"), "jobs {jobs}");
            assert_eq!(got, (0..7).collect::<Vec<_>>(), "jobs {jobs}");
        }
    }

    /// A panic in the caller's handling of a result reaches the caller; the workers, waiting
    /// for it to take more, stop instead of hanging.
    #[test]
    fn a_panic_in_each_does_not_hang_the_workers() {
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            in_order(
                0..1000,
                2,
                |s| s,
                |s, _| {
                    assert!(s != 3, "handling seed three");
                    ControlFlow::Continue(())
                },
            )
        }));
        assert!(result.is_err());
    }

    /// Every seed of the iterator runs exactly once, on the threads asked for.
    #[test]
    fn every_seed_once_on_several_threads() {
        let threads = Mutex::new(vec![]);
        let mut seen = vec![];
        in_order(
            (100..160).step_by(3),
            4,
            |s| {
                let mut threads = threads.lock().unwrap();
                let id = std::thread::current().id();
                if !threads.contains(&id) {
                    threads.push(id);
                }
                drop(threads);
                std::thread::sleep(std::time::Duration::from_millis(2));
                s
            },
            |s, r| {
                assert_eq!(s, r);
                seen.push(s);
                ControlFlow::Continue(())
            },
        );
        assert_eq!(seen, (100..160).step_by(3).collect::<Vec<_>>());
        assert!(threads.lock().unwrap().len() > 1, "ran on one thread only");
    }
}
