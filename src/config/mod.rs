//! The configuration: find and read the TOML file, check its permissions, pick the
//! profile, and lay env (`OTP_<KEY>`) and flags over it (flag > env > file). Config
//! knows no provider: it checks a profile against the `Schema` the caller passes in.
//! Secret sources are resolved in `secret`; a key's standard stand-ins (AWS's variables
//! and shared files) in `aws`.

pub mod aws;
mod secret;

use crate::error::Failure;
use crate::redact::Secret;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Value;

/// The type of a profile key's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    Str,
    Secret,
    Int,
    Bool,
    Duration,
    List,
    Table,
}

/// A profile key a provider (or every profile) takes.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub name: &'static str,
    pub ty: KeyType,
    pub required: bool,
    pub default: Option<&'static str>,
    pub help: &'static str,
    /// Where the value comes from when neither a flag, `OTP_<KEY>` nor the profile sets
    /// it: the variables and shared files the vendor's own tools read.
    pub fallback: Option<Fallback>,
}

/// A key's stand-ins, after the profile: variables read in order (the first one set
/// wins), then one field of the vendor's shared files. Keys whose field is in the
/// credentials file come from one place together (see `aws::fill`).
#[derive(Clone, Copy, Debug)]
pub struct Fallback {
    pub env: &'static [&'static str],
    pub shared: aws::Field,
}

impl Key {
    pub const fn new(name: &'static str, ty: KeyType, help: &'static str) -> Key {
        Key {
            name,
            ty,
            required: false,
            default: None,
            help,
            fallback: None,
        }
    }
    /// Read the value from these variables, then this shared-file field, when the
    /// profile does not set it.
    pub const fn fallback(mut self, env: &'static [&'static str], shared: aws::Field) -> Key {
        self.fallback = Some(Fallback { env, shared });
        self
    }
    pub const fn required(mut self) -> Key {
        self.required = true;
        self
    }
    pub const fn default(mut self, value: &'static str) -> Key {
        self.default = Some(value);
        self
    }
    pub fn secret(&self) -> bool {
        self.ty == KeyType::Secret
    }
}

/// What a profile is checked against: a provider's id, the keys it takes beyond the
/// common ones, and where its credentials are found. The app passes every provider's
/// schema in (`providers::schemas()`), so config never looks a provider up itself.
#[derive(Clone, Copy, Debug)]
pub struct Schema {
    pub id: &'static str,
    pub aliases: &'static [&'static str],
    pub keys: &'static [Key],
    pub default_base_url: Option<&'static str>,
    /// Where a user finds the credentials, for hints.
    pub credentials_hint: &'static str,
    /// A working example profile body (TOML, without the `[profiles.x]` line).
    pub example: &'static str,
}

impl Schema {
    /// Whether `name` is this provider's id or an alias, case-insensitive.
    pub fn answers_to(&self, name: &str) -> bool {
        let name = name.trim().to_ascii_lowercase();
        self.id == name || self.aliases.contains(&name.as_str())
    }
}

/// The schema in `schemas` that answers to `name`.
pub fn find<'a>(schemas: &'a [Schema], name: &str) -> Option<&'a Schema> {
    schemas.iter().find(|s| s.answers_to(name))
}

/// Keys every profile takes, whatever its provider.
pub const COMMON_KEYS: &[Key] = &[
    Key::new(
        "provider",
        KeyType::Str,
        "the provider this profile sends through",
    ),
    Key::new("sender", KeyType::Str, "sender ID, mask or alias"),
    Key::new(
        "base_url",
        KeyType::Str,
        "API base URL (https:// except loopback)",
    ),
    Key::new(
        "message",
        KeyType::Str,
        "message template with {{code}}; {{minutes}} is the TTL",
    )
    .default("Your verification code is {{code}}"),
    Key::new(
        "templates",
        KeyType::Table,
        "templates by language, chosen with --lang",
    ),
    Key::new("length", KeyType::Int, "PIN length").default("6"),
    Key::new("pin_type", KeyType::Str, "numeric | alphanumeric | letters").default("numeric"),
    Key::new("ttl", KeyType::Duration, "how long the PIN is valid").default("5m"),
    Key::new("attempts", KeyType::Int, "wrong tries allowed").default("3"),
    Key::new(
        "default_country",
        KeyType::Str,
        "ISO 3166 alpha-2 country for numbers without +",
    ),
    Key::new(
        "allowed_countries",
        KeyType::List,
        "calling codes allowed (others refused)",
    ),
    Key::new(
        "cooldown",
        KeyType::Duration,
        "least time between sends to one number",
    ),
    Key::new(
        "limits",
        KeyType::Table,
        "send caps: { number = \"5/1h\", country = \"200/24h\" }",
    ),
    Key::new(
        "test_numbers",
        KeyType::Table,
        "numbers that get a fixed code and no request",
    ),
    Key::new(
        "ca_file",
        KeyType::Str,
        "extra CA certificate (PEM) to trust",
    ),
    Key::new(
        "allow_short_pins",
        KeyType::Bool,
        "allow PINs shorter than 6",
    )
    .default("false"),
    Key::new("max_ttl", KeyType::Duration, "largest TTL allowed").default("10m"),
    Key::new(
        "fallback",
        KeyType::List,
        "profiles to try in order when this one cannot send",
    ),
];

/// Where a value came from, for precedence and `config show`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Default,
    /// A key's standard stand-in (`AWS_REGION`, `~/.aws/credentials`); `Entry::origin`
    /// names which.
    Standard,
    File,
    Env,
    Flag,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::Standard => "standard",
            Source::File => "file",
            Source::Env => "env",
            Source::Flag => "flag",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub value: Value,
    pub source: Source,
    /// For `Source::Standard`: the variable or file section the value came from.
    pub origin: Option<String>,
}

/// The config file as read: profiles kept as raw tables until one is resolved.
#[derive(Debug, Default)]
pub struct ConfigFile {
    pub path: Option<PathBuf>,
    pub exists: bool,
    /// Unknown top-level keys: refused by `load`, listed by `config check`.
    pub unknown_top: Vec<String>,
    pub default_profile: Option<String>,
    pub profiles: BTreeMap<String, toml::Table>,
    /// The top-level `store`, `store_key` and `store_prefix`, as written (the README).
    pub store: BTreeMap<String, Value>,
    /// The top-level `routes` table (calling code -> profile or chain), as written;
    /// `app::route` reads it.
    pub routes: Option<Value>,
}

/// The top-level keys besides `default_profile` and `profiles`.
pub const STORE_KEYS: [&str; 4] = ["store", "store_key", "store_prefix", "store_ca_file"];

/// The largest config file read (the README): hundreds of profiles fit in far less.
pub const CONFIG_MAX: usize = 1024 * 1024;

/// The default config path: `<user config dir>/otp/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.config_dir().join("otp").join("config.toml"))
}

/// The path in use: `--config` / `OTP_CONFIG` (clap merges them), else the default.
pub fn locate(flag: Option<&Path>) -> (Option<PathBuf>, bool) {
    match flag {
        Some(p) => (Some(p.to_path_buf()), true),
        None => (default_path(), false),
    }
}

impl ConfigFile {
    /// Read the file. A missing default file is an empty config (flags and env alone
    /// are enough); a missing file named by `--config` / `OTP_CONFIG` is an error.
    pub fn load(flag: Option<&Path>) -> Result<ConfigFile, Failure> {
        let file = ConfigFile::load_lenient(flag)?;
        match file.unknown_top.first() {
            Some(_) => Err(file.unknown_top_failure()),
            None => Ok(file),
        }
    }

    pub fn unknown_top_failure(&self) -> Failure {
        let keys: Vec<String> = self.unknown_top.iter().map(|k| format!("`{k}`")).collect();
        let near: Vec<&str> = self
            .unknown_top
            .iter()
            .map(|k| {
                nearest(
                    k,
                    ["default_profile", "profiles", "routes"]
                        .into_iter()
                        .chain(STORE_KEYS),
                )
            })
            .collect();
        Failure::config(format!(
            "unknown top-level key {} in {}; the valid keys are `default_profile`, `profiles`, `routes`, `store`, `store_key`, `store_prefix` and `store_ca_file` (nearest: `{}`)",
            keys.join(", "),
            self.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
            near.join("`, `")
        ))
        .hint("profile settings go under [profiles.NAME]")
    }

    /// `load` that keeps going past unknown top-level keys (for `config check`).
    pub fn load_lenient(flag: Option<&Path>) -> Result<ConfigFile, Failure> {
        let (path, explicit) = locate(flag);
        let Some(path) = path else {
            return Ok(ConfigFile::default());
        };
        let text = match secret::read_bounded(&path, CONFIG_MAX) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
                Failure::config(format!("config file {} is not UTF-8 text", path.display()))
            })?,
            Err(e) if e.kind() == Some(std::io::ErrorKind::NotFound) && !explicit => {
                return Ok(ConfigFile {
                    path: Some(path),
                    ..ConfigFile::default()
                })
            }
            Err(e) if e.kind() == Some(std::io::ErrorKind::NotFound) => {
                return Err(Failure::config(format!(
                    "config file {} does not exist",
                    path.display()
                ))
                .hint(format!(
                    "create it with `otp -c {} config init`, or check --config / OTP_CONFIG",
                    path.display()
                )))
            }
            Err(e) => {
                return Err(
                    Failure::config(format!("config file {} {e}", path.display())).hint(
                        "--config / OTP_CONFIG must name a regular TOML file of at most 1 MiB",
                    ),
                )
            }
        };
        check_permissions(&path)?;
        let mut file = ConfigFile::parse(&text, &path)?;
        file.path = Some(path);
        file.exists = true;
        Ok(file)
    }

    /// Parse the text of a config file (no I/O); unknown top-level keys are collected.
    pub fn parse(text: &str, path: &Path) -> Result<ConfigFile, Failure> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            Failure::config(format!(
                "{} is not valid TOML: {}",
                path.display(),
                crate::redact::vendor_text(e.message())
            ))
            .hint(match e.span() {
                Some(span) => format!("look near line {}", line_of(text, span.start)),
                None => "check the file's syntax".into(),
            })
        })?;
        let mut file = ConfigFile::default();
        for (key, value) in table {
            match key.as_str() {
                "default_profile" => match value {
                    Value::String(s) => file.default_profile = Some(s),
                    _ => return Err(Failure::config("default_profile must be a string")),
                },
                "profiles" => match value {
                    Value::Table(t) => {
                        for (name, p) in t {
                            match p {
                                Value::Table(p) => {
                                    file.profiles.insert(name, p);
                                }
                                _ => {
                                    return Err(Failure::config(format!(
                                        "profiles.{name} must be a table ([profiles.{name}])"
                                    )))
                                }
                            }
                        }
                    }
                    _ => return Err(Failure::config("`profiles` must be a table")),
                },
                k if STORE_KEYS.contains(&k) => {
                    file.store.insert(key, value);
                }
                "routes" => file.routes = Some(value),
                other => file.unknown_top.push(other.to_string()),
            }
        }
        Ok(file)
    }

    /// A top-level store key (`store`, `store_key`, `store_prefix`): `OTP_<KEY>` beats the
    /// file.
    pub fn store_value(&self, key: &str) -> Option<Entry> {
        if let Some(v) = env_value(key) {
            return Some(Entry {
                value: Value::String(v),
                source: Source::Env,
                origin: None,
            });
        }
        self.store.get(key).map(|v| Entry {
            value: v.clone(),
            source: Source::File,
            origin: None,
        })
    }

    /// The top-level `routes`: `OTP_ROUTES` (a TOML inline table) beats the file. A
    /// variable that cannot be read as a table is refused, never taken literally.
    pub fn routes_value(&self) -> Result<Option<Entry>, Failure> {
        if let Some(v) = env_value("routes") {
            let table = format!("v = {v}")
                .parse::<toml::Table>()
                .ok()
                .and_then(|mut t| t.remove("v"))
                .filter(Value::is_table)
                .ok_or_else(|| {
                    Failure::config("OTP_ROUTES must be a TOML inline table, and its value cannot be read as one")
                        .hint("write it like '{ \"234\" = \"ng\", \"*\" = [\"twilio\", \"vonage\"] }'")
                })?;
            return Ok(Some(Entry {
                value: table,
                source: Source::Env,
                origin: None,
            }));
        }
        Ok(self.routes.clone().map(|value| Entry {
            value,
            source: Source::File,
            origin: None,
        }))
    }

    /// `store_key`, resolved from its source (string, env, file or command).
    pub fn store_secret(&self, key: &str) -> Result<Option<Secret>, Failure> {
        let Some(entry) = self.store_value(key) else {
            return Ok(None);
        };
        let where_ = match entry.source {
            Source::Env => env_name(key),
            _ => format!("{key} in the config file"),
        };
        let dir = self
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(Path::to_path_buf);
        secret::resolve(&entry.value, key, &where_, false, |p| match &dir {
            Some(d) => d.join(p),
            None => PathBuf::from(p),
        })
        .map(Some)
    }

    /// Whether a store key's value comes from `{ command }` (not run offline).
    pub fn store_runs_command(&self, key: &str) -> bool {
        matches!(self.store_value(key).map(|e| e.value),
            Some(Value::Table(t)) if t.contains_key("command"))
    }

    /// The profile to use: `--profile` / `OTP_PROFILE`, else `default_profile`, else
    /// the only profile; None when the file has no profiles (flags and env only).
    pub fn select(&self, flag: Option<&str>) -> Result<Option<String>, Failure> {
        if let Some(name) = flag {
            if self.profiles.contains_key(name) {
                return Ok(Some(name.to_string()));
            }
            let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            let where_ = match &self.path {
                Some(p) if self.exists => p.display().to_string(),
                Some(p) => format!("{} (which does not exist)", p.display()),
                None => "the config file".into(),
            };
            let f = Failure::config(format!("unknown profile \"{name}\" in {where_}"));
            return Err(if known.is_empty() {
                f.hint("create one with `otp config init`")
            } else {
                f.hint(format!("profiles: {}", known.join(", ")))
            });
        }
        if let Some(d) = &self.default_profile {
            if self.profiles.contains_key(d) {
                return Ok(Some(d.clone()));
            }
            let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            return Err(Failure::config(format!(
                "default_profile is \"{d}\", but there is no [profiles.{d}]"
            ))
            .hint(if known.is_empty() {
                "add the profile, or remove default_profile".to_string()
            } else {
                format!(
                    "choose one with --profile ({}), or fix default_profile",
                    known.join(", ")
                )
            }));
        }
        match self.profiles.len() {
            0 => Ok(None),
            1 => Ok(self.profiles.keys().next().cloned()),
            _ => Err(Failure::config(format!(
                "{} has several profiles and no default_profile",
                self.path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ))
            .hint(format!(
                "choose one with --profile ({}), or set default_profile",
                self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(1, |t| t.lines().count().max(1))
}

/// The nearest of `candidates` to `word`, for "did you mean".
pub fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> &'a str {
    candidates
        .min_by_key(|c| strsim::damerau_levenshtein(word, c))
        .unwrap_or("")
}

/// The README: a file readable by group or others gets a warning; one writable by them, or
/// owned by another user, is refused.
pub fn check_permissions(path: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| Failure::config(format!("cannot stat {}: {e}", path.display())))?;
    let mode = meta.mode() & 0o777;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(Failure::config(format!(
            "config file {} is owned by another user (uid {}); refusing to use it",
            path.display(),
            meta.uid()
        ))
        .hint("use a config file you own, e.g. copy it and chmod 600 the copy"));
    }
    if mode & 0o022 != 0 {
        return Err(Failure::config(format!(
            "config file {} is writable by group or others (mode {mode:04o}); refusing to use it",
            path.display()
        ))
        .hint(format!("chmod 600 {}", path.display())));
    }
    if mode & 0o044 != 0 {
        note(format!(
            "config file {} is readable by group or others (mode {mode:04o}); run chmod 600 {}",
            path.display(),
            path.display()
        ));
    }
    Ok(())
}

/// Warnings config found while reading (a file others can read), kept for the app to
/// print: config itself never prints. Each is kept once, however many times the file
/// is read in a run (routes, fallback).
static WARNINGS: std::sync::Mutex<Notes> = std::sync::Mutex::new(Notes {
    said: Vec::new(),
    pending: 0,
});

/// Every warning noted this run, in order; the last `pending` of them not yet taken.
struct Notes {
    said: Vec<String>,
    pending: usize,
}

pub(crate) fn note(warning: String) {
    let mut n = WARNINGS.lock().unwrap_or_else(|e| e.into_inner());
    if !n.said.contains(&warning) {
        n.said.push(warning);
        n.pending += 1;
    }
}

/// The warnings config noted since the last call, oldest first, for the app to print.
pub fn take_warnings() -> Vec<String> {
    let mut n = WARNINGS.lock().unwrap_or_else(|e| e.into_inner());
    let from = n.said.len() - n.pending;
    n.pending = 0;
    n.said[from..].to_vec()
}

/// One resolved profile: the provider's facts and every known key's value with its source.
pub struct Profile {
    pub name: Option<String>,
    /// The provider the profile sends through, as config checked it.
    pub schema: Schema,
    pub values: BTreeMap<&'static str, Entry>,
    /// The config file's folder, for relative `{ file = ... }` paths.
    pub dir: Option<PathBuf>,
    /// The provider the profile itself names, when a flag or env chose another one (its
    /// credentials were left out).
    pub foreign_from: Option<&'static str>,
}

/// Every key a profile of this provider takes. A provider may declare a common key
/// again to mark it required for itself (termii's `sender`): its declaration wins, so
/// `check`, `send` and `otp providers NAME` all read the one declaration.
pub fn known_keys(schema: &Schema) -> impl Iterator<Item = &'static Key> + '_ {
    let own = schema.keys;
    COMMON_KEYS
        .iter()
        .map(move |c| own.iter().find(|k| k.name == c.name).unwrap_or(c))
        .chain(
            own.iter()
                .filter(|k| !COMMON_KEYS.iter().any(|c| c.name == k.name)),
        )
}

/// An env value for key `k` as the file would hold it. Lists take the TOML/JSON array
/// form (`["234", "1"]`) or the comma form (`234,1`); tables the TOML inline-table form
/// (`{ fr = "Code {{code}}" }`). What cannot be read is refused, never taken literally.
fn env_typed(k: &Key, v: String) -> Result<Value, Failure> {
    let parsed = |v: &str| -> Option<Value> {
        let t: toml::Table = format!("v = {v}").parse().ok()?;
        t.get("v").cloned()
    };
    let value = match k.ty {
        KeyType::List if v.trim_start().starts_with('[') => parsed(&v),
        KeyType::List => Some(Value::Array(
            v.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| Value::String(p.to_string()))
                .collect(),
        )),
        KeyType::Table => parsed(&v).filter(Value::is_table),
        _ => return Ok(Value::String(v)),
    };
    let (form, example) = match k.ty {
        KeyType::List => ("a list", "'[\"234\", \"44\"]' or 234,44"),
        _ => (
            "a TOML inline table",
            "'{ fr = \"Votre code : {{code}}\" }'",
        ),
    };
    let bad = || {
        Failure::config(format!(
            "{} must be {form}, and its value cannot be read as one",
            env_name(k.name)
        ))
        .hint(format!("write it like {example}"))
    };
    let value = value.ok_or_else(bad)?;
    check_type(k, &value, &env_name(k.name)).map_err(|_| bad())?;
    Ok(value)
}

pub fn env_name(key: &str) -> String {
    format!("OTP_{}", key.to_ascii_uppercase())
}

/// A warning for each `OTP_*` variable set in the environment that names no key any
/// provider or the file takes, with the nearest one that does (`OTP_LENTH` ->
/// `OTP_LENGTH`): an unknown file key is an error, a typo in a variable must not pass in
/// silence either. `also` adds the names the command line reads (`OTP_CONFIG`, ...); a
/// variable the file reads a secret from (`{ env = "OTP_TERMII_KEY" }`) is known too.
pub fn unknown_env(file: &ConfigFile, schemas: &[Schema], also: &[&str]) -> Vec<String> {
    let mut known: Vec<String> = COMMON_KEYS
        .iter()
        .chain(schemas.iter().flat_map(|s| s.keys.iter()))
        .map(|k| env_name(k.name))
        .chain(STORE_KEYS.iter().map(|k| env_name(k)))
        .chain(also.iter().map(|k| k.to_string()))
        .collect();
    known.sort();
    known.dedup();
    let referenced: Vec<String> = file
        .profiles
        .values()
        .flat_map(|t| t.values())
        .chain(file.store.values())
        .filter_map(|v| v.get("env").and_then(Value::as_str).map(str::to_string))
        .collect();
    let mut set: Vec<String> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
        .filter(|(k, v)| k.starts_with("OTP_") && !v.is_empty())
        .map(|(k, _)| k)
        .filter(|k| !known.contains(k) && !referenced.contains(k))
        .collect();
    set.sort();
    set.into_iter()
        .map(|var| {
            let shown = crate::redact::strip_controls(&var);
            let near = known
                .iter()
                .map(|k| (strsim::normalized_damerau_levenshtein(&var, k), k))
                .filter(|(score, _)| *score >= 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match near {
                Some((_, k)) => {
                    format!("{shown} is not a variable otp reads (ignored); did you mean {k}?")
                }
                None => format!(
                    "{shown} is not a variable otp reads (ignored); `otp providers NAME` lists the keys, each also OTP_<KEY>"
                ),
            }
        })
        .collect()
}

fn env_value(key: &str) -> Option<String> {
    std::env::var(env_name(key)).ok().filter(|v| !v.is_empty())
}

impl Profile {
    /// Resolve profile `name` of `file` with env and `flags` laid over it. `flags` are
    /// (key, value) pairs from the command line, `provider` among them when given.
    /// `schemas` are the providers a profile may name.
    pub fn resolve(
        file: &ConfigFile,
        name: Option<&str>,
        flags: &[(&'static str, String)],
        schemas: &[Schema],
    ) -> Result<Profile, Failure> {
        Profile::resolve_with(file, name, flags, schemas, env_value)
    }

    /// The profile as the file alone says it (`config check` validates the file, so
    /// OTP_* variables must neither fill its gaps nor hide its keys).
    pub fn resolve_file(
        file: &ConfigFile,
        name: Option<&str>,
        schemas: &[Schema],
    ) -> Result<Profile, Failure> {
        Profile::resolve_with(file, name, &[], schemas, |_| None)
    }

    fn resolve_with(
        file: &ConfigFile,
        name: Option<&str>,
        flags: &[(&'static str, String)],
        schemas: &[Schema],
        env_value: fn(&str) -> Option<String>,
    ) -> Result<Profile, Failure> {
        let empty = toml::Table::new();
        let table = match name {
            Some(n) => file.profiles.get(n).unwrap_or(&empty),
            None => &empty,
        };
        let label = profile_label(name);
        let flag = |k: &str| {
            flags
                .iter()
                .find(|(fk, _)| *fk == k)
                .map(|(_, v)| v.clone())
        };

        let (provider, source) = if let Some(p) = flag("provider") {
            (p, Source::Flag)
        } else if let Some(p) = env_value("provider") {
            (p, Source::Env)
        } else if let Some(v) = table.get("provider") {
            match v {
                Value::String(s) => (s.clone(), Source::File),
                _ => {
                    return Err(Failure::config(format!(
                        "provider in {label} must be a string"
                    )))
                }
            }
        } else if name.is_none() {
            // With no profile at all, the first provider (the console) plays the phone.
            (
                schemas.first().map_or("", |s| s.id).to_string(),
                Source::Default,
            )
        } else {
            return Err(
                Failure::config(format!("{label} sets no provider")).hint(format!(
                    "add provider = \"...\" ({})",
                    ids(schemas).join(", ")
                )),
            );
        };
        let info = *find(schemas, &provider).ok_or_else(|| {
            let msg = format!(
                "unknown provider \"{provider}\"; did you mean \"{}\"?",
                nearest(&provider, ids(schemas).into_iter())
            );
            let f = if source == Source::Flag {
                Failure::usage(msg)
            } else {
                Failure::config(msg)
            };
            f.hint(format!("providers: {}", ids(schemas).join(", ")))
        })?;

        // A provider chosen by flag or env over the profile's own: the profile's
        // credentials, base URL and vendor keys belong to the other vendor and must not
        // be sent to this one. Only the vendor-neutral settings carry over.
        let file_provider = table
            .get("provider")
            .and_then(Value::as_str)
            .and_then(|p| find(schemas, p));
        let foreign = file_provider.is_some_and(|fp| fp.id != info.id);
        let vendor_key =
            |name: &str| name == "base_url" || !COMMON_KEYS.iter().any(|c| c.name == name);
        let mut values = BTreeMap::new();
        for (key, value) in table {
            if foreign && vendor_key(key) {
                continue;
            }
            let Some(k) = known_keys(&info).find(|k| k.name == key) else {
                return Err(unknown_key(key, &label, &info));
            };
            check_type(k, value, &label)?;
            values.insert(
                k.name,
                Entry {
                    value: value.clone(),
                    source: Source::File,
                    origin: None,
                },
            );
        }
        // Likewise OTP_* credentials meant for the vendor OTP_PROVIDER names, when a
        // flag (or the record of a send) picked another one.
        let env_foreign = env_value("provider")
            .and_then(|p| find(schemas, &p))
            .is_some_and(|ep| ep.id != info.id);
        for k in known_keys(&info) {
            if env_foreign && vendor_key(k.name) {
                continue;
            }
            if let Some(v) = env_value(k.name) {
                let value = env_typed(k, v)?;
                values.insert(
                    k.name,
                    Entry {
                        value,
                        source: Source::Env,
                        origin: None,
                    },
                );
            }
        }
        for (k, v) in flags {
            if let Some(key) = known_keys(&info).find(|key| key.name == *k) {
                values.insert(
                    key.name,
                    Entry {
                        value: Value::String(v.clone()),
                        source: Source::Flag,
                        origin: None,
                    },
                );
            }
        }
        values.insert(
            "provider",
            Entry {
                value: Value::String(info.id.to_string()),
                source,
                origin: None,
            },
        );
        // Last, the standard stand-ins of keys the profile left unset (AWS's variables
        // and shared files): they are the user's, not otp's, so they apply to a file
        // check too.
        aws::fill(&mut values, known_keys(&info))?;
        Ok(Profile {
            name: name.map(str::to_string),
            schema: info,
            values,
            dir: file
                .path
                .as_ref()
                .and_then(|p| p.parent().map(Path::to_path_buf)),
            foreign_from: file_provider.filter(|_| foreign).map(|fp| fp.id),
        })
    }

    /// `profile "ng"`, or the words for a run without a profile.
    pub fn label(&self) -> String {
        profile_label(self.name.as_deref())
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.values.get(key)
    }

    pub fn source(&self, key: &str) -> Option<Source> {
        self.entry(key).map(|e| e.source)
    }

    /// A failure for a bad value: usage (exit 2) when it came from a flag, config
    /// (exit 3) when from the file or env.
    pub fn bad_value(&self, key: &str, msg: impl Into<String>) -> Failure {
        let msg = msg.into();
        match self.source(key) {
            Some(Source::Flag) => Failure::usage(msg),
            Some(Source::Env) => Failure::config(format!("{msg} (from {})", env_name(key))),
            Some(Source::Standard) => Failure::config(format!(
                "{msg} (from {})",
                self.entry(key)
                    .and_then(|e| e.origin.clone())
                    .unwrap_or_default()
            )),
            _ => Failure::config(format!("{msg} (in {})", self.label())),
        }
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match &self.entry(key)?.value {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// A string value, numbers accepted (sim = 1).
    pub fn text(&self, key: &str) -> Option<String> {
        match &self.entry(key)?.value {
            Value::String(s) => Some(s.clone()),
            Value::Integer(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Boolean(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, Failure> {
        match self.entry(key).map(|e| &e.value) {
            None => Ok(None),
            Some(Value::Integer(i)) => Ok(Some(*i)),
            Some(Value::String(s)) => s.trim().parse::<i64>().map(Some).map_err(|_| {
                self.bad_value(key, format!("{key} must be a whole number, not \"{s}\""))
            }),
            Some(_) => Err(self.bad_value(key, format!("{key} must be a whole number"))),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, Failure> {
        match self.entry(key).map(|e| &e.value) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(Some(true)),
                "false" | "0" | "no" | "off" => Ok(Some(false)),
                _ => Err(self.bad_value(key, format!("{key} must be true or false, not \"{s}\""))),
            },
            Some(_) => Err(self.bad_value(key, format!("{key} must be true or false"))),
        }
    }

    pub fn duration(&self, key: &str) -> Result<Option<Duration>, Failure> {
        match self.entry(key).map(|e| &e.value) {
            None => Ok(None),
            Some(Value::String(s)) => parse_duration(s).map(Some).map_err(|e| {
                let name = match self.source(key) {
                    Some(Source::Flag) => format!("--{}", key.replace('_', "-")),
                    _ => key.to_string(),
                };
                self.bad_value(key, format!("{name}: {e}"))
            }),
            Some(_) => Err(self.bad_value(key, format!("{key} must be a duration such as \"5m\""))),
        }
    }

    /// A list of strings (`["234", "44"]`, or `234,44` from env).
    pub fn list(&self, key: &str) -> Vec<String> {
        match self.entry(key).map(|e| &e.value) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.trim().to_string()),
                    Value::Integer(i) => Some(i.to_string()),
                    _ => None,
                })
                .collect(),
            Some(Value::String(s)) => s
                .split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            Some(Value::Integer(i)) => vec![i.to_string()],
            _ => Vec::new(),
        }
    }

    /// `allowed_countries`, each entry checked to be a calling code (`"234"`, `"+44"`).
    /// An ISO code such as "NG" is refused with its calling code in the hint, here for
    /// `send` and `config check` alike.
    pub fn allowed_countries(&self) -> Result<Vec<String>, Failure> {
        let entries = self.list("allowed_countries");
        let mut codes = Vec::new();
        for c in &entries {
            let code = c.trim().trim_start_matches('+');
            if crate::phone::is_calling_code(code) {
                codes.push(code.to_string());
                continue;
            }
            let shown = crate::redact::strip_controls(c);
            let msg = format!("allowed_countries: \"{shown}\" is not a country calling code");
            let hint = match crate::phone::calling_code_for(code) {
                Some(cc) => format!(
                    "allowed_countries takes calling codes, not ISO codes: {} is \"{cc}\"",
                    code.to_ascii_uppercase()
                ),
                None => "write calling codes such as [\"234\", \"44\"]".to_string(),
            };
            return Err(self.bad_value("allowed_countries", msg).hint(hint));
        }
        Ok(codes)
    }

    /// `templates.<lang>` pairs.
    pub fn templates(&self) -> Vec<(String, String)> {
        match self.entry("templates").map(|e| &e.value) {
            Some(Value::Table(t)) => t
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A secret, resolved from its source; None when the key is not set anywhere.
    pub fn secret(&self, key: &str) -> Result<Option<Secret>, Failure> {
        self.secret_text(key, false)
    }

    /// A secret that may span lines (a PEM private key); `secret` is the one-line form.
    pub fn secret_text(&self, key: &str, multiline: bool) -> Result<Option<Secret>, Failure> {
        let Some(entry) = self.entry(key) else {
            return Ok(None);
        };
        let where_ = match entry.source {
            Source::Env => env_name(key),
            Source::Standard => entry.origin.clone().unwrap_or_default(),
            Source::Flag => format!("--{key}"),
            _ => format!("{key} in {}", self.label()),
        };
        secret::resolve(&entry.value, key, &where_, multiline, |p| {
            self.resolve_path(p)
        })
        .map(Some)
    }

    /// Key material (a PEM private key, say) given as the text itself or as the path of
    /// a file holding it: a plain value, or a secret source whose text, that lacks
    /// `marker` (`-----BEGIN`), is a path (relative to the config file's folder). The
    /// file is read like a `{ file }` secret: a regular file, at most 64 KiB. None
    /// when the key is not set anywhere.
    pub fn secret_material(&self, key: &str, marker: &str) -> Result<Option<Secret>, Failure> {
        let Some(text) = self.secret_text(key, true)? else {
            return Ok(None);
        };
        if text.expose().contains(marker) {
            return Ok(Some(text));
        }
        let path = self.resolve_path(text.expose().trim());
        let what = match self.source(key) {
            Some(Source::Env) => env_name(key),
            _ => format!("{key} in {}", self.label()),
        };
        let bytes = secret::read_bounded(&path, secret::SECRET_MAX).map_err(|e| {
            Failure::config(format!("{what} names {}, which {}", path.display(), e)).hint(format!(
                "give the path of the file, or the {marker}... text itself"
            ))
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Failure::config(format!(
                "{what} names {}, which is not text",
                path.display()
            ))
        })?;
        Ok(Some(Secret::new(text)))
    }

    /// A credential the provider cannot work without.
    pub fn require_secret(&self, key: &str) -> Result<Secret, Failure> {
        self.secret(key)?.ok_or_else(|| self.missing(key))
    }

    /// A required non-secret value (cinnox app_id, say).
    pub fn require_text(&self, key: &str) -> Result<String, Failure> {
        self.text(key)
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| self.missing(key))
    }

    /// Every key the provider declares required that has no value (or a blank one).
    /// `send` refuses on the first, `config check` lists them all.
    pub fn missing_required(&self) -> Vec<Failure> {
        known_keys(&self.schema)
            .filter(|k| k.required)
            .filter(|k| match self.entry(k.name).map(|e| &e.value) {
                None => true,
                Some(Value::String(s)) => s.trim().is_empty(),
                Some(_) => false,
            })
            .map(|k| self.missing(k.name))
            .collect()
    }

    pub fn missing(&self, key: &str) -> Failure {
        let id = self.schema.id;
        let declared = known_keys(&self.schema).find(|k| k.name == key);
        let secret = declared.is_some_and(|k| k.secret());
        let example = if secret {
            format!(
                "{key} = {{ env = \"{}_{}\" }}",
                id.to_ascii_uppercase(),
                key.to_ascii_uppercase()
            )
        } else {
            format!("{key} = \"...\"")
        };
        if let Some(other) = self.foreign_from {
            return Failure::config(format!(
                "{id} needs `{key}`; {} is for {other}, whose credentials are not sent to {id}",
                self.label()
            ))
            .hint(format!(
                "export {} for {id}, or use a profile made for {id}",
                env_name(key)
            ));
        }
        let place = match &self.name {
            Some(n) => format!("set {example} in [profiles.{n}]"),
            None => "add a profile with `otp config init`".to_string(),
        };
        // A credential's hint says where the vendor shows it; a setting's (a sender),
        // what it is.
        let setting = key != "base_url" && COMMON_KEYS.iter().any(|c| c.name == key);
        let (what, about) = match declared {
            Some(k) if setting => (format!(" ({})", k.help), String::new()),
            _ => (String::new(), format!("; {}", self.schema.credentials_hint)),
        };
        let flag = if key == "sender" {
            ", pass --sender"
        } else {
            ""
        };
        // A key with standard stand-ins names them all, in the order they are read.
        let (also, tried) = match declared.and_then(|k| k.fallback) {
            Some(fb) => (
                format!(", {}", aws::describe(&fb, key)),
                format!(", {}", aws::tried(&fb)),
            ),
            None => (String::new(), String::new()),
        };
        // Set, but to nothing (`--sender ''`, `sender = ""`): that is what to fix.
        let blank = match self.entry(key) {
            Some(Entry {
                value: Value::String(v),
                source,
                ..
            }) if v.trim().is_empty() => Some(match source {
                Source::Flag => format!("--{key} is empty"),
                Source::Env => format!("{} is empty", env_name(key)),
                _ => format!("{key} in {} is empty", self.label()),
            }),
            _ => None,
        };
        if let Some(blank) = blank {
            let f =
                Failure::config(format!("{id} needs `{key}`{what}, but {blank}")).hint(format!(
                    "give it a value: {place}{flag}, or export {}{about}",
                    env_name(key)
                ));
            return match self.source(key) {
                Some(Source::Flag) => {
                    Failure::usage(f.message.clone()).hint(f.hint.unwrap_or_default())
                }
                _ => f,
            };
        }
        Failure::config(format!(
            "{id} needs `{key}`{what}, and {} does not set it{tried}",
            self.label()
        ))
        .hint(format!(
            "{place}{flag}, or export {}{also}{about}",
            env_name(key)
        ))
    }

    /// The base URL: the profile's (checked) or the vendor default, without a trailing '/'.
    pub fn base_url(&self) -> Result<String, Failure> {
        let url = match self.str("base_url") {
            Some(u) if !u.trim().is_empty() => u.trim().to_string(),
            _ => match self.schema.default_base_url {
                Some(d) => d.to_string(),
                None => return Err(self.missing("base_url")),
            },
        };
        check_base_url(&url).map_err(|m| self.bad_value("base_url", m))?;
        Ok(url.trim_end_matches('/').to_string())
    }

    pub fn resolve_path(&self, p: &str) -> PathBuf {
        if let Some(rest) = p.strip_prefix("~/") {
            if let Some(home) = std::env::var_os("HOME") {
                return PathBuf::from(home).join(rest);
            }
        }
        let path = PathBuf::from(p);
        match (&self.dir, path.is_relative()) {
            (Some(dir), true) => dir.join(path),
            _ => path,
        }
    }

    /// `ca_file` (profile) or `SSL_CERT_FILE`, as a path.
    pub fn ca_file(&self) -> Option<PathBuf> {
        self.str("ca_file")
            .map(|p| self.resolve_path(p))
            .or_else(|| std::env::var_os("SSL_CERT_FILE").map(PathBuf::from))
    }
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may hold secrets: only the keys are shown.
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("provider", &self.schema.id)
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

pub fn profile_label(name: Option<&str>) -> String {
    match name {
        // A name is the user's text, but it still must not steer the terminal.
        Some(n) => format!("profile \"{}\"", crate::redact::strip_controls(n)),
        None => "the environment (no profile)".to_string(),
    }
}

fn ids(schemas: &[Schema]) -> Vec<&'static str> {
    schemas.iter().map(|s| s.id).collect()
}

fn unknown_key(key: &str, label: &str, info: &Schema) -> Failure {
    if let Some(f) = misplaced_top_key(key, label) {
        return f;
    }
    let near = nearest(key, known_keys(info).map(|k| k.name));
    Failure::config(format!(
        "unknown key `{key}` in {label} ({}); the nearest valid key is `{near}`",
        info.id
    ))
    .hint(format!(
        "`otp providers {}` lists the keys it takes",
        info.id
    ))
}

pub fn check_type(k: &Key, v: &Value, label: &str) -> Result<(), Failure> {
    let ok = match k.ty {
        KeyType::Str => {
            matches!(v, Value::String(_))
                || (k.name != "provider" && matches!(v, Value::Integer(_)))
        }
        KeyType::Secret => secret::is_source(v),
        KeyType::Int => matches!(v, Value::Integer(_)),
        KeyType::Bool => matches!(v, Value::Boolean(_)),
        KeyType::Duration => match v {
            Value::String(s) => parse_duration(s).is_ok(),
            _ => false,
        },
        KeyType::List => match v {
            Value::Array(a) => a.iter().all(|x| x.is_str() || x.is_integer()),
            _ => false,
        },
        KeyType::Table => match v {
            Value::Table(t) => t.values().all(Value::is_str),
            _ => false,
        },
    };
    if ok {
        return Ok(());
    }
    if let Some(f) = what_is_wrong(k, v, label) {
        return Err(f);
    }
    let want = match k.ty {
        KeyType::Str => "a string",
        KeyType::Secret => {
            "a string, { env = \"VAR\" }, { file = \"PATH\" } or { command = [\"prog\", \"arg\"] }"
        }
        KeyType::Int => "a whole number",
        KeyType::Bool => "true or false",
        KeyType::Duration => "a duration such as \"30s\", \"5m\" or \"1m30s\"",
        KeyType::List if k.name == "fallback" => "a list of profile names such as [\"backup\"]",
        KeyType::List => "a list such as [\"234\", \"44\"]",
        KeyType::Table => "a table of strings",
    };
    let f = Failure::config(format!("{} in {label} must be {want}", k.name));
    // A single value where a list goes: the fix is the brackets.
    Err(match (k.ty, v) {
        (KeyType::List, Value::String(one)) => f.hint(format!(
            "write {} = [\"{}\"]",
            k.name,
            crate::redact::strip_controls(one)
        )),
        _ => f,
    })
}

/// What exactly is wrong with a value of the wrong shape, where more can be said than
/// its type: a secret written as a number or with a misspelt source, a duration that
/// does not parse (its own words), a top-level key inside a profile.
fn what_is_wrong(k: &Key, v: &Value, label: &str) -> Option<Failure> {
    let name = k.name;
    match (k.ty, v) {
        (KeyType::Secret, Value::Integer(_) | Value::Float(_)) => Some(
            // The value is the secret: it is not echoed.
            Failure::config(format!(
                "{name} in {label} is a number; a secret is text, so TOML needs it in quotes"
            ))
            .hint(format!(
                "write {name} = \"...\" with the value in quotes, or {name} = {{ env = \"VAR\" }}"
            )),
        ),
        (KeyType::Secret, Value::Table(t)) => {
            let sources = ["env", "file", "command"];
            let unknown = t.keys().find(|s| !sources.contains(&s.as_str()))?;
            let near = strsim_close(unknown, &sources);
            let shown = crate::redact::strip_controls(unknown);
            Some(
                Failure::config(match near {
                    Some(n) => format!(
                        "{name} in {label} names the source `{shown}`; did you mean `{n}`?"
                    ),
                    None => format!(
                        "{name} in {label} names the source `{shown}`, which is not one otp reads"
                    ),
                })
                .hint("a secret is a string, { env = \"VAR\" }, { file = \"PATH\" } or { command = [\"prog\", \"arg\"] }"),
            )
        }
        (KeyType::Duration, Value::String(s)) => parse_duration(s)
            .err()
            .map(|e| Failure::config(format!("{name} in {label}: {e}"))),
        _ => None,
    }
}

/// The one of `candidates` close enough to `word` to be what was meant.
fn strsim_close<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(word, c), *c))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A key of the file's top level (`default_profile`, `store`, ...) written inside a
/// profile table: it is not misspelt, it is misplaced.
pub fn misplaced_top_key(key: &str, label: &str) -> Option<Failure> {
    let top = key == "default_profile" || STORE_KEYS.contains(&key);
    top.then(|| {
        Failure::config(format!(
            "`{key}` in {label} is a top-level key, not a profile key"
        ))
        .hint(format!(
            "move `{key} = ...` above the first [profiles.NAME] table"
        ))
    })
}

/// Durations are written one way wherever they come from (flag, variable, file): the
/// command line's parser is the one home of the form.
pub use crate::cli::parse_duration;
#[cfg(test)]
pub use crate::cli::MAX_DURATION;

/// The README: https:// everywhere but loopback.
pub fn check_base_url(url: &str) -> Result<(), String> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("base_url \"{url}\" is not a URL: {e}"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // It would be printed wherever the URL is, and sent as Basic auth besides.
        return Err(
            "base_url must not carry a user name or password; credentials go in the profile's secret keys"
                .into(),
        );
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err(format!(
                    "base_url \"{url}\" uses http:// to a host that is not loopback; use https://"
                ))
            }
        }
        other => Err(format!(
            "base_url \"{url}\" has scheme {other}:; use https://"
        )),
    }
}

/// Write a new file at `path` with mode 0600, inside a 0700 folder, failing if it
/// exists. Modes are set at open time, so the umask never widens them.
pub fn create_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

/// The starter file `config init` writes: a live profile for `provider`, and every other
/// provider's example commented out.
#[cfg(test)]
pub fn starter(provider: &Schema, schemas: &[Schema]) -> String {
    starter_named(provider, provider.id, schemas)
}

/// `starter` with the live profile named `name` (a bare TOML key: letters, digits, `-`
/// and `_`).
pub fn starter_named(provider: &Schema, name: &str, schemas: &[Schema]) -> String {
    let mut s = String::from(
        "# otp configuration. Every key can also come from OTP_<KEY> in the environment;\n\
         # a flag beats the environment, which beats this file. `otp config show` tells\n\
         # which won; `otp config check` validates this file.\n\
         # Secrets: a string, { env = \"VAR\" }, { file = \"PATH\" } or { command = [\"pass\", \"show\", \"x\"] }.\n\n",
    );
    s.push_str(&format!("default_profile = \"{name}\"\n\n"));
    s.push_str(&format!(
        "[profiles.{name}]\n{}\n",
        provider.example.trim_end()
    ));
    for other in schemas.iter().filter(|i| i.id != provider.id) {
        s.push_str(&format!("\n# [profiles.{}]\n", other.id));
        for line in other.example.trim_end().lines() {
            s.push_str(&format!("# {line}\n"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A provider with no keys of its own, as config sees it.
    const CONSOLE: Schema = Schema {
        id: "console",
        aliases: &[],
        keys: &[],
        default_base_url: None,
        credentials_hint: "",
        example: "",
    };

    fn file(text: &str) -> ConfigFile {
        ConfigFile::parse(text, Path::new("/x/config.toml")).unwrap()
    }

    #[test]
    fn unknown_key_names_key_profile_and_nearest() {
        let f = file("[profiles.dev]\nprovider = \"console\"\nlenght = 6\n");
        let e = Profile::resolve(&f, Some("dev"), &[], &[CONSOLE]).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(e.message.contains("`lenght`"), "{}", e.message);
        assert!(e.message.contains("profile \"dev\""));
        assert!(e.message.contains("`length`"));
    }

    #[test]
    fn profile_selection() {
        let f = file("[profiles.a]\nprovider=\"console\"\n[profiles.b]\nprovider=\"console\"\n");
        assert!(f.select(None).is_err());
        assert_eq!(f.select(Some("b")).unwrap().as_deref(), Some("b"));
        assert!(f.select(Some("c")).is_err());
        let f = file("[profiles.a]\nprovider=\"console\"\n");
        assert_eq!(f.select(None).unwrap().as_deref(), Some("a"));
        let f = file("default_profile=\"b\"\n[profiles.a]\nprovider=\"console\"\n[profiles.b]\nprovider=\"console\"\n");
        assert_eq!(f.select(None).unwrap().as_deref(), Some("b"));
        assert_eq!(ConfigFile::default().select(None).unwrap(), None);
    }

    #[test]
    fn bad_types_and_top_level_keys() {
        let f = ConfigFile::parse("defualt_profile = 1\nx = 2", Path::new("c")).unwrap();
        assert_eq!(f.unknown_top, ["defualt_profile", "x"]);
        assert!(f
            .unknown_top_failure()
            .message
            .contains("`defualt_profile`, `x`"));
        let f = file("[profiles.a]\nprovider=\"console\"\nlength=\"six\"\n");
        assert!(Profile::resolve(&f, Some("a"), &[], &[CONSOLE]).is_err());
        let f = file("[profiles.a]\nprovider=\"console\"\nttl=\"5\"\n");
        assert!(Profile::resolve(&f, Some("a"), &[], &[CONSOLE]).is_err());
    }

    #[test]
    fn flags_beat_file() {
        let f = file("[profiles.a]\nprovider=\"console\"\nsender=\"File\"\n");
        let p = Profile::resolve(&f, Some("a"), &[("sender", "Flag".into())], &[CONSOLE]).unwrap();
        assert_eq!(p.str("sender"), Some("Flag"));
        assert_eq!(p.source("sender"), Some(Source::Flag));
    }

    #[test]
    fn base_url_rules() {
        assert!(check_base_url("https://api.ng.termii.com").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://localhost").is_ok());
        assert!(check_base_url("http://[::1]:9").is_ok());
        assert!(check_base_url("http://api.ng.termii.com").is_err());
        assert!(check_base_url("ftp://x").is_err());
        assert!(check_base_url("not a url").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert!(parse_duration("90").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
