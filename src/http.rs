//! The one HTTP path. A run builds at most one reqwest client, and every vendor request
//! goes through `execute`, which decides for each failure whether the request could have
//! reached the vendor (`unknown`, exit 6) or certainly did not (`not_sent`, exit 5). The
//! command words what that means for it (`Failure::worded`).

use crate::error::{Failure, Kind};
use crate::redact;
use crate::request::{snippet, Body, Method, Reply, Request};
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// Replies are read to at most this many bytes (the README).
pub const MAX_REPLY: u64 = 1024 * 1024;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the client's words go: the app hands in the printer's functions, so the
/// client never prints itself. `trace` (the `--verbose` lines) is None when not asked
/// for; `warn` says what the client did on its own (a retry).
#[derive(Clone, Copy)]
pub struct Notes {
    pub trace: Option<fn(&str)>,
    pub warn: fn(&str),
}

pub struct Http {
    timeout: Duration,
    /// Extra roots (`ca_file` or `SSL_CERT_FILE`) for https://.
    ca_file: Option<std::path::PathBuf>,
    /// Built on first use, knowing the scheme: a plain-HTTP (loopback) run loads no
    /// root store.
    client: std::cell::OnceCell<reqwest::blocking::Client>,
    notes: Notes,
    /// (value, shown as) pairs applied to `--verbose` traces: the phone number masked.
    masks: Vec<(String, String)>,
    /// Run on each reply before it is traced (`Provider::reply_secrets`).
    on_reply: Option<fn(&Reply)>,
    /// How the user sets the timeout, named in a timeout's message (`--timeout`, or
    /// `OTP_TIMEOUT` when it came from there).
    limit_name: String,
}

impl Http {
    /// The transport: connect timeout min(10 s, timeout), whole-request timeout, no
    /// redirects, `User-Agent: otp/<version>`, proxies from the environment, and the
    /// built-in Mozilla roots plus `ca_file` when given.
    pub fn new(timeout: Duration, ca_file: Option<&Path>, notes: Notes) -> Result<Http, Failure> {
        // Opened now so a wrong path fails before any I/O; parsed only for https://,
        // so a plain-HTTP run pays nothing for a large bundle in SSL_CERT_FILE.
        if let Some(path) = ca_file {
            std::fs::File::open(path).map_err(|e| {
                Failure::config(format!("cannot read ca_file {}: {e}", path.display()))
                    .hint("ca_file (or SSL_CERT_FILE) must name a readable PEM file")
            })?;
        }
        Ok(Http {
            timeout,
            ca_file: ca_file.map(Path::to_path_buf),
            client: std::cell::OnceCell::new(),
            notes,
            masks: Vec::new(),
            on_reply: None,
            limit_name: "--timeout".into(),
        })
    }

    /// Name the setting of the timeout as the user gave it, for a timeout's message.
    pub fn limit_named(&mut self, name: String) {
        self.limit_name = name;
    }

    /// "no answer in 4s (--timeout)": the limit and how to change it.
    fn no_answer(&self) -> String {
        format!(
            "no answer in {} ({})",
            humantime::format_duration(self.timeout),
            self.limit_name
        )
    }

    fn roots(&self) -> Result<Vec<reqwest::Certificate>, Failure> {
        let Some(path) = &self.ca_file else {
            return Ok(Vec::new());
        };
        let pem = std::fs::read(path).map_err(|e| {
            Failure::config(format!("cannot read ca_file {}: {e}", path.display()))
                .hint("ca_file (or SSL_CERT_FILE) must name a readable PEM file")
        })?;
        reqwest::Certificate::from_pem_bundle(&pem)
            .ok()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                Failure::config(format!(
                    "ca_file {} holds no PEM certificate",
                    path.display()
                ))
            })
    }

    fn client(&self, https: bool) -> Result<&reqwest::blocking::Client, Failure> {
        if let Some(c) = self.client.get() {
            return Ok(c);
        }
        // The whole-request deadline gets a little slack over the connect deadline, so
        // a connect (TLS handshake included) that uses up the time is reported as a
        // connect timeout, which is known not to have sent anything, not as a timeout
        // that may have.
        let mut b = reqwest::blocking::Client::builder()
            .timeout(self.timeout.saturating_add(Duration::from_millis(200)))
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("otp/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none());
        if https {
            for c in self.roots()? {
                b = b.add_root_certificate(c);
            }
        } else {
            b = b.tls_built_in_root_certs(false);
        }
        let client = b.build().map_err(|e| {
            Failure::config(format!(
                "cannot set up the HTTP client: {}",
                redact::vendor_text(&e.to_string())
            ))
        })?;
        Ok(self.client.get_or_init(|| client))
    }

    /// Run `f` on each reply as soon as it is read, before `--verbose` prints it, so a
    /// secret the reply carries (zender's PIN) is registered with the redactor first.
    pub fn on_reply(&mut self, f: Option<fn(&Reply)>) {
        self.on_reply = f;
    }

    /// Show `value` as `shown` in `--verbose` traces.
    pub fn mask(&mut self, value: String, shown: String) {
        if !value.is_empty() {
            self.masks.push((value, shown));
        }
    }

    fn show(&self, text: &str) -> String {
        let mut t = redact::scrub(text);
        for (v, s) in &self.masks {
            t = t.replace(v.as_str(), s);
        }
        t
    }

    /// Send once, retrying up to `retries` times only failures where the request
    /// certainly did not leave, with a short bounded backoff.
    pub fn execute_retrying(&self, req: &Request, retries: u32) -> Result<Reply, Failure> {
        let mut attempt = 0;
        loop {
            match self.execute(req) {
                Err(f) if f.outcome == crate::error::Outcome::NotSent && attempt < retries => {
                    attempt += 1;
                    let wait =
                        Duration::from_millis(200u64 << attempt.min(4)).min(Duration::from_secs(2));
                    (self.notes.warn)(&format!(
                        "{}; retrying in {} ms ({attempt}/{retries})",
                        f.message,
                        wait.as_millis()
                    ));
                    std::thread::sleep(wait);
                }
                other => return other,
            }
        }
    }

    /// Send one request and read the reply through the size cap. Never retries.
    pub fn execute(&self, req: &Request) -> Result<Reply, Failure> {
        if let Some(trace) = self.notes.trace {
            for line in req.render_text().lines() {
                trace(&format!("> {}", self.show(line)));
            }
        }
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let https = req.url.starts_with("https:");
        let mut rb = self.client(https)?.request(method, &req.url);
        for (k, v) in &req.headers {
            rb = rb.header(k, v);
        }
        if let Some(ct) = req.content_type() {
            rb = rb.header(reqwest::header::CONTENT_TYPE, ct);
        }
        if !matches!(req.body, Body::Empty) {
            rb = rb.body(req.body_bytes());
        }
        let host = host_of(&req.url);
        let started = std::time::Instant::now();
        let mut resp = rb
            .send()
            .map_err(|e| classify(&e, &host, &self.no_answer()))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let header = |name| resp.headers().get(name).and_then(|v| v.to_str().ok());
        let retry_after = header(reqwest::header::RETRY_AFTER).and_then(|v| {
            crate::request::retry_after_secs(
                v,
                header(reqwest::header::DATE),
                std::time::SystemTime::now(),
            )
        });
        if let Some(trace) = self.notes.trace {
            trace(&format!(
                "< HTTP {status} ({})",
                content_type.as_deref().unwrap_or("no content type")
            ));
        }
        if (300..400).contains(&status) {
            let to = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(|l| redact::vendor_text(host_of(l).as_str()))
                .unwrap_or_else(|| "nowhere".into());
            return Err(Failure::unknown(
                Kind::RefusedRedirect,
                format!("{host} answered with a redirect (HTTP {status}) to {to}, which otp does not follow"),
            )
            .unsure()
            .status(status)
            .hint("check base_url: it should be the vendor's API address itself"));
        }
        if resp.content_length().is_some_and(|n| n > MAX_REPLY) {
            return Err(too_large(&host, status));
        }
        // reqwest's blocking timeout bounds each read, not the whole body: a server that
        // trickles a byte at a time would hold us for as long as it likes. The deadline
        // makes --timeout a whole-request limit.
        let mut body = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        let read = loop {
            if started.elapsed() > self.timeout {
                break Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "timed out",
                ));
            }
            match resp.read(&mut chunk) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    body.extend_from_slice(&chunk[..n]);
                    if body.len() as u64 > MAX_REPLY {
                        break Ok(());
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        if let Err(e) = read {
            let timeout = e.kind() == std::io::ErrorKind::TimedOut
                || e.to_string().to_ascii_lowercase().contains("timed out")
                || std::error::Error::source(&e)
                    .and_then(|s| s.downcast_ref::<reqwest::Error>())
                    .is_some_and(|r| r.is_timeout());
            return Err(Failure::unknown(
                if timeout {
                    Kind::Timeout
                } else {
                    Kind::Network
                },
                format!(
                    "the reply from {host} broke off ({})",
                    if timeout {
                        self.no_answer()
                    } else {
                        "connection lost".to_string()
                    },
                ),
            )
            .status(status)
            .unsure()
            .next_step());
        }
        if body.len() as u64 > MAX_REPLY {
            return Err(too_large(&host, status));
        }
        let reply = Reply {
            status,
            content_type,
            body,
            retry_after,
        };
        if let Some(f) = self.on_reply {
            f(&reply);
        }
        if let Some(trace) = self.notes.trace {
            if let Some(text) = snippet(&reply) {
                trace(&format!("< {}", self.show(&text)));
            }
        }
        Ok(reply)
    }
}

fn too_large(host: &str, status: u16) -> Failure {
    Failure::unknown(
        Kind::TooLarge,
        format!("the reply from {host} is larger than 1 MiB (HTTP {status})"),
    )
    .status(status)
    .unsure()
    .next_step()
}

/// scheme://host:port of a URL, never its path or query (zender puts the secret there).
pub fn host_of(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => {
            let mut s = format!("{}://{}", u.scheme(), u.host_str().unwrap_or(""));
            if let Some(p) = u.port() {
                s.push_str(&format!(":{p}"));
            }
            s
        }
        Err(_) => "the server".into(),
    }
}

/// Whether a connect error's cause is the peer's certificate (rustls: `invalid peer
/// certificate: UnknownIssuer`, `NotValidForName`, `Expired`; native TLS: "certificate
/// verify failed").
fn is_certificate_error(cause: &str) -> bool {
    let c = cause.to_ascii_lowercase();
    c.contains("certificate") || c.contains("unknownissuer") || c.contains("unknown issuer")
}

/// Decide from a send error whether the request could have left.
fn classify(e: &reqwest::Error, host: &str, no_answer: &str) -> Failure {
    // The chain's text, without the URL reqwest adds (it may carry a secret).
    let mut cause = String::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        cause = s.to_string();
        src = s.source();
    }
    let cause = redact::vendor_text(&cause);
    if e.is_connect() && is_certificate_error(&cause) {
        return Failure::not_sent(
            Kind::Network,
            format!("could not connect to {host}: the TLS certificate was not accepted ({cause}); nothing was sent"),
        )
        .hint(
            "if a corporate proxy or private CA signs this host's certificate, set ca_file in \
             the profile (or SSL_CERT_FILE) to that CA's PEM file; otherwise check that \
             base_url names the vendor's own host",
        );
    }
    if e.is_connect() {
        let kind = if e.is_timeout() {
            Kind::Timeout
        } else {
            Kind::Network
        };
        return Failure::not_sent(
            kind,
            format!(
                "could not connect to {host}: {}; nothing was sent",
                if cause.is_empty() {
                    "connection failed".into()
                } else {
                    cause
                }
            ),
        )
        .next_step();
    }
    if e.is_builder() {
        return Failure::config(format!("cannot build a request to {host}: {cause}"));
    }
    if e.is_timeout() {
        return Failure::unknown(Kind::Timeout, format!("{host}: {no_answer}"))
            .unsure()
            .next_step();
    }
    Failure::unknown(
        Kind::Network,
        format!(
            "the connection to {host} failed after the request was written ({})",
            if cause.is_empty() {
                "no reply".into()
            } else {
                cause
            },
        ),
    )
    .unsure()
    .next_step()
}
