//! Writing every customer of the account as CSV, a page at a time.

use std::io::Write;

use super::columns::{Catalog, TAG_SEPARATOR};
use super::error::CustomersError;
use super::field::render;
use super::pages::for_each_page;
use crate::platform::{Client, Customer};

/// Writes the account's customers to `output` as CSV: the fixed columns, then one column
/// per custom field of `catalog`. Returns how many customers were written.
///
/// Memory holds a few pages at most, whatever the number of customers.
pub async fn export_customers<W: Write>(
    client: &Client,
    catalog: &Catalog,
    output: W,
) -> Result<u64, CustomersError> {
    let mut writer = csv::Writer::from_writer(output);
    writer.write_record(catalog.header()).map_err(write_error)?;

    let mut written = 0;
    let mut record = Vec::new();
    for_each_page(client, |customers| {
        for customer in customers {
            customer_record(&customer, catalog, &mut record);
            writer.write_record(&record).map_err(write_error)?;
            written += 1;
        }
        Ok::<(), CustomersError>(())
    })
    .await?;

    writer.flush().map_err(CustomersError::Write)?;
    Ok(written)
}

/// A customer's cells in the order of [`Catalog::header`].
pub fn customer_record(customer: &Customer, catalog: &Catalog, record: &mut Vec<String>) {
    record.clear();
    record.push(customer.first_name.clone().unwrap_or_default());
    record.push(customer.last_name.clone().unwrap_or_default());
    record.push(customer.email.clone().unwrap_or_default());
    record.push(customer.phone.clone().unwrap_or_default());
    let tags: Vec<&str> = customer.tags.iter().map(|tag| tag.name.as_str()).collect();
    record.push(tags.join(&TAG_SEPARATOR.to_string()));
    for field in catalog.fields() {
        let value = customer.custom_fields.iter().find(|value| value.field_name == field.key);
        record.push(value.map(|value| render(&value.field_content)).unwrap_or_default());
    }
}

fn write_error(error: csv::Error) -> CustomersError {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => CustomersError::Write(error),
        other => CustomersError::Write(std::io::Error::other(format!("{other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use csv::StringRecord;
    use serde_json::json;

    use super::*;
    use crate::customers::columns::Layout;
    use crate::customers::input::{CustomerReader, Record};
    use crate::customers::row::check_record;
    use crate::manifest::model::FieldType;
    use crate::state::{CustomField, Tag};

    #[test]
    fn an_exported_customer_reads_back_as_itself() {
        let field = |key: &str, field_type| CustomField {
            web_id: format!("f_{key}"),
            key: key.to_owned(),
            name: key.to_owned(),
            field_type,
            options: Vec::new(),
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
        let catalog = Catalog::new(
            Some(vec![field("notas", FieldType::String), field("compras", FieldType::Integer)]),
            Some(vec![tag("VIP"), tag("Zona Norte")]),
        );
        let customer: Customer = serde_json::from_value(json!({
            "id": 3, "first_name": "María José", "last_name": "O'Brien, \"la jefa\"",
            "email": "mj@x.ec", "phone": "+593991234567",
            "tags": [{"name": "VIP"}, {"name": "Zona Norte"}],
            "custom_fields": [{"field_name": "notas", "field_content": "línea 1\nlínea 2"},
                              {"field_name": "compras", "field_content": 7}]
        }))
        .unwrap();

        let mut output = Vec::new();
        let mut writer = csv::Writer::from_writer(&mut output);
        let mut record = Vec::new();
        writer.write_record(catalog.header()).unwrap();
        customer_record(&customer, &catalog, &mut record);
        writer.write_record(&record).unwrap();
        drop(writer);

        let mut reader = CustomerReader::new(output.as_slice());
        let header = reader.header().unwrap();
        let layout = Layout::from_header(header.iter().map(String::as_str), &catalog).unwrap();
        let mut record = StringRecord::new();
        assert_eq!(reader.read(&mut record).unwrap(), Record::Read { line: 2 });
        let row = check_record(record.iter(), 2, &layout, &catalog).unwrap();
        assert_eq!(row.first_name.as_deref(), Some("María José"));
        assert_eq!(row.last_name.as_deref(), Some("O'Brien, \"la jefa\""));
        assert_eq!(row.tags, ["VIP", "Zona Norte"]);
        assert_eq!(
            row.fields,
            [("notas".to_owned(), json!("línea 1\nlínea 2")), ("compras".to_owned(), json!(7))]
        );
        assert_eq!(reader.read(&mut record).unwrap(), Record::End);
    }
}
