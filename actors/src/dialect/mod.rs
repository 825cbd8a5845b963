//! Dialects: the few places where the Mesh Security implementations the harness can run take
//! different messages, or want a different chain, for the same thing. Everything else (the
//! steps' other messages, the report's queries) is the same in both, so one table per
//! implementation holds only these differences:
//!
//! | what | [`ours`] (mesh-harness) | [`reference`](mod@reference) (osmosis-labs/mesh-security) |
//! |---|---|---|
//! | vault `bond` | `{"bond":{}}` with the funds attached | `{"bond":{"amount":coin}}`, no funds: the vault asks the provider module to move them |
//! | converter instantiate | no `tombstoned_unbond_enable` | `"tombstoned_unbond_enable": true` (as the reference e2e deploys it) |
//! | price feed `.wasm` | `mesh_price_feed.wasm` | `mesh_simple_price_feed.wasm` |
//! | provider module params | none | vault and native staking (governance, as the reference e2e) |
//! | native staking `jailing` sudo | after the slash, with what it took per delegator (`slashed`) | before the slash, `jailed` / `tombstoned` only |
//! | consumer `all_delegations` | the contract's delegations in the staking module | the `update_delegation` records (the SDK) |

pub mod ours;
pub mod read;
pub mod reference;

use cosmwasm_std::{Binary, BlockInfo, Coin, Decimal};
use mesh_apis::virtual_staking::SudoMsg as VirtualStakingSudo;
use serde_json::Value;

use crate::contracts::Role;

/// A Mesh Security implementation the harness can deploy and drive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Implementation {
    /// This project's contracts (the default).
    #[default]
    MeshHarness,
    /// The public reference contracts (osmosis-labs/mesh-security), e.g. the release binaries
    /// the reference chain's e2e suite runs.
    Reference,
}

/// When native staking hears of a slash on the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JailingHook {
    /// After the slash, with what it took from each delegator.
    AfterSlashWithAmounts,
    /// Before the slash, naming the validator only (the SDK's staking decorator).
    BeforeSlash,
}

/// The converter's instantiate message's fields.
#[derive(Clone, Debug)]
pub struct ConverterInit {
    /// The price feed.
    pub price_feed: String,
    /// Discount.
    pub discount: Decimal,
    /// The provider's denom.
    pub remote_denom: String,
    /// Code id of virtual staking.
    pub virtual_staking_code_id: u64,
    /// Most items virtual staking reads at once.
    pub max_retrieve: u16,
}

impl Implementation {
    /// Every implementation.
    pub const ALL: [Implementation; 2] = [Implementation::MeshHarness, Implementation::Reference];

    /// Its name in scenario files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Implementation::MeshHarness => "mesh-harness",
            Implementation::Reference => "reference",
        }
    }

    /// The implementation called `name`.
    pub fn from_name(name: &str) -> Option<Implementation> {
        Self::ALL.into_iter().find(|i| i.name() == name)
    }

    /// The file stem of `role`'s `.wasm` in a build directory (`DIR/<stem>.wasm`).
    pub fn wasm_stem(self, role: Role) -> String {
        match self {
            Implementation::MeshHarness => ours::wasm_stem(role),
            Implementation::Reference => reference::wasm_stem(role),
        }
    }

    /// The converter's instantiate message.
    pub fn converter_instantiate(self, init: &ConverterInit) -> Value {
        match self {
            Implementation::MeshHarness => ours::converter_instantiate(init),
            Implementation::Reference => reference::converter_instantiate(init),
        }
    }

    /// The vault's `bond` of `amount` by a user: the message and the funds it carries.
    pub fn bond(self, amount: Coin) -> (Value, Vec<Coin>) {
        match self {
            Implementation::MeshHarness => ours::bond(amount),
            Implementation::Reference => reference::bond(amount),
        }
    }

    /// Whether the provider chain's provider module must know the vault and native staking.
    pub fn needs_provider_module(self) -> bool {
        self == Implementation::Reference
    }

    /// When native staking hears of a slash.
    pub fn jailing_hook(self) -> JailingHook {
        match self {
            Implementation::MeshHarness => JailingHook::AfterSlashWithAmounts,
            Implementation::Reference => JailingHook::BeforeSlash,
        }
    }

    /// Virtual staking's `handle_valset_update` sudo, from ours (`msg`) in `block`.
    pub fn valset_update(self, msg: &VirtualStakingSudo, block: &BlockInfo) -> Value {
        match self {
            Implementation::MeshHarness => ours::valset_update(msg),
            Implementation::Reference => reference::valset_update(msg, block),
        }
    }

    /// Whether virtual staking answers `requests` (per validator, in provider units), which the
    /// `settled` invariant compares with the provider's committed stakes.
    pub fn reports_requests(self) -> bool {
        self == Implementation::MeshHarness
    }

    /// Whether the consumer's `all_delegations` answers from `update_delegation` records.
    pub fn delegation_records(self) -> bool {
        self == Implementation::Reference
    }
}

/// `msg` as the JSON a contract receives.
pub fn binary(msg: &Value) -> Binary {
    Binary::from(serde_json::to_vec(msg).expect("JSON values serialize"))
}
