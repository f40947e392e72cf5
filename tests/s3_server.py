#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A small S3-compatible object server for tiersim's tests of its s3 live back-end.

Path-style requests on one bucket (/BUCKET/KEY): PUT, GET, HEAD, DELETE of objects held in
memory, and GET /BUCKET?list-type=2[&prefix=P] (ListObjectsV2: KeyCount and the keys). Every request must carry a valid AWS Signature Version 4 (Authorization header,
x-amz-date; the payload hash is x-amz-content-sha256 when sent, else the body's SHA-256),
checked with the access and secret keys given: a bad signature is answered 403. The server
binds 127.0.0.1 on a free port and writes the port to PORT_FILE once it listens; it runs
until killed.

usage: s3_server.py PORT_FILE ACCESS_KEY SECRET_KEY REGION BUCKET
"""
import hashlib
import hmac
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

PORT_FILE, ACCESS, SECRET, REGION, BUCKET = sys.argv[1:6]
OBJECTS = {}
LOCK = threading.Lock()


def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def signature_ok(handler, body):
    """Recomputes the request's SigV4 signature from what it sent (AWS's published rules)."""
    auth = handler.headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return False, "no AWS4-HMAC-SHA256 Authorization header"
    fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    cred = fields.get("Credential", "").split("/")
    if len(cred) != 5 or cred[0] != ACCESS or cred[2] != REGION or cred[4] != "aws4_request":
        return False, "credential scope %r" % fields.get("Credential")
    signed = fields.get("SignedHeaders", "").split(";")
    amz_date = handler.headers.get("x-amz-date", "")
    url = urlsplit(handler.path)
    query = "&".join("%s=%s" % (quote(k, safe="-_.~"), quote(v, safe="-_.~"))
                     for k, v in sorted(parse_qsl(url.query, keep_blank_values=True)))
    headers = "".join("%s:%s\n" % (h, " ".join(handler.headers.get(h, "").split()))
                      for h in signed)
    payload = handler.headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    canonical = "\n".join([handler.command, url.path, query, headers, ";".join(signed), payload])
    scope = "/".join(cred[1:])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + SECRET).encode()
    for part in cred[1:]:
        key = _hmac(key, part)
    want = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, fields.get("Signature", "")):
        return False, "signature mismatch"
    if payload != "UNSIGNED-PAYLOAD" and payload != hashlib.sha256(body).hexdigest():
        return False, "payload hash mismatch"
    return True, ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _reply(self, code, body=b"", ctype="application/xml"):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        if body:
            self.send_header("Content-Type", ctype)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, code, what, msg):
        self._reply(code, ("<Error><Code>%s</Code><Message>%s</Message></Error>"
                           % (what, msg)).encode())

    def _object(self):
        path = urlsplit(self.path).path
        prefix = "/" + BUCKET + "/"
        return path[len(prefix):] if path.startswith(prefix) and len(path) > len(prefix) else None

    def _handle(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n) if n else b""
        ok, why = signature_ok(self, body)
        if not ok:
            return self._error(403, "SignatureDoesNotMatch", why)
        name = self._object()
        url = urlsplit(self.path)
        if name is None and self.command == "GET" and url.path in ("/" + BUCKET, "/" + BUCKET + "/"):
            q = dict(parse_qsl(url.query, keep_blank_values=True))
            with LOCK:
                keys = sorted(k for k in OBJECTS if k.startswith(q.get("prefix", "")))
            xml = "<ListBucketResult><Name>%s</Name><KeyCount>%d</KeyCount>%s</ListBucketResult>" % (
                BUCKET, len(keys), "".join("<Contents><Key>%s</Key></Contents>" % k for k in keys))
            return self._reply(200, xml.encode())
        if name is None:
            return self._error(404, "NoSuchBucket", "only /%s/KEY is served" % BUCKET)
        with LOCK:
            if self.command == "PUT":
                OBJECTS[name] = body
                return self._reply(200)
            if self.command == "DELETE":
                OBJECTS.pop(name, None)
                return self._reply(204)
            data = OBJECTS.get(name)
        if data is None:
            return self._error(404, "NoSuchKey", name)
        if self.command == "HEAD":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            return self.end_headers()
        return self._reply(200, data, "application/octet-stream")

    do_GET = do_PUT = do_DELETE = do_HEAD = _handle


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = PORT_FILE + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, PORT_FILE)
    server.serve_forever()


if __name__ == "__main__":
    main()
