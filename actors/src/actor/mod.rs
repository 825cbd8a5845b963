//! The actors: chains, contracts and relayers.

pub mod agenda;
pub mod chain_actor;
pub mod contract_actor;
pub mod relayer;

pub use chain_actor::{ChainActor, Exec, Halt, PacketsSent, WithChain};
pub use contract_actor::{Call, ContractActor, FailNext};
pub use relayer::{
    CloseChannel, Delay, DropNext, GetStats, LinkEnd, LinkStats, OpenChannel, Outage, Relayer,
    SetDelay,
};
