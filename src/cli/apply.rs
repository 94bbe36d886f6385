//! `mercfg apply FILE` or `mercfg apply plan.json`: plan (or load a saved plan), confirm,
//! execute, and report every change's outcome. Several files or a directory apply many
//! accounts at once (see [`super::fleet`]).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::{IntoDiagnostic, WrapErr};

use super::fleet::{self, FleetError, Inputs};
use super::plan::{Prepared, prepare};
use super::progress::{self, Progress};
use super::{Reported, TargetArgs, diagnostics, signal};
use crate::apply::{self, ApplyOptions, StopSignal};
use crate::manifest::model::{AccountSpec, Manifest};
use crate::plan::PlanOptions;
use crate::plan::rails;
use crate::plan::saved::SavedPlan;
use crate::render;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A manifest, or a plan saved by `mercfg plan --out`; several manifests, or a
    /// directory of them (every `*.yaml` and `*.yml` in it), apply many accounts at once.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Apply without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Changes run at once within a dependency level.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: u16,
    /// Allow changes that destroy data (a custom field's type replaced).
    #[arg(long)]
    pub allow_destroy: bool,
    /// Allow changes that raise possible spending (top-up amount or monthly cap).
    #[arg(long)]
    pub allow_spend_increase: bool,
}

pub fn run(args: Args, color: bool) -> miette::Result<ExitCode> {
    let options = PlanOptions {
        allow_destroy: args.allow_destroy,
        allow_spend_increase: args.allow_spend_increase,
    };
    let file = match Inputs::expand(&args.files)? {
        Inputs::One(file) => file,
        Inputs::Many(files) => {
            if let Some(saved) = files.iter().find(|file| fleet::is_saved_plan(file)) {
                return Err(
                    FleetError::SavedPlanWithMany { path: saved.display().to_string() }.into()
                );
            }
            if !args.auto_approve {
                return Err(FleetError::ApproveMany { count: files.len() }.into());
            }
            let apply_options = ApplyOptions {
                parallelism: usize::from(args.parallelism),
                runs_dir: PathBuf::from(apply::RUNS_DIR),
            };
            let runtime = super::runtime()?;
            return runtime.block_on(fleet::apply(
                files,
                args.target,
                options,
                apply_options,
                color,
            ));
        }
    };

    super::runtime()?.block_on(async {
        let prepared = if fleet::is_saved_plan(&file) {
            load_saved(&file, &args.target, options).await?
        } else {
            prepare(&file, &args.target, options).await?
        };
        let plan = prepared.plan();

        print!("{}", render::text(&plan, color));
        if !prepared.violations.is_empty() {
            diagnostics::print_all(&prepared.violations);
            prepared.connection.close().await;
            return Err(Reported.into());
        }
        if plan.is_empty() {
            prepared.connection.close().await;
            return Ok(ExitCode::SUCCESS);
        }
        if !args.auto_approve && !confirm()? {
            eprintln!("Apply cancelled; nothing was changed.");
            prepared.connection.close().await;
            return Ok(ExitCode::FAILURE);
        }

        let stop = StopSignal::default();
        let stopper = tokio::spawn(signal::stop_on_signal(stop.clone(), signal::APPLY_STOPPING));
        let apply_options = ApplyOptions {
            parallelism: usize::from(args.parallelism),
            runs_dir: PathBuf::from(apply::RUNS_DIR),
        };
        let mut progress = Progress::new(&plan.changes);
        let report = apply::apply(
            &prepared.saved,
            &prepared.live,
            &prepared.connection.client,
            &apply_options,
            &stop,
            &mut progress,
        )
        .await?;
        progress.finish();
        stopper.abort();
        prepared.connection.close().await;

        print!("\n{}", progress::report(&plan.changes, &report.outcomes));
        eprintln!("Journal: {}", report.run_dir.display());
        if let Some(revert) = &report.revert {
            eprintln!("To undo this run: mercfg apply {}", revert.display());
        }
        Ok(if report.succeeded() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    })
}

/// Loads a saved plan and reads the account it was made for. The rails that depend only on
/// the account and the flags are checked again; `max_removals` and `min_admins` were
/// checked when the plan was saved.
async fn load_saved(
    path: &Path,
    target: &TargetArgs,
    options: PlanOptions,
) -> miette::Result<Prepared> {
    let text = std::fs::read_to_string(path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the saved plan `{}`", path.display()))?;
    let saved = SavedPlan::from_json(&text)?;
    let account = AccountSpec {
        slug: saved.account.clone(),
        timezone: None,
        api_key_env: saved.api_key_env.clone(),
    };
    let manifest = Manifest::unmanaged(account);
    let connection = target.connect(Some(&manifest.account)).await?;
    let live = connection.client.read_state().await?;
    let violations = rails::check(&saved.plan(), &manifest, &live, &options);
    Ok(Prepared { saved, live, violations, connection })
}

/// Asks on the terminal; without one, apply needs `--auto-approve`.
fn confirm() -> miette::Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(miette::miette!(
            help = "pass `--auto-approve` to apply without asking (as CI does)",
            "apply needs confirmation, and there is no terminal to ask on"
        ));
    }
    eprint!("\nApply these changes? Only `yes` is accepted: ");
    std::io::stderr().flush().into_diagnostic()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).into_diagnostic()?;
    Ok(answer.trim() == "yes")
}
