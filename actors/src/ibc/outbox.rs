//! The IBC outbox: a cw-multi-test `Ibc` module that stores every `IbcMsg` a contract emits in
//! the App's own storage. Because it lives in chain storage, a transaction that fails leaves
//! nothing behind; the chain drains the outbox after each successful transaction.

use cosmwasm_std::{
    Addr, Api, Binary, BlockInfo, CustomMsg, CustomQuery, Empty, IbcMsg, IbcQuery, IbcTimeout,
    Querier, StdError, StdResult, Storage,
};
use cw_multi_test::{AppResponse, CosmosRouter, Ibc, Module};
use cw_storage_plus::Item;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Messages waiting to leave the chain, in emission order.
const OUTBOX: Item<Vec<OutboxEntry>> = Item::new("mesh-ibc-outbox");

/// One IBC message a contract emitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OutboxEntry {
    /// `IbcMsg::SendPacket`.
    Packet {
        /// The sending contract.
        sender: Addr,
        /// The channel on this chain.
        channel_id: String,
        /// Packet data.
        data: Binary,
        /// Packet timeout.
        timeout: IbcTimeout,
    },
    /// `IbcMsg::CloseChannel`.
    CloseChannel {
        /// The contract asking.
        sender: Addr,
        /// The channel on this chain.
        channel_id: String,
    },
}

/// The outbox module (plugged in with `AppBuilder::with_ibc`).
#[derive(Default)]
pub struct IbcOutbox;

impl IbcOutbox {
    /// Take every stored entry, leaving the outbox empty.
    pub fn drain(storage: &mut dyn Storage) -> Vec<OutboxEntry> {
        let entries = OUTBOX.may_load(storage).ok().flatten().unwrap_or_default();
        if !entries.is_empty() {
            OUTBOX.remove(storage);
        }
        entries
    }

    fn push(storage: &mut dyn Storage, entry: OutboxEntry) -> StdResult<()> {
        let mut entries = OUTBOX.may_load(storage)?.unwrap_or_default();
        entries.push(entry);
        OUTBOX.save(storage, &entries)
    }
}

impl Module for IbcOutbox {
    type ExecT = IbcMsg;
    type QueryT = IbcQuery;
    type SudoT = Empty;

    fn execute<ExecC, QueryC>(
        &self,
        _api: &dyn Api,
        storage: &mut dyn Storage,
        _router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        _block: &BlockInfo,
        sender: Addr,
        msg: IbcMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        let entry = match msg {
            IbcMsg::SendPacket {
                channel_id,
                data,
                timeout,
            } => OutboxEntry::Packet {
                sender,
                channel_id,
                data,
                timeout,
            },
            IbcMsg::CloseChannel { channel_id } => OutboxEntry::CloseChannel { sender, channel_id },
            other => return Err(StdError::msg(format!("unsupported IBC message {other:?}"))),
        };
        Self::push(storage, entry)?;
        Ok(AppResponse::default())
    }

    fn query(
        &self,
        _api: &dyn Api,
        _storage: &dyn Storage,
        _querier: &dyn Querier,
        _block: &BlockInfo,
        request: IbcQuery,
    ) -> StdResult<Binary> {
        Err(StdError::msg(format!(
            "IBC query {request:?} is not supported by this chain"
        )))
    }

    fn sudo<ExecC, QueryC>(
        &self,
        _api: &dyn Api,
        _storage: &mut dyn Storage,
        _router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        _block: &BlockInfo,
        _msg: Empty,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        Err(StdError::msg("the IBC outbox has no sudo"))
    }
}

impl Ibc for IbcOutbox {}
