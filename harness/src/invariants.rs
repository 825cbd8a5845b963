//! The invariants of docs/system.md ("The testnet") and the README, checked after every step and at the end:
//! 1. vault accounting per user; 2. conservation (tokens and the provider's balance sheet);
//! 3. when settled: provider and consumer agree, nothing in flight, no range open.
//!
//! Plus backing: every user's collateral has tokens behind it (vault or native staking).

use cosmwasm_std::{Addr, Decimal256, Uint128, Uint256};
use mesh_actors::chain::{Chain, Change, LogId};
use mesh_actors::modules::{MeshBank, MeshStaking};
use mesh_actors::testnet::{ContractId, Testnet};
use mesh_apis::{external_staking as ext, native_staking, native_staking_proxy, vault, ValueRange};
use std::collections::{BTreeMap, BTreeSet};

use crate::report::{narrow, ReportNames};
use crate::touched::AddressIndex;

/// A broken invariant: which one and the values that break it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Short name (`vault`, `conservation`, `settled`).
    pub invariant: &'static str,
    /// What was wrong, with the values.
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invariant {} broken: {}", self.invariant, self.detail)
    }
}

fn violation(invariant: &'static str, detail: String) -> Violation {
    Violation { invariant, detail }
}

/// Every lien of `account` (an address) in the vault, in lienholder order.
pub(crate) fn claims(chain: &Chain, vault_addr: &Addr, account: &str) -> Vec<vault::LienResponse> {
    let mut out = vec![];
    let mut start_after = None;
    loop {
        let page: Result<vault::AccountClaimsResponse, _> = chain.query_json(
            vault_addr,
            &vault::QueryMsg::AccountClaims {
                account: account.to_string(),
                start_after: start_after.clone(),
                limit: Some(vault::MAX_PAGE_LIMIT),
            },
        );
        match page {
            Ok(p) if !p.claims.is_empty() => {
                start_after = p.claims.last().map(|c| c.lienholder.clone());
                out.extend(p.claims);
            }
            _ => return out,
        }
    }
}

/// Every stake of `user` (an address) at an external staking contract, in validator order.
pub(crate) fn user_stakes(
    chain: &Chain,
    contract: &Addr,
    user: &str,
) -> Result<Vec<ext::StakeResponse>, String> {
    let mut out: Vec<ext::StakeResponse> = vec![];
    loop {
        let page: serde_json::Value = chain.query_json(
            contract,
            &ext::QueryMsg::Stakes {
                user: user.to_string(),
                start_after: out.last().map(|s| s.validator.clone()),
                limit: Some(vault::MAX_PAGE_LIMIT),
            },
        )?;
        let page = mesh_actors::dialect::read::stakes(page)
            .ok_or_else(|| format!("{contract}: unreadable stakes of {user}"))?;
        if page.stakes.is_empty() {
            return Ok(out);
        }
        out.extend(page.stakes);
    }
}

/// The first line of external staking's burn ledger (docs/slashing.md), if it has one; `None`
/// also when the contract answers no `burn_ledger` (another implementation, an older build).
fn burn_ledger_line(chain: &Chain, contract: &Addr) -> Option<ext::BurnLedgerEntry> {
    let page: serde_json::Value = chain
        .query_json(
            contract,
            &ext::QueryMsg::BurnLedger {
                start_after: None,
                limit: Some(1),
            },
        )
        .ok()?;
    let page: ext::BurnLedgerResponse = serde_json::from_value(page).ok()?;
    page.entries.into_iter().next()
}

/// External staking's `outstanding` lists (debts, credits, waiting slashes), if it answers
/// the query and any is not empty; `None` also when the contract answers no `outstanding`.
fn outstanding(chain: &Chain, contract: &Addr) -> Option<ext::OutstandingResponse> {
    let page: serde_json::Value = chain
        .query_json(contract, &ext::QueryMsg::Outstanding { limit: Some(1) })
        .ok()?;
    let page: ext::OutstandingResponse = serde_json::from_value(page).ok()?;
    (!page.is_empty()).then_some(page)
}

/// One line naming the first entry of each non-empty list of `outstanding`.
fn describe_outstanding(o: &ext::OutstandingResponse) -> String {
    let mut parts = vec![];
    for (kind, debts) in [("slash", &o.slash_debts), ("unstake", &o.unstake_debts)] {
        if let Some(d) = debts.first() {
            parts.push(format!(
                "{kind} debt of {} on {} (txs {:?})",
                d.amount, d.validator, d.txs
            ));
        }
    }
    if let Some(c) = o.slash_credits.first() {
        parts.push(format!("slash credit of {} on {}", c.amount, c.validator));
    }
    if let Some(d) = o.burn_debts.first() {
        parts.push(format!("burn debt of {} for {}", d.amount, d.user));
    }
    if let Some(w) = o.waiting_slashes.first() {
        parts.push(format!(
            "slash of {} on {} (infraction at consumer height {}) waiting for the validator \
             history",
            w.amount, w.validator, w.infraction_height
        ));
    }
    parts.join(", ")
}

/// What the checker last read of one user (their part of the balance sheet, and what tells it
/// which changes touch them).
#[derive(Clone, Debug)]
struct UserState {
    name: String,
    addr: Addr,
    proxy: Option<Addr>,
    collateral: Uint128,
    native_lien: ValueRange,
    /// Validators their proxy has a delegation with.
    validators: BTreeSet<String>,
}

/// Invariant 1 and backing for one user, inside the provider's actor; on success, `state` is
/// what was read.
fn check_user(
    chain: &Chain,
    vault_addr: &Addr,
    native: &Addr,
    state: &mut UserState,
) -> Result<(), Violation> {
    let user = state.name.as_str();
    let account = state.addr.to_string();
    let d: vault::AccountDetailsResponse = chain
        .query_json(
            vault_addr,
            &vault::QueryMsg::AccountDetails {
                account: account.clone(),
            },
        )
        .map_err(|e| violation("vault", format!("{user}: account_details failed: {e}")))?;
    let c = d.bonded;
    for (name, r) in [
        ("max_lien", d.max_lien),
        ("slashable", d.total_slashable),
        ("free", d.free),
    ] {
        if r.low > r.high {
            return Err(violation(
                "vault",
                format!("{user}: {name} range {r} has low > high"),
            ));
        }
    }
    if d.max_lien.high > c {
        return Err(violation(
            "vault",
            format!("{user}: max_lien {} > collateral {c}", d.max_lien),
        ));
    }
    if d.total_slashable.high > c {
        return Err(violation(
            "vault",
            format!(
                "{user}: total_slashable {} > collateral {c}",
                d.total_slashable
            ),
        ));
    }
    let used = d.max_lien.max(d.total_slashable);
    let expected_free = ValueRange::new(c - used.high, c - used.low);
    if d.free != expected_free {
        return Err(violation(
            "vault",
            format!(
                "{user}: free {} != collateral {c} - max(max_lien {}, slashable {}) = {expected_free}",
                d.free, d.max_lien, d.total_slashable
            ),
        ));
    }
    let liens = claims(chain, vault_addr, &account);
    let mut holders = BTreeSet::new();
    let mut max = ValueRange::zero();
    let mut native_liens = ValueRange::zero();
    for l in &liens {
        if !holders.insert(l.lienholder.clone()) {
            return Err(violation(
                "vault",
                format!("{user}: two liens on {}", l.lienholder),
            ));
        }
        if l.amount.low > l.amount.high {
            return Err(violation(
                "vault",
                format!("{user}: lien on {} has low > high", l.lienholder),
            ));
        }
        max = max.max(l.amount);
        if l.lienholder == native.as_str() {
            native_liens = native_liens.add(l.amount);
        }
    }
    if max != d.max_lien {
        return Err(violation(
            "vault",
            format!(
                "{user}: max_lien {} is not the largest lien {max}",
                d.max_lien
            ),
        ));
    }
    let native_lien = liens
        .iter()
        .find(|l| l.lienholder == native.as_str())
        .map(|l| l.amount.high)
        .unwrap_or_default();
    let tokens = proxy_tokens(chain, native, &state.addr);
    check_backing(user, &tokens, c, native_lien)?;
    state.proxy = tokens.proxy;
    state.validators = tokens.validators;
    state.collateral = c;
    state.native_lien = native_liens;
    Ok(())
}

/// The provider's part of the checks: every user's last reading, the sums the balance sheet
/// needs, and the provider's change log.
struct ProviderState {
    vault: Addr,
    native: Addr,
    users: Vec<UserState>,
    /// User and proxy addresses → user.
    index: AddressIndex,
    /// Validator → users whose proxy delegates to it.
    by_validator: BTreeMap<String, BTreeSet<usize>>,
    total_collateral: Uint128,
    native_liens: ValueRange,
    supply: SupplyState,
    /// No user has been read yet.
    first: bool,
}

impl ProviderState {
    /// The users `changes` touched (see [`crate::touched`]).
    fn touched(&self, changes: &[Change]) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        for change in changes {
            self.index.users_of(change, &mut out);
            // A validator's record: its delegators' worth moves with its exchange rate, and can
            // only have dropped (breaking backing) if the rate fell.
            if let Some(v) = MeshStaking::validator_of_key(&change.key) {
                let fell =
                    MeshStaking::exchange_rate_fell(change.old.as_deref(), change.new.as_deref());
                if let (true, Some(users)) = (fell, self.by_validator.get(&v)) {
                    out.extend(users);
                }
            }
        }
        out
    }

    /// Check `u` and bring the sums and indexes up to date with what was read.
    fn check(&mut self, chain: &Chain, u: usize) -> Result<(), Violation> {
        let before = self.users[u].clone();
        let result = check_user(chain, &self.vault, &self.native, &mut self.users[u]);
        let after = &self.users[u];
        self.total_collateral = self.total_collateral - before.collateral + after.collateral;
        self.native_liens = ValueRange::new(
            self.native_liens.low - before.native_lien.low + after.native_lien.low,
            self.native_liens.high - before.native_lien.high + after.native_lien.high,
        );
        if let Some(proxy) = &after.proxy {
            self.index.insert(proxy.as_str(), u);
        }
        for v in &before.validators {
            if let Some(users) = self.by_validator.get_mut(v) {
                users.remove(&u);
            }
        }
        for v in &after.validators {
            self.by_validator.entry(v.clone()).or_default().insert(u);
        }
        result
    }

    /// Invariant 1, backing and the provider's balance sheet (part of 2), inside the provider's
    /// actor: for the users the changes since the last check touched, or every user when
    /// `full`. Then conservation of the provider's tokens.
    fn run(&mut self, chain: &mut Chain, full: bool) -> Result<(), Violation> {
        let changes = chain.take_changes(self.supply.log);
        if changes.is_empty() && !full && !self.first {
            // Nothing on the chain changed since the last check, which passed.
            return Ok(());
        }
        let users: Vec<usize> = if full || self.first {
            (0..self.users.len()).collect()
        } else {
            self.touched(&changes).into_iter().collect()
        };
        self.first = false;
        for u in users {
            self.check(chain, u)?;
        }
        // Balance sheet: every collateral token is either in the vault or out at native
        // staking. (A cross-chain slash lowers collateral but leaves its tokens in the vault, so
        // the vault may hold more than it owes, never less.)
        let denom = chain.config().denom.clone();
        let held = chain
            .app_ref()
            .wrap()
            .query_balance(self.vault.to_string(), denom)
            .map(|c| narrow(c.amount))
            .unwrap_or_default();
        let (native_liens, total_collateral) = (self.native_liens, self.total_collateral);
        if held + native_liens.low < total_collateral || native_liens.low != native_liens.high {
            return Err(violation(
                "conservation",
                format!(
                    "vault holds {held}, local liens {native_liens}, but users' collateral is {total_collateral}"
                ),
            ));
        }
        self.supply.check(chain, &changes, full)
    }
}

/// What a user's native staking proxy holds: delegated (exactly: its shares' worth before the
/// truncation to whole tokens), unbonding, and liquid tokens, less the burns it still owes (they
/// never go back to the vault). Zero without a proxy.
fn proxy_tokens(chain: &Chain, native: &Addr, owner: &Addr) -> ProxyTokens {
    let proxy: Option<native_staking::ProxyByOwnerResponse> = chain
        .query_json(
            native,
            &native_staking::QueryMsg::ProxyByOwner {
                owner: owner.to_string(),
            },
        )
        .ok();
    let Some(proxy) = proxy.map(|p| Addr::unchecked(p.proxy)) else {
        return ProxyTokens::default();
    };
    let (delegated, unbonding, validators) = chain.app_ref().read_module(|router, _, storage| {
        let delegated = router
            .staking
            .delegated_worth(storage, &proxy)
            .unwrap_or_default();
        let unbonding = router
            .staking
            .unbonding_total(storage, &proxy)
            .unwrap_or_default();
        let validators = router
            .staking
            .delegator_validators(storage, &proxy)
            .unwrap_or_default();
        (delegated, unbonding, validators)
    });
    let liquid = chain
        .app_ref()
        .wrap()
        .query_balance(proxy.to_string(), chain.config().denom.clone())
        .map(|c| narrow(c.amount))
        .unwrap_or_default();
    let burn_owed = chain
        .query_json::<_, native_staking_proxy::ConfigResponse>(
            &proxy,
            &native_staking_proxy::QueryMsg::Config {},
        )
        .map(|c| c.burned)
        .unwrap_or_default();
    ProxyTokens {
        proxy: Some(proxy),
        validators: validators.into_iter().collect(),
        delegated,
        unbonding,
        liquid,
        burn_owed,
    }
}

/// The tokens behind a user's local lien (see [`proxy_tokens`]).
#[derive(Debug, Default)]
struct ProxyTokens {
    proxy: Option<Addr>,
    /// Validators the proxy has a delegation with.
    validators: BTreeSet<String>,
    delegated: Decimal256,
    unbonding: Uint128,
    liquid: Uint128,
    burn_owed: Uint128,
}

/// Backing: a user's collateral is at most the tokens really behind it, what the vault holds for
/// them (collateral not out at native staking) plus what their proxy really has delegated (the
/// shares' exact worth), unbonding or back (less burns it owes). The liens are promises, not
/// tokens: a slash the chain took that the vault was not told of shows here.
fn check_backing(
    user: &str,
    t: &ProxyTokens,
    collateral: Uint128,
    native_lien: Uint128,
) -> Result<(), Violation> {
    let in_vault = collateral.saturating_sub(native_lien);
    let whole = |v: Uint128| Decimal256::from_atomics(v, 0).unwrap_or(Decimal256::MAX);
    let behind = (whole(in_vault) + t.delegated + whole(t.unbonding) + whole(t.liquid))
        .saturating_sub(whole(t.burn_owed));
    // The shares' worth comes from 18-decimal exchange-rate arithmetic, whose rounding moves a
    // delegation's exact worth by a few atoms (1e-18) per share operation on the validator
    // (another delegator's included). Contracts and the bank move whole units, so a token lost
    // anywhere is a deficit of nearly a unit: a billionth of a unit of tolerance tells the two
    // apart (fuzz seed 21225 at 200 steps: a dust lien of 2 behind 1.999999999999999997).
    if whole(collateral) > behind + decimal_noise() {
        return Err(violation(
            "backing",
            format!(
                "{user}: collateral {collateral} > tokens behind it {behind}: in the vault {in_vault} \
                 + delegated {} + unbonding {} + back at the proxy {} - burns owed {}",
                t.delegated, t.unbonding, t.liquid, t.burn_owed
            ),
        ));
    }
    Ok(())
}

/// What the share arithmetic's rounding may move a delegation's exact worth by: 1e-9 of a unit.
fn decimal_noise() -> Decimal256 {
    Decimal256::from_ratio(1u128, 1_000_000_000u128)
}

/// Conservation of tokens on one chain: the bank supply moved only by the modules' mints and
/// burns and by contracts' burns, all of which the chain ledger records. The supply is followed
/// through the chain's change log (every balance that moved, by how much); a full check sums
/// every balance again.
#[derive(Clone, Debug)]
struct SupplyState {
    log: LogId,
    denom: String,
    /// The supply at genesis, net of what the ledger counted then.
    genesis: Uint128,
    /// The supply at the last check.
    supply: Uint256,
}

impl SupplyState {
    /// Open `chain`'s change log and read its supply now.
    fn open(chain: &mut Chain, genesis: &BTreeMap<String, Uint128>) -> SupplyState {
        let denom = chain.config().denom.clone();
        SupplyState {
            log: chain.open_change_log(),
            genesis: genesis.get(&denom).copied().unwrap_or_default(),
            supply: full_supply(chain, &denom),
            denom,
        }
    }

    /// Bring the supply up to date with `changes` (every balance again when `full`) and compare
    /// it with the ledger.
    fn check(&mut self, chain: &Chain, changes: &[Change], full: bool) -> Result<(), Violation> {
        if full {
            self.supply = full_supply(chain, &self.denom);
        } else {
            let (mut up, mut down) = (Uint256::zero(), Uint256::zero());
            let mut moved = false;
            for change in changes {
                if MeshBank::account_of_key(&change.key).is_none() {
                    moved |= mesh_actors::modules::is_ledger_key(&change.key);
                    continue;
                }
                moved = true;
                let amount = |record: &Option<Vec<u8>>| {
                    MeshBank::amount_in_record(record.as_deref(), &self.denom)
                        .map_err(|e| violation("conservation", e.to_string()))
                };
                up += amount(&change.new)?;
                down += amount(&change.old)?;
            }
            if !moved {
                // No balance and no recorded mint or burn changed since the last check.
                return Ok(());
            }
            self.supply = (self.supply + up).saturating_sub(down);
        }
        let supply = narrow(self.supply);
        let ledger = chain
            .app_ref()
            .read_module(|_, _, storage| mesh_actors::modules::supply_ledger(storage))
            .map_err(|e| violation("conservation", e.to_string()))?;
        let (start, denom) = (self.genesis, &self.denom);
        let expected = (start + ledger.minted()).saturating_sub(ledger.burned());
        if supply != expected {
            return Err(violation(
                "conservation",
                format!(
                    "{}: supply of {denom} is {supply}, expected genesis {start} + minted {} - burned {} = {expected}",
                    chain.id(),
                    ledger.minted(),
                    ledger.burned()
                ),
            ));
        }
        Ok(())
    }
}

/// The bank supply of `denom` on `chain`: every balance summed.
fn full_supply(chain: &Chain, denom: &str) -> Uint256 {
    chain
        .app_ref()
        .wrap()
        .query_supply(denom.to_string())
        .map(|c| c.amount)
        .unwrap_or_default()
}

/// The token supplies at genesis, per chain and denom (taken before the first step).
pub async fn genesis_supplies(
    net: &Testnet,
) -> Result<BTreeMap<String, BTreeMap<String, Uint128>>, String> {
    let mut out = BTreeMap::new();
    let chains: Vec<String> = std::iter::once(net.provider_id().to_string())
        .chain(net.consumer_ids().iter().cloned())
        .collect();
    for id in chains {
        let supplies = net
            .with_chain(&id, |chain, _| {
                let denom = chain.config().denom.clone();
                let supply = chain
                    .app_ref()
                    .wrap()
                    .query_supply(denom.clone())
                    .map(|c| narrow(c.amount));
                let ledger = chain
                    .app_ref()
                    .read_module(|_, _, storage| mesh_actors::modules::supply_ledger(storage));
                let mut m = BTreeMap::new();
                if let (Ok(s), Ok(l)) = (supply, ledger) {
                    // Express the genesis supply net of what the ledger already counted.
                    m.insert(denom, (s + l.burned()).saturating_sub(l.minted()));
                }
                m
            })
            .await?;
        out.insert(id, supplies);
    }
    Ok(out)
}

/// How much a check reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Only what changed since the last check: the users a step touched (see
    /// [`crate::touched`]) and the balances that moved.
    Touched,
    /// Everything: every user, every balance.
    Full,
}

/// Invariants 1 and 2 of a run: what the checker last read of every user and chain, so that a
/// check after a step reads only what the step changed. A check of [`Scope::Touched`] finds
/// what a [`Scope::Full`] one finds as long as every change goes through the chains' storage
/// (see `mesh_actors::chain::storage`); a full check reads everything again.
pub struct Checker {
    /// Moved into the provider's actor for each check.
    provider: Option<ProviderState>,
    consumers: Vec<(String, SupplyState)>,
}

impl Checker {
    /// A checker of `net`'s users (`names`), with the chains' supplies at genesis (see
    /// [`genesis_supplies`]). Its first check reads every user.
    pub async fn new(
        net: &Testnet,
        names: &ReportNames,
        genesis: &BTreeMap<String, BTreeMap<String, Uint128>>,
    ) -> Result<Checker, String> {
        let provider_id = net.provider_id().to_string();
        let vault = net.contract(&ContractId::Vault)?.deployed.addr.clone();
        let native = net
            .contract(&ContractId::NativeStaking)?
            .deployed
            .addr
            .clone();
        let sample = net.addr(&provider_id, "x").to_string();
        let hrp = sample.rsplit_once('1').map_or("", |(hrp, _)| hrp);
        let mut index = AddressIndex::new(hrp);
        let users: Vec<UserState> = names
            .users
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let addr = net.addr(&provider_id, name);
                index.insert(addr.as_str(), i);
                UserState {
                    name: name.clone(),
                    addr,
                    proxy: None,
                    collateral: Uint128::zero(),
                    native_lien: ValueRange::zero(),
                    validators: BTreeSet::new(),
                }
            })
            .collect();
        let g = genesis.get(&provider_id).cloned().unwrap_or_default();
        let supply = net
            .with_chain(&provider_id, move |chain, _| SupplyState::open(chain, &g))
            .await?;
        let mut consumers = vec![];
        for id in net.consumer_ids() {
            let g = genesis.get(id).cloned().unwrap_or_default();
            let state = net
                .with_chain(id, move |chain, _| SupplyState::open(chain, &g))
                .await?;
            consumers.push((id.clone(), state));
        }
        Ok(Checker {
            provider: Some(ProviderState {
                vault,
                native,
                users,
                index,
                by_validator: BTreeMap::new(),
                total_collateral: Uint128::zero(),
                native_liens: ValueRange::zero(),
                supply,
                first: true,
            }),
            consumers,
        })
    }

    /// Check invariants 1 and 2 now, reading `scope`.
    pub async fn check(
        &mut self,
        net: &Testnet,
        scope: Scope,
    ) -> Result<Result<(), Violation>, String> {
        let full = scope == Scope::Full;
        let mut state = self
            .provider
            .take()
            .ok_or("the invariant checker was lost in an earlier check")?;
        let (state, r) = net
            .with_chain(net.provider_id(), move |chain, _| {
                let r = state.run(chain, full);
                (state, r)
            })
            .await?;
        self.provider = Some(state);
        if r.is_err() {
            return Ok(r);
        }
        for (id, supply) in &mut self.consumers {
            let mut s = supply.clone();
            let (s, r) = net
                .with_chain(id, move |chain, _| {
                    let changes = chain.take_changes(s.log);
                    let r = s.check(chain, &changes, full);
                    (s, r)
                })
                .await?;
            *supply = s;
            if r.is_err() {
                return Ok(r);
            }
        }
        Ok(Ok(()))
    }
}

/// Invariant 3, for a settled system: nothing in flight, no open range, and for every consumer
/// validator the provider's committed stake equals the consumer's request (provider units).
pub async fn check_settled(
    net: &Testnet,
    names: &ReportNames,
) -> Result<Result<(), Violation>, String> {
    for c in &names.consumers {
        let stats = net.link_stats(&c.id).await?;
        if stats.in_flight > 0 {
            return Ok(Err(violation(
                "settled",
                format!("{} packets still in flight on {}", stats.in_flight, c.id),
            )));
        }
        if stats.handler_errors > 0 {
            return Ok(Err(violation(
                "settled",
                format!(
                    "{} ack/timeout handlers failed on {}",
                    stats.handler_errors, c.id
                ),
            )));
        }
    }
    if net.pending_txs().await? > 0 {
        return Ok(Err(violation("settled", "pending txs remain".into())));
    }
    let users: Vec<Addr> = names
        .users
        .iter()
        .map(|u| net.addr(net.provider_id(), u))
        .collect();
    for c in &names.consumers {
        let contract = net
            .contract(&ContractId::external_staking(&c.id))?
            .deployed
            .addr
            .clone();
        let users = users.clone();
        let ledger_contract = contract.clone();
        let committed = net
            .with_chain(
                net.provider_id(),
                move |chain, _| -> Result<BTreeMap<String, Uint128>, String> {
                    let mut per_validator: BTreeMap<String, Uint128> = BTreeMap::new();
                    for user in &users {
                        for s in user_stakes(chain, &contract, user.as_str())? {
                            if !s.stake.is_settled() {
                                return Err(format!(
                                    "{user} on {}: stake range {} still open",
                                    s.validator, s.stake
                                ));
                            }
                            *per_validator.entry(s.validator.clone()).or_default() += s.stake.low;
                        }
                    }
                    per_validator.retain(|_, v| !v.is_zero());
                    Ok(per_validator)
                },
            )
            .await?;
        let committed = match committed {
            Ok(c) => c,
            Err(e) => return Ok(Err(violation("settled", e))),
        };
        let (ledger, open) = net
            .with_chain(net.provider_id(), move |chain, _| {
                (
                    burn_ledger_line(chain, &ledger_contract),
                    outstanding(chain, &ledger_contract),
                )
            })
            .await?;
        if let Some(e) = ledger {
            return Ok(Err(violation(
                "settled",
                format!(
                    "{}: burn ledger not empty with nothing in flight: {} burns in flight, {} \
                     set aside, {} untaken on {}",
                    c.id, e.in_flight, e.crossed, e.unburned, e.validator
                ),
            )));
        }
        if let Some(o) = open {
            return Ok(Err(violation(
                "settled",
                format!(
                    "{}: outstanding with nothing in flight: {}",
                    c.id,
                    describe_outstanding(&o)
                ),
            )));
        }
        if !net.implementation().reports_requests() {
            // Its virtual staking answers no per-validator requests in provider units: the
            // committed stakes are all this invariant can read (and they must be settled).
            continue;
        }
        let vs = net
            .contract(&ContractId::virtual_staking(&c.id))?
            .deployed
            .addr
            .clone();
        let requested = net
            .with_chain(&c.id, move |chain, _| {
                mesh_actors::chain::books::read_requests(chain, &vs)
            })
            .await?;
        let requested = match requested {
            Ok(r) => r,
            Err(e) => return Ok(Err(violation("settled", e))),
        };
        if committed != requested {
            return Ok(Err(violation(
                "settled",
                format!(
                    "{}: provider committed stake {} != consumer requests {} (provider units)",
                    c.id,
                    crate::names::amounts(&committed),
                    crate::names::amounts(&requested)
                ),
            )));
        }
    }
    Ok(Ok(()))
}
