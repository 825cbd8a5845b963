//! Parsing valid scenarios: the examples of `docs/scenario.md`, every default, round-trips.

use std::collections::BTreeMap;

use serde_json::json;

use super::parse;
use crate::scenario::{
    load_file, parse_str, to_json_pretty, AccountBalance, Action, AddValidatorArgs, Amount,
    ChainValidator, Consumer, ConsumerOnly, Delay, DrainArgs, DurationValue, Fault, FaultContract,
    LocalRestake, LocalStake, Provider, Ratio, RemoteStake, Scenario, SetMaxCapArgs, SetPriceArgs,
    SettleArgs, Step, TombstoneArgs, UserAmount, UserConsumer, UserOnly, ValidatorSpec,
    WithdrawRewardsArgs, ACTION_NAMES, DEFAULT_SETTLE_WITHIN,
};

/// A scenario using every action of the table in `docs/scenario.md`, with the spec's own
/// `expect_error` example.
pub(super) const EVERY_ACTION: &str = r#"{
  "name": "cross-stake, unstake, 21-day unbonding",
  "description": "optional",
  "seed": 7,
  "provider": {"validators": [{"name": "val1"}, {"name": "val2", "stake": "5"}]},
  "consumers": [
    {"chain_id": "juno"},
    {"chain_id": "stars", "denom": "ustars", "validators": [{"name": "s1"}],
     "link": {"delay": {"min": "1s", "max": "30s"}}}
  ],
  "accounts": {"alice": "1000000000", "bob": {"uosmo": "10", "uatom": "20"}},
  "steps": [
    {"bond": {"user": "alice", "amount": "500"}},
    {"unbond": {"user": "alice", "amount": "1"}},
    {"stake_local": {"user": "alice", "validator": "val1", "amount": "100"}},
    {"unstake_local": {"user": "alice", "validator": "val2", "amount": "10"}},
    {"release_local": {"user": "alice"}},
    {"stake_remote": {"user": "alice", "consumer": "juno", "validator": "juno-val1", "amount": "200"}},
    {"stake_remote": {"user": "alice", "consumer": "juno", "validator": "nobody", "amount": "10"}, "expect_error": "not active"},
    {"unstake_remote": {"user": "bob", "consumer": "stars", "validator": "s1", "amount": "3"}},
    {"withdraw_unbonded_remote": {"user": "alice", "consumer": "juno"}},
    {"withdraw_rewards": {"user": "alice", "consumer": "juno", "validator": "juno-val1", "recipient": "alice-on-juno"}},
    {"wait": "21d"},
    {"wait": 30},
    {"settle": {}},
    {"settle": {"within": "1d"}},
    {"epoch": {"consumer": "juno"}},
    {"set_price": {"consumer": "juno", "price": "0.25"}},
    {"set_max_cap": {"consumer": "stars", "amount": "0"}, "expect_error": ""},
    {"jail": {"chain": "provider", "validator": "val2"}},
    {"unjail": {"chain": "provider", "validator": "val2"}},
    {"tombstone": {"chain": "juno", "validator": "juno-val1"}},
    {"tombstone": {"chain": "provider", "validator": "val1", "power": 100}},
    {"add_validator": {"chain": "juno", "validator": "juno-val2", "stake": "2000000"}},
    {"remove_validator": {"chain": "juno", "validator": "juno-val2"}},
    {"fault": {"link": "juno", "delay": "1m"}},
    {"fault": {"link": "juno", "delay": {"min": "1s", "max": "30s"}}},
    {"fault": {"link": "juno", "drop_next": 1}},
    {"fault": {"link": "stars", "outage": "2h"}},
    {"fault": {"chain": "juno", "halt": "1h"}},
    {"fault": {"contract": "converter", "consumer": "juno", "fail_next": 1}},
    {"fault": {"contract": "external_staking", "consumer": "stars", "fail_next": 2}},
    {"expect": {"provider.vault.accounts.alice.collateral": "499", "ibc.juno.in_flight": 0,
                "provider.vault.accounts.alice.liens.juno": {"low": "0", "high": "200"}}},
    {"snapshot": "after-unbonding"},
    {"close_channel": {"consumer": "stars"}},
    {"drain": {}},
    {"restake_local": {"user": "alice", "from": "val1", "to": "val2", "amount": "20"}}
  ]
}"#;

/// `{"name": ...}` alone gets the provider of the defaults table, no consumer, no account.
#[test]
fn minimal_scenario_gets_every_default() {
    let s = parse(r#"{"name": "minimal"}"#);
    assert_eq!(s.name, "minimal");
    assert_eq!(s.description, None);
    assert_eq!(s.seed, 0);
    assert!(s.consumers.is_empty() && s.accounts.is_empty() && s.steps.is_empty());
    let p = &s.provider;
    assert_eq!(p.chain_id, "provider");
    assert_eq!(p.denom, "uosmo");
    assert_eq!(p.block_time, DurationValue(5_000));
    assert_eq!(p.unbonding_period, DurationValue(21 * 86_400_000));
    assert_eq!(
        p.validators,
        vec![ValidatorSpec {
            name: "val1".into(),
            stake: Amount(1_000_000)
        }]
    );
    assert_eq!(p.native_staking.slash_ratio_dsign, Ratio::lit("0.2"));
    assert_eq!(p.native_staking.slash_ratio_offline, Ratio::lit("0.1"));
    assert_eq!(p.slash_fractions.double_sign, Ratio::lit("0.2"));
    assert_eq!(p.slash_fractions.downtime, Ratio::lit("0.1"));
    assert_eq!(s, Scenario::new("minimal"));
}

/// A consumer with only a chain_id gets every default, and a validator named after it.
#[test]
fn consumer_defaults_depend_on_chain_id() {
    let s = parse(r#"{"name": "x", "consumers": [{"chain_id": "juno"}, {"chain_id": "stars"}]}"#);
    let c = &s.consumers[0];
    assert_eq!(c.chain_id, "juno");
    assert_eq!(c.denom, "ujuno");
    assert_eq!(c.block_time, DurationValue(5_000));
    assert_eq!(
        c.validators,
        vec![ValidatorSpec {
            name: "juno-val1".into(),
            stake: Amount(1_000_000)
        }]
    );
    assert_eq!(c.price, Ratio::lit("0.5"));
    assert_eq!(c.discount, Ratio::lit("0.1"));
    assert_eq!(c.max_cap, Amount(1_000_000_000));
    assert_eq!(c.epoch_blocks, 100);
    assert_eq!(c.slash_fractions.double_sign, Ratio::lit("0.2"));
    assert_eq!(c.slash_fractions.downtime, Ratio::lit("0.1"));
    assert_eq!(
        c.external_staking.unbonding_period,
        DurationValue(1_814_400_000)
    );
    assert_eq!(c.external_staking.slash_ratio_dsign, Ratio::lit("0.2"));
    assert_eq!(c.external_staking.slash_ratio_offline, Ratio::lit("0.1"));
    assert_eq!(c.link.delay, Delay::Fixed(DurationValue(5_000)));
    assert_eq!(c.link.packet_timeout, DurationValue(600_000));
    assert_eq!(*c, Consumer::new("juno"));
    assert_eq!(s.consumers[1].validators[0].name, "stars-val1");
    assert_eq!(s.consumer("stars"), Some(&s.consumers[1]));
    assert_eq!(s.consumer("osmo"), None);
}

/// A partly written nested object keeps the defaults of the fields it leaves out.
#[test]
fn partial_objects_keep_other_defaults() {
    let s = parse(
        r#"{"name": "x",
            "provider": {"denom": "ustake", "native_staking": {"slash_ratio_dsign": "0.5"}},
            "consumers": [{"chain_id": "juno", "link": {"packet_timeout": "1h"},
                           "external_staking": {"unbonding_period": 60},
                           "slash_fractions": {"downtime": "0"}}]}"#,
    );
    assert_eq!(s.provider.denom, "ustake");
    assert_eq!(s.provider.chain_id, "provider");
    assert_eq!(
        s.provider.native_staking.slash_ratio_dsign,
        Ratio::lit("0.5")
    );
    assert_eq!(
        s.provider.native_staking.slash_ratio_offline,
        Ratio::lit("0.1")
    );
    let c = &s.consumers[0];
    assert_eq!(c.link.packet_timeout, DurationValue(3_600_000));
    assert_eq!(c.link.delay, Delay::Fixed(DurationValue(5_000)));
    assert_eq!(c.external_staking.unbonding_period, DurationValue(60_000));
    assert_eq!(c.external_staking.slash_ratio_dsign, Ratio::lit("0.2"));
    assert_eq!(c.slash_fractions.downtime, Ratio::lit("0"));
    assert_eq!(c.slash_fractions.double_sign, Ratio::lit("0.2"));
}

/// Accounts are an amount of the provider denom or a map of denoms.
#[test]
fn accounts_take_both_forms() {
    let s = parse(EVERY_ACTION);
    assert_eq!(
        s.accounts["alice"],
        AccountBalance::Amount(Amount(1_000_000_000))
    );
    assert_eq!(
        s.genesis_balances(),
        BTreeMap::from([
            (
                "alice".to_owned(),
                BTreeMap::from([("uosmo".to_owned(), Amount(1_000_000_000))])
            ),
            (
                "bob".to_owned(),
                BTreeMap::from([
                    ("uatom".to_owned(), Amount(20)),
                    ("uosmo".to_owned(), Amount(10))
                ])
            ),
        ])
    );
}

/// Every action of the table parses to the expected value, in order.
#[test]
fn every_action_parses() {
    let s = parse(EVERY_ACTION);
    assert_eq!(s.seed, 7);
    assert_eq!(s.description.as_deref(), Some("optional"));
    let user_amount = |amount| UserAmount {
        user: "alice".into(),
        amount: Amount(amount),
    };
    let juno_val = |chain: &str, v: &str| ChainValidator {
        chain: chain.into(),
        validator: v.into(),
    };
    let expected = vec![
        Step::new(Action::Bond(user_amount(500))),
        Step::new(Action::Unbond(user_amount(1))),
        Step::new(Action::StakeLocal(LocalStake {
            user: "alice".into(),
            validator: "val1".into(),
            amount: Amount(100),
        })),
        Step::new(Action::UnstakeLocal(LocalStake {
            user: "alice".into(),
            validator: "val2".into(),
            amount: Amount(10),
        })),
        Step::new(Action::ReleaseLocal(UserOnly {
            user: "alice".into(),
        })),
        Step::new(Action::StakeRemote(RemoteStake {
            user: "alice".into(),
            consumer: "juno".into(),
            validator: "juno-val1".into(),
            amount: Amount(200),
        })),
        Step::failing(
            Action::StakeRemote(RemoteStake {
                user: "alice".into(),
                consumer: "juno".into(),
                validator: "nobody".into(),
                amount: Amount(10),
            }),
            "not active",
        ),
        Step::new(Action::UnstakeRemote(RemoteStake {
            user: "bob".into(),
            consumer: "stars".into(),
            validator: "s1".into(),
            amount: Amount(3),
        })),
        Step::new(Action::WithdrawUnbondedRemote(UserConsumer {
            user: "alice".into(),
            consumer: "juno".into(),
        })),
        Step::new(Action::WithdrawRewards(WithdrawRewardsArgs {
            user: "alice".into(),
            consumer: "juno".into(),
            validator: "juno-val1".into(),
            recipient: "alice-on-juno".into(),
        })),
        Step::new(Action::Wait(DurationValue(1_814_400_000))),
        Step::new(Action::Wait(DurationValue(30_000))),
        Step::new(Action::Settle(SettleArgs { within: None })),
        Step::new(Action::Settle(SettleArgs {
            within: Some(DurationValue(86_400_000)),
        })),
        Step::new(Action::Epoch(ConsumerOnly {
            consumer: "juno".into(),
        })),
        Step::new(Action::SetPrice(SetPriceArgs {
            consumer: "juno".into(),
            price: Ratio::lit("0.25"),
        })),
        Step::failing(
            Action::SetMaxCap(SetMaxCapArgs {
                consumer: "stars".into(),
                amount: Amount(0),
            }),
            "",
        ),
        Step::new(Action::Jail(juno_val("provider", "val2"))),
        Step::new(Action::Unjail(juno_val("provider", "val2"))),
        Step::new(Action::Tombstone(TombstoneArgs {
            chain: "juno".into(),
            validator: "juno-val1".into(),
            power: None,
        })),
        Step::new(Action::Tombstone(TombstoneArgs {
            chain: "provider".into(),
            validator: "val1".into(),
            power: Some(100),
        })),
        Step::new(Action::AddValidator(AddValidatorArgs {
            chain: "juno".into(),
            validator: "juno-val2".into(),
            stake: Amount(2_000_000),
        })),
        Step::new(Action::RemoveValidator(juno_val("juno", "juno-val2"))),
        Step::new(Action::Fault(Fault::LinkDelay {
            link: "juno".into(),
            delay: Delay::Fixed(DurationValue(60_000)),
        })),
        Step::new(Action::Fault(Fault::LinkDelay {
            link: "juno".into(),
            delay: Delay::Range {
                min: DurationValue(1_000),
                max: DurationValue(30_000),
            },
        })),
        Step::new(Action::Fault(Fault::LinkDrop {
            link: "juno".into(),
            drop_next: 1,
        })),
        Step::new(Action::Fault(Fault::LinkOutage {
            link: "stars".into(),
            outage: DurationValue(7_200_000),
        })),
        Step::new(Action::Fault(Fault::ChainHalt {
            chain: "juno".into(),
            halt: DurationValue(3_600_000),
        })),
        Step::new(Action::Fault(Fault::ContractFail {
            contract: FaultContract::Converter,
            consumer: "juno".into(),
            fail_next: 1,
        })),
        Step::new(Action::Fault(Fault::ContractFail {
            contract: FaultContract::ExternalStaking,
            consumer: "stars".into(),
            fail_next: 2,
        })),
        Step::new(Action::Expect(
            [
                ("provider.vault.accounts.alice.collateral", json!("499")),
                ("ibc.juno.in_flight", json!(0)),
                (
                    "provider.vault.accounts.alice.liens.juno",
                    json!({"low": "0", "high": "200"}),
                ),
            ]
            .into_iter()
            .collect(),
        )),
        Step::new(Action::Snapshot("after-unbonding".into())),
        Step::new(Action::CloseChannel(ConsumerOnly {
            consumer: "stars".into(),
        })),
        Step::new(Action::Drain(DrainArgs {})),
        Step::new(Action::RestakeLocal(LocalRestake {
            user: "alice".into(),
            from: "val1".into(),
            to: "val2".into(),
            amount: Amount(20),
        })),
    ];
    assert_eq!(s.steps, expected);
    let names: std::collections::BTreeSet<&str> = s.steps.iter().map(|s| s.action.name()).collect();
    assert_eq!(names.len(), ACTION_NAMES.len(), "every action is exercised");
}

/// `expect` keeps the file's order of report paths (not sorted).
#[test]
fn expect_keeps_file_order() {
    let s = parse(EVERY_ACTION);
    let Action::Expect(e) = &s.steps[30].action else {
        panic!("step 30 is expect");
    };
    let paths: Vec<&str> = e.iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        [
            "provider.vault.accounts.alice.collateral",
            "ibc.juno.in_flight",
            "provider.vault.accounts.alice.liens.juno"
        ]
    );
    assert_eq!(e.get("ibc.juno.in_flight"), Some(&json!(0)));
}

/// `settle` without `within` is bounded by one day.
#[test]
fn settle_defaults_to_one_day() {
    assert_eq!(DEFAULT_SETTLE_WITHIN, DurationValue(86_400_000));
    assert_eq!(
        SettleArgs::default().within_or_default(),
        DurationValue(86_400_000)
    );
    let short = SettleArgs {
        within: Some(DurationValue(1_000)),
    };
    assert_eq!(short.within_or_default(), DurationValue(1_000));
}

/// Scenario → JSON → scenario gives the same scenario, for the full example and the minimal one;
/// writing again gives the same text.
#[test]
fn scenarios_round_trip() {
    for text in [EVERY_ACTION, r#"{"name": "minimal"}"#] {
        let s = parse(text);
        let written = to_json_pretty(&s);
        let back = parse_str(&written, "written.json").unwrap_or_else(|e| panic!("{e}\n{written}"));
        assert_eq!(back, s);
        assert_eq!(to_json_pretty(&back), written);
    }
}

/// `"$schema"` (for editors) is accepted anywhere in the top level, changes nothing else, is
/// written back first, and must be a string when given.
#[test]
fn dollar_schema_is_accepted_and_kept() {
    let with = parse(r#"{"name": "m", "$schema": "./scenario.schema.json", "seed": 3}"#);
    assert_eq!(with.schema.as_deref(), Some("./scenario.schema.json"));
    let without = parse(r#"{"name": "m", "seed": 3}"#);
    assert_eq!(without.schema, None);
    assert_eq!(
        Scenario {
            schema: None,
            ..with.clone()
        },
        without
    );
    let written = to_json_pretty(&with);
    assert!(
        written.starts_with("{\n  \"$schema\": \"./scenario.schema.json\",\n  \"name\""),
        "{written}"
    );
    assert_eq!(parse(&written), with);
    assert!(!to_json_pretty(&without).contains("$schema"));
    assert_eq!(
        super::parse_err(r#"{"name": "m", "$schema": 7}"#),
        "t.json: $schema: invalid type: integer `7`, expected a string"
    );
}

/// Steps serialize as `{"<action>": payload}` plus `expect_error` when set; defaults are written
/// out in canonical form.
#[test]
fn steps_serialize_in_file_form() {
    let s = parse(EVERY_ACTION);
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(
        v["steps"][6],
        json!({"stake_remote": {"user": "alice", "consumer": "juno", "validator": "nobody",
                                "amount": "10"}, "expect_error": "not active"})
    );
    assert_eq!(v["steps"][11], json!({"wait": "30s"}));
    assert_eq!(v["steps"][12], json!({"settle": {}}));
    assert_eq!(v["steps"][13], json!({"settle": {"within": "1d"}}));
    assert_eq!(
        v["steps"][19],
        json!({"tombstone": {"chain": "juno", "validator": "juno-val1"}})
    );
    assert_eq!(
        v["steps"][20],
        json!({"tombstone": {"chain": "provider", "validator": "val1", "power": 100}})
    );
    assert_eq!(
        v["steps"][21],
        json!({"add_validator": {"chain": "juno", "validator": "juno-val2", "stake": "2000000"}})
    );
    assert_eq!(
        v["steps"][24],
        json!({"fault": {"link": "juno", "delay": {"min": "1s", "max": "30s"}}})
    );
    assert_eq!(
        v["steps"][28],
        json!({"fault": {"contract": "converter", "consumer": "juno", "fail_next": 1}})
    );
    assert_eq!(v["steps"][31], json!({"snapshot": "after-unbonding"}));
    assert_eq!(
        v["consumers"][0],
        json!({
            "chain_id": "juno", "denom": "ujuno", "block_time": "5s",
            "validators": [{"name": "juno-val1", "stake": "1000000"}],
            "price": "0.5", "discount": "0.1", "max_cap": "1000000000", "epoch_blocks": 100,
            "slash_fractions": {"double_sign": "0.2", "downtime": "0.1"},
            "external_staking": {"unbonding_period": "21d", "slash_ratio_dsign": "0.2",
                                 "slash_ratio_offline": "0.1"},
            "link": {"delay": "5s", "packet_timeout": "10m"}
        })
    );
    assert_eq!(v["accounts"]["bob"], json!({"uatom": "20", "uosmo": "10"}));
}

/// A scenario built in code serializes to a file that loads back equal.
#[test]
fn built_scenario_writes_and_loads() {
    let mut s = Scenario::new("built");
    s.seed = 3;
    s.provider = Provider {
        validators: vec![ValidatorSpec::new("v1"), ValidatorSpec::new("v2")],
        ..Provider::default()
    };
    s.consumers.push(Consumer::new("juno"));
    s.accounts
        .insert("alice".into(), AccountBalance::Amount(Amount(1_000)));
    s.steps.push(Step::new(Action::Bond(UserAmount {
        user: "alice".into(),
        amount: Amount(10),
    })));
    s.steps
        .push(Step::new(Action::Settle(SettleArgs::default())));
    s.validate().unwrap();
    let dir = std::env::temp_dir().join(format!("mesh-harness-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("built.json");
    std::fs::write(&path, to_json_pretty(&s)).unwrap();
    let loaded = load_file(&path);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(loaded, Ok(s));
}

/// `contracts` maps roles to `"native"` or a `.wasm` path and round-trips; absent, it stays out
/// of the serialized scenario (and so do per-chain gas limits).
#[test]
fn contracts_and_gas_limits() {
    use crate::scenario::{ContractRole, ContractSource};
    let s = parse(
        r#"{"name": "t", "contracts": {"vault": "a/mesh_vault.wasm", "converter": "native"},
            "provider": {"gas_limit": 5000}, "consumers": [{"chain_id": "juno", "gas_limit": 7}]}"#,
    );
    assert_eq!(
        s.contracts.get(&ContractRole::Vault),
        Some(&ContractSource::Wasm("a/mesh_vault.wasm".into()))
    );
    assert_eq!(
        s.contracts.get(&ContractRole::Converter),
        Some(&ContractSource::Native)
    );
    assert_eq!(s.provider.gas_limit, Some(5000));
    assert_eq!(s.consumers[0].gas_limit, Some(7));
    let text = crate::scenario::to_json_pretty(&s);
    assert_eq!(parse(&text), s);
    let plain = crate::scenario::to_json_pretty(&parse(r#"{"name": "t"}"#));
    assert!(
        !plain.contains("contracts") && !plain.contains("gas_limit"),
        "{plain}"
    );
}
