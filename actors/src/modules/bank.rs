//! The bank: cw-multi-test's `BankKeeper`, with every burn recorded in the supply ledger, so
//! the conservation invariant also accounts for tokens a contract burns on purpose (native
//! staking's proxy burns what a slash elsewhere took from it).

use cosmwasm_std::{
    from_json, Addr, Api, BalanceResponse, BankMsg, BankQuery, Binary, BlockInfo, Coin, CustomMsg,
    CustomQuery, Querier, QueryRequest, StdError, StdResult, Storage, Uint256,
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

/// Where the bank keeps balances in the App's storage: cw-multi-test's `bank` namespace, map
/// `balances` (a key is this prefix and the account's address).
fn balance_key_prefix() -> Vec<u8> {
    let mut prefix = Vec::new();
    for part in [&b"bank"[..], &b"balances"[..]] {
        prefix.extend_from_slice(&(part.len() as u16).to_be_bytes());
        prefix.extend_from_slice(part);
    }
    prefix
}

impl MeshBank {
    /// If `key` (a key of the App's storage) holds an account's balances, that account's
    /// address.
    pub fn account_of_key(key: &[u8]) -> Option<&[u8]> {
        key.strip_prefix(balance_key_prefix().as_slice())
    }

    /// The amount of `denom` in a stored balance record (`None`: no record, 0).
    pub fn amount_in_record(record: Option<&[u8]>, denom: &str) -> StdResult<Uint256> {
        let Some(record) = record else {
            return Ok(Uint256::zero());
        };
        let coins: Vec<Coin> = from_json(record)?;
        Ok(coins
            .iter()
            .filter(|c| c.denom == denom)
            .map(|c| c.amount)
            .sum())
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
