//! Values at the edges of what clocks and dates hold (the README): refused before any
//! request (exit 2 or 3) or ignored, never a crash after the SMS left.

use crate::support::{self, Env};
use httpmock::prelude::*;

const TO: &str = "+15551234567";

fn console(extra: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"c\"\n[profiles.c]\nprovider = \"console\"\n{extra}"
    ));
    env
}

/// No panic text, no abort: a clean `otp: error:` and the given exit code.
fn refused(out: &std::process::Output, code: i32) {
    let err = support::stderr(out);
    assert_eq!(support::code(out), code, "{err}");
    assert!(err.starts_with("otp: error:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // refused before anything was sent: the console provider prints nothing
    assert!(!err.contains("console:"), "{err}");
}

#[test]
fn a_ttl_of_9000_years_is_refused_before_sending() {
    let env = console("max_ttl = \"100years\"\n");
    refused(&env.run(&["send", "--to", TO, "--ttl", "9000years"]), 2);
    let v = support::json(&env.run(&["send", "--to", TO, "--ttl", "9000years", "--json"]));
    assert_eq!(v["outcome"], "not_sent", "{v}");
    assert_eq!(v["error"]["kind"], "usage", "{v}");
}

#[test]
fn a_max_ttl_of_100000_years_is_refused_as_configuration() {
    let env = console("max_ttl = \"100000years\"\n");
    refused(&env.run(&["send", "--to", TO, "--ttl", "90years"]), 3);
    // A flag past the 100-year cap is itself a bad value: the command line refuses it.
    let out = env.run(&["send", "--to", TO, "--ttl", "9000years"]);
    refused(&out, 2);
    assert!(
        support::stderr(&out).contains("--ttl"),
        "{}",
        support::stderr(&out)
    );
    refused(&env.run(&["send", "--to", TO]), 3);
    assert_eq!(support::code(&env.run(&["config", "check"])), 3);
}

#[test]
fn the_largest_ttl_taken_gives_an_expiry_that_can_be_written() {
    let env = console("max_ttl = \"100years\"\n");
    let v = support::json(&env.run(&["send", "--to", TO, "--ttl", "100years", "--json"]));
    assert_eq!(v["outcome"], "accepted", "{v}");
    let at = v["expires_at"].as_str().unwrap();
    assert!(at.len() == 20 && at.ends_with('Z'), "{at}");
    let id = v["id"].as_str().unwrap();
    let s = support::json(&env.run(&["status", "--id", id, "-o", "json"]));
    assert_eq!(s["expires_at"], at, "{s}");
}

#[test]
fn a_timeout_past_what_the_clock_can_add_is_refused_flag_or_env() {
    let big = "18446744073709551615s";
    let env = console("");
    let out = env.run(&["--timeout", big, "send", "--to", TO]);
    refused(&out, 2);
    assert!(support::stderr(&out).contains("--timeout"));
    let env = console("").var("OTP_TIMEOUT", big);
    let out = env.run(&["send", "--to", TO]);
    refused(&out, 2);
    assert!(
        support::stderr(&out).contains("OTP_TIMEOUT"),
        "{}",
        support::stderr(&out)
    );
    // a long one the clock can add, but no request needs, is refused too
    refused(
        &console("").run(&["--timeout", "400d", "send", "--to", TO]),
        2,
    );
}

#[test]
fn verify_with_a_huge_timeout_is_refused_and_leaves_the_record_usable() {
    let env = console("");
    let v = support::json(&env.run(&["send", "--to", TO, "--json", "--pin", "123456"]));
    let id = v["id"].as_str().unwrap().to_string();
    let out = env.run(&[
        "--timeout",
        "18446744073709551615s",
        "verify",
        "--id",
        &id,
        "--code",
        "123456",
    ]);
    assert_eq!(support::code(&out), 2, "{}", support::stderr(&out));
    let out = env.run(&["verify", "--id", &id, "--code", "123456"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
}

#[test]
fn a_vendor_expiry_past_year_9999_is_ignored_for_now_plus_ttl() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST).path("/otp");
        then.status(201)
            .header("content-type", "application/json")
            .body(r#"{"otpId":"a17fb13d-1b8c-4b39-a4e6-8d9a2f1b6c10","status":"PENDING","ttl":300,"dateExpires":"9999-12-31T23:59:59-23:59"}"#);
    });
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"fr\"\n[profiles.fr]\nprovider = \"smscx\"\nbase_url = \"{}\"\n\
         api_key = \"k-extremes-0123456789\"\nsender = \"Acme\"\n",
        server.base_url()
    ));
    let out = env.run(&["send", "--to", "+33612345678", "--json"]);
    let err = support::stderr(&out);
    assert_eq!(support::code(&out), 0, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    m.assert();
    let v = support::json(&out);
    assert_eq!(v["id"], "a17fb13d-1b8c-4b39-a4e6-8d9a2f1b6c10", "{v}");
    // now + ttl: a year this side of 9999
    let at = v["expires_at"].as_str().expect("expires_at from the ttl");
    assert!(!at.starts_with("9999") && at.ends_with('Z'), "{at}");
    let out = env.run(&["send", "--to", "+33612345679", "--force"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    // The vendor gave the same handle to another number's send, whose record is live:
    // this one is kept under an id of otp's own, with a warning naming the handle.
    assert!(
        !support::stdout(&out).contains("a17fb13d"),
        "{}",
        support::stdout(&out)
    );
    assert!(
        support::stderr(&out).contains("a17fb13d"),
        "{}",
        support::stderr(&out)
    );
}
