//! One send's record and the pure rules `verify` applies to it: single use, attempts,
//! expiry, the claim that lets one run at a time ask the vendor, and the keyed PIN hash.
//! No I/O here: the backends run these rules inside their atomic updates.

use crate::error::Reason;
use crate::message::PinType;
use crate::phone::Phone;
use crate::redact::Secret;
use ring::hmac;
use serde::{Deserialize, Serialize};

/// How long a record with no expiry (the vendor picks it) is kept.
pub const KEEP_UNEXPIRING: u64 = 24 * 3600;
/// How long an expired record is kept, so its id still answers `expired`.
pub const KEEP_EXPIRED: u64 = 24 * 3600;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    /// A vendor verify call is under way until `Record::claim_until`: a second verify
    /// waits its turn instead of racing it to the vendor.
    Checking,
    Verified,
    Cancelled,
    Locked,
    /// A newer send to the same number took its place (a tombstone: no PIN hash kept).
    Replaced,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Checking => "checking",
            State::Verified => "verified",
            State::Cancelled => "cancelled",
            State::Locked => "locked",
            State::Replaced => "replaced",
        }
    }
}

/// Why a verify cannot go on. `Busy` is not an answer about the code: another run holds
/// the claim, and this one may try again once it lapses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    No(Reason, String),
    Busy { retry_in: u64, message: String },
}

#[cfg_attr(not(test), allow(dead_code))] // the app matches on the variants
impl Refused {
    pub fn reason(&self) -> Option<Reason> {
        match self {
            Refused::No(r, _) => Some(*r),
            Refused::Busy { .. } => None,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Refused::No(_, m) | Refused::Busy { message: m, .. } => m,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub id: String,
    pub profile: Option<String>,
    pub provider: String,
    /// Full E.164: the replacement rule and send limits need the number.
    pub to: String,
    pub sent_at: u64,
    pub expires_at: Option<u64>,
    pub attempts_left: u32,
    pub state: State,
    /// hex HMAC-SHA-256(store key, id NUL normalized PIN). For a record imported from
    /// `records.json` it is hex SHA-256(salt || PIN) and `salt` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// The PIN's shape, where known: a code of another length or alphabet is refused
    /// without spending an attempt (the README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_len: Option<u32>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "pin_type_opt"
    )]
    pub pin_type: Option<PinType>,
    /// When the running vendor check started, and when its claim lapses (the claimer's
    /// own timeout plus a margin): only after that may another run take over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checking_since: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_until: Option<u64>,
    /// A send to one of the profile's test numbers: nothing left, and `verify` checks
    /// the fixed code here whatever the provider.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
    /// The vendor's handle, where it is not `id`: the record is kept under an id of the
    /// tool's own because a live record of another number already held the handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
}

impl Record {
    /// A pending record with no PIN kept yet.
    pub fn new(
        id: impl Into<String>,
        profile: Option<String>,
        provider: impl Into<String>,
        to: impl Into<String>,
        sent_at: u64,
        expires_at: Option<u64>,
        attempts: u32,
    ) -> Record {
        Record {
            id: id.into(),
            profile,
            provider: provider.into(),
            to: to.into(),
            sent_at,
            expires_at,
            attempts_left: attempts,
            state: State::Pending,
            pin_hash: None,
            salt: None,
            pin_len: None,
            pin_type: None,
            checking_since: None,
            claim_until: None,
            test: false,
            handle: None,
        }
    }

    /// The vendor's handle for this send (what its verify, status and cancel calls take).
    pub fn handle(&self) -> &str {
        self.handle.as_deref().unwrap_or(&self.id)
    }

    /// Keep this record under an id of the tool's own, the vendor's handle kept aside
    /// (the PIN hash, keyed on the handle, stays valid).
    pub fn rekey(&mut self, id: String) {
        if self.handle.is_none() {
            self.handle = Some(std::mem::replace(&mut self.id, id));
        } else {
            self.id = id;
        }
    }

    pub fn masked_to(&self) -> String {
        Phone::parse(&self.to, None)
            .map(|p| p.masked())
            .unwrap_or_else(|_| "***".into())
    }

    pub fn expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|e| now >= e)
    }

    /// When the store may forget this record (until then verify can still say `expired`,
    /// `already_used` or `replaced` rather than `unknown_id`).
    pub fn keep_until(&self) -> u64 {
        match self.expires_at {
            Some(e) => e.saturating_add(KEEP_EXPIRED),
            None => self.sent_at.saturating_add(KEEP_UNEXPIRING),
        }
    }

    /// Every time in the record moved by `delta` seconds: from one clock to another (the
    /// shared store keeps times on the server's clock, a run reads them on its own).
    pub fn shift(&mut self, delta: i64) {
        let mv = |t: u64| t.saturating_add_signed(delta);
        self.sent_at = self.sent_at.saturating_add_signed(delta);
        self.expires_at = self.expires_at.map(mv);
        self.checking_since = self.checking_since.map(mv);
        self.claim_until = self.claim_until.map(mv);
    }

    /// Still answers for its number: not yet replaced, used, cancelled or locked.
    pub fn live(&self) -> bool {
        matches!(self.state, State::Pending | State::Checking)
    }

    /// Turn this record into a tombstone for a newer send to its number.
    pub fn replace(&mut self) {
        self.state = State::Replaced;
        self.pin_hash = None;
        self.salt = None;
        self.checking_since = None;
        self.claim_until = None;
    }

    /// Keep the shape of a PIN the vendor checks (no hash): wrong shapes stay local.
    pub fn set_shape(&mut self, len: u32, pin_type: Option<PinType>) {
        self.pin_len = Some(len);
        self.pin_type = pin_type;
    }

    /// Keep a keyed hash of `pin` (never the PIN) and its shape. `pin_type` is the
    /// alphabet it was made from; a PIN outside it keeps only its length, compared exactly.
    pub fn set_pin(&mut self, key: &PinKey, pin: &Secret, pin_type: Option<PinType>) {
        let pin = pin.expose().trim();
        let fits = pin_type.filter(|t| fits(pin, *t));
        self.pin_len = Some(pin.chars().count() as u32);
        self.pin_type = fits;
        self.salt = None;
        self.pin_hash = Some(key.hash(self.handle(), &normalize(pin, fits)));
    }

    /// Take over a first-version record's salted SHA-256 (hex) of its PIN, keyed.
    pub fn set_legacy_hash(&mut self, key: &PinKey, salt_hex: &str, sha256_hex: &str) {
        self.salt = Some(salt_hex.to_string());
        self.pin_hash = Some(key.hash(self.handle(), &format!("sha256:{sha256_hex}")));
    }

    /// Could `code` be this PIN at all? (length and alphabet, where known)
    pub fn shape_ok(&self, code: &str) -> bool {
        let code = code.trim();
        self.pin_len
            .is_none_or(|n| code.chars().count() == n as usize)
            && self.pin_type.is_none_or(|t| fits(code, t))
    }

    /// Constant-time check of `code` against the kept hash.
    pub fn pin_matches(&self, key: &PinKey, code: &str) -> bool {
        let Some(want) = self.pin_hash.as_deref().and_then(unhex) else {
            return false;
        };
        let code = match &self.salt {
            // Imported from records.json: the first version's salted SHA-256, itself
            // keyed on import, so no unkeyed hash reaches the store.
            Some(salt) => match unhex(salt) {
                Some(salt) => legacy_input(&salt, code.trim()),
                None => return false,
            },
            None => normalize(code.trim(), self.pin_type),
        };
        hmac::verify(&key.0, &PinKey::input(self.handle(), &code), &want).is_ok()
    }

    /// A claim held by a run that is still within its own deadline.
    fn live_claim(&self, now: u64) -> Option<u64> {
        if self.state != State::Checking {
            return None;
        }
        // A claim from before `claim_until` existed lapses 60 s after it began.
        let until = self
            .claim_until
            .or(self.checking_since.map(|t| t.saturating_add(60)))?;
        (now < until).then(|| until - now)
    }

    /// A claim past its deadline belongs to a run that died: the record is pending again.
    fn lapse_claim(&mut self) {
        if self.state == State::Checking {
            self.state = State::Pending;
            self.checking_since = None;
            self.claim_until = None;
        }
    }

    fn busy(retry_in: u64) -> Refused {
        Refused::Busy {
            retry_in,
            message: format!(
                "another otp verify is checking this code right now; try again in {retry_in}s"
            ),
        }
    }

    /// Claim the record for a vendor check that ends by `until` (the claimer's own
    /// timeout plus a margin): only one run at a time asks the vendor (zender finds
    /// codes by value, so the record is what makes a code single use). A claim whose
    /// deadline passed belongs to a run that died: it lapses.
    pub fn claim(&mut self, key: &PinKey, code: &str, now: u64, until: u64) -> Result<(), Refused> {
        if let Some(left) = self.live_claim(now) {
            return Err(Record::busy(left));
        }
        self.lapse_claim();
        if self.state != State::Pending || self.expired(now) || !self.shape_ok(code) {
            return self.check(key, code, now);
        }
        // Where the PIN's hash is kept, a code that does not match never reaches the vendor.
        if self.pin_hash.is_some() && !self.pin_matches(key, code) {
            return self.check(key, code, now);
        }
        self.state = State::Checking;
        self.checking_since = Some(now);
        self.claim_until = Some(until.max(now));
        Ok(())
    }

    /// The local verify rules: single use, attempts counted (locked at zero), expiry.
    /// A wrong code spends an attempt; a code of the wrong shape does not.
    pub fn check(&mut self, key: &PinKey, code: &str, now: u64) -> Result<(), Refused> {
        let no = |r, m: &str| Err(Refused::No(r, m.to_string()));
        if let Some(left) = self.live_claim(now) {
            return Err(Record::busy(left));
        }
        self.lapse_claim();
        match self.state {
            State::Verified => return no(Reason::AlreadyUsed, "this code was already used"),
            State::Cancelled => return no(Reason::Expired, "this OTP was cancelled"),
            State::Locked => {
                return no(
                    Reason::AttemptsExhausted,
                    "no attempts left for this OTP; send a new one",
                )
            }
            State::Replaced => {
                return no(
                    Reason::Expired,
                    "this OTP was replaced by a newer send to the same number; use the newest code",
                )
            }
            State::Pending | State::Checking => {}
        }
        if self.expired(now) {
            return no(Reason::Expired, "this OTP has expired; send a new one");
        }
        if self.attempts_left == 0 {
            self.state = State::Locked;
            return no(
                Reason::AttemptsExhausted,
                "no attempts left for this OTP; send a new one",
            );
        }
        if !self.shape_ok(code) {
            return Err(Refused::No(Reason::WrongCode, self.shape_message()));
        }
        if self.pin_matches(key, code) {
            self.state = State::Verified;
            self.checking_since = None;
            self.claim_until = None;
            return Ok(());
        }
        self.attempts_left -= 1;
        if self.attempts_left == 0 {
            self.state = State::Locked;
            return no(
                Reason::WrongCode,
                "wrong code; no attempts left, the OTP is now locked",
            );
        }
        Err(Refused::No(
            Reason::WrongCode,
            format!(
                "wrong code; {} attempt{} left",
                self.attempts_left,
                if self.attempts_left == 1 { "" } else { "s" }
            ),
        ))
    }

    fn shape_message(&self) -> String {
        let what = match self.pin_type {
            Some(PinType::Numeric) => " digits",
            Some(PinType::Letters) => " letters",
            Some(PinType::Alphanumeric) => " letters or digits",
            None => " characters",
        };
        match self.pin_len {
            Some(n) => format!("wrong code: the code has {n}{what} (no attempt spent)"),
            None => format!("wrong code: the code is made of{what} (no attempt spent)"),
        }
    }
}

/// The key of PIN hashes: without it the records alone cannot be brute-forced.
pub struct PinKey(hmac::Key);

impl PinKey {
    pub fn new(bytes: &[u8]) -> PinKey {
        PinKey(hmac::Key::new(hmac::HMAC_SHA256, bytes))
    }

    fn input(id: &str, pin: &str) -> Vec<u8> {
        // The id is mixed in so that two records with one PIN do not share a hash.
        let mut v = Vec::with_capacity(id.len() + 1 + pin.len());
        v.extend_from_slice(id.as_bytes());
        v.push(0);
        v.extend_from_slice(pin.as_bytes());
        v
    }

    fn hash(&self, id: &str, pin: &str) -> String {
        hex(hmac::sign(&self.0, &PinKey::input(id, pin)).as_ref())
    }

    /// A keyed tag of `value` (a phone number in a shared store's key names): the same
    /// value gives the same tag under one key, and the tag does not give the value away.
    pub fn tag(&self, what: &str, value: &str) -> String {
        self.hash(what, value)[..32].to_string()
    }
}

impl std::fmt::Debug for PinKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinKey(***)")
    }
}

/// Every alphabet `otp` makes PINs from has one case, so letters compare case-insensitively.
fn normalize(code: &str, t: Option<PinType>) -> String {
    match t {
        Some(PinType::Letters | PinType::Alphanumeric) => code.to_ascii_uppercase(),
        _ => code.to_string(),
    }
}

fn fits(code: &str, t: PinType) -> bool {
    code.chars().all(|c| match t {
        PinType::Numeric => c.is_ascii_digit(),
        PinType::Letters => c.is_ascii_alphabetic(),
        PinType::Alphanumeric => c.is_ascii_alphanumeric(),
    })
}

fn legacy_input(salt: &[u8], code: &str) -> String {
    format!("sha256:{}", hex(&legacy_hash(salt, code)))
}

pub(crate) fn legacy_hash(salt: &[u8], pin: &str) -> Vec<u8> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(salt);
    ctx.update(pin.as_bytes());
    ctx.finish().as_ref().to_vec()
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

mod pin_type_opt {
    use crate::message::PinType;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<PinType>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(t.as_str()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PinType>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        // An alphabet this version does not know only loses the shape check.
        Ok(s.and_then(|s| s.parse().ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PinKey {
        PinKey::new(&[7u8; 32])
    }

    fn rec(id: &str, now: u64) -> Record {
        let mut r = Record::new(
            id,
            Some("p".into()),
            "console",
            "+15551234567",
            now,
            Some(now + 300),
            3,
        );
        r.set_pin(&key(), &Secret::new("123456"), Some(PinType::Numeric));
        r
    }

    fn reason(r: Result<(), Refused>) -> Option<Reason> {
        r.unwrap_err().reason()
    }

    #[test]
    fn right_code_once_then_already_used() {
        let mut r = rec("a", 1000);
        assert!(!r.pin_hash.as_deref().unwrap().contains("123456"));
        assert_eq!(r.check(&key(), "123456", 1001), Ok(()));
        assert_eq!(
            reason(r.check(&key(), "123456", 1002)),
            Some(Reason::AlreadyUsed)
        );
    }

    #[test]
    fn the_hash_needs_the_key_and_differs_per_record() {
        let r = rec("a", 1000);
        assert!(!r.pin_matches(&PinKey::new(&[8u8; 32]), "123456"));
        assert_ne!(r.pin_hash, rec("b", 1000).pin_hash);
        // Not the unkeyed SHA-256 of the PIN either.
        assert_ne!(
            r.pin_hash.as_deref(),
            Some(hex(&legacy_hash(b"", "123456")).as_str())
        );
    }

    #[test]
    fn wrong_codes_count_down_and_lock() {
        let mut r = rec("a", 1000);
        for c in ["000000", "000001", "000002"] {
            assert_eq!(reason(r.check(&key(), c, 1001)), Some(Reason::WrongCode));
        }
        assert_eq!(r.state, State::Locked);
        assert_eq!(
            reason(r.check(&key(), "123456", 1001)),
            Some(Reason::AttemptsExhausted)
        );
    }

    #[test]
    fn wrong_shapes_spend_no_attempt() {
        let mut r = rec("a", 1000);
        for c in ["12345", "1234567", "12345a", "١٢٣٤٥٦"] {
            assert_eq!(reason(r.check(&key(), c, 1001)), Some(Reason::WrongCode));
        }
        assert_eq!(r.attempts_left, 3);
        assert_eq!(r.state, State::Pending);
    }

    #[test]
    fn letters_compare_case_insensitively() {
        let mut r = rec("a", 1000);
        r.set_pin(&key(), &Secret::new("AB12CD"), Some(PinType::Alphanumeric));
        assert_eq!(r.check(&key(), "ab12cd", 1001), Ok(()));
        // A PIN outside the alphabet it claims keeps its exact case.
        let mut m = rec("m", 1000);
        m.set_pin(&key(), &Secret::new("aB-12"), Some(PinType::Alphanumeric));
        assert_eq!(m.pin_type, None);
        assert!(!m.pin_matches(&key(), "AB-12"));
        assert!(m.pin_matches(&key(), "aB-12"));
    }

    #[test]
    fn a_claim_holds_until_its_own_deadline() {
        let mut r = rec("a", 1000);
        r.expires_at = Some(2000);
        // A 5-minute verify in flight: its claim runs to 1000 + 300 + 30.
        assert_eq!(r.claim(&key(), "123456", 1000, 1330), Ok(()));
        assert_eq!(r.state, State::Checking);
        // A later, 1-s verify at +31 s must still see it as busy, not stale.
        match r.claim(&key(), "123456", 1031, 1062) {
            Err(Refused::Busy { retry_in, message }) => {
                assert_eq!(retry_in, 299);
                assert!(message.contains("try again in 299s"), "{message}");
            }
            other => panic!("expected busy, got {other:?}"),
        }
        // Local checks say busy too, and spend nothing.
        assert!(matches!(
            r.check(&key(), "000000", 1031),
            Err(Refused::Busy { .. })
        ));
        assert_eq!(r.attempts_left, 3);
        // The claimer died: after its deadline the claim lapses.
        assert_eq!(r.claim(&key(), "123456", 1330, 1400), Ok(()));
        assert_eq!(r.claim_until, Some(1400));
    }

    #[test]
    fn a_wrong_code_is_settled_without_a_claim() {
        let mut w = rec("b", 1000);
        assert_eq!(
            reason(w.claim(&key(), "000000", 1001, 1061)),
            Some(Reason::WrongCode)
        );
        assert_eq!(w.attempts_left, 2);
        assert_eq!(
            reason(w.claim(&key(), "00000", 1001, 1061)),
            Some(Reason::WrongCode)
        );
        assert_eq!(w.attempts_left, 2, "a wrong shape spends nothing");
        // A vendor-checked record (no hash) with a known shape: only shapes stay local.
        let mut v = Record::new("v", None, "termii", "+2347065250817", 1000, None, 3);
        v.set_shape(6, Some(PinType::Numeric));
        assert_eq!(
            reason(v.claim(&key(), "12", 1001, 1061)),
            Some(Reason::WrongCode)
        );
        assert_eq!(v.claim(&key(), "999999", 1001, 1061), Ok(()));
    }

    #[test]
    fn expiry_and_replacement() {
        let mut r = rec("a", 1000);
        assert_eq!(
            reason(r.check(&key(), "123456", 1300)),
            Some(Reason::Expired)
        );
        let mut r = rec("a", 1000);
        assert_eq!(r.check(&key(), "123456", 1299), Ok(()));
        let mut t = rec("t", 1000);
        t.replace();
        assert!(t.pin_hash.is_none());
        let e = t.check(&key(), "123456", 1001).unwrap_err();
        assert_eq!(e.reason(), Some(Reason::Expired));
        assert!(e.message().contains("replaced by a newer send"));
    }

    #[test]
    fn imported_records_keep_the_salted_check() {
        let mut r = rec("a", 1000);
        let salt = [3u8; 16];
        let old = hex(&legacy_hash(&salt, "123456"));
        r.set_legacy_hash(&key(), &hex(&salt), &old);
        r.pin_type = None;
        assert_ne!(r.pin_hash.as_deref(), Some(old.as_str()));
        assert!(!r.pin_matches(&key(), "123455"));
        assert_eq!(r.check(&key(), "123456", 1001), Ok(()));
    }
}
