//! Messages of the vault: defined in `mesh_apis::vault` and re-exported here.

pub use mesh_apis::lienholder::{
    CrossStakingApiExecMsg, LienholderQueryMsg, LocalStakingApiExecMsg, MaxSlashResponse,
};
pub use mesh_apis::tx::{AllTxsResponse, Tx};
pub use mesh_apis::vault::*;
