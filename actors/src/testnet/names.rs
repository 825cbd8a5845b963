//! Names instead of addresses in everything a user reads: the address book of a run (every
//! account and contract the scenario names, on every chain) and the rewriting of texts and
//! trace events with it. Contracts and chains report errors with bech32 addresses; users wrote
//! names.

use std::collections::BTreeMap;

use cosmwasm_std::Uint128;
use mesh_apis::native_staking;

use super::report::ReportNames;
use super::{ContractId, Testnet, GOVERNANCE};
use crate::trace::{TraceEvent, TraceKind};

/// Addresses and the names they stand for.
#[derive(Clone, Debug, Default)]
pub struct AddressBook {
    names: BTreeMap<String, String>,
}

impl AddressBook {
    /// The book of `net`: users (and their native staking proxies), reward recipients, the
    /// harness's own accounts and every contract, on every chain.
    pub async fn of(net: &Testnet, names: &ReportNames) -> AddressBook {
        let mut book = Self::with_names(net, names);
        let provider = net.provider_id().to_owned();
        for user in &names.users {
            let addr = net.addr(&provider, user).to_string();
            let proxy: Result<native_staking::ProxyByOwnerResponse, _> = net
                .query(
                    &ContractId::NativeStaking,
                    &native_staking::QueryMsg::ProxyByOwner { owner: addr },
                )
                .await;
            if let Ok(p) = proxy {
                book.insert(p.proxy, ContractId::native_staking_proxy(user).to_string());
            }
        }
        book
    }

    /// The book of what `net` knows without asking a chain: its contracts (proxies once used),
    /// users, reward recipients and the harness's own accounts.
    pub fn known(net: &Testnet) -> AddressBook {
        Self::with_names(net, &net.names())
    }

    fn with_names(net: &Testnet, names: &ReportNames) -> AddressBook {
        let mut book = AddressBook::default();
        let provider = net.provider_id().to_owned();
        for c in net.contracts() {
            book.insert(c.deployed.addr.to_string(), c.deployed.name.clone());
        }
        for chain in std::iter::once(&provider).chain(net.consumer_ids()) {
            for account in [GOVERNANCE, crate::chain::RELAYER_NAME] {
                book.insert(net.addr(chain, account).to_string(), account.to_owned());
            }
        }
        for user in &names.users {
            book.insert(net.addr(&provider, user).to_string(), user.clone());
        }
        for c in &names.consumers {
            for account in names.users.iter().chain(&c.accounts) {
                book.insert(net.addr(&c.id, account).to_string(), account.clone());
            }
        }
        book
    }

    fn insert(&mut self, addr: String, name: String) {
        self.names.entry(addr).or_insert(name);
    }

    /// `text` with every known address replaced by its name.
    pub fn humanize(&self, text: &str) -> String {
        if self.names.is_empty() {
            return text.to_owned();
        }
        // Addresses are bech32 words: split on what cannot be part of one and look each up.
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            match self.names.get(word.as_str()) {
                Some(name) => out.push_str(name),
                None => out.push_str(word),
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    /// The event with every text in it humanized.
    pub fn humanize_event(&self, event: &TraceEvent) -> TraceEvent {
        let h = |s: &Option<String>| s.as_ref().map(|s| self.humanize(s));
        let kind = match &event.kind {
            TraceKind::Tx {
                chain,
                sender,
                contract,
                action,
                ok,
                error,
                gas,
            } => TraceKind::Tx {
                chain: chain.clone(),
                sender: self.humanize(sender),
                contract: self.humanize(contract),
                action: action.clone(),
                ok: *ok,
                error: h(error),
                gas: *gas,
            },
            TraceKind::ChainAction {
                chain,
                action,
                ok,
                error,
            } => TraceKind::ChainAction {
                chain: chain.clone(),
                action: self.humanize(action),
                ok: *ok,
                error: h(error),
            },
            TraceKind::Epoch {
                chain,
                height,
                error,
            } => TraceKind::Epoch {
                chain: chain.clone(),
                height: *height,
                error: h(error),
            },
            TraceKind::Handshake {
                link,
                chain,
                step,
                channel,
                error,
            } => TraceKind::Handshake {
                link: link.clone(),
                chain: chain.clone(),
                step: step.clone(),
                channel: channel.clone(),
                error: h(error),
            },
            TraceKind::PacketReceived {
                link,
                from,
                to,
                seq,
                packet,
                ack,
                error,
            } => TraceKind::PacketReceived {
                link: link.clone(),
                from: from.clone(),
                to: to.clone(),
                seq: *seq,
                packet: packet.clone(),
                ack: ack.clone(),
                error: h(error),
            },
            TraceKind::AckDelivered {
                link,
                to,
                from,
                seq,
                packet,
                ack,
                handler_error,
            } => TraceKind::AckDelivered {
                link: link.clone(),
                to: to.clone(),
                from: from.clone(),
                seq: *seq,
                packet: packet.clone(),
                ack: ack.clone(),
                handler_error: h(handler_error),
            },
            TraceKind::TimeoutDelivered {
                link,
                to,
                from,
                seq,
                packet,
                handler_error,
            } => TraceKind::TimeoutDelivered {
                link: link.clone(),
                to: to.clone(),
                from: from.clone(),
                seq: *seq,
                packet: packet.clone(),
                handler_error: h(handler_error),
            },
            TraceKind::Fault { target, fault } => TraceKind::Fault {
                target: self.humanize(target),
                fault: self.humanize(fault),
            },
            other => other.clone(),
        };
        TraceEvent {
            t_ms: event.t_ms,
            kind,
        }
    }
}

/// Amounts by name as people read them: `{juno-val1: 100, juno-val2: 5}` (not `Uint128(100)`).
pub fn amounts(map: &BTreeMap<String, Uint128>) -> String {
    let items: Vec<String> = map.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known addresses become names wherever they stand; other words stay.
    #[test]
    fn addresses_become_names() {
        let mut book = AddressBook::default();
        book.insert("provider1abc".into(), "alice".into());
        book.insert("provider1vault".into(), "vault".into());
        assert_eq!(
            book.humanize("provider1abc has no lien on provider1vault (port wasm.provider1vault)"),
            "alice has no lien on vault (port wasm.vault)"
        );
        assert_eq!(book.humanize("provider1abcd"), "provider1abcd");
        assert_eq!(
            amounts(&BTreeMap::from([("v".to_owned(), Uint128::new(1))])),
            "{v: 1}"
        );
    }
}
