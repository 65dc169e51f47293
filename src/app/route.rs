//! Routes by destination: the top-level `routes` table maps a calling code (or any
//! longer prefix of a number's digits, `"1242"` beside `"1"`) to a profile or a chain of
//! profiles, with `"*"` for every other number. `send` without `-p` takes the longest
//! key the number starts with; the chain's first profile sends and the rest are its
//! fallback. Reading, picking and checking the table are pure; `for_send` is the one
//! place that loads the file for them.

use crate::cli::Global;
use crate::config::{self, ConfigFile};
use crate::error::Failure;
use crate::phone::{self, Phone};
use toml::Value;

/// The key that catches every number no other key matches.
pub const DEFAULT_KEY: &str = "*";

/// One route: its key as written (a leading `+` dropped) and its profiles in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub key: String,
    pub chain: Vec<String>,
}

/// The table, in the order it was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Routes {
    pub entries: Vec<Route>,
}

impl Routes {
    /// Read the table. Every entry that reads is kept; each one that does not (a key
    /// that is not digits, a prefix written twice, a value that is neither a profile
    /// name nor a list of them) is a problem of its own, so `config check` lists them
    /// all and `send` refuses on the first.
    pub fn parse(v: &Value) -> (Routes, Vec<String>) {
        let mut routes = Routes::default();
        let mut problems = Vec::new();
        let Value::Table(t) = v else {
            problems.push(
                "routes must be a table of calling code to profile, such as { \"234\" = \"ng\", \"*\" = [\"twilio\", \"vonage\"] }"
                    .to_string(),
            );
            return (routes, problems);
        };
        let mut written: Vec<(String, String)> = Vec::new();
        for (raw, value) in t {
            let shown = crate::redact::strip_controls(raw);
            let key = raw.trim().trim_start_matches('+').to_string();
            if key != DEFAULT_KEY && (key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit())) {
                problems.push(format!(
                    "routes key \"{shown}\" is not a calling code: a key is the digits a number starts with (\"234\", \"1242\") or \"*\""
                ));
                continue;
            }
            if let Some((first, _)) = written.iter().find(|(_, k)| *k == key) {
                problems.push(format!(
                    "routes has the prefix {} twice (\"{}\" and \"{shown}\")",
                    shown_key(&key),
                    crate::redact::strip_controls(first)
                ));
                continue;
            }
            if key != DEFAULT_KEY && key.len() >= 3 && calling_code_of(&key).is_none() {
                problems.push(format!(
                    "routes key \"{shown}\" matches no number: no country calling code starts +{key}"
                ));
                continue;
            }
            let chain: Option<Vec<String>> = match value {
                Value::String(s) => Some(vec![s.trim().to_string()]),
                Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().map(|s| s.trim().to_string()))
                    .collect(),
                _ => None,
            };
            match chain {
                Some(c) if !c.is_empty() && c.iter().all(|n| !n.is_empty()) => {
                    written.push((raw.clone(), key.clone()));
                    routes.entries.push(Route { key, chain: c });
                }
                _ => problems.push(format!(
                    "routes.\"{shown}\" must be a profile name or a non-empty list of them, such as \"ng\" or [\"ng\", \"ng_backup\"]"
                )),
            }
        }
        // "*" last, as it is the last resort.
        routes
            .entries
            .sort_by(|a, b| (a.key == DEFAULT_KEY, &a.key).cmp(&(b.key == DEFAULT_KEY, &b.key)));
        (routes, problems)
    }

    /// The route for a number's digits (calling code first, no `+`): the longest key
    /// the digits start with, else `"*"`; None when neither exists.
    pub fn pick(&self, digits: &str) -> Option<&Route> {
        self.entries
            .iter()
            .filter(|r| r.key != DEFAULT_KEY && digits.starts_with(r.key.as_str()))
            .max_by_key(|r| r.key.len())
            .or_else(|| self.entries.iter().find(|r| r.key == DEFAULT_KEY))
    }
}

/// `+234`, or `"*"` for the default route.
pub fn shown_key(key: &str) -> String {
    if key == DEFAULT_KEY {
        "\"*\"".to_string()
    } else {
        format!("+{key}")
    }
}

/// The calling code a key starts with (`"1242"` -> `"1"`), if any.
fn calling_code_of(key: &str) -> Option<&str> {
    (1..=3.min(key.len()))
        .map(|n| &key[..n])
        .find(|c| phone::is_calling_code(c))
}

/// A profile name of a route that the file does not have: the problem, with the nearest.
fn unknown_profile(key: &str, name: &str, known: &[&str]) -> Option<String> {
    if known.contains(&name) {
        return None;
    }
    let near = match known {
        [] => "the file has no profiles".to_string(),
        _ => format!(
            "did you mean \"{}\"?",
            config::nearest(name, known.iter().copied())
        ),
    };
    Some(format!(
        "routes.\"{}\" names profile \"{}\", which the file does not have ({near})",
        crate::redact::strip_controls(key),
        crate::redact::strip_controls(name)
    ))
}

/// Whether a profile whose `allowed_countries` is `allowed` can take any number the
/// route `key` matches.
fn allows(key: &str, allowed: &[String]) -> bool {
    if allowed.is_empty() || key == DEFAULT_KEY {
        return true;
    }
    match calling_code_of(key) {
        Some(cc) => allowed.iter().any(|a| a == cc),
        // A key shorter than any calling code ("2"): some code it covers must be allowed.
        None => allowed.iter().any(|a| a.starts_with(key)),
    }
}

/// Every problem of the file's `routes`, for `config check`: the table's own, profiles
/// the file does not have (with the nearest name), and a profile whose
/// `allowed_countries` refuses every number its route sends it. Pure.
pub fn problems(file: &ConfigFile) -> Vec<String> {
    let Some(v) = &file.routes else {
        return Vec::new();
    };
    let (routes, mut problems) = Routes::parse(v);
    let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
    for r in &routes.entries {
        for name in &r.chain {
            if let Some(p) = unknown_profile(&r.key, name, &known) {
                problems.push(p);
                continue;
            }
            let allowed = allowed_in_file(file, name);
            if !allows(&r.key, &allowed) {
                problems.push(format!(
                    "routes.\"{}\" sends numbers starting +{} through profile \"{}\", whose allowed_countries ({}) refuses them",
                    r.key,
                    r.key,
                    crate::redact::strip_controls(name),
                    allowed.join(", ")
                ));
            }
        }
    }
    problems
}

/// A profile's `allowed_countries` as the file writes it, `+` dropped.
fn allowed_in_file(file: &ConfigFile, name: &str) -> Vec<String> {
    file.profiles
        .get(name)
        .and_then(|t| t.get("allowed_countries"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.trim().trim_start_matches('+').to_string()),
                    Value::Integer(i) => Some(i.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A send's route: the key that matched, the chain, and the number as E.164 (so each
/// profile of the chain reads the same number, whatever its own `default_country`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routed {
    pub key: String,
    pub chain: Vec<String>,
    pub to: String,
}

impl Routed {
    /// The profile that sends first.
    pub fn first(&self) -> &str {
        &self.chain[0]
    }

    /// The rest of the chain: the first profile's fallback, before its own list.
    pub fn rest(&self) -> &[String] {
        &self.chain[1..]
    }
}

/// The route of a number (already read) in `routes`: exit 3 naming the calling code when
/// no key matches and there is no `"*"`, or when the route names a profile the file
/// does not have. Pure.
pub fn route_for(routes: &Routes, to: &Phone, known: &[&str]) -> Result<Routed, Failure> {
    let Some(r) = routes.pick(to.digits()) else {
        return Err(Failure::config(format!(
            "no route for {} (calling code +{}): routes has no key it starts with, and no \"*\"",
            to.masked(),
            to.calling_code()
        ))
        .hint(format!(
            "add \"{}\" = \"PROFILE\" or a \"*\" default to routes, or choose a profile with -p",
            to.calling_code()
        )));
    };
    if let Some(p) = r
        .chain
        .iter()
        .find_map(|n| unknown_profile(&r.key, n, known))
    {
        return Err(Failure::config(p).hint("fix routes, or choose a profile with -p"));
    }
    Ok(Routed {
        key: r.key.clone(),
        chain: r.chain.clone(),
        to: to.e164(),
    })
}

/// The route of `otp send --to NUMBER`, when the file (or `OTP_ROUTES`) has routes and
/// no `-p` / `OTP_PROFILE` chose a profile. The number is read before any profile is:
/// a number without `+` takes the `default_country` of `default_profile` (or
/// `OTP_DEFAULT_COUNTRY`), and without either must be written with `+`.
pub(super) fn for_send(g: &Global, to: &str) -> Result<Option<Routed>, Failure> {
    if g.profile.is_some() {
        return Ok(None);
    }
    let file = ConfigFile::load(g.config.as_deref())?;
    let Some(entry) = file.routes_value()? else {
        return Ok(None);
    };
    let (routes, problems) = Routes::parse(&entry.value);
    if let Some(p) = problems.into_iter().next() {
        let from = match entry.source {
            config::Source::Env => " (from OTP_ROUTES)",
            _ => "",
        };
        return Err(Failure::config(format!("{p}{from}"))
            .hint("`otp config check` lists every problem of the file"));
    }
    let country = std::env::var("OTP_DEFAULT_COUNTRY")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| {
            let d = file.default_profile.as_deref()?;
            file.profiles
                .get(d)?
                .get("default_country")?
                .as_str()
                .map(str::to_string)
        });
    let phone = Phone::parse(to, country.as_deref().map(str::trim)).map_err(|e| {
        let f = Failure::usage(format!("--to: {e}"));
        match country {
            Some(_) => f,
            None => f.hint(
                "routes choose the profile from the number, so write it with '+' and its calling code (or set default_country in default_profile)",
            ),
        }
    })?;
    let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
    route_for(&routes, &phone, &known).map(Some)
}

/// The table as `config show` prints it: one line per route, or the JSON object.
pub fn show(routes: &Routes) -> (Vec<String>, serde_json::Value) {
    let lines = routes
        .entries
        .iter()
        .map(|r| format!("{:<6} -> {}", r.key, r.chain.join(", ")))
        .collect();
    let json = routes
        .entries
        .iter()
        .map(|r| (r.key.clone(), serde_json::Value::from(r.chain.clone())))
        .collect::<serde_json::Map<_, _>>()
        .into();
    (lines, json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn routes(text: &str) -> (Routes, Vec<String>) {
        let t: toml::Table = format!("v = {text}").parse().unwrap();
        Routes::parse(&t["v"])
    }

    fn file(text: &str) -> ConfigFile {
        ConfigFile::parse(text, Path::new("/x/config.toml")).unwrap()
    }

    fn phone(s: &str) -> Phone {
        Phone::parse(s, None).unwrap()
    }

    #[test]
    fn the_longest_prefix_wins_and_star_takes_the_rest() {
        let (r, problems) = routes(
            r#"{ "1" = "us", "1242" = "bs", "234" = ["ng", "ng_backup"], "*" = ["twilio", "vonage"] }"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let key = |n: &str| r.pick(phone(n).digits()).map(|r| r.key.as_str());
        assert_eq!(key("+12425551234"), Some("1242"));
        assert_eq!(key("+12125551234"), Some("1"));
        assert_eq!(key("+2347065250817"), Some("234"));
        assert_eq!(key("+447700900123"), Some("*"));
        let ng = r.pick("2347065250817").unwrap();
        assert_eq!(ng.chain, ["ng", "ng_backup"]);
        let (r, _) = routes(r#"{ "234" = "ng" }"#);
        assert_eq!(r.pick("447700900123"), None);
    }

    #[test]
    fn a_number_no_route_matches_is_exit_3_naming_its_calling_code() {
        let (r, _) = routes(r#"{ "234" = "ng" }"#);
        let f = route_for(&r, &phone("+447700900123"), &["ng"]).unwrap_err();
        assert_eq!(f.exit_code(), 3);
        assert!(f.message.contains("+44"), "{}", f.message);
        let ok = route_for(&r, &phone("+2347065250817"), &["ng"]).unwrap();
        assert_eq!(
            (ok.key.as_str(), ok.first(), ok.rest().len()),
            ("234", "ng", 0)
        );
        assert_eq!(ok.to, "+2347065250817");
        let f = route_for(&r, &phone("+2347065250817"), &["nga"]).unwrap_err();
        assert!(f.message.contains("did you mean \"nga\""), "{}", f.message);
    }

    #[test]
    fn the_table_s_own_problems_are_each_listed() {
        let (r, problems) = routes(
            r#"{ "+1" = "us", "1" = "us2", "2x4" = "ng", "999" = "x", "44" = 5, "33" = [], "91" = "in" }"#,
        );
        assert_eq!(r.entries.len(), 2, "{r:?}");
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("twice")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("\"2x4\"")));
        assert!(problems.iter().any(|p| p.contains("+999")));
        assert!(problems.iter().any(|p| p.contains("routes.\"44\"")));
        assert!(problems.iter().any(|p| p.contains("routes.\"33\"")));
        let (_, problems) = routes("[\"ng\"]");
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn check_names_unknown_profiles_and_countries_a_profile_refuses() {
        let f = file(
            "routes = { \"234\" = [\"ng\", \"gh\"], \"1\" = \"ngg\", \"44\" = \"ng\", \"2\" = \"ng\", \"*\" = \"ng\" }\n\
             [profiles.ng]\nprovider = \"console\"\nallowed_countries = [\"234\"]\n\
             [profiles.us]\nprovider = \"console\"\n",
        );
        let problems = problems(&f);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems
            .iter()
            .any(|p| p.contains("\"gh\"") && p.contains("did you mean \"ng\"")));
        assert!(problems
            .iter()
            .any(|p| p.contains("\"ngg\"") && p.contains("did you mean")));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("routes.\"44\"") && p.contains("allowed_countries")),
            "{problems:?}"
        );
        // "2" covers +234, which ng allows; "*" is never refused.
        let ok = file(
            "routes = { \"234\" = \"ng\", \"2\" = \"ng\" }\n[profiles.ng]\nprovider = \"console\"\nallowed_countries = [\"+234\"]\n",
        );
        assert!(
            super::problems(&ok).is_empty(),
            "{:?}",
            super::problems(&ok)
        );
        let bad = file(
            "routes = { \"44\" = \"ng\" }\n[profiles.ng]\nprovider = \"console\"\nallowed_countries = [\"234\"]\n",
        );
        let p = super::problems(&bad);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("allowed_countries (234)"), "{p:?}");
    }

    #[test]
    fn show_lists_each_route() {
        let (r, _) = routes(r#"{ "234" = ["ng", "ng_backup"], "*" = "twilio" }"#);
        let (lines, json) = show(&r);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("234") && lines[0].ends_with("ng, ng_backup"));
        assert_eq!(json["*"], serde_json::json!(["twilio"]));
    }
}
