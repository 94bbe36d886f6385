//! The revert manifest of a run: the kinds the run touched, as they were before it.
//!
//! Applying it puts those kinds back: objects the run created are pruned, objects it
//! changed or removed are written back, tags it renamed get their old names again.

use crate::manifest::model::{Kind, Manifest, Messaging, Policy};
use crate::plan::export::manifest_from_state;
use crate::plan::{Action, ObjectKind, Plan};
use crate::state::LiveState;

use super::executor::Outcome;

/// The revert manifest as YAML, or `None` when the run sent nothing. It names the key
/// variable `api_key_env` as the manifest applied did.
pub fn manifest(
    plan: &Plan,
    outcomes: &[Outcome],
    live: &LiveState,
    api_key_env: Option<&str>,
) -> Option<String> {
    // A failed change may have landed in part (a replace whose create failed after its
    // delete), so it counts as touched too.
    let touched: Vec<_> = plan
        .changes
        .iter()
        .zip(outcomes)
        .filter(|(change, outcome)| {
            change.action != Action::Manual
                && matches!(outcome, Outcome::Applied | Outcome::Failed { .. })
        })
        .map(|(change, _)| change)
        .collect();
    if touched.is_empty() {
        return None;
    }
    let touches = |kind: ObjectKind| touched.iter().any(|change| change.kind == kind);

    let before = manifest_from_state(live);
    let mut account = before.account.clone();
    account.api_key_env = api_key_env.map(str::to_owned);
    let mut revert = Manifest::unmanaged(account);
    let mut prune = Vec::new();
    let mut keep = |kind: ObjectKind, prune_as: Kind| {
        let kept = touches(kind);
        if kept {
            prune.push(prune_as);
        }
        kept
    };
    if keep(ObjectKind::Member, Kind::Members) {
        revert.roles = before.roles.clone();
        revert.members = before.members.clone();
    }
    if keep(ObjectKind::Team, Kind::Teams) {
        revert.teams = before.teams.clone();
    }
    if keep(ObjectKind::CustomField, Kind::CustomFields) {
        revert.custom_fields = before.custom_fields.clone();
    }
    if keep(ObjectKind::Tag, Kind::Tags) {
        revert.tags = before.tags.clone();
    }
    if keep(ObjectKind::QuickReply, Kind::QuickReplies) {
        revert.quick_replies = before.quick_replies.clone();
    }
    if keep(ObjectKind::CustomerList, Kind::CustomerLists) {
        revert.customer_lists = before.customer_lists.clone();
    }
    if touches(ObjectKind::MessagingSettings) || touches(ObjectKind::BusinessHours) {
        let all = before.messaging.clone().unwrap_or_default();
        let mut messaging =
            if touches(ObjectKind::MessagingSettings) { all.clone() } else { Messaging::default() };
        messaging.business_hours =
            if touches(ObjectKind::BusinessHours) { all.business_hours } else { None };
        revert.messaging = Some(messaging);
    }
    if touches(ObjectKind::Balance) {
        revert.balance = before.balance.clone();
    }

    // A tag the run renamed is found under its new name; name the old one back.
    for change in &touched {
        if let (ObjectKind::Tag, Some(old)) = (change.kind, change.renamed_from()) {
            let tags = revert.tags.iter_mut().flatten();
            if let Some(tag) = tags.into_iter().find(|tag| tag.name.eq_ignore_ascii_case(old)) {
                tag.renamed_from.push(change.key.clone());
            }
        }
    }

    if !prune.is_empty() {
        revert.policy = Some(Policy { prune, max_removals: None, min_admins: None });
    }
    let yaml = serde_saphyr::to_string(&crate::manifest::escaped(&revert).ok()?).ok()?;
    Some(format!(
        "# Reverts an apply run: `mercfg apply revert.yaml` puts the kinds it touched back\n\
         # as they were before it.\n{yaml}"
    ))
}
