//! The state report (the repository's `docs/report.md`): one JSON object with every path a
//! scenario can `expect`, with accounts, validators and contracts by name. Each chain's part is
//! built inside its chain actor, in one message, straight from the App.

use cosmwasm_std::{Addr, Uint128};
use mesh_apis::{external_staking as ext, native_staking, tx, vault, virtual_staking, ValueRange};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

use super::{ContractId, Testnet, TopologySpec};
use crate::chain::Chain;
use crate::error::{Error, Result};

/// The names a report uses, and where to find things.
#[derive(Clone, Debug, Default)]
pub struct ReportNames {
    /// Provider accounts (the scenario's users), by name.
    pub users: Vec<String>,
    /// Provider validators.
    pub provider_validators: Vec<String>,
    /// Consumers in scenario order.
    pub consumers: Vec<ConsumerNames>,
    /// Denoms whose balances the provider part shows.
    pub provider_denoms: Vec<String>,
}

/// Names on one consumer.
#[derive(Clone, Debug, Default)]
pub struct ConsumerNames {
    /// Chain id.
    pub id: String,
    /// Validators.
    pub validators: Vec<String>,
    /// Accounts mentioned by the scenario (reward recipients).
    pub accounts: Vec<String>,
    /// Denoms whose balances are shown.
    pub denoms: Vec<String>,
}

impl ReportNames {
    /// The names of a topology: its accounts (the users), validators, consumers and the denoms
    /// of the accounts' genesis balances. Validators added and reward recipients named later
    /// join as the testnet runs.
    pub fn of(spec: &TopologySpec) -> ReportNames {
        let mut users: Vec<String> = spec
            .provider
            .accounts
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        users.sort();
        users.dedup();
        let mut provider_denoms: Vec<String> = spec
            .provider
            .accounts
            .iter()
            .flat_map(|(_, coins)| coins.iter().map(|c| c.denom.clone()))
            .chain(std::iter::once(spec.provider.chain.denom.clone()))
            .collect();
        provider_denoms.sort();
        provider_denoms.dedup();
        ReportNames {
            users,
            provider_validators: spec
                .provider
                .validators
                .iter()
                .map(|v| v.name.clone())
                .collect(),
            consumers: spec
                .consumers
                .iter()
                .map(|c| ConsumerNames {
                    id: c.chain.chain_id.clone(),
                    validators: c.validators.iter().map(|v| v.name.clone()).collect(),
                    accounts: vec![],
                    denoms: vec![c.chain.denom.clone()],
                })
                .collect(),
            provider_denoms,
        }
    }
}

/// A ValueRange as the report shows it: a string when settled, else `{low, high}`.
pub fn range_value(r: &ValueRange) -> Value {
    if r.is_settled() {
        Value::String(r.low.to_string())
    } else {
        json!({"low": r.low.to_string(), "high": r.high.to_string()})
    }
}

fn amount(v: Uint128) -> Value {
    Value::String(v.to_string())
}

/// A bank amount (cosmwasm-std 3 coins carry `Uint256`) as `Uint128`, saturating.
pub fn narrow(v: cosmwasm_std::Uint256) -> Uint128 {
    Uint128::try_from(v).unwrap_or(Uint128::MAX)
}

/// Insert `value` unless it is a zero amount (zero entries may be omitted).
fn put_nonzero(map: &mut Map<String, Value>, key: &str, value: Value) {
    let zero = matches!(&value, Value::String(s) if s == "0");
    if !zero {
        map.insert(key.to_string(), value);
    }
}

/// Simulated time as a readable duration (`1d2h3m4s`, `0s`).
pub fn format_duration_ms(ms: u64) -> String {
    crate::time::human_ms(ms)
}

/// A chain timestamp as RFC 3339 (UTC, seconds).
pub fn format_timestamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

fn chain_clock(chain: &Chain) -> (Value, Value) {
    let block = chain.app_ref().block_info();
    (
        json!(block.height),
        json!(format_timestamp(block.time.seconds())),
    )
}

fn balances(chain: &Chain, names: &[String], denoms: &[String]) -> Value {
    let mut out = Map::new();
    for name in names {
        let addr = chain.addr(name).to_string();
        let mut per_denom = Map::new();
        for denom in denoms {
            let held = chain
                .app_ref()
                .wrap()
                .query_balance(addr.clone(), denom.clone())
                .map(|c| narrow(c.amount))
                .unwrap_or_default();
            put_nonzero(&mut per_denom, denom, amount(held));
        }
        if !per_denom.is_empty() {
            out.insert(name.clone(), Value::Object(per_denom));
        }
    }
    Value::Object(out)
}

/// Everything the provider part of the report needs to know, sent into its chain actor.
#[derive(Clone)]
struct ProviderInputs {
    names: ReportNames,
    vault: Addr,
    native: Addr,
    /// External staking contract per consumer id.
    external: BTreeMap<String, Addr>,
    /// Lienholder address → report name.
    lienholders: BTreeMap<String, String>,
}

fn query<Q: serde::Serialize, R: serde::de::DeserializeOwned>(
    chain: &Chain,
    addr: &Addr,
    msg: &Q,
) -> Option<R> {
    chain.query_json(addr, msg).ok()
}

fn vault_part(chain: &Chain, p: &ProviderInputs) -> Value {
    let mut accounts = Map::new();
    for user in &p.names.users {
        let account = chain.addr(user).to_string();
        let Some(d): Option<vault::AccountDetailsResponse> = query(
            chain,
            &p.vault,
            &vault::QueryMsg::AccountDetails {
                account: account.clone(),
            },
        ) else {
            continue;
        };
        let mut liens = Map::new();
        let mut start_after = None;
        loop {
            let page: Option<vault::AccountClaimsResponse> = query(
                chain,
                &p.vault,
                &vault::QueryMsg::AccountClaims {
                    account: account.clone(),
                    start_after: start_after.clone(),
                    limit: Some(vault::MAX_PAGE_LIMIT),
                },
            );
            let Some(page) = page.filter(|p| !p.claims.is_empty()) else {
                break;
            };
            for claim in &page.claims {
                let name = p
                    .lienholders
                    .get(&claim.lienholder)
                    .cloned()
                    .unwrap_or_else(|| claim.lienholder.clone());
                if !claim.amount.is_zero() {
                    liens.insert(name, range_value(&claim.amount));
                }
            }
            start_after = page.claims.last().map(|c| c.lienholder.clone());
        }
        let mut entry = Map::new();
        put_nonzero(&mut entry, "collateral", amount(d.bonded));
        put_nonzero(&mut entry, "max_lien", range_value(&d.max_lien));
        put_nonzero(&mut entry, "slashable", range_value(&d.total_slashable));
        put_nonzero(&mut entry, "free", range_value(&d.free));
        if !liens.is_empty() {
            entry.insert("liens".into(), Value::Object(liens));
        }
        if !entry.is_empty() {
            accounts.insert(user.clone(), Value::Object(entry));
        }
    }
    let pending: Option<tx::AllTxsResponse> = query(
        chain,
        &p.vault,
        &vault::QueryMsg::AllPendingTxsDesc {
            start_after: None,
            limit: Some(vault::MAX_PAGE_LIMIT),
        },
    );
    json!({
        "accounts": accounts,
        "pending_txs": pending.map(|r| r.txs.len()).unwrap_or(0),
    })
}

fn native_part(chain: &Chain, p: &ProviderInputs) -> Value {
    let mut out = Map::new();
    for user in &p.names.users {
        let owner = chain.addr(user).to_string();
        let Some(proxy): Option<native_staking::ProxyByOwnerResponse> = query(
            chain,
            &p.native,
            &native_staking::QueryMsg::ProxyByOwner { owner },
        ) else {
            continue;
        };
        let proxy = Addr::unchecked(proxy.proxy);
        let (delegations, unbonding) = chain.app_ref().read_module(|router, _, storage| {
            (
                router
                    .staking
                    .delegations_of(storage, &proxy)
                    .unwrap_or_default(),
                router
                    .staking
                    .unbonding_total(storage, &proxy)
                    .unwrap_or_default(),
            )
        });
        let mut dels = Map::new();
        for (validator, amt) in delegations {
            put_nonzero(&mut dels, &validator, amount(amt));
        }
        let mut entry = Map::new();
        entry.insert("delegations".into(), Value::Object(dels));
        put_nonzero(&mut entry, "unbonding", amount(unbonding));
        out.insert(user.clone(), Value::Object(entry));
    }
    Value::Object(out)
}

fn external_part(
    chain: &Chain,
    p: &ProviderInputs,
    consumer: &ConsumerNames,
    contract: &Addr,
) -> Value {
    let mut stakes = Map::new();
    let mut rewards = Map::new();
    for user in &p.names.users {
        let user_addr = chain.addr(user).to_string();
        let mut per_validator = Map::new();
        let mut start_after = None;
        loop {
            let page: Option<ext::StakesResponse> = query(
                chain,
                contract,
                &ext::QueryMsg::Stakes {
                    user: user_addr.clone(),
                    start_after: start_after.clone(),
                    limit: Some(vault::MAX_PAGE_LIMIT),
                },
            );
            let Some(page) = page.filter(|p| !p.stakes.is_empty()) else {
                break;
            };
            for s in &page.stakes {
                let pending: Uint128 = s.pending_unbonds.iter().map(|u| u.amount).sum();
                let mut entry = Map::new();
                put_nonzero(&mut entry, "stake", range_value(&s.stake));
                put_nonzero(&mut entry, "pending_unbonds", amount(pending));
                if !entry.is_empty() {
                    per_validator.insert(s.validator.clone(), Value::Object(entry));
                }
            }
            start_after = page.stakes.last().map(|s| s.validator.clone());
        }
        if !per_validator.is_empty() {
            stakes.insert(user.clone(), Value::Object(per_validator));
        }
        let mut user_rewards = Map::new();
        for validator in &consumer.validators {
            let r: Option<ext::PendingRewardsResponse> = query(
                chain,
                contract,
                &ext::QueryMsg::PendingRewards {
                    user: user_addr.clone(),
                    validator: validator.clone(),
                },
            );
            if let Some(r) = r {
                put_nonzero(
                    &mut user_rewards,
                    validator,
                    amount(narrow(r.rewards.amount)),
                );
            }
        }
        if !user_rewards.is_empty() {
            rewards.insert(user.clone(), Value::Object(user_rewards));
        }
    }
    let mut validators = Map::new();
    let mut start_after = None;
    loop {
        let page: Option<ext::ListValidatorsResponse> = query(
            chain,
            contract,
            &ext::QueryMsg::ListValidators {
                start_after: start_after.clone(),
                limit: Some(vault::MAX_PAGE_LIMIT),
            },
        );
        let Some(page) = page.filter(|p| !p.validators.is_empty()) else {
            break;
        };
        for v in &page.validators {
            validators.insert(
                v.validator.clone(),
                serde_json::to_value(v.state).unwrap_or(Value::Null),
            );
        }
        start_after = page.validators.last().map(|v| v.validator.clone());
    }
    let pending: Option<tx::AllTxsResponse> = query(
        chain,
        contract,
        &ext::QueryMsg::AllPendingTxsDesc {
            start_after: None,
            limit: Some(vault::MAX_PAGE_LIMIT),
        },
    );
    json!({
        "stakes": stakes,
        "pending_txs": pending.map(|r| r.txs.len()).unwrap_or(0),
        "validators": validators,
        "rewards": rewards,
    })
}

/// Every validator of a chain's staking module by name: `{tokens, status}` (status `bonded`,
/// `unbonding` or `unbonded`), plus `jailed: true` / `tombstoned: true` when set.
fn chain_validators(chain: &Chain) -> Value {
    let validators = chain
        .app_ref()
        .read_module(|router, _, storage| router.staking.validators(storage))
        .unwrap_or_default();
    let mut out = Map::new();
    for v in validators {
        let mut entry = Map::new();
        entry.insert("tokens".into(), amount(v.tokens));
        entry.insert("status".into(), Value::String(v.status.to_string()));
        if v.jailed {
            entry.insert("jailed".into(), Value::Bool(true));
        }
        if v.tombstoned {
            entry.insert("tombstoned".into(), Value::Bool(true));
        }
        out.insert(v.name, Value::Object(entry));
    }
    Value::Object(out)
}

fn provider_part(chain: &mut Chain, now_ms: u64, p: &ProviderInputs, advance: bool) -> Value {
    // A live chain keeps making blocks: read it at the block current now (a halted chain
    // stays at its last block).
    if advance {
        let _ = chain.advance(now_ms);
    }
    let (height, time) = chain_clock(chain);
    let mut external = Map::new();
    for consumer in &p.names.consumers {
        if let Some(contract) = p.external.get(&consumer.id) {
            external.insert(
                consumer.id.clone(),
                external_part(chain, p, consumer, contract),
            );
        }
    }
    json!({
        "height": height,
        "time": time,
        "balances": balances(chain, &p.names.users, &p.names.provider_denoms),
        "vault": vault_part(chain, p),
        "native": native_part(chain, p),
        "external": external,
        "validators": chain_validators(chain),
    })
}

fn consumer_part(
    chain: &mut Chain,
    now_ms: u64,
    names: &ConsumerNames,
    virtual_staking: &Addr,
    advance: bool,
) -> Value {
    if advance {
        let _ = chain.advance(now_ms);
    }
    let (height, time) = chain_clock(chain);
    let mut requests = Map::new();
    let mut start_after = None;
    loop {
        let page: Option<virtual_staking::RequestsResponse> = query(
            chain,
            virtual_staking,
            &virtual_staking::QueryMsg::Requests {
                start_after: start_after.clone(),
                limit: Some(vault::MAX_PAGE_LIMIT),
            },
        );
        let Some(page) = page.filter(|p| !p.requests.is_empty()) else {
            break;
        };
        for r in &page.requests {
            put_nonzero(&mut requests, &r.validator, amount(r.consumer_amount));
        }
        start_after = page.requests.last().map(|r| r.validator.clone());
    }
    let (delegations, total, shares) = chain.app_ref().read_module(|router, _, storage| {
        let delegations = router
            .staking
            .delegations_of(storage, virtual_staking)
            .unwrap_or_default();
        let total = router
            .custom
            .delegated(storage, virtual_staking)
            .unwrap_or_default();
        let shares: Vec<(String, cosmwasm_std::Decimal256)> = router
            .staking
            .delegator_validators(storage, virtual_staking)
            .unwrap_or_default()
            .into_iter()
            .map(|v| {
                let s = router
                    .staking
                    .delegation_shares(storage, virtual_staking, &v)
                    .unwrap_or_default();
                (v, s)
            })
            .collect();
        (delegations, total, shares)
    });
    let mut delegated = Map::new();
    for (validator, amt) in delegations {
        put_nonzero(&mut delegated, &validator, amount(amt));
    }
    let mut share_map = Map::new();
    for (validator, s) in shares {
        if !s.is_zero() {
            share_map.insert(validator, Value::String(s.to_string()));
        }
    }
    json!({
        "height": height,
        "time": time,
        "balances": balances(chain, &names.accounts, &names.denoms),
        "virtual_staking": {
            "requests": requests,
            "delegated": delegated,
            "shares": share_map,
            "total_delegated": total.to_string(),
        },
        "validators": chain_validators(chain),
    })
}

/// Build the whole report of `net` now, every chain brought to its current block first (which
/// runs that block's begin-block work: matured unbondings, a due epoch).
pub async fn build(net: &Testnet, names: &ReportNames) -> Result<Value> {
    build_report(net, names, true).await
}

/// The report of `net` as the chains stand, without bringing them to the current block: reading
/// it changes nothing, so a run that reads it (around an `expect_error` step) executes exactly
/// as one that does not.
pub async fn build_at_rest(net: &Testnet, names: &ReportNames) -> Result<Value> {
    build_report(net, names, false).await
}

async fn build_report(net: &Testnet, names: &ReportNames, advance: bool) -> Result<Value> {
    let addr_of = |id: &ContractId| -> Result<Addr> { Ok(net.contract(id)?.deployed.addr) };
    let mut external = BTreeMap::new();
    let mut lienholders = BTreeMap::new();
    lienholders.insert(
        addr_of(&ContractId::NativeStaking)?.to_string(),
        "native".to_string(),
    );
    for c in &names.consumers {
        let a = addr_of(&ContractId::external_staking(&c.id))?;
        lienholders.insert(a.to_string(), c.id.clone());
        external.insert(c.id.clone(), a);
    }
    let inputs = ProviderInputs {
        names: names.clone(),
        vault: addr_of(&ContractId::Vault)?,
        native: addr_of(&ContractId::NativeStaking)?,
        external,
        lienholders,
    };
    let provider = net
        .with_chain(net.provider_id(), move |chain, now| {
            provider_part(chain, now, &inputs, advance)
        })
        .await?;
    let mut consumers = Map::new();
    let mut ibc = Map::new();
    for c in &names.consumers {
        let vs = addr_of(&ContractId::virtual_staking(&c.id))?;
        let names_c = c.clone();
        let part = net
            .with_chain(&c.id, move |chain, now| {
                consumer_part(chain, now, &names_c, &vs, advance)
            })
            .await?;
        consumers.insert(c.id.clone(), part);
        let s = net.link_stats(&c.id).await?;
        let sent_by_kind = net.sent_by_kind(&c.id).await?;
        ibc.insert(
            c.id.clone(),
            json!({
                "sent": s.sent,
                "received": s.received,
                "acked_ok": s.acked_ok,
                "acked_error": s.acked_error,
                "timed_out": s.timed_out,
                "in_flight": s.in_flight,
                "sent_by_kind": sent_by_kind,
            }),
        );
    }
    let now = net.now_ms();
    let mut report = json!({
        "time": format_duration_ms(now),
        "time_ms": now,
        "provider": provider,
        "consumers": consumers,
        "ibc": ibc,
    });
    let gas = gas_part(net, names).await?;
    if !gas.is_empty() {
        report["gas"] = Value::Object(gas);
    }
    Ok(report)
}

/// The `gas` section: per contract and call kind (`execute:stake_remote`), the count, total and
/// largest gas of its wasm calls on every chain. Empty when no contract runs as wasm.
async fn gas_part(net: &Testnet, names: &ReportNames) -> Result<Map<String, Value>, Error> {
    let mut chains = vec![net.provider_id().to_string()];
    chains.extend(names.consumers.iter().map(|c| c.id.clone()));
    let mut merged: BTreeMap<String, BTreeMap<String, crate::wasm::GasStats>> = BTreeMap::new();
    for chain in chains {
        let stats = net.with_chain(&chain, |c, _| c.gas_stats()).await?;
        for ((contract, kind), s) in stats {
            let entry = merged.entry(contract).or_default().entry(kind).or_default();
            entry.count += s.count;
            entry.total = entry.total.saturating_add(s.total);
            entry.max = entry.max.max(s.max);
        }
    }
    Ok(merged
        .into_iter()
        .map(|(contract, kinds)| {
            let kinds: Map<String, Value> = kinds
                .into_iter()
                .map(|(k, s)| {
                    let v = json!({"count": s.count, "total": s.total, "max": s.max});
                    (k, v)
                })
                .collect();
            (contract, Value::Object(kinds))
        })
        .collect())
}

/// A report without its `gas` section (the part that differs between a native and a wasm run).
pub fn without_gas(mut report: Value) -> Value {
    if let Some(map) = report.as_object_mut() {
        map.remove("gas");
    }
    report
}

/// The state report of a testnet (see [`Testnet::report`]): a JSON object, with helpers to
/// read it by dot-separated path (`consumers.juno.virtual_staking.delegated.juno-val1`).
///
/// Amounts are strings of base units; a value range is a string when settled, else
/// `{"low", "high"}`; zero entries are omitted (and read as 0 by [`amount`](Report::amount) and
/// [`expect`](Report::expect)).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Report(Value);

impl Report {
    /// A report of this JSON value.
    pub fn new(value: Value) -> Report {
        Report(value)
    }

    /// The value at `path`, if the report has it. A settled range's `.low` and `.high` are
    /// the range itself.
    pub fn get(&self, path: &str) -> Option<&Value> {
        lookup(&self.0, path)
    }

    /// The amount at `path`: 0 when the entry is omitted (zero entries are), `None` when the
    /// path holds something else (an open range, an object).
    pub fn amount(&self, path: &str) -> Option<u128> {
        match self.get(path) {
            None => Some(0),
            Some(Value::String(s)) => s.parse().ok(),
            Some(Value::Number(n)) => n.as_u64().map(u128::from),
            Some(_) => None,
        }
    }

    /// The value range at `path` (a settled one reads as `low == high`); 0 when omitted.
    pub fn range(&self, path: &str) -> Option<ValueRange> {
        match self.get(path) {
            Some(Value::Object(r)) => {
                let end = |k: &str| r.get(k)?.as_str()?.parse::<u128>().ok();
                Some(ValueRange::new(
                    Uint128::new(end("low")?),
                    Uint128::new(end("high")?),
                ))
            }
            _ => self
                .amount(path)
                .map(|a| ValueRange::new_val(Uint128::new(a))),
        }
    }

    /// Check `path` as a scenario's `expect` step does: amounts compare by value (a string or
    /// a number), `"0"` matches an omitted entry, anything else must be equal.
    pub fn expect(&self, path: &str, expected: impl Into<Value>) -> Result<()> {
        let expected = expected.into();
        let got = self.get(path);
        if matches(&expected, got) {
            return Ok(());
        }
        Err(Error::Mismatch {
            path: path.to_string(),
            expected: expected.to_string(),
            got: got.map_or_else(|| "(absent)".to_string(), Value::to_string),
        })
    }

    /// The JSON value.
    pub fn as_json(&self) -> &Value {
        &self.0
    }

    /// The JSON value, owned.
    pub fn into_json(self) -> Value {
        self.0
    }
}

impl std::ops::Deref for Report {
    type Target = Value;

    /// The JSON value, so a report reads like one (`report["provider"]["height"]`).
    fn deref(&self) -> &Value {
        &self.0
    }
}

impl From<Report> for Value {
    fn from(r: Report) -> Value {
        r.0
    }
}

impl std::fmt::Display for Report {
    /// Pretty-printed JSON, as the CLI prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_string_pretty(&self.0).map_err(|_| std::fmt::Error)?;
        f.write_str(&text)
    }
}

/// Look up a dot-separated path in a report. A value range's `.low` and `.high` are the value
/// itself when the range is settled (reported as one amount).
pub fn lookup<'a>(report: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(report, |v, key| match v {
        Value::String(_) if key == "low" || key == "high" => Some(v),
        _ => v.get(key),
    })
}

/// Does `got` (None: omitted) satisfy `expected`? Amount strings and numbers compare by value,
/// and `"0"` (or 0) matches an omitted entry.
pub fn matches(expected: &Value, got: Option<&Value>) -> bool {
    fn as_number(v: &Value) -> Option<u128> {
        match v {
            Value::String(s) => s.parse().ok(),
            Value::Number(n) => n.as_u64().map(u128::from),
            _ => None,
        }
    }
    match got {
        None => as_number(expected) == Some(0),
        Some(got) => {
            if expected == got {
                return true;
            }
            match (as_number(expected), as_number(got)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_timestamps_read_well() {
        assert_eq!(format_duration_ms(0), "0s");
        assert_eq!(format_duration_ms(90_061_500), "1d1h1m1s500ms");
        assert_eq!(format_duration_ms(21 * 86_400_000), "21d");
        assert_eq!(format_timestamp(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(
            format_timestamp(1_767_225_600 + 59 * 86_400 + 3_661),
            "2026-03-01T01:01:01Z"
        );
    }

    #[test]
    fn expectations_match_amounts_by_value_and_zero_matches_omitted() {
        assert!(matches(&json!("0"), None));
        assert!(matches(&json!(0), None));
        assert!(!matches(&json!("1"), None));
        assert!(matches(&json!("100"), Some(&json!("100"))));
        assert!(matches(&json!(3), Some(&json!("3"))));
        assert!(!matches(
            &json!("100"),
            Some(&json!({"low": "1", "high": "100"}))
        ));
        assert!(matches(
            &json!({"low": "1", "high": "100"}),
            Some(&json!({"low": "1", "high": "100"}))
        ));
    }

    #[test]
    fn lookup_follows_dots() {
        let r = json!({"a": {"b": {"c": "1"}}});
        assert_eq!(lookup(&r, "a.b.c"), Some(&json!("1")));
        assert_eq!(lookup(&r, "a.x"), None);
    }
}
