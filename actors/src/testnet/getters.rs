//! Reading the state by name: typed getters of [`Testnet`] for what tests assert on most, and
//! the whole state report. Queries take names, like the actions; addresses stay inside.

use cosmwasm_std::{BlockInfo, Uint128};
use mesh_apis::{external_staking as ext, vault, virtual_staking, ValueRange};
use std::collections::BTreeMap;

use super::report::{self, narrow, Report};
use super::{ContractId, Testnet};
use crate::error::{Error, Result};
use crate::modules::ValidatorInfo;

/// Largest page of the contracts' list queries.
const PAGE: u32 = 30;

/// What virtual staking holds for one validator: the provider's request and the chain's
/// delegation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidatorRequest {
    /// What the provider asked for, in provider units.
    pub provider_amount: Uint128,
    /// The same converted at the current price and discount, in consumer units (before the
    /// max cap scales it).
    pub consumer_amount: Uint128,
}

/// A user's local (native) stake on the provider.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalStake {
    /// What their proxy has delegated, per validator (the worth of its shares).
    pub delegations: BTreeMap<String, Uint128>,
    /// What is still unbonding.
    pub unbonding: Uint128,
}

impl Testnet {
    /// The state report, the same the CLI prints: every chain brought to its current block
    /// first (which runs that block's begin-block work: matured unbondings, a due epoch).
    /// Accounts, validators and contracts appear by name; the paths are documented in the
    /// repository's `docs/report.md`.
    pub async fn report(&self) -> Result<Report> {
        report::build(self, &self.names()).await.map(Report::new)
    }

    /// The report as the chains stand, without bringing them to the current block: reading
    /// it changes nothing (see [`report::build_at_rest`]).
    pub async fn report_at_rest(&self) -> Result<Report> {
        report::build_at_rest(self, &self.names())
            .await
            .map(Report::new)
    }

    /// `user`'s account in the vault: collateral (`bonded`), `free`, `max_lien` and
    /// `total_slashable` (ranges while packets are in flight).
    pub async fn vault_account(&self, user: &str) -> Result<vault::AccountDetailsResponse> {
        self.check_user(user)?;
        let account = self.addr(self.provider_id(), user).to_string();
        self.query(
            &ContractId::Vault,
            &vault::QueryMsg::AccountDetails { account },
        )
        .await
    }

    /// `user`'s liens in the vault by lienholder: `native` for local staking, a consumer's
    /// chain id for its external staking.
    pub async fn liens(&self, user: &str) -> Result<BTreeMap<String, ValueRange>> {
        self.check_user(user)?;
        let account = self.addr(self.provider_id(), user).to_string();
        let mut holders = BTreeMap::new();
        for c in self.contracts() {
            holders.insert(c.deployed.addr.to_string(), c.deployed.name.clone());
        }
        let mut out = BTreeMap::new();
        let mut start_after = None;
        loop {
            let page: vault::AccountClaimsResponse = self
                .query(
                    &ContractId::Vault,
                    &vault::QueryMsg::AccountClaims {
                        account: account.clone(),
                        start_after: start_after.clone(),
                        limit: Some(PAGE),
                    },
                )
                .await?;
            let Some(last) = page.claims.last() else {
                return Ok(out);
            };
            start_after = Some(last.lienholder.clone());
            for claim in page.claims {
                let name = holders
                    .get(&claim.lienholder)
                    .cloned()
                    .unwrap_or(claim.lienholder);
                out.insert(name, claim.amount);
            }
        }
    }

    /// `user`'s stake on `validator` of `consumer`, as external staking on the provider keeps
    /// it: the stake (a range while packets are in flight) and the pending unbonds (`owner` is
    /// the user's name).
    pub async fn remote_stake(
        &self,
        user: &str,
        consumer: &str,
        validator: &str,
    ) -> Result<ext::StakeResponse> {
        self.check_user(user)?;
        self.check_consumer(consumer)?;
        let address = self.addr(self.provider_id(), user).to_string();
        let mut stake: ext::StakeResponse = self
            .query(
                &ContractId::external_staking(consumer),
                &ext::QueryMsg::Stake {
                    user: address,
                    validator: validator.to_string(),
                },
            )
            .await?;
        stake.owner = user.to_string();
        Ok(stake)
    }

    /// `user`'s local stake: their proxy's delegations and what is unbonding (nothing before
    /// their first [`stake_local`](Self::stake_local)).
    pub async fn local_stake(&self, user: &str) -> Result<LocalStake> {
        self.check_user(user)?;
        let Ok(proxy) = self.native_staking_proxy(user).await else {
            return Ok(LocalStake::default());
        };
        let proxy = self.contract(&proxy)?.deployed.addr;
        self.with_chain(self.provider_id(), move |chain, _| {
            chain.app_ref().read_module(|router, _, storage| {
                let delegations = router.staking.delegations_of(storage, &proxy)?;
                let unbonding = router.staking.unbonding_total(storage, &proxy)?;
                Ok::<_, cosmwasm_std::StdError>(LocalStake {
                    delegations: delegations.into_iter().collect(),
                    unbonding,
                })
            })
        })
        .await?
        .map_err(|e| Error::chain(self.provider_id(), e.to_string()))
    }

    /// What `consumer`'s chain has delegated for virtual staking to `validator` (consumer
    /// units; the worth of its shares), as the last epoch left it.
    pub async fn virtual_delegation(&self, consumer: &str, validator: &str) -> Result<Uint128> {
        Ok(self
            .virtual_delegations(consumer)
            .await?
            .get(validator)
            .copied()
            .unwrap_or_default())
    }

    /// Every virtual delegation on `consumer` by validator (consumer units, non-zero only).
    pub async fn virtual_delegations(&self, consumer: &str) -> Result<BTreeMap<String, Uint128>> {
        self.check_consumer(consumer)?;
        let vs = self
            .contract(&ContractId::virtual_staking(consumer))?
            .deployed
            .addr;
        self.with_chain(consumer, move |chain, _| {
            chain
                .app_ref()
                .read_module(|router, _, storage| router.staking.delegations_of(storage, &vs))
        })
        .await?
        .map(|d| d.into_iter().filter(|(_, a)| !a.is_zero()).collect())
        .map_err(|e| Error::chain(consumer, e.to_string()))
    }

    /// Virtual staking's requests on `consumer` by validator: what the provider asked for
    /// (non-zero only). The next epoch bonds toward them.
    pub async fn virtual_requests(
        &self,
        consumer: &str,
    ) -> Result<BTreeMap<String, ValidatorRequest>> {
        self.check_consumer(consumer)?;
        let vs = ContractId::virtual_staking(consumer);
        let mut out = BTreeMap::new();
        let mut start_after = None;
        loop {
            let page: virtual_staking::RequestsResponse = self
                .query(
                    &vs,
                    &virtual_staking::QueryMsg::Requests {
                        start_after: start_after.clone(),
                        limit: Some(PAGE),
                    },
                )
                .await?;
            let Some(last) = page.requests.last() else {
                return Ok(out);
            };
            start_after = Some(last.validator.clone());
            for r in page.requests {
                if !r.provider_amount.is_zero() {
                    out.insert(
                        r.validator,
                        ValidatorRequest {
                            provider_amount: r.provider_amount,
                            consumer_amount: r.consumer_amount,
                        },
                    );
                }
            }
        }
    }

    /// The block of `chain` current now: its height, time and chain id (a halted chain stays
    /// at its last block).
    pub async fn block(&self, chain: &str) -> Result<BlockInfo> {
        self.with_chain(chain, |c, now| {
            let pos = c.block_at(now);
            BlockInfo {
                height: pos.height,
                time: c.timestamp_of(pos.time_ms),
                chain_id: c.id().to_string(),
            }
        })
        .await
    }

    /// The balance of `account` on `chain` in `denom`.
    pub async fn balance(&self, chain: &str, account: &str, denom: &str) -> Result<Uint128> {
        let addr = self.addr_on(chain, account)?;
        let denom = denom.to_string();
        self.with_chain(chain, move |c, _| {
            c.app_ref()
                .wrap()
                .query_balance(addr, denom)
                .map(|coin| narrow(coin.amount))
        })
        .await?
        .map_err(|e| Error::chain(chain, e.to_string()))
    }

    /// `validator` of `chain` as its staking module keeps it: tokens, shares, bond status,
    /// jailed, tombstoned.
    pub async fn validator(&self, chain: &str, validator: &str) -> Result<ValidatorInfo> {
        let name = validator.to_string();
        self.with_chain(chain, move |c, _| {
            c.app_ref()
                .read_module(|router, _, storage| router.staking.validator(storage, &name))
        })
        .await?
        .map_err(|e| Error::chain(chain, e.to_string()))?
        .ok_or_else(|| Error::Chain {
            chain: chain.to_string(),
            message: format!("unknown validator {validator:?} on {chain}"),
        })
    }

    /// The address of `account` on `chain`, or [`Error::UnknownName`] for an unknown chain.
    fn addr_on(&self, chain: &str, account: &str) -> Result<cosmwasm_std::Addr> {
        self.chain(chain)?;
        Ok(self.addr(chain, account))
    }
}
