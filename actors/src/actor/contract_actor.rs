//! The contract actor: one per deployed contract, the address users and relayers talk to. It
//! forwards to its chain and is where contract-level faults (`fail_next`) apply.

use actix::prelude::*;
use cosmwasm_std::{Addr, Binary, Coin, IbcPacket};
use cw_multi_test::AppResponse;

use super::chain_actor::{Ack, ChainActor, Exec, Recv, Timeout};
use crate::chain::RecvRefused;

/// A user (or the harness) calls the contract.
#[derive(Message)]
#[rtype(result = "Result<AppResponse, String>")]
pub struct Call {
    /// Sender address.
    pub sender: Addr,
    /// Sender name (for the trace).
    pub sender_name: String,
    /// JSON message.
    pub msg: Binary,
    /// Attached funds.
    pub funds: Vec<Coin>,
}

/// A relayer delivers a packet to this contract.
#[derive(Message)]
#[rtype(result = "Result<Binary, RecvRefused>")]
pub struct DeliverPacket {
    /// The packet.
    pub packet: IbcPacket,
}

/// A relayer delivers the ack of a packet this contract sent (answers whether the handler
/// failed).
#[derive(Message)]
#[rtype(result = "Result<(), String>")]
pub struct DeliverAck {
    /// The original packet.
    pub packet: IbcPacket,
    /// Ack bytes.
    pub ack: Binary,
}

/// A relayer delivers the timeout of a packet this contract sent (answers whether the
/// handler failed).
#[derive(Message)]
#[rtype(result = "Result<(), String>")]
pub struct DeliverTimeout {
    /// The original packet.
    pub packet: IbcPacket,
}

/// Fault: the next `n` IBC receives of this contract fail.
#[derive(Message)]
#[rtype(result = "()")]
pub struct FailNext(pub u32);

/// The contract actor.
pub struct ContractActor {
    name: String,
    address: Addr,
    chain: actix::Addr<ChainActor>,
    fail_next: u32,
}

impl ContractActor {
    /// The actor of contract `name` at `address` on `chain`.
    pub fn new(name: &str, address: Addr, chain: actix::Addr<ChainActor>) -> Self {
        ContractActor {
            name: name.to_string(),
            address,
            chain,
            fail_next: 0,
        }
    }
}

impl Actor for ContractActor {
    type Context = Context<Self>;
}

impl Handler<Call> for ContractActor {
    type Result = ResponseFuture<Result<AppResponse, String>>;

    fn handle(&mut self, msg: Call, _ctx: &mut Context<Self>) -> Self::Result {
        let request = self.chain.send(Exec {
            sender: msg.sender,
            sender_name: msg.sender_name,
            contract: self.address.clone(),
            contract_name: self.name.clone(),
            msg: msg.msg,
            funds: msg.funds,
        });
        Box::pin(async move { request.await.map_err(|e| e.to_string())? })
    }
}

impl Handler<DeliverPacket> for ContractActor {
    type Result = ResponseActFuture<Self, Result<Binary, RecvRefused>>;

    fn handle(&mut self, msg: DeliverPacket, _ctx: &mut Context<Self>) -> Self::Result {
        let forced = self.fail_next > 0;
        if forced {
            self.fail_next -= 1;
        }
        let forced_error =
            forced.then(|| format!("injected fault: {} fails this receive", self.name));
        let request = self.chain.send(Recv {
            packet: msg.packet,
            forced_error,
        });
        Box::pin(
            actix::fut::wrap_future::<_, Self>(request).map(move |res, act, _ctx| {
                let res = res.unwrap_or(Err(RecvRefused::ChannelNotOpen("mailbox".into())));
                // A packet the chain did not take does not use up the fault.
                if forced && res.is_err() {
                    act.fail_next += 1;
                }
                res
            }),
        )
    }
}

impl Handler<DeliverAck> for ContractActor {
    type Result = ResponseFuture<Result<(), String>>;

    fn handle(&mut self, msg: DeliverAck, _ctx: &mut Context<Self>) -> Self::Result {
        let request = self.chain.send(Ack {
            packet: msg.packet,
            ack: msg.ack,
        });
        Box::pin(async move { request.await.map_err(|e| e.to_string())? })
    }
}

impl Handler<DeliverTimeout> for ContractActor {
    type Result = ResponseFuture<Result<(), String>>;

    fn handle(&mut self, msg: DeliverTimeout, _ctx: &mut Context<Self>) -> Self::Result {
        let request = self.chain.send(Timeout { packet: msg.packet });
        Box::pin(async move { request.await.map_err(|e| e.to_string())? })
    }
}

impl Handler<FailNext> for ContractActor {
    type Result = ();

    fn handle(&mut self, msg: FailNext, _ctx: &mut Context<Self>) {
        self.fail_next = msg.0;
    }
}
