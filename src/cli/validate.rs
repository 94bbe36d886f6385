//! `mercfg validate FILE...`

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Manifests to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(_args: Args, _color: bool) -> miette::Result<ExitCode> {
    Err(miette::miette!("`validate` is not built yet"))
}
