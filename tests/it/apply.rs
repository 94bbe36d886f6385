//! `mercfg plan` and `mercfg apply` end to end: the real binary, run in a temporary
//! working directory, against a real sandbox process over HTTP, with faults, a killed run,
//! a saved plan gone stale, the revert manifest, the key kept secret and the safety rails.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{OUTCOMES, Run, SLUG, Sandbox, Workspace, terminate};

/// Asserts no identity key appears twice (case-insensitively, as the platform compares).
fn assert_unique(kind: &str, names: &[String]) {
    let mut seen = BTreeMap::new();
    for name in names {
        *seen.entry(name.to_lowercase()).or_insert(0) += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "duplicate {kind}: {twice:?}");
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[tokio::test]
async fn a_second_apply_makes_exactly_the_edits() {
    let w = Workspace::start(&[]).await;
    let manifest = w.onboarding("andina.yaml", |text| text);
    let manifest = manifest.to_str().unwrap();
    w.run(&["apply", manifest, "--auto-approve", "--allow-spend-increase"]).expect(0);
    let plan = w.run(&["plan", manifest, "--detailed-exitcode"]).expect(0);
    assert!(plan.stdout().contains("No changes"), "{}", plan.stdout());
    let frecuente = w.list("tags").await.into_iter().find(|t| t["name"] == "Frecuente").unwrap();

    // One quick reply's text, one tag renamed, one tag gone (1 of 7: within 25%).
    let edited = w.onboarding("andina.yaml", |text| {
        text.replace(
            r#"text: "Atendemos ${hours}.""#,
            r#"text: "Atendemos ${hours}. ¡Te esperamos!""#,
        )
        .replace(
            "- name: Frecuente\n",
            "- name: Cliente frecuente\n    renamed_from: [Frecuente]\n",
        )
        .replace("  - name: Constructor\n    color: \"#8B572A\"\n", "")
    });
    w.reset_stats().await;
    let run = w.run(&["apply", edited.to_str().unwrap(), "--auto-approve"]).expect(0);

    let report: Vec<String> = run
        .stdout()
        .lines()
        .filter(|line| OUTCOMES.iter().any(|word| line.starts_with(word)))
        .map(str::to_owned)
        .collect();
    assert_eq!(report.len(), 3, "{report:#?}");
    for line in [
        "applied   ~ quick reply `Horario`",
        "applied   → tag `Cliente frecuente`",
        "applied   - tag `Constructor`",
        "Apply: 3 applied.",
    ] {
        assert!(run.stdout().contains(line), "no `{line}` in:\n{}", run.stdout());
    }
    assert_eq!(
        w.writes().await,
        BTreeMap::from([
            ("DELETE /retailers/api/v1/tags/{web_id}".to_owned(), 1),
            ("PUT /retailers/api/v1/quick_replies/{web_id}".to_owned(), 1),
            ("PUT /retailers/api/v1/tags/{web_id}".to_owned(), 1),
        ])
    );

    // The rename kept the object, and with it its customers.
    let tags = w.list("tags").await;
    let renamed = tags.iter().find(|t| t["name"] == "Cliente frecuente").unwrap();
    assert_eq!(renamed["web_id"], frecuente["web_id"]);
    assert_eq!(renamed["customers_count"], frecuente["customers_count"]);
    assert!(!tags.iter().any(|t| t["name"] == "Constructor" || t["name"] == "Frecuente"));
    let horario = w.list("quick_replies").await.into_iter().find(|q| q["title"] == "Horario");
    assert!(horario.unwrap()["text"].as_str().unwrap().ends_with("¡Te esperamos!"));
    w.run(&["plan", edited.to_str().unwrap(), "--detailed-exitcode"]).expect(0);
}

/// What the onboarding example asks for, kind by kind: the identity keys on the account
/// once it is applied (the owner stays; the seeded tags are in the manifest).
async fn assert_exactly_onboarding(w: &Workspace) {
    let expect = |names: &[&str]| sorted(names.iter().map(|n| n.to_string()).collect());
    for (plural, key, wanted) in [
        ("teams", "name", expect(&["Posventa", "Ventas"])),
        (
            "custom_fields",
            "key",
            expect(&["ciudad", "compras_anuales", "fecha_ultima_compra", "tipo_cliente"]),
        ),
        (
            "tags",
            "name",
            expect(&[
                "Constructor",
                "Cotización pendiente",
                "Frecuente",
                "Garantía",
                "Moroso",
                "Nuevo",
                "VIP",
            ]),
        ),
        ("quick_replies", "title", expect(&["Formas de pago", "Garantía", "Horario", "Ubicación"])),
        (
            "customer_lists",
            "name",
            expect(&["Mayoristas activos", "Seguimiento de Carlos", "VIP Quito"]),
        ),
    ] {
        let names = w.names(plural, key).await;
        assert_unique(plural, &names);
        assert_eq!(sorted(names), wanted, "{plural}");
    }

    let agents = w.list("agents").await;
    let emails: Vec<String> =
        agents.iter().map(|a| a["email"].as_str().unwrap().to_lowercase()).collect();
    assert_unique("agents", &emails);
    let active = agents.iter().filter(|a| a["active"] == true).count();
    assert_eq!(active, 6, "the owner and the five members: {emails:?}");
}

#[tokio::test]
async fn apply_converges_under_injected_faults() {
    let (mut retried, mut lost) = (false, false);
    for seed in ["1", "2", "3"] {
        let w = Workspace::start(&[
            "--error-rate",
            "0.1",
            "--drop-after-commit-rate",
            "0.05",
            "--seed",
            seed,
        ])
        .await;
        let manifest = w.onboarding("andina.yaml", |text| text);
        let manifest = manifest.to_str().unwrap();

        let mut runs = Vec::new();
        while runs.len() < 3 {
            let args = ["-v", "apply", manifest, "--auto-approve", "--allow-spend-increase"];
            let run = w.run(&args);
            let done = run.code() == 0;
            runs.push(run);
            if done {
                break;
            }
        }
        let logs: String = runs.iter().map(Run::stderr).collect();
        retried |= logs.contains("retrying");
        lost |= logs.contains("unknown outcome resolved");

        let last = runs.last().unwrap();
        assert_eq!(
            last.code(),
            0,
            "seed {seed}: no success in 3 runs; last stdout:\n{}\nstderr:\n{}",
            last.stdout(),
            last.stderr()
        );

        w.run(&["plan", manifest, "--detailed-exitcode"]).expect(0);
        assert_exactly_onboarding(&w).await;
    }
    assert!(retried && lost, "the faults were injected: retried {retried}, lost {lost}");
}

/// A manifest of `count` tags and as many quick replies, for the account `ferreteria-andina`.
fn large_manifest(count: usize) -> String {
    let mut text = format!("version: 1\naccount:\n  slug: {SLUG}\ntags:\n");
    for n in 0..count {
        text.push_str(&format!("  - name: Etiqueta {n:03}\n    color: \"#{:06X}\"\n", n * 997));
    }
    text.push_str("quick_replies:\n");
    for n in 0..count {
        text.push_str(&format!("  - title: Respuesta {n:03}\n    text: Texto número {n}.\n"));
    }
    text
}

/// The `finished` lines of a journal that say `applied`, as the (kind, key) they started.
fn applied_in_journal(journal: &str) -> Vec<(String, String)> {
    let lines: Vec<Value> =
        journal.lines().filter_map(|line| serde_json::from_str(line).ok()).collect();
    let started: BTreeMap<u64, (String, String)> = lines
        .iter()
        .filter(|line| line["event"] == "started")
        .map(|line| {
            let kind = line["kind"].as_str().unwrap().to_owned();
            (line["index"].as_u64().unwrap(), (kind, line["key"].as_str().unwrap().to_owned()))
        })
        .collect();
    lines
        .iter()
        .filter(|line| line["event"] == "finished" && line["outcome"] == "applied")
        .map(|line| started[&line["index"].as_u64().unwrap()].clone())
        .collect()
}

/// Waits until a run's journal has `count` lines of `event`, and returns its path.
fn wait_for_journal(
    w: &Workspace,
    child: &mut std::process::Child,
    event: &str,
    count: usize,
) -> std::path::PathBuf {
    let event = format!("\"event\":\"{event}\"");
    let runs = w.path(".mercfg/runs");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "the run never got going");
        assert!(child.try_wait().unwrap().is_none(), "the run ended too soon");
        let journal = std::fs::read_dir(&runs)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path().join("journal.jsonl"))
            .find(|path| {
                std::fs::read_to_string(path)
                    .is_ok_and(|journal| journal.matches(&event).count() >= count)
            });
        if let Some(journal) = journal {
            return journal;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn sigterm_finishes_the_changes_in_flight_and_reports_a_second_stops_at_once() {
    let w = Workspace::start(&["--latency", "100"]).await;
    let manifest = w.path("large.yaml");
    std::fs::write(&manifest, large_manifest(100)).unwrap();
    let manifest = manifest.to_str().unwrap();

    // One SIGTERM: no change starts after it, the run reports and exits 1.
    let mut child = w
        .command(&["apply", manifest, "--auto-approve"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_journal(&w, &mut child, "finished", 8);
    terminate(&child);
    let output = child.wait_with_output().unwrap();
    let (stdout, stderr) =
        (String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap());
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Stopping: no new changes start"), "{stderr}");
    assert!(stdout.contains("not run"), "the report lists what did not run:\n{stdout}");
    assert!(stderr.contains("To undo this run: mercfg apply"), "{stderr}");

    // Two: the second ends the process without waiting for the requests in flight.
    let slow = Workspace::start(&["--latency", "4000"]).await;
    let manifest = slow.path("large.yaml");
    std::fs::write(&manifest, large_manifest(20)).unwrap();
    let mut child = slow
        .command(&["apply", manifest.to_str().unwrap(), "--auto-approve"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_journal(&slow, &mut child, "started", 1);
    let started = Instant::now();
    terminate(&child);
    std::thread::sleep(Duration::from_millis(200));
    terminate(&child);
    let status = child.wait().unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert_eq!(status.code(), Some(130));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("Stopped with writes in flight"), "{stderr}");
}

#[tokio::test]
async fn a_killed_apply_leaves_a_true_journal_and_the_next_run_converges() {
    const COUNT: usize = 300;
    let w = Workspace::start(&["--latency", "20"]).await;
    let manifest = w.path("large.yaml");
    std::fs::write(&manifest, large_manifest(COUNT)).unwrap();
    let manifest = manifest.to_str().unwrap();

    let mut child = w
        .command(&["apply", manifest, "--auto-approve"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // Wait for some changes to finish, then kill the run without warning.
    let journal = wait_for_journal(&w, &mut child, "finished", 40);
    child.kill().unwrap();
    child.wait().unwrap();

    // Everything the journal says was applied is on the account; the run was cut short.
    let text = std::fs::read_to_string(&journal).unwrap();
    let applied = applied_in_journal(&text);
    assert!(applied.len() >= 40 && applied.len() < 2 * COUNT, "{} applied", applied.len());
    let tags = w.names("tags", "name").await;
    let replies = w.names("quick_replies", "title").await;
    for (kind, key) in &applied {
        let names = if kind == "tags" { &tags } else { &replies };
        assert!(names.contains(key), "the journal says {kind} `{key}` applied; it is not there");
    }
    assert!(tags.len() + replies.len() < 2 * COUNT + 2, "the kill came too late");

    // The next run finishes the job and duplicates nothing.
    w.run(&["apply", manifest, "--auto-approve"]).expect(0);
    w.run(&["plan", manifest, "--detailed-exitcode"]).expect(0);
    let tags = w.names("tags", "name").await;
    let replies = w.names("quick_replies", "title").await;
    assert_unique("tags", &tags);
    assert_unique("quick replies", &replies);
    assert_eq!(tags.len(), COUNT + 2, "the generated tags and the two seeded ones");
    assert_eq!(replies.len(), COUNT);
}

#[tokio::test]
async fn a_saved_plan_skips_an_object_changed_since_and_applies_the_rest() {
    let w = Workspace::start(&[]).await;
    let manifest = w.onboarding("andina.yaml", |text| text);
    w.run(&["apply", manifest.to_str().unwrap(), "--auto-approve", "--allow-spend-increase"])
        .expect(0);

    // Plan three edits and save the plan.
    let edited = w.onboarding("andina.yaml", |text| {
        text.replace("color: \"#D0021B\"", "color: \"#FF0000\"")
            .replace("color: \"#7ED321\"", "color: \"#00FF00\"")
            .replace("Atendemos ${hours}.", "Atendemos ${hours}, sin excepción.")
    });
    w.run(&["plan", edited.to_str().unwrap(), "--out", "plan.json"]).expect(0);

    // Someone changes one of those objects before the plan is applied.
    let moroso = w.list("tags").await.into_iter().find(|t| t["name"] == "Moroso").unwrap();
    let path = format!("/tags/{}", moroso["web_id"].as_str().unwrap());
    let body = json!({"tag": {"color": "#123456"}});
    let version = moroso["version"].as_i64();
    let (status, _) = w.sandbox.call_with(Method::PUT, &path, Some(body), version).await;
    assert_eq!(status, StatusCode::OK);

    // The saved plan names the manifest's key variable, so that is all apply needs.
    w.reset_stats().await;
    let run = w.run_with_manifest_key_only(&["apply", "plan.json", "--auto-approve"]).expect(1);
    let stdout = run.stdout();
    assert!(stdout.contains("conflict  ~ tag `Moroso`: "), "{stdout}");
    assert!(stdout.contains("applied   ~ tag `Nuevo`"), "{stdout}");
    assert!(stdout.contains("applied   ~ quick reply `Horario`"), "{stdout}");
    assert!(stdout.contains("Apply: 2 applied, 1 conflict."), "{stdout}");
    assert_eq!(
        w.writes().await,
        BTreeMap::from([
            ("PUT /retailers/api/v1/quick_replies/{web_id}".to_owned(), 1),
            ("PUT /retailers/api/v1/tags/{web_id}".to_owned(), 1),
        ]),
        "only the two objects that did not move are written"
    );
    let tags = w.list("tags").await;
    let color = |name: &str| tags.iter().find(|t| t["name"] == name).unwrap()["color"].clone();
    assert_eq!(color("Moroso"), "#123456", "the other writer's change is kept");
    assert_eq!(color("Nuevo"), "#00FF00");
}

/// The run that `revert.yaml` must undo: every kind of the onboarding example edited.
fn edit_everything(text: String) -> String {
    text.replace(
        "- name: Frecuente\n",
        "- name: Cliente frecuente\n    renamed_from: [Frecuente]\n",
    )
    .replace("  - name: Constructor\n    color: \"#8B572A\"\n", "")
    .replace("color: \"#D0021B\"", "color: \"#FF0000\"")
    .replace("  - name: Nuevo\n", "  - name: Mayorista\n    color: \"#000000\"\n  - name: Nuevo\n")
    .replace("Atendemos ${hours}.", "Atendemos ${hours}, sin excepción.")
    .replace("    first_name: Carlos\n", "    first_name: Carlos Andrés\n")
    .replace("    max_open_chats_per_agent: 20\n", "    max_open_chats_per_agent: 30\n")
    .replace("name: Ciudad\n", "name: Ciudad principal\n")
    .replace("¿En qué te podemos ayudar?", "¿Qué necesitas hoy?")
    .replace("    after: 24h\n", "    enabled: false\n    after: 24h\n")
    .replace("sat: [\"09:00-12:00\"]", "sat: [\"09:00-13:00\"]")
    .replace("- has_tag: VIP\n", "- has_tag: Moroso\n")
    .replace("amount: 50, monthly_cap: 200", "amount: 40, monthly_cap: 150")
    .replace("below: 15,", "below: 20,")
}

#[tokio::test]
async fn the_revert_manifest_puts_the_account_back() {
    let w = Workspace::start(&[]).await;
    let manifest = w.onboarding("andina.yaml", |text| text);
    w.run(&["apply", manifest.to_str().unwrap(), "--auto-approve", "--allow-spend-increase"])
        .expect(0);
    w.run(&["export", "--out", "before.yaml"]).expect(0);

    let edited = w.onboarding("edited.yaml", edit_everything);
    let run = w.run(&["apply", edited.to_str().unwrap(), "--auto-approve"]).expect(0);
    let settings = w.get("/messaging_settings").await;
    assert_eq!(settings["messaging_settings"]["inactivity_message"]["enabled"], false);
    w.run(&["plan", edited.to_str().unwrap(), "--detailed-exitcode"]).expect(0);

    let stderr = run.stderr();
    let revert = stderr
        .lines()
        .find_map(|line| line.strip_prefix("To undo this run: mercfg apply "))
        .unwrap_or_else(|| panic!("no revert path in:\n{stderr}"))
        .trim()
        .to_owned();
    // Like the manifest it reverts, it finds the key in `account.api_key_env`.
    let args = ["apply", &revert, "--auto-approve", "--allow-destroy", "--allow-spend-increase"];
    w.run_with_manifest_key_only(&args).expect(0);

    w.run(&["export", "--out", "after.yaml"]).expect(0);
    let before = std::fs::read_to_string(w.path("before.yaml")).unwrap();
    let after = std::fs::read_to_string(w.path("after.yaml")).unwrap();
    assert_eq!(before, after, "the export after the revert differs from the one before the run");
    w.run(&["plan", "before.yaml", "--detailed-exitcode"]).expect(0);
    w.run(&["plan", manifest.to_str().unwrap(), "--detailed-exitcode"]).expect(0);
}

#[tokio::test]
async fn the_api_key_appears_in_no_output_plan_or_journal() {
    let dir = tempfile::tempdir().unwrap();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let canary = format!("KEY-CANARY-{}", nanos.as_nanos());
    let sandbox = Sandbox::start_on(&dir.path().join("sandbox.db"), Some(&canary), &[]);
    let w = Workspace { sandbox, dir };
    // The sandbox's first account is `sandbox`, and its key comes from the environment.
    let manifest = w.onboarding("andina.yaml", |text| {
        text.replace("slug: ferreteria-andina", "slug: sandbox")
            .replace("  api_key_env: MERCATELY_KEY_ANDINA\n", "")
    });
    let manifest = manifest.to_str().unwrap();

    let mut seen = Vec::new();
    for args in [
        vec!["-vv", "plan", manifest, "--out", "plan.json"],
        vec!["-vv", "apply", manifest, "--auto-approve", "--allow-spend-increase"],
        vec!["-vv", "plan", manifest, "--format", "json", "--detailed-exitcode"],
        vec!["-vv", "export"],
    ] {
        let run = w.run(&args);
        assert!(run.code() == 0, "{args:?}:\n{}", run.stderr());
        assert!(run.stderr().contains("request"), "-vv logs the requests: {}", run.stderr());
        seen.push((format!("{args:?} stdout"), run.stdout()));
        seen.push((format!("{args:?} stderr"), run.stderr()));
    }
    let plan = std::fs::read_to_string(w.path("plan.json")).unwrap();
    seen.push(("plan.json".into(), plan));
    let mut files = vec![w.path(".mercfg/runs")];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()));
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            seen.push((path.display().to_string(), text));
        }
    }

    assert!(seen.iter().any(|(name, _)| name.ends_with("journal.jsonl")), "no journal");
    assert!(seen.iter().any(|(name, _)| name.ends_with("revert.yaml")), "no revert manifest");
    for (name, text) in &seen {
        assert!(!text.contains(&canary), "the API key is in {name}");
        assert!(!text.contains("KEY-CANARY"), "part of the API key is in {name}");
    }
}

#[tokio::test]
async fn a_refused_safety_rail_writes_nothing() {
    let w = Workspace::start(&[]).await;

    // A spend increase without `--allow-spend-increase`.
    let manifest = w.onboarding("andina.yaml", |text| text);
    w.reset_stats().await;
    let run = w.run(&["apply", manifest.to_str().unwrap(), "--auto-approve"]).expect(1);
    assert!(run.stderr().contains("rails::allow_spend_increase"), "{}", run.stderr());
    assert!(run.stderr().contains("--allow-spend-increase"), "{}", run.stderr());
    assert_eq!(w.writes().await, BTreeMap::new());
    assert!(!w.path(".mercfg/runs").exists(), "a refused run leaves no journal");

    // Pruning every tag, more than `max_removals` allows.
    let manifest = w.path("no-tags.yaml");
    let text = format!(
        "version: 1\naccount:\n  slug: {SLUG}\ntags: []\npolicy:\n  prune: [tags]\n  max_removals: 25%\n"
    );
    std::fs::write(&manifest, text).unwrap();
    w.reset_stats().await;
    let run = w.run(&["apply", manifest.to_str().unwrap(), "--auto-approve"]).expect(1);
    assert!(run.stderr().contains("rails::max_removals"), "{}", run.stderr());
    assert_eq!(w.writes().await, BTreeMap::new());
    assert_eq!(w.names("tags", "name").await.len(), 2, "the seeded tags are still there");
}

/// The README's first command: the embedded sandbox, persisted in `.mercfg/sandbox.db`.
#[test]
fn the_quick_start_applies_to_the_embedded_sandbox_and_then_plans_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/onboarding.yaml");
    let mercfg = |args: &[&str]| {
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("mercfg"))
            .current_dir(dir.path())
            .args(args)
            .env_remove("MERCATELY_API_KEY")
            .env_remove("MERCATELY_ENDPOINT")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (output.status.code(), String::from_utf8(output.stderr).unwrap())
    };

    let apply = ["apply", "--sandbox", "--auto-approve", "--allow-spend-increase", example];
    let (code, stderr) = mercfg(&apply);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("Made the sandbox account `ferreteria-andina`"), "{stderr}");
    assert!(dir.path().join(".mercfg/sandbox.db").exists());

    let (code, stderr) = mercfg(&["plan", "--sandbox", "--detailed-exitcode", example]);
    assert_eq!(code, Some(0), "the second run found changes: {stderr}");
    assert!(!stderr.contains("Made the sandbox account"), "{stderr}");
}
