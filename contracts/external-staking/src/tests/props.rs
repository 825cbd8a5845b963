//! Property test: random sequences of stakes, unstakes, acks / error acks / timeouts, slashes,
//! burns, internal unstakes, rewards, withdrawals and a channel close, through the real entry
//! points, next to a model of the vault's lien per user (the vault's own range operations:
//! prepare / saturating commit / saturating rollback, `sub_settled` for slashes, burns and
//! releases). Checks that acks and timeouts never fail, ranges stay ordered, the distribution
//! totals match the stake weights, rewards never exceed what was distributed, the lien's upper
//! end always equals what the contract may hold, every release fits in the lien's lower end (the
//! vault would accept it), and once every packet is resolved the lien equals the holdings.

use std::collections::BTreeMap;

use cosmwasm_std::testing::mock_ibc_channel_close_confirm;
use cosmwasm_std::{from_json, Addr, CosmosMsg, IbcOrder, Order, Uint128, WasmMsg};
use mesh_apis::external_staking::ExecuteMsg;
use mesh_apis::ibc::{ConsumerPacket, ProviderPacket, RewardInfo};
use mesh_apis::vault::ExecuteMsg as VaultExecuteMsg;
use mesh_apis::ValueRange;
use proptest::prelude::*;

use super::setup::*;
use crate::ibc::ibc_channel_close;
use crate::state::{load_stake, Stake, BURN_DEBT, DISTRIBUTION, SLASH_DEBT, STAKES};

const VALS: [&str; 2] = ["val1", "val2"];

#[derive(Debug, Clone)]
enum Op {
    Stake(usize, usize, u128),
    Unstake(usize, usize, u128),
    Resolve(usize, u8),
    Distribute(usize, u128),
    Slash(usize, u128, u64),
    Burn(usize, u128, Option<usize>),
    InternalUnstake(usize, usize, u128),
    Advance(u64),
    Withdraw(usize),
    WithdrawRewards(usize, usize),
    Close,
}

fn op() -> impl Strategy<Value = Op> {
    let user = 0usize..2;
    let val = 0usize..2;
    prop_oneof![
        4 => (user.clone(), val.clone(), 1u128..500).prop_map(|(u, v, a)| Op::Stake(u, v, a)),
        3 => (user.clone(), val.clone(), 1u128..300).prop_map(|(u, v, a)| Op::Unstake(u, v, a)),
        6 => (any::<usize>(), 0u8..3).prop_map(|(i, o)| Op::Resolve(i, o)),
        2 => (val.clone(), 0u128..1000).prop_map(|(v, a)| Op::Distribute(v, a)),
        1 => (val.clone(), 0u128..400, 0u64..=100).prop_map(|(v, a, r)| Op::Slash(v, a, r)),
        1 => (user.clone(), 0u128..300, proptest::option::of(val.clone()))
            .prop_map(|(u, a, v)| Op::Burn(u, a, v)),
        1 => (user.clone(), val.clone(), 0u128..200).prop_map(|(u, v, a)| Op::InternalUnstake(u, v, a)),
        2 => (0u64..(2 * UNBONDING)).prop_map(Op::Advance),
        2 => user.clone().prop_map(Op::Withdraw),
        2 => (user, val).prop_map(|(u, v)| Op::WithdrawRewards(u, v)),
        1 => Just(Op::Close),
    ]
}

/// The harness's view of what the vault was told, per (user index, validator).
struct World {
    s: Suite,
    users: Vec<Addr>,
    /// Packets in flight; `true` when the consumer already received it and will ack success.
    in_flight: Vec<(ProviderPacket, bool)>,
    stake_txs: BTreeMap<u64, (usize, usize, u128)>,
    /// The vault's lien per user.
    lien: [ValueRange; 2],
    distributed: [u128; 2],
    next_tx: u64,
    height: u64,
    closed: bool,
}

impl World {
    fn new() -> Self {
        let s = Suite::connected();
        let users = vec![s.alice.clone(), s.bob.clone()];
        World {
            s,
            users,
            in_flight: vec![],
            stake_txs: BTreeMap::new(),
            lien: [ValueRange::zero(); 2],
            distributed: [0, 0],
            next_tx: 1,
            height: 200,
            closed: false,
        }
    }

    fn stake_of(&self, u: usize, v: usize) -> Stake {
        load_stake(&self.s.deps.storage, &self.users[u], VALS[v]).unwrap()
    }

    /// (Σ settled stake + unbonds, Σ upper stake + unbonds − burn debt) of a user.
    fn holdings(&self, u: usize) -> (Uint128, Uint128) {
        let debt = BURN_DEBT
            .may_load(&self.s.deps.storage, &self.users[u])
            .unwrap()
            .unwrap_or_default();
        let (lo, hi) = (0..2).fold((Uint128::zero(), Uint128::zero()), |(lo, hi), v| {
            let st = self.stake_of(u, v);
            let unb = st.total_unbonding();
            (lo + st.stake.low + unb, hi + st.stake.high + unb)
        });
        (lo, hi - debt)
    }

    fn vault_msgs(&self, msgs: &[cosmwasm_std::SubMsg]) -> Vec<VaultExecuteMsg> {
        msgs.iter()
            .filter_map(|m| match &m.msg {
                CosmosMsg::Wasm(WasmMsg::Execute {
                    contract_addr, msg, ..
                }) if *contract_addr == self.s.vault.as_str() => Some(from_json(msg).unwrap()),
                _ => None,
            })
            .collect()
    }

    fn user_index(&self, addr: &str) -> usize {
        self.users.iter().position(|u| u.as_str() == addr).unwrap()
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Stake(u, v, a) => {
                let tx = self.next_tx;
                let user = self.users[u].clone();
                if let Ok(resp) = self.s.receive_stake(&user, VALS[v], a, tx) {
                    self.next_tx += 1;
                    self.in_flight.push((sent_packet(&resp), false));
                    self.stake_txs.insert(tx, (u, v, a));
                    self.lien[u]
                        .prepare_add(Uint128::new(a), Uint128::MAX)
                        .unwrap();
                }
            }
            Op::Unstake(u, v, a) => {
                let user = self.users[u].clone();
                if let Ok(resp) = self.s.unstake(&user, VALS[v], a) {
                    self.in_flight.push((sent_packet(&resp), false));
                }
            }
            Op::Resolve(i, outcome) => {
                if self.in_flight.is_empty() {
                    return;
                }
                let (packet, received) = self.in_flight.remove(i % self.in_flight.len());
                let outcome = match (received, self.closed) {
                    (true, _) => 0,
                    (false, true) => 2,
                    (false, false) => outcome,
                };
                self.resolve(packet, outcome);
            }
            Op::Distribute(..) | Op::Slash(..) | Op::InternalUnstake(..) if self.closed => {}
            Op::Distribute(v, a) => {
                let resp = self
                    .s
                    .recv(&ConsumerPacket::DistributeBatch {
                        rewards: vec![RewardInfo {
                            validator: VALS[v].to_string(),
                            reward: Uint128::new(a),
                        }],
                        denom: REWARDS.to_string(),
                    })
                    .unwrap();
                if attr(&resp.attributes, "distributed").is_some() {
                    self.distributed[v] += a;
                }
            }
            Op::Slash(v, a, pct) => {
                self.height += 1;
                let ratio = format!("0.{pct:02}");
                let ratio = if pct == 100 { "1".to_string() } else { ratio };
                let resp = self
                    .s
                    .recv(
                        &Valset::at(self.height)
                            .slash(VALS[v], self.height - 1, a, &ratio)
                            .packet(),
                    )
                    .unwrap();
                for msg in self.vault_msgs(&resp.messages) {
                    let VaultExecuteMsg::CrossSlash { slashes, validator } = msg else {
                        panic!("unexpected vault message")
                    };
                    assert_eq!(validator, VALS[v]);
                    for sl in slashes {
                        let u = self.user_index(&sl.user);
                        self.lien[u].sub_settled(sl.slash);
                    }
                }
            }
            Op::Burn(u, a, v) => {
                // The vault never burns more than the lien's upper end.
                let a = a.min(self.lien[u].high.u128());
                let before = self.holdings(u).1;
                let vault = self.s.vault.clone();
                let resp = self
                    .s
                    .exec(
                        &vault,
                        ExecuteMsg::BurnVirtualStake {
                            owner: self.users[u].to_string(),
                            amount: osmo(a),
                            validator: v.map(|v| VALS[v].to_string()),
                        },
                    )
                    .unwrap();
                let unburned: u128 = attr(&resp.attributes, "unburned")
                    .map(|x| x.parse().unwrap())
                    .unwrap_or(0);
                assert_eq!(unburned, 0, "the lien's upper end is held");
                assert_eq!((before - self.holdings(u).1).u128(), a);
                self.lien[u].sub_settled(Uint128::new(a));
                self.in_flight.extend(
                    sent_packets_full(&resp.messages)
                        .into_iter()
                        .map(|p| (p.1, false)),
                );
            }
            Op::InternalUnstake(u, v, a) => {
                // The consumer can only unstake what it has: stakes still in flight for this
                // delegator and validator were received there, so they will be acked.
                let (user, val) = (self.users[u].to_string(), VALS[v]);
                for (p, received) in self.in_flight.iter_mut() {
                    if matches!(p, ProviderPacket::Stake { delegator, validator, .. } if *delegator == user && validator == val)
                    {
                        *received = true;
                    }
                }
                self.s
                    .recv(&ConsumerPacket::InternalUnstake {
                        delegator: self.users[u].to_string(),
                        validator: VALS[v].to_string(),
                        normalize_amount: osmo(a),
                        inverted_amount: cosmwasm_std::coin(a, REWARDS),
                    })
                    .unwrap();
            }
            Op::Advance(secs) => self.s.advance(secs),
            Op::Withdraw(u) => {
                let now = self.s.env.block.time;
                let matured: Vec<u128> = (0..2)
                    .map(|v| {
                        self.stake_of(u, v)
                            .pending_unbonds
                            .iter()
                            .filter(|p| p.release_at <= now)
                            .map(|p| p.amount.u128())
                            .sum()
                    })
                    .collect();
                let user = self.users[u].clone();
                let resp = self.s.exec(&user, ExecuteMsg::WithdrawUnbonded {}).unwrap();
                let released: u128 = self
                    .vault_msgs(&resp.messages)
                    .into_iter()
                    .map(|m| match m {
                        VaultExecuteMsg::ReleaseCrossStake { owner, amount } => {
                            assert_eq!(owner, user.as_str());
                            Uint128::try_from(amount.amount).unwrap().u128()
                        }
                        _ => panic!("unexpected vault message"),
                    })
                    .sum();
                assert_eq!(released, matured.iter().sum::<u128>());
                let released = Uint128::new(released);
                assert!(
                    released <= self.lien[u].low,
                    "release {released} above the lien {}",
                    self.lien[u]
                );
                self.lien[u].sub_settled(released);
            }
            Op::WithdrawRewards(u, v) => {
                let user = self.users[u].clone();
                if let Ok(resp) = self.s.exec(
                    &user,
                    ExecuteMsg::WithdrawRewards {
                        validator: VALS[v].to_string(),
                        remote_recipient: "juno1r".to_string(),
                    },
                ) {
                    self.in_flight.push((sent_packet(&resp), false));
                }
            }
            Op::Close => {
                if !self.closed {
                    let close =
                        mock_ibc_channel_close_confirm(CHANNEL, IbcOrder::Unordered, &version());
                    ibc_channel_close(self.s.deps.as_mut(), self.s.env.clone(), close).unwrap();
                    self.closed = true;
                }
            }
        }
    }

    fn resolve(&mut self, packet: ProviderPacket, outcome: u8) {
        let resp = match outcome {
            0 => self.s.ack_ok(&packet),
            1 => self.s.ack_err(&packet),
            _ => self.s.timeout(&packet),
        };
        let msgs = self.vault_msgs(&resp.messages);
        self.in_flight.extend(
            sent_packets_full(&resp.messages)
                .into_iter()
                .map(|p| (p.1, false)),
        );
        // After the tx's own message, only slash debts paid by this outcome (a committed stake,
        // a rolled-back unstake) reach the vault, for the packet's own user.
        let mut msgs = msgs.into_iter();
        if let ProviderPacket::Stake { tx_id, .. } = packet {
            let (u, _, a) = self.stake_txs.remove(&tx_id).unwrap();
            if outcome == 0 {
                assert_eq!(msgs.next(), Some(VaultExecuteMsg::CommitTx { tx_id }));
                self.lien[u].saturating_commit_add(Uint128::new(a));
            } else {
                assert_eq!(msgs.next(), Some(VaultExecuteMsg::RollbackTx { tx_id }));
                self.lien[u].saturating_rollback_add(Uint128::new(a));
            }
        }
        for msg in msgs {
            let VaultExecuteMsg::CrossSlash { slashes, .. } = msg else {
                panic!("unexpected vault message {msg:?}")
            };
            assert!(outcome != 2 || matches!(packet, ProviderPacket::Unstake { .. }));
            for sl in slashes {
                let u = self.user_index(&sl.user);
                self.lien[u].sub_settled(sl.slash);
            }
        }
    }

    fn check(&self, settled: bool) {
        let storage = &self.s.deps.storage;
        let mut weights = [Uint128::zero(); 2];
        let stakes: Vec<_> = STAKES
            .range(storage, None, None, Order::Ascending)
            .collect::<Result<_, _>>()
            .unwrap();
        for ((_, val), st) in &stakes {
            assert!(st.stake.low <= st.stake.high, "{val}: {}", st.stake);
            assert!(st.weight <= st.stake.high);
            let v = VALS.iter().position(|x| x == val).unwrap();
            weights[v] += st.weight;
            if settled {
                assert!(st.stake.is_settled());
                assert_eq!(st.weight, st.stake.low);
                assert!(st.reserved.is_zero());
            }
        }
        for (v, name) in VALS.iter().enumerate() {
            let dist = DISTRIBUTION
                .may_load(storage, name)
                .unwrap()
                .unwrap_or_default();
            assert_eq!(dist.total_stake, weights[v]);
            let earned: u128 = stakes
                .iter()
                .filter(|((_, val), _)| val == name)
                .map(|(_, st)| dist.earned(st).u128())
                .sum();
            assert!(
                earned <= self.distributed[v],
                "earned {earned} > distributed {}",
                self.distributed[v]
            );
        }
        for u in 0..2 {
            let (low, high) = self.holdings(u);
            assert_eq!(self.lien[u].high, high, "user {u}: lien {}", self.lien[u]);
            assert!(
                self.lien[u].low >= low,
                "user {u}: lien {} below {low}",
                self.lien[u]
            );
            if settled {
                assert_eq!(self.lien[u], ValueRange::new_val(low), "user {u}");
                assert!(!BURN_DEBT.has(&self.s.deps.storage, &self.users[u]));
            }
        }
        if settled {
            // Every debt lapses or is paid once the packets that owe it resolved.
            for val in VALS {
                assert!(!SLASH_DEBT.has(storage, val), "{val}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Random operations keep the contract consistent with what it told the vault.
    #[test]
    fn random_operations_stay_consistent(ops in proptest::collection::vec(op(), 1..100)) {
        let mut w = World::new();
        for op in ops {
            w.apply(op);
            w.check(false);
        }
        while !w.in_flight.is_empty() {
            let (packet, received) = w.in_flight.remove(0);
            let outcome = if w.closed && !received { 2 } else { 0 };
            w.resolve(packet, outcome);
            w.check(false);
        }
        w.check(true);
    }
}
