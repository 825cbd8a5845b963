//! Watching the packets a chain receives: a hook for oracles that must see the state right
//! before and right after a contract handles a packet (the harness's "no escaped slash" check).
//! An observer only reads; it cannot change the chain. It is told what changed in the chain's
//! storage (see [`super::storage`]) since its last call, so it can keep what it knows up to date
//! without reading everything again.

use cosmwasm_std::{Addr, Event, IbcPacket};

use super::{Chain, Change};

/// Called around every packet a chain hands to a contract's `ibc_packet_receive`.
pub trait ReceiveObserver: Send {
    /// Right before `contract` receives `packet`; `changes`: what changed in the chain's storage
    /// since the observer's last call (or its installation).
    fn before_receive(
        &mut self,
        chain: &Chain,
        contract: &Addr,
        packet: &IbcPacket,
        changes: &[Change],
    );
    /// Right after; `events` are the events of the receive (none when it failed and was
    /// reverted into an error ack), `changes` what the receive changed in storage.
    fn after_receive(
        &mut self,
        chain: &Chain,
        contract: &Addr,
        packet: &IbcPacket,
        events: &[Event],
        changes: &[Change],
    );
}
