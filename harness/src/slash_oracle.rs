//! The "no escaped slash" oracle: when external staking applies a consumer slash, the collateral
//! of every user staked on that validator drops by their share of it: their settled stake's
//! proportional part of the converted slash (less what unstakes the consumer could not fully
//! unbond paid already), plus the slash ratio of every pending unbond not yet released whose
//! unstake the consumer applied before the slash, within a unit of rounding per slash.
//! Unstaking just before a slash, or a vault that does not follow, shows here.
//!
//! It watches the provider chain's packet receives ([`ReceiveObserver`]): right before a
//! validator-set update reaches an external staking contract it records every user's stakes
//! and collateral; right after, it recomputes each user's expected loss from the slashes the
//! contract reports as applied (event `slash_applied`) and compares.

use cosmwasm_std::{Addr, Decimal, Event, IbcPacket, Timestamp, Uint128};
use mesh_actors::chain::observer::ReceiveObserver;
use mesh_actors::chain::Chain;
use mesh_apis::external_staking::{PendingUnbond, EVENT_SLASH_APPLIED};
use mesh_apis::ibc::ConsumerPacket;
use mesh_apis::vault;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::invariants::{user_stakes, Violation};

/// Where the oracle leaves the first violation it finds (shared with the runner).
pub type Findings = Arc<Mutex<Option<Violation>>>;

/// One user's position on one validator before the packet.
#[derive(Clone, Debug)]
struct Position {
    settled: Uint128,
    pending: Vec<PendingUnbond>,
}

/// A slash as the consumer reported it in a packet.
#[derive(Clone, Debug)]
struct Reported {
    amount: Uint128,
    ratio: Decimal,
    /// Consumer height of the update that carried it.
    height: u64,
}

#[derive(Debug)]
struct Before {
    consumer: String,
    now: Timestamp,
    collateral: BTreeMap<String, Uint128>,
    /// (user, validator) → position.
    positions: BTreeMap<(String, String), Position>,
}

/// The oracle (install it on the provider chain with `Chain::set_receive_observer`).
pub struct SlashOracle {
    vault: Addr,
    /// Native staking: its slashes (rounding losses of a burn the slash caused) are not this
    /// oracle's business.
    native: Addr,
    /// External staking contract → consumer id.
    externals: BTreeMap<Addr, String>,
    /// User name and address.
    users: Vec<(String, Addr)>,
    before: Option<Before>,
    /// Every slash the consumers reported, by (consumer, validator, infraction height): the
    /// expected cut comes from what the consumer said, not from what the contract claims.
    reported: BTreeMap<(String, String, u64), Reported>,
    findings: Findings,
}

impl SlashOracle {
    /// An oracle over `users` (name, provider address) for the given vault and external
    /// staking contracts (address → consumer id), reporting to `findings`.
    pub fn new(
        vault: Addr,
        native: Addr,
        externals: BTreeMap<Addr, String>,
        users: Vec<(String, Addr)>,
        findings: Findings,
    ) -> Self {
        SlashOracle {
            vault,
            native,
            externals,
            users,
            before: None,
            reported: BTreeMap::new(),
            findings,
        }
    }

    fn collateral(&self, chain: &Chain, user: &Addr) -> Uint128 {
        chain
            .query_json::<_, vault::AccountResponse>(
                &self.vault,
                &vault::QueryMsg::Account {
                    account: user.to_string(),
                },
            )
            .map(|a| a.bonded)
            .unwrap_or_default()
    }

    fn report(&self, detail: String) {
        let mut found = self.findings.lock().expect("findings lock");
        if found.is_none() {
            *found = Some(Violation {
                invariant: "escaped_slash",
                detail,
            });
        }
    }
}

/// A slash the contract applied, from its `slash_applied` event.
struct Applied {
    validator: String,
    infraction_height: u64,
    /// What unstakes the consumer could not fully unbond paid of it already.
    prepaid: Uint128,
}

/// Per user address, what the vault slashed on behalf of `lienholder` in `events`.
fn vault_slashes(events: &[Event], lienholder: &Addr) -> BTreeMap<String, Uint128> {
    let mut out: BTreeMap<String, Uint128> = BTreeMap::new();
    let wanted = format!("wasm-{}", mesh_apis::vault::EVENT_SLASH);
    for e in events.iter().filter(|e| e.ty == wanted) {
        let get = |k: &str| {
            e.attributes
                .iter()
                .find(|a| a.key == k)
                .map(|a| a.value.as_str())
        };
        if get("lienholder") != Some(lienholder.as_str()) {
            continue;
        }
        if let (Some(user), Some(Ok(slashed))) = (get("user"), get("slashed").map(str::parse)) {
            *out.entry(user.to_string()).or_default() += Uint128::new(slashed);
        }
    }
    out
}

fn applied_slashes(events: &[Event]) -> Vec<Applied> {
    let wanted = format!("wasm-{EVENT_SLASH_APPLIED}");
    events
        .iter()
        .filter(|e| e.ty == wanted)
        .filter_map(|e| {
            let get = |k: &str| {
                e.attributes
                    .iter()
                    .find(|a| a.key == k)
                    .map(|a| a.value.clone())
            };
            Some(Applied {
                validator: get("validator")?,
                infraction_height: get("infraction_height")?.parse().ok()?,
                prepaid: get("prepaid")?.parse().ok()?,
            })
        })
        .collect()
}

impl ReceiveObserver for SlashOracle {
    fn before_receive(&mut self, chain: &Chain, contract: &Addr, packet: &IbcPacket) {
        self.before = None;
        let Some(consumer) = self.externals.get(contract).cloned() else {
            return;
        };
        let Ok(ConsumerPacket::ValsetUpdate {
            height, slashed, ..
        }) = cosmwasm_std::from_json::<ConsumerPacket>(&packet.data)
        else {
            return;
        };
        for s in slashed {
            self.reported.insert(
                (consumer.clone(), s.validator, s.infraction_height),
                Reported {
                    amount: s.slash_amount,
                    ratio: s.slash_ratio,
                    height,
                },
            );
        }
        let mut before = Before {
            consumer,
            now: chain.app_ref().block_info().time,
            collateral: BTreeMap::new(),
            positions: BTreeMap::new(),
        };
        for (name, addr) in &self.users {
            before
                .collateral
                .insert(name.clone(), self.collateral(chain, addr));
            for s in user_stakes(chain, contract, addr.as_str()).unwrap_or_default() {
                before.positions.insert(
                    (name.clone(), s.validator.clone()),
                    Position {
                        settled: s.stake.low,
                        pending: s.pending_unbonds,
                    },
                );
            }
        }
        self.before = Some(before);
    }

    fn after_receive(
        &mut self,
        chain: &Chain,
        _contract: &Addr,
        _packet: &IbcPacket,
        events: &[Event],
    ) {
        let Some(mut before) = self.before.take() else {
            return;
        };
        let mut applied = vec![];
        for a in applied_slashes(events) {
            let key = (
                before.consumer.clone(),
                a.validator.clone(),
                a.infraction_height,
            );
            let Some(r) = self.reported.get(&key).cloned() else {
                self.report(format!(
                    "{}: external staking applied a slash of {} at infraction height {} that the \
                     consumer never reported",
                    before.consumer, a.validator, a.infraction_height
                ));
                return;
            };
            applied.push((a, r));
        }
        // Per user: the least and most the slashes may take (a proportional split hands out
        // its flooring remainder one unit at a time), and what they are made of.
        let mut expected: BTreeMap<String, (Uint128, Uint128, Vec<String>)> = BTreeMap::new();
        for (slash, reported) in &applied {
            let amount = reported.amount.saturating_sub(slash.prepaid);
            let on_validator: Vec<(String, Position)> = before
                .positions
                .iter()
                .filter(|((_, v), _)| *v == slash.validator)
                .map(|((u, _), p)| (u.clone(), p.clone()))
                .collect();
            let total: Uint128 = on_validator.iter().map(|(_, p)| p.settled).sum();
            for (user, position) in on_validator {
                let stake_cut = if amount >= total {
                    position.settled
                } else {
                    position.settled.multiply_ratio(amount, total)
                };
                let mut pending_cut = Uint128::zero();
                let mut pending_left = vec![];
                for u in &position.pending {
                    let mut u = u.clone();
                    let before_slash = u.consumer_height.is_none_or(|h| h < reported.height);
                    if u.release_at > before.now && before_slash {
                        let c = u.amount.mul_floor(reported.ratio);
                        pending_cut += c;
                        u.amount -= c;
                    }
                    pending_left.push(u);
                }
                let e = expected.entry(user.clone()).or_default();
                e.0 += stake_cut + pending_cut;
                e.1 += stake_cut + pending_cut;
                if stake_cut < position.settled {
                    e.1 += Uint128::one();
                }
                e.2.push(format!(
                    "{} slashed {} (ratio {}, {} prepaid): stake {} of {} → {}, pending unbonds {} → {}",
                    slash.validator,
                    reported.amount,
                    reported.ratio,
                    slash.prepaid,
                    position.settled,
                    total,
                    stake_cut,
                    position.pending.iter().map(|u| u.amount).sum::<Uint128>(),
                    pending_cut
                ));
                before.positions.insert(
                    (user, slash.validator.clone()),
                    Position {
                        settled: position.settled - stake_cut,
                        pending: pending_left,
                    },
                );
            }
        }
        let local = vault_slashes(events, &self.native);
        for (name, addr) in &self.users {
            let was = before.collateral[name];
            let now = self.collateral(chain, addr);
            let local = local.get(addr.as_str()).copied().unwrap_or_default();
            let dropped = was.saturating_sub(now).saturating_sub(local);
            let (lo, hi, why) = expected.remove(name).unwrap_or_default();
            let (lo, hi) = (lo.min(was), hi.min(was));
            if dropped < lo || dropped > hi || now > was {
                let range = if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}..{hi}")
                };
                let why = if why.is_empty() {
                    "no slash applied to their stakes".to_string()
                } else {
                    why.join("; ")
                };
                self.report(format!(
                    "{name}: a validator-set update on {} moved their collateral {was} → {now} \
                     (a drop of {dropped}), expected a drop of {range}: {why}",
                    before.consumer
                ));
                return;
            }
        }
    }
}
