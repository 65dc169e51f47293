//! The core contract with the console provider: output, exit codes, config, secrets.

mod cli;
mod config;
mod fallback;
mod online;
mod rules;
mod send;
pub mod verify;
