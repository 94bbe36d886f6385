//! Parsing one file's YAML into a [`Node`] tree, within tight resource limits, and turning the
//! parser's errors into diagnostics at the right place.

use miette::SourceSpan;
use serde_saphyr::{DuplicateKeyPolicy, Options};

use super::diagnostic::{Diagnostic, Problem};
use super::node::{Node, Value};
use super::source::{SourceFile, SourceId};

/// Deepest nesting accepted; a manifest needs about eight levels.
const MAX_DEPTH: usize = 64;

/// Parser options: strict booleans (`no` stays a string), duplicate keys refused, and budgets
/// that stop alias bombs and deep nesting long before they cost time or memory.
fn options() -> Options {
    serde_saphyr::options! {
        strict_booleans: true,
        duplicate_keys: DuplicateKeyPolicy::Error,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: 1_000_000,
            max_aliases: 10_000,
            max_anchors: 10_000,
            max_documents: 1,
        },
        alias_limits: alias_limits(),
    }
}

fn alias_limits() -> serde_saphyr::options::AliasLimits {
    let mut limits = serde_saphyr::options::AliasLimits::default();
    limits.max_total_replayed_events = 100_000;
    limits.max_replay_stack_depth = 16;
    limits.max_alias_expansions_per_anchor = 1_000;
    limits
}

/// Stack for the parsing thread. The deserializer recurses once per nesting level with large
/// frames (several kilobytes each in debug builds), so parsing gets its own stack rather than
/// depending on the caller's, which may be a 2 MiB worker thread.
const PARSER_STACK_BYTES: usize = 16 * 1024 * 1024;

/// Parses a file into a node tree whose sites name `id`.
pub fn parse(file: &SourceFile, id: SourceId) -> Result<Node, Diagnostic> {
    let text: &str = &file.text;
    let run = || serde_saphyr::from_str_with_options::<Option<Node>>(text, options());
    let parsed = std::thread::scope(|scope| {
        let worker =
            std::thread::Builder::new().stack_size(PARSER_STACK_BYTES).spawn_scoped(scope, run);
        match worker {
            Ok(handle) => handle.join().ok(),
            // No thread to be had: parse here, on the caller's stack.
            Err(_) => Some(run()),
        }
    });
    let Some(parsed) = parsed else {
        let problem = Problem::Syntax { message: "the parser failed".to_owned(), help: None };
        return Err(Diagnostic::in_file(problem, file, id, start(), None));
    };
    let mut node = match parsed {
        Ok(Some(node)) if node.value != Value::Null => node,
        Ok(_) => return Err(Diagnostic::in_file(Problem::Empty, file, id, start(), None)),
        Err(error) => return Err(syntax_error(file, id, &error)),
    };
    node.set_source(id);

    if !matches!(node.value, Value::Mapping(_)) {
        let found = node.value.kind().to_owned();
        return Err(Diagnostic::in_file(
            Problem::NotAMapping { found },
            file,
            id,
            node.site.span,
            None,
        ));
    }
    Ok(node)
}

fn start() -> SourceSpan {
    SourceSpan::new(0.into(), 0)
}

/// A parser error as a diagnostic: duplicate keys and budget breaches get their own problems,
/// anything else the parser's message, at the parser's location.
fn syntax_error(file: &SourceFile, id: SourceId, error: &serde_saphyr::Error) -> Diagnostic {
    let error = error.without_snippet();
    let span = error
        .location()
        .and_then(|location| byte_offset(&file.text, &location))
        .map_or_else(start, |offset| SourceSpan::new(offset.into(), 1));

    let problem = match error {
        serde_saphyr::Error::DuplicateMappingKey { key, .. } => {
            let key = key.clone().unwrap_or_else(|| "?".to_owned());
            // Widen the label over the key when the text there spells it.
            let span = match file.text.get(span.offset()..) {
                Some(rest) if rest.starts_with(key.as_str()) => (span.offset(), key.len()).into(),
                _ => span,
            };
            let problem = Problem::DuplicateKey { key };
            return Diagnostic::in_file(problem, file, id, span, Some("repeated here".into()));
        }
        serde_saphyr::Error::Budget { breach, .. } => Problem::Limit { limit: limit_text(breach) },
        serde_saphyr::Error::Eof { .. } => Problem::Empty,
        other => {
            let message = message_of(other);
            if message.contains("recursion limit") {
                Problem::Limit { limit: format!("nesting deeper than {MAX_DEPTH} levels") }
            } else if message.contains("replayed") || message.contains("alias") {
                Problem::Limit { limit: "too many alias expansions".to_owned() }
            } else {
                Problem::Syntax { message, help: None }
            }
        }
    };
    Diagnostic::in_file(problem, file, id, span, None)
}

/// The byte offset of a parser location: given directly, or from its line and column
/// (parser errors carry only those).
fn byte_offset(text: &str, location: &serde_saphyr::Location) -> Option<usize> {
    if let Some(offset) = location.span().byte_offset() {
        return usize::try_from(offset).ok();
    }
    let (line, column) = (location.line(), location.column());
    if line == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        text.match_indices('\n').nth(usize::try_from(line - 2).ok()?)?.0 + 1
    };
    let rest = &text[line_start..];
    let within = rest
        .char_indices()
        .nth(usize::try_from(column.saturating_sub(1)).ok()?)
        .map_or(rest.len(), |(at, _)| at);
    Some(line_start + within)
}

/// The parser's message without its trailing location, which the snippet already shows.
fn message_of(error: &serde_saphyr::Error) -> String {
    let options = serde_saphyr::render_options! {
        formatter: &serde_saphyr::UserMessageFormatter,
        snippets: serde_saphyr::SnippetMode::Off,
    };
    let text = error.render_with_options(options);
    let text = match text.rfind(" at line ") {
        Some(cut) => &text[..cut],
        None => text.as_str(),
    };
    let text = text.trim();
    // Lowercase the first letter unless it starts an acronym such as `YAML`.
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (None, _) => "the parser gave no reason".to_owned(),
        (Some(first), Some(second)) if second.is_lowercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
}

fn limit_text(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach;
    match breach {
        BudgetBreach::Depth { .. } => format!("nesting deeper than {MAX_DEPTH} levels"),
        BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } => {
            "too many aliases or anchors".to_owned()
        }
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => "too many nodes".to_owned(),
        BudgetBreach::Documents { .. } => "more than one document".to_owned(),
        other => format!("{other:?}").to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile { name: "m.yaml".to_owned(), path: None, text: Arc::from(text) }
    }

    #[test]
    fn scalars_keep_their_yaml_types() {
        let node = parse(&file("a: no\nb: true\nc: 3\nd: 1.5\ne: '3'\nf:\n"), 0).unwrap();
        let kinds: Vec<_> = match &node.value {
            Value::Mapping(entries) => entries.iter().map(|e| e.value.value.kind()).collect(),
            _ => Vec::new(),
        };
        assert_eq!(kinds, ["a string", "a boolean", "a number", "a number", "a string", "null"]);
    }

    #[test]
    fn spans_are_byte_offsets_of_the_nodes() {
        let text = "name: Ñandú\nrole: admin\n";
        let node = parse(&file(text), 0).unwrap();
        let role = node.entry("role").unwrap();
        assert_eq!(&text[role.key_site.span.offset()..][..4], "role");
        assert_eq!(role.value.site.span.offset(), text.find("admin").unwrap());
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let error = parse(&file("a: 1\nb: 2\na: 3\n"), 0).unwrap_err();
        assert!(matches!(error.problem(), Problem::DuplicateKey { key } if key == "a"));
    }
}
