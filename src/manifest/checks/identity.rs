//! Identities and team defaults: no two objects of a kind share an identity key, a channel has
//! at most one default team, tags are not renamed onto names still declared, and custom
//! fields' options match their type.

use std::collections::HashMap;

use super::Finding;
use crate::manifest::diagnostic::Problem;
use crate::manifest::model::{FieldType, Manifest};

pub(super) fn check(manifest: &Manifest, findings: &mut Vec<Finding>) {
    if let Some(members) = &manifest.members {
        let names = members.iter().map(|member| member.email.as_str());
        duplicates("members", "email", "member", names, true, findings);
    }
    if let Some(teams) = &manifest.teams {
        duplicates("teams", "name", "team", teams.iter().map(|t| t.name.as_str()), false, findings);
        default_teams(manifest, findings);
    }
    if let Some(fields) = &manifest.custom_fields {
        let keys = fields.iter().map(|field| field.key.as_str());
        duplicates("custom_fields", "key", "custom field", keys, false, findings);
        field_options(manifest, findings);
    }
    if let Some(tags) = &manifest.tags {
        duplicates("tags", "name", "tag", tags.iter().map(|tag| tag.name.as_str()), true, findings);
        renames(manifest, findings);
    }
    if let Some(replies) = &manifest.quick_replies {
        let titles = replies.iter().map(|reply| reply.title.as_str());
        duplicates("quick_replies", "title", "quick reply", titles, false, findings);
    }
    if let Some(lists) = &manifest.customer_lists {
        let names = lists.iter().map(|list| list.name.as_str());
        duplicates("customer_lists", "name", "customer list", names, false, findings);
    }
}

/// Reports every object whose identity an earlier one of the same kind already has.
fn duplicates<'a>(
    section: &str,
    key: &str,
    kind: &'static str,
    names: impl Iterator<Item = &'a str>,
    case_insensitive: bool,
    findings: &mut Vec<Finding>,
) {
    let mut seen: HashMap<String, (usize, &str)> = HashMap::new();
    for (index, name) in names.enumerate() {
        let identity = if case_insensitive { name.to_lowercase() } else { name.to_owned() };
        match seen.get(&identity) {
            Some((first, first_name)) => {
                let help = if case_insensitive && first_name != &name {
                    Some(format!("{kind} names compare ignoring case: `{first_name}` is the same"))
                } else {
                    Some(format!("each {kind} is declared once: merge the two or rename one"))
                };
                let problem = Problem::Duplicate { kind, name: name.to_owned(), help };
                findings.push(
                    Finding::new(
                        format!("/{section}/{index}/{key}"),
                        problem,
                        "declared again here",
                    )
                    .related(format!("/{section}/{first}/{key}"), "first declared here"),
                );
            }
            None => {
                seen.insert(identity, (index, name));
            }
        }
    }
}

fn default_teams(manifest: &Manifest, findings: &mut Vec<Finding>) {
    let Some(teams) = &manifest.teams else { return };
    let mut defaults: HashMap<_, (usize, usize)> = HashMap::new();
    for (index, team) in teams.iter().enumerate() {
        for (position, channel) in team.default_for.iter().enumerate() {
            let pointer = format!("/teams/{index}/default_for/{position}");
            let name = channel_name(*channel);
            if !team.channels.contains(channel) {
                let problem = Problem::DefaultOutsideChannels {
                    team: team.name.clone(),
                    channel: name.clone(),
                };
                findings.push(Finding::new(
                    pointer.clone(),
                    problem,
                    "not in this team's `channels`",
                ));
            }
            match defaults.get(channel) {
                Some((first, first_position)) => {
                    let related = format!("/teams/{first}/default_for/{first_position}");
                    let problem = Problem::SecondDefaultTeam {
                        channel: name,
                        first: teams[*first].name.clone(),
                    };
                    findings.push(
                        Finding::new(pointer, problem, "second default")
                            .related(related, "already the default here"),
                    );
                }
                None => {
                    defaults.insert(*channel, (index, position));
                }
            }
        }
    }
}

fn renames(manifest: &Manifest, findings: &mut Vec<Finding>) {
    let Some(tags) = &manifest.tags else { return };
    let declared: Vec<String> = tags.iter().map(|tag| tag.name.to_lowercase()).collect();
    for (index, tag) in tags.iter().enumerate() {
        for (position, old) in tag.renamed_from.iter().enumerate() {
            if declared.contains(&old.to_lowercase()) {
                let pointer = format!("/tags/{index}/renamed_from/{position}");
                let problem = Problem::RenamedFromDeclared { name: old.clone() };
                findings.push(Finding::new(pointer, problem, "still declared as a tag"));
            }
        }
    }
}

fn field_options(manifest: &Manifest, findings: &mut Vec<Finding>) {
    let Some(fields) = &manifest.custom_fields else { return };
    for (index, field) in fields.iter().enumerate() {
        match (field.field_type, field.options.is_empty()) {
            (FieldType::List, true) => findings.push(Finding::new(
                format!("/custom_fields/{index}/type"),
                Problem::ListWithoutOptions,
                "a list with nothing to choose",
            )),
            (FieldType::List, false) | (_, true) => {}
            (other, false) => findings.push(Finding::new(
                format!("/custom_fields/{index}/options"),
                Problem::OptionsNotList { field_type: type_name(other) },
                "options on a non-list field",
            )),
        }
    }
}

/// A channel as written in the manifest.
pub(super) fn channel_name(channel: crate::manifest::model::Channel) -> String {
    serde_json::to_value(channel)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A field type as written in the manifest.
pub(super) fn type_name(field_type: FieldType) -> String {
    serde_json::to_value(field_type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
