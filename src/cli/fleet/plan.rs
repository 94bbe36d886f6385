//! `mercfg plan` over many accounts: each account's plan under its header line, the
//! problems of each on stderr, and one summary; or, with `--format json`, one document.

use std::process::ExitCode;

use serde_json::{Value, json};

use super::summary::{self, Row};
use super::{Account, Status, close, prepare_all};
use crate::cli::diagnostics;
use crate::cli::plan::Format;
use crate::cli::target::TargetArgs;
use crate::plan::PlanOptions;
use crate::render;

/// What the command line asked of the output.
#[derive(Debug, Clone, Copy)]
pub struct PlanRun {
    pub format: Format,
    pub detailed_exitcode: bool,
}

/// Plans every account and prints them in the order of the files. Exit 1 if any failed
/// (did not load, could not be read, refused by a rail); else, with `--detailed-exitcode`,
/// 2 if any has changes; else 0.
pub async fn plan(
    files: Vec<std::path::PathBuf>,
    target: TargetArgs,
    options: PlanOptions,
    run: PlanRun,
    color: bool,
) -> miette::Result<ExitCode> {
    let (accounts, sandbox) = prepare_all(files, &target, options).await?;
    let rows: Vec<Row> = accounts.iter().map(row).collect();

    match run.format {
        Format::Json => {
            for account in &accounts {
                report_problems(account);
            }
            print!("{}", document(&accounts, &rows));
        }
        Format::Text | Format::Markdown => {
            for account in &accounts {
                print_account(account, run.format, color);
            }
            match run.format {
                Format::Markdown => print!("{}", summary::markdown(&rows)),
                _ => print!("{}", summary::text(&rows, summary::Run::Plan)),
            }
        }
    }
    close(accounts, sandbox).await;

    let failed = rows.iter().any(|row| row.failed);
    let changed = rows.iter().any(|row| row.changes.unwrap_or(0) > 0);
    Ok(match (failed, run.detailed_exitcode && changed) {
        (true, _) => ExitCode::FAILURE,
        (false, true) => ExitCode::from(2),
        (false, false) => ExitCode::SUCCESS,
    })
}

/// The header line on stdout, the account's problems on stderr, then its plan.
pub fn print_account(account: &Account, format: Format, color: bool) {
    match format {
        Format::Markdown => print!("## {}\n\n", account.header()),
        _ => println!("== {}", account.header()),
    }
    report_problems(account);
    if let Status::Ready(prepared) = &account.status {
        let plan = prepared.plan();
        super::super::plan::print_flag_notes(&plan);
        match format {
            Format::Markdown => print!("{}", render::markdown(&plan)),
            _ => print!("{}", render::text(&plan, color)),
        }
    }
    println!();
}

/// Prints on stderr why the account has no plan, or the rails its plan breaks.
fn report_problems(account: &Account) {
    match &account.status {
        Status::Invalid(problems) => {
            diagnostics::print_all(&problems.items);
            eprintln!("✗ {}: {}", account.file.display(), problem_count(problems.items.len()));
        }
        Status::Failed(report) => {
            let handler = diagnostics::handler();
            eprint!("{}", diagnostics::render(&handler, report.as_ref()));
        }
        Status::Ready(prepared) => diagnostics::print_all(&prepared.violations),
    }
}

/// The account's summary row after planning.
pub fn row(account: &Account) -> Row {
    let (changes, outcome, failed) = match &account.status {
        Status::Invalid(problems) => {
            (None, format!("invalid manifest ({})", problem_count(problems.items.len())), true)
        }
        Status::Failed(report) => (None, format!("failed: {report}"), true),
        Status::Ready(prepared) => {
            let plan = prepared.plan();
            let count = plan.changes.len();
            if !prepared.violations.is_empty() {
                let rails = prepared.violations.len();
                let noun = if rails == 1 { "rail" } else { "rails" };
                (Some(count), format!("refused by {rails} safety {noun}"), true)
            } else if count == 0 {
                (Some(0), "no changes".to_owned(), false)
            } else {
                let text = plan.summary().to_string();
                let text = text.trim_start_matches("Plan: ").trim_end_matches('.');
                (Some(count), text.to_owned(), false)
            }
        }
    };
    Row {
        account: account.slug.clone().unwrap_or_else(|| "-".to_owned()),
        file: account.file.display().to_string(),
        changes,
        outcome,
        failed,
    }
}

/// `{"format_version", "summary", "accounts": [{..row, "plan"}]}`: each account's plan in
/// the single-account JSON format (`docs/plan-json.md`), or `null` when it has none.
fn document(accounts: &[Account], rows: &[Row]) -> String {
    let entries: Vec<Value> = accounts
        .iter()
        .zip(rows)
        .map(|(account, row)| {
            let mut entry = summary::json(row);
            let plan = match &account.status {
                Status::Ready(prepared) => {
                    serde_json::from_str(&render::json(&prepared.plan())).unwrap_or(Value::Null)
                }
                _ => Value::Null,
            };
            entry["plan"] = plan;
            entry
        })
        .collect();
    let document = json!({
        "format_version": render::JSON_FORMAT_VERSION,
        "summary": {
            "text": summary::headline(rows, summary::Run::Plan),
            "accounts": rows.len(),
            "with_changes": rows.iter().filter(|r| !r.failed && r.changes.unwrap_or(0) > 0).count(),
            "failed": rows.iter().filter(|r| r.failed).count(),
        },
        "accounts": entries,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

fn problem_count(count: usize) -> String {
    if count == 1 { "1 problem".to_owned() } else { format!("{count} problems") }
}
