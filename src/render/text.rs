//! The plan as terminal text, Terraform-like: one block per change under its glyph
//! (`+` create, `~` update, `→` rename, `±` replace, `-` remove, `?` manual), then the
//! summary. Impacts are marked `!`, spend changes `$`.

use crate::plan::{Action, Change, ObjectKind, Plan};

use super::glyph;
use super::value::{display, wants_word_diff, word_diff};

const INDENT: &str = "    ";

/// The whole plan as text, with ANSI colours only when `color`.
pub fn text(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    for change in &plan.changes {
        out.push_str(&change_block(change, color));
        out.push('\n');
    }
    out.push_str(&paint(&plan.summary().to_string(), "1", color));
    out.push('\n');
    out
}

/// One change: its header line, the reason, impacts, spend, and the fields.
pub(crate) fn change_block(change: &Change, color: bool) -> String {
    let mut out = header(change, color);
    out.push('\n');
    line(&mut out, &paint(&format!("# {}", change.reason), "2", color));
    if let Some(place) = &change.manual {
        line(&mut out, &format!("do it in: {place}"));
    }
    for impact in &change.impact {
        line(&mut out, &paint(&format!("! {impact}"), "33", color));
    }
    if change.spend {
        line(&mut out, &paint("$ raises possible spending", "1;33", color));
    }
    for field in &change.fields {
        // A rename's new name is already in the header.
        if change.action == Action::Rename && field.path == "name" {
            continue;
        }
        let after_only = matches!(change.action, Action::Create | Action::Manual)
            || (field.before.is_null() && change.action != Action::Update);
        if wants_word_diff(&field.before, &field.after) {
            let before = field.before.as_str().unwrap_or_default();
            let after = field.after.as_str().unwrap_or_default();
            line(&mut out, &format!("{}:", field.path));
            for text_line in word_diff(before, after, color).lines() {
                line(&mut out, &format!("  {text_line}"));
            }
        } else if after_only {
            line(&mut out, &format!("{}: {}", field.path, display(&field.after)));
        } else {
            let (before, after) = (display(&field.before), display(&field.after));
            line(&mut out, &format!("{}: {before} → {after}", field.path));
        }
    }
    out
}

fn header(change: &Change, color: bool) -> String {
    let glyph_text = paint(glyph(change.action), glyph_color(change.action), color);
    let mut header = format!("{glyph_text} {}", change.kind.label());
    // Singletons are named by their kind alone; the account by its slug.
    if !change.kind.is_singleton() || change.kind == ObjectKind::Account {
        header.push(' ');
        header.push_str(&quote(&change.key));
    }
    if let Some(old) = change.renamed_from() {
        header.push_str(&format!(" (renamed from {})", quote(old)));
    }
    if change.destructive {
        header.push_str(&paint(" (destructive)", "1;31", color));
    }
    if change.spend {
        header.push_str(&paint(" $", "1;33", color));
    }
    header
}

fn line(out: &mut String, text: &str) {
    out.push_str(INDENT);
    out.push_str(text);
    out.push('\n');
}

/// The key as a JSON string literal, so spaces and quotes inside it stay visible.
fn quote(key: &str) -> String {
    serde_json::Value::from(key).to_string()
}

fn glyph_color(action: Action) -> &'static str {
    match action {
        Action::Create => "32",
        Action::Update => "33",
        Action::Rename => "36",
        Action::Replace => "1;35",
        Action::Remove => "31",
        Action::Manual => "34",
    }
}

/// `text` in the ANSI style `code` when `color`.
fn paint(text: &str, code: &str, color: bool) -> String {
    if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
}
