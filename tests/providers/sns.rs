//! Amazon SNS against a local mock: the Publish form as boto3 sends it, a SigV4
//! signature that verifies on the wire, XML receipts and errors read into causes, the
//! online check, and the local verify loop.

use super::aws::{header, local_verify_loop, parse_raw, verify_signature};
use super::battery::{self, Fixture};
use crate::support::faults::{Fault, FaultServer, Reply};
use crate::support::{self, Env, CANARY, CANARY2};
use httpmock::prelude::*;

const TO: &str = "+447700900123";
const MSG: &str = "567910cd-659e-55d4-8ccb-5aaf14679dc0";
const SUCCESS: &str = r#"<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult><ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata></PublishResponse>"#;
const PIN: &str = "482913";

fn profile(base: &str) -> String {
    format!(
        "provider = \"sns\"\nbase_url = \"{base}\"\nregion = \"eu-west-2\"\naccess_key_id = \"{CANARY2}\"\nsecret_access_key = \"{CANARY}\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"sns\"\nbase_url = \"{base}\"\nregion = \"eu-west-2\"\n")
}

fn error(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>9f3e</RequestId></ErrorResponse>"
    )
}

pub static FIXTURE: Fixture = Fixture {
    id: "sns",
    profile,
    profile_without_credentials,
    send_path: "/",
    to: TO,
    success_status: 200,
    success_body: SUCCESS,
    success_id: MSG,
    auth_status: 403,
    auth_body: "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>9f3e</RequestId></ErrorResponse>",
    error_2xx_body: "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber</Message></Error><RequestId>9f3e</RequestId></ErrorResponse>",
};

fn env_with(body: &str) -> Env {
    let env = Env::new();
    env.config(&format!("default_profile = \"t\"\n[profiles.t]\n{body}"));
    env
}

fn xml<'a>(server: &'a MockServer, status: u16, body: &str) -> httpmock::Mock<'a> {
    let body = body.to_string();
    server.mock(move |when, then| {
        when.method(POST).path("/");
        then.status(status)
            .header("content-type", "text/xml")
            .body(body);
    })
}

#[test]
fn publish_is_what_boto3_sends_and_the_signature_verifies() {
    let server = FaultServer::start(Fault::Reply(Reply::new(200, "text/xml", SUCCESS)));
    let env = env_with(&format!(
        "{}origination_identity = \"Acme\"\n",
        profile(&server.url())
    ));
    let out = env.run(&[
        "send",
        "--to",
        TO,
        "--pin",
        PIN,
        "--message",
        "Your code is {{code}}",
        "-o",
        "json",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["id"], MSG);
    let sent = server.received();
    let (line, headers, body) = parse_raw(&sent[0]);
    assert_eq!(line, "POST / HTTP/1.1");
    assert_eq!(
        header(&headers, "content-type"),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
    // The body botocore 1.44.18 sent for the same inputs.
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "Action=Publish&Version=2010-03-31&PhoneNumber=%2B447700900123&Message=Your+code+is+482913&MessageAttributes.entry.1.Name=AWS.SNS.SMS.SMSType&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=Transactional&MessageAttributes.entry.2.Name=AWS.SNS.SMS.SenderID&MessageAttributes.entry.2.Value.DataType=String&MessageAttributes.entry.2.Value.StringValue=Acme"
    );
    let auth = header(&headers, "authorization").unwrap();
    assert!(
        auth.contains(
            "/eu-west-2/sns/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="
        ),
        "{auth}"
    );
    verify_signature(&sent[0], CANARY, "eu-west-2", "sns");
    support::assert_no_leak(&out, &[PIN]);
}

#[test]
fn documented_errors() {
    for (status, code, exit, kind) in [
        (403, "AuthorizationError", 4, "auth"),
        (403, "SignatureDoesNotMatch", 4, "auth"),
        (400, "Throttling", 4, "rate_limited"),
        (400, "InvalidParameterValue", 4, "invalid_request"),
        (400, "OptedOut", 4, "blocked"),
        (500, "InternalError", 6, "server"),
    ] {
        let server = MockServer::start();
        let m = xml(&server, status, &error(code, "something"));
        let env = env_with(&profile(&server.base_url()));
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        battery::assert_send_failed(&out, code, exit, kind, status, Some(code));
        assert_eq!(m.hits(), 1);
        support::assert_no_leak(&out, &[]);
    }
    // A Publish reply without its MessageId: it may have been sent.
    let server = MockServer::start();
    xml(
        &server,
        200,
        "<PublishResponse><PublishResult/></PublishResponse>",
    );
    let env = env_with(&profile(&server.base_url()));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    battery::assert_failure(&out, "no MessageId", 6, "bad_response");
}

#[test]
fn online_check_is_get_sms_attributes() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/")
            .body("Action=GetSMSAttributes&Version=2010-03-31")
            .header_exists("authorization");
        then.status(200).header("content-type", "text/xml").body(
            "<GetSMSAttributesResponse><GetSMSAttributesResult><attributes><entry><key>MonthlySpendLimit</key><value>1</value></entry></attributes></GetSMSAttributesResult></GetSMSAttributesResponse>",
        );
    });
    let env = env_with(&profile(&server.base_url()));
    let out = env.run(&["config", "check", "--online", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["profiles"][0]["online"], "ok");
    m.assert();

    let server = MockServer::start();
    xml(&server, 403, &error("InvalidClientTokenId", "bad"));
    let env = env_with(&profile(&server.base_url()));
    let out = env.run(&["config", "check", "--online", "-o", "json"]);
    assert_eq!(support::code(&out), 4, "{}", support::stderr(&out));
}

#[test]
fn local_verify_loop_end_to_end() {
    local_verify_loop(
        &FIXTURE,
        "/",
        (SUCCESS, MSG),
        (
            "<PublishResponse><PublishResult><MessageId>second-sns-id</MessageId></PublishResult></PublishResponse>",
            "second-sns-id",
        ),
    );
}
