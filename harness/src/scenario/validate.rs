//! Checks a parsed scenario: names, references between steps and chains, value ranges.
//!
//! Rules (each error names the JSON path of the offending value):
//! - names of chains, validators and accounts are non-empty and contain no `.` (they are keys of
//!   the dot-separated report paths); denoms follow the Cosmos SDK pattern;
//! - chain ids are unique and no consumer uses the provider's; validator names are unique per
//!   chain and every chain has at least one validator;
//! - ratios: slash ratios and fractions at most 1, discount below 1, price above 0;
//!   block times, packet timeouts, `settle.within`, outages and halts above 0;
//!   `epoch_blocks` at least 1 (`drop_next` / `fail_next` of 0 lift those faults);
//! - steps name known users (keys of `accounts`), consumers, chains and links; validators must
//!   exist on the chain the step acts on (at genesis or from an earlier `add_validator`), except
//!   in a step with `expect_error` (the contracts are what reject an unknown validator there);
//!   `add_validator` names a new validator with a stake above 0; `withdraw_rewards.recipient`
//!   is any account name;
//! - `expect_error` only on actions that can fail (see [`Action::accepts_expect_error`]);
//!   snapshot labels are unique; report paths in `expect` have no empty segment.

use std::collections::BTreeSet;
use std::fmt;

use cosmwasm_std::Decimal;

use super::model::{Scenario, ValidatorSpec};
use super::step::{actions_accepting_expect_error, Action, Fault, Step};
use super::values::{DurationValue, Ratio};

/// A scenario that parsed but is not valid: where, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// JSON path of the offending value, like `steps[2].stake_remote.validator`.
    pub path: String,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ValidationError {}

type Check = Result<(), ValidationError>;

fn fail(path: impl Into<String>, message: impl Into<String>) -> Check {
    Err(ValidationError {
        path: path.into(),
        message: message.into(),
    })
}

/// `"a", "b"` → `a, b`, or `none`.
fn known(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

fn check_name(path: &str, name: &str) -> Check {
    if name.is_empty() {
        return fail(path, "must not be empty");
    }
    if name.contains('.') {
        return fail(
            path,
            format!("{name:?} contains \".\", which report paths use as separator"),
        );
    }
    Ok(())
}

fn check_denom(path: &str, denom: &str) -> Check {
    let mut chars = denom.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c));
    if first_ok && rest_ok && (3..=128).contains(&denom.len()) {
        Ok(())
    } else {
        fail(
            path,
            format!(
                "invalid denom {denom:?}: expected 3 to 128 characters, a letter then letters, \
                 digits, \"/\", \":\", \".\", \"_\" or \"-\""
            ),
        )
    }
}

fn check_at_most_one(path: &str, r: Ratio) -> Check {
    if r.0 > Decimal::one() {
        return fail(path, format!("must be at most 1, got \"{r}\""));
    }
    Ok(())
}

fn check_positive_duration(path: &str, d: DurationValue) -> Check {
    if d.is_zero() {
        return fail(path, "must be greater than 0");
    }
    Ok(())
}

fn check_validators(path: &str, validators: &[ValidatorSpec]) -> Check {
    if validators.is_empty() {
        return fail(path, "a chain needs at least one validator");
    }
    let mut seen = BTreeSet::new();
    for (i, v) in validators.iter().enumerate() {
        let p = format!("{path}[{i}].name");
        check_name(&p, &v.name)?;
        if !seen.insert(v.name.as_str()) {
            return fail(p, format!("duplicate validator name {:?}", v.name));
        }
    }
    Ok(())
}

/// Names known to the steps, collected from the scenario's configuration.
struct Names<'a> {
    provider: &'a str,
    provider_validators: Vec<&'a str>,
    /// (chain id, validators) of each consumer, in file order.
    consumers: Vec<(&'a str, Vec<&'a str>)>,
    users: Vec<&'a str>,
}

impl<'a> Names<'a> {
    fn new(s: &'a Scenario) -> Self {
        let names = |vs: &'a [ValidatorSpec]| vs.iter().map(|v| v.name.as_str()).collect();
        Names {
            provider: &s.provider.chain_id,
            provider_validators: names(&s.provider.validators),
            consumers: s
                .consumers
                .iter()
                .map(|c| (c.chain_id.as_str(), names(&c.validators)))
                .collect(),
            users: s.accounts.keys().map(String::as_str).collect(),
        }
    }

    fn consumer_ids(&self) -> Vec<&'a str> {
        self.consumers.iter().map(|(id, _)| *id).collect()
    }

    fn user(&self, path: &str, user: &str) -> Check {
        if self.users.contains(&user) {
            return Ok(());
        }
        fail(
            path,
            format!("unknown user {user:?} (known: {})", known(&self.users)),
        )
    }

    fn consumer(&self, path: &str, consumer: &str) -> Result<&[&'a str], ValidationError> {
        match self.consumers.iter().find(|(id, _)| *id == consumer) {
            Some((_, validators)) => Ok(validators),
            None => Err(ValidationError {
                path: path.to_owned(),
                message: format!(
                    "unknown consumer {consumer:?} (known: {})",
                    known(&self.consumer_ids())
                ),
            }),
        }
    }

    fn link(&self, path: &str, link: &str) -> Check {
        if self.consumers.iter().any(|(id, _)| *id == link) {
            return Ok(());
        }
        fail(
            path,
            format!(
                "unknown link {link:?} (links are named by their consumer's chain_id; known: {})",
                known(&self.consumer_ids())
            ),
        )
    }

    /// From an `add_validator` step on: `validator` exists on `chain`.
    fn add_validator(&mut self, chain: &str, validator: &'a str) {
        if chain == self.provider {
            self.provider_validators.push(validator);
        } else if let Some((_, validators)) = self.consumers.iter_mut().find(|(id, _)| *id == chain)
        {
            validators.push(validator);
        }
    }

    /// The validators of a chain (provider or consumer), and how to name the chain.
    fn chain(&self, path: &str, chain: &str) -> Result<(&[&'a str], String), ValidationError> {
        if chain == self.provider {
            return Ok((&self.provider_validators, format!("provider {chain:?}")));
        }
        if let Some((_, validators)) = self.consumers.iter().find(|(id, _)| *id == chain) {
            return Ok((validators, format!("consumer {chain:?}")));
        }
        let mut all = vec![self.provider];
        all.extend(self.consumer_ids());
        Err(ValidationError {
            path: path.to_owned(),
            message: format!("unknown chain {chain:?} (known: {})", known(&all)),
        })
    }
}

/// Checks that `validator` is one of `validators` of `chain_desc`, unless the step expects an
/// error (then the contracts decide).
fn check_validator(
    path: &str,
    validator: &str,
    validators: &[&str],
    chain_desc: &str,
    lenient: bool,
) -> Check {
    if lenient || validators.contains(&validator) {
        return Ok(());
    }
    fail(
        path,
        format!(
            "unknown validator {validator:?} on {chain_desc} (known: {})",
            known(validators)
        ),
    )
}

impl Scenario {
    /// Checks names, references and value ranges; returns the first error with its JSON path.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.name.trim().is_empty() {
            return fail("name", "must not be empty");
        }
        self.validate_provider()?;
        self.validate_consumers()?;
        for (user, balance) in &self.accounts {
            let p = format!("accounts.{user}");
            check_name(&p, user)?;
            if let super::model::AccountBalance::Denoms(m) = balance {
                for denom in m.keys() {
                    check_denom(&format!("{p}.{denom}"), denom)?;
                }
            }
        }
        let mut names = Names::new(self);
        let mut labels: Vec<(&str, usize)> = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            validate_step(&names, i, step)?;
            if let (Action::AddValidator(a), None) = (&step.action, &step.expect_error) {
                names.add_validator(&a.chain, &a.validator);
            }
            if let Action::Snapshot(label) = &step.action {
                if let Some((_, first)) = labels.iter().find(|(l, _)| l == label) {
                    return fail(
                        format!("steps[{i}].snapshot"),
                        format!("duplicate snapshot label {label:?} (first at steps[{first}])"),
                    );
                }
                labels.push((label, i));
            }
        }
        Ok(())
    }

    fn validate_provider(&self) -> Check {
        let p = &self.provider;
        check_name("provider.chain_id", &p.chain_id)?;
        check_denom("provider.denom", &p.denom)?;
        check_positive_duration("provider.block_time", p.block_time)?;
        check_validators("provider.validators", &p.validators)?;
        check_at_most_one(
            "provider.native_staking.slash_ratio_dsign",
            p.native_staking.slash_ratio_dsign,
        )?;
        check_at_most_one(
            "provider.native_staking.slash_ratio_offline",
            p.native_staking.slash_ratio_offline,
        )?;
        check_at_most_one(
            "provider.slash_fractions.double_sign",
            p.slash_fractions.double_sign,
        )?;
        check_at_most_one(
            "provider.slash_fractions.downtime",
            p.slash_fractions.downtime,
        )
    }

    fn validate_consumers(&self) -> Check {
        for (i, c) in self.consumers.iter().enumerate() {
            let p = format!("consumers[{i}]");
            let id_path = format!("{p}.chain_id");
            check_name(&id_path, &c.chain_id)?;
            if c.chain_id == self.provider.chain_id {
                return fail(
                    id_path,
                    format!("{:?} is the provider's chain_id", c.chain_id),
                );
            }
            if let Some(j) = self.consumers[..i]
                .iter()
                .position(|o| o.chain_id == c.chain_id)
            {
                return fail(
                    id_path,
                    format!("duplicate chain_id {:?} (also consumers[{j}])", c.chain_id),
                );
            }
            check_denom(&format!("{p}.denom"), &c.denom)?;
            check_positive_duration(&format!("{p}.block_time"), c.block_time)?;
            check_validators(&format!("{p}.validators"), &c.validators)?;
            if c.price.0.is_zero() {
                return fail(format!("{p}.price"), "must be greater than 0");
            }
            if c.discount.0 >= Decimal::one() {
                return fail(
                    format!("{p}.discount"),
                    format!("must be less than 1, got \"{}\"", c.discount),
                );
            }
            if c.epoch_blocks == 0 {
                return fail(format!("{p}.epoch_blocks"), "must be at least 1");
            }
            let ratios = [
                ("slash_fractions.double_sign", c.slash_fractions.double_sign),
                ("slash_fractions.downtime", c.slash_fractions.downtime),
                (
                    "external_staking.slash_ratio_dsign",
                    c.external_staking.slash_ratio_dsign,
                ),
                (
                    "external_staking.slash_ratio_offline",
                    c.external_staking.slash_ratio_offline,
                ),
            ];
            for (field, r) in ratios {
                check_at_most_one(&format!("{p}.{field}"), r)?;
            }
            check_positive_duration(&format!("{p}.link.packet_timeout"), c.link.packet_timeout)?;
        }
        Ok(())
    }
}

fn validate_step(names: &Names, i: usize, step: &Step) -> Check {
    let action = &step.action;
    let p = format!("steps[{i}].{}", action.name());
    let at = |field: &str| format!("{p}.{field}");
    let lenient = step.expect_error.is_some();
    if lenient && !action.accepts_expect_error() {
        return fail(
            format!("steps[{i}].expect_error"),
            format!(
                "not allowed on a {:?} step (only on actions that can fail: {})",
                action.name(),
                actions_accepting_expect_error().join(", ")
            ),
        );
    }
    let provider_desc = format!("provider {:?}", names.provider);
    match action {
        Action::Bond(a) | Action::Unbond(a) => names.user(&at("user"), &a.user),
        Action::StakeLocal(a) | Action::UnstakeLocal(a) => {
            names.user(&at("user"), &a.user)?;
            check_validator(
                &at("validator"),
                &a.validator,
                &names.provider_validators,
                &provider_desc,
                lenient,
            )
        }
        Action::ReleaseLocal(a) => names.user(&at("user"), &a.user),
        Action::StakeRemote(a) | Action::UnstakeRemote(a) => {
            names.user(&at("user"), &a.user)?;
            let vals = names.consumer(&at("consumer"), &a.consumer)?;
            let desc = format!("consumer {:?}", a.consumer);
            check_validator(&at("validator"), &a.validator, vals, &desc, lenient)
        }
        Action::WithdrawUnbondedRemote(a) => {
            names.user(&at("user"), &a.user)?;
            names.consumer(&at("consumer"), &a.consumer).map(|_| ())
        }
        Action::WithdrawRewards(a) => {
            names.user(&at("user"), &a.user)?;
            let vals = names.consumer(&at("consumer"), &a.consumer)?;
            let desc = format!("consumer {:?}", a.consumer);
            check_validator(&at("validator"), &a.validator, vals, &desc, lenient)?;
            check_name(&at("recipient"), &a.recipient)
        }
        Action::Wait(_) => Ok(()),
        Action::Settle(a) => match a.within {
            Some(d) => check_positive_duration(&at("within"), d),
            None => Ok(()),
        },
        Action::Epoch(a) | Action::CloseChannel(a) => {
            names.consumer(&at("consumer"), &a.consumer).map(|_| ())
        }
        Action::SetPrice(a) => {
            names.consumer(&at("consumer"), &a.consumer)?;
            if a.price.0.is_zero() {
                return fail(at("price"), "must be greater than 0");
            }
            Ok(())
        }
        Action::SetMaxCap(a) => names.consumer(&at("consumer"), &a.consumer).map(|_| ()),
        Action::Jail(a) | Action::Unjail(a) | Action::RemoveValidator(a) => {
            let (vals, desc) = names.chain(&at("chain"), &a.chain)?;
            check_validator(&at("validator"), &a.validator, vals, &desc, lenient)
        }
        Action::Tombstone(a) => {
            let (vals, desc) = names.chain(&at("chain"), &a.chain)?;
            check_validator(&at("validator"), &a.validator, vals, &desc, lenient)
        }
        Action::AddValidator(a) => {
            let (vals, desc) = names.chain(&at("chain"), &a.chain)?;
            check_name(&at("validator"), &a.validator)?;
            if a.stake.0 == 0 {
                return fail(
                    at("stake"),
                    "must be greater than 0 (a validator needs a self-bond)",
                );
            }
            if !lenient && vals.contains(&a.validator.as_str()) {
                return fail(
                    at("validator"),
                    format!("validator {:?} already exists on {desc}", a.validator),
                );
            }
            Ok(())
        }
        Action::Fault(f) => validate_fault(names, &p, f),
        Action::Expect(e) => {
            for (path, _) in e.iter() {
                if path.is_empty() || path.split('.').any(str::is_empty) {
                    return fail(
                        p.clone(),
                        format!("report path {path:?} has an empty segment"),
                    );
                }
            }
            Ok(())
        }
        Action::Snapshot(label) => {
            if label.is_empty() {
                return fail(p, "must not be empty");
            }
            Ok(())
        }
    }
}

fn validate_fault(names: &Names, p: &str, fault: &Fault) -> Check {
    let at = |field: &str| format!("{p}.{field}");
    match fault {
        Fault::LinkDelay { link, .. } => names.link(&at("link"), link),
        // `drop_next: 0` and `fail_next: 0` lift the fault.
        Fault::LinkDrop { link, .. } => names.link(&at("link"), link),
        Fault::LinkOutage { link, outage } => {
            names.link(&at("link"), link)?;
            check_positive_duration(&at("outage"), *outage)
        }
        Fault::ChainHalt { chain, halt } => {
            names.chain(&at("chain"), chain)?;
            check_positive_duration(&at("halt"), *halt)
        }
        Fault::ContractFail { consumer, .. } => {
            names.consumer(&at("consumer"), consumer).map(|_| ())
        }
    }
}
