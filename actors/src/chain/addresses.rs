//! Contract addresses: cw-multi-test's, derived from the code id and the number of contracts
//! instantiated before, with that number kept in a counter instead of counted.
//!
//! cw-multi-test counts the contracts by ranging over its whole contract registry on every
//! instantiation, so a chain with a native staking proxy per user paid O(users) per new user.
//! [`CountingAddresses`] keeps the count in the chain's storage (it is reverted with a failed
//! transaction, as a registration is) and derives the very same addresses;
//! [`super::storage::TrackedStorage`] answers a range over the registry, whose only reader is that
//! count, with nothing.

use cosmwasm_std::{Addr, Api, CanonicalAddr, StdResult, Storage};
use cw_multi_test::{AddressGenerator, SimpleAddressGenerator};

/// Where the number of contracts instantiated so far is kept (big-endian u64).
const INSTANCES: &[u8] = b"mesh_contract_instances";

/// The prefix of cw-multi-test's contract registry in the App's storage (`wasm` namespace, map
/// `contracts`).
pub(crate) const REGISTRY: &[u8] = b"\x00\x04wasm\x00\x09contracts";

/// cw-multi-test's address generator with the contract count kept, not counted.
pub struct CountingAddresses;

/// The number of contracts instantiated so far; counts this one.
fn next_instance(storage: &mut dyn Storage) -> u64 {
    let n = storage
        .get(INSTANCES)
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .map_or(0, u64::from_be_bytes);
    storage.set(INSTANCES, &(n + 1).to_be_bytes());
    n
}

impl AddressGenerator for CountingAddresses {
    fn contract_address(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        code_id: u64,
        _counted: u64,
    ) -> StdResult<Addr> {
        let instance = next_instance(storage);
        SimpleAddressGenerator.contract_address(api, storage, code_id, instance)
    }

    fn predictable_contract_address(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        code_id: u64,
        _counted: u64,
        checksum: &[u8],
        creator: &CanonicalAddr,
        salt: &[u8],
    ) -> StdResult<Addr> {
        let instance = next_instance(storage);
        SimpleAddressGenerator
            .predictable_contract_address(api, storage, code_id, instance, checksum, creator, salt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::app::{build_app, ChainConfig};
    use cosmwasm_std::{Binary, Deps, DepsMut, Empty, Env, MessageInfo, Order, Response, StdError};
    use cw_multi_test::{BasicAppBuilder, ContractWrapper, Executor, MockApiBech32};
    use mesh_apis::virtual_stake::{VirtualStakeCustomMsg, VirtualStakeCustomQuery};

    type Res = StdResult<Response<VirtualStakeCustomMsg>>;

    fn instantiate(_: DepsMut<VirtualStakeCustomQuery>, _: Env, _: MessageInfo, msg: bool) -> Res {
        if msg {
            Ok(Response::new())
        } else {
            Err(StdError::msg("refused"))
        }
    }

    fn execute(_: DepsMut<VirtualStakeCustomQuery>, _: Env, _: MessageInfo, _: Empty) -> Res {
        Ok(Response::new())
    }

    fn query(_: Deps<VirtualStakeCustomQuery>, _: Env, _: Empty) -> StdResult<Binary> {
        Ok(Binary::default())
    }

    /// Same addresses as cw-multi-test's own generator, across codes and a refused
    /// instantiation, while a range over the registry yields nothing.
    #[test]
    fn addresses_are_cw_multi_tests() {
        let mut ours = build_app(&ChainConfig::new("osmo", "uosmo", "osmo"));
        let mut stock =
            BasicAppBuilder::<VirtualStakeCustomMsg, VirtualStakeCustomQuery>::new_custom()
                .with_api(MockApiBech32::new("osmo"))
                .build(|_, _, _| {});
        let code = || Box::new(ContractWrapper::new(execute, instantiate, query));
        let owner = ours.api().addr_make("owner");
        let (a1, a2) = (ours.store_code(code()), ours.store_code(code()));
        let (b1, b2) = (stock.store_code(code()), stock.store_code(code()));
        assert_eq!((a1, a2), (b1, b2));
        for (code_id, ok) in [(a1, true), (a2, true), (a1, false), (a2, true), (a1, true)] {
            let mine = ours.instantiate_contract(code_id, owner.clone(), &ok, &[], "c", None);
            let theirs = stock.instantiate_contract(code_id, owner.clone(), &ok, &[], "c", None);
            assert_eq!(mine.is_ok(), ok);
            assert_eq!(mine.ok(), theirs.ok());
        }
        let mut past = REGISTRY.to_vec();
        *past.last_mut().unwrap() += 1;
        assert_eq!(
            ours.storage()
                .range(Some(REGISTRY), Some(&past), Order::Ascending)
                .count(),
            0
        );
        let listed = ours
            .storage()
            .range(None, None, Order::Ascending)
            .filter(|(k, _)| k.starts_with(REGISTRY))
            .count();
        assert_eq!(listed, 4);
    }
}
