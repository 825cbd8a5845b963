//! mesh-virtual-staking: work in progress.
