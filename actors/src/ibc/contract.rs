//! A cw-multi-test contract wrapper that gives a contract its IBC entry points.
//!
//! cw-multi-test has no IBC. The chain delivers channel steps and packets to a contract as a
//! `sudo` call carrying an [`IbcEnvelope`]; this wrapper recognises the envelope and calls the
//! contract's real `ibc_*` function, putting the function's answer (the negotiated version or
//! the acknowledgement) in the response data. Everything else goes to the wrapped contract.
//! Because the call is a normal cw-multi-test transaction, a failing entry point is reverted.

use cosmwasm_std::{
    from_json, to_json_binary, Binary, CustomMsg, CustomQuery, Deps, DepsMut, Env,
    IbcBasicResponse, IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg,
    IbcChannelOpenResponse, IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg,
    IbcReceiveResponse, MessageInfo, MigrateInfo, Reply, Response, StdError, StdResult, SubMsg,
};
use cw_multi_test::Contract;
use serde::{Deserialize, Serialize};
use std::fmt::Display;

/// The sudo payload that carries an IBC entry-point call.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IbcEnvelope {
    /// `ibc_channel_open`.
    ChannelOpen(IbcChannelOpenMsg),
    /// `ibc_channel_connect`.
    ChannelConnect(IbcChannelConnectMsg),
    /// `ibc_channel_close`.
    ChannelClose(IbcChannelCloseMsg),
    /// `ibc_packet_receive`; the response data is the acknowledgement.
    PacketReceive(IbcPacketReceiveMsg),
    /// `ibc_packet_ack`.
    PacketAck(IbcPacketAckMsg),
    /// `ibc_packet_timeout`.
    PacketTimeout(IbcPacketTimeoutMsg),
}

/// The outer JSON key, chosen so it cannot clash with a contract's own sudo messages.
#[derive(Serialize, Deserialize)]
struct SudoEnvelope {
    #[serde(rename = "__mesh_ibc__")]
    ibc: IbcEnvelope,
}

impl IbcEnvelope {
    /// The JSON bytes to pass to `wasm_sudo`.
    pub fn to_sudo(&self) -> Binary {
        to_json_binary(&SudoEnvelope { ibc: self.clone() }).expect("envelope serialises")
    }

    /// The envelope a sudo payload carries, if it is one.
    pub fn from_sudo(msg: &[u8]) -> Option<IbcEnvelope> {
        from_json::<SudoEnvelope>(msg).ok().map(|e| e.ibc)
    }
}

/// A contract's IBC entry points (the real `pub fn`s, typed on `Empty`).
pub struct IbcEntryPoints<E> {
    /// `ibc_channel_open`.
    pub channel_open: fn(DepsMut, Env, IbcChannelOpenMsg) -> Result<IbcChannelOpenResponse, E>,
    /// `ibc_channel_connect`.
    pub channel_connect: fn(DepsMut, Env, IbcChannelConnectMsg) -> Result<IbcBasicResponse, E>,
    /// `ibc_channel_close`.
    pub channel_close: fn(DepsMut, Env, IbcChannelCloseMsg) -> Result<IbcBasicResponse, E>,
    /// `ibc_packet_receive`.
    pub packet_receive: fn(DepsMut, Env, IbcPacketReceiveMsg) -> Result<IbcReceiveResponse, E>,
    /// `ibc_packet_ack`.
    pub packet_ack: fn(DepsMut, Env, IbcPacketAckMsg) -> Result<IbcBasicResponse, E>,
    /// `ibc_packet_timeout`.
    pub packet_timeout: fn(DepsMut, Env, IbcPacketTimeoutMsg) -> Result<IbcBasicResponse, E>,
}

/// A contract plus its IBC entry points, as one cw-multi-test contract.
pub struct IbcContract<C: CustomMsg, Q: CustomQuery, E> {
    inner: Box<dyn Contract<C, Q>>,
    ibc: IbcEntryPoints<E>,
}

impl<C: CustomMsg, Q: CustomQuery, E> IbcContract<C, Q, E> {
    /// Wrap `inner` (usually a `ContractWrapper`) with the IBC entry points `ibc`.
    pub fn new(inner: Box<dyn Contract<C, Q>>, ibc: IbcEntryPoints<E>) -> Self {
        IbcContract { inner, ibc }
    }
}

fn err<E: Display>(e: E) -> StdError {
    StdError::msg(e.to_string())
}

fn customize<C: CustomMsg>(messages: Vec<SubMsg>) -> StdResult<Vec<SubMsg<C>>> {
    messages
        .into_iter()
        .map(|m| {
            m.change_custom()
                .ok_or_else(|| StdError::msg("IBC entry point returned a custom message"))
        })
        .collect()
}

fn basic_to_response<C: CustomMsg>(resp: IbcBasicResponse) -> StdResult<Response<C>> {
    Ok(Response::new()
        .add_submessages(customize(resp.messages)?)
        .add_attributes(resp.attributes)
        .add_events(resp.events))
}

impl<C, Q, E> IbcContract<C, Q, E>
where
    C: CustomMsg,
    Q: CustomQuery,
    E: Display,
{
    fn dispatch(&self, deps: DepsMut<Q>, env: Env, msg: IbcEnvelope) -> StdResult<Response<C>> {
        let deps = deps.into_empty();
        match msg {
            IbcEnvelope::ChannelOpen(m) => {
                let version = (self.ibc.channel_open)(deps, env, m).map_err(err)?;
                Ok(Response::new().set_data(to_json_binary(&version)?))
            }
            IbcEnvelope::ChannelConnect(m) => {
                basic_to_response((self.ibc.channel_connect)(deps, env, m).map_err(err)?)
            }
            IbcEnvelope::ChannelClose(m) => {
                basic_to_response((self.ibc.channel_close)(deps, env, m).map_err(err)?)
            }
            IbcEnvelope::PacketReceive(m) => {
                let resp = (self.ibc.packet_receive)(deps, env, m).map_err(err)?;
                let ack = resp.acknowledgement.ok_or_else(|| {
                    StdError::msg("asynchronous acknowledgements are not supported")
                })?;
                Ok(Response::new()
                    .add_submessages(customize(resp.messages)?)
                    .add_attributes(resp.attributes)
                    .add_events(resp.events)
                    .set_data(ack))
            }
            IbcEnvelope::PacketAck(m) => {
                basic_to_response((self.ibc.packet_ack)(deps, env, m).map_err(err)?)
            }
            IbcEnvelope::PacketTimeout(m) => {
                basic_to_response((self.ibc.packet_timeout)(deps, env, m).map_err(err)?)
            }
        }
    }
}

impl<C, Q, E> Contract<C, Q> for IbcContract<C, Q, E>
where
    C: CustomMsg,
    Q: CustomQuery,
    E: Display,
{
    fn instantiate(
        &self,
        deps: DepsMut<Q>,
        env: Env,
        info: MessageInfo,
        msg: Vec<u8>,
    ) -> StdResult<Response<C>> {
        self.inner.instantiate(deps, env, info, msg)
    }

    fn execute(
        &self,
        deps: DepsMut<Q>,
        env: Env,
        info: MessageInfo,
        msg: Vec<u8>,
    ) -> StdResult<Response<C>> {
        self.inner.execute(deps, env, info, msg)
    }

    fn query(&self, deps: Deps<Q>, env: Env, msg: Vec<u8>) -> StdResult<Binary> {
        self.inner.query(deps, env, msg)
    }

    fn reply(&self, deps: DepsMut<Q>, env: Env, msg: Reply) -> StdResult<Response<C>> {
        self.inner.reply(deps, env, msg)
    }

    fn sudo(&self, deps: DepsMut<Q>, env: Env, msg: Vec<u8>) -> StdResult<Response<C>> {
        match IbcEnvelope::from_sudo(&msg) {
            Some(envelope) => self.dispatch(deps, env, envelope),
            None => self.inner.sudo(deps, env, msg),
        }
    }

    fn migrate(
        &self,
        deps: DepsMut<Q>,
        env: Env,
        msg: Vec<u8>,
        info: MigrateInfo,
    ) -> StdResult<Response<C>> {
        self.inner.migrate(deps, env, msg, info)
    }
}
