//! Plivo's Verify Session API against a local mock: the exact JSON requests with Basic
//! auth and trailing slashes, the session check (validated, wrong, gone), status, and
//! what Plivo's application decides refused before any request.

use super::battery::{self, mock, Fixture};
use crate::support::{self, Env, CANARY};
use base64::Engine as _;
use httpmock::prelude::*;
use serde_json::json;

const TO: &str = "+14155551234";
const AUTH_ID: &str = "MAXXXXXXXXXXXXXXXXXX";
const UUID: &str = "4124e518-a8c9-4feb-8cff-d86636ba9234";
const SEND_PATH: &str = "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Verify/Session/";
const SESSION_PATH: &str =
    "/v1/Account/MAXXXXXXXXXXXXXXXXXX/Verify/Session/4124e518-a8c9-4feb-8cff-d86636ba9234/";
const SUCCESS: &str = r#"{"api_id":"3c1a4d8e-0f6b-11ee-9c4a-0242ac110002","message":"Session initiated","session_uuid":"4124e518-a8c9-4feb-8cff-d86636ba9234"}"#;

fn profile(base: &str) -> String {
    format!(
        "provider = \"plivo\"\nbase_url = \"{base}\"\nauth_id = \"{AUTH_ID}\"\nauth_token = \"{CANARY}\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"plivo\"\nbase_url = \"{base}\"\nsender = \"Acme\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "plivo",
    profile,
    profile_without_credentials,
    send_path: SEND_PATH,
    to: TO,
    success_status: 202,
    success_body: SUCCESS,
    success_id: UUID,
    auth_status: 401,
    auth_body: r#"{"api_id":"3c1a4d8e-0f6b-11ee-9c4a-0242ac110002","error":"authentication failed"}"#,
    // Plivo documents no 2xx error; its error shape `{api_id, error}` without a
    // session_uuid, passed on with a 200, is the closest honest case.
    error_2xx_body: r#"{"api_id":"3c1a4d8e-0f6b-11ee-9c4a-0242ac110002","error":"invalid recipient"}"#,
};

fn basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{AUTH_ID}:{CANARY}"))
    )
}

fn env_with(body: &str) -> Env {
    let env = Env::new();
    env.config(&format!("default_profile = \"us\"\n[profiles.us]\n{body}"));
    env
}

fn env(base: &str, extra: &str) -> Env {
    env_with(&format!("{}{extra}", profile(base)))
}

#[test]
fn send_request_is_exact_in_text_and_json() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path(SEND_PATH)
            .header("authorization", basic())
            .header("content-type", "application/json")
            .json_body(json!({"recipient": "14155551234", "channel": "sms", "method": "POST"}));
        then.status(202)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["provider"], "plivo");
    assert_eq!(v["id"], UUID);
    assert_eq!(v["expires_at"], serde_json::Value::Null);
    support::assert_no_leak(&out, &[]);
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(
        text.contains("accepted by plivo") && text.contains(UUID),
        "{text}"
    );
    assert_eq!(m.hits(), 2);
}

#[test]
fn optional_fields_reach_the_body() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST).path(SEND_PATH).json_body(json!({
            "recipient": "14155551234",
            "channel": "voice",
            "method": "POST",
            "app_uuid": "app-uuid-1",
            "locale": "fr",
            "brand_name": "Acme",
            "code_length": 8,
            "app_hash": "FA+9qCX9VSu",
        }));
        then.status(202)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(
        &server.base_url(),
        "app_uuid = \"app-uuid-1\"\nlocale = \"fr\"\nsender = \"Acme\"\n",
    );
    let out = env.run(&[
        "send",
        "--to",
        TO,
        "--channel",
        "voice",
        "--length",
        "8",
        "--app-hash",
        "FA+9qCX9VSu",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
}

#[test]
fn dry_run_shows_basic_auth_masked() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(202).body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("POST http://127.0.0.1"), "{text}");
    assert!(text.contains(SEND_PATH), "{text}");
    assert!(text.contains("Authorization: Basic ***"), "{text}");
    assert!(!text.contains(&basic()[6..]), "{text}");
    let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(v["request"]["headers"]["Authorization"], "Basic ***");
    assert_eq!(v["request"]["body"]["recipient"], "14155551234");
    support::assert_no_leak(&out, &[]);
    assert_eq!(m.hits(), 0);
}

#[test]
fn what_plivo_decides_exits_2_with_zero_requests() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(202).body(SUCCESS);
    });
    let env = env(&server.base_url(), "allow_short_pins = true\n");
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--length", "3"][..], &["plivo", "3", "4 to 8"][..]),
            (&["--length", "9"], &["plivo", "9", "4 to 8"]),
            (&["--ttl", "5m"], &["plivo", "ttl"]),
            (&["--attempts", "3"], &["plivo", "attempts"]),
            (&["--message", "Code {{code}}"], &["plivo", "--message"]),
            (&["--channel", "whatsapp"], &["plivo", "whatsapp"]),
        ],
        2,
    );
    assert_eq!(m.hits(), 0);
}

/// Send against the mock so a local record exists.
fn sent() -> (MockServer, Env) {
    let server = MockServer::start();
    let env = env(&server.base_url(), "");
    {
        let m = mock(&server, POST, SEND_PATH, 202, SUCCESS);
        let out = env.run(&["send", "--to", TO, "-q"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        assert_eq!(support::stdout(&out).trim(), UUID);
        m.assert();
    }
    (server, env)
}

fn verify(env: &Env, code: &str) -> std::process::Output {
    env.run(&["verify", "--id", UUID, "--code", code, "-o", "json"])
}

#[test]
fn verify_request_is_exact_and_verified() {
    let (server, env) = sent();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path(SESSION_PATH)
            .header("authorization", basic())
            .json_body(json!({"session_uuid": UUID, "otp": "482913"}));
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"api_id":"a","message":"session validated successfully."}"#);
    });
    let out = verify(&env, "482913");
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "verified");
    support::assert_no_leak(&out, &["482913"]);
    m.assert();
}

#[test]
fn verify_failures_have_reasons() {
    for (status, error, reason) in [
        (400, "Invalid OTP", "wrong_code"),
        (400, "OTP has expired", "expired"),
        (400, "Maximum attempts exceeded", "attempts_exhausted"),
        (400, "session already verified", "already_used"),
        // Gone: the local record (pending, in time) says it expired.
        (400, "Invalid session_uuid", "expired"),
        (404, "session not found", "expired"),
    ] {
        let (server, env) = sent();
        let m = mock(
            &server,
            POST,
            SESSION_PATH,
            status,
            &json!({"api_id": "a", "error": error}).to_string(),
        );
        let out = verify(&env, "000000");
        let v = battery::assert_failure(&out, error, 1, reason);
        assert_eq!(v["reason"], reason, "{error}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(error),
            "{v}"
        );
        assert_eq!(m.hits(), 1);
    }
    // With no record, a gone session is an unknown id.
    let server = MockServer::start();
    mock(
        &server,
        POST,
        SESSION_PATH,
        404,
        r#"{"api_id":"a","error":"session not found"}"#,
    );
    let env = env(&server.base_url(), "");
    let out = verify(&env, "000000");
    let v = battery::assert_failure(&out, "no record", 1, "not_found");
    assert_eq!(v["reason"], "unknown_id");
    // Auth is no verdict.
    let (server, env) = sent();
    mock(&server, POST, SESSION_PATH, 401, FIXTURE.auth_body);
    battery::assert_failure(&verify(&env, "000000"), "401", 4, "auth");
}

#[test]
fn status_asks_plivo_and_cancel_is_local_only() {
    let (server, env) = sent();
    let m = server.mock(|when, then| {
        when.method(GET).path(SESSION_PATH).header("authorization", basic());
        then.status(200)
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"api_id":"a","session_uuid":"{UUID}","app_uuid":"x","recipient":"14155551234","channel":"sms","status":"in-progress","count":1,"attempt_details":[],"charges":{{"total_charge":"0.005"}}}}"#
            ));
    });
    let out = env.run(&["status", "--id", UUID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["provider_status"]["status"], "in-progress");
    assert!(!support::stdout(&out).contains("14155551234"));
    assert_eq!(m.hits(), 1);

    let any = server.mock(|when, then| {
        when.path_contains("/Verify/").method(DELETE);
        then.status(204);
    });
    let out = env.run(&["cancel", "--id", UUID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["provider_cancelled"], false);
    assert_eq!(v["local_record"], true);
    assert_eq!(any.hits(), 0);
}

#[test]
fn send_errors_map_to_kinds() {
    for (status, error, kind) in [
        (401, "authentication failed", "auth"),
        (400, "invalid recipient", "invalid_request"),
        (400, "Insufficient credit", "insufficient_funds"),
        (429, "too many requests", "rate_limited"),
    ] {
        let server = MockServer::start();
        let body = json!({"api_id": "a", "error": error}).to_string();
        let m = mock(&server, POST, SEND_PATH, status, &body);
        let env = env(&server.base_url(), "");
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        let v = battery::assert_send_failed(&out, &body, 4, kind, status, None);
        assert!(v["error"]["message"].as_str().unwrap().contains(error));
        assert_eq!(m.hits(), 1);
    }
}

/// Plivo's API reference (Verify > Session > "Validate a session"): success is 200
/// `{"api_id", "message": "session validated successfully."}`. Any other 2xx is not
/// Plivo saying yes: exit 6 (unknown), never verified.
#[test]
fn verify_2xx_without_the_documented_success_is_unknown() {
    for body in [
        r#"{"api_id":"a"}"#,
        r#"{"api_id":"a","message":"The passcode entered is incorrect."}"#,
        r#"{"api_id":"a","error":"Invalid OTP"}"#,
    ] {
        let (server, env) = sent();
        let m = mock(&server, POST, SESSION_PATH, 200, body);
        let out = verify(&env, "482913");
        let v = battery::assert_failure(&out, body, 6, "bad_response");
        assert_ne!(v["outcome"], "verified", "{body}: {v}");
        assert_eq!(m.hits(), 1, "verify is never retried");
        support::assert_no_leak(&out, &["482913"]);
    }
    // The documented success in another case still verifies.
    let (server, env) = sent();
    mock(
        &server,
        POST,
        SESSION_PATH,
        200,
        r#"{"api_id":"a","message":"Session Validated Successfully."}"#,
    );
    assert_eq!(support::code(&verify(&env, "482913")), 0);
}

/// plivo-python `plivo/base.py`: a 403 on `/Session/` (one of its
/// `GEO_PERMISSION_ENDPOINTS`) raises `GeoPermissionError`. Kind `route_refused` with a
/// hint about the console's geo permissions, not a credential hint.
#[test]
fn a_403_on_the_session_api_is_route_refused() {
    let body = r#"{"api_id":"a","error":"This destination is not enabled for your account"}"#;
    let server = MockServer::start();
    let m = mock(&server, POST, SEND_PATH, 403, body);
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    battery::assert_send_failed(&out, "send 403", 4, "route_refused", 403, None);
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 4);
    let err = support::stderr(&out);
    assert!(
        err.contains("Geo Permissions") && !err.contains("auth_token"),
        "{err}"
    );
    assert_eq!(m.hits(), 2);

    let (server, env) = sent();
    mock(&server, POST, SESSION_PATH, 403, body);
    battery::assert_failure(&verify(&env, "482913"), "verify 403", 4, "route_refused");
}
