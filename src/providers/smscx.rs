//! SMS.cx's OTP API: `POST /otp` makes, sends and keeps the PIN, `POST /otp/{otpId}`
//! checks it, `GET` and `DELETE` on the same path show and cancel it. Auth is an
//! `X-API-KEY` header, or `Authorization: Bearer` with an OAuth access token.

use super::{
    http_failure, is_success, missing_field, parse_time, path_segment, reply_json, snippet,
    text_at, vendor_message, Accepted, Balance, Channel, Info, Key, KeyType, LengthRule, Method,
    Otp, PinBy, Plan, Provider, Reply, Request, TtlRule, VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind, Reason};
use crate::message::PinType;
use crate::redact::{self, Secret};
use serde_json::{json, Map, Value};
use std::time::SystemTime;

/// SMS.cx's own PIN placeholder in `template`.
const PLACEHOLDER: &str = "{{pin}}";

pub static INFO: Info = Info {
    id: "smscx",
    aliases: &[],
    name: "SMS.cx",
    about: "SMS.cx OTP API; SMS.cx makes, sends and verifies the PIN (status, cancel, webhook)",
    pin_by: PinBy::Provider,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms],
    pin_types: &[PinType::Numeric, PinType::Letters, PinType::Alphanumeric],
    length: LengthRule::Range(4, 10),
    ttl: TtlRule::Seconds(60, 1800),
    attempts: Some((1, 10)),
    callback: true,
    default_base_url: Some("https://api.sms.cx"),
    keys: &[
        Key::new(
            "api_key",
            KeyType::Secret,
            "SMS.cx API key (X-API-KEY); this or token is required",
        ),
        Key::new(
            "token",
            KeyType::Secret,
            "SMS.cx OAuth access token (Authorization: Bearer); used instead of api_key when set",
        ),
    ],
    example: "provider = \"smscx\"\n\
              api_key = { env = \"SMSCX_API_KEY\" }\n\
              # token = { env = \"SMSCX_TOKEN\" }   # an OAuth access token instead of the key\n\
              sender = \"Acme\"\n",
    credentials_hint: "API keys and OAuth applications are in the SMS.cx dashboard, under API",
    decided_at: None,
    writes_message: false,
    takes_sender: true,
    build,
};

enum Auth {
    Key(Secret),
    Token(Secret),
}

struct Smscx {
    base: String,
    auth: Auth,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let auth = match (profile.secret("token")?, profile.secret("api_key")?) {
        (Some(token), _) => Auth::Token(token),
        (None, Some(key)) => Auth::Key(key),
        (None, None) => {
            let f = profile.missing("api_key");
            let hint = format!(
                "{}; or set `token` (an OAuth access token, sent as Bearer) instead",
                f.hint.clone().unwrap_or_default()
            );
            return Err(f.hint(hint));
        }
    };
    let base = profile.base_url()?;
    Ok(Box::new(Smscx { base, auth }))
}

impl Smscx {
    fn request(&self, method: Method, path: &str) -> Request {
        let r = Request::new(method, format!("{}{path}", self.base));
        match &self.auth {
            Auth::Token(t) => r.header("Authorization", format!("Bearer {}", t.expose())),
            Auth::Key(k) => r.header("X-API-KEY", k.expose()),
        }
    }

    fn otp_path(id: &str) -> String {
        format!("/otp/{}", path_segment(id))
    }
}

/// The error kind SMS.cx's `error.type` / `error.code` mean where the HTTP status says
/// less (a 400 can be a credit problem, a 403 a coverage problem).
fn kind_of(status: u16, v: &Value) -> Option<Kind> {
    let ty = text_at(v, "error.type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let code = text_at(v, "error.code").unwrap_or_default();
    if status == 429 || ty == "rate_limit" {
        return Some(Kind::RateLimited);
    }
    if ty == "insufficient_credit" || code == "1113" || code == "1114" {
        return Some(Kind::InsufficientFunds);
    }
    match ty.as_str() {
        "invalid_api_key" | "invalid_client" | "insufficient_scope" | "access_denied" => {
            Some(Kind::Auth)
        }
        "no_coverage" | "invalid_param" => Some(Kind::InvalidRequest),
        "not_found" => Some(Kind::NotFound),
        _ => None,
    }
}

/// The verify verdict an SMS.cx error code means, if it is one.
fn verdict(status: u16, v: &Value) -> Option<(Reason, &'static str)> {
    let code = text_at(v, "error.code").unwrap_or_default();
    Some(match code.as_str() {
        "2021" => (Reason::UnknownId, "smscx does not know this OTP id"),
        "2023" => (
            Reason::AlreadyUsed,
            "smscx says this OTP was already verified",
        ),
        "2024" => (Reason::Expired, "smscx says this OTP was cancelled"),
        "2025" | "2028" => (Reason::Expired, "smscx says this OTP has expired"),
        "2026" | "2027" => (
            Reason::AttemptsExhausted,
            "smscx says no attempts are left for this OTP",
        ),
        "2029" => (Reason::WrongCode, "wrong code"),
        "" if status == 404 => (Reason::UnknownId, "smscx does not know this OTP id"),
        _ => return None,
    })
}

impl Provider for Smscx {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        http_failure(
            INFO.id,
            reply,
            kind_of(reply.status, v),
            vendor_message(v),
            text_at(v, "error.code"),
        )
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        let mut body = Map::new();
        body.insert("phoneNumber".into(), json!(otp.to.e164()));
        if let Some(sender) = otp.sender() {
            let n = sender.chars().count();
            if !(3..=15).contains(&n) {
                return Err(Failure::usage(format!(
                    "smscx takes a sender (from) of 3 to 15 characters, not \"{sender}\" ({n})"
                )));
            }
            body.insert("from".into(), json!(sender));
        }
        body.insert("template".into(), json!(otp.template.render(PLACEHOLDER)));
        for (lang, t) in &otp.templates {
            body.insert(format!("template_{lang}"), json!(t.render(PLACEHOLDER)));
        }
        // Every setting is sent, so the dashboard's per-application defaults never
        // silently differ from what `otp` recorded.
        body.insert("ttl".into(), json!(otp.ttl.value.as_secs()));
        body.insert("maxAttempts".into(), json!(otp.attempts.value));
        body.insert(
            "pinType".into(),
            json!(match otp.pin_type.value {
                PinType::Numeric => "numbers",
                PinType::Letters => "letters",
                PinType::Alphanumeric => "alphanumeric",
            }),
        );
        body.insert("pinLength".into(), json!(otp.length.value));
        if let Some(url) = &otp.callback_url {
            body.insert("otpCallbackUrl".into(), json!(url));
        }
        Ok(Plan::Http(
            self.request(Method::Post, "/otp").json(Value::Object(body)),
        ))
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let Some(id) = text_at(&v, "otpId").filter(|s| !s.trim().is_empty()) else {
            if v.get("error").is_some_and(|e| !e.is_null()) {
                return Err(self.refusal(reply, &v));
            }
            return Err(missing_field(INFO.id, "otpId", reply));
        };
        Ok(Accepted {
            id,
            message_id: None,
            // A fresh OTP cannot have expired: a past time means the clocks (or the
            // time zone of an offset-less date) disagree, so the app's now + ttl is
            // kept instead of a record that would be pruned at once.
            expires_at: text_at(&v, "dateExpires")
                .and_then(|t| parse_time(&t))
                .filter(|t| *t > SystemTime::now()),
            cost: v.get("cost").filter(|c| !c.is_null()).cloned(),
            pin: None,
            warning: None,
        })
    }

    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        Ok(self
            .request(Method::Post, &Self::otp_path(id))
            .json(json!({ "pin": code.expose() })))
    }

    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let v = reply_json(INFO.id, reply)?;
        let status = text_at(&v, "status").unwrap_or_default();
        if is_success(reply.status) && status.eq_ignore_ascii_case("VERIFIED") {
            return Ok(());
        }
        if let Some((reason, what)) = verdict(reply.status, &v) {
            let said = vendor_message(&v)
                .map(|m| format!(" ({})", redact::vendor_text(&m)))
                .unwrap_or_default();
            return Err(Failure::not_verified(reason, format!("{what}{said}"))
                .status(reply.status)
                .code(text_at(&v, "error.code")));
        }
        if !is_success(reply.status) || v.get("error").is_some_and(|e| !e.is_null()) {
            return Err(self.refusal(reply, &v));
        }
        Err(Failure::unknown(
            Kind::BadResponse,
            format!(
                "smscx answered HTTP {} with status \"{}\" instead of VERIFIED; otp cannot tell whether the code is right",
                reply.status,
                redact::vendor_text(&status)
            ),
        )
        .status(reply.status)
        .detail(snippet(reply)))
    }

    fn status(&self, id: &str) -> Option<Request> {
        Some(self.request(Method::Get, &Self::otp_path(id)))
    }

    /// `GET /account/balance`: `{"balance", "currency", "billing"}`; a bad key is 401
    /// `invalid_api_key`.
    fn balance(&self) -> Option<Request> {
        Some(self.request(Method::Get, "/account/balance"))
    }

    fn balance_reply(&self, reply: &Reply) -> Result<Balance, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) || v.get("error").is_some_and(|e| !e.is_null()) {
            return Err(self.refusal(reply, &v));
        }
        let amount =
            text_at(&v, "balance").ok_or_else(|| missing_field(INFO.id, "balance", reply))?;
        Ok(Balance {
            amount: amount.trim().parse::<f64>().ok().filter(|a| a.is_finite()),
            currency: text_at(&v, "currency")
                .map(|c| redact::vendor_text(&c))
                .filter(|c| !c.is_empty()),
            note: None,
        })
    }

    fn cancel(&self, id: &str) -> Option<Request> {
        Some(self.request(Method::Delete, &Self::otp_path(id)))
    }

    /// 403/2030 "already cancelled" is what the user wanted: done. 403/2031 "not
    /// pending" is no auth problem, whatever the HTTP status says.
    fn cancel_reply(&self, reply: &Reply) -> Result<(), Failure> {
        // A 2xx must be SMS.cx's JSON ({"info":{"id":..}}): an HTML page is no answer.
        let v = reply_json(INFO.id, reply)?;
        if is_success(reply.status) {
            return Ok(());
        }
        match text_at(&v, "error.code").as_deref() {
            Some("2030") => Ok(()),
            Some("2031") => Err(http_failure(
                INFO.id,
                reply,
                Some(Kind::InvalidRequest),
                Some(format!(
                    "{} (the OTP is no longer pending: verified, expired or failed)",
                    vendor_message(&v).unwrap_or_else(|| "not pending".into())
                )),
                Some("2031".into()),
            )),
            _ => Err(self.refusal(reply, &v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::message::Template;
    use crate::providers::testing::{self, chosen, reply};
    use crate::providers::Body;
    use std::time::Duration;

    const KEY: &str = "smscx-unit-key-91c2";
    const TOKEN: &str = "smscx-unit-token-7d0a";

    fn provider(creds: &str) -> Result<Box<dyn Provider>, Failure> {
        build(&testing::profile(&format!(
            "provider = \"smscx\"\nbase_url = \"https://api.example.com\"\n{creds}"
        )))
    }

    fn keyed() -> Box<dyn Provider> {
        provider(&format!("api_key = \"{KEY}\"\n")).unwrap()
    }

    fn otp() -> Otp {
        let mut o = testing::otp("+33612345678", Some("Acme"), "Your code is {{code}}");
        o.templates = vec![
            (
                "fr".into(),
                Template::parse("Votre code est {{code}}", 5).unwrap(),
            ),
            ("de".into(), Template::parse("Ihr Code: %s", 5).unwrap()),
        ];
        o
    }

    fn http(plan: Plan) -> Request {
        match plan {
            Plan::Http(r) => r,
            other => panic!("not HTTP: {other:?}"),
        }
    }

    #[test]
    fn send_request_is_exact() {
        let r = http(keyed().send(&otp()).unwrap());
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://api.example.com/otp");
        assert_eq!(r.headers, vec![("X-API-KEY".to_string(), KEY.to_string())]);
        assert_eq!(
            r.body,
            Body::Json(json!({
                "phoneNumber": "+33612345678",
                "from": "Acme",
                "template": "Your code is {{pin}}",
                "template_fr": "Votre code est {{pin}}",
                "template_de": "Ihr Code: {{pin}}",
                "ttl": 300,
                "maxAttempts": 3,
                "pinType": "numbers",
                "pinLength": 6,
            }))
        );
    }

    #[test]
    fn chosen_values_callback_and_no_sender() {
        let mut o = otp();
        o.sender = None;
        o.templates.clear();
        o.pin_type = chosen(PinType::Letters);
        o.length = chosen(10);
        o.ttl = chosen(Duration::from_secs(1800));
        o.attempts = chosen(10);
        o.callback_url = Some("https://example.com/hook".into());
        let Body::Json(v) = http(keyed().send(&o).unwrap()).body else {
            panic!()
        };
        assert_eq!(
            v,
            json!({
                "phoneNumber": "+33612345678",
                "template": "Your code is {{pin}}",
                "ttl": 1800,
                "maxAttempts": 10,
                "pinType": "letters",
                "pinLength": 10,
                "otpCallbackUrl": "https://example.com/hook",
            })
        );
        o.pin_type = chosen(PinType::Alphanumeric);
        let Body::Json(v) = http(keyed().send(&o).unwrap()).body else {
            panic!()
        };
        assert_eq!(v["pinType"], "alphanumeric");
    }

    #[test]
    fn sender_length_is_checked() {
        let mut o = otp();
        for (s, ok) in [
            ("AB", false),
            ("ABC", true),
            ("ABCDEFGHIJKLMNO", true),
            ("ABCDEFGHIJKLMNOP", false),
        ] {
            o.sender = Some(s.into());
            let r = keyed().send(&o);
            assert_eq!(r.is_ok(), ok, "{s}");
            if let Err(e) = r {
                assert_eq!(e.exit_code(), 2);
                assert!(e.message.contains("3 to 15") && e.message.contains(s));
            }
        }
    }

    #[test]
    fn token_means_bearer_and_wins_over_the_key() {
        let p = provider(&format!("token = \"{TOKEN}\"\n")).unwrap();
        let r = http(p.send(&otp()).unwrap());
        assert_eq!(
            r.headers,
            vec![("Authorization".to_string(), format!("Bearer {TOKEN}"))]
        );
        let p = provider(&format!("api_key = \"{KEY}\"\ntoken = \"{TOKEN}\"\n")).unwrap();
        assert_eq!(p.status("x").unwrap().headers[0].0, "Authorization");
    }

    #[test]
    fn no_credential_is_a_config_error_naming_both() {
        let e = provider("").err().unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("api_key"), "{}", e.message);
        let hint = e.hint.unwrap();
        assert!(hint.contains("token"), "{hint}");
        assert!(hint.contains("SMS.cx dashboard"), "{hint}");
    }

    #[test]
    fn documented_success() {
        let a = keyed()
            .send_reply(&reply(
                201,
                r#"{"otpId":"a17fb13d-1b8c-4b39-a4e6-8d9a2f1b6c10","trackId":null,"phoneNumber":"+33612345678","countryIso":"FR","status":"PENDING","cost":0.05,"parts":1,"maxAttempts":4,"attempts":0,"ttl":180,"otpCallbackUrl":null,"dateCreated":"2099-11-22T08:32:00+00:00","dateExpires":"2099-11-22T10:35:00+02:00"}"#,
            ))
            .unwrap();
        assert_eq!(a.id, "a17fb13d-1b8c-4b39-a4e6-8d9a2f1b6c10");
        assert_eq!(a.cost, Some(json!(0.05)));
        assert_eq!(a.message_id, None);
        assert_eq!(
            a.expires_at,
            Some(humantime::parse_rfc3339("2099-11-22T08:35:00Z").unwrap())
        );
        // A 200, no cost, an unreadable date: still accepted.
        let a = keyed()
            .send_reply(&reply(
                200,
                r#"{"otpId":"x-1","cost":null,"dateExpires":"soon"}"#,
            ))
            .unwrap();
        assert_eq!((a.id.as_str(), a.cost, a.expires_at), ("x-1", None, None));
        let a = keyed()
            .send_reply(&reply(
                201,
                r#"{"otpId":"x-2","dateExpires":"2020-01-01T00:00:00+00:00"}"#,
            ))
            .unwrap();
        assert_eq!(a.expires_at, None, "a past expiry is not believed");
    }

    #[test]
    fn send_errors_map_to_kinds_and_codes() {
        for (status, body, kind, code) in [
            (
                401,
                r#"{"error":{"type":"invalid_api_key","code":1000,"message":"Invalid API key"}}"#,
                Kind::Auth,
                Some("1000"),
            ),
            (
                400,
                r#"{"error":{"type":"invalid_param","code":2020,"message":"Invalid phone number"}}"#,
                Kind::InvalidRequest,
                Some("2020"),
            ),
            (
                400,
                r#"{"error":{"type":"insufficient_credit","code":1113,"message":"Insufficient credit"}}"#,
                Kind::InsufficientFunds,
                Some("1113"),
            ),
            (
                400,
                r#"{"error":{"type":"invalid_param","code":1114,"message":"Credit limit reached"}}"#,
                Kind::InsufficientFunds,
                Some("1114"),
            ),
            (
                403,
                r#"{"error":{"type":"no_coverage","code":1200,"message":"No coverage"}}"#,
                Kind::InvalidRequest,
                Some("1200"),
            ),
            (
                403,
                r#"{"error":{"type":"access_denied","code":1201,"message":"Access denied"}}"#,
                Kind::Auth,
                Some("1201"),
            ),
            (
                429,
                r#"{"error":{"type":"rate_limit","code":429,"message":"Too many requests"}}"#,
                Kind::RateLimited,
                Some("429"),
            ),
            (
                200,
                r#"{"error":{"type":"invalid_param","code":2006,"message":"Template must contain {{pin}}"}}"#,
                Kind::InvalidRequest,
                Some("2006"),
            ),
        ] {
            let e = keyed().send_reply(&reply(status, body)).unwrap_err();
            assert_eq!(e.kind, kind, "{body}");
            assert_eq!(e.outcome, Outcome::Rejected, "{body}");
            assert_eq!(e.provider_code.as_deref(), code, "{body}");
            assert_eq!(e.http_status, Some(status));
        }
        let e = keyed().send_reply(&reply(201, "{}")).unwrap_err();
        assert_eq!(e.exit_code(), 6);
        let e = keyed()
            .send_reply(&reply(500, r#"{"error":{"message":"boom"}}"#))
            .unwrap_err();
        assert_eq!(e.exit_code(), 6);
    }

    #[test]
    fn verify_status_and_cancel_requests() {
        let p = keyed();
        let r = p.verify("a17f-1", &Secret::new("1544")).unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Post, "https://api.example.com/otp/a17f-1")
        );
        assert_eq!(r.body, Body::Json(json!({"pin": "1544"})));
        assert_eq!(r.headers, vec![("X-API-KEY".to_string(), KEY.to_string())]);
        let r = p.status("a17f-1").unwrap();
        assert_eq!(
            (r.method, r.url.as_str(), &r.body),
            (
                Method::Get,
                "https://api.example.com/otp/a17f-1",
                &Body::Empty
            )
        );
        let r = p.cancel("a17f-1").unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Delete, "https://api.example.com/otp/a17f-1")
        );
        // An id never changes the path or adds a query.
        let r = p.status("../x?y=1#z").unwrap();
        assert_eq!(r.url, "https://api.example.com/otp/..%2Fx%3Fy%3D1%23z");
    }

    #[test]
    fn verify_replies() {
        let p = keyed();
        assert!(p
            .verify_reply(&reply(200, r#"{"status":"VERIFIED"}"#))
            .is_ok());
        let e = |status, code: u32| {
            p.verify_reply(&reply(
                status,
                &format!(
                    r#"{{"error":{{"type":"x","code":{code},"message":"vendor says {code}"}}}}"#
                ),
            ))
            .unwrap_err()
        };
        for (status, code, reason) in [
            (404, 2021, Reason::UnknownId),
            (400, 2023, Reason::AlreadyUsed),
            (400, 2024, Reason::Expired),
            (400, 2025, Reason::Expired),
            (400, 2026, Reason::AttemptsExhausted),
            (400, 2027, Reason::AttemptsExhausted),
            (400, 2028, Reason::Expired),
            (400, 2029, Reason::WrongCode),
        ] {
            let f = e(status, code);
            assert_eq!(f.reason, Some(reason), "{code}");
            assert_eq!(f.exit_code(), 1, "{code}");
            assert_eq!(f.provider_code, Some(code.to_string()));
            assert_eq!(f.http_status, Some(status));
            assert!(
                f.message.contains(&format!("vendor says {code}")),
                "{}",
                f.message
            );
        }
        assert!(e(400, 2024).message.contains("cancelled"));
        let f = e(400, 2022);
        assert_eq!((f.kind, f.exit_code()), (Kind::InvalidRequest, 4));
        let f = p
            .verify_reply(&reply(
                404,
                r#"{"error":{"type":"not_found","message":"Not found"}}"#,
            ))
            .unwrap_err();
        assert_eq!(f.reason, Some(Reason::UnknownId));
        let f = p
            .verify_reply(&reply(
                401,
                r#"{"error":{"type":"invalid_api_key","code":1000,"message":"Invalid API key"}}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        let f = p
            .verify_reply(&reply(200, r#"{"status":"PENDING"}"#))
            .unwrap_err();
        assert_eq!(f.exit_code(), 6);
        let f = p
            .verify_reply(&reply(503, r#"{"error":{"message":"down"}}"#))
            .unwrap_err();
        assert_eq!(f.exit_code(), 6);
    }

    #[test]
    fn balance_request_and_reply() {
        let r = keyed().balance().unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Get, "https://api.example.com/account/balance")
        );
        assert_eq!(r.headers, vec![("X-API-KEY".to_string(), KEY.to_string())]);
        let r = provider(&format!("token = \"{TOKEN}\"\n"))
            .unwrap()
            .balance()
            .unwrap();
        assert_eq!(r.headers[0].1, format!("Bearer {TOKEN}"));
        let b = keyed()
            .balance_reply(&reply(
                200,
                r#"{"balance":42.17,"currency":"EUR","billing":"prepaid"}"#,
            ))
            .unwrap();
        assert_eq!(
            (b.amount, b.currency.as_deref()),
            (Some(42.17), Some("EUR"))
        );
        let e = keyed()
            .balance_reply(&reply(
                401,
                r#"{"error":{"type":"invalid_api_key","code":1001,"message":"Invalid API key"}}"#,
            ))
            .unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::Auth, 4));
        assert_eq!(
            keyed()
                .balance_reply(&reply(200, "{}"))
                .unwrap_err()
                .exit_code(),
            6
        );
    }
}
