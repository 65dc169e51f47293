//! The one redactor. Every secret and PIN the run learns is registered here, and every
//! printer (text, JSON, `--verbose`, `--dry-run`, error chains) passes its text through
//! `scrub`, so a vendor that echoes a key back is redacted by value too (the README).

use base64::Engine as _;
use serde_json::Value;
use std::fmt;
use std::sync::Mutex;

/// A registered form of a secret, and whether it is matched ignoring ASCII case (the
/// secret itself, percent-encoding and hex, whose case a vendor may change; base64 is
/// case-sensitive, so its forms match exactly).
struct Form {
    text: String,
    any_case: bool,
}

static KNOWN: Mutex<Vec<Form>> = Mutex::new(Vec::new());

/// What replaces a secret or PIN in anything printed.
pub const MASK: &str = "***";

/// Vendor text is cut to this many characters before it is printed.
pub const VENDOR_TEXT_MAX: usize = 300;

/// A secret value (API key, token, PIN). Its `Debug` and `Display` print `***`, so it
/// cannot reach an output by accident; `expose` is the one way to the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a credential and register it (and its encoded forms) with the redactor. A
    /// credential so short or so common that masking it by value would hide ordinary
    /// words is found by `new_weak_credentials`, for a warning.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret::credential(value, None)
    }

    /// `new` for a credential read from a named place (`api_key in profile "dev"`,
    /// `OTP_API_KEY`), so the weak-credential warning can name it.
    pub fn credential(value: impl Into<String>, place: Option<&str>) -> Secret {
        let value = value.into();
        note_credential(&value, place);
        register(&value);
        Secret(value)
    }

    /// A value kept out of `Debug` and `Display` but not masked by value anywhere: a
    /// test number's fixed code, which the config file shows in the open and which
    /// opens nothing at the vendor.
    pub fn unlisted(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// Wrap a PIN or a typed code: registered like a credential, but short by design,
    /// so never warned about.
    pub fn pin(value: impl Into<String>) -> Secret {
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

/// Below this many characters a credential is weak: masking it by value hits ordinary
/// text.
const WEAK_LEN: usize = 6;

/// Words that appear in what otp prints anyway: JSON literals, the document's field names
/// and enum values, provider ids, HTTP and URL words. A secret equal to one is masked in
/// free text, never in the fields the tool owns, and earns a warning.
const COMMON_WORDS: &[&str] = &[
    "true",
    "false",
    "null",
    "none",
    "ok",
    "outcome",
    "provider",
    "profile",
    "to",
    "id",
    "message_id",
    "verify_with",
    "expires_at",
    "segments",
    "encoding",
    "cost",
    "test",
    "tried",
    "error",
    "kind",
    "message",
    "http_status",
    "provider_code",
    "retryable",
    "retry_after",
    "route",
    "reason",
    "request",
    "method",
    "url",
    "headers",
    "body",
    "accepted",
    "dry_run",
    "rejected",
    "not_sent",
    "unknown",
    "verified",
    "not_verified",
    "usage",
    "config",
    "auth",
    "invalid_request",
    "insufficient_funds",
    "rate_limited",
    "not_found",
    "wrong_code",
    "expired",
    "attempts_exhausted",
    "already_used",
    "network",
    "timeout",
    "server",
    "bad_response",
    "refused_redirect",
    "too_large",
    "blocked",
    "store",
    "local",
    "gsm7",
    "ucs2",
    "unknown_id",
    "sms",
    "otp",
    "api",
    "http",
    "https",
    "get",
    "post",
    "delete",
    "redirect",
    "secret",
    "password",
    "passw0rd",
    "key",
    "apikey",
    "api_key",
    "token",
    "admin",
    "default",
    "example",
    "localhost",
    "json",
    "text",
    "whatsapp",
    "voice",
    "numeric",
    "alphanumeric",
    "letters",
    "send",
    "verify",
    "status",
    "cancel",
    "changeme",
    "123456",
    "1234567",
    "12345678",
    "qwerty",
    "letmein",
];

/// Whether a credential is too short or too common to be masked by value without
/// hiding ordinary words. `names` adds the words of the run's own vocabulary the
/// redactor cannot know (provider ids and aliases).
pub fn is_weak(value: &str, names: &[&str]) -> bool {
    let v = value.trim().to_ascii_lowercase();
    v.chars().count() < WEAK_LEN
        || COMMON_WORDS.contains(&v.as_str())
        || names.iter().any(|n| n.eq_ignore_ascii_case(&v))
}

/// Credentials loaded so far and whether they were looked at for weakness: the warning
/// is printed by the app, which knows the provider names and owns the output.
/// Each with the place it was read from, where known.
static CREDENTIALS: Mutex<Vec<(String, bool, Option<String>)>> = Mutex::new(Vec::new());

fn note_credential(value: &str, place: Option<&str>) {
    let mut all = CREDENTIALS.lock().unwrap_or_else(|e| e.into_inner());
    if !all.iter().any(|(v, _, _)| v == value) {
        all.push((value.to_string(), false, place.map(str::to_string)));
    }
}

/// The credentials loaded since the last call that are weak (`is_weak`), each by the
/// place it was read from (None where unknown); each is returned once per run, so its
/// warning is printed once.
pub fn new_weak_credentials(names: &[&str]) -> Vec<Option<String>> {
    let mut all = CREDENTIALS.lock().unwrap_or_else(|e| e.into_inner());
    let mut weak = Vec::new();
    for (v, seen, place) in all.iter_mut().filter(|(_, seen, _)| !*seen) {
        *seen = true;
        if !v.trim().is_empty() && is_weak(v, names) {
            weak.push(place.clone());
        }
    }
    weak
}

/// Register a value to be masked wherever it appears, in every form it takes in a URL
/// query, a form body, a header, or a vendor's echo: percent-encoded (either hex case),
/// base64 (standard and URL-safe, padded or not), hex, and any ASCII case of the value.
/// Values under 3 characters are left alone: masking every "12" would hide more than it
/// protects. A secret split across two fields, or base64 of it inside a longer base64
/// text at another alignment, cannot be found by value.
pub fn register(value: &str) {
    let value = value.trim();
    if value.chars().count() < 3 {
        return;
    }
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let pct = percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    let form = form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>();
    let hex: String = value.bytes().map(|b| format!("{b:02x}")).collect();
    let forms = [
        (value.to_string(), true),
        (pct, true),
        (form, true),
        (hex, true),
        (STANDARD.encode(value), false),
        (STANDARD_NO_PAD.encode(value), false),
        (URL_SAFE.encode(value), false),
        (URL_SAFE_NO_PAD.encode(value), false),
    ];
    let mut known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    for (text, any_case) in forms {
        if text.len() < 3 {
            continue;
        }
        let key = if any_case {
            text.to_ascii_lowercase()
        } else {
            text
        };
        if !known
            .iter()
            .any(|f| f.text == key && f.any_case == any_case)
        {
            known.push(Form {
                text: key,
                any_case,
            });
        }
    }
    // Longest first, so a value that contains another is masked whole.
    known.sort_by_key(|f| std::cmp::Reverse(f.text.len()));
}

/// The `Authorization` value for HTTP Basic auth. Base64 of `user:secret` shares no text
/// with base64 of the secret alone, so the pair is registered too: a vendor or proxy
/// that echoes the header back is masked by value like any other secret.
pub fn basic_auth(user: &str, secret: &Secret) -> Secret {
    let pair = format!("{user}:{}", secret.expose());
    register(&pair);
    Secret::pin(format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    ))
}

/// Mask every registered value in `text`.
pub fn scrub(text: &str) -> String {
    let known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_string();
    for form in known.iter() {
        out = if form.any_case {
            replace_any_case(&out, &form.text)
        } else if out.contains(form.text.as_str()) {
            out.replace(form.text.as_str(), MASK)
        } else {
            out
        };
    }
    out
}

/// `text` with every ASCII-case-insensitive match of `lower` (already lower-cased)
/// replaced by the mask. ASCII lower-casing keeps byte offsets, so the match positions
/// found in the lowered copy are valid in the original.
fn replace_any_case(text: &str, lower: &str) -> String {
    let hay = text.to_ascii_lowercase();
    if !hay.contains(lower) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in hay.match_indices(lower) {
        out.push_str(&text[last..at]);
        out.push_str(MASK);
        last = at + lower.len();
    }
    out.push_str(&text[last..]);
    out
}

/// The user's own input, echoed in an error: the same cleaning as vendor text.
pub fn echo(text: &str) -> String {
    vendor_text(text)
}

/// A text for a terminal, its line breaks kept: escapes, other control characters and
/// bidi overrides removed. The last step before stderr, so no echo slips through raw.
pub fn sanitize_lines(text: &str) -> String {
    text.split('\n')
        .map(strip_controls)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Characters that change how a terminal shows text without being visible themselves:
/// bidi embeddings, overrides and isolates, zero-width marks, the BOM.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

/// Whether `id` can be printed and given back as `--id`: one path segment (not empty,
/// `.` or `..`), at most 256 bytes, no white space, control or invisible character
/// (the README). `send` refuses to report a vendor handle that is not, and `verify`,
/// `status` and `cancel` refuse such an `--id`, so what one prints the others accept.
pub fn is_printable_id(id: &str) -> bool {
    !id.is_empty()
        && id != "."
        && id != ".."
        && id.len() <= 256
        && !id
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || is_invisible(c))
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
    "authkey",
    "secret",
    "token",
    "app_token",
    "password",
    "access_token",
    "client_secret",
    // telesign: the typed code in the verify query, and echoed in its replies
    "verify_code",
    "code_entered",
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
        || n == "apikey"
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

/// Fields of otp's own documents whose values the tool writes itself (ids, enum values,
/// names, the URL it built): cleaned of control characters, never masked by value, so a
/// secret equal to a common word cannot rewrite an id or an outcome (the README).
const OWNED_FIELDS: &[&str] = &[
    "ok",
    "outcome",
    "provider",
    "profile",
    "to",
    "id",
    "message_id",
    "verify_with",
    "expires_at",
    "sent_at",
    "segments",
    "encoding",
    "kind",
    "reason",
    "state",
    "method",
    "url",
    "name",
    "id_kind",
    "test",
    "retryable",
    "retry_after",
    "route",
    "http_status",
    "cancelled",
    "provider_cancelled",
    "local_record",
    "attempts_left",
    "path",
    "verify",
];

/// Fields holding vendor text or free text: every string inside is masked by value,
/// whatever the names below them.
const FREE_FIELDS: &[&str] = &[
    "provider_status",
    "cost",
    "body",
    "headers",
    "message",
    "problems",
    "detail",
    "provider_code",
    "hint",
    "warning",
    "note",
];

/// An otp document ready to print: field names, numbers, booleans and null kept as
/// they are, the fields the tool owns only cleaned, every other string masked by value.
/// Only string values change, so the document stays valid JSON.
pub fn scrub_document(v: Value) -> Value {
    fn walk(v: Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .map(|(k, v)| {
                        let v = if FREE_FIELDS.contains(&k.as_str()) {
                            scrub_json(v)
                        } else if OWNED_FIELDS.contains(&k.as_str()) {
                            map_strings(v, &mut |s| strip_controls(&s))
                        } else {
                            walk(v)
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.into_iter().map(walk).collect()),
            // JSON escapes control characters; multi-line text (an example profile) stays.
            Value::String(s) => Value::String(scrub(&s)),
            other => other,
        }
    }
    walk(v)
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
            c if is_invisible(c) => {}
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

    #[test]
    fn every_encoded_form_is_masked() {
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        let key = "canary+key/7?x>";
        register(key);
        let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
        let forms = [
            "canary%2Bkey%2F7%3Fx%3E".to_string(),
            "canary%2bkey%2f7%3fx%3e".to_string(),
            "canary%2Bkey%2f7%3Fx%3e".to_string(),
            "canary%2bkey%2f7%3fx%3e".to_uppercase(),
            STANDARD.encode(key),
            STANDARD_NO_PAD.encode(key),
            URL_SAFE.encode(key),
            URL_SAFE_NO_PAD.encode(key),
            hex.clone(),
            hex.to_uppercase(),
            key.to_uppercase(),
            "CaNaRy+KeY/7?X>".to_string(),
        ];
        for form in forms {
            let out = scrub(&format!("echo [{form}] end"));
            assert_eq!(out, "echo [***] end", "{form}");
        }
    }

    #[test]
    fn basic_auth_pair_forms_are_masked() {
        use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE};
        basic_auth("AC-user-2", &Secret::new("pair-secret-forms"));
        for form in [
            STANDARD_NO_PAD.encode("AC-user-2:pair-secret-forms"),
            URL_SAFE.encode("AC-user-2:pair-secret-forms"),
            "AC-user-2%3Apair-secret-forms".to_string(),
            "ac-user-2%3apair-secret-forms".to_string(),
        ] {
            assert_eq!(scrub(&format!("<{form}>")), "<***>", "{form}");
        }
    }

    #[test]
    fn weak_secrets_are_named() {
        for w in [
            "true", "null", "Termii", "SMS", "redirect", "abc12", "123456",
        ] {
            assert!(is_weak(w, &["termii"]), "{w}");
        }
        for s in ["sk_live_9f8e7d", "CANARY-sk-7f3a9c1e5b", "termii"] {
            assert!(!is_weak(s, &[]), "{s}");
        }
    }

    #[test]
    fn documents_keep_owned_fields_and_stay_json() {
        // Unit tests share one process: a made-up word plays the common one here (the
        // integration tests use `true`, `null`, `termii`, ... in their own processes).
        let w = "zqwordx";
        register(w);
        register("482913");
        let doc = serde_json::json!({
            "ok": true, "outcome": w, "provider": w, "id": "TX-482913-77",
            "to": "+15554829131", "verify_with": w, "cost": null,
            "error": {"kind": w, "message": "zqwordx said no for TX-482913-77",
                      "http_status": null, "provider_code": w, "retryable": false},
            "request": {"method": "POST", "url": "https://h/api/zqwordx/otp/send",
                        "headers": {"X": w}, "body": {"to": "x", "text": "code 482913"}},
            "other": w, "zqwordx": 1
        });
        let out = scrub_document(doc);
        let text = serde_json::to_string(&out).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["ok"], true);
        for owned in ["outcome", "provider", "verify_with"] {
            assert_eq!(back[owned], w, "{owned}");
        }
        assert_eq!(back["id"], "TX-482913-77");
        assert_eq!(back["to"], "+15554829131");
        assert_eq!(back["error"]["kind"], w);
        assert_eq!(back["error"]["message"], "*** said no for TX-***-77");
        assert_eq!(back["error"]["provider_code"], "***");
        assert_eq!(back["request"]["url"], "https://h/api/zqwordx/otp/send");
        assert_eq!(back["request"]["method"], "POST");
        assert_eq!(back["request"]["headers"]["X"], "***");
        assert_eq!(back["request"]["body"]["text"], "code ***");
        assert_eq!(back["other"], "***");
        assert_eq!(back["zqwordx"], 1, "field names are never rewritten");
        assert!(back["cost"].is_null());
    }

    #[test]
    fn printable_ids_are_the_ones_verify_takes() {
        for bad in [
            "",
            ".",
            "..",
            "a b",
            "a\u{1b}]0;x\u{7}",
            "a\u{202e}b",
            "a\u{200b}b",
            "a\nb",
        ] {
            assert!(!is_printable_id(bad), "{bad:?}");
        }
        assert!(!is_printable_id(&"x".repeat(257)));
        for good in ["TX-482913-77", "b1f2242a-44c5", "a.b", "...", "ünï"] {
            assert!(is_printable_id(good), "{good:?}");
        }
    }

    #[test]
    fn sanitize_lines_keeps_breaks_and_drops_escapes() {
        let t = "one \u{1b}]0;PWNED\u{7}\u{1b}[31mred\ntwo\u{202e}x";
        assert_eq!(sanitize_lines(t), "one red\ntwox");
    }
}
