//! `otp verify`, `status` and `cancel`: the local record decides where otp made the PIN,
//! the vendor where it did, and the record adds expiry, single use and attempts.

use super::policy::open_store;
use super::send::with_hint;
use super::{finish, load_profile, provider_of, stamp, timeout};
use crate::cli::{Global, IdArgs, VerifyArgs};
use crate::config::Profile;
use crate::error::{Failure, Kind, Outcome, Purpose, Reason};
use crate::http::Http;
use crate::output::{self, Printer, Report};
use crate::phone::Phone;
use crate::providers::{self, Info, PinBy, Remaining, VerifyBy};
use crate::redact::Secret;
use crate::store::{self, Record, RecordStore, Refused, State};
use std::time::Duration;

fn read_code(a: &VerifyArgs) -> Result<String, Failure> {
    use std::io::{BufRead, IsTerminal, Write};
    let code = match a.code.as_deref() {
        Some("-") => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Failure::usage(format!("cannot read the code from stdin: {e}")))?;
            line
        }
        Some(c) => c.to_string(),
        None if std::io::stdin().is_terminal() => {
            // Not echoed, like a password prompt: the code is a secret on screen too.
            // Echo goes off before the prompt shows, so nothing typed after it echoes.
            let echo = EchoOff::new();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "Code: ");
            let _ = err.flush();
            let mut line = String::new();
            let read = std::io::stdin().lock().read_line(&mut line);
            drop(echo);
            let _ = writeln!(err);
            read.map_err(|e| Failure::usage(format!("cannot read the code: {e}")))?;
            line
        }
        None => {
            return Err(
                Failure::usage("--code is required when stdin is not a terminal")
                    .hint("pass --code CODE, or --code - to read it from stdin"),
            )
        }
    };
    if code.trim().is_empty() {
        return Err(Failure::usage("no code was given")
            .hint("pass --code CODE, or pipe the code into --code -"));
    }
    let code: String = code
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Failure::usage("the code must be letters or digits"));
    }
    if code.len() > MAX_CODE {
        // The code itself is not echoed: it may be a real one, mistyped.
        return Err(Failure::usage(format!(
            "the code is too long: {} characters, and a code has at most {MAX_CODE}",
            code.len()
        ))
        .hint("pass the code the user received, without anything around it"));
    }
    Ok(code)
}

/// The longest code `verify` takes (no vendor's PIN comes near it).
const MAX_CODE: usize = 32;

/// Terminal echo off on stdin until dropped (restored on every path out).
pub(super) struct EchoOff(Option<libc::termios>);

impl EchoOff {
    pub(super) fn new() -> EchoOff {
        // SAFETY: tcgetattr/tcsetattr on fd 0 with a zeroed, then filled, termios.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return EchoOff(None);
            }
            let saved = t;
            t.c_lflag &= !libc::ECHO;
            if libc::tcsetattr(0, libc::TCSANOW, &t) != 0 {
                return EchoOff(None);
            }
            EchoOff(Some(saved))
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(t) = self.0 {
            // SAFETY: restores the attributes read in `new`.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, &t);
            }
        }
    }
}

/// An id as the user gave it: empty, blank, `.` or `..` would address the vendor's
/// collection or a parent path (`GET /otp/`, `DELETE /v1/`), not one OTP.
fn check_id(id: &str) -> Result<(), Failure> {
    // The same rule `send` holds a vendor's handle to, so what it prints is accepted here.
    if !crate::redact::is_printable_id(id) {
        // Echoed as given, spaces included: they are often what is wrong.
        let shown = crate::redact::scrub(&crate::redact::strip_controls(id));
        let spaces = if !id.trim().is_empty() && id.trim() != id {
            " (it has spaces around it)"
        } else {
            ""
        };
        return Err(Failure::usage(format!(
            "--id \"{shown}\" is not an id `otp send` prints{spaces}"
        ))
        .hint(if spaces.is_empty() {
            "an empty id usually means the send before it failed: check its exit code"
        } else {
            "pass the id without the spaces"
        }));
    }
    Ok(())
}

/// A vendor's "no such id" where no local record knows the id either: for verify
/// `unknown_id` (exit 1, the README), for status and cancel the same exit 2 as an id with
/// no record. A verify refused as an invalid request counts too: with no record there
/// is nothing else the request could have got wrong.
fn unknown_everywhere(f: Failure, id: &str, verify: bool) -> Failure {
    let unknown = f.outcome == Outcome::Rejected
        && (f.kind == Kind::NotFound || (verify && f.kind == Kind::InvalidRequest));
    if !unknown {
        return f;
    }
    let message = format!("neither otp nor the vendor knows id {id} ({})", f.message);
    let mut u = if verify {
        Failure::not_verified(Reason::UnknownId, message)
    } else {
        let mut u = unknown_record(id);
        u.message = message;
        u
    }
    .code(f.provider_code);
    u.http_status = f.http_status;
    u
}

/// A vendor that no longer knows a verification (gone after approval, expiry or too many
/// checks) does not say which: the local record, as it was before this run, does.
fn explain_gone(f: Failure, r: &Record, now: u64) -> Failure {
    if !f.ask_record || f.reason.is_none() {
        return f;
    }
    let reason = match r.state {
        State::Verified => Reason::AlreadyUsed,
        State::Locked => Reason::AttemptsExhausted,
        _ if r.attempts_left == 0 => Reason::AttemptsExhausted,
        _ => Reason::Expired,
    };
    let _ = now;
    let mut f = f;
    f.reason = Some(reason);
    f.kind = reason.kind();
    f
}

/// `otp verify` as a pipeline: the id and code checked, the record found, the profile
/// and provider it names, then the local check or the vendor's (claim, ask, settle).
pub(super) fn verify(g: &Global, out: &Printer, a: &VerifyArgs) -> u8 {
    let mut report = Report::new(Outcome::NotVerified);
    report.reason = Some(None);
    report.attempts_left = Some(None);
    report.id = Some(a.id.clone());
    // Attempts left before this run, where a record knows them: a wrong code that spent
    // one is worded with what is left.
    let mut before: Option<u32> = None;
    let mut was_local = false;
    let verdict = (|| -> Result<(), Failure> {
        check_id(&a.id)?;
        let timeout = timeout(g)?;
        let code = Secret::pin(read_code(a)?);
        let now = store::now();
        let store = open_store(g).map_err(in_verify)?;
        let store = store.as_ref();
        let rec = store.get(&a.id, now).map_err(in_verify)?;
        if rec.as_ref().is_some_and(|r| r.state == State::Replaced) {
            return Err(replaced(&a.id));
        }
        // The record names profile and provider; without one, --profile must.
        let profile = match &rec {
            Some(r) => {
                let flags = [("provider", r.provider.clone())];
                load_profile(g, r.profile.as_deref().or(g.profile.as_deref()), &flags)?
            }
            None => load_profile(g, None, &[])?,
        };
        let info = provider_of(&profile);
        report.provider = Some(info.id.to_string());
        report.profile = profile.name.clone();
        report.verify_with = Some(info.verify.as_str());
        // A test number's fixed code is checked here, whatever the provider.
        let local = info.verify == VerifyBy::Local || rec.as_ref().is_some_and(|r| r.test);
        if local {
            report.verify_with = Some("local");
        }
        if let Some(r) = &rec {
            report.to = Some(r.to.clone());
            report.expires_at = r.expires_at.map(output::time_at);
            report.attempts_left = Some(attempts_known(r));
            before = attempts_known(r);
        }
        was_local = local;
        let said = std::cell::Cell::new(Remaining::default());
        let verdict = if local {
            check_locally(store, &a.id, &code, rec.is_some(), now)
        } else {
            let asked = Ask {
                id: &a.id,
                code: &code,
                rec: rec.as_ref(),
                timeout,
                now,
                said: &said,
                timeout_name: super::source(g, "timeout"),
            };
            ask_vendor(store, &profile, info, asked, out)
        };
        // What is left now: the record after this run, the vendor's word over it.
        let after = match &rec {
            Some(_) => store.get(&a.id, store::now()).ok().flatten(),
            None => None,
        };
        let said = said.get();
        if rec.is_some() || said != Remaining::default() {
            // The record as this run left it; as it was, if it cannot be read again.
            let (attempts, expires) = what_is_left(said, after.as_ref().or(rec.as_ref()));
            report.attempts_left = Some(attempts);
            report.expires_at = expires;
        }
        verdict
    })();
    match verdict {
        Ok(()) => {
            report.ok = true;
            report.outcome = Outcome::Verified;
            if out.json() {
                out.json_value(&report.to_json());
            } else if !out.quiet {
                out.owned_lines(&format!(
                    "{} ({})",
                    out.good("verified"),
                    report.provider.as_deref().unwrap_or("")
                ));
            }
            0
        }
        Err(f) => {
            let f = with_hint(f, &report);
            let f = with_what_is_left(f, &report, before, was_local, store::now());
            // A verify's outcome is verified or not_verified; error.kind and the
            // exit code tell a network failure from a "no".
            out.verify_failure(&mut report, &f)
        }
    }
}

/// `attempts_left` and `expires_at` after a verify: the vendor's word where it gave
/// one, else the record as this run left it. Pure.
fn what_is_left(said: Remaining, after: Option<&Record>) -> (Option<u32>, Option<String>) {
    let attempts = said
        .attempts_left
        .or_else(|| after.and_then(attempts_known));
    let expires = said
        .expires_at
        .map(output::time)
        .or_else(|| after.and_then(|r| r.expires_at.map(output::time_at)));
    (attempts, expires)
}

/// A wrong code says what is left: "wrong code, 2 attempts left, expires in 3m12s"
/// where the record checked it and an attempt was spent; the vendor's or the record's
/// own words, then what is left, otherwise. A locked OTP keeps its message.
fn with_what_is_left(
    mut f: Failure,
    r: &Report,
    before: Option<u32>,
    local: bool,
    now: u64,
) -> Failure {
    if f.reason != Some(Reason::WrongCode) {
        return f;
    }
    let attempts = r.attempts_left.flatten();
    let expires_in = r
        .expires_at
        .as_deref()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(|t| {
            u64::try_from(t.as_second())
                .unwrap_or(0)
                .saturating_sub(now)
        });
    let Some(left) = left_text(attempts, expires_in) else {
        return f;
    };
    if attempts == Some(0) {
        return f;
    }
    let spent = matches!((before, attempts), (Some(b), Some(a)) if a < b);
    f.message = if local && spent {
        format!("wrong code, {left}")
    } else {
        format!("{}; {left}", f.message)
    };
    f
}

/// "2 attempts left, expires in 3m12s", from what is known of either.
fn left_text(attempts: Option<u32>, expires_in: Option<u64>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(n) = attempts {
        parts.push(format!("{n} attempt{} left", if n == 1 { "" } else { "s" }));
    }
    if let Some(s) = expires_in {
        parts.push(format!("expires in {}", compact_duration(s)));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Whole seconds as people read a countdown: `3m12s`, `45s`, `1h5m0s`.
fn compact_duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

/// The attempts a record knows are left: None where the vendor counts its own tries
/// and checks codes itself (the local count is only a ceiling there). Zender's codes
/// are checked against the local hash first, so its local count is the real one.
fn attempts_known(r: &Record) -> Option<u32> {
    let vendor_counts = providers::find(&r.provider)
        .is_some_and(|i| i.attempts.is_none() && i.pin_by == PinBy::Provider);
    (!vendor_counts).then_some(r.attempts_left)
}

fn no_record(id: &str) -> Failure {
    Failure::not_verified(Reason::UnknownId, format!("no local record of id {id}"))
}

/// A store failure during verify: not verified, nothing spent, exit 5; unless the store
/// took a change whose answer was lost (unknown, exit 6).
fn in_verify(mut f: Failure) -> Failure {
    if f.kind == Kind::Store && f.outcome != Outcome::Unknown {
        f.outcome = Outcome::NotVerified;
    }
    f
}

fn replaced(id: &str) -> Failure {
    Failure::not_verified(
        Reason::Expired,
        format!("id {id} was replaced by a newer send to the same number"),
    )
    .hint("use the code of the newest send")
}

/// What a record's rules refused. Busy is no answer about the code: another verify of
/// this id is checking, so this one may try again (exit 5, retryable).
fn refusal(r: Refused) -> Failure {
    match r {
        Refused::No(reason, msg) => Failure::not_verified(reason, msg),
        Refused::Busy { retry_in, message } => {
            let mut f = Failure::not_verified(Reason::WrongCode, message);
            f.kind = Kind::RateLimited;
            f.reason = None;
            f.hint(format!(
                "nothing was spent; run the same verify again in {retry_in}s"
            ))
        }
    }
}

/// Where otp made the PIN (or a test number's fixed code): the record checks the code,
/// in one atomic update of the store.
fn check_locally(
    store: &dyn RecordStore,
    id: &str,
    code: &Secret,
    known: bool,
    now: u64,
) -> Result<(), Failure> {
    if !known {
        return Err(no_record(id)
            .hint("the id is wrong, or the OTP expired and was pruned; send a new one"));
    }
    let key = store.key();
    let verdict = store
        .update(id, now, |r| r.check(key, code.expose(), now))
        .map_err(in_verify)?;
    match verdict {
        Some(v) => v.map_err(refusal),
        None => Err(no_record(id)),
    }
}

/// One check at the vendor: what it is about.
struct Ask<'a> {
    id: &'a str,
    code: &'a Secret,
    /// The record as it was before this run, when there is one.
    rec: Option<&'a Record>,
    timeout: Duration,
    now: u64,
    /// What the vendor's answer says is left, where it says.
    said: &'a std::cell::Cell<Remaining>,
    /// How the user sets the timeout, for a timeout's message.
    timeout_name: String,
}

/// Where the vendor made the PIN: local rules first, the record claimed so two runs
/// cannot both take one code to the vendor, the vendor asked, and the record settled.
fn ask_vendor(
    store: &dyn RecordStore,
    profile: &Profile,
    info: &Info,
    ask: Ask,
    out: &Printer,
) -> Result<(), Failure> {
    // Zender looks a code up by value alone: without the record's hash, any code
    // pending on the account would verify any id, for any number.
    if info.pin_by == PinBy::ProviderReturns && ask.rec.is_none_or(|r| r.pin_hash.is_none()) {
        return Err(no_record(ask.id).hint(format!(
            "{} checks a code only against the send's local record; send a new one",
            info.id
        )));
    }
    let provider = (info.build)(profile)?;
    // A code no code of this vendor can be is wrong, and spends no attempt; a record
    // that is used, locked or expired says so instead (the claim below answers it).
    if let Some(f) = provider.misfit(ask.code.expose()) {
        if ask.rec.is_none_or(|r| r.live() && !r.expired(ask.now)) {
            return Err(f);
        }
    }
    let phone = ask.rec.and_then(|r| Phone::parse(&r.to, None).ok());
    // The vendor knows the send by its handle (an id of otp's own stands in for it
    // when the vendor gave the handle to another number's send too).
    let handle = ask.rec.map_or(ask.id, |r| r.handle());
    let req = provider.verify_to(handle, phone.as_ref(), ask.code)?;
    let req = provider.sign(req, &stamp())?;
    let mut http = Http::new(
        ask.timeout,
        profile.ca_file().as_deref(),
        super::notes(out.verbose),
    )?;
    http.limit_named(ask.timeout_name);
    http.on_reply(provider.reply_secrets());
    if let Some(p) = &phone {
        http.mask(p.digits().to_string(), p.masked_digits());
    }
    if ask.rec.is_some() {
        // The claim lasts as long as this run may wait for the vendor, plus a margin:
        // a shorter verify after it must not think it stale (issue 15, item 4).
        let until = ask
            .now
            .saturating_add(ask.timeout.as_secs())
            .saturating_add(30);
        claim(store, ask.id, ask.code, ask.now, until)?;
    }
    let verdict = super::progress::waiting(out, info.id, || http.execute(&req))
        .and_then(|reply| {
            ask.said.set(provider.verify_remaining(&reply));
            provider.verify_reply(&reply)
        })
        .map_err(|f| {
            let f = f.worded(Purpose::Verify);
            match &phone {
                Some(p) => super::mask_number_in(f, p),
                None => f,
            }
        });
    let Some(rec) = ask.rec else {
        return verdict.map_err(|f| unknown_everywhere(f, ask.id, true));
    };
    let verdict = verdict.map_err(|f| explain_gone(f, rec, ask.now));
    // A vendor that counts its own tries and checks codes itself (shoutout) decides
    // alone; elsewhere the profile's count applies here too.
    let count_here = info.attempts.is_some() || info.pin_by != PinBy::Provider;
    let said = verdict.as_ref().map(|_| ()).map_err(|f| f.reason);
    if let Err(e) = settle_record(store, ask.id, said, count_here, store::now()) {
        // The vendor's answer stands; the record may still say "checking" until its
        // claim lapses.
        output::warn(&format!(
            "the local record could not be updated: {}",
            e.message
        ));
    }
    verdict
}

/// Mark the record "checking" in one atomic update, after its local rules pass: a used,
/// cancelled, locked, expired, mismatching or wrong-shape code needs no call.
fn claim(
    store: &dyn RecordStore,
    id: &str,
    code: &Secret,
    now: u64,
    until: u64,
) -> Result<(), Failure> {
    let key = store.key();
    let claimed = store
        .update(id, now, |r| r.claim(key, code.expose(), now, until))
        .map_err(in_verify)?;
    match claimed {
        Some(c) => c.map_err(refusal),
        None => Err(no_record(id)),
    }
}

/// Write the vendor's verdict into the record of `id`.
fn settle_record(
    store: &dyn RecordStore,
    id: &str,
    verdict: Result<(), Option<Reason>>,
    count_here: bool,
    now: u64,
) -> Result<(), Failure> {
    store
        .update(id, now, |r| settle(r, verdict, count_here, now))
        .map(|_| ())
}

/// What the vendor's verdict (Ok, or the reason it said no) does to the record: the
/// claim is released, and a yes, a wrong code counted here, exhausted attempts, a used
/// code or the vendor's expiry are written down. Pure.
fn settle(r: &mut Record, verdict: Result<(), Option<Reason>>, count_here: bool, now: u64) {
    // A newer send replaced it meanwhile: the tombstone stays.
    if r.state == State::Replaced {
        return;
    }
    r.state = State::Pending;
    r.checking_since = None;
    r.claim_until = None;
    match verdict {
        Ok(()) => r.state = State::Verified,
        Err(Some(Reason::WrongCode)) if count_here => {
            r.attempts_left = r.attempts_left.saturating_sub(1);
            if r.attempts_left == 0 {
                r.state = State::Locked;
            }
        }
        Err(Some(Reason::AttemptsExhausted)) => {
            r.state = State::Locked;
            r.attempts_left = 0;
        }
        Err(Some(Reason::AlreadyUsed)) => r.state = State::Verified,
        // The vendor's clock decides: the record expires now.
        Err(Some(Reason::Expired)) => {
            r.expires_at = Some(r.expires_at.map_or(now, |e| e.min(now)));
        }
        _ => {}
    }
}

fn record_json(r: &Record, now: u64) -> serde_json::Value {
    let state = if r.state == State::Pending && r.expired(now) {
        "expired"
    } else {
        r.state.as_str()
    };
    serde_json::json!({
        "id": r.id,
        "provider": r.provider,
        "profile": r.profile,
        "to": r.masked_to(),
        "sent_at": output::time_at(r.sent_at),
        "expires_at": r.expires_at.map(output::time_at),
        "attempts_left": attempts_known(r),
        "state": state,
        "replaced": r.state == State::Replaced,
        "test": r.test,
    })
}

/// The record of `id` cancelled: `otp verify` refuses it from now on.
fn mark_cancelled(store: &dyn RecordStore, id: &str, now: u64) -> Result<(), Failure> {
    store
        .update(id, now, |r| {
            if r.state != State::Replaced {
                r.state = State::Cancelled;
                r.checking_since = None;
                r.claim_until = None;
            }
        })
        .map(|_| ())
}

/// An id with no record (and no vendor that knows it): kind `not_found` as in verify,
/// exit 2 (README: status and cancel).
fn unknown_record(id: &str) -> Failure {
    let mut f = Failure::usage(format!("no local record of id {id}")).hint(
        "records are kept until a day after the OTP expires; check the id `otp send` printed",
    );
    f.kind = Kind::NotFound;
    f
}

/// Every string in `v` with the number's digits masked.
fn mask_number(v: serde_json::Value, p: &Phone) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(s.replace(p.digits(), &p.masked_digits())),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| mask_number(x, p)).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, x)| (k, mask_number(x, p))).collect())
        }
        other => other,
    }
}

pub(super) fn status(g: &Global, out: &Printer, a: &IdArgs) -> u8 {
    finish(out, Some(&a.id), show_status(g, out, a))
}

/// Every string of a vendor's JSON as vendor text: escapes stripped, cut, secrets masked
/// (the README), and secret-named fields masked by name.
fn sanitize_json(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match crate::redact::mask_json_fields(v, true) {
        Value::String(s) => Value::String(crate::redact::vendor_text(&s)),
        Value::Array(a) => Value::Array(a.into_iter().map(sanitize_json).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| (crate::redact::vendor_text(&k), sanitize_json(x)))
                .collect(),
        ),
        other => other,
    }
}

/// Every string in a vendor's JSON that is a phone number, masked (the README: status
/// masks the number, including the one the vendor echoes back).
fn mask_phones(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) if s.starts_with('+') => match Phone::parse(&s, None) {
            Ok(p) => Value::String(p.masked()),
            Err(_) => Value::String(s),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(mask_phones).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, x)| (k, mask_phones(x))).collect())
        }
        other => other,
    }
}

/// A vendor's status as `key: value` lines under a heading, nested keys joined with dots
/// and each value cleaned and masked as vendor text, rather than one line of JSON.
fn vendor_lines(v: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    fn walk(v: &Value, key: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, x) in m {
                    let k = crate::redact::vendor_text(k);
                    walk(
                        x,
                        if key.is_empty() {
                            k
                        } else {
                            format!("{key}.{k}")
                        },
                        out,
                    );
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{key}[{i}]"), out);
                }
            }
            other => {
                let text = match other {
                    Value::String(s) => s.clone(),
                    x => x.to_string(),
                };
                let text = crate::redact::vendor_text(&text);
                out.push(if key.is_empty() {
                    format!("  {text}")
                } else {
                    format!("  {key}: {text}")
                });
            }
        }
    }
    let mut out = vec!["provider status:".to_string()];
    walk(v, String::new(), &mut out);
    out
}

fn show_status(g: &Global, out: &Printer, a: &IdArgs) -> Result<u8, Failure> {
    check_id(&a.id)?;
    let timeout = timeout(g)?;
    let now = store::now();
    // Read-only: status writes nothing, and works on a store it may not write.
    let rec = match super::policy::open_store_read(g)? {
        Some(st) => st.get(&a.id, now)?,
        None => None,
    };
    let profile = match &rec {
        Some(r) => load_profile(g, r.profile.as_deref(), &[("provider", r.provider.clone())]).ok(),
        None => load_profile(g, None, &[]).ok(),
    };
    let phone = rec.as_ref().and_then(|r| Phone::parse(&r.to, None).ok());
    let mut remote = serde_json::Value::Null;
    let mut remote_error = None;
    let provider = profile
        .as_ref()
        .and_then(|p| (provider_of(p).build)(p).ok());
    if let (Some(p), Some(provider)) = (&profile, &provider) {
        // The vendor knows the send by its handle (see `Record::handle`).
        let handle = rec.as_ref().map_or(a.id.as_str(), |r| r.handle());
        if let Some(req) = provider.status_to(handle, phone.as_ref()) {
            let asked = Http::new(timeout, p.ca_file().as_deref(), super::notes(out.verbose))
                .and_then(|mut http| {
                    http.limit_named(super::source(g, "timeout"));
                    if let Some(ph) = &phone {
                        http.mask(ph.digits().to_string(), ph.masked_digits());
                    }
                    let req = provider.sign(req, &stamp())?;
                    let reply =
                        super::progress::waiting(out, provider_of(p).id, || http.execute(&req))?;
                    provider.status_reply(&reply)
                })
                .map_err(|f| f.worded(Purpose::Status));
            match asked {
                Ok(v) => {
                    remote = mask_phones(sanitize_json(v));
                    if let Some(ph) = &phone {
                        remote = mask_number(remote, ph);
                    }
                }
                // The local record still answers; the vendor's part is missing, and
                // the document says why.
                Err(f) if rec.is_some() => {
                    output::warn(&format!(
                        "{}'s own status is not available: {}",
                        provider_of(p).id,
                        f.message
                    ));
                    remote_error = Some(f);
                }
                Err(f) => return Err(unknown_everywhere(f, &a.id, false)),
            }
        }
    }
    if rec.is_none() && remote.is_null() {
        return Err(unknown_record(&a.id));
    }
    if out.json() {
        let mut doc = rec
            .as_ref()
            .map(|r| record_json(r, now))
            .unwrap_or_else(|| serde_json::json!({"id": a.id}));
        // `ok` on success as on failure, so a script reads one field either way.
        doc["ok"] = true.into();
        doc["provider_status"] = remote;
        doc["provider_error"] = match &remote_error {
            Some(f) => serde_json::to_value(output::ErrorDoc::of(f)).unwrap_or_default(),
            None => serde_json::Value::Null,
        };
        out.json_value(&doc);
    } else {
        if let Some(r) = &rec {
            let j = record_json(r, now);
            let attempts = match j["attempts_left"].as_u64() {
                Some(n) => format!("{n} left"),
                None => format!("counted by {}", r.provider),
            };
            // A pending OTP says how long it has, as a wrong verify does.
            let expires = match (j["expires_at"].as_str(), r.expires_at) {
                (Some(t), Some(at)) if r.state == State::Pending && at > now => {
                    format!("{t} (in {})", compact_duration(at - now))
                }
                (Some(t), _) => t.to_string(),
                (None, _) => "unknown (set by the provider)".to_string(),
            };
            let note = match r.state {
                State::Replaced => " (a newer send to the same number replaced it)",
                _ if r.test => " (test number: nothing was sent)",
                _ => "",
            };
            out.owned_lines(&format!(
                "id        {}\nprovider  {}\nto        {}\nsent at   {}\nexpires   {}\nattempts  {attempts}\nstate     {}{note}",
                r.id,
                r.provider,
                r.masked_to(),
                j["sent_at"].as_str().unwrap_or(""),
                expires,
                j["state"].as_str().unwrap_or(""),
            ));
        }
        if !remote.is_null() {
            out.owned_lines(&vendor_lines(&remote).join("\n"));
        }
    }
    Ok(0)
}

pub(super) fn cancel(g: &Global, out: &Printer, a: &IdArgs) -> u8 {
    finish(out, Some(&a.id), cancel_otp(g, out, a))
}

fn cancel_otp(g: &Global, out: &Printer, a: &IdArgs) -> Result<u8, Failure> {
    check_id(&a.id)?;
    let now = store::now();
    let store = open_store(g)?;
    let rec = store.get(&a.id, now)?;
    // A verified OTP stays verified: cancelling it would rewrite what happened.
    if let Some(r) = &rec {
        if r.state == State::Verified {
            return Err(Failure::usage(format!(
                "{} was already verified; there is nothing to cancel",
                a.id
            )));
        }
    }
    let profile = match &rec {
        Some(r) => load_profile(g, r.profile.as_deref(), &[("provider", r.provider.clone())])?,
        None => load_profile(g, None, &[])?,
    };
    let provider = (provider_of(&profile).build)(&profile)?;
    // The local record first: whatever the vendor answers, otp verify refuses it now.
    let was = rec.as_ref().map(|r| r.state);
    if rec.is_some() {
        mark_cancelled(store.as_ref(), &a.id, now)?;
    }
    let id = provider_of(&profile).id;
    let mut remote = false;
    let mut note = None;
    // The vendor knows the send by its handle (see `Record::handle`).
    let handle = rec.as_ref().map_or(a.id.as_str(), |r| r.handle());
    if let Some(req) = provider.cancel(handle) {
        // Asked again even when the record says cancelled: an earlier cancel may have
        // failed on the way to the vendor.
        let mut http = Http::new(
            timeout(g)?,
            profile.ca_file().as_deref(),
            super::notes(out.verbose),
        )?;
        http.limit_named(super::source(g, "timeout"));
        let answered = provider
            .sign(req, &stamp())
            .and_then(|req| super::progress::waiting(out, id, || http.execute(&req)))
            .and_then(|reply| provider.cancel_reply(&reply))
            .map_err(|f| f.worded(Purpose::Cancel));
        match answered {
            Ok(()) => remote = true,
            Err(f) if rec.is_none() => return Err(unknown_everywhere(f, &a.id, false)),
            // The vendor holds no pending OTP under this id any more (expired, failed,
            // gone): nothing is left to cancel there, and the record is cancelled.
            Err(f) if over_at_vendor(&f) => {
                note = Some(format!(
                    "{id} has nothing left to cancel ({}); the local record is cancelled",
                    f.message
                ));
            }
            Err(mut f) => {
                f.message = format!(
                    "cancelled locally, but {id} did not confirm it: {}",
                    f.message
                );
                // A re-run asks the vendor again (see above).
                f.hint = f.hint.or_else(|| {
                    Some(format!(
                        "run `otp cancel --id {}` again to retry the call to {id}",
                        a.id
                    ))
                });
                return Err(f);
            }
        }
    } else if rec.is_none() {
        return Err(unknown_record(&a.id));
    } else if provider_of(&profile).verify == VerifyBy::Provider {
        // The vendor checks the code itself and has no cancel call: the record refuses
        // it here, but the vendor would still accept it until it expires.
        note = Some(format!(
            "{id} has no cancel call: the PIN stays valid at {id} until it expires; `otp verify` refuses it now"
        ));
    }
    let already = was == Some(State::Cancelled);
    if out.json() {
        out.json_value(&serde_json::json!({"ok": true, "id": a.id, "cancelled": true, "provider_cancelled": remote, "local_record": rec.is_some(), "note": note}));
    } else {
        if !out.quiet {
            out.line(&match (already, remote) {
                (true, true) => {
                    format!("cancelled {} at {id} (the local record already was)", a.id)
                }
                (true, false) => format!("already cancelled {}", a.id),
                (false, true) => format!("cancelled {} (at {id} too)", a.id),
                (false, false) => format!("cancelled {}", a.id),
            });
        }
        if let Some(n) = &note {
            output::warn(n);
        }
    }
    Ok(0)
}

/// A vendor's refusal of a cancel that means the OTP is no longer pending there
/// (SMS.cx 2031 "not pending", an expired or unknown id), as opposed to a refused
/// credential or a transport failure.
fn over_at_vendor(f: &Failure) -> bool {
    f.outcome == Outcome::Rejected
        && matches!(
            f.kind,
            Kind::InvalidRequest | Kind::NotFound | Kind::Expired | Kind::AlreadyUsed
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(attempts_left: u32, state: State) -> Record {
        let mut r = Record::new(
            "id-1",
            None,
            "termii",
            "+2348012345678",
            1_000,
            Some(1_300),
            attempts_left,
        );
        r.state = state;
        r.checking_since = Some(1_100);
        r.claim_until = Some(1_160);
        r
    }

    fn settled(r: Record, verdict: Result<(), Option<Reason>>, count_here: bool) -> Record {
        let mut r = r;
        settle(&mut r, verdict, count_here, 1_200);
        r
    }

    #[test]
    fn settle_writes_the_vendor_s_verdict_and_releases_the_claim() {
        let r = settled(record(3, State::Checking), Ok(()), true);
        assert_eq!((r.state, r.checking_since), (State::Verified, None));
        let r = settled(
            record(3, State::Checking),
            Err(Some(Reason::WrongCode)),
            true,
        );
        assert_eq!((r.state, r.attempts_left), (State::Pending, 2));
        let r = settled(
            record(1, State::Checking),
            Err(Some(Reason::WrongCode)),
            true,
        );
        assert_eq!((r.state, r.attempts_left), (State::Locked, 0));
        // A vendor that counts its own tries decides alone.
        let r = settled(
            record(1, State::Checking),
            Err(Some(Reason::WrongCode)),
            false,
        );
        assert_eq!((r.state, r.attempts_left), (State::Pending, 1));
        let r = settled(
            record(2, State::Checking),
            Err(Some(Reason::AttemptsExhausted)),
            false,
        );
        assert_eq!((r.state, r.attempts_left), (State::Locked, 0));
        let r = settled(
            record(2, State::Checking),
            Err(Some(Reason::AlreadyUsed)),
            true,
        );
        assert_eq!(r.state, State::Verified);
        let r = settled(record(2, State::Checking), Err(Some(Reason::Expired)), true);
        assert_eq!((r.state, r.expires_at), (State::Pending, Some(1_200)));
        // A failed call (no reason) only releases the claim.
        let r = settled(record(2, State::Checking), Err(None), true);
        assert_eq!(
            (r.state, r.attempts_left, r.checking_since),
            (State::Pending, 2, None)
        );
    }

    #[test]
    fn a_vendor_that_forgot_the_check_is_explained_by_the_record() {
        let gone =
            || Failure::not_verified(Reason::Expired, "the vendor no longer knows it").ask_record();
        let f = explain_gone(gone(), &record(3, State::Verified), 1_200);
        assert_eq!(
            (f.reason, f.kind),
            (Some(Reason::AlreadyUsed), Kind::AlreadyUsed)
        );
        let f = explain_gone(gone(), &record(0, State::Pending), 1_200);
        assert_eq!(f.reason, Some(Reason::AttemptsExhausted));
        let f = explain_gone(gone(), &record(2, State::Pending), 1_200);
        assert_eq!(f.reason, Some(Reason::Expired));
        let plain = Failure::not_verified(Reason::WrongCode, "no");
        let f = explain_gone(plain, &record(3, State::Verified), 1_200);
        assert_eq!(f.reason, Some(Reason::WrongCode));
    }

    #[test]
    fn an_id_nobody_knows_is_unknown_id_for_verify_and_usage_elsewhere() {
        let not_found = || Failure::rejected(Kind::NotFound, "termii rejected the request");
        let f = unknown_everywhere(not_found(), "x1", true);
        assert_eq!((f.reason, f.exit_code()), (Some(Reason::UnknownId), 1));
        assert!(f.message.contains("neither otp nor the vendor knows id x1"));
        let f = unknown_everywhere(not_found(), "x1", false);
        assert_eq!(f.exit_code(), 2);
        let f = unknown_everywhere(Failure::unknown(Kind::Timeout, "slow"), "x1", true);
        assert_eq!(f.exit_code(), 6);
    }

    #[test]
    fn the_vendor_s_word_on_what_is_left_beats_the_record() {
        let r = record(3, State::Pending);
        assert_eq!(
            what_is_left(Remaining::default(), Some(&r)),
            (Some(3), Some(output::time_at(1_300)))
        );
        let said = Remaining {
            attempts_left: Some(1),
            expires_at: Some(std::time::UNIX_EPOCH + Duration::from_secs(1_250)),
        };
        assert_eq!(
            what_is_left(said, Some(&r)),
            (Some(1), Some(output::time_at(1_250)))
        );
        assert_eq!(what_is_left(said, None).0, Some(1));
        assert_eq!(what_is_left(Remaining::default(), None), (None, None));
        // A vendor that counts its own tries: the record's count is not what is left.
        let mut shout = record(3, State::Pending);
        shout.provider = "shoutout".into();
        assert_eq!(what_is_left(Remaining::default(), Some(&shout)).0, None);
    }

    #[test]
    fn a_wrong_code_says_what_is_left() {
        assert_eq!(compact_duration(192), "3m12s");
        assert_eq!(compact_duration(45), "45s");
        assert_eq!(compact_duration(3_900), "1h5m0s");
        assert_eq!(
            left_text(Some(2), Some(192)).as_deref(),
            Some("2 attempts left, expires in 3m12s")
        );
        assert_eq!(left_text(Some(1), None).as_deref(), Some("1 attempt left"));
        assert_eq!(left_text(None, None), None);
        let mut r = Report::new(Outcome::NotVerified);
        r.attempts_left = Some(Some(2));
        r.expires_at = Some(output::time_at(1_192));
        let wrong = || Failure::not_verified(Reason::WrongCode, "wrong code; 2 attempts left");
        let f = with_what_is_left(wrong(), &r, Some(3), true, 1_000);
        assert_eq!(f.message, "wrong code, 2 attempts left, expires in 3m12s");
        // Nothing spent (a code of the wrong shape), or the vendor's words: kept, then
        // what is left.
        let f = with_what_is_left(wrong(), &r, Some(2), true, 1_000);
        assert!(f.message.ends_with("; 2 attempts left, expires in 3m12s"));
        let f = with_what_is_left(wrong(), &r, Some(3), false, 1_000);
        assert!(f.message.starts_with("wrong code; 2 attempts left;"));
        let expired = Failure::not_verified(Reason::Expired, "expired");
        assert_eq!(
            with_what_is_left(expired, &r, Some(3), true, 1_000).message,
            "expired"
        );
    }

    #[test]
    fn ids_that_would_address_a_collection_are_refused() {
        for id in ["", "  ", "a b", "a\u{7}", ".", "..", "a\u{202e}b"] {
            assert_eq!(check_id(id).unwrap_err().exit_code(), 2, "{id:?}");
        }
        assert!(check_id("a1b2-c3").is_ok());
    }
}
