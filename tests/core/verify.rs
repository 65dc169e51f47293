//! The send-then-verify loop through console and the local record store: single use,
//! attempts, lockout, supersede, status, cancel, concurrency, file modes, code input.

use crate::core::send::console_pin;
use crate::support::{self, Env};
use std::os::unix::fs::PermissionsExt;

/// Send through console; (id, pin).
pub fn send(env: &Env, to: &str, extra: &[&str]) -> (String, String) {
    let mut args = vec!["send", "--to", to, "-o", "json"];
    args.extend_from_slice(extra);
    let out = env.run(&args);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let id = support::json(&out)["id"].as_str().unwrap().to_string();
    (id, console_pin(&support::stderr(&out)))
}

fn verify(env: &Env, id: &str, code: &str) -> (i32, serde_json::Value) {
    let out = env.run(&["verify", "--id", id, "--code", code, "-o", "json"]);
    support::assert_no_leak(&out, &[]);
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert!(v.get("reason").is_some(), "verify JSON has reason: {v}");
    (support::code(&out), v)
}

fn wrong(pin: &str) -> String {
    pin.chars()
        .map(|c| {
            if c == '9' {
                '0'
            } else {
                char::from(c as u8 + 1)
            }
        })
        .collect()
}

#[test]
fn right_code_verifies_once() {
    let env = Env::new();
    let (id, pin) = send(&env, "+15551234567", &[]);
    let (code, v) = verify(&env, &id, &pin);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["outcome"], "verified");
    assert_eq!(v["ok"], true);
    assert_eq!(v["reason"], serde_json::Value::Null);
    assert_eq!(v["verify_with"], "local");
    let (code, v) = verify(&env, &id, &pin);
    assert_eq!(code, 1);
    assert_eq!(v["outcome"], "not_verified");
    assert_eq!(v["reason"], "already_used");
    assert_eq!(v["error"]["kind"], "already_used");
}

#[test]
fn wrong_codes_count_then_lock() {
    let env = Env::new();
    let (id, pin) = send(&env, "+15551234567", &["--attempts", "2"]);
    let (code, v) = verify(&env, &id, &wrong(&pin));
    assert_eq!((code, v["reason"].as_str()), (1, Some("wrong_code")));
    let (code, v) = verify(&env, &id, &wrong(&pin));
    assert_eq!((code, v["reason"].as_str()), (1, Some("wrong_code")));
    let (code, v) = verify(&env, &id, &pin);
    assert_eq!(
        (code, v["reason"].as_str()),
        (1, Some("attempts_exhausted"))
    );
}

#[test]
fn unknown_id_is_exit_1() {
    let env = Env::new();
    let (code, v) = verify(&env, "no-such-id", "123456");
    assert_eq!(code, 1);
    assert_eq!(v["reason"], "unknown_id");
}

#[test]
fn a_new_send_supersedes_the_old_record() {
    let env = Env::new();
    let (old, old_pin) = send(&env, "+15551234567", &[]);
    let (new, new_pin) = send(&env, "+15551234567", &[]);
    let (code, v) = verify(&env, &old, &old_pin);
    assert_eq!((code, v["reason"].as_str()), (1, Some("expired")));
    assert!(
        v["error"]["message"].as_str().unwrap().contains("replaced"),
        "{v}"
    );
    assert_eq!(verify(&env, &new, &new_pin).0, 0);
}

#[test]
fn expired_codes_are_refused() {
    let env = Env::new();
    let (id, pin) = send(&env, "+15551234567", &["--ttl", "1s"]);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (code, v) = verify(&env, &id, &pin);
    assert_eq!(code, 1);
    assert_eq!(v["reason"], "expired", "{v}");
    let v = support::json(&env.run(&["status", "--id", &id, "-o", "json"]));
    assert_eq!(v["state"], "expired", "{v}");
}

#[test]
fn code_from_stdin() {
    let env = Env::new();
    let (id, pin) = send(&env, "+15551234567", &[]);
    let out = env
        .cmd()
        .args(["verify", "--id", &id, "--code", "-"])
        .write_stdin(format!("{pin}\n"))
        .output()
        .unwrap();
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    // without --code and without a terminal: a usage error, not a hang
    let out = env
        .cmd()
        .args(["verify", "--id", &id])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(support::code(&out), 2);
}

#[test]
fn code_from_an_interactive_prompt() {
    let env = Env::new();
    let (id, pin) = send(&env, "+15551234567", &[]);
    let (mut master, slave) = pty();
    let mut child = env
        .std_cmd()
        .args(["verify", "--id", &id])
        .stdin(std::process::Stdio::from(slave))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Type the code once the prompt shows, as a person would.
    use std::io::{Read, Write};
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("Code:") {
        assert_eq!(stderr.read(&mut byte).unwrap(), 1, "no prompt: {seen:?}");
        seen.push(byte[0]);
    }
    master.write_all(format!("{pin}\n").as_bytes()).unwrap();
    let mut rest = Vec::new();
    stderr.read_to_end(&mut rest).unwrap();
    seen.extend(rest);
    let mut out = child.wait_with_output().unwrap();
    out.stderr = seen;
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("Code:"));
    assert!(!support::stdout(&out).contains(&pin));
    // The terminal did not echo the code back (echo was off while it was typed).
    use std::os::fd::AsRawFd;
    // SAFETY: fcntl on an fd we own.
    unsafe {
        let fl = libc::fcntl(master.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(master.as_raw_fd(), libc::F_SETFL, fl | libc::O_NONBLOCK);
    }
    let mut echoed = Vec::new();
    let _ = master.read_to_end(&mut echoed);
    assert!(
        !String::from_utf8_lossy(&echoed).contains(&pin),
        "echoed: {:?}",
        String::from_utf8_lossy(&echoed)
    );
}

/// A pseudo-terminal pair (master as a File, slave as an fd for the child's stdin).
fn pty() -> (std::fs::File, std::os::fd::OwnedFd) {
    use std::os::fd::FromRawFd;
    let mut m = 0;
    let mut s = 0;
    // SAFETY: openpty writes two fds into the pointers; null name/termios/winsize are allowed.
    let rc = unsafe {
        libc::openpty(
            &mut m,
            &mut s,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty failed");
    // SAFETY: both fds were just opened by openpty and are owned by nobody else.
    unsafe {
        (
            std::fs::File::from_raw_fd(m),
            std::os::fd::OwnedFd::from_raw_fd(s),
        )
    }
}

#[test]
fn status_and_cancel_use_the_local_record() {
    let env = Env::new();
    let (id, pin) = send(&env, "+2347065250817", &[]);
    let out = env.run(&["status", "--id", &id]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("+234******0817"), "{text}");
    assert!(text.contains("pending"), "{text}");
    assert!(!text.contains("+2347065250817"));
    let v = support::json(&env.run(&["status", "--id", &id, "-o", "json"]));
    assert_eq!(v["state"], "pending");
    assert_eq!(v["attempts_left"], 3);

    let out = env.run(&["cancel", "--id", &id]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let (code, v) = verify(&env, &id, &pin);
    assert_eq!(code, 1);
    assert_eq!(v["outcome"], "not_verified", "{v}");
    let v = support::json(&env.run(&["status", "--id", &id, "-o", "json"]));
    assert_eq!(v["state"], "cancelled");
    for cmd in ["status", "cancel"] {
        let out = env.run(&[cmd, "--id", "nope", "-o", "json"]);
        assert_eq!(support::code(&out), 2, "{cmd}");
        let v = support::json(&out);
        assert_eq!(v["ok"], false);
        assert_eq!(v["id"], "nope");
        // The same kind as verify's unknown_id (README: an id nobody knows).
        assert_eq!(v["error"]["kind"], "not_found");
    }
}

#[test]
fn state_files_are_private_even_under_umask_000() {
    let env = Env::new();
    let status = env
        .std_cmd_umask_000()
        .args(["send", "--to", "+15551234567", "-q"])
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let dir = env.state_dir();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
}

#[test]
fn no_pin_in_state_files() {
    let env = Env::new();
    let (_, pin) = send(&env, "+447700900123", &["--pin", "90817263"]);
    assert_eq!(pin, "90817263");
    for (path, bytes) in env.written_files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&pin), "PIN in {}", path.display());
    }
}

#[test]
fn twenty_concurrent_sends_are_all_recorded() {
    let env = Env::new();
    let children: Vec<_> = (0..20)
        .map(|i| {
            let mut c = env.std_cmd();
            c.args(["send", "--to", &format!("+1555100{i:04}"), "-q"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    let ids: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "a concurrent send failed ({:?}): {}",
                out.status.code(),
                support::stderr(&out)
            );
            support::stdout(&out).trim().to_string()
        })
        .collect();
    for id in &ids {
        let out = env.run(&["status", "--id", id]);
        assert_eq!(support::code(&out), 0, "record {id} lost");
    }
}

#[test]
fn ten_concurrent_verifies_of_one_code_exactly_one_wins() {
    let env = Env::new();
    let (id, pin) = send(&env, "+15551234567", &[]);
    let codes = env.race(10, &["verify", "--id", &id, "--code", &pin, "-q"]);
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 1).count(), 9, "{codes:?}");
}
