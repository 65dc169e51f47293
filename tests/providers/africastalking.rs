//! Africa's Talking against a local mock: the form its official SDK sends, each
//! recipient status code read into a cause, plain-text errors, the balance check, and
//! the local verify loop.

use super::aws::{header, local_verify_loop, parse_raw};
use super::battery::{self, Fixture};
use crate::support::faults::{Fault, FaultServer, Reply};
use crate::support::{self, Env, CANARY};
use httpmock::prelude::*;

const TO: &str = "+254711000111";
const PATH: &str = "/version1/messaging";
const MSG: &str = "ATXid_4d3b1c7a0f0e1d2c3b4a";
const SUCCESS: &str = r#"{"SMSMessageData":{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[{"statusCode":101,"number":"+254711000111","status":"Success","cost":"KES 0.8000","messageId":"ATXid_4d3b1c7a0f0e1d2c3b4a"}]}}"#;
const PIN: &str = "482913";

fn profile(base: &str) -> String {
    format!(
        "provider = \"africastalking\"\nbase_url = \"{base}\"\nusername = \"acme\"\napi_key = \"{CANARY}\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"africastalking\"\nbase_url = \"{base}\"\nusername = \"acme\"\n")
}

fn recipients(code: u16, status: &str) -> String {
    format!(
        r#"{{"SMSMessageData":{{"Message":"Sent to 0/1 Total Cost: 0","Recipients":[{{"statusCode":{code},"number":"+254711000111","status":"{status}","cost":"0","messageId":"None"}}]}}}}"#
    )
}

pub static FIXTURE: Fixture = Fixture {
    id: "africastalking",
    profile,
    profile_without_credentials,
    send_path: PATH,
    to: TO,
    success_status: 201,
    success_body: SUCCESS,
    success_id: MSG,
    auth_status: 401,
    auth_body: "The supplied authentication is invalid",
    error_2xx_body: r#"{"SMSMessageData":{"Message":"Sent to 0/1 Total Cost: 0","Recipients":[{"statusCode":403,"number":"+254711000111","status":"InvalidPhoneNumber","cost":"0","messageId":"None"}]}}"#,
};

fn env_with(body: &str) -> Env {
    let env = Env::new();
    env.config(&format!("default_profile = \"t\"\n[profiles.t]\n{body}"));
    env
}

#[test]
fn send_is_the_form_the_sdk_sends() {
    let server = FaultServer::start(Fault::Reply(Reply::json(201, SUCCESS)));
    let env = env_with(&profile(&server.url()));
    let out = env.run(&[
        "send",
        "--to",
        TO,
        "--pin",
        PIN,
        "--sender",
        "ACME",
        "--message",
        "Your code is {{code}}",
        "-o",
        "json",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["id"], MSG);
    assert_eq!(v["cost"], "KES 0.8000");
    let sent = server.received();
    let (line, headers, body) = parse_raw(&sent[0]);
    assert_eq!(line, format!("POST {PATH} HTTP/1.1"));
    assert_eq!(header(&headers, "apikey"), Some(CANARY));
    assert_eq!(header(&headers, "accept"), Some("application/json"));
    assert_eq!(
        header(&headers, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    // What africastalking 2.0.3's SMS.send sent for the same inputs.
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "username=acme&to=%2B254711000111&message=Your+code+is+482913&bulkSMSMode=1&from=ACME"
    );
    support::assert_no_leak(&out, &[PIN]);
}

#[test]
fn recipient_status_codes_are_causes() {
    for (code, status, exit, kind) in [
        (401, "RiskHold", 4, "blocked"),
        (402, "InvalidSenderId", 4, "sender_refused"),
        (403, "InvalidPhoneNumber", 4, "invalid_request"),
        (404, "UnsupportedNumberType", 4, "invalid_request"),
        (405, "InsufficientBalance", 4, "insufficient_funds"),
        (406, "UserInBlacklist", 4, "blocked"),
        (407, "CouldNotRoute", 4, "route_refused"),
        (409, "DoNotDisturbRejection", 4, "blocked"),
        (500, "InternalServerError", 6, "bad_response"),
        (502, "RejectedByGateway", 6, "bad_response"),
    ] {
        let server = MockServer::start();
        let m = battery::mock(&server, POST, PATH, 201, &recipients(code, status));
        let env = env_with(&profile(&server.base_url()));
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        let code = code.to_string();
        battery::assert_send_failed(&out, status, exit, kind, 201, Some(&code));
        assert_eq!(m.hits(), 1);
        let out = env.run(&["verify", "--id", MSG, "--code", "123456", "-o", "json"]);
        assert_eq!(support::json(&out)["reason"], "unknown_id", "{status}");
    }
    for body in [
        r#"{"SMSMessageData":{"Message":"InvalidSenderId","Recipients":[]}}"#,
        r#"{"SMSMessageData":{"Message":"Sent"}}"#,
    ] {
        let server = MockServer::start();
        battery::mock(&server, POST, PATH, 201, body);
        let env = env_with(&profile(&server.base_url()));
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        battery::assert_failure(&out, body, 6, "bad_response");
    }
}

#[test]
fn plain_text_errors() {
    for (status, body, exit, kind) in [
        (401, "The supplied authentication is invalid", 4, "auth"),
        (400, "Invalid phone number: 0711", 4, "invalid_request"),
        (500, "Internal Server Error", 6, "server"),
    ] {
        let server = MockServer::start();
        server.mock(|when, then| {
            when.method(POST).path(PATH);
            then.status(status)
                .header("content-type", "text/plain")
                .body(body);
        });
        let env = env_with(&profile(&server.base_url()));
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        let v = battery::assert_send_failed(&out, body, exit, kind, status, None);
        if exit == 4 {
            assert!(
                v["error"]["message"].as_str().unwrap().contains(body),
                "{v}"
            );
        }
    }
}

#[test]
fn online_check_reads_the_balance() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(GET)
            .path("/version1/user")
            .query_param("username", "acme")
            .header("apiKey", CANARY);
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"UserData":{"balance":"KES 12.34"}}"#);
    });
    let env = env_with(&profile(&server.base_url()));
    let out = env.run(&["config", "check", "--online", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    let p = &v["profiles"][0];
    assert_eq!(
        (
            p["online"].as_str(),
            p["balance"].as_f64(),
            p["currency"].as_str()
        ),
        (Some("ok"), Some(12.34), Some("KES")),
        "{v}"
    );
    m.assert();
    support::assert_no_leak(&out, &[]);
}

#[test]
fn local_verify_loop_end_to_end() {
    local_verify_loop(
        &FIXTURE,
        PATH,
        (SUCCESS, MSG),
        (
            r#"{"SMSMessageData":{"Message":"Sent to 1/1","Recipients":[{"statusCode":100,"number":"+254711000111","status":"Processed","cost":"KES 0.8000","messageId":"ATXid_second"}]}}"#,
            "ATXid_second",
        ),
    );
}
