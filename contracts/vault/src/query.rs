//! Queries of the vault (docs/system.md ("The provider's contracts")).

use cosmwasm_std::{to_json_binary, Addr, Binary, Deps, Order, StdResult};
use cw_storage_plus::Bound;

use crate::contract::load_user;
use crate::error::ContractError;
use crate::msg::{
    page_limit, AccountClaimsResponse, AccountDetailsResponse, AccountResponse,
    AllAccountsResponse, AllAccountsResponseItem, AllActiveExternalStakingResponse, AllTxsResponse,
    ConfigResponse, LienResponse, QueryMsg,
};
use crate::state::{UserInfo, CONFIG, EXTERNAL_STAKERS, LIENS, LOCAL_STAKING, PENDING_TXS, USERS};

/// Answers a vault query.
pub fn query(deps: Deps, msg: QueryMsg) -> Result<Binary, ContractError> {
    let bin = match msg {
        QueryMsg::Account { account } => to_json_binary(&account_query(deps, account)?)?,
        QueryMsg::AccountDetails { account } => to_json_binary(&account_details(deps, account)?)?,
        QueryMsg::Config {} => to_json_binary(&config(deps)?)?,
        QueryMsg::Claim {
            account,
            lienholder,
        } => to_json_binary(&claim(deps, account, lienholder)?)?,
        QueryMsg::AccountClaims {
            account,
            start_after,
            limit,
        } => to_json_binary(&account_claims(deps, account, start_after, limit)?)?,
        QueryMsg::AllAccounts {
            with_collateral,
            start_after,
            limit,
        } => to_json_binary(&all_accounts(deps, with_collateral, start_after, limit)?)?,
        QueryMsg::PendingTx { tx_id } => {
            let tx = PENDING_TXS
                .may_load(deps.storage, tx_id)?
                .ok_or(ContractError::UnknownTx { tx_id })?;
            to_json_binary(&tx)?
        }
        QueryMsg::AllPendingTxsDesc { start_after, limit } => {
            to_json_binary(&all_pending_txs_desc(deps, start_after, limit)?)?
        }
        QueryMsg::ActiveExternalStaking {} => to_json_binary(&active_external_staking(deps)?)?,
    };
    Ok(bin)
}

/// Builds an account response from a user's info.
fn account_response(denom: String, user: &UserInfo) -> AccountResponse {
    AccountResponse {
        denom,
        bonded: user.collateral,
        free: user.free(),
    }
}

/// `account {account}`: collateral and free collateral (zero for unknown users).
fn account_query(deps: Deps, account: String) -> Result<AccountResponse, ContractError> {
    let denom = CONFIG.load(deps.storage)?.denom;
    let account = deps.api.addr_validate(&account)?;
    let user = load_user(deps.storage, &account)?;
    Ok(account_response(denom, &user))
}

/// `account_details {account}`: also max_lien and total_slashable.
fn account_details(deps: Deps, account: String) -> Result<AccountDetailsResponse, ContractError> {
    let denom = CONFIG.load(deps.storage)?.denom;
    let account = deps.api.addr_validate(&account)?;
    let user = load_user(deps.storage, &account)?;
    Ok(AccountDetailsResponse {
        denom,
        bonded: user.collateral,
        free: user.free(),
        max_lien: user.max_lien,
        total_slashable: user.total_slashable,
    })
}

/// `config {}`.
fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let local = LOCAL_STAKING.may_load(deps.storage)?;
    Ok(ConfigResponse {
        denom: config.denom,
        local_staking: local.map(|l| l.contract.to_string()),
    })
}

/// `claim {account, lienholder}`: one lien (`UnknownLienholder` when there is none).
fn claim(deps: Deps, account: String, lienholder: String) -> Result<LienResponse, ContractError> {
    let owner = deps.api.addr_validate(&account)?;
    let holder = deps.api.addr_validate(&lienholder)?;
    let lien = LIENS.may_load(deps.storage, (&owner, &holder))?.ok_or(
        ContractError::UnknownLienholder {
            owner: account,
            lienholder: lienholder.clone(),
        },
    )?;
    Ok(LienResponse {
        lienholder: holder.to_string(),
        amount: lien.amount,
        slashable: lien.slashable,
    })
}

/// `account_claims {account, start_after?, limit?}`: liens by lienholder address.
fn account_claims(
    deps: Deps,
    account: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<AccountClaimsResponse, ContractError> {
    let owner = deps.api.addr_validate(&account)?;
    let start = start_after.map(Addr::unchecked);
    let claims = LIENS
        .prefix(&owner)
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|item| {
            let (lienholder, lien) = item?;
            Ok(LienResponse {
                lienholder: lienholder.to_string(),
                amount: lien.amount,
                slashable: lien.slashable,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(AccountClaimsResponse { claims })
}

/// `all_accounts {with_collateral, start_after?, limit?}`: users by address.
fn all_accounts(
    deps: Deps,
    with_collateral: bool,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<AllAccountsResponse, ContractError> {
    let denom = CONFIG.load(deps.storage)?.denom;
    let start = start_after.map(Addr::unchecked);
    let accounts = USERS
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .filter(|item| match item {
            Ok((_, user)) => !with_collateral || !user.collateral.is_zero(),
            Err(_) => true,
        })
        .take(page_limit(limit))
        .map(|item| {
            let (addr, user) = item?;
            Ok(AllAccountsResponseItem {
                user: addr.to_string(),
                account: account_response(denom.clone(), &user),
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(AllAccountsResponse { accounts })
}

/// `all_pending_txs_desc {start_after?, limit?}`: newest first, ids below `start_after`.
fn all_pending_txs_desc(
    deps: Deps,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<AllTxsResponse, ContractError> {
    let txs = PENDING_TXS
        .range(
            deps.storage,
            None,
            start_after.map(Bound::exclusive),
            Order::Descending,
        )
        .take(page_limit(limit))
        .map(|item| item.map(|(_, tx)| tx))
        .collect::<StdResult<_>>()?;
    Ok(AllTxsResponse { txs })
}

/// `active_external_staking {}`: every external staker ever used, by address.
fn active_external_staking(deps: Deps) -> Result<AllActiveExternalStakingResponse, ContractError> {
    let contracts = EXTERNAL_STAKERS
        .keys(deps.storage, None, None, Order::Ascending)
        .map(|k| k.map(|a| a.to_string()))
        .collect::<StdResult<_>>()?;
    Ok(AllActiveExternalStakingResponse { contracts })
}
