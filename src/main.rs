//! `otp`: send one-time PINs by SMS through several vendors' OTP APIs, and verify them.
//! Parse, run, exit: every command prints its own result and errors once, and the exit
//! code comes from `error::Failure::exit_code`.

mod app;
mod cli;
mod config;
mod error;
mod http;
mod message;
mod output;
mod phone;
mod providers;
mod redact;
mod request;
mod store;

#[cfg(test)]
mod proptests;

use clap::FromArgMatches;

fn main() -> std::process::ExitCode {
    // An empty OTP_* variable means unset, as for the profile keys (CI jobs often pass
    // optional variables through empty).
    for var in ["OTP_CONFIG", "OTP_PROFILE", "OTP_OUTPUT", "OTP_TIMEOUT"] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            std::env::remove_var(var);
        }
    }
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let matches = match app::parser(&args).try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            let code = app::command_line_error(e, &args);
            return std::process::ExitCode::from(lost_output(code, false));
        }
    };
    let mut cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    cli.global.from_env = ["profile", "output", "timeout", "config"]
        .into_iter()
        .filter(|id| matches.value_source(id) == Some(clap::parser::ValueSource::EnvVariable))
        .collect();
    // What the run did must reach the caller: a lost id (`-q > /dev/full`) is an error.
    let changes_state = matches!(
        cli.command,
        cli::Command::Send(_) | cli::Command::Verify(_) | cli::Command::Cancel(_)
    );
    let code = app::run(cli);
    std::process::ExitCode::from(lost_output(code, changes_state))
}

/// The exit code once stdout is known to have taken everything: a failed write turns
/// success into 6 for a command whose effect is done but whose answer was lost (a sent
/// SMS's id), else 3, with the reason on stderr. A reader that left early (a closed
/// pipe) is an error only for the former.
fn lost_output(code: u8, changes_state: bool) -> u8 {
    use std::io::Write;
    if let Err(e) = std::io::stdout().lock().flush() {
        output::stdout_failed(&e);
    }
    let Some((kind, why)) = output::stdout_error() else {
        return code;
    };
    // `otp providers | head` is fine, as for other Unix tools; a sent SMS's id is not.
    if kind == std::io::ErrorKind::BrokenPipe && !changes_state {
        return code;
    }
    let mut f = error::Failure::config(format!("could not write to stdout: {why}"));
    if changes_state {
        f = f.hint(
            "the command ran (an SMS may have gone out) but its output was lost; \
             check the output file or pipe before running it again",
        );
    } else {
        f = f.hint("check where stdout goes (a full disk or a closed pipe)");
    }
    output::error(&f, false);
    match code {
        0 if changes_state => 6,
        0 => 3,
        other => other,
    }
}
