//! The account's singletons: messaging settings, business hours and the balance policy.
//! Each exists from the start with defaults and is read and changed as a whole object.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::clock::parse_duration;
use crate::sandbox::accounts::{self, Caller};
use crate::sandbox::objects;
use crate::sandbox::reply::{self, ApiError};
use crate::sandbox::routes::App;
use crate::state::{AutoRecharge, BalanceSettings, BusinessHours, MessagingSettings};

/// A settings object of which each account has exactly one.
pub trait Singleton: Serialize + DeserializeOwned + Send + 'static {
    /// Path segment, body wrapper and answer key.
    const PATH: &'static str;
    /// Fields a client may not set.
    const READ_ONLY: &'static [&'static str];

    /// The object before anyone changed it.
    fn initial(timezone: &str) -> Self;

    /// Checks the platform's rules.
    fn check(&self) -> Result<(), ApiError>;
}

impl Singleton for MessagingSettings {
    const PATH: &'static str = "messaging_settings";
    const READ_ONLY: &'static [&'static str] = &["version"];

    fn initial(_: &str) -> Self {
        Self { version: 1, ..Self::default() }
    }

    fn check(&self) -> Result<(), ApiError> {
        let durations = [
            &self.response_time.first_reply_target,
            &self.response_time.alert_supervisors_after,
            &self.inactivity_message.after,
        ];
        let problems: Vec<String> = durations
            .into_iter()
            .flatten()
            .filter(|text| parse_duration(text).is_none())
            .map(|text| format!("`{text}` is not a duration such as `5m` or `24h`"))
            .collect();
        if problems.is_empty() { Ok(()) } else { Err(ApiError::Invalid(problems)) }
    }
}

impl Singleton for BusinessHours {
    const PATH: &'static str = "business_hours";
    const READ_ONLY: &'static [&'static str] = &["version"];

    fn initial(timezone: &str) -> Self {
        Self { timezone: timezone.to_owned(), days: Default::default(), version: 1 }
    }

    fn check(&self) -> Result<(), ApiError> {
        const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let mut problems = Vec::new();
        for (day, ranges) in &self.days {
            if !DAYS.contains(&day.as_str()) {
                problems.push(format!("`{day}` is not a day: use `mon` … `sun`"));
            }
            let mut parsed: Vec<(u32, u32)> = Vec::new();
            for range in ranges {
                match parse_range(range) {
                    Some(span) => parsed.push(span),
                    None => problems.push(format!("`{range}` on `{day}` is not `HH:MM-HH:MM`")),
                }
            }
            parsed.sort_unstable();
            if parsed.windows(2).any(|pair| pair[1].0 < pair[0].1) {
                problems.push(format!("ranges on `{day}` overlap"));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(ApiError::Invalid(problems)) }
    }
}

/// Minutes from midnight of a range's start and end; the end must be later.
fn parse_range(text: &str) -> Option<(u32, u32)> {
    let minutes = |clock: &str| -> Option<u32> {
        let (hours, mins) = clock.split_once(':')?;
        if hours.len() != 2 || mins.len() != 2 {
            return None;
        }
        let (hours, mins) = (hours.parse::<u32>().ok()?, mins.parse::<u32>().ok()?);
        (mins < 60 && (hours < 24 || hours == 24 && mins == 0)).then_some(hours * 60 + mins)
    };
    let (start, end) = text.split_once('-')?;
    let (start, end) = (minutes(start)?, minutes(end)?);
    (start < end).then_some((start, end))
}

/// Smallest automatic top-up the platform accepts.
const MINIMUM_TOP_UP: f64 = 10.0;

impl Singleton for BalanceSettings {
    const PATH: &'static str = "balance";
    const READ_ONLY: &'static [&'static str] = &["version", "amount"];

    fn initial(_: &str) -> Self {
        Self {
            currency: "USD".to_owned(),
            amount: 25.0,
            low_balance_alert: None,
            auto_recharge: AutoRecharge { amount: MINIMUM_TOP_UP, ..AutoRecharge::default() },
            version: 1,
        }
    }

    fn check(&self) -> Result<(), ApiError> {
        let mut problems = Vec::new();
        if self.currency.len() != 3 || !self.currency.chars().all(|c| c.is_ascii_uppercase()) {
            problems.push(format!("currency `{}` is not an ISO 4217 code", self.currency));
        }
        if self.auto_recharge.amount < MINIMUM_TOP_UP {
            problems.push(format!(
                "`auto_recharge.amount` is {}, below the minimum top-up of {MINIMUM_TOP_UP}",
                self.auto_recharge.amount
            ));
        }
        let negative = [Some(self.auto_recharge.when_below), self.auto_recharge.monthly_cap]
            .into_iter()
            .chain([self.low_balance_alert.as_ref().map(|alert| alert.below)])
            .flatten()
            .any(|amount| amount < 0.0);
        if negative {
            problems.push("balance amounts must not be negative".to_owned());
        }
        if problems.is_empty() { Ok(()) } else { Err(ApiError::Invalid(problems)) }
    }
}

fn load<K: Singleton>(db: &Connection, account: i64) -> Result<K, ApiError> {
    let body: Option<String> = db
        .prepare_cached("SELECT body FROM settings WHERE account_id = ?1 AND kind = ?2")?
        .query_row(params![account, K::PATH], |row| row.get(0))
        .optional()?;
    match body {
        Some(body) => Ok(serde_json::from_str(&body)?),
        None => Ok(K::initial(&accounts::timezone(db, account)?)),
    }
}

/// `GET /<singleton>`
pub async fn get<K: Singleton>(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    let value = app.db.read(|db| Ok(serde_json::to_value(load::<K>(db, caller.account)?)?))?;
    Ok(reply::object(StatusCode::OK, K::PATH, value))
}

/// `PUT /<singleton>` with `If-Match`: the given top-level fields replace the stored ones.
pub async fn update<K: Singleton>(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let value = app.db.write(|db| {
        let mut current = serde_json::to_value(load::<K>(db, caller.account)?)?;
        let version = current.get("version").and_then(Value::as_i64).unwrap_or(1);
        let wanted = reply::if_match(&headers)?;
        let fields = reply::unwrap_body(&body, K::PATH)?;

        if let Value::Object(object) = &mut current {
            for (name, value) in fields {
                if !K::READ_ONLY.contains(&name.as_str()) {
                    objects::check_shape(object, &name, &value)?;
                    object.insert(name, value);
                }
            }
            object.insert("version".to_owned(), Value::from(version + 1));
        }
        let updated: K = serde_json::from_value(current)
            .map_err(|error| ApiError::invalid(format!("invalid {}: {error}", K::PATH)))?;
        updated.check()?;
        reply::same_version(wanted, &K::PATH.replace('_', " "), version)?;

        let body = serde_json::to_string(&updated)?;
        db.prepare_cached(
            "INSERT INTO settings (account_id, kind, body) VALUES (?1, ?2, ?3) \
             ON CONFLICT (account_id, kind) DO UPDATE SET body = excluded.body",
        )?
        .execute(params![caller.account, K::PATH, body])?;
        Ok(serde_json::to_value(updated)?)
    })?;
    Ok(reply::object(StatusCode::OK, K::PATH, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_hours_reject_bad_days_ranges_and_overlaps() {
        let mut hours = BusinessHours::initial("America/Guayaquil");
        hours.days.insert("mon".into(), vec!["08:00-13:00".into(), "14:00-18:00".into()]);
        assert!(hours.check().is_ok());
        hours.days.insert("tue".into(), vec!["08:00-13:00".into(), "12:00-18:00".into()]);
        hours.days.insert("funday".into(), vec!["18:00-08:00".into()]);
        let Err(ApiError::Invalid(problems)) = hours.check() else { panic!("accepted") };
        assert_eq!(problems.len(), 3, "{problems:?}");
    }

    #[test]
    fn the_top_up_minimum_is_ten() {
        let mut balance = BalanceSettings::initial("");
        assert!(balance.check().is_ok());
        balance.auto_recharge.amount = 9.99;
        assert!(balance.check().is_err());
    }
}
