//! Demo data for a new account: the owner admin, two tags, and customers with names,
//! phones, emails, channels, assignments and open chats, all drawn from the seed.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::customers::{self, Customer};
use super::random::Random;
use super::reply::ApiError;
use super::{agents, objects};
use crate::manifest::model::{Channel, Permissions, PlatformRole};
use crate::state::{Agent, Tag};

const FIRST_NAMES: &[&str] = &[
    "Ana", "Luis", "María", "Carlos", "Lucía", "Jorge", "Sofía", "Diego", "Valeria", "Andrés",
    "Camila", "Mateo", "Daniela", "José", "Gabriela", "Pablo", "Paula", "Fernando", "Isabel",
    "Ricardo",
];

const LAST_NAMES: &[&str] = &[
    "Pérez",
    "García",
    "Rodríguez",
    "Morales",
    "Torres",
    "Vásquez",
    "Castro",
    "Romero",
    "Herrera",
    "Mendoza",
    "Salazar",
    "Cevallos",
    "Zambrano",
    "Paredes",
    "Ortiz",
    "Vega",
];

/// The demo tags: name, colour, and the share of customers carrying it.
const TAGS: &[(&str, &str, f64)] = &[("Nuevo", "#4A90E2", 0.3), ("Frecuente", "#7ED321", 0.2)];

const DAY: i64 = 86_400;

/// Seeds account `account` and returns the owner agent's id.
pub fn populate(
    db: &Connection,
    account: i64,
    slug: &str,
    random: &mut Random,
    customer_count: u32,
    now: i64,
) -> Result<i64, ApiError> {
    let owner = agents::insert(
        db,
        account,
        Agent {
            id: 0,
            email: format!("owner@{slug}.example"),
            first_name: "Owner".to_owned(),
            last_name: Some(slug.to_owned()),
            role: PlatformRole::Admin,
            profile: None,
            permissions: Permissions::default(),
            teams: Vec::new(),
            active: true,
            open_chats: 0,
            version: 1,
        },
    )?;

    let mut tag_ids = Vec::new();
    for (name, color, share) in TAGS {
        let web_id = random.web_id(<Tag as objects::Kind>::PREFIX);
        let tag = Tag {
            web_id: web_id.clone(),
            name: (*name).to_owned(),
            color: Some((*color).to_owned()),
            customers_count: 0,
            version: 1,
        };
        objects::insert(db, account, &web_id, &tag)?;
        tag_ids.push((web_id, *share));
    }

    for index in 0..customer_count {
        let customer = demo_customer(random, index, owner.id, &tag_ids, now);
        customers::insert(db, account, &customer)?;
    }
    Ok(owner.id)
}

fn demo_customer(
    random: &mut Random,
    index: u32,
    owner: i64,
    tags: &[(String, f64)],
    now: i64,
) -> Customer {
    let first = *random.pick(FIRST_NAMES);
    let last = *random.pick(LAST_NAMES);
    let channel = match random.below(10) {
        0..=6 => Channel::Whatsapp,
        7 | 8 => Channel::Instagram,
        _ => Channel::Messenger,
    };
    let assigned = random.chance(0.4).then_some(owner);
    let open_chat = assigned.is_some() && random.chance(0.35);
    let created_at = now - random.below(365) as i64 * DAY - random.below(DAY as u64) as i64;
    let last_interaction_at = created_at + random.below((now - created_at).max(1) as u64) as i64;
    let tags = tags
        .iter()
        .filter(|(_, share)| random.chance(*share))
        .map(|(web_id, _)| web_id.clone())
        .collect();

    Customer {
        first_name: first.to_owned(),
        last_name: Some(last.to_owned()),
        email: Some(format!("{}.{}{index}@example.com", ascii(first), ascii(last))),
        // The index keeps phones unique; the random digits make them look real.
        phone: Some(format!("+5939{:02}{:06}", random.below(100), index)),
        channel,
        assigned_agent_id: assigned,
        open_chat,
        created_at,
        last_interaction_at,
        tags,
        fields: BTreeMap::new(),
    }
}

/// Lowercase ASCII for email addresses: accents dropped.
fn ascii(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'á' | 'Á' => 'a',
            'é' | 'É' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'Ó' => 'o',
            'ú' | 'Ú' => 'u',
            'ñ' | 'Ñ' => 'n',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_customers_depend_only_on_the_seed() {
        let tags = vec![("t_1".to_owned(), 0.5)];
        let a = demo_customer(&mut Random::new(9), 3, 1, &tags, 1_000_000_000);
        let b = demo_customer(&mut Random::new(9), 3, 1, &tags, 1_000_000_000);
        assert_eq!(a, b);
        assert!(a.email.as_deref().is_some_and(|e| e.is_ascii()));
        assert!(a.created_at <= a.last_interaction_at);
    }
}
