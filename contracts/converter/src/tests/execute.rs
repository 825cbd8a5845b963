//! Instantiation and the virtual-staking-only execute messages.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env, StakingQuerier};
use cosmwasm_std::{
    from_json, to_json_binary, Binary, Coin, CosmosMsg, Decimal, Event, Reply, ReplyOn,
    SubMsgResponse, SubMsgResult, Uint128, WasmMsg,
};
use cw_utils::PaymentError;
use mesh_apis::converter::ConfigResponse;
use mesh_apis::ibc::{
    AddValidator, ConsumerPacket, RewardInfo, ValidatorSlashInfo, CONSUMER_PACKET_TIMEOUT_SECS,
    VALSET_PACKET_TIMEOUT_SECS,
};
use mesh_apis::virtual_staking::InstantiateMsg as VirtualStakingInstantiateMsg;

use super::{connect, sent_packet, setup, Setup, CHANNEL, LOCAL_DENOM, REMOTE_DENOM};
use crate::contract::{execute, instantiate, query, reply, REPLY_INSTANTIATE_VIRTUAL_STAKING};
use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, QueryMsg};

fn exec(s: &mut Setup, funds: &[Coin], msg: ExecuteMsg) -> Result<Vec<CosmosMsg>, ContractError> {
    let sender = s.virtual_staking.clone();
    execute(
        s.deps.as_mut(),
        mock_env(),
        message_info(&sender, funds),
        msg,
    )
    .map(|r| r.messages.into_iter().map(|m| m.msg).collect())
}

fn slash(validator: &str, amount: u128) -> ValidatorSlashInfo {
    ValidatorSlashInfo {
        validator: validator.to_string(),
        infraction_height: 90,
        infraction_time: 1_000,
        power: Uint128::new(1_000_000_000),
        slash_amount: Uint128::new(amount),
        slash_ratio: Decimal::percent(10),
        tombstoned: false,
        provider_amount: None,
    }
}

fn empty_valset() -> ExecuteMsg {
    ExecuteMsg::ValsetUpdate {
        additions: None,
        removals: None,
        updated: None,
        jailed: None,
        unjailed: None,
        tombstoned: None,
        slashed: None,
    }
}

/// Instantiation instantiates virtual staking (reply on success, with max_retrieve) and the
/// reply stores its address.
#[test]
fn instantiate_creates_virtual_staking() {
    let mut deps = mock_dependencies();
    deps.querier.staking = StakingQuerier::new(LOCAL_DENOM, &[], &[]);
    let creator = deps.api.addr_make("creator");
    let admin = deps.api.addr_make("admin");
    let msg = InstantiateMsg {
        price_feed: deps.api.addr_make("feed").to_string(),
        discount: Decimal::percent(10),
        remote_denom: REMOTE_DENOM.to_string(),
        virtual_staking_code_id: 42,
        admin: Some(admin.to_string()),
        max_retrieve: 25,
    };
    let res = instantiate(deps.as_mut(), mock_env(), message_info(&creator, &[]), msg).unwrap();
    assert_eq!(res.messages.len(), 1);
    assert_eq!(res.messages[0].id, REPLY_INSTANTIATE_VIRTUAL_STAKING);
    assert_eq!(res.messages[0].reply_on, ReplyOn::Success);
    assert_eq!(
        res.messages[0].msg,
        CosmosMsg::Wasm(WasmMsg::Instantiate {
            admin: Some(admin.to_string()),
            code_id: 42,
            msg: to_json_binary(&VirtualStakingInstantiateMsg { max_retrieve: 25 }).unwrap(),
            funds: vec![],
            label: "mesh virtual staking (uosmo)".to_string(),
        })
    );

    // The reply may only carry the address in the instantiate event (older chains).
    let vs = deps.api.addr_make("vs");
    #[allow(deprecated)]
    let response = SubMsgResponse {
        events: vec![Event::new("instantiate").add_attribute("_contract_address", vs.as_str())],
        data: None,
        msg_responses: vec![],
    };
    let reply_msg = Reply {
        id: REPLY_INSTANTIATE_VIRTUAL_STAKING,
        payload: Binary::default(),
        gas_used: 0,
        result: SubMsgResult::Ok(response),
    };
    reply(deps.as_mut(), mock_env(), reply_msg.clone()).unwrap();
    let config: ConfigResponse =
        from_json(query(deps.as_ref(), mock_env(), QueryMsg::Config {}).unwrap()).unwrap();
    assert_eq!(
        config,
        ConfigResponse {
            price_feed: deps.api.addr_make("feed").to_string(),
            discount: Decimal::percent(10),
            remote_denom: REMOTE_DENOM.to_string(),
            virtual_staking: vs.to_string(),
            channel_id: None,
        }
    );

    // Unknown reply ids and replies without an address are errors.
    let err = reply(
        deps.as_mut(),
        mock_env(),
        Reply {
            id: 99,
            ..reply_msg
        },
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "unknown reply id 99");
    #[allow(deprecated)]
    let empty = SubMsgResponse {
        events: vec![],
        data: None,
        msg_responses: vec![],
    };
    let err = reply(
        deps.as_mut(),
        mock_env(),
        Reply {
            id: REPLY_INSTANTIATE_VIRTUAL_STAKING,
            payload: Binary::default(),
            gas_used: 0,
            result: SubMsgResult::Ok(empty),
        },
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::NoVirtualStakingAddress { .. }));
}

/// Instantiation refuses funds and invalid addresses.
#[test]
fn instantiate_refuses_funds_and_bad_addresses() {
    let mut deps = mock_dependencies();
    let creator = deps.api.addr_make("creator");
    let msg = InstantiateMsg {
        price_feed: "bad feed".to_string(),
        discount: Decimal::percent(10),
        remote_denom: REMOTE_DENOM.to_string(),
        virtual_staking_code_id: 42,
        admin: None,
        max_retrieve: 25,
    };
    let err = instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&creator, &[]),
        msg.clone(),
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)));
    let err = instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&creator, &[Coin::new(1u128, LOCAL_DENOM)]),
        msg,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        ContractError::Payment(PaymentError::NonPayable {})
    ));
}

/// Every execute message is refused from anyone but virtual staking.
#[test]
fn execute_only_from_virtual_staking() {
    let mut s = setup();
    let intruder = s.deps.api.addr_make("intruder");
    let msgs = [
        empty_valset(),
        ExecuteMsg::DistributeRewards { payments: vec![] },
        ExecuteMsg::InternalUnstake {
            delegator: "alice".to_string(),
            validator: "val1".to_string(),
            amount: Coin::new(1u128, REMOTE_DENOM),
        },
    ];
    for msg in msgs {
        let err = execute(
            s.deps.as_mut(),
            mock_env(),
            message_info(&intruder, &[]),
            msg,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "unauthorized: only virtual staking {} may call this, not {intruder}",
                s.virtual_staking
            )
        );
    }
}

/// A slash forwarded with what virtual staking cut from its requests (`provider_amount`) goes
/// out with that amount, at most the conversion (3,600,000 consumer → 7,999,999 provider), and
/// never with the field itself.
#[test]
fn valset_update_sends_what_virtual_staking_cut() {
    let mut s = setup();
    connect(&mut s.deps);
    let env = mock_env();
    let with_cut = |amount: u128, cut: u128| ValidatorSlashInfo {
        provider_amount: Some(Uint128::new(cut)),
        ..slash("val1", amount)
    };
    let update = |slashed: ValidatorSlashInfo| ExecuteMsg::ValsetUpdate {
        additions: None,
        removals: None,
        updated: None,
        jailed: Some(vec!["val1".to_string()]),
        unjailed: None,
        tombstoned: None,
        slashed: Some(vec![slashed]),
    };
    for (cut, sent) in [(5_000_000, 5_000_000), (9_000_000, 7_999_999)] {
        let msgs = exec(&mut s, &[], update(with_cut(3_600_000, cut))).unwrap();
        let (_, packet, _) = sent_packet(&msgs, &env);
        let ConsumerPacket::ValsetUpdate { slashed, .. } = packet else {
            panic!("a valset_update packet");
        };
        assert_eq!(slashed, vec![slash("val1", sent)]);
    }
}

/// `valset_update` becomes a packet with the slash amounts converted to provider units (the
/// inverse conversion: 3,600,000 consumer → 7,999,999 provider at 0.5 / 0.1), 24 h timeout.
#[test]
fn valset_update_converts_slashes_to_provider_units() {
    let mut s = setup();
    connect(&mut s.deps);
    let env = mock_env();
    let added = AddValidator {
        valoper: "val4".to_string(),
        start_height: 12,
        start_time: 34,
    };
    let msgs = exec(
        &mut s,
        &[],
        ExecuteMsg::ValsetUpdate {
            additions: Some(vec![added.clone()]),
            removals: None,
            updated: None,
            jailed: Some(vec!["val1".to_string()]),
            unjailed: None,
            tombstoned: Some(vec!["val2".to_string()]),
            slashed: Some(vec![slash("val1", 3_600_000)]),
        },
    )
    .unwrap();
    let (channel, packet, timeout) = sent_packet(&msgs, &env);
    assert_eq!(channel, CHANNEL);
    assert_eq!(timeout, VALSET_PACKET_TIMEOUT_SECS);
    assert_eq!(
        packet,
        ConsumerPacket::ValsetUpdate {
            height: env.block.height,
            time: env.block.time.seconds(),
            additions: vec![added],
            removals: vec![],
            updated: vec![],
            jailed: vec!["val1".to_string()],
            unjailed: vec![],
            tombstoned: vec!["val2".to_string()],
            slashed: vec![slash("val1", 7_999_999)],
        }
    );

    // Nothing changed: no packet. Funds are refused.
    assert!(exec(&mut s, &[], empty_valset()).unwrap().is_empty());
    let err = exec(&mut s, &[Coin::new(1u128, LOCAL_DENOM)], empty_valset()).unwrap_err();
    assert!(matches!(err, ContractError::Payment(_)));
}

/// Before the channel is connected nothing is sent (connect announces the whole set anyway).
#[test]
fn valset_update_without_channel_sends_nothing() {
    let mut s = setup();
    let msgs = exec(
        &mut s,
        &[],
        ExecuteMsg::ValsetUpdate {
            additions: None,
            removals: None,
            updated: None,
            jailed: Some(vec!["val1".to_string()]),
            unjailed: None,
            tombstoned: None,
            slashed: None,
        },
    )
    .unwrap();
    assert!(msgs.is_empty());
}

/// `distribute_rewards` with funds becomes one `distribute_batch` packet (1 h timeout); the
/// payments must add up to the funds, in the consumer denom.
#[test]
fn distribute_rewards_sends_batch() {
    let mut s = setup();
    connect(&mut s.deps);
    let env = mock_env();
    let payments = vec![
        RewardInfo {
            validator: "val1".to_string(),
            reward: Uint128::new(10),
        },
        RewardInfo {
            validator: "val2".to_string(),
            reward: Uint128::new(20),
        },
    ];
    let msgs = exec(
        &mut s,
        &[Coin::new(30u128, LOCAL_DENOM)],
        ExecuteMsg::DistributeRewards {
            payments: payments.clone(),
        },
    )
    .unwrap();
    let (_, packet, timeout) = sent_packet(&msgs, &env);
    assert_eq!(timeout, CONSUMER_PACKET_TIMEOUT_SECS);
    assert_eq!(
        packet,
        ConsumerPacket::DistributeBatch {
            rewards: payments.clone(),
            denom: LOCAL_DENOM.to_string(),
        }
    );

    let err = exec(
        &mut s,
        &[Coin::new(31u128, LOCAL_DENOM)],
        ExecuteMsg::DistributeRewards {
            payments: payments.clone(),
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rewards batch mismatch: 31 sent, payments sum to 30"
    );
    let err = exec(
        &mut s,
        &[Coin::new(30u128, REMOTE_DENOM)],
        ExecuteMsg::DistributeRewards {
            payments: payments.clone(),
        },
    )
    .unwrap_err();
    assert!(matches!(
        err,
        ContractError::Payment(PaymentError::MissingDenom(_))
    ));
    let err = exec(&mut s, &[], ExecuteMsg::DistributeRewards { payments }).unwrap_err();
    assert!(matches!(
        err,
        ContractError::Payment(PaymentError::NoFunds {})
    ));
}

/// `internal_unstake` sends the amount in provider units and its consumer value
/// (80,000,000 uosmo → 36,000,000 ujuno), 1 h timeout; wrong denom and funds are refused.
#[test]
fn internal_unstake_sends_both_units() {
    let mut s = setup();
    connect(&mut s.deps);
    let env = mock_env();
    let msg = ExecuteMsg::InternalUnstake {
        delegator: "alice".to_string(),
        validator: "val1".to_string(),
        amount: Coin::new(80_000_000u128, REMOTE_DENOM),
    };
    let msgs = exec(&mut s, &[], msg.clone()).unwrap();
    let (_, packet, timeout) = sent_packet(&msgs, &env);
    assert_eq!(timeout, CONSUMER_PACKET_TIMEOUT_SECS);
    assert_eq!(
        packet,
        ConsumerPacket::InternalUnstake {
            delegator: "alice".to_string(),
            validator: "val1".to_string(),
            normalize_amount: Coin::new(80_000_000u128, REMOTE_DENOM),
            inverted_amount: Coin::new(36_000_000u128, LOCAL_DENOM),
        }
    );
    let err = exec(&mut s, &[Coin::new(1u128, LOCAL_DENOM)], msg).unwrap_err();
    assert!(matches!(
        err,
        ContractError::Payment(PaymentError::NonPayable {})
    ));
    let err = exec(
        &mut s,
        &[],
        ExecuteMsg::InternalUnstake {
            delegator: "alice".to_string(),
            validator: "val1".to_string(),
            amount: Coin::new(1u128, LOCAL_DENOM),
        },
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "wrong denom: expected uosmo, got ujuno");
}
