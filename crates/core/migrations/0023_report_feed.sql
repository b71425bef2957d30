-- The report tables counted off the punch's commit (issue 12,
-- docs/decisions/0035-reports-counted-after-the-commit.md).
--
-- Until now four triggers on `event` kept `report_activity` and `report_staff_day` (and through
-- them the day tables) in the statement that wrote each event: seven of the sixteen pages a
-- punch's commit wrote. Now the events are counted in batches: `report_counted` says up to which
-- event (the ledger's rowid, which grows with each insert and is never reused: the ledger is
-- append-only) they are. The events past it are copied into `report_feed` in rowid order, the
-- same four triggers fire there row by row, and the feed is emptied in the same transaction.
--
-- The triggers see the ledger as it was when each event arrived: an event counted at rowid `n`
-- looks only at events below `n`. So a punch and its void counted in one batch come out as they
-- did when the triggers ran at each insert ("voided already?" means "by an event counted
-- before it"), whatever the batch's size.
--
-- A migration that ever rebuilds `event` must keep its rowids (or set `upto` anew).

CREATE TABLE report_counted (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    upto INTEGER NOT NULL   -- the rowid of the last event counted
);
-- Everything so far was counted by the triggers at each insert.
INSERT INTO report_counted (id, upto) VALUES (1, COALESCE((SELECT max(rowid) FROM event), 0));

-- Only the columns the triggers read. Empty outside a catch-up's transaction.
CREATE TABLE report_feed (
    n          INTEGER PRIMARY KEY,   -- the event's rowid
    id         BLOB NOT NULL,
    staff_id   BLOB NOT NULL,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    member_id  BLOB NOT NULL,
    program_id BLOB,
    amount     INTEGER NOT NULL,
    voids      BLOB,
    reason     TEXT
);

DROP TRIGGER report_activity_add;
DROP TRIGGER report_activity_cancel;
DROP TRIGGER report_staff_day_add;
DROP TRIGGER report_staff_day_cancel;

-- As in 0017, with the ledger seen below the event's own rowid.
CREATE TRIGGER report_activity_add AFTER INSERT ON report_feed
WHEN NEW.kind IN ('enroll', 'punch', 'redeem')
 AND NOT EXISTS (SELECT 1 FROM event c WHERE c.voids = NEW.id AND c.kind IN ('void', 'forgive')
                                         AND c.rowid < NEW.n)
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

-- A void or a forgiven conflict takes its punch or redemption back out, once: a second void of
-- the same event changes nothing, and neither does a void whose event came after it (that event
-- sees the void when it is counted).
CREATE TRIGGER report_activity_cancel AFTER INSERT ON report_feed
WHEN NEW.kind IN ('void', 'forgive')
 AND NOT EXISTS (SELECT 1 FROM event c WHERE c.voids = NEW.voids AND c.id <> NEW.id
                                         AND c.kind IN ('void', 'forgive') AND c.rowid < NEW.n)
BEGIN
    UPDATE report_activity
    SET events = events - 1,
        punches = punches - CASE t.kind WHEN 'punch' THEN t.amount ELSE 0 END,
        rewards = rewards - CASE t.kind WHEN 'redeem' THEN t.amount ELSE 0 END,
        redemptions = redemptions - (t.kind = 'redeem')
    FROM (SELECT kind, amount, at, member_id, program_id FROM event
          WHERE id = NEW.voids AND kind IN ('punch', 'redeem') AND rowid < NEW.n) AS t
    WHERE slot = unixepoch(t.at) / 900
      AND member = (SELECT n FROM short_id WHERE id = t.member_id)
      AND program = (SELECT n FROM short_id WHERE id = t.program_id);
    DELETE FROM report_activity
    WHERE slot = (SELECT unixepoch(at) / 900 FROM event WHERE id = NEW.voids AND rowid < NEW.n)
      AND events = 0;
END;

CREATE TRIGGER report_staff_day_add AFTER INSERT ON report_feed
WHEN (SELECT zone FROM report_calendar) IS NOT NULL AND NEW.kind IN ('enroll', 'punch', 'redeem', 'void')
BEGIN
    INSERT INTO report_staff_day
        (day, staff, enrolments, punches, redemptions, voids, overrides, cancelled)
    VALUES (((unixepoch(NEW.at) / 900) * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= (unixepoch(NEW.at) / 900) ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440, NEW.staff_id,
            NEW.kind = 'enroll', NEW.kind = 'punch', NEW.kind = 'redeem', NEW.kind = 'void',
            NEW.kind = 'punch' AND NEW.reason IS NOT NULL,
            NEW.kind IN ('punch', 'redeem')
                AND EXISTS (SELECT 1 FROM event c WHERE c.voids = NEW.id
                                                  AND c.kind IN ('void', 'forgive')
                                                  AND c.rowid < NEW.n))
    ON CONFLICT DO UPDATE SET enrolments = enrolments + excluded.enrolments,
                              punches = punches + excluded.punches,
                              redemptions = redemptions + excluded.redemptions,
                              voids = voids + excluded.voids,
                              overrides = overrides + excluded.overrides,
                              cancelled = cancelled + excluded.cancelled;
END;

CREATE TRIGGER report_staff_day_cancel AFTER INSERT ON report_feed
WHEN (SELECT zone FROM report_calendar) IS NOT NULL AND NEW.kind IN ('void', 'forgive')
 AND NOT EXISTS (SELECT 1 FROM event c WHERE c.voids = NEW.voids AND c.id <> NEW.id
                                         AND c.kind IN ('void', 'forgive') AND c.rowid < NEW.n)
BEGIN
    UPDATE report_staff_day SET cancelled = cancelled + 1
    FROM (SELECT staff_id, at FROM event
          WHERE id = NEW.voids AND kind IN ('punch', 'redeem') AND rowid < NEW.n) AS t
    WHERE day = ((unixepoch(t.at) / 900) * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= (unixepoch(t.at) / 900) ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440 AND staff = t.staff_id;
END;
