//! Completion scripts that know the config file: clap writes each script, and for bash,
//! zsh and fish the values of `-p/--profile` and `--fallback` are then completed from
//! `otp __complete-profiles`, which prints the profile names of the config in use (the
//! `-c/--config` on the line, else `OTP_CONFIG`, else the default path). clap's own
//! dynamic completion needs its `unstable-dynamic` feature, so the scripts are finished
//! here instead.

use crate::cli::Global;
use crate::config::ConfigFile;
use clap_complete::Shell;

/// The hidden subcommand the scripts call.
#[cfg(test)]
const SUBCOMMAND: &str = "__complete-profiles";

/// `otp completions SHELL`: clap's script, with profile names for the profile options.
pub(super) fn script(shell: Shell) -> Vec<u8> {
    let mut cmd = visible(super::command());
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "otp", &mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    match shell {
        Shell::Bash => bash(&text),
        Shell::Zsh => zsh(&text),
        Shell::Fish => fish(&text),
        _ => text,
    }
    .into_bytes()
}

/// The command line without its hidden subcommands: clap's generators list every
/// subcommand, and `__complete-profiles` is for the scripts, not for people.
fn visible(full: clap::Command) -> clap::Command {
    // The help texts too: they decide how clap words `-h` ("see more with '--help'").
    clap::Command::new("otp")
        .about(full.get_about().cloned().unwrap_or_default())
        .after_help(full.get_after_help().cloned().unwrap_or_default())
        .after_long_help(full.get_after_long_help().cloned().unwrap_or_default())
        .version(env!("CARGO_PKG_VERSION"))
        .args(full.get_arguments().cloned())
        .subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned())
}

/// `otp __complete-profiles`: the names, one a line; nothing (and exit 0) when there is
/// no file or it cannot be read, so a completion never prints an error mid-line.
pub(super) fn profiles(g: &Global) -> u8 {
    use std::io::Write;
    if let Ok(file) = ConfigFile::load_lenient(g.config.as_deref()) {
        let mut out = std::io::stdout().lock();
        for name in file.profiles.keys() {
            // A name with a line break or escape would break the script's reading.
            if name.chars().all(|c| !c.is_control()) {
                let _ = writeln!(out, "{name}");
            }
        }
    }
    0
}

const BASH_HELPER: &str = r#"
# Profile names for -p/--profile and --fallback, from the config in use.
_otp_profiles() {
    local i w cfg=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        case "$w" in
            -c|--config) cfg=(--config "${COMP_WORDS[i+1]/#\~/$HOME}") ;;
            --config=*) cfg=(--config "${w#--config=}") ;;
        esac
    done
    "${COMP_WORDS[0]/#\~/$HOME}" "${cfg[@]}" __complete-profiles 2>/dev/null
}
"#;

/// In each `case` of the profile options, the names instead of clap's free text.
fn bash(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1024);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let t = line.trim();
        if !matches!(t, "--profile)" | "-p)" | "--fallback)") {
            continue;
        }
        let indent = " ".repeat(line.len() - line.trim_start().len() + 4);
        // clap's body of the case, up to its `return 0`, is replaced.
        for body in lines.by_ref() {
            if body.trim() == "return 0" {
                break;
            }
        }
        out.push_str(&format!(
            "{indent}COMPREPLY=($(compgen -W \"$(_otp_profiles)\" -- \"${{cur}}\"))\n{indent}return 0\n"
        ));
    }
    format!("{BASH_HELPER}{out}")
}

const ZSH_HELPER: &str = r#"(( $+functions[_otp_profiles] )) ||
_otp_profiles() {
    local -a all cfg names
    local i
    all=(${(z)BUFFER})
    for (( i = 2; i <= $#all; i++ )); do
        case ${all[i]} in
            -c|--config) cfg=(--config ${~all[i+1]}) ;;
            --config=*) cfg=(--config ${~all[i]#--config=}) ;;
        esac
    done
    names=(${(f)"$(${~all[1]} $cfg __complete-profiles 2>/dev/null)"})
    compadd -a names
}

"#;

/// The option specs' empty actions (`:NAME:`, `:PROFILE:_default`) call the helper.
fn zsh(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1024);
    for line in text.lines() {
        let t = line.trim_start();
        let profile = t.starts_with("'-p+[") || t.starts_with("'--profile=[");
        let fallback = t.starts_with("'*--fallback=[");
        let line = if profile {
            line.replacen("]:NAME:' \\", "]:NAME:_otp_profiles' \\", 1)
        } else if fallback {
            line.replacen("]:PROFILE:_default' \\", "]:PROFILE:_otp_profiles' \\", 1)
        } else {
            line.to_string()
        };
        if line.starts_with("if [ \"$funcstack[1]\" = \"_otp\" ]; then") {
            out.push_str(ZSH_HELPER);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

const FISH_HELPER: &str = r#"
# Profile names for -p/--profile and --fallback, from the config in use.
function __fish_otp_profiles
    set -l tokens (commandline -opc)
    set -l cfg
    set -l n (count $tokens)
    for i in (seq 2 $n)
        if contains -- $tokens[$i] -c --config; and test $i -lt $n
            set cfg --config $tokens[(math $i + 1)]
        else if string match -q -- '--config=*' $tokens[$i]
            set cfg --config (string replace -- '--config=' '' $tokens[$i])
        end
    end
    $tokens[1] $cfg __complete-profiles 2>/dev/null
end
"#;

/// Each `complete` line of the profile options takes the names as its arguments.
fn fish(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1024);
    for line in text.lines() {
        let profile = line.contains(" -s p -l profile ");
        let fallback = line.contains(" -l fallback ");
        out.push_str(line);
        if (profile || fallback) && line.starts_with("complete -c otp ") {
            if !line.ends_with(" -f") {
                out.push_str(" -f");
            }
            out.push_str(" -a \"(__fish_otp_profiles)\"");
        }
        out.push('\n');
    }
    out.push_str(FISH_HELPER);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(shell: Shell) -> String {
        String::from_utf8(script(shell)).unwrap()
    }

    #[test]
    fn every_profile_option_of_every_shell_asks_for_the_names() {
        let bash = text(Shell::Bash);
        // Every subcommand's -p and --profile, and send's --fallback.
        let cases = bash
            .lines()
            .filter(|l| matches!(l.trim(), "--profile)" | "-p)" | "--fallback)"))
            .count();
        let calls = bash.matches("compgen -W \"$(_otp_profiles)\"").count();
        assert!(cases > 10, "{cases}");
        assert_eq!(cases, calls);
        assert!(bash.contains("_otp_profiles() {"));

        let zsh = text(Shell::Zsh);
        let specs = zsh
            .lines()
            .filter(|l| {
                let t = l.trim_start();
                t.starts_with("'-p+[")
                    || t.starts_with("'--profile=[")
                    || t.starts_with("'*--fallback=[")
            })
            .count();
        assert_eq!(specs, zsh.matches(":_otp_profiles' \\").count());
        assert!(zsh.find("_otp_profiles() {") < zsh.find("compdef _otp otp"));

        let fish = text(Shell::Fish);
        let lines = fish
            .lines()
            .filter(|l| l.contains(" -l profile ") || l.contains(" -l fallback "))
            .collect::<Vec<_>>();
        assert!(!lines.is_empty());
        assert!(
            lines
                .iter()
                .all(|l| l.ends_with("-a \"(__fish_otp_profiles)\"")),
            "{lines:?}"
        );
        assert!(fish.contains("function __fish_otp_profiles"));
    }

    #[test]
    fn the_hidden_subcommand_is_in_no_script_s_list() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let t = text(shell);
            // Only the helper calls it.
            assert_eq!(t.matches(SUBCOMMAND).count(), 1, "{shell}");
        }
    }
}
