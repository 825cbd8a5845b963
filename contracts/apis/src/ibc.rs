//! The IBC control channel between external staking (provider) and the converter (consumer):
//! packets in both directions, acks, timeouts and version negotiation (docs/system.md ("The channel")).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    to_json_binary, Coin, Decimal, IbcChannel, IbcOrder, StdAck, StdResult, Uint128,
};
use thiserror::Error;

/// The protocol name in the channel version.
pub const PROTOCOL_NAME: &str = "mesh-security";
/// The protocol version this code speaks.
pub const SUPPORTED_IBC_PROTOCOL_VERSION: &str = "0.11.0";
/// The oldest protocol version this code accepts.
pub const MIN_IBC_PROTOCOL_VERSION: &str = "0.11.0";

/// Timeout of the converter's `valset_update` packets, seconds (24 h).
pub const VALSET_PACKET_TIMEOUT_SECS: u64 = 24 * 60 * 60;
/// Timeout of the converter's `distribute_batch` and `internal_unstake` packets, seconds (1 h).
pub const CONSUMER_PACKET_TIMEOUT_SECS: u64 = 60 * 60;

/// The channel version: `{"protocol":"mesh-security","version":"0.11.0"}`.
#[cw_serde]
pub struct ProtocolVersion {
    /// Always [`PROTOCOL_NAME`].
    pub protocol: String,
    /// Semantic version.
    pub version: String,
}

/// Why a channel handshake was refused.
#[derive(Error, Debug, PartialEq, Eq)]
pub enum VersionError {
    /// The version string is not our JSON.
    #[error("invalid channel version {0:?}: expected {{\"protocol\":\"mesh-security\",\"version\":\"x.y.z\"}}")]
    Invalid(String),
    /// Another protocol.
    #[error("wrong protocol {0:?}: expected \"mesh-security\"")]
    WrongProtocol(String),
    /// Older than [`MIN_IBC_PROTOCOL_VERSION`].
    #[error("protocol version {0} is older than the minimum {MIN_IBC_PROTOCOL_VERSION}")]
    TooOld(String),
    /// A newer major version than we speak.
    #[error(
        "protocol version {0} has a newer major version than {SUPPORTED_IBC_PROTOCOL_VERSION}"
    )]
    NewerMajor(String),
    /// The channel must be unordered.
    #[error("the mesh-security channel must be unordered")]
    Ordered,
}

impl ProtocolVersion {
    /// The version this code proposes.
    pub fn supported() -> Self {
        ProtocolVersion {
            protocol: PROTOCOL_NAME.to_string(),
            version: SUPPORTED_IBC_PROTOCOL_VERSION.to_string(),
        }
    }

    /// Its JSON string, as put in the channel's `version` field.
    pub fn to_channel_version(&self) -> String {
        cosmwasm_std::to_json_string(self).expect("serialising a version cannot fail")
    }

    /// Parse a channel `version` field.
    pub fn parse(version: &str) -> Result<Self, VersionError> {
        let v: ProtocolVersion = cosmwasm_std::from_json(version)
            .map_err(|_| VersionError::Invalid(version.to_string()))?;
        if v.protocol != PROTOCOL_NAME {
            return Err(VersionError::WrongProtocol(v.protocol));
        }
        semver::Version::parse(&v.version)
            .map_err(|_| VersionError::Invalid(version.to_string()))?;
        Ok(v)
    }

    /// Check a counterparty's version and answer with the lower of it and ours.
    pub fn negotiate(proposed: &str) -> Result<ProtocolVersion, VersionError> {
        let theirs = Self::parse(proposed)?;
        let their_v = semver::Version::parse(&theirs.version).expect("checked by parse");
        let ours = semver::Version::parse(SUPPORTED_IBC_PROTOCOL_VERSION).expect("constant");
        let min = semver::Version::parse(MIN_IBC_PROTOCOL_VERSION).expect("constant");
        if their_v < min {
            return Err(VersionError::TooOld(theirs.version));
        }
        if their_v.major > ours.major {
            return Err(VersionError::NewerMajor(theirs.version));
        }
        Ok(if their_v < ours {
            theirs
        } else {
            Self::supported()
        })
    }
}

/// Check a channel's order and version as seen in a handshake step.
pub fn validate_channel(channel: &IbcChannel) -> Result<ProtocolVersion, VersionError> {
    if channel.order != IbcOrder::Unordered {
        return Err(VersionError::Ordered);
    }
    ProtocolVersion::negotiate(&channel.version)
}

/// A validator announced by the consumer.
#[cw_serde]
pub struct AddValidator {
    /// Validator operator address (its name in the harness).
    pub valoper: String,
    /// Consumer height at which it joined.
    pub start_height: u64,
    /// Consumer time (seconds) at which it joined.
    pub start_time: u64,
}

/// A slash on a consumer validator.
#[cw_serde]
pub struct ValidatorSlashInfo {
    /// The validator.
    pub validator: String,
    /// Consumer height of the infraction.
    pub infraction_height: u64,
    /// Consumer time (seconds) of the infraction.
    pub infraction_time: u64,
    /// The consensus power (tokens / 1,000,000) the chain measured the slash on.
    pub power: Uint128,
    /// Slashed amount: this system's share, consumer units from the chain,
    /// provider units in the packet (the converter converts it).
    pub slash_amount: Uint128,
    /// The chain's slash fraction.
    pub slash_ratio: Decimal,
    /// True for a double-sign (tombstoning) slash.
    pub tombstoned: bool,
    /// Set by virtual staking on what it forwards to the converter: what it cut from its
    /// requests on the validator for this slash, in provider units (the converted
    /// `slash_amount`, or less when the requests held less). The converter sends it as the
    /// packet's `slash_amount`, so the provider cuts exactly what the consumer did. Never in a
    /// packet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_amount: Option<Uint128>,
}

/// Rewards of one validator in a batch.
#[cw_serde]
pub struct RewardInfo {
    /// The validator.
    pub validator: String,
    /// Rewards amount.
    pub reward: Uint128,
}

/// Packets the provider (external staking) sends.
#[cw_serde]
pub enum ProviderPacket {
    /// Stake on a consumer validator (provider units).
    Stake {
        /// The provider user.
        delegator: String,
        /// The validator.
        validator: String,
        /// Provider denom and amount.
        stake: Coin,
        /// External staking's tx id (the vault's).
        tx_id: u64,
    },
    /// Unstake from a consumer validator (provider units).
    Unstake {
        /// The provider user.
        delegator: String,
        /// The validator.
        validator: String,
        /// Provider denom and amount.
        unstake: Coin,
        /// External staking's tx id.
        tx_id: u64,
    },
    /// Burn stake after a slash on the provider (provider units).
    Burn {
        /// Validators to burn from.
        validators: Vec<String>,
        /// Provider denom and amount.
        burn: Coin,
    },
    /// Pay rewards to a consumer account.
    TransferRewards {
        /// Consumer denom and amount.
        rewards: Coin,
        /// The consumer address.
        recipient: String,
        /// External staking's tx id.
        tx_id: u64,
    },
}

/// Packets the consumer (converter) sends.
#[cw_serde]
pub enum ConsumerPacket {
    /// Validator-set changes.
    ValsetUpdate {
        /// Consumer height.
        height: u64,
        /// Consumer time, seconds.
        time: u64,
        /// New validators.
        additions: Vec<AddValidator>,
        /// Removed (unbonded) validators.
        removals: Vec<String>,
        /// Changed validators.
        updated: Vec<AddValidator>,
        /// Jailed validators.
        jailed: Vec<String>,
        /// Unjailed validators.
        unjailed: Vec<String>,
        /// Tombstoned validators.
        tombstoned: Vec<String>,
        /// Slashes (amounts in provider units).
        slashed: Vec<ValidatorSlashInfo>,
    },
    /// The consumer dropped a delegation (zero max cap).
    InternalUnstake {
        /// The provider user.
        delegator: String,
        /// The validator.
        validator: String,
        /// Amount in provider units.
        normalize_amount: Coin,
        /// The same in consumer units.
        inverted_amount: Coin,
    },
    /// One epoch's rewards per validator.
    DistributeBatch {
        /// Rewards per validator.
        rewards: Vec<RewardInfo>,
        /// Rewards denom.
        denom: String,
    },
}

/// Ack payload of `stake`.
#[cw_serde]
pub struct StakeAck {}
/// Ack payload of `unstake`.
#[cw_serde]
#[derive(Default)]
pub struct UnstakeAck {
    /// What the consumer actually unbonded (provider units). Less than asked when a slash on the
    /// consumer left the validator with less than the unstake: the consumer unbonds everything
    /// left and the provider takes the difference as slashed. `None` means all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unbonded: Option<Uint128>,
    /// Consumer height at which the unstake was applied: a slash the consumer applied at a
    /// later height did not include these tokens (the provider then cuts the pending unbond by
    /// the slash ratio), one at this height or before did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
}
/// Ack payload of `burn`.
#[cw_serde]
#[derive(Default)]
pub struct BurnAck {
    /// What the consumer actually took from its requests (provider units). Less than asked when
    /// the validators' requests held less: an internal unstake or a slash there crossed the burn,
    /// and the provider, which already cut its stakes, then knows that part is covered. `None`
    /// means all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burned: Option<Uint128>,
}
/// Ack payload of `transfer_rewards`.
#[cw_serde]
pub struct TransferRewardsAck {}
/// Ack payload of `valset_update`.
#[cw_serde]
pub struct ValsetUpdateAck {}
/// Ack payload of `internal_unstake`.
#[cw_serde]
pub struct InternalUnstakeAck {}
/// Ack payload of `distribute_batch`.
#[cw_serde]
pub struct DistributeAck {}

/// A success ack `{"result": "<base64 json>"}` carrying `payload`.
pub fn ack_success<T: serde::Serialize>(payload: &T) -> StdResult<StdAck> {
    Ok(StdAck::success(to_json_binary(payload)?))
}

/// An error ack `{"error": "<text>"}`.
pub fn ack_fail(err: impl std::fmt::Display) -> StdAck {
    StdAck::error(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(v: &str) -> String {
        format!(r#"{{"protocol":"mesh-security","version":"{v}"}}"#)
    }

    #[test]
    fn supported_version_json() {
        assert_eq!(
            ProtocolVersion::supported().to_channel_version(),
            version("0.11.0")
        );
    }

    #[test]
    fn negotiation_answers_the_lower_version() {
        assert_eq!(
            ProtocolVersion::negotiate(&version("0.11.0"))
                .unwrap()
                .version,
            "0.11.0"
        );
        assert_eq!(
            ProtocolVersion::negotiate(&version("0.11.7"))
                .unwrap()
                .version,
            "0.11.0"
        );
    }

    #[test]
    fn negotiation_refuses_old_newer_major_and_garbage() {
        assert_eq!(
            ProtocolVersion::negotiate(&version("0.10.0")),
            Err(VersionError::TooOld("0.10.0".into()))
        );
        assert_eq!(
            ProtocolVersion::negotiate(&version("1.0.0")),
            Err(VersionError::NewerMajor("1.0.0".into()))
        );
        assert!(matches!(
            ProtocolVersion::negotiate("ics20-1"),
            Err(VersionError::Invalid(_))
        ));
        assert!(matches!(
            ProtocolVersion::negotiate(r#"{"protocol":"other","version":"0.11.0"}"#),
            Err(VersionError::WrongProtocol(_))
        ));
    }

    #[test]
    fn ack_envelope_json() {
        let ok = ack_success(&StakeAck {}).unwrap();
        assert_eq!(
            cosmwasm_std::to_json_string(&ok).unwrap(),
            r#"{"result":"e30="}"#
        );
        let err = ack_fail("boom");
        assert_eq!(
            cosmwasm_std::to_json_string(&err).unwrap(),
            r#"{"error":"boom"}"#
        );
    }

    #[test]
    fn packet_json_is_snake_case_externally_tagged() {
        let p = ProviderPacket::Stake {
            delegator: "alice".into(),
            validator: "val1".into(),
            stake: Coin::new(10u128, "uosmo"),
            tx_id: 1,
        };
        assert_eq!(
            cosmwasm_std::to_json_string(&p).unwrap(),
            r#"{"stake":{"delegator":"alice","validator":"val1","stake":{"denom":"uosmo","amount":"10"},"tx_id":1}}"#
        );
    }
}
