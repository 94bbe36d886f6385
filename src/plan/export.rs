//! The live account written back as a manifest: the inverse of the desired state.
//!
//! `mercfg export` prints it, and every apply run saves one limited to the kinds it touched
//! as its revert manifest. Ordering is stable (by identity key) so that two exports of the
//! same account are byte-identical.

use std::collections::BTreeMap;

use crate::manifest::model::{
    self, AccountSpec, Assignment, AutoMessage, Balance, InactivityMessage, Manifest, Member,
    Messaging, ResponseTime, Role, Toggle,
};
use crate::state::{self, LiveState, MessageSettings};

/// Days of the week in the order business hours are written.
const WEEK: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Writes the live account as a manifest. Kinds the server does not offer stay `None`
/// (unmanaged); deactivated members are left out.
pub fn manifest_from_state(live: &LiveState) -> Manifest {
    let (roles, members) = match &live.agents {
        Some(agents) => {
            let (roles, members) = members_from_agents(agents);
            (Some(roles).filter(|r| !r.is_empty()), Some(members))
        }
        None => (None, None),
    };

    Manifest {
        version: 1,
        account: AccountSpec {
            slug: live.account.as_ref().map_or_else(String::new, |a| a.slug.clone()),
            timezone: live.account.as_ref().map(|a| a.timezone.clone()),
            api_key_env: None,
        },
        vars: BTreeMap::new(),
        extends: None,
        roles,
        members,
        teams: live.teams.as_ref().map(|teams| sorted(teams, |t| t.name.clone(), team)),
        messaging: messaging(live),
        custom_fields: live
            .custom_fields
            .as_ref()
            .map(|fields| sorted(fields, |f| f.key.clone(), custom_field)),
        tags: live.tags.as_ref().map(|tags| sorted(tags, |t| t.name.to_lowercase(), tag)),
        quick_replies: live
            .quick_replies
            .as_ref()
            .map(|replies| sorted(replies, |q| q.title.clone(), quick_reply)),
        customer_lists: live
            .customer_lists
            .as_ref()
            .map(|lists| sorted(lists, |l| l.name.clone(), customer_list)),
        balance: live.balance.as_ref().map(balance),
        policy: None,
    }
}

/// Sorts live objects by `key` and converts each.
fn sorted<T, U>(items: &[T], key: impl Fn(&T) -> String, convert: impl Fn(&T) -> U) -> Vec<U> {
    let mut refs: Vec<&T> = items.iter().collect();
    refs.sort_by_cached_key(|item| key(item));
    refs.into_iter().map(convert).collect()
}

/// Active agents become members; each permission profile they carry becomes a role.
fn members_from_agents(agents: &[state::Agent]) -> (BTreeMap<String, Role>, Vec<Member>) {
    let mut roles = BTreeMap::new();
    let active: Vec<&state::Agent> = agents.iter().filter(|a| a.active).collect();
    for agent in &active {
        if let Some(profile) = &agent.profile {
            roles.entry(profile.clone()).or_insert_with(|| Role {
                base: agent.role,
                permissions: agent.permissions.clone(),
            });
        }
    }

    let mut members: Vec<Member> = active
        .into_iter()
        .map(|agent| Member {
            email: agent.email.to_lowercase(),
            first_name: agent.first_name.clone(),
            last_name: agent.last_name.clone(),
            role: agent.profile.clone().unwrap_or_else(|| platform_role_name(agent.role)),
            teams: {
                let mut teams = agent.teams.clone();
                teams.sort();
                teams
            },
        })
        .collect();
    members.sort_by(|a, b| a.email.cmp(&b.email));
    (roles, members)
}

fn platform_role_name(role: model::PlatformRole) -> String {
    match role {
        model::PlatformRole::Admin => "admin",
        model::PlatformRole::Supervisor => "supervisor",
        model::PlatformRole::Agent => "agent",
    }
    .to_string()
}

fn team(team: &state::Team) -> model::Team {
    model::Team {
        name: team.name.clone(),
        channels: team.channels.clone(),
        default_for: team.default_for.clone(),
        auto_assign: team.auto_assign,
        max_open_chats_per_agent: team.max_open_chats_per_agent,
    }
}

fn custom_field(field: &state::CustomField) -> model::CustomField {
    model::CustomField {
        key: field.key.clone(),
        name: field.name.clone(),
        field_type: field.field_type,
        options: field.options.clone(),
    }
}

fn tag(tag: &state::Tag) -> model::Tag {
    model::Tag { name: tag.name.clone(), color: tag.color.clone(), renamed_from: Vec::new() }
}

fn quick_reply(reply: &state::QuickReply) -> model::QuickReply {
    model::QuickReply {
        title: reply.title.clone(),
        text: reply.text.clone(),
        channels: reply.channels.clone(),
    }
}

fn customer_list(list: &state::CustomerList) -> model::CustomerList {
    model::CustomerList { name: list.name.clone(), filter: list.filter.clone() }
}

fn messaging(live: &LiveState) -> Option<Messaging> {
    let business_hours = live.business_hours.as_ref().map(business_hours);
    let settings = live.messaging_settings.as_ref();
    if business_hours.is_none() && settings.is_none() {
        return None;
    }

    let auto_message = |message: &MessageSettings| {
        (message.enabled || !message.text.is_empty()).then(|| AutoMessage {
            enabled: message.enabled,
            channels: message.channels.clone(),
            text: message.text.clone(),
        })
    };
    Some(Messaging {
        business_hours,
        assignment: settings.map(|s| Assignment {
            mode: s.assignment.mode,
            reassign_when_agent_absent: s.assignment.reassign_when_agent_absent,
        }),
        response_time: settings.and_then(|s| {
            s.response_time.first_reply_target.as_ref().map(|target| ResponseTime {
                first_reply_target: target.clone(),
                alert_supervisors_after: s.response_time.alert_supervisors_after.clone(),
            })
        }),
        agent_name_in_replies: settings.map(|s| Toggle { enabled: s.agent_name_in_replies }),
        welcome_message: settings.and_then(|s| auto_message(&s.welcome_message)),
        away_message: settings.and_then(|s| auto_message(&s.away_message)),
        inactivity_message: settings.and_then(|s| {
            let message = &s.inactivity_message;
            message.after.as_ref().map(|after| InactivityMessage {
                enabled: message.enabled,
                after: after.clone(),
                channels: message.channels.clone(),
                text: message.text.clone(),
            })
        }),
    })
}

/// Per-day hours folded back into day ranges: consecutive days with the same hours are
/// written once, as `mon-fri`.
fn business_hours(hours: &state::BusinessHours) -> model::BusinessHours {
    let mut days = BTreeMap::new();
    let mut start = 0;
    while start < WEEK.len() {
        let Some(ranges) = hours.days.get(WEEK[start]) else {
            start += 1;
            continue;
        };
        let mut end = start;
        while end + 1 < WEEK.len() && hours.days.get(WEEK[end + 1]) == Some(ranges) {
            end += 1;
        }
        let key = if end == start {
            WEEK[start].to_string()
        } else {
            format!("{}-{}", WEEK[start], WEEK[end])
        };
        days.insert(key, ranges.clone());
        start = end + 1;
    }
    model::BusinessHours { timezone: Some(hours.timezone.clone()), days }
}

fn balance(balance: &state::BalanceSettings) -> Balance {
    Balance {
        currency: balance.currency.clone(),
        low_balance_alert: balance.low_balance_alert.as_ref().map(|alert| model::LowBalanceAlert {
            below: alert.below,
            notify: alert.notify.clone(),
        }),
        auto_recharge: Some(model::AutoRecharge {
            enabled: balance.auto_recharge.enabled,
            when_below: balance.auto_recharge.when_below,
            amount: balance.auto_recharge.amount,
            monthly_cap: balance.auto_recharge.monthly_cap,
        }),
    }
}
