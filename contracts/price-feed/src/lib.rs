//! mesh-price-feed: work in progress.
