//! The node tree built from the parser's events: collections as they open and close,
//! anchors and aliases within the file's budget of nodes and text, `<<` merges, and
//! repeated keys refused.

use std::collections::HashSet;

use granit_parser::{Event, ScalarStyle, Span, Tag};
use miette::SourceSpan;

use super::scalar::scalar;
use super::{
    Failure, MAX_ALIASES, MAX_DEPTH, MAX_NODES, MAX_TEXT, SCAN_KEYS_UP_TO, byte_span,
    unsupported_tag,
};
use crate::manifest::diagnostic::Problem;
use crate::manifest::node::{Entry, Node, Site, Value};
use crate::manifest::source::SourceId;

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
pub(super) struct Builder {
    source: SourceId,
    open: Vec<Open>,
    /// The node of each anchor, by the parser's anchor id, once the node is complete.
    anchors: Vec<Option<Node>>,
    budget: Budget,
    aliases: usize,
    documents: usize,
    pub(super) root: Option<Node>,
}

impl Builder {
    pub(super) fn new(source: SourceId) -> Self {
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

    /// Whether every collection opened so far has closed: the node begun is complete.
    pub(super) fn is_closed(&self) -> bool {
        self.open.is_empty()
    }

    fn site(&self, span: &Span) -> Site {
        Site { source: self.source, span: byte_span(span) }
    }

    pub(super) fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Failure> {
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
