//! The provider registry and the seam every vendor adapter plugs into. An adapter
//! declares its facts (`Info`: keys, limits, channels, who makes the PIN) and turns an
//! `Otp` into a `Request` value and a `Reply` into a receipt or a `Failure`, all pure
//! functions; the app does the checks, the I/O and the printing.

pub mod cinnox;
pub mod console;
pub mod plivo;
pub mod shoutout;
pub mod smscx;
pub mod termii;
pub mod twilio;
pub mod zender;

use crate::config::Profile;
use crate::error::{Failure, Kind};
use crate::message::{PinType, Template};
use crate::phone::Phone;
use crate::redact::{self, Secret};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::{Map, Value};
use std::time::{Duration, SystemTime};

/// Every provider, one line each. `otp providers`, `config init`, `config check` and the
/// shared test battery walk this list.
pub static REGISTRY: &[&Info] = &[
    &console::INFO,
    &termii::INFO,
    &smscx::INFO,
    &cinnox::INFO,
    &shoutout::INFO,
    &zender::INFO,
    &twilio::INFO,
    &plivo::INFO,
];

/// A provider by id or alias, case-insensitive.
pub fn find(name: &str) -> Option<&'static Info> {
    let name = name.trim().to_ascii_lowercase();
    REGISTRY
        .iter()
        .copied()
        .find(|i| i.id == name || i.aliases.contains(&name.as_str()))
}

pub fn ids() -> Vec<&'static str> {
    REGISTRY.iter().map(|i| i.id).collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Whatsapp,
    Voice,
}

impl Channel {
    pub fn parse(s: &str) -> Option<Channel> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sms" => Some(Channel::Sms),
            "whatsapp" => Some(Channel::Whatsapp),
            "voice" => Some(Channel::Voice),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Whatsapp => "whatsapp",
            Channel::Voice => "voice",
        }
    }
}

/// Who makes the PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinBy {
    /// The vendor makes it and keeps it; the vendor verifies.
    Provider,
    /// The vendor makes it and returns it in the reply (zender): kept hashed only.
    ProviderReturns,
    /// `otp` makes it (CSPRNG) and verifies it against the local record.
    Tool,
}

/// Who answers `otp verify`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VerifyBy {
    Provider,
    Local,
}

impl VerifyBy {
    pub fn as_str(self) -> &'static str {
        match self {
            VerifyBy::Provider => "provider",
            VerifyBy::Local => "local",
        }
    }
}

/// PIN length the vendor takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthRule {
    /// Inclusive range of characters.
    Range(usize, usize),
    /// The vendor picks; the number is its usual length, used only to count segments.
    ProviderChooses(usize),
}

/// How the vendor expresses validity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TtlRule {
    /// Whole minutes in this inclusive range.
    Minutes(u64, u64),
    /// Whole seconds in this inclusive range.
    Seconds(u64, u64),
    /// The vendor picks; `expires_at` is unknown.
    ProviderChooses,
    /// Kept by the local record: any value from 1 s to `max_ttl`.
    Local,
}

/// The type of a profile key's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    Str,
    Secret,
    Int,
    Bool,
    Duration,
    List,
    Table,
}

/// A profile key a provider (or every profile) takes.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub ty: KeyType,
    pub required: bool,
    pub default: Option<&'static str>,
    pub help: &'static str,
}

impl Key {
    pub const fn new(name: &'static str, ty: KeyType, help: &'static str) -> Key {
        Key {
            name,
            ty,
            required: false,
            default: None,
            help,
        }
    }
    pub const fn required(mut self) -> Key {
        self.required = true;
        self
    }
    pub const fn default(mut self, value: &'static str) -> Key {
        self.default = Some(value);
        self
    }
    pub fn secret(&self) -> bool {
        self.ty == KeyType::Secret
    }
}

/// What a provider is and what it can do. Read by `otp providers`, the checks before a
/// send, `config check` and `config init`.
pub struct Info {
    pub id: &'static str,
    pub aliases: &'static [&'static str],
    pub name: &'static str,
    pub about: &'static str,
    pub pin_by: PinBy,
    pub verify: VerifyBy,
    pub channels: &'static [Channel],
    /// PIN types the vendor makes (or, for `PinBy::Tool`, that `otp` makes for it).
    pub pin_types: &'static [PinType],
    pub length: LengthRule,
    pub ttl: TtlRule,
    /// Inclusive range of wrong tries the vendor takes; None when it picks its own.
    pub attempts: Option<(u32, u32)>,
    /// Whether the vendor takes a status webhook (`--callback-url`).
    pub callback: bool,
    pub default_base_url: Option<&'static str>,
    /// Keys beyond the common ones; secrets and required credentials marked.
    pub keys: &'static [Key],
    /// A working example profile body (TOML, without the `[profiles.x]` line).
    pub example: &'static str,
    /// Where a user finds the credentials, for hints.
    pub credentials_hint: &'static str,
    pub build: fn(&Profile) -> Result<Box<dyn Provider>, Failure>,
}

impl Info {
    pub fn supports(&self, channel: Channel) -> bool {
        self.channels.contains(&channel)
    }

    pub fn key(&self, name: &str) -> Option<&'static Key> {
        self.keys.iter().find(|k| k.name == name)
    }
}

/// A setting with whether the user chose it (flag, env or profile) or it is the
/// built-in default: only chosen values are checked against a vendor's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub explicit: bool,
}

/// One OTP to send, checked and complete: what an adapter turns into a request.
#[derive(Debug)]
pub struct Otp {
    pub to: Phone,
    pub sender: Option<String>,
    pub template: Template,
    /// Per-language templates from the profile (`templates.<lang>`), for vendors that
    /// pick one by destination (smscx `template_<lang>`).
    pub templates: Vec<(String, Template)>,
    pub channel: Channel,
    pub length: Setting<usize>,
    pub pin_type: Setting<PinType>,
    pub ttl: Setting<Duration>,
    pub attempts: Setting<u32>,
    /// The PIN, where `otp` makes it.
    pub pin: Option<Secret>,
    pub callback_url: Option<String>,
    /// The user chose the text (--message, --lang, `message`, a WebOTP line): vendors
    /// whose service writes the message (twilio, plivo) refuse it rather than drop it.
    pub message_chosen: bool,
    /// `--app-hash`, for vendors that take it as a field rather than a line (twilio, plivo).
    pub app_hash: Option<String>,
}

impl Otp {
    /// The sender ID, trimmed; None when it is unset or blank.
    pub fn sender(&self) -> Option<&str> {
        self.sender
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// An id as one URL path segment: all but RFC 3986's unreserved characters escaped, so
/// a `/` or space in it cannot change the path.
pub fn path_segment(id: &str) -> String {
    const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(id, UNRESERVED).to_string()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Empty,
    Json(Value),

    Form(Vec<(String, String)>),
}

/// A request as a value: built before anything is sent, so `--dry-run`, `--verbose`
/// and the tests read exactly what would go on the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Request {
    pub fn new(method: Method, url: impl Into<String>) -> Request {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn json(mut self, body: Value) -> Request {
        self.body = Body::Json(body);
        self
    }

    pub fn form(mut self, fields: Vec<(String, String)>) -> Request {
        self.body = Body::Form(fields);
        self
    }

    /// `--param KEY=VALUE` fields, applied last so they override what the adapter set.
    /// In a JSON body a value that reads as a JSON number, `true` or `false` is sent as
    /// that; anything else as a string.
    pub fn apply_params(&mut self, params: &[(String, String)]) {
        if params.is_empty() {
            return;
        }
        match &mut self.body {
            Body::Json(Value::Object(map)) => {
                for (k, v) in params {
                    map.insert(k.clone(), param_value(v));
                }
            }
            Body::Form(fields) => {
                for (k, v) in params {
                    fields.retain(|(name, _)| name != k);
                    fields.push((k.clone(), v.clone()));
                }
            }
            body @ Body::Empty if self.method != Method::Get => {
                let mut map = Map::new();
                for (k, v) in params {
                    map.insert(k.clone(), param_value(v));
                }
                *body = Body::Json(Value::Object(map));
            }
            _ => {}
        }
    }

    /// Whether the top-level body field `name` holds `value` (somewhere in its text).
    pub fn field_contains(&self, name: &str, value: &str) -> bool {
        match &self.body {
            Body::Json(Value::Object(m)) => m.get(name).is_some_and(|v| match v {
                Value::String(s) => s.contains(value),
                other => other.to_string().contains(value),
            }),
            Body::Form(fields) => fields.iter().any(|(k, v)| k == name && v.contains(value)),
            _ => false,
        }
    }

    /// A copy for printing: secret-named fields, query parameters and credential
    /// headers masked by name (values are masked by value later, in `scrub`).
    pub fn masked(&self) -> Request {
        let url = match reqwest::Url::parse(&self.url) {
            Ok(mut u) if u.query().is_some() => {
                let pairs: Vec<(String, String)> = u
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if redact::is_secret_field(&k, false) {
                            redact::MASK.to_string()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                u.query_pairs_mut().clear().extend_pairs(pairs);
                // keep *** readable rather than percent-encoded
                u.to_string().replace("%2A%2A%2A", redact::MASK)
            }
            _ => self.url.clone(),
        };
        let headers = self
            .headers
            .iter()
            .map(|(k, v)| {
                let v = if redact::is_secret_header(k) {
                    redact::mask_header(v)
                } else {
                    v.clone()
                };
                (k.clone(), v)
            })
            .collect();
        let body = match &self.body {
            Body::Empty => Body::Empty,
            Body::Json(v) => Body::Json(redact::mask_json_fields(v.clone(), false)),
            Body::Form(fields) => Body::Form(
                fields
                    .iter()
                    .map(|(k, v)| {
                        let v = if redact::is_secret_field(k, false) {
                            redact::MASK.to_string()
                        } else {
                            v.clone()
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
        };
        Request {
            method: self.method,
            url,
            headers,
            body,
        }
    }

    /// The request as people read it, secrets and PINs masked.
    pub fn render_text(&self) -> String {
        let shown = self.masked();
        let out = shown.render_raw();
        redact::scrub(&out)
    }

    fn render_raw(&self) -> String {
        let mut out = format!("{} {}\n", self.method.as_str(), self.url);
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\n"));
        }
        if let Some(ct) = self.content_type() {
            out.push_str(&format!("Content-Type: {ct}\n"));
        }
        match &self.body {
            Body::Empty => {}
            Body::Json(v) => {
                out.push('\n');
                out.push_str(&serde_json::to_string_pretty(v).unwrap_or_default());
                out.push('\n');
            }
            Body::Form(fields) => {
                out.push('\n');
                out.push_str(&form_encode(fields).replace("%2A%2A%2A", redact::MASK));
                out.push('\n');
            }
        }
        out
    }

    /// The `request` object of a JSON dry run, secrets and PINs masked.
    pub fn to_json(&self) -> Value {
        self.masked().to_json_raw()
    }

    fn to_json_raw(&self) -> Value {
        let mut headers = Map::new();
        for (k, v) in &self.headers {
            headers.insert(k.clone(), Value::String(v.clone()));
        }
        if let Some(ct) = self.content_type() {
            headers.insert("Content-Type".into(), Value::String(ct.into()));
        }
        let body = match &self.body {
            Body::Empty => Value::Null,
            Body::Json(v) => v.clone(),
            Body::Form(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            ),
        };
        let v = serde_json::json!({
            "method": self.method.as_str(),
            "url": self.url,
            "headers": headers,
            "body": body,
        });
        scrub_json(v)
    }

    pub fn content_type(&self) -> Option<&'static str> {
        match self.body {
            Body::Empty => None,
            Body::Json(_) => Some("application/json"),
            Body::Form(_) => Some("application/x-www-form-urlencoded"),
        }
    }

    /// The body bytes as sent.
    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            Body::Empty => Vec::new(),
            Body::Json(v) => serde_json::to_vec(v).unwrap_or_default(),
            Body::Form(fields) => form_encode(fields).into_bytes(),
        }
    }
}

fn param_value(v: &str) -> Value {
    match serde_json::from_str::<Value>(v) {
        Ok(n @ Value::Number(_)) => n,
        Ok(b @ Value::Bool(_)) => b,
        _ => Value::String(v.to_string()),
    }
}

pub fn form_encode(fields: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Mask registered secrets in every string of a JSON value.
pub fn scrub_json(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(redact::scrub(&s)),
        Value::Array(a) => Value::Array(a.into_iter().map(scrub_json).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, scrub_json(v))).collect()),
        other => other,
    }
}

/// What `send` does: a request to a vendor, or (console) a message shown locally.
#[derive(Debug)]
pub enum Plan {
    Http(Request),
    Console { to: String, text: String },
}

/// A vendor's reply, read through the size cap.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// What a provider's "yes" carries.
#[derive(Debug, Default)]
pub struct Accepted {
    pub id: String,
    pub message_id: Option<String>,
    pub expires_at: Option<SystemTime>,
    pub cost: Option<Value>,
    /// A PIN the vendor returned (zender): kept hashed, never printed.
    pub pin: Option<Secret>,
}

/// What a cost-free credential check says about money; both None when the vendor's
/// answer proves the credentials but names no balance.
#[derive(Debug, Default, Clone, PartialEq)]
#[allow(dead_code)] // seam for `config check --online` (issue 12)
pub struct Balance {
    pub amount: Option<f64>,
    pub currency: Option<String>,
}

/// An adapter built from a profile: settings validated, credentials resolved, no I/O.
#[allow(dead_code)] // balance/balance_reply: seam for `config check --online` (issue 12)
pub trait Provider {
    fn info(&self) -> &'static Info;

    /// The request for one OTP, or a usage failure for a vendor rule the generic checks
    /// cannot know (sender format, say).
    fn send(&self, otp: &Otp) -> Result<Plan, Failure>;

    /// Map the vendor's answer to a send: a receipt, or a failure. 2xx replies carrying a
    /// vendor error are rejections.
    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure>;

    /// The request that checks `code` for the send `id` (provider-verified vendors).
    fn verify(&self, id: &str, code: &Secret) -> Result<Request, Failure> {
        let _ = (id, code);
        Err(Failure::usage(format!(
            "{} has no verify call; the local record verifies",
            self.info().id
        )))
    }

    /// The verify request, given what the local record knows about the send: vendors
    /// that check by number (prelude) need `to`; the rest check by id. `to` is None when
    /// the record is gone.
    fn verify_to(&self, id: &str, to: Option<&Phone>, code: &Secret) -> Result<Request, Failure> {
        let _ = to;
        self.verify(id, code)
    }

    /// The vendor's cost-free call that proves the credentials (a balance, account or
    /// service lookup) for `config check --online`; None when the vendor has none.
    fn balance(&self) -> Option<Request> {
        None
    }

    /// Map the answer to `balance`: what it says about money, or a failure (a refused
    /// credential is a `rejected` failure of kind `auth`).
    fn balance_reply(&self, reply: &Reply) -> Result<Balance, Failure> {
        let v = serde_json::from_slice::<Value>(&reply.body).ok();
        if is_success(reply.status) {
            return Ok(Balance::default());
        }
        Err(http_failure(
            self.info().id,
            reply,
            None,
            v.as_ref().and_then(vendor_message),
            v.as_ref()
                .and_then(|v| text_at(v, "error.code").or_else(|| text_at(v, "code"))),
        ))
    }

    /// Ok(()) when the vendor says verified; a `not_verified` failure with its reason
    /// when it says no; any other failure when the call itself failed.
    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let _ = reply;
        Err(Failure::usage(format!(
            "{} has no verify call",
            self.info().id
        )))
    }

    /// A function that registers with the redactor any secret a reply carries (zender
    /// returns the PIN), run on each reply as soon as it is read, before `--verbose`
    /// prints it.
    fn reply_secrets(&self) -> Option<fn(&Reply)> {
        None
    }

    /// The vendor's status call for `id`, where it has one.
    fn status(&self, id: &str) -> Option<Request> {
        let _ = id;
        None
    }

    /// Map the answer to `status`: the vendor's JSON, or a failure.
    fn status_reply(&self, reply: &Reply) -> Result<Value, Failure> {
        let v = reply_json(self.info().id, reply)?;
        if is_success(reply.status) {
            return Ok(v);
        }
        Err(http_failure(
            self.info().id,
            reply,
            None,
            vendor_message(&v),
            text_at(&v, "error.code").or_else(|| text_at(&v, "code")),
        ))
    }

    /// Map the answer to `cancel`: Ok when the OTP is (now) cancelled at the vendor.
    fn cancel_reply(&self, reply: &Reply) -> Result<(), Failure> {
        if is_success(reply.status) {
            return Ok(());
        }
        let v = serde_json::from_slice::<Value>(&reply.body).ok();
        Err(http_failure(
            self.info().id,
            reply,
            None,
            v.as_ref().and_then(vendor_message),
            v.as_ref()
                .and_then(|v| text_at(v, "error.code").or_else(|| text_at(v, "code"))),
        ))
    }

    /// The vendor's cancel call for `id`, where it has one.
    fn cancel(&self, id: &str) -> Option<Request> {
        let _ = id;
        None
    }
}

// ---------------------------------------------------------------------------------------
// Helpers the adapters share for reading replies. The mapping from HTTP status to an
// error kind lives here, once.

/// The error kind an HTTP status means.
pub fn status_kind(status: u16) -> Kind {
    match status {
        401 | 403 | 407 => Kind::Auth,
        402 => Kind::InsufficientFunds,
        404 | 410 => Kind::NotFound,
        429 => Kind::RateLimited,
        300..=399 => Kind::RefusedRedirect,
        500..=599 => Kind::Server,
        _ => Kind::InvalidRequest,
    }
}

/// Describe a reply that is not the vendor's JSON, without dumping it.
pub fn describe(reply: &Reply) -> String {
    let ct = reply
        .content_type
        .as_deref()
        .and_then(|c| c.split(';').next())
        .map(|c| redact::vendor_text(c.trim()))
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "no content type".into());
    format!(
        "unexpected reply (HTTP {}, {ct}, {} bytes)",
        reply.status,
        reply.body.len()
    )
}

/// A sanitized snippet of the body for `--verbose`.
pub fn snippet(reply: &Reply) -> Option<String> {
    if reply.body.is_empty() {
        return None;
    }
    // A JSON body is read first, so escapes (`\/`, `\u002b`) cannot hide a secret from
    // the value check, and secret-named fields are masked by name.
    let text = match serde_json::from_slice::<Value>(&reply.body) {
        Ok(v) => redact::mask_json_fields(v, true).to_string(),
        Err(_) => String::from_utf8_lossy(&reply.body).into_owned(),
    };
    Some(redact::vendor_text(&text))
}

/// A failure for an HTTP reply the vendor did not accept, with the vendor's message
/// (sanitized) and code when it gave them. 5xx and 3xx mean the outcome is unknown.
pub fn http_failure(
    provider: &str,
    reply: &Reply,
    kind: Option<Kind>,
    message: Option<String>,
    code: Option<String>,
) -> Failure {
    let status = reply.status;
    let kind = kind.unwrap_or_else(|| status_kind(status));
    let what = match &message {
        Some(m) if !m.is_empty() => redact::vendor_text(m),
        _ => describe(reply),
    };
    let code = code.map(|c| redact::vendor_text(&c));
    let f = if (200..300).contains(&status) || (400..500).contains(&status) {
        Failure::rejected(
            kind,
            format!("{provider} rejected the request (HTTP {status}): {what}"),
        )
    } else {
        Failure::unknown(
            kind,
            format!(
                "{provider} answered HTTP {status}: {what}; {}",
                crate::http::unsure()
            ),
        )
        .hint(crate::http::unknown_hint())
    };
    f.status(status).code(code).detail(snippet(reply))
}

/// The reply's JSON, or the failure that a non-JSON reply is: a rejection for a 4xx
/// (the vendor refused it whatever the page says), `unknown` for anything else.
pub fn reply_json(provider: &str, reply: &Reply) -> Result<Value, Failure> {
    match serde_json::from_slice::<Value>(&reply.body) {
        Ok(v) if v.is_object() || v.is_array() => Ok(v),
        _ if (400..500).contains(&reply.status) => {
            Err(http_failure(provider, reply, None, None, None))
        }
        _ => Err(Failure::unknown(
            if reply.status >= 500 {
                Kind::Server
            } else {
                Kind::BadResponse
            },
            format!("{provider}: {}; {}", describe(reply), crate::http::unsure()),
        )
        .status(reply.status)
        .detail(snippet(reply))
        .hint(crate::http::unknown_hint())),
    }
}

/// A string at `path` (keys separated by '.'), accepting numbers as strings too:
/// vendors are not consistent about either.
pub fn text_at(v: &Value, path: &str) -> Option<String> {
    let mut cur = v;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The first of several message-like fields a vendor uses for its error text.
pub fn vendor_message(v: &Value) -> Option<String> {
    for path in [
        "error.message",
        "message",
        "description",
        "error_description",
        "errorMessage",
        "msg",
        "error",
        "detail",
    ] {
        if let Some(s) = text_at(v, path) {
            if !s.trim().is_empty() {
                return Some(s);
            }
        }
    }
    None
}

/// Parse an RFC 3339 / ISO 8601 time a vendor gives (`2026-11-22T08:35:00Z`, with or
/// without fraction or offset `+00:00`, or the space-separated form).
pub fn parse_time(s: &str) -> Option<SystemTime> {
    let s = s.trim().replace(' ', "T");
    if let Ok(t) = humantime::parse_rfc3339_weak(&s) {
        return Some(t);
    }
    // humantime takes only "Z"; turn an explicit offset into UTC by hand.
    let (base, sign, off) = if let Some(i) = s.rfind(['+', '-']).filter(|&i| i > 10) {
        (
            &s[..i],
            if &s[i..i + 1] == "+" { 1i64 } else { -1 },
            &s[i + 1..],
        )
    } else {
        return None;
    };
    let t = humantime::parse_rfc3339_weak(base).ok()?;
    let (h, m) = off
        .split_once(':')
        .unwrap_or((off.get(..2)?, off.get(2..)?));
    let (h, m) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?);
    if !(0..=23).contains(&h) || !(0..=59).contains(&m) {
        return None;
    }
    let secs = (h * 3600 + m * 60) * sign;
    if secs >= 0 {
        t.checked_sub(Duration::from_secs(secs as u64))
    } else {
        t.checked_add(Duration::from_secs((-secs) as u64))
    }
}

/// The failure when a vendor says yes but the handle we need is missing.
pub fn missing_field(provider: &str, field: &str, reply: &Reply) -> Failure {
    Failure::unknown(
        Kind::BadResponse,
        format!(
            "{provider} answered HTTP {} without `{field}`; {}",
            reply.status,
            crate::http::unsure()
        ),
    )
    .status(reply.status)
    .detail(snippet(reply))
}

/// Outcome of a reply for callers that only need to know it was accepted.
pub fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// What the adapters' unit tests build their inputs from: one OTP with the built-in
/// defaults, one profile from TOML text, one JSON reply. Tests change only the fields
/// they are about.
#[cfg(test)]
pub mod testing {
    use super::*;
    use crate::config::ConfigFile;
    use std::path::Path;

    /// An OTP as a send with no flags would make it: sms, 6 numeric characters, 300 s,
    /// 3 attempts, none of them chosen by the user, no PIN, no callback.
    pub fn otp(to: &str, sender: Option<&str>, template: &str) -> Otp {
        let ttl = Duration::from_secs(300);
        Otp {
            to: Phone::parse(to, None).unwrap(),
            sender: sender.map(str::to_string),
            template: Template::parse(template, ttl.as_secs() / 60).unwrap(),
            templates: Vec::new(),
            channel: Channel::Sms,
            length: default(6),
            pin_type: default(PinType::Numeric),
            ttl: default(ttl),
            attempts: default(3),
            pin: None,
            callback_url: None,
            message_chosen: false,
            app_hash: None,
        }
    }

    /// A setting left at its built-in value.
    pub fn default<T>(value: T) -> Setting<T> {
        Setting {
            value,
            explicit: false,
        }
    }

    /// A setting the user chose (flag, env or profile).
    pub fn chosen<T>(value: T) -> Setting<T> {
        Setting {
            value,
            explicit: true,
        }
    }

    /// Profile "t" of a config file holding `[profiles.t]` and then `body`.
    pub fn profile(body: &str) -> Profile {
        let text = format!("[profiles.t]\n{body}");
        let file = ConfigFile::parse(&text, Path::new("/x/config.toml")).unwrap();
        Profile::resolve(&file, Some("t"), &[]).unwrap()
    }

    /// A JSON reply with this status and body.
    pub fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: Some("application/json".into()),
            body: body.as_bytes().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_ids_are_unique_and_declarations_sane() {
        let mut seen = std::collections::BTreeSet::new();
        for info in REGISTRY {
            assert!(seen.insert(info.id), "duplicate id {}", info.id);
            for a in info.aliases {
                assert!(seen.insert(a), "duplicate alias {a}");
            }
            assert!(info.supports(Channel::Sms), "{} lacks sms", info.id);
            assert!(!info.example.is_empty());
            for k in info.keys {
                assert!(
                    !crate::config::COMMON_KEYS.iter().any(|c| c.name == k.name),
                    "{}: key {} shadows a common key",
                    info.id,
                    k.name
                );
            }
            match info.pin_by {
                PinBy::Tool => assert_eq!(info.verify, VerifyBy::Local),
                _ => assert_eq!(info.verify, VerifyBy::Provider),
            }
        }
    }

    #[test]
    fn params_override_and_type() {
        let mut r = Request::new(Method::Post, "https://x").json(serde_json::json!({"a": "1"}));
        r.apply_params(&[
            ("a".into(), "2".into()),
            ("b".into(), "true".into()),
            ("c".into(), "x y".into()),
            ("d".into(), "1.5".into()),
        ]);
        assert_eq!(
            r.body,
            Body::Json(serde_json::json!({"a": 2, "b": true, "c": "x y", "d": 1.5}))
        );
        let mut f = Request::new(Method::Post, "https://x").form(vec![("a".into(), "1".into())]);
        f.apply_params(&[("a".into(), "2".into())]);
        assert_eq!(f.body, Body::Form(vec![("a".into(), "2".into())]));
    }

    #[test]
    fn times_parse_with_offsets() {
        let z = parse_time("2026-11-22T08:35:00Z").unwrap();
        assert_eq!(parse_time("2026-11-22T09:35:00+01:00"), Some(z));
        assert_eq!(parse_time("2026-11-22 08:35:00"), Some(z));
        assert_eq!(parse_time("2026-11-22T08:35:00.000Z"), Some(z));
        assert_eq!(parse_time("nonsense"), None);
    }

    #[test]
    fn non_json_replies_are_described_not_dumped() {
        let r = Reply {
            status: 502,
            content_type: Some("text/html; charset=utf-8".into()),
            body: b"<html>secret page</html>".to_vec(),
        };
        let f = reply_json("termii", &r).unwrap_err();
        assert_eq!(f.outcome, crate::error::Outcome::Unknown);
        assert!(f
            .message
            .contains("unexpected reply (HTTP 502, text/html, 24 bytes)"));
        let r = Reply { status: 401, ..r };
        let f = reply_json("termii", &r).unwrap_err();
        assert_eq!(f.kind, Kind::Auth);
        assert_eq!(f.exit_code(), 4);
    }
}
