//! The `drain` step, a liveness oracle: lift every fault, unstake everything a user has (local
//! and remote), wait out every unbonding period, withdraw and release everything, then require
//! that every user's collateral is entirely free and unbondable, with no lien, no pending tx and
//! nothing in flight. A lien that can never be released is a violation named `drain`.
//!
//! The one exception is the chain's dust: after slashes, a delegation's shares can be worth a
//! token or two that no undelegation pays out (the SDK's truncation, including the shift of a
//! truncated balance another delegator's undelegation causes); a native lien no larger than
//! what such shares are worth (rounded up, at most 2 tokens) may stay.

use cosmwasm_std::{Decimal256, Uint128};
use mesh_actors::testnet::ContractId;
use mesh_apis::{external_staking as ext, vault};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::{Run, StepFailure};
use crate::invariants::{self, Violation};
use crate::scenario::{
    Action, Fault, FaultContract, LocalStake, RemoteStake, UserAmount, UserConsumer, UserOnly,
    DRAIN_SETTLE_WITHIN, DRAIN_UNSTAKE_ROUNDS,
};

/// The drain failure of an action the chain refused: the action as written, and why.
fn action_failed(action: &Action, error: &impl std::fmt::Display) -> StepFailure {
    let what = serde_json::to_string(action).unwrap_or_else(|_| action.name().to_string());
    drained(format!("{what} failed: {error}"))
}

fn drained(detail: String) -> StepFailure {
    let v = Violation {
        invariant: "drain",
        detail,
    };
    StepFailure {
        message: v.to_string(),
        violation: Some(v),
    }
}

/// The most a delegation the drain could not move may hold to count as the chain's dust.
const MAX_DUST: u128 = 2;

/// A stake the drain still has to unstake.
#[derive(Clone, Debug, PartialEq)]
enum Left {
    Remote(RemoteStake),
    Local(LocalStake),
}

impl Left {
    fn unstake(&self) -> Action {
        match self {
            Left::Remote(s) => Action::UnstakeRemote(s.clone()),
            Left::Local(s) => Action::UnstakeLocal(s.clone()),
        }
    }

    /// The (user, validator) of a local delegation.
    fn key_of(&self, l: &LocalStake) -> (String, String) {
        (l.user.clone(), l.validator.clone())
    }

    fn describe(&self) -> String {
        match self {
            Left::Remote(s) => format!(
                "{} has {} on {}/{}",
                s.user, s.amount.0, s.consumer, s.validator
            ),
            Left::Local(s) => format!("{} has {} delegated to {}", s.user, s.amount.0, s.validator),
        }
    }
}

impl Run<'_> {
    /// Run the drain (see the module doc).
    pub(super) async fn drain(&mut self) -> Result<(), StepFailure> {
        self.lift_faults().await?;
        self.drain_settle("lifting the faults").await?;
        // Each round unstakes what is left, waits out every unbonding period, then withdraws and
        // releases everything; the drain ends after a round once nothing is left. A delegation
        // to a slashed validator is shares worth fractions of tokens: unstaking its whole worth
        // can leave shares still worth a token (the truncated remainders raised their worth),
        // which a user unstakes again in the next round. A delegation the last round's unstake
        // of its whole worth did not move at all is the SDK's dust (shares worth a token that no
        // undelegation pays out): its lien may stay. The first round unstakes before any wait,
        // so the chain may refuse an unstake then (its limit of unbonding entries per delegation
        // is full until the fuzzed steps' unbondings mature): what it refused is unstaked again
        // in the next round, after the wait, where a refusal is the drain's violation.
        let mut round = 0;
        // (user, validator) → the dust left on that delegation.
        let mut dust: BTreeMap<(String, String), Uint128> = BTreeMap::new();
        // The local delegations a round unstaked down to a worth of nothing.
        let mut emptied: BTreeSet<(String, String)> = BTreeSet::new();
        loop {
            let mut left = self.stake_left().await?;
            // Dust is not unstaked again. A delegation an earlier round unstaked to nothing that
            // is worth a token or two again is dust too: other delegators' undelegations from
            // the same slashed validator raised the worth of the fraction of a token its shares
            // kept (three users can pass one token around for as many rounds as there are:
            // fixtures/regressions/seed-87-drain.json).
            left.retain(|s| {
                let Left::Local(l) = s else { return true };
                let key = s.key_of(l);
                if dust.contains_key(&key) {
                    return false;
                }
                if l.amount.0 <= MAX_DUST && emptied.contains(&key) {
                    dust.insert(key, l.amount.0.into());
                    return false;
                }
                true
            });
            if round > 0 && left.is_empty() {
                break;
            }
            if round == DRAIN_UNSTAKE_ROUNDS {
                return Err(drained(format!(
                    "stake left after {DRAIN_UNSTAKE_ROUNDS} rounds of unstaking everything: {}",
                    left.iter()
                        .map(|s| s.describe())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            let may_refuse = round == 0;
            for stake in &left {
                self.unstake_left(stake, may_refuse, &mut dust, &mut emptied)
                    .await?;
            }
            if !left.is_empty() {
                self.drain_settle("unstaking everything").await?;
            }
            self.wait_out_unbonding().await;
            self.withdraw_and_release_everything().await?;
            self.drain_settle("withdrawing and releasing everything")
                .await?;
            round += 1;
        }
        for c in self.scenario.consumers.clone() {
            self.act_or_drained(&Action::Epoch(crate::scenario::ConsumerOnly {
                consumer: c.chain_id.clone(),
            }))
            .await?;
        }
        self.drain_settle("the consumers' epochs").await?;
        // What is left delegated is dust (shares no undelegation pays out): a native lien up to
        // its exact worth, rounded up, may stay.
        let mut dust_of: BTreeMap<String, Uint128> = BTreeMap::new();
        for user in self.names().users {
            let worth = self.local_worth(&user).await?;
            let allowed = worth.to_uint_ceil();
            let allowed = Uint128::try_from(allowed).unwrap_or(Uint128::MAX);
            dust_of.insert(user, allowed.min(Uint128::new(MAX_DUST)));
        }
        drop(dust);
        self.require_everything_free(&dust_of).await
    }

    /// Unstake one stake the drain found left; a local delegation whose whole worth the unstake
    /// did not move is recorded in `dust`. When `may_refuse`, a refused unstake is no violation
    /// (it stays left, for the next round).
    async fn unstake_left(
        &mut self,
        stake: &Left,
        may_refuse: bool,
        dust: &mut BTreeMap<(String, String), Uint128>,
        emptied: &mut BTreeSet<(String, String)>,
    ) -> Result<(), StepFailure> {
        match stake {
            Left::Remote(_) if may_refuse => {
                // Refused or not, what is still staked is read again next round.
                let _ = self.act(&stake.unstake()).await;
                Ok(())
            }
            Left::Remote(_) => self.act_or_drained(&stake.unstake()).await,
            Left::Local(l) => {
                // Read the worth again: another user's undelegation on the same validator can
                // have moved this delegation's truncated balance since the list was made.
                let now = self.local_delegation(&l.user, &l.validator).await?;
                if now.is_zero() {
                    return Ok(());
                }
                let l = LocalStake {
                    amount: now.u128().into(),
                    ..l.clone()
                };
                let unstaked = match self.unstake_local_worth(&l).await {
                    Ok(unstaked) => unstaked,
                    Err(_) if may_refuse => return Ok(()),
                    Err(e) => return Err(e),
                };
                let after = self.local_delegation(&l.user, &l.validator).await?;
                if after.u128() == unstaked.amount.0 && after.u128() <= MAX_DUST {
                    dust.insert(stake.key_of(&unstaked), after);
                }
                if after.is_zero() {
                    emptied.insert(stake.key_of(&unstaked));
                }
                Ok(())
            }
        }
    }

    /// Unstake a delegation's queried worth, as a user would: the query truncates the worth
    /// after the SDK's rounding division, while the undelegation converts the amount back to
    /// shares truncated, so on a validator whose exchange rate a slash made uneven the whole
    /// queried worth can need an atom more than the delegation's shares ("not enough
    /// delegation: 3750 delegated, 3750 requested", as on an SDK chain); then one token less is
    /// what the chain lets the user take (fuzz seeds 28652 and 29155 at 200 steps), and a
    /// refused single token is left as dust. Returns the stake as unstaked (its amount what
    /// was asked last).
    async fn unstake_local_worth(&mut self, l: &LocalStake) -> Result<LocalStake, StepFailure> {
        let first = Action::UnstakeLocal(l.clone());
        match self.act(&first).await {
            Ok(()) => Ok(l.clone()),
            Err(e) if e.to_string().contains("not enough delegation") && l.amount.0 > 1 => {
                let less = LocalStake {
                    amount: (l.amount.0 - 1).into(),
                    ..l.clone()
                };
                self.act_or_drained(&Action::UnstakeLocal(less.clone()))
                    .await?;
                Ok(less)
            }
            // A single token's worth the chain refuses is dust: the delegation did not move,
            // which the caller records as such.
            Err(e) if e.to_string().contains("not enough delegation") => Ok(l.clone()),
            Err(e) => Err(action_failed(&first, &e)),
        }
    }

    /// Let the longest unbonding period there is pass, and a block of the slowest chain more (an
    /// unbonding matures in the first block at or after its completion time).
    async fn wait_out_unbonding(&self) {
        let s = self.scenario;
        let longest = s
            .consumers
            .iter()
            .map(|c| c.external_staking.unbonding_period.0)
            .chain([s.provider.unbonding_period.0])
            .max()
            .unwrap_or_default();
        let slowest_block = s
            .consumers
            .iter()
            .map(|c| c.block_time.0)
            .chain([s.provider.block_time.0])
            .max()
            .unwrap_or_default();
        self.net
            .wait(Duration::from_millis(longest + slowest_block + 1_000))
            .await;
    }

    /// Each link back to its configured delay, no more drops or failing receives, and every
    /// outage and halt over.
    async fn lift_faults(&mut self) -> Result<(), StepFailure> {
        for c in self.scenario.consumers.clone() {
            let id = c.chain_id.clone();
            let mut lifts = vec![
                Fault::LinkDelay {
                    link: id.clone(),
                    delay: c.link.delay,
                },
                Fault::LinkDrop {
                    link: id.clone(),
                    drop_next: 0,
                },
            ];
            for contract in [FaultContract::Converter, FaultContract::ExternalStaking] {
                lifts.push(Fault::ContractFail {
                    contract,
                    consumer: id.clone(),
                    fail_next: 0,
                });
            }
            for f in lifts {
                self.fault(&f).await?;
            }
        }
        let now = self.net.now_ms();
        if self.faults_until > now {
            self.net
                .wait(Duration::from_millis(self.faults_until - now))
                .await;
        }
        Ok(())
    }

    async fn drain_settle(&self, after: &str) -> Result<(), StepFailure> {
        self.net
            .settle(Duration::from_millis(DRAIN_SETTLE_WITHIN.millis()))
            .await
            .map_err(|e| drained(format!("the system did not settle after {after}: {e}")))
    }

    /// Run one of the drain's own actions; its failure is the drain's violation.
    async fn act_or_drained(&mut self, action: &Action) -> Result<(), StepFailure> {
        self.act(action)
            .await
            .map_err(|e| action_failed(action, &e))
    }

    /// Every user's remote stakes and local delegations still to unstake.
    async fn stake_left(&mut self) -> Result<Vec<Left>, StepFailure> {
        let mut left = vec![];
        for user in self.names().users {
            for c in self.scenario.consumers.clone() {
                for s in self.stakes_of(&user, &c.chain_id).await? {
                    if !s.stake.high.is_zero() {
                        left.push(Left::Remote(RemoteStake {
                            user: user.clone(),
                            consumer: c.chain_id.clone(),
                            validator: s.validator.clone(),
                            amount: s.stake.high.u128().into(),
                        }));
                    }
                }
            }
            for (validator, amount) in self.local_delegations(&user).await? {
                if !amount.is_zero() {
                    left.push(Left::Local(LocalStake {
                        user: user.clone(),
                        validator,
                        amount: amount.u128().into(),
                    }));
                }
            }
        }
        Ok(left)
    }

    /// Withdraw every matured remote unbond and release every local unbonding.
    async fn withdraw_and_release_everything(&mut self) -> Result<(), StepFailure> {
        for user in self.names().users {
            for c in self.scenario.consumers.clone() {
                let pending = self
                    .stakes_of(&user, &c.chain_id)
                    .await?
                    .iter()
                    .any(|s| !s.pending_unbonds.is_empty());
                if pending {
                    self.act_or_drained(&Action::WithdrawUnbondedRemote(UserConsumer {
                        user: user.clone(),
                        consumer: c.chain_id.clone(),
                    }))
                    .await?;
                }
            }
            if self.net.native_staking_proxy(&user).await.is_ok() {
                self.act_or_drained(&Action::ReleaseLocal(UserOnly { user: user.clone() }))
                    .await?;
            }
        }
        Ok(())
    }

    /// Every user: no lien, nothing slashable, everything free, and all of it unbondable; no
    /// pending tx and nothing in flight anywhere.
    async fn require_everything_free(
        &mut self,
        dust: &BTreeMap<String, Uint128>,
    ) -> Result<(), StepFailure> {
        if let Err(v) = invariants::check_settled(&self.net, &self.names()).await? {
            return Err(drained(format!("not settled at the end: {}", v.detail)));
        }
        let vault = self.net.contract(&ContractId::Vault)?.deployed.addr.clone();
        let lienholders = self.lienholder_names()?;
        for user in self.names().users {
            let account = self.net.addr(self.net.provider_id(), &user).to_string();
            // (Only a native lien up to `dust` may be left: any other lien fails below.)
            let (vault_c, account_c) = (vault.clone(), account.clone());
            let (details, claims) = self
                .net
                .with_chain(self.net.provider_id(), move |chain, _| {
                    let d: Result<vault::AccountDetailsResponse, String> = chain.query_json(
                        &vault_c,
                        &vault::QueryMsg::AccountDetails {
                            account: account_c.clone(),
                        },
                    );
                    (d, invariants::claims(chain, &vault_c, &account_c))
                })
                .await?;
            let details = details.map_err(|e| drained(format!("{user}: {e}")))?;
            let native = self
                .net
                .contract(&ContractId::NativeStaking)?
                .deployed
                .addr
                .to_string();
            let dust = dust.get(&user).copied().unwrap_or_default();
            let left: Vec<String> = claims
                .iter()
                .filter(|c| !c.amount.is_zero())
                .filter(|c| !(c.lienholder == native && c.amount.high <= dust))
                .map(|c| {
                    let holder = lienholders
                        .iter()
                        .find(|(a, _)| *a == c.lienholder)
                        .map_or(c.lienholder.as_str(), |(_, n)| n.as_str());
                    format!("{} on {holder}", c.amount)
                })
                .collect();
            if !left.is_empty() {
                return Err(drained(format!(
                    "{user}: liens left after everything was unstaked, withdrawn and released: {}",
                    left.join(", ")
                )));
            }
            let collateral = details.bonded;
            // A dust lien keeps what the vault counts slashable for it too (a sum of floors,
            // which can exceed the lien by a few units); with no lien, everything is free.
            let kept = if details.max_lien.high.is_zero() {
                Uint128::zero()
            } else {
                details.max_lien.high.max(details.total_slashable.high)
            };
            let unbondable = collateral.saturating_sub(kept);
            if details.free.low < unbondable || details.free.high < unbondable {
                return Err(drained(format!(
                    "{user}: collateral {collateral} but only {} free with no lien left",
                    details.free
                )));
            }
            if !details.free.low.is_zero() {
                self.act_or_drained(&Action::Unbond(UserAmount {
                    user: user.clone(),
                    amount: details.free.low.u128().into(),
                }))
                .await?;
            }
        }
        Ok(())
    }

    async fn stakes_of(
        &self,
        user: &str,
        consumer: &str,
    ) -> Result<Vec<ext::StakeResponse>, StepFailure> {
        let contract = self
            .net
            .contract(&ContractId::external_staking(consumer))?
            .deployed
            .addr
            .clone();
        let user = self.net.addr(self.net.provider_id(), user).to_string();
        Ok(self
            .net
            .with_chain(self.net.provider_id(), move |chain, _| {
                invariants::user_stakes(chain, &contract, &user)
            })
            .await??)
    }

    /// What all of `user`'s local delegations are worth, exactly (0 without a proxy).
    async fn local_worth(&mut self, user: &str) -> Result<Decimal256, StepFailure> {
        let Ok(name) = self.net.native_staking_proxy(user).await else {
            return Ok(Decimal256::zero());
        };
        let proxy = self.net.contract(&name)?.deployed.addr.clone();
        Ok(self
            .net
            .with_chain(self.net.provider_id(), move |chain, _| {
                chain.app_ref().read_module(|router, _, storage| {
                    router.staking.delegated_worth(storage, &proxy)
                })
            })
            .await?
            .map_err(|e| e.to_string())?)
    }

    /// What `user`'s delegation to `validator` is worth now (truncated; 0 without a proxy).
    async fn local_delegation(
        &mut self,
        user: &str,
        validator: &str,
    ) -> Result<Uint128, StepFailure> {
        Ok(self
            .local_delegations(user)
            .await?
            .into_iter()
            .find(|(v, _)| v == validator)
            .map(|(_, a)| a)
            .unwrap_or_default())
    }

    async fn local_delegations(
        &mut self,
        user: &str,
    ) -> Result<Vec<(String, Uint128)>, StepFailure> {
        let Ok(name) = self.net.native_staking_proxy(user).await else {
            return Ok(vec![]);
        };
        let proxy = self.net.contract(&name)?.deployed.addr.clone();
        Ok(self
            .net
            .with_chain(self.net.provider_id(), move |chain, _| {
                chain.app_ref().read_module(|router, _, storage| {
                    router.staking.delegations_of(storage, &proxy)
                })
            })
            .await?
            .map_err(|e| e.to_string())?)
    }

    /// Lienholder address → report name (`native` or the consumer's chain id).
    fn lienholder_names(&self) -> Result<Vec<(String, String)>, StepFailure> {
        let mut out = vec![(
            self.net
                .contract(&ContractId::NativeStaking)?
                .deployed
                .addr
                .to_string(),
            "native".to_string(),
        )];
        for c in &self.names().consumers {
            out.push((
                self.net
                    .contract(&ContractId::external_staking(&c.id))?
                    .deployed
                    .addr
                    .to_string(),
                c.id.clone(),
            ));
        }
        Ok(out)
    }
}
