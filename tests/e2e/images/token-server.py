#!/usr/bin/env python3
"""token-server.py - a Docker-Hub-style Bearer token endpoint for the registry tests.

  token-server.py --key KEY.pem --cert CERT.pem --service S --issuer I \
      --user USER:PASS --port-file FILE --log FILE [--expires-in SECONDS] [--port N]

Listens on 127.0.0.1 (port N, default 0: any free port, written to --port-file once it
listens). GET /token?service=S&scope=repository:NAME:pull,push[&scope=...] answers
{"token": JWT, "access_token": JWT, "expires_in": N, "issued_at": ...}:
  - right HTTP Basic credentials: every requested repository scope is granted;
  - no credentials: a token with an empty access list (the registry then refuses);
  - wrong credentials, or a service other than S: 401.
The JWT is RS256 (signed by `openssl dgst -sha256 -sign KEY`), its header carries the
signing certificate in x5c; claims iss, sub, aud (= S), exp, nbf, iat, jti, access.
Each request appends one line to --log, before it is answered: "METHOD PATH USER STATUS",
PATH percent-decoded, USER "-" when anonymous, "!" for wrong credentials. Anything else answers 404. Stops on SIGTERM.
"""

import argparse
import base64
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    def __init__(self, args):
        self.args = args
        with open(args.cert) as f:
            self.x5c = [base64.b64encode(ssl.PEM_cert_to_DER_cert(f.read())).decode()]
        self.user, _, self.password = args.user.partition(":")
        self.lock = threading.Lock()
        self.serial = 0

    def token(self, sub, access):
        now = int(time.time())
        with self.lock:
            self.serial += 1
            jti = "%d-%d" % (os.getpid(), self.serial)
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        claims = {"iss": self.args.issuer, "sub": sub, "aud": self.args.service,
                  "exp": now + self.args.expires_in, "nbf": now - 10, "iat": now,
                  "jti": jti, "access": access}
        signing_input = b64url(json.dumps(header).encode()) + "." + \
            b64url(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.args.key],
                             input=signing_input.encode(), stdout=subprocess.PIPE,
                             check=True).stdout
        return signing_input + "." + b64url(sig), now


def parse_scopes(values):
    """repository:NAME:a,b -> access entries; other resource types are granted too."""
    access = []
    for scope in values:
        for one in scope.split(" "):
            parts = one.split(":")
            if len(parts) < 3:
                continue
            typ, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
            access.append({"type": typ, "name": name,
                           "actions": [a for a in actions.split(",") if a]})
    return access


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, who, status):
        with open(self.server.args.log, "a") as f:
            f.write("%s %s %s %d\n" % (self.command, urllib.parse.unquote(self.path), who, status))

    def reply(self, status, body, who, headers=()):
        self.record(who, status)  # before answering, so a client that got its answer sees the line
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def credentials(self):
        """(user, ok): ("-", True) when anonymous, (name, False) for wrong ones."""
        auth = self.headers.get("Authorization", "")
        if not auth:
            return "-", True
        kind, _, value = auth.partition(" ")
        if kind.lower() != "basic":
            return "!", False
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except Exception:
            return "!", False
        iss = self.server.issuer
        return (user, True) if (user, password) == (iss.user, iss.password) else ("!", False)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND"}]}, "-")
        query = urllib.parse.parse_qs(url.query)
        who, ok = self.credentials()
        unauthorized = [("WWW-Authenticate", 'Basic realm="token"')]
        if not ok:
            return self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                "message": "bad credentials"}]}, who, unauthorized)
        if query.get("service", [self.server.args.service])[0] != self.server.args.service:
            return self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                "message": "unknown service"}]}, who, unauthorized)
        access = parse_scopes(query.get("scope", [])) if who != "-" else []
        token, now = self.server.issuer.token("" if who == "-" else who, access)
        self.reply(200, {"token": token, "access_token": token,
                         "expires_in": self.server.args.expires_in,
                         "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))},
                   who)

    def do_POST(self):
        self.reply(405, {"errors": [{"code": "UNSUPPORTED"}]}, "-")


def main():
    p = argparse.ArgumentParser()
    for opt in ("key", "cert", "service", "issuer", "user", "port-file", "log"):
        p.add_argument("--" + opt, required=True)
    p.add_argument("--expires-in", type=int, default=300)
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.args, server.issuer = args, Issuer(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except SystemExit:
        pass


if __name__ == "__main__":
    main()
