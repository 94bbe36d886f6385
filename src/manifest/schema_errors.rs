//! JSON Schema errors as diagnostics a person can act on: each at the YAML node it is about,
//! an unknown key with the key it was probably meant to be, and `anyOf`/`oneOf` failures
//! (filters, enumerations) narrowed to the alternative the author was writing.

use std::collections::BTreeSet;

use jsonschema::error::{ValidationError, ValidationErrorKind};
use serde_json::Value;

use super::diagnostic::{Diagnostic, Problem, excerpt};
use super::schema;
use super::sites::SiteMap;
use super::source::Sources;
use super::suggest;

/// The one-key forms of a filter, for suggestions when a filter matches none.
const FILTER_KEYS: &[&str] = &[
    "all",
    "any",
    "not",
    "has_tag",
    "channel",
    "assigned_to",
    "created_within",
    "last_interaction_within",
    "field",
];

/// What a filter may be, for a help when a filter matches no form.
const FILTER_FORMS: &str = "a filter is one of `all`, `any` or `not` over filters, `has_tag`, \
    `channel`, `assigned_to`, `created_within`, `last_interaction_within`, or \
    `{field, op, value}`";

/// What the schema found wrong with a document.
pub struct Violations {
    /// A diagnostic for every violation.
    pub diagnostics: Vec<Diagnostic>,
    /// The top-level keys with a violation inside, or that are not sections at all: the
    /// document without them may still be read, to check the rest.
    pub sections: BTreeSet<String>,
}

/// Validates `instance` against the manifest schema.
pub fn validate(instance: &Value, sites: &SiteMap, sources: &Sources) -> Violations {
    let mut violations = Violations { diagnostics: Vec::new(), sections: BTreeSet::new() };
    let (schema, validator) = match schema::compiled() {
        Ok(compiled) => compiled,
        Err(message) => {
            violations.diagnostics.push(Diagnostic::without_source(Problem::Model { message }));
            return violations;
        }
    };
    let context = Context { schema, sites, sources };
    let errors: Vec<ValidationError<'_>> = validator.iter_errors(instance).collect();

    // A misspelt key is reported once, as unknown with the key it was meant to be, not also
    // as that key missing.
    let misspelt: BTreeSet<(String, String)> = errors
        .iter()
        .filter_map(|error| match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = context.property_names(parent_of(error.schema_path().as_str()));
                let pointer = error.instance_path().as_str().to_owned();
                Some(unexpected.iter().filter_map(move |key| {
                    let meant = suggest::closest(key, known.iter().copied())?;
                    Some((pointer.clone(), meant.to_owned()))
                }))
            }
            _ => None,
        })
        .flatten()
        .collect();

    for error in errors {
        if let ValidationErrorKind::Required { property } = error.kind() {
            let key = (
                error.instance_path().as_str().to_owned(),
                property.as_str().unwrap_or_default().to_owned(),
            );
            if misspelt.contains(&key) {
                continue;
            }
        }
        let pointer = error.instance_path().as_str();
        match pointer.split('/').nth(1) {
            Some(section) => {
                violations.sections.insert(section.replace("~1", "/").replace("~0", "~"));
            }
            None => {
                if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
                    violations.sections.extend(unexpected.iter().cloned());
                }
            }
        }
        context.explain(&error, &mut violations.diagnostics);
    }
    violations
}

struct Context<'a> {
    schema: &'a Value,
    sites: &'a SiteMap,
    sources: &'a Sources,
}

/// Which part of a mapping entry a diagnostic points at.
#[derive(Clone, Copy)]
enum Part {
    Key,
    Value,
}

impl Context<'_> {
    fn explain(&self, error: &ValidationError<'_>, out: &mut Vec<Diagnostic>) {
        let pointer = error.instance_path().as_str();
        let schema_path = error.schema_path().as_str();
        let parent = parent_of(schema_path);
        let instance = error.instance();

        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = self.property_names(parent);
                for key in unexpected {
                    let help = suggest::help(key, known.iter().copied(), "keys here");
                    let problem =
                        Problem::UnknownKey { key: key.clone(), place: place(pointer), help };
                    let at = format!("{pointer}/{}", escape(key));
                    out.extend(self.at(&at, Part::Key, problem, "unknown key"));
                }
            }
            ValidationErrorKind::Required { property } => {
                let key = property.as_str().unwrap_or_default().to_owned();
                let help = schema::description(self.schema, &format!("{parent}/properties/{key}"));
                let label = format!("`{key}` is missing here");
                let problem = Problem::MissingKey { key, place: place(pointer), help };
                out.extend(self.at(pointer, Part::Key, problem, &label));
            }
            ValidationErrorKind::Type { .. } => {
                let expected = self.expected_type(parent);
                let problem = Problem::WrongType {
                    expected: expected.clone(),
                    found: describe(instance),
                    help: schema::description(self.schema, parent),
                };
                out.extend(self.at(pointer, Part::Value, problem, &format!("expected {expected}")));
            }
            ValidationErrorKind::Enum { options } => {
                let names: Vec<&str> =
                    options.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                self.not_allowed(pointer, instance, &names, out);
            }
            ValidationErrorKind::Constant { expected_value } => {
                let names: Vec<&str> = expected_value.as_str().into_iter().collect();
                self.not_allowed(pointer, instance, &names, out);
            }
            ValidationErrorKind::Pattern { pattern } => {
                let help = schema::description(self.schema, parent)
                    .or_else(|| Some(format!("expected text matching `{pattern}`")));
                let problem = Problem::BadFormat { value: scalar_text(instance), help };
                out.extend(self.at(pointer, Part::Value, problem, "wrong format"));
            }
            ValidationErrorKind::Minimum { limit }
            | ValidationErrorKind::ExclusiveMinimum { limit } => {
                self.out_of_range(
                    pointer,
                    parent,
                    instance,
                    format!("is under the minimum of {limit}"),
                    out,
                );
            }
            ValidationErrorKind::Maximum { limit }
            | ValidationErrorKind::ExclusiveMaximum { limit } => {
                self.out_of_range(
                    pointer,
                    parent,
                    instance,
                    format!("is over the maximum of {limit}"),
                    out,
                );
            }
            ValidationErrorKind::MinLength { limit } => {
                self.out_of_range(
                    pointer,
                    parent,
                    instance,
                    format!("is shorter than {limit} character(s)"),
                    out,
                );
            }
            ValidationErrorKind::MaxLength { limit } => {
                self.out_of_range(
                    pointer,
                    parent,
                    instance,
                    format!("is longer than {limit} characters"),
                    out,
                );
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                self.alternatives(error, context, out);
            }
            _ => {
                let problem = Problem::Schema {
                    message: lowercase_first(&error.to_string()),
                    help: schema::description(self.schema, parent),
                };
                out.extend(self.at(pointer, Part::Value, problem, "here"));
            }
        }
    }

    /// An `anyOf`/`oneOf` failure: the alternative with the fewest errors about the value
    /// itself is the one the author was writing; report its errors. When no alternative stands
    /// out, say what the accepted forms are.
    fn alternatives(
        &self,
        error: &ValidationError<'_>,
        context: &[Vec<ValidationError<'static>>],
        out: &mut Vec<Diagnostic>,
    ) {
        let pointer = error.instance_path().as_str();
        let mut branches: Vec<&[ValidationError<'static>]> = Vec::new();
        flatten(pointer, context, &mut branches);

        let shallow = |branch: &[ValidationError<'_>]| {
            branch.iter().filter(|e| e.instance_path().as_str() == pointer).count()
        };
        let fewest = branches.iter().map(|branch| shallow(branch)).min().unwrap_or(0);
        let best: Vec<_> = branches.iter().filter(|branch| shallow(branch) == fewest).collect();
        if let [only] = best.as_slice() {
            for inner in only.iter() {
                self.explain(inner, out);
            }
            return;
        }

        // Every alternative is a constant: an enumeration, such as `op` or a channel.
        let constants: Vec<&str> = branches
            .iter()
            .flat_map(|branch| branch.iter())
            .filter_map(|e| match e.kind() {
                ValidationErrorKind::Constant { expected_value } => expected_value.as_str(),
                _ => None,
            })
            .collect();
        let instance = error.instance();
        if !constants.is_empty() && constants.len() == branches.len() {
            self.not_allowed(pointer, instance, &constants, out);
            return;
        }

        if is_filter(pointer) {
            let help = match instance.as_object() {
                Some(object) if object.len() == 1 => object
                    .keys()
                    .next()
                    .and_then(|key| suggest::closest(key, FILTER_KEYS.iter().copied()))
                    .map(|near| format!("did you mean `{near}`?")),
                Some(object) if object.len() > 1 && !object.contains_key("field") => Some(
                    "a filter is a one-key mapping: combine conditions under `all` or `any`"
                        .to_owned(),
                ),
                _ => None,
            }
            .or_else(|| Some(FILTER_FORMS.to_owned()));
            out.extend(self.at(pointer, Part::Value, Problem::BadFilter { help }, "not a filter"));
            return;
        }

        let problem = Problem::Schema {
            message: format!("{} matches none of the accepted forms", describe(instance)),
            help: schema::description(self.schema, error.schema_path().as_str()).or_else(|| {
                schema::description(self.schema, parent_of(error.schema_path().as_str()))
            }),
        };
        out.extend(self.at(pointer, Part::Value, problem, "here"));
    }

    fn not_allowed(
        &self,
        pointer: &str,
        instance: &Value,
        names: &[&str],
        out: &mut Vec<Diagnostic>,
    ) {
        let value = scalar_text(instance);
        let help = match suggest::closest(&value, names.iter().copied()) {
            Some(near) => Some(format!("did you mean `{near}`?")),
            None => Some(format!("expected one of {}", suggest::list(names))),
        };
        let problem = Problem::NotAllowed { value, help };
        out.extend(self.at(pointer, Part::Value, problem, "not an accepted value"));
    }

    fn out_of_range(
        &self,
        pointer: &str,
        parent: &str,
        instance: &Value,
        bound: String,
        out: &mut Vec<Diagnostic>,
    ) {
        let help = schema::description(self.schema, parent);
        let problem =
            Problem::OutOfRange { value: format!("`{}`", scalar_text(instance)), bound, help };
        out.extend(self.at(pointer, Part::Value, problem, "out of range"));
    }

    /// The keys the mapping at schema `pointer` takes. Business hours also take day and
    /// day-range keys (the schema's only `patternProperties`), suggested as the days.
    fn property_names(&self, pointer: &str) -> Vec<&str> {
        let subschema = schema::at(self.schema, pointer);
        let mut names: Vec<&str> = subschema
            .and_then(|subschema| subschema.get("properties"))
            .and_then(Value::as_object)
            .map(|properties| properties.keys().map(String::as_str).collect())
            .unwrap_or_default();
        if subschema.is_some_and(|subschema| subschema.get("patternProperties").is_some()) {
            names.extend(["mon", "tue", "wed", "thu", "fri", "sat", "sun", "mon-fri", "sat-sun"]);
        }
        names
    }

    /// The JSON type the schema at `pointer` expects, in words.
    fn expected_type(&self, pointer: &str) -> String {
        let kinds: Vec<&str> = match schema::at(self.schema, pointer).and_then(|s| s.get("type")) {
            Some(Value::String(kind)) => vec![kind.as_str()],
            Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let words: Vec<&str> = kinds.into_iter().map(type_word).collect();
        if words.is_empty() { "another type".to_owned() } else { words.join(" or ") }
    }

    /// A diagnostic at the place of `pointer`: its key or its value.
    fn at(&self, pointer: &str, part: Part, problem: Problem, label: &str) -> Option<Diagnostic> {
        let located = self.sites.nearest(pointer)?;
        let site = match part {
            Part::Key => located.key.unwrap_or(located.value),
            Part::Value => located.value,
        };
        let file = self.sources.get(site.source)?;
        Some(Diagnostic::in_file(problem, file, site.source, site.span, Some(label.to_owned())))
    }
}

/// Gathers the alternatives of a composite error, opening nested composites about the same
/// value (a filter is `anyOf` a condition or `oneOf` the one-key forms).
fn flatten<'e>(
    pointer: &str,
    context: &'e [Vec<ValidationError<'static>>],
    branches: &mut Vec<&'e [ValidationError<'static>]>,
) {
    for branch in context {
        match branch.as_slice() {
            [only] if only.instance_path().as_str() == pointer => match only.kind() {
                ValidationErrorKind::AnyOf { context }
                | ValidationErrorKind::OneOfNotValid { context } => {
                    flatten(pointer, context, branches);
                }
                _ => branches.push(branch),
            },
            _ => branches.push(branch),
        }
    }
}

fn is_filter(pointer: &str) -> bool {
    pointer.starts_with("/customer_lists/") && pointer.contains("/filter")
}

fn parent_of(pointer: &str) -> &str {
    pointer.rfind('/').map_or("", |cut| &pointer[..cut])
}

fn escape(key: &str) -> String {
    let mut out = String::new();
    super::sites::push_escaped(&mut out, key);
    out
}

/// A JSON pointer as the user would write the place: `members[2].teams`.
pub fn place(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the manifest".to_owned();
    }
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    format!("`{out}`")
}

fn type_word(kind: &str) -> &str {
    match kind {
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "`true` or `false`",
        "array" => "a list",
        "object" => "a mapping",
        "null" => "nothing",
        other => other,
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_owned(),
        Value::Bool(flag) => format!("`{flag}`"),
        Value::Number(number) => format!("the number `{number}`"),
        Value::String(text) => format!("the string `{}`", excerpt(text, QUOTED)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

/// Most characters of a value a message quotes.
const QUOTED: usize = 60;

/// A scalar as quoted in a message: a long text is cut.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => excerpt(text, QUOTED),
        other => excerpt(&other.to_string(), QUOTED),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
