#!/usr/bin/env python3
"""Fills a staxhook history with N synthetic deliveries for the `log` benchmark.

    python3 bench/gen_history.py HISTORY.db [ROWS]

The file must already be a staxhook history (bench/run.sh lets staxhook create it with one
real emit, so the schema, indexes and user_version are staxhook's own). Rows are spread
evenly over 50 webhooks (hook00..hook49) x the 5 events (every pair interleaved through
time) and the last 30 days (newest first in
time, oldest ~29.9 days ago, so a 30-day retention prunes none), with 94% delivered,
5% failed and 1% pending, and a ~300-byte body and realistic headers, like real rows.
All of it runs inside SQLite (one INSERT ... SELECT over a recursive CTE).
"""
import sqlite3
import sys
import time

EVENTS = ["scan_complete", "critical_vulnerability", "kev_found", "policy_violation", "sla_breach"]


def main():
    path = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    now_ms = int(time.time() * 1000)
    span_ms = int(29.9 * 86_400_000)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-262144")  # 256 MiB while building the indexes
    events_case = "CASE (c.i / 50) % 5 " + " ".join(
        f"WHEN {n} THEN '{e}'" for n, e in enumerate(EVENTS)
    ) + " END"
    started = time.monotonic()
    connection.execute("BEGIN")
    connection.execute(
        f"""
        WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < :rows)
        INSERT INTO deliveries (delivery_id, created_at, webhook, channel, event, repository,
            test, status, http_status, attempts, duration_ms, error, request_url,
            request_headers, request_body, redelivery_of)
        SELECT
            printf('%08x-0000-4000-8000-%012d', c.i, c.i),
            :oldest + (c.i * :span) / :rows,
            printf('hook%02d', c.i % 50),
            'generic',
            {events_case},
            printf('org%d/repo%d', c.i % 20, c.i % 200),
            0,
            CASE WHEN (c.i / 250) % 100 = 0 THEN 'pending' WHEN (c.i / 250) % 20 = 1 THEN 'failed' ELSE 'delivered' END,
            CASE WHEN (c.i / 250) % 100 = 0 THEN NULL WHEN (c.i / 250) % 20 = 1 THEN 503 ELSE 200 END,
            CASE WHEN (c.i / 250) % 100 = 0 THEN 0 WHEN (c.i / 250) % 20 = 1 THEN 5 ELSE 1 END,
            40 + c.i % 300,
            CASE WHEN (c.i / 250) % 20 = 1 THEN 'gave up after 5 attempts: HTTP 503' END,
            printf('https://siem.example.com/hooks/h%02d', c.i % 50),
            '[["Content-Type","application/json"],["User-Agent","staxhook/0.1.0"],["X-CodeStax-Event","scan_complete"],["X-CodeStax-Signature","sha256=2167abe7e2f29b0fe553a71e153818ef69d5806b55e93a9ecedf2c191d95f5fa"]]',
            printf('{{"event":"scan_complete","timestamp":"2026-01-01T00:00:00Z","repository":"org/repo","data":{{"scan_id":"scan-%d","status":"passed","summary":{{"critical":0,"high":2,"medium":5,"low":9}},"packages_scanned":412,"branch":"main","commit":"4f2a9c1","url":"https://example.com/scans/%d"}}}}', c.i, c.i),
            NULL
        FROM c
        """,
        {"rows": rows, "oldest": now_ms - span_ms, "span": span_ms},
    )
    connection.execute("COMMIT")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    count = connection.execute("SELECT count(*) FROM deliveries").fetchone()[0]
    connection.close()
    print(f"{count} rows in {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
