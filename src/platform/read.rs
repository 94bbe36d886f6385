//! Reading an account: every kind at once, every page of a list at once.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::task::JoinSet;

use super::client::{Call, Client, unwrap_object};
use super::error::PlatformError;
use crate::manifest::model::Filter;
use crate::state::{
    Account, Agent, BalanceSettings, BusinessHours, CustomField, CustomerList, LiveState,
    MessagingSettings, ObjectKind, QuickReply, Tag, Team,
};

/// More pages than any account has; a larger `total_pages` is a broken answer, refused
/// rather than fanned out into that many requests.
const MAX_PAGES: u32 = 100_000;

/// One page of a list answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage<T> {
    /// Objects in the whole list (the contract's `results`).
    pub results: u64,
    /// Pages in the whole list, at least 1.
    pub total_pages: u32,
    /// This page's objects.
    pub items: Vec<T>,
}

impl Client {
    /// Reads the whole account: `/account`, every list and every singleton, concurrently.
    ///
    /// A kind whose endpoint answers 404 is not offered by this server and comes back as
    /// `None`; any other failure fails the whole read.
    pub async fn read_state(&self) -> Result<LiveState, PlatformError> {
        // One join, so the singletons do not wait for the longest list.
        let (
            account,
            agents,
            teams,
            custom_fields,
            tags,
            quick_replies,
            customer_lists,
            messaging_settings,
            business_hours,
            balance,
        ) = tokio::try_join!(
            supported("account", self.account()),
            self.list::<Agent>(ObjectKind::Agent),
            self.list::<Team>(ObjectKind::Team),
            self.list::<CustomField>(ObjectKind::CustomField),
            self.list::<Tag>(ObjectKind::Tag),
            self.list::<QuickReply>(ObjectKind::QuickReply),
            self.list::<CustomerList>(ObjectKind::CustomerList),
            self.singleton::<MessagingSettings>(ObjectKind::MessagingSettings),
            self.singleton::<BusinessHours>(ObjectKind::BusinessHours),
            self.singleton::<BalanceSettings>(ObjectKind::Balance),
        )?;
        Ok(LiveState {
            account,
            agents,
            teams,
            custom_fields,
            tags,
            quick_replies,
            customer_lists,
            messaging_settings,
            business_hours,
            balance,
        })
    }

    /// The account the key opens.
    pub async fn account(&self) -> Result<Account, PlatformError> {
        let call = Call::get("/account");
        let answer = self.read(&call).await?;
        let object = unwrap_object(&call, &answer.body, "account")?;
        from_object(&call, object)
    }

    /// Every object of a list kind, in the server's order; `None` when the server does not
    /// offer the kind.
    pub async fn list<T>(&self, kind: ObjectKind) -> Result<Option<Vec<T>>, PlatformError>
    where
        T: DeserializeOwned + Send + 'static,
    {
        supported(kind.plural(), self.list_all(kind.path(), kind.plural())).await
    }

    /// A singleton kind's object; `None` when the server does not offer the kind.
    pub async fn singleton<T: DeserializeOwned>(
        &self,
        kind: ObjectKind,
    ) -> Result<Option<T>, PlatformError> {
        supported(kind.singular(), async {
            let call = Call::get(kind.path());
            let answer = self.read(&call).await?;
            from_object(&call, unwrap_object(&call, &answer.body, kind.singular())?)
        })
        .await
    }

    /// One object of a list kind by its `id` (agents) or `web_id`, as the server sent it.
    pub async fn get_object(&self, kind: ObjectKind, id: &str) -> Result<Value, PlatformError> {
        let call = Call::get(object_path(kind, id));
        let answer = self.read(&call).await?;
        unwrap_object(&call, &answer.body, kind.singular())
    }

    /// How many customers `filter` matches now. A read: the server writes nothing.
    pub async fn preview(&self, filter: &Filter) -> Result<u64, PlatformError> {
        let body = serde_json::json!({ "customer_list": { "filter": filter } });
        let call = Call::new(reqwest::Method::POST, "/customer_lists/preview", Some(&body));
        let answer = self.read(&call).await?;
        let preview = unwrap_object(&call, &answer.body, "preview")?;
        let count = preview.get("customers_count").and_then(Value::as_u64);
        count.ok_or_else(|| PlatformError::Decode {
            method: "POST".to_owned(),
            path: call.path.clone(),
            source: serde::de::Error::custom("the preview has no `customers_count`"),
        })
    }

    /// Every page of a list: page 1 first, then the rest concurrently once its
    /// `total_pages` is known, returned in page order.
    pub(crate) async fn list_all<T>(
        &self,
        path: &'static str,
        plural: &'static str,
    ) -> Result<Vec<T>, PlatformError>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let first = self.list_page::<T>(path, plural, 1).await?;
        let total_pages = first.total_pages;
        let mut pages: Vec<Option<Vec<T>>> = Vec::with_capacity(total_pages as usize);
        pages.push(Some(first.items));
        pages.resize_with(total_pages as usize, || None);

        let mut tasks = JoinSet::new();
        for page in 2..=total_pages {
            let client = self.clone();
            tasks.spawn(async move { (page, client.list_page::<T>(path, plural, page).await) });
        }
        while let Some(joined) = tasks.join_next().await {
            // A page task only panics if the runtime is shutting down; treat it as lost.
            let Ok((page, result)) = joined else { continue };
            pages[page as usize - 1] = Some(result?.items);
        }

        let items: Vec<T> = pages.into_iter().flatten().flatten().collect();
        if items.len() as u64 != first.results {
            tracing::debug!(
                path,
                expected = first.results,
                got = items.len(),
                "list changed while read"
            );
        }
        Ok(items)
    }

    /// One page of a list, decoded.
    pub(crate) async fn list_page<T: DeserializeOwned>(
        &self,
        path: &str,
        plural: &str,
        page: u32,
    ) -> Result<ListPage<T>, PlatformError> {
        let call = Call::get(format!("{path}?page={page}"));
        let answer = self.read(&call).await?;
        page_from(&call, &answer.body, plural)
    }
}

/// A list answer's page: `{"results", "total_pages", "<plural>": [...]}`.
fn page_from<T: DeserializeOwned>(
    call: &Call<'_>,
    body: &[u8],
    plural: &str,
) -> Result<ListPage<T>, PlatformError> {
    let failed = |source| PlatformError::Decode {
        method: call.method.to_string(),
        path: call.path.clone(),
        source,
    };
    let broken = |reason: String| failed(serde::de::Error::custom(reason));
    // The envelope's values stay raw text, so the objects are decoded once, straight into
    // `T`, rather than into a JSON tree first.
    let envelope = serde_json::from_slice::<HashMap<String, &RawValue>>(body).map_err(failed)?;

    let number = |key: &str| envelope.get(key).and_then(|raw| raw.get().parse::<u64>().ok());
    let total_pages = number("total_pages").unwrap_or(1);
    let total_pages = u32::try_from(total_pages.max(1))
        .ok()
        .filter(|pages| *pages <= MAX_PAGES)
        .ok_or_else(|| broken(format!("`total_pages` is {total_pages}")))?;
    let results = number("results").unwrap_or(0);
    let list = envelope.get(plural).ok_or_else(|| broken(format!("no `{plural}` array")))?;
    let items = serde_json::from_str(list.get()).map_err(failed)?;
    Ok(ListPage { results, total_pages, items })
}

/// Path of one object of a list kind. Ids are server-assigned; anything outside the URL's
/// unreserved characters is escaped so an odd id cannot change the path.
pub(crate) fn object_path(kind: ObjectKind, id: &str) -> String {
    let mut path = format!("{}/", kind.path());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            path.push(byte as char);
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path
}

/// Turns "this endpoint does not exist" into `None`: the server does not offer the kind.
async fn supported<T>(
    what: &str,
    read: impl Future<Output = Result<T, PlatformError>>,
) -> Result<Option<T>, PlatformError> {
    match read.await {
        Ok(value) => Ok(Some(value)),
        Err(error) if error.is_not_found() => {
            tracing::debug!(kind = what, "the server does not offer this kind");
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

fn from_object<T: DeserializeOwned>(call: &Call<'_>, object: Value) -> Result<T, PlatformError> {
    serde_json::from_value(object).map_err(|source| PlatformError::Decode {
        method: call.method.to_string(),
        path: call.path.clone(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_read_from_its_envelope_and_a_broken_one_is_refused() {
        let call = Call::get("/tags?page=1");
        let body = br#"{"results": 3, "total_pages": 2, "message": "ok", "tags": [{"a": 1}]}"#;
        let page: ListPage<Value> = page_from(&call, body, "tags").unwrap();
        assert_eq!((page.results, page.total_pages, page.items.len()), (3, 2, 1));

        let page: ListPage<Value> = page_from(&call, br#"{"tags": []}"#, "tags").unwrap();
        assert_eq!((page.results, page.total_pages), (0, 1), "a missing count is one page");

        for body in [
            &br#"{"results": 1, "total_pages": 1}"#[..],
            br#"{"total_pages": 99999999, "tags": []}"#,
            br#"{"tags": {"a": 1}}"#,
            b"<html>",
        ] {
            let error = page_from::<Value>(&call, body, "tags").unwrap_err();
            assert!(matches!(error, PlatformError::Decode { .. }), "{error:?}");
        }
    }

    #[test]
    fn ids_cannot_escape_their_path() {
        assert_eq!(object_path(ObjectKind::Tag, "t_3f9a2c"), "/tags/t_3f9a2c");
        assert_eq!(object_path(ObjectKind::Agent, "42"), "/agents/42");
        assert_eq!(object_path(ObjectKind::Team, "../x?y"), "/teams/..%2Fx%3Fy");
    }
}
