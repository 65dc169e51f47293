//! The `console` provider: no account, no network. It plays the phone, printing the
//! message (PIN included) on stderr, and the local record verifies. It is the default
//! when there is no config, so `otp send --to +15551234567` works out of the box.

use super::{Accepted, Channel, Info, LengthRule, PinBy, Plan, Provider, Reply, TtlRule, VerifyBy};
use crate::config::Profile;
use crate::error::Failure;
use crate::providers::Otp;
use serde_json::{json, Value};

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
    decided_at: None,
    writes_message: false,
    takes_sender: true,
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
        Ok(Plan::Console(Delivery {
            channel: otp.channel,
            to: otp.to.e164(),
            text: otp.template.render(pin.expose()),
            // Rendered with the mask itself: a short PIN is too short to mask by value.
            shown: otp.template.render(crate::redact::MASK),
        }))
    }

    fn send_reply(&self, _: &Reply) -> Result<Accepted, Failure> {
        Err(Failure::usage("console makes no HTTP request"))
    }
}

/// A message the console shows instead of sending it.
#[derive(Debug)]
pub struct Delivery {
    channel: Channel,
    to: String,
    /// The message with the PIN, for the phone the console plays.
    text: String,
    /// The message with the PIN masked, for a dry run.
    shown: String,
}

impl Delivery {
    /// Show the message on stderr: the one place a PIN is printed (the README).
    pub fn deliver(&self) -> Accepted {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}", self.heading());
        for line in self.text.lines() {
            let _ = writeln!(err, "  | {line}");
        }
        Accepted {
            id: crate::message::new_id(),
            ..Accepted::default()
        }
    }

    fn heading(&self) -> String {
        format!("console: {} message to {}:", self.channel.as_str(), self.to)
    }

    /// What a dry run shows: the `request` object of the JSON document, and the text.
    pub fn dry_run(&self) -> (Value, String) {
        let request = json!({
            "method": "CONSOLE", "url": null, "headers": {},
            "body": {"to": self.to, "text": self.shown}
        });
        let text = format!("console: would show on {}:\n{}", self.to, self.shown);
        (request, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::testing;
    use crate::redact::Secret;

    #[test]
    fn the_dry_run_masks_the_pin_that_delivery_shows() {
        let mut otp = testing::otp("+2348012345678", None, "code {{code}}");
        otp.pin = Some(Secret::new("12"));
        let Ok(Plan::Console(d)) = Console.send(&otp) else {
            panic!("console plans a local delivery");
        };
        assert_eq!(d.text, "code 12");
        let (request, text) = d.dry_run();
        assert_eq!(request["body"]["text"], "code ***");
        assert_eq!(request["body"]["to"], "+2348012345678");
        assert_eq!(text, "console: would show on +2348012345678:\ncode ***");
        assert_eq!(d.heading(), "console: sms message to +2348012345678:");
    }
}
