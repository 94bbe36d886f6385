//! `mercfg plan` end to end: what a plan of a fresh account lists, that it only reads (and
//! how many requests it makes), drift made behind its back, the request log, and the rails
//! that refuse a plan.

use std::path::Path;

use reqwest::Method;
use serde_json::{Value, json};

use super::support::Workspace;
use mercfg::manifest;

/// `examples/onboarding.yaml`, loaded as the binary loads it.
fn onboarding() -> manifest::Manifest {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/onboarding.yaml");
    manifest::load(&path).expect("the example is valid").manifest
}

/// Requests by route since the last reset.
async fn requests(w: &Workspace) -> (u64, Value) {
    let stats = w.sandbox.tool(Method::GET, "/stats", None).await;
    (stats["total"].as_u64().unwrap(), stats["by_route"].clone())
}

#[tokio::test]
async fn a_fresh_account_plans_every_object_of_the_manifest() {
    let w = Workspace::start(&[]).await;
    let file = w.onboarding("onboarding.yaml", |text| text);
    let run = w.run(&["plan", "--detailed-exitcode", file.to_str().unwrap()]).expect(2);
    let out = run.stdout();

    // The sandbox seeds the tags `Nuevo` and `Frecuente`; everything else is new.
    let seeded = ["Nuevo", "Frecuente"];
    let manifest = onboarding();
    let mut expected = Vec::new();
    for tag in manifest.tags.iter().flatten() {
        let glyph = if seeded.contains(&tag.name.as_str()) { "~" } else { "+" };
        expected.push(format!("{glyph} tag \"{}\"", tag.name));
    }
    for field in manifest.custom_fields.iter().flatten() {
        expected.push(format!("+ custom field \"{}\"", field.key));
    }
    for team in manifest.teams.iter().flatten() {
        expected.push(format!("+ team \"{}\"", team.name));
    }
    for member in manifest.members.iter().flatten() {
        expected.push(format!("+ member \"{}\"", member.email));
    }
    for reply in manifest.quick_replies.iter().flatten() {
        expected.push(format!("+ quick reply \"{}\"", reply.title));
    }
    for list in manifest.customer_lists.iter().flatten() {
        expected.push(format!("+ customer list \"{}\"", list.name));
    }
    for line in &expected {
        assert!(out.lines().any(|l| l == line), "no `{line}` in the plan:\n{out}");
    }
    let creates = expected.iter().filter(|line| line.starts_with('+')).count();
    assert!(out.contains(&format!("Plan: {creates} to add")), "{out}");
}

/// Asserts the last command only read, and returns its request count.
async fn reads_only(w: &Workspace) -> (u64, u64) {
    let (total, routes) = requests(w).await;
    let routes = routes.as_object().unwrap();
    for route in routes.keys() {
        assert!(
            route.starts_with("GET ") || route.ends_with("/customer_lists/preview"),
            "a plan sent `{route}`"
        );
    }
    let previews = routes
        .get("POST /retailers/api/v1/customer_lists/preview")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    (total, previews)
}

#[tokio::test]
async fn a_plan_only_reads_and_makes_a_known_number_of_requests() {
    let w = Workspace::start(&[]).await;
    let file = w.onboarding("onboarding.yaml", |text| text);
    let path = file.to_str().unwrap();

    // A fresh account: one read of the account, the first (and only) page of each of the
    // six list kinds and the three settings objects. Every list filter names a tag or
    // field the plan creates, which the server cannot count yet: no previews.
    w.reset_stats().await;
    w.run(&["plan", path]).expect(0);
    assert_eq!(reads_only(&w).await, (1 + 6 + 3, 0));

    // Once applied, a changed filter over existing tags and fields is previewed: one
    // request more, for that list alone.
    w.run(&["apply", "--auto-approve", "--allow-spend-increase", path]).expect(0);
    let edited = w.onboarding("edited.yaml", |text| {
        text.replace("- not: { has_tag: Moroso }", "- has_tag: Moroso")
    });
    w.reset_stats().await;
    w.run(&["plan", edited.to_str().unwrap()]).expect(0);
    assert_eq!(reads_only(&w).await, (1 + 6 + 3 + 1, 1));
}

#[tokio::test]
async fn drift_made_through_the_api_shows_as_an_update_with_before_and_after() {
    let w = Workspace::start(&[]).await;
    let file = w.onboarding("onboarding.yaml", |text| text);
    let path = file.to_str().unwrap();
    w.run(&["apply", "--auto-approve", "--allow-spend-increase", path]).expect(0);

    // Someone edits a quick reply and a tag in the web app.
    let replies = w.list("quick_replies").await;
    let reply = replies.iter().find(|r| r["title"] == "Formas de pago").unwrap();
    let body = json!({"quick_reply": {"text": "Solo efectivo."}});
    let path_of =
        |kind: &str, object: &Value| format!("/{kind}/{}", object["web_id"].as_str().unwrap());
    let version = reply["version"].as_i64();
    let (status, _) = w
        .sandbox
        .call_with(Method::PUT, &path_of("quick_replies", reply), Some(body), version)
        .await;
    assert!(status.is_success());
    let tags = w.list("tags").await;
    let tag = tags.iter().find(|t| t["name"] == "VIP").unwrap();
    let body = json!({"tag": {"color": "#000000"}});
    let (status, _) = w
        .sandbox
        .call_with(Method::PUT, &path_of("tags", tag), Some(body), tag["version"].as_i64())
        .await;
    assert!(status.is_success());

    let out = w.run(&["plan", "--detailed-exitcode", path]).expect(2).stdout();
    assert!(out.contains("~ quick reply \"Formas de pago\""), "{out}");
    assert!(out.contains("[-Solo-]"), "the old text is shown as removed:\n{out}");
    assert!(out.contains("{+Aceptamos efectivo"), "the new text is shown as added:\n{out}");
    assert!(out.contains("~ tag \"VIP\""), "{out}");
    assert!(out.contains("color: \"#000000\" → \"#F5A623\""), "{out}");
    assert!(out.contains("Plan: 0 to add, 2 to change, 0 to remove."), "{out}");
}

#[tokio::test]
async fn verbose_logs_one_line_per_request_without_the_key() {
    let w = Workspace::start(&[]).await;
    let file = w.onboarding("onboarding.yaml", |text| text);
    w.reset_stats().await;
    let run = w.run(&["plan", "-v", file.to_str().unwrap()]).expect(0);

    let (total, _) = requests(&w).await;
    let log = run.stderr();
    let lines: Vec<&str> = log.lines().filter(|line| line.contains(" request ")).collect();
    assert_eq!(lines.len() as u64, total, "{log}");
    for line in &lines {
        for field in ["method=", "path=", "status=", "duration_ms="] {
            assert!(line.contains(field), "`{field}` missing from `{line}`");
        }
    }
    assert!(!log.contains(&w.sandbox.key), "the key is in the log");
}

#[tokio::test]
async fn a_plan_for_another_account_is_refused_naming_the_rail() {
    let w = Workspace::start(&[]).await;
    let file = w.onboarding("other.yaml", |text| {
        text.replace("slug: ferreteria-andina", "slug: ferreteria-otra")
    });
    let run = w.run(&["plan", file.to_str().unwrap()]).expect(1);
    let err = run.stderr();
    assert!(err.contains("account_guard"), "{err}");
    assert!(err.contains("`ferreteria-otra`"), "{err}");
}

#[tokio::test]
async fn a_plan_that_removes_too_much_is_refused_and_not_saved() {
    let w = Workspace::start(&[]).await;
    let file = w.onboarding("onboarding.yaml", |text| text);
    let path = file.to_str().unwrap();
    w.run(&["apply", "--auto-approve", "--allow-spend-increase", path]).expect(0);

    // Keep the three tags the lists filter on: five of eight removed, more than 25%.
    let pruned = w.onboarding("pruned.yaml", |text| {
        let start = text.find("\ntags:\n").unwrap();
        let end = text[start + 1..].find("\n\n").unwrap() + start + 1;
        let tags = "\ntags:\n  - name: VIP\n  - name: Moroso\n  - name: Cotización pendiente\n";
        format!("{}{tags}{}", &text[..start], &text[end..])
    });
    let out = w.path("plan.json");
    let run = w.run(&["plan", "--out", out.to_str().unwrap(), pruned.to_str().unwrap()]).expect(1);
    assert!(run.stderr().contains("max_removals"), "{}", run.stderr());
    assert!(run.stdout().contains("- tag \"Garantía\""), "the plan is still shown");
    assert!(!out.exists(), "a refused plan was saved");
}

#[tokio::test]
async fn a_plan_that_leaves_too_few_admins_is_refused_and_writes_nothing() {
    let w = Workspace::start(&[]).await;
    let file = w.onboarding("demoted.yaml", |text| text.replace("min_admins: 1", "min_admins: 3"));
    w.reset_stats().await;
    let run = w.run(&["plan", "--detailed-exitcode", file.to_str().unwrap()]).expect(1);
    let err = run.stderr();
    assert!(err.contains("min_admins"), "{err}");
    assert!(err.contains("`min_admins` is 3 but the manifest has 2 admin(s)"), "{err}");
    // The account is read while the manifest is checked; nothing else is sent.
    assert_eq!(reads_only(&w).await.1, 0, "a refused manifest was previewed");
}

#[tokio::test]
async fn a_mistyped_flag_exits_1_not_the_changes_code() {
    let w = Workspace::start(&[]).await;
    let file = w.onboarding("onboarding.yaml", |text| text);
    let run = w.run(&["plan", "--detailed-exitcod", file.to_str().unwrap()]).expect(1);
    assert!(run.stderr().contains("--detailed-exitcode"), "no suggestion:\n{}", run.stderr());
    w.run(&["plan", "--help"]).expect(0);
}

#[tokio::test]
async fn planning_a_saved_plan_says_to_apply_it() {
    let w = Workspace::start(&[]).await;
    let file = w.onboarding("onboarding.yaml", |text| text);
    w.run(&["plan", file.to_str().unwrap(), "--out", "plan.json"]).expect(0);
    let run = w.run(&["plan", "plan.json"]).expect(1);
    assert!(
        run.stderr().contains("`plan.json` is a saved plan, not a manifest"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("mercfg apply plan.json"), "{}", run.stderr());
}
