//! `mercfg customers import|export`: customer data in and out of an account as CSV.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::{Context, IntoDiagnostic};

use super::{TargetArgs, signal};
use crate::apply::StopSignal;
use crate::customers::{
    CustomersError, ImportEvent, ImportOptions, ImportSummary, RowChange, export_customers,
    import_customers, read_catalog,
};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Upsert customers from a CSV file, matched by phone, then email.
    ///
    /// The columns are those of `customers export`, in any order and any subset with a
    /// `phone` or `email` column. Empty cells leave a value as it is; tags are added, never
    /// taken off. A bad row is reported with its line and skipped; the others go in.
    Import(ImportArgs),
    /// Write every customer as CSV: `first_name,last_name,email,phone,tags` (tags joined by
    /// `;`), then one column per custom field.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The CSV file, or `-` for standard input.
    pub file: PathBuf,
    /// Check every row and count the creates and updates, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Most customer writes in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub parallelism: usize,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Write the CSV to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
}

pub fn run(command: Command, verbose: u8) -> miette::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .into_diagnostic()
        .wrap_err("the async runtime could not start")?;
    match command {
        Command::Import(args) => runtime.block_on(import(args, verbose)),
        Command::Export(args) => runtime.block_on(export(args)),
    }
}

async fn import(args: ImportArgs, verbose: u8) -> miette::Result<ExitCode> {
    let input: Box<dyn Read> = if args.file.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(&args.file).map_err(CustomersError::Read)?)
    };
    let connection = args.target.connect(None).await?;
    let client = connection.client.clone();
    let catalog = read_catalog(&client).await?;

    // A dry run's report is its output, like a plan: stdout. A real run reports on stderr,
    // which is not held locked: the `-v` logs of the writes in flight go there too.
    let dry_run = args.dry_run;
    let mut report: Box<dyn Write> =
        if dry_run { Box::new(BufWriter::new(io::stdout())) } else { Box::new(io::stderr()) };
    // Ctrl-C or SIGTERM: no further row is read, the writes in flight finish, the summary
    // is printed. The import is an upsert, so running it again goes on where it stopped.
    let stop = StopSignal::default();
    let stopper = tokio::spawn(signal::stop_on_signal(stop.clone(), signal::IMPORT_STOPPING));
    let options = ImportOptions { dry_run, parallelism: args.parallelism, stop };
    let summary = import_customers(&client, &catalog, input, options, |event| match event {
        ImportEvent::Skipped(bad) => eprintln!("skipped {bad}"),
        ImportEvent::Planned { line, change } if verbose > 0 => {
            // A closed pipe only loses the listing; the import itself goes on.
            let _ = write_change(&mut report, line, change);
        }
        ImportEvent::Planned { .. } => {}
    })
    .await?;

    stopper.abort();
    writeln!(report, "{}", summary_line(&summary, dry_run)).into_diagnostic()?;
    if summary.stopped {
        writeln!(report, "Stopped before the end of the file: run the import again to go on.")
            .into_diagnostic()?;
    }
    report.flush().into_diagnostic()?;
    connection.close().await;
    Ok(if summary.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

async fn export(args: ExportArgs) -> miette::Result<ExitCode> {
    let connection = args.target.connect(None).await?;
    let client = &connection.client;
    let catalog = read_catalog(client).await?;
    let written = match &args.out {
        None => export_customers(client, &catalog, BufWriter::new(io::stdout().lock())).await?,
        Some(path) => export_to_file(client, &catalog, path).await?,
    };
    connection.close().await;
    eprintln!("exported {written} customers");
    Ok(ExitCode::SUCCESS)
}

/// Writes next to `path` and renames at the end, so a failed export never leaves half a
/// file where a previous one was.
async fn export_to_file(
    client: &crate::platform::Client,
    catalog: &crate::customers::Catalog,
    path: &Path,
) -> Result<u64, CustomersError> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let file = File::create(&partial).map_err(CustomersError::Write)?;
    let result = export_customers(client, catalog, BufWriter::new(file)).await;
    match result {
        Ok(written) => {
            std::fs::rename(&partial, path).map_err(CustomersError::Write)?;
            Ok(written)
        }
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            Err(error)
        }
    }
}

fn write_change(out: &mut dyn Write, line: u64, change: &RowChange) -> io::Result<()> {
    match change {
        RowChange::Unchanged => Ok(()),
        RowChange::Create { draft } => {
            let key = draft.phone.as_deref().or(draft.email.as_deref()).unwrap_or_default();
            writeln!(out, "+ line {line}: create {key}")
        }
        RowChange::Update { id, changes, .. } => {
            let id = id.as_ref().map_or_else(|| "created above".to_owned(), ToString::to_string);
            writeln!(out, "~ line {line}: update customer {id}")?;
            for change in changes {
                writeln!(out, "    {}: {:?} → {:?}", change.field, change.before, change.after)?;
            }
            Ok(())
        }
    }
}

fn summary_line(summary: &ImportSummary, dry_run: bool) -> String {
    let ImportSummary { rows, created, updated, unchanged, skipped, refused, .. } = *summary;
    if dry_run {
        format!(
            "dry run: {created} to create, {updated} to update, {unchanged} unchanged, \
             {skipped} bad rows skipped (of {rows} rows); nothing was written"
        )
    } else {
        format!(
            "imported: {created} created, {updated} updated, {unchanged} unchanged, \
             {skipped} bad rows skipped, {refused} refused by the platform (of {rows} rows)"
        )
    }
}
