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
        Err(e) => return std::process::ExitCode::from(app::command_line_error(e, &args)),
    };
    let mut cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    cli.global.from_env = ["profile", "output", "timeout", "config"]
        .into_iter()
        .filter(|id| matches.value_source(id) == Some(clap::parser::ValueSource::EnvVariable))
        .collect();
    std::process::ExitCode::from(app::run(cli))
}
