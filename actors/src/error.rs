//! The library's one error type: every fallible method of a [`Testnet`](crate::testnet::Testnet)
//! (and of `mesh-harness` on top of it) returns [`Error`].

use std::time::Duration;

use crate::testnet::ContractId;
use crate::time::human_ms;

/// What went wrong while building or driving a testnet.
///
/// Names in messages are the names the topology gave (users, validators, chains, contracts):
/// addresses in a contract's message are replaced by the names they stand for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A contract refused a transaction or a query.
    #[error("{contract}: {message}")]
    Contract {
        /// Which contract.
        contract: ContractId,
        /// What it said.
        message: String,
    },
    /// A chain refused an event or a change (a validator event, a max cap, a channel close, a
    /// chain without epochs); the message names the chain and the validator.
    #[error("{message}")]
    Chain {
        /// The chain's id.
        chain: String,
        /// Why it refused.
        message: String,
    },
    /// No user, consumer, chain or contract of that name in this testnet.
    #[error("unknown {kind} {name:?}{}", known_names(known))]
    UnknownName {
        /// What kind of name (`user`, `consumer`, `chain`, `contract`, `link`).
        kind: &'static str,
        /// The name asked for.
        name: String,
        /// The names of that kind the testnet has.
        known: Vec<String>,
    },
    /// [`Testnet::settle`](crate::testnet::Testnet::settle) ran out of time: packets were still
    /// in flight or transactions pending at the bound.
    #[error("not settled within {}: packets or txs still pending", human_ms(within.as_millis() as u64))]
    NotSettled {
        /// The bound.
        within: Duration,
    },
    /// The chain is halted (a `halt` fault) and takes no transaction or event until then.
    #[error("chain {chain} is halted until t={}", human_ms(*until_ms))]
    Halted {
        /// The chain's id.
        chain: String,
        /// Simulated time (ms since the start) at which it makes blocks again.
        until_ms: u64,
    },
    /// [`Testnet::epoch`](crate::testnet::Testnet::epoch) saw no epoch run on the chain.
    #[error("no epoch ran on {chain} by t={}", human_ms(*at_ms))]
    NoEpoch {
        /// The consumer chain's id.
        chain: String,
        /// When it gave up (ms since the start).
        at_ms: u64,
    },
    /// The run's work budget (see [`Trace::set_limit`](crate::trace::Trace::set_limit)) ran out.
    #[error("the run's work budget ran out")]
    BudgetExhausted,
    /// An actor of the runtime stopped answering (its mailbox closed): a bug, or a simulation
    /// used outside [`run_simulation`](crate::time::run_simulation).
    #[error("actor failure: {0}")]
    Actor(String),
    /// The topology could not be built at genesis (a validator or contract failed to set up).
    #[error("{0}")]
    Genesis(String),
    /// Input the library cannot use: a topology or a scenario that breaks the format's rules
    /// (the message names the field), or a file that cannot be read.
    #[error("{0}")]
    InvalidInput(String),
    /// A report path does not hold the expected value
    /// ([`Report::expect`](crate::testnet::Report::expect)).
    #[error("{path}: expected {expected}, got {got}")]
    Mismatch {
        /// The report path.
        path: String,
        /// The expected value (JSON).
        expected: String,
        /// What the report holds (JSON), or `(absent)`.
        got: String,
    },
}

fn known_names(known: &[String]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        format!(" (known: {})", known.join(", "))
    }
}

impl Error {
    /// What the contract or chain said, without the contract's name in front: the text of
    /// [`Error::Contract`]'s `message`, else the whole message.
    pub fn reason(&self) -> String {
        match self {
            Error::Contract { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    /// An actor that did not answer.
    pub(crate) fn actor(e: impl std::fmt::Display) -> Self {
        Error::Actor(e.to_string())
    }

    /// A chain's refusal, as a [`Error::Halted`] when the chain is halted.
    pub(crate) fn chain(chain: &str, message: String) -> Self {
        match halted(chain, &message) {
            Some(e) => e,
            None => Error::Chain {
                chain: chain.to_string(),
                message,
            },
        }
    }
}

/// The [`Error::Halted`] of a chain error in [`crate::chain::halted_error`]'s form.
pub(crate) fn halted(chain: &str, message: &str) -> Option<Error> {
    let prefix = format!("chain {chain} is halted until t=");
    if !message.starts_with(&prefix) {
        return None;
    }
    crate::chain::halted_until(message).map(|until_ms| Error::Halted {
        chain: chain.to_string(),
        until_ms,
    })
}

impl From<Error> for String {
    /// The error's message (the harness's own checks work with message strings).
    fn from(e: Error) -> String {
        e.to_string()
    }
}

/// `Result` with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant says what went wrong in one line, with names and human units.
    #[test]
    fn messages_read_well() {
        let e = Error::Contract {
            contract: ContractId::Vault,
            message: "0 free, 1 requested".into(),
        };
        assert_eq!(e.to_string(), "vault: 0 free, 1 requested");
        assert_eq!(e.reason(), "0 free, 1 requested");
        let e = Error::UnknownName {
            kind: "consumer",
            name: "osmo".into(),
            known: vec!["juno".into(), "stars".into()],
        };
        assert_eq!(
            e.to_string(),
            "unknown consumer \"osmo\" (known: juno, stars)"
        );
        let e = Error::NotSettled {
            within: Duration::from_secs(86_400),
        };
        assert_eq!(
            e.to_string(),
            "not settled within 1d: packets or txs still pending"
        );
        let e = Error::chain(
            "juno",
            crate::chain::halted_error("juno", 2 * 3_600_000 + 500),
        );
        assert_eq!(
            e,
            Error::Halted {
                chain: "juno".into(),
                until_ms: 2 * 3_600_000 + 500
            }
        );
        assert_eq!(e.to_string(), "chain juno is halted until t=2h500ms");
        let refused = Error::chain("juno", "unknown validator \"x\" on juno".into());
        assert_eq!(refused.to_string(), "unknown validator \"x\" on juno");
        assert_eq!(String::from(refused), "unknown validator \"x\" on juno");
    }
}
