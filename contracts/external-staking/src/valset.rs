//! The consumer's validator set as the provider knows it (docs/system.md ("The channel")): per validator, a
//! history of states by consumer height, so a slash is applied only if the validator was
//! active at the infraction height. Packets may arrive out of order (unordered channel): each
//! change is recorded at its own height, the current state is the latest one. Tombstoned is
//! final: later changes are ignored and a tombstone erases the history after it. The history is
//! kept whole: an update can arrive any time later (a dropped packet is sent again, however
//! long that takes), and the state at its slash's infraction height must still be known.

use cosmwasm_std::{Order, StdResult, Storage};
use cw_storage_plus::Bound;
use mesh_apis::external_staking::ValidatorState;

use crate::state::{HistoryEntry, ValidatorInfo, VALIDATORS, VALSET_HISTORY};

/// The current state of a validator, if the consumer ever announced it.
pub fn current(storage: &dyn Storage, validator: &str) -> StdResult<Option<ValidatorInfo>> {
    VALIDATORS.may_load(storage, validator)
}

/// True when the validator is active now.
pub fn is_active(storage: &dyn Storage, validator: &str) -> StdResult<bool> {
    Ok(matches!(
        current(storage, validator)?,
        Some(ValidatorInfo {
            state: ValidatorState::Active,
            ..
        })
    ))
}

/// The validator's state at consumer height `height` (None before it was announced).
pub fn state_at(
    storage: &dyn Storage,
    validator: &str,
    height: u64,
) -> StdResult<Option<ValidatorState>> {
    let entry = VALSET_HISTORY
        .prefix(validator)
        .range(
            storage,
            None,
            Some(Bound::inclusive(height)),
            Order::Descending,
        )
        .next()
        .transpose()?;
    Ok(entry.map(|(_, e)| e.state))
}

/// True when the validator was active at some point of consumer height `height`: when the block
/// began (a jailing in the same block may be the infraction's own consequence, and a double
/// sign found then is still slashed on the consumer), after that block's changes, or in
/// between (it entered the set at that height and left it again, or was tombstoned, in the
/// same block).
pub fn was_active_at(storage: &dyn Storage, validator: &str, height: u64) -> StdResult<bool> {
    let active = Some(ValidatorState::Active);
    let entered_here = VALSET_HISTORY
        .may_load(storage, (validator, height))?
        .is_some_and(|e| e.active);
    Ok(entered_here
        || state_at(storage, validator, height)? == active
        || (height > 0 && state_at(storage, validator, height - 1)? == active))
}

/// True when the validator was tombstoned before consumer height `height` (so no infraction at
/// that height can count: tombstoned is final).
pub fn tombstoned_before(storage: &dyn Storage, validator: &str, height: u64) -> StdResult<bool> {
    Ok(height > 0 && state_at(storage, validator, height - 1)? == Some(ValidatorState::Tombstoned))
}

/// Record that `validator` entered `state` at consumer `height` / `time`.
///
/// Every change is recorded at its own height, whatever order the packets arrive in: a change
/// that matches the current state may still be news for the history (an unjail that overtook
/// the jail it ends). Returns false when the change was ignored: the validator was tombstoned at
/// or before `height` (tombstoned is final), or the history already holds this state at exactly
/// this height (a repeated update).
pub fn set_state(
    storage: &mut dyn Storage,
    validator: &str,
    height: u64,
    time: u64,
    state: ValidatorState,
) -> StdResult<bool> {
    let existing = VALSET_HISTORY.may_load(storage, (validator, height))?;
    let entering = state == ValidatorState::Active;
    if tombstoned_at_or_before(storage, validator, height)? {
        // Tombstoned is final, but an entry into the set at the tombstone's own height (its
        // update overtaken by the tombstone's) still shows it active then.
        return match existing {
            Some(mut e) if entering && !e.active => {
                e.active = true;
                VALSET_HISTORY.save(storage, (validator, height), &e)?;
                Ok(true)
            }
            _ => Ok(false),
        };
    }
    if existing.as_ref().is_some_and(|e| e.state == state) {
        return Ok(false);
    }
    let active = entering || existing.is_some_and(|e| e.active);
    VALSET_HISTORY.save(
        storage,
        (validator, height),
        &HistoryEntry {
            state,
            time,
            active,
        },
    )?;
    if state == ValidatorState::Tombstoned {
        let later: Vec<u64> = VALSET_HISTORY
            .prefix(validator)
            .keys(
                storage,
                Some(Bound::exclusive(height)),
                None,
                Order::Ascending,
            )
            .collect::<StdResult<_>>()?;
        for h in later {
            VALSET_HISTORY.remove(storage, (validator, h));
        }
    }
    refresh_current(storage, validator)?;
    Ok(true)
}

/// True when the validator was tombstoned at or before consumer height `height`.
fn tombstoned_at_or_before(storage: &dyn Storage, validator: &str, height: u64) -> StdResult<bool> {
    Ok(matches!(
        current(storage, validator)?,
        Some(ValidatorInfo { state: ValidatorState::Tombstoned, since_height }) if since_height <= height
    ))
}

fn refresh_current(storage: &mut dyn Storage, validator: &str) -> StdResult<()> {
    let latest = VALSET_HISTORY
        .prefix(validator)
        .range(storage, None, None, Order::Descending)
        .next()
        .transpose()?;
    if let Some((since_height, e)) = latest {
        VALIDATORS.save(
            storage,
            validator,
            &ValidatorInfo {
                state: e.state,
                since_height,
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;
    use ValidatorState::*;

    /// Out-of-order changes land at their heights; the current state is the latest.
    #[test]
    fn history_by_height_out_of_order() {
        let mut s = MockStorage::new();
        assert!(set_state(&mut s, "v", 10, 100, Active).unwrap());
        assert!(set_state(&mut s, "v", 30, 300, Active).unwrap());
        assert!(set_state(&mut s, "v", 30, 300, Jailed).unwrap());
        assert!(set_state(&mut s, "v", 20, 200, Unbonded).unwrap());
        assert_eq!(
            current(&s, "v").unwrap(),
            Some(ValidatorInfo {
                state: Jailed,
                since_height: 30
            })
        );
        assert_eq!(state_at(&s, "v", 9).unwrap(), None);
        assert_eq!(state_at(&s, "v", 15).unwrap(), Some(Active));
        assert_eq!(state_at(&s, "v", 25).unwrap(), Some(Unbonded));
        assert!(was_active_at(&s, "v", 19).unwrap());
        assert!(!was_active_at(&s, "v", 31).unwrap());
    }

    /// An unjail that overtook the jail it ends is kept: the late jail lands before it.
    #[test]
    fn late_jail_lands_before_the_unjail_that_overtook_it() {
        let mut s = MockStorage::new();
        set_state(&mut s, "v", 10, 100, Active).unwrap();
        assert!(set_state(&mut s, "v", 30, 300, Active).unwrap());
        assert!(set_state(&mut s, "v", 20, 200, Jailed).unwrap());
        assert_eq!(current(&s, "v").unwrap().unwrap().state, Active);
        assert!(!was_active_at(&s, "v", 25).unwrap());
        assert!(was_active_at(&s, "v", 35).unwrap());
        assert!(!set_state(&mut s, "v", 30, 300, Active).unwrap());
    }

    /// A tombstone erases later history and ignores every later change.
    #[test]
    fn tombstone_is_final() {
        let mut s = MockStorage::new();
        set_state(&mut s, "v", 10, 100, Active).unwrap();
        set_state(&mut s, "v", 30, 300, Jailed).unwrap();
        assert!(set_state(&mut s, "v", 20, 200, Tombstoned).unwrap());
        assert_eq!(state_at(&s, "v", 30).unwrap(), Some(Tombstoned));
        assert!(!set_state(&mut s, "v", 40, 400, Active).unwrap());
        assert_eq!(current(&s, "v").unwrap().unwrap().state, Tombstoned);
        assert_eq!(current(&s, "v").unwrap().unwrap().since_height, 20);
    }

    /// An entry into the set and a tombstone at the same height (fuzz seed 86): the validator
    /// was active at that height whichever update arrives first.
    #[test]
    fn entry_and_tombstone_at_one_height_in_either_order() {
        for tombstone_first in [false, true] {
            let mut s = MockStorage::new();
            set_state(&mut s, "w", 1, 10, Active).unwrap();
            if tombstone_first {
                assert!(set_state(&mut s, "v", 3, 30, Tombstoned).unwrap());
                assert!(!was_active_at(&s, "v", 3).unwrap());
                assert!(set_state(&mut s, "v", 3, 30, Active).unwrap());
                assert!(!set_state(&mut s, "v", 3, 30, Active).unwrap());
            } else {
                set_state(&mut s, "v", 3, 30, Active).unwrap();
                set_state(&mut s, "v", 3, 30, Tombstoned).unwrap();
            }
            assert!(was_active_at(&s, "v", 3).unwrap());
            assert_eq!(current(&s, "v").unwrap().unwrap().state, Tombstoned);
            // Only an entry at the tombstone's own height: an earlier one is history before it.
            assert!(!set_state(&mut s, "v", 4, 40, Active).unwrap());
        }
    }

    /// Entered, removed and tombstoned at one height (fuzz seed 506, all at genesis height 1):
    /// the later states replace the entry's state, not the fact that it was active then.
    #[test]
    fn later_changes_at_one_height_keep_it_active_there() {
        let mut s = MockStorage::new();
        set_state(&mut s, "v", 1, 10, Active).unwrap();
        set_state(&mut s, "v", 1, 10, Unbonded).unwrap();
        assert_eq!(state_at(&s, "v", 1).unwrap(), Some(Unbonded));
        assert!(was_active_at(&s, "v", 1).unwrap());
        set_state(&mut s, "v", 1, 10, Tombstoned).unwrap();
        assert!(was_active_at(&s, "v", 1).unwrap());
        assert!(!was_active_at(&s, "v", 2).unwrap());
        // A validator that never entered at a height was not active there.
        set_state(&mut s, "u", 5, 50, Jailed).unwrap();
        assert!(!was_active_at(&s, "u", 5).unwrap());
    }
}
