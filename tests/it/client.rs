//! The platform client against a scripted fake platform on 127.0.0.1.
//!
//! The fake keeps objects per kind, answers the contract's list, create, get and update
//! calls, and lets a test queue scripted answers per `METHOD /path`: an error status, a
//! redirect, or "handle the request, then lose the answer" (the connection is closed
//! before a byte of the answer is written).

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use mercfg::platform::{Client, ClientConfig, PlatformError, RetryPolicy, Timeouts};
use mercfg::state::{ObjectKind, Tag};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = "mk_test_7c1d9e";
const BASE: &str = "/retailers/api/v1";

// --- the fake platform --------------------------------------------------------------------

/// A scripted answer, used once.
#[derive(Debug, Clone)]
enum Scripted {
    Status {
        status: u16,
        retry_after: Option<&'static str>,
    },
    Redirect {
        location: &'static str,
    },
    /// Handle the request as usual, then close the connection instead of answering.
    LoseAnswer,
    /// Answer only after this long.
    Stall(Duration),
}

#[derive(Default)]
struct FakeState {
    account: Option<Value>,
    lists: HashMap<&'static str, Vec<Value>>,
    singletons: HashMap<&'static str, Value>,
    unsupported: HashSet<&'static str>,
    script: HashMap<String, VecDeque<Scripted>>,
    /// Every request seen: `METHOD /path?query`, with the time it arrived.
    log: Vec<(String, Instant)>,
    in_flight: usize,
    max_in_flight: usize,
    list_delay: Duration,
    next_id: u64,
}

#[derive(Clone)]
struct Fake {
    state: Arc<Mutex<FakeState>>,
    lose_next_answer: Arc<AtomicBool>,
    addr: SocketAddr,
}

const LISTS: [(&str, &str); 6] = [
    ("agents", "agent"),
    ("teams", "team"),
    ("custom_fields", "custom_field"),
    ("tags", "tag"),
    ("quick_replies", "quick_reply"),
    ("customer_lists", "customer_list"),
];
const SINGLETONS: [&str; 3] = ["messaging_settings", "business_hours", "balance"];

impl Fake {
    async fn start() -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let lose_next_answer = Arc::new(AtomicBool::new(false));
        let mut state = FakeState::default();
        for (plural, _) in LISTS {
            state.lists.insert(plural, Vec::new());
        }
        let fake = Fake { state: Arc::new(Mutex::new(state)), lose_next_answer, addr };

        let lossy = LossyListener { inner: listener, lose: fake.lose_next_answer.clone() };
        let app = axum::Router::new().fallback(handle).with_state(fake.clone());
        tokio::spawn(async move { axum::serve(lossy, app).await });
        fake
    }

    fn client(&self) -> Client {
        Client::new(self.config()).unwrap()
    }

    fn config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(format!("http://{}", self.addr), KEY);
        config.rate_limit = 1000.0;
        config.timeouts =
            Timeouts { connect: Duration::from_secs(2), request: Duration::from_secs(5) };
        config.retry = RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(40),
            max_retry_after: Duration::from_secs(5),
            seed: 11,
        };
        config
    }

    fn with<T>(&self, change: impl FnOnce(&mut FakeState) -> T) -> T {
        change(&mut self.state.lock().unwrap())
    }

    fn script(&self, route: &str, answers: &[Scripted]) {
        self.with(|state| {
            state.script.entry(route.to_owned()).or_default().extend(answers.to_vec())
        });
    }

    /// Requests whose `METHOD /path?query` starts with `prefix`.
    fn count(&self, prefix: &str) -> usize {
        self.with(|state| state.log.iter().filter(|(line, _)| line.starts_with(prefix)).count())
    }

    fn seed_tags(&self, count: usize) {
        self.with(|state| {
            for index in 0..count {
                let (web_id, name) = (format!("t_{index:03}"), format!("tag-{index:03}"));
                let tag = json!({"web_id": web_id, "name": name, "color": null,
                    "customers_count": 0, "version": 1});
                state.lists.get_mut("tags").unwrap().push(tag);
            }
        });
    }
}

async fn handle(
    State(fake): State<Fake>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let line = format!("{method} {}", uri.path_and_query().map_or("", |p| p.as_str()));
    let line = line.replacen(BASE, "", 1);
    let route = line.split('?').next().unwrap_or_default().to_owned();
    fake.with(|state| state.log.push((line.clone(), Instant::now())));

    if headers.get("api-key").and_then(|v| v.to_str().ok()) != Some(KEY) {
        return error(401, "invalid api key");
    }
    let scripted = fake.with(|state| state.script.get_mut(&route).and_then(VecDeque::pop_front));
    match scripted {
        Some(Scripted::Status { status, retry_after }) => {
            let mut response = error(status, "scripted");
            if let Some(seconds) = retry_after {
                response.headers_mut().insert("retry-after", seconds.parse().unwrap());
            }
            return response;
        }
        Some(Scripted::Redirect { location }) => {
            return (StatusCode::FOUND, [("location", location)]).into_response();
        }
        Some(Scripted::LoseAnswer) => fake.lose_next_answer.store(true, Ordering::SeqCst),
        Some(Scripted::Stall(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }

    let is_list_read = method == Method::GET && uri.query().is_some();
    let delay = fake.with(|state| {
        state.in_flight += 1;
        state.max_in_flight = state.max_in_flight.max(state.in_flight);
        state.list_delay
    });
    if is_list_read && !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let response = fake.with(|state| answer(state, &method, &route, uri.query(), &headers, &body));
    fake.with(|state| state.in_flight -= 1);
    response
}

fn error(status: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    (status, axum::Json(json!({"message": message, "errors": [message]}))).into_response()
}

fn ok(status: StatusCode, singular: &str, object: &Value) -> Response {
    (status, axum::Json(json!({"message": "ok", singular: object}))).into_response()
}

/// The contract's behaviour for the calls these tests make.
fn answer(
    state: &mut FakeState,
    method: &Method,
    route: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let segments: Vec<&str> = route.split(' ').nth(1).unwrap_or("").split('/').skip(1).collect();
    let if_match = headers.get("if-match").and_then(|v| v.to_str().ok()?.parse::<i64>().ok());
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);

    if let ["account"] = segments.as_slice() {
        return match &state.account {
            Some(account) => ok(StatusCode::OK, "account", account),
            None => error(404, "not found"),
        };
    }
    if segments.first().is_some_and(|kind| state.unsupported.contains(kind)) {
        return error(404, "not found");
    }
    if let ["customer_lists", "preview"] = segments.as_slice() {
        return ok(StatusCode::OK, "preview", &json!({"customers_count": 42}));
    }
    if let Some(singular) = SINGLETONS.iter().find(|name| segments == [**name]) {
        let Some(object) = state.singletons.get(singular) else { return error(404, "not found") };
        return ok(StatusCode::OK, singular, object);
    }
    let Some((plural, singular)) =
        LISTS.iter().find(|(plural, _)| segments.first() == Some(plural))
    else {
        return error(404, "not found");
    };
    let objects = state.lists.get_mut(plural).unwrap();

    match (method.as_str(), &segments[1..]) {
        ("GET", []) => {
            let page: usize = query
                .and_then(|q| q.strip_prefix("page="))
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            let slice: Vec<&Value> = objects.iter().skip((page - 1) * 100).take(100).collect();
            let total_pages = objects.len().div_ceil(100).max(1);
            let answer =
                json!({"results": objects.len(), "total_pages": total_pages, *plural: slice});
            axum::Json(answer).into_response()
        }
        ("POST", []) => {
            let mut object = body[*singular].clone();
            let name = object["name"].as_str().unwrap_or_default().to_lowercase();
            if objects.iter().any(|o| o["name"].as_str().unwrap_or_default().to_lowercase() == name)
            {
                return error(409, "already exists");
            }
            state.next_id += 1;
            object["web_id"] = json!(format!("n_{}", state.next_id));
            object["version"] = json!(1);
            objects.push(object.clone());
            ok(StatusCode::CREATED, singular, &object)
        }
        (verb, [id]) => {
            let Some(object) = objects.iter_mut().find(|o| o["web_id"] == *id) else {
                return error(404, "not found");
            };
            if verb == "GET" {
                return ok(StatusCode::OK, singular, object);
            }
            let version = object["version"].as_i64().unwrap();
            match if_match {
                None => return error(428, "if-match required"),
                Some(sent) if sent != version => {
                    return error(
                        412,
                        &format!("{singular} {id} has version {version}, not {sent}"),
                    );
                }
                Some(_) => {}
            }
            if verb == "DELETE" {
                let gone = object.clone();
                objects.retain(|o| o["web_id"] != *id);
                return ok(StatusCode::OK, singular, &gone);
            }
            if let Some(fields) = body[*singular].as_object() {
                for (key, value) in fields {
                    object[key] = value.clone();
                }
            }
            object["version"] = json!(version + 1);
            ok(StatusCode::OK, singular, object)
        }
        _ => error(404, "not found"),
    }
}

// --- losing an answer: a listener whose streams can fail the next write ----------------------

struct LossyListener {
    inner: TcpListener,
    lose: Arc<AtomicBool>,
}

impl axum::serve::Listener for LossyListener {
    type Io = LossyStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Ok((stream, addr)) = self.inner.accept().await {
                return (LossyStream { inner: stream, lose: self.lose.clone() }, addr);
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A TCP stream that, when told to, fails its next write, so the server drops the
/// connection without having sent any of the answer.
struct LossyStream {
    inner: TcpStream,
    lose: Arc<AtomicBool>,
}

impl AsyncRead for LossyStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for LossyStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.lose.swap(false, Ordering::SeqCst) {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::BrokenPipe, "answer lost")));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

// --- reads --------------------------------------------------------------------------------

fn status(status: u16) -> Scripted {
    Scripted::Status { status, retry_after: None }
}

#[tokio::test]
async fn a_429_is_retried_after_its_retry_after() {
    let fake = Fake::start().await;
    fake.seed_tags(3);
    fake.script("GET /tags", &[Scripted::Status { status: 429, retry_after: Some("1") }]);

    let started = Instant::now();
    let tags = fake.client().list::<Tag>(ObjectKind::Tag).await.unwrap().unwrap();

    assert_eq!(tags.len(), 3);
    assert_eq!(fake.count("GET /tags"), 2);
    let gap = fake.with(|state| state.log[1].1 - state.log[0].1);
    assert!(gap >= Duration::from_millis(990), "retried after {gap:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_500_on_a_read_is_retried() {
    let fake = Fake::start().await;
    fake.with(|state| state.account = Some(account()));
    fake.script("GET /account", &[status(500), status(503)]);

    let account = fake.client().account().await.unwrap();

    assert_eq!(account.slug, "ferreteria-andina");
    assert_eq!(fake.count("GET /account"), 3);
}

#[tokio::test]
async fn retries_end_with_an_error_naming_the_request() {
    let fake = Fake::start().await;
    fake.script("GET /tags", &vec![status(502); 10]);
    let mut config = fake.config();
    config.retry.max_attempts = 3;

    let error = Client::new(config).unwrap().list::<Tag>(ObjectKind::Tag).await.unwrap_err();

    assert!(matches!(error, PlatformError::Unavailable { status: 502, attempts: 3, .. }));
    assert_eq!(
        error.to_string(),
        "the platform answered `GET /tags?page=1` with status 502 after 3 attempts"
    );
    assert_eq!(fake.count("GET /tags"), 3);
}

#[tokio::test]
async fn a_read_that_stalls_times_out_and_is_tried_again() {
    let fake = Fake::start().await;
    fake.with(|state| state.account = Some(account()));
    let stall = Scripted::Stall(Duration::from_secs(20));
    fake.script("GET /account", &[stall.clone(), stall]);
    let mut config = fake.config();
    config.timeouts.request = Duration::from_millis(300);
    let client = Client::new(config.clone()).unwrap();

    let started = Instant::now();
    let account = client.account().await.unwrap();
    assert_eq!(account.slug, "ferreteria-andina");
    assert_eq!(fake.count("GET /account"), 3);
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());

    // A server that never answers in time ends in an error naming the request.
    fake.script("GET /account", &vec![Scripted::Stall(Duration::from_secs(20)); 3]);
    config.retry.max_attempts = 2;
    let error = Client::new(config).unwrap().account().await.unwrap_err();
    assert!(matches!(error, PlatformError::Transport { attempts: 2, .. }), "{error:?}");
    assert!(error.to_string().contains("`GET /account`"), "{error}");
}

#[tokio::test]
async fn a_redirect_is_an_error_and_is_not_followed() {
    let fake = Fake::start().await;
    fake.with(|state| state.account = Some(account()));
    fake.script("GET /account", &[Scripted::Redirect { location: "/retailers/api/v1/account" }]);

    let error = fake.client().account().await.unwrap_err();

    assert!(matches!(error, PlatformError::Redirect { status: 302, .. }), "{error:?}");
    assert!(error.to_string().contains("with a redirect (302)"), "{error}");
    assert_eq!(fake.count("GET /account"), 1);
}

#[tokio::test]
async fn a_wrong_key_is_refused_once_with_help() {
    let fake = Fake::start().await;
    let mut config = fake.config();
    config.api_key = "not-the-key".into();

    let error = Client::new(config).unwrap().account().await.unwrap_err();

    assert!(matches!(error, PlatformError::Unauthorized { .. }));
    let help = miette::Diagnostic::help(&error).map(|help| help.to_string()).unwrap_or_default();
    assert!(help.contains("MERCATELY_API_KEY"), "{help}");
    assert_eq!(fake.count("GET /account"), 1);
}

#[tokio::test]
async fn an_unsupported_kind_reads_as_none() {
    let fake = Fake::start().await;
    fake.seed_tags(2);
    fake.with(|state| {
        state.account = Some(account());
        state.unsupported.extend(["teams", "quick_replies"]);
        state.singletons.insert(
            "business_hours",
            json!({"timezone": "America/Guayaquil",
            "days": {"mon": ["08:00-13:00"]}, "version": 3}),
        );
    });

    let live = fake.client().read_state().await.unwrap();

    assert_eq!(live.account.map(|account| account.key_owner_id), Some(1));
    assert_eq!(live.tags.map(|tags| tags.len()), Some(2));
    assert_eq!(live.agents, Some(Vec::new()));
    assert_eq!(live.teams, None);
    assert_eq!(live.quick_replies, None);
    assert_eq!(live.business_hours.map(|hours| hours.version), Some(3));
    assert_eq!(live.balance, None);
    assert_eq!(live.messaging_settings, None);
}

#[tokio::test]
async fn pages_after_the_first_are_fetched_concurrently_and_kept_in_order() {
    let fake = Fake::start().await;
    fake.seed_tags(350);
    fake.with(|state| state.list_delay = Duration::from_millis(150));

    let started = Instant::now();
    let tags = fake.client().list::<Tag>(ObjectKind::Tag).await.unwrap().unwrap();
    let elapsed = started.elapsed();

    let names: Vec<String> = tags.iter().map(|tag| tag.name.clone()).collect();
    let expected: Vec<String> = (0..350).map(|index| format!("tag-{index:03}")).collect();
    assert_eq!(names, expected);
    assert_eq!(fake.count("GET /tags?page="), 4);
    assert_eq!(fake.with(|state| state.max_in_flight), 3);
    // Page 1, then pages 2 to 4 together: two delays, not four.
    assert!(elapsed < Duration::from_millis(550), "took {elapsed:?}");
}

#[tokio::test]
async fn requests_keep_to_the_rate_limit() {
    let fake = Fake::start().await;
    fake.seed_tags(1000);
    let mut config = fake.config();
    config.rate_limit = 20.0;

    let tags = Client::new(config).unwrap().list::<Tag>(ObjectKind::Tag).await.unwrap().unwrap();

    assert_eq!(tags.len(), 1000);
    let times: Vec<Instant> = fake.with(|state| state.log.iter().map(|(_, at)| *at).collect());
    let span = times[times.len() - 1] - times[0];
    assert!(span >= Duration::from_millis(440), "10 requests at 20/s took {span:?}");
}

#[tokio::test]
async fn preview_counts_matching_customers() {
    let fake = Fake::start().await;
    let filter = serde_json::from_value(json!({"has_tag": "VIP"})).unwrap();

    assert_eq!(fake.client().preview(&filter).await.unwrap(), 42);
}

#[test]
fn the_key_never_shows_in_debug_output() {
    let config = ClientConfig::new("https://app.mercately.com", KEY);
    let client = Client::new(config.clone()).unwrap();

    let shown = format!("{config:?} {client:?}");
    assert!(!shown.contains(KEY), "{shown}");
}

// --- writes -------------------------------------------------------------------------------

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_read_back_not_repeated() {
    let fake = Fake::start().await;
    fake.seed_tags(120);
    fake.script("POST /tags", &[Scripted::LoseAnswer]);

    let body = json!({"name": "VIP", "color": "#F5A623"});
    let tag = fake.client().create(ObjectKind::Tag, &body).await.unwrap();

    assert_eq!(tag["name"], "VIP");
    assert_eq!(tag["version"], 1);
    assert_eq!(fake.count("POST /tags"), 1);
    let vips = fake.with(|state| state.lists["tags"].iter().filter(|t| t["name"] == "VIP").count());
    assert_eq!(vips, 1);
    assert_eq!(fake.count("GET /tags?page="), 2, "the read-back lists every page");
}

#[tokio::test]
async fn a_create_that_failed_with_500_is_sent_again_once() {
    let fake = Fake::start().await;
    fake.script("POST /tags", &[status(500)]);

    let tag = fake.client().create(ObjectKind::Tag, &json!({"name": "Moroso"})).await.unwrap();

    assert_eq!(tag["name"], "Moroso");
    assert_eq!(fake.count("POST /tags"), 2);
    assert_eq!(fake.with(|state| state.lists["tags"].len()), 1);
}

#[tokio::test]
async fn an_update_whose_answer_is_lost_is_not_applied_twice() {
    let fake = Fake::start().await;
    fake.seed_tags(1);
    fake.script("PUT /tags/t_000", &[Scripted::LoseAnswer]);

    let body = json!({"color": "#000000"});
    let tag = fake.client().update(ObjectKind::Tag, "t_000", 1, &body).await.unwrap();

    assert_eq!(tag["color"], "#000000");
    assert_eq!(tag["version"], 2);
    assert_eq!(fake.count("PUT /tags/t_000"), 1);
    assert_eq!(fake.count("GET /tags/t_000"), 1);
}

#[tokio::test]
async fn a_delete_whose_answer_is_lost_is_confirmed_by_reading_back() {
    let fake = Fake::start().await;
    fake.seed_tags(2);
    fake.script("DELETE /tags/t_001", &[Scripted::LoseAnswer]);

    let gone = fake.client().delete(ObjectKind::Tag, "t_001", 1).await.unwrap();

    assert_eq!(gone, None, "the answer was lost, so there is no before-image");
    assert_eq!(fake.count("DELETE /tags/t_001"), 1);
    assert_eq!(fake.count("GET /tags/t_001"), 1);
    assert_eq!(fake.with(|state| state.lists["tags"].len()), 1);
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_with_the_servers_words() {
    let fake = Fake::start().await;
    fake.seed_tags(1);

    let body = json!({"color": "#000000"});
    let error = fake.client().update(ObjectKind::Tag, "t_000", 7, &body).await.unwrap_err();

    assert!(matches!(error, PlatformError::VersionConflict { .. }));
    assert_eq!(
        error.to_string(),
        "`PUT /tags/t_000` hit a version conflict: tag t_000 has version 1, not 7"
    );
}

#[tokio::test]
async fn a_rejection_shows_the_servers_errors() {
    let fake = Fake::start().await;
    fake.script("POST /tags", &[status(422)]);

    let error = fake.client().create(ObjectKind::Tag, &json!({"name": "x"})).await.unwrap_err();

    assert_eq!(error.to_string(), "the platform rejected `POST /tags`: scripted");
    assert_eq!(fake.count("POST /tags"), 1);
}

fn account() -> Value {
    json!({"web_id": "a_1", "slug": "ferreteria-andina", "name": "Ferretería Andina",
        "timezone": "America/Guayaquil", "max_agents": 5, "key_owner_id": 1, "version": 1})
}

#[test]
fn a_rate_limit_too_slow_to_keep_to_is_refused() {
    let client = |rate: f64| {
        let mut config = ClientConfig::new("http://127.0.0.1:9", "key");
        config.rate_limit = rate;
        Client::new(config)
    };
    for rate in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-9] {
        let error = client(rate).err().unwrap_or_else(|| panic!("{rate} was taken"));
        assert!(matches!(error, PlatformError::InvalidRateLimit { .. }), "{rate}: {error}");
    }
    assert!(client(0.02).is_ok());
    assert!(client(10.0).is_ok());
}
