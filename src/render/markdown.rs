//! The plan as a pull-request comment: the summary first, then what needs a reviewer's
//! attention (destructive, spend and removal changes), then the details of each kind folded
//! in `<details>` blocks.
//!
//! Comments on the big forges hold at most 65,536 characters. A plan is kept to 64,000
//! bytes, which leaves room for what a CI job wraps it in (a marker, a footer); a plan too
//! long for that keeps the summary and every destructive change, and cuts the rest with a
//! plain note.

use std::collections::BTreeMap;

use crate::plan::{Action, Change, ObjectKind, Plan, thousands};

use super::glyph;
use super::text::change_block;
use super::value::display;

/// The longest comment rendered, in bytes (never fewer than characters).
pub const MAX_LENGTH: usize = 64_000;

/// Room kept for closing a details block and for the truncation notes.
const RESERVE: usize = 1_024;

/// The plan as GitHub-flavoured markdown of at most [`MAX_LENGTH`] bytes.
pub fn markdown(plan: &Plan) -> String {
    let mut out = format!("**{}**\n", plan.summary());
    if plan.is_empty() {
        return out;
    }
    let budget = MAX_LENGTH - RESERVE;
    attention(plan, budget, &mut out);
    details(plan, budget, &mut out);
    out
}

/// Destructive changes always; spend changes and removals while they fit.
fn attention(plan: &Plan, budget: usize, out: &mut String) {
    let destructive: Vec<&Change> = plan.changes.iter().filter(|c| c.destructive).collect();
    let others: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| !c.destructive && (c.spend || c.action == Action::Remove))
        .collect();
    if destructive.is_empty() && others.is_empty() {
        return;
    }

    out.push_str("\n### Needs attention\n\n");
    // Only a plan of hundreds of replaces fills the comment with them alone.
    let mut left_out = 0;
    for change in destructive {
        let item = attention_item(change);
        if out.len() + item.len() > budget {
            left_out += 1;
        } else {
            out.push_str(&item);
        }
    }
    for change in others {
        let item = attention_item(change);
        if out.len() + item.len() > budget / 2 {
            left_out += 1;
        } else {
            out.push_str(&item);
        }
    }
    if left_out > 0 {
        out.push_str(&format!("- … {} more not shown\n", thousands(left_out)));
    }
}

fn attention_item(change: &Change) -> String {
    let what = match change.action {
        _ if change.destructive && change.action == Action::Replace => "replaced, destructive",
        _ if change.destructive => "destructive",
        Action::Remove => "removed",
        _ => "raises possible spending",
    };
    // The glyph in code, so that `-` and `+` do not start a nested list.
    let mut item = format!("- `{}` **{}", glyph(change.action), change.kind.label());
    if !change.kind.is_singleton() || change.kind == ObjectKind::Account {
        item.push(' ');
        item.push_str(&code(&change.key));
    }
    item.push_str(&format!("**: {what}"));
    let notes: Vec<String> = change.impact.iter().map(ToString::to_string).collect();
    if change.spend && change.action != Action::Remove {
        let fields: Vec<String> = change
            .fields
            .iter()
            .map(|f| format!("{} {} → {}", code(&f.path), display(&f.before), display(&f.after)))
            .collect();
        item.push_str(&format!(": {}", fields.join(", ")));
    }
    if !notes.is_empty() {
        item.push_str(&format!(": {}", notes.join("; ")));
    }
    item.push('\n');
    item
}

/// Every change, folded per kind, until the budget runs out.
fn details(plan: &Plan, budget: usize, out: &mut String) {
    let mut by_kind: BTreeMap<usize, (ObjectKind, Vec<&Change>)> = BTreeMap::new();
    for change in &plan.changes {
        by_kind.entry(change.kind.rank()).or_insert((change.kind, Vec::new())).1.push(change);
    }

    out.push_str("\n### Changes\n");
    let mut shown = 0;
    for (kind, changes) in by_kind.values() {
        let blocks: Vec<String> = changes.iter().map(|c| change_block(c, false)).collect();
        let fence = fence(&blocks);
        let opening = format!(
            "\n<details><summary>{}: {}</summary>\n\n{fence}diff\n",
            kind.heading(),
            kind_summary(changes)
        );
        let closing = format!("{fence}\n\n</details>\n");
        if out.len() + opening.len() + closing.len() > budget {
            break;
        }
        out.push_str(&opening);
        let mut truncated = false;
        for (position, block) in blocks.iter().enumerate() {
            if out.len() + block.len() + 1 + closing.len() > budget {
                truncated = true;
                break;
            }
            if position > 0 {
                out.push('\n');
            }
            out.push_str(block);
            shown += 1;
        }
        out.push_str(&closing);
        if truncated {
            break;
        }
    }

    let hidden = plan.changes.len() - shown;
    if hidden > 0 {
        out.push_str(&format!(
            "\n… {} more changes not shown; run `mercfg plan` locally for the full plan.\n",
            thousands(hidden as u64)
        ));
    }
}

fn kind_summary(changes: &[&Change]) -> String {
    let mut counts: BTreeMap<u8, (Action, usize)> = BTreeMap::new();
    for change in changes {
        counts.entry(change.action.rank()).or_insert((change.action, 0)).1 += 1;
    }
    let words = |action: Action| match action {
        Action::Create => "to add",
        Action::Update => "to change",
        Action::Rename => "to rename",
        Action::Replace => "to replace",
        Action::Remove => "to remove",
        Action::Manual => "manual",
    };
    let parts: Vec<String> = counts
        .values()
        .map(|(action, count)| format!("{} {}", thousands(*count as u64), words(*action)))
        .collect();
    parts.join(", ")
}

/// A code fence longer than any run of backticks in the blocks it encloses.
fn fence(blocks: &[String]) -> String {
    let longest =
        blocks.iter().flat_map(|block| block.split(|c| c != '`')).map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// Inline code that survives backticks inside `text`.
fn code(text: &str) -> String {
    if text.contains('`') { format!("`` {text} ``") } else { format!("`{text}`") }
}
