//! Fallback across vendors (the README): when the next profile is
//! tried and when it never is, the chain checked before any request, `tried` in JSON,
//! verify through the vendor that sent, and one cooldown slot for the whole chain.

use crate::providers::battery::{fixtures, Fixture};
use crate::support::faults::{Fault, FaultServer, Reply};
use crate::support::{self, Env};
use httpmock::prelude::*;
use std::time::Duration;

const TO: &str = "+2347065250817";
const SMSCX_ID: &str = "a17fb13d-1b8c-4b39-a4e6-8d9a2f1b6c10";

fn fixture(id: &str) -> &'static Fixture {
    fixtures().into_iter().find(|f| f.id == id).unwrap()
}

/// Profile `a` (termii at `a_url`) falls back to `b` (smscx at `b_url`).
fn chain_env(a_url: &str, b_url: &str, extra_a: &str) -> Env {
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"a\"\n[profiles.a]\n{}fallback = [\"b\"]\n{extra_a}[profiles.b]\n{}",
        (fixture("termii").profile)(a_url),
        (fixture("smscx").profile)(b_url),
    ));
    env
}

/// smscx accepting a send.
fn smscx_ok(server: &MockServer) -> httpmock::Mock<'_> {
    let f = fixture("smscx");
    server.mock(|when, then| {
        when.method(POST).path(f.send_path);
        then.status(f.success_status)
            .header("content-type", "application/json")
            .body(f.success_body);
    })
}

fn termii_says<'a>(server: &'a MockServer, status: u16, body: &str) -> httpmock::Mock<'a> {
    let body = body.to_string();
    server.mock(move |when, then| {
        when.method(POST).path(fixture("termii").send_path);
        then.status(status)
            .header("content-type", "application/json")
            .body(body);
    })
}

#[test]
fn no_fallback_after_a_5xx() {
    let (a, b) = (MockServer::start(), MockServer::start());
    let first = termii_says(&a, 503, r#"{"message":"try later"}"#);
    let second = smscx_ok(&b);
    let env = chain_env(&a.base_url(), &b.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 6, "{}", support::stderr(&out));
    first.assert_hits(1);
    second.assert_hits(0);
    let v = support::json(&out);
    assert_eq!(v["outcome"], "unknown");
    assert_eq!(v["provider"], "termii");
    assert_eq!(v["tried"], serde_json::json!([]));
}

#[test]
fn no_fallback_after_a_timeout() {
    let a = FaultServer::start(Fault::Delay(
        Duration::from_secs(30),
        Reply::json(200, fixture("termii").success_body),
    ));
    let b = MockServer::start();
    let second = smscx_ok(&b);
    let env = chain_env(&a.url(), &b.base_url(), "");
    let out = env.run(&["send", "--to", TO, "--timeout", "1s"]);
    assert_eq!(support::code(&out), 6, "{}", support::stderr(&out));
    assert_eq!(a.requests(), 1);
    second.assert_hits(0);
    assert!(!support::stderr(&out).contains("trying profile"));
}

#[test]
fn falls_back_after_connection_refused_and_says_so_in_json() {
    let a = FaultServer::start(Fault::Refuse);
    let b = MockServer::start();
    let second = smscx_ok(&b);
    let env = chain_env(&a.url(), &b.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    second.assert_hits(1);
    let v = support::json(&out);
    support::assert_report_shape(&v);
    assert_eq!(
        (&v["outcome"], &v["provider"], &v["profile"], &v["id"]),
        (
            &"accepted".into(),
            &"smscx".into(),
            &"b".into(),
            &SMSCX_ID.into()
        )
    );
    let tried = v["tried"].as_array().expect("tried is an array");
    assert_eq!(tried.len(), 1, "{v}");
    let t = &tried[0];
    assert_eq!(
        (&t["profile"], &t["provider"], &t["outcome"]),
        (&"a".into(), &"termii".into(), &"not_sent".into())
    );
    let e = &t["error"];
    for k in [
        "kind",
        "message",
        "http_status",
        "provider_code",
        "retryable",
    ] {
        assert!(e.get(k).is_some(), "tried[0].error.{k} missing: {v}");
    }
    assert_eq!(e["kind"], "network");
    support::assert_no_leak(&out, &[]);
}

#[test]
fn falls_back_after_a_401_and_the_text_says_who_sent_it() {
    let (a, b) = (MockServer::start(), MockServer::start());
    let first = termii_says(&a, 401, r#"{"message":"Invalid API key"}"#);
    let second = smscx_ok(&b);
    let env = chain_env(&a.base_url(), &b.base_url(), "");
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    first.assert_hits(1);
    second.assert_hits(1);
    let err = support::stderr(&out);
    assert!(
        err.contains("profile \"a\" (termii):") && err.contains("Invalid API key"),
        "{err}"
    );
    assert!(err.contains("trying profile \"b\" (smscx)"), "{err}");
    let text = support::stdout(&out);
    assert!(text.contains("accepted by smscx"), "{text}");
    assert!(text.contains("tried     profile \"a\" (termii)"), "{text}");
    support::assert_no_leak(&out, &[]);
}

#[test]
fn a_refusal_of_the_request_itself_is_not_retried_elsewhere() {
    let (a, b) = (MockServer::start(), MockServer::start());
    let first = termii_says(&a, 400, r#"{"message":"Invalid phone number"}"#);
    let second = smscx_ok(&b);
    let env = chain_env(&a.base_url(), &b.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 4, "{}", support::stderr(&out));
    first.assert_hits(1);
    second.assert_hits(0);
}

#[test]
fn when_every_profile_fails_the_document_reports_the_last_and_tried_the_rest() {
    let (a, b) = (MockServer::start(), MockServer::start());
    termii_says(&a, 402, r#"{"message":"Insufficient balance"}"#);
    let second = b.mock(|when, then| {
        when.method(POST).path("/otp");
        then.status(401)
            .header("content-type", "application/json")
            .body(r#"{"error":{"type":"invalid_api_key","code":1001,"message":"Invalid key"}}"#);
    });
    let env = chain_env(&a.base_url(), &b.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 4, "{}", support::stderr(&out));
    second.assert_hits(1);
    let v = support::json(&out);
    assert_eq!(
        (&v["provider"], &v["profile"]),
        (&"smscx".into(), &"b".into())
    );
    assert_eq!(v["error"]["kind"], "auth");
    assert_eq!(v["tried"][0]["error"]["kind"], "insufficient_funds");
    assert_eq!(v["tried"][0]["outcome"], "rejected");
}

#[test]
fn a_value_the_second_profile_cannot_take_stops_the_send_before_any_request() {
    // smscx takes a TTL of 90 s; termii only whole minutes.
    let (a, b) = (MockServer::start(), MockServer::start());
    let first = smscx_ok(&a);
    let second = termii_says(&b, 200, fixture("termii").success_body);
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"a\"\n[profiles.a]\n{}[profiles.b]\n{}",
        (fixture("smscx").profile)(&a.base_url()),
        (fixture("termii").profile)(&b.base_url()),
    ));
    for extra in [&[][..], &["--dry-run"][..]] {
        let mut args = vec!["send", "--to", TO, "--ttl", "90s", "--fallback", "b"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", "json"]);
        let out = env.run(&args);
        assert_eq!(support::code(&out), 2, "{}", support::stderr(&out));
        let err = support::stderr(&out);
        assert!(err.contains("fallback profile \"b\" (termii)"), "{err}");
        let v = support::json(&out);
        assert_eq!(
            (&v["outcome"], &v["error"]["kind"]),
            (&"not_sent".into(), &"usage".into())
        );
    }
    first.assert_hits(0);
    second.assert_hits(0);
}

#[test]
fn a_missing_credential_in_a_fallback_profile_is_exit_3_before_any_request() {
    let (a, b) = (MockServer::start(), MockServer::start());
    let first = termii_says(&a, 200, fixture("termii").success_body);
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"a\"\n[profiles.a]\n{}fallback = [\"b\"]\n[profiles.b]\n{}",
        (fixture("termii").profile)(&a.base_url()),
        (fixture("smscx").profile_without_credentials)(&b.base_url()),
    ));
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("fallback profile \"b\""));
    first.assert_hits(0);
}

#[test]
fn an_unknown_fallback_profile_is_named_with_the_nearest() {
    let env = Env::new();
    env.config(
        "[profiles.dev]\nprovider = \"console\"\n[profiles.backup]\nprovider = \"console\"\n",
    );
    let out = env.run(&["-p", "dev", "send", "--to", TO, "--fallback", "bakup"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(
        err.contains("\"bakup\"") && err.contains("did you mean \"backup\""),
        "{err}"
    );
}

#[test]
fn a_dry_run_prints_the_first_profile_s_request_only() {
    let (a, b) = (MockServer::start(), MockServer::start());
    let env = chain_env(&a.base_url(), &b.base_url(), "");
    let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(
        (&v["outcome"], &v["provider"]),
        (&"dry_run".into(), &"termii".into())
    );
    assert!(v["request"]["url"]
        .as_str()
        .unwrap()
        .starts_with(&a.base_url()));
    assert_eq!(v["tried"], serde_json::json!([]));
}

#[test]
fn verify_of_a_fallback_sent_id_goes_to_the_vendor_that_sent_it() {
    let (a, b) = (MockServer::start(), MockServer::start());
    termii_says(&a, 401, r#"{"message":"Invalid API key"}"#);
    let termii_verify = a.mock(|when, then| {
        when.method(POST).path("/api/sms/otp/verify");
        then.status(200).body(r#"{"verified":true}"#);
    });
    smscx_ok(&b);
    let smscx_verify = b.mock(|when, then| {
        when.method(POST)
            .path(format!("/otp/{SMSCX_ID}"))
            .json_body(serde_json::json!({"pin": "1544"}));
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"status":"VERIFIED"}"#);
    });
    let env = chain_env(&a.base_url(), &b.base_url(), "");
    let out = env.run(&["send", "--to", TO, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::stdout(&out).trim(), SMSCX_ID);
    let out = env.run(&["verify", "--id", SMSCX_ID, "--code", "1544", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    smscx_verify.assert_hits(1);
    termii_verify.assert_hits(0);
    let v = support::json(&out);
    assert_eq!(
        (&v["provider"], &v["profile"]),
        (&"smscx".into(), &"b".into())
    );
}

#[test]
fn each_profile_keeps_its_own_cooldown_and_gives_its_slot_back_when_nothing_went_out() {
    // Every attempt failed before anything left: the slots are given back.
    let refused = FaultServer::start(Fault::Refuse);
    let refused_too = FaultServer::start(Fault::Refuse);
    let env = chain_env(&refused.url(), &refused_too.url(), "cooldown = \"1h\"\n");
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 5, "{}", support::stderr(&out));

    // One send through the second profile (the first refused the key, a cause the
    // second may not share): the number's cooldown now holds for every profile that
    // sets one.
    let a = MockServer::start();
    let termii = fixture("termii");
    let first = a.mock(|when, then| {
        when.method(POST).path(termii.send_path);
        then.status(termii.auth_status)
            .header("content-type", "application/json")
            .body(termii.auth_body);
    });
    let b = MockServer::start();
    let second = smscx_ok(&b);
    let both_cool = format!(
        "default_profile = \"a\"\n[profiles.a]\n{}fallback = [\"b\"]\ncooldown = \"1h\"\n[profiles.b]\n{}cooldown = \"1h\"\n",
        (termii.profile)(&a.base_url()),
        (fixture("smscx").profile)(&b.base_url()),
    );
    env.config(&both_cool);
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    first.assert_hits(1);
    second.assert_hits(1);
    // Both profiles' cooldowns hold: each is skipped, no request, exit 3 with the wait.
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["error"]["kind"], "cooldown", "{v}");
    assert!(v["error"]["retry_after"].as_u64().unwrap() > 3500, "{v}");
    assert_eq!(v["tried"][0]["profile"], "a", "{v}");
    assert_eq!(v["tried"][0]["error"]["kind"], "cooldown", "{v}");
    // A cooling profile makes no request.
    first.assert_hits(1);
    second.assert_hits(1);

    // A profile without a cooldown of its own is not held by the first one's: the
    // chain skips the cooling profile and sends through it.
    let env2 = chain_env(&a.base_url(), &b.base_url(), "cooldown = \"1h\"\n");
    env.config(&std::fs::read_to_string(env2.config_path()).unwrap());
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(
        (
            v["profile"].as_str(),
            v["tried"][0]["error"]["kind"].as_str()
        ),
        (Some("b"), Some("cooldown")),
        "{v}"
    );
    first.assert_hits(1);
    second.assert_hits(2);
}

/// A fallback profile's own send limit holds for the sends it makes (a chain cannot
/// go around a profile's `limits`).
#[test]
fn a_fallback_profile_s_own_limit_holds() {
    let a = FaultServer::start(Fault::Refuse);
    let b = MockServer::start();
    let second = smscx_ok(&b);
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"a\"\n[profiles.a]\n{}fallback = [\"strict\"]\n[profiles.strict]\n{}limits = {{ number = \"1/1h\" }}\n",
        (fixture("termii").profile)(&a.url()),
        (fixture("smscx").profile)(&b.base_url()),
    ));
    let out = env.run(&["send", "--to", TO]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    for _ in 0..3 {
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
        assert_eq!(support::json(&out)["error"]["kind"], "cooldown");
    }
    second.assert_hits(1);
}

#[test]
fn profiles_where_otp_makes_the_pin_send_the_same_pin() {
    // cinnox refuses the key; the console (the phone) then shows the PIN cinnox was sent.
    let cinnox = fixture("cinnox");
    let a = FaultServer::start(Fault::Reply(Reply::json(401, cinnox.auth_body)));
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"a\"\n[profiles.a]\n{}fallback = [\"phone\"]\n[profiles.phone]\nprovider = \"console\"\n",
        (cinnox.profile)(&a.url()),
    ));
    let out = env.run(&["send", "--to", cinnox.to, "--message", "code {{code}} here"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    let pin: String = err
        .split("code ")
        .map(|s| {
            s.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .find(|d| d.len() == 6)
        .unwrap_or_else(|| panic!("the console shows the PIN: {err}"));
    let sent = String::from_utf8_lossy(&a.received()[0]).into_owned();
    assert!(
        sent.contains(&pin),
        "cinnox was sent another PIN than {pin}"
    );
}

#[test]
fn config_check_names_an_unknown_fallback_profile() {
    let env = Env::new();
    env.config(
        "[profiles.dev]\nprovider = \"console\"\nfallback = [\"bakup\"]\n[profiles.backup]\nprovider = \"console\"\n",
    );
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 3, "{}", support::stdout(&out));
    let all = format!("{}{}", support::stdout(&out), support::stderr(&out));
    assert!(
        all.contains("unknown profile \"bakup\" in fallback of profile \"dev\""),
        "{all}"
    );
    assert!(all.contains("did you mean \"backup\""), "{all}");
    env.config("[profiles.dev]\nprovider = \"console\"\nfallback = [\"backup\"]\n[profiles.backup]\nprovider = \"console\"\n");
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 0, "{}", support::stdout(&out));
}

/// Fallback follows the adapter's cause, never words: a 200 that no vendor shape reads
/// as accepted or refused may describe a send that went out, so it is unknown (exit 6)
/// and the next profile is never asked, whatever its words say of a sender or a balance.
#[test]
fn a_2xx_the_adapter_cannot_read_never_falls_back() {
    for body in [
        r#"{"message":"Message queued on sender ACME"}"#,
        r#"{"message":"Sent successfully, balance remaining 12.50"}"#,
    ] {
        let a = FaultServer::start(Fault::Reply(Reply::json(200, body)));
        let b = MockServer::start();
        let second = smscx_ok(&b);
        let env = chain_env(&a.url(), &b.base_url(), "");
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        assert_eq!(support::code(&out), 6, "{body}: {}", support::stderr(&out));
        let v = support::json(&out);
        assert_eq!(v["outcome"], "unknown", "{body}: {v}");
        assert_eq!(v["tried"], serde_json::json!([]), "{body}: {v}");
        second.assert_hits(0);
    }
}

/// A 2xx in the vendor's documented error shape with a cause another vendor may not
/// share (ShoutOUT's 1007 "invalid source": the sender ID) still falls back.
#[test]
fn a_documented_sender_refusal_in_a_2xx_falls_back() {
    let shoutout = fixture("shoutout");
    let a = FaultServer::start(Fault::Reply(Reply::json(
        200,
        r#"{"referenceId":"x","messageResult":{"status":"1007","description":"invalid source"}}"#,
    )));
    let b = MockServer::start();
    let second = smscx_ok(&b);
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"a\"\n[profiles.a]\n{}fallback = [\"b\"]\n[profiles.b]\n{}",
        (shoutout.profile)(&a.url()),
        (fixture("smscx").profile)(&b.base_url()),
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["profile"], "b", "{v}");
    assert_eq!(v["tried"][0]["error"]["kind"], "sender_refused", "{v}");
    second.assert_hits(1);
}
