//! `otp send` through console: text, JSON, exit codes, input checks.

use crate::support::{self, Env};

/// The PIN the console printed on stderr ("  | Your verification code is 123456").
pub fn console_pin(stderr: &str) -> String {
    let line = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("| "))
        .unwrap_or_else(|| panic!("no console message in: {stderr}"));
    line.split_whitespace()
        .last()
        .unwrap()
        .trim_end_matches('.')
        .to_string()
}

#[test]
fn console_send_text() {
    let env = Env::new();
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("accepted by console"), "{text}");
    assert!(text.contains("+15551234567"), "{text}");
    let err = support::stderr(&out);
    assert!(err.contains("Your verification code is "), "{err}");
    let pin = console_pin(&err);
    assert_eq!(pin.len(), 6);
    assert!(pin.chars().all(|c| c.is_ascii_digit()));
    // the PIN is only in the console's delivery, never on stdout
    assert!(!text.contains(&pin));
}

#[test]
fn console_send_json_has_every_field() {
    let env = Env::new();
    let out = env.run(&["send", "--to", "+234 706-525.0817", "-o", "json"]);
    assert_eq!(support::code(&out), 0);
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["ok"], true);
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["provider"], "console");
    assert_eq!(v["profile"], serde_json::Value::Null);
    assert_eq!(v["to"], "+2347065250817");
    assert_eq!(v["verify_with"], "local");
    assert_eq!(v["segments"], 1);
    assert_eq!(v["encoding"], "gsm7");
    assert_eq!(v["error"], serde_json::Value::Null);
    assert!(v["id"].as_str().unwrap().len() >= 16);
    assert!(v["expires_at"].as_str().unwrap().ends_with('Z'));
    // --json is short for -o json
    let out = env.run(&["send", "--to", "+15551234567", "--json"]);
    support::json(&out);
}

#[test]
fn quiet_prints_only_the_id() {
    let env = Env::new();
    let out = env.run(&["send", "--to", "+15551234567", "-q"]);
    assert_eq!(support::code(&out), 0);
    let id = support::stdout(&out);
    assert_eq!(id.lines().count(), 1);
    assert!(!id.trim().contains(' '));
}

/// Each bad input: exit 2, one JSON document with kind usage, nothing written.
#[test]
fn bad_input_exits_2_in_the_tools_own_format() {
    let env = Env::new();
    let cases: &[&[&str]] = &[
        &["--to", "12345"],
        &["--to", "+99912345678"],
        &["--to", "+1555abc4567"],
        &["--to", "+1234567890123456"],
        &["--to", "+15551234567", "--length", "abc"],
        &["--to", "+15551234567", "--length", "4"],
        &["--to", "+15551234567", "--ttl", "5"],
        &["--to", "+15551234567", "--ttl", "soon"],
        &["--to", "+15551234567", "--ttl", "11m"],
        &["--to", "+15551234567", "--attempts", "-1"],
        &["--to", "+15551234567", "--channel", "pigeon"],
        &["--to", "+15551234567", "--pin-type", "hex"],
        &["--to", "+15551234567", "--message", "no placeholder"],
        &["--to", "+15551234567", "--message", "{{code}} and %s"],
        &["--to", "+15551234567", "--param", "novalue"],
        &["--to", "+15551234567", "--app-hash", "short"],
        &["--to", "+15551234567", "--retries", "many"],
        &["--to", "+15551234567", "--timeout", "0s"],
        &["--to", "+15551234567", "--lang", "fr"],
        &[
            "--to",
            "+15551234567",
            "--callback-url",
            "https://example.com/cb",
        ],
    ];
    for args in cases {
        let mut all = vec!["send"];
        all.extend_from_slice(args);
        let out = env.run(&all);
        assert_eq!(
            support::code(&out),
            2,
            "{args:?}: {}",
            support::stderr(&out)
        );
        let err = support::stderr(&out);
        assert!(err.starts_with("otp: error: "), "{args:?}: {err}");
        all.extend_from_slice(&["-o", "json"]);
        let out = env.run(&all);
        assert_eq!(support::code(&out), 2, "{args:?}");
        let v = support::json(&out);
        support::assert_report_shape(&v);
        assert_eq!(v["outcome"], "not_sent", "{args:?}");
        assert_eq!(v["error"]["kind"], "usage", "{args:?}");
        assert_eq!(v["ok"], false);
    }
    assert!(!env.state_dir().join("records.json").exists());
}

#[test]
fn malformed_command_line_keeps_clap_message_and_exit_2() {
    let env = Env::new();
    let out = env.run(&["send", "--to", "+15551234567", "--bogus"]);
    assert_eq!(support::code(&out), 2);
    assert!(support::stderr(&out).contains("--bogus"));
    let out = env.run(&["frobnicate"]);
    assert_eq!(support::code(&out), 2);
}

#[test]
fn bad_output_value_is_usage() {
    let env = Env::new();
    let out = env.run(&["send", "--to", "+15551234567", "-o", "yaml"]);
    assert_eq!(support::code(&out), 2);
    assert!(support::stderr(&out).contains("text or json"));
}

#[test]
fn short_pins_need_allow_short_pins() {
    let env = Env::new();
    env.config("[profiles.dev]\nprovider = \"console\"\nallow_short_pins = true\n");
    let out = env.run(&["send", "--to", "+15551234567", "--length", "4"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(console_pin(&support::stderr(&out)).len(), 4);
}

#[test]
fn pin_types_and_lengths_are_exact() {
    let env = Env::new();
    type Check = fn(char) -> bool;
    let cases: [(&str, &str, Check); 3] = [
        ("numeric", "8", |c: char| c.is_ascii_digit()),
        ("letters", "7", |c: char| c.is_ascii_uppercase()),
        ("alphanumeric", "12", |c: char| {
            c.is_ascii_digit() || c.is_ascii_uppercase()
        }),
    ];
    for (ty, len, ok) in cases {
        let out = env.run(&[
            "send",
            "--to",
            "+15551234567",
            "--pin-type",
            ty,
            "--length",
            len,
        ]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        let pin = console_pin(&support::stderr(&out));
        assert_eq!(pin.len(), len.parse::<usize>().unwrap(), "{ty}");
        assert!(pin.chars().all(ok), "{ty}: {pin}");
    }
}

#[test]
fn templates_minutes_app_hash_and_webotp() {
    let env = Env::new();
    env.config(
        "[profiles.dev]\nprovider = \"console\"\nmessage = \"Acme code {{code}}, valid {{minutes}} min\"\n\
         [profiles.dev.templates]\nfr = \"Votre code Acme est {{code}}\"\n",
    );
    let out = env.run(&[
        "send",
        "--to",
        "+15551234567",
        "--ttl",
        "7m",
        "--app-hash",
        "FA+9qCX9VSu",
        "--webotp-domain",
        "example.com",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    let pin = err
        .split("Acme code ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .unwrap_or_else(|| panic!("{err}"))
        .to_string();
    assert_eq!(pin.len(), 6, "{err}");
    assert!(err.contains("valid 7 min"), "{err}");
    assert!(err.contains("| FA+9qCX9VSu"), "{err}");
    assert!(err.contains(&format!("| @example.com #{pin}")), "{err}");
    // the WebOTP line is the last line
    let last = err.lines().rfind(|l| l.contains("| ")).unwrap();
    assert!(last.contains("@example.com"), "{err}");

    let out = env.run(&["send", "--to", "+15551234567", "--lang", "fr"]);
    assert_eq!(support::code(&out), 0);
    assert!(support::stderr(&out).contains("Votre code Acme est"));
}

#[test]
fn vendor_placeholders_are_accepted() {
    let env = Env::new();
    for m in ["Code: %s", "Code: {{pin}}", "Code: {{otp}}"] {
        let out = env.run(&["send", "--to", "+15551234567", "--message", m]);
        assert_eq!(support::code(&out), 0, "{m}");
        let err = support::stderr(&out);
        assert!(!err.contains(m), "placeholder not replaced: {err}");
    }
}

#[test]
fn segments_are_counted_and_warned() {
    let env = Env::new();
    let long = format!("{} {{{{code}}}}", "a".repeat(160));
    let out = env.run(&[
        "send",
        "--to",
        "+15551234567",
        "--message",
        &long,
        "-o",
        "json",
    ]);
    let v = support::json(&out);
    assert_eq!(v["segments"], 2);
    assert_eq!(v["encoding"], "gsm7");
    let out = env.run(&["send", "--to", "+15551234567", "--message", &long]);
    assert!(
        support::stderr(&out).contains("2 SMS parts"),
        "{}",
        support::stderr(&out)
    );
    // one non-GSM character makes the whole message UCS-2
    let out = env.run(&[
        "send",
        "--to",
        "+15551234567",
        "--message",
        "Код {{code}}",
        "-o",
        "json",
    ]);
    let v = support::json(&out);
    assert_eq!(v["encoding"], "ucs2");
    assert_eq!(v["segments"], 1);
    // extension characters count twice: 78 euro signs + 6 digits = 162 septets
    let euros = format!("{}{{{{code}}}}", "€".repeat(78));
    let out = env.run(&[
        "send",
        "--to",
        "+15551234567",
        "--message",
        &euros,
        "-o",
        "json",
    ]);
    assert_eq!(support::json(&out)["segments"], 2);
}

#[test]
fn national_numbers_need_default_country() {
    let env = Env::new();
    env.config("[profiles.ng]\nprovider = \"console\"\ndefault_country = \"NG\"\n");
    let out = env.run(&["send", "--to", "0706 525 0817", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["to"], "+2347065250817");
}

#[test]
fn allowed_countries_refuse_others_with_exit_3() {
    let env = Env::new();
    env.config("[profiles.ng]\nprovider = \"console\"\nallowed_countries = [\"234\"]\n");
    let out = env.run(&["send", "--to", "+447700900123", "-o", "json"]);
    assert_eq!(support::code(&out), 3);
    assert_eq!(support::json(&out)["error"]["kind"], "config");
    let out = env.run(&["send", "--to", "+2347065250817"]);
    assert_eq!(support::code(&out), 0);
}

#[test]
fn cooldown_refuses_a_second_send_unless_forced() {
    let env = Env::new();
    env.config("[profiles.dev]\nprovider = \"console\"\ncooldown = \"1h\"\n");
    assert_eq!(
        support::code(&env.run(&["send", "--to", "+15551234567"])),
        0
    );
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("--force"));
    // another number is not affected
    assert_eq!(
        support::code(&env.run(&["send", "--to", "+15551234568"])),
        0
    );
    assert_eq!(
        support::code(&env.run(&["send", "--to", "+15551234567", "--force"])),
        0
    );
}

#[test]
fn dry_run_console_shows_no_pin_and_writes_nothing() {
    let env = Env::new();
    let out = env.run(&[
        "send",
        "--to",
        "+15551234567",
        "--dry-run",
        "--pin",
        "918273",
    ]);
    assert_eq!(support::code(&out), 0);
    support::assert_no_leak(&out, &["918273"]);
    assert!(support::stdout(&out).contains("***"));
    let out = env.run(&["send", "--to", "+15551234567", "--dry-run", "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(v["outcome"], "dry_run");
    assert!(v["request"].is_object());
    assert!(!env.state_dir().exists(), "dry run wrote state");
}
