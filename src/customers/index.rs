//! The account's customers by phone and by email, to match the rows of a file against.
//!
//! The index holds what a diff needs of every customer of the account, so its size follows
//! the account, never the file being imported.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

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
    by_phone: KeyMap,
    by_email: KeyMap,
}

/// The normalised phone of a customer, as rows are matched by it.
fn phone_of(customer: &Known) -> Option<String> {
    customer.phone.as_deref().and_then(normalize_phone)
}

/// The lower-case email of a customer.
fn email_of(customer: &Known) -> Option<String> {
    customer.email.as_deref().and_then(normalize_email)
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
                self.by_phone.forget(phone_of(&old), slot);
                self.by_email.forget(email_of(&old), slot);
                slot
            }
            None => {
                self.customers.push(customer);
                self.customers.len() - 1
            }
        };

        let customer = &self.customers[slot];
        if let Some(phone) = phone_of(customer) {
            self.by_phone.insert(phone, slot, &self.customers, phone_of);
        }
        if let Some(email) = email_of(customer) {
            self.by_email.insert(email, slot, &self.customers, email_of);
        }
        slot
    }

    /// The customer a row is about, with its slot for [`CustomerIndex::upsert`].
    pub fn find(&self, row: &CustomerRow) -> (Match<'_>, Option<usize>) {
        let by_phone = row
            .phone
            .as_deref()
            .and_then(|phone| self.by_phone.get(phone, &self.customers, phone_of));
        let by_email = row
            .email
            .as_deref()
            .and_then(normalize_email)
            .and_then(|email| self.by_email.get(&email, &self.customers, email_of));
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
}

/// Slots by the hash of a key, which is far smaller than a map by the key's text: the key
/// itself is read back from the customer at the slot. The rare key whose hash another key
/// already holds is kept by its text in `collided`.
#[derive(Debug, Default)]
struct KeyMap {
    by_hash: HashMap<u64, usize>,
    collided: HashMap<String, usize>,
}

impl KeyMap {
    fn get(
        &self,
        key: &str,
        customers: &[Known],
        key_of: fn(&Known) -> Option<String>,
    ) -> Option<usize> {
        match self.by_hash.get(&hash(key)) {
            Some(&slot) if key_of(&customers[slot]).as_deref() == Some(key) => Some(slot),
            _ => self.collided.get(key).copied(),
        }
    }

    fn insert(
        &mut self,
        key: String,
        slot: usize,
        customers: &[Known],
        key_of: fn(&Known) -> Option<String>,
    ) {
        match self.by_hash.entry(hash(&key)) {
            Entry::Vacant(entry) => {
                entry.insert(slot);
            }
            // The same key, now this customer's; or another key with the same hash.
            Entry::Occupied(mut entry) => {
                let holder = *entry.get();
                if holder == slot || key_of(&customers[holder]).as_deref() == Some(&key) {
                    entry.insert(slot);
                    self.collided.remove(&key);
                } else {
                    self.collided.insert(key, slot);
                }
            }
        }
    }

    /// Drops `key` if it still leads to `slot`.
    fn forget(&mut self, key: Option<String>, slot: usize) {
        let Some(key) = key else { return };
        if self.by_hash.get(&hash(&key)) == Some(&slot) {
            self.by_hash.remove(&hash(&key));
        }
        if self.collided.get(&key) == Some(&slot) {
            self.collided.remove(&key);
        }
    }
}

fn hash(key: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(key)
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
    fn keys_whose_hashes_collide_are_kept_apart() {
        let customers = [known(1, "+593990000001", "a@x.ec"), known(2, "+593990000002", "b@x.ec")];
        let mut map = KeyMap::default();
        map.insert("a@x.ec".to_owned(), 0, &customers, email_of);
        // Make `b@x.ec` hash where `a@x.ec` is, as a collision would.
        let taken = map.by_hash[&hash("a@x.ec")];
        map.by_hash.insert(hash("b@x.ec"), taken);
        assert_eq!(map.get("b@x.ec", &customers, email_of), None, "a's slot is not b's");

        map.insert("b@x.ec".to_owned(), 1, &customers, email_of);
        assert_eq!(map.collided.get("b@x.ec"), Some(&1));
        assert_eq!(map.get("b@x.ec", &customers, email_of), Some(1));
        assert_eq!(map.get("a@x.ec", &customers, email_of), Some(0));
        map.forget(Some("b@x.ec".to_owned()), 1);
        assert_eq!(map.get("b@x.ec", &customers, email_of), None);
        assert_eq!(map.get("a@x.ec", &customers, email_of), Some(0));
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
