//! `config check --online` against local fakes: each seed vendor's cost-free call
//! (success with balance, 401, connection refused, not available), the one JSON
//! document, the exit-code rule, the store check, and that no request ever touches a
//! send path and no secret reaches any output.

use crate::providers::battery::{self, Fixture};
use crate::providers::FIXTURES;
use crate::support::{self, Env, CANARY, CANARY2};
use httpmock::prelude::*;
use serde_json::Value;

/// Where each seed vendor's cost-free call goes, and a documented success reply.
struct Online {
    id: &'static str,
    path: &'static str,
    ok_body: &'static str,
    balance: f64,
    currency: &'static str,
    /// A bad-credential reply, as the vendor sends it.
    auth_status: u16,
    auth_body: &'static str,
}

const ONLINE: &[Online] = &[
    Online {
        id: "termii",
        path: "/api/get-balance",
        ok_body: r#"{"user":"Acme Ltd","balance":1234.5,"currency":"NGN"}"#,
        balance: 1234.5,
        currency: "NGN",
        auth_status: 401,
        auth_body: "",
    },
    Online {
        id: "smscx",
        path: "/account/balance",
        ok_body: r#"{"balance":42.17,"currency":"EUR","billing":"prepaid"}"#,
        balance: 42.17,
        currency: "EUR",
        auth_status: 401,
        auth_body: r#"{"error":{"type":"invalid_api_key","code":1001,"message":"Invalid API key"}}"#,
    },
    Online {
        id: "zender",
        path: "/api/get/credits",
        ok_body: r#"{"status":200,"message":"Remaining Credits","data":{"credits":"798.634","currency":"GBP"}}"#,
        balance: 798.634,
        currency: "GBP",
        auth_status: 200,
        auth_body: r#"{"status":401,"message":"Invalid API secret supplied!","data":false}"#,
    },
];

fn fixture(id: &str) -> &'static Fixture {
    FIXTURES.iter().copied().find(|f| f.id == id).unwrap()
}

/// A config with one profile "t" of vendor `id` at `base`.
fn env_for(id: &str, base: &str) -> Env {
    battery::env_for(fixture(id), base)
}

/// A mock for every method on the vendor's send path: it must never be hit.
fn send_guard<'a>(server: &'a MockServer, id: &str) -> httpmock::Mock<'a> {
    let path = fixture(id).send_path.to_string();
    server.mock(move |when, then| {
        when.path(path);
        then.status(500);
    })
}

fn check(env: &Env, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["config", "check", "--online"];
    args.extend_from_slice(extra);
    env.run(&args)
}

/// The document's shape: every field present (null when unknown), error in its usual form.
fn assert_shape(v: &Value) {
    for f in ["ok", "profiles", "store"] {
        assert!(v.get(f).is_some(), "{f} missing from {v}");
    }
    for p in v["profiles"].as_array().expect("profiles is a list") {
        for f in [
            "profile", "provider", "ok", "online", "balance", "currency", "error",
        ] {
            assert!(p.get(f).is_some(), "profiles[].{f} missing from {v}");
        }
        assert!(
            ["ok", "failed", "not_available"].contains(&p["online"].as_str().unwrap()),
            "{v}"
        );
        assert_error_shape(&p["error"], v);
    }
    for f in ["ok", "kind", "location", "error"] {
        assert!(v["store"].get(f).is_some(), "store.{f} missing from {v}");
    }
    assert_error_shape(&v["store"]["error"], v);
}

fn assert_error_shape(e: &Value, v: &Value) {
    if e.is_null() {
        return;
    }
    for f in [
        "kind",
        "message",
        "http_status",
        "provider_code",
        "retryable",
    ] {
        assert!(e.get(f).is_some(), "error.{f} missing from {v}");
    }
}

/// A port on 127.0.0.1 that nothing listens on.
fn closed_port() -> String {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn each_vendor_proves_its_credentials_and_shows_the_balance() {
    for o in ONLINE {
        let server = MockServer::start();
        let guard = send_guard(&server, o.id);
        let m = server.mock(|when, then| {
            let when = when.method(GET).path(o.path);
            // The credential travels as the vendor wants it.
            match o.id {
                "termii" => when.query_param("api_key", CANARY),
                "smscx" => when.header("x-api-key", CANARY),
                _ => when.query_param("secret", CANARY),
            };
            then.status(200)
                .header("content-type", "application/json")
                .body(o.ok_body);
        });
        let env = env_for(o.id, &server.base_url());
        let out = check(&env, &["-o", "json"]);
        assert_eq!(
            support::code(&out),
            0,
            "{}: {}",
            o.id,
            support::stderr(&out)
        );
        let v = support::json(&out);
        assert_shape(&v);
        assert_eq!(v["ok"], true, "{v}");
        let p = &v["profiles"][0];
        assert_eq!(p["profile"], "t");
        assert_eq!(p["provider"], o.id);
        assert_eq!(p["ok"], true);
        assert_eq!(p["online"], "ok");
        assert_eq!(p["balance"].as_f64(), Some(o.balance), "{v}");
        assert_eq!(p["currency"], o.currency);
        assert!(p["error"].is_null());
        assert_eq!(v["store"]["ok"], true, "{v}");
        assert_eq!(v["store"]["kind"], "embedded");
        assert!(v["store"]["location"].is_string());
        support::assert_no_leak(&out, &[]);
        assert_eq!(m.hits(), 1, "{}", o.id);

        // Text: one line per profile, and the store's.
        let out = check(&env, &[]);
        assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
        let text = support::stdout(&out);
        let line = text.lines().find(|l| l.starts_with('t')).unwrap();
        assert!(line.contains(o.id) && line.contains(" ok"), "{text}");
        assert!(
            line.contains(&format!("balance {} {}", o.balance, o.currency)),
            "{text}"
        );
        assert!(text
            .lines()
            .any(|l| l.starts_with("store") && l.contains("ok")));
        assert_eq!(guard.hits(), 0, "{}: a send path was touched", o.id);
    }
}

#[test]
fn a_refused_credential_is_exit_4() {
    for o in ONLINE {
        let server = MockServer::start();
        let guard = send_guard(&server, o.id);
        let m = battery::mock(&server, GET, o.path, o.auth_status, o.auth_body);
        let env = env_for(o.id, &server.base_url());
        let out = check(&env, &["-o", "json"]);
        assert_eq!(
            support::code(&out),
            4,
            "{}: {}",
            o.id,
            support::stderr(&out)
        );
        let v = support::json(&out);
        assert_shape(&v);
        assert_eq!(v["ok"], false);
        let p = &v["profiles"][0];
        assert_eq!(
            (&p["ok"], &p["online"]),
            (&Value::Bool(false), &"failed".into())
        );
        assert_eq!(p["error"]["kind"], "auth", "{v}");
        assert!(p["balance"].is_null() && p["currency"].is_null());
        assert_eq!(p["error"]["retryable"], false);
        // stderr says what happened and where the credentials are.
        let err = support::stderr(&out);
        assert!(err.contains("otp: error: profile \"t\""), "{err}");
        assert!(err.contains("hint: "), "{err}");
        support::assert_no_leak(&out, &[]);
        assert_eq!(m.hits(), 1);
        assert_eq!(guard.hits(), 0);

        let out = check(&env, &[]);
        assert_eq!(support::code(&out), 4);
        assert!(
            support::stdout(&out).contains("failed (auth"),
            "{}",
            support::stdout(&out)
        );
    }
}

#[test]
fn connection_refused_is_exit_5() {
    for o in ONLINE {
        let env = env_for(o.id, &closed_port());
        let out = check(&env, &["-o", "json"]);
        assert_eq!(
            support::code(&out),
            5,
            "{}: {}",
            o.id,
            support::stderr(&out)
        );
        let v = support::json(&out);
        assert_shape(&v);
        let p = &v["profiles"][0];
        assert_eq!(p["online"], "failed");
        assert_eq!(p["error"]["kind"], "network", "{v}");
        assert_eq!(p["error"]["retryable"], true);
        support::assert_no_leak(&out, &[]);
    }
}

#[test]
fn vendors_without_a_free_call_are_not_checked_online_and_pass() {
    for id in ["cinnox", "shoutout"] {
        let server = MockServer::start();
        // Any request at all would be a mistake: the vendor has no cost-free call.
        let any = server.mock(|_, then| {
            then.status(500);
        });
        let env = env_for(id, &server.base_url());
        let out = check(&env, &["-o", "json"]);
        assert_eq!(support::code(&out), 0, "{id}: {}", support::stderr(&out));
        let v = support::json(&out);
        assert_shape(&v);
        assert_eq!(v["ok"], true);
        let p = &v["profiles"][0];
        assert_eq!(p["online"], "not_available", "{v}");
        assert_eq!(p["ok"], true);
        assert!(p["balance"].is_null() && p["error"].is_null());
        let out = check(&env, &[]);
        assert_eq!(support::code(&out), 0);
        assert!(
            support::stdout(&out).contains("not checked online"),
            "{}",
            support::stdout(&out)
        );
        assert_eq!(any.hits(), 0, "{id}");
        support::assert_no_leak(&out, &[]);
    }
}

#[test]
fn zender_without_the_credits_permission_is_ok_without_a_balance() {
    let server = MockServer::start();
    battery::mock(
        &server,
        GET,
        "/api/get/credits",
        200,
        r#"{"status":403,"message":"This API key doesn't have permission to use this endpoint!","data":false}"#,
    );
    let env = env_for("zender", &server.base_url());
    let out = check(&env, &["-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    let p = &v["profiles"][0];
    assert_eq!(p["online"], "ok");
    assert!(p["balance"].is_null(), "{v}");
    assert!(p["note"].as_str().unwrap().contains("get_credits"), "{v}");
}

#[test]
fn an_empty_balance_warns_but_passes() {
    let server = MockServer::start();
    battery::mock(
        &server,
        GET,
        "/api/get-balance",
        200,
        r#"{"user":"Acme","balance":0,"currency":"NGN"}"#,
    );
    let env = env_for("termii", &server.base_url());
    let out = check(&env, &[]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(
        err.contains("otp: warning:") && err.contains("0 NGN"),
        "{err}"
    );
}

#[test]
fn verbose_and_every_answer_leak_no_secret() {
    for f in FIXTURES {
        let profile = (f.profile)("http://127.0.0.1:1");
        let secrets: Vec<&str> = [CANARY, CANARY2]
            .into_iter()
            .filter(|c| profile.contains(c))
            .collect();
        let server = MockServer::start();
        // A vendor that echoes the credential back must not get it printed.
        server.mock(|when, then| {
            when.method(GET);
            then.status(401)
                .header("content-type", "application/json")
                .body(format!(r#"{{"message":"bad key {CANARY} {CANARY2}"}}"#));
        });
        let env = env_for(f.id, &server.base_url());
        for args in [&["-v"][..], &["-v", "-o", "json"]] {
            let out = check(&env, args);
            let all = format!("{}\n{}", support::stdout(&out), support::stderr(&out));
            support::assert_none_of(&all, &secrets, &[]);
        }
    }
    // The query-string credential is shown masked in the -v trace.
    let server = MockServer::start();
    battery::mock(&server, GET, "/api/get-balance", 200, r#"{"balance":1}"#);
    let out = check(&env_for("termii", &server.base_url()), &["-v"]);
    let err = support::stderr(&out);
    assert!(err.contains("/api/get-balance?api_key=***"), "{err}");
}

#[test]
fn several_profiles_one_line_each_and_the_worst_code() {
    let good = MockServer::start();
    battery::mock(
        &good,
        GET,
        "/api/get-balance",
        200,
        r#"{"balance":5,"currency":"NGN"}"#,
    );
    let bad = MockServer::start();
    battery::mock(
        &bad,
        GET,
        "/account/balance",
        401,
        r#"{"error":{"type":"invalid_api_key"}}"#,
    );
    let dead = closed_port();
    let env = Env::new();
    env.config(&format!(
        "default_profile = \"a\"\n[profiles.a]\n{}[profiles.b]\n{}[profiles.c]\n{}[profiles.d]\nprovider = \"console\"\n",
        (fixture("termii").profile)(&good.base_url()),
        (fixture("smscx").profile)(&bad.base_url()),
        (fixture("zender").profile)(&dead),
    ));
    let out = check(&env, &["-o", "json"]);
    // a refused credential (4) outranks a request that never left (5)
    assert_eq!(support::code(&out), 4, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_shape(&v);
    let online: Vec<&str> = v["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["online"].as_str().unwrap())
        .collect();
    assert_eq!(online, ["ok", "failed", "failed", "not_available"]);
    let text = support::stdout(&check(&env, &[]));
    assert_eq!(
        text.lines().count(),
        5,
        "four profiles and the store: {text}"
    );

    // -p names one profile: only that one is checked.
    let out = check(&env, &["-p", "a", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["profiles"].as_array().unwrap().len(), 1);
    assert_eq!(v["profiles"][0]["profile"], "a");
    let out = check(&env, &["-p", "c"]);
    assert_eq!(support::code(&out), 5);
}

#[test]
fn offline_problems_make_it_exit_3_after_the_online_part() {
    let server = MockServer::start();
    let m = battery::mock(
        &server,
        GET,
        "/api/get-balance",
        200,
        r#"{"balance":5,"currency":"NGN"}"#,
    );
    let env = env_for("termii", &server.base_url());
    let text = std::fs::read_to_string(env.config_path()).unwrap();
    env.config(&format!("{text}route = \"premium\"\n"));
    let out = check(&env, &["-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_shape(&v);
    assert_eq!(v["ok"], false);
    assert!(
        v["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("generic or dnd"),
        "{v}"
    );
    let p = &v["profiles"][0];
    assert_eq!(p["ok"], false, "{v}");
    // a bad route makes the adapter refuse to build: no credentials were tried
    assert_eq!(p["error"]["kind"], "config", "{v}");
    assert_eq!(m.hits(), 0);
}

#[test]
fn an_unwritable_store_is_exit_5() {
    let server = MockServer::start();
    battery::mock(
        &server,
        GET,
        "/api/get-balance",
        200,
        r#"{"balance":5,"currency":"NGN"}"#,
    );
    let env = env_for("termii", &server.base_url());
    // The store's folder is a file: nothing can be created in it.
    std::fs::write(env.state_dir(), b"not a folder").unwrap();
    let out = check(&env, &["-o", "json"]);
    assert_eq!(support::code(&out), 5, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_shape(&v);
    assert_eq!(v["profiles"][0]["ok"], true);
    assert_eq!(v["store"]["ok"], false);
    assert_eq!(v["store"]["error"]["kind"], "store", "{v}");
    assert!(support::stderr(&out).contains("hint: "));
}

#[test]
fn the_environment_alone_is_checked_without_a_file() {
    let server = MockServer::start();
    let m = battery::mock(
        &server,
        GET,
        "/api/get-balance",
        200,
        r#"{"balance":7,"currency":"NGN"}"#,
    );
    let env = Env::new()
        .var("OTP_PROVIDER", "termii")
        .var("OTP_API_KEY", CANARY)
        .var("OTP_BASE_URL", &server.base_url());
    // termii needs a sender, as `send` does: without OTP_SENDER the check fails (3).
    let out = check(&env, &["-o", "json"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(
        support::stdout(&out).contains("OTP_SENDER"),
        "{}",
        support::stdout(&out)
    );
    let env = env.var("OTP_SENDER", "Acme");
    let out = check(&env, &["-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_shape(&v);
    assert!(v["profiles"][0]["profile"].is_null());
    assert_eq!(v["profiles"][0]["balance"], 7.0);
    assert_eq!(m.hits(), 2);
    support::assert_no_leak(&out, &[]);

    // No file and no provider named: nothing to check, exit 3.
    let out = check(&Env::new(), &["-o", "json"]);
    assert_eq!(support::code(&out), 3);
    assert_eq!(support::json(&out)["ok"], false);
}
