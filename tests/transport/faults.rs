//! Each fault server against each vendor: exit code, outcome, requests seen, time bound.

use crate::providers::battery::{env_for, fixtures, provider_info, Fixture};
use crate::support::faults::{html_500, Fault, FaultServer, Reply};
use crate::support::{self, Env};
use std::time::{Duration, Instant};

/// Generous: a loaded CI machine must not fail these.
const BOUND: Duration = Duration::from_secs(20);

struct Case {
    name: &'static str,
    fault: fn() -> Fault,
    exit: i32,
    outcome: &'static str,
    kind: Option<&'static str>,
    /// Requests the server must have seen (None: the fault does not count them).
    requests: Option<usize>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "refused",
            fault: || Fault::Refuse,
            exit: 5,
            outcome: "not_sent",
            kind: Some("network"),
            requests: Some(0),
        },
        Case {
            name: "accept-close",
            fault: || Fault::AcceptClose,
            exit: 6,
            outcome: "unknown",
            kind: None,
            requests: None,
        },
        Case {
            name: "read-then-close",
            fault: || Fault::ReadThenClose,
            exit: 6,
            outcome: "unknown",
            kind: Some("network"),
            requests: Some(1),
        },
        Case {
            name: "slow reply",
            fault: || Fault::Delay(Duration::from_secs(10), Reply::json(200, "{}")),
            exit: 6,
            outcome: "unknown",
            kind: Some("timeout"),
            requests: Some(1),
        },
        Case {
            name: "trickled body",
            fault: || Fault::Trickle(Duration::from_millis(300)),
            exit: 6,
            outcome: "unknown",
            kind: Some("timeout"),
            requests: Some(1),
        },
        Case {
            name: "endless body",
            fault: || Fault::EndlessChunked,
            exit: 6,
            outcome: "unknown",
            kind: Some("too_large"),
            requests: Some(1),
        },
        Case {
            name: "length lie",
            fault: || Fault::LengthLie {
                claimed: 5000,
                actual: 10,
            },
            exit: 6,
            outcome: "unknown",
            kind: None,
            requests: Some(1),
        },
        Case {
            name: "huge content-length",
            fault: || Fault::LengthLie {
                claimed: 50 * 1024 * 1024,
                actual: 10,
            },
            exit: 6,
            outcome: "unknown",
            kind: Some("too_large"),
            requests: Some(1),
        },
        Case {
            name: "huge body",
            fault: || {
                Fault::Reply(Reply::new(
                    200,
                    "application/json",
                    vec![b' '; 2 * 1024 * 1024],
                ))
            },
            exit: 6,
            outcome: "unknown",
            kind: Some("too_large"),
            requests: Some(1),
        },
        Case {
            name: "html 500",
            fault: || Fault::Reply(html_500()),
            exit: 6,
            outcome: "unknown",
            kind: Some("server"),
            requests: Some(1),
        },
        Case {
            name: "html 200",
            fault: || Fault::Reply(Reply::html(200, "<html>ok</html>")),
            exit: 6,
            outcome: "unknown",
            kind: Some("bad_response"),
            requests: Some(1),
        },
        Case {
            name: "503 empty",
            fault: || Fault::Reply(Reply::new(503, "", Vec::new())),
            exit: 6,
            outcome: "unknown",
            kind: Some("server"),
            requests: Some(1),
        },
    ]
}

fn run_case(f: &Fixture, c: &Case, extra: &[&str]) {
    let server = FaultServer::start((c.fault)());
    let env = env_for(f, &server.url());
    let mut args = vec!["--timeout", "2s", "send", "--to", f.to, "-o", "json"];
    args.extend_from_slice(extra);
    let start = Instant::now();
    let out = env.run(&args);
    let took = start.elapsed();
    let err = support::stderr(&out);
    let what = format!("{} / {}: {err}", f.id, c.name);
    assert_eq!(support::code(&out), c.exit, "{what}");
    assert!(!err.contains("panicked"), "{what}");
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(v["outcome"], c.outcome, "{what}");
    if let Some(k) = c.kind {
        assert_eq!(v["error"]["kind"], k, "{what}");
    }
    if let Some(n) = c.requests {
        assert_eq!(server.requests(), n, "{what}");
    }
    assert!(took < BOUND, "{what}: took {took:?}");
    assert!(err.contains("otp: error:"), "{what}");
    support::assert_no_leak(&out, &[]);
}

#[test]
fn every_fault_against_every_vendor() {
    for f in fixtures() {
        for c in cases() {
            run_case(f, &c, &[]);
        }
    }
}

#[test]
fn retries_never_resend_a_request_that_may_have_arrived() {
    for f in fixtures() {
        for c in cases().into_iter().filter(|c| c.requests == Some(1)) {
            run_case(f, &c, &["--retries", "3"]);
        }
    }
}

#[test]
fn retries_cover_refused_connections() {
    let f = fixtures()[0];
    let server = FaultServer::start(Fault::Refuse);
    let env = env_for(f, &server.url());
    let out = env.run(&["send", "--to", f.to, "--retries", "2"]);
    assert_eq!(support::code(&out), 5);
    let err = support::stderr(&out);
    assert!(err.contains("retrying") && err.contains("(2/2)"), "{err}");
}

#[test]
fn a_redirect_is_not_followed() {
    for f in fixtures() {
        let target = FaultServer::start(Fault::Reply(Reply::json(200, f.success_body)));
        let server =
            FaultServer::start(Fault::Redirect(format!("{}{}", target.url(), f.send_path)));
        let env = env_for(f, &server.url());
        let out = env.run(&["send", "--to", f.to, "-o", "json"]);
        assert_eq!(
            support::code(&out),
            6,
            "{}: {}",
            f.id,
            support::stderr(&out)
        );
        let v = support::json(&out);
        assert_eq!(v["error"]["kind"], "refused_redirect");
        assert_eq!(server.requests(), 1);
        assert_eq!(target.requests(), 0, "{}: redirect followed", f.id);
    }
}

#[test]
fn a_refused_connection_says_nothing_was_sent() {
    let f = fixtures()[0];
    let server = FaultServer::start(Fault::Refuse);
    let env = env_for(f, &server.url());
    let out = env.run(&["send", "--to", f.to]);
    assert_eq!(support::code(&out), 5);
    let err = support::stderr(&out);
    assert!(err.contains("nothing was sent"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn text_mode_unknown_outcome_warns_about_a_second_sms() {
    let f = fixtures()[0];
    let server = FaultServer::start(Fault::ReadThenClose);
    let env = env_for(f, &server.url());
    let out = env.run(&["send", "--to", f.to]);
    assert_eq!(support::code(&out), 6);
    let err = support::stderr(&out);
    assert!(err.contains("may or may not have been sent"), "{err}");
    assert!(err.contains("second SMS"), "{err}");
}

#[test]
fn unreadable_ca_file_is_exit_3_before_any_connection() {
    let f = fixtures()[0];
    let server = FaultServer::start(Fault::Reply(Reply::json(200, f.success_body)));
    let env = Env::new();
    env.config(&format!(
        "[profiles.t]\n{}ca_file = \"/nonexistent/ca.pem\"\n",
        (f.profile)(&server.url())
    ));
    let out = env.run(&["send", "--to", f.to, "-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert_eq!(server.requests(), 0);
}

#[test]
fn vendor_text_reaches_the_user_without_escapes() {
    for f in fixtures() {
        let evil = "{\"message\":\"\\u001b[31mpwned\\u001b]0;title\\u0007\\r\\nforged line\\u0008\",\"error\":{\"message\":\"\\u001b[31mpwned\\u001b]0;title\\u0007\\r\\nforged line\",\"code\":1}}";
        let server = FaultServer::start(Fault::Reply(Reply::json(400, evil)));
        let env = env_for(f, &server.url());
        for fmt in ["text", "json"] {
            let out = env.run(&["-v", "send", "--to", f.to, "-o", fmt]);
            assert_eq!(
                support::code(&out),
                4,
                "{}: {}",
                f.id,
                support::stderr(&out)
            );
            let all = format!("{}{}", support::stdout(&out), support::stderr(&out));
            for bad in ['\u{1b}', '\u{7}', '\r', '\u{8}'] {
                assert!(
                    !all.contains(bad),
                    "{}: {bad:?} reached the terminal: {all:?}",
                    f.id
                );
            }
        }
    }
}

#[test]
fn verify_is_never_retried() {
    for f in fixtures() {
        if provider_info(f.id)["verify_with"] != "provider" {
            continue;
        }
        // A send first, so a local record exists (zender needs one); a PIN the vendor
        // returns in its reply is the code to check.
        let ok = FaultServer::start(Fault::Reply(Reply::json(f.success_status, f.success_body)));
        let success: serde_json::Value = serde_json::from_str(f.success_body).unwrap();
        let code = match &success["data"]["otp"] {
            serde_json::Value::Null => "975310".to_string(),
            v => v.to_string().trim_matches('"').to_string(),
        };
        for fault in [
            Fault::ReadThenClose,
            Fault::Reply(Reply::html(502, "<html>bad gateway</html>")),
        ] {
            let env = env_for(f, &ok.url());
            let sent = env.run(&["send", "--to", f.to, "-q"]);
            assert_eq!(
                support::code(&sent),
                0,
                "{}: {}",
                f.id,
                support::stderr(&sent)
            );
            let id = support::stdout(&sent).trim().to_string();
            let server = FaultServer::start(fault);
            env.config(&format!(
                "default_profile = \"t\"\n[profiles.t]\n{}",
                (f.profile)(&server.url())
            ));
            let out = env.run(&["verify", "--id", &id, "--code", &code, "-o", "json"]);
            assert_eq!(
                support::code(&out),
                6,
                "{}: {}",
                f.id,
                support::stderr(&out)
            );
            assert_eq!(server.requests(), 1, "{}: verify was retried", f.id);
            let v = support::json(&out);
            // a verify's outcome stays not_verified; kind and exit code say why
            assert_eq!(v["outcome"], "not_verified", "{}", f.id);
            assert!(
                matches!(v["error"]["kind"].as_str(), Some("network" | "server")),
                "{v}"
            );
            support::assert_no_leak(&out, &[code.as_str()]);
        }
    }
}

#[test]
fn a_failed_tls_handshake_is_not_sent() {
    for f in fixtures() {
        for fault in [
            Fault::AcceptClose,
            Fault::Reply(Reply::json(200, f.success_body)),
        ] {
            let server = FaultServer::start(fault);
            let url = server
                .url()
                .replace("http://127.0.0.1", "https://localhost");
            let env = env_for(f, &url);
            let out = env.run(&["--timeout", "1s", "send", "--to", f.to, "-o", "json"]);
            assert_eq!(
                support::code(&out),
                5,
                "{}: {}",
                f.id,
                support::stderr(&out)
            );
            let v = support::json(&out);
            assert_eq!(v["outcome"], "not_sent", "{}", f.id);
            assert_eq!(v["error"]["retryable"], true);
        }
    }
}

#[test]
fn proxies_from_the_environment_are_honoured() {
    let f = fixtures()[0];
    let proxy = FaultServer::start(Fault::Reply(Reply::json(f.success_status, f.success_body)));
    // The vendor address itself does not answer: only the proxy can deliver.
    let env = env_for(f, "http://127.0.0.1:9").var("HTTP_PROXY", &proxy.url());
    let out = env.run(&["send", "--to", f.to, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(proxy.requests(), 1);
    let seen = String::from_utf8_lossy(&proxy.received()[0]).into_owned();
    assert!(seen.starts_with("POST http://127.0.0.1:9/"), "{seen}");
    // NO_PROXY sends it direct (and so it fails: nothing listens there)
    let env = env.var("NO_PROXY", "127.0.0.1");
    assert_eq!(support::code(&env.run(&["send", "--to", f.to])), 5);
    assert_eq!(proxy.requests(), 1);
}
