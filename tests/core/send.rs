//! `otp send` through console: text, JSON, exit codes.

use crate::support::{self, Env};

#[test]
fn console_send_text() {
    let env = Env::new();
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let text = support::stdout(&out);
    assert!(text.contains("accepted by console"), "{text}");
    let err = support::stderr(&out);
    assert!(err.contains("Your verification code is "), "{err}");
}
