//! Rendering of plans as text, markdown and JSON.
//!
//! Renderers only read a [`Plan`](crate::plan::Plan); they never decide anything the plan
//! does not say. All three start from the same summary line.

mod json;
mod markdown;
mod text;
mod value;

pub use json::{FORMAT_VERSION as JSON_FORMAT_VERSION, json};
pub use markdown::{MAX_LENGTH as MARKDOWN_MAX_LENGTH, markdown};
pub use text::text;

use crate::plan::Action;

/// The glyph of an action, the same in every format.
pub fn glyph(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Rename => "→",
        Action::Replace => "±",
        Action::Remove => "-",
        Action::Manual => "?",
    }
}

#[cfg(test)]
mod tests;
