//! Config discovery, profiles, precedence, permissions, `config init|path|show|check`.

use crate::support::{self, Env};
use std::os::unix::fs::PermissionsExt;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn explicit_missing_config_is_exit_3() {
    let env = Env::new();
    let out = env.run(&[
        "-c",
        "/nonexistent/otp.toml",
        "send",
        "--to",
        "+15551234567",
        "-o",
        "json",
    ]);
    assert_eq!(support::code(&out), 3);
    assert_eq!(support::json(&out)["error"]["kind"], "config");
    let env = Env::new().var("OTP_CONFIG", "/nonexistent/otp.toml");
    assert_eq!(
        support::code(&env.run(&["send", "--to", "+15551234567"])),
        3
    );
}

#[test]
fn unknown_profile_and_unknown_key_name_the_nearest() {
    let env = Env::new();
    env.config("[profiles.dev]\nprovider = \"console\"\nsendr = \"Acme\"\n");
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 3);
    let err = support::stderr(&out);
    assert!(err.contains("`sendr`"), "{err}");
    assert!(err.contains("profile \"dev\""), "{err}");
    assert!(err.contains("`sender`"), "{err}");

    let out = env.run(&["-p", "prod", "send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 3);
    assert!(support::stderr(&out).contains("unknown profile \"prod\""));
}

#[test]
fn unknown_provider_in_flag_is_usage_in_file_is_config() {
    let env = Env::new();
    let out = env.run(&["send", "--to", "+15551234567", "--provider", "termi"]);
    assert_eq!(support::code(&out), 2);
    assert!(support::stderr(&out).contains("did you mean"));
    env.config("[profiles.x]\nprovider = \"nope\"\n");
    assert_eq!(
        support::code(&env.run(&["send", "--to", "+15551234567"])),
        3
    );
}

#[test]
fn several_profiles_without_default_need_a_choice() {
    let env = Env::new();
    env.config("[profiles.a]\nprovider = \"console\"\n[profiles.b]\nprovider = \"console\"\n");
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 3);
    assert!(support::stderr(&out).contains("--profile"));
    let out = env.run(&["send", "--to", "+15551234567", "-p", "b", "-o", "json"]);
    assert_eq!(support::json(&out)["profile"], "b");
    let env2 = Env::new().var("OTP_PROFILE", "a");
    env2.config("[profiles.a]\nprovider = \"console\"\n[profiles.b]\nprovider = \"console\"\n");
    let out = env2.run(&["send", "--to", "+15551234567", "-o", "json"]);
    assert_eq!(support::json(&out)["profile"], "a");
}

#[test]
fn precedence_flag_then_env_then_file() {
    let env = Env::new().var("OTP_SENDER", "FromEnv");
    env.config("[profiles.dev]\nprovider = \"console\"\nsender = \"FromFile\"\nttl = \"4m\"\n");
    let show = |e: &Env, extra: &[&str]| {
        let mut args = vec!["config", "show", "-o", "json"];
        args.extend_from_slice(extra);
        support::json(&e.run(&args))
    };
    let v = show(&env, &[]);
    assert_eq!(v["values"]["sender"]["value"], "FromEnv");
    assert_eq!(v["values"]["sender"]["source"], "env");
    assert_eq!(v["values"]["ttl"]["source"], "file");
    assert_eq!(v["values"]["length"]["source"], "default");

    // a flag beats env: visible in what is sent
    let out = env.run(&["send", "--to", "+15551234567", "--ttl", "2m", "-o", "json"]);
    let v = support::json(&out);
    let exp = v["expires_at"].as_str().unwrap().to_string();
    let t = humantime::parse_rfc3339(&exp).unwrap();
    let left = t
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    assert!(left.as_secs() <= 120 && left.as_secs() > 60, "{left:?}");

    // text form names the sources
    let out = env.run(&["config", "show"]);
    let text = support::stdout(&out);
    assert!(text.contains("FromEnv") && text.contains("# env"), "{text}");
}

#[test]
fn env_alone_is_enough_without_a_file() {
    let env = Env::new()
        .var("OTP_PROVIDER", "console")
        .var("OTP_TTL", "3m");
    let out = env.run(&["send", "--to", "+15551234567", "-o", "json"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let v = support::json(&out);
    assert_eq!(v["provider"], "console");
    let env = Env::new().var("OTP_LENGTH", "x");
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 3, "{}", support::stderr(&out));
    assert!(support::stderr(&out).contains("OTP_LENGTH"));
}

#[test]
fn readable_config_warns_writable_refuses() {
    let env = Env::new();
    env.config("[profiles.dev]\nprovider = \"console\"\n");
    let p = env.config_path();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 0);
    let err = support::stderr(&out);
    assert!(
        err.contains("warning") && err.contains("chmod 600") && err.contains("0644"),
        "{err}"
    );
    assert!(err.contains(&p.display().to_string()));

    for m in [0o664, 0o606, 0o666] {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).unwrap();
        let out = env.run(&["send", "--to", "+15551234567", "-o", "json"]);
        assert_eq!(support::code(&out), 3, "mode {m:o}");
        assert_eq!(support::json(&out)["outcome"], "not_sent");
        assert!(support::stderr(&out).contains("chmod 600"));
    }
}

#[test]
fn config_init_writes_0600_in_0700_and_never_overwrites() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["config", "init", "--provider", "console"])
        .output()
        .unwrap();
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
    let p = env.config_path();
    assert_eq!(mode(&p), 0o600);
    assert_eq!(mode(p.parent().unwrap()), 0o700);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains("default_profile"));
    // the starter file is valid
    assert_eq!(support::code(&env.run(&["config", "check"])), 0);
    assert_eq!(
        support::code(&env.run(&["send", "--to", "+15551234567"])),
        0
    );
    // never overwrites
    std::fs::write(&p, "# mine\n").unwrap();
    let out = env.run(&["config", "init"]);
    assert_eq!(support::code(&out), 3);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "# mine\n");
}

#[test]
fn config_init_under_umask_000_is_still_private() {
    let env = Env::new();
    let cfg = env.dir.path().join("fresh").join("otp.toml");
    let status = env
        .std_cmd_umask_000()
        .arg("-c")
        .arg(&cfg)
        .args(["config", "init"])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(mode(&cfg), 0o600);
    assert_eq!(mode(cfg.parent().unwrap()), 0o700);
}

#[test]
fn config_path_prints_the_path_in_use() {
    let env = Env::new();
    let out = env.run(&["config", "path"]);
    assert_eq!(
        support::stdout(&out).trim(),
        env.config_path().display().to_string()
    );
    let out = env.run(&["-c", "/tmp/x.toml", "config", "path"]);
    assert_eq!(support::stdout(&out).trim(), "/tmp/x.toml");
}

#[test]
fn config_check_lists_every_problem() {
    let env = Env::new();
    env.config(
        "[profiles.a]\nprovider = \"console\"\nlenght = 6\nsendr = \"x\"\n\
         [profiles.b]\nprovider = \"console\"\nmessage = \"no placeholder\"\n",
    );
    let out = env.run(&["config", "check"]);
    assert_eq!(support::code(&out), 3);
    let err = support::stderr(&out);
    assert!(err.contains("`lenght`") && err.contains("`sendr`"), "{err}");
    assert!(err.contains("profile \"b\""), "{err}");
    let out = env.run(&["config", "check", "-o", "json"]);
    let v = support::json(&out);
    assert_eq!(v["ok"], false);
    assert!(v["problems"].as_array().unwrap().len() >= 3, "{v}");
}

#[test]
fn bad_toml_names_the_line() {
    let env = Env::new();
    env.config("[profiles.a]\nprovider = \"console\"\nsender = \n");
    let out = env.run(&["send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 3);
    assert!(
        support::stderr(&out).contains("line"),
        "{}",
        support::stderr(&out)
    );
}

#[test]
fn example_config_parses_and_checks() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let text = std::fs::read_to_string(example).unwrap();
    let env = Env::new();
    let list = support::json(&env.run(&["providers", "-o", "json"]));
    for p in list.as_array().unwrap() {
        let line = format!("provider = \"{}\"", p["id"].as_str().unwrap());
        assert!(text.contains(&line), "config.example.toml lacks {line}");
    }
    env.config(&text);
    let out = env.run(&["config", "check"]);
    // the example reads credentials from env vars that are not set here, and leaves
    // placeholders to fill in: only those problems may be reported
    let err = support::stderr(&out);
    for line in err.lines().filter(|l| l.starts_with("otp: error:")) {
        assert!(
            line.contains("which is not set") || line.contains("placeholder"),
            "unexpected problem: {line}"
        );
    }
    let out = env.run(&["-p", "dev", "send", "--to", "+15551234567"]);
    assert_eq!(support::code(&out), 0, "{}", support::stderr(&out));
}
