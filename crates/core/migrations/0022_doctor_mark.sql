-- What the last sound `tessera doctor` vouched for (docs/decisions/0034-doctor-since-its-mark.md,
-- issue 12): every event of each device up to `seq` had been replayed and counted, and every
-- table kept from the ledger agreed with it. The next doctor asks its questions only of what the
-- events past the mark can have changed: a minute on a store of a million members, where asking
-- them of the whole ledger takes ten. `doctor --full` asks them of everything.
--
-- Local to this file: it never syncs (another till's doctor vouches for nothing here). Anything
-- that rewrites a table kept from the ledger other than through a new event (a rebuild, the day
-- tables counted in a new zone, a migration) deletes the mark, so that the next doctor looks at
-- everything again.
CREATE TABLE doctor_mark (
    device_id BLOB PRIMARY KEY NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq >= 1)
);

-- One row once a doctor has found the store sound.
CREATE TABLE doctor_check (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    -- when the last sound check ended, and the last sound check of everything
    at       TEXT NOT NULL,
    full_at  TEXT NOT NULL,
    -- `cache_stamp.programs` then: a program changed since (its stamps needed, which every
    -- card's days show) sends the next doctor back to everything
    programs INTEGER NOT NULL
);
