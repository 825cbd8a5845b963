//! Direct unit tests of paths the multi-test world cannot reach: a non-staking tx in the pending
//! map, unknown reply ids and the ways an instantiate reply can carry the address.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
#[allow(deprecated)]
use cosmwasm_std::{
    Addr, Binary, Event, MsgResponse, Reply, SubMsgResponse, SubMsgResult, Uint128,
};

use crate::contract::{execute, instantiate, reply, REPLY_ID_INSTANTIATE};
use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, Tx};
use crate::state::PENDING_TXS;

/// The protobuf `MsgInstantiateContractResponse { contract_address }`.
fn instantiate_response(addr: &str) -> Binary {
    let mut out = vec![0x0a, addr.len() as u8];
    out.extend_from_slice(addr.as_bytes());
    Binary::new(out)
}

#[allow(deprecated)]
fn reply_with(id: u64, response: SubMsgResponse) -> Reply {
    Reply {
        id,
        payload: Binary::default(),
        gas_used: 0,
        result: SubMsgResult::Ok(response),
    }
}

/// commit_tx / rollback_tx refuse a pending tx that is not a staking tx.
#[test]
fn commit_and_rollback_refuse_non_staking_tx() {
    let mut deps = mock_dependencies();
    let creator = deps.api.addr_make("creator");
    instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&creator, &[]),
        InstantiateMsg {
            denom: "uosmo".to_string(),
            local_staking: None,
        },
    )
    .unwrap();
    let lh = deps.api.addr_make("lh");
    PENDING_TXS
        .save(
            deps.as_mut().storage,
            5,
            &Tx::InFlightRemoteStaking {
                id: 5,
                amount: Uint128::new(1),
                user: Addr::unchecked("u"),
                validator: "v".to_string(),
            },
        )
        .unwrap();
    for msg in [
        ExecuteMsg::CommitTx { tx_id: 5 },
        ExecuteMsg::RollbackTx { tx_id: 5 },
    ] {
        let err = execute(deps.as_mut(), mock_env(), message_info(&lh, &[]), msg).unwrap_err();
        assert!(
            matches!(err, ContractError::WrongTypeTx { tx_id: 5 }),
            "{err}"
        );
        assert_eq!(err.to_string(), "tx 5 is not a staking tx");
    }
}

/// A reply id the vault never used is an error.
#[test]
#[allow(deprecated)]
fn reply_unknown_id() {
    let mut deps = mock_dependencies();
    let err = reply(
        deps.as_mut(),
        mock_env(),
        reply_with(
            99,
            SubMsgResponse {
                events: vec![],
                data: None,
                msg_responses: vec![],
            },
        ),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "invalid reply id 99");
}

/// An instantiate reply with no address anywhere is a typed error; a garbled one too.
#[test]
#[allow(deprecated)]
fn reply_without_address() {
    let mut deps = mock_dependencies();
    let err = reply(
        deps.as_mut(),
        mock_env(),
        reply_with(
            REPLY_ID_INSTANTIATE,
            SubMsgResponse {
                events: vec![],
                data: None,
                msg_responses: vec![],
            },
        ),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::ReplyParse { .. }), "{err}");
    let err = reply(
        deps.as_mut(),
        mock_env(),
        reply_with(
            REPLY_ID_INSTANTIATE,
            SubMsgResponse {
                events: vec![],
                data: None,
                msg_responses: vec![MsgResponse {
                    type_url: "/cosmwasm.wasm.v1.MsgInstantiateContractResponse".to_string(),
                    value: Binary::new(vec![0x12, 0x01]),
                }],
            },
        ),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::ReplyParse { .. }), "{err}");
}

/// The address is read from `msg_responses`, else `data`, else the instantiate event; the
/// vault then queries `max_slash` on it (here nothing answers, so that query error shows the
/// address was found).
#[test]
#[allow(deprecated)]
fn reply_reads_address_from_every_form() {
    let mut deps = mock_dependencies();
    let local = deps.api.addr_make("local").to_string();
    let forms = [
        SubMsgResponse {
            events: vec![],
            data: None,
            msg_responses: vec![MsgResponse {
                type_url: "/cosmwasm.wasm.v1.MsgInstantiateContractResponse".to_string(),
                value: instantiate_response(&local),
            }],
        },
        SubMsgResponse {
            events: vec![],
            data: Some(instantiate_response(&local)),
            msg_responses: vec![],
        },
        SubMsgResponse {
            events: vec![Event::new("instantiate").add_attribute("_contract_address", &local)],
            data: None,
            msg_responses: vec![],
        },
    ];
    for form in forms {
        let err = reply(
            deps.as_mut(),
            mock_env(),
            reply_with(REPLY_ID_INSTANTIATE, form),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{local} did not answer max_slash")),
            "{err}"
        );
    }
}
