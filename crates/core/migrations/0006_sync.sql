-- Sync with the chain's hub (docs/decisions/0014-sync.md).
--
-- Two logs per till go to the hub, each with its own gap-free sequence: the ledger (`event`,
-- `device.next_seq`) and the change log below, which says which shared record (shop, staff,
-- program, member, card, chain key) this till created or changed. A change carries no data:
-- the record's current row is sent, with its version, and every replica keeps the version
-- that sorts last. Personal data therefore exists once per replica, in `member`, where
-- erasure can blank it.

-- A record's version: when it last changed, where, and that till's change number, so that
-- versions sort in time, two tills never make the same one, and one till's are strictly
-- increasing. '' marks a row this till has just written (the triggers below stamp it); a row
-- received from the hub arrives with its version and is not logged again.
ALTER TABLE shop ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE member ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE chain_key ADD COLUMN version TEXT NOT NULL DEFAULT '';

-- Records arrive in any order across tills (a card reissued in one shop may come before its
-- member, enrolled in another; punches before their program): the tables a till shares lose
-- their foreign keys, and every reader already tolerates a missing parent (a card whose member
-- has not arrived yet is "new to this shop"). Rebuilt children first, the SQLite way.
CREATE TABLE card_new (
    member_id       BLOB NOT NULL,
    program_id      BLOB NOT NULL,
    punches_total   INTEGER NOT NULL DEFAULT 0,
    redeemed_total  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (member_id, program_id)
) WITHOUT ROWID;
INSERT INTO card_new (member_id, program_id, punches_total, redeemed_total)
    SELECT member_id, program_id, punches_total, redeemed_total FROM card;
DROP TABLE card;
ALTER TABLE card_new RENAME TO card;

CREATE TABLE member_card_new (
    code         TEXT PRIMARY KEY NOT NULL,
    member_id    BLOB NOT NULL,
    issued_at    TEXT NOT NULL,
    revoked_at   TEXT,
    replaced_by  TEXT,
    version      TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
INSERT INTO member_card_new (code, member_id, issued_at, revoked_at, replaced_by)
    SELECT code, member_id, issued_at, revoked_at, replaced_by FROM member_card;
DROP TABLE member_card;
ALTER TABLE member_card_new RENAME TO member_card;
CREATE INDEX member_card_by_member ON member_card (member_id);

CREATE TABLE staff_new (
    id          BLOB PRIMARY KEY NOT NULL,
    shop_id     BLOB NOT NULL,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('manager', 'cashier')),
    pin_hash    TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    version     TEXT NOT NULL DEFAULT ''
);
INSERT INTO staff_new (id, shop_id, name, role, pin_hash, active, created_at)
    SELECT id, shop_id, name, role, pin_hash, active, created_at FROM staff;
DROP TABLE staff;
ALTER TABLE staff_new RENAME TO staff;
CREATE UNIQUE INDEX staff_by_name ON staff (shop_id, name COLLATE NOCASE);

CREATE TABLE program_new (
    id              BLOB PRIMARY KEY NOT NULL,
    shop_id         BLOB NOT NULL,
    name            TEXT NOT NULL,
    punches_needed  INTEGER NOT NULL CHECK (punches_needed BETWEEN 1 AND 100),
    reward          TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    version         TEXT NOT NULL DEFAULT ''
);
INSERT INTO program_new (id, shop_id, name, punches_needed, reward, active, created_at)
    SELECT id, shop_id, name, punches_needed, reward, active, created_at FROM program;
DROP TABLE program;
ALTER TABLE program_new RENAME TO program;
CREATE INDEX program_by_shop ON program (shop_id);

-- This till's change log. `seq` is the rowid: rows are never deleted, so it has no gaps.
CREATE TABLE change (
    seq         INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL
                CHECK (kind IN ('shop', 'staff', 'program', 'member', 'card', 'chain_key')),
    -- the record's id (a 16-byte UUID), or a card's code
    record_key  BLOB NOT NULL,
    at          TEXT NOT NULL
);
CREATE TRIGGER change_no_update BEFORE UPDATE ON change BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;
CREATE TRIGGER change_no_delete BEFORE DELETE ON change BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;

-- The version the newest change stands for.
CREATE VIEW newest_change_version AS
SELECT strftime('%Y-%m-%dT%H:%M:%fZ', c.at) || '/' || coalesce((SELECT lower(hex(id)) FROM device), '')
       || '/' || printf('%012d', c.seq) AS version
FROM change c WHERE c.seq = (SELECT max(seq) FROM change);

-- What this till had before it could sync goes up when it joins: one change per row, oldest
-- first, each row stamped with its version.
INSERT INTO change (kind, record_key, at) SELECT 'shop', id, created_at FROM shop ORDER BY created_at, id;
INSERT INTO change (kind, record_key, at) SELECT 'chain_key', id, created_at FROM chain_key ORDER BY created_at, id;
INSERT INTO change (kind, record_key, at) SELECT 'staff', id, created_at FROM staff ORDER BY created_at, id;
INSERT INTO change (kind, record_key, at) SELECT 'program', id, created_at FROM program ORDER BY created_at, id;
INSERT INTO change (kind, record_key, at) SELECT 'member', id, created_at FROM member ORDER BY created_at, id;
INSERT INTO change (kind, record_key, at)
    SELECT 'card', code, coalesce(revoked_at, issued_at) FROM member_card ORDER BY issued_at, code;

CREATE VIEW change_version AS
SELECT c.kind, c.record_key,
       strftime('%Y-%m-%dT%H:%M:%fZ', c.at) || '/' || coalesce((SELECT lower(hex(id)) FROM device), '')
       || '/' || printf('%012d', c.seq) AS version
FROM change c;
UPDATE shop SET version = (SELECT version FROM change_version WHERE kind = 'shop' AND record_key = shop.id);
UPDATE chain_key SET version = (SELECT version FROM change_version WHERE kind = 'chain_key' AND record_key = chain_key.id);
UPDATE staff SET version = (SELECT version FROM change_version WHERE kind = 'staff' AND record_key = staff.id);
UPDATE program SET version = (SELECT version FROM change_version WHERE kind = 'program' AND record_key = program.id);
UPDATE member SET version = (SELECT version FROM change_version WHERE kind = 'member' AND record_key = member.id);
UPDATE member_card SET version = (SELECT version FROM change_version WHERE kind = 'card' AND record_key = member_card.code);
DROP VIEW change_version;

-- From now on every local write of a shared record is logged and stamped, whichever code path
-- made it: a new row (version '') or a change to what the record says (version untouched).
-- Writes of derived columns (phone_tail...) are not changes.
CREATE TRIGGER shop_created AFTER INSERT ON shop WHEN new.version = '' BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('shop', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE shop SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
CREATE TRIGGER shop_changed AFTER UPDATE OF name, language, currency ON shop
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('shop', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE shop SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;

CREATE TRIGGER chain_key_created AFTER INSERT ON chain_key WHEN new.version = '' BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('chain_key', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE chain_key SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;

CREATE TRIGGER staff_created AFTER INSERT ON staff WHEN new.version = '' BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('staff', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE staff SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
CREATE TRIGGER staff_changed AFTER UPDATE OF name, role, pin_hash, active ON staff
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('staff', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE staff SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;

CREATE TRIGGER program_created AFTER INSERT ON program WHEN new.version = '' BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('program', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE program SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
CREATE TRIGGER program_changed AFTER UPDATE OF name, reward, active ON program
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('program', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE program SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;

CREATE TRIGGER member_created AFTER INSERT ON member WHEN new.version = '' BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('member', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE member SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
CREATE TRIGGER member_changed AFTER UPDATE OF code, name, email, phone, language ON member
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('member', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE member SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;

CREATE TRIGGER card_created AFTER INSERT ON member_card WHEN new.version = '' BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('card', new.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE member_card SET version = (SELECT version FROM newest_change_version) WHERE code = new.code;
END;
CREATE TRIGGER card_changed AFTER UPDATE OF revoked_at, replaced_by ON member_card
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('card', new.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE member_card SET version = (SELECT version FROM newest_change_version) WHERE code = new.code;
END;

-- The hub this till syncs with, once it has joined a chain. One row. The token is the till's
-- own credential (the hub keeps only its hash); `code_prefix` is this till's share of the
-- member code space, so codes made here never collide with another till's.
CREATE TABLE sync_hub (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    url             TEXT NOT NULL,
    token           TEXT NOT NULL,
    -- PEM of a certificate to trust for this hub (a self-signed one), if any
    trust_pem       TEXT,
    device_no       INTEGER NOT NULL,
    code_prefix     TEXT NOT NULL,
    joined_at       TEXT NOT NULL,
    last_sync_at    TEXT,
    last_error      TEXT
);

-- How far each device's logs are known here: for other tills, what was pulled; for this
-- till, what the hub has acknowledged. Pulls resume past these marks.
CREATE TABLE sync_mark (
    device_id   BLOB NOT NULL,
    log         TEXT NOT NULL CHECK (log IN ('event', 'change')),
    seq         INTEGER NOT NULL CHECK (seq >= 0),
    PRIMARY KEY (device_id, log)
) WITHOUT ROWID;

-- What the hub refused of this till's logs, and why: shown to a manager; the queue behind a
-- refusal goes on.
CREATE TABLE sync_rejection (
    log         TEXT NOT NULL CHECK (log IN ('event', 'change')),
    seq         INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (log, seq)
) WITHOUT ROWID;

-- Two members under one code: possible only for codes made before their tills joined the
-- chain (after joining, each till draws from its own prefix). The member who arrives second
-- is kept here, whole, until a manager settles it; never silently dropped or merged.
CREATE TABLE code_clash (
    code        TEXT NOT NULL,
    member_id   BLOB NOT NULL,
    -- the member as the hub sent it (wire JSON)
    record      TEXT NOT NULL,
    found_at    TEXT NOT NULL,
    PRIMARY KEY (code, member_id)
) WITHOUT ROWID;
