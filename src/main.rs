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

use clap::Parser;

fn main() -> std::process::ExitCode {
    // An empty OTP_* variable means unset, as for the profile keys (CI jobs often pass
    // optional variables through empty).
    for var in ["OTP_CONFIG", "OTP_PROFILE", "OTP_OUTPUT", "OTP_TIMEOUT"] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            std::env::remove_var(var);
        }
    }
    let cli = cli::Cli::parse();
    std::process::ExitCode::from(app::run(cli))
}
