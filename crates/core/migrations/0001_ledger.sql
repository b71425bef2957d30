-- Tessera's till store: the shop, its staff and programs, members, and the append-only ledger.
-- Ids are UUIDv7 stored as 16-byte BLOBs; times are UTC RFC 3339 text.
-- Sized for a chain of 1,000,000 members and 20,000,000 events: every cashier action is a few
-- indexed lookups (member by code, cards by member), never a scan of the ledger.

-- This till. One row. `next_seq` makes the per-device sequence gap-free: it is read and bumped
-- in the same write transaction that appends the event.
CREATE TABLE device (
    id          BLOB PRIMARY KEY NOT NULL,
    next_seq    INTEGER NOT NULL DEFAULT 1 CHECK (next_seq >= 1),
    created_at  TEXT NOT NULL
);

CREATE TABLE shop (
    id          BLOB PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    language    TEXT NOT NULL,
    currency    TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE staff (
    id          BLOB PRIMARY KEY NOT NULL,
    shop_id     BLOB NOT NULL REFERENCES shop (id),
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('manager', 'cashier')),
    -- Argon2id PHC string; the PIN itself is never stored.
    pin_hash    TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX staff_by_name ON staff (shop_id, name COLLATE NOCASE);

-- A punch card. `punches_needed` never changes once the program exists: a card's state is
-- derived from its punches and the program's count, so changing it would rewrite history.
CREATE TABLE program (
    id              BLOB PRIMARY KEY NOT NULL,
    shop_id         BLOB NOT NULL REFERENCES shop (id),
    name            TEXT NOT NULL,
    punches_needed  INTEGER NOT NULL CHECK (punches_needed BETWEEN 1 AND 100),
    reward          TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL
);

-- Personal data lives here, apart from the ledger, so that erasure can blank it and keep the
-- anonymous events. `email` is stored lower-case and `phone_digits` holds only the digits, so
-- both are searched by indexed prefix ranges.
CREATE TABLE member (
    id            BLOB PRIMARY KEY NOT NULL,
    code          TEXT NOT NULL UNIQUE,
    shop_id       BLOB NOT NULL,
    name          TEXT NOT NULL,
    email         TEXT,
    phone         TEXT,
    phone_digits  TEXT,
    language      TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX member_by_email ON member (email) WHERE email IS NOT NULL;
CREATE INDEX member_by_phone ON member (phone_digits) WHERE phone_digits IS NOT NULL;

-- Word-prefix search on names, accent-insensitive ("dub" finds "Dubois", "sz" finds "Szabó").
CREATE VIRTUAL TABLE member_name_search USING fts5 (
    name,
    content = 'member',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
CREATE TRIGGER member_search_insert AFTER INSERT ON member BEGIN
    INSERT INTO member_name_search (rowid, name) VALUES (new.rowid, new.name);
END;
CREATE TRIGGER member_search_delete AFTER DELETE ON member BEGIN
    INSERT INTO member_name_search (member_name_search, rowid, name) VALUES ('delete', old.rowid, old.name);
END;
CREATE TRIGGER member_search_update AFTER UPDATE OF name ON member BEGIN
    INSERT INTO member_name_search (member_name_search, rowid, name) VALUES ('delete', old.rowid, old.name);
    INSERT INTO member_name_search (rowid, name) VALUES (new.rowid, new.name);
END;

-- The ledger. Append-only: the triggers below refuse any UPDATE or DELETE.
-- member_id has no foreign key on purpose: with sync, events of a member enrolled in another
-- shop may arrive before the member's row.
CREATE TABLE event (
    id          BLOB PRIMARY KEY NOT NULL,
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    shop_id     BLOB NOT NULL,
    staff_id    BLOB NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('enroll', 'punch', 'redeem', 'void')),
    member_id   BLOB NOT NULL,
    program_id  BLOB,
    amount      INTEGER NOT NULL,
    -- for a void: the event it cancels, and why
    voids       BLOB,
    reason      TEXT,
    UNIQUE (device_id, seq),
    CHECK ((kind = 'void') = (voids IS NOT NULL))
);
CREATE INDEX event_by_member ON event (member_id, at);
CREATE INDEX event_by_voided ON event (voids) WHERE voids IS NOT NULL;

CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- Materialised card balances, updated in the same transaction as the event that changes them
-- and rebuildable from the ledger (`tessera doctor --rebuild`). Totals, not "current stamps":
-- totals are sums over the set of events, so they do not depend on arrival order.
CREATE TABLE card (
    member_id       BLOB NOT NULL,
    program_id      BLOB NOT NULL REFERENCES program (id),
    punches_total   INTEGER NOT NULL DEFAULT 0,
    redeemed_total  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (member_id, program_id)
) WITHOUT ROWID;

-- This till's own preferences (its display language...).
CREATE TABLE setting (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
) WITHOUT ROWID;
