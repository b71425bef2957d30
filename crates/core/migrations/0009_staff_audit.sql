-- The manager's side, part one (docs/decisions/0017-staff-and-audit.md).
--
-- audit: what a manager must be able to look back on besides the ledger's own voids and
-- settlements: failed PINs, locks lifted, staff changes, backups and restores, members'
-- data exported or erased. Append-only like the ledger. It stays on the till that wrote it
-- (it is about this till: who tried a PIN here), and it never holds a member's or a typed
-- name's personal data: a member is named by id, a name nobody has is "unknown".
-- The kind is checked by the code (`audit::AuditKind`), not by a CHECK, so that a new kind
-- does not need the table rebuilt.
CREATE TABLE audit (
    id         BLOB PRIMARY KEY NOT NULL,  -- UUIDv7: time-ordered
    at         TEXT NOT NULL,
    staff_id   BLOB,                       -- who did it; NULL when nobody was signed in
    kind       TEXT NOT NULL,
    subject    TEXT,                       -- what it is about: a staff, member or program id, a file
    detail     TEXT                        -- a reason, or what changed
);
CREATE INDEX audit_by_time ON audit (at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- Wrong PINs, counted per name typed (the same for a name nobody has, so that the answers do
-- not tell staff names apart) and for the till as a whole ('*till*'). After a few failures
-- each further one makes the next attempt wait longer; a name is locked after more, until a
-- manager lifts it. A right PIN clears the name's and the till's count, never a lock.
CREATE TABLE sign_in_guard (
    key         TEXT PRIMARY KEY NOT NULL,  -- '*till*', or the name as typed, normalised, lower case
    failures    INTEGER NOT NULL,
    wait_until  TEXT,
    locked_at   TEXT
) WITHOUT ROWID;
