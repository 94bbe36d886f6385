//! Which account a command talks to: `--sandbox`, `--endpoint`, the API key and the rate limit.

use std::path::PathBuf;

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
