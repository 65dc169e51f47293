//! `otp config init`: a commented starter file, created 0600 and never over another one.
//! On a terminal (stdin and stderr) without `--provider`, a guided setup asks for the
//! provider and each key its declaration marks required, secrets read without echo or
//! stored as `{ env = "VAR" }`, then offers `config check --online`. With `--profile
//! NAME` on an existing file, that profile is added and the file's comments and layout
//! are kept (`toml_edit`).

use super::record::EchoOff;
use crate::cli::Global;
use crate::config::{self, KeyType};
use crate::error::Failure;
use crate::output::Printer;
use crate::providers::{self, Info};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use toml_edit::{DocumentMut, Item, Table};

/// What the user answered for one key.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    /// The value itself, written into the file.
    Value(String),
    /// `{ env = "VAR" }`: the file names the variable, the value stays out of it.
    Env(String),
}

/// Write the file (or add the profile). True when the user asked for the online check
/// next, which the caller runs.
pub(super) fn init(g: &Global, out: &Printer, provider: Option<&str>) -> Result<bool, Failure> {
    let name = profile_name(g)?;
    let (path, _) = config::locate(g.config.as_deref());
    let path = path.ok_or_else(|| {
        Failure::config("no config path: HOME is not set").hint("pass --config PATH")
    })?;
    let interactive =
        provider.is_none() && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    // Everything that can refuse is checked before a question is asked.
    let existing = match std::fs::symlink_metadata(&path) {
        Ok(_) if name.is_none() => {
            return Err(Failure::config(format!(
                "{} already exists; not overwriting it",
                path.display()
            ))
            .hint(
                "edit it, move it away first, or add a profile with `otp config init --profile NAME --provider PROVIDER`",
            ))
        }
        Ok(_) => Some(read_existing(g, &path, name.as_deref().unwrap_or_default())?),
        Err(_) => None,
    };
    let info = match provider {
        Some(p) => providers::find(p).ok_or_else(|| unknown_provider(p))?,
        None if interactive => ask_provider()?,
        None => providers::default_provider(),
    };
    let profile = name.unwrap_or_else(|| info.id.to_string());
    let answers = if interactive {
        ask_keys(info)?
    } else {
        Vec::new()
    };
    match existing {
        None => {
            let text = config::starter_named(&info.schema(), &profile, &providers::schemas());
            let text = fill_starter(&text, &profile, &answers)?;
            write_new(&path, &text)?;
            if !out.quiet {
                out.line(&format!(
                    "wrote {} (mode 0600) with a {} profile",
                    path.display(),
                    info.id
                ));
            }
        }
        Some(text) => {
            let text = add_profile(&text, &profile, info, &answers)?;
            replace(&path, &text)?;
            if !out.quiet {
                out.line(&format!(
                    "added profile \"{profile}\" ({}) to {}",
                    info.id,
                    path.display()
                ));
            }
        }
    }
    if interactive {
        for (key, a) in &answers {
            if let Answer::Env(var) = a {
                if std::env::var_os(var).is_none_or(|v| v.is_empty()) {
                    crate::output::warn(&format!(
                        "{key} reads ${var}, which is not set here: export {var}=... before sending"
                    ));
                }
            }
        }
        return Ok(offer_check(out));
    }
    Ok(false)
}

/// The profile name from `-p/--profile` (not from OTP_PROFILE, which chooses a profile
/// to use, not one to create): a bare TOML key.
fn profile_name(g: &Global) -> Result<Option<String>, Failure> {
    if g.from_env.contains(&"profile") {
        return Ok(None);
    }
    let Some(n) = g.profile.as_deref() else {
        return Ok(None);
    };
    let ok = !n.is_empty()
        && n.len() <= 64
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(Failure::usage(format!(
            "--profile \"{}\" cannot name a new profile",
            crate::redact::strip_controls(n)
        ))
        .hint("use letters, digits, '-' and '_' (at most 64)"));
    }
    Ok(Some(n.to_string()))
}

fn unknown_provider(p: &str) -> Failure {
    let shown = crate::redact::strip_controls(p);
    let names = providers::REGISTRY
        .iter()
        .flat_map(|i| std::iter::once(i.id).chain(i.aliases.iter().copied()));
    let message = match super::close_match(p, names) {
        Some(near) => format!("unknown provider \"{shown}\"; did you mean \"{near}\"?"),
        None => format!("unknown provider \"{shown}\""),
    };
    Failure::usage(message).hint(format!("providers: {}", providers::ids().join(", ")))
}

/// The existing file's text, after the checks every run makes (a file others can write
/// is refused) and with the new profile's name free.
fn read_existing(g: &Global, path: &Path, name: &str) -> Result<String, Failure> {
    let file = config::ConfigFile::load_lenient(Some(path))?;
    let _ = g;
    if file.profiles.contains_key(name) {
        return Err(Failure::config(format!(
            "profile \"{name}\" already exists in {}",
            path.display()
        ))
        .hint("choose another name with --profile, or edit the profile in the file"));
    }
    std::fs::read_to_string(path)
        .map_err(|e| Failure::config(format!("cannot read {}: {e}", path.display())))
}

/// A line from stdin; end of input cancels the setup (nothing was written).
fn read_line() -> Result<String, Failure> {
    let mut line = String::new();
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::usage(format!("cannot read the answer: {e}")))?;
    if n == 0 {
        return Err(Failure::usage(
            "setup cancelled (end of input); nothing was written",
        ));
    }
    Ok(line.trim().to_string())
}

fn prompt(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{text}");
    let _ = err.flush();
}

/// A question asked until it gets an answer `take` accepts (three tries).
fn ask<T>(question: &str, mut take: impl FnMut(&str) -> Result<T, String>) -> Result<T, Failure> {
    let mut last = String::new();
    for _ in 0..3 {
        prompt(question);
        match take(&read_line()?) {
            Ok(v) => return Ok(v),
            Err(why) => {
                prompt(&format!("  {why}\n"));
                last = why;
            }
        }
    }
    Err(Failure::usage(format!("setup cancelled: {last}")).hint("nothing was written"))
}

fn ask_provider() -> Result<&'static Info, Failure> {
    let mut list = String::from("Providers:\n");
    for i in providers::REGISTRY {
        let aliases = if i.aliases.is_empty() {
            String::new()
        } else {
            format!(" (also {})", i.aliases.join(", "))
        };
        list.push_str(&format!("  {:<10} {}{aliases}\n", i.id, i.name));
    }
    prompt(&list);
    let default = providers::default_provider();
    ask(&format!("Provider [{}]: ", default.id), |a| {
        if a.is_empty() {
            return Ok(default);
        }
        providers::find(a).ok_or_else(|| unknown_provider(a).message)
    })
}

/// The keys the vendor's declaration marks required (and `base_url` where there is no
/// default), and the credential its example sets where it marks none, in declaration
/// order.
fn required_keys(info: &Info) -> Vec<&'static config::Key> {
    let base_url = config::known_keys(&info.schema())
        .find(|k| k.name == "base_url")
        .filter(|k| k.required || (info.default_base_url.is_none() && info.sends_over_http()));
    // Where the account is, then the vendor's own keys in the order it declares them
    // (credentials first), then any common key it requires.
    // A vendor that takes one of two credentials (a key, or a token) marks neither
    // required: the one its example sets is asked for.
    let in_example = |name: &str| {
        info.example
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{name} =")))
    };
    let own = info.keys.iter().filter(move |k| {
        k.name != "base_url" && (k.required || (k.secret() && in_example(k.name)))
    });
    let common = config::COMMON_KEYS
        .iter()
        .filter(|c| c.required && !info.keys.iter().any(|k| k.name == c.name));
    base_url.into_iter().chain(own).chain(common).collect()
}

fn ask_keys(info: &'static Info) -> Result<Vec<(&'static str, Answer)>, Failure> {
    let keys = required_keys(info);
    if !keys.is_empty() {
        prompt(&format!("{}: {}\n", info.name, info.credentials_hint));
    }
    let mut answers = Vec::new();
    for k in keys {
        let answer = if k.ty == KeyType::Secret {
            ask_secret(info, k)?
        } else {
            let a = ask(&format!("{} ({}): ", k.name, k.help), |a| {
                if a.is_empty() {
                    Err(format!("{} is required", k.name))
                } else if a.chars().any(char::is_control) {
                    Err("a value is one line of printable text".into())
                } else {
                    Ok(a.to_string())
                }
            })?;
            Answer::Value(a)
        };
        answers.push((k.name, answer));
    }
    Ok(answers)
}

/// A secret: the name of the variable to read it from (the default, so the value stays
/// out of the file), or the value, typed without echo.
fn ask_secret(info: &Info, k: &config::Key) -> Result<Answer, Failure> {
    let var = format!(
        "{}_{}",
        info.id.to_ascii_uppercase(),
        k.name.to_ascii_uppercase()
    );
    let env = ask(
        &format!(
            "{} ({}, secret): read it from an environment variable, or store it in the file? [env/file] (env): ",
            k.name, k.help
        ),
        |a| match a.to_ascii_lowercase().as_str() {
            "" | "e" | "env" => Ok(true),
            "f" | "file" | "v" | "value" => Ok(false),
            _ => Err("answer env or file".into()),
        },
    )?;
    if env {
        let name = ask(&format!("  variable [{var}]: "), |a| {
            let v = if a.is_empty() { var.as_str() } else { a };
            if v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !v.starts_with(|c: char| c.is_ascii_digit())
            {
                Ok(v.to_string())
            } else {
                Err("a variable name is letters, digits and _".into())
            }
        })?;
        return Ok(Answer::Env(name));
    }
    // Echo goes off before the prompt shows, so nothing typed after it echoes.
    let value = {
        let _echo = EchoOff::new();
        let r = ask(&format!("  {} (not shown): ", k.name), |a| {
            if a.is_empty() {
                Err(format!("{} is required", k.name))
            } else if a.chars().any(char::is_control) {
                Err("a key is one line of printable text".into())
            } else {
                Ok(a.to_string())
            }
        });
        prompt("\n");
        r?
    };
    Ok(Answer::Value(value))
}

/// Set the answers in `table`, keeping each key's comments where the example had them.
fn apply(table: &mut Table, answers: &[(&'static str, Answer)]) {
    for (key, a) in answers {
        let mut value = match a {
            Answer::Value(v) => toml_edit::Value::from(v.as_str()),
            Answer::Env(var) => {
                let mut t = toml_edit::InlineTable::new();
                t.insert("env", toml_edit::Value::from(var.as_str()));
                toml_edit::Value::InlineTable(t)
            }
        };
        match table.get_mut(key).and_then(Item::as_value_mut) {
            Some(old) => {
                *value.decor_mut() = old.decor().clone();
                *old = value;
            }
            None => {
                table.insert(key, Item::Value(value));
            }
        }
    }
}

/// The starter text with the answers set in its live profile.
fn fill_starter(
    text: &str,
    profile: &str,
    answers: &[(&'static str, Answer)],
) -> Result<String, Failure> {
    if answers.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| Failure::config(format!("the starter file does not parse: {e}")))?;
    if let Some(t) = doc
        .get_mut("profiles")
        .and_then(|p| p.get_mut(profile))
        .and_then(Item::as_table_mut)
    {
        apply(t, answers);
    }
    Ok(doc.to_string())
}

/// `text` with `[profiles.NAME]` added after everything else: the provider's example
/// with the answers set. The rest of the file (comments, order, spacing) is untouched.
fn add_profile(
    text: &str,
    name: &str,
    info: &Info,
    answers: &[(&'static str, Answer)],
) -> Result<String, Failure> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        Failure::config(format!(
            "the config file is not valid TOML: {}",
            crate::redact::vendor_text(e.message())
        ))
    })?;
    let snippet = format!("[profiles.{name}]\n{}", info.example);
    let mut new: DocumentMut = snippet
        .parse()
        .map_err(|e| Failure::config(format!("{}'s example does not parse: {e}", info.id)))?;
    let mut table = new
        .get_mut("profiles")
        .and_then(|p| p.get_mut(name))
        .and_then(Item::as_table_mut)
        .map(std::mem::take)
        .unwrap_or_default();
    apply(&mut table, answers);
    table.set_position(last_position(doc.as_table()) + 1);
    // What ends the file (a last comment, blank lines) stays where it was, before the
    // new table, so the old text is kept byte for byte ahead of it.
    let trailing = doc.trailing().as_str().unwrap_or("").to_string();
    doc.set_trailing("");
    let gap = if text.is_empty() || text.ends_with("\n\n") || trailing.ends_with("\n\n") {
        ""
    } else if text.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    table.decor_mut().set_prefix(format!("{trailing}{gap}"));
    if doc.get("profiles").is_none() {
        let mut t = Table::new();
        t.set_implicit(true);
        doc.insert("profiles", Item::Table(t));
    }
    match doc.get_mut("profiles") {
        Some(Item::Table(t)) if t.contains_key(name) => {
            return Err(Failure::config(format!(
                "profile \"{name}\" already exists"
            )))
        }
        Some(Item::Table(t)) => {
            t.insert(name, Item::Table(table));
        }
        _ => {
            return Err(Failure::config(
                "`profiles` in the config file is an inline table; add the profile by hand",
            )
            .hint("or write each profile as a [profiles.NAME] table"))
        }
    }
    let out = doc.to_string();
    // The result is read back as every run reads it, so a file that would not load is
    // never written.
    config::ConfigFile::parse(&out, Path::new("config.toml"))?;
    Ok(out)
}

/// The highest position of any table in the document, so a new one goes last.
fn last_position(t: &Table) -> usize {
    t.iter()
        .filter_map(|(_, item)| item.as_table())
        .map(|sub| sub.position().unwrap_or(0).max(last_position(sub)))
        .max()
        .unwrap_or(0)
}

fn write_new(path: &Path, text: &str) -> Result<(), Failure> {
    config::create_private(path, text.as_bytes()).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Failure::config(format!(
            "{} already exists; not overwriting it",
            path.display()
        ))
        .hint("edit it, or move it away first"),
        _ => Failure::config(format!("cannot write {}: {e}", path.display())),
    })
}

/// Replace the file with `text`: written 0600 beside it, then renamed over it, so a
/// failure leaves the old file whole.
fn replace(path: &Path, text: &str) -> Result<(), Failure> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".into());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    write_new(&tmp, text)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Failure::config(format!("cannot replace {}: {e}", path.display()))
    })
}

/// After a guided setup: offer the online check, which proves the credentials without
/// sending anything.
fn offer_check(out: &Printer) -> bool {
    let yes = ask(
        "Check the credentials now with `otp config check --online` (sends nothing)? [y/N]: ",
        |a| match a.to_ascii_lowercase().as_str() {
            "" | "n" | "no" => Ok(false),
            "y" | "yes" => Ok(true),
            _ => Err("answer y or n".into()),
        },
    );
    // The file is written; no answer is not an error.
    let yes = yes.unwrap_or(false);
    if !yes && !out.quiet {
        out.line("run `otp config check --online` to check the credentials later");
    }
    yes
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# my settings\ndefault_profile = \"a\"  # the usual one\n\n[profiles.a]\nprovider = \"console\"   # phone on stderr\n\n# keep this\n";

    #[test]
    fn a_profile_is_added_after_the_rest_with_comments_kept() {
        let info = providers::find("termii").unwrap();
        let answers = [
            ("api_key", Answer::Env("MY_TERMII".into())),
            ("sender", Answer::Value("Acme \"Ltd\"".into())),
        ];
        let out = add_profile(FILE, "ng", info, &answers).unwrap();
        assert!(out.starts_with(FILE.trim_end()), "{out}");
        let added = &out[FILE.trim_end().len()..];
        assert!(added.contains("[profiles.ng]"), "{out}");
        assert!(added.contains("api_key = { env = \"MY_TERMII\" }"), "{out}");
        let file = config::ConfigFile::parse(&out, Path::new("c")).unwrap();
        assert_eq!(file.profiles.len(), 2);
        assert_eq!(file.profiles["ng"]["sender"].as_str(), Some("Acme \"Ltd\""));
    }

    #[test]
    fn an_existing_name_or_inline_profiles_are_refused() {
        let info = providers::find("console").unwrap();
        assert!(add_profile(FILE, "a", info, &[]).is_err());
        let inline = "profiles = { a = { provider = \"console\" } }\n";
        assert!(add_profile(inline, "b", info, &[]).is_err());
        // A file with no profile yet gets its first.
        let out = add_profile("default_profile = \"b\"\n", "b", info, &[]).unwrap();
        assert!(out.contains("[profiles.b]"), "{out}");
    }
}
