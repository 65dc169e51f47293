//! One function per command: config -> provider -> request -> output. Each returns the
//! exit code; the checks that must pass before any network I/O all happen before the
//! first byte leaves.

use crate::cli::{Cli, Command, ConfigCommand, Global, IdArgs, SendArgs, VerifyArgs};
use crate::config::{self, ConfigFile, Profile, Source};
use crate::error::{Failure, Kind, Outcome, Reason};
use crate::http::{self, Http};
use crate::message::{self, PinType, Template};
use crate::output::{self, Format, Printer, Report};
use crate::phone::{self, Phone};
use crate::providers::{
    self, Accepted, Channel, Info, LengthRule, Otp, PinBy, Plan, Setting, TtlRule, VerifyBy,
};
use crate::redact::Secret;
use crate::store::{self, Record, State, Store};
use std::time::{Duration, SystemTime};

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
    match &cli.command {
        Command::Send(a) => send(g, &out, a),
        Command::Verify(a) => verify(g, &out, a),
        Command::Status(a) => status(g, &out, a),
        Command::Cancel(a) => cancel(g, &out, a),
        Command::Providers { name } => finish(&out, list_providers(&out, name.as_deref())),
        Command::Config(c) => finish(&out, config_cmd(g, &out, c)),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "otp", &mut std::io::stdout());
            0
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            match clap_mangen::Man::new(cmd).render(&mut std::io::stdout()) {
                Ok(()) => 0,
                Err(e) => finish(
                    &out,
                    Err(Failure::config(format!("cannot write the man page: {e}"))),
                ),
            }
        }
    }
}

fn finish(out: &Printer, r: Result<u8, Failure>) -> u8 {
    match r {
        Ok(code) => code,
        Err(f) => out.failure(None, &f),
    }
}

fn output_format(g: &Global) -> Result<Format, Failure> {
    match g.output.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        _ if g.json && g.output.as_deref().is_some_and(|o| o.trim() != "json") => Err(
            Failure::usage("--json and --output text contradict each other; give one"),
        ),
        _ if g.json => Ok(Format::Json),
        None => Ok(Format::Text),
        Some(s) if s == "text" => Ok(Format::Text),
        Some(s) if s == "json" => Ok(Format::Json),
        Some(s) => Err(Failure::usage(format!(
            "--output must be text or json, not \"{s}\""
        ))),
    }
}

fn timeout(g: &Global) -> Result<Duration, Failure> {
    match &g.timeout {
        None => Ok(http::DEFAULT_TIMEOUT),
        Some(t) => {
            let d =
                config::parse_duration(t).map_err(|e| Failure::usage(format!("--timeout: {e}")))?;
            if d.is_zero() {
                return Err(Failure::usage("--timeout must be more than 0s"));
            }
            Ok(d)
        }
    }
}

/// Load the file, pick the profile and resolve it with `flags` laid over it.
fn load_profile(
    g: &Global,
    profile: Option<&str>,
    flags: &[(&'static str, String)],
) -> Result<Profile, Failure> {
    let file = ConfigFile::load(g.config.as_deref())?;
    let name = file.select(profile.or(g.profile.as_deref()))?;
    Profile::resolve(&file, name.as_deref(), flags)
}

// ---------------------------------------------------------------------------------------
// send

/// The PIN length, type, TTL and attempts of a profile, checked against its provider.
/// Only values the user set are checked against the vendor's limits (SPEC §3).
pub struct Settings {
    pub length: Setting<usize>,
    pub allow_short: bool,
    pub pin_type: Setting<PinType>,
    pub ttl: Setting<Duration>,
    pub attempts: Setting<u32>,
}

/// Every check of `settings`, each on its own, so `config check` can list them all.
pub fn setting_checks(p: &Profile) -> Vec<Failure> {
    [
        length(p).err(),
        pin_type(p).err(),
        ttl(p).err(),
        attempts(p).err(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub fn settings(p: &Profile) -> Result<Settings, Failure> {
    let (length, allow_short) = length(p)?;
    Ok(Settings {
        length,
        allow_short,
        pin_type: pin_type(p)?,
        ttl: ttl(p)?,
        attempts: attempts(p)?,
    })
}

fn length(p: &Profile) -> Result<(Setting<usize>, bool), Failure> {
    let id = p.info.id;
    let length = match p.int("length")? {
        Some(n) => {
            let n = usize::try_from(n)
                .map_err(|_| p.bad_value("length", format!("PIN length {n} is not a length")))?;
            Setting {
                value: n,
                explicit: true,
            }
        }
        None => Setting {
            value: 6,
            explicit: false,
        },
    };
    let allow_short = p.bool("allow_short_pins")?.unwrap_or(false);
    if length.explicit {
        match p.info.length {
            LengthRule::ProviderChooses(_) => {
                return Err(Failure::usage(format!(
                    "{id} chooses its own PIN length, so length {} cannot be set; drop --length / length",
                    length.value
                )))
            }
            LengthRule::Range(lo, hi) if length.value < lo || length.value > hi => {
                return Err(Failure::usage(format!(
                    "{id} takes a PIN length of {lo} to {hi}, not {}",
                    length.value
                )))
            }
            _ => {}
        }
        if length.value < 6 && !allow_short {
            return Err(Failure::usage(format!(
                "PIN length {} is below 6 (NIST SP 800-63B asks for at least 6 digits)",
                length.value
            ))
            .hint("set allow_short_pins = true in the profile to allow it"));
        }
    }
    Ok((length, allow_short))
}

fn pin_type(p: &Profile) -> Result<Setting<PinType>, Failure> {
    let info = p.info;
    let id = info.id;
    let pin_type = match p.str("pin_type") {
        Some(s) => Setting {
            value: s
                .parse::<PinType>()
                .map_err(|e| p.bad_value("pin_type", e))?,
            explicit: true,
        },
        None => Setting {
            value: PinType::Numeric,
            explicit: false,
        },
    };
    if pin_type.explicit && !info.pin_types.contains(&pin_type.value) {
        let names: Vec<&str> = info.pin_types.iter().map(|t| t.as_str()).collect();
        return Err(Failure::usage(if names.is_empty() {
            format!(
                "{id} chooses its own PIN type, so pin_type {} cannot be set",
                pin_type.value.as_str()
            )
        } else {
            format!(
                "{id} takes pin_type {}, not {}",
                names.join(" or "),
                pin_type.value.as_str()
            )
        }));
    }
    Ok(pin_type)
}

fn ttl(p: &Profile) -> Result<Setting<Duration>, Failure> {
    let id = p.info.id;
    let max_ttl = p.duration("max_ttl")?.unwrap_or(Duration::from_secs(600));
    let ttl = match p.duration("ttl")? {
        Some(d) => Setting {
            value: d,
            explicit: true,
        },
        None => Setting {
            value: Duration::from_secs(300),
            explicit: false,
        },
    };
    if ttl.explicit {
        let d = ttl.value;
        let shown = humantime::format_duration(d);
        if d.is_zero() {
            return Err(p.bad_value("ttl", "ttl must be more than 0s"));
        }
        if d > max_ttl {
            return Err(Failure::usage(format!(
                "ttl {shown} is above max_ttl {}",
                humantime::format_duration(max_ttl)
            ))
            .hint("raise max_ttl in the profile to allow it"));
        }
        match p.info.ttl {
            TtlRule::Minutes(lo, hi) => {
                if d.subsec_nanos() != 0
                    || d.as_secs() % 60 != 0
                    || d.as_secs() / 60 < lo
                    || d.as_secs() / 60 > hi
                {
                    return Err(Failure::usage(format!(
                        "{id} takes a ttl in whole minutes from {lo}m to {hi}m, not {shown}"
                    )));
                }
            }
            TtlRule::Seconds(lo, hi) => {
                if d.subsec_nanos() != 0 || d.as_secs() < lo || d.as_secs() > hi {
                    return Err(Failure::usage(format!(
                        "{id} takes a ttl in whole seconds from {lo}s to {hi}s, not {shown}"
                    )));
                }
            }
            TtlRule::ProviderChooses => {
                return Err(Failure::usage(format!(
                    "{id} chooses its own expiry, so ttl {shown} cannot be set; drop --ttl / ttl"
                )))
            }
            TtlRule::Local => {
                if d < Duration::from_secs(1) {
                    return Err(Failure::usage(format!("ttl {shown} is below 1s")));
                }
            }
        }
    }
    Ok(ttl)
}

fn attempts(p: &Profile) -> Result<Setting<u32>, Failure> {
    let id = p.info.id;
    let attempts = match p.int("attempts")? {
        Some(n) => Setting {
            value: u32::try_from(n)
                .map_err(|_| p.bad_value("attempts", format!("attempts {n} is not a count")))?,
            explicit: true,
        },
        None => Setting {
            value: 3,
            explicit: false,
        },
    };
    if attempts.explicit {
        match p.info.attempts {
            None => {
                return Err(Failure::usage(format!(
                    "{id} chooses its own number of attempts, so attempts {} cannot be set",
                    attempts.value
                )))
            }
            Some((lo, hi)) if attempts.value < lo || attempts.value > hi => {
                return Err(Failure::usage(format!(
                    "{id} takes attempts from {lo} to {hi}, not {}",
                    attempts.value
                )))
            }
            _ => {}
        }
    }
    Ok(attempts)
}

fn template(
    p: &Profile,
    a: &SendArgs,
    ttl: Duration,
) -> Result<(Template, Vec<(String, Template)>), Failure> {
    let minutes = (ttl.as_secs() / 60).max(1);
    let templates = p.templates();
    let text = if let Some(m) = &a.message {
        m.clone()
    } else if let Some(lang) = &a.lang {
        match templates.iter().find(|(l, _)| l == lang) {
            Some((_, t)) => t.clone(),
            None => {
                let have: Vec<&str> = templates.iter().map(|(l, _)| l.as_str()).collect();
                return Err(Failure::usage(format!(
                    "{} has no template for --lang {lang}",
                    p.label()
                ))
                .hint(if have.is_empty() {
                    "add [profiles.NAME.templates] with one line per language".to_string()
                } else {
                    format!("templates: {}", have.join(", "))
                }));
            }
        }
    } else if let Some(m) = p.str("message") {
        m.to_string()
    } else {
        "Your verification code is {{code}}".to_string()
    };
    if p.info.ttl == TtlRule::ProviderChooses && text.contains("{{minutes}}") {
        return Err(Failure::usage(format!(
            "{} chooses its own expiry, so the message cannot say {{{{minutes}}}}",
            p.info.id
        )));
    }
    let mut t = Template::parse(&text, minutes).map_err(|e| Failure::usage(e.0))?;
    if let Some(h) = &a.app_hash {
        let h = h.trim();
        if h.chars().count() != 11
            || !h
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
        {
            return Err(Failure::usage(format!(
                "--app-hash \"{h}\" is not an 11-character SMS Retriever hash"
            )));
        }
        t.push_line(h);
    }
    if let Some(d) = &a.webotp_domain {
        let d = d.trim();
        if d.is_empty() || d.contains(char::is_whitespace) || d.contains('/') || d.starts_with('@')
        {
            return Err(Failure::usage(format!(
                "--webotp-domain \"{d}\" is not a domain name"
            )));
        }
        t.push_webotp_line(d);
    }
    let mut langs = Vec::new();
    for (lang, text) in templates {
        let t = Template::parse(&text, minutes)
            .map_err(|e| Failure::usage(format!("templates.{lang} in {}: {}", p.label(), e.0)))?;
        langs.push((lang, t));
    }
    Ok((t, langs))
}

fn send_flags(a: &SendArgs) -> Vec<(&'static str, String)> {
    let mut flags = Vec::new();
    let mut add = |k: &'static str, v: &Option<String>| {
        if let Some(v) = v {
            flags.push((k, v.clone()));
        }
    };
    add("provider", &a.provider);
    add("sender", &a.sender);
    add("length", &a.length);
    add("pin_type", &a.pin_type);
    add("ttl", &a.ttl);
    add("attempts", &a.attempts);
    flags
}

fn send(g: &Global, out: &Printer, a: &SendArgs) -> u8 {
    let mut report = Report::new(Outcome::NotSent);
    match send_inner(g, out, a, &mut report) {
        Ok(()) => {
            report.ok = true;
            if out.json() {
                out.json_value(&report.to_json());
            }
            0
        }
        Err(f) => {
            let f = with_hint(f, &report);
            out.failure(Some(&mut report), &f)
        }
    }
}

/// A next step for failures whose adapter gave none.
fn with_hint(f: Failure, r: &Report) -> Failure {
    if f.hint.is_some() {
        return f;
    }
    let provider = r.provider.as_deref().unwrap_or("the provider");
    let profile = config::profile_label(r.profile.as_deref());
    let hint = match f.kind {
        Kind::Auth => format!("check the credentials of {profile} (`otp config show`)"),
        Kind::RateLimited => format!("{provider} is limiting requests: wait, then send again"),
        Kind::InsufficientFunds => format!("top up the {provider} account"),
        Kind::InvalidRequest => {
            "check the request with --dry-run and the profile with `otp config check`".into()
        }
        _ => return f,
    };
    f.hint(hint)
}

fn send_inner(g: &Global, out: &Printer, a: &SendArgs, report: &mut Report) -> Result<(), Failure> {
    let timeout = timeout(g)?;
    let retries: u32 = match &a.retries {
        Some(r) => r.trim().parse().ok().filter(|n| *n <= 10).ok_or_else(|| {
            Failure::usage(format!(
                "--retries must be a whole number from 0 to 10, not \"{r}\""
            ))
        })?,
        None => 0,
    };
    let params = a
        .params
        .iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
            _ => Err(Failure::usage(format!("--param \"{kv}\" is not KEY=VALUE"))),
        })
        .collect::<Result<Vec<_>, _>>()?;

    let profile = load_profile(g, None, &send_flags(a))?;
    let info = profile.info;
    report.provider = Some(info.id.to_string());
    report.profile = profile.name.clone();
    report.verify_with = Some(info.verify);

    // The number, and the profile's country rules.
    let country = profile
        .str("default_country")
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(c) = country {
        if phone::calling_code_for(c).is_none() {
            return Err(profile.bad_value(
                "default_country",
                format!("default_country \"{c}\" is not an ISO 3166 alpha-2 country code"),
            ));
        }
    }
    let to = Phone::parse(&a.to, country).map_err(|e| {
        let f = Failure::usage(format!("--to: {e}"));
        // A full international number typed without '+' reads as national here.
        let digits: String = a.to.chars().filter(char::is_ascii_digit).collect();
        match country.and_then(phone::calling_code_for) {
            Some(cc) if !a.to.trim_start().starts_with('+') && digits.starts_with(cc) => f.hint(
                format!("if it is already international, write it with '+': +{digits}"),
            ),
            _ => f,
        }
    })?;
    report.to = Some(to.e164());
    let allowed = profile.list("allowed_countries");
    if !allowed.is_empty()
        && !allowed
            .iter()
            .any(|c| c.trim_start_matches('+') == to.calling_code())
    {
        return Err(Failure::config(format!(
            "{} allows numbers with calling codes {} only; {} has +{}",
            profile.label(),
            allowed.join(", "),
            to.masked(),
            to.calling_code()
        ))
        .hint("add the calling code to allowed_countries if this is intended"));
    }

    let channel = match &a.channel {
        None => Channel::Sms,
        Some(c) => Channel::parse(c).ok_or_else(|| {
            Failure::usage(format!(
                "--channel must be sms, whatsapp or voice, not \"{c}\""
            ))
        })?,
    };
    if !info.supports(channel) {
        let have: Vec<&str> = info.channels.iter().map(|c| c.as_str()).collect();
        return Err(Failure::usage(format!(
            "{} has no {} channel; it offers {}",
            info.id,
            channel.as_str(),
            have.join(", ")
        )));
    }

    let s = settings(&profile)?;
    let (template, templates) = template(&profile, a, s.ttl.value)?;

    // The PIN, where otp makes it.
    let pin = match (info.pin_by, &a.pin) {
        (PinBy::Tool, Some(pin)) => {
            let pin = pin.trim();
            let max = match info.length {
                LengthRule::Range(_, hi) => hi,
                LengthRule::ProviderChooses(n) => n,
            };
            if pin.is_empty()
                || !pin.chars().all(|c| c.is_ascii_alphanumeric())
                || pin.chars().count() > max
            {
                return Err(Failure::usage(format!(
                    "--pin must be 1 to {max} letters or digits for {}",
                    info.id
                )));
            }
            let n = pin.chars().count();
            if s.length.explicit && n != s.length.value {
                return Err(Failure::usage(format!(
                    "--pin has {n} characters, but the PIN length is set to {}",
                    s.length.value
                )));
            }
            if n < 6 && !s.allow_short {
                return Err(Failure::usage(format!(
                    "--pin has {n} characters, below 6 (NIST SP 800-63B asks for at least 6 digits)"
                ))
                .hint("set allow_short_pins = true in the profile to allow it"));
            }
            let fits = |c: char| match s.pin_type.value {
                PinType::Numeric => c.is_ascii_digit(),
                PinType::Letters => c.is_ascii_alphabetic(),
                PinType::Alphanumeric => c.is_ascii_alphanumeric(),
            };
            if s.pin_type.explicit && !pin.chars().all(fits) {
                return Err(Failure::usage(format!(
                    "--pin is not a {} PIN",
                    s.pin_type.value.as_str()
                )));
            }
            Some(Secret::new(pin))
        }
        (PinBy::Tool, None) => Some(Secret::new(message::generate_pin(
            s.length.value,
            s.pin_type.value,
        ))),
        (_, Some(_)) => {
            return Err(Failure::usage(format!(
                "--pin works only where otp makes the PIN (cinnox, console); {} makes its own",
                info.id
            )))
        }
        _ => None,
    };

    if a.callback_url.is_some() && !info.callback {
        return Err(Failure::usage(format!(
            "{} has no status webhook, so --callback-url cannot be used",
            info.id
        )));
    }
    if let Some(u) = &a.callback_url {
        if reqwest::Url::parse(u)
            .map(|u| u.scheme() != "https" && u.scheme() != "http")
            .unwrap_or(true)
        {
            return Err(Failure::usage(format!(
                "--callback-url \"{u}\" is not an http(s) URL"
            )));
        }
    }

    // Segments of the final text, the PIN length substituted.
    let sample_len = match (&pin, info.length) {
        (Some(p), _) => p.expose().chars().count(),
        (None, LengthRule::ProviderChooses(n)) => n,
        (None, _) => s.length.value,
    };
    let seg = message::segments(&template.render(&"0".repeat(sample_len)));
    report.segments = Some(seg.parts);
    report.encoding = Some(seg.encoding.as_str());

    // The local records, read before anything is sent: a damaged store would make the
    // OTP impossible to verify, and the cooldown lives there. A dry run reads only
    // what the cooldown needs.
    let now = store::now();
    let cooldown = profile.duration("cooldown")?;
    let records = if !a.dry_run || (cooldown.is_some() && !a.force) {
        Some(Store::open()?.read(now)?)
    } else {
        None
    };
    if let (Some(cd), false, Some(records)) = (cooldown, a.force, &records) {
        let left = records.cooldown_left(profile.name.as_deref(), &to.e164(), cd.as_secs(), now);
        if let Some(left) = left {
            return Err(Failure::config(format!(
                "{} was sent an OTP less than {} ago; wait {left}s (cooldown in {})",
                to.masked(),
                humantime::format_duration(cd),
                profile.label()
            ))
            .hint("--force sends anyway"));
        }
    }

    let provider = (info.build)(&profile)?;
    let otp = Otp {
        to: to.clone(),
        sender: profile.str("sender").map(str::to_string),
        template,
        templates,
        channel,
        length: s.length,
        pin_type: s.pin_type,
        ttl: s.ttl,
        attempts: s.attempts,
        pin: pin.clone(),
        callback_url: a.callback_url.clone(),
    };
    let mut plan = provider.send(&otp)?;
    if let Plan::Http(req) = &mut plan {
        // A field that carries the PIN otp made must keep it, or verify cannot check it.
        if let Some(pin) = &pin {
            if let Some((k, _)) = params
                .iter()
                .find(|(k, _)| req.field_contains(k, pin.expose()))
            {
                return Err(Failure::usage(format!(
                    "--param {k} would replace the PIN otp made, so `otp verify` could not check it"
                ))
                .hint("use --pin to choose the PIN"));
            }
        }
        req.apply_params(&params);
    }

    if seg.parts > 1 && !out.json() && !out.quiet {
        output::warn(&format!(
            "the message is {} {} characters, {} SMS parts; each part is billed",
            seg.units,
            seg.encoding.as_str(),
            seg.parts
        ));
    }

    if a.dry_run {
        report.outcome = Outcome::DryRun;
        match &plan {
            Plan::Http(req) => {
                report.request = Some(req.to_json());
                if !out.json() {
                    out.line(req.render_text().trim_end());
                }
            }
            Plan::Console { to, text } => {
                report.request = Some(serde_json::json!({
                    "method": "CONSOLE", "url": null, "headers": {},
                    "body": {"to": to, "text": crate::redact::scrub(text)}
                }));
                if !out.json() {
                    out.line(&format!(
                        "console: would show on {to}:\n{}",
                        crate::redact::scrub(text)
                    ));
                }
            }
        }
        return Ok(());
    }

    let accepted = match &plan {
        Plan::Console { to, text } => {
            // The console plays the phone: the one place a PIN is printed (SPEC §6.3).
            use std::io::Write;
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "console: {} message to {to}:", channel.as_str());
            for line in text.lines() {
                let _ = writeln!(err, "  | {line}");
            }
            Accepted {
                id: message::new_id(),
                ..Accepted::default()
            }
        }
        Plan::Http(req) => {
            let mut http = Http::new(timeout, profile.ca_file().as_deref(), out.verbose)?;
            http.mask(
                to.digits().to_string(),
                to.masked().trim_start_matches('+').to_string(),
            );
            http.on_reply(provider.reply_secrets());
            let reply = http.execute_retrying(req, retries)?;
            provider.send_reply(&reply)?
        }
    };

    let expires = accepted.expires_at.or_else(|| match info.ttl {
        TtlRule::ProviderChooses => None,
        _ => SystemTime::now().checked_add(s.ttl.value),
    });
    report.outcome = Outcome::Accepted;
    report.id = Some(accepted.id.clone());
    report.message_id = accepted.message_id.clone();
    report.expires_at = expires.map(output::time);
    report.cost = accepted.cost.clone();

    // The local record. A failure here must not hide that the SMS went out.
    let mut rec = Record {
        id: accepted.id.clone(),
        profile: profile.name.clone(),
        provider: info.id.to_string(),
        to: to.e164(),
        sent_at: now,
        expires_at: expires
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|d| d.as_secs()),
        attempts_left: s.attempts.value,
        state: State::Pending,
        salt: None,
        pin_hash: None,
    };
    if let Some(p) = pin.as_ref().or(accepted.pin.as_ref()) {
        rec.set_pin(p);
    }
    if let Err(e) = Store::open().and_then(|st| st.update(now, |all| all.insert(rec))) {
        output::warn(&format!(
            "sent, but the local record could not be written: {}{}",
            e.message,
            if info.verify == VerifyBy::Local {
                "; `otp verify` will not know this id"
            } else {
                ""
            }
        ));
    }

    if !out.json() {
        if out.quiet {
            out.line(&accepted.id);
        } else {
            let mut lines = vec![
                format!("{} by {}", out.good("accepted"), info.id),
                format!("id        {}", accepted.id),
                format!("to        {}", to.e164()),
            ];
            if let Some(m) = &accepted.message_id {
                lines.push(format!("message   {m}"));
            }
            if let Some(e) = &report.expires_at {
                lines.push(format!("expires   {e}"));
            }
            lines.push(format!(
                "segments  {} ({})",
                seg.parts,
                seg.encoding.as_str()
            ));
            if let Some(c) = &accepted.cost {
                lines.push(format!("cost      {c}"));
            }
            lines.push(format!(
                "verify    otp verify --id {} --code CODE",
                accepted.id
            ));
            out.line(&lines.join("\n"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// verify, status, cancel

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
    let code: String = code
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric()) || code.len() > 32 {
        return Err(Failure::usage("the code must be letters or digits"));
    }
    Ok(code)
}

/// Terminal echo off on stdin until dropped (restored on every path out).
struct EchoOff(Option<libc::termios>);

impl EchoOff {
    fn new() -> EchoOff {
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

fn verify(g: &Global, out: &Printer, a: &VerifyArgs) -> u8 {
    let mut report = Report::new(Outcome::NotVerified);
    report.reason = Some(None);
    report.id = Some(a.id.clone());
    match verify_inner(g, out, a, &mut report) {
        Ok(()) => {
            report.ok = true;
            report.outcome = Outcome::Verified;
            if out.json() {
                out.json_value(&report.to_json());
            } else if !out.quiet {
                out.line(&format!(
                    "{} ({})",
                    out.good("verified"),
                    report.provider.as_deref().unwrap_or("")
                ));
            }
            0
        }
        Err(f) => {
            let f = with_hint(f, &report);
            out.failure(Some(&mut report), &f)
        }
    }
}

fn verify_inner(
    g: &Global,
    out: &Printer,
    a: &VerifyArgs,
    report: &mut Report,
) -> Result<(), Failure> {
    http::set_verifying();
    let timeout = timeout(g)?;
    let code = Secret::new(read_code(a)?);
    let now = store::now();
    let st = Store::open()?;
    let rec = st.read(now)?.get(&a.id).cloned();

    // The record names profile and provider; without one, --profile must.
    let profile = match &rec {
        Some(r) => {
            let flags = [("provider", r.provider.clone())];
            load_profile(g, r.profile.as_deref().or(g.profile.as_deref()), &flags)?
        }
        None => load_profile(g, None, &[])?,
    };
    let info = profile.info;
    report.provider = Some(info.id.to_string());
    report.profile = profile.name.clone();
    report.verify_with = Some(info.verify);
    if let Some(r) = &rec {
        report.to = Some(r.to.clone());
        report.expires_at = r
            .expires_at
            .map(|e| output::time(SystemTime::UNIX_EPOCH + Duration::from_secs(e)));
    }

    match info.verify {
        VerifyBy::Local => {
            let Some(_) = rec else {
                return Err(Failure::not_verified(
                    Reason::UnknownId,
                    format!("no local record of id {}", a.id),
                )
                .hint("the id is wrong, or the OTP expired and was pruned; send a new one"));
            };
            let verdict = st.update(now, |all| match all.get_mut(&a.id) {
                Some(r) => r.check(code.expose(), now),
                None => Err((Reason::UnknownId, format!("no local record of id {}", a.id))),
            })?;
            verdict.map_err(|(reason, msg)| Failure::not_verified(reason, msg))
        }
        VerifyBy::Provider => {
            // Zender looks a code up by value alone: without the record's hash, any code
            // pending on the account would verify any id, for any number.
            if info.pin_by == PinBy::ProviderReturns
                && rec.as_ref().is_none_or(|r| r.pin_hash.is_none())
            {
                return Err(Failure::not_verified(
                    Reason::UnknownId,
                    format!("no local record of id {}", a.id),
                )
                .hint(format!(
                    "{} checks a code only against the send's local record; send a new one",
                    info.id
                )));
            }
            // Local rules first: a used, cancelled, locked or expired record needs no call.
            if let Some(r) = &rec {
                let mut probe = r.clone();
                if probe.state != State::Pending || probe.expired(now) {
                    let (reason, msg) = probe
                        .check(code.expose(), now)
                        .err()
                        .unwrap_or((Reason::AlreadyUsed, "already used".into()));
                    return Err(Failure::not_verified(reason, msg));
                }
                // Zender looks a code up by value alone; the kept hash ties it to this send.
                if r.pin_hash.is_some() && !r.pin_matches(code.expose()) {
                    let verdict = st.update(now, |all| match all.get_mut(&a.id) {
                        Some(r) => r.check(code.expose(), now),
                        None => Err((Reason::UnknownId, "record gone".into())),
                    })?;
                    return verdict.map_err(|(reason, msg)| Failure::not_verified(reason, msg));
                }
            }
            let provider = (info.build)(&profile)?;
            let req = provider.verify(&a.id, &code)?;
            let mut http = Http::new(timeout, profile.ca_file().as_deref(), out.verbose)?;
            http.on_reply(provider.reply_secrets());
            if let Some(r) = &rec {
                if let Ok(p) = Phone::parse(&r.to, None) {
                    http.mask(
                        p.digits().to_string(),
                        p.masked().trim_start_matches('+').to_string(),
                    );
                }
            }
            let reply = http.execute(&req)?;
            let verdict = provider.verify_reply(&reply);
            if rec.is_some() {
                let ok = verdict.is_ok();
                let reason = verdict.as_ref().err().and_then(|f| f.reason);
                let _ = st.update(now, |all| {
                    if let Some(r) = all.get_mut(&a.id) {
                        match (ok, reason) {
                            (true, _) => r.state = State::Verified,
                            (false, Some(Reason::WrongCode)) => {
                                // Counted here too, so a vendor that allows more tries
                                // than the profile says is still stopped locally.
                                r.attempts_left = r.attempts_left.saturating_sub(1);
                                if r.attempts_left == 0 {
                                    r.state = State::Locked;
                                }
                            }
                            (false, Some(Reason::AttemptsExhausted)) => r.state = State::Locked,
                            (false, Some(Reason::AlreadyUsed)) => r.state = State::Verified,
                            _ => {}
                        }
                    }
                });
            }
            verdict
        }
    }
}

fn record_json(r: &Record, now: u64) -> serde_json::Value {
    let vendor_counts = providers::find(&r.provider).is_some_and(|i| i.attempts.is_none());
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
        "sent_at": output::time(SystemTime::UNIX_EPOCH + Duration::from_secs(r.sent_at)),
        "expires_at": r.expires_at.map(|e| output::time(SystemTime::UNIX_EPOCH + Duration::from_secs(e))),
        // A vendor that counts its own tries: the local count is only a ceiling.
        "attempts_left": if vendor_counts { serde_json::Value::Null } else { r.attempts_left.into() },
        "state": state,
    })
}

/// `status` and `cancel`: their result, or the error on stderr and, with `-o json`, a
/// document `{ok: false, id, error}` on stdout.
fn finish_id(out: &Printer, id: &str, r: Result<u8, Failure>) -> u8 {
    match r {
        Ok(code) => code,
        Err(f) => {
            output::error(&f, out.verbose);
            if out.json() {
                let mut rep = Report::new(f.outcome);
                rep.fail(&f);
                out.json_value(
                    &serde_json::json!({"ok": false, "id": id, "error": rep.to_json()["error"]}),
                );
            }
            f.exit_code()
        }
    }
}

fn unknown_record(id: &str) -> Failure {
    Failure::usage(format!("no local record of id {id}"))
        .hint("records are kept until a day after the OTP expires; check the id `otp send` printed")
}

/// The number's digits as `status` shows them, `234******0817` (no '+').
fn masked_digits(p: &Phone) -> String {
    p.masked().trim_start_matches('+').to_string()
}

/// Every string in `v` with the number's digits masked.
fn mask_number(v: serde_json::Value, p: &Phone) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(s.replace(p.digits(), &masked_digits(p))),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| mask_number(x, p)).collect()),
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, x)| (k, mask_number(x, p))).collect())
        }
        other => other,
    }
}

fn status(g: &Global, out: &Printer, a: &IdArgs) -> u8 {
    finish_id(out, &a.id, status_inner(g, out, a))
}

fn status_inner(g: &Global, out: &Printer, a: &IdArgs) -> Result<u8, Failure> {
    let now = store::now();
    let rec = Store::open()?.read(now)?.get(&a.id).cloned();
    let profile = match &rec {
        Some(r) => load_profile(g, r.profile.as_deref(), &[("provider", r.provider.clone())]).ok(),
        None => load_profile(g, None, &[]).ok(),
    };
    let phone = rec.as_ref().and_then(|r| Phone::parse(&r.to, None).ok());
    let mut remote = serde_json::Value::Null;
    if let Some(p) = &profile {
        let provider = (p.info.build)(p);
        if let Ok(provider) = provider {
            if let Some(req) = provider.status(&a.id) {
                let mut http = Http::new(timeout(g)?, p.ca_file().as_deref(), out.verbose)?;
                if let Some(ph) = &phone {
                    http.mask(ph.digits().to_string(), masked_digits(ph));
                }
                let reply = http.execute(&req)?;
                remote = providers::reply_json(p.info.id, &reply)?;
                if !providers::is_success(reply.status) {
                    return Err(providers::http_failure(
                        p.info.id,
                        &reply,
                        None,
                        providers::vendor_message(&remote),
                        None,
                    ));
                }
                remote = providers::scrub_json(remote);
                // The vendor echoes the number: status shows it masked (SPEC §4).
                if let Some(ph) = &phone {
                    remote = mask_number(remote, ph);
                }
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
        doc["provider_status"] = remote;
        out.json_value(&doc);
    } else {
        if let Some(r) = &rec {
            let j = record_json(r, now);
            let attempts = match j["attempts_left"].as_u64() {
                Some(n) => format!("{n} left"),
                None => format!("counted by {}", r.provider),
            };
            out.line(&format!(
                "id        {}\nprovider  {}\nto        {}\nsent at   {}\nexpires   {}\nattempts  {attempts}\nstate     {}",
                r.id,
                r.provider,
                r.masked_to(),
                j["sent_at"].as_str().unwrap_or(""),
                j["expires_at"].as_str().unwrap_or("unknown (set by the provider)"),
                j["state"].as_str().unwrap_or(""),
            ));
        }
        if !remote.is_null() {
            out.line(&format!(
                "provider status: {}",
                crate::redact::vendor_text(&remote.to_string())
            ));
        }
    }
    Ok(0)
}

fn cancel(g: &Global, out: &Printer, a: &IdArgs) -> u8 {
    finish_id(out, &a.id, cancel_inner(g, out, a))
}

fn cancel_inner(g: &Global, out: &Printer, a: &IdArgs) -> Result<u8, Failure> {
    let now = store::now();
    let st = Store::open()?;
    let rec = st.read(now)?.get(&a.id).cloned();
    let profile = match &rec {
        Some(r) => load_profile(g, r.profile.as_deref(), &[("provider", r.provider.clone())])?,
        None => load_profile(g, None, &[])?,
    };
    let provider = (profile.info.build)(&profile)?;
    let mut remote = false;
    if let Some(req) = provider.cancel(&a.id) {
        let http = Http::new(timeout(g)?, profile.ca_file().as_deref(), out.verbose)?;
        let reply = http.execute(&req)?;
        if !providers::is_success(reply.status) {
            let v = serde_json::from_slice::<serde_json::Value>(&reply.body).ok();
            return Err(providers::http_failure(
                profile.info.id,
                &reply,
                None,
                v.as_ref().and_then(providers::vendor_message),
                v.as_ref().and_then(|v| providers::text_at(v, "error.code")),
            ));
        }
        remote = true;
    } else if rec.is_none() {
        return Err(unknown_record(&a.id));
    }
    if rec.is_some() {
        st.update(now, |all| {
            if let Some(r) = all.get_mut(&a.id) {
                r.state = State::Cancelled;
            }
        })?;
    }
    if out.json() {
        out.json_value(&serde_json::json!({"id": a.id, "cancelled": true, "provider_cancelled": remote, "local_record": rec.is_some()}));
    } else if !out.quiet {
        out.line(&format!(
            "cancelled {}{}",
            a.id,
            if remote {
                format!(" (at {} too)", profile.info.id)
            } else {
                String::new()
            }
        ));
    }
    Ok(0)
}

// ---------------------------------------------------------------------------------------
// providers, config

fn provider_json(i: &Info) -> serde_json::Value {
    let length = match i.length {
        LengthRule::Range(lo, hi) => serde_json::json!({"min": lo, "max": hi}),
        LengthRule::ProviderChooses(_) => serde_json::Value::Null,
    };
    let ttl = match i.ttl {
        TtlRule::Minutes(lo, hi) => format!("whole minutes, {lo}m to {hi}m"),
        TtlRule::Seconds(lo, hi) => format!("whole seconds, {lo}s to {hi}s"),
        TtlRule::ProviderChooses => "chosen by the provider".into(),
        TtlRule::Local => "1s to max_ttl (local record)".into(),
    };
    // Settings the vendor chooses itself are not offered (the send would refuse them).
    let chosen_by_vendor = |name: &str| match name {
        "length" | "allow_short_pins" => matches!(i.length, LengthRule::ProviderChooses(_)),
        "ttl" | "max_ttl" => i.ttl == TtlRule::ProviderChooses,
        "pin_type" => i.pin_types.is_empty(),
        "attempts" => i.attempts.is_none(),
        _ => false,
    };
    let keys: Vec<serde_json::Value> = config::known_keys(i)
        .filter(|k| !chosen_by_vendor(k.name))
        .map(|k| {
            let required = k.required
                || (k.name == "base_url" && i.default_base_url.is_none() && i.id != "console");
            serde_json::json!({
                "name": k.name, "secret": k.secret(), "required": required,
                "default": if k.name == "base_url" { i.default_base_url } else { k.default },
                "help": k.help, "env": config::env_name(k.name),
            })
        })
        .collect();
    serde_json::json!({
        "id": i.id, "aliases": i.aliases, "name": i.name, "about": i.about,
        "channels": i.channels, "verify_with": i.verify,
        "pin_by": match i.pin_by { PinBy::Tool => "otp", _ => "provider" },
        "pin_types": i.pin_types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "length": length, "ttl": ttl,
        "attempts": i.attempts.map(|(lo, hi)| serde_json::json!({"min": lo, "max": hi})),
        "base_url": i.default_base_url, "keys": keys,
        "example": format!("[profiles.{}]\n{}", i.id, i.example),
    })
}

fn list_providers(out: &Printer, name: Option<&str>) -> Result<u8, Failure> {
    let Some(name) = name else {
        if out.json() {
            out.json_value(&serde_json::Value::Array(
                providers::REGISTRY
                    .iter()
                    .map(|i| provider_json(i))
                    .collect(),
            ));
        } else {
            let mut lines = vec![format!(
                "{:<10} {:<19} {:<9} {}",
                "PROVIDER", "CHANNELS", "VERIFY", "ABOUT"
            )];
            for i in providers::REGISTRY {
                let ch: Vec<&str> = i.channels.iter().map(|c| c.as_str()).collect();
                lines.push(format!(
                    "{:<10} {:<19} {:<9} {}",
                    i.id,
                    ch.join(","),
                    i.verify.as_str(),
                    i.about
                ));
            }
            lines.push(String::new());
            lines.push(
                "`otp providers NAME` shows a provider's profile keys and an example.".into(),
            );
            out.line(&lines.join("\n"));
        }
        return Ok(0);
    };
    let info = providers::find(name).ok_or_else(|| {
        Failure::usage(format!(
            "unknown provider \"{name}\"; did you mean \"{}\"?",
            config::nearest(name, providers::ids().into_iter())
        ))
        .hint(format!("providers: {}", providers::ids().join(", ")))
    })?;
    let j = provider_json(info);
    if out.json() {
        out.json_value(&j);
        return Ok(0);
    }
    let mut s = format!("{} ({}): {}\n", info.id, info.name, info.about);
    if !info.aliases.is_empty() {
        s.push_str(&format!("aliases:    {}\n", info.aliases.join(", ")));
    }
    let ch: Vec<&str> = info.channels.iter().map(|c| c.as_str()).collect();
    s.push_str(&format!("channels:   {}\n", ch.join(", ")));
    s.push_str(&format!(
        "PIN:        made by {}, verified {}\n",
        match info.pin_by {
            PinBy::Tool => "otp",
            PinBy::Provider => "the provider",
            PinBy::ProviderReturns => "the provider (returned in its reply, kept hashed)",
        },
        match info.verify {
            VerifyBy::Local => "locally (the record of the send)",
            VerifyBy::Provider => "by the provider",
        }
    ));
    s.push_str(&format!(
        "length:     {}\n",
        match info.length {
            LengthRule::Range(lo, hi) => format!("{lo} to {hi}"),
            LengthRule::ProviderChooses(_) => "chosen by the provider".into(),
        }
    ));
    s.push_str(&format!(
        "ttl:        {}\n",
        j["ttl"].as_str().unwrap_or("")
    ));
    s.push_str(&format!(
        "attempts:   {}\n",
        match info.attempts {
            Some((lo, hi)) => format!("{lo} to {hi}"),
            None => "chosen by the provider".into(),
        }
    ));
    s.push_str("\nkeys (each also OTP_<KEY> in the environment):\n");
    for k in j["keys"].as_array().into_iter().flatten() {
        let mut flags = Vec::new();
        if k["required"].as_bool() == Some(true) {
            flags.push("required".to_string());
        }
        if k["secret"].as_bool() == Some(true) {
            flags.push("secret".to_string());
        }
        if let Some(d) = k["default"].as_str() {
            flags.push(format!("default {d}"));
        }
        s.push_str(&format!(
            "  {:<18} {}{}\n",
            k["name"].as_str().unwrap_or(""),
            k["help"].as_str().unwrap_or(""),
            if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join(", "))
            }
        ));
    }
    s.push_str(&format!(
        "\nexample:\n{}",
        j["example"].as_str().unwrap_or("")
    ));
    out.line(s.trim_end());
    Ok(0)
}

fn config_cmd(g: &Global, out: &Printer, c: &ConfigCommand) -> Result<u8, Failure> {
    match c {
        ConfigCommand::Path => {
            let (path, _) = config::locate(g.config.as_deref());
            let path = path.ok_or_else(|| {
                Failure::config("no config path: HOME is not set").hint("pass --config PATH")
            })?;
            out.line(&path.display().to_string());
            Ok(0)
        }
        ConfigCommand::Init { provider } => {
            let info = match provider {
                Some(p) => providers::find(p).ok_or_else(|| {
                    Failure::usage(format!("unknown provider \"{p}\""))
                        .hint(format!("providers: {}", providers::ids().join(", ")))
                })?,
                None => &providers::console::INFO,
            };
            let (path, _) = config::locate(g.config.as_deref());
            let path = path.ok_or_else(|| {
                Failure::config("no config path: HOME is not set").hint("pass --config PATH")
            })?;
            match config::create_private(&path, config::starter(info).as_bytes()) {
                Ok(()) => {
                    if !out.quiet {
                        out.line(&format!(
                            "wrote {} (mode 0600) with a {} profile",
                            path.display(),
                            info.id
                        ));
                    }
                    Ok(0)
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Failure::config(
                    format!("{} already exists; not overwriting it", path.display()),
                )
                .hint("edit it, or move it away first")),
                Err(e) => Err(Failure::config(format!(
                    "cannot write {}: {e}",
                    path.display()
                ))),
            }
        }
        ConfigCommand::Show => {
            let p = load_profile(g, None, &[])?;
            let mut rows = Vec::new();
            for k in config::known_keys(p.info) {
                let (value, source) = match p.entry(k.name) {
                    Some(e) => (show_value(k.secret(), &e.value, e.source), e.source),
                    None => match (k.name, k.default, p.info.default_base_url) {
                        ("base_url", _, Some(d)) => (d.to_string(), Source::Default),
                        (_, Some(d), _) => (d.to_string(), Source::Default),
                        _ => continue,
                    },
                };
                rows.push((k.name, value, source));
            }
            if out.json() {
                let mut m = serde_json::Map::new();
                for (k, v, s) in &rows {
                    m.insert(
                        k.to_string(),
                        serde_json::json!({"value": typed_value(&p, k, v), "source": s}),
                    );
                }
                out.json_value(&serde_json::json!({
                    "config": p.dir.as_ref().and(config::locate(g.config.as_deref()).0).map(|p| p.display().to_string()),
                    "profile": p.name, "provider": p.info.id, "values": m,
                }));
            } else {
                let mut s = format!("{} ({})\n", p.label(), p.info.id);
                for (k, v, src) in rows {
                    s.push_str(&format!("{k:<18} = {v:<40} # {}\n", src.as_str()));
                }
                out.line(s.trim_end());
            }
            Ok(0)
        }
        ConfigCommand::Check => config_check(g, out),
    }
}

/// A `config show` value as JSON of its key's type (6, true, ["234"]), secrets as shown.
fn typed_value(p: &Profile, key: &str, shown: &str) -> serde_json::Value {
    use crate::providers::KeyType;
    let ty = config::known_keys(p.info)
        .find(|k| k.name == key)
        .map(|k| k.ty);
    match ty {
        Some(KeyType::Int) => p
            .int(key)
            .ok()
            .flatten()
            .map(Into::into)
            .or_else(|| shown.parse::<i64>().ok().map(Into::into))
            .unwrap_or_else(|| shown.into()),
        Some(KeyType::Bool) => p
            .bool(key)
            .ok()
            .flatten()
            .or_else(|| shown.parse().ok())
            .map(Into::into)
            .unwrap_or_else(|| shown.into()),
        Some(KeyType::List) => p.list(key).into(),
        Some(KeyType::Table) => p
            .templates()
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        _ => shown.into(),
    }
}

fn show_value(secret: bool, v: &toml::Value, source: Source) -> String {
    match v {
        toml::Value::Table(t) if secret => {
            // The reference is not the secret: show where it comes from.
            let (k, v) = t
                .iter()
                .next()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .unwrap_or_default();
            format!("{{ {k} = {v} }}")
        }
        _ if secret => crate::redact::MASK.to_string(),
        toml::Value::String(s) if source != Source::File => s.clone(),
        other => other.to_string().trim_matches('"').to_string(),
    }
}

/// Every problem in the file, offline: syntax, keys, types, credentials present,
/// ranges, base URLs, permissions.
fn config_check(g: &Global, out: &Printer) -> Result<u8, Failure> {
    let file = ConfigFile::load_lenient(g.config.as_deref())?;
    let Some(path) = file.path.clone().filter(|_| file.exists) else {
        return Err(
            Failure::config("no config file to check").hint("create one with `otp config init`")
        );
    };
    let mut problems = Vec::new();
    if !file.unknown_top.is_empty() {
        problems.push(file.unknown_top_failure().message);
    }
    {
        use std::os::unix::fs::MetadataExt;
        let mode = std::fs::metadata(&path)
            .map(|m| m.mode() & 0o777)
            .unwrap_or(0);
        if mode & 0o044 != 0 {
            problems.push(format!(
                "{} is readable by group or others (mode {mode:04o}); run chmod 600 {}",
                path.display(),
                path.display()
            ));
        }
    }
    for name in file.profiles.keys() {
        // Unknown keys are all listed; the rest of the checks run on the profile without them.
        let mut clean = ConfigFile {
            path: file.path.clone(),
            exists: true,
            default_profile: None,
            profiles: Default::default(),
            unknown_top: Vec::new(),
        };
        let mut table = file.profiles.get(name).cloned().unwrap_or_default();
        if let Some(info) = table
            .get("provider")
            .and_then(|v| v.as_str())
            .and_then(providers::find)
        {
            let unknown: Vec<String> = table
                .keys()
                .filter(|k| !config::known_keys(info).any(|kk| kk.name == k.as_str()))
                .cloned()
                .collect();
            for key in unknown {
                problems.push(format!(
                    "unknown key `{key}` in {}; the nearest valid key is `{}`",
                    config::profile_label(Some(name)),
                    config::nearest(&key, config::known_keys(info).map(|k| k.name))
                ));
                table.remove(&key);
            }
            // Every badly typed value too, each on its own line.
            let label = config::profile_label(Some(name));
            let bad: Vec<(String, String)> = table
                .iter()
                .filter_map(|(k, v)| {
                    let key = config::known_keys(info).find(|kk| kk.name == k.as_str())?;
                    config::check_type(key, v, &label)
                        .err()
                        .map(|f| (k.clone(), f.message))
                })
                .collect();
            for (key, msg) in bad {
                problems.push(msg);
                table.remove(&key);
            }
        }
        clean.profiles.insert(name.clone(), table);
        let p = match Profile::resolve(&clean, Some(name), &[]) {
            Ok(p) => p,
            Err(f) => {
                problems.push(f.message);
                continue;
            }
        };
        let label = p.label();
        for k in config::known_keys(p.info).filter(|k| k.required) {
            if p.entry(k.name).is_none() {
                problems.push(p.missing(k.name).message);
            } else if k.secret() {
                if let Some(toml::Value::Table(t)) = p.entry(k.name).map(|e| &e.value) {
                    // Resolve env and file sources; commands are not run offline.
                    if !t.contains_key("command") {
                        if let Err(f) = p.secret(k.name) {
                            problems.push(f.message);
                        }
                    }
                }
            }
        }
        if p.info.id != "console" {
            if let Err(f) = p.base_url() {
                problems.push(f.message);
            }
        }
        // The adapter's own checks (a credential that is one of two keys, a vendor
        // setting such as termii's route). Building resolves secrets, so a profile
        // with a `{ command }` secret is skipped: commands are not run offline.
        let runs_command = config::known_keys(p.info).any(|k| {
            k.secret()
                && matches!(p.entry(k.name).map(|e| &e.value),
                    Some(toml::Value::Table(t)) if t.contains_key("command"))
        });
        if !runs_command {
            if let Err(f) = (p.info.build)(&p) {
                if !problems.contains(&f.message) {
                    problems.push(f.message);
                }
            }
        }
        for f in setting_checks(&p) {
            problems.push(format!("{label}: {}", f.message));
        }
        if let Some(c) = p.str("default_country") {
            if phone::calling_code_for(c).is_none() {
                problems.push(format!(
                    "default_country \"{c}\" in {label} is not an ISO 3166 alpha-2 code"
                ));
            }
        }
        for c in p.list("allowed_countries") {
            if !phone::is_calling_code(c.trim_start_matches('+')) {
                problems.push(format!(
                    "allowed_countries in {label}: \"{c}\" is not a country calling code"
                ));
            }
        }
        if let Some(m) = p.str("message") {
            if let Err(e) = Template::parse(m, 1) {
                problems.push(format!("message in {label}: {}", e.0));
            }
        }
        for (lang, t) in p.templates() {
            if let Err(e) = Template::parse(&t, 1) {
                problems.push(format!("templates.{lang} in {label}: {}", e.0));
            }
        }
        if let Err(e) = p.duration("cooldown") {
            problems.push(e.message);
        }
        if let Some(ca) = p.str("ca_file") {
            let _ = ca;
            if let Some(path) = p.ca_file() {
                if std::fs::metadata(&path).is_err() {
                    problems.push(format!(
                        "ca_file {} in {label} cannot be read",
                        path.display()
                    ));
                }
            }
        }
    }
    problems.dedup();
    if out.json() {
        out.json_value(&serde_json::json!({"path": path.display().to_string(), "ok": problems.is_empty(), "problems": problems}));
    } else if problems.is_empty() {
        out.line(&format!(
            "{}: {} profile(s), no problems",
            path.display(),
            file.profiles.len()
        ));
    } else {
        for p in &problems {
            output::error(&Failure::config(p.clone()), false);
        }
    }
    Ok(if problems.is_empty() { 0 } else { 3 })
}
