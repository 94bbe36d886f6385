//! Business hours: day ranges such as `mon-fri` expanded to each day, ranges sorted, and
//! compared day by day against the account's. The whole week is sent, since a day left out
//! is closed.

use std::collections::BTreeMap;

use serde_json::json;

use crate::manifest::model::{BusinessHours, Manifest};
use crate::state::LiveState;

use super::change::{Action, Change, FieldChange, ObjectKind, Target};
use super::manual;

const KEY: &str = "business_hours";
const WEEK: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Appends the business hours change, if any, to `out`.
pub(super) fn diff(manifest: &Manifest, live: &LiveState, out: &mut Vec<Change>) {
    let Some(hours) = manifest.messaging.as_ref().and_then(|m| m.business_hours.as_ref()) else {
        return;
    };
    let timezone = hours.timezone.clone().or_else(|| manifest.account.timezone.clone());
    let days = expand(hours);

    let Some(live_hours) = &live.business_hours else {
        let body = json!({ "timezone": timezone, "days": days });
        out.push(manual::change(ObjectKind::BusinessHours, KEY, body));
        return;
    };

    let mut fields = Vec::new();
    if let Some(timezone) = &timezone
        && live_hours.timezone.trim() != timezone.trim()
    {
        fields.push(FieldChange::new("timezone", &live_hours.timezone, timezone));
    }
    let live_days = normalize(&live_hours.days);
    for day in WEEK {
        let (before, after) = (live_days.get(day), days.get(day));
        if before != after {
            fields.push(FieldChange::new(format!("days.{day}"), before, after));
        }
    }
    if fields.is_empty() {
        return;
    }

    let mut change = Change::new(ObjectKind::BusinessHours, Action::Update, KEY);
    change.target = Some(Target { id: KEY.to_owned(), version: live_hours.version });
    change.body = Some(json!({
        "timezone": timezone.unwrap_or_else(|| live_hours.timezone.clone()),
        "days": days,
    }));
    change.fields = fields;
    change.reason = "differs from the manifest".to_owned();
    out.push(change);
}

/// Each open day with its ranges sorted and without repeats; closed days left out.
pub(crate) fn expand(hours: &BusinessHours) -> BTreeMap<String, Vec<String>> {
    let mut days: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, ranges) in &hours.days {
        for day in day_range(key) {
            days.entry(day.to_owned()).or_default().extend(ranges.iter().map(|r| r.trim().into()));
        }
    }
    normalize(&days)
}

fn normalize(days: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, Vec<String>> {
    days.iter()
        .filter(|(_, ranges)| !ranges.is_empty())
        .map(|(day, ranges)| {
            let mut ranges: Vec<String> = ranges.iter().map(|r| r.trim().to_owned()).collect();
            ranges.sort();
            ranges.dedup();
            (day.trim().to_lowercase(), ranges)
        })
        .collect()
}

/// The days of `mon`, or of `mon-fri` in week order. A range that runs backwards
/// (`sat-mon`) wraps over the weekend.
fn day_range(key: &str) -> Vec<&'static str> {
    let position = |day: &str| WEEK.iter().position(|known| *known == day.trim());
    let (first, last) = match key.split_once('-') {
        Some((first, last)) => (position(first), position(last)),
        None => (position(key), position(key)),
    };
    let (Some(first), Some(last)) = (first, last) else { return Vec::new() };
    let length = (last + WEEK.len() - first) % WEEK.len() + 1;
    (0..length).map(|offset| WEEK[(first + offset) % WEEK.len()]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_ranges_expand_in_week_order() {
        assert_eq!(day_range("mon-fri"), ["mon", "tue", "wed", "thu", "fri"]);
        assert_eq!(day_range("sat"), ["sat"]);
        assert_eq!(day_range("sat-mon"), ["sat", "sun", "mon"]);
        assert!(day_range("someday").is_empty());
    }

    #[test]
    fn overlapping_keys_merge_and_sort() {
        let hours = BusinessHours {
            timezone: None,
            days: BTreeMap::from([
                ("mon-fri".to_owned(), vec!["14:00-18:00".to_owned(), "08:00-13:00".to_owned()]),
                ("fri".to_owned(), vec!["19:00-20:00".to_owned()]),
            ]),
        };
        let days = expand(&hours);
        assert_eq!(days.len(), 5);
        assert_eq!(days["mon"], ["08:00-13:00", "14:00-18:00"]);
        assert_eq!(days["fri"], ["08:00-13:00", "14:00-18:00", "19:00-20:00"]);
    }
}
