//! Customer data in and out of an account as CSV.
//!
//! A customer file has the columns `first_name,last_name,email,phone,tags` (tags joined by
//! `;`) and one column per custom field key. [`export_customers`] writes every customer a
//! page at a time; [`import_customers`] streams a file through the row checks
//! ([`check_record`]), matches each row to a customer by phone, then email
//! ([`CustomerIndex`]), decides its change without I/O ([`change_for`]) and sends it.

mod change;
mod columns;
mod contact;
mod error;
mod export;
mod field;
mod import;
mod index;
mod input;
mod pages;
mod row;

pub use change::{FieldChange, RowChange, after_change, change_for};
pub use columns::{Catalog, Column, FIXED_COLUMNS, Layout, TAG_SEPARATOR};
pub use contact::{normalize_email, normalize_phone};
pub use error::{BadRow, CustomersError, RowProblem};
pub use export::{customer_record, export_customers};
pub use field::FieldSpec;
pub use import::{ImportEvent, ImportOptions, ImportSummary, import_customers};
pub use index::{CustomerIndex, Known, Match};
pub use input::{CustomerReader, MAX_RECORD_BYTES, Record};
pub use row::{CustomerRow, check_record};

use crate::platform::{Client, PlatformError};
use crate::state::{CustomField, ObjectKind, Tag};

/// Reads what the account's customer files refer to: its custom fields and tags.
pub async fn read_catalog(client: &Client) -> Result<Catalog, PlatformError> {
    let (fields, tags) = tokio::try_join!(
        client.list::<CustomField>(ObjectKind::CustomField),
        client.list::<Tag>(ObjectKind::Tag),
    )?;
    Ok(Catalog::new(fields, tags))
}
