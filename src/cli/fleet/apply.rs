//! `mercfg apply --auto-approve` over many accounts: every plan is printed first, then the
//! accounts run at once, each under its own rate limiter, and the run ends with each
//! account's table of outcomes and one summary.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::task::Poll;

use super::plan::{print_account, row};
use super::summary::{self, Row};
use super::{Account, Status, close, prepare_all};
use crate::apply::{self, ApplyOptions, JournalError, Observer, Outcome, Report, StopSignal};
use crate::cli::plan::{Format, Prepared};
use crate::cli::progress;
use crate::cli::signal::{APPLY_STOPPING, stop_on_signal};
use crate::cli::target::TargetArgs;
use crate::plan::{Change, PlanOptions};

/// Plans, prints and applies every account. Exit 1 if any account failed anywhere.
pub async fn apply(
    files: Vec<PathBuf>,
    target: TargetArgs,
    options: PlanOptions,
    apply_options: ApplyOptions,
    color: bool,
) -> miette::Result<ExitCode> {
    let (accounts, sandbox) = prepare_all(files, &target, options).await?;
    for account in &accounts {
        print_account(account, Format::Text, color);
    }

    let stop = StopSignal::default();
    let stopper = tokio::spawn(stop_on_signal(stop.clone(), APPLY_STOPPING));
    let runs = accounts.iter().map(|account| apply_account(account, &apply_options, &stop));
    let results = join_all(runs.collect()).await;
    stopper.abort();

    let mut rows = Vec::with_capacity(accounts.len());
    for (account, result) in accounts.iter().zip(&results) {
        rows.push(match (result, &account.status) {
            (Some(result), Status::Ready(prepared)) => report(account, prepared, result),
            _ => row(account),
        });
    }
    print!("{}", summary::text(&rows, summary::Run::Apply));
    close(accounts, sandbox).await;
    Ok(if rows.iter().any(|row| row.failed) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Runs the account's plan, when it has one with changes that no rail refused.
async fn apply_account(
    account: &Account,
    options: &ApplyOptions,
    stop: &StopSignal,
) -> Option<Result<Report, JournalError>> {
    let Status::Ready(prepared) = &account.status else { return None };
    let plan = prepared.plan();
    if !prepared.violations.is_empty() || plan.is_empty() {
        return None;
    }
    let slug = account.slug.clone().unwrap_or_default();
    let mut lines = Lines { slug: &slug, changes: &plan.changes };
    let client = &prepared.connection.client;
    Some(apply::apply(&prepared.saved, &prepared.live, client, options, stop, &mut lines).await)
}

/// Prints the account's table of outcomes under its header, and returns its summary row.
fn report(account: &Account, prepared: &Prepared, result: &Result<Report, JournalError>) -> Row {
    let plan = prepared.plan();
    let mut row = row(account);
    println!("== {}: outcome", account.header());
    match result {
        Ok(report) => {
            print!("{}", progress::report(&plan.changes, &report.outcomes));
            eprintln!("{}: journal {}", account.header(), report.run_dir.display());
            if let Some(revert) = &report.revert {
                eprintln!(
                    "{}: to undo this run: mercfg apply {}",
                    account.header(),
                    revert.display()
                );
            }
            let failures = report.outcomes.iter().filter(|o| o.is_failure()).count();
            (row.outcome, row.failed) = if failures == 0 {
                (format!("applied ({})", tally(&report.outcomes)), false)
            } else {
                (
                    format!("failed: {failures} of {} changes did not apply", plan.changes.len()),
                    true,
                )
            };
        }
        Err(error) => {
            println!("not applied: {error}");
            (row.outcome, row.failed) = (format!("failed: {error}"), true);
        }
    }
    println!();
    row
}

/// `3 applied, 1 manual`
fn tally(outcomes: &[Outcome]) -> String {
    let mut parts = Vec::new();
    for word in ["applied", "manual"] {
        let count = outcomes.iter().filter(|o| progress::outcome_word(o) == word).count();
        if count > 0 || word == "applied" {
            parts.push(format!("{count} {word}"));
        }
    }
    parts.join(", ")
}

/// One plain line on stderr per finished change, named by account, since several
/// accounts' changes finish interleaved.
struct Lines<'a> {
    slug: &'a str,
    changes: &'a [Change],
}

impl Observer for Lines<'_> {
    fn started(&mut self, _index: usize) {}

    fn finished(&mut self, index: usize, outcome: &Outcome) {
        let word = progress::outcome_word(outcome);
        eprintln!("{}: {word:<9} {}", self.slug, progress::describe(&self.changes[index]));
    }
}

/// Drives every future at once on this task and returns their outputs in order. The runs
/// borrow the accounts and report through a non-`Send` observer, so they are not spawned;
/// they spend their time waiting on the network, and their writes run in tasks of their
/// own inside the executor.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|context| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(context) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending { Poll::Pending } else { Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn join_all_runs_futures_together_and_keeps_their_order() {
        let started = std::time::Instant::now();
        let delays = [30u64, 10, 20];
        let futures = delays.iter().map(|&ms| async move {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            ms
        });
        assert_eq!(join_all(futures.collect()).await, delays);
        // Run one after another they would take 60 ms.
        assert!(started.elapsed() < std::time::Duration::from_millis(55));
    }

    #[test]
    fn tally_names_manual_steps_only_when_there_are_some() {
        assert_eq!(tally(&[Outcome::Applied, Outcome::Applied]), "2 applied");
        assert_eq!(tally(&[Outcome::Applied, Outcome::Manual]), "1 applied, 1 manual");
    }
}
