//! `mercfg export`: the live account as a manifest, stable in order and formatting, so that
//! planning the exported file shows no changes.

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use super::TargetArgs;
use super::plan::write_atomically;
use crate::plan::export::manifest_from_state;
use crate::state::LiveState;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Write the manifest to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    super::runtime()?.block_on(async {
        let connection = args.target.connect(None).await?;
        let live = connection.client.read_state().await;
        connection.close().await;
        let text = document(&live?, args.out.as_deref())?;

        match &args.out {
            Some(path) => {
                write_atomically(path, &text)?;
                eprintln!("Wrote the account to {}.", path.display());
            }
            None => print!("{text}"),
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The exported manifest's text: the modeline, a note on what was left out, the YAML.
fn document(live: &LiveState, out: Option<&Path>) -> miette::Result<String> {
    let manifest = manifest_from_state(live);
    let yaml = serde_saphyr::to_string(&manifest)
        .map_err(|error| miette::miette!("cannot write the manifest as YAML: {error}"))?;

    let mut text = format!("# yaml-language-server: $schema={}\n", schema_reference(out));
    let unsupported = unsupported_kinds(live);
    if !unsupported.is_empty() {
        text.push_str(&format!(
            "# Not exported: this server does not offer {}; those sections are unmanaged.\n",
            unsupported.join(", ")
        ));
    }
    text.push_str(&yaml);
    Ok(text)
}

/// Where `schema/manifest.schema.json` of the working directory (`mercfg schema` writes
/// it) is, seen from the folder the manifest is written to.
pub(super) fn schema_reference(out: Option<&Path>) -> String {
    let depth = out
        .and_then(Path::parent)
        .map_or(0, |dir| dir.components().filter(|c| matches!(c, Component::Normal(_))).count());
    format!("{}schema/manifest.schema.json", "../".repeat(depth))
}

/// The manifest sections the server had no endpoint for.
fn unsupported_kinds(live: &LiveState) -> Vec<&'static str> {
    let mut missing = Vec::new();
    let mut check = |present: bool, name| {
        if !present {
            missing.push(name);
        }
    };
    check(live.agents.is_some(), "members");
    check(live.teams.is_some(), "teams");
    check(live.custom_fields.is_some(), "custom_fields");
    check(live.tags.is_some(), "tags");
    check(live.quick_replies.is_some(), "quick_replies");
    check(live.customer_lists.is_some(), "customer_lists");
    check(live.messaging_settings.is_some(), "messaging");
    check(live.business_hours.is_some(), "business_hours");
    check(live.balance.is_some(), "balance");
    missing
}
