//! The fuzzer has teeth: with a deliberately broken variant of one contract, fuzzing finds a
//! violation within 200 seeds of 50 steps and shrinks it to at most 8 steps (the slashing bugs:
//! within 500 seeds of 200 steps, to at most 10 steps). Only failures the broken
//! contract causes count: the seed, and every shrunk candidate, must pass with the real
//! contracts (which have findings of their own, see the fuzz report).
//!
//! The broken variants live here, in test code: each is a plain function returning the
//! contract code, like the real ones in `mesh_actors::contracts`.

use cosmwasm_std::{
    from_json, to_json_binary, Binary, ContractResult, Decimal, Deps, DepsMut, Env,
    IbcAcknowledgement, IbcBasicResponse, IbcPacketAckMsg, IbcPacketReceiveMsg, IbcReceiveResponse,
    MessageInfo, Order, Querier, QuerierResult, QuerierWrapper, QueryRequest, Response, StdAck,
    SystemResult, Uint128, Uint256,
};
use cw_multi_test::ContractWrapper;
use mesh_actors::contracts::{Code, Codes, MeshContract};
use mesh_actors::ibc::{IbcContract, IbcEntryPoints};
use mesh_apis::converter::{ConfigResponse, ConversionResponse, QueryMsg as ConverterQuery};
use mesh_apis::ibc::{ConsumerPacket, ProviderPacket, ValidatorSlashInfo};
use mesh_apis::price_feed::{PriceResponse, QueryMsg as PriceQuery};
use mesh_apis::virtual_stake::{
    BondStatusResponse, VirtualStakeCustomMsg, VirtualStakeCustomQuery, VirtualStakeQuery,
};
use mesh_harness::fuzz::shrink::shrink_where;
use mesh_harness::fuzz::{generate, run_scenario};

/// How far a search may go and how small its case must end.
#[derive(Clone, Copy)]
struct Search {
    /// Body steps of each generated case.
    steps: usize,
    /// Seeds the test may search.
    seeds: u64,
    /// Most body steps a shrunk case may keep.
    max_shrunk: usize,
}

/// The first version's bugs.
const BASIC: Search = Search {
    steps: 50,
    seeds: 200,
    max_shrunk: 8,
};

/// Slashing under faults (issue 12): long runs.
const SLASHING: Search = Search {
    steps: 200,
    seeds: 500,
    max_shrunk: 10,
};

// ---------------------------------------------------------------------------------------------
// Broken variants
// ---------------------------------------------------------------------------------------------

/// The vault's execute, except that `rollback_tx` does nothing.
fn vault_execute_ignoring_rollback(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: mesh_apis::vault::ExecuteMsg,
) -> Result<Response, mesh_vault::ContractError> {
    match msg {
        mesh_apis::vault::ExecuteMsg::RollbackTx { .. } => Ok(Response::new()),
        other => mesh_vault::contract::execute(deps, env, info, other),
    }
}

/// A vault that ignores `rollback_tx`: a stake that failed on the consumer keeps its lien.
fn vault_ignoring_rollback() -> MeshContract {
    use mesh_vault::contract as c;
    Box::new(
        ContractWrapper::new_with_empty(vault_execute_ignoring_rollback, c::instantiate, c::query)
            .with_reply_empty(c::reply),
    )
}

/// External staking's ack handler, except that an error ack of an `unstake` is taken as a
/// success (the unstake is committed although the consumer refused it).
fn ack_committing_failed_unstakes(
    deps: DepsMut,
    env: Env,
    msg: IbcPacketAckMsg,
) -> Result<IbcBasicResponse, mesh_external_staking::ContractError> {
    let is_unstake = matches!(
        from_json::<ProviderPacket>(&msg.original_packet.data),
        Ok(ProviderPacket::Unstake { .. })
    );
    let is_error = matches!(
        from_json::<StdAck>(&msg.acknowledgement.data),
        Ok(StdAck::Error(_))
    );
    let msg = if is_unstake && is_error {
        let ok = StdAck::success(Binary::default());
        IbcPacketAckMsg::new(
            IbcAcknowledgement::new(to_json_binary(&ok).expect("acks serialise")),
            msg.original_packet,
            msg.relayer,
        )
    } else {
        msg
    };
    mesh_external_staking::ibc::ibc_packet_ack(deps, env, msg)
}

/// External staking that commits an unstake on an error ack.
fn external_staking_committing_on_error() -> MeshContract {
    use mesh_external_staking::{contract as c, ibc as i};
    let inner = Box::new(ContractWrapper::new_with_empty(
        c::execute,
        c::instantiate,
        c::query,
    ));
    Box::new(IbcContract::new(
        inner,
        IbcEntryPoints {
            channel_open: i::ibc_channel_open,
            channel_connect: i::ibc_channel_connect,
            channel_close: i::ibc_channel_close,
            packet_receive: i::ibc_packet_receive,
            packet_ack: ack_committing_failed_unstakes,
            packet_timeout: i::ibc_packet_timeout,
        },
    ))
}

/// The converter's query, except that `convert_to_consumer` ignores the discount:
/// `floor(amount × price)`.
fn converter_query_ignoring_discount(
    deps: Deps,
    env: Env,
    msg: ConverterQuery,
) -> Result<Binary, mesh_converter::ContractError> {
    match msg {
        ConverterQuery::ConvertToConsumer { amount } => {
            let raw = mesh_converter::contract::query(deps, env, ConverterQuery::Config {})?;
            let config: ConfigResponse = from_json(&raw)?;
            let price: PriceResponse = deps
                .querier
                .query_wasm_smart(config.price_feed, &PriceQuery::Price {})?;
            Ok(to_json_binary(&ConversionResponse {
                amount: amount.mul_floor(price.native_per_foreign),
            })?)
        }
        other => mesh_converter::contract::query(deps, env, other),
    }
}

/// A converter that ignores the discount when virtual staking converts requests.
fn converter_ignoring_discount() -> MeshContract {
    use mesh_converter::{contract as c, ibc as i};
    let inner = Box::new(
        ContractWrapper::new_with_empty(
            c::execute,
            c::instantiate,
            converter_query_ignoring_discount,
        )
        .with_reply_empty(c::reply),
    );
    Box::new(IbcContract::new(
        inner,
        IbcEntryPoints {
            channel_open: i::ibc_channel_open,
            channel_connect: i::ibc_channel_connect,
            channel_close: i::ibc_channel_close,
            packet_receive: i::ibc_packet_receive,
            packet_ack: i::ibc_packet_ack,
            packet_timeout: i::ibc_packet_timeout,
        },
    ))
}

/// A querier that answers `bond_status` with an effectively infinite cap and passes every
/// other query through.
struct NoCap<'a> {
    inner: &'a dyn Querier,
}

impl Querier for NoCap<'_> {
    fn raw_query(&self, bin_request: &[u8]) -> QuerierResult {
        let result = self.inner.raw_query(bin_request);
        let is_bond_status = matches!(
            from_json::<QueryRequest<VirtualStakeCustomQuery>>(bin_request),
            Ok(QueryRequest::Custom(VirtualStakeCustomQuery::VirtualStake(
                VirtualStakeQuery::BondStatus { .. }
            )))
        );
        match result {
            SystemResult::Ok(ContractResult::Ok(bin)) if is_bond_status => {
                let mut status: BondStatusResponse = from_json(&bin).expect("bond_status answers");
                status.cap.amount = Uint256::from(u128::MAX / 2);
                SystemResult::Ok(ContractResult::Ok(
                    to_json_binary(&status).expect("serialises"),
                ))
            }
            other => other,
        }
    }
}

/// Virtual staking's sudo, except that the epoch sees no max cap.
fn virtual_staking_sudo_ignoring_cap(
    deps: DepsMut<VirtualStakeCustomQuery>,
    env: Env,
    msg: mesh_apis::virtual_staking::SudoMsg,
) -> Result<Response<VirtualStakeCustomMsg>, mesh_virtual_staking::ContractError> {
    let no_cap = NoCap {
        inner: &*deps.querier,
    };
    let deps = DepsMut {
        storage: deps.storage,
        api: deps.api,
        querier: QuerierWrapper::new(&no_cap),
    };
    mesh_virtual_staking::contract::sudo(deps, env, msg)
}

/// Virtual staking that ignores the max cap: it asks the chain to bond every converted request.
fn virtual_staking_ignoring_cap() -> MeshContract {
    use mesh_virtual_staking::contract as c;
    Box::new(
        ContractWrapper::new(c::execute, c::instantiate, c::query)
            .with_sudo(virtual_staking_sudo_ignoring_cap)
            .with_reply(c::reply),
    )
}

/// A consumer packet as external staking would see it after `f` changed a validator-set update.
fn rewrite_valset(
    msg: IbcPacketReceiveMsg,
    f: impl FnOnce(&mut u64, &mut Vec<ValidatorSlashInfo>),
) -> IbcPacketReceiveMsg {
    let Ok(ConsumerPacket::ValsetUpdate {
        mut height,
        time,
        additions,
        removals,
        updated,
        jailed,
        unjailed,
        tombstoned,
        mut slashed,
    }) = from_json::<ConsumerPacket>(&msg.packet.data)
    else {
        return msg;
    };
    f(&mut height, &mut slashed);
    let data = to_json_binary(&ConsumerPacket::ValsetUpdate {
        height,
        time,
        additions,
        removals,
        updated,
        jailed,
        unjailed,
        tombstoned,
        slashed,
    })
    .expect("packets serialise");
    let mut packet = msg.packet;
    packet.data = data;
    IbcPacketReceiveMsg::new(packet, msg.relayer)
}

/// External staking's receive, except that slashes do not cut pending unbonds (their ratio is
/// taken as zero; the stakes are still cut by the amount).
fn receive_not_cutting_unbonds(
    deps: DepsMut,
    env: Env,
    msg: IbcPacketReceiveMsg,
) -> Result<IbcReceiveResponse, mesh_external_staking::ContractError> {
    let msg = rewrite_valset(msg, |_, slashed| {
        for s in slashed {
            s.slash_ratio = Decimal::zero();
        }
    });
    mesh_external_staking::ibc::ibc_packet_receive(deps, env, msg)
}

/// External staking's receive, except that a validator-set update is recorded as the newest
/// state of its validators whatever its height (the history in arrival order).
fn receive_in_arrival_order(
    deps: DepsMut,
    env: Env,
    msg: IbcPacketReceiveMsg,
) -> Result<IbcReceiveResponse, mesh_external_staking::ContractError> {
    use mesh_external_staking::state::VALIDATORS;
    let newest = VALIDATORS
        .range(deps.storage, None, None, Order::Ascending)
        .filter_map(Result::ok)
        .map(|(_, info)| info.since_height)
        .max()
        .unwrap_or_default();
    let msg = rewrite_valset(msg, |height, _| *height = (*height).max(newest + 1));
    mesh_external_staking::ibc::ibc_packet_receive(deps, env, msg)
}

/// External staking with `packet_receive` replaced.
fn external_staking_receiving_with(
    packet_receive: fn(
        DepsMut,
        Env,
        IbcPacketReceiveMsg,
    ) -> Result<IbcReceiveResponse, mesh_external_staking::ContractError>,
) -> MeshContract {
    use mesh_external_staking::{contract as c, ibc as i};
    let inner = Box::new(ContractWrapper::new_with_empty(
        c::execute,
        c::instantiate,
        c::query,
    ));
    Box::new(IbcContract::new(
        inner,
        IbcEntryPoints {
            channel_open: i::ibc_channel_open,
            channel_connect: i::ibc_channel_connect,
            channel_close: i::ibc_channel_close,
            packet_receive,
            packet_ack: i::ibc_packet_ack,
            packet_timeout: i::ibc_packet_timeout,
        },
    ))
}

/// Native staking's sudo, except that it reports only what a slash took from the delegation,
/// not from unbonding entries.
fn native_sudo_delegation_cut_only(
    deps: DepsMut,
    env: Env,
    msg: mesh_apis::native_staking::SudoMsg,
) -> Result<Response, mesh_native_staking::error::ContractError> {
    use mesh_apis::native_staking::SudoMsg;
    let SudoMsg::Jailing {
        jailed,
        tombstoned,
        slashed,
    } = msg;
    let slashed = slashed.map(|list| {
        list.into_iter()
            .map(|mut s| {
                s.amount -= s.unbonding;
                s.unbonding = Uint128::zero();
                s
            })
            .collect()
    });
    mesh_native_staking::contract::sudo(
        deps,
        env,
        SudoMsg::Jailing {
            jailed,
            tombstoned,
            slashed,
        },
    )
}

/// Native staking that reports only the delegation's cut of a provider slash.
fn native_staking_reporting_delegation_cut_only() -> MeshContract {
    use mesh_native_staking::contract as c;
    Box::new(
        ContractWrapper::new_with_empty(c::execute, c::instantiate, c::query)
            .with_reply_empty(c::reply)
            .with_sudo_empty(native_sudo_delegation_cut_only),
    )
}

/// External staking that does not cut pending unbonds when a slash arrives.
fn external_staking_not_cutting_unbonds() -> MeshContract {
    external_staking_receiving_with(receive_not_cutting_unbonds)
}

/// External staking that applies validator-set updates in arrival order.
fn external_staking_in_arrival_order() -> MeshContract {
    external_staking_receiving_with(receive_in_arrival_order)
}

// ---------------------------------------------------------------------------------------------
// The search
// ---------------------------------------------------------------------------------------------

/// Fuzz the search's seeds with `codes`; the first seed that breaks an invariant while the real
/// contracts pass it is shrunk (keeping only candidates the real contracts pass) and must end
/// with at most the search's body steps, still failing, with a replayable regression fixture.
/// Returns the broken invariant.
fn finds_and_shrinks(codes: Codes, search: Search) -> &'static str {
    let (codes, real) = (&codes, &Codes::default());
    for seed in 0..search.seeds {
        let case = generate(seed, search.steps);
        let run = run_scenario(&case.scenario(), codes);
        let Some(violation) = run.violation.clone() else {
            continue;
        };
        if run_scenario(&case.scenario(), real).violation.is_some() {
            continue;
        }
        let real_passes =
            |r: &mesh_harness::fuzz::CaseRun| run_scenario(&r.scenario, real).violation.is_none();
        let shrunk = shrink_where(case, run, codes, 300, &real_passes);
        let steps = shrunk.case.body.len();
        assert!(
            steps <= search.max_shrunk,
            "seed {seed}: {violation} shrunk only to {steps} steps: {:#?}",
            shrunk.case.body
        );
        let again = run_scenario(&shrunk.case.scenario(), codes);
        assert_eq!(
            again.violation.as_ref().map(|v| v.invariant),
            Some(violation.invariant)
        );
        let fixture = mesh_harness::fuzz::campaign::regression_fixture(seed, search.steps, &again);
        assert_eq!(
            mesh_harness::fuzz::campaign::replay(&fixture, codes).map(|v| v.invariant),
            Some(violation.invariant),
            "the fixture replays the failure"
        );
        assert_eq!(
            mesh_harness::fuzz::campaign::replay(&fixture, real),
            None,
            "the fixture passes with the real contracts"
        );
        eprintln!(
            "seed {seed}: {violation}; shrunk in {} runs to {steps} steps:\n{}",
            shrunk.runs,
            mesh_harness::scenario::to_json_pretty(&fixture)
        );
        return violation.invariant;
    }
    panic!("no violation within {} seeds", search.seeds);
}

/// A vault that ignores `rollback_tx` leaves a pending tx (and its lien) after a failed stake:
/// nothing settles.
#[test]
fn finds_a_vault_that_ignores_rollback() {
    let codes = Codes {
        vault: Code::Native(vault_ignoring_rollback),
        ..Codes::default()
    };
    let invariant = finds_and_shrinks(codes, BASIC);
    assert!(
        ["pending", "settled", "vault"].contains(&invariant),
        "{invariant}"
    );
}

/// External staking that commits an unstake the consumer refused: the provider's stake and the
/// consumer's request disagree once settled.
#[test]
fn finds_external_staking_committing_an_unstake_on_an_error_ack() {
    let codes = Codes {
        external_staking: Code::Native(external_staking_committing_on_error),
        ..Codes::default()
    };
    let invariant = finds_and_shrinks(codes, BASIC);
    assert!(
        ["settled", "vault", "conservation"].contains(&invariant),
        "{invariant}"
    );
}

/// A converter that ignores the discount: after an epoch, virtual delegations exceed the
/// converted requests.
#[test]
fn finds_a_converter_that_ignores_the_discount() {
    let codes = Codes {
        converter: Code::Native(converter_ignoring_discount),
        ..Codes::default()
    };
    assert_eq!(finds_and_shrinks(codes, BASIC), "conversion");
}

/// Virtual staking that ignores the max cap: after an epoch, delegations are not the capped
/// conversion.
#[test]
fn finds_virtual_staking_that_ignores_the_max_cap() {
    let codes = Codes {
        virtual_staking: Code::Native(virtual_staking_ignoring_cap),
        ..Codes::default()
    };
    assert_eq!(finds_and_shrinks(codes, BASIC), "conversion");
}

/// External staking that does not cut pending unbonds: unstaking just before a slash escapes it.
#[test]
fn finds_external_staking_that_does_not_cut_pending_unbonds() {
    let codes = Codes {
        external_staking: Code::Native(external_staking_not_cutting_unbonds),
        ..Codes::default()
    };
    assert_eq!(finds_and_shrinks(codes, SLASHING), "escaped_slash");
}

/// Native staking that reports only the delegation's cut of a provider slash: the tokens a
/// slash took from an unbonding entry keep a lien no token backs.
#[test]
fn finds_native_staking_reporting_only_the_delegation_cut() {
    let codes = Codes {
        native_staking: Code::Native(native_staking_reporting_delegation_cut_only),
        ..Codes::default()
    };
    let invariant = finds_and_shrinks(codes, SLASHING);
    assert!(["backing", "drain"].contains(&invariant), "{invariant}");
}

/// A provider that records validator-set updates in arrival order: a late jail overrides the
/// unjail that overtook it, and a later slash is ignored.
#[test]
fn finds_a_provider_applying_valset_updates_in_arrival_order() {
    let codes = Codes {
        external_staking: Code::Native(external_staking_in_arrival_order),
        ..Codes::default()
    };
    let invariant = finds_and_shrinks(codes, SLASHING);
    assert!(
        ["settled", "escaped_slash", "drain"].contains(&invariant),
        "{invariant}"
    );
}

/// A campaign's finding reaches its `--json` summary and its JUnit report: a failed test case
/// for the seed, with the invariant, the step and the values, and the passing case for the
/// other seeds.
#[test]
fn a_finding_becomes_a_failed_junit_case() {
    use mesh_harness::fuzz::campaign::{self, Campaign};
    use mesh_harness::fuzz::merge::SummaryFile;
    let c = Campaign {
        seeds: 0..BASIC.seeds,
        codes: Codes {
            converter: Code::Native(converter_ignoring_discount),
            ..Codes::default()
        },
        shrink_budget: 20,
        stop_after: Some(1),
        ..Campaign::default()
    };
    let summary = campaign::run(&c, |_| {});
    let finding = summary.findings.first().expect("a finding");
    // Two whole re-runs agree with each other and with the campaign's lean run.
    assert!(finding.deterministic, "the finding did not replay the same");
    assert!(
        finding.replays,
        "the regression fixture does not replay the finding"
    );
    let file = SummaryFile::new(&c, &summary);
    assert_eq!(file.violations.len(), 1);
    assert_eq!(file.violations[0].seed, finding.seed);
    let xml = mesh_harness::junit::fuzz_report(&mesh_harness::junit::FuzzResults::shard(
        &file,
        summary.elapsed,
        summary.text(),
    ));
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("valid JUnit XML");
    assert_eq!((report.tests, report.failures), (2, 1));
    let case = &report.test_suites[0].test_cases[0];
    assert_eq!(case.name.as_str(), format!("seed {}", finding.seed));
    let quick_junit::TestCaseStatus::NonSuccess { message, .. } = &case.status else {
        panic!("a failed case: {xml}")
    };
    assert_eq!(
        message.as_ref().map(|m| m.as_str().to_owned()),
        Some(format!(
            "invariant {} broken at step {}: {}",
            finding.violation.invariant, finding.failed_step, finding.violation.detail
        ))
    );
}

/// `jobs` runs seeds side by side without changing anything a campaign outputs: with two
/// threads, the same summary (timing aside), the same findings in the same order, and the same
/// regression files byte for byte as with one, up to the same `stop_after`.
#[test]
fn two_jobs_find_and_write_exactly_what_one_does() {
    use mesh_harness::fuzz::campaign::{self, Campaign};
    use mesh_harness::fuzz::merge::SummaryFile;
    let dir = std::env::temp_dir().join(format!("mesh-harness-jobs-{}", std::process::id()));
    let campaign = |jobs: usize| {
        // The same directory for both (the summary names the files), emptied before each.
        let out = dir.join("regressions");
        let _ = std::fs::remove_dir_all(&out);
        let c = Campaign {
            seeds: 0..BASIC.seeds,
            codes: Codes {
                converter: Code::Native(converter_ignoring_discount),
                ..Codes::default()
            },
            shrink_budget: 20,
            stop_after: Some(2),
            out: Some(out.clone()),
            jobs,
            ..Campaign::default()
        };
        let summary = campaign::run(&c, |_| {});
        let mut json = serde_json::to_value(SummaryFile::new(&c, &summary)).unwrap();
        let map = json.as_object_mut().unwrap();
        map.remove("seconds");
        map.remove("runs_per_second");
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&path).unwrap())
            })
            .collect();
        files.sort();
        (json, files)
    };
    let (one, one_files) = campaign(1);
    let (two, two_files) = campaign(2);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(one["violations"].as_array().unwrap().len(), 2, "{one}");
    assert_eq!(one_files.len(), 2);
    assert_eq!(one, two);
    assert_eq!(one_files, two_files);
}
