//! Unit tests of the diff: every kind and action, the no-false-diff cases, order, previews.

use serde_json::json;

use super::fixture::{every_change, live, live_without_quick_replies, matching};
use super::*;
use crate::manifest::model::{self as m, FieldType, Kind};

fn plan(manifest: &Manifest, live: &LiveState) -> Plan {
    diff(manifest, live, &PlanOptions::default())
}

fn find<'a>(plan: &'a Plan, kind: ObjectKind, key: &str) -> &'a Change {
    plan.changes
        .iter()
        .find(|change| change.kind == kind && change.key == key)
        .unwrap_or_else(|| panic!("no {kind:?} change for {key}: {:#?}", plan.changes))
}

fn actions(plan: &Plan) -> Vec<(ObjectKind, Action, &str)> {
    plan.changes.iter().map(|c| (c.kind, c.action, c.key.as_str())).collect()
}

#[test]
fn a_manifest_describing_the_account_gives_no_changes() {
    let plan = plan(&matching(), &live());
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert_eq!(plan.summary().to_string(), "No changes. The account matches the manifest.");
}

#[test]
fn every_kind_and_action_in_execution_order() {
    let plan = plan(&every_change(), &live_without_quick_replies());
    use Action::*;
    use ObjectKind::*;
    assert_eq!(
        actions(&plan),
        vec![
            (Tag, Rename, "VIP"),
            (Tag, Create, "Nuevo"),
            (Tag, Update, "Moroso"),
            (CustomField, Replace, "tipo_cliente"),
            (CustomField, Update, "ciudad"),
            (Team, Create, "Soporte"),
            (Member, Create, "maria@andina.ec"),
            (Member, Update, "ana@andina.ec"),
            (Member, Update, "luis@andina.ec"),
            (QuickReply, Manual, "Horario"),
            (CustomerList, Update, "VIP Quito"),
            (MessagingSettings, Update, "messaging_settings"),
            (BusinessHours, Update, "business_hours"),
            (Balance, Update, "balance"),
            (Member, Remove, "pedro@andina.ec"),
            (Tag, Remove, "Viejo"),
        ]
    );
}

#[test]
fn members_resolve_roles_and_reactivate() {
    let plan = plan(&every_change(), &live());

    let maria = find(&plan, ObjectKind::Member, "maria@andina.ec");
    let body = maria.body.as_ref().unwrap();
    assert_eq!(body["role"], "agent");
    assert_eq!(body["profile"], "vendedor");
    assert_eq!(
        body["permissions"],
        json!({"only_assigned_chats": true, "import_customers": false})
    );

    let ana = find(&plan, ObjectKind::Member, "ana@andina.ec");
    let paths: Vec<&str> = ana.fields.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["role", "teams"]);
    assert_eq!(ana.fields[1].after, json!(["Soporte", "Ventas"]));
    assert_eq!(ana.target, Some(Target { id: "2".into(), version: 3 }));
    // Role, profile and permissions travel together.
    assert_eq!(ana.body.as_ref().unwrap()["profile"], json!(null));

    let luis = find(&plan, ObjectKind::Member, "luis@andina.ec");
    assert_eq!(luis.fields[0], FieldChange::new("active", false, true));
    assert!(luis.reactivates() && !ana.reactivates());

    let pedro = find(&plan, ObjectKind::Member, "pedro@andina.ec");
    assert_eq!(pedro.action, Action::Remove);
    assert_eq!(pedro.impact, [Impact::MemberOpenChats { chats: 57 }]);
}

#[test]
fn inactive_agents_are_never_removed() {
    let mut manifest = matching();
    manifest.members = Some(Vec::new());
    manifest.policy =
        Some(m::Policy { prune: vec![Kind::Members], max_removals: None, min_admins: None });
    let plan = plan(&manifest, &live());
    let removed: Vec<&str> = plan.changes.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(removed, ["Ana@Andina.ec", "owner@andina.ec", "pedro@andina.ec"]);
    assert!(plan.changes.iter().all(|c| c.action == Action::Remove));
}

#[test]
fn tags_rename_keeping_the_web_id() {
    let plan = plan(&every_change(), &live());
    let vip = find(&plan, ObjectKind::Tag, "VIP");
    assert_eq!(vip.action, Action::Rename);
    assert_eq!(vip.target.as_ref().map(|t| t.id.as_str()), Some("t_1"));
    assert_eq!(vip.renamed_from(), Some("Premium"));
    assert_eq!(vip.body, Some(json!({"name": "VIP"})));

    let viejo = find(&plan, ObjectKind::Tag, "Viejo");
    assert_eq!(viejo.impact, [Impact::CustomersWithTag { customers: 87 }]);
}

#[test]
fn a_rename_onto_an_existing_name_is_not_a_rename() {
    let mut manifest = matching();
    manifest.tags = Some(vec![m::Tag {
        name: "Moroso".into(),
        color: None,
        renamed_from: vec!["Premium".into()],
    }]);
    let plan = plan(&manifest, &live());
    assert!(plan.changes.iter().all(|c| c.kind != ObjectKind::Tag || c.action == Action::Remove));
}

#[test]
fn a_type_change_replaces_the_field_destructively() {
    let plan = plan(&every_change(), &live());
    let field = find(&plan, ObjectKind::CustomField, "tipo_cliente");
    assert_eq!(field.action, Action::Replace);
    assert!(field.destructive);
    assert_eq!(field.impact, [Impact::FieldValues { customers: 300 }]);
    assert_eq!(field.fields[0].path, "type");
    assert_eq!(field.body.as_ref().unwrap()["options"], json!(["Mayorista", "Minorista"]));
}

#[test]
fn creates_of_every_collection_kind() {
    let empty = LiveState {
        agents: Some(Vec::new()),
        teams: Some(Vec::new()),
        custom_fields: Some(Vec::new()),
        tags: Some(Vec::new()),
        quick_replies: Some(Vec::new()),
        customer_lists: Some(Vec::new()),
        ..live()
    };
    let plan = plan(&matching(), &empty);
    let creates = plan.changes.iter().filter(|c| c.action == Action::Create).count();
    assert_eq!(creates, 3 + 1 + 2 + 3 + 1 + 1);
    let list = find(&plan, ObjectKind::CustomerList, "VIP Quito");
    assert_eq!(list.impact, [Impact::ListMatches { before: None, after: None }]);
}

#[test]
fn unsupported_kinds_become_manual_steps() {
    let unsupported = LiveState {
        agents: None,
        teams: None,
        custom_fields: None,
        tags: None,
        quick_replies: None,
        customer_lists: None,
        messaging_settings: None,
        business_hours: None,
        balance: None,
        ..live()
    };
    let plan = plan(&matching(), &unsupported);
    assert_eq!(plan.summary().manual, plan.changes.len());
    assert_eq!(plan.changes.len(), 3 + 1 + 2 + 3 + 1 + 1 + 3);
    let member = find(&plan, ObjectKind::Member, "OWNER@andina.ec");
    assert_eq!(
        member.manual.as_deref(),
        Some("Configuración → Mi Equipo → Invitar a nuevos miembros")
    );
    assert!(member.target.is_none());
}

#[test]
fn unmanaged_sections_are_untouched_even_when_pruned() {
    let mut manifest = matching();
    manifest.tags = None;
    manifest.members = None;
    manifest.messaging = None;
    manifest.balance = None;
    let mut changed = live();
    if let Some(balance) = &mut changed.balance {
        balance.auto_recharge.amount = 999.0;
    }
    if let Some(settings) = &mut changed.messaging_settings {
        settings.agent_name_in_replies = false;
    }
    changed.tags = Some(Vec::new());
    assert!(plan(&manifest, &changed).is_empty());
}

#[test]
fn absent_messaging_sub_sections_keep_live_values() {
    let mut manifest = matching();
    if let Some(messaging) = &mut manifest.messaging {
        messaging.welcome_message = None;
        messaging.assignment = None;
    }
    let mut changed = live();
    if let Some(settings) = &mut changed.messaging_settings {
        settings.welcome_message.text = "otro".into();
        settings.assignment.mode = m::AssignmentMode::Manual;
    }
    assert!(plan(&manifest, &changed).is_empty());
}

#[test]
fn a_disabled_inactivity_message_is_turned_off_and_stays_off() {
    let mut manifest = matching();
    if let Some(messaging) = &mut manifest.messaging {
        messaging.inactivity_message = Some(m::InactivityMessage {
            enabled: false,
            after: "24h".into(),
            channels: vec![],
            text: "¿Seguimos?".into(),
        });
    }
    let mut on = live();
    if let Some(settings) = &mut on.messaging_settings {
        settings.inactivity_message = crate::state::InactivitySettings {
            enabled: true,
            after: Some("24h".into()),
            channels: vec![],
            text: "¿Seguimos?".into(),
        };
    }

    let turned_off = plan(&manifest, &on);
    let change = find(&turned_off, ObjectKind::MessagingSettings, "messaging_settings");
    let body = change.body.as_ref().unwrap();
    assert_eq!(body["inactivity_message"]["enabled"], json!(false));

    if let Some(settings) = &mut on.messaging_settings {
        settings.inactivity_message.enabled = false;
    }
    assert!(plan(&manifest, &on).is_empty());
}

#[test]
fn removals_happen_only_for_pruned_kinds() {
    let mut manifest = matching();
    manifest.tags = Some(Vec::new());
    manifest.custom_fields = Some(Vec::new());
    let plan = plan(&manifest, &live());
    let removed: Vec<(ObjectKind, &str)> =
        plan.changes.iter().map(|c| (c.kind, c.key.as_str())).collect();
    // Tags are pruned, custom fields are not.
    assert_eq!(
        removed,
        [(ObjectKind::Tag, "Moroso"), (ObjectKind::Tag, "Premium"), (ObjectKind::Tag, "Viejo")]
    );
}

#[test]
fn quick_reply_and_team_updates_compare_field_by_field() {
    let mut manifest = matching();
    if let Some(replies) = &mut manifest.quick_replies {
        replies[0].channels = vec![m::Channel::Whatsapp];
    }
    if let Some(teams) = &mut manifest.teams {
        teams[0].max_open_chats_per_agent = Some(30);
    }
    let plan = plan(&manifest, &live());
    let reply = find(&plan, ObjectKind::QuickReply, "Horario");
    assert_eq!(reply.body, Some(json!({"channels": ["whatsapp"]})));
    let team = find(&plan, ObjectKind::Team, "Ventas");
    assert_eq!(team.fields, [FieldChange::new("max_open_chats_per_agent", 20, 30)]);
}

#[test]
fn custom_field_options_ignore_order_but_send_it() {
    let mut manifest = matching();
    let mut changed = live();
    if let Some(fields) = &mut changed.custom_fields {
        fields[0].field_type = FieldType::List;
        fields[0].options = vec!["Minorista".into(), "Mayorista".into()];
    }
    manifest.custom_fields = Some(vec![
        m::CustomField {
            key: "tipo_cliente".into(),
            name: "Tipo de cliente".into(),
            field_type: FieldType::List,
            options: vec!["Mayorista".into(), "Minorista".into()],
        },
        m::CustomField {
            key: "ciudad".into(),
            name: "Ciudad".into(),
            field_type: FieldType::String,
            options: Vec::new(),
        },
    ]);
    assert!(plan(&manifest, &changed).is_empty());
}

#[test]
fn business_hours_and_balance_show_their_fields() {
    let plan = plan(&every_change(), &live());
    let hours = find(&plan, ObjectKind::BusinessHours, "business_hours");
    assert_eq!(hours.fields, [FieldChange::new("days.sat", None::<()>, ["09:00-12:00"])]);
    assert_eq!(hours.body.as_ref().unwrap()["days"]["mon"], json!(["08:00-13:00", "14:00-18:00"]));

    let balance = find(&plan, ObjectKind::Balance, "balance");
    assert!(balance.spend);
    assert_eq!(balance.fields, [FieldChange::new("auto_recharge.amount", 50.0, 100.0)]);
}

#[test]
fn lowering_the_top_up_is_not_a_spend_change() {
    let mut manifest = matching();
    if let Some(recharge) = manifest.balance.as_mut().and_then(|b| b.auto_recharge.as_mut()) {
        recharge.monthly_cap = Some(100.0);
    }
    let plan = plan(&manifest, &live());
    assert!(!find(&plan, ObjectKind::Balance, "balance").spend);
}

#[test]
fn customer_list_previews_fill_the_match_count() {
    let mut plan = plan(&every_change(), &live());
    let previews = plan.previews_needed();
    assert_eq!(previews.len(), 1);
    let (index, filter) = previews[0].clone();
    assert_eq!(plan.changes[index].key, "VIP Quito");
    assert!(matches!(filter, m::Filter::Node(m::FilterNode::All(ref all)) if all.len() == 3));

    assert!(plan.set_preview(index, 12_340));
    assert_eq!(
        plan.changes[index].impact,
        [Impact::ListMatches { before: Some(800), after: Some(12_340) }]
    );
    assert!(plan.previews_needed().is_empty());
    assert!(!plan.set_preview(0, 1));
}

#[test]
fn the_account_time_zone_is_a_manual_step() {
    let mut manifest = matching();
    manifest.account.timezone = Some("America/Lima".into());
    if let Some(hours) = manifest.messaging.as_mut().and_then(|m| m.business_hours.as_mut()) {
        hours.timezone = Some("America/Guayaquil".into());
    }
    let plan = plan(&manifest, &live());
    assert_eq!(actions(&plan), [(ObjectKind::Account, Action::Manual, "ferreteria-andina")]);
}

/// A large account (2,000 members, 1,000 tags, 300 fields, 300 lists, 500 quick replies)
/// and a manifest describing it, plus one change per tag.
fn large() -> (Manifest, LiveState) {
    let (mut manifest, mut state) = (matching(), live());
    let agents = state.agents.get_or_insert_with(Vec::new);
    let members = manifest.members.get_or_insert_with(Vec::new);
    for index in 0..2_000 {
        let email = format!("agente{index}@andina.ec");
        let mut agent = agents[1].clone();
        (agent.id, agent.email, agent.last_name) = (100 + index, email.to_uppercase(), None);
        agents.push(agent);
        let teams = vec!["Ventas".to_owned()];
        members.push(m::Member {
            email,
            first_name: "Ana".into(),
            last_name: None,
            role: "agent".into(),
            teams,
        });
    }
    let tags = state.tags.get_or_insert_with(Vec::new);
    let manifest_tags = manifest.tags.get_or_insert_with(Vec::new);
    for index in 0..1_000 {
        let mut tag = tags[0].clone();
        (tag.web_id, tag.name) = (format!("t_x{index}"), format!("Etiqueta {index}"));
        tags.push(tag);
        let color = Some(if index % 2 == 0 { "#F5A623" } else { "#000000" }.to_owned());
        manifest_tags.push(m::Tag {
            name: format!("etiqueta {index}"),
            color,
            renamed_from: Vec::new(),
        });
    }
    for index in 0..300 {
        let mut field = state.custom_fields.as_ref().unwrap()[1].clone();
        (field.web_id, field.key) = (format!("cf_x{index}"), format!("campo_{index}"));
        state.custom_fields.as_mut().unwrap().push(field);
        let field = m::CustomField {
            key: format!("campo_{index}"),
            name: "Ciudad".into(),
            field_type: FieldType::String,
            options: Vec::new(),
        };
        manifest.custom_fields.as_mut().unwrap().push(field);

        let mut list = state.customer_lists.as_ref().unwrap()[0].clone();
        (list.web_id, list.name) = (format!("cl_x{index}"), format!("Lista {index}"));
        state.customer_lists.as_mut().unwrap().push(list);
        let mut list = manifest.customer_lists.as_ref().unwrap()[0].clone();
        list.name = format!("Lista {index}");
        manifest.customer_lists.as_mut().unwrap().push(list);
    }
    for index in 0..500 {
        let mut reply = state.quick_replies.as_ref().unwrap()[0].clone();
        (reply.web_id, reply.title) = (format!("qr_x{index}"), format!("Respuesta {index}"));
        state.quick_replies.as_mut().unwrap().push(reply);
        let mut reply = manifest.quick_replies.as_ref().unwrap()[0].clone();
        reply.title = format!("Respuesta {index}");
        manifest.quick_replies.as_mut().unwrap().push(reply);
    }
    (manifest, state)
}

#[test]
fn a_large_account_plans_only_its_real_changes() {
    let (manifest, state) = large();
    let plan = plan(&manifest, &state);

    // Half of the 1,000 extra tags change colour; nothing else differs.
    assert_eq!(plan.changes.len(), 500, "{:#?}", &plan.changes[..3.min(plan.changes.len())]);
    assert!(plan.changes.iter().all(|c| c.kind == ObjectKind::Tag && c.action == Action::Update));
    let keys: Vec<&str> = plan.changes.iter().take(2).map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["Etiqueta 1", "Etiqueta 101"]);
}
