//! The physical floor: the lifecycle's contract calls on bare chains — the same genesis
//! ([`deploy::genesis`]), the same channel handshake and the same transactions, with every packet
//! handed over by hand (`take_outgoing` → `receive` → `acknowledge`) the moment it is sent. No
//! actors, no relayer, no trace, no invariant checks.

use cosmwasm_std::{Addr, Binary, IbcEndpoint};
use mesh_actors::actor::relayer::{ack_error, CONNECTION_ID};
use mesh_actors::chain::{Chain, SentPacket};
use mesh_actors::testnet::{deploy, TopologySpec};
use mesh_apis::{external_staking as ext, native_staking, native_staking_proxy as proxy, vault};
use serde::Serialize;
use std::time::Instant;

use super::lifecycle::{
    check_balance, coin, ms_since, stake_msg, LifecycleTimes, BOND, CONSUMER, LOCAL,
    LOCAL_VALIDATOR, REMOTE, REMOTE_VALIDATOR, USER,
};

/// A provider and one consumer, with a clock the driver moves by hand.
struct Pair {
    provider: Chain,
    consumer: Chain,
    now: u64,
}

impl Pair {
    fn chain(&mut self, provider: bool) -> &mut Chain {
        if provider {
            &mut self.provider
        } else {
            &mut self.consumer
        }
    }

    /// Execute `msg` on `contract` as `user` on the provider or the consumer, then relay.
    fn exec<M: Serialize>(
        &mut self,
        on_provider: bool,
        contract: &Addr,
        msg: &M,
        funds: Vec<cosmwasm_std::Coin>,
    ) -> Result<(), String> {
        let now = self.now;
        let chain = self.chain(on_provider);
        let sender = chain.addr(USER);
        let bin = cosmwasm_std::to_json_binary(msg).map_err(|e| e.to_string())?;
        chain.execute(now, &sender, contract, bin, funds)?;
        self.relay()
    }

    /// Hand every sent packet to the other chain and its ack back, until nothing is sent.
    fn relay(&mut self) -> Result<(), String> {
        let now = self.now;
        loop {
            let mut moved = false;
            for from_provider in [true, false] {
                let packets = self.chain(from_provider).take_outgoing();
                for SentPacket { packet } in packets {
                    moved = true;
                    let ack: Binary = self
                        .chain(!from_provider)
                        .receive(now, &packet, None)
                        .map_err(|e| format!("packet {} refused: {e:?}", packet.sequence))?;
                    if let Some(error) = ack_error(&ack) {
                        return Err(format!("packet {} failed: {error}", packet.sequence));
                    }
                    self.chain(from_provider).acknowledge(now, &packet, &ack)?;
                }
            }
            if !moved {
                return Ok(());
            }
        }
    }

    /// Let time pass until `target_ms` as the chain actors would: every block with work
    /// (`next_wake`: a due epoch, a maturing unbonding) runs at its time, its packets relayed.
    fn advance_to(&mut self, target_ms: u64) -> Result<(), String> {
        let mut last = None;
        loop {
            let next = [self.provider.next_wake(), self.consumer.next_wake()]
                .into_iter()
                .flatten()
                .filter(|&at| at <= target_ms)
                .min();
            let Some(at) = next else { break };
            if last == Some(at) {
                return Err(format!("no progress at {at}ms: the wake-up did no work"));
            }
            last = Some(at);
            self.now = self.now.max(at);
            let now = self.now;
            for on_provider in [true, false] {
                let chain = self.chain(on_provider);
                if chain.next_wake().is_some_and(|w| w <= now) {
                    chain.advance(now).map_err(|until| {
                        format!("halted until t={}", mesh_actors::time::human_ms(until))
                    })?;
                }
            }
            self.relay()?;
        }
        self.now = self.now.max(target_ms);
        Ok(())
    }

    /// The four-step channel handshake between the converter and external staking.
    fn open_channel(&mut self, converter: &Addr, external: &Addr) -> Result<(), String> {
        let now = self.now;
        let version = mesh_apis::ibc::ProtocolVersion::supported().to_channel_version();
        let provider_port = format!("wasm.{external}");
        let consumer_port = format!("wasm.{converter}");
        let (cc, v1) = self.consumer.chan_open_init(
            now,
            converter,
            CONNECTION_ID,
            &provider_port,
            &version,
        )?;
        let counterparty = IbcEndpoint {
            port_id: consumer_port,
            channel_id: cc.clone(),
        };
        let (pc, v2) =
            self.provider
                .chan_open_try(now, external, CONNECTION_ID, counterparty, &v1)?;
        self.consumer.chan_open_ack(now, &cc, &pc, &v2)?;
        self.provider.chan_open_confirm(now, &pc)?;
        self.relay()
    }
}

/// Run the lifecycle's calls once on bare chains; the period passes by setting the clock.
pub fn run(spec: &TopologySpec, unbonding_secs: u64) -> Result<LifecycleTimes, String> {
    let start = Instant::now();
    let genesis = deploy::genesis(spec)?;
    let addr = |name: &str| -> Result<Addr, String> {
        genesis
            .contracts
            .get(name)
            .map(|d| d.addr.clone())
            .ok_or_else(|| format!("no contract {name}"))
    };
    let (vault_addr, native, external) = (addr("vault")?, addr("native")?, addr(CONSUMER)?);
    let converter = addr(&deploy::consumer_contract(CONSUMER, "converter"))?;
    let mut chains = genesis.chains.into_iter();
    let provider = chains.next().ok_or("no provider")?;
    let consumer = chains.next().ok_or("no consumer")?;
    let mut pair = Pair {
        provider,
        consumer,
        now: 0,
    };
    pair.open_channel(&converter, &external)?;

    pair.exec(
        true,
        &vault_addr,
        &vault::ExecuteMsg::Bond {},
        vec![coin(spec, BOND)],
    )?;
    let local = vault::ExecuteMsg::StakeLocal {
        amount: coin(spec, LOCAL),
        msg: stake_msg(LOCAL_VALIDATOR)?,
    };
    pair.exec(true, &vault_addr, &local, vec![])?;
    let remote = vault::ExecuteMsg::StakeRemote {
        contract: external.to_string(),
        amount: coin(spec, REMOTE),
        msg: stake_msg(REMOTE_VALIDATOR)?,
    };
    pair.exec(true, &vault_addr, &remote, vec![])?;
    let epoch_at = pair
        .consumer
        .next_epoch_time()
        .ok_or("the consumer has no epochs")?;
    pair.advance_to(epoch_at)?;
    pair.consumer
        .advance(epoch_at)
        .map_err(|until| format!("halted until t={}", mesh_actors::time::human_ms(until)))?;
    pair.relay()?;

    let unbonding = Instant::now();
    let unstake = ext::ExecuteMsg::Unstake {
        validator: REMOTE_VALIDATOR.to_string(),
        amount: coin(spec, REMOTE),
    };
    pair.exec(true, &external, &unstake, vec![])?;
    let owner = pair.provider.addr(USER).to_string();
    let found: native_staking::ProxyByOwnerResponse = pair
        .provider
        .query_json(&native, &native_staking::QueryMsg::ProxyByOwner { owner })?;
    let proxy_addr = Addr::unchecked(found.proxy);
    let unstake_local = proxy::ExecuteMsg::Unstake {
        validator: LOCAL_VALIDATOR.to_string(),
        amount: coin(spec, LOCAL),
    };
    pair.exec(true, &proxy_addr, &unstake_local, vec![])?;
    // One block after the period (the actors' run settles before it waits); the epoch that
    // follows the unstake runs on the way, as the consumer's chain actor would run it.
    let target = pair.now + unbonding_secs * 1000 + pair.provider.clock().block_time_ms();
    pair.advance_to(target)?;
    pair.exec(
        true,
        &external,
        &ext::ExecuteMsg::WithdrawUnbonded {},
        vec![],
    )?;
    let release = proxy::ExecuteMsg::ReleaseUnbonded {};
    pair.exec(true, &proxy_addr, &release, vec![])?;
    let unbonding_ms = ms_since(unbonding);

    let unbond = vault::ExecuteMsg::Unbond {
        amount: coin(spec, BOND),
    };
    pair.exec(true, &vault_addr, &unbond, vec![])?;
    let total_ms = ms_since(start);

    let balance = pair
        .provider
        .app_ref()
        .wrap()
        .query_balance(pair.provider.addr(USER), spec.provider.chain.denom.clone())
        .map_err(|e| e.to_string())?;
    check_balance(balance.amount)?;
    Ok(LifecycleTimes {
        total_ms,
        unbonding_ms,
    })
}
