//! One row of a customer file, checked: every cell read as what its column holds, every
//! problem of the row found at once.

use serde_json::Value;

use super::columns::{Catalog, Column, Layout, TAG_SEPARATOR};
use super::contact::{normalize_email, normalize_phone};
use super::error::{BadRow, RowProblem};

/// A row that passed every check. Empty cells are `None` (or left out of `tags` and
/// `fields`): an import never clears a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerRow {
    /// Line of the file where the row starts.
    pub line: u64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Trimmed, as written; matched without regard to case.
    pub email: Option<String>,
    /// Normalised: `+` and the digits.
    pub phone: Option<String>,
    /// Tag names as the account spells them, without repeats.
    pub tags: Vec<String>,
    /// Custom field values by key, typed as the field is.
    pub fields: Vec<(String, Value)>,
}

/// Checks one record (its cells in the layout's column order) that starts at `line`.
pub fn check_record<'a>(
    cells: impl IntoIterator<Item = &'a str>,
    line: u64,
    layout: &Layout,
    catalog: &Catalog,
) -> Result<CustomerRow, BadRow> {
    let mut row = CustomerRow { line, ..CustomerRow::default() };
    let mut problems = Vec::new();

    for (column, cell) in layout.columns().iter().zip(cells) {
        if cell.trim().is_empty() {
            continue;
        }
        match column {
            // A name never spans lines; one that does swallowed the rows after a quote
            // left open.
            Column::FirstName | Column::LastName if cell.contains(['\n', '\r']) => {
                problems.push(RowProblem::Broken {
                    reason: "a name runs over several lines: a quote is left open".to_owned(),
                });
            }
            Column::FirstName => row.first_name = Some(cell.to_owned()),
            Column::LastName => row.last_name = Some(cell.to_owned()),
            Column::Email => match normalize_email(cell) {
                Some(_) => row.email = Some(cell.trim().to_owned()),
                None => problems.push(RowProblem::Email { value: cell.to_owned() }),
            },
            Column::Phone => match normalize_phone(cell) {
                Some(phone) => row.phone = Some(phone),
                None => problems.push(RowProblem::Phone { value: cell.to_owned() }),
            },
            Column::Tags => {
                for name in cell.split(TAG_SEPARATOR).map(str::trim).filter(|n| !n.is_empty()) {
                    match catalog.tag(name) {
                        Some(tag) if !row.tags.contains(&tag) => row.tags.push(tag),
                        Some(_) => {}
                        None => problems.push(RowProblem::UnknownTag { name: name.to_owned() }),
                    }
                }
            }
            Column::Field(spec) => match spec.parse(cell) {
                Ok(value) => row.fields.push((spec.key.clone(), value)),
                Err(problem) => problems.push(problem),
            },
        }
    }

    // A malformed phone or email is its own problem; "no key" is only for a row that
    // names neither.
    let key_given = row.phone.is_some() || row.email.is_some();
    let key_malformed =
        problems.iter().any(|p| matches!(p, RowProblem::Phone { .. } | RowProblem::Email { .. }));
    if !key_given && !key_malformed {
        problems.push(RowProblem::NoKey);
    }

    if problems.is_empty() { Ok(row) } else { Err(BadRow { line, problems }) }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::manifest::model::FieldType;
    use crate::state::{CustomField, Tag};

    fn catalog() -> Catalog {
        let field = |key: &str, field_type, options: &[&str]| CustomField {
            web_id: format!("f_{key}"),
            key: key.to_owned(),
            name: key.to_owned(),
            field_type,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            customers_count: 0,
            version: 1,
        };
        let tag = |name: &str| Tag {
            web_id: format!("t_{name}"),
            name: name.to_owned(),
            color: None,
            customers_count: 0,
            version: 1,
        };
        Catalog::new(
            Some(vec![
                field("compras", FieldType::Integer, &[]),
                field("tipo", FieldType::List, &["Mayorista", "Minorista"]),
            ]),
            Some(vec![tag("VIP"), tag("Moroso")]),
        )
    }

    fn check(line: u64, cells: &[&str]) -> Result<CustomerRow, BadRow> {
        let catalog = catalog();
        let header = ["first_name", "last_name", "email", "phone", "tags", "compras", "tipo"];
        let layout = Layout::from_header(header, &catalog).unwrap();
        check_record(cells.iter().copied(), line, &layout, &catalog)
    }

    #[test]
    fn a_good_row_is_read_as_the_account_spells_it() {
        let row = check(
            2,
            &["Ana", "", "Ana@X.ec", "+593 99 123 4567", "vip; Moroso;VIP", "3", "mayorista"],
        )
        .unwrap();
        assert_eq!(row.first_name.as_deref(), Some("Ana"));
        assert_eq!(row.last_name, None);
        assert_eq!(row.email.as_deref(), Some("Ana@X.ec"));
        assert_eq!(row.phone.as_deref(), Some("+593991234567"));
        assert_eq!(row.tags, ["VIP", "Moroso"]);
        assert_eq!(
            row.fields,
            [("compras".to_owned(), json!(3)), ("tipo".to_owned(), json!("Mayorista"))]
        );
    }

    #[test]
    fn a_name_over_several_lines_is_an_open_quote() {
        let bad = check(2, &["Ana", "Pérez\n+593991234568,Luis", "", "+593991234567", "", "", ""]);
        let bad = bad.unwrap_err();
        assert!(bad.problems[0].to_string().contains("a quote is left open"), "{bad:?}");
    }

    #[test]
    fn each_bad_cell_is_reported_with_the_line() {
        let cases: [(&[&str], RowProblem); 6] = [
            (&["", "", "", "099x", "", "", ""], RowProblem::Phone { value: "099x".to_owned() }),
            (&["", "", "ana@", "", "", "", ""], RowProblem::Email { value: "ana@".to_owned() }),
            (&["Ana", "", "", "", "", "", ""], RowProblem::NoKey),
            (
                &["", "", "", "+593991234567", "Nuevo", "", ""],
                RowProblem::UnknownTag { name: "Nuevo".to_owned() },
            ),
            (
                &["", "", "", "+593991234567", "", "tres", ""],
                RowProblem::WrongType {
                    field: "compras".to_owned(),
                    expected: "integer",
                    value: "tres".to_owned(),
                },
            ),
            (
                &["", "", "", "+593991234567", "", "", "Otro"],
                RowProblem::UnknownOption {
                    field: "tipo".to_owned(),
                    value: "Otro".to_owned(),
                    options: "Mayorista, Minorista".to_owned(),
                },
            ),
        ];
        for (line, (cells, problem)) in (10..).zip(cases) {
            let bad = check(line, cells).unwrap_err();
            assert_eq!(bad, BadRow { line, problems: vec![problem] });
        }
    }

    #[test]
    fn every_problem_of_a_row_is_reported_at_once() {
        let bad = check(7, &["", "", "a b@x", "12", "Nuevo", "x", ""]).unwrap_err();
        assert_eq!(bad.problems.len(), 4, "{bad}");
        assert!(bad.to_string().starts_with("line 7: the email `a b@x` is not an email address; "));
    }
}
