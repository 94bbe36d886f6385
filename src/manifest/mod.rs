//! The manifest: its model, loading with spans, variables, `extends`, the JSON Schema and
//! the cross-reference checks.
//!
//! Loading runs in stages, each pointing its errors at the YAML that caused them: read and
//! parse every file ([`source`], [`node`]), merge `extends`, substitute `${vars}`, convert
//! to JSON with a map back to the YAML, validate against the JSON Schema ([`schema`]),
//! deserialize into the [`model`], and run the cross-reference checks. Every problem of every
//! stage that could run is reported at once, in document order.

mod checks;
pub mod diagnostic;
mod extends;
pub mod model;
pub mod node;
mod problem;
pub mod schema;
mod schema_errors;
pub mod sites;
pub mod source;
mod suggest;
mod vars;
mod yaml;

use std::path::Path;
use std::sync::Arc;

pub use diagnostic::{Diagnostic, Diagnostics, Problem};
pub use model::Manifest;
pub use schema::schema_json;
pub use sites::{Located, SiteMap};
pub use source::{SourceFile, Sources};
pub use vars::escaped;

/// A manifest that loaded and passed every check, with the map back to its source.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The manifest, with variables substituted and `extends` merged.
    pub manifest: Manifest,
    /// The files it was loaded from, the top file first.
    pub sources: Sources,
    /// Where each JSON pointer of the merged document is in those files.
    pub sites: SiteMap,
}

/// Loads and checks the manifest at `path`, with every base it `extends`.
pub fn load(path: &Path) -> Result<Loaded, Diagnostics> {
    let mut sources = Sources::default();
    let name = path.display().to_string();
    let root = extends::load(path, &name, &mut sources)?;
    finish(root, sources)
}

/// Loads and checks manifest text given directly, named `name` in diagnostics. An `extends`
/// in it is resolved relative to the working directory.
pub fn load_str(name: &str, text: &str) -> Result<Loaded, Diagnostics> {
    let mut sources = Sources::default();
    let file = SourceFile { name: name.to_owned(), path: None, text: Arc::from(text) };
    let root = extends::load_text(file, &mut sources)?;
    finish(root, sources)
}

/// The manifest's `account` section, read early from the top of the file's text, so that a
/// command can start reading the account while the manifest is checked. `None` when that
/// cannot be known without loading everything: a base named by `extends` may set it,
/// variables may fill it in, or the text does not get that far cleanly. The loaded manifest
/// stays the authority; a caller compares its `account` with this one.
pub fn account_hint(text: &str) -> Option<model::AccountSpec> {
    let node = yaml::top_level(text, "account", &["extends"])?;
    let (json, _) = sites::to_json(node);
    if json.to_string().contains("${") {
        return None;
    }
    serde_json::from_value(json).ok()
}

/// The stages after parsing: variables, schema, model, checks.
fn finish(mut root: node::Node, sources: Sources) -> Result<Loaded, Diagnostics> {
    let mut problems = vars::substitute(&mut root, &sources);
    let (document, sites) = sites::to_json(root);

    let violations = schema_errors::validate(&document, &sites, &sources);
    tracing::debug!(
        files = sources.files().len(),
        variable_problems = problems.len(),
        schema_problems = violations.diagnostics.len(),
        "manifest parsed and validated against the schema"
    );
    if !violations.diagnostics.is_empty() {
        problems.extend(violations.diagnostics);
        problems.extend(check_the_rest(document, &violations.sections, &sites, &sources));
        return Err(Diagnostics::sorted(problems));
    }

    let manifest: Manifest = match serde_json::from_value(document) {
        Ok(manifest) => manifest,
        Err(error) => {
            let message = error.to_string();
            problems.push(Diagnostic::without_source(Problem::Model { message }));
            return Err(Diagnostics::sorted(problems));
        }
    };

    let findings = checks::run(&manifest);
    tracing::debug!(findings = findings.len(), "cross-reference checks done");
    for finding in findings {
        problems.extend(place(finding, &sites, &sources));
    }
    if problems.is_empty() {
        Ok(Loaded { manifest, sources, sites })
    } else {
        Err(Diagnostics::sorted(problems))
    }
}

/// The cross-reference problems of the sections the schema found nothing wrong with, so that
/// one run reports every mistake. The sections in `broken` are left out, as if unmanaged;
/// the checks skip references into an unmanaged section, except members' roles, which can
/// always be platform roles: a role profile, or the admin count, is not judged without the
/// `roles` it needs. Nothing when the rest does not read as a manifest (a required section
/// is broken).
fn check_the_rest(
    mut document: serde_json::Value,
    broken: &std::collections::BTreeSet<String>,
    sites: &SiteMap,
    sources: &Sources,
) -> Vec<Diagnostic> {
    if let serde_json::Value::Object(sections) = &mut document {
        sections.retain(|key, _| !broken.contains(key));
    }
    let Ok(manifest) = serde_json::from_value::<Manifest>(document) else { return Vec::new() };
    let roles_left_out = broken.contains("roles");
    checks::run(&manifest)
        .into_iter()
        .filter(|finding| match &finding.problem {
            Problem::Undefined { kind: "role", .. } | Problem::MinAdmins { .. } => !roles_left_out,
            _ => true,
        })
        .filter_map(|finding| place(finding, sites, sources))
        .collect()
}

/// A check's finding as a diagnostic at the reference, with its related place when that is
/// in the same file.
fn place(finding: checks::Finding, sites: &SiteMap, sources: &Sources) -> Option<Diagnostic> {
    let site = sites.nearest(&finding.pointer)?.value;
    let file = sources.get(site.source)?;
    let diagnostic =
        Diagnostic::in_file(finding.problem, file, site.source, site.span, Some(finding.label));
    let related = finding.related.and_then(|(pointer, label)| {
        let related = sites.nearest(&pointer)?.value;
        (related.source == site.source).then_some((related.span, label))
    });
    Some(match related {
        Some((span, label)) => diagnostic.with_label(span, label),
        None => diagnostic,
    })
}
