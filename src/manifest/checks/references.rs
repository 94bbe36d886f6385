//! References between sections: members' roles and teams, what customer-list filters name
//! (tags, fields, options, members) and whether their comparisons suit the field, alert
//! recipients, the admin minimum and the top-up minimum.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::Finding;
use super::identity::type_name;
use crate::manifest::diagnostic::Problem;
use crate::manifest::model::{
    CustomField, FieldCondition, FieldOp, FieldType, Filter, FilterNode, Manifest, PlatformRole,
};
use crate::manifest::suggest;

const PLATFORM_ROLES: [&str; 3] = ["admin", "supervisor", "agent"];

pub(super) fn check(manifest: &Manifest, findings: &mut Vec<Finding>) {
    members(manifest, findings);
    if let Some(lists) = &manifest.customer_lists {
        let declared = Declared::new(manifest);
        for (index, list) in lists.iter().enumerate() {
            filter(&declared, &list.filter, format!("/customer_lists/{index}/filter"), findings);
        }
    }
    balance(manifest, findings);
    min_admins(manifest, findings);
}

fn members(manifest: &Manifest, findings: &mut Vec<Finding>) {
    let Some(members) = &manifest.members else { return };
    let mut roles: Vec<&str> = PLATFORM_ROLES.to_vec();
    roles.extend(manifest.roles.iter().flat_map(|roles| roles.keys().map(String::as_str)));
    let teams: Option<Vec<&str>> =
        manifest.teams.as_ref().map(|teams| teams.iter().map(|team| team.name.as_str()).collect());

    for (index, member) in members.iter().enumerate() {
        if !roles.contains(&member.role.as_str()) {
            let help = suggest::help(&member.role, roles.iter().copied(), "roles");
            let problem = Problem::Undefined { kind: "role", name: member.role.clone(), help };
            findings.push(Finding::new(format!("/members/{index}/role"), problem, "no such role"));
        }
        // Teams are only checked when the manifest manages them; otherwise they are live.
        let Some(teams) = &teams else { continue };
        for (position, team) in member.teams.iter().enumerate() {
            if !teams.contains(&team.as_str()) {
                let help = suggest::help(team, teams.iter().copied(), "teams");
                let problem = Problem::Undefined { kind: "team", name: team.clone(), help };
                let pointer = format!("/members/{index}/teams/{position}");
                findings.push(Finding::new(pointer, problem, "no such team"));
            }
        }
    }
}

/// What filters may name, looked up once for all the lists: tags and member emails in
/// lower case (the platform ignores their case), fields by key. `None` where the manifest
/// leaves the section unmanaged, so its names are live and not checked.
struct Declared<'a> {
    manifest: &'a Manifest,
    tags: Option<HashSet<String>>,
    emails: Option<HashSet<String>>,
    fields: Option<HashMap<&'a str, &'a CustomField>>,
}

impl<'a> Declared<'a> {
    fn new(manifest: &'a Manifest) -> Self {
        Self {
            manifest,
            tags: manifest
                .tags
                .as_ref()
                .map(|tags| tags.iter().map(|tag| tag.name.to_lowercase()).collect()),
            emails: manifest
                .members
                .as_ref()
                .map(|members| members.iter().map(|member| member.email.to_lowercase()).collect()),
            // Reversed, so that of two fields with one key (an error of its own) the first wins.
            fields: manifest.custom_fields.as_ref().map(|fields| {
                fields.iter().rev().map(|field| (field.key.as_str(), field)).collect()
            }),
        }
    }
}

fn filter(declared: &Declared, filter_: &Filter, pointer: String, findings: &mut Vec<Finding>) {
    let manifest = declared.manifest;
    match filter_ {
        Filter::Field(condition) => field_condition(declared, condition, &pointer, findings),
        Filter::Node(FilterNode::All(filters) | FilterNode::Any(filters)) => {
            let key =
                if matches!(filter_, Filter::Node(FilterNode::All(_))) { "all" } else { "any" };
            for (index, inner) in filters.iter().enumerate() {
                filter(declared, inner, format!("{pointer}/{key}/{index}"), findings);
            }
        }
        Filter::Node(FilterNode::Not(inner)) => {
            filter(declared, inner, format!("{pointer}/not"), findings)
        }
        Filter::Node(FilterNode::HasTag(tag)) => {
            let (Some(tags), Some(lower)) = (&manifest.tags, &declared.tags) else { return };
            if !lower.contains(&tag.to_lowercase()) {
                let help = suggest::help(tag, tags.iter().map(|t| t.name.as_str()), "tags");
                let problem = Problem::Undefined { kind: "tag", name: tag.clone(), help };
                findings.push(Finding::new(format!("{pointer}/has_tag"), problem, "no such tag"));
            }
        }
        Filter::Node(FilterNode::AssignedTo(email)) => {
            let (Some(members), Some(lower)) = (&manifest.members, &declared.emails) else {
                return;
            };
            if !lower.contains(&email.to_lowercase()) {
                let emails = members.iter().map(|member| member.email.as_str());
                let help = suggest::help(email, emails, "members");
                let problem = Problem::Undefined { kind: "member", name: email.clone(), help };
                findings.push(Finding::new(
                    format!("{pointer}/assigned_to"),
                    problem,
                    "no such member",
                ));
            }
        }
        Filter::Node(
            FilterNode::Channel(_)
            | FilterNode::CreatedWithin(_)
            | FilterNode::LastInteractionWithin(_),
        ) => {}
    }
}

fn field_condition(
    declared: &Declared,
    condition: &FieldCondition,
    pointer: &str,
    findings: &mut Vec<Finding>,
) {
    let (Some(fields), Some(by_key)) = (&declared.manifest.custom_fields, &declared.fields) else {
        return;
    };
    let Some(&field) = by_key.get(condition.field.as_str()) else {
        let help =
            suggest::help(&condition.field, fields.iter().map(|f| f.key.as_str()), "custom fields");
        let problem =
            Problem::Undefined { kind: "custom field", name: condition.field.clone(), help };
        findings.push(Finding::new(format!("{pointer}/field"), problem, "no such field"));
        return;
    };

    let field_type = field.field_type;
    if !op_applies(condition.op, field_type) {
        let applicable: Vec<&str> = ALL_OPS
            .iter()
            .filter(|(op, _)| op_applies(*op, field_type))
            .map(|(_, name)| *name)
            .collect();
        let problem = Problem::OpNotForType {
            op: op_name(condition.op).to_owned(),
            field: field.key.clone(),
            field_type: type_name(field_type),
            help: Some(format!(
                "comparisons for a {} field: {}",
                type_name(field_type),
                suggest::list(&applicable)
            )),
        };
        findings.push(Finding::new(format!("{pointer}/op"), problem, "not for this type"));
        return;
    }

    let value_pointer = format!("{pointer}/value");
    match (&condition.value, condition.op) {
        (None, FieldOp::IsSet) => {}
        (Some(_), FieldOp::IsSet) => {
            findings.push(value_type(
                &value_pointer,
                &field.key,
                "left out: `is_set` takes no value",
                None,
            ));
        }
        (None, _) => findings.push(value_type(pointer, &field.key, "given as `value`", None)),
        (Some(Value::Array(items)), FieldOp::In) => {
            for (index, item) in items.iter().enumerate() {
                check_value(item, field, &format!("{value_pointer}/{index}"), findings);
            }
        }
        (Some(_), FieldOp::In) => {
            findings.push(value_type(
                &value_pointer,
                &field.key,
                "a list of values for `in`",
                None,
            ));
        }
        (Some(value), _) => check_value(value, field, &value_pointer, findings),
    }
}

/// Checks one compared value against the field's type and, for lists, its options.
fn check_value(value: &Value, field: &CustomField, pointer: &str, findings: &mut Vec<Finding>) {
    let fits = match field.field_type {
        FieldType::String => value.is_string(),
        FieldType::Integer => value.is_i64() || value.is_u64(),
        FieldType::Float => value.is_number(),
        FieldType::Boolean => value.is_boolean(),
        FieldType::Date => value.as_str().is_some_and(is_date),
        FieldType::List => value.is_string(),
    };
    if !fits {
        let expected = match field.field_type {
            FieldType::String => "a string",
            FieldType::Integer => "a whole number",
            FieldType::Float => "a number",
            FieldType::Boolean => "`true` or `false`",
            FieldType::Date => "a date, `YYYY-MM-DD`",
            FieldType::List => "one of the field's options",
        };
        findings.push(value_type(pointer, &field.key, expected, None));
        return;
    }
    if let (FieldType::List, Some(text)) = (field.field_type, value.as_str())
        && !field.options.iter().any(|option| option == text)
    {
        let help = suggest::help(text, field.options.iter().map(String::as_str), "options");
        let problem = Problem::Undefined { kind: "option", name: text.to_owned(), help };
        findings.push(Finding::new(
            pointer.to_owned(),
            problem,
            format!("not an option of `{}`", field.key),
        ));
    }
}

fn value_type(pointer: &str, field: &str, expected: &str, help: Option<String>) -> Finding {
    let problem =
        Problem::ValueType { field: field.to_owned(), expected: expected.to_owned(), help };
    Finding::new(pointer.to_owned(), problem, "wrong value")
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() })
}

const ALL_OPS: [(FieldOp, &str); 7] = [
    (FieldOp::Equals, "equals"),
    (FieldOp::NotEquals, "not_equals"),
    (FieldOp::Contains, "contains"),
    (FieldOp::GreaterThan, "greater_than"),
    (FieldOp::LessThan, "less_than"),
    (FieldOp::In, "in"),
    (FieldOp::IsSet, "is_set"),
];

fn op_name(op: FieldOp) -> &'static str {
    ALL_OPS.iter().find(|(candidate, _)| *candidate == op).map_or("?", |(_, name)| name)
}

/// Whether a comparison is meaningful for a field type.
fn op_applies(op: FieldOp, field_type: FieldType) -> bool {
    use FieldType::*;
    match op {
        FieldOp::Equals | FieldOp::NotEquals | FieldOp::IsSet => true,
        FieldOp::Contains => field_type == String,
        FieldOp::GreaterThan | FieldOp::LessThan => matches!(field_type, Integer | Float | Date),
        FieldOp::In => matches!(field_type, String | List | Integer),
    }
}

fn balance(manifest: &Manifest, findings: &mut Vec<Finding>) {
    let Some(balance) = &manifest.balance else { return };
    if let Some(recharge) = &balance.auto_recharge
        && recharge.amount < 10.0
    {
        let problem = Problem::TopUpTooSmall { amount: recharge.amount };
        findings.push(Finding::new(
            "/balance/auto_recharge/amount".to_owned(),
            problem,
            "under 10",
        ));
    }
    let (Some(alert), Some(members)) = (&balance.low_balance_alert, &manifest.members) else {
        return;
    };
    for (index, email) in alert.notify.iter().enumerate() {
        let lower = email.to_lowercase();
        if !members.iter().any(|member| member.email.to_lowercase() == lower) {
            let help = suggest::help(email, members.iter().map(|m| m.email.as_str()), "members");
            let problem = Problem::Undefined { kind: "member", name: email.clone(), help };
            let pointer = format!("/balance/low_balance_alert/notify/{index}");
            findings.push(Finding::new(pointer, problem, "not a member"));
        }
    }
}

fn min_admins(manifest: &Manifest, findings: &mut Vec<Finding>) {
    let (Some(members), Some(min)) =
        (&manifest.members, manifest.policy.as_ref().and_then(|p| p.min_admins))
    else {
        return;
    };
    let is_admin = |role: &str| {
        role == "admin"
            || manifest
                .roles
                .as_ref()
                .and_then(|roles| roles.get(role))
                .is_some_and(|r| r.base == PlatformRole::Admin)
    };
    let found = members.iter().filter(|member| is_admin(&member.role)).count();
    if found < min as usize {
        let problem = Problem::MinAdmins { min, found };
        findings.push(Finding::new("/policy/min_admins".to_owned(), problem, "not met"));
    }
}
