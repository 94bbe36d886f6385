//! The account's customers by phone and by email, to match the rows of a file against.
//!
//! The index holds what a diff needs of every customer of the account, so its size follows
//! the account, never the file being imported.

use std::collections::HashMap;

use serde_json::Value;

use super::contact::{normalize_email, normalize_phone};
use super::row::CustomerRow;
use crate::platform::{Customer, CustomerId};

/// What the index keeps of one customer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Known {
    /// `None` for a customer a dry run would create.
    pub id: Option<CustomerId>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tags: Vec<String>,
    pub fields: Vec<(String, Value)>,
}

impl From<Customer> for Known {
    fn from(customer: Customer) -> Self {
        Self {
            id: Some(customer.id),
            first_name: customer.first_name,
            last_name: customer.last_name,
            email: customer.email,
            phone: customer.phone,
            tags: customer.tags.into_iter().map(|tag| tag.name).collect(),
            fields: customer
                .custom_fields
                .into_iter()
                .map(|field| (field.field_name, field.field_content))
                .collect(),
        }
    }
}

/// Which customer a row is about.
#[derive(Debug, PartialEq)]
pub enum Match<'a> {
    /// No customer has the row's phone or email: the row creates one.
    New,
    /// The customer with the row's phone, or else its email.
    Found(&'a Known),
    /// The phone is one customer's and the email another's: updating either would take a
    /// key from the other.
    Conflict { by_phone: &'a Known, by_email: &'a Known },
}

/// Customers by normalised phone and lower-case email.
#[derive(Debug, Default)]
pub struct CustomerIndex {
    customers: Vec<Known>,
    by_phone: HashMap<String, usize>,
    by_email: HashMap<String, usize>,
}

impl CustomerIndex {
    /// How many customers the index holds.
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// Whether the index holds no customer.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// Adds a customer, or replaces the one it was found as: a row's customer after its
    /// write, or what a dry run assumes the write gives.
    pub fn upsert(&mut self, customer: Known, found_as: Option<usize>) -> usize {
        let slot = match found_as {
            Some(slot) => {
                let old = std::mem::replace(&mut self.customers[slot], customer);
                self.forget_keys(&old, slot);
                slot
            }
            None => {
                self.customers.push(customer);
                self.customers.len() - 1
            }
        };

        let customer = &self.customers[slot];
        if let Some(phone) = customer.phone.as_deref().and_then(normalize_phone) {
            self.by_phone.insert(phone, slot);
        }
        if let Some(email) = customer.email.as_deref().and_then(normalize_email) {
            self.by_email.insert(email, slot);
        }
        slot
    }

    /// The customer a row is about, with its slot for [`CustomerIndex::upsert`].
    pub fn find(&self, row: &CustomerRow) -> (Match<'_>, Option<usize>) {
        let by_phone = row.phone.as_deref().and_then(|phone| self.by_phone.get(phone)).copied();
        let by_email = row
            .email
            .as_deref()
            .and_then(normalize_email)
            .and_then(|email| self.by_email.get(&email))
            .copied();
        match (by_phone, by_email) {
            (Some(phone), Some(email)) if phone != email => {
                let conflict = Match::Conflict {
                    by_phone: &self.customers[phone],
                    by_email: &self.customers[email],
                };
                (conflict, None)
            }
            (Some(slot), _) | (None, Some(slot)) => {
                (Match::Found(&self.customers[slot]), Some(slot))
            }
            (None, None) => (Match::New, None),
        }
    }

    fn forget_keys(&mut self, old: &Known, slot: usize) {
        if let Some(phone) = old.phone.as_deref().and_then(normalize_phone)
            && self.by_phone.get(&phone) == Some(&slot)
        {
            self.by_phone.remove(&phone);
        }
        if let Some(email) = old.email.as_deref().and_then(normalize_email)
            && self.by_email.get(&email) == Some(&slot)
        {
            self.by_email.remove(&email);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(id: i64, phone: &str, email: &str) -> Known {
        Known {
            id: Some(CustomerId::Number(id)),
            phone: Some(phone.to_owned()),
            email: Some(email.to_owned()),
            ..Known::default()
        }
    }

    fn row(phone: Option<&str>, email: Option<&str>) -> CustomerRow {
        CustomerRow {
            phone: phone.map(str::to_owned),
            email: email.map(str::to_owned),
            ..CustomerRow::default()
        }
    }

    #[test]
    fn rows_match_by_phone_then_email() {
        let mut index = CustomerIndex::default();
        index.upsert(known(1, "+593 99 123 4567", "ana@x.ec"), None);
        index.upsert(known(2, "+593990000002", "Luis@X.ec"), None);

        let (found, slot) = index.find(&row(Some("+593991234567"), None));
        assert!(matches!(found, Match::Found(k) if k.id == Some(CustomerId::Number(1))));
        assert_eq!(slot, Some(0));
        let (found, _) = index.find(&row(Some("+593990009999"), Some("luis@x.EC")));
        assert!(matches!(found, Match::Found(k) if k.id == Some(CustomerId::Number(2))));
        assert_eq!(index.find(&row(Some("+593990009999"), None)).0, Match::New);
        assert!(matches!(
            index.find(&row(Some("+593991234567"), Some("luis@x.ec"))).0,
            Match::Conflict { .. }
        ));
    }

    #[test]
    fn a_replaced_customer_leaves_its_old_keys() {
        let mut index = CustomerIndex::default();
        let slot = index.upsert(known(1, "+593991234567", "ana@x.ec"), None);
        index.upsert(known(1, "+593991234567", "ana.perez@x.ec"), Some(slot));
        assert_eq!(index.find(&row(None, Some("ana@x.ec"))).0, Match::New);
        assert!(matches!(index.find(&row(None, Some("ana.perez@x.ec"))).0, Match::Found(_)));
        assert_eq!(index.len(), 1);
    }
}
