-- The hub's store (SQLite, for a small chain; PostgreSQL has the same tables).
-- Ids are UUIDs as text and times RFC 3339 text, the same on both backends.

-- A device is a till's place in the chain: made by `tessera-hub device add` with its token
-- (only the token's SHA-256 is kept), bound to the till's own device id when the till joins.
CREATE TABLE device (
    id            TEXT PRIMARY KEY NOT NULL,
    -- 1, 2, ...: gives the till its member code prefix
    no            INTEGER NOT NULL UNIQUE,
    shop_name     TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    -- the till's device id (the name its events are in), once joined
    till          TEXT UNIQUE,
    shop          TEXT,
    -- how far the hub has this till's two logs: every entry up to these numbers
    event_mark    INTEGER NOT NULL DEFAULT 0,
    change_mark   INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    joined_at     TEXT,
    revoked_at    TEXT
);

-- The chain's shops by the name the admin gave; the id is bound by the shop's first till.
CREATE TABLE shop (
    name  TEXT PRIMARY KEY NOT NULL,
    id    TEXT UNIQUE
);

-- Every till's ledger, entry by entry, gap-free per till. A refused entry keeps its place
-- (no id, no body, the reason) so the till's sequence goes on behind it.
CREATE TABLE event (
    till         TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    id           TEXT UNIQUE,
    body         TEXT,
    rejected     TEXT,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (till, seq)
);

-- Every till's change log: which record each change was about. The record itself is kept
-- once, merged (the version that sorts last), in `record`.
CREATE TABLE change (
    till         TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    rejected     TEXT,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (till, seq)
);

CREATE TABLE record (
    kind     TEXT NOT NULL,
    key      TEXT NOT NULL,
    version  TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
