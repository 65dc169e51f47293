//! The battery every HTTP vendor passes, driven by each vendor file's `Fixture`:
//! success, rejection, 2xx carrying an error, garbage and HTML replies, missing
//! credentials (zero requests), dry run (zero requests, no secret), and the leak check.
//! A meta-test checks that every provider `otp providers` lists has a fixture.

use crate::support::{self, Env, CANARY, CANARY2};
use httpmock::prelude::*;
use serde_json::{json, Value};
use std::process::Output;

/// What the battery needs to know of one vendor.
pub struct Fixture {
    pub id: &'static str,
    /// The profile body (no `[profiles.x]` line) pointing at `base_url`, its
    /// credentials set to `CANARY` (and `CANARY2` where a vendor has two).
    pub profile: fn(base_url: &str) -> String,
    /// The same profile with every credential removed.
    pub profile_without_credentials: fn(base_url: &str) -> String,
    pub send_path: &'static str,
    pub to: &'static str,
    pub success_status: u16,
    pub success_body: &'static str,
    /// The `id` the success reply yields; empty for a vendor whose reply names no
    /// message (zender), where `otp` makes the id and any non-empty one will do.
    pub success_id: &'static str,
    /// A documented "bad key" reply.
    pub auth_status: u16,
    pub auth_body: &'static str,
    /// A 2xx reply that carries a vendor error.
    pub error_2xx_body: &'static str,
}

pub fn fixtures() -> Vec<&'static Fixture> {
    super::FIXTURES.to_vec()
}

pub fn env_for(f: &Fixture, base: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"t\"\n[profiles.t]\n{}",
        (f.profile)(base)
    ));
    env
}

fn send_json(env: &Env, f: &Fixture) -> std::process::Output {
    env.run(&["send", "--to", f.to, "-o", "json"])
}

fn mock_reply<'a>(
    server: &'a MockServer,
    f: &Fixture,
    status: u16,
    body: &str,
    ct: &str,
) -> httpmock::Mock<'a> {
    let body = body.to_string();
    let ct = ct.to_string();
    server.mock(move |when, then| {
        when.method(POST).path(f.send_path);
        then.status(status).header("content-type", ct).body(body);
    })
}

/// Send once against a mock that answers `status`/`body`: the output, its JSON document
/// (checked for shape) and how many requests the mock saw. Asserts the exit code.
fn send_against(
    f: &Fixture,
    status: u16,
    body: &str,
    ct: &str,
    exit: i32,
) -> (std::process::Output, serde_json::Value, usize) {
    let server = MockServer::start();
    let m = mock_reply(&server, f, status, body, ct);
    let env = env_for(f, &server.base_url());
    let out = send_json(&env, f);
    assert_eq!(
        support::code(&out),
        exit,
        "{} (HTTP {status} {body:?}): {}",
        f.id,
        support::stderr(&out)
    );
    let v = support::json(&out);
    support::assert_report_shape(&v);
    (out, v, m.hits())
}

/// A mock that answers `method path` with `status`, a JSON content type and `body`.
pub fn mock<'a>(
    server: &'a MockServer,
    method: httpmock::Method,
    path: &str,
    status: u16,
    body: &str,
) -> httpmock::Mock<'a> {
    let (path, body) = (path.to_string(), body.to_string());
    server.mock(move |when, then| {
        when.method(method).path(path);
        then.status(status)
            .header("content-type", "application/json")
            .body(body);
    })
}

/// The JSON document of a command that failed: exit `exit`, one document, `ok` false,
/// `error.kind` as given. `what` names the case in assertion messages.
pub fn assert_failure(out: &Output, what: &str, exit: i32, kind: &str) -> Value {
    assert_eq!(support::code(out), exit, "{what}: {}", support::stderr(out));
    let v = support::json(out);
    assert_eq!(v["ok"], false, "{what}: {v}");
    assert_eq!(v["error"]["kind"], kind, "{what}: {v}");
    v
}

/// A send the vendor answered and did not accept: exit 4 (rejected) or 6 (unknown),
/// the report's full shape, and the HTTP status and vendor code it carries.
pub fn assert_send_failed(
    out: &Output,
    what: &str,
    exit: i32,
    kind: &str,
    status: u16,
    code: Option<&str>,
) -> Value {
    let v = assert_failure(out, what, exit, kind);
    support::assert_report_shape(&v);
    let outcome = if exit == 4 { "rejected" } else { "unknown" };
    assert_eq!(v["outcome"], outcome, "{what}: {v}");
    assert_eq!(v["error"]["http_status"], status, "{what}: {v}");
    assert_eq!(v["error"]["provider_code"], json!(code), "{what}: {v}");
    v
}

/// Each case, run as `send --to TO -o json ARGS…`, is refused before any request:
/// exit `exit` (2 usage, 3 config), one document with outcome `not_sent`, and every
/// word in `error.message`. The caller asserts its mock saw no request.
pub fn assert_refused_before_sending(env: &Env, to: &str, cases: &[(&[&str], &[&str])], exit: i32) {
    let kind = if exit == 2 { "usage" } else { "config" };
    for (args, words) in cases {
        let mut all = vec!["send", "--to", to, "-o", "json"];
        all.extend_from_slice(args);
        let out = env.run(&all);
        let v = assert_failure(&out, &format!("{args:?}"), exit, kind);
        assert_eq!(v["outcome"], "not_sent", "{args:?}: {v}");
        let msg = v["error"]["message"].as_str().unwrap();
        for w in *words {
            assert!(msg.contains(w), "{args:?}: {msg:?} lacks {w:?}");
        }
    }
}

/// A provider's entry in `otp providers -o json`.
pub fn provider_info(id: &str) -> serde_json::Value {
    let list = support::json(&Env::new().run(&["providers", "-o", "json"]));
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no provider {id}"))
}

#[test]
fn every_registered_http_provider_has_a_fixture() {
    let env = Env::new();
    let out = env.run(&["providers", "-o", "json"]);
    assert_eq!(support::code(&out), 0);
    let list = support::json(&out);
    let ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .filter(|id| id != "console")
        .collect();
    let mut have: Vec<String> = fixtures().iter().map(|f| f.id.to_string()).collect();
    have.sort();
    let mut ids = ids;
    ids.sort();
    assert_eq!(ids, have, "every HTTP provider needs a test fixture");
}

#[test]
fn success_is_accepted_with_the_vendor_id() {
    for f in fixtures() {
        let (out, v, hits) =
            send_against(f, f.success_status, f.success_body, "application/json", 0);
        assert_eq!(v["ok"], true, "{}", f.id);
        assert_eq!(v["outcome"], "accepted", "{}", f.id);
        assert_eq!(v["provider"], f.id);
        assert_id(f, v["id"].as_str().unwrap_or(""));
        assert_eq!(hits, 1, "{}", f.id);
        support::assert_no_leak(&out, &[]);

        // text mode, quiet: the id alone
        let server = MockServer::start();
        mock_reply(
            &server,
            f,
            f.success_status,
            f.success_body,
            "application/json",
        );
        let env = env_for(f, &server.base_url());
        let out = env.run(&["send", "--to", f.to, "-q"]);
        assert_eq!(support::code(&out), 0, "{}", f.id);
        assert_id(f, support::stdout(&out).trim());
    }
}

fn assert_id(f: &Fixture, id: &str) {
    if f.success_id.is_empty() {
        assert!(
            !id.is_empty() && !id.contains(char::is_whitespace),
            "{}: id {id:?}",
            f.id
        );
    } else {
        assert_eq!(id, f.success_id, "{}", f.id);
    }
}

#[test]
fn documented_auth_rejection_exits_4() {
    for f in fixtures() {
        let (out, v, hits) = send_against(f, f.auth_status, f.auth_body, "application/json", 4);
        assert_eq!(v["outcome"], "rejected", "{}", f.id);
        assert_eq!(v["error"]["kind"], "auth", "{}: {v}", f.id);
        assert_eq!(v["error"]["retryable"], false);
        assert_eq!(hits, 1);
        assert!(support::stderr(&out).contains("hint:"), "{}", f.id);
        support::assert_no_leak(&out, &[]);
    }
}

#[test]
fn a_2xx_carrying_a_vendor_error_is_a_rejection() {
    for f in fixtures() {
        let (_, v, _) = send_against(f, 200, f.error_2xx_body, "application/json", 4);
        assert_eq!(v["outcome"], "rejected", "{}", f.id);
        assert_eq!(v["ok"], false);
    }
}

#[test]
fn garbage_and_html_replies_are_unknown_without_panic() {
    for f in fixtures() {
        for (status, ct, body) in [
            (200, "application/json", "{not json"),
            (200, "text/plain", ""),
            (
                502,
                "text/html",
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            ),
            (500, "application/json", "{\"message\":\"internal\"}"),
            (200, "application/json", "[1,2,3]"),
            (200, "application/json", "{}"),
        ] {
            let (out, v, _) = send_against(f, status, body, ct, 6);
            let err = support::stderr(&out);
            assert!(!err.contains("panicked"), "{err}");
            assert_eq!(v["outcome"], "unknown", "{} {status} {body:?}", f.id);
            if ct == "text/html" {
                assert!(
                    err.contains("unexpected reply (HTTP 502, text/html"),
                    "{}: {err}",
                    f.id
                );
                assert!(!err.contains("<h1>"), "HTML dumped: {err}");
            }
        }
    }
}

#[test]
fn missing_credentials_exit_3_with_zero_requests() {
    for f in fixtures() {
        let server = MockServer::start();
        let m = server.mock(|_when, then| {
            then.status(200).body("{}");
        });
        let env = Env::new();
        env.config(&format!(
            "[profiles.t]\n{}",
            (f.profile_without_credentials)(&server.base_url())
        ));
        let out = env.run(&["send", "--to", f.to, "-o", "json"]);
        assert_eq!(
            support::code(&out),
            3,
            "{}: {}",
            f.id,
            support::stderr(&out)
        );
        let v = support::json(&out);
        assert_eq!(v["outcome"], "not_sent");
        assert_eq!(v["error"]["kind"], "config");
        assert!(support::stderr(&out).contains("hint:"), "{}", f.id);
        assert_eq!(m.hits(), 0, "{}", f.id);
        // dry run too needs the credentials present
        let out = env.run(&["send", "--to", f.to, "--dry-run"]);
        assert_eq!(support::code(&out), 3, "{}", f.id);
    }
}

#[test]
fn dry_run_sends_nothing_and_shows_no_secret() {
    for f in fixtures() {
        let server = MockServer::start();
        let m = server.mock(|_when, then| {
            then.status(200).body("{}");
        });
        let env = env_for(f, &server.base_url());
        let out = env.run(&["send", "--to", f.to, "--dry-run"]);
        assert_eq!(
            support::code(&out),
            0,
            "{}: {}",
            f.id,
            support::stderr(&out)
        );
        let text = support::stdout(&out);
        assert!(text.contains(f.send_path), "{}: {text}", f.id);
        assert!(
            text.contains("***"),
            "{}: secret not shown as ***: {text}",
            f.id
        );
        support::assert_no_leak(&out, &[]);

        let out = env.run(&["send", "--to", f.to, "--dry-run", "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{}", f.id);
        let v = support::json(&out);
        support::assert_report_shape(&v);
        assert_eq!(v["outcome"], "dry_run");
        // The path, before any query string (msg91 sends every field there).
        let url = v["request"]["url"].as_str().unwrap();
        assert!(
            url.split('?').next().unwrap().ends_with(f.send_path),
            "{url}"
        );
        assert!(v["request"]["method"].is_string());
        assert!(v["request"]["headers"].is_object());
        support::assert_no_leak(&out, &[]);
        assert_eq!(m.hits(), 0, "{}", f.id);
        assert!(
            !env.state_dir().join("records.json").exists(),
            "dry run wrote a record"
        );
    }
}

#[test]
fn rate_limit_is_retryable_rejection() {
    for f in fixtures() {
        let body = "{\"message\":\"Too many requests\"}";
        let (_, v, _) = send_against(f, 429, body, "application/json", 4);
        assert_eq!(v["error"]["kind"], "rate_limited", "{}: {v}", f.id);
        assert_eq!(v["error"]["retryable"], true);
    }
}

#[test]
fn http_base_url_to_a_remote_host_is_refused() {
    for f in fixtures() {
        let env = env_for(f, "http://sms.example.com");
        let out = env.run(&["send", "--to", f.to]);
        assert_eq!(
            support::code(&out),
            3,
            "{}: {}",
            f.id,
            support::stderr(&out)
        );
        assert!(support::stderr(&out).contains("https://"));
    }
}

#[test]
fn canaries_are_distinct() {
    assert_ne!(CANARY, CANARY2);
}
