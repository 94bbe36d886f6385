//! `mercfg customers` end to end: the real binary against a small fake of the contract's
//! customer routes on 127.0.0.1.

use std::path::Path;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde_json::{Value, json};
use tokio::net::TcpListener;

const KEY: &str = "mk_test_customers";

#[derive(Default)]
struct Account {
    customers: Vec<Value>,
    /// Lower-case phones and emails of `customers`, for the uniqueness check.
    taken: std::collections::HashSet<String>,
    /// POSTs to `/customers` still to be answered 500 after the customer is stored.
    lose_creates: usize,
    writes: usize,
}

type Shared = Arc<Mutex<Account>>;

async fn start(account: Account) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(account));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/retailers/api/v1/custom_fields", get(fields))
        .route("/retailers/api/v1/tags", get(tags))
        .route("/retailers/api/v1/customers", get(list).post(create))
        .route("/retailers/api/v1/customers/search", get(search))
        .route("/retailers/api/v1/customers/{id}", put(update))
        .with_state(shared.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (endpoint, shared)
}

fn authorized(headers: &HeaderMap) -> bool {
    headers.get("api-key").and_then(|value| value.to_str().ok()) == Some(KEY)
}

fn refused(status: u16, message: &str) -> Response {
    let body = json!({"message": message, "errors": [message]});
    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
}

async fn fields(headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return refused(401, "invalid api key");
    }
    let field = |web_id: &str, key: &str, kind: &str, options: Value| {
        json!({"web_id": web_id, "key": key, "name": key, "type": kind, "options": options,
            "customers_count": 0, "version": 1})
    };
    let fields = [
        field("f_1", "ciudad", "string", json!([])),
        field("f_2", "compras", "integer", json!([])),
        field("f_3", "tipo", "list", json!(["Mayorista", "Minorista"])),
    ];
    axum::Json(json!({"results": 3, "total_pages": 1, "custom_fields": fields})).into_response()
}

async fn tags(headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return refused(401, "invalid api key");
    }
    let tag = |web_id: &str, name: &str| {
        json!({"web_id": web_id, "name": name, "color": null,
            "customers_count": 0, "version": 1})
    };
    let tags = [tag("t_1", "VIP"), tag("t_2", "Moroso")];
    axum::Json(json!({"results": 2, "total_pages": 1, "tags": tags})).into_response()
}

async fn list(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if !authorized(&headers) {
        return refused(401, "invalid api key");
    }
    let page: usize = query.get("page").and_then(|page| page.parse().ok()).unwrap_or(1).max(1);
    let account = shared.lock().unwrap();
    let slice: Vec<&Value> = account.customers.iter().skip((page - 1) * 100).take(100).collect();
    let total_pages = account.customers.len().div_ceil(100).max(1);
    let body =
        json!({"results": account.customers.len(), "total_pages": total_pages, "customers": slice});
    axum::Json(body).into_response()
}

fn same_key(customer: &Value, key: &str, wanted: &str) -> bool {
    customer[key].as_str().is_some_and(|value| value.eq_ignore_ascii_case(wanted))
}

async fn search(
    State(shared): State<Shared>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let account = shared.lock().unwrap();
    let found = account
        .customers
        .iter()
        .find(|customer| query.iter().all(|(key, wanted)| same_key(customer, key, wanted)));
    match found {
        Some(customer) => {
            axum::Json(json!({"message": "ok", "customer": customer})).into_response()
        }
        None => refused(404, "not found"),
    }
}

async fn create(State(shared): State<Shared>, axum::Json(body): axum::Json<Value>) -> Response {
    let mut account = shared.lock().unwrap();
    let mut customer = body["customer"].clone();
    let keys: Vec<String> = ["phone", "email"]
        .iter()
        .filter_map(|key| customer[*key].as_str().map(str::to_lowercase))
        .collect();
    if let Some(key) = keys.iter().find(|key| account.taken.contains(*key)) {
        return refused(422, &format!("`{key}` has already been taken"));
    }
    account.taken.extend(keys);
    account.writes += 1;
    customer["id"] = json!(account.customers.len() + 1);
    account.customers.push(customer.clone());
    if account.lose_creates > 0 {
        account.lose_creates -= 1;
        return refused(502, "bad gateway");
    }
    (StatusCode::CREATED, axum::Json(json!({"message": "ok", "customer": customer})))
        .into_response()
}

async fn update(
    State(shared): State<Shared>,
    UrlPath(id): UrlPath<u64>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut account = shared.lock().unwrap();
    account.writes += 1;
    let Some(customer) = account.customers.iter_mut().find(|customer| customer["id"] == id) else {
        return refused(404, "not found");
    };
    for (key, value) in body["customer"].as_object().unwrap() {
        customer[key] = value.clone();
    }
    axum::Json(json!({"message": "ok", "customer": customer})).into_response()
}

/// Runs `mercfg` against `endpoint` off the async threads; returns (success, stdout, stderr).
async fn mercfg(endpoint: &str, args: &[&str]) -> (bool, String, String) {
    let endpoint = endpoint.to_owned();
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let output = Command::cargo_bin("mercfg")
            .unwrap()
            .args(&args)
            .args(["--endpoint", &endpoint, "--rate-limit", "1000"])
            .env("MERCATELY_API_KEY", KEY)
            .env_remove("MERCATELY_ENDPOINT")
            // A hung command is killed and fails its test, rather than hanging the suite.
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
        (output.status.success(), text(output.stdout), text(output.stderr))
    })
    .await
    .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_rows_are_reported_by_line_and_the_good_ones_go_in() {
    let (endpoint, shared) = start(Account::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "in.csv",
        "first_name,last_name,email,phone,tags,compras,tipo\n\
         Ana,Pérez,ana@andina.ec,+593 99 123 4567,VIP,3,Mayorista\n\
         Luis,,luis@andina,+593991234568,,,\n\
         Eva,,eva@andina.ec,+593991234569,Nuevo,,\n\
         Juan,,juan@andina.ec,+593991234570,,tres,\n\
         Rosa,,rosa@andina.ec,+593991234571,,,Otro\n\
         Pedro,,pedro@andina.ec\n\
         Marta,,,12,,,\n\
         \"Ana María\",,ANA@andina.ec,,Moroso,,\n",
    );

    let (success, _, stderr) = mercfg(&endpoint, &["customers", "import", &file]).await;
    assert!(!success, "bad rows must fail the run: {stderr}");
    for line in [
        "line 3: the email",
        "line 4: the tag `Nuevo`",
        "line 5: the field `compras`",
        "line 6: the field `tipo` has no option `Otro`",
        "line 7: the row is not well-formed",
        "line 8: the phone `12`",
    ] {
        assert!(stderr.contains(line), "missing `{line}` in:\n{stderr}");
    }
    assert!(stderr.contains("1 created, 1 updated"), "{stderr}");

    let account = shared.lock().unwrap();
    assert_eq!(account.customers.len(), 1);
    let ana = &account.customers[0];
    assert_eq!(ana["phone"], "+593991234567");
    assert_eq!(ana["first_name"], "Ana María");
    assert_eq!(
        ana["tags"],
        json!([{"name": "VIP", "value": true}, {"name": "Moroso", "value": true}])
    );
    assert_eq!(
        ana["custom_fields"],
        json!([
            {"field_name": "compras", "field_content": 3},
            {"field_name": "tipo", "field_content": "Mayorista"}
        ])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_imported_again_changes_nothing() {
    let customers = (0..250)
        .map(|index| {
            json!({"id": index + 1, "first_name": format!("Cliente {index}"), "last_name": null,
                "email": format!("c{index}@andina.ec"), "phone": format!("+59399{index:07}"),
                "tags": if index % 3 == 0 { json!([{"name": "VIP"}]) } else { json!([]) },
                "custom_fields": [{"field_name": "ciudad", "field_content": "Quito, \"centro\""},
                                  {"field_name": "compras", "field_content": index}]})
        })
        .collect();
    let (endpoint, shared) = start(Account { customers, ..Account::default() }).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("customers.csv").display().to_string();

    let (success, _, stderr) = mercfg(&endpoint, &["customers", "export", "--out", &out]).await;
    assert!(success, "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("first_name,last_name,email,phone,tags,ciudad,compras,tipo")
    );
    assert!(
        text.contains("Cliente 3,,c3@andina.ec,+593990000003,VIP,\"Quito, \"\"centro\"\"\",3,")
    );

    let (success, stdout, stderr) =
        mercfg(&endpoint, &["customers", "import", &out, "--dry-run", "-v"]).await;
    assert!(success, "{stderr}");
    assert!(
        stdout.contains("dry run: 0 to create, 0 to update, 250 unchanged, 0 bad rows"),
        "{stdout}"
    );
    assert_eq!(shared.lock().unwrap().writes, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_create_answer_never_makes_a_duplicate() {
    let (endpoint, shared) = start(Account { lose_creates: 2, ..Account::default() }).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "in.csv",
        "phone,email\n+593991234567,ana@andina.ec\n,luis@andina.ec\n+593991234569,\n",
    );

    let (success, _, stderr) = mercfg(&endpoint, &["customers", "import", &file]).await;
    assert!(success, "{stderr}");
    assert!(stderr.contains("3 created"), "{stderr}");
    assert_eq!(shared.lock().unwrap().customers.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_lists_each_rows_changes_with_v() {
    let ana = json!({"id": 1, "first_name": "Ana", "phone": "+593991234567", "tags": [],
        "custom_fields": []});
    let (endpoint, shared) = start(Account { customers: vec![ana], ..Account::default() }).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "in.csv",
        "first_name,phone,compras\n\
         Ana María,+593991234567,4\n\
         Luis,+593991234568,\n\
         Lucho,593 99 123 4568,\n",
    );

    let (success, stdout, stderr) =
        mercfg(&endpoint, &["customers", "import", &file, "--dry-run", "-v"]).await;
    assert!(success, "{stderr}");
    let update = "~ line 2: update customer 1\n\
                  \x20   first_name: \"Ana\" → \"Ana María\"\n\
                  \x20   compras: \"\" → \"4\"\n";
    assert!(stdout.contains(update), "{stdout}");
    assert!(stdout.contains("+ line 3: create +593991234568"), "{stdout}");
    assert!(stdout.contains("~ line 4: update customer created above"), "{stdout}");
    assert!(stdout.contains("dry run: 1 to create, 2 to update, 0 unchanged"), "{stdout}");
    assert_eq!(shared.lock().unwrap().writes, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_import_with_v_logs_its_requests_and_finishes() {
    let (endpoint, shared) = start(Account::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "in.csv", "first_name,phone\nLuis,+593991234568\n");

    let (success, _, stderr) = mercfg(&endpoint, &["customers", "import", &file, "-v"]).await;
    assert!(success, "{stderr}");
    assert!(stderr.contains("+ line 2: create +593991234568"), "{stderr}");
    assert!(stderr.contains("method=POST"), "no request logged:\n{stderr}");
    assert_eq!(shared.lock().unwrap().writes, 1);
}

/// A server that offers only a few kinds, and no `/account`: export needs the slug given,
/// and says which sections it left out.
#[tokio::test(flavor = "multi_thread")]
async fn export_from_a_server_without_the_account_needs_the_slug() {
    let (endpoint, _) = start(Account::default()).await;

    let (success, stdout, stderr) = mercfg(&endpoint, &["export"]).await;
    assert!(!success && stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("does not say which account"), "{stderr}");
    assert!(stderr.contains("--slug SLUG"), "{stderr}");

    let (success, stdout, stderr) = mercfg(&endpoint, &["export", "--slug", "andina"]).await;
    assert!(success, "{stderr}");
    assert!(stdout.contains("slug: andina"), "{stdout}");
    assert!(
        stdout.contains("# Not exported: this server does not offer members, teams"),
        "{stdout}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "andina.yaml", &stdout);
    Command::cargo_bin("mercfg").unwrap().args(["validate", &file]).assert().success();
}

/// SIGTERM during an import: no further row is read, the writes in flight finish, and the
/// summary says the run stopped early; running it again completes it.
#[tokio::test(flavor = "multi_thread")]
async fn an_import_stopped_by_sigterm_reports_and_a_second_run_completes_it() {
    let w = super::support::Workspace::start(&["--latency", "100", "--seed-customers", "0"]).await;
    let mut csv = String::from("first_name,phone\n");
    for n in 0..60 {
        csv.push_str(&format!("Cliente {n},+5939900{n:05}\n"));
    }
    let file = w.path("customers.csv");
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap().to_owned();

    let child = w
        .command(&["customers", "import", &file, "--parallelism", "2"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Stop once a few customers are in.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while w.writes().await.values().sum::<u64>() < 4 {
        assert!(std::time::Instant::now() < deadline, "the import never got going");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    super::support::terminate(&child);
    let output =
        tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Stopping: no further row is read"), "{stderr}");
    assert!(stderr.contains("Stopped before the end of the file"), "{stderr}");
    let created: u64 = stderr
        .lines()
        .find_map(|line| line.strip_prefix("imported: "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no summary in:\n{stderr}"));
    assert!(created > 0 && created < 60, "{created} created before the stop");

    let again = w.run(&["customers", "import", &file]).expect(0);
    let summary = again.stderr();
    assert!(summary.contains(&format!("{} created", 60 - created)), "{summary}");
    assert!(summary.contains(&format!("{created} unchanged")), "{summary}");
}
