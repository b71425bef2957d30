-- Coupons (docs/decisions/0029-coupons.md): a voucher good for one use, signed like a card
-- (`TC1` tokens under the chain keys), issued on a till and known to every till by sync.
--
-- The coupon itself is a shared record (last version wins, like a member): its terms never
-- change once issued; only `withdrawn_at` may be set later. Its use is a ledger event,
-- `coupon_redeem`, so that two shops that each took the same coupon while apart both keep
-- their use, and sync shows the second one to a manager (the conflict queue), as it does for
-- a reward given twice. Undoing a use is a `void` naming it, and carries its coupon too.
--
-- kind        'free_item' (value: how many), 'amount_off' (value: cents of the shop's
--             currency), 'percent_off' (value: 1 to 100)
-- only_here   1: good only in the issuing shop `shop_id`; 0: in every shop of the chain
-- member_id   the member it was given to (shown at their next scan), or none: a printed
--             voucher, good for whoever brings it
-- expires_on  the last day it is good for (YYYY-MM-DD, in the shop's time zone), or none
-- token       what its QR code holds, as issued (the key it was signed with may be retired later)
CREATE TABLE coupon (
    id            BLOB PRIMARY KEY NOT NULL,
    token         TEXT NOT NULL UNIQUE,
    shop_id       BLOB NOT NULL,
    only_here     INTEGER NOT NULL CHECK (only_here IN (0, 1)),
    kind          TEXT NOT NULL CHECK (kind IN ('free_item', 'amount_off', 'percent_off')),
    value         INTEGER NOT NULL CHECK (value >= 1),
    text          TEXT NOT NULL,
    member_id     BLOB,
    expires_on    TEXT,
    issued_at     TEXT NOT NULL,
    issued_by     BLOB NOT NULL,
    withdrawn_at  TEXT,
    version       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX coupon_by_member ON coupon (member_id) WHERE member_id IS NOT NULL;

-- The change log's kind list was a CHECK, which SQLite cannot alter: the table is rebuilt, and
-- without the list this time. Only the record triggers write to the change log, each naming its
-- own kind, and a till sends only the kinds `sync::records` can read; a list here would cost a
-- rebuild for every kind of record to come (complaints, surveys...), for nothing. The triggers
-- and the view that name `change` keep naming it: with the legacy rename, SQLite leaves them as
-- they are instead of checking them against a table that is, for a moment, gone.
PRAGMA legacy_alter_table = ON;
DROP TRIGGER change_no_update;
DROP TRIGGER change_no_delete;
CREATE TABLE change_new (
    seq         INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    -- the record's id (a 16-byte UUID), or a card's code
    record_key  BLOB NOT NULL,
    at          TEXT NOT NULL
);
INSERT INTO change_new (seq, kind, record_key, at) SELECT seq, kind, record_key, at FROM change;
DROP TABLE change;
ALTER TABLE change_new RENAME TO change;
CREATE TRIGGER change_no_update BEFORE UPDATE ON change BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;
CREATE TRIGGER change_no_delete BEFORE DELETE ON change BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;

CREATE TRIGGER coupon_created AFTER INSERT ON coupon WHEN new.version = '' BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('coupon', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE coupon SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
CREATE TRIGGER coupon_changed AFTER UPDATE OF withdrawn_at ON coupon
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('coupon', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE coupon SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;

-- The ledger, rebuilt the same way for the kind `coupon_redeem` and the column `coupon_id`
-- (the coupon used, on its use and on a void or settlement of it). Its indexes and the
-- report triggers (0014, 0015) are made again as they were; the copy runs before them, so the
-- report tables, which already count these events, are not counted twice.
DROP TRIGGER event_no_update;
DROP TRIGGER event_no_delete;
CREATE TABLE event_new (
    id          BLOB PRIMARY KEY NOT NULL,
    device_id   BLOB NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    shop_id     BLOB NOT NULL,
    staff_id    BLOB NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL
                CHECK (kind IN ('enroll', 'punch', 'redeem', 'void', 'forgive', 'charge_back',
                                'merge', 'coupon_redeem')),
    member_id   BLOB NOT NULL,
    program_id  BLOB,
    amount      INTEGER NOT NULL,
    -- for a void: the event it cancels; for a settlement: the redemption it settles
    voids       BLOB,
    reason      TEXT,
    reason_code TEXT
        CHECK (reason_code IN ('wrong_member', 'scanned_twice', 'wrong_card', 'other')),
    other_member BLOB,
    card_code   TEXT,
    coupon_id   BLOB,
    UNIQUE (device_id, seq),
    CHECK ((kind IN ('void', 'forgive', 'charge_back')) = (voids IS NOT NULL)),
    CHECK ((kind = 'merge') = (other_member IS NOT NULL)),
    CHECK (kind <> 'coupon_redeem' OR coupon_id IS NOT NULL),
    CHECK (coupon_id IS NULL OR kind IN ('coupon_redeem', 'void', 'forgive'))
);
INSERT INTO event_new (id, device_id, seq, shop_id, staff_id, at, kind, member_id, program_id,
                       amount, voids, reason, reason_code, other_member, card_code)
    SELECT id, device_id, seq, shop_id, staff_id, at, kind, member_id, program_id,
           amount, voids, reason, reason_code, other_member, card_code FROM event;
DROP TABLE event;
ALTER TABLE event_new RENAME TO event;
PRAGMA legacy_alter_table = OFF;

CREATE INDEX event_by_member ON event (member_id, at);
CREATE INDEX event_by_voided ON event (voids) WHERE voids IS NOT NULL;
CREATE INDEX event_by_staff ON event (staff_id, device_id, seq);
CREATE INDEX event_by_other_member ON event (other_member) WHERE other_member IS NOT NULL;
CREATE INDEX event_overrides ON event (at) WHERE kind = 'punch' AND reason IS NOT NULL;
CREATE INDEX event_by_at ON event (at);
CREATE INDEX event_by_coupon ON event (coupon_id) WHERE coupon_id IS NOT NULL;
CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- As in 0014 and 0015.
CREATE TRIGGER report_activity_add AFTER INSERT ON event
WHEN NEW.kind IN ('enroll', 'punch', 'redeem')
 AND NOT EXISTS (SELECT 1 FROM event c WHERE c.voids = NEW.id AND c.kind IN ('void', 'forgive'))
BEGIN
    INSERT OR IGNORE INTO short_id (id) VALUES (NEW.member_id);
    INSERT OR IGNORE INTO short_id (id) SELECT NEW.program_id WHERE NEW.program_id IS NOT NULL;
    INSERT INTO report_activity (slot, member, program, events, punches, rewards, redemptions)
    VALUES (unixepoch(NEW.at) / 900,
            (SELECT n FROM short_id WHERE id = NEW.member_id),
            COALESCE((SELECT n FROM short_id WHERE id = NEW.program_id), 0),
            1,
            CASE NEW.kind WHEN 'punch' THEN NEW.amount ELSE 0 END,
            CASE NEW.kind WHEN 'redeem' THEN NEW.amount ELSE 0 END,
            NEW.kind = 'redeem')
    ON CONFLICT DO UPDATE SET events = events + 1,
                              punches = punches + excluded.punches,
                              rewards = rewards + excluded.rewards,
                              redemptions = redemptions + excluded.redemptions;
END;

-- A void or a forgiven conflict takes its punch or redemption back out, once: a second void
-- of the same event (two tills may void it) changes nothing, and neither does a void whose
-- event has not arrived yet (that event will see the void when it comes).
CREATE TRIGGER report_activity_cancel AFTER INSERT ON event
WHEN NEW.kind IN ('void', 'forgive')
 AND NOT EXISTS (SELECT 1 FROM event c WHERE c.voids = NEW.voids AND c.id <> NEW.id
                                         AND c.kind IN ('void', 'forgive'))
BEGIN
    UPDATE report_activity
    SET events = events - 1,
        punches = punches - CASE t.kind WHEN 'punch' THEN t.amount ELSE 0 END,
        rewards = rewards - CASE t.kind WHEN 'redeem' THEN t.amount ELSE 0 END,
        redemptions = redemptions - (t.kind = 'redeem')
    FROM (SELECT kind, amount, at, member_id, program_id FROM event
          WHERE id = NEW.voids AND kind IN ('punch', 'redeem')) AS t
    WHERE slot = unixepoch(t.at) / 900
      AND member = (SELECT n FROM short_id WHERE id = t.member_id)
      AND program = (SELECT n FROM short_id WHERE id = t.program_id);
    DELETE FROM report_activity
    WHERE slot = (SELECT unixepoch(at) / 900 FROM event WHERE id = NEW.voids) AND events = 0;
END;

CREATE TRIGGER report_staff_day_add AFTER INSERT ON event
WHEN (SELECT zone FROM report_calendar) IS NOT NULL AND NEW.kind IN ('enroll', 'punch', 'redeem', 'void')
BEGIN
    INSERT INTO report_staff_day
        (day, staff, enrolments, punches, redemptions, voids, overrides, cancelled)
    VALUES (((unixepoch(NEW.at) / 900) * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= (unixepoch(NEW.at) / 900) ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440, NEW.staff_id,
            NEW.kind = 'enroll', NEW.kind = 'punch', NEW.kind = 'redeem', NEW.kind = 'void',
            NEW.kind = 'punch' AND NEW.reason IS NOT NULL,
            NEW.kind IN ('punch', 'redeem')
                AND EXISTS (SELECT 1 FROM event c WHERE c.voids = NEW.id
                                                  AND c.kind IN ('void', 'forgive')))
    ON CONFLICT DO UPDATE SET enrolments = enrolments + excluded.enrolments,
                              punches = punches + excluded.punches,
                              redemptions = redemptions + excluded.redemptions,
                              voids = voids + excluded.voids,
                              overrides = overrides + excluded.overrides,
                              cancelled = cancelled + excluded.cancelled;
END;

CREATE TRIGGER report_staff_day_cancel AFTER INSERT ON event
WHEN (SELECT zone FROM report_calendar) IS NOT NULL AND NEW.kind IN ('void', 'forgive')
 AND NOT EXISTS (SELECT 1 FROM event c WHERE c.voids = NEW.voids AND c.id <> NEW.id
                                         AND c.kind IN ('void', 'forgive'))
BEGIN
    UPDATE report_staff_day SET cancelled = cancelled + 1
    FROM (SELECT staff_id, at FROM event
          WHERE id = NEW.voids AND kind IN ('punch', 'redeem')) AS t
    WHERE day = ((unixepoch(t.at) / 900) * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= (unixepoch(t.at) / 900) ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440 AND staff = t.staff_id;
END;
