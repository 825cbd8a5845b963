//! Checks a parsed scenario: the rules that relate several values, which a JSON Schema cannot
//! state (the rules on single values are in `rules.rs`, shared with the schema).
//!
//! Rules (each error names the JSON path of the offending value):
//! - chain ids are unique and no consumer uses the provider's; validator names are unique per
//!   chain; a delay range has `min <= max`;
//! - steps name known users (keys of `accounts`), consumers, chains and links; validators must
//!   exist on the chain the step acts on (at genesis or from an earlier `add_validator`), except
//!   in a step with `expect_error` (the contracts are what reject an unknown validator there);
//!   `add_validator` names a new validator with a stake above 0;
//! - snapshot labels are unique; every `expect` path is one the report can contain
//!   (`paths.rs`), named with the closest valid path when not;
//! - the limits of `limits.rs`: the time the steps can take, each chain's supply, conversions.

use std::collections::BTreeSet;
use std::fmt;

use super::limits;
use super::model::{Scenario, ValidatorSpec};
use super::paths;
use super::step::{Action, Fault, Step};
use super::values::Delay;

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

pub(super) type Check = Result<(), ValidationError>;

pub(super) fn fail(path: impl Into<String>, message: impl Into<String>) -> Check {
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

fn check_unique_validators(path: &str, validators: &[ValidatorSpec]) -> Check {
    let mut seen = BTreeSet::new();
    for (i, v) in validators.iter().enumerate() {
        if !seen.insert(v.name.as_str()) {
            return fail(
                format!("{path}[{i}].name"),
                format!("duplicate validator name {:?}", v.name),
            );
        }
    }
    Ok(())
}

fn check_delay(path: &str, delay: &Delay) -> Check {
    if let Delay::Range { min, max } = delay {
        if min > max {
            return fail(
                path,
                format!("delay range min ({min}) is larger than max ({max})"),
            );
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
    /// The accounts' names, in key order.
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
        // In key order (the accounts' map): a binary search keeps a step's check independent of
        // how many users there are.
        if self.users.binary_search(&user).is_ok() {
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
    /// Checks references, uniqueness, report paths and limits; returns the first error with its
    /// JSON path. (The rules on single values are checked while parsing.)
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_unique_validators("provider.validators", &self.provider.validators)?;
        self.validate_consumers()?;
        let mut names = Names::new(self);
        let shape = paths::report_shape(self);
        let mut labels: Vec<(&str, usize)> = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            validate_step(&names, i, step)?;
            if let (Action::AddValidator(a), None) = (&step.action, &step.expect_error) {
                names.add_validator(&a.chain, &a.validator);
            }
            match &step.action {
                Action::Snapshot(label) => {
                    if let Some((_, first)) = labels.iter().find(|(l, _)| l == label) {
                        return fail(
                            format!("steps[{i}].snapshot"),
                            format!("duplicate snapshot label {label:?} (first at steps[{first}])"),
                        );
                    }
                    labels.push((label, i));
                }
                Action::Expect(e) => {
                    for (path, _) in e.iter() {
                        paths::check_path(&shape, path)
                            .or_else(|m| fail(format!("steps[{i}].expect"), m))?;
                    }
                }
                _ => {}
            }
        }
        limits::check(self)
    }

    fn validate_consumers(&self) -> Check {
        for (i, c) in self.consumers.iter().enumerate() {
            let p = format!("consumers[{i}]");
            let id_path = format!("{p}.chain_id");
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
            check_unique_validators(&format!("{p}.validators"), &c.validators)?;
            check_delay(&format!("{p}.link.delay"), &c.link.delay)?;
        }
        Ok(())
    }
}

fn validate_step(names: &Names, i: usize, step: &Step) -> Check {
    let action = &step.action;
    let p = format!("steps[{i}].{}", action.name());
    let at = |field: &str| format!("{p}.{field}");
    let lenient = step.expect_error.is_some();
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
        Action::RestakeLocal(a) => {
            names.user(&at("user"), &a.user)?;
            for (field, validator) in [("from", &a.from), ("to", &a.to)] {
                check_validator(
                    &at(field),
                    validator,
                    &names.provider_validators,
                    &provider_desc,
                    lenient,
                )?;
            }
            Ok(())
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
            check_validator(&at("validator"), &a.validator, vals, &desc, lenient)
        }
        Action::Wait(_) | Action::Settle(_) | Action::Drain(_) => Ok(()),
        Action::Epoch(a) | Action::CloseChannel(a) => {
            names.consumer(&at("consumer"), &a.consumer).map(|_| ())
        }
        Action::SetPrice(a) => names.consumer(&at("consumer"), &a.consumer).map(|_| ()),
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
        // Paths and labels: checked in `validate` with the report's shape.
        Action::Expect(_) | Action::Snapshot(_) => Ok(()),
    }
}

fn validate_fault(names: &Names, p: &str, fault: &Fault) -> Check {
    let at = |field: &str| format!("{p}.{field}");
    match fault {
        Fault::LinkDelay { link, delay } => {
            names.link(&at("link"), link)?;
            check_delay(&at("delay"), delay)
        }
        // `drop_next: 0` and `fail_next: 0` lift the fault.
        Fault::LinkDrop { link, .. } => names.link(&at("link"), link),
        Fault::LinkOutage { link, .. } => names.link(&at("link"), link),
        Fault::ChainHalt { chain, .. } => names.chain(&at("chain"), chain).map(|_| ()),
        Fault::ContractFail { consumer, .. } => {
            names.consumer(&at("consumer"), consumer).map(|_| ())
        }
    }
}
