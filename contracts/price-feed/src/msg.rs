//! Messages of the price feed, defined in `mesh_apis::price_feed`.

pub use mesh_apis::price_feed::*;
