//! A chain's storage: an in-memory [`Store`] (`MockStorage`'s behaviour, reads by hash), plus
//! change logs. A change log remembers every key written since it was last read and the value
//! the key had before, so a reader learns exactly what changed (contracts, bank, modules alike)
//! without reading the rest.
//! The harness's invariants use it to re-check only what a step changed.
//!
//! Ranges inside cw-multi-test's contract registry yield nothing: their only reader counted the
//! contracts on every instantiation, which [`super::addresses::CountingAddresses`] does instead.
//!
//! Logging costs nothing until a log is opened. Writes made while logging is paused (see
//! [`crate::chain::Chain::untracked`]) reach no log: for tests that plant a change a checker must
//! not be told of.

use cosmwasm_std::{Order, Record, Storage};
use rustc_hash::FxHashMap;

use super::addresses::REGISTRY;
use super::store::Store;

/// Whether `start..end` lies inside the contract registry (see the module doc).
fn in_registry(start: Option<&[u8]>, end: Option<&[u8]>) -> bool {
    let (Some(start), Some(end)) = (start, end) else {
        return false;
    };
    let mut past = REGISTRY.to_vec();
    if let Some(last) = past.last_mut() {
        *last += 1;
    }
    start.starts_with(REGISTRY) && end <= past.as_slice()
}

/// Which change log (see [`TrackedStorage::open_log`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogId(usize);

/// One key whose value changed: its value before the first write since the log was last read,
/// and now (`None`: absent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The key, as stored (every namespace prefix included).
    pub key: Vec<u8>,
    /// The value before.
    pub old: Option<Vec<u8>>,
    /// The value now.
    pub new: Option<Vec<u8>>,
}

/// A [`Store`] with change logs.
#[derive(Default)]
pub struct TrackedStorage {
    inner: Store,
    /// Open logs: key → its value before the first write since the log was last taken (hashed:
    /// a log a reader takes rarely holds every key written meanwhile; [`take`](Self::take)
    /// puts them in order).
    logs: Vec<FxHashMap<Vec<u8>, Option<Vec<u8>>>>,
    /// Writes are not logged while this is set.
    paused: bool,
    /// The watched key prefix (see [`watch`](Self::watch)).
    watched: Option<Vec<u8>>,
    /// Writes under the watched prefix so far.
    watched_writes: u64,
}

impl TrackedStorage {
    /// Start a change log: every key written from now on is in its next [`take`](Self::take).
    pub fn open_log(&mut self) -> LogId {
        self.logs.push(FxHashMap::default());
        LogId(self.logs.len() - 1)
    }

    /// The keys whose value changed since `log` was opened or last taken, in key order (a key
    /// written back to its old value is not a change); the log starts afresh.
    pub fn take(&mut self, log: LogId) -> Vec<Change> {
        let old = std::mem::take(&mut self.logs[log.0]);
        let mut changes: Vec<Change> = old
            .into_iter()
            .filter_map(|(key, old)| {
                let new = self.inner.get(&key);
                (new != old).then_some(Change { key, old, new })
            })
            .collect();
        changes.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        changes
    }

    /// Count the writes to keys starting with `prefix` from now on (one prefix at a time): a
    /// reader that derived something from those keys knows it still holds while
    /// [`watched_writes`](Self::watched_writes) has not moved.
    pub fn watch(&mut self, prefix: Vec<u8>) {
        self.watched = Some(prefix);
    }

    /// How many writes (sets and removes, logged or not) went to the watched prefix so far.
    pub fn watched_writes(&self) -> u64 {
        self.watched_writes
    }

    fn count_watched(&mut self, key: &[u8]) {
        if self.watched.as_ref().is_some_and(|p| key.starts_with(p)) {
            self.watched_writes += 1;
        }
    }

    /// Stop (`true`) or resume (`false`) logging writes.
    pub fn pause_logging(&mut self, paused: bool) {
        self.paused = paused;
    }

    fn log_write(&mut self, key: &[u8]) {
        if self.paused {
            return;
        }
        for log in &mut self.logs {
            if !log.contains_key(key) {
                log.insert(key.to_vec(), self.inner.get(key));
            }
        }
    }
}

impl Storage for TrackedStorage {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.inner.get(key)
    }

    fn range<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = Record> + 'a> {
        if in_registry(start, end) {
            return Box::new(std::iter::empty());
        }
        self.inner.range(start, end, order)
    }

    fn range_keys<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = Vec<u8>> + 'a> {
        if in_registry(start, end) {
            return Box::new(std::iter::empty());
        }
        Box::new(
            self.inner
                .range_keys(start, end, order)
                .map(|key| key.to_vec()),
        )
    }

    fn range_values<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = Vec<u8>> + 'a> {
        if in_registry(start, end) {
            return Box::new(std::iter::empty());
        }
        self.inner.range_values(start, end, order)
    }

    fn set(&mut self, key: &[u8], value: &[u8]) {
        if !self.logs.is_empty() {
            self.log_write(key);
        }
        self.count_watched(key);
        self.inner.set(key, value);
    }

    fn remove(&mut self, key: &[u8]) {
        if !self.logs.is_empty() {
            self.log_write(key);
        }
        self.count_watched(key);
        self.inner.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log sees each changed key once, with its first old value and its value now; keys
    /// written back to their old value, writes before it opened and untracked writes are not
    /// changes.
    #[test]
    fn logs_report_what_changed_since_they_were_taken() {
        let mut s = TrackedStorage::default();
        s.set(b"before", b"1");
        let log = s.open_log();
        s.set(b"a", b"1");
        s.set(b"a", b"2");
        s.set(b"before", b"2");
        s.set(b"b", b"1");
        s.remove(b"b");
        s.pause_logging(true);
        s.set(b"quiet", b"1");
        s.pause_logging(false);
        assert_eq!(
            s.take(log),
            vec![
                Change {
                    key: b"a".to_vec(),
                    old: None,
                    new: Some(b"2".to_vec())
                },
                Change {
                    key: b"before".to_vec(),
                    old: Some(b"1".to_vec()),
                    new: Some(b"2".to_vec())
                },
            ]
        );
        assert_eq!(s.take(log), vec![]);
        s.remove(b"a");
        let second = s.open_log();
        s.set(b"c", b"3");
        assert_eq!(s.take(log).len(), 2);
        assert_eq!(s.take(second).len(), 1);
        assert_eq!(s.get(b"quiet"), Some(b"1".to_vec()));
    }

    /// On a chain's App, a log names the accounts whose balances moved (with the amounts before
    /// and after) and the validators whose records changed.
    #[test]
    fn chain_changes_name_balances_and_validators() {
        use crate::chain::app::{build_app, genesis_validator, mint, ChainConfig};
        use crate::modules::{MeshBank, MeshStaking};
        use cosmwasm_std::{coin, Uint128, Uint256};

        let cfg = ChainConfig::new("osmo", "uosmo", "osmo");
        let mut app = build_app(&cfg);
        let alice = app.api().addr_make("alice");
        mint(&mut app, &alice, vec![coin(500, "uosmo")]).unwrap();
        let log = app.storage_mut().open_log();
        app.sudo(cw_multi_test::SudoMsg::Bank(
            cw_multi_test::BankSudo::Mint {
                to_address: alice.to_string(),
                amount: vec![coin(250, "uosmo")],
            },
        ))
        .unwrap();
        genesis_validator(&mut app, "val1", Uint128::new(1_000_000)).unwrap();
        let changes = app.storage_mut().take(log);
        let balance = changes
            .iter()
            .find(|c| MeshBank::account_of_key(&c.key) == Some(alice.as_bytes()))
            .expect("alice's balance changed");
        let amount = |r: &Option<Vec<u8>>| MeshBank::amount_in_record(r.as_deref(), "uosmo");
        assert_eq!(amount(&balance.old).unwrap(), Uint256::from(500u128));
        assert_eq!(amount(&balance.new).unwrap(), Uint256::from(750u128));
        let validators: Vec<String> = changes
            .iter()
            .filter_map(|c| MeshStaking::validator_of_key(&c.key))
            .collect();
        assert_eq!(validators, ["val1"]);
    }

    /// Only writes under the watched prefix count, removes too, logged or not.
    #[test]
    fn watch_counts_writes_under_the_prefix() {
        let mut s = TrackedStorage::default();
        s.set(b"queue/1", b"x");
        s.watch(b"queue/".to_vec());
        assert_eq!(s.watched_writes(), 0);
        s.set(b"queue/2", b"x");
        s.set(b"other", b"x");
        s.pause_logging(true);
        s.remove(b"queue/1");
        assert_eq!(s.watched_writes(), 2);
        assert_eq!(s.get(b"queue/2"), Some(b"x".to_vec()));
    }
}
