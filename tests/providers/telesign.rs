//! Telesign SMS Verify against a local fake that checks each request's signature the way
//! Telesign does (recomputed from the request as received): the exact form send, a
//! chosen text as `template` with `$$CODE$$`, verify by reference_id (right, wrong,
//! expired) in text and JSON, status, what Telesign decides refused before any request,
//! and a dry run that masks the signature.

use super::battery::{self, Fixture};
use crate::support::{self, Env, CANARY};
use base64::Engine as _;
use httpmock::prelude::*;

const TO: &str = "+15555550100";
const CUSTOMER: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
const REF: &str = "0123456789ABCDEF0123456789ABCDEF";
const SEND_PATH: &str = "/v1/verify/sms";
const REF_PATH: &str = "/v1/verify/0123456789ABCDEF0123456789ABCDEF";
const SUCCESS: &str = r#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","resource_uri":"/v1/verify/0123456789ABCDEF0123456789ABCDEF","sub_resource":"sms","errors":[],"status":{"updated_on":"2026-12-07T17:41:30.000000Z","code":290,"description":"Message in progress"},"verify":{"code_state":"UNKNOWN","code_entered":""}}"#;

fn profile(base: &str) -> String {
    format!(
        "provider = \"telesign\"\nbase_url = \"{base}\"\ncustomer_id = \"{CUSTOMER}\"\napi_key = \"{CANARY}\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"telesign\"\nbase_url = \"{base}\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "telesign",
    profile,
    profile_without_credentials,
    send_path: SEND_PATH,
    to: TO,
    success_status: 200,
    success_body: SUCCESS,
    success_id: REF,
    auth_status: 401,
    auth_body: r#"{"errors":[{"code":-30006,"description":"Invalid Signature."}],"status":{"code":10033,"description":"Transaction not attempted","updated_on":"2026-12-07T17:41:30.000000Z"}}"#,
    // Telesign's documented error document, with a 2xx and no reference_id.
    error_2xx_body: r#"{"errors":[{"code":-10001,"description":"Invalid Request: PhoneNumber Parameter: 1"}],"status":{"code":11000,"description":"Invalid value for parameter PhoneNumber."}}"#,
};

/// What Telesign's server checks: the signature recomputed from the request as
/// received, keyed with the decoded API key (the canary reads as URL-safe base64).
fn signed(req: &HttpMockRequest) -> bool {
    let b64 = base64::engine::general_purpose::STANDARD;
    let header = |name: &str| {
        req.headers
            .as_ref()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let (Some(auth), Some(date), Some(method), Some(nonce)) = (
        header("authorization"),
        header("date"),
        header("x-ts-auth-method"),
        header("x-ts-nonce"),
    ) else {
        return false;
    };
    let ct = header("content-type").unwrap_or_default();
    let body = String::from_utf8(req.body.clone().unwrap_or_default()).unwrap();
    let mut text = format!(
        "{}\n{ct}\n{date}\nx-ts-auth-method:{method}\nx-ts-nonce:{nonce}",
        req.method
    );
    if !ct.is_empty() && !body.is_empty() {
        text.push_str(&format!("\n{body}"));
    }
    text.push_str(&format!("\n{}", req.path));
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(CANARY)
        .unwrap();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
    let sig = b64.encode(ring::hmac::sign(&key, text.as_bytes()).as_ref());
    method == "HMAC-SHA256"
        && date.ends_with(" GMT")
        && nonce.len() == 36
        && auth == format!("TSA {CUSTOMER}:{sig}")
}

fn env(base: &str, extra: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"us\"\n[profiles.us]\n{}{extra}",
        profile(base)
    ));
    env
}

#[test]
fn the_send_is_signed_and_exact_in_text_and_json() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path(SEND_PATH)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("phone_number=15555550100")
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
    assert_eq!(v["provider"], "telesign");
    assert_eq!(v["id"], REF);
    assert_eq!(
        v["expires_at"],
        serde_json::Value::Null,
        "Telesign picks it"
    );
    support::assert_no_leak(&out, &[]);
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(support::stdout(&out).contains(REF));
    assert_eq!(m.hits(), 2);
}

#[test]
fn a_chosen_message_goes_as_template_with_telesigns_placeholder() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path(SEND_PATH)
            .x_www_form_urlencoded_tuple("phone_number", "15555550100")
            .x_www_form_urlencoded_tuple("template", "Your Acme code is $$CODE$$")
            .matches(signed);
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(
        &server.base_url(),
        "message = \"Your Acme code is {{code}}\"\n",
    );
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let out = env.run(&["send", "--to", TO, "--message", "Your Acme code is %s"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(m.hits(), 2);
}

#[test]
fn what_telesign_decides_exits_2_with_zero_requests() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--length", "6"], &["telesign", "length"]),
            (&["--pin", "123456"], &["pin"]),
            (&["--ttl", "2m"], &["telesign", "expiry"]),
            (&["--attempts", "5"], &["telesign", "attempts"]),
            (&["--sender", "Acme"], &["telesign", "sender"]),
            (&["--channel", "voice"], &["voice"]),
            (
                &["--message", "Code {{code}}, {{minutes}} min"],
                &["telesign", "minutes"],
            ),
        ],
        2,
    );
    assert_eq!(m.hits(), 0);
}

/// Send against the fake so a local record exists.
fn sent() -> (MockServer, Env) {
    let server = MockServer::start();
    let env = env(&server.base_url(), "");
    {
        let m = battery::mock(&server, POST, SEND_PATH, 200, SUCCESS);
        let out = env.run(&["send", "--to", TO, "-q"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        assert_eq!(support::stdout(&out).trim(), REF);
        m.assert();
    }
    (server, env)
}

/// The fake's answer to a signed check of `code`.
fn checked<'a>(server: &'a MockServer, code: &str, state: &str) -> httpmock::Mock<'a> {
    let code = code.to_string();
    let body = format!(
        r#"{{"reference_id":"{REF}","sub_resource":"sms","errors":[],"status":{{"code":200,"description":"Delivered to handset"}},"verify":{{"code_state":"{state}","code_entered":"{code}"}}}}"#
    );
    server.mock(move |when, then| {
        when.method(GET)
            .path(REF_PATH)
            .query_param("verify_code", code)
            .matches(signed);
        then.status(200)
            .header("content-type", "application/json")
            .body(body);
    })
}

#[test]
fn verify_right_wrong_and_expired_in_json_and_text() {
    let (server, env) = sent();
    let m = checked(&server, "48291", "VALID");
    let out = env.run(&["verify", "--id", REF, "--code", "48291", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "verified");
    support::assert_no_leak(&out, &["48291"]);
    m.assert();

    for (state, reason, words) in [
        ("INVALID", "wrong_code", "wrong code"),
        ("EXPIRED", "expired", "expired"),
        ("MAX_ATTEMPTS_EXCEEDED", "attempts_exhausted", "attempts"),
    ] {
        let (server, env) = sent();
        let m = checked(&server, "11111", state);
        let out = env.run(&["verify", "--id", REF, "--code", "11111", "-o", "json"]);
        let v = battery::assert_failure(&out, state, 1, reason);
        assert_eq!(v["reason"], reason, "{state}");
        support::assert_no_leak(&out, &["11111"]);
        if reason == "wrong_code" {
            let out = env.run(&["-v", "verify", "--id", REF, "--code", "11111"]);
            assert_eq!(support::code(&out), 1);
            let text = support::stderr(&out);
            assert!(text.contains(words), "{state}: {text}");
            assert!(text.contains("verify_code=***"), "{text}");
            support::assert_no_leak(&out, &["11111"]);
        }
        assert!(m.hits() >= 1, "{state}");
    }
    // A state otp does not know is no verdict: unknown, exit 6.
    let (server, env) = sent();
    let m = checked(&server, "22222", "UNKNOWN");
    let out = env.run(&["verify", "--id", REF, "--code", "22222", "-o", "json"]);
    assert_eq!(support::code(&out), 6, "{}", support::stderr(&out));
    assert_eq!(m.hits(), 1, "verify is never retried");
}

#[test]
fn status_asks_telesign_and_masks_the_code_it_echoes() {
    let (server, env) = sent();
    let m = server.mock(|when, then| {
        when.method(GET).path(REF_PATH).matches(signed);
        then.status(200)
            .header("content-type", "application/json")
            .body(format!(r#"{{"reference_id":"{REF}","errors":[],"status":{{"code":200,"description":"Delivered to handset"}},"verify":{{"code_state":"VALID","code_entered":"48291"}}}}"#));
    });
    let out = env.run(&["status", "--id", REF, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["provider_status"]["verify"]["code_state"], "VALID");
    assert_eq!(v["provider_status"]["verify"]["code_entered"], "***");
    support::assert_no_leak(&out, &["48291"]);
    m.assert();
    let out = env.run(&["cancel", "--id", REF, "-o", "json"]);
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
    assert_eq!(headers["Authorization"], "TSA ***");
    assert_eq!(headers["x-ts-auth-method"], "HMAC-SHA256");
    assert!(headers["Date"].as_str().unwrap().ends_with(" GMT"));
    support::assert_no_leak(&out, &[]);
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert!(support::stdout(&out).contains("Authorization: TSA ***"));
    support::assert_no_leak(&out, &[]);
    assert_eq!(m.hits(), 0);
    let out = env.run(&["-v", "send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(err.contains("Authorization: TSA ***"), "{err}");
    assert!(!err.contains(CUSTOMER), "{err}");
    support::assert_no_leak(&out, &[]);
}

/// The decoded API key in another spelling (the standard alphabet, hex), echoed by the
/// vendor, is masked like the key as written.
#[test]
fn the_key_echoed_in_any_spelling_is_masked() {
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(CANARY)
        .unwrap();
    let standard = base64::engine::general_purpose::STANDARD.encode(&key);
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let body = format!(
        r#"{{"errors":[{{"code":-30006,"description":"bad key {standard} {hex} {CANARY}"}}]}}"#
    );
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
