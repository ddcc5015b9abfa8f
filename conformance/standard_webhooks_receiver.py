#!/usr/bin/env python3
"""A loopback webhook receiver that checks every request with the Standard Webhooks reference
library (PyPI `standardwebhooks`), as any receiver built on it would.

Each POST is verified with `standardwebhooks.Webhook(SECRET).verify(raw_body, headers)`:
204 when it is valid, 401 when it is not. One line per request goes to stdout, written before
the response is sent (so it is there when staxhook returns):

    valid id=<webhook-id> event=<X-CodeStax-Event> signatures=<N>
    invalid id=<webhook-id> event=<X-CodeStax-Event> signatures=<N>: <why>

The secret (`whsec_…`) comes from the environment variable STANDARD_WEBHOOKS_SECRET, so it
never shows in a process list. The first line printed is `port=<PORT>`.

Usage: STANDARD_WEBHOOKS_SECRET=whsec_… standard_webhooks_receiver.py [PORT]
       (PORT 0, the default, picks a free one; it listens on 127.0.0.1 only)
"""

import http.server
import os
import sys

import standardwebhooks


def log(line):
    print(line, flush=True)


class Handler(http.server.BaseHTTPRequestHandler):
    webhook = None  # set in main()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or "0")
        body = self.rfile.read(length)
        headers = {name: value for name, value in self.headers.items()}
        lowered = {name.lower(): value for name, value in headers.items()}
        signatures = len(lowered.get("webhook-signature", "").split())
        what = (
            f"id={lowered.get('webhook-id', '-')} "
            f"event={lowered.get('x-codestax-event', '-')} signatures={signatures}"
        )
        try:
            self.webhook.verify(body, headers)
        except standardwebhooks.WebhookVerificationError as error:
            self.answer(401, f"invalid {what}: {error}")
        except Exception as error:  # a malformed header makes the library raise other errors
            self.answer(401, f"invalid {what}: {type(error).__name__}: {error}")
        else:
            self.answer(204, f"valid {what}")

    def answer(self, status, line):
        log(line)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):  # the one line per request above is the log
        pass


def main():
    secret = os.environ.get("STANDARD_WEBHOOKS_SECRET", "")
    if not secret.startswith("whsec_"):
        print("receiver: set STANDARD_WEBHOOKS_SECRET to a whsec_ secret", file=sys.stderr)
        return 2
    Handler.webhook = standardwebhooks.Webhook(secret)
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    log(f"port={server.server_port}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
