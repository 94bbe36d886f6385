//! `mercfg schema`

use std::process::ExitCode;

pub fn run() -> miette::Result<ExitCode> {
    Err(miette::miette!("`schema` is not built yet"))
}
