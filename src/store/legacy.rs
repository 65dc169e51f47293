//! The first version's record store: one `records.json` under a file lock, PINs as
//! salted SHA-256. Only the one-time import reads it now: the embedded store imports such
//! a file once (`import`), keying its hashes, and renames it aside. What is left here is
//! the file's format and the bounded, locked read of it.

use crate::error::Failure;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The largest `records.json` read: the first version rewrote the whole file per send,
/// so a real one is a few MB at most.
const MAX_FILE: u64 = 64 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    /// A vendor verify call was under way: imported as pending (its claimant is gone).
    Checking,
    Verified,
    Cancelled,
    Locked,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub id: String,
    pub profile: Option<String>,
    pub provider: String,
    /// Full E.164.
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checking_since: Option<u64>,
}

/// Every record, and the last send time per `profile|number` for cooldowns.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Records {
    #[serde(default)]
    pub records: Vec<Record>,
    #[serde(default)]
    pub sends: BTreeMap<String, u64>,
}

/// This host's clock, in seconds. A debug build honours `OTP_TEST_CLOCK_SKEW` (signed
/// seconds added), so tests can play a host whose clock is wrong; a release build has no
/// such knob.
pub fn now() -> u64 {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    #[cfg(debug_assertions)]
    if let Some(skew) = std::env::var("OTP_TEST_CLOCK_SKEW")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        return t.saturating_add_signed(skew);
    }
    t
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

/// The folder holding a first-version `records.json`.
struct Store {
    dir: PathBuf,
}

impl Store {
    fn file(&self) -> PathBuf {
        self.dir.join("records.json")
    }

    fn io_err(&self, what: &str, e: std::io::Error) -> Failure {
        Failure::config(format!(
            "local records in {}: cannot {what}: {e}",
            self.dir.display()
        ))
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

    /// The file, read to at most `MAX_FILE`; a FIFO or device is refused, not read.
    fn load(&self) -> Result<Records, Failure> {
        let meta =
            std::fs::symlink_metadata(self.file()).map_err(|e| self.io_err("read records", e))?;
        if !meta.file_type().is_file() {
            return Err(Failure::config(format!(
                "{} is not a regular file; refusing to read it",
                self.file().display()
            ))
            .hint("move it away; it cannot hold a first-version record store"));
        }
        let mut text = String::new();
        File::open(self.file())
            .and_then(|f| f.take(MAX_FILE + 1).read_to_string(&mut text))
            .map_err(|e| self.io_err("read records", e))?;
        if text.len() as u64 > MAX_FILE {
            return Err(Failure::config(format!(
                "{} is larger than {} MiB; refusing to import it",
                self.file().display(),
                MAX_FILE / (1024 * 1024)
            ))
            .hint("move it away; pending OTPs in it can no longer be verified locally"));
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
/// A first-version `records.json` in `dir` (folder 0700, file 0600), for import tests.
pub fn write_for_test(dir: &Path, records: &Records) {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .unwrap();
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(dir.join("records.json"))
        .unwrap();
    f.write_all(&serde_json::to_vec(records).unwrap()).unwrap();
}

#[cfg(test)]
/// The first version's PIN hash: hex(salt), hex(sha256(salt || pin)).
pub fn hash_for_test(salt: &[u8], pin: &str) -> (String, String) {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(salt);
    ctx.update(pin.as_bytes());
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    (hex(salt), hex(ctx.finish().as_ref()))
}
