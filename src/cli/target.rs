//! Which account a command talks to: `--sandbox`, `--endpoint`, the API key and the rate
//! limit; and the connection made from them.

use std::path::PathBuf;

use miette::{IntoDiagnostic, WrapErr};

use crate::manifest::model::AccountSpec;
use crate::platform::{Client, ClientConfig, Secret};
use crate::sandbox::{RunningSandbox, SandboxConfig};

/// Where the embedded sandbox keeps its data, relative to the working directory.
pub const SANDBOX_DB: &str = ".mercfg/sandbox.db";

/// Requests per second against a real account unless `--rate-limit` says otherwise: well
/// under the platform's limit, so other integrations on the account keep working.
const DEFAULT_RATE_LIMIT: f64 = 10.0;

/// The embedded sandbox has no platform behind it to protect.
const SANDBOX_RATE_LIMIT: f64 = 1000.0;

/// Flags shared by every command that reads or writes an account.
#[derive(Debug, Clone, clap::Args)]
pub struct TargetArgs {
    /// Target the embedded sandbox (data kept in `.mercfg/sandbox.db`) instead of an account.
    #[arg(long, conflicts_with_all = ["endpoint", "api_key_file"])]
    pub sandbox: bool,

    /// Base URL of the platform [default: https://app.mercately.com].
    #[arg(long, env = "MERCATELY_ENDPOINT")]
    pub endpoint: Option<String>,

    /// Read the API key from this file instead of `MERCATELY_API_KEY`.
    #[arg(long, value_name = "FILE")]
    pub api_key_file: Option<PathBuf>,

    /// Most requests per second sent to the account [default: 10; sandbox: 1000].
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<f64>,

    /// With `--sandbox` and no manifest: the sandbox account to use (a manifest's
    /// `account.slug` picks it otherwise).
    #[arg(long, value_name = "SLUG", default_value = "sandbox", requires = "sandbox")]
    pub sandbox_account: String,
}

/// A client for the chosen account, and the embedded sandbox behind it when there is one.
pub struct Connection {
    pub client: Client,
    /// Kept alive for as long as the connection is used.
    pub sandbox: Option<RunningSandbox>,
}

impl Connection {
    /// Stops the embedded sandbox, if any, after its requests in flight.
    pub async fn close(self) {
        if let Some(sandbox) = self.sandbox
            && let Err(error) = sandbox.stop().await
        {
            tracing::warn!("the embedded sandbox did not stop cleanly: {error}");
        }
    }
}

impl TargetArgs {
    /// Connects to the account. `account` is the manifest's `account` section when there is
    /// one: its `api_key_env` names the variable holding this account's key, and on the
    /// sandbox its slug picks (or makes) the sandbox account.
    pub async fn connect(&self, account: Option<&AccountSpec>) -> miette::Result<Connection> {
        let sandbox = self.start_sandbox().await?;
        let mut connection = self.connect_on(sandbox.as_ref(), account)?;
        connection.sandbox = sandbox;
        Ok(connection)
    }

    /// Starts the embedded sandbox when `--sandbox` is given. A run over many accounts
    /// starts it once and connects every account to it with [`TargetArgs::connect_on`].
    pub async fn start_sandbox(&self) -> miette::Result<Option<RunningSandbox>> {
        if !self.sandbox {
            return Ok(None);
        }
        let sandbox = crate::sandbox::start(SandboxConfig {
            db_path: PathBuf::from(SANDBOX_DB),
            ..SandboxConfig::default()
        })
        .await
        .wrap_err("cannot start the embedded sandbox")?;
        tracing::debug!("embedded sandbox on {}", sandbox.url());
        Ok(Some(sandbox))
    }

    /// Connects to the account through `sandbox` when there is one (the connection then
    /// does not own it), else to the endpoint. Each connection has its own client, so its
    /// own rate limiter.
    pub fn connect_on(
        &self,
        sandbox: Option<&RunningSandbox>,
        account: Option<&AccountSpec>,
    ) -> miette::Result<Connection> {
        if let Some(sandbox) = sandbox {
            let slug = account.map(|a| a.slug.as_str()).unwrap_or(&self.sandbox_account);
            let (key, made) = sandbox.account_key(slug)?;
            if made {
                // A mistyped slug would otherwise plan against an empty account in silence.
                eprintln!("Made the sandbox account `{slug}` in {SANDBOX_DB}.");
            }
            let mut config = ClientConfig::new(sandbox.url(), key);
            config.rate_limit = self.rate_limit.unwrap_or(SANDBOX_RATE_LIMIT);
            return Ok(Connection { client: Client::new(config)?, sandbox: None });
        }

        let endpoint = self.endpoint.clone().unwrap_or_else(|| "https://app.mercately.com".into());
        let key_env = account.and_then(|a| a.api_key_env.as_deref());
        let mut config = ClientConfig::new(endpoint, self.api_key(key_env)?);
        config.rate_limit = self.rate_limit.unwrap_or(DEFAULT_RATE_LIMIT);
        Ok(Connection { client: Client::new(config)?, sandbox: None })
    }

    /// The key from `--api-key-file`, else the variable the manifest's `api_key_env`
    /// names, else `MERCATELY_API_KEY`.
    fn api_key(&self, key_env: Option<&str>) -> miette::Result<Secret> {
        if let Some(path) = &self.api_key_file {
            let text = std::fs::read_to_string(path)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot read the API key file `{}`", path.display()))?;
            return Ok(Secret::new(text.trim()));
        }
        let variables: Vec<&str> = key_env.into_iter().chain(["MERCATELY_API_KEY"]).collect();
        for variable in &variables {
            if let Ok(key) = std::env::var(variable)
                && !key.trim().is_empty()
            {
                tracing::debug!("API key from `{variable}`");
                return Ok(Secret::new(key.trim()));
            }
        }
        Err(miette::miette!(
            help = "export the account's key, pass `--api-key-file FILE`, or try `--sandbox` \
                    to work against the local sandbox",
            "no API key: {}",
            match key_env {
                Some(named) => format!("neither `{named}` nor `MERCATELY_API_KEY` is set"),
                None => "`MERCATELY_API_KEY` is not set".to_owned(),
            }
        ))
    }
}
