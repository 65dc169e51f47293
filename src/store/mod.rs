//! The record store: records of sends, cooldowns and send limits (the README), behind one
//! operation-oriented interface with two backends: SQLite in the state dir (embedded,
//! the default) and Redis (shared across machines). Every operation is atomic in both.

mod embedded;
pub mod legacy;
pub mod record;
mod shared;

use crate::error::{Failure, Kind};
use crate::redact::Secret;
use std::path::PathBuf;

pub use legacy::{default_dir, now};
pub use record::{PinKey, Record, Refused, State};

/// How long sends are remembered for cooldowns and limits: the longest limit window.
pub const MAX_WINDOW: u64 = 31 * 24 * 3600;
/// How long a run waits for another run's transaction before giving up (the README).
pub const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Where the records live.
pub enum StoreSpec {
    /// SQLite in this folder (`<state dir>/otp` by default).
    Embedded { dir: PathBuf },
    /// Redis at `url` (`redis://` or `rediss://`; its password is registered as a secret
    /// by `shown_url`); `key` keys the PIN hashes; every key starts with `prefix` (`otp:`
    /// by default); every wait is bounded by `timeout`; `ca_file` adds a CA for TLS.
    Shared {
        url: String,
        key: Secret,
        prefix: String,
        timeout: std::time::Duration,
        ca_file: Option<PathBuf>,
    },
}

pub use shared::shown_url;

impl StoreSpec {
    /// The embedded store in the default state folder.
    pub fn embedded() -> Result<StoreSpec, Failure> {
        let dir = default_dir().ok_or_else(|| {
            Failure::config("cannot find a folder for local records (no home directory)")
                .hint("set HOME or XDG_STATE_HOME")
        })?;
        Ok(StoreSpec::Embedded { dir })
    }
}

/// `{max} sends per {window} seconds`, sliding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: u64,
}

/// One send about to leave: what `reserve` checks and records.
#[derive(Clone, Debug, Default)]
pub struct Slot {
    /// E.164, with `+`.
    pub number: String,
    /// The calling code (`234`), for the per-country limit.
    pub country: String,
    /// Seconds since the last send to this number, whichever profile made it. `None`
    /// skips the check (no cooldown, or `--force`); limits are never skipped.
    pub cooldown: Option<u64>,
    pub number_limit: Option<Limit>,
    pub country_limit: Option<Limit>,
    /// A dry run: say what the rules would do, record nothing.
    pub preview: bool,
    /// The send is delivered locally at once (console, a test number): the embedded
    /// store keeps the reservation's transaction open and commits it with the record,
    /// one durable commit per send. Nothing else may use the store in between.
    pub hold: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Cooldown,
    NumberLimit,
    CountryLimit,
}

/// A send `reserve` refused: which rule, and seconds until the next send is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub rule: Rule,
    pub wait: u64,
}

/// A recorded send, to give back with `release` when nothing went out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    id: String,
    number: String,
    country: String,
}

/// What both backends do. Every method is one atomic step.
pub trait RecordStore: Send {
    /// Where the records are (a path, or `redis://host:port/db`; never a password).
    fn describe(&self) -> String;

    /// The key of this store's PIN hashes (`Record::set_pin`, `check`, `claim`).
    fn key(&self) -> &PinKey;

    /// The record of `id`: a replaced one comes back as `State::Replaced`.
    fn get(&self, id: &str, now: u64) -> Result<Option<record::Record>, Failure>;

    /// Add a record; every live record for its number, whatever profile sent it, becomes
    /// a `Replaced` tombstone. Returns the id it is kept under: its own, unless a live
    /// record of another number holds that id (a vendor that gave one handle twice),
    /// then a new id of the tool's own, the handle kept in the record.
    fn insert(&self, rec: &record::Record, now: u64) -> Result<String, Failure>;

    /// Read-modify-write one record atomically; `f` may run more than once (the shared
    /// store retries when another run changed the record meanwhile). False if no record.
    fn update_with(
        &self,
        id: &str,
        now: u64,
        f: &mut dyn FnMut(&mut record::Record),
    ) -> Result<bool, Failure>;

    /// Check the cooldown and limits for one send and, if it may go, record it.
    fn reserve(&self, slot: &Slot, now: u64) -> Result<Result<Ticket, Refusal>, Failure>;

    /// Give back a reservation whose send certainly did not go out.
    fn release(&self, ticket: &Ticket) -> Result<(), Failure>;

    /// Reachable and writable: a description for `config check --online`.
    fn check(&self, now: u64) -> Result<String, Failure>;
}

impl dyn RecordStore + '_ {
    /// `update_with` for a closure with a result: the result of the run that committed.
    pub fn update<T>(
        &self,
        id: &str,
        now: u64,
        mut f: impl FnMut(&mut record::Record) -> T,
    ) -> Result<Option<T>, Failure> {
        let mut out = None;
        let found = self.update_with(id, now, &mut |r| out = Some(f(r)))?;
        Ok(if found { out } else { None })
    }
}

/// Open the store `spec` names for a command that writes records: created when there is
/// none, folder modes checked, key loaded (or made, or pinned), old records imported.
pub fn open(spec: &StoreSpec) -> Result<Box<dyn RecordStore>, Failure> {
    match spec {
        StoreSpec::Embedded { dir } => Ok(Box::new(embedded::Embedded::open(dir)?)),
        StoreSpec::Shared { .. } => Ok(Box::new(shared::Shared::open(spec, true)?)),
    }
}

/// Open an existing store read-only, for a command that writes nothing (a dry run,
/// `status`): nothing is created, imported, pruned or pinned. None when there is no
/// embedded store yet (so no record, send or limit to find).
pub fn open_read(spec: &StoreSpec) -> Result<Option<Box<dyn RecordStore>>, Failure> {
    match spec {
        StoreSpec::Embedded { dir } => {
            Ok(embedded::Embedded::open_read(dir)?.map(|s| Box::new(s) as Box<dyn RecordStore>))
        }
        StoreSpec::Shared { .. } => Ok(Some(Box::new(shared::Shared::open(spec, false)?))),
    }
}

/// Whether the store can be reached and written, for `config check --online`: proven
/// with a write that is undone, so nothing is left behind and no store is created.
pub fn check(spec: &StoreSpec, now: u64) -> Result<String, Failure> {
    match spec {
        StoreSpec::Embedded { dir } => match embedded::check_existing(dir, now)? {
            Some(place) => Ok(place),
            None => {
                embedded::probe_folder(dir)?;
                Ok(dir.join("otp.db").display().to_string())
            }
        },
        StoreSpec::Shared { .. } => RecordStore::check(&shared::Shared::open(spec, false)?, now),
    }
}

/// A limit window longer than sends are remembered could never be enforced.
fn check_limits(slot: &Slot) -> Result<(), Failure> {
    for l in [slot.number_limit, slot.country_limit]
        .into_iter()
        .flatten()
    {
        if l.window > MAX_WINDOW || l.window == 0 || l.max == 0 {
            return Err(Failure::config(format!(
                "a send limit of {}/{}s cannot be kept: the window must be 1s to 31 days and the count at least 1",
                l.max, l.window
            ))
            .hint("change `limits` in the profile"));
        }
    }
    Ok(())
}

/// The store could not be reached or written: exit 5, nothing sent.
fn unavailable(store: &str, what: impl std::fmt::Display) -> Failure {
    Failure::not_sent(
        Kind::Store,
        crate::redact::scrub(&format!("the record store {store} {what}")),
    )
    .hint("nothing was sent or spent; fix the store (or `store` in the config) and run again")
}

fn random_hex() -> String {
    record::hex(&crate::message::random_bytes::<16>())
}

#[cfg(test)]
mod tests;
