//! `otp cancel` says what is true at the vendor: an OTP already over there is cancelled
//! locally with a note (exit 0, as for the console), a cancel that failed on the way is
//! asked again on the re-run, and a vendor with no cancel call leaves the PIN live.

use crate::providers::battery::{env_for, fixtures, Fixture};
use crate::support::faults::{Fault, FaultServer, Reply};
use crate::support::{self, Env};

fn fixture(id: &str) -> &'static Fixture {
    fixtures().into_iter().find(|f| f.id == id).unwrap()
}

fn sent_through(f: &Fixture) -> (Env, String, FaultServer) {
    let ok = FaultServer::start(Fault::Reply(Reply::json(f.success_status, f.success_body)));
    let env = env_for(f, &ok.url());
    let out = env.run(&["send", "--to", f.to, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    (env, support::stdout(&out).trim().to_string(), ok)
}

fn repoint(env: &Env, f: &Fixture, server: &FaultServer) {
    env.config(&format!(
        "default_profile = \"t\"\n[profiles.t]\n{}",
        (f.profile)(&server.url())
    ));
}

#[test]
fn an_otp_expired_at_smscx_is_cancelled_locally_with_a_note() {
    let f = fixture("smscx");
    let (env, id, _ok) = sent_through(f);
    let expired =
        r#"{"error":{"type":"otp_not_pending","code":2031,"message":"OTP is not pending"}}"#;
    let server = FaultServer::start(Fault::Reply(Reply::json(403, expired)));
    repoint(&env, f, &server);
    let out = env.run(&["cancel", "--id", &id, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["cancelled"], true);
    assert_eq!(v["provider_cancelled"], false);
    assert!(v["note"].as_str().unwrap().contains("not pending"), "{v}");
    assert_eq!(server.requests(), 1);
}

#[test]
fn a_cancel_that_failed_on_the_network_is_retried_by_the_re_run() {
    let f = fixture("smscx");
    let (env, id, _ok) = sent_through(f);
    let down = FaultServer::start(Fault::Refuse);
    repoint(&env, f, &down);
    let out = env.run(&["cancel", "--id", &id]);
    assert_eq!(support::code(&out), 5, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("cancelled locally"));
    let up = FaultServer::start(Fault::Reply(Reply::json(200, r#"{"info":{"id":"x"}}"#)));
    repoint(&env, f, &up);
    let out = env.run(&["cancel", "--id", &id]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(up.requests(), 1, "the re-run asks SMS.cx again");
    let text = support::stdout(&out);
    assert!(text.contains(&format!("cancelled {id} at smscx")), "{text}");
    assert!(!text.contains("already cancelled"), "{text}");
}

#[test]
fn a_termii_cancel_says_the_pin_stays_live_at_termii() {
    let f = fixture("termii");
    let (env, id, ok) = sent_through(f);
    let out = env.run(&["cancel", "--id", &id]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(support::stdout(&out).contains(&format!("cancelled {id}")));
    let err = support::stderr(&out);
    assert!(err.contains("stays valid at termii"), "{err}");
    assert_eq!(ok.requests(), 1, "only the send reached termii");
    // The console's record is the whole truth: no note.
    let env = Env::new();
    let out = env.run(&["send", "--to", "+15551234567", "-q"]);
    let id = support::stdout(&out).trim().to_string();
    let out = env.run(&["cancel", "--id", &id, "-o", "json"]);
    assert_eq!(support::code(&out), 0);
    assert!(support::json(&out)["note"].is_null());
}
