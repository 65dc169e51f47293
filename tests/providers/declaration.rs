//! One declaration per vendor: `config check`, `send --dry-run` and `otp providers NAME`
//! read the same facts, so for every provider and every setting a profile or a flag
//! can carry they give the same verdict, the same exit code and the same message.

use super::battery::{self, Fixture};
use crate::support::{self, Env};

/// A profile setting and a value that is inside every range that takes it.
const SETTINGS: &[(&str, &str, &[&str])] = &[
    ("length", "length = 6", &["--length", "6"]),
    ("ttl", "ttl = \"5m\"", &["--ttl", "5m"]),
    ("attempts", "attempts = 3", &["--attempts", "3"]),
    (
        "pin_type",
        "pin_type = \"numeric\"",
        &["--pin-type", "numeric"],
    ),
    ("sender", "sender = \"Acme\"", &["--sender", "Acme"]),
    (
        "message",
        "message = \"Code {{code}}\"",
        &["--message", "Code {{code}}"],
    ),
    (
        "templates",
        "[profiles.t.templates]\nfr = \"Code {{code}}\"",
        &["--lang", "fr"],
    ),
];

/// Every provider's profile pointing at a loopback base URL, console included.
fn profiles() -> Vec<(&'static str, String)> {
    let base = "http://127.0.0.1:9";
    let mut all: Vec<(&'static str, String)> = super::FIXTURES
        .iter()
        .map(|f: &&Fixture| (f.id, (f.profile)(base)))
        .collect();
    all.push(("console", "provider = \"console\"\n".to_string()));
    all
}

fn env_with(profile: &str, extra: &str) -> Env {
    let env = Env::new();
    // Tables come last in TOML: the setting line, then any `[profiles.t.x]` table.
    let (line, table) = match extra.strip_prefix('[') {
        Some(_) => (String::new(), format!("{extra}\n")),
        None => (format!("{extra}\n"), String::new()),
    };
    env.config(&format!(
        "default_profile = \"t\"\n[profiles.t]\n{profile}{line}{table}"
    ));
    env
}

/// The keys `otp providers NAME -o json` offers.
fn offered(id: &str) -> Vec<String> {
    battery::provider_info(id)["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn check_send_and_providers_agree_for_every_provider_and_setting() {
    for (id, profile) in profiles() {
        let keys = offered(id);
        // A fixture's placeholder ids are problems of `check` alone (a send does not
        // judge them): compare verdicts on the setting only where the bare profile passes.
        let clean = support::code(&env_with(&profile, "").run(&["config", "check"])) == 0;
        for (key, line, flag) in SETTINGS {
            let what = format!("{id} {key}");
            // The profile carries it: check and a dry run give the same verdict.
            // A profile that sets the key already (a required sender) keeps its own.
            let line = if profile.contains(&format!("\n{key} ="))
                || profile.starts_with(&format!("{key} ="))
            {
                ""
            } else {
                line
            };
            let env = env_with(&profile, line);
            let check = env.run(&["config", "check"]);
            let send = env.run(&["send", "--to", "+15551234567", "--dry-run", "-o", "json"]);
            let accepted = support::code(&send) == 0;
            assert!(
                (support::code(&check) == 0) == accepted || (accepted && !clean),
                "{what}: check {} / send {}\n{}\n{}",
                support::code(&check),
                support::code(&send),
                support::stderr(&check),
                support::stderr(&send)
            );
            if !accepted {
                let v = battery::assert_failure(&send, &what, 3, "config");
                let message = v["error"]["message"].as_str().unwrap();
                assert!(message.contains("profile \"t\""), "{what}: {message}");
                assert!(
                    support::stderr(&check).contains(message),
                    "{what}: check does not say {message:?}:\n{}",
                    support::stderr(&check)
                );
            }
            // `providers NAME` offers exactly the keys a send accepts.
            assert_eq!(
                keys.iter().any(|k| k == key),
                accepted,
                "{what}: offered {keys:?}, send exit {}",
                support::code(&send)
            );
            // The same value as a flag: exit 2 where the profile's was exit 3, naming
            // the profile too.
            let env = env_with(&profile, "");
            let mut args = vec!["send", "--to", "+15551234567", "--dry-run", "-o", "json"];
            args.extend_from_slice(flag);
            let out = env.run(&args);
            if *key == "templates" {
                // --lang needs a template to choose: without one it is a usage error
                // for every provider; only the verdict's exit code is compared.
                assert_ne!(support::code(&out), 0, "{what}");
                continue;
            }
            if accepted {
                assert_eq!(
                    support::code(&out),
                    0,
                    "{what} flag: {}",
                    support::stderr(&out)
                );
            } else {
                let v = battery::assert_failure(&out, &what, 2, "usage");
                let message = v["error"]["message"].as_str().unwrap();
                assert!(message.contains("profile \"t\""), "{what}: {message}");
            }
        }
    }
}

#[test]
fn a_setting_from_the_environment_is_a_config_error_naming_the_variable() {
    let env = env_with(
        "provider = \"shoutout\"\napi_key = \"k-0123456789\"\nsender = \"Acme\"\n",
        "",
    )
    .var("OTP_LENGTH", "6");
    let out = env.run(&["send", "--to", "+94711234567", "--dry-run", "-o", "json"]);
    let v = battery::assert_failure(&out, "OTP_LENGTH", 3, "config");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("OTP_LENGTH") && message.contains("profile \"t\""),
        "{message}"
    );
}

#[test]
fn config_check_with_only_otp_variables_checks_them_as_one_profile() {
    let env = Env::new()
        .var("OTP_PROVIDER", "termii")
        .var("OTP_API_KEY", "k-0123456789abcdef");
    // termii requires a sender, as `send` does.
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("OTP_SENDER"),
        "{}",
        support::stderr(&out)
    );
    let send = env.run(&["send", "--to", "+2348012345678", "--dry-run"]);
    assert_eq!(support::code(&send), 3);
    // With it, both pass.
    let env = env.var("OTP_SENDER", "Acme");
    let out = env.run(&["config", "check", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(
        (v["ok"].as_bool(), v["path"].is_null()),
        (Some(true), true),
        "{v}"
    );
    assert_eq!(
        support::code(&env.run(&["send", "--to", "+2348012345678", "--dry-run"])),
        0
    );
    // Nothing to check at all is still a config error with a next step.
    let out = Env::new().run(&["config", "check"]);
    assert_eq!(support::code(&out), 3);
    assert!(support::stderr(&out).contains("OTP_PROVIDER"));
}

#[test]
fn a_malformed_command_line_with_json_asked_for_is_one_json_document() {
    let env = Env::new();
    for args in [
        &["-o", "json", "send"][..],
        &["send", "--too", "+15551234567", "--json"],
        &["-o", "json", "sned"],
        &[
            "--json",
            "send",
            "--to",
            "+15551234567",
            "--channel",
            "pigeon",
        ],
    ] {
        let out = env.run(args);
        let v = battery::assert_failure(&out, &format!("{args:?}"), 2, "usage");
        assert_eq!(v["outcome"], "not_sent", "{args:?}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
        support::assert_report_shape(&v);
    }
    let out = Env::new()
        .var("OTP_OUTPUT", "json")
        .run(&["verify", "--id"]);
    let v = battery::assert_failure(&out, "verify --id", 2, "usage");
    assert_eq!(v["outcome"], "not_verified");
    // A bad value for another command: that command's own document, `{ok, error}`.
    let out = Env::new().run(&["status", "--id", "x", "--timeout", "abc", "-o", "json"]);
    assert_eq!(support::code(&out), 2);
    let v = support::json(&out);
    assert_eq!(
        (v["ok"].as_bool(), v["error"]["kind"].as_str()),
        (Some(false), Some("usage")),
        "{v}"
    );
    assert!(v.get("outcome").is_none(), "{v}");
    assert!(
        support::stderr(&out).contains("otp: error: --timeout"),
        "{}",
        support::stderr(&out)
    );
    // A bad value in a verify: a verify document.
    let out = Env::new().run(&[
        "verify",
        "--id",
        "x",
        "--code",
        "1",
        "--timeout",
        "abc",
        "--json",
    ]);
    let v = battery::assert_failure(&out, "verify --timeout abc", 2, "usage");
    assert_eq!(v["outcome"], "not_verified", "{v}");
    // Without JSON, clap's own message on stderr and nothing on stdout.
    let out = env.run(&["send", "--too", "x"]);
    assert_eq!(support::code(&out), 2);
    assert!(support::stdout(&out).is_empty());
}

/// The README's provider table is the registry's: a vendor added, renamed or changed in
/// its declaration changes the table, or this fails with the rows to paste.
#[test]
fn the_readme_provider_table_is_the_registry() {
    let list = support::json(&Env::new().run(&["providers", "-o", "json"]));
    let mut rows = vec![
        "| provider | channels | PIN made by | verified by | length | TTL | attempts | decided by the vendor |".to_string(),
        "|---|---|---|---|---|---|---|---|".to_string(),
    ];
    for p in list.as_array().unwrap() {
        let channels: Vec<&str> = p["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let mut id = format!("`{}`", p["id"].as_str().unwrap());
        for a in p["aliases"].as_array().unwrap() {
            id.push_str(&format!(" (alias `{}`)", a.as_str().unwrap()));
        }
        let range = |v: &serde_json::Value| match (v["min"].as_u64(), v["max"].as_u64()) {
            (Some(lo), Some(hi)) => format!("{lo}-{hi}"),
            _ => "vendor".to_string(),
        };
        let mut decides: Vec<&str> = Vec::new();
        for (gone, what) in [
            (p["length"].is_null(), "PIN length"),
            (p["pin_types"].as_array().unwrap().is_empty(), "PIN type"),
            (p["ttl"] == "chosen by the provider", "expiry"),
            (p["attempts"].is_null(), "attempts"),
            (p["writes_message"] == true, "message"),
            (p["takes_sender"] == false, "sender"),
        ] {
            if gone {
                decides.push(what);
            }
        }
        let decided = match (decides.is_empty(), p["decided_at"].as_str()) {
            (true, _) => "—".to_string(),
            (false, Some(place)) => format!("{} ({place})", decides.join(", ")),
            (false, None) => decides.join(", "),
        };
        rows.push(format!(
            "| {id} | {} | {} | {} | {} | {} | {} | {} |",
            channels.join(", "),
            p["pin_by"].as_str().unwrap(),
            p["verify_with"].as_str().unwrap(),
            range(&p["length"]),
            p["ttl"].as_str().unwrap(),
            range(&p["attempts"]),
            decided,
        ));
    }
    let expected = rows.join("\n");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = readme
        .split("<!-- providers:start -->\n")
        .nth(1)
        .and_then(|r| r.split("\n<!-- providers:end -->").next())
        .expect("README has <!-- providers:start --> ... <!-- providers:end -->");
    assert_eq!(
        table.trim(),
        expected,
        "README provider table differs from `otp providers`; paste:\n{expected}"
    );
}
