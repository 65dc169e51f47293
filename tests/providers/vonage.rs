//! Vonage Verify v2 against a local mock: the exact send with Basic auth and with an
//! application's JWT, receipts in text and JSON, the verify verdicts (the local record
//! names the reason of a 404), cancel, the 409 of an open verification, a bad PEM
//! refused before any request, and the leak sweep over the Basic pair and the JWT.

use super::battery::{self, mock, Fixture};
use crate::support::faults::{Fault, FaultServer, Reply};
use crate::support::{self, Env, CANARY, CANARY2};
use base64::Engine as _;
use httpmock::prelude::*;
use serde_json::json;

const TO: &str = "+447700900001";
const REQUEST_ID: &str = "c11236f4-00bf-4b89-84ba-88b25df97315";
const SUCCESS: &str = r#"{"request_id":"c11236f4-00bf-4b89-84ba-88b25df97315"}"#;
const VERIFY_PATH: &str = "/v2/verify/c11236f4-00bf-4b89-84ba-88b25df97315";
const APP: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

fn profile(base: &str) -> String {
    format!(
        "provider = \"vonage\"\nbase_url = \"{base}\"\napi_key = \"{CANARY}\"\napi_secret = \"{CANARY2}\"\nsender = \"Acme\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"vonage\"\nbase_url = \"{base}\"\nsender = \"Acme\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "vonage",
    profile,
    profile_without_credentials,
    send_path: "/v2/verify",
    to: TO,
    success_status: 202,
    success_body: SUCCESS,
    success_id: REQUEST_ID,
    auth_status: 401,
    auth_body: r#"{"type":"https://developer.vonage.com/api-errors#unauthorized","title":"Unauthorized","detail":"You did not provide correct credentials.","instance":"bf0ca0bf927b3b52e3cb03217e1a1ddf"}"#,
    // Vonage documents no 2xx error. The closest honest equivalent is an RFC 7807
    // problem body on a 2xx without `request_id`: otp reads it as the refusal it states.
    error_2xx_body: r#"{"type":"https://developer.vonage.com/api-errors#invalid-params","title":"Invalid params","detail":"The value of one or more parameters is invalid."}"#,
};

fn basic_b64() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{CANARY}:{CANARY2}"))
}

fn key_path(form: &str) -> String {
    format!(
        "{}/tests/fixtures/vonage-TEST-ONLY-private-key.{form}.pem",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn env_with(body: &str) -> Env {
    let env = Env::new();
    env.config(&format!("default_profile = \"uk\"\n[profiles.uk]\n{body}"));
    env
}

fn env(base: &str) -> Env {
    env_with(&profile(base))
}

fn jwt_env(base: &str) -> Env {
    env_with(&format!(
        "provider = \"vonage\"\nbase_url = \"{base}\"\napplication_id = \"{APP}\"\nprivate_key = \"{}\"\nsender = \"Acme\"\n",
        key_path("pkcs8")
    ))
}

#[test]
fn send_with_basic_auth_is_exact_in_text_and_json() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/v2/verify")
            .header("content-type", "application/json")
            .header("authorization", format!("Basic {}", basic_b64()))
            .json_body(json!({
                "brand": "Acme",
                "workflow": [{"channel": "sms", "to": "447700900001"}],
                "code_length": 6,
            }));
        then.status(202)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server.base_url());
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(
        (&v["outcome"], &v["provider"], &v["id"], &v["verify_with"]),
        (
            &json!("accepted"),
            &json!("vonage"),
            &json!(REQUEST_ID),
            &json!("provider")
        )
    );
    assert!(v["expires_at"].is_string(), "{v}");
    support::assert_no_leak(&out, &[&basic_b64()]);

    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0);
    let text = support::stdout(&out);
    assert!(text.contains("accepted by vonage"), "{text}");
    assert!(text.contains(REQUEST_ID), "{text}");
    assert_eq!(m.hits(), 2);
}

#[test]
fn chosen_length_ttl_and_channel_reach_the_body() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST).path("/v2/verify").json_body(json!({
            "brand": "Shop",
            "workflow": [{"channel": "voice", "to": "447700900001"}],
            "code_length": 8,
            "channel_timeout": 900,
        }));
        then.status(202)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env_with(&format!(
        "{}max_ttl = \"15m\"\n",
        profile(&server.base_url())
    ));
    let out = env.run(&[
        "send",
        "--to",
        TO,
        "--sender",
        "Shop",
        "--length",
        "8",
        "--ttl",
        "15m",
        "--channel",
        "voice",
        "-o",
        "json",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
}

#[test]
fn out_of_range_values_and_a_missing_brand_send_nothing() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(202).body(SUCCESS);
    });
    let env = env_with(&format!(
        "{}max_ttl = \"1h\"\nallow_short_pins = true\n",
        profile(&server.base_url())
    ));
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--length", "11"], &["vonage", "4 to 10", "11"]),
            (&["--length", "3"], &["vonage", "4 to 10"]),
            (&["--ttl", "10s"], &["vonage", "15s to 900s"]),
            (&["--ttl", "16m"], &["vonage", "900s"]),
            (&["--attempts", "5"], &["vonage", "attempts"]),
            (&["--sender", "ABCDEFGHIJKLMNOPQ"], &["1 to 16"]),
        ],
        2,
    );
    let env = env_with(&format!(
        "provider = \"vonage\"\nbase_url = \"{}\"\napi_key = \"{CANARY}\"\napi_secret = \"{CANARY2}\"\n",
        server.base_url()
    ));
    battery::assert_refused_before_sending(&env, TO, &[(&[], &["brand"])], 3);
    assert_eq!(m.hits(), 0);
}

#[test]
fn jwt_auth_sends_a_bearer_token_that_never_prints() {
    let server = FaultServer::start(Fault::Reply(Reply::json(202, SUCCESS)));
    let env = jwt_env(&server.url());
    let out = env.run(&["-v", "send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let sent = server.received();
    let raw = String::from_utf8_lossy(&sent[0]).to_string();
    let token = raw
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("authorization")
                .then(|| value.trim().strip_prefix("Bearer ").map(str::to_string))?
        })
        .unwrap_or_else(|| panic!("no bearer in {raw}"));
    assert_eq!(token.split('.').count(), 3, "{token}");
    let all = format!("{}\n{}", support::stdout(&out), support::stderr(&out));
    assert!(all.contains("Bearer ***"), "{all}");
    // The JWT, its signature alone, and the key file's content never print.
    let sig = token.rsplit('.').next().unwrap().to_string();
    let pem = std::fs::read_to_string(key_path("pkcs8")).unwrap();
    let pem_line = pem.lines().nth(3).unwrap().to_string();
    support::assert_none_of(&all, &[&token, &sig, &pem_line], &[]);
    for (_, bytes) in env.written_files() {
        support::assert_none_of(&String::from_utf8_lossy(&bytes), &[&token, &sig], &[]);
    }
}

#[test]
fn a_bad_pem_is_a_config_error_before_any_request() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(202).body(SUCCESS);
    });
    let env = Env::new();
    let bad = env.home().join("bad.pem");
    let pem = std::fs::read_to_string(key_path("pkcs1")).unwrap();
    let inner = pem.lines().nth(4).unwrap();
    support::write_private(
        &bad,
        &format!("-----BEGIN RSA PRIVATE KEY-----\n{inner}\n-----END RSA PRIVATE KEY-----\n"),
    );
    env.config(&format!(
        "[profiles.uk]\nprovider = \"vonage\"\nbase_url = \"{}\"\napplication_id = \"{APP}\"\nprivate_key = \"{}\"\nsender = \"Acme\"\n",
        server.base_url(),
        bad.display()
    ));
    for args in [
        &["send", "--to", TO, "-o", "json"][..],
        &["send", "--to", TO, "--dry-run"][..],
    ] {
        let out = env.run(args);
        assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
        let err = support::stderr(&out);
        assert!(err.contains("private_key"), "{err}");
        support::assert_none_of(&err, &[inner], &[]);
    }
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 3);
    assert!(support::stderr(&out).contains("private_key"));
    assert_eq!(m.hits(), 0);
}

#[test]
fn both_credential_pairs_are_refused() {
    let env = env_with(&format!(
        "{}application_id = \"{APP}\"\nprivate_key = \"{}\"\n",
        profile("http://127.0.0.1:1"),
        key_path("pkcs8")
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    let v = battery::assert_failure(&out, "both pairs", 3, "config");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("api_key") && msg.contains("application_id"),
        "{msg}"
    );
}

#[test]
fn an_open_verification_is_a_retryable_rejection_with_a_way_out() {
    let server = MockServer::start();
    mock(
        &server,
        POST,
        "/v2/verify",
        409,
        r#"{"title":"Conflict","detail":"Concurrent verifications to the same number are not allowed.","type":"https://developer.vonage.com/api-errors/verify#conflict","request_id":"c11236f4-00bf-4b89-84ba-88b25df97315"}"#,
    );
    let env = env(&server.base_url());
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    let v = battery::assert_send_failed(&out, "409", 4, "rate_limited", 409, Some("conflict"));
    assert_eq!(v["error"]["retryable"], true);
    let err = support::stderr(&out);
    assert!(
        err.contains(&format!("otp cancel --id {REQUEST_ID}")),
        "{err}"
    );
}

fn sent(env: &Env, server: &MockServer) {
    let mut m = mock(server, POST, "/v2/verify", 202, SUCCESS);
    let out = env.run(&["send", "--to", TO, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.delete();
}

fn verify(env: &Env, code: &str) -> std::process::Output {
    env.run(&["verify", "--id", REQUEST_ID, "--code", code, "-o", "json"])
}

#[test]
fn verify_request_is_exact_and_verified() {
    let server = MockServer::start();
    let env = env(&server.base_url());
    sent(&env, &server);
    let m = server.mock(|when, then| {
        when.method(POST)
            .path(VERIFY_PATH)
            .header("authorization", format!("Basic {}", basic_b64()))
            .json_body(json!({"code": "482913"}));
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"request_id":"c11236f4-00bf-4b89-84ba-88b25df97315","status":"completed"}"#);
    });
    let out = verify(&env, "482913");
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["outcome"], "verified");
    m.assert();
    support::assert_no_leak(&out, &["482913", &basic_b64()]);
}

#[test]
fn verify_verdicts_and_a_reuse_answered_locally() {
    for (status, body, reason) in [
        (
            400,
            r#"{"title":"Invalid Code","detail":"The code you provided does not match the expected value."}"#,
            "wrong_code",
        ),
        (
            410,
            r#"{"title":"Invalid Code","detail":"An incorrect code has been provided too many times. Workflow terminated."}"#,
            "attempts_exhausted",
        ),
        (
            404,
            r#"{"title":"Not Found","detail":"Request was not found or it has been verified already."}"#,
            "expired",
        ),
    ] {
        let server = MockServer::start();
        let env = env(&server.base_url());
        sent(&env, &server);
        let m = mock(&server, POST, VERIFY_PATH, status, body);
        let out = verify(&env, "111111");
        let v = battery::assert_failure(&out, reason, 1, reason);
        assert_eq!(v["reason"], reason, "{v}");
        assert_eq!(m.hits(), 1, "verify is never retried");
    }
    // Verified once, the record answers a reuse itself: no second call to Vonage.
    let server = MockServer::start();
    let env = env(&server.base_url());
    sent(&env, &server);
    let ok = mock(&server, POST, VERIFY_PATH, 200, r#"{"status":"completed"}"#);
    assert_eq!(support::code(&verify(&env, "482913")), 0);
    let v = battery::assert_failure(&verify(&env, "482913"), "reuse", 1, "already_used");
    assert_eq!(v["reason"], "already_used");
    assert_eq!(ok.hits(), 1);
}

#[test]
fn cancel_deletes_at_vonage_and_locally() {
    let server = MockServer::start();
    let env = env(&server.base_url());
    sent(&env, &server);
    let m = server.mock(|when, then| {
        when.method(DELETE)
            .path(VERIFY_PATH)
            .header("authorization", format!("Basic {}", basic_b64()));
        then.status(204);
    });
    let out = env.run(&["cancel", "--id", REQUEST_ID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(
        (&v["cancelled"], &v["provider_cancelled"]),
        (&json!(true), &json!(true))
    );
    m.assert();
    let vm = mock(&server, POST, VERIFY_PATH, 200, r#"{"status":"completed"}"#);
    let out = verify(&env, "482913");
    assert_eq!(support::code(&out), 1);
    assert_eq!(vm.hits(), 0, "a cancelled OTP is refused locally");
    // No status call: status answers from the local record.
    let out = env.run(&["status", "--id", REQUEST_ID, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(
        support::json(&out)["provider_status"],
        serde_json::Value::Null
    );
}

#[test]
fn dry_run_masks_the_authorization_header() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(202).body(SUCCESS);
    });
    for env in [env(&server.base_url()), jwt_env(&server.base_url())] {
        let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        let v = support::json(&out);
        let auth = v["request"]["headers"]["Authorization"].as_str().unwrap();
        assert!(auth == "Basic ***" || auth == "Bearer ***", "{auth}");
        support::assert_no_leak(&out, &[&basic_b64()]);
        let out = env.run(&["send", "--to", TO, "--dry-run"]);
        let text = support::stdout(&out);
        assert!(
            text.contains("Authorization: Basic ***") || text.contains("Authorization: Bearer ***"),
            "{text}"
        );
    }
    assert_eq!(m.hits(), 0);
}

#[test]
fn the_basic_pair_never_prints_even_when_echoed() {
    let echo = format!(
        "{{\"title\":\"Unauthorized\",\"detail\":\"bad credentials {}\"}}",
        basic_b64()
    );
    let pair = format!("{CANARY}:{CANARY2}");
    for fault in [
        Fault::Reply(Reply::json(202, SUCCESS).with_header("X-Echo", &basic_b64())),
        Fault::Reply(Reply::json(401, &echo)),
        Fault::Reply(Reply::json(500, &echo)),
        Fault::Reply(Reply::html(502, &format!("<p>{}</p>", basic_b64()))),
        Fault::ReadThenClose,
    ] {
        let server = FaultServer::start(fault);
        let env = env(&server.url());
        for extra in [
            &["-o", "json"][..],
            &["-v"][..],
            &["-v", "-o", "json"][..],
            &["--dry-run"][..],
        ] {
            let mut args = vec!["--timeout", "2s", "send", "--to", TO];
            args.extend_from_slice(extra);
            let out = env.run(&args);
            support::assert_no_leak(&out, &[&basic_b64(), &pair]);
            let out = env.run(&["-v", "verify", "--id", REQUEST_ID, "--code", "482913"]);
            support::assert_no_leak(&out, &[&basic_b64(), &pair, "482913"]);
        }
        for (_, bytes) in env.written_files() {
            support::assert_none_of(
                &String::from_utf8_lossy(&bytes),
                &[&basic_b64(), &pair],
                &[],
            );
        }
    }
}

#[test]
fn providers_and_config_init_know_vonage() {
    let info = battery::provider_info("vonage");
    assert_eq!(info["pin_by"], "provider");
    let env = Env::new();
    let out = env.run(&["providers", "vonage"]);
    assert_eq!(support::code(&out), 0);
    let text = support::stdout(&out);
    for k in ["api_key", "api_secret", "application_id", "private_key"] {
        assert!(text.contains(k), "{text}");
    }
    let out = env.run(&["config", "init", "--provider", "vonage"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let written = std::fs::read_to_string(env.config_path()).unwrap();
    assert!(
        written.contains("[profiles.vonage]\nprovider = \"vonage\""),
        "{written}"
    );
}

/// Vonage's python SDK makes `from` required on the WhatsApp workflow
/// (`WhatsappChannel.from_ = Field(...)`); its maintainers: "from is now mandatory as
/// you must use your own WABA" (vonage-php-sdk-core#467). `--channel whatsapp` without
/// `whatsapp_from` is refused before any request (exit 3, naming the key and the
/// profile); with it, `from` reaches the workflow.
#[test]
fn whatsapp_needs_whatsapp_from_before_any_request() {
    let server = MockServer::start();
    let mut any = server.mock(|_when, then| {
        then.status(202)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server.base_url());
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[(
            &["--channel", "whatsapp"],
            &["vonage", "`whatsapp_from`", "profile \"uk\""],
        )],
        3,
    );
    let out = env.run(&["send", "--to", TO, "--channel", "whatsapp"]);
    assert_eq!(support::code(&out), 3);
    let err = support::stderr(&out);
    assert!(
        err.contains("hint:") && err.contains("whatsapp_from"),
        "{err}"
    );
    assert_eq!(any.hits(), 0);
    any.delete();

    let m = server.mock(|when, then| {
        when.method(POST).path("/v2/verify").json_body(json!({
            "brand": "Acme",
            "workflow": [{"channel": "whatsapp", "to": "447700900001", "from": "447700900000"}],
            "code_length": 6,
        }));
        then.status(202)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env_with(&format!(
        "{}whatsapp_from = \"+447700900000\"\n",
        profile(&server.base_url())
    ));
    let out = env.run(&["send", "--to", TO, "--channel", "whatsapp", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
}
