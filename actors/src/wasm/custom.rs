//! Custom messages of a wasm contract beyond the App's typed custom slot.
//!
//! The chains' App is typed on the consumer's `virtual_stake` custom message (what our contracts
//! and the mesh module speak). A reference provider chain also routes `{"provider": {...}}`
//! custom messages to its `x/meshsecurityprovider` module (the vault's `bond`/`unbond`, the
//! proxy's `unstake`). A wasm contract's JSON is read as either; a `provider` message continues
//! as a `CosmosMsg::Any` with [`PROVIDER_MSG_TYPE_URL`] and its JSON as value, which the App
//! hands to [`crate::modules::ProviderModule`] (the App's `Any` slot). Native contracts never
//! send one.

use cosmwasm_std::{AnyMsg, CosmosMsg, CustomMsg, Response, StdResult, SubMsg};
use serde::{Deserialize, Serialize};

/// The type URL that carries a `provider` custom message to the provider module.
pub const PROVIDER_MSG_TYPE_URL: &str = "/mesh.provider.CustomMsg";

/// A custom message as a wasm contract writes it: the chain's typed one, or a `provider` one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WasmCustom<C> {
    /// The App's custom message (`{"virtual_stake": ...}`).
    Chain(C),
    /// `{"provider": ...}`, for the provider module.
    Provider(ProviderEnvelope),
}

/// `{"provider": <message>}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderEnvelope {
    /// The provider message (`{"bond": {...}}`, ...).
    pub provider: serde_json::Value,
}

impl<C: CustomMsg> CustomMsg for WasmCustom<C> {}

/// One message, `provider` ones as `Any` for the provider module.
fn lower_msg<C>(msg: CosmosMsg<WasmCustom<C>>) -> StdResult<CosmosMsg<C>> {
    match msg {
        CosmosMsg::Custom(WasmCustom::Chain(c)) => Ok(CosmosMsg::Custom(c)),
        CosmosMsg::Custom(WasmCustom::Provider(p)) => Ok(CosmosMsg::Any(AnyMsg {
            type_url: PROVIDER_MSG_TYPE_URL.to_string(),
            value: cosmwasm_std::to_json_binary(&p)?,
        })),
        other => Ok(other
            .change_custom()
            .expect("custom messages are handled above")),
    }
}

/// A response whose messages the App can route (see the module doc).
pub fn lower<C>(resp: Response<WasmCustom<C>>) -> StdResult<Response<C>> {
    let messages = resp
        .messages
        .into_iter()
        .map(|m| {
            Ok(SubMsg {
                id: m.id,
                payload: m.payload,
                msg: lower_msg(m.msg)?,
                gas_limit: m.gas_limit,
                reply_on: m.reply_on,
            })
        })
        .collect::<StdResult<Vec<_>>>()?;
    let mut out = Response::new()
        .add_submessages(messages)
        .add_attributes(resp.attributes)
        .add_events(resp.events);
    if let Some(data) = resp.data {
        out = out.set_data(data);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::from_json;
    use mesh_apis::virtual_stake::{VirtualStakeCustomMsg, VirtualStakeMsg};

    #[test]
    fn a_provider_message_becomes_any_and_a_typed_one_stays_custom() {
        let json = br#"{"messages":[
            {"id":0,"msg":{"custom":{"provider":{"bond":{"delegator":"u","amount":{"denom":"d","amount":"5"}}}}},"reply_on":"never"},
            {"id":0,"msg":{"custom":{"virtual_stake":{"delete_all_scheduled_tasks":{}}}},"reply_on":"never"}
        ],"attributes":[],"events":[],"data":null}"#;
        let resp: Response<WasmCustom<VirtualStakeCustomMsg>> = from_json(json).unwrap();
        let lowered = lower(resp).unwrap();
        match &lowered.messages[0].msg {
            CosmosMsg::Any(any) => {
                assert_eq!(any.type_url, PROVIDER_MSG_TYPE_URL);
                let back: ProviderEnvelope = from_json(&any.value).unwrap();
                assert_eq!(back.provider["bond"]["amount"]["amount"], "5");
            }
            other => panic!("expected Any, got {other:?}"),
        }
        assert_eq!(
            lowered.messages[1].msg,
            CosmosMsg::Custom(VirtualStakeCustomMsg::VirtualStake(
                VirtualStakeMsg::DeleteAllScheduledTasks {}
            ))
        );
    }
}
