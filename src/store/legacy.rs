//! The first version's record store: one `records.json` under a file lock, PINs as
//! salted SHA-256. Only the one-time import reads it now: the embedded store imports such
//! a file once (`import`) and renames it aside.

// The first version's full API stays with its tests: they pin the format being imported.
#![allow(dead_code)]

use crate::error::{Failure, Reason};
use crate::phone::Phone;
use crate::redact::Secret;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// How long a record with no expiry (the vendor picks it) is kept.
const KEEP_UNEXPIRING: u64 = 24 * 3600;
/// How long an expired record is kept, so its id still answers `expired`.
const KEEP_EXPIRED: u64 = 24 * 3600;
/// How long the last-send times for cooldowns are kept.
const KEEP_SENDS: u64 = 7 * 24 * 3600;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    /// A vendor verify call is under way (`Record::checking_since`): a second verify of
    /// the same record waits its turn instead of racing it to the vendor.
    Checking,
    Verified,
    Cancelled,
    Locked,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Checking => "checking",
            State::Verified => "verified",
            State::Cancelled => "cancelled",
            State::Locked => "locked",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub id: String,
    pub profile: Option<String>,
    pub provider: String,
    /// Full E.164; the file is 0600 and the number is needed for the supersede rule.
    pub to: String,
    pub sent_at: u64,
    pub expires_at: Option<u64>,
    pub attempts_left: u32,
    pub state: State,
    /// hex(salt), hex(sha256(salt || pin)), for PINs the tool made or the vendor returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_hash: Option<String>,
    /// When the vendor check under way started (state Checking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checking_since: Option<u64>,
}

impl Record {
    pub fn masked_to(&self) -> String {
        Phone::parse(&self.to, None)
            .map(|p| p.masked())
            .unwrap_or_else(|_| "***".into())
    }

    pub fn expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|e| now >= e)
    }

    /// Keep a hash of `pin` (never the PIN).
    pub fn set_pin(&mut self, pin: &Secret) {
        let salt: [u8; 16] = crate::message::random_bytes();
        self.pin_hash = Some(hex(&hash(&salt, pin.expose())));
        self.salt = Some(hex(&salt));
    }

    /// Claim the record for a vendor check: only one run at a time asks the vendor
    /// (zender finds codes by value, so the record is what makes a code single use).
    /// A claim older than `stale` seconds belongs to a run that died: it lapses.
    pub fn claim(&mut self, code: &str, now: u64, stale: u64) -> Result<(), (Reason, String)> {
        if self.state == State::Checking
            && self
                .checking_since
                .is_none_or(|t| now >= t.saturating_add(stale))
        {
            self.state = State::Pending;
            self.checking_since = None;
        }
        if self.state != State::Pending || self.expired(now) {
            return self.check(code, now);
        }
        // Where the PIN's hash is kept, a code that does not match never reaches the vendor.
        if self.pin_hash.is_some() && !self.pin_matches(code) {
            return self.check(code, now);
        }
        self.state = State::Checking;
        self.checking_since = Some(now);
        Ok(())
    }

    /// Constant-time check of `code` against the kept hash.
    pub fn pin_matches(&self, code: &str) -> bool {
        let (Some(salt), Some(want)) = (&self.salt, &self.pin_hash) else {
            return false;
        };
        let (Some(salt), Some(want)) = (unhex(salt), unhex(want)) else {
            return false;
        };
        let got = hash(&salt, code.trim());
        got.as_slice().ct_eq(want.as_slice()).into()
    }

    /// The local verify rules: single use, attempts counted (locked at zero), expiry.
    /// On a wrong code the attempt is spent.
    pub fn check(&mut self, code: &str, now: u64) -> Result<(), (Reason, String)> {
        match self.state {
            State::Checking => {
                return Err((
                    Reason::AlreadyUsed,
                    "another otp verify is checking this code right now".into(),
                ))
            }
            State::Verified => {
                return Err((Reason::AlreadyUsed, "this code was already used".into()))
            }
            State::Cancelled => return Err((Reason::Expired, "this OTP was cancelled".into())),
            State::Locked => {
                return Err((
                    Reason::AttemptsExhausted,
                    "no attempts left for this OTP; send a new one".into(),
                ))
            }
            State::Pending => {}
        }
        if self.expired(now) {
            return Err((
                Reason::Expired,
                "this OTP has expired; send a new one".into(),
            ));
        }
        if self.attempts_left == 0 {
            self.state = State::Locked;
            return Err((
                Reason::AttemptsExhausted,
                "no attempts left for this OTP; send a new one".into(),
            ));
        }
        if self.pin_matches(code) {
            self.state = State::Verified;
            return Ok(());
        }
        self.attempts_left -= 1;
        if self.attempts_left == 0 {
            self.state = State::Locked;
            return Err((
                Reason::WrongCode,
                "wrong code; no attempts left, the OTP is now locked".into(),
            ));
        }
        Err((
            Reason::WrongCode,
            format!(
                "wrong code; {} attempt{} left",
                self.attempts_left,
                if self.attempts_left == 1 { "" } else { "s" }
            ),
        ))
    }
}

fn hash(salt: &[u8], pin: &str) -> Vec<u8> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(salt);
    ctx.update(pin.as_bytes());
    ctx.finish().as_ref().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Every record, and the last send time per (profile, number) for cooldowns.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Records {
    #[serde(default)]
    pub records: Vec<Record>,
    #[serde(default)]
    pub sends: BTreeMap<String, u64>,
}

pub fn send_key(profile: Option<&str>, to: &str) -> String {
    format!("{}|{to}", profile.unwrap_or(""))
}

impl Records {
    /// Add a record; a record for the same number and profile is superseded.
    pub fn insert(&mut self, rec: Record) {
        self.records
            .retain(|r| !(r.to == rec.to && r.profile == rec.profile) && r.id != rec.id);
        self.sends
            .insert(send_key(rec.profile.as_deref(), &rec.to), rec.sent_at);
        self.records.push(rec);
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Record> {
        self.records.iter_mut().find(|r| r.id == id)
    }

    pub fn get(&self, id: &str) -> Option<&Record> {
        self.records.iter().find(|r| r.id == id)
    }

    /// Seconds left of the cooldown for this number, if any.
    pub fn cooldown_left(
        &self,
        profile: Option<&str>,
        to: &str,
        cooldown: u64,
        now: u64,
    ) -> Option<u64> {
        let last = *self.sends.get(&send_key(profile, to))?;
        let until = last.saturating_add(cooldown);
        (now < until).then(|| until - now)
    }

    /// Drop records a day after they expire (until then verify can still say
    /// `expired` or `already_used` rather than `unknown_id`), and old send times.
    pub fn prune(&mut self, now: u64) {
        self.records.retain(|r| match r.expires_at {
            Some(e) => now < e.saturating_add(KEEP_EXPIRED),
            None => now < r.sent_at.saturating_add(KEEP_UNEXPIRING),
        });
        self.sends.retain(|_, t| now < t.saturating_add(KEEP_SENDS));
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The store's folder: `<state dir>/otp` (XDG_STATE_HOME on Linux), else the local data dir.
pub fn default_dir() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    let dir = base
        .state_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| base.data_local_dir().to_path_buf());
    Some(dir.join("otp"))
}

pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn open() -> Result<Store, Failure> {
        let dir = default_dir().ok_or_else(|| {
            Failure::config("cannot find a folder for local records (no home directory)")
                .hint("set HOME or XDG_STATE_HOME")
        })?;
        Ok(Store { dir })
    }

    #[cfg(test)]
    pub fn at(dir: PathBuf) -> Store {
        Store { dir }
    }

    fn file(&self) -> PathBuf {
        self.dir.join("records.json")
    }

    fn io_err(&self, what: &str, e: std::io::Error) -> Failure {
        Failure::config(format!(
            "local records in {}: cannot {what}: {e}",
            self.dir.display()
        ))
    }

    fn lock(&self, create: bool) -> Result<Option<File>, Failure> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        if create {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.dir)
                .map_err(|e| self.io_err("create the folder", e))?;
        } else if !self.dir.exists() {
            return Ok(None);
        }
        self.check_private()?;
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(self.dir.join("records.lock"))
            .map_err(|e| self.io_err("open the lock file", e))?;
        f.lock().map_err(|e| self.io_err("lock", e))?;
        Ok(Some(f))
    }

    /// The records decide local verifies: a folder or file that another user owns, or
    /// that others may write to, could forge a "verified". Refused, like such a config.
    fn check_private(&self) -> Result<(), Failure> {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        for (path, what) in [(self.dir.clone(), "folder"), (self.file(), "file")] {
            // The folder may be reached through a link; the file must not be one.
            let meta = if what == "folder" {
                std::fs::metadata(&path)
            } else {
                std::fs::symlink_metadata(&path)
            };
            let Ok(meta) = meta else {
                continue;
            };
            let unsafe_mode = meta.mode() & 0o022 != 0;
            if meta.uid() != me || unsafe_mode || meta.file_type().is_symlink() {
                return Err(Failure::config(format!(
                    "the local records {what} {} is {}; refusing to trust it",
                    path.display(),
                    if meta.uid() != me {
                        "owned by another user".to_string()
                    } else if meta.file_type().is_symlink() {
                        "a symbolic link".to_string()
                    } else {
                        format!(
                            "writable by group or others (mode {:04o})",
                            meta.mode() & 0o777
                        )
                    }
                ))
                .hint(format!(
                    "remove it, or make it yours and private: chmod 700 {}",
                    self.dir.display()
                )));
            }
        }
        Ok(())
    }

    fn load(&self) -> Result<Records, Failure> {
        let mut text = String::new();
        match File::open(self.file()) {
            Ok(mut f) => {
                f.read_to_string(&mut text)
                    .map_err(|e| self.io_err("read records", e))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Records::default()),
            Err(e) => return Err(self.io_err("read records", e)),
        }
        if text.trim().is_empty() {
            return Ok(Records::default());
        }
        serde_json::from_str(&text).map_err(|_| {
            Failure::config(format!(
                "local records file {} is damaged",
                self.file().display()
            ))
            .hint("move it away; pending OTPs in it can no longer be verified locally")
        })
    }

    fn save(&self, records: &Records) -> Result<(), Failure> {
        use std::os::unix::fs::OpenOptionsExt;
        let tmp = self.dir.join(format!(
            ".records.{}.{:x}.tmp",
            std::process::id(),
            u64::from_le_bytes(crate::message::random_bytes())
        ));
        let write = || -> std::io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(&serde_json::to_vec(records).unwrap_or_default())?;
            // No fsync: the rename is what makes the write atomic for other processes,
            // and an fsync costs ~0.35 ms (ms under disk load) on every send, a seventh
            // of curl's whole request. After an OS crash (not a process crash) the file
            // may be its previous version (ext4 flushes a replaced file before the
            // rename) or empty, read as no records; a damaged one is reported, exit 3.
            std::fs::rename(&tmp, self.file())
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            self.io_err("write records", e)
        })
    }

    /// Read-modify-write under the lock; pruned first, saved after.
    pub fn update<T>(&self, now: u64, f: impl FnOnce(&mut Records) -> T) -> Result<T, Failure> {
        let _lock = self.lock(true)?;
        let mut records = self.load()?;
        records.prune(now);
        let out = f(&mut records);
        self.save(&records)?;
        Ok(out)
    }

    /// A consistent snapshot, without writing.
    pub fn read(&self, now: u64) -> Result<Records, Failure> {
        let Some(_lock) = self.lock(false)? else {
            return Ok(Records::default());
        };
        let mut records = self.load()?;
        records.prune(now);
        Ok(records)
    }
}

/// Hand the first version's records to `f` (once, under its lock) and rename the file
/// aside when `f` has committed them. Nothing to do when there is no `records.json`.
pub(super) fn import(
    dir: &Path,
    f: impl FnOnce(Records) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let st = Store {
        dir: dir.to_path_buf(),
    };
    if std::fs::symlink_metadata(st.file()).is_err() {
        return Ok(());
    }
    let _lock = st.lock_bounded()?;
    if std::fs::symlink_metadata(st.file()).is_err() {
        return Ok(()); // another run imported it meanwhile
    }
    let records = st.load()?;
    f(records)?;
    std::fs::rename(st.file(), dir.join("records.json.imported"))
        .map_err(|e| st.io_err("rename records.json aside after importing it", e))
}

impl Store {
    /// `lock`, but giving up after `BUSY_WAIT` (an old-version run holds it).
    fn lock_bounded(&self) -> Result<File, Failure> {
        use std::os::unix::fs::OpenOptionsExt;
        self.check_private()?;
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(self.dir.join("records.lock"))
            .map_err(|e| self.io_err("open the lock file", e))?;
        let start = std::time::Instant::now();
        loop {
            match f.try_lock() {
                Ok(()) => return Ok(f),
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < super::BUSY_WAIT => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Failure::config(format!(
                        "waited {}s for another otp run to release {}; giving up",
                        super::BUSY_WAIT.as_secs(),
                        self.dir.join("records.lock").display()
                    ))
                    .hint("an older otp version is still running, or a run is stuck; retry"))
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(self.io_err("lock", e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, to: &str, now: u64) -> Record {
        let mut r = Record {
            id: id.into(),
            profile: Some("p".into()),
            provider: "console".into(),
            to: to.into(),
            sent_at: now,
            expires_at: Some(now + 300),
            attempts_left: 3,
            state: State::Pending,
            salt: None,
            pin_hash: None,
            checking_since: None,
        };
        r.set_pin(&Secret::new("123456"));
        r
    }

    #[test]
    fn right_code_once_then_already_used() {
        let mut r = rec("a", "+15551234567", 1000);
        assert!(!r.pin_hash.as_deref().unwrap().contains("123456"));
        assert_eq!(r.check("123456", 1001), Ok(()));
        assert_eq!(r.check("123456", 1002).unwrap_err().0, Reason::AlreadyUsed);
    }

    #[test]
    fn wrong_codes_count_down_and_lock() {
        let mut r = rec("a", "+15551234567", 1000);
        assert_eq!(r.check("000000", 1001).unwrap_err().0, Reason::WrongCode);
        assert_eq!(r.check("000001", 1001).unwrap_err().0, Reason::WrongCode);
        assert_eq!(r.check("000002", 1001).unwrap_err().0, Reason::WrongCode);
        assert_eq!(r.state, State::Locked);
        // the right code no longer helps
        assert_eq!(
            r.check("123456", 1001).unwrap_err().0,
            Reason::AttemptsExhausted
        );
    }

    #[test]
    fn a_claim_lets_one_vendor_check_run_and_lapses_when_stale() {
        let mut r = rec("a", "+15551234567", 1000);
        assert_eq!(r.claim("123456", 1001, 60), Ok(()));
        assert_eq!(r.state, State::Checking);
        assert_eq!(
            r.claim("123456", 1002, 60).unwrap_err().0,
            Reason::AlreadyUsed
        );
        // a wrong code is settled locally, without a claim
        let mut w = rec("b", "+15551234567", 1000);
        assert_eq!(
            w.claim("000000", 1001, 60).unwrap_err().0,
            Reason::WrongCode
        );
        // the claimant died: the claim lapses
        assert_eq!(r.claim("123456", 1062, 60), Ok(()));
    }

    #[test]
    fn expiry_is_enforced_with_an_injected_clock() {
        let mut r = rec("a", "+15551234567", 1000);
        assert_eq!(r.check("123456", 1300).unwrap_err().0, Reason::Expired);
        let mut r = rec("a", "+15551234567", 1000);
        assert_eq!(r.check("123456", 1299), Ok(()));
    }

    #[test]
    fn new_send_supersedes_and_prune_drops_expired() {
        let mut all = Records::default();
        all.insert(rec("a", "+15551234567", 1000));
        all.insert(rec("b", "+15551234568", 1000));
        all.insert(rec("c", "+15551234567", 1010));
        assert!(all.get("a").is_none());
        assert!(all.get("c").is_some());
        assert_eq!(
            all.cooldown_left(Some("p"), "+15551234567", 30, 1020),
            Some(20)
        );
        assert_eq!(all.cooldown_left(Some("p"), "+15551234567", 30, 1040), None);
        all.prune(1305);
        assert!(all.get("b").is_some(), "kept a day after expiry");
        all.prune(1300 + KEEP_EXPIRED);
        assert!(all.get("b").is_none());
        assert!(all.get("c").is_some());
    }

    #[test]
    fn store_round_trip_and_modes() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state").join("otp");
        let store = Store::at(dir.clone());
        store
            .update(1000, |all| all.insert(rec("a", "+447700900000", 1000)))
            .unwrap();
        let all = store.read(1001).unwrap();
        assert!(all.get("a").is_some());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("records.json")), 0o600);
        let text = std::fs::read_to_string(dir.join("records.json")).unwrap();
        assert!(!text.contains("123456"));
    }
}
