//! CINNOX against a local mock: the exact request (the PIN `otp` made included), receipts,
//! every documented error code, sender rules, and the local verify loop.

use super::battery::{self, Fixture};
use crate::support::faults::{Fault, FaultServer, Reply};
use crate::support::{self, Env, CANARY};
use httpmock::prelude::*;
use serde_json::json;

const TO: &str = "+85291234567";
const APP_ID: &str = "a1b2c3d4";
const PATH: &str = "/v1/api/apps/a1b2c3d4/send_otp";
const TX: &str = "a4b0b7d6-7f4e-4b0c-9d1e-2c1f0e3a5b6c";
const SUCCESS: &str = r#"{"code":0,"result":{"serviceID":"svc-7731","status":true,"transactionID":["a4b0b7d6-7f4e-4b0c-9d1e-2c1f0e3a5b6c"]}}"#;
const PIN: &str = "482913";

fn profile(base: &str) -> String {
    format!(
        "provider = \"cinnox\"\nbase_url = \"{base}\"\napp_id = \"{APP_ID}\"\napp_token = \"{CANARY}\"\nsender = \"Acme\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"cinnox\"\nbase_url = \"{base}\"\nsender = \"Acme\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "cinnox",
    profile,
    profile_without_credentials,
    send_path: PATH,
    to: TO,
    success_status: 200,
    success_body: SUCCESS,
    success_id: TX,
    // CINNOX documents no auth failure body; {code,message} is its error shape.
    auth_status: 401,
    auth_body: r#"{"code":401,"message":"Unauthorized"}"#,
    error_2xx_body: r#"{"code":6451000,"message":"Invalid senderNumber"}"#,
};

fn env_with(body: &str) -> Env {
    let env = Env::new();
    env.config(&format!("default_profile = \"hk\"\n[profiles.hk]\n{body}"));
    env
}

fn env(base: &str, extra: &str) -> Env {
    env_with(&format!("{}{extra}", profile(base)))
}

fn reply<'a>(server: &'a MockServer, status: u16, body: &str) -> httpmock::Mock<'a> {
    battery::mock(server, POST, PATH, status, body)
}

#[test]
fn send_request_is_exact() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path(PATH)
            .header("content-type", "application/json")
            .header("Authorization", format!("Bearer {CANARY}"))
            .json_body(json!({
                "senderNumber": "Acme",
                "recipientNumber": "85291234567",
                "text": "Your Acme code is %s. It expires in 5 minutes.",
                "pin": PIN,
            }));
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(
        &server.base_url(),
        "message = \"Your Acme code is {{code}}. It expires in {{minutes}} minutes.\"\n",
    );
    let out = env.run(&["send", "--to", TO, "--pin", PIN, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
    support::assert_no_leak(&out, &[PIN]);
}

/// The raw request's JSON body.
fn body_of(raw: &[u8]) -> serde_json::Value {
    let text = String::from_utf8_lossy(raw);
    let (_, body) = text.split_once("\r\n\r\n").expect("a body");
    serde_json::from_str(body).expect("JSON body")
}

#[test]
fn a_made_pin_is_sent_never_shown_and_verifies() {
    for (args, alphabet) in [
        (&[][..], "0123456789"),
        (
            &["--pin-type", "letters", "--length", "8"][..],
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        ),
        (
            &["--pin-type", "alphanumeric", "--length", "10"][..],
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        ),
    ] {
        let server = FaultServer::start(Fault::Reply(Reply::json(200, SUCCESS)));
        let env = env(&server.url(), "");
        let mut all = vec!["send", "--to", TO, "-o", "json"];
        all.extend_from_slice(args);
        let out = env.run(&all);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        let sent = server.received();
        assert_eq!(sent.len(), 1);
        let pin = body_of(&sent[0])["pin"].as_str().unwrap().to_string();
        let want = if args.is_empty() {
            6
        } else {
            args[3].parse().unwrap()
        };
        assert_eq!(pin.len(), want, "{pin}");
        assert!(pin.chars().all(|c| alphabet.contains(c)), "{pin}");
        support::assert_no_leak(&out, &[&pin]);
        for (p, bytes) in env.written_files() {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(&pin),
                "PIN kept in {}",
                p.display()
            );
        }
        let out = env.run(&["verify", "--id", TX, "--code", &pin, "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        assert_eq!(support::json(&out)["outcome"], "verified");
        support::assert_no_leak(&out, &[&pin]);
        assert_eq!(server.requests(), 1, "verify is local");
    }
}

#[test]
fn receipt_in_text_and_json() {
    let server = MockServer::start();
    reply(&server, 200, SUCCESS);
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["provider"], "cinnox");
    assert_eq!(v["id"], TX);
    assert_eq!(v["verify_with"], "local");
    assert_eq!(v["message_id"], serde_json::Value::Null);
    assert_eq!(v["cost"], serde_json::Value::Null);
    assert!(v["expires_at"].as_str().unwrap().ends_with('Z'));

    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0);
    let text = support::stdout(&out);
    assert!(text.contains("accepted by cinnox"), "{text}");
    assert!(text.contains(&format!("id        {TX}")), "{text}");
    assert!(text.contains(&format!("otp verify --id {TX}")), "{text}");
}

#[test]
fn transaction_id_as_a_string_parses() {
    let server = MockServer::start();
    reply(
        &server,
        200,
        r#"{"code":0,"result":{"serviceID":"svc-1","status":true,"transactionID":"tx-single"}}"#,
    );
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["id"], "tx-single");
}

#[test]
fn documented_errors() {
    for (status, body, exit, kind, code) in [
        (
            400,
            r#"{"code":6451000,"message":"Invalid senderNumber"}"#,
            4,
            "invalid_request",
            Some("6451000"),
        ),
        (
            400,
            r#"{"code":6451010,"message":"Too many requests"}"#,
            4,
            "rate_limited",
            Some("6451010"),
        ),
        (
            404,
            r#"{"code":6450001,"message":"Method not found"}"#,
            4,
            "not_found",
            Some("6450001"),
        ),
        (
            400,
            r#"{"code":400,"message":"Unknown data type"}"#,
            4,
            "invalid_request",
            Some("400"),
        ),
        (
            401,
            r#"{"code":401,"message":"Unauthorized"}"#,
            4,
            "auth",
            Some("401"),
        ),
        (
            200,
            r#"{"code":6451000,"message":"Invalid senderNumber"}"#,
            4,
            "invalid_request",
            Some("6451000"),
        ),
        (
            200,
            r#"{"code":0,"result":{"serviceID":"svc-1","status":false,"transactionID":[]}}"#,
            4,
            "invalid_request",
            Some("0"),
        ),
        (
            400,
            r#"{"code":6451001,"message":"Bad response from service"}"#,
            6,
            "server",
            Some("6451001"),
        ),
    ] {
        let server = MockServer::start();
        let m = reply(&server, status, body);
        let env = env(&server.base_url(), "");
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        battery::assert_send_failed(&out, body, exit, kind, status, code);
        assert_eq!(m.hits(), 1);
        support::assert_no_leak(&out, &[]);
        // A refused send leaves no record to verify against.
        let out = env.run(&["verify", "--id", TX, "--code", "123456", "-o", "json"]);
        assert_eq!(support::json(&out)["reason"], "unknown_id", "{body}");
    }
}

#[test]
fn out_of_range_values_exit_2_with_zero_requests() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--length", "11"][..], &["cinnox", "11", "1 to 10"][..]),
            (&["--attempts", "0"], &["cinnox", "0", "1 to 100"]),
            (&["--attempts", "101"], &["cinnox", "101", "1 to 100"]),
            (&["--channel", "whatsapp"], &["cinnox", "whatsapp", "sms"]),
            (
                &["--sender", "Acme Corp"],
                &["cinnox", "Acme Corp", "letters and digits"],
            ),
            (
                &["--sender", "447700900123"],
                &["cinnox", "447700900123", "at least one letter"],
            ),
            (
                &["--sender", "AcmeBankLtd1"],
                &["cinnox", "AcmeBankLtd1", "at most 11"],
            ),
            (&["--pin", "12345678901"], &["--pin", "1 to 10", "cinnox"]),
            (&["--pin", "12-34"], &["--pin", "cinnox"]),
            (
                &["--callback-url", "https://example.com/cb"],
                &["cinnox", "--callback-url"],
            ),
        ],
        2,
    );
    // Local records take any ttl up to max_ttl, seconds included.
    let out = env.run(&["send", "--to", TO, "--ttl", "90s", "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(m.hits(), 0);
}

#[test]
fn config_errors_exit_3_with_zero_requests() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    let full = profile(&server.base_url());
    for (body, words) in [
        (
            full.replace(&format!("base_url = \"{}\"\n", server.base_url()), ""),
            &[
                "base_url",
                "Administration > Service Integration > API > API LIST",
            ][..],
        ),
        (
            full.replace(&format!("app_id = \"{APP_ID}\"\n"), ""),
            &["app_id", "CINNOX dashboard"],
        ),
        (
            full.replace(&format!("app_token = \"{CANARY}\"\n"), ""),
            &["app_token", "CINNOX dashboard"],
        ),
        (
            full.replace("sender = \"Acme\"\n", ""),
            &["sender", "alphanumeric"],
        ),
    ] {
        let env = env_with(&body);
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        assert_eq!(support::code(&out), 3, "{body}: {}", support::stderr(&out));
        let v = support::json(&out);
        assert_eq!(v["error"]["kind"], "config");
        let err = support::stderr(&out);
        assert!(err.contains("hint:"), "{err}");
        for w in words {
            assert!(err.contains(w), "{err} lacks {w}");
        }
        support::assert_no_leak(&out, &[]);
    }
    assert_eq!(m.hits(), 0);
}

#[test]
fn dry_run_masks_token_and_pin() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(200).body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "--pin", PIN, "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(
        text.contains(&format!("POST {}{PATH}", server.base_url())),
        "{text}"
    );
    assert!(text.contains("Authorization: Bearer ***"), "{text}");
    assert!(text.contains("\"pin\": \"***\""), "{text}");
    assert!(
        text.contains("\"text\": \"Your verification code is %s\""),
        "{text}"
    );
    support::assert_no_leak(&out, &[PIN]);

    let out = env.run(&["send", "--to", TO, "--pin", PIN, "--dry-run", "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(v["outcome"], "dry_run");
    assert_eq!(v["request"]["body"]["pin"], "***");
    assert_eq!(v["request"]["body"]["recipientNumber"], "85291234567");
    assert_eq!(v["request"]["headers"]["Authorization"], "Bearer ***");
    support::assert_no_leak(&out, &[PIN]);
    assert_eq!(m.hits(), 0);
}

fn sent(extra: &str) -> (MockServer, Env) {
    let server = MockServer::start();
    let env = env(&server.base_url(), extra);
    {
        let m = reply(&server, 200, SUCCESS);
        let out = env.run(&["send", "--to", TO, "--pin", PIN, "-q"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        assert_eq!(support::stdout(&out).trim(), TX);
        m.assert();
    }
    (server, env)
}

fn verify(env: &Env, code: &str) -> std::process::Output {
    env.run(&["verify", "--id", TX, "--code", code, "-o", "json"])
}

#[test]
fn verify_loop_right_code_then_reuse() {
    let (server, env) = sent("");
    let any = server.mock(|_when, then| {
        then.status(500);
    });
    let out = verify(&env, PIN);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "verified");
    assert_eq!(v["provider"], "cinnox");
    assert_eq!(v["verify_with"], "local");
    assert_eq!(v["reason"], serde_json::Value::Null);
    support::assert_no_leak(&out, &[PIN]);
    let out = verify(&env, PIN);
    assert_eq!(support::code(&out), 1);
    assert_eq!(support::json(&out)["reason"], "already_used");
    assert_eq!(any.hits(), 0, "verify never calls CINNOX");
}

#[test]
fn verify_loop_wrong_code_then_locked() {
    let (_server, env) = sent("attempts = 2\n");
    let out = verify(&env, "000000");
    assert_eq!(support::code(&out), 1, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["outcome"], "not_verified");
    assert_eq!(v["reason"], "wrong_code");
    assert_eq!(v["error"]["kind"], "wrong_code");
    let out = verify(&env, "111111");
    assert_eq!(support::json(&out)["reason"], "wrong_code");
    // Out of attempts: even the right code is refused now.
    let out = verify(&env, PIN);
    assert_eq!(support::code(&out), 1);
    assert_eq!(support::json(&out)["reason"], "attempts_exhausted");
}
