//! The event trace of a run: every transaction, block, packet, ack, timeout and fault with its
//! simulated time, with accounts, contracts and chains by name.

use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::Waker;

/// One traced event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    /// Simulated time, ms since the start.
    pub t_ms: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: TraceKind,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TraceKind {
    /// A scenario step starts (recorded by the director).
    Step {
        /// Index in the scenario's steps.
        index: usize,
        /// The step's action.
        action: String,
    },
    /// A user or contract transaction.
    Tx {
        /// Chain.
        chain: String,
        /// Sender name.
        sender: String,
        /// Contract name.
        contract: String,
        /// The message's action (its first JSON key).
        action: String,
        /// Whether it succeeded.
        ok: bool,
        /// Error text.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// Gas of the whole transaction (every contract call it made), when wasm ran in it.
        #[serde(skip_serializing_if = "Option::is_none")]
        gas: Option<u64>,
    },
    /// A wasm contract was called, with the gas it used (native contracts are not metered).
    ContractCall {
        /// Chain.
        chain: String,
        /// Contract name.
        contract: String,
        /// Entry point and message kind (`execute:bond`, `ibc_packet_receive:stake`).
        call: String,
        /// Gas used (CosmWasm gas).
        gas: u64,
        /// Whether it succeeded.
        ok: bool,
    },
    /// A chain-level action (sudo, governance, validator events).
    ChainAction {
        /// Chain.
        chain: String,
        /// What was done.
        action: String,
        /// Whether it succeeded.
        ok: bool,
        /// Error text.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// A block was executed.
    Block {
        /// Chain.
        chain: String,
        /// Height.
        height: u64,
    },
    /// An epoch ran on a consumer chain.
    Epoch {
        /// Chain.
        chain: String,
        /// Height.
        height: u64,
        /// Error text.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// A channel handshake step.
    Handshake {
        /// Link name.
        link: String,
        /// Chain.
        chain: String,
        /// Step (open_init, open_try, open_ack, open_confirm, close_init, close_confirm).
        step: String,
        /// Channel id on that chain.
        #[serde(skip_serializing_if = "Option::is_none")]
        channel: Option<String>,
        /// Error text.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// A packet left a chain.
    PacketSent {
        /// Link name.
        link: String,
        /// Source chain.
        from: String,
        /// Destination chain.
        to: String,
        /// Sequence on the source channel.
        seq: u64,
        /// Packet kind (its first JSON key).
        packet: String,
    },
    /// A packet was dropped by a `drop_next` fault.
    PacketDropped {
        /// Link name.
        link: String,
        /// Source chain.
        from: String,
        /// Sequence.
        seq: u64,
        /// Packet kind.
        packet: String,
    },
    /// A packet was received; `ack` is "ok" or "error".
    PacketReceived {
        /// Link name.
        link: String,
        /// Source chain.
        from: String,
        /// Destination chain.
        to: String,
        /// Sequence.
        seq: u64,
        /// Packet kind.
        packet: String,
        /// "ok" or "error".
        ack: String,
        /// Error text of an error ack.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// An acknowledgement was delivered to the sender.
    AckDelivered {
        /// Link name.
        link: String,
        /// Chain the ack was delivered to (the packet's source).
        to: String,
        /// From the destination chain.
        from: String,
        /// Sequence.
        seq: u64,
        /// Packet kind.
        packet: String,
        /// "ok" or "error".
        ack: String,
        /// Error the sender's ack handler returned (must never happen).
        #[serde(skip_serializing_if = "Option::is_none")]
        handler_error: Option<String>,
    },
    /// A timeout was delivered to the sender.
    TimeoutDelivered {
        /// Link name.
        link: String,
        /// Chain the timeout was delivered to.
        to: String,
        /// The chain that never received it.
        from: String,
        /// Sequence.
        seq: u64,
        /// Packet kind.
        packet: String,
        /// Error the sender's timeout handler returned (must never happen).
        #[serde(skip_serializing_if = "Option::is_none")]
        handler_error: Option<String>,
    },
    /// A fault was injected or lifted.
    Fault {
        /// What it applies to (link, chain or contract).
        target: String,
        /// The fault.
        fault: String,
    },
}

/// The shared trace of one simulation (single-threaded), with an optional limit on its length:
/// the budget of work a run may do (see [`Trace::set_limit`]).
#[derive(Clone, Default)]
pub struct Trace {
    events: Rc<RefCell<Vec<TraceEvent>>>,
    limit: Rc<Limit>,
}

/// The most events a trace may hold, and who waits for it to be reached.
#[derive(Default)]
struct Limit {
    max: Cell<Option<usize>>,
    waiting: RefCell<Option<Waker>>,
}

impl Trace {
    /// Record an event at `t_ms`.
    pub fn record(&self, t_ms: u64, kind: TraceKind) {
        tracing::debug!(t_ms, ?kind, "trace");
        let len = {
            let mut events = self.events.borrow_mut();
            events.push(TraceEvent { t_ms, kind });
            events.len()
        };
        if self.limit.max.get().is_some_and(|max| len > max) {
            if let Some(waker) = self.limit.waiting.borrow_mut().take() {
                waker.wake();
            }
        }
    }

    /// A copy of every event so far.
    pub fn events(&self) -> Vec<TraceEvent> {
        self.events.borrow().clone()
    }

    /// Number of events so far.
    pub fn len(&self) -> usize {
        self.events.borrow().len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.events.borrow().is_empty()
    }

    /// Limit the run's work to `max` events (none: no limit). Waiting in simulated time
    /// ([`crate::testnet::Testnet::wait`]) ends early once the trace holds more.
    pub fn set_limit(&self, max: Option<usize>) {
        self.limit.max.set(max);
    }

    /// The limit, if the trace holds more events than it.
    pub fn exceeded(&self) -> Option<usize> {
        self.limit.max.get().filter(|max| self.len() > *max)
    }

    /// Resolves once the trace holds more events than its limit (never without a limit).
    pub fn limit_reached(&self) -> LimitReached {
        LimitReached {
            trace: self.clone(),
        }
    }
}

/// The future of [`Trace::limit_reached`].
pub struct LimitReached {
    trace: Trace,
}

impl std::future::Future for LimitReached {
    type Output = ();

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.trace.exceeded().is_some() {
            return std::task::Poll::Ready(());
        }
        *self.trace.limit.waiting.borrow_mut() = Some(cx.waker().clone());
        std::task::Poll::Pending
    }
}

/// The action of a JSON message: its first key in key order (`{"bond": {}}` → `bond`), `?`
/// if it is not a JSON object with a key. Values are skipped unread (not built as a tree).
pub fn action_of(msg: &[u8]) -> String {
    serde_json::from_slice::<FirstKey>(msg)
        .ok()
        .and_then(|k| k.0)
        .unwrap_or_else(|| "?".to_string())
}

/// The smallest key of a JSON object (what `serde_json::Value`'s ordered map lists first).
struct FirstKey(Option<String>);

impl<'de> serde::Deserialize<'de> for FirstKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = FirstKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<FirstKey, M::Error> {
                let mut first: Option<String> = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    if first.as_deref().is_none_or(|f| key.as_ref() < f) {
                        first = Some(key.into_owned());
                    }
                }
                Ok(FirstKey(first))
            }
        }
        d.deserialize_map(Keys)
    }
}

#[cfg(test)]
mod tests {
    use super::action_of;

    /// The action is what the first key of the message as a `serde_json::Value` map is, for
    /// messages of every shape; anything that is not an object with a key is `?`.
    #[test]
    fn action_is_the_first_key_in_key_order() {
        let as_value = |msg: &[u8]| match serde_json::from_slice::<serde_json::Value>(msg) {
            Ok(serde_json::Value::Object(map)) => {
                map.keys().next().cloned().unwrap_or_else(|| "?".into())
            }
            _ => "?".to_string(),
        };
        for msg in [
            &br#"{"bond":{}}"#[..],
            br#"{"stake_remote":{"contract":"x","amount":{"denom":"u","amount":"1"},"msg":"e30="}}"#,
            br#"{"zeta":1,"alpha":[1,{"b":2}]}"#,
            br#"{"a\"b":null}"#,
            br#"{}"#,
            br#"[1,2]"#,
            br#""bond""#,
            br#"{"bond":{}} trailing"#,
            br#"{"bond":"#,
            b"",
        ] {
            assert_eq!(action_of(msg), as_value(msg), "{}", String::from_utf8_lossy(msg));
        }
        assert_eq!(action_of(br#"{"zeta":1,"alpha":2}"#), "alpha");
        assert_eq!(action_of(br#"[1]"#), "?");
    }
}
