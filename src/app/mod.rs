//! One function per command: config -> provider -> request -> output. Each returns the
//! exit code; the checks that must pass before any network I/O all happen before the
//! first byte leaves.

mod inspect;
mod online;
mod record;
mod send;

use crate::cli::{Cli, Command, Global};
use crate::config::{self, ConfigFile, Profile};
use crate::error::Failure;
use crate::http;
use crate::output::{self, Format, Printer};
use crate::providers::{self, Info};
use std::time::Duration;

pub use send::setting_checks;

pub fn run(cli: Cli) -> u8 {
    let g = &cli.global;
    let format = match output_format(g) {
        Ok(f) => f,
        Err(f) => {
            output::error(&f, false);
            return f.exit_code();
        }
    };
    let out = Printer::new(format, g.quiet, g.verbose, g.no_color);
    let code = command(g, &out, &cli);
    warn_weak_credentials();
    code
}

fn command(g: &Global, out: &Printer, cli: &Cli) -> u8 {
    let out = *out;
    match &cli.command {
        Command::Send(a) => send::send(g, &out, a),
        Command::Verify(a) => record::verify(g, &out, a),
        Command::Status(a) => record::status(g, &out, a),
        Command::Cancel(a) => record::cancel(g, &out, a),
        Command::Providers { name } => {
            finish(&out, None, inspect::list_providers(&out, name.as_deref()))
        }
        Command::Config(c) => finish(&out, None, inspect::config_cmd(g, &out, c)),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "otp", &mut buf);
            finish(&out, None, write_stdout(&buf, "the completion script"))
        }
        Command::Man => {
            let r = man_page()
                .map_err(|e| Failure::config(format!("cannot render the man page: {e}")))
                .and_then(|buf| write_stdout(&buf, "the man page"));
            finish(&out, None, r)
        }
    }
}

/// The end of a command other than send/verify: its exit code, or the error on stderr
/// and, with `-o json`, a document `{ok: false, error}` on stdout (with the `id` for
/// status and cancel).
fn finish(out: &Printer, id: Option<&str>, r: Result<u8, Failure>) -> u8 {
    match r {
        Ok(code) => code,
        Err(f) => {
            output::error(&f, out.verbose);
            if out.json() {
                let mut rep = output::Report::new(f.outcome);
                rep.fail(&f);
                let mut doc = serde_json::Map::new();
                doc.insert("ok".into(), false.into());
                if let Some(id) = id {
                    doc.insert("id".into(), id.into());
                }
                doc.insert("error".into(), rep.to_json()["error"].take());
                out.json_value(&doc.into());
            }
            f.exit_code()
        }
    }
}

fn output_format(g: &Global) -> Result<Format, Failure> {
    match g.output.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        _ if g.json && g.output.as_deref().is_some_and(|o| o.trim() != "json") => Err(
            Failure::usage("--json and --output text contradict each other; give one"),
        ),
        _ if g.json => Ok(Format::Json),
        None => Ok(Format::Text),
        Some(s) if s == "text" => Ok(Format::Text),
        Some(s) if s == "json" => Ok(Format::Json),
        Some(s) => Err(Failure::usage(format!(
            "--output must be text or json, not \"{s}\""
        ))),
    }
}

pub(super) fn timeout(g: &Global) -> Result<Duration, Failure> {
    match &g.timeout {
        None => Ok(http::DEFAULT_TIMEOUT),
        Some(t) => {
            let d =
                config::parse_duration(t).map_err(|e| Failure::usage(format!("--timeout: {e}")))?;
            if d.is_zero() {
                return Err(Failure::usage("--timeout must be more than 0s"));
            }
            Ok(d)
        }
    }
}

/// Load the file, pick the profile and resolve it with `flags` laid over it.
pub(super) fn load_profile(
    g: &Global,
    profile: Option<&str>,
    flags: &[(&'static str, String)],
) -> Result<Profile, Failure> {
    let file = ConfigFile::load(g.config.as_deref())?;
    let name = file.select(profile.or(g.profile.as_deref()))?;
    Profile::resolve(&file, name.as_deref(), flags, &providers::schemas())
}

/// A credential equal to a common word (`true`, a provider name) or under 6 characters
/// is masked in free text only, never in the fields otp owns: it is almost certainly a
/// placeholder, so say so, once.
fn warn_weak_credentials() {
    let names: Vec<&str> = providers::REGISTRY
        .iter()
        .flat_map(|i| std::iter::once(i.id).chain(i.aliases.iter().copied()))
        .collect();
    if crate::redact::new_weak_credentials(&names) > 0 {
        output::warn(
            "a configured secret is shorter than 6 characters or a common word; it is \
             masked in messages and vendor text but not in ids or names: check the key",
        );
    }
}

/// The provider a resolved profile sends through. Config resolved its id from
/// `providers::schemas()`, so the registry has it.
pub(super) fn provider_of(p: &Profile) -> &'static Info {
    providers::find(p.schema.id).expect("a resolved profile names a registered provider")
}

/// A vendor's error text that echoes the number shows it masked, as `--verbose` does.
pub(super) fn mask_number_in(mut f: Failure, to: &crate::phone::Phone) -> Failure {
    let digits = to.masked_digits();
    f.message = f.message.replace(to.digits(), &digits);
    f.detail = f.detail.map(|d| d.replace(to.digits(), &digits));
    f
}

/// Write generated output to stdout. A reader that went away (`otp man | head`) is not
/// an error, as with other Unix tools.
fn write_stdout(bytes: &[u8], what: &str) -> Result<u8, Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(Failure::config(format!("cannot write {what}: {e}"))),
    }
}

/// One man page for the whole tool: every command's synopsis and options in a section
/// of its own, rather than references to `otp-send(1)` pages that are not shipped.
fn man_page() -> std::io::Result<Vec<u8>> {
    use clap::CommandFactory;
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut b = Vec::new();
    man.render_title(&mut b)?;
    man.render_name_section(&mut b)?;
    man.render_synopsis_section(&mut b)?;
    man.render_description_section(&mut b)?;
    man.render_options_section(&mut b)?;
    for sub in cmd.get_subcommands() {
        let name = format!("otp {}", sub.get_name());
        let mut section = Vec::new();
        // clap wants 'static names; the process prints one page and exits.
        let static_name: &'static str = Box::leak(name.clone().into_boxed_str());
        let m = clap_mangen::Man::new(sub.clone().name(static_name).bin_name(static_name));
        m.render_synopsis_section(&mut section)?;
        m.render_description_section(&mut section)?;
        m.render_options_section(&mut section)?;
        for nested in sub.get_subcommands() {
            let name = format!("{name} {}", nested.get_name());
            let static_name: &'static str = Box::leak(name.into_boxed_str());
            let n = clap_mangen::Man::new(nested.clone().name(static_name).bin_name(static_name));
            n.render_synopsis_section(&mut section)?;
            n.render_options_section(&mut section)?;
        }
        let text = String::from_utf8_lossy(&section)
            .replacen(
                ".SH SYNOPSIS",
                &format!(".SH \"{}\"", name.to_uppercase()),
                1,
            )
            .replace(".SH SYNOPSIS", ".SS Synopsis")
            .replace(".SH DESCRIPTION", ".SS Description")
            .replace(".SH OPTIONS", ".SS Options")
            .replace(".SH ARGUMENTS", ".SS Arguments");
        b.extend_from_slice(text.as_bytes());
    }
    let mut extra = Vec::new();
    man.render_extra_section(&mut extra)?;
    b.extend_from_slice(
        String::from_utf8_lossy(&extra)
            .replace(".SH EXTRA", ".SH \"EXIT STATUS\"")
            .as_bytes(),
    );
    man.render_version_section(&mut b)?;
    Ok(b)
}

#[cfg(test)]
mod id_tests {
    use crate::providers::{testing, REGISTRY};
    use crate::redact::Secret;

    /// Issue 15 item 2: a dot or empty id never leaves the OTP's own path, in any adapter.
    /// Every registered adapter, built from its own example profile with literal
    /// credentials and a base URL that ends in a version path (`/v1`), where a dot
    /// segment would climb out of the OTP's own path.
    fn adapters() -> Vec<(&'static str, Box<dyn crate::providers::Provider>)> {
        REGISTRY
            .iter()
            .map(|info| {
                let mut body = String::new();
                for line in info.example.lines() {
                    let line = line.trim();
                    if line.starts_with("base_url") || line.starts_with('#') {
                        continue;
                    }
                    let line = match line.split_once("{ env = ") {
                        Some((head, _)) => format!("{head}\"unit-credential-{}\"", info.id),
                        None => line.to_string(),
                    };
                    body.push_str(&line);
                    body.push('\n');
                }
                body.push_str("base_url = \"https://api.example.com/v1\"\n");
                let p = testing::profile(&body);
                let built =
                    (info.build)(&p).unwrap_or_else(|e| panic!("{}: {}", info.id, e.message));
                (info.id, built)
            })
            .collect()
    }

    /// Where a URL lands once parsed, dot segments resolved as a client resolves them.
    fn landed(url: &str) -> String {
        reqwest::Url::parse(url).unwrap().path().to_string()
    }

    #[test]
    fn no_adapter_request_for_a_dot_id_leaves_its_own_path() {
        let code = Secret::pin("123456");
        for (name, p) in adapters() {
            let mut reqs = Vec::new();
            for id in ["", ".", ".."] {
                if let Ok(r) = p.verify(id, &code) {
                    reqs.push(r);
                }
                reqs.extend(p.status(id));
                reqs.extend(p.cancel(id));
            }
            for r in reqs {
                let raw = r.url.split('?').next().unwrap();
                let raw_path = &raw[raw.find("/v1").unwrap()..];
                let path = landed(&r.url);
                // The parsed path is the built one: nothing collapsed, nothing climbed.
                assert_eq!(path, raw_path, "{name}: {}", r.url);
                assert!(
                    !path.contains("//"),
                    "{name}: {} has an empty segment",
                    r.url
                );
                assert!(path.starts_with("/v1/"), "{name}: {}", r.url);
            }
        }
    }
}
