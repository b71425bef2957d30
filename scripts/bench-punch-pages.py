#!/usr/bin/env python3
"""Where a durable punch's time goes: the pages its commit writes (docs/performance.md).

Copies a bench store (target/bench/bench-small.db by default, made by `make bench`), then times
300 punches done as the core does them (the device's sequence, the event, the card), each in
its own synchronous=FULL transaction, with Python's own SQLite and no sqlx in between, and
counts the WAL frames (pages) each commit adds: with everything, with the report day tables
paused, without the ledger's report triggers, and without the event's secondary indexes.
(Since migration 0023 the report tables are counted in batches after the commit, so a store
upgraded to it has no report trigger on `event` and the first three lines agree.)
Destructive on the copy only.
"""
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid

source = sys.argv[1] if len(sys.argv) > 1 else "target/bench/bench-small.db"
work = tempfile.mkdtemp()
db = os.path.join(work, "copy.db")
shutil.copy(source, db)
c = sqlite3.connect(db, isolation_level=None)
c.execute("PRAGMA journal_mode=WAL")
c.execute("PRAGMA synchronous=FULL")
c.execute("PRAGMA wal_autocheckpoint=0")  # the WAL's growth is the count of pages written
staff = c.execute("SELECT id FROM staff LIMIT 1").fetchone()[0]
program = c.execute("SELECT id FROM program WHERE active = 1 LIMIT 1").fetchone()[0]
members = [r[0] for r in c.execute("SELECT id FROM member ORDER BY random() LIMIT 400")]
page = c.execute("PRAGMA page_size").fetchone()[0]


def punch(member):
    c.execute("BEGIN IMMEDIATE")
    device, seq, shop = c.execute(
        "UPDATE device SET next_seq = next_seq + 1 RETURNING id, next_seq - 1, shop_id"
    ).fetchone()
    c.execute(
        """INSERT INTO event (id, device_id, seq, shop_id, staff_id, at, kind, member_id,
                              program_id, amount)
           VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'punch', ?, ?, 1)""",
        (uuid.uuid4().bytes, device, seq, shop, staff, member, program),
    )
    c.execute(
        """INSERT INTO card (member_id, program_id, punches_total, redeemed_total)
           VALUES (?, ?, 1, 0)
           ON CONFLICT (member_id, program_id) DO UPDATE SET punches_total = punches_total + 1""",
        (member, program),
    )
    c.execute("COMMIT")


def run(label, n=300):
    wal = db + "-wal"
    before = os.path.getsize(wal) if os.path.exists(wal) else 0
    started = time.perf_counter()
    for i in range(n):
        punch(members[i % len(members)])
    took = time.perf_counter() - started
    frames = (os.path.getsize(wal) - before) / n / (page + 24)
    print(f"{label:<40} {n / took:6.0f} /s  {took / n * 1000:.2f} ms  {frames:4.1f} pages a punch")


run("as the store is")
c.execute("UPDATE report_calendar SET zone = NULL")  # the day tables' triggers stand down
run("report day tables paused")
for (name,) in c.execute(
    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'"
).fetchall():
    c.execute(f"DROP TRIGGER {name}")
run("no triggers on event")
for (name,) in c.execute(
    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event' AND sql IS NOT NULL"
).fetchall():
    c.execute(f"DROP INDEX {name}")
run("no secondary index on event")
c.close()
shutil.rmtree(work)
