//! Vendor tests: one file per vendor, plus the battery every HTTP vendor passes.

pub mod africastalking;
pub mod aws;
pub mod battery;
pub mod cinnox;
mod declaration;
pub mod infobip;
pub mod msg91;
pub mod plivo;
pub mod prelude;
pub mod shoutout;
pub mod sinch;
pub mod smscx;
pub mod sns;
pub mod telesign;
pub mod termii;
pub mod twilio;
pub mod vonage;
pub mod zender;

use battery::Fixture;

/// One line per HTTP vendor.
pub static FIXTURES: &[&Fixture] = &[
    &termii::FIXTURE,
    &smscx::FIXTURE,
    &cinnox::FIXTURE,
    &aws::FIXTURE,
    &sns::FIXTURE,
    &africastalking::FIXTURE,
    &shoutout::FIXTURE,
    &zender::FIXTURE,
    &vonage::FIXTURE,
    &prelude::FIXTURE,
    &twilio::FIXTURE,
    &plivo::FIXTURE,
    &msg91::FIXTURE,
    &infobip::FIXTURE,
    &sinch::FIXTURE,
    &telesign::FIXTURE,
];
