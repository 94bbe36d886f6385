//! Rendering of plans as text, markdown and JSON.
