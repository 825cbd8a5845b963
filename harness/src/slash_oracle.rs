//! The "no escaped slash" oracle: when external staking applies a consumer slash, the collateral
//! of every user staked on that validator drops by their share of it: their settled stake's
//! proportional part of the converted slash (less what unstakes the consumer could not fully
//! unbond paid already), plus the slash ratio of every pending unbond not yet released whose
//! unstake the consumer applied before the slash, within a unit of rounding per slash.
//! Unstaking just before a slash, or a vault that does not follow, shows here.
//!
//! It watches the provider chain's packet receives ([`ReceiveObserver`]): right before a
//! validator-set update reaches an external staking contract it records the stakes of every user
//! with a position there and everyone's collateral; right after, it recomputes each user's
//! expected loss from the slashes the contract reports as applied (event `slash_applied`) and
//! compares. It keeps what it read and, told what changed in storage since (see
//! [`crate::touched`]), reads again only the users whose state changed.

use cosmwasm_std::{Addr, Decimal, Event, IbcPacket, Timestamp, Uint128};
use mesh_actors::chain::observer::ReceiveObserver;
use mesh_actors::chain::{Chain, Change};
use mesh_apis::external_staking::{PendingUnbond, EVENT_SLASH_APPLIED};
use mesh_apis::ibc::ConsumerPacket;
use mesh_apis::vault;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use crate::invariants::{user_stakes, Violation};
use crate::touched::AddressIndex;

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
    /// User addresses → index in `users`.
    index: AddressIndex,
    /// User names → index in `users`.
    by_name: BTreeMap<String, usize>,
    /// Every user's collateral as last read.
    collateral: Vec<Uint128>,
    /// Per external staking contract and user with a position there, their stakes as last read.
    positions: BTreeMap<Addr, BTreeMap<usize, Vec<(String, Position)>>>,
    /// Users whose state changed since it was last read (all of them before the first read).
    stale: BTreeSet<usize>,
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
        let hrp = users
            .first()
            .and_then(|(_, a)| a.as_str().rsplit_once('1'))
            .map_or("", |(hrp, _)| hrp);
        let mut index = AddressIndex::new(hrp);
        for (i, (_, addr)) in users.iter().enumerate() {
            index.insert(addr.as_str(), i);
        }
        SlashOracle {
            vault,
            native,
            externals,
            collateral: vec![Uint128::zero(); users.len()],
            positions: BTreeMap::new(),
            stale: (0..users.len()).collect(),
            index,
            by_name: users
                .iter()
                .enumerate()
                .map(|(i, (name, _))| (name.clone(), i))
                .collect(),
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

    /// Note the users `changes` touched: their state must be read again.
    fn note(&mut self, changes: &[Change]) {
        for change in changes {
            self.index.users_of(change, &mut self.stale);
        }
    }

    /// Read again the collateral and positions of every user whose state changed.
    fn refresh(&mut self, chain: &Chain) {
        for u in std::mem::take(&mut self.stale) {
            let addr = self.users[u].1.clone();
            self.collateral[u] = self.collateral(chain, &addr);
            for contract in self.externals.keys() {
                let stakes = user_stakes(chain, contract, addr.as_str()).unwrap_or_default();
                let held = self.positions.entry(contract.clone()).or_default();
                if stakes.is_empty() {
                    held.remove(&u);
                    continue;
                }
                let mine = stakes
                    .into_iter()
                    .map(|s| {
                        let p = Position {
                            settled: s.stake.low,
                            pending: s.pending_unbonds,
                        };
                        (s.validator, p)
                    })
                    .collect();
                held.insert(u, mine);
            }
        }
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
    fn before_receive(
        &mut self,
        chain: &Chain,
        contract: &Addr,
        packet: &IbcPacket,
        changes: &[Change],
    ) {
        self.before = None;
        self.note(changes);
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
        self.refresh(chain);
        let mut before = Before {
            consumer,
            now: chain.app_ref().block_info().time,
            positions: BTreeMap::new(),
        };
        for (u, held) in self.positions.get(contract).into_iter().flatten() {
            let name = &self.users[*u].0;
            for (validator, position) in held {
                before
                    .positions
                    .insert((name.clone(), validator.clone()), position.clone());
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
        changes: &[Change],
    ) {
        let mut touched = BTreeSet::new();
        for change in changes {
            self.index.users_of(change, &mut touched);
        }
        self.stale.extend(&touched);
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
        // Users whose state the update did not touch kept their collateral; those expected to
        // lose some and those it touched are compared, in user order.
        let mut compared = touched.clone();
        compared.extend(expected.keys().filter_map(|name| self.by_name.get(name)));
        for u in compared {
            let (name, addr) = &self.users[u];
            let was = self.collateral[u];
            let now = if touched.contains(&u) {
                self.collateral(chain, addr)
            } else {
                was
            };
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
