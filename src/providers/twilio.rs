//! Twilio Verify v2: `POST /v2/Services/{VA…}/Verifications` asks the Verify Service to
//! make and send a code, `VerificationCheck` checks it, the verification's own path shows
//! and cancels it. Form bodies, HTTP Basic `account_sid:auth_token`; the Service decides
//! the code's length, lifetime, attempts and text.

use super::{
    http_failure, is_success, missing_field, path_segment, reply_json, snippet, text_at,
    vendor_message, Accepted, Balance, Channel, Info, Key, KeyType, LengthRule, Method, Otp, PinBy,
    Plan, Provider, Reply, Request, TtlRule, VerifyBy,
};
use crate::config::{Profile, Source};
use crate::error::{Failure, Kind, Reason};
use crate::message::PinType;
use crate::redact::{self, Secret};
use serde_json::Value;

pub static INFO: Info = Info {
    id: "twilio",
    aliases: &[],
    name: "Twilio Verify",
    about: "Twilio Verify v2; the Verify Service makes, sends and checks the code and writes the message (status, cancel); `sender` names your app in it (CustomFriendlyName)",
    pin_by: PinBy::Provider,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms, Channel::Whatsapp, Channel::Voice],
    pin_types: &[PinType::Numeric],
    // The Service's code_length (4-10, default 6); 6 only counts segments.
    length: LengthRule::ProviderChooses(6),
    ttl: TtlRule::ProviderChooses,
    attempts: None,
    callback: false,
    default_base_url: Some("https://verify.twilio.com"),
    keys: &[
        Key::new(
            "account_sid",
            KeyType::Str,
            "Twilio Account SID (AC…), or an API key SID (SK…); the Basic auth user name",
        )
        .required(),
        Key::new(
            "auth_token",
            KeyType::Secret,
            "Twilio Auth Token, or the API key's secret",
        )
        .required(),
        Key::new(
            "service_sid",
            KeyType::Str,
            "Verify Service SID (VA…); the Service sets code length, lifetime, attempts and message",
        )
        .required(),
        Key::new(
            "locale",
            KeyType::Str,
            "language of the Service's message (Locale), e.g. fr; Twilio picks one by number when unset",
        ),
    ],
    example: "provider = \"twilio\"\n\
              account_sid = \"AC00000000000000000000000000000000\"   # your Account SID\n\
              auth_token = { env = \"TWILIO_AUTH_TOKEN\" }\n\
              service_sid = \"VA00000000000000000000000000000000\"   # Verify > Services\n\
              # sender = \"Acme\"      # sent as CustomFriendlyName: the name in the Service's message\n\
              # locale = \"fr\"\n",
    credentials_hint: "the Account SID and Auth Token are on the Twilio Console's dashboard; the Verify Service SID is under Verify > Services",
    decided_at: Some("the Twilio Verify Service, Console > Verify > Services"),
    writes_message: true,
    takes_sender: true,
    build,
};

/// Where the message, length, lifetime and attempts are changed instead.
const SERVICE_HINT: &str = "change it on the Verify Service (Twilio Console > Verify > Services), which decides code length, lifetime, attempts and message";

struct Twilio {
    base: String,
    service: String,
    auth: Secret,
    locale: Option<String>,
}

/// A Twilio SID: two letters, then 32 hex digits. Checked before any request so a
/// swapped or truncated value is named here, not answered with Twilio's 401 or 404.
fn sid(profile: &Profile, key: &str, prefixes: &[&str], what: &str) -> Result<String, Failure> {
    let value = profile.require_text(key)?.trim().to_string();
    let ok = value.len() == 34
        && prefixes.iter().any(|p| value.starts_with(p))
        && value[2..].chars().all(|c| c.is_ascii_hexdigit());
    if !ok {
        // The value is not echoed: a secret pasted into the wrong key must not print.
        return Err(profile
            .bad_value(key, format!("{key} is not {what}"))
            .hint(INFO.credentials_hint));
    }
    Ok(value)
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let account = sid(
        profile,
        "account_sid",
        &["AC", "SK"],
        "a Twilio Account SID (AC followed by 32 hex digits) or API key SID (SK…)",
    )?;
    let token = profile.require_secret("auth_token")?;
    let service = sid(
        profile,
        "service_sid",
        &["VA"],
        "a Verify Service SID (VA followed by 32 hex digits)",
    )?;
    // In the file, `config check` reports it; from a flag or env, `send` refuses it.
    if profile.source("message") == Some(Source::File) {
        return Err(message_refused());
    }
    let base = profile.base_url()?;
    Ok(Box::new(Twilio {
        base,
        service,
        auth: redact::basic_auth(&account, &token),
        locale: profile
            .str("locale")
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string),
    }))
}

fn message_refused() -> Failure {
    Failure::usage(
        "twilio's Verify Service writes the message, so --message, --lang, --webotp-domain or `message` cannot be used",
    )
    .hint(SERVICE_HINT)
}

impl Twilio {
    fn request(&self, method: Method, path: &str) -> Request {
        Request::new(
            method,
            format!(
                "{}/v2/Services/{}{path}",
                self.base,
                path_segment(&self.service)
            ),
        )
        .header("Authorization", self.auth.expose())
    }

    fn verification(&self, method: Method, id: &str) -> Request {
        self.request(method, &format!("/Verifications/{}", path_segment(id)))
    }
}

/// Twilio's own error code (`{code, message, more_info, status}`).
fn code_of(v: &Value) -> Option<String> {
    text_at(v, "code").filter(|c| !c.trim().is_empty())
}

/// The kind a Twilio error code means where the HTTP status says less.
fn kind_of(code: Option<&str>) -> Option<Kind> {
    match code? {
        "20003" => Some(Kind::Auth),
        "20404" => Some(Kind::NotFound),
        // 60203 too many sends to the number, 60212 too many concurrent requests,
        // 20429 too many requests to the API.
        "60203" | "60212" | "20429" => Some(Kind::RateLimited),
        // Fraud Guard refused the destination.
        "60410" => Some(Kind::Blocked),
        // 21408: sending to the destination's region is not enabled on the account;
        // 60605: the destination is "blocked by Verify Geo-Permissions" (HTTP 403).
        "21408" | "60605" => Some(Kind::RouteRefused),
        _ => None,
    }
}

/// The verify verdict a verification's `status` means.
fn verdict(status: &str) -> Option<(Reason, &'static str)> {
    Some(match status {
        "pending" => (Reason::WrongCode, "wrong code"),
        "canceled" => (
            Reason::Expired,
            "twilio says this verification was cancelled",
        ),
        "expired" | "deleted" => (Reason::Expired, "twilio says this verification has expired"),
        // A documented check status: the verification is dead, like an expired one.
        "failed" => (
            Reason::Expired,
            "twilio says this verification failed; send a new one",
        ),
        "max_attempts_reached" => (
            Reason::AttemptsExhausted,
            "twilio says no checks are left for this verification",
        ),
        _ => return None,
    })
}

impl Provider for Twilio {
    fn info(&self) -> &'static Info {
        &INFO
    }

    /// Twilio's error document `{code, message, more_info, status}`: the code says more
    /// than the HTTP status where it names a cause. Twilio does not answer 2xx with an
    /// error; a proxy or gateway that passes its document on with a 200 is read by the
    /// document's own `status`.
    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        let code = code_of(v);
        let passed_on = is_success(reply.status)
            .then(|| text_at(v, "status").and_then(|s| s.parse::<u16>().ok()))
            .flatten()
            .filter(|s| (400..500).contains(s));
        let kind = kind_of(code.as_deref()).or(passed_on.map(super::status_kind));
        let f = http_failure(INFO.id, reply, kind, vendor_message(v), code.clone());
        match (f.kind, reply.status, code.as_deref()) {
            (Kind::Auth, _, _) => {
                f.hint("check account_sid and auth_token (an API key SID and its secret work too)")
            }
            (Kind::NotFound, 404, _) => {
                f.hint("check service_sid: the Verify Service must belong to this account")
            }
            (Kind::RouteRefused, _, Some("60605")) => f.hint(
                "allow the destination country in the Twilio Console (Verify > Settings > Geo permissions), or send through another profile",
            ),
            (Kind::RouteRefused, _, _) => f.hint(
                "enable the destination's region in the Twilio Console's geo permissions, or send through another profile",
            ),
            _ => f,
        }
    }

    /// Twilio's codes are 4 to 10 characters (the Service's `code_length`); a check of
    /// another length is answered 60200 "Code parameter is not between 4-10 numbers
    /// long", so it is refused here and spends no attempt.
    fn misfit(&self, code: &str) -> Option<Failure> {
        let n = code.trim().chars().count();
        (!(4..=10).contains(&n)).then(|| {
            Failure::not_verified(
                Reason::WrongCode,
                format!(
                    "wrong code: twilio codes are 4 to 10 characters, this one has {n} (no attempt spent)"
                ),
            )
        })
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        if otp.message_chosen {
            return Err(message_refused());
        }
        let channel = match otp.channel {
            Channel::Sms => "sms",
            Channel::Whatsapp => "whatsapp",
            Channel::Voice => "call",
        };
        let mut form = vec![
            ("To".to_string(), otp.to.e164()),
            ("Channel".to_string(), channel.to_string()),
        ];
        // Twilio: CustomFriendlyName "overwrites the existing one in the verification
        // message" (the Service's friendly name) for this send.
        if let Some(name) = otp.sender() {
            form.push(("CustomFriendlyName".into(), name.to_string()));
        }
        if let Some(l) = &self.locale {
            form.push(("Locale".into(), l.clone()));
        }
        if let Some(h) = &otp.app_hash {
            form.push(("AppHash".into(), h.clone()));
        }
        Ok(Plan::Http(
            self.request(Method::Post, "/Verifications").form(form),
        ))
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let Some(id) = text_at(&v, "sid").filter(|s| !s.trim().is_empty()) else {
            // Twilio's error document passed on with a 2xx (see `refusal`).
            if code_of(&v).is_some() && vendor_message(&v).is_some() {
                return Err(self.refusal(reply, &v));
            }
            return Err(missing_field(INFO.id, "sid", reply));
        };
        Ok(Accepted {
            id: redact::vendor_text(&id),
            // The Service's lifetime (10 minutes unless changed) is not in the reply.
            ..Accepted::default()
        })
    }

    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        Ok(self.request(Method::Post, "/VerificationCheck").form(vec![
            ("VerificationSid".into(), id.to_string()),
            ("Code".into(), code.expose().to_string()),
        ]))
    }

    /// `approved` is verified, `pending` a wrong code. A 404 (20404) means Twilio has
    /// deleted the verification: approved, expired or out of checks, it does not say
    /// which, so the local record does.
    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let v = reply_json(INFO.id, reply)?;
        let code = code_of(&v);
        let said = || {
            vendor_message(&v)
                .map(|m| format!(" ({})", redact::vendor_text(&m)))
                .unwrap_or_default()
        };
        if is_success(reply.status) {
            let status = text_at(&v, "status").unwrap_or_default();
            if status == "approved" {
                return Ok(());
            }
            if let Some((reason, what)) = verdict(&status) {
                return Err(Failure::not_verified(reason, what).status(reply.status));
            }
            return Err(Failure::unknown(
                Kind::BadResponse,
                format!(
                    "twilio answered HTTP {} with status \"{}\" instead of approved or pending; otp cannot tell whether the code is right",
                    reply.status,
                    redact::vendor_text(&status)
                ),
            )
            .status(reply.status)
            .detail(snippet(reply)));
        }
        match code.as_deref() {
            // "Code parameter is not between 4-10 numbers long": no code of this
            // verification can be that, so the code is wrong.
            Some("60200") => Err(Failure::not_verified(
                Reason::WrongCode,
                format!("wrong code: twilio codes are 4 to 10 characters{}", said()),
            )
            .status(reply.status)
            .code(code.clone())),
            Some("60202") => Err(Failure::not_verified(
                Reason::AttemptsExhausted,
                format!("twilio says the maximum number of checks was reached{}", said()),
            )
            .status(reply.status)
            .code(code.clone())),
            Some("20404") | None if reply.status == 404 => Err(Failure::not_verified(
                Reason::Expired,
                format!(
                    "twilio no longer knows this verification: it was approved, expired or ran out of checks{}",
                    said()
                ),
            )
            .status(reply.status)
            .code(code.clone())
            .ask_record()),
            _ => Err(self.refusal(reply, &v)),
        }
    }

    fn status(&self, id: &str) -> Option<Request> {
        Some(self.verification(Method::Get, id))
    }

    fn cancel(&self, id: &str) -> Option<Request> {
        Some(
            self.verification(Method::Post, id)
                .form(vec![("Status".into(), "canceled".into())]),
        )
    }

    fn cancel_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let v = reply_json(INFO.id, reply)?;
        if is_success(reply.status) {
            return Ok(());
        }
        let mut f = self.refusal(reply, &v);
        if reply.status == 404 {
            f.message = format!(
                "{} (twilio deletes a verification once it is approved, expired or out of checks)",
                f.message
            );
        }
        Err(f)
    }

    fn balance(&self) -> Option<Request> {
        Some(self.request(Method::Get, ""))
    }

    /// The Service lookup names no money: a 2xx proves the credentials and the Service.
    fn balance_reply(&self, reply: &Reply) -> Result<Balance, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if is_success(reply.status) {
            return Ok(Balance::default());
        }
        let mut f = self.refusal(reply, &v);
        if reply.status == 404 {
            f.kind = Kind::InvalidRequest;
            return Err(f.hint(
                "check service_sid: no Verify Service with that SID belongs to this account",
            ));
        }
        Err(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, reply};
    use crate::providers::Body;
    use base64::Engine as _;

    const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
    const SERVICE: &str = "VAfedcba9876543210fedcba9876543210";
    const TOKEN: &str = "twilio-unit-token-5c1e";
    const VE: &str = "VE00112233445566778899aabbccddeeff";

    fn provider(body: &str) -> Result<Box<dyn Provider>, Failure> {
        build(&testing::profile(&format!(
            "provider = \"twilio\"\nbase_url = \"https://verify.example.com\"\n{body}"
        )))
    }

    fn keyed() -> Box<dyn Provider> {
        provider(&format!(
            "account_sid = \"{ACCOUNT}\"\nauth_token = \"{TOKEN}\"\nservice_sid = \"{SERVICE}\"\n"
        ))
        .unwrap()
    }

    fn basic() -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{TOKEN}"))
        )
    }

    fn http(plan: Plan) -> Request {
        match plan {
            Plan::Http(r) => r,
            other => panic!("not HTTP: {other:?}"),
        }
    }

    fn form(pairs: &[(&str, &str)]) -> Body {
        Body::Form(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn send_request_is_exact() {
        let mut o = testing::otp("+15017122661", None, "Your code is {{code}}");
        let r = http(keyed().send(&o).unwrap());
        assert_eq!(r.method, Method::Post);
        assert_eq!(
            r.url,
            format!("https://verify.example.com/v2/Services/{SERVICE}/Verifications")
        );
        assert_eq!(r.headers, vec![("Authorization".to_string(), basic())]);
        assert_eq!(r.body, form(&[("To", "+15017122661"), ("Channel", "sms")]));
        o.channel = Channel::Voice;
        o.app_hash = Some("FA+9qCX9VSu".into());
        let p = provider(&format!(
            "account_sid = \"{ACCOUNT}\"\nauth_token = \"{TOKEN}\"\nservice_sid = \"{SERVICE}\"\nlocale = \"fr\"\n"
        ))
        .unwrap();
        assert_eq!(
            http(p.send(&o).unwrap()).body,
            form(&[
                ("To", "+15017122661"),
                ("Channel", "call"),
                ("Locale", "fr"),
                ("AppHash", "FA+9qCX9VSu"),
            ])
        );
        o.channel = Channel::Whatsapp;
        assert!(http(keyed().send(&o).unwrap()).field_contains("Channel", "whatsapp"));
    }

    /// Twilio's OpenAPI (twilio/twilio-oai `spec/json/twilio_verify_v2.json`, create
    /// Verification): `CustomFriendlyName` is "A custom user defined friendly name that
    /// overwrites the existing one in the verification message". The sender maps to it.
    #[test]
    fn the_sender_is_sent_as_custom_friendly_name() {
        let mut o = testing::otp("+15017122661", Some(" Acme "), "Your code is {{code}}");
        assert_eq!(
            http(keyed().send(&o).unwrap()).body,
            form(&[
                ("To", "+15017122661"),
                ("Channel", "sms"),
                ("CustomFriendlyName", "Acme"),
            ])
        );
        o.sender = Some("  ".into());
        assert_eq!(
            http(keyed().send(&o).unwrap()).body,
            form(&[("To", "+15017122661"), ("Channel", "sms")])
        );
        assert!(INFO.example.contains("CustomFriendlyName"));
    }

    #[test]
    fn a_chosen_message_is_refused() {
        let mut o = testing::otp("+15017122661", None, "Code {{code}}");
        o.message_chosen = true;
        let e = keyed().send(&o).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.message.contains("--message"), "{}", e.message);
        assert!(e.hint.unwrap().contains("Verify Service"));
        let e = provider(&format!(
            "account_sid = \"{ACCOUNT}\"\nauth_token = \"{TOKEN}\"\nservice_sid = \"{SERVICE}\"\nmessage = \"Code {{{{code}}}}\"\n"
        ))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 2);
        assert!(e.message.contains("`message`"), "{}", e.message);
    }

    #[test]
    fn sids_are_checked_by_shape_and_not_echoed() {
        for (account, service, key) in [
            ("AC0123", SERVICE, "account_sid"),
            ("XX0123456789abcdef0123456789abcdef", SERVICE, "account_sid"),
            (ACCOUNT, "VAfedcba9876543210fedcba987654321g", "service_sid"),
            (ACCOUNT, ACCOUNT, "service_sid"),
        ] {
            let e = provider(&format!(
                "account_sid = \"{account}\"\nauth_token = \"{TOKEN}\"\nservice_sid = \"{service}\"\n"
            ))
            .err()
            .unwrap();
            assert_eq!(e.exit_code(), 3, "{key}");
            assert!(e.message.contains(key), "{}", e.message);
            assert!(!e.message.contains("0123456789abcdef"), "{}", e.message);
            assert!(e.hint.is_some());
        }
        // An API key SID is a valid user name.
        assert!(provider(&format!(
            "account_sid = \"SK0123456789abcdef0123456789abcdef\"\nauth_token = \"{TOKEN}\"\nservice_sid = \"{SERVICE}\"\n"
        ))
        .is_ok());
        let e = provider(&format!(
            "account_sid = \"{ACCOUNT}\"\nservice_sid = \"{SERVICE}\"\n"
        ))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("auth_token"));
    }

    #[test]
    fn basic_auth_is_masked_by_value() {
        let _ = keyed();
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{TOKEN}"));
        assert_eq!(redact::scrub(&format!("x {b64} y")), "x *** y");
    }

    #[test]
    fn success_and_send_errors() {
        let a = keyed()
            .send_reply(&reply(
                201,
                &format!(r#"{{"sid":"{VE}","service_sid":"{SERVICE}","account_sid":"{ACCOUNT}","to":"+15017122661","channel":"sms","status":"pending","valid":false,"lookup":{{}},"amount":null,"payee":null,"send_code_attempts":[{{"time":"2015-07-30T20:00:00Z","channel":"SMS","attempt_sid":"VLaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}],"date_created":"2015-07-30T20:00:00Z","date_updated":"2015-07-30T20:00:00Z","sna":null,"url":"https://verify.twilio.com/v2/Services/{SERVICE}/Verifications/{VE}"}}"#),
            ))
            .unwrap();
        assert_eq!(a.id, VE);
        assert_eq!((a.expires_at, a.cost, a.message_id), (None, None, None));
        for (status, code, kind) in [
            (401, "20003", Kind::Auth),
            (404, "20404", Kind::NotFound),
            (400, "60200", Kind::InvalidRequest),
            (429, "60203", Kind::RateLimited),
            (403, "60410", Kind::Blocked),
        ] {
            let body = format!(
                r#"{{"code":{code},"message":"twilio says {code}","more_info":"https://www.twilio.com/docs/errors/{code}","status":{status}}}"#
            );
            let e = keyed().send_reply(&reply(status, &body)).unwrap_err();
            assert_eq!((e.kind, e.outcome), (kind, Outcome::Rejected), "{code}");
            assert_eq!(e.provider_code.as_deref(), Some(code));
            assert!(e.message.contains(&format!("twilio says {code}")));
            // The same document passed on with a 200 is still a rejection.
            let e = keyed().send_reply(&reply(200, &body)).unwrap_err();
            assert_eq!((e.kind, e.exit_code()), (kind, 4), "200 {code}");
        }
        let e = keyed()
            .send_reply(&reply(
                401,
                r#"{"code":20003,"message":"Authenticate","status":401}"#,
            ))
            .unwrap_err();
        assert!(e.hint.unwrap().contains("auth_token"));
        let e = keyed()
            .send_reply(&reply(
                404,
                r#"{"code":20404,"message":"not found","status":404}"#,
            ))
            .unwrap_err();
        assert!(e.hint.unwrap().contains("service_sid"));
        assert_eq!(
            keyed()
                .send_reply(&reply(201, "{}"))
                .unwrap_err()
                .exit_code(),
            6
        );
        assert_eq!(
            keyed()
                .send_reply(&reply(503, r#"{"code":20500,"message":"down"}"#))
                .unwrap_err()
                .exit_code(),
            6
        );
    }

    #[test]
    fn verify_status_cancel_and_balance_requests() {
        let p = keyed();
        let r = p.verify(VE, &Secret::new("123456")).unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (
                Method::Post,
                format!("https://verify.example.com/v2/Services/{SERVICE}/VerificationCheck")
                    .as_str()
            )
        );
        assert_eq!(r.body, form(&[("VerificationSid", VE), ("Code", "123456")]));
        assert_eq!(r.headers, vec![("Authorization".to_string(), basic())]);
        let path = format!("https://verify.example.com/v2/Services/{SERVICE}/Verifications/{VE}");
        let r = p.status(VE).unwrap();
        assert_eq!(
            (r.method, r.url.as_str(), &r.body),
            (Method::Get, path.as_str(), &Body::Empty)
        );
        let r = p.cancel(VE).unwrap();
        assert_eq!((r.method, r.url.as_str()), (Method::Post, path.as_str()));
        assert_eq!(r.body, form(&[("Status", "canceled")]));
        let r = p.balance().unwrap();
        assert_eq!(
            (r.method, r.url),
            (
                Method::Get,
                format!("https://verify.example.com/v2/Services/{SERVICE}")
            )
        );
        assert!(p
            .status("../x?y")
            .unwrap()
            .url
            .ends_with("/Verifications/..%2Fx%3Fy"));
    }

    #[test]
    fn verify_replies() {
        let p = keyed();
        let check = |status: &str| {
            reply(
                200,
                &format!(
                    r#"{{"sid":"{VE}","status":"{status}","valid":{}}}"#,
                    status == "approved"
                ),
            )
        };
        assert!(p.verify_reply(&check("approved")).is_ok());
        for (status, reason) in [
            ("pending", Reason::WrongCode),
            ("canceled", Reason::Expired),
            ("expired", Reason::Expired),
            ("max_attempts_reached", Reason::AttemptsExhausted),
        ] {
            let f = p.verify_reply(&check(status)).unwrap_err();
            assert_eq!((f.reason, f.exit_code()), (Some(reason), 1), "{status}");
            assert!(!f.ask_record);
        }
        let f = p.verify_reply(&check("weird")).unwrap_err();
        assert_eq!(f.exit_code(), 6);

        let f = p
            .verify_reply(&reply(
                404,
                r#"{"code":20404,"message":"The requested resource was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}"#,
            ))
            .unwrap_err();
        assert_eq!((f.reason, f.exit_code()), (Some(Reason::Expired), 1));
        assert!(f.ask_record);
        assert_eq!(f.provider_code.as_deref(), Some("20404"));
        assert!(f.message.contains("approved, expired"), "{}", f.message);

        let f = p
            .verify_reply(&reply(
                429,
                r#"{"code":60202,"message":"Max check attempts reached","status":429}"#,
            ))
            .unwrap_err();
        assert_eq!(
            (f.reason, f.exit_code()),
            (Some(Reason::AttemptsExhausted), 1)
        );
        let f = p
            .verify_reply(&reply(
                429,
                r#"{"code":60203,"message":"Max send attempts reached","status":429}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::RateLimited, 4));
        let f = p
            .verify_reply(&reply(
                401,
                r#"{"code":20003,"message":"Authenticate","status":401}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        let f = p
            .verify_reply(&Reply {
                status: 404,
                content_type: Some("text/html".into()),
                body: b"<html>not here</html>".to_vec(),
                retry_after: None,
            })
            .unwrap_err();
        assert_eq!(
            (f.kind, f.exit_code(), f.ask_record),
            (Kind::NotFound, 4, false)
        );
        assert_eq!(
            p.verify_reply(&reply(500, r#"{"code":20500,"message":"x"}"#))
                .unwrap_err()
                .exit_code(),
            6
        );
    }

    /// Twilio's OpenAPI lists `failed` among a check's statuses (`pending`, `approved`,
    /// `canceled`, `max_attempts_reached`, `deleted`, `failed`, `expired`): the
    /// verification is dead, so not verified with reason `expired`, not exit 6.
    #[test]
    fn a_failed_check_is_expired() {
        let f = keyed()
            .verify_reply(&reply(
                200,
                &format!(r#"{{"sid":"{VE}","status":"failed","valid":false}}"#),
            ))
            .unwrap_err();
        assert_eq!(
            (f.reason, f.kind, f.exit_code()),
            (Some(Reason::Expired), Kind::Expired, 1)
        );
    }

    /// twilio.com/docs/api/errors/60200 on a check: "Code parameter is not between
    /// 4-10 numbers long" (HTTP 400). No code of the verification is that: wrong code,
    /// exit 1. And such a code is refused before any request, spending no attempt.
    #[test]
    fn codes_outside_4_to_10_are_wrong_codes() {
        let p = keyed();
        let f = p
            .verify_reply(&reply(
                400,
                r#"{"code":60200,"message":"Invalid parameter: Code parameter is not between 4-10 numbers long","more_info":"https://www.twilio.com/docs/errors/60200","status":400}"#,
            ))
            .unwrap_err();
        assert_eq!(
            (f.reason, f.kind, f.exit_code()),
            (Some(Reason::WrongCode), Kind::WrongCode, 1)
        );
        assert_eq!(f.provider_code.as_deref(), Some("60200"));
        for code in ["123", "12345678901", "", " 12 "] {
            let f = p.misfit(code).unwrap_or_else(|| panic!("{code:?} passed"));
            assert_eq!(
                (f.reason, f.exit_code()),
                (Some(Reason::WrongCode), 1),
                "{code:?}"
            );
            assert!(f.message.contains("no attempt spent"), "{}", f.message);
        }
        for code in ["1234", "123456", "1234567890", " 123456 "] {
            assert!(p.misfit(code).is_none(), "{code:?}");
        }
    }

    /// twilio.com/docs/api/errors/60605: "blocked by Verify Geo-Permissions" (HTTP
    /// 403). The destination, not the credentials: `route_refused`, which fallback may
    /// follow, with a hint at the console's Verify geo permissions.
    #[test]
    fn verify_geo_permissions_are_route_refused_not_auth() {
        let body = r#"{"code":60605,"message":"Verification to this number is blocked by Verify Geo-Permissions","more_info":"https://www.twilio.com/docs/errors/60605","status":403}"#;
        let p = keyed();
        for f in [
            p.send_reply(&reply(403, body)).unwrap_err(),
            p.send_reply(&reply(200, body)).unwrap_err(),
            p.verify_reply(&reply(403, body)).unwrap_err(),
        ] {
            assert_eq!(
                (f.kind, f.outcome, f.exit_code()),
                (Kind::RouteRefused, Outcome::Rejected, 4)
            );
            assert!(f.kind.vendor_specific());
            assert_eq!(f.provider_code.as_deref(), Some("60605"));
            let hint = f.hint.unwrap();
            assert!(
                hint.contains("Verify > Settings > Geo permissions"),
                "{hint}"
            );
            assert!(!hint.contains("auth_token"), "{hint}");
        }
    }

    #[test]
    fn status_cancel_and_balance_replies() {
        let p = keyed();
        let v = p
            .status_reply(&reply(
                200,
                &format!(r#"{{"sid":"{VE}","status":"pending"}}"#),
            ))
            .unwrap();
        assert_eq!(v["status"], "pending");
        let gone = reply(404, r#"{"code":20404,"message":"not found","status":404}"#);
        assert_eq!(p.status_reply(&gone).unwrap_err().kind, Kind::NotFound);
        assert!(p
            .cancel_reply(&reply(
                200,
                &format!(r#"{{"sid":"{VE}","status":"canceled"}}"#)
            ))
            .is_ok());
        let f = p.cancel_reply(&gone).unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::NotFound, 4));
        assert!(f.message.contains("approved, expired"), "{}", f.message);
        assert_eq!(
            p.balance_reply(&reply(
                200,
                &format!(r#"{{"sid":"{SERVICE}","code_length":6}}"#)
            ))
            .unwrap(),
            Balance::default()
        );
        let f = p.balance_reply(&gone).unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::InvalidRequest, 4));
        assert!(f.hint.unwrap().contains("service_sid"));
        let f = p
            .balance_reply(&reply(
                401,
                r#"{"code":20003,"message":"Authenticate","status":401}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
    }
}
