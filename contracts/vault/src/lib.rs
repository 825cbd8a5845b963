//! mesh-vault: work in progress.
