//! `otp send`: every check before the first byte leaves, then the request, the receipt
//! and the local record.

use super::policy::{self, open_store};
use super::{fallback, load_profile, provider_of, route, stamp, timeout};
use crate::cli::{Global, SendArgs};
use crate::config::{self, Profile};
use crate::error::{Failure, Kind, Outcome, Purpose};
use crate::http::Http;
use crate::message::{self, PinType, Template};
use crate::output::{self, Printer, Report};
use crate::phone::{self, Phone};
use crate::providers::{
    Accepted, Channel, Info, LengthRule, Otp, PinBy, Plan, Provider, Setting, Stamp, TtlRule,
};
use crate::redact::Secret;
use crate::store::{self, Limit, Record, RecordStore, Refusal, Rule, Ticket};
use std::time::{Duration, SystemTime};

/// The PIN length, type, TTL and attempts of a profile, checked against its provider.
/// Only values the user set are checked against the vendor's limits (the README).
#[derive(Debug)]
pub struct Settings {
    pub length: Setting<usize>,
    pub allow_short: bool,
    pub pin_type: Setting<PinType>,
    pub ttl: Setting<Duration>,
    pub attempts: Setting<u32>,
}

/// Every check of a profile's own settings against its vendor's declaration, each on
/// its own, so `config check` can list them all: the same failures, worded the same,
/// that `send` stops on.
pub fn setting_checks(p: &Profile) -> Vec<Failure> {
    [
        length(p).err(),
        pin_type(p).err(),
        ttl(p).err(),
        attempts(p).err(),
    ]
    .into_iter()
    .flatten()
    .chain(message_refusals(p, None))
    .chain(sender_refusal(p))
    .collect()
}

/// A sender set for a vendor that takes none (`Info::takes_sender`): refused, never
/// dropped, since the SMS would go out under a name the user did not choose.
fn sender_refusal(p: &Profile) -> Option<Failure> {
    let info = provider_of(p);
    let sender = p.str("sender").map(str::trim).filter(|s| !s.is_empty())?;
    (!info.takes_sender).then(|| {
        refuse(
            p,
            "sender",
            format!(
                "{} has no sender ID, so sender \"{}\" cannot be used",
                info.id,
                crate::redact::strip_controls(sender)
            ),
        )
        .hint(match info.decided_at {
            Some(place) => format!("remove it; what the SMS comes from is set in {place}"),
            None => "remove it".to_string(),
        })
    })
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

/// Where a profile's value came from, in the words of a refusal: the flag, the
/// `OTP_*` variable or the profile, always naming the profile.
fn origin(p: &Profile, key: &str) -> String {
    match p.source(key) {
        Some(config::Source::Flag) => format!("from --{}, {}", key.replace('_', "-"), p.label()),
        Some(config::Source::Env) => format!("from {}, {}", config::env_name(key), p.label()),
        _ => format!("`{key}` in {}", p.label()),
    }
}

/// A value the profile's vendor cannot take, worded once for `send` and `config
/// check`: the message names the profile and where the value came from; exit 2 when
/// it came from a flag, 3 when from the profile or an `OTP_*` variable.
fn refuse(p: &Profile, key: &str, message: String) -> Failure {
    let message = format!("{message} ({})", origin(p, key));
    match p.source(key) {
        Some(config::Source::Flag) => Failure::usage(message),
        _ => Failure::config(message),
    }
}

/// A setting the vendor decides itself (`what`), set by the user: refused with a hint
/// naming where the vendor keeps it (`Info::decided_at`).
fn decided_by_vendor(p: &Profile, key: &str, what: &str, shown: String) -> Failure {
    let info = provider_of(p);
    let id = info.id;
    let f = refuse(
        p,
        key,
        format!("{id} decides {what} itself, so {key} {shown} cannot be set"),
    );
    f.hint(match info.decided_at {
        Some(place) => format!("remove it; {what} is set in {place}"),
        None => format!("remove it: {id} chooses {what}"),
    })
}

/// Text the user chose (`--message`, `--lang`, `--webotp-domain`, the profile's
/// `message` or `templates`) for a vendor that writes the message itself
/// (`Info::writes_message`): each refused, never dropped. `a` is None for `config
/// check`, which sees only the profile.
fn message_refusals(p: &Profile, a: Option<&SendArgs>) -> Vec<Failure> {
    let info = provider_of(p);
    if !info.writes_message {
        return Vec::new();
    }
    let id = info.id;
    let place = info.decided_at.unwrap_or("the vendor's console");
    let writes = format!("{id} writes the message itself (its text is set in {place})");
    let hint = format!("change the text in {place}");
    let mut out = Vec::new();
    let flags = a.map(|a| {
        [
            ("--message", a.message.is_some()),
            ("--lang", a.lang.is_some()),
            (
                "--webotp-domain (a line added to the message)",
                a.webotp_domain.is_some(),
            ),
        ]
    });
    for (flag, given) in flags.into_iter().flatten() {
        if given {
            out.push(
                Failure::usage(format!(
                    "{writes}, so {flag} cannot be used ({})",
                    p.label()
                ))
                .hint(format!("drop it; {hint}")),
            );
        }
    }
    for key in ["message", "templates"] {
        if p.entry(key)
            .is_some_and(|e| e.source != config::Source::Default)
        {
            out.push(
                refuse(p, key, format!("{writes}, so {key} cannot be used"))
                    .hint(format!("remove it; {hint}")),
            );
        }
    }
    out
}

fn length(p: &Profile) -> Result<(Setting<usize>, bool), Failure> {
    let id = provider_of(p).id;
    let chosen = p
        .int("length")?
        .map(|n| {
            usize::try_from(n)
                .map_err(|_| p.bad_value("length", format!("PIN length {n} is not a length")))
        })
        .transpose()?;
    let length = Setting::or_default(chosen, 6);
    let allow_short = p.bool("allow_short_pins")?.unwrap_or(false);
    if length.explicit {
        match provider_of(p).length {
            LengthRule::ProviderChooses(_) => {
                return Err(decided_by_vendor(
                    p,
                    "length",
                    "the PIN length",
                    length.value.to_string(),
                ))
            }
            LengthRule::Range(lo, hi) if length.value < lo || length.value > hi => {
                return Err(refuse(
                    p,
                    "length",
                    format!(
                        "{id} takes a PIN length of {lo} to {hi}, not {}",
                        length.value
                    ),
                ))
            }
            _ => {}
        }
        if length.value < 6 && !allow_short {
            return Err(refuse(
                p,
                "length",
                format!(
                    "PIN length {} is below 6 (NIST SP 800-63B asks for at least 6 digits)",
                    length.value
                ),
            )
            .hint("set allow_short_pins = true in the profile to allow it"));
        }
    }
    Ok((length, allow_short))
}

fn pin_type(p: &Profile) -> Result<Setting<PinType>, Failure> {
    let info = provider_of(p);
    let id = info.id;
    let chosen = p
        .str("pin_type")
        .map(|s| s.parse::<PinType>().map_err(|e| p.bad_value("pin_type", e)))
        .transpose()?;
    let pin_type = Setting::or_default(chosen, PinType::Numeric);
    if pin_type.explicit && !info.pin_types.contains(&pin_type.value) {
        let names: Vec<&str> = info.pin_types.iter().map(|t| t.as_str()).collect();
        return Err(if names.is_empty() {
            decided_by_vendor(
                p,
                "pin_type",
                "the PIN type",
                pin_type.value.as_str().to_string(),
            )
        } else {
            refuse(
                p,
                "pin_type",
                format!(
                    "{id} takes pin_type {}, not {}",
                    names.join(" or "),
                    pin_type.value.as_str()
                ),
            )
        });
    }
    Ok(pin_type)
}

fn ttl(p: &Profile) -> Result<Setting<Duration>, Failure> {
    let id = provider_of(p).id;
    let max_ttl = p.duration("max_ttl")?.unwrap_or(Duration::from_secs(600));
    let ttl = Setting::or_default(p.duration("ttl")?, Duration::from_secs(300));
    if ttl.explicit {
        let d = ttl.value;
        let shown = humantime::format_duration(d);
        if d.is_zero() {
            return Err(p.bad_value("ttl", "ttl must be more than 0s"));
        }
        if provider_of(p).ttl == TtlRule::ProviderChooses {
            return Err(decided_by_vendor(p, "ttl", "the expiry", shown.to_string()));
        }
        if d > max_ttl {
            return Err(refuse(
                p,
                "ttl",
                format!(
                    "ttl {shown} is above max_ttl {}",
                    humantime::format_duration(max_ttl)
                ),
            )
            .hint("raise max_ttl in the profile to allow it"));
        }
        let range = match provider_of(p).ttl {
            TtlRule::Minutes(lo, hi) => (d.subsec_nanos() != 0
                || d.as_secs() % 60 != 0
                || d.as_secs() / 60 < lo
                || d.as_secs() / 60 > hi)
                .then(|| {
                    format!("{id} takes a ttl in whole minutes from {lo}m to {hi}m, not {shown}")
                }),
            TtlRule::Seconds(lo, hi) => {
                (d.subsec_nanos() != 0 || d.as_secs() < lo || d.as_secs() > hi).then(|| {
                    format!("{id} takes a ttl in whole seconds from {lo}s to {hi}s, not {shown}")
                })
            }
            TtlRule::Local => {
                (d < Duration::from_secs(1)).then(|| format!("ttl {shown} is below 1s"))
            }
            TtlRule::ProviderChooses => None,
        };
        if let Some(message) = range {
            return Err(refuse(p, "ttl", message));
        }
    }
    Ok(ttl)
}

fn attempts(p: &Profile) -> Result<Setting<u32>, Failure> {
    let id = provider_of(p).id;
    let chosen = p
        .int("attempts")?
        .map(|n| {
            u32::try_from(n)
                .map_err(|_| p.bad_value("attempts", format!("attempts {n} is not a count")))
        })
        .transpose()?;
    let attempts = Setting::or_default(chosen, 3);
    if attempts.explicit {
        match provider_of(p).attempts {
            None => {
                return Err(decided_by_vendor(
                    p,
                    "attempts",
                    "the number of attempts",
                    attempts.value.to_string(),
                ))
            }
            Some((lo, hi)) if attempts.value < lo || attempts.value > hi => {
                return Err(refuse(
                    p,
                    "attempts",
                    format!(
                        "{id} takes attempts from {lo} to {hi}, not {}",
                        attempts.value
                    ),
                ))
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
    if a.message.is_some() && a.lang.is_some() {
        return Err(Failure::usage(
            "--message and --lang both choose the text; give one",
        ));
    }
    let text = if let Some(m) = &a.message {
        m.clone()
    } else if let Some(lang) = &a.lang {
        match templates
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(lang.trim()))
        {
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
    if provider_of(p).ttl == TtlRule::ProviderChooses && text.contains("{{minutes}}") {
        return Err(Failure::usage(format!(
            "{} chooses its own expiry, so the message cannot say {{{{minutes}}}}",
            provider_of(p).id
        )));
    }
    // The app-hash and WebOTP lines go on every template that may be sent.
    let app_hash = match a.app_hash.as_deref().map(str::trim) {
        Some(h)
            if h.chars().count() != 11
                || !h
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/') =>
        {
            return Err(Failure::usage(format!(
                "--app-hash \"{h}\" is not an 11-character SMS Retriever hash"
            )))
        }
        h => h,
    };
    let webotp = match a.webotp_domain.as_deref().map(str::trim) {
        Some(d) if !is_host_name(d) => {
            return Err(Failure::usage(format!(
                "--webotp-domain \"{}\" is not a domain name",
                crate::redact::echo(d)
            ))
            .hint("give the bare host the page is served from, e.g. example.com"))
        }
        d => d,
    };
    let finish = |mut t: Template| {
        if let Some(h) = app_hash {
            t.push_line(h);
        }
        if let Some(d) = webotp {
            t.push_webotp_line(d);
        }
        t
    };
    let placeholder_hint = |e: crate::message::TemplateError| {
        let f = Failure::usage(e.0);
        match e.1 {
            Some(h) => f.hint(h),
            None => f,
        }
    };
    let t = finish(Template::parse(&text, minutes).map_err(placeholder_hint)?);
    // Per-language templates go to vendors that pick one by destination (smscx), but
    // only when the user chose neither a message nor a language: either choice is
    // the text to send, whatever the number.
    let mut langs = Vec::new();
    if a.message.is_none() && a.lang.is_none() {
        for (lang, text) in templates {
            let t = Template::parse(&text, minutes).map_err(|e| {
                Failure::usage(format!("templates.{lang} in {}: {}", p.label(), e.0))
            })?;
            langs.push((lang, finish(t)));
        }
    }
    Ok((t, langs))
}

/// The send's flags that are profile keys, as given: config lays them over the
/// profile and the environment and reads them as it reads those (the command line
/// already refused a malformed one).
fn send_flags(a: &SendArgs) -> Vec<(&'static str, String)> {
    let text = |g: &Option<crate::cli::Given<_>>| g.as_ref().map(|g| g.text.clone());
    [
        ("provider", a.provider.clone()),
        ("sender", a.sender.clone()),
        ("length", a.length.as_ref().map(|g| g.text.clone())),
        ("pin_type", a.pin_type.map(|t| t.as_str().to_string())),
        ("ttl", text(&a.ttl)),
        ("attempts", a.attempts.as_ref().map(|g| g.text.clone())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect()
}

/// `otp send` as a pipeline of values this function owns: options, then profile and
/// provider, then a checked draft (pure), then the plan (the request), then the same for
/// each fallback profile, then the cooldown slot (once for the chain), the delivery
/// through the first profile that can send, and the record of the one that did.
pub(super) fn send(g: &Global, out: &Printer, a: &SendArgs) -> u8 {
    let mut report = Report::new(Outcome::NotSent);
    report.test = Some(false);
    let sent = (|| -> Result<(), Failure> {
        let opts = options(g, a)?;
        let flags = send_flags(a);
        // With routes and no -p, the number chooses the profile (and its chain).
        let routed = route::for_send(g, &a.to)?;
        let routed_args;
        let a = match &routed {
            Some(r) => {
                routed_args = SendArgs {
                    to: r.to.clone(),
                    ..a.clone()
                };
                report.route = Some(r.key.clone());
                &routed_args
            }
            None => a,
        };
        let profile = load_profile(g, routed.as_ref().map(route::Routed::first), &flags)?;
        let info = provider_of(&profile);
        report.provider = Some(info.id.to_string());
        report.profile = profile.name.clone();
        report.verify_with = Some(info.verify.as_str());
        let draft = draft(&profile, info, a)?;
        report.to = Some(draft.to.e164());
        report.segments = Some(draft.segments.parts);
        report.encoding = Some(draft.segments.encoding.as_str());
        report.test = Some(draft.test.is_some());
        if draft.test.is_some() {
            report.verify_with = Some("local");
        }

        let now = store::now();
        let slot_wanted = draft.cooldown.filter(|_| !a.force);
        check_store(g, &profile, &draft, slot_wanted, a.dry_run, now);
        let provider = (info.build)(&profile)?;
        let plan = plan(provider.as_ref(), &draft, &opts.params, &stamp())?;
        let rest = routed.as_ref().map_or(&[][..], route::Routed::rest);
        let chain = fallback::profiles(g, &profile, rest, &a.fallback, &flags)?;
        let first = Step {
            profile,
            info,
            draft,
            provider,
            plan,
        };
        let steps = chain_steps(first, chain, a, &opts.params)?;
        warn_segments(out, &steps[0].draft.segments);
        if a.dry_run {
            report.outcome = Outcome::DryRun;
            let (request, text) = dry_run(&steps[0]);
            report.request = Some(request);
            if !out.json() {
                if let Some(r) = &routed {
                    out.owned_lines(&format!("# route {}: {}", r.key, r.chain.join(", ")));
                }
                out.owned_lines(&text);
            }
            return Ok(());
        }

        let done = deliver_chain(g, &steps, &opts, out, a.force, now);
        let s = done.step;
        report.tried = done.tried;
        report.provider = Some(s.info.id.to_string());
        report.profile = s.profile.name.clone();
        report.verify_with = Some(match s.draft.test {
            Some(_) => "local",
            None => s.info.verify.as_str(),
        });
        report.segments = Some(s.draft.segments.parts);
        report.encoding = Some(s.draft.segments.encoding.as_str());
        let (accepted, slot) = done.result?;
        if let Some(w) = &accepted.warning {
            output::warn(w);
        }
        let info = s.info;
        let expires = expiry(info, &s.draft, &accepted, now);
        report.outcome = Outcome::Accepted;
        report.id = Some(accepted.id.clone());
        report.message_id = accepted.message_id.clone();
        report.expires_at = expires.map(output::time);
        report.cost = accepted.cost.clone();

        // The record names the profile that accepted, so verify, status and cancel go to
        // that vendor. A failure here must not hide that the SMS went out: exit 6, naming
        // the id.
        let id = write_record(
            &slot,
            record_of(
                slot.store.key(),
                &s.profile,
                info,
                &s.draft,
                &accepted,
                expires,
                now,
            ),
        )?;
        report.id = Some(id);
        if !out.json() {
            print_receipt(out, &report, &s.draft.segments);
        }
        Ok(())
    })();
    match sent {
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

/// One profile of a send's chain, checked: its draft and the request it would make.
struct Step {
    profile: Profile,
    info: &'static Info,
    draft: Draft,
    provider: Box<dyn Provider>,
    plan: Plan,
}

/// The first step and one checked step per fallback profile, before anything leaves: a
/// value one of them cannot take stops the send here, naming that profile. Where otp
/// makes the PIN, every such profile carries the same one (one OTP, one PIN); vendors
/// that make their own PIN make their own.
fn chain_steps(
    first: Step,
    chain: Vec<Profile>,
    a: &SendArgs,
    params: &[(String, String)],
) -> Result<Vec<Step>, Failure> {
    let mut shared = first.draft.pin.clone();
    let mut steps = vec![first];
    for profile in chain {
        let info = provider_of(&profile);
        let name = profile.name.clone();
        let named = |f: Failure| fallback::in_fallback(f, name.as_deref(), Some(info.id));
        let given;
        let args = match (&shared, info.pin_by, &a.pin) {
            (Some(pin), PinBy::Tool, None) => {
                given = SendArgs {
                    pin: Some(pin.expose().to_string()),
                    ..a.clone()
                };
                &given
            }
            _ => a,
        };
        let draft = draft(&profile, info, args).map_err(|f| {
            let shared_pin = args.pin.is_some() && a.pin.is_none();
            match named(f) {
                f if shared_pin && f.hint.is_none() => f.hint(
                    "the chain sends one OTP, so profiles where otp makes the PIN must agree on its length and type",
                ),
                f => f,
            }
        })?;
        let provider = (info.build)(&profile).map_err(named)?;
        let plan = plan(provider.as_ref(), &draft, params, &stamp()).map_err(named)?;
        if shared.is_none() {
            shared = draft.pin.clone();
        }
        steps.push(Step {
            profile,
            info,
            draft,
            provider,
            plan,
        });
    }
    Ok(steps)
}

/// What a send's chain came to: the attempts before the last one (`tried`), the step
/// it ended on, and either the accepted send with its slot or the failure.
struct Delivered<'s> {
    tried: Vec<output::Tried>,
    step: &'s Step,
    result: Result<(Accepted, Slot), Failure>,
}

/// The steps tried in order until one is accepted. Each profile keeps its own rules:
/// its cooldown (unless `--force`) and send limits are asked of the store right before
/// the request it would make, and a profile whose rule holds is skipped (tried, kind
/// `cooldown`) with no request. After a step's failure the next one is tried only when
/// nothing was sent and the cause is the vendor's own (`fallback::falls_back`).
fn deliver_chain<'s>(
    g: &Global,
    steps: &'s [Step],
    opts: &Options,
    out: &Printer,
    force: bool,
    now: u64,
) -> Delivered<'s> {
    let mut tried = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let next = steps.get(i + 1);
        let cooldown = s.draft.cooldown.filter(|_| !force);
        let local = matches!(s.plan, Plan::Console(_));
        let attempt =
            reserve_slot(g, &s.profile, &s.draft, cooldown, now, local).and_then(|slot| {
                match deliver(
                    &s.plan,
                    s.provider.as_ref(),
                    &s.profile,
                    &s.draft,
                    opts,
                    out,
                ) {
                    Ok(accepted) => Ok((accepted, slot)),
                    Err(f) => {
                        // Nothing went out: the reservation is given back.
                        if matches!(f.outcome, Outcome::NotSent | Outcome::Rejected) {
                            release_slot(slot);
                        }
                        Err(f)
                    }
                }
            });
        let f = match attempt {
            Ok(done) => {
                return Delivered {
                    tried,
                    step: s,
                    result: Ok(done),
                }
            }
            Err(f) => f,
        };
        let skipped = f.kind == Kind::Cooldown;
        match next {
            Some(next) if skipped || fallback::falls_back(&f) => {
                if !out.json() {
                    output::warn(&format!(
                        "{} ({}): {}; trying {} ({})",
                        s.profile.label(),
                        s.info.id,
                        f.message,
                        next.profile.label(),
                        next.info.id
                    ));
                }
                tried.push(output::Tried {
                    profile: s.profile.name.clone(),
                    provider: s.info.id.to_string(),
                    outcome: f.outcome,
                    error: output::ErrorDoc::of(&f),
                });
            }
            _ => {
                return Delivered {
                    tried,
                    step: s,
                    result: Err(f),
                }
            }
        }
    }
    unreachable!("a chain has a first step, and its last step returns")
}

/// A next step for failures whose adapter gave none.
pub(super) fn with_hint(f: Failure, r: &Report) -> Failure {
    if f.hint.is_some() {
        return f;
    }
    let provider = r.provider.as_deref().unwrap_or("the provider");
    let profile = config::profile_label(r.profile.as_deref());
    let hint = match f.kind {
        Kind::Auth => format!("check the credentials of {profile} (`otp config show`)"),
        Kind::RateLimited => format!("{provider} is limiting requests: wait, then send again"),
        Kind::InsufficientFunds => format!("top up the {provider} account"),
        Kind::InvalidRequest if r.reason.is_some() => {
            "check the id and the profile with `otp config check`".into()
        }
        Kind::InvalidRequest => {
            "check the request with --dry-run and the profile with `otp config check`".into()
        }
        _ => return f,
    };
    f.hint(hint)
}

/// What the command line asks of a send beyond the profile, checked; no I/O.
#[derive(Debug)]
struct Options {
    timeout: Duration,
    /// How the user sets it (`--timeout` or `OTP_TIMEOUT`), for a timeout's message.
    timeout_name: String,
    retries: u32,
    params: Vec<(String, String)>,
}

fn options(g: &Global, a: &SendArgs) -> Result<Options, Failure> {
    // Typed by the command line (`cli::Param`): here only carried to the plan.
    let params = a
        .params
        .iter()
        .map(|p| (p.key.clone(), p.value.clone()))
        .collect();
    Ok(Options {
        timeout: timeout(g)?,
        timeout_name: super::source(g, "timeout"),
        retries: a.retries.unwrap_or(0),
        params,
    })
}

/// One OTP with every check that needs no I/O passed: what the provider gets.
#[derive(Debug)]
struct Draft {
    to: Phone,
    sender: Option<String>,
    channel: Channel,
    settings: Settings,
    template: Template,
    templates: Vec<(String, Template)>,
    /// The PIN, where otp makes it.
    pin: Option<Secret>,
    callback_url: Option<String>,
    /// Whether the user chose the text (flag, env, profile, --lang, a WebOTP line): a
    /// vendor that writes its own message (twilio, plivo) refuses it.
    message_chosen: bool,
    /// The Android SMS Retriever hash, for vendors that take it as a field.
    app_hash: Option<String>,
    /// Of the final text, the PIN length substituted.
    segments: message::Segments,
    cooldown: Option<Duration>,
    /// The profile's send limits: per number, per calling code.
    limits: (Option<Limit>, Option<Limit>),
    /// The fixed code, when the number is one of the profile's test numbers.
    test: Option<Secret>,
}

/// Recipient, channel, settings, templates, PIN and segments, checked. Pure but for the
/// CSPRNG that makes a PIN.
fn draft(profile: &Profile, info: &'static Info, a: &SendArgs) -> Result<Draft, Failure> {
    // What the provider declares required (termii's sender), as `config check` reads it.
    if let Some(f) = profile.missing_required().into_iter().next() {
        return Err(f);
    }
    let to = recipient(profile, &a.to)?;
    let channel = channel(info, a.channel)?;
    let s = settings(profile)?;
    if let Some(f) = message_refusals(profile, Some(a)).into_iter().next() {
        return Err(f);
    }
    if let Some(f) = sender_refusal(profile) {
        return Err(f);
    }
    let (template, templates) = template(profile, a, s.ttl.value)?;
    let limits = policy::limits(profile)?;
    let test = policy::test_code(profile, &to)?;
    // A test number's code is the PIN: its record is checked here, whatever the provider.
    let pin = match &test {
        Some(code) => Some(code.clone()),
        None => pin(info, &s, a.pin.as_deref())?,
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
    let sample_len = match (&pin, info.length) {
        (Some(p), _) => p.expose().chars().count(),
        (None, LengthRule::ProviderChooses(n)) => n,
        (None, _) => s.length.value,
    };
    let segments = message::segments(&template.render(&"0".repeat(sample_len)));
    Ok(Draft {
        to,
        sender: profile.str("sender").map(str::to_string),
        channel,
        settings: s,
        template,
        templates,
        pin,
        callback_url: a.callback_url.clone(),
        message_chosen: a.message.is_some()
            || a.lang.is_some()
            || profile.str("message").is_some()
            || a.webotp_domain.is_some(),
        app_hash: a.app_hash.as_deref().map(|h| h.trim().to_string()),
        segments,
        cooldown: profile.duration("cooldown")?,
        limits,
        test,
    })
}

/// The provider's request (or console delivery) for a draft, `--param` fields applied
/// last, then signed at `stamp` where the vendor signs requests. Pure.
fn plan(
    provider: &dyn Provider,
    d: &Draft,
    params: &[(String, String)],
    stamp: &Stamp,
) -> Result<Plan, Failure> {
    let s = &d.settings;
    let otp = Otp {
        to: d.to.clone(),
        sender: d.sender.clone(),
        template: d.template.clone(),
        templates: d.templates.clone(),
        channel: d.channel,
        length: s.length,
        pin_type: s.pin_type,
        ttl: s.ttl,
        attempts: s.attempts,
        pin: d.pin.clone(),
        callback_url: d.callback_url.clone(),
        message_chosen: d.message_chosen,
        app_hash: d.app_hash.clone(),
    };
    let mut plan = provider.send(&otp)?;
    if let Plan::Http(req) = &mut plan {
        // A field that carries the PIN otp made must keep it, or verify cannot check it.
        if let Some(pin) = &d.pin {
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
        req.apply_params(params);
        *req = provider.sign(req.clone(), stamp)?;
    }
    Ok(plan)
}

fn warn_segments(out: &Printer, seg: &message::Segments) {
    if seg.parts > 1 && !out.json() && !out.quiet {
        output::warn(&format!(
            "the message is {} {} characters, {} SMS parts; each part is billed",
            seg.units,
            seg.encoding.as_str(),
            seg.parts
        ));
    }
}

/// What `--dry-run` shows of a step: the JSON `request`, and the text. A test number's
/// send makes no request, so none is shown (`request: null` in JSON).
fn dry_run(step: &Step) -> (serde_json::Value, String) {
    if step.draft.test.is_some() {
        return (
            serde_json::Value::Null,
            format!(
                "dry run: {} is a test number; no request would be made",
                step.draft.to.e164()
            ),
        );
    }
    match &step.plan {
        Plan::Http(req) => (req.to_json(), req.render_text().trim_end().to_string()),
        Plan::Console(local) => local.dry_run(),
    }
}

fn cooling(profile: &Profile, to: &Phone, left: u64, cd: Duration) -> Failure {
    Failure::cooldown(
        format!(
            "{} was sent an OTP less than {} ago; wait {left}s (cooldown in {})",
            to.masked(),
            humantime::format_duration(cd),
            profile.label()
        ),
        left,
    )
    .hint("--force sends anyway")
}

/// What a send asks of the store's rules: the cooldown (unless forced) and the limits
/// (which `--force` does not lift).
fn slot_of(d: &Draft, cooldown: Option<Duration>, preview: bool) -> store::Slot {
    store::Slot {
        number: d.to.e164(),
        country: d.to.calling_code().to_string(),
        cooldown: cooldown.map(|c| c.as_secs()),
        number_limit: d.limits.0,
        country_limit: d.limits.1,
        preview,
        hold: false,
    }
}

/// A refused send: exit 3 with the wait until the next allowed one.
fn refused(profile: &Profile, d: &Draft, r: Refusal, cd: Option<Duration>) -> Failure {
    let limit = |l: Option<Limit>, what: &str| {
        let l = l.unwrap_or(Limit { max: 0, window: 0 });
        Failure::cooldown(
            format!(
                "the send limit of {} per {} for {what} is reached; the next send is allowed in {}",
                l.max,
                humantime::format_duration(Duration::from_secs(l.window)),
                humantime::format_duration(Duration::from_secs(r.wait))
            ),
            r.wait,
        )
        .hint(format!(
            "wait, or raise `limits` in {} (--force does not lift a limit)",
            profile.label()
        ))
    };
    match r.rule {
        Rule::Cooldown => cooling(profile, &d.to, r.wait, cd.unwrap_or_default()),
        Rule::NumberLimit => limit(d.limits.0, &d.to.masked()),
        Rule::CountryLimit => limit(
            d.limits.1,
            &format!("calling code +{}", d.to.calling_code()),
        ),
    }
}

/// A dry run says what the cooldown or a limit would do, counting nothing, and still
/// prints its preview: a warning, never a refusal. Opens the store only when the
/// profile has a rule to ask it about.
fn check_store(
    g: &Global,
    profile: &Profile,
    d: &Draft,
    cooldown: Option<Duration>,
    dry_run: bool,
    now: u64,
) {
    if !dry_run || (cooldown.is_none() && d.limits == (None, None)) {
        return;
    }
    let slot = slot_of(d, cooldown, true);
    // Read-only: a dry run creates, keys and prunes nothing (no store yet: no rule holds).
    let asked =
        policy::open_store_read(g).and_then(|st| st.map(|st| st.reserve(&slot, now)).transpose());
    match asked {
        Ok(None | Some(Ok(_))) => {}
        Ok(Some(Err(r))) => output::warn(&format!(
            "a real send now would be refused: {}",
            refused(profile, d, r, cooldown).message
        )),
        Err(f) => output::warn(&format!(
            "a real send now would fail before any request: {}",
            f.message
        )),
    }
}

/// The store and this send's reservation in it.
struct Slot {
    store: Box<dyn RecordStore>,
    ticket: Ticket,
}

/// Every send is reserved in the store before the request leaves, with or without a
/// cooldown or limit: other profiles' and machines' rules count the sends it records,
/// and parallel sends to one number cannot all pass. A store that cannot be reached is
/// exit 5, nothing sent.
fn reserve_slot(
    g: &Global,
    profile: &Profile,
    d: &Draft,
    cooldown: Option<Duration>,
    now: u64,
    local: bool,
) -> Result<Slot, Failure> {
    let store = open_store(g)?;
    // Delivered locally at once (the console, a test number): nothing leaves the
    // machine while the reservation waits, so it is committed with the record, one
    // durable commit per send. A send over the network commits its slot first, so that
    // other runs see it while the request is out.
    let slot = store::Slot {
        hold: d.test.is_some() || local,
        ..slot_of(d, cooldown, false)
    };
    match store.reserve(&slot, now)? {
        Ok(ticket) => Ok(Slot { store, ticket }),
        Err(r) => Err(refused(profile, d, r, cooldown)),
    }
}

/// Give back a reservation when the send certainly did not go out. Best effort: the
/// worst case is a cooldown that holds.
fn release_slot(slot: Slot) {
    let _ = slot.store.release(&slot.ticket);
}

/// The plan carried out: the console shows it, a vendor is asked over HTTP.
fn deliver(
    plan: &Plan,
    provider: &dyn Provider,
    profile: &Profile,
    d: &Draft,
    opts: &Options,
    out: &Printer,
) -> Result<Accepted, Failure> {
    let to = &d.to;
    if d.test.is_some() {
        // A test number: no request, no console delivery, nothing spent.
        return Ok(Accepted {
            id: message::new_id(),
            ..Accepted::default()
        });
    }
    match plan {
        Plan::Console(local) => Ok(local.deliver()),
        Plan::Http(req) => {
            let asked = (|| {
                let mut http = Http::new(
                    opts.timeout,
                    profile.ca_file().as_deref(),
                    super::notes(out.verbose),
                )?;
                http.limit_named(opts.timeout_name.clone());
                http.mask(to.digits().to_string(), to.masked_digits());
                http.on_reply(provider.reply_secrets());
                // Signed again as it leaves: a fallback step's plan was signed before the
                // steps ahead of it were tried, and a signature carries its time.
                let req = provider.sign(req.clone(), &stamp())?;
                let reply = super::progress::waiting(out, provider.info().id, || {
                    http.execute_retrying(&req, opts.retries)
                })?;
                provider.send_reply(&reply).and_then(printable_handle)
            })();
            asked.map_err(|f| super::mask_number_in(f.worded(Purpose::Send), to))
        }
    }
}

/// A vendor handle `verify --id` could not take back (control characters, escapes, bidi
/// overrides, white space, a dot segment) is a bad reply, exit 6: printing it cleaned
/// would give an id no command can find, printing it raw would let the vendor write to
/// the terminal. The SMS may have gone out, so the message says so.
fn printable_handle(acc: Accepted) -> Result<Accepted, Failure> {
    if crate::redact::is_printable_id(&acc.id) {
        return Ok(acc);
    }
    Err(Failure::unknown(
        Kind::BadResponse,
        format!(
            "the vendor accepted the send but returned an id otp cannot print or verify (\"{}\": \
             empty, too long, or with control, invisible or white-space characters)",
            crate::redact::echo(&acc.id)
        ),
    )
    .unsure()
    .hint("check the vendor's dashboard for this send; do not resend blindly"))
}

/// When the OTP expires: the vendor's word, else the TTL from `now` where otp or the
/// profile set it; unknown where the vendor picks and did not say.
/// `now` is the run's clock (`store::now`), the one the record's times are on.
fn expiry(info: &Info, d: &Draft, acc: &Accepted, now: u64) -> Option<SystemTime> {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now);
    acc.expires_at.or_else(|| match info.ttl {
        TtlRule::ProviderChooses if d.test.is_none() => None,
        _ => now.checked_add(d.settings.ttl.value),
    })
}

/// The local record of an accepted send. Pure.
fn record_of(
    key: &store::PinKey,
    profile: &Profile,
    info: &Info,
    d: &Draft,
    acc: &Accepted,
    expires: Option<SystemTime>,
    now: u64,
) -> Record {
    let expires_at = expires
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map(|d| d.as_secs());
    let mut rec = Record::new(
        acc.id.clone(),
        profile.name.clone(),
        info.id,
        d.to.e164(),
        now,
        expires_at,
        d.settings.attempts.value,
    );
    rec.test = d.test.is_some();
    let s = &d.settings;
    if let Some(p) = d.pin.as_ref().or(acc.pin.as_ref()) {
        let made_by = (d.pin.is_some()).then_some(s.pin_type.value);
        rec.set_pin(key, p, made_by);
    } else {
        // The vendor checks the code; its shape is known where the user set it (and so
        // it was sent), or where the vendor has one alphabet: a code of another shape is
        // refused here without spending an attempt (the README).
        let pin_type = Some(s.pin_type.value)
            .filter(|t| info.pin_types.contains(t))
            .filter(|_| s.pin_type.explicit || info.pin_types == [PinType::Numeric]);
        let len = Some(s.length.value)
            .filter(|_| s.length.explicit && matches!(info.length, LengthRule::Range(..)))
            .and_then(|n| u32::try_from(n).ok());
        match len {
            Some(n) => rec.set_shape(n, pin_type),
            None => rec.pin_type = pin_type,
        }
    }
    rec
}

/// The record of an accepted send, committed durably before the receipt is printed.
/// The SMS went out: a failure here is exit 6 and names the id. Returns the id to print:
/// the vendor's handle, or an id of otp's own when another number's live record already
/// holds that handle (with a warning naming the collision).
fn write_record(slot: &Slot, rec: Record) -> Result<String, Failure> {
    let id = slot.store.insert(&rec, rec.sent_at).map_err(|e| {
        Failure::unknown(
            Kind::Store,
            format!(
                "{} accepted the send as id {}, but the record store could not record it: {}",
                rec.provider, rec.id, e.message
            ),
        )
        .hint(format!(
            "the OTP went out but `otp verify --id {}` cannot check it: fix the store, then send a new one",
            rec.id
        ))
    })?;
    if id != rec.id {
        output::warn(&format!(
            "{} gave this send the id {}, which a pending OTP to another number already has; \
             this send is kept as id {id} (use that one to verify it)",
            rec.provider,
            crate::redact::echo(&rec.id)
        ));
    }
    Ok(id)
}

/// The number, checked, and the profile's country rules applied.
fn recipient(profile: &Profile, input: &str) -> Result<Phone, Failure> {
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
    let to = Phone::parse(input, country).map_err(|e| {
        let f = Failure::usage(format!("--to: {e}"));
        // A full international number typed without '+' reads as national here.
        let digits: String = input.chars().filter(char::is_ascii_digit).collect();
        match country.and_then(phone::calling_code_for) {
            Some(cc) if !input.trim_start().starts_with('+') && digits.starts_with(cc) => f.hint(
                format!("if it is already international, write it with '+': +{digits}"),
            ),
            _ => f,
        }
    })?;
    let allowed = profile.allowed_countries()?;
    if !allowed.is_empty() && !allowed.iter().any(|c| c == to.calling_code()) {
        return Err(Failure::config(format!(
            "{} allows numbers with calling codes {} only; {} has +{}",
            profile.label(),
            allowed.join(", "),
            to.masked(),
            to.calling_code()
        ))
        .hint("add the calling code to allowed_countries if this is intended"));
    }
    Ok(to)
}

/// `--channel`, which the provider must offer: never a silent fallback.
fn channel(info: &Info, flag: Option<Channel>) -> Result<Channel, Failure> {
    let channel = flag.unwrap_or(Channel::Sms);
    if !info.supports(channel) {
        let have: Vec<&str> = info.channels.iter().map(|c| c.as_str()).collect();
        return Err(Failure::usage(format!(
            "{} has no {} channel; it offers {}",
            info.id,
            channel.as_str(),
            have.join(", ")
        )));
    }
    Ok(channel)
}

/// The PIN where otp makes it: `--pin` checked against the settings, or a fresh one
/// from the CSPRNG. None where the vendor makes it.
fn pin(info: &Info, s: &Settings, flag: Option<&str>) -> Result<Option<Secret>, Failure> {
    let pin = match (info.pin_by, flag) {
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
            Some(Secret::pin(pin))
        }
        (PinBy::Tool, None) => Some(Secret::pin(message::generate_pin(
            s.length.value,
            s.pin_type.value,
        ))),
        (_, Some(_)) => {
            return Err(Failure::usage(format!(
                "--pin works only where otp makes the PIN ({}); {} makes its own",
                crate::providers::REGISTRY
                    .iter()
                    .filter(|i| i.pin_by == PinBy::Tool)
                    .map(|i| i.id)
                    .collect::<Vec<_>>()
                    .join(", "),
                info.id
            )))
        }
        _ => None,
    };
    Ok(pin)
}

/// A DNS host name as WebOTP's `@DOMAIN` takes it: labels of ASCII letters, digits and
/// hyphens (not at either end), up to 63 each and 253 in all (IDNs in their xn-- form).
fn is_host_name(d: &str) -> bool {
    !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The text-mode receipt: the id alone with `-q`, else a short block for people.
fn print_receipt(out: &Printer, r: &Report, seg: &message::Segments) {
    let id = r.id.as_deref().unwrap_or("");
    if out.quiet {
        out.owned_lines(id);
        return;
    }
    let mut lines = vec![
        format!(
            "{} by {}",
            out.good("accepted"),
            r.provider.as_deref().unwrap_or("")
        ),
        format!("id        {id}"),
        format!("to        {}", r.to.as_deref().unwrap_or("")),
    ];
    // With fallback: which vendors did not send it, and why.
    for t in &r.tried {
        lines.push(format!(
            "tried     {} ({}): {}",
            config::profile_label(t.profile.as_deref()),
            t.provider,
            t.error.message
        ));
    }
    if let Some(k) = &r.route {
        lines.push(format!("route     {k}"));
    }
    if let Some(m) = &r.message_id {
        lines.push(format!("message   {}", crate::redact::strip_controls(m)));
    }
    if let Some(e) = &r.expires_at {
        lines.push(format!("expires   {e}"));
    }
    lines.push(format!(
        "segments  {} ({})",
        seg.parts,
        seg.encoding.as_str()
    ));
    if let Some(c) = &r.cost {
        lines.push(format!(
            "cost      {}",
            crate::redact::vendor_text(&c.to_string())
        ));
    }
    if r.test == Some(true) {
        lines.push("test      a test number: no request was made".into());
    }
    lines.push(format!("verify    otp verify --id {id} --code CODE"));
    out.owned_lines(&lines.join("\n"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use crate::providers::{self, testing, Body};
    use clap::Parser;

    /// A fixed signing time and nonce: plans stay pure.
    fn unit_stamp() -> Stamp {
        Stamp {
            at: SystemTime::UNIX_EPOCH,
            nonce: "00000000-0000-4000-8000-000000000000".into(),
        }
    }

    fn args(extra: &[&str]) -> (Global, SendArgs) {
        let argv = ["otp", "send", "--to", "+2348012345678"];
        let cli = Cli::try_parse_from(argv.iter().chain(extra)).unwrap();
        match cli.command {
            Command::Send(a) => (cli.global, *a),
            _ => unreachable!("parsed a send"),
        }
    }

    fn console() -> (Profile, &'static Info) {
        let p = testing::profile("provider = \"console\"\n");
        let info = provider_of(&p);
        (p, info)
    }

    #[test]
    fn options_carry_typed_retries_and_params() {
        // The command line refuses --retries 11 and --param =x (see cli's tests).
        let (g, a) = args(&["--retries", "2", "--param", "a=b=c"]);
        let o = options(&g, &a).unwrap();
        assert_eq!((o.retries, o.params), (2, vec![("a".into(), "b=c".into())]));
    }

    #[test]
    fn a_console_draft_has_a_fresh_pin_and_its_segments() {
        let (p, info) = console();
        let (_, a) = args(&["--message", "code {{code}}"]);
        let d = draft(&p, info, &a).unwrap();
        let pin = d.pin.as_ref().expect("otp makes the console's PIN");
        assert_eq!(pin.expose().len(), 6);
        assert!(pin.expose().chars().all(|c| c.is_ascii_digit()));
        assert_eq!((d.segments.parts, d.channel), (1, Channel::Sms));
        assert!(!d.settings.length.explicit);
        let eight = testing::profile("provider = \"console\"\nlength = 8\n");
        let (_, a) = args(&["--pin", "123456"]);
        let f = draft(&eight, info, &a).unwrap_err();
        assert!(
            f.message.contains("PIN length is set to 8"),
            "{}",
            f.message
        );
        let (_, a) = args(&["--callback-url", "https://example.com/hook"]);
        let f = draft(&p, info, &a).unwrap_err();
        assert!(f.message.contains("no status webhook"), "{}", f.message);
    }

    #[test]
    fn a_param_may_not_replace_the_pin_otp_made() {
        let p = testing::profile(
            "provider = \"cinnox\"\napp_id = \"app-1\"\napp_token = \"tok-abcdef\"\nbase_url = \"https://example.com\"\nsender = \"Brand\"\n",
        );
        let info = provider_of(&p);
        assert_eq!(info.pin_by, PinBy::Tool, "cinnox: otp makes the PIN");
        let provider = (info.build)(&p).unwrap();
        let (_, a) = args(&["--pin", "246810"]);
        let d = draft(&p, info, &a).unwrap();
        let Plan::Http(req) = plan(provider.as_ref(), &d, &[], &unit_stamp()).unwrap() else {
            panic!("cinnox sends over HTTP");
        };
        let Body::Json(serde_json::Value::Object(body)) = &req.body else {
            panic!("cinnox sends JSON");
        };
        let field = body
            .keys()
            .find(|k| req.field_contains(k, "246810"))
            .expect("a field carries the PIN")
            .clone();
        let f = plan(provider.as_ref(), &d, &[(field, "1".into())], &unit_stamp()).unwrap_err();
        assert!(f.message.contains("would replace the PIN"), "{}", f.message);
        let Plan::Http(req) = plan(
            provider.as_ref(),
            &d,
            &[("extra".into(), "7".into())],
            &unit_stamp(),
        )
        .unwrap() else {
            panic!("cinnox sends over HTTP");
        };
        assert!(req.field_contains("extra", "7"));
    }

    #[test]
    fn the_record_keeps_the_pin_hashed_with_the_draft_s_attempts_and_expiry() {
        let (p, info) = console();
        let (_, a) = args(&["--pin", "135790"]);
        let d = draft(&p, info, &a).unwrap();
        let acc = Accepted {
            id: "id-1".into(),
            ..Accepted::default()
        };
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let expires = expiry(info, &d, &acc, 1_000_000);
        assert_eq!(expires, Some(start + Duration::from_secs(300)));
        let told = Accepted {
            expires_at: Some(start + Duration::from_secs(60)),
            ..Accepted::default()
        };
        assert_eq!(expiry(info, &d, &told, 1_000_000), told.expires_at);
        let key = store::PinKey::new(&[1u8; 32]);
        let rec = record_of(&key, &p, info, &d, &acc, expires, 1_000_000);
        assert_eq!(
            (rec.id.as_str(), rec.provider.as_str()),
            ("id-1", "console")
        );
        assert_eq!((rec.attempts_left, rec.expires_at), (3, Some(1_000_300)));
        assert_eq!(rec.to, "+2348012345678");
        let hash = rec.pin_hash.as_deref().expect("the PIN is kept hashed");
        assert!(!hash.contains("135790"));
        assert!(rec.pin_matches(&key, "135790") && !rec.test);
        assert!(providers::find(&rec.provider).is_some());
    }
}
