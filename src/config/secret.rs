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
                let bytes = read_bounded(&path, SECRET_MAX).map_err(|e| {
                    Failure::config(format!("{where_} reads {}, which {e}", path.display()))
                        .hint(e.hint())
                })?;
                use std::os::unix::fs::MetadataExt;
                if std::fs::metadata(&path).is_ok_and(|m| m.mode() & 0o044 != 0) {
                    super::note(format!(
                        "secret file {} is readable by group or others; run chmod 600 {}",
                        path.display(),
                        path.display()
                    ));
                }
                String::from_utf8(bytes).map_err(|_| {
                    Failure::config(format!(
                        "{where_} reads {}, which is not UTF-8 text",
                        path.display()
                    ))
                })?
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
    Ok(Secret::credential(value, Some(where_)))
}

/// The most a secret source may yield (the README): far more than any key or PEM.
pub const SECRET_MAX: usize = 64 * 1024;

/// How long a `{ command }` secret source may take.
const SECRET_COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Why a bounded read was refused; displayed after "PATH, which ...".
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// A FIFO, device, socket or folder: reading it could block forever or never end.
    NotRegular(&'static str),
    TooLarge(usize),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot be read: {e}"),
            ReadError::NotRegular(what) => write!(f, "is {what}, not a regular file"),
            ReadError::TooLarge(cap) => write!(f, "is larger than {}", size(*cap)),
        }
    }
}

impl ReadError {
    pub fn kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            ReadError::Io(e) => Some(e.kind()),
            _ => None,
        }
    }

    pub fn hint(&self) -> String {
        match self {
            ReadError::Io(_) => "check the path and its permissions".into(),
            ReadError::NotRegular(_) => {
                "point it at a regular file (for a program's output, use { command = [...] })"
                    .into()
            }
            ReadError::TooLarge(_) => "point it at the file that holds just this value".into(),
        }
    }
}

fn size(bytes: usize) -> String {
    if bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// The contents of the regular file at `path`, at most `cap` bytes. The file is opened
/// non-blocking and checked on the open handle, so a FIFO neither blocks the open nor is
/// read, and a device such as /dev/zero is refused before a byte is read.
pub fn read_bounded(path: &std::path::Path, cap: usize) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(ReadError::Io)?;
    let ty = file.metadata().map_err(ReadError::Io)?.file_type();
    if !ty.is_file() {
        return Err(ReadError::NotRegular(if ty.is_fifo() {
            "a named pipe (FIFO)"
        } else if ty.is_char_device() || ty.is_block_device() {
            "a device"
        } else if ty.is_dir() {
            "a folder"
        } else if ty.is_socket() {
            "a socket"
        } else {
            "a special file"
        }));
    }
    let mut buf = Vec::new();
    file.take(cap as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() > cap {
        return Err(ReadError::TooLarge(cap));
    }
    Ok(buf)
}

/// Run a `{ command = [...] }` secret source without a shell. Its output is the secret,
/// so nothing it prints is ever echoed, on success or failure.
fn run_secret_command(cmd: &[Value], where_: &str) -> Result<String, Failure> {
    let argv: Vec<&str> = cmd.iter().filter_map(Value::as_str).collect();
    let Some((prog, args)) = argv.split_first() else {
        return Err(Failure::config(format!("{where_}: command is empty")));
    };
    let hint = "run the command yourself to see what it says";
    let out = run_bounded(prog, args, SECRET_COMMAND_TIMEOUT, SECRET_MAX).map_err(|e| match e {
        RunError::Spawn(e) => Failure::config(format!("{where_}: cannot run `{prog}`: {e}"))
            .hint("give the program's full path, or check that it is installed"),
        RunError::Io(e) => {
            Failure::config(format!("{where_}: reading `{prog}`'s output failed: {e}")).hint(hint)
        }
        RunError::TimedOut(t) => Failure::config(format!(
            "{where_}: `{prog}` did not finish within {}s and was stopped",
            t.as_secs()
        ))
        .hint(hint),
        RunError::TooLarge(cap) => Failure::config(format!(
            "{where_}: `{prog}` printed more than {}; it was stopped and its output is not used",
            size(cap)
        ))
        .hint("a secret command prints the secret alone"),
        RunError::Failed(status) => Failure::config(format!(
            "{where_}: `{prog}` failed ({status}); its output is not shown"
        ))
        .hint(hint),
    })?;
    String::from_utf8(out).map_err(|_| {
        Failure::config(format!(
            "{where_}: `{prog}` printed something that is not UTF-8"
        ))
        .hint(hint)
    })
}

#[derive(Debug)]
enum RunError {
    Spawn(std::io::Error),
    Io(std::io::Error),
    TimedOut(std::time::Duration),
    TooLarge(usize),
    Failed(std::process::ExitStatus),
}

/// Run `prog args`, its stdout read to at most `cap` bytes, for at most `limit`. The
/// wait ends when the program exits: what it wrote is in the pipe by then, so the pipe is
/// drained without blocking and a background child still holding it open is not waited
/// for. A program past its time or its output cap is killed.
fn run_bounded(
    prog: &str,
    args: &[&str],
    limit: std::time::Duration,
    cap: usize,
) -> Result<Vec<u8>, RunError> {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    let mut child = std::process::Command::new(prog)
        .args(args)
        .stdin(std::process::Stdio::inherit())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(RunError::Spawn)?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let fd = stdout.as_raw_fd();
    // SAFETY: fd is the open read end of the pipe this function owns; F_SETFL only
    // changes its status flags.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    let stop = |child: &mut std::process::Child, e: RunError| {
        let _ = child.kill();
        let _ = child.wait();
        Err(e)
    };
    let deadline = std::time::Instant::now() + limit;
    let mut out = Vec::new();
    let mut chunk = [0u8; 8192];
    let mut open = true;
    loop {
        // Whatever is in the pipe now, without blocking.
        while open {
            match stdout.read(&mut chunk) {
                Ok(0) => open = false,
                Ok(n) => {
                    out.extend_from_slice(&chunk[..n]);
                    if out.len() > cap {
                        return stop(&mut child, RunError::TooLarge(cap));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return stop(&mut child, RunError::Io(e)),
            }
        }
        match child.try_wait() {
            Ok(Some(status)) => {
                // Exited: one last drain of what it wrote before exiting, then done.
                while open {
                    match stdout.read(&mut chunk) {
                        Ok(0) => open = false,
                        Ok(n) => {
                            out.extend_from_slice(&chunk[..n]);
                            if out.len() > cap {
                                return Err(RunError::TooLarge(cap));
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
                if !status.success() {
                    return Err(RunError::Failed(status));
                }
                return Ok(out);
            }
            Ok(None) => {}
            Err(e) => return stop(&mut child, RunError::Io(e)),
        }
        let now = std::time::Instant::now();
        if now >= deadline {
            return stop(&mut child, RunError::TimedOut(limit));
        }
        // Sleep until output arrives or a short tick passes (to notice the exit).
        let wait_ms = (deadline - now).as_millis().min(20) as libc::c_int;
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        if open {
            // SAFETY: one valid pollfd for an fd this function owns.
            unsafe { libc::poll(&mut pfd, 1, wait_ms) };
            // A hang-up with nothing left means EOF; the read above will see it.
        } else {
            std::thread::sleep(std::time::Duration::from_millis(wait_ms as u64));
        }
    }
}

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

    #[test]
    fn a_command_is_bounded_in_time_and_output() {
        let t = std::time::Duration::from_millis(300);
        assert!(matches!(
            run_bounded("sleep", &["30"], t, SECRET_MAX),
            Err(RunError::TimedOut(_))
        ));
        assert!(matches!(
            run_bounded(
                "head",
                &["-c", "70000", "/dev/zero"],
                SECRET_COMMAND_TIMEOUT,
                SECRET_MAX
            ),
            Err(RunError::TooLarge(SECRET_MAX))
        ));
        // An endless writer is stopped at the cap, not read until memory runs out.
        assert!(matches!(
            run_bounded("cat", &["/dev/zero"], SECRET_COMMAND_TIMEOUT, SECRET_MAX),
            Err(RunError::TooLarge(SECRET_MAX))
        ));
        let exact = run_bounded(
            "head",
            &["-c", "65536", "/dev/zero"],
            SECRET_COMMAND_TIMEOUT,
            SECRET_MAX,
        );
        assert_eq!(exact.unwrap().len(), SECRET_MAX);
    }

    #[test]
    fn a_command_is_done_when_it_exits_though_a_child_holds_the_pipe() {
        // Were the pipe waited for, this would take the whole (short) limit and fail.
        let out = run_bounded(
            "sh",
            &["-c", "printf KEY; sleep 30 & exit 0"],
            std::time::Duration::from_secs(20),
            SECRET_MAX,
        );
        assert_eq!(out.unwrap(), b"KEY");
    }

    #[test]
    fn files_must_be_regular_and_small() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let e = read_bounded(&fifo, SECRET_MAX).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        let e = read_bounded(Path::new("/dev/zero"), SECRET_MAX).unwrap_err();
        assert!(e.to_string().contains("device"), "{e}");
        assert!(read_bounded(dir.path(), SECRET_MAX).is_err());
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'k'; SECRET_MAX + 1]).unwrap();
        assert!(matches!(
            read_bounded(&big, SECRET_MAX),
            Err(ReadError::TooLarge(_))
        ));
        std::fs::write(&big, vec![b'k'; SECRET_MAX]).unwrap();
        assert_eq!(read_bounded(&big, SECRET_MAX).unwrap().len(), SECRET_MAX);
    }
}
