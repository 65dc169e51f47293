//! What `config check` found, as one value: the profile and key a problem is about,
//! what is wrong, and the next step.

use crate::config;
use crate::error::Failure;
use crate::providers;

/// One problem `config check` found: the profile and key it is about (where one is),
/// what is wrong, and the next step. The JSON document has these four fields; text
/// mode prints the message and its `hint:` line.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub profile: Option<String>,
    pub key: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    /// A failure as a problem of `profile`; the key is the one the message is about.
    pub fn of(profile: Option<&str>, f: &Failure) -> Problem {
        Problem {
            profile: profile.map(str::to_string),
            key: key_named(&f.message),
            message: f.message.clone(),
            hint: f.hint.clone(),
        }
    }

    pub fn text(profile: Option<&str>, message: String) -> Problem {
        Problem::of(profile, &Failure::config(message))
    }

    pub fn texts(profile: Option<&str>, messages: Vec<String>) -> Vec<Problem> {
        messages
            .into_iter()
            .map(|m| Problem::text(profile, m))
            .collect()
    }

    /// The key, where the caller knows it better than the message's words.
    pub fn key(mut self, key: &str) -> Problem {
        self.key = Some(key.to_string());
        self
    }

    /// The problem as the failure `output::error` prints.
    pub fn failure(&self) -> Failure {
        let f = Failure::config(self.message.clone());
        match &self.hint {
            Some(h) => f.hint(h.clone()),
            None => f,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "profile": self.profile,
            "key": self.key,
            "message": crate::redact::scrub(&self.message),
            "hint": self.hint.as_deref().map(crate::redact::scrub),
        })
    }
}

/// The key a check's message is about: its first word when that is a key any profile or
/// the file takes (`ttl in profile "a" ...`, `limits.number in ...`), else the first
/// key in backquotes (`termii needs \`sender\``, "unknown key \`lenght\`").
fn key_named(message: &str) -> Option<String> {
    let schemas = providers::schemas();
    let known = |w: &str| {
        ["default_profile", "profiles"].contains(&w)
            || config::STORE_KEYS.contains(&w)
            || config::COMMON_KEYS
                .iter()
                .chain(schemas.iter().flat_map(|s| s.keys.iter()))
                .any(|k| k.name == w)
    };
    let first = message
        .split([' ', ':', ','])
        .next()
        .unwrap_or("")
        .split('.')
        .next()
        .unwrap_or("");
    if known(first) {
        return Some(first.to_string());
    }
    let quoted = message.split('`').nth(1)?;
    // A key's shape: `lenght`, `api_key`; not TOML's own words (`.`, `]`).
    Some(quoted.to_string()).filter(|q| {
        q.starts_with(|c: char| c.is_ascii_alphabetic())
            && q.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
}
