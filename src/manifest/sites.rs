//! The bridge from the node tree to JSON: the document as a `serde_json::Value` for the
//! schema and the typed model, and a map from each JSON pointer back to its place in YAML.

use std::borrow::Cow;

use super::node::{Node, Site, Value};

/// Where each JSON pointer of the document is in the YAML files: the node tree the document
/// was made from, walked when a problem needs its place. Nothing is indexed up front, since
/// only the few values that have a problem are ever looked up.
#[derive(Debug, Clone)]
pub struct SiteMap {
    root: Node,
}

/// The places of one value: the value itself and, for a mapping entry, its key.
#[derive(Debug, Clone, Copy)]
pub struct Located {
    /// The value.
    pub value: Site,
    /// The key of the mapping entry holding the value, if it is in a mapping.
    pub key: Option<Site>,
}

impl SiteMap {
    /// The places of the value at `pointer` (RFC 6901, `""` for the whole document).
    pub fn get(&self, pointer: &str) -> Option<Located> {
        let mut located = Located { value: self.root.site, key: None };
        if pointer.is_empty() {
            return Some(located);
        }
        let mut node = &self.root;
        for segment in pointer.strip_prefix('/')?.split('/') {
            let segment = unescape(segment);
            match &node.value {
                Value::Sequence(items) => {
                    node = items.get(segment.parse::<usize>().ok()?)?;
                    located = Located { value: node.site, key: None };
                }
                Value::Mapping(entries) => {
                    let entry = entries.iter().find(|entry| entry.key == segment)?;
                    node = &entry.value;
                    located = Located { value: node.site, key: Some(entry.key_site) };
                }
                _ => return None,
            }
        }
        Some(located)
    }

    /// The place of the value at `pointer`, or of its nearest ancestor that has one.
    pub fn nearest(&self, pointer: &str) -> Option<Located> {
        let mut pointer = pointer;
        loop {
            if let Some(found) = self.get(pointer) {
                return Some(found);
            }
            pointer = &pointer[..pointer.rfind('/')?];
        }
    }
}

/// A JSON pointer segment as the key it names (RFC 6901: `~1` is `/`, `~0` is `~`).
fn unescape(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') {
        Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// The tree as JSON, and the tree kept to find the places of its values.
pub fn to_json(root: Node) -> (serde_json::Value, SiteMap) {
    (convert(&root), SiteMap { root })
}

fn convert(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(flag) => serde_json::Value::Bool(*flag),
        Value::Number(number) => serde_json::Value::Number(number.clone()),
        Value::String(text) => serde_json::Value::String(text.clone()),
        Value::Sequence(items) => serde_json::Value::Array(items.iter().map(convert).collect()),
        Value::Mapping(entries) => serde_json::Value::Object(
            entries.iter().map(|entry| (entry.key.clone(), convert(&entry.value))).collect(),
        ),
    }
}

/// Appends a key to a JSON pointer, escaping `~` and `/` as RFC 6901 says.
pub fn push_escaped(pointer: &mut String, key: &str) {
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::manifest::source::SourceFile;

    #[test]
    fn pointers_lead_back_to_keys_and_values() {
        let text = "members:\n  - email: a@b.co\n    role: admin\nx/y: 1\n";
        let file = SourceFile { name: "m".into(), path: None, text: Arc::from(text) };
        let node = crate::manifest::yaml::parse(&file, 0).unwrap();
        let (json, map) = to_json(node);
        assert_eq!(json["members"][0]["role"], "admin");

        let role = map.get("/members/0/role").unwrap();
        assert_eq!(role.value.span.offset(), text.find("admin").unwrap());
        assert_eq!(role.key.unwrap().span.offset(), text.find("role").unwrap());
        assert!(map.get("/x~1y").is_some());
        assert_eq!(
            map.nearest("/members/0/teams/3").unwrap().value,
            map.get("/members/0").unwrap().value
        );
    }
}
