//! Sending through a chain of profiles (the README): which profiles make the
//! chain, and which failures of one allow trying the next. Pure decisions with their
//! tests; `send` owns the loop and the I/O.

use crate::config::{self, ConfigFile, Profile};
use crate::error::{Failure, Kind, Outcome};

/// The profiles to try after `chosen`, in order: the chosen profile's own `fallback`
/// list, then each `--fallback`. Each profile is tried once (a repeat, or the chosen
/// profile itself, is skipped); the fallback profiles' own lists are not followed, so a
/// chain cannot loop. A name the file does not have is exit 3, with the nearest one.
pub fn chain(
    chosen: Option<&str>,
    own: &[String],
    flags: &[String],
    known: &[&str],
) -> Result<Vec<String>, Failure> {
    let mut names: Vec<String> = Vec::new();
    let sources = own
        .iter()
        .map(|n| (n, "fallback"))
        .chain(flags.iter().map(|n| (n, "--fallback")));
    for (name, from) in sources {
        let name = name.trim();
        if !known.contains(&name) {
            let shown = crate::redact::strip_controls(name);
            let mut f = Failure::config(match (from, chosen) {
                ("fallback", Some(c)) => format!(
                    "unknown profile \"{shown}\" in fallback of {}",
                    config::profile_label(Some(c))
                ),
                _ => format!("unknown profile \"{shown}\" in --fallback"),
            });
            // Only a name close enough to be what was meant is suggested.
            f = match (
                known.is_empty(),
                super::close_match(name, known.iter().copied()),
            ) {
                (true, _) => f.hint("a fallback names another [profiles.NAME] of the config file"),
                (false, Some(near)) => f.hint(format!(
                    "did you mean \"{near}\"? profiles: {}",
                    known.join(", ")
                )),
                (false, None) => f.hint(format!("profiles: {}", known.join(", "))),
            };
            return Err(f);
        }
        if Some(name) != chosen && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    Ok(names)
}

/// The fallback profiles of a send, resolved with the send's flags (all but
/// `--provider`, which replaces only the chosen profile's vendor). A route's chain
/// (`route`, the profiles after the first) comes before the profile's own list.
pub fn profiles(
    g: &crate::cli::Global,
    first: &Profile,
    route: &[String],
    flags: &[String],
    send_flags: &[(&'static str, String)],
) -> Result<Vec<Profile>, Failure> {
    let own: Vec<String> = route
        .iter()
        .cloned()
        .chain(first.list("fallback"))
        .collect();
    if own.is_empty() && flags.is_empty() {
        return Ok(Vec::new());
    }
    let file = ConfigFile::load(g.config.as_deref())?;
    let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
    let names = chain(first.name.as_deref(), &own, flags, &known)?;
    let flags: Vec<(&'static str, String)> = send_flags
        .iter()
        .filter(|(k, _)| *k != "provider")
        .cloned()
        .collect();
    names
        .iter()
        .map(|n| {
            Profile::resolve(&file, Some(n), &flags, &crate::providers::schemas())
                .map_err(|f| in_fallback(f, Some(n), None))
        })
        .collect()
}

/// A check failure of a fallback profile, naming it: the send stops before anything
/// leaves, and the user must know which profile could not take the value.
pub fn in_fallback(mut f: Failure, profile: Option<&str>, provider: Option<&str>) -> Failure {
    let who = config::profile_label(profile);
    f.message = match provider {
        Some(p) => format!("fallback {who} ({p}): {}", f.message),
        None => format!("fallback {who}: {}", f.message),
    };
    f
}

/// Whether the next profile may be tried after this failure. Only when nothing was
/// sent: the request never left (`not_sent`), or the vendor refused it for a cause of
/// its own account, registrations or coverage that another vendor may not share
/// (`Kind::vendor_specific`). The cause is the adapter's reading of a documented
/// refusal; no vendor words are read here. Never after `unknown` (the SMS may have gone
/// out), nor after a refusal of the request itself (a malformed number is malformed
/// everywhere), nor after our own usage, config, store or cooldown errors.
pub fn falls_back(f: &Failure) -> bool {
    match f.outcome {
        Outcome::NotSent => !matches!(
            f.kind,
            Kind::Usage | Kind::Config | Kind::Store | Kind::Cooldown
        ),
        Outcome::Rejected => f.kind.vendor_specific(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn refused(kind: Kind, vendor_words: &str) -> Failure {
        Failure::rejected(
            kind,
            format!("vendor rejected the request (HTTP 400): {vendor_words}"),
        )
    }

    #[test]
    fn the_chain_is_the_profile_list_then_the_flags_each_once() {
        let known = ["a", "b", "c", "d"];
        let c = chain(Some("a"), &names(&["b", "c"]), &names(&["d", "b"]), &known).unwrap();
        assert_eq!(c, ["b", "c", "d"]);
        // The chosen profile in its own list is not tried twice.
        let c = chain(Some("a"), &names(&["a", "b"]), &[], &known).unwrap();
        assert_eq!(c, ["b"]);
        assert!(chain(Some("a"), &[], &[], &known).unwrap().is_empty());
        // With no profile (env only), the flags alone make the chain.
        assert_eq!(chain(None, &[], &names(&["c"]), &known).unwrap(), ["c"]);
    }

    #[test]
    fn an_unknown_profile_is_a_config_error_with_the_nearest_name() {
        let f = chain(Some("ng"), &names(&["ghan"]), &[], &["ng", "ghana"]).unwrap_err();
        assert_eq!(f.exit_code(), 3);
        assert!(f.message.contains("\"ghan\""), "{}", f.message);
        assert!(f.message.contains("profile \"ng\""), "{}", f.message);
        assert!(f.hint.unwrap().contains("did you mean \"ghana\""));
        let f = chain(Some("ng"), &[], &names(&["ghanna"]), &["ng", "ghana"]).unwrap_err();
        assert!(f.message.contains("--fallback"), "{}", f.message);
        assert_eq!(f.exit_code(), 3);
    }

    #[test]
    fn falls_back_only_when_nothing_was_sent_for_a_vendor_s_own_reason() {
        // The request never left.
        assert!(falls_back(&Failure::not_sent(Kind::Network, "refused")));
        assert!(falls_back(&Failure::not_sent(Kind::Timeout, "connect")));
        // Refusals another vendor may not share.
        for k in [
            Kind::Auth,
            Kind::InsufficientFunds,
            Kind::RateLimited,
            Kind::Blocked,
        ] {
            assert!(falls_back(&refused(k, "no")), "{k:?}");
        }
        // May have been sent: never.
        for k in [
            Kind::Server,
            Kind::Timeout,
            Kind::BadResponse,
            Kind::Network,
        ] {
            assert!(!falls_back(&Failure::unknown(k, "x")), "{k:?}");
        }
        // Our own errors, and refusals of the request itself.
        assert!(!falls_back(&Failure::usage("bad")));
        assert!(!falls_back(&Failure::config("bad")));
        assert!(!falls_back(&Failure::not_sent(Kind::Store, "store")));
        assert!(!falls_back(&refused(Kind::NotFound, "no such path")));
        assert!(!falls_back(&refused(
            Kind::InvalidRequest,
            "pin_length must be 4-8"
        )));
    }

    #[test]
    fn fallback_follows_the_cause_never_the_words() {
        for k in [Kind::SenderRefused, Kind::RouteRefused] {
            assert!(falls_back(&refused(k, "no")), "{k:?}");
        }
        // Words that name a sender, a route or a balance decide nothing: only the
        // adapter's cause does.
        for words in [
            "Invalid senderNumber",
            "Sender ID is not approved",
            "route not set up for the destination",
            "No coverage for this destination",
            "Message queued on sender ACME",
            "Sent successfully, balance remaining 12.50",
        ] {
            assert!(
                !falls_back(&refused(Kind::InvalidRequest, words)),
                "{words}"
            );
            assert!(
                !falls_back(&Failure::unknown(Kind::BadResponse, words)),
                "{words}"
            );
        }
        assert!(!falls_back(&Failure::cooldown("cooling", 30)));
    }

    #[test]
    fn a_fallback_profile_s_failure_names_it() {
        let f = in_fallback(Failure::usage("ttl too long"), Some("b"), Some("termii"));
        assert_eq!(f.message, "fallback profile \"b\" (termii): ttl too long");
        assert_eq!(f.exit_code(), 2);
    }
}
