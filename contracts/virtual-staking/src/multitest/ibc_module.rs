//! `RecordingIbc`: an IBC module for cw-multi-test that records every `SendPacket` (in the
//! App's storage, so a failed transaction records nothing).

use cosmwasm_std::{
    from_json, Addr, Api, Binary, BlockInfo, CustomMsg, CustomQuery, Empty, IbcMsg, IbcQuery,
    Querier, StdError, StdResult, Storage,
};
use cw_multi_test::{AppResponse, CosmosRouter, Ibc, Module};
use cw_storage_plus::Item;
use mesh_apis::ibc::ConsumerPacket;
use serde::de::DeserializeOwned;

const SENT: Item<Vec<(String, Binary, u64)>> = Item::new("test_ibc_sent");

/// One sent packet: channel, packet, timeout timestamp (seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    /// The channel.
    pub channel_id: String,
    /// The packet.
    pub packet: ConsumerPacket,
    /// Timeout, seconds since epoch.
    pub timeout: u64,
}

/// The recording IBC module.
#[derive(Default)]
pub struct RecordingIbc;

impl RecordingIbc {
    /// Every packet sent so far, in order.
    pub fn sent(&self, storage: &dyn Storage) -> Vec<Sent> {
        SENT.may_load(storage)
            .unwrap()
            .unwrap_or_default()
            .into_iter()
            .map(|(channel_id, data, timeout)| Sent {
                channel_id,
                packet: from_json(&data).unwrap(),
                timeout,
            })
            .collect()
    }
}

impl Ibc for RecordingIbc {}

impl Module for RecordingIbc {
    type ExecT = IbcMsg;
    type QueryT = IbcQuery;
    type SudoT = Empty;

    fn execute<ExecC, QueryC>(
        &self,
        _api: &dyn Api,
        storage: &mut dyn Storage,
        _router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        _block: &BlockInfo,
        _sender: Addr,
        msg: IbcMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        match msg {
            IbcMsg::SendPacket {
                channel_id,
                data,
                timeout,
            } => {
                let mut sent = SENT.may_load(storage)?.unwrap_or_default();
                let at = timeout
                    .timestamp()
                    .ok_or_else(|| StdError::msg("packets must time out by timestamp"))?;
                sent.push((channel_id, data, at.seconds()));
                SENT.save(storage, &sent)?;
                Ok(AppResponse::default())
            }
            other => Err(StdError::msg(format!("unsupported in tests: {other:?}"))),
        }
    }

    fn query(
        &self,
        _api: &dyn Api,
        _storage: &dyn Storage,
        _querier: &dyn Querier,
        _block: &BlockInfo,
        request: IbcQuery,
    ) -> StdResult<Binary> {
        Err(StdError::msg(format!("unsupported in tests: {request:?}")))
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
        Err(StdError::msg("no sudo"))
    }
}
