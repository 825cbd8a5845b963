//! mesh-external-staking: work in progress.
