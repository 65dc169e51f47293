//! Twilio Verify v2 against a local mock: the exact form requests with Basic auth (the
//! sender as `CustomFriendlyName`), the verification check (approved, pending, failed,
//! gone, a code of the wrong length refused before any request), status and cancel, geo
//! permissions as `route_refused` (which fallback follows), and the settings the Verify
//! Service owns refused before any request.

use super::battery::{self, fixtures, mock, Fixture};
use crate::support::{self, Env, CANARY};
use base64::Engine as _;
use httpmock::prelude::*;

const TO: &str = "+15017122661";
const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const SERVICE: &str = "VAfedcba9876543210fedcba9876543210";
const VE: &str = "VE00112233445566778899aabbccddeeff";
const SEND_PATH: &str = "/v2/Services/VAfedcba9876543210fedcba9876543210/Verifications";
const CHECK_PATH: &str = "/v2/Services/VAfedcba9876543210fedcba9876543210/VerificationCheck";
const VE_PATH: &str = "/v2/Services/VAfedcba9876543210fedcba9876543210/Verifications/VE00112233445566778899aabbccddeeff";
const SUCCESS: &str = r#"{"sid":"VE00112233445566778899aabbccddeeff","service_sid":"VAfedcba9876543210fedcba9876543210","account_sid":"AC0123456789abcdef0123456789abcdef","to":"+15017122661","channel":"sms","status":"pending","valid":false,"lookup":{},"amount":null,"payee":null,"send_code_attempts":[{"time":"2015-07-30T20:00:00Z","channel":"SMS","attempt_sid":"VL00000000000000000000000000000000"}],"date_created":"2015-07-30T20:00:00Z","date_updated":"2015-07-30T20:00:00Z","sna":null,"url":"https://verify.twilio.com/v2/Services/VAfedcba9876543210fedcba9876543210/Verifications/VE00112233445566778899aabbccddeeff"}"#;

fn profile(base: &str) -> String {
    format!(
        "provider = \"twilio\"\nbase_url = \"{base}\"\naccount_sid = \"{ACCOUNT}\"\nauth_token = \"{CANARY}\"\nservice_sid = \"{SERVICE}\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"twilio\"\nbase_url = \"{base}\"\nservice_sid = \"{SERVICE}\"\n")
}

fn error(code: u32, status: u16, message: &str) -> String {
    serde_json::json!({
        "code": code, "message": message, "status": status,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
    })
    .to_string()
}

pub static FIXTURE: Fixture = Fixture {
    id: "twilio",
    profile,
    profile_without_credentials,
    send_path: SEND_PATH,
    to: TO,
    success_status: 201,
    success_body: SUCCESS,
    success_id: VE,
    auth_status: 401,
    auth_body: r#"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#,
    // Twilio does not answer 2xx with an error. The closest honest case: its own error
    // document passed on with a 200 (by a proxy or gateway), read by its `status` field.
    error_2xx_body: r#"{"code":60200,"message":"Invalid parameter: To","more_info":"https://www.twilio.com/docs/errors/60200","status":400}"#,
};

fn basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{CANARY}"))
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
            .header("content-type", "application/x-www-form-urlencoded")
            .body("To=%2B15017122661&Channel=sms");
        then.status(201)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "accepted");
    assert_eq!(v["provider"], "twilio");
    assert_eq!(v["id"], VE);
    assert_eq!(v["verify_with"], "provider");
    assert_eq!(v["expires_at"], serde_json::Value::Null);
    support::assert_no_leak(&out, &[]);

    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("accepted by twilio"), "{text}");
    assert!(text.contains(VE), "{text}");
    support::assert_no_leak(&out, &[]);
    assert_eq!(m.hits(), 2);
}

#[test]
fn channels_locale_and_app_hash_reach_the_form() {
    for (channel, want) in [("voice", "call"), ("whatsapp", "whatsapp")] {
        let server = MockServer::start();
        let m = server.mock(|when, then| {
            when.method(POST)
                .path(SEND_PATH)
                .x_www_form_urlencoded_tuple("To", TO)
                .x_www_form_urlencoded_tuple("Channel", want)
                .x_www_form_urlencoded_tuple("Locale", "fr")
                .x_www_form_urlencoded_tuple("AppHash", "FA+9qCX9VSu");
            then.status(201)
                .header("content-type", "application/json")
                .body(SUCCESS);
        });
        let env = env(&server.base_url(), "locale = \"fr\"\n");
        let out = env.run(&[
            "send",
            "--to",
            TO,
            "--channel",
            channel,
            "--app-hash",
            "FA+9qCX9VSu",
        ]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        m.assert();
    }
}

#[test]
fn dry_run_shows_basic_auth_masked() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(201).body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("POST http://127.0.0.1"), "{text}");
    assert!(text.contains("Authorization: Basic ***"), "{text}");
    assert!(text.contains("To=%2B15017122661&Channel=sms"), "{text}");
    assert!(!text.contains(&basic()[6..]), "{text}");
    let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(v["request"]["headers"]["Authorization"], "Basic ***");
    assert_eq!(v["request"]["body"]["Channel"], "sms");
    assert!(!support::stdout(&out).contains(&basic()[6..]));
    support::assert_no_leak(&out, &[]);
    assert_eq!(m.hits(), 0);
}

#[test]
fn settings_the_service_owns_exit_2_with_zero_requests() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(201).body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    battery::assert_refused_before_sending(
        &env,
        TO,
        &[
            (&["--length", "6"][..], &["twilio", "length"][..]),
            (&["--ttl", "5m"], &["twilio", "ttl"]),
            (&["--attempts", "3"], &["twilio", "attempts"]),
            (&["--message", "Code {{code}}"], &["twilio", "--message"]),
            (&["--webotp-domain", "example.com"], &["twilio", "message"]),
            (&["--pin-type", "letters"], &["twilio", "letters"]),
            (&["--pin", "123456"], &["twilio", "--pin"]),
        ],
        2,
    );
    // The hint points at the Verify Service.
    let out = env.run(&["send", "--to", TO, "--message", "Code {{code}}"]);
    assert!(
        support::stderr(&out).contains("hint:") && support::stderr(&out).contains("Verify Service"),
        "{}",
        support::stderr(&out)
    );
    // From the environment and from the profile: a configuration problem (exit 3).
    for (k, v) in [
        ("OTP_TTL", "5m"),
        ("OTP_LENGTH", "6"),
        ("OTP_ATTEMPTS", "3"),
        ("OTP_MESSAGE", "Code {{code}}"),
    ] {
        let env = env_with(&profile(&server.base_url())).var(k, v);
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        let v = battery::assert_failure(&out, k, 3, "config");
        let sent = v["error"]["message"].as_str().unwrap().to_string();
        assert!(sent.contains(k) && sent.contains("profile"), "{sent}");
    }
    let env = env_with(&format!(
        "{}message = \"Code {{{{code}}}}\"\n",
        profile(&server.base_url())
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    battery::assert_failure(&out, "profile message", 3, "config");
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("`message`"));
    assert_eq!(m.hits(), 0);
}

#[test]
fn malformed_sids_are_config_errors_naming_the_key() {
    let server = MockServer::start();
    let m = server.mock(|_when, then| {
        then.status(201).body(SUCCESS);
    });
    for (body, key) in [
        (
            profile(&server.base_url()).replace(ACCOUNT, "AC123"),
            "account_sid",
        ),
        (
            profile(&server.base_url()).replace(SERVICE, "MG0123456789abcdef0123456789abcdef"),
            "service_sid",
        ),
    ] {
        let env = env_with(&body);
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        let v = battery::assert_failure(&out, key, 3, "config");
        assert!(v["error"]["message"].as_str().unwrap().contains(key), "{v}");
        let out = env.run(&["config", "check"]);
        assert_eq!(support::code(&out), 3);
        assert!(support::stderr(&out).contains(key));
    }
    assert_eq!(m.hits(), 0);
}

/// Send against the mock so a local record exists.
fn sent() -> (MockServer, Env) {
    let server = MockServer::start();
    let env = env(&server.base_url(), "");
    {
        let m = mock(&server, POST, SEND_PATH, 201, SUCCESS);
        let out = env.run(&["send", "--to", TO, "-q"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        assert_eq!(support::stdout(&out).trim(), VE);
        m.assert();
    }
    (server, env)
}

fn verify(env: &Env, code: &str) -> std::process::Output {
    env.run(&["verify", "--id", VE, "--code", code, "-o", "json"])
}

fn check_reply(status: &str) -> String {
    format!(
        r#"{{"sid":"{VE}","service_sid":"{SERVICE}","account_sid":"{ACCOUNT}","to":"{TO}","channel":"sms","status":"{status}","valid":{},"amount":null,"payee":null,"sna_attempts_error_codes":[],"date_created":"2015-07-30T20:00:00Z","date_updated":"2015-07-30T20:00:00Z"}}"#,
        status == "approved"
    )
}

#[test]
fn verify_approved_is_exact_and_verified() {
    let (server, env) = sent();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path(CHECK_PATH)
            .header("authorization", basic())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("VerificationSid={VE}&Code=482913"));
        then.status(200)
            .header("content-type", "application/json")
            .body(check_reply("approved"));
    });
    let out = verify(&env, "482913");
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "verified");
    assert_eq!(v["provider"], "twilio");
    support::assert_no_leak(&out, &["482913"]);
    // Used: the record answers a second check without asking Twilio.
    let out = verify(&env, "482913");
    assert_eq!(support::code(&out), 1);
    assert_eq!(support::json(&out)["reason"], "already_used");
    assert_eq!(m.hits(), 1);
}

#[test]
fn verify_pending_is_a_wrong_code_and_never_retried() {
    let (server, env) = sent();
    let m = mock(&server, POST, CHECK_PATH, 200, &check_reply("pending"));
    let out = verify(&env, "000000");
    let v = battery::assert_failure(&out, "pending", 1, "wrong_code");
    assert_eq!(v["reason"], "wrong_code");
    assert_eq!(m.hits(), 1);
    // Twilio counts the checks, so a wrong code does not lock the local record.
    let out = verify(&env, "000001");
    assert_eq!(support::code(&out), 1);
    assert_eq!(m.hits(), 2);
}

#[test]
fn verify_404_takes_its_reason_from_the_record() {
    let gone = error(
        20404,
        404,
        "The requested resource /Services/VA/VerificationCheck was not found",
    );
    // With a record: pending and not locked, so the verification expired.
    let (server, env) = sent();
    let m = mock(&server, POST, CHECK_PATH, 404, &gone);
    let out = verify(&env, "000000");
    let v = battery::assert_failure(&out, "404", 1, "expired");
    assert_eq!(v["reason"], "expired");
    assert_eq!(v["error"]["provider_code"], "20404");
    assert_eq!(m.hits(), 1);
    let out = env.run(&["status", "--id", VE, "-o", "json"]);
    assert_eq!(support::json(&out)["state"], "expired");

    // Without one, still expired (twilio: else `expired`).
    let env = env_with(&profile(&server.base_url()));
    let out = env.run(&[
        "-p", "us", "verify", "--id", VE, "--code", "000000", "-o", "json",
    ]);
    let v = battery::assert_failure(&out, "404 no record", 1, "expired");
    assert_eq!(v["reason"], "expired");

    // 60202: Twilio's checks are used up.
    let (server, env) = sent();
    mock(
        &server,
        POST,
        CHECK_PATH,
        429,
        &error(60202, 429, "Max check attempts reached"),
    );
    let out = verify(&env, "000000");
    let v = battery::assert_failure(&out, "60202", 1, "attempts_exhausted");
    assert_eq!(v["reason"], "attempts_exhausted");
}

#[test]
fn send_errors_map_to_kinds() {
    for (status, code, kind) in [
        (401, 20003, "auth"),
        (400, 60200, "invalid_request"),
        (429, 60203, "rate_limited"),
        (404, 20404, "not_found"),
    ] {
        let server = MockServer::start();
        let body = error(code, status, "the vendor's words");
        let m = mock(&server, POST, SEND_PATH, status, &body);
        let env = env(&server.base_url(), "");
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        let code = code.to_string();
        let v = battery::assert_send_failed(&out, &body, 4, kind, status, Some(&code));
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the vendor's words"));
        assert_eq!(m.hits(), 1);
        support::assert_no_leak(&out, &[]);
    }
}

#[test]
fn status_asks_twilio() {
    let (server, env) = sent();
    let m = server.mock(|when, then| {
        when.method(GET)
            .path(VE_PATH)
            .header("authorization", basic());
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let out = env.run(&["status", "--id", VE, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["provider"], "twilio");
    assert_eq!(v["attempts_left"], serde_json::Value::Null);
    assert_eq!(v["provider_status"]["status"], "pending");
    assert_eq!(v["provider_status"]["to"], "+1******2661");
    assert_eq!(m.hits(), 1);
    support::assert_no_leak(&out, &[]);
}

#[test]
fn cancel_posts_status_canceled() {
    let (server, env) = sent();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path(VE_PATH)
            .header("authorization", basic())
            .body("Status=canceled");
        then.status(200)
            .header("content-type", "application/json")
            .body(SUCCESS.replace("\"pending\"", "\"canceled\""));
    });
    let out = env.run(&["cancel", "--id", VE, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["provider_cancelled"], true);
    assert_eq!(v["local_record"], true);
    m.assert();
    // Gone at Twilio (approved, expired or out of checks): nothing is left to cancel
    // there; cancelled locally, exit 0, with Twilio's reason in a note.
    let (server, env) = sent();
    mock(
        &server,
        POST,
        VE_PATH,
        404,
        &error(20404, 404, "The requested resource was not found"),
    );
    let out = env.run(&["cancel", "--id", VE]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(
        err.contains("the local record is cancelled") && err.contains("approved, expired"),
        "{err}"
    );
}

/// Twilio's OpenAPI (twilio/twilio-oai `spec/json/twilio_verify_v2.json`):
/// `CustomFriendlyName` "overwrites the existing one in the verification message".
/// `--sender` or the profile's `sender` is sent as that field.
#[test]
fn the_sender_is_sent_as_custom_friendly_name() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path(SEND_PATH)
            .x_www_form_urlencoded_tuple("To", TO)
            .x_www_form_urlencoded_tuple("CustomFriendlyName", "Acme Shop");
        then.status(201)
            .header("content-type", "application/json")
            .body(SUCCESS);
    });
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "--sender", "Acme Shop", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["outcome"], "accepted");
    let env = env_with(&format!(
        "{}sender = \"Acme Shop\"\n",
        profile(&server.base_url())
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(m.hits(), 2);
}

/// Twilio's OpenAPI lists `failed` among a check's statuses: the verification is dead,
/// so not verified, reason `expired` (exit 1), not an unknown answer.
#[test]
fn verify_failed_is_expired() {
    let (server, env) = sent();
    let m = mock(&server, POST, CHECK_PATH, 200, &check_reply("failed"));
    let out = verify(&env, "482913");
    let v = battery::assert_failure(&out, "failed", 1, "expired");
    assert_eq!(v["reason"], "expired");
    assert_eq!(v["outcome"], "not_verified");
    assert_eq!(m.hits(), 1);
}

/// twilio.com/docs/api/errors/60200 on a check: "Code parameter is not between 4-10
/// numbers long". Such a code cannot be right: refused before the request, as a wrong
/// code that spends no attempt. Should Twilio answer 60200 anyway, it is a wrong code.
#[test]
fn a_code_outside_4_to_10_is_a_wrong_code_without_a_request() {
    let (server, env) = sent();
    let m = mock(&server, POST, CHECK_PATH, 200, &check_reply("approved"));
    for code in ["123", "12345678901"] {
        let out = verify(&env, code);
        let v = battery::assert_failure(&out, code, 1, "wrong_code");
        assert_eq!(v["reason"], "wrong_code");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("no attempt spent"),
            "{v}"
        );
        support::assert_no_leak(&out, &[code]);
    }
    assert_eq!(m.hits(), 0, "no request for a code Twilio cannot have made");
    // Nothing was spent or claimed: the right code still verifies.
    let out = verify(&env, "482913");
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(m.hits(), 1);
    // A used record says so first.
    let out = verify(&env, "123");
    assert_eq!(support::json(&out)["reason"], "already_used");
    // Without a record too.
    let env = env_with(&profile(&server.base_url()));
    let out = env.run(&[
        "-p", "us", "verify", "--id", VE, "--code", "12", "-o", "json",
    ]);
    battery::assert_failure(&out, "no record", 1, "wrong_code");
    assert_eq!(m.hits(), 1);

    let (server, env) = sent();
    let m = mock(
        &server,
        POST,
        CHECK_PATH,
        400,
        &error(
            60200,
            400,
            "Invalid parameter: Code parameter is not between 4-10 numbers long",
        ),
    );
    let out = verify(&env, "4829");
    let v = battery::assert_failure(&out, "60200", 1, "wrong_code");
    assert_eq!(v["error"]["provider_code"], "60200");
    assert_eq!(m.hits(), 1);
}

const GEO: &str = r#"{"code":60605,"message":"Verification to this number is blocked by Verify Geo-Permissions","more_info":"https://www.twilio.com/docs/errors/60605","status":403}"#;

/// twilio.com/docs/api/errors/60605: "blocked by Verify Geo-Permissions", HTTP 403.
/// Kind `route_refused` with a hint at the console's geo permissions, not `auth`.
#[test]
fn geo_permissions_are_route_refused_with_a_console_hint() {
    let server = MockServer::start();
    let m = mock(&server, POST, SEND_PATH, 403, GEO);
    let env = env(&server.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    battery::assert_send_failed(&out, "60605", 4, "route_refused", 403, Some("60605"));
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 4);
    let err = support::stderr(&out);
    assert!(
        err.contains("hint:") && err.contains("Geo permissions") && !err.contains("auth_token"),
        "{err}"
    );
    assert_eq!(m.hits(), 2);
}

/// A refused destination is Twilio's own (its account's geo permissions): the next
/// profile of the chain may deliver, so fallback follows it.
#[test]
fn fallback_follows_geo_permissions() {
    let smscx = fixtures().into_iter().find(|f| f.id == "smscx").unwrap();
    let (a, b) = (MockServer::start(), MockServer::start());
    let first = mock(&a, POST, SEND_PATH, 403, GEO);
    let second = mock(
        &b,
        POST,
        smscx.send_path,
        smscx.success_status,
        smscx.success_body,
    );
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"us\"\n[profiles.us]\n{}fallback = [\"b\"]\n[profiles.b]\n{}",
        profile(&a.base_url()),
        (smscx.profile)(&b.base_url()),
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(
        (&v["provider"], &v["profile"]),
        (&"smscx".into(), &"b".into())
    );
    let t = &v["tried"][0];
    assert_eq!(
        (&t["profile"], &t["provider"], &t["outcome"]),
        (&"us".into(), &"twilio".into(), &"rejected".into()),
        "{v}"
    );
    assert_eq!(t["error"]["kind"], "route_refused", "{v}");
    assert_eq!(t["error"]["provider_code"], "60605", "{v}");
    first.assert_hits(1);
    second.assert_hits(1);
    support::assert_no_leak(&out, &[]);
}
