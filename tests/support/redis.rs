//! A real `redis-server` for tests: started on a free loopback port with persistence off,
//! stopped by its PID on drop. A missing binary fails the test under `CI=true`, and is a
//! skip with a note on stderr elsewhere. Also compiled into the unit tests (`#[path]`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Redis {
    child: Child,
    pub port: u16,
    password: Option<String>,
    _dir: tempfile::TempDir,
}

fn binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/local/bin")])
        .map(|d| d.join("redis-server"))
        .find(|p| p.is_file())
}

impl Redis {
    /// A server, or `None` (with a note) when there is none to run outside CI.
    pub fn start() -> Option<Redis> {
        Redis::start_with(None)
    }

    /// A server that asks for `password`.
    pub fn start_with(password: Option<&str>) -> Option<Redis> {
        let Some(bin) = binary() else {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("redis-server is not installed, and CI=true: the shared-store tests must run (apt-get install -y redis-server)");
            }
            eprintln!("note: redis-server not found; skipping the shared-store half of this test");
            return None;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        // A few tries: another process may take the free port before the server binds it.
        for _ in 0..5 {
            let port = free_port();
            let mut c = Command::new(&bin);
            c.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--dir")
                .arg(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if let Some(p) = password {
                c.args(["--requirepass", p]);
            }
            let mut child = c.spawn().expect("spawn redis-server");
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // it exited: the port was taken
                }
                if answers(port) {
                    return Some(Redis {
                        child,
                        port,
                        password: password.map(str::to_string),
                        _dir: dir,
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("redis-server did not start on a loopback port");
    }

    /// A server that speaks TLS only (`rediss://`), its certificate signed by a CA made
    /// here with the `openssl` command (`ca.crt` in `certs`, for `localhost` and
    /// 127.0.0.1). `None` where redis-server or openssl is missing, outside CI.
    pub fn start_tls(certs: &std::path::Path) -> Option<Redis> {
        let bin = binary();
        let openssl = Command::new("openssl").arg("version").output().is_ok();
        if bin.is_none() || !openssl {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("redis-server and openssl are needed for the TLS store test under CI=true");
            }
            eprintln!("note: redis-server or openssl not found; skipping the TLS store test");
            return None;
        }
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(certs)
                .output()
                .expect("run openssl");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        std::fs::write(
            certs.join("ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .unwrap();
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=otp test CA",
        ]);
        run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
            "-subj",
            "/CN=localhost",
        ]);
        run(&[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "srv.crt",
            "-days",
            "2",
            "-extfile",
            "ext",
        ]);
        let dir = tempfile::tempdir().expect("tempdir");
        for _ in 0..5 {
            let port = free_port();
            let mut child = Command::new(bin.as_ref().unwrap())
                .args([
                    "--port",
                    "0",
                    "--tls-port",
                    &port.to_string(),
                    "--bind",
                    "127.0.0.1",
                ])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .arg("--tls-cert-file")
                .arg(certs.join("srv.crt"))
                .arg("--tls-key-file")
                .arg(certs.join("srv.key"))
                .arg("--tls-ca-cert-file")
                .arg(certs.join("ca.crt"))
                .args(["--tls-auth-clients", "no"])
                .arg("--dir")
                .arg(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn redis-server");
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(Redis {
                        child,
                        port,
                        password: None,
                        _dir: dir,
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("redis-server with TLS did not start");
    }

    pub fn url(&self) -> String {
        match &self.password {
            Some(p) => format!("redis://:{p}@127.0.0.1:{}/0", self.port),
            None => format!("redis://127.0.0.1:{}/0", self.port),
        }
    }
}

impl Redis {
    /// Every key on the server (db 0), sorted: what runs left behind.
    pub fn keys(&self) -> Vec<String> {
        let client = redis::Client::open(self.url()).expect("redis url");
        let mut con = client.get_connection().expect("connect to the test redis");
        let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut con).expect("KEYS");
        keys.sort();
        keys
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        // Child::kill signals this PID only.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A loopback port nothing listens on (for "unreachable" tests).
pub fn closed_port() -> u16 {
    free_port()
}

fn answers(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
    let mut buf = [0u8; 1];
    s.write_all(b"PING\r\n").is_ok() && s.read(&mut buf).is_ok_and(|n| n > 0)
}

/// A proxy in front of a server that passes everything through until a client sends
/// EXEC: that transaction reaches the server, and its answer is lost (the connection is
/// closed without it). Plays a network that fails after the store committed.
pub struct LossyProxy {
    pub port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl LossyProxy {
    pub fn start(server_port: u16) -> LossyProxy {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", server_port)) else {
                    continue;
                };
                let lose = Arc::new(AtomicBool::new(false));
                let (mut c_in, mut s_out) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut s_in, mut c_out) = (server, client);
                let lose_up = lose.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16384];
                    while let Ok(n) = c_in.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        let exec = buf[..n].windows(6).any(|w| w == b"EXEC\r\n");
                        if exec {
                            lose_up.store(true, Ordering::SeqCst);
                        }
                        if s_out.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        if exec {
                            // Let the server commit, then drop the line both ways.
                            std::thread::sleep(Duration::from_millis(300));
                            let _ = c_in.shutdown(std::net::Shutdown::Both);
                            let _ = s_out.shutdown(std::net::Shutdown::Both);
                            break;
                        }
                    }
                });
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16384];
                    while let Ok(n) = s_in.read(&mut buf) {
                        if n == 0 || lose.load(Ordering::SeqCst) {
                            break;
                        }
                        if c_out.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        LossyProxy { port, stop }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }
}

impl Drop for LossyProxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}
