#!/usr/bin/env python3
"""Fallback responder for bench/run when nginx cannot be installed.

Serves the Termii OTP-send reply on 127.0.0.1: plain HTTP on one port and HTTPS
(the bench CA's leaf certificate) on another. It reads the whole request body before
answering, so both clients see a clean 200, and closes the connection after each reply
(every benchmarked client is a fresh process anyway).

It is much slower per request than nginx; bench/run says so in RESULTS.md when it was
used. It stops on SIGTERM/SIGINT and listens on loopback only.
"""

import argparse
import http.server
import signal
import socketserver
import ssl
import sys
import threading

PATH = "/api/sms/otp/send"


def handler_for(reply: bytes):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "bench-responder"
        sys_version = ""

        def log_message(self, *args):  # no access log
            pass

        def _answer(self, code: int, body: bytes, ctype: str):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n > 1024 * 1024:
                self._answer(413, b"too large\n", "text/plain")
                return
            if n:
                self.rfile.read(n)
            if self.path.split("?", 1)[0] == PATH:
                self._answer(200, reply, "application/json")
            else:
                self._answer(404, b"not found\n", "text/plain")

        def do_GET(self):
            self._answer(404, b"not found\n", "text/plain")

    return Handler


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--http-port", type=int, required=True)
    ap.add_argument("--https-port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--reply", required=True, help="file holding the reply body")
    a = ap.parse_args()

    with open(a.reply, "rb") as f:
        reply = f.read()
    handler = handler_for(reply)

    plain = Server(("127.0.0.1", a.http_port), handler)
    tls = Server(("127.0.0.1", a.https_port), handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (plain, tls)]
    for t in threads:
        t.start()
    stop.wait()
    for s in (plain, tls):
        s.shutdown()
        s.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
