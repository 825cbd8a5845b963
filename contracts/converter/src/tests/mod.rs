//! Unit tests of the converter on cosmwasm-std mock dependencies: the price feed is answered by
//! a `MockQuerier::update_wasm` handler whose price the tests can change, the chain's validator
//! set by the mock staking querier.

mod conversion;
mod execute;
mod handshake;
mod packets;

use std::cell::Cell;
use std::rc::Rc;

use cosmwasm_std::testing::{
    message_info, mock_dependencies, mock_env, mock_ibc_channel_connect_ack,
    mock_ibc_channel_open_init, MockApi, MockQuerier, MockStorage, StakingQuerier,
};
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, ContractResult, CosmosMsg, Decimal, Env, IbcMsg,
    IbcOrder, MsgResponse, OwnedDeps, Reply, SubMsgResponse, SubMsgResult, SystemError,
    SystemResult, Uint128, Validator, WasmQuery,
};
use mesh_apis::ibc::{ConsumerPacket, ProtocolVersion};
use mesh_apis::price_feed::{PriceResponse, QueryMsg as PriceQuery};
use mesh_apis::virtual_staking::{
    BurnableResponse, QueryMsg as VirtualStakingQuery, UnbondableResponse,
};

use crate::contract::{instantiate, reply, REPLY_INSTANTIATE_VIRTUAL_STAKING};
use crate::ibc::{ibc_channel_connect, ibc_channel_open};
use crate::msg::InstantiateMsg;

/// The provider's denom.
pub const REMOTE_DENOM: &str = "uosmo";
/// The consumer's bonded denom.
pub const LOCAL_DENOM: &str = "ujuno";
/// Our channel.
pub const CHANNEL: &str = "channel-0";

/// Mock dependencies of one converter.
pub type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

/// An instantiated converter with its knobs.
pub struct Setup {
    /// The converter's dependencies.
    pub deps: Deps,
    /// The price the mock price feed answers.
    pub price: Rc<Cell<Decimal>>,
    /// The virtual staking address stored from the reply.
    pub virtual_staking: Addr,
    /// What the mock virtual staking can still unbond on any validator (its `unbondable`
    /// answers `min(amount, this)`); unlimited unless a test lowers it.
    pub unbondable: Rc<Cell<u128>>,
}

fn validator(address: &str) -> Validator {
    Validator::create(
        address.to_string(),
        Decimal::percent(5),
        Decimal::percent(20),
        Decimal::percent(1),
    )
}

/// The protobuf `MsgInstantiateContractResponse {contract_address}` wasmd returns.
fn instantiate_response(address: &str) -> Binary {
    let mut bytes = vec![0x0a, address.len() as u8];
    bytes.extend_from_slice(address.as_bytes());
    Binary::new(bytes)
}

/// A converter at price 0.5 and discount 0.1, its virtual staking registered, the chain having
/// validators val2, val1, val3 (unsorted on purpose).
pub fn setup() -> Setup {
    setup_with(Decimal::percent(50), Decimal::percent(10))
}

/// Like [`setup`] with a given price and discount.
pub fn setup_with(price: Decimal, discount: Decimal) -> Setup {
    let mut deps = mock_dependencies();
    deps.querier.staking = StakingQuerier::new(
        LOCAL_DENOM,
        &[validator("val2"), validator("val1"), validator("val3")],
        &[],
    );
    let price_feed = deps.api.addr_make("price_feed");
    let price = Rc::new(Cell::new(price));
    let knob = price.clone();
    let feed = price_feed.to_string();
    let virtual_staking = deps.api.addr_make("virtual_staking");
    let vs = virtual_staking.to_string();
    let unbondable = Rc::new(Cell::new(u128::MAX));
    let left = unbondable.clone();
    deps.querier.update_wasm(move |query| match query {
        WasmQuery::Smart { contract_addr, msg } if *contract_addr == vs => {
            let left = Uint128::new(left.get());
            let answer = match from_json(msg).unwrap() {
                VirtualStakingQuery::Unbondable { amount, .. } => {
                    to_json_binary(&UnbondableResponse {
                        unbonded: amount.min(left),
                    })
                }
                VirtualStakingQuery::Burnable { amount, .. } => to_json_binary(&BurnableResponse {
                    burned: amount.min(left),
                }),
                other => panic!("unexpected virtual staking query {other:?}"),
            };
            SystemResult::Ok(ContractResult::Ok(answer.unwrap()))
        }
        WasmQuery::Smart { contract_addr, msg } if *contract_addr == feed => {
            let PriceQuery::Price {} = from_json(msg).unwrap();
            SystemResult::Ok(ContractResult::Ok(
                to_json_binary(&PriceResponse {
                    native_per_foreign: knob.get(),
                })
                .unwrap(),
            ))
        }
        other => SystemResult::Err(SystemError::UnsupportedRequest {
            kind: format!("{other:?}"),
        }),
    });

    let creator = deps.api.addr_make("creator");
    let msg = InstantiateMsg {
        price_feed: price_feed.to_string(),
        discount,
        remote_denom: REMOTE_DENOM.to_string(),
        virtual_staking_code_id: 7,
        admin: None,
        max_retrieve: 50,
    };
    instantiate(deps.as_mut(), mock_env(), message_info(&creator, &[]), msg).unwrap();

    #[allow(deprecated)]
    let response = SubMsgResponse {
        events: vec![],
        data: None,
        msg_responses: vec![MsgResponse {
            type_url: "/cosmwasm.wasm.v1.MsgInstantiateContractResponse".to_string(),
            value: instantiate_response(virtual_staking.as_str()),
        }],
    };
    reply(
        deps.as_mut(),
        mock_env(),
        Reply {
            id: REPLY_INSTANTIATE_VIRTUAL_STAKING,
            payload: Binary::default(),
            gas_used: 0,
            result: SubMsgResult::Ok(response),
        },
    )
    .unwrap();
    Setup {
        deps,
        price,
        virtual_staking,
        unbondable,
    }
}

/// Our channel version string.
pub fn version() -> String {
    ProtocolVersion::supported().to_channel_version()
}

/// Open and connect [`CHANNEL`]; returns the connect response's messages.
pub fn connect(deps: &mut Deps) -> Vec<CosmosMsg> {
    let open = mock_ibc_channel_open_init(CHANNEL, IbcOrder::Unordered, &version());
    ibc_channel_open(deps.as_mut(), mock_env(), open).unwrap();
    let connect = mock_ibc_channel_connect_ack(CHANNEL, IbcOrder::Unordered, &version());
    ibc_channel_connect(deps.as_mut(), mock_env(), connect)
        .unwrap()
        .messages
        .into_iter()
        .map(|m| m.msg)
        .collect()
}

/// The single `SendPacket` among `msgs`: (channel, packet, timeout seconds after `env`).
pub fn sent_packet(msgs: &[CosmosMsg], env: &Env) -> (String, ConsumerPacket, u64) {
    let packets: Vec<_> = msgs
        .iter()
        .filter_map(|m| match m {
            CosmosMsg::Ibc(IbcMsg::SendPacket {
                channel_id,
                data,
                timeout,
            }) => Some((
                channel_id.clone(),
                from_json::<ConsumerPacket>(data).unwrap(),
                timeout.timestamp().unwrap().seconds() - env.block.time.seconds(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(packets.len(), 1, "expected exactly one packet in {msgs:?}");
    packets.into_iter().next().unwrap()
}
