//! The incremental invariant check finds what the full one finds: after a step it re-reads the
//! users the step's writes touched (through the chains' change logs), and a full check reads
//! everyone (the runner does one at every `settle` and at the end).
//!
//! An inconsistency is planted in the vault's record of one user, behind the change logs' back
//! (as a bug in a code path the logs did not see would leave it): its `max_lien` no longer is
//! the largest of the user's liens. Planted in the user a step touches, the check after that
//! step finds it; planted in a user the step did not touch, that check does not re-read them
//! (the check is incremental) and the full check finds it. The same runs on the contracts'
//! `.wasm` builds when present, so the change logs see what wasm contracts write too.

use cosmwasm_std::Addr;
use cw_storage_plus::Map;
use mesh_actors::contracts::Codes;
use mesh_actors::testnet::{ContractId, Testnet, TopologySpec};
use mesh_actors::time::run_simulation;
use mesh_apis::ValueRange;
use mesh_harness::invariants::{genesis_supplies, Checker, Scope, Violation};
use mesh_vault::state::UserInfo;
use std::io::Write;
use std::path::PathBuf;

/// The vault's per-user records (as `mesh_vault::state::USERS`).
const USERS: Map<&Addr, UserInfo> = Map::new("users");

fn spec(codes: Codes) -> TopologySpec {
    let mut spec = TopologySpec {
        seed: 3,
        codes,
        ..Default::default()
    };
    let coins = |n: u128| vec![cosmwasm_std::Coin::new(n, "uosmo")];
    spec.provider.accounts = vec![
        ("alice".into(), coins(1_000_000)),
        ("bob".into(), coins(1_000_000)),
    ];
    spec.consumers
        .push(mesh_actors::testnet::ConsumerSpec::new("juno"));
    spec
}

/// Set `user`'s `max_lien` in the vault to `amount` without any change log seeing it.
async fn plant_max_lien(net: &Testnet, user: &str, amount: u128) {
    let vault = net.contract(&ContractId::Vault).unwrap().deployed.addr;
    let addr = net.addr(net.provider_id(), user);
    net.with_chain(net.provider_id(), move |chain, _| {
        chain.untracked(|app| {
            let mut storage = app.contract_storage_mut(&vault);
            let mut info = USERS.load(storage.as_ref(), &addr).unwrap();
            info.max_lien = ValueRange::new_val(amount.into());
            USERS.save(storage.as_mut(), &addr, &info).unwrap();
        })
    })
    .await
    .unwrap();
}

async fn check(checker: &mut Checker, net: &Testnet, scope: Scope) -> Result<(), Violation> {
    checker.check(net, scope).await.unwrap()
}

/// The scenario of the module doc on `codes`.
fn planted_inconsistencies_are_found(codes: Codes) {
    run_simulation(async move {
        let net = Testnet::start(&spec(codes)).await.unwrap();
        let genesis = genesis_supplies(&net).await.unwrap();
        let mut checker = Checker::new(&net, &net.names(), &genesis).await.unwrap();
        net.bond("alice", 100_000).await.unwrap();
        net.bond("bob", 100_000).await.unwrap();
        assert_eq!(check(&mut checker, &net, Scope::Touched).await, Ok(()));

        // In the user the step touches: found at that step.
        plant_max_lien(&net, "alice", 5).await;
        net.bond("alice", 1).await.unwrap();
        let found = check(&mut checker, &net, Scope::Touched).await.unwrap_err();
        assert_eq!(found.invariant, "vault");
        assert!(
            found
                .detail
                .starts_with("alice: max_lien 5 is not the largest lien 0"),
            "{found}"
        );
        plant_max_lien(&net, "alice", 0).await;
        assert_eq!(check(&mut checker, &net, Scope::Full).await, Ok(()));

        // In a user the step does not touch: not re-read after the step, found by the full
        // check.
        plant_max_lien(&net, "bob", 7).await;
        net.bond("alice", 1).await.unwrap();
        assert_eq!(
            check(&mut checker, &net, Scope::Touched).await,
            Ok(()),
            "the check after a step touching only alice read bob: it is not incremental"
        );
        let found = check(&mut checker, &net, Scope::Full).await.unwrap_err();
        assert_eq!(found.invariant, "vault");
        assert!(
            found
                .detail
                .starts_with("bob: max_lien 7 is not the largest lien 0"),
            "{found}"
        );
    });
}

#[test]
fn planted_inconsistencies_are_found_natively() {
    planted_inconsistencies_are_found(Codes::default());
}

#[test]
fn planted_inconsistencies_are_found_on_wasm() {
    let dir = std::env::var_os("MESH_WASM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../artifacts"));
    if !dir.join("mesh_vault.wasm").is_file() {
        let msg = format!(
            "planted_inconsistencies_are_found_on_wasm: SKIPPED: no wasm artefacts in {} \
             (build them with scripts/build-wasm.sh)",
            dir.display()
        );
        if std::env::var("MESH_REQUIRE_WASM").is_ok_and(|v| v == "1") {
            panic!("{msg}, and MESH_REQUIRE_WASM=1 requires them");
        }
        let _ = writeln!(std::io::stderr(), "{msg}");
        return;
    }
    planted_inconsistencies_are_found(Codes::from_wasm_dir(&dir).unwrap_or_else(|e| panic!("{e}")));
}
