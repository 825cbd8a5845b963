//! burn_virtual_stake: vault only; the named validator first, then proportionally, then pending
//! unbonds; one burn packet per validator cut.

use cosmwasm_std::{coin, Addr};
use mesh_apis::external_staking::{ExecuteMsg, OutstandingResponse, QueryMsg};
use mesh_apis::ibc::{BurnAck, ConsumerPacket, ProviderPacket};
use mesh_apis::ValueRange;

use super::setup::*;
use crate::error::ContractError;

fn burn(
    s: &mut Suite,
    owner: &Addr,
    amount: u128,
    validator: Option<&str>,
) -> cosmwasm_std::Response {
    let vault = s.vault.clone();
    s.exec(
        &vault,
        ExecuteMsg::BurnVirtualStake {
            owner: owner.to_string(),
            amount: osmo(amount),
            validator: validator.map(str::to_string),
        },
    )
    .unwrap()
}

fn burn_packet(validator: &str, amount: u128) -> ProviderPacket {
    ProviderPacket::Burn {
        validators: vec![validator.to_string()],
        burn: osmo(amount),
    }
}

fn packets(resp: &cosmwasm_std::Response) -> Vec<ProviderPacket> {
    packets_of(&resp.messages)
}

fn packets_of<T>(msgs: &[cosmwasm_std::SubMsg<T>]) -> Vec<ProviderPacket> {
    sent_packets_full(msgs)
        .into_iter()
        .map(|(_, p, _)| p)
        .collect()
}

/// The named validator is burned first, the rest proportionally (floor, then units in order).
#[test]
fn named_validator_first_then_proportional() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    s.staked(&alice, "val2", 200, 2);
    s.staked(&alice, "val3", 100, 3);
    let resp = burn(&mut s, &alice, 150, Some("val1"));
    assert_eq!(
        packets(&resp),
        vec![
            burn_packet("val1", 100),
            burn_packet("val2", 34),
            burn_packet("val3", 16)
        ]
    );
    assert_eq!(s.range(&alice, "val1"), ValueRange::zero());
    assert_eq!(s.range(&alice, "val2"), ValueRange::new_val(u(166)));
    assert_eq!(s.range(&alice, "val3"), ValueRange::new_val(u(84)));
}

/// Without a validator the burn is spread proportionally over all stakes.
#[test]
fn burn_without_validator_is_proportional() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    s.staked(&alice, "val2", 200, 2);
    s.staked(&alice, "val3", 100, 3);
    let resp = burn(&mut s, &alice, 40, None);
    assert_eq!(
        packets(&resp),
        vec![
            burn_packet("val1", 10),
            burn_packet("val2", 20),
            burn_packet("val3", 10)
        ]
    );
    assert_eq!(
        attrs(&resp.attributes, "burned"),
        vec!["val1:10", "val2:20", "val3:10"]
    );
}

/// Beyond the stakes, pending unbonds are burned (no packet: the consumer already unbonded them);
/// the rest is reported as unburned, never an error.
#[test]
fn burn_beyond_stakes_takes_unbonds_and_reports_rest() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 130, 1);
    let p = sent_packet(&s.unstake(&alice, "val1", 30).unwrap());
    s.ack_ok(&p);
    let resp = burn(&mut s, &alice, 150, Some("val1"));
    assert_eq!(packets(&resp), vec![burn_packet("val1", 100)]);
    assert_eq!(attr(&resp.attributes, "burned_unbonding").unwrap(), "30");
    assert_eq!(attr(&resp.attributes, "unburned").unwrap(), "20");
    let st = s.stake(&alice, "val1");
    assert_eq!(st.stake, ValueRange::zero());
    assert!(st.pending_unbonds.is_empty());
}

/// A burn takes the settled stake before a stake in flight.
#[test]
fn burn_takes_settled_stake_before_stake_in_flight() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let p = sent_packet(&s.receive_stake(&alice, "val1", 50, 2).unwrap());
    burn(&mut s, &alice, 30, Some("val1"));
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(70), u(120)));
    s.ack_err(&p);
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(70)));
}

/// Beyond everything settled, a burn is a debt on the stakes in flight (as in the vault's lien
/// range): the commit pays it (and sends the burn packet then), a rollback forgives it.
#[test]
fn burn_beyond_settled_is_a_debt_on_stakes_in_flight() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    let p1 = sent_packet(&s.receive_stake(&alice, "val1", 100, 1).unwrap());
    let p2 = sent_packet(&s.receive_stake(&alice, "val2", 50, 2).unwrap());
    let resp = burn(&mut s, &alice, 30, None);
    assert!(packets(&resp).is_empty());
    assert_eq!(attr(&resp.attributes, "burned_in_flight").unwrap(), "30");
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(0), u(100)));
    // The first commit fits in the in-flight adds left free by the debt (150 − 30): no payment.
    let resp = s.ack_ok(&p1);
    assert!(sent_packets_full(&resp.messages).is_empty());
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(100)));
    // The second pays the debt: 50 committed, 30 burned.
    let resp = s.ack_ok(&p2);
    assert_eq!(
        resp.messages[0].msg,
        s.to_vault(&mesh_apis::vault::ExecuteMsg::CommitTx { tx_id: 2 })
    );
    assert_eq!(packets_of(&resp.messages), vec![burn_packet("val2", 30)]);
    assert_eq!(s.range(&alice, "val2"), ValueRange::new_val(u(20)));
    assert!(!crate::state::BURN_DEBT.has(&s.deps.storage, &alice));
}

/// A rollback of the stakes in flight forgives the debt down to what is still in flight.
#[test]
fn rollback_forgives_burn_debt() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    let p1 = sent_packet(&s.receive_stake(&alice, "val1", 100, 1).unwrap());
    let p2 = sent_packet(&s.receive_stake(&alice, "val1", 20, 2).unwrap());
    burn(&mut s, &alice, 30, None);
    s.timeout(&p1);
    // 20 still in flight: the debt is now 20.
    assert_eq!(
        crate::state::BURN_DEBT
            .load(&s.deps.storage, &alice)
            .unwrap(),
        u(20)
    );
    s.ack_ok(&p2);
    assert_eq!(s.range(&alice, "val1"), ValueRange::zero());
    assert!(!crate::state::BURN_DEBT.has(&s.deps.storage, &alice));
}

/// Alice has 100 settled on val1 and unstakes 40; a burn of 70 then takes the 60 still settled
/// (one packet of 60) and 10 of the stake being unstaked (no packet). Returns the unstake packet.
fn burn_70_while_unstaking_40_of_100() -> (Suite, cosmwasm_std::Addr, ProviderPacket) {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let un = sent_packet(&s.unstake(&alice, "val1", 40).unwrap());
    let resp = burn(&mut s, &alice, 70, None);
    assert_eq!(packets(&resp), vec![burn_packet("val1", 60)]);
    assert_eq!(attrs(&resp.attributes, "burned_unstaking"), vec!["val1:10"]);
    (s, alice, un)
}

/// A burn of stake being unstaked: only the settled part is sent to the consumer (it unbonds the
/// whole unstake when it applies it, the burned part included: sending that part too would take
/// it twice there, from the other delegators of the validator); the unstake's ack then moves
/// only what is left of it.
#[test]
fn burn_of_stake_being_unstaked() {
    let (mut s, alice, un) = burn_70_while_unstaking_40_of_100();
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(0), u(30)));
    let resp = s.ack_ok(&un);
    assert!(packets_of(&resp.messages).is_empty());
    assert_eq!(attr(&resp.attributes, "unbonded").unwrap(), "30");
    let st = s.stake(&alice, "val1");
    assert_eq!(st.stake, ValueRange::zero());
    assert_eq!(st.pending_unbonds[0].amount, u(30));
}

/// A rolled-back unstake whose stake a burn partly took: the consumer still holds that part, so
/// the rollback sends the burn for it (an error ack and a timeout alike).
#[test]
fn rolled_back_unstake_sends_the_burn_it_carried() {
    for timeout in [false, true] {
        let (mut s, alice, un) = burn_70_while_unstaking_40_of_100();
        let resp = if timeout {
            s.timeout(&un)
        } else {
            s.ack_err(&un)
        };
        assert_eq!(packets_of(&resp.messages), vec![burn_packet("val1", 10)]);
        let st = s.stake(&alice, "val1");
        assert_eq!(st.stake, ValueRange::new_val(u(30)));
        let stored = crate::state::load_stake(&s.deps.storage, &alice, "val1").unwrap();
        assert!(stored.unstaking_burned.is_zero());
    }
}

/// Only the vault may burn; the wrong denom is refused.
#[test]
fn burn_errors() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let err = s
        .exec(
            &alice,
            ExecuteMsg::BurnVirtualStake {
                owner: alice.to_string(),
                amount: osmo(10),
                validator: None,
            },
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::Unauthorized { .. }));
    let vault = s.vault.clone();
    let err = s
        .exec(
            &vault,
            ExecuteMsg::BurnVirtualStake {
                owner: alice.to_string(),
                amount: coin(10, REWARDS),
                validator: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "invalid denom: expected uosmo, got ujuno");
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(100)));
}

/// A burn cannot be rolled back (the vault already cut the lien): when the consumer does not
/// apply it (error ack or timeout), the same burn is sent again; a success ack sends nothing.
#[test]
fn a_burn_the_consumer_did_not_apply_is_sent_again() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let resp = burn(&mut s, &alice, 10, Some("val1"));
    assert_eq!(packets(&resp), vec![burn_packet("val1", 10)]);
    let again = s.ack_err(&burn_packet("val1", 10));
    assert_eq!(packets_of(&again.messages), vec![burn_packet("val1", 10)]);
    assert_eq!(attr(&again.attributes, "resent").as_deref(), Some("yes"));
    let again = s.timeout(&burn_packet("val1", 10));
    assert_eq!(packets_of(&again.messages), vec![burn_packet("val1", 10)]);
    let done = s.ack_ok(&burn_packet("val1", 10));
    assert!(done.messages.is_empty());
    assert_eq!(attr(&done.attributes, "packet").unwrap(), "burn");
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(90)));
}

/// The consumer's internal unstake of 100 crossed a burn of 10: the provider finds only 90
/// settled, sets the 10 short aside while the burn is in flight, and the burn's ack, which says
/// the consumer took nothing (its requests were gone), covers it: nobody else pays.
#[test]
fn a_burn_that_found_the_requests_gone_covers_the_crossed_unstake() {
    let mut s = Suite::connected();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.staked(&alice, "val1", 100, 1);
    burn(&mut s, &alice, 10, Some("val1"));
    let stake = s.receive_stake_packet(&bob, "val1", 50, 2);
    let resp = s.recv(&internal_unstake(&alice, "val1", 100)).unwrap();
    assert_eq!(
        attr(&resp.attributes, "unbonded").unwrap(),
        format!("{alice}:90")
    );
    assert_eq!(
        attr(&resp.attributes, "unstake_crossed_burn").unwrap(),
        "10"
    );
    assert_eq!(attr(&resp.attributes, "unstake_owed"), None);
    let acked = s.ack(&burn_packet("val1", 10), burn_ack(Some(0)));
    assert_eq!(attr(&acked.attributes, "crossed_covered").unwrap(), "10");
    assert_eq!(attr(&acked.attributes, "crossed_taken"), None);
    s.ack_ok(&stake);
    assert_eq!(s.range(&bob, "val1"), ValueRange::new_val(u(50)));
}

/// Same crossing, but bob's stake reached the consumer before the burn, which took 10 of his
/// requests there: the ack says all 10 were taken, so 10 are taken from bob here too, moved to an
/// unbond released at once (his collateral is not slashed).
#[test]
fn a_burn_that_took_others_requests_is_taken_here_too() {
    let mut s = Suite::connected();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.staked(&alice, "val1", 100, 1);
    burn(&mut s, &alice, 10, Some("val1"));
    s.staked(&bob, "val1", 50, 2);
    // Alice's 90; her 10 short wait for the burn's ack before anyone else's stake is touched.
    let resp = s.recv(&internal_unstake(&alice, "val1", 100)).unwrap();
    assert_eq!(attrs(&resp.attributes, "unbonded"), [format!("{alice}:90")]);
    assert_eq!(
        attr(&resp.attributes, "unstake_crossed_burn").unwrap(),
        "10"
    );
    assert_eq!(s.range(&bob, "val1"), ValueRange::new_val(u(50)));
    // The ack says all 10 were taken: as the consumer's total is exact per validator, 10 of bob's.
    let acked = s.ack(&burn_packet("val1", 10), burn_ack(None));
    assert_eq!(
        attr(&acked.attributes, "unbonded").unwrap(),
        format!("{bob}:10")
    );
    assert_eq!(s.range(&bob, "val1"), ValueRange::new_val(u(40)));

    // With bob's stake still in flight when the unstake arrives, the 10 wait for the ack.
    let mut s = Suite::connected();
    s.staked(&alice, "val1", 100, 1);
    burn(&mut s, &alice, 10, Some("val1"));
    let stake = s.receive_stake_packet(&bob, "val1", 50, 2);
    let resp = s.recv(&internal_unstake(&alice, "val1", 100)).unwrap();
    assert_eq!(
        attr(&resp.attributes, "unstake_crossed_burn").unwrap(),
        "10"
    );
    s.ack_ok(&stake);
    assert_eq!(s.range(&bob, "val1"), ValueRange::new_val(u(50)));
    let acked = s.ack(&burn_packet("val1", 10), burn_ack(None));
    assert_eq!(attr(&acked.attributes, "crossed_taken").unwrap(), "10");
    assert_eq!(
        attr(&acked.attributes, "unbonded").unwrap(),
        format!("{bob}:10")
    );
    assert_eq!(s.range(&bob, "val1"), ValueRange::new_val(u(40)));
    let bob_stake = s.stake(&bob, "val1");
    assert_eq!(bob_stake.pending_unbonds[0].amount, u(10));
    assert_eq!(bob_stake.pending_unbonds[0].release_at, s.env.block.time);
}

/// The burn's ack overtakes the internal unstake it crossed (the channel is unordered): its
/// untaken part waits and covers that unstake's shortfall when it arrives.
#[test]
fn an_ack_before_the_crossed_unstake_covers_it_on_arrival() {
    let mut s = Suite::connected();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.staked(&alice, "val1", 100, 1);
    burn(&mut s, &alice, 10, Some("val1"));
    let stake = s.receive_stake_packet(&bob, "val1", 50, 2);
    let acked = s.ack(&burn_packet("val1", 10), burn_ack(Some(4)));
    assert_eq!(attr(&acked.attributes, "untaken").unwrap(), "6");
    // The 4 it took came from alice's requests there: she is unstaked by 96.
    let resp = s.recv(&internal_unstake(&alice, "val1", 96)).unwrap();
    assert_eq!(attr(&resp.attributes, "unstake_crossed_burn").unwrap(), "6");
    assert_eq!(attr(&resp.attributes, "unstake_owed"), None);
    s.ack_ok(&stake);
    assert_eq!(s.range(&bob, "val1"), ValueRange::new_val(u(50)));
}

/// The ack overtook the internal unstake, and bob's new stake settled in between (fuzz seed
/// 110395): alice's shortfall is the burn's untaken part, matched before anyone else's stake is
/// touched. Taking bob's 10 first had left the untaken 10 waiting for a removal that had come.
#[test]
fn an_early_ack_covers_the_named_shortfall_before_others_are_touched() {
    let mut s = Suite::connected();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.staked(&alice, "val1", 100, 1);
    burn(&mut s, &alice, 10, Some("val1"));
    s.staked(&bob, "val1", 50, 2);
    s.ack(&burn_packet("val1", 10), burn_ack(Some(0)));
    let resp = s.recv(&internal_unstake(&alice, "val1", 100)).unwrap();
    assert_eq!(attrs(&resp.attributes, "unbonded"), [format!("{alice}:90")]);
    assert_eq!(
        attr(&resp.attributes, "unstake_crossed_burn").unwrap(),
        "10"
    );
    assert_eq!(s.range(&bob, "val1"), ValueRange::new_val(u(50)));
    assert!(ledger(&s).is_empty());
}

/// The burn found alice's requests gone (an internal unstake there came first) and its ack
/// is back, but her new stake of 30 settled before the unstake's packet arrived, so her stake
/// here covers the 100 it names (fuzz seed 110395, a second shape): the untaken 10 are matched
/// first, and her 30 stay, as on the consumer.
#[test]
fn an_untaken_part_a_new_stake_hides_is_matched_first() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    burn(&mut s, &alice, 10, Some("val1"));
    s.ack(&burn_packet("val1", 10), burn_ack(Some(0)));
    s.staked(&alice, "val1", 30, 2);
    let resp = s.recv(&internal_unstake(&alice, "val1", 100)).unwrap();
    assert_eq!(attrs(&resp.attributes, "unbonded"), [format!("{alice}:90")]);
    assert_eq!(
        attr(&resp.attributes, "unstake_crossed_burn").unwrap(),
        "10"
    );
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(30)));
    assert!(ledger(&s).is_empty());
}

/// A slash crossing a burn with an unstake in flight (fuzz seed 102370): alice holds 100 on
/// val1, a burn takes 10 and an unstake of 80 is on its way, so 10 are settled. The consumer
/// slashed 20 before either reached it: the provider cuts the 10 settled and sets 10 aside
/// against the burn. The consumer's burn took its 10 in full (the unstaking tokens were still
/// requested there), so those 10 are still a slash, owed by the unstake; the consumer could
/// unbond only 70 of it, and its 10 short pay that debt. No credit is left to excuse a later
/// slash.
#[test]
fn a_crossed_slash_the_burn_took_in_full_is_owed_by_the_unstake_in_flight() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    burn(&mut s, &alice, 10, Some("val1"));
    let unstake = sent_packet(&s.unstake(&alice, "val1", 80).unwrap());
    let slash = Valset::at(135)
        .jail(&["val1"])
        .slash("val1", 130, 20, "0.2")
        .packet();
    let resp = s.recv(&slash).unwrap();
    assert_eq!(
        attr(&resp.attributes, "slash_crossed_burn").unwrap(),
        "val1:10"
    );
    let acked = s.ack(&burn_packet("val1", 10), burn_ack(None));
    assert_eq!(attr(&acked.attributes, "crossed_slashed").unwrap(), "10");
    assert_eq!(attr(&acked.attributes, "slash_owed").unwrap(), "val1:10");
    let resp = s.ack(&unstake, unstake_ack(Some(70), 140));
    assert_eq!(attr(&resp.attributes, "slash_paid").unwrap(), "val1:10");
    assert_eq!(attr(&resp.attributes, "unbonded").unwrap(), "70");
    let out: OutstandingResponse = s.query(QueryMsg::Outstanding { limit: None });
    assert!(out.is_empty(), "{out:?}");
    assert!(ledger(&s).is_empty());
}

/// The burn ledger's lines.
fn ledger(s: &Suite) -> Vec<mesh_apis::external_staking::BurnLedgerEntry> {
    let resp: mesh_apis::external_staking::BurnLedgerResponse = s.query(QueryMsg::BurnLedger {
        start_after: None,
        limit: None,
    });
    resp.entries
}

fn internal_unstake(user: &Addr, validator: &str, amount: u128) -> ConsumerPacket {
    ConsumerPacket::InternalUnstake {
        delegator: user.to_string(),
        validator: validator.to_string(),
        normalize_amount: osmo(amount),
        inverted_amount: coin(amount, REWARDS),
    }
}

fn burn_ack(burned: Option<u128>) -> cosmwasm_std::StdAck {
    mesh_apis::ibc::ack_success(&BurnAck {
        burned: burned.map(u),
    })
    .unwrap()
}
