//! What can go wrong with a customer file: the whole file ([`CustomersError`]) or one row
//! of it ([`BadRow`]), which is reported and skipped while the other rows go in.

use std::fmt;

use crate::platform::PlatformError;

/// An error that stops an import or export as a whole.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CustomersError {
    #[error("the customer file could not be read")]
    #[diagnostic(code(mercfg::customers::read), help("check that the file exists and is readable"))]
    Read(#[source] std::io::Error),

    #[error("the header (line 1) cannot be read: {reason}")]
    #[diagnostic(
        code(mercfg::customers::header),
        help("save the file as UTF-8 CSV whose first line names the columns")
    )]
    Header { reason: &'static str },

    #[error("the customer file is empty: it has no header line")]
    #[diagnostic(
        code(mercfg::customers::empty),
        help("start the file with a header such as `first_name,last_name,email,phone,tags`")
    )]
    Empty,

    #[error("the header (line 1) has a column `{column}` that the account has no field for")]
    #[diagnostic(
        code(mercfg::customers::unknown_column),
        help("rename or remove the column; `mercfg customers export` shows the account's columns")
    )]
    UnknownColumn { column: String },

    #[error("the header (line 1) is `{header}`: its columns are separated by `;`")]
    #[diagnostic(
        code(mercfg::customers::semicolons),
        help(
            "mercfg reads CSV with `,` between columns (and `;` between tags): save the file \
             from the spreadsheet as CSV with commas"
        )
    )]
    Semicolons { header: String },

    #[error("the header (line 1) has the column `{column}` twice")]
    #[diagnostic(code(mercfg::customers::duplicate_column), help("keep one of the two columns"))]
    DuplicateColumn { column: String },

    #[error("the header (line 1) has neither a `phone` nor an `email` column")]
    #[diagnostic(
        code(mercfg::customers::no_key_column),
        help("customers are matched by phone, then email: add at least one of the two columns")
    )]
    NoKeyColumn,

    #[error("the row starting at line {line} is longer than {limit} bytes")]
    #[diagnostic(
        code(mercfg::customers::record_too_long),
        help("a quote is probably left open on that line; close it and import again")
    )]
    RecordTooLong { line: u64, limit: usize },

    #[error("the customers could not be written out")]
    #[diagnostic(code(mercfg::customers::write), help("check the output path and free disk space"))]
    Write(#[source] std::io::Error),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Platform(#[from] PlatformError),
}

/// A row that was skipped, with every reason at once.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRow {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    pub problems: Vec<RowProblem>,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// One reason a row cannot go in.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RowProblem {
    #[error("the row is not well-formed CSV: {reason}")]
    Broken { reason: String },

    #[error("the phone `{value}` is not a phone number with its country code (`+593 99 123 4567`)")]
    Phone { value: String },

    #[error("the email `{value}` is not an email address")]
    Email { value: String },

    #[error("the row has neither a phone nor an email to match the customer by")]
    NoKey,

    #[error("the tag `{name}` does not exist in the account")]
    UnknownTag { name: String },

    #[error("the field `{field}` is of type {expected}, and `{value}` is not")]
    WrongType { field: String, expected: &'static str, value: String },

    #[error("the field `{field}` has no option `{value}` (options: {options})")]
    UnknownOption { field: String, value: String, options: String },

    #[error("the phone belongs to customer `{by_phone}` and the email to customer `{by_email}`")]
    Conflict { by_phone: String, by_email: String },

    #[error("the platform refused the row: {reason}")]
    Refused { reason: String },
}
