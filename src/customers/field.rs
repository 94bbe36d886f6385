//! Custom field values in a customer file: reading a cell as the field's type, and writing a
//! stored value back as a cell.

use serde_json::{Number, Value};

use super::error::RowProblem;
use crate::manifest::model::FieldType;
use crate::state::CustomField;

/// What a cell of a custom field's column must hold.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub key: String,
    pub field_type: FieldType,
    /// The allowed values of a `list` field.
    pub options: Vec<String>,
}

impl From<&CustomField> for FieldSpec {
    fn from(field: &CustomField) -> Self {
        Self {
            key: field.key.clone(),
            field_type: field.field_type,
            options: field.options.clone(),
        }
    }
}

impl FieldSpec {
    /// A field whose type the account does not tell: every value is text.
    pub fn text(key: &str) -> Self {
        Self { key: key.to_owned(), field_type: FieldType::String, options: Vec::new() }
    }

    /// The value a non-empty cell stands for, as it is sent: numbers as numbers, booleans
    /// as booleans, a list option spelled as the field spells it.
    pub fn parse(&self, cell: &str) -> Result<Value, RowProblem> {
        let trimmed = cell.trim();
        let wrong_type = |expected: &'static str| RowProblem::WrongType {
            field: self.key.clone(),
            expected,
            value: cell.to_owned(),
        };
        match self.field_type {
            FieldType::String => Ok(Value::String(cell.to_owned())),
            FieldType::Integer => {
                trimmed.parse::<i64>().map(Value::from).map_err(|_| wrong_type("integer"))
            }
            FieldType::Float => trimmed
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| wrong_type("float")),
            FieldType::Boolean => match trimmed.to_ascii_lowercase().as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(wrong_type("boolean (`true` or `false`)")),
            },
            FieldType::Date => {
                if is_date(trimmed) {
                    Ok(Value::String(trimmed.to_owned()))
                } else {
                    Err(wrong_type("date (`YYYY-MM-DD`)"))
                }
            }
            FieldType::List => self
                .options
                .iter()
                .find(|option| option.eq_ignore_ascii_case(trimmed) || option.as_str() == trimmed)
                .map(|option| Value::String(option.clone()))
                .ok_or_else(|| RowProblem::UnknownOption {
                    field: self.key.clone(),
                    value: cell.to_owned(),
                    options: self.options.join(", "),
                }),
        }
    }

    /// Whether a stored value and a value read from a cell say the same. A stored value is
    /// read back as a cell first, so `"12"` and `12` agree for an integer field.
    pub fn same(&self, stored: &Value, wanted: &Value) -> bool {
        let text = render(stored);
        if text.is_empty() {
            return false;
        }
        match self.parse(&text) {
            Ok(Value::Number(stored)) => {
                wanted.as_f64().is_some_and(|wanted| stored.as_f64() == Some(wanted))
            }
            Ok(stored) => &stored == wanted,
            Err(_) => false,
        }
    }
}

/// A stored value as a cell: text as is, numbers and booleans in their usual spelling,
/// nothing for null.
pub fn render(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    }
}

/// `YYYY-MM-DD` naming a day of the calendar.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else { return false };
    let digits =
        |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) =
        (year.parse::<u32>(), month.parse::<u32>(), day.parse::<u32>())
    else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec(field_type: FieldType) -> FieldSpec {
        let options = vec!["Mayorista".to_owned(), "Minorista".to_owned()];
        FieldSpec { key: "k".to_owned(), field_type, options }
    }

    #[test]
    fn cells_are_read_as_their_type() {
        assert_eq!(spec(FieldType::Integer).parse(" 42 "), Ok(json!(42)));
        assert_eq!(spec(FieldType::Float).parse("2.5"), Ok(json!(2.5)));
        assert_eq!(spec(FieldType::Boolean).parse("TRUE"), Ok(json!(true)));
        assert_eq!(spec(FieldType::Date).parse("2024-02-29"), Ok(json!("2024-02-29")));
        assert_eq!(spec(FieldType::List).parse("mayorista"), Ok(json!("Mayorista")));
        assert_eq!(spec(FieldType::String).parse(" Quito"), Ok(json!(" Quito")));
    }

    #[test]
    fn wrong_values_name_the_field_and_type() {
        for (field_type, cell) in [
            (FieldType::Integer, "4.5"),
            (FieldType::Float, "NaN"),
            (FieldType::Boolean, "si"),
            (FieldType::Date, "2023-02-29"),
            (FieldType::Date, "29/02/2024"),
        ] {
            let problem = spec(field_type).parse(cell).unwrap_err();
            assert!(matches!(problem, RowProblem::WrongType { .. }), "{cell}: {problem:?}");
        }
        let problem = spec(FieldType::List).parse("Otro").unwrap_err();
        assert_eq!(
            problem.to_string(),
            "the field `k` has no option `Otro` (options: Mayorista, Minorista)"
        );
    }

    #[test]
    fn stored_values_compare_through_their_cell() {
        assert!(spec(FieldType::Integer).same(&json!("12"), &json!(12)));
        assert!(spec(FieldType::Float).same(&json!(3), &json!(3.0)));
        assert!(!spec(FieldType::Integer).same(&json!(null), &json!(12)));
        assert_eq!(render(&json!(true)), "true");
        assert_eq!(render(&json!(null)), "");
    }
}
