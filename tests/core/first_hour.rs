//! A new user's first hour (issue 24): JSON that agrees with itself, test numbers that
//! are not secrets, warnings for unknown OTP_* variables, exact words, docs that match,
//! the guided `config init` and completions that know the file.

use crate::providers::battery::mock;
use crate::providers::smscx::FIXTURE as SMSCX;
use crate::support::{self, Env};
use httpmock::prelude::*;
use serde_json::Value;

fn smscx_env(base: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"fr\"\n[profiles.fr]\n{}",
        (SMSCX.profile)(base)
    ));
    env
}

// ---- item 5: JSON that agrees with itself ----

#[test]
fn an_unknown_id_is_not_found_in_verify_status_and_cancel() {
    let env = Env::new();
    env.config("[profiles.dev]\nprovider = \"console\"\n");
    let out = env.run(&["verify", "--id", "nope", "--code", "123456", "-o", "json"]);
    assert_eq!(support::code(&out), 1, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["error"]["kind"], "not_found", "{v}");
    assert_eq!(v["reason"], "unknown_id", "{v}");
    for cmd in ["status", "cancel"] {
        let out = env.run(&[cmd, "--id", "nope", "-o", "json"]);
        assert_eq!(support::code(&out), 2, "{cmd}: {}", support::stderr(&out));
        let v = support::json(&out);
        assert_eq!(v["error"]["kind"], "not_found", "{cmd}: {v}");
        assert_eq!(v["error"]["retryable"], false, "{cmd}: {v}");
    }
}

#[test]
fn status_json_carries_the_vendor_status_error() {
    let server = MockServer::start();
    let env = smscx_env(&server.base_url());
    let sent = mock(&server, POST, "/otp", 201, SMSCX.success_body);
    let out = env.run(&["send", "--to", SMSCX.to, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    sent.assert();
    let path = format!("/otp/{}", SMSCX.success_id);
    mock(&server, GET, &path, 401, SMSCX.auth_body);
    let out = env.run(&["status", "--id", SMSCX.success_id, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["provider_status"], Value::Null, "{v}");
    assert_eq!(v["provider_error"]["kind"], "auth", "{v}");
    assert_eq!(v["provider_error"]["http_status"], 401, "{v}");
    // A status the vendor answered has no error.
    let env = Env::new();
    env.config("[profiles.dev]\nprovider = \"console\"\n");
    let out = env.run(&["send", "--to", "+15551234567", "-q"]);
    let id = support::stdout(&out).trim().to_string();
    let v = support::json(&env.run(&["status", "--id", &id, "-o", "json"]));
    assert!(v.get("provider_error").is_some_and(Value::is_null), "{v}");
}

#[test]
fn a_failing_offline_check_still_lists_profiles_and_store_with_problem_objects() {
    let env = Env::new();
    env.config(
        "[profiles.a]\nprovider = \"console\"\nlenght = 6\n\
         [profiles.t]\nprovider = \"termii\"\nsender = \"Acme\"\n",
    );
    let out = env.run(&["config", "check", "-o", "json"]);
    assert_eq!(support::code(&out), 3);
    let v = support::json(&out);
    assert_eq!(v["ok"], false);
    let profiles = v["profiles"].as_array().expect("profiles");
    assert_eq!(profiles.len(), 2, "{v}");
    for p in profiles {
        for f in ["online", "balance", "currency", "error"] {
            assert!(p.get(f).is_some_and(Value::is_null), "{f}: {v}");
        }
        assert_eq!(p["ok"], false, "{v}");
    }
    assert_eq!(profiles[1]["provider"], "termii");
    assert_eq!(v["store"]["kind"], "embedded", "{v}");
    assert!(
        v["store"]["ok"].is_null() && v["store"]["error"].is_null(),
        "{v}"
    );
    let problems = v["problems"].as_array().unwrap();
    let unknown = problems
        .iter()
        .find(|p| p["key"] == "lenght")
        .expect("the unknown key as an object");
    assert_eq!(unknown["profile"], "a");
    let missing = problems
        .iter()
        .find(|p| p["key"] == "api_key")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(missing["profile"], "t");
    assert!(
        missing["hint"].as_str().is_some_and(|h| !h.is_empty()),
        "{v}"
    );
    for p in problems {
        assert!(!p["message"].as_str().unwrap().contains("hint:"), "{p}");
    }
    // A clean file has the same shape.
    env.config("[profiles.a]\nprovider = \"console\"\n");
    let out = env.run(&["config", "check", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["profiles"][0]["profile"], "a");
    assert_eq!(v["profiles"][0]["ok"], true);
    assert_eq!(v["problems"], serde_json::json!([]));
}

// ---- item 3: test numbers are not secrets ----

#[test]
fn a_test_number_s_code_is_not_a_secret_and_its_dry_run_makes_no_request() {
    let env = Env::new();
    env.config(
        "[profiles.dev]\nprovider = \"termii\"\napi_key = \"termii-key-0123456789\"\nsender = \"Acme\"\n\
         test_numbers = { \"+15551234567\" = \"123456\" }\n",
    );
    let out = env.run(&["send", "--to", "+15551234567", "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("no request would be made"), "{text}");
    assert!(text.contains("+15551234567"), "not masked by value: {text}");
    assert!(!text.contains("POST"), "no vendor request is shown: {text}");
    let err = support::stderr(&out);
    assert!(!err.contains("shorter than 6"), "{err}");
    let out = env.run(&["send", "--to", "+15551234567", "--dry-run", "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(v["test"], true, "{v}");
    assert!(v.get("request").is_some_and(Value::is_null), "{v}");
    assert_eq!(v["to"], "+15551234567", "{v}");
    assert_eq!(v["outcome"], "dry_run", "{v}");
}

#[test]
fn the_weak_secret_warning_names_the_profile_and_key() {
    let env = Env::new();
    env.config("[profiles.dev]\nprovider = \"termii\"\napi_key = \"abc\"\nsender = \"Acme\"\n");
    let out = env.run(&["send", "--to", "+2347065250817", "--dry-run"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(
        err.contains("api_key in profile \"dev\" is shorter than 6"),
        "{err}"
    );
}

// ---- item 4: unknown OTP_* variables ----

#[test]
fn an_unknown_otp_variable_is_warned_about_with_the_nearest_key() {
    let env = Env::new()
        .var("OTP_LENTH", "8")
        .var("OTP_MY_TERMII_KEY", "termii-key-0123456789");
    env.config(
        "[profiles.t]\nprovider = \"termii\"\napi_key = { env = \"OTP_MY_TERMII_KEY\" }\nsender = \"Acme\"\n",
    );
    for args in [
        &["send", "--to", "+2347065250817", "--dry-run"][..],
        &["config", "check"][..],
    ] {
        let out = env.run(args);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        let err = support::stderr(&out);
        assert!(err.contains("OTP_LENTH"), "{args:?}: {err}");
        assert!(err.contains("did you mean OTP_LENGTH?"), "{args:?}: {err}");
        assert_eq!(err.matches("OTP_LENTH").count(), 1, "once: {err}");
        // A variable the file reads a secret from is known.
        assert!(!err.contains("OTP_MY_TERMII_KEY"), "{args:?}: {err}");
    }
    // Known variables pass in silence.
    let env = Env::new().var("OTP_LENGTH", "8").var("OTP_TIMEOUT", "20s");
    env.config("[profiles.dev]\nprovider = \"console\"\n");
    let out = env.run(&["send", "--to", "+15551234567", "--dry-run"]);
    assert!(
        !support::stderr(&out).contains("not a variable"),
        "{}",
        support::stderr(&out)
    );
}

// ---- item 6: exact words ----

/// stderr of `otp args` with `config` as the file, and the exit code.
fn said(config: &str, args: &[&str]) -> (i32, String) {
    let env = Env::new();
    env.config(config);
    let out = env.run(args);
    (support::code(&out), support::stderr(&out))
}

const CONSOLE: &str = "[profiles.a]\nprovider = \"console\"\n";

#[test]
fn a_fallback_that_is_not_a_list_gets_a_fallback_example() {
    let (code, err) = said(
        "[profiles.b]\nprovider = \"console\"\n[profiles.a]\nprovider = \"console\"\nfallback = \"b\"\n",
        &["config", "check"],
    );
    assert_eq!(code, 3);
    assert!(err.contains("fallback = [\"b\"]"), "{err}");
    assert!(!err.contains("\"234\""), "{err}");
}

#[test]
fn an_unknown_fallback_profile_suggests_only_close_names() {
    let file = "[profiles.alpha]\nprovider = \"console\"\n[profiles.zzz]\nprovider = \"console\"\n";
    let send = ["send", "--to", "+15551234567", "-p", "zzz", "--dry-run"];
    let (code, err) = said(file, &[&send[..], &["--fallback", "xyzzy"]].concat());
    assert_eq!(code, 3);
    assert!(!err.contains("did you mean"), "{err}");
    assert!(err.contains("profiles: alpha, zzz"), "{err}");
}

#[test]
fn a_limit_window_past_the_store_s_memory_says_31_days() {
    let (code, err) = said(
        "[profiles.a]\nprovider = \"console\"\nlimits = { number = \"5/40d\" }\n",
        &["config", "check"],
    );
    assert_eq!(code, 3);
    assert!(err.contains("at most 31 days"), "{err}");
}

#[test]
fn durations_say_what_they_look_like_and_which_units_count() {
    let send = ["send", "--to", "+15551234567", "--dry-run"];
    let (code, err) = said(CONSOLE, &[&send[..], &["--ttl", "5x"]].concat());
    assert_eq!(code, 2);
    assert!(err.contains("--ttl"), "{err}");
    assert!(err.contains("use s, m, h or d"), "{err}");
    assert!(!err.contains("months") && !err.contains("ns,"), "{err}");
    let (code, err) = said(CONSOLE, &[&send[..], &["--timeout", "abc"]].concat());
    assert_eq!(code, 2);
    assert!(
        err.contains("a whole number and a unit") && err.contains("90s, 5m"),
        "{err}"
    );
    assert!(!err.contains("expected number"), "{err}");
    let (code, err) = said(
        "[profiles.a]\nprovider = \"console\"\nmax_ttl = \"200years\"\n",
        &["config", "check"],
    );
    assert_eq!(code, 3);
    assert!(err.contains("100 years"), "{err}");
}

#[test]
fn verify_words_a_long_code_and_an_id_with_spaces() {
    let code33 = "1".repeat(33);
    let (code, err) = said(CONSOLE, &["verify", "--id", "abc", "--code", &code33]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("too long"), "{err}");
    assert!(!err.contains(&code33), "{err}");
    let id = " 5b8e6f2a-1111-2222-3333-444455556666";
    let (code, err) = said(CONSOLE, &["verify", "--id", id, "--code", "123456"]);
    assert_eq!(code, 2);
    assert!(err.contains(&format!("--id \"{id}\"")), "{err}");
    assert!(err.contains("spaces"), "{err}");
}

#[test]
fn a_value_that_is_wrong_is_named_as_wrong_not_unset() {
    let termii = "[profiles.a]\nprovider = \"termii\"\napi_key = \"termii-key-0123456789\"\n";
    let (code, err) = said(
        termii,
        &[
            "send",
            "--to",
            "+2347065250817",
            "--sender",
            "",
            "--dry-run",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--sender is empty"), "{err}");
    assert!(!err.contains("does not set it"), "{err}");
    let (code, err) = said(
        "[profiles.a]\nprovider = \"termii\"\napi_key = 12345678\nsender = \"Acme\"\n",
        &["config", "check"],
    );
    assert_eq!(code, 3);
    assert!(err.contains("is a number"), "{err}");
    assert!(!err.contains("does not set it"), "{err}");
    assert!(!err.contains("12345678"), "the secret is not echoed: {err}");
    let (code, err) = said(
        "[profiles.a]\nprovider = \"termii\"\napi_key = { envv = \"K\" }\nsender = \"Acme\"\n",
        &["config", "check"],
    );
    assert_eq!(code, 3);
    assert!(err.contains("did you mean `env`?"), "{err}");
}

#[test]
fn default_profile_under_a_table_is_a_top_level_key() {
    let file = "[profiles.a]\nprovider = \"console\"\ndefault_profile = \"a\"\n";
    for args in [
        &["config", "check"][..],
        &["send", "--to", "+15551234567", "--dry-run"][..],
    ] {
        let (code, err) = said(file, args);
        assert_eq!(code, 3);
        assert!(err.contains("top-level key"), "{args:?}: {err}");
        assert!(!err.contains("default_country"), "{args:?}: {err}");
    }
}

// ---- item 7: docs that match ----

/// The first ```json block after `heading` in the README.
fn readme_json(heading: &str) -> Value {
    let readme = include_str!("../../README.md");
    let at = readme.find(heading).expect("heading");
    let rest = &readme[at..];
    let start = rest.find("```json\n").expect("a json block") + 8;
    let end = rest[start..].find("```").unwrap() + start;
    serde_json::from_str(&rest[start..end]).expect("the README's JSON parses")
}

#[test]
fn the_readme_send_document_has_every_field_send_prints() {
    let example = readme_json("## JSON output");
    for f in ["test", "route"] {
        assert!(example.get(f).is_some_and(|v| !v.is_object()), "{f}");
    }
    let env = Env::new();
    env.config(CONSOLE);
    let out = env.run(&["send", "--to", "+15551234567", "-o", "json"]);
    let real = support::json(&out);
    for key in real.as_object().unwrap().keys() {
        assert!(example.get(key).is_some(), "README's example lacks {key}");
    }
    let readme = include_str!("../../README.md");
    assert!(readme.contains("retryable, retry_after}"), "error fields");
}

#[test]
fn help_says_what_config_check_exits_and_when_no_color_counts() {
    let env = Env::new();
    let help = support::stdout(&env.run(&["config", "check", "--help"]));
    for line in [
        "4  a vendor refused",
        "5  a request never left",
        "6  a vendor's answer",
    ] {
        assert!(help.contains(line), "{line}: {help}");
    }
    let help = support::stdout(&env.run(&["--help"]));
    assert!(help.contains("NO_COLOR is set and not empty"), "{help}");
}

// ---- item 1: guided setup ----

#[test]
fn init_with_profile_adds_to_an_existing_file_keeping_its_text() {
    let env = Env::new();
    let before = "# mine\ndefault_profile = \"dev\"   # keep\n\n[profiles.dev]\nprovider = \"console\"  # phone\n";
    env.config(before);
    let out = env.run(&["config", "init", "--profile", "ng", "--provider", "termii"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let after = std::fs::read_to_string(env.config_path()).unwrap();
    assert!(after.starts_with(before), "{after}");
    assert!(after[before.len()..].contains("[profiles.ng]"), "{after}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.config_path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let out = env.run(&["config", "show", "-p", "ng", "-o", "json"]);
    assert_eq!(support::json(&out)["provider"], "termii");
    // A name that exists is refused, the file untouched.
    let out = env.run(&["config", "init", "--profile", "dev", "--provider", "termii"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("already exists"));
    assert_eq!(std::fs::read_to_string(env.config_path()).unwrap(), after);
    // Without --profile an existing file is never touched, and the hint says how to add.
    let out = env.run(&["config", "init", "--provider", "termii"]);
    assert_eq!(support::code(&out), 3);
    assert!(
        support::stderr(&out).contains("--profile NAME"),
        "{}",
        support::stderr(&out)
    );
}

/// A pseudo-terminal pair: the master, and the slave for the child's stdin and stderr.
fn pty() -> (std::fs::File, std::os::fd::OwnedFd) {
    use std::os::fd::FromRawFd;
    let (mut m, mut s) = (0, 0);
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
    // Not inherited by the other tests' children, which run at the same time: a stray
    // copy of the slave would keep the terminal open after this child exits.
    // SAFETY: fcntl on the fds openpty just returned.
    unsafe {
        libc::fcntl(m, libc::F_SETFD, libc::FD_CLOEXEC);
        libc::fcntl(s, libc::F_SETFD, libc::FD_CLOEXEC);
    }
    // SAFETY: both fds were just opened by openpty and are owned by nobody else.
    unsafe {
        (
            std::fs::File::from_raw_fd(m),
            std::os::fd::OwnedFd::from_raw_fd(s),
        )
    }
}

/// Read the terminal until `what` shows (everything read is kept in `seen`); a prompt
/// that does not come within 20 s fails the test rather than hanging it.
fn until(master: &mut std::fs::File, seen: &mut Vec<u8>, what: &str) {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    let start = seen.len();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen[start..]).contains(what) {
        let mut pfd = libc::pollfd {
            fd: master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd we own, for the length given.
        let ready = unsafe { libc::poll(&mut pfd, 1, 20_000) };
        assert!(
            ready > 0,
            "no {what:?} within 20s in {:?}",
            String::from_utf8_lossy(seen)
        );
        let n = master.read(&mut buf).unwrap_or(0);
        assert!(n > 0, "no {what:?} in {:?}", String::from_utf8_lossy(seen));
        seen.extend_from_slice(&buf[..n]);
    }
}

/// Run `otp config init` on a terminal, answering each prompt in turn; the exit code,
/// stdout, and everything the terminal showed.
fn guided(env: &Env, answers: &[(&str, &str)]) -> (i32, String, String) {
    use std::io::{Read, Write};
    let (mut master, slave) = pty();
    let err = slave.try_clone().unwrap();
    let mut child = env
        .std_cmd()
        .args(["config", "init"])
        .stdin(std::process::Stdio::from(slave))
        .stderr(std::process::Stdio::from(err))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    for (prompt, answer) in answers {
        until(&mut master, &mut seen, prompt);
        master.write_all(format!("{answer}\n").as_bytes()).unwrap();
    }
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let status = child.wait().unwrap();
    // What is left on the terminal, without blocking once the child is gone.
    use std::os::fd::AsRawFd;
    // SAFETY: fcntl on an fd we own.
    unsafe {
        let fl = libc::fcntl(master.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(master.as_raw_fd(), libc::F_SETFL, fl | libc::O_NONBLOCK);
    }
    let mut rest = Vec::new();
    let _ = master.read_to_end(&mut rest);
    seen.extend(rest);
    (
        status.code().unwrap_or(-1),
        stdout,
        String::from_utf8_lossy(&seen).into_owned(),
    )
}

#[test]
fn init_on_a_terminal_asks_for_provider_and_required_keys() {
    const KEY: &str = "CANARY-guided-4b7e19d2";
    let env = Env::new();
    let (code, stdout, screen) = guided(
        &env,
        &[
            ("Provider [console]: ", "termi"),
            ("Provider [console]: ", "termii"),
            ("[env/file] (env): ", "file"),
            ("(not shown): ", KEY),
            ("11 characters): ", "Acme"),
            ("[y/N]: ", "n"),
        ],
    );
    assert_eq!(code, 0, "{screen}");
    // The list came from the registry, aliases shown as such; the typo got a suggestion.
    assert!(
        screen.contains("zender") && screen.contains("(also androidapi)"),
        "{screen}"
    );
    assert!(screen.contains("did you mean \"termii\""), "{screen}");
    // The key was not echoed, nor printed.
    assert!(!screen.contains(KEY), "{screen}");
    assert!(!stdout.contains(KEY), "{stdout}");
    assert!(stdout.contains("mode 0600"), "{stdout}");
    let path = env.config_path();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&format!("api_key = \"{KEY}\"")), "{text}");
    assert!(text.contains("sender = \"Acme\""), "{text}");
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
}

#[test]
fn init_on_a_terminal_can_store_an_env_reference_instead() {
    let env = Env::new();
    let (code, _, screen) = guided(
        &env,
        &[
            ("Provider [console]: ", "smscx"),
            ("[env/file] (env): ", ""),
            ("variable [SMSCX_API_KEY]: ", "MY_SMSCX_KEY"),
            ("[y/N]: ", ""),
        ],
    );
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("MY_SMSCX_KEY, which is not set"),
        "{screen}"
    );
    let text = std::fs::read_to_string(env.config_path()).unwrap();
    assert!(
        text.contains("api_key = { env = \"MY_SMSCX_KEY\" }"),
        "{text}"
    );
}

// ---- item 2: completions that know the file ----

/// What bash completes for the words of `line` (the last one being completed), with the
/// script `otp completions bash` prints, in a sealed HOME.
fn bash_completes(env: &Env, words: &[&str]) -> Vec<String> {
    let bin = assert_cmd::cargo::cargo_bin("otp");
    let dir = bin.parent().unwrap().display().to_string();
    let script = support::stdout(&env.run(&["completions", "bash"]));
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
        .collect();
    let cword = words.len() - 1;
    let prev = if cword > 0 { words[cword - 1] } else { "" };
    let program = format!(
        "{script}\nCOMP_WORDS=({})\nCOMP_CWORD={cword}\nCOMP_LINE=\"${{COMP_WORDS[*]}}\"\nCOMP_POINT=${{#COMP_LINE}}\n_otp otp '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        quoted.join(" "),
        words[cword],
        prev
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .env_clear()
        .env("HOME", env.home())
        .env("XDG_CONFIG_HOME", env.dir.path().join("config"))
        .env("XDG_STATE_HOME", env.dir.path().join("state"))
        .env("PATH", format!("{dir}:/usr/bin:/bin"))
        .current_dir(env.dir.path())
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    names.sort();
    names
}

#[test]
fn bash_completes_profile_names_of_the_config_in_use() {
    let env = Env::new();
    env.config(
        "[profiles.alpha]\nprovider = \"console\"\n[profiles.beta-2]\nprovider = \"console\"\n[profiles.gamma]\nprovider = \"console\"\n",
    );
    assert_eq!(
        bash_completes(&env, &["otp", "send", "-p", ""]),
        ["alpha", "beta-2", "gamma"]
    );
    assert_eq!(
        bash_completes(&env, &["otp", "send", "--profile", "b"]),
        ["beta-2"]
    );
    assert_eq!(
        bash_completes(
            &env,
            &["otp", "send", "--to", "+15551234567", "--fallback", "g"]
        ),
        ["gamma"]
    );
    // Another file named on the line is the one read.
    let other = env.dir.path().join("other.toml");
    support::write_private(&other, "[profiles.ci]\nprovider = \"console\"\n");
    let other = other.display().to_string();
    assert_eq!(
        bash_completes(&env, &["otp", "-c", &other, "status", "-p", ""]),
        ["ci"]
    );
    // The hidden subcommand prints the names, and nothing (exit 0) without a file.
    let out = env.run(&["__complete-profiles"]);
    assert_eq!(support::stdout(&out), "alpha\nbeta-2\ngamma\n");
    let out = Env::new().run(&["__complete-profiles"]);
    assert_eq!(
        (support::code(&out), support::stdout(&out)),
        (0, String::new())
    );
    // It is not offered to people.
    let help = support::stdout(&env.run(&["--help"]));
    assert!(!help.contains("__complete"), "{help}");
}

#[test]
fn providers_shows_an_alias_as_an_alias_of_its_vendor() {
    let text = support::stdout(&Env::new().run(&["providers"]));
    assert!(
        text.lines()
            .any(|l| l.starts_with("androidapi") && l.contains("alias of zender")),
        "{text}"
    );
}

#[test]
fn the_readme_shows_the_per_user_completion_install() {
    let readme = include_str!("../../README.md");
    for path in [
        "~/.local/share/bash-completion/completions/otp",
        "~/.zfunc/_otp",
        "fpath=(~/.zfunc $fpath)",
        "~/.config/fish/completions/otp.fish",
    ] {
        assert!(readme.contains(path), "{path}");
    }
}

#[test]
fn a_config_check_of_a_file_that_does_not_parse_is_still_one_document() {
    let env = Env::new();
    env.config("[profiles.a\n");
    let out = env.run(&["config", "check", "-o", "json"]);
    assert_eq!(support::code(&out), 3);
    let v = support::json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["profiles"], serde_json::json!([]));
    assert!(v["store"].is_object(), "{v}");
    let p = &v["problems"][0];
    assert!(
        p["message"].as_str().unwrap().contains("not valid TOML"),
        "{v}"
    );
    assert!(p["key"].is_null() && p["profile"].is_null(), "{v}");
}
