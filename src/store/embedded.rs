//! The embedded record store: one SQLite database in the state folder (WAL,
//! synchronous=FULL, every change one IMMEDIATE transaction), with the HMAC key for PIN
//! hashes in a separate 0600 file beside it. Look-ups are indexed; pruning is batched.

use super::record::{PinKey, Record, State};
use super::{legacy, Limit, Refusal, Rule, Slot, Ticket, BUSY_WAIT, MAX_WINDOW};
use crate::error::{Failure, Kind};
use rusqlite::config::DbConfig;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::cell::RefCell;
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

const DB: &str = "otp.db";
const KEY: &str = "store.key";
/// Rows dropped per table per write: a bounded cost, never a full scan.
const PRUNE_BATCH: u32 = 50;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    keep_until INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_number ON records(number);
CREATE INDEX IF NOT EXISTS records_keep ON records(keep_until);
CREATE TABLE IF NOT EXISTS sends (
    n INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    country TEXT NOT NULL,
    at INTEGER NOT NULL,
    ticket TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sends_number ON sends(number, at);
CREATE INDEX IF NOT EXISTS sends_country ON sends(country, at);
CREATE INDEX IF NOT EXISTS sends_at ON sends(at);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
";

/// Bumped when `SCHEMA` changes, so the next run applies it.
const SCHEMA_VERSION: i64 = 1;

pub struct Embedded {
    dir: PathBuf,
    db: RefCell<Connection>,
    key: PinKey,
    /// A reservation's transaction is still open (`Slot::hold`): the record's insert
    /// commits it, a release rolls it back.
    held: std::cell::Cell<bool>,
}

impl Embedded {
    pub fn open(dir: &Path) -> Result<Embedded, Failure> {
        // A file-size limit (ulimit -f) must end in an error that says so (exit 5), not
        // a silent kill by SIGXFSZ halfway through a write.
        // SAFETY: setting a signal's disposition to SIG_IGN has no preconditions.
        unsafe {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        }
        private_dir(dir)?;
        for f in [
            DB,
            "otp.db-wal",
            "otp.db-shm",
            INIT_LOCK,
            KEY,
            "records.json",
        ] {
            private_file(dir, f, true)?;
        }
        let path = dir.join(DB);
        // SQLite is built not to fsync the folder itself (see .cargo/config.toml): a WAL
        // it makes now has its folder entry made durable here, once.
        let wal_new = std::fs::symlink_metadata(dir.join("otp.db-wal")).is_err();
        key_not_lost(dir)?;
        let key = load_key(dir)?;
        // Created 0600 before SQLite opens it: its -wal and -shm files copy this mode.
        // (An existing one was checked above; SQLite opens it without O_CREAT then.)
        if std::fs::symlink_metadata(&path).is_err() {
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&path)
                .map_err(|e| unwritable(dir, e))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let db = Connection::open_with_flags(&path, flags).map_err(|e| sql_err(dir, e))?;
        let store = Embedded {
            dir: dir.to_path_buf(),
            db: RefCell::new(db),
            key,
            held: Default::default(),
        };
        store.init()?;
        if wal_new {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| unwritable(dir, e))?;
        }
        Ok(store)
    }

    /// An existing store, opened read-only: nothing is created, tightened, imported or
    /// pruned. None when there is no database yet (or one no run has finished making).
    /// The key file is read when present; without it, a key of this run's own stands
    /// in (a read-only run checks no code).
    pub fn open_read(dir: &Path) -> Result<Option<Embedded>, Failure> {
        let path = dir.join(DB);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(unreadable(dir, e)),
            Ok(_) => {}
        }
        let meta = std::fs::metadata(dir).map_err(|e| unreadable(dir, e))?;
        if meta.uid() != me() {
            return Err(refuse(dir, "folder", "owned by another user"));
        }
        for f in [DB, "otp.db-wal", "otp.db-shm", KEY] {
            private_file(dir, f, false)?;
        }
        let key = match read_key(dir) {
            Ok(k) => k?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                PinKey::new(&crate::message::random_bytes::<32>())
            }
            Err(e) => return Err(unreadable(dir, e)),
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        let db = Connection::open_with_flags(&path, flags).map_err(|e| sql_err(dir, e))?;
        db.busy_timeout(BUSY_WAIT).map_err(|e| sql_err(dir, e))?;
        let store = Embedded {
            dir: dir.to_path_buf(),
            db: RefCell::new(db),
            key,
            held: Default::default(),
        };
        if store.schema_made().is_none() {
            return Ok(None);
        }
        Ok(Some(store))
    }

    /// The key's fingerprint, when the schema is already at this version; None when it
    /// must be made (a new database, or one an older version made).
    fn schema_made(&self) -> Option<String> {
        let db = self.db.borrow();
        let version: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0)).ok()?;
        if version != SCHEMA_VERSION {
            return None;
        }
        db.query_row("SELECT v FROM meta WHERE k = 'key_id'", [], |r| r.get(0))
            .ok()
    }

    /// Per-connection settings: WAL with FULL sync (a commit is on disk before the command
    /// reports it), and no checkpoint when this short-lived process closes the database:
    /// that would cost two more fsyncs (WAL and database) per command. The WAL stays beside
    /// the database (0600 like it) and SQLite checkpoints it on commit past 1000 pages.
    fn session(&self) -> Result<(), Failure> {
        let db = self.db.borrow();
        db.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| sql_err(&self.dir, e))?;
        db.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| sql_err(&self.dir, e))?;
        db.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .map_err(|e| sql_err(&self.dir, e))?;
        Ok(())
    }

    fn init(&self) -> Result<(), Failure> {
        let fp = self.key_id();
        self.db
            .borrow()
            .busy_timeout(BUSY_WAIT)
            .map_err(|e| sql_err(&self.dir, e))?;
        // The schema is made once: a run that finds it (and the key's fingerprint) at this
        // version only reads, with no write transaction and no parse of the schema. Runs
        // that find a new database (app servers starting together) make it one at a time,
        // under a file lock, so none sees it half switched to WAL.
        let stored = match self.schema_made() {
            Some(v) => {
                self.session()?;
                v
            }
            None => {
                let _first = first_run_lock(&self.dir)?;
                self.session()?;
                let made = self.write(0, false, |tx| {
                    tx.execute_batch(SCHEMA)?;
                    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
                    tx.execute(
                        "INSERT OR IGNORE INTO meta (k, v) VALUES ('key_id', ?1)",
                        [&fp],
                    )?;
                    tx.query_row("SELECT v FROM meta WHERE k = 'key_id'", [], |r| {
                        r.get::<_, String>(0)
                    })
                })?;
                // The schema and the key's fingerprint go into otp.db itself, so a copy
                // of that file alone is never an empty database.
                self.db
                    .borrow()
                    .query_row("PRAGMA wal_checkpoint(FULL)", [], |_| Ok(()))
                    .map_err(|e| sql_err(&self.dir, e))?;
                made
            }
        };
        if stored != fp {
            return Err(Failure::config(format!(
                "the key file {} does not belong to the records in {}",
                self.dir.join(KEY).display(),
                self.dir.join(DB).display()
            ))
            .hint("restore the original key file; or move both files aside to start afresh (pending OTPs are lost)"));
        }
        legacy::import(&self.dir, |old| {
            self.write(0, false, |tx| {
                let done: Option<String> = tx
                    .query_row("SELECT v FROM meta WHERE k = 'legacy_imported'", [], |r| {
                        r.get(0)
                    })
                    .optional()?;
                if done.is_some() {
                    return Ok(());
                }
                for old in &old.records {
                    let rec = convert(old, &self.key);
                    tx.execute(
                        "INSERT OR IGNORE INTO records (id, number, keep_until, body) VALUES (?1, ?2, ?3, ?4)",
                        params![rec.id, rec.to, rec.keep_until() as i64, body(&rec)],
                    )?;
                }
                for (k, at) in &old.sends {
                    let number = k.rsplit('|').next().unwrap_or_default();
                    tx.execute(
                        "INSERT INTO sends (number, country, at, ticket) VALUES (?1, ?2, ?3, ?4)",
                        params![number, country_of(number), *at as i64, super::random_hex()],
                    )?;
                }
                tx.execute(
                    "INSERT INTO meta (k, v) VALUES ('legacy_imported', '1')",
                    [],
                )?;
                Ok(())
            })
        })
    }

    fn key_id(&self) -> String {
        // A fingerprint of the key, not the key: tells a replaced key file apart.
        let mut r = Record::new("key-id", None, "", "", 0, None, 0);
        r.set_pin(&self.key, &crate::redact::Secret::new("key-id"), None);
        r.pin_hash.unwrap_or_default()[..16].to_string()
    }

    /// One IMMEDIATE transaction (the write lock taken up front, so concurrent runs
    /// queue on the busy timeout instead of failing halfway), pruned first.
    fn write<T>(
        &self,
        now: u64,
        prune: bool,
        f: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> Result<T, Failure> {
        self.write_synced(now, prune, true, f)
    }

    /// `write`, with `full` false for a change that a later durable commit of the same
    /// command makes durable (the send slot, before the record): its commit skips the
    /// fsync, and the next FULL commit's fsync of the WAL covers it. An OS crash between
    /// the two loses only a slot whose send was never reported.
    fn write_synced<T>(
        &self,
        now: u64,
        prune: bool,
        full: bool,
        f: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> Result<T, Failure> {
        let mut db = self.db.borrow_mut();
        if !full {
            db.pragma_update(None, "synchronous", "NORMAL")
                .map_err(|e| sql_err(&self.dir, e))?;
        }
        let out = self.transact(&mut db, now, prune, f);
        if !full {
            db.pragma_update(None, "synchronous", "FULL")
                .map_err(|e| sql_err(&self.dir, e))?;
        }
        out
    }

    fn transact<T>(
        &self,
        db: &mut Connection,
        now: u64,
        prune: bool,
        f: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> Result<T, Failure> {
        let run = || -> rusqlite::Result<T> {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if prune {
                prune_batch(&tx, now)?;
            }
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        };
        run().map_err(|e| sql_err(&self.dir, e))
    }

    fn read_record(tx: &Connection, id: &str, now: u64) -> rusqlite::Result<Option<Record>> {
        let body: Option<String> = tx
            .prepare_cached("SELECT body FROM records WHERE id = ?1 AND keep_until > ?2")?
            .query_row(params![id, now as i64], |r| r.get(0))
            .optional()?;
        Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
    }
}

impl super::RecordStore for Embedded {
    fn describe(&self) -> String {
        self.dir.join(DB).display().to_string()
    }

    fn key(&self) -> &PinKey {
        &self.key
    }

    fn get(&self, id: &str, now: u64) -> Result<Option<Record>, Failure> {
        Embedded::read_record(&self.db.borrow(), id, now).map_err(|e| sql_err(&self.dir, e))
    }

    fn insert(&self, rec: &Record, now: u64) -> Result<String, Failure> {
        if self.held.replace(false) {
            // The reservation's transaction, still open: the record joins it and one
            // durable commit makes both.
            let db = self.db.borrow();
            let run = || -> rusqlite::Result<String> {
                let id = insert_record(&db, rec, now)?;
                db.execute_batch("COMMIT")?;
                Ok(id)
            };
            return run().map_err(|e| {
                if !db.is_autocommit() {
                    let _ = db.execute_batch("ROLLBACK");
                }
                sql_err(&self.dir, e)
            });
        }
        self.write(now, true, |tx| insert_record(tx, rec, now))
    }

    fn update_with(
        &self,
        id: &str,
        now: u64,
        f: &mut dyn FnMut(&mut Record),
    ) -> Result<bool, Failure> {
        self.write(now, true, |tx| {
            let Some(mut rec) = Embedded::read_record(tx, id, now)? else {
                return Ok(false);
            };
            let before = rec.clone();
            f(&mut rec);
            if rec != before {
                tx.prepare_cached("UPDATE records SET body = ?2, keep_until = ?3 WHERE id = ?1")?
                    .execute(params![id, body(&rec), rec.keep_until() as i64])?;
            }
            Ok(true)
        })
    }

    fn reserve(&self, slot: &Slot, now: u64) -> Result<Result<Ticket, Refusal>, Failure> {
        super::check_limits(slot)?;
        let ticket = Ticket {
            id: super::random_hex(),
            number: slot.number.clone(),
            country: slot.country.clone(),
        };
        if slot.preview {
            // A dry run reads the rules and writes nothing (the store may be read-only).
            let refused = rules(&self.db.borrow(), slot, now).map_err(|e| sql_err(&self.dir, e))?;
            return Ok(refused.map_or(Ok(ticket), Err));
        }
        if slot.hold {
            // Delivered locally at once: the transaction stays open for the record, and
            // one durable commit makes both (a release rolls it back).
            let db = self.db.borrow();
            let run = || -> rusqlite::Result<Option<Refusal>> {
                db.execute_batch("BEGIN IMMEDIATE")?;
                prune_batch(&db, now)?;
                if let Some(r) = rules(&db, slot, now)? {
                    return Ok(Some(r));
                }
                db.prepare_cached(
                    "INSERT INTO sends (number, country, at, ticket) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    slot.number,
                    slot.country,
                    now as i64,
                    ticket.id
                ])?;
                Ok(None)
            };
            let out = run();
            if matches!(out, Ok(None)) {
                self.held.set(true);
            } else if !db.is_autocommit() {
                let _ = db.execute_batch("ROLLBACK");
            }
            return match out {
                Ok(None) => Ok(Ok(ticket)),
                Ok(Some(r)) => Ok(Err(r)),
                Err(e) => Err(sql_err(&self.dir, e)),
            };
        }
        // The record written after the send makes this slot durable with it.
        self.write_synced(now, true, false, |tx| {
            if let Some(r) = rules(tx, slot, now)? {
                return Ok(Err(r));
            }
            tx.prepare_cached(
                "INSERT INTO sends (number, country, at, ticket) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![slot.number, slot.country, now as i64, ticket.id])?;
            Ok(Ok(ticket))
        })
    }

    fn release(&self, ticket: &Ticket) -> Result<(), Failure> {
        if self.held.replace(false) {
            return self
                .db
                .borrow()
                .execute_batch("ROLLBACK")
                .map_err(|e| sql_err(&self.dir, e));
        }
        self.write(0, false, |tx| {
            tx.execute("DELETE FROM sends WHERE ticket = ?1", [&ticket.id])?;
            Ok(())
        })
    }

    fn check(&self, now: u64) -> Result<String, Failure> {
        // A write the store could make, rolled back: proven writable, nothing left.
        let mut db = self.db.borrow_mut();
        let mut probe = || -> rusqlite::Result<()> {
            let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT OR REPLACE INTO meta (k, v) VALUES ('checked_at', ?1)",
                [now.to_string()],
            )?;
            tx.rollback()
        };
        probe().map_err(|e| sql_err(&self.dir, e))?;
        drop(db);
        probe_folder(&self.dir)?;
        Ok(self.describe())
    }
}

/// Add `rec` in the open transaction: see `RecordStore::insert`.
fn insert_record(tx: &Connection, rec: &Record, now: u64) -> rusqlite::Result<String> {
    let mut rec = rec.clone();
    // A vendor that gave this handle to another number's live record: this
    // record gets an id of its own, and that one is not touched.
    let holder: Option<(String, String)> = tx
        .prepare_cached("SELECT number, body FROM records WHERE id = ?1 AND keep_until > ?2")?
        .query_row(params![rec.id, now as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((number, b)) = holder {
        let live = serde_json::from_str::<Record>(&b).is_ok_and(|r| r.live() && !r.expired(now));
        if number != rec.to && live {
            rec.rekey(crate::message::new_id());
        }
    }
    let older: Vec<(String, String)> = {
        let mut q = tx.prepare_cached(
            "SELECT id, body FROM records WHERE number = ?1 AND id != ?2 AND keep_until > ?3",
        )?;
        let rows = q.query_map(params![rec.to, rec.id, now as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, b) in older {
        let Ok(mut old) = serde_json::from_str::<Record>(&b) else {
            continue;
        };
        if old.live() {
            old.replace();
            tx.prepare_cached("UPDATE records SET body = ?2 WHERE id = ?1")?
                .execute(params![id, body(&old)])?;
        }
    }
    tx.prepare_cached(
        "INSERT OR REPLACE INTO records (id, number, keep_until, body) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![rec.id, rec.to, rec.keep_until() as i64, body(&rec)])?;
    Ok(rec.id)
}

/// Drop at most `PRUNE_BATCH` forgotten records and sends: a bounded cost per write.
fn prune_batch(tx: &Connection, now: u64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "DELETE FROM records WHERE rowid IN (SELECT rowid FROM records WHERE keep_until <= ?1 LIMIT ?2)",
    )?
    .execute(params![now as i64, PRUNE_BATCH])?;
    tx.prepare_cached(
        "DELETE FROM sends WHERE n IN (SELECT n FROM sends WHERE at <= ?1 LIMIT ?2)",
    )?
    .execute(params![now.saturating_sub(MAX_WINDOW) as i64, PRUNE_BATCH])?;
    Ok(())
}

/// The cooldown and limits for one send: the rule that refuses it, if any. Reads only.
fn rules(tx: &Connection, slot: &Slot, now: u64) -> rusqlite::Result<Option<Refusal>> {
    let now_i = now as i64;
    if let Some(cd) = slot.cooldown {
        let last: Option<i64> = tx
            .prepare_cached("SELECT MAX(at) FROM sends WHERE number = ?1")?
            .query_row([&slot.number], |r| r.get(0))?;
        if let Some(last) = last {
            let until = last.saturating_add(cd as i64);
            if now_i < until {
                return Ok(Some(Refusal {
                    rule: Rule::Cooldown,
                    wait: (until - now_i) as u64,
                }));
            }
        }
    }
    let limits = [
        (
            slot.number_limit,
            "SELECT at FROM sends WHERE number = ?1 AND at > ?2 ORDER BY at DESC LIMIT 1 OFFSET ?3",
            &slot.number,
            Rule::NumberLimit,
        ),
        (
            slot.country_limit,
            "SELECT at FROM sends WHERE country = ?1 AND at > ?2 ORDER BY at DESC LIMIT 1 OFFSET ?3",
            &slot.country,
            Rule::CountryLimit,
        ),
    ];
    for (limit, sql, value, rule) in limits {
        let Some(Limit { max, window }) = limit else {
            continue;
        };
        // The max-th most recent send inside the window, if there are that many:
        // reading at most `max` index entries, however many sends are kept.
        let nth: Option<i64> = tx
            .prepare_cached(sql)?
            .query_row(params![value, now_i - window as i64, max - 1], |r| r.get(0))
            .optional()?;
        if let Some(t) = nth {
            return Ok(Some(Refusal {
                rule,
                wait: (t + window as i64 - now_i).max(1) as u64,
            }));
        }
    }
    Ok(None)
}

fn body(rec: &Record) -> String {
    serde_json::to_string(rec).unwrap_or_default()
}

fn country_of(number: &str) -> String {
    crate::phone::Phone::parse(number, None)
        .map(|p| p.calling_code().to_string())
        .unwrap_or_default()
}

/// A first-version record, its salted hash keyed on the way in.
fn convert(old: &legacy::Record, key: &PinKey) -> Record {
    let mut rec = Record::new(
        old.id.clone(),
        old.profile.clone(),
        old.provider.clone(),
        old.to.clone(),
        old.sent_at,
        old.expires_at,
        old.attempts_left,
    );
    rec.state = match old.state {
        legacy::State::Pending | legacy::State::Checking => State::Pending,
        legacy::State::Verified => State::Verified,
        legacy::State::Cancelled => State::Cancelled,
        legacy::State::Locked => State::Locked,
    };
    if let (Some(salt), Some(hash)) = (&old.salt, &old.pin_hash) {
        rec.set_legacy_hash(key, salt, hash);
    }
    rec
}

fn me() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The folder: created 0700; one of ours with a looser mode is tightened; another
/// user's is refused (it could hold forged records).
fn private_dir(dir: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| unwritable(dir, e))?;
    let meta = std::fs::metadata(dir).map_err(|e| unwritable(dir, e))?;
    if meta.uid() != me() {
        return Err(refuse(dir, "folder", "owned by another user"));
    }
    if meta.mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| unwritable(dir, e))?;
    }
    Ok(())
}

/// A file of the store: a link or another user's file is refused, as is one that
/// others could have written; one merely readable by others is tightened to 0600.
/// With `fix` false (a read-only run), nothing is tightened.
fn private_file(dir: &Path, name: &str, fix: bool) -> Result<(), Failure> {
    let path = dir.join(name);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Ok(());
    };
    let why = if meta.file_type().is_symlink() {
        "a symbolic link".to_string()
    } else if !meta.is_file() {
        "not a regular file".to_string()
    } else if meta.uid() != me() {
        "owned by another user".to_string()
    } else if meta.mode() & 0o022 != 0 {
        format!(
            "writable by group or others (mode {:04o})",
            meta.mode() & 0o777
        )
    } else {
        if fix && meta.mode() & 0o077 != 0 {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| unwritable(dir, e))?;
        }
        return Ok(());
    };
    Err(refuse(&path, "file", &why))
}

fn refuse(path: &Path, what: &str, why: &str) -> Failure {
    Failure::config(format!(
        "the record store {what} {} is {why}; refusing to trust it",
        path.display()
    ))
    .hint("remove it, or make it yours and private (chmod 700 for the folder, 600 for files)")
}

/// A missing key file beside records made with a key: making a new key would make
/// every record unverifiable, so say how to recover instead.
fn key_not_lost(dir: &Path) -> Result<(), Failure> {
    if dir.join(KEY).exists() || !dir.join(DB).exists() {
        return Ok(());
    }
    let Ok(Some(st)) = Embedded::open_read(dir) else {
        return Ok(());
    };
    let fp: Option<String> = st
        .db
        .borrow()
        .query_row("SELECT v FROM meta WHERE k = 'key_id'", [], |r| r.get(0))
        .ok();
    let records: i64 = st
        .db
        .borrow()
        .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
        .unwrap_or(0);
    match fp {
        Some(fp) => Err(Failure::config(format!(
            "the key file {} is missing, but {} holds {records} record(s) made with a key (fingerprint {fp})",
            dir.join(KEY).display(),
            dir.join(DB).display()
        ))
        .hint(format!(
            "restore store.key from the backup made with otp.db; or, to start afresh (pending OTPs are lost), move otp.db, otp.db-wal and otp.db-shm out of {}",
            dir.display()
        ))),
        None => Ok(()),
    }
}

/// The HMAC key: 32 random bytes, made once. Written to a temp file, synced, then linked
/// into place, so a concurrent first run sees either no key or the whole key.
/// The lock the runs that find a new database take in turn while they make it.
const INIT_LOCK: &str = "otp.db.init-lock";

/// `INIT_LOCK`, held until dropped; waiting is bounded by `BUSY_WAIT` and says what for.
fn first_run_lock(dir: &Path) -> Result<std::fs::File, Failure> {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(dir.join(INIT_LOCK))
        .map_err(|e| unwritable(dir, e))?;
    let start = std::time::Instant::now();
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(f),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < BUSY_WAIT => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Failure::not_sent(
                    Kind::Store,
                    format!(
                        "waited {}s for another otp run to create the record store in {}",
                        BUSY_WAIT.as_secs(),
                        dir.display()
                    ),
                )
                .hint("another otp run is stuck creating it; retry, or remove otp.db.init-lock if no otp is running"))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(unwritable(dir, e)),
        }
    }
}

fn key_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    let mut b = Vec::new();
    Read::by_ref(&mut f).take(64).read_to_end(&mut b)?;
    Ok(b)
}

/// The key file as it is: an I/O error (NotFound when there is none), or the key, or
/// why it cannot be one.
fn read_key(dir: &Path) -> std::io::Result<Result<PinKey, Failure>> {
    let path = dir.join(KEY);
    Ok(key_of(&path, key_bytes(&path)?))
}

fn key_of(path: &Path, bytes: Vec<u8>) -> Result<PinKey, Failure> {
    if bytes.len() != 32 {
        return Err(Failure::config(format!(
            "the key file {} is damaged ({} bytes, not 32)",
            path.display(),
            bytes.len()
        ))
        .hint("restore it from a backup; or move it and otp.db aside to start afresh (pending OTPs are lost)"));
    }
    Ok(PinKey::new(&bytes))
}

fn load_key(dir: &Path) -> Result<PinKey, Failure> {
    let path = dir.join(KEY);
    let read = || key_bytes(&path);
    let bytes = match read() {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let tmp = dir.join(format!(
                ".{KEY}.{}.{}",
                std::process::id(),
                super::random_hex()
            ));
            let made = (|| -> std::io::Result<()> {
                let mut f = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&tmp)?;
                f.write_all(&crate::message::random_bytes::<32>())?;
                f.sync_all()?;
                match std::fs::hard_link(&tmp, &path) {
                    Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
                    _ => {}
                }
                std::fs::File::open(dir)?.sync_all()
            })();
            let _ = std::fs::remove_file(&tmp);
            made.map_err(|e| unwritable(dir, e))?;
            read().map_err(|e| unwritable(dir, e))?
        }
        Err(e) => return Err(unwritable(dir, e)),
    };
    key_of(&path, bytes)
}

fn unwritable(dir: &Path, e: std::io::Error) -> Failure {
    super::unavailable(
        &dir.display().to_string(),
        format_args!("cannot be written: {e}"),
    )
}

/// Whether a store could be written in `dir`: a file made there (or, before the folder
/// exists, in the nearest folder above it) and removed again.
pub(super) fn probe_folder(dir: &Path) -> Result<(), Failure> {
    let at = dir
        .ancestors()
        .find(|d| d.is_dir())
        .unwrap_or(Path::new("/"));
    let tmp = at.join(format!(".otp-check.{}", super::random_hex()));
    let made = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&tmp);
    match made {
        Ok(_) => {
            let _ = std::fs::remove_file(&tmp);
            Ok(())
        }
        Err(e) => Err(unwritable(dir, e)),
    }
}

/// An existing store, checked writable with nothing left behind.
pub(super) fn check_existing(dir: &Path, now: u64) -> Result<Option<String>, Failure> {
    let Some(st) = Embedded::open_read(dir)? else {
        return Ok(None);
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    let db = Connection::open_with_flags(dir.join(DB), flags).map_err(|e| sql_err(dir, e))?;
    db.busy_timeout(BUSY_WAIT).map_err(|e| sql_err(dir, e))?;
    let rw = Embedded {
        dir: dir.to_path_buf(),
        db: RefCell::new(db),
        key: st.key,
        held: Default::default(),
    };
    super::RecordStore::check(&rw, now).map(Some)
}

fn unreadable(dir: &Path, e: std::io::Error) -> Failure {
    super::unavailable(
        &dir.display().to_string(),
        format_args!("cannot be read: {e}"),
    )
}

fn sql_err(dir: &Path, e: rusqlite::Error) -> Failure {
    let where_ = dir.join(DB).display().to_string();
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            super::unavailable(
                &where_,
                format_args!(
                    "stayed locked by another otp run for {}s; gave up waiting",
                    BUSY_WAIT.as_secs()
                ),
            )
        }
        _ => super::unavailable(&where_, format_args!("cannot be used: {e}")),
    }
}

#[allow(dead_code)] // for tests and benchmarks of pruning
pub(super) fn count(store: &Embedded) -> (i64, i64) {
    let db = store.db.borrow();
    let n = |t: &str| {
        db.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
            .unwrap_or(-1)
    };
    (n("records"), n("sends"))
}
