#!/usr/bin/env python3
"""Loopback HTTP endpoint for bench/run.sh: answers every POST with 200 "ok", optionally
after a delay, and can save the last request (headers and raw body) for the curl reference.

    python3 bench/server.py --port-file FILE [--delay-ms 200] [--save-dir DIR]

Binds 127.0.0.1 on a free port and writes the port to FILE once listening. Threaded, so
slow answers overlap (50 webhooks x 200 ms is one 200 ms wait, not ten seconds).
"""
import argparse
import json
import os
import socketserver
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
    b"Connection: close\r\n\r\nok"
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per response and no Nagle: otherwise headers and body go out as two small
    # segments and the second waits for a delayed ACK (40 ms), which would be charged to
    # the client under test.
    disable_nagle_algorithm = True
    delay = 0.0
    save_dir = None

    def do_POST(self):  # noqa: N802 (the stdlib's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.delay:
            time.sleep(self.delay)
        if self.save_dir:
            with open(os.path.join(self.save_dir, "last_body"), "wb") as out:
                out.write(body)
            with open(os.path.join(self.save_dir, "last_headers.json"), "w") as out:
                json.dump(list(self.headers.items()), out)
        self.wfile.write(RESPONSE)
        self.close_connection = True

    def log_message(self, *args):  # quiet: the benchmark prints its own table
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--save-dir")
    args = parser.parse_args()
    Handler.delay = args.delay_ms / 1000.0
    Handler.save_dir = args.save_dir
    server = Server(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as out:
        out.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
