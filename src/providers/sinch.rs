//! Sinch Verification v1: `POST /verification/v1/verifications` starts an SMS
//! verification in which Sinch makes, sends and keeps the code; `PUT
//! …/verifications/id/{id}` reports the code the user typed, `GET` on that path shows the
//! verification. Every request is signed as Sinch's SDK signs it: `Authorization:
//! Application <key>:<signature>` and `x-timestamp`, an HMAC-SHA256 keyed with the
//! base64-decoded application secret over the method, the body's MD5, the content type,
//! the timestamp and the path. The app settings in Sinch's dashboard decide the code's
//! length, lifetime, attempts and text.

use super::{
    hmac_key, hmac_signature, http_failure, is_success, missing_field, path_segment, reply_json,
    signed_path, snippet, text_at, vendor_message, Accepted, Channel, Info, Key, KeyType,
    LengthRule, Method, Otp, PinBy, Plan, Provider, Reply, Request, Stamp, TtlRule, VerifyBy,
};
use crate::config::{Profile, Source};
use crate::error::{Failure, Kind, Reason};
use crate::message::PinType;
use crate::redact::{self, Secret};
use base64::Engine as _;
use serde_json::{json, Value};

/// What Sinch's SDK sends and signs on every request, GET included.
const CONTENT_TYPE: &str = "application/json; charset=UTF-8";

pub static INFO: Info = Info {
    id: "sinch",
    aliases: &[],
    name: "Sinch Verification",
    about: "Sinch Verification v1; Sinch makes, sends and verifies the code and writes the message itself (status)",
    pin_by: PinBy::Provider,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms],
    pin_types: &[PinType::Numeric],
    // The app settings decide the length; 4 digits is Sinch's usual, used only to count
    // segments (and Sinch writes the text anyway).
    length: LengthRule::ProviderChooses(4),
    ttl: TtlRule::ProviderChooses,
    attempts: None,
    callback: false,
    default_base_url: Some("https://verification.api.sinch.com"),
    keys: &[
        Key::new(
            "application_key",
            KeyType::Str,
            "Sinch Verification application key (the key in `Authorization: Application key:signature`)",
        )
        .required(),
        Key::new(
            "application_secret",
            KeyType::Secret,
            "the application's secret, base64 as Sinch issues it; it keys the request signature and is never sent",
        )
        .required(),
    ],
    example: "provider = \"sinch\"\n\
              application_key = \"00000000-1111-2222-3333-444444444444\"   # Verification > Apps\n\
              application_secret = { env = \"SINCH_APPLICATION_SECRET\" }   # base64, as issued\n",
    credentials_hint: "the application key and secret are in the Sinch Customer Dashboard, under Verification > Apps",
    decided_at: Some("the Sinch dashboard, Verification > Apps"),
    writes_message: true,
    takes_sender: false,
    build,
};

/// Where the text, length, lifetime and sender are changed instead.
const APP_HINT: &str = "the Sinch Verification app's settings (Sinch dashboard > Verification > Apps) decide the message, the code's length and lifetime, and the sender";

struct Sinch {
    base: String,
    application_key: String,
    /// The HMAC key: the decoded secret, never printed.
    key: ring::hmac::Key,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let application_key = profile.require_text("application_key")?.trim().to_string();
    let secret = profile.require_secret("application_secret")?;
    let key = hmac_key(&secret).ok_or_else(|| {
        // The value is not echoed: it is a secret.
        profile
            .bad_value(
                "application_secret",
                "application_secret is not base64, which is how Sinch issues it",
            )
            .hint("copy the application secret again from the Sinch dashboard (Verification > Apps), unchanged")
    })?;
    // In the file, `config check` reports it; from a flag or env, `send` refuses it.
    if profile.source("message") == Some(Source::File) {
        return Err(message_refused());
    }
    Ok(Box::new(Sinch {
        base: profile.base_url()?,
        application_key,
        key,
    }))
}

fn message_refused() -> Failure {
    Failure::usage(
        "sinch writes the message itself, so --message, --lang, --webotp-domain, --app-hash or `message` cannot be used",
    )
    .hint(APP_HINT)
}

/// The time as Sinch's SDK writes `x-timestamp` (Python's `isoformat()` in UTC:
/// microseconds only when there are some).
fn iso_time(stamp: &Stamp) -> Result<String, Failure> {
    let ts = jiff::Timestamp::try_from(stamp.at)
        .map_err(|_| Failure::usage("the system clock reads a time otp cannot sign"))?;
    let micros = ts.subsec_microsecond();
    let frac = if micros == 0 {
        String::new()
    } else {
        format!(".{micros:06}")
    };
    Ok(format!("{}{frac}+00:00", ts.strftime("%Y-%m-%dT%H:%M:%S")))
}

/// The signature Sinch checks: base64 HMAC-SHA256 over `METHOD\n<base64 MD5 of the body,
/// or nothing>\n<content type>\nx-timestamp:<time>\n<path>`.
fn signature(
    key: &ring::hmac::Key,
    method: &str,
    body: &[u8],
    content_type: &str,
    timestamp: &str,
    path: &str,
) -> String {
    use md5::Digest as _;
    let md5 = if body.is_empty() {
        String::new()
    } else {
        base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body))
    };
    let text = format!("{method}\n{md5}\n{content_type}\nx-timestamp:{timestamp}\n{path}");
    hmac_signature(key, &text)
}

impl Sinch {
    fn request(&self, method: Method, path: &str) -> Request {
        Request::new(method, format!("{}/verification/v1{path}", self.base))
            .header("Content-Type", CONTENT_TYPE)
    }

    fn verification(&self, method: Method, id: &str) -> Request {
        self.request(method, &format!("/verifications/id/{}", path_segment(id)))
    }
}

/// What a verification's `status` and `reason` say about the code.
fn verdict(status: &str, reason: Option<&str>) -> Option<(Reason, String)> {
    let said = reason
        .filter(|r| !r.trim().is_empty())
        .map(|r| format!(" ({})", redact::vendor_text(r)))
        .unwrap_or_default();
    let reason_is = |w: &str| reason.is_some_and(|r| r.trim().eq_ignore_ascii_case(w));
    Some(match status.to_ascii_uppercase().as_str() {
        // Still open after a report: the code was not the one sent.
        "PENDING" => (Reason::WrongCode, "wrong code".into()),
        "FAIL" if reason_is("Invalid code") => (Reason::WrongCode, "wrong code".into()),
        "FAIL" if reason_is("Expired") => (
            Reason::Expired,
            "sinch says this verification has expired".into(),
        ),
        // Sinch ended the verification for a cause of its own (fraud, credit, a denied
        // destination...): no code will verify it, so it reads as expired.
        "FAIL" | "DENIED" | "ABORTED" | "ERROR" => (
            Reason::Expired,
            format!(
                "sinch ended this verification: {}{said}",
                status.to_ascii_uppercase()
            ),
        ),
        _ => return None,
    })
}

impl Provider for Sinch {
    fn info(&self) -> &'static Info {
        &INFO
    }

    /// Sinch's errors are `{"errorCode", "message"}` (or `{"message"}`); its codes are
    /// not published with their meanings, so the HTTP status decides the kind.
    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        let f = http_failure(
            INFO.id,
            reply,
            None,
            vendor_message(v),
            text_at(v, "errorCode").filter(|c| !c.trim().is_empty()),
        );
        if f.kind == Kind::Auth {
            f.hint("check application_key and application_secret (Sinch dashboard > Verification > Apps), and that this machine's clock is right: the signature carries the time")
        } else {
            f
        }
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        if otp.message_chosen || otp.app_hash.is_some() {
            return Err(message_refused());
        }
        // Dropping it silently would send under a name the user did not choose.
        if let Some(sender) = otp.sender() {
            return Err(Failure::usage(format!(
                "sinch's app settings choose the sender, so sender \"{}\" cannot be used",
                redact::echo(sender)
            ))
            .hint(format!("drop --sender / sender; {APP_HINT}")));
        }
        Ok(Plan::Http(
            self.request(Method::Post, "/verifications").json(json!({
                "identity": {"type": "number", "endpoint": otp.to.e164()},
                "method": "sms",
                "smsOptions": {},
            })),
        ))
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        match text_at(&v, "id").filter(|s| !s.trim().is_empty()) {
            Some(id) => Ok(Accepted {
                id,
                ..Accepted::default()
            }),
            // Sinch's error document passed on with a 2xx: a refusal in its documented
            // shape. Anything else without an id may have been sent.
            None if text_at(&v, "errorCode").is_some() => Err(self.refusal(reply, &v)),
            None => Err(missing_field(INFO.id, "id", reply)),
        }
    }

    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        Ok(self
            .verification(Method::Put, id)
            .json(json!({"method": "sms", "sms": {"code": code.expose()}})))
    }

    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        if reply.status == 404 {
            // Whatever the body (JSON or none).
            let v = serde_json::from_slice::<Value>(&reply.body).unwrap_or(Value::Null);
            // Sinch no longer knows the id: the local record says why (used, expired).
            return Err(Failure::not_verified(
                Reason::UnknownId,
                "sinch does not know this verification (expired, used or never sent)",
            )
            .status(404)
            .code(text_at(&v, "errorCode"))
            .ask_record());
        }
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let status = text_at(&v, "status").unwrap_or_default();
        if status.eq_ignore_ascii_case("SUCCESSFUL") {
            return Ok(());
        }
        let reason = text_at(&v, "reason");
        match verdict(&status, reason.as_deref()) {
            Some((r, what)) => Err(Failure::not_verified(r, what)
                .status(reply.status)
                .code(Some(status.to_ascii_uppercase()))),
            None if text_at(&v, "errorCode").is_some() => Err(self.refusal(reply, &v)),
            None => Err(Failure::unknown(
                Kind::BadResponse,
                format!(
                    "sinch answered HTTP {} with status \"{}\"; otp cannot tell whether the code is right",
                    reply.status,
                    redact::vendor_text(&status)
                ),
            )
            .status(reply.status)
            .detail(snippet(reply))),
        }
    }

    fn status(&self, id: &str) -> Option<Request> {
        Some(self.verification(Method::Get, id))
    }

    /// `Authorization: Application key:signature` and `x-timestamp`, over the request as
    /// it will be sent.
    fn sign(&self, req: Request, stamp: &Stamp) -> Result<Request, Failure> {
        let timestamp = iso_time(stamp)?;
        let content_type = req
            .header_value("content-type")
            .or(req.content_type())
            .unwrap_or_default()
            .to_string();
        let sig = signature(
            &self.key,
            req.method.as_str(),
            &req.body_bytes(),
            &content_type,
            &timestamp,
            &signed_path(&req)?,
        );
        let mut req = req;
        req.headers.retain(|(k, _)| {
            !k.eq_ignore_ascii_case("authorization") && !k.eq_ignore_ascii_case("x-timestamp")
        });
        Ok(req
            .header(
                "Authorization",
                format!("Application {}:{sig}", self.application_key),
            )
            .header("x-timestamp", timestamp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, reply};
    use crate::providers::Body;
    use std::time::{Duration, SystemTime};

    const APP_KEY: &str = "1c9a4f0e-5b7d-4e2a-9f3c-2d8b6a4e0f11";
    const SECRET: &str = "K9u1nJd4S2mFq7Vx0bTzRw==";
    const TS: &str = "2026-12-07T17:41:29.123456+00:00";
    const START: &str = r#"{"identity":{"type":"number","endpoint":"+46700000000"},"method":"sms","smsOptions":{}}"#;

    fn provider(extra: &str) -> Result<Box<dyn Provider>, Failure> {
        build(&testing::profile(&format!(
            "provider = \"sinch\"\nbase_url = \"https://verification.api.sinch.com\"\n{extra}"
        )))
    }

    fn keyed() -> Box<dyn Provider> {
        provider(&format!(
            "application_key = \"{APP_KEY}\"\napplication_secret = \"{SECRET}\"\n"
        ))
        .unwrap()
    }

    /// 2026-12-07T17:41:29.123456Z, the time of the SDK reference signatures below.
    fn stamp() -> Stamp {
        let at = "2026-12-07T17:41:29.123456Z"
            .parse::<jiff::Timestamp>()
            .unwrap();
        Stamp {
            at: SystemTime::try_from(at).unwrap(),
            nonce: "unused-by-sinch".into(),
        }
    }

    fn http(plan: Plan) -> Request {
        match plan {
            Plan::Http(r) => r,
            other => panic!("not HTTP: {other:?}"),
        }
    }

    fn headers(r: &Request) -> Vec<(&str, &str)> {
        r.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The three reference signatures were computed by Sinch's own Python SDK (PyPI
    /// `sinch` 1.1.4, the last with Verification): `sinch/core/signature.py`'s
    /// `Signature(sinch, method, body, path, signature_timestamp=TS)
    /// .get_http_headers_with_signature()`, with a configuration holding APP_KEY and
    /// SECRET and the exact body bytes otp sends (compact JSON). Run locally, offline.
    #[test]
    fn signatures_match_sinchs_sdk() {
        let p = keyed();
        let o = testing::otp("+46700000000", None, "Your code is {{code}}");
        let r = p.sign(http(p.send(&o).unwrap()), &stamp()).unwrap();
        assert_eq!(String::from_utf8(r.body_bytes()).unwrap(), START);
        assert_eq!(
            headers(&r),
            vec![
                ("Content-Type", CONTENT_TYPE),
                (
                    "Authorization",
                    "Application 1c9a4f0e-5b7d-4e2a-9f3c-2d8b6a4e0f11:3j6/Y34y+YkI0A2FhDHjgMJTUJMRDHxi3YmuhPg4Emk="
                ),
                ("x-timestamp", TS),
            ]
        );
        assert_eq!(
            r.content_type(),
            None,
            "the signed Content-Type is the only one"
        );

        let r = p
            .sign(
                p.verify("1234567890", &Secret::pin("123456")).unwrap(),
                &stamp(),
            )
            .unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (
                Method::Put,
                "https://verification.api.sinch.com/verification/v1/verifications/id/1234567890"
            )
        );
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            r#"{"method":"sms","sms":{"code":"123456"}}"#
        );
        assert_eq!(
            r.header_value("authorization"),
            Some("Application 1c9a4f0e-5b7d-4e2a-9f3c-2d8b6a4e0f11:Fdgv+TiGQrqV4Pw5anh7iAYoIJvbiJPb3nEGRH9MSBE=")
        );

        let r = p.sign(p.status("1234567890").unwrap(), &stamp()).unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.body, Body::Empty);
        assert_eq!(
            r.header_value("authorization"),
            Some("Application 1c9a4f0e-5b7d-4e2a-9f3c-2d8b6a4e0f11:9tgTLRKIvlvKFoljeaiXmUu4lloFrbRaQnglETKnOHw=")
        );
        assert_eq!(r.header_value("content-type"), Some(CONTENT_TYPE));
    }

    #[test]
    fn signing_is_pure_and_covers_params_time_and_path() {
        let p = keyed();
        let o = testing::otp("+46700000000", None, "x {{code}}");
        let base = http(p.send(&o).unwrap());
        let a = p.sign(base.clone(), &stamp()).unwrap();
        assert_eq!(a, p.sign(base.clone(), &stamp()).unwrap());
        // Signing twice replaces, never stacks.
        assert_eq!(a, p.sign(a.clone(), &stamp()).unwrap());
        let later = Stamp {
            at: stamp().at + Duration::from_secs(1),
            ..stamp()
        };
        let b = p.sign(base.clone(), &later).unwrap();
        assert_ne!(
            a.header_value("authorization"),
            b.header_value("authorization")
        );
        assert_eq!(
            b.header_value("x-timestamp"),
            Some("2026-12-07T17:41:30.123456+00:00")
        );
        let mut with_param = base.clone();
        with_param.apply_params(&[("reference".into(), "order-1".into())]);
        let c = p.sign(with_param, &stamp()).unwrap();
        assert_ne!(
            a.header_value("authorization"),
            c.header_value("authorization")
        );
        // Whole seconds print as Python's isoformat() does: no fraction.
        let whole = Stamp {
            at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_765_129_289),
            ..stamp()
        };
        assert_eq!(
            p.sign(base, &whole).unwrap().header_value("x-timestamp"),
            Some("2025-12-07T17:41:29+00:00")
        );
    }

    #[test]
    fn the_signature_and_secret_never_print() {
        let p = keyed();
        let o = testing::otp("+46700000000", None, "x {{code}}");
        let r = p.sign(http(p.send(&o).unwrap()), &stamp()).unwrap();
        let text = r.render_text();
        assert!(text.contains("Authorization: Application ***"), "{text}");
        assert!(!text.contains("3j6/Y34y"), "{text}");
        assert!(!text.contains(SECRET), "{text}");
        let doc = r.to_json().to_string();
        assert!(!doc.contains("3j6/Y34y") && !doc.contains(SECRET), "{doc}");
        // By value too, wherever a vendor or proxy echoes it.
        let sig = "3j6/Y34y+YkI0A2FhDHjgMJTUJMRDHxi3YmuhPg4Emk=";
        assert!(!redact::scrub(&format!("echo {sig}")).contains(sig));
    }

    #[test]
    fn send_request_is_the_sdks() {
        let o = testing::otp("+46 70 000 0000", None, "Your code is {{code}}");
        let r = http(keyed().send(&o).unwrap());
        assert_eq!(
            (r.method, r.url.as_str()),
            (
                Method::Post,
                "https://verification.api.sinch.com/verification/v1/verifications"
            )
        );
        assert_eq!(
            r.body,
            Body::Json(json!({
                "identity": {"type": "number", "endpoint": "+46700000000"},
                "method": "sms",
                "smsOptions": {},
            }))
        );
    }

    #[test]
    fn what_the_app_decides_is_refused() {
        let p = keyed();
        let mut o = testing::otp("+46700000000", None, "Code {{code}}");
        o.message_chosen = true;
        let e = p.send(&o).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint.unwrap().contains("Verification > Apps"));
        let mut o = testing::otp("+46700000000", None, "Code {{code}}");
        o.app_hash = Some("FA+9qCX9VSu".into());
        assert_eq!(p.send(&o).unwrap_err().exit_code(), 2);
        let o = testing::otp("+46700000000", Some("Acme"), "Code {{code}}");
        let e = p.send(&o).unwrap_err();
        assert!(e.message.contains("sender"), "{}", e.message);
        let e = provider(&format!(
            "application_key = \"{APP_KEY}\"\napplication_secret = \"{SECRET}\"\nmessage = \"Code {{{{code}}}}\"\n"
        ))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn credentials_are_required_and_the_secret_must_be_base64() {
        for (creds, key) in [
            (
                format!("application_secret = \"{SECRET}\"\n"),
                "application_key",
            ),
            (
                format!("application_key = \"{APP_KEY}\"\n"),
                "application_secret",
            ),
        ] {
            let e = provider(&creds).err().unwrap();
            assert_eq!(e.exit_code(), 3);
            assert!(e.message.contains(key), "{}", e.message);
        }
        let bad = "not base64 at all!";
        let e = provider(&format!(
            "application_key = \"{APP_KEY}\"\napplication_secret = \"{bad}\"\n"
        ))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("base64"), "{}", e.message);
        assert!(!e.message.contains(bad) && !e.hint.unwrap().contains(bad));
        for ok in ["K9u1nJd4S2mFq7Vx0bTzRw", "K9u1nJd4S2mFq7Vx0bTzRw==", "-_-_"] {
            assert!(hmac_key(&Secret::new(ok)).is_some(), "{ok}");
        }
        for bad in ["", "abcde", "+-+-", "a b"] {
            assert!(hmac_key(&Secret::new(bad)).is_none(), "{bad}");
        }
    }

    #[test]
    fn start_replies() {
        let p = keyed();
        let a = p
            .send_reply(&reply(
                200,
                r#"{"id":"1234567890","method":"sms","sms":{"template":"Your code is {{CODE}}","interceptionTimeout":298},"_links":[{"rel":"status","href":"https://verification.api.sinch.com/verification/v1/verifications/id/1234567890","method":"GET"}]}"#,
            ))
            .unwrap();
        assert_eq!(a.id, "1234567890");
        assert_eq!((a.expires_at, a.cost), (None, None));
        for (status, body, kind, code) in [
            (
                401,
                r#"{"errorCode":40100,"message":"Invalid signature"}"#,
                Kind::Auth,
                Some("40100"),
            ),
            (
                400,
                r#"{"errorCode":40001,"message":"Invalid identity"}"#,
                Kind::InvalidRequest,
                Some("40001"),
            ),
            (
                402,
                r#"{"message":"Not enough credit"}"#,
                Kind::InsufficientFunds,
                None,
            ),
            (
                429,
                r#"{"message":"Too many requests"}"#,
                Kind::RateLimited,
                None,
            ),
            (
                200,
                r#"{"errorCode":40003,"message":"Invalid request"}"#,
                Kind::InvalidRequest,
                Some("40003"),
            ),
        ] {
            let e = p.send_reply(&reply(status, body)).unwrap_err();
            assert_eq!((e.kind, e.outcome), (kind, Outcome::Rejected), "{body}");
            assert_eq!(e.provider_code.as_deref(), code, "{body}");
        }
        let e = p
            .send_reply(&reply(401, r#"{"errorCode":40100,"message":"x"}"#))
            .unwrap_err();
        assert!(e.hint.unwrap().contains("clock"));
        // No id and no documented error: it may have been sent.
        for (status, body) in [
            (200, "{}"),
            (200, r#"{"message":"accepted?"}"#),
            (200, r#"{"id":""}"#),
            (500, r#"{"errorCode":50000,"message":"Internal error"}"#),
            (503, "{}"),
        ] {
            let e = p.send_reply(&reply(status, body)).unwrap_err();
            assert_eq!(e.exit_code(), 6, "{status} {body}");
        }
    }

    #[test]
    fn verify_verdicts_for_every_status_and_reason() {
        let p = keyed();
        let answer = |body: &str| p.verify_reply(&reply(200, body));
        assert!(answer(r#"{"id":"1","method":"sms","status":"SUCCESSFUL"}"#).is_ok());
        for (body, reason, exit) in [
            (
                r#"{"id":"1","status":"FAIL","reason":"Invalid code"}"#,
                Reason::WrongCode,
                1,
            ),
            (r#"{"id":"1","status":"PENDING"}"#, Reason::WrongCode, 1),
            (
                r#"{"id":"1","status":"FAIL","reason":"Expired"}"#,
                Reason::Expired,
                1,
            ),
            (
                r#"{"id":"1","status":"FAIL","reason":"Fraud"}"#,
                Reason::Expired,
                1,
            ),
            (r#"{"id":"1","status":"FAIL"}"#, Reason::Expired, 1),
            (
                r#"{"id":"1","status":"DENIED","reason":"Destination denied"}"#,
                Reason::Expired,
                1,
            ),
            (r#"{"id":"1","status":"ABORTED"}"#, Reason::Expired, 1),
            (
                r#"{"id":"1","status":"ERROR","reason":"Network error or number unreachable"}"#,
                Reason::Expired,
                1,
            ),
        ] {
            let f = answer(body).unwrap_err();
            assert_eq!((f.reason, f.exit_code()), (Some(reason), exit), "{body}");
        }
        let f = answer(r#"{"id":"1","status":"DENIED","reason":"Blocked"}"#).unwrap_err();
        assert!(
            f.message.contains("DENIED") && f.message.contains("Blocked"),
            "{}",
            f.message
        );
        assert_eq!(f.provider_code.as_deref(), Some("DENIED"));
        // Anything else is not a verdict.
        for body in [r#"{"id":"1","status":"DONE"}"#, r#"{"id":"1"}"#, "{}"] {
            let f = answer(body).unwrap_err();
            assert_eq!((f.kind, f.exit_code()), (Kind::BadResponse, 6), "{body}");
        }
        let f = answer(r#"{"errorCode":40003,"message":"Invalid request"}"#).unwrap_err();
        assert_eq!(f.exit_code(), 4);
        let f = p
            .verify_reply(&reply(
                404,
                r#"{"errorCode":40400,"message":"Verification not found"}"#,
            ))
            .unwrap_err();
        assert_eq!(
            (f.reason, f.exit_code(), f.ask_record),
            (Some(Reason::UnknownId), 1, true)
        );
        // A 404 whatever its body.
        let bare = Reply {
            status: 404,
            content_type: Some("text/html".into()),
            body: b"<h1>Not Found</h1>".to_vec(),
            ..Reply::default()
        };
        let f = p.verify_reply(&bare).unwrap_err();
        assert_eq!((f.reason, f.exit_code()), (Some(Reason::UnknownId), 1));
        let f = p
            .verify_reply(&reply(
                401,
                r#"{"errorCode":40100,"message":"Invalid signature"}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        let f = p.verify_reply(&reply(502, "{}")).unwrap_err();
        assert_eq!(f.exit_code(), 6);
    }

    #[test]
    fn status_is_by_id_and_there_is_no_cancel_or_balance() {
        let p = keyed();
        let r = p.status("a/b").unwrap();
        assert_eq!(
            r.url,
            "https://verification.api.sinch.com/verification/v1/verifications/id/a%2Fb"
        );
        assert!(p.cancel("1").is_none() && p.balance().is_none());
        let v = p
            .status_reply(&reply(200, r#"{"id":"1","status":"PENDING","identity":{"type":"number","endpoint":"+46700000000"}}"#))
            .unwrap();
        assert_eq!(v["status"], "PENDING");
        let e = p
            .status_reply(&reply(404, r#"{"errorCode":40400,"message":"Not found"}"#))
            .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound);
    }
}
