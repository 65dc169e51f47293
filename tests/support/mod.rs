//! Test support: a sealed `otp` command (cleared environment, temp HOME and XDG dirs, so
//! no developer config, proxy or state leaks in), config writers, and the fault servers.

#![allow(dead_code)]

pub mod faults;
pub mod redis;

use assert_cmd::Command;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A secret that must never appear in any output or file but the config.
pub const CANARY: &str = "CANARY-sk-7f3a9c1e5b";
/// A second one, for vendors with two credentials.
pub const CANARY2: &str = "CANARY-tok-2d8e6b4a90";

/// One sealed place to run `otp`: its own HOME, config, state and data dirs.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub vars: Vec<(String, String)>,
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["home", "config", "state", "data", "cache"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Env {
            dir,
            vars: Vec::new(),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The default config path `otp` uses in this environment.
    pub fn config_path(&self) -> PathBuf {
        self.dir
            .path()
            .join("config")
            .join("otp")
            .join("config.toml")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state").join("otp")
    }

    /// Add an environment variable to every command.
    pub fn var(mut self, k: &str, v: &str) -> Env {
        self.vars.push((k.into(), v.into()));
        self
    }

    /// Write the default config file, mode 0600.
    pub fn config(&self, text: &str) -> &Env {
        write_private(&self.config_path(), text);
        self
    }

    /// The real binary with a cleared environment, as a std `Command`: for processes
    /// that must run at the same time or need a terminal.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("otp"));
        c.env_clear()
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .current_dir(self.dir.path());
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    /// The binary run with umask 000, to show that what it writes is private anyway.
    pub fn std_cmd_umask_000(&self) -> std::process::Command {
        use std::os::unix::process::CommandExt;
        let mut c = self.std_cmd();
        // SAFETY: umask is async-signal-safe and touches only the child's own mask.
        unsafe {
            c.pre_exec(|| {
                libc::umask(0);
                Ok(())
            });
        }
        c
    }

    /// The same, as an assert_cmd `Command`.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    /// Start `runs` copies of `otp args...` at once; their exit codes.
    pub fn race(&self, runs: usize, args: &[&str]) -> Vec<i32> {
        let children: Vec<_> = (0..runs)
            .map(|_| {
                self.std_cmd()
                    .args(args)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .expect("spawn otp")
            })
            .collect();
        children
            .into_iter()
            .map(|mut c| c.wait().expect("wait").code().unwrap_or(-1))
            .collect()
    }

    /// Run `otp args...` and return its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run otp")
    }

    /// Every file under the temp root except the config, with its bytes (leak sweeps).
    pub fn written_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        let cfg = self.config_path();
        out.retain(|(p, _)| *p != cfg);
        out
    }
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if let Ok(b) = std::fs::read(&p) {
            out.push((p, b));
        }
    }
}

pub fn write_private(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// stdout parsed as exactly one JSON document.
pub fn json(o: &Output) -> serde_json::Value {
    let text = stdout(o);
    let mut de = serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>();
    let v = de
        .next()
        .unwrap_or_else(|| panic!("no JSON on stdout; stderr: {}", stderr(o)))
        .unwrap_or_else(|e| panic!("bad JSON ({e}) on stdout: {text}"));
    assert!(de.next().is_none(), "more than one JSON document: {text}");
    v
}

/// The fields every send/verify JSON document carries (null when unknown).
pub const REPORT_FIELDS: &[&str] = &[
    "ok",
    "outcome",
    "provider",
    "profile",
    "to",
    "id",
    "message_id",
    "verify_with",
    "expires_at",
    "segments",
    "encoding",
    "cost",
    "test",
    "route",
    "tried",
    "error",
];

pub fn assert_report_shape(v: &serde_json::Value) {
    for f in REPORT_FIELDS {
        assert!(v.get(f).is_some(), "field {f} missing from {v}");
    }
    if let Some(e) = v.get("error").filter(|e| !e.is_null()) {
        for f in [
            "kind",
            "message",
            "http_status",
            "provider_code",
            "retryable",
            "retry_after",
        ] {
            assert!(e.get(f).is_some(), "error.{f} missing from {v}");
        }
    }
}

/// Assert that neither the canaries nor `extra` (PINs) appear in the output, in plain,
/// URL-encoded or base64 form.
pub fn assert_no_leak(o: &Output, extra: &[&str]) {
    let all = format!("{}\n{}", stdout(o), stderr(o));
    assert_text_clean(&all, extra);
}

pub fn assert_text_clean(text: &str, extra: &[&str]) {
    assert_none_of(text, &[CANARY, CANARY2], extra);
}

/// Assert that none of `secrets` nor `extra`, in any encoded form, is in `text`.
pub fn assert_none_of(text: &str, secrets: &[&str], extra: &[&str]) {
    use base64::Engine as _;
    for s in secrets.iter().chain(extra.iter()) {
        let forms = [
            s.to_string(),
            form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>(),
            base64::engine::general_purpose::STANDARD.encode(s),
        ];
        for f in forms {
            assert!(!text.contains(&f), "leaked {f:?} in:\n{text}");
        }
    }
}
