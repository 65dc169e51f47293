//! Runs that write nothing leave nothing: a dry run with a cooldown and limits creates no
//! store, imports and prunes nothing and pins no key on an empty Redis; `status` reads a
//! store it cannot write; `config check --online` proves the store writable and leaves
//! nothing behind.

use crate::support::{self, redis::Redis, Env, CANARY};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const RULES: &str =
    "[profiles.d]\nprovider = \"console\"\ncooldown = \"1h\"\nlimits = { number = \"1/1h\", country = \"5/1h\" }\n";

/// The store's files and a hash of each one's bytes. The `-shm` file is left out: it is
/// SQLite's shared-memory index, where readers leave their marks, not data.
fn snapshot(dir: &Path) -> Vec<(String, u64)> {
    use std::hash::{Hash, Hasher};
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| !e.file_name().to_string_lossy().ends_with("-shm"))
                .map(|e| {
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    std::fs::read(e.path()).unwrap_or_default().hash(&mut h);
                    (e.file_name().to_string_lossy().into_owned(), h.finish())
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Run `otp args` with the store folder read-only (0500, files 0400). Root writes through
/// modes, so under root the run is made as `nobody`, with the sealed HOME given to it.
fn run_read_only(env: &Env, args: &[&str]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let dir = env.state_dir();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    let mode = |p: &Path, m| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    let mut cmd = env.std_cmd();
    cmd.args(args);
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let nobody = 65534;
    if root {
        fn give(p: &Path, to: u32) {
            std::os::unix::fs::lchown(p, Some(to), Some(to)).unwrap();
            if p.is_dir() && !p.is_symlink() {
                for e in std::fs::read_dir(p).unwrap().flatten() {
                    give(&e.path(), to);
                }
            }
        }
        give(env.dir.path(), nobody);
        cmd.uid(nobody).gid(nobody);
    }
    for f in &files {
        mode(f, 0o400).unwrap();
    }
    mode(&dir, 0o500).unwrap();
    let out = cmd.output().expect("run otp");
    mode(&dir, 0o700).unwrap();
    for f in &files {
        mode(f, 0o600).unwrap();
    }
    if root {
        fn back(p: &Path) {
            std::os::unix::fs::lchown(p, Some(0), Some(0)).unwrap();
            if p.is_dir() && !p.is_symlink() {
                for e in std::fs::read_dir(p).unwrap().flatten() {
                    back(&e.path());
                }
            }
        }
        back(env.dir.path());
    }
    out
}

#[test]
fn a_dry_run_with_rules_creates_no_store() {
    let env = Env::new();
    env.config(RULES);
    let out = env.run(&["send", "--to", "+15551234567", "--dry-run", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(
        !env.state_dir().exists(),
        "a dry run made {:?}",
        snapshot(&env.state_dir())
    );
}

#[test]
fn a_dry_run_imports_and_prunes_nothing_and_changes_no_byte() {
    let env = Env::new();
    env.config(RULES);
    let out = env.run(&["send", "--to", "+15551234567", "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    // A records.json of the first version, left beside the store: a dry run leaves it.
    support::write_private(
        &env.state_dir().join("records.json"),
        r#"{"records":[],"sends":{}}"#,
    );
    let before = snapshot(&env.state_dir());
    let out = env.run(&["send", "--to", "+15551234567", "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("would be refused"),
        "the dry run still reads the rules: {}",
        support::stderr(&out)
    );
    assert_eq!(
        snapshot(&env.state_dir()),
        before,
        "a dry run changed the store"
    );
    assert!(env.state_dir().join("records.json").exists());
}

#[test]
fn a_dry_run_pins_no_key_on_an_empty_redis() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let env = Env::new()
        .var("OTP_STORE", &redis.url())
        .var("OTP_STORE_KEY", "a-key-for-this-run-only");
    env.config(RULES);
    let out = env.run(&["send", "--to", "+15551234567", "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(redis.keys(), Vec::<String>::new());
    // So a machine with the real key is not locked out afterwards.
    let real = Env::new()
        .var("OTP_STORE", &redis.url())
        .var("OTP_STORE_KEY", CANARY);
    real.config(RULES);
    let out = real.run(&["send", "--to", "+15551234567", "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
}

#[test]
fn the_online_check_leaves_nothing_behind() {
    let env = Env::new();
    env.config("[profiles.d]\nprovider = \"console\"\n");
    let out = env.run(&["config", "check", "--online", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stdout(&out));
    assert!(!env.state_dir().exists(), "the check created the store");
    // An existing store: proven writable, its bytes untouched.
    assert_eq!(
        env.run(&["send", "--to", "+15551234567", "-q"])
            .status
            .code(),
        Some(0)
    );
    let before = snapshot(&env.state_dir());
    let out = env.run(&["config", "check", "--online", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stdout(&out));
    assert_eq!(snapshot(&env.state_dir()), before);
    // A store that cannot be written fails the check.
    let out = run_read_only(&env, &["config", "check", "--online", "-o", "json"]);
    assert_ne!(support::code(&out), 0, "{}", support::stdout(&out));

    let Some(redis) = Redis::start() else {
        return;
    };
    let shared = Env::new()
        .var("OTP_STORE", &redis.url())
        .var("OTP_STORE_KEY", CANARY);
    shared.config("[profiles.d]\nprovider = \"console\"\n");
    let out = shared.run(&["config", "check", "--online", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stdout(&out));
    assert_eq!(
        support::json(&out)["store"]["error"],
        serde_json::Value::Null
    );
    assert_eq!(redis.keys(), Vec::<String>::new(), "the check left keys");
}

#[test]
fn status_reads_a_store_it_cannot_write() {
    let env = Env::new();
    env.config("[profiles.d]\nprovider = \"console\"\n");
    let out = env.run(&["send", "--to", "+15551234567", "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let id = support::stdout(&out).trim().to_string();
    let out = run_read_only(&env, &["status", "--id", &id, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["state"], "pending");
    // With no store at all, status finds nothing and makes nothing.
    let fresh = Env::new();
    fresh.config("[profiles.d]\nprovider = \"console\"\n");
    let out = fresh.run(&["status", "--id", "abc"]);
    assert_eq!(support::code(&out), 2, "{}", support::stderr(&out));
    assert!(!fresh.state_dir().exists());
}
