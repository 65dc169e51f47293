//! Phone numbers for the SMS one-time-PIN sender: turns what a user typed into the
//! E.164 form SMS gateways expect, using a small static calling-code table rather than
//! full numbering-plan metadata, because this runs on every invocation.

use std::fmt;
use std::str::FromStr;

/// E.164 allows at most 15 digits including the calling code.
const MAX_DIGITS: usize = 15;
/// The shortest real numbers (Niue, Tokelau: 3-digit code + 4 digits) have 7; fewer is a typo.
const MIN_DIGITS: usize = 7;
/// `masked` keeps the last 4 digits visible, so the national part must have them.
const MIN_NATIONAL_DIGITS: usize = 4;

/// A validated international phone number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone {
    /// All digits, calling code first, without the '+'.
    digits: String,
    /// Storing the split point avoids re-running the calling-code lookup on every access.
    cc_len: usize,
}

/// Why a phone number was rejected; the message is meant to be shown to the user as-is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneError(pub String);

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PhoneError {}

fn err<T>(msg: String) -> Result<T, PhoneError> {
    Err(PhoneError(msg))
}

impl Phone {
    /// Parse user input. Spaces, tabs, dashes, dots and parentheses are ignored.
    ///
    /// Input starting with '+' is international. Anything else is a national number,
    /// accepted only with `default_country` (ISO 3166-1 alpha-2, case-insensitive);
    /// its trunk prefix is dropped and the country's calling code put in front.
    /// A "00" international prefix is deliberately not recognised.
    pub fn parse(input: &str, default_country: Option<&str>) -> Result<Phone, PhoneError> {
        // "+44 (0) 7700 900123": the "(0)" is the national trunk prefix written for
        // people at home; in an international number it is not dialled.
        let dropped;
        let input = if input.trim_start().starts_with('+') && input.contains("(0)") {
            dropped = input.replacen("(0)", "", 1);
            dropped.as_str()
        } else {
            input
        };
        let mut digits = String::with_capacity(MAX_DIGITS + 1);
        let mut international = false;
        for c in input.chars() {
            match c {
                ' ' | '\t' | '-' | '.' | '(' | ')' => {}
                '+' if !international && digits.is_empty() => international = true,
                '0'..='9' => digits.push(c),
                _ => return err(format!("invalid character {c:?} in phone number {input:?}")),
            }
        }

        if digits.is_empty() {
            return if international {
                err(format!("phone number {input:?} has no digits after '+'"))
            } else {
                err("phone number is empty".to_string())
            };
        }
        if international {
            return Phone::from_international(drop_written_trunk(digits, input)?);
        }

        let Some(country) = default_country else {
            // "00" (most of the world) and "011" (North America) are what people dial
            // before the country code; in E.164 that is the '+'.
            if let Some(rest) = ["00", "011"]
                .into_iter()
                .find_map(|p| digits.strip_prefix(p).map(|r| (p, r)))
                .filter(|(_, r)| !r.is_empty() && !r.starts_with('0'))
            {
                return err(format!(
                    "phone number {input:?} starts with the international dialling prefix {}; \
                     in E.164 that is '+': write it as +{}",
                    rest.0, rest.1
                ));
            }
            return err(format!(
                "phone number {input:?} has no country code: write it in E.164 form with '+' \
                 and the country calling code (e.g. +2347065250817), or set default_country \
                 in the profile"
            ));
        };
        let Some((iso, cc)) = iso_key(country).and_then(|iso| Some((iso, lookup_iso(iso)?))) else {
            return err(format!(
                "unknown default_country {country:?}: expected an ISO 3166-1 alpha-2 country \
                 code such as \"NG\", \"GB\" or \"US\""
            ));
        };
        // An international prefix typed instead of '+' ("0044 ...", "011 44 ...") would
        // otherwise be read as national digits and make a different, valid-looking
        // number: a PIN sent to a stranger. Refused with the fix.
        for idd in ["00", "011"] {
            if digits.starts_with(idd) && (idd == "00" || cc == "1") {
                return err(format!(
                    "phone number {input:?} starts with the international prefix {idd}: write it \
                     with '+' instead (+{})",
                    &digits[idd.len()..]
                ));
            }
        }
        let national = strip_trunk_prefix(&digits, iso, cc);
        // North American area codes never start with 0 or 1.
        if cc == "1" && national.starts_with(['0', '1']) {
            return err(format!(
                "phone number {input:?} is not a North American number (an area code never \
                 starts with 0 or 1)"
            ));
        }
        let mut full = String::with_capacity(cc.len() + national.len());
        full.push_str(cc);
        full.push_str(national);
        Phone::from_international(full)
    }

    /// Validates all digits of an international number (calling code first, no '+').
    fn from_international(digits: String) -> Result<Phone, PhoneError> {
        if digits.len() > MAX_DIGITS {
            return err(format!(
                "\"+{digits}\" is too long for an E.164 number (at most {MAX_DIGITS} digits)"
            ));
        }
        if digits.len() < MIN_DIGITS {
            return err(format!("\"+{digits}\" is too short for an E.164 number"));
        }
        // Calling codes are prefix-free, so at most one length matches; trying the
        // longest first still makes the intent explicit and is robust to table edits.
        let Some(cc_len) = (1..=3).rev().find(|&n| is_calling_code(&digits[..n])) else {
            return err(format!("\"+{digits}\" has no valid country calling code"));
        };
        if digits.len() - cc_len < MIN_NATIONAL_DIGITS {
            return err(format!(
                "\"+{digits}\" is too short: the number after calling code +{} needs at \
                 least {MIN_NATIONAL_DIGITS} digits",
                &digits[..cc_len]
            ));
        }
        Ok(Phone { digits, cc_len })
    }

    /// The number as "+<digits>", e.g. "+2347065250817".
    pub fn e164(&self) -> String {
        format!("+{}", self.digits)
    }

    /// All digits without the '+', e.g. "2347065250817".
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The country calling code digits, e.g. "234".
    pub fn calling_code(&self) -> &str {
        &self.digits[..self.cc_len]
    }

    /// Safe for logs and prompts: the user can recognise their number without it
    /// being disclosed, e.g. "+234******0817".
    /// `masked` without the '+': how the number shows where a vendor wrote digits only.
    pub fn masked_digits(&self) -> String {
        self.masked()[1..].to_string()
    }

    pub fn masked(&self) -> String {
        let visible = &self.digits[self.digits.len() - MIN_NATIONAL_DIGITS..];
        let hidden = self.digits.len() - self.cc_len - MIN_NATIONAL_DIGITS;
        let mut out = String::with_capacity(self.digits.len() + 1);
        out.push('+');
        out.push_str(self.calling_code());
        out.extend(std::iter::repeat_n('*', hidden));
        out.push_str(visible);
        out
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{}", self.digits)
    }
}

impl FromStr for Phone {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Phone, PhoneError> {
        Phone::parse(s, None)
    }
}

/// ISO 3166-1 alpha-2 (case-insensitive) -> ITU calling code digits, e.g. "NG" -> "234",
/// "US" -> "1", "GB" -> "44".
pub fn calling_code_for(iso: &str) -> Option<&'static str> {
    iso_key(iso).and_then(lookup_iso)
}

/// true when `code` (digits) is an assigned ITU-T E.164 country calling code ("1", "44",
/// "234"); "1868" is not one because NANP countries share "1".
pub fn is_calling_code(code: &str) -> bool {
    CALLING_CODES.binary_search_by(|c| (*c).cmp(code)).is_ok()
}

/// Upper-cases on the stack so lookups never allocate.
fn iso_key(iso: &str) -> Option<[u8; 2]> {
    match *iso.trim().as_bytes() {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Some([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => None,
    }
}

fn lookup_iso(key: [u8; 2]) -> Option<&'static str> {
    COUNTRIES
        .binary_search_by(|(iso, _)| iso.as_bytes().cmp(&key[..]))
        .ok()
        .map(|i| COUNTRIES[i].1)
}

/// "+234 0801 234 5678", "+234008012345678": the national trunk prefix 0 written after
/// the calling code. Where the country's trunk prefix is 0 and its numbers never start
/// with 0, the zeros are dropped, so one number has one spelling (cooldowns, limits and
/// replacement count it once). Where a leading digit cannot start a number at all (North
/// America's 0 or 1), the number is refused rather than counted apart.
fn drop_written_trunk(digits: String, input: &str) -> Result<String, PhoneError> {
    let Some(cc_len) = (1..=3)
        .rev()
        .filter(|&n| n <= digits.len())
        .find(|&n| is_calling_code(&digits[..n]))
    else {
        return Ok(digits); // from_international says why
    };
    let (cc, national) = digits.split_at(cc_len);
    if cc == "1" && national.starts_with(['0', '1']) {
        return err(format!(
            "phone number {input:?} is not a North American number (after +1 the area code \
             never starts with 0 or 1)"
        ));
    }
    if !national.starts_with('0') || TRUNK_ZERO_KEPT.contains(&cc) {
        return Ok(digits);
    }
    let national = national.trim_start_matches('0');
    if national.is_empty() {
        return err(format!(
            "phone number {input:?} has no digits after +{cc} and 0"
        ));
    }
    Ok(format!("{cc}{national}"))
}

/// Calling codes whose numbers may start with 0 in E.164 (Italy, San Marino, the Vatican,
/// Benin, Congo, Côte d'Ivoire, Gabon), or whose trunk prefix is not 0 (North America,
/// Russia and Kazakhstan, Hungary, Turkmenistan): a 0 after them is kept as written.
const TRUNK_ZERO_KEPT: &[&str] = &[
    "1", "7", "36", "39", "378", "229", "242", "225", "241", "993",
];

/// Drops the trunk prefix people dial domestically but which E.164 omits. Most countries
/// use a single '0'; the exceptions below would otherwise yield a wrong but valid-looking
/// number, which is worse than an error because the PIN goes to a stranger.
fn strip_trunk_prefix<'a>(national: &'a str, iso: [u8; 2], cc: &str) -> &'a str {
    let prefixes: &[&str] = match &iso {
        // The leading 0 belongs to the subscriber number and is kept in E.164.
        b"IT" | b"SM" | b"VA" | b"BJ" | b"CG" | b"CI" | b"GA" => &[],
        // Russian/Kazakh numbers may themselves start with 8 (e.g. 812 St Petersburg),
        // so '8' is only a trunk prefix when it makes the number one digit too long.
        b"RU" | b"KZ" => {
            if national.len() == 11 {
                &["8"]
            } else {
                &[]
            }
        }
        b"HU" => &["06"],
        // Belarus is migrating from "8 0xx" to "0xx"; both appear in the wild.
        b"BY" => &["80", "0"],
        b"TM" => &["8"],
        _ if cc == "1" => &["1"],
        _ => &["0"],
    };
    prefixes
        .iter()
        .find_map(|p| national.strip_prefix(p))
        .unwrap_or(national)
}

/// Every ITU-T E.164 country calling code in service, including the non-geographic
/// ones (800, 808, 870, 878, 881-883, 888, 979). Sorted as strings for binary search.
/// Codes the ITU only reserves or has withdrawn (379, 388, 991, 997, 999) are left out
/// because nothing can be delivered to them.
#[rustfmt::skip]
const CALLING_CODES: &[&str] = &[
    "1",
    "20", "211", "212", "213", "216", "218",
    "220", "221", "222", "223", "224", "225", "226", "227", "228", "229",
    "230", "231", "232", "233", "234", "235", "236", "237", "238", "239",
    "240", "241", "242", "243", "244", "245", "246", "247", "248", "249",
    "250", "251", "252", "253", "254", "255", "256", "257", "258",
    "260", "261", "262", "263", "264", "265", "266", "267", "268", "269",
    "27", "290", "291", "297", "298", "299",
    "30", "31", "32", "33", "34",
    "350", "351", "352", "353", "354", "355", "356", "357", "358", "359",
    "36",
    "370", "371", "372", "373", "374", "375", "376", "377", "378",
    "380", "381", "382", "383", "385", "386", "387", "389",
    "39",
    "40", "41", "420", "421", "423", "43", "44", "45", "46", "47", "48", "49",
    "500", "501", "502", "503", "504", "505", "506", "507", "508", "509",
    "51", "52", "53", "54", "55", "56", "57", "58",
    "590", "591", "592", "593", "594", "595", "596", "597", "598", "599",
    "60", "61", "62", "63", "64", "65", "66",
    "670", "672", "673", "674", "675", "676", "677", "678", "679",
    "680", "681", "682", "683", "685", "686", "687", "688", "689",
    "690", "691", "692",
    "7",
    "800", "808", "81", "82", "84",
    "850", "852", "853", "855", "856", "86",
    "870", "878", "880", "881", "882", "883", "886", "888",
    "90", "91", "92", "93", "94", "95",
    "960", "961", "962", "963", "964", "965", "966", "967", "968",
    "970", "971", "972", "973", "974", "975", "976", "977", "979",
    "98", "992", "993", "994", "995", "996", "998",
];

/// ISO 3166-1 alpha-2 -> calling code, sorted by ISO code for binary search. Covers every
/// country/territory with its own numbering or a parent's (NANP members -> "1", GG/JE/IM
/// -> "44", AX -> "358", ...). Also AC, TA (ISO-reserved) and XK (Kosovo, user-assigned)
/// because users do have those numbers. AQ, BV, GS, HM, PN, TF and UM are absent: they
/// have no numbering plan of their own.
#[rustfmt::skip]
const COUNTRIES: &[(&str, &str)] = &[
    ("AC", "247"), ("AD", "376"), ("AE", "971"), ("AF", "93"), ("AG", "1"), ("AI", "1"), ("AL", "355"), ("AM", "374"),
    ("AO", "244"), ("AR", "54"), ("AS", "1"), ("AT", "43"), ("AU", "61"), ("AW", "297"), ("AX", "358"), ("AZ", "994"),
    ("BA", "387"), ("BB", "1"), ("BD", "880"), ("BE", "32"), ("BF", "226"), ("BG", "359"), ("BH", "973"), ("BI", "257"),
    ("BJ", "229"), ("BL", "590"), ("BM", "1"), ("BN", "673"), ("BO", "591"), ("BQ", "599"), ("BR", "55"), ("BS", "1"),
    ("BT", "975"), ("BW", "267"), ("BY", "375"), ("BZ", "501"),
    ("CA", "1"), ("CC", "61"), ("CD", "243"), ("CF", "236"), ("CG", "242"), ("CH", "41"), ("CI", "225"), ("CK", "682"),
    ("CL", "56"), ("CM", "237"), ("CN", "86"), ("CO", "57"), ("CR", "506"), ("CU", "53"), ("CV", "238"), ("CW", "599"),
    ("CX", "61"), ("CY", "357"), ("CZ", "420"),
    ("DE", "49"), ("DJ", "253"), ("DK", "45"), ("DM", "1"), ("DO", "1"), ("DZ", "213"),
    ("EC", "593"), ("EE", "372"), ("EG", "20"), ("EH", "212"), ("ER", "291"), ("ES", "34"), ("ET", "251"),
    ("FI", "358"), ("FJ", "679"), ("FK", "500"), ("FM", "691"), ("FO", "298"), ("FR", "33"),
    ("GA", "241"), ("GB", "44"), ("GD", "1"), ("GE", "995"), ("GF", "594"), ("GG", "44"), ("GH", "233"), ("GI", "350"),
    ("GL", "299"), ("GM", "220"), ("GN", "224"), ("GP", "590"), ("GQ", "240"), ("GR", "30"), ("GT", "502"), ("GU", "1"),
    ("GW", "245"), ("GY", "592"),
    ("HK", "852"), ("HN", "504"), ("HR", "385"), ("HT", "509"), ("HU", "36"),
    ("ID", "62"), ("IE", "353"), ("IL", "972"), ("IM", "44"), ("IN", "91"), ("IO", "246"), ("IQ", "964"), ("IR", "98"),
    ("IS", "354"), ("IT", "39"),
    ("JE", "44"), ("JM", "1"), ("JO", "962"), ("JP", "81"),
    ("KE", "254"), ("KG", "996"), ("KH", "855"), ("KI", "686"), ("KM", "269"), ("KN", "1"), ("KP", "850"), ("KR", "82"),
    ("KW", "965"), ("KY", "1"), ("KZ", "7"),
    ("LA", "856"), ("LB", "961"), ("LC", "1"), ("LI", "423"), ("LK", "94"), ("LR", "231"), ("LS", "266"), ("LT", "370"),
    ("LU", "352"), ("LV", "371"), ("LY", "218"),
    ("MA", "212"), ("MC", "377"), ("MD", "373"), ("ME", "382"), ("MF", "590"), ("MG", "261"), ("MH", "692"), ("MK", "389"),
    ("ML", "223"), ("MM", "95"), ("MN", "976"), ("MO", "853"), ("MP", "1"), ("MQ", "596"), ("MR", "222"), ("MS", "1"),
    ("MT", "356"), ("MU", "230"), ("MV", "960"), ("MW", "265"), ("MX", "52"), ("MY", "60"), ("MZ", "258"),
    ("NA", "264"), ("NC", "687"), ("NE", "227"), ("NF", "672"), ("NG", "234"), ("NI", "505"), ("NL", "31"), ("NO", "47"),
    ("NP", "977"), ("NR", "674"), ("NU", "683"), ("NZ", "64"),
    ("OM", "968"),
    ("PA", "507"), ("PE", "51"), ("PF", "689"), ("PG", "675"), ("PH", "63"), ("PK", "92"), ("PL", "48"), ("PM", "508"),
    ("PR", "1"), ("PS", "970"), ("PT", "351"), ("PW", "680"), ("PY", "595"),
    ("QA", "974"),
    ("RE", "262"), ("RO", "40"), ("RS", "381"), ("RU", "7"), ("RW", "250"),
    ("SA", "966"), ("SB", "677"), ("SC", "248"), ("SD", "249"), ("SE", "46"), ("SG", "65"), ("SH", "290"), ("SI", "386"),
    ("SJ", "47"), ("SK", "421"), ("SL", "232"), ("SM", "378"), ("SN", "221"), ("SO", "252"), ("SR", "597"), ("SS", "211"),
    ("ST", "239"), ("SV", "503"), ("SX", "1"), ("SY", "963"), ("SZ", "268"),
    ("TA", "290"), ("TC", "1"), ("TD", "235"), ("TG", "228"), ("TH", "66"), ("TJ", "992"), ("TK", "690"), ("TL", "670"),
    ("TM", "993"), ("TN", "216"), ("TO", "676"), ("TR", "90"), ("TT", "1"), ("TV", "688"), ("TW", "886"), ("TZ", "255"),
    ("UA", "380"), ("UG", "256"), ("US", "1"), ("UY", "598"), ("UZ", "998"),
    ("VA", "39"), ("VC", "1"), ("VE", "58"), ("VG", "1"), ("VI", "1"), ("VN", "84"), ("VU", "678"),
    ("WF", "681"), ("WS", "685"),
    ("XK", "383"),
    ("YE", "967"), ("YT", "262"),
    ("ZA", "27"), ("ZM", "260"), ("ZW", "263"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(input: &str, country: Option<&str>) -> String {
        match Phone::parse(input, country) {
            Ok(p) => p.e164(),
            Err(e) => panic!("{input:?} with {country:?} was rejected: {e}"),
        }
    }

    fn rejected(input: &str, country: Option<&str>) -> String {
        match Phone::parse(input, country) {
            Ok(p) => panic!("{input:?} with {country:?} was accepted as {p}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn international_with_separators() {
        assert_eq!(e164("+234 706-525.0817", None), "+2347065250817");
        assert_eq!(e164("+1 (555) 123-4567", None), "+15551234567");
        assert_eq!(e164("\t+44 7700\t900123 ", None), "+447700900123");
        // default_country must not affect numbers that already carry a calling code.
        assert_eq!(e164("+44 7700 900123", Some("NG")), "+447700900123");
    }

    #[test]
    fn accessors() {
        let p = Phone::parse("+234 706 525 0817", None).unwrap();
        assert_eq!(p.digits(), "2347065250817");
        assert_eq!(p.calling_code(), "234");
        assert_eq!(p.to_string(), "+2347065250817");
        assert_eq!(p, "+2347065250817".parse::<Phone>().unwrap());

        assert_eq!(
            Phone::parse("+7 916 123 45 67", None)
                .unwrap()
                .calling_code(),
            "7"
        );
        assert_eq!(
            Phone::parse("+420 601 123 456", None)
                .unwrap()
                .calling_code(),
            "420"
        );
        // A Trinidad number: NANP, so the calling code is "1", not "1868".
        assert_eq!(
            Phone::parse("+1 868 620 1234", None)
                .unwrap()
                .calling_code(),
            "1"
        );
    }

    #[test]
    fn national_with_default_country() {
        assert_eq!(e164("07065250817", Some("NG")), "+2347065250817");
        assert_eq!(e164("07700 900123", Some("GB")), "+447700900123");
        assert_eq!(e164("06 1234 5678", Some("IT")), "+390612345678");
        assert_eq!(e164("555 123 4567", Some("US")), "+15551234567");
        assert_eq!(e164("1 555 123 4567", Some("US")), "+15551234567");
        assert_eq!(e164("(868) 620-1234", Some("TT")), "+18686201234");
        // "00" is an international prefix, not a doubled trunk prefix: refused.
        assert!(rejected("007065250817", Some("NG")).contains("'+'"));
    }

    #[test]
    fn default_country_is_case_insensitive() {
        assert_eq!(e164("07065250817", Some("ng")), "+2347065250817");
        assert_eq!(e164("07065250817", Some(" Ng ")), "+2347065250817");
    }

    #[test]
    fn trunk_prefix_exceptions() {
        assert_eq!(e164("0549 886377", Some("SM")), "+3780549886377");
        assert_eq!(e164("06 698 12345", Some("VA")), "+390669812345");
        assert_eq!(e164("07 07 12 34 56", Some("CI")), "+2250707123456");
        assert_eq!(e164("8 (916) 123-45-67", Some("RU")), "+79161234567");
        // St Petersburg's area code starts with 8; it must survive.
        assert_eq!(e164("812 123 45 67", Some("RU")), "+78121234567");
        assert_eq!(e164("8 701 123 45 67", Some("KZ")), "+77011234567");
        assert_eq!(e164("06 30 123 4567", Some("HU")), "+36301234567");
        assert_eq!(e164("8 029 123-45-67", Some("BY")), "+375291234567");
        assert_eq!(e164("029 123-45-67", Some("BY")), "+375291234567");
    }

    #[test]
    fn national_without_default_country_is_refused() {
        let msg = rejected("07065250817", None);
        assert!(msg.contains("E.164"), "{msg}");
        assert!(msg.contains('+'), "{msg}");
        assert!(msg.contains("default_country"), "{msg}");
        assert!("07065250817".parse::<Phone>().is_err());
    }

    #[test]
    fn unknown_default_country_is_refused() {
        let msg = rejected("07065250817", Some("XX"));
        assert!(msg.contains("\"XX\""), "{msg}");
        let msg = rejected("07065250817", Some("NGA"));
        assert!(msg.contains("\"NGA\""), "{msg}");
        rejected("07065250817", Some(""));
    }

    #[test]
    fn invalid_characters_are_refused() {
        let msg = rejected("+234 706 525 O817", None);
        assert!(msg.contains("'O'"), "{msg}");
        let msg = rejected("call me", Some("NG"));
        assert!(msg.contains("'c'"), "{msg}");
        let msg = rejected("+234+7065250817", None);
        assert!(msg.contains("'+'"), "{msg}");
        let msg = rejected("0706/525/0817", Some("NG"));
        assert!(msg.contains("'/'"), "{msg}");
        // Non-ASCII digits are not digits here.
        let msg = rejected("+٢٣٤7065250817", None);
        assert!(msg.contains("'٢'"), "{msg}");
    }

    #[test]
    fn empty_is_refused() {
        assert!(rejected("", None).contains("empty"));
        assert!(rejected(" - ( ) ", Some("NG")).contains("empty"));
        assert!(rejected("+", None).contains("no digits"));
    }

    #[test]
    fn unknown_calling_code_is_refused() {
        assert_eq!(
            rejected("+999 12345", None),
            "\"+99912345\" has no valid country calling code"
        );
        rejected("+0 123 456 789", None);
        rejected("+28 123 456 789", None); // zone 2 spare
        rejected("+3883 1234 5678", None); // withdrawn ETNS
        rejected("+671 123 4567", None); // Guam moved to +1 671
    }

    #[test]
    fn length_limits() {
        assert_eq!(
            rejected("+2341", None),
            "\"+2341\" is too short for an E.164 number"
        );
        let msg = rejected("+234 7065 2508 1712 3", None); // 16 digits
        assert!(msg.contains("too long"), "{msg}");
        assert!(msg.contains("\"+2347065250817123\""), "{msg}");
        // 15 and 7 digits are the inclusive bounds.
        assert_eq!(e164("+234706525081712", None), "+234706525081712");
        assert_eq!(e164("+2341234", None), "+2341234");
        rejected("+234123", None);
        // The message shows the number after adding the calling code.
        let msg = rejected("0123", Some("NG"));
        assert!(msg.contains("\"+234123\""), "{msg}");
    }

    #[test]
    fn international_prefixes_and_bracketed_zero() {
        assert!(Phone::parse("0044 7700 900123", Some("GB")).is_err());
        assert!(Phone::parse("00447700900123", Some("DE")).is_err());
        assert!(Phone::parse("011 44 7700 900123", Some("US")).is_err());
        assert!(Phone::parse("07700 900123", Some("US")).is_err());
        assert_eq!(
            Phone::parse("+44 (0) 7700 900123", None).unwrap().e164(),
            "+447700900123"
        );
        // The trunk 0 written after the calling code: one number, one spelling.
        for typed in [
            "+234 0801 234 5678",
            "+234008012345678",
            "+2348012345678",
            "+234 (0) 801 234 5678",
        ] {
            assert_eq!(
                Phone::parse(typed, None).unwrap().e164(),
                "+2348012345678",
                "{typed}"
            );
        }
        // Where a 0 belongs to the number, it stays; where nothing can follow, refused.
        assert_eq!(
            Phone::parse("+39 06 1234 5678", None).unwrap().e164(),
            "+390612345678"
        );
        assert!(Phone::parse("+234 0000", None).is_err());
        assert!(Phone::parse("+1 055 123 4567", None).is_err());
        assert_eq!(
            Phone::parse("+44 (0) 7700 900123", None).unwrap().e164(),
            "+447700900123"
        );
    }

    #[test]
    fn masked() {
        let m = |s: &str| Phone::parse(s, None).unwrap().masked();
        assert_eq!(m("+2347065250817"), "+234******0817");
        assert_eq!(m("+15551234567"), "+1******4567");
        assert_eq!(m("+2341234"), "+2341234");
        assert_eq!(m("+447700900123"), "+44******0123");
    }

    #[test]
    fn calling_code_lookup() {
        assert_eq!(calling_code_for("NG"), Some("234"));
        assert_eq!(calling_code_for("ng"), Some("234"));
        assert_eq!(calling_code_for("gB"), Some("44"));
        assert_eq!(calling_code_for("US"), Some("1"));
        assert_eq!(calling_code_for("KZ"), Some("7"));
        assert_eq!(calling_code_for("AX"), Some("358"));
        assert_eq!(calling_code_for("VA"), Some("39"));
        for nanp in ["CA", "JM", "TT", "PR", "DO", "BS", "SX", "VI", "GU"] {
            assert_eq!(calling_code_for(nanp), Some("1"), "{nanp}");
        }
        for uk in ["GG", "JE", "IM"] {
            assert_eq!(calling_code_for(uk), Some("44"), "{uk}");
        }
        assert_eq!(calling_code_for("XX"), None);
        assert_eq!(calling_code_for("N"), None);
        assert_eq!(calling_code_for("NGA"), None);
        assert_eq!(calling_code_for("1N"), None);
        assert_eq!(calling_code_for(""), None);
    }

    #[test]
    fn calling_code_membership() {
        for code in [
            "1", "7", "20", "27", "44", "234", "358", "800", "979", "998",
        ] {
            assert!(is_calling_code(code), "{code}");
        }
        for code in ["", "0", "2", "28", "1868", "379", "671", "999", "2345", "x"] {
            assert!(!is_calling_code(code), "{code}");
        }
    }

    #[test]
    fn country_table_is_sorted_unique_and_consistent() {
        assert!(COUNTRIES.len() >= 240, "{}", COUNTRIES.len());
        for pair in COUNTRIES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{:?} then {:?}", pair[0], pair[1]);
        }
        for &(iso, cc) in COUNTRIES {
            assert!(
                iso.len() == 2 && iso.bytes().all(|b| b.is_ascii_uppercase()),
                "{iso}"
            );
            assert!(is_calling_code(cc), "{iso} -> {cc}");
            assert_eq!(calling_code_for(iso), Some(cc));
        }
    }

    #[test]
    fn calling_code_table_is_sorted_unique_and_prefix_free() {
        for pair in CALLING_CODES.windows(2) {
            assert!(pair[0] < pair[1], "{} then {}", pair[0], pair[1]);
        }
        for code in CALLING_CODES {
            assert!((1..=3).contains(&code.len()), "{code}");
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
            assert!(!code.starts_with('0'), "{code}");
        }
        // Prefix-freedom is what makes the calling code of a number unambiguous.
        for a in CALLING_CODES {
            for b in CALLING_CODES {
                assert!(a == b || !b.starts_with(a), "{a} is a prefix of {b}");
            }
        }
        // Every geographic code should be reachable from some country.
        let non_geographic = [
            "800", "808", "870", "878", "881", "882", "883", "888", "979",
        ];
        for code in CALLING_CODES {
            assert!(
                non_geographic.contains(code) || COUNTRIES.iter().any(|(_, cc)| cc == code),
                "no country uses {code}"
            );
        }
    }
}
