//! What to deploy: a provider and its consumers, in plain Rust values (no scenario format).

use cosmwasm_std::{Coin, Decimal, Uint128};

use crate::actor::Delay;
use crate::chain::ChainConfig;
use crate::contracts::Codes;

/// A genesis validator.
#[derive(Clone, Debug)]
pub struct ValidatorSpec {
    /// Its name (also its operator address on the chain).
    pub name: String,
    /// Self-bond.
    pub stake: Uint128,
}

impl ValidatorSpec {
    /// A validator with the default self-bond of 1,000,000.
    pub fn new(name: &str) -> Self {
        ValidatorSpec {
            name: name.to_string(),
            stake: Uint128::new(1_000_000),
        }
    }
}

/// The provider chain.
#[derive(Clone, Debug)]
pub struct ProviderSpec {
    /// Chain configuration.
    pub chain: ChainConfig,
    /// Genesis validators.
    pub validators: Vec<ValidatorSpec>,
    /// Native staking's double-sign ratio.
    pub native_slash_dsign: Decimal,
    /// Native staking's offline ratio.
    pub native_slash_offline: Decimal,
    /// Genesis balances by account name.
    pub accounts: Vec<(String, Vec<Coin>)>,
}

impl Default for ProviderSpec {
    fn default() -> Self {
        ProviderSpec {
            chain: ChainConfig::new("provider", "uosmo", "osmo"),
            validators: vec![ValidatorSpec::new("val1")],
            native_slash_dsign: Decimal::percent(20),
            native_slash_offline: Decimal::percent(10),
            accounts: vec![],
        }
    }
}

/// The relayer of a link.
#[derive(Clone, Debug)]
pub struct LinkSpec {
    /// Delay per hop.
    pub delay: Delay,
    /// Timeout of provider packets, seconds.
    pub packet_timeout_secs: u64,
}

impl Default for LinkSpec {
    fn default() -> Self {
        LinkSpec {
            delay: Delay::Fixed(5_000),
            packet_timeout_secs: 600,
        }
    }
}

/// A consumer chain and its link.
#[derive(Clone, Debug)]
pub struct ConsumerSpec {
    /// Chain configuration (`epoch_blocks` set).
    pub chain: ChainConfig,
    /// Genesis validators.
    pub validators: Vec<ValidatorSpec>,
    /// Consumer tokens per provider token.
    pub price: Decimal,
    /// Converter discount.
    pub discount: Decimal,
    /// Virtual staking max cap.
    pub max_cap: Uint128,
    /// External staking unbonding period, seconds.
    pub ext_unbonding_secs: u64,
    /// External staking double-sign ratio.
    pub ext_slash_dsign: Decimal,
    /// External staking offline ratio.
    pub ext_slash_offline: Decimal,
    /// The link.
    pub link: LinkSpec,
}

impl ConsumerSpec {
    /// A consumer with the defaults of system.md §8.
    pub fn new(chain_id: &str) -> Self {
        let mut chain = ChainConfig::new(chain_id, "ujuno", "juno");
        chain.epoch_blocks = Some(100);
        ConsumerSpec {
            chain,
            validators: vec![ValidatorSpec::new(&format!("{chain_id}-val1"))],
            price: Decimal::percent(50),
            discount: Decimal::percent(10),
            max_cap: Uint128::new(1_000_000_000),
            ext_unbonding_secs: 21 * 86_400,
            ext_slash_dsign: Decimal::percent(20),
            ext_slash_offline: Decimal::percent(10),
            link: LinkSpec::default(),
        }
    }
}

/// The whole topology.
#[derive(Clone, Debug, Default)]
pub struct TopologySpec {
    /// The contract codes (the real contracts unless a test swaps one).
    pub codes: Codes,
    /// Seed of every random choice (link delays).
    pub seed: u64,
    /// The provider.
    pub provider: ProviderSpec,
    /// The consumers.
    pub consumers: Vec<ConsumerSpec>,
}
