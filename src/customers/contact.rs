//! Phones and emails: the two keys a customer is matched by, in the one form they compare in.

/// Fewest digits of a phone with its country code; shorter numbers are local extensions or
/// typing mistakes.
const MIN_PHONE_DIGITS: usize = 7;
/// Most digits of an international number (E.164).
const MAX_PHONE_DIGITS: usize = 15;

/// A phone as the platform stores it: `+` then the digits, `+593991234567`.
///
/// Spaces, dashes, dots and parentheses between the digits are dropped, a leading `00`
/// (the international prefix) reads as `+`, and a number without `+` is taken to carry its
/// country code already. Anything else (letters, a second `+`, too few or too many digits)
/// is `None`.
pub fn normalize_phone(text: &str) -> Option<String> {
    let text = text.trim();
    let rest = text.strip_prefix('+').unwrap_or(text);
    let mut digits = String::with_capacity(rest.len() + 1);
    for character in rest.chars() {
        match character {
            '0'..='9' => digits.push(character),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }

    let digits = if text.starts_with('+') {
        digits.as_str()
    } else {
        digits.strip_prefix("00").unwrap_or(&digits)
    };
    let valid =
        (MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits.len()) && !digits.starts_with('0');
    valid.then(|| format!("+{digits}"))
}

/// An email in the form it is matched by: trimmed and lower case. `None` unless it has one
/// `@` between a non-empty local part and a domain with a dot, and no spaces.
pub fn normalize_email(text: &str) -> Option<String> {
    let text = text.trim();
    let (local, domain) = text.split_once('@')?;
    let well_formed = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|character| character.is_whitespace() || character.is_control());
    well_formed.then(|| text.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_become_plus_and_digits() {
        for (written, stored) in [
            ("+593991234567", "+593991234567"),
            ("+593 99 123 4567", "+593991234567"),
            ("(593) 99-123.4567", "+593991234567"),
            ("593991234567", "+593991234567"),
            ("00593991234567", "+593991234567"),
            ("  +1 (415) 555-0100 ", "+14155550100"),
        ] {
            assert_eq!(normalize_phone(written).as_deref(), Some(stored), "{written}");
        }
    }

    #[test]
    fn malformed_phones_are_refused() {
        for bad in ["", "+", "12345", "+5939912345678901", "099-123-4567x", "+59+399123", "abc"] {
            assert_eq!(normalize_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn emails_compare_in_lower_case() {
        assert_eq!(
            normalize_email(" Ana.Perez@Andina.EC ").as_deref(),
            Some("ana.perez@andina.ec")
        );
        for bad in ["", "ana", "@andina.ec", "ana@", "ana@andina", "a b@x.ec", "a@b@x.ec", "a@.ec"]
        {
            assert_eq!(normalize_email(bad), None, "{bad}");
        }
    }
}
