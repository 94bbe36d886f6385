//! `mercfg plan FILE...`: read the live account, diff it against the manifest, print the
//! changes, and check the safety rails. Several files or a directory plan many accounts at
//! once (see [`super::fleet`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::{IntoDiagnostic, WrapErr};
use tokio::task::{JoinHandle, JoinSet};

use super::fleet::{self, Inputs};
use super::target::Connection;
use super::{Reported, TargetArgs, diagnostics};
use crate::manifest::model::AccountSpec;
use crate::manifest::{self, Manifest};
use crate::plan::rails::{self, Violation};
use crate::plan::saved::SavedPlan;
use crate::plan::{self, Plan, PlanOptions};
use crate::platform::PlatformError;
use crate::render;
use crate::state::LiveState;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The manifest to plan; several files, or a directory of them (every `*.yaml` and
    /// `*.yml` in it), plan many accounts at once.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Output format of the plan.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Save the plan as JSON to this file, for `mercfg apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 2 when the plan has changes, 0 when it has none, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

/// A plan made and checked, with what it was made from.
pub struct Prepared {
    pub saved: SavedPlan,
    pub live: LiveState,
    pub violations: Vec<Violation>,
    pub connection: Connection,
}

impl Prepared {
    pub fn plan(&self) -> Plan {
        self.saved.plan()
    }
}

/// Destructive and spend changes are the reviewer's call, not a broken policy: a plan
/// shows them (see [`print_flag_notes`]) and `apply` enforces their flags. Only the other
/// rails refuse a plan.
const PLAN_OPTIONS: PlanOptions = PlanOptions { allow_destroy: true, allow_spend_increase: true };

/// Says on stderr which flag `apply` will need for the plan's destructive and spend changes.
pub fn print_flag_notes(plan: &Plan) {
    for change in &plan.changes {
        let what = match change.kind.is_singleton() {
            true => format!("the {}", change.kind.label()),
            false => format!("{} `{}`", change.kind.label(), change.key),
        };
        if change.destructive {
            eprintln!(
                "note: replacing {what} deletes data; `mercfg apply` will need `--allow-destroy`"
            );
        }
        if change.spend {
            eprintln!(
                "note: the change to {what} raises possible spending; `mercfg apply` will need \
                 `--allow-spend-increase`"
            );
        }
    }
}

pub fn run(args: Args, color: bool) -> miette::Result<ExitCode> {
    let options = PLAN_OPTIONS;
    if let Some(saved) = args.files.iter().find(|file| fleet::is_saved_plan(file)) {
        let path = saved.display().to_string();
        return Err(fleet::FleetError::PlanOfSavedPlan { path }.into());
    }
    let file = match Inputs::expand(&args.files)? {
        Inputs::One(file) => file,
        Inputs::Many(files) => {
            if args.out.is_some() {
                return Err(fleet::FleetError::OutWithMany.into());
            }
            let run =
                fleet::PlanRun { format: args.format, detailed_exitcode: args.detailed_exitcode };
            return super::runtime()?.block_on(fleet::plan(
                files,
                args.target,
                options,
                run,
                color,
            ));
        }
    };

    super::runtime()?.block_on(async {
        let prepared = prepare(&file, &args.target, options).await?;
        let plan = prepared.plan();
        let refusals = &prepared.violations;

        let rendered = match args.format {
            Format::Text => render::text(&plan, color),
            Format::Markdown => render::markdown(&plan),
            Format::Json => render::json(&plan),
        };
        print!("{rendered}");
        print_flag_notes(&plan);
        // A plan the rails refuse is not saved: there would be nothing to apply.
        if let (Some(out), true) = (&args.out, refusals.is_empty()) {
            write_atomically(out, &prepared.saved.to_json())?;
            eprintln!(
                "Saved the plan to {}; apply it with `mercfg apply {}`.",
                out.display(),
                out.display()
            );
        }
        prepared.connection.close().await;

        if !refusals.is_empty() {
            diagnostics::print_all(refusals);
            return Err(Reported.into());
        }
        Ok(match (args.detailed_exitcode, plan.is_empty()) {
            (true, false) => ExitCode::from(2),
            _ => ExitCode::SUCCESS,
        })
    })
}

/// Loads the manifest, reads the account, diffs, asks the server for list previews and
/// checks the rails. Manifest problems are printed here and end the command.
///
/// When the top of the file names the account and its key is at hand, the account is read
/// while the manifest loads. Reading only asks, so nothing is lost if the manifest then
/// turns out invalid, or names another account once its variables and bases are in (the
/// account it names is then read).
pub async fn prepare(
    file: &Path,
    target: &TargetArgs,
    options: PlanOptions,
) -> miette::Result<Prepared> {
    let bytes = read_file(file)?;
    // Not on the embedded sandbox: connecting there may make the sandbox account, a write.
    let hint = match target.sandbox {
        false => std::str::from_utf8(&bytes).ok().and_then(manifest::account_hint),
        true => None,
    };
    let early = match hint {
        Some(account) => match target.connect(Some(&account)).await {
            Ok(connection) => {
                let client = connection.client.clone();
                let reading = tokio::spawn(async move { client.read_state().await });
                Some(EarlyRead { account, connection, reading })
            }
            // Said again, after the manifest's own problems, by the connection below.
            Err(_) => None,
        },
        None => None,
    };

    let path = file.to_owned();
    let loaded =
        tokio::task::spawn_blocking(move || manifest::load(&path)).await.into_diagnostic()?;
    let manifest = match loaded {
        Ok(loaded) => loaded.manifest,
        Err(problems) => {
            if let Some(early) = early {
                early.abandon().await;
            }
            diagnostics::print_all(&problems.items);
            return Err(Reported.into());
        }
    };

    let prepared = match early {
        Some(early) if early.account == manifest.account => {
            let live = early.reading.await.into_diagnostic()??;
            plan_against(&bytes, &manifest, early.connection, live, &options).await
        }
        early => {
            if let Some(early) = early {
                early.abandon().await;
            }
            let connection = target.connect(Some(&manifest.account)).await?;
            prepare_loaded(&bytes, &manifest, connection, &options).await
        }
    };
    // Nothing reads the manifest after this, and the process ends with the command:
    // freeing a large one node by node would only hold the plan back a few milliseconds.
    std::mem::forget(manifest);
    prepared
}

/// The account read while the manifest loads, for the account the top of the file names.
struct EarlyRead {
    account: AccountSpec,
    connection: Connection,
    reading: JoinHandle<Result<LiveState, PlatformError>>,
}

impl EarlyRead {
    /// Stops the read and closes its connection: the manifest names another account, or
    /// none that loads.
    async fn abandon(self) {
        self.reading.abort();
        self.connection.close().await;
    }
}

fn read_file(file: &Path) -> miette::Result<Vec<u8>> {
    std::fs::read(file)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read `{}`", file.display()))
}

/// Reads the manifest file: its bytes (the saved plan records their checksum) and the
/// loaded manifest, or the problems that stopped it loading.
pub fn load(file: &Path) -> miette::Result<Result<(Vec<u8>, Manifest), manifest::Diagnostics>> {
    let bytes = read_file(file)?;
    Ok(manifest::load(file).map(|loaded| (bytes, loaded.manifest)))
}

/// The part of [`prepare`] after loading: reads the account over `connection`, diffs,
/// previews the lists and checks the rails. Prints nothing.
pub async fn prepare_loaded(
    bytes: &[u8],
    manifest: &Manifest,
    connection: Connection,
    options: &PlanOptions,
) -> miette::Result<Prepared> {
    let live = connection.client.read_state().await?;
    plan_against(bytes, manifest, connection, live, options).await
}

/// Diffs the manifest against the account read, previews the lists and checks the rails.
async fn plan_against(
    bytes: &[u8],
    manifest: &Manifest,
    connection: Connection,
    live: LiveState,
    options: &PlanOptions,
) -> miette::Result<Prepared> {
    let mut plan = plan::diff(manifest, &live, options);
    preview_lists(&connection, &mut plan).await?;

    let violations = rails::check(&plan, manifest, &live, options);
    let saved = SavedPlan::new(&plan, manifest, bytes, &live, std::time::SystemTime::now());
    Ok(Prepared { saved, live, violations, connection })
}

/// Asks the server how many customers each changed list filter matches, all at once.
async fn preview_lists(connection: &Connection, plan: &mut Plan) -> miette::Result<()> {
    let mut previews = JoinSet::new();
    for (index, filter) in plan.previews_needed() {
        let client = connection.client.clone();
        previews.spawn(async move { (index, client.preview(&filter).await) });
    }
    while let Some(joined) = previews.join_next().await {
        match joined.into_diagnostic()? {
            (index, Ok(count)) => {
                plan.set_preview(index, count);
            }
            // A filter on tags or fields the plan is about to create cannot be counted yet;
            // the plan then says the count is unknown.
            (_, Err(PlatformError::Rejected { details, .. })) => {
                tracing::debug!("no preview for a list filter: {details}");
            }
            (_, Err(error)) => return Err(error.into()),
        }
    }
    Ok(())
}

/// Writes through a temporary file beside `path`, so a reader never sees half a file.
pub fn write_atomically(path: &Path, contents: &str) -> miette::Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, contents)
        .and_then(|()| std::fs::rename(&partial, path))
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write `{}`", path.display()))
}
