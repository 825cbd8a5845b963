//! What the state report can contain, as a tree of keys built from the scenario's names, so an
//! `expect` path is checked at load: a misspelt key, a user or validator the scenario does not
//! have, or a path past a leaf is bad input, named with the closest valid path.
//!
//! The tree follows `report.rs` (docs/report.md): fixed keys, and keys taken
//! from the scenario's users, validators, consumers and denoms. A new report section, or a new
//! source of names (a step that adds a validator), is one line in [`report_shape`] or
//! [`validators_of`].

use std::collections::BTreeSet;
use std::rc::Rc;

use super::model::Scenario;
use super::step::Action;

/// What a leaf of the report holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leaf {
    /// An amount (a decimal string; omitted when zero).
    Amount,
    /// A value range: an amount when settled, else `{low, high}` (so `.low` and `.high` may
    /// follow).
    Range,
    /// A count or height (a number).
    Count,
    /// A text (a time, a validator's status, a decimal).
    Text,
    /// `true` (omitted when false).
    Flag,
}

impl Leaf {
    fn describe(self) -> &'static str {
        match self {
            Leaf::Amount => "an amount",
            Leaf::Range => "a value range (only .low or .high may follow)",
            Leaf::Count => "a number",
            Leaf::Text => "a text",
            Leaf::Flag => "true (omitted when false)",
        }
    }
}

/// One node of the report's shape.
#[derive(Clone, Debug)]
pub enum Node {
    /// A value.
    Leaf(Leaf),
    /// An object with these keys, each with its own shape.
    Object(Vec<(String, Rc<Node>)>),
    /// An object keyed by names (`what` says which), each with the same shape.
    Each {
        /// The names.
        names: Vec<String>,
        /// What they are, for messages ("user", "validator of juno").
        what: String,
        /// The shape under each name.
        child: Rc<Node>,
    },
    /// An object whose keys are open (the call kinds of a contract, which depend on its code),
    /// each with the same shape.
    Any {
        /// What the keys are, for messages.
        what: String,
        /// The shape under each key.
        child: Rc<Node>,
    },
}

fn leaf(l: Leaf) -> Rc<Node> {
    Rc::new(Node::Leaf(l))
}

fn object(fields: Vec<(&str, Rc<Node>)>) -> Rc<Node> {
    Rc::new(Node::Object(
        fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    ))
}

fn each(names: Vec<String>, what: impl Into<String>, child: Rc<Node>) -> Rc<Node> {
    Rc::new(Node::Each {
        names,
        what: what.into(),
        child,
    })
}

/// The validators a chain may have in the report: its configured ones, and any a step names on
/// it (a step that adds validators adds them here).
pub fn validators_of(scenario: &Scenario, chain: &str) -> Vec<String> {
    let mut names: BTreeSet<String> = BTreeSet::new();
    if chain == scenario.provider.chain_id {
        names.extend(scenario.provider.validators.iter().map(|v| v.name.clone()));
    }
    if let Some(c) = scenario.consumer(chain) {
        names.extend(c.validators.iter().map(|v| v.name.clone()));
    }
    for step in &scenario.steps {
        let named = match &step.action {
            Action::Jail(v) | Action::Unjail(v) | Action::RemoveValidator(v) => {
                Some((&v.chain, &v.validator))
            }
            Action::Tombstone(v) => Some((&v.chain, &v.validator)),
            Action::AddValidator(v) => Some((&v.chain, &v.validator)),
            _ => None,
        };
        if let Some((_, v)) = named.filter(|(c, _)| *c == chain) {
            names.insert(v.clone());
        }
    }
    names.into_iter().collect()
}

/// The shape of the whole report of `scenario`.
pub fn report_shape(scenario: &Scenario) -> Node {
    let users: Vec<String> = scenario.accounts.keys().cloned().collect();
    let consumers: Vec<String> = scenario
        .consumers
        .iter()
        .map(|c| c.chain_id.clone())
        .collect();
    Node::Object(
        [
            ("time", leaf(Leaf::Text)),
            ("time_ms", leaf(Leaf::Count)),
            ("provider", provider_shape(scenario, &users, &consumers)),
            ("consumers", consumers_shape(scenario)),
            ("ibc", ibc_shape(&consumers)),
            ("gas", gas_shape(&consumers)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
    )
}

/// A validator of a chain's staking module in the report: tokens, status and flags.
fn validator_shape() -> Rc<Node> {
    object(vec![
        ("tokens", leaf(Leaf::Amount)),
        ("status", leaf(Leaf::Text)),
        ("jailed", leaf(Leaf::Flag)),
        ("tombstoned", leaf(Leaf::Flag)),
    ])
}

fn provider_shape(scenario: &Scenario, users: &[String], consumers: &[String]) -> Rc<Node> {
    let provider = &scenario.provider.chain_id;
    let validators = validators_of(scenario, provider);
    let mut denoms: BTreeSet<String> = BTreeSet::from([scenario.provider.denom.clone()]);
    for balance in scenario.genesis_balances().values() {
        denoms.extend(balance.keys().cloned());
    }
    let mut lienholders = vec!["native".to_owned()];
    lienholders.extend(consumers.iter().cloned());
    let account = object(vec![
        ("collateral", leaf(Leaf::Amount)),
        ("max_lien", leaf(Leaf::Range)),
        ("slashable", leaf(Leaf::Range)),
        ("free", leaf(Leaf::Range)),
        (
            "liens",
            each(
                lienholders,
                "lienholder (\"native\" or a consumer)",
                leaf(Leaf::Range),
            ),
        ),
    ]);
    let native = object(vec![
        (
            "delegations",
            each(
                validators.clone(),
                format!("validator of {provider}"),
                leaf(Leaf::Amount),
            ),
        ),
        ("unbonding", leaf(Leaf::Amount)),
    ]);
    let external = Node::Object(
        scenario
            .consumers
            .iter()
            .map(|c| {
                let vals = validators_of(scenario, &c.chain_id);
                let what = format!("validator of {}", c.chain_id);
                let stake = object(vec![
                    ("stake", leaf(Leaf::Range)),
                    ("pending_unbonds", leaf(Leaf::Amount)),
                ]);
                let part = object(vec![
                    (
                        "stakes",
                        each(
                            users.to_vec(),
                            "user",
                            each(vals.clone(), what.clone(), stake),
                        ),
                    ),
                    ("pending_txs", leaf(Leaf::Count)),
                    (
                        "validators",
                        each(vals.clone(), what.clone(), leaf(Leaf::Text)),
                    ),
                    (
                        "rewards",
                        each(users.to_vec(), "user", each(vals, what, leaf(Leaf::Amount))),
                    ),
                ]);
                (c.chain_id.clone(), part)
            })
            .collect(),
    );
    object(vec![
        ("height", leaf(Leaf::Count)),
        ("time", leaf(Leaf::Text)),
        (
            "balances",
            each(
                users.to_vec(),
                "user",
                each(denoms.into_iter().collect(), "denom", leaf(Leaf::Amount)),
            ),
        ),
        (
            "vault",
            object(vec![
                ("accounts", each(users.to_vec(), "user", account)),
                ("pending_txs", leaf(Leaf::Count)),
            ]),
        ),
        ("native", each(users.to_vec(), "user", native)),
        ("external", Rc::new(external)),
        (
            "validators",
            each(
                validators,
                format!("validator of {provider}"),
                validator_shape(),
            ),
        ),
    ])
}

/// Accounts on a consumer chain the report shows: the recipients of its rewards.
fn consumer_accounts(scenario: &Scenario, consumer: &str) -> Vec<String> {
    let mut names = BTreeSet::new();
    for step in &scenario.steps {
        if let Action::WithdrawRewards(w) = &step.action {
            if w.consumer == consumer {
                names.insert(w.recipient.clone());
            }
        }
    }
    names.into_iter().collect()
}

fn consumers_shape(scenario: &Scenario) -> Rc<Node> {
    Rc::new(Node::Object(
        scenario
            .consumers
            .iter()
            .map(|c| {
                let vals = validators_of(scenario, &c.chain_id);
                let what = format!("validator of {}", c.chain_id);
                let part = object(vec![
                    ("height", leaf(Leaf::Count)),
                    ("time", leaf(Leaf::Text)),
                    (
                        "balances",
                        each(
                            consumer_accounts(scenario, &c.chain_id),
                            format!("account on {} (a reward recipient)", c.chain_id),
                            each(vec![c.denom.clone()], "denom", leaf(Leaf::Amount)),
                        ),
                    ),
                    (
                        "virtual_staking",
                        object(vec![
                            (
                                "requests",
                                each(vals.clone(), what.clone(), leaf(Leaf::Amount)),
                            ),
                            (
                                "delegated",
                                each(vals.clone(), what.clone(), leaf(Leaf::Amount)),
                            ),
                            ("total_delegated", leaf(Leaf::Amount)),
                            ("shares", each(vals.clone(), what.clone(), leaf(Leaf::Text))),
                        ]),
                    ),
                    ("validators", each(vals, what, validator_shape())),
                ]);
                (c.chain_id.clone(), part)
            })
            .collect(),
    ))
}

/// The `gas` section (runs with wasm contracts only): per contract, named as in the trace, and
/// per call kind (`execute:bond`, `ibc_packet_receive:stake`; whatever the code's messages are),
/// the count, total and largest gas.
fn gas_shape(consumers: &[String]) -> Rc<Node> {
    let mut contracts = vec![
        "vault".to_owned(),
        "native".to_owned(),
        "native_staking_proxy".to_owned(),
    ];
    contracts.extend(consumers.iter().cloned());
    for c in consumers {
        for contract in ["price-feed", "converter", "virtual-staking"] {
            contracts.push(mesh_actors::testnet::consumer_contract(c, contract));
        }
    }
    contracts.sort();
    let stats = object(vec![
        ("count", leaf(Leaf::Count)),
        ("total", leaf(Leaf::Count)),
        ("max", leaf(Leaf::Count)),
    ]);
    each(
        contracts,
        "contract",
        Rc::new(Node::Any {
            what: "call kind (entry point and message, e.g. execute:bond)".to_owned(),
            child: stats,
        }),
    )
}

fn ibc_shape(consumers: &[String]) -> Rc<Node> {
    let kinds = [
        "stake",
        "unstake",
        "burn",
        "transfer_rewards",
        "valset_update",
        "internal_unstake",
        "distribute_batch",
    ];
    let mut fields: Vec<(&str, Rc<Node>)> = [
        "sent",
        "received",
        "acked_ok",
        "acked_error",
        "timed_out",
        "in_flight",
    ]
    .into_iter()
    .map(|k| (k, leaf(Leaf::Count)))
    .collect();
    fields.push((
        "sent_by_kind",
        each(
            kinds.iter().map(|k| k.to_string()).collect(),
            "packet kind",
            leaf(Leaf::Count),
        ),
    ));
    let counters = object(fields);
    each(consumers.to_vec(), "consumer", counters)
}

impl Node {
    /// The keys of this node, and the shape under `key` if it is one.
    fn child(&self, key: &str) -> Option<Rc<Node>> {
        match self {
            Node::Leaf(Leaf::Range) if key == "low" || key == "high" => Some(leaf(Leaf::Amount)),
            Node::Leaf(_) => None,
            Node::Object(fields) => fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, n)| n.clone()),
            Node::Each { names, child, .. } => {
                names.iter().any(|n| n == key).then(|| child.clone())
            }
            Node::Any { child, .. } => Some(child.clone()),
        }
    }

    fn keys(&self) -> Vec<String> {
        match self {
            Node::Leaf(Leaf::Range) => vec!["low".to_owned(), "high".to_owned()],
            Node::Leaf(_) => vec![],
            Node::Object(fields) => fields.iter().map(|(k, _)| k.clone()).collect(),
            Node::Each { names, .. } => names.clone(),
            Node::Any { .. } => vec![],
        }
    }

    fn describe_keys(&self) -> String {
        match self {
            Node::Each { names, what, .. } if names.is_empty() => {
                format!("no {what} (the scenario has none)")
            }
            Node::Each { names, what, .. } => format!("a {what}: {}", names.join(", ")),
            Node::Leaf(l) => l.describe().to_owned(),
            Node::Any { what, .. } => format!("a {what}"),
            Node::Object(_) => format!("one of {}", self.keys().join(", ")),
        }
    }
}

/// Levenshtein distance (for "did you mean").
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// The key of `candidates` closest to `key`.
fn closest<'a>(key: &str, candidates: &'a [String]) -> Option<&'a String> {
    candidates
        .iter()
        .min_by_key(|c| (distance(key, c), c.len()))
}

/// The valid path closest to `segments`: the matching prefix, then at each level the closest
/// key (dropping what lies past a leaf).
fn closest_path(root: &Node, segments: &[&str]) -> String {
    let mut out: Vec<String> = vec![];
    let mut node = Rc::new(root.clone());
    for seg in segments {
        let next = match node.child(seg) {
            Some(n) => {
                out.push((*seg).to_owned());
                n
            }
            None => {
                let keys = node.keys();
                let Some(best) = closest(seg, &keys) else {
                    break;
                };
                out.push(best.clone());
                node.child(best).expect("a key of the node")
            }
        };
        node = next;
    }
    out.join(".")
}

/// Checks a report path against the shape; the error says what is wrong and the closest valid
/// path.
pub fn check_path(root: &Node, path: &str) -> Result<(), String> {
    let segments: Vec<&str> = path.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!("report path {path:?} has an empty segment"));
    }
    let mut node = Rc::new(root.clone());
    for (i, seg) in segments.iter().enumerate() {
        match node.child(seg) {
            Some(next) => node = next,
            None => {
                let at = if i == 0 {
                    "the report".to_owned()
                } else {
                    format!("{:?}", segments[..i].join("."))
                };
                let reason = match &*node {
                    Node::Leaf(l) => format!("{at} is {}, nothing lies below it", l.describe()),
                    _ => format!("no {seg:?} under {at} (expected {})", node.describe_keys()),
                };
                let suggestion = closest_path(root, &segments);
                let hint = if suggestion.is_empty() || suggestion == path {
                    String::new()
                } else {
                    format!("; did you mean {suggestion:?}?")
                };
                return Err(format!("unknown report path {path:?}: {reason}{hint}"));
            }
        }
    }
    Ok(())
}
