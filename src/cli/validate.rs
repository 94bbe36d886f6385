//! `mercfg validate FILE...`: every problem of every file, rendered with its snippet on
//! stderr; a check mark for each file that is valid.

use std::path::PathBuf;
use std::process::ExitCode;

use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::manifest;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Manifests to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Diagnostics are rendered at a fixed width so output is the same in CI and on a terminal.
const WIDTH: usize = 100;

pub fn run(args: Args, color: bool) -> miette::Result<ExitCode> {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(WIDTH).with_links(false);

    let mut failed = 0;
    for path in &args.files {
        match manifest::load(path) {
            Ok(_) => eprintln!("✓ {} is valid", path.display()),
            Err(diagnostics) => {
                failed += 1;
                for diagnostic in &diagnostics.items {
                    let mut out = String::new();
                    if handler.render_report(&mut out, diagnostic).is_err() {
                        out = format!("{diagnostic}\n");
                    }
                    eprint!("{out}");
                }
                let count = diagnostics.items.len();
                let noun = if count == 1 { "problem" } else { "problems" };
                eprintln!("✗ {}: {count} {noun}", path.display());
            }
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
