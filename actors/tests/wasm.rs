//! Contracts as wasm in the actor runtime: the `.wasm` builds of the contracts (from
//! `scripts/build-wasm.sh`) run through cosmwasm-vm inside the chains, with gas per call and per
//! transaction, and a transaction that runs out of gas fails as on chain.
//!
//! The tests that need the modules read them from `$MESH_WASM_DIR` (default: `artifacts/`);
//! without them they say so and pass, unless `MESH_REQUIRE_WASM=1` (CI) makes that a failure.

use cosmwasm_std::{to_json_binary, Coin};
use mesh_actors::contracts::Codes;
use mesh_actors::testnet::{ConsumerSpec, ContractId, Testnet, TopologySpec};
use mesh_actors::time::run_simulation;
use mesh_actors::trace::TraceKind;
use mesh_actors::wasm::{compiled_modules, WasmCode, WasmError};
use mesh_apis::vault::{self, AccountDetailsResponse};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// The directory of the `.wasm` artefacts, or `None` (after saying so) when they are absent.
fn artefacts(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("MESH_WASM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../artifacts"));
    if dir.join("mesh_vault.wasm").is_file() {
        return Some(dir);
    }
    let msg = format!(
        "{test}: SKIPPED: no wasm artefacts in {} (build them with scripts/build-wasm.sh)",
        dir.display()
    );
    if std::env::var("MESH_REQUIRE_WASM").is_ok_and(|v| v == "1") {
        panic!("{msg}, and MESH_REQUIRE_WASM=1 requires them");
    }
    // Straight to stderr, past the test harness's capture, so the skip shows in `cargo test`.
    let _ = writeln!(std::io::stderr(), "{msg}");
    None
}

fn uosmo(amount: u128) -> Vec<Coin> {
    vec![Coin::new(amount, "uosmo")]
}

fn spec(codes: Codes) -> TopologySpec {
    let mut spec = TopologySpec {
        seed: 7,
        codes,
        ..Default::default()
    };
    spec.provider.accounts = vec![("alice".into(), uosmo(1_000_000_000))];
    spec.consumers.push(ConsumerSpec::new("juno"));
    spec
}

fn stake_remote_msg(net: &Testnet, amount: u128) -> vault::ExecuteMsg {
    vault::ExecuteMsg::StakeRemote {
        contract: net
            .contract(&ContractId::external_staking("juno"))
            .unwrap()
            .deployed
            .addr
            .to_string(),
        amount: Coin::new(amount, "uosmo"),
        msg: to_json_binary(&mesh_apis::lienholder::StakeMsg {
            validator: "juno-val1".into(),
        })
        .unwrap(),
    }
}

async fn details(net: &Testnet) -> AccountDetailsResponse {
    let account = net.addr(net.provider_id(), "alice").to_string();
    net.query(
        &ContractId::Vault,
        &vault::QueryMsg::AccountDetails { account },
    )
    .await
    .unwrap()
}

async fn balance(net: &Testnet) -> cosmwasm_std::Uint256 {
    let alice = net.addr(net.provider_id(), "alice");
    net.with_chain(net.provider_id(), move |c, _| {
        c.app_ref()
            .wrap()
            .query_balance(alice, "uosmo")
            .unwrap()
            .amount
    })
    .await
    .unwrap()
}

#[test]
fn a_file_that_is_not_a_contract_is_refused_naming_it() {
    let err = WasmCode::from_bytes("broken.wasm", b"\0asm not really").unwrap_err();
    assert!(matches!(err, WasmError::Invalid { .. }), "{err}");
    assert!(err.to_string().starts_with("broken.wasm: "), "{err}");
    let empty = std::env::temp_dir().join(format!("mesh-wasm-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let err = Codes::from_wasm_dir(&empty).unwrap_err();
    assert!(matches!(err, WasmError::Read { .. }), "{err}");
    assert!(err.to_string().contains("mesh_vault.wasm"), "{err}");
}

#[test]
fn wasm_contracts_run_the_cross_stake_with_gas_in_trace_and_books() {
    let Some(dir) = artefacts("wasm_contracts_run_the_cross_stake") else {
        return;
    };
    let codes = Codes::from_wasm_dir(&dir).unwrap();
    let run = |codes: Codes| {
        run_simulation(async move {
            let net = Testnet::start(&spec(codes)).await.unwrap();
            net.exec(
                "alice",
                &ContractId::Vault,
                &vault::ExecuteMsg::Bond {},
                uosmo(100_000_000),
            )
            .await
            .unwrap();
            net.exec(
                "alice",
                &ContractId::Vault,
                &stake_remote_msg(&net, 80_000_000),
                vec![],
            )
            .await
            .unwrap();
            net.settle(Duration::from_secs(3600)).await.unwrap();
            let d = details(&net).await;
            let stats = net
                .with_chain(net.provider_id(), |c, _| c.gas_stats())
                .await
                .unwrap();
            (d, stats, net.trace().events())
        })
    };
    let (wasm_details, stats, trace) = run(codes);
    let (native_details, native_stats, native_trace) = run(Codes::default());
    assert_eq!(wasm_details, native_details, "the same books either way");
    assert!(native_stats.is_empty(), "native contracts are not metered");
    assert!(native_trace
        .iter()
        .all(|e| !matches!(e.kind, TraceKind::ContractCall { .. })));
    // Per call: the vault's bond, and the stake_remote with its submessage on external staking.
    let bond = stats[&("vault".to_string(), "execute:bond".to_string())];
    assert_eq!(bond.count, 1);
    assert!(bond.total > 0 && bond.max == bond.total);
    let receive = stats[&(
        "juno".to_string(),
        "execute:receive_virtual_stake".to_string(),
    )];
    assert_eq!(receive.count, 1);
    assert!(stats.contains_key(&("juno".to_string(), "ibc_packet_ack:stake".to_string())));
    // Per transaction: the stake_remote tx's gas is its two calls together.
    let tx_gas = trace
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Tx { action, gas, .. } if action == "stake_remote" => *gas,
            _ => None,
        })
        .expect("the stake_remote tx carries its gas");
    let stake = stats[&("vault".to_string(), "execute:stake_remote".to_string())];
    assert_eq!(tx_gas, stake.total + receive.total);
    let calls = trace
        .iter()
        .filter(|e| matches!(&e.kind, TraceKind::ContractCall { gas, ok: true, .. } if *gas > 0))
        .count();
    assert!(
        calls >= 6,
        "every wasm call is traced with its gas ({calls})"
    );
}

#[test]
fn running_out_of_gas_fails_the_whole_transaction() {
    let Some(dir) = artefacts("running_out_of_gas_fails_the_whole_transaction") else {
        return;
    };
    let codes = Codes::from_wasm_dir(&dir).unwrap();
    run_simulation(async move {
        let net = Testnet::start(&spec(codes)).await.unwrap();
        let provider = net.provider_id().to_string();
        net.exec(
            "alice",
            &ContractId::Vault,
            &vault::ExecuteMsg::Bond {},
            uosmo(100_000_000),
        )
        .await
        .unwrap();
        let before = (details(&net).await, balance(&net).await);
        let stats = net
            .with_chain(&provider, |c, _| c.gas_stats())
            .await
            .unwrap();
        let bond_gas = stats[&("vault".to_string(), "execute:bond".to_string())].max;

        // Too little gas for the vault's own call: nothing happens.
        net.with_chain(&provider, move |c, _| c.set_gas_limit(bond_gas / 2))
            .await
            .unwrap();
        let err = net
            .exec(
                "alice",
                &ContractId::Vault,
                &vault::ExecuteMsg::Bond {},
                uosmo(1_000),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("out of gas"), "{err}");
        assert_eq!((details(&net).await, balance(&net).await), before);

        // Enough for the vault's stake_remote but not for external staking's part of it: the
        // submessage runs out, and the whole transaction is reverted (no lien, no pending tx).
        net.with_chain(&provider, |c, _| c.set_gas_limit(u64::MAX))
            .await
            .unwrap();
        let probe = stake_remote_msg(&net, 1_000);
        net.exec("alice", &ContractId::Vault, &probe, vec![])
            .await
            .unwrap();
        net.settle(Duration::from_secs(3600)).await.unwrap();
        let stats = net
            .with_chain(&provider, |c, _| c.gas_stats())
            .await
            .unwrap();
        let vault_part = stats[&("vault".to_string(), "execute:stake_remote".to_string())].max;
        let before = (details(&net).await, balance(&net).await);
        net.with_chain(&provider, move |c, _| {
            c.set_gas_limit(vault_part + vault_part / 10)
        })
        .await
        .unwrap();
        let err = net
            .exec(
                "alice",
                &ContractId::Vault,
                &stake_remote_msg(&net, 1_000),
                vec![],
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("out of gas"), "{err}");
        assert_eq!((details(&net).await, balance(&net).await), before);
        let last_tx = net
            .trace()
            .events()
            .into_iter()
            .rev()
            .find_map(|e| match e.kind {
                TraceKind::Tx { ok, gas, .. } => Some((ok, gas)),
                _ => None,
            })
            .unwrap();
        assert!(!last_tx.0, "the transaction failed");
        assert!(last_tx.1.is_some_and(|g| g > vault_part), "{last_tx:?}");
    });
}

#[test]
fn each_module_is_compiled_once_per_process() {
    let Some(dir) = artefacts("each_module_is_compiled_once_per_process") else {
        return;
    };
    let first = Codes::from_wasm_dir(&dir).unwrap();
    let compiled = compiled_modules();
    assert!(compiled >= 7);
    let again = Codes::from_wasm_dir(&dir).unwrap();
    assert_eq!(
        compiled_modules(),
        compiled,
        "loading again compiles nothing"
    );
    let checksum = |c: &Codes| match &c.vault {
        mesh_actors::contracts::Code::Wasm(w) => w.checksum(),
        _ => unreachable!(),
    };
    assert_eq!(checksum(&first), checksum(&again));
}
