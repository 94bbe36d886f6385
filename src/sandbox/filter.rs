//! Customer-list filters: checked against the account's tags, fields and agents, and
//! evaluated over its customers.

use std::collections::HashMap;

use rusqlite::Connection;
use serde_json::Value;

use super::customers::{self, Customer};
use super::reply::ApiError;
use super::{agents, objects};
use crate::clock;
use crate::manifest::model::{Channel, FieldCondition, FieldOp, FieldType, Filter, FilterNode};
use crate::state::{CustomField, Tag};

/// What a filter may name: tags by lowercased name, fields by key, agents by lowercased
/// email.
#[derive(Debug, Default)]
pub struct Catalog {
    tags: HashMap<String, String>,
    fields: HashMap<String, CustomField>,
    agents: HashMap<String, i64>,
}

impl Catalog {
    /// Reads the account's tags, custom fields and agents.
    pub fn load(db: &Connection, account: i64) -> Result<Self, ApiError> {
        // A tag's identity is its lowercased name.
        let tags = objects::identities::<Tag>(db, account)?.into_iter().collect();
        let fields = objects::all::<CustomField>(db, account)?
            .into_iter()
            .map(|field| (field.key.clone(), field))
            .collect();
        let agents = agents::ids_by_email(db, account)?;
        Ok(Self { tags, fields, agents })
    }

    /// Every reference in `filter` that names nothing, or an op that does not suit its field.
    pub fn problems(&self, filter: &Filter) -> Vec<String> {
        let mut problems = Vec::new();
        self.collect_problems(filter, &mut problems);
        problems
    }

    fn collect_problems(&self, filter: &Filter, problems: &mut Vec<String>) {
        match filter {
            Filter::Field(condition) => self.field_problems(condition, problems),
            Filter::Node(FilterNode::All(items) | FilterNode::Any(items)) => {
                items.iter().for_each(|item| self.collect_problems(item, problems));
            }
            Filter::Node(FilterNode::Not(inner)) => self.collect_problems(inner, problems),
            Filter::Node(FilterNode::HasTag(name)) => {
                if !self.tags.contains_key(&name.to_lowercase()) {
                    problems.push(format!("filter names unknown tag `{name}`"));
                }
            }
            Filter::Node(FilterNode::AssignedTo(email)) => {
                if !self.agents.contains_key(&email.to_lowercase()) {
                    problems.push(format!("filter names unknown member `{email}`"));
                }
            }
            Filter::Node(
                FilterNode::CreatedWithin(duration) | FilterNode::LastInteractionWithin(duration),
            ) => {
                if clock::parse_duration(duration).is_none() {
                    problems.push(format!("`{duration}` is not a duration such as `30d`"));
                }
            }
            Filter::Node(FilterNode::Channel(_)) => {}
        }
    }

    fn field_problems(&self, condition: &FieldCondition, problems: &mut Vec<String>) {
        let Some(field) = self.fields.get(&condition.field) else {
            problems.push(format!("filter names unknown field `{}`", condition.field));
            return;
        };
        let suits = match condition.op {
            FieldOp::Equals | FieldOp::NotEquals | FieldOp::IsSet => true,
            FieldOp::Contains => field.field_type == FieldType::String,
            FieldOp::GreaterThan | FieldOp::LessThan => {
                matches!(field.field_type, FieldType::Integer | FieldType::Float | FieldType::Date)
            }
            FieldOp::In => {
                matches!(field.field_type, FieldType::String | FieldType::List | FieldType::Integer)
            }
        };
        if !suits {
            problems
                .push(format!("op `{:?}` does not suit field `{}`", condition.op, condition.field));
        }
        if condition.op != FieldOp::IsSet && condition.value.is_none() {
            problems.push(format!("the condition on `{}` needs a `value`", condition.field));
        }
        if field.field_type == FieldType::List {
            let values = match &condition.value {
                Some(Value::Array(values)) => values.iter().collect(),
                Some(value) => vec![value],
                None => vec![],
            };
            for value in values {
                let text = plain(value);
                if !field.options.contains(&text) {
                    problems.push(format!(
                        "filter names unknown option `{text}` of field `{}`",
                        condition.field
                    ));
                }
            }
        }
    }

    /// Customers of `rows` matching `filter` now.
    pub fn count(&self, filter: &Filter, rows: &[customers::Row]) -> u64 {
        let now = clock::now();
        let test = self.resolve(filter);
        rows.iter().filter(|row| test.matches(&row.customer, now)).count() as u64
    }

    /// The filter with its names looked up and its durations read, once for every customer
    /// it is tested on. A name that names nothing matches no one.
    fn resolve<'a>(&'a self, filter: &'a Filter) -> Test<'a> {
        let seconds = |duration: &str| clock::parse_duration(duration);
        match filter {
            Filter::Field(condition) => Test::Field(condition),
            Filter::Node(FilterNode::All(items)) => {
                Test::All(items.iter().map(|item| self.resolve(item)).collect())
            }
            Filter::Node(FilterNode::Any(items)) => {
                Test::Any(items.iter().map(|item| self.resolve(item)).collect())
            }
            Filter::Node(FilterNode::Not(inner)) => Test::Not(Box::new(self.resolve(inner))),
            Filter::Node(FilterNode::HasTag(name)) => {
                Test::Tag(self.tags.get(&name.to_lowercase()).map(String::as_str))
            }
            Filter::Node(FilterNode::Channel(channel)) => Test::Channel(*channel),
            Filter::Node(FilterNode::AssignedTo(email)) => {
                Test::AssignedTo(self.agents.get(&email.to_lowercase()).copied())
            }
            Filter::Node(FilterNode::CreatedWithin(duration)) => {
                Test::CreatedWithin(seconds(duration))
            }
            Filter::Node(FilterNode::LastInteractionWithin(duration)) => {
                Test::LastInteractionWithin(seconds(duration))
            }
        }
    }
}

/// A filter resolved against a [`Catalog`].
enum Test<'a> {
    Field(&'a FieldCondition),
    All(Vec<Test<'a>>),
    Any(Vec<Test<'a>>),
    Not(Box<Test<'a>>),
    /// The tag's `web_id`.
    Tag(Option<&'a str>),
    Channel(Channel),
    /// The agent's id.
    AssignedTo(Option<i64>),
    CreatedWithin(Option<i64>),
    LastInteractionWithin(Option<i64>),
}

impl Test<'_> {
    fn matches(&self, customer: &Customer, now: i64) -> bool {
        let within = |seconds: &Option<i64>, instant: i64| {
            seconds.is_some_and(|seconds| now - instant <= seconds)
        };
        match self {
            Test::Field(condition) => field_matches(condition, customer),
            Test::All(items) => items.iter().all(|item| item.matches(customer, now)),
            Test::Any(items) => items.iter().any(|item| item.matches(customer, now)),
            Test::Not(inner) => !inner.matches(customer, now),
            Test::Tag(web_id) => web_id.is_some_and(|id| customer.tags.iter().any(|t| t == id)),
            Test::Channel(channel) => customer.channel == *channel,
            Test::AssignedTo(agent) => agent.is_some() && customer.assigned_agent_id == *agent,
            Test::CreatedWithin(seconds) => within(seconds, customer.created_at),
            Test::LastInteractionWithin(seconds) => within(seconds, customer.last_interaction_at),
        }
    }
}

fn field_matches(condition: &FieldCondition, customer: &Customer) -> bool {
    let Some(actual) = customer.fields.get(&condition.field).filter(|v| !v.is_null()) else {
        return false;
    };
    let expected = condition.value.as_ref();
    match condition.op {
        FieldOp::IsSet => true,
        FieldOp::Equals => expected.is_some_and(|e| same(actual, e)),
        FieldOp::NotEquals => expected.is_some_and(|e| !same(actual, e)),
        FieldOp::Contains => expected.is_some_and(|e| plain(actual).contains(&plain(e))),
        FieldOp::GreaterThan => expected.is_some_and(|e| order(actual, e).is_gt()),
        FieldOp::LessThan => expected.is_some_and(|e| order(actual, e).is_lt()),
        FieldOp::In => match expected {
            Some(Value::Array(values)) => values.iter().any(|e| same(actual, e)),
            Some(value) => same(actual, value),
            None => false,
        },
    }
}

/// A value as text: strings without quotes, everything else as JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Equality that forgives `"5"` against `5`, as values arrive as text from forms.
fn same(a: &Value, b: &Value) -> bool {
    plain(a) == plain(b) || order(a, b).is_eq() && as_number(a).is_some()
}

fn as_number(value: &Value) -> Option<f64> {
    value.as_f64().or_else(|| value.as_str().and_then(|text| text.trim().parse().ok()))
}

/// Numbers compare as numbers; anything else (dates included) as text.
fn order(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (as_number(a), as_number(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        _ => plain(a).cmp(&plain(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Catalog {
        fn matches(&self, filter: &Filter, customer: &Customer, now: i64) -> bool {
            self.resolve(filter).matches(customer, now)
        }
    }

    fn customer() -> Customer {
        Customer {
            first_name: "Ana".into(),
            last_name: None,
            email: None,
            phone: None,
            channel: Channel::Whatsapp,
            assigned_agent_id: Some(1),
            open_chat: true,
            created_at: 1_000,
            last_interaction_at: 5_000,
            tags: vec!["t_1".into()],
            fields: [("ciudad".to_owned(), Value::from("Quito")), ("edad".into(), 30.into())]
                .into_iter()
                .collect(),
        }
    }

    fn catalog() -> Catalog {
        Catalog {
            tags: [("vip".to_owned(), "t_1".to_owned())].into_iter().collect(),
            fields: HashMap::new(),
            agents: [("ana@x.ec".to_owned(), 1)].into_iter().collect(),
        }
    }

    fn filter(json: &str) -> Filter {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn evaluates_combinations_and_leaves() {
        let c = catalog();
        let f = filter(
            r#"{"all": [{"has_tag": "VIP"}, {"field": "ciudad", "op": "equals", "value": "Quito"},
                {"not": {"channel": "instagram"}}, {"assigned_to": "ANA@x.ec"},
                {"field": "edad", "op": "greater_than", "value": 18}]}"#,
        );
        assert!(c.matches(&f, &customer(), 6_000));
        assert!(!c.matches(&filter(r#"{"has_tag": "Moroso"}"#), &customer(), 6_000));
        assert!(c.matches(&filter(r#"{"last_interaction_within": "1h"}"#), &customer(), 6_000));
        assert!(!c.matches(&filter(r#"{"created_within": "1h"}"#), &customer(), 9_000));
    }

    #[test]
    fn reports_unknown_references() {
        let problems = catalog().problems(&filter(
            r#"{"any": [{"has_tag": "Nope"}, {"assigned_to": "x@y.z"},
                {"field": "ciudad", "op": "equals", "value": "Quito"}]}"#,
        ));
        assert_eq!(problems.len(), 3, "{problems:?}");
    }
}
