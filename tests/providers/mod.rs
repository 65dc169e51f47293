//! Vendor tests: one file per vendor, plus the battery every HTTP vendor passes.

pub mod battery;
pub mod cinnox;
pub mod smscx;
pub mod termii;

use battery::Fixture;

/// One line per HTTP vendor.
pub static FIXTURES: &[&Fixture] = &[&termii::FIXTURE, &smscx::FIXTURE, &cinnox::FIXTURE];
