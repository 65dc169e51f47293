//! Everything `otp` prints: the report of a send or verify as text or one JSON document,
//! errors as `otp: error:` plus a `hint:`, and warnings. Every line passes through the
//! redactor on its way out.

use crate::error::{Failure, Kind, Outcome, Reason};
use crate::redact::{self, scrub_document};
use serde::Serialize;
use serde_json::Value;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static COLOR_ERR: AtomicBool = AtomicBool::new(false);

/// The first failed write to stdout: the run's result did not reach the caller, so the
/// exit code must not say all is well (`main` reads it).
static STDOUT_ERROR: Mutex<Option<(std::io::ErrorKind, String)>> = Mutex::new(None);

/// Why stdout could not be written, if a write failed during the run.
pub fn stdout_error() -> Option<(std::io::ErrorKind, String)> {
    STDOUT_ERROR
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

/// Note a failed write to stdout (the first one is the one reported).
pub fn stdout_failed(e: &std::io::Error) {
    let mut slot = STDOUT_ERROR.lock().unwrap_or_else(|e| e.into_inner());
    if slot.is_none() {
        *slot = Some((e.kind(), e.to_string()));
    }
}

/// Write `text` and a line break to stdout, flushed, noting a failure.
fn write_out(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        stdout_failed(&e);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// `error` in the JSON document.
#[derive(Serialize, Debug, Clone)]
pub struct ErrorDoc {
    pub kind: Kind,
    pub message: String,
    pub http_status: Option<u16>,
    pub provider_code: Option<String>,
    pub retryable: bool,
    pub retry_after: Option<u32>,
}

impl ErrorDoc {
    pub fn of(f: &Failure) -> ErrorDoc {
        ErrorDoc {
            kind: f.kind,
            message: redact::scrub(&redact::sanitize_lines(&f.message)),
            http_status: f.http_status,
            provider_code: f.provider_code.clone(),
            retryable: f.retryable(),
            retry_after: f.retry_after,
        }
    }
}

/// One earlier attempt of a send with fallback (`tried` in the JSON document).
#[derive(Serialize, Debug, Clone)]
pub struct Tried {
    pub profile: Option<String>,
    pub provider: String,
    pub outcome: Outcome,
    pub error: ErrorDoc,
}

/// The one JSON document of a `send` or `verify` run (the README). Absent values are null.
#[derive(Serialize, Debug, Clone)]
pub struct Report {
    pub ok: bool,
    pub outcome: Outcome,
    pub provider: Option<String>,
    pub profile: Option<String>,
    pub to: Option<String>,
    pub id: Option<String>,
    pub message_id: Option<String>,
    pub verify_with: Option<&'static str>,
    pub expires_at: Option<String>,
    pub segments: Option<usize>,
    pub encoding: Option<&'static str>,
    pub cost: Option<Value>,
    /// The number is one of the profile's test numbers (nothing was sent); null for verify
    /// (the README: absent values are null, never missing).
    pub test: Option<bool>,
    /// The `routes` key that chose the profile; null when no route was used.
    pub route: Option<String>,
    /// The profiles tried before the one this document reports, in order; `[]` without
    /// fallback (and for verify).
    pub tried: Vec<Tried>,
    pub error: Option<ErrorDoc>,
    /// verify only: wrong tries left (null where neither the record nor the vendor
    /// knows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<Option<u32>>,
    /// verify only: why it said no (null when verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Option<Reason>>,
    /// dry run only: the request that would be sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
}

impl Report {
    pub fn new(outcome: Outcome) -> Report {
        Report {
            ok: false,
            outcome,
            provider: None,
            profile: None,
            to: None,
            id: None,
            message_id: None,
            verify_with: None,
            expires_at: None,
            segments: None,
            encoding: None,
            cost: None,
            test: None,
            route: None,
            tried: Vec::new(),
            error: None,
            attempts_left: None,
            reason: None,
            request: None,
        }
    }

    pub fn fail(&mut self, f: &Failure) {
        self.ok = false;
        self.outcome = f.outcome;
        if self.reason.is_some() || f.reason.is_some() {
            self.reason = Some(f.reason);
        }
        self.error = Some(ErrorDoc::of(f));
    }

    /// The document, masked by value only where the tool does not own the field.
    pub fn to_json(&self) -> Value {
        scrub_document(serde_json::to_value(self).unwrap_or(Value::Null))
    }
}

/// Where and how to print, chosen once from the global options.
#[derive(Clone, Copy, Debug)]
pub struct Printer {
    pub format: Format,
    pub quiet: bool,
    pub verbose: bool,
    color_out: bool,
}

impl Printer {
    pub fn new(format: Format, quiet: bool, verbose: bool, no_color: bool) -> Printer {
        let color_ok = color_allowed(no_color);
        COLOR_ERR.store(
            color_ok && std::io::stderr().is_terminal(),
            Ordering::Relaxed,
        );
        Printer {
            format,
            quiet,
            verbose,
            color_out: color_ok && std::io::stdout().is_terminal(),
        }
    }

    pub fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// Print a line of free text on stdout, redacted.
    pub fn line(&self, text: &str) {
        write_out(&redact::scrub(text));
    }

    /// Print lines whose parts were cleaned and masked one by one where they are free
    /// text (`redact::scrub`), while the values the tool owns (ids, the number, provider
    /// names) stay as they are: masking the whole line by value could rewrite an id that
    /// happens to contain the PIN, and the id must be one `verify --id` accepts.
    pub fn owned_lines(&self, text: &str) {
        write_out(&redact::sanitize_lines(text));
    }

    /// Print a JSON document on stdout, pretty: masked by value only in the fields the
    /// tool does not own, so it stays valid JSON with its ids and enum values intact.
    pub fn json_value(&self, v: &Value) {
        let v = scrub_document(v.clone());
        write_out(&serde_json::to_string_pretty(&v).unwrap_or_default());
    }

    /// A word in green on a terminal.
    pub fn good(&self, word: &str) -> String {
        if self.color_out {
            format!("\u{1b}[32m{word}\u{1b}[0m")
        } else {
            word.to_string()
        }
    }

    /// A failure: the `otp: error:` lines on stderr, and in JSON mode the document on
    /// stdout when there is one. Returns the exit code.
    pub fn failure(&self, report: Option<&mut Report>, f: &Failure) -> u8 {
        error(f, self.verbose);
        if let (Format::Json, Some(r)) = (self.format, report) {
            r.fail(f);
            self.json_value(&r.to_json());
        }
        f.exit_code()
    }
}

impl Printer {
    /// A failed verify: like `failure`, but the JSON `outcome` is `not_verified`
    /// whatever went wrong (the README lists only verified and not_verified for verify).
    pub fn verify_failure(&self, report: &mut Report, f: &Failure) -> u8 {
        error(f, self.verbose);
        if self.format == Format::Json {
            report.fail(f);
            // Whatever stopped it, usage and config errors included, a verify's
            // document says `not_verified`: the exit code tells the cases apart.
            report.outcome = Outcome::NotVerified;
            if report.reason.is_none() {
                report.reason = Some(None);
            }
            self.json_value(&report.to_json());
        }
        f.exit_code()
    }
}

/// Whether colour may be used at all (a terminal is still needed): not with
/// `--no-color`, a non-empty `NO_COLOR`, or a terminal that says it has none
/// (`TERM=dumb`, as Emacs shells and some CI runners set).
pub fn color_allowed(no_color_flag: bool) -> bool {
    !no_color_flag
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// The width of the transient line on stderr (the spinner's), 0 when none is drawn.
static STATUS: Mutex<usize> = Mutex::new(0);

/// Draw `text` as the transient line on stderr, over the one before it. Only the
/// spinner calls this, and only on a terminal.
pub fn status_line(text: &str) {
    let mut width = STATUS.lock().unwrap_or_else(|e| e.into_inner());
    let w = text.chars().count();
    let pad = " ".repeat(width.saturating_sub(w));
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r{text}{pad}");
    let _ = err.flush();
    *width = w;
}

/// Erase the transient line, if one is drawn, so what follows starts a clean line. Blanks
/// are written rather than an escape, so every terminal understands it.
pub fn clear_status() {
    let mut width = STATUS.lock().unwrap_or_else(|e| e.into_inner());
    if *width > 0 {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{}\r", " ".repeat(*width));
        let _ = err.flush();
        *width = 0;
    }
}

/// `otp: error: ...` and `hint: ...` on stderr.
pub fn error(f: &Failure, verbose: bool) {
    clear_status();
    let mut err = std::io::stderr().lock();
    let head = if COLOR_ERR.load(Ordering::Relaxed) {
        "\u{1b}[31motp: error:\u{1b}[0m"
    } else {
        "otp: error:"
    };
    // Every message may echo the user's input or vendor text: cleaned here, the last
    // step before the terminal, so an echo built anywhere cannot reach it raw.
    let clean = |t: &str| redact::scrub(&redact::sanitize_lines(t));
    let _ = writeln!(err, "{head} {}", clean(&f.message));
    if let Some(h) = &f.hint {
        let _ = writeln!(err, "hint: {}", clean(h));
    }
    if verbose {
        if let Some(d) = &f.detail {
            let _ = writeln!(err, "reply: {}", clean(d));
        }
    }
}

/// `otp: warning: ...` on stderr.
pub fn warn(msg: &str) {
    clear_status();
    let head = if COLOR_ERR.load(Ordering::Relaxed) {
        "\u{1b}[33motp: warning:\u{1b}[0m"
    } else {
        "otp: warning:"
    };
    let _ = writeln!(
        std::io::stderr().lock(),
        "{head} {}",
        redact::scrub(&redact::sanitize_lines(msg))
    );
}

/// A line on stderr (verbose traces), redacted.
pub fn trace(msg: &str) {
    clear_status();
    let _ = writeln!(
        std::io::stderr().lock(),
        "{}",
        redact::scrub(&redact::sanitize_lines(msg))
    );
}

/// `expires_at` as RFC 3339 in UTC, whole seconds.
/// `time` of a Unix time in seconds, as the record store keeps them; never panics,
/// whatever the store holds.
pub fn time_at(secs: u64) -> String {
    use std::time::{Duration, SystemTime};
    time(
        SystemTime::UNIX_EPOCH
            .checked_add(Duration::from_secs(secs))
            .unwrap_or(SystemTime::UNIX_EPOCH + Duration::from_secs(253_402_300_799)),
    )
}

/// A time RFC 3339 cannot write (before 1970 here, or past year 9999) is shown at the
/// nearest end rather than crashing the run: by then the SMS may have left.
pub fn time(t: std::time::SystemTime) -> String {
    use std::time::{Duration, SystemTime};
    let last = SystemTime::UNIX_EPOCH + Duration::from_secs(253_402_300_799);
    humantime::format_rfc3339_seconds(t.clamp(SystemTime::UNIX_EPOCH, last)).to_string()
}
