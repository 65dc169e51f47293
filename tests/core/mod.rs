//! The core contract with the console provider: output, exit codes, config, secrets.

mod cancel;
mod claims;
mod cli;
mod config;
mod config_strict;
mod extremes;
mod fallback;
mod first_hour;
mod hardening;
mod help;
mod online;
mod policy;
mod rules;
mod secrets;
pub mod send;
mod store;
pub mod verify;
