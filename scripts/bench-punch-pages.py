#!/usr/bin/env python3
"""Where a durable punch's time goes: the pages its commit writes (docs/performance.md).

Copies a bench store (target/bench/bench-small.db by default, made by `make bench`), then times
300 punches done as the core does them (the device's sequence, the event, the card), each in
its own synchronous=FULL transaction, with Python's own SQLite and no sqlx in between, and
counts the WAL frames (pages) each commit adds: with everything, with the report day tables
paused, and without the ledger's secondary indexes.
(Since migration 0023 the report tables are counted in batches after the commit, so the ledger
has no report trigger left and the first two lines agree; since 0025 the ledger is the table
`ledger`, in its compact encoding.)
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
    # The event with the till's next number (the trigger of migration 0024 moves it on), in
    # the ledger's encoding of migration 0025.
    c.execute(
        """INSERT INTO ledger (id, device, seq, shop, staff, at, kind, member, program, amount)
           SELECT ?, sd.n, d.next_seq, ss.n, (SELECT n FROM short_id WHERE id = ?), ?, 2,
                  (SELECT n FROM short_id WHERE id = ?), (SELECT n FROM short_id WHERE id = ?), 1
           FROM device d JOIN short_id sd ON sd.id = d.id JOIN short_id ss ON ss.id = d.shop_id""",
        (uuid.uuid4().bytes, staff, time.time_ns(), member, program),
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
    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger' AND sql IS NOT NULL"
).fetchall():
    c.execute(f"DROP INDEX {name}")
run("no secondary index on the ledger")
c.close()
shutil.rmtree(work)
