//! A chain's IBC bookkeeping: channel ends, send sequences, commitments of sent packets and
//! receipts of received ones. This is what keeps every execution legal: a packet is received at
//! most once, acknowledged or timed out at most once, and timed out only if never received.

use cosmwasm_std::{Addr, IbcChannel, IbcEndpoint, IbcOrder, IbcPacket};
use std::collections::{BTreeMap, BTreeSet};

/// Handshake state of a channel end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelState {
    /// After OpenInit.
    Init,
    /// After OpenTry.
    TryOpen,
    /// After OpenAck / OpenConfirm.
    Open,
    /// Closed.
    Closed,
}

/// One end of a channel on this chain.
#[derive(Clone, Debug)]
pub struct ChannelEnd {
    /// The contract bound to the port.
    pub contract: Addr,
    /// This end.
    pub endpoint: IbcEndpoint,
    /// The other end (its channel id is empty until known).
    pub counterparty: IbcEndpoint,
    /// The connection.
    pub connection_id: String,
    /// The negotiated version.
    pub version: String,
    /// Channel order.
    pub order: IbcOrder,
    /// Handshake state.
    pub state: ChannelState,
}

impl ChannelEnd {
    /// The cosmwasm view of this channel, as passed to entry points.
    pub fn to_ibc_channel(&self) -> IbcChannel {
        IbcChannel::new(
            self.endpoint.clone(),
            self.counterparty.clone(),
            self.order.clone(),
            self.version.clone(),
            self.connection_id.clone(),
        )
    }
}

/// All IBC state of one chain.
#[derive(Default, Debug)]
pub struct IbcState {
    /// Channel ends by channel id.
    pub channels: BTreeMap<String, ChannelEnd>,
    next_channel: u64,
    next_sequence: BTreeMap<String, u64>,
    /// Sent packets not yet acknowledged or timed out, by (channel, sequence).
    pub commitments: BTreeMap<(String, u64), IbcPacket>,
    /// Received packets, by (channel, sequence).
    pub receipts: BTreeSet<(String, u64)>,
}

impl IbcState {
    /// A fresh channel id (`channel-N`).
    pub fn new_channel_id(&mut self) -> String {
        let id = format!("channel-{}", self.next_channel);
        self.next_channel += 1;
        id
    }

    /// The next send sequence on `channel_id` (starting at 1).
    pub fn next_sequence(&mut self, channel_id: &str) -> u64 {
        let seq = self
            .next_sequence
            .entry(channel_id.to_string())
            .or_insert(1);
        let this = *seq;
        *seq += 1;
        this
    }

    /// The channel end bound to `contract`, if any.
    pub fn channel_of(&self, contract: &Addr) -> Option<&ChannelEnd> {
        self.channels.values().find(|c| c.contract == *contract)
    }
}
