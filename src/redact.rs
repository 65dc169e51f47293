//! The one redactor. Every secret and PIN the run learns is registered here, and every
//! printer (text, JSON, `--verbose`, `--dry-run`, error chains) passes its text through
//! `scrub`, so a vendor that echoes a key back is redacted by value too (SPEC §6.3-4).

use base64::Engine as _;
use serde_json::Value;
use std::fmt;
use std::sync::Mutex;

static KNOWN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// What replaces a secret or PIN in anything printed.
pub const MASK: &str = "***";

/// Vendor text is cut to this many characters before it is printed.
pub const VENDOR_TEXT_MAX: usize = 300;

/// A secret value (API key, token, PIN). Its `Debug` and `Display` print `***`, so it
/// cannot reach an output by accident; `expose` is the one way to the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value and register it (and its encoded forms) with the redactor.
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        register(&value);
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// Register a value to be masked wherever it appears, with the forms it takes in a URL
/// query, a form body, and base64 (Basic auth). Values under 3 characters are left
/// alone: masking every "12" in the output would hide more than it protects.
pub fn register(value: &str) {
    let value = value.trim();
    if value.chars().count() < 3 {
        return;
    }
    let forms = [
        value.to_string(),
        form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>(),
        percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
        base64::engine::general_purpose::STANDARD.encode(value),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value),
    ];
    let mut known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    for form in forms {
        if !known.contains(&form) {
            known.push(form);
        }
    }
    // Longest first, so a value that contains another is masked whole.
    known.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// The `Authorization` value for HTTP Basic auth. Base64 of `user:secret` shares no text
/// with base64 of the secret alone, so the pair is registered too: a vendor or proxy
/// that echoes the header back is masked by value like any other secret.
pub fn basic_auth(user: &str, secret: &Secret) -> Secret {
    let pair = format!("{user}:{}", secret.expose());
    register(&pair);
    Secret::new(format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    ))
}

/// Mask every registered value in `text`.
pub fn scrub(text: &str) -> String {
    let known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_string();
    for value in known.iter() {
        if out.contains(value.as_str()) {
            out = out.replace(value.as_str(), MASK);
        }
    }
    out
}

/// Text that came from a vendor or the network: escapes and control characters removed,
/// cut to 300 characters, secrets masked.
pub fn vendor_text(text: &str) -> String {
    // Masked before it is cut: a cut through a secret would leave its first part.
    let clean = scrub(strip_controls(text).trim());
    if clean.chars().count() > VENDOR_TEXT_MAX {
        let mut s: String = clean.chars().take(VENDOR_TEXT_MAX).collect();
        s.push('…');
        s
    } else {
        clean
    }
}

/// Field names whose values are secrets or PINs wherever they appear in a request
/// (JSON body, form, query): masked by name too, so a value too short to be masked by
/// value (a 2-digit test PIN) or one passed with `--param` never prints.
const SECRET_FIELDS: &[&str] = &[
    "pin",
    "otp",
    "code",
    "api_key",
    "apikey",
    "secret",
    "token",
    "app_token",
    "password",
    "access_token",
    "client_secret",
];

/// In a vendor's reply `code` is usually an error code, so it stays readable there.
pub fn is_secret_field(name: &str, in_reply: bool) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_FIELDS.contains(&n.as_str()) && !(in_reply && n == "code")
}

/// Header names that carry credentials.
pub fn is_secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n == "proxy-authorization"
        || n.contains("api-key")
        || n.contains("token")
}

/// A header value with its credential masked, keeping an auth scheme visible
/// (`Bearer ***`, `Apikey ***`).
pub fn mask_header(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _)) if !scheme.is_empty() && scheme.len() <= 12 => format!("{scheme} {MASK}"),
        _ => MASK.to_string(),
    }
}

/// Mask, by field name, every secret-named field of a JSON value.
pub fn mask_json_fields(v: Value, in_reply: bool) -> Value {
    map_leaves(v, &|k| k, &mut |field, leaf| match field {
        Some(name) if is_secret_field(name, in_reply) && !leaf.is_null() => {
            Value::String(MASK.into())
        }
        _ => leaf,
    })
}

/// Mask registered secrets in every string of a JSON value.
pub fn scrub_json(v: Value) -> Value {
    map_strings(v, &mut |s| scrub(&s))
}

/// `f` applied to every string value in `v`, the structure and keys left alone.
pub fn map_strings(v: Value, f: &mut dyn FnMut(String) -> String) -> Value {
    map_leaves(v, &|k| k, &mut |_, leaf| match leaf {
        Value::String(s) => Value::String(f(s)),
        other => other,
    })
}

/// The one walk over a JSON value: `leaf` sees every string, number, bool and null with
/// the name of the object field holding it (None inside arrays and at the top), and
/// `key` maps every object key after its value was seen under the original name.
pub fn map_leaves(
    v: Value,
    key: &dyn Fn(String) -> String,
    leaf: &mut dyn FnMut(Option<&str>, Value) -> Value,
) -> Value {
    fn walk(
        v: Value,
        field: Option<&str>,
        key: &dyn Fn(String) -> String,
        leaf: &mut dyn FnMut(Option<&str>, Value) -> Value,
    ) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .map(|(k, v)| {
                        let v = walk(v, Some(&k), key, leaf);
                        (key(k), v)
                    })
                    .collect(),
            ),
            Value::Array(a) => {
                Value::Array(a.into_iter().map(|v| walk(v, None, key, leaf)).collect())
            }
            other => leaf(field, other),
        }
    }
    walk(v, None, key, leaf)
}

/// Remove ANSI escape sequences (CSI, OSC, two-byte escapes) and every other control
/// character; line breaks and tabs become spaces so one vendor message stays one line.
pub fn strip_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                // CSI: parameters and intermediates up to a final byte in @..~
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC, DCS, SOS, PM, APC: up to BEL or ESC \
                Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' {
                            if chars.peek() == Some(&'\\') {
                                chars.next();
                            }
                            break;
                        }
                    }
                }
                _ => {}
            },
            // C1 CSI
            '\u{9b}' => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            '\n' | '\r' | '\t' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if c.is_control() => {}
            // Bidi overrides can reorder what a terminal shows.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_displays() {
        let s = Secret::new("sk_live_abcdef");
        assert_eq!(format!("{s} {s:?}"), "*** ***");
        assert_eq!(s.expose(), "sk_live_abcdef");
    }

    #[test]
    fn scrub_masks_value_and_encoded_forms() {
        register("p@ss word/1");
        let b64 = base64::engine::general_purpose::STANDARD.encode("p@ss word/1");
        let text = format!("a p@ss word/1 b p%40ss+word%2F1 c {b64} d");
        assert_eq!(scrub(&text), "a *** b *** c *** d");
    }

    #[test]
    fn basic_auth_pair_is_masked_by_value() {
        let header = basic_auth("AC-user", &Secret::new("pair-secret-9"));
        let b64 = base64::engine::general_purpose::STANDARD.encode("AC-user:pair-secret-9");
        assert_eq!(header.expose(), format!("Basic {b64}"));
        assert_eq!(scrub(&format!("echo {b64}.")), "echo ***.");
    }

    #[test]
    fn short_values_are_not_registered() {
        register("ab");
        assert_eq!(scrub("abc ab"), "abc ab");
    }

    #[test]
    fn vendor_text_strips_escapes_and_cuts() {
        let t = "\u{1b}[31mred\u{1b}[0m \u{1b}]0;title\u{7}ok\r\nnext\u{7}";
        assert_eq!(vendor_text(t), "red ok next");
        let long = "x".repeat(400);
        let cut = vendor_text(&long);
        assert_eq!(cut.chars().count(), VENDOR_TEXT_MAX + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn json_walkers_mask_by_name_and_by_value() {
        register("walker-secret-1");
        let v = serde_json::json!({
            "pin": 1234, "code": "E12", "nested": {"token": "t", "list": ["walker-secret-1", null]},
            "pin_list": {"pin": null}
        });
        let masked = mask_json_fields(v.clone(), true);
        assert_eq!(masked["pin"], "***");
        assert_eq!(masked["code"], "E12");
        assert_eq!(masked["nested"]["token"], "***");
        assert_eq!(masked["pin_list"]["pin"], Value::Null);
        assert_eq!(mask_json_fields(v.clone(), false)["code"], "***");
        let scrubbed = scrub_json(v);
        assert_eq!(scrubbed["nested"]["list"][0], "***");
        assert_eq!(scrubbed["pin"], 1234);
        let keyed = map_leaves(
            serde_json::json!({"a\u{1b}[1m": 1}),
            &|k| strip_controls(&k),
            &mut |_, l| l,
        );
        assert_eq!(keyed, serde_json::json!({"a": 1}));
    }

    #[test]
    fn unterminated_escape_does_not_panic() {
        assert_eq!(vendor_text("a\u{1b}"), "a");
        assert_eq!(vendor_text("a\u{1b}["), "a");
        assert_eq!(vendor_text("a\u{1b}]abc"), "a");
    }
}
