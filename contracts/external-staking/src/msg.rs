//! Messages of external staking, defined once in `mesh-apis`.

pub use mesh_apis::external_staking::*;
pub use mesh_apis::lienholder::{MaxSlashResponse, StakeMsg};
pub use mesh_apis::tx::{AllTxsResponse, Tx};
