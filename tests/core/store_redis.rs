//! Redis as operators run it: `--timeout` bounds every wait, a refused password is a
//! config error, `rediss://` with `store_ca_file` against a local TLS redis-server, and
//! the location printed with only its password masked.

use crate::core::send::console_pin;
use crate::support::{self, redis::Redis, Env, CANARY, CANARY2};

fn shared(url: &str) -> Env {
    let env = Env::new()
        .var("OTP_STORE", url)
        .var("OTP_STORE_KEY", CANARY);
    env.config("[profiles.d]\nprovider = \"console\"\n");
    env
}

#[test]
fn a_stalled_store_times_out_after_the_timeout() {
    // Accepts and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let conns: Vec<_> = listener.incoming().take(1).collect();
        std::thread::sleep(std::time::Duration::from_secs(6));
        drop(conns);
    });
    let env = shared(&format!("redis://127.0.0.1:{port}/0"));
    let start = std::time::Instant::now();
    let out = env.run(&[
        "--timeout",
        "1s",
        "send",
        "--to",
        "+15551234567",
        "-o",
        "json",
    ]);
    let took = start.elapsed();
    let err = support::stderr(&out);
    assert_eq!(support::code(&out), 5, "{err}");
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    assert!(err.contains("timed out after 1s"), "{err}");
    // The location is shown as it is: no password, nothing masked.
    assert!(
        err.contains(&format!("redis://127.0.0.1:{port}/0")),
        "{err}"
    );
    drop(held);
}

#[test]
fn a_refused_password_is_a_config_error() {
    let Some(redis) = Redis::start_with(Some(CANARY2)) else {
        return;
    };
    for url in [
        format!("redis://:wrong-pass-77@127.0.0.1:{}/0", redis.port),
        format!("redis://127.0.0.1:{}/0", redis.port),
    ] {
        let out = shared(&url).run(&["send", "--to", "+15551234567", "-o", "json"]);
        assert_eq!(support::code(&out), 3, "{url}: {}", support::stderr(&out));
        let v = support::json(&out);
        assert_eq!(v["error"]["kind"], "config", "{v}");
        assert_eq!(v["error"]["retryable"], false, "{v}");
        support::assert_no_leak(&out, &["wrong-pass-77"]);
    }
}

#[test]
fn only_the_password_is_masked() {
    let port = support::redis::closed_port();
    for (url, shown) in [
        (
            format!("redis://:{CANARY2}@127.0.0.1:{port}/0"),
            format!("redis://:***@127.0.0.1:{port}/0"),
        ),
        (
            format!("redis://app:{CANARY2}@127.0.0.1:{port}/0"),
            format!("redis://app:***@127.0.0.1:{port}/0"),
        ),
        (
            format!("redis://{CANARY2}@127.0.0.1:{port}/0"),
            format!("redis://***@127.0.0.1:{port}/0"),
        ),
        (
            format!("redis://127.0.0.1:{port}/0?password={CANARY2}"),
            format!("redis://127.0.0.1:{port}/0?password=***"),
        ),
        (
            format!("redis://127.0.0.1:{port}/0"),
            format!("redis://127.0.0.1:{port}/0"),
        ),
    ] {
        let env = shared(&url);
        let out = env.run(&["config", "show"]);
        support::assert_no_leak(&out, &[]);
        assert!(
            support::stdout(&out).contains(&shown),
            "{url}: {}",
            support::stdout(&out)
        );
        let out = env.run(&["send", "--to", "+15551234567"]);
        assert_eq!(support::code(&out), 5);
        support::assert_no_leak(&out, &[]);
        assert!(
            support::stderr(&out).contains(&shown),
            "{url}: {}",
            support::stderr(&out)
        );
    }
}

#[test]
fn rediss_with_store_ca_file() {
    let certs = tempfile::tempdir().unwrap();
    let Some(redis) = Redis::start_tls(certs.path()) else {
        return;
    };
    let url = format!("rediss://localhost:{}/0", redis.port);
    let ca = certs.path().join("ca.crt");
    let env = shared(&url).var("OTP_STORE_CA_FILE", ca.to_str().unwrap());
    let out = env.run(&["send", "--to", "+15551234567", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let id = support::json(&out)["id"].as_str().unwrap().to_string();
    let pin = console_pin(&support::stderr(&out));
    let out = env.run(&["verify", "--id", &id, "--code", &pin]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    // The CA every profile trusts (SSL_CERT_FILE) serves the store too.
    let env = shared(&url).var("SSL_CERT_FILE", ca.to_str().unwrap());
    let out = env.run(&["send", "--to", "+15551234567", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    // The same key in the config file, read beside it.
    let filed = Env::new().var("OTP_STORE_KEY", CANARY);
    std::fs::create_dir_all(filed.config_path().parent().unwrap()).unwrap();
    std::fs::copy(
        &ca,
        filed.config_path().parent().unwrap().join("redis-ca.pem"),
    )
    .unwrap();
    filed.config(&format!(
        "store = \"{url}\"\nstore_ca_file = \"redis-ca.pem\"\n[profiles.d]\nprovider = \"console\"\n"
    ));
    let out = filed.run(&["config", "check", "--online", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stdout(&out));
    // Without the CA, the server's certificate is not trusted: nothing sent.
    let out = shared(&url).run(&["send", "--to", "+15551234567", "-o", "json"]);
    assert_eq!(support::code(&out), 5, "{}", support::stderr(&out));
}

#[test]
fn an_unreadable_store_ca_file_is_a_config_problem() {
    let env = Env::new()
        .var("OTP_STORE", "rediss://localhost:6380/0")
        .var("OTP_STORE_KEY", CANARY)
        .var("OTP_STORE_CA_FILE", "/nonexistent/ca.pem");
    env.config("[profiles.d]\nprovider = \"console\"\n");
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("store_ca_file"),
        "{}",
        support::stderr(&out)
    );
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
}
