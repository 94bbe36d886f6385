//! Parsing one file's YAML into a [`Node`] tree, straight from the parser's events, within
//! tight resource limits, and turning the parser's errors into diagnostics at the right place.
//!
//! Scalars are typed as YAML 1.2 core with strict booleans (`no` stays a string); a mapping
//! key is its text as written. Anchors, aliases and `<<` merge keys work; a repeated key is
//! an error. Building the tree from events, rather than through a deserializer that asks for
//! the place of every value, keeps loading a large manifest cheap.

mod builder;
mod scalar;

use granit_parser::{ErrorKind, Event, Parser, ScanError, Span, Tag};
use miette::SourceSpan;

use super::diagnostic::{Diagnostic, Problem};
use super::node::{Node, Value};
use super::source::{SourceFile, SourceId};
use builder::Builder;

/// Deepest nesting accepted; a manifest needs about eight levels.
const MAX_DEPTH: usize = 64;

/// Most nodes in a file, the copies that aliases make included: this stops alias bombs
/// long before they cost time or memory. A manifest of 5,000 members has about 100,000.
const MAX_NODES: usize = 400_000;

/// Most bytes of text (string values and keys) in a file, the copies that aliases make
/// included: a few aliases of a long string must not make gigabytes of copies.
const MAX_TEXT: usize = 16 * 1024 * 1024;

/// Most aliases in a file.
const MAX_ALIASES: usize = 10_000;

/// A mapping with more entries than this finds repeated keys with a set, not a scan.
const SCAN_KEYS_UP_TO: usize = 16;

/// Parses a file into a node tree whose sites name `id`.
pub fn parse(file: &SourceFile, id: SourceId) -> Result<Node, Diagnostic> {
    let text: &str = &file.text;
    let options = granit_parser::options! {
        flow_nesting_limit: MAX_DEPTH,
        block_nesting_limit: MAX_DEPTH,
    };
    let mut builder = Builder::new(id);
    for event in Parser::new_from_str_with_options(text, options) {
        let step = match event {
            Ok((event, span)) => builder.event(event, span),
            Err(error) => Err(scan_failure(text, &error)),
        };
        if let Err(failure) = step {
            return Err(Diagnostic::in_file(
                *failure.problem,
                file,
                id,
                failure.span,
                failure.label,
            ));
        }
    }
    let node = match builder.root {
        Some(node) if node.value != Value::Null => node,
        _ => return Err(Diagnostic::in_file(Problem::Empty, file, id, start(), None)),
    };
    if !matches!(node.value, Value::Mapping(_)) {
        let found = node.value.kind().to_owned();
        let problem = Problem::NotAMapping { found };
        return Err(Diagnostic::in_file(problem, file, id, node.site.span, None));
    }
    Ok(node)
}

/// The value of the top-level `key`, read from the start of `text` no further than its end:
/// a cheap early look at one section before the whole file is loaded. `None` when the text
/// does not get that far without a problem, when `key` is missing, or when a top-level key
/// in `stop_at` comes first.
pub fn top_level(text: &str, key: &str, stop_at: &[&str]) -> Option<Node> {
    let mut depth = 0usize;
    let mut at_key = false;
    let mut capture: Option<Builder> = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.ok()?;
        if let Some(builder) = &mut capture {
            builder.event(event, span).ok()?;
            if builder.is_closed() {
                return builder.root.take();
            }
            continue;
        }
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                depth += 1;
                at_key = depth == 1;
                if depth == 1 && matches!(event, Event::SequenceStart(..)) {
                    return None;
                }
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return None;
                }
                at_key = depth == 1;
            }
            Event::Scalar(text, ..) if depth == 1 && at_key => {
                if text == key {
                    capture = Some(Builder::new(0));
                } else if stop_at.contains(&text.as_ref()) {
                    return None;
                }
                at_key = false;
            }
            Event::Scalar(..) | Event::Alias(_) if depth == 1 => at_key = true,
            _ => {}
        }
    }
    None
}

fn start() -> SourceSpan {
    SourceSpan::new(0.into(), 0)
}

/// What stopped the parse, and where.
struct Failure {
    /// Boxed: a parse step returns `Result<(), Failure>` on every event, and a small error
    /// keeps that cheap.
    problem: Box<Problem>,
    span: SourceSpan,
    label: Option<String>,
}

impl Failure {
    fn at(problem: Problem, span: SourceSpan) -> Self {
        Self { problem: Box::new(problem), span, label: None }
    }

    fn syntax(message: impl Into<String>, help: &str, span: SourceSpan) -> Self {
        let problem = Problem::Syntax { message: message.into(), help: Some(help.to_owned()) };
        Self::at(problem, span)
    }

    fn limit(limit: impl Into<String>, span: SourceSpan) -> Self {
        Self::at(Problem::Limit { limit: limit.into() }, span)
    }
}

fn unsupported_tag(tag: &Tag, span: SourceSpan) -> Failure {
    let (handle, suffix) = tag.original_parts();
    Failure::syntax(
        format!("the tag `{handle}{suffix}` is not supported here"),
        "remove the tag: a manifest holds plain text, numbers, booleans, lists and mappings",
        span,
    )
}

fn byte_span(span: &Span) -> SourceSpan {
    match span.byte_range() {
        Some(range) => SourceSpan::new(range.start.into(), range.len()),
        None => SourceSpan::new(span.start.byte_offset().unwrap_or(0).into(), 0),
    }
}

/// A parser error as a failure at the parser's mark; running into the nesting limit is a
/// limit, not a syntax error.
fn scan_failure(text: &str, error: &ScanError) -> Failure {
    let mark = error.marker();
    let offset = mark.byte_offset().unwrap_or_else(|| offset_of(text, mark.line(), mark.col()));
    let span = SourceSpan::new(offset.into(), usize::from(offset < text.len()));
    if matches!(error.kind(), ErrorKind::RecursionLimitExceeded) {
        return Failure::limit(format!("nesting deeper than {MAX_DEPTH} levels"), span);
    }
    let problem = Problem::Syntax { message: sentence(&error.info()), help: None };
    Failure::at(problem, span)
}

/// The byte offset of a 1-based line and 0-based column (in characters).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = match line {
        0 | 1 => 0,
        _ => text.match_indices('\n').nth(line - 2).map_or(text.len(), |(at, _)| at + 1),
    };
    let rest = &text[line_start..];
    line_start + rest.char_indices().nth(column).map_or(rest.len(), |(at, _)| at)
}

/// The parser's message with its first letter lowercased, unless it starts an acronym
/// such as `YAML`.
fn sentence(message: &str) -> String {
    let text = message.trim();
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (None, _) => "the parser gave no reason".to_owned(),
        (Some(first), Some(second)) if second.is_lowercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
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

    fn values(text: &str) -> Vec<(String, Value)> {
        match parse(&file(text), 0).unwrap().value {
            Value::Mapping(entries) => {
                entries.into_iter().map(|e| (e.key, e.value.value)).collect()
            }
            _ => Vec::new(),
        }
    }

    fn number(value: &str) -> Value {
        Value::Number(serde_json::from_str(value).unwrap())
    }

    #[test]
    fn plain_scalars_follow_yaml_1_2_core() {
        let text = "a: 0991234567\nb: -12\nc: 0x1F\nd: 0o17\ne: 1e3\nf: .5\ng: 1_000\n\
                    h: ~\ni: False\nj: off\nk: !!str 12\nl: +7\nm: 1.\n";
        let found: Vec<Value> = values(text).into_iter().map(|(_, value)| value).collect();
        let text_of = |value: &str| Value::String(value.to_owned());
        assert_eq!(
            found,
            [
                text_of("0991234567"),
                number("-12"),
                number("31"),
                number("15"),
                number("1000.0"),
                number("0.5"),
                text_of("1_000"),
                Value::Null,
                Value::Bool(false),
                text_of("off"),
                text_of("12"),
                number("7"),
                number("1.0"),
            ]
        );
    }

    #[test]
    fn non_finite_numbers_and_foreign_tags_are_errors_at_their_value() {
        for text in ["a: -.inf\n", "a: !color red\n", "a: !!int x\n"] {
            let error = parse(&file(text), 0).unwrap_err();
            assert!(matches!(error.problem(), Problem::Syntax { .. }), "{text}: {error:?}");
            let value = text.trim_end().rfind(' ').unwrap() + 1;
            assert_eq!(error.order().1, value, "{text}");
        }
    }

    #[test]
    fn merge_keys_fill_in_what_the_mapping_does_not_set() {
        let text = "base: &b {color: red, name: A}\nother:\n  <<: *b\n  name: B\n";
        let node = parse(&file(text), 0).unwrap();
        let other = &node.entry("other").unwrap().value;
        let name = &other.entry("name").unwrap().value;
        let color = &other.entry("color").unwrap().value;
        assert_eq!(name.value, Value::String("B".to_owned()));
        assert_eq!(color.value, Value::String("red".to_owned()));
        // A copied value is reported where the alias is.
        assert_eq!(color.site.span.offset(), text.find("*b").unwrap());
    }

    #[test]
    fn aliases_to_themselves_and_second_documents_are_refused() {
        let error = parse(&file("a: &a [1, *a]\n"), 0).unwrap_err();
        assert!(matches!(error.problem(), Problem::Syntax { .. }), "{error:?}");
        let error = parse(&file("a: 1\n---\nb: 2\n"), 0).unwrap_err();
        assert!(matches!(error.problem(), Problem::Syntax { .. }), "{error:?}");
        let error = parse(&file("a: 99999999999999999999999\n"), 0).unwrap_err();
        assert!(matches!(error.problem(), Problem::Syntax { .. }), "{error:?}");
        let error = parse(&file("? [a]\n: 1\n"), 0).unwrap_err();
        assert!(matches!(error.problem(), Problem::Syntax { .. }), "{error:?}");
    }

    #[test]
    fn repeated_keys_are_found_in_large_mappings_too() {
        let mut text: String = (0..40).map(|n| format!("k{n}: {n}\n")).collect();
        text.push_str("k7: again\n");
        let error = parse(&file(&text), 0).unwrap_err();
        assert!(matches!(error.problem(), Problem::DuplicateKey { key } if key == "k7"));
    }
}
