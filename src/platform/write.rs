//! Writing objects so that a retry never applies a change twice.
//!
//! # Guarantees
//!
//! - A 429 is retried after the server's `Retry-After` or a jittered backoff.
//! - A write whose outcome is unknown (the connection dropped, the request timed out, the
//!   answer was cut short, or a 5xx that a proxy may have sent after the platform wrote) is
//!   resolved by reading the object back before anything else is sent: a create is looked
//!   up by its identity key, an update, delete or (de)activation by the object's version.
//!   Only a write found not to have landed is sent again, so a retry never creates a
//!   duplicate or applies an update on top of itself.
//! - Customers have no version: a create whose outcome is unknown is looked up by phone,
//!   then email; an update is simply sent again, as a customer PUT of the same fields
//!   leaves the customer as one PUT would.
//! - Every function returns the object as the platform holds it after the write.
//!
//! # Assumptions
//!
//! - Identity keys are unique per account (the contract's 409), so an object found by the
//!   identity key of a create whose answer was lost is that create.
//! - A write bumps `version` by at least one.
//!
//! # Errors
//!
//! A read-back that shows someone else's change is a [`PlatformError::VersionConflict`];
//! a read-back that fails is a [`PlatformError::OutcomeUnknown`].

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::client::{Answer, Call, Client, final_error, transport_error, unwrap_object};
use super::error::PlatformError;
use super::read::object_path;
use crate::state::ObjectKind;

/// What a write meant to do, so its outcome can be checked by reading.
#[derive(Debug)]
pub(super) enum Intent<'a> {
    Create {
        kind: ObjectKind,
        body: &'a Value,
    },
    Update {
        kind: ObjectKind,
        path: String,
        version: i64,
        body: &'a Value,
    },
    Delete {
        kind: ObjectKind,
        path: String,
        version: i64,
    },
    Activation {
        path: String,
        version: i64,
        active: bool,
    },
    /// Customers have no version; a created customer is looked up by phone, then email.
    CustomerCreate {
        phone: Option<&'a str>,
        email: Option<&'a str>,
    },
    /// A customer PUT merges the fields it carries, so sending it twice changes nothing.
    CustomerUpdate,
}

/// Whether a write with an unknown outcome reached the platform.
#[derive(Debug)]
pub(super) enum Resolution {
    /// It did; the object as it is now (`None` once deleted).
    Landed(Option<Value>),
    /// It did not; sending it again is safe.
    NotLanded,
}

impl Client {
    /// Creates an object of a list kind from its fields (unwrapped: `{"name": "VIP"}`).
    pub async fn create(&self, kind: ObjectKind, body: &Value) -> Result<Value, PlatformError> {
        let wrapped = wrap(kind, body);
        let call = Call::new(Method::POST, kind.path(), Some(&wrapped));
        let object = self.write(&call, kind.singular(), &Intent::Create { kind, body }).await?;
        object.ok_or_else(|| missing_object(&call, kind.singular()))
    }

    /// Updates the fields in `body` of the object `id` (`web_id`, or an agent's `id`) at
    /// `version`.
    pub async fn update(
        &self,
        kind: ObjectKind,
        id: &str,
        version: i64,
        body: &Value,
    ) -> Result<Value, PlatformError> {
        let path = object_path(kind, id);
        self.update_at(kind, path, version, body).await
    }

    /// Writes the fields in `body` of a singleton kind at `version`.
    pub async fn put_singleton(
        &self,
        kind: ObjectKind,
        version: i64,
        body: &Value,
    ) -> Result<Value, PlatformError> {
        self.update_at(kind, kind.path().to_owned(), version, body).await
    }

    /// Deletes the object `id` at `version`. Returns the object as it was, or `None` when
    /// the answer was lost and reading back showed the object gone.
    pub async fn delete(
        &self,
        kind: ObjectKind,
        id: &str,
        version: i64,
    ) -> Result<Option<Value>, PlatformError> {
        let path = object_path(kind, id);
        let call = Call::new(Method::DELETE, path.clone(), None).if_match(version);
        self.write(&call, kind.singular(), &Intent::Delete { kind, path, version }).await
    }

    /// Deactivates the agent `id` at `version`; chats and customers are kept.
    pub async fn deactivate(&self, id: i64, version: i64) -> Result<Value, PlatformError> {
        self.activation(id, version, false).await
    }

    /// Reactivates the agent `id` at `version`.
    pub async fn reactivate(&self, id: i64, version: i64) -> Result<Value, PlatformError> {
        self.activation(id, version, true).await
    }

    async fn update_at(
        &self,
        kind: ObjectKind,
        path: String,
        version: i64,
        body: &Value,
    ) -> Result<Value, PlatformError> {
        let wrapped = wrap(kind, body);
        let call = Call::new(Method::PUT, path.clone(), Some(&wrapped)).if_match(version);
        let intent = Intent::Update { kind, path, version, body };
        let object = self.write(&call, kind.singular(), &intent).await?;
        object.ok_or_else(|| missing_object(&call, kind.singular()))
    }

    async fn activation(
        &self,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Value, PlatformError> {
        let path = object_path(ObjectKind::Agent, &id.to_string());
        let action = if active { "reactivate" } else { "deactivate" };
        let call = Call::new(Method::POST, format!("{path}/{action}"), None).if_match(version);
        let intent = Intent::Activation { path, version, active };
        let object = self.write(&call, ObjectKind::Agent.singular(), &intent).await?;
        object.ok_or_else(|| missing_object(&call, ObjectKind::Agent.singular()))
    }

    /// The retry loop of writes; `singular` names the object in the answer.
    pub(super) async fn write(
        &self,
        call: &Call<'_>,
        singular: &str,
        intent: &Intent<'_>,
    ) -> Result<Option<Value>, PlatformError> {
        let mut backoff = self.backoff();
        let max_attempts = self.retry_policy().max_attempts.max(1);
        // Set once an attempt may have landed: from then on, an answer that says "already
        // done" (409, 412, 404) may be about our own earlier attempt.
        let mut uncertain = false;
        let mut attempt = 1;
        loop {
            let outcome = self.send_once(call, attempt).await;
            let retry_after = match outcome {
                Ok(answer) if answer.status.is_success() => {
                    return unwrap_object(call, &answer.body, singular).map(Some);
                }
                Ok(answer) if answer.status == StatusCode::TOO_MANY_REQUESTS => {
                    if attempt >= max_attempts {
                        return Err(final_error(call, &answer, attempt));
                    }
                    answer.retry_after
                }
                Ok(answer) if answer.status.is_server_error() => {
                    uncertain = true;
                    if let Resolution::Landed(object) = self.resolve(call, intent).await? {
                        return Ok(object);
                    }
                    if attempt >= max_attempts {
                        return Err(final_error(call, &answer, attempt));
                    }
                    answer.retry_after
                }
                Ok(answer) if uncertain && echoes_earlier_attempt(intent, &answer) => {
                    return match self.resolve(call, intent).await? {
                        Resolution::Landed(object) => Ok(object),
                        Resolution::NotLanded => Err(final_error(call, &answer, attempt)),
                    };
                }
                Ok(answer) => return Err(final_error(call, &answer, attempt)),

                // Not connected means not sent: nothing to resolve.
                Err(error) if error.is_connect() && attempt < max_attempts => None,
                Err(error) if error.is_connect() => {
                    return Err(transport_error(call, attempt, error));
                }
                Err(error) => {
                    uncertain = true;
                    tracing::debug!(path = %call.path, %error, "outcome unknown: reading back");
                    if let Resolution::Landed(object) = self.resolve(call, intent).await? {
                        return Ok(object);
                    }
                    if attempt >= max_attempts {
                        return Err(transport_error(call, attempt, error));
                    }
                    None
                }
            };
            tokio::time::sleep(backoff.delay(attempt, retry_after)).await;
            attempt += 1;
        }
    }

    /// Reads back what a write with an unknown outcome meant to change.
    async fn resolve(
        &self,
        call: &Call<'_>,
        intent: &Intent<'_>,
    ) -> Result<Resolution, PlatformError> {
        let resolution = match intent {
            Intent::Create { kind, body } => self.resolve_create(*kind, body).await,
            Intent::Update { kind, path, version, body } => {
                self.resolve_version(call, *kind, path, *version, |object| {
                    fields_match(*kind, body, object)
                })
                .await
            }
            Intent::Delete { kind, path, version } => {
                match self.resolve_version(call, *kind, path, *version, |_| false).await {
                    Err(error) if error.is_not_found() => Ok(Resolution::Landed(None)),
                    other => other,
                }
            }
            Intent::Activation { path, version, active } => {
                self.resolve_version(call, ObjectKind::Agent, path, *version, |object| {
                    object.get("active").and_then(Value::as_bool) == Some(*active)
                })
                .await
            }
            Intent::CustomerCreate { phone, email } => {
                self.resolve_customer_create(*phone, *email).await
            }
            Intent::CustomerUpdate => Ok(Resolution::NotLanded),
        };

        match resolution {
            Ok(resolution) => {
                tracing::debug!(path = %call.path, ?resolution, "unknown outcome resolved");
                Ok(resolution)
            }
            Err(error @ PlatformError::VersionConflict { .. }) => Err(error),
            Err(source) => Err(PlatformError::OutcomeUnknown {
                method: call.method.to_string(),
                path: call.path.clone(),
                source: Box::new(source),
            }),
        }
    }

    /// A create landed if an object with its identity key exists now.
    async fn resolve_create(
        &self,
        kind: ObjectKind,
        body: &Value,
    ) -> Result<Resolution, PlatformError> {
        let field = kind.identity_field();
        let wanted = field.and_then(|field| body.get(field)).and_then(Value::as_str);
        let (Some(field), Some(wanted)) = (field, wanted) else {
            // Without an identity there is no way to tell; refusing beats a duplicate.
            return Err(PlatformError::Decode {
                method: "POST".to_owned(),
                path: kind.path().to_owned(),
                source: serde::de::Error::custom("the body has no identity key to look up"),
            });
        };

        let objects: Vec<Value> = self.list_all(kind.path(), kind.plural()).await?;
        let same = |candidate: &str| {
            if kind.identity_ignores_case() {
                candidate.to_lowercase() == wanted.to_lowercase()
            } else {
                candidate == wanted
            }
        };
        let found = objects
            .into_iter()
            .find(|object| object.get(field).and_then(Value::as_str).is_some_and(same));
        Ok(found.map_or(Resolution::NotLanded, |object| Resolution::Landed(Some(object))))
    }

    /// A write to an existing object landed if the version moved on and `landed` holds; it
    /// did not if the version is unchanged; anything else is someone else's change.
    async fn resolve_version(
        &self,
        call: &Call<'_>,
        kind: ObjectKind,
        path: &str,
        version: i64,
        landed: impl Fn(&Value) -> bool,
    ) -> Result<Resolution, PlatformError> {
        let read = Call::get(path);
        let answer = self.read(&read).await?;
        let object = unwrap_object(&read, &answer.body, kind.singular())?;
        let now = object.get("version").and_then(Value::as_i64).unwrap_or(version);

        if now == version {
            Ok(Resolution::NotLanded)
        } else if now > version && landed(&object) {
            Ok(Resolution::Landed(Some(object)))
        } else {
            Err(PlatformError::VersionConflict {
                method: call.method.to_string(),
                path: call.path.clone(),
                details: format!(
                    "the {kind} is at version {now}, not {version}, and differs from what was sent"
                ),
            })
        }
    }
}

/// Whether a final-looking answer to a retry may only say that an earlier attempt landed:
/// the created object exists (409), the version moved (412), the object is gone (404).
fn echoes_earlier_attempt(intent: &Intent<'_>, answer: &Answer) -> bool {
    matches!(
        (intent, answer.status.as_u16()),
        (Intent::Create { .. }, 409)
            | (Intent::Update { .. } | Intent::Activation { .. }, 412)
            | (Intent::Delete { .. }, 404 | 412)
            | (Intent::CustomerCreate { .. }, 409 | 422)
    )
}

/// Wraps fields in the kind's singular name, as request bodies are.
fn wrap(kind: ObjectKind, body: &Value) -> Value {
    wrap_in(kind.singular(), body)
}

pub(super) fn wrap_in(singular: &str, body: &Value) -> Value {
    let mut wrapped = serde_json::Map::new();
    wrapped.insert(singular.to_owned(), body.clone());
    Value::Object(wrapped)
}

pub(super) fn missing_object(call: &Call<'_>, singular: &str) -> PlatformError {
    PlatformError::Decode {
        method: call.method.to_string(),
        path: call.path.clone(),
        source: serde::de::Error::custom(format!("the answer has no `{singular}`")),
    }
}

/// Fields the server ignores in request bodies, never compared.
const READ_ONLY: [&str; 7] =
    ["web_id", "id", "version", "customers_count", "open_chats", "key_owner_id", "active"];

/// Whether the object holds every writable field that was sent.
fn fields_match(kind: ObjectKind, sent: &Value, object: &Value) -> bool {
    let Some(sent) = sent.as_object() else { return false };
    sent.iter()
        .filter(|(key, _)| !READ_ONLY.contains(&key.as_str()))
        .filter(|(key, _)| !(kind == ObjectKind::Balance && key.as_str() == "amount"))
        .all(|(key, value)| same_value(value, object.get(key).unwrap_or(&Value::Null)))
}

/// Equality as the server merges: a sent object matches a stored one holding at least its
/// fields, null matches a missing field, and numbers compare by value (`50` is `50.0`).
fn same_value(sent: &Value, stored: &Value) -> bool {
    match (sent, stored) {
        (Value::Object(sent), Value::Object(stored)) => sent
            .iter()
            .all(|(key, value)| same_value(value, stored.get(key).unwrap_or(&Value::Null))),
        (Value::Array(sent), Value::Array(stored)) => {
            sent.len() == stored.len() && sent.iter().zip(stored).all(|(a, b)| same_value(a, b))
        }
        (Value::Number(sent), Value::Number(stored)) => sent.as_f64() == stored.as_f64(),
        _ => sent == stored,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merged_fields_match_what_was_sent() {
        let stored = json!({"web_id": "b", "auto_recharge": {"enabled": true, "amount": 50.0,
            "monthly_cap": null}, "currency": "USD", "amount": 3.5, "version": 4});
        let sent = json!({"auto_recharge": {"amount": 50, "monthly_cap": null}, "amount": 9});
        assert!(fields_match(ObjectKind::Balance, &sent, &stored));
        let sent = json!({"auto_recharge": {"amount": 60}});
        assert!(!fields_match(ObjectKind::Balance, &sent, &stored));
    }

    #[test]
    fn lists_must_match_exactly() {
        let stored = json!({"channels": ["whatsapp", "instagram"]});
        assert!(fields_match(
            ObjectKind::Team,
            &json!({"channels": ["whatsapp", "instagram"]}),
            &stored
        ));
        assert!(!fields_match(ObjectKind::Team, &json!({"channels": ["whatsapp"]}), &stored));
    }

    #[test]
    fn bodies_are_wrapped_in_the_singular_name() {
        let body = wrap(ObjectKind::QuickReply, &json!({"title": "Horario"}));
        assert_eq!(body, json!({"quick_reply": {"title": "Horario"}}));
    }
}
