//! The chain's storage, querier and API, lent to one cosmwasm-vm instance for one call.
//!
//! cosmwasm-vm's `Instance<A, S, Q>` owns its backend and wants it `'static`, while cw-multi-test
//! lends a contract `&mut dyn Storage`, `&dyn Api` and a querier for the duration of one call.
//! `Lent` erases those borrows' lifetimes; [`with_backend`] is the only place that creates one,
//! and it drops the instance (and with it every copy of the pointers) before the borrows end.

use cosmwasm_std::{
    Api, Binary, ContractResult, Order, Querier as StdQuerier, Record, Storage as StdStorage,
    SystemResult,
};
use cosmwasm_vm::{Backend, BackendApi, BackendError, BackendResult, GasInfo, Querier, Storage};
use std::collections::{BTreeMap, VecDeque};

use super::gas::{price, sdk, GasMeter};

/// How many records an iterator fetches from the chain's storage at a time.
const ITER_BATCH: usize = 32;

/// A borrow whose lifetime was erased: valid only inside [`with_backend`].
struct Lent<T: ?Sized>(*const T);

impl<T: ?Sized> Clone for Lent<T> {
    fn clone(&self) -> Self {
        Lent(self.0)
    }
}

// SAFETY: a `Lent` never leaves the thread that runs the call: cosmwasm-vm asks for `Send` on
// the API type only so that it can be moved into the instance, which lives and dies inside
// `with_backend` on the caller's thread.
unsafe impl<T: ?Sized> Send for Lent<T> {}

impl<T: ?Sized> Lent<T> {
    fn get(&self) -> &T {
        // SAFETY: `with_backend` creates the pointer from a live borrow and drops every `Lent`
        // before that borrow ends.
        unsafe { &*self.0 }
    }
}

/// The chain's address API.
#[derive(Clone)]
pub struct ChainApi(Lent<dyn Api>);

impl BackendApi for ChainApi {
    fn addr_validate(&self, input: &str) -> BackendResult<()> {
        let gas = GasInfo::with_externally_used(sdk(price::ADDR_VALIDATE));
        let result = self
            .0
            .get()
            .addr_validate(input)
            .map(|_| ())
            .map_err(|e| BackendError::user_err(e.to_string()));
        (result, gas)
    }

    fn addr_canonicalize(&self, human: &str) -> BackendResult<Vec<u8>> {
        let gas = GasInfo::with_externally_used(sdk(price::ADDR_CANONICALIZE));
        let result = self
            .0
            .get()
            .addr_canonicalize(human)
            .map(|c| c.to_vec())
            .map_err(|e| BackendError::user_err(e.to_string()));
        (result, gas)
    }

    fn addr_humanize(&self, canonical: &[u8]) -> BackendResult<String> {
        let gas = GasInfo::with_externally_used(sdk(price::ADDR_HUMANIZE));
        let result = self
            .0
            .get()
            .addr_humanize(&canonical.into())
            .map(|a| a.into_string())
            .map_err(|e| BackendError::user_err(e.to_string()));
        (result, gas)
    }
}

/// An open iterator: its range, where it stopped, and records fetched but not yet handed out.
struct Cursor {
    start: Option<Vec<u8>>,
    end: Option<Vec<u8>>,
    order: Order,
    buffer: VecDeque<Record>,
    done: bool,
}

/// The contract's storage in the chain (already prefixed by cw-multi-test).
pub struct ChainStorage {
    storage: *mut dyn StdStorage,
    iterators: BTreeMap<u32, Cursor>,
}

impl ChainStorage {
    fn inner(&self) -> &dyn StdStorage {
        // SAFETY: as for `Lent`: created in `with_backend` from a live `&mut`, dropped before it ends.
        unsafe { &*self.storage }
    }

    fn inner_mut(&mut self) -> &mut dyn StdStorage {
        // SAFETY: as above; `&mut self` makes this the only access.
        unsafe { &mut *self.storage }
    }

    /// Fetch the next batch of `cursor`'s range (records after the last one handed out).
    fn refill(storage: &dyn StdStorage, cursor: &mut Cursor) {
        let batch: Vec<Record> = storage
            .range(cursor.start.as_deref(), cursor.end.as_deref(), cursor.order)
            .take(ITER_BATCH)
            .collect();
        cursor.done = batch.len() < ITER_BATCH;
        if let Some((last, _)) = batch.last() {
            match cursor.order {
                // Continue just after the last key: the smallest key greater than it.
                Order::Ascending => {
                    let mut next = last.clone();
                    next.push(0);
                    cursor.start = Some(next);
                }
                Order::Descending => cursor.end = Some(last.clone()),
            }
        }
        cursor.buffer.extend(batch);
    }
}

impl Storage for ChainStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        let value = self.inner().get(key);
        let bytes = key.len() + value.as_ref().map_or(0, Vec::len);
        let gas = sdk(price::READ_FLAT + price::READ_PER_BYTE * bytes as u64);
        (Ok(value), GasInfo::with_externally_used(gas))
    }

    fn scan(
        &mut self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> BackendResult<u32> {
        let id = self.iterators.len() as u32 + 1;
        self.iterators.insert(
            id,
            Cursor {
                start: start.map(<[u8]>::to_vec),
                end: end.map(<[u8]>::to_vec),
                order,
                buffer: VecDeque::new(),
                done: false,
            },
        );
        (Ok(id), GasInfo::with_externally_used(sdk(price::ITER_NEXT)))
    }

    fn next(&mut self, iterator_id: u32) -> BackendResult<Option<Record>> {
        let storage = self.storage;
        let Some(cursor) = self.iterators.get_mut(&iterator_id) else {
            let err = BackendError::iterator_does_not_exist(iterator_id);
            return (Err(err), GasInfo::free());
        };
        if cursor.buffer.is_empty() && !cursor.done {
            // SAFETY: as for `inner`; the cursor is a separate field.
            Self::refill(unsafe { &*storage }, cursor);
        }
        let record = cursor.buffer.pop_front();
        let bytes = record.as_ref().map_or(0, |(k, v)| k.len() + v.len());
        let gas = sdk(price::ITER_NEXT + price::READ_PER_BYTE * bytes as u64);
        (Ok(record), GasInfo::with_externally_used(gas))
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        self.inner_mut().set(key, value);
        let bytes = (key.len() + value.len()) as u64;
        let gas = sdk(price::WRITE_FLAT + price::WRITE_PER_BYTE * bytes);
        (Ok(()), GasInfo::with_externally_used(gas))
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        self.inner_mut().remove(key);
        (Ok(()), GasInfo::with_externally_used(sdk(price::DELETE)))
    }
}

/// The chain's querier: requests go as JSON to the chain's router (bank, staking, wasm and the
/// chain's custom modules), exactly as a native contract's do.
pub struct ChainQuerier {
    querier: Lent<dyn StdQuerier>,
    gas: GasMeter,
}

impl Querier for ChainQuerier {
    fn query_raw(
        &self,
        request: &[u8],
        gas_limit: u64,
    ) -> BackendResult<SystemResult<ContractResult<Binary>>> {
        self.gas.enter_query(gas_limit);
        let result = self.querier.get().raw_query(request);
        let nested = self.gas.leave_query();
        let gas = nested.saturating_add(sdk(price::QUERY));
        (Ok(result), GasInfo::with_externally_used(gas))
    }
}

/// The backend type of every wasm instance here.
pub type ChainBackend = Backend<ChainApi, ChainStorage, ChainQuerier>;

/// Run `f` with a backend lent from one contract call's storage, API and querier.
///
/// `f` must not let the backend (or an instance holding it) escape: it receives it by value and
/// returns only `R: 'static`, so everything built from the backend is dropped when `f` returns,
/// before the borrows end.
pub fn with_backend<'a, R: 'static>(
    storage: &'a mut dyn StdStorage,
    api: &'a dyn Api,
    querier: &'a dyn StdQuerier,
    gas: &GasMeter,
    f: impl FnOnce(ChainBackend) -> R,
) -> R {
    // SAFETY: the transmutes only widen the trait objects' lifetime bounds to 'static; the
    // pointers are dropped (with the backend, inside `f`) before 'a ends, as `R: 'static`
    // cannot hold them.
    let storage: &'static mut dyn StdStorage = unsafe {
        std::mem::transmute::<&'a mut dyn StdStorage, &'static mut dyn StdStorage>(storage)
    };
    let api: &'static dyn Api =
        unsafe { std::mem::transmute::<&'a dyn Api, &'static dyn Api>(api) };
    let querier: &'static dyn StdQuerier =
        unsafe { std::mem::transmute::<&'a dyn StdQuerier, &'static dyn StdQuerier>(querier) };
    let storage = storage as *mut dyn StdStorage;
    let api = api as *const dyn Api;
    let querier = querier as *const dyn StdQuerier;
    let backend = Backend {
        api: ChainApi(Lent(api)),
        storage: ChainStorage {
            storage,
            iterators: BTreeMap::new(),
        },
        querier: ChainQuerier {
            querier: Lent(querier),
            gas: gas.clone(),
        },
    };
    f(backend)
}
