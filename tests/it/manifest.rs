//! The manifest loader and `mercfg validate` / `mercfg schema`, through the real binary where
//! the command line is the subject.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use mercfg::manifest;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn mercfg() -> Command {
    let mut command = Command::cargo_bin("mercfg").unwrap();
    command.current_dir(root()).env("NO_COLOR", "1");
    command
}

/// The stderr of `mercfg validate --color never FILE`, run from the repository root.
fn validate(relative: &str) -> (i32, String) {
    let output = mercfg().args(["validate", "--color", "never", relative]).output().unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8(output.stderr).unwrap())
}

#[test]
fn committed_schema_is_fresh() {
    let committed = std::fs::read_to_string(root().join("schema/manifest.schema.json")).unwrap();
    let output = mercfg().arg("schema").output().unwrap();
    assert!(output.status.success());
    assert!(
        committed == String::from_utf8(output.stdout).unwrap(),
        "schema/manifest.schema.json is stale: run `cargo run -- schema > schema/manifest.schema.json`"
    );
}

#[test]
fn committed_schema_is_valid_draft_2020_12() {
    let text = std::fs::read_to_string(root().join("schema/manifest.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    if let Err(error) = jsonschema::draft202012::meta::validate(&schema) {
        panic!("the schema is not valid draft 2020-12: {error}");
    }
}

#[test]
fn invalid_fixtures_render_readable_diagnostics() {
    let directory = root().join("tests/fixtures/invalid");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 15, "only {} fixtures", fixtures.len());

    for fixture in fixtures {
        let name = fixture.file_stem().unwrap().to_str().unwrap().to_owned();
        let (code, stderr) = validate(&format!("tests/fixtures/invalid/{name}.yaml"));
        assert_eq!(code, 1, "{name} should fail:\n{stderr}");
        insta::with_settings!({
            snapshot_path => "snapshots",
            prepend_module_to_snapshot => false,
            filters => vec![(r"tests/fixtures/invalid/", "[FIXTURES]/")],
        }, {
            insta::assert_snapshot!(name, stderr);
        });
    }
}

/// Schema mistakes in some sections do not hide the cross-reference mistakes in the others.
#[test]
fn several_mistakes_are_all_reported_in_document_order() {
    let error = manifest::load(&root().join("tests/fixtures/several_mistakes.yaml")).unwrap_err();
    let codes: Vec<String> = error
        .items
        .iter()
        .map(|item| miette::Diagnostic::code(item).unwrap().to_string())
        .collect();
    assert_eq!(
        codes,
        [
            "manifest::undefined",   // role `supervisora`
            "manifest::duplicate",   // ANA@ is ana@
            "manifest::bad_value",   // assignment mode `random`
            "manifest::unknown_key", // `txt`, meant as `text`: not also missing
            "manifest::undefined",   // tag `Premium`
            "manifest::top_up_minimum",
            "manifest::min_admins",
        ]
    );
    let offsets: Vec<usize> = error.items.iter().map(|item| item.order().1).collect();
    assert!(offsets.windows(2).all(|pair| pair[0] < pair[1]), "not in order: {offsets:?}");
}

/// Writes `bytes` to a fresh file and loads it, returning the single problem's code.
fn load_hostile(name: &str, bytes: &[u8]) -> String {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join(name);
    std::fs::write(&path, bytes).unwrap();

    let started = Instant::now();
    let error = manifest::load(&path).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10), "{name} took {:?}", started.elapsed());
    assert_eq!(error.items.len(), 1, "{name}: {error:?}");

    // The binary too, with its address space capped: a bomb that got past the limits
    // would fail to allocate instead of answering with one clear error.
    let mut validate = std::process::Command::new(assert_cmd::cargo::cargo_bin("mercfg"));
    validate.env("NO_COLOR", "1").args(["validate", "--color", "never"]).arg(&path);
    cap_address_space(&mut validate, 1 << 30);
    let output = validate.output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{name}: {output:?}");
    assert!(output.stderr.len() < 64 * 1024, "{name}: {} bytes of errors", output.stderr.len());
    miette::Diagnostic::code(&error.items[0]).unwrap().to_string()
}

/// Makes `command` run with at most `bytes` of address space.
fn cap_address_space(command: &mut std::process::Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    let limit = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
    // SAFETY: setrlimit is async-signal-safe and touches nothing of the parent.
    unsafe {
        command.pre_exec(move || match libc::setrlimit(libc::RLIMIT_AS, &limit) {
            0 => Ok(()),
            _ => Err(std::io::Error::last_os_error()),
        });
    }
}

mod hostile {
    //! Bad input of each kind gets one clear error, in bounded time and memory.

    use super::load_hostile;

    #[test]
    fn an_empty_file() {
        assert_eq!(load_hostile("empty.yaml", b""), "manifest::empty");
        assert_eq!(load_hostile("comments.yaml", b"# nothing here\n\n"), "manifest::empty");
    }

    #[test]
    fn invalid_utf8() {
        let latin1 = b"version: 1\naccount:\n  slug: \xf1and\xfa\n";
        assert_eq!(load_hostile("latin1.yaml", latin1), "manifest::not_utf8");
    }

    #[test]
    fn a_billion_laughs() {
        let mut bomb = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for level in 1..10u8 {
            let (previous, current) = ((b'a' + level - 1) as char, (b'a' + level) as char);
            let items = vec![format!("*{previous}"); 9].join(",");
            bomb.push_str(&format!("{current}: &{current} [{items}]\n"));
        }
        assert_eq!(load_hostile("bomb.yaml", bomb.as_bytes()), "manifest::limit");
    }

    #[test]
    fn a_few_aliases_of_a_long_text() {
        // 50 MB of copies from a 10 KB file.
        let long = format!(
            "s: &s \"{}\"\nb: &b [{}]\nc: [{}]\n",
            "x".repeat(5_000),
            ["*s"; 100].join(","),
            ["*b"; 100].join(",")
        );
        assert_eq!(load_hostile("long.yaml", long.as_bytes()), "manifest::limit");
    }

    #[test]
    fn one_huge_value() {
        // Quoted back in the diagnostic no longer than a line.
        let name = "y".repeat(7 * 1024 * 1024);
        let tag = format!("version: 1\naccount: {{ slug: a }}\ntags:\n  - {{ name: {name} }}\n");
        assert_eq!(load_hostile("long_value.yaml", tag.as_bytes()), "manifest::out_of_range");
    }

    #[test]
    fn nesting_20_000_deep() {
        let flow = format!("a: {}{}\n", "[".repeat(20_000), "]".repeat(20_000));
        assert_eq!(load_hostile("flow.yaml", flow.as_bytes()), "manifest::limit");
        // Compact block sequences nest one level per `- ` on a single line.
        let block = format!("a:\n  {}x\n", "- ".repeat(20_000));
        assert_eq!(load_hostile("block.yaml", block.as_bytes()), "manifest::limit");
    }

    #[test]
    fn a_file_over_the_size_cap() {
        let mut huge = b"version: 1\n# ".to_vec();
        huge.resize(9 * 1024 * 1024, b'x');
        assert_eq!(load_hostile("huge.yaml", &huge), "manifest::too_large");
    }
}

#[test]
fn every_example_validates() {
    let examples = [
        "examples/onboarding.yaml",
        "examples/minimal.yaml",
        "examples/andina.yaml",
        "examples/templates/retail.yaml",
    ];
    for example in examples {
        if let Err(error) = manifest::load(Path::new(&root().join(example))) {
            panic!("{example}: {error:?}");
        }
        let (code, stderr) = validate(example);
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.contains("is valid"), "{stderr}");
    }
}

#[test]
fn overlays_extend_their_base_by_identity() {
    let loaded = manifest::load(&root().join("examples/andina.yaml")).unwrap();
    let manifest = loaded.manifest;
    assert_eq!(manifest.account.slug, "ferreteria-andina");
    assert_eq!(manifest.extends, None);

    // The overlay's field replaces the template's in place; the template's tags stay.
    let fields = manifest.custom_fields.unwrap();
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[1].options, ["Mayorista", "Minorista", "Constructora"]);
    let tags: Vec<String> = manifest.tags.unwrap().into_iter().map(|tag| tag.name).collect();
    assert_eq!(tags, ["VIP", "Nuevo", "Constructor"]);

    // The template's texts take the overlay's variables.
    let welcome = manifest.messaging.unwrap().welcome_message.unwrap();
    assert_eq!(welcome.text, "¡Hola! Gracias por escribir a Ferretería Andina.");
}

mod roundtrip {
    use mercfg::manifest::model::*;
    use proptest::prelude::*;

    fn name() -> impl Strategy<Value = String> {
        "[A-Z][a-z]{2,8}( [A-Z][a-z]{2,6})?"
    }

    fn unique(names: Vec<String>) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        names.into_iter().filter(|name| seen.insert(name.to_lowercase())).collect()
    }

    fn manifest() -> impl Strategy<Value = Manifest> {
        (
            prop::collection::vec(name(), 0..6),
            prop::collection::vec(name(), 1..6),
            prop::collection::vec("[a-z]{3,8}", 1..5),
            prop::collection::vec((name(), "[a-zA-Z ,.¡!¿?]{1,40}"), 0..4),
            10u32..500,
            any::<bool>(),
        )
            .prop_map(|(teams, tags, members, replies, amount, flag)| {
                let teams = unique(teams);
                let tags = unique(tags);
                let members = unique(members);
                let team_list: Vec<Team> = teams
                    .iter()
                    .map(|name| Team {
                        name: name.clone(),
                        channels: vec![Channel::Whatsapp],
                        default_for: Vec::new(),
                        auto_assign: flag,
                        max_open_chats_per_agent: Some(amount % 50 + 1),
                    })
                    .collect();
                let member_list: Vec<Member> = members
                    .iter()
                    .enumerate()
                    .map(|(index, user)| Member {
                        email: format!("{user}@tienda.ec"),
                        first_name: user.clone(),
                        last_name: flag.then(|| "Pérez".to_owned()),
                        role: if index == 0 { "admin".to_owned() } else { "agent".to_owned() },
                        teams: teams.first().cloned().into_iter().collect(),
                    })
                    .collect();
                let replies = unique(replies.iter().map(|(title, _)| title.clone()).collect())
                    .into_iter()
                    .zip(replies.iter().map(|(_, text)| text.trim().to_owned() + "."))
                    .map(|(title, text)| QuickReply { title, text, channels: Vec::new() })
                    .collect();
                Manifest {
                    version: 1,
                    account: AccountSpec {
                        slug: "tienda".to_owned(),
                        timezone: None,
                        api_key_env: None,
                    },
                    vars: Default::default(),
                    extends: None,
                    roles: None,
                    members: Some(member_list),
                    teams: Some(team_list),
                    messaging: None,
                    custom_fields: Some(vec![CustomField {
                        key: "ciudad".to_owned(),
                        name: "Ciudad".to_owned(),
                        field_type: FieldType::String,
                        options: Vec::new(),
                    }]),
                    customer_lists: Some(vec![CustomerList {
                        name: "Lista".to_owned(),
                        filter: Filter::Node(FilterNode::All(vec![
                            Filter::Node(FilterNode::HasTag(tags[0].clone())),
                            Filter::Field(FieldCondition {
                                field: "ciudad".to_owned(),
                                op: FieldOp::Equals,
                                value: Some(serde_json::Value::String(tags[0].clone())),
                            }),
                        ])),
                    }]),
                    tags: Some(
                        tags.into_iter()
                            .map(|name| Tag {
                                name,
                                color: Some("#A0B1C2".to_owned()),
                                renamed_from: Vec::new(),
                            })
                            .collect(),
                    ),
                    quick_replies: Some(replies),
                    balance: Some(Balance {
                        currency: "USD".to_owned(),
                        low_balance_alert: None,
                        auto_recharge: Some(AutoRecharge {
                            enabled: flag,
                            when_below: f64::from(amount) / 4.0,
                            amount: f64::from(amount),
                            monthly_cap: None,
                        }),
                    }),
                    policy: Some(Policy {
                        prune: vec![Kind::Tags],
                        max_removals: Some(MaxRemovals::Percent("25%".to_owned())),
                        min_admins: Some(1),
                    }),
                }
            })
    }

    /// Texts YAML reads as something else unless they are quoted, and texts with `${`.
    fn text() -> impl Strategy<Value = String> {
        let tricky = prop::sample::select(vec![
            "no",
            "yes",
            "on",
            "off",
            "null",
            "~",
            "true",
            "0991234567",
            "1e3",
            "0x1F",
            ".5",
            "#hash",
            "a: b",
            "- item",
            "'quoted'",
            "\"double\"",
            "[x]",
            "{y}",
            "*alias",
            "&anchor",
            "!tag",
            "%percent",
            "@at",
            "`tick`",
            "Su total es ${total}.",
            "$${",
            "línea\notra",
            "tab\there",
            "ñandú ¿qué? ¡sí!",
            "---",
            "...",
            "? key",
        ]);
        prop_oneof![tricky.prop_map(str::to_owned), "[a-zA-Z ,.¡!¿?]{0,30}[a-z.]"]
    }

    fn mode() -> impl Strategy<Value = AssignmentMode> {
        prop::sample::select(vec![
            AssignmentMode::RoundRobin,
            AssignmentMode::LeastBusy,
            AssignmentMode::Manual,
        ])
    }

    /// Every section at once: roles, messaging with hours and messages, a list field and
    /// filters of every shape, renames, alerts, default teams.
    fn full_manifest() -> impl Strategy<Value = Manifest> {
        (manifest(), text(), text(), text(), mode(), any::<bool>(), 1u32..90).prop_map(
            |(mut manifest, welcome, away, later, mode, flag, days)| {
                let members = manifest.members.clone().unwrap_or_default();
                let first_email = members[0].email.clone();
                manifest.roles = Some(
                    [(
                        "vendedor".to_owned(),
                        Role {
                            base: PlatformRole::Agent,
                            permissions: Permissions {
                                only_assigned_chats: Some(flag),
                                import_customers: Some(!flag),
                                ..Permissions::default()
                            },
                        },
                    )]
                    .into(),
                );
                if let Some(members) = &mut manifest.members {
                    for member in members.iter_mut().skip(1) {
                        member.role = "vendedor".to_owned();
                    }
                }
                if let Some(first) = manifest.teams.as_mut().and_then(|teams| teams.first_mut()) {
                    first.default_for = vec![Channel::Whatsapp];
                }
                if let Some(first) = manifest.tags.as_mut().and_then(|tags| tags.first_mut()) {
                    first.renamed_from = vec![format!("Old-{}", first.name)];
                }
                let message = |text: String| AutoMessage {
                    enabled: flag,
                    channels: vec![Channel::Whatsapp, Channel::Instagram],
                    text,
                };
                manifest.messaging = Some(Messaging {
                    business_hours: Some(BusinessHours {
                        timezone: Some("America/Guayaquil".to_owned()),
                        days: [
                            (
                                "mon-fri".to_owned(),
                                vec!["08:00-13:00".into(), "14:00-18:00".into()],
                            ),
                            ("sat".to_owned(), vec!["09:00-12:00".to_owned()]),
                        ]
                        .into(),
                    }),
                    assignment: Some(Assignment { mode, reassign_when_agent_absent: flag }),
                    response_time: Some(ResponseTime {
                        first_reply_target: "5m".to_owned(),
                        alert_supervisors_after: flag.then(|| "15m".to_owned()),
                    }),
                    agent_name_in_replies: Some(Toggle { enabled: !flag }),
                    welcome_message: Some(message(welcome)),
                    away_message: Some(message(away)),
                    inactivity_message: Some(InactivityMessage {
                        enabled: !flag,
                        after: "24h".to_owned(),
                        channels: vec![Channel::Whatsapp],
                        text: later,
                    }),
                });
                manifest.custom_fields.get_or_insert_default().push(CustomField {
                    key: "tipo".to_owned(),
                    name: "Tipo de cliente".to_owned(),
                    field_type: FieldType::List,
                    options: vec!["Mayorista".to_owned(), "no".to_owned()],
                });
                let tag = manifest.tags.as_ref().map(|tags| tags[0].name.clone()).unwrap();
                manifest.customer_lists.get_or_insert_default().push(CustomerList {
                    name: "Todos los filtros".to_owned(),
                    filter: Filter::Node(FilterNode::Any(vec![
                        Filter::Node(FilterNode::Not(Box::new(Filter::Node(FilterNode::HasTag(
                            tag,
                        ))))),
                        Filter::Node(FilterNode::Channel(Channel::Instagram)),
                        Filter::Node(FilterNode::AssignedTo(first_email.clone())),
                        Filter::Node(FilterNode::CreatedWithin(format!("{days}d"))),
                        Filter::Node(FilterNode::LastInteractionWithin("12h".to_owned())),
                        Filter::Field(FieldCondition {
                            field: "tipo".to_owned(),
                            op: FieldOp::In,
                            value: Some(serde_json::json!(["Mayorista", "no"])),
                        }),
                        Filter::Field(FieldCondition {
                            field: "ciudad".to_owned(),
                            op: FieldOp::IsSet,
                            value: None,
                        }),
                    ])),
                });
                if let Some(balance) = &mut manifest.balance {
                    balance.low_balance_alert =
                        Some(LowBalanceAlert { below: 15.5, notify: vec![first_email] });
                }
                manifest
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Written out as an export writes live data (texts escaped), every section reads
        /// back as it was.
        #[test]
        fn every_section_survives_a_yaml_round_trip(manifest in full_manifest()) {
            let yaml = serde_saphyr::to_string(&mercfg::manifest::escaped(&manifest).unwrap())
                .unwrap();
            let loaded = mercfg::manifest::load_str("generated.yaml", &yaml)
                .map_err(|error| TestCaseError::fail(format!("{error:?}\n{yaml}")))?;
            prop_assert_eq!(loaded.manifest, manifest);
        }

        #[test]
        fn manifests_survive_a_yaml_round_trip(manifest in manifest()) {
            let yaml = serde_saphyr::to_string(&manifest).unwrap();
            let loaded = mercfg::manifest::load_str("generated.yaml", &yaml)
                .map_err(|error| TestCaseError::fail(format!("{error:?}\n{yaml}")))?;
            prop_assert_eq!(loaded.manifest, manifest);
        }
    }
}

/// A section the schema refuses is left out of the cross-reference checks, and so are the
/// references into it: they would only echo the first mistake.
#[test]
fn a_broken_section_does_not_echo_as_undefined_names() {
    let text = "version: 1\naccount: { slug: andina }\n\
        tags:\n  - { name: VIP, color: red }\n\
        roles:\n  jefe: { base: boss }\n\
        members:\n  - { email: ana@andina.ec, first_name: Ana, role: jefe }\n\
        customer_lists:\n  - { name: VIP, filter: { has_tag: VIP } }\n  \
        - { name: Otros, filter: { has_tag: Nada } }\n";
    let error = manifest::load_str("broken.yaml", text).unwrap_err();
    let codes: Vec<String> = error
        .items
        .iter()
        .map(|item| miette::Diagnostic::code(item).unwrap().to_string())
        .collect();
    assert_eq!(codes, ["manifest::bad_format", "manifest::bad_value"], "{error:?}");
}
