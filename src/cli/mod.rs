//! The command line: argument parsing, and one file per command. The library below never
//! sees clap types, never prints and never exits; this module does all three.

mod apply;
mod customers;
mod diagnostics;
mod export;
mod fleet;
mod init;
mod plan;
mod progress;
mod sandbox;
mod schema;
mod signal;
mod target;
mod validate;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use target::TargetArgs;

/// Manage a Mercately account as code.
#[derive(Debug, Parser)]
#[command(name = "mercfg", version, about, max_term_width = 100)]
pub struct Cli {
    /// Show logs on stderr: `-v` for decisions and one line per HTTP request, `-vv` for more.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// When to colour output. `NO_COLOR` is honoured under `auto`.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests: syntax, JSON Schema and cross-references, every error at once.
    Validate(validate::Args),
    /// Read the live account and show what applying the manifest would change.
    Plan(plan::Args),
    /// Make the changes: plan (or load a saved plan), confirm, execute.
    Apply(apply::Args),
    /// Write the live account as a manifest.
    Export(export::Args),
    /// Write a new manifest from a built-in onboarding template.
    Init(init::Args),
    /// Print the manifest's JSON Schema.
    Schema,
    /// Run the local platform emulator.
    #[command(subcommand)]
    Sandbox(sandbox::Command),
    /// Move customer data in and out of the account.
    #[command(subcommand)]
    Customers(customers::Command),
    /// Print shell completions.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

/// Runs the command line and returns the process exit code: 0 success, 1 error, 2 changes
/// present (only with `--detailed-exitcode`).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage(&error),
    };
    let stderr_color = use_color(cli.color, std::io::stderr().is_terminal());
    init_logging(cli.verbose, stderr_color);
    diagnostics::set_color(stderr_color);
    let color = use_color(cli.color, std::io::stdout().is_terminal());
    let result = match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Plan(args) => plan::run(args, color),
        Command::Apply(args) => apply::run(args, color),
        Command::Export(args) => export::run(args),
        Command::Init(args) => init::run(args),
        Command::Schema => schema::run(),
        Command::Sandbox(command) => sandbox::run(command),
        Command::Customers(command) => customers::run(command, cli.verbose),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "mercfg", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(report) if report.downcast_ref::<Reported>().is_some() => ExitCode::FAILURE,
        Err(report) => {
            eprint!("{}", diagnostics::render(&diagnostics::handler(), report.as_ref()));
            ExitCode::FAILURE
        }
    }
}

/// Prints clap's answer to a command line it did not take. Help and `--version` succeed;
/// a usage mistake exits 1, never 2, which `plan --detailed-exitcode` keeps for "there are
/// changes" so CI cannot read a mistyped flag as a plan.
fn usage(error: &clap::Error) -> ExitCode {
    // Printing fails only when the stream is closed; there is nobody left to tell.
    let _ = error.print();
    match error.use_stderr() {
        true => ExitCode::FAILURE,
        false => ExitCode::SUCCESS,
    }
}

/// An error already shown to the user; the command only has to exit 1.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("already reported")]
pub struct Reported;

/// The async runtime of a command that talks to the network.
fn runtime() -> miette::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| miette::miette!("cannot start the async runtime: {error}"))
}

/// Whether a stream should be coloured, from `--color`, `NO_COLOR` and whether it is a
/// terminal.
fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal,
    }
}

fn init_logging(verbose: u8, color: bool) {
    let level = match verbose {
        0 => return,
        1 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(color)
        .init();
}
