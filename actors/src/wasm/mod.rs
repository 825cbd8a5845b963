//! Contracts as wasm: `.wasm` codes run by cosmwasm-vm inside the chains' cw-multi-test Apps,
//! beside the natively linked ones.
//!
//! - [`code`]: a module checked with the chains' capabilities and compiled once per process.
//! - [`contract`]: the cw-multi-test contract that runs it, every entry point included.
//! - [`bridge`]: the chain's storage, querier and API lent to one instance for one call.
//! - [`gas`]: per-call and per-transaction gas.
//! - [`custom`]: `provider` custom messages routed past the App's typed custom slot.

pub mod bridge;
pub mod code;
pub mod contract;
pub mod custom;
pub mod gas;

pub use code::{artefact_path, check, compiled_modules, WasmCode, WasmError, CAPABILITIES};
pub use contract::WasmContract;
pub use custom::{ProviderEnvelope, WasmCustom, PROVIDER_MSG_TYPE_URL};
pub use gas::{GasCall, GasMeter, GasStats, DEFAULT_TX_GAS_LIMIT};
