//! The relayer actor: one per provider↔consumer link. It opens the channel (the four-step
//! handshake), then carries packets and acknowledgements with the link's delay, and applies link
//! faults. It only produces executions real IBC allows: a packet is delivered at most once, and
//! timed out only with the destination's proof that it was never received and never can be.
//!
//! Its packet steps and deliveries run on an [`Agenda`](super::agenda): the order of actix's own
//! scheduling, at a cost that does not grow with the packets in flight.

use actix::prelude::*;
use cosmwasm_std::{Addr, Binary, IbcEndpoint, IbcPacket, StdAck};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::time::Duration;

use super::agenda::{Then, Work};
use super::chain_actor::{CanTimeOut, ChainActor, PacketsSent, RouteChannel, WithChain};
use super::contract_actor::{ContractActor, DeliverAck, DeliverPacket, DeliverTimeout};
use crate::chain::{RecvRefused, GENESIS_TIME};
use crate::time::SimClock;
use crate::trace::{action_of, Trace, TraceKind};

/// The connection id both chains use for the link.
pub const CONNECTION_ID: &str = "connection-0";

/// How long the relayer takes to carry a packet or an ack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delay {
    /// Always this many ms.
    Fixed(u64),
    /// Uniform in `[min, max]` ms, drawn from the link's seeded generator.
    Range {
        /// Shortest, ms.
        min: u64,
        /// Longest, ms.
        max: u64,
    },
}

impl std::fmt::Display for Delay {
    /// `5s`, or `1s..30s` for a seeded range.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::time::human_ms;
        match *self {
            Delay::Fixed(ms) => f.write_str(&human_ms(ms)),
            Delay::Range { min, max } => write!(f, "{}..{}", human_ms(min), human_ms(max)),
        }
    }
}

/// One end of a link.
#[derive(Clone)]
pub struct LinkEnd {
    /// Chain id.
    pub chain_id: String,
    /// The chain.
    pub chain: actix::Addr<ChainActor>,
    /// The contract bound to the channel (its actor).
    pub contract: actix::Addr<ContractActor>,
    /// The contract's address.
    pub contract_addr: Addr,
}

/// Which end sent a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// The provider (external staking).
    Provider,
    /// The consumer (converter).
    Consumer,
}

/// Counters of a link, for reports and settling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Packets sent (both directions).
    pub sent: u64,
    /// Packets received by their destination.
    pub received: u64,
    /// Success acks delivered to the sender.
    pub acked_ok: u64,
    /// Error acks delivered to the sender.
    pub acked_error: u64,
    /// Timeouts delivered to the sender.
    pub timed_out: u64,
    /// Packets not yet acked or timed out.
    pub in_flight: u64,
    /// Ack or timeout handlers that returned an error (must stay 0).
    pub handler_errors: u64,
    /// When the relayer next acts (ms), if anything is scheduled.
    pub next_event_ms: Option<u64>,
}

/// Open the channel: OpenInit on the consumer, OpenTry on the provider, OpenAck, OpenConfirm.
#[derive(Message)]
#[rtype(result = "Result<(), String>")]
pub struct OpenChannel;

/// Close the channel from the provider side: CloseInit on the provider, CloseConfirm on the
/// consumer. Packets still in flight then time out.
#[derive(Message)]
#[rtype(result = "Result<(), String>")]
pub struct CloseChannel;

/// Read the link's counters.
#[derive(Message)]
#[rtype(result = "LinkStats")]
pub struct GetStats;

/// Read how many packets of each kind (the packet's first JSON key, like `valset_update`) were
/// sent on the link.
#[derive(Message)]
#[rtype(result = "BTreeMap<String, u64>")]
pub struct GetSentByKind;

/// Fault: change the delay from now on.
#[derive(Message)]
#[rtype(result = "()")]
pub struct SetDelay(pub Delay);

/// Fault: never relay the next `n` packets.
#[derive(Message)]
#[rtype(result = "()")]
pub struct DropNext(pub u32);

/// Fault: relay nothing until this time (ms).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Outage {
    /// End of the outage, ms.
    pub until_ms: u64,
}

type Key = (Side, u64);

type Step = fn(&mut Relayer, Key, &mut Context<Relayer>);

struct Flight {
    packet: IbcPacket,
    kind: String,
    ack: Option<Binary>,
}

/// The relayer actor.
pub struct Relayer {
    name: String,
    provider: LinkEnd,
    consumer: LinkEnd,
    delay: Delay,
    rng: ChaCha8Rng,
    clock: SimClock,
    trace: Trace,
    drop_next: u32,
    outage_until: u64,
    in_flight: BTreeMap<Key, Flight>,
    stats: LinkStats,
    /// Packets sent, by kind.
    sent_by_kind: BTreeMap<String, u64>,
    /// Channel ids (provider, consumer) once the handshake is done.
    channels: Option<(String, String)>,
    /// Times of the scheduled steps (with multiplicity), so callers can skip idle time.
    scheduled: BTreeMap<u64, u32>,
    /// Its timers and pending requests.
    work: Work<Relayer>,
}

/// The error text of an error ack, `None` for a success ack.
pub fn ack_error(ack: &Binary) -> Option<String> {
    match cosmwasm_std::from_json::<StdAck>(ack) {
        Ok(StdAck::Success(_)) => None,
        Ok(StdAck::Error(e)) => Some(e),
        Err(_) => Some(format!("unreadable ack {ack}")),
    }
}

impl Relayer {
    /// A relayer for link `name` between `provider` and `consumer`; `seed` drives its delays.
    pub fn new(
        name: &str,
        provider: LinkEnd,
        consumer: LinkEnd,
        delay: Delay,
        seed: u64,
        clock: SimClock,
        trace: Trace,
    ) -> Self {
        Relayer {
            name: name.to_string(),
            provider,
            consumer,
            delay,
            rng: ChaCha8Rng::seed_from_u64(seed),
            clock,
            trace,
            drop_next: 0,
            outage_until: 0,
            in_flight: BTreeMap::new(),
            stats: LinkStats::default(),
            sent_by_kind: BTreeMap::new(),
            channels: None,
            scheduled: BTreeMap::new(),
            work: Work::new(clock),
        }
    }

    fn now(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Trace a fault applied to this link.
    fn record_fault(&self, fault: String) {
        let target = format!("link {}", self.name);
        self.trace
            .record(self.now(), TraceKind::Fault { target, fault });
    }

    fn sample_delay(&mut self) -> u64 {
        match self.delay {
            Delay::Fixed(ms) => ms,
            Delay::Range { min, max } => self.rng.gen_range(min..=max.max(min)),
        }
    }

    fn source(&self, side: Side) -> &LinkEnd {
        match side {
            Side::Provider => &self.provider,
            Side::Consumer => &self.consumer,
        }
    }

    fn dest(&self, side: Side) -> &LinkEnd {
        match side {
            Side::Provider => &self.consumer,
            Side::Consumer => &self.provider,
        }
    }

    fn ends(&self, side: Side) -> (String, String) {
        (
            self.source(side).chain_id.clone(),
            self.dest(side).chain_id.clone(),
        )
    }

    /// Run `step` at `at_ms`, or when the outage ends if the link is down then.
    fn at(&mut self, _ctx: &mut Context<Self>, at_ms: u64, step: Step, key: Key) {
        let at_ms = at_ms.max(self.outage_until);
        *self.scheduled.entry(at_ms).or_default() += 1;
        self.work.run_at(at_ms, move |act, ctx| {
            if let Some(n) = act.scheduled.get_mut(&at_ms) {
                *n -= 1;
                if *n == 0 {
                    act.scheduled.remove(&at_ms);
                }
            }
            if act.now() < act.outage_until {
                let resume = act.outage_until;
                act.at(ctx, resume, step, key);
            } else {
                step(act, key, ctx);
            }
        });
    }

    /// Wait for `request`, then run `then` with its result.
    fn when_done<F: std::future::Future + 'static>(
        &self,
        request: F,
        then: impl FnOnce(&mut Relayer, F::Output, &mut Context<Relayer>) + 'static,
    ) {
        self.work.spawn(async move {
            let res = request.await;
            Box::new(move |act: &mut Relayer, ctx: &mut Context<Relayer>| then(act, res, ctx))
                as Then<Relayer>
        });
    }

    fn after_delay(&mut self, ctx: &mut Context<Self>, step: Step, key: Key) {
        let at = self.now() + self.sample_delay();
        self.at(ctx, at, step, key);
    }

    fn deliver(&mut self, key: Key, _ctx: &mut Context<Self>) {
        let Some(flight) = self.in_flight.get(&key) else {
            return;
        };
        let packet = flight.packet.clone();
        let request = self.dest(key.0).contract.send(DeliverPacket { packet });
        self.when_done(request, move |act, res, ctx| {
            let res = res.unwrap_or(Err(RecvRefused::ChannelNotOpen("mailbox closed".into())));
            act.on_delivered(key, res, ctx);
        });
    }

    fn on_delivered(
        &mut self,
        key: Key,
        res: Result<Binary, RecvRefused>,
        ctx: &mut Context<Self>,
    ) {
        let Some(flight) = self.in_flight.get_mut(&key) else {
            return;
        };
        let kind = flight.kind.clone();
        match res {
            Ok(ack) => {
                let error = ack_error(&ack);
                flight.ack = Some(ack);
                self.stats.received += 1;
                let (from, to) = self.ends(key.0);
                self.trace.record(
                    self.now(),
                    TraceKind::PacketReceived {
                        link: self.name.clone(),
                        from,
                        to,
                        seq: key.1,
                        packet: kind,
                        ack: if error.is_some() { "error" } else { "ok" }.into(),
                        error,
                    },
                );
                self.after_delay(ctx, Self::deliver_ack, key);
            }
            Err(RecvRefused::Halted(until)) => self.at(ctx, until, Self::deliver, key),
            Err(RecvRefused::TimedOut) | Err(RecvRefused::ChannelNotOpen(_)) => {
                self.after_delay(ctx, Self::try_timeout, key)
            }
            // Cannot happen: this relayer delivers each packet once.
            Err(RecvRefused::AlreadyReceived) => {
                self.in_flight.remove(&key);
            }
        }
    }

    fn deliver_ack(&mut self, key: Key, _ctx: &mut Context<Self>) {
        let Some(Flight {
            packet,
            ack: Some(ack),
            ..
        }) = self.in_flight.get(&key)
        else {
            return;
        };
        let request = self.source(key.0).contract.send(DeliverAck {
            packet: packet.clone(),
            ack: ack.clone(),
        });
        self.when_done(request, move |act, res, ctx| {
            let res = res.unwrap_or_else(|e| Err(e.to_string()));
            act.on_ack_delivered(key, res, ctx);
        });
    }

    fn on_ack_delivered(&mut self, key: Key, res: Result<(), String>, ctx: &mut Context<Self>) {
        if let Some(until) = halted_until(&res) {
            self.at(ctx, until, Self::deliver_ack, key);
            return;
        }
        let Some(flight) = self.in_flight.remove(&key) else {
            return;
        };
        let ack = flight.ack.expect("delivered packets have an ack");
        let error = ack_error(&ack);
        if error.is_some() {
            self.stats.acked_error += 1;
        } else {
            self.stats.acked_ok += 1;
        }
        let handler_error = res.err();
        if handler_error.is_some() {
            self.stats.handler_errors += 1;
        }
        let (from, to) = self.ends(key.0);
        self.trace.record(
            self.now(),
            TraceKind::AckDelivered {
                link: self.name.clone(),
                to: from,
                from: to,
                seq: key.1,
                packet: flight.kind,
                ack: if error.is_some() { "error" } else { "ok" }.into(),
                handler_error,
            },
        );
    }

    /// Ask the destination for proof that the packet was never received and never can be;
    /// with it, deliver the timeout to the sender, else try again a little later.
    fn try_timeout(&mut self, key: Key, _ctx: &mut Context<Self>) {
        let Some(flight) = self.in_flight.get(&key) else {
            return;
        };
        let packet = flight.packet.clone();
        let request = self.dest(key.0).chain.send(CanTimeOut { packet });
        self.when_done(request, move |act, res, ctx| {
            if res.unwrap_or(false) {
                act.deliver_timeout(key, ctx);
            } else {
                let retry = act.now() + 1_000;
                act.at(ctx, retry, Self::try_timeout, key);
            }
        });
    }

    fn deliver_timeout(&mut self, key: Key, _ctx: &mut Context<Self>) {
        let Some(flight) = self.in_flight.get(&key) else {
            return;
        };
        let request = self.source(key.0).contract.send(DeliverTimeout {
            packet: flight.packet.clone(),
        });
        self.when_done(request, move |act, res, ctx| {
            let res = res.unwrap_or_else(|e| Err(e.to_string()));
            if let Some(until) = halted_until(&res) {
                act.at(ctx, until, Self::deliver_timeout, key);
                return;
            }
            let Some(flight) = act.in_flight.remove(&key) else {
                return;
            };
            act.stats.timed_out += 1;
            let handler_error = res.err();
            if handler_error.is_some() {
                act.stats.handler_errors += 1;
            }
            let (from, to) = act.ends(key.0);
            act.trace.record(
                act.now(),
                TraceKind::TimeoutDelivered {
                    link: act.name.clone(),
                    to: from,
                    from: to,
                    seq: key.1,
                    packet: flight.kind,
                    handler_error,
                },
            );
        });
    }

    /// Simulated time (ms) of a packet's timeout. Timeouts are timestamps on the destination
    /// chain, and every chain starts at [`GENESIS_TIME`], so they map to simulated time directly.
    fn timeout_ms(packet: &IbcPacket) -> u64 {
        packet
            .timeout
            .timestamp()
            .map(|ts| ts.nanos().saturating_sub(GENESIS_TIME.nanos()) / 1_000_000)
            .unwrap_or(u64::MAX)
    }
}

/// The halt end in a chain's refusal, if that is why it refused.
fn halted_until<T>(res: &Result<T, String>) -> Option<u64> {
    crate::chain::halted_until(res.as_ref().err()?)
}

impl Actor for Relayer {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.work.start(ctx);
    }
}

/// What runs on the relayer with a future's output `T` and gives the reply `R`.
type Finish<T, R> = Box<dyn FnOnce(&mut Relayer, T) -> R>;

/// The answer to a message whose work continues on the relayer's agenda: `fut`, then `finish`
/// on the relayer, whose result is the reply (actix's `ResponseActFuture`, on the agenda).
pub struct OnAgenda<T, R> {
    work: Work<Relayer>,
    fut: std::pin::Pin<Box<dyn std::future::Future<Output = T>>>,
    finish: Finish<T, R>,
}

impl<M, T> actix::dev::MessageResponse<Relayer, M> for OnAgenda<T, M::Result>
where
    M: Message,
    M::Result: 'static,
    T: 'static,
{
    fn handle(self, _ctx: &mut Context<Relayer>, tx: Option<actix::dev::OneshotSender<M::Result>>) {
        let OnAgenda { work, fut, finish } = self;
        work.spawn(async move {
            let res = fut.await;
            Box::new(move |act: &mut Relayer, _ctx: &mut Context<Relayer>| {
                let reply = finish(act, res);
                if let Some(tx) = tx {
                    let _ = tx.send(reply);
                }
            }) as Then<Relayer>
        });
    }
}

impl Handler<PacketsSent> for Relayer {
    type Result = ();

    fn handle(&mut self, msg: PacketsSent, ctx: &mut Context<Self>) {
        for packet in msg.packets {
            let side = if msg.chain_id == self.provider.chain_id {
                Side::Provider
            } else {
                Side::Consumer
            };
            let key = (side, packet.sequence);
            let kind = action_of(packet.data.as_slice());
            self.stats.sent += 1;
            *self.sent_by_kind.entry(kind.clone()).or_default() += 1;
            let (from, to) = self.ends(side);
            let now = self.now();
            self.trace.record(
                now,
                TraceKind::PacketSent {
                    link: self.name.clone(),
                    from: from.clone(),
                    to,
                    seq: key.1,
                    packet: kind.clone(),
                },
            );
            let timeout_ms = Self::timeout_ms(&packet);
            self.in_flight.insert(
                key,
                Flight {
                    packet,
                    kind: kind.clone(),
                    ack: None,
                },
            );
            if self.drop_next > 0 {
                self.drop_next -= 1;
                self.trace.record(
                    now,
                    TraceKind::PacketDropped {
                        link: self.name.clone(),
                        from,
                        seq: key.1,
                        packet: kind,
                    },
                );
                // Never relayed: once the destination passes the timeout, prove it and time out.
                self.at(ctx, timeout_ms, Self::try_timeout, key);
            } else {
                self.after_delay(ctx, Self::deliver, key);
            }
        }
    }
}

impl Handler<OpenChannel> for Relayer {
    type Result = OnAgenda<Result<(String, String), String>, Result<(), String>>;

    fn handle(&mut self, _msg: OpenChannel, ctx: &mut Context<Self>) -> Self::Result {
        let provider = self.provider.clone();
        let consumer = self.consumer.clone();
        let link = self.name.clone();
        let trace = self.trace.clone();
        let clock = self.clock;
        let me = ctx.address().recipient::<PacketsSent>();
        let fut = async move {
            let version = mesh_apis::ibc::ProtocolVersion::supported().to_channel_version();
            let provider_port = format!("wasm.{}", provider.contract_addr);
            let consumer_port = format!("wasm.{}", consumer.contract_addr);
            let step = |chain: &str, step: &str, channel: Option<String>, error: Option<String>| {
                trace.record(
                    clock.now_ms(),
                    TraceKind::Handshake {
                        link: link.clone(),
                        chain: chain.to_string(),
                        step: step.to_string(),
                        channel,
                        error,
                    },
                )
            };
            // 1. OpenInit on the consumer (the converter opens the channel).
            let converter = consumer.contract_addr.clone();
            let port = provider_port.clone();
            let v = version.clone();
            let init = consumer
                .chain
                .send(WithChain(Box::new(move |c, now| {
                    c.chan_open_init(now, &converter, CONNECTION_ID, &port, &v)
                })))
                .await
                .map_err(|e| e.to_string())?;
            let (consumer_channel, v1) = match init {
                Ok(ok) => ok,
                Err(e) => {
                    step(&consumer.chain_id, "open_init", None, Some(e.clone()));
                    return Err(e);
                }
            };
            step(
                &consumer.chain_id,
                "open_init",
                Some(consumer_channel.clone()),
                None,
            );
            consumer
                .chain
                .send(RouteChannel {
                    channel_id: consumer_channel.clone(),
                    relayer: me.clone(),
                })
                .await
                .map_err(|e| e.to_string())?;
            // 2. OpenTry on the provider.
            let ext = provider.contract_addr.clone();
            let counterparty = IbcEndpoint {
                port_id: consumer_port.clone(),
                channel_id: consumer_channel.clone(),
            };
            let try_v = v1.clone();
            let tried = provider
                .chain
                .send(WithChain(Box::new(move |c, now| {
                    c.chan_open_try(now, &ext, CONNECTION_ID, counterparty, &try_v)
                })))
                .await
                .map_err(|e| e.to_string())?;
            let (provider_channel, v2) = match tried {
                Ok(ok) => ok,
                Err(e) => {
                    step(&provider.chain_id, "open_try", None, Some(e.clone()));
                    return Err(e);
                }
            };
            step(
                &provider.chain_id,
                "open_try",
                Some(provider_channel.clone()),
                None,
            );
            provider
                .chain
                .send(RouteChannel {
                    channel_id: provider_channel.clone(),
                    relayer: me,
                })
                .await
                .map_err(|e| e.to_string())?;
            // 3. OpenAck on the consumer.
            let (cc, pc, ack_v) = (consumer_channel.clone(), provider_channel.clone(), v2);
            let acked = consumer
                .chain
                .send(WithChain(Box::new(move |c, now| {
                    c.chan_open_ack(now, &cc, &pc, &ack_v)
                })))
                .await
                .map_err(|e| e.to_string())?;
            step(
                &consumer.chain_id,
                "open_ack",
                Some(consumer_channel.clone()),
                acked.clone().err(),
            );
            acked?;
            // 4. OpenConfirm on the provider.
            let pc = provider_channel.clone();
            let confirmed = provider
                .chain
                .send(WithChain(Box::new(move |c, now| {
                    c.chan_open_confirm(now, &pc)
                })))
                .await
                .map_err(|e| e.to_string())?;
            step(
                &provider.chain_id,
                "open_confirm",
                Some(provider_channel.clone()),
                confirmed.clone().err(),
            );
            confirmed.map(|()| (provider_channel, consumer_channel))
        };
        OnAgenda {
            work: self.work.clone(),
            fut: Box::pin(fut),
            finish: Box::new(|act, res| {
                act.channels = Some(res?);
                Ok(())
            }),
        }
    }
}

impl Handler<CloseChannel> for Relayer {
    type Result = OnAgenda<Result<(), String>, Result<(), String>>;

    fn handle(&mut self, _msg: CloseChannel, _ctx: &mut Context<Self>) -> Self::Result {
        let channels = self.channels.clone();
        let (provider, consumer) = (self.provider.clone(), self.consumer.clone());
        let (link, trace, clock) = (self.name.clone(), self.trace.clone(), self.clock);
        let fut = async move {
            let (pc, cc) = channels.ok_or("the channel is not open")?;
            let record = |chain: &str, step: &str, channel: &str, error: Option<String>| {
                trace.record(
                    clock.now_ms(),
                    TraceKind::Handshake {
                        link: link.clone(),
                        chain: chain.to_string(),
                        step: step.to_string(),
                        channel: Some(channel.to_string()),
                        error,
                    },
                )
            };
            let p = pc.clone();
            let init = provider
                .chain
                .send(WithChain(Box::new(move |c, now| {
                    c.chan_close(now, &p, true)
                })))
                .await
                .map_err(|e| e.to_string())?;
            record(&provider.chain_id, "close_init", &pc, init.clone().err());
            init?;
            let c = cc.clone();
            let confirm = consumer
                .chain
                .send(WithChain(Box::new(move |ch, now| {
                    ch.chan_close(now, &c, false)
                })))
                .await
                .map_err(|e| e.to_string())?;
            record(
                &consumer.chain_id,
                "close_confirm",
                &cc,
                confirm.clone().err(),
            );
            confirm
        };
        OnAgenda {
            work: self.work.clone(),
            fut: Box::pin(fut),
            finish: Box::new(|_, res| res),
        }
    }
}

impl Handler<GetStats> for Relayer {
    type Result = MessageResult<GetStats>;

    fn handle(&mut self, _msg: GetStats, _ctx: &mut Context<Self>) -> Self::Result {
        let mut stats = self.stats;
        stats.in_flight = self.in_flight.len() as u64;
        stats.next_event_ms = self.scheduled.keys().next().copied();
        MessageResult(stats)
    }
}

impl Handler<GetSentByKind> for Relayer {
    type Result = MessageResult<GetSentByKind>;

    fn handle(&mut self, _msg: GetSentByKind, _ctx: &mut Context<Self>) -> Self::Result {
        MessageResult(self.sent_by_kind.clone())
    }
}

impl Handler<SetDelay> for Relayer {
    type Result = ();

    fn handle(&mut self, msg: SetDelay, _ctx: &mut Context<Self>) {
        self.delay = msg.0;
        self.record_fault(format!("delay {}", msg.0));
    }
}

impl Handler<DropNext> for Relayer {
    type Result = ();

    fn handle(&mut self, msg: DropNext, _ctx: &mut Context<Self>) {
        self.drop_next = msg.0;
        self.record_fault(format!("drop_next {}", msg.0));
    }
}

impl Handler<Outage> for Relayer {
    type Result = ();

    fn handle(&mut self, msg: Outage, _ctx: &mut Context<Self>) {
        self.outage_until = self.outage_until.max(msg.until_ms);
        self.record_fault(format!(
            "outage until t={}",
            crate::time::human_ms(msg.until_ms)
        ));
    }
}

/// Convenience for callers: a delay of `d`.
pub fn fixed(d: Duration) -> Delay {
    Delay::Fixed(d.as_millis() as u64)
}
