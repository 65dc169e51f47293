//! AWS End User Messaging SMS (`pinpoint-sms-voice-v2`): `SendTextMessage` delivers a
//! PIN that `otp` made, so the local record verifies it. JSON 1.0 protocol
//! (`X-Amz-Target`), signed with SigV4 (signing name `sms-voice`) by the `aws-sigv4`
//! crate. The SigV4 signer and the credential keys here serve `sns` too.

use super::{
    http_failure, is_success, missing_field, reply_json, text_at, Accepted, Balance, Channel, Info,
    Key, KeyType, LengthRule, Method, Otp, PinBy, Plan, Provider, Reply, Request, Stamp, TtlRule,
    VerifyBy,
};
use crate::config::aws::Field;
use crate::config::Profile;
use crate::error::{Failure, Kind};
use crate::message::PinType;
use crate::redact::Secret;
use serde_json::{json, Value};
use std::time::SystemTime;

/// `OriginationIdentity`: 1–256 characters of `[A-Za-z0-9_:/\+-]` (a phone number,
/// sender ID, pool or their ARN), as the service model declares it.
const MAX_IDENTITY: usize = 256;
/// `MessageBody`: at most 1600 characters (service model).
const MAX_BODY: usize = 1600;
/// `TimeToLive`: whole seconds, 5–259200 (service model).
const TTL_RANGE: (u64, u64) = (5, 259_200);

/// The credential keys `aws` and `sns` share, each with the standard stand-ins AWS's
/// own tools read after the profile.
pub(super) const ACCESS_KEY_ID: Key = Key::new(
    "access_key_id",
    KeyType::Secret,
    "AWS access key ID (else AWS_ACCESS_KEY_ID, else ~/.aws/credentials)",
)
.required()
.fallback(
    &["AWS_ACCESS_KEY_ID"],
    Field::Credentials("aws_access_key_id"),
);
pub(super) const SECRET_ACCESS_KEY: Key = Key::new(
    "secret_access_key",
    KeyType::Secret,
    "AWS secret access key (else AWS_SECRET_ACCESS_KEY, else ~/.aws/credentials)",
)
.required()
.fallback(
    &["AWS_SECRET_ACCESS_KEY"],
    Field::Credentials("aws_secret_access_key"),
);
pub(super) const SESSION_TOKEN: Key = Key::new(
    "session_token",
    KeyType::Secret,
    "AWS session token for temporary credentials (else AWS_SESSION_TOKEN, else ~/.aws/credentials)",
)
.fallback(
    &["AWS_SESSION_TOKEN"],
    Field::Credentials("aws_session_token"),
);
pub(super) const REGION: Key = Key::new(
    "region",
    KeyType::Str,
    "AWS Region, e.g. us-east-1 (else AWS_REGION, AWS_DEFAULT_REGION, ~/.aws/config)",
)
.required()
.fallback(
    &["AWS_REGION", "AWS_DEFAULT_REGION"],
    Field::Config("region"),
);

pub(super) const CREDENTIALS_HINT: &str = "create an access key in the IAM console (Security credentials), or run `aws configure export-credentials --format env` for SSO and role sessions";

pub static INFO: Info = Info {
    id: "aws",
    aliases: &[],
    name: "AWS End User Messaging SMS",
    about: "AWS End User Messaging SMS SendTextMessage; otp makes the PIN and verifies it locally",
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
            "sender: a phone number, sender ID, pool ID or their ARN (--sender / sender overrides it)",
        ),
        Key::new(
            "configuration_set",
            KeyType::Str,
            "configuration set name or ARN (event destinations, opt-out list)",
        ),
    ],
    example: "provider = \"aws\"\n\
              region = \"us-east-1\"                          # else AWS_REGION / ~/.aws/config\n\
              access_key_id = { env = \"AWS_ACCESS_KEY_ID\" }    # or leave the keys out: AWS_* variables, then ~/.aws/credentials\n\
              secret_access_key = { env = \"AWS_SECRET_ACCESS_KEY\" }\n\
              origination_identity = \"+12065550100\"          # a phone number, sender ID, pool or ARN\n",
    credentials_hint: CREDENTIALS_HINT,
    decided_at: None,
    writes_message: false,
    takes_sender: true,
    build,
};

/// AWS credentials and where to sign for: what SigV4 needs besides the request.
pub(super) struct Signer {
    access_key_id: Secret,
    secret_access_key: Secret,
    session_token: Option<Secret>,
    region: String,
    /// The signing name (`sms-voice`, `sns`).
    service: &'static str,
}

impl Signer {
    /// The credentials and region of a profile (the profile's keys, else their standard
    /// stand-ins, resolved by config), checked without I/O.
    pub(super) fn from_profile(
        profile: &Profile,
        service: &'static str,
    ) -> Result<Signer, Failure> {
        let region = profile.require_text("region")?.trim().to_string();
        if !valid_region(&region) {
            return Err(profile.bad_value(
                "region",
                format!("region \"{region}\" is not an AWS Region name such as us-east-1"),
            ));
        }
        Ok(Signer {
            access_key_id: profile.require_secret("access_key_id")?,
            secret_access_key: profile.require_secret("secret_access_key")?,
            session_token: profile.secret("session_token")?,
            region,
            service,
        })
    }

    pub(super) fn region(&self) -> &str {
        &self.region
    }

    /// Sign `req` at `now`: adds `X-Amz-Date`, `X-Amz-Security-Token` (temporary
    /// credentials) and `Authorization`, over every header the request carries, its
    /// Content-Type and host included, and the body bytes as sent. A request signed
    /// before (a fallback step's plan, signed again as it leaves) loses its old
    /// signature headers first, so they are replaced, never stacked.
    pub(super) fn sign(&self, req: &mut Request, now: SystemTime) -> Result<(), Failure> {
        req.headers.retain(|(k, _)| {
            ![
                "authorization",
                "x-amz-date",
                "x-amz-security-token",
                "x-amz-content-sha256",
            ]
            .iter()
            .any(|h| k.eq_ignore_ascii_case(h))
        });
        let mut headers = req.headers.clone();
        if let Some(ct) = req.content_type() {
            headers.push(("Content-Type".into(), ct.into()));
        }
        let added = sign_headers(
            req.method.as_str(),
            &req.url,
            &headers,
            &req.body_bytes(),
            self,
            now,
            aws_sigv4::http_request::SigningSettings::default(),
        )?;
        req.headers.extend(added);
        Ok(())
    }
}

/// A Region name as AWS writes them (`us-east-1`, `us-gov-west-1`): it becomes part of
/// a host name, so nothing else is taken.
fn valid_region(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= 64
        && r.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !r.starts_with('-')
        && !r.ends_with('-')
}

/// The headers SigV4 adds to a request, computed by `aws-sigv4`.
fn sign_headers(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    signer: &Signer,
    now: SystemTime,
    settings: aws_sigv4::http_request::SigningSettings,
) -> Result<Vec<(String, String)>, Failure> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest};
    let failed = |e: &dyn std::fmt::Display| {
        Failure::usage(format!(
            "the request to {} could not be signed: {e}",
            signer.service
        ))
    };
    let identity = aws_credential_types::Credentials::new(
        signer.access_key_id.expose(),
        signer.secret_access_key.expose(),
        signer
            .session_token
            .as_ref()
            .map(|t| t.expose().to_string()),
        None,
        "otp profile",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(&signer.region)
        .name(signer.service)
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| failed(&e))?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| failed(&e))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| failed(&e))?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(k, v)| (canonical_name(k), v.to_string()))
        .collect())
}

/// Header names as AWS's own SDKs write them (the crate gives them lower case).
fn canonical_name(name: &str) -> String {
    match name {
        "x-amz-date" => "X-Amz-Date".into(),
        "x-amz-security-token" => "X-Amz-Security-Token".into(),
        "authorization" => "Authorization".into(),
        other => other.into(),
    }
}

/// The endpoint: `base_url` (tests, VPC endpoints) or the regional one.
pub(super) fn endpoint(profile: &Profile, host: &str, signer: &Signer) -> Result<String, Failure> {
    match profile.str("base_url").filter(|u| !u.trim().is_empty()) {
        Some(_) => Ok(format!("{}/", profile.base_url()?)),
        None => Ok(format!("https://{host}.{}.amazonaws.com/", signer.region())),
    }
}

struct Aws {
    url: String,
    signer: Signer,
    origination_identity: Option<String>,
    configuration_set: Option<String>,
}

fn valid_identity(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= MAX_IDENTITY
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_:/+-".contains(c))
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let signer = Signer::from_profile(profile, "sms-voice")?;
    let origination_identity = profile
        .str("origination_identity")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(o) = &origination_identity {
        if !valid_identity(o) {
            return Err(profile.bad_value("origination_identity", identity_message(o)));
        }
    }
    let configuration_set = profile
        .str("configuration_set")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    Ok(Box::new(Aws {
        url: endpoint(profile, "sms-voice", &signer)?,
        signer,
        origination_identity,
        configuration_set,
    }))
}

fn identity_message(s: &str) -> String {
    format!(
        "aws takes an origination identity of 1 to {MAX_IDENTITY} letters, digits and _ : / + - (a phone number, sender ID, pool or ARN), not \"{s}\""
    )
}

/// A JSON 1.0 call: POST to the endpoint with the operation in `X-Amz-Target`.
fn call(url: &str, operation: &str, body: Value) -> Request {
    Request::new(Method::Post, url.to_string())
        .header("Content-Type", "application/x-amz-json-1.0")
        .header("X-Amz-Target", format!("PinpointSMSVoiceV2.{operation}"))
        .json(body)
}

/// The error's name: `__type` without a namespace (`com.amazonaws...#Name`) or suffix
/// (`Name:http://...`), as AWS's JSON protocols write it.
fn error_type(v: &Value) -> Option<String> {
    let t = text_at(v, "__type").or_else(|| text_at(v, "code"))?;
    let t = t.rsplit('#').next().unwrap_or(&t);
    let t = t.split(':').next().unwrap_or(t).trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The cause an End User Messaging error means, by its type and `Reason` (both named
/// in the service model); None leaves it to the HTTP status.
fn kind_of(error: &str, reason: Option<&str>) -> Option<Kind> {
    Some(match (error, reason.unwrap_or("")) {
        ("ServiceQuotaExceededException", r) if r.starts_with("MONTHLY_SPEND_LIMIT_REACHED") => {
            Kind::InsufficientFunds
        }
        ("ServiceQuotaExceededException" | "ThrottlingException", _) => Kind::RateLimited,
        (
            "AccessDeniedException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "IncompleteSignature"
            | "MissingAuthenticationToken"
            | "InvalidClientTokenId"
            | "ExpiredTokenException"
            | "SignatureDoesNotMatch",
            _,
        ) => Kind::Auth,
        ("ResourceNotFoundException", _) => Kind::SenderRefused,
        ("ConflictException", "DESTINATION_PHONE_NUMBER_OPTED_OUT")
        | ("ConflictException", "DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE") => {
            Kind::Blocked
        }
        ("ConflictException", "DESTINATION_PHONE_NUMBER_NOT_VERIFIED")
        | ("ConflictException", "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION") => {
            Kind::RouteRefused
        }
        ("ConflictException", "NO_ORIGINATION_IDENTITIES_FOUND") => Kind::SenderRefused,
        (
            "ValidationException",
            "DESTINATION_COUNTRY_BLOCKED"
            | "COUNTRY_NOT_ENABLED"
            | "INTERNATIONAL_SENDING_NOT_SUPPORTED"
            | "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY",
        ) => Kind::RouteRefused,
        (
            "ValidationException",
            "SENDER_ID_NOT_REGISTERED"
            | "SENDER_ID_NOT_SUPPORTED"
            | "SENDER_ID_REQUIRES_REGISTRATION",
        ) => Kind::SenderRefused,
        ("ValidationException" | "ConflictException" | "SerializationException", _) => {
            Kind::InvalidRequest
        }
        _ => return None,
    })
}

/// An AWS JSON error (`{"__type", "message"}`, `Reason` where the model has one) read
/// into a failure; shared with nothing else, as SNS answers in XML.
fn json_refusal(reply: &Reply, v: &Value) -> Failure {
    let error = error_type(v);
    let reason = text_at(v, "Reason");
    let message = text_at(v, "message")
        .or_else(|| text_at(v, "Message"))
        .filter(|m| !m.trim().is_empty());
    let kind = error.as_deref().and_then(|e| kind_of(e, reason.as_deref()));
    let message = match (&error, message, &reason) {
        (Some(e), Some(m), Some(r)) => Some(format!("{e} ({r}): {m}")),
        (Some(e), Some(m), None) => Some(format!("{e}: {m}")),
        (Some(e), None, _) => Some(e.clone()),
        (None, m, _) => m,
    };
    let f = http_failure(INFO.id, reply, kind, message, error);
    match kind {
        Some(Kind::Auth) => f.hint(format!(
            "check access_key_id, secret_access_key and session_token (or the AWS_* variables, ~/.aws/credentials) and that the clock is right; {CREDENTIALS_HINT}"
        )),
        Some(Kind::SenderRefused) => f.hint(
            "check origination_identity (or --sender) and configuration_set in the profile: they must exist in this account and Region",
        ),
        _ => f,
    }
}

impl Provider for Aws {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        json_refusal(reply, v)
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        let pin = otp
            .pin
            .as_ref()
            .ok_or_else(|| Failure::usage("aws: no PIN to deliver"))?;
        let text = otp.template.render(pin.expose());
        let n = text.chars().count();
        if n > MAX_BODY {
            return Err(Failure::usage(format!(
                "aws takes a message of at most {MAX_BODY} characters; this one has {n}"
            )));
        }
        let mut body = json!({
            "DestinationPhoneNumber": otp.to.e164(),
        });
        let sender = otp
            .sender()
            .map(str::to_string)
            .or_else(|| self.origination_identity.clone());
        if let Some(s) = sender {
            if !valid_identity(&s) {
                return Err(Failure::usage(identity_message(&s)));
            }
            body["OriginationIdentity"] = Value::from(s);
        }
        body["MessageBody"] = Value::from(text);
        body["MessageType"] = Value::from("TRANSACTIONAL");
        if let Some(c) = &self.configuration_set {
            body["ConfigurationSetName"] = Value::from(c.as_str());
        }
        // An OTP is worthless once it expires: AWS may drop the SMS after that.
        let ttl = otp.ttl.value.as_secs().clamp(TTL_RANGE.0, TTL_RANGE.1);
        body["TimeToLive"] = Value::from(ttl);
        Ok(Plan::Http(call(&self.url, "SendTextMessage", body)))
    }

    fn sign(&self, mut req: Request, stamp: &Stamp) -> Result<Request, Failure> {
        self.signer.sign(&mut req, stamp.at)?;
        Ok(req)
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        match text_at(&v, "MessageId").filter(|s| !s.trim().is_empty()) {
            Some(id) => Ok(Accepted {
                message_id: Some(id.clone()),
                id,
                ..Accepted::default()
            }),
            // The documented error shape in a 2xx is still that error.
            None if error_type(&v).is_some() => Err(self.refusal(reply, &v)),
            None => Err(missing_field(INFO.id, "MessageId", reply)),
        }
    }

    fn balance(&self) -> Option<Request> {
        Some(call(&self.url, "DescribeSpendLimits", json!({})))
    }

    fn balance_reply(&self, reply: &Reply) -> Result<Balance, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        if error_type(&v).is_some() {
            return Err(self.refusal(reply, &v));
        }
        // No balance: AWS bills afterwards. The monthly text spend limit is what stops sends.
        let limit = v
            .get("SpendLimits")
            .and_then(Value::as_array)
            .and_then(|a| {
                a.iter().find(|l| {
                    text_at(l, "Name").as_deref() == Some("TEXT_MESSAGE_MONTHLY_SPEND_LIMIT")
                })
            })
            .and_then(|l| text_at(l, "EnforcedLimit"));
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
    use crate::providers::testing::{self, reply};
    use crate::providers::Body;
    use std::time::{Duration, UNIX_EPOCH};

    const AKID: &str = "AKIDUNITTEST0001";
    const SECRET: &str = "aws-unit-secret/K7MDENG+bPxRfiCY";
    const PIN: &str = "482913";

    fn profile(text: &str) -> Profile {
        testing::profile(&format!("provider = \"aws\"\n{text}"))
    }

    fn keys() -> String {
        format!("access_key_id = \"{AKID}\"\nsecret_access_key = \"{SECRET}\"\nregion = \"eu-west-2\"\n")
    }

    fn provider(extra: &str) -> Box<dyn Provider> {
        build(&profile(&format!("{}{extra}", keys()))).unwrap()
    }

    fn otp() -> Otp {
        let mut o = testing::otp("+447700900123", None, "Your Acme code is {{code}}");
        o.pin = Some(Secret::new(PIN));
        o
    }

    fn request(p: &dyn Provider, o: &Otp) -> Request {
        let Plan::Http(r) = p.send(o).unwrap() else {
            panic!("not HTTP")
        };
        r
    }

    /// 2015-08-30T12:36:00Z, the time of AWS's signing test suite.
    fn suite_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_440_938_160)
    }

    fn suite_signer() -> Signer {
        Signer {
            access_key_id: Secret::new("AKIDEXAMPLE"),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            session_token: None,
            region: "us-east-1".into(),
            service: "service",
        }
    }

    #[test]
    fn sigv4_matches_aws_test_suite_get_vanilla() {
        let added = sign_headers(
            "GET",
            "https://example.amazonaws.com/",
            &[],
            b"",
            &suite_signer(),
            suite_time(),
            aws_sigv4::http_request::SigningSettings::default(),
        )
        .unwrap();
        assert_eq!(
            added,
            vec![
                ("X-Amz-Date".to_string(), "20150830T123600Z".to_string()),
                (
                    "Authorization".to_string(),
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31".to_string()
                ),
            ]
        );
    }

    #[test]
    fn sigv4_matches_aws_test_suite_post_x_www_form_urlencoded() {
        // The suite's vector signs the body hash as x-amz-content-sha256 and the
        // Content-Length header.
        let mut settings = aws_sigv4::http_request::SigningSettings::default();
        settings.payload_checksum_kind = aws_sigv4::http_request::PayloadChecksumKind::XAmzSha256;
        let added = sign_headers(
            "POST",
            "https://example.amazonaws.com/",
            &[
                (
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
                ("Content-Length".into(), "13".into()),
            ],
            b"Param1=value1",
            &suite_signer(),
            suite_time(),
            settings,
        )
        .unwrap();
        let auth = added
            .iter()
            .find(|(k, _)| k == "Authorization")
            .map(|(_, v)| v.as_str())
            .unwrap();
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"
        );
    }

    #[test]
    fn send_request_is_exact_and_signed_at_the_given_time() {
        let p = provider("origination_identity = \"AcmeID\"\nconfiguration_set = \"otp-set\"\n");
        let r = request(p.as_ref(), &otp());
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://sms-voice.eu-west-2.amazonaws.com/");
        assert_eq!(
            r.body,
            Body::Json(json!({
                "DestinationPhoneNumber": "+447700900123",
                "OriginationIdentity": "AcmeID",
                "MessageBody": format!("Your Acme code is {PIN}"),
                "MessageType": "TRANSACTIONAL",
                "ConfigurationSetName": "otp-set",
                "TimeToLive": 300,
            }))
        );
        assert_eq!(r.content_type(), None, "the header below is the one sent");
        let r = p
            .sign(
                r,
                &Stamp {
                    at: suite_time(),
                    nonce: String::new(),
                },
            )
            .unwrap();
        let h = |name: &str| {
            r.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            h("Content-Type").as_deref(),
            Some("application/x-amz-json-1.0")
        );
        assert_eq!(
            h("X-Amz-Target").as_deref(),
            Some("PinpointSMSVoiceV2.SendTextMessage")
        );
        assert_eq!(h("X-Amz-Date").as_deref(), Some("20150830T123600Z"));
        assert_eq!(h("X-Amz-Security-Token"), None);
        let auth = h("Authorization").unwrap();
        // What botocore 1.44.18's SigV4Auth computes for this very request (its body
        // bytes, headers and host) at the same time: the signatures agree.
        assert_eq!(
            auth,
            format!("AWS4-HMAC-SHA256 Credential={AKID}/20150830/eu-west-2/sms-voice/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=1fe0df353732f22bbba828b0fc93cdd2ad34da1d57e4994469e3dd62cf66906e")
        );
        // Masked for people: neither the key ID nor the signature shows.
        let shown = r.render_text();
        assert!(!shown.contains(AKID) && !shown.contains(SECRET), "{shown}");
        assert!(!shown.contains(auth.rsplit('=').next().unwrap()), "{shown}");
        assert!(!shown.contains(PIN), "{shown}");
    }

    #[test]
    fn session_token_travels_as_x_amz_security_token_and_is_signed() {
        let p = provider(
            "origination_identity = \"AcmeID\"\nconfiguration_set = \"otp-set\"\nsession_token = \"FwoGZXIvYXdzEXAMPLETOKEN\"\n",
        );
        let r = request(p.as_ref(), &otp());
        let r = p
            .sign(
                r,
                &Stamp {
                    at: suite_time(),
                    nonce: String::new(),
                },
            )
            .unwrap();
        assert!(r
            .headers
            .iter()
            .any(|(k, v)| k == "X-Amz-Security-Token" && v == "FwoGZXIvYXdzEXAMPLETOKEN"));
        let auth = &r
            .headers
            .iter()
            .find(|(k, _)| k == "Authorization")
            .unwrap()
            .1;
        // botocore signs the token too, and gets the same signature.
        assert_eq!(
            auth,
            &format!("AWS4-HMAC-SHA256 Credential={AKID}/20150830/eu-west-2/sms-voice/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=c3c8cef0bdbe713257c1daf5ea3d8d3d273fd724d4f73032dcb74808dfaed71b")
        );
        assert!(!r.render_text().contains("FwoGZXIvYXdzEXAMPLETOKEN"));
    }

    #[test]
    fn sender_ttl_and_base_url() {
        let p = provider("origination_identity = \"AcmeID\"\nbase_url = \"http://127.0.0.1:9/\"\n");
        let mut o = otp();
        o.sender = Some("+12065550100".into());
        o.ttl = testing::chosen(Duration::from_secs(1));
        let r = request(p.as_ref(), &o);
        assert_eq!(r.url, "http://127.0.0.1:9/");
        let Body::Json(b) = &r.body else { panic!() };
        assert_eq!(b["OriginationIdentity"], "+12065550100");
        assert_eq!(b["TimeToLive"], 5);
        assert!(b.get("ConfigurationSetName").is_none());
        o.ttl = testing::chosen(Duration::from_secs(400_000));
        let Body::Json(b) = request(p.as_ref(), &o).body else {
            panic!()
        };
        assert_eq!(b["TimeToLive"], 259_200);
        o.sender = Some("Acme Corp".into());
        let e = p.send(&o).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.message.contains("Acme Corp"), "{}", e.message);
        // No sender at all: AWS picks one from the account.
        o.sender = None;
        let p = provider("");
        let Body::Json(b) = request(p.as_ref(), &o).body else {
            panic!()
        };
        assert!(b.get("OriginationIdentity").is_none());
    }

    #[test]
    fn long_messages_and_bad_settings_are_refused() {
        let p = provider("");
        let mut o = otp();
        o.template =
            crate::message::Template::parse(&format!("{} {{{{code}}}}", "x".repeat(1600)), 5)
                .unwrap();
        assert_eq!(p.send(&o).unwrap_err().exit_code(), 2);
        for bad in ["region = \"us east 1\"\n", "region = \"https://x\"\n"] {
            let text =
                format!("access_key_id = \"{AKID}\"\nsecret_access_key = \"{SECRET}\"\n{bad}");
            let e = build(&profile(&text)).err().unwrap();
            assert_eq!(e.exit_code(), 3, "{bad}");
            assert!(e.message.contains("region"), "{}", e.message);
        }
        let e = build(&profile(&format!(
            "{}origination_identity = \"a b\"\n",
            keys()
        )))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn receipt() {
        let a = provider("")
            .send_reply(&reply(200, r#"{"MessageId":"0f1c2b3a-msg"}"#))
            .unwrap();
        assert_eq!(a.id, "0f1c2b3a-msg");
        assert_eq!(a.message_id.as_deref(), Some("0f1c2b3a-msg"));
        for body in ["{}", r#"{"MessageId":""}"#] {
            let e = provider("").send_reply(&reply(200, body)).unwrap_err();
            assert_eq!((e.kind, e.exit_code()), (Kind::BadResponse, 6), "{body}");
        }
    }

    #[test]
    fn errors_read_into_causes() {
        let p = provider("");
        for (status, body, kind, code) in [
            (
                400,
                r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
                Kind::RateLimited,
                "ThrottlingException",
            ),
            (
                402,
                r#"{"__type":"ServiceQuotaExceededException","Message":"limit","Reason":"MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT"}"#,
                Kind::InsufficientFunds,
                "ServiceQuotaExceededException",
            ),
            (
                400,
                r#"{"__type":"ServiceQuotaExceededException","message":"quota"}"#,
                Kind::RateLimited,
                "ServiceQuotaExceededException",
            ),
            (
                403,
                r#"{"__type":"AccessDeniedException","message":"User is not authorized"}"#,
                Kind::Auth,
                "AccessDeniedException",
            ),
            (
                400,
                r#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#,
                Kind::Auth,
                "UnrecognizedClientException",
            ),
            (
                403,
                r#"{"__type":"InvalidSignatureException","message":"Signature expired"}"#,
                Kind::Auth,
                "InvalidSignatureException",
            ),
            (
                400,
                r#"{"__type":"com.amazonaws.pinpointsmsvoicev2#ValidationException","message":"bad","Reason":"INVALID_PARAMETER"}"#,
                Kind::InvalidRequest,
                "ValidationException",
            ),
            (
                400,
                r#"{"__type":"ValidationException","message":"x","Reason":"DESTINATION_COUNTRY_BLOCKED"}"#,
                Kind::RouteRefused,
                "ValidationException",
            ),
            (
                400,
                r#"{"__type":"ValidationException","message":"x","Reason":"SENDER_ID_NOT_REGISTERED"}"#,
                Kind::SenderRefused,
                "ValidationException",
            ),
            (
                404,
                r#"{"__type":"ResourceNotFoundException","message":"Pool not found","ResourceType":"pool"}"#,
                Kind::SenderRefused,
                "ResourceNotFoundException",
            ),
            (
                400,
                r#"{"__type":"ConflictException","message":"opted out","Reason":"DESTINATION_PHONE_NUMBER_OPTED_OUT"}"#,
                Kind::Blocked,
                "ConflictException",
            ),
            (
                400,
                r#"{"__type":"ConflictException","message":"sandbox","Reason":"DESTINATION_PHONE_NUMBER_NOT_VERIFIED"}"#,
                Kind::RouteRefused,
                "ConflictException",
            ),
            (
                200,
                r#"{"__type":"ValidationException","message":"bad"}"#,
                Kind::InvalidRequest,
                "ValidationException",
            ),
            (
                400,
                r#"{"__type":"SomethingNew","message":"?"}"#,
                Kind::InvalidRequest,
                "SomethingNew",
            ),
        ] {
            let e = p.send_reply(&reply(status, body)).unwrap_err();
            assert_eq!((e.kind, e.outcome), (kind, Outcome::Rejected), "{body}");
            assert_eq!(e.provider_code.as_deref(), Some(code), "{body}");
            assert_eq!(e.exit_code(), 4, "{body}");
        }
        let e = p
            .send_reply(&reply(
                500,
                r#"{"__type":"InternalServerException","message":"oops"}"#,
            ))
            .unwrap_err();
        assert_eq!(e.exit_code(), 6);
        let e = p
            .send_reply(&reply(
                403,
                r#"{"__type":"AccessDeniedException","message":"no"}"#,
            ))
            .unwrap_err();
        assert!(e.hint.unwrap().contains("access_key_id"));
    }

    #[test]
    fn online_check_is_describe_spend_limits() {
        let p = provider("");
        let r = p.balance().unwrap();
        assert!(r
            .headers
            .iter()
            .any(|(k, v)| k == "X-Amz-Target" && v == "PinpointSMSVoiceV2.DescribeSpendLimits"));
        assert_eq!(r.body, Body::Json(json!({})));
        let b = p
            .balance_reply(&reply(200, r#"{"SpendLimits":[{"Name":"TEXT_MESSAGE_MONTHLY_SPEND_LIMIT","EnforcedLimit":1,"MaxLimit":1,"Overridden":false}]}"#))
            .unwrap();
        assert_eq!((b.amount, b.currency), (None, None));
        assert_eq!(b.note.as_deref(), Some("monthly SMS spend limit 1 USD"));
        let e = p
            .balance_reply(&reply(
                400,
                r#"{"__type":"UnrecognizedClientException","message":"bad token"}"#,
            ))
            .unwrap_err();
        assert_eq!(e.kind, Kind::Auth);
    }

    #[test]
    fn verify_is_local() {
        let p = provider("");
        assert!(p.verify("m-1", &Secret::new("123456")).is_err());
        assert!(p.status("m-1").is_none() && p.cancel("m-1").is_none());
    }
}
