//! The one HTTP path under faults: every failure says whether the SMS might have gone
//! out (exit 6, `unknown`) or certainly did not (exit 5, `not_sent`), no fault crashes
//! `otp`, and a request is never sent twice where it may have been delivered.

mod faults;
mod leaks;
mod redaction;
