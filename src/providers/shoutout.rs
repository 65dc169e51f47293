//! ShoutOUT (getshoutout.com) OTP service: ShoutOUT makes the code (about 5 characters),
//! sends it inside our text and verifies it by `referenceId`. It picks length, expiry and
//! attempts itself, so none is sent and `expires_at` is null. Errors are `{"message"}`.

use super::{
    http_failure, is_success, missing_field, reply_json, text_at, vendor_message, Accepted,
    Channel, Info, Key, KeyType, LengthRule, Method, Otp, PinBy, Plan, Provider, Reply, Request,
    TtlRule, VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind, Reason};
use crate::redact::{self, Secret};
use serde_json::{json, Value};

const ID: &str = "shoutout";

/// `messageResult.status` of a send ShoutOUT took.
const SUBMIT_SUCCESS: &str = "1001";
/// `statusCode` of a verify that succeeded.
const VERIFIED: &str = "1000";

pub static INFO: Info = Info {
    id: ID,
    aliases: &[],
    name: "ShoutOUT",
    about: "ShoutOUT OTP service (getshoutout.com); ShoutOUT makes and verifies the code",
    pin_by: PinBy::Provider,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms],
    pin_types: &[],
    length: LengthRule::ProviderChooses(5),
    ttl: TtlRule::ProviderChooses,
    attempts: None,
    callback: false,
    default_base_url: Some("https://api.getshoutout.com"),
    keys: &[
        Key::new(
            "api_key",
            KeyType::Secret,
            "ShoutOUT API key, sent as `Authorization: Apikey KEY`",
        )
        .required(),
        Key::new(
            "sender",
            KeyType::Str,
            "sender mask (`source`) approved on the ShoutOUT account",
        )
        .required(),
    ],
    example: "provider = \"shoutout\"\n\
              api_key = { env = \"SHOUTOUT_API_KEY\" }\n\
              sender = \"ShoutDEMO\"                     # an approved sender mask; required\n\
              message = \"Your code is {{code}}\"\n",
    credentials_hint: "the API key is in the ShoutOUT Lite app, under Developers / API keys",
    decided_at: Some("the ShoutOUT account"),
    writes_message: false,
    takes_sender: true,
    build,
};

struct ShoutOut {
    base: String,
    key: Secret,
    /// Where `sender` can be set, for the hint when it is missing.
    profile: Option<String>,
}

fn build(p: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let key = p.require_secret("api_key")?;
    Ok(Box::new(ShoutOut {
        base: p.base_url()?,
        key,
        profile: p.name.clone(),
    }))
}

impl ShoutOut {
    fn post(&self, path: &str, body: Value) -> Request {
        Request::new(Method::Post, format!("{}{path}", self.base))
            .header("Authorization", format!("Apikey {}", self.key.expose()))
            .json(body)
    }
}

/// The cause a documented ShoutOUT send status means: 1007 "invalid source" refuses
/// the sender ID (a registration of this account); the rest refuse the request.
fn status_cause(status: &str) -> Option<Kind> {
    (status == "1007").then_some(Kind::SenderRefused)
}

impl Provider for ShoutOut {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        let Some(source) = otp.sender() else {
            let place = match &self.profile {
                Some(n) => format!("set sender = \"...\" in [profiles.{n}]"),
                None => "set sender in a profile".to_string(),
            };
            return Err(Failure::config(
                "shoutout needs a sender (the `source` mask SMS come from), and none is set",
            )
            .hint(format!(
                "pass --sender NAME, {place}, or export OTP_SENDER; ShoutOUT accepts only sender masks approved on the account"
            )));
        };
        Ok(Plan::Http(self.post(
            "/otpservice/send",
            json!({
                "source": source,
                "destination": otp.to.digits(),
                "content": { "sms": otp.template.render("{{code}}") },
                "transport": "sms",
            }),
        )))
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(ID, reply)?;
        if !is_success(reply.status) {
            return Err(http_failure(
                ID,
                reply,
                None,
                vendor_message(&v),
                error_code(&v),
            ));
        }
        // A 2xx is a success only when the send's own status says so: ShoutOUT answers
        // 200 with `{"status":"1007","description":"invalid source"}` and the like.
        let status = text_at(&v, "messageResult.status");
        match &status {
            Some(s) if s != SUBMIT_SUCCESS => {
                let msg = text_at(&v, "messageResult.description").or_else(|| vendor_message(&v));
                return Err(http_failure(
                    ID,
                    reply,
                    status_cause(s),
                    msg,
                    status.clone(),
                ));
            }
            Some(_) => {}
            None => {
                // The documented error shape is a `status` code other than 1001; a 2xx
                // with neither that nor `referenceId` is unreadable, so unknown (below).
                let top = text_at(&v, "status");
                if let Some(s) = top.as_deref().filter(|s| *s != SUBMIT_SUCCESS) {
                    return Err(http_failure(
                        ID,
                        reply,
                        status_cause(s),
                        vendor_message(&v).or_else(|| text_at(&v, "description")),
                        top.clone(),
                    ));
                }
            }
        }
        let id = text_at(&v, "referenceId")
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| missing_field(ID, "referenceId", reply))?;
        // Apps in the field read only `referenceId`; ShoutOUT made the OTP, so calling
        // the send unknown would invite a second SMS. It is taken, with a warning.
        let warning = status.is_none().then(|| {
            format!(
                "{ID} answered without `messageResult`, so it did not confirm that the SMS was submitted; \
                 if the code does not arrive, check the ShoutOUT dashboard before sending again"
            )
        });
        let result = &v["messageResult"];
        Ok(Accepted {
            id: redact::vendor_text(&id),
            message_id: result
                .get("responses")
                .and_then(|r| r.get(0))
                .and_then(|r| text_at(r, "reference_id"))
                .filter(|s| !s.trim().is_empty())
                .map(|s| redact::vendor_text(&s)),
            expires_at: None,
            cost: result.get("cost").filter(|c| !c.is_null()).cloned(),
            pin: None,
            warning,
        })
    }

    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        Ok(self.post(
            "/otpservice/verify",
            json!({ "code": code.expose(), "referenceId": id }),
        ))
    }

    /// Verified only on `statusCode` "1000" (string or number) in a 2xx. ShoutOUT
    /// documents failures only as `{"message"}`; community code reads 1001 as a wrong
    /// code and 1002 as expired, also inside non-2xx bodies. Any other `statusCode` is
    /// taken as "not verified" (wrong code), never as verified.
    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let v = reply_json(ID, reply)?;
        let status = reply.status;
        // Auth, rate limits and server trouble say nothing about the code.
        if matches!(status, 401 | 403 | 407 | 429) || status >= 500 {
            return Err(http_failure(
                ID,
                reply,
                None,
                vendor_message(&v),
                error_code(&v),
            ));
        }
        let code = text_at(&v, "statusCode").filter(|c| !c.trim().is_empty());
        let said = vendor_message(&v).map(|m| redact::vendor_text(&m));
        let with_said = |base: &str| match &said {
            Some(m) => format!("{base} ({ID}: {m})"),
            None => base.to_string(),
        };
        let no = |reason: Reason, text: String| {
            Failure::not_verified(reason, text)
                .status(status)
                .code(code.as_ref().map(|c| redact::vendor_text(c)))
        };
        match code.as_deref().map(str::trim) {
            Some(VERIFIED) if is_success(status) => Ok(()),
            Some("1001") => Err(no(Reason::WrongCode, with_said("wrong code"))),
            Some("1002") => Err(no(Reason::Expired, with_said("the code has expired"))),
            Some(VERIFIED) => Err(http_failure(ID, reply, None, said, code.clone())),
            Some(other) => Err(no(
                Reason::WrongCode,
                with_said(&format!(
                    "{ID} did not verify the code (statusCode {})",
                    redact::vendor_text(other)
                )),
            )),
            None if !is_success(status) || said.is_some() => {
                Err(http_failure(ID, reply, None, said, None))
            }
            None => Err(Failure::unknown(
                Kind::BadResponse,
                format!(
                    "{ID} answered HTTP {status} without `statusCode`; the code was not verified"
                ),
            )
            .status(status)
            .detail(super::snippet(reply))),
        }
    }
}

/// The vendor's code in an error body, where it gives one.
fn error_code(v: &Value) -> Option<String> {
    text_at(v, "statusCode")
        .or_else(|| text_at(v, "messageResult.status"))
        .or_else(|| text_at(v, "status"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, reply};
    use crate::providers::Body;

    fn provider() -> ShoutOut {
        ShoutOut {
            base: "https://api.getshoutout.com".into(),
            key: Secret::new("shoutout-unit-key"),
            profile: Some("t".into()),
        }
    }

    fn otp(sender: Option<&str>) -> Otp {
        testing::otp("+94 77 123 4567", sender, "Your code is {{code}}")
    }

    const SUCCESS: &str = r#"{"referenceId":"f437c171-5fb2-11e7-a2aa-39a3d5b7c5e7","messageResult":{"status":"1001","description":"submit success","cost":1,"responses":[{"destination":"94711234567","reference_id":"82ec4200-5fb2-11e7-b2d4-2d3a6b1c7f2e","status":"1001","cost":1}]}}"#;

    #[test]
    fn send_request_is_the_documented_one() {
        let Plan::Http(r) = provider().send(&otp(Some("ShoutDEMO"))).unwrap() else {
            panic!("not http")
        };
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://api.getshoutout.com/otpservice/send");
        assert_eq!(
            r.headers,
            vec![(
                "Authorization".to_string(),
                "Apikey shoutout-unit-key".to_string()
            )]
        );
        assert_eq!(
            r.body,
            Body::Json(json!({
                "source": "ShoutDEMO",
                "destination": "94771234567",
                "content": {"sms": "Your code is {{code}}"},
                "transport": "sms",
            }))
        );
        assert!(r.render_text().contains("Apikey ***"));
    }

    #[test]
    fn a_missing_sender_is_a_config_error() {
        for s in [None, Some("  ")] {
            let f = provider().send(&otp(s)).unwrap_err();
            assert_eq!(f.exit_code(), 3);
            assert!(f.message.contains("sender"), "{}", f.message);
            assert!(f.hint.unwrap().contains("[profiles.t]"));
        }
    }

    #[test]
    fn success_gives_reference_cost_and_message_id() {
        let a = provider().send_reply(&reply(200, SUCCESS)).unwrap();
        assert_eq!(a.id, "f437c171-5fb2-11e7-a2aa-39a3d5b7c5e7");
        assert_eq!(
            a.message_id.as_deref(),
            Some("82ec4200-5fb2-11e7-b2d4-2d3a6b1c7f2e")
        );
        assert_eq!(a.cost, Some(json!(1)));
        assert!(a.expires_at.is_none());
        assert!(a.pin.is_none());
        // numbers for strings, no responses, a 201
        let a = provider()
            .send_reply(&reply(
                201,
                r#"{"referenceId":"r1","messageResult":{"status":1001,"cost":"0.5"}}"#,
            ))
            .unwrap();
        assert_eq!(a.id, "r1");
        assert_eq!(a.message_id, None);
        assert_eq!(a.cost, Some(json!("0.5")));
    }

    #[test]
    fn a_2xx_with_another_status_is_a_rejection() {
        for body in [
            r#"{"referenceId":"r1","messageResult":{"status":"1007","description":"invalid source"}}"#,
            r#"{"status":"1007","description":"invalid source"}"#,
        ] {
            let f = provider().send_reply(&reply(200, body)).unwrap_err();
            assert_eq!(f.outcome, Outcome::Rejected, "{body}");
            assert_eq!(f.exit_code(), 4);
            assert_eq!(f.kind, Kind::SenderRefused);
            assert_eq!(f.provider_code.as_deref(), Some("1007"));
            assert!(f.message.contains("invalid source"), "{}", f.message);
        }
        // A 2xx in none of ShoutOUT's documented shapes is unknown: it may have sent.
        let f = provider()
            .send_reply(&reply(200, r#"{"message":"could not process"}"#))
            .unwrap_err();
        assert_eq!(f.exit_code(), 6);
        let f = provider()
            .send_reply(&reply(
                200,
                r#"{"message":"Message queued on sender ACME"}"#,
            ))
            .unwrap_err();
        assert_eq!((f.outcome, f.exit_code()), (Outcome::Unknown, 6));
    }

    #[test]
    fn documented_errors_map_to_kinds() {
        let f = provider()
            .send_reply(&reply(403, r#"{"message":"authentication failed"}"#))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        assert_eq!(f.http_status, Some(403));
        assert!(f.message.contains("authentication failed"));
        let f = provider()
            .send_reply(&reply(
                400,
                r#"{"status":"1005","description":"invalid request, destination must be E.164"}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::InvalidRequest, 4));
        assert_eq!(f.provider_code.as_deref(), Some("1005"));
        assert!(f.message.contains("E.164"), "{}", f.message);
        let f = provider()
            .send_reply(&reply(500, r#"{"message":"internal"}"#))
            .unwrap_err();
        assert_eq!(f.exit_code(), 6);
    }

    #[test]
    fn a_2xx_without_the_handle_is_unknown() {
        for body in ["{}", r#"{"messageResult":{"status":"1001"}}"#] {
            let f = provider().send_reply(&reply(200, body)).unwrap_err();
            assert_eq!(f.exit_code(), 6, "{body}");
            assert_eq!(f.kind, Kind::BadResponse);
        }
        let a = provider().send_reply(&reply(200, SUCCESS)).unwrap();
        assert_eq!(a.warning, None, "a full reply needs no warning");
    }

    #[test]
    fn a_reference_without_message_result_is_accepted_with_a_warning() {
        for (status, body) in [
            (200, r#"{"referenceId":"r1"}"#),
            (201, r#"{"referenceId":"r1","status":"1001"}"#),
        ] {
            let a = provider().send_reply(&reply(status, body)).unwrap();
            assert_eq!(a.id, "r1", "{body}");
            let w = a.warning.expect("a warning");
            assert!(w.contains("messageResult"), "{w}");
            assert!(w.contains("before sending again"), "{w}");
        }
        // an empty handle is still no handle
        let f = provider()
            .send_reply(&reply(200, r#"{"referenceId":" "}"#))
            .unwrap_err();
        assert_eq!(f.exit_code(), 6);
    }

    #[test]
    fn verify_request_is_the_documented_one() {
        let r = provider()
            .verify("f437c171", &Secret::new("87XQZ"))
            .unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://api.getshoutout.com/otpservice/verify");
        assert_eq!(r.headers[0].1, "Apikey shoutout-unit-key");
        assert_eq!(
            r.body,
            Body::Json(json!({"code": "87XQZ", "referenceId": "f437c171"}))
        );
    }

    #[test]
    fn verify_reads_status_codes() {
        let p = provider();
        assert!(p
            .verify_reply(&reply(
                200,
                r#"{"referenceId":"r","code":"87XXX","statusCode":"1000","description":"verification success"}"#
            ))
            .is_ok());
        assert!(p
            .verify_reply(&reply(200, r#"{"statusCode":1000}"#))
            .is_ok());
        let cases = [
            (
                200,
                r#"{"statusCode":"1001","description":"invalid code"}"#,
                Reason::WrongCode,
            ),
            (
                400,
                r#"{"statusCode":"1001","description":"invalid code"}"#,
                Reason::WrongCode,
            ),
            (
                200,
                r#"{"statusCode":1002,"description":"code expired"}"#,
                Reason::Expired,
            ),
            (400, r#"{"statusCode":"1002"}"#, Reason::Expired),
            (
                200,
                r#"{"statusCode":"1005","description":"whatever"}"#,
                Reason::WrongCode,
            ),
        ];
        for (status, body, reason) in cases {
            let f = p.verify_reply(&reply(status, body)).unwrap_err();
            assert_eq!(f.reason, Some(reason), "{status} {body}");
            assert_eq!(f.exit_code(), 1);
            assert!(f.provider_code.is_some());
        }
    }

    #[test]
    fn verify_failures_that_say_nothing_about_the_code() {
        let p = provider();
        let f = p
            .verify_reply(&reply(403, r#"{"message":"authentication failed"}"#))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        // a 403 that carries a statusCode is still an auth failure
        let f = p
            .verify_reply(&reply(403, r#"{"statusCode":"1001"}"#))
            .unwrap_err();
        assert_eq!(f.exit_code(), 4);
        let f = p
            .verify_reply(&reply(400, r#"{"message":"could not process"}"#))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::InvalidRequest, 4));
        let f = p
            .verify_reply(&reply(500, r#"{"statusCode":"1000"}"#))
            .unwrap_err();
        assert_eq!(f.exit_code(), 6);
        let f = p.verify_reply(&reply(200, "{}")).unwrap_err();
        assert_eq!(f.exit_code(), 6);
        let f = p.verify_reply(&reply(200, "<html>")).unwrap_err();
        assert_eq!(f.exit_code(), 6);
    }
}
