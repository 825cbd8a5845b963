//! burn_virtual_stake: vault only; the named validator first, then proportionally, then pending
//! unbonds; one burn packet per validator cut.

use cosmwasm_std::{coin, Addr};
use mesh_apis::external_staking::ExecuteMsg;
use mesh_apis::ibc::ProviderPacket;
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
    sent_packets_full(&resp.messages)
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

/// A burn while a stake is in flight cuts both ends (it takes precedence over the pending tx).
#[test]
fn burn_with_stake_in_flight() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 100, 1);
    let p = sent_packet(&s.receive_stake(&alice, "val1", 50, 2).unwrap());
    burn(&mut s, &alice, 30, Some("val1"));
    assert_eq!(s.range(&alice, "val1"), ValueRange::new(u(70), u(120)));
    s.ack_err(&p);
    assert_eq!(s.range(&alice, "val1"), ValueRange::new_val(u(70)));
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
