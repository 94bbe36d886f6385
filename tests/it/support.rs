//! Shared harness of the integration tests: a `mercfg sandbox serve` process on a free
//! loopback port with a temporary database, and a reqwest client for it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

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

/// The slug of `examples/onboarding.yaml`.
pub const SLUG: &str = "ferreteria-andina";

/// The first word of each line of the closing report.
pub const OUTCOMES: [&str; 6] =
    ["applied ", "manual ", "conflict ", "failed ", "skipped ", "not run "];

/// A sandbox with the onboarding example's account, and a working directory for mercfg.
pub struct Workspace {
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
}

impl Workspace {
    /// Starts a sandbox with `extra` flags and creates the account `ferreteria-andina`; its
    /// key is the one every command uses.
    pub async fn start(extra: &[&str]) -> Self {
        let mut sandbox = Sandbox::start(extra);
        let created = sandbox.tool(Method::POST, "/accounts", Some(json!({"slug": SLUG}))).await;
        sandbox.key = created["api_key"].as_str().expect("no key for the new account").to_owned();
        Workspace { sandbox, dir: tempfile::tempdir().unwrap() }
    }

    /// A path inside the working directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `examples/onboarding.yaml`, changed by `edit`, into the working directory.
    pub fn onboarding(&self, name: &str, edit: impl FnOnce(String) -> String) -> PathBuf {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/onboarding.yaml");
        let path = self.path(name);
        std::fs::write(&path, edit(std::fs::read_to_string(example).unwrap())).unwrap();
        path
    }

    /// `mercfg <args> --endpoint URL` in the working directory, with the account's key.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("mercfg"));
        command
            .current_dir(self.dir.path())
            .args(args)
            .args(["--endpoint", &self.sandbox.url, "--color", "never"])
            // The default limit protects a real account; the sandbox needs no protecting.
            .args(["--rate-limit", "500"])
            .env("MERCATELY_API_KEY", &self.sandbox.key)
            .env("MERCATELY_KEY_ANDINA", &self.sandbox.key)
            .env_remove("MERCATELY_ENDPOINT")
            .env("NO_COLOR", "1");
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run(self.command(args).stdin(Stdio::null()).output().unwrap())
    }

    /// Like [`Workspace::run`], with the key only in the variable the example manifests
    /// name (`MERCATELY_KEY_ANDINA`), not in `MERCATELY_API_KEY`.
    pub fn run_with_manifest_key_only(&self, args: &[&str]) -> Run {
        let mut command = self.command(args);
        command.env_remove("MERCATELY_API_KEY").stdin(Stdio::null());
        Run(command.output().unwrap())
    }

    /// Every object of a kind, all pages, retrying the injected 500s.
    pub async fn list(&self, plural: &str) -> Vec<Value> {
        let mut objects = Vec::new();
        for page in 1.. {
            let body = self.get(&format!("/{plural}?page={page}")).await;
            objects.extend(body[plural].as_array().unwrap().iter().cloned());
            if page >= body["total_pages"].as_u64().unwrap() {
                break;
            }
        }
        objects
    }

    pub async fn get(&self, path: &str) -> Value {
        for _ in 0..20 {
            let (status, body) = self.sandbox.call(Method::GET, path, None).await;
            if status == StatusCode::OK {
                return body;
            }
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "GET {path}: {body}");
        }
        panic!("GET {path} failed 20 times");
    }

    /// The names of a kind's objects, by the field that identifies them.
    pub async fn names(&self, plural: &str, key: &str) -> Vec<String> {
        let objects = self.list(plural).await;
        objects.iter().map(|o| o[key].as_str().unwrap().to_owned()).collect()
    }

    pub async fn reset_stats(&self) {
        self.sandbox.tool(Method::POST, "/stats/reset", None).await;
    }

    /// Requests that could change the account since the last reset, by route. A list
    /// preview is a POST that only reads.
    pub async fn writes(&self) -> BTreeMap<String, u64> {
        let stats = self.sandbox.tool(Method::GET, "/stats", None).await;
        let routes = stats["by_route"].as_object().unwrap();
        routes
            .iter()
            .filter(|(route, _)| !route.starts_with("GET ") && !route.ends_with("/preview"))
            .map(|(route, count)| (route.clone(), count.as_u64().unwrap()))
            .collect()
    }
}

/// A finished command.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().expect("killed by a signal")
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// Asserts the exit code, showing both streams when it is not the one expected.
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(self.code(), code, "stdout:\n{}\nstderr:\n{}", self.stdout(), self.stderr());
        self
    }
}

/// Sends SIGTERM to `child`, as Ctrl-C's sibling from a supervisor or CI.
pub fn terminate(child: &Child) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: sends a signal to a child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
}
