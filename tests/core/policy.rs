//! Sending policy: cooldowns per number across profiles, send limits (across two HOMEs
//! on one Redis, not lifted by --force, previewed by a dry run without counting), and
//! test numbers (no request, a local record with the fixed code, any provider).

use crate::providers::FIXTURES;
use crate::support::{self, redis::Redis, Env, CANARY};
use httpmock::prelude::*;

#[test]
fn a_cooldown_holds_across_profiles() {
    let env = Env::new();
    env.config(
        "[profiles.a]\nprovider = \"console\"\ncooldown = \"1h\"\n[profiles.b]\nprovider = \"console\"\ncooldown = \"1h\"\n",
    );
    let out = env.run(&["-p", "a", "send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let out = env.run(&["-p", "b", "send", "--to", "+15551234567", "-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["outcome"], "not_sent");
    // A dry run right after says what the cooldown would do, and still previews.
    let out = env.run(&["-p", "b", "send", "--to", "+15551234567", "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("would be refused"));
    assert!(
        support::stdout(&out).contains("***"),
        "{}",
        support::stdout(&out)
    );
}

#[test]
fn limits_hold_across_two_machines_and_force_does_not_lift_them() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let env = || {
        let e = Env::new()
            .var("OTP_STORE", &redis.url())
            .var("OTP_STORE_KEY", CANARY);
        e.config(
            "[profiles.d]\nprovider = \"console\"\nlimits = { number = \"2/1h\", country = \"3/1h\" }\n",
        );
        e
    };
    let (a, b) = (env(), env());
    assert_eq!(support::code(&a.run(&["send", "--to", "+15551234567"])), 0);
    // Dry runs count nothing.
    for _ in 0..3 {
        assert_eq!(
            support::code(&b.run(&["send", "--to", "+15551234567", "--dry-run"])),
            0
        );
    }
    assert_eq!(support::code(&b.run(&["send", "--to", "+15551234567"])), 0);
    let out = a.run(&["send", "--to", "+15551234567", "--force", "-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(
        err.contains("limit") && err.contains("next send is allowed in"),
        "{err}"
    );
    let out = b.run(&["send", "--to", "+15551234567", "--dry-run"]);
    assert_eq!(support::code(&out), 0);
    assert!(support::stderr(&out).contains("would be refused"));
    // The country cap: a third number with +1 is the third send, a fourth is refused.
    assert_eq!(support::code(&b.run(&["send", "--to", "+15557654321"])), 0);
    let out = a.run(&["send", "--to", "+15550001111"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("+1"));
}

#[test]
fn test_numbers_send_and_verify_with_no_request_on_any_provider() {
    for f in FIXTURES.iter().copied() {
        let server = MockServer::start();
        let m = server.mock(|when, then| {
            when.any_request();
            then.status(500);
        });
        let env = Env::new();
        let digits: String = f.to.chars().filter(char::is_ascii_digit).collect();
        env.config(&format!(
            "default_profile = \"t\"\n[profiles.t]\n{}\ntest_numbers = {{ \"+{digits}\" = \"246810\" }}\n",
            (f.profile)(&server.base_url())
        ));
        let out = env.run(&["send", "--to", &format!("+{digits}"), "-o", "json"]);
        assert_eq!(
            support::code(&out),
            0,
            "{}: {}",
            f.id,
            support::stderr(&out)
        );
        support::assert_no_leak(&out, &["246810"]);
        let v = support::json(&out);
        assert_eq!(
            (v["outcome"].as_str(), v["test"].as_bool()),
            (Some("accepted"), Some(true)),
            "{}",
            f.id
        );
        let id = v["id"].as_str().unwrap().to_string();
        let out = env.run(&["verify", "--id", &id, "--code", "135791", "-o", "json"]);
        assert_eq!(
            support::code(&out),
            1,
            "{}: {}",
            f.id,
            support::stderr(&out)
        );
        let out = env.run(&["verify", "--id", &id, "--code", "246810", "-o", "json"]);
        assert_eq!(
            support::code(&out),
            0,
            "{}: {}",
            f.id,
            support::stderr(&out)
        );
        let out = env.run(&["verify", "--id", &id, "--code", "246810", "-o", "json"]);
        assert_eq!(support::json(&out)["reason"], "already_used", "{}", f.id);
        assert_eq!(m.hits(), 0, "{}: a test number makes no request", f.id);
    }
}

#[test]
fn config_check_and_show_handle_limits_and_test_numbers() {
    let env = Env::new();
    env.config(
        "[profiles.d]\nprovider = \"console\"\nlimits = { number = \"5/40days\" }\ntest_numbers = { \"+15550000001\" = \"12\", \"15550000002\" = \"123456\" }\n",
    );
    let out = env.run(&["config", "check", "-o", "json"]);
    assert_eq!(support::code(&out), 3);
    let all = support::json(&out)["problems"].to_string();
    assert!(all.contains("limits.number"), "{all}");
    assert!(all.contains("test_numbers"), "{all}");
    env.config(
        "[profiles.d]\nprovider = \"console\"\nlimits = { number = \"5/1h\" }\ntest_numbers = { \"+15550000001\" = \"864213\" }\n",
    );
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    for args in [&["config", "show"][..], &["config", "show", "-o", "json"]] {
        let out = env.run(args);
        assert_eq!(support::code(&out), 0);
        let text = support::stdout(&out);
        assert!(text.contains("+15550000001"), "{text}");
        assert!(!text.contains("864213"), "{text}");
    }
    let out = env.run(&["send", "--to", "+15551234567", "-o", "json"]);
    assert_eq!(support::json(&out)["test"], false);
}
