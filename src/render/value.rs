//! Field values for people: compact JSON for short values, a word diff for long texts.

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

/// Texts longer than this, or on several lines, are shown as a word diff.
const LONG_TEXT: usize = 60;

/// A value on one line: strings quoted, `(none)` for absent.
pub(crate) fn display(value: &Value) -> String {
    match value {
        Value::Null => "(none)".to_owned(),
        other => other.to_string(),
    }
}

/// Both values are texts and one of them is long enough to read better as a word diff.
pub(crate) fn wants_word_diff(before: &Value, after: &Value) -> bool {
    let long = |text: &str| text.chars().count() > LONG_TEXT || text.contains('\n');
    match (before, after) {
        (Value::String(before), Value::String(after)) => long(before) || long(after),
        _ => false,
    }
}

/// `after` with the words taken out of `before` as `[-word-]` and the words put in as
/// `{+word+}`, red and green when `color`.
pub(crate) fn word_diff(before: &str, after: &str, color: bool) -> String {
    let diff = TextDiff::from_words(before, after);
    let mut out = String::new();
    let mut run: Option<(ChangeTag, String)> = None;
    for change in diff.iter_all_changes() {
        let tag = change.tag();
        match &mut run {
            Some((current, text)) if *current == tag => text.push_str(change.value()),
            _ => {
                if let Some((current, text)) = run.take() {
                    push_run(&mut out, current, &text, color);
                }
                run = Some((tag, change.value().to_owned()));
            }
        }
    }
    if let Some((current, text)) = run {
        push_run(&mut out, current, &text, color);
    }
    out
}

fn push_run(out: &mut String, tag: ChangeTag, text: &str, color: bool) {
    match (tag, color) {
        (ChangeTag::Equal, _) => out.push_str(text),
        (ChangeTag::Delete, false) => out.push_str(&format!("[-{text}-]")),
        (ChangeTag::Insert, false) => out.push_str(&format!("{{+{text}+}}")),
        (ChangeTag::Delete, true) => out.push_str(&format!("\x1b[31m[-{text}-]\x1b[0m")),
        (ChangeTag::Insert, true) => out.push_str(&format!("\x1b[32m{{+{text}+}}\x1b[0m")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_diff_marks_only_changed_words() {
        let diff = word_diff("Atendemos de 8:00 a 18:00.", "Atendemos de 9:00 a 18:00.", false);
        assert_eq!(diff, "Atendemos de [-8:00-]{+9:00+} a 18:00.");
    }

    #[test]
    fn only_long_or_multiline_texts_get_word_diffs() {
        let short = Value::from("corto");
        let long = Value::from("x".repeat(61));
        assert!(!wants_word_diff(&short, &short));
        assert!(wants_word_diff(&short, &long));
        assert!(wants_word_diff(&Value::from("a\nb"), &short));
        assert!(!wants_word_diff(&Value::Null, &long));
    }
}
