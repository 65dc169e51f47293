//! The command line, and only that: clap definitions from which `--help`, the
//! completions and the man page all come. Values of a fixed form (output format,
//! channel, `--retries`, `--param`) are typed here by value parsers whose refusals are
//! in the tool's words; the app reports them in its own format (text or JSON), exit 2.
//! Values that are also profile keys (length, TTL, attempts, PIN type) and the phone
//! number stay text: config checks a profile key the same way whether it came from a
//! flag, an `OTP_*` variable or the file, so it has one parser.

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

pub use crate::message::Channel;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

pub const EXIT_CODES: &str = "\
Exit codes:
  0  done: sent (accepted), verified, dry run printed, command succeeded
  1  verify said no: wrong code, expired, attempts exhausted, already used, unknown id
  2  usage or invalid input; nothing was sent
  3  configuration: missing, invalid or unsafe config, missing credential, cooldown or
     country rule; nothing was sent
  4  the provider rejected the request (auth, invalid request, funds, rate limit)
  5  not sent: the request never left (DNS, connection refused, TLS handshake); safe to retry
  6  outcome unknown: timeout or reset after the request was written, 5xx, redirect,
     oversized or unreadable reply; it may have been sent";

/// `config check`'s own exit codes: the vendors' answers add 4, 5 and 6 with `--online`.
pub const CHECK_EXITS: &str = "\
Exit codes:
  0  every check passed
  3  the offline checks found a problem (listed on stderr, or in the JSON document)
  with --online also:
  4  a vendor refused a profile's credentials (or the request)
  5  a request never left (DNS, connection refused), or the record store cannot be written
  6  a vendor's answer could not be read (5xx, timeout after sending)
  When several apply, the first in the order 3, 4, 6, 5 wins.";

#[derive(Parser, Debug)]
#[command(
    name = "otp",
    version,
    about = "Send one-time PINs by SMS through several vendors, and verify them",
    after_help = EXIT_CODES,
    after_long_help = EXIT_CODES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone, Default)]
pub struct Global {
    /// Config file [default: <user config dir>/otp/config.toml]
    #[arg(
        help_heading = "Global options",
        short = 'c',
        long,
        env = "OTP_CONFIG",
        global = true,
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    /// Profile [default: the file's default_profile, else its only profile]
    #[arg(
        help_heading = "Global options",
        short = 'p',
        long,
        env = "OTP_PROFILE",
        global = true,
        value_name = "NAME",
        value_hint = ValueHint::Other
    )]
    pub profile: Option<String>,

    /// Output format: text or json
    #[arg(
        help_heading = "Global options",
        short = 'o',
        long,
        env = "OTP_OUTPUT",
        global = true,
        value_name = "FORMAT",
        value_parser = OneOf::<OutputFormat>::new("--output"),
        hide_possible_values = true
    )]
    pub output: Option<OutputFormat>,

    /// Short for --output json
    #[arg(help_heading = "Global options", long, global = true)]
    pub json: bool,

    /// Show the HTTP request and response on stderr (secrets and PINs redacted)
    #[arg(help_heading = "Global options", short = 'v', long, global = true)]
    pub verbose: bool,

    /// Text mode prints only the id, for ID=$(otp send ... -q)
    #[arg(help_heading = "Global options", short = 'q', long, global = true)]
    pub quiet: bool,

    /// Whole-request timeout, e.g. 30s [default: 30s]
    #[arg(
        help_heading = "Global options",
        long,
        env = "OTP_TIMEOUT",
        global = true,
        value_name = "DURATION",
        value_hint = ValueHint::Other,
        value_parser = parse_timeout
    )]
    pub timeout: Option<Given<Duration>>,

    /// Which of the values above came from their environment variable rather than a
    /// flag, so an error names `OTP_TIMEOUT`, not `--timeout`. Filled by `main`.
    #[arg(skip)]
    pub from_env: Vec<&'static str>,

    /// Plain text, no colour (also when NO_COLOR is set and not empty)
    #[arg(help_heading = "Global options", long, global = true)]
    pub no_color: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Send a one-time PIN
    Send(Box<SendArgs>),
    /// Check a PIN the user typed (exit 0 = verified, 1 = not verified)
    Verify(VerifyArgs),
    /// Show what is known about an earlier send
    Status(IdArgs),
    /// Cancel a pending OTP
    Cancel(IdArgs),
    /// List providers and what each supports; with NAME, its profile keys and an example
    Providers {
        /// A provider id
        #[arg(value_parser = Offer::new([]), hide_possible_values = true)]
        name: Option<String>,
    },
    /// Create, locate, show or check the config file
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script
    Completions {
        /// bash, zsh, fish, powershell or elvish
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// The profile names of the config in use, one a line (read by the completion scripts)
    #[command(name = "__complete-profiles", hide = true)]
    CompleteProfiles,
}

#[derive(Args, Debug, Default, Clone)]
pub struct SendArgs {
    /// Recipient in E.164 (+2347065250817); spaces, dashes, dots and parentheses are ignored
    #[arg(long, value_name = "PHONE", value_hint = ValueHint::Other)]
    pub to: String,

    /// Provider, overriding the profile's
    #[arg(long, value_name = "NAME", value_parser = Offer::new([]), hide_possible_values = true)]
    pub provider: Option<String>,

    /// Sender ID / mask / alias
    #[arg(long, value_name = "ID")]
    pub sender: Option<String>,

    /// Message template with {{code}} once; {{minutes}} is the TTL in minutes
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,

    /// Use the profile's templates.TAG instead of message
    #[arg(long, value_name = "TAG")]
    pub lang: Option<String>,

    /// sms, whatsapp or voice [default: sms]
    #[arg(long, value_name = "CHANNEL", value_parser = OneOf::<Channel>::new("--channel"), hide_possible_values = true)]
    pub channel: Option<Channel>,

    /// PIN length [default: 6]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = parse_length)]
    pub length: Option<Given<u32>>,

    /// numeric, alphanumeric or letters [default: numeric]
    #[arg(long, value_name = "TYPE", value_parser = OneOf::<crate::message::PinType>::new("--pin-type"), hide_possible_values = true)]
    pub pin_type: Option<crate::message::PinType>,

    /// Validity, e.g. 5m [default: 5m; at most 10m unless the profile raises max_ttl]
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true, value_parser = parse_ttl)]
    pub ttl: Option<Given<Duration>>,

    /// Wrong tries allowed [default: 3]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = parse_attempts)]
    pub attempts: Option<Given<u32>>,

    /// Use this PIN instead of a generated one, where otp makes the PIN (`otp providers NAME` says)
    #[arg(long, value_name = "CODE")]
    pub pin: Option<String>,

    /// Append the 11-character Android SMS Retriever hash as a last line
    #[arg(long, value_name = "HASH")]
    pub app_hash: Option<String>,

    /// Append the WebOTP line "@DOMAIN #CODE" as the last line
    #[arg(long, value_name = "DOMAIN")]
    pub webotp_domain: Option<String>,

    /// Status webhook, where the provider takes one
    #[arg(long, value_name = "URL")]
    pub callback_url: Option<String>,

    /// Vendor field passed through as is (repeatable); overrides what otp set
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param)]
    pub params: Vec<Param>,

    /// Print the exact request (secrets and PIN as ***); send nothing, write nothing. With
    /// a fallback chain, only the first profile's request is printed; every profile is checked
    #[arg(long)]
    pub dry_run: bool,

    /// Retry failures where the request certainly did not leave [default: 0]
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = parse_retries)]
    pub retries: Option<u32>,

    /// Ignore the per-number cooldown
    #[arg(long)]
    pub force: bool,

    /// Profile to try next when the one before could not send (not_sent, or refused for
    /// credentials, funds, rate, block, sender or route); repeatable; adds to the profile's
    /// `fallback` list. Never tried after an unknown outcome
    #[arg(long = "fallback", value_name = "PROFILE")]
    pub fallback: Vec<String>,
}

#[derive(Args, Debug, Clone)]
pub struct VerifyArgs {
    /// The id `otp send` printed
    #[arg(long)]
    pub id: String,

    /// The code the user typed; "-" reads it from stdin; omitted on a terminal, prompts
    #[arg(long)]
    pub code: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct IdArgs {
    /// The id `otp send` printed
    #[arg(long)]
    pub id: String,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Write a commented starter file (mode 0600); never overwrites. On a terminal, asks
    /// for the provider and its required keys; with --profile NAME, adds that profile to
    /// an existing file
    Init {
        /// Provider of the starter profile [default: the one that needs no account]
        #[arg(long, value_name = "NAME", value_parser = Offer::new([]), hide_possible_values = true)]
        provider: Option<String>,
    },
    /// Print the config path in use
    Path,
    /// Print the effective profile, each value's source, secrets as ***
    Show,
    /// Validate the whole file offline; exit 0 or 3 with every problem listed
    #[command(after_help = CHECK_EXITS, after_long_help = CHECK_EXITS)]
    Check {
        /// Also prove each profile's credentials with the vendor's cost-free call (a
        /// balance or account lookup; nothing is sent) and check the record store
        #[arg(long)]
        online: bool,
    },
}

/// A value parser that takes any text, so the app checks the value and reports a bad
/// one in the tool's own format, yet names the values completion scripts offer. The
/// lists that belong to the registry (providers, channels) are filled in by the app,
/// which sees it; see `with_values`.
/// `-o/--output`: text for people, JSON for scripts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// One `--param KEY=VALUE`: a vendor field passed through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub key: String,
    pub value: String,
}

/// The most `--retries` takes: each retry waits up to 2 s.
pub const MAX_RETRIES: u32 = 10;

/// A refusal of a value in the tool's words; `app` prints it in its own format.
fn refused(message: String) -> clap::Error {
    clap::Error::raw(clap::error::ErrorKind::ValueValidation, message)
}

fn parse_param(s: &str) -> Result<Param, String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok(Param {
            key: k.trim().to_string(),
            value: v.to_string(),
        }),
        _ => Err(format!("--param \"{s}\" is not KEY=VALUE")),
    }
}

fn parse_retries(s: &str) -> Result<u32, String> {
    s.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n <= MAX_RETRIES)
        .ok_or_else(|| {
            format!("--retries must be a whole number from 0 to {MAX_RETRIES}, not \"{s}\"")
        })
}

/// A value parsed at the command line that keeps the text as given: a flag such as
/// `--ttl` is one source of a profile key, which config reads as it reads the file and
/// the environment, and the text is what a refusal echoes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Given<T> {
    pub text: String,
    pub value: T,
}

fn given<T>(s: &str, value: T) -> Given<T> {
    Given {
        text: s.trim().to_string(),
        value,
    }
}

fn count(flag: &str, s: &str) -> Result<Given<u32>, String> {
    s.trim()
        .parse::<u32>()
        .map(|n| given(s, n))
        .map_err(|_| format!("{flag} must be a whole number, not \"{}\"", s.trim()))
}

fn parse_length(s: &str) -> Result<Given<u32>, String> {
    count("--length", s)
}

fn parse_attempts(s: &str) -> Result<Given<u32>, String> {
    count("--attempts", s)
}

fn parse_ttl(s: &str) -> Result<Given<Duration>, String> {
    parse_duration(s)
        .map(|d| given(s, d))
        .map_err(|e| format!("--ttl: {e}"))
}

fn parse_timeout(s: &str) -> Result<Given<Duration>, String> {
    parse_duration(s)
        .map(|d| given(s, d))
        .map_err(|e| format!("--timeout: {e}"))
}

/// `90s`, `5m`, `1m30s` (humantime); a bare number is refused so "5" is never read as 5 s.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty duration; write it like 90s, 5m or 1m30s".into());
    }
    if t.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("\"{t}\" has no unit; write it like {t}s or {t}m"));
    }
    let d = humantime::parse_duration(t).map_err(|e| match e {
        humantime::DurationError::UnknownUnit { unit, .. } => format!(
            "\"{t}\" has the unit \"{unit}\", which is not one otp takes; use s, m, h or d, e.g. 90s, 5m or 1h"
        ),
        _ => format!(
            "\"{t}\" is not a duration: write a whole number and a unit (s, m, h or d), e.g. 90s, 5m or 1m30s"
        ),
    })?;
    // Past this, "now + d" leaves what dates can be written in (year 9999) or what the
    // clock can add; no TTL, cooldown or timeout means that much (the README).
    if d > MAX_DURATION {
        return Err(format!(
            "\"{t}\" is longer than the 100 years a duration may be"
        ));
    }
    Ok(d)
}

/// The longest duration taken anywhere: 100 years as humantime counts them (365.25 days).
pub const MAX_DURATION: Duration = Duration::from_secs(100 * 31_557_600);

/// One of a fixed set of values, case-insensitive: offered to completions, and refused
/// in the tool's words ("--channel must be sms, whatsapp or voice, not \"pigeon\"").
#[derive(Clone)]
pub struct OneOf<T> {
    flag: &'static str,
    _values: std::marker::PhantomData<fn() -> T>,
}

impl<T> OneOf<T> {
    pub fn new(flag: &'static str) -> OneOf<T> {
        OneOf {
            flag,
            _values: std::marker::PhantomData,
        }
    }
}

impl<T: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for OneOf<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let s = value
            .to_str()
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8).with_cmd(cmd))?;
        T::from_str(s.trim(), true).map_err(|_| {
            let names: Vec<String> = T::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value())
                .map(|p| p.get_name().to_string())
                .collect();
            let list = match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} or {last}", rest.join(", "))
                }
                _ => names.join(""),
            };
            refused(format!(
                "{} must be {list}, not \"{}\"",
                self.flag,
                crate::redact::strip_controls(s)
            ))
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            T::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value()),
        ))
    }
}

#[derive(Clone, Debug)]
pub struct Offer(Vec<PossibleValue>);

impl Offer {
    pub fn new<const N: usize>(values: [&'static str; N]) -> Offer {
        Offer(values.into_iter().map(PossibleValue::new).collect())
    }

    pub fn with_values(values: Vec<PossibleValue>) -> Offer {
        Offer(values)
    }
}

impl TypedValueParser for Offer {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        value
            .to_str()
            .map(str::to_owned)
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8).with_cmd(cmd))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.0.iter().cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    fn send(extra: &[&str]) -> Result<Cli, clap::Error> {
        let mut argv = vec!["otp", "send", "--to", "+15551234567"];
        argv.extend_from_slice(extra);
        Cli::try_parse_from(argv)
    }

    #[test]
    fn fixed_form_values_are_typed_and_refused_in_the_tool_s_words() {
        let Command::Send(a) = send(&[
            "--retries",
            "2",
            "--param",
            "a=b=c",
            "--channel",
            "WhatsApp",
        ])
        .unwrap()
        .command
        else {
            panic!("send");
        };
        assert_eq!(a.retries, Some(2));
        assert_eq!(a.channel, Some(Channel::Whatsapp));
        let kv = Param {
            key: "a".into(),
            value: "b=c".into(),
        };
        assert_eq!(a.params, vec![kv]);
        for (args, words) in [
            (
                &["--retries", "11"][..],
                "--retries must be a whole number from 0 to 10",
            ),
            (&["--param", "=x"], "--param \"=x\" is not KEY=VALUE"),
            (
                &["--channel", "pigeon"],
                "--channel must be sms, whatsapp or voice, not \"pigeon\"",
            ),
            (
                &["-o", "yaml"],
                "--output must be text or json, not \"yaml\"",
            ),
        ] {
            let e = send(args).unwrap_err();
            assert_eq!(
                e.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{args:?}"
            );
            let said = std::error::Error::source(&e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| e.render().to_string());
            assert!(said.contains(words), "{args:?}: {said}");
        }
    }
}
