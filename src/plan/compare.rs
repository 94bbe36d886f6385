//! Equality as a reviewer means it: no false diffs from order, case, whitespace or floats.
//!
//! The server may return lists in any order, emails in another case, texts with a trailing
//! newline and money as binary floats; none of those is a change.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::clock::parse_duration;

use super::change::FieldChange;

/// Texts equal but for whitespace at the end of lines and of the text.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let a = a.trim_end().lines().map(str::trim_end);
    let b = b.trim_end().lines().map(str::trim_end);
    a.eq(b)
}

/// Lists equal as sets: order and repeats do not matter.
pub(crate) fn same_set<T: Ord + Clone>(a: &[T], b: &[T]) -> bool {
    sorted(a) == sorted(b)
}

/// Names equal as sets, compared case-insensitively and trimmed (emails).
pub(crate) fn same_names_folded(a: &[String], b: &[String]) -> bool {
    let fold_all = |names: &[String]| {
        let mut folded: Vec<String> = names.iter().map(|name| fold(name)).collect();
        folded.sort();
        folded.dedup();
        folded
    };
    fold_all(a) == fold_all(b)
}

/// A sorted copy without repeats.
pub(crate) fn sorted<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut items = items.to_vec();
    items.sort();
    items.dedup();
    items
}

/// The identity form of a case-insensitive key: trimmed, lowercase.
pub(crate) fn fold(key: &str) -> String {
    key.trim().to_lowercase()
}

/// Money in cents, so `10.1 + 0.2` and `10.3` compare equal.
pub(crate) fn cents(amount: f64) -> i64 {
    (amount * 100.0).round() as i64
}

/// Optional strings equal when both trimmed are the same and empty counts as absent.
pub(crate) fn same_optional_text(a: Option<&str>, b: Option<&str>) -> bool {
    fn normal(text: Option<&str>) -> Option<&str> {
        text.map(str::trim).filter(|text| !text.is_empty())
    }
    normal(a) == normal(b)
}

/// Durations equal by length: `60m` is `1h`. Unparseable ones compare as written.
pub(crate) fn same_duration(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => match (parse_duration(a.trim()), parse_duration(b.trim())) {
            (Some(a), Some(b)) => a == b,
            _ => a.trim() == b.trim(),
        },
        (None, None) => true,
        _ => false,
    }
}

/// Field-level differences of one object, and the body that would write them.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    pub changes: Vec<FieldChange>,
    pub body: Map<String, Value>,
}

impl Fields {
    /// Records `path` as changed unless `same`; the body gets the desired value.
    pub fn compare<T: Serialize + ?Sized>(
        &mut self,
        path: &str,
        before: &T,
        after: &T,
        same: bool,
    ) {
        if same {
            return;
        }
        let change = FieldChange::new(path, before, after);
        self.body.insert(path.to_owned(), change.after.clone());
        self.changes.push(change);
    }

    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Every field of a desired object as a field change from nothing, for creates and manual
/// steps.
pub(crate) fn all_fields(body: &Value) -> Vec<FieldChange> {
    let Value::Object(map) = body else { return Vec::new() };
    map.iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(path, value)| FieldChange {
            path: path.clone(),
            before: Value::Null,
            after: value.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_ignore_trailing_whitespace_only() {
        assert!(same_text("Hola\n", "Hola"));
        assert!(same_text("Hola  \nmundo", "Hola\nmundo\n\n"));
        assert!(!same_text(" Hola", "Hola"));
        assert!(!same_text("Hola mundo", "Hola  mundo"));
    }

    #[test]
    fn money_compares_in_cents() {
        assert_eq!(cents(0.1 + 0.2), cents(0.3));
        assert_ne!(cents(10.0), cents(10.01));
    }

    #[test]
    fn durations_compare_by_length() {
        assert!(same_duration(Some("60m"), Some("1h")));
        assert!(!same_duration(Some("5m"), Some("15m")));
        assert!(!same_duration(Some("5m"), None));
    }

    #[test]
    fn emails_compare_as_folded_sets() {
        let a = vec!["Ana@Andina.ec".to_owned(), "b@x.ec".to_owned()];
        let b = vec!["b@x.ec".to_owned(), "ana@andina.ec".to_owned()];
        assert!(same_names_folded(&a, &b));
    }
}
