//! mesh-native-staking: work in progress.
