//! Customers as the public API shows them, and reading them a page at a time.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::Client;
use super::error::PlatformError;
use super::read::ListPage;

/// A customer in the public API's shape. Fields this version does not use are kept in
/// `other`, so a customer read and written back loses nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub tags: Vec<CustomerTag>,
    #[serde(default)]
    pub custom_fields: Vec<CustomerFieldValue>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A customer's identifier: the public API has sent both numbers and strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CustomerId {
    Number(i64),
    Text(String),
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustomerId::Number(id) => write!(f, "{id}"),
            CustomerId::Text(id) => f.write_str(id),
        }
    }
}

/// A tag on a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerTag {
    pub name: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A customer's value for one custom field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerFieldValue {
    pub field_name: String,
    #[serde(default)]
    pub field_content: Value,
}

impl Client {
    /// One page (from 1, 100 customers each) of the account's customers.
    pub async fn list_customers_page(
        &self,
        page: u32,
    ) -> Result<ListPage<Customer>, PlatformError> {
        self.list_page("/customers", "customers", page.max(1)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_keep_fields_this_version_does_not_know() {
        let text = r#"{"id": 17, "first_name": "Ana", "phone": "+593991234567",
            "tags": [{"name": "VIP", "value": true}],
            "custom_fields": [{"field_name": "ciudad", "field_content": "Quito"}],
            "whatsapp_opt_in": true}"#;
        let customer: Customer = serde_json::from_str(text).unwrap();
        assert_eq!(customer.id.to_string(), "17");
        assert_eq!(customer.tags[0].name, "VIP");
        assert_eq!(customer.other.get("whatsapp_opt_in"), Some(&Value::Bool(true)));

        let text = r#"{"id": "c_9x", "email": null}"#;
        let customer: Customer = serde_json::from_str(text).unwrap();
        assert_eq!(customer.id, CustomerId::Text("c_9x".to_owned()));
    }
}
