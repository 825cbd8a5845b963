//! Bad input: each produces exactly one line naming the file, the JSON path and what was wrong.

use super::{parse, parse_err};
use crate::scenario::{load_file, parse_str, ErrorKind, ScenarioError};

/// A valid scenario (provider val1, consumer juno with juno-val1, user alice) with `steps`.
fn with_steps(steps: &str) -> String {
    format!(
        r#"{{"name": "t", "consumers": [{{"chain_id": "juno"}}],
            "accounts": {{"alice": "1000"}}, "steps": [{steps}]}}"#
    )
}

/// The error of a scenario with these steps.
fn step_err(steps: &str) -> String {
    parse_err(&with_steps(steps))
}

/// The error of a scenario with this configuration (JSON members after `"name"`).
fn config_err(members: &str) -> String {
    parse_err(&format!(r#"{{"name": "t", {members}}}"#))
}

/// A missing file is one line saying the file cannot be read and why.
#[test]
fn missing_file() {
    let err = load_file("fixtures/does-not-exist.json").unwrap_err();
    assert_eq!(
        err.to_string(),
        "fixtures/does-not-exist.json: cannot read: No such file or directory"
    );
    assert_eq!(err.kind, ErrorKind::Read);
}

/// Malformed JSON is reported with line and column, without serde's own position suffix.
#[test]
fn bad_json() {
    let err = parse_str(
        "{\n  \"name\": \"x\",\n  \"steps\": [\n      }",
        "fixtures/a.json",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "fixtures/a.json: line 4 column 7: expected value"
    );
    assert_eq!(err.kind, ErrorKind::Syntax { line: 4, column: 7 });
    assert_eq!(
        parse_err(r#"{"name": "x"} x"#),
        "t.json: line 1 column 15: trailing characters"
    );
    assert_eq!(
        parse_err(""),
        "t.json: line 1 column 0: EOF while parsing a value"
    );
}

/// Unknown fields are rejected at the top level, in chains and inside a step's payload.
#[test]
fn unknown_fields() {
    assert_eq!(
        config_err(r#""colour": "red""#),
        "t.json: colour: unknown field `colour`, expected one of `$schema`, `name`, `description`, `seed`, \
         `provider`, `consumers`, `accounts`, `steps`, `contracts`, `implementation`"
    );
    assert_eq!(
        config_err(r#""provider": {"blocktime": "5s"}"#),
        "t.json: provider.blocktime: unknown field `blocktime`, expected one of `chain_id`, \
         `denom`, `block_time`, `unbonding_period`, `validators`, `native_staking`, \
         `slash_fractions`, `gas_limit`"
    );
    assert_eq!(
        config_err(r#""consumers": [{"chain_id": "juno", "link": {"latency": "1s"}}]"#),
        "t.json: consumers[0].link.latency: unknown field `latency`, expected `delay` or \
         `packet_timeout`"
    );
    assert_eq!(
        step_err(r#"{"bond": {"user": "alice", "amount": "5", "memo": "hi"}}"#),
        "t.json: steps[0].bond.memo: unknown field `memo`, expected `user` or `amount`"
    );
}

/// A step key that is neither an action nor `expect_error` is named, with the accepted keys.
#[test]
fn unknown_action() {
    assert_eq!(
        step_err(r#"{"settle": {}}, {"stake": {"user": "alice"}}"#),
        "t.json: steps[1].stake: unknown action \"stake\", expected one of: bond, unbond, \
         stake_local, unstake_local, restake_local, release_local, stake_remote, unstake_remote, \
         withdraw_unbonded_remote, withdraw_rewards, wait, settle, epoch, set_price, \
         set_max_cap, jail, unjail, tombstone, add_validator, remove_validator, close_channel, \
         drain, fault, expect, snapshot (plus optionally \"expect_error\")"
    );
}

/// Two actions in one step, and a step without action, are rejected at the step's path.
#[test]
fn step_shape() {
    assert_eq!(
        step_err(
            r#"{"bond": {"user": "alice", "amount": "5"}, "unbond": {"user": "alice", "amount": "5"}}"#
        ),
        "t.json: steps[0]: a step has exactly one action, found two: \"bond\" and \"unbond\""
    );
    assert!(step_err(r#"{"expect_error": "x"}"#)
        .starts_with("t.json: steps[0]: a step needs an action, one of: bond, unbond, "));
    assert_eq!(
        step_err(r#""settle""#),
        "t.json: steps[0]: invalid type: string \"settle\", expected a step: an object with one \
         action key, like {\"settle\": {}}"
    );
}

/// Negative, non-numeric and numeric amounts name the path and the expected form.
#[test]
fn bad_amounts() {
    assert_eq!(
        step_err(
            r#"{"settle": {}}, {"wait": "1s"}, {"settle": {}}, {"bond": {"user": "alice", "amount": "-5"}}"#
        ),
        "t.json: steps[3].bond.amount: expected a decimal integer string like \"100000000\", \
         got \"-5\""
    );
    assert_eq!(
        step_err(r#"{"bond": {"user": "alice", "amount": "ten"}}"#),
        "t.json: steps[0].bond.amount: expected a decimal integer string like \"100000000\", \
         got \"ten\""
    );
    assert_eq!(
        config_err(r#""accounts": {"alice": 5}"#),
        "t.json: accounts.alice: expected a decimal integer string like \"100000000\", got the \
         number 5 (write it as a string: \"5\")"
    );
    assert_eq!(
        config_err(r#""accounts": {"alice": {"uosmo": "1.5"}}"#),
        "t.json: accounts.alice.uosmo: expected a decimal integer string like \"100000000\", \
         got \"1.5\""
    );
    assert_eq!(
        config_err(r#""provider": {"validators": [{"name": "v", "stake": ""}]}"#),
        "t.json: provider.validators[0].stake: expected a decimal integer string like \
         \"100000000\", got \"\""
    );
}

/// Bad durations and ratios name the path and the accepted forms.
#[test]
fn bad_durations_and_ratios() {
    assert_eq!(
        step_err(r#"{"wait": "10 minutes"}"#),
        "t.json: steps[0].wait: expected a duration like \"500ms\", \"30s\", \"10m\", \"2h\", \
         \"21d\" or an integer number of seconds, got \"10 minutes\""
    );
    assert_eq!(
        config_err(
            r#""consumers": [{"chain_id": "juno", "link": {"delay": {"min": "9s", "max": "1s"}}}]"#
        ),
        "t.json: consumers[0].link.delay: delay range min (9s) is larger than max (1s)"
    );
    assert_eq!(
        config_err(r#""consumers": [{"chain_id": "juno", "price": 0.5}]"#),
        "t.json: consumers[0].price: expected a decimal string like \"0.5\", got the number 0.5 \
         (write it as a string: \"0.5\")"
    );
}

/// Missing required fields and wrong JSON types are reported where they occur.
#[test]
fn missing_fields_and_wrong_types() {
    assert_eq!(parse_err(r#"{"seed": 1}"#), "t.json: missing field `name`");
    assert_eq!(
        parse_err("[]"),
        "t.json: invalid type: sequence, expected a scenario object"
    );
    assert_eq!(
        config_err(r#""consumers": [{"denom": "ujuno"}]"#),
        "t.json: consumers[0]: missing field `chain_id`"
    );
    assert_eq!(
        config_err(r#""provider": ["provider", "uosmo"]"#),
        "t.json: provider: invalid type: sequence, expected a provider object"
    );
    assert_eq!(
        step_err(r#"{"bond": ["alice", "5"]}"#),
        "t.json: steps[0].bond: invalid type: sequence, expected an object {\"user\", \"amount\"}"
    );
    assert_eq!(
        config_err(r#""consumers": [["juno"]]"#),
        "t.json: consumers[0]: invalid type: sequence, expected a consumer object like \
         {\"chain_id\": \"juno\"}"
    );
    assert_eq!(
        step_err(r#"{"fault": ["juno", "1s"]}"#),
        "t.json: steps[0].fault: invalid type: sequence, expected a fault object"
    );
    assert_eq!(
        step_err(r#"{"bond": {"user": "alice"}}"#),
        "t.json: steps[0].bond: missing field `amount`"
    );
}

/// Unknown users, consumers, chains and links are named with the known ones.
#[test]
fn unknown_references() {
    assert_eq!(
        step_err(r#"{"bond": {"user": "bob", "amount": "5"}}"#),
        "t.json: steps[0].bond.user: unknown user \"bob\" (known: alice)"
    );
    assert_eq!(
        step_err(
            r#"{"stake_remote": {"user": "alice", "consumer": "osmo", "validator": "v", "amount": "5"}}"#
        ),
        "t.json: steps[0].stake_remote.consumer: unknown consumer \"osmo\" (known: juno)"
    );
    assert_eq!(
        step_err(r#"{"jail": {"chain": "osmo", "validator": "v"}}"#),
        "t.json: steps[0].jail.chain: unknown chain \"osmo\" (known: provider, juno)"
    );
    assert_eq!(
        step_err(r#"{"fault": {"link": "osmo", "drop_next": 1}}"#),
        "t.json: steps[0].fault.link: unknown link \"osmo\" (links are named by their \
         consumer's chain_id; known: juno)"
    );
    assert_eq!(
        step_err(r#"{"fault": {"chain": "osmo", "halt": "1h"}}"#),
        "t.json: steps[0].fault.chain: unknown chain \"osmo\" (known: provider, juno)"
    );
    assert_eq!(
        step_err(r#"{"epoch": {"consumer": "osmo"}}"#),
        "t.json: steps[0].epoch.consumer: unknown consumer \"osmo\" (known: juno)"
    );
    assert_eq!(
        parse_err(r#"{"name": "t", "steps": [{"release_local": {"user": "alice"}}]}"#),
        "t.json: steps[0].release_local.user: unknown user \"alice\" (known: none)"
    );
}

/// Unknown validators are rejected on the chain the step acts on ...
#[test]
fn unknown_validators() {
    assert_eq!(
        step_err(
            r#"{"settle": {}}, {"settle": {}}, {"stake_remote": {"user": "alice", "consumer": "juno", "validator": "nobody", "amount": "10"}}"#
        ),
        "t.json: steps[2].stake_remote.validator: unknown validator \"nobody\" on consumer \
         \"juno\" (known: juno-val1)"
    );
    assert_eq!(
        step_err(r#"{"stake_local": {"user": "alice", "validator": "juno-val1", "amount": "10"}}"#),
        "t.json: steps[0].stake_local.validator: unknown validator \"juno-val1\" on provider \
         \"provider\" (known: val1)"
    );
    assert_eq!(
        step_err(r#"{"tombstone": {"chain": "juno", "validator": "val1"}}"#),
        "t.json: steps[0].tombstone.validator: unknown validator \"val1\" on consumer \"juno\" \
         (known: juno-val1)"
    );
    assert_eq!(
        step_err(
            r#"{"withdraw_rewards": {"user": "alice", "consumer": "juno", "validator": "x", "recipient": "r"}}"#
        ),
        "t.json: steps[0].withdraw_rewards.validator: unknown validator \"x\" on consumer \
         \"juno\" (known: juno-val1)"
    );
}

/// Validator-set steps: a new validator needs a fresh name and a stake; it is known to the
/// steps after it (not before); the evidence power is a whole number.
#[test]
fn validator_set_steps() {
    assert_eq!(
        step_err(r#"{"add_validator": {"chain": "juno", "validator": "v2", "stake": "0"}}"#),
        "t.json: steps[0].add_validator.stake: must be greater than 0 (a validator needs a \
         self-bond)"
    );
    assert_eq!(
        step_err(r#"{"add_validator": {"chain": "juno", "validator": "juno-val1", "stake": "5"}}"#),
        "t.json: steps[0].add_validator.validator: validator \"juno-val1\" already exists on \
         consumer \"juno\""
    );
    assert_eq!(
        step_err(r#"{"add_validator": {"chain": "osmo", "validator": "v2", "stake": "5"}}"#),
        "t.json: steps[0].add_validator.chain: unknown chain \"osmo\" (known: provider, juno)"
    );
    assert_eq!(
        step_err(r#"{"add_validator": {"chain": "juno", "validator": "v.2", "stake": "5"}}"#),
        "t.json: steps[0].add_validator.validator: \"v.2\" contains \".\", which report paths \
         use as separator"
    );
    assert_eq!(
        step_err(
            r#"{"jail": {"chain": "juno", "validator": "v2"}}, {"add_validator": {"chain": "juno", "validator": "v2", "stake": "5"}}"#
        ),
        "t.json: steps[0].jail.validator: unknown validator \"v2\" on consumer \"juno\" \
         (known: juno-val1)"
    );
    assert_eq!(
        step_err(
            r#"{"add_validator": {"chain": "juno", "validator": "v2", "stake": "5"}}, {"remove_validator": {"chain": "juno", "validator": "v3"}}"#
        ),
        "t.json: steps[1].remove_validator.validator: unknown validator \"v3\" on consumer \
         \"juno\" (known: juno-val1, v2)"
    );
    assert!(step_err(
        r#"{"tombstone": {"chain": "juno", "validator": "juno-val1", "power": "100"}}"#
    )
    .starts_with("t.json: steps[0].tombstone.power: invalid type: string \"100\""));
    assert!(
        step_err(r#"{"tombstone": {"chain": "juno", "validator": "juno-val1", "power": -1}}"#)
            .starts_with("t.json: steps[0].tombstone.power: invalid value: integer `-1`")
    );
}

/// ... but accepted in a step with `expect_error`, where the contract is what rejects them
/// (the example of `docs/scenario.md`); users and consumers are still checked there.
#[test]
fn unknown_validator_with_expect_error_is_accepted() {
    let s = parse(&with_steps(
        r#"{"stake_remote": {"user": "alice", "consumer": "juno", "validator": "nobody", "amount": "10"}, "expect_error": "not active"}"#,
    ));
    assert_eq!(s.steps[0].expect_error.as_deref(), Some("not active"));
    assert_eq!(
        step_err(
            r#"{"stake_remote": {"user": "zed", "consumer": "juno", "validator": "nobody", "amount": "10"}, "expect_error": ""}"#
        ),
        "t.json: steps[0].stake_remote.user: unknown user \"zed\" (known: alice)"
    );
}

/// `expect_error` is refused on steps that drive the run rather than act on a chain.
#[test]
fn expect_error_only_on_actions_that_can_fail() {
    assert_eq!(
        step_err(r#"{"wait": "1s", "expect_error": "x"}"#),
        "t.json: steps[0]: \"expect_error\" is not allowed on a \"wait\" step (only on actions \
         that can fail: bond, unbond, stake_local, unstake_local, restake_local, release_local, \
         stake_remote, unstake_remote, withdraw_unbonded_remote, withdraw_rewards, set_price, set_max_cap, \
         jail, unjail, tombstone, add_validator, remove_validator, close_channel)"
    );
    assert_eq!(
        step_err(
            r#"{"bond": {"user": "alice", "amount": "5"}, "expect_error": "a", "expect_error": "b"}"#
        ),
        "t.json: steps[0]: \"expect_error\" appears twice"
    );
}

/// Faults: an unknown combination of keys, an unknown contract, zero counts.
#[test]
fn bad_faults() {
    assert_eq!(
        step_err(r#"{"fault": {"link": "juno", "halt": "1h"}}"#),
        "t.json: steps[0].fault: a fault is one of {link, delay}, {link, drop_next}, \
         {link, outage}, {chain, halt} or {contract, consumer, fail_next}; got {link, halt}"
    );
    assert_eq!(
        step_err(r#"{"fault": {"link": "juno", "delay": "1s", "drop_next": 1}}"#),
        "t.json: steps[0].fault: a fault is one of {link, delay}, {link, drop_next}, \
         {link, outage}, {chain, halt} or {contract, consumer, fail_next}; got {link, delay, \
         drop_next}"
    );
    assert_eq!(
        step_err(r#"{"fault": {"contract": "vault", "consumer": "juno", "fail_next": 1}}"#),
        "t.json: steps[0].fault.contract: unknown variant `vault`, expected `converter` or \
         `external_staking`"
    );
    assert_eq!(
        step_err(r#"{"fault": {"chain": "juno", "halt": "0s"}}"#),
        "t.json: steps[0].fault.halt: must be greater than 0"
    );
    assert_eq!(
        step_err(r#"{"fault": {"link": "juno", "jitter": "1s"}}"#),
        "t.json: steps[0].fault.jitter: unknown field `jitter`, expected one of `link`, \
         `delay`, `drop_next`, `outage`, `chain`, `halt`, `contract`, `consumer`, `fail_next`"
    );
}

/// Other step values out of range: settle within 0, price 0, duplicate snapshot labels, bad
/// report paths, duplicate report paths, an unusable recipient.
#[test]
fn bad_step_values() {
    assert_eq!(
        step_err(r#"{"settle": {"within": "0s"}}"#),
        "t.json: steps[0].settle.within: must be greater than 0"
    );
    assert_eq!(
        step_err(r#"{"set_price": {"consumer": "juno", "price": "0"}}"#),
        "t.json: steps[0].set_price.price: must be greater than 0, got \"0\""
    );
    assert_eq!(
        step_err(r#"{"snapshot": "a"}, {"settle": {}}, {"snapshot": "a"}"#),
        "t.json: steps[2].snapshot: duplicate snapshot label \"a\" (first at steps[0])"
    );
    assert_eq!(
        step_err(r#"{"snapshot": ""}"#),
        "t.json: steps[0].snapshot: must not be empty"
    );
    assert_eq!(
        step_err(r#"{"expect": {"provider..height": 1}}"#),
        "t.json: steps[0].expect: report path \"provider..height\" has an empty segment"
    );
    assert_eq!(
        step_err(r#"{"expect": {"time": 1, "time": 2}}"#),
        "t.json: steps[0].expect: report path \"time\" appears twice"
    );
    assert_eq!(
        step_err(
            r#"{"withdraw_rewards": {"user": "alice", "consumer": "juno", "validator": "juno-val1", "recipient": ""}}"#
        ),
        "t.json: steps[0].withdraw_rewards.recipient: must not be empty"
    );
}

/// Chain configuration: duplicate or clashing chain ids, duplicate validators, ranges.
#[test]
fn bad_chains() {
    assert_eq!(
        config_err(r#""consumers": [{"chain_id": "juno"}, {"chain_id": "juno"}]"#),
        "t.json: consumers[1].chain_id: duplicate chain_id \"juno\" (also consumers[0])"
    );
    assert_eq!(
        config_err(r#""consumers": [{"chain_id": "provider"}]"#),
        "t.json: consumers[0].chain_id: \"provider\" is the provider's chain_id"
    );
    assert_eq!(
        config_err(r#""consumers": [{"chain_id": "juno", "discount": "1"}]"#),
        "t.json: consumers[0].discount: must be less than 1, got \"1\""
    );
    assert_eq!(
        config_err(r#""consumers": [{"chain_id": "juno", "price": "0"}]"#),
        "t.json: consumers[0].price: must be greater than 0, got \"0\""
    );
    assert_eq!(
        config_err(r#""consumers": [{"chain_id": "juno", "epoch_blocks": 0}]"#),
        "t.json: consumers[0].epoch_blocks: epoch_blocks must be an integer from 1 to \
         864000000000, got 0"
    );
    assert_eq!(
        config_err(r#""provider": {"validators": [{"name": "a"}, {"name": "a"}]}"#),
        "t.json: provider.validators[1].name: duplicate validator name \"a\""
    );
    assert_eq!(
        config_err(r#""consumers": [{"chain_id": "juno", "validators": []}]"#),
        "t.json: consumers[0].validators: a chain needs at least one validator"
    );
    assert_eq!(
        config_err(r#""provider": {"slash_fractions": {"downtime": "1.5"}}"#),
        "t.json: provider.slash_fractions.downtime: must be at most 1, got \"1.5\""
    );
    assert_eq!(
        config_err(
            r#""consumers": [{"chain_id": "juno", "external_staking": {"slash_ratio_dsign": "2"}}]"#
        ),
        "t.json: consumers[0].external_staking.slash_ratio_dsign: must be at most 1, got \"2\""
    );
    assert_eq!(
        config_err(r#""provider": {"block_time": 0}"#),
        "t.json: provider.block_time: must be greater than 0"
    );
    assert_eq!(
        config_err(r#""consumers": [{"chain_id": "juno", "link": {"packet_timeout": "0s"}}]"#),
        "t.json: consumers[0].link.packet_timeout: must be greater than 0"
    );
}

/// Names must be usable as report path keys; denoms follow the Cosmos SDK pattern.
#[test]
fn bad_names() {
    assert_eq!(
        config_err(r#""consumers": [{"chain_id": "juno.1"}]"#),
        "t.json: consumers[0].chain_id: \"juno.1\" contains \".\", which report paths use as \
         separator"
    );
    assert_eq!(
        config_err(r#""accounts": {"": "1"}"#),
        "t.json: accounts.: must not be empty"
    );
    assert_eq!(
        config_err(r#""provider": {"denom": "u"}"#),
        "t.json: provider.denom: invalid denom \"u\": expected 3 to 128 characters, a letter \
         then letters, digits, \"/\", \":\", \".\", \"_\" or \"-\""
    );
    assert_eq!(
        parse_err(r#"{"name": " "}"#),
        "t.json: name: must not be empty"
    );
}

/// The error value carries its parts for callers that format their own output.
#[test]
fn error_parts() {
    let err: ScenarioError = parse_str(
        &with_steps(r#"{"bond": {"user": "bob", "amount": "5"}}"#),
        "f.json",
    )
    .unwrap_err();
    assert_eq!(err.origin, "f.json");
    assert_eq!(
        err.kind,
        ErrorKind::Invalid {
            path: "steps[0].bond.user".into()
        }
    );
    assert_eq!(err.message, "unknown user \"bob\" (known: alice)");
    assert_eq!(
        err.without_origin(),
        "steps[0].bond.user: unknown user \"bob\" (known: alice)"
    );
}

/// `drop_next: 0` and `fail_next: 0` are valid: they lift those faults.
#[test]
fn zero_drop_next_and_fail_next_lift_faults() {
    for step in [
        r#"{"fault": {"link": "juno", "drop_next": 0}}"#,
        r#"{"fault": {"contract": "converter", "consumer": "juno", "fail_next": 0}}"#,
    ] {
        let text = with_steps(step);
        assert!(
            mesh_harness_parse(&text).is_ok(),
            "{step} should be accepted"
        );
    }
}

fn mesh_harness_parse(text: &str) -> Result<crate::scenario::Scenario, String> {
    crate::scenario::parse_str(text, "t.json").map_err(|e| e.to_string())
}

/// The `contracts` section takes the seven roles, each once, each `"native"` or a `.wasm` path;
/// a gas limit is a whole number from 1 to 2^53 - 1.
#[test]
fn bad_contracts_and_gas_limits() {
    assert_eq!(
        config_err(r#""contracts": {"treasury": "native"}"#),
        "t.json: contracts.treasury: unknown contract role \"treasury\", expected one of: vault, \
         native_staking, native_staking_proxy, external_staking, converter, virtual_staking, \
         price_feed"
    );
    assert_eq!(
        config_err(r#""contracts": {"vault": "a.wasm", "vault": "native"}"#),
        "t.json: contracts.vault: \"vault\" appears twice"
    );
    assert_eq!(
        config_err(r#""contracts": {"vault": "vault.so"}"#),
        "t.json: contracts.vault: expected \"native\" or the path of a .wasm file, got \"vault.so\""
    );
    assert_eq!(
        config_err(r#""contracts": {"vault": ".wasm"}"#),
        "t.json: contracts.vault: expected \"native\" or the path of a .wasm file, got \".wasm\""
    );
    assert_eq!(
        config_err(r#""contracts": {"vault": 3}"#),
        "t.json: contracts.vault: invalid type: integer `3`, expected \"native\" or the path of a .wasm file"
    );
    assert_eq!(
        config_err(r#""provider": {"gas_limit": 0}"#),
        "t.json: provider.gas_limit: gas_limit must be an integer from 1 to 9007199254740991, got 0"
    );
    assert_eq!(
        config_err(r#""consumers": [{"chain_id": "juno", "gas_limit": 0}]"#),
        "t.json: consumers[0].gas_limit: gas_limit must be an integer from 1 to 9007199254740991, \
         got 0"
    );
    assert_eq!(
        config_err(r#""provider": {"gas_limit": "5000"}"#),
        "t.json: provider.gas_limit: gas_limit must be an integer from 1 to 9007199254740991, got \
         the string \"5000\" (write it as a number)"
    );
    assert_eq!(
        config_err(r#""provider": {"gas_limit": 18446744073709551615}"#),
        "t.json: provider.gas_limit: gas_limit must be an integer from 1 to 9007199254740991, got \
         18446744073709551615"
    );
}

/// `expect` may name the gas section of a wasm run: contracts as the trace names them, any call
/// kind (it depends on the contract's messages), then count, total or max; a misspelt contract
/// is refused with the closest valid path.
#[test]
fn expect_paths_into_the_gas_section() {
    let with = |path: &str| {
        mesh_harness_parse(&format!(
            r#"{{"name": "t", "consumers": [{{"chain_id": "juno"}}],
                "steps": [{{"expect": {{"{path}": 0}}}}]}}"#
        ))
    };
    for ok in [
        "gas.vault.execute:bond.total",
        "gas.juno:converter.ibc_packet_receive:stake.max",
        "gas.juno.sudo:handle_valset_update.count",
        "gas.native_staking_proxy.execute:stake.count",
    ] {
        assert!(with(ok).is_ok(), "{ok}: {:?}", with(ok).err());
    }
    let err = with("gas.vualt.execute:bond.total").unwrap_err();
    assert!(
        err.contains(r#"did you mean "gas.vault.execute:bond.total"?"#),
        "{err}"
    );
    let err = with("gas.vault.execute:bond.sum").unwrap_err();
    assert!(
        err.contains(
            r#"no "sum" under "gas.vault.execute:bond" (expected one of count, total, max)"#
        ),
        "{err}"
    );
}
