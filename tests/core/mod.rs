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
mod routes;
mod rules;
mod secrets;
pub mod send;
mod store;
mod store_clock;
mod store_embedded;
mod store_ids;
mod store_quiet;
mod store_redis;
pub mod verify;
