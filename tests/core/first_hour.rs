//! A new user's first hour (issue 24): JSON that agrees with itself, test numbers that
//! are not secrets, warnings for unknown OTP_* variables, exact words, docs that match,
//! the guided `config init` and completions that know the file.

use crate::providers::battery::mock;
use crate::providers::smscx::FIXTURE as SMSCX;
use crate::support::{self, Env};
use httpmock::prelude::*;
use serde_json::Value;

fn smscx_env(base: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"fr\"\n[profiles.fr]\n{}",
        (SMSCX.profile)(base)
    ));
    env
}

// ---- item 5: JSON that agrees with itself ----

#[test]
fn an_unknown_id_is_not_found_in_verify_status_and_cancel() {
    let env = Env::new();
    env.config("[profiles.dev]\nprovider = \"console\"\n");
    let out = env.run(&["verify", "--id", "nope", "--code", "123456", "-o", "json"]);
    assert_eq!(support::code(&out), 1, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["error"]["kind"], "not_found", "{v}");
    assert_eq!(v["reason"], "unknown_id", "{v}");
    for cmd in ["status", "cancel"] {
        let out = env.run(&[cmd, "--id", "nope", "-o", "json"]);
        assert_eq!(support::code(&out), 2, "{cmd}: {}", support::stderr(&out));
        let v = support::json(&out);
        assert_eq!(v["error"]["kind"], "not_found", "{cmd}: {v}");
        assert_eq!(v["error"]["retryable"], false, "{cmd}: {v}");
    }
}

#[test]
fn status_json_carries_the_vendor_status_error() {
    let server = MockServer::start();
    let env = smscx_env(&server.base_url());
    let sent = mock(&server, POST, "/otp", 201, SMSCX.success_body);
    let out = env.run(&["send", "--to", SMSCX.to, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    sent.assert();
    let path = format!("/otp/{}", SMSCX.success_id);
    mock(&server, GET, &path, 401, SMSCX.auth_body);
    let out = env.run(&["status", "--id", SMSCX.success_id, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["provider_status"], Value::Null, "{v}");
    assert_eq!(v["provider_error"]["kind"], "auth", "{v}");
    assert_eq!(v["provider_error"]["http_status"], 401, "{v}");
    // A status the vendor answered has no error.
    let env = Env::new();
    env.config("[profiles.dev]\nprovider = \"console\"\n");
    let out = env.run(&["send", "--to", "+15551234567", "-q"]);
    let id = support::stdout(&out).trim().to_string();
    let v = support::json(&env.run(&["status", "--id", &id, "-o", "json"]));
    assert!(v.get("provider_error").is_some_and(Value::is_null), "{v}");
}

#[test]
fn a_failing_offline_check_still_lists_profiles_and_store_with_problem_objects() {
    let env = Env::new();
    env.config(
        "[profiles.a]\nprovider = \"console\"\nlenght = 6\n\
         [profiles.t]\nprovider = \"termii\"\nsender = \"Acme\"\n",
    );
    let out = env.run(&["config", "check", "-o", "json"]);
    assert_eq!(support::code(&out), 3);
    let v = support::json(&out);
    assert_eq!(v["ok"], false);
    let profiles = v["profiles"].as_array().expect("profiles");
    assert_eq!(profiles.len(), 2, "{v}");
    for p in profiles {
        for f in ["online", "balance", "currency", "error"] {
            assert!(p.get(f).is_some_and(Value::is_null), "{f}: {v}");
        }
        assert_eq!(p["ok"], false, "{v}");
    }
    assert_eq!(profiles[1]["provider"], "termii");
    assert_eq!(v["store"]["kind"], "embedded", "{v}");
    assert!(
        v["store"]["ok"].is_null() && v["store"]["error"].is_null(),
        "{v}"
    );
    let problems = v["problems"].as_array().unwrap();
    let unknown = problems
        .iter()
        .find(|p| p["key"] == "lenght")
        .expect("the unknown key as an object");
    assert_eq!(unknown["profile"], "a");
    let missing = problems
        .iter()
        .find(|p| p["key"] == "api_key")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(missing["profile"], "t");
    assert!(
        missing["hint"].as_str().is_some_and(|h| !h.is_empty()),
        "{v}"
    );
    for p in problems {
        assert!(!p["message"].as_str().unwrap().contains("hint:"), "{p}");
    }
    // A clean file has the same shape.
    env.config("[profiles.a]\nprovider = \"console\"\n");
    let out = env.run(&["config", "check", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["profiles"][0]["profile"], "a");
    assert_eq!(v["profiles"][0]["ok"], true);
    assert_eq!(v["problems"], serde_json::json!([]));
}

// ---- item 3: test numbers are not secrets ----

#[test]
fn a_test_number_s_code_is_not_a_secret_and_its_dry_run_makes_no_request() {
    let env = Env::new();
    env.config(
        "[profiles.dev]\nprovider = \"termii\"\napi_key = \"termii-key-0123456789\"\nsender = \"Acme\"\n\
         test_numbers = { \"+15551234567\" = \"123456\" }\n",
    );
    let out = env.run(&["send", "--to", "+15551234567", "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("no request would be made"), "{text}");
    assert!(text.contains("+15551234567"), "not masked by value: {text}");
    assert!(!text.contains("POST"), "no vendor request is shown: {text}");
    let err = support::stderr(&out);
    assert!(!err.contains("shorter than 6"), "{err}");
    let out = env.run(&["send", "--to", "+15551234567", "--dry-run", "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(v["test"], true, "{v}");
    assert!(v.get("request").is_some_and(Value::is_null), "{v}");
    assert_eq!(v["to"], "+15551234567", "{v}");
    assert_eq!(v["outcome"], "dry_run", "{v}");
}

#[test]
fn the_weak_secret_warning_names_the_profile_and_key() {
    let env = Env::new();
    env.config("[profiles.dev]\nprovider = \"termii\"\napi_key = \"abc\"\nsender = \"Acme\"\n");
    let out = env.run(&["send", "--to", "+2347065250817", "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(
        err.contains("api_key in profile \"dev\" is shorter than 6"),
        "{err}"
    );
}

// ---- item 4: unknown OTP_* variables ----

#[test]
fn an_unknown_otp_variable_is_warned_about_with_the_nearest_key() {
    let env = Env::new()
        .var("OTP_LENTH", "8")
        .var("OTP_MY_TERMII_KEY", "termii-key-0123456789");
    env.config(
        "[profiles.t]\nprovider = \"termii\"\napi_key = { env = \"OTP_MY_TERMII_KEY\" }\nsender = \"Acme\"\n",
    );
    for args in [
        &["send", "--to", "+2347065250817", "--dry-run"][..],
        &["config", "check"][..],
    ] {
        let out = env.run(args);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        let err = support::stderr(&out);
        assert!(err.contains("OTP_LENTH"), "{args:?}: {err}");
        assert!(err.contains("did you mean OTP_LENGTH?"), "{args:?}: {err}");
        assert_eq!(err.matches("OTP_LENTH").count(), 1, "once: {err}");
        // A variable the file reads a secret from is known.
        assert!(!err.contains("OTP_MY_TERMII_KEY"), "{args:?}: {err}");
    }
    // Known variables pass in silence.
    let env = Env::new().var("OTP_LENGTH", "8").var("OTP_TIMEOUT", "20s");
    env.config("[profiles.dev]\nprovider = \"console\"\n");
    let out = env.run(&["send", "--to", "+15551234567", "--dry-run"]);
    assert!(
        !support::stderr(&out).contains("not a variable"),
        "{}",
        support::stderr(&out)
    );
}
