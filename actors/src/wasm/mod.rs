//! Contracts as wasm: `.wasm` codes run by cosmwasm-vm inside the chains' cw-multi-test Apps,
//! beside the natively linked ones.
//!
//! - [`code`]: a module checked with the chains' capabilities and compiled once per process.
//! - [`contract`]: the cw-multi-test contract that runs it, every entry point included.
//! - [`bridge`]: the chain's storage, querier and API lent to one instance for one call.
//! - [`gas`]: per-call and per-transaction gas.

pub mod bridge;
pub mod code;
pub mod contract;
pub mod gas;

pub use code::{artefact_path, check, compiled_modules, WasmCode, WasmError, CAPABILITIES};
pub use contract::WasmContract;
pub use gas::{GasCall, GasMeter, GasStats, DEFAULT_TX_GAS_LIMIT};
