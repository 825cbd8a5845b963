//! Test fixture: one external staking contract on mock dependencies, driven through its real
//! entry points (execute, query and the `ibc_*` functions with cosmwasm-std's mock IBC helpers).

use cosmwasm_std::testing::{
    message_info, mock_dependencies, mock_env, mock_ibc_channel_connect_ack,
    mock_ibc_channel_open_try, mock_ibc_packet_ack, mock_ibc_packet_recv, mock_ibc_packet_timeout,
    MockApi, MockQuerier, MockStorage,
};
use cosmwasm_std::{
    coin, from_json, to_json_binary, Addr, Coin, CosmosMsg, Decimal, Env, IbcAcknowledgement,
    IbcBasicResponse, IbcMsg, IbcOrder, IbcReceiveResponse, IbcTimeout, OwnedDeps, Response,
    StdAck, Timestamp, Uint128, WasmMsg,
};
use mesh_apis::external_staking::{
    AuthorizedEndpoint, ExecuteMsg, InstantiateMsg, QueryMsg, SlashRatio, StakeResponse,
};
use mesh_apis::ibc::{
    AddValidator, ConsumerPacket, ProtocolVersion, ProviderPacket, ValidatorSlashInfo,
};
use mesh_apis::lienholder::StakeMsg;
use mesh_apis::vault::ExecuteMsg as VaultExecuteMsg;
use mesh_apis::ValueRange;
use serde::de::DeserializeOwned;

use crate::contract::{execute, instantiate, query};
use crate::error::ContractError;
use crate::ibc::{
    ibc_channel_connect, ibc_channel_open, ibc_packet_ack, ibc_packet_receive, ibc_packet_timeout,
};

/// Our end of the channel.
pub const CHANNEL: &str = "channel-0";
/// The connection the mock channel uses (`mock_ibc_channel`).
pub const CONNECTION: &str = "connection-2";
/// The counterparty port the mock channel uses (`mock_ibc_channel`).
pub const CONVERTER_PORT: &str = "their_port";
/// Provider denom.
pub const DENOM: &str = "uosmo";
/// Consumer rewards denom.
pub const REWARDS: &str = "ujuno";
/// 21 days.
pub const UNBONDING: u64 = 21 * 24 * 60 * 60;
/// Provider block time at the start of every test, seconds.
pub const START: u64 = 1_000_000;
/// Packet timeout configured, seconds.
pub const TIMEOUT: u64 = 600;
/// First own tx id (2^63).
pub const OWN: u64 = 1 << 63;

/// Uint128 shorthand.
pub fn u(v: u128) -> Uint128 {
    Uint128::new(v)
}

/// A provider-denom coin.
pub fn osmo(v: u128) -> Coin {
    coin(v, DENOM)
}

/// The supported channel version.
pub fn version() -> String {
    ProtocolVersion::supported().to_channel_version()
}

/// A channel version JSON for `v`.
pub fn version_of(v: &str) -> String {
    format!(r#"{{"protocol":"mesh-security","version":"{v}"}}"#)
}

/// The consumer's time (seconds) at `height`: 5 s blocks, height 100 at [`START`].
pub fn consumer_time(height: u64) -> u64 {
    START - 500 + 5 * height
}

/// A `valset_update` packet, built step by step.
#[derive(Default)]
pub struct Valset {
    height: u64,
    time: u64,
    additions: Vec<AddValidator>,
    removals: Vec<String>,
    jailed: Vec<String>,
    unjailed: Vec<String>,
    tombstoned: Vec<String>,
    slashed: Vec<ValidatorSlashInfo>,
}

impl Valset {
    /// An empty update at consumer `height`, at [`consumer_time`] of it.
    pub fn at(height: u64) -> Self {
        Valset {
            height,
            time: consumer_time(height),
            ..Default::default()
        }
    }
    /// Announce validators (starting at this height).
    pub fn add(mut self, vals: &[&str]) -> Self {
        for v in vals {
            self.additions.push(AddValidator {
                valoper: v.to_string(),
                start_height: self.height,
                start_time: self.time,
            });
        }
        self
    }
    /// Remove validators.
    pub fn remove(mut self, vals: &[&str]) -> Self {
        self.removals.extend(vals.iter().map(|v| v.to_string()));
        self
    }
    /// Jail validators.
    pub fn jail(mut self, vals: &[&str]) -> Self {
        self.jailed.extend(vals.iter().map(|v| v.to_string()));
        self
    }
    /// Unjail validators.
    pub fn unjail(mut self, vals: &[&str]) -> Self {
        self.unjailed.extend(vals.iter().map(|v| v.to_string()));
        self
    }
    /// Tombstone validators.
    pub fn tombstone(mut self, vals: &[&str]) -> Self {
        self.tombstoned.extend(vals.iter().map(|v| v.to_string()));
        self
    }
    /// Report a slash of `amount` (provider units) at `infraction_height`.
    pub fn slash(mut self, val: &str, infraction_height: u64, amount: u128, ratio: &str) -> Self {
        self.slashed.push(ValidatorSlashInfo {
            validator: val.to_string(),
            infraction_height,
            infraction_time: consumer_time(infraction_height),
            power: u(1_000_000),
            slash_amount: u(amount),
            slash_ratio: ratio.parse().unwrap(),
            tombstoned: false,
            provider_amount: None,
        });
        self
    }
    /// The packet.
    pub fn packet(self) -> ConsumerPacket {
        ConsumerPacket::ValsetUpdate {
            height: self.height,
            time: self.time,
            additions: self.additions,
            removals: self.removals,
            updated: vec![],
            jailed: self.jailed,
            unjailed: self.unjailed,
            tombstoned: self.tombstoned,
            slashed: self.slashed,
        }
    }
}

/// One contract on mock dependencies.
pub struct Suite {
    /// Storage, api, querier.
    pub deps: OwnedDeps<MockStorage, MockApi, MockQuerier>,
    /// The env every call gets (time moves with [`Suite::advance`]).
    pub env: Env,
    /// The vault.
    pub vault: Addr,
    /// A user.
    pub alice: Addr,
    /// Another user.
    pub bob: Addr,
}

impl Suite {
    /// Instantiated, no channel yet.
    pub fn new() -> Self {
        let mut deps = mock_dependencies();
        let mut env = mock_env();
        env.block.time = Timestamp::from_seconds(START);
        let vault = deps.api.addr_make("vault");
        let alice = deps.api.addr_make("alice");
        let bob = deps.api.addr_make("bob");
        let creator = deps.api.addr_make("creator");
        instantiate(
            deps.as_mut(),
            env.clone(),
            message_info(&creator, &[]),
            Self::instantiate_msg(vault.as_str()),
        )
        .unwrap();
        Suite {
            deps,
            env,
            vault,
            alice,
            bob,
        }
    }

    /// The instantiate message used by [`Suite::new`].
    pub fn instantiate_msg(vault: &str) -> InstantiateMsg {
        InstantiateMsg {
            denom: DENOM.to_string(),
            rewards_denom: REWARDS.to_string(),
            vault: vault.to_string(),
            unbonding_period: UNBONDING,
            remote_contact: AuthorizedEndpoint {
                connection_id: CONNECTION.to_string(),
                port_id: CONVERTER_PORT.to_string(),
            },
            slash_ratio: SlashRatio {
                double_sign: Decimal::percent(20),
                offline: Decimal::percent(10),
            },
            packet_timeout: Some(TIMEOUT),
        }
    }

    /// Handshake done, validators val1, val2, val3 active since consumer height 100.
    pub fn connected() -> Self {
        let mut s = Self::new();
        s.handshake();
        s.recv(&Valset::at(100).add(&["val1", "val2", "val3"]).packet())
            .unwrap();
        s
    }

    /// OpenTry + ConnectAck on [`CHANNEL`] with the supported version.
    pub fn handshake(&mut self) {
        let open = mock_ibc_channel_open_try(CHANNEL, IbcOrder::Unordered, &version());
        assert_eq!(
            ibc_channel_open(self.deps.as_mut(), self.env.clone(), open).unwrap(),
            None
        );
        let connect = mock_ibc_channel_connect_ack(CHANNEL, IbcOrder::Unordered, &version());
        ibc_channel_connect(self.deps.as_mut(), self.env.clone(), connect).unwrap();
    }

    /// Move time forward.
    pub fn advance(&mut self, secs: u64) {
        self.env.block.time = self.env.block.time.plus_seconds(secs);
        self.env.block.height += secs / 5;
    }

    /// Execute as `sender`.
    pub fn exec(&mut self, sender: &Addr, msg: ExecuteMsg) -> Result<Response, ContractError> {
        execute(
            self.deps.as_mut(),
            self.env.clone(),
            message_info(sender, &[]),
            msg,
        )
    }

    /// Query and decode.
    pub fn query<T: DeserializeOwned>(&self, msg: QueryMsg) -> T {
        from_json(query(self.deps.as_ref(), self.env.clone(), msg).unwrap()).unwrap()
    }

    /// Query expecting an error.
    pub fn query_err(&self, msg: QueryMsg) -> ContractError {
        query(self.deps.as_ref(), self.env.clone(), msg).unwrap_err()
    }

    /// The stake of `user` on `validator`.
    pub fn stake(&self, user: &Addr, validator: &str) -> StakeResponse {
        self.query(QueryMsg::Stake {
            user: user.to_string(),
            validator: validator.to_string(),
        })
    }

    /// The stake range of `user` on `validator`.
    pub fn range(&self, user: &Addr, validator: &str) -> ValueRange {
        self.stake(user, validator).stake
    }

    /// The vault's `receive_virtual_stake` for `user`.
    pub fn receive_stake(
        &mut self,
        user: &Addr,
        validator: &str,
        amount: u128,
        tx_id: u64,
    ) -> Result<Response, ContractError> {
        let vault = self.vault.clone();
        self.exec(
            &vault,
            ExecuteMsg::ReceiveVirtualStake {
                owner: user.to_string(),
                amount: osmo(amount),
                tx_id,
                msg: to_json_binary(&StakeMsg {
                    validator: validator.to_string(),
                })
                .unwrap(),
            },
        )
    }

    /// A stake still in flight: the vault's `receive_virtual_stake` and the packet it sent.
    pub fn receive_stake_packet(
        &mut self,
        user: &Addr,
        validator: &str,
        amount: u128,
        tx_id: u64,
    ) -> ProviderPacket {
        sent_packet(&self.receive_stake(user, validator, amount, tx_id).unwrap())
    }

    /// A stake that the consumer acked: `user` has `amount` settled on `validator`.
    pub fn staked(&mut self, user: &Addr, validator: &str, amount: u128, tx_id: u64) {
        let resp = self.receive_stake(user, validator, amount, tx_id).unwrap();
        let packet = sent_packet(&resp);
        self.ack_ok(&packet);
    }

    /// Unstake as `user`.
    pub fn unstake(
        &mut self,
        user: &Addr,
        validator: &str,
        amount: u128,
    ) -> Result<Response, ContractError> {
        self.exec(
            user,
            ExecuteMsg::Unstake {
                validator: validator.to_string(),
                amount: osmo(amount),
            },
        )
    }

    /// Deliver a consumer packet.
    pub fn recv(&mut self, packet: &ConsumerPacket) -> Result<IbcReceiveResponse, ContractError> {
        let msg = mock_ibc_packet_recv(CHANNEL, packet).unwrap();
        ibc_packet_receive(self.deps.as_mut(), self.env.clone(), msg)
    }

    /// Deliver an ack for a packet we sent.
    pub fn ack(&mut self, packet: &ProviderPacket, ack: StdAck) -> IbcBasicResponse {
        let msg = mock_ibc_packet_ack(CHANNEL, packet, IbcAcknowledgement::new(ack)).unwrap();
        ibc_packet_ack(self.deps.as_mut(), self.env.clone(), msg).unwrap()
    }

    /// Deliver a success ack (`{"result": "e30="}`).
    pub fn ack_ok(&mut self, packet: &ProviderPacket) -> IbcBasicResponse {
        self.ack(
            packet,
            mesh_apis::ibc::ack_success(&mesh_apis::ibc::StakeAck {}).unwrap(),
        )
    }

    /// Deliver an error ack.
    pub fn ack_err(&mut self, packet: &ProviderPacket) -> IbcBasicResponse {
        self.ack(packet, mesh_apis::ibc::ack_fail("consumer refused"))
    }

    /// Deliver a timeout for a packet we sent.
    pub fn timeout(&mut self, packet: &ProviderPacket) -> IbcBasicResponse {
        let msg = mock_ibc_packet_timeout(CHANNEL, packet).unwrap();
        ibc_packet_timeout(self.deps.as_mut(), self.env.clone(), msg).unwrap()
    }

    /// The timeout packets sent now carry.
    pub fn expected_timeout(&self) -> IbcTimeout {
        IbcTimeout::with_timestamp(self.env.block.time.plus_seconds(TIMEOUT))
    }

    /// A `WasmMsg::Execute` to the vault.
    pub fn to_vault(&self, msg: &VaultExecuteMsg) -> CosmosMsg {
        CosmosMsg::Wasm(WasmMsg::Execute {
            contract_addr: self.vault.to_string(),
            msg: to_json_binary(msg).unwrap(),
            funds: vec![],
        })
    }
}

/// The packets a response sends (in order), decoded, with their channel and timeout.
pub fn sent_packets_full<T>(
    msgs: &[cosmwasm_std::SubMsg<T>],
) -> Vec<(String, ProviderPacket, IbcTimeout)> {
    msgs.iter()
        .filter_map(|m| match &m.msg {
            CosmosMsg::Ibc(IbcMsg::SendPacket {
                channel_id,
                data,
                timeout,
            }) => Some((
                channel_id.clone(),
                from_json(data).unwrap(),
                timeout.clone(),
            )),
            _ => None,
        })
        .collect()
}

/// The only packet a response sends.
pub fn sent_packet(resp: &Response) -> ProviderPacket {
    let mut all = sent_packets_full(&resp.messages);
    assert_eq!(all.len(), 1, "expected exactly one packet");
    all.remove(0).1
}

/// A successful unstake ack: the consumer unbonded `unbonded` (`None`: all of it) at consumer
/// height `height`.
pub fn unstake_ack(unbonded: Option<u128>, height: u64) -> StdAck {
    let ack = mesh_apis::ibc::UnstakeAck {
        unbonded: unbonded.map(u),
        height: Some(height),
    };
    StdAck::success(cosmwasm_std::to_json_binary(&ack).unwrap())
}

/// The value of attribute `key` (first occurrence).
pub fn attr(attrs: &[cosmwasm_std::Attribute], key: &str) -> Option<String> {
    attrs.iter().find(|a| a.key == key).map(|a| a.value.clone())
}

/// Every value of attribute `key`.
pub fn attrs(attrs: &[cosmwasm_std::Attribute], key: &str) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.key == key)
        .map(|a| a.value.clone())
        .collect()
}
