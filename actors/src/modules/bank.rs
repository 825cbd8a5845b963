//! The bank: cw-multi-test's `BankKeeper`, with every burn recorded in the supply ledger, so
//! the conservation invariant also accounts for tokens a contract burns on purpose (native
//! staking's proxy burns what a slash elsewhere took from it).

use cosmwasm_std::{
    from_json, Addr, Api, BalanceResponse, BankMsg, BankQuery, Binary, BlockInfo, Coin, CustomMsg,
    CustomQuery, Querier, QueryRequest, StdError, StdResult, Storage,
};
use cw_multi_test::{AppResponse, Bank, BankKeeper, BankSudo, CosmosRouter, Module};
use serde::de::DeserializeOwned;

use super::ledger;

/// `BankKeeper` plus the ledger entry for burns.
#[derive(Default)]
pub struct MeshBank {
    inner: BankKeeper,
}

impl MeshBank {
    /// Genesis balance of `account`.
    pub fn init_balance(
        &self,
        storage: &mut dyn Storage,
        account: &Addr,
        amount: Vec<Coin>,
    ) -> StdResult<()> {
        self.inner.init_balance(storage, account, amount)
    }
}

impl Bank for MeshBank {}

impl Module for MeshBank {
    type ExecT = BankMsg;
    type QueryT = BankQuery;
    type SudoT = BankSudo;

    fn execute<ExecC, QueryC>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
        sender: Addr,
        msg: BankMsg,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        let burned = match &msg {
            BankMsg::Burn { amount } => amount.clone(),
            _ => vec![],
        };
        // Say what is missing, as the SDK's bank does ("insufficient funds"), rather than the
        // arithmetic error the inner keeper gives.
        let spent = match &msg {
            BankMsg::Send { amount, .. } | BankMsg::Burn { amount } => amount.clone(),
            _ => vec![],
        };
        for coin in &spent {
            let request = QueryRequest::Bank(BankQuery::Balance {
                address: sender.to_string(),
                denom: coin.denom.clone(),
            });
            let held: BalanceResponse = from_json(router.query(api, storage, block, request)?)?;
            if held.amount.amount < coin.amount {
                return Err(StdError::msg(format!(
                    "insufficient funds: {sender} has {}{}, {} needed",
                    held.amount.amount, coin.denom, coin
                )));
            }
        }
        let res = self
            .inner
            .execute(api, storage, router, block, sender, msg)?;
        for coin in burned {
            ledger::record_bank_burn(storage, &coin)?;
        }
        Ok(res)
    }

    fn query(
        &self,
        api: &dyn Api,
        storage: &dyn Storage,
        querier: &dyn Querier,
        block: &BlockInfo,
        request: BankQuery,
    ) -> StdResult<Binary> {
        self.inner.query(api, storage, querier, block, request)
    }

    fn sudo<ExecC, QueryC>(
        &self,
        api: &dyn Api,
        storage: &mut dyn Storage,
        router: &dyn CosmosRouter<ExecC = ExecC, QueryC = QueryC>,
        block: &BlockInfo,
        msg: BankSudo,
    ) -> StdResult<AppResponse>
    where
        ExecC: CustomMsg + DeserializeOwned + 'static,
        QueryC: CustomQuery + DeserializeOwned + 'static,
    {
        self.inner.sudo(api, storage, router, block, msg)
    }
}
