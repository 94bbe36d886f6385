//! Effects of a change on live data, each told as a sentence a reviewer can weigh.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An effect of a change on live data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Impact {
    /// Removing a tag takes it off this many customers.
    CustomersWithTag { customers: u64 },
    /// A customer list's filter changes: customers matched now, and after the change once
    /// the server's preview has counted them.
    ListMatches { before: Option<u64>, after: Option<u64> },
    /// The member being removed has open chats; they stay with the account.
    MemberOpenChats { chats: u64 },
    /// The team being removed has open chats.
    TeamOpenChats { chats: u64 },
    /// Replacing or removing a custom field deletes the values of this many customers.
    FieldValues { customers: u64 },
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Impact::CustomersWithTag { customers } => {
                write!(f, "removes the tag from {}", customers_phrase(*customers))
            }
            Impact::ListMatches { before: Some(before), after: Some(after) } => write!(
                f,
                "the filter now matches {} (was {})",
                customers_phrase(*after),
                thousands(*before)
            ),
            Impact::ListMatches { before: Some(before), after: None } => write!(
                f,
                "the filter matches {} now; the new count is not known yet",
                customers_phrase(*before)
            ),
            Impact::ListMatches { before: None, after: Some(after) } => {
                write!(f, "the list will match {}", customers_phrase(*after))
            }
            Impact::ListMatches { before: None, after: None } => {
                write!(f, "the number of customers the list will match is not known yet")
            }
            Impact::MemberOpenChats { chats } => {
                write!(f, "the member has {}", count_phrase(*chats, "open chat", "open chats"))
            }
            Impact::TeamOpenChats { chats } => {
                write!(f, "the team has {}", count_phrase(*chats, "open chat", "open chats"))
            }
            Impact::FieldValues { customers } => {
                write!(f, "deletes the field's values of {}", customers_phrase(*customers))
            }
        }
    }
}

fn customers_phrase(count: u64) -> String {
    count_phrase(count, "customer", "customers")
}

fn count_phrase(count: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(count), if count == 1 { one } else { many })
}

/// A count with thousands separators: `12,340`.
pub fn thousands(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_204), "1,204");
        assert_eq!(thousands(12_340_567), "12,340,567");
    }

    #[test]
    fn impacts_read_as_sentences() {
        let tag = Impact::CustomersWithTag { customers: 1_204 };
        assert_eq!(tag.to_string(), "removes the tag from 1,204 customers");

        let list = Impact::ListMatches { before: Some(800), after: Some(12_340) };
        assert_eq!(list.to_string(), "the filter now matches 12,340 customers (was 800)");

        let chats = Impact::MemberOpenChats { chats: 1 };
        assert_eq!(chats.to_string(), "the member has 1 open chat");
    }
}
