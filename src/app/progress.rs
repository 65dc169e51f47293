//! Progress on a terminal: while a vendor call takes more than a second, a one-line
//! spinner on stderr, erased before the result is printed. Only in text mode, without
//! `-q` or `-v` (whose traces share the line), and only when stderr is a terminal:
//! scripts, pipes and JSON never see it. `http` stays free of printing; the spinner is
//! a thread of its own that the call's owner starts and drops.

use crate::output::{self, Printer};
use std::io::IsTerminal;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a call runs before the spinner shows.
const AFTER: Duration = Duration::from_secs(1);
/// How often it turns.
const TICK: Duration = Duration::from_millis(100);
const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// A running spinner; dropping it stops the thread and erases the line.
pub(super) struct Spinner {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Whether a run may show a spinner at all.
pub(super) fn wanted(out: &Printer) -> bool {
    !out.json() && !out.quiet && !out.verbose && std::io::stderr().is_terminal()
}

impl Spinner {
    /// Start waiting on `who` (a provider id): nothing shows unless the call is still
    /// running after a second, and nothing at all unless `wanted`.
    pub(super) fn start(out: &Printer, who: &str) -> Spinner {
        if !wanted(out) {
            return Spinner {
                stop: None,
                thread: None,
            };
        }
        let (tx, rx) = mpsc::channel::<()>();
        let who = crate::redact::strip_controls(who);
        let thread = std::thread::Builder::new()
            .name("spinner".into())
            .spawn(move || spin(&rx, &who))
            .ok();
        Spinner {
            stop: Some(tx),
            thread,
        }
    }
}

/// The spinner's thread: wait a second, then turn until told to stop (or the owner is
/// gone), then erase its line. A warning printed meanwhile erases the line first
/// (`output::clear_status`), and the next turn draws it again below.
fn spin(rx: &mpsc::Receiver<()>, who: &str) {
    let started = Instant::now();
    if rx.recv_timeout(AFTER) != Err(RecvTimeoutError::Timeout) {
        return;
    }
    for frame in FRAMES.iter().cycle() {
        output::status_line(&format!(
            "{frame} waiting for {who} ({}s)",
            started.elapsed().as_secs()
        ));
        if rx.recv_timeout(TICK) != Err(RecvTimeoutError::Timeout) {
            break;
        }
    }
    output::clear_status();
}

impl Drop for Spinner {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Run `call` (one vendor request) with a spinner for `who`; the line is erased before
/// this returns, so whatever the caller prints next starts clean.
pub(super) fn waiting<T>(out: &Printer, who: &str, call: impl FnOnce() -> T) -> T {
    let spinner = Spinner::start(out, who);
    let r = call();
    drop(spinner);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Format;

    #[test]
    fn no_spinner_in_json_quiet_or_verbose_runs() {
        for (format, quiet, verbose) in [
            (Format::Json, false, false),
            (Format::Text, true, false),
            (Format::Text, false, true),
        ] {
            let out = Printer::new(format, quiet, verbose, true);
            assert!(!wanted(&out));
            let s = Spinner::start(&out, "termii");
            assert!(s.thread.is_none() && s.stop.is_none());
        }
    }

    #[test]
    fn a_quick_call_returns_its_value_and_the_spinner_stops() {
        let out = Printer::new(Format::Text, false, false, true);
        assert_eq!(waiting(&out, "termii", || 7), 7);
    }
}
