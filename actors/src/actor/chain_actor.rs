//! The chain actor: owns one [`Chain`] and is the only way to reach it. After every message it
//! hands the packets its contracts sent to the link's relayer and schedules its next block
//! with work (a maturing unbonding, a due epoch), so idle time costs nothing.

use actix::prelude::*;
use cosmwasm_std::{Addr, Binary, Coin, IbcPacket};
use cw_multi_test::AppResponse;
use std::collections::BTreeMap;

use crate::chain::{Chain, ChainEvent, RecvRefused, SentPacket};
use crate::time::SimClock;
use crate::trace::{action_of, Trace, TraceKind};

/// Packets a chain sent on one channel, for the relayer of that channel.
#[derive(Message)]
#[rtype(result = "()")]
pub struct PacketsSent {
    /// The sending chain.
    pub chain_id: String,
    /// The packets, in sequence order.
    pub packets: Vec<IbcPacket>,
}

/// Execute a contract.
#[derive(Message)]
#[rtype(result = "Result<AppResponse, String>")]
pub struct Exec {
    /// Sender address.
    pub sender: Addr,
    /// Sender name (for the trace).
    pub sender_name: String,
    /// Contract address.
    pub contract: Addr,
    /// Contract name (for the trace).
    pub contract_name: String,
    /// JSON message.
    pub msg: Binary,
    /// Attached funds.
    pub funds: Vec<Coin>,
}

/// Receive a packet (from a relayer, through the destination contract's actor).
#[derive(Message)]
#[rtype(result = "Result<Binary, RecvRefused>")]
pub struct Recv {
    /// The packet.
    pub packet: IbcPacket,
    /// Answer with this error ack instead of calling the contract (`fail_next`).
    pub forced_error: Option<String>,
}

/// Deliver the ack of a packet this chain sent. Answers only whether the contract's handler
/// failed: a relayer with thousands of acks due at once would otherwise hold every
/// transaction's events until it reads the answers.
#[derive(Message)]
#[rtype(result = "Result<(), String>")]
pub struct Ack {
    /// The original packet.
    pub packet: IbcPacket,
    /// The acknowledgement bytes.
    pub ack: Binary,
}

/// Deliver the timeout of a packet this chain sent (answers as [`Ack`] does).
#[derive(Message)]
#[rtype(result = "Result<(), String>")]
pub struct Timeout {
    /// The original packet.
    pub packet: IbcPacket,
}

/// Proof of non-receipt: may `packet` (sent to this chain) be timed out now?
#[derive(Message)]
#[rtype(result = "bool")]
pub struct CanTimeOut {
    /// The packet.
    pub packet: IbcPacket,
}

/// Route packets sent on `channel_id` to a relayer.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RouteChannel {
    /// Channel id on this chain.
    pub channel_id: String,
    /// The relayer.
    pub relayer: Recipient<PacketsSent>,
}

/// A closure run on a chain at the current simulated time (ms).
pub type ChainFn<R> = Box<dyn FnOnce(&mut Chain, u64) -> R + Send>;

/// Run a closure on the chain at the current simulated time (set-up, chain events, reports).
pub struct WithChain<R: Send + 'static>(pub ChainFn<R>);

impl<R: Send + 'static> Message for WithChain<R> {
    type Result = R;
}

/// Halt the chain until `until_ms`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Halt {
    /// End of the halt, ms.
    pub until_ms: u64,
}

/// The chain actor.
pub struct ChainActor {
    chain: Chain,
    clock: SimClock,
    trace: Trace,
    routes: BTreeMap<String, Recipient<PacketsSent>>,
    wake: Option<(u64, SpawnHandle)>,
}

impl ChainActor {
    /// An actor owning `chain`.
    pub fn new(chain: Chain, clock: SimClock, trace: Trace) -> Self {
        ChainActor {
            chain,
            clock,
            trace,
            routes: BTreeMap::new(),
            wake: None,
        }
    }

    fn now(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Trace the chain's events, hand its packets to the relayers, schedule the next block.
    fn after_work(&mut self, ctx: &mut Context<Self>) {
        let chain_id = self.chain.id().to_string();
        for event in self.chain.take_events() {
            let kind = match event {
                ChainEvent::Block { height } => TraceKind::Block {
                    chain: chain_id.clone(),
                    height,
                },
                ChainEvent::Epoch { height, error } => TraceKind::Epoch {
                    chain: chain_id.clone(),
                    height,
                    error,
                },
                ChainEvent::SendFailed { reason } => TraceKind::ChainAction {
                    chain: chain_id.clone(),
                    action: "send_packet".into(),
                    ok: false,
                    error: Some(reason),
                },
                ChainEvent::Call {
                    contract,
                    call,
                    gas,
                    ok,
                } => TraceKind::ContractCall {
                    chain: chain_id.clone(),
                    contract,
                    call,
                    gas,
                    ok,
                },
            };
            self.trace.record(self.now(), kind);
        }
        let mut by_channel: BTreeMap<String, Vec<IbcPacket>> = BTreeMap::new();
        for SentPacket { packet } in self.chain.take_outgoing() {
            by_channel
                .entry(packet.src.channel_id.clone())
                .or_default()
                .push(packet);
        }
        for (channel, packets) in by_channel {
            match self.routes.get(&channel) {
                Some(relayer) => relayer.do_send(PacketsSent {
                    chain_id: chain_id.clone(),
                    packets,
                }),
                None => self.trace.record(
                    self.now(),
                    TraceKind::ChainAction {
                        chain: chain_id.clone(),
                        action: "send_packet".into(),
                        ok: false,
                        error: Some(format!("no relayer on {channel}")),
                    },
                ),
            }
        }
        self.schedule_wake(ctx);
    }

    fn schedule_wake(&mut self, ctx: &mut Context<Self>) {
        let next = self.chain.next_wake().map(|at| {
            // A halted chain wakes when the halt ends.
            match self.chain.halted_at(at) {
                Some(until) => until,
                None => at,
            }
        });
        if self.wake.as_ref().map(|(at, _)| *at) == next {
            return;
        }
        if let Some((_, handle)) = self.wake.take() {
            ctx.cancel_future(handle);
        }
        if let Some(at) = next {
            let handle = ctx.run_later(self.clock.until(at), move |act, ctx| {
                act.wake = None;
                let now = act.now();
                let _ = act.chain.advance(now);
                act.after_work(ctx);
            });
            self.wake = Some((at, handle));
        }
    }
}

impl Actor for ChainActor {
    type Context = Context<Self>;
}

impl Handler<Exec> for ChainActor {
    type Result = Result<AppResponse, String>;

    fn handle(&mut self, msg: Exec, ctx: &mut Context<Self>) -> Self::Result {
        let now = self.now();
        let action = action_of(&msg.msg);
        let result = self
            .chain
            .execute(now, &msg.sender, &msg.contract, msg.msg, msg.funds);
        let gas = self.chain.take_last_gas();
        self.trace.record(
            now,
            TraceKind::Tx {
                chain: self.chain.id().to_string(),
                sender: msg.sender_name,
                contract: msg.contract_name,
                action,
                ok: result.is_ok(),
                error: result.as_ref().err().cloned(),
                gas,
            },
        );
        self.after_work(ctx);
        result
    }
}

impl Handler<Recv> for ChainActor {
    type Result = Result<Binary, RecvRefused>;

    fn handle(&mut self, msg: Recv, ctx: &mut Context<Self>) -> Self::Result {
        let now = self.now();
        let result = self.chain.receive(now, &msg.packet, msg.forced_error);
        self.after_work(ctx);
        result
    }
}

impl Handler<Ack> for ChainActor {
    type Result = Result<(), String>;

    fn handle(&mut self, msg: Ack, ctx: &mut Context<Self>) -> Self::Result {
        let now = self.now();
        let result = self.chain.acknowledge(now, &msg.packet, &msg.ack);
        self.after_work(ctx);
        result.map(drop)
    }
}

impl Handler<Timeout> for ChainActor {
    type Result = Result<(), String>;

    fn handle(&mut self, msg: Timeout, ctx: &mut Context<Self>) -> Self::Result {
        let now = self.now();
        let result = self.chain.timeout(now, &msg.packet);
        self.after_work(ctx);
        result.map(drop)
    }
}

impl Handler<CanTimeOut> for ChainActor {
    type Result = bool;

    fn handle(&mut self, msg: CanTimeOut, ctx: &mut Context<Self>) -> bool {
        let now = self.now();
        let result = self.chain.can_time_out(now, &msg.packet);
        self.after_work(ctx);
        result
    }
}

impl Handler<RouteChannel> for ChainActor {
    type Result = ();

    fn handle(&mut self, msg: RouteChannel, _ctx: &mut Context<Self>) {
        self.routes.insert(msg.channel_id, msg.relayer);
    }
}

impl<R: Send + 'static> Handler<WithChain<R>> for ChainActor {
    type Result = MessageResult<WithChain<R>>;

    fn handle(&mut self, msg: WithChain<R>, ctx: &mut Context<Self>) -> Self::Result {
        let now = self.now();
        let result = (msg.0)(&mut self.chain, now);
        self.after_work(ctx);
        MessageResult(result)
    }
}

impl Handler<Halt> for ChainActor {
    type Result = ();

    fn handle(&mut self, msg: Halt, ctx: &mut Context<Self>) {
        let now = self.now();
        self.chain.halt(now, msg.until_ms);
        self.after_work(ctx);
    }
}
