//! `otp providers` and `otp config`: what each provider takes, and the config file
//! created, located, shown and checked.

use super::problem::Problem;
use super::{load_profile, provider_of, setting_checks};
use crate::cli::{ConfigCommand, Global};
use crate::config::{self, ConfigFile, Profile, Source};
use crate::error::Failure;
use crate::message::Template;
use crate::output::{self, Printer};
use crate::phone::{self};
use crate::providers::{self, Info, LengthRule, PinBy, TtlRule, VerifyBy};

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
        "message" | "templates" => i.writes_message,
        "sender" => !i.takes_sender,
        _ => false,
    };
    let keys: Vec<serde_json::Value> = config::known_keys(&i.schema())
        .filter(|k| !chosen_by_vendor(k.name))
        .map(|k| {
            let required = k.required || (k.name == "base_url" && i.needs_base_url());
            serde_json::json!({
                "name": k.name, "secret": k.secret(), "required": required,
                "default": if k.name == "base_url" { i.default_base_url } else { k.default },
                "help": k.help,
                // Lists and tables too: `[..]` / `a,b` and `{ k = ".." }` (config::env_typed).
                "env": config::env_name(k.name),
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
        "decided_at": i.decided_at, "writes_message": i.writes_message,
        "takes_sender": i.takes_sender,
        "example": format!("[profiles.{}]\n{}", i.id, i.example),
    })
}

pub(super) fn list_providers(out: &Printer, name: Option<&str>) -> Result<u8, Failure> {
    let Some(name) = name else {
        if out.json() {
            out.json_value(&serde_json::Value::Array(
                providers::REGISTRY
                    .iter()
                    .map(|i| provider_json(i))
                    .collect(),
            ));
        } else {
            // The first column is as wide as the longest name (africastalking).
            let w = providers::REGISTRY
                .iter()
                .flat_map(|i| std::iter::once(i.id).chain(i.aliases.iter().copied()))
                .map(str::len)
                .max()
                .unwrap_or(8);
            let mut lines = vec![format!(
                "{:<w$} {:<19} {:<9} {}",
                "PROVIDER", "CHANNELS", "VERIFY", "ABOUT"
            )];
            for i in providers::REGISTRY {
                let ch: Vec<&str> = i.channels.iter().map(|c| c.as_str()).collect();
                lines.push(format!(
                    "{:<w$} {:<19} {:<9} {}",
                    i.id,
                    ch.join(","),
                    i.verify.as_str(),
                    i.about
                ));
                // An alias is a name of the vendor above, not a vendor of its own.
                for alias in i.aliases {
                    lines.push(format!("{alias:<w$} (alias of {})", i.id));
                }
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
        let shown = crate::redact::vendor_text(name);
        let names = providers::REGISTRY
            .iter()
            .flat_map(|i| std::iter::once(i.id).chain(i.aliases.iter().copied()));
        let message = match super::close_match(name, names) {
            Some(near) => format!("unknown provider \"{shown}\"; did you mean \"{near}\"?"),
            None => format!("unknown provider \"{shown}\""),
        };
        Failure::usage(message).hint(format!("providers: {}", providers::ids().join(", ")))
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

pub(super) fn config_cmd(g: &Global, out: &Printer, c: &ConfigCommand) -> Result<u8, Failure> {
    match c {
        ConfigCommand::Path => {
            let (path, _) = config::locate(g.config.as_deref());
            let path = path.ok_or_else(|| {
                Failure::config("no config path: HOME is not set").hint("pass --config PATH")
            })?;
            if out.json() {
                out.json_value(&serde_json::json!({
                    "path": path.display().to_string(),
                    "exists": path.exists(),
                }));
            } else {
                out.line(&path.display().to_string());
            }
            Ok(0)
        }
        ConfigCommand::Init { provider } => {
            if super::init::init(g, out, provider.as_deref())? {
                config_check(g, out, true)
            } else {
                Ok(0)
            }
        }
        ConfigCommand::Show => {
            let file = ConfigFile::load(g.config.as_deref())?;
            let routes = match file.routes_value()? {
                Some(e) => Some((super::route::Routes::parse(&e.value).0, e.source)),
                None => None,
            };
            // A file of routes may have no default profile: the table alone is shown.
            let p = match (load_profile(g, None, &[]), &routes) {
                (Ok(p), _) => p,
                (Err(_), Some((r, source))) if g.profile.is_none() => {
                    let (lines, json) = super::route::show(r);
                    if out.json() {
                        out.json_value(&serde_json::json!({
                            "config": file.path.as_ref().map(|p| p.display().to_string()),
                            "profile": null, "provider": null, "values": {},
                            "routes": {"value": json, "source": source},
                        }));
                    } else {
                        out.line(&format!(
                            "routes ({}; no default profile)\n  {}",
                            source.as_str(),
                            lines.join("\n  ")
                        ));
                    }
                    return Ok(0);
                }
                (Err(f), _) => return Err(f),
            };
            let mut rows = Vec::new();
            for k in config::known_keys(&p.schema) {
                let (value, source, origin) = match p.entry(k.name) {
                    Some(e) => (
                        show_value(k.secret(), &e.value, e.source),
                        e.source,
                        e.origin.clone(),
                    ),
                    None => match (k.name, k.default, p.schema.default_base_url) {
                        ("base_url", _, Some(d)) => (d.to_string(), Source::Default, None),
                        (_, Some(d), _) => (d.to_string(), Source::Default, None),
                        _ => continue,
                    },
                };
                // A password in a URL is refused at use; it is not shown here either.
                let value = match reqwest::Url::parse(&value) {
                    Ok(mut u) if k.name == "base_url" && u.password().is_some() => {
                        let _ = u.set_password(Some(crate::redact::MASK));
                        u.to_string()
                    }
                    _ => value,
                };
                // Test numbers are listed, their codes masked.
                let value = match (k.name, super::policy::shown_test_numbers(&p)) {
                    ("test_numbers", Some(numbers)) => numbers
                        .iter()
                        .map(|n| format!("\"{n}\" = \"{}\"", crate::redact::MASK))
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => value,
                };
                rows.push((k.name, value, source, origin));
            }
            let (store_kind, store_place, store_source) = super::policy::describe_store(&file)?;
            let shown_routes = routes.as_ref().map(|(r, s)| (super::route::show(r), *s));
            if out.json() {
                let mut m = serde_json::Map::new();
                for (k, v, s, origin) in &rows {
                    let mut entry =
                        serde_json::json!({"value": typed_value(&p, k, v), "source": s});
                    // A standard stand-in (AWS_REGION, ~/.aws/credentials) says which.
                    if let Some(o) = origin {
                        entry["origin"] = serde_json::Value::from(o.as_str());
                    }
                    m.insert(k.to_string(), entry);
                }
                out.json_value(&serde_json::json!({
                    "config": p.dir.as_ref().and(config::locate(g.config.as_deref()).0).map(|p| p.display().to_string()),
                    "profile": p.name, "provider": p.schema.id, "values": m,
                    "store": {"kind": store_kind, "location": store_place, "source": store_source},
                    "routes": shown_routes.map(|((_, json), source)| serde_json::json!({"value": json, "source": source})),
                }));
            } else {
                let mut s = format!("{} ({})\n", p.label(), p.schema.id);
                for (k, v, src, origin) in rows {
                    let from = match origin {
                        Some(o) => format!("{}: {o}", src.as_str()),
                        None => src.as_str().to_string(),
                    };
                    s.push_str(&format!("{k:<18} = {v:<40} # {from}\n"));
                }
                s.push_str(&format!(
                    "{:<18} = {:<40} # {}\n",
                    format!("store ({store_kind})"),
                    store_place,
                    store_source.as_str()
                ));
                if let Some(((lines, _), source)) = shown_routes {
                    s.push_str(&format!("routes ({})\n", source.as_str()));
                    for l in lines {
                        s.push_str(&format!("  {l}\n"));
                    }
                }
                out.line(s.trim_end());
            }
            Ok(0)
        }
        ConfigCommand::Check { online } => config_check(g, out, *online),
    }
}

/// A `config show` value as JSON of its key's type (6, true, ["234"]), secrets as shown.
fn typed_value(p: &Profile, key: &str, shown: &str) -> serde_json::Value {
    use crate::providers::KeyType;
    let ty = config::known_keys(&p.schema)
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
        Some(KeyType::Table) if key == "test_numbers" => super::policy::shown_test_numbers(p)
            .unwrap_or_default()
            .into_iter()
            .map(|n| (n, serde_json::Value::from(crate::redact::MASK)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Some(KeyType::Table) if key == "limits" => match p.entry(key).map(|e| &e.value) {
            Some(toml::Value::Table(t)) => t
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().into()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            _ => shown.into(),
        },
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
            // A reference to nothing is worth saying before `send` trips on it.
            let unset = match t.get("env") {
                Some(toml::Value::String(var)) => {
                    std::env::var_os(var).is_none_or(|v| v.is_empty())
                }
                _ => false,
            };
            format!("{{ {k} = {v} }}{}", if unset { " (unset)" } else { "" })
        }
        _ if secret => crate::redact::MASK.to_string(),
        toml::Value::String(s) if source != Source::File => s.clone(),
        other => other.to_string().trim_matches('"').to_string(),
    }
}

/// Every problem in the file, offline: syntax, keys, types, credentials present,
/// ranges, base URLs, permissions. Each profile is checked on its own; `--online` then
/// proves each profile's credentials (`online.rs`).
fn config_check(g: &Global, out: &Printer, online: bool) -> Result<u8, Failure> {
    let file = match ConfigFile::load_lenient(g.config.as_deref()) {
        Ok(f) => f,
        // A file that cannot be read at all is still one document in JSON: its problem,
        // no profiles, and the store unknown.
        Err(f) if out.json() && f.kind == crate::error::Kind::Config => {
            output::error(&f, false);
            let (path, _) = config::locate(g.config.as_deref());
            out.json_value(&serde_json::json!({
                "ok": false,
                "path": path.map(|p| p.display().to_string()),
                "problems": [Problem::of(None, &f).to_json()],
                "profiles": [],
                "store": {"ok": null, "kind": null, "location": null, "error": null},
            }));
            return Ok(3);
        }
        Err(f) => return Err(f),
    };
    super::warn_unknown_env(&file);
    let Some(path) = file.path.clone().filter(|_| file.exists) else {
        // No file: a CI job may run on OTP_* variables alone. They are checked as the
        // one profile `send` would build from them, required keys included, but only
        // when they name a provider: else the console default would pass a check that
        // proves nothing.
        if std::env::var_os(config::env_name("provider")).is_none() {
            return Err(Failure::config("no config file to check").hint(
                "create one with `otp config init`, or set OTP_PROVIDER and the credential variables (OTP_API_KEY, ...)",
            ));
        }
        let mut problems = Problem::texts(None, super::policy::store_problems(&file));
        match Profile::resolve(&file, None, &[], &providers::schemas()) {
            Ok(p) => problems.extend(profile_problems(&p)),
            Err(f) => problems.push(Problem::of(None, &f)),
        }
        problems.dedup();
        if online {
            return super::online::check(g, out, &file, None, problems);
        }
        return Ok(print_check(g, out, &file, None, &problems));
    };
    let mut problems = file_problems(&file);
    problems.extend(Problem::texts(None, super::policy::store_problems(&file)));
    for name in file.profiles.keys() {
        if let Some(p) = checked_profile(&file, name, &mut problems) {
            // A key whose value was already refused is not then "missing" as well.
            let refused: Vec<Option<String>> = problems
                .iter()
                .filter(|q| q.profile.as_deref() == Some(name.as_str()) && q.key.is_some())
                .map(|q| q.key.clone())
                .collect();
            problems.extend(
                profile_problems(&p)
                    .into_iter()
                    .filter(|q| q.key.is_none() || !refused.contains(&q.key)),
            );
        }
    }
    problems.dedup();
    if online {
        return super::online::check(g, out, &file, Some(&path), problems);
    }
    Ok(print_check(g, out, &file, Some(&path), &problems))
}

/// Problems of the file as a whole: unknown top-level keys, a default_profile that
/// names no profile.
fn file_problems(file: &ConfigFile) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !file.unknown_top.is_empty() {
        let mut p = Problem::of(None, &file.unknown_top_failure());
        p.key = file.unknown_top.first().cloned();
        problems.push(p);
    }
    if let Some(d) = file.default_profile.as_deref() {
        if !file.profiles.contains_key(d) {
            problems.push(Problem::text(
                None,
                format!("default_profile is \"{d}\", but there is no [profiles.{d}]"),
            ));
        }
    }
    problems.extend(
        super::route::problems(file)
            .into_iter()
            .map(|m| Problem::text(None, m).key("routes")),
    );
    // A fallback list naming no profile would stop every send of that profile.
    let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
    for (name, table) in &file.profiles {
        let own: Vec<String> = match table.get("fallback").and_then(|v| v.as_array()) {
            Some(a) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            None => continue,
        };
        if let Err(f) = super::fallback::chain(Some(name), &own, &[], &known) {
            let mut p = Problem::of(Some(name), &f);
            p.key = Some("fallback".into());
            problems.push(p);
        }
    }
    problems
}

/// Profile `name` resolved from the file alone, after every unknown key and badly typed
/// value is listed in `problems` and left out, so the rest can still be checked. None
/// when it cannot be resolved (that problem listed too).
fn checked_profile(file: &ConfigFile, name: &str, problems: &mut Vec<Problem>) -> Option<Profile> {
    let mut table = file.profiles.get(name).cloned().unwrap_or_default();
    match table
        .get("provider")
        .and_then(|v| v.as_str())
        .and_then(providers::find)
    {
        Some(info) => problems.extend(key_problems(&info.schema(), name, &mut table)),
        // With no known provider, a key no provider takes is still a problem of its own.
        None => problems.extend(keys_no_provider_takes(name, &table)),
    }
    let clean = ConfigFile {
        path: file.path.clone(),
        exists: true,
        default_profile: None,
        profiles: [(name.to_string(), table)].into_iter().collect(),
        ..ConfigFile::default()
    };
    match Profile::resolve_file(&clean, Some(name), &providers::schemas()) {
        Ok(p) => Some(p),
        Err(f) => {
            problems.push(Problem::of(Some(name), &f));
            None
        }
    }
}

/// The keys of a profile whose provider is unknown (or unset) that no provider takes.
fn keys_no_provider_takes(name: &str, table: &toml::Table) -> Vec<Problem> {
    let schemas = providers::schemas();
    let all = || {
        config::COMMON_KEYS
            .iter()
            .chain(schemas.iter().flat_map(|s| s.keys.iter()))
            .map(|k| k.name)
    };
    table
        .keys()
        .filter(|k| !all().any(|n| n == k.as_str()))
        .map(|key| {
            let label = config::profile_label(Some(name));
            let mut p = match config::misplaced_top_key(key, &label) {
                Some(f) => Problem::of(Some(name), &f),
                None => Problem::text(
                    Some(name),
                    format!(
                        "unknown key `{key}` in {label}; the nearest valid key is `{}`",
                        config::nearest(key, all())
                    ),
                ),
            };
            p.key = Some(key.clone());
            p
        })
        .collect()
}

/// Every unknown key and every badly typed value of a profile's table, each on its own
/// line, removed from the table.
fn key_problems(schema: &config::Schema, name: &str, table: &mut toml::Table) -> Vec<Problem> {
    let mut problems = Vec::new();
    let label = config::profile_label(Some(name));
    let unknown: Vec<String> = table
        .keys()
        .filter(|k| !config::known_keys(schema).any(|kk| kk.name == k.as_str()))
        .cloned()
        .collect();
    for key in unknown {
        let mut p = match config::misplaced_top_key(&key, &label) {
            Some(f) => Problem::of(Some(name), &f),
            None => Problem::text(
                Some(name),
                format!(
                    "unknown key `{key}` in {label}; the nearest valid key is `{}`",
                    config::nearest(&key, config::known_keys(schema).map(|k| k.name))
                ),
            ),
        };
        p.key = Some(key.clone());
        problems.push(p);
        table.remove(&key);
    }
    let bad: Vec<(String, Failure)> = table
        .iter()
        .filter_map(|(k, v)| {
            let key = config::known_keys(schema).find(|kk| kk.name == k.as_str())?;
            config::check_type(key, v, &label)
                .err()
                .map(|f| (k.clone(), f))
        })
        .collect();
    for (key, f) in bad {
        let mut p = Problem::of(Some(name), &f);
        p.key = Some(key.clone());
        problems.push(p);
        table.remove(&key);
    }
    problems
}

/// The checks of a resolved profile: credentials, base URL, the adapter's own checks,
/// settings, countries, templates, cooldown and ca_file.
fn profile_problems(p: &Profile) -> Vec<Problem> {
    let name = p.name.as_deref();
    let mut problems = credential_problems(p);
    let info = provider_of(p);
    let label = p.label();
    // A vendor with a regional endpoint (aws, sns) needs no base_url; one that is set
    // is checked all the same.
    if info.sends_over_http() && (info.needs_base_url() || p.str("base_url").is_some()) {
        if let Err(f) = p.base_url() {
            problems.push(Problem::of(name, &f).key("base_url"));
        }
    }
    // The adapter's own checks (a credential that is one of two keys, a vendor setting
    // such as termii's route). Building resolves secrets, so a profile with a
    // `{ command }` secret is skipped: commands are not run offline.
    if !runs_command(p) {
        if let Err(f) = (info.build)(p) {
            if !problems.iter().any(|q| q.message == f.message) {
                problems.push(Problem::of(name, &f));
            }
        }
    }
    // The same failures, in the same words, that `send` stops on.
    problems.extend(setting_checks(p).iter().map(|f| Problem::of(name, f)));
    if let Some(c) = p.str("default_country") {
        if phone::calling_code_for(c).is_none() {
            problems.push(Problem::text(
                name,
                format!("default_country \"{c}\" in {label} is not an ISO 3166 alpha-2 code"),
            ));
        }
    }
    if let Err(f) = p.allowed_countries() {
        problems.push(Problem::of(name, &f).key("allowed_countries"));
    }
    problems.extend(placeholder_problems(p));
    problems.extend(template_problems(p));
    problems.extend(Problem::texts(name, super::policy::policy_problems(p)));
    if let Err(f) = p.duration("cooldown") {
        problems.push(Problem::of(name, &f).key("cooldown"));
    }
    // The profile's own ca_file (SSL_CERT_FILE is the environment's business).
    if let Some(path) = p.str("ca_file").and(p.ca_file()) {
        if let Err(e) = std::fs::File::open(&path) {
            problems.push(Problem::text(
                name,
                format!("ca_file {} in {label} cannot be read: {e}", path.display()),
            ));
        }
    }
    problems
}

/// Required keys that are missing, and `{ env }` / `{ file }` secrets that cannot be
/// read (commands are not run offline).
fn credential_problems(p: &Profile) -> Vec<Problem> {
    let name = p.name.as_deref();
    // The same declaration `send` refuses on (a required sender, say).
    let mut problems: Vec<Problem> = p
        .missing_required()
        .iter()
        .map(|f| Problem::of(name, f))
        .collect();
    for k in config::known_keys(&p.schema).filter(|k| k.secret()) {
        if let Some(toml::Value::Table(t)) = p.entry(k.name).map(|e| &e.value) {
            if !t.contains_key("command") {
                if let Err(f) = p.secret(k.name) {
                    problems.push(Problem::of(name, &f).key(k.name));
                }
            }
        }
    }
    problems
}

/// Values copied from a starter file's example that were never filled in: a profile
/// that passes `check` must be usable. A placeholder is a host under `example.`
/// (`https://example.cinnox.com`) or one of the reserved example domains (RFC 2606), a
/// value that says `your-...` / `...`, or an id padded with a run of sixteen `0` or `X`
/// (`AC000…`, `MAXXX…`): real ids are random, so such a run is all but impossible.
fn placeholder_problems(p: &Profile) -> Vec<Problem> {
    let label = p.label();
    config::known_keys(&p.schema)
        .filter(|k| !k.secret() && k.ty == config::KeyType::Str)
        .filter_map(|k| {
            let e = p.entry(k.name)?;
            let v = e.value.as_str()?.trim();
            is_placeholder(v).then(|| Problem {
                profile: p.name.clone(),
                key: Some(k.name.to_string()),
                message: format!(
                    "{} in {label} is still the starter file's placeholder \"{}\"",
                    k.name,
                    crate::redact::strip_controls(v),
                ),
                hint: Some(format!(
                    "replace it with your own value; `otp providers {}` says what it is",
                    p.schema.id
                )),
            })
        })
        .collect()
}

pub(crate) fn is_placeholder(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("your-")
        || lower.starts_with("your_")
        || lower.contains("...")
        || lower.contains(&"0".repeat(16))
        || lower.contains(&"x".repeat(16))
    {
        return true;
    }
    let Ok(url) = reqwest::Url::parse(v) else {
        return false;
    };
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let reserved = ["example.com", "example.net", "example.org"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    host.starts_with("example.") || host.ends_with(".example") || reserved
}

/// Whether a secret of the profile comes from `{ command }`.
fn runs_command(p: &Profile) -> bool {
    config::known_keys(&p.schema).any(|k| {
        k.secret()
            && matches!(p.entry(k.name).map(|e| &e.value),
                Some(toml::Value::Table(t)) if t.contains_key("command"))
    })
}

fn template_problems(p: &Profile) -> Vec<Problem> {
    let label = p.label();
    let name = p.name.as_deref();
    let mut problems = Vec::new();
    if let Some(m) = p.str("message") {
        if let Err(e) = Template::parse(m, 1) {
            problems
                .push(Problem::text(name, format!("message in {label}: {}", e.0)).key("message"));
        }
    }
    for (lang, t) in p.templates() {
        if let Err(e) = Template::parse(&t, 1) {
            problems.push(
                Problem::text(name, format!("templates.{lang} in {label}: {}", e.0))
                    .key("templates"),
            );
        }
    }
    problems
}

/// The verdict: the problems on stderr (or in the JSON document, with each profile and
/// the store as `--online` lists them, their online fields null), exit 3 when any.
fn print_check(
    g: &Global,
    out: &Printer,
    file: &ConfigFile,
    path: Option<&std::path::Path>,
    problems: &[Problem],
) -> u8 {
    if out.json() {
        out.json_value(&super::online::offline_document(g, file, path, problems));
    } else if problems.is_empty() {
        let profiles = if path.is_some() {
            file.profiles.len()
        } else {
            1
        };
        out.line(&format!(
            "{}: {profiles} profile(s), no problems",
            match path {
                Some(p) => p.display().to_string(),
                None => "the OTP_* environment (no config file)".to_string(),
            },
        ));
    } else {
        for p in problems {
            output::error(&p.failure(), false);
        }
    }
    if problems.is_empty() {
        0
    } else {
        3
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn file(text: &str) -> ConfigFile {
        ConfigFile::parse(text, Path::new("/x/config.toml")).unwrap()
    }

    #[test]
    fn file_problems_name_unknown_top_keys_and_a_missing_default() {
        let f =
            file("defualt = 1\ndefault_profile = \"b\"\n[profiles.a]\nprovider = \"console\"\n");
        let problems = file_problems(&f);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[1].message.contains("no [profiles.b]"));
        assert_eq!(problems[1].key.as_deref(), Some("default_profile"));
    }

    #[test]
    fn bad_keys_are_listed_and_left_out_so_the_rest_is_checked() {
        let f = file(
            "[profiles.a]\nprovider = \"console\"\nlenght = 6\nattempts = \"x\"\nttl = \"20m\"\n",
        );
        let mut problems = Vec::new();
        let p = checked_profile(&f, "a", &mut problems).expect("resolves without the bad keys");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].message.contains("`lenght`") && problems[0].message.contains("`length`")
        );
        assert_eq!(problems[1].key.as_deref(), Some("attempts"));
        assert_eq!(problems[1].profile.as_deref(), Some("a"));
        let rest = profile_problems(&p);
        assert!(
            rest.iter().any(|m| m.message.contains("above max_ttl")),
            "{rest:?}"
        );
    }
}
