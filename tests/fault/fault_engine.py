#!/usr/bin/env python3
"""A faulty Docker engine for keep's failure-path tests.

    fault_engine.py SOCKET MODE [PATTERN]

Listens on the unix socket SOCKET. Requests whose "METHOD PATH" matches the
regular expression PATTERN (default: every request) get the fault MODE; all
others are passed to the real engine at $UPSTREAM (/var/run/docker.sock), so
version negotiation and the calls before the fault work as usual.

MODE is one of:
  error      500 with an engine error body
  truncated  200 promising 4096 bytes, sending 20, then closing
  garbage    200 with a body that is not JSON
  badjson    200 with JSON of the wrong shape (an array of numbers)
  slow       wait $FAULT_DELAY seconds (default 3), then pass through
  stall      never answer (the client's timeout must end it)
  hangup     close the connection without a word
  die        stop the whole server: the engine disappears mid-command

Each request is logged to stderr when it arrives, as "fault: MODE METHOD
PATH" or "pass: METHOD PATH", so a test can tell which fault fired and what
went before it.
This is a test tool: it is not installed and nothing else depends on it.
"""
import os
import re
import socket
import socketserver
import sys
import threading
import time

UPSTREAM = os.environ.get("UPSTREAM", "/var/run/docker.sock")


def read_request(conn):
    """One HTTP request from conn: (head bytes, body bytes), or None at EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length, chunked = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while not body.endswith(b"0\r\n\r\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
    else:
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
    return head, body


def respond(conn, status, body, ctype="application/json", length=None):
    if length is None:
        length = len(body)
    conn.sendall(("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                  "Api-Version: 1.41\r\nConnection: close\r\n\r\n"
                  % (status, ctype, length)).encode() + body)


def pass_through(conn, head, body):
    lines = [l for l in head.split(b"\r\n")
             if not l.lower().startswith(b"connection:")]
    lines.append(b"Connection: close")
    up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    up.connect(UPSTREAM)
    up.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
    while True:
        chunk = up.recv(65536)
        if not chunk:
            break
        conn.sendall(chunk)
    up.close()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = self.request
        req = read_request(conn)
        if req is None:
            return
        head, body = req
        first = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, path = first.split(" ")[0:2]
        mode, pattern = self.server.mode, self.server.pattern
        if not pattern.search(method + " " + path):
            print("pass: %s %s" % (method, path), file=sys.stderr, flush=True)
            pass_through(conn, head, body)
            return
        print("fault: %s %s %s" % (mode, method, path), file=sys.stderr,
              flush=True)
        if mode == "error":
            respond(conn, "500 Internal Server Error",
                    b'{"message":"fault injected: engine failure"}')
        elif mode == "truncated":
            respond(conn, "200 OK", b'{"Id":"0123456789abc', length=4096)
        elif mode == "garbage":
            respond(conn, "200 OK", b"\x00\xffnot json at all <html>",
                    ctype="application/json")
        elif mode == "badjson":
            respond(conn, "200 OK", b"[1, 2, 3]")
        elif mode == "slow":
            time.sleep(float(os.environ.get("FAULT_DELAY", "3")))
            pass_through(conn, head, body)
        elif mode == "stall":
            time.sleep(3600)
        elif mode == "hangup":
            pass
        elif mode == "die":
            conn.close()
            os._exit(0)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    path, mode = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    server = Server(path, Handler)
    server.mode = mode
    server.pattern = re.compile(sys.argv[3] if len(sys.argv) > 3 else "")
    server.serve_forever()


if __name__ == "__main__":
    main()
