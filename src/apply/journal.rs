//! The run journal: one folder per apply under `.mercfg/runs/`, written as the run goes.
//!
//! A run folder holds `plan.json` (what the run set out to do), `journal.jsonl` (one line
//! when a change starts, with the object's before-image, and one when it ends, with its
//! outcome) and, at the end, `revert.yaml` (a manifest that undoes the run). Each line is
//! written with a single `write` call and no buffering, so a run killed at any point leaves
//! every line it had reached, and at most the last one cut short.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;

use super::executor::Outcome;

/// An open run folder.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    lines: File,
}

/// One line of `journal.jsonl`.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Entry<'a> {
    /// A change is about to be sent; `before` is the object as it was read.
    Started {
        at: String,
        index: usize,
        kind: &'a str,
        key: &'a str,
        action: &'a str,
        before: Option<&'a Value>,
    },
    /// A change ended.
    Finished {
        at: String,
        index: usize,
        #[serde(flatten)]
        outcome: &'a Outcome,
    },
}

impl Journal {
    /// Makes a new run folder under `runs` (usually `.mercfg/runs`), named after the time.
    pub fn create(runs: &Path) -> std::io::Result<Journal> {
        fs::create_dir_all(runs)?;
        let stamp = timestamp(SystemTime::now()).replace(':', "-");
        let mut dir = runs.join(&stamp);
        let mut attempt = 1;
        // Two runs in the same second get distinct folders; `create_dir` fails if it exists.
        while let Err(error) = fs::create_dir(&dir) {
            if error.kind() != std::io::ErrorKind::AlreadyExists || attempt > 100 {
                return Err(error);
            }
            attempt += 1;
            dir = runs.join(format!("{stamp}-{attempt}"));
        }
        let lines = OpenOptions::new().create(true).append(true).open(dir.join("journal.jsonl"))?;
        Ok(Journal { dir, lines })
    }

    /// The run folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends one line.
    pub fn record(&mut self, entry: &Entry<'_>) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.lines.write_all(&line)
    }

    /// Writes a file of the run (`plan.json`, `revert.yaml`) through a temporary name, so a
    /// reader never sees half of it.
    pub fn write_file(&self, name: &str, contents: &str) -> std::io::Result<PathBuf> {
        let path = self.dir.join(name);
        let partial = self.dir.join(format!(".{name}.partial"));
        fs::write(&partial, contents)?;
        fs::rename(&partial, &path)?;
        Ok(path)
    }
}

/// The current time for journal lines, RFC 3339 in UTC.
pub fn now() -> String {
    timestamp(SystemTime::now())
}

/// Formats a time as `YYYY-MM-DDTHH:MM:SSZ`.
fn timestamp(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Converts days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// well-known algorithm, counting in 400-year eras).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap_day = UNIX_EPOCH + Duration::from_secs(951_782_400 + 3_723);
        assert_eq!(timestamp(leap_day), "2000-02-29T01:02:03Z");
        let later = UNIX_EPOCH + Duration::from_secs(1_796_299_200);
        assert_eq!(timestamp(later), "2026-12-03T12:00:00Z");
    }

    #[test]
    fn every_line_is_json_and_runs_get_their_own_folder() {
        let root = tempfile::tempdir().unwrap();
        let mut first = Journal::create(root.path()).unwrap();
        let second = Journal::create(root.path()).unwrap();
        assert_ne!(first.dir(), second.dir());

        let before = serde_json::json!({"name": "VIP"});
        first
            .record(&Entry::Started {
                at: now(),
                index: 0,
                kind: "tag",
                key: "VIP",
                action: "update",
                before: Some(&before),
            })
            .unwrap();
        first.record(&Entry::Finished { at: now(), index: 0, outcome: &Outcome::Applied }).unwrap();

        let text = fs::read_to_string(first.dir().join("journal.jsonl")).unwrap();
        let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines[0]["event"], "started");
        assert_eq!(lines[0]["before"]["name"], "VIP");
        assert_eq!(lines[1]["outcome"], "applied");
    }
}
