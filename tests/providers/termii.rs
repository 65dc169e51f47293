//! Termii against a local mock: the exact send and verify requests, receipts, every
//! documented rejection, the limits checked before any request, and verify's answers.

use super::battery::{self, mock, Fixture};
use crate::support::{self, Env, CANARY};
use httpmock::prelude::*;
use serde_json::json;

const TO: &str = "+2347065250817";
const PIN_ID: &str = "b1f2242a-44c5-4eed-94bc-8d37b67ef219";
const SUCCESS: &str = r#"{"smsStatus":"Message Sent","phone_number":"2347065250817","to":"2347065250817","pinId":"b1f2242a-44c5-4eed-94bc-8d37b67ef219","pin_id":"b1f2242a-44c5-4eed-94bc-8d37b67ef219","message_id_str":"3017600245086449408013699","status":"200"}"#;

fn profile(base: &str) -> String {
    format!(
        "provider = \"termii\"\nbase_url = \"{base}\"\napi_key = \"{CANARY}\"\nsender = \"Acme\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"termii\"\nbase_url = \"{base}\"\nsender = \"Acme\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "termii",
    profile,
    profile_without_credentials,
    send_path: "/api/sms/otp/send",
    to: TO,
    success_status: 200,
    success_body: SUCCESS,
    success_id: PIN_ID,
    auth_status: 401,
    auth_body: r#"{"message":"Invalid API key"}"#,
    error_2xx_body: r#"{"code":"400","message":"Country route not active"}"#,
};

fn env(base: &str, extra: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"ng\"\n[profiles.ng]\n{}{extra}",
        profile(base)
    ));
    env
}

#[test]
fn send_request_is_exact() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/api/sms/otp/send")
            .header("content-type", "application/json")
            .json_body(json!({
                "api_key": CANARY,
                "message_type": "NUMERIC",
                "pin_type": "NUMERIC",
                "to": "2347065250817",
                "from": "Acme",
                "channel": "generic",
                "pin_attempts": 3,
                "pin_time_to_live": 5,
                "pin_length": 6,
                "pin_placeholder": "< 1234 >",
                "message_text": "Your Acme code is < 1234 >. It expires in 5 minutes.",
            }));
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(
        &server.base_url(),
        "message = \"Your Acme code is {{code}}. It expires in {{minutes}} minutes.\"\n",
    );
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
    support::assert_no_leak(&out, &[]);
}

#[test]
fn chosen_values_route_and_whatsapp_reach_the_body() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/api/sms/otp/send")
            .json_body_partial(
                r#"{"channel":"whatsapp","pin_type":"ALPHANUMERIC","message_type":"ALPHANUMERIC",
                    "pin_length":8,"pin_time_to_live":60,"pin_attempts":10,"from":"Other"}"#,
            );
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let m2 = server.mock(|when, then| {
        when.method(POST)
            .path("/api/sms/otp/send")
            .json_body_partial(r#"{"channel":"dnd"}"#);
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server.base_url(), "max_ttl = \"1h\"\nroute = \"dnd\"\n");
    let out = env.run(&[
        "send",
        "--to",
        TO,
        "--channel",
        "whatsapp",
        "--pin-type",
        "alphanumeric",
        "--length",
        "8",
        "--ttl",
        "60m",
        "--attempts",
        "10",
        "--sender",
        "Other",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(m.hits(), 1);
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(m2.hits(), 1);
}

#[test]
fn receipt_in_text_and_json() {
    let server = MockServer::start();
    mock(&server, POST, "/api/sms/otp/send", 200, SUCCESS);
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["provider"], "termii");
    assert_eq!(v["profile"], "ng");
    assert_eq!(v["to"], TO);
    assert_eq!(v["id"], PIN_ID);
    assert_eq!(v["message_id"], "3017600245086449408013699");
    assert_eq!(v["verify_with"], "provider");
    assert!(v["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["cost"], serde_json::Value::Null);
    assert_eq!(v["error"], serde_json::Value::Null);

    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0);
    let text = support::stdout(&out);
    assert!(text.contains("accepted by termii"), "{text}");
    assert!(text.contains(&format!("id        {PIN_ID}")), "{text}");
    assert!(
        text.contains("message   3017600245086449408013699"),
        "{text}"
    );
    assert!(text.contains("expires   "), "{text}");
    support::assert_no_leak(&out, &[]);
}

#[test]
fn lenient_success_shapes_parse() {
    for (body, id, mid) in [
        (
            r#"{"pinId":"p-1","to":"2347065250817","smsStatus":"Message Sent"}"#,
            "p-1",
            None,
        ),
        (
            r#"{"pinId":"p-2","status":200,"message_id_str":"77"}"#,
            "p-2",
            Some("77"),
        ),
        (r#"{"pin_id":"p-3","status":"200"}"#, "p-3", None),
    ] {
        let server = MockServer::start();
        mock(&server, POST, "/api/sms/otp/send", 200, body);
        let env = env(&server.base_url(), "");
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{body}: {}", support::stderr(&out));
        let v = support::json(&out);
        assert_eq!(v["id"], id, "{body}");
        assert_eq!(v["message_id"].as_str(), mid, "{body}");
    }
}

#[test]
fn documented_rejections_exit_4() {
    for (status, body, kind, code) in [
        (401, r#"{"message":"Invalid API key"}"#, "auth", None),
        (
            403,
            r#"{"message":"Your key lacks permission"}"#,
            "auth",
            None,
        ),
        (
            400,
            r#"{"code":400,"message":"Invalid sender ID"}"#,
            "invalid_request",
            Some("400"),
        ),
        (
            422,
            r#"{"message":"The pin length field must be between 4 and 8"}"#,
            "invalid_request",
            None,
        ),
        (
            400,
            r#"{"message":"Insufficient balance"}"#,
            "insufficient_funds",
            None,
        ),
        (
            429,
            r#"{"message":"Too many requests"}"#,
            "rate_limited",
            None,
        ),
        (
            200,
            r#"{"code":"400","message":"Country route not active"}"#,
            "invalid_request",
            Some("400"),
        ),
    ] {
        let server = MockServer::start();
        let m = mock(&server, POST, "/api/sms/otp/send", status, body);
        let env = env(&server.base_url(), "");
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        let v = battery::assert_send_failed(&out, body, 4, kind, status, code);
        assert_eq!(v["id"], serde_json::Value::Null);
        assert_eq!(m.hits(), 1);
        let err = support::stderr(&out);
        assert!(err.contains("termii rejected the request"), "{err}");
        support::assert_no_leak(&out, &[]);
    }
}

/// A 200 that carries no `pinId` and none of Termii's error statuses may describe a
/// send that went out, whatever its words: unknown (exit 6), never a refusal.
#[test]
fn a_200_in_no_documented_shape_is_unknown() {
    for body in [
        r#"{"message":"Your account is not active"}"#,
        r#"{"message":"Message queued on sender ACME"}"#,
        r#"{"message":"Sent successfully, balance remaining 12.50"}"#,
    ] {
        let server = MockServer::start();
        let m = mock(&server, POST, "/api/sms/otp/send", 200, body);
        let env = env(&server.base_url(), "");
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        battery::assert_send_failed(&out, body, 6, "bad_response", 200, None);
        assert_eq!(m.hits(), 1);
    }
}

#[test]
fn out_of_range_values_exit_2_with_zero_requests() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    let env = env(
        &server.base_url(),
        "max_ttl = \"2h\"\nallow_short_pins = true\n",
    );
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--length", "3"][..], &["termii", "3", "4 to 8"][..]),
            (&["--length", "9"], &["termii", "9", "4 to 8"]),
            (&["--ttl", "90s"], &["termii", "1m 30s", "1m to 60m"]),
            (&["--ttl", "61m"], &["termii", "1h 1m", "1m to 60m"]),
            (&["--ttl", "30s"], &["termii", "30s", "1m to 60m"]),
            (&["--attempts", "0"], &["termii", "0", "1 to 10"]),
            (&["--attempts", "11"], &["termii", "11", "1 to 10"]),
            (
                &["--pin-type", "letters"],
                &["termii", "letters", "numeric or alphanumeric"],
            ),
            (
                &["--channel", "voice"],
                &["termii", "voice", "sms, whatsapp"],
            ),
            (
                &["--sender", "AVeryLongSenderName"],
                &["termii", "AVeryLongSenderName", "3 to 11"],
            ),
            (&["--pin", "123456"], &["termii", "--pin"]),
            (
                &["--callback-url", "https://example.com/cb"],
                &["termii", "--callback-url"],
            ),
        ],
        2,
    );
    assert_eq!(m.hits(), 0);
}

#[test]
fn config_errors_exit_3_with_zero_requests() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    // No sender anywhere.
    let env = Env::new();
    env.config(&format!(
        "[profiles.ng]\n{}",
        profile(&server.base_url()).replace("sender = \"Acme\"\n", "")
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["error"]["kind"], "config");
    let err = support::stderr(&out);
    assert!(err.contains("sender"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    // A route Termii does not have.
    let env = self::env(&server.base_url(), "route = \"premium\"\n");
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("generic or dnd"));
    assert_eq!(m.hits(), 0);
}

#[test]
fn dry_run_masks_the_key_and_sends_nothing() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("POST http://127.0.0.1"), "{text}");
    assert!(text.contains("/api/sms/otp/send"), "{text}");
    assert!(text.contains("\"api_key\": \"***\""), "{text}");
    assert!(
        text.contains("\"message_text\": \"Your verification code is < 1234 >\""),
        "{text}"
    );
    support::assert_no_leak(&out, &[]);

    let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
    assert_eq!(support::code(&out), 0);
    let v = support::json(&out);
    assert_eq!(v["outcome"], "dry_run");
    assert_eq!(v["request"]["method"], "POST");
    assert_eq!(v["request"]["body"]["api_key"], "***");
    assert_eq!(v["request"]["body"]["to"], "2347065250817");
    assert_eq!(v["request"]["body"]["pin_length"], 6);
    assert_eq!(v["request"]["headers"]["Content-Type"], "application/json");
    support::assert_no_leak(&out, &[]);
    assert_eq!(m.hits(), 0);
}

/// Send against the mock so a local record exists; the server then takes verify mocks.
fn sent(extra: &str) -> (MockServer, Env) {
    let server = MockServer::start();
    let env = env(&server.base_url(), extra);
    {
        let m = mock(&server, POST, "/api/sms/otp/send", 200, SUCCESS);
        let out = env.run(&["send", "--to", TO, "-q"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        assert_eq!(support::stdout(&out).trim(), PIN_ID);
        m.assert();
    }
    (server, env)
}

fn verify(env: &Env, code: &str) -> std::process::Output {
    env.run(&["verify", "--id", PIN_ID, "--code", code, "-o", "json"])
}

#[test]
fn verify_request_is_exact_and_true_verifies() {
    for body in [
        r#"{"pinId":"b1f2242a-44c5-4eed-94bc-8d37b67ef219","verified":"True","msisdn":"2347065250817"}"#,
        r#"{"pinId":"b1f2242a-44c5-4eed-94bc-8d37b67ef219","verified":true,"msisdn":"2347065250817"}"#,
    ] {
        let (server, env) = sent("");
        let m = server.mock(|when, then| {
            when.method(POST)
                .path("/api/sms/otp/verify")
                .header("content-type", "application/json")
                .json_body(json!({"api_key": CANARY, "pin_id": PIN_ID, "pin": "195558"}));
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        });
        let out = verify(&env, "195558");
        assert_eq!(support::code(&out), 0, "{body}: {}", support::stderr(&out));
        m.assert();
        let v = support::json(&out);
        support::assert_report_shape(&v);
        assert_eq!(v["outcome"], "verified");
        assert_eq!(v["ok"], true);
        assert_eq!(v["provider"], "termii");
        assert_eq!(v["verify_with"], "provider");
        support::assert_no_leak(&out, &["195558"]);

        // The record is used now: a second verify says so without asking Termii.
        let out = verify(&env, "195558");
        assert_eq!(support::code(&out), 1);
        assert_eq!(support::json(&out)["reason"], "already_used");
        assert_eq!(m.hits(), 1);
    }
}

#[test]
fn verify_failures_have_reasons() {
    for (status, body, reason, kind) in [
        (
            200,
            r#"{"pinId":"x","verified":"False","msisdn":"2347065250817"}"#,
            "wrong_code",
            "wrong_code",
        ),
        (
            200,
            r#"{"pinId":"x","verified":false,"attemptsRemaining":2}"#,
            "wrong_code",
            "wrong_code",
        ),
        (
            200,
            r#"{"pinId":"x","verified":false,"msisdn":"2347065250817","attemptsRemaining":0}"#,
            "attempts_exhausted",
            "attempts_exhausted",
        ),
        (
            200,
            r#"{"pinId":"x","verified":"Expired","msisdn":"2347065250817"}"#,
            "expired",
            "expired",
        ),
        (
            404,
            r#"{"message":"Pin not found"}"#,
            "unknown_id",
            "not_found",
        ),
        (
            400,
            r#"{"status":400,"message":"Pin ID does not exist"}"#,
            "unknown_id",
            "not_found",
        ),
    ] {
        let (server, env) = sent("");
        let m = mock(&server, POST, "/api/sms/otp/verify", status, body);
        let out = verify(&env, "000000");
        assert_eq!(support::code(&out), 1, "{body}: {}", support::stderr(&out));
        let v = support::json(&out);
        support::assert_report_shape(&v);
        assert_eq!(v["outcome"], "not_verified", "{body}");
        assert_eq!(v["reason"], reason, "{body}");
        assert_eq!(v["error"]["kind"], kind, "{body}");
        assert_eq!(m.hits(), 1);
        support::assert_no_leak(&out, &[]);
    }
}

#[test]
fn exhausted_attempts_lock_the_local_record() {
    let (server, env) = sent("");
    let m = mock(
        &server,
        POST,
        "/api/sms/otp/verify",
        200,
        r#"{"verified":false,"attemptsRemaining":0}"#,
    );
    assert_eq!(support::code(&verify(&env, "000000")), 1);
    let out = verify(&env, "111111");
    assert_eq!(support::code(&out), 1);
    assert_eq!(support::json(&out)["reason"], "attempts_exhausted");
    assert_eq!(m.hits(), 1, "a locked record needs no call");
}

#[test]
fn verify_call_failures_are_not_verdicts() {
    for (status, body, code, kind) in [
        (401, r#"{"message":"Invalid API key"}"#, 4, "auth"),
        (
            200,
            r#"{"message":"Account not active"}"#,
            4,
            "invalid_request",
        ),
        (500, r#"{"message":"internal"}"#, 6, "server"),
        (200, r#"{"verified":"Pending"}"#, 6, "bad_response"),
        (200, "not json", 6, "bad_response"),
    ] {
        let (server, env) = sent("");
        mock(&server, POST, "/api/sms/otp/verify", status, body);
        let out = verify(&env, "000000");
        battery::assert_failure(&out, body, code, kind);
        support::assert_no_leak(&out, &[]);
    }
}

#[test]
fn config_check_knows_the_route() {
    let env = env("https://api.ng.termii.com", "route = \"premium\"\n");
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("generic or dnd"));
    let env = self::env("https://api.ng.termii.com", "route = \"dnd\"\n");
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
}

#[test]
fn verify_answers_termii_sends_as_http_errors_are_verdicts() {
    for (status, body, reason, kind) in [
        (
            400,
            r#"{"pinId":"x","verified":"Expired","msisdn":"2347065250817"}"#,
            "expired",
            "expired",
        ),
        (
            400,
            r#"{"error":true,"message":"Token b1f2242a-44c5-4eed-94bc-8d37b67ef219 has already been verified"}"#,
            "already_used",
            "already_used",
        ),
        (
            422,
            r#"{"error":true,"message":"pin id not found"}"#,
            "unknown_id",
            "not_found",
        ),
    ] {
        let (server, env) = sent("");
        let m = mock(&server, POST, "/api/sms/otp/verify", status, body);
        let out = verify(&env, "000000");
        assert_eq!(support::code(&out), 1, "{body}: {}", support::stderr(&out));
        let v = support::json(&out);
        support::assert_report_shape(&v);
        assert_eq!(v["outcome"], "not_verified", "{body}");
        assert_eq!(v["reason"], reason, "{body}");
        assert_eq!(v["error"]["kind"], kind, "{body}");
        assert_eq!(v["error"]["http_status"], status, "{body}");
        assert_eq!(m.hits(), 1);
        support::assert_no_leak(&out, &[]);
    }
}
