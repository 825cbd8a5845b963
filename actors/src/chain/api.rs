//! The chain's address codec: cw-multi-test's bech32 `MockApiBech32`, with what it answered
//! remembered.
//!
//! Every smart query cw-multi-test routes validates the contract's address, and contracts
//! validate the addresses in their messages: a bech32 decode and re-encode (about 13,000
//! instructions) each time, for the same few hundred addresses. [`CachedApi`] answers a string
//! it has already validated, canonicalized or humanized from memory, with exactly what the
//! codec answered the first time (a pure function of its input); errors are not remembered, so
//! an invalid address costs what it always did and says the same. The harness derives its
//! users' addresses from their names the same way ([`CachedApi::addr_make`]).

use rustc_hash::FxHashMap;
use std::cell::RefCell;

use cosmwasm_std::{Addr, Api, CanonicalAddr, RecoverPubkeyError, StdResult, VerificationError};
use cw_multi_test::MockApiBech32;

/// `MockApiBech32` with its successful answers remembered (see the module docs).
pub struct CachedApi {
    codec: MockApiBech32,
    validated: RefCell<FxHashMap<String, Addr>>,
    canonical: RefCell<FxHashMap<String, CanonicalAddr>>,
    human: RefCell<FxHashMap<Vec<u8>, Addr>>,
    made: RefCell<FxHashMap<String, Addr>>,
}

impl CachedApi {
    /// The codec of addresses with `prefix` (`osmo`, `juno`, ...).
    pub fn new(prefix: &'static str) -> Self {
        CachedApi {
            codec: MockApiBech32::new(prefix),
            validated: RefCell::default(),
            canonical: RefCell::default(),
            human: RefCell::default(),
            made: RefCell::default(),
        }
    }

    /// The address cw-multi-test derives for `name` (SHA-256 of the name, bech32-encoded).
    pub fn addr_make(&self, name: &str) -> Addr {
        if let Some(addr) = self.made.borrow().get(name) {
            return addr.clone();
        }
        let addr = self.codec.addr_make(name);
        self.made
            .borrow_mut()
            .insert(name.to_string(), addr.clone());
        addr
    }
}

/// `map[key]`, or `compute()` remembered under `key` when it succeeds.
fn remembered<K: std::hash::Hash + Eq, V: Clone>(
    map: &RefCell<FxHashMap<K, V>>,
    key: impl FnOnce() -> K,
    lookup: impl FnOnce(&FxHashMap<K, V>) -> Option<V>,
    compute: impl FnOnce() -> StdResult<V>,
) -> StdResult<V> {
    if let Some(v) = lookup(&map.borrow()) {
        return Ok(v);
    }
    let v = compute()?;
    map.borrow_mut().insert(key(), v.clone());
    Ok(v)
}

impl Api for CachedApi {
    fn addr_validate(&self, human: &str) -> StdResult<Addr> {
        remembered(
            &self.validated,
            || human.to_string(),
            |m| m.get(human).cloned(),
            || self.codec.addr_validate(human),
        )
    }

    fn addr_canonicalize(&self, human: &str) -> StdResult<CanonicalAddr> {
        remembered(
            &self.canonical,
            || human.to_string(),
            |m| m.get(human).cloned(),
            || self.codec.addr_canonicalize(human),
        )
    }

    fn addr_humanize(&self, canonical: &CanonicalAddr) -> StdResult<Addr> {
        remembered(
            &self.human,
            || canonical.as_slice().to_vec(),
            |m| m.get(canonical.as_slice()).cloned(),
            || self.codec.addr_humanize(canonical),
        )
    }

    fn secp256k1_verify(
        &self,
        message_hash: &[u8],
        signature: &[u8],
        public_key: &[u8],
    ) -> Result<bool, VerificationError> {
        self.codec
            .secp256k1_verify(message_hash, signature, public_key)
    }

    fn secp256k1_recover_pubkey(
        &self,
        message_hash: &[u8],
        signature: &[u8],
        recovery_param: u8,
    ) -> Result<Vec<u8>, RecoverPubkeyError> {
        self.codec
            .secp256k1_recover_pubkey(message_hash, signature, recovery_param)
    }

    fn secp256r1_verify(
        &self,
        message_hash: &[u8],
        signature: &[u8],
        public_key: &[u8],
    ) -> Result<bool, VerificationError> {
        self.codec
            .secp256r1_verify(message_hash, signature, public_key)
    }

    fn secp256r1_recover_pubkey(
        &self,
        message_hash: &[u8],
        signature: &[u8],
        recovery_param: u8,
    ) -> Result<Vec<u8>, RecoverPubkeyError> {
        self.codec
            .secp256r1_recover_pubkey(message_hash, signature, recovery_param)
    }

    fn ed25519_verify(
        &self,
        message: &[u8],
        signature: &[u8],
        public_key: &[u8],
    ) -> Result<bool, VerificationError> {
        self.codec.ed25519_verify(message, signature, public_key)
    }

    fn ed25519_batch_verify(
        &self,
        messages: &[&[u8]],
        signatures: &[&[u8]],
        public_keys: &[&[u8]],
    ) -> Result<bool, VerificationError> {
        self.codec
            .ed25519_batch_verify(messages, signatures, public_keys)
    }

    fn bls12_381_aggregate_g1(&self, g1s: &[u8]) -> Result<[u8; 48], VerificationError> {
        self.codec.bls12_381_aggregate_g1(g1s)
    }

    fn bls12_381_aggregate_g2(&self, g2s: &[u8]) -> Result<[u8; 96], VerificationError> {
        self.codec.bls12_381_aggregate_g2(g2s)
    }

    fn bls12_381_pairing_equality(
        &self,
        ps: &[u8],
        qs: &[u8],
        r: &[u8],
        s: &[u8],
    ) -> Result<bool, VerificationError> {
        self.codec.bls12_381_pairing_equality(ps, qs, r, s)
    }

    fn bls12_381_hash_to_g1(
        &self,
        hash_function: cosmwasm_std::HashFunction,
        msg: &[u8],
        dst: &[u8],
    ) -> Result<[u8; 48], VerificationError> {
        self.codec.bls12_381_hash_to_g1(hash_function, msg, dst)
    }

    fn bls12_381_hash_to_g2(
        &self,
        hash_function: cosmwasm_std::HashFunction,
        msg: &[u8],
        dst: &[u8],
    ) -> Result<[u8; 96], VerificationError> {
        self.codec.bls12_381_hash_to_g2(hash_function, msg, dst)
    }

    fn debug(&self, message: &str) {
        self.codec.debug(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers from memory are the codec's answers; errors stay errors, every time.
    #[test]
    fn remembers_answers_not_errors() {
        let api = CachedApi::new("osmo");
        let codec = MockApiBech32::new("osmo");
        let alice = codec.addr_make("alice");
        for _ in 0..2 {
            assert_eq!(api.addr_validate(alice.as_str()).unwrap(), alice);
            let canonical = api.addr_canonicalize(alice.as_str()).unwrap();
            assert_eq!(canonical, codec.addr_canonicalize(alice.as_str()).unwrap());
            assert_eq!(api.addr_humanize(&canonical).unwrap(), alice);
        }
        let upper = alice.as_str().to_uppercase();
        for _ in 0..2 {
            assert_eq!(
                api.addr_validate(&upper).map_err(|e| e.to_string()),
                codec.addr_validate(&upper).map_err(|e| e.to_string())
            );
            assert!(api.addr_validate("juno1xyz").is_err());
        }
        assert!(api.validated.borrow().len() <= 2);
        assert_eq!(api.addr_make("alice"), alice);
        assert_eq!(api.addr_make("alice"), alice);
    }
}
