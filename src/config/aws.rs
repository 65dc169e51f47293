//! The stand-ins AWS's own tools read for a key the profile leaves unset: the standard
//! variables (`AWS_ACCESS_KEY_ID`, `AWS_REGION`, ...), then the shared credentials file
//! (`~/.aws/credentials`, or `AWS_SHARED_CREDENTIALS_FILE`; section `AWS_PROFILE` or
//! `default`) and the shared config file (`~/.aws/config`, or `AWS_CONFIG_FILE`;
//! `[default]` or `[profile NAME]`). Keys declare their stand-ins (`Key::fallback`), so
//! this module knows no provider. Files are read bounded, like secret files.

use super::{secret, Entry, Fallback, Key, Source};
use crate::error::Failure;
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Value;

/// A field of the AWS shared files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// In the credentials file (`aws_access_key_id`), section `AWS_PROFILE` or `default`.
    Credentials(&'static str),
    /// In the config file (`region`), section `[default]` or `[profile NAME]`.
    Config(&'static str),
}

/// The largest shared file read: far more than any list of profiles.
const SHARED_MAX: usize = 1024 * 1024;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The AWS profile the shared files are read for.
fn aws_profile() -> String {
    var("AWS_PROFILE").unwrap_or_else(|| "default".to_string())
}

fn home_file(name: &str) -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".aws").join(name))
}

fn credentials_path() -> Option<PathBuf> {
    var("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| home_file("credentials"))
}

fn config_path() -> Option<PathBuf> {
    var("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| home_file("config"))
}

/// The section a file keeps the profile's settings under.
fn section(field: Field, profile: &str) -> String {
    match field {
        Field::Credentials(_) => profile.to_string(),
        Field::Config(_) if profile == "default" => "default".to_string(),
        Field::Config(_) => format!("profile {profile}"),
    }
}

/// The shared file as a map of section to (key, value), or None when it does not exist.
fn read(path: &std::path::Path) -> Result<Option<Ini>, Failure> {
    match secret::read_bounded(path, SHARED_MAX) {
        Ok(bytes) => Ok(Some(parse(&String::from_utf8_lossy(&bytes)))),
        Err(e) if e.kind() == Some(std::io::ErrorKind::NotFound) => Ok(None),
        Err(e) => Err(
            Failure::config(format!("AWS shared file {} {e}", path.display()))
                .hint("fix or move the file, or set the credentials and region in the profile"),
        ),
    }
}

type Ini = BTreeMap<String, BTreeMap<String, String>>;

/// The INI form the AWS CLI writes: `[section]` lines, `key = value` pairs, comments
/// from `#` or `;` at the start of a line. Keys are case-insensitive; an indented line
/// (a nested `s3 =` block) belongs to the key above and is skipped.
pub fn parse(text: &str) -> Ini {
    let mut out = Ini::new();
    let mut current: Option<String> = None;
    for raw in text.lines() {
        if raw.starts_with([' ', '\t']) {
            continue;
        }
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            current = rest.split_once(']').map(|(name, _)| {
                // `[profile  x]` is `[profile x]`.
                name.split_whitespace().collect::<Vec<_>>().join(" ")
            });
            if let Some(c) = &current {
                out.entry(c.clone()).or_default();
            }
            continue;
        }
        let (Some(sec), Some((k, v))) = (&current, line.split_once('=')) else {
            continue;
        };
        let v = v.trim();
        // A trailing ` # comment` is not part of the value.
        let v = v
            .split_once(" #")
            .or_else(|| v.split_once(" ;"))
            .map_or(v, |(a, _)| a.trim_end());
        out.entry(sec.clone())
            .or_default()
            .insert(k.trim().to_ascii_lowercase(), v.to_string());
    }
    out
}

/// `~/.aws/credentials` or the path the variable names, for messages.
fn shown(path: &std::path::Path) -> String {
    match std::env::var_os("HOME").map(PathBuf::from) {
        Some(h) if !h.as_os_str().is_empty() => match path.strip_prefix(&h) {
            Ok(rest) => format!("~/{}", rest.display()),
            Err(_) => path.display().to_string(),
        },
        _ => path.display().to_string(),
    }
}

fn standard(value: String, origin: String) -> Entry {
    Entry {
        value: Value::String(value),
        source: Source::Standard,
        origin: Some(origin),
    }
}

/// Fill the keys the profile left unset from their stand-ins. Keys whose field is in
/// the credentials file are one set (a key ID, its secret and token belong together):
/// when the profile sets any of them none is filled; else they all come from the
/// variables when one of those is set, else from the credentials file. Every other key
/// falls back on its own: its variables in order, then the config file.
pub fn fill<'a>(
    values: &mut BTreeMap<&'static str, Entry>,
    keys: impl Iterator<Item = &'a Key>,
) -> Result<(), Failure> {
    let with: Vec<(&'static str, Fallback)> = keys
        .filter_map(|k| k.fallback.map(|f| (k.name, f)))
        .collect();
    if with.is_empty() {
        return Ok(());
    }
    let (creds, rest): (Vec<_>, Vec<_>) = with
        .into_iter()
        .partition(|(_, f)| matches!(f.shared, Field::Credentials(_)));
    let profile = aws_profile();

    if !creds.is_empty() && !creds.iter().any(|(k, _)| values.contains_key(k)) {
        let from_env = creds
            .iter()
            .any(|(_, f)| f.env.iter().any(|v| var(v).is_some()));
        if from_env {
            for (k, f) in &creds {
                if let Some((name, v)) = f.env.iter().find_map(|n| var(n).map(|v| (*n, v))) {
                    values.insert(k, standard(v, name.to_string()));
                }
            }
        } else if let Some(path) = credentials_path() {
            if let Some(ini) = read(&path)? {
                let sec = section(creds[0].1.shared, &profile);
                if let Some(fields) = ini.get(&sec) {
                    for (k, f) in &creds {
                        let Field::Credentials(name) = f.shared else {
                            continue;
                        };
                        if let Some(v) = fields.get(name).filter(|v| !v.is_empty()) {
                            values.insert(
                                k,
                                standard(v.clone(), format!("{} [{sec}]", shown(&path))),
                            );
                        }
                    }
                }
            }
        }
    }

    let mut config: Option<Option<Ini>> = None;
    for (k, f) in rest {
        if values.contains_key(k) {
            continue;
        }
        if let Some((name, v)) = f.env.iter().find_map(|n| var(n).map(|v| (*n, v))) {
            values.insert(k, standard(v, name.to_string()));
            continue;
        }
        let Field::Config(name) = f.shared else {
            continue;
        };
        let Some(path) = config_path() else {
            continue;
        };
        if config.is_none() {
            config = Some(read(&path)?);
        }
        let sec = section(f.shared, &profile);
        if let Some(v) = config
            .as_ref()
            .and_then(Option::as_ref)
            .and_then(|ini| ini.get(&sec))
            .and_then(|fields| fields.get(name))
            .filter(|v| !v.is_empty())
        {
            values.insert(k, standard(v.clone(), format!("{} [{sec}]", shown(&path))));
        }
    }
    Ok(())
}

/// Where a key's stand-ins are, for a hint: "export AWS_REGION or AWS_DEFAULT_REGION,
/// or set region in ~/.aws/config ([default] or [profile NAME])".
pub fn describe(f: &Fallback, key: &str) -> String {
    let vars = or_list(f.env);
    match f.shared {
        Field::Credentials(name) => format!(
            "or {vars}, or add {name} to ~/.aws/credentials (section [default], or the one AWS_PROFILE names; AWS_SHARED_CREDENTIALS_FILE moves the file)"
        ),
        Field::Config(name) => {
            let _ = key;
            format!("or {vars}, or set {name} in ~/.aws/config ([default], or [profile NAME] for AWS_PROFILE=NAME)")
        }
    }
}

/// The stand-ins that were tried, for the message: "nor do AWS_REGION,
/// AWS_DEFAULT_REGION or ~/.aws/config".
pub fn tried(f: &Fallback) -> String {
    let file = match f.shared {
        Field::Credentials(_) => "~/.aws/credentials",
        Field::Config(_) => "~/.aws/config",
    };
    let mut all: Vec<&str> = f.env.to_vec();
    all.push(file);
    let last = all.pop().unwrap_or_default();
    if all.is_empty() {
        format!("nor does {last}")
    } else {
        format!("nor do {} or {last}", all.join(", "))
    }
}

fn or_list(vars: &[&str]) -> String {
    match vars {
        [] => String::new(),
        [one] => format!("export {one}"),
        [init @ .., last] => format!("export {} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_keys_and_comments() {
        let ini = parse(
            "# comment\n[default]\naws_access_key_id = AKIA1\nAWS_Secret_Access_Key=abc/def+g==  \n\
             ; other comment\n[profile  dev]\nregion = eu-west-1 # trailing\ns3 =\n  max_concurrent_requests = 2\n\
             [dev]\naws_session_token = tok=en\n[broken\nx = y\n",
        );
        assert_eq!(ini["default"]["aws_access_key_id"], "AKIA1");
        assert_eq!(ini["default"]["aws_secret_access_key"], "abc/def+g==");
        assert_eq!(ini["profile dev"]["region"], "eu-west-1");
        assert!(!ini["profile dev"].contains_key("max_concurrent_requests"));
        assert_eq!(ini["profile dev"]["s3"], "");
        assert_eq!(ini["dev"]["aws_session_token"], "tok=en");
        assert!(!ini.contains_key("broken"));
        assert!(parse("key = before any section\n").is_empty());
    }

    #[test]
    fn sections_for_credentials_and_config() {
        assert_eq!(section(Field::Credentials("x"), "default"), "default");
        assert_eq!(section(Field::Credentials("x"), "dev"), "dev");
        assert_eq!(section(Field::Config("region"), "default"), "default");
        assert_eq!(section(Field::Config("region"), "dev"), "profile dev");
    }

    #[test]
    fn hints_name_every_stand_in() {
        let f = Fallback {
            env: &["AWS_REGION", "AWS_DEFAULT_REGION"],
            shared: Field::Config("region"),
        };
        assert_eq!(
            tried(&f),
            "nor do AWS_REGION, AWS_DEFAULT_REGION or ~/.aws/config"
        );
        let d = describe(&f, "region");
        assert!(
            d.starts_with(
                "or export AWS_REGION or AWS_DEFAULT_REGION, or set region in ~/.aws/config"
            ),
            "{d}"
        );
    }
}
