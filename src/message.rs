//! SMS message building for one-time PINs: the user's template with its PIN slot,
//! how many SMS parts the final text costs (GSM 03.38 vs UCS-2), and PIN generation
//! from the operating system's CSPRNG.

use std::fmt;
use std::str::FromStr;

use rand::rngs::OsRng;
use rand::{Rng, RngCore, TryRngCore};

/// How the OTP reaches the phone (`--channel`). A vendor declares which it offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Whatsapp,
    Voice,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Whatsapp => "whatsapp",
            Channel::Voice => "voice",
        }
    }
}

/// Every spelling of the PIN slot. Vendors document their own placeholder, so a
/// template copied from a vendor's console must keep working unchanged.
const CODE_PLACEHOLDERS: [&str; 4] = ["{{code}}", "%s", "{{pin}}", "{{otp}}"];
const MINUTES_PLACEHOLDER: &str = "{{minutes}}";

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Code,
}

const EXAMPLE_HINT: &str =
    "put {{code}} where the PIN goes, e.g. --message \"Your code is {{code}}\"";

/// A spelling that was probably meant as the PIN slot: `{{CODE}}`, `{{ code }}`,
/// `{code}`, `{pin}`... (any case, one or two braces, spaces inside).
fn near_placeholder(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let from = &rest[open..];
        let close = from.find('}')?;
        let inner = from[..close].trim_start_matches('{').trim();
        if ["code", "pin", "otp"]
            .iter()
            .any(|w| inner.eq_ignore_ascii_case(w))
        {
            let end = close + from[close..].chars().take_while(|c| *c == '}').count();
            return Some(from[..end].to_string());
        }
        rest = &from[1..];
    }
    None
}

/// A message template with the PIN position(s) marked. The user writes `{{code}}`;
/// the vendor placeholders `%s`, `{{pin}}`, `{{otp}}` are accepted as the same thing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// What is wrong with a template, and where one helps, the hint: what to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError(pub String, pub Option<String>);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateError {}

impl Template {
    /// Parse `text`. The code placeholder ({{code}}, %s, {{pin}}, {{otp}} all count) must occur exactly once.
    /// `{{minutes}}` is replaced by `minutes` (decimal) at parse time, any number of times.
    /// Empty / whitespace-only text is an error.
    pub fn parse(text: &str, minutes: u64) -> Result<Template, TemplateError> {
        if text.trim().is_empty() {
            return Err(TemplateError(
                "message template is empty".to_string(),
                Some(EXAMPLE_HINT.into()),
            ));
        }
        let minutes = minutes.to_string();
        let mut template = Template { parts: Vec::new() };
        let mut codes = 0usize;
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(p) = CODE_PLACEHOLDERS.iter().find(|p| rest.starts_with(**p)) {
                template.parts.push(Part::Code);
                codes += 1;
                rest = &rest[p.len()..];
            } else if let Some(after) = rest.strip_prefix(MINUTES_PLACEHOLDER) {
                template.push_text(&minutes);
                rest = after;
            } else {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    let mut buf = [0u8; 4];
                    template.push_text(c.encode_utf8(&mut buf));
                }
                rest = chars.as_str();
            }
        }
        match codes {
            0 => Err(TemplateError(
                "message template has no {{code}} placeholder".to_string(),
                Some(near_placeholder(text).map_or(EXAMPLE_HINT.to_string(), |seen| {
                    format!("write the placeholder as {{{{code}}}} (lower case, two braces, no spaces), not {seen}")
                })),
            )),
            1 => Ok(template),
            n => Err(TemplateError(
                format!(
                    "the {{{{code}}}} placeholder must appear exactly once in the message template, \
                     found {n} (%s, {{{{pin}}}} and {{{{otp}}}} count as {{{{code}}}})"
                ),
                Some("keep one {{code}} where the PIN goes".into()),
            )),
        }
    }

    /// Append a line (joined with '\n') that carries no code, e.g. an Android SMS Retriever app hash.
    pub fn push_line(&mut self, line: &str) {
        self.push_text("\n");
        self.push_text(line);
    }

    /// Append a line holding the code, the WebOTP line `@DOMAIN #<code>`.
    pub fn push_webotp_line(&mut self, domain: &str) {
        self.push_text("\n@");
        self.push_text(domain);
        self.push_text(" #");
        self.parts.push(Part::Code);
    }

    /// The text with every code position replaced by `code` (a vendor placeholder like "{{pin}}" or "%s", or a real PIN).
    pub fn render(&self, code: &str) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Code => out.push_str(code),
            }
        }
        out
    }

    /// Merging adjacent text keeps equal templates structurally equal, whatever
    /// route (parse, `{{minutes}}`, push_line) produced them.
    fn push_text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some(Part::Text(last)) = self.parts.last_mut() {
            last.push_str(s);
        } else {
            self.parts.push(Part::Text(s.to_string()));
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    pub units: usize,
    pub parts: usize,
}

/// GSM 03.38 default alphabet (basic table), in code-point order 0x00..=0x7F minus ESC (0x1B).
const GSM_BASIC: &str = concat!(
    "@£$¥èéùìòÇ\nØø\rÅå",
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ",
    " !\"#¤%&'()*+,-./",
    "0123456789:;<=>?",
    "¡ABCDEFGHIJKLMNO",
    "PQRSTUVWXYZÄÖÑÜ§",
    "¿abcdefghijklmno",
    "pqrstuvwxyzäöñüà",
);

/// Extension table characters: each is sent as ESC + char, hence two septets.
const GSM_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// Septets needed for `c` in GSM 7-bit, or `None` if it forces UCS-2.
fn gsm_septets(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Counts parts the way handsets split concatenated SMS: a part is filled greedily
/// but a two-unit character (escape pair, surrogate pair) is never split across
/// parts, so naive `ceil(units / per_part)` can undercount.
fn count_parts(
    weights: impl Iterator<Item = usize> + Clone,
    single: usize,
    per_part: usize,
) -> (usize, usize) {
    let units: usize = weights.clone().sum();
    if units <= single {
        return (units, 1);
    }
    let mut parts = 1usize;
    let mut current = 0usize;
    for w in weights {
        if current + w > per_part {
            parts += 1;
            current = 0;
        }
        current += w;
    }
    (units, parts)
}

/// GSM 03.38: if every char is in the GSM 7-bit default alphabet or its extension table, encoding is Gsm7,
/// units = septets (extension chars count 2), parts = 1 if units <= 160 else 153-septet parts.
/// Otherwise Ucs2: units = UTF-16 code units, parts = 1 if units <= 70 else 67-unit parts.
/// Empty text is 1 part (0 units). Parts never split an escape pair or a surrogate pair.
pub fn segments(text: &str) -> Segments {
    if text.chars().all(|c| gsm_septets(c).is_some()) {
        let (units, parts) =
            count_parts(text.chars().map(|c| gsm_septets(c).unwrap_or(2)), 160, 153);
        Segments {
            encoding: Encoding::Gsm7,
            units,
            parts,
        }
    } else {
        let (units, parts) = count_parts(text.chars().map(char::len_utf16), 70, 67);
        Segments {
            encoding: Encoding::Ucs2,
            units,
            parts,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PinType {
    Numeric,
    Alphanumeric,
    Letters,
}

impl PinType {
    pub const ALL: [PinType; 3] = [PinType::Numeric, PinType::Alphanumeric, PinType::Letters];

    pub fn as_str(self) -> &'static str {
        match self {
            PinType::Numeric => "numeric",
            PinType::Alphanumeric => "alphanumeric",
            PinType::Letters => "letters",
        }
    }

    fn alphabet(self) -> &'static [u8] {
        match self {
            PinType::Numeric => b"0123456789",
            PinType::Alphanumeric => b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            PinType::Letters => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        }
    }
}

impl fmt::Display for PinType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PinType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        PinType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown PIN type {s:?}: expected numeric, alphanumeric or letters")
            })
    }
}

/// A PIN from the OS CSPRNG, each character sampled uniformly (rejection sampling via
/// `random_range`, because `byte % n` biases towards the low characters).
/// Exactly `len` characters (leading zeros kept).
pub fn generate_pin(len: usize, kind: PinType) -> String {
    let alphabet = kind.alphabet();
    // A PIN must never come from a weaker source, so an OS RNG failure aborts
    // rather than falling back.
    let mut rng = OsRng.unwrap_err();
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

/// Random bytes from the OS CSPRNG (salts, ids).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    OsRng.unwrap_err().fill_bytes(&mut b);
    b
}

/// A fresh UUID v4-shaped id from the OS CSPRNG, for sends whose vendor names no message
/// (console, zender).
pub fn new_id() -> String {
    let mut b: [u8; 16] = random_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(text: &str) -> (Encoding, usize, usize) {
        let s = segments(text);
        (s.encoding, s.units, s.parts)
    }

    #[test]
    fn new_ids_are_uuid_v4_shaped_and_fresh() {
        let id = new_id();
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{id}");
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"), "{id}");
        assert_ne!(id, new_id());
    }

    #[test]
    fn gsm_plain_text() {
        assert_eq!(
            seg("Your verification code is 123456"),
            (Encoding::Gsm7, 32, 1)
        );
        assert_eq!(seg("Votre code Acme est 123456"), (Encoding::Gsm7, 26, 1));
        assert_eq!(seg(""), (Encoding::Gsm7, 0, 1));
    }

    #[test]
    fn gsm_part_boundaries() {
        let a = |n| "a".repeat(n);
        assert_eq!(seg(&a(160)), (Encoding::Gsm7, 160, 1));
        assert_eq!(seg(&a(161)), (Encoding::Gsm7, 161, 2));
        assert_eq!(seg(&a(306)), (Encoding::Gsm7, 306, 2));
        assert_eq!(seg(&a(307)), (Encoding::Gsm7, 307, 3));
    }

    #[test]
    fn gsm_extension_counts_two() {
        assert_eq!(seg("€"), (Encoding::Gsm7, 2, 1));
        for c in ['^', '{', '}', '\\', '[', ']', '~', '|', '€', '\u{0C}'] {
            assert_eq!(seg(&c.to_string()), (Encoding::Gsm7, 2, 1), "{c:?}");
        }
        assert_eq!(seg(&"€".repeat(80)), (Encoding::Gsm7, 160, 1));
        assert_eq!(seg(&"€".repeat(81)), (Encoding::Gsm7, 162, 2));
        // 76 escape pairs fill a 153-septet part to 152, so 153 of them need 3 parts.
        assert_eq!(seg(&"€".repeat(152)), (Encoding::Gsm7, 304, 2));
        assert_eq!(seg(&"€".repeat(153)), (Encoding::Gsm7, 306, 3));
    }

    #[test]
    fn escape_pair_never_split() {
        // 306 septets would fit two parts, but the € straddles septet 153.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(seg(&text), (Encoding::Gsm7, 306, 3));
        let text = format!("{}€{}", "a".repeat(151), "a".repeat(153));
        assert_eq!(seg(&text), (Encoding::Gsm7, 306, 2));
    }

    #[test]
    fn whole_gsm_alphabet_is_gsm7() {
        let basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                     ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
        assert_eq!(basic.chars().count(), 127);
        assert_eq!(seg(basic), (Encoding::Gsm7, 127, 1));
    }

    #[test]
    fn non_gsm_is_ucs2() {
        assert_eq!(seg("Votre code est ç"), (Encoding::Ucs2, 16, 1));
        assert_eq!(seg("Ваш код й"), (Encoding::Ucs2, 9, 1));
        assert_eq!(seg("code 😀"), (Encoding::Ucs2, 7, 1));
        assert_eq!(seg("`"), (Encoding::Ucs2, 1, 1));
        // Latin look-alikes that are not in the table.
        for c in [
            'ç', 'á', 'í', 'ó', 'ú', 'ê', 'ë', 'ã', 'õ', '\t', '\u{1B}', 'Ç',
        ] {
            let expect = if c == 'Ç' {
                Encoding::Gsm7
            } else {
                Encoding::Ucs2
            };
            assert_eq!(segments(&c.to_string()).encoding, expect, "{c:?}");
        }
    }

    #[test]
    fn ucs2_part_boundaries() {
        assert_eq!(seg(&"й".repeat(70)), (Encoding::Ucs2, 70, 1));
        assert_eq!(seg(&"й".repeat(71)), (Encoding::Ucs2, 71, 2));
        assert_eq!(seg(&"й".repeat(134)), (Encoding::Ucs2, 134, 2));
        assert_eq!(seg(&"й".repeat(135)), (Encoding::Ucs2, 135, 3));
        assert_eq!(seg(&"😀".repeat(35)), (Encoding::Ucs2, 70, 1));
        assert_eq!(seg(&"😀".repeat(36)), (Encoding::Ucs2, 72, 2));
    }

    #[test]
    fn surrogate_pair_never_split() {
        let text = format!("{}😀{}", "й".repeat(66), "й".repeat(66));
        assert_eq!(seg(&text), (Encoding::Ucs2, 134, 3));
        let text = format!("{}😀{}", "й".repeat(65), "й".repeat(67));
        assert_eq!(seg(&text), (Encoding::Ucs2, 134, 2));
    }

    #[test]
    fn template_aliases() {
        for p in ["{{code}}", "%s", "{{pin}}", "{{otp}}"] {
            let t = Template::parse(&format!("Your code is {p}."), 10).unwrap();
            assert_eq!(t.render("123456"), "Your code is 123456.");
            assert_eq!(t.render("{{pin}}"), "Your code is {{pin}}.");
        }
        let t = Template::parse("{{code}}", 10).unwrap();
        assert_eq!(t.render("42"), "42");
    }

    #[test]
    fn template_code_count() {
        let err = Template::parse("Your code is ok", 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            "message template has no {{code}} placeholder"
        );
        let err = Template::parse("{{code}} and {{code}}", 10).unwrap_err();
        assert!(err.to_string().contains("exactly once"), "{err}");
        assert!(err.to_string().contains("found 2"), "{err}");
        let err = Template::parse("%s {{pin}} {{otp}}", 10).unwrap_err();
        assert!(err.to_string().contains("found 3"), "{err}");
        // Near misses are plain text.
        assert!(Template::parse("{{CODE}} { {code}} %d {code}", 10).is_err());
    }

    #[test]
    fn template_empty() {
        for text in ["", "   ", "\n\t "] {
            let err = Template::parse(text, 10).unwrap_err();
            assert_eq!(err.to_string(), "message template is empty");
        }
    }

    #[test]
    fn template_minutes() {
        let t = Template::parse("Code {{code}}, valid {{minutes}} min ({{minutes}}m)", 15).unwrap();
        assert_eq!(t.render("1234"), "Code 1234, valid 15 min (15m)");
        // Substituted minutes cannot smuggle in a placeholder or break equality.
        assert_eq!(
            t,
            Template::parse("Code %s, valid 15 min (15m)", 0).unwrap()
        );
        let t = Template::parse("{{minutes}}{{code}}", u64::MAX).unwrap();
        assert_eq!(t.render("x"), format!("{}x", u64::MAX));
    }

    #[test]
    fn template_extra_lines() {
        let mut t = Template::parse("Your code is {{code}}", 5).unwrap();
        t.push_line("FA+9qCX9VSu");
        t.push_webotp_line("example.com");
        assert_eq!(
            t.render("123456"),
            "Your code is 123456\nFA+9qCX9VSu\n@example.com #123456"
        );
        let mut t = Template::parse("Code: %s", 5).unwrap();
        t.push_webotp_line("example.com");
        assert!(t.render("123456").ends_with("\n@example.com #123456"));
        // Pushed text is literal: a placeholder in it is not a code slot.
        let mut t = Template::parse("{{code}}", 5).unwrap();
        t.push_line("{{code}}");
        assert_eq!(t.render("9"), "9\n{{code}}");
    }

    #[test]
    fn pin_type_parse() {
        assert_eq!("numeric".parse::<PinType>(), Ok(PinType::Numeric));
        assert_eq!("AlphaNumeric".parse::<PinType>(), Ok(PinType::Alphanumeric));
        assert_eq!("LETTERS".parse::<PinType>(), Ok(PinType::Letters));
        let err = "hex".parse::<PinType>().unwrap_err();
        for word in ["numeric", "alphanumeric", "letters"] {
            assert!(err.contains(word), "{err}");
        }
        for t in [PinType::Numeric, PinType::Alphanumeric, PinType::Letters] {
            assert_eq!(t.as_str().parse::<PinType>(), Ok(t));
        }
        assert_eq!(Encoding::Gsm7.as_str(), "gsm7");
        assert_eq!(Encoding::Ucs2.as_str(), "ucs2");
    }

    #[test]
    fn pin_lengths_and_alphabets() {
        assert_eq!(generate_pin(0, PinType::Numeric), "");
        for len in 1..=12 {
            for _ in 0..20 {
                let p = generate_pin(len, PinType::Numeric);
                assert_eq!(p.len(), len);
                assert!(p.bytes().all(|b| b.is_ascii_digit()), "{p}");
                let p = generate_pin(len, PinType::Letters);
                assert_eq!(p.len(), len);
                assert!(p.bytes().all(|b| b.is_ascii_uppercase()), "{p}");
                let p = generate_pin(len, PinType::Alphanumeric);
                assert_eq!(p.len(), len);
                assert!(
                    p.bytes()
                        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
                    "{p}"
                );
            }
        }
    }

    #[test]
    fn pin_distribution_sanity() {
        let p = generate_pin(10_000, PinType::Numeric);
        let mut counts = [0usize; 10];
        for b in p.bytes() {
            counts[usize::from(b - b'0')] += 1;
        }
        for (d, n) in counts.iter().enumerate() {
            assert!((800..=1200).contains(n), "digit {d} seen {n} times");
        }
        let p = generate_pin(36_000, PinType::Alphanumeric);
        for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".chars() {
            let n = p.chars().filter(|&x| x == c).count();
            assert!((700..=1300).contains(&n), "{c} seen {n} times");
        }
    }

    /// Deterministic xorshift so the "never panics" property needs no extra crate.
    struct Xorshift(u64);
    impl Xorshift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn arbitrary_strings_never_panic() {
        const PIECES: [&str; 24] = [
            "{{code}}",
            "%s",
            "{{pin}}",
            "{{otp}}",
            "{{minutes}}",
            "{{",
            "}}",
            "{",
            "}",
            "%",
            "a",
            " ",
            "\n",
            "é",
            "ç",
            "€",
            "й",
            "😀",
            "\u{0}",
            "\u{1B}",
            "\u{FFFF}",
            "{{co",
            "de}}",
            "\u{10FFFF}",
        ];
        let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..5_000 {
            let mut s = String::new();
            for _ in 0..rng.below(400) {
                if rng.below(4) == 0 {
                    s.push(char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('?'));
                } else {
                    s.push_str(PIECES[rng.below(PIECES.len())]);
                }
            }
            let sg = segments(&s);
            let (single, per) = match sg.encoding {
                Encoding::Gsm7 => (160, 153),
                Encoding::Ucs2 => (70, 67),
            };
            assert!(sg.parts >= 1);
            if sg.units > single {
                assert!(sg.parts >= sg.units.div_ceil(per));
                assert!(sg.parts <= sg.units.div_ceil(per - 1));
            } else {
                assert_eq!(sg.parts, 1);
            }
            if let Ok(mut t) = Template::parse(&s, rng.next()) {
                t.push_line(&s);
                t.push_webotp_line(&s);
                let _ = t.render(&s);
                let _ = segments(&t.render("123456"));
            }
        }
    }
}
