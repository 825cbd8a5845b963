//! The contract codes every chain can store: the real entry points of each Mesh Security
//! contract, wrapped for cw-multi-test (IBC contracts through [`IbcContract`]).

use cw_multi_test::{Contract, ContractWrapper};
use mesh_apis::virtual_stake::{VirtualStakeCustomMsg, VirtualStakeCustomQuery};

use crate::ibc::{IbcContract, IbcEntryPoints};

/// A contract code for the chains' App type.
pub type MeshContract = Box<dyn Contract<VirtualStakeCustomMsg, VirtualStakeCustomQuery>>;

/// Which code each contract of the topology runs: the real contracts by default; tests may
/// swap one for a deliberately broken variant to check that invariants catch it.
#[derive(Clone, Copy, Debug)]
pub struct Codes {
    /// The vault.
    pub vault: fn() -> MeshContract,
    /// Native staking.
    pub native_staking: fn() -> MeshContract,
    /// The native staking proxy.
    pub native_staking_proxy: fn() -> MeshContract,
    /// External staking.
    pub external_staking: fn() -> MeshContract,
    /// The converter.
    pub converter: fn() -> MeshContract,
    /// Virtual staking.
    pub virtual_staking: fn() -> MeshContract,
    /// The price feed.
    pub price_feed: fn() -> MeshContract,
}

impl Default for Codes {
    fn default() -> Self {
        Codes {
            vault,
            native_staking,
            native_staking_proxy,
            external_staking,
            converter,
            virtual_staking,
            price_feed,
        }
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
