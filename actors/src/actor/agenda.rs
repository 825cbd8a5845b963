//! An actor's timers and pending requests, run in exactly the order actix would run them, at a
//! cost that does not grow with how many are pending.
//!
//! actix keeps every future an actor spawns (`ctx.run_later`, `ctx.spawn`) in one list and polls
//! the whole list each time the actor wakes: with `n` timers pending (a relayer with a packet
//! step per packet in flight) every wake costs `n` polls. An `Agenda` keeps the same list as a
//! model and polls only what can have changed: items never polled, and items whose waker was
//! woken (a timer the runtime fired, a future that can go on). It visits them in the order
//! actix's loop would (list order, with its swap-remove of finished items, items spawned
//! meanwhile joining after the pass), so the actor does the same things in the same order: the
//! traces of every scenario stay byte-identical. Each timer is still its own tokio `Sleep`,
//! registered when actix would have registered it, so the runtime wakes tasks in the same order
//! too. (A timer is not polled because its time has come by the clock: the runtime fires it at
//! its next millisecond tick, and until then every pass would poll every such timer in vain, a
//! cost that grew with the square of the packets in flight.)
//!
//! The items are polled outside tokio's task budget (cooperative scheduling lets a task finish
//! 128 timers and messages per poll, then makes every further poll answer Pending until the
//! runtime's next tick): everything ready runs in one pass, in list order, however many packets
//! fall due at once. Under the budget, a relayer with thousands of packets due in the same
//! millisecond ran them 128 per poll, and every poll visited all the others in vain; the order
//! of the same-millisecond deliveries beyond the first 128 depended on those slices. An actor
//! that never has more than 128 items finish in one poll runs exactly as it did under the
//! budget.
//!
//! Use: the actor keeps a [`Work`] handle, starts the agenda with [`Work::start`] in `started`,
//! and schedules with [`Work::run_at`] and [`Work::spawn`] instead of `ctx.run_later` and
//! `ctx.spawn`.

use actix::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Wake, Waker};
use tokio::task::coop::unconstrained;

use crate::time::SimClock;

/// What runs on the actor when an item is done.
pub type Then<A> = Box<dyn FnOnce(&mut A, &mut Context<A>)>;

/// A scheduled item: a future whose output runs on the actor (a timer is a `Sleep`, then its
/// closure).
type Item<A> = Pin<Box<dyn Future<Output = Then<A>>>>;

/// The actor's handle for scheduling (cheap to clone): items join the agenda after the pass in
/// progress, as actix's spawned futures join its list.
pub struct Work<A: Actor<Context = Context<A>>> {
    clock: SimClock,
    new: Rc<RefCell<Vec<Item<A>>>>,
}

impl<A: Actor<Context = Context<A>>> Clone for Work<A> {
    fn clone(&self) -> Self {
        Work {
            clock: self.clock,
            new: self.new.clone(),
        }
    }
}

impl<A: Actor<Context = Context<A>>> Work<A> {
    /// A handle on the clock of the simulation.
    pub fn new(clock: SimClock) -> Self {
        Work {
            clock,
            new: Rc::default(),
        }
    }

    /// Start running the agenda on the actor (call once, in `started`).
    pub fn start(&self, ctx: &mut Context<A>) {
        ctx.spawn(Agenda {
            new: self.new.clone(),
            list: vec![],
            items: BTreeMap::new(),
            next_id: 0,
            fresh: BTreeSet::new(),
            woken: Arc::default(),
        });
    }

    /// Run `then` at `at_ms` (simulated, ms): `ctx.run_later` until then.
    pub fn run_at(&self, at_ms: u64, then: impl FnOnce(&mut A, &mut Context<A>) + 'static) {
        // The sleep is made now, as actix's `run_later` makes it; it registers when first polled.
        let sleep = tokio::time::sleep(self.clock.until(at_ms));
        self.spawn(async move {
            sleep.await;
            Box::new(then) as Then<A>
        });
    }

    /// Wait for `fut`, then run what it returns on the actor: `ctx.spawn`.
    pub fn spawn(&self, fut: impl Future<Output = Then<A>> + 'static) {
        self.new.borrow_mut().push(Box::pin(fut));
    }
}

/// Marks its item as woken, then wakes the actor's task.
struct ItemWaker {
    id: u64,
    woken: Arc<Mutex<Vec<u64>>>,
    task: Waker,
}

impl Wake for ItemWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.lock().expect("woken list").push(self.id);
        self.task.wake_by_ref();
    }
}

/// The model of actix's item list, itself one actix item of the actor.
struct Agenda<A: Actor<Context = Context<A>>> {
    new: Rc<RefCell<Vec<Item<A>>>>,
    /// Item ids in actix's list order.
    list: Vec<u64>,
    /// id → the item and its place.
    items: BTreeMap<u64, Entry<A>>,
    next_id: u64,
    /// Items never polled.
    fresh: BTreeSet<u64>,
    /// Items woken since they were last polled.
    woken: Arc<Mutex<Vec<u64>>>,
}

/// An item on the agenda: its position in the list, the item, and its waker once polled.
struct Entry<A: Actor<Context = Context<A>>> {
    pos: usize,
    item: Item<A>,
    waker: Option<(Waker, Waker)>,
}

impl<A: Actor<Context = Context<A>>> Agenda<A> {
    /// Append what was scheduled since the last merge (actix's `merge`); false if nothing was.
    fn merge(&mut self) -> bool {
        let new = std::mem::take(&mut *self.new.borrow_mut());
        let any = !new.is_empty();
        for item in new {
            let id = self.next_id;
            self.next_id += 1;
            self.fresh.insert(id);
            let pos = self.list.len();
            self.items.insert(
                id,
                Entry {
                    pos,
                    item,
                    waker: None,
                },
            );
            self.list.push(id);
        }
        any
    }

    /// Positions that a poll could find ready: never polled, or woken.
    fn candidates(&mut self) -> BTreeSet<usize> {
        let woken = std::mem::take(&mut *self.woken.lock().expect("woken list"));
        self.fresh
            .iter()
            .copied()
            .chain(woken)
            .filter_map(|id| self.items.get(&id).map(|e| e.pos))
            .collect()
    }

    /// Poll item `id`: what to run on the actor if it is done.
    fn poll_item(&mut self, id: u64, cx: &mut std::task::Context<'_>) -> Option<Then<A>> {
        self.fresh.remove(&id);
        let woken = self.woken.clone();
        let entry = self.items.get_mut(&id)?;
        if !entry
            .waker
            .as_ref()
            .is_some_and(|(_, task)| task.will_wake(cx.waker()))
        {
            let task = cx.waker().clone();
            let mine = Waker::from(Arc::new(ItemWaker {
                id,
                woken,
                task: task.clone(),
            }));
            entry.waker = Some((mine, task));
        }
        let (mine, _) = entry.waker.as_ref().expect("set above");
        let mut cx = std::task::Context::from_waker(mine);
        // Outside tokio's task budget: what is ready runs in this pass (see the module doc).
        match Pin::new(&mut unconstrained(entry.item.as_mut())).poll(&mut cx) {
            Poll::Ready(then) => Some(then),
            Poll::Pending => None,
        }
    }

    /// One pass over the list, as actix's: visit in order; a finished item is swap-removed and
    /// the item moved into its place is visited next.
    fn pass(&mut self, act: &mut A, ctx: &mut Context<A>, cx: &mut std::task::Context<'_>) {
        let mut candidates = self.candidates();
        let mut idx = 0;
        while let Some(&p) = candidates.range(idx..).next() {
            candidates.remove(&p);
            let id = self.list[p];
            let Some(then) = self.poll_item(id, cx) else {
                idx = p + 1;
                continue;
            };
            self.items.remove(&id);
            let last = self.list.len() - 1;
            self.list.swap_remove(p);
            if p != last {
                let moved = self.list[p];
                if let Some(e) = self.items.get_mut(&moved) {
                    e.pos = p;
                }
                if candidates.remove(&last) {
                    candidates.insert(p);
                }
            }
            then(act, ctx);
            idx = p;
        }
    }
}

impl<A: Actor<Context = Context<A>>> ActorFuture<A> for Agenda<A> {
    type Output = ();

    fn poll(
        self: Pin<&mut Self>,
        act: &mut A,
        ctx: &mut Context<A>,
        task: &mut std::task::Context<'_>,
    ) -> Poll<()> {
        let this = self.get_mut();
        // actix: a pass over the list, then what was spawned meanwhile joins it, and again
        // while anything joined.
        loop {
            this.pass(act, ctx, task);
            if !this.merge() {
                return Poll::Pending;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::run_simulation;
    use std::time::Duration;

    /// Writes down what ran on it, in order: its timers' indexes, and `PROBE` for a message.
    struct Recorder {
        work: Work<Recorder>,
        ran: Rc<RefCell<Vec<usize>>>,
    }

    const PROBE: usize = usize::MAX;

    impl Actor for Recorder {
        type Context = Context<Self>;

        fn started(&mut self, ctx: &mut Context<Self>) {
            self.work.start(ctx);
        }
    }

    /// Schedule `count` timers, all at `at_ms`.
    #[derive(Message)]
    #[rtype(result = "()")]
    struct Schedule {
        count: usize,
        at_ms: u64,
    }

    impl Handler<Schedule> for Recorder {
        type Result = ();

        fn handle(&mut self, msg: Schedule, _: &mut Context<Self>) {
            for i in 0..msg.count {
                let ran = self.ran.clone();
                self.work
                    .run_at(msg.at_ms, move |_, _| ran.borrow_mut().push(i));
            }
        }
    }

    /// A message that only writes itself down.
    #[derive(Message)]
    #[rtype(result = "()")]
    struct Probe;

    impl Handler<Probe> for Recorder {
        type Result = ();

        fn handle(&mut self, _: Probe, _: &mut Context<Self>) {
            self.ran.borrow_mut().push(PROBE);
        }
    }

    /// 300 timers falling due at the same moment (more than tokio's budget of 128 a poll) run in
    /// one pass, in actix's list order (the first, then the last moved into its place, and so
    /// on): a message sent once they are due is handled after all of them, not between.
    #[test]
    fn timers_due_at_once_run_in_one_pass_in_list_order() {
        let ran = run_simulation(async {
            let clock = SimClock::start();
            let ran = Rc::new(RefCell::new(vec![]));
            let recorder = Recorder {
                work: Work::new(clock),
                ran: ran.clone(),
            }
            .start();
            recorder
                .send(Schedule {
                    count: 300,
                    at_ms: 1_000,
                })
                .await
                .expect("the recorder is running");
            tokio::time::sleep(Duration::from_millis(1_000)).await;
            tokio::task::yield_now().await;
            recorder.send(Probe).await.expect("the recorder is running");
            tokio::time::sleep(Duration::from_millis(10)).await;
            let out = ran.borrow().clone();
            out
        });
        let timers: Vec<usize> = ran.iter().copied().filter(|&i| i != PROBE).collect();
        let expected: Vec<usize> = std::iter::once(0).chain((1..300).rev()).collect();
        assert_eq!(timers, expected, "all 300 ran, in list order");
        let probe = ran.iter().position(|&i| i == PROBE);
        assert_eq!(
            probe,
            Some(300),
            "the message came after the timers (under tokio's budget: after the first 128)"
        );
    }
}
