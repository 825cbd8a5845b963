//! Watching the packets a chain receives: a hook for oracles that must see the state right
//! before and right after a contract handles a packet (the harness's "no escaped slash" check).
//! An observer only reads; it cannot change the chain.

use cosmwasm_std::{Addr, Event, IbcPacket};

use super::Chain;

/// Called around every packet a chain hands to a contract's `ibc_packet_receive`.
pub trait ReceiveObserver: Send {
    /// Right before `contract` receives `packet`.
    fn before_receive(&mut self, chain: &Chain, contract: &Addr, packet: &IbcPacket);
    /// Right after; `events` are the events of the receive (none when it failed and was
    /// reverted into an error ack).
    fn after_receive(
        &mut self,
        chain: &Chain,
        contract: &Addr,
        packet: &IbcPacket,
        events: &[Event],
    );
}
