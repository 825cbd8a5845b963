//! Messages of virtual staking, defined in `mesh_apis::virtual_staking`; the chain's custom
//! messages and queries in `mesh_apis::virtual_stake`.

pub use mesh_apis::virtual_stake::{VirtualStakeCustomMsg, VirtualStakeCustomQuery};
pub use mesh_apis::virtual_staking::*;
