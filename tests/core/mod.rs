//! The core contract with the console provider: output, exit codes, config, secrets.

mod cli;
mod config;
mod extremes;
mod fallback;
mod hardening;
mod help;
mod online;
mod policy;
mod rules;
pub mod send;
mod store;
pub mod verify;
