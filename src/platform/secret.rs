//! The API key, kept out of every `Debug`, `Display` and log line.

use std::fmt;

/// A value that must never be shown: its `Debug` prints `Secret(***)`.
///
/// The only way to read it is [`Secret::expose`], which the client calls when it sets the
/// `api-key` header and nowhere else.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value; surrounding whitespace (a trailing newline from a key file) is dropped.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().trim().to_owned())
    }

    /// The value itself, for the one place that has to send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether there is no value at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("mk_live_4f9a2c77");
        let shown = format!("{secret:?} {:?} {:#?}", Some(&secret), vec![secret.clone()]);
        assert!(!shown.contains("4f9a2c77"), "{shown}");
        assert!(shown.contains("Secret(***)"));
    }

    #[test]
    fn key_file_newline_is_dropped() {
        assert_eq!(Secret::new("abc\n").expose(), "abc");
        assert!(Secret::new("  \n").is_empty());
    }
}
