//! The import run: stream the file, check each row, decide its change, send it.
//!
//! # Guarantees
//!
//! - A bad row (broken CSV, malformed phone or email, unknown tag, option or column type,
//!   keys of two different customers) is reported with its line and skipped; the other rows
//!   go in.
//! - Each row is one request: a customer is created or updated whole, or not at all.
//! - Rows are matched by phone, then email. A row whose phone or email is being written by
//!   an earlier row waits for that write, so a file naming a customer twice updates the
//!   customer the first row created instead of creating it again.
//! - Memory holds the account's customers (the match index), the writes in flight and one
//!   record, never the file.
//!
//! # Errors
//!
//! A refusal that is about the row (422, 409, 404) skips the row; anything else (the key
//! refused, the platform unreachable) stops the run after the writes in flight finish.

use std::collections::HashSet;
use std::io::Read;

use csv::StringRecord;
use tokio::task::JoinSet;

use super::change::{RowChange, after_change, change_for};
use super::columns::{Catalog, Layout};
use super::contact::normalize_email;
use super::error::{BadRow, CustomersError, RowProblem};
use super::index::{CustomerIndex, Known, Match};
use super::input::{CustomerReader, Record};
use super::pages::for_each_page;
use super::row::{CustomerRow, check_record};
use crate::apply::StopSignal;
use crate::platform::{Client, Customer, PlatformError};

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Decide every change but send none.
    pub dry_run: bool,
    /// Most writes in flight at once (at least 1); all of them wait for the client's rate
    /// limiter.
    pub parallelism: usize,
    /// Once stopped, no further row is read; the writes in flight finish.
    pub stop: StopSignal,
}

/// Something the caller may want to show while the import runs.
#[derive(Debug)]
pub enum ImportEvent<'a> {
    /// A row that does not go in: it failed its checks, or the platform refused it.
    Skipped(&'a BadRow),
    /// What a row changes, decided before it is sent (or, in a dry run, instead).
    Planned { line: u64, change: &'a RowChange },
}

/// Counts of what an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Records read after the header, broken ones included.
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows that failed their checks.
    pub skipped: u64,
    /// Rows the platform refused.
    pub refused: u64,
    /// Whether the run was stopped before the end of the file.
    pub stopped: bool,
}

impl ImportSummary {
    /// Whether every row went in (or would).
    pub fn is_clean(&self) -> bool {
        self.skipped == 0 && self.refused == 0 && !self.stopped
    }
}

/// Imports the customers of `input`, a CSV file whose columns `catalog` describes.
pub async fn import_customers<R: Read>(
    client: &Client,
    catalog: &Catalog,
    input: R,
    options: ImportOptions,
    mut on_event: impl FnMut(ImportEvent<'_>),
) -> Result<ImportSummary, CustomersError> {
    let mut reader = CustomerReader::new(input);
    let header = reader.header()?;
    let layout = Layout::from_header(header.iter().map(String::as_str), catalog)?;

    let mut index = CustomerIndex::default();
    for_each_page(client, |customers| {
        for customer in customers {
            index.upsert(Known::from(customer), None);
        }
        Ok::<(), PlatformError>(())
    })
    .await?;
    tracing::debug!(customers = index.len(), "matching against the account's customers");

    let mut run = Run { summary: ImportSummary::default(), index, writes: Writes::default() };
    let result = run.rows(client, catalog, &layout, &mut reader, &options, &mut on_event).await;
    // Writes already sent finish and are counted, whatever stopped the run.
    let drained = run.drain(&mut on_event).await;
    result.and(drained)?;
    Ok(run.summary)
}

/// The state of one import.
struct Run {
    summary: ImportSummary,
    index: CustomerIndex,
    writes: Writes,
}

/// Writes in flight and the phones and emails they touch.
#[derive(Default)]
struct Writes {
    tasks: JoinSet<Written>,
    keys: HashSet<String>,
}

/// A finished write: the row's line, its slot in the index, and what the platform said.
struct Written {
    line: u64,
    slot: Option<usize>,
    created: bool,
    keys: Vec<String>,
    outcome: Result<Customer, PlatformError>,
}

impl Run {
    async fn rows<R: Read>(
        &mut self,
        client: &Client,
        catalog: &Catalog,
        layout: &Layout,
        reader: &mut CustomerReader<R>,
        options: &ImportOptions,
        on_event: &mut impl FnMut(ImportEvent<'_>),
    ) -> Result<(), CustomersError> {
        let mut record = StringRecord::new();
        loop {
            if options.stop.is_stopped() {
                self.summary.stopped = true;
                return Ok(());
            }
            let line = match reader.read(&mut record)? {
                Record::End => return Ok(()),
                Record::Broken(bad) => {
                    self.summary.rows += 1;
                    self.skip(&bad, on_event);
                    continue;
                }
                Record::Read { line } => line,
            };
            self.summary.rows += 1;
            let row = match check_record(record.iter(), line, layout, catalog) {
                Ok(row) => row,
                Err(bad) => {
                    self.skip(&bad, on_event);
                    continue;
                }
            };

            let keys = keys_of(&row);
            if keys.iter().any(|key| self.writes.keys.contains(key)) {
                self.drain(on_event).await?;
            }
            let Some((change, slot, after)) = self.decide(&row, catalog, on_event) else {
                continue;
            };
            if options.dry_run {
                if let Some(after) = after {
                    self.index.upsert(after, slot);
                }
                self.count(&change);
                continue;
            }
            while self.writes.tasks.len() >= options.parallelism.max(1) {
                self.finish_one(on_event).await?;
            }
            self.send(client, line, change, slot, keys);
        }
    }

    /// The row's change, its customer's slot and what the customer holds after it; `None`
    /// when the row is skipped.
    fn decide(
        &mut self,
        row: &CustomerRow,
        catalog: &Catalog,
        on_event: &mut impl FnMut(ImportEvent<'_>),
    ) -> Option<(RowChange, Option<usize>, Option<Known>)> {
        let (found, slot) = self.index.find(row);
        let existing = match found {
            Match::New => None,
            Match::Found(known) => Some(known),
            Match::Conflict { by_phone, by_email } => {
                let name = |known: &Known| {
                    known.id.as_ref().map_or_else(|| "new".to_owned(), ToString::to_string)
                };
                let problem =
                    RowProblem::Conflict { by_phone: name(by_phone), by_email: name(by_email) };
                let bad = BadRow { line: row.line, problems: vec![problem] };
                self.skip(&bad, on_event);
                return None;
            }
        };
        let change = change_for(row, existing, catalog);
        let after = after_change(existing, &change);
        tracing::trace!(line = row.line, ?change, "row decided");
        if change != RowChange::Unchanged {
            on_event(ImportEvent::Planned { line: row.line, change: &change });
        }
        Some((change, slot, after))
    }

    fn send(
        &mut self,
        client: &Client,
        line: u64,
        change: RowChange,
        slot: Option<usize>,
        keys: Vec<String>,
    ) {
        let (created, id, draft) = match change {
            RowChange::Unchanged => {
                self.summary.unchanged += 1;
                return;
            }
            RowChange::Create { draft } => (true, None, draft),
            RowChange::Update { id, draft, .. } => (false, id, draft),
        };
        self.writes.keys.extend(keys.iter().cloned());
        let client = client.clone();
        self.writes.tasks.spawn(async move {
            let outcome = match &id {
                Some(id) => client.update_customer(id, &draft).await,
                None => client.create_customer(&draft).await,
            };
            Written { line, slot, created: created || id.is_none(), keys, outcome }
        });
    }

    /// Waits for every write in flight.
    async fn drain(
        &mut self,
        on_event: &mut impl FnMut(ImportEvent<'_>),
    ) -> Result<(), CustomersError> {
        let mut first_error = None;
        while !self.writes.tasks.is_empty() {
            if let Err(error) = self.finish_one(on_event).await {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Waits for one write in flight and records its outcome.
    async fn finish_one(
        &mut self,
        on_event: &mut impl FnMut(ImportEvent<'_>),
    ) -> Result<(), CustomersError> {
        // A write task only fails to join when the runtime shuts down.
        let Some(Ok(written)) = self.writes.tasks.join_next().await else { return Ok(()) };
        for key in &written.keys {
            self.writes.keys.remove(key);
        }
        match written.outcome {
            Ok(customer) => {
                self.index.upsert(Known::from(customer), written.slot);
                if written.created {
                    self.summary.created += 1;
                } else {
                    self.summary.updated += 1;
                }
                Ok(())
            }
            Err(error) if is_about_the_row(&error) => {
                self.summary.refused += 1;
                let problem = RowProblem::Refused { reason: error.to_string() };
                on_event(ImportEvent::Skipped(&BadRow {
                    line: written.line,
                    problems: vec![problem],
                }));
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    fn skip(&mut self, bad: &BadRow, on_event: &mut impl FnMut(ImportEvent<'_>)) {
        self.summary.skipped += 1;
        on_event(ImportEvent::Skipped(bad));
    }

    fn count(&mut self, change: &RowChange) {
        match change {
            RowChange::Create { .. } => self.summary.created += 1,
            RowChange::Update { .. } => self.summary.updated += 1,
            RowChange::Unchanged => self.summary.unchanged += 1,
        }
    }
}

/// The phone and lower-case email a row matches by.
fn keys_of(row: &CustomerRow) -> Vec<String> {
    let email = row.email.as_deref().and_then(normalize_email);
    row.phone.iter().cloned().chain(email).collect()
}

/// Whether the platform refused this row alone, so the run goes on without it.
fn is_about_the_row(error: &PlatformError) -> bool {
    match error {
        PlatformError::Rejected { .. }
        | PlatformError::AlreadyExists { .. }
        | PlatformError::NotFound { .. }
        | PlatformError::VersionConflict { .. } => true,
        PlatformError::Status { status, .. } => {
            (400..500).contains(status) && ![401, 403, 429].contains(status)
        }
        _ => false,
    }
}
