//! Property tests: no input panics the parsers — phone numbers, templates, config files,
//! and every registered vendor's reply parsers on arbitrary bytes and arbitrary JSON —
//! and no time, duration or date arithmetic panics at the extremes (the README).

use crate::config::{ConfigFile, Profile};
use crate::message::{segments, Template};
use crate::phone::Phone;
use crate::providers::{Provider, Reply, REGISTRY};
use crate::redact::{self, Secret};
use proptest::prelude::*;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Every registered provider, built from its example profile with credentials filled in.
fn providers() -> Vec<Box<dyn Provider>> {
    REGISTRY
        .iter()
        .map(|info| {
            let mut table: toml::Table = info.example.parse().expect("example parses");
            for (_, v) in table.iter_mut() {
                if v.is_table() {
                    *v = toml::Value::String("x-credential".into());
                }
            }
            if let Some(toml::Value::String(u)) = table.get("base_url") {
                if !u.starts_with("https://") {
                    table.insert("base_url".into(), "https://example.com".into());
                }
            }
            let text = format!("[profiles.p]\n{}", toml::to_string(&table).unwrap());
            let file = ConfigFile::parse(&text, Path::new("x")).unwrap();
            let profile =
                Profile::resolve(&file, Some("p"), &[], &crate::providers::schemas()).unwrap();
            (info.build)(&profile).unwrap_or_else(|e| panic!("{}: {}", info.id, e.message))
        })
        .collect()
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|n| serde_json::json!(n)),
        ".{0,20}".prop_map(serde_json::Value::String),
        prop_oneof![
            Just("True"),
            Just("False"),
            Just("Expired"),
            Just("1000"),
            Just("1001"),
            Just("VERIFIED"),
            Just("200"),
            Just(""),
            Just("9999-12-31T23:59:59-23:59"),
            Just("9999-12-31T23:59:59Z"),
            Just("-009999-01-01T00:00:00Z"),
            Just("0000-01-01 00:00:00"),
            Just("1969-12-31T23:59:59+25:59")
        ]
        .prop_map(|s| serde_json::Value::String(s.into())),
    ];
    let keys = prop_oneof![
        Just("pinId".to_string()),
        Just("pin_id".to_string()),
        Just("verified".to_string()),
        Just("status".to_string()),
        Just("otpId".to_string()),
        Just("error".to_string()),
        Just("code".to_string()),
        Just("message".to_string()),
        Just("result".to_string()),
        Just("transactionID".to_string()),
        Just("referenceId".to_string()),
        Just("messageResult".to_string()),
        Just("statusCode".to_string()),
        Just("data".to_string()),
        Just("otp".to_string()),
        Just("dateExpires".to_string()),
        Just("cost".to_string()),
        Just("message_id_str".to_string()),
        "[a-z]{1,8}",
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn phone_parse_never_panics(s in ".{0,40}", c in prop::option::of("[A-Za-z]{0,3}")) {
        if let Ok(p) = Phone::parse(&s, c.as_deref()) {
            prop_assert!(p.e164().starts_with('+'));
            prop_assert!(p.digits().len() <= 15);
            let _ = p.masked();
        }
    }

    #[test]
    fn phone_digits_round_trip(d in "[1-9][0-9]{6,14}") {
        if let Ok(p) = Phone::parse(&format!("+{d}"), None) {
            // As typed, or with the trunk 0s written after the calling code dropped; and
            // the result is its own one spelling.
            let cc = p.calling_code();
            let rest = d[cc.len()..].trim_start_matches('0');
            prop_assert!(p.digits() == d || p.digits() == format!("{cc}{rest}"), "{} {}", d, p.digits());
            let again = Phone::parse(&p.e164(), None).unwrap();
            prop_assert_eq!(again.digits(), p.digits());
        }
    }

    #[test]
    fn templates_never_panic(s in ".{0,200}", m in 0u64..100) {
        if let Ok(t) = Template::parse(&s, m) {
            let _ = segments(&t.render("123456"));
        }
        let _ = segments(&s);
    }

    #[test]
    fn config_parsing_never_panics(s in ".{0,300}") {
        if let Ok(f) = ConfigFile::parse(&s, Path::new("x")) {
            if let Ok(Some(name)) = f.select(None) {
                let _ = Profile::resolve(&f, Some(&name), &[], &crate::providers::schemas());
            }
        }
    }

    #[test]
    fn vendor_text_is_clean(s in ".{0,400}") {
        let t = redact::vendor_text(&s);
        prop_assert!(t.chars().count() <= redact::VENDOR_TEXT_MAX + 1);
        prop_assert!(!t.chars().any(|c| c.is_control()));
    }

    #[test]
    fn reply_parsers_never_panic_on_bytes(
        status in prop_oneof![Just(200u16), Just(201), Just(400), Just(401), Just(404), Just(429), Just(500), 100u16..600],
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let reply = Reply { status, content_type: Some("application/json".into()), body, retry_after: None };
        for p in providers() {
            let _ = p.send_reply(&reply);
            let _ = p.verify_reply(&reply);
        }
    }

    #[test]
    fn reply_parsers_never_panic_on_json(
        status in prop_oneof![Just(200u16), Just(201), Just(400), Just(401), Just(403), Just(404), Just(429), Just(500)],
        v in arb_json(),
    ) {
        let reply = Reply {
            status,
            content_type: Some("application/json".into()),
            body: serde_json::to_vec(&v).unwrap(),
            retry_after: None,
        };
        for p in providers() {
            if let Ok(acc) = p.send_reply(&reply) {
                prop_assert!(!acc.id.is_empty(), "{} accepted with an empty id: {}", p.info().id, v);
                if let Some(t) = acc.expires_at {
                    prop_assert!(t <= last_writable(), "{}: {v}", p.info().id);
                    let _ = crate::output::time(t);
                }
            }
            let _ = p.verify_reply(&reply);
        }
    }
}

fn last_writable() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(253_402_300_799)
}

/// Numbers at and around the edges of u64 and of what clocks hold, as text.
fn extreme_number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(u64::MAX.to_string()),
        Just(i64::MAX.to_string()),
        Just((u64::MAX / 60).to_string()),
        Just("253402300800".to_string()),
        Just("100000".to_string()),
        Just("9000".to_string()),
        Just("0".to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        (0u64..1_000_000).prop_map(|n| n.to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn durations_taken_can_be_added_to_now_and_written(
        n in extreme_number(),
        unit in prop_oneof![Just("ns"), Just("s"), Just("m"), Just("h"), Just("d"), Just("w"), Just("months"), Just("years"), Just("y")],
        more in prop::option::of("[0-9]{1,20}(s|m|h|d|years)"),
    ) {
        let text = format!("{n}{unit}{}", more.unwrap_or_default());
        if let Ok(d) = crate::config::parse_duration(&text) {
            prop_assert!(d <= crate::config::MAX_DURATION, "{text}");
            let now = SystemTime::now();
            let then = now.checked_add(d);
            prop_assert!(then.is_some_and(|t| t <= last_writable()), "{text}");
            prop_assert!(std::time::Instant::now().checked_add(d.saturating_add(Duration::from_secs(60))).is_some());
            let _ = crate::output::time(then.unwrap());
            let _ = d.as_secs() / 60;
            let _ = humantime::format_duration(d).to_string();
        }
    }

    #[test]
    fn any_time_is_written_without_panic(secs in any::<i64>(), nanos in 0u32..1_000_000_000, store in any::<u64>()) {
        let d = Duration::new(secs.unsigned_abs(), nanos);
        let t = if secs >= 0 {
            SystemTime::UNIX_EPOCH.checked_add(d)
        } else {
            SystemTime::UNIX_EPOCH.checked_sub(d)
        };
        if let Some(t) = t {
            let shown = crate::output::time(t);
            prop_assert_eq!(shown.len(), "2026-11-22T08:35:00Z".len(), "{}", shown);
        }
        let shown = crate::output::time_at(store);
        prop_assert_eq!(shown.len(), "2026-11-22T08:35:00Z".len(), "{}", shown);
    }
}

#[test]
fn every_provider_builds_from_its_example() {
    assert_eq!(providers().len(), REGISTRY.len());
    let _ = Secret::new("unused-canary");
}
