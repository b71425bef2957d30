-- Reports read counts kept per local day of the shop (docs/decisions/0026-report-days.md), so a
-- chain's year is a few thousand small rows instead of millions of quarter hours. They are kept
-- from `report_activity` (0014) by triggers, as that table is kept from the ledger.
--
-- A local day needs the shop's time zone, which SQL does not know: `report_zone` holds the
-- zone's offset from each quarter hour where it changes, written by the till
-- (reports/days.rs) together with the tables below whenever the zone they were counted in
-- (`report_calendar.zone`) is not the shop's. Until then `zone` is NULL and the triggers do
-- nothing: the tables are built in one pass instead.
CREATE TABLE report_calendar (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    zone TEXT
);
INSERT INTO report_calendar (id, zone) VALUES (1, NULL);

CREATE TABLE report_zone (
    from_slot      INTEGER PRIMARY KEY,   -- the quarter hour the offset starts at
    offset_minutes INTEGER NOT NULL
);

-- Per local day (days since 1970-01-01) and program (0: enrolments): what stands, and the
-- stamp cards filled that day.
CREATE TABLE report_day (
    day         INTEGER NOT NULL,
    program     INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    punches     INTEGER NOT NULL,
    rewards     INTEGER NOT NULL,
    redemptions INTEGER NOT NULL,
    fills       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, program)
) WITHOUT ROWID;

-- Each member's local days with activity: a visit (a punch or redemption) or an enrolment,
-- counted in quarter hours of `report_activity`. A visit day notes the day the member was last
-- seen before it (`back_from`): the previous visit, or else the first day the member was seen
-- at all, or else the day itself. "Came back in a span" is then "a visit day in the span whose
-- back_from is before the span": each returning member counted once, at their first visit.
CREATE TABLE report_member_day (
    member      INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    visit_slots INTEGER NOT NULL,
    enrol_slots INTEGER NOT NULL,
    back_from   INTEGER,
    PRIMARY KEY (member, day)
) WITHOUT ROWID;
CREATE INDEX report_member_day_enrolments ON report_member_day (day) WHERE enrol_slots > 0;

-- The visit days counted by (day, back_from): a year's returning members are a sum over a
-- few hundred thousand rows at most.
CREATE TABLE report_return (
    day       INTEGER NOT NULL,
    back_from INTEGER NOT NULL,
    members   INTEGER NOT NULL,
    PRIMARY KEY (day, back_from)
) WITHOUT ROWID;

-- Each stamp card's punches per local day (the card named by the event's member: merged
-- members are put together when a report reads), with the punches it had before that day. A
-- card's k-th reward is earned on the day its punches pass k × needed.
CREATE TABLE report_card_day (
    member  INTEGER NOT NULL,
    program INTEGER NOT NULL,
    day     INTEGER NOT NULL,
    punches INTEGER NOT NULL,
    before  INTEGER NOT NULL,
    needed  INTEGER,              -- NULL: a points program, or one not arrived yet
    fills   INTEGER AS (CASE WHEN needed > 0
                             THEN (before + punches) / needed - before / needed
                             ELSE 0 END) VIRTUAL,
    PRIMARY KEY (member, program, day)
) WITHOUT ROWID;

-- report_activity → the day tables.
CREATE TRIGGER report_days_add AFTER INSERT ON report_activity
WHEN (SELECT zone FROM report_calendar) IS NOT NULL
BEGIN
    INSERT INTO report_day (day, program, events, punches, rewards, redemptions)
    VALUES ((NEW.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= NEW.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440, NEW.program,
            NEW.events, NEW.punches, NEW.rewards, NEW.redemptions)
    ON CONFLICT DO UPDATE SET events = events + excluded.events,
                              punches = punches + excluded.punches,
                              rewards = rewards + excluded.rewards,
                              redemptions = redemptions + excluded.redemptions;
    INSERT INTO report_member_day (member, day, visit_slots, enrol_slots)
    VALUES (NEW.member, (NEW.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= NEW.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440, NEW.program <> 0, NEW.program = 0)
    ON CONFLICT DO UPDATE SET visit_slots = visit_slots + excluded.visit_slots,
                              enrol_slots = enrol_slots + excluded.enrol_slots;
    INSERT INTO report_card_day (member, program, day, punches, before, needed)
    SELECT NEW.member, NEW.program, (NEW.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= NEW.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440, NEW.punches,
           COALESCE((SELECT SUM(c.punches) FROM report_card_day c
                     WHERE c.member = NEW.member AND c.program = NEW.program
                       AND c.day < (NEW.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= NEW.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440), 0),
           (SELECT p.punches_needed FROM program p JOIN short_id s ON s.id = p.id
            WHERE s.n = NEW.program AND p.kind = 'stamps')
    WHERE NEW.program <> 0 AND NEW.punches <> 0
    ON CONFLICT DO UPDATE SET punches = punches + excluded.punches;
    UPDATE report_card_day SET before = before + NEW.punches
    WHERE NEW.program <> 0 AND NEW.punches <> 0
      AND member = NEW.member AND program = NEW.program AND day > (NEW.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= NEW.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440;
END;

CREATE TRIGGER report_days_change AFTER UPDATE ON report_activity
WHEN (SELECT zone FROM report_calendar) IS NOT NULL
BEGIN
    UPDATE report_day
    SET events = events + NEW.events - OLD.events,
        punches = punches + NEW.punches - OLD.punches,
        rewards = rewards + NEW.rewards - OLD.rewards,
        redemptions = redemptions + NEW.redemptions - OLD.redemptions
    WHERE day = (NEW.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= NEW.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440 AND program = NEW.program;
    DELETE FROM report_day
    WHERE day = (NEW.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= NEW.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440 AND program = NEW.program AND events = 0;
    INSERT INTO report_card_day (member, program, day, punches, before, needed)
    SELECT OLD.member, OLD.program, (OLD.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= OLD.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440, -OLD.punches,
           COALESCE((SELECT SUM(c.punches) FROM report_card_day c
                     WHERE c.member = OLD.member AND c.program = OLD.program
                       AND c.day < (OLD.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= OLD.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440), 0),
           (SELECT p.punches_needed FROM program p JOIN short_id s ON s.id = p.id
            WHERE s.n = OLD.program AND p.kind = 'stamps')
    WHERE OLD.program <> 0 AND OLD.punches <> 0
    ON CONFLICT DO UPDATE SET punches = punches + excluded.punches;
    UPDATE report_card_day SET before = before - OLD.punches
    WHERE OLD.program <> 0 AND OLD.punches <> 0
      AND member = OLD.member AND program = OLD.program AND day > (OLD.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= OLD.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440;
    INSERT INTO report_card_day (member, program, day, punches, before, needed)
    SELECT NEW.member, NEW.program, (NEW.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= NEW.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440, NEW.punches,
           COALESCE((SELECT SUM(c.punches) FROM report_card_day c
                     WHERE c.member = NEW.member AND c.program = NEW.program
                       AND c.day < (NEW.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= NEW.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440), 0),
           (SELECT p.punches_needed FROM program p JOIN short_id s ON s.id = p.id
            WHERE s.n = NEW.program AND p.kind = 'stamps')
    WHERE NEW.program <> 0 AND NEW.punches <> 0
    ON CONFLICT DO UPDATE SET punches = punches + excluded.punches;
    UPDATE report_card_day SET before = before + NEW.punches
    WHERE NEW.program <> 0 AND NEW.punches <> 0
      AND member = NEW.member AND program = NEW.program AND day > (NEW.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= NEW.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440;
    DELETE FROM report_card_day
    WHERE member = NEW.member AND program = NEW.program AND day = (NEW.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= NEW.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440
      AND punches = 0;
END;

CREATE TRIGGER report_days_remove AFTER DELETE ON report_activity
WHEN (SELECT zone FROM report_calendar) IS NOT NULL
BEGIN
    UPDATE report_day
    SET events = events - OLD.events,
        punches = punches - OLD.punches,
        rewards = rewards - OLD.rewards,
        redemptions = redemptions - OLD.redemptions
    WHERE day = (OLD.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= OLD.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440 AND program = OLD.program;
    DELETE FROM report_day
    WHERE day = (OLD.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= OLD.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440 AND program = OLD.program AND events = 0;
    INSERT INTO report_card_day (member, program, day, punches, before, needed)
    SELECT OLD.member, OLD.program, (OLD.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= OLD.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440, -OLD.punches,
           COALESCE((SELECT SUM(c.punches) FROM report_card_day c
                     WHERE c.member = OLD.member AND c.program = OLD.program
                       AND c.day < (OLD.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= OLD.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440), 0),
           (SELECT p.punches_needed FROM program p JOIN short_id s ON s.id = p.id
            WHERE s.n = OLD.program AND p.kind = 'stamps')
    WHERE OLD.program <> 0 AND OLD.punches <> 0
    ON CONFLICT DO UPDATE SET punches = punches + excluded.punches;
    UPDATE report_card_day SET before = before - OLD.punches
    WHERE OLD.program <> 0 AND OLD.punches <> 0
      AND member = OLD.member AND program = OLD.program AND day > (OLD.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= OLD.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440;
    DELETE FROM report_card_day
    WHERE member = OLD.member AND program = OLD.program AND day = (OLD.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= OLD.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440
      AND punches = 0;
    UPDATE report_member_day
    SET visit_slots = visit_slots - (OLD.program <> 0),
        enrol_slots = enrol_slots - (OLD.program = 0)
    WHERE member = OLD.member AND day = (OLD.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= OLD.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440;
    DELETE FROM report_member_day
    WHERE member = OLD.member AND day = (OLD.slot * 15 + COALESCE((SELECT z.offset_minutes FROM report_zone z WHERE z.from_slot <= OLD.slot ORDER BY z.from_slot DESC LIMIT 1), 0)) / 1440
      AND visit_slots = 0 AND enrol_slots = 0;
END;

-- A member's days → their visit days' back_from: a day that appears, stops or starts being a
-- visit, or goes, changes its own and the next visit day's.
CREATE TRIGGER report_member_day_added AFTER INSERT ON report_member_day
WHEN (SELECT zone FROM report_calendar) IS NOT NULL
BEGIN
    UPDATE report_member_day
    SET back_from = COALESCE((SELECT p.day FROM report_member_day p WHERE p.member = report_member_day.member AND p.day < report_member_day.day AND p.visit_slots > 0 ORDER BY p.day DESC LIMIT 1),
                    (SELECT p.day FROM report_member_day p WHERE p.member = report_member_day.member AND p.day < report_member_day.day ORDER BY p.day LIMIT 1),
                    report_member_day.day)
    WHERE member = NEW.member AND visit_slots > 0
      AND day IN (NEW.day, (SELECT q.day FROM report_member_day q WHERE q.member = NEW.member AND q.day > NEW.day AND q.visit_slots > 0 ORDER BY q.day LIMIT 1));
END;

CREATE TRIGGER report_member_day_changed AFTER UPDATE OF visit_slots ON report_member_day
WHEN (SELECT zone FROM report_calendar) IS NOT NULL AND (OLD.visit_slots > 0) <> (NEW.visit_slots > 0)
BEGIN
    UPDATE report_member_day
    SET back_from = CASE WHEN visit_slots > 0
                    THEN COALESCE((SELECT p.day FROM report_member_day p WHERE p.member = report_member_day.member AND p.day < report_member_day.day AND p.visit_slots > 0 ORDER BY p.day DESC LIMIT 1),
                    (SELECT p.day FROM report_member_day p WHERE p.member = report_member_day.member AND p.day < report_member_day.day ORDER BY p.day LIMIT 1),
                    report_member_day.day) END
    WHERE member = NEW.member
      AND day IN (NEW.day, (SELECT q.day FROM report_member_day q WHERE q.member = NEW.member AND q.day > NEW.day AND q.visit_slots > 0 ORDER BY q.day LIMIT 1));
END;

CREATE TRIGGER report_member_day_removed AFTER DELETE ON report_member_day
WHEN (SELECT zone FROM report_calendar) IS NOT NULL
BEGIN
    UPDATE report_return SET members = members - 1
    WHERE day = OLD.day AND back_from = OLD.back_from;
    DELETE FROM report_return WHERE day = OLD.day AND back_from = OLD.back_from AND members = 0;
    UPDATE report_member_day
    SET back_from = COALESCE((SELECT p.day FROM report_member_day p WHERE p.member = report_member_day.member AND p.day < report_member_day.day AND p.visit_slots > 0 ORDER BY p.day DESC LIMIT 1),
                    (SELECT p.day FROM report_member_day p WHERE p.member = report_member_day.member AND p.day < report_member_day.day ORDER BY p.day LIMIT 1),
                    report_member_day.day)
    WHERE member = OLD.member AND day = (SELECT q.day FROM report_member_day q WHERE q.member = OLD.member AND q.day > OLD.day AND q.visit_slots > 0 ORDER BY q.day LIMIT 1);
END;

CREATE TRIGGER report_member_day_back AFTER UPDATE OF back_from ON report_member_day
WHEN (SELECT zone FROM report_calendar) IS NOT NULL AND OLD.back_from IS NOT NEW.back_from
BEGIN
    UPDATE report_return SET members = members - 1
    WHERE day = OLD.day AND back_from = OLD.back_from;
    DELETE FROM report_return WHERE day = OLD.day AND back_from = OLD.back_from AND members = 0;
    INSERT INTO report_return (day, back_from, members)
    SELECT NEW.day, NEW.back_from, 1 WHERE NEW.back_from IS NOT NULL
    ON CONFLICT DO UPDATE SET members = members + 1;
END;

-- A card's days → the cards filled per day.
CREATE TRIGGER report_card_day_added AFTER INSERT ON report_card_day
WHEN (SELECT zone FROM report_calendar) IS NOT NULL AND NEW.fills <> 0
BEGIN
    UPDATE report_day SET fills = fills + NEW.fills WHERE day = NEW.day AND program = NEW.program;
END;

CREATE TRIGGER report_card_day_changed AFTER UPDATE ON report_card_day
WHEN (SELECT zone FROM report_calendar) IS NOT NULL AND OLD.fills <> NEW.fills
BEGIN
    UPDATE report_day SET fills = fills + NEW.fills - OLD.fills
    WHERE day = NEW.day AND program = NEW.program;
END;

CREATE TRIGGER report_card_day_removed AFTER DELETE ON report_card_day
WHEN (SELECT zone FROM report_calendar) IS NOT NULL AND OLD.fills <> 0
BEGIN
    UPDATE report_day SET fills = fills - OLD.fills WHERE day = OLD.day AND program = OLD.program;
END;

-- A program that arrives after its punches (sync), or whose kind changes, gives its cards
-- their size.
CREATE TRIGGER report_card_day_program_added AFTER INSERT ON program
WHEN (SELECT zone FROM report_calendar) IS NOT NULL
BEGIN
    UPDATE report_card_day
    SET needed = CASE WHEN NEW.kind = 'stamps' THEN NEW.punches_needed END
    WHERE program = (SELECT n FROM short_id WHERE id = NEW.id);
END;

CREATE TRIGGER report_card_day_program_changed AFTER UPDATE OF punches_needed, kind ON program
WHEN (SELECT zone FROM report_calendar) IS NOT NULL
BEGIN
    UPDATE report_card_day
    SET needed = CASE WHEN NEW.kind = 'stamps' THEN NEW.punches_needed END
    WHERE program = (SELECT n FROM short_id WHERE id = NEW.id);
END;

-- Per local day and staff member: what the staff report counts (decision 0023), so a year is
-- a few thousand rows. `cancelled`: their punches and redemptions that a void or a forgiven
-- conflict took back, counted once, whichever arrived first.
CREATE TABLE report_staff_day (
    day         INTEGER NOT NULL,
    staff       BLOB NOT NULL,
    enrolments  INTEGER NOT NULL,
    punches     INTEGER NOT NULL,
    redemptions INTEGER NOT NULL,
    voids       INTEGER NOT NULL,
    overrides   INTEGER NOT NULL,
    cancelled   INTEGER NOT NULL,
    PRIMARY KEY (day, staff)
) WITHOUT ROWID;

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
