//! Help as a new user meets it: completions that complete values, `otp help`, the man
//! page's sections, colour rules, and errors that name where a value came from and
//! point the right way.

use crate::support::{self, Env};

/// What bash offers after `words` (the last one is the word being completed), with the
/// script `otp completions bash` prints sourced.
fn bash_offers(words: &[&str]) -> Vec<String> {
    let env = Env::new();
    let script = env.dir.path().join("otp.bash");
    std::fs::write(&script, env.run(&["completions", "bash"]).stdout).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let cword = words.len() - 1;
    let prog = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={cword}; COMP_LINE=\"${{COMP_WORDS[*]}}\"; \
         COMP_POINT=${{#COMP_LINE}}; _otp otp '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        quoted.join(" "),
        words[cword],
        words[cword - 1],
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &prog])
        .current_dir(env.dir.path())
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    v.sort();
    v
}

#[test]
fn bash_completes_providers_and_aliases_from_the_registry() {
    let env = Env::new();
    let listed = support::json(&env.run(&["providers", "-o", "json"]));
    let offered = bash_offers(&["otp", "send", "--provider", ""]);
    for p in listed.as_array().unwrap() {
        let id = p["id"].as_str().unwrap().to_string();
        assert!(offered.contains(&id), "{id} not offered: {offered:?}");
    }
    assert!(offered.contains(&"androidapi".to_string()), "{offered:?}");
    assert_eq!(
        bash_offers(&["otp", "send", "--provider", "ter"]),
        ["termii"]
    );
    assert!(bash_offers(&["otp", "providers", ""]).contains(&"vonage".to_string()));
    assert!(
        bash_offers(&["otp", "config", "init", "--provider", ""]).contains(&"smscx".to_string())
    );
}

#[test]
fn bash_completes_channels_formats_pin_types_and_shells() {
    assert_eq!(
        bash_offers(&["otp", "send", "--channel", ""]),
        ["sms", "voice", "whatsapp"]
    );
    assert_eq!(bash_offers(&["otp", "-o", ""]), ["json", "text"]);
    assert_eq!(
        bash_offers(&["otp", "send", "--output", ""]),
        ["json", "text"]
    );
    assert_eq!(
        bash_offers(&["otp", "send", "--pin-type", ""]),
        ["alphanumeric", "letters", "numeric"]
    );
    let shells: Vec<String> = bash_offers(&["otp", "completions", ""])
        .into_iter()
        .filter(|w| !w.starts_with('-'))
        .collect();
    assert_eq!(shells, ["bash", "elvish", "fish", "powershell", "zsh"]);
    // a profile name is free text: no file names offered
    assert!(bash_offers(&["otp", "-p", ""]).is_empty());
}

#[test]
fn completion_values_are_hints_not_a_clap_check() {
    // A bad value still gets the tool's own error and JSON document, not clap's.
    let env = Env::new();
    env.config("[profiles.c]\nprovider = \"console\"\n");
    let out = env.run(&["send", "--to", "+15551234567", "--channel", "fax", "--json"]);
    assert_eq!(support::code(&out), 2);
    let v = support::json(&out);
    assert_eq!(v["error"]["kind"], "usage", "{v}");
}

#[test]
fn help_subcommand_works_like_the_flag() {
    let env = Env::new();
    let flag = env.run(&["--help"]);
    let sub = env.run(&["help"]);
    assert_eq!(support::code(&sub), 0);
    assert_eq!(support::stdout(&sub), support::stdout(&flag));
    let flag = env.run(&["send", "--help"]);
    let sub = env.run(&["help", "send"]);
    assert_eq!(support::code(&sub), 0);
    assert_eq!(support::stdout(&sub), support::stdout(&flag));
    assert_eq!(support::code(&env.run(&["help", "config", "check"])), 0);
}

#[test]
fn man_page_has_environment_files_and_exit_status() {
    let text = support::stdout(&Env::new().run(&["man"]));
    let section = |name: &str| {
        let start = text
            .find(&format!(".SH {name}\n"))
            .unwrap_or_else(|| panic!("{name} missing"));
        let rest = &text[start + 4..];
        rest[..rest.find("\n.SH ").unwrap_or(rest.len())].to_string()
    };
    let env = section("ENVIRONMENT");
    for var in [
        "OTP_CONFIG",
        "OTP_PROFILE",
        "OTP_OUTPUT",
        "OTP_TIMEOUT",
        "NO_COLOR",
        "HTTPS_PROXY",
        "NO_PROXY",
        "SSL_CERT_FILE",
    ] {
        assert!(env.contains(var), "{var} missing: {env}");
    }
    let files = section("FILES");
    assert!(
        files.contains("config.toml") && files.contains("otp.db"),
        "{files}"
    );
    let exit = section("\"EXIT STATUS\"");
    for code in 0..=6 {
        assert!(
            exit.contains(&format!(".TP\n.B {code}\n")),
            "{code}: {exit}"
        );
    }
    // each meaning is one filled paragraph: no line of it starts with a space
    assert!(!exit.lines().any(|l| l.starts_with(' ')), "{exit}");
    // the config subcommands are described
    for d in [
        "Write a commented starter file",
        "Print the config path in use",
        "Validate the whole file offline",
    ] {
        assert!(text.contains(d), "{d} missing");
    }
    assert!(!text.contains(".SH \"OTP HELP\""));
}

/// A pseudo-terminal for the child's stderr; what it wrote.
fn stderr_on_a_terminal(env: &Env, args: &[&str]) -> String {
    use std::io::Read;
    use std::os::fd::FromRawFd;
    let (mut m, mut s) = (0, 0);
    // SAFETY: openpty writes two fds into the pointers; null name/termios/winsize are allowed.
    let rc = unsafe {
        libc::openpty(
            &mut m,
            &mut s,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty failed");
    // SAFETY: both fds were just opened by openpty and are owned by nobody else.
    let (mut master, slave) = unsafe {
        (
            std::fs::File::from_raw_fd(m),
            std::os::fd::OwnedFd::from_raw_fd(s),
        )
    };
    let mut child = env
        .std_cmd()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::from(slave))
        .spawn()
        .expect("spawn");
    child.wait().expect("wait");
    drop(child);
    let mut buf = Vec::new();
    // EIO once the child is gone and the buffer drained: the end of the output.
    let mut chunk = [0u8; 4096];
    while let Ok(n) = master.read(&mut chunk) {
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

#[test]
fn errors_have_no_colour_with_term_dumb_or_no_color() {
    let args = ["providers", "nope"];
    let coloured = stderr_on_a_terminal(&Env::new().var("TERM", "xterm"), &args);
    assert!(coloured.contains("\u{1b}["), "control: {coloured:?}");
    let dumb = stderr_on_a_terminal(&Env::new().var("TERM", "dumb"), &args);
    assert!(
        dumb.contains("otp: error:") && !dumb.contains('\u{1b}'),
        "{dumb:?}"
    );
    let no = stderr_on_a_terminal(&Env::new().var("TERM", "xterm").var("NO_COLOR", "1"), &args);
    assert!(
        no.contains("otp: error:") && !no.contains('\u{1b}'),
        "{no:?}"
    );
    let flag = stderr_on_a_terminal(
        &Env::new().var("TERM", "xterm"),
        &["--no-color", "providers", "nope"],
    );
    assert!(!flag.contains('\u{1b}'), "{flag:?}");
    // clap's own messages follow the same rule
    let clap = stderr_on_a_terminal(&Env::new().var("TERM", "dumb"), &["send", "--bogus"]);
    assert!(
        clap.contains("--bogus") && !clap.contains('\u{1b}'),
        "{clap:?}"
    );
    let out = Env::new().run(&args);
    assert!(!support::stderr(&out).contains('\u{1b}'));
}

fn two_profiles() -> Env {
    let env = Env::new();
    env.config("default_profile = \"ng\"\n[profiles.ng]\nprovider = \"console\"\n[profiles.gb]\nprovider = \"console\"\n");
    env
}

#[test]
fn values_from_the_environment_are_named_as_their_variable() {
    let out = two_profiles()
        .var("OTP_TIMEOUT", "xyz")
        .run(&["send", "--to", "+15551234567"]);
    let err = support::stderr(&out);
    assert_eq!(support::code(&out), 2);
    assert!(
        err.contains("OTP_TIMEOUT: ") && !err.contains("--timeout"),
        "{err}"
    );
    let out = two_profiles()
        .var("OTP_OUTPUT", "yaml")
        .run(&["send", "--to", "+15551234567"]);
    let err = support::stderr(&out);
    assert!(
        err.contains("OTP_OUTPUT must be text or json") && !err.contains("--output"),
        "{err}"
    );
    let out = two_profiles()
        .var("OTP_PROFILE", "ngg")
        .run(&["send", "--to", "+15551234567"]);
    let err = support::stderr(&out);
    assert_eq!(support::code(&out), 3);
    assert!(err.contains("OTP_PROFILE"), "{err}");
    // the flag is named as the flag
    let out = two_profiles().run(&["--timeout", "xyz", "send", "--to", "+15551234567"]);
    assert!(support::stderr(&out).contains("--timeout: "));
    let out = two_profiles().run(&["send", "--to", "+15551234567", "-p", "ngg"]);
    let err = support::stderr(&out);
    assert!(
        !err.contains("OTP_PROFILE") && err.contains("did you mean \"ng\"?"),
        "{err}"
    );
}

#[test]
fn suggestions_are_made_only_when_close() {
    let env = Env::new();
    let err = support::stderr(&env.run(&["providers", "foo"]));
    assert!(
        err.contains("unknown provider \"foo\"") && !err.contains("did you mean"),
        "{err}"
    );
    let err = support::stderr(&env.run(&["providers", "termi"]));
    assert!(err.contains("did you mean \"termii\"?"), "{err}");
    let err =
        support::stderr(&two_profiles().run(&["send", "--to", "+15551234567", "-p", "zzzzz"]));
    assert!(!err.contains("did you mean"), "{err}");
}

#[test]
fn misplaced_code_and_pin_flags_point_at_the_right_one() {
    let env = two_profiles();
    let out = env.run(&["send", "--to", "+15551234567", "--code", "123456"]);
    let err = support::stderr(&out);
    assert_eq!(support::code(&out), 2);
    assert!(err.contains("otp verify --id ID --code CODE"), "{err}");
    assert!(!err.contains("--provider"), "{err}");
    let out = env.run(&["verify", "--id", "x", "--pin", "123456"]);
    let err = support::stderr(&out);
    assert_eq!(support::code(&out), 2);
    assert!(err.contains("--code"), "{err}");
}

#[test]
fn templates_without_the_placeholder_get_a_hint_showing_it() {
    let env = two_profiles();
    for (message, seen) in [
        ("Your code is {{CODE}}", Some("{{CODE}}")),
        ("Your code is {code}", Some("{code}")),
        ("Your code is {{ code }}", Some("{{ code }}")),
        ("Your code", None),
    ] {
        let out = env.run(&["send", "--to", "+15551234567", "--message", message]);
        let err = support::stderr(&out);
        assert_eq!(support::code(&out), 2, "{err}");
        let hint = err
            .lines()
            .find(|l| l.starts_with("hint: "))
            .unwrap_or_else(|| panic!("no hint: {err}"));
        assert!(hint.contains("{{code}}"), "{hint}");
        if let Some(seen) = seen {
            assert!(hint.contains(seen), "{hint}");
        }
    }
}

#[test]
fn an_international_dialling_prefix_suggests_the_plus_form() {
    let env = two_profiles();
    for (to, want) in [
        ("00442079460000", "+442079460000"),
        ("011442079460000", "+442079460000"),
    ] {
        let out = env.run(&["send", "--to", to]);
        let err = support::stderr(&out);
        assert_eq!(support::code(&out), 2, "{err}");
        assert!(
            err.contains(want) && !err.contains("has no country code"),
            "{err}"
        );
    }
}

#[test]
fn an_argument_that_is_not_utf8_gives_one_json_document() {
    use std::os::unix::ffi::OsStrExt;
    let env = two_profiles();
    let bad = std::ffi::OsStr::from_bytes(b"+1555\xff\xfe");
    for json in [["--json", ""], ["-o", "json"]] {
        let mut cmd = env.std_cmd();
        cmd.args(["send", "--to"])
            .arg(bad)
            .args(json.iter().filter(|a| !a.is_empty()));
        let out = cmd.output().unwrap();
        assert_eq!(support::code(&out), 2, "{}", support::stderr(&out));
        let v = support::json(&out);
        support::assert_report_shape(&v);
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"]["kind"], "usage", "{v}");
        assert!(support::stderr(&out).starts_with("otp: error:"));
    }
    let out = env
        .std_cmd()
        .args(["send", "--to"])
        .arg(bad)
        .output()
        .unwrap();
    assert_eq!(support::code(&out), 2);
    assert!(out.stdout.is_empty());
    assert!(support::stderr(&out).contains("not valid UTF-8"));
}
