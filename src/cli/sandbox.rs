//! `mercfg sandbox serve`: the platform emulator on a local port.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use miette::IntoDiagnostic;

use crate::sandbox::{SandboxConfig, start};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve the platform emulator over HTTP until ctrl-c.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,

    /// SQLite database; created on first start, reused afterwards.
    #[arg(long, value_name = "FILE", default_value = ".mercfg/sandbox.db")]
    db: PathBuf,

    /// API key of the `sandbox` account; a random one is made (and printed) on first start.
    #[arg(long, value_name = "KEY", env = "MERCFG_SANDBOX_API_KEY", hide_env_values = true)]
    api_key: Option<String>,

    /// Seats: most active agents per account.
    #[arg(long, value_name = "N", default_value_t = SandboxConfig::default().max_agents)]
    max_agents: u32,

    /// Demo customers created with each new account.
    #[arg(long, value_name = "N", default_value_t = SandboxConfig::default().seed_customers)]
    seed_customers: u32,

    /// Seed of demo data, identifiers and injected faults.
    #[arg(long, value_name = "N", default_value_t = SandboxConfig::default().seed)]
    seed: u64,

    /// Milliseconds added before every answer.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency: u64,

    /// Requests per second allowed per API key; over it, 429 with `Retry-After`.
    #[arg(long, value_name = "N")]
    rate_limit: Option<f64>,

    /// Share of requests answered 500 before anything is written, from 0 to 1.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = share)]
    error_rate: f64,

    /// Share of successful writes whose answer is lost after the commit, from 0 to 1.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = share)]
    drop_after_commit_rate: f64,

    /// Allow listening on an address other than loopback.
    #[arg(long)]
    allow_remote: bool,
}

fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err(format!("`{text}` is not a share from 0 to 1")),
    }
}

pub fn run(command: Command) -> miette::Result<ExitCode> {
    let Command::Serve(args) = command;
    let db_path = args.db.clone();
    let config = SandboxConfig {
        addr: args.addr,
        db_path: args.db,
        api_key: args.api_key,
        max_agents: args.max_agents,
        seed_customers: args.seed_customers,
        seed: args.seed,
        latency: Duration::from_millis(args.latency),
        rate_limit: args.rate_limit,
        error_rate: args.error_rate,
        drop_after_commit_rate: args.drop_after_commit_rate,
        allow_remote: args.allow_remote,
    };

    let runtime = tokio::runtime::Runtime::new().into_diagnostic()?;
    runtime.block_on(async move {
        let running = start(config).await?;
        let key =
            if running.key_generated { format!(": {}", running.api_key) } else { String::new() };
        eprintln!(
            "sandbox listening on {} (account `sandbox`, api key in `{}`{key})",
            running.url(),
            db_path.display()
        );
        tokio::signal::ctrl_c().await.into_diagnostic()?;
        eprintln!("sandbox stopping");
        running.stop().await?;
        Ok(ExitCode::SUCCESS)
    })
}
