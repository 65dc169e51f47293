//! Termii's token API: `POST /api/sms/otp/send` makes, sends and keeps the PIN;
//! `POST /api/sms/otp/verify` checks it. The key travels in the JSON body; replies are
//! read leniently (`status` string or number, `verified` bool or "True"/"False"/"Expired").

use super::{
    http_failure, is_success, missing_field, reply_json, text_at, vendor_message, Accepted,
    Balance, Channel, Info, Key, KeyType, LengthRule, Method, Otp, PinBy, Plan, Provider, Reply,
    Request, TtlRule, VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind, Reason};
use crate::message::PinType;
use crate::redact::Secret;
use serde_json::{json, Value};

/// The token Termii swaps for the PIN in `message_text` (its own docs use this one).
const PLACEHOLDER: &str = "< 1234 >";

pub static INFO: Info = Info {
    id: "termii",
    aliases: &[],
    name: "Termii",
    about: "Termii token API; Termii makes, sends and verifies the PIN",
    pin_by: PinBy::Provider,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms, Channel::Whatsapp],
    pin_types: &[PinType::Numeric, PinType::Alphanumeric],
    length: LengthRule::Range(4, 8),
    ttl: TtlRule::Minutes(1, 60),
    // Termii documents only "minimum 1"; its own samples send 10, the largest value we
    // know it takes.
    attempts: Some((1, 10)),
    callback: false,
    default_base_url: Some("https://api.ng.termii.com"),
    keys: &[
        Key::new("api_key", KeyType::Secret, "Termii API key").required(),
        Key::new(
            "sender",
            KeyType::Str,
            "sender ID (`from`) approved on the Termii dashboard, 3 to 11 characters",
        )
        .required(),
        Key::new(
            "route",
            KeyType::Str,
            "generic | dnd (dnd reaches numbers on Nigeria's do-not-disturb list)",
        )
        .default("generic"),
    ],
    example:
        "provider = \"termii\"\n\
              api_key = { env = \"TERMII_API_KEY\" }\n\
              sender = \"Acme\"\n\
              route = \"generic\"\n\
              # base_url = \"https://api.ng.termii.com\"   # or the base URL your dashboard shows\n",
    credentials_hint: "the API key and your account's base URL are shown on the Termii dashboard",
    decided_at: None,
    writes_message: false,
    takes_sender: true,
    build,
};

struct Termii {
    base: String,
    api_key: Secret,
    route: &'static str,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let route = match profile.str("route").map(|r| r.trim().to_ascii_lowercase()) {
        None => "generic",
        Some(r) if r == "generic" => "generic",
        Some(r) if r == "dnd" => "dnd",
        Some(r) => {
            return Err(profile.bad_value(
                "route",
                format!("termii route must be generic or dnd, not \"{r}\""),
            ))
        }
    };
    let api_key = profile.require_secret("api_key")?;
    let base = profile.base_url()?;
    Ok(Box::new(Termii {
        base,
        api_key,
        route,
    }))
}

/// Termii's kind for an error whose HTTP status says less than its text: the balance
/// message is undocumented, so it is recognised by its words.
fn kind_of(message: Option<&str>) -> Option<Kind> {
    let m = message?.to_ascii_lowercase();
    (m.contains("insufficient") || m.contains("balance") || m.contains("low credit"))
        .then_some(Kind::InsufficientFunds)
}

/// The error status a 2xx body carries in `code` or `status` (Termii's documented
/// statuses 400, 401, 403, 404, 405, 422, 429), where it carries one.
fn embedded_error_status(v: &Value) -> Option<u16> {
    ["code", "status"]
        .iter()
        .filter_map(|k| text_at(v, k))
        .filter_map(|c| c.trim().parse::<u16>().ok())
        .find(|c| matches!(c, 400 | 401 | 403 | 404 | 405 | 422 | 429))
}

/// A `verified` value in any of the shapes Termii sends.
#[derive(Debug, PartialEq, Eq)]
enum Verified {
    Yes,
    No,
    Expired,
    Other(String),
}

fn verified(v: &Value) -> Option<Verified> {
    Some(match v.get("verified")? {
        Value::Bool(true) => Verified::Yes,
        Value::Bool(false) => Verified::No,
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Verified::Yes,
            "false" => Verified::No,
            "expired" => Verified::Expired,
            _ => Verified::Other(s.clone()),
        },
        other => Verified::Other(other.to_string()),
    })
}

/// Whether Termii's text says the pin_id is unknown. Termii does not document this
/// reply, so the usual wordings count.
fn says_unknown_pin(message: Option<&str>) -> bool {
    let Some(m) = message.map(str::to_ascii_lowercase) else {
        return false;
    };
    m.contains("pin")
        && (m.contains("not found")
            || m.contains("does not exist")
            || m.contains("invalid pin id")
            || m.contains("invalid pin_id"))
}

/// Whether a failed verify means the pin_id is unknown: a 404 with a JSON body (an HTML
/// 404 is a wrong base URL and fails earlier), a 422 (Termii's "pin id not found", as a
/// maintained client reads it), or a 400 whose text says so.
fn unknown_pin(status: u16, message: Option<&str>) -> bool {
    matches!(status, 404 | 422) || (status == 400 && says_unknown_pin(message))
}

/// Whether Termii's text says the PIN was verified before ("Token <pin_id> has already
/// been verified", seen as an HTTP 400 to a second verify of one PIN).
fn says_already_verified(message: Option<&str>) -> bool {
    message
        .map(str::to_ascii_lowercase)
        .is_some_and(|m| m.contains("already been verified") || m.contains("already verified"))
}

fn unknown_id(reply: &Reply, v: &Value, message: Option<&str>) -> Failure {
    Failure::not_verified(
        Reason::UnknownId,
        format!(
            "termii does not know this pin_id (HTTP {}): {}",
            reply.status,
            crate::redact::vendor_text(message.unwrap_or("not found"))
        ),
    )
    .status(reply.status)
    .code(text_at(v, "code"))
}

impl Provider for Termii {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        let message = vendor_message(v);
        let kind = match reply.status {
            429 => None,
            _ => kind_of(message.as_deref()),
        };
        http_failure(INFO.id, reply, kind, message, text_at(v, "code"))
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        let sender = otp
            .sender()
            .ok_or_else(|| {
                Failure::config("termii needs a sender ID (`from`), and none is set")
                    .hint("set sender = \"YourBrand\" in the profile (or pass --sender): an ID approved on the Termii dashboard (Sender ID)")
            })?;
        // A letter-bearing (alphanumeric) sender is 3 to 11 characters in SMS itself and
        // in Termii's rules; numeric senders are phone numbers and left to Termii.
        let numeric = sender.chars().all(|c| c.is_ascii_digit() || c == '+');
        let n = sender.chars().count();
        if !numeric && !(3..=11).contains(&n) {
            return Err(Failure::usage(format!(
                "termii takes an alphanumeric sender ID of 3 to 11 characters, not \"{sender}\" ({n})"
            )));
        }
        let pin_type = match otp.pin_type.value {
            PinType::Alphanumeric => "ALPHANUMERIC",
            _ => "NUMERIC",
        };
        let channel = match otp.channel {
            Channel::Whatsapp => "whatsapp",
            _ => self.route,
        };
        // The default 5m is always whole minutes; a chosen ttl was checked by the app.
        let minutes = (otp.ttl.value.as_secs() / 60).clamp(1, 60);
        let body = json!({
            "api_key": self.api_key.expose(),
            "message_type": pin_type,
            "pin_type": pin_type,
            "to": otp.to.digits(),
            "from": sender,
            "channel": channel,
            "pin_attempts": otp.attempts.value,
            "pin_time_to_live": minutes,
            "pin_length": otp.length.value,
            "pin_placeholder": PLACEHOLDER,
            "message_text": otp.template.render(PLACEHOLDER),
        });
        Ok(Plan::Http(
            Request::new(Method::Post, format!("{}/api/sms/otp/send", self.base)).json(body),
        ))
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let id = ["pinId", "pin_id"]
            .iter()
            .find_map(|k| text_at(&v, k).filter(|s| !s.trim().is_empty()));
        // Without `pinId`, only Termii's error shape is a refusal: a `code` (or
        // `status`) that is one of its documented HTTP error statuses, carried in a 200.
        // Anything else ("queued", "balance remaining") may describe a send that went
        // out, so it is unknown, whatever its words.
        let Some(id) = id else {
            if let Some(status) = embedded_error_status(&v) {
                let inner = Reply {
                    status,
                    content_type: reply.content_type.clone(),
                    body: reply.body.clone(),
                    retry_after: reply.retry_after,
                };
                return Err(self.refusal(&inner, &v).status(reply.status));
            }
            return Err(missing_field(INFO.id, "pinId", reply));
        };
        Ok(Accepted {
            id,
            message_id: ["message_id_str", "message_id"]
                .iter()
                .find_map(|k| text_at(&v, k).filter(|s| !s.is_empty())),
            ..Accepted::default()
        })
    }

    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        Ok(
            Request::new(Method::Post, format!("{}/api/sms/otp/verify", self.base)).json(json!({
                "api_key": self.api_key.expose(),
                "pin_id": id,
                "pin": code.expose(),
            })),
        )
    }

    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let v = reply_json(INFO.id, reply)?;
        let message = vendor_message(&v);
        // Termii answers some verdicts with HTTP 400: an expired PIN (`verified`
        // "Expired") and a second verify of one PIN. They are answers about the code,
        // not refusals of the request.
        if reply.status == 400 {
            if verified(&v) == Some(Verified::Expired) {
                return Err(Failure::not_verified(
                    Reason::Expired,
                    "termii says the PIN has expired; send a new one",
                )
                .status(reply.status));
            }
            if says_already_verified(message.as_deref()) {
                return Err(Failure::not_verified(
                    Reason::AlreadyUsed,
                    "termii says this PIN was already verified; send a new one",
                )
                .status(reply.status)
                .code(text_at(&v, "code")));
            }
        }
        if !is_success(reply.status) {
            if unknown_pin(reply.status, message.as_deref()) {
                return Err(unknown_id(reply, &v, message.as_deref()));
            }
            return Err(self.refusal(reply, &v));
        }
        let remaining = text_at(&v, "attemptsRemaining").and_then(|s| s.trim().parse::<i64>().ok());
        match verified(&v) {
            Some(Verified::Yes) => Ok(()),
            Some(Verified::Expired) => Err(Failure::not_verified(
                Reason::Expired,
                "termii says the PIN has expired; send a new one",
            )),
            // No tries left: the PIN can never verify now, so say so rather than
            // "wrong code" (the local record is locked too).
            Some(Verified::No) if remaining == Some(0) => Err(Failure::not_verified(
                Reason::AttemptsExhausted,
                "wrong code, and termii says no attempts are left; send a new PIN",
            )),
            Some(Verified::No) => Err(Failure::not_verified(
                Reason::WrongCode,
                match remaining {
                    Some(n) => format!("wrong code; termii says {n} attempt(s) left"),
                    None => "wrong code".to_string(),
                },
            )),
            Some(Verified::Other(s)) => Err(Failure::unknown(
                Kind::BadResponse,
                format!(
                    "termii answered verified = {}, which otp does not know; it cannot tell whether the code is right",
                    crate::redact::vendor_text(&s)
                ),
            )
            .status(reply.status)
            .detail(super::snippet(reply))),
            None if says_unknown_pin(message.as_deref()) => {
                Err(unknown_id(reply, &v, message.as_deref()))
            }
            None if message.is_some() => Err(self.refusal(reply, &v)),
            None => Err(Failure::unknown(
                Kind::BadResponse,
                format!(
                    "termii answered HTTP {} without `verified`",
                    reply.status
                ),
            )
            .status(reply.status)
            .detail(super::snippet(reply))),
        }
    }

    /// `GET /api/get-balance?api_key=`: `{"user", "balance", "currency"}`. The key is in
    /// the query string, which `Request::masked` and the redactor hide.
    fn balance(&self) -> Option<Request> {
        let key: String =
            form_urlencoded::byte_serialize(self.api_key.expose().as_bytes()).collect();
        Some(Request::new(
            Method::Get,
            format!("{}/api/get-balance?api_key={key}", self.base),
        ))
    }

    fn balance_reply(&self, reply: &Reply) -> Result<Balance, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        match text_at(&v, "balance") {
            Some(b) => Ok(Balance {
                amount: b.trim().parse::<f64>().ok().filter(|a| a.is_finite()),
                currency: text_at(&v, "currency")
                    .map(|c| crate::redact::vendor_text(&c))
                    .filter(|c| !c.is_empty()),
                note: None,
            }),
            // Termii answers some refusals with HTTP 200 and only a message.
            None if vendor_message(&v).is_some() => Err(self.refusal(reply, &v)),
            None => Err(missing_field(INFO.id, "balance", reply)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, chosen, reply};
    use crate::providers::Body;
    use std::time::Duration;

    const KEY: &str = "termii-unit-key-5b1e";

    fn profile(extra: &str) -> Result<Box<dyn Provider>, Failure> {
        build(&testing::profile(&format!(
            "provider = \"termii\"\napi_key = \"{KEY}\"\nbase_url = \"https://api.example.com/\"\n{extra}"
        )))
    }

    fn otp() -> Otp {
        testing::otp(
            "+2347065250817",
            Some("Acme"),
            "Your Acme code is {{code}}. {{minutes}} min.",
        )
    }

    fn body(plan: Plan) -> (Request, Value) {
        match plan {
            Plan::Http(r) => {
                let Body::Json(v) = r.body.clone() else {
                    panic!("not JSON: {r:?}")
                };
                (r, v)
            }
            other => panic!("not HTTP: {other:?}"),
        }
    }

    #[test]
    fn send_request_has_every_field_with_its_type() {
        let p = profile("").unwrap();
        let (r, v) = body(p.send(&otp()).unwrap());
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://api.example.com/api/sms/otp/send");
        assert!(r.headers.is_empty(), "termii authenticates in the body");
        assert_eq!(
            v,
            json!({
                "api_key": KEY,
                "message_type": "NUMERIC",
                "pin_type": "NUMERIC",
                "to": "2347065250817",
                "from": "Acme",
                "channel": "generic",
                "pin_attempts": 3,
                "pin_time_to_live": 5,
                "pin_length": 6,
                "pin_placeholder": "< 1234 >",
                "message_text": "Your Acme code is < 1234 >. 5 min.",
            })
        );
    }

    #[test]
    fn route_channel_and_pin_type_map() {
        let p = profile("route = \"DND\"\n").unwrap();
        let mut o = otp();
        o.pin_type = chosen(PinType::Alphanumeric);
        o.ttl = chosen(Duration::from_secs(3600));
        o.length = chosen(8);
        o.attempts = chosen(10);
        let (_, v) = body(p.send(&o).unwrap());
        assert_eq!(v["channel"], "dnd");
        assert_eq!(v["pin_type"], "ALPHANUMERIC");
        assert_eq!(v["message_type"], "ALPHANUMERIC");
        assert_eq!(v["pin_time_to_live"], 60);
        assert_eq!(v["pin_length"], 8);
        assert_eq!(v["pin_attempts"], 10);
        o.channel = Channel::Whatsapp;
        let (_, v) = body(p.send(&o).unwrap());
        assert_eq!(v["channel"], "whatsapp");
    }

    #[test]
    fn bad_route_and_missing_key_are_config_errors() {
        let e = profile("route = \"premium\"\n").err().unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("generic or dnd"), "{}", e.message);
        assert!(e.message.contains("premium"));

        let e = build(&testing::profile("provider = \"termii\"\n"))
            .err()
            .unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("api_key"));
        assert!(
            e.hint.unwrap().contains("Termii dashboard"),
            "hint names the place"
        );
    }

    #[test]
    fn sender_is_required_and_checked() {
        let p = profile("").unwrap();
        let mut o = otp();
        o.sender = None;
        let e = p.send(&o).err().unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.hint.as_deref().unwrap().contains("sender"));
        o.sender = Some("  ".into());
        assert_eq!(p.send(&o).err().unwrap().exit_code(), 3);
        o.sender = Some("WayTooLongSender".into());
        let e = p.send(&o).err().unwrap();
        assert_eq!(e.exit_code(), 2);
        assert!(e.message.contains("3 to 11"), "{}", e.message);
        o.sender = Some("AB".into());
        assert_eq!(p.send(&o).err().unwrap().exit_code(), 2);
        o.sender = Some("2348012345678".into());
        assert!(p.send(&o).is_ok(), "numeric senders are left to Termii");
        o.sender = Some("N-Alert".into());
        assert!(p.send(&o).is_ok());
    }

    #[test]
    fn documented_success_and_lenient_variants() {
        let p = profile("").unwrap();
        let a = p
            .send_reply(&reply(
                200,
                r#"{"smsStatus":"Message Sent","phone_number":"2347065250817","to":"2347065250817","pinId":"b1f2242a-44c5-4eed-94bc-8d37b67ef219","pin_id":"b1f2242a-44c5-4eed-94bc-8d37b67ef219","message_id_str":"3017600245086449408013699","status":"200"}"#,
            ))
            .unwrap();
        assert_eq!(a.id, "b1f2242a-44c5-4eed-94bc-8d37b67ef219");
        assert_eq!(a.message_id.as_deref(), Some("3017600245086449408013699"));
        assert!(a.cost.is_none() && a.expires_at.is_none());

        let a = p
            .send_reply(&reply(
                200,
                r#"{"pinId":"p-1","to":"234","smsStatus":"Message Sent"}"#,
            ))
            .unwrap();
        assert_eq!(a.id, "p-1");
        assert_eq!(a.message_id, None);
        let a = p
            .send_reply(&reply(
                200,
                r#"{"pin_id":"p-2","status":200,"message_id":453166532802459832}"#,
            ))
            .unwrap();
        assert_eq!(a.id, "p-2");
        assert_eq!(a.message_id.as_deref(), Some("453166532802459832"));
    }

    #[test]
    fn a_200_without_pin_id_is_a_rejection_or_unknown() {
        // Words alone decide nothing: these may describe a send that went out.
        let p0 = profile("").unwrap();
        for body in [
            r#"{"message":"Message queued on sender ACME"}"#,
            r#"{"message":"Sent successfully, balance remaining 12.50"}"#,
            r#"{"status":"success","message":"Insufficient balance"}"#,
        ] {
            let e = p0.send_reply(&reply(200, body)).unwrap_err();
            assert_eq!((e.outcome, e.exit_code()), (Outcome::Unknown, 6), "{body}");
        }
        let p = profile("").unwrap();
        let e = p
            .send_reply(&reply(
                200,
                r#"{"code":"404","message":"Country route not active"}"#,
            ))
            .unwrap_err();
        assert_eq!(e.outcome, Outcome::Rejected);
        assert_eq!(e.exit_code(), 4);
        assert_eq!(e.provider_code.as_deref(), Some("404"));
        assert!(e.message.contains("Country route not active"));
        let e = p.send_reply(&reply(200, "{}")).unwrap_err();
        assert_eq!(e.exit_code(), 6);
        assert!(e.message.contains("pinId"));
        let e = p.send_reply(&reply(200, r#"{"pinId":""}"#)).unwrap_err();
        assert_eq!(e.exit_code(), 6);
    }

    #[test]
    fn error_statuses_map_to_kinds() {
        let p = profile("").unwrap();
        for (status, body, kind, code) in [
            (401, r#"{"message":"Invalid API key"}"#, Kind::Auth, None),
            (403, r#"{"message":"Forbidden"}"#, Kind::Auth, None),
            (
                400,
                r#"{"code":400,"message":"Invalid sender ID"}"#,
                Kind::InvalidRequest,
                Some("400"),
            ),
            (
                422,
                r#"{"message":"pin_length must be 4 to 8"}"#,
                Kind::InvalidRequest,
                None,
            ),
            (
                400,
                r#"{"message":"Insufficient balance"}"#,
                Kind::InsufficientFunds,
                None,
            ),
            (
                429,
                r#"{"message":"Too many requests"}"#,
                Kind::RateLimited,
                None,
            ),
        ] {
            let e = p.send_reply(&reply(status, body)).unwrap_err();
            assert_eq!(e.kind, kind, "{status} {body}");
            assert_eq!(e.exit_code(), 4, "{status} {body}");
            assert_eq!(e.http_status, Some(status));
            assert_eq!(e.provider_code.as_deref(), code);
        }
        let e = p
            .send_reply(&reply(503, r#"{"message":"down"}"#))
            .unwrap_err();
        assert_eq!(e.exit_code(), 6);
    }

    #[test]
    fn verify_request() {
        let p = profile("").unwrap();
        let r = p.verify("pin-9", &Secret::new("195558")).unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://api.example.com/api/sms/otp/verify");
        assert_eq!(
            r.body,
            Body::Json(json!({"api_key": KEY, "pin_id": "pin-9", "pin": "195558"}))
        );
    }

    #[test]
    fn verify_replies_in_every_shape() {
        let p = profile("").unwrap();
        let reason =
            |status, body: &str| p.verify_reply(&reply(status, body)).err().map(|e| e.reason);
        assert_eq!(
            reason(200, r#"{"pinId":"x","verified":"True","msisdn":"234"}"#),
            None
        );
        assert_eq!(reason(200, r#"{"pinId":"x","verified":true}"#), None);
        assert_eq!(reason(200, r#"{"verified":"TRUE"}"#), None);
        assert_eq!(
            reason(200, r#"{"verified":"False"}"#),
            Some(Some(Reason::WrongCode))
        );
        assert_eq!(
            reason(200, r#"{"verified":false,"attemptsRemaining":2}"#),
            Some(Some(Reason::WrongCode))
        );
        assert_eq!(
            reason(
                200,
                r#"{"pinId":"x","verified":false,"msisdn":"234","attemptsRemaining":0}"#
            ),
            Some(Some(Reason::AttemptsExhausted))
        );
        assert_eq!(
            reason(200, r#"{"verified":"False","attemptsRemaining":"0"}"#),
            Some(Some(Reason::AttemptsExhausted))
        );
        assert_eq!(
            reason(200, r#"{"verified":"Expired"}"#),
            Some(Some(Reason::Expired))
        );
        assert_eq!(
            reason(200, r#"{"verified":"expired"}"#),
            Some(Some(Reason::Expired))
        );
        assert_eq!(
            reason(404, r#"{"message":"Not found"}"#),
            Some(Some(Reason::UnknownId))
        );
        assert_eq!(
            reason(400, r#"{"message":"Pin not found"}"#),
            Some(Some(Reason::UnknownId))
        );
        assert_eq!(
            reason(200, r#"{"status":200,"message":"Pin ID does not exist"}"#),
            Some(Some(Reason::UnknownId))
        );

        let e = p
            .verify_reply(&reply(200, r#"{"verified":"False"}"#))
            .unwrap_err();
        assert_eq!(e.exit_code(), 1);
        let e = p
            .verify_reply(&reply(401, r#"{"message":"Invalid API key"}"#))
            .unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::Auth, 4));
        let e = p
            .verify_reply(&reply(400, r#"{"message":"pin is required"}"#))
            .unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::InvalidRequest, 4));
        let e = p
            .verify_reply(&reply(200, r#"{"verified":"Pending"}"#))
            .unwrap_err();
        assert_eq!(e.exit_code(), 6);
        let e = p
            .verify_reply(&reply(200, r#"{"message":"Account not active"}"#))
            .unwrap_err();
        assert_eq!(e.exit_code(), 4);
        let e = p.verify_reply(&reply(200, "{}")).unwrap_err();
        assert_eq!(e.exit_code(), 6);
        let e = p
            .verify_reply(&Reply {
                status: 404,
                content_type: Some("text/html".into()),
                body: b"<html>404</html>".to_vec(),
                retry_after: None,
            })
            .unwrap_err();
        assert_eq!(
            e.exit_code(),
            4,
            "an HTML 404 is a wrong URL, not an unknown id"
        );
    }

    #[test]
    fn verify_answers_in_http_errors_are_verdicts() {
        let p = profile("").unwrap();
        let no = |status, body: &str| p.verify_reply(&reply(status, body)).unwrap_err();
        let e = no(400, r#"{"pinId":"x","verified":"Expired","msisdn":"234"}"#);
        assert_eq!((e.reason, e.exit_code()), (Some(Reason::Expired), 1));
        assert_eq!(e.http_status, Some(400));
        let e = no(
            400,
            r#"{"error":true,"message":"Token b1f2242a-44c5 has already been verified"}"#,
        );
        assert_eq!((e.reason, e.exit_code()), (Some(Reason::AlreadyUsed), 1));
        for body in [
            r#"{"message":"pin id not found"}"#,
            r#"{"error":true,"validationErrors":{"pin_id":["invalid"]}}"#,
            "{}",
        ] {
            let e = no(422, body);
            assert_eq!(
                (e.reason, e.exit_code()),
                (Some(Reason::UnknownId), 1),
                "{body}"
            );
        }
        // an empty 401 is a bad key, not a verdict
        let e = p
            .verify_reply(&Reply {
                status: 401,
                content_type: None,
                body: Vec::new(),
                retry_after: None,
            })
            .unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::Auth, 4));
        // a 400 that says neither is still a refusal of the request
        let e = no(400, r#"{"message":"pin is required"}"#);
        assert_eq!((e.kind, e.exit_code()), (Kind::InvalidRequest, 4));
    }

    #[test]
    fn balance_request_and_reply() {
        let p = profile("").unwrap();
        let r = p.balance().unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(
            r.url,
            format!("https://api.example.com/api/get-balance?api_key={KEY}")
        );
        assert_eq!(r.body, Body::Empty);
        assert!(!r.render_text().contains(KEY), "{}", r.render_text());
        assert!(r.render_text().contains("api_key=***"));
        let b = p
            .balance_reply(&reply(
                200,
                r#"{"user":"Acme","balance":1234.5,"currency":"NGN"}"#,
            ))
            .unwrap();
        assert_eq!(
            (b.amount, b.currency.as_deref()),
            (Some(1234.5), Some("NGN"))
        );
        let b = p.balance_reply(&reply(200, r#"{"balance":"0"}"#)).unwrap();
        assert_eq!((b.amount, b.currency), (Some(0.0), None));
        let e = p
            .balance_reply(&Reply {
                status: 401,
                content_type: None,
                body: Vec::new(),
                retry_after: None,
            })
            .unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::Auth, 4));
        let e = p
            .balance_reply(&reply(200, r#"{"message":"Invalid API key"}"#))
            .unwrap_err();
        assert_eq!(e.exit_code(), 4);
        assert_eq!(
            p.balance_reply(&reply(200, "{}")).unwrap_err().exit_code(),
            6
        );
    }
}
