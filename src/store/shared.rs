//! The shared record store: Redis, for runs on several machines. Records are JSON values
//! with Redis expiry times, changed with WATCH/MULTI (optimistic, retried); cooldowns and
//! send limits are one Lua script per send. No key or value holds a PIN or unkeyed hash.

use super::record::{PinKey, Record};
use super::{Refusal, Rule, Slot, StoreSpec, Ticket, BUSY_WAIT, MAX_WINDOW};
use crate::error::{Failure, Kind};
use crate::redact::{Secret, MASK};
use redis::{cmd, Connection, RedisResult};
use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

/// KEYS: the number's and the country's send sets. ARGV: 0 (the server's `TIME` is the
/// clock; only the unit tests pass a time of their own, to play time forward), cooldown (0: none),
/// number max, number window, country max, country window (max 0: no limit), ticket,
/// how long sends are kept, 1 for a preview that records nothing. Returns {0, 0} when recorded, else {rule, wait}.
const RESERVE: &str = r"
local now = tonumber(ARGV[1])
if now == 0 then now = tonumber(redis.call('TIME')[1]) end
local keep = tonumber(ARGV[8])
local preview = ARGV[9] == '1'
if not preview then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - keep)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - keep)
end
local cd = tonumber(ARGV[2])
if cd > 0 then
  local last = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', '(' .. (now - keep), 'WITHSCORES', 'LIMIT', 0, 1)
  if last[2] and tonumber(last[2]) + cd > now then
    return {1, tonumber(last[2]) + cd - now}
  end
end
local function over(key, n, w)
  if n <= 0 then return nil end
  local r = redis.call('ZREVRANGEBYSCORE', key, '+inf', '(' .. (now - w), 'WITHSCORES', 'LIMIT', n - 1, 1)
  if r[2] then return math.max(1, tonumber(r[2]) + w - now) end
  return nil
end
local wait = over(KEYS[1], tonumber(ARGV[3]), tonumber(ARGV[4]))
if wait then return {2, wait} end
wait = over(KEYS[2], tonumber(ARGV[5]), tonumber(ARGV[6]))
if wait then return {3, wait} end
if preview then return {0, 0} end
redis.call('ZADD', KEYS[1], now, ARGV[7])
redis.call('ZADD', KEYS[2], now, ARGV[7])
redis.call('EXPIRE', KEYS[1], keep)
redis.call('EXPIRE', KEYS[2], keep)
return {0, 0}
";

pub struct Shared {
    /// `redis://host:port/db`: what messages name (never the password).
    place: String,
    prefix: String,
    con: RefCell<Connection>,
    key: PinKey,
    reserve: redis::Script,
    /// `--timeout`: every wait for the server.
    timeout: Duration,
}

impl Shared {
    /// `pin`: a run that writes records pins the key's fingerprint on an empty store;
    /// a read-only run (dry run, status, the online check) only compares it.
    pub fn open(spec: &StoreSpec, pin: bool) -> Result<Shared, Failure> {
        let StoreSpec::Shared {
            url,
            key,
            prefix,
            timeout,
            ca_file,
        } = spec
        else {
            unreachable!("Shared::open takes a shared store's spec")
        };
        let place = place(url)?;
        let bad_url = || {
            Failure::config(format!(
                "the store URL for {place} is not a valid Redis URL"
            ))
            .hint("write it as redis://[user:password@]host[:port][/db] or rediss://...")
        };
        let client = match ca_file {
            Some(ca) if url.starts_with("rediss://") => {
                let pem = read_ca(ca)?;
                let info: redis::ConnectionInfo =
                    redis::IntoConnectionInfo::into_connection_info(url.as_str())
                        .map_err(|_| bad_url())?;
                redis::Client::build_with_tls(
                    info,
                    redis::TlsCertificates {
                        client_tls: None,
                        root_cert: Some(pem),
                    },
                )
                .map_err(|e| {
                    Failure::config(format!(
                        "store_ca_file {} cannot be used: {e}",
                        ca.display()
                    ))
                })?
            }
            _ => redis::Client::open(url.as_str()).map_err(|_| bad_url())?,
        };
        let timeout = (*timeout).max(Duration::from_millis(1));
        let fail = |e| refused(&place, timeout, e);
        let con = client.get_connection_with_timeout(timeout).map_err(fail)?;
        con.set_read_timeout(Some(timeout))
            .and_then(|_| con.set_write_timeout(Some(timeout)))
            .map_err(fail)?;
        let store = Shared {
            place,
            prefix: prefix.to_string(),
            con: RefCell::new(con),
            key: PinKey::new(key.expose().as_bytes()),
            reserve: redis::Script::new(RESERVE),
            timeout,
        };
        store.check_key(pin)?;
        Ok(store)
    }

    fn k(&self, kind: &str, id: &str) -> String {
        format!("{}{kind}{id}", self.prefix)
    }

    /// A number as it appears in key names: a keyed tag, never the number itself.
    fn tag(&self, number: &str) -> String {
        self.key.tag("number", number)
    }

    /// The change was sent and its answer lost: it may have been made.
    fn lost(&self, id: &str, e: redis::RedisError) -> Failure {
        Failure::unknown(
            Kind::Store,
            crate::redact::scrub(&format!(
                "the record store {} took the change to id {id} but its answer was lost ({}); \
                 the outcome is unknown (the code may have been used)",
                self.place,
                describe(&e, self.timeout)
            )),
        )
        .hint(format!(
            "run `otp status --id {id}` to see what the record says before verifying again"
        ))
    }

    fn err(&self, e: redis::RedisError) -> Failure {
        refused(&self.place, self.timeout, e)
    }

    /// Records made with one `store_key` cannot be checked with another: say so once,
    /// instead of every code being "wrong".
    fn check_key(&self, pin: bool) -> Result<(), Failure> {
        let fp = key_id(&self.key);
        let k = self.k("key_id", "");
        let mut con = self.con.borrow_mut();
        let run = |con: &mut Connection| -> RedisResult<Option<String>> {
            // Apart, not pipelined: a refused password must come back as its own error
            // code (NOAUTH, WRONGPASS), which a pipeline's error would bury.
            if pin {
                let _: Option<String> = cmd("SET").arg(&k).arg(&fp).arg("NX").query(con)?;
            }
            cmd("GET").arg(&k).query(con)
        };
        let stored = run(&mut con).map_err(|e| self.err(e))?;
        if stored.as_deref().is_some_and(|s| s != fp) {
            return Err(Failure::config(format!(
                "store_key does not match the key the records in {} were made with",
                self.place
            ))
            .hint("use the same store_key on every machine that shares this store"));
        }
        Ok(())
    }

    /// WATCH ... MULTI ... EXEC, run again when another client changed a watched key,
    /// for at most `BUSY_WAIT`.
    fn optimistic<T>(
        &self,
        step: impl FnMut(&mut Connection) -> RedisResult<Option<T>>,
    ) -> Result<T, Failure> {
        self.optimistic_for(None, &Cell::new(false), step)
    }

    /// `optimistic`, for a change of the record `id` whose step sets `committing` just
    /// before it sends EXEC: a reply lost after that is an unknown outcome, not "nothing
    /// changed".
    fn optimistic_for<T>(
        &self,
        id: Option<&str>,
        committing: &Cell<bool>,
        mut step: impl FnMut(&mut Connection) -> RedisResult<Option<T>>,
    ) -> Result<T, Failure> {
        let mut con = self.con.borrow_mut();
        let start = Instant::now();
        loop {
            committing.set(false);
            match step(&mut con) {
                Ok(Some(t)) => return Ok(t),
                Ok(None) if start.elapsed() < BUSY_WAIT.min(self.timeout) => {
                    // A short random pause spreads retries of runs that collided.
                    let j = u16::from_le_bytes(crate::message::random_bytes()) % 2000;
                    std::thread::sleep(Duration::from_micros(u64::from(j)));
                }
                Ok(None) => {
                    return Err(super::unavailable(
                        &self.place,
                        format_args!(
                            "kept changing under other otp runs for {}s; gave up",
                            BUSY_WAIT.min(self.timeout).as_secs()
                        ),
                    ))
                }
                Err(e) if committing.get() && id.is_some() && lost(&e) => {
                    return Err(self.lost(id.unwrap_or_default(), e));
                }
                Err(e) => {
                    let _: RedisResult<()> = cmd("UNWATCH").query(&mut con);
                    return Err(self.err(e));
                }
            }
        }
    }
}

fn parse(body: Option<String>) -> Option<Record> {
    body.and_then(|b| serde_json::from_str(&b).ok())
}

fn json(rec: &Record) -> String {
    serde_json::to_string(rec).unwrap_or_default()
}

impl super::RecordStore for Shared {
    fn describe(&self) -> String {
        self.place.clone()
    }

    fn key(&self) -> &PinKey {
        &self.key
    }

    fn get(&self, id: &str, now: u64) -> Result<Option<Record>, Failure> {
        let mut con = self.con.borrow_mut();
        let (body, time): (Option<String>, (u64, u64)) = redis::pipe()
            .cmd("GET")
            .arg(self.k("rec:", id))
            .cmd("TIME")
            .query(&mut *con)
            .map_err(|e| self.err(e))?;
        Ok(parse(body).map(|mut r| {
            r.shift(to_client(now, time.0));
            r
        }))
    }

    fn insert(&self, rec: &Record, now: u64) -> Result<String, Failure> {
        let nk = self.k("num:", &self.tag(&rec.to));
        let (kept, id) = self.optimistic(|con| {
            let mut rec = rec.clone();
            let mut rk = self.k("rec:", &rec.id);
            cmd("WATCH").arg(&nk).arg(&rk).query::<()>(con)?;
            // One round trip: the server's clock, the id's holder, the number's records.
            let ((server, _), holder, ids): ((u64, u64), Option<String>, Vec<String>) =
                redis::pipe()
                    .cmd("TIME")
                    .cmd("GET")
                    .arg(&rk)
                    .cmd("SMEMBERS")
                    .arg(&nk)
                    .query(con)?;
            // The record's times move to the server's clock: its lifetime is Redis's.
            rec.shift(-to_client(now, server));
            // A vendor that gave this handle to another number's live record: this
            // record gets an id of its own, and that one is not touched.
            if let Some(holder) = parse(holder) {
                if holder.to != rec.to && holder.live() && !holder.expired(server) {
                    rec.rekey(crate::message::new_id());
                    rk = self.k("rec:", &rec.id);
                }
            }
            let others: Vec<String> = ids.into_iter().filter(|i| *i != rec.id).collect();
            let keys: Vec<String> = others.iter().map(|i| self.k("rec:", i)).collect();
            let bodies: Vec<Option<String>> = if keys.is_empty() {
                Vec::new()
            } else {
                cmd("WATCH").arg(&keys).query::<()>(con)?;
                cmd("MGET").arg(&keys).query(con)?
            };
            let mut pipe = redis::pipe();
            pipe.atomic();
            let mut keep = rec.keep_until();
            for ((id, k), body) in others.iter().zip(&keys).zip(bodies) {
                match parse(body) {
                    // Gone, or now another number's: no longer this number's record.
                    Some(old) if old.to != rec.to => {
                        pipe.cmd("SREM").arg(&nk).arg(id).ignore();
                    }
                    None => {
                        pipe.cmd("SREM").arg(&nk).arg(id).ignore();
                    }
                    Some(mut old) => {
                        keep = keep.max(old.keep_until());
                        if old.live() {
                            old.replace();
                            pipe.cmd("SET")
                                .arg(k)
                                .arg(json(&old))
                                .arg("KEEPTTL")
                                .ignore();
                        }
                    }
                }
            }
            pipe.cmd("SET")
                .arg(&rk)
                .arg(json(&rec))
                .arg("EXAT")
                .arg(rec.keep_until())
                .ignore();
            pipe.cmd("SADD").arg(&nk).arg(&rec.id).ignore();
            pipe.cmd("EXPIREAT").arg(&nk).arg(keep).ignore();
            pipe.cmd("EXISTS").arg(&rk);
            let done: Option<(i64,)> = pipe.query(con)?;
            Ok(done.map(|(n,)| (n == 1, rec.id.clone())))
        })?;
        if !kept {
            return Err(super::unavailable(
                &self.place,
                "dropped the record as soon as it was written (its lifetime had already passed)",
            ));
        }
        Ok(id)
    }

    fn update_with(
        &self,
        id: &str,
        now: u64,
        f: &mut dyn FnMut(&mut Record),
    ) -> Result<bool, Failure> {
        let rk = self.k("rec:", id);
        let committing = Cell::new(false);
        self.optimistic_for(Some(id), &committing, |con| {
            cmd("WATCH").arg(&rk).query::<()>(con)?;
            let (body, time): (Option<String>, (u64, u64)) =
                redis::pipe().cmd("GET").arg(&rk).cmd("TIME").query(con)?;
            let Some(mut rec) = parse(body) else {
                cmd("UNWATCH").query::<()>(con)?;
                return Ok(Some(false));
            };
            // The rules run on this run's clock, with the record's times moved to it
            // from the server's: expiry and claim deadlines are the server's.
            let delta = to_client(now, time.0);
            rec.shift(delta);
            let before = rec.clone();
            f(&mut rec);
            if rec == before {
                cmd("UNWATCH").query::<()>(con)?;
                return Ok(Some(true));
            }
            rec.shift(-delta);
            committing.set(true);
            let done: Option<(i64,)> = redis::pipe()
                .atomic()
                .cmd("SET")
                .arg(&rk)
                .arg(json(&rec))
                .arg("EXAT")
                .arg(rec.keep_until())
                .ignore()
                .cmd("EXISTS")
                .arg(&rk)
                .query(con)?;
            Ok(done.map(|_| true))
        })
    }

    fn reserve(&self, slot: &Slot, now: u64) -> Result<Result<Ticket, Refusal>, Failure> {
        // Every real run leaves the clock to the server; unit tests move time themselves.
        let clock = if cfg!(test) { now } else { 0 };
        super::check_limits(slot)?;
        let ticket = super::random_hex();
        let lim = |l: Option<super::Limit>| l.map_or((0, 0), |l| (l.max, l.window));
        let (nm, nw) = lim(slot.number_limit);
        let (cm, cw) = lim(slot.country_limit);
        let (rule, wait): (u8, u64) = self
            .reserve
            .key(self.k("sends:n:", &self.tag(&slot.number)))
            .key(self.k("sends:c:", &slot.country))
            .arg(clock)
            .arg(slot.cooldown.unwrap_or(0))
            .arg(nm)
            .arg(nw)
            .arg(cm)
            .arg(cw)
            .arg(&ticket)
            .arg(MAX_WINDOW)
            .arg(if slot.preview { "1" } else { "0" })
            .invoke(&mut *self.con.borrow_mut())
            .map_err(|e| self.err(e))?;
        let rule = match rule {
            0 => {
                return Ok(Ok(Ticket {
                    id: ticket,
                    number: slot.number.clone(),
                    country: slot.country.clone(),
                }))
            }
            1 => Rule::Cooldown,
            2 => Rule::NumberLimit,
            _ => Rule::CountryLimit,
        };
        Ok(Err(Refusal { rule, wait }))
    }

    fn release(&self, t: &Ticket) -> Result<(), Failure> {
        redis::pipe()
            .atomic()
            .cmd("ZREM")
            .arg(self.k("sends:n:", &self.tag(&t.number)))
            .arg(&t.id)
            .ignore()
            .cmd("ZREM")
            .arg(self.k("sends:c:", &t.country))
            .arg(&t.id)
            .ignore()
            .query::<()>(&mut *self.con.borrow_mut())
            .map_err(|e| self.err(e))
    }

    fn check(&self, _now: u64) -> Result<String, Failure> {
        // A key written and deleted in one transaction: proven writable, nothing left.
        let k = self.k("check:", &super::random_hex());
        redis::pipe()
            .atomic()
            .cmd("SET")
            .arg(&k)
            .arg(1)
            .arg("PX")
            .arg(10_000)
            .ignore()
            .cmd("DEL")
            .arg(&k)
            .ignore()
            .query::<()>(&mut *self.con.borrow_mut())
            .map_err(|e| self.err(e))?;
        Ok(self.describe())
    }
}

/// Seconds to add to a time on the server's clock to put it on this run's (`now`).
fn to_client(now: u64, server: u64) -> i64 {
    (now as i64).saturating_sub(server as i64)
}

fn key_id(key: &PinKey) -> String {
    let mut r = Record::new("key-id", None, "", "", 0, None, 0);
    r.set_pin(key, &Secret::new("key-id"), None);
    r.pin_hash.unwrap_or_default()[..16].to_string()
}

/// The URL as printed: everything but the password, which is `***`. A user name with no
/// password (`redis://SECRET@host`) is taken for a password, as is `?password=`.
/// Every such value is registered as a secret, so no message can carry it.
pub fn shown_url(url: &str) -> Option<String> {
    let mut u = url::Url::parse(url).ok()?;
    let register = |p: &str| {
        let _ = Secret::new(p);
        if let Ok(d) = percent_encoding::percent_decode_str(p).decode_utf8() {
            let _ = Secret::new(d.into_owned());
        }
    };
    if let Some(p) = u.password() {
        register(p);
        let _ = u.set_password(Some(MASK));
    } else if !u.username().is_empty() {
        register(u.username());
        let _ = u.set_username(MASK);
    }
    if u.query_pairs().any(|(k, _)| k == "password") {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                if k == "password" {
                    register(&v);
                    (k.into_owned(), MASK.to_string())
                } else {
                    (k.into_owned(), v.into_owned())
                }
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    Some(crate::redact::strip_controls(u.as_str()).replace("%2A%2A%2A", MASK))
}

/// Where the store is, for every message: the URL with only its password masked, and
/// the port and database filled in (`redis://:***@host:6379/0`).
fn place(url: &str) -> Result<String, Failure> {
    let bad = || {
        Failure::config("the store URL is not a valid URL")
            .hint("write it as redis://[user:password@]host[:port][/db] or rediss://...")
    };
    let shown = shown_url(url).ok_or_else(bad)?;
    let mut u = url::Url::parse(&shown).map_err(|_| bad())?;
    if !matches!(u.scheme(), "redis" | "rediss") {
        return Err(Failure::config(format!(
            "the store URL's scheme {:?} is not redis:// or rediss://",
            crate::redact::strip_controls(u.scheme())
        ))
        .hint("use redis://host:port/db, or rediss:// for TLS"));
    }
    if u.port().is_none() {
        let _ = u.set_port(Some(6379));
    }
    if u.path().trim_start_matches('/').is_empty() {
        u.set_path("/0");
    }
    Ok(u.as_str().replace("%2A%2A%2A", MASK))
}

/// A CA file for `rediss://`, read to a bounded size.
fn read_ca(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let read = || -> std::io::Result<Vec<u8>> {
        let mut b = Vec::new();
        std::fs::File::open(path)?
            .take(1024 * 1024)
            .read_to_end(&mut b)?;
        Ok(b)
    };
    read().map_err(|e| {
        Failure::config(format!(
            "store_ca_file {} cannot be read: {e}",
            path.display()
        ))
        .hint("set store_ca_file (or OTP_STORE_CA_FILE) to a PEM file of the CA that signed the Redis server's certificate")
    })
}

/// Why the server could not be used: a refused password is a config error (exit 3, not
/// retryable); anything else is exit 5, nothing sent.
fn refused(place: &str, timeout: Duration, e: redis::RedisError) -> Failure {
    let auth = e.kind() == redis::ErrorKind::AuthenticationFailed
        || matches!(e.code(), Some("NOAUTH" | "WRONGPASS"));
    if auth {
        return Failure::config(format!(
            "the record store {place} refused the user name or password in the store URL"
        ))
        .hint("check the password in `store` (or OTP_STORE); it is the same on every machine");
    }
    super::unavailable(
        place,
        format_args!("cannot be reached: {}", describe(&e, timeout)),
    )
}

/// A reply that may never come: the connection dropped or timed out.
fn lost(e: &redis::RedisError) -> bool {
    e.is_io_error() || e.is_timeout() || e.is_connection_dropped()
}

/// What went wrong, in words: a wait that ran out says how long it was.
fn describe(e: &redis::RedisError, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!(
            "timed out after {} (--timeout)",
            humantime::format_duration(Duration::from_secs(timeout.as_secs().max(1)))
        );
    }
    e.to_string()
}
