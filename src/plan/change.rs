//! One change of a plan: what it touches, what it does, and everything apply needs to do it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::impact::Impact;
use crate::state;

/// The kind of object a change touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Account,
    Member,
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
    /// Every kind, in execution order of creates.
    pub const ALL: [ObjectKind; 10] = [
        ObjectKind::Account,
        ObjectKind::Tag,
        ObjectKind::CustomField,
        ObjectKind::Team,
        ObjectKind::Member,
        ObjectKind::QuickReply,
        ObjectKind::CustomerList,
        ObjectKind::MessagingSettings,
        ObjectKind::BusinessHours,
        ObjectKind::Balance,
    ];

    /// Dependency level: objects of a level may refer to those of lower levels (tags, fields
    /// and teams; members; quick replies and lists; settings).
    pub fn level(self) -> u8 {
        match self {
            ObjectKind::Account => 0,
            ObjectKind::Tag | ObjectKind::CustomField | ObjectKind::Team => 1,
            ObjectKind::Member => 2,
            ObjectKind::QuickReply | ObjectKind::CustomerList => 3,
            ObjectKind::MessagingSettings | ObjectKind::BusinessHours | ObjectKind::Balance => 4,
        }
    }

    /// Position of the kind in [`ObjectKind::ALL`], used to order kinds within a level.
    pub fn rank(self) -> usize {
        ObjectKind::ALL.iter().position(|kind| *kind == self).unwrap_or(usize::MAX)
    }

    /// The contract's kind behind this one; the account itself is not an object the API
    /// writes.
    pub fn wire(self) -> Option<state::ObjectKind> {
        Some(match self {
            ObjectKind::Account => return None,
            ObjectKind::Member => state::ObjectKind::Agent,
            ObjectKind::Team => state::ObjectKind::Team,
            ObjectKind::CustomField => state::ObjectKind::CustomField,
            ObjectKind::Tag => state::ObjectKind::Tag,
            ObjectKind::QuickReply => state::ObjectKind::QuickReply,
            ObjectKind::CustomerList => state::ObjectKind::CustomerList,
            ObjectKind::MessagingSettings => state::ObjectKind::MessagingSettings,
            ObjectKind::BusinessHours => state::ObjectKind::BusinessHours,
            ObjectKind::Balance => state::ObjectKind::Balance,
        })
    }

    /// The collection's path in the platform API without its slash (`custom_fields`), also
    /// the prefix of fingerprint keys.
    pub fn path(self) -> &'static str {
        self.wire().map_or("account", |kind| kind.path().trim_start_matches('/'))
    }

    /// The kind in the user's words, singular: `custom field`.
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Account => "account",
            ObjectKind::Member => "member",
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

    /// The kind as a heading, plural: `Custom fields`.
    pub fn heading(self) -> &'static str {
        match self {
            ObjectKind::Account => "Account",
            ObjectKind::Member => "Members",
            ObjectKind::Team => "Teams",
            ObjectKind::CustomField => "Custom fields",
            ObjectKind::Tag => "Tags",
            ObjectKind::QuickReply => "Quick replies",
            ObjectKind::CustomerList => "Customer lists",
            ObjectKind::MessagingSettings => "Messaging settings",
            ObjectKind::BusinessHours => "Business hours",
            ObjectKind::Balance => "Balance",
        }
    }

    /// True for the kinds with one object per account.
    pub fn is_singleton(self) -> bool {
        self.wire().is_none_or(state::ObjectKind::is_singleton)
    }
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A new object.
    Create,
    /// Fields of an existing object change (for members, also a reactivation).
    Update,
    /// An existing object gets a new identity key and keeps everything else (tags).
    Rename,
    /// An immutable field changes: the object is deleted and created again.
    Replace,
    /// The object is removed (members: deactivated).
    Remove,
    /// The server does not offer this kind: a person makes the change in the web app.
    Manual,
}

impl Action {
    /// Order of actions within one kind: renames free names before creates take them.
    pub(crate) fn rank(self) -> u8 {
        match self {
            Action::Rename => 0,
            Action::Replace => 1,
            Action::Create => 2,
            Action::Update => 3,
            Action::Manual => 4,
            Action::Remove => 5,
        }
    }
}

/// The existing object a change writes to, with the version it had when read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The object's `web_id`; for members the agent's integer `id` as a string; for
    /// singletons the kind's path.
    pub id: String,
    /// The `version` read, sent as `If-Match`.
    pub version: i64,
}

/// One field that differs, as JSON values (`null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Dotted path of the field in the contract's object: `auto_recharge.amount`.
    pub path: String,
    pub before: Value,
    pub after: Value,
}

impl FieldChange {
    /// A field change from any serializable values.
    pub fn new(path: impl Into<String>, before: impl Serialize, after: impl Serialize) -> Self {
        FieldChange {
            path: path.into(),
            before: serde_json::to_value(before).unwrap_or(Value::Null),
            after: serde_json::to_value(after).unwrap_or(Value::Null),
        }
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ObjectKind,
    pub action: Action,
    /// The identity of the object: email, name, key or title; for renames the new name.
    pub key: String,
    /// The existing object written to; `None` for creates and manual steps.
    pub target: Option<Target>,
    /// The writable fields to send: the whole desired object for create and replace, the
    /// changed (and required) fields for update and rename.
    pub body: Option<Value>,
    /// Field-level differences, for review. Creates and manual steps list every field.
    pub fields: Vec<FieldChange>,
    /// Why the change is in the plan, in one sentence.
    pub reason: String,
    /// Effects on live data that a reviewer should weigh.
    pub impact: Vec<Impact>,
    /// The change raises possible spending.
    pub spend: bool,
    /// The change loses customer data that re-applying cannot bring back.
    pub destructive: bool,
    /// Where in the web app a person makes a manual change.
    pub manual: Option<String>,
}

impl Change {
    /// A change with no fields, body, target or impact yet.
    pub fn new(kind: ObjectKind, action: Action, key: impl Into<String>) -> Self {
        Change {
            kind,
            action,
            key: key.into(),
            target: None,
            body: None,
            fields: Vec::new(),
            reason: String::new(),
            impact: Vec::new(),
            spend: false,
            destructive: false,
            manual: None,
        }
    }

    /// Dependency level of the change's kind.
    pub fn level(&self) -> u8 {
        self.kind.level()
    }

    /// The key under which the target's version is fingerprinted: `tags/t_3f9a2c`.
    pub fn fingerprint_key(&self) -> Option<String> {
        let target = self.target.as_ref()?;
        Some(fingerprint_key(self.kind, &target.id))
    }

    /// True for a member update that reactivates a deactivated agent: apply calls the
    /// reactivate endpoint before writing the other fields in `body`.
    pub fn reactivates(&self) -> bool {
        self.kind == ObjectKind::Member
            && self.fields.iter().any(|field| field.path == "active" && field.after == true)
    }

    /// The name before a rename, from the `name` field change.
    pub fn renamed_from(&self) -> Option<&str> {
        if self.action != Action::Rename {
            return None;
        }
        self.fields
            .iter()
            .find(|field| field.path == "name")
            .and_then(|field| field.before.as_str())
    }
}

/// The fingerprint key of an object: `<path>/<id>`, or the path alone for singletons.
pub fn fingerprint_key(kind: ObjectKind, id: &str) -> String {
    if kind.is_singleton() { kind.path().to_owned() } else { format!("{}/{id}", kind.path()) }
}
