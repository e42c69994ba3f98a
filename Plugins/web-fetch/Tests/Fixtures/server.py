#!/usr/bin/env python3
"""Test HTTP server for web-fetch: binds 127.0.0.1 on an ephemeral port and prints `PORT <n>` when ready.

Routes (all on 127.0.0.1):
  /page/<name>         pages/<name>.html as text/html; charset=utf-8
  /latin1              pages/latin1.html encoded as ISO-8859-1, charset in the Content-Type header
  /cp1252-meta         pages/cp1252-meta.html encoded as windows-1252, charset only in <meta>
  /untyped             pages/article.html with no Content-Type header at all
  /gzip                pages/article.html gzip-compressed, only if the request accepts gzip (else 406)
  /redirect/<n>        302 chain: /redirect/n -> /redirect/n-1 -> ... -> /page/article
  /to?url=<u>          302 to <u> (used for redirects to forbidden addresses and schemes)
  /no-location         302 without a Location header
  /status/<code>       an HTML error page with that status
  /stall               waits 30 s before answering (the client's timeout must fire first)
  /big                 a 50 MB text/plain body (the client's byte cap must stop it)
  /gzip-bomb           50 MB of text gzip-compressed to about 50 KB (the cap counts decoded bytes)
  /data.json           a JSON document (compact, key order not alphabetical)
  /image.png           a 1x1 PNG
  /octet               bytes with no Content-Type whose first bytes are binary
  /plain               text/plain with CRLF line ends
  /headers             text/plain echo of the request's User-Agent and Accept-Encoding
"""
import gzip
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082")


def page(name):
    with open(os.path.join(HERE, "pages", name + ".html"), encoding="utf-8") as f:
        return f.read()


class Handler(BaseHTTPRequestHandler):
    server_version = "LoomTestServer/1"

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        path = url.path
        try:
            if path.startswith("/page/"):
                self.send(200, page(path[len("/page/"):]).encode("utf-8"))
            elif path == "/latin1":
                self.send(200, page("latin1").encode("iso-8859-1"), "text/html; charset=ISO-8859-1")
            elif path == "/cp1252-meta":
                self.send(200, page("cp1252-meta").encode("cp1252"), "text/html")
            elif path == "/untyped":
                self.send(200, page("article").encode("utf-8"), None)
            elif path == "/gzip":
                if "gzip" not in self.headers.get("Accept-Encoding", ""):
                    self.send(406, b"gzip not accepted", "text/plain")
                else:
                    body = gzip.compress(page("article").encode("utf-8"))
                    self.send(200, body, headers=[("Content-Encoding", "gzip")])
            elif path.startswith("/redirect/"):
                n = int(path[len("/redirect/"):])
                target = "/page/article" if n <= 1 else "/redirect/%d" % (n - 1)
                self.send(302, b"", headers=[("Location", target)])
            elif path == "/to":
                self.send(302, b"", headers=[("Location", parse_qs(url.query)["url"][0])])
            elif path == "/no-location":
                self.send(302, b"moved somewhere", "text/plain")
            elif path.startswith("/status/"):
                code = int(path[len("/status/"):])
                body = "<html><head><title>Error %d</title></head><body><h1>Error %d</h1>" \
                       "<p>The server says no.</p></body></html>" % (code, code)
                self.send(code, body.encode("utf-8"))
            elif path == "/stall":
                time.sleep(30)
                self.send(200, b"too late", "text/plain")
            elif path == "/big":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                total = 50 * 1024 * 1024
                self.send_header("Content-Length", str(total))
                self.end_headers()
                line = (b"x" * 63) + b"\n"
                chunk = line * 1024
                sent = 0
                while sent < total:
                    self.wfile.write(chunk)
                    sent += len(chunk)
            elif path == "/gzip-bomb":
                body = gzip.compress(b"a" * (50 * 1024 * 1024), compresslevel=9)
                self.send(200, body, "text/plain", headers=[("Content-Encoding", "gzip")])
            elif path == "/data.json":
                body = b'{"name":"Loom","version":[0,1],"nested":{"z":1,"a":null,"empty":{},"list":[]},' \
                       b'"text":"a \\"quoted\\" {brace}, [bracket]: colon","pi":3.14159e0}'
                self.send(200, body, "application/json")
            elif path == "/image.png":
                self.send(200, PNG, "image/png")
            elif path == "/octet":
                self.send(200, b"\x00\x01\x02binary\x00data", None)
            elif path == "/plain":
                self.send(200, b"line one\r\nline two\r\n\r\nline four\r\n", "text/plain; charset=utf-8")
            elif path == "/headers":
                body = "User-Agent: %s\nAccept-Encoding: %s\n" % (
                    self.headers.get("User-Agent", ""), self.headers.get("Accept-Encoding", ""))
                self.send(200, body.encode("utf-8"), "text/plain")
            else:
                self.send(404, b"<h1>no route</h1>")
        except (BrokenPipeError, ConnectionResetError):
            pass


def exit_when_stdin_closes():
    """The test process holds our stdin; when it goes away (even killed), so does this server."""
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    # A parent may start us with signals blocked (threads of a test runner often block them).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
