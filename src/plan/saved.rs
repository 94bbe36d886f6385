//! Saved plans: the JSON file `plan --out` writes and `apply plan.json` reads.
//!
//! A saved plan records the version of every object read when it was made, so apply can
//! refuse to write an object that changed since (412-style). It never holds the API key:
//! nothing in a plan or a live state carries it.

use std::collections::BTreeMap;
use std::time::SystemTime;

use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::clock;
use crate::manifest::model::Manifest;
use crate::state::LiveState;

use super::Plan;
use super::change::{Change, ObjectKind, fingerprint_key};

/// The only format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A plan saved for a later apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    /// `fnv1a64:<16 hex digits>` of the manifest file's bytes.
    pub manifest_hash: String,
    /// Slug of the account planned against.
    pub account: String,
    /// The environment variable the manifest names for the account's key (never the key),
    /// so that applying the plan finds the key where planning did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    /// When the plan was made, RFC 3339 in UTC.
    pub created_at: String,
    pub changes: Vec<Change>,
    /// Version of every object read, by `<path>/<id>` (`tags/t_3f9a2c`, `agents/12`) or the
    /// path alone for singletons (`balance`).
    pub fingerprints: BTreeMap<String, i64>,
}

/// Why a saved plan cannot be read.
#[derive(Debug, Error, Diagnostic)]
pub enum SavedPlanError {
    #[error("the saved plan is not valid JSON of a plan")]
    #[diagnostic(
        code(mercfg::saved_plan::parse),
        help("pass a file written by `mercfg plan --out`, or plan again")
    )]
    Parse(#[source] serde_json::Error),

    #[error("the saved plan has format version `{found}`; this mercfg reads version `1`")]
    #[diagnostic(code(mercfg::saved_plan::version), help("plan again with this version of mercfg"))]
    UnsupportedVersion { found: u64 },
}

impl SavedPlan {
    /// A saved plan of `plan`, made from `manifest` (whose file held `manifest_bytes`) and
    /// the `live` state it was compared with, at `now`.
    pub fn new(
        plan: &Plan,
        manifest: &Manifest,
        manifest_bytes: &[u8],
        live: &LiveState,
        now: SystemTime,
    ) -> Self {
        SavedPlan {
            format_version: FORMAT_VERSION,
            manifest_hash: manifest_hash(manifest_bytes),
            account: manifest.account.slug.clone(),
            api_key_env: manifest.account.api_key_env.clone(),
            created_at: clock::rfc3339(clock::seconds(now)),
            changes: plan.changes.clone(),
            fingerprints: fingerprints(live),
        }
    }

    /// The plan to apply.
    pub fn plan(&self) -> Plan {
        Plan { changes: self.changes.clone() }
    }

    /// The file's text: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a saved plan, refusing other format versions before looking at the rest.
    pub fn from_json(text: &str) -> Result<Self, SavedPlanError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(SavedPlanError::Parse)?;
        let found = value.get("format_version").and_then(serde_json::Value::as_u64);
        if found != Some(u64::from(FORMAT_VERSION)) {
            return Err(SavedPlanError::UnsupportedVersion { found: found.unwrap_or(0) });
        }
        serde_json::from_value(value).map_err(SavedPlanError::Parse)
    }
}

/// `fnv1a64:` and the FNV-1a 64-bit hash of `bytes` in hex: enough to notice that the
/// manifest changed since the plan, not a defence against tampering.
pub fn manifest_hash(bytes: &[u8]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash =
        bytes.iter().fold(OFFSET, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(PRIME));
    format!("fnv1a64:{hash:016x}")
}

/// The version of every object in `live`, by fingerprint key.
pub fn fingerprints(live: &LiveState) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    let mut add = |kind: ObjectKind, id: &str, version: i64| {
        out.insert(fingerprint_key(kind, id), version);
    };
    if let Some(account) = &live.account {
        add(ObjectKind::Account, &account.web_id, account.version);
    }
    for agent in live.agents.iter().flatten() {
        add(ObjectKind::Member, &agent.id.to_string(), agent.version);
    }
    for team in live.teams.iter().flatten() {
        add(ObjectKind::Team, &team.web_id, team.version);
    }
    for field in live.custom_fields.iter().flatten() {
        add(ObjectKind::CustomField, &field.web_id, field.version);
    }
    for tag in live.tags.iter().flatten() {
        add(ObjectKind::Tag, &tag.web_id, tag.version);
    }
    for reply in live.quick_replies.iter().flatten() {
        add(ObjectKind::QuickReply, &reply.web_id, reply.version);
    }
    for list in live.customer_lists.iter().flatten() {
        add(ObjectKind::CustomerList, &list.web_id, list.version);
    }
    if let Some(settings) = &live.messaging_settings {
        add(ObjectKind::MessagingSettings, "", settings.version);
    }
    if let Some(hours) = &live.business_hours {
        add(ObjectKind::BusinessHours, "", hours.version);
    }
    if let Some(balance) = &live.balance {
        add(ObjectKind::Balance, "", balance.version);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(manifest_hash(b""), "fnv1a64:cbf29ce484222325");
        assert_eq!(manifest_hash(b"a"), "fnv1a64:af63dc4c8601ec8c");
    }

    #[test]
    fn a_saved_plan_round_trips_with_its_fingerprints() {
        let (manifest, live) = (crate::plan::fixture::every_change(), crate::plan::fixture::live());
        let plan = crate::plan::diff(&manifest, &live, &Default::default());
        let saved = SavedPlan::new(&plan, &manifest, b"version: 1\n", &live, UNIX_EPOCH);

        assert_eq!(saved.account, "ferreteria-andina");
        assert_eq!(saved.fingerprints.get("tags/t_1"), Some(&2));
        assert_eq!(saved.fingerprints.get("agents/3"), Some(&3));
        assert_eq!(saved.fingerprints.get("balance"), Some(&4));
        for change in &saved.changes {
            if let Some(key) = change.fingerprint_key() {
                assert!(saved.fingerprints.contains_key(&key), "{key} not fingerprinted");
            }
        }

        let read = SavedPlan::from_json(&saved.to_json()).unwrap();
        assert_eq!(read, saved);
        assert_eq!(read.plan(), plan);
    }

    #[test]
    fn other_format_versions_are_refused() {
        let error = SavedPlan::from_json(r#"{"format_version": 2}"#).unwrap_err();
        assert!(matches!(error, SavedPlanError::UnsupportedVersion { found: 2 }));
        assert!(matches!(SavedPlan::from_json("{"), Err(SavedPlanError::Parse(_))));
    }
}
