//! CINNOX's "Send SMS OTP": `POST {base}/v1/api/apps/{app_id}/send_otp` delivers a PIN
//! that `otp` made, so the local record verifies it. The base URL is per App (no
//! default); the App Token is a Bearer token; errors carry 7-digit codes.

use super::{
    http_failure, is_success, missing_field, path_segment, reply_json, snippet, text_at,
    vendor_message, Accepted, Channel, Info, Key, KeyType, LengthRule, Method, Otp, PinBy, Plan,
    Provider, Reply, Request, TtlRule, VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind};
use crate::message::PinType;
use crate::redact::{self, Secret};
use serde_json::{json, Value};

/// CINNOX's PIN placeholder in `text`.
const PLACEHOLDER: &str = "%s";

/// The longest alphanumeric sender ID an SMS can carry (3GPP TS 23.040: 11 GSM 7-bit
/// characters in the originating address), so a longer one cannot be delivered as is.
const MAX_SENDER: usize = 11;

pub static INFO: Info = Info {
    id: "cinnox",
    aliases: &[],
    name: "CINNOX",
    about: "CINNOX Send SMS OTP; otp makes the PIN and verifies it locally",
    pin_by: PinBy::Tool,
    verify: VerifyBy::Local,
    channels: &[Channel::Sms],
    pin_types: &[PinType::Numeric, PinType::Alphanumeric, PinType::Letters],
    length: LengthRule::Range(1, 10),
    ttl: TtlRule::Local,
    attempts: Some((1, 100)),
    callback: false,
    default_base_url: None,
    keys: &[
        Key::new("app_id", KeyType::Str, "CINNOX App ID").required(),
        Key::new(
            "app_token",
            KeyType::Secret,
            "CINNOX App Token (sent as Bearer)",
        )
        .required(),
        Key::new(
            "sender",
            KeyType::Str,
            "alphanumeric sender ID (`senderNumber`): letters and digits, at most 11",
        )
        .required(),
    ],
    example: "provider = \"cinnox\"\n\
              base_url = \"https://example.cinnox.com\"   # your App's Base URL from the dashboard\n\
              app_id = \"your-app-id\"\n\
              app_token = { env = \"CINNOX_APP_TOKEN\" }\n\
              sender = \"Acme\"\n",
    credentials_hint: "the App ID, App Token and Base URL are shown per App in the CINNOX dashboard: Administration > Service Integration > API > API LIST",
    decided_at: None,
    writes_message: false,
    takes_sender: true,
    build,
};

struct Cinnox {
    url: String,
    token: Secret,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let app_id = profile.require_text("app_id")?;
    let token = profile.require_secret("app_token")?;
    let base = profile.base_url()?;
    Ok(Box::new(Cinnox {
        url: format!(
            "{base}/v1/api/apps/{}/send_otp",
            path_segment(app_id.trim())
        ),
        token,
    }))
}

/// The kind a CINNOX error code means; `None` leaves it to the HTTP status.
fn kind_of(code: Option<&str>) -> Option<Kind> {
    match code? {
        "6451000" => Some(Kind::InvalidRequest),
        "6451010" => Some(Kind::RateLimited),
        "6450001" => Some(Kind::NotFound),
        _ => None,
    }
}

/// The first transaction ID, whether CINNOX sends a string or a list of strings.
fn transaction_id(v: &Value) -> Option<String> {
    match v.get("result")?.get("transactionID")? {
        Value::Array(a) => a.iter().find_map(|x| match x {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }),
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Provider for Cinnox {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        let code = text_at(v, "code");
        let message = vendor_message(v);
        // "Bad response from an internal service": CINNOX failed midway, so the SMS may
        // or may not have gone out, whatever the HTTP status says.
        if code.as_deref() == Some("6451001") {
            return Failure::unknown(
                Kind::Server,
                format!(
                    "cinnox answered HTTP {} with error 6451001 (an internal service failed): {}",
                    reply.status,
                    redact::vendor_text(message.as_deref().unwrap_or("no message")),
                ),
            )
            .status(reply.status)
            .code(code)
            .detail(snippet(reply))
            .unsure()
            .next_step();
        }
        http_failure(INFO.id, reply, kind_of(code.as_deref()), message, code)
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        let pin = otp
            .pin
            .as_ref()
            .ok_or_else(|| Failure::usage("cinnox: no PIN to deliver"))?;
        let sender = otp
            .sender()
            .ok_or_else(|| {
                Failure::config("cinnox needs an alphanumeric sender ID (senderNumber), and none is set")
                    .hint("set sender = \"YourBrand\" in the profile (or pass --sender): letters and digits, at most 11")
            })?;
        let n = sender.chars().count();
        if n > MAX_SENDER
            || !sender.chars().all(|c| c.is_ascii_alphanumeric())
            || !sender.chars().any(|c| c.is_ascii_alphabetic())
        {
            return Err(Failure::usage(format!(
                "cinnox takes an alphanumeric sender ID (letters and digits, at least one letter, at most {MAX_SENDER}), not \"{sender}\""
            )));
        }
        let body = json!({
            "senderNumber": sender,
            "recipientNumber": otp.to.digits(),
            "text": otp.template.render(PLACEHOLDER),
            "pin": pin.expose(),
        });
        Ok(Plan::Http(
            Request::new(Method::Post, self.url.clone())
                .header("Authorization", format!("Bearer {}", self.token.expose()))
                .json(body),
        ))
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        // A 2xx can still carry an error: an error code, or result.status false.
        let code = text_at(&v, "code");
        if kind_of(code.as_deref()).is_some() || code.as_deref() == Some("6451001") {
            return Err(self.refusal(reply, &v));
        }
        let result_status = v.get("result").and_then(|r| r.get("status"));
        let refused = match result_status {
            Some(Value::Bool(b)) => !b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("false"),
            _ => false,
        };
        if refused {
            return Err(if vendor_message(&v).is_some() {
                self.refusal(reply, &v)
            } else {
                Failure::rejected(
                    Kind::InvalidRequest,
                    format!(
                        "cinnox rejected the request (HTTP {}): result.status is false",
                        reply.status
                    ),
                )
                .status(reply.status)
                .code(code)
                .detail(snippet(reply))
            });
        }
        match transaction_id(&v) {
            Some(id) => Ok(Accepted {
                id,
                ..Accepted::default()
            }),
            None if v.get("result").is_none() && vendor_message(&v).is_some() => {
                Err(self.refusal(reply, &v))
            }
            None => Err(missing_field(INFO.id, "result.transactionID", reply)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, reply};
    use crate::providers::Body;

    const TOKEN: &str = "cinnox-unit-token-3e8f";
    const PIN: &str = "482913";

    fn profile(text: &str) -> Profile {
        testing::profile(&format!("provider = \"cinnox\"\n{text}"))
    }

    fn provider() -> Box<dyn Provider> {
        build(&profile(&format!(
            "base_url = \"https://hk.example.com/\"\napp_id = \"app 1/x\"\napp_token = \"{TOKEN}\"\n"
        )))
        .unwrap()
    }

    fn otp() -> Otp {
        let mut o = testing::otp("+85291234567", Some("Acme2"), "Your Acme code is {{code}}");
        o.pin = Some(Secret::new(PIN));
        o
    }

    #[test]
    fn send_request_is_exact() {
        let Plan::Http(r) = provider().send(&otp()).unwrap() else {
            panic!("not HTTP")
        };
        assert_eq!(r.method, Method::Post);
        assert_eq!(
            r.url,
            "https://hk.example.com/v1/api/apps/app%201%2Fx/send_otp"
        );
        assert_eq!(
            r.headers,
            vec![("Authorization".to_string(), format!("Bearer {TOKEN}"))]
        );
        assert_eq!(
            r.body,
            Body::Json(json!({
                "senderNumber": "Acme2",
                "recipientNumber": "85291234567",
                "text": "Your Acme code is %s",
                "pin": PIN,
            }))
        );
    }

    #[test]
    fn sender_must_be_alphanumeric_and_present() {
        let p = provider();
        let mut o = otp();
        for (s, ok) in [
            ("A", true),
            ("Acme", true),
            ("ABCDEFGHIJK", true),
            ("ABCDEFGHIJKL", false),
            ("Acme Corp", false),
            ("Acme-1", false),
            ("12345", false),
            ("Ünicode", false),
        ] {
            o.sender = Some(s.into());
            let r = p.send(&o);
            assert_eq!(r.is_ok(), ok, "{s}");
            if let Err(e) = r {
                assert_eq!(e.exit_code(), 2, "{s}");
                assert!(
                    e.message.contains(s) && e.message.contains("11"),
                    "{}",
                    e.message
                );
            }
        }
        o.sender = None;
        let e = p.send(&o).err().unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.hint.unwrap().contains("sender"));
    }

    #[test]
    fn missing_settings_are_config_errors() {
        let e = build(&profile(&format!(
            "app_id = \"a\"\napp_token = \"{TOKEN}\"\n"
        )))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("base_url"), "{}", e.message);
        let hint = e.hint.unwrap();
        assert!(
            hint.contains("Administration > Service Integration > API > API LIST"),
            "{hint}"
        );
        let e = build(&profile(&format!(
            "base_url = \"https://x\"\napp_token = \"{TOKEN}\"\n"
        )))
        .err()
        .unwrap();
        assert!(e.message.contains("app_id"), "{}", e.message);
        let e = build(&profile("base_url = \"https://x\"\napp_id = \"a\"\n"))
            .err()
            .unwrap();
        assert!(e.message.contains("app_token"), "{}", e.message);
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn success_with_list_or_string_transaction_id() {
        let p = provider();
        for (body, id) in [
            (
                r#"{"code":0,"result":{"serviceID":"svc-1","status":true,"transactionID":["tx-1","tx-2"]}}"#,
                "tx-1",
            ),
            (
                r#"{"code":200,"result":{"serviceID":"svc-1","status":true,"transactionID":"tx-9"}}"#,
                "tx-9",
            ),
            (
                r#"{"result":{"status":true,"transactionID":["","tx-3"]}}"#,
                "tx-3",
            ),
        ] {
            let a = p.send_reply(&reply(200, body)).unwrap();
            assert_eq!(a.id, id, "{body}");
            assert!(a.pin.is_none() && a.cost.is_none() && a.message_id.is_none());
        }
        let e = p
            .send_reply(&reply(
                200,
                r#"{"code":0,"result":{"serviceID":"s","status":true,"transactionID":[]}}"#,
            ))
            .unwrap_err();
        assert_eq!(e.exit_code(), 6);
        assert!(e.message.contains("transactionID"));
    }

    #[test]
    fn errors_and_2xx_refusals() {
        let p = provider();
        for (status, body, kind, code) in [
            (
                400,
                r#"{"code":6451000,"message":"Invalid senderNumber"}"#,
                Kind::InvalidRequest,
                Some("6451000"),
            ),
            (
                400,
                r#"{"code":6451010,"message":"Too many requests"}"#,
                Kind::RateLimited,
                Some("6451010"),
            ),
            (
                404,
                r#"{"code":6450001,"message":"Not found"}"#,
                Kind::NotFound,
                Some("6450001"),
            ),
            (
                401,
                r#"{"code":401,"message":"Unauthorized"}"#,
                Kind::Auth,
                Some("401"),
            ),
            (
                400,
                r#"{"code":400,"message":"Unknown data type"}"#,
                Kind::InvalidRequest,
                Some("400"),
            ),
            (
                200,
                r#"{"code":6451000,"message":"Invalid senderNumber"}"#,
                Kind::InvalidRequest,
                Some("6451000"),
            ),
            (
                200,
                r#"{"code":0,"result":{"serviceID":"s","status":false,"transactionID":[]}}"#,
                Kind::InvalidRequest,
                Some("0"),
            ),
            (
                200,
                r#"{"code":1,"message":"no balance","result":{"status":"false"}}"#,
                Kind::InvalidRequest,
                Some("1"),
            ),
            (
                200,
                r#"{"code":1,"message":"Account suspended"}"#,
                Kind::InvalidRequest,
                Some("1"),
            ),
        ] {
            let e = p.send_reply(&reply(status, body)).unwrap_err();
            assert_eq!((e.kind, e.outcome), (kind, Outcome::Rejected), "{body}");
            assert_eq!(e.provider_code.as_deref(), code, "{body}");
            assert_eq!(e.http_status, Some(status), "{body}");
            assert_eq!(e.exit_code(), 4);
        }
        for status in [200, 400, 500] {
            let e = p
                .send_reply(&reply(
                    status,
                    r#"{"code":6451001,"message":"Bad response from service"}"#,
                ))
                .unwrap_err();
            assert_eq!((e.kind, e.exit_code()), (Kind::Server, 6), "{status}");
            assert_eq!(e.provider_code.as_deref(), Some("6451001"));
        }
        assert_eq!(p.send_reply(&reply(200, "{}")).unwrap_err().exit_code(), 6);
    }

    #[test]
    fn verify_is_local() {
        let p = provider();
        assert!(p.verify("tx-1", &Secret::new("123456")).is_err());
        assert!(p.status("tx-1").is_none() && p.cancel("tx-1").is_none());
    }
}
