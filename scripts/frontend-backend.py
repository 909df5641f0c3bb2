#!/usr/bin/env python3
"""A stand-in for binaryrepo's HTTP connector, for scripts/frontend-selftest.

usage: frontend-backend.py PORT LOGFILE [--unavailable]

Serves, below /repo/docker-remote/v2/ (what the frontends map /v2/ onto):
  ""         200 {}                       the Docker API version check
  echo...    200 JSON of the raw request path and headers, as the backend received them, and the
             port this stand-in listens on (which node of several answered)
  missing    404 OCI error JSON
  redirect   302 to /repo/docker-remote/v2/ (a relative Location that carries the backend prefix)
  redirect-absolute  the same as an absolute URL built from X-Forwarded-Proto and Host
  big        200, 200 MiB of a fixed 1 MiB pattern; LOGFILE gets one JSON line per response with the
             times its first and last byte were handed to the socket
  slow       200, 8 MiB: 1 MiB at once, then nothing for 3 s, then the rest
With --unavailable every request gets 503 (what a Tomcat that is shutting down answers), so a frontend with
several backends can be seen to retry the next one.
Listens on 127.0.0.1 only; HTTP/1.1 with keep-alive.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/repo/docker-remote/v2/"
MIB = 1024 * 1024
PATTERN = bytes(range(256)) * (MIB // 256)
BIG_MIB = 200
NOT_FOUND = b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry","detail":{"digest":"sha256:0000"}}]}'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "frontend-backend"

    def log_message(self, fmt, *args):
        pass

    def headers_only(self, code, length, content_type="application/json", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()

    def reply(self, code, body, extra=()):
        self.headers_only(code, len(body), extra=extra)
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path
        name = path[len(PREFIX):] if path.startswith(PREFIX) else None
        if UNAVAILABLE:
            self.reply(503, b'{"errors":[{"code":"UNAVAILABLE","message":"shutting down"}]}')
        elif name == "":
            self.reply(200, b"{}")
        elif name is not None and name.startswith("echo"):
            self.reply(200, json.dumps({"path": path, "port": PORT, "headers": dict(self.headers.items())}).encode())
        elif name == "missing":
            self.reply(404, NOT_FOUND)
        elif name == "redirect":
            self.reply(302, b"", extra=[("Location", PREFIX)])
        elif name == "redirect-absolute":
            scheme = self.headers.get("X-Forwarded-Proto", "http")
            self.reply(302, b"", extra=[("Location", scheme + "://" + self.headers.get("Host", "") + PREFIX)])
        elif name == "big":
            self.stream(BIG_MIB, pause_after=None)
        elif name == "slow":
            self.stream(8, pause_after=1)
        else:
            self.reply(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"unknown path"}]}')

    do_HEAD = do_GET

    def stream(self, mib, pause_after):
        self.headers_only(200, mib * MIB, content_type="application/octet-stream")
        if self.command == "HEAD":
            return
        first = time.time()
        for i in range(mib):
            if i == pause_after:
                self.wfile.flush()
                time.sleep(3)
            self.wfile.write(PATTERN)
        self.wfile.flush()
        with open(sys.argv[2], "a") as log:
            log.write(json.dumps({"path": self.path, "first": first, "last": time.time()}) + "\n")


PORT = int(sys.argv[1])
UNAVAILABLE = sys.argv[3:] == ["--unavailable"]

if __name__ == "__main__":
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
