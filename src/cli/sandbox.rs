//! `mercfg sandbox serve`

use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve the platform emulator over HTTP.
    Serve,
}

pub fn run(_command: Command) -> miette::Result<ExitCode> {
    Err(miette::miette!("`sandbox serve` is not built yet"))
}
