//! The invariants of docs/system.md ("The testnet") and the README, checked after every step and at the end:
//! 1. vault accounting per user; 2. conservation (tokens and the provider's balance sheet);
//! 3. when settled: provider and consumer agree, nothing in flight, no range open.
//!
//! Plus backing: every user's collateral has tokens behind it (vault or native staking).

use cosmwasm_std::{Addr, Decimal256, Uint128};
use mesh_actors::chain::Chain;
use mesh_actors::testnet::{ContractId, Testnet};
use mesh_apis::{external_staking as ext, native_staking, native_staking_proxy, vault, ValueRange};
use std::collections::BTreeMap;

use crate::report::{narrow, ReportNames};

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
        let page: ext::StakesResponse = chain.query_json(
            contract,
            &ext::QueryMsg::Stakes {
                user: user.to_string(),
                start_after: out.last().map(|s| s.validator.clone()),
                limit: Some(vault::MAX_PAGE_LIMIT),
            },
        )?;
        if page.stakes.is_empty() {
            return Ok(out);
        }
        out.extend(page.stakes);
    }
}

/// Invariant 1 and the provider's balance sheet (part of 2), inside the provider's actor.
fn check_provider(
    chain: &Chain,
    users: &[String],
    vault_addr: &Addr,
    native: &Addr,
) -> Result<(), Violation> {
    let mut total_collateral = Uint128::zero();
    let mut native_liens = ValueRange::zero();
    for user in users {
        let account = chain.addr(user).to_string();
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
        let mut holders = std::collections::BTreeSet::new();
        let mut max = ValueRange::zero();
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
        check_backing(chain, user, native, c, native_lien)?;
        total_collateral += c;
    }
    // Balance sheet: every collateral token is either in the vault or out at native staking.
    // (A cross-chain slash lowers collateral but leaves its tokens in the vault, so the vault
    // may hold more than it owes, never less.)
    let denom = chain.config().denom.clone();
    let held = chain
        .app_ref()
        .wrap()
        .query_balance(vault_addr.to_string(), denom)
        .map(|c| narrow(c.amount))
        .unwrap_or_default();
    if held + native_liens.low < total_collateral || native_liens.low != native_liens.high {
        return Err(violation(
            "conservation",
            format!(
                "vault holds {held}, local liens {native_liens}, but users' collateral is {total_collateral}"
            ),
        ));
    }
    Ok(())
}

/// What a user's native staking proxy holds: delegated (exactly: its shares' worth before the
/// truncation to whole tokens), unbonding, and liquid tokens, less the burns it still owes (they
/// never go back to the vault). Zero without a proxy.
fn proxy_tokens(chain: &Chain, native: &Addr, user: &str) -> ProxyTokens {
    let owner = chain.addr(user).to_string();
    let proxy: Option<native_staking::ProxyByOwnerResponse> = chain
        .query_json(native, &native_staking::QueryMsg::ProxyByOwner { owner })
        .ok();
    let Some(proxy) = proxy.map(|p| Addr::unchecked(p.proxy)) else {
        return ProxyTokens::default();
    };
    let (delegated, unbonding) = chain.app_ref().read_module(|router, _, storage| {
        let delegated = router
            .staking
            .delegated_worth(storage, &proxy)
            .unwrap_or_default();
        let unbonding = router
            .staking
            .unbonding_total(storage, &proxy)
            .unwrap_or_default();
        (delegated, unbonding)
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
        delegated,
        unbonding,
        liquid,
        burn_owed,
    }
}

/// The tokens behind a user's local lien (see [`proxy_tokens`]).
#[derive(Debug, Default)]
struct ProxyTokens {
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
    chain: &Chain,
    user: &str,
    native: &Addr,
    collateral: Uint128,
    native_lien: Uint128,
) -> Result<(), Violation> {
    let in_vault = collateral.saturating_sub(native_lien);
    let t = proxy_tokens(chain, native, user);
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

/// Conservation of tokens on one chain: the bank supply moved only by the modules' mints and burns
/// and by contracts' burns, all of which the chain ledger records.
fn check_supply(chain: &Chain, genesis: &BTreeMap<String, Uint128>) -> Result<(), Violation> {
    let denom = chain.config().denom.clone();
    let supply = chain
        .app_ref()
        .wrap()
        .query_supply(denom.clone())
        .map(|c| narrow(c.amount))
        .unwrap_or_default();
    let ledger = chain
        .app_ref()
        .read_module(|_, _, storage| mesh_actors::modules::supply_ledger(storage))
        .map_err(|e| violation("conservation", e.to_string()))?;
    let start = genesis.get(&denom).copied().unwrap_or_default();
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

/// Check invariants 1 and 2 now.
pub async fn check(
    net: &Testnet,
    names: &ReportNames,
    genesis: &BTreeMap<String, BTreeMap<String, Uint128>>,
) -> Result<Result<(), Violation>, String> {
    let users = names.users.clone();
    let vault_addr = net.contract(&ContractId::Vault)?.deployed.addr.clone();
    let native = net
        .contract(&ContractId::NativeStaking)?
        .deployed
        .addr
        .clone();
    let provider_genesis = genesis.get(net.provider_id()).cloned().unwrap_or_default();
    let r = net
        .with_chain(net.provider_id(), move |chain, _| {
            check_provider(chain, &users, &vault_addr, &native)?;
            check_supply(chain, &provider_genesis)
        })
        .await?;
    if r.is_err() {
        return Ok(r);
    }
    for id in net.consumer_ids() {
        let g = genesis.get(id).cloned().unwrap_or_default();
        let r = net
            .with_chain(id, move |chain, _| check_supply(chain, &g))
            .await?;
        if r.is_err() {
            return Ok(r);
        }
    }
    Ok(Ok(()))
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
