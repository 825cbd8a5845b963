//! A running testnet: the actors of a deployed topology and a handle to drive them.
//!
//! [`Testnet::start`] builds every chain at genesis, starts one actor per chain, per contract
//! and per link, opens every channel and relays the first validator-set update. The handle's
//! methods are what a test or the scenario director uses: transactions as named users, queries,
//! waiting in simulated time, settling, epochs and faults.

pub mod deploy;
pub mod spec;

use actix::prelude::*;
use cosmwasm_std::{to_json_binary, Addr, Coin};
use cw_multi_test::{AppResponse, MockApiBech32};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

use crate::actor::chain_actor::WithChain;
use crate::actor::relayer::{
    CloseChannel, Delay, DropNext, GetSentByKind, GetStats, LinkEnd, LinkStats, OpenChannel,
    Outage, Relayer, SetDelay,
};
use crate::actor::{Call, ChainActor, ContractActor, FailNext, Halt};
use crate::chain::{Chain, ValidatorEvent};
use crate::time::{human_ms, SimClock};
use crate::trace::{Trace, TraceKind};
pub use deploy::{consumer_contract, Deployed, GOVERNANCE};
pub use spec::{ConsumerSpec, LinkSpec, ProviderSpec, TopologySpec, ValidatorSpec};

/// A deployed contract and its actor.
#[derive(Clone)]
pub struct ContractRef {
    /// Where and what it is.
    pub deployed: Deployed,
    /// Its actor.
    pub actor: actix::Addr<ContractActor>,
}

/// A running testnet.
pub struct Testnet {
    clock: SimClock,
    trace: Trace,
    provider_id: String,
    consumer_ids: Vec<String>,
    chains: BTreeMap<String, actix::Addr<ChainActor>>,
    apis: BTreeMap<String, MockApiBech32>,
    contracts: BTreeMap<String, ContractRef>,
    links: BTreeMap<String, actix::Addr<Relayer>>,
}

impl Testnet {
    /// Deploy `spec`, start its actors, open every channel and relay the first validator-set
    /// update. Must run inside [`crate::time::run_simulation`].
    pub async fn start(spec: &TopologySpec) -> Result<Testnet, String> {
        Self::start_traced(spec, Trace::default()).await
    }

    /// [`start`](Self::start), recording into `trace` (which may carry a work limit, see
    /// [`Trace::set_limit`]).
    pub async fn start_traced(spec: &TopologySpec, trace: Trace) -> Result<Testnet, String> {
        let genesis = deploy::genesis(spec)?;
        let clock = SimClock::start();
        let mut apis = BTreeMap::new();
        let mut chains = BTreeMap::new();
        let provider_id = spec.provider.chain.chain_id.clone();
        for chain in genesis.chains {
            let cfg = chain.config().clone();
            let prefix: &'static str = Box::leak(cfg.bech32_prefix.clone().into_boxed_str());
            apis.insert(cfg.chain_id.clone(), MockApiBech32::new(prefix));
            let actor = ChainActor::new(chain, clock, trace.clone()).start();
            chains.insert(cfg.chain_id.clone(), actor);
        }
        let mut contracts = BTreeMap::new();
        for (name, deployed) in genesis.contracts {
            let actor = ContractActor::new(
                &name,
                deployed.addr.clone(),
                chains[&deployed.chain_id].clone(),
            )
            .start();
            contracts.insert(name, ContractRef { deployed, actor });
        }
        let mut net = Testnet {
            clock,
            trace,
            provider_id,
            consumer_ids: spec
                .consumers
                .iter()
                .map(|c| c.chain.chain_id.clone())
                .collect(),
            chains,
            apis,
            contracts,
            links: BTreeMap::new(),
        };
        for (index, c) in spec.consumers.iter().enumerate() {
            let id = c.chain.chain_id.clone();
            let end = |net: &Testnet, contract: &str| {
                let r = &net.contracts[contract];
                LinkEnd {
                    chain_id: r.deployed.chain_id.clone(),
                    chain: net.chains[&r.deployed.chain_id].clone(),
                    contract: r.actor.clone(),
                    contract_addr: r.deployed.addr.clone(),
                }
            };
            let provider_end = end(&net, &id);
            let consumer_end = end(&net, &consumer_contract(&id, "converter"));
            let seed = spec.seed.wrapping_mul(1_000_003).wrapping_add(index as u64);
            let relayer = Relayer::new(
                &id,
                provider_end,
                consumer_end,
                c.link.delay,
                seed,
                clock,
                net.trace.clone(),
            )
            .start();
            net.links.insert(id, relayer);
        }
        for (id, relayer) in &net.links {
            relayer
                .send(OpenChannel)
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("opening the channel of {id}: {e}"))?;
        }
        net.settle(Duration::from_secs(86_400)).await?;
        Ok(net)
    }

    /// Simulated time, ms since the start.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The provider's chain id.
    pub fn provider_id(&self) -> &str {
        &self.provider_id
    }

    /// The consumers' chain ids, in spec order.
    pub fn consumer_ids(&self) -> &[String] {
        &self.consumer_ids
    }

    /// Contracts by name.
    pub fn contracts(&self) -> &BTreeMap<String, ContractRef> {
        &self.contracts
    }

    /// A contract by name.
    pub fn contract(&self, name: &str) -> Result<&ContractRef, String> {
        self.contracts
            .get(name)
            .ok_or_else(|| format!("unknown contract {name:?}"))
    }

    /// The address of account `name` on `chain_id`.
    pub fn addr(&self, chain_id: &str, name: &str) -> Addr {
        self.apis[chain_id].addr_make(name)
    }

    /// The chain actor of `chain_id`.
    pub fn chain(&self, chain_id: &str) -> Result<&actix::Addr<ChainActor>, String> {
        self.chains
            .get(chain_id)
            .ok_or_else(|| format!("unknown chain {chain_id:?}"))
    }

    /// Run `f` on a chain at the current simulated time.
    pub async fn with_chain<R: Send + 'static>(
        &self,
        chain_id: &str,
        f: impl FnOnce(&mut Chain, u64) -> R + Send + 'static,
    ) -> Result<R, String> {
        self.chain(chain_id)?
            .send(WithChain(Box::new(f)))
            .await
            .map_err(|e| e.to_string())
    }

    /// Execute `msg` on contract `contract` as user `user` (an account on the contract's chain).
    pub async fn exec<M: Serialize>(
        &self,
        user: &str,
        contract: &str,
        msg: &M,
        funds: Vec<Coin>,
    ) -> Result<AppResponse, String> {
        let c = self.contract(contract)?;
        let sender = self.addr(&c.deployed.chain_id, user);
        c.actor
            .send(Call {
                sender,
                sender_name: user.to_string(),
                msg: to_json_binary(msg).map_err(|e| e.to_string())?,
                funds,
            })
            .await
            .map_err(|e| e.to_string())?
    }

    /// Query contract `contract`.
    pub async fn query<M: Serialize, R: DeserializeOwned + Send + 'static>(
        &self,
        contract: &str,
        msg: &M,
    ) -> Result<R, String> {
        let c = self.contract(contract)?;
        let addr = c.deployed.addr.clone();
        let bin = to_json_binary(msg).map_err(|e| e.to_string())?;
        let raw = self
            .with_chain(&c.deployed.chain_id, move |chain, _| {
                chain.query(&addr, &bin)
            })
            .await??;
        cosmwasm_std::from_json(&raw).map_err(|e| e.to_string())
    }

    /// The name of `user`'s native staking proxy, starting its actor on first use.
    pub async fn proxy(&mut self, user: &str) -> Result<String, String> {
        let name = format!("{user}:proxy");
        if self.contracts.contains_key(&name) {
            return Ok(name);
        }
        let owner = self.addr(&self.provider_id, user).to_string();
        let resp: mesh_apis::native_staking::ProxyByOwnerResponse = self
            .query(
                "native",
                &mesh_apis::native_staking::QueryMsg::ProxyByOwner { owner },
            )
            .await
            .map_err(|_| format!("{user} has no native staking proxy (nothing staked locally)"))?;
        let deployed = Deployed {
            name: name.clone(),
            chain_id: self.provider_id.clone(),
            addr: Addr::unchecked(resp.proxy),
        };
        let actor = ContractActor::new(
            &name,
            deployed.addr.clone(),
            self.chains[&self.provider_id].clone(),
        )
        .start();
        self.contracts
            .insert(name.clone(), ContractRef { deployed, actor });
        Ok(name)
    }

    /// Let `d` of simulated time pass (every actor runs its timers meanwhile).
    /// Ends early, without an error, once the trace passes its limit (see
    /// [`Trace::set_limit`]); the caller checks [`Trace::exceeded`].
    pub async fn wait(&self, d: Duration) {
        tokio::select! {
            () = tokio::time::sleep(d) => {}
            () = self.trace.limit_reached() => {}
        }
    }

    /// Counters of the link of `consumer`.
    pub async fn link_stats(&self, consumer: &str) -> Result<LinkStats, String> {
        self.links
            .get(consumer)
            .ok_or_else(|| format!("unknown link {consumer:?}"))?
            .send(GetStats)
            .await
            .map_err(|e| e.to_string())
    }

    /// Packets sent on the link of `consumer`, by kind (`valset_update`, `stake`, ...).
    pub async fn sent_by_kind(
        &self,
        consumer: &str,
    ) -> Result<std::collections::BTreeMap<String, u64>, String> {
        self.links
            .get(consumer)
            .ok_or_else(|| format!("unknown link {consumer:?}"))?
            .send(GetSentByKind)
            .await
            .map_err(|e| e.to_string())
    }

    /// Number of pending txs in the vault and every external staking contract.
    pub async fn pending_txs(&self) -> Result<usize, String> {
        let mut total = 0;
        let msg = mesh_apis::vault::QueryMsg::AllPendingTxsDesc {
            start_after: None,
            limit: Some(30),
        };
        let r: mesh_apis::tx::AllTxsResponse = self.query("vault", &msg).await?;
        total += r.txs.len();
        for id in &self.consumer_ids {
            let msg = mesh_apis::external_staking::QueryMsg::AllPendingTxsDesc {
                start_after: None,
                limit: Some(30),
            };
            let r: mesh_apis::tx::AllTxsResponse = self.query(id, &msg).await?;
            total += r.txs.len();
        }
        Ok(total)
    }

    /// True when no packet is in flight and no tx is pending.
    pub async fn is_settled(&self) -> Result<bool, String> {
        Ok(self.settle_state().await?.0)
    }

    /// Whether the system is settled, and the next time a relayer acts (nothing settles
    /// before then: only relayer deliveries complete packets and pending txs).
    async fn settle_state(&self) -> Result<(bool, Option<u64>), String> {
        let mut in_flight = 0;
        let mut next: Option<u64> = None;
        for id in &self.consumer_ids {
            let stats = self.link_stats(id).await?;
            in_flight += stats.in_flight;
            next = match (next, stats.next_event_ms) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        if in_flight > 0 {
            return Ok((false, next));
        }
        Ok((self.pending_txs().await? == 0, next))
    }

    /// Run until nothing is in flight and no tx is pending; fail if not reached `within`.
    /// Checks on a one-second grid from the call, skipping straight to the first grid point
    /// after the next relayer event (nothing can settle in between).
    pub async fn settle(&self, within: Duration) -> Result<(), String> {
        let start = self.now_ms();
        let deadline = start + within.as_millis() as u64;
        loop {
            let (settled, next_event) = self.settle_state().await?;
            if settled {
                return Ok(());
            }
            let now = self.now_ms();
            if now >= deadline {
                return Err(format!(
                    "not settled within {}: packets or txs still pending",
                    human_ms(within.as_millis() as u64)
                ));
            }
            // Nothing scheduled can still mean a delivery is under way (a relayer waiting for a
            // chain's answer): then look again at the next grid point.
            let target = next_event.unwrap_or(now + 1).clamp(now + 1, deadline);
            let grid = start + (target - start).div_ceil(1_000) * 1_000;
            self.wait(Duration::from_millis(grid - now)).await;
            if self.trace.exceeded().is_some() {
                return Err("the run's work budget ran out".into());
            }
        }
    }

    /// Run until the next epoch of `consumer` has executed. A halt that ended meanwhile shifts
    /// the chain's blocks (the first one comes at the resume), so the epoch's block may come
    /// later than first computed: look again until it has run. Fails if the chain is halted
    /// when the epoch is due, and never returns as if an epoch ran when none did.
    pub async fn epoch(&self, consumer: &str) -> Result<(), String> {
        let before = self.with_chain(consumer, |c, _| c.epochs_done()).await?;
        // Each round either runs the epoch or brings the chain to a block on its current grid,
        // after which the next epoch time is exact: two rounds suffice, four are a margin.
        for _ in 0..4 {
            let at = self
                .with_chain(consumer, |c, _| c.next_epoch_time())
                .await?
                .ok_or_else(|| format!("{consumer} has no epochs"))?;
            self.wait(self.clock.until(at)).await;
            if self.trace.exceeded().is_some() {
                return Err("the run's work budget ran out".into());
            }
            self.with_chain(consumer, |c, now| c.advance(now))
                .await?
                .map_err(|until| format!("{consumer} is halted until t={}", human_ms(until)))?;
            let after = self.with_chain(consumer, |c, _| c.epochs_done()).await?;
            if after > before {
                return Ok(());
            }
        }
        Err(format!(
            "no epoch ran on {consumer} by t={}",
            human_ms(self.now_ms())
        ))
    }

    fn link(&self, consumer: &str) -> Result<&actix::Addr<Relayer>, String> {
        self.links
            .get(consumer)
            .ok_or_else(|| format!("unknown link {consumer:?}"))
    }

    /// Close the channel of `consumer`'s link from the provider side.
    pub async fn close_channel(&self, consumer: &str) -> Result<(), String> {
        self.link(consumer)?
            .send(CloseChannel)
            .await
            .map_err(|e| e.to_string())?
    }

    /// Fault: the link's delay from now on.
    pub async fn set_delay(&self, consumer: &str, delay: Delay) -> Result<(), String> {
        self.link(consumer)?
            .send(SetDelay(delay))
            .await
            .map_err(|e| e.to_string())
    }

    /// Fault: the next `n` packets on the link are never relayed.
    pub async fn drop_next(&self, consumer: &str, n: u32) -> Result<(), String> {
        self.link(consumer)?
            .send(DropNext(n))
            .await
            .map_err(|e| e.to_string())
    }

    /// Fault: the link relays nothing for `d`.
    pub async fn outage(&self, consumer: &str, d: Duration) -> Result<(), String> {
        let until_ms = self.now_ms() + d.as_millis() as u64;
        self.link(consumer)?
            .send(Outage { until_ms })
            .await
            .map_err(|e| e.to_string())
    }

    /// Fault: the chain makes no blocks for `d`.
    pub async fn halt(&self, chain_id: &str, d: Duration) -> Result<(), String> {
        let until_ms = self.now_ms() + d.as_millis() as u64;
        self.trace.record(
            self.now_ms(),
            TraceKind::Fault {
                target: format!("chain {chain_id}"),
                fault: format!(
                    "halt for {} until t={}",
                    human_ms(d.as_millis() as u64),
                    human_ms(until_ms)
                ),
            },
        );
        self.chain(chain_id)?
            .send(Halt { until_ms })
            .await
            .map_err(|e| e.to_string())
    }

    /// A chain event on a validator: jail, unjail or tombstone (with the chain's slash), a new
    /// validator, or a removal.
    pub async fn validator_event(
        &self,
        chain_id: &str,
        validator: &str,
        event: ValidatorEvent,
    ) -> Result<(), String> {
        let v = validator.to_string();
        let result = self
            .with_chain(chain_id, move |c, now| c.validator_event(now, &v, event))
            .await?;
        let action = event.verb();
        self.trace.record(
            self.now_ms(),
            TraceKind::ChainAction {
                chain: chain_id.to_string(),
                action: format!("{action} {validator}"),
                ok: result.is_ok(),
                error: result.as_ref().err().cloned(),
            },
        );
        result
    }

    /// Fault: the next `n` IBC receives of `contract` fail.
    pub async fn fail_next(&self, contract: &str, n: u32) -> Result<(), String> {
        self.trace.record(
            self.now_ms(),
            TraceKind::Fault {
                target: format!("contract {contract}"),
                fault: format!("fail_next {n}"),
            },
        );
        self.contract(contract)?
            .actor
            .send(FailNext(n))
            .await
            .map_err(|e| e.to_string())
    }
}
