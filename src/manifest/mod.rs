//! The manifest: its model, loading with spans, variables, `extends`, the JSON Schema and
//! the cross-reference checks.

pub mod model;
