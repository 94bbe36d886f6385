//! `mercfg plan FILE`

use std::path::PathBuf;
use std::process::ExitCode;

use super::TargetArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The manifest to plan.
    pub file: PathBuf,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Output format of the plan.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Save the plan as JSON to this file, for `mercfg apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 2 when the plan has changes, 0 when it has none, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

pub fn run(_args: Args, _color: bool) -> miette::Result<ExitCode> {
    Err(miette::miette!("`plan` is not built yet"))
}
