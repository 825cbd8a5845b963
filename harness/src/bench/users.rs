//! The users benchmark (`users_scale`): one consumer and N users through the scenario runner,
//! every invariant checked after every step, as `mesh-harness run` users pay it.
//!
//! Every user bonds, stakes locally and remotely; settle; an epoch; every user unstakes both;
//! settle; the 21-day unbonding period passes; every user withdraws the remote unbonding,
//! releases the local one and unbonds everything; an `expect` checks the first and the last
//! user got every token back. That is 8 steps per user plus 5, so the cost per user stays flat
//! only if a step's cost does not grow with the number of users.

use serde::Serialize;
use serde_json::{json, Value};
use std::time::Instant;

use super::lifecycle::ms_since;
use crate::runner::{self, RunOptions};
use crate::scenario::{self, Scenario};

/// Each user's genesis balance.
pub const BALANCE: u128 = 10_000_000;
/// Bonded by each user.
pub const BOND: u128 = 3_000_000;
/// Staked locally on `val1` by each user.
pub const LOCAL: u128 = 1_000_000;
/// Staked remotely on `juno-val1` by each user.
pub const REMOTE: u128 = 800_000;

/// One `users_scale` row.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct UsersCase {
    /// Users.
    pub users: usize,
    /// Wall time of the run (set-up included), ms.
    pub ms: f64,
    /// `ms` per user, µs.
    pub us_per_user: f64,
}

/// The name of user `i`.
pub fn user(i: usize) -> String {
    format!("user{i:05}")
}

/// The scenario with `users` users.
pub fn scenario(users: usize) -> Scenario {
    let names: Vec<String> = (0..users).map(user).collect();
    let each = |f: &dyn Fn(&str) -> Vec<Value>| -> Vec<Value> {
        names.iter().flat_map(|n| f(n)).collect::<Vec<_>>()
    };
    let mut steps = each(&|u| {
        vec![
            json!({ "bond": { "user": u, "amount": BOND.to_string() } }),
            json!({ "stake_local": { "user": u, "validator": "val1", "amount": LOCAL.to_string() } }),
            json!({ "stake_remote": { "user": u, "consumer": "juno", "validator": "juno-val1", "amount": REMOTE.to_string() } }),
        ]
    });
    steps.push(json!({ "settle": {} }));
    steps.push(json!({ "epoch": { "consumer": "juno" } }));
    steps.extend(each(&|u| {
        vec![
            json!({ "unstake_remote": { "user": u, "consumer": "juno", "validator": "juno-val1", "amount": REMOTE.to_string() } }),
            json!({ "unstake_local": { "user": u, "validator": "val1", "amount": LOCAL.to_string() } }),
        ]
    }));
    steps.push(json!({ "settle": {} }));
    steps.push(json!({ "wait": "21d" }));
    steps.extend(each(&|u| {
        vec![
            json!({ "withdraw_unbonded_remote": { "user": u, "consumer": "juno" } }),
            json!({ "release_local": { "user": u } }),
            json!({ "unbond": { "user": u, "amount": BOND.to_string() } }),
        ]
    }));
    let mut expect = serde_json::Map::new();
    for u in [names.first(), names.last()].into_iter().flatten() {
        expect.insert(
            format!("provider.balances.{u}.uosmo"),
            Value::String(BALANCE.to_string()),
        );
    }
    steps.push(json!({ "expect": expect }));
    let accounts: serde_json::Map<String, Value> = names
        .iter()
        .map(|n| (n.clone(), Value::String(BALANCE.to_string())))
        .collect();
    let file = json!({
        "name": format!("bench: {users} users, one consumer"),
        "seed": 42,
        "provider": { "validators": [{ "name": "val1" }, { "name": "val2" }] },
        "consumers": [{ "chain_id": "juno" }],
        "accounts": accounts,
        "steps": steps,
    });
    scenario::parse_str(&file.to_string(), "bench users").expect("the users scenario is valid")
}

/// Run the scenario of `users` users once through the runner; the wall time in ms.
pub fn run_case(users: usize) -> Result<UsersCase, String> {
    let scenario = scenario(users);
    let start = Instant::now();
    let outcome = runner::run(&scenario, &RunOptions::default());
    let ms = ms_since(start);
    if let Some(f) = outcome.failure {
        return Err(format!("the {users}-user scenario failed: {f}"));
    }
    Ok(UsersCase {
        users,
        ms,
        us_per_user: ms * 1000.0 / users as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Eight steps per user plus settle, epoch, settle, wait and the final expect; and a small
    /// case passes (every token back, every invariant held).
    #[test]
    fn steps_per_user_and_a_small_case_passes() {
        assert_eq!(scenario(3).steps.len(), 3 * 8 + 5);
        let case = run_case(3).unwrap();
        assert_eq!(case.users, 3);
    }
}
