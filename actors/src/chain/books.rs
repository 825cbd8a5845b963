//! Virtual staking's books on a consumer chain: what the provider asked for per validator and
//! what the chain has delegated for it. Read right after every epoch, so a check of the epoch's
//! conversion sees the epoch's own inputs and outputs, not packets or slashes later in the block.

use std::collections::BTreeMap;

use cosmwasm_std::{Addr, Uint128};
use mesh_apis::virtual_staking::{QueryMsg, RequestsResponse};

use super::Chain;

/// Largest page of virtual staking's `requests` query.
const PAGE: u32 = 30;

/// Requests (provider units) and virtual delegations (consumer units) per validator.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EpochBooks {
    /// The height of the epoch's block.
    pub height: u64,
    /// Virtual staking's request per validator, in provider units.
    pub requests: BTreeMap<String, Uint128>,
    /// The chain's delegation of virtual staking per validator (non-zero only).
    pub delegated: BTreeMap<String, Uint128>,
}

/// Read the books of the virtual staking contract `vs` on `chain` now.
pub fn read_books(chain: &Chain, vs: &Addr, height: u64) -> Result<EpochBooks, String> {
    let delegated = chain
        .app_ref()
        .read_module(|router, _, storage| router.staking.delegations_of(storage, vs))
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|(_, a)| !a.is_zero())
        .collect();
    Ok(EpochBooks {
        height,
        requests: read_requests(chain, vs)?,
        delegated,
    })
}

/// Every request of the virtual staking contract `vs` on `chain` (provider units, non-zero
/// only), read page by page.
pub fn read_requests(chain: &Chain, vs: &Addr) -> Result<BTreeMap<String, Uint128>, String> {
    let mut requests = BTreeMap::new();
    let mut start_after = None;
    loop {
        let page: RequestsResponse = chain.query_json(
            vs,
            &QueryMsg::Requests {
                start_after: start_after.clone(),
                limit: Some(PAGE),
            },
        )?;
        let Some(last) = page.requests.last() else {
            break;
        };
        start_after = Some(last.validator.clone());
        for r in page.requests {
            if !r.provider_amount.is_zero() {
                requests.insert(r.validator, r.provider_amount);
            }
        }
    }
    Ok(requests)
}
