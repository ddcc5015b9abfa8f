#!/usr/bin/env python3
"""A tiny loopback webhook receiver for trying staxhook: prints each request and checks its
X-CodeStax-Signature with the secret given in STAXHOOK_SECRET (if set).

Usage: python3 examples/receiver.py [PORT]   (port 0 picks a free one; the real port is printed)
"""
import hashlib
import hmac
import http.server
import json
import os
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        secret = os.environ.get("STAXHOOK_SECRET", "")
        header = self.headers.get("X-CodeStax-Signature", "")
        if not header:
            verdict = "unsigned"
        elif not secret:
            verdict = "signed (set STAXHOOK_SECRET to check it)"
        else:
            expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            valid = any(hmac.compare_digest(expected, part) for part in header.split())
            verdict = "signature valid" if valid else "signature INVALID"
        event = self.headers.get("X-CodeStax-Event", "?")
        delivery = self.headers.get("X-CodeStax-Delivery", "?")
        print(f"received {event} (delivery {delivery}): {verdict}", flush=True)
        try:
            print(json.dumps(json.loads(body), indent=2), flush=True)
        except ValueError:
            print(body.decode("utf-8", "replace"), flush=True)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8787
    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    print(f"listening on http://127.0.0.1:{server.server_port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
