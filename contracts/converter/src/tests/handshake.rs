//! The channel handshake: OpenInit only, unordered, version negotiation, one channel; connect
//! announces every validator.

use cosmwasm_std::testing::{
    mock_env, mock_ibc_channel_close_confirm, mock_ibc_channel_connect_ack,
    mock_ibc_channel_open_init, mock_ibc_channel_open_try,
};
use cosmwasm_std::{from_json, to_json_binary, CosmosMsg, IbcOrder, WasmMsg};
use mesh_apis::converter::ConfigResponse;
use mesh_apis::ibc::{AddValidator, ConsumerPacket, VersionError, VALSET_PACKET_TIMEOUT_SECS};
use mesh_apis::virtual_staking::ExecuteMsg as VirtualStakingMsg;

use super::{connect, sent_packet, setup, version, CHANNEL};
use crate::contract::query;
use crate::error::ContractError;
use crate::ibc::{ibc_channel_close, ibc_channel_connect, ibc_channel_open};
use crate::msg::QueryMsg;

fn versioned(v: &str) -> String {
    format!(r#"{{"protocol":"mesh-security","version":"{v}"}}"#)
}

/// OpenInit with our version (or an empty one) is accepted and answered with our version.
#[test]
fn open_init_with_good_or_empty_version() {
    let mut s = setup();
    let open = mock_ibc_channel_open_init(CHANNEL, IbcOrder::Unordered, &version());
    let res = ibc_channel_open(s.deps.as_mut(), mock_env(), open).unwrap();
    assert_eq!(res.unwrap().version, version());

    let open = mock_ibc_channel_open_init(CHANNEL, IbcOrder::Unordered, "");
    let res = ibc_channel_open(s.deps.as_mut(), mock_env(), open).unwrap();
    assert_eq!(res.unwrap().version, version());

    // A newer patch of the same major is answered with ours (the lower).
    let open = mock_ibc_channel_open_init(CHANNEL, IbcOrder::Unordered, &versioned("0.11.9"));
    let res = ibc_channel_open(s.deps.as_mut(), mock_env(), open).unwrap();
    assert_eq!(res.unwrap().version, version());
}

/// A version older than the minimum is refused.
#[test]
fn open_refuses_too_old_version() {
    let mut s = setup();
    let open = mock_ibc_channel_open_init(CHANNEL, IbcOrder::Unordered, &versioned("0.10.0"));
    let err = ibc_channel_open(s.deps.as_mut(), mock_env(), open).unwrap_err();
    assert!(matches!(
        err,
        ContractError::Version(VersionError::TooOld(ref v)) if v == "0.10.0"
    ));
    assert!(err.to_string().contains("older than the minimum 0.11.0"));
}

/// A newer major version is refused, on open and on connect (counterparty version).
#[test]
fn newer_major_version_is_refused() {
    let mut s = setup();
    let open = mock_ibc_channel_open_init(CHANNEL, IbcOrder::Unordered, &versioned("1.0.0"));
    let err = ibc_channel_open(s.deps.as_mut(), mock_env(), open).unwrap_err();
    assert!(matches!(
        err,
        ContractError::Version(VersionError::NewerMajor(_))
    ));

    let mut connect = mock_ibc_channel_connect_ack(CHANNEL, IbcOrder::Unordered, &version());
    if let cosmwasm_std::IbcChannelConnectMsg::OpenAck {
        counterparty_version,
        ..
    } = &mut connect
    {
        *counterparty_version = versioned("2.0.0");
    }
    let err = ibc_channel_connect(s.deps.as_mut(), mock_env(), connect).unwrap_err();
    assert!(matches!(
        err,
        ContractError::Version(VersionError::NewerMajor(_))
    ));
}

/// An ordered channel is refused (with our version or with an empty one).
#[test]
fn ordered_channel_is_refused() {
    let mut s = setup();
    let open = mock_ibc_channel_open_init(CHANNEL, IbcOrder::Ordered, &version());
    let err = ibc_channel_open(s.deps.as_mut(), mock_env(), open).unwrap_err();
    assert!(matches!(err, ContractError::Version(VersionError::Ordered)));
    let open = mock_ibc_channel_open_init(CHANNEL, IbcOrder::Ordered, "");
    let err = ibc_channel_open(s.deps.as_mut(), mock_env(), open).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the mesh-security channel must be unordered"
    );
}

/// The converter opens the channel itself: OpenTry is refused even with a good version.
#[test]
fn open_try_is_refused() {
    let mut s = setup();
    let open = mock_ibc_channel_open_try(CHANNEL, IbcOrder::Unordered, &version());
    let err = ibc_channel_open(s.deps.as_mut(), mock_env(), open).unwrap_err();
    assert!(matches!(err, ContractError::OpenTryRefused));
}

/// Once a channel is connected, a second one is refused at open and at connect.
#[test]
fn second_channel_is_refused() {
    let mut s = setup();
    connect(&mut s.deps);
    let open = mock_ibc_channel_open_init("channel-1", IbcOrder::Unordered, &version());
    let err = ibc_channel_open(s.deps.as_mut(), mock_env(), open).unwrap_err();
    assert_eq!(err.to_string(), "a channel is already open: channel-0");
    let connect = mock_ibc_channel_connect_ack("channel-1", IbcOrder::Unordered, &version());
    let err = ibc_channel_connect(s.deps.as_mut(), mock_env(), connect).unwrap_err();
    assert!(matches!(
        err,
        ContractError::ChannelAlreadyOpen { ref channel_id } if channel_id == "channel-0"
    ));
}

/// Connect stores the channel and sends one `valset_update` with every validator of the chain,
/// sorted by address, starting at the current block, with the 24 h timeout.
#[test]
fn connect_sends_valset_update_with_every_validator() {
    let mut s = setup();
    let msgs = connect(&mut s.deps);
    let env = mock_env();
    let (channel, packet, timeout) = sent_packet(&msgs, &env);
    assert_eq!(channel, CHANNEL);
    assert_eq!(timeout, VALSET_PACKET_TIMEOUT_SECS);
    let add = |v: &str| AddValidator {
        valoper: v.to_string(),
        start_height: env.block.height,
        start_time: env.block.time.seconds(),
    };
    assert_eq!(
        packet,
        ConsumerPacket::ValsetUpdate {
            height: env.block.height,
            time: env.block.time.seconds(),
            additions: vec![add("val1"), add("val2"), add("val3")],
            removals: vec![],
            updated: vec![],
            jailed: vec![],
            unjailed: vec![],
            tombstoned: vec![],
            slashed: vec![],
        }
    );
    let config: ConfigResponse =
        from_json(query(s.deps.as_ref(), env, QueryMsg::Config {}).unwrap()).unwrap();
    assert_eq!(config.channel_id.as_deref(), Some(CHANNEL));
}

/// Closing our channel forgets it and tells virtual staking to unbond everything; closing
/// another channel changes nothing.
#[test]
fn close_tells_virtual_staking() {
    let mut s = setup();
    connect(&mut s.deps);
    let other = mock_ibc_channel_close_confirm("channel-9", IbcOrder::Unordered, &version());
    let res = ibc_channel_close(s.deps.as_mut(), mock_env(), other).unwrap();
    assert!(res.messages.is_empty());

    let close = mock_ibc_channel_close_confirm(CHANNEL, IbcOrder::Unordered, &version());
    let res = ibc_channel_close(s.deps.as_mut(), mock_env(), close).unwrap();
    assert_eq!(res.messages.len(), 1);
    assert_eq!(
        res.messages[0].msg,
        CosmosMsg::Wasm(WasmMsg::Execute {
            contract_addr: s.virtual_staking.to_string(),
            msg: to_json_binary(&VirtualStakingMsg::HandleCloseChannel {}).unwrap(),
            funds: vec![],
        })
    );
    let config: ConfigResponse =
        from_json(query(s.deps.as_ref(), mock_env(), QueryMsg::Config {}).unwrap()).unwrap();
    assert_eq!(config.channel_id, None);
}
