//! mesh-native-staking-proxy: work in progress.
