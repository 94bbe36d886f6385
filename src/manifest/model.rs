//! The manifest, version 1: the typed model of every section.
//!
//! These types are the single source of the manifest's shape: the JSON Schema
//! in `schema/manifest.schema.json` is generated from them, and the loader
//! deserializes into them once the schema and the cross-reference checks pass.
//! A section that is `None` is unmanaged: nothing of that kind is touched.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Mercately account described as code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "mercfg manifest")]
pub struct Manifest {
    /// Manifest format version. Only `1` exists.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,

    /// The account this manifest describes; `apply` refuses a key that belongs to another account.
    pub account: AccountSpec,

    /// Values substituted for `${name}` in any string of this file; write `$${` for a literal `${`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,

    /// A base manifest, relative to this file. This file overrides it by identity key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,

    /// Named permission profiles on top of the platform roles, keyed by the name members use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<BTreeMap<String, Role>>,

    /// The people on the account. Identity: `email`, case-insensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Member>>,

    /// Teams that conversations are assigned to. Identity: `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<Team>>,

    /// Business hours, assignment, response times and automatic messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging: Option<Messaging>,

    /// Custom fields on customers. Identity: `key`, which cannot change once created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomField>>,

    /// Customer tags. Identity: `name`, case-insensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,

    /// Canned answers agents insert into chats. Identity: `title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_replies: Option<Vec<QuickReply>>,

    /// Customer segments defined by a filter. Identity: `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_lists: Option<Vec<CustomerList>>,

    /// Balance alerts and the automatic top-up policy. Changes that raise spending are flagged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Balance>,

    /// Safety rails for `plan` and `apply`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
}

impl Manifest {
    /// A manifest of `account` that manages nothing: every section left out.
    pub fn unmanaged(account: AccountSpec) -> Self {
        Manifest {
            version: 1,
            account,
            vars: BTreeMap::new(),
            extends: None,
            roles: None,
            members: None,
            teams: None,
            messaging: None,
            custom_fields: None,
            tags: None,
            quick_replies: None,
            customer_lists: None,
            balance: None,
            policy: None,
        }
    }
}

/// Which account the manifest belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    /// The account's slug on the platform; checked against the account the API key opens.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"), length(min = 1, max = 63))]
    pub slug: String,

    /// IANA time zone of the account, such as `America/Guayaquil`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,

    /// Environment variable holding this account's API key, for runs over many accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    pub api_key_env: Option<String>,
}

/// A platform role.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PlatformRole {
    /// Full control of the account, including billing and the team.
    Admin,
    /// Sees every chat and the team's metrics; manages agents' work.
    Supervisor,
    /// Answers the chats assigned to them.
    Agent,
}

/// A named permission profile: a platform role with permissions adjusted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// The platform role this profile starts from.
    pub base: PlatformRole,

    /// Permissions set on top of the base role; those left out keep the role's default.
    #[serde(default, skip_serializing_if = "Permissions::is_empty")]
    pub permissions: Permissions,
}

/// Fine-grained permissions of an account user. Each one left out keeps the role's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    /// Sees only the chats assigned to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_assigned_chats: Option<bool>,
    /// May import customers from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_customers: Option<bool>,
    /// May download the customer database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_customers: Option<bool>,
    /// May create, rename and delete tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_tags: Option<bool>,
    /// May create and edit quick replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_quick_replies: Option<bool>,
    /// May send mass messages to customer lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_campaigns: Option<bool>,
    /// May see the dashboards and reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view_reports: Option<bool>,
}

impl Permissions {
    /// True when no permission is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A person on the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Login email; the identity of the member, compared case-insensitively.
    #[schemars(email, regex(pattern = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"))]
    pub email: String,
    /// Given name, as shown to customers when the agent's name goes into replies.
    pub first_name: String,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// A platform role (`admin`, `supervisor`, `agent`) or the name of one of `roles`.
    pub role: String,
    /// Names of the teams this member belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
}

/// A messaging channel.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// WhatsApp Business.
    Whatsapp,
    /// Instagram direct messages.
    Instagram,
    /// Facebook Messenger.
    Messenger,
}

/// A team of agents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// The team's name; its identity.
    #[schemars(length(min = 1, max = 80))]
    pub name: String,
    /// Channels whose conversations this team handles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// Channels for which new conversations go to this team. At most one team per channel.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default_for: Vec<Channel>,
    /// Assign new conversations to the team's agents automatically.
    #[serde(default)]
    pub auto_assign: bool,
    /// Stop assigning to an agent who has this many open chats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub max_open_chats_per_agent: Option<u32>,
}

/// How conversations are answered and assigned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Messaging {
    /// Opening hours per day; outside them the away message is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_hours: Option<BusinessHours>,
    /// How new conversations are distributed among agents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    /// Targets for how quickly customers get an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_time: Option<ResponseTime>,
    /// Whether the agent's name is put at the top of each reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name_in_replies: Option<Toggle>,
    /// Sent to a customer who writes for the first time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome_message: Option<AutoMessage>,
    /// Sent to a customer who writes outside business hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub away_message: Option<AutoMessage>,
    /// Sent when a conversation has been quiet for a while.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactivity_message: Option<InactivityMessage>,
}

/// Opening hours: a time zone and, per day or day range (`mon`, `mon-fri`), a list of
/// `HH:MM-HH:MM` ranges. A day left out is closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessHours {
    /// IANA time zone the hours are in; defaults to the account's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Day or day range (`mon`, `mon-fri`, `sat`) to the ranges open that day.
    #[serde(flatten)]
    pub days: BTreeMap<String, Vec<String>>,
}

/// Day keys of business hours: a day, or a range of days in week order.
pub const DAY_KEY_PATTERN: &str =
    r"^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?$";

/// Opening ranges of one day: `HH:MM-HH:MM`, 24-hour clock.
pub const TIME_RANGE_PATTERN: &str =
    r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$";

impl JsonSchema for BusinessHours {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BusinessHours".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Opening hours: a time zone and, per day or day range (`mon`, \
                `mon-fri`), a list of `HH:MM-HH:MM` ranges. A day left out is closed.",
            "type": "object",
            "properties": {
                "timezone": {
                    "description": "IANA time zone the hours are in; defaults to the account's.",
                    "type": "string"
                }
            },
            "patternProperties": {
                DAY_KEY_PATTERN: {
                    "description": "Ranges open on this day or range of days.",
                    "type": "array",
                    "items": {
                        "description": "An opening range, `HH:MM-HH:MM`.",
                        "type": "string",
                        "pattern": TIME_RANGE_PATTERN
                    }
                }
            },
            "additionalProperties": false
        })
    }
}

/// How new conversations are distributed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The distribution strategy.
    pub mode: AssignmentMode,
    /// Give an absent agent's conversations to someone present.
    #[serde(default)]
    pub reassign_when_agent_absent: bool,
}

/// Strategy for assigning new conversations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentMode {
    /// Agents take turns.
    RoundRobin,
    /// The agent with the fewest open chats gets the next one.
    LeastBusy,
    /// Nobody is assigned automatically.
    Manual,
}

/// Response-time targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseTime {
    /// Target for the first answer, as a duration (`5m`, `1h`).
    #[schemars(regex(pattern = r"^[0-9]+[smhd]$"))]
    pub first_reply_target: String,
    /// Alert supervisors when a chat waits this long, as a duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]+[smhd]$"))]
    pub alert_supervisors_after: Option<String>,
}

/// A setting that is on or off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Toggle {
    /// Whether the setting is on.
    pub enabled: bool,
}

/// An automatic message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoMessage {
    /// Whether the message is sent.
    pub enabled: bool,
    /// Channels the message is sent on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// The message text; `${name}` variables are substituted.
    #[schemars(length(min = 1, max = 4096))]
    pub text: String,
}

/// A message sent when a conversation has been quiet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InactivityMessage {
    /// Whether the message is sent.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Quiet time before the message is sent, as a duration (`24h`).
    #[schemars(regex(pattern = r"^[0-9]+[smhd]$"))]
    pub after: String,
    /// Channels the message is sent on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// The message text.
    #[schemars(length(min = 1, max = 4096))]
    pub text: String,
}

fn enabled_by_default() -> bool {
    true
}

/// Type of a custom field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Free text.
    String,
    /// Whole number.
    Integer,
    /// Decimal number.
    Float,
    /// Yes or no.
    Boolean,
    /// Calendar date, `YYYY-MM-DD`.
    Date,
    /// One of `options`.
    List,
}

/// A custom field on customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomField {
    /// Stable key, snake_case; its identity. Changing it creates another field.
    #[schemars(regex(pattern = r"^[a-z][a-z0-9_]*$"), length(min = 1, max = 64))]
    pub key: String,
    /// Label shown in the web app.
    #[schemars(length(min = 1, max = 80))]
    pub name: String,
    /// Type of the values; changing it replaces the field and loses its values.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Allowed values, for `type: list` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// A customer tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    /// The tag's name; its identity, compared case-insensitively.
    #[schemars(length(min = 1, max = 60))]
    pub name: String,
    /// Colour as `#RRGGBB`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^#[0-9A-Fa-f]{6}$"))]
    pub color: Option<String>,
    /// Earlier names of this tag: a live tag by one of these names is renamed, keeping its
    /// customers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renamed_from: Vec<String>,
}

/// A canned answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuickReply {
    /// Title agents search by; its identity.
    #[schemars(length(min = 1, max = 80))]
    pub title: String,
    /// The answer's text.
    #[schemars(length(min = 1, max = 4096))]
    pub text: String,
    /// Channels it is offered on; all when left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
}

/// A customer list built from a filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerList {
    /// The list's name; its identity.
    #[schemars(length(min = 1, max = 80))]
    pub name: String,
    /// Which customers belong to the list.
    pub filter: Filter,
}

/// A customer filter: a combination (`all`, `any`, `not`) or a condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Filter {
    /// A condition on a custom field.
    Field(FieldCondition),
    /// A combination or a condition written as a one-key mapping.
    Node(FilterNode),
}

/// A filter written as a one-key mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FilterNode {
    /// Every filter matches.
    All(Vec<Filter>),
    /// At least one filter matches.
    Any(Vec<Filter>),
    /// The filter does not match.
    Not(Box<Filter>),
    /// The customer carries this tag.
    HasTag(String),
    /// The customer wrote on this channel.
    Channel(Channel),
    /// The customer is assigned to this member (email).
    AssignedTo(String),
    /// The customer was created within this duration (`30d`).
    CreatedWithin(#[schemars(regex(pattern = r"^[0-9]+[smhd]$"))] String),
    /// The customer's last message is within this duration.
    LastInteractionWithin(#[schemars(regex(pattern = r"^[0-9]+[smhd]$"))] String),
}

/// A condition on a custom field's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldCondition {
    /// Key of a custom field.
    pub field: String,
    /// Comparison; must suit the field's type.
    pub op: FieldOp,
    /// Value compared with; not used by `is_set`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
}

/// Comparison of a field condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldOp {
    /// Equal to the value (any type).
    Equals,
    /// Not equal to the value (any type).
    NotEquals,
    /// Contains the value (string).
    Contains,
    /// Greater than the value (integer, float, date).
    GreaterThan,
    /// Less than the value (integer, float, date).
    LessThan,
    /// One of the values, given as a list (string, list, integer).
    In,
    /// The field has a value (any type); takes no value.
    IsSet,
}

/// Balance alerts and automatic top-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Balance {
    /// Currency of the amounts, ISO 4217.
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: String,
    /// Email alert when the balance falls low.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_balance_alert: Option<LowBalanceAlert>,
    /// Top the balance up automatically. Raising `amount` or `monthly_cap` is a spend change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_recharge: Option<AutoRecharge>,
}

/// Alert sent when the balance falls below a threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LowBalanceAlert {
    /// Threshold, in the account's currency.
    #[schemars(range(min = 0))]
    pub below: f64,
    /// Emails of members who get the alert.
    pub notify: Vec<String>,
}

/// Automatic top-up of the balance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoRecharge {
    /// Whether automatic top-up is on.
    pub enabled: bool,
    /// Top up when the balance falls below this.
    #[schemars(range(min = 0))]
    pub when_below: f64,
    /// Amount of each top-up; at least 10.
    pub amount: f64,
    /// Most that may be topped up in one calendar month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub monthly_cap: Option<f64>,
}

/// A kind of object that `policy.prune` may remove.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Account users.
    Members,
    /// Teams.
    Teams,
    /// Custom fields.
    CustomFields,
    /// Tags.
    Tags,
    /// Quick replies.
    QuickReplies,
    /// Customer lists.
    CustomerLists,
}

/// Safety rails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Kinds where live objects absent from the manifest are removed. Others are left alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prune: Vec<Kind>,
    /// Refuse a plan that removes more than this per kind: a count (`10`) or a share (`25%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_removals: Option<MaxRemovals>,
    /// Refuse a plan that leaves fewer active admins than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_admins: Option<u32>,
}

/// A limit on removals: a count or a percentage of the live objects of a kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum MaxRemovals {
    /// At most this many.
    Count(u32),
    /// At most this share, written `25%`.
    Percent(#[schemars(regex(pattern = r"^(100|[0-9]{1,2})(\.[0-9]+)?%$"))] String),
}
