//! The actor runtime (chains, contracts, relayers in virtual time). Work in progress.
