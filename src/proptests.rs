//! Property tests: no input panics the parsers — phone numbers, templates, config files,
//! and every registered vendor's reply parsers on arbitrary bytes and arbitrary JSON.

use crate::config::{ConfigFile, Profile};
use crate::message::{segments, Template};
use crate::phone::Phone;
use crate::providers::{Provider, Reply, REGISTRY};
use crate::redact::{self, Secret};
use proptest::prelude::*;
use std::path::Path;

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
            Just("")
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
            prop_assert_eq!(p.digits(), d.as_str());
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
        let reply = Reply { status, content_type: Some("application/json".into()), body };
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
        };
        for p in providers() {
            if let Ok(acc) = p.send_reply(&reply) {
                prop_assert!(!acc.id.is_empty(), "{} accepted with an empty id: {}", p.info().id, v);
            }
            let _ = p.verify_reply(&reply);
        }
    }
}

#[test]
fn every_provider_builds_from_its_example() {
    assert_eq!(providers().len(), REGISTRY.len());
    let _ = Secret::new("unused-canary");
}
