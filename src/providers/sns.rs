//! Amazon SNS `Publish` to a phone number: delivers a PIN that `otp` made, so the local
//! record verifies it. Query protocol (form `Action=Publish&Version=2010-03-31`), XML
//! replies, SigV4 (service `sns`) through the signer `aws` keeps; the same credential
//! keys and stand-ins as `aws`.

use super::aws::{
    endpoint, Signer, ACCESS_KEY_ID, CREDENTIALS_HINT, REGION, SECRET_ACCESS_KEY, SESSION_TOKEN,
};
use super::Stamp;
use super::{
    http_failure, is_success, missing_field, snippet, vendor_message, Accepted, Balance, Channel,
    Info, Key, KeyType, LengthRule, Method, Otp, PinBy, Plan, Provider, Reply, Request, TtlRule,
    VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind};
use crate::message::PinType;
use crate::request::describe;
use serde_json::Value;

const VERSION: &str = "2010-03-31";
/// The longest SMS text SNS takes (its SMS docs: up to 1600 characters, split in parts).
const MAX_BODY: usize = 1600;

pub static INFO: Info = Info {
    id: "sns",
    aliases: &[],
    name: "Amazon SNS",
    about: "Amazon SNS Publish to a phone number; otp makes the PIN and verifies it locally",
    pin_by: PinBy::Tool,
    verify: VerifyBy::Local,
    channels: &[Channel::Sms],
    pin_types: &[PinType::Numeric, PinType::Alphanumeric, PinType::Letters],
    length: LengthRule::Range(1, 32),
    ttl: TtlRule::Local,
    attempts: Some((1, 100)),
    callback: false,
    default_base_url: None,
    keys: &[
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        SESSION_TOKEN,
        REGION,
        Key::new(
            "origination_identity",
            KeyType::Str,
            "sender ID sent as AWS.SNS.SMS.SenderID (--sender / sender overrides it)",
        ),
    ],
    example: "provider = \"sns\"\n\
              region = \"eu-west-1\"                          # else AWS_REGION / ~/.aws/config\n\
              access_key_id = { env = \"AWS_ACCESS_KEY_ID\" }    # or leave the keys out: AWS_* variables, then ~/.aws/credentials\n\
              secret_access_key = { env = \"AWS_SECRET_ACCESS_KEY\" }\n\
              origination_identity = \"Acme\"                 # AWS.SNS.SMS.SenderID, where the country allows one\n",
    credentials_hint: CREDENTIALS_HINT,
    decided_at: None,
    writes_message: false,
    takes_sender: true,
    build,
};

struct Sns {
    url: String,
    signer: Signer,
    sender: Option<String>,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let signer = Signer::from_profile(profile, "sns")?;
    Ok(Box::new(Sns {
        url: endpoint(profile, "sns", &signer)?,
        signer,
        sender: profile
            .str("origination_identity")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    }))
}

/// A query-protocol call, as botocore sends it (`charset=utf-8` included).
fn call(url: &str, action: &str, mut fields: Vec<(String, String)>) -> Request {
    let mut all = vec![
        ("Action".to_string(), action.to_string()),
        ("Version".to_string(), VERSION.to_string()),
    ];
    all.append(&mut fields);
    Request::new(Method::Post, url.to_string())
        .header(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .form(all)
}

/// The text of the first `<tag>…</tag>` in `xml`, entities decoded; None when absent.
/// SNS replies are small, flat documents of AWS's own making: this reads the few
/// elements `otp` needs (MessageId, Code, Message) without a general XML parser.
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&close)?;
    let raw = &xml[start..start + len];
    if raw.contains('<') {
        return None;
    }
    Some(unescape(raw.trim()))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The reply's body as text, when it is an XML document.
fn xml_of(reply: &Reply) -> Option<&str> {
    let text = std::str::from_utf8(&reply.body).ok()?.trim_start();
    text.starts_with('<').then_some(text)
}

/// The cause an SNS error code means (codes from the SNS API reference and the
/// service model); None leaves it to the HTTP status.
fn kind_of(code: &str) -> Option<Kind> {
    Some(match code {
        "AuthorizationError"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "InvalidSecurity"
        | "ExpiredToken"
        | "IncompleteSignature"
        | "MissingAuthenticationToken"
        | "AccessDenied"
        | "OptInRequired" => Kind::Auth,
        "Throttling" | "ThrottledException" => Kind::RateLimited,
        "OptedOut" => Kind::Blocked,
        c if c.starts_with("InvalidParameter") || c == "ValidationException" => {
            Kind::InvalidRequest
        }
        _ => return None,
    })
}

/// An `<ErrorResponse><Error><Code>` reply read into a failure; None when the body is
/// not that shape.
fn xml_refusal(reply: &Reply) -> Option<Failure> {
    let xml = xml_of(reply)?;
    if !xml.contains("<ErrorResponse") {
        return None;
    }
    let code = xml_text(xml, "Code")?;
    let message = xml_text(xml, "Message");
    let kind = kind_of(&code);
    let what = match &message {
        Some(m) => format!("{code}: {m}"),
        None => code.clone(),
    };
    let f = http_failure(INFO.id, reply, kind, Some(what), Some(code));
    Some(match kind {
        Some(Kind::Auth) => f.hint(format!(
            "check access_key_id, secret_access_key and session_token (or the AWS_* variables, ~/.aws/credentials), the sns:Publish permission and that the clock is right; {CREDENTIALS_HINT}"
        )),
        _ => f,
    })
}

impl Provider for Sns {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        xml_refusal(reply).unwrap_or_else(|| {
            if is_success(reply.status) || reply.status >= 500 {
                // Not SNS's error document: nobody can say what happened.
                return Failure::unknown(
                    if reply.status >= 500 {
                        Kind::Server
                    } else {
                        Kind::BadResponse
                    },
                    format!("sns: {}", describe(reply)),
                )
                .status(reply.status)
                .detail(snippet(reply))
                .unsure()
                .next_step();
            }
            http_failure(INFO.id, reply, None, vendor_message(v), None)
        })
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        let pin = otp
            .pin
            .as_ref()
            .ok_or_else(|| Failure::usage("sns: no PIN to deliver"))?;
        let text = otp.template.render(pin.expose());
        let n = text.chars().count();
        if n > MAX_BODY {
            return Err(Failure::usage(format!(
                "sns takes a message of at most {MAX_BODY} characters; this one has {n}"
            )));
        }
        let mut fields = vec![
            ("PhoneNumber".to_string(), otp.to.e164()),
            ("Message".to_string(), text),
        ];
        let mut attribute = |n: usize, name: &str, value: String| {
            let at = format!("MessageAttributes.entry.{n}");
            fields.push((format!("{at}.Name"), name.to_string()));
            fields.push((format!("{at}.Value.DataType"), "String".to_string()));
            fields.push((format!("{at}.Value.StringValue"), value));
        };
        attribute(1, "AWS.SNS.SMS.SMSType", "Transactional".to_string());
        let sender = otp
            .sender()
            .map(str::to_string)
            .or_else(|| self.sender.clone());
        if let Some(s) = sender {
            attribute(2, "AWS.SNS.SMS.SenderID", s);
        }
        Ok(Plan::Http(call(&self.url, "Publish", fields)))
    }

    fn sign(&self, mut req: Request, stamp: &Stamp) -> Result<Request, Failure> {
        self.signer.sign(&mut req, stamp.at)?;
        Ok(req)
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        if let Some(f) = xml_refusal(reply) {
            return Err(f);
        }
        if !is_success(reply.status) {
            let v = serde_json::from_slice::<Value>(&reply.body).unwrap_or(Value::Null);
            return Err(self.refusal(reply, &v));
        }
        let id = xml_of(reply)
            .filter(|x| x.contains("<PublishResponse"))
            .and_then(|x| xml_text(x, "MessageId"))
            .filter(|s| !s.is_empty());
        match id {
            Some(id) => Ok(Accepted {
                message_id: Some(id.clone()),
                id,
                ..Accepted::default()
            }),
            None if xml_of(reply).is_some() => Err(missing_field(INFO.id, "MessageId", reply)),
            None => Err(self.refusal(reply, &Value::Null)),
        }
    }

    fn balance(&self) -> Option<Request> {
        Some(call(&self.url, "GetSMSAttributes", Vec::new()))
    }

    fn balance_reply(&self, reply: &Reply) -> Result<Balance, Failure> {
        if let Some(f) = xml_refusal(reply) {
            return Err(f);
        }
        if !is_success(reply.status) {
            let v = serde_json::from_slice::<Value>(&reply.body).unwrap_or(Value::Null);
            return Err(self.refusal(reply, &v));
        }
        // No balance (AWS bills afterwards); the monthly spend limit stops sends.
        let limit = xml_of(reply).and_then(|x| {
            x.split("<entry>")
                .skip(1)
                .find(|e| xml_text(e, "key").as_deref() == Some("MonthlySpendLimit"))
                .and_then(|e| xml_text(e, "value"))
        });
        Ok(Balance {
            note: limit.map(|l| format!("monthly SMS spend limit {l} USD")),
            ..Balance::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing;
    use crate::providers::Body;
    use crate::redact::Secret;
    use std::time::{Duration, UNIX_EPOCH};

    const PIN: &str = "482913";

    fn provider(extra: &str) -> Box<dyn Provider> {
        build(&testing::profile(&format!(
            "provider = \"sns\"\naccess_key_id = \"AKIDSNSUNIT\"\nsecret_access_key = \"sns-unit-secret-key\"\nregion = \"eu-west-2\"\n{extra}"
        )))
        .unwrap()
    }

    fn otp() -> Otp {
        let mut o = testing::otp("+447700900123", None, "Your code is {{code}}");
        o.pin = Some(Secret::new(PIN));
        o
    }

    fn xml(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: Some("text/xml".into()),
            body: body.as_bytes().to_vec(),
            ..Reply::default()
        }
    }

    const PUBLISHED: &str = r#"<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult>
    <MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId>
  </PublishResult>
  <ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata>
</PublishResponse>"#;

    fn error(code: &str, message: &str) -> String {
        format!(
            "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
        )
    }

    #[test]
    fn publish_request_is_what_boto3_sends() {
        let p = provider("origination_identity = \"Acme\"\n");
        let Plan::Http(r) = p.send(&otp()).unwrap() else {
            panic!()
        };
        assert_eq!(r.url, "https://sns.eu-west-2.amazonaws.com/");
        // The body botocore 1.44.18 sent for the same inputs, byte for byte.
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            "Action=Publish&Version=2010-03-31&PhoneNumber=%2B447700900123&Message=Your+code+is+482913&MessageAttributes.entry.1.Name=AWS.SNS.SMS.SMSType&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=Transactional&MessageAttributes.entry.2.Name=AWS.SNS.SMS.SenderID&MessageAttributes.entry.2.Value.DataType=String&MessageAttributes.entry.2.Value.StringValue=Acme"
        );
        let r = p
            .sign(
                r,
                &Stamp {
                    at: UNIX_EPOCH + Duration::from_secs(1_440_938_160),
                    nonce: String::new(),
                },
            )
            .unwrap();
        let auth = &r
            .headers
            .iter()
            .find(|(k, _)| k == "Authorization")
            .unwrap()
            .1;
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDSNSUNIT/20150830/eu-west-2/sns/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="),
            "{auth}"
        );
        assert!(!r.render_text().contains(PIN));
    }

    #[test]
    fn sender_flag_overrides_and_is_optional() {
        let p = provider("origination_identity = \"Acme\"\n");
        let mut o = otp();
        o.sender = Some("Other".into());
        let Plan::Http(r) = p.send(&o).unwrap() else {
            panic!()
        };
        let Body::Form(f) = &r.body else { panic!() };
        assert!(f.contains(&(
            "MessageAttributes.entry.2.Value.StringValue".into(),
            "Other".into()
        )));
        let Plan::Http(r) = provider("").send(&otp()).unwrap() else {
            panic!()
        };
        let Body::Form(f) = &r.body else { panic!() };
        assert!(!f
            .iter()
            .any(|(k, _)| k.starts_with("MessageAttributes.entry.2")));
    }

    #[test]
    fn xml_extraction_is_bounded_and_decodes_entities() {
        assert_eq!(
            xml_text(PUBLISHED, "MessageId").as_deref(),
            Some("567910cd-659e-55d4-8ccb-5aaf14679dc0")
        );
        assert_eq!(
            xml_text("<a><M>x &amp; &lt;y&gt;</M></a>", "M").as_deref(),
            Some("x & <y>")
        );
        assert_eq!(xml_text("<a><M><b>nested</b></M></a>", "M"), None);
        assert_eq!(xml_text("<a><M>unclosed", "M"), None);
        assert_eq!(xml_text("<a/>", "M"), None);
    }

    #[test]
    fn receipt_and_unreadable_replies() {
        let p = provider("");
        let a = p.send_reply(&xml(200, PUBLISHED)).unwrap();
        assert_eq!(a.id, "567910cd-659e-55d4-8ccb-5aaf14679dc0");
        for (status, body) in [
            (200, "<PublishResponse><PublishResult/></PublishResponse>"),
            (200, "{}"),
            (200, ""),
            (200, "<html>hi</html>"),
            (500, "<html>oops</html>"),
            (503, "{\"message\":\"internal\"}"),
        ] {
            let e = p.send_reply(&xml(status, body)).unwrap_err();
            assert_eq!(e.exit_code(), 6, "{status} {body}");
            assert_eq!(e.outcome, Outcome::Unknown, "{body}");
        }
    }

    #[test]
    fn errors_read_into_causes() {
        let p = provider("");
        for (status, code, kind) in [
            (403, "AuthorizationError", Kind::Auth),
            (403, "InvalidClientTokenId", Kind::Auth),
            (403, "SignatureDoesNotMatch", Kind::Auth),
            (400, "Throttling", Kind::RateLimited),
            (400, "ThrottledException", Kind::RateLimited),
            (400, "InvalidParameter", Kind::InvalidRequest),
            (400, "InvalidParameterValue", Kind::InvalidRequest),
            (400, "OptedOut", Kind::Blocked),
            (404, "NotFound", Kind::NotFound),
            (200, "InvalidParameter", Kind::InvalidRequest),
        ] {
            let e = p
                .send_reply(&xml(
                    status,
                    &error(code, "Invalid parameter: PhoneNumber &amp; more"),
                ))
                .unwrap_err();
            assert_eq!((e.kind, e.outcome), (kind, Outcome::Rejected), "{code}");
            assert_eq!(e.provider_code.as_deref(), Some(code));
            assert!(e.message.contains("PhoneNumber & more"), "{}", e.message);
        }
        let e = p
            .send_reply(&xml(500, &error("InternalError", "boom")))
            .unwrap_err();
        assert_eq!(e.exit_code(), 6);
        // A 4xx that is not SNS's XML falls back on the HTTP status.
        let e = p
            .send_reply(&testing::reply(429, r#"{"message":"Too many requests"}"#))
            .unwrap_err();
        assert_eq!(e.kind, Kind::RateLimited);
    }

    #[test]
    fn online_check_is_get_sms_attributes() {
        let p = provider("");
        let r = p.balance().unwrap();
        assert_eq!(
            String::from_utf8(r.body_bytes()).unwrap(),
            "Action=GetSMSAttributes&Version=2010-03-31"
        );
        let b = p
            .balance_reply(&xml(200, "<GetSMSAttributesResponse><GetSMSAttributesResult><attributes><entry><key>DefaultSMSType</key><value>Transactional</value></entry><entry><key>MonthlySpendLimit</key><value>1</value></entry></attributes></GetSMSAttributesResult></GetSMSAttributesResponse>"))
            .unwrap();
        assert_eq!(b.note.as_deref(), Some("monthly SMS spend limit 1 USD"));
        let e = p
            .balance_reply(&xml(403, &error("InvalidClientTokenId", "bad")))
            .unwrap_err();
        assert_eq!(e.kind, Kind::Auth);
    }
}
