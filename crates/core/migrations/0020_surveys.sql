-- Feedback at the counter, and "you said, we did" (docs/decisions/0032-surveys.md).
--
-- survey_interval_days  how long a member is left alone after being asked (NULL: 90 days).
ALTER TABLE shop ADD COLUMN survey_interval_days INTEGER;

DROP TRIGGER shop_changed;
CREATE TRIGGER shop_changed
AFTER UPDATE OF name, language, currency, time_zone, survey_interval_days ON shop
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('shop', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE shop SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;

-- A survey: made when someone is asked (at the counter, on the customer's screen, or by a link
-- on a QR), filled in when they answer. A shared record (last version wins), so every till of
-- the chain knows when a member was last asked and leaves them alone for the interval.
--
-- member_id     the member asked; NULL: a link for whoever holds it (a receipt's QR)
-- asked_by      the staff member who offered it
-- way           'screen' (the customer-facing window) or 'link' (a QR or a link)
-- nps           "How likely are you to recommend us?" 0 to 10
-- topic         "What matters most to you?" (quality, service, speed, price, cleanliness, choice)
-- topic_score   how happy they are with that topic, 1 to 5
-- comment       their own words (blanked if the member is erased)
CREATE TABLE survey (
    id           BLOB PRIMARY KEY NOT NULL,
    shop_id      BLOB NOT NULL,
    member_id    BLOB,
    asked_by     BLOB NOT NULL,
    asked_at     TEXT NOT NULL,
    way          TEXT NOT NULL CHECK (way IN ('screen', 'link')),
    answered_at  TEXT,
    nps          INTEGER CHECK (nps BETWEEN 0 AND 10),
    topic        TEXT CHECK (topic IN ('quality', 'service', 'speed', 'price', 'cleanliness',
                                       'choice')),
    topic_score  INTEGER CHECK (topic_score BETWEEN 1 AND 5),
    comment      TEXT,
    version      TEXT NOT NULL DEFAULT ''
);
-- When a member was last asked; the answers of a period.
CREATE INDEX survey_member ON survey (member_id, asked_at) WHERE member_id IS NOT NULL;
CREATE INDEX survey_answered ON survey (answered_at) WHERE answered_at IS NOT NULL;

CREATE TRIGGER survey_created AFTER INSERT ON survey WHEN new.version = '' BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('survey', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE survey SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
CREATE TRIGGER survey_changed
AFTER UPDATE OF answered_at, nps, topic, topic_score, comment ON survey
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('survey', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE survey SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;

-- "You said, we did": what a manager changed after feedback, in their own words. Shown on the
-- survey page (the newest few) and offered to the next campaign's message; withdrawn, never
-- deleted, so every till agrees. Shared like a survey.
CREATE TABLE we_did (
    id            BLOB PRIMARY KEY NOT NULL,
    shop_id       BLOB NOT NULL,
    text          TEXT NOT NULL,
    written_by    BLOB NOT NULL,
    written_at    TEXT NOT NULL,
    withdrawn_at  TEXT,
    version       TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER we_did_created AFTER INSERT ON we_did WHEN new.version = '' BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('we_did', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE we_did SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
CREATE TRIGGER we_did_changed AFTER UPDATE OF withdrawn_at ON we_did
WHEN new.version = old.version BEGIN
    INSERT INTO change (kind, record_key, at) VALUES ('we_did', new.id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    UPDATE we_did SET version = (SELECT version FROM newest_change_version) WHERE id = new.id;
END;
