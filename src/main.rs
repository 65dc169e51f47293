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
mod store;

#[cfg(test)]
mod proptests;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    std::process::ExitCode::from(app::run(cli))
}
