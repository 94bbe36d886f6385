//! `mercfg apply FILE` or `mercfg apply plan.json`

use std::path::PathBuf;
use std::process::ExitCode;

use super::TargetArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A manifest, or a plan saved by `mercfg plan --out`.
    pub file: PathBuf,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Apply without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Changes run at once within a dependency level.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub parallelism: usize,
    /// Allow changes that destroy data (a custom field's type replaced).
    #[arg(long)]
    pub allow_destroy: bool,
    /// Allow changes that raise possible spending (top-up amount or monthly cap).
    #[arg(long)]
    pub allow_spend_increase: bool,
}

pub fn run(_args: Args, _color: bool) -> miette::Result<ExitCode> {
    Err(miette::miette!("`apply` is not built yet"))
}
