//! The one integration test binary: the real `otp`, run in a sealed environment.

mod support;

mod core;
mod layout;
mod providers;
mod transport;
