//! The closing summary of a run over many accounts: one row per account with its changes
//! and outcome, as aligned text or a markdown table.

use serde_json::{Value, json};

/// One account's line in the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The account's slug, or `-` when its manifest did not load.
    pub account: String,
    pub file: String,
    /// How many changes its plan has; `None` when there is no plan.
    pub changes: Option<usize>,
    /// What became of it, in a few words.
    pub outcome: String,
    /// Whether it counts towards exit status 1.
    pub failed: bool,
}

/// What the run did to the accounts that did not fail: a plan found them `with changes`, an
/// apply `changed` them.
#[derive(Debug, Clone, Copy)]
pub enum Run {
    Plan,
    Apply,
}

/// What the rows add up to.
pub fn headline(rows: &[Row], run: Run) -> String {
    let failed = rows.iter().filter(|row| row.failed).count();
    let changed = rows.iter().filter(|row| !row.failed && row.changes.unwrap_or(0) > 0).count();
    let noun = if rows.len() == 1 { "account" } else { "accounts" };
    let done = match run {
        Run::Plan => "with changes",
        Run::Apply => "changed",
    };
    format!("{} {noun}: {changed} {done}, {failed} failed", rows.len())
}

/// `== summary: …` and the aligned rows.
pub fn text(rows: &[Row], run: Run) -> String {
    let width = |cell: fn(&Row) -> usize| rows.iter().map(cell).max().unwrap_or(0);
    let account_width = width(|row| row.account.chars().count());
    let file_width = width(|row| row.file.chars().count());
    let changes_width = width(|row| changes(row).chars().count());

    let mut out = format!("== summary: {}\n", headline(rows, run));
    for row in rows {
        out.push_str(&format!(
            "{:<account_width$}  {:<file_width$}  {:<changes_width$}  {}\n",
            row.account,
            row.file,
            changes(row),
            row.outcome
        ));
    }
    out
}

/// A markdown table, for pull-request comments.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = format!("## Summary: {}\n\n", headline(rows, Run::Plan));
    out.push_str("| account | file | changes | outcome |\n|---|---|---|---|\n");
    for row in rows {
        let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            cell(&row.account),
            cell(&row.file),
            changes(row),
            cell(&row.outcome)
        ));
    }
    out
}

/// The row as the JSON document of `plan --format json` writes it.
pub fn json(row: &Row) -> Value {
    json!({
        "account": row.account,
        "file": row.file,
        "changes": row.changes,
        "outcome": row.outcome,
        "failed": row.failed,
    })
}

fn changes(row: &Row) -> String {
    match row.changes {
        Some(1) => "1 change".to_owned(),
        Some(n) => format!("{n} changes"),
        None => "-".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(account: &str, changes: Option<usize>, outcome: &str, failed: bool) -> Row {
        let file = format!("accounts/{account}.yaml");
        Row { account: account.into(), file, changes, outcome: outcome.into(), failed }
    }

    #[test]
    fn rows_align_and_the_headline_counts_changes_and_failures() {
        let rows = [
            row("norte", Some(4), "applied: 4 applied", false),
            row("sur-grande", Some(0), "no changes", false),
            row("-", None, "failed: no API key", true),
        ];
        let expected = "\
== summary: 3 accounts: 1 with changes, 1 failed
norte       accounts/norte.yaml       4 changes  applied: 4 applied
sur-grande  accounts/sur-grande.yaml  0 changes  no changes
-           accounts/-.yaml           -          failed: no API key
";
        assert_eq!(text(&rows, Run::Plan), expected);
        assert!(text(&rows, Run::Apply).starts_with("== summary: 3 accounts: 1 changed, 1 failed"));
    }

    #[test]
    fn markdown_escapes_pipes_in_cells() {
        let out = markdown(&[row("norte", Some(1), "failed: a | b", true)]);
        assert!(out.contains("| norte | `accounts/norte.yaml` | 1 change | failed: a \\| b |"));
    }
}
