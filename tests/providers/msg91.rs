//! MSG91 OTP API v5 against a local mock: every field in the query string, the `authkey`
//! masked wherever a URL prints, `type` deciding whatever the HTTP status, verify by the
//! number the local record keeps (right, wrong and expired codes, text and JSON), and the
//! template's text and sender refused rather than dropped.

use super::battery::{self, mock, Fixture};
use crate::support::{self, Env, CANARY};
use httpmock::prelude::*;

const TO: &str = "+919876543210";
const DIGITS: &str = "919876543210";
const TEMPLATE: &str = "6930040e475ae21f4f0c2ef9";
const RID: &str = "3763646c6b35383430323930";
const SUCCESS: &str = r#"{"request_id":"3763646c6b35383430323930","type":"success"}"#;

fn profile(base: &str) -> String {
    format!(
        "provider = \"msg91\"\nbase_url = \"{base}\"\nauth_key = \"{CANARY}\"\ntemplate_id = \"{TEMPLATE}\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"msg91\"\nbase_url = \"{base}\"\ntemplate_id = \"{TEMPLATE}\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "msg91",
    profile,
    profile_without_credentials,
    send_path: "/api/v5/otp",
    to: TO,
    success_status: 200,
    success_body: SUCCESS,
    success_id: RID,
    auth_status: 401,
    auth_body: r#"{"message":"AuthenticationFailure","type":"error","code":"401"}"#,
    // MSG91 answers errors with `type` whatever the HTTP status.
    error_2xx_body: r#"{"message":"invalid_otp_length","type":"error"}"#,
};

fn env(base: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"in\"\n[profiles.in]\n{}",
        profile(base)
    ));
    env
}

/// One accepted send through `server`, so the record verify reads exists.
fn sent(server: &MockServer, env: &Env) {
    let mut m = mock(server, POST, "/api/v5/otp", 200, SUCCESS);
    let out = env.run(&["send", "--to", TO, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::stdout(&out).trim(), RID);
    m.delete();
}

#[test]
fn send_puts_every_field_in_the_query_string() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/api/v5/otp")
            .query_param("template_id", TEMPLATE)
            .query_param("mobile", DIGITS)
            .query_param("authkey", CANARY)
            .query_param("otp_length", "8")
            .query_param("otp_expiry", "10")
            .body("");
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server.base_url());
    let out = env.run(&[
        "send", "--to", TO, "--length", "8", "--ttl", "10m", "-o", "json",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(
        (v["outcome"].as_str(), v["id"].as_str()),
        (Some("accepted"), Some(RID))
    );
    assert_eq!(v["message_id"], RID);
    assert!(v["expires_at"].is_string(), "{v}");
    support::assert_no_leak(&out, &[]);
    m.assert();
}

#[test]
fn the_auth_key_never_appears_in_a_printed_url() {
    let server = MockServer::start();
    let env = env(&server.base_url());
    // dry run, text and JSON
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(
        support::stdout(&out).contains("authkey=***"),
        "{}",
        support::stdout(&out)
    );
    support::assert_no_leak(&out, &[]);
    let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
    let v = support::json(&out);
    let url = v["request"]["url"].as_str().unwrap();
    assert!(url.contains("authkey=***") && url.contains(&format!("template_id={TEMPLATE}")));
    assert!(v["request"]["body"].is_null(), "{v}");
    support::assert_no_leak(&out, &[]);
    // --verbose on an accepted send, on a refusal that echoes the key, on a 5xx
    for (status, body) in [
        (200, SUCCESS.to_string()),
        (
            200,
            format!(r#"{{"message":"Invalid authkey {CANARY}","type":"error"}}"#),
        ),
        (502, format!("<html>{CANARY}</html>")),
    ] {
        let mut m = mock(&server, POST, "/api/v5/otp", status, &body);
        let out = env.run(&["-v", "send", "--to", TO]);
        let err = support::stderr(&out);
        assert!(err.contains("authkey=***"), "{err}");
        support::assert_no_leak(&out, &[]);
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        support::assert_no_leak(&out, &[]);
        m.delete();
    }
    // and in verify's trace, with the code
    sent(&server, &env);
    let mut m = mock(
        &server,
        POST,
        "/api/v5/otp/verify",
        200,
        r#"{"message":"OTP verified success","type":"success"}"#,
    );
    let out = env.run(&["-v", "verify", "--id", RID, "--code", "482913"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(
        err.contains("authkey=***") && err.contains("otp=***"),
        "{err}"
    );
    support::assert_no_leak(&out, &["482913"]);
    m.delete();
}

#[test]
fn the_template_s_text_and_sender_and_vendor_limits_send_nothing() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    let env = env(&server.base_url());
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--message", "Code {{code}}"], &["msg91", "template"]),
            (&["--sender", "ACMEIN"], &["msg91", "--sender"]),
            (&["--app-hash", "FA+9qCX9VSu"], &["--app-hash"]),
            (&["--length", "10"], &["msg91", "4 to 9"]),
            (&["--ttl", "90s"], &["msg91", "whole minutes"]),
            (&["--attempts", "5"], &["msg91", "attempts"]),
            (&["--pin-type", "alphanumeric"], &["msg91", "numeric"]),
            (&["--channel", "whatsapp"], &["whatsapp"]),
        ],
        2,
    );
    let out = env.run(&["send", "--to", TO, "--message", "Code {{code}}"]);
    let err = support::stderr(&out);
    assert!(
        err.contains("hint:") && err.contains("MSG91 OTP template"),
        "{err}"
    );
    assert_eq!(m.hits(), 0);
}

#[test]
fn verify_right_wrong_and_expired_codes_in_text_and_json() {
    for (body, reason, words) in [
        (
            r#"{"message":"OTP verified success","type":"success"}"#,
            None,
            "verified",
        ),
        (
            r#"{"message":"OTP not match","type":"error"}"#,
            Some("wrong_code"),
            "wrong code",
        ),
        (
            r#"{"message":"OTP expired","type":"error"}"#,
            Some("expired"),
            "expired",
        ),
        (
            r#"{"message":"Max limit reached for this otp verification","type":"error"}"#,
            Some("attempts_exhausted"),
            "attempts",
        ),
    ] {
        for json in [true, false] {
            let server = MockServer::start();
            let env = env(&server.base_url());
            sent(&server, &env);
            let m = server.mock(|when, then| {
                when.method(POST)
                    .path("/api/v5/otp/verify")
                    .query_param("otp", "482913")
                    .query_param("mobile", DIGITS)
                    .query_param("authkey", CANARY);
                then.status(200)
                    .header("content-type", "application/json")
                    .body(body);
            });
            let mut args = vec!["verify", "--id", RID, "--code", "482913"];
            if json {
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
            if json {
                let v = support::json(&out);
                match reason {
                    None => assert_eq!(v["outcome"], "verified", "{v}"),
                    Some(r) => {
                        assert_eq!(v["outcome"], "not_verified", "{v}");
                        assert_eq!(v["reason"], r, "{v}");
                        assert_eq!(v["error"]["kind"], r, "{v}");
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
fn a_used_code_is_refused_locally_and_a_lost_record_asks_nothing() {
    let server = MockServer::start();
    let env = env(&server.base_url());
    sent(&server, &env);
    let m = mock(
        &server,
        POST,
        "/api/v5/otp/verify",
        200,
        r#"{"message":"OTP verified success","type":"success"}"#,
    );
    let out = env.run(&["verify", "--id", RID, "--code", "482913", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let out = env.run(&["verify", "--id", RID, "--code", "482913", "-o", "json"]);
    let v = battery::assert_failure(&out, "reuse", 1, "already_used");
    assert_eq!(v["reason"], "already_used");
    assert_eq!(m.hits(), 1);
    // An id with no record: msg91 checks by number, which only the record keeps.
    let out = env.run(&[
        "verify",
        "--id",
        "unknown-id",
        "--code",
        "482913",
        "-o",
        "json",
    ]);
    let v = battery::assert_failure(&out, "no record", 1, "not_found");
    assert_eq!(v["reason"], "unknown_id");
    assert_eq!(m.hits(), 1);
}

#[test]
fn a_verify_refused_for_the_key_is_exit_4_not_a_wrong_code() {
    let server = MockServer::start();
    let env = env(&server.base_url());
    sent(&server, &env);
    let m = mock(
        &server,
        POST,
        "/api/v5/otp/verify",
        401,
        r#"{"message":"AuthenticationFailure","type":"error","code":"401"}"#,
    );
    let out = env.run(&["verify", "--id", RID, "--code", "482913", "-o", "json"]);
    let v = battery::assert_failure(&out, "auth", 4, "auth");
    assert_eq!(v["outcome"], "not_verified");
    assert_eq!(m.hits(), 1);
}

#[test]
fn status_is_the_local_record_and_the_online_check_is_not_available() {
    let server = MockServer::start();
    let env = env(&server.base_url());
    sent(&server, &env);
    let guard = server.mock(|_when, then| {
        then.status(500);
    });
    let out = env.run(&["status", "--id", RID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert!(v["provider_status"].is_null(), "{v}");
    assert_eq!(v["provider"], "msg91");
    let out = env.run(&["config", "check", "--online", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["profiles"][0]["online"], "not_available", "{v}");
    support::assert_no_leak(&out, &[]);
    assert_eq!(guard.hits(), 0);
}

#[test]
fn params_join_the_query_string() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/api/v5/otp")
            .query_param("authkey", CANARY)
            .query_param("unicode", "1")
            .query_param("otp_expiry", "7")
            .body("");
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server.base_url());
    let out = env.run(&[
        "send",
        "--to",
        TO,
        "--param",
        "unicode=1",
        "--param",
        "otp_expiry=7",
        "-q",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
}

#[test]
fn the_profile_s_text_or_sender_is_a_config_problem_for_send_and_check() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    for line in ["message = \"Code {{code}}\"", "sender = \"ACMEIN\""] {
        let env = Env::new();
        env.config(&format!(
            "[profiles.in]\n{}{line}\n",
            profile(&server.base_url())
        ));
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        let v = battery::assert_failure(&out, line, 3, "config");
        assert_eq!(v["outcome"], "not_sent");
        let out = env.run(&["config", "check"]);
        assert_eq!(support::code(&out), 3, "{line}");
        let err = support::stderr(&out);
        assert!(
            err.contains("DLT template") && err.contains("MSG91 OTP template"),
            "{err}"
        );
    }
    assert_eq!(m.hits(), 0);
}
