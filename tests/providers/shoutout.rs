//! ShoutOUT: the exact send and verify requests, the receipt, its rejections (HTTP and
//! 2xx-with-status), the values ShoutOUT chooses itself, and verify's status codes.

use super::battery::{self, mock, Fixture};
use crate::support::{self, Env, CANARY};
use httpmock::prelude::*;
use serde_json::json;

const TO: &str = "+94771234567";
const REF: &str = "f437c171-5fb2-11e7-a2aa-39a3d5b7c5e7";
const SUCCESS: &str = r#"{"referenceId":"f437c171-5fb2-11e7-a2aa-39a3d5b7c5e7","messageResult":{"status":"1001","description":"submit success","cost":1,"responses":[{"destination":"94771234567","reference_id":"82ec4200-5fb2-11e7-b2d4-2d3a6b1c7f2e","status":"1001","cost":1}]}}"#;

fn profile(base: &str) -> String {
    format!(
        "provider = \"shoutout\"\nbase_url = \"{base}\"\napi_key = \"{CANARY}\"\nsender = \"ShoutDEMO\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"shoutout\"\nbase_url = \"{base}\"\nsender = \"ShoutDEMO\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "shoutout",
    profile,
    profile_without_credentials,
    send_path: "/otpservice/send",
    to: TO,
    success_status: 200,
    success_body: SUCCESS,
    success_id: REF,
    auth_status: 403,
    auth_body: r#"{"message":"authentication failed"}"#,
    error_2xx_body: r#"{"referenceId":"f437c171","messageResult":{"status":"1007","description":"invalid source"}}"#,
};

fn env(server: &MockServer) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"t\"\n[profiles.t]\n{}",
        profile(&server.base_url())
    ));
    env
}

#[test]
fn send_makes_the_exact_request_and_reports_the_receipt() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/otpservice/send")
            .header("authorization", format!("Apikey {CANARY}"))
            .header("content-type", "application/json")
            .json_body(json!({
                "source": "ShoutDEMO",
                "destination": "94771234567",
                "content": {"sms": "Your verification code is {{code}}"},
                "transport": "sms",
            }));
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server);
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["id"], REF);
    assert_eq!(v["message_id"], "82ec4200-5fb2-11e7-b2d4-2d3a6b1c7f2e");
    assert_eq!(v["cost"], 1);
    assert_eq!(v["expires_at"], serde_json::Value::Null);
    assert_eq!(v["verify_with"], "provider");
    assert_eq!(v["to"], TO);
    m.assert();
    support::assert_no_leak(&out, &[]);

    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("accepted by shoutout"), "{text}");
    assert!(text.contains(&format!("id        {REF}")), "{text}");
    assert!(
        text.contains("message   82ec4200-5fb2-11e7-b2d4-2d3a6b1c7f2e"),
        "{text}"
    );
    assert!(text.contains("cost      1"), "{text}");
    assert!(!text.contains("expires"), "{text}");
    assert_eq!(m.hits(), 2);
}

#[test]
fn sender_flag_and_own_message_are_sent() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST).path("/otpservice/send").json_body(json!({
            "source": "Acme",
            "destination": "94771234567",
            "content": {"sms": "Acme: {{code}} is your code"},
            "transport": "sms",
        }));
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server);
    let out = env.run(&[
        "send",
        "--to",
        TO,
        "--sender",
        "Acme",
        "--message",
        "Acme: {{code}} is your code",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
}

#[test]
fn a_missing_sender_exits_3_with_a_hint_and_no_request() {
    let server = MockServer::start();
    let m = server.mock(|_, then| {
        then.status(200).body(SUCCESS);
    });
    let env = Env::new();
    env.config(&format!(
        "[profiles.t]\nprovider = \"shoutout\"\nbase_url = \"{}\"\napi_key = \"{CANARY}\"\n",
        server.base_url()
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["outcome"], "not_sent");
    assert_eq!(v["error"]["kind"], "config");
    let err = support::stderr(&out);
    assert!(err.contains("sender"), "{err}");
    assert!(err.contains("hint:") && err.contains("--sender"), "{err}");
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert_eq!(support::code(&out), 3);
    assert_eq!(m.hits(), 0);
}

#[test]
fn documented_rejections_exit_4() {
    let cases = [
        (403, r#"{"message":"authentication failed"}"#, "auth", None),
        (
            400,
            r#"{"message":"could not process"}"#,
            "invalid_request",
            None,
        ),
        (
            200,
            r#"{"referenceId":"x","messageResult":{"status":"1007","description":"invalid source"}}"#,
            "sender_refused",
            Some("1007"),
        ),
        (
            200,
            r#"{"status":"1005","description":"invalid request, destination must be E.164"}"#,
            "invalid_request",
            Some("1005"),
        ),
        (
            429,
            r#"{"message":"Too many requests"}"#,
            "rate_limited",
            None,
        ),
    ];
    for (status, body, kind, code) in cases {
        let server = MockServer::start();
        let m = mock(&server, POST, "/otpservice/send", status, body);
        let env = env(&server);
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        battery::assert_send_failed(&out, body, 4, kind, status, code);
        assert_eq!(m.hits(), 1);
        support::assert_no_leak(&out, &[]);
        if status == 200 {
            assert!(
                support::stderr(&out).contains("shoutout rejected the request"),
                "{}",
                support::stderr(&out)
            );
        }
    }
}

#[test]
fn values_shoutout_chooses_are_refused_with_zero_requests() {
    let server = MockServer::start();
    let m = server.mock(|_, then| {
        then.status(200).body(SUCCESS);
    });
    let env = env(&server);
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--length", "6"], &["shoutout", "length 6"]),
            (&["--ttl", "5m"], &["shoutout", "ttl 5m"]),
            (&["--attempts", "3"], &["shoutout", "attempts 3"]),
            (&["--pin-type", "numeric"], &["shoutout", "numeric"]),
            (&["--channel", "whatsapp"], &["shoutout", "whatsapp", "sms"]),
            (&["--channel", "voice"], &["shoutout", "voice", "sms"]),
            (
                &["--callback-url", "https://example.com/cb"],
                &["shoutout", "callback"],
            ),
            (&["--pin", "123456"], &["shoutout"]),
        ],
        2,
    );
    assert_eq!(m.hits(), 0);
}

#[test]
fn dry_run_shows_the_request_with_the_key_masked() {
    let server = MockServer::start();
    let m = server.mock(|_, then| {
        then.status(200).body(SUCCESS);
    });
    let env = env(&server);
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(
        text.contains(&format!("POST {}/otpservice/send", server.base_url())),
        "{text}"
    );
    assert!(text.contains("Authorization: Apikey ***"), "{text}");
    assert!(text.contains("\"source\": \"ShoutDEMO\""), "{text}");
    support::assert_no_leak(&out, &[]);

    let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
    assert_eq!(support::code(&out), 0);
    let v = support::json(&out);
    assert_eq!(v["outcome"], "dry_run");
    assert_eq!(v["request"]["method"], "POST");
    assert_eq!(v["request"]["headers"]["Authorization"], "Apikey ***");
    assert_eq!(
        v["request"]["body"],
        json!({
            "source": "ShoutDEMO",
            "destination": "94771234567",
            "content": {"sms": "Your verification code is {{code}}"},
            "transport": "sms",
        })
    );
    support::assert_no_leak(&out, &[]);
    assert_eq!(m.hits(), 0);
}

#[test]
fn lenient_success_variants_parse() {
    for (status, body, cost) in [
        (
            201,
            r#"{"referenceId":"f437c171-5fb2-11e7-a2aa-39a3d5b7c5e7","messageResult":{"status":1001,"cost":"1.5"}}"#,
            json!("1.5"),
        ),
        (
            200,
            r#"{"referenceId":"f437c171-5fb2-11e7-a2aa-39a3d5b7c5e7","messageResult":{"status":"1001","responses":[]}}"#,
            serde_json::Value::Null,
        ),
    ] {
        let server = MockServer::start();
        mock(&server, POST, "/otpservice/send", status, body);
        let env = env(&server);
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{body}: {}", support::stderr(&out));
        let v = support::json(&out);
        assert_eq!(v["id"], REF);
        assert_eq!(v["message_id"], serde_json::Value::Null);
        assert_eq!(v["cost"], cost);
    }
}

/// Send once against the mock, so a local record names the profile and provider.
fn sent(server: &MockServer) -> Env {
    let env = env(server);
    let mut m = mock(server, POST, "/otpservice/send", 200, SUCCESS);
    let out = env.run(&["send", "--to", TO, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::stdout(&out).trim(), REF);
    m.delete();
    env
}

#[test]
fn verify_sends_the_exact_request_and_succeeds_on_1000() {
    let server = MockServer::start();
    let env = sent(&server);
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/otpservice/verify")
            .header("authorization", format!("Apikey {CANARY}"))
            .header("content-type", "application/json")
            .json_body(json!({"code": "87XQZ", "referenceId": REF}));
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"referenceId":"f437c171-5fb2-11e7-a2aa-39a3d5b7c5e7","code":"87XQZ","statusCode":"1000","description":"verification success"}"#);
    });
    let out = env.run(&["verify", "--id", REF, "--code", "87XQZ", "-o", "json", "-v"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["outcome"], "verified");
    assert_eq!(v["ok"], true);
    assert_eq!(v["provider"], "shoutout");
    m.assert();
    support::assert_no_leak(&out, &["87XQZ"]);

    // single use: the local record now says it was used, without a call
    let out = env.run(&["verify", "--id", REF, "--code", "87XQZ", "-o", "json"]);
    assert_eq!(support::code(&out), 1);
    assert_eq!(support::json(&out)["reason"], "already_used");
    assert_eq!(m.hits(), 1);
}

#[test]
fn verify_failures_carry_their_reason() {
    let cases = [
        (
            200,
            r#"{"statusCode":"1001","description":"invalid code"}"#,
            "wrong_code",
        ),
        (
            400,
            r#"{"statusCode":"1001","description":"invalid code"}"#,
            "wrong_code",
        ),
        (
            200,
            r#"{"statusCode":1002,"description":"code expired"}"#,
            "expired",
        ),
        (
            400,
            r#"{"statusCode":"1002","description":"code expired"}"#,
            "expired",
        ),
        (
            200,
            r#"{"statusCode":"1099","description":"something else"}"#,
            "wrong_code",
        ),
    ];
    for (status, body, reason) in cases {
        let server = MockServer::start();
        let env = sent(&server);
        let m = mock(&server, POST, "/otpservice/verify", status, body);
        let out = env.run(&["verify", "--id", REF, "--code", "11111", "-o", "json"]);
        assert_eq!(support::code(&out), 1, "{body}: {}", support::stderr(&out));
        let v = support::json(&out);
        assert_eq!(v["outcome"], "not_verified", "{body}");
        assert_eq!(v["reason"], reason, "{body}");
        assert_eq!(v["error"]["kind"], reason, "{body}");
        assert!(v["error"]["provider_code"].is_string(), "{v}");
        assert_eq!(m.hits(), 1);
    }
}

#[test]
fn verify_call_failures_are_not_a_verdict() {
    for (status, body, code, kind) in [
        (403, r#"{"message":"authentication failed"}"#, 4, "auth"),
        (
            400,
            r#"{"message":"could not process"}"#,
            4,
            "invalid_request",
        ),
        (502, "<html>bad gateway</html>", 6, "server"),
        (200, "{}", 6, "bad_response"),
    ] {
        let server = MockServer::start();
        let env = sent(&server);
        mock(&server, POST, "/otpservice/verify", status, body);
        let out = env.run(&["verify", "--id", REF, "--code", "11111", "-o", "json"]);
        battery::assert_failure(&out, body, code, kind);
        support::assert_no_leak(&out, &["11111"]);
    }
}

#[test]
fn a_reference_without_message_result_is_accepted_with_a_warning() {
    let server = MockServer::start();
    let m = mock(
        &server,
        POST,
        "/otpservice/send",
        200,
        r#"{"referenceId":"f437c171-5fb2-11e7-a2aa-39a3d5b7c5e7"}"#,
    );
    let env = env(&server);
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["id"], REF);
    let err = support::stderr(&out);
    assert!(
        err.contains("otp: warning:") && err.contains("messageResult"),
        "{err}"
    );
    assert_eq!(m.hits(), 1);
    support::assert_no_leak(&out, &[]);
    // the id verifies like any other
    let v = server.mock(|when, then| {
        when.method(POST).path("/otpservice/verify");
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"statusCode":"1000"}"#);
    });
    let out = env.run(&["verify", "--id", REF, "--code", "87XQZ"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(v.hits(), 1);
}
