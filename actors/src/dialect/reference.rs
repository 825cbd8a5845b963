//! The reference contracts (osmosis-labs/mesh-security, as the mesh-security-sdk e2e suite
//! deploys them): the messages where they differ from ours.

use cosmwasm_std::Coin;
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
