//! Misbehaving HTTP servers on 127.0.0.1 (std only) for testing how the CLI
//! classifies transport failures: refused, closed, reset, slow, redirected,
//! endless or truncated replies. Each server stops itself when dropped.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Hard limit on the life of one connection handler (a `Delay` adds its delay).
const HANDLER_DEADLINE: Duration = Duration::from_secs(30);
/// A read or write that makes no progress for this long gives up.
const IDLE_LIMIT: Duration = Duration::from_secs(5);
/// Socket timeout per blocking call, so handlers notice a stop request quickly.
const SLICE: Duration = Duration::from_millis(50);
/// How long to drain unread input after replying, before closing.
const LINGER: Duration = Duration::from_millis(100);
/// Stop reading a request header section beyond this size.
const MAX_HEAD: usize = 64 * 1024;
/// Stop reading a request (head + body) beyond this size.
const MAX_REQUEST: usize = 16 * 1024 * 1024;
/// Size of one chunk sent by `Fault::EndlessChunked`.
const CHUNK: usize = 16 * 1024;

/// How a [`FaultServer`] misbehaves. Every connection gets the same treatment;
/// each is handled on its own thread, one request per connection.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Nothing listens: the port is bound then closed, so a connect is refused
    /// (`ErrorKind::ConnectionRefused`). `FaultServer::url` still works;
    /// `requests()` is 0.
    Refuse,
    /// Accept the connection and close it at once without reading. The client
    /// sees EOF with no reply, or a reset / broken pipe if it had already sent
    /// bytes. Nothing is counted.
    AcceptClose,
    /// Read the whole request (headers + Content-Length or chunked body), then
    /// `shutdown(Both)` and close. The request is counted; the client sees the
    /// connection closed with no reply bytes at all (EOF, "connection closed
    /// before message completed"), i.e. the request may have been delivered.
    ReadThenClose,
    /// Read the whole request, wait this long, then answer with the reply.
    /// The handler deadline is extended by the delay; dropping the server
    /// still ends the wait at once (closing the connection without a reply).
    Delay(Duration, Reply),
    /// Answer `302 Found` with `Location: <url>` and an empty body.
    Redirect(String),
    /// Answer 200 with `Transfer-Encoding: chunked` and 16 KiB chunks of "x"
    /// forever, until the client goes away, the server is dropped, or the 30 s
    /// deadline (then the connection is closed without the final chunk).
    EndlessChunked,
    /// Answer 200 (`text/plain`) with `Content-Length: <claimed>` but send only
    /// `actual` bytes of "x" as the body, then close.
    LengthLie { claimed: u64, actual: usize },
    /// Answer 200 with `Content-Length: 100000`, then one byte of body every
    /// interval: each read succeeds, so only a whole-request deadline ends it.
    Trickle(Duration),
    /// Answer with the given reply (status, content type, body, extra headers):
    /// HTML 500 pages, garbage, huge bodies, vendor JSON.
    Reply(Reply),
}

/// A complete HTTP response. It is sent as `HTTP/1.1 <status> <reason>`, then
/// `Content-Type` (omitted when empty), `Content-Length` (the body's length),
/// `Connection: close`, then `headers` verbatim, then the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    /// Extra headers, sent after the standard ones. Do not repeat
    /// Content-Length, Connection or Content-Type here.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// `application/json` reply.
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::new(status, "application/json", body)
    }

    /// `text/html` reply.
    pub fn html(status: u16, body: &str) -> Reply {
        Reply::new(status, "text/html", body)
    }

    /// Reply with any content type (an empty one omits the header) and body.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type: content_type.to_string(),
            body: body.into(),
            headers: Vec::new(),
        }
    }

    /// The same reply with one more header.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        if !self.content_type.is_empty() {
            head.push_str(&format!("Content-Type: {}\r\n", self.content_type));
        }
        head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        head.push_str("Connection: close\r\n");
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

/// A stock HTML 500 page like nginx's (`Server: nginx`, `text/html`).
pub fn html_500() -> Reply {
    let body = "<html>\r\n\
                <head><title>500 Internal Server Error</title></head>\r\n\
                <body>\r\n\
                <center><h1>500 Internal Server Error</h1></center>\r\n\
                <hr><center>nginx</center>\r\n\
                </body>\r\n\
                </html>\r\n\
                <!-- a padding to disable MSIE and Chrome friendly error page -->\r\n\
                <!-- a padding to disable MSIE and Chrome friendly error page -->\r\n\
                <!-- a padding to disable MSIE and Chrome friendly error page -->\r\n";
    Reply::html(500, body).with_header("Server", "nginx")
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// State shared by the server handle, the accept loop and the handlers.
struct Shared {
    stop: AtomicBool,
    /// Raw bytes of each request, in order of their request lines' arrival.
    received: Mutex<Vec<Vec<u8>>>,
    /// Clones of open connections, so `Drop` can shut them down. Entries are
    /// removed when a handler ends (a clone keeps the socket open).
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_id: AtomicU64,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not make every later call panic too.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A misbehaving HTTP server on 127.0.0.1:<ephemeral>. Dropping it stops the
/// accept loop and every connection handler, promptly, even mid-request.
pub struct FaultServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FaultServer {
    /// Bind 127.0.0.1:0 and start serving `fault` on a background thread.
    pub fn start(fault: Fault) -> FaultServer {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("fault server: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fault server: local_addr");
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            received: Mutex::new(Vec::new()),
            conns: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
        });
        let accept = match fault {
            Fault::Refuse => {
                drop(listener);
                None
            }
            fault => {
                let shared = Arc::clone(&shared);
                let fault = Arc::new(fault);
                let handle = thread::Builder::new()
                    .name(format!("fault-server-{}", addr.port()))
                    .spawn(move || accept_loop(listener, shared, fault))
                    .expect("fault server: spawn accept thread");
                Some(handle)
            }
        };
        FaultServer {
            addr,
            shared,
            accept,
        }
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests whose request line was received (counted as soon as the
    /// request line arrives, before the body).
    pub fn requests(&self) -> usize {
        lock(&self.shared.received).len()
    }

    /// The raw bytes of every request received (headers + body), in order.
    /// A request still being read shows the bytes received so far.
    pub fn received(&self) -> Vec<Vec<u8>> {
        lock(&self.shared.received).clone()
    }
}

impl std::fmt::Debug for FaultServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultServer")
            .field("addr", &self.addr)
            .field("requests", &self.requests())
            .finish()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        let Some(accept) = self.accept.take() else {
            return; // Fault::Refuse: nothing running, and the port is not ours.
        };
        {
            // Under the lock, so the accept loop cannot register a new
            // connection after this sweep.
            let mut conns = lock(&self.shared.conns);
            self.shared.stop.store(true, Ordering::SeqCst);
            for (_, conn) in conns.drain() {
                let _ = conn.shutdown(Shutdown::Both);
            }
        }
        // Wake the blocking accept(). If that fails, leave the thread detached
        // rather than risk hanging: it exits on its next wake-up.
        if TcpStream::connect_timeout(&self.addr, Duration::from_secs(2)).is_ok() {
            let _ = accept.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>, fault: Arc<Fault>) {
    let mut handlers: Vec<JoinHandle<()>> = Vec::new();
    for stream in listener.incoming() {
        if shared.stopping() {
            break;
        }
        let stream = match stream {
            Ok(s) => s,
            Err(_) => {
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
        {
            let mut conns = lock(&shared.conns);
            if shared.stopping() {
                break; // the wake-up connection, or one that raced with Drop
            }
            if let Ok(clone) = stream.try_clone() {
                conns.insert(id, clone);
            }
        }
        handlers.retain(|h| !h.is_finished());
        let conn = Conn {
            stream,
            id,
            shared: Arc::clone(&shared),
        };
        let fault = Arc::clone(&fault);
        match thread::Builder::new()
            .name(format!("fault-conn-{id}"))
            .spawn(move || handle(conn, &fault))
        {
            Ok(h) => handlers.push(h),
            Err(_) => continue, // the Conn was dropped, closing the socket
        }
    }
    for h in handlers {
        let _ = h.join();
    }
}

/// One accepted connection. Dropping it unregisters the clone kept for
/// `Drop for FaultServer`, then closes the socket.
struct Conn {
    stream: TcpStream,
    id: u64,
    shared: Arc<Shared>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        lock(&self.shared.conns).remove(&self.id);
    }
}

impl Conn {
    fn alive(&self, deadline: Instant) -> bool {
        !self.shared.stopping() && Instant::now() < deadline
    }

    /// One read, with the stop flag, the deadline and the idle limit honoured.
    fn read_some(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
        let idle_until = Instant::now() + IDLE_LIMIT;
        loop {
            if !self.alive(deadline) {
                return Err(io::Error::new(ErrorKind::TimedOut, "fault server stopping"));
            }
            match self.stream.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if is_transient(&e) => {
                    if Instant::now() >= idle_until {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// `write_all`, with the stop flag, the deadline and the idle limit honoured.
    fn write_all(&mut self, mut buf: &[u8], deadline: Instant) -> io::Result<()> {
        let mut idle_until = Instant::now() + IDLE_LIMIT;
        while !buf.is_empty() {
            if !self.alive(deadline) {
                return Err(io::Error::new(ErrorKind::TimedOut, "fault server stopping"));
            }
            match self.stream.write(buf) {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(n) => {
                    buf = &buf[n..];
                    idle_until = Instant::now() + IDLE_LIMIT;
                }
                Err(e) if is_transient(&e) => {
                    if Instant::now() >= idle_until {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Read one request: the head, then a Content-Length or chunked body.
    /// Records it in `shared.received` from the moment its request line is
    /// complete. Returns whether a request line was seen.
    fn read_request(&mut self, deadline: Instant) -> bool {
        let mut buf: Vec<u8> = Vec::new();
        let mut slot: Option<usize> = None;
        let mut tmp = vec![0u8; 16 * 1024];
        loop {
            let n = match self.read_some(&mut tmp, deadline) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let new = &tmp[..n];
            buf.extend_from_slice(new);
            match slot {
                Some(i) => lock(&self.shared.received)[i].extend_from_slice(new),
                None if find(&buf, b"\r\n").is_some() => {
                    let mut received = lock(&self.shared.received);
                    received.push(buf.clone());
                    slot = Some(received.len() - 1);
                }
                None => {}
            }
            match request_len(&buf) {
                Progress::Complete(len) => {
                    if let Some(i) = slot {
                        lock(&self.shared.received)[i].truncate(len);
                    }
                    break;
                }
                Progress::Malformed => break,
                Progress::Incomplete => {}
            }
            if buf.len() >= MAX_REQUEST {
                break;
            }
        }
        slot.is_some()
    }

    /// Send `bytes`, then close gracefully: FIN first, then drain whatever the
    /// client still sends for a moment, so closing does not turn into a reset
    /// that could destroy the reply in flight.
    fn send_and_close(mut self, bytes: &[u8], deadline: Instant) {
        if self.write_all(bytes, deadline).is_err() {
            return;
        }
        let _ = self.stream.flush();
        let _ = self.stream.shutdown(Shutdown::Write);
        let until = Instant::now() + Duration::from_secs(1);
        let _ = self.stream.set_read_timeout(Some(LINGER));
        let mut tmp = [0u8; 4096];
        while Instant::now() < until && !self.shared.stopping() {
            match self.stream.read(&mut tmp) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }
}

fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
    )
}

fn handle(mut conn: Conn, fault: &Fault) {
    let start = Instant::now();
    let deadline = match fault {
        Fault::Delay(d, _) => start + HANDLER_DEADLINE + *d,
        _ => start + HANDLER_DEADLINE,
    };
    let _ = conn.stream.set_nodelay(true);
    if conn.stream.set_read_timeout(Some(SLICE)).is_err()
        || conn.stream.set_write_timeout(Some(SLICE)).is_err()
    {
        return;
    }
    match fault {
        Fault::Refuse => {}
        Fault::AcceptClose => drop(conn),
        Fault::ReadThenClose => {
            conn.read_request(deadline);
            let _ = conn.stream.shutdown(Shutdown::Both);
        }
        Fault::Delay(delay, reply) => {
            conn.read_request(deadline);
            let until = Instant::now() + *delay;
            loop {
                if !conn.alive(deadline) {
                    return;
                }
                let now = Instant::now();
                if now >= until {
                    break;
                }
                thread::sleep((until - now).min(SLICE));
            }
            conn.send_and_close(&reply.to_bytes(), deadline);
        }
        Fault::Redirect(url) => {
            conn.read_request(deadline);
            let reply = Reply::new(302, "", Vec::new()).with_header("Location", url);
            conn.send_and_close(&reply.to_bytes(), deadline);
        }
        Fault::EndlessChunked => {
            conn.read_request(deadline);
            let head = "HTTP/1.1 200 OK\r\n\
                        Content-Type: text/plain\r\n\
                        Transfer-Encoding: chunked\r\n\
                        Connection: close\r\n\r\n";
            if conn.write_all(head.as_bytes(), deadline).is_err() {
                return;
            }
            let mut chunk = format!("{CHUNK:x}\r\n").into_bytes();
            chunk.extend(std::iter::repeat_n(b'x', CHUNK));
            chunk.extend_from_slice(b"\r\n");
            while conn.write_all(&chunk, deadline).is_ok() {}
        }
        Fault::LengthLie { claimed, actual } => {
            conn.read_request(deadline);
            let mut bytes = format!(
                "HTTP/1.1 200 OK\r\n\
                 Content-Type: text/plain\r\n\
                 Content-Length: {claimed}\r\n\
                 Connection: close\r\n\r\n"
            )
            .into_bytes();
            bytes.extend(std::iter::repeat_n(b'x', *actual));
            conn.send_and_close(&bytes, deadline);
        }
        Fault::Reply(reply) => {
            conn.read_request(deadline);
            conn.send_and_close(&reply.to_bytes(), deadline);
        }
        Fault::Trickle(every) => {
            conn.read_request(deadline);
            let head = "HTTP/1.1 200 OK\r\n\
                        Content-Type: application/json\r\n\
                        Content-Length: 100000\r\n\
                        Connection: close\r\n\r\n";
            if conn.write_all(head.as_bytes(), deadline).is_err() {
                return;
            }
            while Instant::now() < deadline && conn.write_all(b" ", deadline).is_ok() {
                std::thread::sleep(*every);
            }
        }
    }
}

enum Progress {
    /// The request is complete and this many bytes long.
    Complete(usize),
    Incomplete,
    /// Cannot be parsed further; stop reading.
    Malformed,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// How far `buf` holds a complete HTTP/1.1 request.
fn request_len(buf: &[u8]) -> Progress {
    let Some(head_end) = find(buf, b"\r\n\r\n") else {
        return if buf.len() > MAX_HEAD {
            Progress::Malformed
        } else {
            Progress::Incomplete
        };
    };
    let body_start = head_end + 4;
    let head = String::from_utf8_lossy(&buf[..head_end]);
    let mut content_length: Option<u64> = None;
    let mut chunked = false;
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            match value.parse() {
                Ok(n) => content_length = Some(n),
                Err(_) => return Progress::Malformed,
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
        }
    }
    if chunked {
        return match chunked_len(&buf[body_start..]) {
            Progress::Complete(n) => Progress::Complete(body_start + n),
            other => other,
        };
    }
    let body_len = content_length.unwrap_or(0);
    match usize::try_from(body_len)
        .ok()
        .and_then(|n| n.checked_add(body_start))
    {
        Some(total) if buf.len() >= total => Progress::Complete(total),
        Some(_) => Progress::Incomplete,
        None => Progress::Malformed,
    }
}

/// How far `body` holds a complete chunked body (chunks, last chunk, trailers).
fn chunked_len(body: &[u8]) -> Progress {
    let mut p = 0;
    loop {
        let Some(line_len) = find(&body[p..], b"\r\n") else {
            return Progress::Incomplete;
        };
        let line = String::from_utf8_lossy(&body[p..p + line_len]);
        let size_str = line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_str, 16) else {
            return Progress::Malformed;
        };
        p += line_len + 2;
        if size == 0 {
            // Trailer fields, then an empty line.
            loop {
                let Some(len) = find(&body[p..], b"\r\n") else {
                    return Progress::Incomplete;
                };
                p += len + 2;
                if len == 0 {
                    return Progress::Complete(p);
                }
            }
        }
        let Some(end) = p.checked_add(size).and_then(|e| e.checked_add(2)) else {
            return Progress::Malformed;
        };
        if body.len() < end {
            return Progress::Incomplete;
        }
        if &body[end - 2..end] != b"\r\n" {
            return Progress::Malformed;
        }
        p = end;
    }
}
