//! Channel handshake: only OpenTry from the configured connection and converter port, unordered,
//! a compatible version, one channel only.

use cosmwasm_std::testing::{
    mock_ibc_channel_close_confirm, mock_ibc_channel_connect_ack, mock_ibc_channel_connect_confirm,
    mock_ibc_channel_open_init, mock_ibc_channel_open_try,
};
use cosmwasm_std::{Ibc3ChannelOpenResponse, IbcChannel, IbcChannelOpenMsg, IbcOrder};
use mesh_apis::external_staking::QueryMsg;

use super::setup::*;
use crate::error::ContractError;
use crate::ibc::{ibc_channel_close, ibc_channel_connect, ibc_channel_open};

fn open(
    s: &mut Suite,
    msg: IbcChannelOpenMsg,
) -> Result<Option<Ibc3ChannelOpenResponse>, ContractError> {
    ibc_channel_open(s.deps.as_mut(), s.env.clone(), msg)
}

/// The supported version is accepted as proposed (no counter-version), and connect stores the channel.
#[test]
fn good_version_is_accepted_and_connect_stores_the_channel() {
    let mut s = Suite::new();
    assert!(matches!(
        s.query_err(QueryMsg::IbcChannel {}),
        ContractError::NoChannel
    ));
    let resp = open(
        &mut s,
        mock_ibc_channel_open_try(CHANNEL, IbcOrder::Unordered, &version()),
    );
    assert_eq!(resp.unwrap(), None);
    let connect = mock_ibc_channel_connect_ack(CHANNEL, IbcOrder::Unordered, &version());
    let resp = ibc_channel_connect(s.deps.as_mut(), s.env.clone(), connect.clone()).unwrap();
    assert_eq!(attr(&resp.attributes, "channel_id").unwrap(), CHANNEL);
    let ch: IbcChannel = s.query(QueryMsg::IbcChannel {});
    assert_eq!(&ch, connect.channel());
}

/// A newer patch version is answered with ours.
#[test]
fn newer_patch_is_answered_with_our_version() {
    let mut s = Suite::new();
    let resp = open(
        &mut s,
        mock_ibc_channel_open_try(CHANNEL, IbcOrder::Unordered, &version_of("0.11.3")),
    )
    .unwrap();
    assert_eq!(resp, Some(Ibc3ChannelOpenResponse { version: version() }));
}

/// 0.10.0 is older than the minimum 0.11.0.
#[test]
fn too_old_version_is_refused() {
    let mut s = Suite::new();
    let err = open(
        &mut s,
        mock_ibc_channel_open_try(CHANNEL, IbcOrder::Unordered, &version_of("0.10.0")),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "protocol version 0.10.0 is older than the minimum 0.11.0"
    );
}

/// 1.0.0 is a newer major version.
#[test]
fn newer_major_version_is_refused() {
    let mut s = Suite::new();
    let err = open(
        &mut s,
        mock_ibc_channel_open_try(CHANNEL, IbcOrder::Unordered, &version_of("1.0.0")),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "protocol version 1.0.0 has a newer major version than 0.11.0"
    );
}

/// Something that is not our version JSON is refused.
#[test]
fn garbage_version_is_refused() {
    let mut s = Suite::new();
    let err = open(
        &mut s,
        mock_ibc_channel_open_try(CHANNEL, IbcOrder::Unordered, "ics20-1"),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("invalid channel version"),
        "{err}"
    );
}

/// Ordered channels are refused.
#[test]
fn ordered_channel_is_refused() {
    let mut s = Suite::new();
    let err = open(
        &mut s,
        mock_ibc_channel_open_try(CHANNEL, IbcOrder::Ordered, &version()),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the mesh-security channel must be unordered"
    );
}

/// The provider never opens the channel itself.
#[test]
fn open_init_is_refused() {
    let mut s = Suite::new();
    let err = open(
        &mut s,
        mock_ibc_channel_open_init(CHANNEL, IbcOrder::Unordered, &version()),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::OpenInitRefused));
}

/// Another connection is refused, naming both.
#[test]
fn wrong_connection_is_refused() {
    let mut s = Suite::new();
    let mut msg = mock_ibc_channel_open_try(CHANNEL, IbcOrder::Unordered, &version());
    if let IbcChannelOpenMsg::OpenTry { channel, .. } = &mut msg {
        channel.connection_id = "connection-9".to_string();
    }
    let err = open(&mut s, msg).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unauthorized connection connection-9: expected connection-2"
    );
}

/// Another counterparty port is refused, naming both.
#[test]
fn wrong_port_is_refused() {
    let mut s = Suite::new();
    let mut msg = mock_ibc_channel_open_try(CHANNEL, IbcOrder::Unordered, &version());
    if let IbcChannelOpenMsg::OpenTry { channel, .. } = &mut msg {
        channel.counterparty_endpoint.port_id = "wasm.intruder".to_string();
    }
    let err = open(&mut s, msg).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unauthorized counterparty port wasm.intruder: expected their_port"
    );
}

/// Once a channel is connected, neither a second open nor a second connect is accepted.
#[test]
fn second_channel_is_refused() {
    let mut s = Suite::new();
    s.handshake();
    let err = open(
        &mut s,
        mock_ibc_channel_open_try("channel-1", IbcOrder::Unordered, &version()),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "an IBC channel is already open: channel-0");
    let connect = mock_ibc_channel_connect_confirm("channel-1", IbcOrder::Unordered, &version());
    let err = ibc_channel_connect(s.deps.as_mut(), s.env.clone(), connect).unwrap_err();
    assert!(matches!(err, ContractError::ChannelAlreadyOpen { .. }));
}

/// Even after the channel closed, no second channel is opened.
#[test]
fn no_new_channel_after_close() {
    let mut s = Suite::new();
    s.handshake();
    let close = mock_ibc_channel_close_confirm(CHANNEL, IbcOrder::Unordered, &version());
    ibc_channel_close(s.deps.as_mut(), s.env.clone(), close).unwrap();
    let err = open(
        &mut s,
        mock_ibc_channel_open_try("channel-1", IbcOrder::Unordered, &version()),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::ChannelAlreadyOpen { .. }));
}

/// ConnectConfirm (the step a Try side really gets) is accepted too; connect re-checks the endpoint.
#[test]
fn connect_confirm_accepted_and_endpoint_rechecked() {
    let mut s = Suite::new();
    let mut bad = mock_ibc_channel_connect_confirm(CHANNEL, IbcOrder::Unordered, &version());
    if let cosmwasm_std::IbcChannelConnectMsg::OpenConfirm { channel } = &mut bad {
        channel.connection_id = "connection-9".to_string();
    }
    let err = ibc_channel_connect(s.deps.as_mut(), s.env.clone(), bad).unwrap_err();
    assert!(matches!(err, ContractError::WrongConnection { .. }));
    let ordered = mock_ibc_channel_connect_confirm(CHANNEL, IbcOrder::Ordered, &version());
    let err = ibc_channel_connect(s.deps.as_mut(), s.env.clone(), ordered).unwrap_err();
    assert!(matches!(err, ContractError::Version(_)));
    let good = mock_ibc_channel_connect_confirm(CHANNEL, IbcOrder::Unordered, &version());
    ibc_channel_connect(s.deps.as_mut(), s.env.clone(), good).unwrap();
    let ch: IbcChannel = s.query(QueryMsg::IbcChannel {});
    assert_eq!(ch.endpoint.channel_id, CHANNEL);
}
