//! `config check` as strict as `send` (the README): one declaration of what a profile needs
//! read by `send`, `check` and `otp providers NAME`; lists from env; placeholders left
//! from a starter file; unset env secrets named.

use crate::support::{self, Env};

fn check(env: &Env) -> (i32, String) {
    let out = env.run(&["config", "check"]);
    (support::code(&out), support::stderr(&out))
}

#[test]
fn a_required_sender_is_refused_by_check_send_and_listed_by_providers() {
    for id in ["termii", "shoutout", "cinnox", "vonage"] {
        let v = support::json(&Env::new().run(&["providers", id, "-o", "json"]));
        let sender = v["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == "sender")
            .unwrap_or_else(|| panic!("{id} lists no sender"));
        assert_eq!(sender["required"], true, "{id}: {sender}");
        let text = support::stdout(&Env::new().run(&["providers", id]));
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("sender"))
            .unwrap();
        assert!(line.contains("required"), "{id}: {line}");
    }
    let env = Env::new().var("TERMII_API_KEY", "k-123");
    env.config(
        "[profiles.ng]\nprovider = \"termii\"\nbase_url = \"http://127.0.0.1:9\"\napi_key = { env = \"TERMII_API_KEY\" }\n",
    );
    let (code, err) = check(&env);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("`sender`"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    let out = env.run(&["send", "--to", "+2347065250817", "--dry-run"]);
    assert_eq!(support::code(&out), 3);
    assert!(support::stderr(&out).contains("`sender`"));
    // The flag fills it, as the hint says.
    let out = env.run(&[
        "send",
        "--to",
        "+2347065250817",
        "--dry-run",
        "--sender",
        "Acme",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    // A provider that does not need one is not asked for it.
    let v = support::json(&Env::new().run(&["providers", "smscx", "-o", "json"]));
    let sender = v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "sender")
        .unwrap();
    assert_eq!(sender["required"], false);
}

#[test]
fn a_misspelled_key_is_reported_with_a_misspelled_provider() {
    let env = Env::new();
    env.config("[profiles.a]\nprovider = \"termi\"\nsendr = \"Acme\"\n");
    let (code, err) = check(&env);
    assert_eq!(code, 3);
    assert!(err.contains("\"termi\""), "{err}");
    assert!(err.contains("`sendr`") && err.contains("`sender`"), "{err}");
    // A key some provider takes is not called unknown while the provider is.
    env.config("[profiles.a]\nprovider = \"termi\"\nroute = \"dnd\"\n");
    let (_, err) = check(&env);
    assert!(!err.contains("`route`"), "{err}");
}

#[test]
fn allowed_countries_takes_calling_codes_in_check_and_send_alike() {
    let env = Env::new();
    env.config("[profiles.dev]\nprovider = \"console\"\nallowed_countries = [\"NG\"]\n");
    let (code, err) = check(&env);
    assert_eq!(code, 3);
    assert!(
        err.contains("\"NG\" is not a country calling code"),
        "{err}"
    );
    assert!(
        err.contains("\"234\""),
        "the hint gives NG's calling code: {err}"
    );
    let out = env.run(&["send", "--to", "+2347065250817", "-o", "json"]);
    assert_eq!(support::code(&out), 3);
    let v = support::json(&out);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("\"NG\" is not a country calling code"));
    assert!(support::stderr(&out).contains("NG is \"234\""));
}

#[test]
fn list_keys_from_env_take_the_array_and_the_comma_form() {
    for form in ["[\"234\",\"1\"]", "[234, 1]", "234,1", " 234 , 1 "] {
        let env = Env::new().var("OTP_ALLOWED_COUNTRIES", form);
        let out = env.run(&["send", "--to", "+15551234567", "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{form}: {}", support::stderr(&out));
        let out = env.run(&["send", "--to", "+447700900123", "-o", "json"]);
        assert_eq!(support::code(&out), 3, "{form}");
        let show = support::json(&env.run(&["config", "show", "-o", "json"]));
        assert_eq!(
            show["values"]["allowed_countries"]["value"],
            serde_json::json!(["234", "1"]),
            "{form}"
        );
    }
    for bad in ["[\"234\"", "[[1]]", "[\"234\", true]"] {
        let env = Env::new().var("OTP_ALLOWED_COUNTRIES", bad);
        let out = env.run(&["send", "--to", "+15551234567"]);
        assert_eq!(support::code(&out), 3, "{bad}");
        assert!(
            support::stderr(&out).contains("OTP_ALLOWED_COUNTRIES"),
            "{bad}: {}",
            support::stderr(&out)
        );
    }
}

#[test]
fn templates_come_from_env_as_an_inline_table() {
    let env = Env::new().var("OTP_TEMPLATES", "{ fr = \"Votre code : {{code}}\" }");
    let out = env.run(&["send", "--to", "+15551234567", "--lang", "fr"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("Votre code"));
    let env = Env::new().var("OTP_TEMPLATES", "fr=Votre code");
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 3);
    assert!(support::stderr(&out).contains("OTP_TEMPLATES"));
}

#[test]
fn show_says_an_env_secret_is_unset_and_check_hints_at_it() {
    let env = Env::new();
    env.config(
        "[profiles.ng]\nprovider = \"termii\"\nsender = \"Acme\"\napi_key = { env = \"TERMII_API_KEY\" }\n",
    );
    let out = env.run(&["config", "show"]);
    let line = support::stdout(&out)
        .lines()
        .find(|l| l.starts_with("api_key"))
        .unwrap()
        .to_string();
    assert!(
        line.contains("TERMII_API_KEY") && line.contains("(unset)"),
        "{line}"
    );
    let (code, err) = check(&env);
    assert_eq!(code, 3);
    assert!(err.contains("which is not set"), "{err}");
    assert!(err.contains("hint: export TERMII_API_KEY="), "{err}");
    let env = env.var("TERMII_API_KEY", "k-123");
    let out = env.run(&["config", "show"]);
    assert!(!support::stdout(&out).contains("(unset)"));
}

#[test]
fn a_starter_file_with_placeholders_does_not_pass_check() {
    let env = Env::new().var("CINNOX_APP_TOKEN", "tok-123");
    assert_eq!(
        support::code(&env.run(&["config", "init", "--provider", "cinnox"])),
        0
    );
    let (code, err) = check(&env);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("https://example.cinnox.com"), "{err}");
    assert!(err.contains("your-app-id"), "{err}");
    let text = std::fs::read_to_string(env.config_path())
        .unwrap()
        .replace("https://example.cinnox.com", "https://acme.cinnox.com")
        .replace("your-app-id", "a1b2c3");
    env.config(&text);
    let (code, err) = check(&env);
    assert_eq!(code, 0, "{err}");
    // The console's starter file is usable as written.
    let env = Env::new();
    env.run(&["config", "init"]);
    assert_eq!(check(&env).0, 0);
}
