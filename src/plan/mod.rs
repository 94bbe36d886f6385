//! The plan: a pure diff of the manifest against the live state, its ordering and safety rails.
pub mod export;
