//! Variables: `${name}` in any string takes the value of `vars.name`; `$${` writes a literal
//! `${`. Substitution runs after `extends` is merged, so a base template can use variables
//! that each overlay defines.

use std::collections::BTreeMap;

use miette::SourceSpan;

use super::diagnostic::{Diagnostic, Problem};
use super::model::Manifest;
use super::node::{Node, Site, Value};
use super::source::Sources;
use super::suggest;

/// A variable that could not be substituted, at a byte range of the string's value.
#[derive(Debug, PartialEq)]
enum Fault {
    Undefined { name: String },
    Unterminated,
}

/// Substitutes variables in every string of the document except `vars` itself, and reports
/// each undefined or unterminated variable at its place.
pub fn substitute(root: &mut Node, sources: &Sources) -> Vec<Diagnostic> {
    let vars = collect(root);
    let mut faults = Vec::new();
    if let Value::Mapping(entries) = &mut root.value {
        for entry in entries.iter_mut().filter(|entry| entry.key != "vars") {
            walk(&mut entry.value, &vars, &mut faults);
        }
    }

    let names: Vec<&str> = vars.keys().map(String::as_str).collect();
    faults.into_iter().filter_map(|(site, fault)| diagnose(site, fault, &names, sources)).collect()
}

/// The `vars` mapping as text; values of other types are left to the schema to report.
fn collect(root: &Node) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    if let Some(Value::Mapping(entries)) = root.entry("vars").map(|entry| &entry.value.value) {
        for entry in entries {
            let text = match &entry.value.value {
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                Value::Bool(flag) => flag.to_string(),
                _ => continue,
            };
            vars.insert(entry.key.clone(), text);
        }
    }
    vars
}

fn walk(node: &mut Node, vars: &BTreeMap<String, String>, faults: &mut Vec<(Site, Fault)>) {
    match &mut node.value {
        Value::String(text) if text.contains('$') => match expand(text, vars) {
            Ok(expanded) => *text = expanded,
            Err(found) => faults.extend(found.into_iter().map(|fault| (node.site, fault))),
        },
        Value::Sequence(items) => items.iter_mut().for_each(|item| walk(item, vars, faults)),
        Value::Mapping(entries) => {
            entries.iter_mut().for_each(|entry| walk(&mut entry.value, vars, faults));
        }
        _ => {}
    }
}

/// `manifest` with every `${` in its string values written `$${`, so that it loads back to
/// the same values. For manifests written from live data (an export, a revert manifest),
/// whose texts are literal: a quick reply "Su total es ${total}" must not become a variable.
pub fn escaped(manifest: &Manifest) -> Result<Manifest, serde_json::Error> {
    fn walk(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) if text.contains("${") => {
                *text = text.replace("${", "$${");
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            serde_json::Value::Object(entries) => entries.values_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(manifest)?;
    walk(&mut value);
    serde_json::from_value(value)
}

/// Expands one string, or returns every fault in it.
fn expand(text: &str, vars: &BTreeMap<String, String>) -> Result<String, Vec<Fault>> {
    let mut out = String::with_capacity(text.len());
    let mut faults = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("$${") {
            out.push_str("${");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("${") {
            let Some(end) = after.find('}') else {
                faults.push(Fault::Unterminated);
                break;
            };
            let name = after[..end].trim();
            match vars.get(name) {
                Some(value) => out.push_str(value),
                None => faults.push(Fault::Undefined { name: name.to_owned() }),
            }
            rest = &after[end + 1..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    if faults.is_empty() { Ok(out) } else { Err(faults) }
}

fn diagnose(site: Site, fault: Fault, names: &[&str], sources: &Sources) -> Option<Diagnostic> {
    let file = sources.get(site.source)?;

    // Narrow the label to the `${name}` itself when the scalar is written out plainly.
    let needle = match &fault {
        Fault::Undefined { name } => format!("${{{name}}}"),
        Fault::Unterminated => "${".to_owned(),
    };
    let raw = file.text.get(site.span.offset()..site.span.offset() + site.span.len());
    let span = raw
        .and_then(|raw| raw.find(&needle))
        .map_or(site.span, |at| SourceSpan::new((site.span.offset() + at).into(), needle.len()));

    let problem = match fault {
        Fault::Undefined { name } => {
            let define = "define it under `vars`, or write `$${` for a literal `${`";
            let help = Some(match suggest::closest(&name, names.iter().copied()) {
                Some(near) => format!("did you mean `{near}`? Otherwise, {define}"),
                None if names.is_empty() => define.to_owned(),
                None => format!("the variables are {}; {define}", suggest::list(names)),
            });
            Problem::UndefinedVariable { name, help }
        }
        Fault::Unterminated => Problem::UnterminatedVariable,
    };
    if matches!(problem, Problem::UnterminatedVariable) {
        return Some(Diagnostic::in_file(
            problem,
            file,
            site.source,
            span,
            Some("not closed".into()),
        ));
    }
    Some(Diagnostic::in_file(problem, file, site.source, span, Some("not defined".into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        BTreeMap::from([("brand".to_owned(), "Andina".to_owned())])
    }

    #[test]
    fn an_escaped_text_expands_back_to_itself() {
        let vars = BTreeMap::new();
        for text in ["Su total es ${total}.", "$${", "$$${x}", "US$ 50", "${"] {
            let escaped = text.replace("${", "$${");
            assert_eq!(expand(&escaped, &vars), Ok(text.to_owned()), "{text}");
        }
    }

    #[test]
    fn variables_are_substituted_and_escapes_kept_literal() {
        let text = "Hola ${brand}, cuesta $5 y $${brand} ${ brand }";
        assert_eq!(expand(text, &vars()).unwrap(), "Hola Andina, cuesta $5 y ${brand} Andina");
    }

    #[test]
    fn every_fault_in_a_string_is_reported() {
        let faults = expand("${nombre} y ${marca", &vars()).unwrap_err();
        assert_eq!(faults, [Fault::Undefined { name: "nombre".to_owned() }, Fault::Unterminated]);
    }
}
