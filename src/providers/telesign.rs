//! Telesign SMS Verify, the API the official SDK's `VerifyClient` covers: `POST
//! /v1/verify/sms` makes and sends a code, `GET /v1/verify/{reference_id}?verify_code=`
//! checks one, the same path without the code shows the transaction. Form bodies; every
//! request is signed as the SDK signs by default: `Authorization: TSA
//! <customer_id>:<signature>` with `Date`, `x-ts-auth-method` and `x-ts-nonce`, an
//! HMAC-SHA256 keyed with the base64-decoded API key. Telesign writes its own text unless
//! the user chose one, which goes as `template` with Telesign's `$$CODE$$`.

use super::{
    form_encode, hmac_key, hmac_signature, http_failure, is_success, missing_field, path_segment,
    reply_json, signed_path, snippet, text_at, vendor_message, Accepted, Channel, Info, Key,
    KeyType, LengthRule, Method, Otp, PinBy, Plan, Provider, Reply, Request, Stamp, TtlRule,
    VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind, Reason};
use crate::message::PinType;
use crate::redact::{self, Secret};
use serde_json::Value;

/// Telesign's placeholder for the code in `template`.
const PLACEHOLDER: &str = "$$CODE$$";
const AUTH_METHOD: &str = "HMAC-SHA256";

pub static INFO: Info = Info {
    id: "telesign",
    aliases: &[],
    name: "Telesign SMS Verify",
    about: "Telesign SMS Verify (the SDK's VerifyClient); Telesign makes, sends and verifies the code (status)",
    pin_by: PinBy::Provider,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms],
    pin_types: &[PinType::Numeric],
    // Telesign picks the code; 5 digits is its usual length, used only to count segments.
    length: LengthRule::ProviderChooses(5),
    ttl: TtlRule::ProviderChooses,
    attempts: None,
    callback: false,
    default_base_url: Some("https://rest-ww.telesign.com"),
    keys: &[
        Key::new(
            "customer_id",
            KeyType::Str,
            "Telesign Customer ID (the id in `Authorization: TSA customer_id:signature`)",
        )
        .required(),
        Key::new(
            "api_key",
            KeyType::Secret,
            "Telesign API key, base64 as Telesign issues it; it keys the request signature and is never sent",
        )
        .required(),
    ],
    example: "provider = \"telesign\"\n\
              customer_id = \"FFFFFFFF-EEEE-DDDD-1234-AB1234567890\"   # Telesign portal\n\
              api_key = { env = \"TELESIGN_API_KEY\" }                  # base64, as issued\n\
              # message = \"Your Acme code is {{code}}\"   # sent as template; Telesign's own text otherwise\n",
    credentials_hint: "the Customer ID and API key are on the Telesign portal's dashboard (API keys)",
    decided_at: Some("your Telesign account, through the portal or Telesign support"),
    writes_message: false,
    takes_sender: false,
    build,
};

struct Telesign {
    base: String,
    customer_id: String,
    /// The HMAC key: the decoded API key, never printed.
    key: ring::hmac::Key,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let customer_id = profile.require_text("customer_id")?.trim().to_string();
    let api_key = profile.require_secret("api_key")?;
    let key = hmac_key(&api_key).ok_or_else(|| {
        // The value is not echoed: it is a secret.
        profile
            .bad_value(
                "api_key",
                "api_key is not base64, which is how Telesign issues it",
            )
            .hint("copy the API key again from the Telesign portal, unchanged")
    })?;
    Ok(Box::new(Telesign {
        base: profile.base_url()?,
        customer_id,
        key,
    }))
}

/// The time as the SDK writes `Date` (RFC 2616, `formatdate(usegmt=True)`).
fn http_date(stamp: &Stamp) -> Result<String, Failure> {
    let ts = jiff::Timestamp::try_from(stamp.at)
        .map_err(|_| Failure::usage("the system clock reads a time otp cannot sign"))?;
    Ok(ts.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

/// The signature Telesign checks: base64 HMAC-SHA256 over `METHOD\n<content
/// type>\n<Date>\nx-ts-auth-method:HMAC-SHA256\nx-ts-nonce:<nonce>[\n<url-encoded
/// body>]\n<path>`; the body line only when there is a content type and a body.
fn signature(
    key: &ring::hmac::Key,
    method: &str,
    content_type: &str,
    date: &str,
    nonce: &str,
    body: &str,
    path: &str,
) -> String {
    let mut text = format!(
        "{method}\n{content_type}\n{date}\nx-ts-auth-method:{AUTH_METHOD}\nx-ts-nonce:{nonce}"
    );
    if !content_type.is_empty() && !body.is_empty() {
        text.push('\n');
        text.push_str(body);
    }
    text.push('\n');
    text.push_str(path);
    hmac_signature(key, &text)
}

/// Telesign's error document: `{"errors": [{"code", "description"}], "status": {"code",
/// "description"}}`; the first error, else the status.
fn first_error(v: &Value) -> (Option<String>, Option<String>) {
    let err = v
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|a| a.first());
    let pick = |field: &str| {
        err.and_then(|e| text_at(e, field))
            .or_else(|| text_at(v, &format!("status.{field}")))
            .filter(|s| !s.trim().is_empty())
    };
    (pick("description"), pick("code"))
}

fn has_errors(v: &Value) -> bool {
    v.get("errors")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
}

impl Telesign {
    fn request(&self, method: Method, path: &str) -> Request {
        Request::new(method, format!("{}{path}", self.base))
    }

    fn transaction(&self, id: &str) -> String {
        format!("/v1/verify/{}", path_segment(id))
    }
}

impl Provider for Telesign {
    fn info(&self) -> &'static Info {
        &INFO
    }

    /// Telesign's error codes (`-30000`… for credentials, and so on) are not published
    /// with their meanings in what was read, so the HTTP status decides the kind.
    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        let (message, code) = first_error(v);
        let f = http_failure(
            INFO.id,
            reply,
            None,
            message.or_else(|| vendor_message(v)),
            code,
        );
        if f.kind == Kind::Auth {
            f.hint("check customer_id and api_key (Telesign portal), and that this machine's clock is right: the signature carries the time")
        } else {
            f
        }
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        // Dropping it silently would send under a name the user did not choose.
        if let Some(sender) = otp.sender() {
            return Err(Failure::usage(format!(
                "telesign's SMS Verify chooses the sender, so sender \"{}\" cannot be used",
                redact::echo(sender)
            ))
            .hint("drop --sender / sender; Telesign sends from its own numbers or the sender your account has set up"));
        }
        let mut form = vec![("phone_number".to_string(), otp.to.digits().to_string())];
        // Only a text the user chose (or an app-hash line) goes: otherwise Telesign's own.
        if otp.message_chosen || otp.app_hash.is_some() {
            form.push(("template".into(), otp.template.render(PLACEHOLDER)));
        }
        Ok(Plan::Http(
            self.request(Method::Post, "/v1/verify/sms").form(form),
        ))
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let id = text_at(&v, "reference_id").filter(|s| !s.trim().is_empty());
        // "290 Message in progress" and "200 Delivered to handset" say it went out.
        let underway = matches!(text_at(&v, "status.code").as_deref(), Some("290" | "200"));
        match id {
            Some(id) if !has_errors(&v) || underway => {
                let warning = has_errors(&v).then(|| {
                    let (m, c) = first_error(&v);
                    format!(
                        "telesign took the send but reported an error ({}: {})",
                        c.unwrap_or_default(),
                        redact::vendor_text(&m.unwrap_or_default())
                    )
                });
                Ok(Accepted {
                    id,
                    warning,
                    ..Accepted::default()
                })
            }
            // Its documented error document with a 2xx: a refusal.
            _ if has_errors(&v) => Err(self.refusal(reply, &v)),
            _ => Err(missing_field(INFO.id, "reference_id", reply)),
        }
    }

    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        let query = form_encode(&[("verify_code".into(), code.expose().to_string())]);
        Ok(self.request(Method::Get, &format!("{}?{query}", self.transaction(id))))
    }

    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        if reply.status == 404 {
            // Whatever the body (JSON or none).
            let v = serde_json::from_slice::<Value>(&reply.body).unwrap_or(Value::Null);
            // Telesign does not know the reference: the local record says why.
            return Err(Failure::not_verified(
                Reason::UnknownId,
                "telesign does not know this reference_id (expired or never sent)",
            )
            .status(404)
            .code(first_error(&v).1)
            .ask_record());
        }
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let state = text_at(&v, "verify.code_state").unwrap_or_default();
        let (reason, what) = match state.to_ascii_uppercase().as_str() {
            "VALID" => return Ok(()),
            "INVALID" => (Reason::WrongCode, "wrong code"),
            "EXPIRED" => (Reason::Expired, "telesign says the code has expired"),
            "MAX_ATTEMPTS_EXCEEDED" => (
                Reason::AttemptsExhausted,
                "telesign says no attempts are left for this code",
            ),
            _ if state.is_empty() && has_errors(&v) => return Err(self.refusal(reply, &v)),
            _ => {
                return Err(Failure::unknown(
                    Kind::BadResponse,
                    format!(
                        "telesign answered HTTP {} with code_state \"{}\"; otp cannot tell whether the code is right",
                        reply.status,
                        redact::vendor_text(&state)
                    ),
                )
                .status(reply.status)
                .detail(snippet(reply)))
            }
        };
        Err(Failure::not_verified(reason, what)
            .status(reply.status)
            .code(Some(state.to_ascii_uppercase())))
    }

    fn status(&self, id: &str) -> Option<Request> {
        Some(self.request(Method::Get, &self.transaction(id)))
    }

    /// `Authorization: TSA customer_id:signature`, `Date`, `x-ts-auth-method` and
    /// `x-ts-nonce`, over the request as it will be sent.
    fn sign(&self, req: Request, stamp: &Stamp) -> Result<Request, Failure> {
        let date = http_date(stamp)?;
        let content_type = req
            .header_value("content-type")
            .or(req.content_type())
            .unwrap_or_default()
            .to_string();
        let body = String::from_utf8_lossy(&req.body_bytes()).into_owned();
        let sig = signature(
            &self.key,
            req.method.as_str(),
            &content_type,
            &date,
            &stamp.nonce,
            &body,
            &signed_path(&req)?,
        );
        let mut req = req;
        req.headers.retain(|(k, _)| {
            !["authorization", "date", "x-ts-auth-method", "x-ts-nonce"]
                .iter()
                .any(|n| k.eq_ignore_ascii_case(n))
        });
        Ok(req
            .header("Authorization", format!("TSA {}:{sig}", self.customer_id))
            .header("Date", date)
            .header("x-ts-auth-method", AUTH_METHOD)
            .header("x-ts-nonce", stamp.nonce.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, reply};
    use crate::providers::Body;
    use std::time::SystemTime;

    const CUSTOMER: &str = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890";
    const KEY: &str = "vW1Ht2kvYz9aL0hQ3d8mXqJcRw5Tn6pB+o/xUe4sGfA=";
    const DATE: &str = "Mon, 07 Dec 2026 17:41:29 GMT";
    const NONCE: &str = "2c5c6d1e-7b4f-4a1a-9e8d-0f1e2d3c4b5a";
    const REF: &str = "0123456789ABCDEF0123456789ABCDEF";

    fn provider(extra: &str) -> Result<Box<dyn Provider>, Failure> {
        build(&testing::profile(&format!(
            "provider = \"telesign\"\nbase_url = \"https://rest-ww.telesign.com\"\n{extra}"
        )))
    }

    fn keyed() -> Box<dyn Provider> {
        provider(&format!(
            "customer_id = \"{CUSTOMER}\"\napi_key = \"{KEY}\"\n"
        ))
        .unwrap()
    }

    fn stamp() -> Stamp {
        let at = "2026-12-07T17:41:29Z".parse::<jiff::Timestamp>().unwrap();
        Stamp {
            at: SystemTime::try_from(at).unwrap(),
            nonce: NONCE.into(),
        }
    }

    fn http(plan: Plan) -> Request {
        match plan {
            Plan::Http(r) => r,
            other => panic!("not HTTP: {other:?}"),
        }
    }

    fn auth(r: &Request) -> &str {
        r.header_value("authorization").unwrap()
    }

    /// The reference signatures were computed by Telesign's Python SDK (PyPI `telesign`
    /// 4.1.1, under `telesignenterprise` 4.1.0's VerifyClient):
    /// `RestClient.generate_telesign_headers(CUSTOMER, KEY, method, path, fields,
    /// date_rfc2616=DATE, nonce=NONCE)`, with `fields` from the SDK's own
    /// `_encode_params`. Run locally, offline.
    #[test]
    fn signatures_match_telesigns_sdk() {
        let p = keyed();
        let o = testing::otp("+15555550100", None, "Your verification code is {{code}}");
        let r = p.sign(http(p.send(&o).unwrap()), &stamp()).unwrap();
        assert_eq!(r.url, "https://rest-ww.telesign.com/v1/verify/sms");
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            "phone_number=15555550100"
        );
        assert_eq!(
            r.headers,
            vec![
                (
                    "Authorization".to_string(),
                    format!("TSA {CUSTOMER}:XAOiLVOZfgwG7X7v/fN11bFiC2g7ZV52imGH2RDor4E=")
                ),
                ("Date".to_string(), DATE.to_string()),
                ("x-ts-auth-method".to_string(), "HMAC-SHA256".to_string()),
                ("x-ts-nonce".to_string(), NONCE.to_string()),
            ]
        );
        assert_eq!(r.content_type(), Some("application/x-www-form-urlencoded"));

        let mut o = testing::otp("+15555550100", None, "Your code is {{code}}");
        o.message_chosen = true;
        let r = p.sign(http(p.send(&o).unwrap()), &stamp()).unwrap();
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            "phone_number=15555550100&template=Your+code+is+%24%24CODE%24%24"
        );
        assert_eq!(
            auth(&r),
            format!("TSA {CUSTOMER}:OEB9geoR8DA7ZW2XZXuKMH3mXi0Ey7+wT//dRHNfDic=")
        );

        // A GET signs no content type and no fields: the query is not signed.
        let r = p
            .sign(p.verify(REF, &Secret::pin("12345")).unwrap(), &stamp())
            .unwrap();
        assert_eq!(
            r.url,
            format!("https://rest-ww.telesign.com/v1/verify/{REF}?verify_code=12345")
        );
        assert_eq!(
            auth(&r),
            format!("TSA {CUSTOMER}:Tb99SDHjEqVPq7nX66PitshizmTtAD4iiiicJKCTlQs=")
        );
        assert_eq!(r.content_type(), None);
    }

    #[test]
    fn signing_is_pure_and_each_nonce_signs_differently() {
        let p = keyed();
        let o = testing::otp("+15555550100", None, "x {{code}}");
        let base = http(p.send(&o).unwrap());
        let a = p.sign(base.clone(), &stamp()).unwrap();
        assert_eq!(a, p.sign(base.clone(), &stamp()).unwrap());
        assert_eq!(
            a,
            p.sign(a.clone(), &stamp()).unwrap(),
            "re-signing replaces"
        );
        let other = Stamp {
            nonce: "3d6d7e2f-8c5a-4b2b-8f9e-1a2b3c4d5e6f".into(),
            ..stamp()
        };
        assert_ne!(auth(&a), auth(&p.sign(base.clone(), &other).unwrap()));
        let mut with_param = base;
        with_param.apply_params(&[("language".into(), "fr".into())]);
        assert_ne!(auth(&a), auth(&p.sign(with_param, &stamp()).unwrap()));
    }

    #[test]
    fn the_key_signature_and_code_never_print() {
        let p = keyed();
        let r = p
            .sign(p.verify(REF, &Secret::pin("12")).unwrap(), &stamp())
            .unwrap();
        let text = r.render_text();
        assert!(text.contains("Authorization: TSA ***"), "{text}");
        assert!(text.contains("verify_code=***"), "{text}");
        assert!(!text.contains("Tb99SDHj") && !text.contains(KEY), "{text}");
        let sig = "Tb99SDHjEqVPq7nX66PitshizmTtAD4iiiicJKCTlQs=";
        assert!(!redact::scrub(&format!("echo {sig}")).contains(sig));
    }

    #[test]
    fn the_template_carries_telesigns_placeholder_only_when_chosen() {
        let p = keyed();
        let mut o = testing::otp("+1 (555) 555-0100", None, "Acme: {{code}} is your code");
        o.template.push_line("FA+9qCX9VSu");
        o.app_hash = Some("FA+9qCX9VSu".into());
        let r = http(p.send(&o).unwrap());
        assert_eq!(
            r.body,
            Body::Form(vec![
                ("phone_number".into(), "15555550100".into()),
                (
                    "template".into(),
                    "Acme: $$CODE$$ is your code\nFA+9qCX9VSu".into()
                ),
            ])
        );
        let o = testing::otp("+15555550100", Some("Acme"), "x {{code}}");
        assert_eq!(p.send(&o).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn credentials_are_required_and_the_key_must_be_base64() {
        for (creds, key) in [
            (format!("api_key = \"{KEY}\"\n"), "customer_id"),
            (format!("customer_id = \"{CUSTOMER}\"\n"), "api_key"),
        ] {
            let e = provider(&creds).err().unwrap();
            assert_eq!(e.exit_code(), 3);
            assert!(e.message.contains(key), "{}", e.message);
        }
        let e = provider(&format!(
            "customer_id = \"{CUSTOMER}\"\napi_key = \"no way!\"\n"
        ))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("base64") && !e.message.contains("no way"));
    }

    const SENT: &str = r#"{"reference_id":"0123456789ABCDEF0123456789ABCDEF","resource_uri":"/v1/verify/0123456789ABCDEF0123456789ABCDEF","sub_resource":"sms","errors":[],"status":{"updated_on":"2026-12-07T17:41:30.000000Z","code":290,"description":"Message in progress"},"verify":{"code_state":"UNKNOWN","code_entered":""}}"#;

    #[test]
    fn send_replies() {
        let p = keyed();
        let a = p.send_reply(&reply(200, SENT)).unwrap();
        assert_eq!(a.id, REF);
        assert_eq!((a.expires_at, a.warning), (None, None));
        // Under way with an error beside it: sent, with a warning.
        let a = p
            .send_reply(&reply(
                200,
                r#"{"reference_id":"R1","errors":[{"code":-60001,"description":"something odd"}],"status":{"code":290,"description":"Message in progress"}}"#,
            ))
            .unwrap();
        assert_eq!(a.id, "R1");
        assert!(a.warning.unwrap().contains("-60001"));
        for (status, body, kind, code) in [
            (
                401,
                r#"{"errors":[{"code":-30006,"description":"Invalid Signature."}],"status":{"code":10033,"description":"Transaction not attempted"}}"#,
                Kind::Auth,
                "-30006",
            ),
            (
                400,
                r#"{"reference_id":"R2","errors":[{"code":-10001,"description":"Invalid Request: PhoneNumber Parameter: 1"}],"status":{"code":11000,"description":"Invalid value for parameter PhoneNumber."}}"#,
                Kind::InvalidRequest,
                "-10001",
            ),
            (
                429,
                r#"{"errors":[{"code":-40007,"description":"Too many requests"}]}"#,
                Kind::RateLimited,
                "-40007",
            ),
            (
                200,
                r#"{"errors":[{"code":-10001,"description":"Invalid Request"}],"status":{"code":11000,"description":"Invalid value"}}"#,
                Kind::InvalidRequest,
                "-10001",
            ),
            (
                200,
                r#"{"reference_id":"R3","errors":[{"code":-10001,"description":"Invalid Request"}],"status":{"code":11000,"description":"Invalid value"}}"#,
                Kind::InvalidRequest,
                "-10001",
            ),
            (
                403,
                r#"{"status":{"code":10034,"description":"Forbidden"}}"#,
                Kind::Auth,
                "10034",
            ),
        ] {
            let e = p.send_reply(&reply(status, body)).unwrap_err();
            assert_eq!((e.kind, e.outcome), (kind, Outcome::Rejected), "{body}");
            assert_eq!(e.provider_code.as_deref(), Some(code), "{body}");
        }
        let e = p
            .send_reply(&reply(
                401,
                r#"{"errors":[{"code":-30006,"description":"Invalid Signature."}]}"#,
            ))
            .unwrap_err();
        assert!(e.message.contains("Invalid Signature."), "{}", e.message);
        assert!(e.hint.unwrap().contains("clock"));
        for (status, body) in [
            (200, "{}"),
            (200, r#"{"errors":[],"status":{"code":290}}"#),
            (
                500,
                r#"{"errors":[{"code":-90001,"description":"System Unavailable"}]}"#,
            ),
        ] {
            let e = p.send_reply(&reply(status, body)).unwrap_err();
            assert_eq!(e.exit_code(), 6, "{status} {body}");
        }
    }

    #[test]
    fn verify_reads_code_state() {
        let p = keyed();
        let state = |s: &str| {
            format!(
                r#"{{"reference_id":"{REF}","errors":[],"status":{{"code":200,"description":"Delivered to handset"}},"verify":{{"code_state":"{s}","code_entered":"12345"}}}}"#
            )
        };
        assert!(p.verify_reply(&reply(200, &state("VALID"))).is_ok());
        for (s, reason) in [
            ("INVALID", Reason::WrongCode),
            ("EXPIRED", Reason::Expired),
            ("MAX_ATTEMPTS_EXCEEDED", Reason::AttemptsExhausted),
        ] {
            let f = p.verify_reply(&reply(200, &state(s))).unwrap_err();
            assert_eq!((f.reason, f.exit_code()), (Some(reason), 1), "{s}");
            assert_eq!(f.provider_code.as_deref(), Some(s));
        }
        for s in ["UNKNOWN", "", "VALIDATED"] {
            let f = p.verify_reply(&reply(200, &state(s))).unwrap_err();
            assert_eq!((f.kind, f.exit_code()), (Kind::BadResponse, 6), "{s:?}");
        }
        let f = p.verify_reply(&reply(200, "{}")).unwrap_err();
        assert_eq!(f.exit_code(), 6);
        let f = p
            .verify_reply(&reply(
                200,
                r#"{"errors":[{"code":-10001,"description":"Invalid Request"}]}"#,
            ))
            .unwrap_err();
        assert_eq!(f.exit_code(), 4);
        let f = p
            .verify_reply(&reply(
                404,
                r#"{"errors":[{"code":-10001,"description":"Not found"}]}"#,
            ))
            .unwrap_err();
        assert_eq!(
            (f.reason, f.exit_code(), f.ask_record),
            (Some(Reason::UnknownId), 1, true)
        );
        // A 404 whatever its body.
        let bare = Reply {
            status: 404,
            content_type: None,
            body: b"<h1>Not Found</h1>".to_vec(),
            ..Reply::default()
        };
        let f = p.verify_reply(&bare).unwrap_err();
        assert_eq!((f.reason, f.exit_code()), (Some(Reason::UnknownId), 1));
        let f = p
            .verify_reply(&reply(
                401,
                r#"{"errors":[{"code":-30006,"description":"Invalid Signature."}]}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        let f = p.verify_reply(&reply(503, "{}")).unwrap_err();
        assert_eq!(f.exit_code(), 6);
    }

    #[test]
    fn status_by_reference_id_and_no_cancel_or_balance() {
        let p = keyed();
        let r = p.status("a b").unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Get, "https://rest-ww.telesign.com/v1/verify/a%20b")
        );
        assert!(p.cancel("x").is_none() && p.balance().is_none());
        let v = p.status_reply(&reply(200, SENT)).unwrap();
        assert_eq!(v["status"]["code"], 290);
    }
}
