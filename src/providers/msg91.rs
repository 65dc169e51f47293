//! MSG91 OTP API v5 (India): `POST /api/v5/otp` asks MSG91 to make a code and send it with
//! the text of a DLT-registered template; `POST /api/v5/otp/verify` checks a code by phone
//! number. Every parameter, the `authkey` included, travels in the query string, as MSG91's
//! official npm SDK sends it, and the reply's `type` (`success` or `error`) decides, not the
//! HTTP status.

use super::{
    form_encode, http_failure, is_success, reply_json, snippet, status_kind, text_at,
    vendor_message, Accepted, Channel, Info, Key, KeyType, LengthRule, Method, Otp, PinBy, Plan,
    Provider, Reply, Request, TtlRule, VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind, Reason};
use crate::message::PinType;
use crate::phone::Phone;
use crate::redact::{self, Secret};
use serde_json::Value;

const ID: &str = "msg91";

pub static INFO: Info = Info {
    id: ID,
    aliases: &[],
    name: "MSG91 OTP",
    about: "MSG91 OTP API v5 (India); MSG91 makes, sends and verifies the code (by number) with the text of your DLT template",
    pin_by: PinBy::Provider,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms],
    pin_types: &[PinType::Numeric],
    length: LengthRule::Range(4, 9),
    ttl: TtlRule::Minutes(1, 1440),
    attempts: None,
    callback: false,
    default_base_url: Some("https://api.msg91.com"),
    keys: &[
        Key::new(
            "auth_key",
            KeyType::Secret,
            "MSG91 auth key, sent as the `authkey` query parameter",
        )
        .required(),
        Key::new(
            "template_id",
            KeyType::Str,
            "ID of the OTP template (registered under India's DLT rules); it holds the message text and sender",
        )
        .required(),
    ],
    example: "provider = \"msg91\"\n\
              auth_key = { env = \"MSG91_AUTH_KEY\" }\n\
              template_id = \"000000000000000000000000\"   # OTP > Templates; the text lives there\n",
    credentials_hint: "the auth key is in the MSG91 dashboard (Authkey); the template ID under OTP > Templates",
    decided_at: Some("the MSG91 OTP template, registered as a DLT template (dashboard: OTP > Templates)"),
    writes_message: true,
    takes_sender: false,
    build,
};

/// Where the text, and the sender it goes out under, are changed instead.
const TEMPLATE_HINT: &str = "the text and sender live in the MSG91 OTP template (template_id), registered under India's DLT rules; change them there (MSG91 dashboard: OTP > Templates) and remove them from the command or the profile";

struct Msg91 {
    base: String,
    key: Secret,
    template_id: String,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let key = profile.require_secret("auth_key")?;
    let template_id = profile.require_text("template_id")?.trim().to_string();
    let base = profile.base_url()?;
    Ok(Box::new(Msg91 {
        base,
        key,
        template_id,
    }))
}

/// The reply's `type`, the one field MSG91's replies decide by.
fn reply_type(v: &Value) -> Option<String> {
    text_at(v, "type").map(|t| t.trim().to_ascii_lowercase())
}

/// What a refusal means. The HTTP status where MSG91 sent an error one; in a 2xx `error`
/// reply only a `code` holding an HTTP auth status (MSG91 has been seen answering
/// `{"message":"AuthenticationFailure","type":"error","code":401}` with HTTP 200) says
/// more than `invalid_request`: MSG91 documents no error texts to read causes from.
fn kind_of(reply: &Reply, v: &Value) -> Kind {
    if !is_success(reply.status) {
        return status_kind(reply.status);
    }
    match text_at(v, "code").as_deref().map(str::trim) {
        Some("401") | Some("403") => Kind::Auth,
        _ => Kind::InvalidRequest,
    }
}

/// Why a verify said no, from MSG91's message. MSG91 publishes no list of these texts;
/// the words its replies are seen to carry (`OTP expired`, `Max limit reached for this
/// otp verification`, `Mobile no. already verified`, `Mobile no. not found`, and their
/// snake_case forms) pick the reason, and anything else is a wrong code.
fn reason_of(message: &str) -> (Reason, bool) {
    let m = message.to_ascii_lowercase().replace('_', " ");
    if m.contains("already verified") {
        (Reason::AlreadyUsed, false)
    } else if m.contains("expired") {
        (Reason::Expired, false)
    } else if m.contains("max limit") || m.contains("limit reached") {
        (Reason::AttemptsExhausted, false)
    } else if m.contains("not found") || m.contains("no otp request") {
        // Nothing pending for this number: the local record says why.
        (Reason::Expired, true)
    } else {
        (Reason::WrongCode, false)
    }
}

/// An older v5 reply puts the request id in `message` (24 hex digits).
fn hex_id(v: &Value) -> Option<String> {
    text_at(v, "message").filter(|m| m.len() >= 16 && m.chars().all(|c| c.is_ascii_hexdigit()))
}

impl Msg91 {
    fn request(&self, path: &str, fields: Vec<(String, String)>) -> Request {
        Request::new(
            Method::Post,
            format!("{}{path}?{}", self.base, form_encode(&fields)),
        )
    }

    /// A reply in neither of MSG91's shapes.
    fn unknown(&self, reply: &Reply, what: &str) -> Failure {
        Failure::unknown(
            Kind::BadResponse,
            format!(
                "msg91 answered HTTP {} without `type` success or error{what}",
                reply.status
            ),
        )
        .unsure()
        .next_step()
        .status(reply.status)
        .detail(snippet(reply))
    }
}

impl Provider for Msg91 {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        http_failure(
            ID,
            reply,
            Some(kind_of(reply, v)),
            vendor_message(v),
            text_at(v, "code"),
        )
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        let chosen = if otp.message_chosen {
            Some("--message, --lang, --webotp-domain or `message`")
        } else if otp.app_hash.is_some() {
            Some("--app-hash")
        } else if otp.sender().is_some() {
            Some("--sender or `sender`")
        } else {
            None
        };
        if let Some(what) = chosen {
            return Err(Failure::usage(format!(
                "msg91 sends the text of its DLT template, so {what} cannot be used"
            ))
            .hint(TEMPLATE_HINT));
        }
        // Always sent, default or chosen: the local record's expiry and MSG91's agree
        // (MSG91's own default is a day). A chosen TTL is whole minutes, checked before.
        let minutes = (otp.ttl.value.as_secs() / 60).clamp(1, 1440);
        Ok(Plan::Http(self.request(
            "/api/v5/otp",
            vec![
                ("template_id".into(), self.template_id.clone()),
                ("mobile".into(), otp.to.digits().to_string()),
                ("authkey".into(), self.key.expose().to_string()),
                ("otp_length".into(), otp.length.value.to_string()),
                ("otp_expiry".into(), minutes.to_string()),
            ],
        )))
    }

    /// `type` decides. `success` is accepted: the handle is `request_id` where MSG91
    /// gives one, else an id of otp's own (verify goes by number either way). `error` is
    /// a refusal; anything else on a 2xx is unknown.
    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(ID, reply)?;
        if reply.status >= 500 || (300..400).contains(&reply.status) {
            return Err(self.refusal(reply, &v));
        }
        match reply_type(&v).as_deref() {
            Some("success") if is_success(reply.status) => {
                let request_id = text_at(&v, "request_id")
                    .map(|s| s.trim().to_string())
                    .filter(|s| redact::is_printable_id(s));
                Ok(Accepted {
                    id: request_id.clone().unwrap_or_else(crate::message::new_id),
                    message_id: request_id.or_else(|| hex_id(&v)),
                    ..Accepted::default()
                })
            }
            Some("error") => Err(self.refusal(reply, &v)),
            _ if !is_success(reply.status) => Err(self.refusal(reply, &v)),
            _ => Err(self.unknown(reply, "")),
        }
    }

    fn verify_to(&self, id: &str, to: Option<&Phone>, code: &Secret) -> Result<Request, Failure> {
        let Some(to) = to else {
            return Err(Failure::not_verified(
                Reason::UnknownId,
                format!("no local record of id {id}, and msg91 checks a code by phone number"),
            )
            .hint("msg91 verifies by number, which only the send's local record keeps; send a new one"));
        };
        Ok(self.request(
            "/api/v5/otp/verify",
            vec![
                ("otp".into(), code.expose().to_string()),
                ("mobile".into(), to.digits().to_string()),
                ("authkey".into(), self.key.expose().to_string()),
            ],
        ))
    }

    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        self.verify_to(id, None, code)
    }

    /// `success` is verified (unless its words say the number was already verified: a
    /// second use of a code is no proof); `error` is not verified, with the reason its
    /// words give. A refused call (key, funds, rate, a 5xx) is a failure of the call.
    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let v = reply_json(ID, reply)?;
        if !is_success(reply.status) && !(400..500).contains(&reply.status) {
            return Err(self.refusal(reply, &v));
        }
        if matches!(
            kind_of(reply, &v),
            Kind::Auth | Kind::InsufficientFunds | Kind::RateLimited
        ) {
            return Err(self.refusal(reply, &v));
        }
        let message = text_at(&v, "message").unwrap_or_default();
        let said = redact::vendor_text(&message);
        match reply_type(&v).as_deref() {
            Some("success") if is_success(reply.status) => match reason_of(&message) {
                (Reason::AlreadyUsed, _) => Err(Failure::not_verified(
                    Reason::AlreadyUsed,
                    format!("msg91 says this number was already verified ({said})"),
                )
                .status(reply.status)),
                _ => Ok(()),
            },
            Some("error") => {
                let (reason, ask_record) = reason_of(&message);
                let what = match reason {
                    Reason::WrongCode => "wrong code",
                    Reason::Expired => "the code expired or is no longer pending",
                    Reason::AttemptsExhausted => "no attempts left",
                    Reason::AlreadyUsed => "the code was already used",
                    Reason::UnknownId => "unknown id",
                };
                let f = Failure::not_verified(reason, format!("{what} (msg91: {said})"))
                    .status(reply.status)
                    .code(text_at(&v, "code"));
                Err(if ask_record { f.ask_record() } else { f })
            }
            _ if !is_success(reply.status) => Err(self.refusal(reply, &v)),
            _ => Err(self.unknown(reply, "; otp cannot tell whether the code is right")),
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

    const KEY: &str = "msg91-unit-key-5d1e";
    const TEMPLATE: &str = "6930040e475ae21f4f0c2ef9";
    const RID: &str = "3763646c6b35383430323930";
    const TO: &str = "+919876543210";

    fn provider() -> Box<dyn Provider> {
        build(&testing::profile(&format!(
            "provider = \"msg91\"\nauth_key = \"{KEY}\"\ntemplate_id = \"{TEMPLATE}\"\nbase_url = \"https://api.example.com\"\n"
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
    fn send_puts_every_field_in_the_query_and_nothing_in_the_body() {
        let r = http(provider().send(&otp()).unwrap());
        assert_eq!(r.method, Method::Post);
        assert_eq!(
            r.url,
            format!("https://api.example.com/api/v5/otp?template_id={TEMPLATE}&mobile=919876543210&authkey={KEY}&otp_length=6&otp_expiry=5")
        );
        assert!(r.headers.is_empty());
        assert_eq!(r.body, Body::Empty);
        let mut o = otp();
        o.length = chosen(8);
        o.ttl = chosen(Duration::from_secs(20 * 60));
        let r = http(provider().send(&o).unwrap());
        assert!(r.url.ends_with("&otp_length=8&otp_expiry=20"), "{}", r.url);
    }

    #[test]
    fn the_auth_key_is_masked_wherever_the_url_is_printed() {
        let r = http(provider().send(&otp()).unwrap());
        let shown = r.render_text();
        assert!(!shown.contains(KEY), "{shown}");
        assert!(shown.contains("authkey=***"), "{shown}");
        let j = r.to_json().to_string();
        assert!(!j.contains(KEY) && j.contains("authkey=***"), "{j}");
        let to = Phone::parse(TO, None).unwrap();
        let v = provider()
            .verify_to("x", Some(&to), &Secret::pin("482913"))
            .unwrap();
        let shown = v.render_text();
        assert!(!shown.contains(KEY) && !shown.contains("482913"), "{shown}");
        assert!(shown.contains("authkey=***") && shown.contains("otp=***"));
    }

    #[test]
    fn a_chosen_text_sender_or_app_hash_is_refused_with_the_template_hint() {
        let p = provider();
        let mut o = otp();
        o.message_chosen = true;
        let e = p.send(&o).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint.unwrap().contains("MSG91 OTP template"));
        let mut o = otp();
        o.sender = Some("ACMEIN".into());
        assert!(p.send(&o).unwrap_err().message.contains("--sender"));
        let mut o = otp();
        o.app_hash = Some("FA+9qCX9VSu".into());
        assert!(p.send(&o).unwrap_err().message.contains("--app-hash"));
    }

    #[test]
    fn missing_credentials_are_config_errors() {
        let e = build(&testing::profile(&format!(
            "provider = \"msg91\"\ntemplate_id = \"{TEMPLATE}\"\n"
        )))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("auth_key"));
        let e = build(&testing::profile(&format!(
            "provider = \"msg91\"\nauth_key = \"{KEY}\"\n"
        )))
        .err()
        .unwrap();
        assert!(e.message.contains("template_id"), "{}", e.message);
    }

    #[test]
    fn success_takes_request_id_else_makes_an_id() {
        let p = provider();
        let a = p
            .send_reply(&reply(
                200,
                &format!(r#"{{"request_id":"{RID}","type":"success"}}"#),
            ))
            .unwrap();
        assert_eq!((a.id.as_str(), a.message_id.as_deref()), (RID, Some(RID)));
        // An older reply: the request id in `message`; otp's own id is the handle.
        let a = p
            .send_reply(&reply(
                200,
                &format!(r#"{{"message":"{RID}","type":"success"}}"#),
            ))
            .unwrap();
        assert_ne!(a.id, RID);
        assert_eq!(a.id.len(), 36);
        assert_eq!(a.message_id.as_deref(), Some(RID));
        let a = p.send_reply(&reply(200, r#"{"type":"success"}"#)).unwrap();
        assert!(redact::is_printable_id(&a.id));
        assert_eq!(a.message_id, None);
    }

    #[test]
    fn error_replies_are_rejections_whatever_the_status() {
        let p = provider();
        for (status, body, kind) in [
            (
                200,
                r#"{"message":"invalid_otp_length","type":"error"}"#,
                Kind::InvalidRequest,
            ),
            (
                200,
                r#"{"message":"AuthenticationFailure","type":"error","code":401}"#,
                Kind::Auth,
            ),
            (
                400,
                r#"{"message":"Invalid template","type":"error"}"#,
                Kind::InvalidRequest,
            ),
            (
                401,
                r#"{"message":"AuthenticationFailure","type":"error","code":"401"}"#,
                Kind::Auth,
            ),
            (429, r#"{"message":"Too many requests"}"#, Kind::RateLimited),
        ] {
            let e = p.send_reply(&reply(status, body)).unwrap_err();
            assert_eq!(
                (e.kind, e.outcome, e.exit_code()),
                (kind, Outcome::Rejected, 4),
                "{body}"
            );
            assert_eq!(e.http_status, Some(status));
        }
        // Not a cause read from English words MSG91 does not document.
        let e = p
            .send_reply(&reply(
                200,
                r#"{"message":"Insufficient balance","type":"error"}"#,
            ))
            .unwrap_err();
        assert_eq!(e.kind, Kind::InvalidRequest);
    }

    #[test]
    fn unrecognised_replies_are_unknown() {
        let p = provider();
        for (status, body) in [
            (200, "{}"),
            (200, r#"{"type":"queued"}"#),
            (200, r#"{"message":"ok"}"#),
            (200, "[1]"),
            (500, r#"{"type":"error","message":"down"}"#),
            (502, "<html></html>"),
            (401, r#"{"type":"success"}"#),
        ] {
            let e = p.send_reply(&reply(status, body)).unwrap_err();
            if status == 401 {
                assert_eq!(e.exit_code(), 4, "{body}");
                continue;
            }
            assert_eq!(
                (e.outcome, e.exit_code()),
                (Outcome::Unknown, 6),
                "{status} {body}"
            );
        }
    }

    #[test]
    fn verify_is_by_number_from_the_record() {
        let p = provider();
        let to = Phone::parse(TO, None).unwrap();
        let r = p.verify_to(RID, Some(&to), &Secret::new("482913")).unwrap();
        assert_eq!(
            (r.method, r.url.as_str(), &r.body),
            (
                Method::Post,
                format!("https://api.example.com/api/v5/otp/verify?otp=482913&mobile=919876543210&authkey={KEY}").as_str(),
                &Body::Empty
            )
        );
        let e = p.verify_to(RID, None, &Secret::new("482913")).unwrap_err();
        assert_eq!((e.reason, e.exit_code()), (Some(Reason::UnknownId), 1));
        assert!(e.hint.unwrap().contains("by number"));
        assert!(p.verify(RID, &Secret::new("482913")).is_err());
    }

    #[test]
    fn verify_verdicts() {
        let p = provider();
        assert!(p
            .verify_reply(&reply(
                200,
                r#"{"message":"OTP verified success","type":"success"}"#
            ))
            .is_ok());
        for (status, body, reason, ask) in [
            (
                200,
                r#"{"message":"OTP not match","type":"error"}"#,
                Reason::WrongCode,
                false,
            ),
            (
                200,
                r#"{"message":"OTP expired","type":"error"}"#,
                Reason::Expired,
                false,
            ),
            (
                200,
                r#"{"message":"otp_expired","type":"error"}"#,
                Reason::Expired,
                false,
            ),
            (
                200,
                r#"{"message":"Max limit reached for this otp verification","type":"error"}"#,
                Reason::AttemptsExhausted,
                false,
            ),
            (
                200,
                r#"{"message":"Mobile no. already verified","type":"error"}"#,
                Reason::AlreadyUsed,
                false,
            ),
            (
                200,
                r#"{"message":"Mobile no. already verified","type":"success"}"#,
                Reason::AlreadyUsed,
                false,
            ),
            (
                200,
                r#"{"message":"Mobile no. not found","type":"error"}"#,
                Reason::Expired,
                true,
            ),
            (
                400,
                r#"{"message":"OTP not match","type":"error"}"#,
                Reason::WrongCode,
                false,
            ),
        ] {
            let f = p.verify_reply(&reply(status, body)).unwrap_err();
            assert_eq!(
                (f.reason, f.exit_code(), f.ask_record),
                (Some(reason), 1, ask),
                "{body}"
            );
        }
        for (status, body, exit) in [
            (
                200,
                r#"{"message":"AuthenticationFailure","type":"error","code":401}"#,
                4,
            ),
            (401, r#"{"message":"bad key","type":"error"}"#, 4),
            (200, "{}", 6),
            (200, r#"{"type":"pending"}"#, 6),
            (500, r#"{"type":"error","message":"OTP not match"}"#, 6),
        ] {
            let f = p.verify_reply(&reply(status, body)).unwrap_err();
            assert_eq!(f.exit_code(), exit, "{status} {body}");
            assert_eq!(f.reason, None, "{body}");
        }
    }

    #[test]
    fn no_status_cancel_or_online_check() {
        let p = provider();
        assert!(p.status(RID).is_none());
        assert!(p.cancel(RID).is_none());
        assert!(p.balance().is_none());
    }
}
