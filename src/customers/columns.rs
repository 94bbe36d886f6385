//! The columns of a customer file: what the account offers (its custom fields and tags),
//! and what each column of a given header stands for.

use std::collections::{HashMap, HashSet};

use super::error::CustomersError;
use super::field::FieldSpec;
use crate::state::{CustomField, Tag};

/// The fixed columns, in file order; one column per custom field key follows them.
pub const FIXED_COLUMNS: [&str; 5] = ["first_name", "last_name", "email", "phone", "tags"];

/// Separates tag names in the `tags` cell.
pub const TAG_SEPARATOR: char = ';';

/// What the account knows that a customer file refers to.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The account's custom fields, in the account's order; `None` when the server does not
    /// list them, and any extra column is then taken as text.
    fields: Option<Vec<FieldSpec>>,
    /// Tag names by their lower-case form; `None` when the server does not list tags, and
    /// any tag is then let through for the platform to judge.
    tags: Option<HashMap<String, String>>,
}

impl Catalog {
    /// The catalog of an account's custom fields and tags, as the client read them.
    pub fn new(fields: Option<Vec<CustomField>>, tags: Option<Vec<Tag>>) -> Self {
        let fields = fields.map(|fields| fields.iter().map(FieldSpec::from).collect());
        let tags = tags
            .map(|tags| tags.into_iter().map(|tag| (tag.name.to_lowercase(), tag.name)).collect());
        Self { fields, tags }
    }

    /// The header an export writes: the fixed columns, then every custom field key.
    pub fn header(&self) -> Vec<String> {
        let fixed = FIXED_COLUMNS.iter().map(|column| (*column).to_owned());
        let fields = self.fields.iter().flatten().map(|field| field.key.clone());
        fixed.chain(fields).collect()
    }

    /// The custom fields in column order.
    pub fn fields(&self) -> &[FieldSpec] {
        self.fields.as_deref().unwrap_or_default()
    }

    /// The tag as the account spells it (tags match regardless of case); `None` when the
    /// account has no such tag.
    pub fn tag(&self, name: &str) -> Option<String> {
        match &self.tags {
            Some(tags) => tags.get(&name.to_lowercase()).cloned(),
            None => Some(name.to_owned()),
        }
    }

    fn field(&self, key: &str) -> Option<FieldSpec> {
        match &self.fields {
            Some(fields) => fields.iter().find(|field| field.key == key).cloned(),
            None => Some(FieldSpec::text(key)),
        }
    }
}

/// What one column of a file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    FirstName,
    LastName,
    Email,
    Phone,
    Tags,
    Field(FieldSpec),
}

/// The meaning of every column of one file's header, checked against the account.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    columns: Vec<Column>,
}

impl Layout {
    /// Reads a header. Columns may come in any order and any subset, as long as a `phone` or
    /// an `email` column is there to match customers by; a column left out is not touched.
    pub fn from_header<'a>(
        header: impl IntoIterator<Item = &'a str>,
        catalog: &Catalog,
    ) -> Result<Self, CustomersError> {
        let mut seen = HashSet::new();
        let mut columns = Vec::new();
        for name in header {
            let name = name.trim();
            if !seen.insert(name.to_owned()) {
                return Err(CustomersError::DuplicateColumn { column: name.to_owned() });
            }
            let column = match name {
                "first_name" => Column::FirstName,
                "last_name" => Column::LastName,
                "email" => Column::Email,
                "phone" => Column::Phone,
                "tags" => Column::Tags,
                key if key.contains(';') && catalog.field(key).is_none() => {
                    return Err(CustomersError::Semicolons { header: key.to_owned() });
                }
                key => catalog
                    .field(key)
                    .map(Column::Field)
                    .ok_or_else(|| CustomersError::UnknownColumn { column: key.to_owned() })?,
            };
            columns.push(column);
        }

        if !columns.iter().any(|column| matches!(column, Column::Phone | Column::Email)) {
            return Err(CustomersError::NoKeyColumn);
        }
        Ok(Self { columns })
    }

    /// The columns in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::model::FieldType;

    fn catalog() -> Catalog {
        let field = CustomField {
            web_id: "f_1".to_owned(),
            key: "ciudad".to_owned(),
            name: "Ciudad".to_owned(),
            field_type: FieldType::String,
            options: Vec::new(),
            customers_count: 0,
            version: 1,
        };
        let tag = Tag {
            web_id: "t_1".to_owned(),
            name: "VIP".to_owned(),
            color: None,
            customers_count: 0,
            version: 1,
        };
        Catalog::new(Some(vec![field]), Some(vec![tag]))
    }

    #[test]
    fn export_header_has_one_column_per_field() {
        assert_eq!(
            catalog().header(),
            ["first_name", "last_name", "email", "phone", "tags", "ciudad"]
        );
    }

    #[test]
    fn headers_are_checked_against_the_account() {
        let catalog = catalog();
        let layout = Layout::from_header(["ciudad", "phone"], &catalog).unwrap();
        assert_eq!(layout.columns().len(), 2);
        assert!(matches!(
            Layout::from_header(["phone", "barrio"], &catalog),
            Err(CustomersError::UnknownColumn { column }) if column == "barrio"
        ));
        assert!(matches!(
            Layout::from_header(["first_name;last_name;phone"], &catalog),
            Err(CustomersError::Semicolons { .. })
        ));
        assert!(matches!(
            Layout::from_header(["phone", "phone"], &catalog),
            Err(CustomersError::DuplicateColumn { .. })
        ));
        assert!(matches!(
            Layout::from_header(["first_name", "tags"], &catalog),
            Err(CustomersError::NoKeyColumn)
        ));
    }

    #[test]
    fn tags_match_regardless_of_case() {
        assert_eq!(catalog().tag("vip").as_deref(), Some("VIP"));
        assert_eq!(catalog().tag("Moroso"), None);
        assert_eq!(Catalog::new(None, None).tag("Moroso").as_deref(), Some("Moroso"));
    }
}
