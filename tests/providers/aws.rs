//! AWS End User Messaging SMS against a local mock: the exact request (JSON 1.0, the
//! PIN `otp` made), a SigV4 signature that verifies on the wire, the credential chain
//! (profile, then AWS_* variables, then the shared files) in a sealed HOME, causes read
//! from AWS's JSON errors, the online check, and the local verify loop.

use super::battery::{self, Fixture};
use crate::support::faults::{Fault, FaultServer, Reply};
use crate::support::{self, Env, CANARY, CANARY2};
use httpmock::prelude::*;
use serde_json::json;
use std::process::Output;

const TO: &str = "+447700900123";
const MSG: &str = "0f1c2b3a-4d5e-6f70-8192-a3b4c5d6e7f8";
const SUCCESS: &str = r#"{"MessageId":"0f1c2b3a-4d5e-6f70-8192-a3b4c5d6e7f8"}"#;
const PIN: &str = "482913";

fn profile(base: &str) -> String {
    format!(
        "provider = \"aws\"\nbase_url = \"{base}\"\nregion = \"us-east-1\"\naccess_key_id = \"{CANARY2}\"\nsecret_access_key = \"{CANARY}\"\n"
    )
}

fn profile_without_credentials(base: &str) -> String {
    format!("provider = \"aws\"\nbase_url = \"{base}\"\nregion = \"us-east-1\"\n")
}

pub static FIXTURE: Fixture = Fixture {
    id: "aws",
    profile,
    profile_without_credentials,
    send_path: "/",
    to: TO,
    success_status: 200,
    success_body: SUCCESS,
    success_id: MSG,
    auth_status: 403,
    auth_body: r#"{"__type":"AccessDeniedException","message":"User is not authorized to perform: sms-voice:SendTextMessage"}"#,
    error_2xx_body: r#"{"__type":"ValidationException","message":"1 validation error detected","Reason":"INVALID_PARAMETER"}"#,
};

fn env_with(body: &str) -> Env {
    let env = Env::new();
    env.config(&format!("default_profile = \"t\"\n[profiles.t]\n{body}"));
    env
}

/// The request line, headers (lower-cased names) and body of a raw request.
pub fn parse_raw(raw: &[u8]) -> (String, Vec<(String, String)>, Vec<u8>) {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("headers end");
    let mut lines = head.lines();
    let line = lines.next().unwrap().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (line, headers, body.as_bytes().to_vec())
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Verify the SigV4 signature of a request as it arrived: recompute it with the
/// `aws-sigv4` crate over the headers it says it signed, the body as received and its
/// own X-Amz-Date, with the secret the profile holds.
pub fn verify_signature(raw: &[u8], secret: &str, region: &str, service: &str) {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let (line, headers, body) = parse_raw(raw);
    let mut parts = line.split(' ');
    let (method, path) = (parts.next().unwrap(), parts.next().unwrap());
    let auth = header(&headers, "authorization").expect("Authorization");
    let akid = auth
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').next())
        .unwrap();
    let signed: Vec<&str> = auth
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap()
        .split(';')
        .collect();
    assert!(
        signed.contains(&"host") && signed.contains(&"x-amz-date"),
        "{auth}"
    );
    let date = header(&headers, "x-amz-date").unwrap();
    let when = jiff::tz::Offset::UTC
        .to_timestamp(jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", date).unwrap())
        .unwrap();
    let when =
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(when.as_second() as u64);
    let host = header(&headers, "host").unwrap();
    let token = header(&headers, "x-amz-security-token").map(str::to_string);
    let identity = aws_credential_types::Credentials::new(akid, secret, token, None, "test").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(when)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let to_sign: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(k, _)| {
            signed.contains(&k.as_str()) && k != "x-amz-date" && k != "x-amz-security-token"
        })
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let url = format!("http://{host}{path}");
    let req =
        SignableRequest::new(method, url, to_sign.into_iter(), SignableBody::Bytes(&body)).unwrap();
    let (instructions, _) = sign(req, &params).unwrap().into_parts();
    let want = instructions
        .headers()
        .find(|(k, _)| *k == "authorization")
        .map(|(_, v)| v.to_string())
        .unwrap();
    assert_eq!(auth, want, "the signature does not verify");
}

#[test]
fn send_request_is_exact() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/")
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", "PinpointSMSVoiceV2.SendTextMessage")
            .header_exists("x-amz-date")
            .json_body(json!({
                "DestinationPhoneNumber": TO,
                "OriginationIdentity": "AcmeID",
                "MessageBody": format!("Your Acme code is {PIN}. It expires in 5 minutes."),
                "MessageType": "TRANSACTIONAL",
                "ConfigurationSetName": "otp-set",
                "TimeToLive": 300,
            }));
        then.status(200)
            .header("content-type", "application/x-amz-json-1.0")
            .body(SUCCESS);
    });
    let env = env_with(&format!(
        "{}origination_identity = \"AcmeID\"\nconfiguration_set = \"otp-set\"\nmessage = \"Your Acme code is {{{{code}}}}. It expires in {{{{minutes}}}} minutes.\"\n",
        profile(&server.base_url())
    ));
    let out = env.run(&["send", "--to", TO, "--pin", PIN, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    m.assert();
    let v = support::json(&out);
    assert_eq!(
        (v["id"].as_str(), v["verify_with"].as_str()),
        (Some(MSG), Some("local"))
    );
    support::assert_no_leak(&out, &[PIN]);
}

#[test]
fn the_signature_verifies_on_the_wire_and_never_shows() {
    let server = FaultServer::start(Fault::Reply(Reply::json(200, SUCCESS)));
    let env = env_with(&format!(
        "{}session_token = \"{}\"\n",
        profile(&server.url()),
        "FwoGZXIvYXdzTOKENcanary"
    ));
    let out = env.run(&[
        "-v",
        "send",
        "--to",
        TO,
        "--pin",
        PIN,
        "--sender",
        "+12065550100",
        // A field added last is covered by the signature too.
        "--param",
        "Keyword=OTP",
    ]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let sent = server.received();
    assert_eq!(sent.len(), 1);
    let (line, headers, body) = parse_raw(&sent[0]);
    assert_eq!(line, "POST / HTTP/1.1");
    assert_eq!(
        header(&headers, "x-amz-security-token"),
        Some("FwoGZXIvYXdzTOKENcanary")
    );
    let auth = header(&headers, "authorization").unwrap().to_string();
    assert!(
        auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={CANARY2}/")),
        "{auth}"
    );
    assert!(auth.contains("/us-east-1/sms-voice/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature="), "{auth}");
    let b: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(b["OriginationIdentity"], "+12065550100");
    assert_eq!(b["Keyword"], "OTP");
    verify_signature(&sent[0], CANARY, "us-east-1", "sms-voice");
    // -v shows the request, but not the key, the token or the signature.
    let signature = auth.rsplit('=').next().unwrap();
    let err = support::stderr(&out);
    assert!(err.contains("X-Amz-Target"), "{err}");
    for s in [signature, "FwoGZXIvYXdzTOKENcanary", CANARY, CANARY2, PIN] {
        assert!(
            !err.contains(s) && !support::stdout(&out).contains(s),
            "{s} shown: {err}"
        );
    }
}

#[test]
fn dry_run_masks_the_authorization_header() {
    let env = env_with(&profile("http://127.0.0.1:9"));
    let out = env.run(&["send", "--to", TO, "--pin", PIN, "--dry-run", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    let h = &v["request"]["headers"];
    assert_eq!(h["Authorization"], "***");
    assert_eq!(h["Content-Type"], "application/x-amz-json-1.0");
    assert_eq!(h["X-Amz-Target"], "PinpointSMSVoiceV2.SendTextMessage");
    assert!(h["X-Amz-Date"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        v["request"]["body"]["MessageBody"],
        "Your verification code is ***"
    );
    support::assert_no_leak(&out, &[PIN]);
}

#[test]
fn documented_errors() {
    for (status, body, exit, kind, code) in [
        (
            400,
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
            4,
            "rate_limited",
            "ThrottlingException",
        ),
        (
            402,
            r#"{"__type":"ServiceQuotaExceededException","message":"Monthly spend limit reached","Reason":"MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT"}"#,
            4,
            "insufficient_funds",
            "ServiceQuotaExceededException",
        ),
        (
            400,
            r#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#,
            4,
            "auth",
            "UnrecognizedClientException",
        ),
        (
            400,
            r#"{"__type":"ConflictException","message":"opted out","Reason":"DESTINATION_PHONE_NUMBER_OPTED_OUT"}"#,
            4,
            "blocked",
            "ConflictException",
        ),
        (
            404,
            r#"{"__type":"ResourceNotFoundException","message":"Pool not found"}"#,
            4,
            "sender_refused",
            "ResourceNotFoundException",
        ),
        (
            400,
            r#"{"__type":"ValidationException","message":"x","Reason":"DESTINATION_COUNTRY_BLOCKED"}"#,
            4,
            "route_refused",
            "ValidationException",
        ),
        (
            500,
            r#"{"__type":"InternalServerException","message":"oops"}"#,
            6,
            "server",
            "InternalServerException",
        ),
    ] {
        let server = MockServer::start();
        let m = battery::mock(&server, POST, "/", status, body);
        let env = env_with(&profile(&server.base_url()));
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        battery::assert_send_failed(&out, body, exit, kind, status, Some(code));
        assert_eq!(m.hits(), 1);
        support::assert_no_leak(&out, &[]);
    }
}

/// The Credential a request was signed with: `KEY/DATE/REGION/SERVICE`.
fn credential_on_the_wire(env: &Env) -> (Output, Option<String>) {
    let server = FaultServer::start(Fault::Reply(Reply::json(200, SUCCESS)));
    env.config(&format!(
        "default_profile = \"t\"\n[profiles.t]\nprovider = \"aws\"\nbase_url = \"{}\"\n{}",
        server.url(),
        std::fs::read_to_string(env.dir.path().join("profile-extra")).unwrap_or_default()
    ));
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    let sent = server.received();
    let cred = sent.first().map(|raw| {
        let (_, headers, _) = parse_raw(raw);
        let auth = header(&headers, "authorization").unwrap().to_string();
        let c = auth
            .split("Credential=")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap();
        let mut parts: Vec<&str> = c.split('/').collect();
        parts.remove(1); // the date
        parts.truncate(3);
        parts.join("/")
    });
    (out, cred)
}

fn write(env: &Env, rel: &str, text: &str) {
    support::write_private(&env.dir.path().join(rel), text);
}

const CREDENTIALS: &str = "[default]\naws_access_key_id = AKIAFILEDEFAULT\naws_secret_access_key = file-default-secret\n\n[dev]\naws_access_key_id = AKIAFILEDEV\naws_secret_access_key = file-dev-secret\naws_session_token = file-dev-token\n";
const CONFIG: &str = "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = ap-south-1\n";

#[test]
fn credentials_come_from_the_profile_then_the_variables_then_the_shared_file() {
    let with_all = || {
        let env = Env::new()
            .var("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
            .var("AWS_SECRET_ACCESS_KEY", "env-secret")
            .var("AWS_REGION", "us-west-2");
        write(&env, "home/.aws/credentials", CREDENTIALS);
        write(&env, "home/.aws/config", CONFIG);
        env
    };
    // The profile beats everything.
    let env = with_all();
    write(&env, "profile-extra", "access_key_id = \"AKIAPROFILE\"\nsecret_access_key = \"profile-secret\"\nregion = \"ca-central-1\"\n");
    let (out, cred) = credential_on_the_wire(&env);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(cred.as_deref(), Some("AKIAPROFILE/ca-central-1/sms-voice"));
    support::assert_no_leak(&out, &["profile-secret"]);

    // Then the variables.
    let env = with_all();
    let (out, cred) = credential_on_the_wire(&env);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(cred.as_deref(), Some("AKIAFROMENV/us-west-2/sms-voice"));
    support::assert_no_leak(&out, &["env-secret"]);

    // Then the shared files, [default].
    let env = Env::new();
    write(&env, "home/.aws/credentials", CREDENTIALS);
    write(&env, "home/.aws/config", CONFIG);
    let (out, cred) = credential_on_the_wire(&env);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(cred.as_deref(), Some("AKIAFILEDEFAULT/eu-west-1/sms-voice"));
    support::assert_no_leak(&out, &["file-default-secret"]);

    // AWS_PROFILE picks the section ([profile dev] in config); the token comes along.
    let env = Env::new().var("AWS_PROFILE", "dev");
    write(&env, "home/.aws/credentials", CREDENTIALS);
    write(&env, "home/.aws/config", CONFIG);
    let (out, cred) = credential_on_the_wire(&env);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(cred.as_deref(), Some("AKIAFILEDEV/ap-south-1/sms-voice"));
    support::assert_no_leak(&out, &["file-dev-secret", "file-dev-token"]);

    // AWS_SHARED_CREDENTIALS_FILE moves the file; AWS_DEFAULT_REGION is read too.
    let env = Env::new().var("AWS_DEFAULT_REGION", "sa-east-1");
    write(&env, "elsewhere/creds", CREDENTIALS);
    let path = env.dir.path().join("elsewhere/creds");
    let env = env.var("AWS_SHARED_CREDENTIALS_FILE", path.to_str().unwrap());
    let (out, cred) = credential_on_the_wire(&env);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(cred.as_deref(), Some("AKIAFILEDEFAULT/sa-east-1/sms-voice"));
}

#[test]
fn a_key_pair_is_never_mixed_across_sources() {
    // The profile names a key ID: the secret must come from the profile too, not from
    // AWS_SECRET_ACCESS_KEY.
    let env = Env::new()
        .var("AWS_SECRET_ACCESS_KEY", "env-secret")
        .var("AWS_SESSION_TOKEN", "env-token");
    write(
        &env,
        "profile-extra",
        "access_key_id = \"AKIAPROFILE\"\nregion = \"us-east-1\"\n",
    );
    let (out, cred) = credential_on_the_wire(&env);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert_eq!(cred, None);
    assert!(support::stderr(&out).contains("secret_access_key"));
}

#[test]
fn a_missing_region_names_every_place_it_is_read_from() {
    let env = Env::new()
        .var("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
        .var("AWS_SECRET_ACCESS_KEY", "env-secret");
    let (out, cred) = credential_on_the_wire(&env);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert_eq!(cred, None, "nothing sent");
    let err = support::stderr(&out);
    for w in [
        "region",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "~/.aws/config",
        "hint:",
    ] {
        assert!(err.contains(w), "{err} lacks {w}");
    }
    // And missing keys name theirs.
    let env = Env::new().var("AWS_REGION", "us-east-1");
    let (out, _) = credential_on_the_wire(&env);
    assert_eq!(support::code(&out), 3);
    let err = support::stderr(&out);
    for w in [
        "access_key_id",
        "AWS_ACCESS_KEY_ID",
        "~/.aws/credentials",
        "export-credentials",
    ] {
        assert!(err.contains(w), "{err} lacks {w}");
    }
}

#[test]
fn config_show_names_each_source() {
    let env = Env::new()
        .var("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
        .var("AWS_SECRET_ACCESS_KEY", "env-secret-shown-never");
    write(&env, "home/.aws/config", CONFIG);
    env.config("[profiles.t]\nprovider = \"aws\"\norigination_identity = \"AcmeID\"\n");
    let out = env.run(&["config", "show"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("# standard: AWS_ACCESS_KEY_ID"), "{text}");
    assert!(text.contains("# standard: AWS_SECRET_ACCESS_KEY"), "{text}");
    assert!(
        text.contains("eu-west-1") && text.contains("# standard: ~/.aws/config [default]"),
        "{text}"
    );
    assert!(
        !text.contains("AKIAFROMENV") && !text.contains("env-secret-shown-never"),
        "{text}"
    );
    let v = support::json(&env.run(&["config", "show", "-o", "json"]));
    assert_eq!(v["values"]["region"]["source"], "standard", "{v}");
    assert_eq!(
        v["values"]["region"]["origin"], "~/.aws/config [default]",
        "{v}"
    );
    assert_eq!(
        v["values"]["access_key_id"]["origin"], "AWS_ACCESS_KEY_ID",
        "{v}"
    );
    assert_eq!(v["values"]["origination_identity"]["source"], "file", "{v}");
    // The offline check takes the stand-ins as send does.
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
}

#[test]
fn online_check_is_describe_spend_limits() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(POST)
            .path("/")
            .header("x-amz-target", "PinpointSMSVoiceV2.DescribeSpendLimits")
            .header_exists("authorization")
            .body("{}");
        then.status(200)
            .header("content-type", "application/x-amz-json-1.0")
            .body(r#"{"SpendLimits":[{"Name":"TEXT_MESSAGE_MONTHLY_SPEND_LIMIT","EnforcedLimit":1,"MaxLimit":1,"Overridden":false}]}"#);
    });
    let env = env_with(&profile(&server.base_url()));
    let out = env.run(&["config", "check", "--online", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["profiles"][0]["online"], "ok", "{v}");
    m.assert();
    support::assert_no_leak(&out, &[]);
}

/// The local verify loop for a vendor where `otp` makes the PIN: receipts in text and
/// JSON, the right code once, then reuse; wrong codes until the attempts run out;
/// expiry; a new send replacing the old record. `first` and `second` are success
/// bodies with their ids, `path` the send path.
pub fn local_verify_loop(f: &Fixture, path: &str, first: (&str, &str), second: (&str, &str)) {
    let (reply, id) = first;
    let server = MockServer::start();
    battery::mock(&server, POST, path, f.success_status, reply);
    let env = battery::env_for(f, &server.base_url());
    let send = |extra: &[&str]| {
        let mut args = vec!["send", "--to", f.to, "--pin", PIN, "-o", "json"];
        args.extend_from_slice(extra);
        let out = env.run(&args);
        assert_eq!(
            support::code(&out),
            0,
            "{}: {}",
            f.id,
            support::stderr(&out)
        );
        let v = support::json(&out);
        support::assert_report_shape(&v);
        assert_eq!(v["outcome"], "accepted", "{v}");
        assert_eq!(v["verify_with"], "local", "{v}");
        assert_eq!(v["id"], id, "{v}");
        support::assert_no_leak(&out, &[PIN]);
    };
    let verify = |id: &str, code: &str| {
        let out = env.run(&["verify", "--id", id, "--code", code, "-o", "json"]);
        support::assert_no_leak(&out, &[PIN]);
        (support::code(&out), support::json(&out))
    };
    // text receipt
    let out = env.run(&["send", "--to", f.to, "--pin", PIN]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains(&format!("accepted by {}", f.id)), "{text}");
    assert!(text.contains(&format!("otp verify --id {id}")), "{text}");
    assert!(!text.contains(PIN), "{text}");

    // right code, then reuse
    send(&[]);
    let (code, v) = verify(id, PIN);
    assert_eq!((code, v["outcome"].as_str()), (0, Some("verified")), "{v}");
    let (code, v) = verify(id, PIN);
    assert_eq!(
        (code, v["reason"].as_str()),
        (1, Some("already_used")),
        "{v}"
    );

    // wrong codes until locked
    send(&["--attempts", "2"]);
    let (code, v) = verify(id, "000000");
    assert_eq!((code, v["reason"].as_str()), (1, Some("wrong_code")), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1 attempt left"),
        "{v}"
    );
    verify(id, "111111");
    let (_, v) = verify(id, PIN);
    assert_eq!(v["reason"], "attempts_exhausted", "{v}");

    // expiry
    send(&["--ttl", "1s"]);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (_, v) = verify(id, PIN);
    assert_eq!(v["reason"], "expired", "{v}");

    // a new send to the number (another message id) replaces the record
    send(&[]);
    let (reply2, id2) = second;
    let server2 = MockServer::start();
    battery::mock(&server2, POST, path, f.success_status, reply2);
    env.config(&format!(
        "default_profile = \"t\"\n[profiles.t]\n{}",
        (f.profile)(&server2.base_url())
    ));
    let out = env.run(&["send", "--to", f.to, "--pin", "135790", "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::stdout(&out).trim(), id2);
    let (code, v) = verify(id, PIN);
    assert_eq!((code, v["reason"].as_str()), (1, Some("expired")), "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("replaced"),
        "{v}"
    );
    let (code, v) = verify(id2, "135790");
    assert_eq!(code, 0, "{v}");
}

#[test]
fn local_verify_loop_end_to_end() {
    local_verify_loop(
        &FIXTURE,
        "/",
        (SUCCESS, MSG),
        (r#"{"MessageId":"second-message-id"}"#, "second-message-id"),
    );
}

#[test]
fn a_send_on_one_machine_verifies_on_another_with_the_shared_store() {
    let Some(redis) = crate::support::redis::Redis::start() else {
        return;
    };
    let server = MockServer::start();
    battery::mock(&server, POST, "/", 200, SUCCESS);
    let machine = || {
        let env = Env::new()
            .var("OTP_STORE", &redis.url())
            .var("OTP_STORE_KEY", "shared-store-key-for-aws");
        env.config(&format!(
            "default_profile = \"t\"\n[profiles.t]\n{}",
            profile(&server.base_url())
        ));
        env
    };
    let (a, b) = (machine(), machine());
    let out = a.run(&["send", "--to", TO, "--pin", PIN, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::stdout(&out).trim(), MSG);
    let out = b.run(&["verify", "--id", MSG, "--code", "000000", "-o", "json"]);
    assert_eq!(support::json(&out)["reason"], "wrong_code");
    let out = b.run(&["verify", "--id", MSG, "--code", PIN, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let out = a.run(&["verify", "--id", MSG, "--code", PIN, "-o", "json"]);
    assert_eq!(support::json(&out)["reason"], "already_used");
    support::assert_no_leak(&out, &[PIN]);
}
