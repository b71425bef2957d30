-- The hub's store on PostgreSQL, for a chain served by several hub processes at once. The same
-- tables as on SQLite (see migrations/sqlite): ids as text, so both backends read alike.

CREATE TABLE device (
    id            TEXT PRIMARY KEY NOT NULL,
    no            BIGINT NOT NULL UNIQUE,
    shop_name     TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    till          TEXT UNIQUE,
    shop          TEXT,
    event_mark    BIGINT NOT NULL DEFAULT 0,
    change_mark   BIGINT NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    joined_at     TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);

CREATE TABLE shop (
    name  TEXT PRIMARY KEY NOT NULL,
    id    TEXT UNIQUE
);

CREATE TABLE event (
    till         TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    id           TEXT UNIQUE,
    body         TEXT,
    rejected     TEXT,
    received_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (till, seq)
);

CREATE TABLE change (
    till         TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    rejected     TEXT,
    received_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (till, seq)
);

CREATE TABLE record (
    kind     TEXT NOT NULL,
    key      TEXT NOT NULL,
    -- compared byte by byte, as SQLite compares text: the version order is the same everywhere
    version  TEXT COLLATE "C" NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
