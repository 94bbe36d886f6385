//! Quick replies, matched by title. A reply without channels is offered on all of them, so
//! an empty list and the list of every channel are the same.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::manifest::model::{Channel, Kind, Manifest, QuickReply};
use crate::state::{self, LiveState};

use super::change::{Action, Change, ObjectKind, Target};
use super::compare::{Fields, all_fields, same_text, sorted};
use super::{manual, prunes};

/// Appends the quick reply changes to `out`.
pub(super) fn diff(manifest: &Manifest, live: &LiveState, out: &mut Vec<Change>) {
    let Some(replies) = &manifest.quick_replies else { return };
    let Some(live_replies) = &live.quick_replies else {
        for reply in replies {
            out.push(manual::change(ObjectKind::QuickReply, reply.title.trim(), body(reply)));
        }
        return;
    };

    let by_title: HashMap<&str, &state::QuickReply> =
        live_replies.iter().map(|reply| (reply.title.trim(), reply)).collect();
    for reply in replies {
        match by_title.get(reply.title.trim()) {
            None => out.push(create(reply)),
            Some(live_reply) => out.extend(update(reply, live_reply)),
        }
    }

    if prunes(manifest, Kind::QuickReplies) {
        let wanted: HashSet<&str> = replies.iter().map(|reply| reply.title.trim()).collect();
        for reply in live_replies.iter().filter(|reply| !wanted.contains(reply.title.trim())) {
            out.push(remove(reply));
        }
    }
}

/// The channels a reply is offered on, with "none listed" spelled out as all.
fn channels(listed: &[Channel]) -> Vec<Channel> {
    if listed.is_empty() {
        vec![Channel::Whatsapp, Channel::Instagram, Channel::Messenger]
    } else {
        sorted(listed)
    }
}

fn body(reply: &QuickReply) -> Value {
    json!({
        "title": reply.title.trim(),
        "text": reply.text.trim_end(),
        "channels": channels(&reply.channels),
    })
}

fn create(reply: &QuickReply) -> Change {
    let body = body(reply);
    let mut change = Change::new(ObjectKind::QuickReply, Action::Create, reply.title.trim());
    change.fields = all_fields(&body);
    change.body = Some(body);
    change.reason = "in the manifest, not on the account".to_owned();
    change
}

fn update(reply: &QuickReply, live: &state::QuickReply) -> Option<Change> {
    let mut fields = Fields::default();
    let text = reply.text.trim_end();
    fields.compare("text", live.text.as_str(), text, same_text(&live.text, text));
    let (before, after) = (channels(&live.channels), channels(&reply.channels));
    fields.compare("channels", &before, &after, before == after);
    if fields.is_empty() {
        return None;
    }

    let mut change = Change::new(ObjectKind::QuickReply, Action::Update, reply.title.trim());
    change.target = Some(Target { id: live.web_id.clone(), version: live.version });
    change.body = Some(Value::Object(fields.body));
    change.fields = fields.changes;
    change.reason = "differs from the manifest".to_owned();
    Some(change)
}

fn remove(reply: &state::QuickReply) -> Change {
    let mut change = Change::new(ObjectKind::QuickReply, Action::Remove, &reply.title);
    change.target = Some(Target { id: reply.web_id.clone(), version: reply.version });
    change.reason = "on the account, not in the manifest, and quick replies are pruned".to_owned();
    change
}
