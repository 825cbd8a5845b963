//! One chain: a cw-multi-test App, its block clock and its IBC state, without any actor code.
//!
//! [`crate::actor::ChainActor`] owns a `Chain` and is the only way the rest of the runtime reaches it.
//! Every method takes the simulation's elapsed time (`now_ms`) and first brings the chain to the
//! block current at that time, running that block's begin-block work (matured unbondings, an
//! epoch that is due).

pub mod addresses;
pub mod api;
pub mod app;
pub mod books;
pub mod clock;
pub mod observer;
pub mod storage;
pub mod store;

use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, BlockInfo, Coin, CosmosMsg, Decimal,
    IbcAcknowledgement, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcChannelOpenResponse,
    IbcEndpoint, IbcOrder, IbcPacket, IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg,
    StdAck, StdError, Timestamp, Uint128, WasmMsg,
};
use cw_multi_test::{AppResponse, Executor};
use serde::Serialize;
use std::collections::BTreeMap;

use crate::contracts::{Code, Role};
use crate::dialect::{Implementation, JailingHook};
use crate::ibc::{ChannelEnd, ChannelState, IbcEnvelope, IbcOutbox, IbcState, OutboxEntry};
use crate::modules::{BondStatus, SlashReport, ValidatorInfo};
use crate::wasm::{GasMeter, GasStats};
pub use app::{ChainConfig, MeshApp, SlashFractions, GENESIS_TIME};
pub use clock::{BlockClock, BlockPos};
pub use storage::{Change, LogId, TrackedStorage};

/// Name of the relayer account the chains see as the submitter of IBC messages.
pub const RELAYER_NAME: &str = "relayer";

/// Why a chain could not take a packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecvRefused {
    /// The chain is halted until this time (ms).
    Halted(u64),
    /// The packet's timeout has passed on this chain.
    TimedOut,
    /// Already received (never delivered twice).
    AlreadyReceived,
    /// The channel is unknown or not open.
    ChannelNotOpen(String),
}

/// Something a chain did that the trace should show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainEvent {
    /// A block was executed.
    Block {
        /// Height.
        height: u64,
    },
    /// The consumer chain ran an epoch.
    Epoch {
        /// Height.
        height: u64,
        /// Error text if the epoch failed.
        error: Option<String>,
    },
    /// A contract's outgoing IBC message could not be sent.
    SendFailed {
        /// Why.
        reason: String,
    },
    /// A wasm contract was called (native contracts are not metered).
    Call {
        /// The contract's name (its address until [`Chain::take_events`] names it).
        contract: String,
        /// Entry point and message kind (`execute:bond`).
        call: String,
        /// Gas it used.
        gas: u64,
        /// Whether it succeeded.
        ok: bool,
    },
}

/// A validator event the chain applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidatorEvent {
    /// Jail for downtime, slashing the downtime fraction.
    Jail,
    /// Unjail.
    Unjail,
    /// Tombstone for double signing, slashing the double-sign fraction of the evidence's power
    /// (default: the validator's power now). Final.
    Tombstone {
        /// The consensus power the evidence names.
        power: Option<u64>,
    },
    /// A new validator whose operator self-bonds `stake` (`MsgCreateValidator`).
    Add {
        /// The self-bond, in the chain's denom.
        stake: Uint128,
    },
    /// The operator unbonds its whole self-bond: the validator leaves the set for good.
    Remove,
}

impl ValidatorEvent {
    /// The event as a verb ("jail", "add", ...).
    pub fn verb(&self) -> &'static str {
        match self {
            ValidatorEvent::Jail => "jail",
            ValidatorEvent::Unjail => "unjail",
            ValidatorEvent::Tombstone { .. } => "tombstone",
            ValidatorEvent::Add { .. } => "add",
            ValidatorEvent::Remove => "remove",
        }
    }

    /// Whether the chain takes this event for `v` (an existing validator), or why not.
    fn allowed(&self, v: &ValidatorInfo) -> Result<(), String> {
        let it_is = || format!("it is {}", v.describe());
        match self {
            ValidatorEvent::Jail if v.status != BondStatus::Bonded || v.jailed => Err(it_is()),
            ValidatorEvent::Unjail if !v.jailed || v.tombstoned => Err(it_is()),
            ValidatorEvent::Tombstone { .. } if v.tombstoned => Err(it_is()),
            ValidatorEvent::Tombstone { .. } if v.status == BondStatus::Unbonded => Err(
                "it is unbonded (the chain ignores evidence against an unbonded validator)"
                    .to_string(),
            ),
            ValidatorEvent::Remove if v.tombstoned => Err(it_is()),
            _ => Ok(()),
        }
    }
}

/// Virtual staking's `handle_valset_update` for `event` on `validator` in `block`: the one
/// field of the transition, and `vs`'s share of a slash.
fn valset_update(
    validator: &str,
    event: ValidatorEvent,
    report: Option<&SlashReport>,
    vs: &Addr,
    block: &BlockInfo,
) -> mesh_apis::virtual_staking::SudoMsg {
    let list = || Some(vec![validator.to_string()]);
    let slashed = report.map(|r| {
        vec![mesh_apis::ibc::ValidatorSlashInfo {
            validator: validator.to_string(),
            infraction_height: r.infraction_height,
            infraction_time: r.infraction_time.seconds(),
            power: Uint128::from(r.power),
            slash_amount: r.slashed_from(vs),
            slash_ratio: r.fraction,
            tombstoned: matches!(event, ValidatorEvent::Tombstone { .. }),
            provider_amount: None,
        }]
    });
    let additions = matches!(event, ValidatorEvent::Add { .. }).then(|| {
        vec![mesh_apis::ibc::AddValidator {
            valoper: validator.to_string(),
            start_height: block.height,
            start_time: block.time.seconds(),
        }]
    });
    mesh_apis::virtual_staking::SudoMsg::HandleValsetUpdate {
        additions,
        removals: (event == ValidatorEvent::Remove).then(list).flatten(),
        updated: None,
        jailed: (event == ValidatorEvent::Jail).then(list).flatten(),
        unjailed: (event == ValidatorEvent::Unjail).then(list).flatten(),
        tombstoned: matches!(event, ValidatorEvent::Tombstone { .. })
            .then(list)
            .flatten(),
        slashed,
    }
}

/// A packet leaving this chain, ready for the relayer.
#[derive(Clone, Debug)]
pub struct SentPacket {
    /// The packet.
    pub packet: IbcPacket,
}

/// One chain of the testnet.
pub struct Chain {
    cfg: ChainConfig,
    app: MeshApp,
    clock: BlockClock,
    ibc: IbcState,
    /// Virtual staking contract (consumer): gets epochs and validator-set updates.
    virtual_staking: Option<Addr>,
    /// Native staking contract (provider): gets `jailing` with what a slash took, after it.
    native_staking: Option<Addr>,
    implementation: Implementation,
    epochs_done: u64,
    epoch_dirty: bool,
    outgoing: Vec<SentPacket>,
    events: Vec<ChainEvent>,
    /// Per validator, its last status change and its block (height, time in seconds).
    status_changes: BTreeMap<String, (u64, u64, ValidatorEvent)>,
    /// Virtual staking's books right after the last epoch that wanted them (consumers only).
    last_epoch: Option<books::EpochBooks>,
    /// Read the books right after the next epoch (see [`Chain::want_epoch_books`]).
    books_wanted: bool,
    /// Gas of wasm calls, per transaction.
    gas: GasMeter,
    /// Gas of the last transaction, if wasm ran in it.
    last_gas: Option<u64>,
    /// Gas per (contract, call kind) since genesis, with the role of the contract's code.
    gas_stats: BTreeMap<(Addr, String), (String, GasStats)>,
    /// The role of every metered contract's code (names contracts without a name).
    roles: BTreeMap<Addr, String>,
    /// Names of contracts (for gas records), by address.
    names: BTreeMap<Addr, String>,
    /// Watches packet receives (oracles).
    observer: Option<Box<dyn observer::ReceiveObserver>>,
    /// The change log the observer is handed (opened with the first observer).
    observer_log: Option<LogId>,
    /// The first completion of the unbonding queue, as of a count of the queue's writes
    /// ([`TrackedStorage::watched_writes`]): read again only once the queue changed.
    next_unbonding: std::cell::Cell<Option<(u64, Option<Timestamp>)>>,
}

/// The error of a transaction on a halted chain: "chain juno is halted until t=2h8m26s".
pub fn halted_error(chain_id: &str, until_ms: u64) -> String {
    format!(
        "chain {chain_id} is halted until t={}",
        crate::time::human_ms(until_ms)
    )
}

/// The halt end (ms) in an error of [`halted_error`]'s form.
pub fn halted_until(error: &str) -> Option<u64> {
    let rest = error.split("is halted until t=").nth(1)?;
    let time = rest.split(|c: char| !c.is_ascii_alphanumeric()).next()?;
    crate::time::parse_human_ms(time)
}

/// Turn a cw-multi-test error into the contract's own message.
pub fn error_text(err: &StdError) -> String {
    clean_error(&err.to_string())
}

/// The innermost message of an error text that wraps it in layers of context
/// (`kind: Other, error: Querier contract error: ...`).
pub fn clean_error(text: &str) -> String {
    let mut text = text.to_string();
    // cw-multi-test and StdError wrap the contract's message in layers of context.
    while let Some(idx) = text.find("error: ") {
        let rest = &text[idx + "error: ".len()..];
        if rest.is_empty() {
            break;
        }
        text = rest.to_string();
    }
    text.trim().to_string()
}

impl Chain {
    /// A chain at genesis (height 1) with an empty App.
    pub fn new(cfg: ChainConfig) -> Self {
        let app = app::build_app(&cfg);
        let clock = BlockClock::new(cfg.block_time_ms);
        let gas = GasMeter::new(cfg.gas_limit);
        let mut chain = Chain {
            cfg,
            app,
            clock,
            ibc: IbcState::default(),
            virtual_staking: None,
            native_staking: None,
            implementation: Implementation::MeshHarness,
            status_changes: BTreeMap::new(),
            last_epoch: None,
            books_wanted: false,
            observer: None,
            observer_log: None,
            next_unbonding: Default::default(),
            epochs_done: 0,
            epoch_dirty: false,
            outgoing: vec![],
            events: vec![],
            gas,
            last_gas: None,
            gas_stats: BTreeMap::new(),
            roles: BTreeMap::new(),
            names: BTreeMap::new(),
        };
        chain.set_block(chain.clock.last());
        chain
    }

    /// Store `code` (playing `role`) on this chain; its code id.
    pub fn store_code(&mut self, code: &Code, role: Role) -> u64 {
        let contract = code.contract(role, &self.gas);
        self.app.store_code(contract)
    }

    /// Name a contract in gas records (others are named by their code's role).
    pub fn name_contract(&mut self, addr: &Addr, name: &str) {
        self.names.insert(addr.clone(), name.to_string());
    }

    /// Run `f` as one transaction under the chain's gas limit; the wasm calls it made are
    /// recorded (events for the trace, totals for the report) and its gas kept for
    /// [`take_last_gas`](Self::take_last_gas).
    pub fn metered<T>(&mut self, f: impl FnOnce(&mut MeshApp) -> T) -> T {
        self.gas.begin_tx();
        let result = f(&mut self.app);
        self.last_gas = self.gas.end_tx();
        for call in self.gas.take_calls() {
            self.roles.insert(call.contract.clone(), call.role.clone());
            self.gas_stats
                .entry((call.contract.clone(), call.kind.clone()))
                .or_insert_with(|| (call.role.clone(), GasStats::default()))
                .1
                .add(call.gas);
            self.events.push(ChainEvent::Call {
                contract: call.contract.to_string(),
                call: call.kind,
                gas: call.gas,
                ok: call.ok,
            });
        }
        result
    }

    /// A contract's name: the one given with [`name_contract`](Self::name_contract), else the
    /// role of its code (`native_staking_proxy`), else its address.
    pub fn contract_name(&self, addr: &Addr) -> String {
        self.names
            .get(addr)
            .or_else(|| self.roles.get(addr))
            .cloned()
            .unwrap_or_else(|| addr.to_string())
    }

    /// Change the chain's per-transaction gas limit (governance).
    pub fn set_gas_limit(&mut self, limit: u64) {
        self.gas.set_tx_limit(limit);
    }

    /// The gas of the last transaction, if wasm ran in it (taken: the next call says None).
    pub fn take_last_gas(&mut self) -> Option<u64> {
        self.last_gas.take()
    }

    /// Gas per contract name and call kind since genesis (empty when no wasm ran; contracts
    /// without a name of their own are counted together under their code's role).
    pub fn gas_stats(&self) -> BTreeMap<(String, String), GasStats> {
        let mut out: BTreeMap<(String, String), GasStats> = BTreeMap::new();
        for ((addr, kind), (_, s)) in &self.gas_stats {
            let entry = out
                .entry((self.contract_name(addr), kind.clone()))
                .or_default();
            entry.count += s.count;
            entry.total = entry.total.saturating_add(s.total);
            entry.max = entry.max.max(s.max);
        }
        out
    }

    /// The chain's configuration.
    pub fn config(&self) -> &ChainConfig {
        &self.cfg
    }

    /// The chain id.
    pub fn id(&self) -> &str {
        &self.cfg.chain_id
    }

    /// Direct access to the App (set-up, reports, chain modules).
    pub fn app(&mut self) -> &mut MeshApp {
        &mut self.app
    }

    /// Read-only access to the App.
    pub fn app_ref(&self) -> &MeshApp {
        &self.app
    }

    /// The IBC state.
    pub fn ibc(&self) -> &IbcState {
        &self.ibc
    }

    /// The block clock.
    pub fn clock(&self) -> &BlockClock {
        &self.clock
    }

    /// Register the consumer's virtual staking contract (epochs, validator-set updates).
    pub fn set_virtual_staking(&mut self, contract: Addr) {
        self.virtual_staking = Some(contract);
    }

    /// The consumer's virtual staking contract, if registered.
    pub fn virtual_staking(&self) -> Option<&Addr> {
        self.virtual_staking.as_ref()
    }

    /// Register the provider's native staking contract (jailing hook).
    pub fn set_native_staking(&mut self, contract: Addr) {
        self.native_staking = Some(contract);
    }

    /// Whose contracts run here: when native staking hears of a slash and the shape of
    /// validator-set updates (see [`crate::dialect`]).
    pub fn set_implementation(&mut self, implementation: Implementation) {
        self.implementation = implementation;
    }

    /// The provider's native staking contract, if registered.
    pub fn native_staking(&self) -> Option<&Addr> {
        self.native_staking.as_ref()
    }

    /// Watch every packet receive from now on (replaces an earlier observer).
    pub fn set_receive_observer(&mut self, observer: Box<dyn observer::ReceiveObserver>) {
        if self.observer_log.is_none() {
            self.observer_log = Some(self.open_change_log());
        }
        self.observer = Some(observer);
    }

    /// Start a change log of this chain's storage (see [`TrackedStorage`]).
    pub fn open_change_log(&mut self) -> LogId {
        self.app.storage_mut().open_log()
    }

    /// What changed in this chain's storage since `log` was opened or last taken.
    pub fn take_changes(&mut self, log: LogId) -> Vec<Change> {
        self.app.storage_mut().take(log)
    }

    /// Run `f` on the App without logging its writes: no change log learns of them (tests
    /// plant state a checker must not be told of this way).
    pub fn untracked<R>(&mut self, f: impl FnOnce(&mut MeshApp) -> R) -> R {
        self.app.storage_mut().pause_logging(true);
        let r = f(&mut self.app);
        self.app.storage_mut().pause_logging(false);
        r
    }

    /// The address of a named account on this chain.
    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    /// Block time as a chain timestamp.
    pub fn timestamp_of(&self, time_ms: u64) -> Timestamp {
        self.cfg
            .genesis_time
            .plus_nanos(time_ms.saturating_mul(1_000_000))
    }

    /// Simulation time (ms) of a chain timestamp.
    pub fn ms_of(&self, ts: Timestamp) -> u64 {
        ts.nanos().saturating_sub(self.cfg.genesis_time.nanos()) / 1_000_000
    }

    /// The block current at `now_ms` (without executing it).
    pub fn block_at(&self, now_ms: u64) -> BlockPos {
        self.clock.block_at(now_ms)
    }

    /// The end of the current halt, if halted at `now_ms`.
    pub fn halted_at(&self, now_ms: u64) -> Option<u64> {
        self.clock.halted_at(now_ms)
    }

    /// Halt block production from `now_ms` until `until_ms`.
    pub fn halt(&mut self, now_ms: u64, until_ms: u64) {
        let _ = self.advance(now_ms);
        self.clock.halt(now_ms, until_ms);
    }

    fn set_block(&mut self, pos: BlockPos) {
        let time = self.timestamp_of(pos.time_ms);
        let chain_id = self.cfg.chain_id.clone();
        self.app.set_block(cosmwasm_std::BlockInfo {
            height: pos.height,
            time,
            chain_id,
        });
    }

    /// [`advance`](Self::advance), with a halt as the error text users and relayers see
    /// ("chain X is halted until Nms"; relayers read the time back from it).
    fn advance_or_halted(&mut self, now_ms: u64) -> Result<(), String> {
        self.advance(now_ms)
            .map_err(|until| halted_error(&self.cfg.chain_id, until))
    }

    /// Bring the chain to the block current at `now_ms`, running its begin-block work.
    /// Returns the halt end if the chain is halted.
    pub fn advance(&mut self, now_ms: u64) -> Result<(), u64> {
        if let Some(until) = self.clock.halted_at(now_ms) {
            return Err(until);
        }
        if let Some(pos) = self.clock.advance(now_ms) {
            // set_block runs the staking module's queue (matured unbondings).
            self.set_block(pos);
            self.events.push(ChainEvent::Block { height: pos.height });
            self.run_due_epoch(pos.height);
        }
        Ok(())
    }

    fn epoch_blocks(&self) -> Option<u64> {
        self.cfg
            .epoch_blocks
            .filter(|_| self.virtual_staking.is_some())
    }

    /// Run `handle_epoch` if an epoch boundary was crossed. Idle epochs in a row collapse
    /// into one: rewards accrue by time, and bond changes need a transaction, so nothing is lost.
    fn run_due_epoch(&mut self, height: u64) {
        let Some(every) = self.epoch_blocks() else {
            return;
        };
        let index = height / every;
        if index <= self.epochs_done {
            return;
        }
        self.epochs_done = index;
        self.epoch_dirty = false;
        let contract = self
            .virtual_staking
            .clone()
            .expect("checked by epoch_blocks");
        let msg = mesh_apis::virtual_staking::SudoMsg::HandleEpoch {};
        let error = match self.metered(|app| app.wasm_sudo(contract.clone(), &msg)) {
            Ok(_) => None,
            Err(e) => Some(error_text(&e)),
        };
        if std::mem::take(&mut self.books_wanted) {
            self.last_epoch = books::read_books(self, &contract, height).ok();
        }
        self.events.push(ChainEvent::Epoch { height, error });
        self.collect_outbox();
    }

    /// How many epoch boundaries the chain has passed (the index of its last epoch).
    pub fn epochs_done(&self) -> u64 {
        self.epochs_done
    }

    /// Read virtual staking's requests and delegations right after the next epoch, for
    /// [`last_epoch_books`](Self::last_epoch_books) (epochs nobody asked about are not read).
    pub fn want_epoch_books(&mut self) {
        self.books_wanted = true;
    }

    /// Virtual staking's requests and delegations right after the last epoch that
    /// [wanted them](Self::want_epoch_books) (None before, and on a chain without virtual
    /// staking).
    pub fn last_epoch_books(&self) -> Option<&books::EpochBooks> {
        self.last_epoch.as_ref()
    }

    /// The time (ms) of the next block that has work without any new input: a maturing
    /// unbonding, or an epoch when something happened since the last one.
    pub fn next_wake(&self) -> Option<u64> {
        // The block that pays an unbonding out is the first one at or after its completion
        // (waking between two blocks would make no block and wake again at once, forever).
        let unbonding = self
            .next_unbonding_completion()
            .map(|ts| self.clock.block_time_at_or_after(self.ms_of(ts)));
        let epoch = self.epoch_blocks().and_then(|every| {
            self.epoch_dirty.then(|| {
                let boundary = (self.epochs_done + 1) * every;
                let last = self.clock.last();
                let height = boundary.max(last.height + 1);
                self.clock.time_of_height(height)
            })
        });
        match (unbonding, epoch) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// When the first entry of the staking module's unbonding queue completes, if any (read
    /// from the queue only when it was written since the last read).
    fn next_unbonding_completion(&self) -> Option<Timestamp> {
        let writes = self.app.storage().watched_writes();
        match self.next_unbonding.get() {
            Some((seen, first)) if seen == writes => first,
            _ => {
                let first = app::next_unbonding_completion(&self.app);
                self.next_unbonding.set(Some((writes, first)));
                first
            }
        }
    }

    /// Run until the next epoch has executed; returns its height.
    pub fn next_epoch_time(&self) -> Option<u64> {
        let every = self.epoch_blocks()?;
        let boundary = (self.epochs_done + 1) * every;
        let last = self.clock.last();
        Some(self.clock.time_of_height(boundary.max(last.height + 1)))
    }

    /// Take the events recorded since the last call (contracts named as of now).
    pub fn take_events(&mut self) -> Vec<ChainEvent> {
        let mut events = std::mem::take(&mut self.events);
        for e in &mut events {
            if let ChainEvent::Call { contract, .. } = e {
                *contract = self.contract_name(&Addr::unchecked(contract.as_str()));
            }
        }
        events
    }

    /// Take the packets sent since the last call.
    pub fn take_outgoing(&mut self) -> Vec<SentPacket> {
        std::mem::take(&mut self.outgoing)
    }

    fn collect_outbox(&mut self) {
        for entry in IbcOutbox::drain(self.app.storage_mut()) {
            match entry {
                OutboxEntry::Packet {
                    sender,
                    channel_id,
                    data,
                    timeout,
                } => {
                    let Some(end) = self.ibc.channels.get(&channel_id).cloned() else {
                        self.events.push(ChainEvent::SendFailed {
                            reason: format!("{sender} sent on unknown channel {channel_id}"),
                        });
                        continue;
                    };
                    if end.contract != sender || end.state != ChannelState::Open {
                        self.events.push(ChainEvent::SendFailed {
                            reason: format!("{sender} may not send on channel {channel_id}"),
                        });
                        continue;
                    }
                    let seq = self.ibc.next_sequence(&channel_id);
                    let packet = IbcPacket::new(data, end.endpoint, end.counterparty, seq, timeout);
                    self.ibc
                        .commitments
                        .insert((channel_id, seq), packet.clone());
                    self.outgoing.push(SentPacket { packet });
                }
                OutboxEntry::CloseChannel { sender, channel_id } => {
                    self.events.push(ChainEvent::SendFailed {
                        reason: format!(
                            "{sender} asked to close {channel_id}: closing from a contract is not supported"
                        ),
                    });
                }
            }
        }
    }

    fn mark_busy(&mut self) {
        self.epoch_dirty = true;
    }

    /// Execute a contract as `sender` in the block current at `now_ms`.
    pub fn execute(
        &mut self,
        now_ms: u64,
        sender: &Addr,
        contract: &Addr,
        msg: Binary,
        funds: Vec<Coin>,
    ) -> Result<AppResponse, String> {
        self.last_gas = None;
        self.advance_or_halted(now_ms)?;
        self.mark_busy();
        let wasm = CosmosMsg::Wasm(WasmMsg::Execute {
            contract_addr: contract.to_string(),
            msg,
            funds,
        });
        let result = self
            .metered(|app| app.execute(sender.clone(), wasm))
            .map_err(|e| error_text(&e));
        self.collect_outbox();
        result
    }

    /// Send tokens between accounts.
    pub fn bank_send(
        &mut self,
        now_ms: u64,
        sender: &Addr,
        to: &Addr,
        amount: Vec<Coin>,
    ) -> Result<AppResponse, String> {
        self.advance_or_halted(now_ms)?;
        let msg = CosmosMsg::Bank(cosmwasm_std::BankMsg::Send {
            to_address: to.to_string(),
            amount,
        });
        self.app
            .execute(sender.clone(), msg)
            .map_err(|e| error_text(&e))
    }

    /// Call a contract's sudo entry point (chain governance and modules).
    pub fn sudo<T: Serialize>(
        &mut self,
        now_ms: u64,
        contract: &Addr,
        msg: &T,
    ) -> Result<AppResponse, String> {
        self.advance_or_halted(now_ms)?;
        self.mark_busy();
        let result = self
            .metered(|app| app.wasm_sudo(contract.clone(), msg))
            .map_err(|e| error_text(&e));
        self.collect_outbox();
        result
    }

    /// Smart query of a contract, as raw JSON.
    pub fn query(&self, contract: &Addr, msg: &Binary) -> Result<Binary, String> {
        // Straight to the router: what a contract's querier does, without encoding the request
        // as JSON for the App's `raw_query` to decode again.
        let request = cosmwasm_std::QueryRequest::Wasm(cosmwasm_std::WasmQuery::Smart {
            contract_addr: contract.to_string(),
            msg: msg.clone(),
        });
        let block = self.app.block_info();
        self.app
            .read_module(|router, api, storage| {
                use cw_multi_test::CosmosRouter;
                router.query(api, storage, &block, request)
            })
            .map_err(|e| clean_error(&e.to_string()))
    }

    /// Typed smart query of a contract.
    pub fn query_json<Q: Serialize, R: serde::de::DeserializeOwned>(
        &self,
        contract: &Addr,
        msg: &Q,
    ) -> Result<R, String> {
        let bin = to_json_binary(msg).map_err(|e| error_text(&e))?;
        let out = self.query(contract, &bin)?;
        from_json(&out).map_err(|e| error_text(&e))
    }

    fn ibc_sudo(&mut self, contract: &Addr, envelope: IbcEnvelope) -> Result<AppResponse, String> {
        let msg = envelope.to_sudo();
        let wasm = cw_multi_test::WasmSudo {
            contract_addr: contract.clone(),
            message: msg,
        };
        let result = self
            .metered(|app| app.sudo(cw_multi_test::SudoMsg::Wasm(wasm)))
            .map_err(|e| error_text(&e));
        self.collect_outbox();
        result
    }

    fn port_of(contract: &Addr) -> String {
        format!("wasm.{contract}")
    }

    /// Handshake step 1 (OpenInit) on this chain for `contract`; returns (channel id, version).
    pub fn chan_open_init(
        &mut self,
        now_ms: u64,
        contract: &Addr,
        connection_id: &str,
        counterparty_port: &str,
        version: &str,
    ) -> Result<(String, String), String> {
        let counterparty = IbcEndpoint {
            port_id: counterparty_port.to_string(),
            channel_id: String::new(),
        };
        self.open_end(
            now_ms,
            contract,
            connection_id,
            counterparty,
            version,
            ChannelState::Init,
        )
    }

    /// Handshake step 2 (OpenTry) on this chain; returns (channel id, version).
    pub fn chan_open_try(
        &mut self,
        now_ms: u64,
        contract: &Addr,
        connection_id: &str,
        counterparty: IbcEndpoint,
        counterparty_version: &str,
    ) -> Result<(String, String), String> {
        self.open_end(
            now_ms,
            contract,
            connection_id,
            counterparty,
            counterparty_version,
            ChannelState::TryOpen,
        )
    }

    /// A new channel end for `contract` (OpenInit in state `Init`, OpenTry in `TryOpen`): the
    /// contract's `ibc_channel_open` sees it and may answer another version.
    fn open_end(
        &mut self,
        now_ms: u64,
        contract: &Addr,
        connection_id: &str,
        counterparty: IbcEndpoint,
        version: &str,
        state: ChannelState,
    ) -> Result<(String, String), String> {
        self.advance_or_halted(now_ms)?;
        let channel_id = self.ibc.new_channel_id();
        let mut end = ChannelEnd {
            contract: contract.clone(),
            endpoint: IbcEndpoint {
                port_id: Self::port_of(contract),
                channel_id: channel_id.clone(),
            },
            counterparty,
            connection_id: connection_id.to_string(),
            version: version.to_string(),
            order: IbcOrder::Unordered,
            state,
        };
        let msg = if state == ChannelState::Init {
            IbcChannelOpenMsg::new_init(end.to_ibc_channel())
        } else {
            IbcChannelOpenMsg::new_try(end.to_ibc_channel(), version)
        };
        let resp = self.ibc_sudo(contract, IbcEnvelope::ChannelOpen(msg))?;
        end.version = negotiated(resp.data, version)?;
        let version = end.version.clone();
        self.ibc.channels.insert(channel_id.clone(), end);
        Ok((channel_id, version))
    }

    /// Handshake step 3 (OpenAck) on the initiating chain.
    pub fn chan_open_ack(
        &mut self,
        now_ms: u64,
        channel_id: &str,
        counterparty_channel: &str,
        counterparty_version: &str,
    ) -> Result<(), String> {
        self.advance_or_halted(now_ms)?;
        let mut end = self
            .ibc
            .channels
            .get(channel_id)
            .cloned()
            .ok_or_else(|| format!("unknown channel {channel_id}"))?;
        end.counterparty.channel_id = counterparty_channel.to_string();
        end.version = counterparty_version.to_string();
        let before = self.ibc.channels.get(channel_id).cloned();
        // Open before the call: the contract may send packets from its connect handler.
        end.state = ChannelState::Open;
        self.ibc
            .channels
            .insert(channel_id.to_string(), end.clone());
        let msg = IbcChannelConnectMsg::new_ack(end.to_ibc_channel(), counterparty_version);
        if let Err(e) = self.ibc_sudo(&end.contract, IbcEnvelope::ChannelConnect(msg)) {
            if let Some(before) = before {
                self.ibc.channels.insert(channel_id.to_string(), before);
            }
            return Err(e);
        }
        Ok(())
    }

    /// Handshake step 4 (OpenConfirm) on the accepting chain.
    pub fn chan_open_confirm(&mut self, now_ms: u64, channel_id: &str) -> Result<(), String> {
        self.advance_or_halted(now_ms)?;
        let mut end = self
            .ibc
            .channels
            .get(channel_id)
            .cloned()
            .ok_or_else(|| format!("unknown channel {channel_id}"))?;
        end.state = ChannelState::Open;
        self.ibc
            .channels
            .insert(channel_id.to_string(), end.clone());
        let msg = IbcChannelConnectMsg::new_confirm(end.to_ibc_channel());
        if let Err(e) = self.ibc_sudo(&end.contract, IbcEnvelope::ChannelConnect(msg)) {
            if let Some(end) = self.ibc.channels.get_mut(channel_id) {
                end.state = ChannelState::TryOpen;
            }
            return Err(e);
        }
        Ok(())
    }

    /// Close a channel end (CloseInit when `init`, else CloseConfirm) and call the contract.
    pub fn chan_close(&mut self, now_ms: u64, channel_id: &str, init: bool) -> Result<(), String> {
        self.advance_or_halted(now_ms)?;
        let mut end = self
            .ibc
            .channels
            .get(channel_id)
            .cloned()
            .ok_or_else(|| format!("unknown channel {channel_id}"))?;
        let channel = end.to_ibc_channel();
        let msg = if init {
            cosmwasm_std::IbcChannelCloseMsg::new_init(channel)
        } else {
            cosmwasm_std::IbcChannelCloseMsg::new_confirm(channel)
        };
        self.ibc_sudo(&end.contract, IbcEnvelope::ChannelClose(msg))?;
        end.state = ChannelState::Closed;
        self.ibc.channels.insert(channel_id.to_string(), end);
        Ok(())
    }

    /// Receive a packet in the block current at `now_ms`. Returns the acknowledgement bytes;
    /// a failing contract is reverted and answered with an error ack. With `forced_error` the
    /// contract is not called and the ack is that error (a `fail_next` fault).
    pub fn receive(
        &mut self,
        now_ms: u64,
        packet: &IbcPacket,
        forced_error: Option<String>,
    ) -> Result<Binary, RecvRefused> {
        self.advance(now_ms).map_err(RecvRefused::Halted)?;
        let channel_id = packet.dest.channel_id.clone();
        let end = match self.ibc.channels.get(&channel_id) {
            Some(end) if end.state == ChannelState::Open => end.clone(),
            _ => return Err(RecvRefused::ChannelNotOpen(channel_id)),
        };
        let key = (channel_id, packet.sequence);
        if self.ibc.receipts.contains(&key) {
            return Err(RecvRefused::AlreadyReceived);
        }
        if self.is_expired(packet) {
            return Err(RecvRefused::TimedOut);
        }
        self.ibc.receipts.insert(key);
        self.mark_busy();
        let ack = match forced_error {
            Some(reason) => StdAck::error(reason),
            None => {
                let relayer = self.addr(RELAYER_NAME);
                let msg = IbcPacketReceiveMsg::new(packet.clone(), relayer);
                let mut observer = self.observer.take();
                if let (Some(o), Some(log)) = (observer.as_mut(), self.observer_log) {
                    let changes = self.take_changes(log);
                    o.before_receive(self, &end.contract, packet, &changes);
                }
                let result = self.ibc_sudo(&end.contract, IbcEnvelope::PacketReceive(msg));
                if let (Some(o), Some(log)) = (observer.as_mut(), self.observer_log) {
                    let events = result.as_ref().map(|r| r.events.as_slice()).unwrap_or(&[]);
                    let changes = self.take_changes(log);
                    o.after_receive(self, &end.contract, packet, events, &changes);
                }
                self.observer = observer;
                match result {
                    Ok(resp) => return Ok(resp.data.unwrap_or_default()),
                    Err(e) => StdAck::error(e),
                }
            }
        };
        Ok(to_json_binary(&ack).expect("ack serialises"))
    }

    /// True when `packet` (sent to this chain) can no longer be received here.
    pub fn is_expired(&self, packet: &IbcPacket) -> bool {
        let block_time = self.app.block_info().time;
        let by_time = packet
            .timeout
            .timestamp()
            .is_some_and(|ts| block_time >= ts);
        let by_height = packet
            .timeout
            .block()
            .is_some_and(|b| self.app.block_info().height >= b.height);
        by_time || by_height
    }

    /// Proof of non-receipt: true when `packet` was never received here and its timeout has
    /// passed by the block current at `now_ms` (so it never can be).
    pub fn can_time_out(&mut self, now_ms: u64, packet: &IbcPacket) -> bool {
        // A halted chain's time does not move; otherwise catch up to now.
        let _ = self.advance(now_ms);
        let key = (packet.dest.channel_id.clone(), packet.sequence);
        !self.ibc.receipts.contains(&key) && self.is_expired(packet)
    }

    fn take_commitment(&mut self, packet: &IbcPacket) -> Result<Addr, String> {
        let key = (packet.src.channel_id.clone(), packet.sequence);
        if self.ibc.commitments.remove(&key).is_none() {
            return Err(format!(
                "packet {} on {} is not awaiting an ack (already acknowledged or timed out)",
                packet.sequence, packet.src.channel_id
            ));
        }
        let end = self
            .ibc
            .channels
            .get(&packet.src.channel_id)
            .ok_or_else(|| format!("unknown channel {}", packet.src.channel_id))?;
        Ok(end.contract.clone())
    }

    /// Deliver the acknowledgement of a packet this chain sent.
    pub fn acknowledge(
        &mut self,
        now_ms: u64,
        packet: &IbcPacket,
        ack: &Binary,
    ) -> Result<AppResponse, String> {
        self.advance_or_halted(now_ms)?;
        // An ack or timeout of this chain's own packet changes no bond request, so it does
        // not make an epoch due (else each epoch's reward batch would wake the next one).
        let contract = self.take_commitment(packet)?;
        let relayer = self.addr(RELAYER_NAME);
        let msg = IbcPacketAckMsg::new(
            IbcAcknowledgement::new(ack.clone()),
            packet.clone(),
            relayer,
        );
        self.ibc_sudo(&contract, IbcEnvelope::PacketAck(msg))
    }

    /// Deliver the timeout of a packet this chain sent.
    pub fn timeout(&mut self, now_ms: u64, packet: &IbcPacket) -> Result<AppResponse, String> {
        self.advance_or_halted(now_ms)?;
        let contract = self.take_commitment(packet)?;
        let relayer = self.addr(RELAYER_NAME);
        let msg = IbcPacketTimeoutMsg::new(packet.clone(), relayer);
        self.ibc_sudo(&contract, IbcEnvelope::PacketTimeout(msg))
    }

    /// A validator event decided by the chain (evidence, governance or the operator): jail
    /// (downtime slash), tombstone (double-sign slash, final), unjail, a new validator, or the
    /// removal of one (its operator unbonds its whole self-bond). On the provider, native
    /// staking's `jailing` sudo runs right after a slash with what it took from each delegator,
    /// so it can report its users' slashes to the vault exactly; on a consumer, virtual staking
    /// gets one `handle_valset_update` in the same block, with the field of the transition
    /// (`additions`, `jailed`, `unjailed`, `tombstoned`, `removals`) and its share of a slash.
    pub fn validator_event(
        &mut self,
        now_ms: u64,
        validator: &str,
        event: ValidatorEvent,
    ) -> Result<(), String> {
        self.advance_or_halted(now_ms)?;
        self.mark_busy();
        let known = self
            .app
            .read_module(|router, _, storage| router.staking.validator(storage, validator))
            .map_err(|e| error_text(&e))?;
        let verb = event.verb();
        // Refuse before anything runs (native staking's hook included): a refused event must
        // change nothing.
        let known = match (known, event) {
            (None, ValidatorEvent::Add { .. }) => None,
            (Some(_), ValidatorEvent::Add { .. }) => {
                return Err(format!(
                    "cannot add validator {validator:?} on {}: it already exists",
                    self.cfg.chain_id
                ))
            }
            (None, _) => {
                return Err(format!(
                    "unknown validator {validator:?} on {}",
                    self.cfg.chain_id
                ))
            }
            (Some(known), _) => Some(known),
        };
        if let Some(known) = &known {
            if let Err(why) = event.allowed(known) {
                return Err(format!(
                    "cannot {verb} validator {validator:?} on {}: {why}",
                    self.cfg.chain_id
                ));
            }
        }
        // One status change per validator and block (a chain jails for a period; and the
        // consumer's updates of one block could not be told apart in time on the provider).
        let block = self.app.block_info();
        let changed = self.status_changes.get(validator).copied();
        let same_block = changed.filter(|(h, _, _)| *h == block.height);
        // A tombstone may follow the jailing in its block (the double sign is found with it),
        // not an unjailing.
        let refused = match (event, same_block) {
            (_, None) => false,
            (ValidatorEvent::Tombstone { .. }, Some((_, _, last))) => {
                last == ValidatorEvent::Unjail
            }
            _ => true,
        };
        if refused {
            return Err(format!(
                "cannot {verb} validator {validator:?} on {}: its status already changed in this \
                 block (height {}); try again after a block",
                self.cfg.chain_id, block.height
            ));
        }

        let before = self.implementation.jailing_hook() == JailingHook::BeforeSlash;
        if let (true, Some(native)) = (before, self.native_staking.clone()) {
            self.announce_slash_to_native_staking(native, validator, event);
        }
        let report = self.apply_validator_event(validator, event)?;
        if let (false, Some(native), Some(report)) =
            (before, self.native_staking.clone(), report.as_ref())
        {
            self.report_slash_to_native_staking(native, event, report);
        }
        self.status_changes.insert(
            validator.to_string(),
            (block.height, block.time.seconds(), event),
        );
        if let Some(vs) = self.virtual_staking.clone() {
            let msg = valset_update(validator, event, report.as_ref(), &vs, &block);
            let msg = self.implementation.valset_update(&msg, &block);
            if let Err(e) = self.metered(|app| app.wasm_sudo(vs, &msg)) {
                self.events.push(ChainEvent::SendFailed {
                    reason: format!("handle_valset_update failed: {}", error_text(&e)),
                });
            }
        }
        self.collect_outbox();
        Ok(())
    }

    /// Native staking's `jailing` hook as the SDK's staking decorator sends it: before the
    /// slash of a jail (`jailed`) or a double sign (`tombstoned`), naming the validator only.
    /// A failure is logged, as the SDK does.
    fn announce_slash_to_native_staking(
        &mut self,
        native: Addr,
        validator: &str,
        event: ValidatorEvent,
    ) {
        let (jailed, tombstoned): (Vec<&str>, Vec<&str>) = match event {
            ValidatorEvent::Jail => (vec![validator], vec![]),
            ValidatorEvent::Tombstone { .. } => (vec![], vec![validator]),
            _ => return,
        };
        let msg = serde_json::json!({"jailing": {"jailed": jailed, "tombstoned": tombstoned}});
        if let Err(e) = self.metered(|app| app.wasm_sudo(native, &msg)) {
            self.events.push(ChainEvent::SendFailed {
                reason: format!("native staking jailing failed: {}", error_text(&e)),
            });
        }
    }

    /// Native staking's `jailing` hook, right after the chain slashed: what the slash took
    /// from each delegator of the validator (delegation and unbonding entries together), so its
    /// users' collateral drops by exactly what the chain took.
    fn report_slash_to_native_staking(
        &mut self,
        native: Addr,
        event: ValidatorEvent,
        report: &crate::modules::SlashReport,
    ) {
        use mesh_apis::native_staking::{DelegatorSlash, SudoMsg};
        let list = Some(vec![report.validator.clone()]);
        let tombstone = matches!(event, ValidatorEvent::Tombstone { .. });
        let msg = SudoMsg::Jailing {
            jailed: if tombstone { None } else { list.clone() },
            tombstoned: if tombstone { list } else { None },
            slashed: Some(
                report
                    .per_delegator
                    .iter()
                    .map(|d| DelegatorSlash {
                        validator: report.validator.clone(),
                        delegator: d.delegator.to_string(),
                        amount: d.bonded + d.unbonding + d.redelegation,
                        unbonding: d.unbonding + d.redelegation,
                        redelegated: redelegation_slashes(d),
                    })
                    .collect(),
            ),
        };
        if let Err(e) = self.metered(|app| app.wasm_sudo(native, &msg)) {
            self.events.push(ChainEvent::SendFailed {
                reason: format!("native staking jailing failed: {}", error_text(&e)),
            });
        }
    }

    /// The staking module's side of a validator event; the slash's report for jail and
    /// tombstone.
    fn apply_validator_event(
        &mut self,
        validator: &str,
        event: ValidatorEvent,
    ) -> Result<Option<SlashReport>, String> {
        use crate::modules::MeshChainExt;
        let fractions = self.cfg.slash_fractions.clone();
        let report = match event {
            ValidatorEvent::Jail => Some(self.app.jail_validator(validator, fractions.downtime)),
            ValidatorEvent::Tombstone { power } => Some(self.app.tombstone_validator(
                validator,
                fractions.double_sign,
                power,
            )),
            ValidatorEvent::Unjail => {
                self.app
                    .unjail_validator(validator)
                    .map_err(|e| error_text(&e))?;
                None
            }
            ValidatorEvent::Add { stake } => {
                let operator = self.addr(&format!("{validator}-operator"));
                self.app
                    .create_validator(validator, operator, stake)
                    .map_err(|e| error_text(&e))?;
                None
            }
            ValidatorEvent::Remove => {
                self.app
                    .remove_validator(validator)
                    .map_err(|e| error_text(&e))?;
                None
            }
        };
        report.transpose().map_err(|e| error_text(&e))
    }

    /// Fractions the chain slashes for double signing and downtime.
    pub fn slash_fractions(&self) -> &SlashFractions {
        &self.cfg.slash_fractions
    }

    /// Convenience: the downtime fraction.
    pub fn downtime_fraction(&self) -> Decimal {
        self.cfg.slash_fractions.downtime
    }
}

/// The version a channel-open entry point answered (or the proposed one if it answered none).
fn negotiated(data: Option<Binary>, proposed: &str) -> Result<String, String> {
    let Some(data) = data else {
        return Ok(proposed.to_string());
    };
    let resp: IbcChannelOpenResponse = from_json(&data).map_err(|e| error_text(&e))?;
    Ok(resp
        .map(|r| r.version)
        .unwrap_or_else(|| proposed.to_string()))
}

/// What a slash burned from each redelegation destination of one delegator, per destination
/// validator in name order (the entries' `redelegated_to`).
fn redelegation_slashes(
    d: &crate::modules::DelegatorSlash,
) -> Vec<mesh_apis::native_staking::RedelegationSlash> {
    let mut per_dst: BTreeMap<&str, Uint128> = BTreeMap::new();
    for e in &d.entries {
        if let (Some(dst), false) = (e.redelegated_to.as_deref(), e.slashed.is_zero()) {
            *per_dst.entry(dst).or_default() += e.slashed;
        }
    }
    per_dst
        .into_iter()
        .map(
            |(validator, amount)| mesh_apis::native_staking::RedelegationSlash {
                validator: validator.to_string(),
                amount,
            },
        )
        .collect()
}
