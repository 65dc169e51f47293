//! Infobip 2FA against a local mock: the SDK's send body with `App` auth on the account's
//! own base URL, settings the application and template decide refused, verify verdicts
//! with the attempts Infobip says are left (text and JSON), a 404 read from the local
//! record, status by the record's number, and the balance for `config check --online`.

use super::battery::{self, mock, Fixture};
use crate::support::{self, Env, CANARY};
use httpmock::prelude::*;
use serde_json::json;

const TO: &str = "+41793026727";
const DIGITS: &str = "41793026727";
const APP: &str = "0933F3BC087D2A617AC6DCB2EF5B8A61";
const MSG: &str = "16A8B5FE2BCD6CA716A2D780CB3F3390";
const PIN_ID: &str = "9C817C6F8AF3D48F9FE553282AFA2B67";
const SUCCESS: &str = r#"{"pinId":"9C817C6F8AF3D48F9FE553282AFA2B67","to":"41793026727","ncStatus":"NC_DESTINATION_REACHABLE","smsStatus":"MESSAGE_SENT"}"#;
const UNAUTHORIZED: &str = r#"{"requestError":{"serviceException":{"messageId":"UNAUTHORIZED","text":"Invalid login details"}}}"#;

fn profile(base: &str) -> String {
    format!(
        "provider = \"infobip\"\nbase_url = \"{base}\"\napi_key = \"{CANARY}\"\napplication_id = \"{APP}\"\nmessage_id = \"{MSG}\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!(
        "provider = \"infobip\"\nbase_url = \"{base}\"\napplication_id = \"{APP}\"\nmessage_id = \"{MSG}\"\n"
    )
}

pub static FIXTURE: Fixture = Fixture {
    id: "infobip",
    profile,
    profile_without_credentials,
    send_path: "/2fa/2/pin",
    to: TO,
    success_status: 200,
    success_body: SUCCESS,
    success_id: PIN_ID,
    auth_status: 401,
    auth_body: UNAUTHORIZED,
    // A 200 with a pinId whose SMS Infobip says it did not send.
    error_2xx_body: r#"{"pinId":"9C817C6F8AF3D48F9FE553282AFA2B67","to":"41793026727","ncStatus":"NC_DESTINATION_NOT_REACHABLE","smsStatus":"MESSAGE_NOT_SENT"}"#,
};

fn env(base: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"ib\"\n[profiles.ib]\n{}",
        profile(base)
    ));
    env
}

fn sent(server: &MockServer, env: &Env) {
    let mut m = mock(server, POST, "/2fa/2/pin", 200, SUCCESS);
    let out = env.run(&["send", "--to", TO, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::stdout(&out).trim(), PIN_ID);
    m.delete();
}

#[test]
fn send_request_is_the_sdk_s_in_text_and_json() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/2fa/2/pin")
            .header("authorization", format!("App {CANARY}"))
            .header("content-type", "application/json")
            .json_body(json!({"applicationId": APP, "from": "InfoSMS", "messageId": MSG, "to": DIGITS, "trackDelivery": false}));
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server.base_url());
    let out = env.run(&["send", "--to", TO, "--sender", "InfoSMS", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(
        (v["outcome"].as_str(), v["id"].as_str()),
        (Some("accepted"), Some(PIN_ID))
    );
    assert!(v["expires_at"].is_null(), "the application decides: {v}");
    support::assert_no_leak(&out, &[]);
    let out = env.run(&["send", "--to", TO, "--sender", "InfoSMS"]);
    assert_eq!(support::code(&out), 0);
    assert!(support::stdout(&out).contains(PIN_ID));
    assert_eq!(m.hits(), 2);
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert!(support::stdout(&out).contains("Authorization: App ***"));
    support::assert_no_leak(&out, &[]);
}

#[test]
fn what_the_application_and_template_decide_is_refused_before_sending() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    let env = env(&server.base_url());
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--message", "Code {{code}}"], &["infobip", "template"]),
            (&["--length", "6"], &["infobip", "length"]),
            (&["--ttl", "5m"], &["infobip", "expiry"]),
            (&["--attempts", "3"], &["infobip", "attempts"]),
            (&["--pin-type", "numeric"], &["infobip", "pin_type"]),
            (&["--channel", "voice"], &["voice"]),
        ],
        2,
    );
    let out = env.run(&["send", "--to", TO, "--message", "Code {{code}}"]);
    assert!(support::stderr(&out).contains("2FA message template"));
    assert_eq!(m.hits(), 0);
}

#[test]
fn no_base_url_is_a_config_error_with_zero_requests() {
    let env = Env::new();
    env.config(&format!(
        "[profiles.ib]\nprovider = \"infobip\"\napi_key = \"{CANARY}\"\napplication_id = \"{APP}\"\nmessage_id = \"{MSG}\"\n"
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    let v = battery::assert_failure(&out, "no base_url", 3, "config");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("base_url"),
        "{v}"
    );
    support::assert_no_leak(&out, &[]);
}

#[test]
fn verify_verdicts_with_attempts_left_in_text_and_json() {
    for (status, body, reason, words) in [
        (
            200,
            r#"{"pinId":"9C817C6F8AF3D48F9FE553282AFA2B67","msisdn":"41793026727","verified":true,"attemptsRemaining":0}"#,
            None,
            "verified",
        ),
        (
            200,
            r#"{"pinId":"9C817C6F8AF3D48F9FE553282AFA2B67","msisdn":"41793026727","verified":false,"attemptsRemaining":2,"pinError":"WRONG_PIN"}"#,
            Some("wrong_code"),
            "2 attempts left",
        ),
        (
            200,
            r#"{"verified":false,"attemptsRemaining":3,"pinError":"TTL_EXPIRED"}"#,
            Some("expired"),
            "expired",
        ),
        (
            200,
            r#"{"verified":false,"attemptsRemaining":0,"pinError":"NO_MORE_PIN_ATTEMPTS"}"#,
            Some("attempts_exhausted"),
            "attempts",
        ),
        (
            404,
            r#"{"requestError":{"serviceException":{"messageId":"NOT_FOUND","text":"Not found"}}}"#,
            Some("expired"),
            "no longer knows",
        ),
    ] {
        for json_out in [true, false] {
            let server = MockServer::start();
            let env = env(&server.base_url());
            sent(&server, &env);
            let m = server.mock(|when, then| {
                when.method(POST)
                    .path(format!("/2fa/2/pin/{PIN_ID}/verify"))
                    .header("authorization", format!("App {CANARY}"))
                    .json_body(json!({"pin": "482913"}));
                then.status(status)
                    .header("content-type", "application/json")
                    .body(body);
            });
            let mut args = vec!["verify", "--id", PIN_ID, "--code", "482913"];
            if json_out {
                args.extend_from_slice(&["-o", "json"]);
            }
            let out = env.run(&args);
            let exit = if reason.is_some() { 1 } else { 0 };
            assert_eq!(
                support::code(&out),
                exit,
                "{body}: {}",
                support::stderr(&out)
            );
            if json_out {
                let v = support::json(&out);
                match reason {
                    None => assert_eq!(v["outcome"], "verified", "{v}"),
                    Some(r) => {
                        assert_eq!(v["outcome"], "not_verified", "{v}");
                        assert_eq!(v["reason"], r, "{v}");
                    }
                }
            } else {
                let all = format!("{}{}", support::stdout(&out), support::stderr(&out));
                assert!(all.contains(words), "{body}: {all}");
            }
            support::assert_no_leak(&out, &["482913"]);
            assert_eq!(m.hits(), 1, "verify is never retried");
        }
    }
}

#[test]
fn status_asks_by_the_record_s_number_and_masks_it() {
    let server = MockServer::start();
    let env = env(&server.base_url());
    sent(&server, &env);
    let m = server.mock(|when, then| {
        when.method(GET)
            .path(format!("/2fa/2/applications/{APP}/verifications"))
            .query_param("msisdn", DIGITS)
            .header("authorization", format!("App {CANARY}"));
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"verifications":[{"msisdn":"41793026727","verified":false,"verifiedAt":0,"sentAt":1764000000000}]}"#);
    });
    let out = env.run(&["status", "--id", PIN_ID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    let entry = &v["provider_status"]["verifications"][0];
    assert_eq!(entry["verified"], false, "{v}");
    assert!(!out_has(&out, DIGITS), "{v}");
    m.assert();
    // no record: no number to ask by, and nothing asked
    let out = env.run(&["status", "--id", "other-id"]);
    assert_eq!(support::code(&out), 2, "{}", support::stderr(&out));
    assert_eq!(m.hits(), 1);
}

fn out_has(out: &std::process::Output, s: &str) -> bool {
    support::stdout(out).contains(s) || support::stderr(out).contains(s)
}

#[test]
fn the_online_check_reads_the_balance() {
    let server = MockServer::start();
    let guard = server.mock(|when, then| {
        when.path("/2fa/2/pin");
        then.status(500);
    });
    let m = server.mock(|when, then| {
        when.method(GET)
            .path("/account/1/balance")
            .header("authorization", format!("App {CANARY}"));
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"balance":47.79134,"currency":"EUR"}"#);
    });
    let env = env(&server.base_url());
    let out = env.run(&["config", "check", "--online", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    let p = &v["profiles"][0];
    assert_eq!(
        (p["online"].as_str(), p["currency"].as_str()),
        (Some("ok"), Some("EUR")),
        "{v}"
    );
    assert_eq!(p["balance"].as_f64(), Some(47.79134));
    support::assert_no_leak(&out, &[]);
    m.assert();
    let server2 = MockServer::start();
    battery::mock(&server2, GET, "/account/1/balance", 401, UNAUTHORIZED);
    let env = self::env(&server2.base_url());
    let out = env.run(&["config", "check", "--online", "-o", "json"]);
    assert_eq!(support::code(&out), 4, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["profiles"][0]["error"]["kind"], "auth", "{v}");
    assert_eq!(guard.hits(), 0);
}

#[test]
fn the_profile_s_text_is_a_config_problem_for_send_and_check() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    let env = Env::new();
    env.config(&format!(
        "[profiles.ib]\n{}message = \"Code {{{{code}}}}\"\n",
        profile(&server.base_url())
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    let v = battery::assert_failure(&out, "message", 3, "config");
    assert_eq!(v["outcome"], "not_sent");
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 3);
    assert!(support::stderr(&out).contains("2FA message template"));
    assert_eq!(m.hits(), 0);
}
