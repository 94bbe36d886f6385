//! The HTTP surface: the shared application state, the route table of the contract, and
//! the middleware stack (request counting, faults, authentication) around it.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::handler::Handler;
use axum::http::{Method, Uri};
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodFilter, on};

use super::SandboxConfig;
use super::accounts::Seeding;
use super::db::Database;
use super::faults::Faults;
use super::handlers::{self, account, agents, customers, named, settings, tools};
use super::objects::Kind;
use super::random::Random;
use super::reply::ApiError;
use super::stats::Counter;
use crate::state::{BalanceSettings, BusinessHours, CustomField, CustomerList, MessagingSettings};
use crate::state::{QuickReply, Tag, Team};

/// Base path of every contract operation.
pub const API_BASE: &str = "/retailers/api/v1";

/// State shared by every request.
#[derive(Debug)]
pub struct App {
    pub db: Database,
    pub max_agents: u32,
    pub seeding: Seeding,
    pub faults: Faults,
    pub stats: Counter,
    ids: Mutex<Random>,
}

impl App {
    /// The state for `config` over an open database.
    pub fn new(db: Database, config: &SandboxConfig) -> Self {
        Self {
            db,
            max_agents: config.max_agents,
            seeding: Seeding { seed: config.seed, customers: config.seed_customers },
            faults: Faults::new(config),
            stats: Counter::default(),
            ids: Mutex::new(Random::for_purpose(config.seed, "web ids")),
        }
    }

    /// A fresh `web_id` with `prefix`; the caller retries if it is taken.
    pub fn web_id(&self, prefix: &str) -> String {
        self.ids.lock().unwrap_or_else(|p| p.into_inner()).web_id(prefix)
    }
}

type Shared = Arc<App>;

/// Routes being declared, remembered as `(method, path below API_BASE)`.
struct Table {
    router: Router<Shared>,
    routes: Vec<(String, String)>,
}

impl Table {
    fn on<H, T>(mut self, method: Method, path: &str, handler: H) -> Self
    where
        H: Handler<T, Shared>,
        T: 'static,
    {
        let filter = match method {
            Method::POST => MethodFilter::POST,
            Method::PUT => MethodFilter::PUT,
            Method::DELETE => MethodFilter::DELETE,
            _ => MethodFilter::GET,
        };
        self.router = self.router.route(&format!("{API_BASE}{path}"), on(filter, handler));
        self.routes.push((method.to_string(), path.to_owned()));
        self
    }

    /// The five operations of a named kind.
    fn named<K: Kind>(self) -> Self {
        let plural = format!("/{}", K::PLURAL);
        let single = format!("/{}/{{web_id}}", K::PLURAL);
        self.on(Method::GET, &plural, named::list::<K>)
            .on(Method::POST, &plural, named::create::<K>)
            .on(Method::GET, &single, named::get::<K>)
            .on(Method::PUT, &single, named::update::<K>)
            .on(Method::DELETE, &single, named::delete::<K>)
    }

    /// The two operations of a singleton.
    fn singleton<K: settings::Singleton>(self) -> Self {
        let path = format!("/{}", K::PATH);
        self.on(Method::GET, &path, settings::get::<K>).on(
            Method::PUT,
            &path,
            settings::update::<K>,
        )
    }
}

fn table() -> Table {
    Table { router: Router::new(), routes: Vec::new() }
        .on(Method::GET, "/account", account::get)
        .on(Method::GET, "/agents", agents::list)
        .on(Method::POST, "/agents", agents::create)
        .on(Method::GET, "/agents/{id}", agents::get)
        .on(Method::PUT, "/agents/{id}", agents::update)
        .on(Method::POST, "/agents/{id}/deactivate", agents::deactivate)
        .on(Method::POST, "/agents/{id}/reactivate", agents::reactivate)
        .named::<Team>()
        .named::<CustomField>()
        .named::<Tag>()
        .named::<QuickReply>()
        .named::<CustomerList>()
        .on(Method::POST, "/customer_lists/preview", customers::preview)
        .singleton::<MessagingSettings>()
        .singleton::<BusinessHours>()
        .singleton::<BalanceSettings>()
        .on(Method::GET, "/customers", customers::list)
        .on(Method::POST, "/customers", customers::create)
        .on(Method::GET, "/customers/search", customers::search)
        .on(Method::GET, "/customers/{id}", customers::get)
        .on(Method::PUT, "/customers/{id}", customers::update)
        .on(Method::GET, "/whatsapp_templates", account::templates)
}

/// Every contract operation the sandbox serves, as `(METHOD, path below API_BASE)` with
/// path parameters in braces (`/tags/{web_id}`).
pub fn api_routes() -> Vec<(String, String)> {
    table().routes
}

/// The whole application: the contract's routes behind counting, faults and
/// authentication, the `/_sandbox` tools beside them, and JSON answers for unknown paths.
pub fn router(app: Shared) -> Router {
    let api = table()
        .router
        .layer(from_fn_with_state(Arc::clone(&app), handlers::authenticate))
        .layer(from_fn_with_state(Arc::clone(&app), super::faults::inject))
        .layer(from_fn_with_state(Arc::clone(&app), super::stats::count));
    api.merge(tools::router())
        .fallback(not_found)
        .method_not_allowed_fallback(not_allowed)
        .with_state(app)
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::NotFound(format!("no operation `{method} {}`", uri.path()))
}

async fn not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("`{}` does not accept `{method}`", uri.path()))
}
