//! Messages of the proxy, defined in `mesh_apis::native_staking_proxy`.

pub use mesh_apis::native_staking_proxy::*;
