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

use serde::Serialize;
use serde_json::Value;

use super::executor::Outcome;
use crate::clock;

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
        let stamp = now().replace(':', "-");
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
    clock::rfc3339(clock::now())
}

#[cfg(test)]
mod tests {
    use super::*;

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
