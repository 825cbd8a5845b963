//! Gas: what a chain charges for running wasm, per call and per transaction.
//!
//! Gas is counted in CosmWasm gas, the unit cosmwasm-vm meters: every Wasm operation and host
//! call, plus what the chain's side of the call costs (storage, queries, address checks), which
//! the bridge prices like the Cosmos SDK's KV store at wasmd's multiplier of 140,000 CosmWasm gas
//! per SDK gas. wasmd's flat per-instance and per-message-byte charges are left out.
//!
//! A chain has one [`GasMeter`]. Each transaction (a user's message with every submessage it
//! dispatches, a packet delivery, an epoch, a genesis instantiation) runs between
//! [`GasMeter::begin_tx`] and [`GasMeter::end_tx`] under the chain's per-transaction limit: a
//! call gets the gas the transaction has left, and a call that runs out fails, which fails the
//! transaction (every later call of it fails at once, so a reply cannot catch it). A contract
//! queried from inside a call runs under the gas its caller has left and its gas is charged to
//! the caller. Queries from outside any transaction (the harness's report) run under the same
//! limit and are not recorded.

use cosmwasm_std::Addr;
use serde::Serialize;
use std::sync::{Arc, Mutex, MutexGuard};

/// CosmWasm gas per Cosmos SDK gas (wasmd's default multiplier).
pub const SDK_GAS_MULTIPLIER: u64 = 140_000;

/// Default per-transaction gas limit: 3,000,000 SDK gas, in CosmWasm gas.
pub const DEFAULT_TX_GAS_LIMIT: u64 = 3_000_000 * SDK_GAS_MULTIPLIER;

/// What the chain's side of a call costs, in SDK gas (the Cosmos SDK's KV store defaults and
/// wasmd's address costs); the bridge multiplies by [`SDK_GAS_MULTIPLIER`].
pub mod price {
    /// Reading a key.
    pub const READ_FLAT: u64 = 1_000;
    /// Per byte read (key and value).
    pub const READ_PER_BYTE: u64 = 3;
    /// Writing a key.
    pub const WRITE_FLAT: u64 = 2_000;
    /// Per byte written (key and value).
    pub const WRITE_PER_BYTE: u64 = 30;
    /// Deleting a key.
    pub const DELETE: u64 = 1_000;
    /// Each step of an iterator (plus the bytes read).
    pub const ITER_NEXT: u64 = 30;
    /// A query to the chain (plus the gas of a queried contract).
    pub const QUERY: u64 = 1_000;
    /// Validating an address.
    pub const ADDR_VALIDATE: u64 = 9;
    /// Canonicalizing an address.
    pub const ADDR_CANONICALIZE: u64 = 4;
    /// Humanizing an address.
    pub const ADDR_HUMANIZE: u64 = 5;
}

/// SDK gas in CosmWasm gas.
pub fn sdk(gas: u64) -> u64 {
    gas.saturating_mul(SDK_GAS_MULTIPLIER)
}

/// Count, total and largest gas of a kind of call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GasStats {
    /// Number of calls.
    pub count: u64,
    /// Gas of all of them.
    pub total: u64,
    /// Gas of the most expensive one.
    pub max: u64,
}

impl GasStats {
    /// Add one call.
    pub fn add(&mut self, gas: u64) {
        self.count += 1;
        self.total = self.total.saturating_add(gas);
        self.max = self.max.max(gas);
    }
}

/// One metered call of a wasm contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasCall {
    /// The contract.
    pub contract: Addr,
    /// The role its code plays (`vault`, `native_staking_proxy`, ...), naming contracts the chain
    /// has no name for.
    pub role: String,
    /// Entry point and message kind, e.g. `execute:bond`, `ibc_packet_receive:stake`.
    pub kind: String,
    /// Gas used (a call that ran out used its whole limit).
    pub gas: u64,
    /// Whether it succeeded.
    pub ok: bool,
}

#[derive(Debug)]
struct MeterState {
    tx_limit: u64,
    /// Gas used by the running transaction, if one runs; `None` between transactions.
    tx_used: Option<u64>,
    /// Whether a wasm call ran in the current transaction.
    tx_metered: bool,
    /// Queries in progress from inside a call: their limit and the gas used below them.
    frames: Vec<(u64, u64)>,
    calls: Vec<GasCall>,
}

/// A chain's gas meter (shared by the chain and the wasm codes it stores).
#[derive(Clone, Debug)]
pub struct GasMeter(Arc<Mutex<MeterState>>);

impl Default for GasMeter {
    fn default() -> Self {
        GasMeter::new(DEFAULT_TX_GAS_LIMIT)
    }
}

impl GasMeter {
    /// A meter with this per-transaction limit.
    pub fn new(tx_limit: u64) -> Self {
        GasMeter(Arc::new(Mutex::new(MeterState {
            tx_limit,
            tx_used: None,
            tx_metered: false,
            frames: vec![],
            calls: vec![],
        })))
    }

    fn state(&self) -> MutexGuard<'_, MeterState> {
        // A panic while the lock was held leaves consistent numbers behind.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The per-transaction limit.
    pub fn tx_limit(&self) -> u64 {
        self.state().tx_limit
    }

    /// Change the per-transaction limit (from the next call on).
    pub fn set_tx_limit(&self, limit: u64) {
        self.state().tx_limit = limit;
    }

    /// Start a transaction.
    pub fn begin_tx(&self) {
        let mut s = self.state();
        s.tx_used = Some(0);
        s.tx_metered = false;
        s.frames.clear();
    }

    /// End the transaction; its gas if any wasm ran in it.
    pub fn end_tx(&self) -> Option<u64> {
        let mut s = self.state();
        let used = s.tx_used.take();
        s.frames.clear();
        used.filter(|_| s.tx_metered)
    }

    /// The gas the next call may use.
    pub fn call_limit(&self) -> u64 {
        let s = self.state();
        match (s.frames.last(), s.tx_used) {
            (Some((limit, used)), _) => limit.saturating_sub(*used),
            (None, Some(used)) => s.tx_limit.saturating_sub(used),
            (None, None) => s.tx_limit,
        }
    }

    /// A call finished: charge it to its caller's query or to the transaction, and log it when
    /// a transaction runs.
    pub fn record(&self, call: GasCall) {
        let mut s = self.state();
        let limit = s.tx_limit;
        if let Some((_, used)) = s.frames.last_mut() {
            *used = used.saturating_add(call.gas);
        } else if let Some(used) = s.tx_used.as_mut() {
            *used = used.saturating_add(call.gas).min(limit);
        }
        if s.tx_used.is_some() {
            s.tx_metered = true;
            s.calls.push(call);
        }
    }

    /// A call queries the chain with `limit` gas left.
    pub fn enter_query(&self, limit: u64) {
        self.state().frames.push((limit, 0));
    }

    /// The query returned: the gas the contracts it reached used.
    pub fn leave_query(&self) -> u64 {
        self.state().frames.pop().map_or(0, |(_, used)| used)
    }

    /// Take the calls logged since the last time.
    pub fn take_calls(&self) -> Vec<GasCall> {
        std::mem::take(&mut self.state().calls)
    }
}
