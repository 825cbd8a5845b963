//! The reference contracts (osmosis-labs/mesh-security, as the mesh-security-sdk e2e suite
//! deploys them): the messages where they differ from ours.

use cosmwasm_std::{BlockInfo, Coin};
use mesh_apis::ibc::AddValidator;
use mesh_apis::virtual_staking::SudoMsg as VirtualStakingSudo;
use serde_json::{json, Value};

use super::ConverterInit;
use crate::contracts::Role;

/// The release file names (mesh-security-sdk `tests/testdata`): the crates' names with
/// underscores, the price feed being `mesh_simple_price_feed`.
pub fn wasm_stem(role: Role) -> String {
    match role {
        Role::PriceFeed => "mesh_simple_price_feed".to_string(),
        other => other.crate_name().replace('-', "_"),
    }
}

/// The converter's instantiate message, with tombstoned validators' delegations unbonded (the
/// e2e suite's `"tombstoned_unbond_enable": true`).
pub fn converter_instantiate(init: &ConverterInit) -> Value {
    json!({
        "price_feed": init.price_feed,
        "discount": init.discount,
        "remote_denom": init.remote_denom,
        "virtual_staking_code_id": init.virtual_staking_code_id,
        "tombstoned_unbond_enable": true,
        "admin": null,
        "max_retrieve": init.max_retrieve,
    })
}

/// `bond {amount}` without funds: the vault has the provider module move them.
pub fn bond(amount: Coin) -> (Value, Vec<Coin>) {
    (json!({"bond": {"amount": amount}}), vec![])
}

/// Virtual staking's `handle_valset_update` as the SDK's `x/meshsecurity` sends it: additions
/// as CosmWasm `Validator`s (zero commission), slashes with the block that processes them,
/// power as a number, `is_tombstoned`.
pub fn valset_update(msg: &VirtualStakingSudo, block: &BlockInfo) -> Value {
    let VirtualStakingSudo::HandleValsetUpdate {
        additions,
        removals,
        updated,
        jailed,
        unjailed,
        tombstoned,
        slashed,
    } = msg
    else {
        return serde_json::to_value(msg).expect("sudo messages serialize");
    };
    let validators = |list: &Option<Vec<AddValidator>>| {
        list.as_ref().map(|l| {
            l.iter()
                .map(|v| {
                    json!({"address": v.valoper, "commission": "0", "max_commission": "0",
                        "max_change_rate": "0"})
                })
                .collect::<Vec<_>>()
        })
    };
    let slashed = slashed.as_ref().map(|l| {
        l.iter()
            .map(|s| {
                json!({
                    "address": s.validator,
                    "height": block.height,
                    "time": block.time.seconds(),
                    "infraction_height": s.infraction_height,
                    "infraction_time": s.infraction_time,
                    "power": s.power.u128() as u64,
                    "slash_amount": s.slash_amount,
                    "slash_ratio": s.slash_ratio.to_string(),
                    "is_tombstoned": s.tombstoned,
                })
            })
            .collect::<Vec<_>>()
    });
    // The SDK's staking hooks add the set changes a jail and an unjail cause: a jailed
    // validator leaves the active set (`removals`), an unjailed one re-enters it (`additions`).
    let additions = match (additions, unjailed) {
        (None, Some(back)) => Some(
            back.iter()
                .map(|v| AddValidator {
                    valoper: v.clone(),
                    start_height: block.height,
                    start_time: block.time.seconds(),
                })
                .collect(),
        ),
        (a, _) => a.clone(),
    };
    let removals = match (removals, jailed) {
        (None, Some(out)) => Some(out.clone()),
        (r, _) => r.clone(),
    };
    json!({"handle_valset_update": {
        "additions": validators(&additions),
        "removals": removals,
        "updated": validators(updated),
        "jailed": jailed,
        "unjailed": unjailed,
        "tombstoned": tombstoned,
        "slashed": slashed,
    }})
}
