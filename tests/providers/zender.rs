//! Zender: the exact form requests (devices, credits, WhatsApp), the body `status` that
//! decides whatever the HTTP status, the returned PIN that is never printed and only
//! kept hashed, the profile keys a send needs, and verify by code with the local hash
//! checked first.

use super::battery::{self, Fixture};
use crate::support::{self, faults, Env, CANARY};
use httpmock::prelude::*;
use serde_json::json;

const TO: &str = "+639184661533";
const PIN: &str = "345678";
const DEVICE: &str = "00000000-0000-0000-d57d-f30cb6a89289";
const SUCCESS: &str = r#"{"status":200,"message":"OTP has been sent!","data":{"phone":"+639184661533","message":"Your verification code is 345678","otp":345678}}"#;
const VERIFIED: &str = r#"{"status":200,"message":"OTP has been verified!","data":false}"#;
const INVALID: &str = r#"{"status":403,"message":"OTP is invalid or expired!","data":false}"#;

fn profile(base: &str) -> String {
    format!(
        "provider = \"zender\"\nbase_url = \"{base}\"\napi_key = \"{CANARY}\"\ndevice = \"{DEVICE}\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"zender\"\nbase_url = \"{base}\"\ndevice = \"{DEVICE}\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "zender",
    profile,
    profile_without_credentials,
    send_path: "/api/send/otp",
    to: TO,
    success_status: 200,
    success_body: SUCCESS,
    success_id: "",
    auth_status: 401,
    auth_body: r#"{"status":401,"message":"Invalid API secret!","data":false}"#,
    error_2xx_body: r#"{"status":400,"message":"Invalid Parameters!","data":false}"#,
};

fn env_with(extra: &str, base: &str, provider: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"t\"\n[profiles.t]\nprovider = \"{provider}\"\nbase_url = \"{base}\"\napi_key = \"{CANARY}\"\n{extra}"
    ));
    env
}

fn env(server: &MockServer) -> Env {
    env_with(
        &format!("device = \"{DEVICE}\"\n"),
        &server.base_url(),
        "zender",
    )
}

fn send_mock<'a>(server: &'a MockServer, status: u16, body: &str) -> httpmock::Mock<'a> {
    battery::mock(server, POST, "/api/send/otp", status, body)
}

fn form(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// No PIN, no secret, in any output or any file `otp` wrote.
fn assert_clean(env: &Env, out: &std::process::Output) {
    support::assert_no_leak(out, &[PIN]);
    for (path, bytes) in env.written_files() {
        support::assert_text_clean(&String::from_utf8_lossy(&bytes), &[PIN]);
        assert!(!path.to_string_lossy().contains(PIN));
    }
}

#[test]
fn sms_in_devices_mode_is_the_exact_form_and_the_pin_stays_hidden() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/api/send/otp")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("secret", CANARY),
                ("type", "sms"),
                ("message", "Your verification code is {{otp}}"),
                ("phone", TO),
                ("expire", "300"),
                ("mode", "devices"),
                ("device", DEVICE),
                ("sim", "2"),
            ]));
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env_with(
        &format!("device = \"{DEVICE}\"\nsim = 2\n"),
        &server.base_url(),
        "zender",
    );
    let out = env.run(&["send", "--to", TO, "-o", "json", "-v"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["provider"], "zender");
    assert_eq!(v["verify_with"], "provider");
    let id = v["id"].as_str().unwrap();
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(id.matches('-').count(), 4, "{id}");
    assert_eq!(v["message_id"], serde_json::Value::Null);
    assert_eq!(v["cost"], serde_json::Value::Null);
    let expires = v["expires_at"]
        .as_str()
        .expect("expires_at from the ttl sent");
    let left = humantime::parse_rfc3339(expires)
        .unwrap()
        .duration_since(std::time::SystemTime::now())
        .unwrap()
        .as_secs();
    assert!((290..=300).contains(&left), "{left}");
    m.assert();
    // -v traced the reply, which holds the PIN twice: masked
    assert!(support::stderr(&out).contains("OTP has been sent"));
    assert_clean(&env, &out);

    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("accepted by zender"), "{text}");
    assert!(text.contains("expires   "), "{text}");
    assert!(!text.contains("message   "), "{text}");
    assert_clean(&env, &out);
}

#[test]
fn credits_mode_whatsapp_ttl_and_alias() {
    let server = MockServer::start();
    let credits = server.mock(|when, then| {
        when.method(POST).path("/api/send/otp").body(form(&[
            ("secret", CANARY),
            ("type", "sms"),
            ("message", "Code {{otp}}"),
            ("phone", TO),
            ("expire", "90"),
            ("mode", "credits"),
            ("gateway", "12"),
        ]));
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let whatsapp = server.mock(|when, then| {
        when.method(POST).path("/api/send/otp").body(form(&[
            ("secret", CANARY),
            ("type", "whatsapp"),
            ("message", "Code {{otp}}"),
            ("phone", TO),
            ("expire", "300"),
            ("account", "wa-acc-1"),
            ("priority", "1"),
        ]));
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env_with(
        "mode = \"credits\"\ngateway = 12\naccount = \"wa-acc-1\"\npriority = 1\nmessage = \"Code {{code}}\"\n",
        &server.base_url(),
        "androidapi",
    );
    let out = env.run(&["send", "--to", TO, "--ttl", "90s", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["provider"], "zender");
    credits.assert();
    let out = env.run(&["send", "--to", TO, "--channel", "whatsapp"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    whatsapp.assert();
}

#[test]
fn the_body_status_decides_even_with_http_200() {
    let cases = [
        (
            200,
            r#"{"status":400,"message":"Invalid Parameters!","data":false}"#,
            4,
            "invalid_request",
            "400",
        ),
        (
            200,
            r#"{"status":401,"message":"Invalid API secret!","data":false}"#,
            4,
            "auth",
            "401",
        ),
        (
            200,
            r#"{"status":403,"message":"Access denied!","data":false}"#,
            4,
            "auth",
            "403",
        ),
        (
            200,
            r#"{"status":"404","message":"Device doesn't exist!","data":false}"#,
            4,
            "not_found",
            "404",
        ),
        (
            404,
            r#"{"status":404,"message":"Device doesn't exist!","data":false}"#,
            4,
            "not_found",
            "404",
        ),
        (
            200,
            r#"{"status":500,"message":"Something went wrong!","data":false}"#,
            6,
            "server",
            "500",
        ),
    ];
    for (http, body, exit, kind, code) in cases {
        let server = MockServer::start();
        let m = send_mock(&server, http, body);
        let env = env(&server);
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        battery::assert_send_failed(&out, body, exit, kind, http, Some(code));
        assert_eq!(m.hits(), 1);
        let err = support::stderr(&out);
        assert!(err.contains("hint:"), "{body}: {err}");
        assert_clean(&env, &out);
        assert!(!env.state_dir().join("records.json").exists(), "{body}");
    }
}

#[test]
fn lenient_success_variants_parse() {
    for body in [
        r#"{"status":"200","message":"OTP has been sent!","data":{"otp":"345678"}}"#,
        r#"{"status":200,"data":{"phone":"+639184661533","otp":345678}}"#,
    ] {
        let server = MockServer::start();
        send_mock(&server, 200, body);
        let env = env(&server);
        let out = env.run(&["send", "--to", TO, "-o", "json", "-v"]);
        assert_eq!(support::code(&out), 0, "{body}: {}", support::stderr(&out));
        assert_eq!(support::json(&out)["outcome"], "accepted");
        assert_clean(&env, &out);
    }
}

#[test]
fn values_zender_cannot_take_exit_2_with_zero_requests() {
    let server = MockServer::start();
    let m = send_mock(&server, 200, SUCCESS);
    let env = env_with(
        &format!("device = \"{DEVICE}\"\nmax_ttl = \"3d\"\n"),
        &server.base_url(),
        "zender",
    );
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--ttl", "2d"], &["zender", "1s to 86400s", "2days"]),
            (
                &["--ttl", "1500ms"],
                &["zender", "whole seconds", "1s 500ms"],
            ),
            (&["--length", "6"], &["zender", "length 6"]),
            (&["--attempts", "3"], &["zender", "attempts 3"]),
            (&["--pin-type", "alphanumeric"], &["zender", "alphanumeric"]),
            (
                &["--channel", "voice"],
                &["zender", "voice", "sms, whatsapp"],
            ),
            (&["--pin", "123456"], &["zender"]),
            (
                &["--callback-url", "https://example.com/cb"],
                &["zender", "callback"],
            ),
        ],
        2,
    );
    assert_eq!(m.hits(), 0);
}

#[test]
fn profile_keys_a_send_needs_exit_3_naming_the_key() {
    let server = MockServer::start();
    let m = send_mock(&server, 200, SUCCESS);
    for (extra, args, key) in [
        ("", vec![], "device"),
        ("mode = \"credits\"\n", vec![], "gateway"),
        (
            &format!("device = \"{DEVICE}\"\n") as &str,
            vec!["--channel", "whatsapp"],
            "account",
        ),
        ("mode = \"cloud\"\n", vec![], "mode"),
        (&format!("device = \"{DEVICE}\"\nsim = 3\n"), vec![], "sim"),
        (
            "mode = \"credits\"\ngateway = \"1\"\nsim = 1\n",
            vec![],
            "sim",
        ),
        (
            &format!("device = \"{DEVICE}\"\npriority = 5\n"),
            vec![],
            "priority",
        ),
    ] {
        let env = env_with(extra, &server.base_url(), "zender");
        let mut a = vec!["send", "--to", TO, "-o", "json"];
        a.extend(args.iter());
        let out = env.run(&a);
        let err = support::stderr(&out);
        assert_eq!(support::code(&out), 3, "{extra}: {err}");
        let v = support::json(&out);
        assert_eq!(v["error"]["kind"], "config");
        assert_eq!(v["outcome"], "not_sent");
        assert!(err.contains(key), "{extra}: {err}");
        assert!(err.contains("hint:"), "{extra}: {err}");
        let mut d = a.clone();
        d.push("--dry-run");
        assert_eq!(support::code(&env.run(&d)), 3, "{extra}");
    }
    // the same key from the environment is enough
    let env = env_with("", &server.base_url(), "zender").var("OTP_DEVICE", DEVICE);
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(m.hits(), 0);
}

#[test]
fn dry_run_shows_the_form_with_the_secret_masked() {
    let server = MockServer::start();
    let m = send_mock(&server, 200, SUCCESS);
    let env = env(&server);
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(
        text.contains(&format!("POST {}/api/send/otp", server.base_url())),
        "{text}"
    );
    assert!(
        text.contains("Content-Type: application/x-www-form-urlencoded"),
        "{text}"
    );
    assert!(text.contains("secret=***&type=sms&"), "{text}");
    support::assert_no_leak(&out, &[]);
    let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(v["outcome"], "dry_run");
    assert_eq!(
        v["request"]["body"],
        json!({
            "secret": "***", "type": "sms", "message": "Your verification code is {{otp}}",
            "phone": TO, "expire": "300", "mode": "devices", "device": DEVICE,
        })
    );
    assert_eq!(m.hits(), 0);
}

/// Send once (the mock returns data.otp 345678), so a local record with its hash exists.
fn sent(server: &MockServer) -> (Env, String) {
    let env = env(server);
    let mut m = send_mock(server, 200, SUCCESS);
    let out = env.run(&["send", "--to", TO, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.delete();
    (env, support::stdout(&out).trim().to_string())
}

fn verify_mock<'a>(
    server: &'a MockServer,
    code: &str,
    status: u16,
    body: &str,
) -> httpmock::Mock<'a> {
    let (code, body) = (code.to_string(), body.to_string());
    server.mock(move |when, then| {
        when.method(GET)
            .path("/api/get/otp")
            .query_param("secret", CANARY)
            .query_param("otp", code);
        then.status(status)
            .header("content-type", "application/json")
            .body(body);
    })
}

#[test]
fn verify_the_returned_pin_asks_zender_once() {
    let server = MockServer::start();
    let (env, id) = sent(&server);
    let m = verify_mock(&server, PIN, 200, VERIFIED);
    let out = env.run(&["verify", "--id", &id, "--code", PIN, "-o", "json", "-v"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["outcome"], "verified");
    assert_eq!(v["provider"], "zender");
    m.assert();
    assert!(
        support::stderr(&out).contains("GET "),
        "-v shows the request"
    );
    assert_clean(&env, &out);
    // used: the record says so, with no call
    let out = env.run(&["verify", "--id", &id, "--code", PIN, "-o", "json"]);
    assert_eq!(support::code(&out), 1);
    assert_eq!(support::json(&out)["reason"], "already_used");
    assert_eq!(m.hits(), 1);
}

#[test]
fn a_code_that_is_not_the_returned_pin_is_wrong_without_a_call() {
    let server = MockServer::start();
    let (env, id) = sent(&server);
    let any = server.mock(|when, then| {
        when.method(GET).path("/api/get/otp");
        then.status(200)
            .header("content-type", "application/json")
            .body(VERIFIED);
    });
    let out = env.run(&["verify", "--id", &id, "--code", "111111", "-o", "json"]);
    assert_eq!(support::code(&out), 1, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["outcome"], "not_verified");
    assert_eq!(v["reason"], "wrong_code");
    assert_eq!(any.hits(), 0);
    assert_clean(&env, &out);
}

#[test]
fn zender_refusing_the_code_it_sent_means_expired() {
    let server = MockServer::start();
    let (env, id) = sent(&server);
    let m = verify_mock(&server, PIN, 200, INVALID);
    let out = env.run(&["verify", "--id", &id, "--code", PIN, "-o", "json"]);
    assert_eq!(support::code(&out), 1, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["reason"], "expired");
    assert_eq!(v["error"]["provider_code"], "403");
    assert!(
        support::stderr(&out).contains("expired or was used"),
        "{}",
        support::stderr(&out)
    );
    assert_eq!(m.hits(), 1);
    assert_clean(&env, &out);
}

#[test]
fn verify_error_paths_print_no_secret() {
    for (http, body, exit, kind) in [
        (
            200,
            r#"{"status":401,"message":"Invalid API secret!","data":false}"#,
            4,
            "auth",
        ),
        (
            403,
            r#"{"status":403,"message":"Access denied!","data":false}"#,
            4,
            "auth",
        ),
        (
            200,
            r#"{"status":400,"message":"Invalid Parameters!","data":false}"#,
            4,
            "invalid_request",
        ),
        (
            200,
            r#"{"status":500,"message":"Something went wrong!","data":false}"#,
            6,
            "server",
        ),
        (502, "<html>bad gateway</html>", 6, "server"),
        (200, "{}", 6, "bad_response"),
    ] {
        let server = MockServer::start();
        let (env, id) = sent(&server);
        let m = verify_mock(&server, PIN, http, body);
        let out = env.run(&["verify", "--id", &id, "--code", PIN, "-o", "json", "-v"]);
        battery::assert_failure(&out, body, exit, kind);
        assert_eq!(m.hits(), 1);
        assert_clean(&env, &out);
    }
}

#[test]
fn verify_transport_failures_print_no_secret() {
    let server = MockServer::start();
    let (env, id) = sent(&server);
    for fault in [faults::Fault::Refuse, faults::Fault::ReadThenClose] {
        let bad = faults::FaultServer::start(fault);
        // the record's profile now points at the failing server
        env.config(&format!(
            "default_profile = \"t\"\n[profiles.t]\n{}",
            profile(&bad.url())
        ));
        let out = env.run(&["verify", "--id", &id, "--code", PIN, "-o", "json", "-v"]);
        let c = support::code(&out);
        assert!(c == 5 || c == 6, "{c}: {}", support::stderr(&out));
        assert_eq!(support::json(&out)["ok"], false);
        assert_clean(&env, &out);
    }
}

#[test]
fn verify_without_the_local_record_is_unknown_id_without_a_call() {
    let server = MockServer::start();
    let any = server.mock(|when, then| {
        when.method(GET).path("/api/get/otp");
        then.status(200)
            .header("content-type", "application/json")
            .body(VERIFIED);
    });
    let env = env(&server);
    let out = env.run(&[
        "verify",
        "--id",
        "5f0c1a52-0000-4000-8000-000000000000",
        "--code",
        PIN,
        "-o",
        "json",
    ]);
    assert_eq!(support::code(&out), 1, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["reason"], "unknown_id");
    assert_eq!(any.hits(), 0);
}

#[test]
fn one_body_status_many_causes_each_with_its_kind_and_hint() {
    for (status, message, exit, kind, hint) in [
        (
            403,
            "Not enough credits to send the messages!",
            4,
            "insufficient_funds",
            "top up",
        ),
        (
            500,
            "Not enough credits to send the messages!",
            4,
            "insufficient_funds",
            "top up",
        ),
        (
            403,
            "Maximum allowed number of sent messages has been reached!",
            4,
            "rate_limited",
            "quota",
        ),
        (
            403,
            "Account is not subscribed to any package!",
            4,
            "auth",
            "plan",
        ),
        (
            403,
            "Subscription has no permission to use SMS services!",
            4,
            "auth",
            "upgrade the plan",
        ),
        (
            403,
            "Device is not available!",
            4,
            "invalid_request",
            "device and mode",
        ),
        (401, "Invalid API secret supplied!", 4, "auth", "api_key"),
        (
            403,
            "This API key doesn't have permission to use this endpoint!",
            4,
            "auth",
            "api_key",
        ),
    ] {
        let body = format!(r#"{{"status":{status},"message":"{message}","data":false}}"#);
        let server = MockServer::start();
        let m = send_mock(&server, 200, &body);
        let env = env(&server);
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        let v =
            battery::assert_send_failed(&out, message, exit, kind, 200, Some(&status.to_string()));
        assert!(
            v["error"]["message"].as_str().unwrap().contains(message),
            "{v}"
        );
        let err = support::stderr(&out);
        let hint_line = err
            .lines()
            .find(|l| l.starts_with("hint:"))
            .unwrap_or_default();
        assert!(hint_line.contains(hint), "{message}: {err}");
        assert_eq!(
            hint_line.contains("api_key"),
            hint == "api_key",
            "{message}: {err}"
        );
        assert_eq!(m.hits(), 1);
        assert_clean(&env, &out);
    }
}
