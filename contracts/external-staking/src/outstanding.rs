//! The `outstanding` query: what waits for packets in flight besides the burn ledger (debts,
//! slash credits, burn debts, slashes waiting for the validator history). Every list is empty
//! once nothing is in flight; the harness's `settled` check relies on that.

use cosmwasm_std::{Order, StdResult, Storage};
use cw_storage_plus::{KeyDeserialize, Map, PrimaryKey};
use mesh_apis::external_staking::{
    OutstandingResponse, UserAmount, ValidatorAmount, ValidatorDebt, WaitingSlash,
};
use serde::{de::DeserializeOwned, Serialize};

use crate::state::{Debt, BURN_DEBT, PENDING_SLASHES, SLASH_CREDIT, SLASH_DEBT, UNSTAKE_DEBT};

/// The first `limit` entries of each list.
pub fn outstanding(storage: &dyn Storage, limit: usize) -> StdResult<OutstandingResponse> {
    let debt = |validator: String, d: Debt| ValidatorDebt {
        validator,
        amount: d.amount,
        txs: d.txs,
    };
    let mut waiting_slashes = vec![];
    for item in PENDING_SLASHES.range(storage, None, None, Order::Ascending) {
        let (validator, pending) = item?;
        waiting_slashes.extend(pending.into_iter().map(|p| WaitingSlash {
            validator: validator.clone(),
            infraction_height: p.info.infraction_height,
            amount: p.info.slash_amount,
        }));
        if waiting_slashes.len() >= limit {
            waiting_slashes.truncate(limit);
            break;
        }
    }
    Ok(OutstandingResponse {
        slash_debts: first(storage, &SLASH_DEBT, limit, debt)?,
        unstake_debts: first(storage, &UNSTAKE_DEBT, limit, debt)?,
        slash_credits: first(storage, &SLASH_CREDIT, limit, |validator, amount| {
            ValidatorAmount { validator, amount }
        })?,
        burn_debts: first(storage, &BURN_DEBT, limit, |user, amount| UserAmount {
            user: user.to_string(),
            amount,
        })?,
        waiting_slashes,
    })
}

/// The first `limit` entries of `map` in key order, each made into a `T`.
fn first<'a, K, V, T>(
    storage: &dyn Storage,
    map: &Map<K, V>,
    limit: usize,
    entry: impl Fn(K::Output, V) -> T,
) -> StdResult<Vec<T>>
where
    K: PrimaryKey<'a> + KeyDeserialize,
    K::Output: 'static,
    V: Serialize + DeserializeOwned,
{
    map.range(storage, None, None, Order::Ascending)
        .take(limit)
        .map(|item| item.map(|(k, v)| entry(k, v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::PendingSlash;
    use cosmwasm_std::testing::MockStorage;
    use cosmwasm_std::{Addr, Decimal, Uint128};
    use mesh_apis::ibc::ValidatorSlashInfo;

    fn u(n: u128) -> Uint128 {
        Uint128::new(n)
    }

    fn slash(validator: &str, infraction_height: u64, amount: u128) -> PendingSlash {
        PendingSlash {
            info: ValidatorSlashInfo {
                validator: validator.to_string(),
                infraction_height,
                infraction_time: 0,
                power: u(1),
                slash_amount: u(amount),
                slash_ratio: Decimal::percent(10),
                tombstoned: false,
                provider_amount: None,
            },
            height: infraction_height + 1,
        }
    }

    /// A contract with nothing recorded answers five empty lists.
    #[test]
    fn nothing_recorded_is_empty() {
        assert!(outstanding(&MockStorage::new(), 10).unwrap().is_empty());
    }

    /// Every kind of record shows in its own list, in key order, at most `limit` per list
    /// (the waiting slashes counted one by one, not by validator).
    #[test]
    fn each_list_shows_its_records_up_to_the_limit() {
        let mut s = MockStorage::new();
        for (v, n) in [("b", 20u128), ("a", 10), ("c", 30)] {
            let debt = Debt {
                amount: u(n),
                txs: vec![n as u64],
            };
            SLASH_DEBT.save(&mut s, v, &debt).unwrap();
        }
        UNSTAKE_DEBT
            .save(
                &mut s,
                "v",
                &Debt {
                    amount: u(7),
                    txs: vec![3, 4],
                },
            )
            .unwrap();
        SLASH_CREDIT.save(&mut s, "v", &u(5)).unwrap();
        BURN_DEBT
            .save(&mut s, &Addr::unchecked("alice"), &u(9))
            .unwrap();
        PENDING_SLASHES
            .save(&mut s, "v", &vec![slash("v", 40, 11), slash("v", 50, 12)])
            .unwrap();

        let all = outstanding(&s, 10).unwrap();
        let order: Vec<_> = all
            .slash_debts
            .iter()
            .map(|d| d.validator.as_str())
            .collect();
        assert_eq!(order, ["a", "b", "c"]);
        assert_eq!(all.slash_debts[0].txs, vec![10]);
        assert_eq!(
            all.unstake_debts,
            vec![ValidatorDebt {
                validator: "v".into(),
                amount: u(7),
                txs: vec![3, 4]
            }]
        );
        assert_eq!(all.slash_credits[0].amount, u(5));
        assert_eq!(all.burn_debts[0].user, "alice");
        let heights: Vec<_> = all
            .waiting_slashes
            .iter()
            .map(|w| (w.infraction_height, w.amount))
            .collect();
        assert_eq!(heights, [(40, u(11)), (50, u(12))]);

        let one = outstanding(&s, 1).unwrap();
        assert_eq!(one.slash_debts.len(), 1);
        assert_eq!(one.slash_debts[0].validator, "a");
        assert_eq!(one.waiting_slashes.len(), 1);
        assert!(!one.is_empty());
    }
}
