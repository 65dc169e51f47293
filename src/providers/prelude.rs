//! Prelude Verify v2: `POST /v2/verification` makes, sends and keeps the code behind a
//! fraud guard that may refuse the number with HTTP 200; `POST /v2/verification/check`
//! checks a code by phone number, not by id. Auth is `Authorization: Bearer <api key>`.

use super::{
    http_failure, is_success, missing_field, path_segment, reply_json, snippet, text_at,
    vendor_message, Accepted, Channel, Info, Key, KeyType, LengthRule, Method, Otp, PinBy, Plan,
    Provider, Reply, Request, TtlRule, VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind, Reason};
use crate::message::PinType;
use crate::phone::Phone;
use crate::redact::{self, Secret};
use serde_json::{json, Map, Value};

pub static INFO: Info = Info {
    id: "prelude",
    aliases: &[],
    name: "Prelude Verify v2",
    about: "Prelude Verify v2; Prelude makes, sends and verifies the code (by number) and writes the message itself",
    pin_by: PinBy::Provider,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms, Channel::Whatsapp],
    pin_types: &[PinType::Numeric],
    length: LengthRule::Range(4, 8),
    ttl: TtlRule::ProviderChooses,
    attempts: None,
    callback: false,
    default_base_url: Some("https://api.prelude.dev"),
    keys: &[
        Key::new("api_key", KeyType::Secret, "Prelude API key (Bearer)").required(),
        Key::new("locale", KeyType::Str, "language of Prelude's message (BCP 47, e.g. fr-FR)"),
    ],
    example: "provider = \"prelude\"\n\
              api_key = { env = \"PRELUDE_API_KEY\" }\n\
              # sender = \"Acme\"         # sender_id, where Prelude has one approved for you\n",
    credentials_hint: "API keys are in the Prelude dashboard, under Settings > API keys",
    decided_at: Some("the Prelude dashboard"),
    writes_message: true,
    takes_sender: true,
    build,
};

struct Prelude {
    base: String,
    api_key: Secret,
    locale: Option<String>,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let api_key = profile.require_secret("api_key")?;
    let base = profile.base_url()?;
    let locale = profile
        .text("locale")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    Ok(Box::new(Prelude {
        base,
        api_key,
        locale,
    }))
}

fn target(to: &Phone) -> Value {
    json!({"type": "phone_number", "value": to.e164()})
}

/// Prelude's error kinds where its `code` says more than the HTTP status.
fn kind_of(v: &Value) -> Option<Kind> {
    let code = text_at(v, "code").unwrap_or_default().to_ascii_lowercase();
    if code.contains("balance") || code.contains("credit") || code.contains("fund") {
        return Some(Kind::InsufficientFunds);
    }
    None
}

/// The channels a challenged verification goes over, as the reply lists them (in
/// Prelude's order), for the warning.
fn channels(v: &Value) -> String {
    let named: Vec<String> = v
        .get("channels")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|c| redact::vendor_text(c.trim()))
                .filter(|c| !c.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if named.is_empty() {
        "another channel (the reply names none)".into()
    } else {
        named.join(", ")
    }
}

impl Prelude {
    fn request(&self, method: Method, path: &str) -> Request {
        Request::new(method, format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.api_key.expose()))
    }
}

impl Provider for Prelude {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        http_failure(
            INFO.id,
            reply,
            kind_of(v),
            vendor_message(v),
            text_at(v, "code"),
        )
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        // The text is the vendor's: a chosen one would be dropped, so it is refused.
        if otp.message_chosen {
            return Err(Failure::usage(
                "prelude writes the message itself, so --message, --lang, --webotp-domain or `message` cannot be used",
            )
            .hint("Prelude writes the message itself (templates live on the Prelude dashboard); remove the message from the command or the profile"));
        }
        let mut options = Map::new();
        // Only a chosen length is sent: otherwise the dashboard's setting stands.
        if otp.length.explicit {
            options.insert("code_size".into(), json!(otp.length.value));
        }
        if let Some(l) = &self.locale {
            options.insert("locale".into(), json!(l));
        }
        if let Some(s) = otp.sender() {
            options.insert("sender_id".into(), json!(s));
        }
        if otp.channel == Channel::Whatsapp {
            options.insert("preferred_channel".into(), json!("whatsapp"));
        }
        let mut body = Map::new();
        body.insert("target".into(), target(&otp.to));
        if !options.is_empty() {
            body.insert("options".into(), Value::Object(options));
        }
        Ok(Plan::Http(
            self.request(Method::Post, "/v2/verification")
                .json(Value::Object(body)),
        ))
    }

    /// A 200 alone does not mean sent: `status` does. `success` opens a window, `retry`
    /// resends in the open one (same id); `shadow_blocked` (a block rule in dry run) and
    /// `challenged` (another channel than SMS or voice) sent the code too, so they are
    /// accepted with a warning; only `blocked` sent nothing. Any other status is unknown.
    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let status = text_at(&v, "status").unwrap_or_default();
        let reason = text_at(&v, "reason")
            .filter(|r| !r.trim().is_empty())
            .map(|r| format!(" (reason: {})", redact::vendor_text(&r)))
            .unwrap_or_default();
        let warning = match status.as_str() {
            "success" | "retry" => None,
            "shadow_blocked" => Some(format!(
                "prelude's fraud guard matched a block rule{reason} that is in dry run (shadow_blocked): the rule was not enforced and the code was sent; review the rule on the Prelude dashboard before it enforces"
            )),
            "challenged" => Some(format!(
                "prelude challenged this verification (restricted to channels other than SMS and voice): the code goes over {}",
                channels(&v)
            )),
            "blocked" => {
                return Err(Failure::rejected(
                    Kind::Blocked,
                    format!("prelude's fraud guard refused this number{reason}; nothing was sent"),
                )
                .status(reply.status)
                .code(Some(status.clone()))
                .hint("Prelude decides this itself; review the number, or its fraud settings on the Prelude dashboard"));
            }
            _ if vendor_message(&v).is_some() && text_at(&v, "id").is_none() => {
                return Err(self.refusal(reply, &v));
            }
            _ => {
                return Err(Failure::unknown(
                    Kind::BadResponse,
                    format!(
                        "prelude answered HTTP {} with status \"{}\", which otp does not know",
                        reply.status,
                        redact::vendor_text(&status),
                    ),
                )
                .unsure()
                .next_step()
                .status(reply.status)
                .detail(snippet(reply)));
            }
        };
        let Some(id) = text_at(&v, "id").filter(|s| !s.trim().is_empty()) else {
            return Err(missing_field(INFO.id, "id", reply));
        };
        Ok(Accepted {
            id,
            warning,
            ..Accepted::default()
        })
    }

    fn verify_to(&self, id: &str, to: Option<&Phone>, code: &Secret) -> Result<Request, Failure> {
        let Some(to) = to else {
            return Err(Failure::not_verified(
                Reason::UnknownId,
                format!("no local record of id {id}, and prelude checks a code by phone number"),
            )
            .hint("prelude verifies by number, which only the send's local record keeps; send a new one"));
        };
        Ok(self
            .request(Method::Post, "/v2/verification/check")
            .json(json!({"target": target(to), "code": code.expose()})))
    }

    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        self.verify_to(id, None, code)
    }

    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let status = text_at(&v, "status").unwrap_or_default();
        match status.as_str() {
            "success" => Ok(()),
            "failure" => Err(Failure::not_verified(Reason::WrongCode, "wrong code")
                .status(reply.status)
                .code(Some(status.clone()))),
            // `expired_or_not_found` in the API reference; an older page lists `expired`.
            "expired_or_not_found" | "expired" => Err(Failure::not_verified(
                Reason::Expired,
                "prelude has no open verification for this number (expired, used or never sent)",
            )
            .status(reply.status)
            .code(Some(status.clone()))
            .ask_record()),
            _ => Err(Failure::unknown(
                Kind::BadResponse,
                format!(
                    "prelude answered HTTP {} with status \"{}\" instead of success; otp cannot tell whether the code is right",
                    reply.status,
                    redact::vendor_text(&status)
                ),
            )
            .status(reply.status)
            .detail(snippet(reply))),
        }
    }

    fn status(&self, id: &str) -> Option<Request> {
        Some(self.request(
            Method::Get,
            &format!("/v2/verification/phone/history/{}", path_segment(id)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, chosen, reply};
    use crate::providers::Body;

    const KEY: &str = "prelude-unit-key-0c3f";
    const ID: &str = "vrf_01jc0t6fwwfgfsq1md24mhyztj";

    fn provider(extra: &str) -> Box<dyn Provider> {
        build(&testing::profile(&format!(
            "provider = \"prelude\"\napi_key = \"{KEY}\"\nbase_url = \"https://api.example.com\"\n{extra}"
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
        testing::otp("+33612345678", None, "Your code is {{code}}")
    }

    #[test]
    fn a_chosen_message_is_refused_not_dropped() {
        let mut o = otp();
        o.message_chosen = true;
        let e = provider("").send(&o).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.message.contains("writes the message itself"),
            "{}",
            e.message
        );
    }

    #[test]
    fn send_request_is_exact() {
        let r = http(provider("").send(&otp()).unwrap());
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Post, "https://api.example.com/v2/verification")
        );
        assert_eq!(
            r.headers,
            vec![("Authorization".to_string(), format!("Bearer {KEY}"))]
        );
        assert_eq!(
            r.body,
            Body::Json(json!({"target": {"type": "phone_number", "value": "+33612345678"}}))
        );
        let mut o = otp();
        o.length = chosen(8);
        o.sender = Some("Acme".into());
        o.channel = Channel::Whatsapp;
        let r = http(provider("locale = \"fr-FR\"\n").send(&o).unwrap());
        assert_eq!(
            r.body,
            Body::Json(json!({
                "target": {"type": "phone_number", "value": "+33612345678"},
                "options": {"code_size": 8, "locale": "fr-FR", "sender_id": "Acme", "preferred_channel": "whatsapp"},
            }))
        );
    }

    #[test]
    fn missing_key_is_a_config_error() {
        let e = build(&testing::profile("provider = \"prelude\"\n"))
            .err()
            .unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("api_key"));
        assert!(e.hint.unwrap().contains("Prelude dashboard"));
    }

    #[test]
    fn the_status_decides_a_200() {
        let p = provider("");
        for status in ["success", "retry"] {
            let a = p
                .send_reply(&reply(200, &format!(r#"{{"id":"{ID}","status":"{status}","method":"message","channels":["sms"]}}"#)))
                .unwrap();
            assert_eq!(a.id, ID);
        }
        let e = p
            .send_reply(&reply(
                200,
                &format!(r#"{{"id":"{ID}","status":"blocked","reason":"suspicious"}}"#),
            ))
            .unwrap_err();
        assert_eq!(
            (e.kind, e.outcome, e.exit_code()),
            (Kind::Blocked, Outcome::Rejected, 4)
        );
        assert!(e.message.contains("suspicious"), "{}", e.message);
        assert_eq!(e.provider_code.as_deref(), Some("blocked"));
        assert!(e.hint.is_some());
        for body in [
            r#"{"id":"x","status":"queued"}"#,
            r#"{"status":"success"}"#,
            "{}",
        ] {
            let e = p.send_reply(&reply(200, body)).unwrap_err();
            assert_eq!(e.exit_code(), 6, "{body}");
        }
    }

    /// Prelude's OpenAPI (prelude-so/python-sdk `types/verification_create_response.py`):
    /// `shadow_blocked` "The verification triggered a block rule but the decision was not
    /// enforced; this is used to dry-run anti-fraud configuration". The code was sent.
    #[test]
    fn shadow_blocked_is_a_send_with_a_warning_naming_the_dry_run() {
        let a = provider("")
            .send_reply(&reply(
                200,
                &format!(r#"{{"id":"{ID}","status":"shadow_blocked","reason":"suspicious","method":"message","channels":["sms"]}}"#),
            ))
            .unwrap();
        assert_eq!(a.id, ID);
        let w = a.warning.unwrap();
        assert!(
            w.contains("dry run") && w.contains("shadow_blocked") && w.contains("suspicious"),
            "{w}"
        );
        assert!(w.contains("was sent"), "{w}");
    }

    /// Prelude's OpenAPI (same file): `challenged` means the verification is "restricted
    /// to non-SMS and non-voice channels only"; `channels` is "the ordered sequence of
    /// channels to be used for verification". Sent, on another channel.
    #[test]
    fn challenged_is_a_send_with_a_warning_naming_the_channel() {
        let p = provider("");
        let a = p
            .send_reply(&reply(
                200,
                &format!(r#"{{"id":"{ID}","status":"challenged","method":"message","channels":["whatsapp","rcs"]}}"#),
            ))
            .unwrap();
        assert_eq!(a.id, ID);
        let w = a.warning.unwrap();
        assert!(w.contains("whatsapp, rcs"), "{w}");
        assert!(w.contains("challenged"), "{w}");
        let a = p
            .send_reply(&reply(
                200,
                &format!(r#"{{"id":"{ID}","status":"challenged"}}"#),
            ))
            .unwrap();
        assert!(a.warning.unwrap().contains("names none"));
        // Accepted needs the handle like any send.
        let e = p
            .send_reply(&reply(
                200,
                r#"{"status":"challenged","channels":["whatsapp"]}"#,
            ))
            .unwrap_err();
        assert_eq!(e.exit_code(), 6);
    }

    /// A status Prelude's OpenAPI does not list is not read as sent or refused.
    #[test]
    fn an_unknown_send_status_stays_unknown() {
        let e = provider("")
            .send_reply(&reply(
                200,
                &format!(r#"{{"id":"{ID}","status":"held_for_review"}}"#),
            ))
            .unwrap_err();
        assert_eq!((e.outcome, e.exit_code()), (Outcome::Unknown, 6));
        assert!(e.message.contains("held_for_review"), "{}", e.message);
    }

    #[test]
    fn send_errors_map_to_kinds() {
        let p = provider("");
        for (status, body, kind) in [
            (
                401,
                r#"{"code":"invalid_api_key","message":"The API key is invalid.","type":"unauthorized","request_id":"r1"}"#,
                Kind::Auth,
            ),
            (
                400,
                r#"{"code":"invalid_phone_number","message":"The phone number is invalid.","type":"bad_request"}"#,
                Kind::InvalidRequest,
            ),
            (
                402,
                r#"{"code":"insufficient_balance","message":"Your balance is too low."}"#,
                Kind::InsufficientFunds,
            ),
            (
                429,
                r#"{"code":"too_many_requests","message":"Slow down."}"#,
                Kind::RateLimited,
            ),
        ] {
            let e = p.send_reply(&reply(status, body)).unwrap_err();
            assert_eq!((e.kind, e.outcome), (kind, Outcome::Rejected), "{body}");
            assert_eq!(e.http_status, Some(status));
            assert!(e.provider_code.is_some());
        }
        let e = p
            .send_reply(&reply(503, r#"{"message":"down"}"#))
            .unwrap_err();
        assert_eq!(e.exit_code(), 6);
    }

    #[test]
    fn verify_is_by_number_from_the_record() {
        let p = provider("");
        let to = Phone::parse("+33612345678", None).unwrap();
        let r = p.verify_to(ID, Some(&to), &Secret::new("123456")).unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (
                Method::Post,
                "https://api.example.com/v2/verification/check"
            )
        );
        assert_eq!(
            r.body,
            Body::Json(
                json!({"target": {"type": "phone_number", "value": "+33612345678"}, "code": "123456"})
            )
        );
        let e = p.verify_to(ID, None, &Secret::new("123456")).unwrap_err();
        assert_eq!((e.reason, e.exit_code()), (Some(Reason::UnknownId), 1));
        assert!(e.hint.unwrap().contains("by number"));
        assert!(p.verify(ID, &Secret::new("123456")).is_err());
    }

    #[test]
    fn verify_verdicts() {
        let p = provider("");
        assert!(p
            .verify_reply(&reply(
                200,
                &format!(r#"{{"id":"{ID}","status":"success"}}"#)
            ))
            .is_ok());
        let no = |body: &str| p.verify_reply(&reply(200, body)).unwrap_err();
        let f = no(r#"{"id":"x","status":"failure"}"#);
        assert_eq!(
            (f.reason, f.exit_code(), f.ask_record),
            (Some(Reason::WrongCode), 1, false)
        );
        // Prelude's check response (python-sdk `types/verification_check_response.py`)
        // lists `expired_or_not_found`; an older page of its docs lists `expired`.
        for status in ["expired_or_not_found", "expired"] {
            let f = no(&format!(r#"{{"status":"{status}"}}"#));
            assert_eq!(
                (f.reason, f.exit_code(), f.ask_record),
                (Some(Reason::Expired), 1, true),
                "{status}"
            );
        }
        for body in [r#"{"status":"transaction_missing"}"#, "{}"] {
            assert_eq!(no(body).exit_code(), 6, "{body}");
        }
        let f = p
            .verify_reply(&reply(
                401,
                r#"{"code":"invalid_api_key","message":"bad key"}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
    }

    #[test]
    fn status_and_no_cancel_or_balance() {
        let p = provider("");
        let r = p.status(ID).unwrap();
        assert_eq!((r.method, r.url.as_str()), (Method::Get, "https://api.example.com/v2/verification/phone/history/vrf_01jc0t6fwwfgfsq1md24mhyztj"));
        assert_eq!(
            p.status("a/b").unwrap().url,
            "https://api.example.com/v2/verification/phone/history/a%2Fb"
        );
        assert!(p.cancel(ID).is_none());
        assert!(p.balance().is_none());
        assert!(p.status_reply(&reply(200, r#"{"status":"sent"}"#)).is_ok());
    }
}
