//! What went wrong, in the terms the contract uses: an error `kind`, the `outcome` of the
//! run, and the exit code. The one match from failure to exit code lives here, so every
//! command and every provider agrees on it (the README).

use serde::Serialize;
use std::fmt;

/// `error.kind` in the JSON document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Usage,
    Config,
    Auth,
    InvalidRequest,
    InsufficientFunds,
    RateLimited,
    NotFound,
    WrongCode,
    Expired,
    AttemptsExhausted,
    AlreadyUsed,
    Network,
    Timeout,
    Server,
    BadResponse,
    RefusedRedirect,
    TooLarge,
    /// The vendor's fraud guard refused the number (Prelude `blocked`).
    Blocked,
    /// The record store could not be read or written.
    Store,
    /// The vendor refused the sender ID or the template (a registration of this
    /// account, which another vendor may not share).
    SenderRefused,
    /// The vendor cannot or may not deliver to the destination (coverage, geo
    /// permissions): another vendor may.
    RouteRefused,
    /// A local cooldown or send limit holds: exit 3, retryable after `retry_after`.
    Cooldown,
}

impl Kind {
    /// A refusal for a reason of this vendor's own (its account, registrations or
    /// coverage), which the next vendor of a fallback chain may not share. The one list
    /// fallback reads; adapters pick the kind from a documented refusal.
    pub fn vendor_specific(self) -> bool {
        matches!(
            self,
            Kind::Auth
                | Kind::InsufficientFunds
                | Kind::RateLimited
                | Kind::Blocked
                | Kind::SenderRefused
                | Kind::RouteRefused
        )
    }
}

/// `outcome` in the JSON document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Accepted,
    DryRun,
    Rejected,
    NotSent,
    Unknown,
    Verified,
    NotVerified,
}

/// Why a verify said no (`reason` in the JSON document).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    WrongCode,
    Expired,
    AttemptsExhausted,
    AlreadyUsed,
    UnknownId,
}

impl Reason {
    pub fn kind(self) -> Kind {
        match self {
            Reason::WrongCode => Kind::WrongCode,
            Reason::Expired => Kind::Expired,
            Reason::AttemptsExhausted => Kind::AttemptsExhausted,
            Reason::AlreadyUsed => Kind::AlreadyUsed,
            Reason::UnknownId => Kind::NotFound,
        }
    }
}

/// A failure of a run. Every message is already free of secrets and control characters
/// when it is built from vendor text (see `redact::vendor_text`).
#[derive(Clone, Debug)]
pub struct Failure {
    pub kind: Kind,
    pub outcome: Outcome,
    pub message: String,
    pub hint: Option<String>,
    pub http_status: Option<u16>,
    pub provider_code: Option<String>,
    pub reason: Option<Reason>,
    /// A sanitized snippet of the reply, shown only with `--verbose`.
    pub detail: Option<String>,
    /// Whole seconds until a retry can succeed (a cooldown, a send limit, a vendor's
    /// `Retry-After`), for `error.retry_after`.
    pub retry_after: Option<u32>,
    /// The vendor no longer knows the verification (gone after approval, expiry or too
    /// many checks, e.g. Twilio 20404): the local record says which, where it can.
    pub ask_record: bool,
    /// Words only the command knows (what the request was for), added by `worded`.
    open: Open,
}

/// What an uncertain failure still needs said, once the command's purpose is known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Open {
    /// The message ends with what is unsure ("the SMS may or may not have been sent").
    unsure: bool,
    /// The hint is the purpose's next step (retry or not).
    next_step: bool,
}

/// What a command's requests are for. Transport and reply readers only mark a failure as
/// uncertain; the command words it: for a verify what is unsure is whether an attempt
/// was used, not whether an SMS went out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Send,
    Verify,
    Status,
    Cancel,
    /// `config check --online`: a cost-free call that sends nothing.
    Check,
}

impl Purpose {
    /// The end of an `unknown` outcome's message.
    pub fn unsure(self) -> &'static str {
        match self {
            Purpose::Send => "the SMS may or may not have been sent",
            Purpose::Verify => {
                "the check may or may not have reached the vendor (and used an attempt)"
            }
            Purpose::Status => "the status is unknown",
            Purpose::Cancel => "the cancel may or may not have reached the vendor",
            Purpose::Check => "the credentials could not be confirmed (the check sends nothing)",
        }
    }

    /// The hint of an `unknown` outcome.
    pub fn unknown_hint(self) -> &'static str {
        match self {
            Purpose::Send => "check the number's inbox before sending again: retrying may send a second SMS",
            Purpose::Verify => "verify again only if spending another attempt is acceptable; `otp status --id ID` shows what is known",
            Purpose::Status | Purpose::Cancel | Purpose::Check => "it is safe to run it again",
        }
    }

    /// The hint of a request that certainly did not leave.
    pub fn not_sent_hint(self) -> &'static str {
        match self {
            Purpose::Send => "check base_url and the network (proxies: HTTPS_PROXY, NO_PROXY); nothing was sent, so it is safe to retry (--retries N)",
            _ => "check base_url and the network (proxies: HTTPS_PROXY, NO_PROXY); nothing reached the vendor, so it is safe to run it again",
        }
    }
}

impl Failure {
    fn new(kind: Kind, outcome: Outcome, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            outcome,
            message: message.into(),
            hint: None,
            http_status: None,
            provider_code: None,
            reason: None,
            detail: None,
            retry_after: None,
            ask_record: false,
            open: Open::default(),
        }
    }

    /// Bad input on the command line or in a value: exit 2, nothing sent.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Usage, Outcome::NotSent, message)
    }

    /// Configuration problem: exit 3, nothing sent.
    pub fn config(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Config, Outcome::NotSent, message)
    }

    /// The provider said no: exit 4.
    pub fn rejected(kind: Kind, message: impl Into<String>) -> Failure {
        Failure::new(kind, Outcome::Rejected, message)
    }

    /// The request certainly did not leave: exit 5, safe to retry.
    pub fn not_sent(kind: Kind, message: impl Into<String>) -> Failure {
        Failure::new(kind, Outcome::NotSent, message)
    }

    /// The request may have reached the provider: exit 6.
    pub fn unknown(kind: Kind, message: impl Into<String>) -> Failure {
        Failure::new(kind, Outcome::Unknown, message)
    }

    /// A verify that said no: exit 1.
    pub fn not_verified(reason: Reason, message: impl Into<String>) -> Failure {
        let mut f = Failure::new(reason.kind(), Outcome::NotVerified, message);
        f.reason = Some(reason);
        f
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }

    pub fn status(mut self, status: u16) -> Failure {
        self.http_status = Some(status);
        self
    }

    pub fn code(mut self, code: Option<String>) -> Failure {
        self.provider_code = code;
        self
    }

    /// A local cooldown or send limit holds: exit 3, nothing sent, retryable after
    /// `wait` seconds.
    pub fn cooldown(message: impl Into<String>, wait: u64) -> Failure {
        let wait = u32::try_from(wait).unwrap_or(u32::MAX);
        Failure::new(Kind::Cooldown, Outcome::NotSent, message).retry_after(Some(wait))
    }

    /// Whole seconds until a retry can succeed, where known.
    pub fn retry_after(mut self, secs: Option<u32>) -> Failure {
        self.retry_after = secs;
        self
    }

    /// Mark a `not_verified` answer whose reason the local record knows better.
    pub fn ask_record(mut self) -> Failure {
        self.ask_record = true;
        self
    }

    /// The message is to end with what the outcome leaves unsure, worded for the command.
    pub fn unsure(mut self) -> Failure {
        self.open.unsure = true;
        self
    }

    /// The hint is to be the command's next step after an uncertain or unsent request.
    pub fn next_step(mut self) -> Failure {
        self.open.next_step = true;
        self
    }

    /// The failure in the words of `purpose`: what is unsure, and the next step. Once.
    pub fn worded(mut self, purpose: Purpose) -> Failure {
        if self.open.unsure {
            self.message = format!("{}; {}", self.message, purpose.unsure());
        }
        if self.open.next_step {
            self.hint = Some(
                match self.outcome {
                    Outcome::NotSent => purpose.not_sent_hint(),
                    _ => purpose.unknown_hint(),
                }
                .to_string(),
            );
        }
        self.open = Open::default();
        self
    }

    pub fn detail(mut self, detail: Option<String>) -> Failure {
        self.detail = detail;
        self
    }

    /// Safe to run again as is: nothing left, or the provider asked us to slow down.
    pub fn retryable(&self) -> bool {
        match self.outcome {
            Outcome::NotSent => !matches!(self.kind, Kind::Usage | Kind::Config | Kind::NotFound),
            // (a cooldown is not_sent and so retryable, after `retry_after`)
            Outcome::Rejected => self.kind == Kind::RateLimited,
            // Nothing was spent: the store was down, or another verify held the claim.
            Outcome::NotVerified => matches!(self.kind, Kind::Store | Kind::RateLimited),
            _ => false,
        }
    }

    /// The one place that decides an exit code (the README lists them).
    pub fn exit_code(&self) -> u8 {
        match (self.outcome, self.kind) {
            // A verify that could not ask (store down, another verify checking): retry.
            (Outcome::NotVerified, Kind::Store | Kind::RateLimited) => 5,
            (Outcome::NotVerified, _) => 1,
            (_, Kind::Usage) => 2,
            // An id nobody knows, found before any request (status, cancel): bad input.
            (Outcome::NotSent, Kind::NotFound) => 2,
            (_, Kind::Config | Kind::Cooldown) => 3,
            (Outcome::Rejected, _) => 4,
            (Outcome::NotSent, _) => 5,
            _ => 6,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Everything else that stops a command (I/O on our own files, say) is a config error:
/// exit 3, nothing sent.
impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::config(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        assert_eq!(Failure::usage("x").exit_code(), 2);
        assert_eq!(Failure::config("x").exit_code(), 3);
        let c = Failure::cooldown("x", 30);
        assert_eq!(
            (c.exit_code(), c.retryable(), c.retry_after),
            (3, true, Some(30))
        );
        assert_eq!(Failure::rejected(Kind::SenderRefused, "x").exit_code(), 4);
        assert_eq!(Failure::rejected(Kind::RouteRefused, "x").exit_code(), 4);
        assert_eq!(Failure::rejected(Kind::Auth, "x").exit_code(), 4);
        assert_eq!(Failure::rejected(Kind::RateLimited, "x").exit_code(), 4);
        assert_eq!(Failure::not_sent(Kind::Network, "x").exit_code(), 5);
        assert_eq!(Failure::unknown(Kind::Timeout, "x").exit_code(), 6);
        assert_eq!(Failure::unknown(Kind::Server, "x").exit_code(), 6);
        assert_eq!(Failure::not_verified(Reason::WrongCode, "x").exit_code(), 1);
        assert_eq!(
            Failure::not_verified(Reason::UnknownId, "x").kind,
            Kind::NotFound
        );
    }

    #[test]
    fn a_verify_that_could_not_ask_is_exit_5_and_retryable() {
        for kind in [Kind::Store, Kind::RateLimited] {
            let mut f = Failure::not_verified(Reason::WrongCode, "x");
            f.kind = kind;
            f.reason = None;
            assert_eq!((f.exit_code(), f.retryable()), (5, true), "{kind:?}");
        }
        let f = Failure::not_verified(Reason::WrongCode, "x");
        assert_eq!((f.exit_code(), f.retryable()), (1, false));
    }

    #[test]
    fn retryable_only_when_nothing_left_or_rate_limited() {
        assert!(Failure::not_sent(Kind::Network, "x").retryable());
        assert!(!Failure::usage("x").retryable());
        assert!(!Failure::unknown(Kind::Timeout, "x").retryable());
        assert!(Failure::rejected(Kind::RateLimited, "x").retryable());
        assert!(!Failure::rejected(Kind::Auth, "x").retryable());
    }

    #[test]
    fn uncertain_failures_are_worded_once_for_the_command() {
        let f = Failure::unknown(Kind::Timeout, "x did not answer")
            .unsure()
            .next_step();
        let v = f.clone().worded(Purpose::Verify);
        assert_eq!(
            v.message,
            format!("x did not answer; {}", Purpose::Verify.unsure())
        );
        assert_eq!(v.hint.as_deref(), Some(Purpose::Verify.unknown_hint()));
        assert_eq!(v.clone().worded(Purpose::Send).message, v.message);
        let n = Failure::not_sent(Kind::Network, "no")
            .next_step()
            .worded(Purpose::Send);
        assert_eq!(
            (n.message.as_str(), n.hint.as_deref()),
            ("no", Some(Purpose::Send.not_sent_hint()))
        );
        let plain = Failure::usage("u").worded(Purpose::Send);
        assert_eq!((plain.message.as_str(), plain.hint), ("u", None));
    }
}
