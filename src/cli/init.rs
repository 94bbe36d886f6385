//! `mercfg init`: a new manifest from one of the built-in onboarding templates.
//!
//! The templates are the YAML files of `templates/`, compiled in. Each one validates as it
//! is and explains its sections in comments; `init` only points the schema modeline at the
//! place the file is written to and puts the account's slug in.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::export::schema_reference;
use super::{Reported, diagnostics};
use crate::manifest;

/// The slug the templates are written with, replaced by `--slug`.
const PLACEHOLDER_SLUG: &str = "my-account";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The onboarding template to start from.
    #[arg(long, value_enum, default_value_t = Template::Minimal)]
    pub template: Template,
    /// Write the manifest here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Overwrite `--out` if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// The account's slug [default: my-account].
    #[arg(long, value_name = "SLUG")]
    pub slug: Option<String>,
}

/// A built-in onboarding template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Template {
    /// The account, its tags and a welcome message.
    Minimal,
    /// A shop selling over WhatsApp and Instagram: every section.
    Retail,
    /// A customer service desk with two support levels.
    Support,
}

impl Template {
    /// Every template, in the order `--help` lists them.
    pub const ALL: [Template; 3] = [Template::Minimal, Template::Retail, Template::Support];

    /// The template's YAML as it is in `templates/`.
    pub fn text(self) -> &'static str {
        match self {
            Template::Minimal => include_str!("../../templates/minimal.yaml"),
            Template::Retail => include_str!("../../templates/retail.yaml"),
            Template::Support => include_str!("../../templates/support.yaml"),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Template::Minimal => "minimal",
            Template::Retail => "retail",
            Template::Support => "support",
        }
    }
}

/// Why `init` wrote nothing.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InitError {
    #[error("`{path}` already exists")]
    #[diagnostic(help("pass `--force` to overwrite it, or choose another `--out`"))]
    Exists { path: String },

    #[error("`{slug}` is not an account slug")]
    #[diagnostic(help(
        "a slug is 1 to 63 lowercase letters, digits and `-`, not starting with `-`, \
         as in `ferreteria-andina`"
    ))]
    Slug { slug: String },

    #[error("cannot write `{path}`")]
    #[diagnostic(help("check that the folder exists and is writable"))]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

pub fn run(args: Args) -> miette::Result<ExitCode> {
    let slug = args.slug.as_deref().unwrap_or(PLACEHOLDER_SLUG);
    let text = scaffold(args.template, slug, args.out.as_deref())?;

    // The templates are tested to validate; this catches a slug the schema refuses that the
    // check above let through, before a file is left behind.
    if let Err(problems) = manifest::load_str(args.template.name(), &text) {
        diagnostics::print_all(&problems.items);
        return Err(Reported.into());
    }

    let Some(path) = &args.out else {
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    };
    write(path, &text, args.force)?;
    eprintln!(
        "Wrote the {} template to {}. Next: fill in the account's details, then \
         `mercfg validate {}` and `mercfg plan {}`.",
        args.template.name(),
        path.display(),
        path.display(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The template's text with the modeline pointing at the schema from `out`'s folder and the
/// account's slug in place.
pub fn scaffold(template: Template, slug: &str, out: Option<&Path>) -> Result<String, InitError> {
    if !is_slug(slug) {
        return Err(InitError::Slug { slug: slug.to_owned() });
    }
    let body = template.text().split_once('\n').map_or("", |(_, rest)| rest);
    let body = body.replacen(&format!("slug: {PLACEHOLDER_SLUG}"), &format!("slug: {slug}"), 1);
    Ok(format!("# yaml-language-server: $schema={}\n{body}", schema_reference(out)))
}

/// Creates `path`, refusing one that exists unless `force`. Without `force` the file is
/// created exclusively, so a file made in the meantime is not overwritten either.
fn write(path: &Path, text: &str, force: bool) -> Result<(), InitError> {
    let display = path.display().to_string();
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::AlreadyExists => InitError::Exists { path: display.clone() },
        _ => InitError::Write { path: display.clone(), source },
    })?;
    file.write_all(text.as_bytes()).map_err(|source| InitError::Write { path: display, source })
}

/// The schema's slug pattern, `^[a-z0-9][a-z0-9-]*$`, 1 to 63 characters.
fn is_slug(slug: &str) -> bool {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    (1..=63).contains(&slug.len()) && !slug.starts_with('-') && slug.chars().all(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_validates_and_starts_with_the_modeline() {
        for template in Template::ALL {
            assert!(
                template.text().starts_with("# yaml-language-server: $schema="),
                "{} has no modeline",
                template.name()
            );
            let text = scaffold(template, "tienda-norte", None).unwrap();
            let loaded = manifest::load_str(template.name(), &text)
                .unwrap_or_else(|problems| panic!("{}: {problems:?}", template.name()));
            assert_eq!(loaded.manifest.account.slug, "tienda-norte");
        }
    }

    #[test]
    fn the_modeline_points_at_the_schema_from_the_output_folder() {
        let text = scaffold(Template::Retail, PLACEHOLDER_SLUG, Some(Path::new("a/b/x.yaml")));
        let first = text.unwrap().lines().next().unwrap_or_default().to_owned();
        assert_eq!(first, "# yaml-language-server: $schema=../../schema/manifest.schema.json");
    }

    #[test]
    fn a_slug_outside_the_pattern_is_refused() {
        for slug in ["", "-x", "Tienda", "tienda norte", &"a".repeat(64)] {
            assert!(matches!(scaffold(Template::Minimal, slug, None), Err(InitError::Slug { .. })));
        }
    }

    #[test]
    fn an_existing_file_is_kept_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.yaml");
        std::fs::write(&path, "keep").unwrap();
        assert!(matches!(write(&path, "new", false), Err(InitError::Exists { .. })));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep");
        write(&path, "new", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }
}
