//! Where a secret comes from: a string, `{ env = "VAR" }`, `{ file = "PATH" }` or
//! `{ command = ["prog", "arg"] }`. Resolved here and nowhere else; what a source prints
//! is the secret, so none of it is ever echoed.

use crate::error::Failure;
use crate::redact::Secret;
use std::path::PathBuf;
use toml::Value;

/// Whether `v` has the shape of a secret source (checked before anything is resolved).
pub fn is_source(v: &Value) -> bool {
    match v {
        Value::String(_) => true,
        Value::Table(t) => {
            t.len() == 1
                && match t.iter().next() {
                    Some((kk, Value::String(_))) => kk == "env" || kk == "file",
                    Some((kk, Value::Array(a))) => {
                        kk == "command" && !a.is_empty() && a.iter().all(Value::is_str)
                    }
                    _ => false,
                }
        }
        _ => false,
    }
}

/// The secret `value` (a profile entry for `key`, found at `where_`) names. `resolve_path`
/// turns a `{ file }` path into one relative to the config file's folder.
pub fn resolve(
    value: &Value,
    key: &str,
    where_: &str,
    multiline: bool,
    resolve_path: impl Fn(&str) -> PathBuf,
) -> Result<Secret, Failure> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Table(t) => {
            if let Some(Value::String(var)) = t.get("env") {
                std::env::var(var).map_err(|_| {
                    Failure::config(format!("{where_} reads env var {var}, which is not set"))
                        .hint(format!("export {var}=... or change {key} in the profile"))
                })?
            } else if let Some(Value::String(file)) = t.get("file") {
                let path = resolve_path(file);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    Failure::config(format!(
                        "{where_} reads {}, which cannot be read: {e}",
                        path.display(),
                    ))
                })?;
                use std::os::unix::fs::MetadataExt;
                if std::fs::metadata(&path).is_ok_and(|m| m.mode() & 0o044 != 0) {
                    crate::output::warn(&format!(
                        "secret file {} is readable by group or others; run chmod 600 {}",
                        path.display(),
                        path.display()
                    ));
                }
                text
            } else if let Some(Value::Array(cmd)) = t.get("command") {
                run_secret_command(cmd, where_)?
            } else {
                return Err(Failure::config(format!(
                    "{where_} must be a string, {{ env = \"VAR\" }}, {{ file = \"PATH\" }} or {{ command = [...] }}"
                )));
            }
        }
        _ => return Err(Failure::config(format!("{where_} must be a string"))),
    };
    // Surrounding white space (a trailing newline from `pass`, say) is not part of a
    // key; anything else unprintable inside it is a mistake worth naming.
    let value = text.trim();
    if value.is_empty() {
        return Err(Failure::config(format!("{where_} is empty")));
    }
    let line_break = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    if value.chars().any(|c| c.is_control() && !line_break(c)) {
        return Err(Failure::config(format!(
            "{where_} contains a line break or control character"
        ))
        .hint("a key is one line of printable text; check its source"));
    }
    Ok(Secret::new(value))
}

/// Run a `{ command = [...] }` secret source without a shell. Its output is the secret,
/// so nothing it prints is ever echoed, on success or failure.
fn run_secret_command(cmd: &[Value], where_: &str) -> Result<String, Failure> {
    use std::io::Read;
    let argv: Vec<&str> = cmd.iter().filter_map(Value::as_str).collect();
    let Some((prog, args)) = argv.split_first() else {
        return Err(Failure::config(format!("{where_}: command is empty")));
    };
    let hint = "run the command yourself to see what it says";
    let mut child = std::process::Command::new(prog)
        .args(args)
        .stdin(std::process::Stdio::inherit())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| {
            Failure::config(format!("{where_}: cannot run `{prog}`: {e}"))
                .hint("give the program's full path, or check that it is installed")
        })?;
    // Read on a thread so a chatty program cannot block on a full pipe while we wait.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    // A password manager may wait for a passphrase; a hung one must not hang otp.
    let deadline = std::time::Instant::now() + SECRET_COMMAND_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::config(format!(
                    "{where_}: `{prog}` did not finish within {}s",
                    SECRET_COMMAND_TIMEOUT.as_secs()
                ))
                .hint(hint));
            }
        }
    };
    let out = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(Failure::config(format!(
            "{where_}: `{prog}` failed ({status}); its output is not shown"
        ))
        .hint(hint));
    }
    let text = String::from_utf8(out).map_err(|_| {
        Failure::config(format!(
            "{where_}: `{prog}` printed something that is not UTF-8"
        ))
        .hint(hint)
    })?;
    Ok(text)
}

/// How long a `{ command }` secret source may take.
const SECRET_COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn resolve_here(v: Value) -> Result<Secret, Failure> {
        resolve(&v, "api_key", "api_key in profile \"t\"", false, |p| {
            Path::new("/nonexistent").join(p)
        })
    }

    #[test]
    fn strings_are_trimmed_and_must_be_one_printable_line() {
        assert_eq!(
            resolve_here(Value::String(" k-123\n".into()))
                .unwrap()
                .expose(),
            "k-123"
        );
        assert!(resolve_here(Value::String("  ".into())).is_err());
        assert!(resolve_here(Value::String("a\u{7}b".into())).is_err());
    }

    #[test]
    fn sources_name_where_they_failed() {
        let mut t = toml::Table::new();
        t.insert(
            "env".into(),
            Value::String("OTP_SECRET_TEST_SURELY_UNSET".into()),
        );
        let e = resolve_here(Value::Table(t)).unwrap_err();
        assert!(
            e.message.contains("OTP_SECRET_TEST_SURELY_UNSET"),
            "{}",
            e.message
        );
        let mut t = toml::Table::new();
        t.insert("file".into(), Value::String("key.txt".into()));
        let e = resolve_here(Value::Table(t)).unwrap_err();
        assert!(e.message.contains("/nonexistent/key.txt"), "{}", e.message);
        let mut t = toml::Table::new();
        t.insert(
            "command".into(),
            Value::Array(vec![
                Value::String("/bin/echo".into()),
                Value::String("from-cmd".into()),
            ]),
        );
        assert_eq!(resolve_here(Value::Table(t)).unwrap().expose(), "from-cmd");
        let mut t = toml::Table::new();
        t.insert(
            "command".into(),
            Value::Array(vec![Value::String("/bin/false".into())]),
        );
        let e = resolve_here(Value::Table(t)).unwrap_err();
        assert!(
            e.message.contains("its output is not shown"),
            "{}",
            e.message
        );
    }
}
