//! Which record store a run uses (top-level `store`, `store_key`, `store_prefix`) and a
//! profile's sending policy (`limits`, `test_numbers`): parsed and checked here, once,
//! for `send`, `verify`, `status`, `cancel` and `config show`/`check` alike.

use crate::cli::Global;
use crate::config::{ConfigFile, Profile, Source};
use crate::error::Failure;
use crate::phone::Phone;
use crate::redact::{Secret, MASK};
use crate::store::{self, Limit, RecordStore, StoreSpec, MAX_WINDOW};
use toml::Value;

/// The store the config names, opened: exit 5 (kind `store`) when it cannot be reached.
pub(super) fn open_store(g: &Global) -> Result<Box<dyn RecordStore>, Failure> {
    let file = ConfigFile::load(g.config.as_deref())?;
    store::open(&timed(g, store_spec(&file)?)?)
}

/// `--timeout` bounds every wait for a shared store.
fn timed(g: &Global, mut spec: StoreSpec) -> Result<StoreSpec, Failure> {
    if let StoreSpec::Shared { timeout, .. } = &mut spec {
        *timeout = super::timeout(g)?;
    }
    Ok(spec)
}

/// The store the config names, opened read-only when it exists (None when there is no
/// embedded store yet): for runs that write nothing.
pub(super) fn open_store_read(g: &Global) -> Result<Option<Box<dyn RecordStore>>, Failure> {
    let file = ConfigFile::load(g.config.as_deref())?;
    store::open_read(&timed(g, store_spec(&file)?)?)
}

/// `store` (a `redis://` or `rediss://` URL, else the embedded store: empty, `embedded`
/// or a folder path), with `store_key` required for a shared store.
pub(super) fn store_spec(file: &ConfigFile) -> Result<StoreSpec, Failure> {
    let url = store_url(file)?;
    let Some(url) = url else {
        return StoreSpec::embedded();
    };
    if !is_shared(&url) {
        return Ok(StoreSpec::Embedded {
            dir: std::path::PathBuf::from(url),
        });
    }
    let key = file.store_secret("store_key")?.ok_or_else(|| {
        Failure::config(format!(
            "the shared store {} needs store_key, the secret that keys the PIN hashes",
            shown_url(&url)
        ))
        .hint("set store_key = { env = \"OTP_STORE_KEY\" } (the same value on every machine) or export OTP_STORE_KEY")
    })?;
    let prefix = match file.store_value("store_prefix").map(|e| e.value) {
        None => "otp:".to_string(),
        Some(Value::String(p)) if !p.trim().is_empty() && !p.chars().any(char::is_control) => {
            p.trim().to_string()
        }
        Some(_) => {
            return Err(Failure::config(
                "store_prefix must be a non-empty string such as \"otp:\"",
            ))
        }
    };
    let ca_file = ca_path(file)?;
    Ok(StoreSpec::Shared {
        url,
        key,
        prefix,
        timeout: crate::http::DEFAULT_TIMEOUT,
        ca_file,
    })
}

fn is_shared(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("redis://") || lower.starts_with("rediss://")
}

/// The `store` value, checked offline: a Redis URL that parses (its password registered
/// as a secret at once), or a folder path. None for the default embedded store.
fn store_url(file: &ConfigFile) -> Result<Option<String>, Failure> {
    let Some(entry) = file.store_value("store") else {
        return Ok(None);
    };
    let where_ = match entry.source {
        Source::Env => "OTP_STORE",
        _ => "store in the config file",
    };
    let Value::String(s) = entry.value else {
        return Err(Failure::config(format!("{where_} must be a string")));
    };
    let s = s.trim().to_string();
    if s.is_empty() || s == "embedded" {
        return Ok(None);
    }
    if is_shared(&s) {
        let u = url::Url::parse(&s).map_err(|_| {
            Failure::config(format!("{where_} is not a valid Redis URL"))
                .hint("write it as redis://[user:password@]host[:port][/db] or rediss://...")
        })?;
        if let Some(p) = u.password() {
            let _ = Secret::new(p);
            if let Ok(d) = percent_encoding::percent_decode_str(p).decode_utf8() {
                let _ = Secret::new(d.into_owned());
            }
        }
        if u.host_str().is_none_or(str::is_empty) {
            return Err(Failure::config(format!("{where_} names no host"))
                .hint("write it as redis://host:6379/0"));
        }
        return Ok(Some(s));
    }
    if s.contains("://") || !s.starts_with('/') {
        return Err(Failure::config(format!(
            "{where_} must be a redis:// or rediss:// URL, or an absolute folder path for the embedded store"
        ))
        .hint("leave it out for the embedded store in the state folder"));
    }
    Ok(Some(s))
}

/// A store URL as printed: only the password replaced by `***`.
pub(super) fn shown_url(url: &str) -> String {
    store::shown_url(url).unwrap_or_else(|| MASK.to_string())
}

/// The store in use for `config show`: (`embedded` or `shared`, where, source).
pub(super) fn describe_store(file: &ConfigFile) -> Result<(&'static str, String, Source), Failure> {
    let source = file
        .store_value("store")
        .map_or(Source::Default, |e| e.source);
    Ok(match store_url(file)? {
        Some(u) if is_shared(&u) => ("shared", shown_url(&u), source),
        Some(dir) => ("embedded", format!("{dir}/otp.db"), source),
        None => match store::default_dir() {
            Some(d) => ("embedded", d.join("otp.db").display().to_string(), source),
            None => (
                "embedded",
                "(no state folder: HOME is not set)".into(),
                source,
            ),
        },
    })
}

/// `store_ca_file` (a relative path is read beside the config file), else the CA every
/// profile trusts besides the built-in roots (`SSL_CERT_FILE`), where one is set.
fn ca_path(file: &ConfigFile) -> Result<Option<std::path::PathBuf>, Failure> {
    Ok(match file.store_value("store_ca_file").map(|e| e.value) {
        // The CA every profile trusts besides the built-in roots, where one is set.
        None => std::env::var_os("SSL_CERT_FILE")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from),
        Some(Value::String(p)) if !p.trim().is_empty() => {
            let p = std::path::PathBuf::from(p.trim());
            // A relative path is read beside the config file.
            Some(match (&file.path, p.is_relative()) {
                (Some(cfg), true) => cfg.parent().map_or(p.clone(), |d| d.join(&p)),
                _ => p,
            })
        }
        Some(_) => {
            return Err(Failure::config(
                "store_ca_file must be the path of a PEM file",
            ))
        }
    })
}

/// Offline problems of the top-level store keys (`config check`).
pub(super) fn store_problems(file: &ConfigFile) -> Vec<String> {
    let mut problems = Vec::new();
    match store_url(file) {
        Err(f) => problems.push(f.message),
        Ok(Some(u)) if is_shared(&u) => {
            if file.store_value("store_key").is_none() {
                problems.push(format!(
                    "the shared store {} needs store_key (exit 3 at every send)",
                    shown_url(&u)
                ));
            } else if !file.store_runs_command("store_key") {
                if let Err(f) = file.store_secret("store_key") {
                    problems.push(f.message);
                }
            }
        }
        Ok(_) => {}
    }
    let tls =
        matches!(store_url(file), Ok(Some(u)) if u.to_ascii_lowercase().starts_with("rediss://"));
    match ca_path(file) {
        Ok(Some(ca)) if tls => {
            if let Err(e) = std::fs::File::open(&ca) {
                problems.push(format!(
                    "store_ca_file {} cannot be read: {e}",
                    ca.display()
                ));
            }
        }
        Err(f) => problems.push(f.message),
        Ok(_) => {}
    }
    if let Some(e) = file.store_value("store_prefix") {
        if !matches!(&e.value, Value::String(p) if !p.trim().is_empty()) {
            problems.push("store_prefix must be a non-empty string such as \"otp:\"".into());
        }
    }
    problems
}

/// `N/DURATION`: at most N sends per window, the window at most the store's memory.
fn parse_limit(p: &Profile, which: &str, text: &str) -> Result<Limit, Failure> {
    let bad = |why: String| {
        Failure::config(format!(
            "limits.{which} in {} is \"{}\": {why}",
            p.label(),
            crate::redact::vendor_text(text)
        ))
        .hint("write it as N/DURATION, e.g. \"5/1h\" or \"200/24h\"")
    };
    let (n, d) = text
        .split_once('/')
        .ok_or_else(|| bad("not N/DURATION".into()))?;
    let max: u32 = n
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| bad("the count must be a whole number of at least 1".into()))?;
    let window = humantime::parse_duration(d.trim()).map_err(|e| bad(e.to_string()))?;
    if window.as_secs() == 0 || window.subsec_nanos() != 0 {
        return Err(bad("the window must be whole seconds, at least 1s".into()));
    }
    if window.as_secs() > MAX_WINDOW {
        // In days, as people count a window ("31 days", not "1month 13h 26m 24s").
        return Err(bad(format!(
            "the window must be at most {} days, as long as the store remembers sends",
            MAX_WINDOW / 86_400
        )));
    }
    Ok(Limit {
        max,
        window: window.as_secs(),
    })
}

/// The profile's `limits`: (per number, per calling code).
pub(super) fn limits(p: &Profile) -> Result<(Option<Limit>, Option<Limit>), Failure> {
    let Some(entry) = p.entry("limits") else {
        return Ok((None, None));
    };
    let Value::Table(t) = &entry.value else {
        return Err(Failure::config(format!(
            "limits in {} must be a table such as {{ number = \"5/1h\" }}",
            p.label()
        )));
    };
    let mut out = (None, None);
    for (k, v) in t {
        let text = v.as_str().unwrap_or_default();
        match k.as_str() {
            "number" => out.0 = Some(parse_limit(p, "number", text)?),
            "country" => out.1 = Some(parse_limit(p, "country", text)?),
            other => {
                return Err(Failure::config(format!(
                    "limits in {} has an unknown key `{}`; the keys are `number` and `country`",
                    p.label(),
                    crate::redact::vendor_text(other)
                )))
            }
        }
    }
    Ok(out)
}

/// The profile's `test_numbers`, each number in E.164 and its fixed code (a secret).
pub(super) fn test_numbers(p: &Profile) -> Result<Vec<(String, Secret)>, Failure> {
    let Some(entry) = p.entry("test_numbers") else {
        return Ok(Vec::new());
    };
    let Value::Table(t) = &entry.value else {
        return Err(Failure::config(format!(
            "test_numbers in {} must be a table such as {{ \"+15550000001\" = \"123456\" }}",
            p.label()
        )));
    };
    let mut out = Vec::new();
    for (number, code) in t {
        let shown = crate::redact::vendor_text(number);
        let phone = Phone::parse(number, None)
            .ok()
            .filter(|_| number.trim().starts_with('+'))
            .ok_or_else(|| {
                Failure::config(format!(
                    "test_numbers in {}: \"{shown}\" is not an E.164 number (+ and digits)",
                    p.label()
                ))
            })?;
        let code = code.as_str().unwrap_or_default().trim();
        if !(4..=10).contains(&code.chars().count())
            || !code.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(Failure::config(format!(
                "test_numbers in {}: the code for {shown} must be 4 to 10 letters or digits",
                p.label()
            )));
        }
        // Not a credential: the file shows it in the open and it opens nothing at the
        // vendor, so it is not masked by value (it would mask digits of numbers).
        out.push((phone.e164(), Secret::unlisted(code)));
    }
    Ok(out)
}

/// The fixed code of `to`, when it is one of the profile's test numbers.
pub(super) fn test_code(p: &Profile, to: &Phone) -> Result<Option<Secret>, Failure> {
    Ok(test_numbers(p)?
        .into_iter()
        .find(|(n, _)| *n == to.e164())
        .map(|(_, c)| c))
}

/// `config show`'s view of the test numbers: the codes masked.
pub(super) fn shown_test_numbers(p: &Profile) -> Option<Vec<String>> {
    match p.entry("test_numbers").map(|e| &e.value) {
        Some(Value::Table(t)) => Some(t.keys().cloned().collect()),
        _ => None,
    }
}

/// Offline problems of a profile's policy keys (`config check`).
pub(super) fn policy_problems(p: &Profile) -> Vec<String> {
    [limits(p).err(), test_numbers(p).err()]
        .into_iter()
        .flatten()
        .map(|f| f.message)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::testing;

    #[test]
    fn limits_parse_and_refuse_what_cannot_be_kept() {
        let p = testing::profile(
            "provider = \"console\"\nlimits = { number = \"5/1h\", country = \"200/24h\" }\n",
        );
        let (n, c) = limits(&p).unwrap();
        assert_eq!(
            n,
            Some(Limit {
                max: 5,
                window: 3600
            })
        );
        assert_eq!(
            c,
            Some(Limit {
                max: 200,
                window: 86400
            })
        );
        for bad in [
            "5",
            "0/1h",
            "x/1h",
            "5/1x",
            "5/0s",
            "5/32days",
            "5/1h\", other = \"1/1h",
        ] {
            let p = testing::profile(&format!(
                "provider = \"console\"\nlimits = {{ number = \"{bad}\" }}\n"
            ));
            let f = limits(&p).unwrap_err();
            assert_eq!(f.exit_code(), 3, "{bad}: {}", f.message);
        }
    }

    #[test]
    fn test_numbers_are_e164_with_short_codes() {
        let p = testing::profile(
            "provider = \"console\"\ntest_numbers = { \"+1 555 000 0001\" = \"123456\" }\n",
        );
        let t = test_numbers(&p).unwrap();
        assert_eq!(t[0].0, "+15550000001");
        assert_eq!(t[0].1.expose(), "123456");
        for bad in [
            "{ \"15550000001\" = \"123456\" }",
            "{ \"+1555\" = \"123456\" }",
            "{ \"+15550000001\" = \"12\" }",
            "{ \"+15550000001\" = \"12 34 56\" }",
        ] {
            let p = testing::profile(&format!("provider = \"console\"\ntest_numbers = {bad}\n"));
            assert_eq!(test_numbers(&p).unwrap_err().exit_code(), 3, "{bad}");
        }
    }

    #[test]
    fn shown_urls_hide_the_password() {
        let u = shown_url("redis://user:hunter22@h:6379/0");
        assert!(!u.contains("hunter22") && u.contains("***"), "{u}");
    }
}
