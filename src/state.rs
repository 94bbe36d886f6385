//! The live account: the platform contract's objects as the API returns them.
//!
//! These are the wire types of `schema/platform-api.yaml`. The client reads them, the
//! sandbox stores and serves them, and the plan compares the manifest against them. Field
//! names follow the manifest's. Every object carries the server's `version`, the
//! compare-and-swap token sent back as `If-Match` on writes; `web_id` (agents: `id`) is
//! assigned by the server.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::manifest::model::{
    AssignmentMode, Channel, FieldType, Filter, Permissions, PlatformRole,
};

/// The account the API key opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub web_id: String,
    pub slug: String,
    pub name: String,
    pub timezone: String,
    /// Seats: most active agents the account may have.
    pub max_agents: u32,
    /// The agent whose API key made this request; never removed or demoted by a plan.
    pub key_owner_id: i64,
    pub version: i64,
}

/// An account user ("member" in the manifest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
    pub role: PlatformRole,
    /// Name of the manifest role (permission profile) this agent was given, if any.
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub permissions: Permissions,
    /// Names of the agent's teams.
    #[serde(default)]
    pub teams: Vec<String>,
    /// False once deactivated; deactivated agents keep their chats and customers.
    pub active: bool,
    /// Open chats assigned to the agent (read only).
    #[serde(default)]
    pub open_chats: u64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub web_id: String,
    pub name: String,
    #[serde(default)]
    pub channels: Vec<Channel>,
    #[serde(default)]
    pub default_for: Vec<Channel>,
    #[serde(default)]
    pub auto_assign: bool,
    #[serde(default)]
    pub max_open_chats_per_agent: Option<u32>,
    /// Open chats of the team (read only).
    #[serde(default)]
    pub open_chats: u64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomField {
    pub web_id: String,
    pub key: String,
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub options: Vec<String>,
    /// Customers that have a value for this field (read only).
    #[serde(default)]
    pub customers_count: u64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub web_id: String,
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
    /// Customers carrying the tag (read only).
    #[serde(default)]
    pub customers_count: u64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuickReply {
    pub web_id: String,
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub channels: Vec<Channel>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerList {
    pub web_id: String,
    pub name: String,
    pub filter: Filter,
    /// Customers the filter matches now (read only).
    #[serde(default)]
    pub customers_count: u64,
    pub version: i64,
}

/// Automatic messages, assignment and response-time settings: one object per account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessagingSettings {
    pub assignment: AssignmentSettings,
    pub response_time: ResponseTimeSettings,
    pub agent_name_in_replies: bool,
    pub welcome_message: MessageSettings,
    pub away_message: MessageSettings,
    pub inactivity_message: InactivitySettings,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentSettings {
    pub mode: AssignmentMode,
    pub reassign_when_agent_absent: bool,
}

impl Default for AssignmentSettings {
    fn default() -> Self {
        Self { mode: AssignmentMode::Manual, reassign_when_agent_absent: false }
    }
}

/// Durations are in the manifest's notation (`5m`, `24h`); `None` when unset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ResponseTimeSettings {
    pub first_reply_target: Option<String>,
    pub alert_supervisors_after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessageSettings {
    pub enabled: bool,
    pub channels: Vec<Channel>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InactivitySettings {
    pub enabled: bool,
    pub after: Option<String>,
    pub channels: Vec<Channel>,
    pub text: String,
}

/// Opening hours, one entry per day that is open (`mon` … `sun`), each a sorted list of
/// `HH:MM-HH:MM` ranges.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BusinessHours {
    pub timezone: String,
    pub days: BTreeMap<String, Vec<String>>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceSettings {
    pub currency: String,
    /// Money on the account now (read only).
    pub amount: f64,
    pub low_balance_alert: Option<LowBalanceAlert>,
    pub auto_recharge: AutoRecharge,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LowBalanceAlert {
    pub below: f64,
    pub notify: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AutoRecharge {
    pub enabled: bool,
    pub when_below: f64,
    pub amount: f64,
    pub monthly_cap: Option<f64>,
}

/// Everything read from one account. A kind the server does not offer is `None`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LiveState {
    pub account: Option<Account>,
    pub agents: Option<Vec<Agent>>,
    pub teams: Option<Vec<Team>>,
    pub custom_fields: Option<Vec<CustomField>>,
    pub tags: Option<Vec<Tag>>,
    pub quick_replies: Option<Vec<QuickReply>>,
    pub customer_lists: Option<Vec<CustomerList>>,
    pub messaging_settings: Option<MessagingSettings>,
    pub business_hours: Option<BusinessHours>,
    pub balance: Option<BalanceSettings>,
}

// ---------------------------------------------------------------------------------------------
// Object kinds: the names the client, the sandbox and the plan share.
// ---------------------------------------------------------------------------------------------

/// A kind of object of the platform contract, with its wire names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Agent,
    Team,
    CustomField,
    Tag,
    QuickReply,
    CustomerList,
    MessagingSettings,
    BusinessHours,
    Balance,
}

impl ObjectKind {
    /// Every kind, in the order `apply` creates them.
    pub const ALL: [ObjectKind; 9] = [
        ObjectKind::Tag,
        ObjectKind::CustomField,
        ObjectKind::Team,
        ObjectKind::Agent,
        ObjectKind::QuickReply,
        ObjectKind::CustomerList,
        ObjectKind::MessagingSettings,
        ObjectKind::BusinessHours,
        ObjectKind::Balance,
    ];

    /// Path of the kind under the API base path: its list (or, for a singleton, the object).
    pub fn path(self) -> &'static str {
        match self {
            ObjectKind::Agent => "/agents",
            ObjectKind::Team => "/teams",
            ObjectKind::CustomField => "/custom_fields",
            ObjectKind::Tag => "/tags",
            ObjectKind::QuickReply => "/quick_replies",
            ObjectKind::CustomerList => "/customer_lists",
            ObjectKind::MessagingSettings => "/messaging_settings",
            ObjectKind::BusinessHours => "/business_hours",
            ObjectKind::Balance => "/balance",
        }
    }

    /// Key that wraps one object in request and answer bodies (`{"tag": {...}}`).
    pub fn singular(self) -> &'static str {
        match self {
            ObjectKind::Agent => "agent",
            ObjectKind::Team => "team",
            ObjectKind::CustomField => "custom_field",
            ObjectKind::Tag => "tag",
            ObjectKind::QuickReply => "quick_reply",
            ObjectKind::CustomerList => "customer_list",
            ObjectKind::MessagingSettings => "messaging_settings",
            ObjectKind::BusinessHours => "business_hours",
            ObjectKind::Balance => "balance",
        }
    }

    /// Key of the array in a list answer; a singleton has no list and answers its singular.
    pub fn plural(self) -> &'static str {
        match self {
            ObjectKind::Agent => "agents",
            ObjectKind::Team => "teams",
            ObjectKind::CustomField => "custom_fields",
            ObjectKind::Tag => "tags",
            ObjectKind::QuickReply => "quick_replies",
            ObjectKind::CustomerList => "customer_lists",
            ObjectKind::MessagingSettings | ObjectKind::BusinessHours | ObjectKind::Balance => {
                self.singular()
            }
        }
    }

    /// Words for people: `custom field`, `business hours`.
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Agent => "member",
            ObjectKind::Team => "team",
            ObjectKind::CustomField => "custom field",
            ObjectKind::Tag => "tag",
            ObjectKind::QuickReply => "quick reply",
            ObjectKind::CustomerList => "customer list",
            ObjectKind::MessagingSettings => "messaging settings",
            ObjectKind::BusinessHours => "business hours",
            ObjectKind::Balance => "balance",
        }
    }

    /// One object per account, read and written at the kind's path, never created.
    pub fn is_singleton(self) -> bool {
        matches!(
            self,
            ObjectKind::MessagingSettings | ObjectKind::BusinessHours | ObjectKind::Balance
        )
    }

    /// Field holding the server-assigned identifier used in paths (`id` for agents).
    pub fn id_field(self) -> &'static str {
        match self {
            ObjectKind::Agent => "id",
            _ => "web_id",
        }
    }

    /// Field whose value is unique per account, `None` for singletons.
    pub fn identity_field(self) -> Option<&'static str> {
        match self {
            ObjectKind::Agent => Some("email"),
            ObjectKind::Team | ObjectKind::Tag | ObjectKind::CustomerList => Some("name"),
            ObjectKind::CustomField => Some("key"),
            ObjectKind::QuickReply => Some("title"),
            ObjectKind::MessagingSettings | ObjectKind::BusinessHours | ObjectKind::Balance => None,
        }
    }

    /// Whether two identity values that differ only in letter case name the same object.
    pub fn identity_ignores_case(self) -> bool {
        matches!(self, ObjectKind::Agent | ObjectKind::Tag)
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
