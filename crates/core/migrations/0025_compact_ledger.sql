-- The ledger in a compact encoding (issue 12, docs/decisions/0036-compact-ledger.md).
--
-- Until now each event repeated five 16-byte ids (its till, shop, staff member, member and
-- program) and a 35-byte text time in its row, and again in the indexes by member, staff and
-- time: about 400 bytes an event with its indexes. Now the table `ledger` names those five with
-- the small integers of `short_id` (which the reports already used for members and programs),
-- keeps its time as integer nanoseconds since 1970 UTC (what the text held, to the nanosecond)
-- and its kind as a small integer. The event's own id, and the rare ids of a void, a merge or a
-- coupon, stay as they were.
--
-- `event` is now a view that reads the ledger back as events (ids, RFC 3339 time, kind by
-- name), so code that reads whole events reads them as before. The writes, and the queries
-- that a punch, a report or the doctor run often or over the whole ledger, use `ledger`.
--
-- Every id an event can name has a short id before the event is written: the tables that bring
-- a shop, a till, a staff member, a program or a member into this store name it as the row
-- arrives (the triggers below), and an event from another till names its ids first
-- (ledger::write). A short id is never deleted or changed, so the view's inner joins lose no
-- event.
--
-- `n` is the event's rowid of before (the order in which this store received its events), so
-- `report_counted.upto` keeps its meaning; as an INTEGER PRIMARY KEY it also survives a VACUUM.
--
-- Kinds: 1 enroll, 2 punch, 3 redeem, 4 void, 5 forgive, 6 charge_back, 7 merge,
-- 8 coupon_redeem (ledger::EventKind::stored).

-- Names for every id the ledger holds, and for the rows that can appear in events later.
INSERT OR IGNORE INTO short_id (id) SELECT id FROM device;
INSERT OR IGNORE INTO short_id (id) SELECT id FROM shop;
INSERT OR IGNORE INTO short_id (id) SELECT id FROM staff;
INSERT OR IGNORE INTO short_id (id) SELECT id FROM program;
INSERT OR IGNORE INTO short_id (id) SELECT id FROM member;
INSERT OR IGNORE INTO short_id (id) SELECT member_id FROM provisional_card;
-- the nil id: the member a voucher's use names when it was given to nobody in particular
INSERT OR IGNORE INTO short_id (id) VALUES (zeroblob(16));
INSERT OR IGNORE INTO short_id (id) SELECT DISTINCT device_id FROM event;
INSERT OR IGNORE INTO short_id (id) SELECT DISTINCT staff_id FROM event;
INSERT OR IGNORE INTO short_id (id) SELECT DISTINCT member_id FROM event;
INSERT OR IGNORE INTO short_id (id)
    SELECT shop_id FROM event UNION SELECT program_id FROM event WHERE program_id IS NOT NULL;

CREATE TRIGGER short_id_for_device AFTER INSERT ON device BEGIN
    INSERT OR IGNORE INTO short_id (id) VALUES (NEW.id);
END;
CREATE TRIGGER short_id_for_shop AFTER INSERT ON shop BEGIN
    INSERT OR IGNORE INTO short_id (id) VALUES (NEW.id);
END;
CREATE TRIGGER short_id_for_staff AFTER INSERT ON staff BEGIN
    INSERT OR IGNORE INTO short_id (id) VALUES (NEW.id);
END;
CREATE TRIGGER short_id_for_program AFTER INSERT ON program BEGIN
    INSERT OR IGNORE INTO short_id (id) VALUES (NEW.id);
END;
CREATE TRIGGER short_id_for_member AFTER INSERT ON member BEGIN
    INSERT OR IGNORE INTO short_id (id) VALUES (NEW.id);
END;
CREATE TRIGGER short_id_for_provisional_card AFTER INSERT ON provisional_card BEGIN
    INSERT OR IGNORE INTO short_id (id) VALUES (NEW.member_id);
END;

CREATE TABLE ledger (
    n            INTEGER PRIMARY KEY,
    id           BLOB NOT NULL UNIQUE,
    device       INTEGER NOT NULL,             -- short_id.n
    seq          INTEGER NOT NULL CHECK (seq >= 1),
    shop         INTEGER NOT NULL,             -- short_id.n
    staff        INTEGER NOT NULL,             -- short_id.n
    at           INTEGER NOT NULL,             -- nanoseconds since 1970-01-01 UTC
    kind         INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 8),
    member       INTEGER NOT NULL,             -- short_id.n
    program      INTEGER,                      -- short_id.n
    amount       INTEGER NOT NULL,
    -- for a void: the event it cancels; for a settlement: the redemption it settles
    voids        BLOB,
    reason       TEXT,
    reason_code  TEXT
        CHECK (reason_code IN ('wrong_member', 'scanned_twice', 'wrong_card', 'other')),
    other_member BLOB,
    card_code    TEXT,
    coupon_id    BLOB,
    UNIQUE (device, seq),
    CHECK ((kind IN (4, 5, 6)) = (voids IS NOT NULL)),
    CHECK ((kind = 7) = (other_member IS NOT NULL)),
    CHECK (kind <> 8 OR coupon_id IS NOT NULL),
    CHECK (coupon_id IS NULL OR kind IN (8, 4, 5))
);

-- The text times were written by chrono as RFC 3339 with 0, 3, 6 or 9 digits of fraction: the
-- fraction starts at the 21st character and runs to the zone (`+`, `-` or `Z`). The seconds
-- are read without it (`unixepoch` would round .9995 up to the next second).
INSERT INTO ledger (n, id, device, seq, shop, staff, at, kind, member, program, amount, voids,
                    reason, reason_code, other_member, card_code, coupon_id)
SELECT e.r, e.id, d.n, e.seq, s.n, st.n,
       CASE WHEN substr(e.at, 20, 1) = '.' THEN
           unixepoch(substr(e.at, 1, 19) || substr(e.at, 21 + e.digits)) * 1000000000
           + CAST(substr(substr(e.at, 21, e.digits) || '000000000', 1, 9) AS INTEGER)
       ELSE unixepoch(e.at) * 1000000000 END,
       CASE e.kind WHEN 'enroll' THEN 1 WHEN 'punch' THEN 2 WHEN 'redeem' THEN 3
                   WHEN 'void' THEN 4 WHEN 'forgive' THEN 5 WHEN 'charge_back' THEN 6
                   WHEN 'merge' THEN 7 WHEN 'coupon_redeem' THEN 8 END,
       m.n, p.n, e.amount, e.voids, e.reason, e.reason_code, e.other_member, e.card_code,
       e.coupon_id
FROM (SELECT rowid AS r, *,
             min(coalesce(nullif(instr(substr(at, 21), '+'), 0), 99),
                 coalesce(nullif(instr(substr(at, 21), '-'), 0), 99),
                 coalesce(nullif(instr(substr(at, 21), 'Z'), 0), 99),
                 length(at) - 19) - 1 AS digits
      FROM event) e
JOIN short_id d ON d.id = e.device_id
JOIN short_id s ON s.id = e.shop_id
JOIN short_id st ON st.id = e.staff_id
JOIN short_id m ON m.id = e.member_id
LEFT JOIN short_id p ON p.id = e.program_id
ORDER BY e.r;

DROP TABLE event;

CREATE INDEX ledger_by_member ON ledger (member, at);
CREATE INDEX ledger_by_staff ON ledger (staff, device, seq);
CREATE INDEX ledger_by_at ON ledger (at);
CREATE INDEX ledger_by_voided ON ledger (voids) WHERE voids IS NOT NULL;
CREATE INDEX ledger_by_other_member ON ledger (other_member) WHERE other_member IS NOT NULL;
CREATE INDEX ledger_overrides ON ledger (at) WHERE kind = 2 AND reason IS NOT NULL;
CREATE INDEX ledger_by_coupon ON ledger (coupon_id) WHERE coupon_id IS NOT NULL;

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- As 0024's, on the till's own device by its short id.
CREATE TRIGGER device_sequence_taken AFTER INSERT ON ledger
WHEN NEW.device = (SELECT s.n FROM device d JOIN short_id s ON s.id = d.id)
 AND NEW.seq >= (SELECT next_seq FROM device)
BEGIN
    UPDATE device SET next_seq = NEW.seq + 1;
END;

-- The ledger read as events. Left joins, though every short id is there: SQLite leaves out a
-- left join on a key whose columns a query does not read, and turns one that a query filters
-- on into an inner join it can start from (`WHERE member_id = ?` reads `short_id` first, then
-- `ledger_by_member`). `at` reads back as RFC 3339 with nine digits of fraction. A query
-- that filters or orders by time or kind uses `at_ns` and `kind_code`, which the indexes of
-- `ledger` serve (`at` and `kind` here are computed for each row).
CREATE VIEW event AS
SELECT l.n AS n, l.id AS id, d.id AS device_id, l.seq AS seq, s.id AS shop_id,
       st.id AS staff_id,
       strftime('%Y-%m-%dT%H:%M:%S', l.at / 1000000000, 'unixepoch')
           || printf('.%09d', l.at % 1000000000) || '+00:00' AS at,
       CASE l.kind WHEN 1 THEN 'enroll' WHEN 2 THEN 'punch' WHEN 3 THEN 'redeem'
                   WHEN 4 THEN 'void' WHEN 5 THEN 'forgive' WHEN 6 THEN 'charge_back'
                   WHEN 7 THEN 'merge' WHEN 8 THEN 'coupon_redeem' END AS kind,
       m.id AS member_id, p.id AS program_id, l.amount AS amount, l.voids AS voids,
       l.reason AS reason, l.reason_code AS reason_code, l.other_member AS other_member,
       l.card_code AS card_code, l.coupon_id AS coupon_id,
       -- as stored, for a filter or an order that an index of `ledger` serves
       l.at AS at_ns, l.kind AS kind_code, l.member AS member_n
FROM ledger l
LEFT JOIN short_id d ON d.n = l.device
LEFT JOIN short_id s ON s.n = l.shop
LEFT JOIN short_id st ON st.n = l.staff
LEFT JOIN short_id m ON m.n = l.member
LEFT JOIN short_id p ON p.n = l.program;

-- The report feed in the ledger's encoding, and its four triggers as in 0023 on `ledger`.
DROP TABLE report_feed;
CREATE TABLE report_feed (
    n        INTEGER PRIMARY KEY,   -- the event's ledger.n
    id       BLOB NOT NULL,
    staff    INTEGER NOT NULL,
    at       INTEGER NOT NULL,
    kind     INTEGER NOT NULL,
    member   INTEGER NOT NULL,
    program  INTEGER,
    amount   INTEGER NOT NULL,
    voids    BLOB,
    reason   TEXT
);

CREATE TRIGGER report_activity_add AFTER INSERT ON report_feed
WHEN NEW.kind IN (1, 2, 3)
 AND NOT EXISTS (SELECT 1 FROM ledger c WHERE c.voids = NEW.id AND c.kind IN (4, 5)
                                          AND c.n < NEW.n)
BEGIN
    INSERT INTO report_activity (slot, member, program, events, punches, rewards, redemptions)
    VALUES (NEW.at / 900000000000, NEW.member, COALESCE(NEW.program, 0), 1,
            CASE NEW.kind WHEN 2 THEN NEW.amount ELSE 0 END,
            CASE NEW.kind WHEN 3 THEN NEW.amount ELSE 0 END,
            NEW.kind = 3)
    ON CONFLICT DO UPDATE SET events = events + 1,
                              punches = punches + excluded.punches,
                              rewards = rewards + excluded.rewards,
                              redemptions = redemptions + excluded.redemptions;
END;

CREATE TRIGGER report_activity_cancel AFTER INSERT ON report_feed
WHEN NEW.kind IN (4, 5)
 AND NOT EXISTS (SELECT 1 FROM ledger c WHERE c.voids = NEW.voids AND c.id <> NEW.id
                                          AND c.kind IN (4, 5) AND c.n < NEW.n)
BEGIN
    UPDATE report_activity
    SET events = events - 1,
        punches = punches - CASE t.kind WHEN 2 THEN t.amount ELSE 0 END,
        rewards = rewards - CASE t.kind WHEN 3 THEN t.amount ELSE 0 END,
        redemptions = redemptions - (t.kind = 3)
    FROM (SELECT kind, amount, at, member, program FROM ledger
          WHERE id = NEW.voids AND kind IN (2, 3) AND n < NEW.n) AS t
    WHERE report_activity.slot = t.at / 900000000000
      AND report_activity.member = t.member AND report_activity.program = t.program;
    DELETE FROM report_activity
    WHERE slot = (SELECT at / 900000000000 FROM ledger WHERE id = NEW.voids AND n < NEW.n)
      AND events = 0;
END;

CREATE TRIGGER report_staff_day_add AFTER INSERT ON report_feed
WHEN (SELECT zone FROM report_calendar) IS NOT NULL AND NEW.kind IN (1, 2, 3, 4)
BEGIN
    INSERT INTO report_staff_day
        (day, staff, enrolments, punches, redemptions, voids, overrides, cancelled)
    VALUES (((NEW.at / 900000000000) * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= (NEW.at / 900000000000) ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440,
            (SELECT id FROM short_id WHERE n = NEW.staff),
            NEW.kind = 1, NEW.kind = 2, NEW.kind = 3, NEW.kind = 4,
            NEW.kind = 2 AND NEW.reason IS NOT NULL,
            NEW.kind IN (2, 3)
                AND EXISTS (SELECT 1 FROM ledger c WHERE c.voids = NEW.id AND c.kind IN (4, 5)
                                                     AND c.n < NEW.n))
    ON CONFLICT DO UPDATE SET enrolments = enrolments + excluded.enrolments,
                              punches = punches + excluded.punches,
                              redemptions = redemptions + excluded.redemptions,
                              voids = voids + excluded.voids,
                              overrides = overrides + excluded.overrides,
                              cancelled = cancelled + excluded.cancelled;
END;

CREATE TRIGGER report_staff_day_cancel AFTER INSERT ON report_feed
WHEN (SELECT zone FROM report_calendar) IS NOT NULL AND NEW.kind IN (4, 5)
 AND NOT EXISTS (SELECT 1 FROM ledger c WHERE c.voids = NEW.voids AND c.id <> NEW.id
                                          AND c.kind IN (4, 5) AND c.n < NEW.n)
BEGIN
    UPDATE report_staff_day SET cancelled = cancelled + 1
    FROM (SELECT (SELECT id FROM short_id WHERE n = l.staff) AS staff_id, l.at FROM ledger l
          WHERE l.id = NEW.voids AND l.kind IN (2, 3) AND l.n < NEW.n) AS t
    WHERE day = ((t.at / 900000000000) * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= (t.at / 900000000000) ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440
      AND staff = t.staff_id;
END;
