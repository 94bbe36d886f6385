//! `mercfg init`

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The onboarding template to start from.
    #[arg(long, default_value = "minimal")]
    pub template: String,
    /// Write the manifest here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(miette::miette!("`init` is not built yet"))
}
