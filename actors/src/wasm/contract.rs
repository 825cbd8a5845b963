//! A wasm code as one more kind of cw-multi-test contract: every call instantiates the compiled
//! module with the chain's storage, querier and API lent for that call, runs the entry point in
//! cosmwasm-vm under the gas the transaction has left, and records the gas.

use cosmwasm_std::{
    to_json_binary, Api, Binary, ContractResult, CustomMsg, CustomQuery, Deps, DepsMut, Env,
    IbcBasicResponse, IbcReceiveResponse, MessageInfo, MigrateInfo, Querier, Reply, Response,
    StdError, StdResult, Storage,
};
use cosmwasm_vm::internals::instance_from_module;
use cosmwasm_vm::{
    call_execute, call_ibc_channel_close, call_ibc_channel_connect, call_ibc_channel_open,
    call_ibc_packet_ack, call_ibc_packet_receive, call_ibc_packet_timeout, call_instantiate,
    call_migrate_with_info, call_query, call_reply, call_sudo, Instance, VmError, VmResult,
};
use cw_multi_test::Contract;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::sync::Arc;
use wasmer::Store;

use super::bridge::{with_backend, ChainApi, ChainQuerier, ChainStorage};
use super::code::WasmCode;
use super::gas::{GasCall, GasMeter};
use crate::ibc::IbcEnvelope;
use crate::trace::action_of;

type ChainInstance = Instance<ChainApi, ChainStorage, ChainQuerier>;

/// A wasm code stored on a chain, typed on the chain's custom message and query (which the
/// contract's JSON is read into and written from, so custom messages reach the chain's modules
/// exactly as a native contract's do).
pub struct WasmContract<C, Q> {
    code: Arc<WasmCode>,
    role: String,
    gas: GasMeter,
    _types: PhantomData<fn() -> (C, Q)>,
}

impl<C, Q> WasmContract<C, Q> {
    /// `code` playing `role`, metered by the chain's `gas`.
    pub fn new(code: Arc<WasmCode>, role: &str, gas: GasMeter) -> Self {
        WasmContract {
            code,
            role: role.to_string(),
            gas,
            _types: PhantomData,
        }
    }
}

fn out_of_gas(code: &WasmCode) -> StdError {
    StdError::msg(format!(
        "out of gas in {}: the transaction's gas limit is exhausted",
        code.label()
    ))
}

fn vm_error(code: &WasmCode, err: VmError) -> StdError {
    match err {
        VmError::GasDepletion { .. } => out_of_gas(code),
        other => StdError::msg(format!("wasm contract {} failed: {other}", code.label())),
    }
}

fn contract_result<T>(result: ContractResult<T>) -> StdResult<T> {
    result.into_result().map_err(StdError::msg)
}

/// The response of an IBC entry point as the response of a sudo call (see [`IbcEnvelope`]).
fn ibc_basic<C>(resp: IbcBasicResponse<C>) -> Response<C> {
    Response::new()
        .add_submessages(resp.messages)
        .add_attributes(resp.attributes)
        .add_events(resp.events)
}

fn ibc_receive<C>(resp: IbcReceiveResponse<C>) -> StdResult<Response<C>> {
    let ack = resp
        .acknowledgement
        .ok_or_else(|| StdError::msg("asynchronous acknowledgements are not supported"))?;
    Ok(Response::new()
        .add_submessages(resp.messages)
        .add_attributes(resp.attributes)
        .add_events(resp.events)
        .set_data(ack))
}

impl<C, Q> WasmContract<C, Q>
where
    C: CustomMsg + DeserializeOwned + 'static,
    Q: CustomQuery + DeserializeOwned + 'static,
{
    /// Run one entry point: a fresh instance over the lent backend, the call, the gas record.
    fn run<R: 'static>(
        &self,
        storage: &mut dyn Storage,
        api: &dyn Api,
        querier: &dyn Querier,
        env: &Env,
        kind: String,
        call: impl FnOnce(&mut ChainInstance) -> VmResult<ContractResult<R>>,
    ) -> StdResult<R> {
        let limit = self.gas.call_limit();
        let code = &self.code;
        let (result, gas) = if limit == 0 {
            (Err(out_of_gas(code)), 0)
        } else {
            with_backend(storage, api, querier, &self.gas, |backend| {
                let store = Store::new(code.engine().clone());
                let mut instance =
                    match instance_from_module(store, code.module(), backend, limit, None) {
                        Ok(i) => i,
                        Err(e) => return (Err(vm_error(code, e)), 0),
                    };
                let outcome = call(&mut instance);
                let report = instance.create_gas_report();
                let gas = report.limit.saturating_sub(report.remaining);
                let result = match outcome {
                    Ok(r) => contract_result(r),
                    Err(e) => Err(vm_error(code, e)),
                };
                (result, gas)
            })
        };
        self.gas.record(GasCall {
            contract: env.contract.address.clone(),
            role: self.role.clone(),
            kind,
            gas,
            ok: result.is_ok(),
        });
        result
    }

    fn ibc(&self, deps: DepsMut<Q>, env: Env, envelope: IbcEnvelope) -> StdResult<Response<C>> {
        let (s, a, q) = (deps.storage, deps.api, &*deps.querier);
        match envelope {
            IbcEnvelope::ChannelOpen(m) => {
                let version = self.run(s, a, q, &env, "ibc_channel_open".into(), |i| {
                    call_ibc_channel_open(i, &env, &m)
                })?;
                Ok(Response::new().set_data(to_json_binary(&version)?))
            }
            IbcEnvelope::ChannelConnect(m) => self
                .run(s, a, q, &env, "ibc_channel_connect".into(), |i| {
                    call_ibc_channel_connect::<_, _, _, C>(i, &env, &m)
                })
                .map(ibc_basic),
            IbcEnvelope::ChannelClose(m) => self
                .run(s, a, q, &env, "ibc_channel_close".into(), |i| {
                    call_ibc_channel_close::<_, _, _, C>(i, &env, &m)
                })
                .map(ibc_basic),
            IbcEnvelope::PacketReceive(m) => {
                let kind = format!("ibc_packet_receive:{}", action_of(&m.packet.data));
                let resp = self.run(s, a, q, &env, kind, |i| {
                    call_ibc_packet_receive::<_, _, _, C>(i, &env, &m)
                })?;
                ibc_receive(resp)
            }
            IbcEnvelope::PacketAck(m) => {
                let kind = format!("ibc_packet_ack:{}", action_of(&m.original_packet.data));
                self.run(s, a, q, &env, kind, |i| {
                    call_ibc_packet_ack::<_, _, _, C>(i, &env, &m)
                })
                .map(ibc_basic)
            }
            IbcEnvelope::PacketTimeout(m) => {
                let kind = format!("ibc_packet_timeout:{}", action_of(&m.packet.data));
                self.run(s, a, q, &env, kind, |i| {
                    call_ibc_packet_timeout::<_, _, _, C>(i, &env, &m)
                })
                .map(ibc_basic)
            }
        }
    }
}

impl<C, Q> Contract<C, Q> for WasmContract<C, Q>
where
    C: CustomMsg + DeserializeOwned + 'static,
    Q: CustomQuery + DeserializeOwned + 'static,
{
    fn instantiate(
        &self,
        deps: DepsMut<Q>,
        env: Env,
        info: MessageInfo,
        msg: Vec<u8>,
    ) -> StdResult<Response<C>> {
        let q = &*deps.querier;
        self.run(deps.storage, deps.api, q, &env, "instantiate".into(), |i| {
            call_instantiate::<_, _, _, C>(i, &env, &info, &msg)
        })
    }

    fn execute(
        &self,
        deps: DepsMut<Q>,
        env: Env,
        info: MessageInfo,
        msg: Vec<u8>,
    ) -> StdResult<Response<C>> {
        let kind = format!("execute:{}", action_of(&msg));
        let q = &*deps.querier;
        self.run(deps.storage, deps.api, q, &env, kind, |i| {
            call_execute::<_, _, _, C>(i, &env, &info, &msg)
        })
    }

    fn query(&self, deps: Deps<Q>, env: Env, msg: Vec<u8>) -> StdResult<Binary> {
        let kind = format!("query:{}", action_of(&msg));
        // A query lends the storage read-only (cosmwasm-vm refuses writes in queries itself).
        let mut storage = ReadOnly(deps.storage);
        let q = &*deps.querier;
        self.run(&mut storage, deps.api, q, &env, kind, |i| {
            call_query(i, &env, &msg)
        })
    }

    fn sudo(&self, deps: DepsMut<Q>, env: Env, msg: Vec<u8>) -> StdResult<Response<C>> {
        if let Some(envelope) = IbcEnvelope::from_sudo(&msg) {
            return self.ibc(deps, env, envelope);
        }
        let kind = format!("sudo:{}", action_of(&msg));
        let q = &*deps.querier;
        self.run(deps.storage, deps.api, q, &env, kind, |i| {
            call_sudo::<_, _, _, C>(i, &env, &msg)
        })
    }

    fn reply(&self, deps: DepsMut<Q>, env: Env, msg: Reply) -> StdResult<Response<C>> {
        let kind = format!("reply:{}", msg.id);
        let q = &*deps.querier;
        self.run(deps.storage, deps.api, q, &env, kind, |i| {
            call_reply::<_, _, _, C>(i, &env, &msg)
        })
    }

    fn migrate(
        &self,
        deps: DepsMut<Q>,
        env: Env,
        msg: Vec<u8>,
        info: MigrateInfo,
    ) -> StdResult<Response<C>> {
        let q = &*deps.querier;
        self.run(deps.storage, deps.api, q, &env, "migrate".into(), |i| {
            call_migrate_with_info::<_, _, _, C>(i, &env, &msg, &info)
        })
    }
}

/// A query's storage: reads pass through; writes never arrive (cosmwasm-vm refuses them in a
/// query before they reach the backend).
struct ReadOnly<'a>(&'a dyn Storage);

impl Storage for ReadOnly<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.get(key)
    }

    fn range<'b>(
        &'b self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: cosmwasm_std::Order,
    ) -> Box<dyn Iterator<Item = cosmwasm_std::Record> + 'b> {
        self.0.range(start, end, order)
    }

    fn set(&mut self, _key: &[u8], _value: &[u8]) {}

    fn remove(&mut self, _key: &[u8]) {}
}
