//! Rules across providers: what a send refuses before any request, what is never
//! printed, and what a script can rely on when the environment is unusual.

use crate::providers::battery::{env_for, fixtures, Fixture};
use crate::support::faults::{Fault, FaultServer, Reply};
use crate::support::{self, Env, CANARY};

fn fixture(id: &str) -> &'static Fixture {
    fixtures().into_iter().find(|f| f.id == id).unwrap()
}

/// A server that must see no request; checked by the caller.
fn silent() -> FaultServer {
    FaultServer::start(Fault::Reply(Reply::json(500, "{}")))
}

#[test]
fn no_color_with_any_value_is_plain_text_not_an_error() {
    for v in ["1", "yes", "", "0"] {
        let env = Env::new().var("NO_COLOR", v);
        let out = env.run(&["send", "--to", "+15551234567"]);
        assert_eq!(
            support::code(&out),
            0,
            "NO_COLOR={v:?}: {}",
            support::stderr(&out)
        );
        assert!(!support::stdout(&out).contains('\u{1b}'));
    }
}

#[test]
fn json_and_output_text_contradict() {
    let out = Env::new().run(&["send", "--to", "+15551234567", "--json", "-o", "text"]);
    assert_eq!(support::code(&out), 2);
    let out = Env::new().run(&["send", "--to", "+15551234567", "--json", "-o", "json"]);
    assert_eq!(support::code(&out), 0);
}

#[test]
fn a_provider_flag_never_sends_another_vendors_credentials() {
    let server = silent();
    let env = env_for(fixture("termii"), &server.url());
    for other in ["smscx", "shoutout", "zender", "cinnox"] {
        let out = env.run(&[
            "send",
            "--to",
            "+2347065250817",
            "--provider",
            other,
            "--dry-run",
            "-o",
            "json",
        ]);
        // The termii key and base URL do not carry over: the other vendor's own
        // credentials are missing.
        assert_eq!(support::code(&out), 3, "{other}: {}", support::stderr(&out));
        support::assert_no_leak(&out, &[]);
    }
    assert_eq!(server.requests(), 0);
    // With the other vendor's credentials from the environment it works, and the
    // vendor-neutral settings of the profile still apply.
    let env = env.var("OTP_API_KEY", "other-vendor-key-1");
    let out = env.run(&[
        "send",
        "--to",
        "+2347065250817",
        "--provider",
        "smscx",
        "--dry-run",
        "-o",
        "json",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert!(
        v["request"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://api.sms.cx/"),
        "{v}"
    );
    assert!(!support::stdout(&out).contains(CANARY));
}

#[test]
fn pin_flag_obeys_length_type_and_short_pin_rules() {
    let env = Env::new();
    for (args, words) in [
        (&["--pin", "1234"][..], "below 6"),
        (&["--pin", "12345678", "--length", "6"][..], "PIN length"),
        (&["--pin", "ABCDEF", "--pin-type", "numeric"][..], "numeric"),
        (&["--pin", "12-456"][..], "letters or digits"),
    ] {
        let mut all = vec!["send", "--to", "+15551234567", "-o", "json"];
        all.extend_from_slice(args);
        let out = env.run(&all);
        assert_eq!(
            support::code(&out),
            2,
            "{args:?}: {}",
            support::stderr(&out)
        );
        let msg = support::json(&out)["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(msg.contains(words), "{args:?}: {msg}");
    }
    env.config("[profiles.d]\nprovider = \"console\"\nallow_short_pins = true\n");
    assert_eq!(
        support::code(&env.run(&["send", "--to", "+15551234567", "--pin", "1234"])),
        0
    );
}

#[test]
fn a_param_cannot_replace_the_pin_otp_made() {
    let f = fixture("cinnox");
    let server = silent();
    let env = env_for(f, &server.url());
    let out = env.run(&["send", "--to", f.to, "--param", "pin=000111", "-o", "json"]);
    assert_eq!(support::code(&out), 2, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("--param pin"));
    assert_eq!(server.requests(), 0);
}

#[test]
fn secret_named_fields_are_masked_by_name_even_when_short() {
    let f = fixture("cinnox");
    let server = silent();
    let env = Env::new();
    env.config(&format!(
        "[profiles.t]\n{}allow_short_pins = true\n",
        (f.profile)(&server.url())
    ));
    let out = env.run(&[
        "send",
        "--to",
        f.to,
        "--pin",
        "42",
        "--dry-run",
        "-o",
        "json",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["request"]["body"]["pin"], "***", "{v}");
    let out = env.run(&[
        "send",
        "--to",
        f.to,
        "--pin",
        "424242",
        "--dry-run",
        "--param",
        "token=xy",
    ]);
    assert!(
        support::stdout(&out).contains("\"token\": \"***\""),
        "{}",
        support::stdout(&out)
    );
}

#[test]
fn zender_refuses_a_sender_it_cannot_use() {
    let f = fixture("zender");
    let server = silent();
    let env = env_for(f, &server.url());
    let out = env.run(&["send", "--to", f.to, "--sender", "Acme", "-o", "json"]);
    assert_eq!(support::code(&out), 2, "{}", support::stderr(&out));
    assert_eq!(server.requests(), 0);
}

#[test]
fn minutes_placeholder_needs_a_known_expiry() {
    let f = fixture("shoutout");
    let server = silent();
    let env = env_for(f, &server.url());
    let out = env.run(&[
        "send",
        "--to",
        f.to,
        "--message",
        "Code {{code}}, valid {{minutes}} min",
    ]);
    assert_eq!(support::code(&out), 2, "{}", support::stderr(&out));
    assert_eq!(server.requests(), 0);
}

#[test]
fn a_damaged_record_store_stops_the_send_before_it_goes_out() {
    let env = Env::new();
    std::fs::create_dir_all(env.state_dir()).unwrap();
    std::fs::write(env.state_dir().join("records.json"), "garbage").unwrap();
    let out = env.run(&["send", "--to", "+15551234567", "-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(
        !support::stderr(&out).contains("verification code"),
        "console delivered anyway"
    );
    assert_eq!(support::json(&out)["outcome"], "not_sent");
}

#[test]
fn verify_failures_speak_of_the_check_not_of_an_sms() {
    let f = fixture("termii");
    let ok = FaultServer::start(Fault::Reply(Reply::json(200, f.success_body)));
    let env = env_for(f, &ok.url());
    let sent = env.run(&["send", "--to", f.to, "-q"]);
    let id = support::stdout(&sent).trim().to_string();
    let bad = FaultServer::start(Fault::Reply(Reply::html(500, "<html>oops</html>")));
    env.config(&format!("[profiles.t]\n{}", (f.profile)(&bad.url())));
    let out = env.run(&["verify", "--id", &id, "--code", "123456"]);
    assert_eq!(support::code(&out), 6);
    let err = support::stderr(&out);
    assert!(!err.contains("SMS"), "{err}");
    assert!(err.contains("attempt"), "{err}");
}

#[test]
fn config_show_json_values_are_typed() {
    let env = Env::new();
    env.config(
        "[profiles.ng]\nprovider = \"console\"\nlength = 8\nallow_short_pins = true\n\
         allowed_countries = [\"234\", \"44\"]\n",
    );
    let v = support::json(&env.run(&["config", "show", "-o", "json"]));
    assert_eq!(v["values"]["length"]["value"], 8);
    assert_eq!(v["values"]["allow_short_pins"]["value"], true);
    assert_eq!(
        v["values"]["allowed_countries"]["value"],
        serde_json::json!(["234", "44"])
    );
    assert_eq!(v["values"]["attempts"]["value"], 3);
}

#[test]
fn config_check_lists_problems_a_first_error_would_hide() {
    let env = Env::new();
    env.config(
        "defualt_profile = \"x\"\n[profiles.t]\nprovider = \"termii\"\napi_key = \"k\"\nsender = \"Acme\"\n\
         cooldown = \"abc\"\napi_kye = 1\nroute = \"foo\"\nlength = 3\nttl = \"2h\"\nattempts = 0\n",
    );
    std::fs::set_permissions(
        env.config_path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o640),
    )
    .unwrap();
    let out = env.run(&["config", "check", "-o", "json"]);
    assert_eq!(support::code(&out), 3);
    let v = support::json(&out);
    let all = v["problems"].to_string();
    for word in [
        "defualt_profile",
        "cooldown",
        "api_kye",
        "route",
        "length",
        "ttl",
        "attempts",
        "chmod 600",
    ] {
        assert!(all.contains(word), "{word} not reported: {all}");
    }
}
