//! The pure step of an import: what one checked row changes on the customer it matches.
//! No I/O; the executor sends what this decides.

use serde_json::Value;

use super::columns::Catalog;
use super::contact::normalize_phone;
use super::field::{FieldSpec, render};
use super::index::Known;
use super::row::CustomerRow;
use crate::platform::{CustomerDraft, CustomerFieldValue, CustomerId, TagAssignment};

/// What a row does.
#[derive(Debug, Clone, PartialEq)]
pub enum RowChange {
    /// No customer has the row's phone or email.
    Create { draft: CustomerDraft },
    /// The row changes these fields of an existing customer (`id` is `None` for a customer
    /// a dry run would have created earlier in the file).
    Update { id: Option<CustomerId>, draft: CustomerDraft, changes: Vec<FieldChange> },
    /// The customer already holds everything the row says.
    Unchanged,
}

/// One field of one customer, before and after, as cells.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What `row` does to `existing` (`None`: no customer matched).
///
/// Tags are only added and values only set: a row never takes a tag off or clears a value,
/// so a file with fewer columns or empty cells leaves the rest of a customer as it is.
pub fn change_for(row: &CustomerRow, existing: Option<&Known>, catalog: &Catalog) -> RowChange {
    let Some(existing) = existing else {
        let draft = CustomerDraft {
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            email: row.email.clone(),
            phone: row.phone.clone(),
            tags: assignments(&row.tags),
            custom_fields: row.fields.iter().map(|(key, value)| field_value(key, value)).collect(),
        };
        return RowChange::Create { draft };
    };

    let mut draft = CustomerDraft::default();
    let mut changes = Vec::new();
    let mut note = |field: &str, before: Option<&str>, after: &str| {
        let before = before.unwrap_or_default().to_owned();
        changes.push(FieldChange { field: field.to_owned(), before, after: after.to_owned() });
    };

    if let Some(wanted) = &row.first_name
        && existing.first_name.as_ref() != Some(wanted)
    {
        note("first_name", existing.first_name.as_deref(), wanted);
        draft.first_name = Some(wanted.clone());
    }
    if let Some(wanted) = &row.last_name
        && existing.last_name.as_ref() != Some(wanted)
    {
        note("last_name", existing.last_name.as_deref(), wanted);
        draft.last_name = Some(wanted.clone());
    }
    if let Some(wanted) = &row.email {
        let same =
            existing.email.as_deref().is_some_and(|email| email.eq_ignore_ascii_case(wanted));
        if !same {
            note("email", existing.email.as_deref(), wanted);
            draft.email = Some(wanted.clone());
        }
    }
    if let Some(wanted) = &row.phone
        && existing.phone.as_deref().and_then(normalize_phone).as_ref() != Some(wanted)
    {
        note("phone", existing.phone.as_deref(), wanted);
        draft.phone = Some(wanted.clone());
    }

    // The whole tag set is sent, so the write means the same whether the platform merges
    // tag assignments one by one or replaces the list.
    let has = |name: &String| existing.tags.iter().any(|tag| tag.eq_ignore_ascii_case(name));
    let added: Vec<&String> = row.tags.iter().filter(|name| !has(name)).collect();
    if !added.is_empty() {
        let mut tags = existing.tags.clone();
        tags.extend(added.into_iter().cloned());
        note("tags", Some(&existing.tags.join(";")), &tags.join(";"));
        draft.tags = assignments(&tags);
    }

    // Likewise every custom field value is sent once one changes.
    let mut fields = existing.fields.clone();
    let mut fields_changed = false;
    for (key, wanted) in &row.fields {
        let spec = catalog
            .fields()
            .iter()
            .find(|spec| &spec.key == key)
            .cloned()
            .unwrap_or_else(|| FieldSpec::text(key));
        let slot = fields.iter_mut().find(|(name, _)| name == key);
        let before = slot.as_ref().map(|(_, value)| value.clone()).unwrap_or(Value::Null);
        if spec.same(&before, wanted) {
            continue;
        }
        note(key, Some(&render(&before)), &render(wanted));
        fields_changed = true;
        match slot {
            Some((_, value)) => *value = wanted.clone(),
            None => fields.push((key.clone(), wanted.clone())),
        }
    }
    if fields_changed {
        draft.custom_fields = fields.iter().map(|(key, value)| field_value(key, value)).collect();
    }

    if changes.is_empty() {
        RowChange::Unchanged
    } else {
        RowChange::Update { id: existing.id.clone(), draft, changes }
    }
}

/// What the customer holds after the change, as a dry run assumes it.
pub fn after_change(existing: Option<&Known>, change: &RowChange) -> Option<Known> {
    let draft = match change {
        RowChange::Unchanged => return None,
        RowChange::Create { draft } | RowChange::Update { draft, .. } => draft,
    };
    let mut known = existing.cloned().unwrap_or_default();
    let set = |slot: &mut Option<String>, value: &Option<String>| {
        if value.is_some() {
            slot.clone_from(value);
        }
    };
    set(&mut known.first_name, &draft.first_name);
    set(&mut known.last_name, &draft.last_name);
    set(&mut known.email, &draft.email);
    set(&mut known.phone, &draft.phone);
    if !draft.tags.is_empty() {
        known.tags = draft.tags.iter().map(|tag| tag.name.clone()).collect();
    }
    if !draft.custom_fields.is_empty() {
        known.fields = draft
            .custom_fields
            .iter()
            .map(|field| (field.field_name.clone(), field.field_content.clone()))
            .collect();
    }
    Some(known)
}

fn assignments(tags: &[String]) -> Vec<TagAssignment> {
    tags.iter().map(|name| TagAssignment { name: name.clone(), value: true }).collect()
}

fn field_value(key: &str, value: &Value) -> CustomerFieldValue {
    CustomerFieldValue { field_name: key.to_owned(), field_content: value.clone() }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn existing() -> Known {
        Known {
            id: Some(CustomerId::Number(5)),
            first_name: Some("Ana".to_owned()),
            last_name: None,
            email: Some("Ana@X.ec".to_owned()),
            phone: Some("+593 99 123 4567".to_owned()),
            tags: vec!["VIP".to_owned()],
            fields: vec![("ciudad".to_owned(), json!("Quito"))],
        }
    }

    fn row() -> CustomerRow {
        CustomerRow {
            line: 2,
            first_name: Some("Ana".to_owned()),
            email: Some("ana@x.ec".to_owned()),
            phone: Some("+593991234567".to_owned()),
            tags: vec!["vip".to_owned()],
            fields: vec![("ciudad".to_owned(), json!("Quito"))],
            ..CustomerRow::default()
        }
    }

    #[test]
    fn a_row_saying_what_the_customer_holds_changes_nothing() {
        assert_eq!(
            change_for(&row(), Some(&existing()), &Catalog::default()),
            RowChange::Unchanged
        );
    }

    #[test]
    fn updates_send_only_changed_parts_but_whole_sets() {
        let mut row = row();
        row.last_name = Some("Pérez".to_owned());
        row.tags.push("Moroso".to_owned());
        row.fields.push(("compras".to_owned(), json!(3)));
        let RowChange::Update { id, draft, changes } =
            change_for(&row, Some(&existing()), &Catalog::default())
        else {
            panic!("expected an update");
        };
        assert_eq!(id, Some(CustomerId::Number(5)));
        assert_eq!(draft.first_name, None);
        assert_eq!(draft.last_name.as_deref(), Some("Pérez"));
        assert_eq!(draft.tags.len(), 2);
        assert_eq!(draft.custom_fields.len(), 2);
        let fields: Vec<&str> = changes.iter().map(|change| change.field.as_str()).collect();
        assert_eq!(fields, ["last_name", "tags", "compras"]);
        assert_eq!(changes[1].after, "VIP;Moroso");
    }

    #[test]
    fn a_dry_run_sees_its_own_creates() {
        let change = change_for(&row(), None, &Catalog::default());
        assert!(matches!(change, RowChange::Create { .. }));
        let known = after_change(None, &change).unwrap();
        assert_eq!(known.id, None);
        assert_eq!(change_for(&row(), Some(&known), &Catalog::default()), RowChange::Unchanged);
    }
}
