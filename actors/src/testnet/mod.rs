//! A running testnet: the actors of a deployed topology and a handle to drive them by name.
//!
//! [`Testnet::start`] builds every chain at genesis, starts one actor per chain, per contract
//! and per link, opens every channel and relays the first validator-set update. Then:
//!
//! - **user actions**, named like the steps of a scenario file and taking the names the
//!   topology gave (users, consumers, validators) and amounts in base units:
//!   [`bond`](Testnet::bond), [`unbond`](Testnet::unbond), [`stake_local`](Testnet::stake_local),
//!   [`unstake_local`](Testnet::unstake_local), [`release_local`](Testnet::release_local),
//!   [`stake_remote`](Testnet::stake_remote), [`unstake_remote`](Testnet::unstake_remote),
//!   [`withdraw_unbonded_remote`](Testnet::withdraw_unbonded_remote),
//!   [`withdraw_rewards`](Testnet::withdraw_rewards);
//! - **chain events and governance**: [`jail`](Testnet::jail), [`unjail`](Testnet::unjail),
//!   [`tombstone`](Testnet::tombstone), [`add_validator`](Testnet::add_validator),
//!   [`remove_validator`](Testnet::remove_validator), [`set_price`](Testnet::set_price),
//!   [`set_max_cap`](Testnet::set_max_cap), [`close_channel`](Testnet::close_channel);
//! - **time**: [`wait`](Testnet::wait), [`settle`](Testnet::settle), [`epoch`](Testnet::epoch);
//! - **faults**: [`set_delay`](Testnet::set_delay), [`drop_next`](Testnet::drop_next),
//!   [`outage`](Testnet::outage), [`halt`](Testnet::halt), [`fail_next`](Testnet::fail_next);
//! - **reading the state**: [`report`](Testnet::report) (the state report the CLI prints) and
//!   typed getters such as [`vault_account`](Testnet::vault_account),
//!   [`remote_stake`](Testnet::remote_stake), [`virtual_delegation`](Testnet::virtual_delegation),
//!   [`block`](Testnet::block), [`pending_txs`](Testnet::pending_txs) and
//!   [`link_stats`](Testnet::link_stats);
//! - **below that**, [`exec`](Testnet::exec) and [`query`](Testnet::query) send any message to a
//!   contract named by a [`ContractId`], and [`with_chain`](Testnet::with_chain) runs code on a
//!   chain's App.
//!
//! Everything runs in simulated time: a testnet lives inside
//! [`run_simulation`](crate::time::run_simulation). Every fallible method returns the library's
//! [`Error`].

mod actions;
pub mod contract_id;
pub mod deploy;
mod getters;
pub mod names;
pub mod report;
pub mod spec;

use actix::prelude::*;
use cosmwasm_std::{to_json_binary, Addr, Coin, Timestamp};
use cw_multi_test::AppResponse;

use crate::chain::api::CachedApi;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use crate::actor::chain_actor::WithChain;
use crate::actor::relayer::{
    CloseChannel, DropNext, GetSentByKind, GetStats, LinkEnd, OpenChannel, Outage, Relayer,
    SetDelay,
};
pub use crate::actor::relayer::{Delay, LinkStats};
use crate::actor::{Call, ChainActor, ContractActor, FailNext, Halt};
use crate::chain::{Chain, ValidatorEvent};
use crate::dialect::Implementation;
use crate::error::{Error, Result};
use crate::time::{human_ms, SimClock};
use crate::trace::{Trace, TraceKind};
pub use contract_id::ContractId;
pub use deploy::{consumer_contract, Deployed, GOVERNANCE};
pub use getters::{LocalStake, ValidatorRequest};
pub use names::AddressBook;
pub use report::{ConsumerNames, Report, ReportNames};
pub use spec::{bech32_prefix, ConsumerSpec, LinkSpec, ProviderSpec, TopologySpec, ValidatorSpec};

/// A deployed contract and its actor.
#[derive(Clone)]
pub struct ContractRef {
    /// Where and what it is.
    pub deployed: Deployed,
    /// Its actor.
    pub actor: actix::Addr<ContractActor>,
}

/// A running testnet (see the [module documentation](self)).
pub struct Testnet {
    clock: SimClock,
    trace: Trace,
    genesis_time: Timestamp,
    provider_id: String,
    provider_denom: String,
    implementation: Implementation,
    consumer_ids: Vec<String>,
    chains: BTreeMap<String, actix::Addr<ChainActor>>,
    apis: BTreeMap<String, CachedApi>,
    /// Contracts by name (their [`ContractId`]'s display); proxies join on first use.
    contracts: RefCell<BTreeMap<String, ContractRef>>,
    links: BTreeMap<String, actix::Addr<Relayer>>,
    /// The names the report shows: the topology's, plus validators added and reward recipients
    /// used since.
    names: RefCell<ReportNames>,
    /// Addresses of every name known so far (rebuilt when names are added).
    book: RefCell<Option<Rc<AddressBook>>>,
}

impl Testnet {
    /// Deploy `spec`, start its actors, open every channel and relay the first validator-set
    /// update. Must run inside [`run_simulation`](crate::time::run_simulation).
    pub async fn start(spec: &TopologySpec) -> Result<Testnet> {
        Self::start_traced(spec, Trace::default()).await
    }

    /// [`start`](Self::start), recording into `trace` (which may carry a work limit, see
    /// [`Trace::set_limit`]).
    pub async fn start_traced(spec: &TopologySpec, trace: Trace) -> Result<Testnet> {
        let genesis = deploy::genesis(spec).map_err(Error::Genesis)?;
        let clock = SimClock::start();
        let mut apis = BTreeMap::new();
        let mut chains = BTreeMap::new();
        let provider_id = spec.provider.chain.chain_id.clone();
        for chain in genesis.chains {
            let cfg = chain.config().clone();
            let prefix: &'static str = Box::leak(cfg.bech32_prefix.clone().into_boxed_str());
            apis.insert(cfg.chain_id.clone(), CachedApi::new(prefix));
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
            genesis_time: spec.provider.chain.genesis_time,
            provider_id,
            provider_denom: spec.provider.chain.denom.clone(),
            implementation: spec.codes.implementation,
            consumer_ids: spec
                .consumers
                .iter()
                .map(|c| c.chain.chain_id.clone())
                .collect(),
            chains,
            apis,
            contracts: RefCell::new(contracts),
            links: BTreeMap::new(),
            names: RefCell::new(ReportNames::of(spec)),
            book: RefCell::new(None),
        };
        for (index, c) in spec.consumers.iter().enumerate() {
            let id = c.chain.chain_id.clone();
            let end = |net: &Testnet, contract: &ContractId| {
                let r = net.contracts.borrow()[&contract.to_string()].clone();
                LinkEnd {
                    chain_id: r.deployed.chain_id.clone(),
                    chain: net.chains[&r.deployed.chain_id].clone(),
                    contract: r.actor.clone(),
                    contract_addr: r.deployed.addr.clone(),
                }
            };
            let provider_end = end(&net, &ContractId::external_staking(&id));
            let consumer_end = end(&net, &ContractId::converter(&id));
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
                .map_err(Error::actor)?
                .map_err(|e| Error::Genesis(format!("opening the channel of {id}: {e}")))?;
        }
        net.settle(Duration::from_secs(86_400)).await?;
        Ok(net)
    }

    /// Simulated time, ms since the start.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Simulated time as a chain timestamp: the provider's genesis time (block 1) plus the time
    /// elapsed since. A chain's current block is at most one block time older.
    pub fn now(&self) -> Timestamp {
        self.genesis_time
            .plus_nanos(self.now_ms().saturating_mul(1_000_000))
    }

    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The provider's chain id.
    pub fn provider_id(&self) -> &str {
        &self.provider_id
    }

    /// The provider's staking and collateral denom.
    pub fn provider_denom(&self) -> &str {
        &self.provider_denom
    }

    /// Whose contracts run here (the messages the actions send, see [`crate::dialect`]).
    pub fn implementation(&self) -> Implementation {
        self.implementation
    }

    /// The consumers' chain ids, in the topology's order.
    pub fn consumer_ids(&self) -> &[String] {
        &self.consumer_ids
    }

    /// The names the report shows: the topology's users, validators, consumers and denoms, plus
    /// validators added and reward recipients named since.
    pub fn names(&self) -> ReportNames {
        self.names.borrow().clone()
    }

    /// Every contract deployed so far (proxies once a user's first local stake made one and an
    /// action used it).
    pub fn contracts(&self) -> Vec<ContractRef> {
        self.contracts.borrow().values().cloned().collect()
    }

    /// A contract by id.
    pub fn contract(&self, id: &ContractId) -> Result<ContractRef> {
        if let ContractId::NativeStakingProxy(user) = id {
            self.check_user(user)?;
        }
        let contracts = self.contracts.borrow();
        contracts
            .get(&id.to_string())
            .cloned()
            .ok_or_else(|| Error::UnknownName {
                kind: "contract",
                name: id.to_string(),
                known: contracts.keys().cloned().collect(),
            })
    }

    /// The address of account `name` on `chain_id` (messages sent with [`exec`](Self::exec)
    /// carry addresses; the named actions take names).
    pub fn addr(&self, chain_id: &str, name: &str) -> Addr {
        self.apis[chain_id].addr_make(name)
    }

    /// The chain actor of `chain_id`.
    pub fn chain(&self, chain_id: &str) -> Result<&actix::Addr<ChainActor>> {
        self.chains.get(chain_id).ok_or_else(|| Error::UnknownName {
            kind: "chain",
            name: chain_id.to_string(),
            known: self.chains.keys().cloned().collect(),
        })
    }

    /// Run `f` on a chain at the current simulated time (ms since the start). Low level: `f`
    /// gets the chain's cw-multi-test App and the block current now.
    pub async fn with_chain<R: Send + 'static>(
        &self,
        chain_id: &str,
        f: impl FnOnce(&mut Chain, u64) -> R + Send + 'static,
    ) -> Result<R> {
        self.chain(chain_id)?
            .send(WithChain(Box::new(f)))
            .await
            .map_err(Error::actor)
    }

    /// Execute `msg` on `contract` as the account named `user` on the contract's chain, with
    /// `funds` attached.
    pub async fn exec<M: Serialize>(
        &self,
        user: &str,
        contract: &ContractId,
        msg: &M,
        funds: Vec<Coin>,
    ) -> Result<AppResponse> {
        let c = self.resolve(contract).await?;
        let sender = self.addr(&c.deployed.chain_id, user);
        let msg = to_json_binary(msg).map_err(|e| Error::InvalidInput(e.to_string()))?;
        c.actor
            .send(Call {
                sender,
                sender_name: user.to_string(),
                msg,
                funds,
            })
            .await
            .map_err(Error::actor)?
            .map_err(|e| self.contract_error(contract, &c.deployed.chain_id, &e))
    }

    /// Smart-query `contract`.
    pub async fn query<M: Serialize, R: DeserializeOwned + Send + 'static>(
        &self,
        contract: &ContractId,
        msg: &M,
    ) -> Result<R> {
        let c = self.resolve(contract).await?;
        self.query_at(&c, contract, msg).await
    }

    /// Smart-query the deployed contract `c` (whose id is `contract`).
    async fn query_at<M: Serialize, R: DeserializeOwned + Send + 'static>(
        &self,
        c: &ContractRef,
        contract: &ContractId,
        msg: &M,
    ) -> Result<R> {
        let addr = c.deployed.addr.clone();
        let bin = to_json_binary(msg).map_err(|e| Error::InvalidInput(e.to_string()))?;
        let raw = self
            .with_chain(&c.deployed.chain_id, move |chain, _| {
                chain.query(&addr, &bin)
            })
            .await?
            .map_err(|e| self.contract_error(contract, &c.deployed.chain_id, &e))?;
        cosmwasm_std::from_json(&raw).map_err(|e| Error::Contract {
            contract: contract.clone(),
            message: format!("unexpected answer: {e}"),
        })
    }

    /// A contract by id, a user's proxy included once it exists on chain (its actor starts
    /// on first use).
    async fn resolve(&self, id: &ContractId) -> Result<ContractRef> {
        if let ContractId::NativeStakingProxy(user) = id {
            self.native_staking_proxy(user).await?;
        }
        self.contract(id)
    }

    /// A contract's error (or its halted chain's), with names for addresses.
    fn contract_error(&self, contract: &ContractId, chain: &str, message: &str) -> Error {
        crate::error::halted(chain, message).unwrap_or_else(|| Error::Contract {
            contract: contract.clone(),
            message: self.humanize(message),
        })
    }

    /// `text` with every address this testnet knows replaced by its name.
    pub fn humanize(&self, text: &str) -> String {
        let book = self.book.borrow().clone();
        let book = match book {
            Some(b) => b,
            None => {
                let b = Rc::new(AddressBook::known(self));
                *self.book.borrow_mut() = Some(b.clone());
                b
            }
        };
        book.humanize(text)
    }

    /// Forget the address book (a name was added).
    fn names_changed(&self) {
        *self.book.borrow_mut() = None;
    }

    /// The contract id of `user`'s native staking proxy, starting its actor on first use.
    /// Fails if the user has no proxy yet (nothing staked locally).
    pub async fn native_staking_proxy(&self, user: &str) -> Result<ContractId> {
        self.check_user(user)?;
        let id = ContractId::native_staking_proxy(user);
        let name = id.to_string();
        if self.contracts.borrow().contains_key(&name) {
            return Ok(id);
        }
        let owner = self.addr(&self.provider_id, user).to_string();
        let native = self.contract(&ContractId::NativeStaking)?;
        let resp: mesh_apis::native_staking::ProxyByOwnerResponse = self
            .query_at(
                &native,
                &ContractId::NativeStaking,
                &mesh_apis::native_staking::QueryMsg::ProxyByOwner { owner },
            )
            .await
            .map_err(|_| Error::Contract {
                contract: ContractId::NativeStaking,
                message: format!("{user} has no native staking proxy (nothing staked locally)"),
            })?;
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
            .borrow_mut()
            .insert(name, ContractRef { deployed, actor });
        self.names_changed();
        Ok(id)
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

    fn link(&self, consumer: &str) -> Result<&actix::Addr<Relayer>> {
        self.links.get(consumer).ok_or_else(|| Error::UnknownName {
            kind: "link",
            name: consumer.to_string(),
            known: self.links.keys().cloned().collect(),
        })
    }

    /// Counters of the link of `consumer`: packets sent, received, acked, timed out, in flight.
    pub async fn link_stats(&self, consumer: &str) -> Result<LinkStats> {
        self.link(consumer)?
            .send(GetStats)
            .await
            .map_err(Error::actor)
    }

    /// Packets sent on the link of `consumer`, by kind (`valset_update`, `stake`, ...).
    pub async fn sent_by_kind(&self, consumer: &str) -> Result<BTreeMap<String, u64>> {
        self.link(consumer)?
            .send(GetSentByKind)
            .await
            .map_err(Error::actor)
    }

    /// Number of pending txs in the vault and every external staking contract.
    pub async fn pending_txs(&self) -> Result<usize> {
        let mut total = 0;
        let msg = mesh_apis::vault::QueryMsg::AllPendingTxsDesc {
            start_after: None,
            limit: Some(30),
        };
        let count = |contract: &ContractId, page: serde_json::Value| {
            crate::dialect::read::pending_txs(&page).ok_or_else(|| Error::Contract {
                contract: contract.clone(),
                message: "its all_pending_txs_desc answer lists no txs".to_string(),
            })
        };
        let r = self.query(&ContractId::Vault, &msg).await?;
        total += count(&ContractId::Vault, r)?;
        for id in &self.consumer_ids {
            let msg = mesh_apis::external_staking::QueryMsg::AllPendingTxsDesc {
                start_after: None,
                limit: Some(30),
            };
            let external = ContractId::external_staking(id);
            let r = self.query(&external, &msg).await?;
            total += count(&external, r)?;
        }
        Ok(total)
    }

    /// True when no packet is in flight and no tx is pending.
    pub async fn is_settled(&self) -> Result<bool> {
        Ok(self.settle_state().await?.0)
    }

    /// Whether the system is settled, and the next time a relayer acts (nothing settles
    /// before then: only relayer deliveries complete packets and pending txs).
    async fn settle_state(&self) -> Result<(bool, Option<u64>)> {
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

    /// Run until nothing is in flight and no tx is pending; fail with
    /// [`Error::NotSettled`] if that is not reached `within`.
    /// Checks on a one-second grid from the call, skipping straight to the first grid point
    /// after the next relayer event (nothing can settle in between).
    ///
    /// An [`epoch`](Self::epoch) sends packets of its own (the rewards batch to the provider,
    /// and `internal_unstake` under a zero max cap): settle after it to see them arrive.
    pub async fn settle(&self, within: Duration) -> Result<()> {
        let start = self.now_ms();
        let deadline = start + within.as_millis() as u64;
        loop {
            let (settled, next_event) = self.settle_state().await?;
            if settled {
                return Ok(());
            }
            let now = self.now_ms();
            if now >= deadline {
                return Err(Error::NotSettled { within });
            }
            // Nothing scheduled can still mean a delivery is under way (a relayer waiting for a
            // chain's answer): then look again at the next grid point.
            let target = next_event.unwrap_or(now + 1).clamp(now + 1, deadline);
            let grid = start + (target - start).div_ceil(1_000) * 1_000;
            self.wait(Duration::from_millis(grid - now)).await;
            if self.trace.exceeded().is_some() {
                return Err(Error::BudgetExhausted);
            }
        }
    }

    /// Run until the next epoch of `consumer` has executed (virtual staking bonds and unbonds
    /// toward the provider's requests, and sends the rewards batch). A halt that ended
    /// meanwhile shifts the chain's blocks (the first one comes at the resume), so the epoch's
    /// block may come later than first computed: look again until it has run. Fails with
    /// [`Error::Halted`] if the chain is halted when the epoch is due, and never returns as if
    /// an epoch ran when none did.
    pub async fn epoch(&self, consumer: &str) -> Result<()> {
        let before = self.with_chain(consumer, |c, _| c.epochs_done()).await?;
        // Each round either runs the epoch or brings the chain to a block on its current grid,
        // after which the next epoch time is exact: two rounds suffice, four are a margin.
        for _ in 0..4 {
            let at = self
                .with_chain(consumer, |c, _| c.next_epoch_time())
                .await?
                .ok_or_else(|| Error::Chain {
                    chain: consumer.to_string(),
                    message: format!("{consumer} has no epochs"),
                })?;
            self.wait(self.clock.until(at)).await;
            if self.trace.exceeded().is_some() {
                return Err(Error::BudgetExhausted);
            }
            self.with_chain(consumer, |c, now| c.advance(now))
                .await?
                .map_err(|until_ms| Error::Halted {
                    chain: consumer.to_string(),
                    until_ms,
                })?;
            let after = self.with_chain(consumer, |c, _| c.epochs_done()).await?;
            if after > before {
                return Ok(());
            }
        }
        Err(Error::NoEpoch {
            chain: consumer.to_string(),
            at_ms: self.now_ms(),
        })
    }

    /// Close the channel of `consumer`'s link from the provider side: every stake on it moves
    /// to an immediate unbond, and packets in flight time out.
    pub async fn close_channel(&self, consumer: &str) -> Result<()> {
        self.link(consumer)?
            .send(CloseChannel)
            .await
            .map_err(Error::actor)?
            .map_err(|e| Error::chain(consumer, e))
    }

    /// Fault: the delay of `consumer`'s link from now on (each hop of a packet or an ack).
    pub async fn set_delay(&self, consumer: &str, delay: Delay) -> Result<()> {
        self.link(consumer)?
            .send(SetDelay(delay))
            .await
            .map_err(Error::actor)
    }

    /// Fault: the next `n` packets on `consumer`'s link are never relayed (they time out);
    /// 0 lifts the fault.
    pub async fn drop_next(&self, consumer: &str, n: u32) -> Result<()> {
        self.link(consumer)?
            .send(DropNext(n))
            .await
            .map_err(Error::actor)
    }

    /// Fault: `consumer`'s link relays nothing for `d` from now; afterwards packets whose
    /// timeout passed time out and the rest are delivered.
    pub async fn outage(&self, consumer: &str, d: Duration) -> Result<()> {
        let until_ms = self.now_ms() + d.as_millis() as u64;
        self.link(consumer)?
            .send(Outage { until_ms })
            .await
            .map_err(Error::actor)
    }

    /// Fault: the chain makes no blocks for `d`: it takes no transaction, packet or event
    /// meanwhile ([`Error::Halted`]).
    pub async fn halt(&self, chain_id: &str, d: Duration) -> Result<()> {
        let chain = self.chain(chain_id)?.clone();
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
        chain.send(Halt { until_ms }).await.map_err(Error::actor)
    }

    /// A chain event on a validator: jail, unjail or tombstone (with the chain's slash), a new
    /// validator, or a removal. The named methods ([`jail`](Self::jail), ...) call this.
    pub async fn validator_event(
        &self,
        chain_id: &str,
        validator: &str,
        event: ValidatorEvent,
    ) -> Result<()> {
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
        result.map_err(|e| Error::chain(chain_id, e))
    }

    /// Fault: the next `n` IBC receives of `contract` fail (the sender gets an error ack); 0
    /// lifts the fault. Only the channel's contracts receive packets:
    /// [`ContractId::Converter`] (packets from the provider) and
    /// [`ContractId::ExternalStaking`] (packets from the consumer).
    pub async fn fail_next(&self, contract: &ContractId, n: u32) -> Result<()> {
        let actor = self.resolve(contract).await?.actor;
        self.trace.record(
            self.now_ms(),
            TraceKind::Fault {
                target: format!("contract {contract}"),
                fault: format!("fail_next {n}"),
            },
        );
        actor.send(FailNext(n)).await.map_err(Error::actor)
    }

    /// Fails with [`Error::UnknownName`] unless `user` is one of the topology's accounts.
    fn check_user(&self, user: &str) -> Result<()> {
        let names = self.names.borrow();
        // Sorted by ReportNames::of.
        if names
            .users
            .binary_search_by(|u| u.as_str().cmp(user))
            .is_ok()
        {
            return Ok(());
        }
        Err(Error::UnknownName {
            kind: "user",
            name: user.to_string(),
            known: names.users.clone(),
        })
    }

    /// Fails with [`Error::UnknownName`] unless `consumer` is a consumer chain.
    fn check_consumer(&self, consumer: &str) -> Result<()> {
        if self.consumer_ids.iter().any(|c| c == consumer) {
            return Ok(());
        }
        Err(Error::UnknownName {
            kind: "consumer",
            name: consumer.to_string(),
            known: self.consumer_ids.clone(),
        })
    }
}
