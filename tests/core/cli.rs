//! Help, version, completions, man page, `providers`.

use crate::support::{self, Env};

#[test]
fn help_ends_with_the_exit_code_table() {
    let env = Env::new();
    let out = env.run(&["--help"]);
    assert_eq!(support::code(&out), 0);
    let text = support::stdout(&out);
    let tail = &text[text.find("Exit codes:").expect("exit code table")..];
    for code in 0..=6 {
        assert!(
            tail.contains(&format!("  {code}  ")),
            "code {code} missing: {tail}"
        );
    }
    assert!(text.trim_end().ends_with("it may have been sent"), "{text}");
}

#[test]
fn version_prints_otp_and_version() {
    let out = Env::new().run(&["-V"]);
    assert_eq!(
        support::stdout(&out).trim(),
        format!("otp {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn checked_in_completions_are_up_to_date() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let env = Env::new();
    for (shell, file) in [
        ("bash", "otp.bash"),
        ("zsh", "_otp"),
        ("fish", "otp.fish"),
        ("powershell", "_otp.ps1"),
        ("elvish", "otp.elv"),
    ] {
        let out = env.run(&["completions", shell]);
        assert_eq!(support::code(&out), 0);
        let want = std::fs::read(dir.join(file)).unwrap_or_default();
        assert!(
            out.stdout == want,
            "completions/{file} is stale: run `cargo run -- completions {shell} > completions/{file}`"
        );
    }
}

#[test]
fn man_page_is_roff() {
    let out = Env::new().run(&["man"]);
    assert_eq!(support::code(&out), 0);
    let text = support::stdout(&out);
    assert!(text.contains(".TH otp"), "{}", &text[..text.len().min(200)]);
    // every command documented on the one page, no references to pages not shipped
    for section in ["OTP SEND", "OTP VERIFY", "OTP CONFIG", "EXIT STATUS"] {
        assert!(
            text.contains(&format!(".SH \"{section}\"")),
            "{section} missing"
        );
    }
    assert!(!text.contains("(1)\n"), "dangling page reference");
    assert!(text.contains("webotp"), "send options missing");
}

#[test]
fn providers_lists_the_registry() {
    let env = Env::new();
    let out = env.run(&["providers"]);
    assert_eq!(support::code(&out), 0);
    assert!(support::stdout(&out).contains("console"));
    let out = env.run(&["providers", "console"]);
    assert_eq!(support::code(&out), 0);
    assert!(support::stdout(&out).contains("example:"));
    let out = env.run(&["providers", "nope"]);
    assert_eq!(support::code(&out), 2);
    let v = support::json(&env.run(&["providers", "-o", "json"]));
    for p in v.as_array().unwrap() {
        for f in ["id", "channels", "verify_with", "keys", "example"] {
            assert!(p.get(f).is_some(), "{f} missing in {p}");
        }
    }
}

#[test]
fn example_profiles_of_every_provider_parse() {
    let env = Env::new();
    let v = support::json(&env.run(&["providers", "-o", "json"]));
    for p in v.as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        let e = Env::new();
        e.config(p["example"].as_str().unwrap());
        let out = e.run(&["config", "check", "-o", "json"]);
        let doc = support::json(&out);
        for problem in doc["problems"].as_array().unwrap() {
            let s = problem["message"].as_str().unwrap();
            // Unset env vars, and the placeholders an example leaves to fill in.
            assert!(
                s.contains("which is not set") || s.contains("placeholder"),
                "{id}: {s}"
            );
        }
    }
}
