//! The core contract with the console provider: output, exit codes, config, secrets.

mod cancel;
mod cli;
mod config;
mod config_strict;
mod online;
mod rules;
mod secrets;
mod send;
pub mod verify;
