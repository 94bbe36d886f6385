//! The platform's rules for each named kind: defaults, identity, validation, computed
//! counts, and what a rename or a removal does to the rest of the account.

use rusqlite::Connection;
use serde_json::{Value, json};

use super::agents;
use super::customers;
use super::filter::Catalog;
use super::objects::{self, Kind};
use super::reply::ApiError;
use crate::manifest::model::FieldType;
use crate::state::{CustomField, CustomerList, QuickReply, Tag, Team};

fn require_text(kind: &str, field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        Err(ApiError::invalid(format!("{kind} `{field}` must not be empty")))
    } else if value.chars().count() > max {
        Err(ApiError::invalid(format!("{kind} `{field}` is longer than {max} characters")))
    } else {
        Ok(())
    }
}

impl Kind for Team {
    const PLURAL: &'static str = "teams";
    const SINGULAR: &'static str = "team";
    const PREFIX: &'static str = "tm";
    const COMPUTED: &'static [&'static str] = &["open_chats"];

    fn template() -> Value {
        json!({"channels": [], "default_for": [], "auto_assign": false,
               "max_open_chats_per_agent": null, "open_chats": 0})
    }

    fn identity(&self) -> String {
        self.name.clone()
    }

    fn check(&self, _: Option<&Self>, db: &Connection, account: i64) -> Result<(), ApiError> {
        require_text("team", "name", &self.name, 80)?;
        if self.max_open_chats_per_agent.is_some_and(|limit| !(1..=1000).contains(&limit)) {
            return Err(ApiError::invalid("`max_open_chats_per_agent` must be from 1 to 1000"));
        }
        let others = objects::all::<Team>(db, account)?;
        let mut problems = Vec::new();
        for channel in &self.default_for {
            if let Some(other) =
                others.iter().find(|o| o.web_id != self.web_id && o.default_for.contains(channel))
            {
                let channel = serde_json::to_value(channel)?;
                problems.push(format!(
                    "channel {channel} already has a default team, `{}`",
                    other.name
                ));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(ApiError::Invalid(problems)) }
    }

    fn compute(items: &mut [Self], db: &Connection, account: i64) -> Result<(), ApiError> {
        let chats = agents::open_chats_by_team(db, account)?;
        for team in items {
            team.open_chats = chats.get(&team.name).copied().unwrap_or(0);
        }
        Ok(())
    }

    fn after_update(
        before: &Self,
        after: &Self,
        db: &Connection,
        account: i64,
    ) -> Result<(), ApiError> {
        if before.name != after.name {
            for mut agent in agents::all(db, account)? {
                if let Some(slot) = agent.teams.iter_mut().find(|t| **t == before.name) {
                    *slot = after.name.clone();
                    agents::save(db, &agent)?;
                }
            }
        }
        Ok(())
    }

    fn before_delete(&self, db: &Connection, account: i64) -> Result<(), ApiError> {
        if self.open_chats > 0 {
            return Err(ApiError::invalid(format!(
                "team `{}` has {} open chats: close or reassign them first",
                self.name, self.open_chats
            )));
        }
        for mut agent in agents::all(db, account)? {
            if agent.teams.contains(&self.name) {
                agent.teams.retain(|t| *t != self.name);
                agents::save(db, &agent)?;
            }
        }
        Ok(())
    }
}

impl Kind for CustomField {
    const PLURAL: &'static str = "custom_fields";
    const SINGULAR: &'static str = "custom_field";
    const PREFIX: &'static str = "cf";
    const COMPUTED: &'static [&'static str] = &["customers_count"];

    fn template() -> Value {
        json!({"options": [], "customers_count": 0})
    }

    fn identity(&self) -> String {
        self.key.clone()
    }

    fn check(&self, before: Option<&Self>, _: &Connection, _: i64) -> Result<(), ApiError> {
        let valid_key = self.key.len() <= 64
            && self.key.starts_with(|c: char| c.is_ascii_lowercase())
            && self.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_key {
            return Err(ApiError::invalid(format!(
                "custom field key `{}` must be snake_case: a-z, 0-9 and `_`, starting with a letter",
                self.key
            )));
        }
        require_text("custom field", "name", &self.name, 80)?;
        if let Some(before) = before
            && (before.key != self.key || before.field_type != self.field_type)
        {
            return Err(ApiError::invalid(format!(
                "custom field `{}`: `key` and `type` cannot change; create another field",
                before.key
            )));
        }
        if self.field_type != FieldType::List && !self.options.is_empty() {
            return Err(ApiError::invalid(format!(
                "custom field `{}`: `options` are only for type `list`",
                self.key
            )));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(repeated) = self.options.iter().find(|o| !seen.insert(*o)) {
            return Err(ApiError::invalid(format!("option `{repeated}` is listed twice")));
        }
        Ok(())
    }

    fn compute(items: &mut [Self], db: &Connection, account: i64) -> Result<(), ApiError> {
        let counts = customers::field_counts(db, account)?;
        for field in items {
            field.customers_count = counts.get(&field.key).copied().unwrap_or(0);
        }
        Ok(())
    }

    fn before_delete(&self, db: &Connection, account: i64) -> Result<(), ApiError> {
        customers::rewrite_all(db, account, |customer| customer.fields.remove(&self.key).is_some())
    }
}

impl Kind for Tag {
    const PLURAL: &'static str = "tags";
    const SINGULAR: &'static str = "tag";
    const PREFIX: &'static str = "t";
    const COMPUTED: &'static [&'static str] = &["customers_count"];

    fn template() -> Value {
        json!({"color": null, "customers_count": 0})
    }

    fn identity(&self) -> String {
        self.name.to_lowercase()
    }

    fn check(&self, _: Option<&Self>, _: &Connection, _: i64) -> Result<(), ApiError> {
        require_text("tag", "name", &self.name, 60)?;
        if let Some(color) = &self.color {
            let valid = color.len() == 7
                && color.starts_with('#')
                && color[1..].chars().all(|c| c.is_ascii_hexdigit());
            if !valid {
                return Err(ApiError::invalid(format!("tag color `{color}` is not `#RRGGBB`")));
            }
        }
        Ok(())
    }

    fn compute(items: &mut [Self], db: &Connection, account: i64) -> Result<(), ApiError> {
        let counts = customers::tag_counts(db, account)?;
        for tag in items {
            tag.customers_count = counts.get(&tag.web_id).copied().unwrap_or(0);
        }
        Ok(())
    }

    fn before_delete(&self, db: &Connection, account: i64) -> Result<(), ApiError> {
        customers::rewrite_all(db, account, |customer| {
            let before = customer.tags.len();
            customer.tags.retain(|web_id| *web_id != self.web_id);
            customer.tags.len() != before
        })
    }
}

impl Kind for QuickReply {
    const PLURAL: &'static str = "quick_replies";
    const SINGULAR: &'static str = "quick_reply";
    const PREFIX: &'static str = "qr";
    const COMPUTED: &'static [&'static str] = &[];

    fn template() -> Value {
        json!({"channels": []})
    }

    fn identity(&self) -> String {
        self.title.clone()
    }

    fn check(&self, _: Option<&Self>, _: &Connection, _: i64) -> Result<(), ApiError> {
        require_text("quick reply", "title", &self.title, 80)?;
        require_text("quick reply", "text", &self.text, 4096)
    }

    fn compute(_: &mut [Self], _: &Connection, _: i64) -> Result<(), ApiError> {
        Ok(())
    }
}

impl Kind for CustomerList {
    const PLURAL: &'static str = "customer_lists";
    const SINGULAR: &'static str = "customer_list";
    const PREFIX: &'static str = "cl";
    const COMPUTED: &'static [&'static str] = &["customers_count"];

    fn template() -> Value {
        json!({"customers_count": 0})
    }

    fn identity(&self) -> String {
        self.name.clone()
    }

    fn check(&self, _: Option<&Self>, db: &Connection, account: i64) -> Result<(), ApiError> {
        require_text("customer list", "name", &self.name, 80)?;
        let problems = Catalog::load(db, account)?.problems(&self.filter);
        if problems.is_empty() { Ok(()) } else { Err(ApiError::Invalid(problems)) }
    }

    fn compute(items: &mut [Self], db: &Connection, account: i64) -> Result<(), ApiError> {
        if items.is_empty() {
            return Ok(());
        }
        let catalog = Catalog::load(db, account)?;
        let rows = customers::all(db, account)?;
        for list in items {
            list.customers_count = catalog.count(&list.filter, &rows);
        }
        Ok(())
    }
}
