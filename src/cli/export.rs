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
    /// The account's slug, for a server that does not say which account the key opens
    /// (today's public API has no `/account`).
    #[arg(long, value_name = "SLUG")]
    pub slug: Option<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("the server does not say which account the key opens")]
#[diagnostic(
    code(mercfg::export::no_account),
    help("pass `--slug SLUG` to name the account in the manifest")
)]
struct NoAccount;

pub fn run(args: Args) -> miette::Result<ExitCode> {
    super::runtime()?.block_on(async {
        let connection = args.target.connect(None).await?;
        let live = connection.client.read_state().await;
        connection.close().await;
        let live = live?;
        if live.account.is_none() && args.slug.is_none() {
            return Err(NoAccount.into());
        }
        let text = document(&live, args.slug.as_deref(), args.out.as_deref())?;

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
fn document(live: &LiveState, slug: Option<&str>, out: Option<&Path>) -> miette::Result<String> {
    let mut manifest = manifest_from_state(live);
    if let (None, Some(slug)) = (&live.account, slug) {
        manifest.account.slug = slug.to_owned();
    }
    let manifest = crate::manifest::escaped(&manifest)
        .map_err(|error| miette::miette!("cannot write the manifest: {error}"))?;
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
    const SCHEMA: &str = "schema/manifest.schema.json";
    let (Some(folder), Ok(working)) = (out.and_then(Path::parent), std::env::current_dir()) else {
        return SCHEMA.to_owned();
    };
    relative_reference(&working, &working.join(folder), SCHEMA)
}

/// `target`, a path relative to the folder `from_root`, as seen from the folder `from`.
/// Both folders are absolute; `.` and `..` in them are resolved as written.
fn relative_reference(from_root: &Path, from: &Path, target: &str) -> String {
    let (root, from) = (lexical(from_root), lexical(from));
    let common = root.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let mut reference = "../".repeat(from.len() - common);
    for part in &root[common..] {
        reference.push_str(&part.to_string_lossy());
        reference.push('/');
    }
    reference.push_str(target);
    reference
}

/// The folders of an absolute path, with `.` and `..` resolved.
fn lexical(path: &Path) -> Vec<std::ffi::OsString> {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_owned()),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    parts
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
    check(live.business_hours.is_some(), "messaging.business_hours");
    check(live.balance.is_some(), "balance");
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_referenced_from_wherever_the_manifest_goes() {
        let at =
            |folder: &str| relative_reference(Path::new("/work/repo"), Path::new(folder), "s.json");
        assert_eq!(at("/work/repo"), "s.json");
        assert_eq!(at("/work/repo/accounts/norte"), "../../s.json");
        assert_eq!(at("/work/repo/./accounts/../accounts"), "../s.json");
        assert_eq!(at("/tmp/out"), "../../work/repo/s.json");
        assert_eq!(at("/work"), "repo/s.json");
    }
}
