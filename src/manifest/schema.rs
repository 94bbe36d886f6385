//! The manifest's JSON Schema: generated from the model with schemars, committed as
//! `schema/manifest.schema.json` for editors, and used by the loader to validate documents.
//! The errors it finds are turned into diagnostics by [`super::schema_errors`].

use std::sync::OnceLock;

use serde_json::Value;

use super::model::Manifest;

/// The JSON Schema of the manifest (draft 2020-12), as a value.
///
/// An absent optional field means "unmanaged", never `null`: the schema drops the `null`
/// alternative schemars adds to every `Option`, so `members:` with nothing after it is an
/// error rather than a silent "leave members alone".
pub fn schema() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.into_root_schema_for::<Manifest>().to_value();
    drop_null(&mut schema);
    describe_variants(&mut schema);
    schema
}

/// The schema as pretty JSON with a trailing newline: the output of `mercfg schema`.
pub fn schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema and its compiled validator, built once.
pub(super) fn compiled() -> Result<&'static (Value, jsonschema::Validator), String> {
    static COMPILED: OnceLock<Result<(Value, jsonschema::Validator), String>> = OnceLock::new();
    COMPILED
        .get_or_init(|| {
            let schema = schema();
            let validator = jsonschema::draft202012::new(&schema).map_err(|e| e.to_string())?;
            Ok((schema, validator))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Removes `null` as an alternative: `anyOf: [X, {type: null}]` becomes X, and `null` leaves
/// `type` arrays.
fn drop_null(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Array(types)) = object.get_mut("type") {
                types.retain(|kind| kind != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    object.insert("type".to_owned(), only);
                }
            }
            let nullable_any_of = match object.get("anyOf") {
                Some(Value::Array(branches)) => {
                    branches.len() == 2 && branches[1] == serde_json::json!({"type": "null"})
                }
                _ => false,
            };
            if nullable_any_of
                && let Some(Value::Array(mut branches)) = object.remove("anyOf")
                && let Value::Object(inner) = branches.swap_remove(0)
            {
                for (key, inner_value) in inner {
                    object.entry(key).or_insert(inner_value);
                }
            }
            if object.get("default") == Some(&Value::Null) {
                object.remove("default");
            }
            object.values_mut().for_each(drop_null);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}

/// Copies the description of a one-key variant (`has_tag: ...`) onto its key, so editors
/// show it when hovering the key.
fn describe_variants(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let description = object.get("description").cloned();
            if let (Some(description), Some(Value::Object(properties))) =
                (description, object.get_mut("properties"))
                && properties.len() == 1
            {
                for property in properties.values_mut() {
                    if let Value::Object(property) = property {
                        property.entry("description").or_insert(description.clone());
                    }
                }
            }
            object.values_mut().for_each(describe_variants);
        }
        Value::Array(items) => items.iter_mut().for_each(describe_variants),
        _ => {}
    }
}

/// The subschema at a JSON pointer into the schema, such as an error's schema path.
pub(super) fn at<'a>(schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    schema.pointer(pointer)
}

/// The description of the subschema at a JSON pointer, if it has one.
pub(super) fn description(schema: &Value, pointer: &str) -> Option<String> {
    at(schema, pointer)?.get("description")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_valid_draft_2020_12() {
        let schema = schema();
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert!(jsonschema::draft202012::meta::is_valid(&schema));
        assert!(compiled().is_ok());
    }

    #[test]
    fn optional_sections_are_not_nullable() {
        let text = schema_json();
        assert!(!text.contains("\"null\""), "the schema still allows null somewhere");
    }

    /// Every property of every object schema carries a description, for editors' hovers.
    #[test]
    fn every_property_is_described() {
        fn walk(value: &Value, path: &str, missing: &mut Vec<String>) {
            let Value::Object(object) = value else { return };
            if let Some(Value::Object(properties)) = object.get("properties") {
                for (name, property) in properties {
                    if property.get("description").is_none() {
                        missing.push(format!("{path}/{name}"));
                    }
                }
            }
            for (key, child) in object {
                match child {
                    Value::Array(items) => {
                        for (index, item) in items.iter().enumerate() {
                            walk(item, &format!("{path}/{key}/{index}"), missing);
                        }
                    }
                    child => walk(child, &format!("{path}/{key}"), missing),
                }
            }
        }
        let mut missing = Vec::new();
        walk(&schema(), "", &mut missing);
        assert!(missing.is_empty(), "properties without a description: {missing:?}");
    }
}
