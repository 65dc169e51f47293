//! The leak sweep: canary secrets in every provider's profile and a known PIN, through
//! success, rejection (a vendor that echoes the key and PIN back), 5xx, timeout,
//! malformed replies, `-v`, `-o json` and `--dry-run`. Neither canary nor PIN, nor their
//! URL-encoded or base64 forms, nor a Basic-auth `base64(user:secret)`, may appear in
//! stdout, stderr, or any file but the config.

use crate::providers::battery::{env_for, fixtures, provider_info, Fixture};
use crate::support::faults::{Fault, FaultServer, Reply};
use crate::support::{self, CANARY, CANARY2};
use std::time::Duration;

const PIN: &str = "739146";

fn echo_body() -> String {
    format!(
        "{{\"message\":\"bad key {CANARY} / {CANARY2} for pin {PIN}\",\"error\":{{\"message\":\"key {CANARY} pin {PIN}\",\"code\":401}},\"api_key\":\"{CANARY}\",\"secret\":\"{CANARY2}\",\"pin\":\"{PIN}\"}}"
    )
}

fn faults(success: &str) -> Vec<(&'static str, Fault)> {
    vec![
        (
            "success",
            Fault::Reply(Reply::json(200, success).with_header("X-Echo", CANARY)),
        ),
        ("success 201", Fault::Reply(Reply::json(201, success))),
        ("echoing 401", Fault::Reply(Reply::json(401, &echo_body()))),
        ("echoing 400", Fault::Reply(Reply::json(400, &echo_body()))),
        ("echoing 200", Fault::Reply(Reply::json(200, &echo_body()))),
        ("echoing 500", Fault::Reply(Reply::json(500, &echo_body()))),
        (
            "echoing html",
            Fault::Reply(Reply::html(502, &format!("<p>{CANARY} {PIN}</p>"))),
        ),
        (
            "timeout",
            Fault::Delay(Duration::from_secs(5), Reply::json(200, success)),
        ),
        (
            "malformed",
            Fault::Reply(Reply::json(200, &format!("{{\"pinId\": \"{CANARY}"))),
        ),
        ("reset", Fault::ReadThenClose),
    ]
}

/// The credential a Basic-auth vendor's request carries, `base64(user:secret)`, read off
/// the wire: it shares no text with base64 of the secret alone, so it is swept for by
/// itself. None for vendors that do not send Basic auth (their dry run says which).
fn basic_credential(f: &Fixture) -> Option<String> {
    let server = FaultServer::start(Fault::Reply(Reply::json(200, f.success_body)));
    let env = env_for(f, &server.url());
    let dry = support::json(&env.run(&["send", "--to", f.to, "--dry-run", "-o", "json"]));
    let basic = dry["request"]["headers"]["Authorization"]
        .as_str()
        .is_some_and(|h| h.starts_with("Basic "));
    env.run(&["send", "--to", f.to, "-q"]);
    let sent = server.received();
    let found = sent.first().and_then(|req| {
        String::from_utf8_lossy(req).lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case("authorization").then(|| {
                v.trim()
                    .strip_prefix("Basic ")
                    .map(|b| b.trim().to_string())
            })?
        })
    });
    assert_eq!(found.is_some(), basic, "{}: Basic auth on the wire", f.id);
    found
}

#[test]
fn no_secret_or_pin_reaches_any_output_or_file() {
    for f in fixtures() {
        // otp knows a PIN only where it makes it (--pin) or is given it (verify --code):
        // a PIN the vendor made and echoes in a send reply is vendor text like any other.
        let tool_pin = provider_info(f.id)["pin_by"] == "otp";
        // Only the canaries this vendor's profile holds are secrets otp knows of.
        let profile = (f.profile)("http://127.0.0.1:1");
        let secrets: Vec<&str> = [CANARY, CANARY2]
            .into_iter()
            .filter(|c| profile.contains(c))
            .collect();
        let basic = basic_credential(f);
        let mut all_faults = faults(f.success_body);
        if let Some(b) = &basic {
            all_faults.push((
                "echoing basic auth",
                Fault::Reply(Reply::json(
                    401,
                    &format!("{{\"message\":\"bad credentials Basic {b}\",\"error\":\"{b}\"}}"),
                )),
            ));
        }
        let sweep = |text: &str, extra: &[&str]| {
            support::assert_none_of(text, &secrets, extra);
            if let Some(b) = &basic {
                assert!(
                    !text.contains(b.as_str()),
                    "{}: leaked Basic credential in:\n{text}",
                    f.id
                );
            }
        };
        for (name, fault) in all_faults {
            let server = FaultServer::start(fault);
            let env = env_for(f, &server.url());
            for extra in [
                &["-o", "json"][..],
                &["-v"][..],
                &["-v", "-o", "json"][..],
                &["--dry-run"][..],
                &["--dry-run", "-o", "json"][..],
                &["-q"][..],
            ] {
                let mut args = vec!["--timeout", "1s", "send", "--to", f.to];
                if tool_pin {
                    args.extend_from_slice(&["--pin", PIN]);
                }
                args.extend_from_slice(extra);
                let out = env.run(&args);
                let all = format!("{}\n{}", support::stdout(&out), support::stderr(&out));
                assert!(
                    !all.contains("panicked"),
                    "{} / {name} / {extra:?}: {all}",
                    f.id
                );
                sweep(&all, if tool_pin { &[PIN] } else { &[] });
            }
            // verify paths too (provider verify, or local)
            for extra in [&["-o", "json"][..], &["-v"][..]] {
                let mut args = vec![
                    "--timeout",
                    "1s",
                    "-p",
                    "t",
                    "verify",
                    "--id",
                    "abc",
                    "--code",
                    PIN,
                ];
                args.extend_from_slice(extra);
                let out = env.run(&args);
                let all = format!("{}\n{}", support::stdout(&out), support::stderr(&out));
                sweep(&all, &[PIN]);
            }
            for (_, bytes) in env.written_files() {
                let text = String::from_utf8_lossy(&bytes);
                let extra: &[&str] = if tool_pin { &[PIN] } else { &[] };
                sweep(&text, extra);
            }
        }
    }
}

#[test]
fn a_pin_otp_makes_is_never_printed() {
    // Vendors where otp makes the PIN take --pin; it must not show anywhere but in
    // the request itself.
    let list = support::json(&crate::support::Env::new().run(&["providers", "-o", "json"]));
    for f in fixtures() {
        let p = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == f.id)
            .unwrap();
        if p["pin_by"] != "otp" {
            continue;
        }
        let server = FaultServer::start(Fault::Reply(Reply::json(200, f.success_body)));
        let env = env_for(f, &server.url());
        for extra in [
            &["-o", "json"][..],
            &["-v"][..],
            &["--dry-run"][..],
            &["--dry-run", "-o", "json"][..],
        ] {
            let mut args = vec!["send", "--to", f.to, "--pin", PIN];
            args.extend_from_slice(extra);
            let out = env.run(&args);
            assert_eq!(
                support::code(&out),
                0,
                "{}: {}",
                f.id,
                support::stderr(&out)
            );
            support::assert_no_leak(&out, &[PIN]);
        }
        // it did reach the vendor
        let sent = server.received();
        assert!(
            sent.iter()
                .any(|r| String::from_utf8_lossy(r).contains(PIN)),
            "{}",
            f.id
        );
        for (_, bytes) in env.written_files() {
            support::assert_text_clean(&String::from_utf8_lossy(&bytes), &[PIN]);
        }
    }
}
