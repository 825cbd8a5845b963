//! Storage of external staking.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, IbcChannel, Order, StdResult, Storage, Timestamp, Uint128, Uint256};
use cw_storage_plus::{Item, Map};
use mesh_apis::external_staking::{AuthorizedEndpoint, PendingUnbond, SlashRatio, ValidatorState};
use mesh_apis::ibc::ValidatorSlashInfo;
use mesh_apis::{Tx, ValueRange};

use crate::rewards::Distribution;

/// Contract configuration.
#[cw_serde]
pub struct Config {
    /// The provider's staking denom (the vault's collateral denom).
    pub denom: String,
    /// The consumer denom rewards are paid in.
    pub rewards_denom: String,
    /// The vault, the only caller of `receive_virtual_stake` / `burn_virtual_stake`.
    pub vault: Addr,
    /// Unbonding period, seconds.
    pub unbonding_period: u64,
    /// Slash ratios promised to the vault.
    pub slash_ratio: SlashRatio,
    /// Timeout of outgoing packets, seconds.
    pub packet_timeout: u64,
}

/// One user's stake on one consumer validator, with its reward bookkeeping.
#[cw_serde]
#[derive(Default)]
pub struct Stake {
    /// The stake; a range while stake / unstake packets are in flight.
    pub stake: ValueRange,
    /// Unstaked tokens not yet returned to the vault (in insertion order).
    pub pending_unbonds: Vec<PendingUnbond>,
    /// The amount this stake counts for in the validator's [`Distribution`]: the committed stake
    /// (acked stakes minus acked unstakes, slashes and burns).
    pub weight: Uint128,
    /// Points charged when the weight grew (`Δweight × points_per_stake` at that moment).
    pub points_debt: Uint256,
    /// Points credited when the weight shrank (`Δweight × points_per_stake` at that moment).
    pub points_credit: Uint256,
    /// Rewards already paid out (acked transfers).
    pub withdrawn: Uint128,
    /// Rewards reserved by transfers still in flight.
    pub reserved: Uint128,
    /// Sum of the stake packets in flight on this stake (the adds inside `stake.high`).
    #[serde(default)]
    pub adding: Uint128,
    /// Part of the unstakes in flight on this stake that a burn already took (so the unstake's
    /// ack moves only the rest). The consumer is not told at the burn: applying the unstake
    /// unbonds the burned part with the rest. A rolled-back unstake sends it as a `burn`.
    #[serde(default)]
    pub unstaking_burned: Uint128,
}

impl Stake {
    /// Remove every pending unbond released at or before `now`; returns their sum.
    pub fn release_matured(&mut self, now: Timestamp) -> Uint128 {
        let mut released = Uint128::zero();
        self.pending_unbonds.retain(|u| {
            if u.release_at <= now {
                released = released.saturating_add(u.amount);
                false
            } else {
                true
            }
        });
        released
    }

    /// Total of the pending unbonds (matured or not).
    pub fn total_unbonding(&self) -> Uint128 {
        self.pending_unbonds
            .iter()
            .fold(Uint128::zero(), |acc, u| acc.saturating_add(u.amount))
    }

    /// Move up to `amount` of the settled stake to a pending unbond released at `release_at`;
    /// returns what was moved.
    pub fn unbond_settled(
        &mut self,
        dist: &mut Distribution,
        amount: Uint128,
        release_at: Timestamp,
    ) -> Uint128 {
        let moved = amount.min(self.stake.low);
        if !moved.is_zero() {
            self.stake.sub_settled(moved);
            dist.sub_weight(self, moved);
            self.push_unbond(moved, release_at);
        }
        moved
    }

    /// Append a pending unbond the consumer did not report on (nothing for zero).
    pub fn push_unbond(&mut self, amount: Uint128, release_at: Timestamp) {
        self.push_reported_unbond(amount, release_at, None);
    }

    /// Append a pending unbond whose unstake the consumer applied at `consumer_height`
    /// (nothing for zero).
    pub fn push_reported_unbond(
        &mut self,
        amount: Uint128,
        release_at: Timestamp,
        consumer_height: Option<u64>,
    ) {
        if !amount.is_zero() {
            self.pending_unbonds.push(PendingUnbond {
                amount,
                release_at,
                consumer_height,
            });
        }
    }
}

/// The current state of a consumer validator.
#[cw_serde]
pub struct ValidatorInfo {
    /// Its state.
    pub state: ValidatorState,
    /// Consumer height at which it entered the state.
    pub since_height: u64,
}

/// One entry of a validator's state history.
#[cw_serde]
pub struct HistoryEntry {
    /// The state from this height on.
    pub state: ValidatorState,
    /// Consumer time (seconds) of the change.
    pub time: u64,
    /// The validator was active at some point of this height: it entered the set here, and a
    /// later change at the same height (a removal, a tombstone) replaced the state but not the
    /// fact, whatever order the packets arrived in.
    #[serde(default)]
    pub active: bool,
}

/// Configuration.
pub const CONFIG: Item<Config> = Item::new("config");
/// The only counterparty allowed to open the channel.
pub const AUTH_ENDPOINT: Item<AuthorizedEndpoint> = Item::new("auth_endpoint");
/// The channel, once connected (kept after a close, so no second channel can be opened).
pub const IBC_CHANNEL: Item<IbcChannel> = Item::new("ibc_channel");
/// Set when the channel was closed.
pub const CHANNEL_CLOSED: Item<bool> = Item::new("channel_closed");

/// Stakes by `(user, validator)`.
pub const STAKES: Map<(&Addr, &str), Stake> = Map::new("stakes");
/// Index of [`STAKES`] by `(validator, user)`.
pub const STAKERS: Map<(&str, &Addr), ()> = Map::new("stakers");
/// Reward distribution per validator.
pub const DISTRIBUTION: Map<&str, Distribution> = Map::new("distribution");

/// Per user: the part of vault burns that reached beyond everything settled, charged against
/// the user's stakes in flight (as the vault's lien range does): paid by later commits, reduced
/// by rollbacks. Never more than the user's in-flight adds.
pub const BURN_DEBT: Map<&Addr, Uint128> = Map::new("burn_debt");

/// Something the consumer took from one validator's requests that reached beyond the settled
/// stakes here: the consumer's figure included stake whose packets were still in flight, so the
/// rest is taken as those packets resolve (a committed stake, a rolled-back unstake, or for a
/// slash the part of a committed unstake the consumer could no longer unbond).
#[cw_serde]
pub struct Debt {
    /// Still to take (provider units).
    pub amount: Uint128,
    /// The stake and unstake txs on the validator that were in flight when the debt arose, in
    /// id order: only their outcomes pay it, and it is dropped once they have all resolved.
    pub txs: Vec<u64>,
}

/// Slash debts by validator (see [`Debt`]): paid by cutting the payer's stake, reported to the
/// vault as a `cross_slash`.
pub const SLASH_DEBT: Map<&str, Debt> = Map::new("slash_debt");

/// Internal-unstake debts by validator (see [`Debt`]): a zero max cap made the consumer drop
/// more than the settled stakes here; paid by moving the payer's stake to an immediate unbond.
pub const UNSTAKE_DEBT: Map<&str, Debt> = Map::new("unstake_debt");

/// A consumer slash waiting for the history to show its validator's state at the infraction.
#[cw_serde]
pub struct PendingSlash {
    /// The slash.
    pub info: ValidatorSlashInfo,
    /// Consumer height of the update that carried it (when the consumer applied it).
    pub height: u64,
}

/// Per validator, slashes whose infraction height the history does not show active yet: the
/// unordered channel can deliver a slash before the update that made the validator active
/// again. Judged again after every update of that validator; dropped only when the history shows
/// the validator tombstoned before the infraction.
pub const PENDING_SLASHES: Map<&str, Vec<PendingSlash>> = Map::new("pending_slashes");

/// Per validator, slash the consumer took before this contract learned of it: an unstake the
/// consumer could not fully unbond because a slash there had already cut the validator's
/// requests (its ack says how much it unbonded). The unstaking user paid that shortfall at
/// once; the slash, when it arrives, takes only the rest from the stakes.
pub const SLASH_CREDIT: Map<&str, Uint128> = Map::new("slash_credit");

/// One validator's burns against the consumer removals they crossed (provider units; see
/// `crate::burns`). Stored only while some part is non-zero.
#[cw_serde]
#[derive(Default)]
pub struct BurnLine {
    /// `burn` packets sent and not acked yet.
    pub in_flight: Uint128,
    /// What consumer removals (an internal unstake, a slash) found beyond the settled stakes
    /// while burns were in flight. The burn may have cut the same tokens first here and then
    /// found them gone on the consumer (nothing more to take), or found someone else's requests
    /// there (that much must still be taken here): the burns' acks tell which.
    pub crossed: Uint128,
    /// The part of `crossed` that slashes found (the rest, internal unstakes): what no burn
    /// explains of it is still a slash, taken here as one (fuzz seed 102370).
    #[serde(default)]
    pub crossed_slash: Uint128,
    /// What acked burns could not take on the consumer and no crossed removal has matched yet:
    /// the removal that emptied those requests is still on its way here, and its shortfall is
    /// covered by this.
    pub unburned: Uint128,
}

/// The burn ledger by validator ([`BurnLine`]).
pub const BURN_LEDGER: Map<&str, BurnLine> = Map::new("burn_ledger");

/// Last tx id this contract issued (its own ids start at 2^63).
pub const TX_COUNT: Item<u64> = Item::new("tx_count");
/// Pending transactions by id (stake txs under the vault's id).
pub const PENDING_TXS: Map<u64, Tx> = Map::new("pending_txs");

/// Current state of every validator the consumer announced.
pub const VALIDATORS: Map<&str, ValidatorInfo> = Map::new("validators");
/// State history by `(validator, consumer height)`.
pub const VALSET_HISTORY: Map<(&str, u64), HistoryEntry> = Map::new("valset_history");

/// The first id of this contract's own transactions (2^63); vault ids start at 1.
pub const FIRST_OWN_TX_ID: u64 = 1 << 63;

/// Issue the next own tx id: 2^63, 2^63 + 1, ...
pub fn next_tx_id(storage: &mut dyn Storage) -> StdResult<u64> {
    let id = match TX_COUNT.may_load(storage)? {
        Some(last) => last.saturating_add(1),
        None => FIRST_OWN_TX_ID,
    };
    TX_COUNT.save(storage, &id)?;
    Ok(id)
}

/// Load a stake (zero when absent).
pub fn load_stake(storage: &dyn Storage, user: &Addr, validator: &str) -> StdResult<Stake> {
    Ok(STAKES
        .may_load(storage, (user, validator))?
        .unwrap_or_default())
}

/// Sum of a user's stake packets in flight, over all validators.
pub fn user_adding(storage: &dyn Storage, user: &Addr) -> StdResult<Uint128> {
    STAKES
        .prefix(user)
        .range(storage, None, None, Order::Ascending)
        .try_fold(Uint128::zero(), |acc, item| {
            item.map(|(_, s)| acc.saturating_add(s.adding))
        })
}

/// Load a validator's distribution (zero when absent).
pub fn load_distribution(storage: &dyn Storage, validator: &str) -> StdResult<Distribution> {
    Ok(DISTRIBUTION
        .may_load(storage, validator)?
        .unwrap_or_default())
}

/// Save a stake, or delete it (and its index entry) when nothing is left in it: no stake,
/// no pending unbond, no weight, no reserved or withdrawable rewards.
pub fn save_stake(
    storage: &mut dyn Storage,
    user: &Addr,
    validator: &str,
    stake: &Stake,
    dist: &Distribution,
) -> StdResult<()> {
    let empty = stake.stake.is_zero()
        && stake.adding.is_zero()
        && stake.unstaking_burned.is_zero()
        && stake.pending_unbonds.is_empty()
        && stake.weight.is_zero()
        && stake.reserved.is_zero()
        && dist.available_rewards(stake).is_zero();
    if empty {
        STAKES.remove(storage, (user, validator));
        STAKERS.remove(storage, (validator, user));
    } else {
        STAKES.save(storage, (user, validator), stake)?;
        STAKERS.save(storage, (validator, user), &())?;
    }
    Ok(())
}

/// Load a stake and its validator's distribution, let `f` change them, save both.
pub fn update_stake<R>(
    storage: &mut dyn Storage,
    user: &Addr,
    validator: &str,
    f: impl FnOnce(&mut Stake, &mut Distribution) -> R,
) -> StdResult<R> {
    let mut stake = load_stake(storage, user, validator)?;
    let mut dist = load_distribution(storage, validator)?;
    let r = f(&mut stake, &mut dist);
    save_stake(storage, user, validator, &stake, &dist)?;
    DISTRIBUTION.save(storage, validator, &dist)?;
    Ok(r)
}
