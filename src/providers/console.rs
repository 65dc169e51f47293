//! The `console` provider: no account, no network. It plays the phone, printing the
//! message (PIN included) on stderr, and the local record verifies. It is the default
//! when there is no config, so `otp send --to +15551234567` works out of the box.

use super::{Accepted, Channel, Info, LengthRule, PinBy, Plan, Provider, Reply, TtlRule, VerifyBy};
use crate::config::Profile;
use crate::error::Failure;
use crate::providers::Otp;

pub static INFO: Info = Info {
    id: "console",
    aliases: &[],
    name: "Console",
    about: "prints the message on stderr; no account, no network",
    pin_by: PinBy::Tool,
    verify: VerifyBy::Local,
    channels: &[Channel::Sms, Channel::Whatsapp, Channel::Voice],
    pin_types: &[
        crate::message::PinType::Numeric,
        crate::message::PinType::Alphanumeric,
        crate::message::PinType::Letters,
    ],
    length: LengthRule::Range(1, 32),
    ttl: TtlRule::Local,
    attempts: Some((1, 100)),
    callback: false,
    default_base_url: None,
    keys: &[],
    example: "provider = \"console\"\n",
    credentials_hint: "console needs no credentials",
    build,
};

struct Console;

fn build(_: &Profile) -> Result<Box<dyn Provider>, Failure> {
    Ok(Box::new(Console))
}

impl Provider for Console {
    fn info(&self) -> &'static Info {
        &INFO
    }

    fn send(&self, otp: &Otp) -> Result<Plan, Failure> {
        let pin = otp
            .pin
            .as_ref()
            .ok_or_else(|| Failure::usage("console: no PIN to deliver"))?;
        Ok(Plan::Console {
            to: otp.to.e164(),
            text: otp.template.render(pin.expose()),
        })
    }

    fn send_reply(&self, _: &Reply) -> Result<Accepted, Failure> {
        Err(Failure::usage("console makes no HTTP request"))
    }
}
