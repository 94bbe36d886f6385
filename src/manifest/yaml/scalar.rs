//! Scalars typed as YAML 1.2 core with strict booleans: `no` stays text, digits with a
//! leading zero (a phone number) stay text, and a tag must fit the scalar's spelling.

use granit_parser::{ScalarStyle, Tag};
use miette::SourceSpan;

use super::{Failure, unsupported_tag};
use crate::manifest::diagnostic::excerpt;
use crate::manifest::node::Value;

/// A scalar's value. Quoted and block scalars, and `!!str`, are text; a plain scalar is
/// typed by its spelling; `!!int`, `!!float`, `!!bool` and `!!null` must fit their spelling.
pub(super) fn scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    span: SourceSpan,
) -> Result<Value, Failure> {
    let Some(tag) = tag else {
        return match style {
            ScalarStyle::Plain => plain(text, span),
            _ => Ok(Value::String(text.to_owned())),
        };
    };
    let non_specific = tag.original_parts() == ("!", "");
    match tag.core_suffix() {
        Some("str") => Ok(Value::String(text.to_owned())),
        _ if non_specific => Ok(Value::String(text.to_owned())),
        Some(core @ ("int" | "float" | "bool" | "null")) => {
            let value = plain(text, span)?;
            let fits = match (&value, core) {
                (Value::Number(number), "int") => !number.is_f64(),
                (Value::Number(_), "float") | (Value::Bool(_), "bool") | (Value::Null, "null") => {
                    true
                }
                _ => false,
            };
            if fits {
                Ok(value)
            } else {
                Err(Failure::syntax(
                    format!("`{text}` is not a valid `!!{core}`"),
                    "fix the value, or remove the tag",
                    span,
                ))
            }
        }
        _ => Err(unsupported_tag(tag, span)),
    }
}

/// A plain scalar by YAML 1.2 core rules: null, a boolean (`true`/`false` only: `no` and
/// `off` are text), an integer (decimal without leading zeros, `0o` octal, `0x` hex), a
/// finite float (with a point or an exponent), or else text. Digits with a leading zero,
/// such as `0991234567`, stay text, as a phone number should.
fn plain(text: &str, span: SourceSpan) -> Result<Value, Failure> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Ok(Value::String(text.to_owned()));
    }
    if let Some(number) = integer(text) {
        return Ok(Value::Number(number));
    }
    // Digits with a leading zero stay text (a phone number); other digits that are not an
    // integer overflowed.
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.starts_with('0') && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Failure::syntax(
            format!("`{}` is too large a number", excerpt(text, 40)),
            "numbers in a manifest fit in 64 bits; quote it if it is meant as text",
            span,
        ));
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN") {
        return Err(Failure::syntax(
            format!("`{text}` is not a finite number"),
            "quote it if it is meant as text",
            span,
        ));
    }
    if unsigned.contains(['.', 'e', 'E'])
        && is_float(unsigned)
        && let Some(number) = text.parse().ok().and_then(serde_json::Number::from_f64)
    {
        return Ok(Value::Number(number));
    }
    Ok(Value::String(text.to_owned()))
}

fn integer(text: &str) -> Option<serde_json::Number> {
    let (negative, unsigned) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(octal) = unsigned.strip_prefix("0o") {
        (8, octal)
    } else if let Some(hex) = unsigned.strip_prefix("0x") {
        (16, hex)
    } else if unsigned.len() > 1 && unsigned.starts_with('0') {
        return None;
    } else {
        (10, unsigned)
    };
    if digits.is_empty() || !digits.chars().all(|digit| digit.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        let value = 0i64.checked_sub_unsigned(magnitude)?;
        Some(value.into())
    } else {
        Some(magnitude.into())
    }
}

/// `[0-9]+(\.[0-9]*)?` or `\.[0-9]+`, then an optional exponent: the YAML 1.2 core float.
fn is_float(unsigned: &str) -> bool {
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|exponent| {
        let exponent = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        !exponent.is_empty() && digits(exponent)
    });
    mantissa_ok && exponent_ok
}
