//! Which account a command talks to: `--sandbox`, `--endpoint`, the API key and the rate limit.

use std::path::PathBuf;

use crate::platform::{Client, ClientConfig, PlatformError, Secret};

/// Flags shared by every command that reads or writes an account.
#[derive(Debug, Clone, clap::Args)]
pub struct TargetArgs {
    /// Target the embedded sandbox (data kept in `.mercfg/sandbox.db`) instead of an account.
    #[arg(long, conflicts_with_all = ["endpoint", "api_key_file"])]
    pub sandbox: bool,

    /// Base URL of the platform.
    #[arg(long, env = "MERCATELY_ENDPOINT", default_value = "https://app.mercately.com")]
    pub endpoint: String,

    /// Read the API key from this file instead of `MERCATELY_API_KEY`.
    #[arg(long, value_name = "FILE")]
    pub api_key_file: Option<PathBuf>,

    /// Most requests per second sent to the account.
    #[arg(long, value_name = "N", default_value_t = 10.0)]
    pub rate_limit: f64,
}

/// Why no client could be made from the flags.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub(crate) enum TargetError {
    #[error("`--sandbox` is not available to this command")]
    #[diagnostic(
        code(mercfg::target::sandbox),
        help("start one with `mercfg sandbox serve` and pass its address with `--endpoint`")
    )]
    Sandbox,

    #[error("the API key file `{path}` could not be read")]
    #[diagnostic(code(mercfg::target::key_file), help("check the path given to `--api-key-file`"))]
    KeyFile {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Platform(#[from] PlatformError),
}

/// A client of the account the flags name: `--endpoint`, with the key from `--api-key-file`
/// or `MERCATELY_API_KEY`.
pub(crate) fn client(target: &TargetArgs) -> Result<Client, TargetError> {
    if target.sandbox {
        return Err(TargetError::Sandbox);
    }
    let key = match &target.api_key_file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|source| TargetError::KeyFile { path: path.display().to_string(), source })?,
        None => std::env::var("MERCATELY_API_KEY").unwrap_or_default(),
    };
    let mut config = ClientConfig::new(target.endpoint.clone(), Secret::new(key));
    config.rate_limit = target.rate_limit;
    Ok(Client::new(config)?)
}
