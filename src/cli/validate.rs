//! `mercfg validate FILE...`: every problem of every file, rendered with its snippet on
//! stderr; a check mark for each file that is valid.

use std::path::PathBuf;
use std::process::ExitCode;

use super::diagnostics;
use crate::manifest;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Manifests to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    let mut failed = 0;
    for path in &args.files {
        match manifest::load(path) {
            Ok(_) => eprintln!("✓ {} is valid", path.display()),
            Err(problems) => {
                failed += 1;
                diagnostics::print_all(&problems.items);
                let count = problems.items.len();
                let noun = if count == 1 { "problem" } else { "problems" };
                eprintln!("✗ {}: {count} {noun}", path.display());
            }
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
