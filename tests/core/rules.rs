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
    let (env, id, _ok) = sent_through(f);
    let bad = FaultServer::start(Fault::Reply(Reply::html(500, "<html>oops</html>")));
    repoint(&env, f, &bad);
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
    ] {
        assert!(all.contains(word), "{word} not reported: {all}");
    }
    // readable by group: a warning (as for send), not a problem
    assert!(support::stderr(&out).contains("chmod 600"));
}

#[test]
fn an_empty_id_is_refused_before_any_request() {
    let f = fixture("smscx");
    let server = silent();
    let env = env_for(f, &server.url());
    for cmd in ["verify", "status", "cancel"] {
        let mut args = vec![cmd, "--id", "", "-o", "json"];
        if cmd == "verify" {
            args.extend_from_slice(&["--code", "123456"]);
        }
        let out = env.run(&args);
        assert_eq!(support::code(&out), 2, "{cmd}: {}", support::stderr(&out));
        assert_eq!(support::json(&out)["ok"], false, "{cmd}");
    }
    assert_eq!(server.requests(), 0);
}

#[test]
fn verify_never_sends_credentials_meant_for_another_vendor() {
    let f = fixture("termii");
    let (env, id, _ok) = sent_through(f);
    let verify = FaultServer::start(Fault::Reply(Reply::json(200, "{\"verified\":true}")));
    repoint(&env, f, &verify);
    let env = env
        .var("OTP_PROVIDER", "smscx")
        .var("OTP_API_KEY", "smscx-key-must-stay-home")
        .var("OTP_BASE_URL", "http://127.0.0.1:9");
    let out = env.run(&["verify", "--id", &id, "--code", "123456"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let seen: Vec<String> = verify
        .received()
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .collect();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].contains("smscx-key-must-stay-home"), "{}", seen[0]);
    assert!(
        seen[0].contains(CANARY),
        "the profile's own termii key is used"
    );
}

#[test]
fn parallel_sends_respect_the_cooldown() {
    let f = fixture("termii");
    let server = FaultServer::start(Fault::Reply(Reply::json(200, f.success_body)));
    let env = Env::new();
    env.config(&format!(
        "[profiles.t]\n{}cooldown = \"1h\"\n",
        (f.profile)(&server.url())
    ));
    let children: Vec<_> = (0..6)
        .map(|_| env.cmd().args(["send", "--to", f.to, "-q"]).output())
        .collect();
    let ok = children
        .iter()
        .filter(|o| o.as_ref().is_ok_and(|o| o.status.success()))
        .count();
    // (assert_cmd runs them one after another; the threads below race for real)
    assert_eq!(ok, 1);
    let env2 = Env::new();
    env2.config(&format!(
        "[profiles.t]\n{}cooldown = \"1h\"\n",
        (f.profile)(&server.url())
    ));
    let before = server.requests();
    let codes = env2.race(6, &["send", "--to", f.to, "-q"]);
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 3).count(), 5, "{codes:?}");
    assert_eq!(
        server.requests() - before,
        1,
        "the vendor saw more than one send"
    );
}

#[test]
fn a_send_that_did_not_go_out_gives_the_cooldown_back() {
    let f = fixture("termii");
    let refused = FaultServer::start(Fault::Refuse);
    let env = Env::new();
    env.config(&format!(
        "[profiles.t]\n{}cooldown = \"1h\"\n",
        (f.profile)(&refused.url())
    ));
    assert_eq!(support::code(&env.run(&["send", "--to", f.to])), 5);
    let ok = FaultServer::start(Fault::Reply(Reply::json(200, f.success_body)));
    env.config(&format!(
        "[profiles.t]\n{}cooldown = \"1h\"\n",
        (f.profile)(&ok.url())
    ));
    let out = env.run(&["send", "--to", f.to]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
}

#[test]
fn status_keeps_the_local_answer_when_the_vendor_is_down() {
    let f = fixture("smscx");
    let (env, id, _ok) = sent_through(f);
    let down = FaultServer::start(Fault::Refuse);
    repoint(&env, f, &down);
    let out = env.run(&["status", "--id", &id]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(support::stdout(&out).contains("pending"));
    assert!(
        support::stderr(&out).contains("warning"),
        "{}",
        support::stderr(&out)
    );
}

#[test]
fn status_without_a_record_masks_the_number_the_vendor_echoes() {
    let f = fixture("smscx");
    let body = r#"{"otpId":"x1","phoneNumber":"+2347065250817","status":"PENDING"}"#;
    let server = FaultServer::start(Fault::Reply(Reply::json(200, body)));
    let env = env_for(f, &server.url());
    let out = env.run(&["status", "--id", "x1"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(!text.contains("+2347065250817"), "{text}");
    assert!(text.contains("+234******0817"), "{text}");
}

#[test]
fn cancel_answers_by_the_vendors_code_not_its_http_status() {
    let f = fixture("smscx");
    let already =
        r#"{"error":{"type":"otp_cancelled","code":2030,"message":"OTP already cancelled"}}"#;
    let server = FaultServer::start(Fault::Reply(Reply::json(403, already)));
    let env = env_for(f, &server.url());
    let out = env.run(&["cancel", "--id", "x1", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let not_pending =
        r#"{"error":{"type":"otp_not_pending","code":2031,"message":"OTP is not pending"}}"#;
    let server = FaultServer::start(Fault::Reply(Reply::json(403, not_pending)));
    let env = env_for(f, &server.url());
    let out = env.run(&["cancel", "--id", "x1", "-o", "json"]);
    assert_eq!(support::code(&out), 4, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["error"]["kind"], "invalid_request");
}

#[test]
fn a_verified_record_is_not_rewritten_by_cancel() {
    let env = Env::new();
    let (id, pin) = crate::core::verify::send(&env, "+15551234567", &[]);
    assert_eq!(
        support::code(&env.run(&["verify", "--id", &id, "--code", &pin])),
        0
    );
    assert_eq!(support::code(&env.run(&["cancel", "--id", &id])), 2);
    let v = support::json(&env.run(&["status", "--id", &id, "-o", "json"]));
    assert_eq!(v["state"], "verified");
}

#[test]
fn verbose_and_errors_mask_the_number_a_vendor_echoes() {
    let f = fixture("termii");
    let body = r#"{"message":"Number 2347065250817 rejected by the network"}"#;
    let server = FaultServer::start(Fault::Reply(Reply::json(400, body)));
    let env = env_for(f, &server.url());
    let out = env.run(&["-v", "send", "--to", f.to]);
    assert_eq!(support::code(&out), 4);
    let err = support::stderr(&out);
    assert!(!err.contains("2347065250817"), "{err}");
    assert!(err.contains("234******0817"), "{err}");
}

#[test]
fn an_id_unknown_to_otp_and_vendor_is_unknown_id() {
    let f = fixture("shoutout");
    let server = FaultServer::start(Fault::Reply(Reply::json(
        400,
        r#"{"message":"invalid reference id"}"#,
    )));
    let env = env_for(f, &server.url());
    let out = env.run(&["verify", "--id", "bogus", "--code", "12345", "-o", "json"]);
    assert_eq!(support::code(&out), 1, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["reason"], "unknown_id");
    assert_eq!(v["outcome"], "not_verified");
}

#[test]
fn a_verify_that_failed_in_transit_is_still_not_verified_in_json() {
    let f = fixture("termii");
    let server = FaultServer::start(Fault::Reply(Reply::html(500, "<html>x</html>")));
    let env = env_for(f, &server.url());
    let out = env.run(&["verify", "--id", "abc", "--code", "123456", "-o", "json"]);
    assert_eq!(support::code(&out), 6);
    let v = support::json(&out);
    assert_eq!(v["outcome"], "not_verified");
    assert_eq!(v["error"]["kind"], "server");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let env = Env::new();
    for args in [&["completions", "bash"][..], &["man"][..]] {
        let mut child = env
            .std_cmd()
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            support::stderr(&out)
        );
    }
}

/// Send through `f` against a server answering its documented success; the env and id.
fn sent_through(f: &Fixture) -> (Env, String, FaultServer) {
    let ok = FaultServer::start(Fault::Reply(Reply::json(f.success_status, f.success_body)));
    let env = env_for(f, &ok.url());
    let out = env.run(&["send", "--to", f.to, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    (env, support::stdout(&out).trim().to_string(), ok)
}

fn repoint(env: &Env, f: &Fixture, server: &FaultServer) {
    env.config(&format!(
        "default_profile = \"t\"\n[profiles.t]\n{}",
        (f.profile)(&server.url())
    ));
}

#[test]
fn concurrent_verifies_of_one_zender_code_ask_the_vendor_once() {
    let f = fixture("zender");
    let (env, id, _ok) = sent_through(f);
    let slow = FaultServer::start(Fault::Delay(
        std::time::Duration::from_millis(700),
        Reply::json(
            200,
            r#"{"status":200,"message":"OTP has been verified!","data":false}"#,
        ),
    ));
    repoint(&env, f, &slow);
    let codes = env.race(5, &["verify", "--id", &id, "--code", "345678"]);
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 1, "{codes:?}");
    assert_eq!(
        slow.requests(),
        1,
        "the vendor was asked more than once: {codes:?}"
    );
    // and the code is used up afterwards
    let out = env.run(&["verify", "--id", &id, "--code", "345678", "-o", "json"]);
    assert_eq!(support::json(&out)["reason"], "already_used");
}

#[test]
fn message_and_app_hash_apply_to_every_template_sent() {
    let f = fixture("smscx");
    let server = silent();
    let env = Env::new();
    env.config(&format!(
        "[profiles.t]\n{}[profiles.t.templates]\nfr = \"Votre code {{{{code}}}}\"\n",
        (f.profile)(&server.url())
    ));
    let v = support::json(&env.run(&[
        "send",
        "--to",
        f.to,
        "--dry-run",
        "-o",
        "json",
        "--app-hash",
        "FA+9qCX9VSu",
    ]));
    let body = &v["request"]["body"];
    assert!(
        body["template_fr"]
            .as_str()
            .unwrap()
            .ends_with("\nFA+9qCX9VSu"),
        "{body}"
    );
    assert!(
        body["template"]
            .as_str()
            .unwrap()
            .ends_with("\nFA+9qCX9VSu"),
        "{body}"
    );
    // an explicit message is the text, whatever the destination
    let v = support::json(&env.run(&[
        "send",
        "--to",
        f.to,
        "--dry-run",
        "-o",
        "json",
        "--message",
        "Code {{code}}",
    ]));
    assert!(v["request"]["body"].get("template_fr").is_none(), "{v}");
    assert_eq!(server.requests(), 0);
}

#[test]
fn cancel_marks_the_local_record_even_when_the_vendor_fails() {
    let f = fixture("smscx");
    let (env, id, _ok) = sent_through(f);
    let down = FaultServer::start(Fault::Reply(Reply::html(502, "<html>x</html>")));
    repoint(&env, f, &down);
    let out = env.run(&["cancel", "--id", &id]);
    assert_eq!(support::code(&out), 6, "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("cancelled locally"),
        "{}",
        support::stderr(&out)
    );
    let v = support::json(&env.run(&["status", "--id", &id, "-o", "json"]));
    assert_eq!(v["state"], "cancelled");
}

#[test]
fn a_vendor_that_counts_its_own_tries_is_asked_every_time() {
    let f = fixture("shoutout");
    let (env, id, _ok) = sent_through(f);
    let wrong = FaultServer::start(Fault::Reply(Reply::json(
        200,
        r#"{"referenceId":"x","statusCode":"1001","description":"invalid code"}"#,
    )));
    repoint(&env, f, &wrong);
    for _ in 0..5 {
        let out = env.run(&["verify", "--id", &id, "--code", "12345", "-o", "json"]);
        assert_eq!(support::json(&out)["reason"], "wrong_code");
    }
    assert_eq!(wrong.requests(), 5);
}

#[test]
fn a_console_dry_run_never_shows_even_a_short_pin() {
    let env = Env::new();
    env.config("[profiles.d]\nprovider = \"console\"\nallow_short_pins = true\n");
    let out = env.run(&["send", "--to", "+15551234567", "--length", "2", "--dry-run"]);
    assert_eq!(support::code(&out), 0);
    assert!(
        support::stdout(&out).contains("Your verification code is ***"),
        "{}",
        support::stdout(&out)
    );
}

#[test]
fn config_check_validates_the_file_not_the_environment() {
    let env = Env::new()
        .var("OTP_API_KEY", "from-env")
        .var("OTP_PROVIDER", "console");
    env.config("[profiles.t]\nprovider = \"termii\"\nsender = \"Acme\"\nroute = \"bogus\"\n");
    let out = env.run(&["config", "check", "-o", "json"]);
    assert_eq!(support::code(&out), 3);
    let all = support::json(&out)["problems"].to_string();
    assert!(all.contains("api_key"), "{all}");
    assert!(all.contains("route"), "{all}");
}

#[test]
fn a_record_store_others_can_write_is_not_trusted() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let (id, _pin) = crate::core::verify::send(&env, "+15551234567", &[]);
    // A folder of ours left loose is tightened back to 0700 on open...
    std::fs::set_permissions(env.state_dir(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = env.run(&["verify", "--id", &id, "--code", "000000", "-o", "json"]);
    assert_eq!(support::code(&out), 1, "{}", support::stderr(&out));
    let mode = std::fs::metadata(env.state_dir())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    // ...but a database others could have written is refused before anything is read.
    let db = env.state_dir().join("otp.db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = env.run(&["verify", "--id", &id, "--code", "000000", "-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("chmod 700"),
        "{}",
        support::stderr(&out)
    );
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(
        support::code(&out),
        3,
        "a send would write into it: {}",
        support::stderr(&out)
    );
}

#[test]
fn verbose_reply_lines_mask_escaped_and_named_secrets() {
    let f = fixture("termii");
    // PHP's json_encode writes '/' as '\/': the key must still be found.
    let key = CANARY.replace('-', "/");
    let env = Env::new();
    let server = FaultServer::start(Fault::Reply(Reply::json(
        400,
        &format!(
            r#"{{"message":"bad key {}","data":{{"pin":"482913","token":"tok-abcdef-999"}}}}"#,
            key.replace('/', "\\/")
        ),
    )));
    env.config(&format!(
        "[profiles.t]\n{}",
        (f.profile)(&server.url()).replace(CANARY, &key)
    ));
    let out = env.run(&["-v", "send", "--to", f.to]);
    assert_eq!(support::code(&out), 4, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(
        !err.contains("ABC") && !err.contains(&key) && !err.contains("sk\\/"),
        "{err}"
    );
    assert!(
        !err.contains("482913") && !err.contains("tok-abcdef-999"),
        "{err}"
    );
}

#[test]
fn a_secret_is_masked_before_vendor_text_is_cut() {
    let f = fixture("termii");
    let msg = format!("{} {CANARY}", "x".repeat(290));
    let server = FaultServer::start(Fault::Reply(Reply::json(
        400,
        &format!(r#"{{"message":"{msg}"}}"#),
    )));
    let env = env_for(f, &server.url());
    let out = env.run(&["send", "--to", f.to, "-o", "json"]);
    assert_eq!(support::code(&out), 4);
    let all = format!("{}{}", support::stdout(&out), support::stderr(&out));
    assert!(
        !all.contains(&CANARY[..9]),
        "the start of the key leaked: {all}"
    );
}

#[test]
fn a_password_in_base_url_is_refused_and_not_shown() {
    let f = fixture("termii");
    let env = env_for(f, "http://user:URLPASS99@127.0.0.1:9");
    for args in [
        &["send", "--to", f.to, "--dry-run"][..],
        &["config", "show"][..],
        &["-v", "send", "--to", f.to][..],
    ] {
        let out = env.run(args);
        let all = format!("{}{}", support::stdout(&out), support::stderr(&out));
        assert!(!all.contains("URLPASS99"), "{args:?}: {all}");
    }
    assert_eq!(support::code(&env.run(&["send", "--to", f.to])), 3);
}

#[test]
fn international_prefixes_in_national_numbers_are_refused() {
    let env = Env::new().var("OTP_DEFAULT_COUNTRY", "GB");
    for to in ["0044 7700 900123", "00447700900123"] {
        let out = env.run(&["send", "--to", to, "-o", "json"]);
        assert_eq!(support::code(&out), 2, "{to}: {}", support::stderr(&out));
    }
    let out = Env::new().run(&["send", "--to", "+44 (0) 7700 900123", "-o", "json"]);
    assert_eq!(support::json(&out)["to"], "+447700900123");
}

#[test]
fn a_hanging_or_multi_line_secret_command_is_a_clear_config_error() {
    let f = fixture("termii");
    let env = Env::new();
    let base = (f.profile)("http://127.0.0.1:9");
    let line = base
        .lines()
        .find(|l| l.starts_with("api_key"))
        .unwrap()
        .to_string();
    env.config(&format!(
        "[profiles.t]\n{}",
        base.replace(&line, r#"api_key = { command = ["printf", "one\ntwo"] }"#)
    ));
    let out = env.run(&["send", "--to", f.to, "--dry-run"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("line break"),
        "{}",
        support::stderr(&out)
    );
    assert!(!support::stderr(&out).contains("two"));
}

#[test]
fn empty_otp_variables_mean_unset() {
    let env = Env::new()
        .var("OTP_CONFIG", "")
        .var("OTP_PROFILE", "")
        .var("OTP_OUTPUT", "")
        .var("OTP_TIMEOUT", "");
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
}

#[test]
fn other_commands_print_a_json_error_document() {
    let env = Env::new();
    let out = env.run(&["providers", "nope", "-o", "json"]);
    assert_eq!(support::code(&out), 2);
    assert_eq!(support::json(&out)["ok"], false);
    env.config("default_profile = \"nope\"\n[profiles.dev]\nprovider = \"console\"\n");
    let out = env.run(&["config", "show", "-o", "json"]);
    assert_eq!(support::code(&out), 3);
    assert_eq!(support::json(&out)["error"]["kind"], "config");
    // -p still reaches the profile that exists
    assert_eq!(
        support::code(&env.run(&["-p", "dev", "send", "--to", "+15551234567"])),
        0
    );
    let v = support::json(&env.run(&["config", "path", "-o", "json"]));
    assert!(v["path"].as_str().unwrap().ends_with("config.toml"));
}
