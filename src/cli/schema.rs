//! `mercfg schema`: the manifest's JSON Schema on stdout.

use std::io::Write;
use std::process::ExitCode;

pub fn run() -> miette::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(crate::manifest::schema_json().as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| miette::miette!("cannot write the schema: {error}"))?;
    Ok(ExitCode::SUCCESS)
}
