//! The supply ledger: every mint and burn the chain modules do on purpose, so the conservation
//! invariant can check `supply now − supply at genesis == minted − burned` per chain.
//! All of these mints and burns are in the staking module's bonded denom.

use cosmwasm_std::{Coin, StdResult, Storage, Uint128};
use cw_storage_plus::Item;
use serde::{Deserialize, Serialize};

/// Totals of the intended mints and burns, by cause.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct SupplyLedger {
    /// Minted for validators' self-bonds (`MeshStaking::add_validator`).
    pub genesis_minted: Uint128,
    /// Minted as staking rewards (`MeshDistribution`, `WithdrawDelegatorReward`).
    pub rewards_minted: Uint128,
    /// Minted by the mesh module's `bond`.
    pub mesh_minted: Uint128,
    /// Burned by the mesh module's `unbond`.
    pub mesh_burned: Uint128,
    /// Burned by slashing (delegations and pending unbondings).
    pub slash_burned: Uint128,
    /// Every bank burn (the two above included, and burns by contracts).
    #[serde(default)]
    pub bank_burned: Uint128,
}

impl SupplyLedger {
    /// Everything minted.
    pub fn minted(&self) -> Uint128 {
        self.genesis_minted + self.rewards_minted + self.mesh_minted
    }

    /// Everything burned: every bank burn, or (for a ledger kept without the bank's record)
    /// the modules' own.
    pub fn burned(&self) -> Uint128 {
        self.bank_burned.max(self.mesh_burned + self.slash_burned)
    }

    /// Burned by contracts on their own (bank burns the modules did not record).
    pub fn contract_burned(&self) -> Uint128 {
        self.bank_burned
            .saturating_sub(self.mesh_burned + self.slash_burned)
    }
}

const LEDGER: Item<SupplyLedger> = Item::new("mesh_supply_ledger");

/// Whether `key` (a key of the App's storage) is the ledger's: a change log without it saw no
/// mint or burn the modules recorded.
pub fn is_ledger_key(key: &[u8]) -> bool {
    key == LEDGER.as_slice()
}

/// Reads the ledger (all zero before any mint or burn).
pub fn supply_ledger(storage: &dyn Storage) -> StdResult<SupplyLedger> {
    Ok(LEDGER.may_load(storage)?.unwrap_or_default())
}

/// Applies `change` to the stored ledger.
pub(crate) fn record(
    storage: &mut dyn Storage,
    change: impl FnOnce(&mut SupplyLedger),
) -> StdResult<()> {
    let mut ledger = supply_ledger(storage)?;
    change(&mut ledger);
    LEDGER.save(storage, &ledger)
}

/// Records a bank burn of `coin` (only the staking module's bonded denom is tracked).
pub(crate) fn record_bank_burn(storage: &mut dyn Storage, coin: &Coin) -> StdResult<()> {
    let bonded = super::staking::MeshStaking::load_config(storage).map(|c| c.bonded_denom);
    if bonded.ok().as_deref() != Some(coin.denom.as_str()) {
        return Ok(());
    }
    let amount = Uint128::try_from(coin.amount).unwrap_or(Uint128::MAX);
    record(storage, |l| {
        l.bank_burned = l.bank_burned.saturating_add(amount)
    })
}
