//! Customers as the public API shows them: reading them a page at a time, finding one by
//! phone or email, creating and updating them.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use reqwest::Method;

use super::client::{Call, Client, unwrap_object};
use super::error::PlatformError;
use super::read::ListPage;
use super::write::{Intent, Resolution, missing_object, wrap_in};

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

/// The fields of a customer create or update. A field left `None` (or a list left empty)
/// is not sent, so an update keeps its value.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CustomerDraft {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagAssignment>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub custom_fields: Vec<CustomerFieldValue>,
}

/// A tag put on (`value: true`) or taken off (`false`) a customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagAssignment {
    pub name: String,
    pub value: bool,
}

impl Client {
    /// One page (from 1, 100 customers each) of the account's customers.
    pub async fn list_customers_page(
        &self,
        page: u32,
    ) -> Result<ListPage<Customer>, PlatformError> {
        self.list_page("/customers", "customers", page.max(1)).await
    }

    /// The customer with this phone (`+` and digits), if any.
    pub async fn find_customer_by_phone(
        &self,
        phone: &str,
    ) -> Result<Option<Customer>, PlatformError> {
        self.find_customer("phone", phone).await
    }

    /// The customer with this email (the platform ignores letter case), if any.
    pub async fn find_customer_by_email(
        &self,
        email: &str,
    ) -> Result<Option<Customer>, PlatformError> {
        self.find_customer("email", email).await
    }

    /// Creates a customer. An answer lost on the way is resolved by searching for the
    /// draft's phone, then its email, so a retry never creates the customer twice.
    pub async fn create_customer(&self, draft: &CustomerDraft) -> Result<Customer, PlatformError> {
        let body = to_body(draft)?;
        let object = self
            .write_customer_create(&body, draft.phone.as_deref(), draft.email.as_deref())
            .await?;
        decode_customer("POST", "/customers", object)
    }

    /// Writes the draft's fields onto the customer `id`; fields it leaves out keep their
    /// values.
    pub async fn update_customer(
        &self,
        id: &CustomerId,
        draft: &CustomerDraft,
    ) -> Result<Customer, PlatformError> {
        let body = to_body(draft)?;
        let path = format!("/customers/{}", escape(&id.to_string()));
        let object = self.write_customer_update(path.clone(), &body).await?;
        decode_customer("PUT", &path, object)
    }

    async fn find_customer(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Option<Customer>, PlatformError> {
        let path = search_path(key, value);
        match self.find_customer_value(key, value).await? {
            Some(object) => decode_customer("GET", &path, object).map(Some),
            None => Ok(None),
        }
    }

    /// `GET /customers/search?<key>=<value>` as the server sent it; `None` on 404.
    pub(super) async fn find_customer_value(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Option<Value>, PlatformError> {
        let call = Call::get(search_path(key, value));
        match self.read(&call).await {
            Ok(answer) => unwrap_object(&call, &answer.body, "customer").map(Some),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// Writes, on the retry loop of [`super::write`].
impl Client {
    /// Creates a customer (`body` unwrapped). A lost answer is resolved by searching for
    /// the customer by `phone`, then `email`; with neither, it stays unknown.
    async fn write_customer_create(
        &self,
        body: &Value,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> Result<Value, PlatformError> {
        let wrapped = wrap_in("customer", body);
        let call = Call::new(Method::POST, "/customers", Some(&wrapped));
        let object =
            self.write(&call, "customer", &Intent::CustomerCreate { phone, email }).await?;
        object.ok_or_else(|| missing_object(&call, "customer"))
    }

    /// Updates the fields in `body` (unwrapped) of the customer at `path`.
    async fn write_customer_update(
        &self,
        path: String,
        body: &Value,
    ) -> Result<Value, PlatformError> {
        let wrapped = wrap_in("customer", body);
        let call = Call::new(Method::PUT, path, Some(&wrapped));
        let object = self.write(&call, "customer", &Intent::CustomerUpdate).await?;
        object.ok_or_else(|| missing_object(&call, "customer"))
    }

    /// A customer create landed if a customer with its phone, or else its email, exists now.
    pub(super) async fn resolve_customer_create(
        &self,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> Result<Resolution, PlatformError> {
        let found = match (phone, email) {
            (Some(phone), _) => self.find_customer_value("phone", phone).await?,
            (None, Some(email)) => self.find_customer_value("email", email).await?,
            (None, None) => {
                // Without a key there is no way to tell; refusing beats a duplicate.
                return Err(PlatformError::Decode {
                    method: "POST".to_owned(),
                    path: "/customers".to_owned(),
                    source: serde::de::Error::custom("the customer has no phone or email"),
                });
            }
        };
        Ok(found.map_or(Resolution::NotLanded, |object| Resolution::Landed(Some(object))))
    }
}

fn search_path(key: &str, value: &str) -> String {
    format!("/customers/search?{key}={}", escape(value))
}

/// Escapes everything outside the URL's unreserved characters, so a `+` in a phone stays a
/// `+` and an id cannot change the path.
fn escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            escaped.push(byte as char);
        } else {
            escaped.push_str(&format!("%{byte:02X}"));
        }
    }
    escaped
}

fn to_body(draft: &CustomerDraft) -> Result<Value, PlatformError> {
    serde_json::to_value(draft).map_err(|source| PlatformError::Decode {
        method: "POST".to_owned(),
        path: "/customers".to_owned(),
        source,
    })
}

fn decode_customer(method: &str, path: &str, object: Value) -> Result<Customer, PlatformError> {
    serde_json::from_value(object).map_err(|source| PlatformError::Decode {
        method: method.to_owned(),
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_escape_the_plus_of_a_phone() {
        assert_eq!(
            search_path("phone", "+593991234567"),
            "/customers/search?phone=%2B593991234567"
        );
        assert_eq!(search_path("email", "a.b@x.ec"), "/customers/search?email=a.b%40x.ec");
    }

    #[test]
    fn drafts_send_only_what_they_set() {
        let draft = CustomerDraft {
            phone: Some("+593991234567".to_owned()),
            tags: vec![TagAssignment { name: "VIP".to_owned(), value: true }],
            ..CustomerDraft::default()
        };
        let body = serde_json::to_value(&draft).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"phone": "+593991234567", "tags": [{"name": "VIP", "value": true}]})
        );
    }

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
