//! Burns crossing consumer removals (docs/slashing.md, "A burn crossing an internal unstake or
//! a slash").
//!
//! A `burn` packet cuts stake here before it is sent; the consumer cuts its requests when it
//! arrives. Meanwhile the consumer may have removed the same tokens already, by an internal
//! unstake (zero max cap) or a slash whose packet is still on its way here. That removal then
//! finds less settled stake here than it names (the burn took it first), and the burn finds less
//! on the consumer, or finds someone else's requests there (a stake that arrived in between).
//! Neither end can tell alone, so the removal's shortfall is set aside while burns are in flight
//! ([`BurnLine::crossed`]) and each burn's ack, which says what the consumer took
//! (`BurnAck.burned`), settles it: what the consumer could not take was covered by the
//! removal; what it took from others must still be taken here. An ack can also arrive before
//! the removal it crossed (the channel is unordered): its untaken part waits
//! ([`BurnLine::unburned`]) and covers that removal's shortfall.

use cosmwasm_std::{Order, StdResult, Storage, Uint128};
use cw_storage_plus::Bound;
use mesh_apis::external_staking::BurnLedgerEntry;

use crate::state::{BurnLine, BURN_LEDGER};

/// Change `validator`'s line with `f`; a line that ends all zero is removed.
fn update<T>(
    storage: &mut dyn Storage,
    validator: &str,
    f: impl FnOnce(&mut BurnLine) -> T,
) -> StdResult<T> {
    let mut line = BURN_LEDGER
        .may_load(storage, validator)?
        .unwrap_or_default();
    let out = f(&mut line);
    if line == BurnLine::default() {
        BURN_LEDGER.remove(storage, validator);
    } else {
        BURN_LEDGER.save(storage, validator, &line)?;
    }
    Ok(out)
}

/// A `burn` packet of `amount` on `validator` was sent.
pub fn burn_sent(storage: &mut dyn Storage, validator: &str, amount: Uint128) -> StdResult<()> {
    update(storage, validator, |line| {
        line.in_flight = line.in_flight.saturating_add(amount)
    })
}

/// The kind of consumer removal a shortfall comes from: it decides how the part no burn
/// explains is taken here in the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// A slash: cut from the stakes, and the vault lowers the collateral.
    Slash,
    /// An internal unstake (zero max cap): moved to an unbond released at once.
    Unstake,
}

/// A consumer removal of `kind` on `validator` found `shortfall` beyond the settled stakes.
/// Returns the part burns account for: first what acked burns could not take (it was this
/// removal's), then, up to the burns in flight not yet matched, a part set aside until their
/// acks. The caller handles the rest as before (a debt of the packets in flight, or dropped).
pub fn cover_shortfall(
    storage: &mut dyn Storage,
    validator: &str,
    shortfall: Uint128,
    kind: Removal,
) -> StdResult<Uint128> {
    if shortfall.is_zero() {
        return Ok(shortfall);
    }
    update(storage, validator, |line| {
        let covered = line.unburned.min(shortfall);
        line.unburned -= covered;
        let left = shortfall - covered;
        let set_aside = left.min(line.in_flight.saturating_sub(line.crossed));
        line.crossed += set_aside;
        if kind == Removal::Slash {
            line.crossed_slash += set_aside;
        }
        covered + set_aside
    })
}

/// Take up to `up_to` of `validator`'s untaken part (what acked burns could not take on the
/// consumer, already cut here): a removal arriving now names those tokens too, since the
/// consumer had dropped them before the burn came. Returns the part taken.
pub fn take_unburned(
    storage: &mut dyn Storage,
    validator: &str,
    up_to: Uint128,
) -> StdResult<Uint128> {
    update(storage, validator, |line| {
        let taken = line.unburned.min(up_to);
        line.unburned -= taken;
        taken
    })
}

/// What a burn's ack settled.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BurnAcked {
    /// Set-aside shortfall the consumer's untaken part covered: nothing more to do.
    pub covered: Uint128,
    /// Untaken part no removal has claimed yet: kept for the removal still on its way.
    pub unburned: Uint128,
    /// Set-aside shortfall of internal unstakes no burn in flight can cover any more: the
    /// consumer took it from its requests, so it must be taken from this validator's stakes
    /// here too.
    pub to_take: Uint128,
    /// The same for the shortfall of slashes: the consumer slashed it, so it is slashed here.
    pub to_slash: Uint128,
}

/// The burn of `amount` on `validator` was acked: the consumer took `burned` of it. Its
/// untaken part covers the slashes' set-aside shortfall first, then the internal unstakes';
/// what the burns still in flight can no longer cover is to be taken in the other order.
pub fn burn_acked(
    storage: &mut dyn Storage,
    validator: &str,
    amount: Uint128,
    burned: Uint128,
) -> StdResult<BurnAcked> {
    update(storage, validator, |line| {
        line.in_flight = line.in_flight.saturating_sub(amount);
        let untaken = amount.saturating_sub(burned);
        let covered = untaken.min(line.crossed);
        line.crossed -= covered;
        line.crossed_slash -= covered.min(line.crossed_slash);
        let beyond = line.crossed.saturating_sub(line.in_flight);
        let to_take = beyond.min(line.crossed - line.crossed_slash);
        let to_slash = beyond - to_take;
        line.crossed -= beyond;
        line.crossed_slash -= to_slash;
        let unburned = untaken - covered;
        line.unburned += unburned;
        BurnAcked {
            covered,
            unburned,
            to_take,
            to_slash,
        }
    })
}

/// The ledger's lines from the validator after `start_after`, at most `limit`.
pub fn ledger(
    storage: &dyn Storage,
    start_after: Option<&str>,
    limit: usize,
) -> StdResult<Vec<BurnLedgerEntry>> {
    BURN_LEDGER
        .range(
            storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit)
        .map(|item| {
            let (validator, line) = item?;
            Ok(BurnLedgerEntry {
                validator,
                in_flight: line.in_flight,
                crossed: line.crossed,
                unburned: line.unburned,
            })
        })
        .collect()
}

/// The channel closed: every stake goes back to the vault, so nothing is left to settle.
pub fn clear(storage: &mut dyn Storage) {
    BURN_LEDGER.clear(storage);
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    const V: &str = "val";

    fn u(n: u128) -> Uint128 {
        Uint128::new(n)
    }

    /// The removal arrives first and the consumer's burn found its requests gone: the burn's
    /// untaken part covers the set-aside shortfall and nothing is taken.
    #[test]
    fn an_untaken_burn_covers_the_crossed_shortfall() {
        let mut s = MockStorage::new();
        burn_sent(&mut s, V, u(100)).unwrap();
        assert_eq!(
            cover_shortfall(&mut s, V, u(100), Removal::Unstake).unwrap(),
            u(100)
        );
        let out = burn_acked(&mut s, V, u(100), u(0)).unwrap();
        assert_eq!(
            out,
            BurnAcked {
                covered: u(100),
                ..Default::default()
            }
        );
        assert!(BURN_LEDGER.is_empty(&s));
    }

    /// The consumer's burn took someone else's requests: the set-aside shortfall is taken here.
    #[test]
    fn a_taken_burn_leaves_the_shortfall_to_take() {
        let mut s = MockStorage::new();
        burn_sent(&mut s, V, u(100)).unwrap();
        assert_eq!(
            cover_shortfall(&mut s, V, u(60), Removal::Unstake).unwrap(),
            u(60)
        );
        let out = burn_acked(&mut s, V, u(100), u(100)).unwrap();
        assert_eq!(out.to_take, u(60));
        assert_eq!(out.covered + out.unburned, u(0));
        assert!(BURN_LEDGER.is_empty(&s));
    }

    /// Only burns in flight can cover a shortfall, each unit once; with two in flight the first
    /// ack takes only what the second cannot cover any more.
    #[test]
    fn set_aside_is_bounded_by_the_burns_in_flight() {
        let mut s = MockStorage::new();
        assert_eq!(
            cover_shortfall(&mut s, V, u(10), Removal::Unstake).unwrap(),
            u(0)
        );
        burn_sent(&mut s, V, u(30)).unwrap();
        burn_sent(&mut s, V, u(20)).unwrap();
        assert_eq!(
            cover_shortfall(&mut s, V, u(40), Removal::Unstake).unwrap(),
            u(40)
        );
        assert_eq!(
            cover_shortfall(&mut s, V, u(40), Removal::Unstake).unwrap(),
            u(10)
        );
        let first = burn_acked(&mut s, V, u(30), u(30)).unwrap();
        assert_eq!(first.to_take, u(30));
        let second = burn_acked(&mut s, V, u(20), u(5)).unwrap();
        assert_eq!((second.covered, second.to_take), (u(15), u(5)));
        assert!(BURN_LEDGER.is_empty(&s));
    }

    /// The ack overtakes the removal: its untaken part waits and covers the removal's
    /// shortfall when it comes, once.
    #[test]
    fn an_early_ack_covers_the_removal_still_on_its_way() {
        let mut s = MockStorage::new();
        burn_sent(&mut s, V, u(100)).unwrap();
        let out = burn_acked(&mut s, V, u(100), u(30)).unwrap();
        assert_eq!(out.unburned, u(70));
        assert_eq!(
            cover_shortfall(&mut s, V, u(50), Removal::Unstake).unwrap(),
            u(50)
        );
        assert_eq!(
            cover_shortfall(&mut s, V, u(50), Removal::Unstake).unwrap(),
            u(20)
        );
        assert!(BURN_LEDGER.is_empty(&s));
    }

    /// A slash's set-aside shortfall that the burn took in full on the consumer (it slashed
    /// tokens not settled here) is still a slash: to be slashed here, not moved to an unbond.
    #[test]
    fn a_crossed_slash_the_burn_does_not_explain_is_to_slash() {
        let mut s = MockStorage::new();
        burn_sent(&mut s, V, u(100)).unwrap();
        assert_eq!(
            cover_shortfall(&mut s, V, u(30), Removal::Slash).unwrap(),
            u(30)
        );
        let out = burn_acked(&mut s, V, u(100), u(100)).unwrap();
        assert_eq!((out.to_slash, out.to_take), (u(30), u(0)));
        assert!(BURN_LEDGER.is_empty(&s));
    }

    /// With a slash and an internal unstake both set aside, the untaken part covers the slash's
    /// first; what is left to take is the unstake's first, the rest the slash's.
    #[test]
    fn untaken_covers_slashes_first_and_takes_unstakes_first() {
        let mut s = MockStorage::new();
        burn_sent(&mut s, V, u(100)).unwrap();
        cover_shortfall(&mut s, V, u(20), Removal::Slash).unwrap();
        cover_shortfall(&mut s, V, u(30), Removal::Unstake).unwrap();
        let out = burn_acked(&mut s, V, u(100), u(90)).unwrap();
        assert_eq!(out.covered, u(10));
        assert_eq!((out.to_take, out.to_slash), (u(30), u(10)));
        assert!(BURN_LEDGER.is_empty(&s));

        // A second burn still in flight keeps what it may yet cover, the slash's part last.
        burn_sent(&mut s, V, u(10)).unwrap();
        burn_sent(&mut s, V, u(20)).unwrap();
        cover_shortfall(&mut s, V, u(10), Removal::Slash).unwrap();
        cover_shortfall(&mut s, V, u(15), Removal::Unstake).unwrap();
        let out = burn_acked(&mut s, V, u(10), u(10)).unwrap();
        assert_eq!((out.to_take, out.to_slash), (u(5), u(0)));
        let out = burn_acked(&mut s, V, u(20), u(20)).unwrap();
        assert_eq!((out.to_take, out.to_slash), (u(10), u(10)));
        assert!(BURN_LEDGER.is_empty(&s));
    }

    /// The ledger lists every validator with something recorded, once, in order and by pages.
    #[test]
    fn the_ledger_lists_each_validator_once() {
        let mut s = MockStorage::new();
        burn_sent(&mut s, "b", u(10)).unwrap();
        cover_shortfall(&mut s, "b", u(4), Removal::Unstake).unwrap();
        burn_sent(&mut s, "a", u(5)).unwrap();
        burn_acked(&mut s, "a", u(5), u(2)).unwrap();
        let all = ledger(&s, None, 10).unwrap();
        let lines: Vec<(&str, u128, u128, u128)> = all
            .iter()
            .map(|e| {
                (
                    e.validator.as_str(),
                    e.in_flight.u128(),
                    e.crossed.u128(),
                    e.unburned.u128(),
                )
            })
            .collect();
        assert_eq!(lines, [("a", 0, 0, 3), ("b", 10, 4, 0)]);
        assert_eq!(ledger(&s, None, 1).unwrap()[0].validator, "a");
        assert_eq!(ledger(&s, Some("a"), 10).unwrap()[0].validator, "b");
        assert!(ledger(&s, Some("b"), 10).unwrap().is_empty());
    }
}
