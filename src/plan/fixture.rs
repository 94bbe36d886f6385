//! Test fixtures: a live account and manifests describing it, built in code.
//!
//! [`live`] is a small account. [`matching`] describes it exactly, with the differences of
//! order, case, whitespace and defaults that must not show as changes. [`every_change`]
//! asks for one change of every action and kind, for the renderers' snapshots.

use std::collections::BTreeMap;

use serde_json::json;

use crate::manifest::model::{self as m, Channel, FieldType, Kind, PlatformRole};
use crate::state::{self as s, LiveState};

fn agent(id: i64, email: &str, role: PlatformRole, active: bool) -> s::Agent {
    s::Agent {
        id,
        email: email.to_owned(),
        first_name: email.split('@').next().unwrap_or_default().to_owned(),
        last_name: None,
        role,
        profile: None,
        permissions: m::Permissions::default(),
        teams: Vec::new(),
        active,
        open_chats: 0,
        version: 3,
    }
}

fn tag(web_id: &str, name: &str, color: Option<&str>, customers: u64) -> s::Tag {
    let color = color.map(str::to_owned);
    s::Tag {
        web_id: web_id.into(),
        name: name.into(),
        color,
        customers_count: customers,
        version: 2,
    }
}

fn filter(value: serde_json::Value) -> m::Filter {
    serde_json::from_value(value).unwrap_or_else(|error| panic!("fixture filter: {error}"))
}

/// The account as the server reports it.
pub(crate) fn live() -> LiveState {
    let mut ana = agent(2, "Ana@Andina.ec", PlatformRole::Agent, true);
    ana.first_name = "Ana".into();
    ana.last_name = Some("Pérez".into());
    ana.teams = vec!["Ventas".into()];
    let mut pedro = agent(4, "pedro@andina.ec", PlatformRole::Agent, true);
    pedro.open_chats = 57;

    LiveState {
        account: Some(s::Account {
            web_id: "a_1".into(),
            slug: "ferreteria-andina".into(),
            name: "Ferretería Andina".into(),
            timezone: "America/Guayaquil".into(),
            max_agents: 10,
            key_owner_id: 1,
            version: 1,
        }),
        agents: Some(vec![
            agent(1, "owner@andina.ec", PlatformRole::Admin, true),
            ana,
            agent(3, "luis@andina.ec", PlatformRole::Agent, false),
            pedro,
        ]),
        teams: Some(vec![s::Team {
            web_id: "tm_1".into(),
            name: "Ventas".into(),
            channels: vec![Channel::Instagram, Channel::Whatsapp],
            default_for: vec![Channel::Whatsapp],
            auto_assign: true,
            max_open_chats_per_agent: Some(20),
            open_chats: 12,
            version: 1,
        }]),
        custom_fields: Some(vec![
            s::CustomField {
                web_id: "cf_1".into(),
                key: "tipo_cliente".into(),
                name: "Tipo de cliente".into(),
                field_type: FieldType::String,
                options: Vec::new(),
                customers_count: 300,
                version: 1,
            },
            s::CustomField {
                web_id: "cf_2".into(),
                key: "ciudad".into(),
                name: "Ciudad".into(),
                field_type: FieldType::String,
                options: Vec::new(),
                customers_count: 40,
                version: 1,
            },
        ]),
        tags: Some(vec![
            tag("t_1", "Premium", Some("#F5A623"), 1_204),
            tag("t_2", "Moroso", Some("#D0021B"), 31),
            tag("t_3", "Viejo", None, 87),
        ]),
        quick_replies: Some(vec![s::QuickReply {
            web_id: "qr_1".into(),
            title: "Horario".into(),
            text: "Atendemos de lunes a viernes de 8:00 a 18:00.\n".into(),
            channels: Vec::new(),
            version: 1,
        }]),
        customer_lists: Some(vec![s::CustomerList {
            web_id: "cl_1".into(),
            name: "VIP Quito".into(),
            filter: filter(json!({"all": [
                {"field": "ciudad", "op": "equals", "value": "Quito"},
                {"has_tag": "Premium"}
            ]})),
            customers_count: 800,
            version: 5,
        }]),
        messaging_settings: Some(s::MessagingSettings {
            assignment: s::AssignmentSettings {
                mode: m::AssignmentMode::RoundRobin,
                reassign_when_agent_absent: true,
            },
            response_time: s::ResponseTimeSettings {
                first_reply_target: Some("300s".into()),
                alert_supervisors_after: Some("15m".into()),
            },
            agent_name_in_replies: true,
            welcome_message: s::MessageSettings {
                enabled: true,
                channels: vec![Channel::Whatsapp],
                text: "¡Hola! Bienvenido a Ferretería Andina, en un momento te atiende un asesor."
                    .into(),
            },
            away_message: s::MessageSettings::default(),
            inactivity_message: s::InactivitySettings::default(),
            version: 7,
        }),
        business_hours: Some(s::BusinessHours {
            timezone: "America/Guayaquil".into(),
            days: ["mon", "tue", "wed", "thu", "fri"]
                .iter()
                .map(|day| (day.to_string(), vec!["14:00-18:00".into(), "08:00-13:00".into()]))
                .collect(),
            version: 2,
        }),
        balance: Some(s::BalanceSettings {
            currency: "USD".into(),
            amount: 42.5,
            low_balance_alert: Some(s::LowBalanceAlert {
                below: 15.0,
                notify: vec!["Finanzas@andina.ec".into(), "owner@andina.ec".into()],
            }),
            auto_recharge: s::AutoRecharge {
                enabled: true,
                when_below: 10.0,
                amount: 50.0,
                monthly_cap: Some(200.0),
            },
            version: 4,
        }),
    }
}

fn member(email: &str, first_name: &str, role: &str, teams: &[&str]) -> m::Member {
    m::Member {
        email: email.into(),
        first_name: first_name.into(),
        last_name: None,
        role: role.into(),
        teams: teams.iter().map(|team| team.to_string()).collect(),
    }
}

fn manifest_tag(name: &str, color: Option<&str>, renamed_from: &[&str]) -> m::Tag {
    m::Tag {
        name: name.into(),
        color: color.map(str::to_owned),
        renamed_from: renamed_from.iter().map(|old| old.to_string()).collect(),
    }
}

fn field(key: &str, name: &str, field_type: FieldType, options: &[&str]) -> m::CustomField {
    let options = options.iter().map(|option| option.to_string()).collect();
    m::CustomField { key: key.into(), name: name.into(), field_type, options }
}

fn message(text: &str) -> m::AutoMessage {
    m::AutoMessage { enabled: true, channels: vec![Channel::Whatsapp], text: text.into() }
}

/// A manifest that describes [`live`] exactly, up to order, case, whitespace and defaults.
pub(crate) fn matching() -> m::Manifest {
    let mut ana = member("ana@andina.ec", "Ana ", "agent", &["Ventas"]);
    ana.last_name = Some("Pérez".into());
    m::Manifest {
        version: 1,
        account: m::AccountSpec {
            slug: "ferreteria-andina".into(),
            timezone: Some("America/Guayaquil".into()),
            api_key_env: None,
        },
        vars: BTreeMap::new(),
        extends: None,
        roles: None,
        members: Some(vec![
            member("OWNER@andina.ec", "owner", "admin", &[]),
            ana,
            member("pedro@andina.ec", "pedro", "agent", &[]),
        ]),
        teams: Some(vec![m::Team {
            name: "Ventas".into(),
            channels: vec![Channel::Whatsapp, Channel::Instagram],
            default_for: vec![Channel::Whatsapp],
            auto_assign: true,
            max_open_chats_per_agent: None,
        }]),
        messaging: Some(m::Messaging {
            business_hours: Some(m::BusinessHours {
                timezone: None,
                days: BTreeMap::from([(
                    "mon-fri".to_owned(),
                    vec!["08:00-13:00".to_owned(), "14:00-18:00".to_owned()],
                )]),
            }),
            assignment: Some(m::Assignment {
                mode: m::AssignmentMode::RoundRobin,
                reassign_when_agent_absent: true,
            }),
            response_time: Some(m::ResponseTime {
                first_reply_target: "5m".into(),
                alert_supervisors_after: Some("15m".into()),
            }),
            agent_name_in_replies: Some(m::Toggle { enabled: true }),
            welcome_message: Some(message(
                "¡Hola! Bienvenido a Ferretería Andina, en un momento te atiende un asesor.  \n",
            )),
            away_message: None,
            inactivity_message: None,
        }),
        custom_fields: Some(vec![
            field("ciudad", "Ciudad", FieldType::String, &[]),
            field("tipo_cliente", "Tipo de cliente", FieldType::String, &[]),
        ]),
        tags: Some(vec![
            manifest_tag("premium", Some("#f5a623"), &[]),
            manifest_tag("Moroso", None, &[]),
            manifest_tag("Viejo", None, &[]),
        ]),
        quick_replies: Some(vec![m::QuickReply {
            title: "Horario".into(),
            text: "Atendemos de lunes a viernes de 8:00 a 18:00.".into(),
            channels: vec![Channel::Messenger, Channel::Whatsapp, Channel::Instagram],
        }]),
        customer_lists: Some(vec![m::CustomerList {
            name: "VIP Quito".into(),
            filter: filter(json!({"all": [
                {"has_tag": "Premium"},
                {"field": "ciudad", "op": "equals", "value": "Quito"}
            ]})),
        }]),
        balance: Some(m::Balance {
            currency: "USD".into(),
            low_balance_alert: Some(m::LowBalanceAlert {
                below: 15.000_000_001,
                notify: vec!["owner@andina.ec".into(), "finanzas@andina.ec".into()],
            }),
            auto_recharge: Some(m::AutoRecharge {
                enabled: true,
                when_below: 10.0,
                amount: 50.0,
                monthly_cap: Some(200.0),
            }),
        }),
        policy: Some(m::Policy {
            prune: vec![Kind::Members, Kind::Tags, Kind::Teams],
            max_removals: None,
            min_admins: Some(1),
        }),
    }
}

/// A manifest asking for one change of every action and most kinds against [`live`] (with
/// quick replies unsupported by the server, see [`live_without_quick_replies`]).
pub(crate) fn every_change() -> m::Manifest {
    let mut manifest = matching();
    manifest.roles = Some(BTreeMap::from([(
        "vendedor".to_owned(),
        m::Role {
            base: PlatformRole::Agent,
            permissions: m::Permissions {
                only_assigned_chats: Some(true),
                import_customers: Some(false),
                ..m::Permissions::default()
            },
        },
    )]));
    manifest.members = Some(vec![
        member("owner@andina.ec", "owner", "admin", &[]),
        member("ana@andina.ec", "Ana", "supervisor", &["Ventas", "Soporte"]),
        member("luis@andina.ec", "luis", "agent", &[]),
        member("maria@andina.ec", "María", "vendedor", &["Soporte"]),
    ]);
    if let Some(teams) = &mut manifest.teams {
        teams.push(m::Team {
            name: "Soporte".into(),
            channels: vec![Channel::Whatsapp],
            default_for: Vec::new(),
            auto_assign: false,
            max_open_chats_per_agent: None,
        });
    }
    manifest.custom_fields = Some(vec![
        field("ciudad", "Ciudad de residencia", FieldType::String, &[]),
        field("tipo_cliente", "Tipo de cliente", FieldType::List, &["Mayorista", "Minorista"]),
    ]);
    manifest.tags = Some(vec![
        manifest_tag("VIP", Some("#F5A623"), &["Premium"]),
        manifest_tag("Moroso", Some("#FF0000"), &[]),
        manifest_tag("Nuevo", None, &[]),
    ]);
    manifest.customer_lists = Some(vec![m::CustomerList {
        name: "VIP Quito".into(),
        filter: filter(json!({"all": [
            {"has_tag": "VIP"},
            {"field": "ciudad", "op": "equals", "value": "Quito"},
            {"not": {"has_tag": "Moroso"}}
        ]})),
    }]);
    if let Some(messaging) = &mut manifest.messaging {
        messaging.welcome_message = Some(message(
            "¡Hola! Bienvenido a Ferretería Andina, en unos minutos te atiende una asesora.",
        ));
        messaging.business_hours = Some(m::BusinessHours {
            timezone: None,
            days: BTreeMap::from([
                ("mon-fri".to_owned(), vec!["08:00-13:00".to_owned(), "14:00-18:00".to_owned()]),
                ("sat".to_owned(), vec!["09:00-12:00".to_owned()]),
            ]),
        });
    }
    if let Some(recharge) = manifest.balance.as_mut().and_then(|b| b.auto_recharge.as_mut()) {
        recharge.amount = 100.0;
    }
    manifest
}

/// [`live`] on a server that offers no quick replies.
pub(crate) fn live_without_quick_replies() -> LiveState {
    LiveState { quick_replies: None, ..live() }
}
