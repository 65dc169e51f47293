//! The shared store under skewed clocks: two sealed HOMEs on one real redis-server, one
//! of them with its clock moved by `OTP_TEST_CLOCK_SKEW` (honoured by debug builds only,
//! in the store layer's clock). The server's `TIME` decides expiry, cooldowns, limits and
//! record lifetimes, whatever the hosts' clocks say.

use crate::core::send::console_pin;
use crate::support::{self, redis::Redis, Env, CANARY};

fn host(url: &str, skew: i64, profile: &str) -> Env {
    let env = Env::new()
        .var("OTP_STORE", url)
        .var("OTP_STORE_KEY", CANARY)
        .var("OTP_TEST_CLOCK_SKEW", &skew.to_string());
    env.config(&format!("[profiles.d]\nprovider = \"console\"\n{profile}"));
    env
}

fn send(env: &Env, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["send", "-o", "json"];
    all.extend_from_slice(args);
    let out = env.run(&all);
    (
        support::code(&out),
        support::json(&out),
        support::stderr(&out),
    )
}

#[test]
fn a_host_far_behind_keeps_the_record_it_reported() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let behind = host(&redis.url(), -200_000, "");
    let other = host(&redis.url(), 0, "");
    let (code, v, err) = send(&behind, &["--to", "+15551234567"]);
    assert_eq!(code, 0, "{err}");
    let id = v["id"].as_str().unwrap().to_string();
    let pin = console_pin(&err);
    let out = other.run(&["verify", "--id", &id, "--code", &pin, "-o", "json"]);
    assert_eq!(
        support::code(&out),
        0,
        "a reported send must verify on another host: {}",
        support::stdout(&out)
    );
}

#[test]
fn a_host_ahead_cannot_send_more_under_a_limit() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let rule = "limits = { number = \"3/1h\" }\n";
    let ahead = host(&redis.url(), 7_200, rule);
    let right = host(&redis.url(), 0, rule);
    for _ in 0..3 {
        let (code, _, err) = send(&right, &["--to", "+15551234567"]);
        assert_eq!(code, 0, "{err}");
    }
    let (code, v, err) = send(&ahead, &["--to", "+15551234567"]);
    assert_eq!(code, 3, "a host 2 h ahead must not lift the limit: {err}");
    let wait = v["error"]["retry_after"].as_u64().unwrap();
    assert!(wait <= 3600, "{wait}");
    // Its own sends are counted at the server's time, so they block no one for 3 h.
    let (code, _, err) = send(&ahead, &["--to", "+15557654321"]);
    assert_eq!(code, 0, "{err}");
    for _ in 0..2 {
        assert_eq!(send(&right, &["--to", "+15557654321"]).0, 0);
    }
    let (code, v, _) = send(&right, &["--to", "+15557654321"]);
    assert_eq!(code, 3);
    let wait = v["error"]["retry_after"].as_u64().unwrap();
    assert!(
        wait <= 3600,
        "blocked for {wait}s by a host whose clock is ahead"
    );
}

#[test]
fn a_host_behind_cannot_verify_an_expired_code() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let right = host(&redis.url(), 0, "");
    let behind = host(&redis.url(), -600, "");
    let (code, v, err) = send(&right, &["--to", "+15551234567", "--ttl", "1s"]);
    assert_eq!(code, 0, "{err}");
    let id = v["id"].as_str().unwrap().to_string();
    let pin = console_pin(&err);
    std::thread::sleep(std::time::Duration::from_millis(2_100));
    let out = behind.run(&["verify", "--id", &id, "--code", &pin, "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(
        (support::code(&out), v["reason"].as_str()),
        (1, Some("expired")),
        "{v}"
    );
}

#[test]
fn a_cooldown_holds_across_skewed_hosts() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let rule = "cooldown = \"1h\"\n";
    let right = host(&redis.url(), 0, rule);
    let ahead = host(&redis.url(), 7_200, rule);
    assert_eq!(send(&right, &["--to", "+15551234567"]).0, 0);
    let (code, v, err) = send(&ahead, &["--to", "+15551234567"]);
    assert_eq!(code, 3, "{err}");
    assert!(v["error"]["retry_after"].as_u64().unwrap() <= 3600);
}

#[test]
fn a_verify_whose_answer_is_lost_after_the_commit_is_unknown() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let proxy = crate::support::redis::LossyProxy::start(redis.port);
    let direct = host(&redis.url(), 0, "");
    let lossy = host(&proxy.url(), 0, "");
    let (code, v, err) = send(&direct, &["--to", "+15551234567"]);
    assert_eq!(code, 0, "{err}");
    let id = v["id"].as_str().unwrap().to_string();
    let pin = console_pin(&err);
    let out = lossy.run(&["verify", "--id", &id, "--code", &pin, "-o", "json"]);
    let err = support::stderr(&out);
    assert_eq!(support::code(&out), 6, "{err}");
    assert!(
        err.contains("unknown") && err.contains("otp status"),
        "{err}"
    );
    assert!(!err.contains("nothing was sent or spent"), "{err}");
    assert_eq!(support::json(&out)["outcome"], "not_verified");
    // The store did commit: the code is used.
    let out = direct.run(&["status", "--id", &id, "-o", "json"]);
    assert_eq!(support::json(&out)["state"], "verified");
}
