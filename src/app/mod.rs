//! One function per command: config -> provider -> request -> output. Each returns the
//! exit code; the checks that must pass before any network I/O all happen before the
//! first byte leaves.

mod complete;
mod fallback;
mod init;
mod inspect;
mod online;
mod policy;
mod problem;
mod progress;
mod record;
mod route;
mod send;

use crate::cli::{Cli, Command, Global};
use crate::config::{self, ConfigFile, Profile};
use crate::error::Failure;
use crate::http;
use crate::output::{self, Format, Printer};
use crate::providers::{self, Info};
use std::time::Duration;

pub use send::setting_checks;

/// The command line with the values completion scripts offer filled in from the
/// registry: `cli` sits below the providers and cannot name them itself. `main` parses
/// with this, and completions and the man page are generated from it.
pub fn command() -> clap::Command {
    use crate::cli::Offer;
    use clap::builder::PossibleValue;
    use clap::CommandFactory;
    let mut names = Vec::new();
    for i in providers::REGISTRY {
        names.push(PossibleValue::new(i.id).help(i.name));
        for a in i.aliases {
            names.push(PossibleValue::new(*a).help(format!("{} (alias of {})", i.name, i.id)));
        }
    }
    let names = Offer::with_values(names);
    Cli::command()
        .mut_subcommand("send", |s| {
            s.mut_arg("provider", |a| a.value_parser(names.clone()))
        })
        .mut_subcommand("providers", |s| {
            s.mut_arg("name", |a| a.value_parser(names.clone()))
        })
        .mut_subcommand("config", |s| {
            s.mut_subcommand("init", |s| s.mut_arg("provider", |a| a.value_parser(names)))
        })
}

/// `command()` as `main` parses with it: clap's own messages (help, a malformed command
/// line) follow the same colour rule as ours.
pub fn parser(args: &[std::ffi::OsString]) -> clap::Command {
    let cmd = command();
    let flag = args
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "--no-color");
    if output::color_allowed(flag) {
        cmd
    } else {
        cmd.color(clap::ColorChoice::Never)
    }
}

/// What a command line clap refused becomes. Help and version print and exit 0. An
/// argument that is not UTF-8 is a bad value, reported in the tool's own format (one
/// JSON document with `-o json`, the README). An unknown flag keeps clap's message, with
/// its tip corrected where clap's guess misleads.
pub fn command_line_error(mut e: clap::Error, args: &[std::ffi::OsString]) -> u8 {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            print_clap(&e);
            return 0;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            print_clap(&e);
            usage_document(&e, args);
            return 2;
        }
        ErrorKind::InvalidUtf8 => {
            let (n, shown) = args
                .iter()
                .enumerate()
                .skip(1)
                .find(|(_, a)| a.to_str().is_none())
                .map(|(n, a)| (n, a.to_string_lossy().into_owned()))
                .unwrap_or((0, String::new()));
            let f = Failure::usage(format!(
                "argument {n} is not valid UTF-8: \"{}\"",
                crate::redact::vendor_text(&shown)
            ))
            .hint("give options and values as UTF-8 text");
            output::error(&f, false);
            command_line_document(&f, args);
            return f.exit_code();
        }
        // A value the command line's parsers refused (an output format, a channel,
        // `--retries`, `--param`): a bad value, in the tool's own format, exit 2.
        ErrorKind::ValueValidation => {
            let said = match std::error::Error::source(&e) {
                Some(inner) => inner.to_string(),
                None => e
                    .render()
                    .to_string()
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error:")
                    .trim()
                    .to_string(),
            };
            let f = Failure::usage(crate::redact::sanitize_lines(&from_env(said, args)))
                .hint("run `otp help` for the values each option takes");
            output::error(&f, false);
            command_line_document(&f, args);
            return f.exit_code();
        }
        ErrorKind::UnknownArgument => {
            let arg = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(s)) => s.split('=').next().unwrap_or("").to_string(),
                _ => String::new(),
            };
            let usage = match e.get(ContextKind::Usage) {
                Some(ContextValue::StyledStr(u)) => u.to_string(),
                _ => String::new(),
            };
            let tip = match arg.as_str() {
                "--code" if usage.contains("otp send") => {
                    Some("--code belongs to `otp verify --id ID --code CODE`; send makes the PIN (or takes --pin)")
                }
                "--pin" if usage.contains("otp verify") => {
                    Some("the code the user typed is given as --code")
                }
                _ => None,
            };
            if let Some(tip) = tip {
                e.remove(ContextKind::SuggestedArg);
                // clap's usage line names the flag it guessed; show the plain one.
                let sub = if usage.contains("otp send") {
                    "send"
                } else {
                    "verify"
                };
                let mut cmd = command();
                cmd.build();
                if let Some(s) = cmd.find_subcommand_mut(sub) {
                    e.insert(
                        ContextKind::Usage,
                        ContextValue::StyledStr(s.render_usage()),
                    );
                }
                e.insert(
                    ContextKind::Suggested,
                    ContextValue::StyledStrs(vec![tip.into()]),
                );
            }
        }
        _ => {}
    }
    print_clap(&e);
    usage_document(&e, args);
    u8::try_from(e.exit_code()).unwrap_or(2)
}

/// A refusal that names an option given by its environment variable instead
/// (`OTP_OUTPUT=yaml`) names the variable: the flag is not on the line. The options and
/// their variables come from the command line's definition.
fn from_env(said: String, args: &[std::ffi::OsString]) -> String {
    let given: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).collect();
    for arg in command().get_arguments() {
        let (Some(long), Some(var)) = (arg.get_long(), arg.get_env()) else {
            continue;
        };
        let flag = format!("--{long}");
        let Some(rest) = said.strip_prefix(flag.as_str()) else {
            continue;
        };
        let short = arg.get_short().map(|c| format!("-{c}"));
        let on_line = given.iter().any(|a| {
            *a == flag
                || a.starts_with(&format!("{flag}="))
                || short.as_deref().is_some_and(|s| a.starts_with(s))
        });
        if !on_line {
            return format!("{}{rest}", var.to_string_lossy());
        }
    }
    said
}

/// A malformed command line (a missing required option, an unknown flag or command):
/// clap's message is on stderr already; with JSON asked for anywhere on the line, the
/// one document scripts read follows (kind `usage`, exit 2).
fn usage_document(e: &clap::Error, args: &[std::ffi::OsString]) {
    // clap's first paragraph: "error: the following required arguments were not
    // provided:" and the options on the lines below it, as one line.
    let rendered = e.render().to_string();
    let first: Vec<&str> = rendered
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let message = first.join(" ");
    let message = message.trim_start_matches("error:").trim();
    let message = if message.is_empty() {
        "the command line is malformed".to_string()
    } else {
        crate::redact::sanitize_lines(message)
    };
    command_line_document(
        &Failure::usage(message).hint("run `otp help` for the options"),
        args,
    );
}

/// The JSON document of a command line refused before any command ran, when JSON was
/// asked for: shaped as the command's own would be (a verify's says `not_verified` and
/// what is left; a send's, or a line whose command is unknown, is the send document;
/// any other command's is `{ok, error}`).
fn command_line_document(f: &Failure, args: &[std::ffi::OsString]) {
    if !json_requested(args) {
        return;
    }
    const COMMANDS: [&str; 9] = [
        "send",
        "verify",
        "status",
        "cancel",
        "providers",
        "config",
        "completions",
        "man",
        "help",
    ];
    let command = args
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find(|a| COMMANDS.contains(a));
    let out = Printer::new(Format::Json, false, false, true);
    let mut rep = output::Report::new(crate::error::Outcome::NotSent);
    rep.fail(f);
    match command {
        Some("verify") => {
            rep.outcome = crate::error::Outcome::NotVerified;
            rep.attempts_left = Some(None);
            rep.reason = Some(None);
            out.json_value(&rep.to_json());
        }
        None | Some("send") => out.json_value(&rep.to_json()),
        Some(_) => {
            let error = rep.to_json()["error"].take();
            out.json_value(&serde_json::json!({"ok": false, "error": error}));
        }
    }
}

/// clap's own message (help, version, a malformed command line), with what the user
/// typed cleaned of escapes; a failed write of help or version is recorded for `main`.
fn print_clap(e: &clap::Error) {
    use std::io::Write;
    let text = crate::redact::sanitize_lines(&e.render().to_string());
    if e.use_stderr() {
        let _ = write!(std::io::stderr().lock(), "{text}");
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(err) = write!(out, "{text}").and_then(|()| out.flush()) {
        output::stdout_failed(&err);
    }
}

/// Whether the command line (or OTP_OUTPUT) asks for JSON, read before clap could
/// parse it.
fn json_requested(args: &[std::ffi::OsString]) -> bool {
    let words: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .take_while(|a| a != "--")
        .collect();
    let mut json = std::env::var("OTP_OUTPUT").is_ok_and(|v| v.trim().eq_ignore_ascii_case("json"));
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map(|s| s.trim().to_ascii_lowercase());
        match w.as_str() {
            "--json" => json = true,
            "-o" | "--output" => json = next.as_deref() == Some("json"),
            _ if w.starts_with("--output=") || w.starts_with("-o") => {
                let v = w.trim_start_matches("--output=").trim_start_matches("-o");
                let v = v.strip_prefix('=').unwrap_or(v);
                json = v.trim().eq_ignore_ascii_case("json");
            }
            _ => {}
        }
    }
    json
}

/// The longest `--timeout` taken: a whole day for one request is past any real use,
/// and far below what the clock can add (a larger one once crashed the run after the
/// request had left).
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

pub fn run(cli: Cli) -> u8 {
    let g = &cli.global;
    let format = match output_format(g) {
        Ok(f) => f,
        Err(f) => {
            output::error(&f, false);
            return f.exit_code();
        }
    };
    let out = Printer::new(format, g.quiet, g.verbose, g.no_color);
    let code = dispatch(g, &out, &cli);
    say_config_warnings();
    warn_weak_credentials();
    code
}

fn dispatch(g: &Global, out: &Printer, cli: &Cli) -> u8 {
    let out = *out;
    match &cli.command {
        Command::Send(a) => send::send(g, &out, a),
        Command::Verify(a) => record::verify(g, &out, a),
        Command::Status(a) => record::status(g, &out, a),
        Command::Cancel(a) => record::cancel(g, &out, a),
        Command::Providers { name } => {
            finish(&out, None, inspect::list_providers(&out, name.as_deref()))
        }
        Command::Config(c) => finish(&out, None, inspect::config_cmd(g, &out, c)),
        Command::Completions { shell } => finish(
            &out,
            None,
            write_stdout(&complete::script(*shell), "the completion script"),
        ),
        Command::CompleteProfiles => complete::profiles(g),
        Command::Man => {
            let r = man_page()
                .map_err(|e| Failure::config(format!("cannot render the man page: {e}")))
                .and_then(|buf| write_stdout(&buf, "the man page"));
            finish(&out, None, r)
        }
    }
}

/// The end of a command other than send/verify: its exit code, or the error on stderr
/// and, with `-o json`, a document `{ok: false, error}` on stdout (with the `id` for
/// status and cancel).
fn finish(out: &Printer, id: Option<&str>, r: Result<u8, Failure>) -> u8 {
    match r {
        Ok(code) => code,
        Err(f) => {
            output::error(&f, out.verbose);
            if out.json() {
                let mut rep = output::Report::new(f.outcome);
                rep.fail(&f);
                let mut doc = serde_json::Map::new();
                doc.insert("ok".into(), false.into());
                if let Some(id) = id {
                    doc.insert("id".into(), id.into());
                }
                doc.insert("error".into(), rep.to_json()["error"].take());
                out.json_value(&doc.into());
            }
            f.exit_code()
        }
    }
}

fn output_format(g: &Global) -> Result<Format, Failure> {
    use crate::cli::OutputFormat;
    match g.output {
        Some(OutputFormat::Text) if g.json => Err(Failure::usage(
            "--json and --output text contradict each other; give one",
        )),
        _ if g.json => Ok(Format::Json),
        None | Some(OutputFormat::Text) => Ok(Format::Text),
        Some(OutputFormat::Json) => Ok(Format::Json),
    }
}

/// How the user gave a global option, for naming it in an error: its environment
/// variable when the value came from there (`OTP_TIMEOUT`), else the flag.
pub(super) fn source(g: &Global, id: &str) -> String {
    if g.from_env.contains(&id) {
        format!("OTP_{}", id.to_ascii_uppercase())
    } else {
        format!("--{id}")
    }
}

/// The candidate close enough to `word` to be what was meant, for "did you mean":
/// none when nothing is (a suggestion of an unrelated name misleads more than none).
pub(super) fn close_match<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::normalized_damerau_levenshtein(&w, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

pub(super) fn timeout(g: &Global) -> Result<Duration, Failure> {
    match &g.timeout {
        None => Ok(http::DEFAULT_TIMEOUT),
        Some(t) => {
            let name = source(g, "timeout");
            // Parsed by the command line; here only its limits.
            let d = t.value;
            if d.is_zero() {
                return Err(Failure::usage(format!("{name} must be more than 0s")));
            }
            if d > MAX_TIMEOUT {
                return Err(Failure::usage(format!(
                    "{name} {} is longer than otp waits for one request ({})",
                    crate::redact::vendor_text(&t.text),
                    humantime::format_duration(MAX_TIMEOUT)
                ))
                .hint("give a timeout such as 30s or 5m"));
            }
            Ok(d)
        }
    }
}

/// Load the file, pick the profile and resolve it with `flags` laid over it.
pub(super) fn load_profile(
    g: &Global,
    profile: Option<&str>,
    flags: &[(&'static str, String)],
) -> Result<Profile, Failure> {
    let file = ConfigFile::load(g.config.as_deref())?;
    warn_unknown_env(&file);
    let name = file
        .select(profile.or(g.profile.as_deref()))
        .map_err(|f| unknown_profile(g, profile, &file, f))?;
    Profile::resolve(&file, name.as_deref(), flags, &providers::schemas())
}

/// The variables the command line reads, beside the profile and store keys.
const GLOBAL_ENV: [&str; 4] = ["OTP_CONFIG", "OTP_PROFILE", "OTP_OUTPUT", "OTP_TIMEOUT"];

/// Warn, once per run, of each `OTP_*` variable otp does not read, and print what
/// config noted while reading the file.
pub(super) fn warn_unknown_env(file: &ConfigFile) {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        for w in config::unknown_env(file, &providers::schemas(), &GLOBAL_ENV) {
            output::warn(&w);
        }
    });
    say_config_warnings();
}

/// Print the warnings config noted (a config or secret file others can read): config
/// hands them back, the app prints them.
pub(super) fn say_config_warnings() {
    for w in config::take_warnings() {
        output::warn(&w);
    }
}

/// An unknown profile named by `-p` or `OTP_PROFILE` says which it came from, and
/// suggests the profile it is closest to, if one is close.
fn unknown_profile(g: &Global, given: Option<&str>, file: &ConfigFile, mut f: Failure) -> Failure {
    let Some(name) = given.or(g.profile.as_deref()) else {
        return f;
    };
    if file.profiles.contains_key(name) {
        return f;
    }
    if given.is_none() && g.from_env.contains(&"profile") {
        f.message = format!("{} (from OTP_PROFILE)", f.message);
    }
    if let Some(near) = close_match(name, file.profiles.keys().map(String::as_str)) {
        f.message = format!("{}; did you mean \"{near}\"?", f.message);
    }
    f
}

/// A credential equal to a common word (`true`, a provider name) or under 6 characters
/// is masked in free text only, never in the fields otp owns: it is almost certainly a
/// placeholder, so say so, once.
fn warn_weak_credentials() {
    let names: Vec<&str> = providers::REGISTRY
        .iter()
        .flat_map(|i| std::iter::once(i.id).chain(i.aliases.iter().copied()))
        .collect();
    for place in crate::redact::new_weak_credentials(&names) {
        output::warn(&format!(
            "{} is shorter than 6 characters or a common word; it is masked in messages \
             and vendor text but not in ids or names: check the key",
            place.as_deref().unwrap_or("a configured secret")
        ));
    }
}

/// The HTTP client's words, to the printer: `--verbose` traces when asked for, and
/// warnings (a retry) always. The client never prints itself.
pub(super) fn notes(verbose: bool) -> crate::http::Notes {
    crate::http::Notes {
        trace: verbose.then_some(output::trace as fn(&str)),
        warn: output::warn,
    }
}

/// The provider a resolved profile sends through. Config resolved its id from
/// `providers::schemas()`, so the registry has it.
pub(super) fn provider_of(p: &Profile) -> &'static Info {
    providers::find(p.schema.id).expect("a resolved profile names a registered provider")
}

/// The time and a fresh nonce for signing one request (`Provider::sign`): the clock and
/// the CSPRNG are read here, never inside an adapter.
pub(super) fn stamp() -> providers::Stamp {
    providers::Stamp {
        at: std::time::SystemTime::now(),
        nonce: crate::message::new_id(),
    }
}

/// A vendor's error text that echoes the number shows it masked, as `--verbose` does.
pub(super) fn mask_number_in(mut f: Failure, to: &crate::phone::Phone) -> Failure {
    let digits = to.masked_digits();
    f.message = f.message.replace(to.digits(), &digits);
    f.detail = f.detail.map(|d| d.replace(to.digits(), &digits));
    f
}

/// Write generated output to stdout. A reader that went away (`otp man | head`) is not
/// an error, as with other Unix tools.
fn write_stdout(bytes: &[u8], what: &str) -> Result<u8, Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(Failure::config(format!("cannot write {what}: {e}"))),
    }
}

/// One man page for the whole tool: every command's synopsis and options in a section
/// of its own, rather than references to `otp-send(1)` pages that are not shipped.
fn man_page() -> std::io::Result<Vec<u8>> {
    let cmd = command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut b = Vec::new();
    man.render_title(&mut b)?;
    man.render_name_section(&mut b)?;
    man.render_synopsis_section(&mut b)?;
    man.render_description_section(&mut b)?;
    man.render_options_section(&mut b)?;
    for sub in in_help_order(&cmd) {
        let name = format!("otp {}", sub.get_name());
        let mut section = Vec::new();
        // clap wants 'static names; the process prints one page and exits.
        let static_name: &'static str = Box::leak(name.clone().into_boxed_str());
        let m = clap_mangen::Man::new(sub.clone().name(static_name).bin_name(static_name));
        m.render_synopsis_section(&mut section)?;
        m.render_description_section(&mut section)?;
        m.render_options_section(&mut section)?;
        for nested in in_help_order(sub) {
            let name = format!("{name} {}", nested.get_name());
            let static_name: &'static str = Box::leak(name.into_boxed_str());
            let n = clap_mangen::Man::new(nested.clone().name(static_name).bin_name(static_name));
            n.render_synopsis_section(&mut section)?;
            n.render_description_section(&mut section)?;
            n.render_options_section(&mut section)?;
        }
        let text = String::from_utf8_lossy(&section)
            .replacen(
                ".SH SYNOPSIS",
                &format!(".SH \"{}\"", name.to_uppercase()),
                1,
            )
            .replace(".SH SYNOPSIS", ".SS Synopsis")
            .replace(".SH DESCRIPTION", ".SS Description")
            .replace(".SH OPTIONS", ".SS Options")
            .replace(".SH ARGUMENTS", ".SS Arguments");
        b.extend_from_slice(text.as_bytes());
    }
    b.extend_from_slice(MAN_ENVIRONMENT.as_bytes());
    b.extend_from_slice(MAN_FILES.as_bytes());
    b.extend_from_slice(exit_status_roff(crate::cli::EXIT_CODES).as_bytes());
    man.render_version_section(&mut b)?;
    Ok(b)
}

/// A command's subcommands as `--help` lists them (the registry's values are filled in
/// by replacing subcommands, which moves them to the end), without `help` itself.
fn in_help_order(cmd: &clap::Command) -> Vec<&clap::Command> {
    let mut subs: Vec<&clap::Command> = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help" && !s.is_hide_set())
        .collect();
    subs.sort_by_key(|s| s.get_display_order());
    subs
}

const MAN_ENVIRONMENT: &str = r#".SH ENVIRONMENT
A flag beats its variable, which beats the config file. An empty variable counts as unset.
.TP
.B OTP_CONFIG
The config file, as \fB\-\-config\fR.
.TP
.B OTP_PROFILE
The profile, as \fB\-\-profile\fR.
.TP
.B OTP_OUTPUT
\fBtext\fR or \fBjson\fR, as \fB\-\-output\fR.
.TP
.B OTP_TIMEOUT
The whole-request timeout, as \fB\-\-timeout\fR.
.TP
.B OTP_<KEY>
A profile key (\fBOTP_SENDER\fR, \fBOTP_TTL\fR, ...); \fBotp providers NAME\fR lists the keys a provider takes.
.TP
.B NO_COLOR
Set to anything non-empty, no colour (as \fB\-\-no\-color\fR). \fBTERM=dumb\fR also turns colour off.
.TP
.B HTTPS_PROXY, HTTP_PROXY, NO_PROXY
Proxies for the vendors' APIs, and the hosts that bypass them.
.TP
.B SSL_CERT_FILE
A PEM file of extra CA certificates to trust (a corporate proxy's), as a profile's \fBca_file\fR.
"#;

const MAN_FILES: &str = r#".SH FILES
.TP
.I <user config dir>/otp/config.toml
The config file (\fI~/.config/otp/config.toml\fR on Linux, \fI~/Library/Application Support/otp/config.toml\fR on macOS); \fBotp config path\fR prints the one in use. Mode 0600: it may hold secrets.
.TP
.I <user state dir>/otp/
The record store (\fI$XDG_STATE_HOME/otp\fR, by default \fI~/.local/state/otp\fR, on Linux; the local data dir elsewhere), mode 0700: \fIotp.db\fR (SQLite; with \fIotp.db\-wal\fR and \fIotp.db\-shm\fR) holds the records of sends (numbers, keyed PIN hashes, expiry, attempts), cooldowns and send counts; \fIstore.key\fR is the key of the PIN hashes. A \fIrecords.json\fR from an earlier version is imported once and renamed \fIrecords.json.imported\fR. With \fBstore = "redis://..."\fR these live in Redis instead.
"#;

/// The exit-code table of `--help` as a roff list, one `.TP` entry per code, so `man`
/// fills each meaning instead of wrapping the fixed-width table.
fn exit_status_roff(table: &str) -> String {
    let mut entries: Vec<(&str, String)> = Vec::new();
    for line in table.lines().skip(1) {
        let t = line.trim();
        match t.split_once("  ") {
            Some((code, text)) if code.parse::<u8>().is_ok() => {
                entries.push((code, text.trim().to_string()));
            }
            _ => {
                if let Some((_, text)) = entries.last_mut() {
                    text.push(' ');
                    text.push_str(t);
                }
            }
        }
    }
    let mut s = String::from(".SH \"EXIT STATUS\"\n");
    for (code, text) in entries {
        s.push_str(&format!(".TP\n.B {code}\n{}\n", roff_text(&text)));
    }
    s
}

/// Plain text for roff: backslashes and hyphens escaped, no line starting with a dot.
fn roff_text(t: &str) -> String {
    let t = t.replace('\\', "\\e").replace('-', "\\-");
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}

#[cfg(test)]
mod id_tests {
    use crate::providers::{testing, REGISTRY};
    use crate::redact::Secret;

    /// Issue 15 item 2: a dot or empty id never leaves the OTP's own path, in any adapter.
    /// Every registered adapter, built from its own example profile with literal
    /// credentials and a base URL that ends in a version path (`/v1`), where a dot
    /// segment would climb out of the OTP's own path.
    pub(in crate::app) fn adapters() -> Vec<(&'static str, Box<dyn crate::providers::Provider>)> {
        REGISTRY
            .iter()
            .map(|info| {
                let mut body = String::new();
                for line in info.example.lines() {
                    let line = line.trim();
                    if line.starts_with("base_url") || line.starts_with('#') {
                        continue;
                    }
                    // Base64, as the vendors that sign with a decoded key (sinch,
                    // telesign) require of theirs; any other takes it as a plain token.
                    let line = match line.split_once("{ env = ") {
                        Some((head, _)) => format!(
                            "{head}\"{}\"",
                            base64::Engine::encode(
                                &base64::engine::general_purpose::STANDARD,
                                format!("unit-credential-{}", info.id)
                            )
                        ),
                        None => line.to_string(),
                    };
                    body.push_str(&line);
                    body.push('\n');
                }
                body.push_str("base_url = \"https://api.example.com/v1\"\n");
                let p = testing::profile(&body);
                let built =
                    (info.build)(&p).unwrap_or_else(|e| panic!("{}: {}", info.id, e.message));
                (info.id, built)
            })
            .collect()
    }

    /// Where a URL lands once parsed, dot segments resolved as a client resolves them.
    fn landed(url: &str) -> String {
        reqwest::Url::parse(url).unwrap().path().to_string()
    }

    #[test]
    fn no_adapter_request_for_a_dot_id_leaves_its_own_path() {
        let code = Secret::pin("123456");
        for (name, p) in adapters() {
            let mut reqs = Vec::new();
            for id in ["", ".", ".."] {
                if let Ok(r) = p.verify(id, &code) {
                    reqs.push(r);
                }
                reqs.extend(p.status(id));
                reqs.extend(p.cancel(id));
            }
            for r in reqs {
                let raw = r.url.split('?').next().unwrap();
                let raw_path = &raw[raw.find("/v1").unwrap()..];
                let path = landed(&r.url);
                // The parsed path is the built one: nothing collapsed, nothing climbed.
                assert_eq!(path, raw_path, "{name}: {}", r.url);
                assert!(
                    !path.contains("//"),
                    "{name}: {} has an empty segment",
                    r.url
                );
                assert!(path.starts_with("/v1/"), "{name}: {}", r.url);
            }
        }
    }
}
