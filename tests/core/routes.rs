//! Routes by destination, what a verify leaves, when to try again, and progress on a
//! terminal: the top-level `routes` table choosing the profile (and chain) by calling
//! code, `attempts_left`/`expires_at` after each verify, `error.retry_after` from a
//! cooldown, a limit and a vendor's `Retry-After`, and the spinner only on a terminal.

use crate::providers::battery::{fixtures, Fixture};
use crate::support::faults::{Fault, FaultServer, Reply};
use crate::support::{self, Env};
use httpmock::prelude::*;
use std::time::Duration;

fn fixture(id: &str) -> &'static Fixture {
    fixtures().into_iter().find(|f| f.id == id).unwrap()
}

/// Four console profiles routed by calling code, with `"*"` for the rest.
const REGIONS: &str = r#"routes = { "1" = "us", "1242" = "bs", "234" = "ng", "*" = "world" }
[profiles.us]
provider = "console"
[profiles.bs]
provider = "console"
[profiles.ng]
provider = "console"
[profiles.world]
provider = "console"
"#;

fn send_json(env: &Env, to: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["send", "--to", to, "-o", "json"];
    args.extend_from_slice(extra);
    let out = env.run(&args);
    let v = support::json(&out);
    support::assert_report_shape(&v);
    (support::code(&out), v)
}

#[test]
fn each_calling_code_takes_its_route_and_the_longest_prefix_wins() {
    let env = Env::new();
    env.config(REGIONS);
    for (to, profile, route) in [
        ("+12425551234", "bs", "1242"),
        ("+12125551234", "us", "1"),
        ("+2347065250817", "ng", "234"),
        ("+447700900123", "world", "*"),
    ] {
        let (code, v) = send_json(&env, to, &[]);
        assert_eq!(code, 0, "{v}");
        assert_eq!(
            (&v["profile"], &v["route"]),
            (&profile.into(), &route.into())
        );
    }
    // The text receipt names the route too.
    let out = env.run(&["send", "--to", "+12425551234"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(support::stdout(&out).contains("route     1242"));
}

#[test]
fn dry_run_says_which_route_matched() {
    let env = Env::new();
    env.config(REGIONS);
    let (code, v) = send_json(&env, "+2347065250817", &["--dry-run"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        (&v["outcome"], &v["route"]),
        (&"dry_run".into(), &"234".into())
    );
    let out = env.run(&["send", "--to", "+12425551234", "--dry-run"]);
    assert!(support::stdout(&out).contains("# route 1242: bs"));
}

#[test]
fn a_number_no_route_matches_is_exit_3_naming_its_calling_code() {
    let env = Env::new();
    env.config(&REGIONS.replace(", \"*\" = \"world\"", ""));
    let (code, v) = send_json(&env, "+447700900123", &[]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["error"]["kind"], "config");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("+44"),
        "{v}"
    );
}

#[test]
fn dash_p_overrides_the_route_and_no_route_means_null() {
    let env = Env::new();
    env.config(REGIONS);
    let (code, v) = send_json(&env, "+2347065250817", &["-p", "world"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["profile"], "world");
    assert_eq!(v["route"], serde_json::Value::Null);
    let env = env.var("OTP_PROFILE", "us");
    let (_, v) = send_json(&env, "+2347065250817", &[]);
    assert_eq!(
        (&v["profile"], &v["route"]),
        (&"us".into(), &serde_json::Value::Null)
    );
    // Without routes the field is there, null.
    let plain = Env::new();
    let (_, v) = send_json(&plain, "+2347065250817", &[]);
    assert_eq!(v["route"], serde_json::Value::Null);
}

#[test]
fn routes_outrank_default_profile_and_read_national_numbers_with_its_country() {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"us\"\n{}",
        REGIONS.replace(
            "[profiles.us]\nprovider = \"console\"\n",
            "[profiles.us]\nprovider = \"console\"\ndefault_country = \"NG\"\n"
        )
    ));
    // National, read as Nigerian by default_profile's country, then routed to ng.
    let (code, v) = send_json(&env, "07065250817", &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        (&v["profile"], &v["to"]),
        (&"ng".into(), &"+2347065250817".into())
    );
    // Without a default country a routed number needs its '+'.
    let env = Env::new();
    env.config(REGIONS);
    let out = env.run(&["send", "--to", "07065250817"]);
    assert_eq!(support::code(&out), 2, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("routes choose the profile"));
}

#[test]
fn routes_from_the_environment() {
    let env = Env::new().var("OTP_ROUTES", r#"{ "44" = "world", "*" = "us" }"#);
    env.config(REGIONS);
    let (_, v) = send_json(&env, "+447700900123", &[]);
    assert_eq!(
        (&v["profile"], &v["route"]),
        (&"world".into(), &"44".into())
    );
    let env = Env::new().var("OTP_ROUTES", "44=world");
    env.config(REGIONS);
    let (code, v) = send_json(&env, "+447700900123", &[]);
    assert_eq!(code, 3, "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("OTP_ROUTES"));
}

#[test]
fn a_routed_chain_falls_back_and_tried_lists_the_first() {
    let (a, b) = (MockServer::start(), MockServer::start());
    let termii = fixture("termii");
    let smscx = fixture("smscx");
    let first = a.mock(|when, then| {
        when.method(POST).path(termii.send_path);
        then.status(401)
            .header("content-type", "application/json")
            .body(termii.auth_body);
    });
    let second = b.mock(|when, then| {
        when.method(POST).path(smscx.send_path);
        then.status(smscx.success_status)
            .header("content-type", "application/json")
            .body(smscx.success_body);
    });
    let env = Env::new();
    env.config(&format!(
        "routes = {{ \"234\" = [\"ng\", \"ng_backup\"], \"*\" = \"dev\" }}\n[profiles.ng]\n{}[profiles.ng_backup]\n{}[profiles.dev]\nprovider = \"console\"\n",
        (termii.profile)(&a.base_url()),
        (smscx.profile)(&b.base_url()),
    ));
    let (code, v) = send_json(&env, "+2347065250817", &[]);
    assert_eq!(code, 0, "{v}");
    first.assert_hits(1);
    second.assert_hits(1);
    assert_eq!(
        (&v["profile"], &v["provider"], &v["route"]),
        (&"ng_backup".into(), &"smscx".into(), &"234".into())
    );
    let tried = v["tried"].as_array().unwrap();
    assert_eq!(tried.len(), 1, "{v}");
    assert_eq!(
        (&tried[0]["profile"], &tried[0]["error"]["kind"]),
        (&"ng".into(), &"auth".into())
    );
}

fn check(env: &Env) -> (i32, String) {
    let out = env.run(&["config", "check"]);
    (support::code(&out), support::stderr(&out))
}

#[test]
fn config_check_catches_each_route_problem_and_show_prints_the_table() {
    let base = "[profiles.ng]\nprovider = \"console\"\nallowed_countries = [\"234\"]\n[profiles.us]\nprovider = \"console\"\n";
    let env = Env::new();
    env.config(&format!(
        "routes = {{ \"234\" = \"ng\", \"1\" = \"us\", \"*\" = \"us\" }}\n{base}"
    ));
    let (code, err) = check(&env);
    assert_eq!(code, 0, "{err}");
    let out = env.run(&["config", "show", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["routes"]["value"]["234"], serde_json::json!(["ng"]));
    assert_eq!(v["routes"]["value"]["*"], serde_json::json!(["us"]));
    let out = env.run(&["config", "show"]);
    let text = support::stdout(&out);
    assert!(
        text.contains("routes (file") && text.contains("234    -> ng"),
        "{text}"
    );

    for (routes, said) in [
        (r#"{ "234" = "nq" }"#, "did you mean \"ng\""),
        (r#"{ "+1" = "us", "1" = "us" }"#, "twice"),
        (r#"{ "2x4" = "ng" }"#, "is not a calling code"),
        (r#"{ "44" = "ng" }"#, "allowed_countries (234)"),
    ] {
        let env = Env::new();
        env.config(&format!("routes = {routes}\n{base}"));
        let (code, err) = check(&env);
        assert_eq!(code, 3, "{routes}: {err}");
        assert!(err.contains(said), "{routes}: {err}");
    }
}

#[test]
fn retry_after_from_a_cooldown_and_a_limit() {
    let env = Env::new();
    env.config("[profiles.d]\nprovider = \"console\"\ncooldown = \"1m\"\n");
    assert_eq!(send_json(&env, "+15551234567", &[]).0, 0);
    let (code, v) = send_json(&env, "+15551234567", &[]);
    assert_eq!(code, 3, "{v}");
    let e = &v["error"];
    assert_eq!(
        (&e["kind"], &e["retryable"]),
        (&"cooldown".into(), &true.into())
    );
    let wait = e["retry_after"].as_u64().expect("retry_after in seconds");
    assert!((55..=60).contains(&wait), "{v}");

    let env = Env::new();
    env.config("[profiles.d]\nprovider = \"console\"\nlimits = { number = \"1/1h\" }\n");
    assert_eq!(send_json(&env, "+15551234567", &[]).0, 0);
    let (code, v) = send_json(&env, "+15551234567", &["--force"]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["error"]["kind"], "cooldown");
    let wait = v["error"]["retry_after"].as_u64().unwrap();
    assert!((3590..=3600).contains(&wait), "{v}");
}

#[test]
fn retry_after_from_a_vendor_429() {
    let termii = fixture("termii");
    for (header, want) in [("120", 120u64), ("Wed, 21 Oct 2015 07:28:00 GMT", 0)] {
        let server = FaultServer::start(Fault::Reply(
            Reply::json(429, r#"{"message":"Too many requests"}"#)
                .with_header("Retry-After", header),
        ));
        let env = Env::new();
        env.config(&format!(
            "[profiles.t]\n{}",
            (termii.profile)(&server.url())
        ));
        let (code, v) = send_json(&env, termii.to, &[]);
        assert_eq!(code, 4, "{v}");
        let e = &v["error"];
        assert_eq!(e["kind"], "rate_limited", "{v}");
        assert_eq!(e["retry_after"].as_u64(), Some(want), "{v}");
    }
    // Without the header: null.
    let server = FaultServer::start(Fault::Reply(Reply::json(
        429,
        r#"{"message":"Too many requests"}"#,
    )));
    let env = Env::new();
    env.config(&format!(
        "[profiles.t]\n{}",
        (termii.profile)(&server.url())
    ));
    let (_, v) = send_json(&env, termii.to, &[]);
    assert_eq!(v["error"]["retry_after"], serde_json::Value::Null, "{v}");
}

fn verify_json(env: &Env, id: &str, code: &str) -> (i32, serde_json::Value) {
    let out = env.run(&["verify", "--id", id, "--code", code, "-o", "json"]);
    let v = support::json(&out);
    support::assert_report_shape(&v);
    (support::code(&out), v)
}

fn seconds_until(rfc3339: &str) -> i64 {
    let at = humantime::parse_rfc3339(rfc3339).unwrap();
    match at.duration_since(std::time::SystemTime::now()) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

#[test]
fn verify_says_attempts_left_and_expiry_after_0_1_and_2_wrong_codes() {
    let env = Env::new();
    env.config("[profiles.d]\nprovider = \"console\"\nttl = \"4m\"\n");
    let send = |to: &str| {
        let (code, v) = send_json(&env, to, &["--pin", "135790"]);
        assert_eq!(code, 0, "{v}");
        v["id"].as_str().unwrap().to_string()
    };
    // No wrong code: verified with every attempt left.
    let id = send("+15551234567");
    let (code, v) = verify_json(&env, &id, "135790");
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["attempts_left"], 3, "{v}");
    let left = seconds_until(v["expires_at"].as_str().unwrap());
    assert!((200..=240).contains(&left), "{v}");

    let id = send("+15557654321");
    for (n, wrong) in ["135791", "135792"].iter().enumerate() {
        let (code, v) = verify_json(&env, &id, wrong);
        assert_eq!(code, 1, "{v}");
        assert_eq!(v["reason"], "wrong_code");
        assert_eq!(v["attempts_left"], 2 - n as u64, "{v}");
        assert!(v["expires_at"].is_string(), "{v}");
    }
    // The text of a wrong code says what is left.
    let out = env.run(&["verify", "--id", &id, "--code", "000000"]);
    assert_eq!(support::code(&out), 1);
    let err = support::stderr(&out);
    assert!(err.contains("no attempts left"), "{err}");
    let id = send("+15550001111");
    let out = env.run(&["verify", "--id", &id, "--code", "000000"]);
    let err = support::stderr(&out);
    assert!(
        err.contains("wrong code, 2 attempts left, expires in 3m")
            || err.contains("expires in 4m0s"),
        "{err}"
    );
    // status shows the same.
    let out = env.run(&["status", "--id", &id, "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(v["attempts_left"], 2, "{v}");
    let out = env.run(&["status", "--id", &id]);
    let text = support::stdout(&out);
    assert!(text.contains("2 left") && text.contains("(in "), "{text}");
    // An id nobody knows: nothing is known.
    let (code, v) = verify_json(&env, "nope-1", "135790");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["attempts_left"], serde_json::Value::Null);
    assert_eq!(v["expires_at"], serde_json::Value::Null);
}

#[test]
fn a_vendor_checked_verify_says_what_its_record_leaves() {
    let termii = fixture("termii");
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path(termii.send_path);
        then.status(200)
            .header("content-type", "application/json")
            .body(termii.success_body);
    });
    let wrong = server.mock(|when, then| {
        when.method(POST).path("/api/sms/otp/verify");
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"pinId":"x","verified":"False","msisdn":"2347065250817"}"#);
    });
    let env = Env::new();
    env.config(&format!(
        "[profiles.t]\n{}",
        (termii.profile)(&server.base_url())
    ));
    let (code, v) = send_json(&env, termii.to, &[]);
    assert_eq!(code, 0, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    for left in [2, 1] {
        let (code, v) = verify_json(&env, &id, "000000");
        assert_eq!(code, 1, "{v}");
        assert_eq!(
            (&v["reason"], &v["attempts_left"]),
            (&"wrong_code".into(), &left.into()),
            "{v}"
        );
        assert!(v["expires_at"].is_string(), "{v}");
    }
    wrong.assert_hits(2);
}

/// Run `otp args...` with stderr on a pseudo-terminal (stdout a pipe): exit code,
/// stdout, and everything the terminal received.
fn run_on_a_terminal(env: &Env, args: &[&str]) -> (i32, String, String) {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: the libc pty calls on a fresh master fd; every fd is owned once.
    let (master, slave) = unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(m >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(m), 0);
        assert_eq!(libc::unlockpt(m), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(m, name.as_mut_ptr(), name.len()), 0);
        let s = libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY);
        assert!(s >= 0, "open the pty's slave");
        (std::fs::File::from_raw_fd(m), OwnedFd::from_raw_fd(s))
    };
    let child = env
        .std_cmd()
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::from(slave))
        .spawn()
        .expect("spawn otp");
    // Read the terminal until the child (the only holder of the slave) is gone.
    let reader = std::thread::spawn(move || {
        let mut master = master;
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match master.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        got
    });
    let out = child.wait_with_output().expect("wait for otp");
    let terminal = reader.join().unwrap();
    (
        support::code(&out),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&terminal).into_owned(),
    )
}

/// A termii profile whose vendor answers after `delay`.
fn slow_termii(delay: Duration) -> (FaultServer, Env) {
    let termii = fixture("termii");
    let server = FaultServer::start(Fault::Delay(delay, Reply::json(200, termii.success_body)));
    let env = Env::new();
    env.config(&format!(
        "[profiles.t]\n{}",
        (termii.profile)(&server.url())
    ));
    (server, env)
}

#[test]
fn a_slow_vendor_shows_a_spinner_on_a_terminal_and_erases_it() {
    let (_server, env) = slow_termii(Duration::from_millis(1800));
    let to = fixture("termii").to;
    let (code, stdout, terminal) = run_on_a_terminal(&env, &["send", "--to", to]);
    assert_eq!(code, 0, "{terminal}");
    assert!(stdout.contains("accepted by termii"), "{stdout}");
    assert!(terminal.contains("waiting for termii"), "{terminal:?}");
    // Erased: the last thing on the terminal is the spinner's line blanked out, the
    // cursor back at its start.
    let blanked = terminal
        .strip_suffix('\r')
        .and_then(|t| t.rsplit('\r').next())
        .unwrap_or_default();
    assert!(
        !blanked.is_empty() && blanked.chars().all(|c| c == ' '),
        "{terminal:?}"
    );
}

#[test]
fn no_spinner_in_json_quiet_or_non_terminal_runs() {
    let (_server, env) = slow_termii(Duration::from_millis(1500));
    let to = fixture("termii").to;
    for args in [
        vec!["send", "--to", to, "-o", "json"],
        vec!["send", "--to", to, "-q"],
    ] {
        let (code, stdout, terminal) = run_on_a_terminal(&env, &args);
        assert_eq!(code, 0, "{args:?}: {terminal}");
        assert!(!stdout.is_empty());
        assert!(!terminal.contains("waiting"), "{args:?}: {terminal:?}");
    }
    let out = env.run(&["send", "--to", to]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(!support::stderr(&out).contains("waiting"));
}

#[test]
fn a_timeout_names_the_limit_and_the_flag() {
    let (_server, env) = slow_termii(Duration::from_secs(5));
    let to = fixture("termii").to;
    let out = env.run(&["send", "--to", to, "--timeout", "1s"]);
    assert_eq!(support::code(&out), 6, "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("no answer in 1s (--timeout)"),
        "{}",
        support::stderr(&out)
    );
    let env = env.var("OTP_TIMEOUT", "1s");
    let out = env.run(&["send", "--to", to]);
    assert!(
        support::stderr(&out).contains("no answer in 1s (OTP_TIMEOUT)"),
        "{}",
        support::stderr(&out)
    );
}

#[test]
fn a_group_readable_config_is_warned_about_once_per_run() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.config(&REGIONS.replace(
        "provider = \"console\"\n[profiles.bs]",
        "provider = \"console\"\nfallback = [\"world\"]\n[profiles.bs]",
    ));
    std::fs::set_permissions(env.config_path(), std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = env.run(&["send", "--to", "+12125551234"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert_eq!(err.matches("readable by group").count(), 1, "{err}");
}
