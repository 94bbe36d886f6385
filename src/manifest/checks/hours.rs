//! Business hours: each range ends after it starts, day ranges run in week order, and no two
//! ranges overlap on any day, including through day ranges (`mon-fri` and `wed`).

use std::collections::HashSet;

use super::Finding;
use crate::manifest::diagnostic::Problem;
use crate::manifest::model::Manifest;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One opening range and where it is written.
struct Opening<'a> {
    start: u32,
    end: u32,
    text: &'a str,
    pointer: String,
}

pub(super) fn check(manifest: &Manifest, findings: &mut Vec<Finding>) {
    let Some(hours) = manifest.messaging.as_ref().and_then(|m| m.business_hours.as_ref()) else {
        return;
    };

    // Spread every range over the days its key covers.
    let mut week: [Vec<Opening<'_>>; 7] = Default::default();
    for (key, ranges) in &hours.days {
        let Some(days) = days_of(key) else {
            let pointer = format!("/messaging/business_hours/{key}");
            findings.push(Finding::new(
                pointer,
                Problem::DaysBackwards { days: key.clone() },
                "backwards",
            ));
            continue;
        };
        for (index, text) in ranges.iter().enumerate() {
            let pointer = format!("/messaging/business_hours/{key}/{index}");
            let Some((start, end)) = minutes_of(text) else { continue };
            if end <= start {
                findings.push(Finding::new(
                    pointer,
                    Problem::RangeBackwards { range: text.clone() },
                    "ends too early",
                ));
                continue;
            }
            for day in days.clone() {
                week[day].push(Opening { start, end, text, pointer: pointer.clone() });
            }
        }
    }

    // Report each overlapping pair once, on the first day it shows up.
    let mut reported = HashSet::new();
    for (day, openings) in week.iter_mut().enumerate() {
        openings.sort_by_key(|opening| (opening.start, opening.end));
        for (index, later) in openings.iter().enumerate() {
            for earlier in &openings[..index] {
                if later.start >= earlier.end {
                    continue;
                }
                let (first, second) = ordered(earlier, later);
                if !reported.insert((first.pointer.clone(), second.pointer.clone())) {
                    continue;
                }
                let problem = Problem::HoursOverlap {
                    day: DAYS[day].to_owned(),
                    first: first.text.to_owned(),
                    second: second.text.to_owned(),
                };
                findings.push(
                    Finding::new(second.pointer.clone(), problem, "overlaps")
                        .related(first.pointer.clone(), "this range"),
                );
            }
        }
    }
}

/// The two openings in the order they are written, so the later one carries the error.
fn ordered<'o, 'a>(a: &'o Opening<'a>, b: &'o Opening<'a>) -> (&'o Opening<'a>, &'o Opening<'a>) {
    if a.pointer <= b.pointer { (a, b) } else { (b, a) }
}

/// The days a key covers (`wed`, `mon-fri`), or `None` for a range that runs backwards.
fn days_of(key: &str) -> Option<std::ops::RangeInclusive<usize>> {
    let index = |name: &str| DAYS.iter().position(|day| *day == name);
    match key.split_once('-') {
        Some((from, to)) => {
            let (from, to) = (index(from)?, index(to)?);
            (from <= to).then_some(from..=to)
        }
        None => index(key).map(|day| day..=day),
    }
}

/// Minutes since midnight of `HH:MM-HH:MM`.
fn minutes_of(range: &str) -> Option<(u32, u32)> {
    let (start, end) = range.split_once('-')?;
    let minutes = |time: &str| {
        let (hours, minutes) = time.split_once(':')?;
        Some(hours.parse::<u32>().ok()? * 60 + minutes.parse::<u32>().ok()?)
    };
    Some((minutes(start)?, minutes(end)?))
}
