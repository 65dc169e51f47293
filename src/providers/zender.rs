//! Zender (androidapi.net and other white-label hosts): Android phones or credit gateways
//! send an OTP the vendor makes and returns in `data.otp`; it is kept hashed only. Zender
//! gives no message id, so the `id` is a random UUID made here. Verify looks a code up by
//! value alone (`GET /api/get/otp`), so the local record ties it to this send.

use super::{
    http_failure, is_success, missing_field, reply_json, snippet, status_kind, text_at,
    vendor_message, Accepted, Balance, Channel, Info, Key, KeyType, LengthRule, Method, Otp, PinBy,
    Plan, Provider, Reply, Request, TtlRule, VerifyBy,
};
use crate::config::Profile;
use crate::error::{Failure, Kind, Reason};
use crate::redact::{self, Secret};
use serde_json::Value;

const ID: &str = "zender";

pub static INFO: Info = Info {
    id: ID,
    aliases: &["androidapi"],
    name: "Zender (androidapi.net)",
    about: "Zender Android SMS gateway (androidapi.net and other hosts); it makes the code",
    pin_by: PinBy::ProviderReturns,
    verify: VerifyBy::Provider,
    channels: &[Channel::Sms, Channel::Whatsapp],
    pin_types: &[],
    length: LengthRule::ProviderChooses(6),
    // Zender documents `expire` in seconds with a default of 300 and no bounds; a day
    // is our guess at a sane ceiling.
    ttl: TtlRule::Seconds(1, 86400),
    attempts: None,
    callback: false,
    default_base_url: Some("https://androidapi.net"),
    keys: &[
        Key::new(
            "api_key",
            KeyType::Secret,
            "API secret (Tools -> API Keys, with the otp permission), sent as `secret`",
        )
        .required(),
        Key::new(
            "mode",
            KeyType::Str,
            "SMS through your linked phones (devices) or paid gateways (credits)",
        )
        .default("devices"),
        Key::new(
            "device",
            KeyType::Str,
            "linked device unique ID; required for SMS in devices mode",
        ),
        Key::new(
            "gateway",
            KeyType::Str,
            "gateway or partner device ID; required for SMS in credits mode",
        ),
        Key::new("sim", KeyType::Int, "SIM slot 1 or 2 (devices mode)"),
        Key::new(
            "account",
            KeyType::Str,
            "WhatsApp account unique ID; required for --channel whatsapp",
        ),
        Key::new(
            "priority",
            KeyType::Int,
            "WhatsApp priority: 1 = yes, 2 = no (Zender's default)",
        ),
    ],
    example: "provider = \"zender\"\n\
              base_url = \"https://androidapi.net\"         # or your Zender host\n\
              api_key = { env = \"ZENDER_API_KEY\" }\n\
              mode = \"devices\"                            # devices | credits\n\
              device = \"your-device-unique-id\"          # devices mode: the Devices page shows it\n\
              # gateway = \"1\"                             # credits mode\n\
              # sim = 1\n\
              # account = \"...\"                           # for --channel whatsapp\n\
              message = \"Your code is {{code}}\"\n",
    credentials_hint: "the API secret is under Tools -> API Keys on your Zender host (give it the otp permission); device IDs are on the Devices page",
    decided_at: Some("the Zender host's settings"),
    writes_message: false,
    takes_sender: false,
    build,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Devices,
    Credits,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Devices => "devices",
            Mode::Credits => "credits",
        }
    }
}

struct Zender {
    base: String,
    key: Secret,
    mode: Mode,
    device: Option<String>,
    gateway: Option<String>,
    sim: Option<i64>,
    account: Option<String>,
    priority: Option<i64>,
    /// Profile name and label, for the hints of missing keys.
    profile: Option<String>,
    label: String,
}

fn build(p: &Profile) -> Result<Box<dyn Provider>, Failure> {
    let key = p.require_secret("api_key")?;
    let base = p.base_url()?;
    let mode = match p.str("mode").map(|m| m.trim().to_ascii_lowercase()) {
        None => Mode::Devices,
        Some(m) if m == "devices" => Mode::Devices,
        Some(m) if m == "credits" => Mode::Credits,
        Some(m) => {
            return Err(p
                .bad_value(
                    "mode",
                    format!("zender mode is devices or credits, not \"{m}\""),
                )
                .hint("devices sends through your linked phones, credits through paid gateways"))
        }
    };
    let one_or_two = |key: &str, what: &str| -> Result<Option<i64>, Failure> {
        match p.int(key)? {
            Some(n) if n != 1 && n != 2 => Err(p
                .bad_value(key, format!("zender {key} is 1 or 2 ({what}), not {n}"))
                .hint(format!("set {key} = 1 or {key} = 2, or remove it"))),
            other => Ok(other),
        }
    };
    let sim = one_or_two("sim", "the SIM slot")?;
    let priority = one_or_two("priority", "1 = priority, 2 = normal")?;
    if sim.is_some() && mode == Mode::Credits {
        return Err(p
            .bad_value(
                "sim",
                "zender takes sim only in devices mode, and mode is credits",
            )
            .hint("remove sim, or set mode = \"devices\""));
    }
    let text = |k: &str| {
        p.text(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    Ok(Box::new(Zender {
        base,
        key,
        mode,
        device: text("device"),
        gateway: text("gateway"),
        sim,
        account: text("account"),
        priority,
        profile: p.name.clone(),
        label: p.label(),
    }))
}

impl Zender {
    /// A config failure for a key this send needs, naming the key.
    fn needs(&self, key: &str, why: &str, what: &str) -> Failure {
        let place = match &self.profile {
            Some(n) => format!("set {key} = \"...\" in [profiles.{n}]"),
            None => format!("set {key} in a profile"),
        };
        Failure::config(format!(
            "{ID} needs `{key}` {why}, and {} does not set it",
            self.label
        ))
        .hint(format!(
            "{place} ({what}), or export {}",
            crate::config::env_name(key)
        ))
    }
}

impl Provider for Zender {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        // The message goes out from the linked phone's own number: there is no sender
        // field, and a sender the user set must not be dropped silently.
        if let Some(s) = otp.sender() {
            return Err(Failure::usage(format!(
                "zender has no sender ID (the SMS comes from the linked device's number), so sender \"{s}\" cannot be used"
            ))
            .hint("drop --sender / sender from the profile"));
        }
        let mut f: Vec<(String, String)> = Vec::new();
        let mut add = |k: &str, v: String| f.push((k.to_string(), v));
        add("secret", self.key.expose().to_string());
        add("type", otp.channel.as_str().to_string());
        add("message", otp.template.render("{{otp}}"));
        add("phone", otp.to.e164());
        add("expire", otp.ttl.value.as_secs().to_string());
        match otp.channel {
            Channel::Sms => {
                add("mode", self.mode.as_str().to_string());
                match self.mode {
                    Mode::Devices => {
                        let device = self.device.clone().ok_or_else(|| {
                            self.needs(
                                "device",
                                "to send SMS in devices mode",
                                "the linked phone's unique ID from the Devices page; or use mode = \"credits\" with a gateway",
                            )
                        })?;
                        add("device", device);
                        if let Some(sim) = self.sim {
                            add("sim", sim.to_string());
                        }
                    }
                    Mode::Credits => {
                        let gateway = self.gateway.clone().ok_or_else(|| {
                            self.needs(
                                "gateway",
                                "to send SMS in credits mode",
                                "a gateway or partner device ID from /api/get/rates",
                            )
                        })?;
                        add("gateway", gateway);
                    }
                }
            }
            Channel::Whatsapp => {
                let account = self.account.clone().ok_or_else(|| {
                    self.needs(
                        "account",
                        "to send by WhatsApp",
                        "the WhatsApp account's unique ID from your Zender host",
                    )
                })?;
                add("account", account);
                if let Some(p) = self.priority {
                    add("priority", p.to_string());
                }
            }
            Channel::Voice => {
                return Err(Failure::usage(format!("{ID} has no voice channel")));
            }
        }
        Ok(Plan::Http(
            Request::new(Method::Post, format!("{}/api/send/otp", self.base)).form(f),
        ))
    }

    /// Decided on the body's `status` (number or string), never on HTTP alone: Zender
    /// answers errors with HTTP 200 on some hosts.
    fn send_reply(&self, reply: &Reply) -> Result<Accepted, Failure> {
        let v = reply_json(ID, reply)?;
        match body_status(&v) {
            Some(s) if (200..300).contains(&s) => {}
            Some(s) => return Err(refusal(reply, &v, s, Call::Send)),
            None if !is_success(reply.status) => {
                return Err(http_failure(ID, reply, None, vendor_message(&v), None))
            }
            None => return Err(missing_field(ID, "status", reply)),
        }
        let pin = returned_pin(&v).ok_or_else(|| missing_field(ID, "data.otp", reply))?;
        Ok(Accepted {
            id: crate::message::new_id(),
            // Undocumented, but some Zender hosts add it: kept where present.
            message_id: text_at(&v, "data.messageId").or_else(|| text_at(&v, "data.id")),
            expires_at: None,
            cost: None,
            pin: Some(Secret::pin(pin)),
            warning: None,
        })
    }

    fn reply_secrets(&self) -> Option<fn(&Reply)> {
        Some(register_returned_pin)
    }

    /// `id` is ours, not Zender's: the code alone is looked up.
    fn verify(&self, _id: &str, code: &Secret) -> Result<Request, Failure> {
        let mut url = reqwest::Url::parse(&format!("{}/api/get/otp", self.base))
            .map_err(|_| Failure::config(format!("{ID}: base_url is not a valid URL")))?;
        url.query_pairs_mut()
            .append_pair("secret", self.key.expose())
            .append_pair("otp", code.expose());
        Ok(Request::new(Method::Get, url.to_string()))
    }

    fn verify_reply(&self, reply: &Reply) -> Result<(), Failure> {
        let v = reply_json(ID, reply)?;
        match body_status(&v) {
            Some(s) if (200..300).contains(&s) => Ok(()),
            Some(s) => Err(refusal(reply, &v, s, Call::Verify)),
            None if !is_success(reply.status) => {
                Err(http_failure(ID, reply, None, vendor_message(&v), None))
            }
            None => Err(Failure::unknown(
                Kind::BadResponse,
                format!(
                    "{ID} answered HTTP {} without `status`; the code was not verified",
                    reply.status
                ),
            )
            .status(reply.status)
            .detail(snippet(reply))),
        }
    }

    /// `GET /api/get/credits?secret=`: `data.credits` (a string) and `data.currency`.
    fn balance(&self) -> Option<Request> {
        let secret: String =
            form_urlencoded::byte_serialize(self.key.expose().as_bytes()).collect();
        Some(Request::new(
            Method::Get,
            format!("{}/api/get/credits?secret={secret}", self.base),
        ))
    }

    /// Body status 403 here means the key lacks the `get_credits` permission: Zender
    /// checks the secret first (401 when it is wrong), so the credentials work and only
    /// the balance is withheld.
    fn balance_reply(&self, reply: &Reply) -> Result<Balance, Failure> {
        let v = reply_json(ID, reply)?;
        match body_status(&v) {
            Some(s) if (200..300).contains(&s) => {
                let credits = text_at(&v, "data.credits")
                    .ok_or_else(|| missing_field(ID, "data.credits", reply))?;
                Ok(Balance {
                    amount: credits.trim().parse::<f64>().ok().filter(|a| a.is_finite()),
                    currency: text_at(&v, "data.currency")
                        .map(|c| redact::vendor_text(&c))
                        .filter(|c| !c.is_empty()),
                    note: None,
                })
            }
            Some(403) => Ok(Balance {
                note: Some(format!(
                    "the secret works, but {ID} did not give the balance ({}); give the key the get_credits permission to see it",
                    vendor_message(&v)
                        .map(|m| redact::vendor_text(&m))
                        .unwrap_or_else(|| "status 403".into())
                )),
                ..Balance::default()
            }),
            Some(s) => Err(refusal(reply, &v, s, Call::Check)),
            None if !is_success(reply.status) => {
                Err(http_failure(ID, reply, None, vendor_message(&v), None))
            }
            None => Err(missing_field(ID, "status", reply)),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    Send,
    Verify,
    /// The cost-free credits call of `config check --online`.
    Check,
}

/// The body's `status`, a number or a numeric string.
fn body_status(v: &Value) -> Option<u16> {
    text_at(v, "status")?.trim().parse().ok()
}

/// What Zender's message says went wrong. One body status (403) covers credits, quota,
/// subscription, device and key-permission failures, so the words decide the kind and
/// the next step; only a bad secret or a key without the permission points at api_key.
fn by_message(msg: &str) -> Option<(Kind, &'static str)> {
    let m = msg.to_ascii_lowercase();
    Some(if m.contains("not enough credits") {
        (
            Kind::InsufficientFunds,
            "top up the account's credits on your Zender host, or send in devices mode (mode = \"devices\" with a device)",
        )
    } else if m.contains("maximum allowed number of sent messages") {
        (
            Kind::RateLimited,
            "the plan's sending quota is used up: wait for it to renew, or raise it on your Zender host",
        )
    } else if m.contains("not subscribed") {
        (
            Kind::Auth,
            "the account has no active plan on this Zender host: subscribe or renew it there",
        )
    } else if m.contains("subscription has no permission") {
        (
            Kind::Auth,
            "the account's plan does not include this service: upgrade the plan on your Zender host",
        )
    } else if m.contains("device is not available") {
        (
            Kind::InvalidRequest,
            "check device and mode in the profile: the linked phone must be online and yours, or use mode = \"credits\" with a gateway",
        )
    } else if m.contains("invalid api secret") {
        (
            Kind::Auth,
            "check api_key: the secret must exist on this Zender host (Tools -> API Keys)",
        )
    } else if m.contains("doesn't have permission")
        || m.contains("does not have permission")
        || m.contains("api key")
    {
        (
            Kind::Auth,
            "check api_key: give the key the permission this call needs (otp for send and verify) under Tools -> API Keys",
        )
    } else {
        return None;
    })
}

/// A body whose `status` is not 2xx. Zender's message decides the kind where it is one
/// we know (`by_message`); else 401 and 403 are auth (403 is "access denied" on a send;
/// on a verify it is Zender's "OTP is invalid or expired!", which does not tell the two
/// apart), 400 a bad request, 404 a device or gateway that does not exist, and 5xx
/// leaves the outcome unknown, except "Not enough credits" (some builds answer it with
/// status 500 in credits mode: nothing was sent).
fn refusal(reply: &Reply, v: &Value, status: u16, call: Call) -> Failure {
    let said = vendor_message(v)
        .map(|m| redact::vendor_text(&m))
        .filter(|m| !m.is_empty());
    let what = said.clone().unwrap_or_else(|| format!("status {status}"));
    let code = Some(status.to_string());
    if call == Call::Verify && status == 403 && !says_access_denied(said.as_deref()) {
        // otp asks Zender only after the code matched the PIN kept from the send, so
        // "invalid or expired" here can only mean expired (or already used there).
        return Failure::not_verified(
            Reason::Expired,
            format!("{ID} no longer accepts this code, which is the one it sent: it has expired or was used ({what})"),
        )
        .status(reply.status)
        .code(code);
    }
    let known = said
        .as_deref()
        .and_then(by_message)
        .filter(|(kind, _)| (400..500).contains(&status) || *kind == Kind::InsufficientFunds);
    if let Some((kind, hint)) = known {
        return Failure::rejected(
            kind,
            format!("{ID} rejected the request (status {status}): {what}"),
        )
        .status(reply.status)
        .code(code)
        .detail(snippet(reply))
        .hint(hint);
    }
    if !(400..500).contains(&status) {
        let consequence = match call {
            Call::Send => "the SMS may or may not have been sent",
            Call::Verify => "the code was not verified",
            Call::Check => "the credentials could not be confirmed",
        };
        return Failure::unknown(
            if status >= 500 {
                Kind::Server
            } else {
                Kind::BadResponse
            },
            format!("{ID} answered status {status}: {what}; {consequence}"),
        )
        .status(reply.status)
        .code(code)
        .detail(snippet(reply))
        .hint(match call {
            Call::Send => {
                "check the number's inbox before sending again: retrying may send a second SMS"
            }
            Call::Verify => "try again later; the code may still be valid",
            Call::Check => "try again later; the check sends nothing",
        });
    }
    let kind = match status {
        401 | 403 => Kind::Auth,
        404 => Kind::NotFound,
        400 => Kind::InvalidRequest,
        s => status_kind(s),
    };
    let f = Failure::rejected(
        kind,
        format!("{ID} rejected the request (status {status}): {what}"),
    )
    .status(reply.status)
    .code(code)
    .detail(snippet(reply));
    match (kind, status, call) {
        (Kind::NotFound, _, Call::Send) => {
            f.hint("check device (devices mode) or gateway (credits mode) in the profile")
        }
        (Kind::Auth, 401, _) => f.hint(
            "check api_key: the secret must exist on this Zender host (Tools -> API Keys)",
        ),
        // A 403 whose words we do not know: any of the causes Zender folds into it.
        (Kind::Auth, _, _) => f.hint(
            "Zender's message says why; it may be the account's plan or credits, or api_key lacking the otp permission (Tools -> API Keys)",
        ),
        _ => f,
    }
}

/// A 403 on verify that is about the key, not the code.
fn says_access_denied(msg: Option<&str>) -> bool {
    msg.map(str::to_ascii_lowercase).is_some_and(|m| {
        ["denied", "permission", "api key", "secret"]
            .iter()
            .any(|w| m.contains(w))
    })
}

/// `data.otp`, a number or a string. A number loses leading zeros, so they are taken
/// back from the echoed `data.message` when it holds the code zero-padded.
fn returned_pin(v: &Value) -> Option<String> {
    let data = v.get("data")?;
    let pin = match data.get("otp")? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => {
            let digits = n.as_u64()?.to_string();
            data.get("message")
                .and_then(Value::as_str)
                .and_then(|m| zero_padded(m, &digits))
                .unwrap_or(digits)
        }
        _ => return None,
    };
    let ok = !pin.is_empty() && pin.len() <= 32 && pin.chars().all(|c| c.is_ascii_alphanumeric());
    ok.then_some(pin)
}

fn zero_padded(message: &str, digits: &str) -> Option<String> {
    message
        .split(|c: char| !c.is_ascii_digit())
        .find(|run| {
            run.len() > digits.len()
                && run.ends_with(digits)
                && run[..run.len() - digits.len()].bytes().all(|b| b == b'0')
        })
        .map(str::to_string)
}

/// Run on the send reply as soon as it is read, before `--verbose` prints it.
fn register_returned_pin(reply: &Reply) {
    if let Ok(v) = serde_json::from_slice::<Value>(&reply.body) {
        if let Some(pin) = returned_pin(&v) {
            redact::register(&pin);
        }
        // The number as the vendor wrote it too: leading zeros lost in a JSON number.
        if let Some(raw) = crate::providers::text_at(&v, "data.otp") {
            redact::register(&raw);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Outcome;
    use crate::providers::testing::{self, reply};
    use crate::providers::{Body, Setting};
    use std::time::Duration;

    const KEY: &str = "zender-unit-secret";

    fn provider(mode: Mode) -> Zender {
        Zender {
            base: "https://androidapi.net".into(),
            key: Secret::new(KEY),
            mode,
            device: Some("00000000-0000-0000-d57d-f30cb6a89289".into()),
            gateway: Some("7".into()),
            sim: Some(2),
            account: Some("wa-1".into()),
            priority: Some(1),
            profile: Some("t".into()),
            label: "profile \"t\"".into(),
        }
    }

    fn otp(channel: Channel, ttl: u64) -> Otp {
        let mut o = testing::otp("+63 918 466 1533", None, "Your code is {{code}}");
        o.channel = channel;
        o.ttl = Setting {
            value: Duration::from_secs(ttl),
            explicit: ttl != 300,
        };
        o
    }

    fn form(p: &Zender, o: &Otp) -> Vec<(String, String)> {
        let Plan::Http(r) = p.send(o).unwrap() else {
            panic!("not http")
        };
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.url, "https://androidapi.net/api/send/otp");
        assert!(r.headers.is_empty());
        let Body::Form(f) = r.body else {
            panic!("not a form")
        };
        f
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const SUCCESS: &str = r#"{"status":200,"message":"OTP has been sent!","data":{"phone":"+639184661533","message":"Your code is 345678","otp":345678}}"#;

    #[test]
    fn sms_in_devices_mode() {
        let f = form(&provider(Mode::Devices), &otp(Channel::Sms, 300));
        assert_eq!(
            f,
            pairs(&[
                ("secret", KEY),
                ("type", "sms"),
                ("message", "Your code is {{otp}}"),
                ("phone", "+639184661533"),
                ("expire", "300"),
                ("mode", "devices"),
                ("device", "00000000-0000-0000-d57d-f30cb6a89289"),
                ("sim", "2"),
            ])
        );
    }

    #[test]
    fn sms_in_credits_mode_and_whatsapp() {
        let f = form(&provider(Mode::Credits), &otp(Channel::Sms, 90));
        assert_eq!(
            f,
            pairs(&[
                ("secret", KEY),
                ("type", "sms"),
                ("message", "Your code is {{otp}}"),
                ("phone", "+639184661533"),
                ("expire", "90"),
                ("mode", "credits"),
                ("gateway", "7"),
            ])
        );
        let f = form(&provider(Mode::Devices), &otp(Channel::Whatsapp, 300));
        assert_eq!(
            f,
            pairs(&[
                ("secret", KEY),
                ("type", "whatsapp"),
                ("message", "Your code is {{otp}}"),
                ("phone", "+639184661533"),
                ("expire", "300"),
                ("account", "wa-1"),
                ("priority", "1"),
            ])
        );
    }

    #[test]
    fn keys_a_send_needs_are_config_errors_naming_them() {
        let mut p = provider(Mode::Devices);
        p.device = None;
        let e = p.send(&otp(Channel::Sms, 300)).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("`device`"), "{}", e.message);
        assert!(e.hint.unwrap().contains("[profiles.t]"));
        let mut p = provider(Mode::Credits);
        p.gateway = None;
        let e = p.send(&otp(Channel::Sms, 300)).unwrap_err();
        assert!(e.message.contains("`gateway`"), "{}", e.message);
        assert_eq!(e.exit_code(), 3);
        let mut p = provider(Mode::Devices);
        p.account = None;
        let e = p.send(&otp(Channel::Whatsapp, 300)).unwrap_err();
        assert!(e.message.contains("`account`"), "{}", e.message);
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn success_returns_the_pin_as_a_secret_and_a_fresh_id() {
        let p = provider(Mode::Devices);
        let a = p.send_reply(&reply(200, SUCCESS)).unwrap();
        assert_eq!(a.pin.as_ref().map(Secret::expose), Some("345678"));
        assert_eq!(format!("{:?}", a.pin), "Some(***)");
        assert_eq!(a.id.len(), 36);
        assert_eq!(a.id.as_bytes()[14], b'4');
        assert!(a.message_id.is_none() && a.cost.is_none() && a.expires_at.is_none());
        let b = p.send_reply(&reply(200, SUCCESS)).unwrap();
        assert_ne!(a.id, b.id);
        // status and otp as strings
        let a = p
            .send_reply(&reply(
                200,
                r#"{"status":"200","message":"OTP has been sent!","data":{"otp":"045678"}}"#,
            ))
            .unwrap();
        assert_eq!(a.pin.unwrap().expose(), "045678");
    }

    #[test]
    fn leading_zeros_come_back_from_the_echoed_message() {
        let v = serde_json::json!({"data": {"message": "Code 5 min: 004567", "otp": 4567}});
        assert_eq!(returned_pin(&v).as_deref(), Some("004567"));
        let v = serde_json::json!({"data": {"message": "Code 4567", "otp": 4567}});
        assert_eq!(returned_pin(&v).as_deref(), Some("4567"));
        let v = serde_json::json!({"data": {"otp": 4567}});
        assert_eq!(returned_pin(&v).as_deref(), Some("4567"));
        for bad in [
            serde_json::json!({"data": false}),
            serde_json::json!({"data": {"otp": -1}}),
            serde_json::json!({"data": {"otp": 1.5}}),
            serde_json::json!({"data": {"otp": "12 34"}}),
            serde_json::json!({"data": {"otp": null}}),
        ] {
            assert_eq!(returned_pin(&bad), None, "{bad}");
        }
    }

    #[test]
    fn body_status_decides_even_with_http_200() {
        let p = provider(Mode::Devices);
        let cases = [
            (
                r#"{"status":400,"message":"Invalid Parameters!","data":false}"#,
                Kind::InvalidRequest,
            ),
            (
                r#"{"status":401,"message":"Invalid API secret!","data":false}"#,
                Kind::Auth,
            ),
            (
                r#"{"status":"403","message":"Access denied!","data":false}"#,
                Kind::Auth,
            ),
            (
                r#"{"status":404,"message":"Device doesn't exist!","data":false}"#,
                Kind::NotFound,
            ),
        ];
        for (body, kind) in cases {
            let f = p.send_reply(&reply(200, body)).unwrap_err();
            assert_eq!(f.kind, kind, "{body}");
            assert_eq!(f.outcome, Outcome::Rejected);
            assert_eq!(f.exit_code(), 4);
            assert_eq!(f.http_status, Some(200));
            assert!(f.provider_code.is_some());
        }
        let f = p
            .send_reply(&reply(
                200,
                r#"{"status":500,"message":"Something went wrong!","data":false}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Server, 6));
        assert_eq!(f.provider_code.as_deref(), Some("500"));
        // HTTP mirrors the body on some hosts
        let f = p
            .send_reply(&reply(
                401,
                r#"{"status":401,"message":"Invalid API secret!","data":false}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
    }

    #[test]
    fn a_yes_without_the_pin_or_status_is_unknown() {
        let p = provider(Mode::Devices);
        for body in [
            "{}",
            r#"{"status":200,"message":"OTP has been sent!","data":false}"#,
            r#"{"message":"OTP has been sent!","data":{"otp":123456}}"#,
        ] {
            let f = p.send_reply(&reply(200, body)).unwrap_err();
            assert_eq!((f.kind, f.exit_code()), (Kind::BadResponse, 6), "{body}");
        }
    }

    #[test]
    fn verify_url_is_encoded() {
        let mut p = provider(Mode::Devices);
        p.key = Secret::new("a&b=c d");
        let r = p.verify("any", &Secret::new("345678")).unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(
            r.url,
            "https://androidapi.net/api/get/otp?secret=a%26b%3Dc+d&otp=345678"
        );
        assert_eq!(r.body, Body::Empty);
        assert!(!r.render_text().contains("a%26b"));
    }

    #[test]
    fn verify_reads_the_body_status() {
        let p = provider(Mode::Devices);
        assert!(p
            .verify_reply(&reply(
                200,
                r#"{"status":200,"message":"OTP has been verified!","data":false}"#
            ))
            .is_ok());
        let f = p
            .verify_reply(&reply(
                200,
                r#"{"status":403,"message":"OTP is invalid or expired!","data":false}"#,
            ))
            .unwrap_err();
        // reached only once the code matched the kept PIN: so it expired (or was used)
        assert_eq!(f.reason, Some(Reason::Expired));
        assert_eq!(f.exit_code(), 1);
        assert!(f.message.contains("expired or was used"), "{}", f.message);
        let f = p
            .verify_reply(&reply(
                403,
                r#"{"status":403,"message":"Access denied!","data":false}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        let f = p
            .verify_reply(&reply(
                200,
                r#"{"status":401,"message":"Invalid API secret!","data":false}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        let f = p
            .verify_reply(&reply(
                200,
                r#"{"status":400,"message":"Invalid Parameters!"}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::InvalidRequest, 4));
        let f = p
            .verify_reply(&reply(
                200,
                r#"{"status":500,"message":"Something went wrong!"}"#,
            ))
            .unwrap_err();
        assert_eq!(f.exit_code(), 6);
        assert!(f.message.contains("not verified"), "{}", f.message);
        let f = p.verify_reply(&reply(200, "{}")).unwrap_err();
        assert_eq!(f.exit_code(), 6);
    }

    #[test]
    fn the_reply_scanner_registers_the_pin() {
        register_returned_pin(&reply(
            200,
            r#"{"status":200,"data":{"message":"Your code is 918273","otp":918273}}"#,
        ));
        assert_eq!(redact::scrub("code 918273"), "code ***");
    }

    #[test]
    fn one_status_many_causes_the_message_decides() {
        let p = provider(Mode::Credits);
        for (status, message, kind, hint) in [
            (
                403,
                "Not enough credits to send the messages!",
                Kind::InsufficientFunds,
                "top up",
            ),
            (
                500,
                "Not enough credits to send the messages!",
                Kind::InsufficientFunds,
                "top up",
            ),
            (
                403,
                "Maximum allowed number of sent messages has been reached!",
                Kind::RateLimited,
                "quota",
            ),
            (
                403,
                "Account is not subscribed to any package!",
                Kind::Auth,
                "plan",
            ),
            (
                403,
                "Subscription has no permission to use SMS services!",
                Kind::Auth,
                "upgrade the plan",
            ),
            (
                403,
                "Device is not available!",
                Kind::InvalidRequest,
                "device and mode",
            ),
            (401, "Invalid API secret supplied!", Kind::Auth, "api_key"),
            (
                403,
                "This API key doesn't have permission to use this endpoint!",
                Kind::Auth,
                "api_key",
            ),
        ] {
            let body = format!(r#"{{"status":{status},"message":"{message}","data":false}}"#);
            let f = p.send_reply(&reply(200, &body)).unwrap_err();
            assert_eq!(f.kind, kind, "{message}");
            assert_eq!(f.outcome, Outcome::Rejected, "{message}");
            assert_eq!(f.exit_code(), 4, "{message}");
            assert_eq!(f.provider_code, Some(status.to_string()));
            let h = f.hint.unwrap();
            assert!(h.contains(hint), "{message}: {h}");
            // only the secret and the key's permission point at api_key
            assert_eq!(h.contains("api_key"), hint == "api_key", "{message}: {h}");
        }
        // a 500 that is not about credits leaves the outcome unknown
        let f = p
            .send_reply(&reply(
                200,
                r#"{"status":500,"message":"Device is not available!"}"#,
            ))
            .unwrap_err();
        assert_eq!(f.exit_code(), 6);
        // verify: a plan or permission 403 is about the account, not the code
        let f = p
            .verify_reply(&reply(
                200,
                r#"{"status":403,"message":"Subscription has no permission to use SMS services!"}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
    }

    #[test]
    fn credits_request_and_reply() {
        let p = provider(Mode::Devices);
        let r = p.balance().unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(
            r.url,
            format!("https://androidapi.net/api/get/credits?secret={KEY}")
        );
        assert!(
            r.render_text().contains("secret=***"),
            "{}",
            r.render_text()
        );
        let b = p
            .balance_reply(&reply(
                200,
                r#"{"status":200,"message":"Remaining Credits","data":{"credits":"798.634","currency":"GBP"}}"#,
            ))
            .unwrap();
        assert_eq!(
            (b.amount, b.currency.as_deref(), b.note),
            (Some(798.634), Some("GBP"), None)
        );
        // no get_credits permission: the secret was accepted, the balance withheld
        let b = p
            .balance_reply(&reply(
                200,
                r#"{"status":403,"message":"This API key doesn't have permission to use this endpoint!"}"#,
            ))
            .unwrap();
        assert_eq!(b.amount, None);
        assert!(b.note.unwrap().contains("get_credits"));
        let f = p
            .balance_reply(&reply(
                200,
                r#"{"status":401,"message":"Invalid API secret supplied!"}"#,
            ))
            .unwrap_err();
        assert_eq!((f.kind, f.exit_code()), (Kind::Auth, 4));
        let f = p
            .balance_reply(&reply(
                200,
                r#"{"status":500,"message":"Something went wrong!"}"#,
            ))
            .unwrap_err();
        assert_eq!(f.exit_code(), 6);
        let f = p
            .balance_reply(&reply(200, r#"{"status":200,"data":false}"#))
            .unwrap_err();
        assert_eq!(f.exit_code(), 6);
    }
}
