//! The sandbox over real HTTP: the real binary on a free port with a temporary database,
//! driven with reqwest through every operation, rule and fault.

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{BASE, KEY, Sandbox};

fn status_of(result: &(StatusCode, Value)) -> u16 {
    result.0.as_u16()
}

#[tokio::test]
async fn every_operation_answers_in_the_contract_shape() {
    let s = Sandbox::start(&[]);

    let account = s.get("/account").await;
    assert_eq!(account["message"], "ok");
    assert_eq!(account["account"]["slug"], "sandbox");
    let owner = account["account"]["key_owner_id"].as_i64().unwrap();

    // Agents: invite, read, update, deactivate, reactivate.
    let agents = s.get("/agents").await;
    assert_eq!(agents["results"], 1);
    assert_eq!(agents["agents"][0]["id"], owner);
    assert_eq!(agents["agents"][0]["email"], "owner@sandbox.example");
    assert!(agents["agents"][0]["open_chats"].as_u64().unwrap() > 0, "seeded chats");
    let ana = s
        .create(
            "/agents",
            json!({"agent": {"email": "ana@andina.ec", "first_name": "Ana",
                                  "role": "supervisor", "id": 999, "active": false}}),
        )
        .await["agent"]
        .clone();
    assert_eq!(ana["version"], 1);
    assert_eq!(ana["active"], true, "read-only fields in the body are ignored");
    let id = ana["id"].as_i64().unwrap();
    assert_ne!(id, 999);
    assert_eq!(s.get(&format!("/agents/{id}")).await["agent"], ana);
    let (status, updated) = s
        .call_with(
            Method::PUT,
            &format!("/agents/{id}"),
            Some(json!({"agent": {"last_name": "Pérez"}})),
            Some(1),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["agent"]["last_name"], "Pérez");
    assert_eq!(updated["agent"]["first_name"], "Ana", "a PUT keeps the fields it leaves out");
    assert_eq!(updated["agent"]["version"], 2);
    let (status, off) =
        s.call_with(Method::POST, &format!("/agents/{id}/deactivate"), None, Some(2)).await;
    assert_eq!((status, off["agent"]["active"].clone()), (StatusCode::OK, json!(false)));
    let (status, on) =
        s.call_with(Method::POST, &format!("/agents/{id}/reactivate"), None, Some(3)).await;
    assert_eq!((status, on["agent"]["active"].clone()), (StatusCode::OK, json!(true)));

    // A named kind end to end: create, read, rename, delete.
    let tag =
        s.create("/tags", json!({"tag": {"name": "VIP", "color": "#F5A623"}})).await["tag"].clone();
    let web_id = tag["web_id"].as_str().unwrap().to_owned();
    assert_eq!(s.get(&format!("/tags/{web_id}")).await["tag"], tag);
    let (status, renamed) = s
        .call_with(
            Method::PUT,
            &format!("/tags/{web_id}"),
            Some(json!({"tag": {"name": "Premium"}})),
            Some(1),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (renamed["tag"]["name"].clone(), renamed["tag"]["color"].clone()),
        (json!("Premium"), json!("#F5A623"))
    );
    let (status, deleted) =
        s.call_with(Method::DELETE, &format!("/tags/{web_id}"), None, Some(2)).await;
    assert_eq!((status, deleted["tag"]["version"].clone()), (StatusCode::OK, json!(2)));
    assert_eq!(
        s.call(Method::GET, &format!("/tags/{web_id}"), None).await.0,
        StatusCode::NOT_FOUND
    );

    // The other named kinds.
    let team = s
        .create("/teams", json!({"team": {"name": "Ventas", "channels": ["whatsapp"], "default_for": ["whatsapp"]}}))
        .await;
    assert_eq!(team["team"]["open_chats"], 0);
    let field = s
        .create("/custom_fields", json!({"custom_field": {"key": "ciudad", "name": "Ciudad", "type": "list", "options": ["Quito", "Cuenca"]}}))
        .await;
    assert_eq!(field["custom_field"]["customers_count"], 0);
    s.create("/quick_replies", json!({"quick_reply": {"title": "Horario", "text": "8 a 18"}}))
        .await;
    let list = s
        .create(
            "/customer_lists",
            json!({"customer_list": {"name": "Nuevos", "filter": {"has_tag": "Nuevo"}}}),
        )
        .await;
    let tagged = s.get("/tags").await["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Nuevo")
        .map(|t| t["customers_count"].clone())
        .unwrap();
    assert_eq!(list["customer_list"]["customers_count"], tagged, "a list counts what it matches");
    let preview = s
        .call(
            Method::POST,
            "/customer_lists/preview",
            Some(json!({"customer_list": {"filter": {"not": {"has_tag": "Nuevo"}}}})),
        )
        .await;
    assert_eq!(preview.0, StatusCode::OK);
    assert_eq!(
        preview.1["preview"]["customers_count"].as_u64().unwrap() + tagged.as_u64().unwrap(),
        50
    );
    for kind in ["teams", "custom_fields", "quick_replies", "customer_lists"] {
        assert_eq!(s.get(&format!("/{kind}")).await["results"], 1, "{kind}");
    }

    // Singletons.
    for (path, key) in [
        ("/messaging_settings", "messaging_settings"),
        ("/business_hours", "business_hours"),
        ("/balance", "balance"),
    ] {
        assert_eq!(s.get(path).await[key]["version"], 1, "{path}");
    }
    let (status, hours) = s
        .call_with(
            Method::PUT,
            "/business_hours",
            Some(json!({"business_hours": {"days": {"mon": ["08:00-13:00"]}}})),
            Some(1),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{hours}");
    assert_eq!(hours["business_hours"]["timezone"], "America/Guayaquil");
    let (status, balance) = s
        .call_with(Method::PUT, "/balance", Some(json!({"balance": {"amount": 1e6, "auto_recharge": {"enabled": true, "when_below": 10, "amount": 50, "monthly_cap": 200}}})), Some(1))
        .await;
    assert_eq!(status, StatusCode::OK, "{balance}");
    assert_eq!(balance["balance"]["amount"], 25.0, "the balance itself is read only");
    let (status, messaging) = s
        .call_with(
            Method::PUT,
            "/messaging_settings",
            Some(json!({"messaging_settings": {"agent_name_in_replies": true}})),
            Some(1),
        )
        .await;
    assert_eq!(
        (status, messaging["messaging_settings"]["version"].clone()),
        (StatusCode::OK, json!(2))
    );

    // Customers and templates.
    let customers = s.get("/customers").await;
    assert_eq!(
        (customers["results"].clone(), customers["total_pages"].clone()),
        (json!(50), json!(1))
    );
    let customer = s
        .create("/customers", json!({"customer": {"first_name": "Luis", "phone": "+593999000111", "email": "luis@x.ec",
            "tags": [{"name": "nuevo", "value": true}], "custom_fields": [{"field_name": "ciudad", "field_content": "Quito"}]}}))
        .await["customer"]
        .clone();
    assert_eq!(customer["tags"], json!([{"name": "Nuevo", "value": true}]));
    let cid = customer["id"].as_i64().unwrap();
    assert_eq!(s.get(&format!("/customers/{cid}")).await["customer"], customer);
    assert_eq!(s.get("/customers/search?phone=%2B593999000111").await["customer"]["id"], cid);
    assert_eq!(s.get("/customers/search?email=LUIS@x.ec").await["customer"]["id"], cid);
    assert_eq!(
        s.call(Method::GET, "/customers/search?phone=0", None).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, changed) = s
        .call(
            Method::PUT,
            &format!("/customers/{cid}"),
            Some(json!({"customer": {"tags": [{"name": "Nuevo", "value": false}]}})),
        )
        .await;
    assert_eq!((status, changed["customer"]["tags"].clone()), (StatusCode::OK, json!([])));
    assert_eq!(s.get("/custom_fields").await["custom_fields"][0]["customers_count"], 1);
    let templates = s.get("/whatsapp_templates").await;
    assert!(templates["templates"].as_array().is_some_and(|t| !t.is_empty()));

    walk_every_named_kind(&s).await;

    // The sandbox's own counts show that this test reached every documented operation.
    let stats = s.tool(Method::GET, "/stats", None).await;
    let reached: Vec<&String> = stats["by_route"].as_object().unwrap().keys().collect();
    for (method, path) in documented_operations() {
        let route = format!("{method} {}{path}", mercfg::sandbox::API_BASE);
        assert!(reached.contains(&&route), "no request to `{route}`");
    }
}

fn document() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/platform-api.yaml"))
            .unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

/// Every (method, path) of `schema/platform-api.yaml`.
fn documented_operations() -> Vec<(String, String)> {
    document()["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "post", "put", "delete"].contains(&m.as_str()))
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

/// One object of each named kind, and a change to make to it.
const NAMED: &[(&str, &str, &str, &str)] = &[
    (
        "teams",
        "team",
        r#"{"name": "Soporte", "channels": ["instagram"]}"#,
        r#"{"auto_assign": true}"#,
    ),
    (
        "custom_fields",
        "custom_field",
        r#"{"key": "nivel", "name": "Nivel", "type": "integer"}"#,
        r#"{"name": "Nivel de cliente"}"#,
    ),
    ("tags", "tag", r##"{"name": "Moroso", "color": "#D0021B"}"##, r##"{"color": "#000000"}"##),
    (
        "quick_replies",
        "quick_reply",
        r#"{"title": "Pagos", "text": "Efectivo"}"#,
        r#"{"text": "Efectivo o tarjeta"}"#,
    ),
    (
        "customer_lists",
        "customer_list",
        r#"{"name": "Morosos", "filter": {"has_tag": "Moroso"}}"#,
        r#"{"filter": {"not": {"has_tag": "Moroso"}}}"#,
    ),
];

/// Every named kind through its whole life over HTTP: create, list, get, update with the
/// right version and with a stale one, delete, and get again.
async fn walk_every_named_kind(s: &Sandbox) {
    let mut made = Vec::new();
    for &(plural, singular, body, change) in NAMED {
        let body: Value = serde_json::from_str(body).unwrap();
        let (status, created) =
            s.call(Method::POST, &format!("/{plural}"), Some(json!({singular: body}))).await;
        assert_eq!(status, StatusCode::CREATED, "{plural}: {created}");
        let object = created[singular].clone();
        assert_eq!(object["version"], 1, "{plural}");
        let path = format!("/{plural}/{}", object["web_id"].as_str().unwrap());
        assert!(s.get(&format!("/{plural}")).await[plural].as_array().unwrap().contains(&object));
        assert_eq!(s.get(&path).await[singular], object, "{plural}");

        let change: Value = serde_json::from_str(change).unwrap();
        let body = json!({singular: change});
        let (status, updated) = s.call_with(Method::PUT, &path, Some(body.clone()), Some(1)).await;
        assert_eq!(status, StatusCode::OK, "{plural}: {updated}");
        for (field, value) in change.as_object().unwrap() {
            assert_eq!(&updated[singular][field], value, "{plural}.{field}");
        }
        assert_eq!(updated[singular]["version"], 2, "{plural}");
        let (status, _) = s.call_with(Method::PUT, &path, Some(body), Some(1)).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{plural}: a stale If-Match");
        made.push((plural, path));
    }

    // Last made, first deleted: the list goes before the tag its filter names.
    for (plural, path) in made.into_iter().rev() {
        let (status, _) = s.call_with(Method::DELETE, &path, None, Some(2)).await;
        assert_eq!(status, StatusCode::OK, "{plural}: delete answers with the removed object");
        assert_eq!(s.call(Method::GET, &path, None).await.0, StatusCode::NOT_FOUND, "{plural}");
    }
}

#[tokio::test]
async fn lists_page_by_a_hundred() {
    let s = Sandbox::start(&["--seed-customers", "250"]);
    let first = s.get("/customers").await;
    assert_eq!((first["results"].clone(), first["total_pages"].clone()), (json!(250), json!(3)));
    assert_eq!(first["customers"].as_array().unwrap().len(), 100);
    assert_eq!(s.get("/customers?page=3").await["customers"].as_array().unwrap().len(), 50);
    let past = s.get("/customers?page=9").await;
    assert_eq!((past["results"].clone(), past["customers"].clone()), (json!(250), json!([])));
    assert_eq!(s.get("/teams").await["total_pages"], 1, "at least one page");
    assert_eq!(
        s.call(Method::GET, "/customers?page=0", None).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn the_platform_rules_hold() {
    let s = Sandbox::start(&["--max-agents", "2"]);
    let owner = s.get("/account").await["account"]["key_owner_id"].as_i64().unwrap();

    // Authentication and unknown objects.
    let anonymous = s.client.get(format!("{}{BASE}/tags", s.url)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.json::<Value>().await.unwrap(),
        json!({"message": "unauthorized", "errors": ["invalid api key"]})
    );
    assert_eq!(s.call(Method::GET, "/tags/t_nope", None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(s.call(Method::GET, "/agents/abc", None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        s.call(Method::POST, "/tags", Some(json!({"name": "unwrapped"}))).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Versions: 428 without If-Match, 412 with a stale one.
    let tag = s.create("/tags", json!({"tag": {"name": "VIP"}})).await["tag"]["web_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({"tag": {"color": "#000000"}});
    assert_eq!(
        status_of(&s.call(Method::PUT, &format!("/tags/{tag}"), Some(body.clone())).await),
        428
    );
    let stale = s.call_with(Method::PUT, &format!("/tags/{tag}"), Some(body), Some(7)).await;
    assert_eq!(stale.0, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.1["errors"][0], format!("tag {tag} has version 1, not 7"));
    assert_eq!(status_of(&s.call(Method::DELETE, &format!("/tags/{tag}"), None).await), 428);

    // Identity keys: tags case-insensitively, also on rename.
    assert_eq!(
        status_of(&s.call(Method::POST, "/tags", Some(json!({"tag": {"name": "vip"}}))).await),
        409
    );
    let other = s.create("/tags", json!({"tag": {"name": "Otro"}})).await["tag"]["web_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rename = s
        .call_with(
            Method::PUT,
            &format!("/tags/{other}"),
            Some(json!({"tag": {"name": "VIP"}})),
            Some(1),
        )
        .await;
    assert_eq!(rename.0, StatusCode::CONFLICT);
    assert_eq!(rename.1["message"], "already exists");
    assert_eq!(
        status_of(
            &s.call(Method::POST, "/tags", Some(json!({"tag": {"name": "X", "color": "red"}})))
                .await
        ),
        422
    );

    // Seats, emails across accounts, unknown teams, the key owner.
    let other_account = s.tool(Method::POST, "/accounts", Some(json!({"slug": "otra"}))).await;
    assert!(other_account["api_key"].is_string(), "{other_account}");
    let taken = s.call(Method::POST, "/agents", Some(json!({"agent": {"email": "OWNER@otra.example", "first_name": "X", "role": "agent"}}))).await;
    assert_eq!(taken.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", taken.1);
    let unknown_team = s.call(Method::POST, "/agents", Some(json!({"agent": {"email": "b@x.ec", "first_name": "B", "role": "agent", "teams": ["Nope"]}}))).await;
    assert_eq!(unknown_team.0, StatusCode::UNPROCESSABLE_ENTITY);
    let second = s
        .create(
            "/agents",
            json!({"agent": {"email": "b@x.ec", "first_name": "B", "role": "agent"}}),
        )
        .await;
    assert_eq!(
        status_of(
            &s.call(
                Method::POST,
                "/agents",
                Some(json!({"agent": {"email": "B@X.ec", "first_name": "B", "role": "agent"}}))
            )
            .await
        ),
        409
    );
    let full = s
        .call(
            Method::POST,
            "/agents",
            Some(json!({"agent": {"email": "c@x.ec", "first_name": "C", "role": "agent"}})),
        )
        .await;
    assert_eq!(full.0, StatusCode::UNPROCESSABLE_ENTITY, "the third seat of two");
    let b = second["agent"]["id"].as_i64().unwrap();
    assert_eq!(
        s.call_with(Method::POST, &format!("/agents/{b}/deactivate"), None, Some(1)).await.0,
        StatusCode::OK
    );
    s.create("/agents", json!({"agent": {"email": "c@x.ec", "first_name": "C", "role": "agent"}}))
        .await;
    let no_seat =
        s.call_with(Method::POST, &format!("/agents/{b}/reactivate"), None, Some(2)).await;
    assert_eq!(no_seat.0, StatusCode::UNPROCESSABLE_ENTITY, "reactivating needs a seat");
    let own =
        s.call_with(Method::POST, &format!("/agents/{owner}/deactivate"), None, Some(1)).await;
    assert_eq!(own.0, StatusCode::UNPROCESSABLE_ENTITY);

    // One default team per channel; a team with open chats stays.
    let ventas =
        s.create("/teams", json!({"team": {"name": "Ventas", "default_for": ["whatsapp"]}})).await;
    assert_eq!(
        status_of(
            &s.call(
                Method::POST,
                "/teams",
                Some(json!({"team": {"name": "Soporte", "default_for": ["whatsapp"]}}))
            )
            .await
        ),
        422
    );
    let (status, _) = s
        .call_with(
            Method::PUT,
            &format!("/agents/{owner}"),
            Some(json!({"agent": {"teams": ["Ventas"]}})),
            Some(1),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let ventas_id = ventas["team"]["web_id"].as_str().unwrap();
    let busy = s.get(&format!("/teams/{ventas_id}")).await;
    assert!(busy["team"]["open_chats"].as_u64().unwrap() > 0);
    assert_eq!(
        s.call_with(Method::DELETE, &format!("/teams/{ventas_id}"), None, Some(1)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Custom fields: options only for lists; key and type never change.
    assert_eq!(status_of(&s.call(Method::POST, "/custom_fields", Some(json!({"custom_field": {"key": "edad", "name": "Edad", "type": "integer", "options": ["1"]}}))).await), 422);
    let field = s
        .create(
            "/custom_fields",
            json!({"custom_field": {"key": "edad", "name": "Edad", "type": "integer"}}),
        )
        .await;
    let field_id = field["custom_field"]["web_id"].as_str().unwrap();
    let retype = s
        .call_with(
            Method::PUT,
            &format!("/custom_fields/{field_id}"),
            Some(json!({"custom_field": {"type": "string"}})),
            Some(1),
        )
        .await;
    assert_eq!(retype.0, StatusCode::UNPROCESSABLE_ENTITY);
    let rekey = s
        .call_with(
            Method::PUT,
            &format!("/custom_fields/{field_id}"),
            Some(json!({"custom_field": {"key": "anos"}})),
            Some(1),
        )
        .await;
    assert_eq!(rekey.0, StatusCode::UNPROCESSABLE_ENTITY);

    // Filters naming unknown things; the top-up minimum.
    for filter in [
        json!({"has_tag": "Nope"}),
        json!({"field": "nope", "op": "is_set"}),
        json!({"assigned_to": "nobody@x.ec"}),
    ] {
        let answer = s
            .call(
                Method::POST,
                "/customer_lists",
                Some(json!({"customer_list": {"name": "L", "filter": filter}})),
            )
            .await;
        assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY, "{filter}");
        assert_eq!(
            status_of(
                &s.call(
                    Method::POST,
                    "/customer_lists/preview",
                    Some(json!({"customer_list": {"filter": filter}}))
                )
                .await
            ),
            422
        );
    }
    let low = s.call_with(Method::PUT, "/balance", Some(json!({"balance": {"auto_recharge": {"enabled": true, "when_below": 5, "amount": 9}}})), Some(1)).await;
    assert_eq!(low.0, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn deleting_a_tag_removes_it_from_its_customers_and_a_rename_keeps_them() {
    let s = Sandbox::start(&[]);
    let tag = s.create("/tags", json!({"tag": {"name": "VIP"}})).await["tag"]["web_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in [1, 2, 3] {
        let (status, _) = s
            .call(
                Method::PUT,
                &format!("/customers/{id}"),
                Some(json!({"customer": {"tags": [{"name": "VIP", "value": true}]}})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, renamed) = s
        .call_with(
            Method::PUT,
            &format!("/tags/{tag}"),
            Some(json!({"tag": {"name": "Premium"}})),
            Some(1),
        )
        .await;
    assert_eq!(renamed["tag"]["customers_count"], 3);
    let (_, deleted) = s.call_with(Method::DELETE, &format!("/tags/{tag}"), None, Some(2)).await;
    assert_eq!(deleted["tag"]["customers_count"], 3, "DELETE answers the tag as it was");
    let customer = s.get("/customers/1").await;
    assert!(
        !customer["customer"]["tags"].as_array().unwrap().iter().any(|t| t["name"] == "Premium")
    );
}

#[tokio::test]
async fn the_router_serves_exactly_the_documented_operations() {
    let mut documented = documented_operations();
    let mut served = mercfg::sandbox::api_routes();
    documented.sort();
    served.sort();
    assert_eq!(served, documented);
    assert_eq!(document()["servers"][0]["url"], mercfg::sandbox::API_BASE);
}

#[tokio::test]
async fn stats_count_requests_by_route_template() {
    let s = Sandbox::start(&[]);
    s.get("/tags").await;
    s.get("/tags?page=2").await;
    let tag = s.create("/tags", json!({"tag": {"name": "VIP"}})).await["tag"]["web_id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.get(&format!("/tags/{tag}")).await;
    let stats = s.tool(Method::GET, "/stats", None).await;
    assert_eq!(stats["total"], 4);
    assert_eq!(stats["by_route"]["GET /retailers/api/v1/tags"], 2);
    assert_eq!(stats["by_route"]["GET /retailers/api/v1/tags/{web_id}"], 1);
    s.tool(Method::POST, "/stats/reset", None).await;
    assert_eq!(s.tool(Method::GET, "/stats", None).await["total"], 0);
}

#[tokio::test]
async fn data_and_the_key_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let first = Sandbox::start_on(&db, None, &[]);
    assert!(first.key.starts_with("sbx_"), "a generated key is printed: {}", first.key);
    first.create("/tags", json!({"tag": {"name": "Persistente"}})).await;
    let key = first.key.clone();
    drop(first);

    let mut second = Sandbox::start_on(&db, None, &[]);
    assert_eq!(second.key, "", "a stored key is not printed again");
    second.key = key.clone();
    let tags = second.get("/tags").await;
    assert!(tags["tags"].as_array().unwrap().iter().any(|t| t["name"] == "Persistente"));
    drop(second);

    let mut third = Sandbox::start_on(&db, Some("replaced"), &[]);
    assert_eq!(third.get("/account").await["account"]["slug"], "sandbox");
    third.key = key;
    assert_eq!(third.call(Method::GET, "/account", None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_killed_sandbox_leaves_a_consistent_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let mut s = Sandbox::start_on(&db, Some(KEY), &[]);

    // Writers keep creating tags; the process is killed while they run.
    let mut acknowledged = Vec::new();
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..4 {
        let client = s.client.clone();
        let url = format!("{}{BASE}/tags", s.url);
        writers.spawn(async move {
            let mut names = Vec::new();
            for n in 0.. {
                let name = format!("w{writer}-{n}");
                let sent = client
                    .post(&url)
                    .header("api-key", KEY)
                    .json(&json!({"tag": {"name": name}}))
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == StatusCode::CREATED => names.push(name),
                    _ => break,
                }
            }
            names
        });
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    while let Some(names) = writers.join_next().await {
        acknowledged.extend(names.unwrap());
    }
    assert!(!acknowledged.is_empty(), "the writers got some writes in");

    let connection = rusqlite::Connection::open(&db).unwrap();
    let check: String = connection.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    drop(connection);

    let again = Sandbox::start_on(&db, Some(KEY), &[]);
    let mut stored = Vec::new();
    for page in 1.. {
        let answer = again.get(&format!("/tags?page={page}")).await;
        let tags = answer["tags"].as_array().unwrap().clone();
        if tags.is_empty() {
            break;
        }
        stored.extend(tags.into_iter().map(|t| t["name"].as_str().unwrap().to_owned()));
    }
    for name in &acknowledged {
        assert!(stored.contains(name), "acknowledged `{name}` was lost");
    }
}

#[tokio::test]
async fn a_rate_limited_client_that_honours_retry_after_finishes() {
    let s = Sandbox::start(&["--rate-limit", "20"]);
    let started = Instant::now();
    let (mut done, mut limited) = (0, 0);
    while done < 200 {
        let response = s
            .client
            .get(format!("{}{BASE}/account", s.url))
            .header("api-key", KEY)
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
            let wait: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!(wait >= 1);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["message"], "too many requests");
            tokio::time::sleep(Duration::from_secs(wait)).await;
        } else {
            assert_eq!(response.status(), StatusCode::OK);
            done += 1;
        }
    }
    let elapsed = started.elapsed();
    assert!(limited > 0, "no 429 at 20 per second");
    assert!(elapsed > Duration::from_secs(8) && elapsed < Duration::from_secs(13), "{elapsed:?}");
}

#[tokio::test]
async fn a_lost_answer_still_commits_the_write() {
    let s = Sandbox::start(&["--drop-after-commit-rate", "1"]);
    let sent = s
        .client
        .post(format!("{}{BASE}/tags", s.url))
        .header("api-key", KEY)
        .json(&json!({"tag": {"name": "Perdida"}}))
        .send()
        .await;
    let outcome = match sent {
        Ok(response) => response.bytes().await.map(|_| ()),
        Err(error) => Err(error),
    };
    assert!(outcome.is_err(), "the client saw an answer");
    let tags = s.get("/tags").await;
    assert!(tags["tags"].as_array().unwrap().iter().any(|t| t["name"] == "Perdida"));
}

#[tokio::test]
async fn injected_errors_write_nothing() {
    let s = Sandbox::start(&["--error-rate", "1"]);
    let (status, body) =
        s.call(Method::POST, "/tags", Some(json!({"tag": {"name": "Nunca"}}))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["message"], "internal error");
    assert_eq!(
        s.tool(Method::GET, "/stats", None).await["by_route"]["POST /retailers/api/v1/tags"],
        1
    );
}

#[test]
fn a_remote_address_is_refused_without_allow_remote() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(assert_cmd::cargo::cargo_bin("mercfg"))
        .args(["sandbox", "serve", "--addr", "0.0.0.0:0", "--db"])
        .arg(dir.path().join("s.db"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a loopback address"));
}

#[tokio::test]
async fn a_deactivated_member_keeps_its_customers_and_chats() {
    let s = Sandbox::start(&["--seed-customers", "5"]);
    let agent = s
        .create(
            "/agents",
            json!({"agent": {"email": "luis@andina.ec", "first_name": "Luis", "role": "agent"}}),
        )
        .await["agent"]
        .clone();
    let agent_id = agent["id"].as_i64().unwrap();
    let customer = s.get("/customers").await["customers"][0].clone();
    let customer_id = customer["id"].as_i64().unwrap();

    // A conversation comes in and is assigned to Luis.
    let opened = s
        .client
        .post(format!("{}/_sandbox/chats", s.url))
        .header("api-key", &s.key)
        .json(&json!({"customer_id": customer_id, "agent_id": agent_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::CREATED);
    assert_eq!(s.get(&format!("/agents/{agent_id}")).await["agent"]["open_chats"], 1);

    let (status, off) =
        s.call_with(Method::POST, &format!("/agents/{agent_id}/deactivate"), None, Some(1)).await;
    assert_eq!((status, off["agent"]["active"].clone()), (StatusCode::OK, json!(false)));
    assert_eq!(off["agent"]["open_chats"], 1, "the chat stays with the deactivated member");
    let kept = s.get(&format!("/customers/{customer_id}")).await["customer"].clone();
    assert_eq!(kept["assigned_agent_id"], agent_id, "the customer stays, still assigned");
    assert_eq!(s.get("/customers").await["results"], 5);
    let listed = s.get("/agents").await;
    assert!(
        listed["agents"].as_array().unwrap().iter().any(|a| a["id"] == agent_id),
        "a deactivated member is still listed"
    );
}
