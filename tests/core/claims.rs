//! Claims on a record end to end: a second verify while one is at the vendor is told
//! "busy" (not "already used"), the claim's deadline is the claimer's own, verifies
//! killed at random moments keep codes single use, a hostile or empty `records.json`,
//! and exit 6 when the record cannot be written after the vendor accepted.

use crate::core::send::console_pin;
use crate::providers::{battery, termii};
use crate::support::{self, Env};
use httpmock::prelude::*;
use std::io::Read;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

const VERIFIED: &str = r#"{"pinId":"b1f2242a-44c5-4eed-94bc-8d37b67ef219","verified":"True","msisdn":"2347065250817"}"#;
/// Far past anything the runs below need: only a guard against a hang.
const HANG: Duration = Duration::from_secs(90);

/// A termii send against the mock, so a provider-verified record exists.
fn termii_sent() -> (MockServer, Env) {
    let f = &termii::FIXTURE;
    let server = MockServer::start();
    let env = battery::env_for(f, &server.base_url());
    let m = battery::mock(&server, POST, f.send_path, 200, f.success_body);
    let out = env.run(&["send", "--to", f.to, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
    (server, env)
}

/// A verify mock that answers "verified" after `delay`.
fn slow_verify(server: &MockServer, delay: Duration) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(POST).path("/api/sms/otp/verify");
        then.status(200)
            .header("content-type", "application/json")
            .body(VERIFIED)
            .delay(delay);
    })
}

fn spawn(env: &Env, args: &[&str]) -> Child {
    env.std_cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn otp")
}

/// Wait for `child`; a run still going after `HANG` is killed and fails the test.
fn finish(mut child: Child, what: &str) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > HANG {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!("{what} hung; stderr: {}", support::stderr(&out));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `otp args...`, bounded by `HANG`.
fn run(env: &Env, args: &[&str]) -> Output {
    finish(spawn(env, args), &format!("otp {}", args.join(" ")))
}

/// Poll until the mock was hit `n` times (the vendor call of a run in flight).
fn wait_for_hits(m: &httpmock::Mock, n: usize, child: &mut Child) {
    let start = Instant::now();
    while m.hits() < n {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the first verify ended before reaching the vendor"
        );
        assert!(start.elapsed() < HANG, "the vendor was never asked");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The N of "try again in Ns".
fn retry_in(message: &str) -> u64 {
    let rest = message
        .split("try again in ")
        .nth(1)
        .unwrap_or_else(|| panic!("no 'try again in' in {message}"));
    rest.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number after 'try again in' in {message}"))
}

fn assert_busy(out: &Output) -> serde_json::Value {
    assert_eq!(support::code(out), 5, "{}", support::stderr(out));
    let v = support::json(out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], "not_verified", "{v}");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["error"]["kind"], "rate_limited", "{v}");
    assert_eq!(v["error"]["retryable"], true, "{v}");
    assert_ne!(v["reason"], "already_used", "{v}");
    assert_ne!(v["error"]["kind"], "already_used", "{v}");
    support::assert_no_leak(out, &["195558"]);
    v
}

// Issue 15, item 9: a correct code while another verify of the id is at the vendor.
#[test]
fn a_second_verify_while_one_is_at_the_vendor_is_busy() {
    let (server, env) = termii_sent();
    let m = slow_verify(&server, Duration::from_secs(4));
    let id = termii::FIXTURE.success_id;
    let args = ["verify", "--id", id, "--code", "195558", "-o", "json"];
    let mut first = spawn(&env, &args);
    wait_for_hits(&m, 1, &mut first);
    let out = run(&env, &args);
    let v = assert_busy(&out);
    let msg = v["error"]["message"].as_str().unwrap().to_string();
    assert!(msg.contains("another otp verify"), "{msg}");
    assert!(retry_in(&msg) > 0, "{msg}");
    assert_eq!(m.hits(), 1, "the busy verify asked the vendor");
    let out = finish(first, "the first verify");
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["outcome"], "verified");
    assert_eq!(m.hits(), 1);
    // Settled: now it is used, without asking the vendor again.
    let out = run(&env, &args);
    assert_eq!(support::code(&out), 1, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["reason"], "already_used");
    assert_eq!(m.hits(), 1);
}

// Issue 15, item 4: the claim lasts the claimer's own timeout, not the asker's.
#[test]
fn the_claim_deadline_is_the_claimer_s_own_timeout() {
    let (server, env) = termii_sent();
    let m = slow_verify(&server, Duration::from_secs(3));
    let id = termii::FIXTURE.success_id;
    let verify = ["verify", "--id", id, "--code", "195558", "-o", "json"];
    let mut long = vec!["--timeout", "5m"];
    long.extend_from_slice(&verify);
    let mut first = spawn(&env, &long);
    wait_for_hits(&m, 1, &mut first);
    let mut short = vec!["--timeout", "1s"];
    short.extend_from_slice(&verify);
    let out = run(&env, &short);
    let v = assert_busy(&out);
    let msg = v["error"]["message"].as_str().unwrap();
    // 5 min + 30 s from the first's start; the second's own 1 s + 30 s would be 31.
    let n = retry_in(msg);
    assert!(n > 60, "deadline not the claimer's: {msg}");
    assert!(n <= 330, "{msg}");
    assert_eq!(m.hits(), 1);
    let out = finish(first, "the first verify");
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
}

// Issue 15, item 9: a verify killed at the vendor leaves a claim; the next one is told
// to retry, not that the code was used.
#[test]
fn a_verify_killed_at_the_vendor_leaves_busy_not_used() {
    let (server, env) = termii_sent();
    let m = slow_verify(&server, Duration::from_secs(30));
    let id = termii::FIXTURE.success_id;
    let args = ["verify", "--id", id, "--code", "195558", "-o", "json"];
    let mut first = spawn(&env, &args);
    wait_for_hits(&m, 1, &mut first);
    // SIGKILL this child only, by its PID.
    first.kill().unwrap();
    first.wait().unwrap();
    let out = run(
        &env,
        &[
            "--timeout",
            "1s",
            "verify",
            "--id",
            id,
            "--code",
            "195558",
            "-o",
            "json",
        ],
    );
    assert_busy(&out);
    assert_eq!(m.hits(), 1);
}

/// The next xorshift value.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// kill -9 of local verifies at random moments: a code verifies at most once, a
/// verify that reported success is followed only by "already used", and nothing hangs.
#[test]
fn verifies_killed_at_random_moments_keep_codes_single_use() {
    let env = Env::new();
    env.config("[profiles.d]\nprovider = \"console\"\n");
    let mut seed: u64 = std::process::id() as u64 ^ 0x2545_f491_4f6c_dd1d;
    let (mut killed, mut finished) = (0, 0);
    for i in 0..30 {
        let to = format!("+1555124{:04}", i);
        let out = run(&env, &["send", "--to", &to, "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        let id = support::json(&out)["id"].as_str().unwrap().to_string();
        let pin = console_pin(&support::stderr(&out));
        let args = [
            "verify",
            "--id",
            id.as_str(),
            "--code",
            pin.as_str(),
            "-o",
            "json",
        ];
        let mut child = spawn(&env, &args);
        std::thread::sleep(Duration::from_micros(next(&mut seed) % 25_000));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let mut wins = 0;
        if status.code() == Some(0) {
            finished += 1;
            wins += 1;
            assert!(
                stdout.contains("\"verified\""),
                "exit 0 without a report: {stdout}"
            );
        } else {
            killed += 1;
        }
        // Twice more: at most one of all the runs says yes.
        for _ in 0..2 {
            let out = run(&env, &args);
            match support::code(&out) {
                0 => wins += 1,
                1 => assert_eq!(
                    support::json(&out)["reason"],
                    "already_used",
                    "{}",
                    support::stdout(&out)
                ),
                c => panic!("verify after a kill: exit {c}: {}", support::stderr(&out)),
            }
        }
        // None said yes only when the killed run committed before it could print: the
        // code was used once, and the record says so below.
        assert!(wins <= 1, "id {id}: {wins} verifies said yes to one code");
        let out = run(&env, &["status", "--id", &id, "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        assert_eq!(support::json(&out)["state"], "verified");
    }
    // Both kinds of run happened, or the kill moments were not random enough to mean much.
    eprintln!("killed {killed}, finished {finished}");
    assert!(killed > 0, "no verify was killed");
}

fn console_env() -> Env {
    let env = Env::new();
    env.config("[profiles.d]\nprovider = \"console\"\n");
    std::fs::create_dir_all(env.state_dir()).unwrap();
    std::fs::set_permissions(
        env.state_dir(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    env
}

// Issue 15, item 12: a FIFO named records.json must not hold every command forever.
#[test]
fn a_records_json_that_is_a_fifo_does_not_hang() {
    let env = console_env();
    let path = env.state_dir().join("records.json");
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo has no other preconditions.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for args in [
        &["send", "--to", "+15551234567", "-o", "json"][..],
        &["verify", "--id", "abc", "--code", "123456", "-o", "json"],
    ] {
        let out = run(&env, args);
        let err = support::stderr(&out);
        // Refused before the store opens: a config problem (exit 3) saying what and where.
        assert_eq!(support::code(&out), 3, "{err}");
        assert!(err.contains("records.json"), "no word of the FIFO: {err}");
        assert!(err.contains("not a regular file"), "{err}");
        assert!(err.contains("hint:"), "{err}");
    }
}

// Issue 15, item 12: an empty or blank records.json is imported as nothing, no error.
#[test]
fn an_empty_or_blank_records_json_is_imported_as_nothing() {
    for text in ["", " \n\t\n"] {
        let env = console_env();
        support::write_private(&env.state_dir().join("records.json"), text);
        let out = run(&env, &["send", "--to", "+15551234567", "-o", "json"]);
        assert_eq!(
            support::code(&out),
            0,
            "{text:?}: {}",
            support::stderr(&out)
        );
        let id = support::json(&out)["id"].as_str().unwrap().to_string();
        let pin = console_pin(&support::stderr(&out));
        assert!(!env.state_dir().join("records.json").exists(), "{text:?}");
        assert!(env.state_dir().join("records.json.imported").exists());
        let out = run(&env, &["verify", "--id", &id, "--code", &pin]);
        assert_eq!(
            support::code(&out),
            0,
            "{text:?}: {}",
            support::stderr(&out)
        );
    }
}

// Issue 10: the vendor accepted, then the record cannot be written: exit 6, naming the id.
// The store is locked by another writer only once the vendor has the request, past the
// store's bounded wait.
#[test]
fn a_record_that_cannot_be_written_after_acceptance_is_exit_6() {
    let f = &termii::FIXTURE;
    let server = MockServer::start();
    let env = battery::env_for(f, &server.base_url());
    // A first send creates the store.
    let out = run(&env, &["send", "--to", "+2348031234567", "-q"]);
    assert_ne!(support::code(&out), 2, "{}", support::stderr(&out));
    let m = server.mock(|when, then| {
        when.method(POST).path(f.send_path);
        then.status(200)
            .header("content-type", "application/json")
            .body(f.success_body)
            .delay(Duration::from_secs(2));
    });
    let db = env.state_dir().join("otp.db");
    assert!(db.exists());
    let mut child = spawn(&env, &["send", "--to", f.to, "-o", "json"]);
    wait_for_hits(&m, 1, &mut child);
    let lock = rusqlite::Connection::open(&db).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let out = finish(child, "the send");
    lock.execute_batch("ROLLBACK").unwrap();
    assert_eq!(support::code(&out), 6, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["error"]["kind"], "store", "{v}");
    let err = support::stderr(&out);
    assert!(err.contains(f.success_id), "the id is named: {err}");
    assert!(err.contains("accepted"), "{err}");
    support::assert_no_leak(&out, &[]);
    assert_eq!(m.hits(), 1);
}
