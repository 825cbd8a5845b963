//! This project's contracts: the messages where they differ from the reference (built from
//! the contracts' own message types).

use cosmwasm_std::Coin;
use mesh_apis::{converter, vault};
use serde_json::Value;

use super::ConverterInit;
use crate::contracts::Role;

fn value<T: serde::Serialize>(msg: &T) -> Value {
    serde_json::to_value(msg).expect("contract messages serialize")
}

/// `DIR/<crate with underscores>.wasm`, as `scripts/build-wasm.sh` writes them.
pub fn wasm_stem(role: Role) -> String {
    role.crate_name().replace('-', "_")
}

/// The converter's instantiate message.
pub fn converter_instantiate(init: &ConverterInit) -> Value {
    value(&converter::InstantiateMsg {
        price_feed: init.price_feed.clone(),
        discount: init.discount,
        remote_denom: init.remote_denom.clone(),
        virtual_staking_code_id: init.virtual_staking_code_id,
        admin: None,
        max_retrieve: init.max_retrieve,
    })
}

/// `bond {}` with the collateral attached.
pub fn bond(amount: Coin) -> (Value, Vec<Coin>) {
    (value(&vault::ExecuteMsg::Bond {}), vec![amount])
}

/// Virtual staking's `handle_valset_update` as our contract takes it.
pub fn valset_update(msg: &mesh_apis::virtual_staking::SudoMsg) -> Value {
    value(msg)
}
