//! What users do, by name: the actions of scenario steps as methods of [`Testnet`]. Each one
//! builds the contract message and sends it as the named user; amounts are in the base units
//! of the provider's denom. The scenario runner calls these same methods.

use cosmwasm_std::{to_json_binary, Binary, Coin, Decimal, Uint128};
use mesh_apis::{
    external_staking as ext, lienholder, native_staking_proxy as proxy, price_feed, vault,
};

use super::{ContractId, Testnet, GOVERNANCE};
use crate::chain::{app, ValidatorEvent};
use crate::error::{Error, Result};
use crate::trace::TraceKind;

/// The `msg` a lienholder's stake carries: `{"validator": "..."}`.
fn stake_msg(validator: &str) -> Result<Binary> {
    to_json_binary(&lienholder::StakeMsg {
        validator: validator.to_string(),
    })
    .map_err(|e| Error::InvalidInput(e.to_string()))
}

impl Testnet {
    fn coin(&self, amount: u128) -> Coin {
        Coin::new(amount, self.provider_denom())
    }

    /// `user` bonds `amount` of the provider denom into the vault as collateral (vault `bond`).
    pub async fn bond(&self, user: &str, amount: u128) -> Result<()> {
        self.check_user(user)?;
        let (msg, funds) = self.implementation().bond(self.coin(amount));
        self.exec(user, &ContractId::Vault, &msg, funds)
            .await
            .map(drop)
    }

    /// `user` takes `amount` of free collateral back from the vault (vault `unbond`).
    pub async fn unbond(&self, user: &str, amount: u128) -> Result<()> {
        self.check_user(user)?;
        let msg = vault::ExecuteMsg::Unbond {
            amount: self.coin(amount),
        };
        self.exec(user, &ContractId::Vault, &msg, vec![])
            .await
            .map(drop)
    }

    /// `user` stakes `amount` of collateral on the provider's `validator` through native
    /// staking (vault `stake_local`; the first one creates the user's proxy).
    pub async fn stake_local(&self, user: &str, validator: &str, amount: u128) -> Result<()> {
        self.check_user(user)?;
        let msg = vault::ExecuteMsg::StakeLocal {
            amount: self.coin(amount),
            msg: stake_msg(validator)?,
        };
        self.exec(user, &ContractId::Vault, &msg, vec![])
            .await
            .map(drop)
    }

    /// `user` starts unbonding `amount` from `validator` on the provider (the proxy's
    /// `unstake`); [`release_local`](Self::release_local) frees the lien after the chain's
    /// unbonding period.
    pub async fn unstake_local(&self, user: &str, validator: &str, amount: u128) -> Result<()> {
        let msg = proxy::ExecuteMsg::Unstake {
            validator: validator.to_string(),
            amount: self.coin(amount),
        };
        let proxy = self.native_staking_proxy(user).await?;
        self.exec(user, &proxy, &msg, vec![]).await.map(drop)
    }

    /// `user` moves `amount` of their local stake from validator `from` to `to` on the provider
    /// (the proxy's `restake`, a redelegation): no unbonding, but until `from`'s unbonding
    /// period has passed a slash of `from` for an earlier infraction still reaches it.
    pub async fn restake_local(
        &self,
        user: &str,
        from: &str,
        to: &str,
        amount: u128,
    ) -> Result<()> {
        let msg = proxy::ExecuteMsg::Restake {
            src_validator: from.to_string(),
            dst_validator: to.to_string(),
            amount: self.coin(amount),
        };
        let proxy = self.native_staking_proxy(user).await?;
        self.exec(user, &proxy, &msg, vec![]).await.map(drop)
    }

    /// `user` releases what finished unbonding locally back to the vault (the proxy's
    /// `release_unbonded`), freeing that much collateral.
    pub async fn release_local(&self, user: &str) -> Result<()> {
        let proxy = self.native_staking_proxy(user).await?;
        let msg = proxy::ExecuteMsg::ReleaseUnbonded {};
        self.exec(user, &proxy, &msg, vec![]).await.map(drop)
    }

    /// `user` stakes `amount` of collateral on `validator` of `consumer` (vault `stake_remote`
    /// to that consumer's external staking). The stake packet is then in flight: the lien is
    /// a range until its ack commits it (see [`settle`](Self::settle)).
    pub async fn stake_remote(
        &self,
        user: &str,
        consumer: &str,
        validator: &str,
        amount: u128,
    ) -> Result<()> {
        self.check_user(user)?;
        self.check_consumer(consumer)?;
        let external = self.contract(&ContractId::external_staking(consumer))?;
        let msg = vault::ExecuteMsg::StakeRemote {
            contract: external.deployed.addr.to_string(),
            amount: self.coin(amount),
            msg: stake_msg(validator)?,
        };
        self.exec(user, &ContractId::Vault, &msg, vec![])
            .await
            .map(drop)
    }

    /// `user` unstakes `amount` from `validator` of `consumer` (external staking `unstake`).
    /// Once the ack arrives it is a pending unbond, released after external staking's
    /// unbonding period by [`withdraw_unbonded_remote`](Self::withdraw_unbonded_remote).
    pub async fn unstake_remote(
        &self,
        user: &str,
        consumer: &str,
        validator: &str,
        amount: u128,
    ) -> Result<()> {
        self.check_user(user)?;
        self.check_consumer(consumer)?;
        let msg = ext::ExecuteMsg::Unstake {
            validator: validator.to_string(),
            amount: self.coin(amount),
        };
        let external = ContractId::external_staking(consumer);
        self.exec(user, &external, &msg, vec![]).await.map(drop)
    }

    /// `user` withdraws every matured remote unbond at `consumer`'s external staking, freeing
    /// that much collateral in the vault (external staking `withdraw_unbonded`).
    pub async fn withdraw_unbonded_remote(&self, user: &str, consumer: &str) -> Result<()> {
        self.check_user(user)?;
        self.check_consumer(consumer)?;
        let msg = ext::ExecuteMsg::WithdrawUnbonded {};
        let external = ContractId::external_staking(consumer);
        self.exec(user, &external, &msg, vec![]).await.map(drop)
    }

    /// `user` has the rewards of their stake on `validator` of `consumer` paid to the account
    /// `recipient` on the consumer chain (external staking `withdraw_rewards`; the payment
    /// travels as a `transfer_rewards` packet). The recipient's balances join the report.
    pub async fn withdraw_rewards(
        &self,
        user: &str,
        consumer: &str,
        validator: &str,
        recipient: &str,
    ) -> Result<()> {
        self.check_user(user)?;
        self.check_consumer(consumer)?;
        self.add_consumer_account(consumer, recipient);
        let msg = ext::ExecuteMsg::WithdrawRewards {
            validator: validator.to_string(),
            remote_recipient: self.addr(consumer, recipient).to_string(),
        };
        let external = ContractId::external_staking(consumer);
        self.exec(user, &external, &msg, vec![]).await.map(drop)
    }

    /// Consumer governance: the price of `consumer`'s feed (consumer tokens per provider
    /// token) from now on; the next epoch converts at it.
    pub async fn set_price(&self, consumer: &str, price: Decimal) -> Result<()> {
        self.check_consumer(consumer)?;
        let msg = price_feed::ExecuteMsg::UpdatePrice {
            native_per_foreign: price,
        };
        let feed = ContractId::price_feed(consumer);
        self.exec(GOVERNANCE, &feed, &msg, vec![]).await.map(drop)
    }

    /// Consumer governance: virtual staking's max cap on `consumer` (consumer units) from now
    /// on; 0 makes the next epoch unstake everything.
    pub async fn set_max_cap(&self, consumer: &str, amount: u128) -> Result<()> {
        self.check_consumer(consumer)?;
        let vs = self
            .contract(&ContractId::virtual_staking(consumer))?
            .deployed
            .addr;
        let cap = Uint128::new(amount);
        self.with_chain(consumer, move |c, _| app::set_max_cap(c.app(), &vs, cap))
            .await?
            .map_err(|e| Error::chain(consumer, e))?;
        self.trace().record(
            self.now_ms(),
            TraceKind::ChainAction {
                chain: consumer.to_string(),
                action: format!("set_max_cap {amount}"),
                ok: true,
                error: None,
            },
        );
        Ok(())
    }

    /// Chain event: `validator` of `chain` is jailed for downtime; the chain slashes its
    /// downtime fraction.
    pub async fn jail(&self, chain: &str, validator: &str) -> Result<()> {
        self.validator_event(chain, validator, ValidatorEvent::Jail)
            .await
    }

    /// Chain event: `validator` of `chain` is unjailed and rejoins the active set.
    pub async fn unjail(&self, chain: &str, validator: &str) -> Result<()> {
        self.validator_event(chain, validator, ValidatorEvent::Unjail)
            .await
    }

    /// Chain event: evidence of a double sign by `validator` of `chain`: it is tombstoned (for
    /// good) and the chain slashes its double-sign fraction of `power`, the consensus power the
    /// evidence names (`None`: the validator's power now).
    pub async fn tombstone(&self, chain: &str, validator: &str, power: Option<u64>) -> Result<()> {
        self.validator_event(chain, validator, ValidatorEvent::Tombstone { power })
            .await
    }

    /// Chain event: a new validator `validator` on `chain` whose operator self-bonds `stake`
    /// of the chain's denom. It joins the report's validators.
    pub async fn add_validator(&self, chain: &str, validator: &str, stake: u128) -> Result<()> {
        let event = ValidatorEvent::Add {
            stake: Uint128::new(stake),
        };
        self.validator_event(chain, validator, event).await?;
        self.add_validator_name(chain, validator);
        Ok(())
    }

    /// Chain event: the operator of `validator` on `chain` unbonds its whole self-bond: the
    /// validator is jailed (if it was not) and leaves the set for good.
    pub async fn remove_validator(&self, chain: &str, validator: &str) -> Result<()> {
        self.validator_event(chain, validator, ValidatorEvent::Remove)
            .await
    }

    /// The report shows `account`'s balances on `consumer` from now on.
    fn add_consumer_account(&self, consumer: &str, account: &str) {
        let mut names = self.names.borrow_mut();
        if let Some(c) = names.consumers.iter_mut().find(|c| c.id == consumer) {
            if !c.accounts.iter().any(|a| a == account) {
                c.accounts.push(account.to_string());
                c.accounts.sort();
                drop(names);
                self.names_changed();
            }
        }
    }

    /// The report shows `validator` of `chain` from now on.
    fn add_validator_name(&self, chain: &str, validator: &str) {
        let mut names = self.names.borrow_mut();
        let list = if chain == self.provider_id() {
            Some(&mut names.provider_validators)
        } else {
            names
                .consumers
                .iter_mut()
                .find(|c| c.id == chain)
                .map(|c| &mut c.validators)
        };
        if let Some(list) = list.filter(|l| !l.iter().any(|v| v == validator)) {
            list.push(validator.to_string());
        }
    }
}
