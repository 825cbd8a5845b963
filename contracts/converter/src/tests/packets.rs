//! Provider packets on the receiving side, and acks and timeouts of our own packets.

use cosmwasm_std::testing::{
    mock_env, mock_ibc_packet_ack, mock_ibc_packet_recv, mock_ibc_packet_timeout,
};
use cosmwasm_std::{
    to_json_binary, BankMsg, Coin, CosmosMsg, IbcAcknowledgement, Uint128, WasmMsg,
};
use mesh_apis::ibc::{
    ack_fail, ack_success, BurnAck, ConsumerPacket, ProviderPacket, RewardInfo, StakeAck,
    TransferRewardsAck, UnstakeAck, CONSUMER_PACKET_TIMEOUT_SECS, VALSET_PACKET_TIMEOUT_SECS,
};
use mesh_apis::virtual_staking::ExecuteMsg as VirtualStakingMsg;

use super::{connect, sent_packet, setup, Setup, CHANNEL, LOCAL_DENOM, REMOTE_DENOM};
use crate::error::ContractError;
use crate::ibc::{ibc_packet_ack, ibc_packet_receive, ibc_packet_timeout};

fn receive(
    s: &mut Setup,
    packet: &ProviderPacket,
) -> Result<cosmwasm_std::IbcReceiveResponse, ContractError> {
    let msg = mock_ibc_packet_recv(CHANNEL, packet).unwrap();
    ibc_packet_receive(s.deps.as_mut(), mock_env(), msg)
}

fn to_virtual_staking(s: &Setup, msg: &VirtualStakingMsg) -> CosmosMsg {
    CosmosMsg::Wasm(WasmMsg::Execute {
        contract_addr: s.virtual_staking.to_string(),
        msg: to_json_binary(msg).unwrap(),
        funds: vec![],
    })
}

fn stake(validator: &str, amount: u128, denom: &str) -> ProviderPacket {
    ProviderPacket::Stake {
        delegator: "alice".to_string(),
        validator: validator.to_string(),
        stake: Coin::new(amount, denom),
        tx_id: 5,
    }
}

/// `stake` becomes virtual staking `bond` with the amount unchanged in provider units, and a
/// success ack.
#[test]
fn stake_forwards_bond_in_provider_units() {
    let mut s = setup();
    connect(&mut s.deps);
    let res = receive(&mut s, &stake("val1", 80_000_000, REMOTE_DENOM)).unwrap();
    assert_eq!(
        res.acknowledgement,
        Some(ack_success(&StakeAck {}).unwrap().to_binary())
    );
    assert_eq!(res.messages.len(), 1);
    assert_eq!(
        res.messages[0].msg,
        to_virtual_staking(
            &s,
            &VirtualStakingMsg::Bond {
                delegator: "alice".to_string(),
                validator: "val1".to_string(),
                amount: Coin::new(80_000_000u128, REMOTE_DENOM),
            }
        )
    );
}

/// `stake` in another denom than the provider's is an error (the runtime makes an error ack).
#[test]
fn stake_wrong_denom_is_an_error() {
    let mut s = setup();
    connect(&mut s.deps);
    let err = receive(&mut s, &stake("val1", 100, LOCAL_DENOM)).unwrap_err();
    assert_eq!(err.to_string(), "wrong denom: expected uosmo, got ujuno");
}

/// `stake` on a validator the chain does not know is an error.
#[test]
fn stake_unknown_validator_is_an_error() {
    let mut s = setup();
    connect(&mut s.deps);
    let err = receive(&mut s, &stake("nobody", 100, REMOTE_DENOM)).unwrap_err();
    assert!(matches!(
        err,
        ContractError::UnknownValidator { ref validator } if validator == "nobody"
    ));
    assert_eq!(
        err.to_string(),
        "unknown validator nobody: not in the consumer's validator set"
    );
}

/// `unstake` becomes `unbond` in provider units; a wrong denom is an error. (Unstaking more than
/// bonded fails in virtual staking's `unbond`, which makes the whole receive fail, unless a slash
/// explains the difference: covered by the multitests of mesh-virtual-staking.)
#[test]
fn unstake_forwards_unbond() {
    let mut s = setup();
    connect(&mut s.deps);
    let packet = ProviderPacket::Unstake {
        delegator: "alice".to_string(),
        validator: "val1".to_string(),
        unstake: Coin::new(30u128, REMOTE_DENOM),
        tx_id: 9,
    };
    let res = receive(&mut s, &packet).unwrap();
    assert_eq!(
        res.acknowledgement,
        Some(
            ack_success(&UnstakeAck {
                unbonded: None,
                height: Some(mock_env().block.height),
            })
            .unwrap()
            .to_binary()
        )
    );
    assert_eq!(
        res.messages[0].msg,
        to_virtual_staking(
            &s,
            &VirtualStakingMsg::Unbond {
                delegator: "alice".to_string(),
                validator: "val1".to_string(),
                amount: Coin::new(30u128, REMOTE_DENOM),
            }
        )
    );

    let packet = ProviderPacket::Unstake {
        delegator: "alice".to_string(),
        validator: "val1".to_string(),
        unstake: Coin::new(30u128, "uatom"),
        tx_id: 10,
    };
    let err = receive(&mut s, &packet).unwrap_err();
    assert!(matches!(err, ContractError::WrongDenom { .. }));
}

/// When a slash left the validator with less than the unstake, the ack says what virtual staking
/// will unbond (so the provider can take the rest as slashed) and the consumer height it was
/// applied at; the full amount is forwarded and virtual staking applies the same rule.
#[test]
fn unstake_ack_reports_a_partial_unbond() {
    let mut s = setup();
    connect(&mut s.deps);
    s.unbondable.set(20);
    let packet = ProviderPacket::Unstake {
        delegator: "alice".to_string(),
        validator: "val1".to_string(),
        unstake: Coin::new(30u128, REMOTE_DENOM),
        tx_id: 9,
    };
    let res = receive(&mut s, &packet).unwrap();
    let ack = UnstakeAck {
        unbonded: Some(Uint128::new(20)),
        height: Some(mock_env().block.height),
    };
    assert_eq!(
        res.acknowledgement,
        Some(ack_success(&ack).unwrap().to_binary())
    );
    assert_eq!(
        res.messages[0].msg,
        to_virtual_staking(
            &s,
            &VirtualStakingMsg::Unbond {
                delegator: "alice".to_string(),
                validator: "val1".to_string(),
                amount: Coin::new(30u128, REMOTE_DENOM),
            }
        )
    );
}

/// `burn` becomes virtual staking `burn`; the ack says what it will take when that is less than
/// asked (an internal unstake or a slash emptied the requests first); a wrong denom is an error.
#[test]
fn burn_forwards_burn() {
    let mut s = setup();
    connect(&mut s.deps);
    let packet = ProviderPacket::Burn {
        validators: vec!["val1".to_string(), "val2".to_string()],
        burn: Coin::new(7u128, REMOTE_DENOM),
    };
    s.unbondable.set(3);
    let res = receive(&mut s, &packet).unwrap();
    let partial = BurnAck {
        burned: Some(Uint128::new(3)),
    };
    assert_eq!(
        res.acknowledgement,
        Some(ack_success(&partial).unwrap().to_binary())
    );
    s.unbondable.set(1_000);
    let res = receive(&mut s, &packet).unwrap();
    assert_eq!(
        res.acknowledgement,
        Some(ack_success(&BurnAck::default()).unwrap().to_binary())
    );
    assert_eq!(
        cosmwasm_std::to_json_vec(&BurnAck::default()).unwrap(),
        b"{}".to_vec(),
        "a full burn's ack payload stays `{{}}`, as before"
    );
    assert_eq!(
        res.messages[0].msg,
        to_virtual_staking(
            &s,
            &VirtualStakingMsg::Burn {
                validators: vec!["val1".to_string(), "val2".to_string()],
                amount: Coin::new(7u128, REMOTE_DENOM),
            }
        )
    );
    let packet = ProviderPacket::Burn {
        validators: vec!["val1".to_string()],
        burn: Coin::new(7u128, LOCAL_DENOM),
    };
    assert!(matches!(
        receive(&mut s, &packet).unwrap_err(),
        ContractError::WrongDenom { .. }
    ));
}

/// `transfer_rewards` pays the recipient from the converter's balance in the consumer denom.
#[test]
fn transfer_rewards_pays_recipient() {
    let mut s = setup();
    connect(&mut s.deps);
    let contract = mock_env().contract.address;
    s.deps
        .querier
        .bank
        .update_balance(contract, vec![Coin::new(1_000u128, LOCAL_DENOM)]);
    let recipient = s.deps.api.addr_make("bob");
    let packet = ProviderPacket::TransferRewards {
        rewards: Coin::new(600u128, LOCAL_DENOM),
        recipient: recipient.to_string(),
        tx_id: 11,
    };
    let res = receive(&mut s, &packet).unwrap();
    assert_eq!(
        res.acknowledgement,
        Some(ack_success(&TransferRewardsAck {}).unwrap().to_binary())
    );
    assert_eq!(
        res.messages[0].msg,
        CosmosMsg::Bank(BankMsg::Send {
            to_address: recipient.to_string(),
            amount: vec![Coin::new(600u128, LOCAL_DENOM)],
        })
    );
}

/// `transfer_rewards` errors: bad recipient, wrong denom, more than the balance.
#[test]
fn transfer_rewards_errors() {
    let mut s = setup();
    connect(&mut s.deps);
    let contract = mock_env().contract.address;
    s.deps
        .querier
        .bank
        .update_balance(contract, vec![Coin::new(500u128, LOCAL_DENOM)]);
    let bad = ProviderPacket::TransferRewards {
        rewards: Coin::new(100u128, LOCAL_DENOM),
        recipient: "Not An Address".to_string(),
        tx_id: 1,
    };
    let err = receive(&mut s, &bad).unwrap_err();
    assert!(
        matches!(err, ContractError::InvalidRecipient { ref recipient, .. } if recipient == "Not An Address")
    );

    let recipient = s.deps.api.addr_make("bob").to_string();
    let wrong_denom = ProviderPacket::TransferRewards {
        rewards: Coin::new(100u128, REMOTE_DENOM),
        recipient: recipient.clone(),
        tx_id: 2,
    };
    let err = receive(&mut s, &wrong_denom).unwrap_err();
    assert_eq!(err.to_string(), "wrong denom: expected ujuno, got uosmo");

    let too_much = ProviderPacket::TransferRewards {
        rewards: Coin::new(501u128, LOCAL_DENOM),
        recipient,
        tx_id: 3,
    };
    let err = receive(&mut s, &too_much).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not enough rewards: 500 ujuno held, 501 requested"
    );
}

/// Packets on another channel, or before any channel, are refused; garbage data is an error.
#[test]
fn packets_on_unknown_channel_or_garbage_are_errors() {
    let mut s = setup();
    let err = receive(&mut s, &stake("val1", 1, REMOTE_DENOM)).unwrap_err();
    assert_eq!(err.to_string(), "unknown channel channel-0: expected none");
    connect(&mut s.deps);
    let msg = mock_ibc_packet_recv("channel-5", &stake("val1", 1, REMOTE_DENOM)).unwrap();
    let err = ibc_packet_receive(s.deps.as_mut(), mock_env(), msg).unwrap_err();
    assert!(matches!(err, ContractError::UnknownChannel { .. }));
    let msg = mock_ibc_packet_recv(CHANNEL, &"hello").unwrap();
    assert!(matches!(
        ibc_packet_receive(s.deps.as_mut(), mock_env(), msg).unwrap_err(),
        ContractError::Std(_)
    ));
}

fn valset_packet() -> ConsumerPacket {
    ConsumerPacket::ValsetUpdate {
        height: 100,
        time: 1_000,
        additions: vec![],
        removals: vec![],
        updated: vec![],
        jailed: vec!["val2".to_string()],
        unjailed: vec![],
        tombstoned: vec![],
        slashed: vec![],
    }
}

/// A timed-out `valset_update` is sent again, same data, new 24 h timeout from now.
#[test]
fn valset_timeout_resends_packet() {
    let mut s = setup();
    connect(&mut s.deps);
    let mut env = mock_env();
    env.block.time = env.block.time.plus_seconds(90_000);
    let msg = mock_ibc_packet_timeout(CHANNEL, &valset_packet()).unwrap();
    let res = ibc_packet_timeout(s.deps.as_mut(), env.clone(), msg).unwrap();
    let msgs: Vec<_> = res.messages.into_iter().map(|m| m.msg).collect();
    let (channel, packet, timeout) = sent_packet(&msgs, &env);
    assert_eq!(channel, CHANNEL);
    assert_eq!(packet, valset_packet());
    assert_eq!(timeout, VALSET_PACKET_TIMEOUT_SECS);
    assert!(res
        .attributes
        .iter()
        .any(|a| a.key == "resent" && a.value == "yes"));
}

/// A timed-out `distribute_batch` is re-sent with the 1 h timeout; after the channel closed a
/// timeout is only recorded (never an error).
#[test]
fn distribute_timeout_resends_with_one_hour_and_never_fails() {
    let mut s = setup();
    connect(&mut s.deps);
    let batch = ConsumerPacket::DistributeBatch {
        rewards: vec![RewardInfo {
            validator: "val1".to_string(),
            reward: 10u128.into(),
        }],
        denom: LOCAL_DENOM.to_string(),
    };
    let env = mock_env();
    let msg = mock_ibc_packet_timeout(CHANNEL, &batch).unwrap();
    let res = ibc_packet_timeout(s.deps.as_mut(), env.clone(), msg).unwrap();
    let msgs: Vec<_> = res.messages.into_iter().map(|m| m.msg).collect();
    let (_, packet, timeout) = sent_packet(&msgs, &env);
    assert_eq!(packet, batch);
    assert_eq!(timeout, CONSUMER_PACKET_TIMEOUT_SECS);

    // Unparseable packet or another channel: recorded, nothing sent, no error.
    let msg = mock_ibc_packet_timeout(CHANNEL, &"garbage").unwrap();
    let res = ibc_packet_timeout(s.deps.as_mut(), env.clone(), msg).unwrap();
    assert!(res.messages.is_empty());
    let msg = mock_ibc_packet_timeout("channel-3", &batch).unwrap();
    let res = ibc_packet_timeout(s.deps.as_mut(), env, msg).unwrap();
    assert!(res.messages.is_empty());
}

/// Acks never fail; an error ack is recorded in the events and the packet is sent again (the
/// provider did not apply it; nothing on this side can be rolled back).
#[test]
fn acks_are_recorded() {
    let mut s = setup();
    connect(&mut s.deps);
    let ok = IbcAcknowledgement::new(ack_success(&mesh_apis::ibc::ValsetUpdateAck {}).unwrap());
    let msg = mock_ibc_packet_ack(CHANNEL, &valset_packet(), ok).unwrap();
    let res = ibc_packet_ack(s.deps.as_mut(), mock_env(), msg).unwrap();
    assert!(res.messages.is_empty());
    assert!(res
        .attributes
        .iter()
        .any(|a| a.key == "ack" && a.value == "success"));

    let err = IbcAcknowledgement::new(ack_fail("validator unknown"));
    let msg = mock_ibc_packet_ack(CHANNEL, &valset_packet(), err).unwrap();
    let res = ibc_packet_ack(s.deps.as_mut(), mock_env(), msg).unwrap();
    assert_eq!(res.messages.len(), 1);
    assert!(matches!(
        &res.messages[0].msg,
        cosmwasm_std::CosmosMsg::Ibc(cosmwasm_std::IbcMsg::SendPacket { data, .. })
            if *data == cosmwasm_std::to_json_binary(&valset_packet()).unwrap()
    ));
    assert!(res
        .attributes
        .iter()
        .any(|a| a.key == "ack_error" && a.value == "validator unknown"));
    assert!(res
        .attributes
        .iter()
        .any(|a| a.key == "resent" && a.value == "yes"));
    assert!(res
        .attributes
        .iter()
        .any(|a| a.key == "packet" && a.value == "valset_update"));

    let garbage = IbcAcknowledgement::new(b"???".to_vec());
    let msg = mock_ibc_packet_ack(CHANNEL, &valset_packet(), garbage).unwrap();
    let res = ibc_packet_ack(s.deps.as_mut(), mock_env(), msg).unwrap();
    assert!(res
        .attributes
        .iter()
        .any(|a| a.key == "ack" && a.value == "unparseable"));
}
