//! Masking by value never corrupts structure (issue 15 item 7, issue 14's common-word
//! secrets): with a key equal to `true`, `null`, a provider name or a URL word, every
//! JSON document parses and the fields the tool owns are intact; a PIN inside an id or
//! a number leaves them alone; a weak key is warned about.

use crate::support::{self, Env, CANARY};
use httpmock::prelude::*;
use serde_json::json;

const TO: &str = "+2347065250817";
const PIN_ID: &str = "b1f2242a-44c5-4eed-94bc-8d37b67ef219";

fn termii_env(base: &str, key: &str) -> Env {
    let env = Env::new().var("TERMII_API_KEY", key);
    env.config(&format!(
        "default_profile = \"ng\"\n[profiles.ng]\nprovider = \"termii\"\nbase_url = \"{base}\"\napi_key = {{ env = \"TERMII_API_KEY\" }}\nsender = \"Acme\"\n"
    ));
    env
}

/// stdout is one JSON document (not just something `support::json` tolerates).
fn strict_json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            support::stdout(out),
            support::stderr(out)
        )
    })
}

#[test]
fn a_key_equal_to_a_common_word_leaves_every_document_valid() {
    for key in ["true", "null", "termii", "sms", "redirect", "false"] {
        let server = MockServer::start();
        let env = termii_env(&server.base_url(), key);

        // Dry run: the tool's fields, the URL it built and the field names untouched.
        let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{key}: {}", support::stderr(&out));
        let v = strict_json(&out);
        assert_eq!(v["ok"], true, "{key}");
        assert_eq!(v["outcome"], "dry_run", "{key}");
        assert_eq!(v["provider"], "termii", "{key}");
        assert_eq!(v["to"], TO, "{key}");
        assert_eq!(
            v["request"]["url"],
            format!("{}/api/sms/otp/send", server.base_url()),
            "{key}"
        );
        assert_eq!(v["request"]["method"], "POST");
        assert_eq!(v["request"]["body"]["api_key"], "***", "{key}");
        let err = support::stderr(&out);
        assert_eq!(
            err.matches("shorter than 6 characters or a common word")
                .count(),
            1,
            "{key}: warned once: {err}"
        );
        // Text dry run: the request line is the one built.
        let out = env.run(&["send", "--to", TO, "--dry-run"]);
        assert!(
            support::stdout(&out).contains(&format!("POST {}/api/sms/otp/send", server.base_url())),
            "{key}: {}",
            support::stdout(&out)
        );

        // A real send whose reply echoes the key in free text.
        let reply = json!({"pinId": PIN_ID, "to": "2347065250817", "smsStatus": format!("Message Sent {key}"), "status": "200"});
        let send = server.mock(|when, then| {
            when.method(POST).path("/api/sms/otp/send");
            then.status(200)
                .header("content-type", "application/json")
                .body(reply.to_string());
        });
        let out = env.run(&["send", "--to", TO, "-o", "json"]);
        assert_eq!(support::code(&out), 0, "{key}: {}", support::stderr(&out));
        send.assert();
        let v = strict_json(&out);
        assert_eq!(v["ok"], true, "{key}");
        assert_eq!(v["outcome"], "accepted", "{key}");
        assert_eq!(v["provider"], "termii", "{key}");
        assert_eq!(v["id"], PIN_ID, "{key}");
        assert_eq!(v["verify_with"], "provider", "{key}");
        assert!(v["error"].is_null(), "{key}");

        // A failed verify: error.kind and reason are the tool's words.
        let verify = server.mock(|when, then| {
            when.method(POST).path("/api/sms/otp/verify");
            then.status(400)
                .header("content-type", "application/json")
                .body(format!(r#"{{"verified":"Invalid Pin {key}"}}"#));
        });
        let out = env.run(&["verify", "--id", PIN_ID, "--code", "000000", "-o", "json"]);
        verify.assert();
        let v = strict_json(&out);
        assert_eq!(v["ok"], false, "{key}");
        assert_eq!(v["outcome"], "not_verified", "{key}");
        assert_eq!(v["provider"], "termii", "{key}");
        assert_eq!(v["id"], PIN_ID, "{key}");
        assert!(v["error"]["kind"].is_string(), "{key}: {v}");
        assert_ne!(v["error"]["kind"], "***", "{key}");
        assert!(
            !v["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("Pin {key}")),
            "{key}: free text is still masked: {v}"
        );

        // status -o json, the record's fields intact.
        let out = env.run(&["status", "--id", PIN_ID, "-o", "json"]);
        let v = strict_json(&out);
        assert_eq!(v["id"], PIN_ID, "{key}");
        assert_eq!(v["provider"], "termii", "{key}");
    }
}

#[test]
fn a_strong_key_is_not_warned_about() {
    let env = termii_env("https://api.ng.termii.com", CANARY);
    let out = env.run(&["send", "--to", TO, "--dry-run", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert!(!support::stderr(&out).contains("common word"));
    support::assert_no_leak(&out, &[]);
}

#[test]
fn a_pin_inside_the_number_leaves_to_intact() {
    let env = Env::new();
    let out = env.run(&["send", "--to", "+15551234567", "--pin", "555123", "--json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = strict_json(&out);
    assert_eq!(v["to"], "+15551234567");
    let id = v["id"].as_str().unwrap().to_string();
    let out = env.run(&["verify", "--id", &id, "--code", "555123", "--json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(strict_json(&out)["to"], "+15551234567");
}

#[test]
fn a_pin_inside_the_vendor_id_keeps_the_id_verifiable() {
    const TX: &str = "TX-482913-77";
    const PIN: &str = "482913";
    let server = MockServer::start();
    let send = server.mock(|when, then| {
        when.method(POST).path("/v1/api/apps/a1b2c3d4/send_otp");
        then.status(200)
            .header("content-type", "application/json")
            .body(
                json!({"code": 0, "result": {"serviceID": "svc-1", "status": true, "transactionID": [TX]}})
                    .to_string(),
            );
    });
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"hk\"\n[profiles.hk]\nprovider = \"cinnox\"\nbase_url = \"{}\"\napp_id = \"a1b2c3d4\"\napp_token = \"{CANARY}\"\nsender = \"Acme\"\n",
        server.base_url()
    ));
    let out = env.run(&["send", "--to", "+85291234567", "--pin", PIN, "-q"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    assert_eq!(support::stdout(&out).trim(), TX);
    let out = env.run(&[
        "send",
        "--to",
        "+85291234567",
        "--pin",
        PIN,
        "--force",
        "-o",
        "json",
    ]);
    assert_eq!(strict_json(&out)["id"], TX);
    let out = env.run(&["send", "--to", "+85291234567", "--pin", PIN, "--force"]);
    let text = support::stdout(&out);
    assert!(
        text.contains(&format!("otp verify --id {TX} --code")),
        "{text}"
    );
    assert!(!text.contains("***"), "{text}");
    send.assert_hits(3);

    let out = env.run(&["verify", "--id", TX, "--code", PIN, "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = strict_json(&out);
    assert_eq!(v["outcome"], "verified");
    assert_eq!(v["id"], TX);
}

#[test]
fn a_vendor_echo_of_the_key_in_any_encoding_is_masked() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let lower_pct = form_urlencoded::byte_serialize(CANARY.as_bytes())
        .collect::<String>()
        .to_lowercase();
    let hex: String = CANARY.bytes().map(|b| format!("{b:02X}")).collect();
    let echo = format!(
        "bad key {} {} {lower_pct} {hex} {}",
        CANARY.to_uppercase(),
        b64.encode(CANARY),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(CANARY)
    );
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/api/sms/otp/send");
        then.status(401)
            .header("content-type", "application/json")
            .body(json!({"message": echo}).to_string());
    });
    let env = termii_env(&server.base_url(), CANARY);
    for args in [&["-o", "json"][..], &["-v"][..]] {
        let mut a = vec!["send", "--to", TO];
        a.extend_from_slice(args);
        let out = env.run(&a);
        assert_eq!(support::code(&out), 4, "{}", support::stderr(&out));
        let all = format!("{}{}", support::stdout(&out), support::stderr(&out));
        for form in [
            CANARY.to_string(),
            CANARY.to_uppercase(),
            b64.encode(CANARY),
            lower_pct.clone(),
            hex.clone(),
            hex.to_lowercase(),
        ] {
            assert!(!all.contains(&form), "{args:?}: {form} in {all}");
        }
        if args == ["-o", "json"] {
            strict_json(&out);
        }
    }
}

/// A TLS server with a self-signed certificate (openssl's own test server).
struct SelfSigned {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl SelfSigned {
    fn start() -> SelfSigned {
        use std::process::{Command, Stdio};
        let dir = tempfile::tempdir().unwrap();
        let (key, cert) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
        let made = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args([
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("the openssl command-line tool is needed for this test");
        assert!(made.success());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("openssl")
            .args(["s_server", "-quiet", "-www", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&cert)
            .arg("-key")
            .arg(&key)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Readiness, not a time limit: wait until it accepts.
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        SelfSigned {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for SelfSigned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn an_untrusted_certificate_points_at_ca_file() {
    let tls = SelfSigned::start();
    let env = termii_env(&format!("https://localhost:{}", tls.port), CANARY);
    let out = env.run(&["send", "--to", TO, "-o", "json"]);
    assert_eq!(support::code(&out), 5, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(err.contains("certificate"), "{err}");
    assert!(
        err.contains("hint:") && err.contains("ca_file") && err.contains("SSL_CERT_FILE"),
        "{err}"
    );
    assert_eq!(strict_json(&out)["outcome"], "not_sent");
}
