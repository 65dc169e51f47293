//! `config check --online`: after the offline checks, each profile's cost-free vendor call
//! (a balance, account or service lookup; never a send) proves its credentials, and the
//! record store is opened and written once. One line per profile, or one JSON document.

use super::problem::Problem;
use super::timeout;
use crate::cli::Global;
use crate::config::{self, ConfigFile, Profile};
use crate::error::{Failure, Kind, Purpose};
use crate::http::Http;
use crate::output::{self, ErrorDoc, Printer};
use crate::providers::{self, Balance};
use crate::redact;
use serde_json::{json, Value};
use std::path::Path;

/// What one profile's online check found.
struct ProfileCheck {
    name: Option<String>,
    provider: Option<String>,
    /// An offline problem names this profile.
    offline_ok: bool,
    online: Online,
}

enum Online {
    Ok(Balance),
    /// The vendor has no cost-free call (reported, not a failure).
    NotAvailable,
    Failed(Failure),
    /// Not asked: `config check` without `--online` (every online field null).
    Offline,
}

impl ProfileCheck {
    fn ok(&self) -> bool {
        self.offline_ok && !matches!(self.online, Online::Failed(_))
    }
}

/// What the record store check found. `kind` is "embedded" or "shared" (the README).
pub(super) struct StoreCheck {
    pub kind: &'static str,
    pub location: Option<String>,
    pub error: Option<Failure>,
}

/// Whether the record store the config names can be reached and written: opened (key
/// checked, old records imported) and written once (the README).
pub(super) fn store_check(file: &ConfigFile) -> StoreCheck {
    let (kind, location) = match super::policy::describe_store(file) {
        Ok((kind, place, _)) => (kind, Some(place)),
        Err(_) => ("embedded", None),
    };
    let result = super::policy::store_spec(file)
        .and_then(|spec| crate::store::check(&spec, crate::store::now()));
    StoreCheck {
        kind,
        location: result.as_ref().ok().cloned().or(location),
        error: result.err().map(|f| {
            if f.kind != Kind::Store {
                return f;
            }
            let mut f = f;
            f.message = format!("the record store cannot be used: {}", f.message);
            f.hint("sends would fail before any request (exit 5): start or reach the store, or fix the folder's permissions or free space")
        }),
    }
}

/// Run the online part and print everything. `path` is the config file (None when
/// there is none and the environment alone names the provider); `problems` are the
/// offline checks' findings, which make the exit code 3 whatever the vendors say.
pub(super) fn check(
    g: &Global,
    out: &Printer,
    file: &ConfigFile,
    path: Option<&Path>,
    problems: Vec<Problem>,
) -> Result<u8, Failure> {
    let timeout = timeout(g)?;
    let names: Vec<Option<String>> = match (g.profile.as_deref(), path) {
        (Some(_), _) => vec![file.select(g.profile.as_deref())?],
        (None, Some(_)) => file.profiles.keys().cloned().map(Some).collect(),
        // No file: a CI job may run on OTP_* variables alone, but only when they name a
        // provider; else the console default would pass a check that proves nothing.
        (None, None) if std::env::var_os(config::env_name("provider")).is_some() => vec![None],
        (None, None) => {
            return Err(Failure::config("no config file to check").hint(
                "create one with `otp config init`, or set OTP_PROVIDER and the credential variables (OTP_API_KEY, ...)",
            ))
        }
    };
    let checks: Vec<ProfileCheck> = names
        .iter()
        .map(|name| check_profile(file, name.as_deref(), &problems, timeout, out.verbose))
        .collect();
    let store = store_check(file);

    let failures = checks
        .iter()
        .filter_map(|c| match &c.online {
            Online::Failed(f) => Some(f),
            _ => None,
        })
        .chain(store.error.as_ref());
    let code = exit_code(!problems.is_empty(), failures.map(Failure::exit_code));

    for c in &checks {
        if let Online::Ok(b) = &c.online {
            if b.amount.is_some_and(|a| a <= 0.0) {
                output::warn(&format!(
                    "{} ({}): the balance is {}; sends will be refused until it is topped up",
                    config::profile_label(c.name.as_deref()),
                    c.provider.as_deref().unwrap_or("?"),
                    money(b)
                ));
            }
        }
    }
    if out.json() {
        out.json_value(&document(path, &problems, &checks, &store, code == 0));
    } else {
        for p in &problems {
            output::error(&p.failure(), false);
        }
        print_text(out, &checks, &store);
    }
    // What failed, with its hint (and with --verbose the reply), on stderr as always.
    for c in &checks {
        match &c.online {
            // Text mode listed this profile's offline problems already.
            Online::Failed(f) if f.kind == Kind::Config && !c.offline_ok && !out.json() => {}
            Online::Failed(f) => output::error(&labelled(c, f), out.verbose),
            _ => {}
        }
    }
    if let Some(f) = &store.error {
        output::error(f, out.verbose);
    }
    Ok(code)
}

/// The README: 3 for offline problems, 4 when a vendor refused, 5 or 6 for transport. When
/// several apply, the most definite next step wins: fix the file (3), then the
/// credentials (4); a reply that may have said anything (6) ranks above a request that
/// never left (5). Anything else (a usage error, 2) keeps its own code.
fn exit_code(offline_problems: bool, codes: impl Iterator<Item = u8>) -> u8 {
    const ORDER: [u8; 5] = [3, 2, 4, 6, 5];
    let mut codes: Vec<u8> = codes.collect();
    if offline_problems {
        codes.push(3);
    }
    ORDER
        .iter()
        .copied()
        .find(|c| codes.contains(c))
        .or_else(|| codes.iter().copied().max())
        .unwrap_or(0)
}

fn check_profile(
    file: &ConfigFile,
    name: Option<&str>,
    problems: &[Problem],
    timeout: std::time::Duration,
    verbose: bool,
) -> ProfileCheck {
    let mut check = offline_check(file, name, problems);
    check.online = Online::NotAvailable;
    // Resolved as a send would resolve it (env over file), so the check proves what a
    // send with this profile would use.
    let profile = match Profile::resolve(file, name, &[], &providers::schemas()) {
        Ok(p) => p,
        Err(f) => {
            check.online = Online::Failed(f);
            return check;
        }
    };
    check.provider = Some(profile.schema.id.to_string());
    check.online = match online(&profile, timeout, verbose) {
        Ok(Some(b)) => Online::Ok(b),
        Ok(None) => Online::NotAvailable,
        Err(f) => Online::Failed(f),
    };
    check
}

/// The vendor's cost-free call, once, with no retry. None when the vendor has none.
fn online(
    profile: &Profile,
    timeout: std::time::Duration,
    verbose: bool,
) -> Result<Option<Balance>, Failure> {
    let provider = (super::provider_of(profile).build)(profile)?;
    let Some(req) = provider.balance() else {
        return Ok(None);
    };
    let mut client = Http::new(timeout, profile.ca_file().as_deref(), super::notes(verbose))?;
    client.on_reply(provider.reply_secrets());
    let req = provider.sign(req, &super::stamp())?;
    let reply = client.execute(&req).map_err(|f| f.worded(Purpose::Check))?;
    provider
        .balance_reply(&reply)
        .map_err(|f| f.worded(Purpose::Check))
        .map(Some)
        .map_err(|f| match f.kind {
            Kind::Auth if f.hint.is_none() => {
                let hint = format!(
                    "check the credentials in {}: {}",
                    profile.label(),
                    profile.schema.credentials_hint
                );
                f.hint(hint)
            }
            _ => f,
        })
}

/// A failure with the profile it is about, for stderr.
fn labelled(c: &ProfileCheck, f: &Failure) -> Failure {
    let mut f = f.clone();
    f.message = format!(
        "{}: {}",
        config::profile_label(c.name.as_deref()),
        f.message
    );
    f
}

/// "1234.5 NGN", "798.634", or "" when the vendor named no amount.
fn money(b: &Balance) -> String {
    match (b.amount, &b.currency) {
        (Some(a), Some(c)) => format!("{a} {c}"),
        (Some(a), None) => a.to_string(),
        _ => String::new(),
    }
}

fn print_text(out: &Printer, checks: &[ProfileCheck], store: &StoreCheck) {
    let width = checks
        .iter()
        .map(|c| c.name.as_deref().unwrap_or("(env)").chars().count())
        .chain(std::iter::once("store".len()))
        .max()
        .unwrap_or(5);
    for c in checks {
        let name = redact::strip_controls(c.name.as_deref().unwrap_or("(env)"));
        let provider = c
            .provider
            .as_deref()
            .map(redact::vendor_text)
            .unwrap_or_default();
        let status = match &c.online {
            Online::Ok(b) => {
                let mut s = out.good("ok");
                let m = money(b);
                if !m.is_empty() {
                    s.push_str(&format!("  balance {m}"));
                }
                if let Some(n) = &b.note {
                    s.push_str(&format!("  ({n})"));
                }
                s
            }
            Online::NotAvailable if c.provider.as_deref() == Some("console") => {
                "not checked online (no vendor)".to_string()
            }
            Online::NotAvailable => {
                "not checked online (the vendor has no cost-free call)".to_string()
            }
            Online::Failed(f) => format!("failed ({})", what_failed(f)),
            Online::Offline => "not checked online".to_string(),
        };
        let offline = if c.offline_ok {
            ""
        } else {
            "  [offline problems: see stderr]"
        };
        out.line(&format!("{name:<width$}  {provider:<9} {status}{offline}"));
    }
    let where_ = store.location.as_deref().unwrap_or("(no folder)");
    match &store.error {
        None => out.line(&format!(
            "{:<width$}  {:<9} {}  {where_}",
            "store",
            store.kind,
            out.good("ok")
        )),
        Some(f) => out.line(&format!(
            "{:<width$}  {:<9} failed ({})  {where_}",
            "store",
            store.kind,
            what_failed(f)
        )),
    }
}

/// "auth, HTTP 401" or "network": the short form; the whole error goes to stderr.
fn what_failed(f: &Failure) -> String {
    let kind = serde_json::to_value(f.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    match f.http_status {
        Some(s) => format!("{kind}, HTTP {s}"),
        None => kind,
    }
}

fn error_doc(f: &Failure) -> Value {
    serde_json::to_value(ErrorDoc {
        kind: f.kind,
        message: redact::scrub(&f.message),
        http_status: f.http_status,
        provider_code: f.provider_code.clone(),
        retryable: f.retryable(),
        retry_after: f.retry_after,
    })
    .unwrap_or(Value::Null)
}

/// A profile as the offline checks saw it: its provider as the file (or, with no file,
/// OTP_PROVIDER) names it, and whether a problem names the profile.
fn offline_check(file: &ConfigFile, name: Option<&str>, problems: &[Problem]) -> ProfileCheck {
    let named = match name {
        Some(n) => file
            .profiles
            .get(n)
            .and_then(|t| t.get("provider"))
            .and_then(|v| v.as_str())
            .map(str::to_string),
        None => std::env::var(config::env_name("provider")).ok(),
    };
    let provider = named.map(|p| match providers::find(&p) {
        Some(i) => i.id.to_string(),
        None => p,
    });
    ProfileCheck {
        name: name.map(str::to_string),
        provider,
        offline_ok: !problems.iter().any(|p| p.profile.as_deref() == name),
        online: Online::Offline,
    }
}

/// `config check -o json` without `--online`: the same document, every profile and the
/// store listed, their online fields null.
pub(super) fn offline_document(
    g: &Global,
    file: &ConfigFile,
    path: Option<&Path>,
    problems: &[Problem],
) -> Value {
    let names: Vec<Option<String>> = match (g.profile.as_deref(), path) {
        (Some(n), Some(_)) if file.profiles.contains_key(n) => vec![Some(n.to_string())],
        (_, Some(_)) => file.profiles.keys().cloned().map(Some).collect(),
        (_, None) => vec![None],
    };
    let checks: Vec<ProfileCheck> = names
        .iter()
        .map(|n| offline_check(file, n.as_deref(), problems))
        .collect();
    let (kind, location) = match super::policy::describe_store(file) {
        Ok((kind, place, _)) => (kind, Some(place)),
        Err(_) => ("embedded", None),
    };
    let mut doc = document(
        path,
        problems,
        &checks,
        &StoreCheck {
            kind,
            location,
            error: None,
        },
        problems.is_empty(),
    );
    doc["store"]["ok"] = Value::Null;
    doc
}

fn document(
    path: Option<&Path>,
    problems: &[Problem],
    checks: &[ProfileCheck],
    store: &StoreCheck,
    ok: bool,
) -> Value {
    let profiles: Vec<Value> = checks
        .iter()
        .map(|c| {
            let (online, balance, currency, note, error) = match &c.online {
                Online::Ok(b) => ("ok", b.amount, b.currency.clone(), b.note.clone(), None),
                Online::NotAvailable => ("not_available", None, None, None, None),
                Online::Offline => {
                    return json!({
                        "profile": c.name, "provider": c.provider, "ok": c.ok(),
                        "online": null, "balance": null, "currency": null, "note": null,
                        "error": null,
                    });
                }
                Online::Failed(f) => ("failed", None, None, None, Some(error_doc(f))),
            };
            json!({
                "profile": c.name,
                "provider": c.provider,
                "ok": c.ok(),
                "online": online,
                "balance": balance,
                "currency": currency,
                "note": note,
                "error": error,
            })
        })
        .collect();
    json!({
        "ok": ok,
        "path": path.map(|p| p.display().to_string()),
        "problems": problems.iter().map(Problem::to_json).collect::<Vec<_>>(),
        "profiles": profiles,
        "store": {
            "ok": store.error.is_none(),
            "kind": store.kind,
            "location": store.location,
            "error": store.error.as_ref().map(error_doc),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_code_prefers_the_most_definite_next_step() {
        assert_eq!(exit_code(false, [].into_iter()), 0);
        assert_eq!(exit_code(true, [4, 5, 6].into_iter()), 3);
        assert_eq!(exit_code(false, [5, 6, 4].into_iter()), 4);
        assert_eq!(exit_code(false, [5, 6].into_iter()), 6);
        assert_eq!(exit_code(false, [5].into_iter()), 5);
        assert_eq!(exit_code(false, [3, 4].into_iter()), 3);
    }

    /// The README's table of online checks names every vendor whose adapter has a
    /// cost-free call (built from its own example profile), and lists the others as
    /// "none known".
    #[test]
    fn the_readme_lists_every_vendor_with_an_online_check() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("### Checking credentials without sending")
            .expect("the section");
        let section = &readme[start..];
        let section = &section[..section[4..].find("\n## ").map_or(section.len(), |e| e + 4)];
        let rows: Vec<(Vec<&str>, bool)> = section
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| provider"))
            .map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                let ids = cells[1].split(',').map(str::trim).collect();
                (ids, cells[2] != "none known")
            })
            .collect();
        for (id, adapter) in crate::app::id_tests::adapters() {
            let has = adapter.balance().is_some();
            let row = rows.iter().find(|(ids, _)| ids.contains(&id));
            assert_eq!(
                row.map(|r| r.1),
                Some(has),
                "{id}: the README's online-check table says otherwise"
            );
        }
    }

    #[test]
    fn money_reads_as_people_write_it() {
        let b = |amount, currency: Option<&str>| Balance {
            amount,
            currency: currency.map(str::to_string),
            note: None,
        };
        assert_eq!(money(&b(Some(1234.5), Some("NGN"))), "1234.5 NGN");
        assert_eq!(money(&b(Some(798.634), None)), "798.634");
        assert_eq!(money(&b(None, Some("EUR"))), "");
    }
}
