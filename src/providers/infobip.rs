//! Infobip 2FA: `POST /2fa/2/pin` asks a 2FA application (which decides the PIN's
//! lifetime and attempts) to send a PIN through one of its message templates (which
//! decides the PIN's length, type and text); `POST /2fa/2/pin/{pinId}/verify` checks a
//! code and says how many attempts are left. Each account has its own base URL, and the
//! API key goes in `Authorization: App <key>`.

use super::{
    http_failure, is_success, missing_field, path_segment, reply_json, snippet, text_at,
    vendor_message, Accepted, Balance, Channel, Info, Key, KeyType, LengthRule, Method, Otp, PinBy,
    Plan, Provider, Remaining, Reply, Request, TtlRule, VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind, Reason};
use crate::phone::Phone;
use crate::redact::{self, Secret};
use serde_json::{json, Map, Value};

const ID: &str = "infobip";

pub static INFO: Info = Info {
    id: ID,
    aliases: &[],
    name: "Infobip 2FA",
    about: "Infobip 2FA API; your 2FA application and message template decide the PIN, its text, lifetime and attempts; Infobip sends and verifies it (status by number, balance check)",
    pin_by: PinBy::Provider,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms],
    // The message template's pinType.
    pin_types: &[],
    // The message template's pinLength; 4 (Infobip's examples) only counts segments.
    length: LengthRule::ProviderChooses(4),
    ttl: TtlRule::ProviderChooses,
    attempts: None,
    callback: false,
    default_base_url: None,
    keys: &[
        Key::new(
            "api_key",
            KeyType::Secret,
            "Infobip API key, sent as `Authorization: App <key>`",
        )
        .required(),
        Key::new(
            "base_url",
            KeyType::Str,
            "your account's own API base URL, https://<x>.api.infobip.com (shown in the Infobip portal)",
        )
        .required(),
        Key::new(
            "application_id",
            KeyType::Str,
            "2FA application ID (applicationId); the application sets the PIN's lifetime and attempts",
        )
        .required(),
        Key::new(
            "message_id",
            KeyType::Str,
            "2FA message template ID (messageId); the template sets the PIN's length, type and text",
        )
        .required(),
    ],
    example: "provider = \"infobip\"\n\
              base_url = \"https://xxxxxxxxxxxxxxxx.api.infobip.com\"   # your account's base URL (Infobip portal)\n\
              api_key = { env = \"INFOBIP_API_KEY\" }\n\
              application_id = \"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\"   # 2FA application: lifetime, attempts\n\
              message_id = \"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\"       # its message template: length, text\n\
              # sender = \"InfoSMS\"                                  # overrides the template's senderId\n",
    credentials_hint: "the API key and your account's base URL are in the Infobip portal (Developers > API keys); application and message template IDs come from creating them in the portal or with the 2FA API",
    decided_at: Some("the Infobip 2FA message template and its application"),
    writes_message: true,
    takes_sender: true,
    build,
};

/// Where the text is changed instead.
const TEMPLATE_HINT: &str = "the 2FA message template (message_id) sets the PIN's length, type and text, and the 2FA application (application_id) its lifetime and attempts; change them in Infobip and remove them from the command or the profile";

struct Infobip {
    base: String,
    key: Secret,
    application_id: String,
    message_id: String,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let key = profile.require_secret("api_key")?;
    let base = profile.base_url()?;
    let application_id = profile.require_text("application_id")?.trim().to_string();
    let message_id = profile.require_text("message_id")?.trim().to_string();
    Ok(Box::new(Infobip {
        base,
        key,
        application_id,
        message_id,
    }))
}

/// Infobip's error shape: `{"requestError": {"serviceException": {"messageId", "text"}}}`.
fn service_exception(v: &Value) -> Option<(Option<String>, Option<String>)> {
    let e = v.get("requestError")?.get("serviceException")?;
    Some((text_at(e, "messageId"), text_at(e, "text")))
}

/// A verify answer's `attemptsRemaining`, where it is a count.
fn attempts_remaining(v: &Value) -> Option<u32> {
    let n = v.get("attemptsRemaining")?;
    n.as_u64()
        .or_else(|| n.as_str().and_then(|s| s.trim().parse().ok()))
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

impl Infobip {
    fn request(&self, method: Method, path: &str) -> Request {
        Request::new(method, format!("{}{path}", self.base))
            .header("Authorization", format!("App {}", self.key.expose()))
            .header("Accept", "application/json")
    }
}

impl Provider for Infobip {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        let (code, text) = service_exception(v).unwrap_or((None, None));
        http_failure(ID, reply, None, text.or_else(|| vendor_message(v)), code)
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        let chosen = if otp.message_chosen {
            Some("--message, --lang, --webotp-domain or `message`")
        } else if otp.app_hash.is_some() {
            Some("--app-hash")
        } else {
            None
        };
        if let Some(what) = chosen {
            return Err(Failure::usage(format!(
                "infobip sends the text of its 2FA message template, so {what} cannot be used"
            ))
            .hint(TEMPLATE_HINT));
        }
        let mut body = Map::new();
        body.insert("applicationId".into(), json!(self.application_id));
        if let Some(s) = otp.sender() {
            body.insert("from".into(), json!(s));
        }
        body.insert("messageId".into(), json!(self.message_id));
        body.insert("to".into(), json!(otp.to.digits()));
        body.insert("trackDelivery".into(), json!(false));
        Ok(Plan::Http(
            self.request(Method::Post, "/2fa/2/pin")
                .json(Value::Object(body)),
        ))
    }

    /// A 200 with `pinId` is accepted, unless `smsStatus` says `MESSAGE_NOT_SENT`, or is
    /// absent while Number Lookup found the number unreachable (both documented by
    /// Infobip): then nothing went out. The documented error shape is a refusal; anything else unknown.
    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(ID, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let Some(pin_id) = text_at(&v, "pinId").filter(|s| !s.trim().is_empty()) else {
            if service_exception(&v).is_some() {
                return Err(self.refusal(reply, &v));
            }
            return Err(missing_field(ID, "pinId", reply).next_step());
        };
        let sms = text_at(&v, "smsStatus").unwrap_or_default();
        let nc = text_at(&v, "ncStatus").unwrap_or_default();
        // Infobip: "SMS will not be sent only if Number Lookup status is NC_NOT_REACHABLE"
        // (the documented value is NC_DESTINATION_NOT_REACHABLE).
        let unreachable = nc == "NC_DESTINATION_NOT_REACHABLE" || nc == "NC_NOT_REACHABLE";
        if sms == "MESSAGE_NOT_SENT" || (sms.is_empty() && unreachable) {
            let said: Vec<String> = [("smsStatus", &sms), ("ncStatus", &nc)]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k} {}", redact::vendor_text(v)))
                .collect();
            let code = if sms.is_empty() { nc.clone() } else { sms };
            return Err(Failure::rejected(
                Kind::InvalidRequest,
                format!("infobip did not send the SMS ({})", said.join(", ")),
            )
            .status(reply.status)
            .code(Some(redact::vendor_text(&code)))
            .hint("Infobip found the number unreachable or could not route the message; check the number, or the 2FA logs in the Infobip portal"));
        }
        Ok(Accepted {
            id: pin_id,
            message_id: text_at(&v, "externalMessageId").filter(|s| !s.trim().is_empty()),
            ..Accepted::default()
        })
    }

    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        Ok(self
            .request(
                Method::Post,
                &format!("/2fa/2/pin/{}/verify", path_segment(id)),
            )
            .json(json!({"pin": code.expose()})))
    }

    /// A 200 whatever the verdict: `verified`, else `pinError` (`WRONG_PIN`,
    /// `TTL_EXPIRED`, `NO_MORE_PIN_ATTEMPTS`; any other by `attemptsRemaining`). A 404
    /// is a PIN Infobip no longer knows: the local record says why.
    /// Infobip's verify answer counts the attempts left (`attemptsRemaining`), whatever
    /// the verdict: the verify document's `attempts_left`.
    fn verify_remaining(&self, reply: &Reply) -> Remaining {
        let v = serde_json::from_slice::<Value>(&reply.body).unwrap_or(Value::Null);
        Remaining {
            attempts_left: attempts_remaining(&v),
            expires_at: None,
        }
    }

    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let v = reply_json(ID, reply)?;
        if reply.status == 404 {
            let (code, text) = service_exception(&v).unwrap_or((None, None));
            let said = text
                .map(|t| format!(" ({})", redact::vendor_text(&t)))
                .unwrap_or_default();
            return Err(Failure::not_verified(
                Reason::Expired,
                format!("infobip no longer knows this PIN: it expired, was verified or ran out of attempts{said}"),
            )
            .status(reply.status)
            .code(code.map(|c| redact::vendor_text(&c)))
            .ask_record());
        }
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let verified = match v.get("verified") {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        };
        let left = attempts_remaining(&v);
        match verified {
            Some(true) => Ok(()),
            Some(false) => {
                let pin_error = text_at(&v, "pinError").filter(|s| !s.trim().is_empty());
                let reason = match pin_error.as_deref() {
                    Some("WRONG_PIN") => Reason::WrongCode,
                    Some("TTL_EXPIRED") => Reason::Expired,
                    Some("NO_MORE_PIN_ATTEMPTS") => Reason::AttemptsExhausted,
                    _ if left == Some(0) => Reason::AttemptsExhausted,
                    _ => Reason::WrongCode,
                };
                let what = match reason {
                    Reason::Expired => "the PIN expired".to_string(),
                    Reason::AttemptsExhausted => "no attempts left".to_string(),
                    // The attempts left reach the document through `verify_remaining`.
                    _ => "wrong code".to_string(),
                };
                Err(Failure::not_verified(reason, what)
                    .status(reply.status)
                    .code(pin_error.map(|c| redact::vendor_text(&c))))
            }
            None if service_exception(&v).is_some() => Err(self.refusal(reply, &v)),
            None => Err(Failure::unknown(
                Kind::BadResponse,
                format!(
                    "infobip answered HTTP {} without `verified`; otp cannot tell whether the code is right",
                    reply.status
                ),
            )
            .status(reply.status)
            .detail(snippet(reply))),
        }
    }

    /// Infobip looks verifications up by number within the application, not by PIN id:
    /// without the local record's number there is nothing to ask.
    fn status_to(&self, id: &str, to: Option<&Phone>) -> Option<Request> {
        let _ = id;
        let to = to?;
        Some(self.request(
            Method::Get,
            &format!(
                "/2fa/2/applications/{}/verifications?msisdn={}",
                path_segment(&self.application_id),
                to.digits()
            ),
        ))
    }

    /// `GET /account/1/balance`: `{balance, currency}`.
    fn balance(&self) -> Option<Request> {
        Some(self.request(Method::Get, "/account/1/balance"))
    }

    fn balance_reply(&self, reply: &Reply) -> Result<Balance, Failure> {
        let v = reply_json(ID, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let amount = match v.get("balance") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        Ok(Balance {
            amount,
            currency: text_at(&v, "currency").map(|c| redact::vendor_text(&c)),
            note: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, reply};
    use crate::providers::Body;

    const KEY: &str = "infobip-unit-key-93ab";
    const APP: &str = "0933F3BC087D2A617AC6DCB2EF5B8A61";
    const MSG: &str = "16A8B5FE2BCD6CA716A2D780CB3F3390";
    const PIN_ID: &str = "9C817C6F8AF3D48F9FE553282AFA2B67";
    const TO: &str = "+41793026727";

    fn provider() -> Box<dyn Provider> {
        build(&testing::profile(&format!(
            "provider = \"infobip\"\napi_key = \"{KEY}\"\nbase_url = \"https://abc.api.infobip.com/\"\napplication_id = \"{APP}\"\nmessage_id = \"{MSG}\"\n"
        )))
        .unwrap()
    }

    fn http(plan: Plan) -> Request {
        match plan {
            Plan::Http(r) => r,
            other => panic!("not HTTP: {other:?}"),
        }
    }

    fn otp() -> Otp {
        testing::otp(TO, None, "Your code is {{code}}")
    }

    #[test]
    fn send_request_is_the_sdk_s() {
        let r = http(provider().send(&otp()).unwrap());
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Post, "https://abc.api.infobip.com/2fa/2/pin")
        );
        assert_eq!(
            r.headers,
            vec![
                ("Authorization".to_string(), format!("App {KEY}")),
                ("Accept".to_string(), "application/json".to_string()),
            ]
        );
        assert_eq!(
            r.body,
            Body::Json(
                json!({"applicationId": APP, "messageId": MSG, "to": "41793026727", "trackDelivery": false})
            )
        );
        let mut o = otp();
        o.sender = Some("InfoSMS".into());
        let r = http(provider().send(&o).unwrap());
        assert_eq!(
            r.body,
            Body::Json(
                json!({"applicationId": APP, "from": "InfoSMS", "messageId": MSG, "to": "41793026727", "trackDelivery": false})
            )
        );
        assert!(r.render_text().contains("Authorization: App ***"));
        assert!(!r.render_text().contains(KEY));
    }

    #[test]
    fn a_chosen_text_is_refused_with_the_template_hint() {
        let mut o = otp();
        o.message_chosen = true;
        let e = provider().send(&o).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint.unwrap().contains("message template"));
        let mut o = otp();
        o.app_hash = Some("FA+9qCX9VSu".into());
        assert!(provider()
            .send(&o)
            .unwrap_err()
            .message
            .contains("--app-hash"));
    }

    #[test]
    fn every_credential_and_the_base_url_are_required() {
        for (drop, key) in [
            ("api_key", "api_key"),
            ("base_url", "base_url"),
            ("application_id", "application_id"),
            ("message_id", "message_id"),
        ] {
            let body: String = [
                format!("api_key = \"{KEY}\""),
                "base_url = \"https://abc.api.infobip.com\"".to_string(),
                format!("application_id = \"{APP}\""),
                format!("message_id = \"{MSG}\""),
            ]
            .into_iter()
            .filter(|l| !l.starts_with(drop))
            .collect::<Vec<_>>()
            .join("\n");
            let e = build(&testing::profile(&format!(
                "provider = \"infobip\"\n{body}\n"
            )))
            .err()
            .unwrap();
            assert_eq!(e.exit_code(), 3, "{drop}");
            assert!(e.message.contains(key), "{}", e.message);
        }
    }

    #[test]
    fn send_replies() {
        let p = provider();
        let a = p
            .send_reply(&reply(200, &format!(r#"{{"pinId":"{PIN_ID}","to":"41793026727","ncStatus":"NC_DESTINATION_REACHABLE","smsStatus":"MESSAGE_SENT"}}"#)))
            .unwrap();
        assert_eq!((a.id.as_str(), a.expires_at), (PIN_ID, None));
        let e = p
            .send_reply(&reply(200, &format!(r#"{{"pinId":"{PIN_ID}","ncStatus":"NC_DESTINATION_NOT_REACHABLE","smsStatus":"MESSAGE_NOT_SENT"}}"#)))
            .unwrap_err();
        assert_eq!(
            (e.kind, e.outcome, e.exit_code()),
            (Kind::InvalidRequest, Outcome::Rejected, 4)
        );
        assert!(e.message.contains("NC_DESTINATION_NOT_REACHABLE"));
        let e = p
            .send_reply(&reply(
                200,
                &format!(r#"{{"pinId":"{PIN_ID}","ncStatus":"NC_DESTINATION_NOT_REACHABLE"}}"#),
            ))
            .unwrap_err();
        assert_eq!(e.exit_code(), 4);
        assert_eq!(
            e.provider_code.as_deref(),
            Some("NC_DESTINATION_NOT_REACHABLE")
        );
        // Reachable or unknown to Number Lookup: sent.
        for nc in ["NC_DESTINATION_UNKNOWN", "NC_NOT_CONFIGURED"] {
            assert!(p
                .send_reply(&reply(
                    200,
                    &format!(r#"{{"pinId":"{PIN_ID}","ncStatus":"{nc}"}}"#)
                ))
                .is_ok());
        }
        for (status, kind) in [
            (401, Kind::Auth),
            (400, Kind::InvalidRequest),
            (429, Kind::RateLimited),
            (200, Kind::InvalidRequest),
        ] {
            let e = p
                .send_reply(&reply(status, r#"{"requestError":{"serviceException":{"messageId":"UNAUTHORIZED","text":"Invalid login details"}}}"#))
                .unwrap_err();
            assert_eq!((e.kind, e.exit_code()), (kind, 4), "{status}");
            assert_eq!(e.provider_code.as_deref(), Some("UNAUTHORIZED"));
            assert!(e.message.contains("Invalid login details"), "{}", e.message);
        }
        for (status, body) in [
            (200, "{}"),
            (200, r#"{"smsStatus":"MESSAGE_SENT"}"#),
            (200, r#"{"message":"ok"}"#),
            (
                500,
                r#"{"requestError":{"serviceException":{"messageId":"GENERAL_ERROR","text":"x"}}}"#,
            ),
        ] {
            let e = p.send_reply(&reply(status, body)).unwrap_err();
            assert_eq!(
                (e.outcome, e.exit_code()),
                (Outcome::Unknown, 6),
                "{status} {body}"
            );
        }
    }

    #[test]
    fn verify_request_and_verdicts() {
        let p = provider();
        let r = p.verify(PIN_ID, &Secret::new("482913")).unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (
                Method::Post,
                "https://abc.api.infobip.com/2fa/2/pin/9C817C6F8AF3D48F9FE553282AFA2B67/verify"
            )
        );
        assert_eq!(r.body, Body::Json(json!({"pin": "482913"})));
        assert!(p
            .verify_reply(&reply(
                200,
                r#"{"pinId":"x","msisdn":"41793026727","verified":true,"attemptsRemaining":0}"#
            ))
            .is_ok());
        for (body, reason, left) in [
            (
                r#"{"verified":false,"attemptsRemaining":2,"pinError":"WRONG_PIN"}"#,
                Reason::WrongCode,
                Some(2),
            ),
            (
                r#"{"verified":false,"attemptsRemaining":3,"pinError":"TTL_EXPIRED"}"#,
                Reason::Expired,
                Some(3),
            ),
            (
                r#"{"verified":false,"attemptsRemaining":0,"pinError":"NO_MORE_PIN_ATTEMPTS"}"#,
                Reason::AttemptsExhausted,
                Some(0),
            ),
            (
                r#"{"verified":false,"attemptsRemaining":0,"pinError":"SOMETHING_NEW"}"#,
                Reason::AttemptsExhausted,
                Some(0),
            ),
            (
                r#"{"verified":false,"attemptsRemaining":1}"#,
                Reason::WrongCode,
                Some(1),
            ),
            (r#"{"verified":false}"#, Reason::WrongCode, None),
        ] {
            let f = p.verify_reply(&reply(200, body)).unwrap_err();
            let remaining = p.verify_remaining(&reply(200, body)).attempts_left;
            assert_eq!(
                (f.reason, f.exit_code(), remaining, f.ask_record),
                (Some(reason), 1, left, false),
                "{body}"
            );
        }
        let wrong = reply(
            200,
            r#"{"verified":false,"attemptsRemaining":2,"pinError":"WRONG_PIN"}"#,
        );
        let f = p.verify_reply(&wrong).unwrap_err();
        assert_eq!(f.message, "wrong code");
        assert_eq!(p.verify_remaining(&wrong).attempts_left, Some(2));
        let f = p
            .verify_reply(&reply(
                404,
                r#"{"requestError":{"serviceException":{"messageId":"NOT_FOUND","text":"Pin not found"}}}"#,
            ))
            .unwrap_err();
        assert_eq!(
            (f.reason, f.exit_code(), f.ask_record),
            (Some(Reason::Expired), 1, true)
        );
        let f = p
            .verify_reply(&reply(
                401,
                r#"{"requestError":{"serviceException":{"messageId":"UNAUTHORIZED","text":"Invalid login details"}}}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code(), f.reason), (Kind::Auth, 4, None));
        for (status, body) in [(200, "{}"), (200, r#"{"verified":"maybe"}"#), (503, "{}")] {
            let f = p.verify_reply(&reply(status, body)).unwrap_err();
            assert_eq!((f.exit_code(), f.reason), (6, None), "{status} {body}");
        }
    }

    #[test]
    fn status_goes_by_the_record_s_number() {
        let p = provider();
        assert!(p.status(PIN_ID).is_none());
        assert!(p.status_to(PIN_ID, None).is_none());
        let to = Phone::parse(TO, None).unwrap();
        let r = p.status_to(PIN_ID, Some(&to)).unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (
                Method::Get,
                "https://abc.api.infobip.com/2fa/2/applications/0933F3BC087D2A617AC6DCB2EF5B8A61/verifications?msisdn=41793026727"
            )
        );
        assert!(p.cancel(PIN_ID).is_none());
        let v = p
            .status_reply(&reply(
                200,
                r#"{"verifications":[{"msisdn":"41793026727","verified":false,"sentAt":1}]}"#,
            ))
            .unwrap();
        assert_eq!(v["verifications"][0]["verified"], false);
    }

    #[test]
    fn balance_check() {
        let p = provider();
        let r = p.balance().unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Get, "https://abc.api.infobip.com/account/1/balance")
        );
        let b = p
            .balance_reply(&reply(200, r#"{"balance":47.79134,"currency":"EUR"}"#))
            .unwrap();
        assert_eq!(
            (b.amount, b.currency.as_deref()),
            (Some(47.79134), Some("EUR"))
        );
        let e = p
            .balance_reply(&reply(
                401,
                r#"{"requestError":{"serviceException":{"messageId":"UNAUTHORIZED","text":"Invalid login details"}}}"#,
            ))
            .unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::Auth, 4));
    }
}
