//! Plivo's Verify Session API: `POST /v1/Account/{auth_id}/Verify/Session/` starts a
//! session in which Plivo makes, sends and keeps the code; `POST …/Session/{uuid}/`
//! checks it, `GET` on that path shows it. JSON bodies, HTTP Basic `auth_id:auth_token`,
//! a trailing slash on every path; no cancel call.

use super::{
    http_failure, is_success, missing_field, path_segment, reply_json, snippet, text_at,
    vendor_message, Accepted, Balance, Channel, Info, Key, KeyType, LengthRule, Method, Otp, PinBy,
    Plan, Provider, Reply, Request, TtlRule, VerifyBy,
};
use crate::config::{Profile, Source};
use crate::error::{Failure, Kind, Reason};
use crate::message::PinType;
use crate::redact::{self, Secret};
use serde_json::{json, Map, Value};

pub static INFO: Info = Info {
    id: "plivo",
    aliases: &[],
    name: "Plivo Verify",
    about: "Plivo Verify Session API; Plivo makes, sends and checks the code (status)",
    pin_by: PinBy::Provider,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms, Channel::Voice],
    pin_types: &[PinType::Numeric],
    length: LengthRule::Range(4, 8),
    ttl: TtlRule::ProviderChooses,
    attempts: None,
    callback: false,
    default_base_url: Some("https://api.plivo.com"),
    keys: &[
        Key::new(
            "auth_id",
            KeyType::Str,
            "Plivo Auth ID; the Basic auth user name and part of every path",
        )
        .required(),
        Key::new("auth_token", KeyType::Secret, "Plivo Auth Token").required(),
        Key::new(
            "app_uuid",
            KeyType::Str,
            "Verify application (app_uuid) whose settings apply; Plivo's default application when unset",
        ),
        Key::new(
            "locale",
            KeyType::Str,
            "language of Plivo's message (locale), e.g. fr",
        ),
    ],
    example: "provider = \"plivo\"\n\
              auth_id = \"MAXXXXXXXXXXXXXXXXXX\"   # your Auth ID\n\
              auth_token = { env = \"PLIVO_AUTH_TOKEN\" }\n\
              sender = \"Acme\"                     # sent as brand_name\n\
              # app_uuid = \"...\"                  # a Verify application\n",
    credentials_hint: "the Auth ID and Auth Token are on the Plivo console's overview page",
    decided_at: Some("the Plivo console, Verify > Applications"),
    writes_message: true,
    takes_sender: true,
    build,
};

/// Where the message and the code's lifetime are changed instead.
const APP_HINT: &str = "Plivo's Verify application (console > Verify > Applications) decides the message and the code's lifetime; set brand_name with `sender`";

/// What a geo-permission refusal asks of the user.
const GEO_HINT: &str = "enable the destination country under Geo Permissions in the Plivo console, or send through another profile";

struct Plivo {
    /// `{base}/v1/Account/{auth_id}`
    account: String,
    auth: Secret,
    app_uuid: Option<String>,
    locale: Option<String>,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let auth_id = profile.require_text("auth_id")?.trim().to_string();
    let token = profile.require_secret("auth_token")?;
    // In the file, `config check` reports it; from a flag or env, `send` refuses it.
    if profile.source("message") == Some(Source::File) {
        return Err(message_refused());
    }
    let base = profile.base_url()?;
    let text = |k: &str| {
        profile
            .str(k)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok(Box::new(Plivo {
        account: format!("{base}/v1/Account/{}", path_segment(&auth_id)),
        auth: redact::basic_auth(&auth_id, &token),
        app_uuid: text("app_uuid"),
        locale: text("locale"),
    }))
}

fn message_refused() -> Failure {
    Failure::usage(
        "plivo's Verify application writes the message, so --message, --lang, --webotp-domain or `message` cannot be used",
    )
    .hint(APP_HINT)
}

impl Plivo {
    fn request(&self, method: Method, path: &str) -> Request {
        Request::new(method, format!("{}{path}", self.account))
            .header("Authorization", self.auth.expose())
    }

    fn session_path(id: &str) -> String {
        format!("/Verify/Session/{}/", path_segment(id))
    }
}

/// The error text: Plivo puts it in `error`, success text in `message`.
fn error_text(v: &Value) -> Option<String> {
    text_at(v, "error")
        .filter(|s| !s.trim().is_empty())
        .or_else(|| vendor_message(v))
}

/// Plivo's documented yes to a validation: `{"message": "session validated
/// successfully."}`, or a session object whose `status` is `verified`.
fn validated(v: &Value) -> bool {
    if text_at(v, "error").is_some_and(|e| !e.trim().is_empty()) {
        return false;
    }
    let message = text_at(v, "message").unwrap_or_default();
    let message = message.trim().trim_end_matches('.').trim();
    message.eq_ignore_ascii_case("session validated successfully")
        || text_at(v, "status").is_some_and(|s| s.trim().eq_ignore_ascii_case("verified"))
}

/// A 400's error text read as a verdict. Plivo does not publish these texts, so the
/// words decide and a text with none of them is a wrong code.
fn verdict(text: &str) -> (Reason, bool) {
    let t = text.to_ascii_lowercase();
    let session_gone = t.contains("session")
        && [
            "invalid",
            "not found",
            "does not exist",
            "no such",
            "not exist",
        ]
        .iter()
        .any(|w| t.contains(w));
    if t.contains("already") && (t.contains("verified") || t.contains("validated")) {
        (Reason::AlreadyUsed, false)
    } else if t.contains("expired") {
        (Reason::Expired, false)
    } else if t.contains("attempt") || t.contains("exceeded") || t.contains("maximum") {
        (Reason::AttemptsExhausted, false)
    } else if session_gone {
        // The local record says why the session is gone, where there is one.
        (Reason::UnknownId, true)
    } else {
        (Reason::WrongCode, false)
    }
}

impl Provider for Plivo {
    fn info(&self) -> &'static Info {
        &INFO
    }

    /// Every call but the account lookup is on `/Verify/Session/`, where Plivo's SDK
    /// reads a 403 as a geo-permission refusal (`GeoPermissionError`), not a credential.
    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        let text = error_text(v);
        let lower = text.as_deref().unwrap_or_default().to_ascii_lowercase();
        let kind = if reply.status == 403 {
            Some(Kind::RouteRefused)
        } else if lower.contains("insufficient") || lower.contains("credit") {
            Some(Kind::InsufficientFunds)
        } else {
            None
        };
        let f = http_failure(INFO.id, reply, kind, text, None);
        match f.kind {
            Kind::Auth => f.hint("check auth_id and auth_token"),
            Kind::RouteRefused => f.hint(GEO_HINT),
            _ => f,
        }
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        if otp.message_chosen {
            return Err(message_refused());
        }
        let mut body = Map::new();
        body.insert("recipient".into(), json!(otp.to.digits()));
        body.insert(
            "channel".into(),
            json!(match otp.channel {
                Channel::Voice => "voice",
                _ => "sms",
            }),
        );
        // The SDK always sends it: the method of the status callback.
        body.insert("method".into(), json!("POST"));
        if let Some(a) = &self.app_uuid {
            body.insert("app_uuid".into(), json!(a));
        }
        if let Some(l) = &self.locale {
            body.insert("locale".into(), json!(l));
        }
        if let Some(s) = otp.sender() {
            body.insert("brand_name".into(), json!(s));
        }
        // Only a chosen length: otherwise the application's own setting stands.
        if otp.length.explicit {
            body.insert("code_length".into(), json!(otp.length.value));
        }
        if let Some(h) = &otp.app_hash {
            body.insert("app_hash".into(), json!(h));
        }
        Ok(Plan::Http(
            self.request(Method::Post, "/Verify/Session/")
                .json(Value::Object(body)),
        ))
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let Some(id) = text_at(&v, "session_uuid").filter(|s| !s.trim().is_empty()) else {
            // Plivo's error shape `{api_id, error}` passed on with a 2xx: a rejection,
            // read like any.
            if text_at(&v, "error").is_some_and(|e| !e.trim().is_empty()) {
                return Err(self.refusal(reply, &v));
            }
            return Err(missing_field(INFO.id, "session_uuid", reply));
        };
        Ok(Accepted {
            id: redact::vendor_text(&id),
            ..Accepted::default()
        })
    }

    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        Ok(self
            .request(Method::Post, &Self::session_path(id))
            .json(json!({ "session_uuid": id, "otp": code.expose() })))
    }

    /// Verified only when Plivo says so: the documented `message` "session validated
    /// successfully." (any case), or the session's `status` `verified`. Any other 2xx is
    /// unknown, never verified. A 400 (or 404) `{error}` is not verified, for the reason
    /// its text names.
    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let v = reply_json(INFO.id, reply)?;
        let error = text_at(&v, "error").filter(|e| !e.trim().is_empty());
        if is_success(reply.status) {
            if validated(&v) {
                return Ok(());
            }
            return Err(Failure::unknown(
                Kind::BadResponse,
                format!(
                    "plivo answered HTTP {} without saying the session was validated; otp cannot tell whether the code is right",
                    reply.status
                ),
            )
            .status(reply.status)
            .detail(snippet(reply)));
        }
        let answered = matches!(reply.status, 400 | 404 | 410 | 422);
        if !answered {
            return Err(self.refusal(reply, &v));
        }
        let text = error.or_else(|| vendor_message(&v)).unwrap_or_default();
        let (reason, gone) = match verdict(&text) {
            (Reason::WrongCode, _) if reply.status == 404 => (Reason::UnknownId, true),
            other => other,
        };
        let what = match reason {
            Reason::WrongCode => "wrong code",
            Reason::Expired => "plivo says the session has expired",
            Reason::AttemptsExhausted => "plivo says no attempts are left for this session",
            Reason::AlreadyUsed => "plivo says this session was already verified",
            Reason::UnknownId => "plivo does not know this session",
        };
        let said = if text.trim().is_empty() {
            String::new()
        } else {
            format!(" ({})", redact::vendor_text(&text))
        };
        let f = Failure::not_verified(reason, format!("{what}{said}")).status(reply.status);
        Err(if gone { f.ask_record() } else { f })
    }

    fn status(&self, id: &str) -> Option<Request> {
        Some(self.request(Method::Get, &Self::session_path(id)))
    }

    fn balance(&self) -> Option<Request> {
        Some(self.request(Method::Get, "/"))
    }

    /// The account's `cash_credits` (a string like "12.34000", or a number); Plivo names
    /// no currency there, so one is shown only when the reply has one.
    fn balance_reply(&self, reply: &Reply) -> Result<Balance, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            let f = self.refusal(reply, &v);
            // The account lookup is not a Session endpoint: no geo check there, so a
            // 403 is the credentials.
            if f.kind == Kind::RouteRefused {
                let mut f = f.hint("check auth_id and auth_token");
                f.kind = Kind::Auth;
                return Err(f);
            }
            return Err(f);
        }
        Ok(Balance {
            amount: text_at(&v, "cash_credits").and_then(|c| c.trim().parse::<f64>().ok()),
            currency: text_at(&v, "currency")
                .map(|c| redact::vendor_text(&c))
                .filter(|c| !c.is_empty()),
            note: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, chosen, reply};
    use crate::providers::Body;
    use base64::Engine as _;

    const AUTH_ID: &str = "MAXXXXXXXXXXXXXXXXXX";
    const TOKEN: &str = "plivo-unit-token-8e3b";
    const UUID: &str = "4124e518-a8c9-4feb-8cff-d86636ba9234";
    const BASE: &str = "https://api.example.com/v1/Account/MAXXXXXXXXXXXXXXXXXX";

    fn provider(extra: &str) -> Result<Box<dyn Provider>, Failure> {
        build(&testing::profile(&format!(
            "provider = \"plivo\"\nbase_url = \"https://api.example.com\"\n{extra}"
        )))
    }

    fn keyed() -> Box<dyn Provider> {
        provider(&format!(
            "auth_id = \"{AUTH_ID}\"\nauth_token = \"{TOKEN}\"\n"
        ))
        .unwrap()
    }

    fn basic() -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{AUTH_ID}:{TOKEN}"))
        )
    }

    fn http(plan: Plan) -> Request {
        match plan {
            Plan::Http(r) => r,
            other => panic!("not HTTP: {other:?}"),
        }
    }

    #[test]
    fn send_request_is_exact() {
        let mut o = testing::otp("+14155551234", None, "Your code is {{code}}");
        let r = http(keyed().send(&o).unwrap());
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, format!("{BASE}/Verify/Session/"));
        assert_eq!(r.headers, vec![("Authorization".to_string(), basic())]);
        assert_eq!(
            r.body,
            Body::Json(json!({"recipient": "14155551234", "channel": "sms", "method": "POST"}))
        );
        o.sender = Some("Acme".into());
        o.channel = Channel::Voice;
        o.length = chosen(8);
        o.app_hash = Some("FA+9qCX9VSu".into());
        let p = provider(&format!(
            "auth_id = \"{AUTH_ID}\"\nauth_token = \"{TOKEN}\"\napp_uuid = \"app-1\"\nlocale = \"fr\"\n"
        ))
        .unwrap();
        assert_eq!(
            http(p.send(&o).unwrap()).body,
            Body::Json(json!({
                "recipient": "14155551234",
                "channel": "voice",
                "method": "POST",
                "app_uuid": "app-1",
                "locale": "fr",
                "brand_name": "Acme",
                "code_length": 8,
                "app_hash": "FA+9qCX9VSu",
            }))
        );
    }

    #[test]
    fn a_chosen_message_and_missing_credentials_are_refused() {
        let mut o = testing::otp("+14155551234", None, "Code {{code}}");
        o.message_chosen = true;
        let e = keyed().send(&o).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint.unwrap().contains("Verify application"));
        let e = provider(&format!(
            "auth_id = \"{AUTH_ID}\"\nauth_token = \"{TOKEN}\"\nmessage = \"Code {{{{code}}}}\"\n"
        ))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 2);
        for (creds, key) in [
            (format!("auth_token = \"{TOKEN}\"\n"), "auth_id"),
            (format!("auth_id = \"{AUTH_ID}\"\n"), "auth_token"),
        ] {
            let e = provider(&creds).err().unwrap();
            assert_eq!(e.exit_code(), 3);
            assert!(e.message.contains(key), "{}", e.message);
        }
    }

    #[test]
    fn basic_auth_is_masked_by_value() {
        let _ = keyed();
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{AUTH_ID}:{TOKEN}"));
        assert_eq!(redact::scrub(&format!("x {b64} y")), "x *** y");
    }

    #[test]
    fn success_and_send_errors() {
        for status in [200, 201, 202, 207] {
            let a = keyed()
                .send_reply(&reply(
                    status,
                    &format!(r#"{{"api_id":"a-1","message":"Session initiated","session_uuid":"{UUID}"}}"#),
                ))
                .unwrap();
            assert_eq!(a.id, UUID);
            assert_eq!((a.expires_at, a.cost), (None, None));
        }
        for (status, body, kind) in [
            (
                401,
                r#"{"api_id":"a","error":"authentication failed"}"#,
                Kind::Auth,
            ),
            (
                400,
                r#"{"api_id":"a","error":"invalid recipient"}"#,
                Kind::InvalidRequest,
            ),
            (
                400,
                r#"{"api_id":"a","error":"Insufficient credit"}"#,
                Kind::InsufficientFunds,
            ),
            (
                402,
                r#"{"api_id":"a","error":"payment required"}"#,
                Kind::InsufficientFunds,
            ),
            (
                429,
                r#"{"api_id":"a","error":"too many requests"}"#,
                Kind::RateLimited,
            ),
            (
                200,
                r#"{"api_id":"a","error":"invalid recipient"}"#,
                Kind::InvalidRequest,
            ),
        ] {
            let e = keyed().send_reply(&reply(status, body)).unwrap_err();
            assert_eq!((e.kind, e.outcome), (kind, Outcome::Rejected), "{body}");
            let said = serde_json::from_str::<Value>(body).unwrap()["error"].clone();
            assert!(e.message.contains(said.as_str().unwrap()), "{}", e.message);
        }
        let e = keyed()
            .send_reply(&reply(401, r#"{"error":"authentication failed"}"#))
            .unwrap_err();
        assert!(e.hint.unwrap().contains("auth_token"));
        assert_eq!(
            keyed()
                .send_reply(&reply(202, "{}"))
                .unwrap_err()
                .exit_code(),
            6
        );
        assert_eq!(
            keyed()
                .send_reply(&reply(500, r#"{"error":"boom"}"#))
                .unwrap_err()
                .exit_code(),
            6
        );
    }

    #[test]
    fn verify_status_and_balance_requests() {
        let p = keyed();
        let r = p.verify(UUID, &Secret::new("123456")).unwrap();
        assert_eq!(
            (r.method, r.url),
            (Method::Post, format!("{BASE}/Verify/Session/{UUID}/"))
        );
        assert_eq!(
            r.body,
            Body::Json(json!({"session_uuid": UUID, "otp": "123456"}))
        );
        assert_eq!(r.headers, vec![("Authorization".to_string(), basic())]);
        let r = p.status(UUID).unwrap();
        assert_eq!(
            (r.method, r.url, r.body),
            (
                Method::Get,
                format!("{BASE}/Verify/Session/{UUID}/"),
                Body::Empty
            )
        );
        assert!(p.cancel(UUID).is_none());
        let r = p.balance().unwrap();
        assert_eq!((r.method, r.url), (Method::Get, format!("{BASE}/")));
        assert!(p.status("a/b").unwrap().url.ends_with("/Session/a%2Fb/"));
    }

    #[test]
    fn verify_replies() {
        let p = keyed();
        assert!(p
            .verify_reply(&reply(
                200,
                r#"{"api_id":"a","message":"session validated successfully."}"#
            ))
            .is_ok());
        for (status, error, reason, ask) in [
            (400, "Invalid OTP", Reason::WrongCode, false),
            (400, "incorrect code", Reason::WrongCode, false),
            (400, "OTP expired", Reason::Expired, false),
            (400, "session expired", Reason::Expired, false),
            (
                400,
                "Maximum attempts exceeded",
                Reason::AttemptsExhausted,
                false,
            ),
            (400, "session already verified", Reason::AlreadyUsed, false),
            (400, "Invalid session_uuid", Reason::UnknownId, true),
            (404, "session not found", Reason::UnknownId, true),
            (404, "not found", Reason::UnknownId, true),
        ] {
            let f = p
                .verify_reply(&reply(
                    status,
                    &json!({"api_id": "a", "error": error}).to_string(),
                ))
                .unwrap_err();
            assert_eq!((f.reason, f.exit_code()), (Some(reason), 1), "{error}");
            assert_eq!(f.ask_record, ask, "{error}");
            assert!(f.message.contains(error), "{}", f.message);
        }
        let f = p
            .verify_reply(&reply(401, r#"{"error":"authentication failed"}"#))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        let f = p.verify_reply(&reply(502, r#"{"error":"x"}"#)).unwrap_err();
        assert_eq!(f.exit_code(), 6);
    }

    /// Plivo's API reference (Verify > Session > "Validate a session"): the answer is
    /// 200 `{"api_id", "message": "session validated successfully."}`; failures are 400
    /// `{api_id, error}`. Verified means Plivo said exactly that (or
    /// the session's `status` is `verified`); any other 2xx is unknown, never verified.
    #[test]
    fn verified_only_on_the_documented_success() {
        let p = keyed();
        for body in [
            r#"{"api_id":"a","message":"session validated successfully."}"#,
            r#"{"api_id":"a","message":"Session Validated Successfully"}"#,
            r#"{"api_id":"a","session_uuid":"u","status":"verified"}"#,
        ] {
            assert!(p.verify_reply(&reply(200, body)).is_ok(), "{body}");
        }
        for (status, body) in [
            (200, r#"{"api_id":"a"}"#),
            (200, "{}"),
            // A community toolkit's mock: a 200 saying the code is wrong. Undocumented.
            (
                200,
                r#"{"api_id":"a","message":"The passcode entered is incorrect."}"#,
            ),
            (200, r#"{"api_id":"a","error":"Invalid OTP"}"#),
            (
                202,
                r#"{"api_id":"a","session_uuid":"u","status":"in-progress"}"#,
            ),
            (
                200,
                r#"{"api_id":"a","message":"session validated successfully.","error":"x"}"#,
            ),
        ] {
            let f = p.verify_reply(&reply(status, body)).unwrap_err();
            assert_eq!(
                (f.outcome, f.kind, f.exit_code()),
                (Outcome::Unknown, Kind::BadResponse, 6),
                "{body}"
            );
        }
    }

    /// plivo-python `plivo/base.py`: `GEO_PERMISSION_ENDPOINTS = ['/Message/', '/Call/',
    /// '/Session/']`, and a 403 on one of them raises `GeoPermissionError`. The cause is
    /// the destination, not the credentials; the account lookup stays `auth`.
    #[test]
    fn a_403_on_the_session_api_is_a_geo_refusal() {
        let p = keyed();
        let body = r#"{"api_id":"a","error":"destination country not enabled"}"#;
        let refused = [
            p.send_reply(&reply(403, body)).unwrap_err(),
            p.verify_reply(&reply(403, body)).unwrap_err(),
            p.status_reply(&reply(403, body)).unwrap_err(),
        ];
        for f in refused {
            assert_eq!(
                (f.kind, f.outcome, f.exit_code()),
                (Kind::RouteRefused, Outcome::Rejected, 4)
            );
            assert!(f.kind.vendor_specific());
            let hint = f.hint.unwrap();
            assert!(hint.contains("Geo Permissions"), "{hint}");
            assert!(!hint.contains("auth_token"), "{hint}");
        }
        let f = p.balance_reply(&reply(403, body)).unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        assert!(f.hint.unwrap().contains("auth_token"));
    }

    #[test]
    fn status_and_balance_replies() {
        let p = keyed();
        let v = p
            .status_reply(&reply(
                200,
                &format!(r#"{{"session_uuid":"{UUID}","status":"in-progress"}}"#),
            ))
            .unwrap();
        assert_eq!(v["status"], "in-progress");
        assert_eq!(
            p.status_reply(&reply(404, r#"{"error":"not found"}"#))
                .unwrap_err()
                .kind,
            Kind::NotFound
        );
        for (body, amount, currency) in [
            (
                r#"{"auth_id":"MA","cash_credits":"12.34500"}"#,
                Some(12.345),
                None,
            ),
            (
                r#"{"cash_credits":7.5,"currency":"USD"}"#,
                Some(7.5),
                Some("USD"),
            ),
            (r#"{"auth_id":"MA"}"#, None, None),
        ] {
            let b = p.balance_reply(&reply(200, body)).unwrap();
            assert_eq!(b.amount, amount, "{body}");
            assert_eq!(b.currency.as_deref(), currency, "{body}");
        }
        let f = p
            .balance_reply(&reply(401, r#"{"error":"authentication failed"}"#))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
    }
}
