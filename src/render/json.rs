//! The plan as a versioned JSON document for programs; `docs/plan-json.md` describes it.

use serde_json::{Value, json};

use crate::plan::{Change, Plan};

/// Version of the document's shape; raised on any change that could break a reader.
pub const FORMAT_VERSION: u32 = 1;

/// `{"format_version": 1, "summary": {...}, "changes": [...]}`, pretty-printed, with a
/// final newline.
pub fn json(plan: &Plan) -> String {
    let summary = plan.summary();
    let document = json!({
        "format_version": FORMAT_VERSION,
        "summary": {
            "text": summary.to_string(),
            "add": summary.add,
            "change": summary.change,
            "rename": summary.rename,
            "replace": summary.replace,
            "remove": summary.remove,
            "manual": summary.manual,
            "spend": summary.spend,
            "destructive": summary.destructive,
        },
        "changes": plan.changes.iter().map(change).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// A change as serde writes it, plus its level and each impact's sentence.
fn change(change: &Change) -> Value {
    let mut value = serde_json::to_value(change).unwrap_or(Value::Null);
    let Value::Object(map) = &mut value else { return value };
    map.insert("level".into(), json!(change.level()));
    if let Some(Value::Array(impacts)) = map.get_mut("impact") {
        for (impact, typed) in impacts.iter_mut().zip(&change.impact) {
            if let Value::Object(impact) = impact {
                impact.insert("message".into(), json!(typed.to_string()));
            }
        }
    }
    value
}
