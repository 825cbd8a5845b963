//! Instantiation and queries: config, max_slash, pagination (default 10, max 30), pending txs
//! newest first.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
use cosmwasm_std::Decimal;
use mesh_apis::external_staking::{
    ConfigResponse, ListActiveValidatorsResponse, ListValidatorsResponse, QueryMsg, SlashRatio,
    StakesResponse,
};
use mesh_apis::lienholder::MaxSlashResponse;
use mesh_apis::tx::AllTxsResponse;

use super::setup::*;
use crate::contract::instantiate;
use crate::error::ContractError;

/// config and max_slash report the instantiation values.
#[test]
fn config_and_max_slash() {
    let s = Suite::new();
    let cfg: ConfigResponse = s.query(QueryMsg::Config {});
    assert_eq!(
        cfg,
        ConfigResponse {
            denom: DENOM.to_string(),
            rewards_denom: REWARDS.to_string(),
            vault: s.vault.to_string(),
            unbonding_period: UNBONDING,
            slash_ratio: SlashRatio {
                double_sign: Decimal::percent(20),
                offline: Decimal::percent(10)
            },
            packet_timeout: TIMEOUT,
        }
    );
    let ms: MaxSlashResponse = s.query(QueryMsg::MaxSlash {});
    assert_eq!(
        ms,
        MaxSlashResponse {
            slash_ratio_dsign: Decimal::percent(20),
            slash_ratio_offline: Decimal::percent(10)
        }
    );
}

/// The packet timeout defaults to 600 s; ratios above 1, a zero timeout and a bad vault are refused.
#[test]
fn instantiate_defaults_and_errors() {
    let mut deps = mock_dependencies();
    let creator = deps.api.addr_make("creator");
    let vault = deps.api.addr_make("vault");
    let mut msg = Suite::instantiate_msg(vault.as_str());
    msg.packet_timeout = None;
    instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&creator, &[]),
        msg.clone(),
    )
    .unwrap();
    let cfg: ConfigResponse = cosmwasm_std::from_json(
        crate::contract::query(deps.as_ref(), mock_env(), QueryMsg::Config {}).unwrap(),
    )
    .unwrap();
    assert_eq!(cfg.packet_timeout, 600);

    let mut bad = msg.clone();
    bad.slash_ratio.double_sign = Decimal::percent(101);
    let err = instantiate(deps.as_mut(), mock_env(), message_info(&creator, &[]), bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid slash ratio 1.01: must be at most 1"
    );
    let mut bad = msg.clone();
    bad.packet_timeout = Some(0);
    let err = instantiate(deps.as_mut(), mock_env(), message_info(&creator, &[]), bad).unwrap_err();
    assert!(matches!(err, ContractError::ZeroPacketTimeout));
    let mut bad = msg;
    bad.vault = "Not A Valid Address".to_string();
    let err = instantiate(deps.as_mut(), mock_env(), message_info(&creator, &[]), bad).unwrap_err();
    assert!(matches!(err, ContractError::Std(_)));
}

/// Validator lists page by name: default 10, at most 30, start_after exclusive; the active list
/// skips inactive validators.
#[test]
fn validator_pagination() {
    let mut s = Suite::new();
    s.handshake();
    let names: Vec<String> = (0..35).map(|i| format!("val{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    s.recv(&Valset::at(100).add(&refs).packet()).unwrap();
    s.recv(&Valset::at(101).jail(&["val01"]).packet()).unwrap();
    let all = |start_after: Option<&str>, limit| -> ListValidatorsResponse {
        s.query(QueryMsg::ListValidators {
            start_after: start_after.map(str::to_string),
            limit,
        })
    };
    assert_eq!(all(None, None).validators.len(), 10);
    assert_eq!(all(None, Some(100)).validators.len(), 30);
    let page = all(Some("val30"), Some(100)).validators;
    assert_eq!(
        page.iter()
            .map(|v| v.validator.as_str())
            .collect::<Vec<_>>(),
        vec!["val31", "val32", "val33", "val34"]
    );
    let active: ListActiveValidatorsResponse = s.query(QueryMsg::ListActiveValidators {
        start_after: None,
        limit: Some(3),
    });
    assert_eq!(active.validators, vec!["val00", "val02", "val03"]);
}

/// Stakes page by validator; pending txs come newest first (own ids above vault ids).
#[test]
fn stakes_and_pending_txs_pagination() {
    let mut s = Suite::connected();
    let alice = s.alice.clone();
    s.staked(&alice, "val1", 10, 1);
    s.staked(&alice, "val2", 20, 2);
    s.receive_stake(&alice, "val3", 30, 7).unwrap();
    s.unstake(&alice, "val1", 5).unwrap();
    s.unstake(&alice, "val2", 5).unwrap();
    let stakes: StakesResponse = s.query(QueryMsg::Stakes {
        user: alice.to_string(),
        start_after: Some("val1".to_string()),
        limit: Some(1),
    });
    assert_eq!(stakes.stakes.len(), 1);
    assert_eq!(stakes.stakes[0].validator, "val2");
    let txs: AllTxsResponse = s.query(QueryMsg::AllPendingTxsDesc {
        start_after: None,
        limit: None,
    });
    assert_eq!(
        txs.txs.iter().map(|t| t.tx_id()).collect::<Vec<_>>(),
        vec![OWN + 1, OWN, 7]
    );
    let txs: AllTxsResponse = s.query(QueryMsg::AllPendingTxsDesc {
        start_after: Some(OWN),
        limit: Some(5),
    });
    assert_eq!(
        txs.txs.iter().map(|t| t.tx_id()).collect::<Vec<_>>(),
        vec![7]
    );
}
