//! Shared harness of the integration tests: a `mercfg sandbox serve` process on a free
//! loopback port with a temporary database, and a reqwest client for it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

pub const BASE: &str = "/retailers/api/v1";
pub const KEY: &str = "test-key";

/// A `mercfg sandbox serve` process and a client for it.
pub struct Sandbox {
    pub child: Child,
    pub url: String,
    pub key: String,
    pub client: Client,
    _dir: Option<tempfile::TempDir>,
}

impl Sandbox {
    /// Starts a sandbox on a fresh database with the key [`KEY`] and `extra` flags.
    pub fn start(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("sandbox.db");
        let mut sandbox = Self::start_on(&db, Some(KEY), extra);
        sandbox._dir = Some(dir);
        sandbox
    }

    /// Starts a sandbox on `db`, with `api_key` if given; 50 demo customers unless `extra`
    /// says otherwise.
    pub fn start_on(db: &std::path::Path, api_key: Option<&str>, extra: &[&str]) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("mercfg"));
        command.args(["sandbox", "serve", "--addr", "127.0.0.1:0", "--db"]).arg(db);
        if let Some(key) = api_key {
            command.args(["--api-key", key]);
        }
        if !extra.contains(&"--seed-customers") {
            command.args(["--seed-customers", "50"]);
        }
        let mut child = command.args(extra).stderr(Stdio::piped()).spawn().unwrap();

        // The first line names the address; later lines are drained so the pipe never fills.
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().expect("sandbox printed nothing").unwrap();
        std::thread::spawn(move || lines.for_each(drop));
        let url = first
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in `{first}`"))
            .to_owned();
        // A generated key is printed after the database path; a given one is not.
        let key = match first.rsplit_once("`: ") {
            Some((_, key)) => key.trim_end_matches(')').to_owned(),
            None => api_key.unwrap_or_default().to_owned(),
        };
        let client = Client::builder().pool_max_idle_per_host(0).build().unwrap();
        Self { child, url, key, client, _dir: None }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_with(method, path, body, None).await
    }

    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        version: Option<i64>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{BASE}{path}", self.url))
            .header("api-key", &self.key);
        if let Some(version) = version {
            request = request.header("If-Match", version.to_string());
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let value = response.json::<Value>().await.unwrap_or(Value::Null);
        (status, value)
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, value) = self.call(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {value}");
        value
    }

    pub async fn create(&self, path: &str, body: Value) -> Value {
        let (status, value) = self.call(Method::POST, path, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {value}");
        value
    }

    pub async fn tool(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.client.request(method, format!("{}/_sandbox{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap().json().await.unwrap()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
