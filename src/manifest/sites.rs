//! The bridge from the node tree to JSON: the document as a `serde_json::Value` for the
//! schema and the typed model, and a map from each JSON pointer back to its place in YAML.

use std::collections::HashMap;
use std::fmt::Write;
use std::hash::{BuildHasherDefault, Hasher};

use super::node::{Node, Site, Value};

/// Where each JSON pointer of the document is in the YAML files.
#[derive(Debug, Clone, Default)]
pub struct SiteMap {
    sites: HashMap<String, Located, BuildHasherDefault<PointerHasher>>,
}

/// FNV-1a: JSON pointers are short and come from the user's own file, so a keyed hash
/// buys nothing here, and SipHash was a visible share of loading a large manifest.
#[derive(Debug, Clone, Copy)]
struct PointerHasher(u64);

impl Default for PointerHasher {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for PointerHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
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
        self.sites.get(pointer).copied()
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

/// Converts the tree to JSON and records where every value came from. The tree is taken
/// apart on the way, so its strings move into the JSON rather than being copied.
pub fn to_json(root: Node) -> (serde_json::Value, SiteMap) {
    let mut map = SiteMap::default();
    map.sites.reserve(count(&root));
    let mut pointer = String::new();
    let value = convert(root, None, &mut pointer, &mut map);
    (value, map)
}

/// Nodes in the tree: one site each.
fn count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Sequence(items) => items.iter().map(count).sum(),
        Value::Mapping(entries) => entries.iter().map(|entry| count(&entry.value)).sum(),
        _ => 0,
    }
}

fn convert(
    node: Node,
    key: Option<Site>,
    pointer: &mut String,
    map: &mut SiteMap,
) -> serde_json::Value {
    map.sites.insert(pointer.clone(), Located { value: node.site, key });
    match node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(flag) => serde_json::Value::Bool(flag),
        Value::Number(number) => serde_json::Value::Number(number),
        Value::String(text) => serde_json::Value::String(text),
        Value::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (index, item) in items.into_iter().enumerate() {
                let len = pointer.len();
                // Writing to a String cannot fail.
                let _ = write!(pointer, "/{index}");
                out.push(convert(item, None, pointer, map));
                pointer.truncate(len);
            }
            serde_json::Value::Array(out)
        }
        Value::Mapping(entries) => {
            let mut out = serde_json::Map::with_capacity(entries.len());
            for entry in entries {
                let len = pointer.len();
                pointer.push('/');
                push_escaped(pointer, &entry.key);
                let value = convert(entry.value, Some(entry.key_site), pointer, map);
                out.insert(entry.key, value);
                pointer.truncate(len);
            }
            serde_json::Value::Object(out)
        }
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
