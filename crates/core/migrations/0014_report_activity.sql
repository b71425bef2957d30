-- Reports read a compact roll-up of the ledger, kept by triggers in the same statement as each
-- event (docs/decisions/0025-report-activity.md). A report over a chain's year then groups
-- small integer rows instead of parsing millions of text times and checking each for a void.
--
-- `short_id` names each member and program that appears in the ledger with a small integer
-- (their 16-byte ids would otherwise make up most of every row).
CREATE TABLE short_id (
    n  INTEGER PRIMARY KEY,
    id BLOB NOT NULL UNIQUE
);

-- One row per UTC quarter hour (the finest step any time zone's offset takes, so every local
-- day is a whole number of them), member (as the event named it: merges are resolved when a
-- report reads) and program (0 for an enrolment). Only events that stand are counted: a void
-- or a forgiven conflict takes its event back out, whatever order they arrive in, and a row
-- left with no event goes: the table is a function of the set of events, like the cards.
CREATE TABLE report_activity (
    slot        INTEGER NOT NULL,   -- unixepoch(at) / 900
    member      INTEGER NOT NULL,   -- short_id.n
    program     INTEGER NOT NULL,   -- short_id.n, or 0 for an enrolment
    events      INTEGER NOT NULL,   -- enrolments, or punches and redemptions
    punches     INTEGER NOT NULL,   -- stamps or points given
    rewards     INTEGER NOT NULL,   -- the redemptions' amounts
    redemptions INTEGER NOT NULL,
    PRIMARY KEY (slot, member, program)
) WITHOUT ROWID;
-- A member's activity in time order: "came back within 30 days", "had been a member before".
CREATE INDEX report_activity_by_member ON report_activity (member, slot);

-- An enrolment, punch or redemption adds itself, unless a void of it arrived first (sync may
-- deliver the void before the event). An event that is already in the ledger is ignored by
-- the insert and fires nothing.
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

-- The ledger so far, rolled up the same way (`tessera doctor` compares the table with the
-- same query, in reports/activity.rs, and `--rebuild` rewrites it).
INSERT OR IGNORE INTO short_id (id)
    SELECT DISTINCT member_id FROM event WHERE kind IN ('enroll', 'punch', 'redeem');
INSERT OR IGNORE INTO short_id (id)
    SELECT DISTINCT program_id FROM event WHERE program_id IS NOT NULL
                                          AND kind IN ('punch', 'redeem');
INSERT INTO report_activity (slot, member, program, events, punches, rewards, redemptions)
    SELECT unixepoch(e.at) / 900, m.n, COALESCE(p.n, 0), COUNT(*),
           SUM(CASE e.kind WHEN 'punch' THEN e.amount ELSE 0 END),
           SUM(CASE e.kind WHEN 'redeem' THEN e.amount ELSE 0 END),
           SUM(e.kind = 'redeem')
    FROM event e
    JOIN short_id m ON m.id = e.member_id
    LEFT JOIN short_id p ON p.id = e.program_id
    WHERE e.kind IN ('enroll', 'punch', 'redeem')
      AND NOT EXISTS (SELECT 1 FROM event c WHERE c.voids = e.id AND c.kind IN ('void', 'forgive'))
    GROUP BY 1, 2, 3;
