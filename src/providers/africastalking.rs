//! Africa's Talking SMS: `POST {base}/version1/messaging` delivers a PIN that `otp`
//! made, so the local record verifies it. Form fields as the official SDK sends them
//! (`bulkSMSMode=1`, `to` with `+`), the key in the `apiKey` header; the username
//! `sandbox` selects the sandbox host. Each recipient gets its own `statusCode`.

use super::{
    http_failure, is_success, missing_field, snippet, text_at, Accepted, Balance, Channel, Info,
    Key, KeyType, LengthRule, Method, Otp, PinBy, Plan, Provider, Reply, Request, TtlRule,
    VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind};
use crate::message::PinType;
use crate::redact::{self, Secret};
use serde_json::Value;

const LIVE: &str = "https://api.africastalking.com";
const SANDBOX: &str = "https://api.sandbox.africastalking.com";

pub static INFO: Info = Info {
    id: "africastalking",
    aliases: &[],
    name: "Africa's Talking",
    about: "Africa's Talking SMS; otp makes the PIN and verifies it locally",
    pin_by: PinBy::Tool,
    verify: VerifyBy::Local,
    channels: &[Channel::Sms],
    pin_types: &[PinType::Numeric, PinType::Alphanumeric, PinType::Letters],
    length: LengthRule::Range(1, 32),
    ttl: TtlRule::Local,
    attempts: Some((1, 100)),
    callback: false,
    // The live host; `username = "sandbox"` switches to the sandbox one.
    default_base_url: Some(LIVE),
    keys: &[
        Key::new(
            "username",
            KeyType::Str,
            "Africa's Talking app username (\"sandbox\" for the sandbox)",
        )
        .required(),
        Key::new("api_key", KeyType::Secret, "Africa's Talking API key (apiKey header)").required(),
    ],
    example: "provider = \"africastalking\"\n\
              username = \"sandbox\"                          # your app's username; \"sandbox\" uses the sandbox host\n\
              api_key = { env = \"AT_API_KEY\" }\n\
              sender = \"ACME\"                               # optional: a registered sender ID or short code\n",
    credentials_hint: "the username and API key are under Settings > API Key in your Africa's Talking app (the sandbox app's username is \"sandbox\")",
    decided_at: None,
    writes_message: false,
    takes_sender: true,
    build,
};

struct AfricasTalking {
    base: String,
    username: String,
    key: Secret,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let username = profile.require_text("username")?.trim().to_string();
    let key = profile.require_secret("api_key")?;
    let base = match profile.str("base_url").filter(|u| !u.trim().is_empty()) {
        Some(_) => profile.base_url()?,
        None if username == "sandbox" => SANDBOX.to_string(),
        None => profile.base_url()?,
    };
    Ok(Box::new(AfricasTalking {
        base,
        username,
        key,
    }))
}

/// The cause a per-recipient `statusCode` means: Ok(()) for the accepted ones (100
/// Processed, 101 Sent, 102 Queued), Err(None) for codes that leave the outcome open
/// (5xx gateway errors, anything unlisted).
fn recipient_kind(code: i64) -> Result<(), Option<Kind>> {
    match code {
        100..=102 => Ok(()),
        // RiskHold: Africa's Talking's fraud guard held the message.
        401 => Err(Some(Kind::Blocked)),
        // InvalidSenderId
        402 => Err(Some(Kind::SenderRefused)),
        // InvalidPhoneNumber, UnsupportedNumberType
        403 | 404 => Err(Some(Kind::InvalidRequest)),
        // InsufficientBalance
        405 => Err(Some(Kind::InsufficientFunds)),
        // UserInBlacklist, DoNotDisturbRejection
        406 | 409 => Err(Some(Kind::Blocked)),
        // CouldNotRoute
        407 => Err(Some(Kind::RouteRefused)),
        _ => Err(None),
    }
}

impl AfricasTalking {
    fn request(&self, method: Method, path: &str) -> Request {
        Request::new(method, format!("{}{path}", self.base))
            .header("Accept", "application/json")
            .header("apiKey", self.key.expose())
    }

    /// A reply Africa's Talking did not take: its error bodies are plain text.
    fn plain_refusal(&self, reply: &Reply) -> Failure {
        let text = String::from_utf8_lossy(&reply.body).trim().to_string();
        let plain = !text.is_empty()
            && !text.starts_with('<')
            && serde_json::from_str::<Value>(&text).is_err();
        let message = match serde_json::from_str::<Value>(&text) {
            Ok(v) => super::vendor_message(&v),
            Err(_) if plain => Some(text),
            Err(_) => None,
        };
        let f = http_failure(INFO.id, reply, None, message, None);
        if f.kind == Kind::Auth {
            f.hint(format!(
                "check username and api_key in the profile: {}",
                INFO.credentials_hint
            ))
        } else {
            f
        }
    }
}

impl Provider for AfricasTalking {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn refusal(&self, reply: &Reply, _: &Value) -> Failure {
        self.plain_refusal(reply)
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        let pin = otp
            .pin
            .as_ref()
            .ok_or_else(|| Failure::usage("africastalking: no PIN to deliver"))?;
        let mut fields = vec![
            ("username".to_string(), self.username.clone()),
            ("to".to_string(), otp.to.e164()),
            ("message".to_string(), otp.template.render(pin.expose())),
            ("bulkSMSMode".to_string(), "1".to_string()),
        ];
        if let Some(s) = otp.sender() {
            fields.push(("from".to_string(), s.to_string()));
        }
        Ok(Plan::Http(
            self.request(Method::Post, "/version1/messaging")
                .form(fields),
        ))
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        if !is_success(reply.status) {
            return Err(self.plain_refusal(reply));
        }
        let v = super::reply_json(INFO.id, reply)?;
        let first = v
            .get("SMSMessageData")
            .and_then(|d| d.get("Recipients"))
            .and_then(Value::as_array)
            .and_then(|r| r.first());
        let Some(r) = first else {
            return Err(missing_field(
                INFO.id,
                "SMSMessageData.Recipients[0]",
                reply,
            ));
        };
        let code = text_at(r, "statusCode").and_then(|c| c.trim().parse::<i64>().ok());
        let status = text_at(r, "status").unwrap_or_default();
        let Some(code) = code else {
            return Err(missing_field(INFO.id, "Recipients[0].statusCode", reply));
        };
        match recipient_kind(code) {
            Ok(()) => match text_at(r, "messageId").filter(|m| !m.trim().is_empty() && m != "None")
            {
                Some(id) => Ok(Accepted {
                    message_id: Some(id.clone()),
                    id,
                    cost: r.get("cost").cloned(),
                    ..Accepted::default()
                }),
                None => Err(missing_field(INFO.id, "Recipients[0].messageId", reply)),
            },
            Err(Some(kind)) => {
                let what = if status.is_empty() {
                    format!("status code {code}")
                } else {
                    format!("{} (status code {code})", redact::vendor_text(&status))
                };
                let f = Failure::rejected(
                    kind,
                    format!(
                        "africastalking rejected the message (HTTP {}): {what}",
                        reply.status
                    ),
                )
                .status(reply.status)
                .code(Some(code.to_string()))
                .detail(snippet(reply));
                Err(match kind {
                    Kind::SenderRefused => f.hint(
                        "the sender (from) must be a sender ID or short code registered to your Africa's Talking app; leave sender unset to use the default",
                    ),
                    _ => f,
                })
            }
            Err(None) => Err(Failure::unknown(
                Kind::BadResponse,
                format!(
                    "africastalking answered HTTP {} with recipient status code {code} ({})",
                    reply.status,
                    redact::vendor_text(&status)
                ),
            )
            .status(reply.status)
            .code(Some(code.to_string()))
            .detail(snippet(reply))
            .unsure()
            .next_step()),
        }
    }

    fn balance(&self) -> Option<Request> {
        let mut url = reqwest::Url::parse(&format!("{}/version1/user", self.base)).ok()?;
        url.query_pairs_mut()
            .append_pair("username", &self.username);
        Some(Request {
            url: url.to_string(),
            ..self.request(Method::Get, "/version1/user")
        })
    }

    fn balance_reply(&self, reply: &Reply) -> Result<Balance, Failure> {
        if !is_success(reply.status) {
            return Err(self.plain_refusal(reply));
        }
        let v = super::reply_json(INFO.id, reply)?;
        let Some(balance) = text_at(&v, "UserData.balance") else {
            return Err(missing_field(INFO.id, "UserData.balance", reply));
        };
        Ok(parse_balance(&balance))
    }
}

/// `"KES 12.34"` as an amount and a currency; what does not read so is left out.
fn parse_balance(s: &str) -> Balance {
    let mut parts = s.split_whitespace();
    let (a, b) = (parts.next(), parts.next());
    let (currency, amount) = match (a, b) {
        (Some(c), Some(n)) => (Some(c), n),
        (Some(n), None) => (None, n),
        _ => (None, ""),
    };
    let amount = amount.replace(',', "").parse::<f64>().ok();
    Balance {
        amount,
        currency: currency
            .filter(|c| c.chars().all(|ch| ch.is_ascii_alphabetic()))
            .map(str::to_string)
            .filter(|_| amount.is_some()),
        note: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, reply};
    use crate::providers::Body;

    const KEY: &str = "atsk_unit_1f2e3d4c5b6a";
    const PIN: &str = "482913";

    fn provider(extra: &str) -> Box<dyn Provider> {
        build(&testing::profile(&format!(
            "provider = \"africastalking\"\napi_key = \"{KEY}\"\n{extra}"
        )))
        .unwrap()
    }

    fn otp(sender: Option<&str>) -> Otp {
        let mut o = testing::otp("+254711000111", sender, "Your code is {{code}}");
        o.pin = Some(Secret::new(PIN));
        o
    }

    fn request(p: &dyn Provider, o: &Otp) -> Request {
        let Plan::Http(r) = p.send(o).unwrap() else {
            panic!()
        };
        r
    }

    fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: Some("text/plain".into()),
            body: body.as_bytes().to_vec(),
            ..Reply::default()
        }
    }

    #[test]
    fn send_request_is_what_the_sdk_sends() {
        let r = request(
            provider("username = \"myuser\"\n").as_ref(),
            &otp(Some("ACME")),
        );
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://api.africastalking.com/version1/messaging");
        assert_eq!(
            r.headers,
            vec![
                ("Accept".to_string(), "application/json".to_string()),
                ("apiKey".to_string(), KEY.to_string()),
            ]
        );
        // The body africastalking 2.0.3's SMS.send sent for the same inputs.
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            "username=myuser&to=%2B254711000111&message=Your+code+is+482913&bulkSMSMode=1&from=ACME"
        );
        let shown = r.render_text();
        assert!(!shown.contains(KEY) && !shown.contains(PIN), "{shown}");
        assert!(shown.contains("apiKey: ***"), "masked by name too: {shown}");
        let r = request(provider("username = \"myuser\"\n").as_ref(), &otp(None));
        let Body::Form(f) = &r.body else { panic!() };
        assert!(!f.iter().any(|(k, _)| k == "from"));
    }

    #[test]
    fn sandbox_username_picks_the_sandbox_host_unless_base_url_is_set() {
        let r = request(provider("username = \"sandbox\"\n").as_ref(), &otp(None));
        assert_eq!(
            r.url,
            "https://api.sandbox.africastalking.com/version1/messaging"
        );
        let r = request(
            provider("username = \"sandbox\"\nbase_url = \"http://127.0.0.1:9\"\n").as_ref(),
            &otp(None),
        );
        assert_eq!(r.url, "http://127.0.0.1:9/version1/messaging");
        let b = provider("username = \"sandbox\"\n").balance().unwrap();
        assert_eq!(
            b.url,
            "https://api.sandbox.africastalking.com/version1/user?username=sandbox"
        );
        assert_eq!(b.method, Method::Get);
    }

    fn recipients(code: &str) -> String {
        format!(
            r#"{{"SMSMessageData":{{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[{{"statusCode":{code},"number":"+254711000111","status":"Whatever","cost":"KES 0.8000","messageId":"ATXid_sample"}}]}}}}"#
        )
    }

    #[test]
    fn recipient_status_codes() {
        let p = provider("username = \"u\"\n");
        for code in ["100", "101", "102", "\"101\""] {
            let a = p.send_reply(&reply(201, &recipients(code))).unwrap();
            assert_eq!(a.id, "ATXid_sample", "{code}");
            assert_eq!(a.cost, Some(Value::from("KES 0.8000")));
        }
        for (code, kind) in [
            ("401", Kind::Blocked),
            ("402", Kind::SenderRefused),
            ("403", Kind::InvalidRequest),
            ("404", Kind::InvalidRequest),
            ("405", Kind::InsufficientFunds),
            ("406", Kind::Blocked),
            ("407", Kind::RouteRefused),
            ("409", Kind::Blocked),
        ] {
            let e = p.send_reply(&reply(201, &recipients(code))).unwrap_err();
            assert_eq!((e.kind, e.outcome), (kind, Outcome::Rejected), "{code}");
            assert_eq!(e.provider_code.as_deref(), Some(code));
            assert_eq!(e.exit_code(), 4);
        }
        for code in ["500", "501", "502", "408", "999"] {
            let e = p.send_reply(&reply(201, &recipients(code))).unwrap_err();
            assert_eq!((e.kind, e.exit_code()), (Kind::BadResponse, 6), "{code}");
        }
        for body in [
            r#"{"SMSMessageData":{"Message":"InvalidSenderId","Recipients":[]}}"#,
            r#"{"SMSMessageData":{}}"#,
            r#"{"SMSMessageData":{"Recipients":[{"status":"Success"}]}}"#,
            r#"{"SMSMessageData":{"Recipients":[{"statusCode":101,"messageId":"None"}]}}"#,
            "{}",
            "[1]",
        ] {
            let e = p.send_reply(&reply(201, body)).unwrap_err();
            assert_eq!(e.exit_code(), 6, "{body}");
        }
    }

    #[test]
    fn non_2xx_replies_are_plain_text() {
        let p = provider("username = \"u\"\n");
        let e = p
            .send_reply(&text(401, "The supplied authentication is invalid"))
            .unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::Auth, 4));
        assert!(e.message.contains("The supplied authentication is invalid"));
        assert!(e.hint.unwrap().contains("api_key"));
        let e = p
            .send_reply(&text(400, "Invalid phone number"))
            .unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::InvalidRequest, 4));
        let e = p.send_reply(&text(500, "Internal error")).unwrap_err();
        assert_eq!(e.exit_code(), 6);
    }

    #[test]
    fn balance_reads_amount_and_currency() {
        let p = provider("username = \"u\"\n");
        let b = p
            .balance_reply(&reply(200, r#"{"UserData":{"balance":"KES 12.34"}}"#))
            .unwrap();
        assert_eq!(
            (b.amount, b.currency.as_deref()),
            (Some(12.34), Some("KES"))
        );
        let b = parse_balance("USD 1,024.50");
        assert_eq!(
            (b.amount, b.currency.as_deref()),
            (Some(1024.5), Some("USD"))
        );
        let b = parse_balance("lots");
        assert_eq!((b.amount, b.currency), (None, None));
        let e = p.balance_reply(&text(401, "bad key")).unwrap_err();
        assert_eq!(e.kind, Kind::Auth);
    }

    #[test]
    fn verify_is_local() {
        let p = provider("username = \"u\"\n");
        assert!(p.verify("x", &Secret::new("123456")).is_err());
    }
}
