//! Onboarding at scale, end to end: the real binary against a real `mercfg sandbox serve` on
//! a free loopback port. Export round trips, every `init` template converges, one `apply`
//! runs many accounts with their own keys, and customers go out and back in.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};

use assert_cmd::Command;
use serde_json::{Value, json};

/// A `mercfg sandbox serve` process on a temporary database, with its default 300 demo
/// customers per account.
struct Sandbox {
    child: Child,
    url: String,
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Process::new(assert_cmd::cargo::cargo_bin("mercfg"))
            .args(["sandbox", "serve", "--addr", "127.0.0.1:0", "--api-key", "unused-key"])
            .arg("--db")
            .arg(dir.path().join("sandbox.db"))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The first line names the address; later lines are drained so the pipe never fills.
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().expect("the sandbox printed nothing").unwrap();
        std::thread::spawn(move || lines.for_each(drop));
        let url = first
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in `{first}`"))
            .to_owned();
        Sandbox { child, url, dir }
    }

    /// Makes the account `slug` and returns its API key.
    fn account(&self, slug: &str) -> String {
        let response: Value =
            http::post(&format!("{}/_sandbox/accounts", self.url), json!({ "slug": slug }));
        response["api_key"].as_str().expect("no api_key in the answer").to_owned()
    }

    /// `mercfg ARGS --endpoint URL`, run in the sandbox's folder with no ambient key.
    fn mercfg(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("mercfg").unwrap();
        command
            .current_dir(self.dir.path())
            .env_remove("MERCATELY_API_KEY")
            .env_remove("MERCATELY_ENDPOINT")
            .args(args)
            .args(["--endpoint", &self.url]);
        command
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tiny blocking POST over a fresh runtime: the tests themselves are synchronous.
mod http {
    use serde_json::Value;

    pub fn post(url: &str, body: Value) -> Value {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let response = ::reqwest::Client::new().post(url).json(&body).send().await.unwrap();
            assert!(response.status().is_success(), "POST {url}: {}", response.status());
            response.json().await.unwrap()
        })
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(command: &mut Command) -> Run {
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn repository_file(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path).display().to_string()
}

#[test]
fn an_exported_account_validates_and_plans_no_changes() {
    let sandbox = Sandbox::start();
    let key = sandbox.account("ferreteria-andina");
    // A text holding a literal `${`, which the export must write escaped.
    let onboarding = sandbox.path("onboarding.yaml");
    let text = std::fs::read_to_string(repository_file("examples/onboarding.yaml")).unwrap();
    let text = text.replace("Aceptamos efectivo,", "Aceptamos efectivo ($${total}),");
    std::fs::write(&onboarding, text).unwrap();
    let applied = run(sandbox
        .mercfg(&["apply", &onboarding, "--auto-approve", "--allow-spend-increase"])
        .env("MERCATELY_KEY_ANDINA", &key));
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);

    let exported = sandbox.path("exported.yaml");
    let export =
        run(sandbox.mercfg(&["export", "--out", &exported]).env("MERCATELY_API_KEY", &key));
    assert_eq!(export.code, 0, "{}", export.stderr);
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.contains("slug: ferreteria-andina") && text.contains("Cotización pendiente"));
    assert!(text.contains("Aceptamos efectivo ($${total}),"), "not escaped:\n{text}");

    let validate = run(Command::cargo_bin("mercfg").unwrap().args(["validate", &exported]));
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    let plan = run(sandbox
        .mercfg(&["plan", &exported, "--detailed-exitcode"])
        .env("MERCATELY_API_KEY", &key));
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
}

#[test]
fn every_init_template_validates_and_converges_on_a_fresh_account() {
    let sandbox = Sandbox::start();
    for template in ["minimal", "retail", "support"] {
        let slug = format!("nueva-{template}");
        let key = sandbox.account(&slug);
        let file = sandbox.path(&format!("{template}.yaml"));
        let init = run(Command::cargo_bin("mercfg").unwrap().args([
            "init",
            "--template",
            template,
            "--slug",
            &slug,
            "--out",
            &file,
        ]));
        assert_eq!(init.code, 0, "{}", init.stderr);
        assert!(std::fs::read_to_string(&file).unwrap().starts_with("# yaml-language-server: "));
        let validate = run(Command::cargo_bin("mercfg").unwrap().args(["validate", &file]));
        assert_eq!(validate.code, 0, "{template}: {}", validate.stderr);

        let first = run(sandbox
            .mercfg(&["plan", &file, "--detailed-exitcode"])
            .env("MERCATELY_API_KEY", &key));
        assert_eq!(first.code, 2, "{template} has changes for a fresh account: {}", first.stderr);
        let apply =
            run(sandbox.mercfg(&["apply", &file, "--auto-approve"]).env("MERCATELY_API_KEY", &key));
        assert_eq!(apply.code, 0, "{template}: {}{}", apply.stdout, apply.stderr);
        let second = run(sandbox
            .mercfg(&["plan", &file, "--detailed-exitcode"])
            .env("MERCATELY_API_KEY", &key));
        assert_eq!(second.code, 0, "{template} did not converge: {}", second.stdout);

        // An existing file is kept unless `--force`.
        let again = run(Command::cargo_bin("mercfg").unwrap().args([
            "init",
            "--template",
            "minimal",
            "--out",
            &file,
        ]));
        assert_eq!(again.code, 1);
        assert!(again.stderr.contains("already exists") && again.stderr.contains("--force"));
        assert!(std::fs::read_to_string(&file).unwrap().contains(&format!("slug: {slug}")));
    }
}

/// A manifest for account `slug` whose key is in `FLEET_KEY_<SLUG>`, with `extra` YAML.
fn fleet_manifest(slug: &str, extra: &str) -> String {
    let variable = format!("FLEET_KEY_{}", slug.to_uppercase());
    format!(
        "version: 1\naccount:\n  slug: {slug}\n  api_key_env: {variable}\n\
         tags:\n  - name: Cliente {slug}\n    color: \"#112233\"\n  - name: Mayorista\n\
         quick_replies:\n  - title: Horario\n    text: \"Atendemos en {slug} de 9:00 a 18:00.\"\n\
         {extra}"
    )
}

#[test]
fn one_apply_runs_many_accounts_and_a_failure_stops_none_of_the_others() {
    let sandbox = Sandbox::start();
    let keys: Vec<(String, String)> = ["norte", "sur", "centro"]
        .iter()
        .map(|slug| (format!("FLEET_KEY_{}", slug.to_uppercase()), sandbox.account(slug)))
        .collect();
    let dir = sandbox.dir.path().join("accounts");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("norte.yaml"), fleet_manifest("norte", "")).unwrap();
    std::fs::write(dir.join("sur.yml"), fleet_manifest("sur", "")).unwrap();
    // Emails are unique across accounts: norte's owner cannot join centro, which the
    // platform refuses at apply time, not at plan time.
    let intruder =
        "members:\n  - { email: owner@norte.example, first_name: Intruso, role: agent }\n";
    std::fs::write(dir.join("centro.yaml"), fleet_manifest("centro", intruder)).unwrap();
    let dir = dir.display().to_string();
    let with_keys = |command: &mut Command, skip: Option<&str>| {
        for (variable, key) in &keys {
            if Some(variable.as_str()) != skip {
                command.env(variable, key);
            }
        }
        command.env_remove(skip.unwrap_or("FLEET_NOTHING"));
    };

    // Several accounts need `--auto-approve`, and cannot share one `--out`.
    let mut unapproved = sandbox.mercfg(&["apply", &dir]);
    with_keys(&mut unapproved, None);
    let unapproved = run(&mut unapproved);
    assert_eq!(unapproved.code, 1);
    assert!(unapproved.stderr.contains("--auto-approve"), "{}", unapproved.stderr);
    let out = sandbox.path("plan.json");
    let saved = run(&mut sandbox.mercfg(&["plan", &dir, "--out", &out]));
    assert_eq!(saved.code, 1);
    assert!(saved.stderr.contains("one saved plan per account"), "{}", saved.stderr);

    // sur's key is missing and centro breaks a platform rule; norte is untouched by both.
    let mut first = sandbox.mercfg(&["apply", &dir, "--auto-approve"]);
    with_keys(&mut first, Some("FLEET_KEY_SUR"));
    let first = run(&mut first);
    assert_eq!(first.code, 1, "{}{}", first.stdout, first.stderr);
    let summary = first.stdout.split("== summary:").nth(1).expect("no summary");
    let line = |slug: &str| {
        summary.lines().find(|line| line.starts_with(slug)).unwrap_or_default().to_owned()
    };
    assert!(summary.starts_with(" 3 accounts:") && summary.contains("2 failed"), "{summary}");
    assert!(line("norte").contains("applied (3 applied)"), "{summary}");
    assert!(
        line("sur")
            .contains("failed: no API key: neither `FLEET_KEY_SUR` nor `MERCATELY_API_KEY` is set"),
        "{summary}"
    );
    assert!(line("centro").contains("failed: 1 of 4 changes did not apply"), "{summary}");
    assert!(first.stdout.contains(&format!("== norte ({dir}/norte.yaml)")), "{}", first.stdout);
    assert!(first.stderr.contains("centro: failed    + member `owner@norte.example`"));

    // Planned again with every key: only sur (never applied) and centro's member remain.
    let mut middle = sandbox.mercfg(&["plan", &dir, "--detailed-exitcode"]);
    with_keys(&mut middle, None);
    let middle = run(&mut middle);
    assert_eq!(middle.code, 2, "{}{}", middle.stdout, middle.stderr);
    assert!(middle.stdout.contains("norte") && middle.stdout.contains("0 changes  no changes"));

    // centro's mistake fixed: every account converges in one run.
    std::fs::write(Path::new(&dir).join("centro.yaml"), fleet_manifest("centro", "")).unwrap();
    let mut second = sandbox.mercfg(&["apply", &dir, "--auto-approve"]);
    with_keys(&mut second, None);
    let second = run(&mut second);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
    let mut last = sandbox.mercfg(&["plan", &dir, "--detailed-exitcode", "--format", "json"]);
    with_keys(&mut last, None);
    let last = run(&mut last);
    assert_eq!(last.code, 0, "{}{}", last.stdout, last.stderr);
    let document: Value = serde_json::from_str(&last.stdout).unwrap();
    let accounts = document["accounts"].as_array().unwrap();
    let slugs: Vec<&str> = accounts.iter().map(|a| a["account"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["centro", "norte", "sur"]);
    assert!(accounts.iter().all(|a| a["changes"] == 0 && a["plan"]["changes"] == json!([])));
}

#[test]
fn customers_round_trip_and_bad_rows_are_reported_by_line() {
    let sandbox = Sandbox::start();
    let key = sandbox.account("clientes");
    let file = sandbox.path("customers.csv");
    let export = run(sandbox
        .mercfg(&["customers", "export", "--out", &file])
        .env("MERCATELY_API_KEY", &key));
    assert_eq!(export.code, 0, "{}", export.stderr);
    assert!(export.stderr.contains("exported 300 customers"), "{}", export.stderr);

    let dry_run = run(sandbox
        .mercfg(&["customers", "import", &file, "--dry-run"])
        .env("MERCATELY_API_KEY", &key));
    assert_eq!(dry_run.code, 0, "{}", dry_run.stderr);
    assert!(
        dry_run.stdout.contains("0 to create, 0 to update, 300 unchanged, 0 bad rows skipped"),
        "{}",
        dry_run.stdout
    );

    let mixed = sandbox.path("mixed.csv");
    let rows = "first_name,last_name,email,phone,tags\n\
                Rosa,Vera,rosa@clientes.example,+593991110001,Nuevo\n\
                Malo,Telefono,malo@clientes.example,12x,\n\
                Ivan,Ruiz,ivan@clientes.example,+593991110002,\n\
                Mala,Etiqueta,mala@clientes.example,+593991110003,NoExiste\n\
                Malo,Correo,malo@,+593991110004,\n";
    std::fs::write(&mixed, rows).unwrap();
    let import =
        run(sandbox.mercfg(&["customers", "import", &mixed]).env("MERCATELY_API_KEY", &key));
    assert_eq!(import.code, 1, "bad rows make the run exit 1: {}", import.stderr);
    for line in
        ["skipped line 3: the phone", "skipped line 5: the tag", "skipped line 6: the email"]
    {
        assert!(import.stderr.contains(line), "missing `{line}` in:\n{}", import.stderr);
    }
    assert!(import.stderr.contains("imported: 2 created"), "{}", import.stderr);

    // The good rows are stored: a second dry run of the same file finds them unchanged.
    let again = run(sandbox
        .mercfg(&["customers", "import", &mixed, "--dry-run"])
        .env("MERCATELY_API_KEY", &key));
    assert!(
        again.stdout.contains("0 to create, 0 to update, 2 unchanged, 3 bad rows"),
        "{}",
        again.stdout
    );
}
