//! What an attacker's pass broke (issue 15 items 2, 3, 6; issue 14's /dev/full and
//! status points): dot ids, vendor handles with escapes, echoed input, a lost stdout.

use crate::support::{self, Env, CANARY};
use httpmock::prelude::*;

const E: &str = "\u{1b}]0;PWNED\u{7}\u{1b}[31m";

/// No escape, bell or bidi override reached either stream.
fn assert_clean(out: &std::process::Output, what: &str) {
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
            "{what}: raw escape on {name}: {text:?}"
        );
    }
}

fn smscx_env(base: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"fr\"\n[profiles.fr]\nprovider = \"smscx\"\nbase_url = \"{base}\"\napi_key = \"{CANARY}\"\n"
    ));
    env
}

#[test]
fn dot_and_empty_ids_are_refused_before_any_request() {
    let server = MockServer::start();
    let any = server.mock(|_when, then| {
        then.status(200)
            .header("content-type", "application/json")
            .body("{}");
    });
    let env = smscx_env(&format!("{}/v1", server.base_url()));
    for id in [".", "..", "", "a\u{202e}b"] {
        for cmd in [
            vec!["verify", "--id", id, "--code", "123456"],
            vec!["status", "--id", id],
            vec!["cancel", "--id", id],
        ] {
            let out = env.run(&cmd);
            assert_eq!(support::code(&out), 2, "{cmd:?}: {}", support::stderr(&out));
            assert!(support::stderr(&out).contains("is not an id"), "{cmd:?}");
            assert_clean(&out, &format!("{cmd:?}"));
        }
    }
    assert_eq!(any.hits(), 0, "nothing was asked of the vendor");
}

#[test]
fn a_vendor_handle_with_escapes_is_a_bad_reply_not_a_printed_id() {
    for pin_id in [
        format!("pin{E}x"),
        "pin-\u{202e}fdp.exe".to_string(),
        "pin id".to_string(),
    ] {
        let server = MockServer::start();
        let body = serde_json::json!({"pinId": pin_id, "to": "2347065250817", "smsStatus": "Message Sent", "status": "200"});
        server.mock(|when, then| {
            when.method(POST).path("/api/sms/otp/send");
            then.status(200)
                .header("content-type", "application/json")
                .body(body.to_string());
        });
        let env = Env::new();
        env.config(&format!(
            "default_profile = \"ng\"\n[profiles.ng]\nprovider = \"termii\"\nbase_url = \"{}\"\napi_key = \"{CANARY}\"\nsender = \"Acme\"\n",
            server.base_url()
        ));
        for extra in [&["-q"][..], &["-o", "json"][..], &[][..]] {
            let mut args = vec!["send", "--to", "+2347065250817", "--force"];
            args.extend_from_slice(extra);
            let out = env.run(&args);
            assert_eq!(support::code(&out), 6, "{pin_id:?} {extra:?}");
            let err = support::stderr(&out);
            assert!(err.contains("returned an id otp cannot print"), "{err}");
            assert!(err.contains("may or may not have been sent"), "{err}");
            assert_clean(&out, &format!("{pin_id:?}"));
            if extra == ["-o", "json"] {
                let v = support::json(&out);
                assert_eq!(v["outcome"], "unknown");
                assert_eq!(v["error"]["kind"], "bad_response");
                assert!(v["id"].is_null());
            } else {
                assert!(support::stdout(&out).trim().is_empty(), "no id printed");
            }
        }
    }
}

/// Where to run, the arguments, and extra environment variables.
type Case<'a> = (&'a Env, Vec<String>, Vec<(&'a str, &'a str)>);

#[test]
fn echoed_input_never_carries_escapes() {
    let env = Env::new();
    let termii = MockServer::start();
    let any = termii.mock(|_when, then| {
        then.status(500);
    });
    let env_termii = Env::new();
    env_termii.config(&format!(
        "[profiles.ng]\nprovider = \"termii\"\nbase_url = \"{}\"\napi_key = \"{CANARY}\"\nsender = \"Acme\"\n",
        termii.base_url()
    ));
    let to = "+15551234567";
    let p = format!("x{E}");
    let cases: Vec<Case> = vec![
        (
            &env,
            vec!["send", "--to", to, "--param", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["-p", &p, "send", "--to", to]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["send", "--to", to]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![("OTP_PROFILE", p.as_str())],
        ),
        (
            &env,
            vec!["send", "--to", to, "--lang", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["send", "--to", to, "--channel", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["send", "--to", to, "--app-hash", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["send", "--to", to, "--retries", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["--timeout", &p, "send", "--to", to]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["send", "--to", to]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![("OTP_TIMEOUT", p.as_str())],
        ),
        (
            &env,
            vec!["send", "--to", to, "--provider", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["-c", &p, "send", "--to", to]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["send", "--to", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["send", "--to", to, "--webotp-domain", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["send", "--to", to, "--message", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["completions", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["providers", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env,
            vec!["-o", &p, "providers"]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
        (
            &env_termii,
            vec!["-p", "ng", "send", "--to", "+2347065250817", "--sender", &p]
                .into_iter()
                .map(String::from)
                .collect(),
            vec![],
        ),
    ];
    for (env, args, vars) in cases {
        for json in [false, true] {
            let mut c = env.cmd();
            c.args(&args);
            if json {
                c.arg("--json");
            }
            for (k, v) in &vars {
                c.env(k, v);
            }
            let out = c.output().unwrap();
            assert_ne!(support::code(&out), 0, "{args:?} {vars:?} was accepted");
            assert!(
                support::stderr(&out).contains("error"),
                "{args:?}: {}",
                support::stderr(&out)
            );
            assert_clean(&out, &format!("{args:?} {vars:?} json={json}"));
        }
    }
    assert_eq!(any.hits(), 0);
}

#[test]
fn webotp_domain_must_be_a_host_name() {
    let env = Env::new();
    for bad in [
        "x y",
        "exa_mple.com",
        "-a.com",
        "a..com",
        "a.com/x",
        "@a.com",
        "é.com",
    ] {
        let out = env.run(&["send", "--to", "+15551234567", "--webotp-domain", bad]);
        assert_eq!(support::code(&out), 2, "{bad}");
    }
    let out = env.run(&[
        "send",
        "--to",
        "+15551234567",
        "--webotp-domain",
        "login.example-1.com",
        "--dry-run",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(support::stdout(&out).contains("@login.example-1.com #"));
}

/// `cmd > /dev/full`.
fn to_dev_full(env: &Env, args: &[&str]) -> std::process::Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    env.std_cmd()
        .args(args)
        .stdout(full)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_lost_stdout_is_an_error() {
    let env = Env::new();
    let out = to_dev_full(&env, &["send", "--to", "+15551234567", "-q"]);
    assert_eq!(support::code(&out), 6, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(err.contains("could not write to stdout"), "{err}");
    assert!(err.contains("may have gone out"), "{err}");
    let out = to_dev_full(
        &env,
        &["send", "--to", "+15551234567", "--force", "-o", "json"],
    );
    assert_eq!(support::code(&out), 6, "{}", support::stderr(&out));
    for args in [
        &["providers"][..],
        &["providers", "-o", "json"],
        &["--version"],
        &["--help"],
        &["completions", "bash"],
        &["man"],
        &["config", "path"],
    ] {
        let out = to_dev_full(&env, args);
        assert_ne!(support::code(&out), 0, "{args:?}");
        assert!(
            support::stderr(&out).contains("write"),
            "{args:?}: {}",
            support::stderr(&out)
        );
    }
}

#[test]
fn status_json_says_ok_and_text_reads_as_lines() {
    let env = Env::new();
    let out = env.run(&["send", "--to", "+15551234567", "-q"]);
    let id = support::stdout(&out).trim().to_string();
    let out = env.run(&["status", "--id", &id, "-o", "json"]);
    assert_eq!(support::code(&out), 0);
    assert_eq!(support::json(&out)["ok"], true);

    // SMS.cx's own status, read as key: value lines.
    let server = MockServer::start();
    let env = smscx_env(&server.base_url());
    let body = r#"{"otpId":"a17f-1","phoneNumber":"+33612345678","status":"PENDING","attempts":1,"meta":{"route":"x"}}"#;
    let send = server.mock(|when, then| {
        when.method(POST).path("/otp");
        then.status(201)
            .header("content-type", "application/json")
            .body(body);
    });
    let out = env.run(&["send", "--to", "+33612345678", "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    send.assert();
    server.mock(|when, then| {
        when.method(GET).path("/otp/a17f-1");
        then.status(200)
            .header("content-type", "application/json")
            .body(body);
    });
    let out = env.run(&["status", "--id", "a17f-1"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("provider status:\n"), "{text}");
    assert!(text.contains("  status: PENDING\n"), "{text}");
    assert!(text.contains("  attempts: 1\n"), "{text}");
    assert!(text.contains("  meta.route: x"), "{text}");
    assert!(!text.contains('{'), "no JSON blob: {text}");
    let out = env.run(&["status", "--id", "a17f-1", "-o", "json"]);
    assert_eq!(support::json(&out)["ok"], true);
}
