//! Vendor tests: one file per vendor, plus the battery every HTTP vendor passes.

pub mod battery;
pub mod shoutout;
pub mod zender;

use battery::Fixture;

/// One line per HTTP vendor.
pub static FIXTURES: &[&Fixture] = &[&shoutout::FIXTURE, &zender::FIXTURE];
