//! The report's readers of the answers whose shape differs between implementations (the same
//! query, the same facts): each accepts both shapes, so one report and the same `expect` paths
//! serve every implementation.

use mesh_apis::external_staking::StakesResponse;
use serde_json::Value;

/// External staking's `stakes` page in our shape: ours lists `{owner, validator, stake,
/// pending_unbonds}`; the reference nests `{owner, validator, stake: {stake, pending_unbonds,
/// points_alignment, withdrawn_funds}}`, which is lifted to ours.
pub fn stakes(page: Value) -> Option<StakesResponse> {
    let mut page = page;
    for item in page.get_mut("stakes")?.as_array_mut()? {
        let item = item.as_object_mut()?;
        let nested = item.get("stake").and_then(|s| s.get("stake")).is_some();
        if nested {
            let inner = item.remove("stake")?;
            item.insert("stake".into(), inner.get("stake")?.clone());
            item.insert(
                "pending_unbonds".into(),
                inner.get("pending_unbonds")?.clone(),
            );
        }
    }
    serde_json::from_value(page).ok()
}

/// How many transactions an `all_pending_txs_desc` answer lists (the two implementations
/// describe a transaction differently; only the count is read).
pub fn pending_txs(page: &Value) -> Option<usize> {
    Some(page.get("txs")?.as_array()?.len())
}

/// External staking's `list_validators` page as `(validator, state)`: ours writes the state as
/// `"active"`, the reference as `{"active": {}}`.
pub fn validator_states(page: &Value) -> Option<Vec<(String, String)>> {
    page.get("validators")?
        .as_array()?
        .iter()
        .map(|item| {
            let validator = item.get("validator")?.as_str()?.to_string();
            let state = match item.get("state")? {
                Value::String(s) => s.clone(),
                Value::Object(o) if o.len() == 1 => o.keys().next()?.clone(),
                _ => return None,
            };
            Some((validator, state))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_shapes_of_stakes_read_the_same() {
        let ours = json!({"stakes": [{"owner": "u", "validator": "v", "stake": {"l": "5", "h": "7"},
            "pending_unbonds": [{"amount": "5", "release_at": "0"}]}]});
        let reference = json!({"stakes": [{"owner": "u", "validator": "v", "stake": {
            "stake": {"l": "5", "h": "7"}, "pending_unbonds": [{"amount": "5", "release_at": "0"}],
            "points_alignment": {"amount": "0"}, "withdrawn_funds": "0"}}]});
        let read = stakes(ours.clone()).unwrap();
        assert_eq!(read.stakes[0].stake.high.u128(), 7);
        assert_eq!(read.stakes[0].pending_unbonds[0].amount.u128(), 5);
        assert_eq!(stakes(reference), Some(read));
    }

    #[test]
    fn both_shapes_of_validator_states_read_the_same() {
        let ours = json!({"validators": [{"validator": "v", "state": "jailed"}]});
        let reference = json!({"validators": [{"validator": "v", "state": {"jailed": {}}}]});
        let expected = Some(vec![("v".to_string(), "jailed".to_string())]);
        assert_eq!(validator_states(&ours), expected);
        assert_eq!(validator_states(&reference), expected);
    }
}
