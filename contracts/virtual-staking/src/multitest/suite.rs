//! The test consumer chain: price feed, converter (with its IBC entry points behind a test sudo
//! envelope) and virtual staking on a cw-multi-test App with [`TestMesh`] and [`RecordingIbc`].

use cosmwasm_schema::cw_serde;
use cosmwasm_std::testing::{
    mock_env, mock_ibc_channel, mock_ibc_packet_recv, MockApi, MockStorage,
};
use cosmwasm_std::{
    from_json, Addr, Coin, Decimal, Decimal256, DepsMut, Env, IbcBasicResponse, IbcChannel,
    IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcOrder, IbcPacket,
    IbcPacketReceiveMsg, IbcPacketTimeoutMsg, Response, StdAck, StdResult, Uint128, Validator,
};
use cw_multi_test::{
    App, AppResponse, BankKeeper, BasicAppBuilder, Contract, ContractWrapper, DistributionKeeper,
    Executor, GovFailingModule, StakeKeeper, StakingInfo, StargateFailing, WasmKeeper,
};
use mesh_apis::converter::{
    ConfigResponse as ConverterConfig, ExecuteMsg as ConverterMsg, InstantiateMsg as ConverterInit,
    QueryMsg as ConverterQuery,
};
use mesh_apis::ibc::{ProtocolVersion, ProviderPacket};
use mesh_apis::price_feed::{ExecuteMsg as PriceMsg, InstantiateMsg as PriceInit};
use mesh_converter::error::ContractError as ConverterError;
use mesh_converter::ibc as converter_ibc;

use super::ibc_module::{RecordingIbc, Sent};
use super::mesh_module::{TestMesh, DENOM};
use crate::msg::{
    ConfigResponse, ExecuteMsg, QueryMsg, RequestsResponse, SudoMsg, ValidatorRequest,
    VirtualStakeCustomMsg, VirtualStakeCustomQuery,
};

/// The provider's denom.
pub const REMOTE: &str = "uosmo";
/// The channel the converter opens.
pub const CHANNEL: &str = "channel-0";
/// Seconds in the test chain's reward year.
pub const YEAR: u64 = 60 * 60 * 24 * 365;
/// Validators of the test chain (commission 0, so rewards are exact).
pub const VALIDATORS: [&str; 3] = ["val1", "val2", "val3"];

/// The test App.
pub type MeshApp = App<
    BankKeeper,
    MockApi,
    MockStorage,
    TestMesh,
    WasmKeeper<VirtualStakeCustomMsg, VirtualStakeCustomQuery>,
    StakeKeeper,
    DistributionKeeper,
    RecordingIbc,
    GovFailingModule,
    StargateFailing,
>;

/// What the test relayer hands the converter (the actor runtime does the same with its own
/// envelope): a handshake, a packet, a timeout, a close.
#[cw_serde]
pub enum IbcEnvelope {
    /// OpenInit then OpenAck.
    Connect {
        /// The channel.
        channel: IbcChannel,
    },
    /// A provider packet; the ack comes back as the response data.
    Receive {
        /// The packet.
        packet: IbcPacket,
    },
    /// One of the converter's packets timed out.
    Timeout {
        /// The packet.
        packet: IbcPacket,
    },
    /// The channel closed.
    Close {
        /// The channel.
        channel: IbcChannel,
    },
}

fn basic(res: IbcBasicResponse) -> Response {
    Response::new()
        .add_submessages(res.messages)
        .add_attributes(res.attributes)
        .add_events(res.events)
}

fn converter_ibc_sudo(
    mut deps: DepsMut,
    env: Env,
    msg: IbcEnvelope,
) -> Result<Response, ConverterError> {
    match msg {
        IbcEnvelope::Connect { channel } => {
            let version = channel.version.clone();
            converter_ibc::ibc_channel_open(
                deps.branch(),
                env.clone(),
                IbcChannelOpenMsg::new_init(channel.clone()),
            )?;
            Ok(basic(converter_ibc::ibc_channel_connect(
                deps,
                env,
                IbcChannelConnectMsg::new_ack(channel, version),
            )?))
        }
        IbcEnvelope::Receive { packet } => {
            let msg = IbcPacketReceiveMsg::new(packet, Addr::unchecked("relayer"));
            let res = converter_ibc::ibc_packet_receive(deps, env, msg)?;
            let mut response = Response::new()
                .add_submessages(res.messages)
                .add_attributes(res.attributes)
                .add_events(res.events);
            if let Some(ack) = res.acknowledgement {
                response = response.set_data(ack);
            }
            Ok(response)
        }
        IbcEnvelope::Timeout { packet } => Ok(basic(converter_ibc::ibc_packet_timeout(
            deps,
            env,
            IbcPacketTimeoutMsg::new(packet, Addr::unchecked("relayer")),
        )?)),
        IbcEnvelope::Close { channel } => Ok(basic(converter_ibc::ibc_channel_close(
            deps,
            env,
            IbcChannelCloseMsg::new_confirm(channel),
        )?)),
    }
}

fn price_feed_code() -> Box<dyn Contract<VirtualStakeCustomMsg, VirtualStakeCustomQuery>> {
    Box::new(ContractWrapper::new_with_empty(
        mesh_price_feed::contract::execute,
        mesh_price_feed::contract::instantiate,
        mesh_price_feed::contract::query,
    ))
}

fn converter_code() -> Box<dyn Contract<VirtualStakeCustomMsg, VirtualStakeCustomQuery>> {
    Box::new(
        ContractWrapper::new_with_empty(
            mesh_converter::contract::execute,
            mesh_converter::contract::instantiate,
            mesh_converter::contract::query,
        )
        .with_reply_empty(mesh_converter::contract::reply)
        .with_sudo_empty(converter_ibc_sudo),
    )
}

fn virtual_staking_code() -> Box<dyn Contract<VirtualStakeCustomMsg, VirtualStakeCustomQuery>> {
    Box::new(
        ContractWrapper::new(
            crate::contract::execute,
            crate::contract::instantiate,
            crate::contract::query,
        )
        .with_sudo(crate::contract::sudo)
        .with_reply(crate::contract::reply),
    )
}

/// The consumer chain with its three contracts, the channel connected.
pub struct Suite {
    /// The chain.
    pub app: MeshApp,
    /// The price feed (owner: `oracle`).
    pub price_feed: Addr,
    /// The converter.
    pub converter: Addr,
    /// Virtual staking.
    pub virtual_staking: Addr,
    /// The price feed's owner.
    pub oracle: Addr,
}

impl Suite {
    /// Price 0.5, discount 0.1, max cap 1,000,000,000.
    pub fn new() -> Self {
        Self::with(Decimal::percent(50), Decimal::percent(10), 1_000_000_000)
    }

    /// A chain with the given price, discount and max cap.
    pub fn with(price: Decimal, discount: Decimal, cap: u128) -> Self {
        Self::build(price, discount, cap, 50)
    }

    /// A chain with the given price, discount, max cap and `max_retrieve`.
    pub fn build(price: Decimal, discount: Decimal, cap: u128, max_retrieve: u16) -> Self {
        let block = mock_env().block;
        let mut app =
            BasicAppBuilder::<VirtualStakeCustomMsg, VirtualStakeCustomQuery>::new_custom()
                .with_custom(TestMesh)
                .with_ibc(RecordingIbc)
                .build(|router, api, storage| {
                    router
                        .staking
                        .setup(
                            storage,
                            StakingInfo {
                                bonded_denom: DENOM.to_string(),
                                unbonding_time: 10 * YEAR,
                                apr: Decimal256::percent(10),
                            },
                        )
                        .unwrap();
                    for v in VALIDATORS {
                        router
                            .staking
                            .add_validator(
                                api,
                                storage,
                                &block,
                                Validator::create(
                                    v.to_string(),
                                    Decimal::zero(),
                                    Decimal::one(),
                                    Decimal::one(),
                                ),
                            )
                            .unwrap();
                    }
                });
        let price_feed_id = app.store_code(price_feed_code());
        let converter_id = app.store_code(converter_code());
        let virtual_staking_id = app.store_code(virtual_staking_code());
        let oracle = app.api().addr_make("oracle");
        let deployer = app.api().addr_make("deployer");
        let price_feed = app
            .instantiate_contract(
                price_feed_id,
                oracle.clone(),
                &PriceInit {
                    native_per_foreign: price,
                    owner: None,
                },
                &[],
                "price feed",
                None,
            )
            .unwrap();
        let converter = app
            .instantiate_contract(
                converter_id,
                deployer,
                &ConverterInit {
                    price_feed: price_feed.to_string(),
                    discount,
                    remote_denom: REMOTE.to_string(),
                    virtual_staking_code_id: virtual_staking_id,
                    admin: None,
                    max_retrieve,
                },
                &[],
                "converter",
                None,
            )
            .unwrap();
        let config: ConverterConfig = app
            .wrap()
            .query_wasm_smart(&converter, &ConverterQuery::Config {})
            .unwrap();
        let virtual_staking = Addr::unchecked(config.virtual_staking);
        app.init_modules(|router, _, storage| {
            router.custom.set_cap(storage, &virtual_staking, cap)
        });
        let mut suite = Suite {
            app,
            price_feed,
            converter,
            virtual_staking,
            oracle,
        };
        let version = ProtocolVersion::supported().to_channel_version();
        suite
            .app
            .wasm_sudo(
                suite.converter.clone(),
                &IbcEnvelope::Connect {
                    channel: mock_ibc_channel(CHANNEL, IbcOrder::Unordered, &version),
                },
            )
            .unwrap();
        suite
    }

    /// Relay a provider packet to the converter; the ack is checked to be a success.
    pub fn receive(&mut self, packet: &ProviderPacket) -> StdResult<AppResponse> {
        let msg = mock_ibc_packet_recv(CHANNEL, packet).unwrap();
        let res = self.app.wasm_sudo(
            self.converter.clone(),
            &IbcEnvelope::Receive { packet: msg.packet },
        )?;
        let ack: StdAck = from_json(res.data.as_ref().expect("an ack")).unwrap();
        assert!(ack.is_success(), "{ack:?}");
        Ok(res)
    }

    /// A `stake` packet.
    pub fn stake(
        &mut self,
        delegator: &str,
        validator: &str,
        amount: u128,
    ) -> StdResult<AppResponse> {
        self.receive(&ProviderPacket::Stake {
            delegator: delegator.to_string(),
            validator: validator.to_string(),
            stake: Coin::new(amount, REMOTE),
            tx_id: 1,
        })
    }

    /// An `unstake` packet.
    pub fn unstake(
        &mut self,
        delegator: &str,
        validator: &str,
        amount: u128,
    ) -> StdResult<AppResponse> {
        self.receive(&ProviderPacket::Unstake {
            delegator: delegator.to_string(),
            validator: validator.to_string(),
            unstake: Coin::new(amount, REMOTE),
            tx_id: 2,
        })
    }

    /// A `burn` packet.
    pub fn burn(&mut self, validators: &[&str], amount: u128) -> StdResult<AppResponse> {
        self.receive(&ProviderPacket::Burn {
            validators: validators.iter().map(|v| v.to_string()).collect(),
            burn: Coin::new(amount, REMOTE),
        })
    }

    /// The chain calls `handle_epoch`.
    pub fn epoch(&mut self) -> StdResult<AppResponse> {
        self.app
            .wasm_sudo(self.virtual_staking.clone(), &SudoMsg::HandleEpoch {})
    }

    /// The oracle sets the price.
    pub fn set_price(&mut self, price: Decimal) {
        self.app
            .execute_contract(
                self.oracle.clone(),
                self.price_feed.clone(),
                &PriceMsg::UpdatePrice {
                    native_per_foreign: price,
                },
                &[],
            )
            .unwrap();
    }

    /// Governance sets the max cap.
    pub fn set_cap(&mut self, cap: u128) {
        let vs = self.virtual_staking.clone();
        self.app
            .init_modules(|router, _, storage| router.custom.set_cap(storage, &vs, cap));
    }

    /// Execute on virtual staking as the converter.
    pub fn as_converter(&mut self, msg: &ExecuteMsg) -> StdResult<AppResponse> {
        self.app.execute_contract(
            self.converter.clone(),
            self.virtual_staking.clone(),
            msg,
            &[],
        )
    }

    /// Execute on the converter as virtual staking.
    pub fn converter_as_vs(
        &mut self,
        msg: &ConverterMsg,
        funds: &[Coin],
    ) -> StdResult<AppResponse> {
        self.app.execute_contract(
            self.virtual_staking.clone(),
            self.converter.clone(),
            msg,
            funds,
        )
    }

    /// Virtual staking's config.
    pub fn config(&self) -> ConfigResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.virtual_staking, &QueryMsg::Config {})
            .unwrap()
    }

    /// A page of requests.
    pub fn requests_page(
        &self,
        start_after: Option<&str>,
        limit: Option<u32>,
    ) -> Vec<ValidatorRequest> {
        let res: RequestsResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.virtual_staking,
                &QueryMsg::Requests {
                    start_after: start_after.map(str::to_string),
                    limit,
                },
            )
            .unwrap();
        res.requests
    }

    /// All requests as (validator, provider, consumer).
    pub fn requests(&self) -> Vec<(String, u128, u128)> {
        self.requests_page(None, Some(30))
            .into_iter()
            .map(|r| {
                (
                    r.validator,
                    r.provider_amount.u128(),
                    r.consumer_amount.u128(),
                )
            })
            .collect()
    }

    /// The chain's delegations of virtual staking.
    pub fn delegations(&self) -> Vec<(String, u128)> {
        let vs = self.virtual_staking.clone();
        self.app
            .read_module(|router, _, storage| router.custom.delegations(storage, &vs))
    }

    /// Every packet the converter sent.
    pub fn sent(&self) -> Vec<Sent> {
        self.app
            .read_module(|router, _, storage| router.ibc.sent(storage))
    }

    /// A balance in the consumer denom.
    pub fn balance(&self, addr: &Addr) -> u128 {
        Uint128::try_from(self.app.wrap().query_balance(addr, DENOM).unwrap().amount)
            .unwrap()
            .u128()
    }

    /// Move the chain on by `seconds`.
    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds / 5;
        });
    }
}
