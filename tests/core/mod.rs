//! The core contract with the console provider: output, exit codes, config, secrets.

mod cli;
mod config;
mod hardening;
mod online;
mod rules;
mod send;
pub mod verify;
