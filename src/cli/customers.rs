//! `mercfg customers import|export`

use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Upsert customers from a CSV file.
    Import,
    /// Write every customer as CSV.
    Export,
}

pub fn run(_command: Command) -> miette::Result<ExitCode> {
    Err(miette::miette!("`customers` is not built yet"))
}
