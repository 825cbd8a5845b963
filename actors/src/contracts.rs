//! The contract codes every chain can store: the real entry points of each Mesh Security
//! contract, wrapped for cw-multi-test (IBC contracts through [`IbcContract`]), or a `.wasm`
//! build of any of them run by cosmwasm-vm ([`crate::wasm`]).

use cw_multi_test::{Contract, ContractWrapper};
use mesh_apis::virtual_stake::{VirtualStakeCustomMsg, VirtualStakeCustomQuery};
use std::path::Path;
use std::sync::Arc;

use crate::ibc::{IbcContract, IbcEntryPoints};
use crate::wasm::{artefact_path, GasMeter, WasmCode, WasmContract, WasmError};

/// A contract code for the chains' App type.
pub type MeshContract = Box<dyn Contract<VirtualStakeCustomMsg, VirtualStakeCustomQuery>>;

/// One kind of contract code: linked natively, or a wasm module.
#[derive(Clone, Debug)]
pub enum Code {
    /// The contract's Rust entry points, linked into the harness.
    Native(fn() -> MeshContract),
    /// A `.wasm` module, run by cosmwasm-vm and metered.
    Wasm(Arc<WasmCode>),
}

impl Code {
    /// The cw-multi-test contract to store on a chain whose gas meter is `gas`; `role` names the
    /// code in gas records.
    pub fn contract(&self, role: Role, gas: &GasMeter) -> MeshContract {
        match self {
            Code::Native(make) => make(),
            Code::Wasm(code) => Box::new(WasmContract::<
                VirtualStakeCustomMsg,
                VirtualStakeCustomQuery,
            >::new(code.clone(), role.name(), gas.clone())),
        }
    }

    /// True for a wasm module.
    pub fn is_wasm(&self) -> bool {
        matches!(self, Code::Wasm(_))
    }
}

/// The part a code plays in the topology.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// The vault.
    Vault,
    /// Native staking.
    NativeStaking,
    /// The native staking proxy.
    NativeStakingProxy,
    /// External staking.
    ExternalStaking,
    /// The converter.
    Converter,
    /// Virtual staking.
    VirtualStaking,
    /// The price feed.
    PriceFeed,
}

impl Role {
    /// Every role, in deployment order.
    pub const ALL: [Role; 7] = [
        Role::Vault,
        Role::NativeStaking,
        Role::NativeStakingProxy,
        Role::ExternalStaking,
        Role::Converter,
        Role::VirtualStaking,
        Role::PriceFeed,
    ];

    /// Its name in scenario files (`"contracts": {"<role>": ...}`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Vault => "vault",
            Role::NativeStaking => "native_staking",
            Role::NativeStakingProxy => "native_staking_proxy",
            Role::ExternalStaking => "external_staking",
            Role::Converter => "converter",
            Role::VirtualStaking => "virtual_staking",
            Role::PriceFeed => "price_feed",
        }
    }

    /// The role of a name, if it is one.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The contract crate that builds its code (`DIR/<crate with underscores>.wasm`).
    pub fn crate_name(self) -> &'static str {
        match self {
            Role::Vault => "mesh-vault",
            Role::NativeStaking => "mesh-native-staking",
            Role::NativeStakingProxy => "mesh-native-staking-proxy",
            Role::ExternalStaking => "mesh-external-staking",
            Role::Converter => "mesh-converter",
            Role::VirtualStaking => "mesh-virtual-staking",
            Role::PriceFeed => "mesh-price-feed",
        }
    }
}

/// Which code each contract of the topology runs: the real contracts, linked natively, by
/// default; any of them may be a `.wasm` module instead, and tests may swap one for a
/// deliberately broken variant to check that invariants catch it.
#[derive(Clone, Debug)]
pub struct Codes {
    /// The vault.
    pub vault: Code,
    /// Native staking.
    pub native_staking: Code,
    /// The native staking proxy.
    pub native_staking_proxy: Code,
    /// External staking.
    pub external_staking: Code,
    /// The converter.
    pub converter: Code,
    /// Virtual staking.
    pub virtual_staking: Code,
    /// The price feed.
    pub price_feed: Code,
}

impl Default for Codes {
    fn default() -> Self {
        Codes {
            vault: Code::Native(vault),
            native_staking: Code::Native(native_staking),
            native_staking_proxy: Code::Native(native_staking_proxy),
            external_staking: Code::Native(external_staking),
            converter: Code::Native(converter),
            virtual_staking: Code::Native(virtual_staking),
            price_feed: Code::Native(price_feed),
        }
    }
}

impl Codes {
    /// Every role from `dir/<crate>.wasm` (as `scripts/build-wasm.sh` writes them).
    pub fn from_wasm_dir(dir: &Path) -> Result<Codes, WasmError> {
        let mut codes = Codes::default();
        for role in Role::ALL {
            let code = WasmCode::load(&artefact_path(dir, role.crate_name()))?;
            codes.set(role, Code::Wasm(code));
        }
        Ok(codes)
    }

    /// The code of `role`.
    pub fn get(&self, role: Role) -> &Code {
        match role {
            Role::Vault => &self.vault,
            Role::NativeStaking => &self.native_staking,
            Role::NativeStakingProxy => &self.native_staking_proxy,
            Role::ExternalStaking => &self.external_staking,
            Role::Converter => &self.converter,
            Role::VirtualStaking => &self.virtual_staking,
            Role::PriceFeed => &self.price_feed,
        }
    }

    /// Give `role` this code.
    pub fn set(&mut self, role: Role, code: Code) {
        let slot = match role {
            Role::Vault => &mut self.vault,
            Role::NativeStaking => &mut self.native_staking,
            Role::NativeStakingProxy => &mut self.native_staking_proxy,
            Role::ExternalStaking => &mut self.external_staking,
            Role::Converter => &mut self.converter,
            Role::VirtualStaking => &mut self.virtual_staking,
            Role::PriceFeed => &mut self.price_feed,
        };
        *slot = code;
    }

    /// True when any role runs wasm.
    pub fn any_wasm(&self) -> bool {
        Role::ALL.into_iter().any(|r| self.get(r).is_wasm())
    }
}

/// The vault.
pub fn vault() -> MeshContract {
    use mesh_vault::contract as c;
    Box::new(
        ContractWrapper::new_with_empty(c::execute, c::instantiate, c::query)
            .with_reply_empty(c::reply),
    )
}

/// Native staking (the local lienholder).
pub fn native_staking() -> MeshContract {
    use mesh_native_staking::contract as c;
    Box::new(
        ContractWrapper::new_with_empty(c::execute, c::instantiate, c::query)
            .with_reply_empty(c::reply)
            .with_sudo_empty(c::sudo),
    )
}

/// The per-user native staking proxy.
pub fn native_staking_proxy() -> MeshContract {
    use mesh_native_staking_proxy::contract as c;
    Box::new(
        ContractWrapper::new_with_empty(c::execute, c::instantiate, c::query)
            .with_reply_empty(c::reply),
    )
}

/// External staking (provider end of a link).
pub fn external_staking() -> MeshContract {
    use mesh_external_staking::{contract as c, ibc as i};
    let inner = Box::new(ContractWrapper::new_with_empty(
        c::execute,
        c::instantiate,
        c::query,
    ));
    Box::new(IbcContract::new(
        inner,
        IbcEntryPoints {
            channel_open: i::ibc_channel_open,
            channel_connect: i::ibc_channel_connect,
            channel_close: i::ibc_channel_close,
            packet_receive: i::ibc_packet_receive,
            packet_ack: i::ibc_packet_ack,
            packet_timeout: i::ibc_packet_timeout,
        },
    ))
}

/// The converter (consumer end of a link).
pub fn converter() -> MeshContract {
    use mesh_converter::{contract as c, ibc as i};
    let inner = Box::new(
        ContractWrapper::new_with_empty(c::execute, c::instantiate, c::query)
            .with_reply_empty(c::reply),
    );
    Box::new(IbcContract::new(
        inner,
        IbcEntryPoints {
            channel_open: i::ibc_channel_open,
            channel_connect: i::ibc_channel_connect,
            channel_close: i::ibc_channel_close,
            packet_receive: i::ibc_packet_receive,
            packet_ack: i::ibc_packet_ack,
            packet_timeout: i::ibc_packet_timeout,
        },
    ))
}

/// Virtual staking (uses the mesh module's custom messages).
pub fn virtual_staking() -> MeshContract {
    use mesh_virtual_staking::contract as c;
    Box::new(
        ContractWrapper::new(c::execute, c::instantiate, c::query)
            .with_sudo(c::sudo)
            .with_reply(c::reply),
    )
}

/// The simple price feed.
pub fn price_feed() -> MeshContract {
    use mesh_price_feed::contract as c;
    Box::new(ContractWrapper::new_with_empty(
        c::execute,
        c::instantiate,
        c::query,
    ))
}
