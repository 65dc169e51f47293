//! The provider registry and the seam every vendor adapter plugs into. An adapter
//! declares its facts (`Info`: keys, limits, channels, who makes the PIN) and turns an
//! `Otp` into a `Request` value and a `Reply` into a receipt or a `Failure`, all pure
//! functions; the app does the checks, the I/O and the printing.

pub mod africastalking;
pub mod aws;
pub mod cinnox;
pub mod console;
pub mod infobip;
pub mod msg91;
pub mod plivo;
pub mod prelude;
pub mod shoutout;
pub mod sinch;
pub mod smscx;
pub mod sns;
pub mod telesign;
pub mod termii;
pub mod twilio;
pub mod vonage;
pub mod zender;

mod reply;

// The adapters name everything they use as `super::X`: the request values and the reply
// helpers live in their own modules and are re-exported here for them.
#[allow(unused_imports)] // for adapters that build bodies by hand (plivo, twilio)
pub use crate::request::{form_encode, Body};
pub use crate::request::{path_segment, snippet, Method, Reply, Request};
pub use reply::{
    http_failure, is_success, missing_field, parse_time, reply_json, status_kind, text_at,
    vendor_message,
};

#[allow(unused_imports)] // adapters declare their keys as `super::{Key, KeyType}`
pub use crate::config::{Key, KeyType};
use crate::config::{Profile, Schema};
use crate::error::Failure;
use crate::message::{PinType, Template};
use crate::phone::Phone;
use crate::redact::Secret;
use serde::Serialize;
use serde_json::Value;
use std::time::{Duration, SystemTime};

/// Every provider, one line each. `otp providers`, `config init`, `config check` and the
/// shared test battery walk this list. The first one (the console) serves a run with no
/// profile and is what `config init` writes when no provider is named.
pub static REGISTRY: &[&Info] = &[
    &console::INFO,
    &termii::INFO,
    &smscx::INFO,
    &cinnox::INFO,
    &aws::INFO,
    &sns::INFO,
    &africastalking::INFO,
    &shoutout::INFO,
    &zender::INFO,
    &twilio::INFO,
    &vonage::INFO,
    &plivo::INFO,
    &prelude::INFO,
    &msg91::INFO,
    &infobip::INFO,
    &sinch::INFO,
    &telesign::INFO,
];

/// A provider by id or alias, case-insensitive.
pub fn find(name: &str) -> Option<&'static Info> {
    REGISTRY
        .iter()
        .copied()
        .find(|i| i.schema().answers_to(name))
}

/// What config checks a profile of each provider against.
pub fn schemas() -> Vec<Schema> {
    REGISTRY.iter().map(|i| i.schema()).collect()
}

/// The provider a run without a profile uses, and `config init` writes by default.
pub fn default_provider() -> &'static Info {
    REGISTRY[0]
}

pub fn ids() -> Vec<&'static str> {
    REGISTRY.iter().map(|i| i.id).collect()
}

pub use crate::message::Channel;

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
    /// Where this vendor keeps the settings it decides itself (a Verify Service, its
    /// dashboard), named in the hint when a user sets one of them; None when `otp`
    /// decides everything it sends.
    pub decided_at: Option<&'static str>,
    /// The vendor writes the message itself: a chosen `--message`, `--lang`, `message`
    /// or `templates` is refused (exit 2 from a flag, 3 from the profile), by `send`
    /// and `config check` alike, and `otp providers NAME` does not offer those keys.
    pub writes_message: bool,
    /// The vendor takes a sender ID (`sender`, `--sender`); false when the message
    /// goes out under a number the vendor picks, so a sender the user set is refused.
    pub takes_sender: bool,
    pub build: fn(&Profile) -> Result<Box<dyn Provider>, Failure>,
}

impl Info {
    pub fn supports(&self, channel: Channel) -> bool {
        self.channels.contains(&channel)
    }

    /// Whether the provider talks to a vendor at all (and so needs a `base_url`).
    pub fn sends_over_http(&self) -> bool {
        !std::ptr::eq(self, &console::INFO)
    }

    /// Whether a profile must set `base_url`: the vendor talks HTTP and has neither a
    /// default base URL nor a regional endpoint made from its `region` key (aws, sns).
    pub fn needs_base_url(&self) -> bool {
        self.sends_over_http()
            && self.default_base_url.is_none()
            && !self.keys.iter().any(|k| k.name == "region")
    }

    /// The part of the facts config checks a profile against.
    pub fn schema(&self) -> Schema {
        Schema {
            id: self.id,
            aliases: self.aliases,
            keys: self.keys,
            default_base_url: self.default_base_url,
            credentials_hint: self.credentials_hint,
            example: self.example,
        }
    }
}

/// A setting with whether the user chose it (flag, env or profile) or it is the
/// built-in default: only chosen values are checked against a vendor's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub explicit: bool,
}

impl<T> Setting<T> {
    /// A value the user set (flag, env or profile): checked against the vendor's limits.
    pub fn chosen(value: T) -> Setting<T> {
        Setting {
            value,
            explicit: true,
        }
    }

    /// The built-in value, left alone.
    pub fn default(value: T) -> Setting<T> {
        Setting {
            value,
            explicit: false,
        }
    }

    /// `chosen` when the user gave a value, else the built-in `fallback`.
    pub fn or_default(value: Option<T>, fallback: T) -> Setting<T> {
        match value {
            Some(v) => Setting::chosen(v),
            None => Setting::default(fallback),
        }
    }
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

/// What `send` does: a request to a vendor, or (console) a message shown locally.
#[derive(Debug)]
pub enum Plan {
    Http(Request),
    /// The console shows the message itself, no network.
    Console(console::Delivery),
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
    /// Something the user should know although the vendor took the send (shoutout: a
    /// reply without `messageResult`), printed by `send` as a warning.
    pub warning: Option<String>,
}

/// What a vendor's answer to a verify says is left, where it says (Infobip's
/// `attemptsRemaining`); the local record fills what it does not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Remaining {
    pub attempts_left: Option<u32>,
    pub expires_at: Option<SystemTime>,
}

/// What a cost-free credential check says about money; both None when the vendor's
/// answer proves the credentials but names no balance.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Balance {
    pub amount: Option<f64>,
    pub currency: Option<String>,
    /// Why no balance is shown although the credentials work (zender: the key lacks
    /// the `get_credits` permission), for the check's output.
    pub note: Option<String>,
}

/// The moment and the nonce a signed request carries (sinch's `x-timestamp`, telesign's
/// `Date` and `x-ts-nonce`). The app reads the clock and the CSPRNG and hands them in,
/// so signing stays a pure function whose result a test can pin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub at: SystemTime,
    /// Unique per request: a fresh UUID v4 from the OS CSPRNG.
    pub nonce: String,
}

/// The HMAC-SHA256 key of a vendor that issues its secret as base64 and signs with the
/// decoded bytes (sinch, telesign): the standard or URL-safe alphabet, padded or not.
/// None when the secret is not base64. The key's other spellings (the other alphabet,
/// with and without padding, hex) are registered with the redactor like the secret.
pub fn hmac_key(secret: &Secret) -> Option<ring::hmac::Key> {
    use base64::engine::{general_purpose, DecodePaddingMode, GeneralPurpose};
    use base64::{alphabet, Engine as _};
    let config = general_purpose::PAD.with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let text = secret.expose().trim();
    let bytes = [alphabet::STANDARD, alphabet::URL_SAFE]
        .iter()
        .find_map(|a| GeneralPurpose::new(a, config).decode(text).ok())
        .filter(|bytes| !bytes.is_empty())?;
    for engine in [
        general_purpose::STANDARD,
        general_purpose::STANDARD_NO_PAD,
        general_purpose::URL_SAFE,
        general_purpose::URL_SAFE_NO_PAD,
    ] {
        crate::redact::register(&engine.encode(&bytes));
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    crate::redact::register(&hex);
    Some(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &bytes))
}

/// Base64 of the HMAC of `text` under `key`, as a request signature. Registered with the
/// redactor before it is returned: masked by value wherever it might be echoed, as well
/// as by header name.
pub fn hmac_signature(key: &ring::hmac::Key, text: &str) -> String {
    use base64::Engine as _;
    let sig = base64::engine::general_purpose::STANDARD
        .encode(ring::hmac::sign(key, text.as_bytes()).as_ref());
    crate::redact::register(&sig);
    sig
}

/// The path a request signature covers; a URL that does not parse cannot be signed.
pub fn signed_path(req: &Request) -> Result<String, Failure> {
    req.path().ok_or_else(|| {
        Failure::config(format!(
            "cannot sign a request to {}",
            crate::redact::echo(&req.url)
        ))
    })
}

/// An adapter built from a profile: settings validated, credentials resolved, no I/O.
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

    /// A `not_verified` wrong-code failure when `code` cannot be one of this vendor's
    /// codes at all (Twilio's are 4 to 10 characters), else None. `verify` reads it
    /// before it claims the record or asks the vendor, so such a code spends no
    /// attempt; the record's own rules (used, locked, expired) answer first.
    fn misfit(&self, code: &str) -> Option<Failure> {
        let _ = code;
        None
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
        if is_success(reply.status) {
            return Ok(Balance::default());
        }
        let v = serde_json::from_slice::<Value>(&reply.body).unwrap_or(Value::Null);
        Err(self.refusal(reply, &v))
    }

    /// The one reading of a reply the vendor did not accept, used by send, verify,
    /// status, cancel and the online check: the cause (`Kind`) from the vendor's
    /// documented error shape and HTTP status, its message and code. Adapters whose
    /// vendor documents codes or shapes override it; no code outside `providers/`
    /// reads vendor words or codes.
    fn refusal(&self, reply: &Reply, v: &Value) -> Failure {
        http_failure(
            self.info().id,
            reply,
            None,
            vendor_message(v),
            text_at(v, "error.code").or_else(|| text_at(v, "code")),
        )
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

    /// What the answer to a verify says is left (attempts, expiry), for vendors that
    /// report it; read from the same reply as `verify_reply`, whatever its verdict.
    fn verify_remaining(&self, reply: &Reply) -> Remaining {
        let _ = reply;
        Remaining::default()
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

    /// The status call, given the number the local record keeps: vendors that look a
    /// send up by number (infobip) need `to`; the rest ask by id. `to` is None when the
    /// record is gone.
    fn status_to(&self, id: &str, to: Option<&Phone>) -> Option<Request> {
        let _ = to;
        self.status(id)
    }

    /// Map the answer to `status`: the vendor's JSON, or a failure.
    fn status_reply(&self, reply: &Reply) -> Result<Value, Failure> {
        let v = reply_json(self.info().id, reply)?;
        if is_success(reply.status) {
            return Ok(v);
        }
        Err(self.refusal(reply, &v))
    }

    /// Map the answer to `cancel`: Ok when the OTP is (now) cancelled at the vendor.
    fn cancel_reply(&self, reply: &Reply) -> Result<(), Failure> {
        if is_success(reply.status) {
            return Ok(());
        }
        let v = serde_json::from_slice::<Value>(&reply.body).unwrap_or(Value::Null);
        Err(self.refusal(reply, &v))
    }

    /// The vendor's cancel call for `id`, where it has one.
    fn cancel(&self, id: &str) -> Option<Request> {
        let _ = id;
        None
    }

    /// A finished request (`--param` fields applied) signed at `stamp`, for vendors
    /// whose signature covers the method, path, body and time (sinch, telesign). The app
    /// passes every request through here just before it is printed or sent; the others
    /// return it unchanged.
    fn sign(&self, req: Request, stamp: &Stamp) -> Result<Request, Failure> {
        let _ = stamp;
        Ok(req)
    }
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
        Setting::default(value)
    }

    /// A setting the user chose (flag, env or profile).
    pub fn chosen<T>(value: T) -> Setting<T> {
        Setting::chosen(value)
    }

    /// Profile "t" of a config file holding `[profiles.t]` and then `body`.
    pub fn profile(body: &str) -> Profile {
        let text = format!("[profiles.t]\n{body}");
        let file = ConfigFile::parse(&text, Path::new("/x/config.toml")).unwrap();
        Profile::resolve(&file, Some("t"), &[], &schemas()).unwrap()
    }

    /// A JSON reply with this status and body.
    pub fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: Some("application/json".into()),
            body: body.as_bytes().to_vec(),
            retry_after: None,
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
                // A common key declared again (to make it required) keeps its type.
                if let Some(c) = crate::config::COMMON_KEYS.iter().find(|c| c.name == k.name) {
                    assert_eq!(
                        c.ty, k.ty,
                        "{}: key {} changes a common key's type",
                        info.id, k.name
                    );
                    assert!(
                        k.required,
                        "{}: key {} shadows a common key",
                        info.id, k.name
                    );
                }
            }
            match info.pin_by {
                PinBy::Tool => assert_eq!(info.verify, VerifyBy::Local),
                _ => assert_eq!(info.verify, VerifyBy::Provider),
            }
        }
    }

    #[test]
    fn starter_files_parse_for_every_provider() {
        for info in REGISTRY {
            let text = crate::config::starter(&info.schema(), &schemas());
            let f = crate::config::ConfigFile::parse(&text, std::path::Path::new("/x/config.toml"))
                .unwrap();
            let p = Profile::resolve(&f, Some(info.id), &[], &schemas()).unwrap();
            assert_eq!(p.schema.id, info.id);
        }
    }
}
