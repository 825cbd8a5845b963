//! IBC entry points of the converter: the channel handshake (OpenInit only), provider packets,
//! and acks and timeouts of its own packets.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, to_json_binary, BankMsg, Coin, CosmosMsg, DepsMut, Env, Ibc3ChannelOpenResponse,
    IbcBasicResponse, IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg,
    IbcChannelOpenResponse, IbcMsg, IbcOrder, IbcPacket, IbcPacketAckMsg, IbcPacketReceiveMsg,
    IbcPacketTimeoutMsg, IbcReceiveResponse, IbcTimeout, StdAck, StdResult, WasmMsg,
};
use mesh_apis::ibc::{
    ack_success, validate_channel, AddValidator, BurnAck, ConsumerPacket, ProtocolVersion,
    ProviderPacket, StakeAck, TransferRewardsAck, UnstakeAck, VersionError,
    CONSUMER_PACKET_TIMEOUT_SECS, VALSET_PACKET_TIMEOUT_SECS,
};
use mesh_apis::virtual_staking::{
    BurnableResponse, ExecuteMsg as VirtualStakingMsg, QueryMsg as VirtualStakingQuery,
    UnbondableResponse,
};

use crate::contract::{check_denom, to_uint128, valset_packet, ValsetChanges};
use crate::error::ContractError;
use crate::state::{CONFIG, IBC_CHANNEL, VIRTUAL_STAKING};

/// How long a packet of ours may wait for relaying: 24 h for `valset_update`, 1 h otherwise.
pub fn packet_timeout(packet: &ConsumerPacket, env: &Env) -> IbcTimeout {
    let secs = match packet {
        ConsumerPacket::ValsetUpdate { .. } => VALSET_PACKET_TIMEOUT_SECS,
        ConsumerPacket::InternalUnstake { .. } | ConsumerPacket::DistributeBatch { .. } => {
            CONSUMER_PACKET_TIMEOUT_SECS
        }
    };
    IbcTimeout::with_timestamp(env.block.time.plus_seconds(secs))
}

/// The `SendPacket` message for one of our packets.
pub fn send_packet(channel_id: &str, packet: &ConsumerPacket, env: &Env) -> StdResult<IbcMsg> {
    Ok(IbcMsg::SendPacket {
        channel_id: channel_id.to_string(),
        data: to_json_binary(packet)?,
        timeout: packet_timeout(packet, env),
    })
}

/// A short name of a consumer packet, for events.
pub fn packet_kind(packet: &ConsumerPacket) -> &'static str {
    match packet {
        ConsumerPacket::ValsetUpdate { .. } => "valset_update",
        ConsumerPacket::InternalUnstake { .. } => "internal_unstake",
        ConsumerPacket::DistributeBatch { .. } => "distribute_batch",
    }
}

/// Handshake step 1: only OpenInit (the converter opens the channel), unordered, an acceptable
/// version (an empty proposed version gets ours), and only while no channel exists.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_open(
    deps: DepsMut,
    _env: Env,
    msg: IbcChannelOpenMsg,
) -> Result<IbcChannelOpenResponse, ContractError> {
    let channel = match msg {
        IbcChannelOpenMsg::OpenInit { channel } => channel,
        IbcChannelOpenMsg::OpenTry { .. } => return Err(ContractError::OpenTryRefused),
    };
    if let Some(existing) = IBC_CHANNEL.may_load(deps.storage)? {
        return Err(ContractError::ChannelAlreadyOpen {
            channel_id: existing.endpoint.channel_id,
        });
    }
    let version = if channel.version.is_empty() {
        if channel.order != IbcOrder::Unordered {
            return Err(VersionError::Ordered.into());
        }
        ProtocolVersion::supported()
    } else {
        validate_channel(&channel)?
    };
    Ok(Some(Ibc3ChannelOpenResponse {
        version: version.to_channel_version(),
    }))
}

/// Handshake done: store the channel and announce every validator of the consumer chain with a
/// `valset_update` (sorted by address, all starting at the current block).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_connect(
    deps: DepsMut,
    env: Env,
    msg: IbcChannelConnectMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let channel = msg.channel().clone();
    if let Some(existing) = IBC_CHANNEL.may_load(deps.storage)? {
        return Err(ContractError::ChannelAlreadyOpen {
            channel_id: existing.endpoint.channel_id,
        });
    }
    validate_channel(&channel)?;
    if let Some(counterparty) = msg.counterparty_version() {
        ProtocolVersion::negotiate(counterparty)?;
    }
    IBC_CHANNEL.save(deps.storage, &channel)?;

    let mut validators: Vec<String> = deps
        .querier
        .query_all_validators()?
        .into_iter()
        .map(|v| v.address)
        .collect();
    validators.sort();
    validators.dedup();
    let additions = validators
        .into_iter()
        .map(|valoper| AddValidator {
            valoper,
            start_height: env.block.height,
            start_time: env.block.time.seconds(),
        })
        .collect::<Vec<_>>();
    let count = additions.len();
    let packet = valset_packet(
        deps.as_ref(),
        &env,
        ValsetChanges {
            additions,
            ..ValsetChanges::default()
        },
    )?;
    Ok(IbcBasicResponse::new()
        .add_message(send_packet(&channel.endpoint.channel_id, &packet, &env)?)
        .add_attribute("action", "ibc_connect")
        .add_attribute("channel_id", channel.endpoint.channel_id)
        .add_attribute("validators", count.to_string()))
}

/// The channel closed: forget it and tell virtual staking to unbond everything.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_close(
    deps: DepsMut,
    _env: Env,
    msg: IbcChannelCloseMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let channel = msg.channel();
    let response = IbcBasicResponse::new()
        .add_attribute("action", "ibc_close")
        .add_attribute("channel_id", &channel.endpoint.channel_id);
    match IBC_CHANNEL.may_load(deps.storage)? {
        Some(ours) if ours.endpoint.channel_id == channel.endpoint.channel_id => {
            IBC_CHANNEL.remove(deps.storage);
            let virtual_staking = VIRTUAL_STAKING.load(deps.storage)?;
            Ok(response.add_message(WasmMsg::Execute {
                contract_addr: virtual_staking.into_string(),
                msg: to_json_binary(&VirtualStakingMsg::HandleCloseChannel {})?,
                funds: vec![],
            }))
        }
        _ => Ok(response.add_attribute("ignored", "not our channel")),
    }
}

/// A provider packet. `stake` / `unstake` / `burn` are forwarded to virtual staking in provider
/// units; `transfer_rewards` pays the recipient from our balance. Any failure is returned as an
/// error: the runtime reverts the receive and sends an error ack.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_receive(
    deps: DepsMut,
    env: Env,
    msg: IbcPacketReceiveMsg,
) -> Result<IbcReceiveResponse, ContractError> {
    let channel_id = &msg.packet.dest.channel_id;
    match IBC_CHANNEL.may_load(deps.storage)? {
        Some(ours) if &ours.endpoint.channel_id == channel_id => {}
        other => {
            return Err(ContractError::UnknownChannel {
                channel_id: channel_id.clone(),
                expected: other
                    .map(|c| c.endpoint.channel_id)
                    .unwrap_or_else(|| "none".to_string()),
            })
        }
    }
    let packet: ProviderPacket = from_json(&msg.packet.data)?;
    let config = CONFIG.load(deps.storage)?;
    let virtual_staking = VIRTUAL_STAKING.load(deps.storage)?;
    let forward = |msg: &VirtualStakingMsg| -> StdResult<WasmMsg> {
        Ok(WasmMsg::Execute {
            contract_addr: virtual_staking.to_string(),
            msg: to_json_binary(msg)?,
            funds: vec![],
        })
    };

    let response = match packet {
        ProviderPacket::Stake {
            delegator,
            validator,
            stake,
            tx_id,
        } => {
            check_denom(&config.remote_denom, &stake)?;
            if deps.querier.query_validator(&validator)?.is_none() {
                return Err(ContractError::UnknownValidator { validator });
            }
            let attrs = [
                ("action", "receive_stake".to_string()),
                ("delegator", delegator.clone()),
                ("validator", validator.clone()),
                ("amount", stake.amount.to_string()),
                ("tx_id", tx_id.to_string()),
            ];
            IbcReceiveResponse::new(ack_success(&StakeAck {})?)
                .add_message(forward(&VirtualStakingMsg::Bond {
                    delegator,
                    validator,
                    amount: stake,
                })?)
                .add_attributes(attrs)
        }
        ProviderPacket::Unstake {
            delegator,
            validator,
            unstake,
            tx_id,
        } => {
            check_denom(&config.remote_denom, &unstake)?;
            let attrs = [
                ("action", "receive_unstake".to_string()),
                ("delegator", delegator.clone()),
                ("validator", validator.clone()),
                ("amount", unstake.amount.to_string()),
                ("tx_id", tx_id.to_string()),
            ];
            // After a slash here the provider may ask for more than is left: virtual staking
            // then unbonds what is left, and the ack says how much that was.
            let asked = to_uint128(unstake.amount)?;
            let answer: UnbondableResponse = deps.querier.query_wasm_smart(
                &virtual_staking,
                &VirtualStakingQuery::Unbondable {
                    validator: validator.clone(),
                    amount: asked,
                },
            )?;
            let unbonded = (answer.unbonded != asked).then_some(answer.unbonded);
            let ack = UnstakeAck {
                unbonded,
                height: Some(env.block.height),
            };
            IbcReceiveResponse::new(ack_success(&ack)?)
                .add_message(forward(&VirtualStakingMsg::Unbond {
                    delegator,
                    validator,
                    amount: unstake,
                })?)
                .add_attributes(attrs)
        }
        ProviderPacket::Burn { validators, burn } => {
            check_denom(&config.remote_denom, &burn)?;
            let attrs = [
                ("action", "receive_burn".to_string()),
                ("validators", validators.join(",")),
                ("amount", burn.amount.to_string()),
            ];
            // A burn that crossed an internal unstake or a slash here finds less than asked:
            // the ack says how much virtual staking takes, so the provider can tell.
            let asked = to_uint128(burn.amount)?;
            let answer: BurnableResponse = deps.querier.query_wasm_smart(
                &virtual_staking,
                &VirtualStakingQuery::Burnable {
                    validators: validators.clone(),
                    amount: asked,
                },
            )?;
            let ack = BurnAck {
                burned: (answer.burned != asked).then_some(answer.burned),
            };
            IbcReceiveResponse::new(ack_success(&ack)?)
                .add_message(forward(&VirtualStakingMsg::Burn {
                    validators,
                    amount: burn,
                })?)
                .add_attributes(attrs)
        }
        ProviderPacket::TransferRewards {
            rewards,
            recipient,
            tx_id,
        } => {
            check_denom(&config.local_denom, &rewards)?;
            let to = deps.api.addr_validate(&recipient).map_err(|e| {
                ContractError::InvalidRecipient {
                    recipient: recipient.clone(),
                    reason: e.to_string(),
                }
            })?;
            let requested = to_uint128(rewards.amount)?;
            let balance = to_uint128(
                deps.querier
                    .query_balance(&env.contract.address, &config.local_denom)?
                    .amount,
            )?;
            if balance < requested {
                return Err(ContractError::InsufficientRewards {
                    balance,
                    requested,
                    denom: config.local_denom,
                });
            }
            let pay: CosmosMsg = BankMsg::Send {
                to_address: to.to_string(),
                amount: vec![Coin::new(requested, config.local_denom)],
            }
            .into();
            IbcReceiveResponse::new(ack_success(&TransferRewardsAck {})?)
                .add_message(pay)
                .add_attribute("action", "receive_transfer_rewards")
                .add_attribute("recipient", to)
                .add_attribute("amount", requested.to_string())
                .add_attribute("tx_id", tx_id.to_string())
        }
    };
    Ok(response)
}

/// The provider acknowledged one of our packets. An error ack means it did not apply it: the
/// packet is sent again (like after a timeout). Never fails.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_ack(
    deps: DepsMut,
    env: Env,
    msg: IbcPacketAckMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let kind = from_json::<ConsumerPacket>(&msg.original_packet.data)
        .map(|p| packet_kind(&p))
        .unwrap_or("unknown");
    let response = IbcBasicResponse::new()
        .add_attribute("action", "ibc_packet_ack")
        .add_attribute("packet", kind)
        .add_attribute("sequence", msg.original_packet.sequence.to_string());
    Ok(match from_json::<StdAck>(&msg.acknowledgement.data) {
        Ok(StdAck::Success(_)) => response.add_attribute("ack", "success"),
        // The provider did not apply this packet, and there is nothing to roll back here (the
        // consumer already changed its state): send it again, as after a timeout, so both
        // sides converge.
        Ok(StdAck::Error(error)) => resend(
            deps,
            &env,
            msg.original_packet,
            response
                .add_attribute("ack", "error")
                .add_attribute("ack_error", error),
        ),
        Err(_) => response.add_attribute("ack", "unparseable"),
    })
}

/// Send `packet` again on the open channel with a fresh timeout (after a timeout or an error
/// ack); nothing when the channel is gone.
fn resend(
    deps: DepsMut,
    env: &Env,
    packet: IbcPacket,
    response: IbcBasicResponse,
) -> IbcBasicResponse {
    let parsed = match from_json::<ConsumerPacket>(&packet.data) {
        Ok(parsed) => parsed,
        Err(_) => return response.add_attribute("resent", "no: unparseable packet"),
    };
    let response = response.add_attribute("packet", packet_kind(&parsed));
    let channel = IBC_CHANNEL.may_load(deps.storage).ok().flatten();
    match channel {
        Some(channel) if channel.endpoint.channel_id == packet.src.channel_id => response
            .add_message(IbcMsg::SendPacket {
                channel_id: channel.endpoint.channel_id,
                data: packet.data,
                timeout: packet_timeout(&parsed, env),
            })
            .add_attribute("resent", "yes"),
        _ => response.add_attribute("resent", "no: channel closed"),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_timeout(
    deps: DepsMut,
    env: Env,
    msg: IbcPacketTimeoutMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let response = IbcBasicResponse::new()
        .add_attribute("action", "ibc_packet_timeout")
        .add_attribute("sequence", msg.packet.sequence.to_string());
    Ok(resend(deps, &env, msg.packet, response))
}
