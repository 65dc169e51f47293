//! Secret sources and the config file are read with bounds. A FIFO or a
//! device is refused rather than read, a `{ command }` is done when it exits, and output
//! past 64 KiB is refused.

use crate::support::{self, Env};
use std::path::Path;
use std::process::Output;

fn termii_with_key(env: &Env, key_source: &str) {
    env.config(&format!(
        "[profiles.ng]\nprovider = \"termii\"\nbase_url = \"http://127.0.0.1:9\"\nsender = \"Acme\"\napi_key = {key_source}\n"
    ));
}

fn dry_run(env: &Env) -> Output {
    env.run(&["send", "--to", "+2347065250817", "--dry-run", "-o", "json"])
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Run `otp` in the background and give it `limit` to finish: a hang is a failure
/// rather than a stuck test run. The limit is far above the expected milliseconds.
fn run_within(env: &Env, args: &[&str], limit: std::time::Duration) -> Output {
    let mut child = env
        .std_cmd()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("otp {args:?} was still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_file_secret_that_is_a_fifo_or_a_device_is_refused_unread() {
    let env = Env::new();
    let fifo = env.dir.path().join("key.fifo");
    mkfifo(&fifo);
    termii_with_key(&env, &format!("{{ file = \"{}\" }}", fifo.display()));
    let out = run_within(
        &env,
        &["send", "--to", "+2347065250817", "--dry-run"],
        std::time::Duration::from_secs(50),
    );
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("FIFO"),
        "{}",
        support::stderr(&out)
    );

    termii_with_key(&env, "{ file = \"/dev/zero\" }");
    let out = dry_run(&env);
    assert_eq!(support::code(&out), 3);
    let err = support::json(&out)["error"]["message"].to_string();
    assert!(err.contains("device"), "{err}");
}

#[test]
fn a_file_secret_past_64_kib_is_refused() {
    let env = Env::new();
    let key = env.dir.path().join("key.txt");
    std::fs::write(&key, "k".repeat(64 * 1024 + 1)).unwrap();
    termii_with_key(&env, &format!("{{ file = \"{}\" }}", key.display()));
    let out = dry_run(&env);
    assert_eq!(support::code(&out), 3);
    assert!(support::json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("64 KiB"));
    std::fs::write(&key, "file-key-123\n").unwrap();
    assert_eq!(support::code(&dry_run(&env)), 0);
}

#[test]
fn a_command_secret_is_done_when_the_command_exits() {
    let env = Env::new();
    // A background child keeps the pipe open for 150 s; otp must not wait for it.
    termii_with_key(
        &env,
        "{ command = [\"sh\", \"-c\", \"printf cmd-key-123; sleep 150 & exit 0\"] }",
    );
    let out = run_within(
        &env,
        &["send", "--to", "+2347065250817", "--dry-run", "-o", "json"],
        std::time::Duration::from_secs(50),
    );
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    support::assert_none_of(&support::stdout(&out), &["cmd-key-123"], &[]);
}

#[test]
fn a_command_secret_printing_more_than_64_kib_is_refused() {
    let env = Env::new();
    // 100 MB of output: refused at the cap rather than read whole.
    termii_with_key(
        &env,
        "{ command = [\"head\", \"-c\", \"100000000\", \"/dev/zero\"] }",
    );
    let out = run_within(
        &env,
        &["send", "--to", "+2347065250817", "--dry-run"],
        std::time::Duration::from_secs(50),
    );
    assert_eq!(support::code(&out), 3);
    let err = support::stderr(&out);
    assert!(err.contains("more than 64 KiB"), "{err}");
}

#[test]
fn the_config_file_must_be_a_regular_file_of_at_most_1_mib() {
    let env = Env::new();
    let fifo = env.dir.path().join("config.fifo");
    mkfifo(&fifo);
    let out = run_within(
        &env,
        &["-c", fifo.to_str().unwrap(), "config", "check"],
        std::time::Duration::from_secs(50),
    );
    assert_eq!(support::code(&out), 3);
    assert!(
        support::stderr(&out).contains("FIFO"),
        "{}",
        support::stderr(&out)
    );
    let out = env.run(&["-c", "/dev/zero", "send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 3);
    assert!(support::stderr(&out).contains("not a regular file"));

    let big = env.dir.path().join("big.toml");
    let mut text = String::from("[profiles.dev]\nprovider = \"console\"\n");
    text.push_str(&"# padding\n".repeat(110 * 1024));
    support::write_private(&big, &text);
    let out = env.run(&["-c", big.to_str().unwrap(), "config", "check"]);
    assert_eq!(support::code(&out), 3);
    assert!(
        support::stderr(&out).contains("1 MiB"),
        "{}",
        support::stderr(&out)
    );
}
