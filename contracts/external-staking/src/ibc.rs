//! IBC entry points of external staking (docs/system.md ("The channel")): the handshake (only OpenTry, from the
//! configured connection and converter port, one channel), the consumer's packets (valset
//! updates with slashes, internal unstakes, reward batches) and the acks and timeouts of the
//! packets this contract sends. Processing an ack or a timeout never fails.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Attribute, Binary, DepsMut, Env, Event,
    Ibc3ChannelOpenResponse, IbcBasicResponse, IbcChannel, IbcChannelCloseMsg,
    IbcChannelConnectMsg, IbcChannelOpenMsg, IbcChannelOpenResponse, IbcMsg, IbcPacket,
    IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcReceiveResponse, IbcTimeout,
    Order, StdAck, StdResult, Storage, Timestamp, Uint128, WasmMsg,
};
use mesh_apis::external_staking::ValidatorState;
use mesh_apis::ibc::{
    ack_success, validate_channel, AddValidator, BurnAck, ConsumerPacket, DistributeAck,
    InternalUnstakeAck, ProviderPacket, RewardInfo, UnstakeAck, ValidatorSlashInfo,
    ValsetUpdateAck,
};
use mesh_apis::vault::ExecuteMsg as VaultExecuteMsg;
use mesh_apis::Tx;

use crate::burns::Removal;
use crate::contract::{checked_amount, vault_msg};
use crate::error::ContractError;
use crate::rewards::Distribution;
use crate::slashing::{
    debt_payment, internal_unstake, pay_debt, settle_debt, slash_from_validator, slash_stakers,
    take_from_validator, valid_ratio, InternalUnstakeOutcome,
};
use crate::state::{
    load_distribution, load_stake, update_stake, Config, PendingSlash, Stake, AUTH_ENDPOINT,
    CHANNEL_CLOSED, CONFIG, DISTRIBUTION, IBC_CHANNEL, PENDING_SLASHES, PENDING_TXS, SLASH_CREDIT,
    SLASH_DEBT, STAKES, UNSTAKE_DEBT,
};
use crate::valset;

/// The channel packets can be sent on: connected and not closed.
pub fn usable_channel(storage: &dyn Storage) -> StdResult<Option<IbcChannel>> {
    if CHANNEL_CLOSED.may_load(storage)?.unwrap_or(false) {
        return Ok(None);
    }
    IBC_CHANNEL.may_load(storage)
}

/// The connected, open channel, or why there is none (`NoChannel`, `ChannelClosed`).
pub fn open_channel(storage: &dyn Storage) -> Result<IbcChannel, ContractError> {
    let channel = IBC_CHANNEL
        .may_load(storage)?
        .ok_or(ContractError::NoChannel)?;
    if CHANNEL_CLOSED.may_load(storage)?.unwrap_or(false) {
        return Err(ContractError::ChannelClosed {
            channel_id: channel.endpoint.channel_id,
        });
    }
    Ok(channel)
}

/// An `IbcMsg::SendPacket` of `packet` on the channel, timing out `packet_timeout` seconds
/// from now. Fails without a connected, open channel.
pub fn packet_msg(
    storage: &dyn Storage,
    env: &Env,
    cfg: &Config,
    packet: &ProviderPacket,
) -> Result<IbcMsg, ContractError> {
    let channel = open_channel(storage)?;
    Ok(IbcMsg::SendPacket {
        channel_id: channel.endpoint.channel_id,
        data: to_json_binary(packet)?,
        timeout: IbcTimeout::with_timestamp(env.block.time.plus_seconds(cfg.packet_timeout)),
    })
}

/// The `burn` packet of `amount` on `validator`, recorded as in flight ([`crate::burns`]).
pub fn burn_msg(
    storage: &mut dyn Storage,
    env: &Env,
    cfg: &Config,
    validator: &str,
    amount: Uint128,
) -> Result<IbcMsg, ContractError> {
    let packet = ProviderPacket::Burn {
        validators: vec![validator.to_string()],
        burn: cosmwasm_std::coin(amount.u128(), &cfg.denom),
    };
    let msg = packet_msg(storage, env, cfg, &packet)?;
    crate::burns::burn_sent(storage, validator, amount)?;
    Ok(msg)
}

fn check_endpoint(storage: &dyn Storage, channel: &IbcChannel) -> Result<(), ContractError> {
    let auth = AUTH_ENDPOINT.load(storage)?;
    if channel.connection_id != auth.connection_id {
        return Err(ContractError::WrongConnection {
            expected: auth.connection_id,
            got: channel.connection_id.clone(),
        });
    }
    if channel.counterparty_endpoint.port_id != auth.port_id {
        return Err(ContractError::WrongPort {
            expected: auth.port_id,
            got: channel.counterparty_endpoint.port_id.clone(),
        });
    }
    Ok(())
}

fn ensure_no_channel(storage: &dyn Storage) -> Result<(), ContractError> {
    if let Some(existing) = IBC_CHANNEL.may_load(storage)? {
        return Err(ContractError::ChannelAlreadyOpen {
            channel_id: existing.endpoint.channel_id,
        });
    }
    Ok(())
}

/// Handshake step 1: accept only OpenTry (the consumer opens), from the configured connection
/// and counterparty port, unordered, with a compatible version; only one channel ever.
/// Answers with our version when it differs from the counterparty's.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_open(
    deps: DepsMut,
    _env: Env,
    msg: IbcChannelOpenMsg,
) -> Result<IbcChannelOpenResponse, ContractError> {
    ensure_no_channel(deps.storage)?;
    let (channel, counterparty_version) = match msg {
        IbcChannelOpenMsg::OpenInit { .. } => return Err(ContractError::OpenInitRefused),
        IbcChannelOpenMsg::OpenTry {
            channel,
            counterparty_version,
        } => (channel, counterparty_version),
    };
    check_endpoint(deps.storage, &channel)?;
    let mut proposed = channel;
    proposed.version = counterparty_version.clone();
    let version = validate_channel(&proposed)?.to_channel_version();
    if version == counterparty_version {
        Ok(None)
    } else {
        Ok(Some(Ibc3ChannelOpenResponse { version }))
    }
}

/// Handshake last step: check the channel again and store it.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_connect(
    deps: DepsMut,
    _env: Env,
    msg: IbcChannelConnectMsg,
) -> Result<IbcBasicResponse, ContractError> {
    ensure_no_channel(deps.storage)?;
    let channel = msg.channel().clone();
    check_endpoint(deps.storage, &channel)?;
    validate_channel(&channel)?;
    IBC_CHANNEL.save(deps.storage, &channel)?;
    CHANNEL_CLOSED.save(deps.storage, &false)?;
    Ok(IbcBasicResponse::new()
        .add_attribute("action", "ibc_channel_connect")
        .add_attribute("channel_id", channel.endpoint.channel_id)
        .add_attribute("version", channel.version))
}

/// The channel closed: every stake becomes a pending unbond released now (in-flight packets
/// will time out, and whatever they give back is released the same way). No packet can be sent
/// afterwards and no second channel can be opened.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_channel_close(
    deps: DepsMut,
    env: Env,
    msg: IbcChannelCloseMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let closing = msg.channel().endpoint.channel_id.clone();
    let resp = IbcBasicResponse::new()
        .add_attribute("action", "ibc_channel_close")
        .add_attribute("channel_id", &closing);
    let Some(ours) = IBC_CHANNEL.may_load(deps.storage)? else {
        return Ok(resp.add_attribute("ignored", "no channel connected"));
    };
    if ours.endpoint.channel_id != closing {
        return Err(ContractError::UnknownChannel {
            expected: ours.endpoint.channel_id,
            got: closing,
        });
    }
    CHANNEL_CLOSED.save(deps.storage, &true)?;
    // Everything goes back to the vault now; debts owed by packets in flight and credits of
    // slashes still to come lapse.
    SLASH_DEBT.clear(deps.storage);
    UNSTAKE_DEBT.clear(deps.storage);
    SLASH_CREDIT.clear(deps.storage);
    crate::burns::clear(deps.storage);
    let keys: Vec<(Addr, String)> = STAKES
        .keys(deps.storage, None, None, Order::Ascending)
        .collect::<StdResult<_>>()?;
    let mut unbonded = Uint128::zero();
    for (user, validator) in keys {
        let moved = update_stake(deps.storage, &user, &validator, |stake, dist| {
            release_all_now(stake, dist, env.block.time)
        })?;
        unbonded = unbonded.saturating_add(moved);
    }
    Ok(resp.add_attribute("unbonded", unbonded))
}

/// Tx `tx_id` of `user` resolved and returned up to `up_to` to the settled stake: it pays the
/// validator's slash debt from it (cut from the stake), then its internal-unstake debt from the
/// rest (moved to an unbond released at `now`), each at most what is settled; a tx that returned
/// nothing only leaves both debts. Returns the slash payment (the vault must hear of it).
fn pay_debts_from_settled(
    storage: &mut dyn Storage,
    user: &Addr,
    validator: &str,
    tx_id: u64,
    up_to: Uint128,
    now: Timestamp,
) -> StdResult<Uint128> {
    let low = load_stake(storage, user, validator)?.stake.low;
    let slashed = pay_debt(Removal::Slash, storage, validator, tx_id, up_to.min(low))?;
    let left = up_to.min(low) - slashed;
    let unstaked = pay_debt(Removal::Unstake, storage, validator, tx_id, left)?;
    if !slashed.is_zero() || !unstaked.is_zero() {
        update_stake(storage, user, validator, |stake, dist| {
            stake.stake.sub_settled(slashed);
            dist.sub_weight(stake, slashed);
            stake.unbond_settled(dist, unstaked, now);
        })?;
    }
    Ok(slashed)
}

/// A burn of `amount` on `validators` (this contract names one) is resolved: the consumer took
/// `taken` of it. Settles the removals it crossed ([`crate::burns::burn_acked`]) and takes here
/// what the consumer took from others' requests.
fn burn_resolved(
    storage: &mut dyn Storage,
    env: &Env,
    validators: &[String],
    amount: Uint128,
    taken: Uint128,
    mut resp: IbcBasicResponse,
) -> Result<IbcBasicResponse, ContractError> {
    let [validator] = validators else {
        return Ok(resp);
    };
    if taken < amount {
        resp = resp.add_attribute("untaken", amount - taken);
    }
    let acked = crate::burns::burn_acked(storage, validator, amount, taken)?;
    if !acked.covered.is_zero() {
        resp = resp.add_attribute("crossed_covered", acked.covered);
    }
    if !acked.to_take.is_zero() {
        let out = take_from_validator(storage, env.block.time, validator, acked.to_take)?;
        resp = resp
            .add_attribute("crossed_taken", acked.to_take)
            .add_attributes(unstake_attributes(&out));
    }
    if !acked.to_slash.is_zero() {
        let out = slash_from_validator(storage, validator, acked.to_slash)?;
        resp = resp.add_attribute("crossed_slashed", acked.to_slash);
        for (key, value) in [("slash_owed", out.owed), ("slash_dropped", out.dropped)] {
            if !value.is_zero() {
                resp = resp.add_attribute(key, format!("{validator}:{value}"));
            }
        }
        if !out.slashes.is_empty() {
            let cfg = CONFIG.load(storage)?;
            resp = resp.add_message(cross_slash_msg(&cfg, validator, out.slashes)?);
        }
    }
    Ok(resp)
}

/// The attributes of an internal unstake's (or a crossed burn's) [`InternalUnstakeOutcome`]:
/// who unbonded what, and the parts matched with burns, owed or dropped (non-zero only).
fn unstake_attributes(out: &InternalUnstakeOutcome) -> Vec<Attribute> {
    let mut attrs: Vec<Attribute> = out
        .moved
        .iter()
        .map(|(owner, moved)| Attribute::new("unbonded", format!("{owner}:{moved}")))
        .collect();
    for (key, value) in [
        ("unstake_crossed_burn", out.crossed),
        ("unstake_owed", out.owed),
        ("unstake_dropped", out.dropped),
    ] {
        if !value.is_zero() {
            attrs.push(Attribute::new(key, value.to_string()));
        }
    }
    attrs
}

/// Tell the vault about a slash debt `user` paid on `validator` (nothing for zero).
fn report_slash_paid(
    resp: IbcBasicResponse,
    cfg: &Config,
    user: &Addr,
    validator: &str,
    paid: Uint128,
) -> Result<IbcBasicResponse, ContractError> {
    if paid.is_zero() {
        return Ok(resp);
    }
    let slashes = vec![mesh_apis::vault::SlashInfo {
        user: user.to_string(),
        slash: paid,
    }];
    Ok(resp
        .add_attribute("slash_paid", format!("{validator}:{paid}"))
        .add_message(cross_slash_msg(cfg, validator, slashes)?))
}

/// The vault's `cross_slash` of `slashes` on `validator`.
fn cross_slash_msg(
    cfg: &Config,
    validator: &str,
    slashes: Vec<mesh_apis::vault::SlashInfo>,
) -> StdResult<WasmMsg> {
    vault_msg(
        cfg,
        &VaultExecuteMsg::CrossSlash {
            slashes,
            validator: validator.to_string(),
        },
    )
}

/// Move the settled stake (`low`) to a pending unbond released at `now`.
fn release_all_now(stake: &mut Stake, dist: &mut Distribution, now: Timestamp) -> Uint128 {
    stake.unbond_settled(dist, stake.stake.low, now)
}

/// Packets from the consumer. A bad packet returns `Err` (the runtime reverts and answers with
/// an error ack).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_receive(
    deps: DepsMut,
    env: Env,
    msg: IbcPacketReceiveMsg,
) -> Result<IbcReceiveResponse, ContractError> {
    let ours = IBC_CHANNEL
        .may_load(deps.storage)?
        .ok_or(ContractError::NoChannel)?;
    if msg.packet.dest.channel_id != ours.endpoint.channel_id {
        return Err(ContractError::UnknownChannel {
            expected: ours.endpoint.channel_id,
            got: msg.packet.dest.channel_id,
        });
    }
    let cfg = CONFIG.load(deps.storage)?;
    match from_json(&msg.packet.data)? {
        ConsumerPacket::ValsetUpdate {
            height,
            time,
            additions,
            removals,
            updated,
            jailed,
            unjailed,
            tombstoned,
            slashed,
        } => {
            let changes = ValsetChanges {
                height,
                time,
                additions,
                removals,
                updated,
                jailed,
                unjailed,
                tombstoned,
                slashed,
            };
            valset_update(deps, &env, &cfg, changes)
        }
        ConsumerPacket::InternalUnstake {
            delegator,
            validator,
            normalize_amount,
            inverted_amount: _,
        } => {
            let amount = checked_amount(&cfg.denom, &normalize_amount)?;
            let user = deps.api.addr_validate(&delegator)?;
            let out = internal_unstake(deps.storage, env.block.time, &validator, &user, amount)?;
            Ok(
                IbcReceiveResponse::new(ack_success(&InternalUnstakeAck {})?)
                    .add_attribute("action", "internal_unstake")
                    .add_attribute("owner", user)
                    .add_attribute("validator", &validator)
                    .add_attribute("amount", amount)
                    .add_attributes(unstake_attributes(&out)),
            )
        }
        ConsumerPacket::DistributeBatch { rewards, denom } => {
            distribute_batch(deps, &cfg, rewards, denom)
        }
    }
}

/// The fields of a `valset_update` packet.
struct ValsetChanges {
    height: u64,
    time: u64,
    additions: Vec<AddValidator>,
    removals: Vec<String>,
    updated: Vec<AddValidator>,
    jailed: Vec<String>,
    unjailed: Vec<String>,
    tombstoned: Vec<String>,
    slashed: Vec<ValidatorSlashInfo>,
}

/// Apply a validator-set update: slashes first (judged on the history before this update),
/// then tombstones, additions, jailings, removals (a jailed validator reported as removed stays
/// jailed), unjailings. `updated` changes no state.
fn valset_update(
    deps: DepsMut,
    env: &Env,
    cfg: &Config,
    c: ValsetChanges,
) -> Result<IbcReceiveResponse, ContractError> {
    if let Some(bad) = c.slashed.iter().find(|s| !valid_ratio(s.slash_ratio)) {
        return Err(ContractError::InvalidSlashRatio {
            ratio: bad.slash_ratio.to_string(),
        });
    }
    let mut resp = IbcReceiveResponse::new(ack_success(&ValsetUpdateAck {})?)
        .add_attribute("action", "valset_update")
        .add_attribute("height", c.height.to_string());
    let mut msgs: Vec<WasmMsg> = vec![];
    for s in &c.slashed {
        if valset::was_active_at(deps.storage, &s.validator, s.infraction_height)? {
            resp = apply_slash(deps.storage, env, cfg, s, c.height, resp, &mut msgs)?;
        } else if valset::tombstoned_before(deps.storage, &s.validator, s.infraction_height)? {
            resp = resp.add_attribute("slash_ignored", &s.validator);
        } else {
            // An update this one overtook may still show the validator active then.
            let mut pending = PENDING_SLASHES
                .may_load(deps.storage, &s.validator)?
                .unwrap_or_default();
            pending.push(PendingSlash {
                info: s.clone(),
                height: c.height,
            });
            PENDING_SLASHES.save(deps.storage, &s.validator, &pending)?;
            resp = resp.add_attribute("slash_pending", &s.validator);
        }
    }

    let (h, t) = (c.height, c.time);
    let store = deps.storage;
    let mut touched: Vec<&str> = vec![];
    for v in &c.tombstoned {
        valset::set_state(store, v, h, t, ValidatorState::Tombstoned)?;
        touched.push(v);
    }
    for a in &c.additions {
        let at = match valset::current(store, &a.valoper)? {
            Some(_) => h,
            None => a.start_height.min(h),
        };
        valset::set_state(store, &a.valoper, at, t, ValidatorState::Active)?;
        touched.push(&a.valoper);
    }
    // A jailing, removal or unjailing is recorded even for a validator whose addition has not
    // arrived yet (its update was dropped and is sent again later): the addition lands at its
    // own height, and the history keeps every change in height order (fuzz seed 24883: an
    // unjail that overtook the validator's addition was dropped, so the late jail it ended
    // stayed current and a later slash waited forever).
    for v in &c.jailed {
        valset::set_state(store, v, h, t, ValidatorState::Jailed)?;
        touched.push(v);
    }
    for v in c.removals.iter().filter(|v| !c.jailed.contains(v)) {
        valset::set_state(store, v, h, t, ValidatorState::Unbonded)?;
        touched.push(v);
    }
    for v in &c.unjailed {
        valset::set_state(store, v, h, t, ValidatorState::Active)?;
        touched.push(v);
    }
    touched.sort();
    touched.dedup();
    for v in touched {
        resp = judge_pending_slashes(store, env, cfg, v, resp, &mut msgs)?;
    }

    for (key, list) in [
        (
            "additions",
            c.additions
                .iter()
                .map(|a| a.valoper.as_str())
                .collect::<Vec<_>>(),
        ),
        ("removals", c.removals.iter().map(String::as_str).collect()),
        (
            "updated",
            c.updated.iter().map(|a| a.valoper.as_str()).collect(),
        ),
        ("jailed", c.jailed.iter().map(String::as_str).collect()),
        ("unjailed", c.unjailed.iter().map(String::as_str).collect()),
        (
            "tombstoned",
            c.tombstoned.iter().map(String::as_str).collect(),
        ),
    ] {
        if !list.is_empty() {
            resp = resp.add_attribute(key, list.join(","));
        }
    }
    Ok(resp.add_messages(msgs))
}

/// Cut the stakers of a slashed validator ([`slash_stakers`]) and queue the vault's
/// `cross_slash`. What the validator's [`SLASH_CREDIT`] holds was paid already by unstakes the
/// consumer could not fully unbond: only the rest is taken from the stakes (pending unbonds are
/// still cut by the ratio). `height` is the consumer height of the update that carried it.
fn apply_slash(
    storage: &mut dyn Storage,
    env: &Env,
    cfg: &Config,
    s: &ValidatorSlashInfo,
    height: u64,
    mut resp: IbcReceiveResponse,
    msgs: &mut Vec<WasmMsg>,
) -> Result<IbcReceiveResponse, ContractError> {
    let credit = SLASH_CREDIT
        .may_load(storage, &s.validator)?
        .unwrap_or_default();
    let prepaid = credit.min(s.slash_amount);
    if credit > prepaid {
        SLASH_CREDIT.save(storage, &s.validator, &(credit - prepaid))?;
    } else {
        SLASH_CREDIT.remove(storage, &s.validator);
    }
    let rest = ValidatorSlashInfo {
        slash_amount: s.slash_amount - prepaid,
        ..s.clone()
    };
    let out = slash_stakers(storage, env.block.time, &rest, height)?;
    resp = resp.add_attribute("slashed", &s.validator).add_event(
        Event::new(mesh_apis::external_staking::EVENT_SLASH_APPLIED)
            .add_attribute("validator", &s.validator)
            .add_attribute("amount", rest.slash_amount)
            .add_attribute("prepaid", prepaid)
            .add_attribute("ratio", s.slash_ratio.to_string())
            .add_attribute("infraction_height", s.infraction_height.to_string())
            .add_attribute("height", height.to_string()),
    );
    if !out.crossed.is_zero() {
        resp = resp.add_attribute(
            "slash_crossed_burn",
            format!("{}:{}", s.validator, out.crossed),
        );
    }
    if !out.owed.is_zero() {
        resp = resp.add_attribute("slash_owed", format!("{}:{}", s.validator, out.owed));
    }
    if !out.dropped.is_zero() {
        resp = resp.add_attribute("slash_dropped", format!("{}:{}", s.validator, out.dropped));
    }
    if !out.slashes.is_empty() {
        msgs.push(cross_slash_msg(cfg, &s.validator, out.slashes)?);
    }
    Ok(resp)
}

/// After an update of `validator`'s history: apply its pending slashes the history now shows
/// active, drop those tombstoned before, keep the rest (an update still to arrive completes the
/// history; the consumer applied the slash, so it must not lapse while it waits).
fn judge_pending_slashes(
    storage: &mut dyn Storage,
    env: &Env,
    cfg: &Config,
    validator: &str,
    mut resp: IbcReceiveResponse,
    msgs: &mut Vec<WasmMsg>,
) -> Result<IbcReceiveResponse, ContractError> {
    let Some(pending) = PENDING_SLASHES.may_load(storage, validator)? else {
        return Ok(resp);
    };
    let mut keep = vec![];
    for p in pending {
        let s = &p.info;
        if valset::was_active_at(storage, validator, s.infraction_height)? {
            resp = apply_slash(storage, env, cfg, s, p.height, resp, msgs)?;
        } else if valset::tombstoned_before(storage, validator, s.infraction_height)? {
            resp = resp.add_attribute("slash_ignored", validator);
        } else {
            keep.push(p);
        }
    }
    if keep.is_empty() {
        PENDING_SLASHES.remove(storage, validator);
    } else {
        PENDING_SLASHES.save(storage, validator, &keep)?;
    }
    Ok(resp)
}

/// Credit one epoch's rewards per validator. Rewards of a validator nobody stakes on cannot be
/// attributed: they are reported as `undistributed` and not paid.
fn distribute_batch(
    deps: DepsMut,
    cfg: &Config,
    rewards: Vec<RewardInfo>,
    denom: String,
) -> Result<IbcReceiveResponse, ContractError> {
    if denom != cfg.rewards_denom {
        return Err(ContractError::InvalidDenom {
            expected: cfg.rewards_denom.clone(),
            got: denom,
        });
    }
    let mut resp = IbcReceiveResponse::new(ack_success(&DistributeAck {})?)
        .add_attribute("action", "distribute_batch");
    for RewardInfo { validator, reward } in rewards {
        let mut dist = load_distribution(deps.storage, &validator)?;
        if dist.distribute(reward) {
            DISTRIBUTION.save(deps.storage, &validator, &dist)?;
            resp = resp.add_attribute("distributed", format!("{validator}:{reward}"));
        } else {
            resp = resp.add_attribute("undistributed", format!("{validator}:{reward}"));
        }
    }
    Ok(resp)
}

/// Ack of a packet this contract sent: commit on success, roll back on an error ack (an
/// unreadable ack counts as an error). Never fails.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_ack(
    deps: DepsMut,
    env: Env,
    msg: IbcPacketAckMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let outcome = match from_json::<StdAck>(&msg.acknowledgement.data) {
        Ok(StdAck::Success(data)) => Ok(data),
        Ok(StdAck::Error(e)) => Err(e),
        Err(e) => Err(format!("unreadable ack: {e}")),
    };
    on_outcome(deps, &env, &msg.original_packet, outcome, "ibc_packet_ack")
}

/// Timeout of a packet this contract sent: roll back, like an error ack. Never fails.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn ibc_packet_timeout(
    deps: DepsMut,
    env: Env,
    msg: IbcPacketTimeoutMsg,
) -> Result<IbcBasicResponse, ContractError> {
    on_outcome(
        deps,
        &env,
        &msg.packet,
        Err("timeout".to_string()),
        "ibc_packet_timeout",
    )
}

fn on_outcome(
    deps: DepsMut,
    env: &Env,
    packet: &IbcPacket,
    outcome: Result<Binary, String>,
    action: &str,
) -> Result<IbcBasicResponse, ContractError> {
    let mut resp = IbcBasicResponse::new()
        .add_attribute("action", action)
        .add_attribute("success", outcome.is_ok().to_string());
    if let Err(e) = &outcome {
        resp = resp.add_attribute("error", e);
    }
    let ours = IBC_CHANNEL.may_load(deps.storage)?;
    if ours.map(|c| c.endpoint.channel_id).as_deref() != Some(packet.src.channel_id.as_str()) {
        return Ok(resp.add_attribute("ignored", "packet of another channel"));
    }
    let sent: ProviderPacket = match from_json(&packet.data) {
        Ok(p) => p,
        Err(e) => return Ok(resp.add_attribute("ignored", format!("undecodable packet: {e}"))),
    };
    let success = outcome.is_ok();
    let cfg = CONFIG.load(deps.storage)?;
    let closed = CHANNEL_CLOSED.may_load(deps.storage)?.unwrap_or(false);
    let now = env.block.time;
    let (kind, tx_id) = match &sent {
        ProviderPacket::Stake { tx_id, .. } => ("stake", *tx_id),
        ProviderPacket::Unstake { tx_id, .. } => ("unstake", *tx_id),
        ProviderPacket::TransferRewards { tx_id, .. } => ("transfer_rewards", *tx_id),
        // A burn cannot be rolled back (the vault already cut the lien): if the consumer did
        // not apply it, send it again so both sides keep agreeing per validator.
        ProviderPacket::Burn { validators, burn } => {
            let resp = resp.add_attribute("packet", "burn");
            if closed {
                return Ok(resp);
            }
            let amount = Uint128::try_from(burn.amount).unwrap_or(Uint128::MAX);
            let (burned, resp) = match &outcome {
                Ok(data) => {
                    let ack = from_json::<BurnAck>(data).ok();
                    (ack.and_then(|a| a.burned).unwrap_or(amount), resp)
                }
                Err(_) => match packet_msg(deps.storage, env, &cfg, &sent) {
                    Ok(msg) => return Ok(resp.add_message(msg).add_attribute("resent", "yes")),
                    // No usable channel any more (its close settles everything): it is no
                    // longer in flight.
                    Err(e) => (amount, resp.add_attribute("resent", format!("no: {e}"))),
                },
            };
            return burn_resolved(deps.storage, env, validators, amount, burned, resp);
        }
    };
    resp = resp
        .add_attribute("packet", kind)
        .add_attribute("tx_id", tx_id.to_string());
    let Some(tx) = PENDING_TXS.may_load(deps.storage, tx_id)? else {
        return Ok(resp.add_attribute("ignored", "unknown tx"));
    };
    let store = deps.storage;
    match (sent, tx) {
        (
            ProviderPacket::Stake { .. },
            Tx::InFlightRemoteStaking {
                amount,
                user,
                validator,
                ..
            },
        ) => {
            PENDING_TXS.remove(store, tx_id);
            let debt_paid = if success {
                debt_payment(store, &user, amount)?
            } else {
                Uint128::zero()
            };
            update_stake(store, &user, &validator, |stake, dist| {
                stake.adding = stake.adding.saturating_sub(amount);
                if success {
                    stake.stake.saturating_commit_add(amount);
                    dist.add_weight(stake, amount);
                    stake.stake.sub_settled(debt_paid);
                    dist.sub_weight(stake, debt_paid);
                } else {
                    stake.stake.saturating_rollback_add(amount);
                    dist.clamp_weight(stake);
                }
                if closed {
                    release_all_now(stake, dist, now);
                }
            })?;
            settle_debt(store, &user, debt_paid)?;
            // A committed stake the consumer held when it slashed or dropped the validator's
            // requests pays those debts.
            let returned = if success {
                amount.saturating_sub(debt_paid)
            } else {
                Uint128::zero()
            };
            // The burn of the debt paid leaves now: a debt this tx leaves unpaid may be the
            // part it explains (see `crate::burns`).
            let burn = if debt_paid.is_zero() || closed {
                None
            } else {
                burn_msg(store, env, &cfg, &validator, debt_paid).ok()
            };
            let slash_paid =
                pay_debts_from_settled(store, &user, &validator, tx_id, returned, now)?;
            let vault = if success {
                VaultExecuteMsg::CommitTx { tx_id }
            } else {
                VaultExecuteMsg::RollbackTx { tx_id }
            };
            resp = resp.add_message(vault_msg(&cfg, &vault)?);
            resp = report_slash_paid(resp, &cfg, &user, &validator, slash_paid)?;
            if !debt_paid.is_zero() {
                resp = resp.add_attribute("burned", format!("{validator}:{debt_paid}"));
            }
            Ok(resp.add_messages(burn))
        }
        (
            ProviderPacket::Unstake { .. },
            Tx::InFlightRemoteUnstaking {
                amount,
                user,
                validator,
                ..
            },
        ) => {
            PENDING_TXS.remove(store, tx_id);
            let immediate = matches!(
                valset::current(store, &validator)?.map(|v| v.state),
                Some(ValidatorState::Unbonded | ValidatorState::Tombstoned)
            );
            let release_at = if immediate || closed {
                now
            } else {
                now.plus_seconds(cfg.unbonding_period)
            };
            // What the consumer could not unbond any more because a slash there took it, and
            // when it applied the unstake.
            let ack = match &outcome {
                Ok(data) => from_json::<UnstakeAck>(data).ok(),
                Err(_) => None,
            };
            let not_unbonded = ack
                .as_ref()
                .and_then(|a| a.unbonded)
                .map_or(Uint128::zero(), |u| amount.saturating_sub(u));
            let consumer_height = ack.as_ref().and_then(|a| a.height);
            let (unbonded, slashed, rolled_back, burned) =
                update_stake(store, &user, &validator, |stake, dist| {
                    // A burn may already have taken part of what this unstake removes. The
                    // consumer unbonded it with the rest; rolled back, it still holds it.
                    let burned = stake.unstaking_burned.min(amount);
                    stake.unstaking_burned -= burned;
                    let amount = amount - burned;
                    let (mut unbonded, mut slashed, mut rolled_back) = Default::default();
                    if success {
                        let before = stake.stake.high;
                        stake.stake.saturating_commit_sub(amount);
                        let removed = before - stake.stake.high;
                        dist.sub_weight(stake, removed);
                        slashed = not_unbonded.min(removed);
                        unbonded = removed - slashed;
                        stake.push_reported_unbond(unbonded, release_at, consumer_height);
                    } else {
                        let before = stake.stake.low;
                        stake.stake.saturating_rollback_sub(amount);
                        rolled_back = stake.stake.low - before;
                    }
                    if closed {
                        release_all_now(stake, dist, now);
                    }
                    (unbonded, slashed, rolled_back, burned)
                })?;
            // The consumer's shortfall is taken as slashed (it no longer holds it): it pays the
            // slash debt this tx owes, and what no debt claims is a slash this contract has not
            // heard of yet, credited against it. A rolled-back unstake the consumer held when
            // it slashed or dropped the validator's requests pays those debts.
            // The consumer kept the stake a rolled-back unstake would have removed, the burned
            // part too: it is told of the burn now (before the debts, as for a stake).
            let burn = if success || burned.is_zero() || closed {
                None
            } else {
                burn_msg(store, env, &cfg, &validator, burned).ok()
            };
            let slash_paid = if success {
                let owed = pay_debt(Removal::Slash, store, &validator, tx_id, slashed)?;
                pay_debt(Removal::Unstake, store, &validator, tx_id, Uint128::zero())?;
                if slashed > owed {
                    let credit = SLASH_CREDIT
                        .may_load(store, &validator)?
                        .unwrap_or_default();
                    SLASH_CREDIT.save(store, &validator, &(credit + slashed - owed))?;
                }
                slashed
            } else {
                pay_debts_from_settled(store, &user, &validator, tx_id, rolled_back, now)?
            };
            if success {
                resp = resp
                    .add_attribute("unbonded", unbonded)
                    .add_attribute("release_at", release_at.seconds().to_string());
            } else if !burned.is_zero() {
                resp = resp
                    .add_attribute("burned", format!("{validator}:{burned}"))
                    .add_messages(burn);
            }
            report_slash_paid(resp, &cfg, &user, &validator, slash_paid)
        }
        (
            ProviderPacket::TransferRewards { .. },
            Tx::InFlightTransferFunds {
                amount,
                staker,
                validator,
                ..
            },
        ) => {
            PENDING_TXS.remove(store, tx_id);
            let amount = Uint128::try_from(amount.amount).unwrap_or(Uint128::MAX);
            update_stake(store, &staker, &validator, |stake, _| {
                stake.reserved = stake.reserved.saturating_sub(amount);
                if success {
                    stake.withdrawn = stake.withdrawn.saturating_add(amount);
                }
            })?;
            Ok(resp.add_attribute("amount", amount))
        }
        _ => Ok(resp.add_attribute("ignored", "tx of another kind")),
    }
}
