//! Records are the tool's own: a vendor that gives one handle to two sends never
//! touches the other number's record. The second send gets an id of otp's own, with a
//! warning, and both verify (the vendor is still asked with its own handle).

use crate::providers::FIXTURES;
use crate::support::{self, redis::Redis, Env, CANARY};
use httpmock::prelude::*;

const A: &str = "+2347065250817";
const B: &str = "+2348022222222";

fn same_handle_twice(env: &Env, server: &MockServer) {
    let f = FIXTURES.iter().copied().find(|f| f.id == "termii").unwrap();
    let send = server.mock(|when, then| {
        when.method(POST).path(f.send_path);
        then.status(f.success_status)
            .header("content-type", "application/json")
            .body(f.success_body);
    });
    let out = env.run(&["send", "--to", A, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let first = support::stdout(&out).trim().to_string();
    assert_eq!(first, f.success_id);
    let out = env.run(&["send", "--to", B, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let second = support::json(&out)["id"].as_str().unwrap().to_string();
    assert_ne!(
        second, first,
        "the second send must not take the first one's id"
    );
    let err = support::stderr(&out);
    assert!(
        err.contains("another number") && err.contains(&second),
        "{err}"
    );
    assert_eq!(send.hits(), 2);

    // The first number's record is untouched: still A's, still pending.
    for (id, to) in [(&first, A), (&second, B)] {
        let out = env.run(&["status", "--id", id, "-o", "json"]);
        let v = support::json(&out);
        assert_eq!(v["state"], "pending", "{id}: {v}");
        assert!(
            v["to"].as_str().unwrap().ends_with(&to[to.len() - 4..]),
            "{id}: {v}"
        );
    }
    // Both verify; the vendor is asked with its own handle each time.
    let verify = server.mock(|when, then| {
        when.method(POST)
            .path("/api/sms/otp/verify")
            .json_body_partial(format!(r#"{{"pin_id": "{}"}}"#, f.success_id));
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"verified":"True"}"#);
    });
    for id in [&first, &second] {
        let out = env.run(&["verify", "--id", id, "--code", "123456", "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{id}: {}", support::stdout(&out));
    }
    assert_eq!(verify.hits(), 2);
}

fn env_for(server: &MockServer) -> Env {
    let f = FIXTURES.iter().copied().find(|f| f.id == "termii").unwrap();
    crate::providers::battery::env_for(f, &server.base_url())
}

#[test]
fn one_handle_for_two_numbers_in_the_embedded_store() {
    let server = MockServer::start();
    same_handle_twice(&env_for(&server), &server);
}

#[test]
fn one_handle_for_two_numbers_in_the_shared_store() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let server = MockServer::start();
    let env = env_for(&server)
        .var("OTP_STORE", &redis.url())
        .var("OTP_STORE_KEY", CANARY);
    same_handle_twice(&env, &server);
    // No key names a phone number in clear.
    for k in redis.keys() {
        for n in [A, B] {
            assert!(!k.contains(&n[1..]), "{k} holds a number in clear");
        }
    }
}

#[test]
fn redis_keys_hold_no_number_in_clear() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let env = Env::new()
        .var("OTP_STORE", &redis.url())
        .var("OTP_STORE_KEY", CANARY);
    env.config("[profiles.d]\nprovider = \"console\"\ncooldown = \"30s\"\nlimits = { number = \"5/1h\" }\n");
    for to in [A, B] {
        let out = env.run(&["send", "--to", to, "-q"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    }
    let keys = redis.keys();
    assert!(keys.iter().any(|k| k.starts_with("otp:num:")), "{keys:?}");
    for k in &keys {
        for n in [A, B] {
            assert!(!k.contains(&n[4..]), "{k} holds a number in clear");
        }
    }
    // The cooldown still holds for the number, however its key is named.
    let out = env.run(&["send", "--to", A, "-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
}

#[test]
fn one_number_has_one_spelling_for_limits_and_replacement() {
    let env = Env::new();
    env.config(
        "[profiles.d]\nprovider = \"console\"\n[profiles.l]\nprovider = \"console\"\nlimits = { number = \"1/1h\" }\n",
    );
    let send = |args: &[&str]| {
        let out = env.run(args);
        (
            support::code(&out),
            support::stdout(&out).trim().to_string(),
            support::stderr(&out),
        )
    };
    let (code, first, err) = send(&["-p", "d", "send", "--to", "+2348012345678", "-q"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = send(&["-p", "d", "send", "--to", "+234 0801 234 5678", "-q"]);
    assert_eq!(code, 0, "{err}");
    let out = env.run(&["status", "--id", &first, "-o", "json"]);
    assert_eq!(
        support::json(&out)["state"],
        "replaced",
        "the same number, spelt otherwise"
    );
    // A limit counts every spelling once.
    let (code, _, err) = send(&["-p", "l", "send", "--to", "+234008099999999", "-q"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = send(&["-p", "l", "send", "--to", "+234 0809 999 9999", "-q"]);
    assert_eq!(code, 3, "{err}");
    // A form that cannot be one number is refused, not counted apart.
    let (code, _, err) = send(&["-p", "l", "send", "--to", "+234 000", "-q"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn status_of_an_own_id_asks_the_vendor_with_its_handle() {
    let f = FIXTURES.iter().copied().find(|f| f.id == "smscx").unwrap();
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/otp");
        then.status(f.success_status)
            .header("content-type", "application/json")
            .body(f.success_body);
    });
    let env = crate::providers::battery::env_for(f, &server.base_url());
    for to in ["+33612345678", "+33612345679"] {
        let out = env.run(&["send", "--to", to, "-q"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    }
    let out = env.run(&["send", "--to", "+33612345670", "-q"]);
    let own = support::stdout(&out).trim().to_string();
    assert_ne!(own, f.success_id);
    let status = server.mock(|when, then| {
        when.method(GET).path(format!("/otp/{}", f.success_id));
        then.status(200)
            .header("content-type", "application/json")
            .body(f.success_body);
    });
    let out = env.run(&["status", "--id", &own, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(status.hits(), 1);
}

/// A cancel of the send kept under an id of otp's own asks the vendor with the vendor's
/// handle, never with otp's id (which the vendor has never seen).
#[test]
fn cancel_asks_the_vendor_with_its_own_handle() {
    let f = FIXTURES.iter().copied().find(|f| f.id == "smscx").unwrap();
    let server = MockServer::start();
    let send = server.mock(|when, then| {
        when.method(POST).path(f.send_path);
        then.status(f.success_status)
            .header("content-type", "application/json")
            .body(f.success_body);
    });
    let env = crate::providers::battery::env_for(f, &server.base_url());
    let out = env.run(&["send", "--to", A, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let out = env.run(&["send", "--to", B, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let second = support::stdout(&out).trim().to_string();
    assert_ne!(second, f.success_id);
    assert_eq!(send.hits(), 2);
    let by_handle = server.mock(|when, then| {
        when.method(DELETE).path(format!("/otp/{}", f.success_id));
        then.status(200)
            .header("content-type", "application/json")
            .body(format!(r#"{{"info":{{"id":"{}"}}}}"#, f.success_id));
    });
    let out = env.run(&["cancel", "--id", &second]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(by_handle.hits(), 1);
}
