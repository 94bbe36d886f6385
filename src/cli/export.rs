//! `mercfg export`

use std::path::PathBuf;
use std::process::ExitCode;

use super::TargetArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Write the manifest to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(_args: Args) -> miette::Result<ExitCode> {
    Err(miette::miette!("`export` is not built yet"))
}
