//! Snapshots of the three formats for one plan with every kind of change, and the limit on
//! the length of the markdown comment.

use serde_json::json;

use super::{MARKDOWN_MAX_LENGTH, json, markdown, text};
use crate::plan::fixture::{every_change, live_without_quick_replies};
use crate::plan::{Action, Change, FieldChange, Impact, ObjectKind, Plan, PlanOptions, diff};

/// The fixture's plan, with the server's preview of the changed list filled in.
fn every_change_plan() -> Plan {
    let mut plan = diff(&every_change(), &live_without_quick_replies(), &PlanOptions::default());
    for (index, _) in plan.previews_needed() {
        plan.set_preview(index, 12_340);
    }
    plan
}

#[test]
fn text_of_every_change() {
    insta::assert_snapshot!("text", text(&every_change_plan(), false));
}

#[test]
fn markdown_of_every_change() {
    insta::assert_snapshot!("markdown", markdown(&every_change_plan()));
}

#[test]
fn json_of_every_change() {
    insta::assert_snapshot!("json", json(&every_change_plan()));
}

#[test]
fn colour_only_when_asked() {
    let plan = every_change_plan();
    assert!(!text(&plan, false).contains('\x1b'));
    assert!(text(&plan, true).contains("\x1b[32m+\x1b[0m tag \"Nuevo\""));
}

#[test]
fn empty_plans_say_so_everywhere() {
    let plan = Plan::default();
    assert_eq!(text(&plan, false), "No changes. The account matches the manifest.\n");
    assert_eq!(markdown(&plan), "**No changes. The account matches the manifest.**\n");
    let document: serde_json::Value = serde_json::from_str(&json(&plan)).unwrap();
    assert_eq!(document["format_version"], 1);
    assert_eq!(document["changes"], json!([]));
}

/// 2,980 tag creates with long texts and 20 destructive replaces at the end of the plan.
fn huge_plan() -> Plan {
    let mut changes = Vec::new();
    for index in 0..2_980 {
        let mut change = Change::new(ObjectKind::Tag, Action::Create, format!("tag-{index:04}"));
        change.fields =
            vec![FieldChange::new("name", (), format!("tag-{index:04} {}", "x".repeat(40)))];
        change.reason = "in the manifest, not on the account".into();
        changes.push(change);
    }
    for index in 0..20 {
        let mut change =
            Change::new(ObjectKind::CustomField, Action::Replace, format!("field_{index:02}"));
        change.fields = vec![FieldChange::new("type", "string", "integer")];
        change.destructive = true;
        change.impact = vec![Impact::FieldValues { customers: 1_000 + index }];
        changes.push(change);
    }
    Plan { changes }
}

#[test]
fn a_huge_markdown_plan_stays_under_the_limit() {
    let plan = huge_plan();
    let comment = markdown(&plan);

    assert!(comment.len() <= MARKDOWN_MAX_LENGTH, "{} bytes", comment.len());
    assert!(
        comment.starts_with("**Plan: 2,980 to add, 0 to change, 20 to replace, 0 to remove.**")
    );
    for index in 0..20 {
        assert!(comment.contains(&format!("`field_{index:02}`")), "field_{index:02} missing");
    }
    assert!(
        comment.contains("more changes not shown; run `mercfg plan` locally for the full plan.")
    );
    // Every details block is closed.
    assert_eq!(comment.matches("<details>").count(), comment.matches("</details>").count());
}
