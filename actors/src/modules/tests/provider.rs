//! ProviderModule (`x/meshsecurityprovider`): only the vault bonds and unbonds, moving the
//! user's tokens to and from it; a message the module does not know is refused.

use cosmwasm_std::{coin, to_json_binary, AnyMsg, CosmosMsg, Empty};
use cw_multi_test::Executor;
use serde_json::json;

use super::*;
use crate::modules::ProviderParams;
use crate::wasm::PROVIDER_MSG_TYPE_URL;

fn provider_msg(msg: serde_json::Value) -> CosmosMsg<VirtualStakeCustomMsg> {
    CosmosMsg::Any(AnyMsg {
        type_url: PROVIDER_MSG_TYPE_URL.to_string(),
        value: to_json_binary(&json!({ "provider": msg })).unwrap(),
    })
}

fn setup() -> (TestApp, Addr, Addr) {
    let mut app = app();
    let vault = addr(&app, "vault");
    let native = addr(&app, "native");
    let user = addr(&app, "alice");
    fund(&mut app, &user, 1_000);
    app.init_modules(|router, _, storage| {
        router.stargate.set_params(
            storage,
            &ProviderParams {
                vault: vault.clone(),
                native_staking: native,
            },
        )
    })
    .unwrap();
    (app, vault, user)
}

#[test]
fn the_vault_bonds_and_unbonds_a_users_tokens() {
    let (mut app, vault, user) = setup();
    let bond = json!({"bond": {"delegator": user, "amount": coin(400, DENOM)}});
    app.execute(vault.clone(), provider_msg(bond)).unwrap();
    assert_eq!(balance(&app, &user), 600);
    assert_eq!(balance(&app, &vault), 400);
    let unbond = json!({"unbond": {"delegator": user, "amount": coin(150, DENOM)}});
    app.execute(vault.clone(), provider_msg(unbond)).unwrap();
    assert_eq!(balance(&app, &user), 750);
    assert_eq!(balance(&app, &vault), 250);
}

#[test]
fn only_the_vault_may_bond_and_a_user_cannot_bond_more_than_they_hold() {
    let (mut app, vault, user) = setup();
    let bond = json!({"bond": {"delegator": user, "amount": coin(400, DENOM)}});
    let err = err_text(app.execute(user.clone(), provider_msg(bond)));
    assert!(err.contains("unauthorized"), "{err}");
    let too_much = json!({"bond": {"delegator": user, "amount": coin(4_000, DENOM)}});
    let err = err_text(app.execute(vault.clone(), provider_msg(too_much)));
    assert!(err.contains("provider bond"), "{err}");
    assert_eq!(balance(&app, &user), 1_000);
    let other = CosmosMsg::Any(AnyMsg {
        type_url: "/cosmos.bank.v1beta1.MsgSend".to_string(),
        value: to_json_binary(&Empty {}).unwrap(),
    });
    let err = err_text(app.execute(vault, other));
    assert!(err.contains("unknown message type"), "{err}");
}
