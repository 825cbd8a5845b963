//! The key-value store under a chain: values found by hashing the key, keys kept in order for
//! ranges.
//!
//! cosmwasm's `MockStorage` is one `BTreeMap`: every read walks the tree, comparing the key whole
//! with a handful of keys per level, and a chain's keys share long prefixes (`contract_data/`, the
//! contract's address, the map's namespace). With a few hundred thousand keys a read costs a
//! dozen of those comparisons and as many cache misses. Here a read and an overwrite are one hash
//! lookup whatever the store holds; only a new or removed key touches the ordered index. Ranges
//! walk the index in key order, exactly as `MockStorage`'s do, so everything a contract observes
//! is the same (and no hash order ever reaches it).

use cosmwasm_std::{Order, Record};
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;
use std::ops::Bound;
use std::sync::Arc;

/// A store with `MockStorage`'s behaviour: point reads and writes by hash, ranges in key order.
#[derive(Default)]
pub struct Store {
    /// Key → value.
    values: FxHashMap<Arc<[u8]>, Vec<u8>>,
    /// Every key of `values`, in order (sharing their allocation).
    keys: BTreeSet<Arc<[u8]>>,
}

impl Store {
    /// The value under `key`.
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.values.get(key).cloned()
    }

    /// Store `value` under `key`. An empty value panics, as it does on `MockStorage` (and on
    /// chain: a contract removes a key instead).
    pub fn set(&mut self, key: &[u8], value: &[u8]) {
        assert!(
            !value.is_empty(),
            "Value must not be empty in Storage::set: use Storage::remove to delete a key"
        );
        if let Some(old) = self.values.get_mut(key) {
            old.clear();
            old.extend_from_slice(value);
            return;
        }
        let key: Arc<[u8]> = Arc::from(key);
        self.keys.insert(key.clone());
        self.values.insert(key, value.to_vec());
    }

    /// Remove `key` (nothing if absent).
    pub fn remove(&mut self, key: &[u8]) {
        if self.values.remove(key).is_some() {
            self.keys.remove(key);
        }
    }

    /// The keys in `start..end` (either open), in `order`.
    pub fn range_keys<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = &'a Arc<[u8]>> + 'a> {
        if let (Some(start), Some(end)) = (start, end) {
            if start >= end {
                return Box::new(std::iter::empty());
            }
        }
        let bounds = (
            start.map_or(Bound::Unbounded, Bound::Included),
            end.map_or(Bound::Unbounded, Bound::Excluded),
        );
        let keys = self.keys.range::<[u8], _>(bounds);
        match order {
            Order::Ascending => Box::new(keys),
            Order::Descending => Box::new(keys.rev()),
        }
    }

    /// The records in `start..end` (either open), in `order`.
    pub fn range<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = Record> + 'a> {
        Box::new(
            self.range_keys(start, end, order)
                .map(|key| (key.to_vec(), self.values[key].clone())),
        )
    }

    /// The values in `start..end` (either open), in key `order`.
    pub fn range_values<'a>(
        &'a self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> Box<dyn Iterator<Item = Vec<u8>> + 'a> {
        Box::new(
            self.range_keys(start, end, order)
                .map(|key| self.values[key].clone()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;
    use cosmwasm_std::Storage;
    use proptest::prelude::*;

    /// One operation of the model test.
    #[derive(Clone, Debug)]
    enum Op {
        Set(Vec<u8>, Vec<u8>),
        Remove(Vec<u8>),
        Range(Option<Vec<u8>>, Option<Vec<u8>>, bool),
    }

    fn key() -> impl Strategy<Value = Vec<u8>> {
        // Few distinct bytes and short keys, so sets overwrite, removes hit and ranges meet keys.
        proptest::collection::vec(0u8..4, 0..4)
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (key(), proptest::collection::vec(any::<u8>(), 1..4)).prop_map(|(k, v)| Op::Set(k, v)),
            key().prop_map(Op::Remove),
            (
                proptest::option::of(key()),
                proptest::option::of(key()),
                any::<bool>()
            )
                .prop_map(|(s, e, asc)| Op::Range(s, e, asc)),
        ]
    }

    proptest! {
        /// After any sequence of writes, every read and every range (keys, values, records,
        /// both orders, any bounds, empty and reversed ones included) answers as `MockStorage`.
        #[test]
        fn behaves_as_mock_storage(ops in proptest::collection::vec(op(), 0..60)) {
            let mut store = Store::default();
            let mut mock = MockStorage::new();
            for op in ops {
                match op {
                    Op::Set(k, v) => { store.set(&k, &v); mock.set(&k, &v); }
                    Op::Remove(k) => { store.remove(&k); mock.remove(&k); }
                    Op::Range(s, e, asc) => {
                        let order = if asc { Order::Ascending } else { Order::Descending };
                        let (s, e) = (s.as_deref(), e.as_deref());
                        let got: Vec<Record> = store.range(s, e, order).collect();
                        prop_assert_eq!(&got, &mock.range(s, e, order).collect::<Vec<_>>());
                        let values: Vec<Vec<u8>> = store.range_values(s, e, order).collect();
                        prop_assert_eq!(values, got.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>());
                        for (k, v) in &got {
                            prop_assert_eq!(store.get(k), Some(v.clone()));
                        }
                    }
                }
            }
            let all: Vec<Record> = store.range(None, None, Order::Ascending).collect();
            prop_assert_eq!(all, mock.range(None, None, Order::Ascending).collect::<Vec<_>>());
            for k in [vec![], vec![0], vec![1, 2], vec![3, 3, 3]] {
                prop_assert_eq!(store.get(&k), mock.get(&k));
            }
        }
    }

    /// An empty value is refused, as `MockStorage` refuses it.
    #[test]
    #[should_panic(expected = "Value must not be empty")]
    fn empty_values_are_refused() {
        Store::default().set(b"k", b"");
    }
}
