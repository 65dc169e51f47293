//! The core contract with the console provider: output, exit codes, config, secrets.

mod cli;
mod config;
mod fallback;
mod online;
mod policy;
mod rules;
pub mod send;
mod store;
pub mod verify;
