//! SMS.cx against a local mock: the exact send, verify, status and cancel requests,
//! both auth schemes, receipts, every documented error code, and the limits checked
//! before any request.

use super::battery::{self, mock, Fixture};
use crate::support::{self, Env, CANARY, CANARY2};
use httpmock::prelude::*;
use serde_json::json;

const TO: &str = "+33612345678";
const OTP_ID: &str = "a17fb13d-1b8c-4b39-a4e6-8d9a2f1b6c10";
const SUCCESS: &str = r#"{"otpId":"a17fb13d-1b8c-4b39-a4e6-8d9a2f1b6c10","trackId":null,"phoneNumber":"+33612345678","countryIso":"FR","status":"PENDING","cost":0.05,"parts":1,"maxAttempts":3,"attempts":0,"ttl":300,"otpCallbackUrl":null,"dateCreated":"2099-11-22T08:30:00+00:00","dateExpires":"2099-11-22T08:35:00+00:00"}"#;
const VERIFY_PATH: &str = "/otp/a17fb13d-1b8c-4b39-a4e6-8d9a2f1b6c10";

fn profile(base: &str) -> String {
    format!("provider = \"smscx\"\nbase_url = \"{base}\"\napi_key = \"{CANARY}\"\n")
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"smscx\"\nbase_url = \"{base}\"\nsender = \"Acme\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "smscx",
    profile,
    profile_without_credentials,
    send_path: "/otp",
    to: TO,
    success_status: 201,
    success_body: SUCCESS,
    success_id: OTP_ID,
    auth_status: 401,
    // The code is illustrative: SMS.cx documents the type, not a number, for 401.
    auth_body: r#"{"error":{"type":"invalid_api_key","code":1000,"message":"Invalid API key","uri":"https://sms.cx/docs"}}"#,
    error_2xx_body: r#"{"error":{"type":"invalid_param","code":2020,"message":"Invalid phone number"}}"#,
};

fn env_with(body: &str) -> Env {
    let env = Env::new();
    env.config(&format!("default_profile = \"fr\"\n[profiles.fr]\n{body}"));
    env
}

fn env(base: &str, extra: &str) -> Env {
    env_with(&format!("{}{extra}", profile(base)))
}

fn err_body(ty: &str, code: u32, message: &str) -> String {
    json!({"error": {"type": ty, "code": code, "message": message, "uri": "https://sms.cx/docs"}})
        .to_string()
}

#[test]
fn send_request_is_exact() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/otp")
            .header("content-type", "application/json")
            .header("X-API-KEY", CANARY)
            .json_body(json!({
                "phoneNumber": "+33612345678",
                "from": "Acme",
                "template": "Your Acme code is {{pin}}",
                "template_de": "Ihr Acme-Code: {{pin}}",
                "template_fr": "Votre code Acme est {{pin}}",
                "ttl": 300,
                "maxAttempts": 3,
                "pinType": "numbers",
                "pinLength": 6,
            }));
        then.status(201)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(
        &server.base_url(),
        "sender = \"Acme\"\nmessage = \"Your Acme code is {{code}}\"\n\
         [profiles.fr.templates]\nfr = \"Votre code Acme est {{code}}\"\nde = \"Ihr Acme-Code: %s\"\n",
    );
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
    support::assert_no_leak(&out, &[]);
}

#[test]
fn token_is_sent_as_bearer_and_chosen_values_reach_the_body() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/otp")
            .header("Authorization", format!("Bearer {CANARY2}"))
            .matches(|req| {
                !req.headers
                    .iter()
                    .flatten()
                    .any(|(k, _)| k.eq_ignore_ascii_case("x-api-key"))
            })
            .json_body(json!({
                "phoneNumber": "+33612345678",
                "template": "Code {{pin}}",
                "ttl": 1800,
                "maxAttempts": 10,
                "pinType": "alphanumeric",
                "pinLength": 10,
                "otpCallbackUrl": "https://example.com/otp-hook",
            }));
        then.status(201)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env_with(&format!(
        "provider = \"smscx\"\nbase_url = \"{}\"\ntoken = {{ env = \"SMSCX_TOKEN\" }}\nmax_ttl = \"1h\"\n",
        server.base_url()
    ))
    .var("SMSCX_TOKEN", CANARY2);
    let out = env.run(&[
        "send",
        "--to",
        TO,
        "--message",
        "Code {{code}}",
        "--ttl",
        "30m",
        "--attempts",
        "10",
        "--length",
        "10",
        "--pin-type",
        "alphanumeric",
        "--callback-url",
        "https://example.com/otp-hook",
        "-o",
        "json",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
    support::assert_no_leak(&out, &[]);

    let out = env.run(&[
        "send",
        "--to",
        TO,
        "--pin-type",
        "letters",
        "--dry-run",
        "-o",
        "json",
    ]);
    let v = support::json(&out);
    assert_eq!(v["request"]["body"]["pinType"], "letters");
    assert_eq!(v["request"]["headers"]["Authorization"], "Bearer ***");
    support::assert_no_leak(&out, &[]);
}

#[test]
fn receipt_in_text_and_json() {
    let server = MockServer::start();
    mock(&server, POST, "/otp", 201, SUCCESS);
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["provider"], "smscx");
    assert_eq!(v["id"], OTP_ID);
    assert_eq!(v["message_id"], serde_json::Value::Null);
    assert_eq!(v["expires_at"], "2099-11-22T08:35:00Z");
    assert_eq!(v["cost"], 0.05);
    assert_eq!(v["verify_with"], "provider");

    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0);
    let text = support::stdout(&out);
    assert!(text.contains("accepted by smscx"), "{text}");
    assert!(text.contains(&format!("id        {OTP_ID}")), "{text}");
    assert!(text.contains("expires   2099-11-22T08:35:00Z"), "{text}");
    assert!(text.contains("cost      0.05"), "{text}");
}

#[test]
fn a_200_and_sparse_replies_parse() {
    for (status, body) in [
        (200, r#"{"otpId":"a17fb13d-1b8c-4b39-a4e6-8d9a2f1b6c10"}"#),
        (
            201,
            r#"{"otpId":"a17fb13d-1b8c-4b39-a4e6-8d9a2f1b6c10","cost":null,"dateExpires":"2099-11-22 08:35:00"}"#,
        ),
    ] {
        let server = MockServer::start();
        mock(&server, POST, "/otp", status, body);
        let env = env(&server.base_url(), "");
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{body}: {}", support::stderr(&out));
        let v = support::json(&out);
        assert_eq!(v["id"], OTP_ID);
        assert_eq!(v["cost"], serde_json::Value::Null);
        assert!(
            v["expires_at"].is_string(),
            "expiry falls back to now + ttl"
        );
    }
}

#[test]
fn documented_rejections_exit_4() {
    for (status, ty, code, kind) in [
        (401, "invalid_api_key", 1000, "auth"),
        (401, "invalid_client", 1001, "auth"),
        (400, "invalid_param", 2020, "invalid_request"),
        (400, "invalid_param", 2005, "invalid_request"),
        (400, "insufficient_credit", 1113, "insufficient_funds"),
        (400, "insufficient_credit", 1114, "insufficient_funds"),
        (403, "no_coverage", 1300, "invalid_request"),
        (403, "access_denied", 1301, "auth"),
        (403, "insufficient_scope", 1302, "auth"),
        (429, "rate_limit", 1400, "rate_limited"),
        (200, "invalid_param", 2006, "invalid_request"),
    ] {
        let server = MockServer::start();
        let body = err_body(ty, code, "the vendor's words");
        let m = mock(&server, POST, "/otp", status, &body);
        let env = env(&server.base_url(), "");
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        let code = code.to_string();
        let v = battery::assert_send_failed(&out, &body, 4, kind, status, Some(&code));
        assert_eq!(v["error"]["retryable"], kind == "rate_limited");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("the vendor's words"),
            "{v}"
        );
        assert_eq!(m.hits(), 1);
        support::assert_no_leak(&out, &[]);
    }
}

#[test]
fn out_of_range_values_exit_2_with_zero_requests() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(201).body(SUCCESS);
    });
    let env = env(
        &server.base_url(),
        "max_ttl = \"1h\"\nallow_short_pins = true\n",
    );
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--length", "3"][..], &["smscx", "3", "4 to 10"][..]),
            (&["--length", "11"], &["smscx", "11", "4 to 10"]),
            (&["--ttl", "59s"], &["smscx", "59s", "60s to 1800s"]),
            (&["--ttl", "31m"], &["smscx", "31m", "60s to 1800s"]),
            (
                &["--ttl", "90500ms"],
                &["smscx", "1m 30s 500ms", "whole seconds"],
            ),
            (&["--attempts", "0"], &["smscx", "0", "1 to 10"]),
            (&["--attempts", "11"], &["smscx", "11", "1 to 10"]),
            (&["--channel", "whatsapp"], &["smscx", "whatsapp", "sms"]),
            (&["--sender", "AB"], &["smscx", "AB", "3 to 15"]),
            (
                &["--sender", "ABCDEFGHIJKLMNOP"],
                &["smscx", "ABCDEFGHIJKLMNOP", "3 to 15"],
            ),
            (&["--callback-url", "not a url"], &["--callback-url"]),
            (&["--pin", "123456"], &["smscx", "--pin"]),
        ],
        2,
    );
    assert_eq!(m.hits(), 0);
}

#[test]
fn missing_key_and_token_is_a_config_error_mentioning_token() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(201).body(SUCCESS);
    });
    let env = env_with(&profile_without_credentials(&server.base_url()));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(err.contains("api_key"), "{err}");
    assert!(err.contains("hint:") && err.contains("token"), "{err}");
    assert_eq!(m.hits(), 0);
}

#[test]
fn dry_run_masks_the_key_and_sends_nothing() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(201).body(SUCCESS);
    });
    let env = env(&server.base_url(), "sender = \"Acme\"\n");
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("POST http://127.0.0.1"), "{text}");
    assert!(text.contains("X-API-KEY: ***"), "{text}");
    assert!(
        text.contains("\"template\": \"Your verification code is {{pin}}\""),
        "{text}"
    );
    support::assert_no_leak(&out, &[]);
    let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(v["outcome"], "dry_run");
    assert_eq!(v["request"]["headers"]["X-API-KEY"], "***");
    assert_eq!(v["request"]["body"]["phoneNumber"], TO);
    assert_eq!(v["request"]["body"]["ttl"], 300);
    support::assert_no_leak(&out, &[]);
    assert_eq!(m.hits(), 0);
}

/// Send against the mock so a local record exists.
fn sent() -> (MockServer, Env) {
    let server = MockServer::start();
    let env = env(&server.base_url(), "");
    {
        let m = mock(&server, POST, "/otp", 201, SUCCESS);
        let out = env.run(&["send", "--to", TO, "-q"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        assert_eq!(support::stdout(&out).trim(), OTP_ID);
        m.assert();
    }
    (server, env)
}

fn verify(env: &Env, code: &str) -> std::process::Output {
    env.run(&["verify", "--id", OTP_ID, "--code", code, "-o", "json"])
}

#[test]
fn verify_request_is_exact_and_verified() {
    let (server, env) = sent();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path(VERIFY_PATH)
            .header("X-API-KEY", CANARY)
            .header("content-type", "application/json")
            .json_body(json!({"pin": "1544"}));
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"status":"VERIFIED"}"#);
    });
    let out = verify(&env, "1544");
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "verified");
    assert_eq!(v["provider"], "smscx");
    support::assert_no_leak(&out, &["1544"]);
}

#[test]
fn verify_error_codes_have_reasons() {
    for (status, code, reason, word) in [
        (404, 2021, "unknown_id", "does not know"),
        (400, 2023, "already_used", "already verified"),
        (400, 2024, "expired", "cancelled"),
        (400, 2025, "expired", "expired"),
        (400, 2026, "attempts_exhausted", "no attempts"),
        (400, 2027, "attempts_exhausted", "no attempts"),
        (400, 2028, "expired", "expired"),
        (400, 2029, "wrong_code", "wrong code"),
    ] {
        let (server, env) = sent();
        let m = mock(
            &server,
            POST,
            VERIFY_PATH,
            status,
            &err_body("x", code, "vendor text"),
        );
        let out = verify(&env, "000000");
        assert_eq!(support::code(&out), 1, "{code}: {}", support::stderr(&out));
        let v = support::json(&out);
        support::assert_report_shape(&v);
        assert_eq!(v["outcome"], "not_verified", "{code}");
        assert_eq!(v["reason"], reason, "{code}");
        assert_eq!(v["error"]["provider_code"], code.to_string(), "{code}");
        assert_eq!(v["error"]["http_status"], status, "{code}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains(word) && msg.contains("vendor text"),
            "{code}: {msg}"
        );
        assert_eq!(m.hits(), 1);
    }
}

#[test]
fn verify_call_failures_are_not_verdicts() {
    for (status, body, exit, kind) in [
        (
            400,
            err_body("invalid_param", 2022, "pin is required"),
            4,
            "invalid_request",
        ),
        (
            401,
            err_body("invalid_api_key", 1000, "Invalid API key"),
            4,
            "auth",
        ),
        (502, "<html>bad gateway</html>".to_string(), 6, "server"),
        (
            200,
            r#"{"status":"PENDING"}"#.to_string(),
            6,
            "bad_response",
        ),
    ] {
        let (server, env) = sent();
        mock(&server, POST, VERIFY_PATH, status, &body);
        let out = verify(&env, "000000");
        battery::assert_failure(&out, &body, exit, kind);
    }
}

#[test]
fn status_asks_the_provider() {
    let (server, env) = sent();
    let m = server.mock(|when, then| {
        when.method(GET)
            .path(VERIFY_PATH)
            .header("X-API-KEY", CANARY);
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS.replace("\"attempts\":0", "\"attempts\":1"));
    });
    let out = env.run(&["status", "--id", OTP_ID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["id"], OTP_ID);
    assert_eq!(v["provider"], "smscx");
    assert_eq!(v["state"], "pending");
    assert_eq!(v["provider_status"]["status"], "PENDING");
    assert_eq!(v["provider_status"]["attempts"], 1);
    assert_eq!(v["provider_status"]["phoneNumber"], "+33*****5678");
    assert_eq!(v["to"], "+33*****5678");
    let out = env.run(&["status", "--id", OTP_ID]);
    assert_eq!(support::code(&out), 0);
    let text = support::stdout(&out);
    assert!(
        text.contains("provider status:") && text.contains("PENDING"),
        "{text}"
    );
    assert!(text.contains("+33*****5678"), "{text}");
    assert!(
        !text.contains("33612345678"),
        "status shows the number masked: {text}"
    );
    let out = env.run(&["status", "--id", OTP_ID, "-v"]);
    assert_eq!(support::code(&out), 0);
    let err = support::stderr(&out);
    assert!(
        err.contains("> GET http://127.0.0.1") && err.contains("X-API-KEY: ***"),
        "{err}"
    );
    assert!(
        !err.contains("33612345678"),
        "verbose shows the number masked: {err}"
    );
    assert_eq!(m.hits(), 3);
    support::assert_no_leak(&out, &[]);

    // An id SMS.cx does not know.
    mock(
        &server,
        GET,
        "/otp/nope",
        404,
        &err_body("not_found", 2021, "OTP not found"),
    );
    // (exit 2 as for an id with no local record: neither otp nor SMS.cx knows it)
    let out = env.run(&["status", "--id", "nope"]);
    assert_eq!(support::code(&out), 2, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("OTP not found"));
}

#[test]
fn cancel_deletes_at_the_provider_and_locally() {
    let (server, env) = sent();
    let m = server.mock(|when, then| {
        when.method(DELETE)
            .path(VERIFY_PATH)
            .header("X-API-KEY", CANARY);
        then.status(200)
            .header("content-type", "application/json")
            .body(format!(r#"{{"info":{{"id":"{OTP_ID}"}}}}"#));
    });
    let out = env.run(&["cancel", "--id", OTP_ID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
    let v = support::json(&out);
    assert_eq!(v["cancelled"], true);
    assert_eq!(v["provider_cancelled"], true);
    assert_eq!(v["local_record"], true);
    // The local record now answers verify without asking SMS.cx.
    let vm = mock(&server, POST, VERIFY_PATH, 200, r#"{"status":"VERIFIED"}"#);
    let out = verify(&env, "1544");
    assert_eq!(support::code(&out), 1);
    assert_eq!(support::json(&out)["reason"], "expired");
    assert_eq!(vm.hits(), 0);
}

#[test]
fn cancel_refusals_carry_the_vendor_message() {
    // 2030 "already cancelled" is what cancel wanted: done, exit 0.
    let (server, env) = sent();
    mock(
        &server,
        DELETE,
        VERIFY_PATH,
        403,
        &err_body("x", 2030, "OTP already cancelled"),
    );
    let out = env.run(&["cancel", "--id", OTP_ID]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    // 2031 "not pending" (expired, failed) leaves nothing to cancel at SMS.cx: the
    // local record is cancelled, exit 0 as for the console, with the vendor's words.
    let (server, env) = sent();
    let text = "OTP is not pending";
    let m = mock(
        &server,
        DELETE,
        VERIFY_PATH,
        403,
        &err_body("x", 2031, text),
    );
    let out = env.run(&["cancel", "--id", OTP_ID]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(err.contains("nothing left to cancel"), "{err}");
    assert!(err.contains(text), "{err}");
    assert_eq!(m.hits(), 1);
}

#[test]
fn config_check_needs_a_key_or_a_token() {
    let env = env_with(&profile_without_credentials("https://api.sms.cx"));
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("smscx needs `api_key`"));
    let env =
        env_with("provider = \"smscx\"\ntoken = { env = \"SMSCX_TOKEN\" }\nsender = \"Acme\"\n")
            .var("SMSCX_TOKEN", CANARY2);
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    support::assert_no_leak(&out, &[]);
}
