//! Sinch Verification v1 against a local fake that checks each request's signature the
//! way Sinch does (recomputed from the request as received): the exact start, the code
//! reported with PUT (right, wrong, expired) in text and JSON, status by id, what the
//! app settings decide refused before any request, and a dry run that masks the
//! signature.

use super::battery::{self, Fixture};
use crate::support::{self, Env, CANARY};
use base64::Engine as _;
use httpmock::prelude::*;
use serde_json::json;

const TO: &str = "+46700000000";
const APP_KEY: &str = "1c9a4f0e-5b7d-4e2a-9f3c-2d8b6a4e0f11";
const ID: &str = "1234567890";
const SEND_PATH: &str = "/verification/v1/verifications";
const ID_PATH: &str = "/verification/v1/verifications/id/1234567890";
const CONTENT_TYPE: &str = "application/json; charset=UTF-8";
const SUCCESS: &str = r#"{"id":"1234567890","method":"sms","sms":{"template":"Your code is {{CODE}}","interceptionTimeout":298},"_links":[{"rel":"status","href":"https://verification.api.sinch.com/verification/v1/verifications/id/1234567890","method":"GET"}]}"#;

fn profile(base: &str) -> String {
    format!(
        "provider = \"sinch\"\nbase_url = \"{base}\"\napplication_key = \"{APP_KEY}\"\napplication_secret = \"{CANARY}\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"sinch\"\nbase_url = \"{base}\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "sinch",
    profile,
    profile_without_credentials,
    send_path: SEND_PATH,
    to: TO,
    success_status: 200,
    success_body: SUCCESS,
    success_id: ID,
    auth_status: 401,
    auth_body: r#"{"errorCode":40100,"message":"Invalid signature"}"#,
    // Sinch does not document a 2xx carrying an error; the honest stand-in is its own
    // error document passed on with a 200 (by a proxy or gateway).
    error_2xx_body: r#"{"errorCode":40003,"message":"Invalid identity"}"#,
};

/// What Sinch's server checks: the signature recomputed from the request as received,
/// keyed with the decoded secret (the canary reads as URL-safe base64).
fn signed(req: &HttpMockRequest) -> bool {
    use md5::Digest as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let header = |name: &str| {
        req.headers
            .as_ref()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let (Some(auth), Some(ts), Some(ct)) = (
        header("authorization"),
        header("x-timestamp"),
        header("content-type"),
    ) else {
        return false;
    };
    let body = req.body.clone().unwrap_or_default();
    let md5 = if body.is_empty() {
        String::new()
    } else {
        b64.encode(md5::Md5::digest(&body))
    };
    let text = format!(
        "{}\n{md5}\n{ct}\nx-timestamp:{ts}\n{}",
        req.method, req.path
    );
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(CANARY)
        .unwrap();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
    let sig = b64.encode(ring::hmac::sign(&key, text.as_bytes()).as_ref());
    ct == CONTENT_TYPE && auth == format!("Application {APP_KEY}:{sig}")
}

fn env(base: &str, extra: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"se\"\n[profiles.se]\n{}{extra}",
        profile(base)
    ));
    env
}

#[test]
fn the_start_is_signed_and_exact_in_text_and_json() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path(SEND_PATH)
            .json_body(json!({
                "identity": {"type": "number", "endpoint": TO},
                "method": "sms",
                "smsOptions": {},
            }))
            .matches(signed);
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["provider"], "sinch");
    assert_eq!(v["id"], ID);
    assert_eq!(v["verify_with"], "provider");
    assert_eq!(v["expires_at"], serde_json::Value::Null, "Sinch picks it");
    support::assert_no_leak(&out, &[]);
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(support::stdout(&out).contains(ID));
    assert_eq!(m.hits(), 2);
}

#[test]
fn what_the_app_settings_decide_exits_2_with_zero_requests() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--message", "Code {{code}}"], &["sinch", "message"]),
            (&["--app-hash", "FA+9qCX9VSu"], &["sinch", "message"]),
            (&["--sender", "Acme"], &["sinch", "sender"]),
            (&["--length", "6"], &["sinch", "length"]),
            (&["--ttl", "2m"], &["sinch", "expiry"]),
            (&["--attempts", "5"], &["sinch", "attempts"]),
            (&["--channel", "voice"], &["voice"]),
            (&["--pin", "123456"], &["pin"]),
        ],
        2,
    );
    assert_eq!(m.hits(), 0);
}

#[test]
fn a_secret_that_is_not_base64_is_a_config_error() {
    let env = Env::new();
    env.config(&format!(
        "[profiles.se]\nprovider = \"sinch\"\napplication_key = \"{APP_KEY}\"\napplication_secret = \"not base64!\"\n"
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    let v = battery::assert_failure(&out, "not base64", 3, "config");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("application_secret") && msg.contains("base64"),
        "{msg}"
    );
    assert!(!support::stdout(&out).contains("not base64!"));
}

/// Send against the fake so a local record exists.
fn sent() -> (MockServer, Env) {
    let server = MockServer::start();
    let env = env(&server.base_url(), "");
    {
        let m = battery::mock(&server, POST, SEND_PATH, 200, SUCCESS);
        let out = env.run(&["send", "--to", TO, "-q"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        assert_eq!(support::stdout(&out).trim(), ID);
        m.assert();
    }
    (server, env)
}

/// The fake's answer to a signed report of `code`.
fn reported<'a>(server: &'a MockServer, code: &str, body: &str) -> httpmock::Mock<'a> {
    let (code, body) = (code.to_string(), body.to_string());
    server.mock(move |when, then| {
        when.method(PUT)
            .path(ID_PATH)
            .json_body(json!({"method": "sms", "sms": {"code": code}}))
            .matches(signed);
        then.status(200)
            .header("content-type", "application/json")
            .body(body);
    })
}

#[test]
fn verify_right_wrong_and_expired_in_json_and_text() {
    let (server, env) = sent();
    let m = reported(
        &server,
        "4829",
        r#"{"id":"1234567890","method":"sms","status":"SUCCESSFUL","reason":null}"#,
    );
    let out = env.run(&["verify", "--id", ID, "--code", "4829", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "verified");
    support::assert_no_leak(&out, &["4829"]);
    m.assert();
    // Used: the record says so, without asking Sinch again.
    let out = env.run(&["verify", "--id", ID, "--code", "4829", "-o", "json"]);
    assert_eq!(support::json(&out)["reason"], "already_used");
    assert_eq!(m.hits(), 1);

    for (body, reason, words) in [
        (
            r#"{"id":"1234567890","method":"sms","status":"FAIL","reason":"Invalid code"}"#,
            "wrong_code",
            "wrong code",
        ),
        (
            r#"{"id":"1234567890","method":"sms","status":"PENDING"}"#,
            "wrong_code",
            "wrong code",
        ),
        (
            r#"{"id":"1234567890","method":"sms","status":"FAIL","reason":"Expired"}"#,
            "expired",
            "expired",
        ),
        (
            r#"{"id":"1234567890","method":"sms","status":"DENIED","reason":"Destination denied"}"#,
            "expired",
            "Destination denied",
        ),
    ] {
        let (server, env) = sent();
        let m = reported(&server, "1111", body);
        let out = env.run(&["verify", "--id", ID, "--code", "1111", "-o", "json"]);
        let v = battery::assert_failure(&out, body, 1, reason);
        assert_eq!(v["reason"], reason, "{body}");
        support::assert_no_leak(&out, &["1111"]);
        let out = env.run(&["verify", "--id", ID, "--code", "1111"]);
        let text = format!("{}{}", support::stdout(&out), support::stderr(&out));
        if reason == "wrong_code" {
            assert_eq!(support::code(&out), 1, "{text}");
            assert!(text.contains(words), "{body}: {text}");
        }
        support::assert_no_leak(&out, &["1111"]);
        assert!(m.hits() >= 1, "{body}");
    }
}

#[test]
fn verify_is_never_retried_and_auth_is_no_verdict() {
    let (server, env) = sent();
    let m = battery::mock(&server, PUT, ID_PATH, 401, FIXTURE.auth_body);
    let out = env.run(&["verify", "--id", ID, "--code", "4829", "-o", "json"]);
    battery::assert_failure(&out, "401", 4, "auth");
    assert_eq!(m.hits(), 1);
    let (server, env) = sent();
    let m = battery::mock(&server, PUT, ID_PATH, 503, "{}");
    let out = env.run(&["verify", "--id", ID, "--code", "4829", "-o", "json"]);
    assert_eq!(support::code(&out), 6, "{}", support::stderr(&out));
    assert_eq!(m.hits(), 1, "verify is never retried");
}

#[test]
fn status_asks_sinch_by_id_and_cancel_is_local_only() {
    let (server, env) = sent();
    let m = server.mock(|when, then| {
        when.method(GET).path(ID_PATH).matches(signed);
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"id":"1234567890","method":"sms","status":"PENDING","identity":{"type":"number","endpoint":"+46700000000"}}"#);
    });
    let out = env.run(&["status", "--id", ID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["provider_status"]["status"], "PENDING");
    assert!(!support::stdout(&out).contains(TO), "the number is masked");
    m.assert();
    let out = env.run(&["cancel", "--id", ID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["provider_cancelled"], false);
}

#[test]
fn dry_run_and_verbose_mask_the_signature() {
    let server = MockServer::start();
    let m = battery::mock(&server, POST, SEND_PATH, 200, SUCCESS);
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    let headers = &v["request"]["headers"];
    assert_eq!(headers["Authorization"], "Application ***");
    assert_eq!(headers["Content-Type"], CONTENT_TYPE);
    assert!(headers["x-timestamp"].as_str().unwrap().ends_with("+00:00"));
    support::assert_no_leak(&out, &[]);
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    let text = support::stdout(&out);
    assert!(text.contains("Authorization: Application ***"), "{text}");
    assert_eq!(text.matches("Content-Type").count(), 1, "{text}");
    support::assert_no_leak(&out, &[]);
    assert_eq!(m.hits(), 0);
    let out = env.run(&["-v", "send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(err.contains("Authorization: Application ***"), "{err}");
    assert!(!err.contains(APP_KEY), "{err}");
    support::assert_no_leak(&out, &[]);
}

#[test]
fn a_fallback_step_is_signed_as_it_leaves() {
    let server = MockServer::start();
    let base = server.base_url();
    let first = battery::mock(
        &server,
        POST,
        "/v2/verification",
        401,
        r#"{"code":"invalid_api_key","message":"The API key is invalid."}"#,
    );
    let m = server.mock(|when, then| {
        when.method(POST).path(SEND_PATH).matches(signed);
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"fr\"\n[profiles.fr]\nprovider = \"prelude\"\nbase_url = \"{base}\"\napi_key = \"prelude-unit-key\"\nfallback = [\"se\"]\n[profiles.se]\n{}",
        profile(&base)
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["provider"], "sinch");
    assert_eq!(v["tried"][0]["provider"], "prelude");
    assert_eq!((first.hits(), m.hits()), (1, 1));
    support::assert_no_leak(&out, &[]);
}

/// The decoded secret in another spelling (the standard alphabet, hex), echoed by the
/// vendor, is masked like the secret as written.
#[test]
fn the_secret_echoed_in_any_spelling_is_masked() {
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(CANARY)
        .unwrap();
    let standard = base64::engine::general_purpose::STANDARD.encode(&key);
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let body =
        json!({"errorCode": 40100, "message": format!("bad secret {standard} {hex} {CANARY}")})
            .to_string();
    let server = MockServer::start();
    battery::mock(&server, POST, SEND_PATH, 401, &body);
    let env = env(&server.base_url(), "");
    for extra in [&["-o", "json"][..], &["-v"][..]] {
        let mut args = vec!["send", "--to", TO];
        args.extend_from_slice(extra);
        let out = env.run(&args);
        assert_eq!(support::code(&out), 4, "{}", support::stderr(&out));
        let all = format!("{}{}", support::stdout(&out), support::stderr(&out));
        support::assert_none_of(&all, &[CANARY, &standard, &hex], &[]);
    }
}
