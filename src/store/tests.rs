//! Conformance tests: the same bodies run against the embedded store and a real
//! `redis-server` (two handles on one server play two machines), plus what only one
//! backend has (file modes, import, pruning; Redis expiry and unreachable servers).

use super::record::{Record, Refused, State};
use super::*;
use crate::error::Reason;
use crate::message::PinType;
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Barrier};

#[path = "../../tests/support/redis.rs"]
#[allow(dead_code)] // the proxy is for the CLI tests
mod redis_server;

const PIN: &str = "493817";
const NOW: u64 = 1_800_000_000;

enum Fixture {
    Embedded(tempfile::TempDir),
    Shared(redis_server::Redis),
}

impl Fixture {
    fn spec(&self) -> StoreSpec {
        match self {
            Fixture::Embedded(d) => StoreSpec::Embedded {
                dir: d.path().join("state").join("otp"),
            },
            Fixture::Shared(r) => shared_spec(r.url(), "test-store-key-0123456789"),
        }
    }

    /// A new handle: another process, or another machine.
    fn open(&self) -> Box<dyn RecordStore> {
        open(&self.spec()).unwrap_or_else(|f| panic!("open: {}", f.message))
    }
}

fn shared_spec(url: impl Into<String>, key: &str) -> StoreSpec {
    StoreSpec::Shared {
        url: url.into(),
        key: Secret::new(key),
        prefix: "otp:".into(),
        timeout: std::time::Duration::from_secs(10),
        ca_file: None,
    }
}

/// Run `body` against the embedded store, then against a real Redis when there is one.
fn both(body: impl Fn(&Fixture)) {
    body(&Fixture::Embedded(tempfile::tempdir().unwrap()));
    if let Some(r) = redis_server::Redis::start() {
        body(&Fixture::Shared(r));
    }
}

fn rec(st: &dyn RecordStore, id: &str, profile: &str, to: &str) -> Record {
    let mut r = Record::new(
        id,
        Some(profile.into()),
        "console",
        to,
        NOW,
        Some(NOW + 300),
        3,
    );
    r.set_pin(st.key(), &Secret::new(PIN), Some(PinType::Numeric));
    r
}

fn slot(number: &str, cooldown: Option<u64>) -> Slot {
    Slot {
        number: number.into(),
        country: "44".into(),
        cooldown,
        ..Slot::default()
    }
}

#[test]
fn insert_get_and_replacement_across_profiles() {
    both(|fx| {
        let st = fx.open();
        assert!(st.get("nope", NOW).unwrap().is_none());
        st.insert(&rec(&*st, "a", "one", "+447700900001"), NOW)
            .unwrap();
        st.insert(&rec(&*st, "other", "one", "+447700900002"), NOW)
            .unwrap();
        let a = st.get("a", NOW).unwrap().unwrap();
        assert_eq!(a.state, State::Pending);
        assert_eq!(a.profile.as_deref(), Some("one"));
        // Another profile sends to the same number: `a` becomes a tombstone.
        let other_machine = fx.open();
        other_machine
            .insert(&rec(&*st, "b", "two", "+447700900001"), NOW + 5)
            .unwrap();
        let a = st.get("a", NOW + 6).unwrap().unwrap();
        assert_eq!(a.state, State::Replaced);
        assert!(a.pin_hash.is_none());
        let verdict = st
            .update("a", NOW + 6, |r| r.check(st.key(), PIN, NOW + 6))
            .unwrap()
            .unwrap();
        assert!(verdict.unwrap_err().message().contains("replaced"));
        assert_eq!(st.get("b", NOW + 6).unwrap().unwrap().state, State::Pending);
        assert_eq!(
            st.get("other", NOW + 6).unwrap().unwrap().state,
            State::Pending
        );
        // The newest record verifies, through either handle.
        let ok = other_machine
            .update("b", NOW + 7, |r| r.check(st.key(), PIN, NOW + 7))
            .unwrap();
        assert_eq!(ok, Some(Ok(())));
        assert!(st.update("nope", NOW, |_| ()).unwrap().is_none());
    });
}

/// Runs on `n` threads, each with its own handle, started together.
fn race<T: Send + 'static>(
    fx: &Fixture,
    n: usize,
    f: impl Fn(&dyn RecordStore) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let f = Arc::new(f);
    let go = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let st = fx.open();
            let (f, go) = (f.clone(), go.clone());
            std::thread::spawn(move || {
                go.wait();
                f(&*st)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn concurrent_claims_let_exactly_one_verify() {
    both(|fx| {
        let st = fx.open();
        st.insert(&rec(&*st, "c", "p", "+447700900003"), NOW)
            .unwrap();
        let wins = race(fx, 8, |st| {
            let claimed = st
                .update("c", NOW + 1, |r| r.claim(st.key(), PIN, NOW + 1, NOW + 61))
                .unwrap()
                .unwrap();
            if claimed.is_err() {
                return false;
            }
            // The vendor said yes: settle.
            st.update("c", NOW + 2, |r| r.state = State::Verified)
                .unwrap();
            true
        });
        assert_eq!(wins.iter().filter(|w| **w).count(), 1, "{wins:?}");
        // Local verifies race the same way.
        st.insert(&rec(&*st, "d", "p", "+447700900004"), NOW)
            .unwrap();
        let oks = race(fx, 8, |st| {
            st.update("d", NOW + 1, |r| r.check(st.key(), PIN, NOW + 1))
                .unwrap()
                .unwrap()
        });
        assert_eq!(oks.iter().filter(|v| v.is_ok()).count(), 1);
        assert!(oks
            .iter()
            .filter_map(|v| v.as_ref().err())
            .all(|e| e.reason() == Some(Reason::AlreadyUsed)));
    });
}

#[test]
fn attempts_are_counted_atomically() {
    both(|fx| {
        let st = fx.open();
        let mut r = rec(&*st, "e", "p", "+447700900005");
        r.attempts_left = 20;
        st.insert(&r, NOW).unwrap();
        let answers = race(fx, 12, |st| {
            st.update("e", NOW + 1, |r| r.check(st.key(), "000000", NOW + 1))
                .unwrap()
                .unwrap()
        });
        assert!(answers
            .iter()
            .all(|a| matches!(a, Err(Refused::No(Reason::WrongCode, _)))));
        assert_eq!(st.get("e", NOW + 2).unwrap().unwrap().attempts_left, 8);
    });
}

#[test]
fn cooldown_holds_across_profiles_and_release_gives_it_back() {
    both(|fx| {
        let (one, two) = (fx.open(), fx.open());
        let t = one
            .reserve(&slot("+447700900006", Some(30)), NOW)
            .unwrap()
            .unwrap();
        // Another profile (and machine), same number.
        let refused = two
            .reserve(&slot("+447700900006", Some(30)), NOW + 10)
            .unwrap()
            .unwrap_err();
        assert_eq!(
            refused,
            Refusal {
                rule: Rule::Cooldown,
                wait: 20
            }
        );
        // Another number is not held back; --force (no cooldown) goes.
        assert!(two
            .reserve(&slot("+447700900007", Some(30)), NOW + 10)
            .unwrap()
            .is_ok());
        let forced = two
            .reserve(&slot("+447700900006", None), NOW + 10)
            .unwrap()
            .unwrap();
        // Nothing went out for either: the number is free again.
        two.release(&forced).unwrap();
        one.release(&t).unwrap();
        assert!(two
            .reserve(&slot("+447700900006", Some(30)), NOW + 11)
            .unwrap()
            .is_ok());
    });
}

#[test]
fn limits_hold_across_two_clients() {
    both(|fx| {
        let (a, b) = (fx.open(), fx.open());
        let limited = |number: &str| Slot {
            number_limit: Some(Limit {
                max: 3,
                window: 3600,
            }),
            country_limit: Some(Limit {
                max: 4,
                window: 7200,
            }),
            ..slot(number, None)
        };
        let n = "+447700900008";
        assert!(a.reserve(&limited(n), NOW).unwrap().is_ok());
        assert!(b.reserve(&limited(n), NOW + 100).unwrap().is_ok());
        assert!(a.reserve(&limited(n), NOW + 200).unwrap().is_ok());
        // The fourth in the hour, from either machine, and --force does not lift it.
        assert_eq!(
            b.reserve(&limited(n), NOW + 300).unwrap().unwrap_err(),
            Refusal {
                rule: Rule::NumberLimit,
                wait: 3300
            }
        );
        // The window slides: the first send drops out after an hour.
        assert!(b.reserve(&limited(n), NOW + 3600).unwrap().is_ok());
        // The country has had 4 sends in two hours: another number in it waits.
        let refused = a
            .reserve(&limited("+447700900009"), NOW + 3601)
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.rule, Rule::CountryLimit);
        assert_eq!(refused.wait, 7200 - 3601);
        // A window past what sends are kept for is refused, not silently shortened.
        let too_long = Slot {
            number_limit: Some(Limit {
                max: 1,
                window: MAX_WINDOW + 1,
            }),
            ..slot(n, None)
        };
        assert_eq!(a.reserve(&too_long, NOW).unwrap_err().exit_code(), 3);
    });
}

#[test]
fn check_says_where_the_store_is() {
    both(|fx| {
        let st = fx.open();
        let d = st.check(NOW).unwrap();
        match fx {
            Fixture::Embedded(_) => assert!(d.ends_with("otp/otp.db"), "{d}"),
            Fixture::Shared(r) => {
                assert_eq!(d, format!("redis://127.0.0.1:{}/0", r.port));
                // Proven writable with a key written and removed again.
                assert_eq!(r.keys(), vec!["otp:key_id".to_string()]);
            }
        }
    });
}

fn sha256_hex(b: &[u8]) -> String {
    record::hex(ring::digest::digest(&ring::digest::SHA256, b).as_ref())
}

/// Every byte a backend keeps, as text.
fn everything(fx: &Fixture) -> String {
    match fx {
        Fixture::Embedded(d) => {
            let mut all = String::new();
            for e in walk(d.path()) {
                all.push_str(&String::from_utf8_lossy(&std::fs::read(e).unwrap()));
            }
            all
        }
        Fixture::Shared(r) => {
            let mut con = redis::Client::open(r.url())
                .unwrap()
                .get_connection()
                .unwrap();
            let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut con).unwrap();
            let mut all = String::new();
            for k in keys {
                assert!(k.starts_with("otp:"), "key outside the prefix: {k}");
                let t: String = redis::cmd("TYPE").arg(&k).query(&mut con).unwrap();
                let v: Vec<String> = match t.as_str() {
                    "string" => vec![redis::cmd("GET").arg(&k).query(&mut con).unwrap()],
                    "set" => redis::cmd("SMEMBERS").arg(&k).query(&mut con).unwrap(),
                    "zset" => redis::cmd("ZRANGE")
                        .arg(&k)
                        .arg(0)
                        .arg(-1)
                        .query(&mut con)
                        .unwrap(),
                    other => panic!("unexpected type {other} of {k}"),
                };
                all.push_str(&format!("{k} {v:?}\n"));
            }
            all
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn no_pin_and_no_unkeyed_hash_is_kept() {
    both(|fx| {
        let st = fx.open();
        for (i, n) in ["+447700900010", "+447700900011"].iter().enumerate() {
            st.insert(&rec(&*st, &format!("id{i}"), "p", n), NOW)
                .unwrap();
        }
        st.reserve(&slot("+447700900010", Some(30)), NOW)
            .unwrap()
            .unwrap();
        drop(st);
        let all = everything(fx);
        assert!(all.contains("id0"), "the scan saw the records");
        for bad in [PIN.to_string(), sha256_hex(PIN.as_bytes())] {
            assert!(!all.contains(&bad), "found {bad}");
        }
        let secret = "test-store-key-0123456789";
        assert!(!all.contains(secret));
    });
}

// ---- embedded only --------------------------------------------------------------

fn mode(p: &std::path::Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn embedded_files_are_private_and_a_loose_folder_is_tightened() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("otp");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let spec = StoreSpec::Embedded { dir: dir.clone() };
    let st = open(&spec).unwrap();
    st.insert(&rec(&*st, "a", "p", "+447700900012"), NOW)
        .unwrap();
    assert_eq!(mode(&dir), 0o700);
    for f in ["otp.db", "otp.db-wal", "otp.db-shm", "store.key"] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
    drop(st);
    // A database that is a link is refused (exit 3), not followed.
    let other = tmp.path().join("elsewhere.db");
    std::fs::rename(dir.join("otp.db"), &other).unwrap();
    std::os::unix::fs::symlink(&other, dir.join("otp.db")).unwrap();
    let f = open(&spec).err().expect("a linked database is refused");
    assert_eq!(f.exit_code(), 3);
    assert!(f.message.contains("symbolic link"), "{}", f.message);
}

#[test]
fn embedded_refuses_a_key_that_is_not_the_records_key() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = StoreSpec::Embedded {
        dir: tmp.path().to_path_buf(),
    };
    drop(open(&spec).unwrap());
    let key = tmp.path().join("store.key");
    // Another key in its place.
    std::fs::write(&key, [9u8; 32]).unwrap();
    let f = open(&spec).err().expect("a new key for old records");
    assert_eq!(f.exit_code(), 3);
    assert!(f.message.contains("does not belong"), "{}", f.message);
    // No key at all: refused, and no new one made.
    std::fs::remove_file(&key).unwrap();
    let f = open(&spec).err().expect("no key for old records");
    assert_eq!(f.exit_code(), 3);
    assert!(f.message.contains("missing"), "{}", f.message);
    assert!(!key.exists());
}

#[test]
fn embedded_pruning_is_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let st = embedded::Embedded::open(&dir).unwrap();
    let s: &dyn RecordStore = &st;
    for i in 0..120 {
        let mut r = rec(s, &format!("old{i}"), "p", &format!("+4477009{i:05}"));
        r.expires_at = Some(NOW - 2 * record::KEEP_EXPIRED);
        s.insert(&r, NOW - 2 * record::KEEP_EXPIRED).unwrap();
        s.reserve(&slot(&r.to, None), NOW - MAX_WINDOW - 10)
            .unwrap()
            .unwrap();
    }
    assert_eq!(embedded::count(&st), (120, 120));
    // Gone for readers at once, removed 50 rows a write.
    assert!(s.get("old0", NOW).unwrap().is_none());
    s.reserve(&slot("+447700900999", None), NOW)
        .unwrap()
        .unwrap();
    assert_eq!(embedded::count(&st), (70, 71));
    s.update("x", NOW, |_| ()).unwrap();
    assert_eq!(embedded::count(&st), (20, 21));
}

#[test]
fn embedded_imports_records_json_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("otp");
    let (salt, unkeyed) = legacy::hash_for_test(&[7u8; 16], PIN);
    let r = legacy::Record {
        id: "old".into(),
        profile: Some("p".into()),
        provider: "console".into(),
        to: "+447700900013".into(),
        sent_at: NOW,
        expires_at: Some(NOW + 300),
        attempts_left: 3,
        state: legacy::State::Pending,
        salt: Some(salt),
        pin_hash: Some(unkeyed.clone()),
        checking_since: None,
    };
    let mut old = legacy::Records::default();
    old.sends.insert(format!("p|{}", r.to), NOW);
    old.records.push(r);
    legacy::write_for_test(&dir, &old);

    let spec = StoreSpec::Embedded { dir: dir.clone() };
    let st = open(&spec).unwrap();
    assert!(!dir.join("records.json").exists());
    assert!(dir.join("records.json.imported").exists());
    // The cooldown came along.
    assert_eq!(
        st.reserve(&slot("+447700900013", Some(30)), NOW + 1)
            .unwrap()
            .unwrap_err()
            .rule,
        Rule::Cooldown
    );
    let got = st.get("old", NOW + 1).unwrap().unwrap();
    assert_ne!(got.pin_hash.as_deref(), Some(unkeyed.as_str()));
    let wrong = st
        .update("old", NOW + 1, |r| r.check(st.key(), "111111", NOW + 1))
        .unwrap()
        .unwrap();
    assert_eq!(wrong.unwrap_err().reason(), Some(Reason::WrongCode));
    let right = st
        .update("old", NOW + 1, |r| r.check(st.key(), PIN, NOW + 1))
        .unwrap();
    assert_eq!(right, Some(Ok(())));
    drop(st);
    // A records.json that shows up again is not imported twice.
    std::fs::copy(dir.join("records.json.imported"), dir.join("records.json")).unwrap();
    let st = open(&spec).unwrap();
    assert_eq!(
        st.get("old", NOW + 2).unwrap().unwrap().state,
        State::Verified
    );
    let db = std::fs::read(dir.join("otp.db")).unwrap();
    let wal = std::fs::read(dir.join("otp.db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(!String::from_utf8_lossy(&bytes).contains(&unkeyed));
    }
}

// ---- shared only ----------------------------------------------------------------

#[test]
fn shared_records_carry_redis_expiry() {
    let Some(r) = redis_server::Redis::start() else {
        return;
    };
    let fx = Fixture::Shared(r);
    let st = fx.open();
    let now = super::now();
    let mut x = rec(&*st, "ttl", "p", "+447700900014");
    x.sent_at = now;
    x.expires_at = Some(now + 300);
    st.insert(&x, now).unwrap();
    let Fixture::Shared(r) = &fx else {
        unreachable!()
    };
    let mut con = redis::Client::open(r.url())
        .unwrap()
        .get_connection()
        .unwrap();
    // The number's key is named by a keyed tag of it, never the number.
    let nums: Vec<String> = redis::cmd("KEYS").arg("otp:num:*").query(&mut con).unwrap();
    assert_eq!(nums.len(), 1);
    assert!(!nums[0].contains("447700900014"), "{nums:?}");
    for k in ["otp:rec:ttl", nums[0].as_str()] {
        let ttl: i64 = redis::cmd("TTL").arg(k).query(&mut con).unwrap();
        let want = (300 + record::KEEP_EXPIRED) as i64;
        assert!(ttl > want - 60 && ttl <= want, "{k}: {ttl}");
    }
}

#[test]
fn shared_unreachable_is_exit_5_and_a_refused_password_exit_3_without_the_password() {
    let pw = "Pw-9f8e7d6c5b";
    let closed = redis_server::closed_port();
    let spec = shared_spec(format!("redis://user:{pw}@127.0.0.1:{closed}/2"), "k");
    let f = open(&spec).err().expect("nothing listens there");
    assert_eq!(f.kind, Kind::Store);
    assert_eq!(f.exit_code(), 5);
    let text = format!("{} {:?} {f:?}", f.message, f.hint);
    assert!(!text.contains(pw), "{text}");
    assert!(
        f.message
            .contains(&format!("redis://user:***@127.0.0.1:{closed}/2")),
        "only the password is masked: {}",
        f.message
    );

    let Some(r) = redis_server::Redis::start_with(Some("right-password-1")) else {
        return;
    };
    let spec = shared_spec(format!("redis://:{pw}@127.0.0.1:{}/0", r.port), "k");
    let f = open(&spec).err().expect("wrong password");
    assert_eq!(
        (f.kind, f.exit_code(), f.retryable()),
        (Kind::Config, 3, false)
    );
    let text = format!("{} {:?} {f:?}", f.message, f.hint);
    assert!(!text.contains(pw), "{text}");
    // And the right one works.
    let ok = shared_spec(r.url(), "k");
    assert!(open(&ok).is_ok());
}

#[test]
fn a_held_reservation_commits_with_the_record_in_one_transaction() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("otp");
    let st = embedded::Embedded::open(&dir).unwrap();
    let other = embedded::Embedded::open(&dir).unwrap();
    let s: &dyn RecordStore = &st;
    let held = Slot {
        hold: true,
        ..slot("+447700900020", Some(30))
    };
    s.reserve(&held, NOW).unwrap().unwrap();
    // Nothing is committed until the record is: another run sees neither yet.
    assert_eq!(embedded::count(&other), (0, 0));
    s.insert(&rec(s, "h", "p", "+447700900020"), NOW).unwrap();
    assert_eq!(embedded::count(&other), (1, 1));
    // A held reservation whose send did not go out is rolled back whole.
    let t = s
        .reserve(
            &Slot {
                hold: true,
                ..slot("+447700900021", None)
            },
            NOW,
        )
        .unwrap()
        .unwrap();
    s.release(&t).unwrap();
    assert_eq!(embedded::count(&other), (1, 1));
    // The cooldown of the committed one holds.
    let r = s.reserve(&held, NOW + 1).unwrap().unwrap_err();
    assert_eq!(r.rule, Rule::Cooldown);
}
