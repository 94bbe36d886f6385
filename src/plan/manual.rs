//! Manual steps: kinds the server offers no endpoint for become a checklist for a person,
//! each naming the place in the Mercately web app where the change is made.

use serde_json::Value;

use super::change::{Action, Change, ObjectKind};
use super::compare::all_fields;

/// Where in the web app (in Spanish, as the app shows it) a person manages a kind.
pub fn place(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Account => "Configuración → General",
        ObjectKind::Member => "Configuración → Mi Equipo → Invitar a nuevos miembros",
        ObjectKind::Team => "Configuración → Mi Equipo → Equipos",
        ObjectKind::CustomField => "Configuración → Campos personalizados",
        ObjectKind::Tag => "Configuración → Etiquetas",
        ObjectKind::QuickReply => "Configuración → Respuestas rápidas",
        ObjectKind::CustomerList => "Clientes → Listas de clientes",
        ObjectKind::MessagingSettings => "Configuración → Mensajes automáticos",
        ObjectKind::BusinessHours => "Configuración → Horario de atención",
        ObjectKind::Balance => "Configuración → Facturación → Recarga automática",
    }
}

/// A manual step to make the object described by `body` exist as written.
pub(crate) fn change(kind: ObjectKind, key: &str, body: Value) -> Change {
    let mut change = Change::new(kind, Action::Manual, key);
    change.fields = all_fields(&body);
    change.body = Some(body);
    change.reason = format!(
        "the server offers no API for {}; make it match the manifest in the web app",
        kind.heading().to_lowercase()
    );
    change.manual = Some(place(kind).to_owned());
    change
}
