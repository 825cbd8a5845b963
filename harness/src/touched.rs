//! Which users a chain's storage changes touched (see `mesh_actors::chain::storage`): the
//! incremental invariants and the slash oracle re-read only them.
//!
//! A change touches a user when the user's address, or the address of a contract that holds
//! their tokens (their native staking proxy), appears in the changed key or in its value before
//! or after: contracts and modules key per-user state by address (the vault's users and liens,
//! external staking's stakes, the staking module's delegations), and records such as unbonding
//! entries name their owner. A change to a validator's record touches everyone delegating to it
//! (its exchange rate moves their delegations' worth); the caller keeps that index.

use mesh_actors::chain::Change;
use std::collections::{BTreeSet, HashMap};

/// Known addresses (bech32, one prefix) and the user each belongs to.
#[derive(Clone, Debug)]
pub struct AddressIndex {
    /// Finds `<hrp>1`, where an address starts.
    start: memchr::memmem::Finder<'static>,
    owner: HashMap<Vec<u8>, usize>,
    /// The lengths of the known addresses.
    lengths: BTreeSet<usize>,
}

impl AddressIndex {
    /// An empty index of addresses with the bech32 prefix `hrp`.
    pub fn new(hrp: &str) -> Self {
        AddressIndex {
            start: memchr::memmem::Finder::new(format!("{hrp}1").as_bytes()).into_owned(),
            owner: HashMap::new(),
            lengths: BTreeSet::new(),
        }
    }

    /// `addr` belongs to user `user` from now on.
    pub fn insert(&mut self, addr: &str, user: usize) {
        self.lengths.insert(addr.len());
        self.owner.insert(addr.as_bytes().to_vec(), user);
    }

    /// Add to `out` every user whose address appears in `bytes`.
    pub fn users_in(&self, bytes: &[u8], out: &mut BTreeSet<usize>) {
        // Every start, overlapping ones too (a prefix may contain `1`).
        let mut from = 0;
        while let Some(offset) = bytes.get(from..).and_then(|rest| self.start.find(rest)) {
            let i = from + offset;
            for len in &self.lengths {
                if let Some(user) = bytes.get(i..i + len).and_then(|a| self.owner.get(a)) {
                    out.insert(*user);
                }
            }
            from = i + 1;
        }
    }

    /// Add to `out` every user a change names (in its key, its old or its new value).
    pub fn users_of(&self, change: &Change, out: &mut BTreeSet<usize>) {
        self.users_in(&change.key, out);
        for value in [&change.old, &change.new].into_iter().flatten() {
            self.users_in(value, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Addresses are found anywhere in keys and values, next to other addresses and bytes;
    /// an unknown address or a prefix of a known one names nobody.
    #[test]
    fn finds_known_addresses_anywhere() {
        let mut index = AddressIndex::new("osmo");
        let alice = "osmo1alice7qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";
        let bob = "osmo1bob7qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";
        index.insert(alice, 0);
        index.insert(bob, 1);
        let mut found = BTreeSet::new();
        let key = [b"\x00\x05liens\x00\x2d", alice.as_bytes(), bob.as_bytes()].concat();
        index.users_in(&key, &mut found);
        assert_eq!(found, BTreeSet::from([0, 1]));
        let mut found = BTreeSet::new();
        let change = Change {
            key: b"unbonding".to_vec(),
            old: None,
            new: Some(format!("{{\"delegator\":\"{bob}\"}}").into_bytes()),
        };
        index.users_of(&change, &mut found);
        assert_eq!(found, BTreeSet::from([1]));
        let mut found = BTreeSet::new();
        index.users_in(&alice.as_bytes()[..20], &mut found);
        index.users_in(b"osmo1carol7qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", &mut found);
        assert!(found.is_empty());
    }
}
