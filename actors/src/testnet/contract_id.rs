//! Typed names of a testnet's contracts.

use std::fmt;

/// One contract of a testnet. Contracts of a consumer carry the consumer's chain id, a native
/// staking proxy its owner's name.
///
/// Its [`Display`](fmt::Display) is the contract's name in traces, timelines and the report:
/// `vault`, `native`, `alice:proxy`, `juno` (external staking for `juno`, on the provider),
/// `juno:converter`, `juno:virtual-staking`, `juno:price-feed`.
///
/// ```
/// use mesh_actors::testnet::ContractId;
/// assert_eq!(ContractId::converter("juno").to_string(), "juno:converter");
/// assert_eq!(ContractId::Vault.to_string(), "vault");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContractId {
    /// The vault (provider): collateral and liens.
    Vault,
    /// Native staking (provider): the local lienholder.
    NativeStaking,
    /// A user's native staking proxy (provider), created by their first local stake.
    NativeStakingProxy(String),
    /// External staking for a consumer (provider end of its link).
    ExternalStaking(String),
    /// A consumer's converter (consumer end of its link).
    Converter(String),
    /// A consumer's virtual staking contract.
    VirtualStaking(String),
    /// A consumer's price feed.
    PriceFeed(String),
}

impl ContractId {
    /// `user`'s native staking proxy.
    pub fn native_staking_proxy(user: impl Into<String>) -> Self {
        ContractId::NativeStakingProxy(user.into())
    }

    /// External staking for `consumer`.
    pub fn external_staking(consumer: impl Into<String>) -> Self {
        ContractId::ExternalStaking(consumer.into())
    }

    /// The converter of `consumer`.
    pub fn converter(consumer: impl Into<String>) -> Self {
        ContractId::Converter(consumer.into())
    }

    /// Virtual staking of `consumer`.
    pub fn virtual_staking(consumer: impl Into<String>) -> Self {
        ContractId::VirtualStaking(consumer.into())
    }

    /// The price feed of `consumer`.
    pub fn price_feed(consumer: impl Into<String>) -> Self {
        ContractId::PriceFeed(consumer.into())
    }

    /// The consumer a consumer's contract (or external staking) belongs to.
    pub fn consumer(&self) -> Option<&str> {
        match self {
            ContractId::ExternalStaking(c)
            | ContractId::Converter(c)
            | ContractId::VirtualStaking(c)
            | ContractId::PriceFeed(c) => Some(c),
            ContractId::Vault | ContractId::NativeStaking | ContractId::NativeStakingProxy(_) => {
                None
            }
        }
    }

    /// Whether the contract lives on the provider chain.
    pub fn on_provider(&self) -> bool {
        matches!(
            self,
            ContractId::Vault
                | ContractId::NativeStaking
                | ContractId::NativeStakingProxy(_)
                | ContractId::ExternalStaking(_)
        )
    }

    /// The id of a contract name as [`Display`](fmt::Display) writes it (`juno:converter`).
    /// A name without a role is external staking of that consumer.
    pub fn parse(name: &str) -> ContractId {
        match name {
            "vault" => return ContractId::Vault,
            "native" => return ContractId::NativeStaking,
            _ => {}
        }
        match name.rsplit_once(':') {
            Some((user, "proxy")) => ContractId::NativeStakingProxy(user.into()),
            Some((c, "converter")) => ContractId::Converter(c.into()),
            Some((c, "virtual-staking")) => ContractId::VirtualStaking(c.into()),
            Some((c, "price-feed")) => ContractId::PriceFeed(c.into()),
            _ => ContractId::ExternalStaking(name.into()),
        }
    }
}

impl fmt::Display for ContractId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContractId::Vault => f.write_str("vault"),
            ContractId::NativeStaking => f.write_str("native"),
            ContractId::NativeStakingProxy(user) => write!(f, "{user}:proxy"),
            ContractId::ExternalStaking(consumer) => f.write_str(consumer),
            ContractId::Converter(consumer) => write!(f, "{consumer}:converter"),
            ContractId::VirtualStaking(consumer) => write!(f, "{consumer}:virtual-staking"),
            ContractId::PriceFeed(consumer) => write!(f, "{consumer}:price-feed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names read back to the same id.
    #[test]
    fn names_round_trip() {
        for id in [
            ContractId::Vault,
            ContractId::NativeStaking,
            ContractId::native_staking_proxy("alice"),
            ContractId::external_staking("juno"),
            ContractId::converter("juno"),
            ContractId::virtual_staking("stars"),
            ContractId::price_feed("juno"),
        ] {
            assert_eq!(ContractId::parse(&id.to_string()), id);
        }
        assert_eq!(ContractId::converter("juno").consumer(), Some("juno"));
        assert!(ContractId::external_staking("juno").on_provider());
        assert!(!ContractId::price_feed("juno").on_provider());
    }
}
