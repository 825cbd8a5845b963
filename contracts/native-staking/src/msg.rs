//! Messages of native staking, defined in `mesh_apis::native_staking`.

pub use mesh_apis::lienholder::{MaxSlashResponse, StakeMsg};
pub use mesh_apis::native_staking::*;
