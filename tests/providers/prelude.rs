//! Prelude Verify v2 against a local mock: the exact send, the 200 whose `status`
//! decides (a fraud-guard `blocked` is exit 4, kind `blocked`; `shadow_blocked` and
//! `challenged` sent the code: accepted with a warning, and no fallback), verify by the
//! number the local record keeps, the status call, and a dry run that masks the bearer key.

use super::battery::{self, fixtures, mock, Fixture};
use crate::support::{self, Env, CANARY};
use httpmock::prelude::*;
use serde_json::json;

const TO: &str = "+33612345678";
const ID: &str = "vrf_01jc0t6fwwfgfsq1md24mhyztj";
const SUCCESS: &str = r#"{"id":"vrf_01jc0t6fwwfgfsq1md24mhyztj","status":"success","method":"message","channels":["sms"],"metadata":{},"request_id":"3d19215e-2991-4a05-a41a-527314e6ff6a"}"#;

fn profile(base: &str) -> String {
    format!("provider = \"prelude\"\nbase_url = \"{base}\"\napi_key = \"{CANARY}\"\n")
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"prelude\"\nbase_url = \"{base}\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "prelude",
    profile,
    profile_without_credentials,
    send_path: "/v2/verification",
    to: TO,
    success_status: 200,
    success_body: SUCCESS,
    success_id: ID,
    auth_status: 401,
    auth_body: r#"{"code":"invalid_api_key","message":"The API key is invalid.","type":"unauthorized","request_id":"3d19215e-2991-4a05-a41a-527314e6ff6a"}"#,
    // Prelude's fraud guard answers 200 and says no in `status`.
    error_2xx_body: r#"{"id":"vrf_01jc0t6fwwfgfsq1md24mhyztj","status":"blocked","reason":"suspicious","method":"message","channels":[]}"#,
};

fn env(base: &str, extra: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"fr\"\n[profiles.fr]\n{}{extra}",
        profile(base)
    ));
    env
}

#[test]
fn send_request_is_exact_in_text_and_json() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/v2/verification")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {CANARY}"))
            .json_body(json!({"target": {"type": "phone_number", "value": TO}}));
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
    assert_eq!(v["id"], ID);
    assert_eq!(
        v["expires_at"],
        serde_json::Value::Null,
        "Prelude picks the expiry"
    );
    support::assert_no_leak(&out, &[]);
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0);
    assert!(support::stdout(&out).contains(ID));
    assert_eq!(m.hits(), 2);
}

#[test]
fn chosen_options_reach_the_body_and_limits_send_nothing() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST).path("/v2/verification").json_body(json!({
            "target": {"type": "phone_number", "value": TO},
            "options": {"code_size": 8, "locale": "fr-FR", "sender_id": "Acme"},
        }));
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(
        &server.base_url(),
        "locale = \"fr-FR\"\nallow_short_pins = true\n",
    );
    let out = env.run(&[
        "send", "--to", TO, "--length", "8", "--sender", "Acme", "-o", "json",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--length", "9"], &["prelude", "4 to 8"]),
            (&["--ttl", "2m"], &["prelude", "expiry"]),
            (&["--attempts", "5"], &["prelude", "attempts"]),
            (&["--channel", "voice"], &["voice"]),
        ],
        2,
    );
    assert_eq!(m.hits(), 1);
}

#[test]
fn a_blocked_number_is_exit_4_kind_blocked_with_the_reason() {
    {
        let status = "blocked";
        let server = MockServer::start();
        mock(
            &server,
            POST,
            "/v2/verification",
            200,
            &format!(r#"{{"id":"{ID}","status":"{status}","reason":"suspicious","channels":[]}}"#),
        );
        let env = env(&server.base_url(), "");
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        let v = battery::assert_send_failed(&out, status, 4, "blocked", 200, Some(status));
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("suspicious"),
            "{v}"
        );
        let out = env.run(&["send", "--to", TO]);
        assert_eq!(support::code(&out), 4);
        let err = support::stderr(&out);
        assert!(
            err.contains("fraud guard") && err.contains("hint:"),
            "{err}"
        );
        // Nothing was sent, so there is no record to verify.
        let out = env.run(&["verify", "--id", ID, "--code", "123456", "-o", "json"]);
        assert_eq!(support::code(&out), 1, "{}", support::stderr(&out));
    }
}

#[test]
fn verify_checks_the_number_from_the_record() {
    let server = MockServer::start();
    let env = env(&server.base_url(), "");
    let mut sent = mock(&server, POST, "/v2/verification", 200, SUCCESS);
    assert_eq!(support::code(&env.run(&["send", "--to", TO, "-q"])), 0);
    sent.delete();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/v2/verification/check")
            .header("authorization", format!("Bearer {CANARY}"))
            .json_body(json!({"target": {"type": "phone_number", "value": TO}, "code": "482913"}));
        then.status(200)
            .header("content-type", "application/json")
            .body(format!(r#"{{"id":"{ID}","status":"success"}}"#));
    });
    let out = env.run(&["verify", "--id", ID, "--code", "482913", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["outcome"], "verified");
    m.assert();
    support::assert_no_leak(&out, &["482913"]);
}

#[test]
fn verify_verdicts() {
    for (body, reason) in [
        (r#"{"id":"x","status":"failure"}"#, "wrong_code"),
        (r#"{"status":"expired_or_not_found"}"#, "expired"),
    ] {
        let server = MockServer::start();
        let env = env(&server.base_url(), "");
        let mut sent = mock(&server, POST, "/v2/verification", 200, SUCCESS);
        assert_eq!(support::code(&env.run(&["send", "--to", TO, "-q"])), 0);
        sent.delete();
        let m = mock(&server, POST, "/v2/verification/check", 200, body);
        let out = env.run(&["verify", "--id", ID, "--code", "111111", "-o", "json"]);
        let v = battery::assert_failure(&out, reason, 1, reason);
        assert_eq!(v["reason"], reason);
        assert_eq!(m.hits(), 1, "verify is never retried");
    }
}

#[test]
fn verify_without_the_record_is_unknown_id_without_a_call() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(r#"{"status":"success"}"#);
    });
    let env = env(&server.base_url(), "");
    let out = env.run(&["verify", "--id", ID, "--code", "482913", "-o", "json"]);
    let v = battery::assert_failure(&out, "no record", 1, "not_found");
    assert_eq!(v["reason"], "unknown_id");
    let out = env.run(&["verify", "--id", ID, "--code", "482913"]);
    assert!(
        support::stderr(&out).contains("by number"),
        "{}",
        support::stderr(&out)
    );
    assert_eq!(m.hits(), 0);
}

#[test]
fn status_asks_prelude_and_cancel_is_local_only() {
    let server = MockServer::start();
    let env = env(&server.base_url(), "");
    let mut sent = mock(&server, POST, "/v2/verification", 200, SUCCESS);
    assert_eq!(support::code(&env.run(&["send", "--to", TO, "-q"])), 0);
    sent.delete();
    let m = server.mock(|when, then| {
        when.method(GET)
            .path(format!("/v2/verification/phone/history/{ID}"))
            .header("authorization", format!("Bearer {CANARY}"));
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"status":"pending_check"}"#);
    });
    let out = env.run(&["status", "--id", ID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(
        support::json(&out)["provider_status"]["status"],
        "pending_check"
    );
    m.assert();
    let out = env.run(&["cancel", "--id", ID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["provider_cancelled"], false);
}

#[test]
fn dry_run_masks_the_bearer_key() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["request"]["headers"]["Authorization"], "Bearer ***");
    support::assert_no_leak(&out, &[]);
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert!(support::stdout(&out).contains("Authorization: Bearer ***"));
    support::assert_no_leak(&out, &[]);
    assert_eq!(m.hits(), 0);
}

/// A 200 send reply with this `status` and extra fields.
fn send_reply(status: &str, extra: &str) -> String {
    format!(r#"{{"id":"{ID}","status":"{status}","method":"message"{extra}}}"#)
}

/// Prelude's OpenAPI (prelude-so/python-sdk `types/verification_create_response.py`):
/// `shadow_blocked` "The verification triggered a block rule but the decision was not
/// enforced; this is used to dry-run anti-fraud configuration", and `challenged` is
/// "restricted to non-SMS and non-voice channels only". Both sent a code: exit 0, a
/// warning, a record that verify checks.
#[test]
fn shadow_blocked_and_challenged_are_sends_with_a_warning() {
    for (status, extra, words) in [
        (
            "shadow_blocked",
            r#","reason":"suspicious","channels":["sms"]"#,
            &["dry run", "shadow_blocked", "suspicious"][..],
        ),
        (
            "challenged",
            r#","channels":["whatsapp"]"#,
            &["challenged", "whatsapp"][..],
        ),
    ] {
        let server = MockServer::start();
        let mut sent = mock(
            &server,
            POST,
            "/v2/verification",
            200,
            &send_reply(status, extra),
        );
        let env = env(&server.base_url(), "");
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        assert_eq!(
            support::code(&out),
            0,
            "{status}: {}",
            support::stderr(&out)
        );
        let v = support::json(&out);
        support::assert_report_shape(&v);
        assert_eq!(v["outcome"], "accepted", "{status}: {v}");
        assert_eq!(v["id"], ID);
        assert_eq!(v["error"], serde_json::Value::Null, "{status}: {v}");
        let err = support::stderr(&out);
        for w in words {
            assert!(err.contains(w), "{status}: stderr lacks {w:?}: {err}");
        }
        support::assert_no_leak(&out, &[]);
        sent.delete();
        // The code the user received verifies.
        let m = mock(
            &server,
            POST,
            "/v2/verification/check",
            200,
            &format!(r#"{{"id":"{ID}","status":"success"}}"#),
        );
        let out = env.run(&["verify", "--id", ID, "--code", "482913", "-o", "json"]);
        assert_eq!(
            support::code(&out),
            0,
            "{status}: {}",
            support::stderr(&out)
        );
        assert_eq!(support::json(&out)["outcome"], "verified");
        assert_eq!(m.hits(), 1);
    }
}

#[test]
fn an_unknown_send_status_is_exit_6() {
    let server = MockServer::start();
    let m = mock(
        &server,
        POST,
        "/v2/verification",
        200,
        &send_reply("held_for_review", ""),
    );
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    battery::assert_send_failed(&out, "unknown status", 6, "bad_response", 200, None);
    assert_eq!(m.hits(), 1);
}

#[test]
fn a_check_status_expired_is_expired() {
    let server = MockServer::start();
    let env = env(&server.base_url(), "");
    let mut sent = mock(&server, POST, "/v2/verification", 200, SUCCESS);
    assert_eq!(support::code(&env.run(&["send", "--to", TO, "-q"])), 0);
    sent.delete();
    // An older page of Prelude's docs lists `expired` beside `expired_or_not_found`.
    let m = mock(
        &server,
        POST,
        "/v2/verification/check",
        200,
        &format!(r#"{{"id":"{ID}","status":"expired"}}"#),
    );
    let out = env.run(&["verify", "--id", ID, "--code", "111111", "-o", "json"]);
    let v = battery::assert_failure(&out, "expired", 1, "expired");
    assert_eq!(v["reason"], "expired");
    assert_eq!(m.hits(), 1);
}

/// Profile `a` (prelude at `a_url`) falls back to `b` (smscx at `b_url`).
fn chain_env(a_url: &str, b_url: &str) -> Env {
    let smscx = fixtures().into_iter().find(|f| f.id == "smscx").unwrap();
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"a\"\n[profiles.a]\n{}fallback = [\"b\"]\n[profiles.b]\n{}",
        profile(a_url),
        (smscx.profile)(b_url),
    ));
    env
}

/// A code went out through Prelude (rule in dry run, or another channel): a second
/// vendor would send a second code, so the chain stops at the first.
#[test]
fn no_fallback_after_shadow_blocked_or_challenged() {
    let smscx = fixtures().into_iter().find(|f| f.id == "smscx").unwrap();
    for (status, extra) in [
        (
            "shadow_blocked",
            r#","reason":"suspicious","channels":["sms"]"#,
        ),
        ("challenged", r#","channels":["whatsapp"]"#),
    ] {
        let (a, b) = (MockServer::start(), MockServer::start());
        let first = mock(
            &a,
            POST,
            "/v2/verification",
            200,
            &send_reply(status, extra),
        );
        let second = mock(
            &b,
            POST,
            smscx.send_path,
            smscx.success_status,
            smscx.success_body,
        );
        let env = chain_env(&a.base_url(), &b.base_url());
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        assert_eq!(
            support::code(&out),
            0,
            "{status}: {}",
            support::stderr(&out)
        );
        let v = support::json(&out);
        assert_eq!(
            (&v["outcome"], &v["provider"], &v["profile"]),
            (&"accepted".into(), &"prelude".into(), &"a".into()),
            "{status}: {v}"
        );
        assert_eq!(v["tried"], json!([]), "{status}: {v}");
        first.assert_hits(1);
        second.assert_hits(0);
    }
    // `blocked` sent nothing: the chain goes on.
    let (a, b) = (MockServer::start(), MockServer::start());
    let first = mock(
        &a,
        POST,
        "/v2/verification",
        200,
        &send_reply("blocked", r#","reason":"suspicious","channels":[]"#),
    );
    let second = mock(
        &b,
        POST,
        smscx.send_path,
        smscx.success_status,
        smscx.success_body,
    );
    let env = chain_env(&a.base_url(), &b.base_url());
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["provider"], "smscx");
    assert_eq!(v["tried"][0]["error"]["kind"], "blocked", "{v}");
    first.assert_hits(1);
    second.assert_hits(1);
}
