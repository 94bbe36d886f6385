//! The account itself. The contract offers no write to it, so a different time zone is a
//! manual step; the slug is not a change but the account guard (see [`super::rails`]).

use serde_json::json;

use crate::manifest::model::Manifest;
use crate::state::LiveState;

use super::change::{Change, FieldChange, ObjectKind};
use super::manual;

/// Appends a manual step when the account's time zone differs from the manifest's.
pub(super) fn diff(manifest: &Manifest, live: &LiveState, out: &mut Vec<Change>) {
    let (Some(timezone), Some(account)) = (&manifest.account.timezone, &live.account) else {
        return;
    };
    if account.timezone.trim() == timezone.trim() {
        return;
    }
    let mut change = manual::change(
        ObjectKind::Account,
        &manifest.account.slug,
        json!({ "timezone": timezone }),
    );
    change.fields = vec![FieldChange::new("timezone", &account.timezone, timezone)];
    change.reason = "the account's time zone differs from the manifest's, and the server \
                     offers no API to change it"
        .to_owned();
    out.push(change);
}
