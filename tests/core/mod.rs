//! The core contract with the console provider: output, exit codes, config, secrets.

mod send;
