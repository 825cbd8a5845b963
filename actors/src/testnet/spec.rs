//! What to deploy: a provider and its consumers, in plain Rust values (no scenario format).
//!
//! Chains get the defaults a scenario file gets: the bech32 prefix of a chain's addresses is
//! derived from its chain id ([`bech32_prefix`]), so an account has the same address whichever
//! way the topology was written.

use cosmwasm_std::{Coin, Decimal, Uint128};

use crate::actor::Delay;
use crate::chain::ChainConfig;
use crate::contracts::Codes;

/// The bech32 prefix of a chain's addresses: the lowercase ASCII letters of its chain id (at
/// most 10), so addresses read like their chain (`juno` → `juno1...`); `chain` if it has none.
///
/// ```
/// assert_eq!(mesh_actors::testnet::bech32_prefix("osmo-test-5"), "osmotest");
/// assert_eq!(mesh_actors::testnet::bech32_prefix("42"), "chain");
/// ```
pub fn bech32_prefix(chain_id: &str) -> String {
    let p: String = chain_id
        .chars()
        .filter(|c| c.is_ascii_lowercase())
        .take(10)
        .collect();
    if p.is_empty() {
        "chain".into()
    } else {
        p
    }
}

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

impl ProviderSpec {
    /// A provider chain `chain_id` with the defaults of a scenario file: denom `uosmo`, one
    /// validator `val1`, native staking's slash ratios 0.2 (double sign) and 0.1 (offline), no
    /// accounts.
    pub fn new(chain_id: &str) -> Self {
        ProviderSpec {
            chain: ChainConfig::new(chain_id, "uosmo", &bech32_prefix(chain_id)),
            ..Default::default()
        }
    }
}

impl Default for ProviderSpec {
    /// The provider `provider` of [`ProviderSpec::new`].
    fn default() -> Self {
        ProviderSpec {
            chain: ChainConfig::new("provider", "uosmo", &bech32_prefix("provider")),
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
    /// A consumer `chain_id` with the defaults of a scenario file: denom `ujuno`, one validator
    /// `<chain_id>-val1`, price 0.5, discount 0.1, max cap 1,000,000,000, an epoch every 100
    /// blocks, 21 days of unbonding, slash ratios 0.2 / 0.1, a 5 s link with a 10 min timeout.
    pub fn new(chain_id: &str) -> Self {
        let mut chain = ChainConfig::new(chain_id, "ujuno", &bech32_prefix(chain_id));
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
