//! The YAML document as a tree of nodes that each remember their place: the file, the byte
//! offset and length. Every later stage (variables, `extends`, the schema, the checks) points
//! its errors at these places.

use miette::SourceSpan;

use super::source::SourceId;

/// A place in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    /// The file.
    pub source: SourceId,
    /// Byte offset and length in the file.
    pub span: SourceSpan,
}

/// A YAML node and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The node's value.
    pub value: Value,
    /// Where the node is.
    pub site: Site,
}

/// A node's value. Scalars are typed as YAML 1.2 core with strict booleans: `no` is a string.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer or a float.
    Number(serde_json::Number),
    /// Any other scalar.
    String(String),
    /// A sequence.
    Sequence(Vec<Node>),
    /// A mapping, in document order.
    Mapping(Vec<Entry>),
}

/// One key and value of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key, as text.
    pub key: String,
    /// Where the key is.
    pub key_site: Site,
    /// The value.
    pub value: Node,
}

impl Value {
    /// The kind of value, as a user would name it in an error.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Sequence(_) => "a list",
            Value::Mapping(_) => "a mapping",
        }
    }
}

impl Node {
    /// The entry under `key`, if this is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Mapping(entries) => entries.iter().find(|entry| entry.key == key),
            _ => None,
        }
    }

    /// Puts this node and every node below it at `site`: an alias's copy of its anchor's
    /// node is reported where the alias is.
    pub fn move_to(&mut self, site: Site) {
        self.site = site;
        match &mut self.value {
            Value::Sequence(items) => items.iter_mut().for_each(|item| item.move_to(site)),
            Value::Mapping(entries) => {
                for entry in entries {
                    entry.key_site = site;
                    entry.value.move_to(site);
                }
            }
            _ => {}
        }
    }

    /// How many nodes this tree holds, itself included, and the bytes of text in it (string
    /// values and mapping keys).
    pub fn size(&self) -> (usize, usize) {
        match &self.value {
            Value::Sequence(items) => items.iter().fold((1, 0), |(nodes, text), item| {
                let (n, t) = item.size();
                (nodes + n, text + t)
            }),
            Value::Mapping(entries) => entries.iter().fold((1, 0), |(nodes, text), entry| {
                let (n, t) = entry.value.size();
                (nodes + n, text + entry.key.len() + t)
            }),
            Value::String(text) => (1, text.len()),
            _ => (1, 0),
        }
    }
}
