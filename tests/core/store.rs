//! The record store end to end: two sealed HOMEs sharing one real redis-server, a store
//! that is down, a shared store without its key, the password never printed, races of
//! verifies across machines, the first version's records.json, kill -9 during sends,
//! and `status` of a replaced id.

use crate::core::send::console_pin;
use crate::providers::battery;
use crate::providers::FIXTURES;
use crate::support::{self, redis::Redis, Env, CANARY, CANARY2};
use httpmock::prelude::*;

/// A HOME whose console profile uses the shared store at `url` with key CANARY.
fn shared_env(url: &str) -> Env {
    let env = Env::new()
        .var("OTP_STORE", url)
        .var("OTP_STORE_KEY", CANARY);
    env.config("[profiles.d]\nprovider = \"console\"\n");
    env
}

fn send_json(env: &Env, to: &str) -> (String, String) {
    let out = env.run(&["send", "--to", to, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let id = support::json(&out)["id"].as_str().unwrap().to_string();
    (id, console_pin(&support::stderr(&out)))
}

fn verify(env: &Env, id: &str, code: &str) -> (i32, serde_json::Value) {
    let out = env.run(&["verify", "--id", id, "--code", code, "-o", "json"]);
    (support::code(&out), support::json(&out))
}

#[test]
fn a_send_on_one_machine_verifies_on_another() {
    let Some(redis) = Redis::start_with(Some(CANARY2)) else {
        return;
    };
    let (a, b) = (shared_env(&redis.url()), shared_env(&redis.url()));
    let (id, pin) = send_json(&a, "+15551234567");
    let out = b.run(&["verify", "--id", &id, "--code", &pin, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    support::assert_no_leak(&out, &[&pin]);
    // Single use across machines, too.
    let (code, v) = verify(&a, &id, &pin);
    assert_eq!((code, v["reason"].as_str()), (1, Some("already_used")));
    // Nothing of the shared store lands in either HOME's state folder.
    assert!(!a.state_dir().join("otp.db").exists());
}

#[test]
fn a_store_that_is_down_before_a_send_sends_nothing() {
    let f = FIXTURES.iter().copied().find(|f| f.id == "termii").unwrap();
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.any_request();
        then.status(f.success_status).body(f.success_body);
    });
    let port = support::redis::closed_port();
    let env = battery::env_for(f, &server.base_url())
        .var(
            "OTP_STORE",
            &format!("redis://:{CANARY2}@127.0.0.1:{port}/0"),
        )
        .var("OTP_STORE_KEY", CANARY);
    let out = env.run(&["-v", "send", "--to", f.to, "-o", "json"]);
    assert_eq!(support::code(&out), 5, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(
        (v["outcome"].as_str(), v["error"]["kind"].as_str()),
        (Some("not_sent"), Some("store"))
    );
    assert!(
        support::stderr(&out).contains(&format!("127.0.0.1:{port}")),
        "the message names the store: {}",
        support::stderr(&out)
    );
    support::assert_no_leak(&out, &[]);
    assert_eq!(m.hits(), 0, "no vendor request with the store down");
    // verify with the store down: not verified, nothing spent, exit 5.
    let out = env.run(&["verify", "--id", "abc", "--code", "123456", "-o", "json"]);
    assert_eq!(support::code(&out), 5, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["outcome"], "not_verified");
    assert_eq!(v["error"]["kind"], "store");
    assert_eq!(v["error"]["retryable"], true);
    support::assert_no_leak(&out, &[]);
}

#[test]
fn a_shared_store_needs_store_key() {
    let env = Env::new().var("OTP_STORE", "redis://127.0.0.1:6379/0");
    let out = env.run(&["send", "--to", "+15551234567", "-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("store_key"),
        "{}",
        support::stderr(&out)
    );
    // config check says so offline too.
    env.config("store = \"redis://127.0.0.1:6379/0\"\n[profiles.d]\nprovider = \"console\"\n");
    let out = Env::new().run(&["-c", env.config_path().to_str().unwrap(), "config", "check"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("store_key"));
}

#[test]
fn the_store_password_is_never_printed() {
    let env = Env::new();
    env.config(&format!(
        "store = \"redis://:{CANARY2}@127.0.0.1:{}/0\"\nstore_key = \"{CANARY}\"\n[profiles.d]\nprovider = \"console\"\n",
        support::redis::closed_port()
    ));
    for args in [
        &["config", "show"][..],
        &["config", "show", "-o", "json"],
        &["config", "check"],
        &["config", "check", "--online", "-o", "json"],
        &["-v", "send", "--to", "+15551234567"],
        &["status", "--id", "abc"],
    ] {
        let out = env.run(args);
        support::assert_no_leak(&out, &[]);
        if args[0] == "config" && args[1] == "show" {
            let text = support::stdout(&out);
            assert!(text.contains("redis://:***@127.0.0.1"), "{text}");
        }
    }
}

#[test]
fn concurrent_verifies_across_two_machines_have_one_winner() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let (a, b) = (shared_env(&redis.url()), shared_env(&redis.url()));
    let (id, pin) = send_json(&a, "+15551234567");
    let args = ["verify", "--id", id.as_str(), "--code", pin.as_str()];
    let children: Vec<_> = (0..8)
        .map(|i| {
            let env = if i % 2 == 0 { &a } else { &b };
            env.std_cmd()
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("spawn otp")
        })
        .collect();
    let codes: Vec<i32> = children
        .into_iter()
        .map(|mut c| c.wait().unwrap().code().unwrap_or(-1))
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 1, "{codes:?}");
    assert!(codes.iter().all(|c| [0, 1].contains(c)), "{codes:?}");
}

#[test]
fn a_records_json_from_the_first_version_is_imported_once() {
    let env = Env::new();
    env.config("[profiles.d]\nprovider = \"console\"\n");
    let dir = env.state_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // hex(salt) and hex(sha256(salt || "123456")), as the first version wrote them.
    let json = format!(
        r#"{{"records":[{{"id":"old-1","profile":"d","provider":"console","to":"+15551234567","sent_at":{now},"expires_at":{},"attempts_left":3,"state":"pending","salt":"000102030405060708090a0b0c0d0e0f","pin_hash":"99c90773ea9ce66a355bd6a2a6e55122c3caf5a164785c90b1d58c2d63bb8680"}}],"sends":{{"d|+15551234567":{now}}}}}"#,
        now + 300
    );
    support::write_private(&dir.join("records.json"), &json);
    let (code, v) = verify(&env, "old-1", "000000");
    assert_eq!((code, v["reason"].as_str()), (1, Some("wrong_code")), "{v}");
    assert!(!dir.join("records.json").exists());
    assert!(dir.join("records.json.imported").exists());
    let (code, _) = verify(&env, "old-1", "123456");
    assert_eq!(code, 0);
    let db = std::fs::read(dir.join("otp.db")).unwrap();
    let text = String::from_utf8_lossy(&db);
    assert!(
        !text.contains("99c90773ea9ce66a355bd6a2a6e551"),
        "no unkeyed hash kept"
    );
}

#[test]
fn status_of_a_replaced_id_says_so() {
    let env = Env::new();
    env.config("[profiles.a]\nprovider = \"console\"\n[profiles.b]\nprovider = \"console\"\n");
    let out = env.run(&["-p", "a", "send", "--to", "+15551234567", "-q"]);
    let old = support::stdout(&out).trim().to_string();
    // A send by another profile replaces it too (the README).
    let out = env.run(&["-p", "b", "send", "--to", "+15551234567", "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let out = env.run(&["status", "--id", &old]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(
        support::stdout(&out).contains("replaced"),
        "{}",
        support::stdout(&out)
    );
    let out = env.run(&["status", "--id", &old, "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(
        (v["state"].as_str(), v["replaced"].as_bool()),
        (Some("replaced"), Some(true))
    );
}

/// kill -9 at varied moments: every send that printed its id has a record that verifies.
#[test]
fn sends_killed_at_random_moments_lose_nothing_they_reported() {
    use std::io::Read;
    let env = Env::new();
    env.config("[profiles.d]\nprovider = \"console\"\n");
    let mut reported = Vec::new();
    let mut seed: u64 = std::process::id() as u64 ^ 0x9e37_79b9_7f4a_7c15;
    for i in 0..40 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let to = format!("+1555123{:04}", i);
        let mut child = env
            .std_cmd()
            .args(["send", "--to", &to, "-q"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn otp");
        std::thread::sleep(std::time::Duration::from_micros(seed % 20_000));
        // SIGKILL this child only, by its PID.
        let _ = child.kill();
        let _ = child.wait();
        let mut out = String::new();
        let mut err = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let id = out.trim().to_string();
        if !id.is_empty() {
            reported.push((id, console_pin(&err)));
        }
    }
    for (id, pin) in &reported {
        let (code, v) = verify(&env, id, pin);
        assert_eq!(code, 0, "reported send {id} lost: {v}");
    }
}
