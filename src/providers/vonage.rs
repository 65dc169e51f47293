//! Vonage Verify v2: `POST /v2/verify` makes, sends and keeps the code, `POST
//! /v2/verify/{request_id}` checks it, `DELETE` on that path cancels it. Auth is HTTP
//! Basic `api_key:api_secret`, or an RS256 JWT signed with an application's private key.

use super::Stamp;
use super::{
    http_failure, is_success, missing_field, path_segment, reply_json, snippet, text_at,
    vendor_message, Accepted, Balance, Channel, Info, Key, KeyType, LengthRule, Method, Otp, PinBy,
    Plan, Provider, Reply, Request, TtlRule, VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind, Reason};
use crate::message::PinType;
use crate::redact::{self, Secret};
use base64::Engine as _;
use serde_json::{json, Map, Value};

const DEFAULT_BASE: &str = "https://api.nexmo.com";
/// The Account API lives on another host than Verify.
const BALANCE_URL: &str = "https://rest.nexmo.com/account/get-balance";
/// How long a signed JWT is good for: one run's requests start within seconds of build.
const JWT_LIFETIME_SECS: u64 = 300;

pub static INFO: Info = Info {
    id: "vonage",
    aliases: &[],
    name: "Vonage Verify v2",
    about: "Vonage Verify v2; Vonage makes, sends and verifies the code and writes the message itself (cancel)",
    pin_by: PinBy::Provider,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms, Channel::Whatsapp, Channel::Voice],
    pin_types: &[PinType::Numeric],
    length: LengthRule::Range(4, 10),
    ttl: TtlRule::Seconds(15, 900),
    attempts: None,
    callback: false,
    default_base_url: Some(DEFAULT_BASE),
    keys: &[
        Key::new(
            "api_key",
            KeyType::Secret,
            "Vonage API key (HTTP Basic, with api_secret); this pair or application_id + private_key",
        ),
        Key::new("api_secret", KeyType::Secret, "Vonage API secret (HTTP Basic, with api_key)"),
        Key::new(
            "application_id",
            KeyType::Str,
            "Vonage application id (JWT auth, with private_key)",
        ),
        Key::new(
            "private_key",
            KeyType::Secret,
            "the application's RSA private key: a PEM file path, or a secret holding the PEM or its path",
        ),
        Key::new("locale", KeyType::Str, "language of Vonage's message, e.g. en-us, fr-fr"),
        Key::new(
            "whatsapp_from",
            KeyType::Str,
            "the WhatsApp Business number Vonage sends from (--channel whatsapp)",
        ),
        Key::new(
            "sender",
            KeyType::Str,
            "the brand Vonage writes into its message, 1 to 16 characters",
        )
        .required(),
    ],
    example: "provider = \"vonage\"\n\
              api_key = { env = \"VONAGE_API_KEY\" }\n\
              api_secret = { env = \"VONAGE_API_SECRET\" }\n\
              # or an application's JWT instead of the key pair:\n\
              # application_id = \"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee\"\n\
              # private_key = \"vonage-private.key\"     # PEM file, relative to this file\n\
              sender = \"Acme\"                          # the brand in Vonage's message, 1-16 characters; required\n",
    credentials_hint: "the API key and secret are on the Vonage dashboard's home page; an application's id and private key under Applications",
    decided_at: Some("the Vonage dashboard"),
    writes_message: true,
    takes_sender: true,
    build,
};

enum Auth {
    /// The whole `Authorization` value `Basic base64(key:secret)` (`redact::basic_auth`).
    Basic(Secret),
    /// An application's key pair: each request gets a JWT signed at the time the app
    /// passes to `sign` (the adapter reads no clock).
    Jwt {
        application_id: String,
        key: Box<ring::rsa::KeyPair>,
    },
}

struct Vonage {
    base: String,
    auth: Auth,
    locale: Option<String>,
    whatsapp_from: Option<String>,
    /// The profile, named in a refusal of a setting it lacks.
    label: String,
}

fn build(profile: &Profile) -> Result<Box<dyn Provider>, Failure> {
    if let Some(brand) = profile.str("sender") {
        if let Err(m) = check_brand(brand.trim()) {
            return Err(profile.bad_value("sender", m));
        }
    }
    let auth = auth(profile)?;
    let base = profile.base_url()?;
    let text = |k: &str| {
        profile
            .text(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    Ok(Box::new(Vonage {
        base,
        auth,
        locale: text("locale"),
        whatsapp_from: text("whatsapp_from").map(|n| n.trim_start_matches('+').to_string()),
        label: profile.label(),
    }))
}

/// Exactly one complete credential pair: Basic, or an application's JWT.
fn auth(profile: &Profile) -> Result<Auth, Failure> {
    let key = profile.secret("api_key")?;
    let secret = profile.secret("api_secret")?;
    let app_id = profile
        .text("application_id")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let has_pem = profile.entry("private_key").is_some();
    let basic_done = key.is_some() && secret.is_some();
    let app_done = app_id.is_some() && has_pem;
    if basic_done && app_done {
        return Err(Failure::config(format!(
            "{} sets both vonage credential pairs (api_key + api_secret and application_id + private_key); otp uses exactly one",
            profile.label()
        ))
        .hint("remove one pair: api_key + api_secret for HTTP Basic, or application_id + private_key for an application's JWT"));
    }
    if let (Some(k), Some(s)) = (&key, &secret) {
        return Ok(Auth::Basic(redact::basic_auth(k.expose(), s)));
    }
    if let Some(app_id) = app_id.as_deref().filter(|_| has_pem) {
        return Ok(Auth::Jwt {
            application_id: app_id.to_string(),
            key: Box::new(private_key(profile)?),
        });
    }
    // Name the key the user is missing: the other half of a started pair, else all four.
    let missing = match (key.is_some(), secret.is_some(), app_id.is_some(), has_pem) {
        (true, false, _, _) => Some("api_secret"),
        (false, true, _, _) => Some("api_key"),
        (_, _, true, false) => Some("private_key"),
        (_, _, false, true) => Some("application_id"),
        _ => None,
    };
    if let Some(k) = missing {
        return Err(profile.missing(k));
    }
    let f = profile.missing("api_key");
    let hint = format!(
        "{}; or set application_id and private_key (a PEM file) to use an application's JWT",
        f.hint.clone().unwrap_or_default()
    );
    let message = if profile.foreign_from.is_some() {
        f.message.clone()
    } else {
        format!(
            "vonage needs `api_key` and `api_secret`, or `application_id` and `private_key`, and {} sets neither pair",
            profile.label()
        )
    };
    let mut f = f.hint(hint);
    f.message = message;
    Err(f)
}

/// The application's key pair. `private_key` is a PEM file path, or a secret (env,
/// file, command) holding the PEM itself or a path to it; config reads the file, bounded
/// like every secret source. Nothing of the key is echoed.
fn private_key(profile: &Profile) -> Result<ring::rsa::KeyPair, Failure> {
    let pem = profile
        .secret_material("private_key", "-----BEGIN")?
        .ok_or_else(|| profile.missing("private_key"))?;
    parse_pem(pem.expose().as_bytes()).map_err(|why| {
        profile
            .bad_value(
                "private_key",
                format!("private_key is not a usable RSA private key ({why})"),
            )
            .hint("use the private.key file Vonage gave when the application was created: PEM, PKCS#8 \"PRIVATE KEY\" or PKCS#1 \"RSA PRIVATE KEY\"")
    })
}

/// An RSA key pair from PEM; the error names the problem, never the content.
fn parse_pem(pem: &[u8]) -> Result<ring::rsa::KeyPair, String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::PrivateKeyDer;
    let der = PrivateKeyDer::from_pem_slice(pem)
        .map_err(|_| "no PEM \"PRIVATE KEY\" or \"RSA PRIVATE KEY\" section".to_string())?;
    let pair = match &der {
        PrivateKeyDer::Pkcs8(k) => ring::rsa::KeyPair::from_pkcs8(k.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(k) => ring::rsa::KeyPair::from_der(k.secret_pkcs1_der()),
        _ => return Err("an EC key; Vonage applications use RSA".into()),
    };
    pair.map_err(|e| format!("rejected: {e}"))
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An RS256 JWT for the application, registered with the redactor: it opens the account
/// until it expires, so it is masked like any key.
fn jwt(
    application_id: &str,
    key: &ring::rsa::KeyPair,
    iat: u64,
    jti: &str,
) -> Result<Secret, Failure> {
    let header = b64url(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = json!({
        "application_id": application_id,
        "iat": iat,
        "jti": jti,
        "exp": iat + JWT_LIFETIME_SECS,
    });
    let input = format!("{header}.{}", b64url(claims.to_string().as_bytes()));
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| Failure::config("vonage: the private key could not sign the JWT"))?;
    Ok(Secret::new(format!("{input}.{}", b64url(&sig))))
}

fn check_brand(brand: &str) -> Result<(), String> {
    let n = brand.chars().count();
    if (1..=16).contains(&n) {
        Ok(())
    } else {
        Err(format!(
            "vonage takes a brand (sender) of 1 to 16 characters, not \"{}\" ({n})",
            redact::strip_controls(brand)
        ))
    }
}

/// An RFC 7807 problem's words: `title: detail`, or whatever message field there is.
fn problem_message(v: &Value) -> Option<String> {
    let title = text_at(v, "title").filter(|s| !s.trim().is_empty());
    let detail = text_at(v, "detail").filter(|s| !s.trim().is_empty());
    match (title, detail) {
        (Some(t), Some(d)) if d.contains(&t) => Some(d),
        (Some(t), Some(d)) => Some(format!("{t}: {d}")),
        (Some(t), None) => Some(t),
        (None, Some(d)) => Some(d),
        (None, None) => vendor_message(v),
    }
}

/// The problem `type` as a short code: the fragment or last segment of its URL.
fn problem_code(v: &Value) -> Option<String> {
    let ty = text_at(v, "type")?;
    let short = ty
        .rsplit(['#', '/'])
        .find(|s| !s.is_empty())
        .unwrap_or(&ty)
        .to_string();
    Some(short).filter(|s| !s.trim().is_empty())
}

fn is_problem(v: &Value) -> bool {
    ["title", "detail", "type"]
        .iter()
        .any(|k| v.get(*k).is_some_and(|x| !x.is_null()))
}

impl Vonage {
    /// A request with Basic credentials; an application's JWT is added by `sign`.
    fn request(&self, method: Method, path: &str) -> Request {
        let req = Request::new(method, format!("{}{path}", self.base));
        match &self.auth {
            Auth::Basic(b) => req.header("Authorization", b.expose()),
            Auth::Jwt { .. } => req,
        }
    }

    /// `--channel whatsapp` with no `whatsapp_from`: Vonage's WhatsApp workflow sends
    /// only from the business's own number, and answers 422 without one.
    fn whatsapp_from_missing(&self) -> Failure {
        Failure::config(format!(
            "vonage's WhatsApp workflow needs `whatsapp_from` (your WhatsApp Business number), and {} does not set it",
            self.label
        ))
        .hint(format!(
            "set whatsapp_from = \"+447700900000\" (your WhatsApp Business Account number) in the profile, or export {}; or send with --channel sms",
            crate::config::env_name("whatsapp_from")
        ))
    }

    fn verify_path(id: &str) -> String {
        format!("/v2/verify/{}", path_segment(id))
    }
}

impl Provider for Vonage {
    fn info(&self) -> &'static Info {
        &INFO
    }

    /// An application's JWT, minted for this request at the app's time (`iat`) with its
    /// nonce (`jti`); a request signed before loses its old token.
    fn sign(&self, mut req: Request, stamp: &Stamp) -> Result<Request, Failure> {
        let Auth::Jwt {
            application_id,
            key,
        } = &self.auth
        else {
            return Ok(req);
        };
        let iat = stamp
            .at
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let token = jwt(application_id, key, iat, &stamp.nonce)?;
        req.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
        Ok(req.header("Authorization", format!("Bearer {}", token.expose())))
    }

    /// Vonage's errors are RFC 7807 problems (`type`, `title`, `detail`): the HTTP
    /// status names the cause, except 409, a verification still open for the number
    /// (on a send) or in a step that takes no code (on a check): it clears by itself,
    /// so it is a rate limit (retryable), not a bad request.
    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        let kind = (reply.status == 409).then_some(Kind::RateLimited);
        http_failure(INFO.id, reply, kind, problem_message(v), problem_code(v))
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        // The text is the vendor's: a chosen one would be dropped, so it is refused.
        if otp.message_chosen {
            return Err(Failure::usage(
                "vonage writes the message itself, so --message, --lang, --webotp-domain or `message` cannot be used",
            )
            .hint("Vonage writes the message itself (your sender is the brand in it); remove the message from the command or the profile"));
        }
        let brand = otp.sender().ok_or_else(|| {
            Failure::config("vonage needs a brand (the sender), and none is set").hint(
                "set sender = \"YourBrand\" in the profile (or pass --sender): Vonage writes it into its message, 1 to 16 characters",
            )
        })?;
        check_brand(brand).map_err(Failure::usage)?;
        let mut step = Map::new();
        step.insert("channel".into(), json!(otp.channel.as_str()));
        step.insert("to".into(), json!(otp.to.digits()));
        if otp.channel == Channel::Whatsapp {
            // Vonage requires `from` on the WhatsApp workflow: the business's own number.
            let Some(from) = &self.whatsapp_from else {
                return Err(self.whatsapp_from_missing());
            };
            step.insert("from".into(), json!(from));
        }
        let mut body = Map::new();
        body.insert("brand".into(), json!(brand));
        body.insert("workflow".into(), json!([Value::Object(step)]));
        // Always sent: Vonage's own default is 4 digits, below the 6 otp defaults to
        // (NIST SP 800-63B); a chosen length was range-checked by the app.
        body.insert("code_length".into(), json!(otp.length.value));
        // Vonage's default is 300 s, the same as otp's: only a chosen ttl is sent.
        if otp.ttl.explicit {
            body.insert("channel_timeout".into(), json!(otp.ttl.value.as_secs()));
        }
        if let Some(l) = &self.locale {
            body.insert("locale".into(), json!(l));
        }
        Ok(Plan::Http(
            self.request(Method::Post, "/v2/verify")
                .json(Value::Object(body)),
        ))
    }

    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if reply.status == 409 {
            // Vonage allows one open verification per number.
            let earlier = text_at(&v, "request_id")
                .filter(|s| !s.trim().is_empty())
                .map(|id| redact::vendor_text(&id));
            let cancel = match earlier {
                Some(id) => format!("`otp cancel --id {id}`"),
                None => "`otp cancel --id` the earlier send's id".into(),
            };
            return Err(self.refusal(reply, &v).hint(format!(
                "a verification to this number is still open at vonage: wait until it expires (channel_timeout, 300s by default), or {cancel}, then send again"
            )));
        }
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let Some(id) = text_at(&v, "request_id").filter(|s| !s.trim().is_empty()) else {
            // A problem document passed on with a 2xx: a rejection, read like any.
            if is_problem(&v) {
                return Err(self.refusal(reply, &v));
            }
            return Err(missing_field(INFO.id, "request_id", reply));
        };
        Ok(Accepted {
            id,
            ..Accepted::default()
        })
    }

    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        Ok(self
            .request(Method::Post, &Self::verify_path(id))
            .json(json!({ "code": code.expose() })))
    }

    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let v = reply_json(INFO.id, reply)?;
        let said = || {
            problem_message(&v)
                .map(|m| format!(" ({})", redact::vendor_text(&m)))
                .unwrap_or_default()
        };
        let verdict = |reason, what: &str| {
            Failure::not_verified(reason, format!("{what}{}", said()))
                .status(reply.status)
                .code(problem_code(&v))
        };
        match reply.status {
            s if is_success(s) => {
                let status = text_at(&v, "status").unwrap_or_default();
                if status.eq_ignore_ascii_case("completed") {
                    return Ok(());
                }
                Err(Failure::unknown(
                    Kind::BadResponse,
                    format!(
                        "vonage answered HTTP {s} with status \"{}\" instead of completed; otp cannot tell whether the code is right",
                        redact::vendor_text(&status)
                    ),
                )
                .status(s)
                .detail(snippet(reply)))
            }
            400 if problem_message(&v)
                .is_some_and(|m| m.to_ascii_lowercase().contains("invalid code")) =>
            {
                Err(verdict(Reason::WrongCode, "wrong code"))
            }
            410 => Err(verdict(
                Reason::AttemptsExhausted,
                "vonage ended this verification after too many wrong codes; send a new one",
            )),
            // Gone after success, expiry or cancel: Vonage does not say which.
            404 => Err(verdict(
                Reason::Expired,
                "vonage no longer knows this verification (completed, expired or cancelled)",
            )
            .ask_record()),
            _ => Err(self.refusal(reply, &v)),
        }
    }

    fn cancel(&self, id: &str) -> Option<Request> {
        Some(self.request(Method::Delete, &Self::verify_path(id)))
    }

    fn cancel_reply(&self, reply: &Reply) -> Result<(), Failure> {
        if is_success(reply.status) {
            return Ok(());
        }
        let v = reply_json(INFO.id, reply)?;
        Err(self.refusal(reply, &v))
    }

    /// Only Basic credentials reach the Account API; a JWT-only profile has no
    /// cost-free check. A custom base_url (a proxy, or the tests' mock) serves the
    /// balance too, so a request never leaves for a host the profile did not name.
    fn balance(&self) -> Option<Request> {
        let Auth::Basic(_) = &self.auth else {
            return None;
        };
        let url = if self.base == DEFAULT_BASE {
            BALANCE_URL.to_string()
        } else {
            format!("{}/account/get-balance", self.base)
        };
        let Auth::Basic(b) = &self.auth else {
            return None;
        };
        Some(Request::new(Method::Get, url).header("Authorization", b.expose()))
    }

    /// `{"value": 10.28, "autoReload": false}`. The reply names no currency, so none is
    /// claimed.
    fn balance_reply(&self, reply: &Reply) -> Result<Balance, Failure> {
        let v = reply_json(INFO.id, reply)?;
        if !is_success(reply.status) {
            return Err(self.refusal(reply, &v));
        }
        let amount = match v.get("value") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        Ok(Balance {
            amount: amount.filter(|a| a.is_finite()),
            currency: None,
            note: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, chosen, reply};
    use crate::providers::Body;
    use std::time::Duration;

    const KEY: &str = "vonage-unit-key-4e1a";
    const SECRET: &str = "vonage-unit-secret-9b77";
    const APP: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
    const PKCS8: &str = include_str!("../../tests/fixtures/vonage-TEST-ONLY-private-key.pkcs8.pem");
    const PKCS1: &str = include_str!("../../tests/fixtures/vonage-TEST-ONLY-private-key.pkcs1.pem");
    const PUBLIC: &str = include_str!("../../tests/fixtures/vonage-TEST-ONLY-public-key.pkcs1.pem");

    fn fixture(name: &str) -> String {
        format!(
            "{}/tests/fixtures/vonage-TEST-ONLY-private-key.{name}.pem",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    fn provider(creds: &str) -> Result<Box<dyn Provider>, Failure> {
        build(&testing::profile(&format!(
            "provider = \"vonage\"\nbase_url = \"https://api.example.com\"\n{creds}"
        )))
    }

    fn basic() -> Box<dyn Provider> {
        provider(&format!("api_key = \"{KEY}\"\napi_secret = \"{SECRET}\"\n")).unwrap()
    }

    fn otp() -> Otp {
        testing::otp("+447700900001", Some("Acme"), "Your code is {{code}}")
    }

    fn http(plan: Plan) -> Request {
        match plan {
            Plan::Http(r) => r,
            other => panic!("not HTTP: {other:?}"),
        }
    }

    fn json_body(r: &Request) -> Value {
        match &r.body {
            Body::Json(v) => v.clone(),
            other => panic!("not JSON: {other:?}"),
        }
    }

    #[test]
    fn a_chosen_message_is_refused_not_dropped() {
        let mut o = otp();
        o.message_chosen = true;
        let e = basic().send(&o).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.message.contains("writes the message itself"),
            "{}",
            e.message
        );
    }

    fn basic_header() -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"))
        )
    }

    #[test]
    fn send_request_is_exact() {
        let r = http(basic().send(&otp()).unwrap());
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://api.example.com/v2/verify");
        assert_eq!(
            r.headers,
            vec![("Authorization".to_string(), basic_header())]
        );
        assert_eq!(
            json_body(&r),
            json!({
                "brand": "Acme",
                "workflow": [{"channel": "sms", "to": "447700900001"}],
                "code_length": 6,
            })
        );
    }

    #[test]
    fn chosen_values_channels_and_locale() {
        let p = provider(&format!(
            "api_key = \"{KEY}\"\napi_secret = \"{SECRET}\"\nlocale = \"fr-fr\"\nwhatsapp_from = \"+447700900000\"\n"
        ))
        .unwrap();
        let mut o = otp();
        o.length = chosen(8);
        o.ttl = chosen(Duration::from_secs(900));
        o.channel = Channel::Whatsapp;
        assert_eq!(
            json_body(&http(p.send(&o).unwrap())),
            json!({
                "brand": "Acme",
                "workflow": [{"channel": "whatsapp", "to": "447700900001", "from": "447700900000"}],
                "code_length": 8,
                "channel_timeout": 900,
                "locale": "fr-fr",
            })
        );
        o.channel = Channel::Voice;
        let v = json_body(&http(p.send(&o).unwrap()));
        assert_eq!(
            v["workflow"],
            json!([{"channel": "voice", "to": "447700900001"}])
        );
    }

    /// Vonage's python SDK makes `from` required on the WhatsApp workflow
    /// (`WhatsappChannel.from_ = Field(...)`), and its maintainers say "from is now
    /// mandatory as you must use your own WABA" (vonage-php-sdk-core#467). Without
    /// `whatsapp_from` the send is refused before any request, naming the key.
    #[test]
    fn whatsapp_without_whatsapp_from_is_refused_naming_the_key() {
        let mut o = otp();
        o.channel = Channel::Whatsapp;
        let e = basic().send(&o).unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::Config, 3));
        assert!(e.message.contains("`whatsapp_from`"), "{}", e.message);
        assert!(e.message.contains("profile \"t\""), "{}", e.message);
        let hint = e.hint.unwrap();
        assert!(
            hint.contains("OTP_WHATSAPP_FROM") && hint.contains("--channel sms"),
            "{hint}"
        );
        // SMS and voice need no sender number.
        for channel in [Channel::Sms, Channel::Voice] {
            o.channel = channel;
            assert!(basic().send(&o).is_ok(), "{channel:?}");
        }
    }

    #[test]
    fn brand_is_required_and_1_to_16_characters() {
        let mut o = otp();
        o.sender = None;
        let e = basic().send(&o).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("brand"), "{}", e.message);
        assert!(e.hint.unwrap().contains("sender"));
        for (s, ok) in [
            ("A", true),
            ("ABCDEFGHIJKLMNOP", true),
            ("ABCDEFGHIJKLMNOPQ", false),
        ] {
            o.sender = Some(s.into());
            let r = basic().send(&o);
            assert_eq!(r.is_ok(), ok, "{s}");
            if let Err(e) = r {
                assert_eq!(e.exit_code(), 2);
                assert!(e.message.contains("1 to 16"), "{}", e.message);
            }
        }
        // A profile's own brand is checked when the adapter is built (config check).
        let e = provider(&format!(
            "api_key = \"{KEY}\"\napi_secret = \"{SECRET}\"\nsender = \"ABCDEFGHIJKLMNOPQ\"\n"
        ))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn exactly_one_credential_pair() {
        let pem = fixture("pkcs8");
        let e = provider("").err().unwrap();
        assert_eq!(e.exit_code(), 3);
        for k in ["api_key", "api_secret", "application_id", "private_key"] {
            assert!(e.message.contains(k), "{}", e.message);
        }
        assert!(e.hint.unwrap().contains("application_id"));
        let e = provider(&format!("api_key = \"{KEY}\"\n")).err().unwrap();
        assert!(e.message.contains("`api_secret`"), "{}", e.message);
        let e = provider(&format!("application_id = \"{APP}\"\n"))
            .err()
            .unwrap();
        assert!(e.message.contains("`private_key`"), "{}", e.message);
        let e = provider(&format!("private_key = \"{pem}\"\n"))
            .err()
            .unwrap();
        assert!(e.message.contains("`application_id`"), "{}", e.message);
        let e = provider(&format!(
            "api_key = \"{KEY}\"\napi_secret = \"{SECRET}\"\napplication_id = \"{APP}\"\nprivate_key = \"{pem}\"\n"
        ))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("both"), "{}", e.message);
    }

    /// Decode a JWT part.
    fn part(s: &str) -> Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .unwrap(),
        )
        .unwrap()
    }

    fn public_key_der() -> Vec<u8> {
        let body: String = PUBLIC.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    }

    /// The time and nonce the tests sign at: 2026-11-22T08:30:00Z.
    const IAT: u64 = 1_795_336_200;

    fn stamp() -> Stamp {
        Stamp {
            at: std::time::UNIX_EPOCH + std::time::Duration::from_secs(IAT),
            nonce: "nonce-1".into(),
        }
    }

    fn bearer(p: &dyn Provider) -> String {
        let r = p.verify("req-1", &Secret::new("123456")).unwrap();
        let r = p.sign(r, &stamp()).unwrap();
        let (name, value) = &r.headers[0];
        assert_eq!(name, "Authorization");
        value
            .strip_prefix("Bearer ")
            .unwrap_or_else(|| panic!("{value}"))
            .to_string()
    }

    #[test]
    fn jwt_is_rs256_signed_by_the_application_key() {
        for form in ["pkcs8", "pkcs1"] {
            let p = provider(&format!(
                "application_id = \"{APP}\"\nprivate_key = \"{}\"\n",
                fixture(form)
            ))
            .unwrap();
            let token = bearer(p.as_ref());
            let parts: Vec<&str> = token.split('.').collect();
            assert_eq!(parts.len(), 3, "{form}");
            assert_eq!(part(parts[0]), json!({"alg": "RS256", "typ": "JWT"}));
            let claims = part(parts[1]);
            assert_eq!(claims["application_id"], APP);
            let iat = claims["iat"].as_u64().unwrap();
            assert_eq!(claims["exp"].as_u64().unwrap(), iat + JWT_LIFETIME_SECS);
            // Signed at the time and with the nonce the app passed in.
            assert_eq!(iat, IAT);
            assert_eq!(claims["jti"], "nonce-1");
            let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(parts[2])
                .unwrap();
            let key = ring::signature::UnparsedPublicKey::new(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                public_key_der(),
            );
            let input = format!("{}.{}", parts[0], parts[1]);
            key.verify(input.as_bytes(), &sig)
                .unwrap_or_else(|_| panic!("{form}: signature does not verify"));
            // Tampered claims do not verify.
            assert!(key.verify(format!("{input}x").as_bytes(), &sig).is_err());
            // The token is a registered secret: masked wherever it is printed.
            assert_eq!(redact::scrub(&format!("t={token}")), "t=***");
        }
        // Each request gets its own token: the app's nonce is its jti, and a request
        // signed again loses its old token.
        let p = provider(&format!(
            "application_id = \"{APP}\"\nprivate_key = \"{}\"\n",
            fixture("pkcs8")
        ))
        .unwrap();
        let r = p.verify("req-1", &Secret::new("123456")).unwrap();
        let once = p.sign(r, &stamp()).unwrap();
        let other = Stamp {
            nonce: "nonce-2".into(),
            ..stamp()
        };
        let twice = p.sign(once, &other).unwrap();
        let auth: Vec<&String> = twice
            .headers
            .iter()
            .filter(|(k, _)| k == "Authorization")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(auth.len(), 1);
        let token = auth[0].strip_prefix("Bearer ").unwrap();
        assert_eq!(part(token.split('.').nth(1).unwrap())["jti"], "nonce-2");
    }

    #[test]
    fn pem_from_a_secret_and_bad_pems() {
        assert!(parse_pem(PKCS8.as_bytes()).is_ok());
        assert!(parse_pem(PKCS1.as_bytes()).is_ok());
        // A PEM in an env var (the CI way), or a path in one.
        let var = "OTP_VONAGE_UNIT_PEM";
        std::env::set_var(var, PKCS8);
        let p = provider(&format!(
            "application_id = \"{APP}\"\nprivate_key = {{ env = \"{var}\" }}\n"
        ));
        assert!(p.is_ok(), "{:?}", p.err().map(|e| e.message));
        let var2 = "OTP_VONAGE_UNIT_PEM_PATH";
        std::env::set_var(var2, fixture("pkcs1"));
        assert!(provider(&format!(
            "application_id = \"{APP}\"\nprivate_key = {{ env = \"{var2}\" }}\n"
        ))
        .is_ok());

        let dir = tempfile::tempdir().unwrap();
        // The middle of a real key: never echoed back.
        let inner: String = PKCS8.lines().nth(5).unwrap().to_string();
        for (name, text) in [
            (
                "garbage",
                format!("-----BEGIN PRIVATE KEY-----\n{inner}\n-----END PRIVATE KEY-----\n"),
            ),
            ("public", PUBLIC.to_string()),
            ("empty", "not a key\n".to_string()),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, &text).unwrap();
            let e = provider(&format!(
                "application_id = \"{APP}\"\nprivate_key = \"{}\"\n",
                path.display()
            ))
            .err()
            .unwrap_or_else(|| panic!("{name} accepted"));
            assert_eq!(e.exit_code(), 3, "{name}");
            let all = format!("{} {}", e.message, e.hint.clone().unwrap_or_default());
            assert!(all.contains("private_key"), "{name}: {all}");
            assert!(!all.contains(&inner), "{name}: key material echoed");
        }
        let e = provider(&format!(
            "application_id = \"{APP}\"\nprivate_key = \"/nonexistent/vonage.key\"\n"
        ))
        .err()
        .unwrap();
        assert_eq!(e.exit_code(), 3);
        assert!(
            e.message.contains("/nonexistent/vonage.key"),
            "{}",
            e.message
        );
        let e = provider(&format!(
            "application_id = \"{APP}\"\nprivate_key = \"{}\"\n",
            dir.path().display()
        ))
        .err()
        .unwrap();
        assert!(e.message.contains("not a regular file"), "{}", e.message);
    }

    #[test]
    fn accepted_with_request_id() {
        let a = basic()
            .send_reply(&reply(
                202,
                r#"{"request_id":"c11236f4-00bf-4b89-84ba-88b25df97315"}"#,
            ))
            .unwrap();
        assert_eq!(a.id, "c11236f4-00bf-4b89-84ba-88b25df97315");
        assert_eq!((a.message_id, a.expires_at, a.cost), (None, None, None));
    }

    #[test]
    fn send_errors_map_to_kinds() {
        let problem = |title: &str, detail: &str, ty: &str| {
            json!({"title": title, "detail": detail, "type": format!("https://developer.vonage.com/api-errors#{ty}"), "instance": "bf0ca0bf927b3b52e3cb03217e1a1ddf"}).to_string()
        };
        for (status, body, kind, code) in [
            (
                401,
                problem(
                    "Unauthorized",
                    "You did not provide correct credentials.",
                    "unauthorized",
                ),
                Kind::Auth,
                "unauthorized",
            ),
            (
                402,
                problem(
                    "Low balance",
                    "This request could not be performed due to your account balance being low.",
                    "low-balance",
                ),
                Kind::InsufficientFunds,
                "low-balance",
            ),
            (
                422,
                problem(
                    "Invalid params",
                    "The value of one or more parameters is invalid.",
                    "invalid-params",
                ),
                Kind::InvalidRequest,
                "invalid-params",
            ),
            (
                429,
                problem(
                    "Rate Limit Hit",
                    "Please wait, then retry your request",
                    "rate-limit",
                ),
                Kind::RateLimited,
                "rate-limit",
            ),
            (
                200,
                problem(
                    "Invalid params",
                    "The value of one or more parameters is invalid.",
                    "invalid-params",
                ),
                Kind::InvalidRequest,
                "invalid-params",
            ),
        ] {
            let e = basic().send_reply(&reply(status, &body)).unwrap_err();
            assert_eq!((e.kind, e.outcome), (kind, Outcome::Rejected), "{body}");
            assert_eq!(e.provider_code.as_deref(), Some(code));
            assert_eq!(e.http_status, Some(status));
        }
        let e = basic()
            .send_reply(&reply(
                401,
                &problem(
                    "Unauthorized",
                    "You did not provide correct credentials.",
                    "unauthorized",
                ),
            ))
            .unwrap_err();
        assert!(
            e.message
                .contains("Unauthorized: You did not provide correct credentials."),
            "{}",
            e.message
        );

        // 409: a verification to that number is open. Retryable, with a way out.
        let e = basic()
            .send_reply(&reply(409, r#"{"title":"Conflict","detail":"Concurrent verifications to the same number are not allowed.","type":"https://developer.vonage.com/api-errors/verify#conflict","request_id":"c11236f4-00bf-4b89-84ba-88b25df97315"}"#))
            .unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::RateLimited, 4));
        assert!(e.retryable());
        let hint = e.hint.unwrap();
        assert!(
            hint.contains("otp cancel --id c11236f4-00bf-4b89-84ba-88b25df97315"),
            "{hint}"
        );
        let e = basic()
            .send_reply(&reply(409, r#"{"title":"Conflict"}"#))
            .unwrap_err();
        assert!(e.hint.unwrap().contains("otp cancel"));

        for (status, body) in [(202, "{}"), (500, r#"{"title":"Internal Error"}"#)] {
            let e = basic().send_reply(&reply(status, body)).unwrap_err();
            assert_eq!(e.exit_code(), 6, "{status} {body}");
        }
    }

    #[test]
    fn verify_and_cancel_requests() {
        let p = basic();
        let r = p.verify("c112/36", &Secret::new("1234")).unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Post, "https://api.example.com/v2/verify/c112%2F36")
        );
        assert_eq!(r.body, Body::Json(json!({"code": "1234"})));
        assert_eq!(
            r.headers,
            vec![("Authorization".to_string(), basic_header())]
        );
        let r = p.cancel("c11236f4").unwrap();
        assert_eq!(
            (r.method, r.url.as_str(), &r.body),
            (
                Method::Delete,
                "https://api.example.com/v2/verify/c11236f4",
                &Body::Empty
            )
        );
        assert!(p.status("c11236f4").is_none(), "vonage has no status call");
        assert!(p
            .cancel_reply(&Reply {
                status: 204,
                content_type: None,
                body: vec![],
                retry_after: None,
            })
            .is_ok());
        let e = p
            .cancel_reply(&reply(404, r#"{"title":"Not Found","detail":"Request 'c11236f4' was not found or it has been verified already."}"#))
            .unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::NotFound, 4));
    }

    #[test]
    fn verify_verdicts() {
        let p = basic();
        assert!(p
            .verify_reply(&reply(200, r#"{"request_id":"c1","status":"completed"}"#))
            .is_ok());
        let no = |status, body: &str| p.verify_reply(&reply(status, body)).unwrap_err();
        let f = no(
            400,
            r#"{"title":"Invalid Code","detail":"The code you provided does not match the expected value.","type":"https://developer.vonage.com/api-errors/verify#invalid-code"}"#,
        );
        assert_eq!(
            (f.reason, f.exit_code(), f.ask_record),
            (Some(Reason::WrongCode), 1, false)
        );
        assert_eq!(f.provider_code.as_deref(), Some("invalid-code"));
        let f = no(
            410,
            r#"{"title":"Invalid Code","detail":"An incorrect code has been provided too many times. Workflow terminated."}"#,
        );
        assert_eq!(
            (f.reason, f.exit_code()),
            (Some(Reason::AttemptsExhausted), 1)
        );
        let f = no(
            404,
            r#"{"title":"Not Found","detail":"Request 'c1' was not found or it has been verified already."}"#,
        );
        assert_eq!(
            (f.reason, f.exit_code(), f.ask_record),
            (Some(Reason::Expired), 1, true)
        );
        // Anything else is not a verdict.
        let f = no(
            400,
            r#"{"title":"Bad Request","detail":"code must be a string"}"#,
        );
        assert_eq!((f.kind, f.exit_code()), (Kind::InvalidRequest, 4));
        let f = no(401, r#"{"title":"Unauthorized"}"#);
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        let f = no(200, r#"{"request_id":"c1","status":"pending"}"#);
        assert_eq!(f.exit_code(), 6);
        let f = no(503, r#"{"title":"Service Unavailable"}"#);
        assert_eq!(f.exit_code(), 6);
    }

    /// Every reply Vonage did not accept goes through `refusal`: RFC 7807 words and
    /// `type`, the HTTP status's kind, and a 409 (Verify v2: a verification still open,
    /// or a step that takes no code) as a retryable rate limit.
    #[test]
    fn refusal_is_the_one_reading_of_a_problem() {
        let p = basic();
        let conflict = reply(
            409,
            r#"{"title":"Conflict","detail":"The current Verify workflow step does not support a code.","type":"https://developer.vonage.com/api-errors/verify#conflict"}"#,
        );
        let f = p.verify_reply(&conflict).unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::RateLimited, 4));
        assert_eq!(f.provider_code.as_deref(), Some("conflict"));
        let unauthorized = reply(
            401,
            r#"{"title":"Unauthorized","type":"https://developer.vonage.com/api-errors#unauthorized"}"#,
        );
        for f in [
            p.send_reply(&unauthorized).unwrap_err(),
            p.verify_reply(&unauthorized).unwrap_err(),
            p.cancel_reply(&unauthorized).unwrap_err(),
            p.balance_reply(&unauthorized).unwrap_err(),
        ] {
            assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
            assert_eq!(f.provider_code.as_deref(), Some("unauthorized"));
            assert!(f.message.contains("Unauthorized"), "{}", f.message);
        }
    }

    #[test]
    fn balance_with_basic_only() {
        let p = basic();
        let r = p.balance().unwrap();
        assert_eq!(
            (r.method, r.url.as_str()),
            (Method::Get, "https://api.example.com/account/get-balance")
        );
        assert_eq!(
            r.headers,
            vec![("Authorization".to_string(), basic_header())]
        );
        let default = build(&testing::profile(&format!(
            "provider = \"vonage\"\napi_key = \"{KEY}\"\napi_secret = \"{SECRET}\"\n"
        )))
        .unwrap();
        assert_eq!(default.balance().unwrap().url, BALANCE_URL);
        let b = p
            .balance_reply(&reply(200, r#"{"value": 10.28, "autoReload": false}"#))
            .unwrap();
        assert_eq!(
            b,
            Balance {
                amount: Some(10.28),
                currency: None,
                note: None
            }
        );
        let e = p
            .balance_reply(&reply(
                401,
                r#"{"error-code":"401","error-code-label":"authentication failed"}"#,
            ))
            .unwrap_err();
        assert_eq!((e.kind, e.exit_code()), (Kind::Auth, 4));
        let jwt_only = provider(&format!(
            "application_id = \"{APP}\"\nprivate_key = \"{}\"\n",
            fixture("pkcs8")
        ))
        .unwrap();
        assert!(jwt_only.balance().is_none());
    }
}
