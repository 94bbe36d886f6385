//! `extends`: a manifest built on a base file. The overlay overrides the base by identity
//! key: a list item with the same identity replaces the base's item in place, new items are
//! appended, a role replaces the base's role of the same key, and other mappings merge key
//! by key with the overlay winning.

use std::path::{Path, PathBuf};

use super::diagnostic::{Diagnostic, Problem};
use super::node::{Entry, Node, Value};
use super::source::{self, SourceFile, Sources};
use super::yaml;

/// Sections that are lists of objects, with the key that identifies an object and whether it
/// compares case-insensitively.
const IDENTITIES: &[(&str, &str, bool)] = &[
    ("members", "email", true),
    ("teams", "name", false),
    ("custom_fields", "key", false),
    ("tags", "name", true),
    ("quick_replies", "title", false),
    ("customer_lists", "name", false),
];

/// Loads the file at `path` (shown as `name`) and every base it extends, merged into one tree.
pub fn load(path: &Path, name: &str, sources: &mut Sources) -> Result<Node, Diagnostic> {
    let file = source::read_file(path, name)?;
    let mut chain = vec![(canonical(path), name.to_owned())];
    resolve(file, sources, &mut chain)
}

/// Parses text given directly; its `extends` is resolved relative to the working directory.
pub fn load_text(file: SourceFile, sources: &mut Sources) -> Result<Node, Diagnostic> {
    let mut chain = vec![(PathBuf::from(&file.name), file.name.clone())];
    resolve(file, sources, &mut chain)
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Parses `file`, then loads and merges its base, if any. `chain` holds the files being loaded,
/// outermost first, to catch cycles.
fn resolve(
    file: SourceFile,
    sources: &mut Sources,
    chain: &mut Vec<(PathBuf, String)>,
) -> Result<Node, Diagnostic> {
    let directory = file.path.as_deref().and_then(Path::parent).map(Path::to_path_buf);
    let id = sources.add(file.clone());
    let mut node = yaml::parse(&file, id)?;

    let Some(extends) = take_extends(&mut node) else {
        return Ok(node);
    };
    let Value::String(relative) = &extends.value.value else {
        return Err(Diagnostic::in_file(
            Problem::ExtendsNotPath,
            &file,
            id,
            extends.value.site.span,
            None,
        ));
    };

    // The base's name is shown as the user would reach it: the including file's folder joined
    // with the relative path.
    let base_path = normalize(&directory.unwrap_or_default().join(relative));
    let base_name = base_path.display().to_string();
    let key = canonical(&base_path);
    if chain.iter().any(|(seen, _)| *seen == key) {
        let names: Vec<&str> = chain.iter().map(|(_, name)| name.as_str()).collect();
        let chain = format!("{} → {base_name}", names.join(" → "));
        let span = extends.value.site.span;
        return Err(Diagnostic::in_file(Problem::ExtendsCycle { chain }, &file, id, span, None));
    }

    let base_file = source::read_file(&base_path, &base_name).map_err(|error| {
        // The reading error already names the file; keep only why it failed.
        let reason = match error.problem() {
            Problem::Unreadable { reason, .. } => reason.clone(),
            _ => error.to_string(),
        };
        let problem = Problem::Unreadable {
            path: base_name.clone(),
            reason,
            help: Some("`extends` is relative to the file that names it".to_owned()),
        };
        Diagnostic::in_file(problem, &file, id, extends.value.site.span, Some("named here".into()))
    })?;
    tracing::debug!(base = %base_name, "manifest extends a base");
    chain.push((key, base_name));
    let base = resolve(base_file, sources, chain)?;
    chain.pop();
    Ok(merge_root(base, node))
}

/// Removes `.` and `dir/..` from a path without touching the file system, so names read
/// as the user would write them.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Removes `extends` from the tree: the merged manifest no longer extends anything.
fn take_extends(node: &mut Node) -> Option<Entry> {
    let Value::Mapping(entries) = &mut node.value else { return None };
    let at = entries.iter().position(|entry| entry.key == "extends")?;
    Some(entries.remove(at))
}

/// Merges the top level, where sections have their own rules.
fn merge_root(base: Node, overlay: Node) -> Node {
    merge_mapping(base, overlay, |key, base, overlay| {
        if let Some((_, identity, folded)) = IDENTITIES.iter().find(|(name, ..)| *name == key) {
            merge_identified(base, overlay, identity, *folded)
        } else if key == "roles" {
            merge_mapping(base, overlay, |_, _, role| role)
        } else {
            merge_deep(base, overlay)
        }
    })
}

/// Merges two mappings key by key with `merge_value` for keys in both; anything else is
/// replaced by the overlay.
fn merge_mapping(
    base: Node,
    overlay: Node,
    merge_value: impl Fn(&str, Node, Node) -> Node,
) -> Node {
    let (mut merged, additions) = match (base.value, overlay.value) {
        (Value::Mapping(merged), Value::Mapping(additions)) => (merged, additions),
        (_, value) => return Node { value, site: overlay.site },
    };
    for addition in additions {
        match merged.iter_mut().find(|entry| entry.key == addition.key) {
            Some(existing) => {
                let base_value = std::mem::replace(&mut existing.value, placeholder());
                existing.value = merge_value(&addition.key, base_value, addition.value);
                existing.key_site = addition.key_site;
            }
            None => merged.push(addition),
        }
    }
    Node { value: Value::Mapping(merged), site: overlay.site }
}

fn merge_deep(base: Node, overlay: Node) -> Node {
    if matches!((&base.value, &overlay.value), (Value::Mapping(_), Value::Mapping(_))) {
        merge_mapping(base, overlay, |_, base, overlay| merge_deep(base, overlay))
    } else {
        overlay
    }
}

/// Merges lists of objects by identity: same identity replaces in place, new ones append.
fn merge_identified(base: Node, overlay: Node, identity: &str, folded: bool) -> Node {
    let (mut merged, additions) = match (base.value, overlay.value) {
        (Value::Sequence(merged), Value::Sequence(additions)) => (merged, additions),
        (_, value) => return Node { value, site: overlay.site },
    };
    let id_of = |item: &Node| match item.entry(identity).map(|entry| &entry.value.value) {
        Some(Value::String(id)) if folded => Some(id.to_lowercase()),
        Some(Value::String(id)) => Some(id.clone()),
        _ => None,
    };
    for addition in additions {
        let id = id_of(&addition);
        match merged.iter_mut().find(|item| id.is_some() && id_of(item) == id) {
            Some(existing) => *existing = addition,
            None => merged.push(addition),
        }
    }
    Node { value: Value::Sequence(merged), site: overlay.site }
}

fn placeholder() -> Node {
    Node { value: Value::Null, site: super::node::Site { source: 0, span: (0, 0).into() } }
}
