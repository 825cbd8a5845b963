//! Messages of the converter, defined in `mesh_apis::converter` (packets in `mesh_apis::ibc`).

pub use mesh_apis::converter::*;
