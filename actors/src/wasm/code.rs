//! A wasm contract code: the module's bytes, checked and compiled once per process.

use cosmwasm_std::Checksum;
use cosmwasm_vm::internals::{check_wasm, compile_module, Logger};
use cosmwasm_vm::{capabilities_from_csv, Size, WasmLimits};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use wasmer::{Engine, Module};

/// The capabilities the chains grant contracts (the reference chains' set, `virtual_staking`
/// included, so their release binaries load too).
pub const CAPABILITIES: &str = "iterator,staking,stargate,cosmwasm_1_1,cosmwasm_1_2,\
cosmwasm_1_3,cosmwasm_1_4,cosmwasm_2_0,cosmwasm_2_1,cosmwasm_2_2,virtual_staking";

/// Memory one contract instance may use (wasmd's default instance memory limit).
pub const INSTANCE_MEMORY_LIMIT: Size = Size::mebi(32);

/// Why a wasm file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WasmError {
    /// The file could not be read.
    #[error("{file}: cannot read: {reason}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        reason: String,
    },
    /// The bytes are not a CosmWasm contract this chain accepts.
    #[error("{file}: not a valid CosmWasm contract: {reason}")]
    Invalid {
        /// The file (or the code's label).
        file: String,
        /// What cosmwasm-vm's static checks or compiler said.
        reason: String,
    },
}

/// A checked and compiled wasm contract code. Cloning the `Arc` shares the compiled module.
pub struct WasmCode {
    label: String,
    checksum: Checksum,
    size: usize,
    module: Module,
    engine: Engine,
    exports: BTreeSet<String>,
}

impl std::fmt::Debug for WasmCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmCode")
            .field("label", &self.label)
            .field("checksum", &self.checksum.to_hex())
            .field("size", &self.size)
            .finish()
    }
}

/// A compiled module, the engine that runs it, and its exports.
type Compiled = (Module, Engine, BTreeSet<String>);

/// Compiled modules by checksum: a code is compiled once per process, whichever file or test
/// brings it (a fuzz campaign reuses them across seeds).
fn compiled() -> &'static Mutex<BTreeMap<[u8; 32], Compiled>> {
    static CACHE: OnceLock<Mutex<BTreeMap<[u8; 32], Compiled>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// How many distinct modules this process has compiled (each code once, however often it is
/// loaded).
pub fn compiled_modules() -> usize {
    compiled().lock().unwrap_or_else(|p| p.into_inner()).len()
}

/// `text` on one line (cosmwasm-vm's messages may hold pretty-printed byte lists).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The entry points a contract needs for a chain to bind an IBC port to it (all or none).
pub const IBC_ENTRY_POINTS: [&str; 6] = [
    "ibc_channel_open",
    "ibc_channel_connect",
    "ibc_channel_close",
    "ibc_packet_receive",
    "ibc_packet_ack",
    "ibc_packet_timeout",
];

/// Run cosmwasm-vm's static checks (exports, imports, capabilities, limits) on `wasm`, as the
/// chains here would when the code is stored, and refuse a module that exports some IBC entry
/// points but not all: a chain would bind it no port, so its channels could never open.
pub fn check(wasm: &[u8]) -> Result<(), String> {
    let capabilities = capabilities_from_csv(CAPABILITIES);
    check_wasm(wasm, &capabilities, &WasmLimits::default(), Logger::Off)
        .map_err(|e| one_line(&e.to_string()))?;
    let exports: BTreeSet<String> = wasmer::wasmparser::Parser::new(0)
        .parse_all(wasm)
        .filter_map(Result::ok)
        .filter_map(|payload| match payload {
            wasmer::wasmparser::Payload::ExportSection(reader) => Some(reader),
            _ => None,
        })
        .flat_map(|reader| reader.into_iter().filter_map(Result::ok))
        .map(|export| export.name.to_string())
        .collect();
    let (present, missing): (Vec<&str>, Vec<&str>) = IBC_ENTRY_POINTS
        .iter()
        .partition(|name| exports.contains(**name));
    if !present.is_empty() && !missing.is_empty() {
        return Err(format!(
            "it exports {} but not {}: a chain binds no IBC port to it",
            present.join(", "),
            missing.join(", ")
        ));
    }
    Ok(())
}

impl WasmCode {
    /// Check and compile `wasm`; `label` names it in errors and reports (usually its file).
    pub fn from_bytes(label: &str, wasm: &[u8]) -> Result<Arc<WasmCode>, WasmError> {
        let invalid = |reason: String| WasmError::Invalid {
            file: label.to_string(),
            reason: one_line(&reason),
        };
        let checksum = Checksum::generate(wasm);
        let cached = compiled()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(checksum.as_ref())
            .cloned();
        let (module, engine, exports) = match cached {
            Some(c) => c,
            None => {
                check(wasm).map_err(invalid)?;
                let (module, engine) = compile_module(wasm, Some(INSTANCE_MEMORY_LIMIT))
                    .map_err(|e| invalid(e.to_string()))?;
                let exports = module.exports().map(|e| e.name().to_string()).collect();
                let entry = (module, engine, exports);
                let mut key = [0u8; 32];
                key.copy_from_slice(checksum.as_ref());
                compiled()
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, entry.clone());
                entry
            }
        };
        Ok(Arc::new(WasmCode {
            label: label.to_string(),
            checksum,
            size: wasm.len(),
            module,
            engine,
            exports,
        }))
    }

    /// Read, check and compile a `.wasm` file.
    pub fn load(path: &Path) -> Result<Arc<WasmCode>, WasmError> {
        let file = path.display().to_string();
        let wasm = std::fs::read(path).map_err(|e| WasmError::Read {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        Self::from_bytes(&file, &wasm)
    }

    /// The label given when loading (the file name).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The module's sha256 checksum, as a chain reports it.
    pub fn checksum(&self) -> Checksum {
        self.checksum
    }

    /// Size of the module in bytes.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the module exports `name` (an entry point such as `sudo` or `ibc_channel_open`).
    pub fn exports(&self, name: &str) -> bool {
        self.exports.contains(name)
    }

    pub(crate) fn module(&self) -> &Module {
        &self.module
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }
}

/// The file a role's code has in a directory of build artefacts: `DIR/<crate>.wasm`.
pub fn artefact_path(dir: &Path, crate_name: &str) -> PathBuf {
    dir.join(format!("{}.wasm", crate_name.replace('-', "_")))
}
