//! Parsing one file's YAML into a [`Node`] tree, straight from the parser's events, within
//! tight resource limits, and turning the parser's errors into diagnostics at the right place.
//!
//! Scalars are typed as YAML 1.2 core with strict booleans (`no` stays a string); a mapping
//! key is its text as written. Anchors, aliases and `<<` merge keys work; a repeated key is
//! an error. Building the tree from events, rather than through a deserializer that asks for
//! the place of every value, keeps loading a large manifest cheap.

use std::collections::HashSet;

use granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, Span, Tag};
use miette::SourceSpan;

use super::diagnostic::{Diagnostic, Problem};
use super::node::{Entry, Node, Site, Value};
use super::source::{SourceFile, SourceId};

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
            if builder.open.is_empty() {
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

/// A collection whose end event has not come yet.
enum Open {
    Sequence {
        site: Site,
        anchor: usize,
        items: Vec<Node>,
    },
    Mapping {
        site: Site,
        anchor: usize,
        entries: Vec<Entry>,
        /// The key whose value comes next.
        key: Option<Key>,
        /// The values of `<<` keys, merged in when the mapping ends.
        merges: Vec<Node>,
        /// The keys so far, once there are too many to scan.
        index: Option<HashSet<String>>,
    },
}

/// A mapping key waiting for its value.
struct Key {
    text: String,
    site: Site,
    /// A plain `<<`: its value is merged into the mapping.
    merge: bool,
}

/// The nodes and bytes of text of a file so far, aliases expanded.
#[derive(Default)]
struct Budget {
    nodes: usize,
    text: usize,
}

impl Budget {
    /// Adds nodes and bytes of text to the file's totals, within their limits.
    fn count(&mut self, nodes: usize, text: usize, site: Site) -> Result<(), Failure> {
        self.nodes = self.nodes.saturating_add(nodes);
        self.text = self.text.saturating_add(text);
        if self.nodes > MAX_NODES {
            let limit = format!("more than {MAX_NODES} nodes, aliases expanded");
            return Err(Failure::limit(limit, site.span));
        }
        if self.text > MAX_TEXT {
            let limit = format!("more than {} MiB of text, aliases expanded", MAX_TEXT >> 20);
            return Err(Failure::limit(limit, site.span));
        }
        Ok(())
    }
}

/// Builds the tree from the parser's events.
struct Builder {
    source: SourceId,
    open: Vec<Open>,
    /// The node of each anchor, by the parser's anchor id, once the node is complete.
    anchors: Vec<Option<Node>>,
    budget: Budget,
    aliases: usize,
    documents: usize,
    root: Option<Node>,
}

impl Builder {
    fn new(source: SourceId) -> Self {
        Self {
            source,
            open: Vec::new(),
            anchors: Vec::new(),
            budget: Budget::default(),
            aliases: 0,
            documents: 0,
            root: None,
        }
    }

    fn site(&self, span: &Span) -> Site {
        Site { source: self.source, span: byte_span(span) }
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Failure> {
        let site = self.site(&span);
        match event {
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Failure::syntax(
                        "the file holds a second document, and a manifest is one",
                        "remove the `---` and what follows it, or give that manifest a file of \
                         its own",
                        site.span,
                    ));
                }
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => {
                if let Some(Open::Mapping { key: key @ None, .. }) = self.open.last_mut() {
                    let merge = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
                    let text = text.into_owned();
                    let anchored = (anchor != 0).then(|| text.clone());
                    let bytes = text.len();
                    *key = Some(Key { text, site, merge });
                    if let Some(text) = anchored {
                        self.remember(anchor, &Node { value: Value::String(text), site });
                    }
                    return self.budget.count(1, bytes, site);
                }
                self.budget.count(0, text.len(), site)?;
                let value = scalar(&text, style, tag.as_deref(), site.span)?;
                self.complete(Node { value, site }, anchor)
            }
            Event::SequenceStart(_, anchor, tag) => {
                self.opening(tag.as_deref(), "seq", site)?;
                self.open.push(Open::Sequence { site, anchor, items: Vec::new() });
                Ok(())
            }
            Event::MappingStart(_, anchor, tag) => {
                self.opening(tag.as_deref(), "map", site)?;
                self.open.push(Open::Mapping {
                    site,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                    merges: Vec::new(),
                    index: None,
                });
                Ok(())
            }
            Event::SequenceEnd => match self.open.pop() {
                Some(Open::Sequence { site, anchor, items }) => {
                    self.complete(Node { value: Value::Sequence(items), site }, anchor)
                }
                _ => Ok(()),
            },
            Event::MappingEnd => match self.open.pop() {
                Some(Open::Mapping { site, anchor, mut entries, merges, .. }) => {
                    merge(&mut entries, merges)?;
                    self.complete(Node { value: Value::Mapping(entries), site }, anchor)
                }
                _ => Ok(()),
            },
            Event::Alias(anchor) => {
                self.aliases += 1;
                if self.aliases > MAX_ALIASES {
                    return Err(Failure::limit("too many aliases or anchors", site.span));
                }
                let Some(Some(anchored)) = self.anchors.get(anchor) else {
                    return Err(Failure::syntax(
                        "an alias inside the node it names",
                        "an anchored node cannot contain an alias to itself",
                        site.span,
                    ));
                };
                // Counted before it is copied, so a bomb is refused before it costs memory.
                let (nodes, text) = anchored.size();
                self.budget.count(nodes - 1, text, site)?;
                let mut copy = anchored.clone();
                copy.move_to(site);
                if let Some(Open::Mapping { key: key @ None, .. }) = self.open.last_mut() {
                    let text = match &copy.value {
                        Value::String(text) => text.clone(),
                        Value::Number(number) => number.to_string(),
                        Value::Bool(value) => value.to_string(),
                        Value::Null => "null".to_owned(),
                        Value::Sequence(_) | Value::Mapping(_) => {
                            return Err(complex_key(site.span));
                        }
                    };
                    *key = Some(Key { text, site, merge: false });
                    return Ok(());
                }
                self.complete(copy, 0)
            }
            _ => Ok(()),
        }
    }

    /// Checks a collection about to open: its tag, and the nesting it adds.
    fn opening(&mut self, tag: Option<&Tag>, core: &str, site: Site) -> Result<(), Failure> {
        if let Some(Open::Mapping { key: None, .. }) = self.open.last() {
            return Err(complex_key(site.span));
        }
        if let Some(tag) = tag
            && tag.core_suffix() != Some(core)
        {
            return Err(unsupported_tag(tag, site.span));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(Failure::limit(
                format!("nesting deeper than {MAX_DEPTH} levels"),
                site.span,
            ));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        self.anchors[anchor] = Some(node.clone());
    }

    /// Puts a finished node in its place: the open collection's next item or value, or the
    /// root.
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), Failure> {
        self.budget.count(1, 0, node.site)?;
        if anchor != 0 {
            self.remember(anchor, &node);
        }
        match self.open.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Open::Sequence { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Open::Mapping { entries, key, merges, index, .. }) => {
                let Some(key) = key.take() else {
                    return Err(complex_key(node.site.span));
                };
                if key.merge {
                    merges.push(node);
                    return Ok(());
                }
                if repeated(entries, index, &key.text) {
                    return Err(Failure {
                        problem: Box::new(Problem::DuplicateKey { key: key.text }),
                        span: key.site.span,
                        label: Some("repeated here".to_owned()),
                    });
                }
                entries.push(Entry { key: key.text, key_site: key.site, value: node });
                Ok(())
            }
        }
    }
}

/// Whether `key` is already among `entries`; records it in the index once there is one.
fn repeated(entries: &[Entry], index: &mut Option<HashSet<String>>, key: &str) -> bool {
    if index.is_none() && entries.len() >= SCAN_KEYS_UP_TO {
        *index = Some(entries.iter().map(|entry| entry.key.clone()).collect());
    }
    match index {
        Some(keys) => !keys.insert(key.to_owned()),
        None => entries.iter().any(|entry| entry.key == key),
    }
}

/// Adds the entries of `<<` values that the mapping does not set itself; among the merged
/// mappings, the first to name a key wins.
fn merge(entries: &mut Vec<Entry>, merges: Vec<Node>) -> Result<(), Failure> {
    for source in merges {
        let site = source.site;
        let mappings = match source.value {
            Value::Mapping(merged) => vec![merged],
            Value::Sequence(items) => items
                .into_iter()
                .map(|item| match item.value {
                    Value::Mapping(merged) => Ok(merged),
                    _ => Err(bad_merge(item.site.span)),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(bad_merge(site.span)),
        };
        for merged in mappings {
            for entry in merged {
                if !entries.iter().any(|existing| existing.key == entry.key) {
                    entries.push(entry);
                }
            }
        }
    }
    Ok(())
}

fn bad_merge(span: SourceSpan) -> Failure {
    Failure::syntax(
        "`<<` merges a mapping or a list of mappings",
        "point `<<` at an anchored mapping, such as `<<: *defaults`",
        span,
    )
}

fn complex_key(span: SourceSpan) -> Failure {
    Failure::syntax(
        "a mapping key must be a name, not a list or a mapping",
        "write the key as plain text",
        span,
    )
}

fn unsupported_tag(tag: &Tag, span: SourceSpan) -> Failure {
    let (handle, suffix) = tag.original_parts();
    Failure::syntax(
        format!("the tag `{handle}{suffix}` is not supported here"),
        "remove the tag: a manifest holds plain text, numbers, booleans, lists and mappings",
        span,
    )
}

/// A scalar's value. Quoted and block scalars, and `!!str`, are text; a plain scalar is
/// typed by its spelling; `!!int`, `!!float`, `!!bool` and `!!null` must fit their spelling.
fn scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    span: SourceSpan,
) -> Result<Value, Failure> {
    let Some(tag) = tag else {
        return match style {
            ScalarStyle::Plain => plain(text, span),
            _ => Ok(Value::String(text.to_owned())),
        };
    };
    let non_specific = tag.original_parts() == ("!", "");
    match tag.core_suffix() {
        Some("str") => Ok(Value::String(text.to_owned())),
        _ if non_specific => Ok(Value::String(text.to_owned())),
        Some(core @ ("int" | "float" | "bool" | "null")) => {
            let value = plain(text, span)?;
            let fits = match (&value, core) {
                (Value::Number(number), "int") => !number.is_f64(),
                (Value::Number(_), "float") | (Value::Bool(_), "bool") | (Value::Null, "null") => {
                    true
                }
                _ => false,
            };
            if fits {
                Ok(value)
            } else {
                Err(Failure::syntax(
                    format!("`{text}` is not a valid `!!{core}`"),
                    "fix the value, or remove the tag",
                    span,
                ))
            }
        }
        _ => Err(unsupported_tag(tag, span)),
    }
}

/// A plain scalar by YAML 1.2 core rules: null, a boolean (`true`/`false` only: `no` and
/// `off` are text), an integer (decimal without leading zeros, `0o` octal, `0x` hex), a
/// finite float (with a point or an exponent), or else text. Digits with a leading zero,
/// such as `0991234567`, stay text, as a phone number should.
fn plain(text: &str, span: SourceSpan) -> Result<Value, Failure> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Ok(Value::String(text.to_owned()));
    }
    if let Some(number) = integer(text) {
        return Ok(Value::Number(number));
    }
    // Digits with a leading zero stay text (a phone number); other digits that are not an
    // integer overflowed.
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.starts_with('0') && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Failure::syntax(
            format!("`{}` is too large a number", excerpt(text)),
            "numbers in a manifest fit in 64 bits; quote it if it is meant as text",
            span,
        ));
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN") {
        return Err(Failure::syntax(
            format!("`{text}` is not a finite number"),
            "quote it if it is meant as text",
            span,
        ));
    }
    if unsigned.contains(['.', 'e', 'E'])
        && is_float(unsigned)
        && let Some(number) = text.parse().ok().and_then(serde_json::Number::from_f64)
    {
        return Ok(Value::Number(number));
    }
    Ok(Value::String(text.to_owned()))
}

/// The start of a long `text`, for a message.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn integer(text: &str) -> Option<serde_json::Number> {
    let (negative, unsigned) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(octal) = unsigned.strip_prefix("0o") {
        (8, octal)
    } else if let Some(hex) = unsigned.strip_prefix("0x") {
        (16, hex)
    } else if unsigned.len() > 1 && unsigned.starts_with('0') {
        return None;
    } else {
        (10, unsigned)
    };
    if digits.is_empty() || !digits.chars().all(|digit| digit.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        let value = 0i64.checked_sub_unsigned(magnitude)?;
        Some(value.into())
    } else {
        Some(magnitude.into())
    }
}

/// `[0-9]+(\.[0-9]*)?` or `\.[0-9]+`, then an optional exponent: the YAML 1.2 core float.
fn is_float(unsigned: &str) -> bool {
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|exponent| {
        let exponent = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        !exponent.is_empty() && digits(exponent)
    });
    mantissa_ok && exponent_ok
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
